/* Unit tests of the Observatory scoring (examine/observatory.h) on canned
 * retrievals. The expected results follow the MDN HTTP Observatory 1.4.8
 * package's tests and source; tests/integration/observatory_cases.sh
 * compares many more cases with the package itself. */
#include <stdlib.h>
#include <string.h>

#include "examine/obs_internal.h"
#include "examine/observatory.h"
#include "testlib.h"

#define HOST "agency.test"

/* A site answering GET https://HOST/ with the headers added to it; plain
 * HTTP redirects there. */
struct site {
  struct obs_header headers[64];
  size_t header_count;
  struct obs_header http_headers[1];
  struct obs_response http_chain[4];
  struct obs_response https_chain[2];
  struct obs_response cors_chain[1];
  struct obs_header cors_headers[4];
  struct obs_input in;
  struct obs_result result;
};

static void
site_init(struct site *s, const char *body)
{
  memset(s, 0, sizeof *s);
  s->headers[s->header_count++] =
    (struct obs_header){"Content-Type", "text/html; charset=utf-8"};
  s->http_headers[0] = (struct obs_header){"Location", "https://" HOST "/"};
  s->http_chain[0] = (struct obs_response){"http://" HOST "/", 301,
                                           s->http_headers, 1};
  s->http_chain[1] = (struct obs_response){"https://" HOST "/", 200,
                                           s->headers, 0};
  s->https_chain[0] = (struct obs_response){"https://" HOST "/", 200,
                                            s->headers, 0};
  s->cors_chain[0] = (struct obs_response){"https://" HOST "/", 200,
                                           s->cors_headers, 0};
  s->in = (struct obs_input){
    .host = HOST,
    .http = {.ok = true, .verified = true, .chain = s->http_chain,
             .chain_count = 2},
    .https = {.ok = true, .verified = true, .chain = s->https_chain,
              .chain_count = 1, .body = body,
              .body_len = body ? strlen(body) : 0},
    .cors = {.ok = false}};
}

static void
site_header(struct site *s, const char *name, const char *value)
{
  if (s->header_count < sizeof s->headers / sizeof *s->headers)
    s->headers[s->header_count++] = (struct obs_header){name, value};
}

/* Scores the site and returns the result of test `t`. */
static const struct obs_test_result *
site_score(struct site *s, enum obs_test t)
{
  s->https_chain[0].header_count = s->header_count;
  s->http_chain[1].header_count = s->header_count;
  obs_result_free(&s->result);
  CHECK_INT(obs_score(&s->in, &s->result), SP_OK);
  CHECK_INT(s->result.status, OBS_GRADED);
  return &s->result.tests[t];
}

static void
site_free(struct site *s)
{
  obs_result_free(&s->result);
}

struct header_case {
  const char *value;   /* NULL: header absent */
  const char *result;
  bool pass;
};

/* Scores one header value per case and checks test `t`. */
static void
check_header_cases(enum obs_test t, const char *name,
                   const struct header_case *cases, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    struct site s;
    site_init(&s, "<p>x</p>");
    if (cases[i].value != NULL)
      site_header(&s, name, cases[i].value);
    const struct obs_test_result *r = site_score(&s, t);
    CHECK_STR(r->result, cases[i].result);
    CHECK_INT(r->pass, cases[i].pass);
    CHECK_INT(r->score_modifier, obs_score_modifier(cases[i].result));
    site_free(&s);
  }
}

#define N(a) (sizeof(a) / sizeof *(a))

