/* The probe engine over the libcurl multi interface: one easy handle per
 * probe, reused for each hop of its chain so that the chain's cookies and
 * connections carry over. The engine drives libcurl through its socket
 * interface with an epoll set, so that each step touches only the
 * transfers whose sockets are ready or whose timers expired;
 * curl_multi_perform visits every transfer on every call.
 *
 * When a request times out while its name is still resolving, libcurl
 * 7.88 waits for its resolver thread, which would pause the whole engine
 * until getaddrinfo gives up (about 10 s with glibc's defaults) whenever
 * a DNS server never responds. CURLOPT_QUICK_EXIT makes libcurl leave
 * that thread to end on its own instead; it frees its data then. */
#include "examine/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/log.h"

struct probe_engine {
  const struct probe_config *cfg;
  CURLM *multi;
  /* TLS sessions and resolved names of the probes without a group. */
  CURLSH *share;
  struct curl_slist *resolve;
  struct probe *probes;      /* running, linked by next/prev */
  struct probe *finished;    /* ended before a transfer began */
  struct probe *parked;      /* waiting for a response to reuse, linked by
                                parked_next; also on `probes` */
  size_t running;            /* both lists */
  int epoll_fd;              /* the sockets libcurl asked to watch */
  bool timer_set;            /* libcurl requested a timeout action */
  int64_t timer_at_ms;       /* due time of that action, monotonic */
};

struct probe_group {
  CURLSH *share;
};

struct probe {
  struct probe_engine *engine;
  struct probe *next, *prev;
  CURL *easy;
  struct curl_slist *request_headers;
  char *start_url;
  char *url;                 /* the hop being requested */
  bool options;              /* this hop's method is OPTIONS */
  bool start_options;
  enum probe_follow follow;
  int max_redirects;
  long max_body;
  bool retry_unverified;
  bool verify;
  probe_reuse_fn reuse;
  struct probe *parked_next;
  bool adopted;              /* the chain ended with a reused response */
  int64_t deadline_ms;       /* the whole chain ends by then */
  bool is_https;
  /* the hop in progress */
  struct probe_header *response_headers;
  size_t response_header_count;
  size_t header_bytes;          /* received in this response */
  bool headers_truncated;
  bool headers_too_large;
  bool no_memory;
  struct buf body;
  bool body_cut;
  int sockets_opened;
  int sockets_refused;
  char errbuf[CURL_ERROR_SIZE];
  struct probe_result res;
  probe_done_fn done;
  void *ctx;
};

static void
free_headers(struct probe_header *h, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(h[i].name);
    free(h[i].value);
  }
  free(h);
}

void
probe_result_free(struct probe_result *r)
{
  for (size_t i = 0; i < r->hop_count; i++) {
    free(r->hops[i].url);
    free_headers(r->hops[i].headers, r->hops[i].header_count);
  }
  free(r->hops);
  free(r->body);
  free(r->url);
  memset(r, 0, sizeof *r);
}

const struct probe_hop *
probe_final(const struct probe_result *r)
{
  return r->hop_count > 0 ? &r->hops[r->hop_count - 1] : NULL;
}

const char *
probe_header_get(const struct probe_hop *hop, const char *name)
{
  for (size_t i = 0; hop != NULL && i < hop->header_count; i++)
    if (strcasecmp(hop->headers[i].name, name) == 0)
      return hop->headers[i].value;
  return NULL;
}

/* ---- libcurl callbacks ---- */

static curl_socket_t
open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
  struct probe *p = arg;
  enum guard_class cls;

  if (purpose != CURLSOCKTYPE_IPCXN)
    return CURL_SOCKET_BAD;
  if (!guard_check(p->engine->cfg->guard, &addr->addr, &cls)) {
    p->sockets_refused++;
    guard_address_text(&addr->addr, p->res.refused_address,
                       sizeof p->res.refused_address);
    p->res.refused_class = guard_class_name(cls);
    log_event(LOG_INFO, "examine.address_rejected", "url", p->url,
              "address", p->res.refused_address, "class",
              p->res.refused_class, NULL);
    return CURL_SOCKET_BAD;
  }
  p->sockets_opened++;
  return socket(addr->family, addr->socktype, addr->protocol);
}

