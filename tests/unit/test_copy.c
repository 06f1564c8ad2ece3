/* copy-store: the store operations it adds (change_page, session_page,
 * throttle_page, throttle_add, meta_list) and store_copy itself.
 *
 * Each test needs stores that start empty. SIMPUL_TEST_EMPTY_STORES may
 * name some, separated by spaces (e.g. new PostgreSQL databases), and each
 * is used once. When they run out, or the variable is unset, a new SQLite
 * file in a temporary folder is used. The source of a copy is always a new
 * SQLite file, so a run with PostgreSQL targets copies across backends. */
#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/copy.h"
#include "store/store.h"
#include "testlib.h"

static char temp_dir[256];
static int temp_files;
static char *empty_urls;       /* a copy of SIMPUL_TEST_EMPTY_STORES */
static char *empty_next;       /* strtok_r's position in empty_urls */
static bool empty_started;

static void
remove_temp_dir(void)
{
  free(empty_urls);
  DIR *d = opendir(temp_dir);
  struct dirent *e;
  char path[600];
  if (d == NULL)
    return;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", temp_dir, e->d_name);
    unlink(path);
  }
  closedir(d);
  rmdir(temp_dir);
}

/* Opens and migrates `url`; exits on failure, since no test can run. */
static struct store *
open_migrated(const char *url)
{
  char err[512];
  int version = 0;
  struct store *s = store_open(url, err, sizeof err);
  if (s == NULL) {
    printf("FAIL store_open: %s\n", err);
    exit(1);
  }
  if (s->ops->migrate(s, &version) != STORE_OK) {
    printf("FAIL store_migrate: %s\n", store_errmsg(s));
    exit(1);
  }
  return s;
}

static struct store *
new_sqlite_store(void)
{
  char url[512];
  snprintf(url, sizeof url, "%s/store-%d.db", temp_dir, ++temp_files);
  return open_migrated(url);
}

/* Opens the next empty store of SIMPUL_TEST_EMPTY_STORES, or a new SQLite
 * file when there is none left. */
static struct store *
new_empty_store(void)
{
  char *url = NULL;
  if (empty_urls != NULL) {
    url = strtok_r(empty_started ? NULL : empty_urls, " ", &empty_next);
    empty_started = true;
  }
  return url != NULL ? open_migrated(url) : new_sqlite_store();
}

/* ---- a store with a row in every table ---- */

#define FILL_APPS 23
#define FILL_CHANGES 41

static void
fill_catalog(struct store *s)
{
  struct agency parent = {.code = "INDUK", .name = "Induk", .kind = "dinas",
                          .created_at = 1700000000, .updated_at = 1700000001};
  struct agency child = {.code = "ANAK", .name = "Anak", .parent = "INDUK",
                         .created_at = 1700000002, .updated_at = 1700000003};
  CHECK_INT(s->ops->agency_put(s, &parent, NULL), STORE_OK);
  CHECK_INT(s->ops->agency_put(s, &child, NULL), STORE_OK);
  for (int i = 0; i < FILL_APPS; i++) {
    char code[32], merged[32];
    snprintf(code, sizeof code, "app-%02d", i);
    snprintf(merged, sizeof merged, "app-%02d", i - 1);
    struct app a = {
      .code = code, .name = "Aplikasi \"uji\"\nbaris dua", .kind = "webapp",
      .agency = i % 2 ? "ANAK" : "INDUK", .url = "https://uji.test/",
      .purpose = i % 3 ? NULL : "Layanan", .launched = "2015",
      .last_updated = i % 4 ? NULL : "2020",
      .status = i == FILL_APPS - 1 ? "merged" : "active",
      .merged_into = i == FILL_APPS - 1 ? merged : NULL,
      .created_at = 1700000100 + i, .updated_at = 1700000200 + i,
    };
    CHECK_INT(s->ops->app_put(s, &a, NULL), STORE_OK);
  }
  for (int i = 0; i < FILL_CHANGES; i++) {
    struct change c = {.change_id = 1 + i / 3, .entity = "app",
                       .code = "app-01", .field = "name",
                       .old_value = i % 5 ? "lama" : NULL,
                       .new_value = "baru", .actor = "uji",
                       .at = 1700000300 + i};
    CHECK_INT(s->ops->change_add(s, &c), STORE_OK);
  }
}

