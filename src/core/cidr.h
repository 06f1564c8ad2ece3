/* CIDR ranges of IPv4 and IPv6 addresses ("10.0.0.0/8", "fd00::/8"), as
 * the examination guard and the server's trusted proxies use them. */
#ifndef SIMPUL_CORE_CIDR_H
#define SIMPUL_CORE_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ranges a configured list may hold. */
#define CIDR_LIST_MAX 32

/* One range in network byte order. IPv4 ranges have family AF_INET and
 * use the first 4 bytes of `addr`. */
struct cidr_range {
  int family;
  uint8_t addr[16];
  int prefix;
};

/* Parses "ADDRESS/PREFIX" or a single address (a /32 or /128 range).
 * Host bits below the prefix must be zero ("10.0.0.1/8" is rejected, so a
 * typo cannot widen a range silently). False with a message naming the
 * text and the fix in `err`. */
bool cidr_parse(const char *text, struct cidr_range *out, char *err,
                size_t errlen);

/* Parses a comma-separated list of ranges (spaces around items allowed,
 * empty items skipped) into `out`, which has room for `max`. Sets
 * `*count`. False with a message when an item is invalid or there are
 * more than `max`. */
bool cidr_parse_list(const char *list, struct cidr_range *out, size_t max,
                     size_t *count, char *err, size_t errlen);

/* True when the first `prefix` bits of `a` and `b` are equal. */
bool cidr_prefix_equal(const uint8_t *a, const uint8_t *b, int prefix);

/* True when `r` contains the address `addr` (4 bytes for AF_INET, 16 for
 * AF_INET6) of `family`. */
bool cidr_contains(const struct cidr_range *r, int family,
                   const uint8_t *addr);

/* Parses a numeric IPv4 or IPv6 address into `family` and `addr` (16
 * bytes of room). False when `text` is not one. */
bool cidr_address(const char *text, int *family, uint8_t addr[16]);

#endif