static void
reset_hop(struct probe *p)
{
  free_headers(p->response_headers, p->response_header_count);
  p->response_headers = NULL;
  p->response_header_count = 0;
  p->header_bytes = 0;
  p->headers_truncated = false;
  buf_reset(&p->body);
  p->body_cut = false;
}

static char *
copy_trimmed(const char *s, size_t n)
{
  while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
    s++;
    n--;
  }
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' ||
                   s[n - 1] == '\n'))
    n--;
  return strndup(s, n);
}

/* Appends a folded continuation line to the previous header's value. */
static bool
append_continuation(struct probe *p, const char *line, size_t n)
{
  struct probe_header *h = &p->response_headers[p->response_header_count - 1];
  char *more = copy_trimmed(line, n);
  if (more == NULL)
    return false;
  size_t old = strlen(h->value), add = strlen(more);
  char *joined = realloc(h->value, old + add + 2);
  if (joined == NULL) {
    free(more);
    return false;
  }
  joined[old] = ' ';
  memcpy(joined + old + 1, more, add + 1);
  h->value = joined;
  free(more);
  return true;
}

static bool
store_header(struct probe *p, const char *line, size_t n)
{
  if ((line[0] == ' ' || line[0] == '\t') && p->response_header_count > 0)
    return append_continuation(p, line, n);
  const char *colon = memchr(line, ':', n);
  if (colon == NULL || colon == line)
    return true;             /* not a header line; ignored */
  struct probe_header *grown =
    realloc(p->response_headers, (p->response_header_count + 1) * sizeof *p->response_headers);
  if (grown == NULL)
    return false;
  p->response_headers = grown;
  struct probe_header *h = &p->response_headers[p->response_header_count];
  h->name = copy_trimmed(line, (size_t)(colon - line));
  h->value = copy_trimmed(colon + 1, n - (size_t)(colon + 1 - line));
  if (h->name == NULL || h->value == NULL) {
    free(h->name);
    free(h->value);
    return false;
  }
  p->response_header_count++;
  return true;
}

static size_t
on_header(char *data, size_t size, size_t count, void *arg)
{
  struct probe *p = arg;
  size_t n = size * count;

  if (n >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    p->res.responded = true;
    reset_hop(p);            /* an interim (1xx) or new response begins */
    if (p->is_https && !p->res.tls.seen)
      tls_read_facts(p->easy, &p->res.tls);
  }
  p->header_bytes += n;
  if (p->header_bytes > PROBE_ABORT_HEADER_BYTES) {
    p->headers_too_large = true;
    return 0;
  }
  if (n >= 5 && memcmp(data, "HTTP/", 5) == 0)
    return n;
  if (p->header_bytes > PROBE_MAX_HEADER_BYTES ||
      p->response_header_count >= PROBE_MAX_HEADERS) {
    p->headers_truncated = true;
    return n;
  }
  if (n > 0 && !store_header(p, data, n)) {
    p->no_memory = true;
    return 0;
  }
  return n;
}

static size_t
on_body(char *data, size_t size, size_t count, void *arg)
{
  struct probe *p = arg;
  size_t n = size * count;
  size_t room = (size_t)p->max_body - p->body.len;

  if (n > room) {
    if (room > 0 && !buf_append(&p->body, data, room))
      p->no_memory = true;
    p->body_cut = true;
    return 0;                /* a short count makes libcurl stop */
  }
  if (!buf_append(&p->body, data, n)) {
    p->no_memory = true;
    return 0;
  }
  return n;
}

/* ---- URLs ---- */

char *
probe_url_resolve(const char *base, const char *ref)
{
  CURLU *u = curl_url();
  char *out = NULL, *scheme = NULL;
  if (u == NULL)
    return NULL;
  if ((base == NULL || curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK) &&
      curl_url_set(u, CURLUPART_URL, ref, CURLU_URLENCODE) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
      (strcmp(scheme, "http") == 0 || strcmp(scheme, "https") == 0)) {
    curl_url_set(u, CURLUPART_USER, NULL, 0);
    curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    if (curl_url_get(u, CURLUPART_URL, &out, 0) != CURLUE_OK)
      out = NULL;
  }
  curl_free(scheme);
  char *copy = out ? strdup(out) : NULL;
  curl_free(out);
  curl_url_cleanup(u);
  return copy;
}

