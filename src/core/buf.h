/* A growable byte buffer with a maximum size fixed at creation, so no input
 * can grow memory without bound. The content is always NUL-terminated. */
#ifndef SIMPUL_CORE_BUF_H
#define SIMPUL_CORE_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
  char *data;      /* NUL-terminated; NULL until the first append */
  size_t len;
  size_t cap;
  size_t max;      /* appends that would pass this fail */
  bool too_big;    /* set once an append failed for size or memory */
};

/* Initialises an empty buffer that may grow up to `max` bytes. */
void buf_init(struct buf *b, size_t max);

/* Frees the content and leaves an empty buffer with the same maximum. */
void buf_free(struct buf *b);

/* Empties the buffer and keeps its memory. */
void buf_reset(struct buf *b);

/* Each append returns false, and sets too_big, when the result would pass
 * the maximum or memory runs out; the buffer then keeps its old content. */
bool buf_append(struct buf *b, const void *data, size_t len);
bool buf_puts(struct buf *b, const char *s);
bool buf_putc(struct buf *b, char c);
bool buf_printf(struct buf *b, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
bool buf_vprintf(struct buf *b, const char *fmt, va_list ap);

/* Hands the content to the caller (free() it) and empties the buffer.
 * Returns an empty allocated string when nothing was appended. */
char *buf_take(struct buf *b);

/* Returns the content, "" before the first append. */
const char *buf_str(const struct buf *b);

#endif
