/* Account queries of the SQLite backend: users, sessions, API tokens,
 * login throttling and the meta settings. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_internal.h"

/* Copies a text column into a fixed array; false when it does not fit. */
static bool
column_copy(sqlite3_stmt *st, int col, char *out, size_t size)
{
  const unsigned char *text = sqlite3_column_text(st, col);
  int len = sqlite3_column_bytes(st, col);
  out[0] = '\0';
  if (text == NULL)
    return true;
  if ((size_t)len >= size)
    return false;
  memcpy(out, text, (size_t)len + 1);
  return true;
}

/* ---- Users ---- */

#define USER_COLUMNS                                                         \
  "id, name, display_name, password_hash, role, disabled, created_at, "      \
  "last_login_at"

/* Reads a user row; false with the reason in `s` on a bad role or lack of
 * memory. */
static bool
read_user(struct store *s, sqlite3_stmt *st, void *item)
{
  struct user *u = item;
  *u = (struct user){
    .id = sq_column_int(st, 0),
    .disabled = sq_column_int(st, 5) != 0,
    .created_at = sq_column_int(st, 6),
    .last_login_at = sq_column_int(st, 7),
  };
  const char *role = (const char *)sqlite3_column_text(st, 4);
  if (!role_parse(role, &u->role)) {
    sq_error(s, "user %lld has an unknown role", (long long)u->id);
    return false;
  }
  if (sq_column_text(st, 1, &u->name)
      && sq_column_text(st, 2, &u->display_name)
      && sq_column_text(st, 3, &u->password_hash))
    return true;
  user_free(u);
  sq_error(s, "reading a user: out of memory");
  return false;
}

enum store_rc
sq_user_add(struct store *s, struct user *u)
{
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO users (" USER_COLUMNS ") "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (st == NULL)
    return STORE_ERROR;
  int64_t created_at = sq_time_or_now(u->created_at);
  sq_bind_id(st, 1, u->id);
  sq_bind_text(st, 2, u->name);
  sq_bind_optional(st, 3, u->display_name);
  sq_bind_text(st, 4, u->password_hash);
  sq_bind_text(st, 5, role_name(u->role));
  sqlite3_bind_int(st, 6, u->disabled ? 1 : 0);
  sqlite3_bind_int64(st, 7, created_at);
  sq_bind_time(st, 8, u->last_login_at);
  enum store_rc rc = sq_exec(s, st, "user_add");
  if (rc == STORE_OK) {
    u->id = sqlite3_last_insert_rowid(sq_db(s));
    u->created_at = created_at;
  }
  return rc;
}

enum store_rc
sq_user_get(struct store *s, int64_t id, struct user *out)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT " USER_COLUMNS
                                " FROM users WHERE id = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  return sq_read_row_checked(s, st, "user_get", out, read_user);
}

enum store_rc
sq_user_get_by_name(struct store *s, const char *name, struct user *out)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT " USER_COLUMNS
                                " FROM users WHERE name = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, name);
  return sq_read_row_checked(s, st, "user_get", out, read_user);
}

enum store_rc
sq_user_update(struct store *s, const struct user *u)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE users SET display_name = ?2, "
                                "password_hash = ?3, role = ?4, "
                                "disabled = ?5 WHERE id = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, u->id);
  sq_bind_optional(st, 2, u->display_name);
  sq_bind_text(st, 3, u->password_hash);
  sq_bind_text(st, 4, role_name(u->role));
  sqlite3_bind_int(st, 5, u->disabled ? 1 : 0);
  return sq_exec_change(s, st, "user_update");
}

enum store_rc
sq_user_touch_login(struct store *s, int64_t id, int64_t at)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE users SET last_login_at = ?2 "
                                "WHERE id = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  sq_bind_time(st, 2, at);
  return sq_exec_change(s, st, "user_touch_login");
}

