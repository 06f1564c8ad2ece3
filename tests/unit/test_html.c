/* html_printf and friends: every dynamic value is escaped, the format's own
 * markup is not, and numbers print as printf prints them. */
#include <stdint.h>
#include <stdlib.h>

#include "http/http.h"
#include "testlib.h"

static struct buf out;

static const char *
fresh(void)
{
  buf_free(&out);
  buf_init(&out, 1 << 20);
  return "";
}

TEST(html_text_escapes_specials)
{
  fresh();
  html_text(&out, "&<>\"'");
  CHECK_STR(buf_str(&out), "&amp;&lt;&gt;&quot;&#39;");
}

TEST(html_text_keeps_plain_and_utf8)
{
  fresh();
  html_text(&out, "Dinas Kominfo \xc2\xb7 Metro \xe2\x80\x94 ok\n\ttab");
  CHECK_STR(buf_str(&out), "Dinas Kominfo \xc2\xb7 Metro \xe2\x80\x94 ok\n\ttab");
}

TEST(html_text_null_appends_nothing)
{
  fresh();
  html_text(&out, NULL);
  CHECK_STR(buf_str(&out), "");
}

TEST(html_text_replaces_invalid_utf8)
{
  fresh();
  /* a lone continuation byte, an overlong '/', a surrogate, a cut sequence */
  html_text(&out, "a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82");
  CHECK_STR(buf_str(&out),
            "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
            "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
            "d\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(html_text_replaces_control_bytes)
{
  fresh();
  html_text(&out, "a\x01z\x1b[0m\x7f");
  CHECK_STR(buf_str(&out), "a\xef\xbf\xbdz\xef\xbf\xbd[0m\xef\xbf\xbd");
}

TEST(html_printf_escapes_string_args)
{
  fresh();
  html_printf(&out, "<td title=\"%s\">%s</td>", "\"onmouseover='x'",
              "<script>alert(1)</script>&");
  CHECK_STR(buf_str(&out),
            "<td title=\"&quot;onmouseover=&#39;x&#39;\">"
            "&lt;script&gt;alert(1)&lt;/script&gt;&amp;</td>");
}

TEST(html_printf_keeps_format_markup)
{
  fresh();
  html_printf(&out, "<a href=\"/apps?x=1&amp;y=2\">'%s'</a>", "ok");
  CHECK_STR(buf_str(&out), "<a href=\"/apps?x=1&amp;y=2\">'ok'</a>");
}

TEST(html_printf_escapes_char_arg)
{
  fresh();
  html_printf(&out, "[%c%c%c]", '<', 'x', '&');
  CHECK_STR(buf_str(&out), "[&lt;x&amp;]");
}

TEST(html_printf_formats_integers)
{
  fresh();
  html_printf(&out, "%d|%5d|%-4d|%03d|%u|%x|%X|%o", -7, 42, 3, 5, 4000000000u,
              255, 255, 8);
  CHECK_STR(buf_str(&out), "-7|   42|3   |005|4000000000|ff|FF|10");
}

TEST(html_printf_formats_length_modifiers)
{
  fresh();
  html_printf(&out, "%ld %lld %zu %jd %hhd %hd %" PRId64, -1L,
              -9000000000000LL, (size_t)12, (intmax_t)-3, (signed char)-2,
              (short)-300, (int64_t)121);
  CHECK_STR(buf_str(&out), "-1 -9000000000000 12 -3 -2 -300 121");
}

TEST(html_printf_formats_star_width)
{
  fresh();
  html_printf(&out, "[%*d][%.*d][%*.*d]", 4, 7, 3, 7, 5, 2, 7);
  CHECK_STR(buf_str(&out), "[   7][007][   07]");
}

TEST(html_printf_formats_doubles)
{
  fresh();
  html_printf(&out, "%.1f %.2f %g %5.1f", 2.25, 0.5, 100.0, 3.14159);
  CHECK_STR(buf_str(&out), "2.2 0.50 100   3.1");
}

TEST(html_printf_string_precision)
{
  fresh();
  html_printf(&out, "%.3s|%.*s|%.2s", "<<<<", 2, "&&&", "ab");
  CHECK_STR(buf_str(&out), "&lt;&lt;&lt;|&amp;&amp;|ab");
}

TEST(html_printf_percent_and_null)
{
  /* volatile keeps the compiler from flagging the NULL at build time */
  const char *volatile none = NULL;
  fresh();
  html_printf(&out, "100%% %s", none);
  CHECK_STR(buf_str(&out), "100% (null)");
}

TEST(html_printf_long_value)
{
  fresh();
  char *big = malloc(200001);
  CHECK(big != NULL);
  if (big == NULL)
    return;
  memset(big, '<', 200000);
  big[200000] = '\0';
  html_printf(&out, "<p>%s</p>", big);
  CHECK_INT(out.len, 3 + 200000 * 4 + 4);
  CHECK(strncmp(buf_str(&out), "<p>&lt;&lt;", 11) == 0);
  free(big);
}

TEST(html_printf_stops_at_buffer_max)
{
  struct buf small;
  buf_init(&small, 16);
  html_printf(&small, "%s", "<<<<<<<<<<<<<<<<<<<<");
  CHECK(small.too_big);
  CHECK(small.len <= 16);
  buf_free(&small);
}

TEST(html_url_param_encodes_reserved)
{
  fresh();
  html_url_param(&out, "a b&c=d/e?f#g%h+i~j.k_l-m\xc3\xa9\"<");
  CHECK_STR(buf_str(&out),
            "a%20b%26c%3Dd%2Fe%3Ff%23g%25h%2Bi~j.k_l-m%C3%A9%22%3C");
}

TEST(html_raw_appends_as_is)
{
  fresh();
  html_raw(&out, "<b>&amp;</b>");
  CHECK_STR(buf_str(&out), "<b>&amp;</b>");
}

int
main(void)
{
  RUN(html_text_escapes_specials);
  RUN(html_text_keeps_plain_and_utf8);
  RUN(html_text_null_appends_nothing);
  RUN(html_text_replaces_invalid_utf8);
  RUN(html_text_replaces_control_bytes);
  RUN(html_printf_escapes_string_args);
  RUN(html_printf_keeps_format_markup);
  RUN(html_printf_escapes_char_arg);
  RUN(html_printf_formats_integers);
  RUN(html_printf_formats_length_modifiers);
  RUN(html_printf_formats_star_width);
  RUN(html_printf_formats_doubles);
  RUN(html_printf_string_precision);
  RUN(html_printf_percent_and_null);
  RUN(html_printf_long_value);
  RUN(html_printf_stops_at_buffer_max);
  RUN(html_url_param_encodes_reserved);
  RUN(html_raw_appends_as_is);
  buf_free(&out);
  return TEST_EXIT();
}