static bool
is_redirect(enum probe_follow follow, int status, bool has_location)
{
  if (follow == PROBE_FOLLOW_STANDARD)
    return status == 301 || status == 302 || status == 303 ||
           status == 307 || status == 308;
  if (follow == PROBE_FOLLOW_ANY_3XX)
    return status >= 300 && status < 400 && has_location;
  return false;
}

/* ---- transfers ---- */

static void fail_probe(struct probe *p, enum probe_error error,
                       const char *text);

static int64_t
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* True while the hop's connection, or for https its TLS handshake, is
 * not established. libcurl records those times when they happen. */
static bool
still_connecting(struct probe *p)
{
  curl_off_t at = 0;
  CURLINFO timer = p->is_https ? CURLINFO_APPCONNECT_TIME_T
                               : CURLINFO_CONNECT_TIME_T;
  return curl_easy_getinfo(p->easy, timer, &at) == CURLE_OK && at == 0;
}

static bool
setup_hop(struct probe *p)
{
  CURL *e = p->easy;
  int64_t left = p->deadline_ms - now_ms();
  long timeout = p->engine->cfg->timeout_ms;
  if (left < timeout)
    timeout = left > 1 ? (long)left : 1;
  p->is_https = strncmp(p->url, "https:", 6) == 0;
  p->sockets_opened = 0;
  p->sockets_refused = 0;
  p->errbuf[0] = '\0';
  reset_hop(p);
  return curl_easy_setopt(e, CURLOPT_URL, p->url) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST,
                          p->options ? "OPTIONS" : NULL) == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, p->verify ? 1L : 0L)
           == CURLE_OK &&
         curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, p->verify ? 2L : 0L)
           == CURLE_OK &&
         curl_multi_add_handle(p->engine->multi, e) == CURLM_OK;
}

static bool
setup_easy(struct probe *p, const struct probe_spec *spec)
{
  const struct probe_config *cfg = p->engine->cfg;
  CURL *e = p->easy;
  bool ok = true;

  ok = ok && (p->request_headers = curl_slist_append(NULL, PROBE_ACCEPT)) != NULL;
  for (size_t i = 0; ok && spec->headers && spec->headers[i]; i++) {
    struct curl_slist *l = curl_slist_append(p->request_headers, spec->headers[i]);
    ok = l != NULL;
    if (ok)
      p->request_headers = l;
  }
  ok = ok &&
    curl_easy_setopt(e, CURLOPT_PRIVATE, p) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->request_headers) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_USERAGENT, PROBE_USER_AGENT) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_PROXY, "") == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->errbuf) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, p) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_HEADERDATA, p) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK &&
    curl_easy_setopt(e, CURLOPT_WRITEDATA, p) == CURLE_OK;
  if (ok)
    ok = curl_easy_setopt(e, CURLOPT_SHARE, spec->group != NULL
                                              ? spec->group->share
                                              : p->engine->share) == CURLE_OK;
  if (ok && p->engine->resolve != NULL)
    ok = curl_easy_setopt(e, CURLOPT_RESOLVE, p->engine->resolve) == CURLE_OK;
  if (ok && spec->cookies)
    ok = curl_easy_setopt(e, CURLOPT_COOKIEFILE, "") == CURLE_OK;
  if (ok)
    ok = tls_trust_apply(e, cfg->trust) == CURLE_OK;
  return ok;
}

static void
probe_destroy(struct probe *p)
{
  if (p->easy != NULL)
    curl_easy_cleanup(p->easy);
  curl_slist_free_all(p->request_headers);
  free_headers(p->response_headers, p->response_header_count);
  buf_free(&p->body);
  probe_result_free(&p->res);
  free(p->start_url);
  free(p->url);
  free(p);
}

/* Puts a probe that is not on the running list on the finished one, whose
 * callbacks the next probe_engine_step calls. */
