/* Responses: what handlers call to set status, headers and body, the
 * error replies, and the step that hands a finished response to MHD with
 * the security headers every response carries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "http/internal.h"
#include "http/metrics.h"

/* No inline script or style anywhere, so the policy needs no
 * 'unsafe-inline'; forms post only to this site and no site may frame it. */
#define CONTENT_SECURITY_POLICY                                          \
  "default-src 'none'; style-src 'self'; img-src 'self' data:; "         \
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/* Retry-After of a 503 reply, in seconds, unless the handler set one. */
#define SERVICE_RETRY_AFTER "5"

void
http_set_status(struct http_response *rs, int status)
{
  rs->status = status;
}

/* True when `s` could split a header line or carries a control byte. */
static bool
header_text_bad(const char *s)
{
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 && *p != '\t')
      return true;
  return false;
}

void
http_add_header(struct http_response *rs, const char *name,
                const char *value)
{
  if (rs->header_count >= HTTP_MAX_HEADERS || header_text_bad(name) ||
      header_text_bad(value) || strchr(name, ':') != NULL) {
    log_event(LOG_ERROR, "http.header_dropped", "name", name, NULL);
    return;
  }
  size_t len = strlen(name) + strlen(value) + 3;
  char *line = malloc(len);
  if (line == NULL) {
    log_event(LOG_ERROR, "http.header_dropped", "name", name, "reason",
              "out of memory", NULL);
    return;
  }
  snprintf(line, len, "%s: %s", name, value);
  rs->headers[rs->header_count++] = line;
}

void
http_set_cookie(struct http_request *rq, struct http_response *rs,
                const char *name, const char *value, int max_age)
{
  char line[512];
  char age[32] = "";
  if (max_age >= 0)
    snprintf(age, sizeof age, "; Max-Age=%d", max_age);
  snprintf(line, sizeof line, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
           name, value, age, rq->tls ? "; Secure" : "");
  http_add_header(rs, "Set-Cookie", line);
}

bool
http_local_path(const char *path)
{
  if (path == NULL || path[0] != '/' || path[1] == '/' || path[1] == '\\')
    return false;
  for (const unsigned char *p = (const unsigned char *)path; *p; p++)
    if (*p < 0x20 || *p == 0x7f || *p == '\\')
      return false;
  return strlen(path) < sizeof ((struct http_response *)0)->location;
}

void
http_redirect(struct http_response *rs, const char *path)
{
  rs->status = 303;
  snprintf(rs->location, sizeof rs->location, "%s",
           http_local_path(path) ? path : "/");
}

void
http_reply_json(struct http_response *rs, int status, json_t *json)
{
  rs->content_type = "application/json";
  buf_reset(&rs->body);
  char *text = json ? json_dumps(json, JSON_COMPACT) : NULL;
  json_decref(json);
  if (text == NULL || !buf_puts(&rs->body, text)) {
    log_event(LOG_ERROR, "http.json_failed", NULL);
    rs->status = 500;
    buf_reset(&rs->body);
    buf_puts(&rs->body, "{\"error\":{\"code\":\"internal_error\"}}");
  } else {
    rs->status = status;
  }
  free(text);
}

void
http_reply_error_json(struct http_response *rs, enum sp_err err,
                      const struct sp_field_error *fields, size_t count)
{
  const struct sp_error_info *info = sp_error_info(err);
  json_t *list = json_array();
  for (size_t i = 0; list != NULL && i < count; i++) {
    const struct sp_field_error *f = &fields[i];
    json_array_append_new(
      list, json_pack("{s:s, s:s, s:s, s:s}", "field", f->field, "code",
                      sp_error_info(f->err)->code, "detail_id", f->detail_id,
                      "detail_en", f->detail_en));
  }
  json_t *body = json_pack("{s:{s:s, s:s, s:s, s:o*}}", "error", "code",
                           info->code, "message_id", info->message_id,
                           "message_en", info->message_en, "fields", list);
  metrics_error(err);
  http_reply_json(rs, info->http_status, body);
}

static const struct http_page_frame *page_frame;

void
http_set_page_frame(const struct http_page_frame *frame)
{
  page_frame = frame;
}

/* The frame of error pages until a face sets its own. */
static void
plain_frame_begin(struct http_request *rq, struct http_response *rs,
                  const char *title)
{
  html_printf(&rs->body,
              "<!doctype html>\n<html lang=\"%s\">\n<head>\n"
              "<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, "
              "initial-scale=1\">\n<title>%s · simpul</title>\n"
              "<link rel=\"stylesheet\" href=\"/static/simpul.css\">\n"
              "<link rel=\"icon\" href=\"data:,\">\n</head>\n<body>\n"
              "<header class=\"top\"><a class=\"brand\" href=\"/\">simpul"
              "</a></header>\n<main>\n", tr(rq, "id", "en"), title);
}