enum store_rc
sq_user_list(struct store *s, struct user_list *out)
{
  *out = (struct user_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT " USER_COLUMNS
                                " FROM users ORDER BY id");
  if (st == NULL)
    return STORE_ERROR;
  enum store_rc rc = sq_read_rows_checked(s, st, "user_list",
                                          (void **)&out->items, &out->count,
                                          sizeof *out->items, read_user);
  if (rc != STORE_OK)
    user_list_free(out);
  return rc;
}

enum store_rc
sq_user_count(struct store *s, int64_t *count)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT count(*) FROM users");
  if (st == NULL)
    return STORE_ERROR;
  return sq_exec_int(s, st, "user_count", count);
}

/* ---- Sessions ---- */

enum store_rc
sq_session_add(struct store *s, const struct session *ses)
{
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO sessions (id_hash, user_id, "
                                "lang, created_at, expires_at, seen_at) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  if (st == NULL)
    return STORE_ERROR;
  int64_t created_at = sq_time_or_now(ses->created_at);
  sq_bind_text(st, 1, ses->id_hash);
  sqlite3_bind_int64(st, 2, ses->user_id);
  sq_bind_text(st, 3, ses->lang[0] ? ses->lang : "id");
  sqlite3_bind_int64(st, 4, created_at);
  sqlite3_bind_int64(st, 5, ses->expires_at);
  sqlite3_bind_int64(st, 6, ses->seen_at ? ses->seen_at : created_at);
  return sq_exec(s, st, "session_add");
}

#define SESSION_COLUMNS                                                      \
  "id_hash, user_id, lang, created_at, expires_at, seen_at"

/* Reads a session row into `item`; false when a stored value does not
 * fit. */
static bool
read_session(sqlite3_stmt *st, void *item)
{
  struct session *out = item;
  *out = (struct session){
    .user_id = sq_column_int(st, 1),
    .created_at = sq_column_int(st, 3),
    .expires_at = sq_column_int(st, 4),
    .seen_at = sq_column_int(st, 5),
  };
  return column_copy(st, 0, out->id_hash, sizeof out->id_hash)
         && column_copy(st, 2, out->lang, sizeof out->lang);
}

static bool
read_session_checked(struct store *s, sqlite3_stmt *st, void *item)
{
  if (read_session(st, item))
    return true;
  sq_error(s, "session_get: a stored value is too long");
  return false;
}

enum store_rc
sq_session_get(struct store *s, const char *id_hash, struct session *out)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT " SESSION_COLUMNS " FROM sessions "
                                "WHERE id_hash = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, id_hash);
  return sq_read_row_checked(s, st, "session_get", out, read_session_checked);
}

enum store_rc
sq_session_page(struct store *s, const char *after, int64_t limit,
                struct session_list *out)
{
  *out = (struct session_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT " SESSION_COLUMNS " FROM sessions "
                                "WHERE id_hash > ?1 ORDER BY id_hash "
                                "LIMIT ?2");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, after != NULL ? after : "");
  sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
  enum store_rc rc = sq_read_rows(s, st, "session_page",
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_session);
  if (rc != STORE_OK)
    session_list_free(out);
  return rc;
}

enum store_rc
sq_session_touch(struct store *s, const char *id_hash, int64_t seen_at,
                 int64_t expires_at)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE sessions SET seen_at = ?2, "
                                "expires_at = ?3 WHERE id_hash = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, id_hash);
  sqlite3_bind_int64(st, 2, seen_at);
  sqlite3_bind_int64(st, 3, expires_at);
  return sq_exec_change(s, st, "session_touch");
}

enum store_rc
sq_session_set_lang(struct store *s, const char *id_hash, const char *lang)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE sessions SET lang = ?2 "
                                "WHERE id_hash = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, id_hash);
  sq_bind_text(st, 2, lang);
  return sq_exec_change(s, st, "session_set_lang");
}

