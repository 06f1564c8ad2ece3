/* Internals shared by the files of the PostgreSQL backend; nothing outside
 * src/store/postgres/ includes this header.
 *
 * Every query is a `struct pg_stmt`: a fixed name and fixed SQL text with
 * $n parameters. pg_run prepares it on the connection the first time it is
 * used (PQprepare) and runs it with PQexecPrepared, parameters and results
 * as text. A connection that broke is reset (PQreset) once per call, and its
 * prepared statements are prepared again as they are used. */
#ifndef SIMPUL_STORE_POSTGRES_PG_H
#define SIMPUL_STORE_POSTGRES_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/store.h"

struct pg_stmt {
  const char *name;      /* server-side statement name, unique per backend */
  const char *sql;
  int nparams;
};

/* Sorts and compares text bytewise, as SQLite's BINARY collation does,
 * whatever the database's locale; with ILIKE it folds ASCII letters only,
 * as SQLite's LIKE does. */
#define BYTEWISE " COLLATE \"C\""

/* The sort key of app names: lower() under the "C" collation folds ASCII
 * letters only, as SQLite's lower() does, and its result sorts bytewise.
 * lower() under the database's own locale would also fold É to é. The
 * migration's index and the list's ORDER BY must spell it identically. */
#define PG_NAME_ORDER_KEY "lower(name" BYTEWISE ")"

/* SQL that moves an identity sequence past the id $1 of a row inserted
 * with an id of its own (copy-store), so that later rows do not get that id
 * again. is_called is false only before the first nextval, when last_value
 * is the next value to be handed out.
 * NOTE: a nextval on another connection between the read of last_value and
 * the setval can be undone, so explicit ids are safe only while no other
 * node inserts into the same table (copy-store into a new store). */
#define ADVANCE_SEQUENCE_SQL(seq)                                            \
  "SELECT setval('" seq "', $1) FROM " seq " WHERE $1::bigint > "           \
  "CASE WHEN is_called THEN last_value ELSE last_value - 1 END"

/* More distinct statements than the backend has; pg_run fails loudly when
 * a new one would pass it. */
#define PG_MAX_PREPARED 192

struct pg_conn {
  PGconn *conn;
  char where[160];       /* "host:port" of the server, for messages */
  const struct pg_stmt *prepared[PG_MAX_PREPARED];
  size_t prepared_count;
  bool in_tx;            /* between a successful begin and commit/rollback */
  bool tx_lost;          /* the connection broke inside the transaction */
  bool down;             /* the last reset failed; logged once per outage */
  int64_t failed_resets; /* resets that failed during this outage */
};

/* Runs `st` with `params` (st->nparams strings, NULL for SQL NULL). On
 * STORE_OK, `*res` (when `res` is not NULL) is the result for the caller to
 * PQclear. On any other status nothing is left to free and s->errmsg
 * contains the error. SQLSTATEs 40001 and 40P01 map to STORE_RETRY, 23505,
 * 23503, 23514 and 23502 to STORE_CONFLICT, and others to STORE_ERROR. A
 * connection that broke inside a transaction gives STORE_RETRY. */
enum store_rc pg_run(struct store *s, const struct pg_stmt *st,
                     const char *const *params, PGresult **res);

/* Like pg_run for a query that returns at most one row: STORE_NOT_FOUND
 * (and no result) when it returns none. */
enum store_rc pg_run_row(struct store *s, const struct pg_stmt *st,
                         const char *const *params, PGresult **res);

/* Like pg_run for an UPDATE or DELETE by key: STORE_NOT_FOUND when it
 * changed no row. */
enum store_rc pg_run_change(struct store *s, const struct pg_stmt *st,
                            const char *const *params);

/* Makes sure the connection is up and `st` is prepared on it, for callers
 * that send the statement themselves (single-row mode). */
enum store_rc pg_prepare_stmt(struct store *s, const struct pg_stmt *st);

/* Maps a finished result to a status, setting s->errmsg on failure;
 * `what` names the statement in the message. Does not PQclear. */
enum store_rc pg_result_rc(struct store *s, const char *what,
                           const PGresult *res);

