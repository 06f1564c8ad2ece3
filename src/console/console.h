/* The console's catalog pages, shared between their files: the dashboard,
 * the lists and pages of applications and agencies, and the forms that add
 * and edit them. console_routes (routes.c) maps the paths to the handlers.
 * Every dynamic value reaches the page through html_printf or html_text, so
 * it is escaped by construction. */
#ifndef SIMPUL_CONSOLE_CONSOLE_H
#define SIMPUL_CONSOLE_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/records.h"
#include "console/layout.h"

#define CONSOLE_PAGE_SIZE 50      /* rows of a list page */
#define CONSOLE_HISTORY_ROWS 200  /* newest changes shown on a record page */

/* Page handlers. */
void console_dashboard(struct http_request *rq, struct http_response *rs);
void console_app_list(struct http_request *rq, struct http_response *rs);
void console_app_show(struct http_request *rq, struct http_response *rs);
void console_agency_list(struct http_request *rq, struct http_response *rs);
void console_agency_show(struct http_request *rq, struct http_response *rs);

/* Form handlers for a record of kind `k` (edit.c): the empty add form, the
 * edit form of the record named by the path's {code}, and their POSTs. A
 * POST that saves redirects (303) to the record's page. One that does not
 * save renders the form again with the values given and each error beside
 * its field, with status 422 (409 for a code that is taken). */
void console_record_new(const struct record_kind *k, struct http_request *rq,
                        struct http_response *rs);
void console_record_edit(const struct record_kind *k, struct http_request *rq,
                         struct http_response *rs);
void console_record_create(const struct record_kind *k,
                           struct http_request *rq, struct http_response *rs);
void console_record_update(const struct record_kind *k,
                           struct http_request *rq, struct http_response *rs);

/* Renders the form page of `r` (forms.c): the add form when `create`, else
 * the edit form. `check` (may be NULL) contains the errors to show. An edit
 * form carries `etag` (the entity tag of the version being edited) in a
 * hidden input "etag". `current` (may be NULL) is the stored version after
 * a save lost to someone else's: its differing values are shown above the
 * form, which keeps the values of `r`. */
void console_form_page(const struct record_kind *k, struct http_request *rq,
                       struct http_response *rs, const union record *r,
                       bool create, const struct catalog_check *check,
                       int status, const char *etag,
                       const union record *current);

/* Shared pieces (common.c). */

/* True when the caller may change the catalog (staff or administrator). */
bool console_can_edit(const struct http_request *rq);

/* Logs a failed store operation `op` and renders the error page. */
void console_store_error(struct http_request *rq, struct http_response *rs,
                         enum store_rc rc, const char *op);

/* Renders an error page for a bad request parameter, with its detail in the
 * page's language. */
void console_param_error(struct http_request *rq, struct http_response *rs,
                         const struct sp_field_error *fe);

/* Renders the 404 page for a record code that does not exist. */
void console_not_found(const struct record_kind *k, struct http_request *rq,
                       struct http_response *rs, const char *code);

/* Writes Unix seconds `at` as "2024-05-01 13:45 UTC"; "-" for 0. */
void console_format_time(int64_t at, char *out, size_t len);

/* Appends `text` escaped, with its newlines as <br>. */
void console_multiline(struct buf *out, const char *text);

/* Renders every field of `r` as a description list: choice labels in the
 * page's language, links for URLs and for the agency or app referred to. */
void console_record_fields(const struct record_kind *k,
                           struct http_request *rq, struct http_response *rs,
                           const union record *r);

/* Renders the record's history, newest first: when, who, field, old and
 * new value. */
void console_history(const struct record_kind *k, struct http_request *rq,
                     struct http_response *rs, const char *code);

/* Remembers the notes of a save for the next page in a short-lived cookie,
 * in the request's language. */
void console_flash_set(const struct record_kind *k, struct http_request *rq,
                       struct http_response *rs,
                       const struct catalog_check *check);

/* On a page reached after a save (?saved=1, or 0 when nothing changed),
 * shows the confirmation and the notes kept by console_flash_set, then
 * clears the cookie. Does nothing on other requests. */
void console_flash_show(struct http_request *rq, struct http_response *rs);

/* Appends a list pager: "page P of N" with links to the neighbours. `base`
 * is the list's URL with its query so far, ending in '?' or '&'. */
void console_pager(struct http_request *rq, struct http_response *rs,
                   const char *base, int64_t page, int64_t total);

/* Appends two table cells (dashboard.c): `count`, and its share of
 * `total` as a <meter> with the percentage beside it. */
void console_share_cells(struct buf *out, int64_t count, int64_t total);

/* Reads the 1-based `page` parameter; false with `fe` set when invalid. */
bool console_page_param(const struct http_request *rq, int64_t *page,
                        struct sp_field_error *fe);

#endif
