/* simpul report: the latest examination of every application of the
 * catalog as JSON, CSV or a standalone HTML page. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "api/api.h"
#include "catalog/catalog.h"
#include "catalog/csv.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "core/buf.h"
#include "examine/findings.h"
#include "examine/overview.h"
#include "examine/texts.h"
#include "http/http.h"
#include "store/store.h"

/* HTML rendered per app before it is written out. */
#define REPORT_ROW_MAX (1024 * 1024)

enum report_format { REPORT_JSON = 0, REPORT_CSV, REPORT_HTML };

static void
report_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [GLOBAL OPTIONS] report --format json|csv|html\n"
          "                                      [--output FILE]\n"
          "\n"
          "Writes every application of the catalog with its latest\n"
          "examination: code, name, agency, grade and score, availability\n"
          "(outcome, HTTP status, response time), the findings with their\n"
          "ids, and when it was examined. Applications never examined are\n"
          "listed without a result.\n"
          "  --format json  {\"generated_at\": ..., \"apps\": [{\"code\", "
          "\"name\",\n"
          "                 \"agency\", \"kind\", \"status\", "
          "\"examination\": {...}\n"
          "                 or null}]}; the examination object is the one\n"
          "                 GET /api/v1/apps/{code}/examinations/latest "
          "returns\n"
          "  --format csv   one row per application; cells a spreadsheet\n"
          "                 would run as a formula get a leading '\n"
          "  --format html  one page that needs no other file\n"
          "  --output FILE  write to FILE instead of standard output\n"
          "\n"
          "Exit status: 0 on success, 1 when the store or the file failed,\n"
          "2 on a usage error.\n");
}

static int usage_error(const char *fmt, ...)
  __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "simpul report: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "; see 'simpul report --help'\n");
  return 2;
}

/* The report's content (every app and the latest results) and output. */
struct report {
  const struct config *cfg;
  enum report_format format;
  FILE *out;
  struct app_list apps;
  struct exam_result_list latest;  /* ordered by app code */
  int64_t now;
  bool io_error;
};

static int
compare_result_code(const void *key, const void *item)
{
  return strcmp(key, ((const struct exam_result *)item)->app_code);
}

static const struct exam_result *
latest_of(const struct report *r, const char *code)
{
  return bsearch(code, r->latest.items, r->latest.count,
                 sizeof *r->latest.items, compare_result_code);
}

static void
time_text(int64_t t, char *out, size_t len)
{
  time_t when = (time_t)t;
  struct tm tm;
  out[0] = '\0';
  if (t != 0 && gmtime_r(&when, &tm) != NULL)
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- JSON ---- */

static json_t *
app_json(const struct report *r, const struct app *app)
{
  const struct exam_result *res = latest_of(r, app->code);
  json_t *exam = res ? api_exam_result_json(res, r->cfg, r->now)
                     : json_null();
  json_t *item = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:o}",
                           "code", app->code, "name", app->name, "agency",
                           app->agency, "kind", app->kind, "status",
                           app->status, "examination", exam);
  return item;
}