TEST(obs_csp_header_results)
{
  static const struct header_case cases[] = {
    {NULL, "csp-not-implemented", false},
    {"default-src 'none'", "csp-implemented-with-no-unsafe-default-src-none",
     true},
    {"DEFAULT-SRC 'NONE'", "csp-implemented-with-no-unsafe-default-src-none",
     true},
    {"default-src 'self'", "csp-implemented-with-no-unsafe", true},
    {"default-src 'self'; script-src 'self' 'unsafe-inline'",
     "csp-implemented-with-unsafe-inline", false},
    {"default-src 'self'; script-src data:",
     "csp-implemented-with-unsafe-inline", false},
    {"default-src https:", "csp-implemented-with-unsafe-inline", false},
    {"default-src 'self'; object-src *", "csp-implemented-with-unsafe-inline",
     false},
    {"default-src 'self'; script-src http://cdn.test",
     "csp-implemented-with-insecure-scheme", false},
    {"default-src 'self'; script-src 'unsafe-eval'",
     "csp-implemented-with-unsafe-eval", false},
    {"default-src 'self'; img-src http://i.test",
     "csp-implemented-with-insecure-scheme-in-passive-content-only", true},
    {"default-src 'none'; style-src 'unsafe-inline'",
     "csp-implemented-with-unsafe-inline-in-style-src-only", true},
    {"default-src 'self'; script-src 'strict-dynamic'", "csp-header-invalid",
     false},
    /* style-src falls back to "*", which is too broad. */
    {"object-src 'none'; script-src 'nonce-a' 'strict-dynamic' https: "
     "'unsafe-inline'", "csp-implemented-with-unsafe-inline-in-style-src-only",
     true},
    {"default-src 'self'; script-src 'sha256-a' 'unsafe-inline'",
     "csp-implemented-with-no-unsafe", true},
    {"default-src 'self'; default-src 'none'", "csp-header-invalid", false},
    {"default-src 'self'; report-uri /a; report-uri /b",
     "csp-implemented-but-duplicate-directives", true},
    {"", "csp-header-invalid", false},
    {"a b", "csp-header-invalid", false},
    {"default-src; script-src 'self'",
     "csp-implemented-with-no-unsafe-default-src-none", true},
  };
  check_header_cases(OBS_CSP, "Content-Security-Policy", cases, N(cases));
}

TEST(obs_csp_report_only)
{
  static const struct header_case cases[] = {
    {"default-src 'none'", "csp-not-implemented-but-reporting-enabled",
     false},
    {"", "csp-not-implemented", false},
  };
  check_header_cases(OBS_CSP, "Content-Security-Policy-Report-Only", cases,
                     N(cases));
}

TEST(obs_csp_two_headers_join)
{
  /* Node.js joins the two lines with ", ", so script-src gets the word
   * "'none'," and default-src is no longer 'none' alone. */
  struct site s;
  site_init(&s, "");
  site_header(&s, "Content-Security-Policy", "default-src 'none'");
  site_header(&s, "content-security-policy", "script-src 'self'");
  CHECK_STR(site_score(&s, OBS_CSP)->result,
            "csp-implemented-with-no-unsafe");
  site_free(&s);
}

TEST(obs_csp_meta)
{
  struct site s;
  site_init(&s, "<html><head><meta http-equiv=' Content-Security-Policy ' "
                "content=\"default-src 'none'\"></head></html>");
  CHECK_STR(site_score(&s, OBS_CSP)->result,
            "csp-implemented-with-no-unsafe-default-src-none");
  site_free(&s);

  /* frame-ancestors may not come from a meta element. */
  site_init(&s, "<meta http-equiv=content-security-policy "
                "content=\"frame-ancestors 'none'\">");
  CHECK_STR(site_score(&s, OBS_CSP)->result, "csp-not-implemented");
  site_free(&s);

  /* A template's content is not part of the document. */
  site_init(&s, "<template><meta http-equiv=Content-Security-Policy "
                "content=\"default-src 'none'\"></template>");
  CHECK_STR(site_score(&s, OBS_CSP)->result, "csp-not-implemented");
  site_free(&s);

  /* Only an HTML response is read for meta elements. */
  site_init(&s, "<meta http-equiv=Content-Security-Policy "
                "content=\"default-src 'none'\">");
  s.headers[0].value = "text/plain";
  CHECK_STR(site_score(&s, OBS_CSP)->result, "csp-not-implemented");
  site_free(&s);
}

TEST(obs_csp_two_policies_intersect)
{
  /* The header allows a folder, the meta element one file in it and
   * 'unsafe-inline', which only one policy has, so it is dropped. */
  struct site s;
  site_init(&s, "<meta http-equiv=Content-Security-Policy content=\""
                "default-src 'self'; script-src https://a.test/js/app.js "
                "'unsafe-inline'\">");
  site_header(&s, "Content-Security-Policy",
              "default-src 'self'; script-src 'self' https://a.test/js/");
  CHECK_STR(site_score(&s, OBS_CSP)->result,
            "csp-implemented-with-no-unsafe");
  site_free(&s);

  /* A malformed %-escape in a compared path makes the parser throw. */
  site_init(&s, "<meta http-equiv=Content-Security-Policy "
                "content=\"script-src https://b.test/%zz/\">"
                "<meta http-equiv=Content-Security-Policy "
                "content=\"script-src https://b.test/%zz/x.js\">");
  CHECK_STR(site_score(&s, OBS_CSP)->result, "csp-header-invalid");
  site_free(&s);
}

