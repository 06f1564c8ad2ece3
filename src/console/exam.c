/* The examination section of an application's page. It shows the latest
 * result (grade, availability, redirects, TLS facts) and its findings with
 * their remediation in the page's language. Below them, the history of
 * grades and response times is drawn as charts, with a table of the same
 * data. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "console/console.h"
#include "console/exam.h"
#include "console/svg.h"
#include "core/log.h"
#include "examine/overview.h"
#include "examine/texts.h"

static const char *
tri_state(struct http_request *rq, int value)
{
  if (value > 0)
    return tr(rq, "ya", "yes");
  if (value == 0)
    return tr(rq, "tidak", "no");
  return tr(rq, "tidak diketahui", "unknown");
}

static bool
is_web_url(const char *v)
{
  return v != NULL && (strncmp(v, "https://", 8) == 0 ||
                       strncmp(v, "http://", 7) == 0);
}

/* Appends a URL that a probe saw: a link when it is http(s), else text. */
static void
probed_url(struct buf *out, const char *url)
{
  if (is_web_url(url))
    html_printf(out, "<a href=\"%s\" rel=\"noopener noreferrer\">%s</a>",
                url, url);
  else
    html_text(out, url != NULL ? url : "-");
}

/* Appends the redirect chain, a JSON array of {"url", "status"}. */
static void
redirect_chain(struct http_request *rq, struct buf *out, const char *json)
{
  json_t *hops = json != NULL ? json_loads(json, 0, NULL) : NULL;
  if (!json_is_array(hops) || json_array_size(hops) == 0) {
    html_printf(out, "%s", tr(rq, "tidak ada", "none"));
    json_decref(hops);
    return;
  }
  html_raw(out, "<ol class=\"redirects\">");
  size_t i;
  json_t *hop;
  json_array_foreach(hops, i, hop) {
    json_t *status = json_object_get(hop, "status");
    html_raw(out, "<li>");
    if (json_is_integer(status))
      html_printf(out, "<code>%lld</code> ",
                  (long long)json_integer_value(status));
    probed_url(out, json_string_value(json_object_get(hop, "url")));
    html_raw(out, "</li>");
  }
  html_raw(out, "</ol>");
  json_decref(hops);
}

static void
expiry_text(struct http_request *rq, struct buf *out, int64_t expires,
            int64_t now)
{
  char when[40];
  console_format_time(expires, when, sizeof when);
  html_printf(out, "%s", when);
  if (expires <= 0)
    return;
  /* Whole days, rounded toward zero. */
  long long days = (expires - now) / 86400;
  bool english = strcmp(rq->lang, "en") == 0;
  if (expires > now)
    html_printf(out, english ? " (in %lld days)" : " (%lld hari lagi)",
                days);
  else
    html_printf(out, english ? " (expired %lld days ago)"
                             : " (kedaluwarsa %lld hari lalu)", -days);
}

static void
tls_facts(struct http_request *rq, struct buf *out,
          const struct exam_result *r, int64_t now)
{
  html_printf(out, "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
              "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
              "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt>"
              "<dd>",
              tr(rq, "HTTPS tersedia", "HTTPS available"),
              tri_state(rq, r->https_available),
              tr(rq, "HTTP dialihkan ke HTTPS", "HTTP redirects to HTTPS"),
              tri_state(rq, r->https_redirect),
              tr(rq, "Sertifikat dalam masa berlaku",
                 "Certificate within its dates"),
              tri_state(rq, r->tls_valid),
              tr(rq, "Sertifikat tepercaya", "Certificate trusted"),
              tri_state(rq, r->tls_trusted),
              tr(rq, "Penerbit sertifikat", "Certificate issuer"),
              r->tls_issuer ? r->tls_issuer : "-",
              tr(rq, "Protokol TLS", "TLS protocol"),
              r->tls_protocol ? r->tls_protocol : "-",
              tr(rq, "Sertifikat berlaku sampai", "Certificate valid until"));
  expiry_text(rq, out, r->tls_expires_at, now);
  html_raw(out, "</dd>\n");
}

