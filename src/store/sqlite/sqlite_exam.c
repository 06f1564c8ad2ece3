/* Examination result queries of the SQLite backend: one result per run and
 * app with its findings, the newest result per app, and an app's history.
 *
 * Unknown values are stored as NULL: a tri-state of -1, an HTTP status of
 * 0, a response time or score below 0, a time of 0 and empty text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_internal.h"

#define RESULT_COLUMNS                                                       \
  "run_id, app_code, examined_at, outcome, http_status, response_ms, "       \
  "final_url, redirects, https_available, https_redirect, tls_valid, "       \
  "tls_trusted, tls_issuer, tls_expires_at, tls_protocol, grade, score, "    \
  "tests, error"

/* The newest result of each app: row 1 of its results by examination
 * time, the later run first among equal times. */
#define NEWEST_RESULTS                                                       \
  "SELECT *, row_number() OVER (PARTITION BY app_code "                      \
  "ORDER BY examined_at DESC, run_id DESC) AS newest FROM exam_results"

/* Binds -1 (unknown) as NULL and other values as 0 or 1. */
static int
bind_tristate(sqlite3_stmt *st, int index, int value)
{
  if (value < 0)
    return sqlite3_bind_null(st, index);
  return sqlite3_bind_int(st, index, value > 0);
}

/* Binds a count that is unknown below `floor` as NULL. */
static int
bind_at_least(sqlite3_stmt *st, int index, int value, int floor)
{
  if (value < floor)
    return sqlite3_bind_null(st, index);
  return sqlite3_bind_int(st, index, value);
}

/* Returns an integer column, `when_null` for NULL. */
static int
column_int_or(sqlite3_stmt *st, int col, int when_null)
{
  if (sqlite3_column_type(st, col) == SQLITE_NULL)
    return when_null;
  return sqlite3_column_int(st, col);
}

/* Reads a row of RESULT_COLUMNS, without findings, into the struct
 * exam_result at `item`; false when memory runs out. */
static bool
read_result(sqlite3_stmt *st, void *item)
{
  struct exam_result *r = item;
  *r = (struct exam_result){
    .run_id = sq_column_int(st, 0),
    .examined_at = sq_column_int(st, 2),
    .http_status = column_int_or(st, 4, 0),
    .response_ms = column_int_or(st, 5, -1),
    .https_available = column_int_or(st, 8, -1),
    .https_redirect = column_int_or(st, 9, -1),
    .tls_valid = column_int_or(st, 10, -1),
    .tls_trusted = column_int_or(st, 11, -1),
    .tls_expires_at = sq_column_int(st, 13),
    .score = column_int_or(st, 16, -1),
  };
  if (sq_column_text(st, 1, &r->app_code) && sq_column_text(st, 3, &r->outcome)
      && sq_column_text(st, 6, &r->final_url)
      && sq_column_text(st, 7, &r->redirects)
      && sq_column_text(st, 12, &r->tls_issuer)
      && sq_column_text(st, 14, &r->tls_protocol)
      && sq_column_text(st, 15, &r->grade)
      && sq_column_text(st, 17, &r->tests)
      && sq_column_text(st, 18, &r->error))
    return true;
  exam_result_free(r);
  return false;
}

/* Appends the finding in columns `col`.. (id, severity, evidence) of the
 * current row to `r`, whose findings array has room for `*cap`. */
static bool
append_finding(sqlite3_stmt *st, int col, struct exam_result *r, size_t *cap)
{
  if (!sq_list_grow((void **)&r->findings, r->finding_count, cap,
                    sizeof *r->findings))
    return false;
  struct exam_finding *f = &r->findings[r->finding_count];
  *f = (struct exam_finding){0};
  if (sq_column_text(st, col, &f->id)
      && sq_column_text(st, col + 1, &f->severity)
      && sq_column_text(st, col + 2, &f->evidence)) {
    r->finding_count++;
    return true;
  }
  free(f->id);
  free(f->severity);
  free(f->evidence);
  return false;
}

/* ---- writing ---- */