TEST(obs_xfo_results)
{
  static const struct header_case cases[] = {
    {NULL, "x-frame-options-not-implemented", false},
    {"DENY", "x-frame-options-sameorigin-or-deny", true},
    {" sameorigin ", "x-frame-options-sameorigin-or-deny", true},
    {"ALLOW-FROM https://x.test", "x-frame-options-allow-from-origin", true},
    {"bogus", "x-frame-options-header-invalid", false},
    {"", "x-frame-options-not-implemented", false},
  };
  check_header_cases(OBS_XFO, "X-Frame-Options", cases, N(cases));
}

TEST(obs_xfo_via_csp)
{
  struct site s;
  site_init(&s, "");
  site_header(&s, "X-Frame-Options", "bogus");
  site_header(&s, "Content-Security-Policy",
              "default-src 'self'; frame-ancestors 'none'");
  const struct obs_test_result *r = site_score(&s, OBS_XFO);
  CHECK_STR(r->result, "x-frame-options-implemented-via-csp");
  CHECK(r->pass);
  CHECK_INT(r->score_modifier, 5);
  site_free(&s);
}

TEST(obs_xcto_results)
{
  static const struct header_case cases[] = {
    {NULL, "x-content-type-options-not-implemented", false},
    {"nosniff", "x-content-type-options-nosniff", true},
    {"NoSniff ", "x-content-type-options-nosniff", true},
    {"bogus", "x-content-type-options-header-invalid", false},
  };
  check_header_cases(OBS_XCTO, "X-Content-Type-Options", cases, N(cases));
}

TEST(obs_xcto_repeated_header_invalid)
{
  struct site s;
  site_init(&s, "");
  site_header(&s, "X-Content-Type-Options", "nosniff");
  site_header(&s, "X-Content-Type-Options", "nosniff");
  CHECK_STR(site_score(&s, OBS_XCTO)->result,
            "x-content-type-options-header-invalid");
  site_free(&s);
}

TEST(obs_referrer_results)
{
  static const struct header_case cases[] = {
    {NULL, "referrer-policy-not-implemented", true},
    {"no-referrer", "referrer-policy-private", true},
    {"Strict-Origin-When-Cross-Origin", "referrer-policy-private", true},
    {"unsafe-url", "referrer-policy-unsafe", false},
    {"no-referrer, bogus, unsafe-url, foo", "referrer-policy-unsafe", false},
    {"unsafe-url, same-origin", "referrer-policy-private", true},
    {"bogus", "referrer-policy-header-invalid", false},
    {"", "referrer-policy-header-invalid", false},
  };
  check_header_cases(OBS_REFERRER, "Referrer-Policy", cases, N(cases));
}

TEST(obs_referrer_meta_last)
{
  struct site s;
  site_init(&s, "<meta name=Referrer content=origin>");
  site_header(&s, "Referrer-Policy", "no-referrer");
  CHECK_STR(site_score(&s, OBS_REFERRER)->result, "referrer-policy-unsafe");
  site_free(&s);
}

TEST(obs_corp_results)
{
  static const struct header_case cases[] = {
    {NULL, "corp-not-implemented", true},
    {"same-site", "corp-implemented-with-same-site", true},
    {"Same-Origin", "corp-implemented-with-same-origin", true},
    {"cross-origin", "corp-implemented-with-cross-origin", true},
    {"nope", "corp-header-invalid", false},
    {" ", "corp-not-implemented", true},
  };
  check_header_cases(OBS_CORP, "Cross-Origin-Resource-Policy", cases,
                     N(cases));
}

TEST(obs_hsts_results)
{
  static const struct header_case cases[] = {
    {NULL, "hsts-not-implemented", false},
    {"max-age=31536000", "hsts-implemented-max-age-at-least-six-months",
     true},
    {"max-age=15552000", "hsts-implemented-max-age-at-least-six-months",
     true},
    {"max-age=15551999; includeSubDomains",
     "hsts-implemented-max-age-less-than-six-months", false},
    {"includeSubDomains", "hsts-header-invalid", false},
    {"max-age=31536000, max-age=1", "hsts-header-invalid", false},
    /* parseInt gives NaN, and NaN is not below six months. */
    {"max-age=abc", "hsts-implemented-max-age-at-least-six-months", true},
    {"max-age=-1", "hsts-implemented-max-age-less-than-six-months", false},
  };
  check_header_cases(OBS_HSTS, "Strict-Transport-Security", cases, N(cases));
}

TEST(obs_hsts_needs_verified_https)
{
  struct site s;
  site_init(&s, "");
  site_header(&s, "Strict-Transport-Security", "max-age=31536000");
  s.in.https.verified = false;
  CHECK_STR(site_score(&s, OBS_HSTS)->result, "hsts-invalid-cert");
  site_free(&s);

  site_init(&s, "");
  s.in.https.ok = false;
  s.http_chain[0].status = 200;
  s.in.http.chain_count = 1;
  CHECK_STR(site_score(&s, OBS_HSTS)->result,
            "hsts-not-implemented-no-https");
  site_free(&s);
}