static void
fill_accounts(struct store *s)
{
  struct user u = {.name = "salin", .display_name = "Salin Uji",
                   .password_hash = "$argon2id$v=19$uji", .role = ROLE_STAFF,
                   .created_at = 1700000400, .last_login_at = 1700000500};
  struct user off = {.name = "mati", .password_hash = "$argon2id$x",
                     .role = ROLE_VIEWER, .disabled = true,
                     .created_at = 1700000401};
  CHECK_INT(s->ops->user_add(s, &u), STORE_OK);
  CHECK_INT(s->ops->user_add(s, &off), STORE_OK);
  for (int i = 0; i < 5; i++) {
    struct session ses = {.user_id = u.id, .created_at = 1700000600,
                          .expires_at = 1900000000 + i, .seen_at = 1700000700};
    snprintf(ses.id_hash, sizeof ses.id_hash, "%064x", 0xa0 + (4 - i));
    snprintf(ses.lang, sizeof ses.lang, "%s", i % 2 ? "en" : "id");
    CHECK_INT(s->ops->session_add(s, &ses), STORE_OK);
  }
  struct api_token t = {.name = "skrip", .user_id = u.id,
                        .created_at = 1700000800, .last_used_at = 1700000900,
                        .revoked_at = 1700001000};
  snprintf(t.hash, sizeof t.hash, "%064x", 0xbeef);
  snprintf(t.prefix, sizeof t.prefix, "sp_abcdef");
  CHECK_INT(s->ops->token_add(s, &t), STORE_OK);
  for (int i = 0; i < 9; i++) {
    int64_t n = 0;
    CHECK_INT(s->ops->throttle_fail(s, i % 2 ? "user:salin" : "addr:127.0.0.9",
                                    1700001100 + i, 0, &n), STORE_OK);
  }
  CHECK_INT(s->ops->meta_put(s, "sample_loaded", "1"), STORE_OK);
  CHECK_INT(s->ops->meta_put(s, "kosong", NULL), STORE_OK);
}

static void
fill_exams(struct store *s)
{
  for (int run = 0; run < 3; run++) {
    struct job j = {.kind = "examine", .params = "{\"apps\":[]}",
                    .state = run == 2 ? "running" : "done",
                    .created_by = "uji", .created_at = 1700002000 + run,
                    .scheduled_for = 1700002000 + run,
                    .started_at = 1700002010 + run,
                    .finished_at = run == 2 ? 0 : 1700002100 + run,
                    .lease_owner = run == 2 ? "node-a" : NULL,
                    .lease_expires_at = run == 2 ? 1700002200 : 0,
                    .progress_done = 4, .progress_total = 4};
    CHECK_INT(s->ops->job_add(s, &j), STORE_OK);
    for (int k = 0; k < 4; k++) {
      char code[32];
      snprintf(code, sizeof code, "app-%02d", k);
      struct exam_finding findings[] = {
        {.id = "hsts-missing", .severity = "medium", .evidence = "tanpa HSTS"},
        {.id = "exposed-git", .severity = "high", .evidence = NULL},
      };
      struct exam_result r = {
        .run_id = j.id, .app_code = code, .examined_at = 1700002050 + k,
        .outcome = k == 3 ? "unreachable" : "ok", .http_status = 200,
        .response_ms = 120 + k, .final_url = "https://uji.test/",
        .redirects = "[]", .https_available = 1, .https_redirect = k % 2,
        .tls_valid = 1, .tls_trusted = -1, .tls_issuer = "Uji CA",
        .tls_expires_at = 1800000000, .tls_protocol = "TLSv1.3",
        .grade = "B", .score = 70, .tests = "{}", .error = NULL,
        .findings = findings, .finding_count = (size_t)(k % 3),
      };
      CHECK_INT(s->ops->exam_result_put(s, &r), STORE_OK);
    }
  }
}

