/* The dashboard's examination overview: grades, availability, how fresh
 * the examinations are, and the list of apps that need action, each
 * computed from every catalog app and its latest result. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "console/console.h"
#include "console/exam.h"
#include "core/log.h"
#include "examine/overview.h"

/* Apps listed under "needs action"; the count above the list covers all. */
#define NEEDS_ACTION_ROWS 200
/* Freshness window when the schedule is off (examine_interval = 0). */
#define FRESH_DEFAULT_SECONDS 86400

static int
result_by_code(const void *a, const void *b)
{
  const struct exam_result *x = a, *y = b;
  return strcmp(x->app_code ? x->app_code : "", y->app_code ? y->app_code
                                                            : "");
}

/* Returns the result of app `code` in `latest`, sorted by result_by_code;
 * NULL when the app has none. */
static const struct exam_result *
latest_of(const struct exam_result_list *latest, const char *code)
{
  struct exam_result key = {.app_code = (char *)code};
  if (latest->count == 0)
    return NULL;
  return bsearch(&key, latest->items, latest->count, sizeof key,
                 result_by_code);
}

/* One row of a counts table: label, count and its share of `total`. */
static void
count_row(struct buf *out, const char *label, int64_t count, int64_t total)
{
  html_printf(out, "<tr><th scope=\"row\">%s</th>", label);
  console_share_cells(out, count, total);
  html_raw(out, "</tr>\n");
}

static void
table_head(struct http_request *rq, struct buf *out, const char *caption,
           const char *column)
{
  html_printf(out, "<div class=\"table-wrap\"><table class=\"counts\">\n"
              "<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
              "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr>"
              "</thead>\n<tbody>\n",
              caption, column, tr(rq, "Jumlah", "Count"),
              tr(rq, "Bagian", "Share"));
}

static void
grade_table(struct http_request *rq, struct buf *out,
            const struct exam_overview *o)
{
  table_head(rq, out, tr(rq, "Sebaran nilai", "Grades"),
             tr(rq, "Nilai", "Grade"));
  for (int i = 0; i < EXAM_GRADE_COUNT; i++)
    count_row(out, exam_grades[i], o->by_grade[i], o->apps);
  count_row(out, tr(rq, "Tanpa nilai", "Not graded"), o->not_graded,
            o->apps);
  count_row(out, tr(rq, "Belum diperiksa", "Never examined"),
            o->apps - o->examined, o->apps);
  html_raw(out, "</tbody></table></div>\n");
}

static void
availability_table(struct http_request *rq, struct buf *out,
                   const struct exam_overview *o)
{
  table_head(rq, out, tr(rq, "Ketersediaan", "Availability"),
             tr(rq, "Keadaan", "State"));
  count_row(out, tr(rq, "Dapat dijangkau", "Reachable"),
            o->by_availability[EXAM_REACHABLE], o->apps);
  count_row(out, tr(rq, "Tidak dapat dijangkau", "Unreachable"),
            o->by_availability[EXAM_UNREACHABLE], o->apps);
  count_row(out, tr(rq, "Tidak dapat diperiksa", "Not examinable"),
            o->by_availability[EXAM_NOT_EXAMINABLE], o->apps);
  count_row(out, tr(rq, "Belum diperiksa", "Never examined"),
            o->apps - o->examined, o->apps);
  html_raw(out, "</tbody></table></div>\n");
}

/* Writes a window of `seconds` as whole days or hours ("7 hari"). */
static void
window_text(struct http_request *rq, int64_t seconds, char *out, size_t len)
{
  if (seconds >= 86400 && seconds % 86400 == 0)
    snprintf(out, len, "%lld %s", (long long)(seconds / 86400),
             tr(rq, "hari", seconds == 86400 ? "day" : "days"));
  else if (seconds >= 3600)
    snprintf(out, len, "%lld %s", (long long)(seconds / 3600),
             tr(rq, "jam", seconds < 7200 ? "hour" : "hours"));
  else
    snprintf(out, len, "%lld %s", (long long)seconds,
             tr(rq, "detik", "seconds"));
}

static void
freshness(struct http_request *rq, struct buf *out,
          const struct exam_overview *o, int64_t window)
{
  char newest[40], oldest[40], span[40], stale_label[96];
  console_format_time(o->newest, newest, sizeof newest);
  console_format_time(o->oldest, oldest, sizeof oldest);
  window_text(rq, window, span, sizeof span);
  if (strcmp(rq->lang, "en") == 0)
    snprintf(stale_label, sizeof stale_label, "Not examined in the last %s",
             span);
  else
    snprintf(stale_label, sizeof stale_label,
             "Tidak diperiksa dalam %s terakhir", span);
  html_printf(out, "<dl class=\"record freshness\">\n"
              "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
              "<dt>%s</dt><dd>%lld</dd>\n<dt>%s</dt><dd>%lld</dd>\n</dl>\n",
              tr(rq, "Pemeriksaan terbaru", "Newest examination"), newest,
              tr(rq, "Pemeriksaan terakhir yang tertua",
                 "Oldest latest examination"), oldest,
              tr(rq, "Belum pernah diperiksa", "Never examined"),
              (long long)(o->apps - o->examined), stale_label,
              (long long)o->stale);
}

