/* Examination results through the JSON API: an app's history
 * (GET /api/v1/apps/{code}/examinations) and its latest result with the
 * findings (GET /api/v1/apps/{code}/examinations/latest). */
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/params.h"
#include "core/log.h"
#include "examine/overview.h"
#include "examine/texts.h"

/* Results in a history reply when the request gives no limit. */
#define HISTORY_DEFAULT_LIMIT 50

/* -1 unknown, 0 no, 1 yes as null, false, true. */
static json_t *
tri_json(int value)
{
  return value < 0 ? json_null() : json_boolean(value > 0);
}

static json_t *
int_or_null(long long value, bool known)
{
  return known ? json_integer(value) : json_null();
}

/* Parses JSON text kept by the store; `fallback` when absent or invalid. */
static json_t *
stored_json(const char *text, json_t *fallback)
{
  json_t *v = text != NULL ? json_loads(text, 0, NULL) : NULL;
  if (v == NULL)
    return fallback;
  json_decref(fallback);
  return v;
}

static json_t *
tls_json(const struct exam_result *r)
{
  const struct api_member m[] = {
    {"valid", tri_json(r->tls_valid)},
    {"trusted", tri_json(r->tls_trusted)},
    {"issuer", catalog_text_json(r->tls_issuer)},
    {"expires_at", catalog_time_json(r->tls_expires_at)},
    {"protocol", catalog_text_json(r->tls_protocol)},
  };
  return api_json_object(m, sizeof m / sizeof m[0]);
}

