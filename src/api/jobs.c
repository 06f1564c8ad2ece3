/* Jobs through the JSON API: the list (GET /api/v1/jobs), one job
 * (GET /api/v1/jobs/{id}), and starting an examination
 * (POST /api/v1/examinations), which enqueues an "examine" job that a
 * worker inside `simpul serve` runs, and replies 202 with the job. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/params.h"
#include "core/log.h"
#include "jobs/jobs.h"

#define JOB_KIND_MAX 32

/* The job's params as JSON; the stored text when it does not parse. */
static json_t *
params_json(const char *text)
{
  if (text == NULL)
    return json_object();
  json_t *v = json_loads(text, 0, NULL);
  return v != NULL ? v : json_string(text);
}

static json_t *
job_json(const struct job *j)
{
  const struct api_member progress[2] = {
    {"done", json_integer(j->progress_done)},
    {"total", json_integer(j->progress_total)},
  };
  const struct api_member m[] = {
    {"id", json_integer(j->id)},
    {"kind", catalog_text_json(j->kind)},
    {"params", params_json(j->params)},
    {"state", catalog_text_json(j->state)},
    {"progress", api_json_object(progress, 2)},
    {"created_by", catalog_text_json(j->created_by)},
    {"created_at", catalog_time_json(j->created_at)},
    {"scheduled_for", catalog_time_json(j->scheduled_for)},
    {"started_at", catalog_time_json(j->started_at)},
    {"finished_at", catalog_time_json(j->finished_at)},
    {"lease_owner", catalog_text_json(j->lease_owner)},
    {"lease_expires_at", catalog_time_json(j->lease_expires_at)},
    {"error", catalog_text_json(j->error)},
  };
  return api_json_object(m, sizeof m / sizeof m[0]);
}

static void
reply_job_not_found(struct http_response *rs, const char *text)
{
  struct sp_field_error fe;
  char excerpt[96];
  params_excerpt(excerpt, sizeof excerpt, text);
  sp_field_error_set(&fe, SP_ERR_NOT_FOUND, "id",
                     "tidak ada pekerjaan bernomor '%s'; lihat daftarnya di "
                     "GET /api/v1/jobs",
                     "no job has the number '%s'; list the jobs with "
                     "GET /api/v1/jobs", excerpt);
  api_reply_field_error(rs, &fe);
}

/* Reads the optional `kind` filter: 1 to 32 of a-z, 0-9, '-' and '_'. */
static bool
kind_param(const struct http_request *rq, const char **kind,
           struct sp_field_error *fe)
{
  const char *v = http_query(rq, "kind");
  *kind = NULL;
  if (v == NULL || v[0] == '\0')
    return true;
  size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-_");
  if (v[n] == '\0' && n <= JOB_KIND_MAX) {
    *kind = v;
    return true;
  }
  char excerpt[96];
  params_excerpt(excerpt, sizeof excerpt, v);
  sp_field_error_set(fe, SP_ERR_BAD_REQUEST, "kind",
                     "jenis pekerjaan '%s' tidak valid: pakai huruf kecil, "
                     "angka, '-' atau '_', misalnya examine",
                     "the job kind '%s' is invalid: use lower-case letters, "
                     "digits, '-' or '_', e.g. examine", excerpt);
  return false;
}

void
api_job_list(struct http_request *rq, struct http_response *rs)
{
  struct sp_field_error fe;
  int64_t limit, offset;
  const char *kind;
  if (params_paging(rq, &limit, &offset, &fe) != SP_OK ||
      !kind_param(rq, &kind, &fe)) {
    api_reply_field_error(rs, &fe);
    return;
  }
  struct job_list list = {0};
  enum store_rc rc = rq->store->ops->job_list(rq->store, kind, limit, &list);
  if (rc != STORE_OK) {
    api_reply_store_error(rq, rs, rc, "job_list");
    return;
  }
  json_t *items = json_array();
  for (size_t i = 0; items != NULL && i < list.count; i++) {
    json_t *item = job_json(&list.items[i]);
    if (item == NULL || json_array_append_new(items, item) != 0) {
      json_decref(items);
      items = NULL;
    }
  }
  job_list_free(&list);
  json_t *out = items ? json_pack("{s:o, s:I}", "items", items, "limit",
                                  (json_int_t)limit)
                      : NULL;
  if (out == NULL) {
    api_reply_nomem(rs, "job_list_json");
    return;
  }
  http_reply_json(rs, 200, out);
}

/* Replies with job `id` under `status`, adding a Location header when
 * `located`. */
static void
reply_job(struct http_request *rq, struct http_response *rs, int64_t id,
          int status, bool located)
{
  struct job j = {0};
  enum store_rc rc = rq->store->ops->job_get(rq->store, id, &j);
  if (rc != STORE_OK) {
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, id);
    if (rc == STORE_NOT_FOUND)
      reply_job_not_found(rs, text);
    else
      api_reply_store_error(rq, rs, rc, "job_get");
    return;
  }
  json_t *out = job_json(&j);
  job_free(&j);
  if (out == NULL) {
    api_reply_nomem(rs, "job_json");
    return;
  }
  if (located) {
    char location[48];
    snprintf(location, sizeof location, "/api/v1/jobs/%" PRId64, id);
    http_add_header(rs, "Location", location);
  }
  http_reply_json(rs, status, out);
}

void
api_job_show(struct http_request *rq, struct http_response *rs)
{
  int64_t id;
  if (!params_parse_id(rq->params[0], &id)) {
    reply_job_not_found(rs, rq->params[0]);
    return;
  }
  reply_job(rq, rs, id, 200, false);
}

