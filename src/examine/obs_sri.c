/* The Observatory's subresource integrity test
 * (src/analyzer/tests/subresource-integrity.js of the package). A script is
 * on a foreign origin unless it is relative or its URL's registrable domain
 * (eTLD+1, by the ICANN part of the Public Suffix List, through libpsl) is
 * the scanned host's, as tldts decides in the Observatory. */
#include "examine/obs_internal.h"

#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

/* script.src as jsdom computes it against the document URL about:blank:
 * an absolute URL comes back parsed and serialized, anything else exactly
 * as written. Only the parts the test reads are produced. */
struct script_url {
  const char *text;   /* the value of script.src */
  bool parsed;        /* an absolute URL that parsed */
  char *scheme;       /* lower case, when parsed */
  char *host;         /* when parsed with a special scheme */
};

static bool
special_scheme(const char *s)
{
  static const char *const names[] = {
    "http", "https", "ws", "wss", "ftp", "file", NULL};
  return obs_in_list(s, names);
}

/* The URL parser's preprocessing: C0 controls and spaces trimmed, tabs and
 * newlines removed. */
static char *
strip_url(struct obs_arena *a, const char *raw)
{
  size_t len = strlen(raw), start = 0;
  while (start < len && (unsigned char)raw[start] <= 0x20)
    start++;
  while (len > start && (unsigned char)raw[len - 1] <= 0x20)
    len--;
  char *s = obs_alloc(a, len - start + 1);
  if (s == NULL)
    return NULL;
  size_t o = 0;
  for (size_t i = start; i < len; i++)
    if (raw[i] != '\t' && raw[i] != '\n' && raw[i] != '\r')
      s[o++] = raw[i];
  return s;
}

/* A host the URL parser accepts. NOTE: IDNA processing and the IPv4 forms
 * other than dotted decimal are not modelled: a non-ASCII host is accepted
 * as written, and a host ending in a number must be dotted decimal. */
static bool
valid_host(const char *h)
{
  if (h[0] == '\0')
    return false;
  if (h[0] == '[')
    return h[strlen(h) - 1] == ']';
  for (const char *p = h; *p; p++) {
    unsigned char ch = (unsigned char)*p;
    if (ch <= 0x20 || ch == 0x7F || strchr("#/:<>?@[\\]^|%", ch) != NULL)
      return false;
  }
  const char *last = strrchr(h, '.');
  last = last && last[1] ? last + 1 : h;
  if (strspn(last, "0123456789") != strlen(last))
    return true;
  int parts = 0;
  for (const char *p = h; *p;) {
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n > 3 || atoi(p) > 255 || ++parts > 4)
      return false;
    p += n;
    if (*p == '.')
      p++;
    else if (*p != '\0')
      return false;
  }
  return parts == 4;
}

/* Parses the authority of a special URL; false when the parser fails. */
static bool
parse_authority(struct obs_arena *a, const char *p, struct script_url *out,
                const char **rest)
{
  while (*p == '/' || *p == '\\')
    p++;
  size_t alen = strcspn(p, "/\\?#");
  char *auth = obs_strndup(a, p, alen);
  if (auth == NULL)
    return false;
  char *host = strrchr(auth, '@');
  host = host ? host + 1 : auth;
  char *port = host[0] == '[' ? strstr(host, "]:") : strrchr(host, ':');
  if (port != NULL) {
    port += host[0] == '[' ? 1 : 0;
    *port++ = '\0';
    if (strspn(port, "0123456789") != strlen(port) ||
        (port[0] != '\0' && strtol(port, NULL, 10) > 65535))
      return false;
  }
  bool malformed;
  char *decoded = obs_decode_uri_component(a, host, &malformed);
  out->host = obs_lower(a, decoded ? decoded : host);
  *rest = p + alen;
  return out->host != NULL && valid_host(out->host);
}

static bool
reflect_src(struct obs_arena *a, const char *raw, struct script_url *out)
{
  *out = (struct script_url){.text = raw};
  char *s = strip_url(a, raw);
  if (s == NULL)
    return false;
  size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                       "0123456789+-.");
  bool alpha = (s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z';
  if (!alpha || s[n] != ':')
    return true;  /* relative: about:blank cannot resolve it */
  char *scheme = obs_lower(a, obs_strndup(a, s, n));
  if (scheme == NULL)
    return false;
  const char *rest = s + n + 1;
  if (special_scheme(scheme) && strcmp(scheme, "file") != 0) {
    if (!parse_authority(a, rest, out, &rest))
      return !a->failed;  /* parse failure: the raw text stays */
  }
  out->parsed = true;
  out->scheme = scheme;
  size_t hlen = out->host ? strlen(out->host) : 0;
  char *text = obs_alloc(a, n + 3 + hlen + strlen(rest) + 1);
  if (text == NULL)
    return false;
  strcpy(text, scheme);
  strcat(text, out->host ? "://" : ":");
  if (out->host)
    strcat(text, out->host);
  strcat(text, rest);
  out->text = text;
  return true;
}

/* The host a URL text names, as tldts extracts it. */
static const char *
url_host(struct obs_arena *a, const struct script_url *u)
{
  if (u->parsed)
    return u->host;
  struct obs_url parts;
  return obs_url_parse(a, u->text, &parts) ? parts.host : NULL;
}

/* A host name tldts accepts: labels of a-z, 0-9, '-', '_' or non-ASCII,
 * at most 63 bytes each, not starting or ending with '-'. */