static void
queue_finished(struct probe_engine *e, struct probe *p)
{
  p->next = e->finished;
  e->finished = p;
  e->running++;
}

bool
probe_start(struct probe_engine *e, const struct probe_spec *spec,
            probe_done_fn done, void *ctx)
{
  struct probe *p = calloc(1, sizeof *p);
  if (p == NULL)
    return false;
  p->engine = e;
  p->done = done;
  p->ctx = ctx;
  p->follow = spec->follow;
  p->max_redirects = spec->max_redirects;
  p->max_body = spec->max_body > 0 ? spec->max_body : 1;
  p->retry_unverified = spec->retry_unverified;
  p->reuse = spec->reuse;
  p->verify = true;
  p->deadline_ms = now_ms() +
                   (int64_t)PROBE_CHAIN_TIMEOUTS * e->cfg->timeout_ms;
  p->options = p->start_options = spec->options;
  p->res.verified = true;
  buf_init(&p->body, (size_t)p->max_body);
  p->start_url = probe_url_resolve(NULL, spec->url);
  if (p->start_url == NULL) {
    /* Reported through the callback, like any other failed request. */
    p->res.url = strdup(spec->url);
    fail_probe(p, PROBE_BAD_URL, "invalid or non-HTTP URL");
    queue_finished(e, p);
    return true;
  }
  p->url = strdup(p->start_url);
  p->res.url = strdup(p->start_url);
  p->easy = curl_easy_init();
  if (p->url == NULL || p->res.url == NULL || p->easy == NULL || !setup_easy(p, spec) ||
      !setup_hop(p)) {
    probe_destroy(p);
    return false;
  }
  p->next = e->probes;
  if (e->probes != NULL)
    e->probes->prev = p;
  e->probes = p;
  e->running++;
  return true;
}

/* ---- hop completion ---- */

static void
fail_probe(struct probe *p, enum probe_error error, const char *text)
{
  p->res.ok = false;
  p->res.error = error;
  snprintf(p->res.error_text, sizeof p->res.error_text, "%s", text);
}

static enum probe_error
classify(const struct probe *p, CURLcode rc)
{
  switch (rc) {
  case CURLE_COULDNT_RESOLVE_HOST:
    return PROBE_DNS;
  case CURLE_COULDNT_CONNECT:
    return p->sockets_refused > 0 && p->sockets_opened == 0 ? PROBE_REFUSED
                                                            : PROBE_CONNECT;
  case CURLE_OPERATION_TIMEDOUT:
    return PROBE_TIMEOUT;
  case CURLE_SSL_CONNECT_ERROR:
    return PROBE_TLS;
  case CURLE_PEER_FAILED_VERIFICATION:
    return PROBE_CERT;
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
    return PROBE_BAD_URL;
  case CURLE_WRITE_ERROR:
    return p->headers_too_large ? PROBE_TOO_LARGE : PROBE_OTHER;
  default:
    return PROBE_OTHER;
  }
}

static void
fail_transfer(struct probe *p, CURLcode rc)
{
  enum probe_error error = classify(p, rc);
  char text[256];
  if (error == PROBE_REFUSED)
    snprintf(text, sizeof text, "address %s (%s) rejected by the examination "
             "guard", p->res.refused_address, p->res.refused_class);
  else if (error == PROBE_TOO_LARGE)
    snprintf(text, sizeof text, "response headers larger than %d bytes",
             PROBE_ABORT_HEADER_BYTES);
  else if (p->no_memory)
    snprintf(text, sizeof text, "out of memory");
  else
    snprintf(text, sizeof text, "%s", p->errbuf[0] ? p->errbuf
                                                   : curl_easy_strerror(rc));
  fail_probe(p, error, text);
}

