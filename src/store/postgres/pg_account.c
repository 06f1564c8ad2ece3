/* PostgreSQL backend: users, sessions, API tokens, login throttling and
 * the meta settings.
 *
 * Behaviour matches the SQLite backend. A time of 0 is stored as NULL in
 * nullable columns and read back as 0, and a missing creation time means
 * now. Updates and deletes by key return STORE_NOT_FOUND when no row has
 * the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg.h"

/* Copies a text column into a fixed array; false when it does not fit. */
static bool
copy_fixed(const PGresult *res, int row, int col, char *out, size_t size)
{
  out[0] = '\0';
  if (PQgetisnull(res, row, col))
    return true;
  size_t len = (size_t)PQgetlength(res, row, col);
  if (len >= size)
    return false;
  memcpy(out, PQgetvalue(res, row, col), len + 1);
  return true;
}

static const struct pg_stmt stmt_advance_users = {
  "account_advance_users", ADVANCE_SEQUENCE_SQL("users_id_seq"), 1};
static const struct pg_stmt stmt_advance_tokens = {
  "account_advance_tokens", ADVANCE_SEQUENCE_SQL("api_tokens_id_seq"), 1};

/* Runs an INSERT ... RETURNING id and stores the id in `*id`; when `*id`
 * was given (copy-store), advances the sequence `advance` past it. */
static enum store_rc
insert_returning_id(struct store *s, const struct pg_stmt *with_id,
                    const struct pg_stmt *without_id,
                    const struct pg_stmt *advance, const char *const *params,
                    int64_t *id)
{
  PGresult *res;
  bool given = *id != 0;
  enum store_rc rc = given ? pg_run(s, with_id, params, &res)
                           : pg_run(s, without_id, params + 1, &res);
  if (rc != STORE_OK)
    return rc;
  *id = pg_int(res, 0, 0);
  PQclear(res);
  if (given) {
    char text[24];
    const char *seq_params[] = {pg_i64(text, *id)};
    rc = pg_run(s, advance, seq_params, NULL);
  }
  return rc;
}

/* ---- users ---- */

#define USER_COLUMNS                                                         \
  "id, name, display_name, password_hash, role, disabled, created_at,"      \
  " last_login_at"

static const struct pg_stmt stmt_user_add = {
  "user_add",
  "INSERT INTO users (name, display_name, password_hash, role, disabled,"
  " created_at, last_login_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
  " RETURNING id", 7};
static const struct pg_stmt stmt_user_add_id = {
  "user_add_id",
  "INSERT INTO users (" USER_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7,"
  " $8) RETURNING id", 8};
static const struct pg_stmt stmt_user_get = {
  "user_get", "SELECT " USER_COLUMNS " FROM users WHERE id = $1", 1};
static const struct pg_stmt stmt_user_get_by_name = {
  "user_get_by_name", "SELECT " USER_COLUMNS " FROM users WHERE name = $1",
  1};
static const struct pg_stmt stmt_user_update = {
  "user_update",
  "UPDATE users SET display_name = $2, password_hash = $3, role = $4,"
  " disabled = $5 WHERE id = $1", 5};
static const struct pg_stmt stmt_user_touch_login = {
  "user_touch_login", "UPDATE users SET last_login_at = $2 WHERE id = $1", 2};
static const struct pg_stmt stmt_user_list = {
  "user_list", "SELECT " USER_COLUMNS " FROM users ORDER BY id", 0};
static const struct pg_stmt stmt_user_count = {
  "user_count", "SELECT count(*) FROM users", 0};

/* Reads a user row; false with the reason in `s` on an unknown role or
 * lack of memory. */
static bool
read_user(struct store *s, const PGresult *res, int row, void *item)
{
  struct user *u = item;
  *u = (struct user){
    .id = pg_int(res, row, 0),
    .disabled = pg_bool(res, row, 5),
    .created_at = pg_int(res, row, 6),
    .last_login_at = pg_int(res, row, 7),
  };
  if (!role_parse(PQgetvalue(res, row, 4), &u->role)) {
    pg_fail(s, "postgres: user %lld has an unknown role", (long long)u->id);
    return false;
  }
  if (pg_text(res, row, 1, &u->name) &&
      pg_text(res, row, 2, &u->display_name) &&
      pg_text(res, row, 3, &u->password_hash))
    return true;
  user_free(u);
  pg_nomem(s);
  return false;
}

