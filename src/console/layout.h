/* The frame every console page shares: head, navigation, language switch,
 * and the footer. Pages write their content between page_begin and
 * page_end. Styles come from /static/simpul.css because the pages' CSP
 * allows no inline style or script. */
#ifndef SIMPUL_CONSOLE_LAYOUT_H
#define SIMPUL_CONSOLE_LAYOUT_H

#include "http/http.h"

/* Starts an HTML page titled `title` (escaped) in rs->body and sets the
 * content type. `section` marks the active navigation entry: "dashboard",
 * "apps", "agencies", "admin" or NULL. */
void page_begin(struct http_request *rq, struct http_response *rs,
                const char *title, const char *section);

/* Closes the page opened by page_begin. */
void page_end(struct http_request *rq, struct http_response *rs);

/* Appends a hidden input carrying the CSRF token; every <form
 * method="post"> includes it. */
void page_csrf_input(struct http_request *rq, struct http_response *rs);

/* Serves the console's style sheet (the route GET /static/simpul.css in
 * account_routes). Classes it styles include table-wrap, record, field,
 * field-error, error, flash, notes, actions, button, secret and tag. */
void layout_style_sheet(struct http_request *rq, struct http_response *rs);

#endif