static void
latest_facts(struct http_request *rq, struct buf *out,
             const struct exam_result *r, int64_t now)
{
  char when[40];
  console_format_time(r->examined_at, when, sizeof when);
  html_printf(out, "<dl class=\"record\">\n<dt>%s</dt><dd>%s</dd>\n"
              "<dt>%s</dt><dd>", tr(rq, "Diperiksa", "Examined"), when,
              tr(rq, "Nilai", "Grade"));
  console_grade_tag(rq, out, r->grade);
  if (r->score >= 0)
    html_printf(out, " %s %d", tr(rq, "skor", "score"), r->score);
  unsigned actions = exam_actions_of(r, now);
  html_printf(out, "</dd>\n<dt>%s</dt><dd>", tr(rq, "Perlu tindakan",
                                                "Needs action"));
  if (actions != 0)
    console_action_tags(rq, out, actions);
  else
    html_printf(out, "%s", tr(rq, "tidak", "no"));
  html_printf(out, "</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>",
              tr(rq, "Hasil", "Outcome"),
              console_outcome_label(rq, r->outcome),
              tr(rq, "Status HTTP", "HTTP status"));
  if (r->http_status > 0)
    html_printf(out, "%d", r->http_status);
  else
    html_raw(out, "-");
  html_printf(out, "</dd>\n<dt>%s</dt><dd>", tr(rq, "Waktu tanggap",
                                                "Response time"));
  if (r->response_ms >= 0)
    html_printf(out, "%d ms", r->response_ms);
  else
    html_raw(out, "-");
  html_printf(out, "</dd>\n<dt>%s</dt><dd>", tr(rq, "Alamat akhir",
                                                "Final URL"));
  probed_url(out, r->final_url);
  html_printf(out, "</dd>\n<dt>%s</dt><dd>", tr(rq, "Pengalihan",
                                                "Redirects"));
  redirect_chain(rq, out, r->redirects);
  html_raw(out, "</dd>\n");
  tls_facts(rq, out, r, now);
  if (r->error != NULL && r->error[0] != '\0')
    html_printf(out, "<dt>%s</dt><dd>%s</dd>\n", tr(rq, "Galat", "Error"),
                r->error);
  html_raw(out, "</dl>\n");
}

/* Severity labels, indexed by finding_severity_rank (info to critical). */
static const struct {
  const char *label_id;
  const char *label_en;
} severity_labels[FINDING_SEVERITY_COUNT] = {
  {"Info", "Info"},
  {"Rendah", "Low"},
  {"Sedang", "Medium"},
  {"Tinggi", "High"},
  {"Kritis", "Critical"},
};