/* Moves the finished hop's response into the result. */
static bool
record_hop(struct probe *p, int status)
{
  struct probe_hop *grown =
    realloc(p->res.hops, (p->res.hop_count + 1) * sizeof *p->res.hops);
  if (grown == NULL)
    return false;
  p->res.hops = grown;
  struct probe_hop *hop = &p->res.hops[p->res.hop_count];
  memset(hop, 0, sizeof *hop);
  hop->url = strdup(p->url);
  if (hop->url == NULL)
    return false;
  hop->status = status;
  hop->headers = p->response_headers;
  hop->header_count = p->response_header_count;
  hop->headers_truncated = p->headers_truncated;
  p->response_headers = NULL;
  p->response_header_count = 0;
  curl_off_t us = 0;
  curl_easy_getinfo(p->easy, CURLINFO_STARTTRANSFER_TIME_T, &us);
  hop->time_ms = (int)(us / 1000);
  p->res.elapsed_ms += hop->time_ms;
  p->res.hop_count++;
  return true;
}

static bool
url_seen(const struct probe_result *r, const char *url)
{
  for (size_t i = 0; i < r->hop_count; i++)
    if (strcmp(r->hops[i].url, url) == 0)
      return true;
  return false;
}

static bool
copy_hop(struct probe_hop *to, const struct probe_hop *from)
{
  *to = (struct probe_hop){.status = from->status,
                           .headers_truncated = from->headers_truncated,
                           .time_ms = from->time_ms};
  to->url = strdup(from->url);
  to->headers = calloc(from->header_count + 1, sizeof *to->headers);
  if (to->url == NULL || to->headers == NULL)
    return false;
  for (size_t i = 0; i < from->header_count; i++) {
    to->headers[i].name = strdup(from->headers[i].name);
    to->headers[i].value = strdup(from->headers[i].value);
    to->header_count++;
    if (to->headers[i].name == NULL || to->headers[i].value == NULL)
      return false;
  }
  return true;
}

/* Ends the chain with the hops, body and TLS facts of `other`, which the
 * reuse callback found equal to what the rest of the chain would get. */
static bool
adopt(struct probe *p, const struct probe_result *other)
{
  struct probe_result *r = &p->res;
  struct probe_hop *grown =
    realloc(r->hops, (r->hop_count + other->hop_count) * sizeof *r->hops);
  if (grown == NULL)
    return false;
  r->hops = grown;
  for (size_t i = 0; i < other->hop_count; i++) {
    bool ok = copy_hop(&r->hops[r->hop_count], &other->hops[i]);
    r->hop_count++;          /* freed with the result even when partial */
    if (!ok)
      return false;
  }
  r->elapsed_ms += other->elapsed_ms;
  if (!r->tls.seen)
    r->tls = other->tls;
  r->body = malloc(other->body_len + 1);
  if (r->body == NULL)
    return false;
  memcpy(r->body, other->body, other->body_len);
  r->body[other->body_len] = '\0';
  r->body_len = other->body_len;
  r->body_truncated = other->body_truncated;
  r->redirect_limit = other->redirect_limit;
  r->ok = true;
  p->adopted = true;
  return true;
}

/* Starts the next hop of a redirect; false when the probe ends here. */
static bool
follow_redirect(struct probe *p, const struct probe_hop *hop)
{
  const char *location = probe_header_get(hop, "Location");
  if (!is_redirect(p->follow, hop->status, location != NULL) ||
      (int)p->res.hop_count > p->max_redirects)
    return false;
  /* The Observatory resolves a missing Location as the text "undefined". */
  char *next = probe_url_resolve(p->url, location ? location : "undefined");
  if (next == NULL) {
    fail_probe(p, PROBE_BAD_URL, "redirect to an invalid or non-HTTP URL");
    return false;
  }
  if (url_seen(&p->res, next))
    p->res.redirect_loop = true;
  if (hop->status == 303)
    p->options = false;
  free(p->url);
  p->url = next;
  if (p->reuse != NULL && p->verify && !p->options) {
    const struct probe_result *other = NULL;
    enum probe_reuse how = p->reuse(p->ctx, p->url, &p->res, &other);
    if (how == PROBE_REUSE_WAIT) {
      p->parked_next = p->engine->parked;
      p->engine->parked = p;
      return true;
    }
    if (how == PROBE_REUSE_READY) {
      if (!adopt(p, other))
        fail_probe(p, PROBE_OTHER, "out of memory");
      return false;
    }
  }
  if (!setup_hop(p)) {
    fail_probe(p, PROBE_OTHER, "out of memory");
    return false;
  }
  return true;
}

