/* The SQLite schema: versioned migrations compiled into the binary, and
 * table digests for copy-store verification. The PostgreSQL backend keeps
 * the same tables and columns in its own dialect. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "store/sqlite/sqlite_internal.h"

struct migration {
  int version;
  const char *sql;  /* several statements; constant, without parameters */
};

/* Tables are STRICT (SQLite 3.37 or later), so a column holds only its
 * declared type. Never edit an applied migration: add a new one. */
static const struct migration migrations[] = {
  {1,
   "CREATE TABLE agencies ("
   "  id INTEGER PRIMARY KEY,"
   "  code TEXT NOT NULL UNIQUE,"
   "  name TEXT NOT NULL,"
   "  kind TEXT,"
   "  parent TEXT REFERENCES agencies(code) DEFERRABLE INITIALLY DEFERRED,"
   "  created_at INTEGER NOT NULL,"
   "  updated_at INTEGER NOT NULL"
   ") STRICT;"
   "CREATE TABLE apps ("
   "  id INTEGER PRIMARY KEY,"
   "  code TEXT NOT NULL UNIQUE,"
   "  name TEXT NOT NULL,"
   "  kind TEXT NOT NULL,"
   "  agency TEXT NOT NULL REFERENCES agencies(code),"
   "  url TEXT,"
   "  android_package TEXT,"
   "  store_url TEXT,"
   "  purpose TEXT,"
   "  audience TEXT,"
   "  developer TEXT,"
   "  hosting TEXT,"
   "  launched INTEGER,"
   "  last_updated INTEGER,"
   "  status TEXT NOT NULL DEFAULT 'active',"
   "  merged_into TEXT REFERENCES apps(code) DEFERRABLE INITIALLY DEFERRED,"
   "  created_at INTEGER NOT NULL,"
   "  updated_at INTEGER NOT NULL"
   ") STRICT;"
   "CREATE INDEX apps_agency ON apps(agency);"
   "CREATE INDEX apps_kind ON apps(kind);"
   "CREATE INDEX apps_status ON apps(status);"
   "CREATE INDEX apps_merged_into ON apps(merged_into);"
   "CREATE INDEX agencies_parent ON agencies(parent);"
   "CREATE TABLE changes ("
   "  id INTEGER PRIMARY KEY,"
   "  change_id INTEGER NOT NULL,"
   "  entity TEXT NOT NULL,"
   "  code TEXT NOT NULL,"
   "  field TEXT NOT NULL,"
   "  old_value TEXT,"
   "  new_value TEXT,"
   "  actor TEXT NOT NULL,"
   "  at INTEGER NOT NULL"
   ") STRICT;"
   "CREATE INDEX changes_record ON changes(entity, code, id);"
   /* The last change_id handed out; one row. */
   "CREATE TABLE change_seq (id INTEGER NOT NULL) STRICT;"
   "INSERT INTO change_seq (id) VALUES (0);"
   "CREATE TABLE users ("
   "  id INTEGER PRIMARY KEY,"
   "  name TEXT NOT NULL UNIQUE,"
   "  display_name TEXT,"
   "  password_hash TEXT NOT NULL,"
   "  role TEXT NOT NULL CHECK (role IN ('viewer', 'staff', 'admin')),"
   "  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
   "  created_at INTEGER NOT NULL,"
   "  last_login_at INTEGER"
   ") STRICT;"
   "CREATE TABLE sessions ("
   "  id_hash TEXT PRIMARY KEY,"
   "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
   "  lang TEXT NOT NULL,"
   "  created_at INTEGER NOT NULL,"
   "  expires_at INTEGER NOT NULL,"
   "  seen_at INTEGER NOT NULL"
   ") STRICT;"
   "CREATE INDEX sessions_expires_at ON sessions(expires_at);"
   "CREATE INDEX sessions_user_id ON sessions(user_id);"
   "CREATE TABLE api_tokens ("
   "  id INTEGER PRIMARY KEY,"
   "  name TEXT NOT NULL,"
   "  hash TEXT NOT NULL UNIQUE,"
   "  prefix TEXT,"
   "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
   "  created_at INTEGER NOT NULL,"
   "  last_used_at INTEGER,"
   "  revoked_at INTEGER"
   ") STRICT;"
   "CREATE INDEX api_tokens_user_id ON api_tokens(user_id);"
   "CREATE TABLE login_failures ("
   "  id INTEGER PRIMARY KEY,"
   "  key TEXT NOT NULL,"
   "  at INTEGER NOT NULL"
   ") STRICT;"
   "CREATE INDEX login_failures_key_at ON login_failures(key, at);"
   "CREATE TABLE meta ("
   "  key TEXT PRIMARY KEY,"
   "  value TEXT"
   ") STRICT;"},
  /* Jobs and examination results. exam_results keeps the app code without
   * a foreign key to apps, so results outlive a renamed or removed app. */
  {2,
   "CREATE TABLE jobs ("
   "  id INTEGER PRIMARY KEY,"
   "  kind TEXT NOT NULL,"
   "  params TEXT NOT NULL,"
   "  state TEXT NOT NULL"
   "    CHECK (state IN ('queued', 'running', 'done', 'failed')),"
   "  dedupe_key TEXT UNIQUE,"
   "  created_by TEXT NOT NULL,"
   "  lease_owner TEXT,"
   "  lease_expires_at INTEGER,"
   "  scheduled_for INTEGER NOT NULL,"
   "  created_at INTEGER NOT NULL,"
   "  started_at INTEGER,"
   "  finished_at INTEGER,"
   "  progress_done INTEGER NOT NULL DEFAULT 0,"
   "  progress_total INTEGER NOT NULL DEFAULT 0,"
   "  error TEXT"
   ") STRICT;"
   "CREATE INDEX jobs_due ON jobs(state, kind, scheduled_for);"
   "CREATE TABLE exam_results ("
   "  run_id INTEGER NOT NULL REFERENCES jobs(id),"
   "  app_code TEXT NOT NULL,"
   "  examined_at INTEGER NOT NULL,"
   "  outcome TEXT NOT NULL,"
   "  http_status INTEGER,"
   "  response_ms INTEGER,"
   "  final_url TEXT,"
   "  redirects TEXT,"
   "  https_available INTEGER CHECK (https_available IN (0, 1)),"
   "  https_redirect INTEGER CHECK (https_redirect IN (0, 1)),"
   "  tls_valid INTEGER CHECK (tls_valid IN (0, 1)),"
   "  tls_trusted INTEGER CHECK (tls_trusted IN (0, 1)),"
   "  tls_issuer TEXT,"
   "  tls_expires_at INTEGER,"
   "  tls_protocol TEXT,"
   "  grade TEXT,"
   "  score INTEGER,"
   "  tests TEXT,"
   "  error TEXT,"
   "  PRIMARY KEY (run_id, app_code)"
   ") STRICT;"
   "CREATE INDEX exam_results_app ON exam_results(app_code, examined_at);"
   "CREATE TABLE exam_findings ("
   "  run_id INTEGER NOT NULL,"
   "  app_code TEXT NOT NULL,"
   "  seq INTEGER NOT NULL,"
   "  finding_id TEXT NOT NULL,"
   "  severity TEXT NOT NULL,"
   "  evidence TEXT,"
   "  PRIMARY KEY (run_id, app_code, seq),"
   "  FOREIGN KEY (run_id, app_code)"
   "    REFERENCES exam_results(run_id, app_code) ON DELETE CASCADE"
   ") STRICT;"},
  /* One index per app-list sort key, each ending in code, the tie-break,
   * so that a page is read in index order, forwards or backwards, instead
   * of sorting every matching app. Names sort by lower(name), which folds
   * ASCII letters only. The (agency, code), (kind, code) and (status, code)
   * indexes also serve the filters and the foreign-key checks that the
   * single-column indexes of version 1 served, so those are dropped. */
  {3,
   "CREATE INDEX apps_name_order ON apps(lower(name), code);"
   "CREATE INDEX apps_agency_order ON apps(agency, code);"
   "CREATE INDEX apps_kind_order ON apps(kind, code);"
   "CREATE INDEX apps_status_order ON apps(status, code);"
   "CREATE INDEX apps_updated_order ON apps(updated_at, code);"
   "DROP INDEX apps_agency;"
   "DROP INDEX apps_kind;"
   "DROP INDEX apps_status;"},
};

