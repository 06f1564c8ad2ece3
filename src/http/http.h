/* The HTTP layer that the faces (console/, api/) are written against.
 *
 * Every handler has one shape: read and validate the request, call the
 * domain, render the result into the response. The dispatcher (http/server.c)
 * has already, before the handler runs: matched the route, assigned a
 * request id, read the body (bounded by max_body), parsed form fields,
 * authenticated the caller (session cookie or API token), checked the
 * route's role, checked the CSRF token on every state-changing request made
 * with a session, and acquired a store connection. After the handler it
 * adds the security headers, logs the request and counts it in /metrics. */
#ifndef SIMPUL_HTTP_HTTP_H
#define SIMPUL_HTTP_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "account/model.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/error.h"
#include "store/store.h"

/* Cookies: the session id, and the language chosen without a session. */
#define HTTP_SESSION_COOKIE "simpul_session"
#define HTTP_LANG_COOKIE "lang"

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8

struct http_request {
  const char *method;        /* "GET", "POST", ... */
  const char *path;          /* decoded path, without the query */
  char request_id[24];
  char remote_addr[64];
  const char *body;          /* raw body, NUL-terminated; "" when none */
  size_t body_len;
  const char *content_type;  /* NULL when absent */
  bool tls;                  /* served over TLS */

  /* Path parameters captured by "{name}" segments, in pattern order. */
  const char *params[HTTP_MAX_PARAMS];
  size_t param_count;

  /* The caller; user is NULL for anonymous requests. */
  struct user *user;
  struct session *session;   /* set when the caller came with a cookie */
  bool via_token;            /* set when the caller came with an API token */
  const char *lang;          /* "id" (default) or "en" */

  struct store *store;       /* this request's connection */
  const struct config *cfg;

  void *internal;            /* the dispatcher's own state */
};

struct http_response {
  int status;                /* 200 unless set */
  const char *content_type;  /* static string; "text/html; charset=utf-8" */
  struct buf body;           /* bounded; see HTTP_MAX_RESPONSE */
  char location[1024];       /* redirect target, when status is 3xx */
  char *headers[HTTP_MAX_HEADERS]; /* extra "Name: value" lines, owned */
  size_t header_count;
};

#define HTTP_MAX_RESPONSE (64u * 1024u * 1024u)

typedef void (*http_handler)(struct http_request *rq, struct http_response *rs);

/* Who may call a route. A lower role is refused: anonymous callers of a
 * page are sent to /login, anonymous API callers get 401, and a known user
 * without the role gets 403. */
enum http_access {
  ACCESS_PUBLIC = 0,
  ACCESS_VIEWER,
  ACCESS_STAFF,
  ACCESS_ADMIN
};

enum http_route_kind {
  ROUTE_PAGE = 0,            /* HTML; errors rendered as pages */
  ROUTE_API,                 /* JSON; errors as {"error": {...}} */
  ROUTE_PLAIN                /* text, e.g. /metrics and /healthz */
};

struct http_route {
  const char *method;
  const char *pattern;       /* "/apps/{code}/edit"; {x} matches one segment */
  http_handler handler;
  enum http_access access;
  enum http_route_kind kind;
  const char *name;          /* label for /metrics, e.g. "app_show" */
};

/* Route tables, each ending with a zeroed entry; the dispatcher tries them
 * in this order. console/: catalog pages; console/account.c: login, logout,
 * language switch and the administrator's pages; api/: the JSON API;
 * http/system.c: /healthz, /metrics and /static/. */
extern const struct http_route console_routes[];
extern const struct http_route account_routes[];
extern const struct http_route api_routes[];
extern const struct http_route system_routes[];

/* Request input. Each returns NULL when absent. Query and form values are
 * URL-decoded; they are not validated as UTF-8 (the domain does that). */
const char *http_query(const struct http_request *rq, const char *name);
const char *http_form(const struct http_request *rq, const char *name);
const char *http_header(const struct http_request *rq, const char *name);
const char *http_cookie(const struct http_request *rq, const char *name);

