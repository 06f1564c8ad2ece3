/* PostgreSQL backend: agencies, applications and their history.
 *
 * Behaviour matches the SQLite backend. Empty optional text is stored as
 * NULL, a missing status as 'active' and a missing time as now. Text sorts
 * bytewise and searches fold ASCII letters only (BYTEWISE in pg.h), whatever
 * the database's locale. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg.h"

static const struct pg_stmt stmt_advance_agencies = {
  "catalog_advance_agencies", ADVANCE_SEQUENCE_SQL("agencies_id_seq"), 1};
static const struct pg_stmt stmt_advance_apps = {
  "catalog_advance_apps", ADVANCE_SEQUENCE_SQL("apps_id_seq"), 1};
static const struct pg_stmt stmt_advance_changes = {
  "catalog_advance_changes", ADVANCE_SEQUENCE_SQL("changes_id_seq"), 1};

static enum store_rc
advance_sequence(struct store *s, const struct pg_stmt *st, int64_t id)
{
  char text[24];
  const char *params[] = {pg_i64(text, id)};
  return pg_run(s, st, params, NULL);
}

/* ---- agencies ---- */

#define AGENCY_COLUMNS "id, code, name, kind, parent, created_at, updated_at"

/* $1 id (only in the _id variant), then code, name, kind, parent,
 * created_at, updated_at. An update keeps id and created_at. */
#define AGENCY_UPSERT(columns, values)                                       \
  "INSERT INTO agencies (" columns ") VALUES (" values ")"                   \
  " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,"                  \
  " kind = EXCLUDED.kind, parent = EXCLUDED.parent,"                         \
  " updated_at = EXCLUDED.updated_at RETURNING (xmax = 0)"

static const struct pg_stmt stmt_agency_get = {
  "agency_get", "SELECT " AGENCY_COLUMNS " FROM agencies WHERE code = $1", 1};
static const struct pg_stmt stmt_agency_put = {
  "agency_put",
  AGENCY_UPSERT("code, name, kind, parent, created_at, updated_at",
                "$1, $2, $3, $4, $5, $6"), 6};
static const struct pg_stmt stmt_agency_put_id = {
  "agency_put_id",
  AGENCY_UPSERT(AGENCY_COLUMNS, "$1, $2, $3, $4, $5, $6, $7"), 7};

/* Reads AGENCY_COLUMNS starting at column `c`; false when memory runs
 * out. */
static bool
read_agency(const PGresult *res, int row, int c, struct agency *a)
{
  *a = (struct agency){
    .id = pg_int(res, row, c),
    .created_at = pg_int(res, row, c + 5),
    .updated_at = pg_int(res, row, c + 6),
  };
  if (pg_text(res, row, c + 1, &a->code) &&
      pg_text(res, row, c + 2, &a->name) &&
      pg_text(res, row, c + 3, &a->kind) &&
      pg_text(res, row, c + 4, &a->parent))
    return true;
  agency_free(a);
  return false;
}

static bool
read_agency_row(const PGresult *res, int row, void *item)
{
  return read_agency(res, row, 0, item);
}

/* A row of a list: the total comes first. */
static bool
read_listed_agency(const PGresult *res, int row, void *item)
{
  return read_agency(res, row, 1, item);
}

enum store_rc
pg_agency_get(struct store *s, const char *code, struct agency *out)
{
  const char *params[] = {code};
  return pg_get_row(s, &stmt_agency_get, params, out, read_agency_row);
}

/* Runs an upsert whose one result column is true for an insert and false
 * for an update. An insert with a given id then advances the id sequence. */
static enum store_rc
run_upsert(struct store *s, const struct pg_stmt *st,
           const char *const *params, int64_t id,
           const struct pg_stmt *advance, bool *inserted)
{
  PGresult *res;
  enum store_rc rc = pg_run(s, st, params, &res);
  if (rc != STORE_OK)
    return rc;
  bool was_insert = PQntuples(res) == 1 && pg_bool(res, 0, 0);
  PQclear(res);
  if (was_insert && id != 0)
    rc = advance_sequence(s, advance, id);
  if (rc == STORE_OK && inserted != NULL)
    *inserted = was_insert;
  return rc;
}

