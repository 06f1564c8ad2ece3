/* Request input: query and form fields, headers, cookies, the JSON body,
 * the page language and the CSRF token. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"

static int
hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

char *
http_percent_decode(const char *in, size_t len, bool plus, size_t *out_len)
{
  char *out = malloc(len + 1);
  size_t n = 0;

  if (out == NULL)
    return NULL;
  for (size_t i = 0; i < len; i++) {
    int hi, lo;
    if (in[i] == '%' && i + 2 < len && (hi = hex_value(in[i + 1])) >= 0 &&
        (lo = hex_value(in[i + 2])) >= 0) {
      out[n++] = (char)(hi * 16 + lo);
      i += 2;
    } else if (plus && in[i] == '+') {
      out[n++] = ' ';
    } else {
      out[n++] = in[i];
    }
  }
  out[n] = '\0';
  if (out_len != NULL)
    *out_len = n;
  return out;
}

static enum http_fields_rc
fields_add(struct http_fields *fields, const char *name, size_t name_len,
           const char *value, size_t value_len, bool plus)
{
  if (fields->count >= HTTP_MAX_FIELDS)
    return HTTP_FIELDS_OK; /* extra fields are ignored */
  struct http_field *f = &fields->items[fields->count];
  size_t decoded_name = 0, decoded_value = 0;
  f->name = http_percent_decode(name, name_len, plus, &decoded_name);
  f->value = http_percent_decode(value, value_len, plus, &decoded_value);
  enum http_fields_rc rc = HTTP_FIELDS_OK;
  if (f->name == NULL || f->value == NULL) {
    rc = HTTP_FIELDS_NOMEM;
  } else if (strlen(f->name) != decoded_name ||
             strlen(f->value) != decoded_value) {
    snprintf(fields->nul_name, sizeof fields->nul_name, "%s", f->name);
    rc = HTTP_FIELDS_NUL;
  }
  if (rc != HTTP_FIELDS_OK) {
    free(f->name);
    free(f->value);
    *f = (struct http_field){0};
    return rc;
  }
  fields->count++;
  return HTTP_FIELDS_OK;
}

enum http_fields_rc
http_fields_parse(struct http_fields *fields, const char *text, size_t len)
{
  size_t i = 0;
  while (i < len) {
    size_t end = i;
    while (end < len && text[end] != '&')
      end++;
    if (end > i) {
      const char *eq = memchr(text + i, '=', end - i);
      size_t name_len = eq ? (size_t)(eq - (text + i)) : end - i;
      const char *value = eq ? eq + 1 : text + end;
      size_t value_len = eq ? (size_t)(text + end - value) : 0;
      enum http_fields_rc rc = fields_add(fields, text + i, name_len, value,
                                          value_len, true);
      if (rc != HTTP_FIELDS_OK)
        return rc;
    }
    i = end + 1;
  }
  return HTTP_FIELDS_OK;
}

struct query_walk {
  struct http_fields *fields;
  enum http_fields_rc rc;
};

static enum MHD_Result
collect_argument(void *cls, enum MHD_ValueKind kind, const char *key,
                 const char *value)
{
  struct query_walk *walk = cls;
  (void)kind;
  /* MHD has already turned '+' into spaces; the server's unescape callback
   * leaves %XX alone, so it is decoded here. */
  walk->rc = fields_add(walk->fields, key, strlen(key), value ? value : "",
                        value ? strlen(value) : 0, false);
  return walk->rc == HTTP_FIELDS_OK ? MHD_YES : MHD_NO;
}

enum http_fields_rc
http_fields_from_query(struct http_fields *fields, struct MHD_Connection *conn)
{
  struct query_walk walk = {fields, HTTP_FIELDS_OK};
  MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_argument,
                            &walk);
  return walk.rc;
}

void
http_fields_free(struct http_fields *fields)
{
  for (size_t i = 0; i < fields->count; i++) {
    free(fields->items[i].name);
    free(fields->items[i].value);
  }
  fields->count = 0;
}

static const char *
fields_get(const struct http_fields *fields, const char *name)
{
  for (size_t i = 0; i < fields->count; i++)
    if (strcmp(fields->items[i].name, name) == 0)
      return fields->items[i].value;
  return NULL;
}

const char *
http_query(const struct http_request *rq, const char *name)
{
  return fields_get(&http_ctx_of(rq)->query, name);
}

