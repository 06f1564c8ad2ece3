/* PostgreSQL backend: examination results with their findings, the newest
 * result per app, and an app's history.
 *
 * Behaviour matches the SQLite backend. Unknown values are stored as
 * NULL: a tri-state of -1, an HTTP status of 0, a response time or score
 * below 0, a time of 0 and empty text. App codes sort bytewise. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/postgres/pg.h"

#define RESULT_COLUMNS                                                       \
  "run_id, app_code, examined_at, outcome, http_status, response_ms,"        \
  " final_url, redirects, https_available, https_redirect, tls_valid,"       \
  " tls_trusted, tls_issuer, tls_expires_at, tls_protocol, grade, score,"    \
  " tests, error"

/* The newest result of each app: row 1 of its results by examination
 * time, the later run first among equal times. */
#define NEWEST_RESULTS                                                       \
  "SELECT *, row_number() OVER (PARTITION BY app_code"                       \
  " ORDER BY examined_at DESC, run_id DESC) AS newest FROM exam_results"

static const struct pg_stmt stmt_result_delete = {
  "exam_result_delete",
  "DELETE FROM exam_results WHERE run_id = $1 AND app_code = $2", 2};
static const struct pg_stmt stmt_result_insert = {
  "exam_result_insert",
  "INSERT INTO exam_results (" RESULT_COLUMNS ") VALUES ($1, $2, $3, $4,"
  " $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
  19};
static const struct pg_stmt stmt_finding_insert = {
  "exam_finding_insert",
  "INSERT INTO exam_findings (run_id, app_code, seq, finding_id, severity,"
  " evidence) VALUES ($1, $2, $3, $4, $5, $6)", 6};
static const struct pg_stmt stmt_findings = {
  "exam_findings",
  "SELECT finding_id, severity, evidence FROM exam_findings"
  " WHERE run_id = $1 AND app_code = $2 ORDER BY seq", 2};
static const struct pg_stmt stmt_result_get = {
  "exam_result_get",
  "SELECT " RESULT_COLUMNS " FROM exam_results"
  " WHERE run_id = $1 AND app_code = $2", 2};
static const struct pg_stmt stmt_latest = {
  "exam_latest",
  "SELECT " RESULT_COLUMNS " FROM exam_results WHERE app_code = $1"
  " ORDER BY examined_at DESC, run_id DESC LIMIT 1", 1};
static const struct pg_stmt stmt_latest_all = {
  "exam_latest_all",
  "SELECT " RESULT_COLUMNS " FROM (" NEWEST_RESULTS ") l WHERE newest = 1"
  " ORDER BY app_code" BYTEWISE, 0};
static const struct pg_stmt stmt_latest_all_findings = {
  "exam_latest_all_findings",
  "SELECT f.run_id, f.app_code, f.finding_id, f.severity, f.evidence"
  " FROM exam_findings f JOIN (" NEWEST_RESULTS ") l"
  " ON l.run_id = f.run_id AND l.app_code = f.app_code"
  " WHERE l.newest = 1 ORDER BY f.app_code" BYTEWISE ", f.seq", 0};
static const struct pg_stmt stmt_history = {
  "exam_history",
  "SELECT " RESULT_COLUMNS " FROM exam_results WHERE app_code = $1"
  " ORDER BY examined_at DESC, run_id DESC LIMIT $2", 2};
static const struct pg_stmt stmt_result_codes = {
  "exam_result_codes",
  "SELECT app_code FROM exam_results WHERE run_id = $1"
  " ORDER BY app_code" BYTEWISE, 1};

/* Parameter text of a tri-state: NULL for -1 (unknown). */
static const char *
tristate_param(int value)
{
  if (value < 0)
    return NULL;
  return value > 0 ? "true" : "false";
}

/* Parameter text of a count that is unknown below `floor`. */
static const char *
count_param(char buf[static 24], int value, int floor)
{
  return value >= floor ? pg_i64(buf, value) : NULL;
}

static int
tristate_column(const PGresult *res, int row, int col)
{
  if (PQgetisnull(res, row, col))
    return -1;
  return pg_bool(res, row, col) ? 1 : 0;
}

static int
int_column_or(const PGresult *res, int row, int col, int when_null)
{
  if (PQgetisnull(res, row, col))
    return when_null;
  return (int)pg_int(res, row, col);
}

/* Reads row `row` of RESULT_COLUMNS, without findings, into the struct
 * exam_result at `item`; false when memory runs out. */
