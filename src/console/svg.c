/* Inline SVG charts; see svg.h. Coordinates are whole numbers in a fixed
 * view box that the browser scales to the page's width. */
#include <limits.h>
#include <stdio.h>
#include <time.h>

#include "console/svg.h"
#include "http/http.h"

/* The view box and the plot area inside it, in SVG user units. */
#define VIEW_W 640
#define VIEW_H 220
#define PLOT_LEFT 56
#define PLOT_RIGHT 628
#define PLOT_TOP 12
#define PLOT_BOTTOM 186

/* The console's colours (layout.c): accent, grid line and muted text. */
#define COLOUR_DATA "#0b5cad"
#define COLOUR_GRID "#d5dbe1"
#define COLOUR_TEXT "#5b6773"

int
svg_round_up(int value)
{
  int step = 10;
  while (step < value && step <= INT_MAX / 10) {
    if (2 * step >= value)
      return 2 * step;
    if (5 * step >= value)
      return 5 * step;
    step *= 10;
  }
  return step;
}

static int
y_of(const struct svg_chart *c, int value)
{
  long long v = value;
  if (v < c->min)
    v = c->min;
  if (v > c->max)
    v = c->max;
  long long span = (long long)c->max - c->min;
  if (span <= 0)
    return PLOT_BOTTOM;
  return PLOT_BOTTOM - (int)((v - c->min) * (PLOT_BOTTOM - PLOT_TOP) / span);
}

/* The centre of slot `i` of `n` along the time axis. */
static int
x_of(size_t i, size_t n)
{
  long long width = PLOT_RIGHT - PLOT_LEFT;
  return PLOT_LEFT + (int)((2 * (long long)i + 1) * width / (2 * (long long)n));
}

/* Writes the UTC date of `at`, with the time of day when `with_time`. */
static void
date_text(int64_t at, char *out, size_t len, bool with_time)
{
  struct tm tm;
  time_t t = (time_t)at;
  size_t n = 0;
  if (at > 0 && gmtime_r(&t, &tm) != NULL)
    n = with_time ? strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm)
                  : strftime(out, len, "%Y-%m-%d", &tm);
  if (n == 0)
    snprintf(out, len, "-");
}

static void
axes(struct buf *out, const struct svg_chart *c, const struct svg_point *p,
     size_t n)
{
  for (size_t i = 0; i < c->tick_count; i++) {
    int y = y_of(c, c->ticks[i].value);
    html_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
                "stroke=\"" COLOUR_GRID "\" stroke-width=\"1\"/>"
                "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                PLOT_LEFT, y, PLOT_RIGHT, y, PLOT_LEFT - 6, y + 4,
                c->ticks[i].label);
  }
  if (n == 0)
    return;
  char first[16], last[16];
  date_text(p[0].at, first, sizeof first, false);
  date_text(p[n - 1].at, last, sizeof last, false);
  html_printf(out, "<text x=\"%d\" y=\"%d\">%s</text>\n", PLOT_LEFT,
              VIEW_H - 12, first);
  if (n > 1)
    html_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                PLOT_RIGHT, VIEW_H - 12, last);
}

/* Appends a <title> naming the point's time and value, for a tooltip. */
static void
point_title(struct buf *out, const struct svg_chart *c,
            const struct svg_point *p)
{
  char when[32], value[32];
  date_text(p->at, when, sizeof when, true);
  c->value_text(p->value, value, sizeof value);
  html_printf(out, "<title>%s: %s</title>", when, value);
}

/* Draws the line through consecutive present points, then the points. */
static void
line_series(struct buf *out, const struct svg_chart *c,
            const struct svg_point *p, size_t n)
{
  bool open = false;
  for (size_t i = 0; i < n; i++) {
    if (p[i].missing) {
      if (open)
        html_raw(out, "\"/>\n");
      open = false;
      continue;
    }
    if (!open)
      html_raw(out, "<polyline fill=\"none\" stroke=\"" COLOUR_DATA "\" "
               "stroke-width=\"2\" points=\"");
    html_printf(out, "%s%d,%d", open ? " " : "", x_of(i, n),
                y_of(c, p[i].value));
    open = true;
  }
  if (open)
    html_raw(out, "\"/>\n");
  for (size_t i = 0; i < n; i++) {
    if (p[i].missing)
      continue;
    html_printf(out, "<circle cx=\"%d\" cy=\"%d\" r=\"4\" fill=\""
                COLOUR_DATA "\">", x_of(i, n), y_of(c, p[i].value));
    point_title(out, c, &p[i]);
    html_raw(out, "</circle>\n");
  }
}

static void
bar_series(struct buf *out, const struct svg_chart *c,
           const struct svg_point *p, size_t n)
{
  int slot = (PLOT_RIGHT - PLOT_LEFT) / (int)n;
  int width = slot * 7 / 10 > 1 ? slot * 7 / 10 : 1;
  for (size_t i = 0; i < n; i++) {
    if (p[i].missing)
      continue;
    int top = y_of(c, p[i].value);
    int height = PLOT_BOTTOM - top > 1 ? PLOT_BOTTOM - top : 1;
    html_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                "fill=\"" COLOUR_DATA "\">", x_of(i, n) - width / 2,
                PLOT_BOTTOM - height, width, height);
    point_title(out, c, &p[i]);
    html_raw(out, "</rect>\n");
  }
}

void
svg_chart(struct buf *out, const struct svg_chart *chart,
          const struct svg_point *points, size_t count)
{
  if (count > SVG_MAX_POINTS) {
    points += count - SVG_MAX_POINTS;
    count = SVG_MAX_POINTS;
  }
  html_printf(out, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" "
              "viewBox=\"0 0 %d %d\" width=\"100%%\" role=\"img\" "
              "aria-labelledby=\"%s-title %s-desc\" font-family=\"sans-serif\""
              " font-size=\"12\" fill=\"" COLOUR_TEXT "\">\n"
              "<title id=\"%s-title\">%s</title>\n"
              "<desc id=\"%s-desc\">%s</desc>\n",
              VIEW_W, VIEW_H, chart->id, chart->id, chart->id, chart->title,
              chart->id, chart->description);
  axes(out, chart, points, count);
  if (count > 0 && chart->style == SVG_BARS)
    bar_series(out, chart, points, count);
  else if (count > 0)
    line_series(out, chart, points, count);
  html_raw(out, "</svg>\n");
}