static void
write_json(struct report *r)
{
  char now[32];
  time_text(r->now, now, sizeof now);
  json_t *apps = json_array();
  for (size_t i = 0; apps != NULL && i < r->apps.count; i++) {
    json_t *item = app_json(r, &r->apps.items[i]);
    if (item == NULL || json_array_append_new(apps, item) != 0) {
      json_decref(apps);
      apps = NULL;
    }
  }
  json_t *doc = apps ? json_pack("{s:s, s:o}", "generated_at", now, "apps",
                                 apps)
                     : NULL;
  if (doc == NULL ||
      json_dumpf(doc, r->out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
      fputc('\n', r->out) == EOF)
    r->io_error = true;
  json_decref(doc);
}

/* ---- CSV ---- */

static const char *const csv_columns[] = {
  "code", "name", "agency", "grade", "score", "availability", "outcome",
  "http_status", "response_ms", "examined_at", "findings",
  "highest_severity",
};
#define CSV_COLUMNS (sizeof csv_columns / sizeof csv_columns[0])

/* Writes the finding ids separated by spaces and the highest severity. */
static void
finding_summary(const struct exam_result *res, struct buf *ids,
                const char **highest)
{
  int top = -1;
  *highest = NULL;
  for (size_t i = 0; res != NULL && i < res->finding_count; i++) {
    buf_printf(ids, "%s%s", i ? " " : "", res->findings[i].id);
    int rank = finding_severity_rank(res->findings[i].severity);
    if (rank > top) {
      top = rank;
      *highest = res->findings[i].severity;
    }
  }
}

static void
write_csv_row(struct report *r, const struct app *app)
{
  const struct exam_result *res = latest_of(r, app->code);
  char score[16] = "", status[16] = "", ms[16] = "", at[32] = "";
  struct buf ids;
  const char *highest;

  buf_init(&ids, 64 * 1024);
  finding_summary(res, &ids, &highest);
  if (res != NULL && res->score >= 0)
    snprintf(score, sizeof score, "%d", res->score);
  if (res != NULL && res->http_status > 0)
    snprintf(status, sizeof status, "%d", res->http_status);
  if (res != NULL && res->response_ms >= 0)
    snprintf(ms, sizeof ms, "%d", res->response_ms);
  if (res != NULL)
    time_text(res->examined_at, at, sizeof at);
  const char *cells[CSV_COLUMNS] = {
    app->code, app->name, app->agency, res ? res->grade : NULL, score,
    res ? exam_availability_code(exam_availability_of(res)) : NULL,
    res ? res->outcome : NULL, status, ms, at, buf_str(&ids), highest,
  };
  for (size_t i = 0; i < CSV_COLUMNS; i++)
    if ((i > 0 && fputc(',', r->out) == EOF) ||
        !csv_write_cell(r->out, cells[i], true))
      r->io_error = true;
  if (fputc('\n', r->out) == EOF)
    r->io_error = true;
  buf_free(&ids);
}

static void
write_csv(struct report *r)
{
  for (size_t i = 0; i < CSV_COLUMNS; i++)
    if ((i > 0 && fputc(',', r->out) == EOF) ||
        !csv_write_cell(r->out, csv_columns[i], false))
      r->io_error = true;
  if (fputc('\n', r->out) == EOF)
    r->io_error = true;
  for (size_t i = 0; i < r->apps.count; i++)
    write_csv_row(r, &r->apps.items[i]);
}

/* ---- HTML ---- */

static const char html_head[] =
  "<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">\n"
  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
  "<title>Laporan pemeriksaan aplikasi / Application examination report"
  "</title>\n<style>\n"
  "body{font-family:sans-serif;margin:1.5em;color:#1d2433}\n"
  "table{border-collapse:collapse;width:100%}\n"
  "th,td{border:1px solid #c8ccd4;padding:.35em .5em;vertical-align:top;"
  "text-align:left}\n"
  "th{background:#eef0f4}\nul{margin:0;padding-left:1.1em}\n"
  ".sev-critical,.sev-high{color:#a11}\n.sev-medium{color:#8a5a00}\n"
  "</style></head><body>\n";

static void
html_finding(struct buf *b, const struct config *cfg,
             const struct exam_finding *f)
{
  const struct finding_def *d = exam_texts_find(cfg, f->id);
  html_printf(b, "<li class=\"sev-%s\"><code>%s</code> [%s]", f->severity,
              f->id, f->severity);
  if (d != NULL)
    html_printf(b, " %s <span lang=\"en\">/ %s</span>", d->title_id,
                d->title_en);
  html_printf(b, ": %s</li>", f->evidence);
}

static void
html_row(struct report *r, struct buf *b, const struct app *app)
{
  const struct exam_result *res = latest_of(r, app->code);
  char at[32] = "";

  html_printf(b, "<tr><td><code>%s</code></td><td>%s</td><td>%s</td>",
              app->code, app->name ? app->name : "",
              app->agency ? app->agency : "");
  if (res == NULL) {
    html_raw(b, "<td colspan=\"7\">belum diperiksa / not examined yet</td>"
                "</tr>\n");
    return;
  }
  time_text(res->examined_at, at, sizeof at);
  html_printf(b, "<td>%s</td>", res->grade ? res->grade : "-");
  if (res->score >= 0)
    html_printf(b, "<td>%d</td>", res->score);
  else
    html_raw(b, "<td>-</td>");
  html_printf(b, "<td>%s (%s)</td>",
              exam_availability_code(exam_availability_of(res)),
              res->outcome ? res->outcome : "");
  if (res->http_status > 0)
    html_printf(b, "<td>%d</td>", res->http_status);
  else
    html_raw(b, "<td>-</td>");
  if (res->response_ms >= 0)
    html_printf(b, "<td>%d</td>", res->response_ms);
  else
    html_raw(b, "<td>-</td>");
  html_printf(b, "<td>%s</td><td><ul>", at);
  for (size_t i = 0; i < res->finding_count; i++)
    html_finding(b, r->cfg, &res->findings[i]);
  html_raw(b, "</ul></td></tr>\n");
}

static void
write_html(struct report *r)
{
  char now[32];
  struct buf b;

  buf_init(&b, REPORT_ROW_MAX);
  time_text(r->now, now, sizeof now);
  html_raw(&b, html_head);
  html_printf(&b, "<h1>Laporan pemeriksaan aplikasi <span lang=\"en\">/ "
              "Application examination report</span></h1>\n<p>Dibuat / "
              "Generated: %s. %zu aplikasi / applications.</p>\n", now,
              r->apps.count);
  html_raw(&b, "<table><thead><tr><th>Kode / Code</th><th>Nama / Name</th>"
               "<th>OPD / Agency</th><th>Nilai / Grade</th>"
               "<th>Skor / Score</th><th>Ketersediaan / Availability</th>"
               "<th>Status HTTP</th><th>Respons / Response (ms)</th>"
               "<th>Diperiksa / Examined (UTC)</th>"
               "<th>Temuan / Findings</th></tr></thead>\n<tbody>\n");
  for (size_t i = 0; i < r->apps.count && !r->io_error; i++) {
    html_row(r, &b, &r->apps.items[i]);
    if (b.too_big || fwrite(buf_str(&b), 1, b.len, r->out) != b.len)
      r->io_error = true;
    buf_reset(&b);
  }
  html_raw(&b, "</tbody></table>\n</body></html>\n");
  if (fwrite(buf_str(&b), 1, b.len, r->out) != b.len)
    r->io_error = true;
  buf_free(&b);
}

/* ---- the command ---- */

static bool
load_report(struct report *r, struct store *s)
{
  struct app_filter all = {.sort = APP_SORT_CODE};
  enum store_rc rc = s->ops->app_list(s, &all, &r->apps);
  if (rc == STORE_OK)
    rc = s->ops->exam_latest_all(s, &r->latest);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "reading the catalog and the "
                    "examinations failed: %s", store_errmsg(s));
    return false;
  }
  return true;
}