static bool
read_result(const PGresult *res, int row, void *item)
{
  struct exam_result *r = item;
  *r = (struct exam_result){
    .run_id = pg_int(res, row, 0),
    .examined_at = pg_int(res, row, 2),
    .http_status = int_column_or(res, row, 4, 0),
    .response_ms = int_column_or(res, row, 5, -1),
    .https_available = tristate_column(res, row, 8),
    .https_redirect = tristate_column(res, row, 9),
    .tls_valid = tristate_column(res, row, 10),
    .tls_trusted = tristate_column(res, row, 11),
    .tls_expires_at = pg_int(res, row, 13),
    .score = int_column_or(res, row, 16, -1),
  };
  if (pg_text(res, row, 1, &r->app_code) &&
      pg_text(res, row, 3, &r->outcome) &&
      pg_text(res, row, 6, &r->final_url) &&
      pg_text(res, row, 7, &r->redirects) &&
      pg_text(res, row, 12, &r->tls_issuer) &&
      pg_text(res, row, 14, &r->tls_protocol) &&
      pg_text(res, row, 15, &r->grade) && pg_text(res, row, 17, &r->tests) &&
      pg_text(res, row, 18, &r->error))
    return true;
  exam_result_free(r);
  return false;
}

/* Appends the finding in columns `col`.. (id, severity, evidence) of row
 * `row` to `r`, whose findings array has room for `*cap`. */
static bool
append_finding(const PGresult *res, int row, int col, struct exam_result *r,
               size_t *cap)
{
  if (r->finding_count == *cap) {
    size_t next = *cap ? *cap * 2 : 8;
    void *grown = next <= SIZE_MAX / sizeof *r->findings
                    ? realloc(r->findings, next * sizeof *r->findings)
                    : NULL;
    if (grown == NULL)
      return false;
    r->findings = grown;
    *cap = next;
  }
  struct exam_finding *f = &r->findings[r->finding_count];
  *f = (struct exam_finding){0};
  if (pg_text(res, row, col, &f->id) &&
      pg_text(res, row, col + 1, &f->severity) &&
      pg_text(res, row, col + 2, &f->evidence)) {
    r->finding_count++;
    return true;
  }
  free(f->id);
  free(f->severity);
  free(f->evidence);
  return false;
}

/* Runs `fn` inside the caller's transaction, or in a transaction of its
 * own when none is open. A read of several statements uses a SERIALIZABLE
 * one, so that all of them see one snapshot. */
static enum store_rc
in_tx(struct store *s, bool serializable,
      enum store_rc (*fn)(struct store *s, void *arg), void *arg)
{
  struct pg_conn *pg = s->impl;
  if (pg->in_tx)
    return fn(s, arg);
  return store_tx(s, serializable, fn, arg);
}

/* ---- writing ---- */

static enum store_rc
insert_result(struct store *s, const struct exam_result *r,
              const char *run_id)
{
  char examined[24], status[24], ms[24], expires[24], score[24];
  const char *params[] = {
    run_id, r->app_code,
    pg_i64(examined, r->examined_at ? r->examined_at : (int64_t)time(NULL)),
    pg_optional(r->outcome), count_param(status, r->http_status, 1),
    count_param(ms, r->response_ms, 0), pg_optional(r->final_url),
    pg_optional(r->redirects), tristate_param(r->https_available),
    tristate_param(r->https_redirect), tristate_param(r->tls_valid),
    tristate_param(r->tls_trusted), pg_optional(r->tls_issuer),
    pg_optional_time(expires, r->tls_expires_at),
    pg_optional(r->tls_protocol), pg_optional(r->grade),
    count_param(score, r->score, 0), pg_optional(r->tests),
    pg_optional(r->error),
  };
  return pg_run(s, &stmt_result_insert, params, NULL);
}

/* Deleting the old result removes its findings too (ON DELETE CASCADE). */
static enum store_rc
put_in_tx(struct store *s, void *arg)
{
  const struct exam_result *r = arg;
  char run_id[24], seq[24];
  const char *key[] = {pg_i64(run_id, r->run_id), r->app_code};
  enum store_rc rc = pg_run(s, &stmt_result_delete, key, NULL);
  if (rc == STORE_OK)
    rc = insert_result(s, r, run_id);
  for (size_t i = 0; rc == STORE_OK && i < r->finding_count; i++) {
    const struct exam_finding *f = &r->findings[i];
    const char *params[] = {
      run_id, r->app_code, pg_i64(seq, (int64_t)i + 1), pg_optional(f->id),
      pg_optional(f->severity), pg_optional(f->evidence),
    };
    rc = pg_run(s, &stmt_finding_insert, params, NULL);
  }
  return rc;
}

enum store_rc
pg_exam_result_put(struct store *s, const struct exam_result *r)
{
  return in_tx(s, false, put_in_tx, (void *)r);
}

/* ---- reading ---- */

/* Reads the findings of `r` (its run and app) in order. */
static enum store_rc
read_findings(struct store *s, struct exam_result *r)
{
  char run_id[24];
  const char *params[] = {pg_i64(run_id, r->run_id), r->app_code};
  PGresult *res;
  enum store_rc rc = pg_run(s, &stmt_findings, params, &res);
  if (rc != STORE_OK)
    return rc;
  size_t cap = 0;
  int rows = PQntuples(res);
  for (int i = 0; rc == STORE_OK && i < rows; i++)
    if (!append_finding(res, i, 0, r, &cap))
      rc = pg_nomem(s);
  PQclear(res);
  return rc;
}