static struct store *
filled_source(void)
{
  struct store *s = new_sqlite_store();
  fill_catalog(s);
  fill_accounts(s);
  fill_exams(s);
  return s;
}

/* ---- the added store operations ---- */

TEST(change_page_in_id_order)
{
  struct store *s = new_empty_store();
  fill_catalog(s);
  struct change_list page = {0};
  int64_t after = 0, seen = 0, last = 0;
  bool ordered = true;
  for (int guard = 0; guard < 100; guard++) {
    CHECK_INT(s->ops->change_page(s, after, 10, &page), STORE_OK);
    if (page.count == 0)
      break;
    CHECK(page.count <= 10);
    for (size_t i = 0; i < page.count; i++) {
      ordered = ordered && page.items[i].id > last;
      last = page.items[i].id;
    }
    seen += (int64_t)page.count;
    after = page.items[page.count - 1].id;
    change_list_free(&page);
  }
  CHECK(ordered);
  CHECK_INT(seen, FILL_CHANGES);
  CHECK_INT(s->ops->change_page(s, 0, 0, &page), STORE_OK);
  CHECK_INT(page.count, FILL_CHANGES);
  CHECK_STR(page.items[0].old_value, NULL);
  CHECK_STR(page.items[1].old_value, "lama");
  CHECK_INT(page.items[FILL_CHANGES - 1].change_id, 1 + (FILL_CHANGES - 1) / 3);
  change_list_free(&page);
  store_close(s);
}

TEST(session_page_in_hash_order)
{
  struct store *s = new_empty_store();
  fill_accounts(s);
  struct session_list page = {0};
  CHECK_INT(s->ops->session_page(s, NULL, 2, &page), STORE_OK);
  CHECK_INT(page.count, 2);
  char after[65] = "";
  if (page.count == 2) {
    CHECK(strcmp(page.items[0].id_hash, page.items[1].id_hash) < 0);
    snprintf(after, sizeof after, "%s", page.items[1].id_hash);
  }
  session_list_free(&page);
  CHECK_INT(s->ops->session_page(s, after, 0, &page), STORE_OK);
  CHECK_INT(page.count, 3);
  if (page.count == 3) {
    CHECK(strcmp(page.items[0].id_hash, after) > 0);
    CHECK_INT(page.items[2].expires_at, 1900000000);
    CHECK_STR(page.items[2].lang, "id");
    CHECK_INT(page.items[2].seen_at, 1700000700);
  }
  session_list_free(&page);
  store_close(s);
}

TEST(throttle_page_and_add_keep_ids)
{
  struct store *from = new_sqlite_store(), *to = new_empty_store();
  fill_accounts(from);
  struct login_failure_list page = {0};
  CHECK_INT(from->ops->throttle_page(from, 0, 4, &page), STORE_OK);
  CHECK_INT(page.count, 4);
  int64_t after = page.count ? page.items[page.count - 1].id : 0;
  login_failure_list_free(&page);
  CHECK_INT(from->ops->throttle_page(from, after, 0, &page), STORE_OK);
  CHECK_INT(page.count, 5);
  for (size_t i = 0; i < page.count; i++)
    CHECK_INT(to->ops->throttle_add(to, &page.items[i]), STORE_OK);
  int64_t last = page.count ? page.items[page.count - 1].id : 0;
  CHECK_STR(page.count ? page.items[0].key : NULL, "addr:127.0.0.9");
  login_failure_list_free(&page);

  CHECK_INT(to->ops->throttle_page(to, 0, 0, &page), STORE_OK);
  CHECK_INT(page.count, 5);
  CHECK_INT(page.count ? page.items[page.count - 1].id : 0, last);
  login_failure_list_free(&page);

  /* A new failure gets an id past the copied ones. */
  struct login_failure fresh = {.key = "user:baru", .at = 1700009999};
  CHECK_INT(to->ops->throttle_add(to, &fresh), STORE_OK);
  CHECK_INT(to->ops->throttle_page(to, last, 0, &page), STORE_OK);
  CHECK_INT(page.count, 1);
  CHECK_STR(page.count ? page.items[0].key : NULL, "user:baru");
  login_failure_list_free(&page);
  int64_t n = 0;
  CHECK_INT(to->ops->throttle_count(to, "user:baru", 0, &n), STORE_OK);
  CHECK_INT(n, 1);
  store_close(from);
  store_close(to);
}