#define MIGRATION_COUNT (sizeof migrations / sizeof migrations[0])

static int
latest_version(void)
{
  return migrations[MIGRATION_COUNT - 1].version;
}

/* Reads the applied version; 0 when no migration table exists yet. */
static enum store_rc
applied_version(struct store *s, int *version)
{
  int64_t exists = 0, v = 0;
  sqlite3_stmt *st = sq_stmt(s, "SELECT count(*) FROM sqlite_schema "
                                "WHERE type = 'table' "
                                "AND name = 'schema_migrations'");
  if (st == NULL)
    return STORE_ERROR;
  enum store_rc rc = sq_exec_int(s, st, "schema_version", &exists);
  if (rc != STORE_OK)
    return rc;
  *version = 0;
  if (exists == 0)
    return STORE_OK;
  st = sq_stmt(s, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  if (st == NULL)
    return STORE_ERROR;
  rc = sq_exec_int(s, st, "schema_version", &v);
  *version = (int)v;
  return rc;
}

enum store_rc
sq_schema_version(struct store *s, int *current, int *latest)
{
  *latest = latest_version();
  return applied_version(s, current);
}

/* Applies migration `m` inside the caller's transaction. */
static enum store_rc
apply_migration(struct store *s, const struct migration *m)
{
  char *message = NULL;
  int rc = sqlite3_exec(sq_db(s), m->sql, NULL, NULL, &message);
  if (rc != SQLITE_OK) {
    enum store_rc out = sq_fail(s, rc, "migrate");
    snprintf(s->errmsg, sizeof s->errmsg, "sqlite migration %d failed: %s",
             m->version, message ? message : sqlite3_errstr(rc));
    sqlite3_free(message);
    return out;
  }
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO schema_migrations "
                                "(version, applied_at) VALUES (?1, ?2)");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int(st, 1, m->version);
  sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
  return sq_exec(s, st, "record migration");
}