enum store_rc
sq_session_delete(struct store *s, const char *id_hash)
{
  sqlite3_stmt *st = sq_stmt(s, "DELETE FROM sessions WHERE id_hash = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, id_hash);
  return sq_exec_change(s, st, "session_delete");
}

enum store_rc
sq_session_delete_user(struct store *s, int64_t user_id)
{
  sqlite3_stmt *st = sq_stmt(s, "DELETE FROM sessions WHERE user_id = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, user_id);
  return sq_exec(s, st, "session_delete_user");
}

/* A session whose expires_at is `now` or earlier is expired. */
enum store_rc
sq_session_purge(struct store *s, int64_t now)
{
  sqlite3_stmt *st = sq_stmt(s, "DELETE FROM sessions WHERE expires_at <= ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, now);
  return sq_exec(s, st, "session_purge");
}

/* ---- API tokens ---- */

#define TOKEN_COLUMNS                                                        \
  "id, name, hash, prefix, user_id, created_at, last_used_at, revoked_at"

/* Leaves nothing to free when it fails: the name is read last. */
static bool
read_token(struct store *s, sqlite3_stmt *st, void *item)
{
  struct api_token *t = item;
  *t = (struct api_token){
    .id = sq_column_int(st, 0),
    .user_id = sq_column_int(st, 4),
    .created_at = sq_column_int(st, 5),
    .last_used_at = sq_column_int(st, 6),
    .revoked_at = sq_column_int(st, 7),
  };
  if (!column_copy(st, 2, t->hash, sizeof t->hash)
      || !column_copy(st, 3, t->prefix, sizeof t->prefix)) {
    sq_error(s, "token %lld: a stored value is too long", (long long)t->id);
    return false;
  }
  if (!sq_column_text(st, 1, &t->name)) {
    sq_error(s, "reading a token: out of memory");
    return false;
  }
  return true;
}

enum store_rc
sq_token_add(struct store *s, struct api_token *t)
{
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO api_tokens (" TOKEN_COLUMNS ") "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (st == NULL)
    return STORE_ERROR;
  int64_t created_at = sq_time_or_now(t->created_at);
  sq_bind_id(st, 1, t->id);
  sq_bind_text(st, 2, t->name);
  sq_bind_text(st, 3, t->hash);
  sq_bind_optional(st, 4, t->prefix);
  sqlite3_bind_int64(st, 5, t->user_id);
  sqlite3_bind_int64(st, 6, created_at);
  sq_bind_time(st, 7, t->last_used_at);
  sq_bind_time(st, 8, t->revoked_at);
  enum store_rc rc = sq_exec(s, st, "token_add");
  if (rc == STORE_OK) {
    t->id = sqlite3_last_insert_rowid(sq_db(s));
    t->created_at = created_at;
  }
  return rc;
}

enum store_rc
sq_token_get_by_hash(struct store *s, const char *hash, struct api_token *out)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT " TOKEN_COLUMNS
                                " FROM api_tokens WHERE hash = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, hash);
  return sq_read_row_checked(s, st, "token_get_by_hash", out, read_token);
}

enum store_rc
sq_token_touch(struct store *s, int64_t id, int64_t at)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE api_tokens SET last_used_at = ?2 "
                                "WHERE id = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  sq_bind_time(st, 2, at);
  return sq_exec_change(s, st, "token_touch");
}

/* Revoking twice keeps the first revocation time. */
enum store_rc
sq_token_revoke(struct store *s, int64_t id, int64_t at)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE api_tokens "
                                "SET revoked_at = coalesce(revoked_at, ?2) "
                                "WHERE id = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  sqlite3_bind_int64(st, 2, sq_time_or_now(at));
  return sq_exec_change(s, st, "token_revoke");
}

enum store_rc
sq_token_list(struct store *s, struct api_token_list *out)
{
  *out = (struct api_token_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT " TOKEN_COLUMNS
                                " FROM api_tokens ORDER BY id");
  if (st == NULL)
    return STORE_ERROR;
  enum store_rc rc = sq_read_rows_checked(s, st, "token_list",
                                          (void **)&out->items, &out->count,
                                          sizeof *out->items, read_token);
  if (rc != STORE_OK)
    api_token_list_free(out);
  return rc;
}

/* ---- Login throttling ---- */