enum store_rc
pg_user_add(struct store *s, struct user *u)
{
  int64_t created_at = pg_time_or_now(u->created_at);
  char id[24], created[24], login[24];
  const char *params[] = {
    pg_i64(id, u->id), u->name, pg_optional(u->display_name),
    u->password_hash, role_name(u->role), u->disabled ? "true" : "false",
    pg_i64(created, created_at), pg_optional_time(login, u->last_login_at),
  };
  int64_t new_id = u->id;
  enum store_rc rc = insert_returning_id(s, &stmt_user_add_id, &stmt_user_add,
                                         &stmt_advance_users, params, &new_id);
  if (rc == STORE_OK) {
    u->id = new_id;
    u->created_at = created_at;
  }
  return rc;
}

static enum store_rc
user_get_by(struct store *s, const struct pg_stmt *st, const char *key,
            struct user *out)
{
  const char *params[] = {key};
  return pg_get_row_checked(s, st, params, out, read_user);
}

enum store_rc
pg_user_get(struct store *s, int64_t id, struct user *out)
{
  char text[24];
  return user_get_by(s, &stmt_user_get, pg_i64(text, id), out);
}

enum store_rc
pg_user_get_by_name(struct store *s, const char *name, struct user *out)
{
  return user_get_by(s, &stmt_user_get_by_name, name, out);
}

enum store_rc
pg_user_update(struct store *s, const struct user *u)
{
  char id[24];
  const char *params[] = {
    pg_i64(id, u->id),
    pg_optional(u->display_name),
    u->password_hash, role_name(u->role), u->disabled ? "true" : "false",
  };
  return pg_run_change(s, &stmt_user_update, params);
}

enum store_rc
pg_user_touch_login(struct store *s, int64_t id, int64_t at)
{
  char id_text[24], at_text[24];
  const char *params[] = {pg_i64(id_text, id), pg_optional_time(at_text, at)};
  return pg_run_change(s, &stmt_user_touch_login, params);
}

enum store_rc
pg_user_list(struct store *s, struct user_list *out)
{
  *out = (struct user_list){0};
  PGresult *res;
  enum store_rc rc = pg_run(s, &stmt_user_list, NULL, &res);
  if (rc != STORE_OK)
    return rc;
  rc = pg_read_rows_checked(s, res, (void **)&out->items, &out->count,
                            sizeof *out->items, read_user);
  PQclear(res);
  if (rc != STORE_OK)
    user_list_free(out);
  return rc;
}

/* Runs a query that returns one bigint, into `*out`. */
static enum store_rc
run_int(struct store *s, const struct pg_stmt *st, const char *const *params,
        int64_t *out)
{
  PGresult *res;
  enum store_rc rc = pg_run_row(s, st, params, &res);
  if (rc != STORE_OK)
    return rc;
  *out = pg_int(res, 0, 0);
  PQclear(res);
  return STORE_OK;
}

enum store_rc
pg_user_count(struct store *s, int64_t *count)
{
  return run_int(s, &stmt_user_count, NULL, count);
}

/* ---- sessions ---- */

static const struct pg_stmt stmt_session_add = {
  "session_add",
  "INSERT INTO sessions (id_hash, user_id, lang, created_at, expires_at,"
  " seen_at) VALUES ($1, $2, $3, $4, $5, $6)", 6};
#define SESSION_COLUMNS                                                      \
  "id_hash, user_id, lang, created_at, expires_at, seen_at"
static const struct pg_stmt stmt_session_get = {
  "session_get", "SELECT " SESSION_COLUMNS " FROM sessions WHERE id_hash = $1",
  1};
static const struct pg_stmt stmt_session_page = {
  "session_page",
  "SELECT " SESSION_COLUMNS " FROM sessions WHERE id_hash" BYTEWISE " > $1"
  " ORDER BY id_hash" BYTEWISE " LIMIT $2", 2};
static const struct pg_stmt stmt_session_touch = {
  "session_touch",
  "UPDATE sessions SET seen_at = $2, expires_at = $3 WHERE id_hash = $1", 3};
static const struct pg_stmt stmt_session_set_lang = {
  "session_set_lang", "UPDATE sessions SET lang = $2 WHERE id_hash = $1", 2};
static const struct pg_stmt stmt_session_delete = {
  "session_delete", "DELETE FROM sessions WHERE id_hash = $1", 1};
static const struct pg_stmt stmt_session_delete_user = {
  "session_delete_user", "DELETE FROM sessions WHERE user_id = $1", 1};
