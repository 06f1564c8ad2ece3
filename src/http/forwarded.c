/* The client address behind trusted proxies, from X-Forwarded-For.
 *
 * A proxy appends the address it received the request from, so the list
 * is read from its right end: every address that is itself a trusted
 * proxy is skipped, and the first one that is not is the client. What a
 * client wrote further left is never believed. Written here because
 * libmicrohttpd has no notion of proxies. */
#include "http/internal.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Turns an IPv4-mapped IPv6 address (::ffff:a.b.c.d) into the IPv4
 * address it carries, so that both forms match the same ranges. */
static void
unmap_ipv4(int *family, uint8_t addr[16])
{
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff,
                                     0xff};
  if (*family == AF_INET6 && memcmp(addr, mapped, sizeof mapped) == 0) {
    memmove(addr, addr + 12, 4);
    memset(addr + 4, 0, 12);
    *family = AF_INET;
  }
}

/* Writes the address in `token` (n bytes) into `out` in canonical text,
 * so that each client has one spelling ("2001:db8::abcd", not
 * "2001:DB8:0::ABCD"). The port of "1.2.3.4:80" and the brackets and port
 * of "[::1]:80" are dropped. False when it is not a numeric address. */
static bool
token_address(const char *token, size_t n, char *out, size_t len,
              int *family, uint8_t addr[16])
{
  while (n > 0 && (*token == ' ' || *token == '\t')) {
    token++;
    n--;
  }
  while (n > 0 && (token[n - 1] == ' ' || token[n - 1] == '\t'))
    n--;
  if (n > 0 && token[0] == '[') {
    const char *close = memchr(token, ']', n);
    if (close == NULL)
      return false;
    n = (size_t)(close - token - 1);
    token++;
  } else {
    const char *colon = memchr(token, ':', n);
    if (colon != NULL && memchr(colon + 1, ':', n - (size_t)(colon - token) - 1)
                           == NULL)
      n = (size_t)(colon - token);  /* IPv4 with a port */
  }
  if (n == 0 || n >= len)
    return false;
  memcpy(out, token, n);
  out[n] = '\0';
  if (!cidr_address(out, family, addr))
    return false;
  unmap_ipv4(family, addr);
  return inet_ntop(*family, addr, out, (socklen_t)len) != NULL;
}

static bool
trusted(const struct cidr_range *proxies, size_t count, int family,
        const uint8_t *addr)
{
  for (size_t i = 0; i < count; i++)
    if (cidr_contains(&proxies[i], family, addr))
      return true;
  return false;
}

bool
http_proxy_trusted(const struct cidr_range *proxies, size_t count,
                   const char *peer)
{
  int family;
  uint8_t addr[16];
  if (count == 0 || !cidr_address(peer, &family, addr))
    return false;
  unmap_ipv4(&family, addr);
  return trusted(proxies, count, family, addr);
}

bool
http_forwarded_https(const char *proto)
{
  if (proto == NULL)
    return false;
  const char *last = strrchr(proto, ',');
  last = last != NULL ? last + 1 : proto;
  last += strspn(last, " \t");
  size_t n = strcspn(last, " \t");
  return n == 5 && strncasecmp(last, "https", 5) == 0 &&
         last[n + strspn(last + n, " \t")] == '\0';
}

void
http_forwarded_client(const struct cidr_range *proxies, size_t count,
                      const char *peer, const char *const *values,
                      size_t value_count, char *out, size_t len)
{
  int family;
  uint8_t addr[16];
  snprintf(out, len, "%s", peer);
  if (!http_proxy_trusted(proxies, count, peer))
    return;
  char candidate[64];
  for (size_t v = value_count; v-- > 0;) {
    const char *list = values[v];
    size_t end = strlen(list);
    while (end > 0) {
      size_t start = end;
      while (start > 0 && list[start - 1] != ',')
        start--;
      size_t n = end - start;
      end = start > 0 ? start - 1 : 0;
      if (strspn(list + start, " \t") >= n)
        continue;            /* an empty item, as in "a,,b" */
      if (!token_address(list + start, n, candidate, sizeof candidate,
                         &family, addr))
        return;              /* not an address: keep the last one found */
      snprintf(out, len, "%s", candidate);
      if (!trusted(proxies, count, family, addr))
        return;
    }
  }
}