/* Checks one entry of "apps" at `index`: a string naming an app. */
static bool
check_app_code(struct http_request *rq, json_t *value, size_t index,
               struct sp_field_error *fe, enum store_rc *rc)
{
  char field[32];
  snprintf(field, sizeof field, "apps[%zu]", index);
  *rc = STORE_OK;
  if (!json_is_string(value)) {
    sp_field_error_set(fe, SP_ERR_BAD_REQUEST, field,
                       "isi dengan kode aplikasi berupa teks, misalnya "
                       "\"web-setda\"",
                       "give an application code as a string, e.g. "
                       "\"web-setda\"");
    return false;
  }
  const char *code = json_string_value(value);
  struct app app = {0};
  *rc = rq->store->ops->app_get(rq->store, code, &app);
  app_free(&app);
  if (*rc == STORE_OK)
    return true;
  if (*rc == STORE_NOT_FOUND) {
    char excerpt[96];
    params_excerpt(excerpt, sizeof excerpt, code);
    sp_field_error_set(fe, SP_ERR_UNKNOWN_APP, field,
                       "tidak ada aplikasi berkode '%s'; lihat daftar kode "
                       "di GET /api/v1/apps",
                       "no application has the code '%s'; list the codes "
                       "with GET /api/v1/apps", excerpt);
    *rc = STORE_OK;
  }
  return false;
}

static bool
contains_string(json_t *array, const char *text)
{
  size_t i;
  json_t *v;
  json_array_foreach(array, i, v)
    if (strcmp(json_string_value(v), text) == 0)
      return true;
  return false;
}

/* Builds the job's params from the body: {"apps": [codes without
 * duplicates]}, or {} for every app. NULL with `fe` (or `*rc`, when the
 * store failed) set when the body is not valid. */
static json_t *
examine_params(struct http_request *rq, json_t *body,
               struct sp_field_error *fe, enum store_rc *rc)
{
  const char *key;
  json_t *value;
  *rc = STORE_OK;
  json_object_foreach(body, key, value) {
    if (strcmp(key, "apps") == 0)
      continue;
    char excerpt[96];
    params_excerpt(excerpt, sizeof excerpt, key);
    sp_field_error_set(fe, SP_ERR_UNKNOWN_FIELD, excerpt,
                       "isian '%s' tidak dikenal: isi permintaan hanya "
                       "menerima \"apps\"",
                       "unknown field '%s': the body takes only \"apps\"",
                       excerpt);
    return NULL;
  }
  json_t *apps = json_object_get(body, "apps");
  if (apps == NULL)
    return json_object();
  if (!json_is_array(apps) || json_array_size(apps) == 0) {
    sp_field_error_set(fe, SP_ERR_REQUIRED, "apps",
                       "isi \"apps\" dengan daftar kode aplikasi, misalnya "
                       "[\"web-setda\"], atau kirim {} untuk memeriksa "
                       "semua aplikasi",
                       "give \"apps\" as a list of application codes, e.g. "
                       "[\"web-setda\"], or send {} to examine every "
                       "application");
    return NULL;
  }
  json_t *codes = json_array();
  for (size_t i = 0; codes != NULL && i < json_array_size(apps); i++) {
    json_t *code = json_array_get(apps, i);
    if (!check_app_code(rq, code, i, fe, rc)) {
      json_decref(codes);
      return NULL;
    }
    if (!contains_string(codes, json_string_value(code)) &&
        json_array_append(codes, code) != 0) {
      json_decref(codes);
      codes = NULL;
    }
  }
  return codes != NULL ? json_pack("{s:o}", "apps", codes) : NULL;
}

/* Enqueues the job with `params` and replies 202 with it. */
static void
enqueue_and_reply(struct http_request *rq, struct http_response *rs,
                  const char *params)
{
  const char *actor = rq->user != NULL && rq->user->name != NULL
                          ? rq->user->name : "unknown";
  int64_t id = 0;
  char detail[256] = "";
  enum sp_err err = jobs_enqueue(rq->store, JOBS_KIND_EXAMINE, params, actor,
                                 NULL, 0, &id, NULL, detail, sizeof detail);
  if (err != SP_OK) {
    log_event(LOG_ERROR, "api.examine_failed", "error",
              sp_error_info(err)->code, "detail", detail, NULL);
    http_reply_error_json(rs, err, NULL, 0);
    return;
  }
  reply_job(rq, rs, id, 202, true);
}

void
api_examine(struct http_request *rq, struct http_response *rs)
{
  json_t *body = api_read_body(rq, rs);
  if (body == NULL)
    return;
  struct sp_field_error fe;
  enum store_rc rc;
  json_t *params = examine_params(rq, body, &fe, &rc);
  json_decref(body);
  if (params == NULL) {
    if (rc != STORE_OK)
      api_reply_store_error(rq, rs, rc, "app_get");
    else
      api_reply_field_error(rs, &fe);
    return;
  }
  char *text = json_dumps(params, JSON_COMPACT);
  json_decref(params);
  if (text == NULL) {
    api_reply_nomem(rs, "examine_params");
    return;
  }
  if (strlen(text) > JOBS_MAX_PARAMS) {
    sp_field_error_set(&fe, SP_ERR_TOO_LARGE, "apps",
                       "daftar \"apps\" melebihi %d bait; bagi menjadi "
                       "beberapa permintaan, atau kirim {} untuk memeriksa "
                       "semua aplikasi",
                       "the \"apps\" list is longer than %d bytes; split it "
                       "into several requests, or send {} to examine every "
                       "application", JOBS_MAX_PARAMS);
    api_reply_field_error(rs, &fe);
  } else {
    enqueue_and_reply(rq, rs, text);
  }
  free(text);
}