/* A session whose expires_at is `now` or earlier is expired. */
static const struct pg_stmt stmt_session_purge = {
  "session_purge", "DELETE FROM sessions WHERE expires_at <= $1", 1};

enum store_rc
pg_session_add(struct store *s, const struct session *ses)
{
  int64_t created_at = pg_time_or_now(ses->created_at);
  char user[24], created[24], expires[24], seen[24];
  const char *params[] = {
    ses->id_hash, pg_i64(user, ses->user_id),
    ses->lang[0] ? ses->lang : "id", pg_i64(created, created_at),
    pg_i64(expires, ses->expires_at),
    pg_i64(seen, ses->seen_at ? ses->seen_at : created_at),
  };
  return pg_run(s, &stmt_session_add, params, NULL);
}

/* Reads session row `row` into `item`; false when a stored value does not
 * fit. */
static bool
read_session(const PGresult *res, int row, void *item)
{
  struct session *out = item;
  *out = (struct session){
    .user_id = pg_int(res, row, 1),
    .created_at = pg_int(res, row, 3),
    .expires_at = pg_int(res, row, 4),
    .seen_at = pg_int(res, row, 5),
  };
  return copy_fixed(res, row, 0, out->id_hash, sizeof out->id_hash) &&
         copy_fixed(res, row, 2, out->lang, sizeof out->lang);
}

static bool
read_session_checked(struct store *s, const PGresult *res, int row,
                     void *item)
{
  if (read_session(res, row, item))
    return true;
  pg_fail(s, "postgres: session_get: a stored value is too long");
  return false;
}

enum store_rc
pg_session_get(struct store *s, const char *id_hash, struct session *out)
{
  const char *params[] = {id_hash};
  return pg_get_row_checked(s, &stmt_session_get, params, out,
                            read_session_checked);
}

enum store_rc
pg_session_page(struct store *s, const char *after, int64_t limit,
                struct session_list *out)
{
  *out = (struct session_list){0};
  char limit_text[24];
  const char *params[] = {after != NULL ? after : "",
                          limit > 0 ? pg_i64(limit_text, limit) : NULL};
  enum store_rc rc = pg_list_rows(s, &stmt_session_page, params,
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_session);
  if (rc != STORE_OK)
    session_list_free(out);
  return rc;
}

enum store_rc
pg_session_touch(struct store *s, const char *id_hash, int64_t seen_at,
                 int64_t expires_at)
{
  char seen[24], expires[24];
  const char *params[] = {id_hash, pg_i64(seen, seen_at),
                          pg_i64(expires, expires_at)};
  return pg_run_change(s, &stmt_session_touch, params);
}

enum store_rc
pg_session_set_lang(struct store *s, const char *id_hash, const char *lang)
{
  const char *params[] = {id_hash, lang};
  return pg_run_change(s, &stmt_session_set_lang, params);
}

enum store_rc
pg_session_delete(struct store *s, const char *id_hash)
{
  const char *params[] = {id_hash};
  return pg_run_change(s, &stmt_session_delete, params);
}

enum store_rc
pg_session_delete_user(struct store *s, int64_t user_id)
{
  char user[24];
  const char *params[] = {pg_i64(user, user_id)};
  return pg_run(s, &stmt_session_delete_user, params, NULL);
}

enum store_rc
pg_session_purge(struct store *s, int64_t now)
{
  char now_text[24];
  const char *params[] = {pg_i64(now_text, now)};
  return pg_run(s, &stmt_session_purge, params, NULL);
}

/* ---- API tokens ---- */

#define TOKEN_COLUMNS                                                        \
  "id, name, hash, prefix, user_id, created_at, last_used_at, revoked_at"

static const struct pg_stmt stmt_token_add = {
  "token_add",
  "INSERT INTO api_tokens (name, hash, prefix, user_id, created_at,"
  " last_used_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
  " RETURNING id", 7};
static const struct pg_stmt stmt_token_add_id = {
  "token_add_id",
  "INSERT INTO api_tokens (" TOKEN_COLUMNS ") VALUES ($1, $2, $3, $4, $5,"
  " $6, $7, $8) RETURNING id", 8};
static const struct pg_stmt stmt_token_get_by_hash = {
  "token_get_by_hash",
  "SELECT " TOKEN_COLUMNS " FROM api_tokens WHERE hash = $1", 1};
static const struct pg_stmt stmt_token_touch = {
  "token_touch", "UPDATE api_tokens SET last_used_at = $2 WHERE id = $1", 2};
/* Revoking twice keeps the first revocation time. */
static const struct pg_stmt stmt_token_revoke = {
  "token_revoke",
  "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $2)"
  " WHERE id = $1", 2};
