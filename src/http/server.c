/* The libmicrohttpd server: the listening socket, its options, the
 * per-request context from the first callback to the completion notice,
 * body reading with the max_body cap, and the access log line of each
 * request. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/log.h"
#include "http/internal.h"
#include "http/metrics.h"
#include "http/server.h"

/* Memory per connection for the request line, headers and read buffer.
 * A request whose headers do not fit gets 431 from MHD. */
#define CONNECTION_MEMORY_LIMIT (64u * 1024u)
/* Largest TLS certificate or key file read. */
#define TLS_FILE_MAX (1024 * 1024)

void
http_remote_address(struct MHD_Connection *conn, char *out, size_t len)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  snprintf(out, len, "unknown");
  if (info == NULL || info->client_addr == NULL)
    return;
  const struct sockaddr *sa = info->client_addr;
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out,
              (socklen_t)len);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
              (socklen_t)len);
}

/* X-Forwarded-For header lines of a request, the last ones when there are
 * more than fit, and its last X-Forwarded-Proto line. */
struct forwarded_values {
  const char *values[16];
  size_t count;
  const char *proto;
};

static enum MHD_Result
collect_forwarded(void *arg, enum MHD_ValueKind kind, const char *key,
                  const char *value)
{
  (void)kind;
  struct forwarded_values *f = arg;
  if (value != NULL && strcasecmp(key, "X-Forwarded-Proto") == 0)
    f->proto = value;
  if (value == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
    return MHD_YES;
  size_t max = sizeof f->values / sizeof f->values[0];
  if (f->count == max) {
    memmove(f->values, f->values + 1, (max - 1) * sizeof f->values[0]);
    f->count--;
  }
  f->values[f->count++] = value;
  return MHD_YES;
}

/* Sets the request's client address: the TCP peer, or behind a trusted
 * proxy the client that X-Forwarded-For names. Behind a trusted proxy
 * that terminated TLS (X-Forwarded-Proto: https) the request counts as
 * TLS, for Secure cookies and HSTS. */
static void
set_client(struct http_ctx *c)
{
  char peer[sizeof c->rq.remote_addr];
  http_remote_address(c->conn, peer, sizeof peer);
  struct forwarded_values f = {.count = 0};
  const struct http_server *srv = c->server;
  if (!http_proxy_trusted(srv->proxies, srv->proxy_count, peer)) {
    snprintf(c->rq.remote_addr, sizeof c->rq.remote_addr, "%s", peer);
    return;
  }
  MHD_get_connection_values(c->conn, MHD_HEADER_KIND, collect_forwarded, &f);
  http_forwarded_client(srv->proxies, srv->proxy_count, peer, f.values,
                        f.count, c->rq.remote_addr, sizeof c->rq.remote_addr);
  if (http_forwarded_https(f.proto))
    c->rq.tls = true;
}

static void
ctx_free(struct http_ctx *c)
{
  if (c->pooled_store && c->rq.store != NULL)
    store_pool_release(c->server->pool, c->rq.store);
  user_free(&c->user);
  http_fields_free(&c->query);
  http_fields_free(&c->form);
  for (int i = 0; i < c->segment_count; i++)
    free(c->segments[i]);
  for (size_t i = 0; i < c->rs.header_count; i++)
    free(c->rs.headers[i]);
  buf_free(&c->body);
  buf_free(&c->rs.body);
  free(c->raw_path);
  free(c->path);
  sodium_memzero(c->pre_cookie, sizeof c->pre_cookie);
  free(c);
}

static struct http_ctx *
ctx_new(struct http_server *srv, struct MHD_Connection *conn,
        const char *url, const char *method, const char *version)
{
  struct http_ctx *c = calloc(1, sizeof *c);
  if (c == NULL)
    return NULL;
  c->server = srv;
  c->conn = conn;
  clock_gettime(CLOCK_MONOTONIC, &c->started);
  snprintf(c->method, sizeof c->method, "%s", method);
  c->http_1_1 = version != NULL && strcmp(version, "HTTP/1.1") == 0;
  c->raw_path = strdup(url);
  c->path = http_percent_decode(url, strlen(url), false, NULL);
  if (c->raw_path == NULL || c->path == NULL) {
    ctx_free(c);
    return NULL;
  }
  unsigned char id[8];
  randombytes_buf(id, sizeof id);
  sodium_bin2hex(c->rq.request_id, sizeof c->rq.request_id, id, sizeof id);
  c->rq.method = c->method;
  c->rq.path = c->path;
  c->rq.body = "";
  c->rq.content_type =
    MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
  c->rq.tls = srv->tls_cert != NULL;
  set_client(c);
  c->rq.cfg = &srv->cfg;
  c->rq.lang = "id";
  c->rq.internal = c;
  buf_init(&c->body, (size_t)srv->cfg.max_body);
  buf_init(&c->rs.body, HTTP_MAX_RESPONSE);
  c->route_name = "unmatched";
  return c;
}

/* Refuses a body whose declared length passes max_body before reading
 * any of it; MHD then closes the connection after the reply. */
static bool
declared_too_large(struct http_ctx *c)
{
  const char *length = MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND,
                                                   "Content-Length");
  if (length == NULL)
    return false;
  errno = 0;
  char *end;
  unsigned long long n = strtoull(length, &end, 10);
  return errno != 0 || end == length ||
         n > (unsigned long long)c->server->cfg.max_body;
}

