/* A small test harness for the C unit tests. Each TEST is a function; the
 * test program's main calls RUN(name) for each. A test passes when none of
 * its CHECKs failed. Output, one line per test, is read by tests/run:
 *   PASS csv_quoted_newline
 *   FAIL csv_quoted_newline: tests/unit/test_csv.c:42: n == 3 (n=2) */
#ifndef SIMPUL_TESTLIB_H
#define SIMPUL_TESTLIB_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int testlib_failed_checks;
static int testlib_failed_tests;
static char testlib_first_failure[512];

#define TEST(name) static void name(void)

#define CHECK(cond)                                                         \
  do {                                                                      \
    if (!(cond)) {                                                          \
      if (testlib_failed_checks++ == 0)                                     \
        snprintf(testlib_first_failure, sizeof testlib_first_failure,       \
                 "%s:%d: %s", __FILE__, __LINE__, #cond);                   \
      fprintf(stderr, "  check failed: %s:%d: %s\n", __FILE__, __LINE__,    \
              #cond);                                                       \
    }                                                                       \
  } while (0)

#define CHECK_STR(got, want)                                                \
  do {                                                                      \
    const char *g_ = (got), *w_ = (want);                                   \
    if (g_ == NULL || w_ == NULL ? g_ != w_ : strcmp(g_, w_) != 0) {        \
      if (testlib_failed_checks++ == 0)                                     \
        /* The summary keeps 160 bytes of each value, stderr all of it. */ \
        snprintf(testlib_first_failure, sizeof testlib_first_failure,       \
                 "%s:%d: %s is \"%.160s\", expected \"%.160s\"", __FILE__,  \
                 __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");   \
      fprintf(stderr, "  check failed: %s:%d: %s is \"%s\", expected \"%s\"\n", \
              __FILE__, __LINE__, #got, g_ ? g_ : "(null)",                 \
              w_ ? w_ : "(null)");                                          \
    }                                                                       \
  } while (0)

#define CHECK_INT(got, want)                                                \
  do {                                                                      \
    long long g_ = (long long)(got), w_ = (long long)(want);                \
    if (g_ != w_) {                                                         \
      if (testlib_failed_checks++ == 0)                                     \
        snprintf(testlib_first_failure, sizeof testlib_first_failure,       \
                 "%s:%d: %s is %lld, expected %lld", __FILE__, __LINE__,    \
                 #got, g_, w_);                                             \
      fprintf(stderr, "  check failed: %s:%d: %s is %lld, expected %lld\n", \
              __FILE__, __LINE__, #got, g_, w_);                            \
    }                                                                       \
  } while (0)

#define RUN(name)                                                           \
  do {                                                                      \
    testlib_failed_checks = 0;                                              \
    name();                                                                 \
    if (testlib_failed_checks == 0) {                                       \
      printf("PASS %s\n", #name);                                           \
    } else {                                                                \
      testlib_failed_tests++;                                               \
      printf("FAIL %s: %s\n", #name, testlib_first_failure);                \
    }                                                                       \
    fflush(stdout);                                                         \
  } while (0)

#define TEST_EXIT() (testlib_failed_tests == 0 ? 0 : 1)

#endif
