/* The auto response's body as the Observatory reads it: decoded as axios
 * decodes it, then parsed as HTML for meta elements (CSP and referrer) and
 * script elements (subresource integrity). The Observatory parses with
 * jsdom (an HTML5 parser); libxml2's HTML parser is used here, with the
 * parts of HTML5 that change which elements exist added by hand (template
 * contents and text-only elements are skipped, see walk_page). */
#include "examine/obs_internal.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "core/buf.h"
#include "core/text.h"

/* Decodes the body as UTF-8 as Node.js does, with U+FFFD for bytes that
 * are not UTF-8 and for NUL, and drops a leading byte order mark, as axios
 * does. */
static char *
decode_body(struct obs_arena *a, const char *body, size_t len)
{
  static const char replacement[] = "\xEF\xBF\xBD";
  char *out = len < SIZE_MAX / 3 ? obs_alloc(a, 3 * len + 1) : NULL;
  if (out == NULL)
    return NULL;
  size_t o = 0, i = 0;
  if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < len) {
    size_t n = text_utf8_sequence((const unsigned char *)body + i, len - i);
    if (n == 0 || body[i] == '\0') {
      memcpy(out + o, replacement, 3);
      o += 3;
      i++;
      continue;
    }
    memcpy(out + o, body + i, n);
    o += n;
    i += n;
  }
  out[o] = '\0';
  return out;
}

/* Appends String(value) of a parsed JSON value, as JavaScript converts it
 * when jsdom is handed a non-string. */
static bool
append_js_string(struct buf *b, json_t *v, int depth)
{
  if (depth > 64)
    return buf_puts(b, "");
  switch (json_typeof(v)) {
  case JSON_STRING:
    return buf_append(b, json_string_value(v), json_string_length(v));
  case JSON_INTEGER:
  case JSON_REAL:
    return buf_printf(b, "%.17g", json_number_value(v));
  case JSON_TRUE:
    return buf_puts(b, "true");
  case JSON_FALSE:
    return buf_puts(b, "false");
  case JSON_NULL:
    return buf_puts(b, "null");
  case JSON_OBJECT:
    return buf_puts(b, "[object Object]");
  case JSON_ARRAY:
    for (size_t i = 0; i < json_array_size(v); i++) {
      json_t *e = json_array_get(v, i);
      if ((i > 0 && !buf_putc(b, ',')) ||
          (!json_is_null(e) && !append_js_string(b, e, depth + 1)))
        return false;
    }
    return true;
  }
  return true;
}

/* axios parses a body that is valid JSON; the Observatory then reads
 * String(value) as the page, or "" when the value is falsy. */
static char *
page_text(struct obs_arena *a, char *decoded, bool *truthy)
{
  *truthy = decoded[0] != '\0';
  json_error_t error;
  json_t *v = *truthy ? json_loads(decoded, JSON_DECODE_ANY |
                                   JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL,
                                   &error)
                      : NULL;
  if (v == NULL)
    return decoded;
  *truthy = json_is_true(v) || json_is_object(v) || json_is_array(v) ||
            (json_is_string(v) && json_string_length(v) > 0) ||
            (json_is_number(v) && json_number_value(v) != 0);
  struct buf b;
  buf_init(&b, strlen(decoded) * 2 + 64);
  bool ok = !*truthy || append_js_string(&b, v, 0);
  json_decref(v);
  char *text = ok ? obs_strndup(a, buf_str(&b), b.len) : NULL;
  buf_free(&b);
  return text;
}

static bool
is_named(const xmlNode *n, const char *name)
{
  return n->type == XML_ELEMENT_NODE && n->name != NULL &&
         strcmp((const char *)n->name, name) == 0;
}

/* An attribute's value, "" for an attribute without one, NULL when the
 * attribute is absent. */
static char *
attribute(struct obs_arena *a, xmlNode *n, const char *name)
{
  if (xmlHasProp(n, (const xmlChar *)name) == NULL)
    return NULL;
  xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
  char *copy = obs_strdup(a, v ? (const char *)v : "");
  xmlFree(v);
  return copy;
}

