/* The Observatory's tests of single headers and of the redirect chain
 * (src/analyzer/tests/ of the package): CORS, CORP, HSTS, redirection,
 * Referrer-Policy, X-Content-Type-Options and X-Frame-Options. */
#include "examine/obs_internal.h"

#include <string.h>

/* The Observatory cuts header values to these lengths before reading them,
 * counted in UTF-16 units; header text is Latin-1, so one unit per byte
 * of the original value. */
#define SHORT_SLICE 256
#define LONG_SLICE 1024

/* HSTS max-age of at least this many seconds passes: 180 days, which the
 * Observatory accepts as six months. */
#define SIX_MONTHS 15552000.0

/* Copies the first `units` UTF-16 units of `s` (String.prototype.slice). */
static char *
js_slice(struct obs_arena *a, const char *s, size_t units)
{
  size_t i = 0, n = 0, len = strlen(s);
  while (i < len && n < units) {
    unsigned char b = (unsigned char)s[i];
    size_t step = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (i + step > len)
      step = len - i;
    n += step == 4 ? 2 : 1;
    if (n > units)
      break;
    i += step;
  }
  return obs_strndup(a, s, i);
}

/* value.slice(0, units).trim().toLowerCase() */
static char *
normalized(struct obs_arena *a, const char *v, size_t units)
{
  char *s = js_slice(a, v, units);
  s = s ? obs_js_trim(a, s, strlen(s)) : NULL;
  return s ? obs_lower(a, s) : NULL;
}

static void
set_result(struct obs_test_result *out, const char *name,
           const char *expectation, const char *result)
{
  out->name = name;
  out->expectation = expectation;
  out->result = result;
  out->pass = false;
}

void
obs_test_xcto(struct obs_ctx *c, struct obs_test_result *out)
{
  const char *want = "x-content-type-options-nosniff";
  set_result(out, "x-content-type-options", want,
             "x-content-type-options-not-implemented");
  const char *h = obs_header_get(&c->auto_headers, "x-content-type-options");
  if (h != NULL && h[0] != '\0') {
    char *v = normalized(&c->arena, h, SHORT_SLICE);
    out->result = v && strcmp(v, "nosniff") == 0
                    ? want
                    : "x-content-type-options-header-invalid";
  }
  out->pass = strcmp(out->result, want) == 0;
}

void
obs_test_xfo(struct obs_ctx *c, bool csp_frame_ancestors,
             struct obs_test_result *out)
{
  set_result(out, "x-frame-options", "x-frame-options-sameorigin-or-deny",
             "x-frame-options-not-implemented");
  const char *h = obs_header_get(&c->auto_headers, "x-frame-options");
  if (h != NULL && h[0] != '\0') {
    char *v = normalized(&c->arena, h, LONG_SLICE);
    if (v && (strcmp(v, "deny") == 0 || strcmp(v, "sameorigin") == 0))
      out->result = "x-frame-options-sameorigin-or-deny";
    else if (v && obs_starts_with(v, "allow-from"))
      out->result = "x-frame-options-allow-from-origin";
    else
      out->result = "x-frame-options-header-invalid";
  }
  if (csp_frame_ancestors)
    out->result = "x-frame-options-implemented-via-csp";
  static const char *const passing[] = {
    "x-frame-options-allow-from-origin", "x-frame-options-sameorigin-or-deny",
    "x-frame-options-implemented-via-csp", NULL};
  out->pass = obs_in_list(out->result, passing);
}

void
obs_test_corp(struct obs_ctx *c, struct obs_test_result *out)
{
  set_result(out, "cross-origin-resource-policy",
             "corp-implemented-with-same-site", "corp-not-implemented");
  /* The Observatory also looks for a meta http-equiv CORP, but its HTML
   * reader never records one, so only the header counts. */
  const char *h =
    obs_header_get(&c->auto_headers, "cross-origin-resource-policy");
  char *v = h && h[0] ? normalized(&c->arena, h, SHORT_SLICE) : NULL;
  if (v != NULL && v[0] != '\0') {
    if (strcmp(v, "same-site") == 0)
      out->result = "corp-implemented-with-same-site";
    else if (strcmp(v, "same-origin") == 0)
      out->result = "corp-implemented-with-same-origin";
    else if (strcmp(v, "cross-origin") == 0)
      out->result = "corp-implemented-with-cross-origin";
    else
      out->result = "corp-header-invalid";
  }
  out->pass = strcmp(out->result, "corp-header-invalid") != 0;
}