TEST(meta_list_sorted_with_null)
{
  struct store *s = new_empty_store();
  struct meta_list l = {0};
  CHECK_INT(s->ops->meta_list(s, &l), STORE_OK);
  CHECK_INT(l.count, 0);
  meta_list_free(&l);
  fill_accounts(s);
  CHECK_INT(s->ops->meta_put(s, "Z-besar", "z"), STORE_OK);
  CHECK_INT(s->ops->meta_list(s, &l), STORE_OK);
  CHECK_INT(l.count, 3);
  if (l.count == 3) {
    CHECK_STR(l.items[0].key, "Z-besar");   /* bytewise: 'Z' < 'k' */
    CHECK_STR(l.items[1].key, "kosong");
    CHECK_STR(l.items[1].value, NULL);
    CHECK_STR(l.items[2].key, "sample_loaded");
    CHECK_STR(l.items[2].value, "1");
  }
  meta_list_free(&l);
  store_close(s);
}

/* ---- store_copy ---- */

static const char *const all_tables[] = {
  "agencies", "apps", "changes", "users", "sessions", "api_tokens",
  "login_failures", "meta", "jobs", "exam_results", "exam_findings",
};
#define ALL_TABLES (sizeof all_tables / sizeof all_tables[0])

static const struct store_copy_table *
report_table(const struct store_copy_report *r, const char *name)
{
  for (size_t i = 0; i < r->count; i++)
    if (strcmp(r->tables[i].name, name) == 0)
      return &r->tables[i];
  return NULL;
}

static int64_t
rows_of(struct store *s, const char *table)
{
  struct table_digest d = {0};
  if (s->ops->table_digest(s, table, &d) != STORE_OK)
    return -1;
  return d.rows;
}

TEST(copy_round_trip_equal_digests)
{
  struct store *source = filled_source();
  struct store *middle = new_empty_store();
  struct store *back = new_sqlite_store();
  struct store_copy_report r1, r2;

  CHECK_INT(store_copy(source, middle, NULL, &r1), SP_OK);
  CHECK_STR(r1.detail, "");
  CHECK_INT(r1.count, ALL_TABLES + 1);
  int64_t total = 0;
  for (size_t i = 0; i < ALL_TABLES; i++) {
    const struct store_copy_table *t = report_table(&r1, all_tables[i]);
    CHECK(t != NULL);
    if (t == NULL)
      continue;
    CHECK(t->match);
    CHECK(t->checksum_compared);
    CHECK(t->source.rows > 0);
    CHECK_INT(t->target.rows, t->source.rows);
    CHECK_STR(t->target.sha256, t->source.sha256);
    if (strcmp(t->name, "exam_findings") != 0)
      total += t->source.rows;
  }
  CHECK_INT(r1.rows_copied, total);
  const struct store_copy_table *versions =
    report_table(&r1, "schema_migrations");
  CHECK(versions != NULL);
  if (versions != NULL) {
    CHECK(!versions->checksum_compared);
    CHECK(versions->match);
  }

  CHECK_INT(store_copy(middle, back, NULL, &r2), SP_OK);
  for (size_t i = 0; i < ALL_TABLES; i++) {
    const struct store_copy_table *a = report_table(&r1, all_tables[i]);
    const struct store_copy_table *b = report_table(&r2, all_tables[i]);
    CHECK(a != NULL);
    CHECK(b != NULL);
    if (a != NULL && b != NULL)
      CHECK_STR(b->target.sha256, a->source.sha256);
  }
  store_close(source);
  store_close(middle);
  store_close(back);
}