/* HTTP/1.1 requires a Host header (RFC 9112, section 3.2). MHD 0.9.75
 * checks it only with MHD_OPTION_STRICT_FOR_CLIENT, which also rejects
 * spaces in URLs and replies with its own English text, so the check is
 * made here. */
static bool
lacks_host(struct http_ctx *c)
{
  return c->http_1_1 &&
         MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, "Host") ==
           NULL;
}

static void
reply_no_host(struct http_ctx *c)
{
  c->route_name = "missing_host";
  http_reply_error_for(c, http_kind_for_path(c->path), SP_ERR_BAD_REQUEST,
                       "permintaan HTTP/1.1 tanpa header Host; kirim Host",
                       "an HTTP/1.1 request without a Host header; send "
                       "Host");
}

static void
reply_too_large(struct http_ctx *c)
{
  char detail_id[96], detail_en[96];
  snprintf(detail_id, sizeof detail_id, "batasnya %ld byte (max_body)",
           c->server->cfg.max_body);
  snprintf(detail_en, sizeof detail_en, "the limit is %ld bytes (max_body)",
           c->server->cfg.max_body);
  c->route_name = "body_too_large";
  http_reply_error_for(c, http_kind_for_path(c->path), SP_ERR_TOO_LARGE,
                       detail_id, detail_en);
  log_event(LOG_WARN, "http.body_too_large", "path", c->path, "addr",
            c->rq.remote_addr, NULL);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
           const char *method, const char *version, const char *upload_data,
           size_t *upload_data_size, void **con_cls)
{
  struct http_ctx *c = *con_cls;
  enum MHD_Result ret = MHD_YES;

  if (c == NULL) {
    conn_watch_head_arrived(conn);
    c = ctx_new(cls, conn, url, method, version);
    if (c == NULL) {
      log_event(LOG_ERROR, "http.out_of_memory", NULL);
      return MHD_NO;
    }
    *con_cls = c;
    log_set_request_id(c->rq.request_id);
    if (lacks_host(c)) {
      reply_no_host(c);
      ret = http_send(c);
    } else if (declared_too_large(c)) {
      c->body_too_large = true;
      reply_too_large(c);
      ret = http_send(c);
    }
  } else if (*upload_data_size > 0) {
    log_set_request_id(c->rq.request_id);
    if (!buf_append(&c->body, upload_data, *upload_data_size)) {
      /* A chunked body passed max_body. MHD 0.9.75 accepts a reply only
       * before the body or after all of it, so the connection is closed
       * rather than reading the rest. */
      c->body_too_large = true;
      log_event(LOG_WARN, "http.body_too_large", "path", c->path, "addr",
                c->rq.remote_addr, "action", "connection closed", NULL);
      ret = MHD_NO;
    }
    *upload_data_size = 0;
  } else {
    log_set_request_id(c->rq.request_id);
    c->rq.body = buf_str(&c->body);
    c->rq.body_len = c->body.len;
    http_dispatch(c);
    ret = http_send(c);
    if (c->pooled_store) {
      store_pool_release(c->server->pool, c->rq.store);
      c->rq.store = NULL;
      c->pooled_store = false;
    }
  }
  log_set_request_id(NULL);
  return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  struct http_ctx *c = *con_cls;
  (void)cls;
  conn_watch_request_done(conn);
  if (c == NULL)
    return;
  *con_cls = NULL;
  log_set_request_id(c->rq.request_id);

  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double seconds = (double)(now.tv_sec - c->started.tv_sec) +
                   (double)(now.tv_nsec - c->started.tv_nsec) / 1e9;
  char status[16], ms[32];
  snprintf(status, sizeof status, "%d", c->status);
  snprintf(ms, sizeof ms, "%.1f", seconds * 1000.0);
  if (c->status != 0) {
    metrics_request(c->route_name, c->method, c->status, seconds);
    log_event(LOG_INFO, "http.request", "method", c->method, "path",
              c->path, "route", c->route_name, "status", status, "ms", ms,
              "addr", c->rq.remote_addr, "user", c->user_name, NULL);
  } else {
    char code[16];
    snprintf(code, sizeof code, "%d", (int)toe);
    log_event(LOG_WARN, "http.aborted", "method", c->method, "path",
              c->path, "ms", ms, "addr", c->rq.remote_addr,
              "termination_code", code, NULL);
  }
  ctx_free(c);
  log_set_request_id(NULL);
}

