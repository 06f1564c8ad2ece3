/* The Observatory's cookie test (src/analyzer/tests/cookies.js of the
 * package) with the part of its cookie jar (tough-cookie 5) that decides
 * which cookies the test sees: parsing a Set-Cookie line, rejecting
 * cookies for another domain or a public suffix and __Secure-/__Host-
 * cookies without their conditions, and replacing a cookie of the same
 * name, domain and path. Expired cookies stay in that jar, so they stay
 * here too. */
#include "examine/obs_internal.h"

#include <string.h>

struct jar_cookie {
  char *key;
  char *domain;
  char *path;
  bool secure;
  bool http_only;
  bool has_same_site;   /* SameSite was Strict, Lax or None */
  char *same_site;      /* lower case, when has_same_site */
  bool host_only;
};

struct jar {
  struct obs_vec cookies;     /* struct jar_cookie *, in creation order */
  struct obs_strmap by_id;    /* "domain\npath\nkey" -> slot index + 1 */
};

/* The cookie-pair of a Set-Cookie line; false when the jar's strict parser
 * rejects it: no '=', an empty name, or a control character. */
static bool
parse_pair(struct obs_arena *a, const char *pair, size_t len,
           struct jar_cookie *c)
{
  size_t cut = len;
  for (size_t i = 0; i < len; i++)
    if (pair[i] == '\n' || pair[i] == '\r' || pair[i] == '\0') {
      cut = i;
      break;
    }
  const char *eq = memchr(pair, '=', cut);
  if (eq == NULL || eq == pair)
    return false;
  c->key = obs_js_trim(a, pair, (size_t)(eq - pair));
  char *value = obs_js_trim(a, eq + 1, cut - (size_t)(eq - pair) - 1);
  if (c->key == NULL || value == NULL)
    return false;
  for (const char *s = c->key; *s; s++)
    if ((unsigned char)*s < 0x20)
      return false;
  for (const char *s = value; *s; s++)
    if ((unsigned char)*s < 0x20)
      return false;
  return true;
}

static void
parse_attribute(struct obs_arena *a, char *av, struct jar_cookie *c)
{
  char *eq = strchr(av, '=');
  char *value = eq ? obs_js_trim(a, eq + 1, strlen(eq + 1)) : NULL;
  char *key = obs_js_trim(a, av, eq ? (size_t)(eq - av) : strlen(av));
  key = key ? obs_lower(a, key) : NULL;
  if (key == NULL)
    return;
  bool has_value = value != NULL && value[0] != '\0';
  if (strcmp(key, "domain") == 0 && has_value) {
    char *d = value[0] == '.' ? value + 1 : value;
    if (d[0] != '\0')
      c->domain = obs_lower(a, d);
  } else if (strcmp(key, "path") == 0) {
    c->path = has_value && value[0] == '/' ? value : NULL;
  } else if (strcmp(key, "secure") == 0) {
    c->secure = true;
  } else if (strcmp(key, "httponly") == 0) {
    c->http_only = true;
  } else if (strcmp(key, "samesite") == 0) {
    char *v = has_value ? obs_lower(a, value) : NULL;
    c->has_same_site = v && (strcmp(v, "strict") == 0 ||
                             strcmp(v, "lax") == 0 || strcmp(v, "none") == 0);
    c->same_site = c->has_same_site ? v : NULL;
  }
}

/* Cookie.parse of tough-cookie in strict mode. */
static bool
parse_cookie(struct obs_arena *a, const char *line, struct jar_cookie *c)
{
  *c = (struct jar_cookie){0};
  char *s = obs_js_trim(a, line, strlen(line));
  if (s == NULL || s[0] == '\0')
    return false;
  size_t pair_len = strcspn(s, ";");
  if (!parse_pair(a, s, pair_len, c))
    return false;
  for (char *p = s + pair_len; *p == ';';) {
    char *next = strchr(p + 1, ';');
    size_t n = next ? (size_t)(next - p - 1) : strlen(p + 1);
    char *av = obs_js_trim(a, p + 1, n);
    if (av != NULL && av[0] != '\0')
      parse_attribute(a, av, c);
    p = next ? next : p + 1 + n;
  }
  return true;
}

static const char *const SPECIAL_USE_DOMAINS[] = {
  "local", "example", "invalid", "localhost", "test", NULL};

/* The jar rejects a Domain attribute that is a public suffix; names under
 * the special-use top-level domains of RFC 6761 are allowed. */
static bool
domain_is_public_suffix(struct obs_arena *a, const char *domain)
{
  const char *dot = strrchr(domain, '.');
  const char *tld = dot ? dot + 1 : domain;
  if (obs_in_list(tld, SPECIAL_USE_DOMAINS) &&
      (dot != NULL || strcmp(tld, "localhost") == 0 ||
       strcmp(tld, "invalid") == 0))
    return false;
  if (domain[0] == '[' || strchr(domain, ':') != NULL)
    return false;  /* an IPv6 address, which the jar lets through */
  return obs_registrable_domain(a, domain, true) == NULL;
}

