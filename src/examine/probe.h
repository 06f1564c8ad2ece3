/* The probe engine: HTTP requests for examination over the libcurl multi
 * interface, many at once on one thread.
 *
 * A probe is one request and the redirects it follows. Redirects are
 * followed here, one hop at a time, so that every hop is recorded and
 * every connection, on every hop, passes the address guard at the moment
 * libcurl opens its socket. Each hop has the engine's timeout, and a whole
 * chain at most PROBE_CHAIN_TIMEOUTS of them. The write callback cuts a
 * response body at the probe's size cap, because libcurl 7.88 does not
 * stop bodies of unknown length by itself, and the header callback keeps
 * at most PROBE_MAX_HEADER_BYTES. Requests identify simpul in their
 * User-Agent, use only GET and OPTIONS, never read .netrc, never use a
 * proxy and send no credentials. A probe may keep a cookie engine of its
 * own for the cookies its own hops set. */
#ifndef SIMPUL_EXAMINE_PROBE_H
#define SIMPUL_EXAMINE_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "examine/guard.h"
#include "examine/tls.h"

#define PROBE_USER_AGENT \
  "simpul-examine/0.1 (+security examination by a city's informatics office)"
#define PROBE_ACCEPT \
  "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

/* Header bytes kept per response; later headers are dropped (and
 * headers_truncated set). A response whose headers pass
 * PROBE_ABORT_HEADER_BYTES is aborted. */
#define PROBE_MAX_HEADER_BYTES (128 * 1024)
#define PROBE_MAX_HEADERS 256

/* Timeouts a probe's whole chain may take, redirects and the restart
 * without verification included, so that a chain of slow redirects costs
 * a bounded time. */
#define PROBE_CHAIN_TIMEOUTS 3
#define PROBE_ABORT_HEADER_BYTES (1024 * 1024)

struct probe_header {
  char *name;
  char *value;
};

/* One response of a probe's chain. */
struct probe_hop {
  char *url;                 /* absolute URL requested */
  int status;
  struct probe_header *headers;
  size_t header_count;
  bool headers_truncated;
  int time_ms;               /* start of the request to its first byte */
};

enum probe_error {
  PROBE_OK = 0,
  PROBE_DNS,                 /* the name did not resolve */
  PROBE_CONNECT,             /* no connection could be made */
  PROBE_REFUSED,             /* the guard rejected every address tried */
  PROBE_TIMEOUT,
  PROBE_TLS,                 /* handshake failed */
  PROBE_CERT,                /* certificate verification failed */
  PROBE_TOO_LARGE,           /* headers passed PROBE_ABORT_HEADER_BYTES */
  PROBE_BAD_URL,             /* a redirect to an unusable URL */
  PROBE_OTHER
};

/* The outcome of one probe. Every pointer is owned by the result and
 * freed by probe_result_free. */
struct probe_result {
  char *url;                 /* the URL the probe started at */
  bool ok;                   /* the chain ended in a response */
  bool verified;             /* no certificate error was skipped */
  struct probe_hop *hops;    /* in order; the last one is final */
  size_t hop_count;
  char *body;                /* final response body, decoded, NUL-ended */
  size_t body_len;
  bool body_truncated;       /* cut at the size cap */
  bool redirect_loop;        /* a hop's URL repeated an earlier one */
  bool redirect_limit;       /* the final response is still a redirect */
  enum probe_error error;    /* why ok is false; or, when ok is true and
                                verified false, PROBE_CERT */
  char error_text[256];      /* libcurl's message, or the guard's */
  long cert_verify_result;   /* X509_V_* of a certificate failure */
  enum tls_cert_problem cert_problem;
  char refused_address[64];  /* last address the guard rejected, or "" */
  const char *refused_class; /* its guard class name, or NULL */
  struct tls_facts tls;      /* first TLS connection of the chain */
  int elapsed_ms;            /* sum of the hops' time_ms */
  bool responded;            /* a status line arrived on some hop, even if
                                that response then failed */
  bool connected;            /* the last hop's connection was established,
                                its TLS handshake included */
};

void probe_result_free(struct probe_result *r);

/* Returns the final hop, or NULL when there is none. */
const struct probe_hop *probe_final(const struct probe_result *r);

/* Returns the first value of header `name` (any case) in `hop`, or NULL. */
const char *probe_header_get(const struct probe_hop *hop, const char *name);

/* Resolves `ref` against `base` (NULL when `ref` is absolute) and returns
 * the absolute http or https URL without user name, password or fragment,
 * malloc'd; NULL for another scheme, an invalid URL or no memory. */