enum store_rc
pg_agency_put(struct store *s, const struct agency *a, bool *inserted)
{
  int64_t updated_at = pg_time_or_now(a->updated_at);
  int64_t created_at = a->created_at != 0 ? a->created_at : updated_at;
  char id[24], created[24], updated[24];
  const char *params[] = {
    pg_i64(id, a->id), a->code, a->name, pg_optional(a->kind),
    pg_optional(a->parent), pg_i64(created, created_at),
    pg_i64(updated, updated_at),
  };
  if (a->id == 0)
    return run_upsert(s, &stmt_agency_put, params + 1, 0, NULL, inserted);
  return run_upsert(s, &stmt_agency_put_id, params, a->id,
                    &stmt_advance_agencies, inserted);
}

#define AGENCY_WHERE                                                         \
  " WHERE ($1::text IS NULL OR kind = $1)"                                   \
  " AND ($2::text IS NULL OR parent = $2)"                                   \
  " AND ($3::text IS NULL OR code" BYTEWISE " ILIKE $3 ESCAPE '\\'"         \
  " OR name" BYTEWISE " ILIKE $3 ESCAPE '\\')"

/* The count and the page come from one statement, so from one snapshot:
 * the LEFT JOIN yields one row of NULLs with the count when the page is
 * empty. The page is a query of its own rather than a read of the counted
 * rows, so that an index in the ORDER BY's order serves it and the scan
 * stops after offset + limit rows. LIMIT NULL means no limit. */
#define PAGED(columns, table, where, order, limit, offset)                   \
  "SELECT total.n, page.* FROM (SELECT count(*) AS n FROM " table where      \
  ") total LEFT JOIN LATERAL (SELECT " columns " FROM " table where          \
  " ORDER BY " order " LIMIT " limit " OFFSET " offset ") page ON true"

static const struct pg_stmt stmt_agency_list = {
  "agency_list",
  PAGED(AGENCY_COLUMNS, "agencies", AGENCY_WHERE, "code" BYTEWISE, "$4",
        "$5"), 5};

enum store_rc
pg_agency_list(struct store *s, const struct agency_filter *f,
               struct agency_list *out)
{
  *out = (struct agency_list){0};
  char *pattern = NULL;
  if (pg_optional(f->query) != NULL && (pattern = pg_like_pattern(f->query))
                                      == NULL)
    return pg_nomem(s);
  char limit[24], offset[24];
  const char *params[] = {
    pg_optional(f->kind), pg_optional(f->parent), pattern,
    f->limit > 0 ? pg_i64(limit, f->limit) : NULL,
    pg_i64(offset, f->offset > 0 ? f->offset : 0),
  };
  PGresult *res;
  enum store_rc rc = pg_run(s, &stmt_agency_list, params, &res);
  free(pattern);
  if (rc != STORE_OK)
    return rc;
  int rows = PQntuples(res);
  out->total = rows > 0 ? pg_int(res, 0, 0) : 0;
  if (rows > 0 && !PQgetisnull(res, 0, 1))
    rc = pg_read_rows(s, res, (void **)&out->items, &out->count,
                      sizeof *out->items, read_listed_agency);
  PQclear(res);
  if (rc != STORE_OK)
    agency_list_free(out);
  return rc;
}

/* ---- applications ---- */

#define APP_COLUMNS                                                          \
  "id, code, name, kind, agency, url, android_package, store_url, purpose,"  \
  " audience, developer, hosting, launched, last_updated, status,"           \
  " merged_into, created_at, updated_at"
#define APP_FIELD_COUNT 15  /* code .. merged_into */

