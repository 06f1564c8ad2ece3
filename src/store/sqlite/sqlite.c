/* The SQLite backend: opening a connection, its statement cache,
 * transactions and the helpers every query of the backend uses. The
 * queries themselves live in sqlite_catalog.c, sqlite_account.c and
 * sqlite_schema.c. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "store/backend.h"
#include "store/sqlite/sqlite_internal.h"

/* How long a statement waits for another connection's write lock before
 * SQLite returns SQLITE_BUSY (then store_tx retries). */
#define SQ_BUSY_TIMEOUT_MS 5000

static struct sq_conn *
conn(struct store *s)
{
  return s->impl;
}

sqlite3 *
sq_db(struct store *s)
{
  return conn(s)->db;
}

/* The cache is keyed by the address of the statement text, which every
 * caller passes as a static string: looking a pointer up is cheaper than
 * hashing the text, and no statement needs a number assigned by hand. */
static size_t
cache_slot(const char *sql)
{
  uintptr_t h = (uintptr_t)sql;
  h ^= h >> 17;
  h *= 0x9E3779B97F4A7C15ULL;
  return (size_t)(h >> 24) & (SQ_CACHE_SLOTS - 1);
}

sqlite3_stmt *
sq_stmt(struct store *s, const char *sql)
{
  struct sq_conn *c = conn(s);
  size_t slot = cache_slot(sql);

  for (size_t probe = 0; probe < SQ_CACHE_SLOTS; probe++) {
    struct sq_cached *e = &c->cache[(slot + probe) & (SQ_CACHE_SLOTS - 1)];
    if (e->sql == sql) {
      sqlite3_reset(e->stmt);
      return e->stmt;
    }
    if (e->sql != NULL)
      continue;
    int rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                &e->stmt, NULL);
    if (rc != SQLITE_OK) {
      sq_fail(s, rc, "prepare");
      sqlite3_finalize(e->stmt);
      e->stmt = NULL;
      return NULL;
    }
    e->sql = sql;
    return e->stmt;
  }
  sq_error(s, "statement cache full (%d slots)", SQ_CACHE_SLOTS);
  return NULL;
}

void
sq_done(sqlite3_stmt *st)
{
  if (st == NULL)
    return;
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}

enum store_rc
sq_fail(struct store *s, int rc, const char *what)
{
  sqlite3 *db = sq_db(s);
  int extended = db ? sqlite3_extended_errcode(db) : rc;
  snprintf(s->errmsg, sizeof s->errmsg, "sqlite %s: %s (code %d)", what,
           db ? sqlite3_errmsg(db) : sqlite3_errstr(rc), extended);
  switch (rc & 0xff) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return STORE_RETRY;
  case SQLITE_CONSTRAINT:
    return STORE_CONFLICT;
  default:
    return STORE_ERROR;
  }
}

enum store_rc
sq_error(struct store *s, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int n = snprintf(s->errmsg, sizeof s->errmsg, "sqlite: ");
  vsnprintf(s->errmsg + n, sizeof s->errmsg - (size_t)n, fmt, ap);
  va_end(ap);
  return STORE_ERROR;
}

enum store_rc
sq_exec(struct store *s, sqlite3_stmt *st, const char *what)
{
  int rc = sqlite3_step(st);
  enum store_rc out = STORE_OK;
  if (rc == SQLITE_ROW)
    rc = SQLITE_DONE;  /* the caller reads no RETURNING row */
  if (rc != SQLITE_DONE)
    out = sq_fail(s, rc, what);
  sq_done(st);
  return out;
}

enum store_rc
sq_exec_int(struct store *s, sqlite3_stmt *st, const char *what,
            int64_t *out)
{
  int rc = sqlite3_step(st);
  enum store_rc result = STORE_OK;
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(st, 0);
  else if (rc == SQLITE_DONE)
    result = STORE_NOT_FOUND;
  else
    result = sq_fail(s, rc, what);
  sq_done(st);
  return result;
}

enum store_rc
sq_exec_change(struct store *s, sqlite3_stmt *st, const char *what)
{
  enum store_rc rc = sq_exec(s, st, what);
  if (rc == STORE_OK && sqlite3_changes(sq_db(s)) == 0)
    return STORE_NOT_FOUND;
  return rc;
}