static bool
is_ipv4(const char *h)
{
  int parts = 0;
  for (const char *p = h; *p;) {
    size_t n = strspn(p, "0123456789");
    if (n == 0 || n > 3 || ++parts > 4)
      return false;
    p += n;
    if (*p == '.' && p[1] != '\0')
      p++;
    else if (*p != '\0')
      return false;
  }
  return parts == 4;
}

/* RFC 6265 domain-match of the request host against the cookie domain. */
static bool
domain_match(const char *host, const char *domain)
{
  if (strcmp(host, domain) == 0)
    return true;
  size_t hl = strlen(host), dl = strlen(domain);
  return dl > 0 && hl > dl + 1 && strcmp(host + hl - dl, domain) == 0 &&
         host[hl - dl - 1] == '.' && !is_ipv4(host) &&
         strchr(host, ':') == NULL;
}

static char *
default_path(struct obs_arena *a, const char *path)
{
  const char *slash = strrchr(path, '/');
  if (path[0] != '/' || slash == path)
    return obs_strdup(a, "/");
  return obs_strndup(a, path, (size_t)(slash - path));
}

static bool
prefix_conditions_met(const struct jar_cookie *c)
{
  if (obs_starts_with(c->key, "__Secure-") && !c->secure)
    return false;
  if (obs_starts_with(c->key, "__Host-") &&
      !(c->secure && c->host_only && strcmp(c->path, "/") == 0))
    return false;
  return true;
}

/* CookieJar.setCookie with ignoreError: a rejected cookie is dropped. */
static bool
jar_set(struct obs_arena *a, struct jar *jar, const char *line,
        const struct obs_url *url)
{
  struct jar_cookie c;
  if (url->host == NULL || !parse_cookie(a, line, &c))
    return !a->failed;
  if (c.domain != NULL) {
    char *cdomain = obs_js_trim(a, c.domain, strlen(c.domain));
    if (cdomain == NULL)
      return false;
    if (cdomain[0] == '.')
      cdomain++;
    if (domain_is_public_suffix(a, cdomain) ||
        !domain_match(url->host, cdomain))
      return !a->failed;
  } else {
    c.host_only = true;
    c.domain = url->host;
  }
  if (c.path == NULL)
    c.path = default_path(a, url->path);
  if (c.path == NULL)
    return false;
  if (!prefix_conditions_met(&c))
    return true;
  struct jar_cookie *stored = obs_alloc(a, sizeof *stored);
  size_t idlen = strlen(c.domain) + strlen(c.path) + strlen(c.key) + 3;
  char *id = obs_alloc(a, idlen);
  if (stored == NULL || id == NULL)
    return false;
  *stored = c;
  strcpy(id, c.domain);
  strcat(id, "\n");
  strcat(id, c.path);
  strcat(id, "\n");
  strcat(id, c.key);
  size_t *slot = obs_strmap_get(&jar->by_id, id);
  if (slot != NULL) {
    jar->cookies.items[*slot] = stored;
    return true;
  }
  slot = obs_alloc(a, sizeof *slot);
  if (slot == NULL)
    return false;
  *slot = jar->cookies.count;
  return obs_vec_push(a, &jar->cookies, stored) &&
         obs_strmap_put(a, &jar->by_id, id, slot);
}

/* Stores the cookies of every response of `s`; only https responses when
 * `https_only` (the follow-up client's cookie agent handles https alone). */
static bool
jar_add_session(struct obs_ctx *c, struct jar *jar,
                const struct obs_session *s, bool https_only)
{
  struct obs_arena *a = &c->arena;
  for (size_t i = 0; s->ok && i < s->chain_count; i++) {
    struct obs_url url;
    struct obs_headers h;
    if (!obs_url_parse(a, s->chain[i].url, &url) ||
        !obs_headers_build(a, &s->chain[i], &h))
      return !a->failed;
    if (https_only && strcmp(url.scheme, "https") != 0)
      continue;
    for (size_t k = 0; k < h.set_cookie_count; k++)
      if (!jar_set(a, jar, h.set_cookie_node[k], &url))
        return false;
  }
  return true;
}

