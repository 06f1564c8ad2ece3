/* Puts examination results into a store for the console and API tests,
 * which cannot probe real sites. console_exam.sh and api.sh compile it
 * against the ASan library, as store_postgres.sh does with pg_probe.c.
 *
 * Usage: exam_seed STORE_URL < RUNS.json. The input is
 *   {"runs": [{"ago": SECONDS, "results": [RESULT, ...]}, ...]}
 * Each run becomes a finished "examine" job examined `ago` seconds before
 * now, or, with "queued_for": SECONDS instead, a queued job with no
 * results that no worker claims before that many seconds from now. Each
 * RESULT becomes one stored result of its run:
 *   {"app": CODE, "outcome": "ok", "http_status": 200, "response_ms": 120,
 *    "final_url": URL, "redirects": [{"url": URL, "status": 301}],
 *    "https_available": 1, "https_redirect": 1, "tls_valid": 1,
 *    "tls_trusted": 1, "tls_issuer": TEXT, "tls_expires_in": SECONDS,
 *    "tls_protocol": "TLSv1.3", "grade": "B+", "score": 80, "tests": {},
 *    "error": TEXT, "findings": [{"id", "severity", "evidence"}]}
 * where every member but "app" may be left out (unknown). Prints the job
 * id of each run, one per line. Exits 1 with a message on bad input or a
 * store failure. */
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

static int
int_member(json_t *o, const char *key, int fallback)
{
  json_t *v = json_object_get(o, key);
  return json_is_integer(v) ? (int)json_integer_value(v) : fallback;
}

/* A string member, or the JSON text of an array or object member. */
static char *
text_member(json_t *o, const char *key)
{
  json_t *v = json_object_get(o, key);
  if (json_is_string(v))
    return strdup(json_string_value(v));
  if (json_is_array(v) || json_is_object(v))
    return json_dumps(v, JSON_COMPACT);
  return NULL;
}

static bool
read_findings(json_t *in, struct exam_result *r)
{
  json_t *list = json_object_get(in, "findings");
  size_t n = json_array_size(list);
  if (n == 0)
    return true;
  r->findings = calloc(n, sizeof *r->findings);
  if (r->findings == NULL)
    return false;
  for (size_t i = 0; i < n; i++) {
    json_t *f = json_array_get(list, i);
    r->findings[i] = (struct exam_finding){
      .id = text_member(f, "id"),
      .severity = text_member(f, "severity"),
      .evidence = text_member(f, "evidence"),
    };
    r->finding_count++;
  }
  return true;
}

static bool
read_result(json_t *in, int64_t run_id, int64_t at, int64_t now,
            struct exam_result *r)
{
  int expires_in = int_member(in, "tls_expires_in", 0);
  *r = (struct exam_result){
    .run_id = run_id,
    .app_code = text_member(in, "app"),
    .examined_at = at,
    .outcome = text_member(in, "outcome"),
    .http_status = int_member(in, "http_status", 0),
    .response_ms = int_member(in, "response_ms", -1),
    .final_url = text_member(in, "final_url"),
    .redirects = text_member(in, "redirects"),
    .https_available = int_member(in, "https_available", -1),
    .https_redirect = int_member(in, "https_redirect", -1),
    .tls_valid = int_member(in, "tls_valid", -1),
    .tls_trusted = int_member(in, "tls_trusted", -1),
    .tls_issuer = text_member(in, "tls_issuer"),
    .tls_expires_at = expires_in != 0 ? now + expires_in : 0,
    .tls_protocol = text_member(in, "tls_protocol"),
    .grade = text_member(in, "grade"),
    .score = int_member(in, "score", -1),
    .tests = text_member(in, "tests"),
    .error = text_member(in, "error"),
  };
  return r->app_code != NULL && read_findings(in, r);
}

static enum store_rc
put_result(struct store *s, void *arg)
{
  return s->ops->exam_result_put(s, arg);
}

/* Stores one run: its job, then its results. */
static bool
seed_run(struct store *s, json_t *run, int64_t now)
{
  int64_t at = now - int_member(run, "ago", 0);
  struct job j = {
    .kind = "examine", .params = "{}", .state = "done",
    .created_by = "exam_seed", .scheduled_for = at, .created_at = at,
    .started_at = at, .finished_at = at + 1,
  };
  int queued_for = int_member(run, "queued_for", 0);
  if (queued_for > 0)
    j = (struct job){
      .kind = "examine", .params = "{}", .state = "queued",
      .created_by = "exam_seed", .scheduled_for = now + queued_for,
      .created_at = now,
    };
  json_t *results = json_object_get(run, "results");
  j.progress_done = j.progress_total = (int64_t)json_array_size(results);
  if (s->ops->job_add(s, &j) != STORE_OK) {
    fprintf(stderr, "exam_seed: job_add failed: %s\n", store_errmsg(s));
    return false;
  }
  for (size_t i = 0; i < json_array_size(results); i++) {
    struct exam_result r;
    bool ok = read_result(json_array_get(results, i), j.id, at, now, &r);
    if (!ok)
      fprintf(stderr, "exam_seed: result %zu has no \"app\"\n", i);
    else if (store_tx(s, false, put_result, &r) != STORE_OK) {
      fprintf(stderr, "exam_seed: exam_result_put failed: %s\n",
              store_errmsg(s));
      ok = false;
    }
    exam_result_free(&r);
    if (!ok)
      return false;
  }
  printf("%lld\n", (long long)j.id);
  return true;
}

int
main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: exam_seed STORE_URL < RUNS.json\n");
    return 1;
  }
  json_error_t jerr;
  json_t *input = json_loadf(stdin, 0, &jerr);
  if (input == NULL) {
    fprintf(stderr, "exam_seed: input line %d: %s\n", jerr.line, jerr.text);
    return 1;
  }
  char err[512];
  struct store *s = store_open(argv[1], err, sizeof err);
  if (s == NULL) {
    fprintf(stderr, "exam_seed: %s\n", err);
    json_decref(input);
    return 1;
  }
  int64_t now = (int64_t)time(NULL);
  json_t *runs = json_object_get(input, "runs");
  bool ok = json_array_size(runs) > 0;
  for (size_t i = 0; ok && i < json_array_size(runs); i++)
    ok = seed_run(s, json_array_get(runs, i), now);
  store_close(s);
  json_decref(input);
  return ok ? 0 : 1;
}