/* The text members of struct app in APP_COLUMNS order, code first. */
static char **
app_field(struct app *a, int i)
{
  char **fields[APP_FIELD_COUNT] = {
    &a->code, &a->name, &a->kind, &a->agency, &a->url, &a->android_package,
    &a->store_url, &a->purpose, &a->audience, &a->developer, &a->hosting,
    &a->launched, &a->last_updated, &a->status, &a->merged_into,
  };
  return fields[i];
}

enum { FIELD_LAUNCHED = 11, FIELD_LAST_UPDATED = 12, FIELD_STATUS = 13 };

/* Reads APP_COLUMNS starting at column `c`; years come back as their
 * decimal text. False when memory runs out. */
static bool
read_app(const PGresult *res, int row, int c, struct app *a)
{
  *a = (struct app){
    .id = pg_int(res, row, c),
    .created_at = pg_int(res, row, c + 16),
    .updated_at = pg_int(res, row, c + 17),
  };
  for (int i = 0; i < APP_FIELD_COUNT; i++) {
    if (!pg_text(res, row, c + 1 + i, app_field(a, i))) {
      app_free(a);
      return false;
    }
  }
  return true;
}

/* Checks a year given as text and writes it in decimal to `out`; NULL or
 * "" give NULL. False when it is not a whole number without sign, which
 * the catalog checks before saving. */
static bool
year_param(const char *year, char out[static 24], const char **param)
{
  *param = NULL;
  if (year == NULL || year[0] == '\0')
    return true;
  if (year[0] < '0' || year[0] > '9')
    return false;
  char *end;
  errno = 0;
  long long n = strtoll(year, &end, 10);
  if (*end != '\0' || errno != 0)
    return false;
  *param = pg_i64(out, n);
  return true;
}

/* $1 id (only in the _id variant), then the fields code .. merged_into,
 * created_at, updated_at. An update keeps id and created_at. */
#define APP_UPSERT(columns, values)                                          \
  "INSERT INTO apps (" columns ") VALUES (" values ")"                       \
  " ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,"                  \
  " kind = EXCLUDED.kind, agency = EXCLUDED.agency, url = EXCLUDED.url,"     \
  " android_package = EXCLUDED.android_package,"                             \
  " store_url = EXCLUDED.store_url, purpose = EXCLUDED.purpose,"             \
  " audience = EXCLUDED.audience, developer = EXCLUDED.developer,"           \
  " hosting = EXCLUDED.hosting, launched = EXCLUDED.launched,"               \
  " last_updated = EXCLUDED.last_updated, status = EXCLUDED.status,"         \
  " merged_into = EXCLUDED.merged_into, updated_at = EXCLUDED.updated_at"    \
  " RETURNING (xmax = 0)"

static const struct pg_stmt stmt_app_get = {
  "app_get", "SELECT " APP_COLUMNS " FROM apps WHERE code = $1", 1};
static const struct pg_stmt stmt_app_put = {
  "app_put",
  APP_UPSERT("code, name, kind, agency, url, android_package, store_url,"
             " purpose, audience, developer, hosting, launched, last_updated,"
             " status, merged_into, created_at, updated_at",
             "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
             " $15, $16, $17"), 17};
static const struct pg_stmt stmt_app_put_id = {
  "app_put_id",
  APP_UPSERT(APP_COLUMNS,
             "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
             " $15, $16, $17, $18"), 18};

static bool
read_app_row(const PGresult *res, int row, void *item)
{
  return read_app(res, row, 0, item);
}

/* A row of a list: the total comes first. */
static bool
read_listed_app(const PGresult *res, int row, void *item)
{
  return read_app(res, row, 1, item);
}

enum store_rc
pg_app_get(struct store *s, const char *code, struct app *out)
{
  const char *params[] = {code};
  return pg_get_row(s, &stmt_app_get, params, out, read_app_row);
}

/* Fills params[1 .. 15] with the fields of `a` as app_put binds them.
 * False, with the message set, on a year that is not a number. */
