/* PostgreSQL backend: the connection, running prepared statements,
 * reconnecting, error mapping and transactions. The operations live in
 * pg_schema.c, pg_catalog.c and pg_account.c.
 *
 * NOTE: after a failed statement inside a transaction PostgreSQL aborts the
 * whole transaction, and later statements fail with SQLSTATE 25P02. SQLite
 * keeps the transaction open instead. A caller that gets an error inside
 * store_tx must return it so that the transaction is rolled back, and
 * commit reports an aborted transaction as STORE_ERROR. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "store/backend.h"
#include "store/postgres/pg.h"

/* Seconds libpq waits for a connection unless the URL sets
 * connect_timeout. It is short so that requests fail fast while the server
 * is down. */
#define PG_CONNECT_TIMEOUT "3"

static const struct pg_stmt stmt_begin = {
  "tx_begin", "BEGIN", 0};
static const struct pg_stmt stmt_begin_serializable = {
  "tx_begin_serializable", "BEGIN ISOLATION LEVEL SERIALIZABLE", 0};
static const struct pg_stmt stmt_commit = {"tx_commit", "COMMIT", 0};
static const struct pg_stmt stmt_rollback = {"tx_rollback", "ROLLBACK", 0};
static const struct pg_stmt stmt_ping = {"ping", "SELECT 1", 0};

static struct pg_conn *
pg_of(struct store *s)
{
  return s->impl;
}

enum store_rc
pg_fail(struct store *s, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
  va_end(ap);
  return STORE_ERROR;
}

enum store_rc
pg_nomem(struct store *s)
{
  return pg_fail(s, "postgres: kehabisan memori / out of memory");
}

const char *
pg_i64(char buf[static 24], int64_t v)
{
  snprintf(buf, 24, "%" PRId64, v);
  return buf;
}

