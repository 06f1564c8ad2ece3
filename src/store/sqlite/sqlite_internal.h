/* Shared helpers of the SQLite backend: the connection state with its
 * statement cache, error mapping, and binding and reading of the values the
 * records carry. Only files in store/sqlite/ include this. */
#ifndef SIMPUL_STORE_SQLITE_INTERNAL_H
#define SIMPUL_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* Slots of the statement cache: more than the backend's statements (about
 * 70), a power of two for the open-addressing lookup. */
#define SQ_CACHE_SLOTS 256

struct sq_cached {
  const char *sql;       /* the statement's text; its address is the key */
  sqlite3_stmt *stmt;
};

struct sq_conn {
  sqlite3 *db;
  struct sq_cached cache[SQ_CACHE_SLOTS];
};

/* Returns the connection's SQLite handle. */
sqlite3 *sq_db(struct store *s);

/* Returns the prepared statement for `sql`, preparing it on first use
 * (SQLITE_PREPARE_PERSISTENT) and keeping it for the connection's life.
 * `sql` must be a string with static storage: the cache is keyed by its
 * address. NULL, with the error on the connection, on failure. */
sqlite3_stmt *sq_stmt(struct store *s, const char *sql);

/* Resets a statement after use and clears its bindings, so it holds no
 * read lock and no stale parameter. */
void sq_done(sqlite3_stmt *st);

/* Records SQLite result `rc` of operation `what` on the connection and
 * returns the store status for it: busy or locked -> STORE_RETRY, a
 * constraint -> STORE_CONFLICT, anything else -> STORE_ERROR. */
enum store_rc sq_fail(struct store *s, int rc, const char *what);

/* Records an error that is not SQLite's (memory, bad value) and returns
 * STORE_ERROR. */
