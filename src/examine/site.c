/* One site being examined: which probes it makes, in which order, and
 * how their results become the stored result.
 *
 * The first wave starts at once: the Observatory's two sessions
 * (http://HOST/ and https://HOST/) and the app's own URL when it is not
 * one of those. The rest waits until one of them ends or SITE_QUEUE_WAIT_MS
 * pass, because TLS handshakes are most of an examination's CPU: a site
 * that has answered leaves an idle connection to reuse and a TLS session
 * to resume. A site's probes share one probe group (names, TLS sessions,
 * connections), which closes its connections when the site is freed.
 *
 * When a first-wave request ends first, a path that cannot exist and
 * SITE_PATH_LANES - 1 signature paths start. Each of them that receives a
 * response within SITE_FAST_MS starts the next path, which takes the
 * connection it left idle. When a path request fails or responds slowly,
 * or SITE_QUEUE_WAIT_MS pass again, the rest start at once.
 *
 * When the wait ends first, the site is slow or silent, and everything
 * else starts at once, so that it costs about one timeout rather than one
 * per request. That is the path that cannot exist, every path, and an
 * early CORS preflight for https://HOST/, where most sessions end.
 *
 * When both sessions have ended, the Observatory's robots.txt request
 * (only for an unverified site) and then its CORS preflight follow, as
 * observatory.h describes. An early preflight's response is kept when the
 * preflight's URL is https://HOST/, because the request is then the same
 * (method, headers, no cookies). Otherwise the preflight is made for the
 * right URL. When the request for the app's own URL timed out without
 * even a connection, the site's requests still connecting to the same
 * origin are stopped (stop_if_origin_silent).
 *
 * NOTE: a slow or silent site opens about 25 connections at once and
 * nothing limits them per address, so many apps behind one shared server
 * meet concurrency times that many. Lower --concurrency for such a data
 * center. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/log.h"
#include "core/text.h"
#include "examine/checks.h"
#include "examine/internal.h"
#include "examine/observatory.h"

#define CORS_ORIGIN "https://http-observatory.security.mozilla.org"

/* Requests in flight per site (the missing path and signature paths)
 * while its paths are queued. */
#define SITE_PATH_LANES 4
/* A path answered within this time shows that the site responds fast. */
#define SITE_FAST_MS 1000
/* Time after the start, and again after the fan-out, after which the
 * requests still waiting start even though no response came. */
#define SITE_QUEUE_WAIT_MS 250

enum slot_kind {
  SLOT_HTTP = 0,
  SLOT_HTTPS,
  SLOT_AVAIL,                /* only when the app's URL is not a root */
  SLOT_MISSING,
  SLOT_ROBOTS,
  SLOT_CORS,
  SLOT_CORS_EARLY,           /* the preflight for https://HOST/ at once */
  SLOT_PATHS                 /* then one per signature path */
};

struct slot {
  struct site *site;
  bool started;
  bool ended;
  struct probe_result res;
};

/* A probe result seen as an Observatory session. */
struct obs_view {
  struct obs_response *chain;
  struct obs_header *headers;
};

struct site {
  struct examine_ctx *x;
  char *code;
  char *url;                 /* the app's URL, normalised */
  char *host;                /* the name the Observatory scans */
  char *root_http;           /* http://HOST/ */
  char *root_https;
  char *origin;              /* scheme://host[:port] of the app's URL */
  enum slot_kind avail;      /* the slot with the app's own URL */
  struct probe_group *group; /* the connections of its probes */
  struct slot *slots;
  size_t slot_count;
  int pending;
  size_t next_path;          /* the first signature path not started */
  bool fanned_out;           /* the requests after the first wave started */
  bool paths_released;       /* the queued paths start without waiting */
  int64_t wait_from_ms;      /* start of the current SITE_QUEUE_WAIT_MS */
  bool followed_up;          /* robots.txt or CORS started */
  bool cors_decided;         /* the preflight's URL is known */
  bool cors_early_kept;      /* SLOT_CORS_EARLY's response is the one */
  bool start_failed;         /* memory ran out while starting probes */
  bool origin_silent;        /* no path starts: see stop_if_origin_silent */
  struct obs_input obs;
  struct obs_view views[4];  /* http, https, robots, cors */
};

