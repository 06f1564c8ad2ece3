/* Routes for operators: /healthz for load balancers and /metrics for
 * Prometheus. Both are public, like most health and metrics endpoints;
 * /metrics shows request counts per route but no user data. An operator
 * who wants it private restricts the path at the proxy. */
#include <string.h>

#include "http/http.h"
#include "http/metrics.h"

/* Replies 200 with {"status":"ok","store":"ok","backend":...} when a
 * trivial store query succeeds, else 503 with the store's error. */
static void
healthz(struct http_request *rq, struct http_response *rs)
{
  struct store *s = rq->store;
  enum store_rc rc = s->ops->ping(s);
  json_t *body;
  if (rc == STORE_OK) {
    body = json_pack("{s:s, s:s, s:s}", "status", "ok", "store", "ok",
                     "backend", s->ops->backend);
    http_reply_json(rs, 200, body);
  } else {
    body = json_pack("{s:s, s:s, s:s, s:s}", "status", "error", "store",
                     "error", "backend", s->ops->backend, "reason",
                     store_errmsg(s));
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
