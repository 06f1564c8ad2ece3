/* The job pages (the list and one job with its progress) and the two
 * buttons that enqueue examinations. A job page reloads itself every
 * CONSOLE_JOB_REFRESH seconds while its job is queued or running, so its
 * progress moves without JavaScript. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/params.h"
#include "console/console.h"
#include "console/exam.h"
#include "core/log.h"
#include "jobs/jobs.h"

static const char *
actor_of(const struct http_request *rq)
{
  return rq->user != NULL && rq->user->name != NULL ? rq->user->name
                                                    : "unknown";
}

static const char *
kind_label(struct http_request *rq, const char *kind)
{
  if (kind != NULL && strcmp(kind, JOBS_KIND_EXAMINE) == 0)
    return tr(rq, "Pemeriksaan", "Examination");
  return kind != NULL ? kind : "-";
}

static bool
job_active(const struct job *j)
{
  return j->state != NULL && (strcmp(j->state, "queued") == 0 ||
                              strcmp(j->state, "running") == 0);
}

static void
job_not_found(struct http_request *rq, struct http_response *rs,
              const char *text)
{
  char excerpt[96], detail[256];
  params_excerpt(excerpt, sizeof excerpt, text);
  if (strcmp(rq->lang, "en") == 0)
    snprintf(detail, sizeof detail,
             "No job has the number '%s'. Find it in the list at /jobs.",
             excerpt);
  else
    snprintf(detail, sizeof detail,
             "Tidak ada pekerjaan bernomor '%s'. Cari di daftar /jobs.",
             excerpt);
  http_reply_error_page(rq, rs, SP_ERR_NOT_FOUND, detail);
}

static void
job_row(struct http_request *rq, struct buf *out, const struct job *j)
{
  char created[40], finished[40];
  console_format_time(j->created_at, created, sizeof created);
  console_format_time(j->finished_at, finished, sizeof finished);
  html_printf(out, "<tr><td><a href=\"/jobs/%" PRId64 "\">#%" PRId64
              "</a></td><td>%s</td><td>%s</td><td>", j->id, j->id,
              kind_label(rq, j->kind), console_job_state_label(rq, j->state));
  console_job_progress(rq, out, j);
  html_printf(out, "</td><td>%s</td><td>%s</td><td>%s</td></tr>\n",
              j->created_by ? j->created_by : "", created, finished);
}

void
console_job_list(struct http_request *rq, struct http_response *rs)
{
  struct job_list list = {0};
  enum store_rc rc = rq->store->ops->job_list(rq->store, NULL,
                                              CONSOLE_JOB_ROWS, &list);
  if (rc != STORE_OK) {
    console_store_error(rq, rs, rc, "job_list");
    return;
  }
  const char *title = tr(rq, "Pekerjaan", "Jobs");
  struct buf *out = &rs->body;
  page_begin(rq, rs, title, "jobs");
  html_printf(out, "<h1>%s</h1>\n", title);
  if (list.count == 0) {
    html_printf(out, "<p>%s</p>\n", tr(rq, "Belum ada pekerjaan.",
                                      "No jobs yet."));
  } else {
    html_printf(out, "<div class=\"table-wrap\"><table class=\"list\">\n"
                "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
                tr(rq, "Nomor", "Number"), tr(rq, "Jenis", "Kind"),
                tr(rq, "Status", "State"), tr(rq, "Progres", "Progress"),
                tr(rq, "Oleh", "By"), tr(rq, "Dibuat", "Created"),
                tr(rq, "Selesai", "Finished"));
    for (size_t i = 0; i < list.count; i++)
      job_row(rq, out, &list.items[i]);
    html_raw(out, "</tbody></table></div>\n");
  }
  if (list.count == CONSOLE_JOB_ROWS)
    html_printf(out, "<p>%s</p>\n",
                tr(rq, "Hanya 100 pekerjaan terbaru yang ditampilkan.",
                   "Only the 100 newest jobs are shown."));
  page_end(rq, rs);
  job_list_free(&list);
}

/* Appends the apps named in the job's params, linked, or "every app". */
static void
job_apps(struct http_request *rq, struct buf *out, const struct job *j)
{
  json_t *params = j->params ? json_loads(j->params, 0, NULL) : NULL;
  json_t *apps = json_object_get(params, "apps");
  if (!json_is_array(apps)) {
    html_printf(out, "%s", tr(rq, "Semua aplikasi", "Every application"));
    json_decref(params);
    return;
  }
  size_t i;
  json_t *code;
  json_array_foreach(apps, i, code) {
    if (!json_is_string(code))
      continue;
    html_raw(out, i > 0 ? ", <a href=\"/apps/" : "<a href=\"/apps/");
    html_url_param(out, json_string_value(code));
    html_printf(out, "\">%s</a>", json_string_value(code));
  }
  json_decref(params);
}