void
obs_test_cors(struct obs_ctx *c, struct obs_test_result *out,
              bool *reflected_with_credentials)
{
  set_result(out, "cross-origin-resource-sharing",
             "cross-origin-resource-sharing-not-implemented",
             "cross-origin-resource-sharing-not-implemented");
  *reflected_with_credentials = false;
  const char *acao = c->cors_ok ? obs_header_get(&c->cors_headers,
                                                 "access-control-allow-origin")
                                : NULL;
  if (acao != NULL && acao[0] != '\0') {
    char *v = normalized(&c->arena, acao, SHORT_SLICE);
    /* The Observatory compares the echoed origin with the Origin header of
     * its request object, which Node.js does not expose that way, so the
     * universal-access result never occurs there; it does not here either.
     * The case is reported separately instead. */
    const char *cred = obs_header_get(&c->cors_headers,
                                      "access-control-allow-credentials");
    char *cred_v = cred ? obs_js_trim(&c->arena, cred, strlen(cred)) : NULL;
    cred_v = cred_v ? obs_lower(&c->arena, cred_v) : NULL;
    *reflected_with_credentials =
      strcmp(acao, "https://http-observatory.security.mozilla.org") == 0 &&
      cred_v != NULL && strcmp(cred_v, "true") == 0;
    out->result =
      v && strcmp(v, "*") == 0
        ? "cross-origin-resource-sharing-implemented-with-public-access"
        : "cross-origin-resource-sharing-implemented-with-restricted-access";
  }
  out->pass = true;
}

/* The HSTS header's parameters as the Observatory reads them. Returns the
 * result id. */
static const char *
hsts_header_result(struct obs_arena *a, const char *header)
{
  char *data = js_slice(a, header, LONG_SLICE);
  if (data == NULL)
    return "hsts-header-invalid";
  if (strchr(data, ',') != NULL) /* the header came more than once */
    return "hsts-header-invalid";
  bool have_max_age = false, max_age_nan = false;
  double max_age = 0;
  for (char *p = data;;) {
    size_t n = strcspn(p, ";");
    char *param = obs_js_trim(a, p, n);
    param = param ? obs_lower(a, param) : NULL;
    if (param != NULL && obs_starts_with(param, "max-age=")) {
      /* parseInt(parameter.slice(8, 128), 10); NaN is not below six
       * months, so "max-age=abc" passes, as in the Observatory. */
      char *digits = js_slice(a, param + 8, 120);
      have_max_age = true;
      max_age_nan = digits == NULL || !obs_js_parse_int(digits, &max_age);
    }
    if (p[n] == '\0')
      break;
    p += n + 1;
  }
  if (!have_max_age)
    return "hsts-header-invalid";
  if (!max_age_nan && max_age < SIX_MONTHS)
    return "hsts-implemented-max-age-less-than-six-months";
  return "hsts-implemented-max-age-at-least-six-months";
}

void
obs_test_hsts(struct obs_ctx *c, struct obs_test_result *out)
{
  const char *want = "hsts-implemented-max-age-at-least-six-months";
  set_result(out, "strict-transport-security", want, "hsts-not-implemented");
  const struct obs_session *s = &c->in->https;
  bool have_response = s->ok && s->chain_count > 0;
  const char *h =
    obs_header_get(&c->https_headers, "strict-transport-security");
  if (!have_response)
    out->result = "hsts-not-implemented-no-https";
  else if (!s->verified)
    out->result = "hsts-invalid-cert";
  else if (h != NULL)
    out->result = hsts_header_result(&c->arena, h);
  if (have_response && obs_preloaded(c->in, c->in->host) != NULL)
    out->result = "hsts-preloaded";
  out->pass = strcmp(out->result, want) == 0 ||
              strcmp(out->result, "hsts-preloaded") == 0;
}

