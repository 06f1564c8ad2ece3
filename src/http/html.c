/* HTML built by construction: html_printf escapes every %s and %c argument,
 * so a page handler cannot forget to escape a dynamic value. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "http/http.h"

/* Length of the valid UTF-8 sequence at `s` (at most `n` bytes), or 0 when
 * the bytes there are not one: overlong forms, surrogates and code points
 * above U+10FFFF count as invalid. */
static size_t
utf8_sequence_length(const unsigned char *s, size_t n)
{
  unsigned char c = s[0];
  size_t len;
  uint32_t cp;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
    cp = c & 0x1f;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    cp = c & 0x0f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return len;
}

/* Appends `n` bytes of `text` escaped. Invalid UTF-8 and control characters
 * other than tab, newline and carriage return become U+FFFD, so the page
 * stays valid whatever bytes the value holds. */
static void
escape_bytes(struct buf *out, const char *text, size_t n)
{
  const unsigned char *s = (const unsigned char *)text;
  size_t i = 0;

  while (i < n) {
    unsigned char c = s[i];
    const char *entity = NULL;
    switch (c) {
    case '&': entity = "&amp;"; break;
    case '<': entity = "&lt;"; break;
    case '>': entity = "&gt;"; break;
    case '"': entity = "&quot;"; break;
    case '\'': entity = "&#39;"; break;
    default: break;
    }
    if (entity != NULL) {
      buf_puts(out, entity);
      i++;
      continue;
    }
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      buf_puts(out, "\xef\xbf\xbd");
      i++;
      continue;
    }
    size_t len = utf8_sequence_length(s + i, n - i);
    if (len == 0) {
      buf_puts(out, "\xef\xbf\xbd");
      i++;
      continue;
    }
    buf_append(out, s + i, len);
    i += len;
  }
}

void
html_text(struct buf *out, const char *text)
{
  if (text != NULL)
    escape_bytes(out, text, strlen(text));
}

void
html_raw(struct buf *out, const char *literal)
{
  buf_puts(out, literal);
}

void
html_url_param(struct buf *out, const char *text)
{
  static const char hex[] = "0123456789ABCDEF";

  if (text == NULL)
    return;
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    unsigned char c = *p;
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                      c == '_' || c == '~';
    if (unreserved) {
      buf_putc(out, (char)c);
    } else {
      char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
      buf_append(out, enc, 3);
    }
  }
}

/* One conversion of a printf format, split into the parts html_printf needs
 * to take the right type off the argument list. */
struct conversion {
  char spec[32];       /* the conversion without its length modifier */
  bool width_arg;      /* width given as '*' */
  bool precision_arg;  /* precision given as '.*' */
  int precision;       /* a precision written in the format; -1 when none */
  int length;          /* 0, 'h' (hh or h), 'l', 'L' (ll), 'j', 'z', 't', 'D' */
  char type;           /* d i u o x X c s p f F e E g G a A %, or 0 if bad */
  size_t consumed;     /* bytes of the format it took */
};

static void
parse_conversion(const char *fmt, struct conversion *cv)
{
  const char *p = fmt + 1;
  *cv = (struct conversion){.precision = -1};

  while (*p && strchr("-+ #0", *p))
    p++;
  if (*p == '*') {
    cv->width_arg = true;
    p++;
  } else {
    while (*p >= '0' && *p <= '9')
      p++;
  }
  if (*p == '.') {
    p++;
    if (*p == '*') {
      cv->precision_arg = true;
      p++;
    } else {
      cv->precision = 0;
      while (*p >= '0' && *p <= '9' && cv->precision < 100000)
        cv->precision = cv->precision * 10 + (*p++ - '0');
    }
  }
  size_t flags_len = (size_t)(p - fmt);
  if (p[0] == 'h' || p[0] == 'l') {
    cv->length = p[1] == p[0] ? (p[0] == 'l' ? 'L' : 'h') : p[0];
    p += p[1] == p[0] ? 2 : 1;
  } else if (*p == 'j' || *p == 'z' || *p == 't') {
    cv->length = *p++;
  } else if (*p == 'L') {
    cv->length = 'D';
    p++;
  }
  if (*p && strchr("diuoxXcspfFeEgGaA%", *p))
    cv->type = *p++;
  cv->consumed = (size_t)(p - fmt);
  if (flags_len + 1 < sizeof cv->spec) {
    memcpy(cv->spec, fmt, flags_len);
    cv->spec[flags_len] = '\0';
  } else {
    cv->type = 0;
  }
}

