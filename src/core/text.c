/* Small text helpers; see text.h. */
#include "core/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

size_t
text_utf8_sequence(const unsigned char *s, size_t n)
{
  unsigned char c = s[0];
  size_t len;
  uint32_t cp, min;

  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2, cp = c & 0x1f, min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3, cp = c & 0x0f, min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4, cp = c & 0x07, min = 0x10000;
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
  if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return len;
}

void
text_make_printable(char *s)
{
  if (s == NULL)
    return;
  unsigned char *p = (unsigned char *)s;
  size_t left = strlen(s);
  while (left > 0) {
    size_t len = text_utf8_sequence(p, left);
    if (len == 0 || (*p < 0x20 && *p != '\t') || *p == 0x7f) {
      *p = '?';
      len = 1;
    }
    p += len;
    left -= len;
  }
}

uint32_t
text_invisible_char(const unsigned char *s, size_t len)
{
  uint32_t cp;

  if (len == 2)
    cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
  else if (len == 3)
    cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 |
         (s[2] & 0x3f);
  else
    return 0;
  bool invisible = (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c ||
                   cp == 0x180e || cp == 0x200b || cp == 0x200e ||
                   cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
                   (cp >= 0x2060 && cp <= 0x2064) ||
                   (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
  return invisible ? cp : 0;
}