TEST(obs_hsts_preloaded)
{
  static const struct obs_preload_entry list[] = {{"test", true}};
  struct site s;
  site_init(&s, "");
  s.in.preload = list;
  s.in.preload_count = 1;
  const struct obs_test_result *r = site_score(&s, OBS_HSTS);
  CHECK_STR(r->result, "hsts-preloaded");
  CHECK(r->pass);
  CHECK_STR(s.result.tests[OBS_REDIRECTION].result,
            "redirection-all-redirects-preloaded");
  site_free(&s);
}

TEST(obs_redirection_results)
{
  struct obs_response chain[4];
  struct {
    const char *urls[4];
    size_t n;
    const char *result;
  } cases[] = {
    {{"http://" HOST "/"}, 1, "redirection-missing"},
    {{"http://" HOST "/", "https://" HOST "/"}, 2, "redirection-to-https"},
    {{"http://" HOST "/", "http://" HOST "/a"}, 2, "redirection-not-to-https"},
    {{"http://" HOST "/", "http://www." HOST "/", "https://" HOST "/"}, 3,
     "redirection-not-to-https-on-initial-redirection"},
    {{"http://" HOST "/", "https://www." HOST "/"}, 2,
     "redirection-off-host-from-http"},
  };
  for (size_t i = 0; i < N(cases); i++) {
    struct site s;
    site_init(&s, "");
    for (size_t k = 0; k < cases[i].n; k++)
      chain[k] = (struct obs_response){cases[i].urls[k],
                                       k + 1 < cases[i].n ? 301 : 200, NULL,
                                       0};
    s.in.http.chain = chain;
    s.in.http.chain_count = cases[i].n;
    CHECK_STR(site_score(&s, OBS_REDIRECTION)->result, cases[i].result);
    site_free(&s);
  }
}

TEST(obs_redirection_without_http_or_cert)
{
  struct site s;
  site_init(&s, "");
  s.in.http.ok = false;
  const struct obs_test_result *r = site_score(&s, OBS_REDIRECTION);
  CHECK_STR(r->result, "redirection-not-needed-no-http");
  CHECK(r->pass);
  site_free(&s);

  site_init(&s, "");
  s.in.http.verified = false;
  r = site_score(&s, OBS_REDIRECTION);
  CHECK_STR(r->result, "redirection-invalid-cert");
  CHECK(!r->pass);
  site_free(&s);
}

struct cookie_case {
  const char *cookie;
  bool hsts;
  const char *result;
};

TEST(obs_cookies_results)
{
  static const struct cookie_case cases[] = {
    {NULL, false, "cookies-not-found"},
    {"SESSIONID=1; Secure; HttpOnly; SameSite=Lax", true,
     "cookies-secure-with-httponly-sessions-and-samesite"},
    {"SESSIONID=1; Secure; HttpOnly", true,
     "cookies-secure-with-httponly-sessions"},
    {"theme=dark; SameSite=Lax", true,
     "cookies-without-secure-flag-but-protected-by-hsts"},
    {"theme=dark", false, "cookies-without-secure-flag"},
    {"PHPSESSID=1; HttpOnly; SameSite=Strict", true,
     "cookies-session-without-secure-flag-but-protected-by-hsts"},
    {"PHPSESSID=1; HttpOnly", false, "cookies-session-without-secure-flag"},
    {"login_token=1; Secure", true, "cookies-session-without-httponly-flag"},
    {"a=1; Secure; SameSite=bogus", true, "cookies-samesite-flag-invalid"},
    {"a=1; Secure; SameSite", true, "cookies-samesite-flag-invalid"},
    {"a=1; SameSite=None", true, "cookies-samesite-flag-invalid"},
    {"csrftoken=1; Secure", true, "cookies-anticsrf-without-samesite-flag"},
    {"a=1; Domain=test", false, "cookies-not-found"},
    {"a=1; Domain=other.test", false, "cookies-not-found"},
    {"__Host-a=1; Path=/x; Secure", false, "cookies-not-found"},
    {"__Secure-a=1", false, "cookies-not-found"},
    {"novalue", false, "cookies-not-found"},
    {"heroku-session-affinity=1", false, "cookies-not-found"},
    {"a=; Max-Age=0", false, "cookies-without-secure-flag"},
  };
  for (size_t i = 0; i < N(cases); i++) {
    struct site s;
    site_init(&s, "");
    if (cases[i].hsts)
      site_header(&s, "Strict-Transport-Security", "max-age=31536000");
    if (cases[i].cookie)
      site_header(&s, "Set-Cookie", cases[i].cookie);
    CHECK_STR(site_score(&s, OBS_COOKIES)->result, cases[i].result);
    site_free(&s);
  }
}

