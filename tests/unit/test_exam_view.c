/* How examination results are read for people: the grade scale, the
 * availability of a result, the reasons an app needs action, the
 * dashboard's overview counts, and the inline SVG charts. */
#include <stdlib.h>
#include <string.h>

#include "console/svg.h"
#include "examine/overview.h"
#include "testlib.h"

#define NOW 1800000000LL
#define DAY 86400LL

static struct exam_finding finding_no_https = {"no-https", "high", "x"};
static struct exam_finding finding_git = {"exposed-git", "critical", "x"};
static struct exam_finding finding_listing = {"directory-listing", "medium",
                                              "x"};
static struct exam_finding finding_expired = {"tls-cert-expired", "high",
                                              "x"};
static struct exam_finding finding_header = {"hsts-missing", "medium", "x"};

/* A reachable, well graded result with no findings and unknown TLS facts. */
static struct exam_result
good_result(void)
{
  return (struct exam_result){
    .app_code = "web-setda", .examined_at = NOW - 60, .outcome = "ok",
    .http_status = 200, .response_ms = 100, .https_available = 1,
    .https_redirect = 1, .tls_valid = 1, .tls_trusted = 1, .grade = "A",
    .score = 90,
  };
}

TEST(grade_index_order)
{
  CHECK_INT(exam_grade_index("A+"), 0);
  CHECK_INT(exam_grade_index("B-"), 5);
  CHECK_INT(exam_grade_index("D+"), 9);
  CHECK_INT(exam_grade_index("F"), 12);
  CHECK_INT(exam_grade_index("E"), -1);
  CHECK_INT(exam_grade_index("a+"), -1);
  CHECK_INT(exam_grade_index(""), -1);
  CHECK_INT(exam_grade_index(NULL), -1);
}

TEST(availability_by_outcome)
{
  struct exam_result r = good_result();
  CHECK_INT(exam_availability_of(&r), EXAM_REACHABLE);
  r.outcome = "http-error";
  CHECK_INT(exam_availability_of(&r), EXAM_REACHABLE);
  r.outcome = "timeout";
  CHECK_INT(exam_availability_of(&r), EXAM_UNREACHABLE);
  r.outcome = "unreachable";
  CHECK_INT(exam_availability_of(&r), EXAM_UNREACHABLE);
  r.outcome = "refused";
  CHECK_INT(exam_availability_of(&r), EXAM_NOT_EXAMINABLE);
  r.outcome = "not-examinable";
  CHECK_INT(exam_availability_of(&r), EXAM_NOT_EXAMINABLE);
  r.outcome = "something-new";
  CHECK_INT(exam_availability_of(&r), EXAM_REACHABLE);
  r.http_status = 0;
  CHECK_INT(exam_availability_of(&r), EXAM_UNREACHABLE);
  CHECK_STR(exam_availability_code(EXAM_NOT_EXAMINABLE), "not-examinable");
}

TEST(actions_none_for_good_result)
{
  struct exam_result r = good_result();
  r.findings = &finding_header;
  r.finding_count = 1;
  CHECK_INT(exam_actions_of(&r, NOW), 0);
}

TEST(actions_low_grades)
{
  struct exam_result r = good_result();
  const char *low[] = {"D+", "D", "D-", "F"};
  const char *fine[] = {"A+", "B-", "C-"};
  for (size_t i = 0; i < 4; i++) {
    r.grade = (char *)low[i];
    CHECK_INT(exam_actions_of(&r, NOW), EXAM_ACTION_LOW_GRADE);
  }
  for (size_t i = 0; i < 3; i++) {
    r.grade = (char *)fine[i];
    CHECK_INT(exam_actions_of(&r, NOW), 0);
  }
}

TEST(actions_unreachable_and_errors)
{
  struct exam_result r = {.outcome = "timeout", .response_ms = -1,
                          .https_available = -1, .grade = NULL};
  CHECK_INT(exam_actions_of(&r, NOW), EXAM_ACTION_UNREACHABLE);
  r.outcome = "not-examinable";
  CHECK_INT(exam_actions_of(&r, NOW), 0);
  r = good_result();
  r.outcome = "http-error";
  r.http_status = 500;
  r.grade = NULL;
  CHECK_INT(exam_actions_of(&r, NOW), EXAM_ACTION_HTTP_ERROR);
}

