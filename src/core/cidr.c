/* CIDR ranges: parsing, lists and containment. */
#include "core/cidr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
cidr_prefix_equal(const uint8_t *a, const uint8_t *b, int prefix)
{
  int bytes = prefix / 8, bits = prefix % 8;
  if (memcmp(a, b, (size_t)bytes) != 0)
    return false;
  if (bits == 0)
    return true;
  uint8_t mask = (uint8_t)(0xff << (8 - bits));
  return (a[bytes] & mask) == (b[bytes] & mask);
}

bool
cidr_contains(const struct cidr_range *r, int family, const uint8_t *addr)
{
  return r->family == family && cidr_prefix_equal(r->addr, addr, r->prefix);
}

bool
cidr_address(const char *text, int *family, uint8_t addr[16])
{
  memset(addr, 0, 16);
  if (inet_pton(AF_INET, text, addr) == 1)
    *family = AF_INET;
  else if (inet_pton(AF_INET6, text, addr) == 1)
    *family = AF_INET6;
  else
    return false;
  return true;
}

/* Parses the prefix length after '/', 0..max; -1 when invalid. */
static int
parse_prefix(const char *text, int max)
{
  char *end;
  if (*text < '0' || *text > '9')
    return -1;
  long n = strtol(text, &end, 10);
  if (*end != '\0' || n < 0 || n > max || end - text > 3)
    return -1;
  return (int)n;
}

bool
cidr_parse(const char *text, struct cidr_range *out, char *err,
           size_t errlen)
{
  char addr[INET6_ADDRSTRLEN + 8];
  const char *slash = strchr(text, '/');
  size_t addr_len = slash ? (size_t)(slash - text) : strlen(text);

  memset(out, 0, sizeof *out);
  if (addr_len == 0 || addr_len >= sizeof addr)
    goto invalid;
  memcpy(addr, text, addr_len);
  addr[addr_len] = '\0';
  if (!cidr_address(addr, &out->family, out->addr))
    goto invalid;
  int max = out->family == AF_INET ? 32 : 128;
  out->prefix = slash ? parse_prefix(slash + 1, max) : max;
  if (out->prefix < 0) {
    snprintf(err, errlen, "rentang CIDR '%s' tidak valid: panjang prefiks "
             "harus 0 sampai %d / invalid CIDR range '%s': the prefix length "
             "must be 0 to %d, e.g. 10.0.0.0/8 or fd00::/8", text, max, text,
             max);
    return false;
  }
  uint8_t masked[16];
  memset(masked, 0, sizeof masked);
  memcpy(masked, out->addr, (size_t)(out->prefix / 8));
  if (out->prefix % 8)
    masked[out->prefix / 8] =
      (uint8_t)(out->addr[out->prefix / 8] & (0xff << (8 - out->prefix % 8)));
  if (memcmp(masked, out->addr, sizeof masked) != 0) {
    char net[INET6_ADDRSTRLEN];
    inet_ntop(out->family, masked, net, sizeof net);
    snprintf(err, errlen, "rentang CIDR '%s' memiliki bit host; maksud Anda "
             "%s/%d? / CIDR range '%s' has host bits set; did you mean "
             "%s/%d?", text, net, out->prefix, text, net, out->prefix);
    return false;
  }
  return true;

invalid:
  snprintf(err, errlen, "rentang CIDR '%s' tidak valid / invalid CIDR range "
           "'%s': write an IPv4 or IPv6 address with an optional /PREFIX, "
           "e.g. 127.0.0.0/8 or fd00::/8", text, text);
  return false;
}

bool
cidr_parse_list(const char *list, struct cidr_range *out, size_t max,
                size_t *count, char *err, size_t errlen)
{
  char item[128];
  *count = 0;
  for (const char *p = list; p != NULL && *p != '\0';) {
    size_t n = strcspn(p, ",");
    const char *start = p, *end = p + n;
    while (start < end && (*start == ' ' || *start == '\t'))
      start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
      end--;
    p += n;
    if (*p == ',')
      p++;
    if (end == start)
      continue;
    snprintf(item, sizeof item, "%.*s", (int)(end - start), start);
    if (*count >= max) {
      snprintf(err, errlen, "terlalu banyak rentang / too many ranges: at "
               "most %zu; merge '%s' into a wider range", max, item);
      return false;
    }
    if (!cidr_parse(item, &out[*count], err, errlen))
      return false;
    (*count)++;
  }
  return true;
}