static const struct pg_stmt stmt_token_list = {
  "token_list", "SELECT " TOKEN_COLUMNS " FROM api_tokens ORDER BY id", 0};

/* Leaves nothing to free when it fails: the name is read last. */
static bool
read_token(struct store *s, const PGresult *res, int row, void *item)
{
  struct api_token *t = item;
  *t = (struct api_token){
    .id = pg_int(res, row, 0),
    .user_id = pg_int(res, row, 4),
    .created_at = pg_int(res, row, 5),
    .last_used_at = pg_int(res, row, 6),
    .revoked_at = pg_int(res, row, 7),
  };
  if (!copy_fixed(res, row, 2, t->hash, sizeof t->hash) ||
      !copy_fixed(res, row, 3, t->prefix, sizeof t->prefix)) {
    pg_fail(s, "postgres: token %lld: a stored value is too long",
            (long long)t->id);
    return false;
  }
  if (!pg_text(res, row, 1, &t->name)) {
    pg_nomem(s);
    return false;
  }
  return true;
}

enum store_rc
pg_token_add(struct store *s, struct api_token *t)
{
  int64_t created_at = pg_time_or_now(t->created_at);
  char id[24], user[24], created[24], used[24], revoked[24];
  const char *params[] = {
    pg_i64(id, t->id), t->name, t->hash, pg_optional(t->prefix),
    pg_i64(user, t->user_id), pg_i64(created, created_at),
    pg_optional_time(used, t->last_used_at),
    pg_optional_time(revoked, t->revoked_at),
  };
  int64_t new_id = t->id;
  enum store_rc rc = insert_returning_id(s, &stmt_token_add_id,
                                         &stmt_token_add, &stmt_advance_tokens,
                                         params, &new_id);
  if (rc == STORE_OK) {
    t->id = new_id;
    t->created_at = created_at;
  }
  return rc;
}

enum store_rc
pg_token_get_by_hash(struct store *s, const char *hash, struct api_token *out)
{
  const char *params[] = {hash};
  return pg_get_row_checked(s, &stmt_token_get_by_hash, params, out,
                            read_token);
}

enum store_rc
pg_token_touch(struct store *s, int64_t id, int64_t at)
{
  char id_text[24], at_text[24];
  const char *params[] = {pg_i64(id_text, id), pg_optional_time(at_text, at)};
  return pg_run_change(s, &stmt_token_touch, params);
}

enum store_rc
pg_token_revoke(struct store *s, int64_t id, int64_t at)
{
  char id_text[24], at_text[24];
  const char *params[] = {pg_i64(id_text, id),
                          pg_i64(at_text, pg_time_or_now(at))};
  return pg_run_change(s, &stmt_token_revoke, params);
}

enum store_rc
pg_token_list(struct store *s, struct api_token_list *out)
{
  *out = (struct api_token_list){0};
  PGresult *res;
  enum store_rc rc = pg_run(s, &stmt_token_list, NULL, &res);
  if (rc != STORE_OK)
    return rc;
  rc = pg_read_rows_checked(s, res, (void **)&out->items, &out->count,
                            sizeof *out->items, read_token);
  PQclear(res);
  if (rc != STORE_OK)
    api_token_list_free(out);
  return rc;
}

/* ---- login throttling ---- */

/* The inserted row is not visible to the count in the same statement
 * (one snapshot), so it is counted separately when inside the window. */
static const struct pg_stmt stmt_throttle_fail = {
  "throttle_fail",
  "WITH added AS (INSERT INTO login_failures (key, at) VALUES ($1, $2)"
  " RETURNING at)"
  " SELECT (SELECT count(*) FROM login_failures WHERE key = $1 AND at >= $3)"
  " + (SELECT count(*) FROM added WHERE at >= $3)", 3};
static const struct pg_stmt stmt_throttle_count = {
  "throttle_count",
  "SELECT count(*) FROM login_failures WHERE key = $1 AND at >= $2", 2};
static const struct pg_stmt stmt_throttle_clear = {
  "throttle_clear", "DELETE FROM login_failures WHERE key = $1", 1};
static const struct pg_stmt stmt_throttle_purge = {
  "throttle_purge", "DELETE FROM login_failures WHERE at < $1", 1};
static const struct pg_stmt stmt_throttle_page = {
  "throttle_page",
  "SELECT id, key, at FROM login_failures WHERE id > $1 ORDER BY id"
  " LIMIT $2", 2};