/* Starts the chain again without certificate verification, as the
 * Observatory does after a certificate error; cookies are kept. */
static bool
restart_unverified(struct probe *p)
{
  long verify_result = 0;
  curl_easy_getinfo(p->easy, CURLINFO_SSL_VERIFYRESULT, &verify_result);
  p->res.cert_verify_result = verify_result;
  p->res.cert_problem = tls_cert_problem_of(verify_result);
  p->res.verified = false;
  snprintf(p->res.error_text, sizeof p->res.error_text, "%s",
           p->errbuf[0] ? p->errbuf : tls_verify_text(verify_result));
  p->verify = false;
  for (size_t i = 0; i < p->res.hop_count; i++) {
    free(p->res.hops[i].url);
    free_headers(p->res.hops[i].headers, p->res.hops[i].header_count);
  }
  p->res.hop_count = 0;
  p->res.elapsed_ms = 0;
  p->res.redirect_loop = false;
  char *again = strdup(p->start_url);
  if (again == NULL)
    return false;
  free(p->url);
  p->url = again;
  p->options = p->start_options;
  return setup_hop(p);
}

/* Handles a finished transfer; returns true when the probe goes on with
 * another hop. */
static bool
finish_hop(struct probe *p, CURLcode rc)
{
  long status = 0;
  curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
  p->res.connected = !still_connecting(p);
  curl_multi_remove_handle(p->engine->multi, p->easy);
  if (rc == CURLE_WRITE_ERROR && p->body_cut && !p->no_memory)
    rc = CURLE_OK;           /* the body was cut on purpose */
  if (rc == CURLE_PEER_FAILED_VERIFICATION && p->verify &&
      p->retry_unverified) {
    if (restart_unverified(p))
      return true;
    fail_probe(p, PROBE_OTHER, "out of memory");
    return false;
  }
  if (rc != CURLE_OK || status <= 0) {
    fail_transfer(p, rc == CURLE_OK ? CURLE_GOT_NOTHING : rc);
    return false;
  }
  p->res.body_truncated = p->body_cut;
  if (!record_hop(p, (int)status)) {
    fail_probe(p, PROBE_OTHER, "out of memory");
    return false;
  }
  const struct probe_hop *hop = probe_final(&p->res);
  if (follow_redirect(p, hop))
    return true;
  if (p->res.error != PROBE_OK || p->adopted)
    return false;
  p->res.ok = true;
  p->res.redirect_limit = is_redirect(p->follow, hop->status,
                                      probe_header_get(hop, "Location"));
  p->res.body_len = p->body.len;
  p->res.body = buf_take(&p->body);
  if (p->res.body == NULL)
    fail_probe(p, PROBE_OTHER, "out of memory");
  if (!p->res.verified)
    p->res.error = PROBE_CERT;
  return false;
}

/* ---- the engine ---- */

/* CURLMOPT_SOCKETFUNCTION: keeps the epoll set equal to the sockets and
 * directions libcurl waits on. Level-triggered, so a socket that still has
 * data after one action is reported again. */
static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
  (void)easy;
  (void)sockp;
  struct probe_engine *e = arg;
  if (what == CURL_POLL_REMOVE) {
    /* fails harmlessly when the socket is already closed */
    epoll_ctl(e->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
    return 0;
  }
  struct epoll_event ev = {.data.fd = fd};
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
    ev.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
    ev.events |= EPOLLOUT;
  if (epoll_ctl(e->epoll_fd, EPOLL_CTL_MOD, fd, &ev) == 0 ||
      (errno == ENOENT && epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0))
    return 0;
  char fdtext[16];
  snprintf(fdtext, sizeof fdtext, "%d", (int)fd);
  log_event(LOG_ERROR, "examine.epoll_failed", "fd", fdtext, "error",
            strerror(errno), NULL);
  return -1;                 /* libcurl then fails the transfer */
}

/* CURLMOPT_TIMERFUNCTION: -1 cancels the timer. Any other value requests
 * a call to curl_multi_socket_action(CURL_SOCKET_TIMEOUT) in `ms`. */