const char *
pg_optional(const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

const char *
pg_optional_time(char buf[static 24], int64_t at)
{
  return at != 0 ? pg_i64(buf, at) : NULL;
}

int64_t
pg_time_or_now(int64_t at)
{
  return at != 0 ? at : (int64_t)time(NULL);
}

/* A row reader of either kind: `plain` fails only for lack of memory,
 * `checked` sets the message itself. Exactly one is set. */
struct row_reader {
  bool (*plain)(const PGresult *res, int row, void *item);
  pg_checked_read *checked;
};

static bool
read_one(struct store *s, const PGresult *res, int row,
         const struct row_reader *r, void *item)
{
  if (r->checked != NULL)
    return r->checked(s, res, row, item);
  if (r->plain(res, row, item))
    return true;
  pg_nomem(s);
  return false;
}

static enum store_rc
read_rows(struct store *s, const PGresult *res, void **items, size_t *count,
          size_t size, const struct row_reader *r)
{
  int rows = PQntuples(res);
  *items = NULL;
  *count = 0;
  if (rows == 0)
    return STORE_OK;
  if ((*items = calloc((size_t)rows, size)) == NULL)
    return pg_nomem(s);
  for (int i = 0; i < rows; i++) {
    if (!read_one(s, res, i, r, (char *)*items + (size_t)i * size))
      return STORE_ERROR;
    (*count)++;
  }
  return STORE_OK;
}

enum store_rc
pg_read_rows(struct store *s, const PGresult *res, void **items,
             size_t *count, size_t size,
             bool (*read)(const PGresult *res, int row, void *item))
{
  return read_rows(s, res, items, count, size,
                   &(struct row_reader){.plain = read});
}

enum store_rc
pg_read_rows_checked(struct store *s, const PGresult *res, void **items,
                     size_t *count, size_t size, pg_checked_read *read)
{
  return read_rows(s, res, items, count, size,
                   &(struct row_reader){.checked = read});
}

enum store_rc
pg_list_rows(struct store *s, const struct pg_stmt *st,
             const char *const *params, void **items, size_t *count,
             size_t size,
             bool (*read)(const PGresult *res, int row, void *item))
{
  PGresult *res;
  enum store_rc rc = pg_run(s, st, params, &res);
  if (rc != STORE_OK)
    return rc;
  rc = pg_read_rows(s, res, items, count, size, read);
  PQclear(res);
  return rc;
}

static enum store_rc
get_row(struct store *s, const struct pg_stmt *st, const char *const *params,
        void *item, const struct row_reader *r)
{
  PGresult *res;
  enum store_rc rc = pg_run_row(s, st, params, &res);
  if (rc != STORE_OK)
    return rc;
  if (!read_one(s, res, 0, r, item))
    rc = STORE_ERROR;
  PQclear(res);
  return rc;
}

enum store_rc
pg_get_row(struct store *s, const struct pg_stmt *st,
           const char *const *params, void *item,
           bool (*read)(const PGresult *res, int row, void *item))
{
  return get_row(s, st, params, item, &(struct row_reader){.plain = read});
}

enum store_rc
pg_get_row_checked(struct store *s, const struct pg_stmt *st,
                   const char *const *params, void *item,
                   pg_checked_read *read)
{
  return get_row(s, st, params, item, &(struct row_reader){.checked = read});
}

bool
pg_text(const PGresult *res, int row, int col, char **out)
{
  *out = NULL;
  if (PQgetisnull(res, row, col))
    return true;
  *out = strdup(PQgetvalue(res, row, col));
  return *out != NULL;
}

int64_t
pg_int(const PGresult *res, int row, int col)
{
  if (PQgetisnull(res, row, col))
    return 0;
  return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool
pg_bool(const PGresult *res, int row, int col)
{
  return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

char *
pg_like_pattern(const char *query)
{
  size_t n = strlen(query);
  char *p = malloc(2 * n + 3);
  if (p == NULL)
    return NULL;
  size_t j = 0;
  p[j++] = '%';
  for (size_t i = 0; i < n; i++) {
    if (query[i] == '%' || query[i] == '_' || query[i] == '\\')
      p[j++] = '\\';
    p[j++] = query[i];
  }
  p[j++] = '%';
  p[j] = '\0';
  return p;
}

/* Copies `msg` into `out` on one line: newlines and tabs become spaces,
 * runs of spaces shrink to one and the ends are trimmed. */
static void
one_line(const char *msg, char *out, size_t outlen)
{
  size_t j = 0;
  bool space = false;
  for (; *msg != '\0' && j + 1 < outlen; msg++) {
    if (isspace((unsigned char)*msg)) {
      space = j > 0;
      continue;
    }
    if (space && j + 2 < outlen)
      out[j++] = ' ';
    space = false;
    out[j++] = *msg;
  }
  out[j] = '\0';
}

/* Replaces the `len` bytes at `at` inside `text` (capacity `cap`) with
 * "***", cutting the end of the text when it no longer fits. Returns the
 * position just after the "***". */
static char *
mask_span(char *text, size_t cap, char *at, size_t len)
{
  size_t offset = (size_t)(at - text);
  size_t tail = strlen(at + len) + 1;
  if (offset + 3 >= cap) {
    *at = '\0';
    return at;
  }
  if (offset + 3 + tail > cap)
    tail = cap - offset - 3;
  memmove(at + 3, at + len, tail);
  memcpy(at, "***", 3);
  text[cap - 1] = '\0';
  return at + 3;
}

/* Replaces every occurrence of `secret` in `text` (capacity `cap`) with
 * "***". Used on libpq messages, which may quote the whole URL. */
static void
scrub(char *text, size_t cap, const char *secret)
{
  if (secret == NULL || secret[0] == '\0')
    return;
  char *from = text;
  char *hit;
  while ((hit = strstr(from, secret)) != NULL)
    from = mask_span(text, cap, hit, strlen(secret));
}

/* Finds the password of a URL, generously: the text between the first ':'
 * after "://" and the last '@' before any '?'. A password with an unescaped
 * '@' or '/' confuses libpq's parser, and this span still covers it. */
static bool
url_password_span(const char *url, size_t *start, size_t *len)
{
  const char *auth = strstr(url, "://");
  if (auth == NULL)
    return false;
  auth += 3;
  const char *query = auth + strcspn(auth, "?");
  const char *at = NULL;
  for (const char *c = auth; c < query; c++)
    if (*c == '@')
      at = c;
  const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
  if (colon == NULL)
    return false;
  *start = (size_t)(colon + 1 - url);
  *len = (size_t)(at - colon - 1);
  return true;
}

/* Copies `url` into `out` with its password (url_password_span, and the
 * value of a password= parameter) replaced by "***", for messages. */
static void
mask_url(const char *url, char *out, size_t outlen)
{
  snprintf(out, outlen, "%s", url);
  size_t start, len;
  if (url_password_span(url, &start, &len) && start + len < outlen)
    mask_span(out, outlen, out + start, len);
  char *pw = strstr(out, "password=");
  if (pw != NULL) {
    char *value = pw + strlen("password=");
    mask_span(out, outlen, value, strcspn(value, "& \t"));
  }
}

void
postgres_mask_url(const char *url, char *out, size_t outlen)
{
  mask_url(url, out, outlen);
}

/* Removes from `text` everything of `url` that may be its password: the
 * whole URL, the password span and each of its pieces between '@', '/'
 * and ':' of 3 or more bytes, because libpq may have split a malformed
 * password into host, port or database name. */
static void
scrub_url(char *text, size_t cap, const char *url)
{
  scrub(text, cap, url);
  size_t start, len;
  if (!url_password_span(url, &start, &len) || len == 0)
    return;
  char span[256];
  snprintf(span, sizeof span, "%.*s", (int)len, url + start);
  scrub(text, cap, span);
  char *rest = NULL;
  for (char *piece = strtok_r(span, "@/:", &rest); piece != NULL;
       piece = strtok_r(NULL, "@/:", &rest))
    if (strlen(piece) >= 3)
      scrub(text, cap, piece);
}

/* Writes libpq's connection error on one line with the password removed. */
static void
conn_error(PGconn *conn, char *out, size_t outlen)
{
  one_line(conn ? PQerrorMessage(conn) : "out of memory", out, outlen);
  if (conn != NULL)
    scrub(out, outlen, PQpass(conn));
}

static void
notice_to_log(void *arg, const PGresult *res)
{
  (void)arg;
  char msg[256];
  one_line(PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
             ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : "",
           msg, sizeof msg);
  log_event(LOG_DEBUG, "store.pg.notice", "msg", msg, NULL);
}

/* Brings a broken connection back with PQreset. Returns STORE_OK when the
 * connection is up, else STORE_ERROR with a message naming the server. */
static enum store_rc
reconnect(struct store *s)
{
  struct pg_conn *pg = pg_of(s);
  PQreset(pg->conn);
  pg->prepared_count = 0;
  if (PQstatus(pg->conn) == CONNECTION_OK) {
    char failed[24];
    log_event(LOG_INFO, "store.pg.reconnected", "server", pg->where,
              "failed_attempts", pg_i64(failed, pg->failed_resets), NULL);
    pg->down = false;
    pg->failed_resets = 0;
    return STORE_OK;
  }
  char why[256];
  conn_error(pg->conn, why, sizeof why);
  pg->failed_resets++;
  if (!pg->down)
    log_event(LOG_ERROR, "store.pg.unreachable", "server", pg->where,
              "error", why, NULL);
  pg->down = true;
  return pg_fail(s, "PostgreSQL di %s tidak dapat dihubungi / PostgreSQL at "
                 "%s is unreachable: %s", pg->where, pg->where, why);
}

enum store_rc
pg_result_rc(struct store *s, const char *what, const PGresult *res)
{
  struct pg_conn *pg = pg_of(s);
  ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
      st == PGRES_SINGLE_TUPLE)
    return STORE_OK;
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  const char *primary =
    res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
  char text[300];
  if (state == NULL || primary == NULL) {
    /* No server error: the connection failed or memory ran out. */
    conn_error(pg->conn, text, sizeof text);
    pg_fail(s, "PostgreSQL di %s / at %s: %s: %s", pg->where, pg->where,
            what, text);
    return STORE_ERROR;
  }
  one_line(primary, text, sizeof text);
  snprintf(s->errmsg, sizeof s->errmsg, "postgres: %s: %s (SQLSTATE %s)",
           what, text, state);
  if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
    return STORE_RETRY;
  if (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0 ||
      strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0)
    return STORE_CONFLICT;
  return STORE_ERROR;
}

static bool
is_prepared(const struct pg_conn *pg, const struct pg_stmt *st)
{
  for (size_t i = 0; i < pg->prepared_count; i++)
    if (pg->prepared[i] == st)
      return true;
  return false;
}

/* Prepares `st` on the current connection unless it already is. */
static enum store_rc
prepare_once(struct store *s, const struct pg_stmt *st)
{
  struct pg_conn *pg = pg_of(s);
  if (is_prepared(pg, st))
    return STORE_OK;
  if (pg->prepared_count == PG_MAX_PREPARED)
    return pg_fail(s, "postgres: more than %d statements; raise "
                   "PG_MAX_PREPARED", PG_MAX_PREPARED);
  PGresult *res = PQprepare(pg->conn, st->name, st->sql, st->nparams, NULL);
  enum store_rc rc = pg_result_rc(s, st->name, res);
  PQclear(res);
  if (rc == STORE_OK)
    pg->prepared[pg->prepared_count++] = st;
  return rc;
}

/* One attempt: prepare if needed and execute. */
static enum store_rc
exec_once(struct store *s, const struct pg_stmt *st,
          const char *const *params, PGresult **res)
{
  struct pg_conn *pg = pg_of(s);
  enum store_rc rc = prepare_once(s, st);
  if (rc != STORE_OK)
    return rc;
  PGresult *r = PQexecPrepared(pg->conn, st->name, st->nparams, params, NULL,
                               NULL, 0);
  rc = pg_result_rc(s, st->name, r);
  if (rc == STORE_OK && res != NULL)
    *res = r;
  else
    PQclear(r);
  return rc;
}

/* Sets the message for a transaction whose connection broke and returns
 * STORE_RETRY. The server rolled the transaction back when the session
 * ended, so store_tx may run it again on a new session. */
static enum store_rc
tx_lost_error(struct store *s)
{
  struct pg_conn *pg = pg_of(s);
  pg_fail(s, "koneksi ke PostgreSQL di %s putus di tengah transaksi, yang "
          "dibatalkan / the connection to PostgreSQL at %s broke inside a "
          "transaction, which the server rolled back", pg->where, pg->where);
  return STORE_RETRY;
}

/* Makes the connection usable for one call. Inside a transaction whose
 * connection broke it refuses until rollback, because a new session would
 * run the rest of the transaction's statements on their own. Outside one
 * it resets a broken connection, once per call. */
static enum store_rc
ensure_connected(struct store *s, bool *reset_tried)
{
  struct pg_conn *pg = pg_of(s);
  if (pg->in_tx && PQstatus(pg->conn) != CONNECTION_OK)
    pg->tx_lost = true;
  if (pg->tx_lost)
    return tx_lost_error(s);
  if (PQstatus(pg->conn) == CONNECTION_OK)
    return STORE_OK;
  if (*reset_tried)
    return pg_fail(s, "PostgreSQL di %s tidak dapat dihubungi / PostgreSQL "
                   "at %s is unreachable", pg->where, pg->where);
  *reset_tried = true;
  return reconnect(s);
}

/* The next step after a failed call. */
enum after_failure {
  FAILURE_RETURN,        /* return the status as it is */
  FAILURE_RUN_AGAIN,     /* the connection broke outside a transaction */
  FAILURE_TX_LOST        /* the connection broke inside a transaction */
};

static enum after_failure
after_failure(struct store *s, bool reset_tried)
{
  struct pg_conn *pg = pg_of(s);
  if (PQstatus(pg->conn) != CONNECTION_BAD)
    return FAILURE_RETURN;
  log_event(LOG_WARN, "store.pg.connection_lost", "server", pg->where,
            "in_transaction", pg->in_tx ? "1" : "0", NULL);
  if (pg->in_tx) {
    pg->tx_lost = true;
    return FAILURE_TX_LOST;
  }
  return reset_tried ? FAILURE_RETURN : FAILURE_RUN_AGAIN;
}

enum store_rc
pg_run(struct store *s, const struct pg_stmt *st, const char *const *params,
       PGresult **res)
{
  bool reset_tried = false;
  if (res != NULL)
    *res = NULL;
  for (;;) {
    enum store_rc rc = ensure_connected(s, &reset_tried);
    if (rc != STORE_OK)
      return rc;
    rc = exec_once(s, st, params, res);
    if (rc == STORE_OK)
      return rc;
    switch (after_failure(s, reset_tried)) {
    case FAILURE_RETURN:
      return rc;
    case FAILURE_RUN_AGAIN:
      continue;
    case FAILURE_TX_LOST:
      /* A COMMIT that lost its connection may or may not have committed,
       * so pg_commit reports it as an error rather than a retry. */
      return st == &stmt_commit ? rc : tx_lost_error(s);
    }
  }
}

enum store_rc
pg_prepare_stmt(struct store *s, const struct pg_stmt *st)
{
  bool reset_tried = false;
  for (;;) {
    enum store_rc rc = ensure_connected(s, &reset_tried);
    if (rc != STORE_OK)
      return rc;
    rc = prepare_once(s, st);
    if (rc == STORE_OK || after_failure(s, reset_tried) != FAILURE_RUN_AGAIN)
      return rc;
  }
}

enum store_rc
pg_run_row(struct store *s, const struct pg_stmt *st,
           const char *const *params, PGresult **res)
{
  enum store_rc rc = pg_run(s, st, params, res);
  if (rc == STORE_OK && PQntuples(*res) == 0) {
    PQclear(*res);
    *res = NULL;
    return STORE_NOT_FOUND;
  }
  return rc;
}

enum store_rc
pg_run_change(struct store *s, const struct pg_stmt *st,
              const char *const *params)
{
  PGresult *res;
  enum store_rc rc = pg_run(s, st, params, &res);
  if (rc != STORE_OK)
    return rc;
  bool changed = strtoll(PQcmdTuples(res), NULL, 10) > 0;
  PQclear(res);
  return changed ? STORE_OK : STORE_NOT_FOUND;
}

/* ---- transactions ---- */


static enum store_rc
pg_begin(struct store *s, bool serializable)
{
  struct pg_conn *pg = pg_of(s);
  if (pg->in_tx)
    return pg_fail(s, "postgres: begin: a transaction is already open");
  enum store_rc rc = pg_run(s, serializable ? &stmt_begin_serializable
                                            : &stmt_begin, NULL, NULL);
  if (rc == STORE_OK)
    pg->in_tx = true;
  return rc;
}

static enum store_rc
pg_commit(struct store *s)
{
  struct pg_conn *pg = pg_of(s);
  PGresult *res;
  if (pg->tx_lost || PQstatus(pg->conn) != CONNECTION_OK) {
    /* Lost before COMMIT was sent: nothing was committed. */
    pg->in_tx = false;
    pg->tx_lost = false;
    return tx_lost_error(s);
  }
  enum store_rc rc = pg_run(s, &stmt_commit, NULL, &res);
  bool lost_now = pg->tx_lost;
  pg->in_tx = false;
  pg->tx_lost = false;
  if (lost_now)
    return pg_fail(s, "koneksi ke PostgreSQL di %s putus saat COMMIT; hasil "
                   "transaksi tidak diketahui / the connection to PostgreSQL "
                   "at %s broke during COMMIT, so whether the transaction "
                   "committed is unknown", pg->where, pg->where);
  if (rc != STORE_OK)
    return rc;
  /* COMMIT of a transaction that an error aborted succeeds with the tag
   * ROLLBACK. Nothing was written, so the caller gets an error. */
  bool rolled_back = strcmp(PQcmdStatus(res), "ROLLBACK") == 0;
  PQclear(res);
  if (rolled_back)
    return pg_fail(s, "postgres: commit: transaksi dibatalkan oleh galat "
                   "sebelumnya / the transaction was aborted by an earlier "
                   "error and rolled back");
  return STORE_OK;
}

static enum store_rc
pg_rollback(struct store *s)
{
  struct pg_conn *pg = pg_of(s);
  bool lost = pg->tx_lost;
  pg->in_tx = false;
  pg->tx_lost = false;
  if (lost)
    return STORE_OK; /* the server ended the transaction with the session */
  return pg_run(s, &stmt_rollback, NULL, NULL);
}

static enum store_rc
pg_ping(struct store *s)
{
  return pg_run(s, &stmt_ping, NULL, NULL);
}

/* ---- opening and closing ---- */

static void
pg_close(struct store *s)
{
  if (s == NULL)
    return;
  struct pg_conn *pg = pg_of(s);
  if (pg != NULL) {
    PQfinish(pg->conn);
    free(pg);
  }
  free(s);
}

static const struct store_ops pg_ops = {
  .backend = "postgres",
  .close = pg_close,
  .schema_version = pg_schema_version,
  .migrate = pg_migrate,
  .ping = pg_ping,
  .begin = pg_begin,
  .commit = pg_commit,
  .rollback = pg_rollback,
  .agency_get = pg_agency_get,
  .agency_put = pg_agency_put,
  .agency_list = pg_agency_list,
  .app_get = pg_app_get,
  .app_put = pg_app_put,
  .app_list = pg_app_list,
  .app_count_by = pg_app_count_by,
  .change_next_id = pg_change_next_id,
  .change_add = pg_change_add,
  .change_list = pg_change_list,
  .user_add = pg_user_add,
  .user_get = pg_user_get,
  .user_get_by_name = pg_user_get_by_name,
  .user_update = pg_user_update,
  .user_touch_login = pg_user_touch_login,
  .user_list = pg_user_list,
  .user_count = pg_user_count,
  .session_add = pg_session_add,
  .session_get = pg_session_get,
  .session_touch = pg_session_touch,
  .session_set_lang = pg_session_set_lang,
  .session_delete = pg_session_delete,
  .session_delete_user = pg_session_delete_user,
  .session_purge = pg_session_purge,
  .token_add = pg_token_add,
  .token_get_by_hash = pg_token_get_by_hash,
  .token_touch = pg_token_touch,
  .token_revoke = pg_token_revoke,
  .token_list = pg_token_list,
  .throttle_fail = pg_throttle_fail,
  .throttle_count = pg_throttle_count,
  .throttle_clear = pg_throttle_clear,
  .throttle_purge = pg_throttle_purge,
  .meta_get = pg_meta_get,
  .meta_put = pg_meta_put,
  .change_page = pg_change_page,
  .session_page = pg_session_page,
  .throttle_page = pg_throttle_page,
  .throttle_add = pg_throttle_add,
  .meta_list = pg_meta_list,
  .job_add = pg_job_add,
  .job_claim = pg_job_claim,
  .job_renew = pg_job_renew,
  .job_progress = pg_job_progress,
  .job_finish = pg_job_finish,
  .job_get = pg_job_get,
  .job_list = pg_job_list,
  .exam_result_put = pg_exam_result_put,
  .exam_result_codes = pg_exam_result_codes,
  .exam_result_get = pg_exam_result_get,
  .exam_latest = pg_exam_latest,
  .exam_latest_all = pg_exam_latest_all,
  .exam_history = pg_exam_history,
  .table_digest = pg_table_digest,
};

/* Writes the open failure of `conn` for `url` into `err`: the URL with its
 * password masked, host and port when libpq got that far, and libpq's
 * reason, each scrubbed of anything that may be the password. */
static void
open_error(PGconn *conn, const char *url, char *err, size_t errlen)
{
  char masked[512], why[384], host[160], port[32];
  mask_url(url, masked, sizeof masked);
  conn_error(conn, why, sizeof why);
  const char *h = conn ? PQhost(conn) : NULL;
  const char *p = conn ? PQport(conn) : NULL;
  snprintf(host, sizeof host, "%s", h && h[0] ? h : "?");
  snprintf(port, sizeof port, "%s", p && p[0] ? p : "5432");
  char *parse_error = NULL;
  PQconninfoOption *opts = PQconninfoParse(url, &parse_error);
  bool parsed = opts != NULL;
  for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
    if (strcmp(o->keyword, "password") == 0)
      scrub(why, sizeof why, o->val);
  PQconninfoFree(opts);
  PQfreemem(parse_error);
  scrub_url(why, sizeof why, url);
  scrub_url(host, sizeof host, url);
  scrub_url(port, sizeof port, url);
  if (!parsed) {
    snprintf(err, errlen, "URL PostgreSQL tidak sah / invalid PostgreSQL "
             "URL '%s': %s; periksa --db / check --db", masked, why);
    return;
  }
  snprintf(err, errlen, "tidak dapat terhubung ke PostgreSQL di %s:%s / "
           "cannot connect to PostgreSQL at %s:%s (%s): %s; periksa bahwa "
           "server berjalan dan URL --db benar / check that the server runs "
           "and the --db URL is right", host, port, host, port, masked, why);
}

struct store *
postgres_store_open(const char *url, char *err, size_t errlen)
{
  /* libpq reads the keywords in order and the URL (expanded from dbname)
   * overrides the ones before it, so the keywords before dbname are
   * defaults while client_encoding is always UTF8. TCP keepalives notice a
   * server that vanished without closing the connection after about a
   * minute (30 s idle, then 3 probes 10 s apart). */
  const char *const keys[] = {
    "connect_timeout", "application_name", "keepalives_idle",
    "keepalives_interval", "keepalives_count", "dbname", "client_encoding",
    NULL};
  const char *const values[] = {
    PG_CONNECT_TIMEOUT, "simpul", "30", "10", "3", url, "UTF8", NULL};
  PGconn *conn = PQconnectdbParams(keys, values, 1);
  if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
    open_error(conn, url, err, errlen);
    PQfinish(conn);
    return NULL;
  }
  struct store *s = calloc(1, sizeof *s);
  struct pg_conn *pg = calloc(1, sizeof *pg);
  if (s == NULL || pg == NULL) {
    free(s);
    free(pg);
    PQfinish(conn);
    snprintf(err, errlen, "kehabisan memori / out of memory");
    return NULL;
  }
  PQsetNoticeReceiver(conn, notice_to_log, NULL);
  pg->conn = conn;
  snprintf(pg->where, sizeof pg->where, "%s:%s", PQhost(conn), PQport(conn));
  s->ops = &pg_ops;
  s->impl = pg;
  log_event(LOG_DEBUG, "store.pg.connected", "server", pg->where, NULL);
  return s;
}