static bool
app_params(struct store *s, const struct app *a, const char **params,
           char years[2][24])
{
  struct app *fields = (struct app *)a;
  for (int i = 0; i < APP_FIELD_COUNT; i++) {
    const char *value = *app_field(fields, i);
    if (i == FIELD_LAUNCHED || i == FIELD_LAST_UPDATED) {
      if (!year_param(value, years[i - FIELD_LAUNCHED], &params[1 + i])) {
        pg_fail(s, "app %.64s: %s '%.16s' bukan tahun / is not a year",
                a->code, i == FIELD_LAUNCHED ? "launched" : "last_updated",
                value);
        return false;
      }
    } else if (i < 4) {
      params[1 + i] = value;  /* code, name, kind, agency: NOT NULL */
    } else {
      params[1 + i] = pg_optional(value);
    }
  }
  if (params[1 + FIELD_STATUS] == NULL)
    params[1 + FIELD_STATUS] = "active";
  return true;
}

enum store_rc
pg_app_put(struct store *s, const struct app *a, bool *inserted)
{
  int64_t updated_at = pg_time_or_now(a->updated_at);
  int64_t created_at = a->created_at != 0 ? a->created_at : updated_at;
  char id[24], created[24], updated[24], years[2][24];
  const char *params[18];
  params[0] = pg_i64(id, a->id);
  if (!app_params(s, a, params, years))
    return STORE_ERROR;
  params[16] = pg_i64(created, created_at);
  params[17] = pg_i64(updated, updated_at);
  if (a->id == 0)
    return run_upsert(s, &stmt_app_put, params + 1, 0, NULL, inserted);
  return run_upsert(s, &stmt_app_put_id, params, a->id, &stmt_advance_apps,
                    inserted);
}

#define APP_WHERE                                                            \
  " WHERE ($1::text IS NULL OR kind = $1)"                                   \
  " AND ($2::text IS NULL OR status = $2)"                                   \
  " AND ($3::text IS NULL OR agency = $3)"                                   \
  " AND ($4::text IS NULL OR code" BYTEWISE " ILIKE $4 ESCAPE '\\'"         \
  " OR name" BYTEWISE " ILIKE $4 ESCAPE '\\'"                               \
  " OR purpose" BYTEWISE " ILIKE $4 ESCAPE '\\'"                            \
  " OR url" BYTEWISE " ILIKE $4 ESCAPE '\\')"

#define APP_LIST(name, order)                                                \
  {"app_list_" name,                                                         \
   PAGED(APP_COLUMNS, "apps", APP_WHERE, order, "$5", "$6"), 6}

/* One statement per sort key and direction, indexed [enum app_sort]
 * [descending]; ties are broken by code so that pages never overlap. Each
 * order is an index of schema version 3 (pg_schema.c), scanned forwards or
 * backwards. Names sort case-insensitively for ASCII letters only, and
 * other letters by code point, as on SQLite. */
static const struct pg_stmt app_list_stmts[][2] = {
  [APP_SORT_CODE] = {
    APP_LIST("code", "code" BYTEWISE),
    APP_LIST("code_desc", "code" BYTEWISE " DESC")},
  [APP_SORT_NAME] = {
    APP_LIST("name", PG_NAME_ORDER_KEY ", code" BYTEWISE),
    APP_LIST("name_desc",
             PG_NAME_ORDER_KEY " DESC, code" BYTEWISE " DESC")},
  [APP_SORT_AGENCY] = {
    APP_LIST("agency", "agency" BYTEWISE ", code" BYTEWISE),
    APP_LIST("agency_desc",
             "agency" BYTEWISE " DESC, code" BYTEWISE " DESC")},
  [APP_SORT_KIND] = {
    APP_LIST("kind", "kind" BYTEWISE ", code" BYTEWISE),
    APP_LIST("kind_desc", "kind" BYTEWISE " DESC, code" BYTEWISE " DESC")},
  [APP_SORT_STATUS] = {
    APP_LIST("status", "status" BYTEWISE ", code" BYTEWISE),
    APP_LIST("status_desc",
             "status" BYTEWISE " DESC, code" BYTEWISE " DESC")},
  [APP_SORT_UPDATED] = {
    APP_LIST("updated", "updated_at, code" BYTEWISE),
    APP_LIST("updated_desc", "updated_at DESC, code" BYTEWISE " DESC")},
};