/* A SameSite attribute with no value or an unknown one, on the raw line. */
static bool
invalid_same_site(struct obs_arena *a, const char *line)
{
  char *s = obs_js_trim(a, line, strlen(line));
  for (char *p = s; p != NULL;) {
    size_t n = strcspn(p, ";");
    char *part = obs_js_trim(a, p, n);
    if (part == NULL)
      return false;
    size_t klen = strcspn(part, "=");
    char *key = obs_js_trim(a, part, klen);
    key = key ? obs_lower(a, key) : NULL;
    if (key != NULL && strcmp(key, "samesite") == 0) {
      if (part[klen] == '\0' || part[klen + 1] == '\0')
        return true;
      char *value = part + klen + 1;
      char *v = obs_js_trim(a, value, strcspn(value, "="));
      v = v ? obs_lower(a, v) : NULL;
      if (v == NULL || (strcmp(v, "lax") != 0 && strcmp(v, "strict") != 0 &&
                        strcmp(v, "none") != 0))
        return true;
    }
    p = p[n] == ';' ? p + n + 1 : NULL;
  }
  return false;
}

/* From the least bad to the worst, for onlyIfWorse. */
static const char *const GOODNESS[] = {
  "cookies-without-secure-flag-but-protected-by-hsts",
  "cookies-without-secure-flag",
  "cookies-session-without-secure-flag-but-protected-by-hsts",
  "cookies-samesite-flag-invalid",
  "cookies-anticsrf-without-samesite-flag",
  "cookies-session-without-httponly-flag",
  "cookies-session-without-secure-flag", NULL};

static bool
key_contains(struct obs_arena *a, const char *key, const char *word)
{
  char *k = obs_lower(a, key);
  return k != NULL && strstr(k, word) != NULL;
}

/* The checks of one cookie; returns the new result. */
static const char *
judge_cookie(struct obs_arena *a, const struct jar_cookie *k, bool hsts,
             const char *r)
{
  bool session = key_contains(a, k->key, "login") ||
                 key_contains(a, k->key, "sess");
  bool anticsrf = key_contains(a, k->key, "csrf");
  if (!k->secure && k->has_same_site && strcmp(k->same_site, "none") == 0)
    r = obs_only_if_worse("cookies-samesite-flag-invalid", r, GOODNESS);
  if (!k->secure)
    r = obs_only_if_worse(
      hsts ? "cookies-without-secure-flag-but-protected-by-hsts"
           : "cookies-without-secure-flag",
      r, GOODNESS);
  if (anticsrf && !k->has_same_site)
    r = obs_only_if_worse("cookies-anticsrf-without-samesite-flag", r,
                          GOODNESS);
  if (session && !k->secure)
    r = obs_only_if_worse(
      hsts ? "cookies-session-without-secure-flag-but-protected-by-hsts"
           : "cookies-session-without-secure-flag",
      r, GOODNESS);
  if (session && !k->http_only)
    r = obs_only_if_worse("cookies-session-without-httponly-flag", r,
                          GOODNESS);
  return r;
}

/* The cookies in the Observatory's jar after the scan: those of the
 * auto session and, when that session is unverified, of its follow-up
 * requests over https. */
static bool
fill_jar(struct obs_ctx *c, struct jar *jar)
{
  const struct obs_input *in = c->in;
  bool unverified = !c->auto_session->verified;
  return jar_add_session(c, jar, c->auto_session, false) &&
         (!unverified || jar_add_session(c, jar, &in->robots, true)) &&
         (!unverified || jar_add_session(c, jar, &in->cors, true));
}

void
obs_test_cookies(struct obs_ctx *c, bool hsts_pass,
                 struct obs_test_result *out)
{
  const char *want = "cookies-secure-with-httponly-sessions";
  struct obs_arena *a = &c->arena;
  out->name = "cookies";
  out->expectation = want;
  out->pass = false;
  const char *r = NULL;
  for (size_t i = 0; i < c->auto_headers.set_cookie_count; i++)
    if (invalid_same_site(a, c->auto_headers.set_cookie[i]))
      r = obs_only_if_worse("cookies-samesite-flag-invalid", r, GOODNESS);
  struct jar jar = {0};
  if (!fill_jar(c, &jar))
    return;
  bool missing_same_site = false;
  size_t counted = 0;
  for (size_t i = 0; i < jar.cookies.count; i++) {
    const struct jar_cookie *k = jar.cookies.items[i];
    /* Heroku's session-affinity cookie is left out, as there. */
    if (k->key[0] == '\0' || strcmp(k->key, "heroku-session-affinity") == 0)
      continue;
    counted++;
    r = judge_cookie(a, k, hsts_pass, r);
    missing_same_site = missing_same_site || !k->has_same_site;
  }
  if (counted == 0)
    r = "cookies-not-found";
  else if (r == NULL)
    r = missing_same_site
          ? want
          : "cookies-secure-with-httponly-sessions-and-samesite";
  out->result = r;
  out->pass = strcmp(r, want) == 0 || strcmp(r, "cookies-not-found") == 0 ||
              strcmp(r, "cookies-secure-with-httponly-sessions-and-samesite") ==
                0;
}