int
sq_bind_text(sqlite3_stmt *st, int index, const char *text)
{
  if (text == NULL)
    return sqlite3_bind_null(st, index);
  return sqlite3_bind_text(st, index, text, -1, SQLITE_STATIC);
}

int
sq_bind_optional(sqlite3_stmt *st, int index, const char *text)
{
  return sq_bind_text(st, index, text != NULL && text[0] != '\0' ? text : NULL);
}

int
sq_bind_time(sqlite3_stmt *st, int index, int64_t at)
{
  if (at == 0)
    return sqlite3_bind_null(st, index);
  return sqlite3_bind_int64(st, index, at);
}

int
sq_bind_id(sqlite3_stmt *st, int index, int64_t id)
{
  return sq_bind_time(st, index, id);
}

bool
sq_column_text(sqlite3_stmt *st, int col, char **out)
{
  const unsigned char *text = sqlite3_column_text(st, col);
  *out = NULL;
  if (text == NULL)
    return sqlite3_column_type(st, col) == SQLITE_NULL;
  *out = strdup((const char *)text);
  return *out != NULL;
}

int64_t
sq_column_int(sqlite3_stmt *st, int col)
{
  return sqlite3_column_int64(st, col);
}

enum store_rc
sq_read_begin(struct store *s, bool *opened)
{
  *opened = false;
  if (!sqlite3_get_autocommit(sq_db(s)))
    return STORE_OK;
  sqlite3_stmt *st = sq_stmt(s, "BEGIN");
  if (st == NULL)
    return STORE_ERROR;
  enum store_rc rc = sq_exec(s, st, "begin read");
  *opened = rc == STORE_OK;
  return rc;
}

void
sq_read_end(struct store *s, bool opened)
{
  if (!opened || sqlite3_get_autocommit(sq_db(s)))
    return;
  sqlite3_stmt *st = sq_stmt(s, "COMMIT");
  if (st != NULL)
    sq_exec(s, st, "end read");
}

char *
sq_like_pattern(const char *query)
{
  size_t n = strlen(query);
  if (n > 1 << 20)
    return NULL;
  char *pattern = malloc(2 * n + 3);
  if (pattern == NULL)
    return NULL;
  size_t k = 0;
  pattern[k++] = '%';
  for (size_t i = 0; i < n; i++) {
    if (query[i] == '%' || query[i] == '_' || query[i] == '\\')
      pattern[k++] = '\\';
    pattern[k++] = query[i];
  }
  pattern[k++] = '%';
  pattern[k] = '\0';
  return pattern;
}

bool
sq_list_grow(void **items, size_t count, size_t *cap, size_t size)
{
  if (count < *cap)
    return true;
  size_t next = *cap ? *cap * 2 : 16;
  if (next > SIZE_MAX / size)
    return false;
  void *grown = realloc(*items, next * size);
  if (grown == NULL)
    return false;
  *items = grown;
  *cap = next;
  return true;
}

/* A row reader of either kind: `plain` leaves the message to the caller,
 * `checked` sets it itself. Exactly one is set. */
struct row_reader {
  bool (*plain)(sqlite3_stmt *st, void *item);
  sq_checked_read *checked;
};

static bool
read_one(struct store *s, sqlite3_stmt *st, const char *what,
         const struct row_reader *r, void *item)
{
  if (r->checked != NULL)
    return r->checked(s, st, item);
  if (r->plain(st, item))
    return true;
  sq_error(s, "%s: out of memory", what);
  return false;
}

static enum store_rc
read_rows(struct store *s, sqlite3_stmt *st, const char *what, void **items,
          size_t *count, size_t size, const struct row_reader *r)
{
  size_t cap = 0;
  enum store_rc rc = STORE_OK;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    if (!sq_list_grow(items, *count, &cap, size)) {
      rc = sq_error(s, "%s: out of memory", what);
      break;
    }
    if (!read_one(s, st, what, r, (char *)*items + *count * size)) {
      rc = STORE_ERROR;
      break;
    }
    (*count)++;
  }
  if (rc == STORE_OK && step != SQLITE_DONE)
    rc = sq_fail(s, step, what);
  sq_done(st);
  return rc;
}