static void site_advance(struct site *s);
static void start_queued(struct site *s, size_t count);
static void fan_out(struct site *s, bool answered);

/* When the request for the app's own URL timed out before its
 * connection was established (TCP, or the TLS handshake for https), the
 * server at the app's origin completed no connection in a whole timeout.
 * The site's requests still connecting to that origin started at most
 * SITE_QUEUE_WAIT_MS later, so they are stopped rather than left to time
 * out one by one, and no more paths start. Requests with an established
 * connection go on, because a server may hang on / and still serve other
 * paths. */
static void
stop_if_origin_silent(struct site *s)
{
  const struct probe_result *own = &s->slots[s->avail].res;
  if (own->error != PROBE_TIMEOUT || own->connected || own->hop_count > 0 ||
      own->responded)
    return;
  s->origin_silent = true;
  size_t stopped = 0;
  for (size_t i = 0; i < s->slot_count; i++)
    if (s->slots[i].started && !s->slots[i].ended)
      stopped += probe_cancel_connecting(
        s->x->engine, &s->slots[i], s->origin,
        "stopped: the server completed no connection for the app's URL "
        "within the timeout");
  char count[24];
  snprintf(count, sizeof count, "%zu", stopped);
  log_event(LOG_INFO, "examine.origin_silent", "app", s->code, "origin",
            s->origin, "stopped", count, NULL);
}

static void
on_probe_done(void *ctx, struct probe_result *r)
{
  struct slot *slot = ctx;
  size_t index = (size_t)(slot - slot->site->slots);
  if (!slot->site->fanned_out)
    fan_out(slot->site, true);
  else if ((index >= SLOT_PATHS || index == SLOT_MISSING) &&
           !slot->site->paths_released) {
    if (r->ok && r->elapsed_ms < SITE_FAST_MS)
      start_queued(slot->site, 1);
    else
      slot->site->paths_released = true;
  }
  if (!r->ok)
    log_event(LOG_DEBUG, "examine.request_failed", "app", slot->site->code,
              "url", r->hop_count > 0 ? r->hops[0].url : NULL, "error",
              r->error_text, NULL);
  slot->res = *r;
  memset(r, 0, sizeof *r);
  slot->ended = true;
  slot->site->pending--;
  if (index == (size_t)slot->site->avail)
    stop_if_origin_silent(slot->site);
  if (slot->site->paths_released)
    start_queued(slot->site, SIZE_MAX);
  site_advance(slot->site);
}

static bool
start_slot(struct site *s, enum slot_kind kind, size_t index,
           const struct probe_spec *spec)
{
  struct slot *slot = &s->slots[kind == SLOT_PATHS ? SLOT_PATHS + index
                                                   : (size_t)kind];
  slot->site = s;
  struct probe_spec in_group = *spec;
  in_group.group = s->group;
  if (!probe_start(s->x->engine, &in_group, on_probe_done, slot)) {
    log_event(LOG_ERROR, "examine.probe_failed", "app", s->code, "url",
              spec->url, "error", "out of memory", NULL);
    return false;
  }
  slot->started = true;
  s->pending++;
  return true;
}

static bool
sets_cookie(const struct probe_result *r)
{
  for (size_t i = 0; i < r->hop_count; i++)
    if (probe_header_get(&r->hops[i], "Set-Cookie") != NULL)
      return true;
  return false;
}

static bool
shares_url(const struct probe_result *a, const struct probe_result *b)
{
  for (size_t i = 0; i < a->hop_count; i++)
    for (size_t j = 0; j < b->hop_count; j++)
      if (strcmp(a->hops[i].url, b->hops[j].url) == 0)
        return true;
  return false;
}