static void
plain_frame_end(struct http_request *rq, struct http_response *rs)
{
  (void)rq;
  html_raw(&rs->body, "</main>\n</body>\n</html>\n");
}

static const struct http_page_frame plain_frame = {plain_frame_begin,
                                                   plain_frame_end};

void
http_reply_error_page(struct http_request *rq, struct http_response *rs,
                      enum sp_err err, const char *detail)
{
  const struct sp_error_info *info = sp_error_info(err);
  const struct http_page_frame *frame = page_frame ? page_frame : &plain_frame;
  const char *message = tr(rq, info->message_id, info->message_en);
  char title[48];
  struct buf *out = &rs->body;

  metrics_error(err);
  rs->status = info->http_status;
  rs->content_type = "text/html; charset=utf-8";
  buf_reset(out);
  snprintf(title, sizeof title, "%d", info->http_status);
  frame->begin(rq, rs, title);
  html_printf(out, "<h1>%s</h1>\n", message);
  if (detail != NULL && detail[0] != '\0')
    html_printf(out, "<p class=\"error-detail\">%s</p>\n", detail);
  html_printf(out, "<p><a href=\"/\">%s</a></p>\n",
              tr(rq, "Kembali ke dasbor", "Back to the dashboard"));
  frame->end(rq, rs);
}

static void
add_security_headers(struct MHD_Response *r, bool tls)
{
  MHD_add_response_header(r, "Content-Security-Policy",
                          CONTENT_SECURITY_POLICY);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "X-Frame-Options", "DENY");
  MHD_add_response_header(r, "Referrer-Policy", "same-origin");
  if (tls)
    MHD_add_response_header(r, "Strict-Transport-Security",
                            "max-age=31536000");
}

/* Adds the handler's "Name: value" lines; true when one was Cache-Control. */
static bool
add_extra_headers(struct MHD_Response *r, const struct http_response *rs)
{
  bool cache_control = false;
  for (size_t i = 0; i < rs->header_count; i++) {
    char *line = rs->headers[i];
    char *colon = strchr(line, ':');
    if (colon == NULL)
      continue;
    *colon = '\0';
    const char *value = colon + 1;
    while (*value == ' ')
      value++;
    MHD_add_response_header(r, line, value);
    cache_control = cache_control || strcasecmp(line, "Cache-Control") == 0;
    *colon = ':';
  }
  return cache_control;
}

/* True when the handler added a header named `name`. */
static bool
has_header(const struct http_response *rs, const char *name)
{
  size_t len = strlen(name);
  for (size_t i = 0; i < rs->header_count; i++)
    if (strncasecmp(rs->headers[i], name, len) == 0 &&
        rs->headers[i][len] == ':')
      return true;
  return false;
}

enum MHD_Result
http_send(struct http_ctx *c)
{
  struct http_response *rs = &c->rs;

  if (rs->body.too_big) {
    log_event(LOG_ERROR, "http.response_too_large", "route", c->route_name,
              NULL);
    rs->status = 500;
    rs->content_type = "text/plain; charset=utf-8";
    buf_free(&rs->body);
    buf_puts(&rs->body, "internal error: the response grew too large\n");
  }
  size_t len = rs->body.len;
  char *body = buf_take(&rs->body);
  if (body == NULL)
    return MHD_NO;
  struct MHD_Response *r =
    MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  if (r == NULL) {
    free(body);
    return MHD_NO;
  }
  MHD_add_response_header(r, "Content-Type",
                          rs->content_type ? rs->content_type
                                           : "text/html; charset=utf-8");
  add_security_headers(r, c->rq.tls);
  /* Every 503 is about a store or memory that may recover, so the reply
   * gives clients and balancers a time to try again. */
  if (rs->status == 503 && !has_header(rs, "Retry-After"))
    MHD_add_response_header(r, "Retry-After", SERVICE_RETRY_AFTER);
  if (!add_extra_headers(r, rs))
    MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "X-Request-Id", c->rq.request_id);
  if (rs->status >= 300 && rs->status < 400 && rs->location[0] != '\0')
    MHD_add_response_header(r, "Location", rs->location);
  if (c->pre_cookie_new) {
    char line[160];
    snprintf(line, sizeof line,
             HTTP_PRE_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax%s",
             c->pre_cookie, c->rq.tls ? "; Secure" : "");
    MHD_add_response_header(r, "Set-Cookie", line);
  }
  c->status = rs->status;
  enum MHD_Result ret = MHD_queue_response(c->conn, (unsigned)rs->status, r);
  MHD_destroy_response(r);
  return ret;
}
