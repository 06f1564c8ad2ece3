/* The dispatcher: from a complete request to a handler's response. It
 * matches the route, takes a store connection, authenticates the caller,
 * picks the language, reads form fields, checks the route's role and the
 * CSRF token, and only then calls the handler. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/log.h"
#include "http/internal.h"
#include "http/metrics.h"

/* How long a request waits for a free store connection before 503. */
#define STORE_WAIT_MS 2000

static const struct http_route *const route_tables[] = {
  console_routes, account_routes, api_routes, system_routes};
#define ROUTE_TABLE_COUNT (sizeof route_tables / sizeof route_tables[0])

enum http_route_kind
http_kind_for_path(const char *path)
{
  if (path != NULL && strncmp(path, "/api/", 5) == 0)
    return ROUTE_API;
  return ROUTE_PAGE;
}

void
http_reply_error_for(struct http_ctx *c, enum http_route_kind kind,
                     enum sp_err err, const char *detail_id,
                     const char *detail_en)
{
  struct http_response *rs = &c->rs;
  bool has_detail = detail_id != NULL && detail_en != NULL;

  if (kind == ROUTE_API) {
    struct sp_field_error fe = {.err = err};
    if (has_detail) {
      snprintf(fe.detail_id, sizeof fe.detail_id, "%s", detail_id);
      snprintf(fe.detail_en, sizeof fe.detail_en, "%s", detail_en);
    }
    http_reply_error_json(rs, err, &fe, has_detail ? 1 : 0);
  } else if (kind == ROUTE_PLAIN) {
    const struct sp_error_info *info = sp_error_info(err);
    metrics_error(err);
    rs->status = info->http_status;
    rs->content_type = "text/plain; charset=utf-8";
    buf_reset(&rs->body);
    buf_printf(&rs->body, "%s: %s%s%s\n", info->code, info->message_en,
               has_detail ? " " : "", has_detail ? detail_en : "");
  } else {
    http_reply_error_page(&c->rq, rs, err,
                          has_detail ? tr(&c->rq, detail_id, detail_en)
                                     : NULL);
  }
}

/* Splits the raw path into percent-decoded segments in c->segments. False
 * when the path does not start with '/', is too deep, encodes a NUL byte,
 * or memory runs out. */
static bool
split_path(struct http_ctx *c)
{
  const char *raw = c->raw_path;
  if (raw[0] != '/' || strstr(raw, "%00") != NULL)
    return false;
  const char *p = raw + 1;
  if (*p == '\0')
    return true;
  for (;;) {
    size_t len = strcspn(p, "/");
    if (c->segment_count == HTTP_MAX_SEGMENTS)
      return false;
    char *segment = http_percent_decode(p, len, false, NULL);
    if (segment == NULL)
      return false;
    c->segments[c->segment_count++] = segment;
    if (p[len] == '\0')
      return true;
    p += len + 1;
  }
}

/* Matches `pattern` against the first `count` of `segments`. On success
 * fills `params` (may be NULL) with the "{x}" values. */
static bool
pattern_matches(char *const *segments, int count, const char *pattern,
                const char **params, size_t *param_count)
{
  const char *p = pattern + 1;
  int i = 0;
  size_t found = 0;

  if (*p == '\0')
    return count == 0;
  for (;; i++) {
    size_t len = strcspn(p, "/");
    if (i >= count)
      return false;
    const char *segment = segments[i];
    if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
      if (segment[0] == '\0' || found == HTTP_MAX_PARAMS)
        return false;
      if (params != NULL)
        params[found] = segment;
      found++;
    } else if (strlen(segment) != len || strncmp(segment, p, len) != 0) {
      return false;
    }
    if (p[len] == '\0')
      break;
    p += len + 1;
  }
  if (i + 1 != count)
    return false;
  if (param_count != NULL)
    *param_count = found;
  return true;
}

