#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
buf_init(struct buf *b, size_t max)
{
  *b = (struct buf){.max = max};
}

void
buf_free(struct buf *b)
{
  free(b->data);
  *b = (struct buf){.max = b->max};
}

void
buf_reset(struct buf *b)
{
  b->len = 0;
  b->too_big = false;
  if (b->data != NULL)
    b->data[0] = '\0';
}

static bool
reserve(struct buf *b, size_t extra)
{
  size_t need;
  if (extra > b->max || b->len > b->max - extra) {
    b->too_big = true;
    return false;
  }
  need = b->len + extra + 1;
  if (need <= b->cap)
    return true;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  if (cap > b->max + 1)
    cap = b->max + 1;
  char *data = realloc(b->data, cap);
  if (data == NULL) {
    b->too_big = true;
    return false;
  }
  b->data = data;
  b->cap = cap;
  return true;
}

bool
buf_append(struct buf *b, const void *data, size_t len)
{
  if (!reserve(b, len))
    return false;
  if (len > 0)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return true;
}

bool
buf_puts(struct buf *b, const char *s)
{
  return buf_append(b, s, strlen(s));
}

bool
buf_putc(struct buf *b, char c)
{
  return buf_append(b, &c, 1);
}

bool
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0 || !reserve(b, (size_t)n))
    return false;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return true;
}

bool
buf_printf(struct buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  bool ok = buf_vprintf(b, fmt, ap);
  va_end(ap);
  return ok;
}

char *
buf_take(struct buf *b)
{
  char *data = b->data;
  if (data == NULL)
    data = calloc(1, 1);
  *b = (struct buf){.max = b->max};
  return data;
}

const char *
buf_str(const struct buf *b)
{
  return b->data ? b->data : "";
}
