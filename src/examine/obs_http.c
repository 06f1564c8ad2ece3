/* Headers combined as Node.js combines them, URL parts, and the small list
 * helpers the tests share. */
#include "examine/obs_internal.h"

#include <string.h>
#include <strings.h>

/* Headers for which Node.js 20 (lib/_http_incoming.js) keeps the first line
 * and drops repeats. */
static const char *const SINGLE_VALUED[] = {
  "age", "authorization", "content-length", "content-type", "etag",
  "expires", "from", "host", "if-modified-since", "if-unmodified-since",
  "last-modified", "location", "max-forwards", "proxy-authorization",
  "referer", "retry-after", "server", "user-agent", NULL};

bool
obs_in_list(const char *s, const char *const *list)
{
  if (s == NULL)
    return false;
  for (size_t i = 0; list[i] != NULL; i++)
    if (strcmp(s, list[i]) == 0)
      return true;
  return false;
}

static int
index_in(const char *s, const char *const *order)
{
  for (int i = 0; s != NULL && order[i] != NULL; i++)
    if (strcmp(s, order[i]) == 0)
      return i;
  return -1;
}

const char *
obs_only_if_worse(const char *candidate, const char *result,
                  const char *const *order)
{
  if (result == NULL)
    return candidate;
  return index_in(candidate, order) > index_in(result, order) ? candidate
                                                               : result;
}

/* Converts Latin-1 bytes to UTF-8, trimming spaces and tabs at both ends
 * as Node's HTTP parser does. */
static char *
latin1_value(struct obs_arena *a, const char *v)
{
  size_t len = strlen(v), start = 0;
  while (start < len && (v[start] == ' ' || v[start] == '\t'))
    start++;
  while (len > start && (v[len - 1] == ' ' || v[len - 1] == '\t'))
    len--;
  char *out = obs_alloc(a, 2 * (len - start) + 1);
  if (out == NULL)
    return NULL;
  size_t o = 0;
  for (size_t i = start; i < len; i++) {
    unsigned char c = (unsigned char)v[i];
    if (c < 0x80) {
      out[o++] = (char)c;
    } else {
      out[o++] = (char)(0xC0 | c >> 6);
      out[o++] = (char)(0x80 | (c & 0x3F));
    }
  }
  out[o] = '\0';
  return out;
}

/* axios's sanitizeHeaderValue: drops C0 controls but tab, and DEL, then
 * trims spaces and tabs. Works in place. */
static void
axios_sanitize(char *v)
{
  size_t o = 0;
  for (size_t i = 0; v[i]; i++) {
    unsigned char c = (unsigned char)v[i];
    if ((c < 0x20 && c != '\t') || c == 0x7F)
      continue;
    v[o++] = v[i];
  }
  v[o] = '\0';
  size_t start = 0;
  while (v[start] == ' ' || v[start] == '\t')
    start++;
  while (o > start && (v[o - 1] == ' ' || v[o - 1] == '\t'))
    o--;
  memmove(v, v + start, o - start);
  v[o - start] = '\0';
}

static struct obs_hfield *
find_field(struct obs_headers *h, const char *name)
{
  for (size_t i = 0; i < h->count; i++)
    if (strcmp(h->fields[i].name, name) == 0)
      return &h->fields[i];
  return NULL;
}

static bool
add_line(struct obs_arena *a, struct obs_headers *h, const char *name,
         char *value)
{
  if (strcmp(name, "set-cookie") == 0) {
    h->set_cookie_node[h->set_cookie_count] = value;
    h->set_cookie[h->set_cookie_count] = obs_strdup(a, value);
    return h->set_cookie[h->set_cookie_count++] != NULL;
  }
  struct obs_hfield *f = find_field(h, name);
  if (f == NULL) {
    h->fields[h->count++] = (struct obs_hfield){(char *)name, value};
    return true;
  }
  if (obs_in_list(name, SINGLE_VALUED))
    return true;
  const char *sep = strcmp(name, "cookie") == 0 ? "; " : ", ";
  size_t n1 = strlen(f->value), n2 = strlen(value);
  char *joined = obs_alloc(a, n1 + 2 + n2 + 1);
  if (joined == NULL)
    return false;
  memcpy(joined, f->value, n1);
  memcpy(joined + n1, sep, 2);
  memcpy(joined + n1 + 2, value, n2 + 1);
  f->value = joined;
  return true;
}

