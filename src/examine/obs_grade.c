/* The Observatory's score table, grade chart and the JSON rendering of a
 * result (src/grader/charts.js and src/scanner/index.js of the package). */
#include "examine/obs_internal.h"

#include <string.h>

struct score_row {
  const char *result;
  int modifier;
};

static const struct score_row SCORE_TABLE[] = {
  {"csp-implemented-with-no-unsafe-default-src-none", 10},
  {"csp-implemented-with-no-unsafe", 5},
  {"csp-implemented-with-unsafe-inline-in-style-src-only", 0},
  {"csp-implemented-with-insecure-scheme-in-passive-content-only", -10},
  {"csp-implemented-with-unsafe-eval", -10},
  {"csp-implemented-with-unsafe-inline", -20},
  {"csp-implemented-with-insecure-scheme", -20},
  {"csp-header-invalid", -25},
  {"csp-not-implemented", -25},
  {"csp-not-implemented-but-reporting-enabled", -25},
  {"csp-implemented-but-duplicate-directives", 0},
  {"cookies-secure-with-httponly-sessions-and-samesite", 5},
  {"cookies-secure-with-httponly-sessions", 0},
  {"cookies-not-found", 0},
  {"cookies-without-secure-flag-but-protected-by-hsts", -5},
  {"cookies-session-without-secure-flag-but-protected-by-hsts", -10},
  {"cookies-without-secure-flag", -20},
  {"cookies-samesite-flag-invalid", -20},
  {"cookies-anticsrf-without-samesite-flag", -20},
  {"cookies-session-without-httponly-flag", -30},
  {"cookies-session-without-secure-flag", -40},
  {"cross-origin-resource-sharing-not-implemented", 0},
  {"cross-origin-resource-sharing-implemented-with-public-access", 0},
  {"cross-origin-resource-sharing-implemented-with-restricted-access", 0},
  {"cross-origin-resource-sharing-implemented-with-universal-access", -50},
  {"redirection-all-redirects-preloaded", 0},
  {"redirection-to-https", 0},
  {"redirection-not-needed-no-http", 0},
  {"redirection-off-host-from-http", -5},
  {"redirection-not-to-https-on-initial-redirection", -10},
  {"redirection-not-to-https", -20},
  {"redirection-missing", -20},
  {"redirection-invalid-cert", -20},
  {"referrer-policy-private", 5},
  {"referrer-policy-not-implemented", 0},
  {"referrer-policy-unsafe", -5},
  {"referrer-policy-header-invalid", -5},
  {"hsts-preloaded", 5},
  {"hsts-implemented-max-age-at-least-six-months", 0},
  {"hsts-implemented-max-age-less-than-six-months", -10},
  {"hsts-not-implemented", -20},
  {"hsts-header-invalid", -20},
  {"hsts-not-implemented-no-https", -20},
  {"hsts-invalid-cert", -20},
  {"sri-implemented-and-all-scripts-loaded-securely", 5},
  {"sri-implemented-and-external-scripts-loaded-securely", 5},
  {"sri-not-implemented-response-not-html", 0},
  {"sri-not-implemented-but-no-scripts-loaded", 0},
  {"sri-not-implemented-but-all-scripts-loaded-from-secure-origin", 0},
  {"sri-not-implemented-but-external-scripts-loaded-securely", -5},
  {"sri-implemented-but-external-scripts-not-loaded-securely", -20},
  {"sri-not-implemented-and-external-scripts-not-loaded-securely", -50},
  {"x-content-type-options-nosniff", 0},
  {"x-content-type-options-not-implemented", -5},
  {"x-content-type-options-header-invalid", -5},
  {"x-frame-options-implemented-via-csp", 5},
  {"x-frame-options-sameorigin-or-deny", 0},
  {"x-frame-options-allow-from-origin", 0},
  {"x-frame-options-not-implemented", -20},
  {"x-frame-options-header-invalid", -20},
  {"corp-header-invalid", -5},
  {"corp-implemented-with-cross-origin", 0},
  {"corp-implemented-with-same-origin", 10},
  {"corp-implemented-with-same-site", 10},
  {"corp-not-implemented", 0},
  {"html-not-parseable", -20},
};

int
obs_score_modifier(const char *result)
{
  for (size_t i = 0; result && i < sizeof SCORE_TABLE / sizeof *SCORE_TABLE;
       i++)
    if (strcmp(SCORE_TABLE[i].result, result) == 0)
      return SCORE_TABLE[i].modifier;
  return 0;
}

/* Grades by score rounded down to a multiple of 5, from 100 down. */
static const char *const GRADE_CHART[] = {
  "A+", "A", "A", "A-", "B+", "B", "B", "B-", "C+", "C", "C",
  "C-", "D+", "D", "D", "D-", "F", "F", "F", "F", "F"};

const char *
obs_grade_for(int score)
{
  if (score < 0)
    score = 0;
  int key = score - score % 5;
  if (key > 100)
    key = 100;
  return GRADE_CHART[(100 - key) / 5];
}

static bool
set_new(json_t *obj, const char *key, json_t *value)
{
  return value != NULL && json_object_set_new(obj, key, value) == 0;
}

static json_t *
test_json(const struct obs_test_result *t)
{
  json_t *o = json_object();
  if (o == NULL)
    return NULL;
  bool ok = set_new(o, "expectation", json_string(t->expectation)) &&
            set_new(o, "result", json_string(t->result)) &&
            set_new(o, "pass", json_boolean(t->pass)) &&
            set_new(o, "scoreModifier", json_integer(t->score_modifier));
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static json_t *
unscored_json(const struct obs_unscored *u)
{
  json_t *o = json_object();
  if (o == NULL)
    return NULL;
  json_t *value = u->value ? json_stringn_nocheck(u->value, strlen(u->value))
                           : json_null();
  if (!set_new(o, "value", value) ||
      !set_new(o, "valid", json_boolean(u->valid))) {
    json_decref(o);
    return NULL;
  }
  return o;
}

static bool
add_tests(json_t *root, const struct obs_result *r)
{
  json_t *tests = json_object(), *unscored = json_object();
  if (!set_new(root, "tests", tests) || !set_new(root, "unscored", unscored))
    return false;
  if (r->status != OBS_GRADED)
    return true;
  for (int i = 0; i < OBS_TEST_COUNT; i++)
    if (!set_new(tests, r->tests[i].name, test_json(&r->tests[i])))
      return false;
  for (size_t i = 0; i < sizeof r->unscored / sizeof *r->unscored; i++)
    if (!set_new(unscored, r->unscored[i].name,
                 unscored_json(&r->unscored[i])))
      return false;
  return true;
}

json_t *
obs_result_json(const struct obs_result *r)
{
  json_t *root = json_object();
  if (root == NULL)
    return NULL;
  bool graded = r->status == OBS_GRADED;
  bool ok =
    set_new(root, "algorithmVersion", json_integer(4)) &&
    set_new(root, "statusCode", json_integer(r->http_status)) &&
    set_new(root, "score", graded ? json_integer(r->score) : json_null()) &&
    set_new(root, "grade", graded ? json_string(r->grade) : json_null()) &&
    set_new(root, "testsPassed", json_integer(r->tests_passed)) &&
    set_new(root, "testsQuantity", json_integer(OBS_TEST_COUNT)) &&
    add_tests(root, r) &&
    set_new(root, "corsOriginReflectedWithCredentials",
            json_boolean(r->cors_origin_reflected_with_credentials));
  if (!ok) {
    json_decref(root);
    return NULL;
  }
  return root;
}