/* Leaves the URL as sent: the dispatcher splits the path before decoding
 * its segments, so an encoded '/' stays inside its segment, and decodes
 * query values itself. */
static size_t
keep_escapes(void *cls, struct MHD_Connection *conn, char *s)
{
  (void)cls;
  (void)conn;
  return strlen(s);
}

static void
mhd_logger(void *cls, const char *fmt, va_list ap)
{
  char msg[512];
  (void)cls;
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t len = strlen(msg);
  while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
    msg[--len] = '\0';
  log_event(LOG_WARN, "http.mhd", "msg", msg, NULL);
}

static char *
read_small_file(const char *path, char *err, size_t errlen)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    snprintf(err, errlen, "cannot read '%s': %s", path, strerror(errno));
    return NULL;
  }
  struct buf b;
  buf_init(&b, TLS_FILE_MAX);
  char chunk[4096];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 &&
         buf_append(&b, chunk, n))
    ;
  bool failed = ferror(f) || b.too_big || b.len == 0;
  fclose(f);
  if (failed) {
    snprintf(err, errlen, "'%s' is empty, unreadable or over %d bytes; give "
             "a PEM file", path, TLS_FILE_MAX);
    buf_free(&b);
    return NULL;
  }
  return buf_take(&b);
}

static bool
load_tls(struct http_server *s, char *err, size_t errlen)
{
  const struct config *cfg = &s->cfg;
  if (cfg->tls_cert[0] == '\0' && cfg->tls_key[0] == '\0')
    return true;
  if (cfg->tls_cert[0] == '\0' || cfg->tls_key[0] == '\0') {
    snprintf(err, errlen, "TLS needs both tls_cert and tls_key; set the "
             "missing one or clear both");
    return false;
  }
  if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
    snprintf(err, errlen, "this libmicrohttpd was built without TLS; clear "
             "tls_cert and tls_key and put a TLS proxy in front");
    return false;
  }
  s->tls_cert = read_small_file(cfg->tls_cert, err, errlen);
  s->tls_key = s->tls_cert ? read_small_file(cfg->tls_key, err, errlen)
                           : NULL;
  return s->tls_key != NULL;
}

/* Fills `addr` from cfg->listen and cfg->port; false on a bad address. */
static bool
listen_address(const struct config *cfg, struct sockaddr_storage *addr,
               socklen_t *addr_len)
{
  memset(addr, 0, sizeof *addr);
  struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
  if (inet_pton(AF_INET, cfg->listen, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)cfg->port);
    *addr_len = sizeof *v4;
    return true;
  }
  if (inet_pton(AF_INET6, cfg->listen, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)cfg->port);
    *addr_len = sizeof *v6;
    return true;
  }
  return false;
}

/* Opens, binds and listens on cfg->listen:cfg->port. The socket is made
 * here rather than by MHD so that `serve` learns that the port is taken
 * before it changes the store, and so that clients wait in the backlog
 * until the daemon runs. Returns the socket, or -1 with `err` set. */