static enum store_rc
insert_result(struct store *s, const struct exam_result *r)
{
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO exam_results (" RESULT_COLUMNS
                                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
                                "?18, ?19)");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, r->run_id);
  sq_bind_text(st, 2, r->app_code);
  sqlite3_bind_int64(st, 3, sq_time_or_now(r->examined_at));
  sq_bind_optional(st, 4, r->outcome);
  bind_at_least(st, 5, r->http_status, 1);
  bind_at_least(st, 6, r->response_ms, 0);
  sq_bind_optional(st, 7, r->final_url);
  sq_bind_optional(st, 8, r->redirects);
  bind_tristate(st, 9, r->https_available);
  bind_tristate(st, 10, r->https_redirect);
  bind_tristate(st, 11, r->tls_valid);
  bind_tristate(st, 12, r->tls_trusted);
  sq_bind_optional(st, 13, r->tls_issuer);
  sq_bind_time(st, 14, r->tls_expires_at);
  sq_bind_optional(st, 15, r->tls_protocol);
  sq_bind_optional(st, 16, r->grade);
  bind_at_least(st, 17, r->score, 0);
  sq_bind_optional(st, 18, r->tests);
  sq_bind_optional(st, 19, r->error);
  return sq_exec(s, st, "exam_result_put");
}

static enum store_rc
insert_findings(struct store *s, const struct exam_result *r)
{
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < r->finding_count; i++) {
    const struct exam_finding *f = &r->findings[i];
    sqlite3_stmt *st = sq_stmt(s, "INSERT INTO exam_findings (run_id, "
                                  "app_code, seq, finding_id, severity, "
                                  "evidence) VALUES (?1, ?2, ?3, ?4, ?5, "
                                  "?6)");
    if (st == NULL)
      return STORE_ERROR;
    sqlite3_bind_int64(st, 1, r->run_id);
    sq_bind_text(st, 2, r->app_code);
    sqlite3_bind_int64(st, 3, (int64_t)i + 1);
    sq_bind_optional(st, 4, f->id);
    sq_bind_optional(st, 5, f->severity);
    sq_bind_optional(st, 6, f->evidence);
    rc = sq_exec(s, st, "exam_result_put finding");
  }
  return rc;
}

/* Deleting the old result removes its findings too (ON DELETE CASCADE). */
static enum store_rc
put_in_tx(struct store *s, void *arg)
{
  const struct exam_result *r = arg;
  sqlite3_stmt *st = sq_stmt(s, "DELETE FROM exam_results "
                                "WHERE run_id = ?1 AND app_code = ?2");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, r->run_id);
  sq_bind_text(st, 2, r->app_code);
  enum store_rc rc = sq_exec(s, st, "exam_result_put");
  if (rc == STORE_OK)
    rc = insert_result(s, r);
  if (rc == STORE_OK)
    rc = insert_findings(s, r);
  return rc;
}

enum store_rc
sq_exam_result_put(struct store *s, const struct exam_result *r)
{
  if (!sqlite3_get_autocommit(sq_db(s)))
    return put_in_tx(s, (void *)r);
  return store_tx(s, false, put_in_tx, (void *)r);
}

/* ---- reading ---- */

/* Reads the findings of `r` (its run and app) in order. */
static enum store_rc
read_findings(struct store *s, struct exam_result *r)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT finding_id, severity, evidence "
                                "FROM exam_findings WHERE run_id = ?1 "
                                "AND app_code = ?2 ORDER BY seq");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, r->run_id);
  sq_bind_text(st, 2, r->app_code);
  size_t cap = 0;
  enum store_rc rc = STORE_OK;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW)
    if (!append_finding(st, 0, r, &cap)) {
      rc = sq_error(s, "exam findings: out of memory");
      break;
    }
  if (rc == STORE_OK && step != SQLITE_DONE)
    rc = sq_fail(s, step, "exam findings");
  sq_done(st);
  return rc;
}

/* Steps a statement that returns at most one result row, then reads the
 * result's findings, all in one read transaction. */
static enum store_rc
result_with_findings(struct store *s, sqlite3_stmt *st, const char *what,
                     struct exam_result *out)
{
  *out = (struct exam_result){0};
  enum store_rc rc = sq_read_row(s, st, what, out, read_result);
  if (rc == STORE_OK)
    rc = read_findings(s, out);
  if (rc != STORE_OK)
    exam_result_free(out);
  return rc;
}

enum store_rc
sq_exam_result_get(struct store *s, int64_t run_id, const char *app_code,
                   struct exam_result *out)
{
  bool opened;
  enum store_rc rc = sq_read_begin(s, &opened);
  if (rc != STORE_OK)
    return rc;
  sqlite3_stmt *st = sq_stmt(s, "SELECT " RESULT_COLUMNS " FROM exam_results "
                                "WHERE run_id = ?1 AND app_code = ?2");
  if (st == NULL) {
    rc = STORE_ERROR;
  } else {
    sqlite3_bind_int64(st, 1, run_id);
    sq_bind_text(st, 2, app_code);
    rc = result_with_findings(s, st, "exam_result_get", out);
  }
  sq_read_end(s, opened);
  return rc;
}