/* The http:// session's redirect to https://HOST/ asks for what the
 * https:// session fetched with the same request headers; its response
 * is reused when no cookie was set earlier in the chain (the Observatory
 * keeps a chain's cookies, and the https:// session starts without any)
 * and the joined chain follows the same redirects. */
static enum probe_reuse
reuse_https(void *ctx, const char *url, const struct probe_result *sofar,
            const struct probe_result **out)
{
  struct slot *slot = ctx;
  const struct site *s = slot->site;
  const struct slot *https = &s->slots[SLOT_HTTPS];
  if (strcmp(url, s->root_https) != 0 || !https->started || sets_cookie(sofar))
    return PROBE_REUSE_NONE;
  if (!https->ended)
    return PROBE_REUSE_WAIT;
  const struct probe_result *r = &https->res;
  if (!r->ok || !r->verified || r->redirect_limit || r->redirect_loop ||
      r->hop_count == 0 ||
      sofar->hop_count + r->hop_count - 1 > (size_t)s->x->opt->max_redirects ||
      shares_url(sofar, r))
    return PROBE_REUSE_NONE;
  *out = r;
  return PROBE_REUSE_READY;
}

/* The spec of one of the Observatory's sessions, also used for the app's
 * own URL. */
static struct probe_spec
session_spec(const struct site *s, const char *url)
{
  return (struct probe_spec){
    .url = url,
    .follow = PROBE_FOLLOW_STANDARD,
    .max_redirects = s->x->opt->max_redirects,
    .cookies = true,
    .retry_unverified = true,
    .max_body = s->x->opt->max_body,
  };
}

static struct probe_spec
path_spec(const char *url)
{
  return (struct probe_spec){
    .url = url,
    .follow = PROBE_FOLLOW_STANDARD,
    .max_redirects = 3,
    .retry_unverified = true,
    .max_body = EXAMINE_PROBE_BODY,
  };
}

static bool
start_path(struct site *s, enum slot_kind kind, size_t index,
           const char *path)
{
  size_t n = strlen(s->origin) + strlen(path) + 1;
  char *url = malloc(n);
  if (url == NULL)
    return false;
  snprintf(url, n, "%s%s", s->origin, path);
  struct probe_spec spec = path_spec(url);
  bool ok = start_slot(s, kind, index, &spec);
  free(url);
  return ok;
}

/* Starts up to `count` of the queued signature paths. */
static void
start_queued(struct site *s, size_t count)
{
  while (count-- > 0 && !s->start_failed && !s->origin_silent &&
         s->next_path < s->x->sig.path_count) {
    size_t i = s->next_path++;
    if (!start_path(s, SLOT_PATHS, i, s->x->sig.paths[i]))
      s->start_failed = true;
  }
}

static int64_t
monotonic_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
site_tick(struct site *s)
{
  if (s->paths_released || s->start_failed || s->origin_silent ||
      monotonic_ms() - s->wait_from_ms < SITE_QUEUE_WAIT_MS)
    return;
  if (!s->fanned_out) {
    fan_out(s, false);
    return;
  }
  s->paths_released = true;
  start_queued(s, SIZE_MAX);
}

static bool
start_missing(struct site *s)
{
  unsigned char random[8];
  char path[64];
  if (getrandom(random, sizeof random, 0) != (ssize_t)sizeof random)
    memset(random, 0x5a, sizeof random);
  int n = snprintf(path, sizeof path, "/simpul-missing-");
  for (size_t i = 0; i < sizeof random; i++)
    n += snprintf(path + n, sizeof path - (size_t)n, "%02x", random[i]);
  snprintf(path + n, sizeof path - (size_t)n, ".html");
  return start_path(s, SLOT_MISSING, 0, path);
}

/* ---- the Observatory's view of the results ---- */

static void
view_free(struct obs_view *v)
{
  free(v->chain);
  free(v->headers);
  memset(v, 0, sizeof *v);
}