enum store_rc
pg_app_list(struct store *s, const struct app_filter *f, struct app_list *out)
{
  *out = (struct app_list){0};
  if ((unsigned)f->sort >= sizeof app_list_stmts / sizeof app_list_stmts[0])
    return pg_fail(s, "postgres: app_list: unknown sort key %d", (int)f->sort);
  char *pattern = NULL;
  if (pg_optional(f->query) != NULL && (pattern = pg_like_pattern(f->query))
                                      == NULL)
    return pg_nomem(s);
  char limit[24], offset[24];
  const char *params[] = {
    pg_optional(f->kind), pg_optional(f->status), pg_optional(f->agency),
    pattern,
    f->limit > 0 ? pg_i64(limit, f->limit) : NULL,
    pg_i64(offset, f->offset > 0 ? f->offset : 0),
  };
  PGresult *res;
  enum store_rc rc = pg_run(s, &app_list_stmts[f->sort][f->descending],
                            params, &res);
  free(pattern);
  if (rc != STORE_OK)
    return rc;
  int rows = PQntuples(res);
  out->total = rows > 0 ? pg_int(res, 0, 0) : 0;
  if (rows > 0 && !PQgetisnull(res, 0, 1))
    rc = pg_read_rows(s, res, (void **)&out->items, &out->count,
                      sizeof *out->items, read_listed_app);
  PQclear(res);
  if (rc != STORE_OK)
    app_list_free(out);
  return rc;
}

/* Indexed by enum app_group; keys in bytewise order. */
static const struct pg_stmt app_count_stmts[] = {
  [APP_GROUP_KIND] = {"app_count_kind",
                      "SELECT coalesce(kind, '')" BYTEWISE ", count(*)"
                      " FROM apps GROUP BY 1 ORDER BY 1", 0},
  [APP_GROUP_STATUS] = {"app_count_status",
                        "SELECT coalesce(status, '')" BYTEWISE ", count(*)"
                        " FROM apps GROUP BY 1 ORDER BY 1", 0},
  [APP_GROUP_AGENCY] = {"app_count_agency",
                        "SELECT coalesce(agency, '')" BYTEWISE ", count(*)"
                        " FROM apps GROUP BY 1 ORDER BY 1", 0},
};

static bool
read_group_count(const PGresult *res, int row, void *item)
{
  struct group_count *g = item;
  g->count = pg_int(res, row, 1);
  return pg_text(res, row, 0, &g->key);
}

enum store_rc
pg_app_count_by(struct store *s, enum app_group group,
                struct group_count_list *out)
{
  *out = (struct group_count_list){0};
  if ((unsigned)group >= sizeof app_count_stmts / sizeof app_count_stmts[0])
    return pg_fail(s, "postgres: app_count_by: unknown group %d", (int)group);
  enum store_rc rc = pg_list_rows(s, &app_count_stmts[group], NULL,
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_group_count);
  if (rc != STORE_OK)
    group_count_list_free(out);
  return rc;
}

/* ---- history ---- */

static const struct pg_stmt stmt_change_next_id = {
  "change_next_id", "SELECT nextval('change_ids')", 0};

/* Inserts one change and, when its change_id is past the sequence (a
 * change copied in by copy-store), moves change_ids past it so that
 * change_next_id never hands the same id out again. A change_id taken from
 * change_next_id is never past the sequence, so normal saves leave it. */
#define CHANGE_ADD(columns, values)                                          \
  "WITH added AS (INSERT INTO changes (" columns ") VALUES (" values ")"     \
  " RETURNING change_id)"                                                    \
  " SELECT setval('change_ids', added.change_id) FROM added, change_ids"     \
  " WHERE added.change_id > CASE WHEN change_ids.is_called"                  \
  " THEN change_ids.last_value ELSE change_ids.last_value - 1 END"

