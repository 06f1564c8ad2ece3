/* Catalog queries of the SQLite backend: agencies, applications and their
 * history. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_internal.h"

/* ---- Agencies ---- */

#define AGENCY_COLUMNS "id, code, name, kind, parent, created_at, updated_at"

static bool
read_agency(sqlite3_stmt *st, void *item)
{
  struct agency *a = item;
  *a = (struct agency){
    .id = sq_column_int(st, 0),
    .created_at = sq_column_int(st, 5),
    .updated_at = sq_column_int(st, 6),
  };
  if (sq_column_text(st, 1, &a->code) && sq_column_text(st, 2, &a->name)
      && sq_column_text(st, 3, &a->kind) && sq_column_text(st, 4, &a->parent))
    return true;
  agency_free(a);
  return false;
}

enum store_rc
sq_agency_get(struct store *s, const char *code, struct agency *out)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT " AGENCY_COLUMNS
                                " FROM agencies WHERE code = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, code);
  return sq_read_row(s, st, "agency_get", out, read_agency);
}

/* agency_put and app_put update by code first and insert when no row has
 * the code. One INSERT ... ON CONFLICT(code) DO UPDATE would do the same
 * work, but SQLite reports no way to tell which of the two it did, and
 * `*inserted` needs that. */
enum store_rc
sq_agency_put(struct store *s, const struct agency *a, bool *inserted)
{
  int64_t updated_at = sq_time_or_now(a->updated_at);
  sqlite3_stmt *st = sq_stmt(s, "UPDATE agencies SET name = ?2, kind = ?3, "
                                "parent = ?4, updated_at = ?5 "
                                "WHERE code = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, a->code);
  sq_bind_text(st, 2, a->name);
  sq_bind_optional(st, 3, a->kind);
  sq_bind_optional(st, 4, a->parent);
  sqlite3_bind_int64(st, 5, updated_at);
  enum store_rc rc = sq_exec(s, st, "agency_put");
  if (rc != STORE_OK || sqlite3_changes(sq_db(s)) > 0) {
    if (inserted != NULL)
      *inserted = false;
    return rc;
  }

  st = sq_stmt(s, "INSERT INTO agencies (" AGENCY_COLUMNS ") "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_id(st, 1, a->id);
  sq_bind_text(st, 2, a->code);
  sq_bind_text(st, 3, a->name);
  sq_bind_optional(st, 4, a->kind);
  sq_bind_optional(st, 5, a->parent);
  sqlite3_bind_int64(st, 6, a->created_at ? a->created_at : updated_at);
  sqlite3_bind_int64(st, 7, updated_at);
  rc = sq_exec(s, st, "agency_put");
  if (inserted != NULL)
    *inserted = rc == STORE_OK;
  return rc;
}

#define AGENCY_WHERE                                                         \
  " WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR parent = ?2)"         \
  " AND (?3 IS NULL OR code LIKE ?3 ESCAPE '\\'"                             \
  " OR name LIKE ?3 ESCAPE '\\')"

/* Binds the filter of agency_list's two statements. */
static void
bind_agency_filter(sqlite3_stmt *st, const struct agency_filter *f,
                   const char *pattern)
{
  sq_bind_optional(st, 1, f->kind);
  sq_bind_optional(st, 2, f->parent);
  sq_bind_text(st, 3, pattern);
}

enum store_rc
sq_agency_list(struct store *s, const struct agency_filter *f,
               struct agency_list *out)
{
  char *pattern = NULL;
  bool opened = false;
  enum store_rc rc;

  *out = (struct agency_list){0};
  if (f->query != NULL && f->query[0] != '\0'
      && (pattern = sq_like_pattern(f->query)) == NULL)
    return sq_error(s, "agency_list: query too long or out of memory");
  if ((rc = sq_read_begin(s, &opened)) != STORE_OK)
    goto out;

  sqlite3_stmt *st = sq_stmt(s, "SELECT count(*) FROM agencies" AGENCY_WHERE);
  rc = STORE_ERROR;
  if (st == NULL)
    goto out;
  bind_agency_filter(st, f, pattern);
  if ((rc = sq_exec_int(s, st, "agency_list", &out->total)) != STORE_OK)
    goto out;

  st = sq_stmt(s, "SELECT " AGENCY_COLUMNS " FROM agencies" AGENCY_WHERE
                  " ORDER BY code LIMIT ?4 OFFSET ?5");
  rc = STORE_ERROR;
  if (st == NULL)
    goto out;
  bind_agency_filter(st, f, pattern);
  sqlite3_bind_int64(st, 4, f->limit > 0 ? f->limit : -1);
  sqlite3_bind_int64(st, 5, f->offset > 0 ? f->offset : 0);
  rc = sq_read_rows(s, st, "agency_list", (void **)&out->items, &out->count,
                    sizeof *out->items, read_agency);

out:
  sq_read_end(s, opened);
  free(pattern);
  if (rc != STORE_OK)
    agency_list_free(out);
  return rc;
}

/* ---- Applications ---- */

#define APP_COLUMNS                                                          \
  "id, code, name, kind, agency, url, android_package, store_url, purpose, " \
  "audience, developer, hosting, launched, last_updated, status, "           \
  "merged_into, created_at, updated_at"

/* The text members of struct app in the order of APP_COLUMNS 1..15. */
static char **
app_text(struct app *a, int column)
{
  char **fields[] = {
    NULL, &a->code, &a->name, &a->kind, &a->agency, &a->url,
    &a->android_package, &a->store_url, &a->purpose, &a->audience,
    &a->developer, &a->hosting, &a->launched, &a->last_updated, &a->status,
    &a->merged_into,
  };
  return fields[column];
}

/* Reads a year column into text: "2013", or NULL when unknown. */
static bool
read_year(sqlite3_stmt *st, int col, char **out)
{
  *out = NULL;
  if (sqlite3_column_type(st, col) == SQLITE_NULL)
    return true;
  char text[24];
  snprintf(text, sizeof text, "%lld", (long long)sqlite3_column_int64(st, col));
  *out = strdup(text);
  return *out != NULL;
}

static bool
read_app(sqlite3_stmt *st, void *item)
{
  struct app *a = item;
  *a = (struct app){
    .id = sq_column_int(st, 0),
    .created_at = sq_column_int(st, 16),
    .updated_at = sq_column_int(st, 17),
  };
  for (int col = 1; col <= 15; col++) {
    bool ok = col == 12 || col == 13 ? read_year(st, col, app_text(a, col))
                                     : sq_column_text(st, col,
                                                      app_text(a, col));
    if (!ok) {
      app_free(a);
      return false;
    }
  }
  return true;
}

/* Binds a year given as text; NULL or "" binds NULL. False when the text
 * is not a whole number (the catalog checks years before saving). */
static bool
bind_year(sqlite3_stmt *st, int index, const char *year)
{
  if (year == NULL || year[0] == '\0') {
    sqlite3_bind_null(st, index);
    return true;
  }
  char *end;
  errno = 0;
  long long n = strtoll(year, &end, 10);
  if (*end != '\0' || errno != 0 || year[0] == '-' || year[0] == '+'
      || year[0] == ' ')
    return false;
  sqlite3_bind_int64(st, index, n);
  return true;
}

enum store_rc
sq_app_get(struct store *s, const char *code, struct app *out)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT " APP_COLUMNS
                                " FROM apps WHERE code = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, code);
  return sq_read_row(s, st, "app_get", out, read_app);
}

/* Binds app columns 2..16 (code .. merged_into) of `a` at parameters
 * first..first+14; false names a bad year in the connection's error. */
static bool
bind_app_fields(struct store *s, sqlite3_stmt *st, int first,
                const struct app *a)
{
  struct app *fields = (struct app *)a;
  for (int col = 1; col <= 15; col++) {
    const char *value = *app_text(fields, col);
    int index = first + col - 1;
    if (col == 12 || col == 13) {
      if (!bind_year(st, index, value)) {
        sq_error(s, "app %.64s: %s '%.16s' is not a year", a->code,
                 col == 12 ? "launched" : "last_updated", value);
        return false;
      }
    } else if (col <= 4 || col == 14) {
      sq_bind_text(st, index, value);      /* NOT NULL columns */
    } else {
      sq_bind_optional(st, index, value);
    }
  }
  if (a->status == NULL || a->status[0] == '\0')
    sqlite3_bind_text(st, first + 13, "active", -1, SQLITE_STATIC);
  return true;
}

enum store_rc
sq_app_put(struct store *s, const struct app *a, bool *inserted)
{
  int64_t updated_at = sq_time_or_now(a->updated_at);
  sqlite3_stmt *st = sq_stmt(s,
    "UPDATE apps SET name = ?2, kind = ?3, agency = ?4, url = ?5, "
    "android_package = ?6, store_url = ?7, purpose = ?8, audience = ?9, "
    "developer = ?10, hosting = ?11, launched = ?12, last_updated = ?13, "
    "status = ?14, merged_into = ?15, updated_at = ?16 WHERE code = ?1");
  if (st == NULL)
    return STORE_ERROR;
  if (!bind_app_fields(s, st, 1, a)) {
    sq_done(st);
    return STORE_ERROR;
  }
  sqlite3_bind_int64(st, 16, updated_at);
  enum store_rc rc = sq_exec(s, st, "app_put");
  if (rc != STORE_OK || sqlite3_changes(sq_db(s)) > 0) {
    if (inserted != NULL)
      *inserted = false;
    return rc;
  }

  st = sq_stmt(s, "INSERT INTO apps (" APP_COLUMNS ") VALUES (?1, ?2, ?3, "
                  "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                  "?16, ?17, ?18)");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_id(st, 1, a->id);
  if (!bind_app_fields(s, st, 2, a)) {
    sq_done(st);
    return STORE_ERROR;
  }
  sqlite3_bind_int64(st, 17, a->created_at ? a->created_at : updated_at);
  sqlite3_bind_int64(st, 18, updated_at);
  rc = sq_exec(s, st, "app_put");
  if (inserted != NULL)
    *inserted = rc == STORE_OK;
  return rc;
}

#define APP_WHERE                                                            \
  " WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR status = ?2)"         \
  " AND (?3 IS NULL OR agency = ?3)"                                         \
  " AND (?4 IS NULL OR code LIKE ?4 ESCAPE '\\' OR name LIKE ?4 ESCAPE '\\'" \
  " OR purpose LIKE ?4 ESCAPE '\\' OR url LIKE ?4 ESCAPE '\\')"

#define APP_LIST(order)                                                      \
  "SELECT " APP_COLUMNS " FROM apps" APP_WHERE " ORDER BY " order            \
  " LIMIT ?5 OFFSET ?6"

/* One statement per sort key and direction, indexed [enum app_sort]
 * [descending]; ties are broken by code so pages never overlap. Each order
 * is an index of schema version 3, so a page does not sort every matching
 * app. Names sort case-insensitively: lower() folds ASCII letters only,
 * so other letters (É, é) sort by code point, as on PostgreSQL. LIKE is
 * likewise case-insensitive for ASCII letters only. */
static const char *const app_list_sql[][2] = {
  [APP_SORT_CODE] = {APP_LIST("code"), APP_LIST("code DESC")},
  [APP_SORT_NAME] = {APP_LIST("lower(name), code"),
                     APP_LIST("lower(name) DESC, code DESC")},
  [APP_SORT_AGENCY] = {APP_LIST("agency, code"),
                       APP_LIST("agency DESC, code DESC")},
  [APP_SORT_KIND] = {APP_LIST("kind, code"), APP_LIST("kind DESC, code DESC")},
  [APP_SORT_STATUS] = {APP_LIST("status, code"),
                       APP_LIST("status DESC, code DESC")},
  [APP_SORT_UPDATED] = {APP_LIST("updated_at, code"),
                        APP_LIST("updated_at DESC, code DESC")},
};

static void
bind_app_filter(sqlite3_stmt *st, const struct app_filter *f,
                const char *pattern)
{
  sq_bind_optional(st, 1, f->kind);
  sq_bind_optional(st, 2, f->status);
  sq_bind_optional(st, 3, f->agency);
  sq_bind_text(st, 4, pattern);
}

enum store_rc
sq_app_list(struct store *s, const struct app_filter *f, struct app_list *out)
{
  char *pattern = NULL;
  bool opened = false;
  enum store_rc rc;

  *out = (struct app_list){0};
  if ((unsigned)f->sort >= sizeof app_list_sql / sizeof app_list_sql[0])
    return sq_error(s, "app_list: unknown sort key %d", (int)f->sort);
  if (f->query != NULL && f->query[0] != '\0'
      && (pattern = sq_like_pattern(f->query)) == NULL)
    return sq_error(s, "app_list: query too long or out of memory");
  if ((rc = sq_read_begin(s, &opened)) != STORE_OK)
    goto out;

  sqlite3_stmt *st = sq_stmt(s, "SELECT count(*) FROM apps" APP_WHERE);
  rc = STORE_ERROR;
  if (st == NULL)
    goto out;
  bind_app_filter(st, f, pattern);
  if ((rc = sq_exec_int(s, st, "app_list", &out->total)) != STORE_OK)
    goto out;

  st = sq_stmt(s, app_list_sql[f->sort][f->descending ? 1 : 0]);
  rc = STORE_ERROR;
  if (st == NULL)
    goto out;
  bind_app_filter(st, f, pattern);
  sqlite3_bind_int64(st, 5, f->limit > 0 ? f->limit : -1);
  sqlite3_bind_int64(st, 6, f->offset > 0 ? f->offset : 0);
  rc = sq_read_rows(s, st, "app_list", (void **)&out->items, &out->count,
                    sizeof *out->items, read_app);

out:
  sq_read_end(s, opened);
  free(pattern);
  if (rc != STORE_OK)
    app_list_free(out);
  return rc;
}

/* Indexed by enum app_group; keys in bytewise order. */
static const char *const app_count_sql[] = {
  [APP_GROUP_KIND] = "SELECT coalesce(kind, ''), count(*) FROM apps "
                     "GROUP BY 1 ORDER BY 1",
  [APP_GROUP_STATUS] = "SELECT coalesce(status, ''), count(*) FROM apps "
                       "GROUP BY 1 ORDER BY 1",
  [APP_GROUP_AGENCY] = "SELECT coalesce(agency, ''), count(*) FROM apps "
                       "GROUP BY 1 ORDER BY 1",
};

static bool
read_group_count(sqlite3_stmt *st, void *item)
{
  struct group_count *g = item;
  g->count = sqlite3_column_int64(st, 1);
  return sq_column_text(st, 0, &g->key);
}

enum store_rc
sq_app_count_by(struct store *s, enum app_group group,
                struct group_count_list *out)
{
  *out = (struct group_count_list){0};
  if ((unsigned)group >= sizeof app_count_sql / sizeof app_count_sql[0])
    return sq_error(s, "app_count_by: unknown group %d", (int)group);
  sqlite3_stmt *st = sq_stmt(s, app_count_sql[group]);
  if (st == NULL)
    return STORE_ERROR;
  enum store_rc rc = sq_read_rows(s, st, "app_count_by",
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_group_count);
  if (rc != STORE_OK)
    group_count_list_free(out);
  return rc;
}

/* ---- History ---- */

enum store_rc
sq_change_next_id(struct store *s, int64_t *change_id)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE change_seq SET id = id + 1 "
                                "RETURNING id");
  if (st == NULL)
    return STORE_ERROR;
  enum store_rc rc = sq_exec_int(s, st, "change_next_id", change_id);
  if (rc == STORE_NOT_FOUND)
    rc = sq_error(s, "change_next_id: the change_seq row is missing");
  return rc;
}

