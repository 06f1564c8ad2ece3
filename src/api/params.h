/* Query parameters of the app and agency lists, read the same way by the
 * JSON API and the console. Each value is checked against what is allowed;
 * a bad one is reported as a field error that names the parameter, the
 * value given and the values allowed, in Indonesian and English. */
#ifndef SIMPUL_API_PARAMS_H
#define SIMPUL_API_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "http/http.h"
#include "store/store.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_LIMIT 500
#define LIST_MAX_OFFSET 1000000000LL
#define LIST_MAX_QUERY 200     /* bytes of the search text `q` */

/* Parses a row id given in a path or query: decimal digits only, from 1
 * to INT64_MAX. False for anything else. */
bool params_parse_id(const char *text, int64_t *id);

/* Reads `limit` (1..LIST_MAX_LIMIT, default LIST_DEFAULT_LIMIT) and
 * `offset` (0..LIST_MAX_OFFSET, default 0). Returns SP_OK, or
 * SP_ERR_BAD_REQUEST with `fe` naming the parameter. */
enum sp_err params_paging(const struct http_request *rq, int64_t *limit,
                          int64_t *offset, struct sp_field_error *fe);

/* Reads the app list filters kind, status, agency and q, and sort
 * (code|name|agency|kind|status|updated) and order (asc|desc), into `f`;
 * limit and offset are left as they are. Empty values do not filter.
 * Strings in `f` point into the request or into the choice tables and live
 * as long as `rq`. Returns SP_OK; SP_ERR_BAD_CHOICE for an unknown kind or
 * status; SP_ERR_BAD_REQUEST for a bad sort, order or q. */
enum sp_err params_app_filter(const struct http_request *rq,
                              struct app_filter *f, struct sp_field_error *fe);

/* Reads the agency list filters kind, parent and q into `f`, as above. */
enum sp_err params_agency_filter(const struct http_request *rq,
                                 struct agency_filter *f,
                                 struct sp_field_error *fe);

/* Returns the parameter value of a sort key ("code", "updated", ...). */
const char *params_sort_name(enum app_sort sort);

/* Checks that `text` is valid UTF-8 with no control bytes other than tab
 * and newline. */
bool params_text_ok(const char *text);

/* Copies `value` into `out` for an error message: at most 80 bytes, cut on
 * a character boundary, with invalid UTF-8 and control bytes replaced by
 * '?', so the result is always safe to put in JSON or a log line. */
void params_excerpt(char *out, size_t out_len, const char *value);

#endif