static enum store_rc
read_row(struct store *s, sqlite3_stmt *st, const char *what, void *item,
         const struct row_reader *r)
{
  enum store_rc rc = STORE_NOT_FOUND;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW)
    rc = read_one(s, st, what, r, item) ? STORE_OK : STORE_ERROR;
  else if (step != SQLITE_DONE)
    rc = sq_fail(s, step, what);
  sq_done(st);
  return rc;
}

enum store_rc
sq_read_rows(struct store *s, sqlite3_stmt *st, const char *what,
             void **items, size_t *count, size_t size,
             bool (*read)(sqlite3_stmt *st, void *item))
{
  return read_rows(s, st, what, items, count, size,
                   &(struct row_reader){.plain = read});
}

enum store_rc
sq_read_rows_checked(struct store *s, sqlite3_stmt *st, const char *what,
                     void **items, size_t *count, size_t size,
                     sq_checked_read *read)
{
  return read_rows(s, st, what, items, count, size,
                   &(struct row_reader){.checked = read});
}

enum store_rc
sq_read_row(struct store *s, sqlite3_stmt *st, const char *what, void *item,
            bool (*read)(sqlite3_stmt *st, void *item))
{
  return read_row(s, st, what, item, &(struct row_reader){.plain = read});
}

enum store_rc
sq_read_row_checked(struct store *s, sqlite3_stmt *st, const char *what,
                    void *item, sq_checked_read *read)
{
  return read_row(s, st, what, item, &(struct row_reader){.checked = read});
}

int64_t
sq_time_or_now(int64_t at)
{
  return at != 0 ? at : (int64_t)time(NULL);
}

static enum store_rc
sq_simple(struct store *s, const char *sql, const char *what)
{
  sqlite3_stmt *st = sq_stmt(s, sql);
  if (st == NULL)
    return STORE_ERROR;
  return sq_exec(s, st, what);
}

/* Every transaction takes the write lock at its start. SQLite runs
 * transactions one at a time, so they are serializable whatever
 * `serializable` asks; taking the lock early makes a busy database show up
 * as SQLITE_BUSY at BEGIN, where store_tx can retry, rather than in the
 * middle of the work. */
static enum store_rc
sq_begin(struct store *s, bool serializable)
{
  (void)serializable;
  return sq_simple(s, "BEGIN IMMEDIATE", "begin");
}

/* A COMMIT refused for a deferred foreign key leaves the transaction open;
 * store_tx then rolls it back. */
static enum store_rc
sq_commit(struct store *s)
{
  return sq_simple(s, "COMMIT", "commit");
}

static enum store_rc
sq_rollback(struct store *s)
{
  if (sqlite3_get_autocommit(sq_db(s)))
    return STORE_OK;  /* SQLite already rolled back, e.g. after an I/O error */
  return sq_simple(s, "ROLLBACK", "rollback");
}

static enum store_rc
sq_ping(struct store *s)
{
  int64_t one = 0;
  sqlite3_stmt *st = sq_stmt(s, "SELECT 1");
  if (st == NULL)
    return STORE_ERROR;
  return sq_exec_int(s, st, "ping", &one);
}

static void
sq_close(struct store *s)
{
  struct sq_conn *c = conn(s);
  for (size_t i = 0; i < SQ_CACHE_SLOTS; i++)
    sqlite3_finalize(c->cache[i].stmt);
  int rc = sqlite3_close(c->db);
  if (rc != SQLITE_OK)
    log_event(LOG_ERROR, "store.close_failed", "backend", "sqlite", "error",
              sqlite3_errstr(rc), NULL);
  free(c);
  free(s);
}