/* Most severe first, then by id. */
static int
by_severity(const void *a, const void *b)
{
  const struct exam_finding *x = *(const struct exam_finding *const *)a;
  const struct exam_finding *y = *(const struct exam_finding *const *)b;
  int rx = finding_severity_rank(x->severity);
  int ry = finding_severity_rank(y->severity);
  if (rx != ry)
    return rx > ry ? -1 : 1;
  return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

static void
finding_row(struct http_request *rq, struct buf *out,
            const struct exam_finding *f)
{
  int rank = finding_severity_rank(f->severity);
  const struct finding_def *text = exam_texts_find(rq->cfg, f->id);
  html_printf(out, "<tr><td><span class=\"tag%s\">%s</span></td><td>",
              rank >= 3 ? " off" : "",
              rank >= 0 ? tr(rq, severity_labels[rank].label_id,
                             severity_labels[rank].label_en)
                        : (f->severity ? f->severity : "-"));
  if (text != NULL)
    html_printf(out, "%s<br>", tr(rq, text->title_id, text->title_en));
  html_printf(out, "<code>%s</code></td><td>", f->id ? f->id : "");
  console_multiline(out, f->evidence);
  html_raw(out, "</td><td>");
  if (text != NULL)
    console_multiline(out, tr(rq, text->remediation_id,
                              text->remediation_en));
  else
    html_raw(out, "<span class=\"empty\">&mdash;</span>");
  html_raw(out, "</td></tr>\n");
}

static void
findings_table(struct http_request *rq, struct buf *out,
               const struct exam_result *r)
{
  html_printf(out, "<h3>%s</h3>\n", tr(rq, "Temuan", "Findings"));
  if (r->finding_count == 0) {
    html_printf(out, "<p>%s</p>\n", tr(rq, "Tidak ada temuan.",
                                      "No findings."));
    return;
  }
  const struct exam_finding **sorted = calloc(r->finding_count,
                                              sizeof *sorted);
  if (sorted == NULL) {
    log_event(LOG_ERROR, "console.out_of_memory", "op", "findings", NULL);
    html_printf(out, "<p class=\"error\">%s</p>\n",
                sp_error_message(SP_ERR_NOMEM, rq->lang));
    return;
  }
  for (size_t i = 0; i < r->finding_count; i++)
    sorted[i] = &r->findings[i];
  qsort(sorted, r->finding_count, sizeof *sorted, by_severity);
  html_printf(out, "<div class=\"table-wrap\"><table class=\"findings\">\n"
              "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
              "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr>"
              "</thead>\n<tbody>\n",
              tr(rq, "Tingkat", "Severity"), tr(rq, "Temuan", "Finding"),
              tr(rq, "Bukti", "Evidence"),
              tr(rq, "Cara memperbaiki", "Remediation"));
  for (size_t i = 0; i < r->finding_count; i++)
    finding_row(rq, out, sorted[i]);
  html_raw(out, "</tbody></table></div>\n");
  free(sorted);
}

/* Tooltip texts of the two charts. */
static void
grade_text(int value, char *out, size_t len)
{
  int index = EXAM_GRADE_COUNT - 1 - value;
  snprintf(out, len, "%s", index >= 0 && index < EXAM_GRADE_COUNT
                               ? exam_grades[index] : "-");
}

static void
millis_text(int value, char *out, size_t len)
{
  snprintf(out, len, "%d ms", value);
}

static void
grade_chart(struct http_request *rq, struct buf *out,
            const struct svg_point *points, size_t count)
{
  /* Grades are drawn as EXAM_GRADE_COUNT - 1 - index: F at 0, A+ at 12. */
  static const struct svg_tick ticks[] = {
    {12, "A+"}, {11, "A"}, {8, "B"}, {5, "C"}, {2, "D"}, {0, "F"},
  };
  struct svg_chart chart = {
    .id = "chart-grades", .style = SVG_LINE, .min = 0,
    .max = EXAM_GRADE_COUNT - 1, .ticks = ticks,
    .tick_count = sizeof ticks / sizeof ticks[0],
    .title = tr(rq, "Riwayat nilai", "Grade history"),
    .description = tr(rq, "Nilai tiap pemeriksaan, dari yang terlama ke "
                          "yang terbaru; F di bawah, A+ di atas.",
                      "The grade of each examination, oldest to newest; "
                      "F at the bottom, A+ at the top."),
    .value_text = grade_text,
  };
  svg_chart(out, &chart, points, count);
}

static void
time_chart(struct http_request *rq, struct buf *out,
           const struct svg_point *points, size_t count, int slowest)
{
  int top = svg_round_up(slowest);
  char half_label[24], top_label[24];
  snprintf(half_label, sizeof half_label, "%d ms", top / 2);
  snprintf(top_label, sizeof top_label, "%d ms", top);
  const struct svg_tick ticks[] = {
    {0, "0"}, {top / 2, half_label}, {top, top_label},
  };
  struct svg_chart chart = {
    .id = "chart-times", .style = SVG_BARS, .min = 0, .max = top,
    .ticks = ticks, .tick_count = sizeof ticks / sizeof ticks[0],
    .title = tr(rq, "Waktu tanggap", "Response times"),
    .description = tr(rq, "Waktu tanggap tiap pemeriksaan dalam milidetik, "
                          "dari yang terlama ke yang terbaru.",
                      "The response time of each examination in "
                      "milliseconds, oldest to newest."),
    .value_text = millis_text,
  };
  svg_chart(out, &chart, points, count);
}

/* Draws the grade and response time charts of `h` (newest first). */
static void
history_charts(struct http_request *rq, struct buf *out,
               const struct exam_result_list *h)
{
  struct svg_point *grades = calloc(h->count, sizeof *grades);
  struct svg_point *times = calloc(h->count, sizeof *times);
  if (h->count > 0 && (grades == NULL || times == NULL)) {
    free(grades);
    free(times);
    log_event(LOG_ERROR, "console.out_of_memory", "op", "charts", NULL);
    return;
  }
  int slowest = 0;
  for (size_t i = 0; i < h->count; i++) {
    const struct exam_result *r = &h->items[h->count - 1 - i];
    int grade = exam_grade_index(r->grade);
    grades[i] = (struct svg_point){.at = r->examined_at,
                                   .value = EXAM_GRADE_COUNT - 1 - grade,
                                   .missing = grade < 0};
    times[i] = (struct svg_point){.at = r->examined_at,
                                  .value = r->response_ms,
                                  .missing = r->response_ms < 0};
    if (r->response_ms > slowest)
      slowest = r->response_ms;
  }
  /* The captions are for sighted readers; the charts' <title> and the
   * table below name the same data for assistive technology. */
  html_printf(out, "<div class=\"charts\">\n<figure>\n"
              "<figcaption aria-hidden=\"true\">%s</figcaption>\n",
              tr(rq, "Riwayat nilai", "Grade history"));
  grade_chart(rq, out, grades, h->count);
  html_printf(out, "</figure>\n<figure>\n"
              "<figcaption aria-hidden=\"true\">%s</figcaption>\n",
              tr(rq, "Waktu tanggap (ms)", "Response times (ms)"));
  time_chart(rq, out, times, h->count, slowest);
  html_raw(out, "</figure>\n</div>\n");
  free(grades);
  free(times);
}

static void
number_or_dash(char *out, size_t len, int value, bool known)
{
  if (known)
    snprintf(out, len, "%d", value);
  else
    snprintf(out, len, "-");
}

static void
history_table(struct http_request *rq, struct buf *out,
              const struct exam_result_list *h)
{
  html_printf(out, "<div class=\"table-wrap\"><table class=\"exam-history\">"
              "\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
              "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s"
              "</th><th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">"
              "%s</th><th scope=\"col\" class=\"num\">%s</th></tr></thead>\n"
              "<tbody>\n",
              tr(rq, "Data grafik, dari yang terbaru",
                 "Chart data, newest first"),
              tr(rq, "Diperiksa", "Examined"), tr(rq, "Nilai", "Grade"),
              tr(rq, "Skor", "Score"), tr(rq, "Hasil", "Outcome"),
              tr(rq, "Status HTTP", "HTTP status"),
              tr(rq, "Waktu tanggap (ms)", "Response time (ms)"));
  for (size_t i = 0; i < h->count; i++) {
    const struct exam_result *r = &h->items[i];
    char when[40];
    console_format_time(r->examined_at, when, sizeof when);
    html_printf(out, "<tr><td><a href=\"/jobs/%" PRId64 "\">%s</a></td><td>",
                r->run_id, when);
    console_grade_tag(rq, out, r->grade);
    char score[16], status[16], millis[16];
    number_or_dash(score, sizeof score, r->score, r->score >= 0);
    number_or_dash(status, sizeof status, r->http_status,
                   r->http_status > 0);
    number_or_dash(millis, sizeof millis, r->response_ms,
                   r->response_ms >= 0);
    html_printf(out, "</td><td class=\"num\">%s</td><td>%s</td>"
                "<td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
                score, console_outcome_label(rq, r->outcome), status, millis);
  }
  html_raw(out, "</tbody></table></div>\n");
}

static void
history_section(struct http_request *rq, struct buf *out, const char *code)
{
  struct store *s = rq->store;
  struct exam_result_list h = {0};
  enum store_rc rc = s->ops->exam_history(s, code, CONSOLE_EXAM_HISTORY, &h);
  html_printf(out, "<h3>%s</h3>\n", tr(rq, "Riwayat pemeriksaan",
                                       "Examination history"));
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "console.store_failed", "op", "exam_history",
              "error", store_errmsg(s), NULL);
    html_printf(out, "<p class=\"error\">%s</p>\n",
                sp_error_message(store_rc_error(rc), rq->lang));
    return;
  }
  history_charts(rq, out, &h);
  history_table(rq, out, &h);
  if (h.count == CONSOLE_EXAM_HISTORY)
    html_printf(out, "<p>%s</p>\n",
                tr(rq, "Hanya 50 pemeriksaan terbaru yang ditampilkan.",
                   "Only the 50 newest examinations are shown."));
  exam_result_list_free(&h);
}

