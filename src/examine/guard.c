/* The address guard: classification of IPv4 and IPv6 addresses and the
 * allowed ranges. */
#include "examine/guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
in_v4(const uint8_t a[4], uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3,
      int prefix)
{
  const uint8_t net[4] = {b0, b1, b2, b3};
  return cidr_prefix_equal(a, net, prefix);
}

enum guard_class
guard_classify_v4(const uint8_t a[4])
{
  if (in_v4(a, 0, 0, 0, 0, 32))
    return GUARD_UNSPECIFIED;
  if (in_v4(a, 0, 0, 0, 0, 8))
    return GUARD_THIS_NETWORK;
  if (in_v4(a, 127, 0, 0, 0, 8))
    return GUARD_LOOPBACK;
  if (in_v4(a, 10, 0, 0, 0, 8) || in_v4(a, 172, 16, 0, 0, 12) ||
      in_v4(a, 192, 168, 0, 0, 16))
    return GUARD_PRIVATE;
  if (in_v4(a, 100, 64, 0, 0, 10))
    return GUARD_CGNAT;
  if (in_v4(a, 169, 254, 169, 254, 32))
    return GUARD_METADATA;
  if (in_v4(a, 169, 254, 0, 0, 16))
    return GUARD_LINK_LOCAL;
  if (in_v4(a, 224, 0, 0, 0, 4))
    return GUARD_MULTICAST;
  if (in_v4(a, 255, 255, 255, 255, 32))
    return GUARD_BROADCAST;
  /* The documentation ranges (192.0.2.0/24, 198.51.100.0/24,
   * 203.0.113.0/24) stay public: nothing routes them, so they reach no
   * internal service, and tests use them as stand-ins for public hosts. */
  if (in_v4(a, 192, 0, 0, 0, 24) || in_v4(a, 198, 18, 0, 0, 15) ||
      in_v4(a, 240, 0, 0, 0, 4))
    return GUARD_RESERVED;
  return GUARD_PUBLIC;
}

/* Copies the IPv4 address that an IPv6 form carries into `v4` and returns
 * true; false for an IPv6 address that carries none. */
static bool
embedded_v4(const uint8_t a[16], uint8_t v4[4])
{
  static const uint8_t zero[12] = {0};
  static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t translated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  static const uint8_t nat64[12] = {0x00, 0x64, 0xff, 0x9b};

  if (memcmp(a, mapped, 12) == 0 || memcmp(a, translated, 12) == 0 ||
      memcmp(a, nat64, 12) == 0) {
    memcpy(v4, a + 12, 4);
    return true;
  }
  /* IPv4-compatible ::a.b.c.d, but not :: and ::1 themselves. */
  if (memcmp(a, zero, 12) == 0 && !(a[12] == 0 && a[13] == 0 && a[14] == 0 &&
                                   a[15] <= 1)) {
    memcpy(v4, a + 12, 4);
    return true;
  }
  if (a[0] == 0x20 && a[1] == 0x02) {   /* 6to4 2002:V4ADDR::/48 */
    memcpy(v4, a + 2, 4);
    return true;
  }
  return false;
}

enum guard_class
guard_classify_v6(const uint8_t a[16])
{
  static const uint8_t unspecified[16] = {0};
  static const uint8_t loopback[16] = {[15] = 1};
  static const uint8_t metadata[16] = {0xfd, 0x00, 0x0e, 0xc2,
                                       [14] = 0x02, [15] = 0x54};
  static const uint8_t nat64_local[6] = {0x00, 0x64, 0xff, 0x9b, 0x00, 0x01};
  static const uint8_t discard[8] = {0x01, 0x00};
  uint8_t v4[4];

  if (memcmp(a, unspecified, 16) == 0)
    return GUARD_UNSPECIFIED;
  if (memcmp(a, loopback, 16) == 0)
    return GUARD_LOOPBACK;
  if (memcmp(a, metadata, 16) == 0)
    return GUARD_METADATA;
  if (embedded_v4(a, v4))
    return guard_classify_v4(v4);
  if (a[0] == 0xff)
    return GUARD_MULTICAST;
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
    return GUARD_LINK_LOCAL;
  if ((a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0))
    return GUARD_PRIVATE;  /* unique local fc00::/7, old site-local */
  if (memcmp(a, nat64_local, 6) == 0 || memcmp(a, discard, 8) == 0)
    return GUARD_RESERVED;
  return GUARD_PUBLIC;
}

enum guard_class
guard_classify(const struct sockaddr *sa)
{
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    return guard_classify_v4((const uint8_t *)&in->sin_addr);
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    return guard_classify_v6(in6->sin6_addr.s6_addr);
  }
  return GUARD_RESERVED;
}

static bool
allowed(const struct guard *g, int family, const uint8_t *addr)
{
  for (size_t i = 0; i < g->allow_count; i++)
    if (cidr_contains(&g->allow[i], family, addr))
      return true;
  return false;
}

bool
guard_check(const struct guard *g, const struct sockaddr *sa,
            enum guard_class *class_out)
{
  enum guard_class c = guard_classify(sa);
  if (class_out != NULL)
    *class_out = c;
  if (c == GUARD_PUBLIC)
    return true;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    return allowed(g, AF_INET, (const uint8_t *)&in->sin_addr);
  }
  if (sa->sa_family == AF_INET6) {
    const uint8_t *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    uint8_t v4[4];
    if (allowed(g, AF_INET6, a))
      return true;
    return embedded_v4(a, v4) && allowed(g, AF_INET, v4);
  }
  return false;
}

bool
guard_allow_list(struct guard *g, const char *list, char *err, size_t errlen)
{
  size_t added = 0;
  if (!cidr_parse_list(list, g->allow + g->allow_count,
                       GUARD_MAX_RANGES - g->allow_count, &added, err, errlen))
    return false;
  g->allow_count += added;
  return true;
}

bool
guard_allow(struct guard *g, const char *cidr, char *err, size_t errlen)
{
  if (g->allow_count >= GUARD_MAX_RANGES) {
    snprintf(err, errlen, "terlalu banyak rentang yang diizinkan / too many "
             "allowed ranges: at most %d; merge '%s' into a wider range",
             GUARD_MAX_RANGES, cidr);
    return false;
  }
  if (!cidr_parse(cidr, &g->allow[g->allow_count], err, errlen))
    return false;
  g->allow_count++;
  return true;
}

const char *
guard_class_name(enum guard_class c)
{
  switch (c) {
  case GUARD_PUBLIC: return "public";
  case GUARD_UNSPECIFIED: return "unspecified";
  case GUARD_THIS_NETWORK: return "this-network";
  case GUARD_LOOPBACK: return "loopback";
  case GUARD_PRIVATE: return "private";
  case GUARD_CGNAT: return "cgnat";
  case GUARD_LINK_LOCAL: return "link-local";
  case GUARD_METADATA: return "metadata";
  case GUARD_MULTICAST: return "multicast";
  case GUARD_BROADCAST: return "broadcast";
  case GUARD_RESERVED: return "reserved";
  }
  return "reserved";
}

void
guard_address_text(const struct sockaddr *sa, char *out, size_t len)
{
  const void *src = NULL;
  if (sa->sa_family == AF_INET)
    src = &((const struct sockaddr_in *)sa)->sin_addr;
  else if (sa->sa_family == AF_INET6)
    src = &((const struct sockaddr_in6 *)sa)->sin6_addr;
  if (src == NULL || inet_ntop(sa->sa_family, src, out, (socklen_t)len) == NULL)
    snprintf(out, len, "?");
}