static const struct store_ops sqlite_ops = {
  .backend = "sqlite",
  .close = sq_close,
  .schema_version = sq_schema_version,
  .migrate = sq_migrate,
  .ping = sq_ping,
  .begin = sq_begin,
  .commit = sq_commit,
  .rollback = sq_rollback,
  .agency_get = sq_agency_get,
  .agency_put = sq_agency_put,
  .agency_list = sq_agency_list,
  .app_get = sq_app_get,
  .app_put = sq_app_put,
  .app_list = sq_app_list,
  .app_count_by = sq_app_count_by,
  .change_next_id = sq_change_next_id,
  .change_add = sq_change_add,
  .change_list = sq_change_list,
  .user_add = sq_user_add,
  .user_get = sq_user_get,
  .user_get_by_name = sq_user_get_by_name,
  .user_update = sq_user_update,
  .user_touch_login = sq_user_touch_login,
  .user_list = sq_user_list,
  .user_count = sq_user_count,
  .session_add = sq_session_add,
  .session_get = sq_session_get,
  .session_touch = sq_session_touch,
  .session_set_lang = sq_session_set_lang,
  .session_delete = sq_session_delete,
  .session_delete_user = sq_session_delete_user,
  .session_purge = sq_session_purge,
  .token_add = sq_token_add,
  .token_get_by_hash = sq_token_get_by_hash,
  .token_touch = sq_token_touch,
  .token_revoke = sq_token_revoke,
  .token_list = sq_token_list,
  .throttle_fail = sq_throttle_fail,
  .throttle_count = sq_throttle_count,
  .throttle_clear = sq_throttle_clear,
  .throttle_purge = sq_throttle_purge,
  .meta_get = sq_meta_get,
  .meta_put = sq_meta_put,
  .change_page = sq_change_page,
  .session_page = sq_session_page,
  .throttle_page = sq_throttle_page,
  .throttle_add = sq_throttle_add,
  .meta_list = sq_meta_list,
  .job_add = sq_job_add,
  .job_claim = sq_job_claim,
  .job_renew = sq_job_renew,
  .job_progress = sq_job_progress,
  .job_finish = sq_job_finish,
  .job_get = sq_job_get,
  .job_list = sq_job_list,
  .exam_result_put = sq_exam_result_put,
  .exam_result_codes = sq_exam_result_codes,
  .exam_result_get = sq_exam_result_get,
  .exam_latest = sq_exam_latest,
  .exam_latest_all = sq_exam_latest_all,
  .exam_history = sq_exam_history,
  .table_digest = sq_table_digest,
};

/* Sets the connection's pragmas. The journal mode is read back, because
 * SQLite keeps its old mode silently where WAL is impossible. */
static bool
configure(sqlite3 *db, const char *path, char *err, size_t errlen)
{
  /* Constant text without parameters, so sqlite3_exec is safe here. */
  static const char pragmas[] = "PRAGMA foreign_keys = ON;"
                                "PRAGMA synchronous = NORMAL;";
  sqlite3_stmt *st = NULL;
  const char *mode = NULL;

  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, SQ_BUSY_TIMEOUT_MS);
  if (sqlite3_prepare_v2(db, "PRAGMA journal_mode = WAL", -1, &st, NULL)
        == SQLITE_OK
      && sqlite3_step(st) == SQLITE_ROW)
    mode = (const char *)sqlite3_column_text(st, 0);
  if (mode == NULL) {
    snprintf(err, errlen, "cannot use %s as an SQLite database: %s; check "
             "that --db names an SQLite file or a new path", path,
             sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return false;
  }
  if (strcmp(mode, "wal") != 0) {
    snprintf(err, errlen, "sqlite %s: WAL journal mode could not be set "
             "(the mode is %s); put the file on a local file system", path,
             mode);
    sqlite3_finalize(st);
    return false;
  }
  sqlite3_finalize(st);
  if (sqlite3_exec(db, pragmas, NULL, NULL, NULL) != SQLITE_OK) {
    snprintf(err, errlen, "sqlite %s: setting pragmas failed: %s", path,
             sqlite3_errmsg(db));
    return false;
  }
  return true;
}

struct store *
sqlite_store_open(const char *path, char *err, size_t errlen)
{
  struct store *s = calloc(1, sizeof *s);
  struct sq_conn *c = calloc(1, sizeof *c);
  if (s == NULL || c == NULL) {
    snprintf(err, errlen, "out of memory opening %s", path);
    goto fail;
  }
  /* One thread uses a connection at a time (store.h), so SQLite's own
   * per-connection mutex is not needed. */
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
              | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path, &c->db, flags, NULL);
  if (rc != SQLITE_OK) {
    snprintf(err, errlen, "cannot open SQLite file %s: %s; check that its "
             "folder exists and is writable", path,
             c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
    goto fail;
  }
  if (!configure(c->db, path, err, errlen))
    goto fail;
  s->ops = &sqlite_ops;
  s->impl = c;
  return s;

fail:
  if (c != NULL)
    sqlite3_close(c->db);
  free(c);
  free(s);
  return NULL;
}