/* Points `session` at the hops of `r`; false when memory runs out. */
static bool
view_build(struct obs_view *v, const struct probe_result *r,
           struct obs_session *session)
{
  size_t headers = 0;
  view_free(v);
  memset(session, 0, sizeof *session);
  if (r == NULL || !r->ok || r->hop_count == 0)
    return true;
  for (size_t i = 0; i < r->hop_count; i++)
    headers += r->hops[i].header_count;
  v->chain = calloc(r->hop_count, sizeof *v->chain);
  v->headers = calloc(headers + 1, sizeof *v->headers);
  if (v->chain == NULL || v->headers == NULL) {
    view_free(v);
    return false;
  }
  size_t next = 0;
  for (size_t i = 0; i < r->hop_count; i++) {
    const struct probe_hop *hop = &r->hops[i];
    v->chain[i] = (struct obs_response){.url = hop->url, .status = hop->status,
                                        .headers = v->headers + next,
                                        .header_count = hop->header_count};
    for (size_t h = 0; h < hop->header_count; h++)
      v->headers[next++] = (struct obs_header){hop->headers[h].name,
                                               hop->headers[h].value};
  }
  *session = (struct obs_session){
    .ok = true, .verified = r->verified, .chain = v->chain,
    .chain_count = r->hop_count, .body = r->body, .body_len = r->body_len,
  };
  return true;
}

static const struct probe_result *
ended(const struct site *s, enum slot_kind kind)
{
  const struct slot *slot = &s->slots[kind];
  return slot->ended ? &slot->res : NULL;
}

static bool
build_obs(struct site *s)
{
  s->obs.host = s->host;
  return view_build(&s->views[0], ended(s, SLOT_HTTP), &s->obs.http) &&
         view_build(&s->views[1], ended(s, SLOT_HTTPS), &s->obs.https) &&
         view_build(&s->views[2], ended(s, SLOT_ROBOTS), &s->obs.robots) &&
         view_build(&s->views[3],
                    ended(s, s->cors_early_kept ? SLOT_CORS_EARLY : SLOT_CORS),
                    &s->obs.cors);
}

/* Starts the CORS preflight for `url` in slot `kind`. */
static bool
start_preflight(struct site *s, enum slot_kind kind, const char *url)
{
  static const char *const headers[] = {
    "Access-Control-Request-Method: GET", "Origin: " CORS_ORIGIN, NULL,
  };
  struct probe_spec spec = {
    .url = url, .options = true, .headers = headers,
    .follow = PROBE_FOLLOW_ANY_3XX, .max_redirects = 10,
    .retry_unverified = true, .max_body = EXAMINE_SMALL_BODY,
  };
  return start_slot(s, kind, 0, &spec);
}

/* Starts the requests after the first wave: queued in lanes when a
 * first-wave request has ended (`answered`), else all at once with the
 * early CORS preflight. */
static void
fan_out(struct site *s, bool answered)
{
  s->fanned_out = true;
  s->wait_from_ms = monotonic_ms();
  s->paths_released = !answered;
  if (!answered && !s->cors_decided &&
      !start_preflight(s, SLOT_CORS_EARLY, s->root_https))
    s->start_failed = true;
  if (!s->start_failed && !start_missing(s))
    s->start_failed = true;
  start_queued(s, answered ? SITE_PATH_LANES - 1 : SIZE_MAX);
}

/* Settles the preflight once its URL is known: keeps the early one when
 * it requested that URL, else starts it afresh. */
static void
start_cors(struct site *s)
{
  if (s->cors_decided || !build_obs(s))
    return;
  s->cors_decided = true;
  const char *url = obs_cors_url(&s->obs);
  if (url == NULL)
    return;
  if (s->slots[SLOT_CORS_EARLY].started && strcmp(url, s->root_https) == 0) {
    s->cors_early_kept = true;
    return;
  }
  start_preflight(s, SLOT_CORS, url);
}