static void
action_row(struct http_request *rq, struct buf *out, const struct app *a,
           const struct exam_result *r, unsigned actions)
{
  char when[40];
  console_format_time(r->examined_at, when, sizeof when);
  html_raw(out, "<tr><td><a href=\"/apps/");
  html_url_param(out, a->code);
  html_printf(out, "#examination\">%s</a><br>%s</td><td>", a->code,
              a->name ? a->name : "");
  html_raw(out, "<a href=\"/agencies/");
  html_url_param(out, a->agency);
  html_printf(out, "\">%s</a></td><td>", a->agency ? a->agency : "");
  console_grade_tag(rq, out, r->grade);
  html_raw(out, "</td><td>");
  console_action_tags(rq, out, actions);
  html_printf(out, "</td><td>%s</td></tr>\n", when);
}

static void
action_list(struct http_request *rq, struct buf *out,
            const struct app_list *apps, const struct exam_result_list *latest,
            const struct exam_overview *o, int64_t now)
{
  html_printf(out, "<h3 id=\"needs-action\">%s (%lld)</h3>\n",
              tr(rq, "Aplikasi yang perlu ditindaklanjuti",
                 "Applications needing action"), (long long)o->needs_action);
  if (o->needs_action == 0) {
    html_printf(out, "<p>%s</p>\n", tr(rq, "Tidak ada.", "None."));
    return;
  }
  html_printf(out, "<div class=\"table-wrap\"><table class=\"list\">\n"
              "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
              "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
              "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
              tr(rq, "Aplikasi", "Application"),
              tr(rq, "Perangkat daerah", "Agency"), tr(rq, "Nilai", "Grade"),
              tr(rq, "Alasan", "Reasons"), tr(rq, "Diperiksa", "Examined"));
  size_t rows = 0;
  for (size_t i = 0; i < apps->count && rows < NEEDS_ACTION_ROWS; i++) {
    const struct app *a = &apps->items[i];
    const struct exam_result *r = latest_of(latest, a->code);
    unsigned actions = r != NULL && exam_in_service(a->status)
                           ? exam_actions_of(r, now) : 0;
    if (actions == 0)
      continue;
    action_row(rq, out, a, r, actions);
    rows++;
  }
  html_raw(out, "</tbody></table></div>\n");
  if ((int64_t)rows < o->needs_action)
    html_printf(out, "<p>%s</p>\n",
                tr(rq, "Hanya 200 aplikasi pertama menurut kode yang "
                       "ditampilkan.",
                   "Only the first 200 applications by code are shown."));
}

static void
examine_all_button(struct http_request *rq, struct http_response *rs)
{
  struct buf *out = &rs->body;
  html_raw(out, "<div class=\"actions\">");
  if (console_can_edit(rq)) {
    html_raw(out, "<form method=\"post\" action=\"/examine\" "
             "class=\"inline\">");
    page_csrf_input(rq, rs);
    html_printf(out, "<button type=\"submit\">%s</button></form>",
                tr(rq, "Periksa semua aplikasi", "Examine every application"));
  }
  html_printf(out, " <a href=\"/jobs\">%s</a></div>\n",
              tr(rq, "Lihat pekerjaan", "See the jobs"));
}

void
console_exam_overview(struct http_request *rq, struct http_response *rs)
{
  struct store *s = rq->store;
  struct buf *out = &rs->body;
  struct app_filter all = {.sort = APP_SORT_CODE};
  struct app_list apps = {0};
  struct exam_result_list latest = {0};

  html_printf(out, "<section class=\"exam-overview\" id=\"examinations\">"
              "<h2>%s</h2>\n", tr(rq, "Pemeriksaan", "Examinations"));
  examine_all_button(rq, rs);
  enum store_rc rc = s->ops->app_list(s, &all, &apps);
  const char *op = "app_list";
  if (rc == STORE_OK) {
    rc = s->ops->exam_latest_all(s, &latest);
    op = "exam_latest_all";
  }
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "console.store_failed", "op", op, "error",
              store_errmsg(s), NULL);
    html_printf(out, "<p class=\"error\">%s</p></section>\n",
                sp_error_message(store_rc_error(rc), rq->lang));
    app_list_free(&apps);
    return;
  }
  /* The store orders by code in its own collation; bsearch needs
   * strcmp's order. */
  if (latest.count > 1)
    qsort(latest.items, latest.count, sizeof latest.items[0],
          result_by_code);

  int64_t now = (int64_t)time(NULL);
  int64_t window = rq->cfg->examine_interval > 0 ? rq->cfg->examine_interval
                                                 : FRESH_DEFAULT_SECONDS;
  struct exam_overview o = {0};
  for (size_t i = 0; i < apps.count; i++)
    exam_overview_add(&o, latest_of(&latest, apps.items[i].code),
                      exam_in_service(apps.items[i].status), now, window);

  html_raw(out, "<div class=\"exam-counts\">\n");
  grade_table(rq, out, &o);
  availability_table(rq, out, &o);
  html_raw(out, "</div>\n");
  freshness(rq, out, &o, window);
  action_list(rq, out, &apps, &latest, &o, now);
  html_raw(out, "</section>\n");
  exam_result_list_free(&latest);
  app_list_free(&apps);
}