const char *
http_form(const struct http_request *rq, const char *name)
{
  return fields_get(&http_ctx_of(rq)->form, name);
}

const char *
http_header(const struct http_request *rq, const char *name)
{
  return MHD_lookup_connection_value(http_ctx_of(rq)->conn, MHD_HEADER_KIND,
                                     name);
}

const char *
http_cookie(const struct http_request *rq, const char *name)
{
  return MHD_lookup_connection_value(http_ctx_of(rq)->conn, MHD_COOKIE_KIND,
                                     name);
}

void
http_current_url(const struct http_request *rq, struct buf *out)
{
  const struct http_ctx *c = http_ctx_of(rq);
  /* The path is re-encoded segment by segment, keeping its slashes. */
  for (int i = 0; i < c->segment_count; i++) {
    buf_putc(out, '/');
    html_url_param(out, c->segments[i]);
  }
  if (c->segment_count == 0)
    buf_putc(out, '/');
  for (size_t i = 0; i < c->query.count; i++) {
    buf_putc(out, i == 0 ? '?' : '&');
    html_url_param(out, c->query.items[i].name);
    buf_putc(out, '=');
    html_url_param(out, c->query.items[i].value);
  }
}

const char *
tr(const struct http_request *rq, const char *id, const char *en)
{
  return rq->lang != NULL && strcmp(rq->lang, "en") == 0 ? en : id;
}

/* Returns the nesting depth of the JSON text, stopping once it passes
 * `limit`. Brackets inside strings do not count. jansson's own limit is a
 * build-time constant (2048 in Debian's build), far above ours, so the
 * depth is measured before parsing. */
static int
json_depth(const char *text, size_t len, int limit)
{
  int depth = 0, max = 0;
  bool in_string = false;

  for (size_t i = 0; i < len; i++) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        i++;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max)
        max = depth;
      if (max > limit)
        return max;
    } else if (c == ']' || c == '}') {
      depth--;
    }
  }
  return max;
}

#define JSON_MAX_DEPTH 32

json_t *
http_json_body(const struct http_request *rq, enum sp_err *err, char *detail,
               size_t detail_len)
{
  const char *type = rq->content_type;
  size_t type_len = type ? strcspn(type, ";") : 0;
  while (type_len > 0 && type[type_len - 1] == ' ')
    type_len--;
  if (detail != NULL && detail_len > 0)
    detail[0] = '\0';
  if (type == NULL || type_len != strlen("application/json") ||
      strncasecmp(type, "application/json", type_len) != 0) {
    *err = SP_ERR_UNSUPPORTED_MEDIA;
    if (detail != NULL)
      snprintf(detail, detail_len,
               "Content-Type is '%.60s'; send application/json",
               type ? type : "(none)");
    return NULL;
  }
  if (json_depth(rq->body, rq->body_len, JSON_MAX_DEPTH) > JSON_MAX_DEPTH) {
    *err = SP_ERR_JSON_TOO_DEEP;
    if (detail != NULL)
      snprintf(detail, detail_len, "nesting is deeper than %d levels",
               JSON_MAX_DEPTH);
    return NULL;
  }
  json_error_t jerr;
  json_t *root = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES,
                            &jerr);
  if (root == NULL) {
    *err = SP_ERR_BAD_JSON;
    if (detail != NULL)
      snprintf(detail, detail_len, "line %d, column %d: %s", jerr.line,
               jerr.column, jerr.text);
    return NULL;
  }
  if (!json_is_object(root)) {
    json_decref(root);
    *err = SP_ERR_BAD_JSON;
    if (detail != NULL)
      snprintf(detail, detail_len, "the body must be a JSON object");
    return NULL;
  }
  *err = SP_OK;
  return root;
}

const char *
http_csrf_token(struct http_request *rq)
{
  struct http_ctx *c = http_ctx_of(rq);

  if (c->csrf[0] != '\0')
    return c->csrf;
  if (rq->session != NULL) {
    http_csrf_compute("csrf", rq->session->id_hash, c->csrf);
    return c->csrf;
  }
  if (c->pre_cookie[0] == '\0') {
    account_random_secret(c->pre_cookie);
    c->pre_cookie_new = true;
  }
  http_csrf_compute("pre", c->pre_cookie, c->csrf);
  return c->csrf;
}