/* The helpers below rebuild a format from a conversion that parse_conversion
 * has checked, so these formats are not literals by construction. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

/* Formats with the star arguments the conversion asked for. */
#define FORMAT_WITH_STARS(out, fmt, cv, width, precision, value)            \
  do {                                                                      \
    if ((cv)->width_arg && (cv)->precision_arg)                             \
      buf_printf(out, fmt, width, precision, value);                        \
    else if ((cv)->width_arg)                                               \
      buf_printf(out, fmt, width, value);                                   \
    else if ((cv)->precision_arg)                                           \
      buf_printf(out, fmt, precision, value);                               \
    else                                                                    \
      buf_printf(out, fmt, value);                                          \
  } while (0)

/* Formats one integer conversion, reading the argument type its length
 * modifier names and printing it through the 'j' modifier. */
static void
format_integer(struct buf *out, const struct conversion *cv, int width,
               int precision, va_list *ap)
{
  bool is_signed = cv->type == 'd' || cv->type == 'i';
  char fmt[40];
  intmax_t sv = 0;
  uintmax_t uv = 0;

  switch (cv->length) {
  case 'l':
    if (is_signed) sv = va_arg(*ap, long);
    else uv = va_arg(*ap, unsigned long);
    break;
  case 'L':
    if (is_signed) sv = va_arg(*ap, long long);
    else uv = va_arg(*ap, unsigned long long);
    break;
  case 'j':
    if (is_signed) sv = va_arg(*ap, intmax_t);
    else uv = va_arg(*ap, uintmax_t);
    break;
  case 'z':
    if (is_signed) sv = (intmax_t)va_arg(*ap, ptrdiff_t);
    else uv = va_arg(*ap, size_t);
    break;
  case 't':
    if (is_signed) sv = va_arg(*ap, ptrdiff_t);
    else uv = (uintmax_t)va_arg(*ap, ptrdiff_t);
    break;
  default: /* int, and the promoted short and char */
    if (is_signed) sv = va_arg(*ap, int);
    else uv = va_arg(*ap, unsigned int);
    break;
  }
  snprintf(fmt, sizeof fmt, "%sj%c", cv->spec, cv->type);
  if (is_signed)
    FORMAT_WITH_STARS(out, fmt, cv, width, precision, sv);
  else
    FORMAT_WITH_STARS(out, fmt, cv, width, precision, uv);
}

static void
format_double(struct buf *out, const struct conversion *cv, int width,
              int precision, va_list *ap)
{
  char fmt[40];
  snprintf(fmt, sizeof fmt, "%s%c", cv->spec, cv->type);
  double v = cv->length == 'D' ? (double)va_arg(*ap, long double)
                               : va_arg(*ap, double);
  FORMAT_WITH_STARS(out, fmt, cv, width, precision, v);
}

#pragma GCC diagnostic pop

/* Appends a string argument escaped. A precision limits the bytes taken
 * from the argument, as printf does; a width is ignored. */
static void
format_string(struct buf *out, int precision, const char *s)
{
  if (s == NULL)
    s = "(null)";
  size_t n = strlen(s);
  if (precision >= 0 && (size_t)precision < n)
    n = (size_t)precision;
  escape_bytes(out, s, n);
}

void
html_printf(struct buf *out, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);

  const char *p = fmt;
  while (*p) {
    const char *pct = strchr(p, '%');
    if (pct == NULL) {
      buf_puts(out, p);
      break;
    }
    buf_append(out, p, (size_t)(pct - p));
    struct conversion cv;
    parse_conversion(pct, &cv);
    p = pct + cv.consumed;
    if (cv.type == 0) {
      /* Unknown conversions (and %n) print nothing; the compiler's format
       * check reports them at build time. */
      continue;
    }
    int width = cv.width_arg ? va_arg(ap, int) : 0;
    int precision = cv.precision_arg ? va_arg(ap, int) : cv.precision;
    switch (cv.type) {
    case '%':
      buf_putc(out, '%');
      break;
    case 's':
      format_string(out, precision, va_arg(ap, const char *));
      break;
    case 'c': {
      char c = (char)va_arg(ap, int);
      escape_bytes(out, &c, 1);
      break;
    }
    case 'p':
      buf_printf(out, "%p", va_arg(ap, void *));
      break;
    case 'f': case 'F': case 'e': case 'E':
    case 'g': case 'G': case 'a': case 'A':
      format_double(out, &cv, width, precision, &ap);
      break;
    default:
      format_integer(out, &cv, width, precision, &ap);
      break;
    }
  }
  va_end(ap);
}