static int
on_timer(CURLM *multi, long ms, void *arg)
{
  (void)multi;
  struct probe_engine *e = arg;
  e->timer_set = ms >= 0;
  e->timer_at_ms = now_ms() + (ms > 0 ? ms : 0);
  return 0;
}

static bool
drive_by_sockets(struct probe_engine *e)
{
  return curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket) ==
           CURLM_OK &&
         curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e) == CURLM_OK &&
         curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_timer) ==
           CURLM_OK &&
         curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e) == CURLM_OK;
}

/* A share of TLS sessions and resolved names, and of connections when
 * `connections`. Used from the engine's one thread, so without locks. */
static CURLSH *
new_share(bool connections)
{
  CURLSH *sh = curl_share_init();
  if (sh == NULL)
    return NULL;
  if (curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION)
        != CURLSHE_OK ||
      curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS)
        != CURLSHE_OK ||
      (connections &&
       curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT)
         != CURLSHE_OK)) {
    curl_share_cleanup(sh);
    return NULL;
  }
  return sh;
}

struct probe_group *
probe_group_new(void)
{
  struct probe_group *g = calloc(1, sizeof *g);
  if (g != NULL && (g->share = new_share(true)) == NULL) {
    free(g);
    g = NULL;
  }
  return g;
}

void
probe_group_free(struct probe_group *g)
{
  if (g == NULL)
    return;
  /* libcurl rejects the cleanup (CURLSHE_IN_USE) while a transfer still
   * uses the share, which is then left allocated rather than freed under
   * that transfer. */
  if (curl_share_cleanup(g->share) != CURLSHE_OK)
    log_event(LOG_ERROR, "examine.group_in_use", NULL);
  free(g);
}

struct probe_engine *
probe_engine_new(const struct probe_config *cfg, char *err, size_t errlen)
{
  struct probe_engine *e = calloc(1, sizeof *e);
  if (e == NULL) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  e->cfg = cfg;
  e->epoll_fd = -1;
  for (size_t i = 0; i < cfg->resolve_count; i++) {
    struct curl_slist *l = curl_slist_append(e->resolve, cfg->resolve[i]);
    if (l == NULL) {
      snprintf(err, errlen, "out of memory");
      probe_engine_free(e);
      return NULL;
    }
    e->resolve = l;
  }
  e->multi = curl_multi_init();
  e->share = new_share(false);
  if (e->multi == NULL || e->share == NULL) {
    snprintf(err, errlen, "libcurl could not create a multi or share handle");
    probe_engine_free(e);
    return NULL;
  }
  e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (e->epoll_fd < 0 || !drive_by_sockets(e)) {
    snprintf(err, errlen, "could not set up the epoll set for libcurl: %s",
             e->epoll_fd < 0 ? strerror(errno) : "curl_multi_setopt failed");
    probe_engine_free(e);
    return NULL;
  }
  return e;
}

static void
unlink_probe(struct probe_engine *e, struct probe *p)
{
  if (p->prev != NULL)
    p->prev->next = p->next;
  else
    e->probes = p->next;
  if (p->next != NULL)
    p->next->prev = p->prev;
  e->running--;
}

static bool
is_parked(const struct probe_engine *e, const struct probe *p)
{
  for (const struct probe *q = e->parked; q != NULL; q = q->parked_next)
    if (q == p)
      return true;
  return false;
}

/* True when `url` is on `origin`, scheme://host[:port] without a slash. */
static bool
on_origin(const char *url, const char *origin)
{
  size_t n = strlen(origin);
  return strncasecmp(url, origin, n) == 0 &&
         (url[n] == '/' || url[n] == '?' || url[n] == '#' || url[n] == '\0');
}

size_t
probe_cancel_connecting(struct probe_engine *e, void *ctx, const char *origin,
                        const char *why)
{
  size_t stopped = 0;
  struct probe *p = e->probes;
  while (p != NULL) {
    struct probe *next = p->next;
    if (p->ctx == ctx && !is_parked(e, p) && on_origin(p->url, origin) &&
        still_connecting(p)) {
      curl_multi_remove_handle(e->multi, p->easy);
      unlink_probe(e, p);
      fail_probe(p, PROBE_TIMEOUT, why);
      queue_finished(e, p);
      stopped++;
    }
    p = next;
  }
  return stopped;
}

