/* The store: everything simpul keeps, behind one table of operations that
 * each backend (store/sqlite, store/postgres) implements in full. Nothing
 * outside a backend contains SQL.
 *
 * A `struct store` is one connection and is used by one thread at a time;
 * a server keeps a pool of them (store_pool_*). Every operation returns a
 * `store_rc` that tells "no row", "retry the transaction" and "error"
 * apart; the last error text is kept on the connection (store_errmsg).
 *
 * Writes that belong together run inside store_tx(), which begins a
 * transaction, calls the function, commits, and retries the whole function
 * a bounded number of times on STORE_RETRY (SQLite busy, PostgreSQL
 * serialization failure or deadlock). */
#ifndef SIMPUL_STORE_STORE_H
#define SIMPUL_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "account/model.h"
#include "catalog/model.h"
#include "core/error.h"
#include "examine/model.h"
#include "jobs/model.h"

enum store_rc {
  STORE_OK = 0,
  STORE_NOT_FOUND,   /* the row asked for does not exist */
  STORE_CONFLICT,    /* a unique or foreign-key constraint was violated */
  STORE_RETRY,       /* transient: busy, serialization failure, deadlock */
  STORE_ERROR        /* anything else; see store_errmsg */
};

/* Maps a store status to the user-facing error (NOT_FOUND -> SP_ERR_NOT_FOUND,
 * CONFLICT -> SP_ERR_DUPLICATE, RETRY -> SP_ERR_STORE_BUSY, ERROR ->
 * SP_ERR_STORE). */
enum sp_err store_rc_error(enum store_rc rc);

/* Sort keys for app lists; the backend maps each to a fixed column. */
enum app_sort {
  APP_SORT_CODE = 0,
  APP_SORT_NAME,
  APP_SORT_AGENCY,
  APP_SORT_KIND,
  APP_SORT_STATUS,
  APP_SORT_UPDATED
};

/* Filters for app_list. NULL or empty strings do not filter. `query`
 * matches, case-insensitively, a substring of code, name, purpose or URL. */
struct app_filter {
  const char *kind;
  const char *status;
  const char *agency;
  const char *query;
  enum app_sort sort;
  bool descending;
  int64_t limit;     /* 0 means no limit */
  int64_t offset;
};

struct agency_filter {
  const char *kind;
  const char *parent;
  const char *query; /* substring of code or name */
  int64_t limit;
  int64_t offset;
};

/* Group-by keys for the dashboard counts. */
enum app_group { APP_GROUP_KIND = 0, APP_GROUP_STATUS, APP_GROUP_AGENCY };

struct group_count {
  char *key;         /* NULL is counted under an empty key "" */
  int64_t count;
};
struct group_count_list {
  struct group_count *items;
  size_t count;
};
void group_count_list_free(struct group_count_list *l);

/* A count of rows and a checksum per table, for copy-store verification. */
struct table_digest {
  char table[32];
  int64_t rows;
  char sha256[65];
};

/* Rows that only copy-store reads whole; free with the _list_free. */
struct session_list {
  struct session *items;
  size_t count;
};
struct login_failure {
  int64_t id;
  char *key;         /* "user:NAME" or "addr:IP" */
  int64_t at;        /* Unix seconds */
};
struct login_failure_list {
  struct login_failure *items;
  size_t count;
};
struct meta_entry {
  char *key;
  char *value;       /* NULL when stored as NULL */
};
struct meta_list {
  struct meta_entry *items;
  size_t count;
};
void session_list_free(struct session_list *l);
void login_failure_list_free(struct login_failure_list *l);
void meta_list_free(struct meta_list *l);

struct store;

struct store_ops {
  const char *backend;  /* "sqlite" or "postgres" */

  void (*close)(struct store *s);

  /* Schema. `current` is the applied version, `latest` the binary's. */
  enum store_rc (*schema_version)(struct store *s, int *current, int *latest);
  /* Applies pending migrations, each in its own transaction. */
  enum store_rc (*migrate)(struct store *s, int *version);
  /* Checks that the store runs a trivial query. */
  enum store_rc (*ping)(struct store *s);

  /* Transactions; store_tx() is the way to use them. */
  enum store_rc (*begin)(struct store *s, bool serializable);
  enum store_rc (*commit)(struct store *s);
  enum store_rc (*rollback)(struct store *s);

  /* Agencies. agency_put inserts, or updates the row with the same code;
   * `*inserted` (may be NULL) reports which. */
  enum store_rc (*agency_get)(struct store *s, const char *code,
                              struct agency *out);
  enum store_rc (*agency_put)(struct store *s, const struct agency *a,
                              bool *inserted);
  enum store_rc (*agency_list)(struct store *s, const struct agency_filter *f,
                               struct agency_list *out);