static void
job_facts(struct http_request *rq, struct buf *out, const struct job *j)
{
  char created[40], started[40], finished[40];
  console_format_time(j->created_at, created, sizeof created);
  console_format_time(j->started_at, started, sizeof started);
  console_format_time(j->finished_at, finished, sizeof finished);
  html_printf(out, "<dl class=\"record\">\n<dt>%s</dt><dd>%s</dd>\n"
              "<dt>%s</dt><dd>", tr(rq, "Status", "State"),
              console_job_state_label(rq, j->state),
              tr(rq, "Progres", "Progress"));
  console_job_progress(rq, out, j);
  html_printf(out, "</dd>\n<dt>%s</dt><dd>", tr(rq, "Aplikasi",
                                                "Applications"));
  job_apps(rq, out, j);
  html_printf(out, "</dd>\n<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n"
              "<dt>%s</dt><dd>%s</dd>\n<dt>%s</dt><dd>%s</dd>\n",
              tr(rq, "Dibuat oleh", "Created by"),
              j->created_by ? j->created_by : "-", tr(rq, "Dibuat", "Created"),
              created, tr(rq, "Dimulai", "Started"), started,
              tr(rq, "Selesai", "Finished"), finished);
  if (j->error != NULL && j->error[0] != '\0')
    html_printf(out, "<dt>%s</dt><dd class=\"error\">%s</dd>\n",
                tr(rq, "Galat", "Error"), j->error);
  html_raw(out, "</dl>\n");
}

static void
result_row(struct http_request *rq, struct buf *out,
           const struct exam_result *r)
{
  html_raw(out, "<tr><td><a href=\"/apps/");
  html_url_param(out, r->app_code);
  html_printf(out, "\">%s</a></td><td>", r->app_code);
  console_grade_tag(rq, out, r->grade);
  html_printf(out, "</td><td>%s</td><td class=\"num\">%zu</td></tr>\n",
              console_outcome_label(rq, r->outcome), r->finding_count);
}

/* Appends the results stored for run `run_id`, at most
 * CONSOLE_JOB_RESULT_ROWS of them. */
static void
job_results(struct http_request *rq, struct buf *out, int64_t run_id)
{
  struct store *s = rq->store;
  struct string_list codes = {0};
  enum store_rc rc = s->ops->exam_result_codes(s, run_id, &codes);
  html_printf(out, "<section class=\"results\"><h2>%s</h2>\n",
              tr(rq, "Hasil", "Results"));
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "console.store_failed", "op", "exam_result_codes",
              "error", store_errmsg(s), NULL);
    html_printf(out, "<p class=\"error\">%s</p></section>\n",
                sp_error_message(store_rc_error(rc), rq->lang));
    return;
  }
  if (codes.count == 0) {
    html_printf(out, "<p>%s</p></section>\n",
                tr(rq, "Belum ada hasil.", "No results yet."));
    string_list_free(&codes);
    return;
  }
  html_printf(out, "<div class=\"table-wrap\"><table class=\"list\">\n"
              "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
              "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s"
              "</th></tr></thead>\n<tbody>\n",
              tr(rq, "Aplikasi", "Application"), tr(rq, "Nilai", "Grade"),
              tr(rq, "Hasil", "Outcome"), tr(rq, "Temuan", "Findings"));
  size_t rows = codes.count < CONSOLE_JOB_RESULT_ROWS
                    ? codes.count : CONSOLE_JOB_RESULT_ROWS;
  for (size_t i = 0; i < rows; i++) {
    struct exam_result r = {0};
    rc = s->ops->exam_result_get(s, run_id, codes.items[i], &r);
    if (rc == STORE_OK)
      result_row(rq, out, &r);
    else if (rc != STORE_NOT_FOUND)
      log_event(LOG_ERROR, "console.store_failed", "op", "exam_result_get",
                "error", store_errmsg(s), NULL);
    exam_result_free(&r);
  }
  html_raw(out, "</tbody></table></div>\n");
  if (codes.count > rows)
    html_printf(out, "<p>%s %zu %s</p>\n", tr(rq, "Dan", "And"),
                codes.count - rows, tr(rq, "hasil lainnya.", "more results."));
  html_raw(out, "</section>\n");
  string_list_free(&codes);
}