TEST(obs_cookies_from_redirect_hop)
{
  /* A cookie set by a redirect of the chain is in the jar; a later one of
   * the same name, domain and path replaces it. */
  struct obs_header hop_headers[] = {{"Set-Cookie", "sess=1; Path=/; HttpOnly"}};
  struct obs_response chain[2];
  struct site s;
  site_init(&s, "");
  site_header(&s, "Strict-Transport-Security", "max-age=31536000");
  chain[0] = (struct obs_response){"https://" HOST "/", 302, hop_headers, 1};
  chain[1] = s.https_chain[0];
  s.in.https.chain = chain;
  s.in.https.chain_count = 2;
  chain[1].header_count = s.header_count;
  obs_result_free(&s.result);
  CHECK_INT(obs_score(&s.in, &s.result), SP_OK);
  CHECK_STR(s.result.tests[OBS_COOKIES].result,
            "cookies-session-without-secure-flag-but-protected-by-hsts");

  site_header(&s, "Set-Cookie", "sess=2; Secure; HttpOnly; SameSite=Lax");
  chain[1].header_count = s.header_count;
  obs_result_free(&s.result);
  CHECK_INT(obs_score(&s.in, &s.result), SP_OK);
  CHECK_STR(s.result.tests[OBS_COOKIES].result,
            "cookies-secure-with-httponly-sessions-and-samesite");
  site_free(&s);
}

struct body_case {
  const char *body;
  const char *result;
};

TEST(obs_sri_results)
{
  static const struct body_case cases[] = {
    {"<p>hi</p>", "sri-not-implemented-but-no-scripts-loaded"},
    {"<script>var a = 1;</script>",
     "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"},
    {"<script src=/app.js></script>",
     "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"},
    {"<script src=/app.js integrity=sha384-a></script>",
     "sri-implemented-and-all-scripts-loaded-securely"},
    {"<script src=https://cdn.agency.test/a.js></script>",
     "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"},
    {"<script src=https://cdn.other.test/a.js integrity=sha384-a></script>",
     "sri-implemented-and-external-scripts-loaded-securely"},
    {"<script src=https://cdn.other.test/a.js></script>",
     "sri-not-implemented-but-external-scripts-loaded-securely"},
    {"<script src=http://cdn.other.test/a.js></script>",
     "sri-not-implemented-and-external-scripts-not-loaded-securely"},
    {"<script src=HTTP://CDN.other.test/a.js integrity=x></script>",
     "sri-implemented-but-external-scripts-not-loaded-securely"},
    {"<script src=//cdn.other.test/a.js integrity=x></script>",
     "sri-implemented-but-external-scripts-not-loaded-securely"},
    {"<script src=http:cdn.other.test/a.js></script>",
     "sri-not-implemented-and-external-scripts-not-loaded-securely"},
    {"<svg><script src=http://cdn.other.test/a.js></script></svg>",
     "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"},
    {"<template><script src=http://x.test/a.js></script></template>",
     "sri-not-implemented-but-no-scripts-loaded"},
    {"<title><script src=http://x.test/a.js></script></title>",
     "sri-not-implemented-but-no-scripts-loaded"},
    {"[\"<script src=http://x.test/a.js></script>\"]",
     "sri-not-implemented-and-external-scripts-not-loaded-securely"},
    {"{\"a\": \"<script src=http://x.test/a.js></script>\"}",
     "sri-not-implemented-but-no-scripts-loaded"},
  };
  for (size_t i = 0; i < N(cases); i++) {
    struct site s;
    site_init(&s, cases[i].body);
    CHECK_STR(site_score(&s, OBS_SRI)->result, cases[i].result);
    site_free(&s);
  }
}

TEST(obs_sri_not_html)
{
  struct site s;
  site_init(&s, "<script src=http://x.test/a.js></script>");
  s.headers[0].value = "text/html ; charset=utf-8";
  CHECK_STR(site_score(&s, OBS_SRI)->result,
            "sri-not-implemented-response-not-html");
  site_free(&s);
}