/* The staff's button that enqueues an examination of this app. */
static void
examine_button(struct http_request *rq, struct http_response *rs,
               const char *code)
{
  struct buf *out = &rs->body;
  html_raw(out, "<form method=\"post\" class=\"inline\" action=\"/apps/");
  html_url_param(out, code);
  html_raw(out, "/examine\">");
  page_csrf_input(rq, rs);
  html_printf(out, "<button type=\"submit\">%s</button></form>\n",
              tr(rq, "Periksa sekarang", "Examine now"));
}

void
console_exam_section(struct http_request *rq, struct http_response *rs,
                     const struct app *app)
{
  struct store *s = rq->store;
  struct buf *out = &rs->body;
  html_printf(out, "<section class=\"exam\" id=\"examination\"><h2>%s</h2>\n",
              tr(rq, "Pemeriksaan", "Examination"));
  if (console_can_edit(rq))
    examine_button(rq, rs, app->code);

  struct exam_result latest = {0};
  enum store_rc rc = s->ops->exam_latest(s, app->code, &latest);
  if (rc == STORE_NOT_FOUND) {
    html_printf(out, "<p>%s</p>\n</section>\n",
                tr(rq, "Aplikasi ini belum pernah diperiksa.",
                   "This application has not been examined yet."));
    return;
  }
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "console.store_failed", "op", "exam_latest",
              "error", store_errmsg(s), NULL);
    html_printf(out, "<p class=\"error\">%s</p>\n</section>\n",
                sp_error_message(store_rc_error(rc), rq->lang));
    return;
  }
  int64_t now = (int64_t)time(NULL);
  latest_facts(rq, out, &latest, now);
  findings_table(rq, out, &latest);
  exam_result_free(&latest);
  history_section(rq, out, app->code);
  html_raw(out, "</section>\n");
}