static const char *
redirection_result(struct obs_ctx *c)
{
  const struct obs_session *s = &c->in->http;
  size_t n = s->chain_count;
  struct obs_url first, second, last;
  bool all_preloaded = true;
  for (size_t i = 0; i < n; i++) {
    struct obs_url u;
    if (!obs_url_parse(&c->arena, s->chain[i].url, &u) ||
        obs_preloaded(c->in, u.host) == NULL)
      all_preloaded = false;
  }
  if (all_preloaded)
    return "redirection-all-redirects-preloaded";
  if (n == 1)
    return "redirection-missing";
  if (!obs_url_parse(&c->arena, s->chain[0].url, &first) ||
      !obs_url_parse(&c->arena, s->chain[1].url, &second) ||
      !obs_url_parse(&c->arena, s->chain[n - 1].url, &last))
    return "redirection-not-to-https";
  if (strcmp(last.scheme, "https") != 0)
    return "redirection-not-to-https";
  if (strcmp(second.scheme, "http") == 0)
    return "redirection-not-to-https-on-initial-redirection";
  if (strcmp(first.scheme, "http") == 0 &&
      strcmp(second.scheme, "https") == 0 &&
      (first.host == NULL || second.host == NULL ||
       strcmp(first.host, second.host) != 0))
    return "redirection-off-host-from-http";
  return "redirection-to-https";
}

void
obs_test_redirection(struct obs_ctx *c, struct obs_test_result *out)
{
  const char *want = "redirection-to-https";
  set_result(out, "redirection", want, "redirection-not-needed-no-http");
  const struct obs_session *s = &c->in->http;
  if (s->ok && s->chain_count > 0)
    out->result = !s->verified ? "redirection-invalid-cert"
                               : redirection_result(c);
  static const char *const passing[] = {
    "redirection-not-needed-no-http", "redirection-all-redirects-preloaded",
    "redirection-to-https", NULL};
  out->pass = obs_in_list(out->result, passing);
}

static const char *const REFERRER_GOOD[] = {
  "no-referrer", "same-origin", "strict-origin",
  "strict-origin-when-cross-origin", NULL};
static const char *const REFERRER_BAD[] = {
  "origin", "origin-when-cross-origin", "unsafe-url",
  "no-referrer-when-downgrade", NULL};

void
obs_test_referrer(struct obs_ctx *c, struct obs_test_result *out)
{
  set_result(out, "referrer-policy", "referrer-policy-private",
             "referrer-policy-not-implemented");
  const char *header = obs_header_get(&c->auto_headers, "referrer-policy");
  const char *meta = c->page.meta_referrer;
  if (header == NULL && meta == NULL) {
    out->pass = true;
    return;
  }
  /* Header and meta values joined, and the last known policy wins. */
  const char *policy = "";
  const char *parts[] = {header, meta};
  for (size_t k = 0; k < 2; k++) {
    for (const char *p = parts[k]; p != NULL;) {
      size_t n = strcspn(p, ",");
      char *item = obs_js_trim(&c->arena, p, n);
      item = item ? obs_lower(&c->arena, item) : NULL;
      if (obs_in_list(item, REFERRER_GOOD) || obs_in_list(item, REFERRER_BAD))
        policy = item;
      p = p[n] == ',' ? p + n + 1 : NULL;
    }
  }
  if (obs_in_list(policy, REFERRER_GOOD))
    out->result = "referrer-policy-private";
  else if (obs_in_list(policy, REFERRER_BAD))
    out->result = "referrer-policy-unsafe";
  else
    out->result = "referrer-policy-header-invalid";
  out->pass = strcmp(out->result, "referrer-policy-private") == 0;
}