TEST(copy_sequences_move_past_ids)
{
  struct store *source = filled_source(), *target = new_empty_store();
  struct store_copy_report r;
  CHECK_INT(store_copy(source, target, NULL, &r), SP_OK);

  struct user u = {.name = "baru", .password_hash = "$argon2id$y",
                   .role = ROLE_VIEWER};
  CHECK_INT(target->ops->user_add(target, &u), STORE_OK);
  CHECK(u.id > 2);
  struct app a = {.code = "app-baru", .name = "Baru", .kind = "website",
                  .agency = "INDUK", .status = "active"};
  CHECK_INT(target->ops->app_put(target, &a, NULL), STORE_OK);
  struct app got = {0};
  CHECK_INT(target->ops->app_get(target, "app-baru", &got), STORE_OK);
  CHECK(got.id > FILL_APPS);
  app_free(&got);
  int64_t change_id = 0;
  CHECK_INT(target->ops->change_next_id(target, &change_id), STORE_OK);
  CHECK(change_id > 1 + (FILL_CHANGES - 1) / 3);
  struct job j = {.kind = "examine", .params = "{}", .created_by = "uji"};
  CHECK_INT(target->ops->job_add(target, &j), STORE_OK);
  CHECK(j.id > 3);
  store_close(source);
  store_close(target);
}

struct progress_log {
  int calls_changes;
  int64_t last_done_changes;
  int64_t total_changes;
  int calls_apps;
};

static void
log_progress(const char *table, int64_t done, int64_t total, void *arg)
{
  struct progress_log *p = arg;
  if (strcmp(table, "changes") == 0) {
    p->calls_changes++;
    p->last_done_changes = done;
    p->total_changes = total;
  } else if (strcmp(table, "apps") == 0) {
    p->calls_apps++;
  }
}

TEST(copy_batches_report_progress)
{
  struct store *source = filled_source(), *target = new_empty_store();
  struct progress_log p = {0};
  struct store_copy_options opt = {.batch_rows = 10, .progress = log_progress,
                                   .progress_arg = &p};
  struct store_copy_report r;
  CHECK_INT(store_copy(source, target, &opt, &r), SP_OK);
  /* One call before the first batch, then one per batch: 41 changes in
   * batches of 10 are 5 batches, 23 apps are 3. */
  CHECK_INT(p.calls_changes, 1 + 5);
  CHECK_INT(p.last_done_changes, FILL_CHANGES);
  CHECK_INT(p.total_changes, FILL_CHANGES);
  CHECK_INT(p.calls_apps, 1 + 3);
  CHECK_INT(rows_of(target, "changes"), FILL_CHANGES);
  store_close(source);
  store_close(target);
}

TEST(copy_refuses_nonempty_target)
{
  struct store *source = filled_source(), *target = new_empty_store();
  struct store_copy_report r;
  CHECK_INT(target->ops->meta_put(target, "sudah", "ada"), STORE_OK);
  CHECK_INT(store_copy(source, target, NULL, &r), SP_ERR_STORE_NOT_EMPTY);
  CHECK(strstr(r.detail, "meta") != NULL);
  CHECK_INT(r.count, 0);
  CHECK_INT(rows_of(target, "meta"), 1);
  CHECK_INT(rows_of(target, "agencies"), 0);
  store_close(source);
  store_close(target);
}

/* A store whose operations are the wrapped store's, except the ones a
 * test replaces to fail or to change what is written. The backend
 * functions get the wrapper as their store, so they use its ops (for
 * nested calls) and its errmsg, and the wrapped store's connection. */
