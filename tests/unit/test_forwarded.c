/* The client address behind trusted proxies (http/forwarded.c) and the
 * CIDR lists it is configured with (core/cidr.c). */
#include <string.h>

#include "core/cidr.h"
#include "http/internal.h"
#include "testlib.h"

static struct cidr_range proxies[CIDR_LIST_MAX];
static size_t proxy_count;

/* Sets the trusted proxies from a list; false when it does not parse. */
static bool
trust(const char *list)
{
  char err[256];
  return cidr_parse_list(list, proxies, CIDR_LIST_MAX, &proxy_count, err,
                         sizeof err);
}

/* The client address for `peer` with up to three X-Forwarded-For lines. */
static const char *
client(const char *peer, const char *a, const char *b, const char *c)
{
  static char out[64];
  const char *values[3];
  size_t n = 0;
  if (a != NULL)
    values[n++] = a;
  if (b != NULL)
    values[n++] = b;
  if (c != NULL)
    values[n++] = c;
  http_forwarded_client(proxies, proxy_count, peer, values, n, out,
                        sizeof out);
  return out;
}

TEST(forwarded_ignored_without_proxies)
{
  CHECK(trust(""));
  CHECK_INT(proxy_count, 0);
  CHECK_STR(client("127.0.0.1", "203.0.113.9", NULL, NULL), "127.0.0.1");
}

TEST(forwarded_ignored_from_untrusted_peer)
{
  CHECK(trust("10.0.0.5/32"));
  CHECK_STR(client("198.51.100.4", "203.0.113.9", NULL, NULL),
            "198.51.100.4");
}

TEST(forwarded_names_client_of_trusted_peer)
{
  CHECK(trust("10.0.0.5/32"));
  CHECK_STR(client("10.0.0.5", "203.0.113.9", NULL, NULL), "203.0.113.9");
  CHECK_STR(client("10.0.0.5", NULL, NULL, NULL), "10.0.0.5");
}

TEST(forwarded_spoofed_entries_skipped)
{
  CHECK(trust("10.0.0.5/32"));
  /* The client wrote 1.1.1.1 itself; the proxy appended its real address. */
  CHECK_STR(client("10.0.0.5", "1.1.1.1, 203.0.113.9", NULL, NULL),
            "203.0.113.9");
  CHECK_STR(client("10.0.0.5", "1.1.1.1", "203.0.113.9", NULL),
            "203.0.113.9");
}

TEST(forwarded_chain_of_proxies)
{
  CHECK(trust("10.0.0.0/8, fd00::/8"));
  CHECK_INT(proxy_count, 2);
  CHECK_STR(client("10.0.0.5", "203.0.113.9, 10.1.2.3", "fd00::7", NULL),
            "203.0.113.9");
  /* Every entry a proxy: the leftmost is the best known client. */
  CHECK_STR(client("10.0.0.5", "10.9.9.9, 10.1.2.3", NULL, NULL), "10.9.9.9");
}

TEST(forwarded_ports_brackets_and_ipv6)
{
  CHECK(trust("10.0.0.5/32"));
  CHECK_STR(client("10.0.0.5", "203.0.113.9:5555", NULL, NULL),
            "203.0.113.9");
  CHECK_STR(client("10.0.0.5", "[2001:db8::1]:443", NULL, NULL),
            "2001:db8::1");
  CHECK_STR(client("10.0.0.5", " 2001:db8::2 ", NULL, NULL), "2001:db8::2");
}

TEST(forwarded_invalid_entries)
{
  CHECK(trust("10.0.0.5/32"));
  CHECK_STR(client("10.0.0.5", "unknown", NULL, NULL), "10.0.0.5");
  CHECK_STR(client("10.0.0.5", "garbage, 203.0.113.9", NULL, NULL),
            "203.0.113.9");
  CHECK_STR(client("10.0.0.5", "203.0.113.9, garbage", NULL, NULL),
            "10.0.0.5");
  CHECK_STR(client("10.0.0.5", "203.0.113.9,, ", NULL, NULL), "203.0.113.9");
  CHECK_STR(client("10.0.0.5", "[2001:db8::1", NULL, NULL), "10.0.0.5");
}

TEST(forwarded_canonical_text)
{
  CHECK(trust("10.0.0.5/32"));
  CHECK_STR(client("10.0.0.5", "2001:DB8:0:0::ABCD", NULL, NULL),
            "2001:db8::abcd");
  CHECK_STR(client("10.0.0.5", "::ffff:203.0.113.9", NULL, NULL),
            "203.0.113.9");
  /* A mapped form of a trusted proxy is that proxy too. */
  CHECK_STR(client("10.0.0.5", "203.0.113.9, ::ffff:10.0.0.5", NULL, NULL),
            "203.0.113.9");
  CHECK(http_proxy_trusted(proxies, proxy_count, "::ffff:10.0.0.5"));
  CHECK(!http_proxy_trusted(proxies, proxy_count, "10.0.0.6"));
}

TEST(forwarded_proto_https)
{
  CHECK(http_forwarded_https("https"));
  CHECK(http_forwarded_https(" HTTPS "));
  CHECK(http_forwarded_https("http, https"));
  CHECK(!http_forwarded_https("https, http"));
  CHECK(!http_forwarded_https("http"));
  CHECK(!http_forwarded_https("httpsx"));
  CHECK(!http_forwarded_https("https x"));
  CHECK(!http_forwarded_https(""));
  CHECK(!http_forwarded_https(NULL));
}

TEST(cidr_list_errors)
{
  struct cidr_range r[2];
  size_t n;
  char err[256];
  CHECK(!cidr_parse_list("10.0.0.1/8", r, 2, &n, err, sizeof err));
  CHECK(strstr(err, "10.0.0.0/8") != NULL);
  CHECK(!cidr_parse_list("10.0.0.0/8,bogus", r, 2, &n, err, sizeof err));
  CHECK(strstr(err, "'bogus'") != NULL);
  CHECK(!cidr_parse_list("10.0.0.0/8,::1,127.0.0.1", r, 2, &n, err,
                         sizeof err));
  CHECK(strstr(err, "too many") != NULL);
  CHECK(cidr_parse_list(" , 10.0.0.0/8 ,", r, 2, &n, err, sizeof err));
  CHECK_INT(n, 1);
}

int
main(void)
{
  RUN(forwarded_ignored_without_proxies);
  RUN(forwarded_ignored_from_untrusted_peer);
  RUN(forwarded_names_client_of_trusted_peer);
  RUN(forwarded_spoofed_entries_skipped);
  RUN(forwarded_chain_of_proxies);
  RUN(forwarded_ports_brackets_and_ipv6);
  RUN(forwarded_invalid_entries);
  RUN(forwarded_canonical_text);
  RUN(forwarded_proto_https);
  RUN(cidr_list_errors);
  return TEST_EXIT();
}