enum store_rc
sq_exam_latest(struct store *s, const char *app_code, struct exam_result *out)
{
  bool opened;
  enum store_rc rc = sq_read_begin(s, &opened);
  if (rc != STORE_OK)
    return rc;
  sqlite3_stmt *st = sq_stmt(s, "SELECT " RESULT_COLUMNS " FROM exam_results "
                                "WHERE app_code = ?1 ORDER BY examined_at "
                                "DESC, run_id DESC LIMIT 1");
  if (st == NULL) {
    rc = STORE_ERROR;
  } else {
    sq_bind_text(st, 1, app_code);
    rc = result_with_findings(s, st, "exam_latest", out);
  }
  sq_read_end(s, opened);
  return rc;
}

/* Steps a statement of result rows into `out`, without findings. */
static enum store_rc
result_rows(struct store *s, sqlite3_stmt *st, const char *what,
            struct exam_result_list *out)
{
  return sq_read_rows(s, st, what, (void **)&out->items, &out->count,
                      sizeof *out->items, read_result);
}

/* Adds the findings of every newest result to `list`, which contains
 * those results ordered by app code. The findings come ordered by app
 * code too, so one pass pairs them. */
static enum store_rc
attach_newest_findings(struct store *s, struct exam_result_list *list)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT f.run_id, f.app_code, f.finding_id, "
                                "f.severity, f.evidence FROM exam_findings f "
                                "JOIN (" NEWEST_RESULTS ") l "
                                "ON l.run_id = f.run_id "
                                "AND l.app_code = f.app_code "
                                "WHERE l.newest = 1 "
                                "ORDER BY f.app_code, f.seq");
  if (st == NULL)
    return STORE_ERROR;
  size_t at = 0, cap = 0;
  enum store_rc rc = STORE_OK;
  int step;
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    /* `cap` belongs to the result at `at`, so it restarts with each. */
    const char *code = (const char *)sqlite3_column_text(st, 1);
    while (code != NULL && at < list->count
           && strcmp(list->items[at].app_code, code) < 0) {
      at++;
      cap = 0;
    }
    if (code == NULL || at == list->count
        || strcmp(list->items[at].app_code, code) != 0
        || list->items[at].run_id != sq_column_int(st, 0))
      continue;
    if (!append_finding(st, 2, &list->items[at], &cap)) {
      rc = sq_error(s, "exam_latest_all: out of memory");
      break;
    }
  }
  if (rc == STORE_OK && step != SQLITE_DONE)
    rc = sq_fail(s, step, "exam_latest_all");
  sq_done(st);
  return rc;
}

enum store_rc
sq_exam_latest_all(struct store *s, struct exam_result_list *out)
{
  *out = (struct exam_result_list){0};
  bool opened;
  enum store_rc rc = sq_read_begin(s, &opened);
  if (rc != STORE_OK)
    return rc;
  sqlite3_stmt *st = sq_stmt(s, "SELECT " RESULT_COLUMNS " FROM ("
                                NEWEST_RESULTS ") WHERE newest = 1 "
                                "ORDER BY app_code");
  rc = st == NULL ? STORE_ERROR
                  : result_rows(s, st, "exam_latest_all", out);
  if (rc == STORE_OK)
    rc = attach_newest_findings(s, out);
  sq_read_end(s, opened);
  if (rc != STORE_OK)
    exam_result_list_free(out);
  return rc;
}

enum store_rc
sq_exam_history(struct store *s, const char *app_code, int64_t limit,
                struct exam_result_list *out)
{
  *out = (struct exam_result_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT " RESULT_COLUMNS " FROM exam_results "
                                "WHERE app_code = ?1 ORDER BY examined_at "
                                "DESC, run_id DESC LIMIT ?2");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, app_code);
  sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
  enum store_rc rc = result_rows(s, st, "exam_history", out);
  if (rc != STORE_OK)
    exam_result_list_free(out);
  return rc;
}

static bool
read_code(sqlite3_stmt *st, void *item)
{
  return sq_column_text(st, 0, item);
}

enum store_rc
sq_exam_result_codes(struct store *s, int64_t run_id, struct string_list *out)
{
  *out = (struct string_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT app_code FROM exam_results "
                                "WHERE run_id = ?1 ORDER BY app_code");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, run_id);
  enum store_rc rc = sq_read_rows(s, st, "exam_result_codes",
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_code);
  if (rc != STORE_OK)
    string_list_free(out);
  return rc;
}