TEST(actions_certificate_by_time)
{
  struct exam_result r = good_result();
  r.tls_expires_at = NOW - 1;
  CHECK_INT(exam_actions_of(&r, NOW), EXAM_ACTION_CERT_EXPIRED);
  r.tls_expires_at = NOW + EXAM_CERT_EXPIRING_DAYS * DAY - 1;
  CHECK_INT(exam_actions_of(&r, NOW), EXAM_ACTION_CERT_EXPIRING);
  r.tls_expires_at = NOW + EXAM_CERT_EXPIRING_DAYS * DAY;
  CHECK_INT(exam_actions_of(&r, NOW), 0);
  /* Expiry after the examination counts as of `now`. */
  r.tls_expires_at = NOW + 10 * DAY;
  CHECK_INT(exam_actions_of(&r, NOW + 11 * DAY), EXAM_ACTION_CERT_EXPIRED);
}

TEST(actions_certificate_by_finding)
{
  struct exam_result r = good_result();
  r.findings = &finding_expired;
  r.finding_count = 1;
  CHECK_INT(exam_actions_of(&r, NOW), EXAM_ACTION_CERT_EXPIRED);
}

TEST(actions_exposed_files_and_https)
{
  struct exam_result r = good_result();
  struct exam_finding both[] = {finding_git, finding_no_https};
  r.findings = both;
  r.finding_count = 2;
  CHECK_INT(exam_actions_of(&r, NOW),
            EXAM_ACTION_EXPOSED_FILES | EXAM_ACTION_NO_HTTPS);
  r.findings = &finding_listing;
  r.finding_count = 1;
  CHECK_INT(exam_actions_of(&r, NOW), EXAM_ACTION_EXPOSED_FILES);
  r.finding_count = 0;
  r.https_available = 0;
  CHECK_INT(exam_actions_of(&r, NOW), EXAM_ACTION_NO_HTTPS);
}

TEST(action_codes_and_labels)
{
  CHECK_STR(exam_action_code(EXAM_ACTION_NO_HTTPS), "no-https");
  CHECK_STR(exam_action_code(EXAM_ACTION_CERT_EXPIRING), "cert-expiring");
  CHECK_STR(exam_action_label(EXAM_ACTION_EXPOSED_FILES, "en"),
            "Exposed files");
  CHECK_STR(exam_action_label(EXAM_ACTION_EXPOSED_FILES, "id"),
            "Berkas terbuka");
  for (unsigned bit = 1; bit < (1u << EXAM_ACTION_KINDS); bit <<= 1)
    CHECK(strcmp(exam_action_code(bit), "unknown") != 0);
}

TEST(in_service_statuses)
{
  CHECK(exam_in_service("active"));
  CHECK(exam_in_service("maintenance"));
  CHECK(exam_in_service(NULL));
  CHECK(!exam_in_service("retired"));
  CHECK(!exam_in_service("merged"));
}

TEST(overview_counts)
{
  struct exam_overview o = {0};
  struct exam_result good = good_result();
  struct exam_result old_low = good_result();
  old_low.grade = "F";
  old_low.examined_at = NOW - 3 * DAY;
  struct exam_result down = {.outcome = "unreachable", .examined_at = NOW};
  struct exam_result retired_low = good_result();
  retired_low.grade = "F";

  exam_overview_add(&o, &good, true, NOW, DAY);
  exam_overview_add(&o, &old_low, true, NOW, DAY);
  exam_overview_add(&o, &down, true, NOW, DAY);
  exam_overview_add(&o, &retired_low, false, NOW, DAY);
  exam_overview_add(&o, NULL, true, NOW, DAY);

  CHECK_INT(o.apps, 5);
  CHECK_INT(o.examined, 4);
  CHECK_INT(o.by_grade[exam_grade_index("A")], 1);
  CHECK_INT(o.by_grade[exam_grade_index("F")], 2);
  CHECK_INT(o.not_graded, 1);
  CHECK_INT(o.by_availability[EXAM_REACHABLE], 3);
  CHECK_INT(o.by_availability[EXAM_UNREACHABLE], 1);
  CHECK_INT(o.by_availability[EXAM_NOT_EXAMINABLE], 0);
  CHECK_INT(o.newest, NOW);
  CHECK_INT(o.oldest, NOW - 3 * DAY);
  CHECK_INT(o.stale, 1);
  CHECK_INT(o.needs_action, 2);
}

TEST(overview_no_interval_no_stale)
{
  struct exam_overview o = {0};
  struct exam_result r = good_result();
  r.examined_at = NOW - 300 * DAY;
  exam_overview_add(&o, &r, true, NOW, 0);
  CHECK_INT(o.stale, 0);
}

TEST(svg_round_up_steps)
{
  CHECK_INT(svg_round_up(0), 10);
  CHECK_INT(svg_round_up(10), 10);
  CHECK_INT(svg_round_up(11), 20);
  CHECK_INT(svg_round_up(21), 50);
  CHECK_INT(svg_round_up(420), 500);
  CHECK_INT(svg_round_up(501), 1000);
  CHECK_INT(svg_round_up(4999), 5000);
}