static bool
method_matches(const char *route_method, const char *method)
{
  return strcmp(route_method, method) == 0 ||
         (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

static void
allow_method(char *allow, size_t allow_len, const char *method)
{
  if (strstr(allow, method) != NULL)
    return;
  size_t used = strlen(allow);
  snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "", method);
}

/* Finds the route of the request. When only the method differs, writes the
 * methods the path allows into `allow` and returns NULL. HEAD is allowed
 * wherever GET is, because MHD serves it with the GET handler and sends
 * the headers only. */
static const struct http_route *
find_route(struct http_ctx *c, char *allow, size_t allow_len)
{
  allow[0] = '\0';
  for (size_t t = 0; t < ROUTE_TABLE_COUNT; t++) {
    for (const struct http_route *r = route_tables[t]; r->method; r++) {
      if (!pattern_matches(c->segments, c->segment_count, r->pattern,
                           c->rq.params, &c->rq.param_count))
        continue;
      if (method_matches(r->method, c->method))
        return r;
      allow_method(allow, allow_len, r->method);
      if (strcmp(r->method, "GET") == 0)
        allow_method(allow, allow_len, "HEAD");
    }
  }
  c->rq.param_count = 0;
  return NULL;
}

/* True when a GET route serves the first `count` segments of the path. */
static bool
get_route_exists(const struct http_ctx *c, int count)
{
  for (size_t t = 0; t < ROUTE_TABLE_COUNT; t++)
    for (const struct http_route *r = route_tables[t]; r->method; r++)
      if (strcmp(r->method, "GET") == 0 &&
          pattern_matches(c->segments, count, r->pattern, NULL, NULL))
        return true;
  return false;
}

void
http_return_url(const struct http_request *rq, struct buf *out)
{
  const struct http_ctx *c = http_ctx_of(rq);
  if (strcmp(c->method, "GET") == 0 || strcmp(c->method, "HEAD") == 0) {
    http_current_url(rq, out);
    return;
  }
  int count = c->segment_count;
  while (count > 0 && !get_route_exists(c, count))
    count--;
  if (count == 0)
    buf_putc(out, '/');
  for (int i = 0; i < count; i++) {
    buf_putc(out, '/');
    html_url_param(out, c->segments[i]);
  }
}

static void
reply_no_route(struct http_ctx *c, const char *allow)
{
  enum http_route_kind kind = http_kind_for_path(c->rq.path);
  if (allow[0] != '\0') {
    char detail_id[160], detail_en[160];
    snprintf(detail_id, sizeof detail_id, "metode yang diizinkan: %s", allow);
    snprintf(detail_en, sizeof detail_en, "allowed methods: %s", allow);
    http_reply_error_for(c, kind, SP_ERR_METHOD_NOT_ALLOWED, detail_id,
                         detail_en);
    http_add_header(&c->rs, "Allow", allow);
  } else {
    http_reply_error_for(c, kind, SP_ERR_NOT_FOUND, NULL, NULL);
  }
}

/* Authenticates with a Bearer token (API routes only) or the session
 * cookie. A caller without valid credentials stays anonymous, except that
 * an API request with an invalid token gets SP_ERR_UNAUTHORIZED. */
static enum sp_err
authenticate(struct http_ctx *c, enum http_route_kind kind)
{
  struct http_request *rq = &c->rq;
  int64_t now = (int64_t)time(NULL);
  const char *auth = http_header(rq, "Authorization");

  if (kind == ROUTE_API && auth != NULL) {
    if (strncasecmp(auth, "Bearer ", 7) != 0)
      return SP_ERR_UNAUTHORIZED;
    const char *token = auth + 7;
    while (*token == ' ')
      token++;
    struct api_token t = {0};
    enum sp_err err = account_token_find(rq->store, token, now, &t, &c->user);
    api_token_free(&t);
    if (err != SP_OK)
      return err;
    rq->user = &c->user;
    rq->via_token = true;
    return SP_OK;
  }
  const char *cookie = http_cookie(rq, HTTP_SESSION_COOKIE);
  if (cookie == NULL)
    return SP_OK;
  enum sp_err err = account_session_find(rq->store, cookie, now,
                                         rq->cfg->session_ttl, &c->session,
                                         &c->user);
  if (err == SP_ERR_UNAUTHORIZED)
    return SP_OK;
  if (err != SP_OK)
    return err;
  rq->user = &c->user;
  rq->session = &c->session;
  /* A session renewed just now lasts session_ttl again, and so must the
   * cookie. A handler's own Set-Cookie (logout) comes later and wins. */
  if (c->session.seen_at == now && c->session.created_at < now)
    http_set_cookie(rq, &c->rs, HTTP_SESSION_COOKIE, cookie,
                    rq->cfg->session_ttl);
  return SP_OK;
}

/* Pages are in Indonesian unless the user chose English with the language
 * switch (kept in the session, or in a cookie before login). The browser's
 * Accept-Language is not consulted: civil servants' browsers are often set
 * to English, and the city's working language is Indonesian. */
static void
choose_language(struct http_ctx *c)
{
  struct http_request *rq = &c->rq;
  const char *cookie = http_cookie(rq, HTTP_LANG_COOKIE);

  if (rq->session != NULL && (strcmp(rq->session->lang, "en") == 0 ||
                              strcmp(rq->session->lang, "id") == 0))
    rq->lang = strcmp(rq->session->lang, "en") == 0 ? "en" : "id";
  else if (cookie != NULL && (strcmp(cookie, "en") == 0 ||
                              strcmp(cookie, "id") == 0))
    rq->lang = strcmp(cookie, "en") == 0 ? "en" : "id";
  else
    rq->lang = "id";
}

/* Sends an anonymous caller of a page to /login, back here afterwards. */
static void
redirect_to_login(struct http_ctx *c)
{
  struct buf next, target;
  buf_init(&next, 900);
  buf_init(&target, sizeof c->rs.location - 1);
  if (strcmp(c->method, "GET") == 0)
    http_current_url(&c->rq, &next);
  else
    buf_puts(&next, "/");
  buf_puts(&target, "/login?next=");
  html_url_param(&target, next.too_big ? "/" : buf_str(&next));
  http_redirect(&c->rs, target.too_big ? "/login" : buf_str(&target));
  buf_free(&next);
  buf_free(&target);
}

/* Checks the route's role; false after writing the refusal. */
static bool
check_access(struct http_ctx *c)
{
  const struct http_route *r = c->route;
  if (r->access == ACCESS_PUBLIC)
    return true;
  if (c->rq.user == NULL) {
    if (r->kind == ROUTE_PAGE) {
      redirect_to_login(c);
    } else {
      http_reply_error_for(c, r->kind, SP_ERR_UNAUTHORIZED,
                           "kirim 'Authorization: Bearer TOKEN' dengan token "
                           "dari 'simpul token add'",
                           "send 'Authorization: Bearer TOKEN' with a token "
                           "from 'simpul token add'");
      if (r->kind == ROUTE_API)
        http_add_header(&c->rs, "WWW-Authenticate", "Bearer");
    }
    return false;
  }
  enum role needed = (enum role)(r->access - ACCESS_VIEWER);
  if (c->rq.user->role < needed) {
    char detail_id[120], detail_en[120];
    snprintf(detail_id, sizeof detail_id, "perlu peran '%s', peran Anda "
             "'%s'", role_name(needed), role_name(c->rq.user->role));
    snprintf(detail_en, sizeof detail_en, "role '%s' needed, you have '%s'",
             role_name(needed), role_name(c->rq.user->role));
    http_reply_error_for(c, r->kind, SP_ERR_FORBIDDEN, detail_id, detail_en);
    log_event(LOG_WARN, "http.forbidden", "user", c->rq.user->name, "route",
              r->name, NULL);
    return false;
  }
  return true;
}

static bool
changes_state(const char *method)
{
  return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
         strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0;
}

/* Checks the CSRF token of a state-changing request that did not come with
 * an API token; false after writing the 403. */
static bool
check_csrf(struct http_ctx *c)
{
  struct http_request *rq = &c->rq;
  if (!changes_state(c->method) || rq->via_token)
    return true;

  const char *submitted = http_form(rq, "csrf");
  if (submitted == NULL)
    submitted = http_header(rq, "X-CSRF-Token");
  char expected[ACCOUNT_HEX_SIZE] = "";
  if (rq->session != NULL)
    http_csrf_compute("csrf", rq->session->id_hash, expected);
  else if (c->pre_cookie[0] != '\0')
    http_csrf_compute("pre", c->pre_cookie, expected);
  if (expected[0] != '\0' && http_csrf_equal(expected, submitted))
    return true;
  log_event(LOG_WARN, "http.csrf_refused", "route", c->route->name,
            "reason", submitted == NULL ? "missing" : "mismatch", NULL);
  http_reply_error_for(c, c->route->kind, SP_ERR_CSRF,
                       "muat ulang halaman formulir lalu kirim lagi, atau "
                       "kirim token di header X-CSRF-Token",
                       "reload the form's page and send it again, or send "
                       "the token in the header X-CSRF-Token");
  return false;
}

/* Keeps a well-formed pre-login cookie, so the token of the form the
 * browser shows can be checked and the same cookie reused. */
static void
read_pre_cookie(struct http_ctx *c)
{
  const char *pre = http_cookie(&c->rq, HTTP_PRE_COOKIE);
  if (pre == NULL || strlen(pre) != ACCOUNT_SECRET_SIZE - 1 ||
      strspn(pre, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789-_") != ACCOUNT_SECRET_SIZE - 1)
    return;
  memcpy(c->pre_cookie, pre, ACCOUNT_SECRET_SIZE);
}

static bool
is_form_body(const char *content_type)
{
  static const char form[] = "application/x-www-form-urlencoded";
  return content_type != NULL &&
         strncasecmp(content_type, form, sizeof form - 1) == 0 &&
         (content_type[sizeof form - 1] == '\0' ||
          content_type[sizeof form - 1] == ';');
}

/* Reads the query and, for a form post, the body's fields. False after
 * writing the error: 400 naming a field that contains %00, or 503 when
 * memory runs out. */
static bool
read_fields(struct http_ctx *c, enum http_route_kind kind)
{
  struct http_request *rq = &c->rq;
  struct http_fields *bad = &c->query;
  enum http_fields_rc rc = http_fields_from_query(&c->query, c->conn);
  if (rc == HTTP_FIELDS_OK && is_form_body(rq->content_type)) {
    bad = &c->form;
    rc = http_fields_parse(&c->form, rq->body, rq->body_len);
  }
  if (rc == HTTP_FIELDS_OK)
    return true;
  if (rc == HTTP_FIELDS_NOMEM) {
    http_reply_error_for(c, kind, SP_ERR_NOMEM, NULL, NULL);
    return false;
  }
  char detail_id[160], detail_en[160];
  snprintf(detail_id, sizeof detail_id, "parameter '%s' memuat byte NUL "
           "(%%00); hapus dari nilainya", bad->nul_name);
  snprintf(detail_en, sizeof detail_en, "the parameter '%s' contains a NUL "
           "byte (%%00); remove it from the value", bad->nul_name);
  http_reply_error_for(c, kind, SP_ERR_BAD_REQUEST, detail_id, detail_en);
  return false;
}

/* Everything before the handler that needs the route: the store, the
 * caller, the language and the fields. False after writing a refusal. */
static bool
prepare(struct http_ctx *c)
{
  struct http_request *rq = &c->rq;
  enum http_route_kind kind = c->route->kind;

  rq->store = store_pool_acquire(c->server->pool, STORE_WAIT_MS);
  if (rq->store == NULL) {
    log_event(LOG_WARN, "http.store_busy", "route", c->route->name, NULL);
    http_reply_error_for(c, kind, SP_ERR_STORE_BUSY, NULL, NULL);
    http_add_header(&c->rs, "Retry-After", "2");
    return false;
  }
  c->pooled_store = true;
  if (!read_fields(c, kind))
    return false;
  read_pre_cookie(c);
  enum sp_err err = authenticate(c, kind);
  choose_language(c);
  if (rq->user != NULL)
    snprintf(c->user_name, sizeof c->user_name, "%s", rq->user->name);
  if (err == SP_ERR_UNAUTHORIZED) {
    http_reply_error_for(c, kind, err,
                         "token API tidak valid atau sudah dicabut",
                         "the API token is invalid or revoked");
    http_add_header(&c->rs, "WWW-Authenticate",
                    "Bearer error=\"invalid_token\"");
    return false;
  }
  if (err != SP_OK) {
    http_reply_error_for(c, kind, err, NULL, NULL);
    return false;
  }
  return check_access(c) && check_csrf(c);
}

/* Finds who sent a page request that matched no route, so its error page
 * carries the signed-in user's navigation. A busy store or a bad cookie
 * leaves the caller anonymous: the 404 or 405 is sent either way. */
static void
identify_visitor(struct http_ctx *c)
{
  if (http_kind_for_path(c->rq.path) != ROUTE_PAGE ||
      http_cookie(&c->rq, HTTP_SESSION_COOKIE) == NULL)
    return;
  c->rq.store = store_pool_acquire(c->server->pool, STORE_WAIT_MS);
  if (c->rq.store == NULL)
    return;
  c->pooled_store = true;
  read_pre_cookie(c);
  if (authenticate(c, ROUTE_PAGE) == SP_OK && c->rq.user != NULL)
    snprintf(c->user_name, sizeof c->user_name, "%s", c->rq.user->name);
  choose_language(c);
}

void
http_dispatch(struct http_ctx *c)
{
  char allow[64];

  c->rs.status = 200;
  choose_language(c); /* for refusals; set again once the caller is known */
  if (!split_path(c)) {
    http_reply_error_for(c, http_kind_for_path(c->raw_path),
                         SP_ERR_BAD_REQUEST, "path URL tidak valid",
                         "the URL path is malformed");
    return;
  }
  c->route = find_route(c, allow, sizeof allow);
  if (c->route == NULL) {
    c->route_name = allow[0] ? "method_not_allowed" : "not_found";
    identify_visitor(c);
    reply_no_route(c, allow);
    return;
  }
  c->route_name = c->route->name;
  if (!prepare(c))
    return;
  c->route->handler(&c->rq, &c->rs);
}
