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