static enum store_rc
count_failures(struct store *s, const char *key, int64_t since,
               int64_t *count)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT count(*) FROM login_failures "
                                "WHERE key = ?1 AND at >= ?2");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, key);
  sqlite3_bind_int64(st, 2, since);
  return sq_exec_int(s, st, "throttle_count", count);
}

enum store_rc
sq_throttle_fail(struct store *s, const char *key, int64_t now, int64_t since,
                 int64_t *count)
{
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO login_failures (key, at) "
                                "VALUES (?1, ?2)");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, key);
  sqlite3_bind_int64(st, 2, now);
  enum store_rc rc = sq_exec(s, st, "throttle_fail");
  if (rc != STORE_OK)
    return rc;
  return count_failures(s, key, since, count);
}

enum store_rc
sq_throttle_count(struct store *s, const char *key, int64_t since,
                  int64_t *count)
{
  return count_failures(s, key, since, count);
}

enum store_rc
sq_throttle_clear(struct store *s, const char *key)
{
  sqlite3_stmt *st = sq_stmt(s, "DELETE FROM login_failures WHERE key = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, key);
  return sq_exec(s, st, "throttle_clear");
}

enum store_rc
sq_throttle_purge(struct store *s, int64_t before)
{
  sqlite3_stmt *st = sq_stmt(s, "DELETE FROM login_failures WHERE at < ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, before);
  return sq_exec(s, st, "throttle_purge");
}

static bool
read_failure(sqlite3_stmt *st, void *item)
{
  struct login_failure *f = item;
  f->id = sq_column_int(st, 0);
  f->at = sq_column_int(st, 2);
  return sq_column_text(st, 1, &f->key);
}

enum store_rc
sq_throttle_page(struct store *s, int64_t after, int64_t limit,
                 struct login_failure_list *out)
{
  *out = (struct login_failure_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT id, key, at FROM login_failures "
                                "WHERE id > ?1 ORDER BY id LIMIT ?2");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, after);
  sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
  enum store_rc rc = sq_read_rows(s, st, "throttle_page",
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_failure);
  if (rc != STORE_OK)
    login_failure_list_free(out);
  return rc;
}

enum store_rc
sq_throttle_add(struct store *s, const struct login_failure *f)
{
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO login_failures (id, key, at) "
                                "VALUES (?1, ?2, ?3)");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_id(st, 1, f->id);
  sq_bind_text(st, 2, f->key);
  sqlite3_bind_int64(st, 3, f->at);
  return sq_exec(s, st, "throttle_add");
}

/* ---- Meta ---- */

static bool
read_meta_value(sqlite3_stmt *st, void *item)
{
  return sq_column_text(st, 0, item);
}

/* A stored NULL value comes back as a NULL *value with STORE_OK. */
enum store_rc
sq_meta_get(struct store *s, const char *key, char **value)
{
  *value = NULL;
  sqlite3_stmt *st = sq_stmt(s, "SELECT value FROM meta WHERE key = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, key);
  return sq_read_row(s, st, "meta_get", value, read_meta_value);
}

enum store_rc
sq_meta_put(struct store *s, const char *key, const char *value)
{
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                                "ON CONFLICT(key) DO UPDATE "
                                "SET value = excluded.value");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, key);
  sq_bind_text(st, 2, value);
  return sq_exec(s, st, "meta_put");
}

/* Reads a meta row; on failure frees what it read, because sq_read_rows
 * does not count a row that failed. */
static bool
read_meta(sqlite3_stmt *st, void *item)
{
  struct meta_entry *e = item;
  *e = (struct meta_entry){0};
  if (sq_column_text(st, 0, &e->key) && sq_column_text(st, 1, &e->value))
    return true;
  free(e->key);
  return false;
}

enum store_rc
sq_meta_list(struct store *s, struct meta_list *out)
{
  *out = (struct meta_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT key, value FROM meta ORDER BY key");
  if (st == NULL)
    return STORE_ERROR;
  enum store_rc rc = sq_read_rows(s, st, "meta_list", (void **)&out->items,
                                  &out->count, sizeof *out->items, read_meta);
  if (rc != STORE_OK)
    meta_list_free(out);
  return rc;
}
