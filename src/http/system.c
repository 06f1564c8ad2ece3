/* Routes for operators: /healthz for load balancers and /metrics for
 * Prometheus. Both are public, like most health and metrics endpoints;
 * /metrics shows request counts per route but no user data. An operator
 * who wants it private restricts the path at the proxy. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "http/http.h"
#include "http/metrics.h"

/* A write tests more of the store than a read, because with a full disk
 * or a read-only file reads pass and every change fails. Each node writes
 * the meta key "health_probe" at most once per this many seconds, and
 * checks in between report the last result. */
#define HEALTH_PROBE_SECONDS 3

static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  bool done;                 /* a probe has finished */
  bool running;              /* a request is probing now */
  struct timespec at;        /* CLOCK_MONOTONIC of the last probe */
  bool ok;
  char reason[300];
} probe;

static enum store_rc
write_probe(struct store *s, void *arg)
{
  return s->ops->meta_put(s, "health_probe", arg);
}

/* Returns whether the store took the last probe write, probing again when
 * that one is older than HEALTH_PROBE_SECONDS. While one request probes,
 * others report the previous result rather than wait. */
static bool
store_writable(struct store *s, char *reason, size_t len)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  pthread_mutex_lock(&probe_lock);
  bool fresh = probe.done && now.tv_sec - probe.at.tv_sec <
                               HEALTH_PROBE_SECONDS;
  if (fresh || probe.running) {
    bool ok = !probe.done || probe.ok;
    snprintf(reason, len, "%s", probe.reason);
    pthread_mutex_unlock(&probe_lock);
    return ok;
  }
  probe.running = true;
  pthread_mutex_unlock(&probe_lock);

  char stamp[32];
  snprintf(stamp, sizeof stamp, "%lld", (long long)time(NULL));
  enum store_rc rc = store_tx(s, false, write_probe, stamp);
  bool ok = rc == STORE_OK;
  if (!ok) {
    snprintf(reason, len, "writing to the store failed: %s",
             store_errmsg(s));
    log_event(LOG_ERROR, "healthz.write_failed", "error", store_errmsg(s),
              NULL);
  } else {
    reason[0] = '\0';
  }
  pthread_mutex_lock(&probe_lock);
  probe.done = true;
  probe.running = false;
  probe.at = now;
  probe.ok = ok;
  snprintf(probe.reason, sizeof probe.reason, "%s", reason);
  pthread_mutex_unlock(&probe_lock);
  return ok;
}

/* Replies 200 with {"status":"ok","store":"ok","backend":...} when a
 * trivial query and the probe write succeed, else 503 with the reason. */
static void
healthz(struct http_request *rq, struct http_response *rs)
{
  struct store *s = rq->store;
  char reason[300] = "";
  bool ok = s->ops->ping(s) == STORE_OK;
  if (!ok)
    snprintf(reason, sizeof reason, "the store does not answer: %s",
             store_errmsg(s));
  else
    ok = store_writable(s, reason, sizeof reason);
  json_t *body;
  if (ok) {
    body = json_pack("{s:s, s:s, s:s}", "status", "ok", "store", "ok",
                     "backend", s->ops->backend);
    http_reply_json(rs, 200, body);
  } else {
    body = json_pack("{s:s, s:s, s:s, s:s}", "status", "error", "store",
                     "error", "backend", s->ops->backend, "reason", reason);
    http_reply_json(rs, 503, body);
  }
}

static void
metrics(struct http_request *rq, struct http_response *rs)
{
  (void)rq;
  rs->content_type = "text/plain; version=0.0.4; charset=utf-8";
  metrics_render(&rs->body);
}

const struct http_route system_routes[] = {
  {"GET", "/healthz", healthz, ACCESS_PUBLIC, ROUTE_PLAIN, "healthz"},
  {"GET", "/metrics", metrics, ACCESS_PUBLIC, ROUTE_PLAIN, "metrics"},
  {0},
};