static void
number_text(int value, char *out, size_t len)
{
  snprintf(out, len, "%d <ms>", value);
}

/* Counts the occurrences of `needle` in `text`. */
static int
count_of(const char *text, const char *needle)
{
  int n = 0;
  for (const char *p = strstr(text, needle); p != NULL;
       p = strstr(p + 1, needle))
    n++;
  return n;
}

static const struct svg_tick ticks[] = {{0, "0"}, {100, "100 <ms>"}};

TEST(svg_bars_escaped_and_labelled)
{
  struct buf out;
  buf_init(&out, 1 << 20);
  struct svg_point points[] = {
    {NOW - DAY, 40, false}, {NOW, 0, true}, {NOW + DAY, 250, false},
  };
  struct svg_chart chart = {
    .id = "t", .title = "Waktu <tanggap>", .description = "a & b",
    .style = SVG_BARS, .min = 0, .max = 100, .ticks = ticks,
    .tick_count = 2, .value_text = number_text,
  };
  svg_chart(&out, &chart, points, 3);
  const char *svg = buf_str(&out);
  CHECK(strstr(svg, "role=\"img\" aria-labelledby=\"t-title t-desc\"") != NULL);
  CHECK(strstr(svg, "<title id=\"t-title\">Waktu &lt;tanggap&gt;</title>") != NULL);
  CHECK(strstr(svg, "<desc id=\"t-desc\">a &amp; b</desc>") != NULL);
  CHECK(strstr(svg, ">100 &lt;ms&gt;</text>") != NULL);
  CHECK_INT(count_of(svg, "<rect "), 2);
  /* 250 is above the axis and is drawn at its top. */
  CHECK(strstr(svg, "y=\"12\"") != NULL);
  CHECK(strstr(svg, ": 250 &lt;ms&gt;</title>") != NULL);
  CHECK(strstr(svg, "style=") == NULL);
  CHECK(strstr(svg, "<script") == NULL);
  buf_free(&out);
}

TEST(svg_line_breaks_at_missing)
{
  struct buf out;
  buf_init(&out, 1 << 20);
  struct svg_point points[] = {
    {NOW, 10, false}, {NOW, 20, false}, {NOW, 0, true}, {NOW, 30, false},
  };
  struct svg_chart chart = {
    .id = "g", .title = "t", .description = "d", .style = SVG_LINE,
    .min = 0, .max = 100, .ticks = ticks, .tick_count = 2,
    .value_text = number_text,
  };
  svg_chart(&out, &chart, points, 4);
  CHECK_INT(count_of(buf_str(&out), "<polyline "), 2);
  CHECK_INT(count_of(buf_str(&out), "<circle "), 3);
  buf_free(&out);
}

TEST(svg_caps_points_and_handles_none)
{
  struct buf out;
  buf_init(&out, 1 << 22);
  size_t n = SVG_MAX_POINTS + 50;
  struct svg_point *points = calloc(n, sizeof *points);
  CHECK(points != NULL);
  if (points == NULL)
    return;
  for (size_t i = 0; i < n; i++)
    points[i] = (struct svg_point){.at = NOW + (int64_t)i, .value = 5};
  struct svg_chart chart = {
    .id = "c", .title = "t", .description = "d", .style = SVG_BARS,
    .min = 0, .max = 10, .ticks = ticks, .tick_count = 1,
    .value_text = number_text,
  };
  svg_chart(&out, &chart, points, n);
  CHECK_INT(count_of(buf_str(&out), "<rect "), SVG_MAX_POINTS);
  buf_reset(&out);
  svg_chart(&out, &chart, NULL, 0);
  CHECK_INT(count_of(buf_str(&out), "<rect "), 0);
  CHECK(strstr(buf_str(&out), "</svg>") != NULL);
  free(points);
  buf_free(&out);
}

int
main(void)
{
  RUN(grade_index_order);
  RUN(availability_by_outcome);
  RUN(actions_none_for_good_result);
  RUN(actions_low_grades);
  RUN(actions_unreachable_and_errors);
  RUN(actions_certificate_by_time);
  RUN(actions_certificate_by_finding);
  RUN(actions_exposed_files_and_https);
  RUN(action_codes_and_labels);
  RUN(in_service_statuses);
  RUN(overview_counts);
  RUN(overview_no_interval_no_stale);
  RUN(svg_round_up_steps);
  RUN(svg_bars_escaped_and_labelled);
  RUN(svg_line_breaks_at_missing);
  RUN(svg_caps_points_and_handles_none);
  return TEST_EXIT();
}