TEST(obs_sri_registrable_domain)
{
  /* go.id is a public suffix: pemkot.metrokota.go.id and
   * cdn.metrokota.go.id share metrokota.go.id. */
  static const char body[] =
    "<script src=https://cdn.metrokota.go.id/a.js></script>";
  struct site s;
  site_init(&s, body);
  s.in.host = "pemkot.metrokota.go.id";
  CHECK_STR(site_score(&s, OBS_SRI)->result,
            "sri-not-implemented-but-all-scripts-loaded-from-secure-origin");
  site_free(&s);
  site_init(&s, "<script src=https://other.go.id/a.js></script>");
  s.in.host = "pemkot.metrokota.go.id";
  CHECK_STR(site_score(&s, OBS_SRI)->result,
            "sri-not-implemented-but-external-scripts-loaded-securely");
  site_free(&s);
}

TEST(obs_cors_results)
{
  struct {
    const char *origin;
    const char *credentials;
    int status;
    const char *result;
    bool reflected;
  } cases[] = {
    {NULL, NULL, 200, "cross-origin-resource-sharing-not-implemented", false},
    {"*", NULL, 200,
     "cross-origin-resource-sharing-implemented-with-public-access", false},
    {"https://x.test", NULL, 200,
     "cross-origin-resource-sharing-implemented-with-restricted-access",
     false},
    {OBS_CORS_ORIGIN, "true", 200,
     "cross-origin-resource-sharing-implemented-with-restricted-access",
     true},
    {"*", NULL, 405, "cross-origin-resource-sharing-not-implemented", false},
  };
  for (size_t i = 0; i < N(cases); i++) {
    struct site s;
    site_init(&s, "");
    size_t n = 0;
    if (cases[i].origin)
      s.cors_headers[n++] = (struct obs_header){"Access-Control-Allow-Origin",
                                                cases[i].origin};
    if (cases[i].credentials)
      s.cors_headers[n++] = (struct obs_header){
        "Access-Control-Allow-Credentials", cases[i].credentials};
    s.cors_chain[0].header_count = n;
    s.cors_chain[0].status = cases[i].status;
    s.in.cors = (struct obs_session){.ok = true, .verified = true,
                                     .chain = s.cors_chain, .chain_count = 1};
    const struct obs_test_result *r = site_score(&s, OBS_CORS);
    CHECK_STR(r->result, cases[i].result);
    CHECK(r->pass);
    CHECK_INT(s.result.cors_origin_reflected_with_credentials,
              cases[i].reflected);
    site_free(&s);
  }
}

TEST(obs_grade_table)
{
  static const struct {
    int score;
    const char *grade;
  } cases[] = {{135, "A+"}, {100, "A+"}, {99, "A"}, {90, "A"}, {89, "A-"},
               {85, "A-"}, {80, "B+"}, {70, "B"}, {65, "B-"}, {60, "C+"},
               {50, "C"}, {45, "C-"}, {40, "D+"}, {30, "D"}, {25, "D-"},
               {24, "F"}, {0, "F"}, {-20, "F"}};
  for (size_t i = 0; i < N(cases); i++)
    CHECK_STR(obs_grade_for(cases[i].score), cases[i].grade);
}

TEST(obs_score_well_configured)
{
  /* Every bonus counts once the score without them is an A: 100 + 10
   * (CSP default-src 'none') + 5 (SRI) + 5 (referrer) + 5 (cookies) + 5
   * (XFO via CSP) + 10 (CORP) = 140. */
  struct site s;
  site_init(&s, "<script src=/app.js integrity=sha384-a></script>");
  site_header(&s, "Content-Security-Policy",
              "default-src 'none'; script-src 'self'; frame-ancestors 'none'");
  site_header(&s, "Strict-Transport-Security", "max-age=63072000");
  site_header(&s, "X-Content-Type-Options", "nosniff");
  site_header(&s, "Referrer-Policy", "no-referrer");
  site_header(&s, "Cross-Origin-Resource-Policy", "same-origin");
  site_header(&s, "Set-Cookie", "SESSION=1; Secure; HttpOnly; SameSite=Lax");
  site_header(&s, "Cross-Origin-Opener-Policy", "same-origin");
  site_score(&s, OBS_CSP);
  CHECK_INT(s.result.score, 140);
  CHECK_STR(s.result.grade, "A+");
  CHECK_INT(s.result.tests_passed, 10);
  CHECK_STR(s.result.unscored[0].value, "same-origin");
  CHECK(s.result.unscored[0].valid);
  CHECK(s.result.unscored[1].value == NULL);
  site_free(&s);
}

TEST(obs_score_no_extra_credit_below_a)
{
  /* Penalties: CSP -25, HSTS -20, XCTO -5, XFO -20 = 30; the +10 of CORP
   * does not count because 30 is below 90. */
  struct site s;
  site_init(&s, "");
  site_header(&s, "Cross-Origin-Resource-Policy", "same-site");
  site_score(&s, OBS_CSP);
  CHECK_INT(s.result.score, 30);
  CHECK_STR(s.result.grade, "D");
  CHECK_INT(s.result.tests_passed, 6);
  site_free(&s);
}