bool
obs_headers_build(struct obs_arena *a, const struct obs_response *r,
                  struct obs_headers *out)
{
  *out = (struct obs_headers){0};
  if (r == NULL || r->header_count == 0)
    return true;
  out->fields = obs_alloc(a, r->header_count * sizeof *out->fields);
  out->set_cookie = obs_alloc(a, r->header_count * sizeof *out->set_cookie);
  out->set_cookie_node =
    obs_alloc(a, r->header_count * sizeof *out->set_cookie_node);
  if (out->fields == NULL || out->set_cookie == NULL ||
      out->set_cookie_node == NULL)
    return false;
  for (size_t i = 0; i < r->header_count; i++) {
    const struct obs_header *hd = &r->headers[i];
    if (hd->name == NULL || hd->value == NULL || hd->name[0] == '\0')
      continue;
    char *name = obs_lower(a, hd->name);
    char *value = latin1_value(a, hd->value);
    if (name == NULL || value == NULL || !add_line(a, out, name, value))
      return false;
  }
  for (size_t i = 0; i < out->count; i++)
    axios_sanitize(out->fields[i].value);
  for (size_t i = 0; i < out->set_cookie_count; i++)
    axios_sanitize(out->set_cookie[i]);
  return true;
}

const char *
obs_header_get(const struct obs_headers *h, const char *name)
{
  for (size_t i = 0; i < h->count; i++)
    if (strcmp(h->fields[i].name, name) == 0)
      return h->fields[i].value;
  return NULL;
}

/* Path and query of a URL as the cookie jar sees the request: the query
 * stays in the path with its '?' escaped, because the Observatory's cookie
 * agent formats the request URL with the query inside the pathname. */
static char *
cookie_path(struct obs_arena *a, const char *p)
{
  size_t len = strcspn(p, "#");
  const char *q = memchr(p, '?', len);
  if (q == NULL)
    return obs_strndup(a, p, len);
  size_t before = (size_t)(q - p), after = len - before - 1;
  char *out = obs_alloc(a, len + 3);
  if (out == NULL)
    return NULL;
  memcpy(out, p, before);
  memcpy(out + before, "%3F", 3);
  memcpy(out + before + 3, q + 1, after);
  return out;
}

bool
obs_url_parse(struct obs_arena *a, const char *url, struct obs_url *out)
{
  *out = (struct obs_url){0};
  const char *colon = strchr(url, ':');
  if (colon == NULL || colon == url)
    return false;
  char *scheme = obs_strndup(a, url, (size_t)(colon - url));
  out->scheme = scheme ? obs_lower(a, scheme) : NULL;
  const char *p = colon + 1;
  if (strncmp(p, "//", 2) == 0) {
    p += 2;
    size_t alen = strcspn(p, "/?#");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
      if (p[i] == '@')
        at = p + i;
    const char *h = at ? at + 1 : p;
    size_t hlen = (size_t)(p + alen - h);
    if (hlen > 0 && h[0] == '[') {
      const char *close = memchr(h, ']', hlen);
      hlen = close ? (size_t)(close - h) + 1 : hlen;
    } else {
      const char *port = memchr(h, ':', hlen);
      hlen = port ? (size_t)(port - h) : hlen;
    }
    char *host = obs_strndup(a, h, hlen);
    out->host = host ? obs_lower(a, host) : NULL;
    p += alen;
  }
  out->path = p[0] == '/' ? cookie_path(a, p) : obs_strdup(a, "/");
  return !a->failed && out->scheme != NULL && out->path != NULL;
}

const struct obs_preload_entry *
obs_preloaded(const struct obs_input *in, const char *host)
{
  if (host == NULL)
    return NULL;
  for (size_t i = 0; i < in->preload_count; i++)
    if (strcasecmp(in->preload[i].host, host) == 0)
      return &in->preload[i];
  for (const char *dot = strchr(host, '.'); dot != NULL;
       dot = strchr(dot + 1, '.'))
    for (size_t i = 0; i < in->preload_count; i++)
      if (in->preload[i].include_subdomains &&
          strcasecmp(in->preload[i].host, dot + 1) == 0)
        return &in->preload[i];
  return NULL;
}