struct one_result {
  const struct pg_stmt *st;
  const char *const *params;
  struct exam_result *out;
};

/* Reads the one result a statement returns, then its findings. */
static enum store_rc
one_result_in_tx(struct store *s, void *arg)
{
  struct one_result *q = arg;
  exam_result_free(q->out);
  enum store_rc rc = pg_get_row(s, q->st, q->params, q->out, read_result);
  if (rc != STORE_OK)
    return rc;
  rc = read_findings(s, q->out);
  if (rc != STORE_OK)
    exam_result_free(q->out);
  return rc;
}

enum store_rc
pg_exam_result_get(struct store *s, int64_t run_id, const char *app_code,
                   struct exam_result *out)
{
  char run_text[24];
  const char *params[] = {pg_i64(run_text, run_id), app_code};
  struct one_result q = {&stmt_result_get, params, out};
  *out = (struct exam_result){0};
  return in_tx(s, true, one_result_in_tx, &q);
}

enum store_rc
pg_exam_latest(struct store *s, const char *app_code,
               struct exam_result *out)
{
  const char *params[] = {app_code};
  struct one_result q = {&stmt_latest, params, out};
  *out = (struct exam_result){0};
  return in_tx(s, true, one_result_in_tx, &q);
}

/* Reads the result rows of `res` into `out`, without findings. */
static enum store_rc
result_rows(struct store *s, const PGresult *res,
            struct exam_result_list *out)
{
  return pg_read_rows(s, res, (void **)&out->items, &out->count,
                      sizeof *out->items, read_result);
}

/* Adds the findings of every newest result to `list`, which contains
 * those results ordered by app code. The findings come ordered by app
 * code too, so one pass pairs them. */
static enum store_rc
attach_newest_findings(struct store *s, struct exam_result_list *list)
{
  PGresult *res;
  enum store_rc rc = pg_run(s, &stmt_latest_all_findings, NULL, &res);
  if (rc != STORE_OK)
    return rc;
  size_t at = 0, cap = 0;  /* cap belongs to the result at `at` */
  int rows = PQntuples(res);
  for (int i = 0; rc == STORE_OK && i < rows; i++) {
    const char *code = PQgetvalue(res, i, 1);
    while (at < list->count && strcmp(list->items[at].app_code, code) < 0) {
      at++;
      cap = 0;
    }
    if (at == list->count || strcmp(list->items[at].app_code, code) != 0 ||
        list->items[at].run_id != pg_int(res, i, 0))
      continue;
    if (!append_finding(res, i, 2, &list->items[at], &cap))
      rc = pg_nomem(s);
  }
  PQclear(res);
  return rc;
}

static enum store_rc
latest_all_in_tx(struct store *s, void *arg)
{
  struct exam_result_list *out = arg;
  exam_result_list_free(out);
  PGresult *res;
  enum store_rc rc = pg_run(s, &stmt_latest_all, NULL, &res);
  if (rc != STORE_OK)
    return rc;
  rc = result_rows(s, res, out);
  PQclear(res);
  if (rc == STORE_OK)
    rc = attach_newest_findings(s, out);
  if (rc != STORE_OK)
    exam_result_list_free(out);
  return rc;
}

enum store_rc
pg_exam_latest_all(struct store *s, struct exam_result_list *out)
{
  *out = (struct exam_result_list){0};
  return in_tx(s, true, latest_all_in_tx, out);
}

enum store_rc
pg_exam_history(struct store *s, const char *app_code, int64_t limit,
                struct exam_result_list *out)
{
  *out = (struct exam_result_list){0};
  char limit_text[24];
  const char *params[] = {app_code,
                          limit > 0 ? pg_i64(limit_text, limit) : NULL};
  PGresult *res;
  enum store_rc rc = pg_run(s, &stmt_history, params, &res);
  if (rc != STORE_OK)
    return rc;
  rc = result_rows(s, res, out);
  PQclear(res);
  if (rc != STORE_OK)
    exam_result_list_free(out);
  return rc;
}

static bool
read_code(const PGresult *res, int row, void *item)
{
  return pg_text(res, row, 0, item);
}

enum store_rc
pg_exam_result_codes(struct store *s, int64_t run_id,
                     struct string_list *out)
{
  *out = (struct string_list){0};
  char run_text[24];
  const char *params[] = {pg_i64(run_text, run_id)};
  enum store_rc rc = pg_list_rows(s, &stmt_result_codes, params,
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_code);
  if (rc != STORE_OK)
    string_list_free(out);
  return rc;
}
