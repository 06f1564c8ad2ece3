/* The examination address guard: classification of every range, IPv6
 * forms that carry an IPv4 address, allowed ranges and CIDR parsing. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "examine/guard.h"
#include "testlib.h"

/* Fills `ss` with the numeric address `text` (IPv4 or IPv6). */
static const struct sockaddr *
sockaddr_of(const char *text, struct sockaddr_storage *ss)
{
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *in = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, text, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
  } else if (inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
  } else {
    fprintf(stderr, "  bad test address %s\n", text);
    ss->ss_family = AF_UNSPEC;
  }
  return (const struct sockaddr *)ss;
}

static enum guard_class
class_of(const char *text)
{
  struct sockaddr_storage ss;
  return guard_classify(sockaddr_of(text, &ss));
}

struct class_case {
  const char *address;
  enum guard_class want;
};

static void
check_table(const struct class_case *cases, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    enum guard_class got = class_of(cases[i].address);
    if (got != cases[i].want)
      fprintf(stderr, "  %s: got %s, expected %s\n", cases[i].address,
              guard_class_name(got), guard_class_name(cases[i].want));
    CHECK_STR(guard_class_name(got), guard_class_name(cases[i].want));
  }
}

TEST(guard_ipv4_ranges)
{
  static const struct class_case cases[] = {
    {"0.0.0.0", GUARD_UNSPECIFIED},
    {"0.1.2.3", GUARD_THIS_NETWORK},
    {"127.0.0.1", GUARD_LOOPBACK},
    {"127.255.255.254", GUARD_LOOPBACK},
    {"10.0.0.1", GUARD_PRIVATE},
    {"10.255.255.255", GUARD_PRIVATE},
    {"172.16.0.1", GUARD_PRIVATE},
    {"172.31.255.255", GUARD_PRIVATE},
    {"172.15.255.255", GUARD_PUBLIC},
    {"172.32.0.0", GUARD_PUBLIC},
    {"192.168.1.1", GUARD_PRIVATE},
    {"192.169.0.1", GUARD_PUBLIC},
    {"100.64.0.1", GUARD_CGNAT},
    {"100.127.255.255", GUARD_CGNAT},
    {"100.128.0.0", GUARD_PUBLIC},
    {"100.63.255.255", GUARD_PUBLIC},
    {"169.254.0.1", GUARD_LINK_LOCAL},
    {"169.254.169.254", GUARD_METADATA},
    {"169.254.169.253", GUARD_LINK_LOCAL},
    {"224.0.0.1", GUARD_MULTICAST},
    {"239.255.255.250", GUARD_MULTICAST},
    {"255.255.255.255", GUARD_BROADCAST},
    {"240.0.0.1", GUARD_RESERVED},
    {"198.18.0.1", GUARD_RESERVED},
    {"198.19.255.255", GUARD_RESERVED},
    {"192.0.0.170", GUARD_RESERVED},
    {"203.0.113.7", GUARD_PUBLIC},
    {"8.8.8.8", GUARD_PUBLIC},
    {"1.1.1.1", GUARD_PUBLIC},
  };
  check_table(cases, sizeof cases / sizeof cases[0]);
}

TEST(guard_ipv6_ranges)
{
  static const struct class_case cases[] = {
    {"::", GUARD_UNSPECIFIED},
    {"::1", GUARD_LOOPBACK},
    {"fc00::1", GUARD_PRIVATE},
    {"fd12:3456::1", GUARD_PRIVATE},
    {"fec0::1", GUARD_PRIVATE},
    {"fe80::1", GUARD_LINK_LOCAL},
    {"febf::1", GUARD_LINK_LOCAL},
    {"ff02::1", GUARD_MULTICAST},
    {"fd00:ec2::254", GUARD_METADATA},
    {"fd00:ec2::253", GUARD_PRIVATE},
    {"64:ff9b:1::1", GUARD_RESERVED},
    {"100::1", GUARD_RESERVED},
    {"2001:4860:4860::8888", GUARD_PUBLIC},
    {"2606:4700::1111", GUARD_PUBLIC},
  };
  check_table(cases, sizeof cases / sizeof cases[0]);
}

TEST(guard_ipv6_carrying_ipv4)
{
  static const struct class_case cases[] = {
    {"::ffff:127.0.0.1", GUARD_LOOPBACK},
    {"::ffff:10.1.2.3", GUARD_PRIVATE},
    {"::ffff:169.254.169.254", GUARD_METADATA},
    {"::ffff:8.8.8.8", GUARD_PUBLIC},
    {"::ffff:0:192.168.0.1", GUARD_PRIVATE},
    {"::127.0.0.1", GUARD_LOOPBACK},
    {"::10.0.0.1", GUARD_PRIVATE},
    {"::0.0.0.2", GUARD_THIS_NETWORK},
    {"64:ff9b::127.0.0.1", GUARD_LOOPBACK},
    {"64:ff9b::a9fe:a9fe", GUARD_METADATA},
    {"64:ff9b::100.64.0.1", GUARD_CGNAT},
    {"64:ff9b::8.8.8.8", GUARD_PUBLIC},
    {"2002:7f00:1::1", GUARD_LOOPBACK},
    {"2002:c0a8:101::1", GUARD_PRIVATE},
    {"2002:0808:0808::1", GUARD_PUBLIC},
  };
  check_table(cases, sizeof cases / sizeof cases[0]);
}