struct wrapped {
  struct store store;
  struct store_ops ops;
  const struct store_ops *inner;
  int calls;
  int fail_at;
};

static struct wrapped *
wrapped_of(struct store *s)
{
  return (struct wrapped *)s;
}

static void
wrap(struct wrapped *w, struct store *inner)
{
  *w = (struct wrapped){.ops = *inner->ops, .inner = inner->ops};
  w->store.ops = &w->ops;
  w->store.impl = inner->impl;
}

static enum store_rc
change_add_failing(struct store *s, const struct change *c)
{
  struct wrapped *w = wrapped_of(s);
  if (++w->calls == w->fail_at) {
    snprintf(s->errmsg, sizeof s->errmsg, "injected failure");
    return STORE_ERROR;
  }
  return w->inner->change_add(s, c);
}

TEST(copy_failure_leaves_target_empty)
{
  struct store *source = filled_source(), *target = new_empty_store();
  struct wrapped w;
  struct store_copy_report r;
  wrap(&w, target);
  w.fail_at = 30;
  w.ops.change_add = change_add_failing;
  CHECK_INT(store_copy(source, &w.store, NULL, &r), SP_ERR_STORE);
  CHECK(strstr(r.detail, "writing changes to the target failed: injected "
                         "failure") != NULL);
  for (size_t i = 0; i < ALL_TABLES; i++)
    CHECK_INT(rows_of(target, all_tables[i]), 0);
  /* The source is readable and writable again after the copy. */
  CHECK_INT(source->ops->meta_put(source, "setelah", "ya"), STORE_OK);
  store_close(source);
  store_close(target);
}

static enum store_rc
app_put_altering(struct store *s, const struct app *a, bool *inserted)
{
  struct wrapped *w = wrapped_of(s);
  struct app changed = *a;
  if (strcmp(a->code, "app-05") == 0)
    changed.name = "diubah di jalan";
  return w->inner->app_put(s, &changed, inserted);
}

TEST(copy_detects_changed_rows)
{
  struct store *source = filled_source(), *target = new_empty_store();
  struct wrapped w;
  struct store_copy_report r;
  wrap(&w, target);
  w.ops.app_put = app_put_altering;
  CHECK_INT(store_copy(source, &w.store, NULL, &r), SP_ERR_COPY_MISMATCH);
  CHECK(strstr(r.detail, "table apps differs") != NULL);
  const struct store_copy_table *apps = report_table(&r, "apps");
  const struct store_copy_table *agencies = report_table(&r, "agencies");
  CHECK(apps != NULL);
  CHECK(agencies != NULL);
  if (apps != NULL) {
    CHECK(!apps->match);
    CHECK_INT(apps->target.rows, apps->source.rows);
  }
  if (agencies != NULL)
    CHECK(agencies->match);
  store_close(source);
  store_close(target);
}

int
main(void)
{
  const char *urls = getenv("SIMPUL_TEST_EMPTY_STORES");
  snprintf(temp_dir, sizeof temp_dir, "/tmp/simpul-test-copy.XXXXXX");
  if (mkdtemp(temp_dir) == NULL) {
    printf("FAIL setup: cannot create a temporary folder\n");
    return 1;
  }
  atexit(remove_temp_dir);
  if (urls != NULL && urls[0] != '\0')
    empty_urls = strdup(urls);

  RUN(change_page_in_id_order);
  RUN(session_page_in_hash_order);
  RUN(throttle_page_and_add_keep_ids);
  RUN(meta_list_sorted_with_null);
  RUN(copy_round_trip_equal_digests);
  RUN(copy_sequences_move_past_ids);
  RUN(copy_batches_report_progress);
  RUN(copy_refuses_nonempty_target);
  RUN(copy_failure_leaves_target_empty);
  RUN(copy_detects_changed_rows);
  return TEST_EXIT();
}
