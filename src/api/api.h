/* The JSON API's handlers, shared between its files. api_routes (routes.c)
 * maps each path under /api/v1/ to one of them. Every reply is JSON: a
 * record, a list {"items", "total", "limit", "offset"}, a history
 * {"items"}, or an error from http_reply_error_json. */
#ifndef SIMPUL_API_API_H
#define SIMPUL_API_API_H

#include "api/records.h"
#include "http/http.h"

/* Lists with filters and paging (lists.c). */
void api_app_list(struct http_request *rq, struct http_response *rs);
void api_agency_list(struct http_request *rq, struct http_response *rs);

/* One record of kind `k`, named by the path's {code} (items.c). Create and
 * update reply with the stored record and, when normalisation changed a
 * value, a "notes" array of {field, text_id, text_en} beside its fields. */
void api_record_show(const struct record_kind *k, struct http_request *rq,
                     struct http_response *rs);
void api_record_create(const struct record_kind *k, struct http_request *rq,
                       struct http_response *rs);
void api_record_update(const struct record_kind *k, struct http_request *rq,
                       struct http_response *rs);
void api_record_history(const struct record_kind *k, struct http_request *rq,
                        struct http_response *rs);

/* One member of a JSON object being built: `value` is a new reference,
 * NULL when creating it ran out of memory. */
struct api_member {
  const char *key;
  json_t *value;
};

/* Returns an object with `members` (json.c), taking every value's
 * reference; NULL, with every value released, when a value is NULL or
 * memory runs out. */
json_t *api_json_object(const struct api_member *members, size_t count);

/* Replies 404 for a record of kind `k` whose `code` does not exist,
 * naming the list that has the codes. */
void api_reply_not_found(const struct record_kind *k, struct http_response *rs,
                         const char *code);

/* Examination results (exams.c): an app's history, newest first, without
 * findings, and its latest result with them. */
void api_exam_history(struct http_request *rq, struct http_response *rs);
void api_exam_latest(struct http_request *rq, struct http_response *rs);

/* The JSON of one result: outcome, availability, status, timing,
 * redirects, TLS facts, grade, score, the Observatory tests, and the
 * needs_action codes as of `now`. With `cfg` (for the finding texts) it
 * adds "findings"; NULL leaves them out. NULL when memory runs out. */
json_t *api_exam_result_json(const struct exam_result *r,
                             const struct config *cfg, int64_t now);

/* Jobs (jobs.c): the list, one job, and POST /api/v1/examinations, which
 * enqueues an examination of the apps named in {"apps": [...]}, or of
 * every app for {}, and replies 202 with the job. */
void api_job_list(struct http_request *rq, struct http_response *rs);
void api_job_show(struct http_request *rq, struct http_response *rs);
void api_examine(struct http_request *rq, struct http_response *rs);

/* Reads the body as a JSON object, replying with the error when it is not
 * one; NULL then. */
json_t *api_read_body(struct http_request *rq, struct http_response *rs);

/* Replies with one field error, using its code and status. */
void api_reply_field_error(struct http_response *rs,
                           const struct sp_field_error *fe);

/* Logs a failed store operation `op` and replies with the matching error
 * (503 for a store that failed or is busy). */
void api_reply_store_error(struct http_request *rq, struct http_response *rs,
                           enum store_rc rc, const char *op);

/* Replies 503 out_of_memory and logs it; for failed JSON allocations. */
void api_reply_nomem(struct http_response *rs, const char *op);

#endif