/* NOTE: the Observatory sends the session's cookies with this request;
 * here it sends none, so a server that varies its reply by cookie may
 * reply differently. */
static void
start_robots(struct site *s)
{
  const struct obs_session *auto_session = obs_auto(&s->obs);
  char *url = auto_session && auto_session->chain_count > 0
                ? probe_url_resolve(auto_session->chain[0].url, "/robots.txt")
                : NULL;
  static const char *const headers[] = {"Accept: text/plain,*/*;q=0.8", NULL};
  struct probe_spec spec = {
    .url = url, .headers = headers, .follow = PROBE_FOLLOW_ANY_3XX,
    .max_redirects = 10, .retry_unverified = true,
    .max_body = EXAMINE_SMALL_BODY,
  };
  if (url == NULL || !start_slot(s, SLOT_ROBOTS, 0, &spec))
    start_cors(s);
  free(url);
}

/* Starts robots.txt or the CORS preflight once both sessions ended, and
 * the CORS preflight once robots.txt ended. */
static void
site_advance(struct site *s)
{
  struct slot *robots = &s->slots[SLOT_ROBOTS];
  if (!s->followed_up) {
    if (!s->slots[SLOT_HTTP].ended || !s->slots[SLOT_HTTPS].ended)
      return;
    s->followed_up = true;
    if (!build_obs(s))
      return;
    if (obs_needs_robots(&s->obs))
      start_robots(s);
    else
      start_cors(s);
    return;
  }
  if (robots->ended)
    start_cors(s);
}

bool
site_finished(const struct site *s)
{
  return s->pending == 0 && s->followed_up &&
         (s->start_failed || s->origin_silent ||
          (s->fanned_out && s->next_path >= s->x->sig.path_count));
}

/* ---- starting ---- */

void
site_free(struct site *s)
{
  if (s == NULL)
    return;
  for (size_t i = 0; i < 4; i++)
    view_free(&s->views[i]);
  for (size_t i = 0; s->slots != NULL && i < s->slot_count; i++)
    probe_result_free(&s->slots[i].res);
  free(s->slots);
  probe_group_free(s->group);
  free(s->code);
  free(s->url);
  free(s->host);
  free(s->root_http);
  free(s->root_https);
  free(s->origin);
  free(s);
}

static char *
join3(const char *a, const char *b, const char *c)
{
  size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
  char *out = malloc(n);
  if (out != NULL)
    snprintf(out, n, "%s%s%s", a, b, c);
  return out;
}