static const struct pg_stmt stmt_throttle_add = {
  "throttle_add",
  "INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id", 2};
static const struct pg_stmt stmt_throttle_add_id = {
  "throttle_add_id",
  "INSERT INTO login_failures (id, key, at) VALUES ($1, $2, $3)"
  " RETURNING id", 3};
static const struct pg_stmt stmt_advance_failures = {
  "account_advance_failures",
  ADVANCE_SEQUENCE_SQL("login_failures_id_seq"), 1};

enum store_rc
pg_throttle_fail(struct store *s, const char *key, int64_t now, int64_t since,
                 int64_t *count)
{
  char now_text[24], since_text[24];
  const char *params[] = {key, pg_i64(now_text, now),
                          pg_i64(since_text, since)};
  return run_int(s, &stmt_throttle_fail, params, count);
}

enum store_rc
pg_throttle_count(struct store *s, const char *key, int64_t since,
                  int64_t *count)
{
  char since_text[24];
  const char *params[] = {key, pg_i64(since_text, since)};
  return run_int(s, &stmt_throttle_count, params, count);
}

enum store_rc
pg_throttle_clear(struct store *s, const char *key)
{
  const char *params[] = {key};
  return pg_run(s, &stmt_throttle_clear, params, NULL);
}

enum store_rc
pg_throttle_purge(struct store *s, int64_t before)
{
  char before_text[24];
  const char *params[] = {pg_i64(before_text, before)};
  return pg_run(s, &stmt_throttle_purge, params, NULL);
}

static bool
read_failure(const PGresult *res, int row, void *item)
{
  struct login_failure *f = item;
  f->id = pg_int(res, row, 0);
  f->at = pg_int(res, row, 2);
  return pg_text(res, row, 1, &f->key);
}

enum store_rc
pg_throttle_page(struct store *s, int64_t after, int64_t limit,
                 struct login_failure_list *out)
{
  *out = (struct login_failure_list){0};
  char after_text[24], limit_text[24];
  const char *params[] = {pg_i64(after_text, after),
                          limit > 0 ? pg_i64(limit_text, limit) : NULL};
  enum store_rc rc = pg_list_rows(s, &stmt_throttle_page, params,
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_failure);
  if (rc != STORE_OK)
    login_failure_list_free(out);
  return rc;
}

enum store_rc
pg_throttle_add(struct store *s, const struct login_failure *f)
{
  char id[24], at[24];
  const char *params[] = {pg_i64(id, f->id), f->key, pg_i64(at, f->at)};
  int64_t new_id = f->id;
  return insert_returning_id(s, &stmt_throttle_add_id, &stmt_throttle_add,
                             &stmt_advance_failures, params, &new_id);
}

/* ---- meta ---- */

static const struct pg_stmt stmt_meta_get = {
  "meta_get", "SELECT value FROM meta WHERE key = $1", 1};
static const struct pg_stmt stmt_meta_list = {
  "meta_list", "SELECT key, value FROM meta ORDER BY key" BYTEWISE, 0};
static const struct pg_stmt stmt_meta_put = {
  "meta_put",
  "INSERT INTO meta (key, value) VALUES ($1, $2)"
  " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", 2};

static bool
read_meta_value(const PGresult *res, int row, void *item)
{
  return pg_text(res, row, 0, item);
}

/* A stored NULL value comes back as a NULL *value with STORE_OK. */
enum store_rc
pg_meta_get(struct store *s, const char *key, char **value)
{
  *value = NULL;
  const char *params[] = {key};
  return pg_get_row(s, &stmt_meta_get, params, value, read_meta_value);
}

enum store_rc
pg_meta_put(struct store *s, const char *key, const char *value)
{
  const char *params[] = {key, value};
  return pg_run(s, &stmt_meta_put, params, NULL);
}

/* Reads a meta row; on failure frees what it read, because pg_read_rows
 * does not count a row that failed. */
static bool
read_meta(const PGresult *res, int row, void *item)
{
  struct meta_entry *e = item;
  if (pg_text(res, row, 0, &e->key) && pg_text(res, row, 1, &e->value))
    return true;
  free(e->key);
  e->key = NULL;
  return false;
}

enum store_rc
pg_meta_list(struct store *s, struct meta_list *out)
{
  *out = (struct meta_list){0};
  enum store_rc rc = pg_list_rows(s, &stmt_meta_list, NULL,
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_meta);
  if (rc != STORE_OK)
    meta_list_free(out);
  return rc;
}