/* Parses the body as a JSON object, refusing bodies that are not JSON, not
 * an object, or nested deeper than 32 levels. On failure returns NULL and
 * sets *err (SP_ERR_BAD_JSON, SP_ERR_JSON_TOO_DEEP, SP_ERR_UNSUPPORTED_MEDIA)
 * and `detail` (plain text, may be NULL). */
json_t *http_json_body(const struct http_request *rq, enum sp_err *err,
                       char *detail, size_t detail_len);

/* Appends the request's path and query, percent-encoded, e.g. for a link
 * that must come back to this page (/lang?next=...). */
void http_current_url(const struct http_request *rq, struct buf *out);

/* Appends a URL of this site that a GET can return to, for links such as
 * the language switch. For GET and HEAD it is the request's own URL. For
 * other methods (a form's POST) it is the request's path, or the nearest
 * path above it, that a GET route serves (POST /admin/users/x/role gives
 * /admin), and "/" when there is none. */
void http_return_url(const struct http_request *rq, struct buf *out);

/* Picks the Indonesian or English text by the request's language. */
const char *tr(const struct http_request *rq, const char *id, const char *en);

/* The CSRF token for forms and the X-CSRF-Token header of this request's
 * session (or of its pre-login cookie). Valid until the session ends. */
const char *http_csrf_token(struct http_request *rq);

/* Responses. */
void http_set_status(struct http_response *rs, int status);
void http_add_header(struct http_response *rs, const char *name,
                     const char *value);
/* 303 See Other to a path of this site (must start with '/'). */
void http_redirect(struct http_response *rs, const char *path);
/* True when `path` is a path of this site ("/x", not "//host" or "/\host")
 * without control characters, so it is safe as a redirect target. */
bool http_local_path(const char *path);
/* Adds a Set-Cookie header: Path=/, HttpOnly, SameSite=Lax, Secure over
 * TLS. `max_age` in seconds; 0 deletes the cookie, -1 makes it last until
 * the browser closes. `value` must be cookie-safe (e.g. base64url). */
void http_set_cookie(struct http_request *rq, struct http_response *rs,
                     const char *name, const char *value, int max_age);
/* Sends `json` (the reference is stolen) as application/json. */
void http_reply_json(struct http_response *rs, int status, json_t *json);
/* Sends {"error": {"code", "message_id", "message_en", "fields": [...]}}
 * with the status of `err`. Each field error gives field, code, detail_id
 * and detail_en. `fields` may be NULL when `count` is 0. */
void http_reply_error_json(struct http_response *rs, enum sp_err err,
                           const struct sp_field_error *fields, size_t count);
/* Renders an error page (status of `err`) in the request's language,
 * inside the page frame set with http_set_page_frame. */
void http_reply_error_page(struct http_request *rq, struct http_response *rs,
                           enum sp_err err, const char *detail);

/* The frame error pages are drawn in: `begin` opens a page titled `title`
 * (escaped by the frame) with the site's navigation, and `end` closes it.
 * http/ does not include the faces, so the console hands its frame over
 * at start. Until then error pages get a plain frame of their own. Set it
 * before the server runs, because requests read it without a lock. */
struct http_page_frame {
  void (*begin)(struct http_request *rq, struct http_response *rs,
                const char *title);
  void (*end)(struct http_request *rq, struct http_response *rs);
};
void http_set_page_frame(const struct http_page_frame *frame);

/* HTML built by construction: every %s argument of html_printf is escaped
 * (& < > " ' become entities), so dynamic text cannot inject markup. Only
 * the format string itself and html_raw() add markup; pass them literals. */
void html_printf(struct buf *out, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
void html_raw(struct buf *out, const char *literal);
/* Appends `text` escaped for HTML text and attribute values. */
void html_text(struct buf *out, const char *text);
/* Appends `text` percent-encoded for use inside a URL query value. */
void html_url_param(struct buf *out, const char *text);

#endif