/* Runs one pending migration in its own transaction. The version is read
 * again under the write lock, so two processes migrating at once apply
 * each migration once. Sets `*applied` when it applied `m`. */
static enum store_rc
migrate_one(struct store *s, const struct migration *m, bool *applied)
{
  int current = 0;
  *applied = false;
  enum store_rc rc = s->ops->begin(s, true);
  if (rc != STORE_OK)
    return rc;
  rc = applied_version(s, &current);
  if (rc == STORE_OK && current < m->version) {
    rc = apply_migration(s, m);
    *applied = rc == STORE_OK;
  }
  if (rc == STORE_OK)
    rc = s->ops->commit(s);
  if (rc != STORE_OK) {
    char first[sizeof s->errmsg];
    memcpy(first, s->errmsg, sizeof first);
    s->ops->rollback(s);
    memcpy(s->errmsg, first, sizeof first);
    *applied = false;
  }
  return rc;
}

static enum store_rc
create_migration_table(struct store *s)
{
  sqlite3_stmt *st = sq_stmt(s, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                "  version INTEGER PRIMARY KEY,"
                                "  applied_at INTEGER NOT NULL"
                                ") STRICT");
  if (st == NULL)
    return STORE_ERROR;
  return sq_exec(s, st, "create schema_migrations");
}

enum store_rc
sq_migrate(struct store *s, int *version)
{
  int current = 0;
  enum store_rc rc = create_migration_table(s);
  if (rc != STORE_OK)
    return rc;
  rc = applied_version(s, &current);
  if (rc != STORE_OK)
    return rc;
  if (current > latest_version()) {
    *version = current;
    snprintf(s->errmsg, sizeof s->errmsg,
             "the schema is at version %d, newer than this simpul's %d",
             current, latest_version());
    return STORE_ERROR;
  }
  for (size_t i = 0; i < MIGRATION_COUNT; i++) {
    bool applied = false;
    if (migrations[i].version <= current)
      continue;
    rc = migrate_one(s, &migrations[i], &applied);
    if (rc != STORE_OK)
      return rc;
    if (applied) {
      char text[16];
      snprintf(text, sizeof text, "%d", migrations[i].version);
      log_event(LOG_INFO, "store.migrated", "backend", "sqlite", "version",
                text, NULL);
    }
  }
  *version = latest_version();
  return STORE_OK;
}

/* The tables a digest covers: every column in the order of the logical
 * schema, rows in primary-key order, so that both backends digest equal
 * data to equal sums. Text keys sort bytewise (SQLite's BINARY collation). */