static int
parse_report_args(int argc, char **argv, enum report_format *format,
                  const char **output)
{
  bool format_set = false;
  for (int i = 1; i < argc; i++) {
    if (i + 1 >= argc)
      return usage_error("option '%s' needs a value", argv[i]);
    const char *value = argv[++i];
    if (strcmp(argv[i - 1], "--format") == 0) {
      static const char *const names[] = {"json", "csv", "html"};
      format_set = false;
      for (int k = 0; k < 3 && !format_set; k++)
        if (strcmp(value, names[k]) == 0) {
          *format = (enum report_format)k;
          format_set = true;
        }
      if (!format_set)
        return usage_error("--format '%s' must be json, csv or html", value);
    } else if (strcmp(argv[i - 1], "--output") == 0) {
      *output = value;
    } else {
      return usage_error("unknown option '%s'", argv[i - 1]);
    }
  }
  return format_set ? 0 : usage_error("%s", "--format is required");
}

int
cli_report(struct cli *c, int argc, char **argv)
{
  struct report r = {.cfg = &c->cfg, .now = time(NULL)};
  const char *output = NULL;

  if (cli_wants_help(argc, argv)) {
    report_usage(stdout);
    return 0;
  }
  int rc = parse_report_args(argc, argv, &r.format, &output);
  if (rc != 0)
    return rc;
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  bool ok = load_report(&r, s);
  store_close(s);
  r.out = output ? fopen(output, "w") : stdout;
  if (ok && r.out == NULL) {
    cli_print_error(SP_ERR_IO, "cannot write %s: %m; choose another "
                    "--output", output);
    ok = false;
  }
  if (ok) {
    if (r.format == REPORT_JSON)
      write_json(&r);
    else if (r.format == REPORT_CSV)
      write_csv(&r);
    else
      write_html(&r);
    if (r.out != stdout && fclose(r.out) != 0)
      r.io_error = true;
    else if (r.out == stdout && fflush(stdout) != 0)
      r.io_error = true;
    if (r.io_error)
      cli_print_error(SP_ERR_IO, "writing the report to %s failed",
                      output ? output : "standard output");
    ok = !r.io_error;
  }
  app_list_free(&r.apps);
  exam_result_list_free(&r.latest);
  return ok ? 0 : 1;
}
