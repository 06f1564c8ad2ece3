/* The scan of the Observatory (src/scanner/index.js of the package): pick
 * the session, run the ten tests, add up the score. */
#include "examine/observatory.h"

#include <stdlib.h>
#include <string.h>

#include "examine/obs_internal.h"

/* Extra credit counts only when the score without it is at least this. */
#define MINIMUM_SCORE_FOR_EXTRA_CREDIT 90

static const struct obs_response *
final_response(const struct obs_session *s)
{
  return s->ok && s->chain_count > 0 ? &s->chain[s->chain_count - 1] : NULL;
}

const struct obs_session *
obs_auto(const struct obs_input *in)
{
  return final_response(&in->https) ? &in->https : &in->http;
}

bool
obs_needs_robots(const struct obs_input *in)
{
  const struct obs_session *s = obs_auto(in);
  return final_response(s) != NULL && !s->verified;
}

const char *
obs_cors_url(const struct obs_input *in)
{
  const struct obs_session *s = obs_auto(in);
  const struct obs_response *last = final_response(s);
  if (last == NULL)
    return NULL;
  /* Without verification the Observatory's follow-up client records its
   * responses in the session's redirect history, so a robots.txt that
   * answered 2xx becomes the last entry, and the preflight goes there. */
  const struct obs_response *robots = final_response(&in->robots);
  if (obs_needs_robots(in) && robots != NULL && robots->status >= 200 &&
      robots->status < 300)
    return in->robots.chain[0].url;
  return last->url;
}

static const char *const COOP_VALUES[] = {
  "unsafe-none", "same-origin-allow-popups", "same-origin",
  "noopener-allow-popups", NULL};
static const char *const COEP_VALUES[] = {
  "unsafe-none", "require-corp", "credentialless", NULL};

/* Reads a header the Observatory does not score. The value's first token
 * (before any ';' parameter) must be one the header defines. */
static bool
read_unscored(struct obs_ctx *c, struct obs_unscored *u, const char *name,
              const char *const *allowed)
{
  u->name = name;
  const char *v = obs_header_get(&c->auto_headers, name);
  if (v == NULL)
    return true;
  u->value = strdup(v);
  char *token = obs_js_trim(&c->arena, v, strcspn(v, ";"));
  if (u->value == NULL || token == NULL)
    return false;
  u->valid = obs_in_list(obs_lower(&c->arena, token), allowed);
  return true;
}

static bool
prepare(struct obs_ctx *c)
{
  const struct obs_input *in = c->in;
  struct obs_arena *a = &c->arena;
  if (!obs_headers_build(a, c->auto_response, &c->auto_headers) ||
      !obs_headers_build(a, final_response(&in->https), &c->https_headers))
    return false;
  const struct obs_response *cors = final_response(&in->cors);
  /* The preflight goes through axios's default status check: only a 2xx
   * answer reaches the test. */
  c->cors_ok = cors != NULL && cors->status >= 200 && cors->status < 300;
  if (c->cors_ok && !obs_headers_build(a, cors, &c->cors_headers))
    return false;
  return obs_page_read(c);
}

static void
run_tests(struct obs_ctx *c, struct obs_result *out)
{
  struct obs_test_result *t = out->tests;
  bool frame_ancestors = false;
  obs_test_csp(c, &t[OBS_CSP], &frame_ancestors);
  obs_test_hsts(c, &t[OBS_HSTS]);
  obs_test_cookies(c, t[OBS_HSTS].pass, &t[OBS_COOKIES]);
  obs_test_cors(c, &t[OBS_CORS], &out->cors_origin_reflected_with_credentials);
  obs_test_redirection(c, &t[OBS_REDIRECTION]);
  obs_test_referrer(c, &t[OBS_REFERRER]);
  obs_test_sri(c, &t[OBS_SRI]);
  obs_test_xcto(c, &t[OBS_XCTO]);
  obs_test_xfo(c, frame_ancestors, &t[OBS_XFO]);
  obs_test_corp(c, &t[OBS_CORP]);
}

/* Adds up the modifiers as the scanner does: the negative ones always
 * count, the positive ones only when the rest reaches an A. */
static void
add_up(struct obs_result *out)
{
  int with_extra_credit = 100, uncurved = 100;
  out->tests_passed = 0;
  for (int i = 0; i < OBS_TEST_COUNT; i++) {
    struct obs_test_result *t = &out->tests[i];
    t->score_modifier = obs_score_modifier(t->result);
    out->tests_passed += t->pass ? 1 : 0;
    with_extra_credit += t->score_modifier;
    if (t->score_modifier < 0)
      uncurved += t->score_modifier;
  }
  int score = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? with_extra_credit
                                                         : uncurved;
  out->score = score < 0 ? 0 : score;
  strcpy(out->grade, obs_grade_for(out->score));
}

enum sp_err
obs_score(const struct obs_input *in, struct obs_result *out)
{
  *out = (struct obs_result){.status = OBS_SITE_DOWN};
  struct obs_ctx c = {.in = in, .auto_session = obs_auto(in)};
  c.auto_response = final_response(c.auto_session);
  c.auto_https = c.auto_session == &in->https;
  if (c.auto_response == NULL)
    return SP_OK;
  int status = c.auto_response->status;
  out->http_status = status;
  if (status < 200 || (status >= 400 && status != 401 && status != 403)) {
    out->status = OBS_STATUS_NOT_GRADED;
    return SP_OK;
  }
  enum sp_err err = SP_ERR_NOMEM;
  if (!prepare(&c))
    goto out;
  run_tests(&c, out);
  if (c.arena.failed ||
      !read_unscored(&c, &out->unscored[0], "cross-origin-opener-policy",
                     COOP_VALUES) ||
      !read_unscored(&c, &out->unscored[1], "cross-origin-embedder-policy",
                     COEP_VALUES) ||
      c.arena.failed)
    goto out;
  add_up(out);
  out->status = OBS_GRADED;
  err = SP_OK;
out:
  obs_page_free(&c.page);
  obs_arena_free(&c.arena);
  if (err != SP_OK) {
    obs_result_free(out);
    *out = (struct obs_result){.status = OBS_SITE_DOWN};
  }
  return err;
}

void
obs_result_free(struct obs_result *r)
{
  if (r == NULL)
    return;
  for (size_t i = 0; i < sizeof r->unscored / sizeof *r->unscored; i++) {
    free(r->unscored[i].value);
    r->unscored[i].value = NULL;
  }
}
