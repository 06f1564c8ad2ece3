/* State shared by the files of http/ only: the per-request context behind
 * http_request.internal, the CSRF key, and the steps of the dispatcher. */
#ifndef SIMPUL_HTTP_INTERNAL_H
#define SIMPUL_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <stdbool.h>
#include <time.h>

#include "account/account.h"
#include "core/cidr.h"
#include "http/http.h"

/* Query and form fields a request may carry; more are ignored. */
#define HTTP_MAX_FIELDS 256
/* Path segments a route can match. */
#define HTTP_MAX_SEGMENTS 16

#define HTTP_PRE_COOKIE "simpul_pre"

struct http_field {
  char *name;
  char *value;
};

struct http_fields {
  struct http_field items[HTTP_MAX_FIELDS];
  size_t count;
  char nul_name[64];   /* a field whose name or value decodes to a NUL */
};

enum http_fields_rc {
  HTTP_FIELDS_OK = 0,
  HTTP_FIELDS_NOMEM,
  HTTP_FIELDS_NUL      /* %00 in a field; its name is in nul_name */
};

struct http_server;

/* One request from its first callback to its completion. */
struct http_ctx {
  struct http_request rq;
  struct http_response rs;
  struct http_server *server;
  struct MHD_Connection *conn;
  struct timespec started;

  char method[16];
  bool http_1_1;                     /* the request line names HTTP/1.1 */
  char *raw_path;                    /* as sent, percent-encoded */
  char *path;                        /* decoded */
  char *segments[HTTP_MAX_SEGMENTS]; /* decoded path segments, owned */
  int segment_count;
  struct http_fields query;
  struct http_fields form;

  struct buf body;
  bool body_too_large;

  const struct http_route *route;
  const char *route_name;            /* for logs and metrics */

  struct user user;                  /* owned when rq.user is set */
  struct session session;
  bool pooled_store;                 /* rq.store came from the pool */

  char csrf[ACCOUNT_HEX_SIZE];       /* cached http_csrf_token */
  char pre_cookie[ACCOUNT_SECRET_SIZE];
  bool pre_cookie_new;               /* send it with the response */

  int status;                        /* as queued; 0 before */
  char user_name[ACCOUNT_NAME_MAX + 1];
};

struct conn_watch;

/* The server: the MHD daemon, its settings and the store pool. */
struct http_server {
  struct MHD_Daemon *daemon;         /* NULL until http_server_run */
  struct cidr_range proxies[CIDR_LIST_MAX]; /* trusted_proxies */
  size_t proxy_count;
  int listen_fd;                     /* bound by http_server_open; -1 */
  struct conn_watch *watch;
  struct config cfg;
  struct store_pool *pool;
  char *tls_cert;
  char *tls_key;
};

/* forwarded.c: writes the client's address into `out`. That is `peer`,
 * unless `peer` is one of the trusted `proxies`: then it is the rightmost
 * address of the X-Forwarded-For `values` (in header order) that is not a
 * trusted proxy, or the leftmost one when all are, in canonical text. An
 * entry that is not an address ends the search at the address found
 * before it. */
void http_forwarded_client(const struct cidr_range *proxies, size_t count,
                           const char *peer, const char *const *values,
                           size_t value_count, char *out, size_t len);

/* True when the address `peer` is in one of the trusted `proxies`. */
bool http_proxy_trusted(const struct cidr_range *proxies, size_t count,
                        const char *peer);

/* True when an X-Forwarded-Proto value (or NULL) is "https". In a list
 * the last item counts, because the proxy nearest to simpul set it. */
bool http_forwarded_https(const char *proto);

static inline struct http_ctx *
http_ctx_of(const struct http_request *rq)
{
  return (struct http_ctx *)rq->internal;
}

/* request.c: decoding and the field lists. */
/* Decodes %XX escapes of `in` (and '+' as a space when `plus`); returns a
 * new string, or NULL when memory runs out. The decoded length, which is
 * past the first NUL when %00 was decoded, goes to *out_len (may be
 * NULL). */
char *http_percent_decode(const char *in, size_t len, bool plus,
                          size_t *out_len);
/* Parses an application/x-www-form-urlencoded text into `fields`. A field
 * with %00 in its name or value stops the parse: C strings would cut the
 * value there without a word, so the request is refused instead. */
enum http_fields_rc http_fields_parse(struct http_fields *fields,
                                      const char *text, size_t len);
/* Reads the query arguments MHD split (left percent-encoded), as
 * http_fields_parse does. */
enum http_fields_rc http_fields_from_query(struct http_fields *fields,
                                           struct MHD_Connection *conn);
void http_fields_free(struct http_fields *fields);

/* csrf.c: the key every node shares, and tokens made from it. */
/* Reads the 32-byte key at `path`, creating it (mode 0600) when missing. */
bool http_csrf_load_key(const char *path, char *err, size_t errlen);
/* Writes the hex HMAC-SHA256 of "`purpose`:`value`" under the key. */
void http_csrf_compute(const char *purpose, const char *value,
                       char out[ACCOUNT_HEX_SIZE]);
/* Compares two tokens in constant time; false when `given` is NULL. */
bool http_csrf_equal(const char *expected, const char *given);

/* dispatch.c: turns a complete request into a response. */
void http_dispatch(struct http_ctx *c);
/* Fills an error response fitting the request (JSON, text or page), with
 * an optional detail in Indonesian and English (both NULL for none). */
void http_reply_error_for(struct http_ctx *c, enum http_route_kind kind,
                          enum sp_err err, const char *detail_id,
                          const char *detail_en);
/* The kind of response a path gets before its route is known. */
enum http_route_kind http_kind_for_path(const char *path);

/* response.c: turns the finished http_response into an MHD response. */
enum MHD_Result http_send(struct http_ctx *c);

/* server.c: writes the client's IP address, or "unknown", into `out`. */
void http_remote_address(struct MHD_Connection *conn, char *out, size_t len);

/* watch.c: closes connections whose request line and headers have not
 * arrived within `head_seconds` of the connection's start or of its
 * previous response. conn_watch_notify is the MHD_OPTION_NOTIFY_CONNECTION
 * callback (its closure is the watch); the access handler calls
 * conn_watch_head_arrived at a request's first call, and the completion
 * callback conn_watch_request_done. NOTE: a request body sent slowly is
 * bounded only by MHD's idle timeout and by max_body. */
struct conn_watch *conn_watch_start(int head_seconds, char *err,
                                    size_t errlen);
void conn_watch_stop(struct conn_watch *w);
void conn_watch_notify(void *cls, struct MHD_Connection *conn,
                       void **socket_context,
                       enum MHD_ConnectionNotificationCode toe);
void conn_watch_head_arrived(struct MHD_Connection *conn);
void conn_watch_request_done(struct MHD_Connection *conn);

#endif
