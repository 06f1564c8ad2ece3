/* Small charts drawn on the server as inline <svg> elements, so pages show
 * them without JavaScript or images. Colours and fonts are SVG
 * presentation attributes (fill, stroke, font-size): the console's CSP
 * ("style-src 'self'") blocks style attributes and <style> elements, but
 * not presentation attributes; Debian's Chromium was checked to paint them
 * under that policy. Every chart has a <title> and a <desc>, and each
 * point a <title> with its time and value; pages add a table with the same
 * data for readers who cannot see the chart. */
#ifndef SIMPUL_CONSOLE_SVG_H
#define SIMPUL_CONSOLE_SVG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* One value at one time. */
struct svg_point {
  int64_t at;       /* Unix seconds */
  int value;        /* in the chart's range */
  bool missing;     /* nothing to draw at this time (e.g. not graded) */
};

/* A labelled position on the value axis. */
struct svg_tick {
  int value;
  const char *label;
};

enum svg_style {
  SVG_LINE = 0,     /* points joined by a line; a missing point breaks it */
  SVG_BARS          /* one bar per point, from the axis minimum */
};

struct svg_chart {
  const char *id;            /* id prefix, unique within the page */
  const char *title;         /* a few words, e.g. "Grade history" */
  const char *description;   /* one sentence saying what is drawn */
  enum svg_style style;
  int min, max;              /* value axis range; max > min */
  const struct svg_tick *ticks;
  size_t tick_count;
  /* Writes the text of `value` for a point's tooltip ("B+", "230 ms"). */
  void (*value_text)(int value, char *out, size_t len);
};

/* Appends the chart of `points` (oldest first, at most SVG_MAX_POINTS are
 * drawn: the newest) to `out`. Text is escaped. Draws an empty frame when
 * `count` is 0. */
#define SVG_MAX_POINTS 200
void svg_chart(struct buf *out, const struct svg_chart *chart,
               const struct svg_point *points, size_t count);

/* Returns the smallest of 1, 2 and 5 times a power of ten that is at
 * least `value` (10 for anything below 10): a round top for a value axis. */
int svg_round_up(int value);

#endif