  /* Applications, likewise keyed by code. */
  enum store_rc (*app_get)(struct store *s, const char *code, struct app *out);
  enum store_rc (*app_put)(struct store *s, const struct app *a,
                           bool *inserted);
  enum store_rc (*app_list)(struct store *s, const struct app_filter *f,
                            struct app_list *out);
  enum store_rc (*app_count_by)(struct store *s, enum app_group group,
                                struct group_count_list *out);

  /* History. change_next_id reserves a new change_id for one save. */
  enum store_rc (*change_next_id)(struct store *s, int64_t *change_id);
  enum store_rc (*change_add)(struct store *s, const struct change *c);
  /* Newest first; `limit` 0 means all. */
  enum store_rc (*change_list)(struct store *s, const char *entity,
                               const char *code, int64_t limit,
                               struct change_list *out);

  /* Users. user_add sets u->id. */
  enum store_rc (*user_add)(struct store *s, struct user *u);
  enum store_rc (*user_get)(struct store *s, int64_t id, struct user *out);
  enum store_rc (*user_get_by_name)(struct store *s, const char *name,
                                    struct user *out);
  /* Updates display_name, password_hash, role and disabled by id. */
  enum store_rc (*user_update)(struct store *s, const struct user *u);
  enum store_rc (*user_touch_login)(struct store *s, int64_t id, int64_t at);
  enum store_rc (*user_list)(struct store *s, struct user_list *out);
  enum store_rc (*user_count)(struct store *s, int64_t *count);

  /* Sessions, keyed by the hash of the cookie value. */
  enum store_rc (*session_add)(struct store *s, const struct session *ses);
  enum store_rc (*session_get)(struct store *s, const char *id_hash,
                               struct session *out);
  enum store_rc (*session_touch)(struct store *s, const char *id_hash,
                                 int64_t seen_at, int64_t expires_at);
  enum store_rc (*session_set_lang)(struct store *s, const char *id_hash,
                                    const char *lang);
  enum store_rc (*session_delete)(struct store *s, const char *id_hash);
  enum store_rc (*session_delete_user)(struct store *s, int64_t user_id);
  enum store_rc (*session_purge)(struct store *s, int64_t now);

  /* API tokens. token_add sets t->id. */
  enum store_rc (*token_add)(struct store *s, struct api_token *t);
  enum store_rc (*token_get_by_hash)(struct store *s, const char *hash,
                                     struct api_token *out);
  enum store_rc (*token_touch)(struct store *s, int64_t id, int64_t at);
  enum store_rc (*token_revoke)(struct store *s, int64_t id, int64_t at);
  enum store_rc (*token_list)(struct store *s, struct api_token_list *out);

  /* Login throttling: counts failures per key ("user:NAME", "addr:IP")
   * within a window. throttle_fail adds one failure at `now` and returns the
   * failures since `since`. throttle_count only reads, throttle_clear
   * deletes the failures of a key, and throttle_purge drops failures older
   * than `before`. */
  enum store_rc (*throttle_fail)(struct store *s, const char *key,
                                 int64_t now, int64_t since, int64_t *count);
  enum store_rc (*throttle_count)(struct store *s, const char *key,
                                  int64_t since, int64_t *count);
  enum store_rc (*throttle_clear)(struct store *s, const char *key);
  enum store_rc (*throttle_purge)(struct store *s, int64_t before);

  /* Small named settings the program keeps (e.g. "sample_loaded"). */
  enum store_rc (*meta_get)(struct store *s, const char *key, char **value);
  enum store_rc (*meta_put)(struct store *s, const char *key,
                            const char *value);

  /* Whole-table reads and keyed inserts for copy-store, which copies every
   * row with its id. The _page reads return up to `limit` rows (0 for no
   * limit) whose key is after `after` (0 or NULL for the first page), in
   * key order: change and login-failure ids ascending, session id hashes
   * bytewise. throttle_add inserts one login failure with its id (0 makes
   * a new id). meta_list returns every setting in bytewise key order. */
  enum store_rc (*change_page)(struct store *s, int64_t after, int64_t limit,
                               struct change_list *out);
  enum store_rc (*session_page)(struct store *s, const char *after,
                                int64_t limit, struct session_list *out);
  enum store_rc (*throttle_page)(struct store *s, int64_t after,
                                 int64_t limit,
                                 struct login_failure_list *out);
  enum store_rc (*throttle_add)(struct store *s,
                                const struct login_failure *f);
  enum store_rc (*meta_list)(struct store *s, struct meta_list *out);