/* Fills host, roots and origin from the app's URL. */
static bool
parse_app_url(struct site *s, const char *url)
{
  CURLU *u = curl_url();
  char *scheme = NULL, *host = NULL, *port = NULL;
  bool ok = u != NULL && (s->url = probe_url_resolve(NULL, url)) != NULL &&
            curl_url_set(u, CURLUPART_URL, s->url, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
            curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK;
  if (ok && curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
    port = NULL;
  if (ok) {
    for (char *p = host; *p; p++)
      if (*p >= 'A' && *p <= 'Z')
        *p = (char)(*p - 'A' + 'a');
    s->host = strdup(host);
    s->root_http = join3("http://", host, "/");
    s->root_https = join3("https://", host, "/");
    s->origin = join3(scheme, "://", host);
    if (s->origin != NULL && port != NULL) {
      char *with_port = join3(s->origin, ":", port);
      free(s->origin);
      s->origin = with_port;
    }
    ok = s->host && s->root_http && s->root_https && s->origin;
  }
  curl_free(scheme);
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
  return ok;
}

static bool
start_probes(struct site *s)
{
  struct probe_spec http = session_spec(s, s->root_http);
  struct probe_spec https = session_spec(s, s->root_https);
  http.reuse = reuse_https;
  if (!start_slot(s, SLOT_HTTP, 0, &http) ||
      !start_slot(s, SLOT_HTTPS, 0, &https))
    return false;
  if (s->avail == SLOT_AVAIL) {
    struct probe_spec own = session_spec(s, s->url);
    if (!start_slot(s, SLOT_AVAIL, 0, &own))
      return false;
  }
  return true;
}

struct site *
site_start(struct examine_ctx *x, const struct app *app)
{
  struct site *s = calloc(1, sizeof *s);
  if (s == NULL)
    return NULL;
  s->x = x;
  s->wait_from_ms = monotonic_ms();
  s->slot_count = SLOT_PATHS + x->sig.path_count;
  s->slots = calloc(s->slot_count, sizeof *s->slots);
  s->code = strdup(app->code);
  s->group = probe_group_new();
  if (s->slots == NULL || s->code == NULL || s->group == NULL ||
      !parse_app_url(s, app->url)) {
    site_free(s);
    return NULL;
  }
  if (strcmp(s->url, s->root_http) == 0)
    s->avail = SLOT_HTTP;
  else if (strcmp(s->url, s->root_https) == 0)
    s->avail = SLOT_HTTPS;
  else
    s->avail = SLOT_AVAIL;
  if (!start_probes(s)) {
    /* Probes already started end in the engine; their slots must stay
     * until then, and the site then has no result. */
    s->followed_up = true;
    s->start_failed = true;
    return s->pending > 0 ? s : (site_free(s), NULL);
  }
  return s;
}

/* ---- the result ---- */

static char *
redirects_json(const struct probe_result *r)
{
  json_t *list = json_array();
  for (size_t i = 0; list != NULL && i < r->hop_count; i++) {
    json_t *hop = json_pack("{s:s, s:i}", "url", r->hops[i].url, "status",
                            r->hops[i].status);
    if (hop == NULL || json_array_append_new(list, hop) != 0) {
      json_decref(list);
      return NULL;
    }
  }
  char *text = list ? json_dumps(list, JSON_COMPACT) : NULL;
  json_decref(list);
  return text;
}

static int
tristate(bool known, bool value)
{
  if (!known)
    return -1;
  return value ? 1 : 0;
}

/* Fills the availability and TLS columns of `out`. */
static bool
fill_transport(const struct site *s, const struct probe_result *avail,
               int64_t now, struct exam_result *out)
{
  const struct probe_result *http = ended(s, SLOT_HTTP);
  const struct probe_result *https = ended(s, SLOT_HTTPS);
  const struct probe_hop *hop = avail->ok ? probe_final(avail) : NULL;

  out->http_status = hop ? hop->status : 0;
  out->response_ms = hop ? avail->elapsed_ms : -1;
  if (hop != NULL && (out->final_url = strdup(hop->url)) == NULL)
    return false;
  if ((out->redirects = redirects_json(avail)) == NULL)
    return false;
  if (!avail->ok && (out->error = strdup(avail->error_text)) == NULL)
    return false;
  out->https_available = tristate(https != NULL, https && https->ok);
  out->https_redirect = tristate(http != NULL && http->ok,
                                 http && http->ok &&
                                 strncmp(probe_final(http)->url, "https://",
                                         8) == 0);
  const struct tls_facts *tls = https ? &https->tls : NULL;
  if (tls == NULL || !tls->seen) {
    out->tls_valid = out->tls_trusted = -1;
    return true;
  }
  out->tls_valid = tristate(true, now >= tls->not_before &&
                                  now <= tls->not_after);
  out->tls_trusted = tristate(true, https->verified);
  out->tls_expires_at = tls->not_after;
  return (out->tls_issuer = strdup(tls->issuer)) != NULL &&
         (out->tls_protocol = strdup(tls->protocol)) != NULL;
}

static bool
fill_score(const struct obs_result *obs, struct exam_result *out)
{
  out->score = -1;
  if (obs->status == OBS_GRADED) {
    out->score = obs->score;
    if ((out->grade = strdup(obs->grade)) == NULL)
      return false;
  }
  json_t *tests = obs_result_json(obs);
  out->tests = tests ? json_dumps(tests, JSON_COMPACT) : NULL;
  json_decref(tests);
  /* A test result that cannot be written as JSON loses only that column,
   * not the whole result. */
  if (out->tests == NULL)
    log_event(LOG_WARN, "examine.tests_json_failed", "app", out->app_code,
              NULL);
  return true;
}

static void
run_checks(struct site *s, const struct probe_result *avail, int64_t now,
           const struct obs_result *obs, struct check_findings *found)
{
  const struct probe_result **paths =
    calloc(s->x->sig.path_count + 1, sizeof *paths);
  if (paths == NULL) {
    found->no_memory = true;
    return;
  }
  for (size_t i = 0; i < s->x->sig.path_count; i++)
    paths[i] = ended(s, SLOT_PATHS + i);
  const struct obs_session *auto_session = obs_auto(&s->obs);
  struct check_input in = {
    .now = now, .findings = &s->x->findings, .sig = &s->x->sig,
    .avail = avail, .http = ended(s, SLOT_HTTP),
    .https = ended(s, SLOT_HTTPS), .missing = ended(s, SLOT_MISSING),
    .paths = paths, .obs = obs,
  };
  in.main = auto_session == &s->obs.https ? in.https : in.http;
  if (s->avail == SLOT_AVAIL && avail->ok)
    in.page = avail;
  checks_run(&in, found);
  free(paths);
}

enum sp_err
site_result(struct site *s, int64_t now, struct exam_result *out)
{
  struct obs_result obs;
  struct check_findings found = {0};
  const struct probe_result *avail = ended(s, s->avail);

  memset(out, 0, sizeof *out);
  memset(&obs, 0, sizeof obs);
  if (s->start_failed || avail == NULL || !build_obs(s))
    return SP_ERR_NOMEM;
  enum sp_err err = obs_score(&s->obs, &obs);
  bool ok = err == SP_OK;
  out->run_id = s->x->run_id;
  out->examined_at = now;
  ok = ok && (out->app_code = strdup(s->code)) != NULL &&
       (out->outcome = strdup(checks_outcome(avail))) != NULL &&
       fill_transport(s, avail, now, out) && fill_score(&obs, out);
  if (ok) {
    run_checks(s, avail, now, &obs, &found);
    ok = !found.no_memory;
    out->findings = found.items;
    out->finding_count = found.count;
    memset(&found, 0, sizeof found);
  }
  check_findings_free(&found);
  obs_result_free(&obs);
  if (!ok) {
    exam_result_free(out);
    return SP_ERR_NOMEM;
  }
  text_make_printable(out->error);
  text_make_printable(out->tls_issuer);
  text_make_printable(out->final_url);
  return SP_OK;
}

enum sp_err
site_not_examinable(struct examine_ctx *x, const struct app *app, int64_t now,
                    struct exam_result *out)
{
  struct check_findings found = {0};
  bool android = app->kind != NULL && strcmp(app->kind, "android") == 0;

  memset(out, 0, sizeof *out);
  *out = (struct exam_result){
    .run_id = x->run_id, .examined_at = now, .response_ms = -1,
    .https_available = -1, .https_redirect = -1, .tls_valid = -1,
    .tls_trusted = -1, .score = -1,
  };
  if (android)
    check_add(&found, &x->findings, "not-examinable", "Android app without "
              "a backend URL%s%s", app->android_package ? ": " : "",
              app->android_package ? app->android_package : "");
  else
    check_add(&found, &x->findings, "not-examinable", "no URL in the "
              "catalog (kind %s)", app->kind ? app->kind : "unknown");
  out->findings = found.items;
  out->finding_count = found.count;
  if (found.no_memory || (out->app_code = strdup(app->code)) == NULL ||
      (out->outcome = strdup("not-examinable")) == NULL ||
      (out->error = strdup(android ? "Android app without a backend URL"
                                   : "no URL")) == NULL) {
    exam_result_free(out);
    return SP_ERR_NOMEM;
  }
  return SP_OK;
}
