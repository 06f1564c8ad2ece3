/* The text checks of api/params.c that list parameters and error messages
 * rely on: which search texts are accepted, and how a value is shortened
 * for an error message. */
#include <string.h>

#include "api/params.h"
#include "testlib.h"

TEST(text_ok_accepts_utf8_tab_newline)
{
  CHECK(params_text_ok(""));
  CHECK(params_text_ok("Dinas Kominfo"));
  CHECK(params_text_ok("caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80"));
  CHECK(params_text_ok("a\tb\nc"));
}

TEST(text_ok_rejects_control_bytes)
{
  CHECK(!params_text_ok("a\rb"));
  CHECK(!params_text_ok("a\x01"));
  CHECK(!params_text_ok("a\x7f"));
  CHECK(!params_text_ok("\x1b[31m"));
}

TEST(text_ok_rejects_invalid_utf8)
{
  CHECK(!params_text_ok("\xff"));
  CHECK(!params_text_ok("\xc3"));               /* truncated */
  CHECK(!params_text_ok("\xc0\xaf"));           /* overlong '/' */
  CHECK(!params_text_ok("\xe0\x80\xaf"));       /* overlong, 3 bytes */
  CHECK(!params_text_ok("\xed\xa0\x80"));       /* surrogate U+D800 */
  CHECK(!params_text_ok("\xf4\x90\x80\x80"));   /* past U+10FFFF */
  CHECK(!params_text_ok("ab\x80"));             /* stray continuation */
}

TEST(excerpt_copies_short_values)
{
  char out[96];
  params_excerpt(out, sizeof out, "web-setda");
  CHECK_STR(out, "web-setda");
  params_excerpt(out, sizeof out, NULL);
  CHECK_STR(out, "");
}

TEST(excerpt_cuts_at_80_bytes)
{
  char value[300], out[96];
  memset(value, 'x', sizeof value - 1);
  value[sizeof value - 1] = '\0';
  params_excerpt(out, sizeof out, value);
  CHECK_INT(strlen(out), 80);
}

TEST(excerpt_cuts_on_character_boundary)
{
  /* 79 ASCII bytes and then a 2-byte character: it does not fit whole. */
  char value[128], out[96];
  memset(value, 'a', 79);
  strcpy(value + 79, "\xc3\xa9z");
  params_excerpt(out, sizeof out, value);
  CHECK_INT(strlen(out), 79);
  CHECK(params_text_ok(out));
}

TEST(excerpt_replaces_bad_bytes)
{
  char out[96];
  params_excerpt(out, sizeof out, "a\xff" "b\x01" "c\nd");
  CHECK_STR(out, "a?b?c?d");
  CHECK(params_text_ok(out));
}

TEST(excerpt_respects_small_buffer)
{
  char out[5];
  params_excerpt(out, sizeof out, "abcdefgh");
  CHECK_STR(out, "abcd");
}

TEST(sort_names_round_trip)
{
  CHECK_STR(params_sort_name(APP_SORT_CODE), "code");
  CHECK_STR(params_sort_name(APP_SORT_UPDATED), "updated");
  CHECK_STR(params_sort_name((enum app_sort)99), "code");
}

int
main(void)
{
  RUN(text_ok_accepts_utf8_tab_newline);
  RUN(text_ok_rejects_control_bytes);
  RUN(text_ok_rejects_invalid_utf8);
  RUN(excerpt_copies_short_values);
  RUN(excerpt_cuts_at_80_bytes);
  RUN(excerpt_cuts_on_character_boundary);
  RUN(excerpt_replaces_bad_bytes);
  RUN(excerpt_respects_small_buffer);
  RUN(sort_names_round_trip);
  return TEST_EXIT();
}
