/* Scores canned retrievals with obs_score for observatory_cases.sh, which
 * compiles this file against the ASan library. Reads one JSON array of
 * cases on stdin and writes one JSON array of results on stdout.
 *
 * A case: {"name": ..., "host": ..., "http": SESSION, "https": SESSION,
 *          "robots": SESSION, "cors": SESSION}
 * SESSION: {"ok": bool, "verified": bool, "body": string,
 *           "chain": [{"url": ..., "status": n,
 *                      "headers": [[name, value], ...]}, ...]}
 * A missing session is one that failed. Header values are UTF-8 in the
 * JSON and are handed over as those bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "examine/observatory.h"

/* Storage of one session's converted chain. */
struct held {
  struct obs_response responses[16];
  struct obs_header headers[16][32];
};

static void
read_session(json_t *j, struct obs_session *s, struct held *h)
{
  *s = (struct obs_session){0};
  if (!json_is_object(j))
    return;
  s->ok = json_is_true(json_object_get(j, "ok"));
  s->verified = !json_is_false(json_object_get(j, "verified"));
  json_t *body = json_object_get(j, "body");
  if (json_is_string(body)) {
    s->body = json_string_value(body);
    s->body_len = json_string_length(body);
  }
  json_t *chain = json_object_get(j, "chain");
  size_t n = json_array_size(chain);
  if (n > 16)
    n = 16;
  for (size_t i = 0; i < n; i++) {
    json_t *r = json_array_get(chain, i);
    json_t *hs = json_object_get(r, "headers");
    size_t hn = json_array_size(hs);
    if (hn > 32)
      hn = 32;
    for (size_t k = 0; k < hn; k++) {
      json_t *pair = json_array_get(hs, k);
      h->headers[i][k] = (struct obs_header){
        json_string_value(json_array_get(pair, 0)),
        json_string_value(json_array_get(pair, 1))};
    }
    h->responses[i] = (struct obs_response){
      .url = json_string_value(json_object_get(r, "url")),
      .status = (int)json_integer_value(json_object_get(r, "status")),
      .headers = h->headers[i],
      .header_count = hn};
  }
  s->chain = h->responses;
  s->chain_count = n;
}

static json_t *
score_case(json_t *c)
{
  static struct held held[4];
  struct obs_input in = {
    .host = json_string_value(json_object_get(c, "host"))};
  read_session(json_object_get(c, "http"), &in.http, &held[0]);
  read_session(json_object_get(c, "https"), &in.https, &held[1]);
  read_session(json_object_get(c, "robots"), &in.robots, &held[2]);
  read_session(json_object_get(c, "cors"), &in.cors, &held[3]);
  struct obs_result r;
  if (obs_score(&in, &r) != SP_OK) {
    obs_result_free(&r);
    return json_pack("{s:s}", "error", "obs_score failed");
  }
  json_t *out = obs_result_json(&r);
  const char *cors_url = obs_cors_url(&in);
  json_object_set_new(out, "name", json_copy(json_object_get(c, "name")));
  json_object_set_new(out, "corsUrl",
                      cors_url ? json_string(cors_url) : json_null());
  json_object_set_new(out, "needsRobots",
                      json_boolean(obs_needs_robots(&in)));
  obs_result_free(&r);
  return out;
}

int
main(void)
{
  json_error_t error;
  json_t *cases = json_loadf(stdin, 0, &error);
  if (!json_is_array(cases)) {
    fprintf(stderr, "obs_driver: invalid input: %s\n", error.text);
    return 2;
  }
  json_t *results = json_array();
  for (size_t i = 0; i < json_array_size(cases); i++)
    json_array_append_new(results, score_case(json_array_get(cases, i)));
  json_dumpf(results, stdout, JSON_INDENT(1));
  fputc('\n', stdout);
  json_decref(results);
  json_decref(cases);
  return 0;
}
