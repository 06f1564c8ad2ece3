/* The address guard: decides whether examination may connect to an
 * address. Loopback, private, link-local, multicast, metadata and other
 * non-public addresses are rejected unless an allowed CIDR range contains
 * them. IPv6 forms that carry an IPv4 address (IPv4-mapped ::ffff:0:0/96,
 * IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 6to4 2002::/16) are judged
 * by that IPv4 address, so a mapped form cannot slip past the guard.
 *
 * The probe engine calls guard_check on the sockaddr libcurl is about to
 * connect to (CURLOPT_OPENSOCKETFUNCTION), so the decision is made on the
 * resolved address of every connection, including every redirect hop. */
#ifndef SIMPUL_EXAMINE_GUARD_H
#define SIMPUL_EXAMINE_GUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/cidr.h"

#define GUARD_MAX_RANGES 32

/* Why an address is not public. GUARD_PUBLIC is the only class that is
 * allowed without a range. */
enum guard_class {
  GUARD_PUBLIC = 0,
  GUARD_UNSPECIFIED,   /* 0.0.0.0, :: */
  GUARD_THIS_NETWORK,  /* 0.0.0.0/8 */
  GUARD_LOOPBACK,      /* 127.0.0.0/8, ::1 */
  GUARD_PRIVATE,       /* RFC 1918, RFC 4193 fc00::/7, fec0::/10 */
  GUARD_CGNAT,         /* 100.64.0.0/10 */
  GUARD_LINK_LOCAL,    /* 169.254.0.0/16, fe80::/10 */
  GUARD_METADATA,      /* 169.254.169.254, fd00:ec2::254 */
  GUARD_MULTICAST,     /* 224.0.0.0/4, ff00::/8 */
  GUARD_BROADCAST,     /* 255.255.255.255 */
  GUARD_RESERVED       /* 192.0.0.0/24, 198.18.0.0/15, 240.0.0.0/4,
                          64:ff9b:1::/48, 100::/64 */
};

struct guard {
  struct cidr_range allow[GUARD_MAX_RANGES];
  size_t allow_count;
};

/* Adds an allowed range (see cidr_parse); false with a message when it
 * does not parse or the table is full. */
bool guard_allow(struct guard *g, const char *cidr, char *err, size_t errlen);

/* Adds the ranges of a comma-separated list, as guard_allow does. */
bool guard_allow_list(struct guard *g, const char *list, char *err,
                      size_t errlen);

/* Classifies an IPv4 address (4 bytes) or an IPv6 address (16 bytes) in
 * network byte order. */
enum guard_class guard_classify_v4(const uint8_t addr[4]);
enum guard_class guard_classify_v6(const uint8_t addr[16]);

/* Returns the class of a socket address (AF_INET or AF_INET6); other
 * families are GUARD_RESERVED. */
enum guard_class guard_classify(const struct sockaddr *sa);

/* True when examination may connect to `sa`: its class is GUARD_PUBLIC,
 * or an allowed range contains the address (or the IPv4 address an IPv6
 * form carries). `*class_out` (may be NULL) receives the class. */
bool guard_check(const struct guard *g, const struct sockaddr *sa,
                 enum guard_class *class_out);

/* Returns a short stable name of a class, e.g. "loopback". */
const char *guard_class_name(enum guard_class c);

/* Writes the numeric text of `sa` ("10.0.0.1", "::1") into `out`. */
void guard_address_text(const struct sockaddr *sa, char *out, size_t len);

#endif