TEST(obs_score_clamps_at_zero)
{
  struct site s;
  site_init(&s, "<script src=http://x.test/a.js></script>");
  site_header(&s, "Set-Cookie", "sess=1");
  site_header(&s, "Content-Security-Policy", "default-src 'self' 'self'");
  s.in.http.verified = false;
  s.in.https.verified = false;
  site_score(&s, OBS_CSP);
  CHECK_INT(s.result.score, 0);
  CHECK_STR(s.result.grade, "F");
  site_free(&s);
}

TEST(obs_status_not_graded)
{
  static const int statuses[] = {500, 404, 100};
  for (size_t i = 0; i < N(statuses); i++) {
    struct site s;
    site_init(&s, "");
    s.https_chain[0].status = statuses[i];
    CHECK_INT(obs_score(&s.in, &s.result), SP_OK);
    CHECK_INT(s.result.status, OBS_STATUS_NOT_GRADED);
    CHECK_INT(s.result.http_status, statuses[i]);
    CHECK_STR(s.result.grade, "");
    site_free(&s);
  }
  struct site s;
  site_init(&s, "");
  s.https_chain[0].status = 401;
  CHECK_INT(obs_score(&s.in, &s.result), SP_OK);
  CHECK_INT(s.result.status, OBS_GRADED);
  site_free(&s);

  site_init(&s, "");
  s.in.https.ok = false;
  s.in.http.ok = false;
  CHECK_INT(obs_score(&s.in, &s.result), SP_OK);
  CHECK_INT(s.result.status, OBS_SITE_DOWN);
  CHECK(obs_cors_url(&s.in) == NULL);
  site_free(&s);
}

TEST(obs_cors_url_and_robots)
{
  struct obs_header none[1];
  struct obs_response robots[1] = {{"https://" HOST "/robots.txt", 200, none,
                                    0}};
  struct site s;
  site_init(&s, "");
  CHECK(!obs_needs_robots(&s.in));
  CHECK_STR(obs_cors_url(&s.in), "https://" HOST "/");
  CHECK(obs_auto(&s.in) == &s.in.https);

  s.in.https.verified = false;
  CHECK(obs_needs_robots(&s.in));
  s.in.robots = (struct obs_session){.ok = true, .chain = robots,
                                     .chain_count = 1};
  CHECK_STR(obs_cors_url(&s.in), "https://" HOST "/robots.txt");
  robots[0].status = 404;
  CHECK_STR(obs_cors_url(&s.in), "https://" HOST "/");

  s.in.https.ok = false;
  CHECK(obs_auto(&s.in) == &s.in.http);
  CHECK_STR(obs_cors_url(&s.in), "https://" HOST "/");
  site_free(&s);
}

TEST(obs_json_rendering)
{
  struct site s;
  site_init(&s, "");
  site_header(&s, "X-Content-Type-Options", "nosniff");
  site_score(&s, OBS_CSP);
  json_t *j = obs_result_json(&s.result);
  CHECK(j != NULL);
  CHECK_INT(json_integer_value(json_object_get(j, "algorithmVersion")), 4);
  CHECK_INT(json_integer_value(json_object_get(j, "score")),
            s.result.score);
  CHECK_STR(json_string_value(json_object_get(j, "grade")), s.result.grade);
  json_t *xcto = json_object_get(json_object_get(j, "tests"),
                                 "x-content-type-options");
  CHECK_STR(json_string_value(json_object_get(xcto, "result")),
            "x-content-type-options-nosniff");
  CHECK(json_is_true(json_object_get(xcto, "pass")));
  CHECK_INT(json_object_size(json_object_get(j, "tests")), OBS_TEST_COUNT);
  json_decref(j);
  site_free(&s);

  site_init(&s, "");
  s.https_chain[0].status = 500;
  CHECK_INT(obs_score(&s.in, &s.result), SP_OK);
  j = obs_result_json(&s.result);
  CHECK(json_is_null(json_object_get(j, "grade")));
  CHECK(json_is_null(json_object_get(j, "score")));
  json_decref(j);
  site_free(&s);
}