void
probe_engine_free(struct probe_engine *e)
{
  if (e == NULL)
    return;
  while (e->finished != NULL) {
    struct probe *p = e->finished;
    e->finished = p->next;
    probe_destroy(p);
  }
  while (e->probes != NULL) {
    struct probe *p = e->probes;
    unlink_probe(e, p);
    curl_multi_remove_handle(e->multi, p->easy);
    probe_destroy(p);
  }
  if (e->multi != NULL)
    curl_multi_cleanup(e->multi);
  if (e->share != NULL)
    curl_share_cleanup(e->share);
  if (e->epoll_fd >= 0)      /* after the cleanups, which call on_socket */
    close(e->epoll_fd);
  curl_slist_free_all(e->resolve);
  free(e);
}

size_t
probe_engine_running(const struct probe_engine *e)
{
  return e->running;
}

static void
deliver(struct probe_engine *e, struct probe *p)
{
  unlink_probe(e, p);
  p->done(p->ctx, &p->res);
  probe_destroy(p);
}

/* Asks each parked probe's callback again. The probe then requests its
 * hop, ends with the reused response, or stays parked. */
static void
wake_parked(struct probe_engine *e)
{
  struct probe **link = &e->parked;
  while (*link != NULL) {
    struct probe *p = *link;
    const struct probe_result *other = NULL;
    enum probe_reuse how = p->reuse(p->ctx, p->url, &p->res, &other);
    if (how == PROBE_REUSE_WAIT) {
      link = &p->parked_next;
      continue;
    }
    *link = p->parked_next;
    if (how == PROBE_REUSE_READY) {
      if (!adopt(p, other))
        fail_probe(p, PROBE_OTHER, "out of memory");
      deliver(e, p);
    } else if (!setup_hop(p)) {
      fail_probe(p, PROBE_OTHER, "out of memory");
      deliver(e, p);
    }
  }
}

enum { EPOLL_BATCH = 256 };

/* Waits up to `wait_ms`, or until libcurl's timer is due, and hands every
 * ready socket and then the expired timer to libcurl. */
static void
act(struct probe_engine *e, int wait_ms)
{
  struct epoll_event events[EPOLL_BATCH];
  int timeout = wait_ms, still = 0, n;
  if (e->timer_set) {
    int64_t left = e->timer_at_ms - now_ms();
    if (left < timeout)
      timeout = left > 0 ? (int)left : 0;
  }
  do {
    n = epoll_wait(e->epoll_fd, events, EPOLL_BATCH, timeout);
    if (n < 0 && errno != EINTR)
      log_event(LOG_ERROR, "examine.epoll_failed", "error", strerror(errno),
                NULL);
    for (int i = 0; i < n; i++) {
      uint32_t ev = events[i].events;
      int mask = 0;
      if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP))
        mask |= CURL_CSELECT_IN;
      if (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))
        mask |= CURL_CSELECT_OUT;
      curl_multi_socket_action(e->multi, events[i].data.fd, mask, &still);
    }
    timeout = 0;             /* a full batch: take the rest at once */
  } while (n == EPOLL_BATCH);
  if (e->timer_set && now_ms() >= e->timer_at_ms) {
    e->timer_set = false;
    curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &still);
  }
}

size_t
probe_engine_step(struct probe_engine *e, int wait_ms)
{
  int queued = 0;
  CURLMsg *msg;

  while (e->finished != NULL) {
    struct probe *p = e->finished;
    e->finished = p->next;
    e->running--;
    p->done(p->ctx, &p->res);
    probe_destroy(p);
  }
  if (e->running == 0)
    return 0;
  act(e, wait_ms);
  while ((msg = curl_multi_info_read(e->multi, &queued)) != NULL) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    struct probe *p = NULL;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
    if (p != NULL && !finish_hop(p, msg->data.result))
      deliver(e, p);
  }
  wake_parked(e);
  return e->running;
}