static const struct pg_stmt stmt_change_add = {
  "change_add",
  CHANGE_ADD("change_id, entity, code, field, old_value, new_value, actor,"
             " at", "$1, $2, $3, $4, $5, $6, $7, $8"), 8};
static const struct pg_stmt stmt_change_add_id = {
  "change_add_id",
  CHANGE_ADD("id, change_id, entity, code, field, old_value, new_value,"
             " actor, at", "$1, $2, $3, $4, $5, $6, $7, $8, $9"), 9};
#define CHANGE_COLUMNS                                                       \
  "id, change_id, entity, code, field, old_value, new_value, actor, at"
static const struct pg_stmt stmt_change_list = {
  "change_list",
  "SELECT " CHANGE_COLUMNS " FROM changes WHERE entity = $1 AND code = $2"
  " ORDER BY id DESC LIMIT $3", 3};
static const struct pg_stmt stmt_change_page = {
  "change_page",
  "SELECT " CHANGE_COLUMNS " FROM changes WHERE id > $1 ORDER BY id"
  " LIMIT $2", 2};

enum store_rc
pg_change_next_id(struct store *s, int64_t *change_id)
{
  PGresult *res;
  enum store_rc rc = pg_run(s, &stmt_change_next_id, NULL, &res);
  if (rc != STORE_OK)
    return rc;
  *change_id = pg_int(res, 0, 0);
  PQclear(res);
  return STORE_OK;
}

enum store_rc
pg_change_add(struct store *s, const struct change *c)
{
  char id[24], change_id[24], at[24];
  const char *params[] = {
    pg_i64(id, c->id), pg_i64(change_id, c->change_id), c->entity, c->code,
    c->field, c->old_value, c->new_value, c->actor,
    pg_i64(at, pg_time_or_now(c->at)),
  };
  if (c->id == 0)
    return pg_run(s, &stmt_change_add, params + 1, NULL);
  enum store_rc rc = pg_run(s, &stmt_change_add_id, params, NULL);
  if (rc == STORE_OK)
    rc = advance_sequence(s, &stmt_advance_changes, c->id);
  return rc;
}

static bool
read_change(const PGresult *res, int row, void *item)
{
  struct change *c = item;
  *c = (struct change){
    .id = pg_int(res, row, 0),
    .change_id = pg_int(res, row, 1),
    .at = pg_int(res, row, 8),
  };
  if (pg_text(res, row, 2, &c->entity) && pg_text(res, row, 3, &c->code) &&
      pg_text(res, row, 4, &c->field) &&
      pg_text(res, row, 5, &c->old_value) &&
      pg_text(res, row, 6, &c->new_value) && pg_text(res, row, 7, &c->actor))
    return true;
  change_free(c);
  return false;
}

/* Runs a change query and reads every row it returns into `out`. */
static enum store_rc
change_rows(struct store *s, const struct pg_stmt *st,
            const char *const *params, struct change_list *out)
{
  *out = (struct change_list){0};
  enum store_rc rc = pg_list_rows(s, st, params, (void **)&out->items,
                                  &out->count, sizeof *out->items,
                                  read_change);
  if (rc != STORE_OK)
    change_list_free(out);
  return rc;
}

enum store_rc
pg_change_list(struct store *s, const char *entity, const char *code,
               int64_t limit, struct change_list *out)
{
  char limit_text[24];
  const char *params[] = {entity, code,
                          limit > 0 ? pg_i64(limit_text, limit) : NULL};
  return change_rows(s, &stmt_change_list, params, out);
}

enum store_rc
pg_change_page(struct store *s, int64_t after, int64_t limit,
               struct change_list *out)
{
  char after_text[24], limit_text[24];
  const char *params[] = {pg_i64(after_text, after),
                          limit > 0 ? pg_i64(limit_text, limit) : NULL};
  return change_rows(s, &stmt_change_page, params, out);
}