enum store_rc
sq_change_add(struct store *s, const struct change *c)
{
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO changes (id, change_id, entity, "
                                "code, field, old_value, new_value, actor, "
                                "at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                                "?9)");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_id(st, 1, c->id);
  sqlite3_bind_int64(st, 2, c->change_id);
  sq_bind_text(st, 3, c->entity);
  sq_bind_text(st, 4, c->code);
  sq_bind_text(st, 5, c->field);
  sq_bind_text(st, 6, c->old_value);
  sq_bind_text(st, 7, c->new_value);
  sq_bind_text(st, 8, c->actor);
  sqlite3_bind_int64(st, 9, sq_time_or_now(c->at));
  enum store_rc rc = sq_exec(s, st, "change_add");
  if (rc != STORE_OK)
    return rc;
  /* A change copied in with its own change_id (copy-store) must not be
   * handed out again by change_next_id. */
  st = sq_stmt(s, "UPDATE change_seq SET id = ?1 WHERE id < ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, c->change_id);
  return sq_exec(s, st, "change_add");
}

static bool
read_change(sqlite3_stmt *st, void *item)
{
  struct change *c = item;
  *c = (struct change){
    .id = sq_column_int(st, 0),
    .change_id = sq_column_int(st, 1),
    .at = sq_column_int(st, 8),
  };
  if (sq_column_text(st, 2, &c->entity) && sq_column_text(st, 3, &c->code)
      && sq_column_text(st, 4, &c->field)
      && sq_column_text(st, 5, &c->old_value)
      && sq_column_text(st, 6, &c->new_value)
      && sq_column_text(st, 7, &c->actor))
    return true;
  change_free(c);
  return false;
}

#define CHANGE_COLUMNS                                                       \
  "id, change_id, entity, code, field, old_value, new_value, actor, at"

/* Steps `st` to its end, reading each row into `out`, then resets it. */
static enum store_rc
change_rows(struct store *s, sqlite3_stmt *st, const char *what,
            struct change_list *out)
{
  enum store_rc rc = sq_read_rows(s, st, what, (void **)&out->items,
                                  &out->count, sizeof *out->items,
                                  read_change);
  if (rc != STORE_OK)
    change_list_free(out);
  return rc;
}

enum store_rc
sq_change_list(struct store *s, const char *entity, const char *code,
               int64_t limit, struct change_list *out)
{
  *out = (struct change_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT " CHANGE_COLUMNS " FROM changes "
                                "WHERE entity = ?1 AND code = ?2 "
                                "ORDER BY id DESC LIMIT ?3");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, entity);
  sq_bind_text(st, 2, code);
  sqlite3_bind_int64(st, 3, limit > 0 ? limit : -1);
  return change_rows(s, st, "change_list", out);
}

enum store_rc
sq_change_page(struct store *s, int64_t after, int64_t limit,
               struct change_list *out)
{
  *out = (struct change_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT " CHANGE_COLUMNS " FROM changes "
                                "WHERE id > ?1 ORDER BY id LIMIT ?2");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, after);
  sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
  return change_rows(s, st, "change_page", out);
}