static int
bind_listener(const struct config *cfg, char *err, size_t errlen)
{
  struct sockaddr_storage addr;
  socklen_t addr_len = 0;
  if (!listen_address(cfg, &addr, &addr_len)) {
    snprintf(err, errlen, "listen address '%s' is not an IPv4 or IPv6 "
             "address; use e.g. 127.0.0.1 or ::1", cfg->listen);
    return -1;
  }
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                  0);
  int on = 1;
  if (fd >= 0 && addr.ss_family == AF_INET6)
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (fd < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
      bind(fd, (struct sockaddr *)&addr, addr_len) != 0 ||
      listen(fd, SOMAXCONN) != 0) {
    int error = errno;
    snprintf(err, errlen, "cannot listen on %s port %d: %s; stop the "
             "program using that port, or choose another with --port or "
             "--listen", cfg->listen, cfg->port, strerror(error));
    if (fd >= 0)
      close(fd);
    return -1;
  }
  return fd;
}

static struct MHD_Daemon *
start_daemon(struct http_server *s)
{
  const struct config *cfg = &s->cfg;
  unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                       MHD_USE_ITC | MHD_USE_ERROR_LOG;
  if (strchr(cfg->listen, ':') != NULL)
    flags |= MHD_USE_IPv6;
  struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}};
  if (s->tls_cert != NULL) {
    flags |= MHD_USE_TLS;
    tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0,
                                     s->tls_cert};
    tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key};
    tls[2] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
  }
  return MHD_start_daemon(
    flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
    MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s,
    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)s->listen_fd,
    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg->connection_limit,
    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
    (unsigned int)cfg->per_ip_connection_limit,
    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->connection_timeout,
    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY_LIMIT,
    MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
    MHD_OPTION_NOTIFY_CONNECTION, conn_watch_notify, s->watch,
    MHD_OPTION_UNESCAPE_CALLBACK, keep_escapes, s,
    MHD_OPTION_ARRAY, tls,
    MHD_OPTION_END);
}

static void
server_free(struct http_server *s)
{
  if (s->listen_fd >= 0)
    close(s->listen_fd);
  if (s->tls_key != NULL)
    sodium_memzero(s->tls_key, strlen(s->tls_key));
  free(s->tls_key);
  free(s->tls_cert);
  free(s);
}

struct http_server *
http_server_open(const struct config *cfg, struct store_pool *pool,
                 enum sp_err *why, char *err, size_t errlen)
{
  struct http_server *s = calloc(1, sizeof *s);
  *why = SP_ERR_CONFIG;
  if (s == NULL) {
    *why = SP_ERR_NOMEM;
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  s->cfg = *cfg;
  s->pool = pool;
  s->listen_fd = -1;
  if (!cidr_parse_list(cfg->trusted_proxies, s->proxies, CIDR_LIST_MAX,
                       &s->proxy_count, err, errlen) ||
      !http_csrf_load_key(cfg->key_file, err, errlen) ||
      !load_tls(s, err, errlen)) {
    server_free(s);
    return NULL;
  }
  s->listen_fd = bind_listener(cfg, err, errlen);
  if (s->listen_fd < 0) {
    *why = SP_ERR_LISTEN;
    server_free(s);
    return NULL;
  }
  return s;
}

bool
http_server_run(struct http_server *s, char *err, size_t errlen)
{
  s->watch = conn_watch_start(s->cfg.connection_timeout, err, errlen);
  if (s->watch == NULL)
    return false;
  s->daemon = start_daemon(s);
  if (s->daemon == NULL) {
    snprintf(err, errlen, "libmicrohttpd could not start on %s port %d; "
             "see the http.mhd lines of the log", s->cfg.listen,
             s->cfg.port);
    conn_watch_stop(s->watch);
    s->watch = NULL;
    return false;
  }
  /* MHD closes the socket from now on, unless quiesced. */
  return true;
}

void
http_server_stop(struct http_server *s)
{
  if (s == NULL)
    return;
  if (s->daemon != NULL) {
    MHD_socket quiesced = MHD_quiesce_daemon(s->daemon);
    MHD_stop_daemon(s->daemon);
    if (quiesced == MHD_INVALID_SOCKET)
      s->listen_fd = -1;
  }
  conn_watch_stop(s->watch);
  server_free(s);
}