enum store_rc sq_error(struct store *s, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Steps a statement that returns no row, then sq_done()s it. */
enum store_rc sq_exec(struct store *s, sqlite3_stmt *st, const char *what);

/* Steps a statement that returns one integer (count(*), RETURNING id) into
 * `*out`, then sq_done()s it. STORE_NOT_FOUND when it returns no row. */
enum store_rc sq_exec_int(struct store *s, sqlite3_stmt *st, const char *what,
                          int64_t *out);

/* Steps an UPDATE or DELETE by key, then sq_done()s it: STORE_NOT_FOUND
 * when it changed no row. */
enum store_rc sq_exec_change(struct store *s, sqlite3_stmt *st,
                             const char *what);

/* Binding: each returns SQLite's result code. */
/* Binds text exactly; NULL binds NULL. */
int sq_bind_text(sqlite3_stmt *st, int index, const char *text);
/* Binds text of a nullable column: NULL and "" both bind NULL, because the
 * records use either for "empty". */
int sq_bind_optional(sqlite3_stmt *st, int index, const char *text);
/* Binds a time of a nullable column: 0 binds NULL. */
int sq_bind_time(sqlite3_stmt *st, int index, int64_t at);
/* Binds an id of an INTEGER PRIMARY KEY: 0 binds NULL (a new id). */
int sq_bind_id(sqlite3_stmt *st, int index, int64_t id);

/* Reading: column `col` of the current row. */
/* Copies a text column into `*out` (NULL for NULL); false when memory runs
 * out. */
bool sq_column_text(sqlite3_stmt *st, int col, char **out);
/* Returns an integer column, 0 for NULL. */
int64_t sq_column_int(sqlite3_stmt *st, int col);

/* A read of several statements that must see one snapshot: opens a read
 * transaction when none is open, and ends only the one it opened. */
enum store_rc sq_read_begin(struct store *s, bool *opened);
void sq_read_end(struct store *s, bool opened);

/* Escapes `query` for LIKE ... ESCAPE '\' and wraps it in '%': a substring
 * pattern. NULL when memory runs out or the query is absurdly long. */
char *sq_like_pattern(const char *query);

/* Makes room for one more item in a list of `size`-byte items that contains
 * `count` of `*cap`, doubling the capacity from 16. False when memory runs
 * out; the list is then unchanged. */
bool sq_list_grow(void **items, size_t count, size_t *cap, size_t size);

/* Steps `st` to its end, reading each row into a new item of the list
 * `*items` (`*count` items of `size` bytes, empty at the start) through
 * `read`, which returns false when memory runs out; then sq_done()s it.
 * On failure the rows read so far stay in the list for the caller to
 * free. */
enum store_rc sq_read_rows(struct store *s, sqlite3_stmt *st,
                           const char *what, void **items, size_t *count,
                           size_t size,
                           bool (*read)(sqlite3_stmt *st, void *item));

/* A row reader that sets the store's message itself when it fails (a bad
 * stored value, or memory), leaving nothing in `item` to free. */
typedef bool sq_checked_read(struct store *s, sqlite3_stmt *st, void *item);

/* sq_read_rows for a reader that words its own failures. */
enum store_rc sq_read_rows_checked(struct store *s, sqlite3_stmt *st,
                                   const char *what, void **items,
                                   size_t *count, size_t size,
                                   sq_checked_read *read);

/* Steps `st`, which returns at most one row, reading that row into `item`
 * through `read`; then sq_done()s it. STORE_NOT_FOUND when there is no row;
 * a failed `read` gives STORE_ERROR, worded "`what`: out of memory". */
enum store_rc sq_read_row(struct store *s, sqlite3_stmt *st, const char *what,
                          void *item,
                          bool (*read)(sqlite3_stmt *st, void *item));

/* sq_read_row for a reader that words its own failures. */
enum store_rc sq_read_row_checked(struct store *s, sqlite3_stmt *st,
                                  const char *what, void *item,
                                  sq_checked_read *read);

/* Returns `now` unless `at` is set: the creation or update time of a row
 * the caller did not date. */
int64_t sq_time_or_now(int64_t at);

/* Operations of each file, for the table in sqlite.c. */
enum store_rc sq_agency_get(struct store *s, const char *code,
                            struct agency *out);
enum store_rc sq_agency_put(struct store *s, const struct agency *a,
                            bool *inserted);
enum store_rc sq_agency_list(struct store *s, const struct agency_filter *f,
                             struct agency_list *out);
enum store_rc sq_app_get(struct store *s, const char *code, struct app *out);
enum store_rc sq_app_put(struct store *s, const struct app *a,
                         bool *inserted);
enum store_rc sq_app_list(struct store *s, const struct app_filter *f,
                          struct app_list *out);
enum store_rc sq_app_count_by(struct store *s, enum app_group group,
                              struct group_count_list *out);
enum store_rc sq_change_next_id(struct store *s, int64_t *change_id);
enum store_rc sq_change_add(struct store *s, const struct change *c);
enum store_rc sq_change_list(struct store *s, const char *entity,
                             const char *code, int64_t limit,
                             struct change_list *out);

enum store_rc sq_user_add(struct store *s, struct user *u);
enum store_rc sq_user_get(struct store *s, int64_t id, struct user *out);
enum store_rc sq_user_get_by_name(struct store *s, const char *name,
                                  struct user *out);
enum store_rc sq_user_update(struct store *s, const struct user *u);
enum store_rc sq_user_touch_login(struct store *s, int64_t id, int64_t at);
enum store_rc sq_user_list(struct store *s, struct user_list *out);
enum store_rc sq_user_count(struct store *s, int64_t *count);
enum store_rc sq_session_add(struct store *s, const struct session *ses);
enum store_rc sq_session_get(struct store *s, const char *id_hash,
                             struct session *out);
enum store_rc sq_session_touch(struct store *s, const char *id_hash,
                               int64_t seen_at, int64_t expires_at);
enum store_rc sq_session_set_lang(struct store *s, const char *id_hash,
                                  const char *lang);
enum store_rc sq_session_delete(struct store *s, const char *id_hash);
enum store_rc sq_session_delete_user(struct store *s, int64_t user_id);
enum store_rc sq_session_purge(struct store *s, int64_t now);
enum store_rc sq_token_add(struct store *s, struct api_token *t);
enum store_rc sq_token_get_by_hash(struct store *s, const char *hash,
                                   struct api_token *out);
enum store_rc sq_token_touch(struct store *s, int64_t id, int64_t at);
enum store_rc sq_token_revoke(struct store *s, int64_t id, int64_t at);
enum store_rc sq_token_list(struct store *s, struct api_token_list *out);
enum store_rc sq_throttle_fail(struct store *s, const char *key, int64_t now,
                               int64_t since, int64_t *count);
enum store_rc sq_throttle_count(struct store *s, const char *key,
                                int64_t since, int64_t *count);
enum store_rc sq_throttle_clear(struct store *s, const char *key);
enum store_rc sq_throttle_purge(struct store *s, int64_t before);
enum store_rc sq_meta_get(struct store *s, const char *key, char **value);
enum store_rc sq_meta_put(struct store *s, const char *key,
                          const char *value);
enum store_rc sq_change_page(struct store *s, int64_t after, int64_t limit,
                             struct change_list *out);
enum store_rc sq_session_page(struct store *s, const char *after,
                              int64_t limit, struct session_list *out);
enum store_rc sq_throttle_page(struct store *s, int64_t after, int64_t limit,
                               struct login_failure_list *out);
enum store_rc sq_throttle_add(struct store *s, const struct login_failure *f);
enum store_rc sq_meta_list(struct store *s, struct meta_list *out);

enum store_rc sq_schema_version(struct store *s, int *current, int *latest);
enum store_rc sq_migrate(struct store *s, int *version);
enum store_rc sq_table_digest(struct store *s, const char *table,
                              struct table_digest *out);

/* sqlite_jobs.c */
enum store_rc sq_job_add(struct store *s, struct job *j);
enum store_rc sq_job_claim(struct store *s, const char *kind,
                           const char *owner, int64_t now,
                           int64_t lease_until, struct job *out);
enum store_rc sq_job_renew(struct store *s, int64_t id, const char *owner,
                           int64_t lease_until);
enum store_rc sq_job_progress(struct store *s, int64_t id, const char *owner,
                              int64_t done, int64_t total);
enum store_rc sq_job_finish(struct store *s, int64_t id, const char *owner,
                            const char *state, const char *error,
                            int64_t at);
enum store_rc sq_job_get(struct store *s, int64_t id, struct job *out);
enum store_rc sq_job_list(struct store *s, const char *kind, int64_t limit,
                          struct job_list *out);
/* sqlite_exam.c */
enum store_rc sq_exam_result_put(struct store *s,
                                 const struct exam_result *r);
enum store_rc sq_exam_result_codes(struct store *s, int64_t run_id,
                                   struct string_list *out);
enum store_rc sq_exam_result_get(struct store *s, int64_t run_id,
                                 const char *app_code,
                                 struct exam_result *out);
enum store_rc sq_exam_latest(struct store *s, const char *app_code,
                             struct exam_result *out);
enum store_rc sq_exam_latest_all(struct store *s,
                                 struct exam_result_list *out);
enum store_rc sq_exam_history(struct store *s, const char *app_code,
                              int64_t limit, struct exam_result_list *out);

#endif