static json_t *
actions_json(const struct exam_result *r, int64_t now)
{
  unsigned actions = exam_actions_of(r, now);
  json_t *a = json_array();
  for (unsigned bit = 1; a != NULL && bit < (1u << EXAM_ACTION_KINDS);
       bit <<= 1) {
    if ((actions & bit) == 0)
      continue;
    if (json_array_append_new(a, json_string(exam_action_code(bit))) != 0) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

/* One finding with its title and remediation from findings.json (null
 * when the id is not defined there). */
static json_t *
finding_json(const struct config *cfg, const struct exam_finding *f)
{
  const struct finding_def *d = exam_texts_find(cfg, f->id);
  const struct api_member m[] = {
    {"id", catalog_text_json(f->id)},
    {"severity", catalog_text_json(f->severity)},
    {"evidence", catalog_text_json(f->evidence)},
    {"title_id", catalog_text_json(d ? d->title_id : NULL)},
    {"title_en", catalog_text_json(d ? d->title_en : NULL)},
    {"remediation_id", catalog_text_json(d ? d->remediation_id : NULL)},
    {"remediation_en", catalog_text_json(d ? d->remediation_en : NULL)},
  };
  return api_json_object(m, sizeof m / sizeof m[0]);
}

static json_t *
findings_json(const struct config *cfg, const struct exam_result *r)
{
  json_t *a = json_array();
  for (size_t i = 0; a != NULL && i < r->finding_count; i++) {
    json_t *item = finding_json(cfg, &r->findings[i]);
    if (item == NULL || json_array_append_new(a, item) != 0) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

json_t *
api_exam_result_json(const struct exam_result *r, const struct config *cfg,
                     int64_t now)
{
  enum exam_availability availability = exam_availability_of(r);
  const struct api_member m[] = {
    {"run_id", json_integer(r->run_id)},
    {"app", catalog_text_json(r->app_code)},
    {"examined_at", catalog_time_json(r->examined_at)},
    {"outcome", catalog_text_json(r->outcome)},
    {"availability", json_string(exam_availability_code(availability))},
    {"http_status", int_or_null(r->http_status, r->http_status > 0)},
    {"response_ms", int_or_null(r->response_ms, r->response_ms >= 0)},
    {"final_url", catalog_text_json(r->final_url)},
    {"redirects", stored_json(r->redirects, json_array())},
    {"https_available", tri_json(r->https_available)},
    {"https_redirect", tri_json(r->https_redirect)},
    {"tls", tls_json(r)},
    {"grade", catalog_text_json(r->grade)},
    {"score", int_or_null(r->score, r->score >= 0)},
    {"tests", stored_json(r->tests, json_null())},
    {"error", catalog_text_json(r->error)},
    {"needs_action", actions_json(r, now)},
    /* Last, so that leaving it out is a shorter count. */
    {"findings", cfg != NULL ? findings_json(cfg, r) : NULL},
  };
  size_t count = sizeof m / sizeof m[0];
  return api_json_object(m, cfg != NULL ? count : count - 1);
}

/* Replies 404 unless app `code` exists; true when it does. */
static bool
app_exists(struct http_request *rq, struct http_response *rs,
           const char *code)
{
  struct app app = {0};
  enum store_rc rc = rq->store->ops->app_get(rq->store, code, &app);
  app_free(&app);
  if (rc == STORE_OK)
    return true;
  if (rc == STORE_NOT_FOUND)
    api_reply_not_found(&record_kind_app, rs, code);
  else
    api_reply_store_error(rq, rs, rc, "app_get");
  return false;
}

void
api_exam_history(struct http_request *rq, struct http_response *rs)
{
  const char *code = rq->params[0];
  struct sp_field_error fe;
  int64_t limit, offset;
  if (params_paging(rq, &limit, &offset, &fe) != SP_OK) {
    api_reply_field_error(rs, &fe);
    return;
  }
  const char *limit_text = http_query(rq, "limit");
  if (limit_text == NULL || limit_text[0] == '\0')
    limit = HISTORY_DEFAULT_LIMIT;
  if (!app_exists(rq, rs, code))
    return;

  struct exam_result_list list = {0};
  enum store_rc rc = rq->store->ops->exam_history(rq->store, code, limit,
                                                  &list);
  if (rc != STORE_OK) {
    api_reply_store_error(rq, rs, rc, "exam_history");
    return;
  }
  int64_t now = (int64_t)time(NULL);
  json_t *items = json_array();
  for (size_t i = 0; items != NULL && i < list.count; i++) {
    json_t *item = api_exam_result_json(&list.items[i], NULL, now);
    if (item == NULL || json_array_append_new(items, item) != 0) {
      json_decref(items);
      items = NULL;
    }
  }
  exam_result_list_free(&list);
  json_t *out = items ? json_pack("{s:o, s:I}", "items", items, "limit",
                                  (json_int_t)limit)
                      : NULL;
  if (out == NULL) {
    api_reply_nomem(rs, "exam_history_json");
    return;
  }
  http_reply_json(rs, 200, out);
}

void
api_exam_latest(struct http_request *rq, struct http_response *rs)
{
  const char *code = rq->params[0];
  if (!app_exists(rq, rs, code))
    return;
  struct exam_result r = {0};
  enum store_rc rc = rq->store->ops->exam_latest(rq->store, code, &r);
  if (rc == STORE_NOT_FOUND) {
    struct sp_field_error fe;
    char excerpt[96];
    params_excerpt(excerpt, sizeof excerpt, code);
    sp_field_error_set(&fe, SP_ERR_NOT_FOUND, "code",
                       "aplikasi '%s' belum pernah diperiksa; mulai "
                       "pemeriksaan dengan POST /api/v1/examinations",
                       "the application '%s' has not been examined yet; "
                       "start an examination with POST /api/v1/examinations",
                       excerpt);
    api_reply_field_error(rs, &fe);
    return;
  }
  if (rc != STORE_OK) {
    api_reply_store_error(rq, rs, rc, "exam_latest");
    return;
  }
  json_t *out = api_exam_result_json(&r, rq->cfg, (int64_t)time(NULL));
  exam_result_free(&r);
  if (out == NULL) {
    api_reply_nomem(rs, "exam_latest_json");
    return;
  }
  http_reply_json(rs, 200, out);
}