void
console_job_show(struct http_request *rq, struct http_response *rs)
{
  int64_t id;
  if (!params_parse_id(rq->params[0], &id)) {
    job_not_found(rq, rs, rq->params[0]);
    return;
  }
  struct job j = {0};
  enum store_rc rc = rq->store->ops->job_get(rq->store, id, &j);
  if (rc == STORE_NOT_FOUND) {
    job_not_found(rq, rs, rq->params[0]);
    return;
  }
  if (rc != STORE_OK) {
    console_store_error(rq, rs, rc, "job_get");
    return;
  }

  char title[96];
  snprintf(title, sizeof title, "%s #%" PRId64,
           tr(rq, "Pekerjaan", "Job"), j.id);
  bool active = job_active(&j);
  struct buf *out = &rs->body;
  page_begin_refresh(rq, rs, title, "jobs",
                     active ? CONSOLE_JOB_REFRESH : 0);
  html_printf(out, "<h1>%s</h1>\n<p class=\"subtitle\">%s</p>\n", title,
              kind_label(rq, j.kind));
  if (active)
    html_printf(out, "<p class=\"hint\" role=\"status\">%s</p>\n",
                tr(rq, "Halaman ini dimuat ulang tiap 2 detik sampai "
                       "pekerjaan selesai.",
                   "This page reloads every 2 seconds until the job ends."));
  job_facts(rq, out, &j);
  if (j.kind != NULL && strcmp(j.kind, JOBS_KIND_EXAMINE) == 0 && !active)
    job_results(rq, out, j.id);
  html_printf(out, "<p><a href=\"/jobs\">%s</a></p>\n",
              tr(rq, "Semua pekerjaan", "All jobs"));
  page_end(rq, rs);
  job_free(&j);
}

/* Enqueues an examination with `params` and redirects to its page. */
static void
enqueue_examination(struct http_request *rq, struct http_response *rs,
                    const char *params, const char *what)
{
  int64_t id = 0;
  char detail[256] = "";
  enum sp_err err = jobs_enqueue(rq->store, JOBS_KIND_EXAMINE, params,
                                 actor_of(rq), NULL, 0, &id, NULL, detail,
                                 sizeof detail);
  if (err != SP_OK) {
    log_event(LOG_ERROR, "console.examine_failed", "apps", what, "error",
              sp_error_info(err)->code, "detail", detail, NULL);
    http_reply_error_page(rq, rs, err, NULL);
    return;
  }
  char path[48];
  snprintf(path, sizeof path, "/jobs/%" PRId64, id);
  http_redirect(rs, path);
}

void
console_examine_app(struct http_request *rq, struct http_response *rs)
{
  const char *code = rq->params[0];
  struct app app = {0};
  enum store_rc rc = rq->store->ops->app_get(rq->store, code, &app);
  app_free(&app);
  if (rc == STORE_NOT_FOUND) {
    console_not_found(&record_kind_app, rq, rs, code);
    return;
  }
  if (rc != STORE_OK) {
    console_store_error(rq, rs, rc, "app_get");
    return;
  }
  json_t *params = json_pack("{s:[s]}", "apps", code);
  char *text = params ? json_dumps(params, JSON_COMPACT) : NULL;
  json_decref(params);
  if (text == NULL) {
    log_event(LOG_ERROR, "console.out_of_memory", "op", "examine_params",
              NULL);
    http_reply_error_page(rq, rs, SP_ERR_NOMEM, NULL);
    return;
  }
  enqueue_examination(rq, rs, text, code);
  free(text);
}

void
console_examine_all(struct http_request *rq, struct http_response *rs)
{
  enqueue_examination(rq, rs, "{}", "*");
}
