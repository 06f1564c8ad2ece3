/* Security-header scoring with the method of MDN HTTP Observatory 1.4.8
 * (npm package @mdn/mdn-http-observatory, algorithm version 4): its ten
 * scored tests, their result ids and score modifiers, the score and the
 * grade A+ to F. The scoring is pure: it reads responses that the caller
 * fetched and never touches the network. docs/observatory.md lists where
 * simpul deliberately differs from the Observatory and why.
 *
 * Retrievals the caller must make for a host HOST, as the Observatory's
 * retriever does (src/retriever/ in the package). Every request sends
 * simpul's own User-Agent, "Accept: " OBS_ACCEPT, and never credentials.
 *  1. Two sessions, GET http://HOST/ and GET https://HOST/, each with a
 *     cookie engine of its own (cookies set by one hop are sent on the
 *     next, as the Observatory's cookie jar does). Redirects are followed
 *     by hand: on status 301, 302, 303, 307 or 308 the Location, resolved
 *     against the URL just requested, is requested with GET, at most
 *     OBS_MAX_REDIRECTS times. A 3xx after the last allowed redirect is
 *     the final response. A redirect without a Location header is followed to
 *     the relative URL "undefined", because the Observatory resolves the
 *     missing value that way. Every response of the chain goes into
 *     obs_session.chain. A certificate error on any hop (untrusted,
 *     expired, self-signed, name mismatch) restarts the whole session
 *     without verification and sets verified = false; any other failure
 *     (DNS, connection, TLS handshake, timeout) sets ok = false.
 *  2. obs_auto(in) then names the session the scoring reads most ("auto"):
 *     https when that session is ok, else http. Its final body is needed,
 *     decoded from any Content-Encoding.
 *  3. Only when obs_needs_robots(in) is true (the auto session is
 *     unverified): GET /robots.txt at the auto session's first URL,
 *     following redirects (any 3xx with a Location, at most
 *     OBS_MAX_REDIRECTS), into in->robots. The Observatory stores that
 *     request's cookies and, when it answers 2xx, sends the CORS request
 *     to it.
 *  4. OPTIONS obs_cors_url(in) (call it after step 3) with the headers
 *     "Origin: " OBS_CORS_ORIGIN and "Access-Control-Request-Method: GET",
 *     following redirects as in step 3 (a 303 turns the request into a
 *     GET), into in->cors.
 * The certificate checks use the same trusted roots as the rest of the
 * examination (the system's plus --cacert). */
#ifndef SIMPUL_EXAMINE_OBSERVATORY_H
#define SIMPUL_EXAMINE_OBSERVATORY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "core/error.h"

#define OBS_ACCEPT \
  "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
/* The Observatory's own origin; sites that list allowed origins answer it
 * as they answer the Observatory. */
#define OBS_CORS_ORIGIN "https://http-observatory.security.mozilla.org"
#define OBS_MAX_REDIRECTS 10

/* One header line as received. Duplicates stay separate lines in arrival
 * order: the scoring combines them as Node.js does. */
struct obs_header {
  const char *name;   /* any case */
  const char *value;  /* bytes as received, NUL-terminated */
};

/* One response of a session's chain. */
struct obs_response {
  const char *url;    /* absolute URL requested for this response */
  int status;
  const struct obs_header *headers;
  size_t header_count;
};

/* One session of the retriever: a request and the redirects it followed. */
struct obs_session {
  bool ok;            /* the chain ended in a response */
  bool verified;      /* no certificate error on any hop (true for http:) */
  const struct obs_response *chain;  /* in order; the last one is final */
  size_t chain_count;
  const char *body;   /* final response body, decoded; NULL when none */
  size_t body_len;
};

/* A host on the HSTS preload list (mode force-https). */
struct obs_preload_entry {
  const char *host;
  bool include_subdomains;
};

/* Everything the scoring reads. */
struct obs_input {
  const char *host;              /* the name scanned: lower case, no port */
  struct obs_session http;       /* step 1, from http://HOST/ */
  struct obs_session https;      /* step 1, from https://HOST/ */
  struct obs_session robots;     /* step 3; ok = false when not made */
  struct obs_session cors;       /* step 4; ok = false when it failed */
  /* The HSTS preload list; simpul ships none, so this is normally empty,
   * as the Observatory's list is in tests (see docs/observatory.md). */
  const struct obs_preload_entry *preload;
  size_t preload_count;
};

enum obs_test {
  OBS_CSP,
  OBS_COOKIES,
  OBS_CORS,
  OBS_REDIRECTION,
  OBS_REFERRER,
  OBS_HSTS,
  OBS_SRI,
  OBS_XCTO,
  OBS_XFO,
  OBS_CORP,
  OBS_TEST_COUNT
};

/* The outcome of one scored test. All strings are static. */
struct obs_test_result {
  const char *name;         /* the Observatory's test name, e.g. "cookies" */
  const char *expectation;  /* the result id the test hopes for */
  const char *result;       /* e.g. "csp-implemented-with-no-unsafe" */
  bool pass;
  int score_modifier;
};

/* A header the Observatory 1.4.8 does not score, reported for information:
 * Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy. */
struct obs_unscored {
  const char *name;         /* static header name, lower case */
  char *value;              /* first value of the auto response, or NULL */
  bool valid;               /* value is one the header's syntax allows */
};

enum obs_status {
  OBS_GRADED,               /* score and grade are set */
  OBS_SITE_DOWN,            /* neither session got a response */
  OBS_STATUS_NOT_GRADED     /* final status not 2xx, 3xx, 401 or 403 */
};

struct obs_result {
  enum obs_status status;
  int http_status;          /* final status of the auto session, 0: none */
  int score;                /* 0 and up; above 100 with extra credit */
  char grade[3];            /* "A+" .. "F"; "" unless graded */
  int tests_passed;
  struct obs_test_result tests[OBS_TEST_COUNT];
  struct obs_unscored unscored[2];
  /* The CORS preflight echoed the Origin and allowed credentials. The
   * Observatory 1.4.8 never detects this (see docs/observatory.md), so it
   * does not change the score; the caller may report it as a finding. */
  bool cors_origin_reflected_with_credentials;
};

/* Which session the scoring treats as the site: the https one when it got a
 * response, else the http one. */
const struct obs_session *obs_auto(const struct obs_input *in);

/* True when step 3 (robots.txt) must be made: the auto session is ok but
 * unverified. */
bool obs_needs_robots(const struct obs_input *in);

/* The URL for the CORS preflight of step 4, pointing into `in`; NULL when
 * the auto session got no response. */
const char *obs_cors_url(const struct obs_input *in);

/* Scores `in` into `out` (obs_result_free it afterwards, whatever the
 * return). Returns SP_OK, also for sites that are down or not graded (see
 * out->status), or SP_ERR_NOMEM. */
enum sp_err obs_score(const struct obs_input *in, struct obs_result *out);

void obs_result_free(struct obs_result *r);

/* Renders the tests for exam_result.tests:
 *   {"algorithmVersion": 4, "score": 95, "grade": "A", "testsPassed": 9,
 *    "tests": {"content-security-policy": {"expectation": ..., "result": ...,
 *    "pass": true, "scoreModifier": 5}, ...},
 *    "unscored": {"cross-origin-opener-policy": {"value": ..., "valid": ...},
 *    ...}, "corsOriginReflectedWithCredentials": false}
 * Score and grade are null unless graded. Returns a new reference, or NULL
 * when memory runs out. */
json_t *obs_result_json(const struct obs_result *r);

#endif