  /* Jobs. job_add sets j->id and returns STORE_CONFLICT when another job
   * has the same dedupe_key, with j->id set to that job's id; a job with
   * an id of its own (copy-store) keeps it, and a taken id is a conflict.
   * Unset fields get defaults: state queued, params "{}", created_at now,
   * scheduled_for created_at. job_claim takes the oldest job of `kind`
   * that is queued and due (scheduled_for <= now), or running with a lease
   * that ran out before `now`; it sets state running, the lease to
   * `owner` until `lease_until`, started_at on the first claim, and fills
   * `out`. Two callers never both get the same job (compare-and-set on
   * the lease, no locks held across calls). STORE_NOT_FOUND when none.
   * `out->taken_over` is set when the job was running under an expired
   * lease. job_renew, job_progress and job_finish act only while `owner`
   * holds the lease of a running job and return STORE_NOT_FOUND once it
   * was lost; job_finish takes the state "done" or "failed". */
  enum store_rc (*job_add)(struct store *s, struct job *j);
  enum store_rc (*job_claim)(struct store *s, const char *kind,
                             const char *owner, int64_t now,
                             int64_t lease_until, struct job *out);
  enum store_rc (*job_renew)(struct store *s, int64_t id, const char *owner,
                             int64_t lease_until);
  enum store_rc (*job_progress)(struct store *s, int64_t id,
                                const char *owner, int64_t done,
                                int64_t total);
  enum store_rc (*job_finish)(struct store *s, int64_t id, const char *owner,
                              const char *state, const char *error,
                              int64_t at);
  enum store_rc (*job_get)(struct store *s, int64_t id, struct job *out);
  /* Newest first; `kind` NULL for all kinds; `limit` 0 for all. */
  enum store_rc (*job_list)(struct store *s, const char *kind, int64_t limit,
                            struct job_list *out);

  /* Examination results. exam_result_put writes one result with its
   * findings (replacing a result of the same run and app). */
  enum store_rc (*exam_result_put)(struct store *s,
                                   const struct exam_result *r);
  /* Codes of the apps that have a result in run `run_id`. */
  enum store_rc (*exam_result_codes)(struct store *s, int64_t run_id,
                                     struct string_list *out);
  enum store_rc (*exam_result_get)(struct store *s, int64_t run_id,
                                   const char *app_code,
                                   struct exam_result *out);
  /* The newest result of one app, with findings. */
  enum store_rc (*exam_latest)(struct store *s, const char *app_code,
                               struct exam_result *out);
  /* The newest result of every app that has one, with findings, ordered
   * by app code. */
  enum store_rc (*exam_latest_all)(struct store *s,
                                   struct exam_result_list *out);
  /* Results of one app, newest first, without findings. */
  enum store_rc (*exam_history)(struct store *s, const char *app_code,
                                int64_t limit, struct exam_result_list *out);

  /* Rows and a checksum of one table in a backend-neutral order. */
  enum store_rc (*table_digest)(struct store *s, const char *table,
                                struct table_digest *out);
};

struct store {
  const struct store_ops *ops;
  void *impl;            /* the backend's connection state */
  char errmsg[512];      /* last error, for logs; never contains secrets */
};

/* Opens a connection for `url`: a file path or "sqlite:PATH" for SQLite,
 * "postgresql://..." or "postgres://..." for PostgreSQL. Does not migrate.
 * Returns NULL with a message in `err` (size `errlen`) on failure. */
struct store *store_open(const char *url, char *err, size_t errlen);

/* Copies a store URL into `out` (size `outlen`) for messages, with any
 * password replaced by "***". */
void store_url_mask(const char *url, char *out, size_t outlen);

/* Closes and frees; NULL is ignored. */
void store_close(struct store *s);

/* Returns the last error text of the connection. */
const char *store_errmsg(const struct store *s);

/* Runs `fn` in a transaction and commits; rolls back when fn returns other
 * than STORE_OK. On STORE_RETRY the whole transaction is retried up to
 * STORE_TX_RETRIES times with a jittered back-off. Returns fn's status or the
 * commit's. */
#define STORE_TX_RETRIES 8
enum store_rc store_tx(struct store *s, bool serializable,
                       enum store_rc (*fn)(struct store *s, void *arg),
                       void *arg);

/* A fixed-size pool of connections shared by server threads. */
struct store_pool;

/* Opens `size` connections to `url`. NULL with a message on failure. */
struct store_pool *store_pool_open(const char *url, int size, char *err,
                                   size_t errlen);
/* Waits up to `wait_ms` for a free connection; NULL on time-out. */
struct store *store_pool_acquire(struct store_pool *p, int wait_ms);
void store_pool_release(struct store_pool *p, struct store *s);
void store_pool_close(struct store_pool *p);

#endif