static const struct {
  const char *table;
  const char *sql;
} digest_tables[] = {
  {"schema_migrations",
   "SELECT version, applied_at FROM schema_migrations ORDER BY version"},
  {"agencies",
   "SELECT id, code, name, kind, parent, created_at, updated_at "
   "FROM agencies ORDER BY id"},
  {"apps",
   "SELECT id, code, name, kind, agency, url, android_package, store_url, "
   "purpose, audience, developer, hosting, launched, last_updated, status, "
   "merged_into, created_at, updated_at FROM apps ORDER BY id"},
  {"changes",
   "SELECT id, change_id, entity, code, field, old_value, new_value, actor, "
   "at FROM changes ORDER BY id"},
  {"users",
   "SELECT id, name, display_name, password_hash, role, disabled, "
   "created_at, last_login_at FROM users ORDER BY id"},
  {"sessions",
   "SELECT id_hash, user_id, lang, created_at, expires_at, seen_at "
   "FROM sessions ORDER BY id_hash"},
  {"api_tokens",
   "SELECT id, name, hash, prefix, user_id, created_at, last_used_at, "
   "revoked_at FROM api_tokens ORDER BY id"},
  {"login_failures",
   "SELECT id, key, at FROM login_failures ORDER BY id"},
  {"meta", "SELECT key, value FROM meta ORDER BY key"},
  {"jobs",
   "SELECT id, kind, params, state, dedupe_key, created_by, lease_owner, "
   "lease_expires_at, scheduled_for, created_at, started_at, finished_at, "
   "progress_done, progress_total, error FROM jobs ORDER BY id"},
  {"exam_results",
   "SELECT run_id, app_code, examined_at, outcome, http_status, "
   "response_ms, final_url, redirects, https_available, https_redirect, "
   "tls_valid, tls_trusted, tls_issuer, tls_expires_at, tls_protocol, "
   "grade, score, tests, error FROM exam_results "
   "ORDER BY run_id, app_code"},
  {"exam_findings",
   "SELECT run_id, app_code, seq, finding_id, severity, evidence "
   "FROM exam_findings ORDER BY run_id, app_code, seq"},
};

/* Feeds the current row to `md`: each value as text (NULL as the two
 * bytes \N), values separated by 0x1f, the row ended by 0x1e. */
static bool
digest_row(EVP_MD_CTX *md, sqlite3_stmt *st)
{
  int columns = sqlite3_column_count(st);
  for (int i = 0; i < columns; i++) {
    if (i > 0 && !EVP_DigestUpdate(md, "\x1f", 1))
      return false;
    if (sqlite3_column_type(st, i) == SQLITE_NULL) {
      if (!EVP_DigestUpdate(md, "\\N", 2))
        return false;
      continue;
    }
    const unsigned char *text = sqlite3_column_text(st, i);
    int len = sqlite3_column_bytes(st, i);
    if (text == NULL || !EVP_DigestUpdate(md, text, (size_t)len))
      return false;
  }
  return EVP_DigestUpdate(md, "\x1e", 1);
}

/* Steps through `st`, digesting each row into `out`. */
static enum store_rc
digest_rows(struct store *s, sqlite3_stmt *st, EVP_MD_CTX *md,
            struct table_digest *out)
{
  unsigned char sum[EVP_MAX_MD_SIZE];
  unsigned int sum_len = 0;
  int rc;

  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (!digest_row(md, st))
      return sq_error(s, "digest of %s failed (memory)", out->table);
    out->rows++;
  }
  if (rc != SQLITE_DONE)
    return sq_fail(s, rc, "table_digest");
  if (!EVP_DigestFinal_ex(md, sum, &sum_len) || sum_len != 32)
    return sq_error(s, "digest of %s failed", out->table);
  for (unsigned i = 0; i < sum_len; i++)
    snprintf(out->sha256 + 2 * i, 3, "%02x", sum[i]);
  return STORE_OK;
}

enum store_rc
sq_table_digest(struct store *s, const char *table,
                struct table_digest *out)
{
  const char *sql = NULL;
  for (size_t i = 0; i < sizeof digest_tables / sizeof digest_tables[0]; i++)
    if (strcmp(digest_tables[i].table, table) == 0)
      sql = digest_tables[i].sql;
  if (sql == NULL)
    return sq_error(s, "table_digest: unknown table '%.40s'", table);

  *out = (struct table_digest){0};
  snprintf(out->table, sizeof out->table, "%s", table);
  sqlite3_stmt *st = sq_stmt(s, sql);
  if (st == NULL)
    return STORE_ERROR;
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  enum store_rc rc;
  if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha256(), NULL))
    rc = sq_error(s, "table_digest: SHA-256 is unavailable");
  else
    rc = digest_rows(s, st, md, out);
  EVP_MD_CTX_free(md);
  sq_done(st);
  return rc;
}