/* Sets s->errmsg from the printf format and returns STORE_ERROR. */
enum store_rc pg_fail(struct store *s, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Sets the out-of-memory message and returns STORE_ERROR. */
enum store_rc pg_nomem(struct store *s);

/* Writes `v` in decimal into `buf` and returns it. */
const char *pg_i64(char buf[static 24], int64_t v);

/* The parameter text of a nullable column: pg_optional gives NULL for
 * NULL or "", pg_optional_time NULL for a time of 0 (else its decimal
 * text, written into `buf`). */
const char *pg_optional(const char *text);
const char *pg_optional_time(char buf[static 24], int64_t at);

/* Reads every row of `res` into a new list `*items` of `size`-byte items
 * through `read`, which returns false when memory runs out. `*count`
 * counts the rows read, so on failure the caller frees those. */
enum store_rc pg_read_rows(struct store *s, const PGresult *res,
                           void **items, size_t *count, size_t size,
                           bool (*read)(const PGresult *res, int row,
                                        void *item));

/* A row reader that sets s->errmsg itself when it fails (a bad stored
 * value, or memory), leaving nothing in `item` to free. */
typedef bool pg_checked_read(struct store *s, const PGresult *res, int row,
                             void *item);

/* pg_read_rows for a reader that words its own failures. */
enum store_rc pg_read_rows_checked(struct store *s, const PGresult *res,
                                   void **items, size_t *count, size_t size,
                                   pg_checked_read *read);

/* Runs `st` with `params` and reads its rows as pg_read_rows does; on
 * failure the caller frees the `*count` items read. */
enum store_rc pg_list_rows(struct store *s, const struct pg_stmt *st,
                           const char *const *params, void **items,
                           size_t *count, size_t size,
                           bool (*read)(const PGresult *res, int row,
                                        void *item));

/* Runs `st`, which returns at most one row, as pg_run_row does, and reads
 * the row into `item` through `read`; a failed read gives the
 * out-of-memory error. */
enum store_rc pg_get_row(struct store *s, const struct pg_stmt *st,
                         const char *const *params, void *item,
                         bool (*read)(const PGresult *res, int row,
                                      void *item));

/* pg_get_row for a reader that words its own failures. */
enum store_rc pg_get_row_checked(struct store *s, const struct pg_stmt *st,
                                 const char *const *params, void *item,
                                 pg_checked_read *read);

/* Returns `now` unless `at` is set: the creation or update time of a row
 * the caller did not date. */
int64_t pg_time_or_now(int64_t at);

/* Result readers. pg_text copies a column (NULL stays NULL) into `*out`
 * and returns false only when memory runs out. pg_int reads a bigint
 * column, 0 when NULL; pg_bool reads a boolean column, false when NULL. */
bool pg_text(const PGresult *res, int row, int col, char **out);
int64_t pg_int(const PGresult *res, int row, int col);
bool pg_bool(const PGresult *res, int row, int col);

/* Escapes `query` for ILIKE ... ESCAPE '\' and wraps it in % so that it
 * matches any substring, the user's %, _ and \ taken literally. Returns a
 * malloc'd pattern, or NULL when memory runs out. */
char *pg_like_pattern(const char *query);

/* Operations, by file. */
/* pg_schema.c */
enum store_rc pg_schema_version(struct store *s, int *current, int *latest);
enum store_rc pg_migrate(struct store *s, int *version);
enum store_rc pg_table_digest(struct store *s, const char *table,
                              struct table_digest *out);
/* pg_catalog.c */
enum store_rc pg_agency_get(struct store *s, const char *code,
                            struct agency *out);
enum store_rc pg_agency_put(struct store *s, const struct agency *a,
                            bool *inserted);
enum store_rc pg_agency_list(struct store *s, const struct agency_filter *f,
                             struct agency_list *out);
enum store_rc pg_app_get(struct store *s, const char *code, struct app *out);
enum store_rc pg_app_put(struct store *s, const struct app *a,
                         bool *inserted);
enum store_rc pg_app_list(struct store *s, const struct app_filter *f,
                          struct app_list *out);
enum store_rc pg_app_count_by(struct store *s, enum app_group group,
                              struct group_count_list *out);
enum store_rc pg_change_next_id(struct store *s, int64_t *change_id);
enum store_rc pg_change_add(struct store *s, const struct change *c);
enum store_rc pg_change_list(struct store *s, const char *entity,
                             const char *code, int64_t limit,
                             struct change_list *out);
enum store_rc pg_change_page(struct store *s, int64_t after, int64_t limit,
                             struct change_list *out);
/* pg_account.c */
enum store_rc pg_user_add(struct store *s, struct user *u);
enum store_rc pg_user_get(struct store *s, int64_t id, struct user *out);
enum store_rc pg_user_get_by_name(struct store *s, const char *name,
                                  struct user *out);
enum store_rc pg_user_update(struct store *s, const struct user *u);
enum store_rc pg_user_touch_login(struct store *s, int64_t id, int64_t at);
enum store_rc pg_user_list(struct store *s, struct user_list *out);
enum store_rc pg_user_count(struct store *s, int64_t *count);
enum store_rc pg_session_add(struct store *s, const struct session *ses);
enum store_rc pg_session_get(struct store *s, const char *id_hash,
                             struct session *out);
enum store_rc pg_session_touch(struct store *s, const char *id_hash,
                               int64_t seen_at, int64_t expires_at);
enum store_rc pg_session_set_lang(struct store *s, const char *id_hash,
                                  const char *lang);
enum store_rc pg_session_delete(struct store *s, const char *id_hash);
enum store_rc pg_session_delete_user(struct store *s, int64_t user_id);
enum store_rc pg_session_purge(struct store *s, int64_t now);
enum store_rc pg_token_add(struct store *s, struct api_token *t);
enum store_rc pg_token_get_by_hash(struct store *s, const char *hash,
                                   struct api_token *out);
enum store_rc pg_token_touch(struct store *s, int64_t id, int64_t at);
enum store_rc pg_token_revoke(struct store *s, int64_t id, int64_t at);
enum store_rc pg_token_list(struct store *s, struct api_token_list *out);
enum store_rc pg_throttle_fail(struct store *s, const char *key, int64_t now,
                               int64_t since, int64_t *count);
enum store_rc pg_throttle_count(struct store *s, const char *key,
                                int64_t since, int64_t *count);
enum store_rc pg_throttle_clear(struct store *s, const char *key);
enum store_rc pg_throttle_purge(struct store *s, int64_t before);
enum store_rc pg_meta_get(struct store *s, const char *key, char **value);
enum store_rc pg_meta_put(struct store *s, const char *key,
                          const char *value);
enum store_rc pg_session_page(struct store *s, const char *after,
                              int64_t limit, struct session_list *out);
enum store_rc pg_throttle_page(struct store *s, int64_t after, int64_t limit,
                               struct login_failure_list *out);
enum store_rc pg_throttle_add(struct store *s, const struct login_failure *f);
enum store_rc pg_meta_list(struct store *s, struct meta_list *out);
/* pg_jobs.c */
enum store_rc pg_job_add(struct store *s, struct job *j);
enum store_rc pg_job_claim(struct store *s, const char *kind,
                           const char *owner, int64_t now,
                           int64_t lease_until, struct job *out);
enum store_rc pg_job_renew(struct store *s, int64_t id, const char *owner,
                           int64_t lease_until);
enum store_rc pg_job_progress(struct store *s, int64_t id, const char *owner,
                              int64_t done, int64_t total);
enum store_rc pg_job_finish(struct store *s, int64_t id, const char *owner,
                            const char *state, const char *error,
                            int64_t at);
enum store_rc pg_job_get(struct store *s, int64_t id, struct job *out);
enum store_rc pg_job_list(struct store *s, const char *kind, int64_t limit,
                          struct job_list *out);
/* pg_exam.c */
enum store_rc pg_exam_result_put(struct store *s,
                                 const struct exam_result *r);
enum store_rc pg_exam_result_codes(struct store *s, int64_t run_id,
                                   struct string_list *out);
enum store_rc pg_exam_result_get(struct store *s, int64_t run_id,
                                 const char *app_code,
                                 struct exam_result *out);
enum store_rc pg_exam_latest(struct store *s, const char *app_code,
                             struct exam_result *out);
enum store_rc pg_exam_latest_all(struct store *s,
                                 struct exam_result_list *out);
enum store_rc pg_exam_history(struct store *s, const char *app_code,
                              int64_t limit, struct exam_result_list *out);

#endif