char *probe_url_resolve(const char *base, const char *ref);

enum probe_follow {
  PROBE_FOLLOW_NONE = 0,
  PROBE_FOLLOW_STANDARD,     /* 301, 302, 303, 307, 308; a missing Location
                                is followed to "undefined", as the MDN
                                Observatory does */
  PROBE_FOLLOW_ANY_3XX       /* any 3xx that has a Location */
};

/* Action of a probe for a redirect hop (see probe_spec.reuse). */
enum probe_reuse {
  PROBE_REUSE_NONE = 0,      /* request the hop */
  PROBE_REUSE_WAIT,          /* ask again after the next engine step */
  PROBE_REUSE_READY          /* take *out as the rest of the chain */
};

/* Asked before a redirect hop of a verified GET chain to `url`, with the
 * hops so far in `sofar`. READY means `*out` (a finished, ok result that
 * outlives the call) contains exactly what the rest of the chain would
 * receive; its hops, body and TLS facts are copied. */
typedef enum probe_reuse (*probe_reuse_fn)(void *ctx, const char *url,
                                           const struct probe_result *sofar,
                                           const struct probe_result **out);

struct probe_spec {
  const char *url;
  bool options;              /* OPTIONS instead of GET; a 303 turns it
                                into GET */
  const char *const *headers;/* extra header lines, NULL-terminated, or
                                NULL */
  enum probe_follow follow;
  int max_redirects;
  bool cookies;              /* keep the cookies the chain's hops set */
  bool retry_unverified;     /* on a certificate error, restart the chain
                                without verification (verified = false) */
  long max_body;             /* bytes kept of the final body */
  probe_reuse_fn reuse;      /* or NULL; called with the `ctx` of
                                probe_start */
  struct probe_group *group; /* or NULL for the engine's own */
};

/* Probes that share resolved names, TLS sessions and connections: the
 * requests to one site. The group's connections stay in the group's own
 * cache and close when it is freed. One cache for every site would keep
 * the idle connections of the sites already examined. libcurl 7.88 scans
 * its whole connection cache and its whole name cache whenever a transfer
 * ends, so both are kept small by giving each site its own. A share also
 * keeps only 8 TLS sessions (lib/share.c), enough for one site. */
struct probe_group;

/* NULL when libcurl cannot make the share handle. */
struct probe_group *probe_group_new(void);

/* Closes the group's connections. Only after every probe that used it
 * has ended, or its engine was freed. */
void probe_group_free(struct probe_group *g);

struct probe_config {
  const struct guard *guard;
  int timeout_ms;            /* per hop */
  const char *const *resolve;/* "HOST:PORT:ADDRESS[,ADDRESS]" entries */
  size_t resolve_count;
  struct tls_trust *trust;   /* the trusted roots */
};

struct probe_engine;

/* Creates an engine. `cfg` and what it points to must outlive it. NULL
 * with a message when libcurl cannot be set up. */
struct probe_engine *probe_engine_new(const struct probe_config *cfg,
                                      char *err, size_t errlen);
void probe_engine_free(struct probe_engine *e);

/* Called once when a probe ends, from probe_engine_step. The callee may
 * take the result by copying `*r` and zeroing it; the engine frees
 * whatever `*r` still contains after the call. The callee may start new
 * probes. */
typedef void (*probe_done_fn)(void *ctx, struct probe_result *r);

/* Starts a probe. The spec's strings are copied. False when memory runs
 * out or libcurl refuses the handle; `done` is then not called. */
bool probe_start(struct probe_engine *e, const struct probe_spec *spec,
                 probe_done_fn done, void *ctx);

/* Stops every running probe started with `ctx` whose request goes to
 * `origin` (scheme://host[:port]) and is still connecting: its TCP
 * connection, or for https its TLS handshake, is not established. Each
 * ends with PROBE_TIMEOUT and the error text `why`, and its callback is
 * called from the next probe_engine_step, never from this call. Returns
 * how many it stopped. */
size_t probe_cancel_connecting(struct probe_engine *e, void *ctx,
                               const char *origin, const char *why);

/* Moves every transfer forward, waiting up to `wait_ms` for activity, and
 * calls the callbacks of the probes that ended. Returns the number of
 * probes still running. */
size_t probe_engine_step(struct probe_engine *e, int wait_ms);

/* Probes running now. */
size_t probe_engine_running(const struct probe_engine *e);

#endif