TEST(obs_hostile_input)
{
  /* A CSP of 100 KB with 20,000 directives, a body of invalid UTF-8 and
   * NUL bytes, and HTML nested 50,000 deep score without harm. */
  size_t n = 20000;
  char *csp = malloc(n * 8 + 32);
  char *deep = malloc(50000 * 5 + 64);
  CHECK(csp != NULL);
  CHECK(deep != NULL);
  if (csp == NULL || deep == NULL) {
    free(csp);
    free(deep);
    return;
  }
  size_t o = 0;
  for (size_t i = 0; i < n; i++)
    o += (size_t)sprintf(csp + o, "d%04zu;", i);
  strcpy(csp + o, "default-src 'none'");
  o = 0;
  for (size_t i = 0; i < 50000; i++) {
    memcpy(deep + o, "<div>", 5);
    o += 5;
  }
  strcpy(deep + o, "<script src=/a.js></script>");
  struct site s;
  site_init(&s, deep);
  site_header(&s, "Content-Security-Policy", csp);
  site_header(&s, "X-Bad", "\xff\xfe\x01\x7f");
  CHECK_STR(site_score(&s, OBS_CSP)->result,
            "csp-implemented-with-no-unsafe-default-src-none");
  site_free(&s);

  static const char binary[] = "\xff<scr\0ipt src=//x>\xc3\x28<meta\xed\xa0\x80";
  site_init(&s, NULL);
  s.in.https.body = binary;
  s.in.https.body_len = sizeof binary - 1;
  site_score(&s, OBS_SRI);
  site_free(&s);
  free(csp);
  free(deep);
}

TEST(obs_text_helpers)
{
  struct obs_arena a = {0};
  CHECK(obs_collate("'self'", "https:") < 0);
  CHECK(obs_collate("a-b", "ab") < 0);
  CHECK(obs_collate("http:", "http://x") < 0);
  CHECK(obs_collate("a\x01", "a") == 0);
  CHECK(obs_collate("9", "a") < 0);
  bool bad;
  CHECK_STR(obs_decode_uri_component(&a, "a%7Eb%C3%A9", &bad), "a~b\xc3\xa9");
  CHECK(!bad);
  CHECK(obs_decode_uri_component(&a, "%zz", &bad) == NULL);
  CHECK(bad);
  CHECK(obs_decode_uri_component(&a, "%C3", &bad) == NULL);
  CHECK(bad);
  double v;
  CHECK(obs_js_parse_int("  +42abc", &v));
  CHECK(v == 42);
  CHECK(!obs_js_parse_int("x1", &v));
  static const char spaced[] = "\xc2\xa0 x y\t\xe2\x80\xa8";
  CHECK_STR(obs_js_trim(&a, spaced, strlen(spaced)), "x y");
  CHECK_INT(obs_js_length("a\xf0\x9f\x98\x80"), 3);
  CHECK_STR(obs_registrable_domain(&a, "www.metrokota.go.id", false),
            "metrokota.go.id");
  CHECK_STR(obs_registrable_domain(&a, "a.b.agency.test", false),
            "agency.test");
  CHECK(obs_registrable_domain(&a, "go.id", false) == NULL);
  CHECK(obs_registrable_domain(&a, "127.0.0.1", false) == NULL);
  CHECK(obs_registrable_domain(&a, "github.io", true) == NULL);
  CHECK_STR(obs_registrable_domain(&a, "x.github.io", false), "github.io");
  CHECK(!a.failed);
  obs_arena_free(&a);
}

int
main(void)
{
  RUN(obs_csp_header_results);
  RUN(obs_csp_report_only);
  RUN(obs_csp_two_headers_join);
  RUN(obs_csp_meta);
  RUN(obs_csp_two_policies_intersect);
  RUN(obs_xfo_results);
  RUN(obs_xfo_via_csp);
  RUN(obs_xcto_results);
  RUN(obs_xcto_repeated_header_invalid);
  RUN(obs_referrer_results);
  RUN(obs_referrer_meta_last);
  RUN(obs_corp_results);
  RUN(obs_hsts_results);
  RUN(obs_hsts_needs_verified_https);
  RUN(obs_hsts_preloaded);
  RUN(obs_redirection_results);
  RUN(obs_redirection_without_http_or_cert);
  RUN(obs_cookies_results);
  RUN(obs_cookies_from_redirect_hop);
  RUN(obs_sri_results);
  RUN(obs_sri_not_html);
  RUN(obs_sri_registrable_domain);
  RUN(obs_cors_results);
  RUN(obs_grade_table);
  RUN(obs_score_well_configured);
  RUN(obs_score_no_extra_credit_below_a);
  RUN(obs_score_clamps_at_zero);
  RUN(obs_status_not_graded);
  RUN(obs_cors_url_and_robots);
  RUN(obs_json_rendering);
  RUN(obs_hostile_input);
  RUN(obs_text_helpers);
  return TEST_EXIT();
}