static bool
lowered_trim_equals(struct obs_arena *a, const char *v, const char *want)
{
  char *t = v ? obs_js_trim(a, v, strlen(v)) : NULL;
  t = t ? obs_lower(a, t) : NULL;
  return t != NULL && strcmp(t, want) == 0;
}

static bool
read_meta(struct obs_ctx *c, xmlNode *n)
{
  struct obs_arena *a = &c->arena;
  char *http_equiv = attribute(a, n, "http-equiv");
  char *content = attribute(a, n, "content");
  if (http_equiv != NULL && content != NULL) {
    if (content[0] != '\0' &&
        lowered_trim_equals(a, http_equiv, "content-security-policy"))
      return obs_vec_push(a, &c->page.meta_csp, content);
    return true;
  }
  /* <meta name="referrer"> counts as a Referrer-Policy header; the last
   * one wins. */
  if (lowered_trim_equals(a, attribute(a, n, "name"), "referrer") &&
      content != NULL && content[0] != '\0')
    c->page.meta_referrer = content;
  return true;
}

static bool
read_script(struct obs_ctx *c, xmlNode *n)
{
  struct obs_arena *a = &c->arena;
  struct obs_script *s = obs_alloc(a, sizeof *s);
  if (s == NULL)
    return false;
  s->src = attribute(a, n, "src");
  s->integrity = attribute(a, n, "integrity");
  for (xmlNode *p = n->parent; p != NULL; p = p->parent)
    if (is_named(p, "svg") || is_named(p, "math"))
      s->foreign = true;
  return obs_vec_push(a, &c->page.scripts, s);
}

/* Elements whose content an HTML5 parser keeps as text or, for template,
 * out of the document tree, so no meta or script inside them exists. */
static bool
hides_children(const xmlNode *n)
{
  static const char *const names[] = {
    "template", "title", "textarea", "xmp", "iframe", "noembed",
    "noframes", "plaintext", NULL};
  return n->type == XML_ELEMENT_NODE && n->name != NULL &&
         obs_in_list((const char *)n->name, names);
}

/* Visits the tree without recursion, so deep nesting cannot exhaust the
 * stack. */
static bool
walk_page(struct obs_ctx *c, xmlNode *root)
{
  xmlNode *n = root;
  while (n != NULL) {
    if (is_named(n, "meta") && !read_meta(c, n))
      return false;
    if (is_named(n, "script") && !read_script(c, n))
      return false;
    if (n->children != NULL && !hides_children(n)) {
      n = n->children;
      continue;
    }
    while (n != NULL && n->next == NULL)
      n = n->parent;
    if (n != NULL)
      n = n->next;
  }
  return !c->arena.failed;
}

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void
xml_init(void)
{
  xmlInitParser();
}

static const char *const HTML_TYPES[] = {
  "text/html", "application/xhtml+xml", NULL};

bool
obs_page_read(struct obs_ctx *c)
{
  struct obs_page *p = &c->page;
  struct obs_arena *a = &c->arena;
  const char *type = obs_header_get(&c->auto_headers, "content-type");
  char *mime = type ? obs_strndup(a, type, strcspn(type, ";")) : NULL;
  p->html = obs_in_list(mime, HTML_TYPES);
  const struct obs_session *s = c->auto_session;
  char *decoded = decode_body(a, s->body ? s->body : "", s->body ? s->body_len
                                                                 : 0);
  bool truthy = false;
  p->text = decoded ? page_text(a, decoded, &truthy) : NULL;
  if (p->text == NULL)
    return false;
  if (!truthy)
    p->text = "";
  if (!p->html || p->text[0] == '\0')
    return true;
  pthread_once(&xml_once, xml_init);
  size_t len = strlen(p->text);
  if (len > INT_MAX)
    return true;
  htmlDocPtr doc = htmlReadMemory(
    p->text, (int)len, NULL, "UTF-8",
    HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
      HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC);
  if (doc == NULL)
    return true;
  p->parsed = true;
  bool ok = walk_page(c, xmlDocGetRootElement(doc));
  xmlFreeDoc(doc);
  return ok;
}

void
obs_page_free(struct obs_page *p)
{
  *p = (struct obs_page){0};
}