static bool
allowed_by(const struct guard *g, const char *text)
{
  struct sockaddr_storage ss;
  return guard_check(g, sockaddr_of(text, &ss), NULL);
}

TEST(guard_rejects_without_ranges)
{
  struct guard g = {0};
  CHECK(!allowed_by(&g, "127.0.0.1"));
  CHECK(!allowed_by(&g, "10.0.0.1"));
  CHECK(!allowed_by(&g, "169.254.169.254"));
  CHECK(!allowed_by(&g, "::1"));
  CHECK(!allowed_by(&g, "::ffff:127.0.0.1"));
  CHECK(!allowed_by(&g, "fd00:ec2::254"));
  CHECK(allowed_by(&g, "8.8.8.8"));
  CHECK(allowed_by(&g, "2001:4860:4860::8888"));
}

TEST(guard_allowed_ranges)
{
  struct guard g = {0};
  char err[256];
  CHECK(guard_allow(&g, "127.0.0.0/8", err, sizeof err));
  CHECK(guard_allow(&g, "fd00::/8", err, sizeof err));
  CHECK(guard_allow(&g, "192.168.10.5", err, sizeof err));
  CHECK(allowed_by(&g, "127.0.0.1"));
  CHECK(allowed_by(&g, "127.3.4.5"));
  CHECK(allowed_by(&g, "::ffff:127.0.0.1"));
  CHECK(allowed_by(&g, "64:ff9b::127.0.0.2"));
  CHECK(allowed_by(&g, "fd12::1"));
  CHECK(allowed_by(&g, "fd00:ec2::254"));
  CHECK(allowed_by(&g, "192.168.10.5"));
  CHECK(!allowed_by(&g, "192.168.10.6"));
  CHECK(!allowed_by(&g, "::1"));
  CHECK(!allowed_by(&g, "10.0.0.1"));
  CHECK(!allowed_by(&g, "169.254.169.254"));
  CHECK(!allowed_by(&g, "fc00::1"));
}

TEST(guard_class_reported)
{
  struct guard g = {0};
  struct sockaddr_storage ss;
  enum guard_class c = GUARD_PUBLIC;
  CHECK(!guard_check(&g, sockaddr_of("::ffff:169.254.169.254", &ss), &c));
  CHECK_STR(guard_class_name(c), "metadata");
  char text[64];
  guard_address_text(sockaddr_of("fe80::1", &ss), text, sizeof text);
  CHECK_STR(text, "fe80::1");
}

TEST(guard_range_parsing)
{
  struct cidr_range r;
  char err[256];
  CHECK(cidr_parse("10.0.0.0/8", &r, err, sizeof err));
  CHECK_INT(r.family, AF_INET);
  CHECK_INT(r.prefix, 8);
  CHECK(cidr_parse("::1", &r, err, sizeof err));
  CHECK_INT(r.family, AF_INET6);
  CHECK_INT(r.prefix, 128);
  CHECK(cidr_parse("0.0.0.0/0", &r, err, sizeof err));
  CHECK_INT(r.prefix, 0);
  CHECK(cidr_parse("172.16.0.0/12", &r, err, sizeof err));
}

TEST(guard_range_errors)
{
  static const char *const bad[] = {
    "", "/8", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.0/-1",
    "10.0.0.0/8x", "10.0.0/8", "example.test", "10.0.0.1/8",
    "10.0.0.0/0008", "fd00::1/8", "10.0.0.0 /8",
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    struct cidr_range r;
    char err[256] = "";
    bool ok = cidr_parse(bad[i], &r, err, sizeof err);
    if (ok)
      fprintf(stderr, "  '%s' was accepted\n", bad[i]);
    CHECK(!ok);
    CHECK(strstr(err, "CIDR") != NULL);
  }
  char err[256];
  struct cidr_range r;
  CHECK(!cidr_parse("10.0.0.1/8", &r, err, sizeof err));
  CHECK(strstr(err, "10.0.0.0/8") != NULL);
}

TEST(guard_range_table_full)
{
  struct guard g = {0};
  char err[256];
  for (int i = 0; i < GUARD_MAX_RANGES; i++)
    CHECK(guard_allow(&g, "10.0.0.0/8", err, sizeof err));
  CHECK(!guard_allow(&g, "10.0.0.0/8", err, sizeof err));
  CHECK(strstr(err, "too many") != NULL);
}

int
main(void)
{
  RUN(guard_ipv4_ranges);
  RUN(guard_ipv6_ranges);
  RUN(guard_ipv6_carrying_ipv4);
  RUN(guard_rejects_without_ranges);
  RUN(guard_allowed_ranges);
  RUN(guard_class_reported);
  RUN(guard_range_parsing);
  RUN(guard_range_errors);
  RUN(guard_range_table_full);
  return TEST_EXIT();
}