static bool
tldts_valid(const char *h)
{
  size_t len = strlen(h), label = 0;
  if (len == 0 || len > 255 || h[0] == '-')
    return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char ch = (unsigned char)h[i];
    if (ch == '.') {
      if (label == 0 || label > 63 || h[i - 1] == '-')
        return false;
      label = 0;
      continue;
    }
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch > 127;
    if (!ok || (ch == '-' && label == 0))
      return false;
    label++;
  }
  return label <= 63 && h[len - 1] != '-';
}

const char *
obs_registrable_domain(struct obs_arena *a, const char *host,
                       bool private_rules)
{
  if (host == NULL || strchr(host, ':') != NULL || host[0] == '[')
    return NULL;
  char *h = obs_strdup(a, host);
  if (h == NULL)
    return NULL;
  size_t len = strlen(h);
  while (len > 0 && h[len - 1] == '.')
    h[--len] = '\0';
  if (!tldts_valid(h) || (strspn(h, "0123456789.") == len && valid_host(h)))
    return NULL;
  const psl_ctx_t *psl = psl_builtin();
  const char *prev = NULL;
  for (const char *suffix = h; suffix != NULL;) {
    if (psl != NULL &&
        psl_is_public_suffix2(psl, suffix, private_rules ? PSL_TYPE_ANY
                                                         : PSL_TYPE_ICANN))
      return prev;
    prev = suffix;
    suffix = strchr(suffix, '.');
    suffix = suffix ? suffix + 1 : NULL;
  }
  return prev;
}

static bool
same_domain(struct obs_arena *a, const char *x, const char *y)
{
  const char *dx = obs_registrable_domain(a, x, false);
  const char *dy = obs_registrable_domain(a, y, false);
  return dx == NULL || dy == NULL ? dx == dy : strcmp(dx, dy) == 0;
}

static const char *const GOODNESS[] = {
  "sri-implemented-and-all-scripts-loaded-securely",
  "sri-implemented-and-external-scripts-loaded-securely",
  "sri-implemented-but-external-scripts-not-loaded-securely",
  "sri-not-implemented-but-external-scripts-loaded-securely",
  "sri-not-implemented-and-external-scripts-not-loaded-securely",
  "sri-not-implemented-response-not-html", NULL};

/* Judges one script with a src. Sets *foreign when it is on a foreign
 * origin, and returns the new result. */
static const char *
judge_script(struct obs_ctx *c, const struct script_url *u,
             const char *integrity, const char *result, bool *foreign)
{
  const char *t = u->text;
  bool relative_protocol = t[0] == '/' && t[1] == '/' && t[2] != '\0' &&
                           t[2] != '/';
  bool full = obs_starts_with(t, "http://") || obs_starts_with(t, "https://");
  bool relative_origin = !relative_protocol && !full;
  bool same_sld = relative_protocol || relative_origin ||
                  same_domain(&c->arena, url_host(&c->arena, u), c->in->host);
  bool secure_origin = relative_origin || (same_sld && !relative_protocol);
  if (!secure_origin)
    *foreign = true;
  /* The Observatory throws on a full URL that does not parse; it counts
   * as an insecure scheme here (see docs/observatory.md). */
  bool secure_scheme = (full && u->parsed && strcmp(u->scheme, "https") == 0) ||
                       (relative_origin && c->auto_https);
  bool has_integrity = integrity != NULL && integrity[0] != '\0';
  if (secure_origin)
    return has_integrity && secure_scheme && result == NULL
             ? "sri-implemented-and-all-scripts-loaded-securely"
             : result;
  const char *worse = NULL;
  if (has_integrity && !secure_scheme)
    worse = "sri-implemented-but-external-scripts-not-loaded-securely";
  else if (!has_integrity && secure_scheme)
    worse = "sri-not-implemented-but-external-scripts-loaded-securely";
  else if (!has_integrity)
    worse = "sri-not-implemented-and-external-scripts-not-loaded-securely";
  return worse ? obs_only_if_worse(worse, result, GOODNESS) : result;
}

static const char *
scripts_result(struct obs_ctx *c)
{
  const char *result = NULL;
  bool foreign = false;
  const struct obs_vec *scripts = &c->page.scripts;
  if (scripts->count == 0)
    return "sri-not-implemented-but-no-scripts-loaded";
  for (size_t i = 0; i < scripts->count; i++) {
    const struct obs_script *s = scripts->items[i];
    /* An SVG or MathML script has no src property. */
    if (s->foreign || s->src == NULL)
      continue;
    struct script_url u;
    if (!reflect_src(&c->arena, s->src, &u))
      return NULL;
    if (u.text[0] == '\0')
      continue;
    result = judge_script(c, &u, s->integrity, result, &foreign);
  }
  if (result != NULL)
    return result;
  return foreign
           ? "sri-implemented-and-external-scripts-loaded-securely"
           : "sri-not-implemented-but-all-scripts-loaded-from-secure-origin";
}

void
obs_test_sri(struct obs_ctx *c, struct obs_test_result *out)
{
  static const char *const passing[] = {
    "sri-implemented-and-all-scripts-loaded-securely",
    "sri-implemented-and-external-scripts-loaded-securely",
    "sri-not-implemented-response-not-html",
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
    "sri-not-implemented-but-no-scripts-loaded", NULL};
  out->name = "subresource-integrity";
  out->expectation = "sri-implemented-and-external-scripts-loaded-securely";
  out->result = c->page.html ? scripts_result(c)
                             : "sri-not-implemented-response-not-html";
  out->pass = obs_in_list(out->result, passing);
}
