/* The frame every console page shares: head, navigation, language switch,
 * and the footer. Pages write their content between page_begin and
 * page_end. Styles come from /static/simpul.css because the pages' CSP
 * allows no inline style or script. */
#ifndef SIMPUL_CONSOLE_LAYOUT_H
#define SIMPUL_CONSOLE_LAYOUT_H

#include "http/http.h"

/* Starts an HTML page titled `title` (escaped) in rs->body and sets the
 * content type. `section` marks the active navigation entry: "dashboard",
 * "apps", "agencies", "jobs", "admin" or NULL. */
void page_begin(struct http_request *rq, struct http_response *rs,
                const char *title, const char *section);

/* Like page_begin, with a <meta http-equiv="refresh"> that reloads the
 * page after `seconds` (none when 0), so a page showing work in progress
 * updates without JavaScript. The CSP has no directive that blocks it. */
void page_begin_refresh(struct http_request *rq, struct http_response *rs,
                        const char *title, const char *section, int seconds);

/* Closes the page opened by page_begin. */
void page_end(struct http_request *rq, struct http_response *rs);

/* Makes error pages use this frame, so a signed-in user keeps the
 * navigation on a 404 or 403. Call once before the server runs. */
void layout_use_for_error_pages(void);

/* Appends a hidden input carrying the CSRF token; every <form
 * method="post"> includes it. */
void page_csrf_input(struct http_request *rq, struct http_response *rs);

/* Serves the console's style sheet (the route GET /static/simpul.css in
 * account_routes). Classes it styles include table-wrap, record, field,
 * field-error, error, flash, notes, actions, button, secret and tag. */
void layout_style_sheet(struct http_request *rq, struct http_response *rs);

#endif
