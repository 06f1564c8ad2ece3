/* The store, through its interface only (no SQL), so the same program runs
 * against every backend: the store named by SIMPUL_TEST_STORE (e.g. a
 * postgresql:// URL), or a fresh temporary SQLite file when it is unset.
 *
 * The digest test needs two empty stores: SIMPUL_TEST_FRESH_STORE names an
 * empty one (e.g. a second PostgreSQL database) that is compared with a
 * fresh SQLite file; when unset, two fresh SQLite files are compared.
 *
 * Every test uses codes and names with this run's suffix, so tests do not
 * depend on each other's rows or on their order. */
#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "testlib.h"

static struct store *store;
static char store_url[1024];
static char temp_dir[256];
static int temp_files;
static char run_suffix[32];

/* Returns "<base>-<run suffix>" in one of 16 rotating buffers: a result
 * stays valid until 16 more calls. */
static const char *
code(const char *base)
{
  static char names[16][96];
  static int next;
  char *out = names[next++ % 16];
  snprintf(out, sizeof names[0], "%s-%s", base, run_suffix);
  return out;
}

/* Returns the URL of a new SQLite file in this run's temporary folder. */
static const char *
new_sqlite_url(void)
{
  static char url[512];
  snprintf(url, sizeof url, "%s/store-%d.db", temp_dir, ++temp_files);
  return url;
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

static void
remove_temp_dir(void)
{
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

static struct agency
make_agency(const char *agency_code, const char *parent)
{
  return (struct agency){
    .code = (char *)agency_code,
    .name = "Dinas Uji",
    .kind = "dinas",
    .parent = (char *)parent,
    .created_at = 1700000000,
    .updated_at = 1700000000,
  };
}

/* An app with every field set; the caller overrides what it tests. */
static struct app
make_app(const char *app_code, const char *agency_code)
{
  return (struct app){
    .code = (char *)app_code,
    .name = "Aplikasi Uji",
    .kind = "webapp",
    .agency = (char *)agency_code,
    .url = "https://uji.metrokota.test/",
    .android_package = "id.go.metrokota.uji",
    .store_url = "https://play.google.com/store/apps/details?id=x",
    .purpose = "Layanan uji",
    .audience = "publik",
    .developer = "vendor",
    .hosting = "pusat-data",
    .launched = "2013",
    .last_updated = "2021",
    .status = "active",
    .merged_into = NULL,
    .created_at = 1700000000,
    .updated_at = 1700000100,
  };
}

static void
put_agency(const char *agency_code)
{
  struct agency a = make_agency(agency_code, NULL);
  CHECK_INT(store->ops->agency_put(store, &a, NULL), STORE_OK);
}

TEST(migrate_twice_is_noop)
{
  int version = -1, current = -1, latest = -1;
  CHECK_INT(store->ops->migrate(store, &version), STORE_OK);
  CHECK_INT(store->ops->schema_version(store, &current, &latest), STORE_OK);
  CHECK(latest >= 1);
  CHECK_INT(current, latest);
  CHECK_INT(version, latest);
  CHECK_INT(store->ops->migrate(store, &version), STORE_OK);
  CHECK_INT(version, latest);
  CHECK_INT(store->ops->ping(store), STORE_OK);
}

TEST(agency_put_get_update)
{
  const char *parent = code("INDUK"), *child = code("ANAK");
  struct agency a = make_agency(parent, NULL), got = {0};
  bool inserted = false;

  CHECK_INT(store->ops->agency_put(store, &a, &inserted), STORE_OK);
  CHECK(inserted);
  a = make_agency(child, parent);
  CHECK_INT(store->ops->agency_put(store, &a, &inserted), STORE_OK);
  CHECK(inserted);

  CHECK_INT(store->ops->agency_get(store, child, &got), STORE_OK);
  CHECK(got.id > 0);
  CHECK_STR(got.code, child);
  CHECK_STR(got.name, "Dinas Uji");
  CHECK_STR(got.kind, "dinas");
  CHECK_STR(got.parent, parent);
  CHECK_INT(got.created_at, 1700000000);
  int64_t id = got.id;
  agency_free(&got);

  a.name = "Dinas Uji Baru";
  a.kind = NULL;
  a.parent = NULL;
  a.created_at = 1800000000;  /* ignored on update */
  a.updated_at = 1700000500;
  CHECK_INT(store->ops->agency_put(store, &a, &inserted), STORE_OK);
  CHECK(!inserted);
  CHECK_INT(store->ops->agency_get(store, child, &got), STORE_OK);
  CHECK_INT(got.id, id);
  CHECK_STR(got.name, "Dinas Uji Baru");
  CHECK_STR(got.kind, NULL);
  CHECK_STR(got.parent, NULL);
  CHECK_INT(got.created_at, 1700000000);
  CHECK_INT(got.updated_at, 1700000500);
  agency_free(&got);

  CHECK_INT(store->ops->agency_get(store, code("TIDAK-ADA"), &got),
            STORE_NOT_FOUND);
}

TEST(agency_list_filters_and_pages)
{
  const char *parent = code("LIST-INDUK");
  struct agency_list list = {0};
  char name[64];

  put_agency(parent);
  for (int i = 0; i < 5; i++) {
    snprintf(name, sizeof name, "LIST-%d", i);
    struct agency a = make_agency(code(name), parent);
    a.kind = i % 2 ? "badan" : "dinas";
    CHECK_INT(store->ops->agency_put(store, &a, NULL), STORE_OK);
  }
  struct agency_filter f = {.parent = parent};
  CHECK_INT(store->ops->agency_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 5);
  CHECK_INT(list.count, 5);
  if (list.count == 5)
    CHECK_STR(list.items[0].code, code("LIST-0"));
  agency_list_free(&list);

  f = (struct agency_filter){.parent = parent, .kind = "badan"};
  CHECK_INT(store->ops->agency_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 2);
  agency_list_free(&list);

  f = (struct agency_filter){.parent = parent, .limit = 2, .offset = 3};
  CHECK_INT(store->ops->agency_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 5);
  CHECK_INT(list.count, 2);
  if (list.count == 2)
    CHECK_STR(list.items[1].code, code("LIST-4"));
  agency_list_free(&list);

  f = (struct agency_filter){.query = code("list-3")};
  CHECK_INT(store->ops->agency_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 1);
  agency_list_free(&list);
}

TEST(agency_unknown_parent_conflicts)
{
  struct agency a = make_agency(code("YATIM"), code("TIDAK-ADA"));
  struct agency got = {0};
  CHECK_INT(store->ops->agency_put(store, &a, NULL), STORE_CONFLICT);
  CHECK_INT(store->ops->agency_get(store, a.code, &got), STORE_NOT_FOUND);
}

static enum store_rc
put_child_then_parent(struct store *s, void *arg)
{
  const char **codes = arg;
  struct agency child = make_agency(codes[0], codes[1]);
  struct agency parent = make_agency(codes[1], NULL);
  enum store_rc rc = s->ops->agency_put(s, &child, NULL);
  if (rc == STORE_OK && codes[2] != NULL)
    rc = s->ops->agency_put(s, &parent, NULL);
  return rc;
}

TEST(agency_parent_checked_at_commit)
{
  const char *ok_codes[] = {code("TX-ANAK"), code("TX-INDUK"), "both"};
  const char *bad_codes[] = {code("TX-ANAK2"), code("TX-HILANG"), NULL};
  struct agency got = {0};

  /* The parent may come later in the same transaction. */
  CHECK_INT(store_tx(store, false, put_child_then_parent, ok_codes),
            STORE_OK);
  CHECK_INT(store->ops->agency_get(store, ok_codes[0], &got), STORE_OK);
  agency_free(&got);

  CHECK_INT(store_tx(store, false, put_child_then_parent, bad_codes),
            STORE_CONFLICT);
  CHECK_INT(store->ops->agency_get(store, bad_codes[0], &got),
            STORE_NOT_FOUND);
}

TEST(app_put_get_every_field)
{
  const char *agency_code = code("APP-OPD"), *app_code = code("app-penuh");
  struct app a = make_app(app_code, agency_code), got = {0};
  bool inserted = false;

  put_agency(agency_code);
  CHECK_INT(store->ops->app_put(store, &a, &inserted), STORE_OK);
  CHECK(inserted);
  CHECK_INT(store->ops->app_get(store, app_code, &got), STORE_OK);
  CHECK(got.id > 0);
  CHECK_STR(got.code, app_code);
  CHECK_STR(got.name, "Aplikasi Uji");
  CHECK_STR(got.kind, "webapp");
  CHECK_STR(got.agency, agency_code);
  CHECK_STR(got.url, "https://uji.metrokota.test/");
  CHECK_STR(got.android_package, "id.go.metrokota.uji");
  CHECK_STR(got.store_url, "https://play.google.com/store/apps/details?id=x");
  CHECK_STR(got.purpose, "Layanan uji");
  CHECK_STR(got.audience, "publik");
  CHECK_STR(got.developer, "vendor");
  CHECK_STR(got.hosting, "pusat-data");
  CHECK_STR(got.launched, "2013");
  CHECK_STR(got.last_updated, "2021");
  CHECK_STR(got.status, "active");
  CHECK_STR(got.merged_into, NULL);
  CHECK_INT(got.created_at, 1700000000);
  CHECK_INT(got.updated_at, 1700000100);
  app_free(&got);
}

TEST(app_put_nulls_and_update)
{
  const char *agency_code = code("APP-OPD2"), *app_code = code("app-kosong");
  const char *target = code("app-tujuan");
  struct app a = {
    .code = (char *)app_code,
    .name = "Kosong",
    .kind = "website",
    .agency = (char *)agency_code,
    .created_at = 1700000000,
    .updated_at = 1700000000,
  };
  struct app got = {0};
  bool inserted = false;

  put_agency(agency_code);
  CHECK_INT(store->ops->app_put(store, &a, &inserted), STORE_OK);
  CHECK(inserted);
  CHECK_INT(store->ops->app_get(store, app_code, &got), STORE_OK);
  CHECK_STR(got.url, NULL);
  CHECK_STR(got.android_package, NULL);
  CHECK_STR(got.purpose, NULL);
  CHECK_STR(got.launched, NULL);
  CHECK_STR(got.last_updated, NULL);
  CHECK_STR(got.status, "active");  /* the column's default */
  CHECK_STR(got.merged_into, NULL);
  int64_t id = got.id;
  app_free(&got);

  struct app t = make_app(target, agency_code);
  CHECK_INT(store->ops->app_put(store, &t, NULL), STORE_OK);
  a.status = "merged";
  a.merged_into = (char *)target;
  a.launched = "2019";
  a.url = "";  /* empty is stored as NULL */
  a.updated_at = 1700000900;
  CHECK_INT(store->ops->app_put(store, &a, &inserted), STORE_OK);
  CHECK(!inserted);
  CHECK_INT(store->ops->app_get(store, app_code, &got), STORE_OK);
  CHECK_INT(got.id, id);
  CHECK_STR(got.status, "merged");
  CHECK_STR(got.merged_into, target);
  CHECK_STR(got.launched, "2019");
  CHECK_STR(got.url, NULL);
  CHECK_INT(got.created_at, 1700000000);
  CHECK_INT(got.updated_at, 1700000900);
  app_free(&got);

  CHECK_INT(store->ops->app_get(store, code("app-tidak-ada"), &got),
            STORE_NOT_FOUND);
}

TEST(app_unknown_agency_conflicts)
{
  struct app a = make_app(code("app-yatim"), code("OPD-TIDAK-ADA"));
  struct app got = {0};
  CHECK_INT(store->ops->app_put(store, &a, NULL), STORE_CONFLICT);
  CHECK_INT(store->ops->app_get(store, a.code, &got), STORE_NOT_FOUND);
}

TEST(app_unknown_merged_into_conflicts)
{
  const char *agency_code = code("APP-OPD3");
  struct app a = make_app(code("app-gabung"), agency_code), got = {0};
  put_agency(agency_code);
  a.status = "merged";
  a.merged_into = (char *)code("app-tidak-ada");
  CHECK_INT(store->ops->app_put(store, &a, NULL), STORE_CONFLICT);
  CHECK_INT(store->ops->app_get(store, a.code, &got), STORE_NOT_FOUND);
}

TEST(app_taken_id_conflicts)
{
  const char *agency_code = code("APP-OPD4");
  struct app first = make_app(code("app-pertama"), agency_code), got = {0};
  put_agency(agency_code);
  CHECK_INT(store->ops->app_put(store, &first, NULL), STORE_OK);
  CHECK_INT(store->ops->app_get(store, first.code, &got), STORE_OK);
  struct app second = make_app(code("app-kedua"), agency_code);
  second.id = got.id;  /* another row already has this id */
  CHECK_INT(store->ops->app_put(store, &second, NULL), STORE_CONFLICT);
  app_free(&got);
  CHECK_INT(store->ops->app_get(store, second.code, &got), STORE_NOT_FOUND);
}

/* Puts the apps the list tests read, under their own agency. */
static const char *
put_list_apps(void)
{
  static const struct {
    const char *code, *name, *kind, *status, *purpose;
    int64_t updated_at;
  } rows[] = {
    {"l-alpha", "Zeta Layanan", "webapp", "active", "Pajak 100% daring", 5},
    {"l-beta", "Alpha Portal", "website", "active", "Informasi", 4},
    {"l-gamma", "Mu Data", "android", "inactive", "Data a_b", 3},
    {"l-delta", "Beta Sistem", "webapp", "retired", "Arsip", 2},
    {"l-eps", "Omega", "webapp", "active", "Pajak 100 daring", 1},
  };
  /* Kept apart from code()'s rotating buffers, which the callers reuse. */
  static char agency_code[96];
  snprintf(agency_code, sizeof agency_code, "%s", code("LIST-OPD"));
  put_agency(agency_code);
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    struct app a = make_app(code(rows[i].code), agency_code);
    a.name = (char *)rows[i].name;
    a.kind = (char *)rows[i].kind;
    a.status = (char *)rows[i].status;
    a.purpose = (char *)rows[i].purpose;
    a.updated_at = 1700000000 + rows[i].updated_at;
    CHECK_INT(store->ops->app_put(store, &a, NULL), STORE_OK);
  }
  return agency_code;
}

TEST(app_list_filters)
{
  const char *agency_code = put_list_apps();
  struct app_list list = {0};

  struct app_filter f = {.agency = agency_code};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 5);
  CHECK_INT(list.count, 5);
  app_list_free(&list);

  f = (struct app_filter){.agency = agency_code, .kind = "webapp"};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 3);
  app_list_free(&list);

  f = (struct app_filter){.agency = agency_code, .kind = "webapp",
                          .status = "active"};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 2);
  app_list_free(&list);

  f = (struct app_filter){.agency = agency_code, .kind = "", .status = ""};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 5);  /* empty strings do not filter */
  app_list_free(&list);
}

TEST(app_list_search_escapes_wildcards)
{
  const char *agency_code = put_list_apps();
  struct app_list list = {0};

  struct app_filter f = {.agency = agency_code, .query = "100%"};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 1);
  if (list.count == 1)
    CHECK_STR(list.items[0].code, code("l-alpha"));
  app_list_free(&list);

  f.query = "a_b";
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 1);
  if (list.count == 1)
    CHECK_STR(list.items[0].code, code("l-gamma"));
  app_list_free(&list);

  f.query = "_";  /* only l-gamma has a '_' in a searched column */
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 1);
  app_list_free(&list);

  f.query = "PAJAK";  /* case-insensitive, matches the purpose */
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 2);
  app_list_free(&list);

  f.query = "portal";  /* the name */
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 1);
  app_list_free(&list);

  f.query = "L-DELTA";  /* the code */
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 1);
  app_list_free(&list);

  f.query = "\\";
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 0);
  app_list_free(&list);
}

/* Checks that the list's codes are `want` (base codes) in order. */
static void
check_order(const struct app_list *list, const char *const *want, size_t n)
{
  CHECK_INT(list->count, n);
  for (size_t i = 0; i < n && i < list->count; i++)
    CHECK_STR(list->items[i].code, code(want[i]));
}

TEST(app_list_sorts_both_ways)
{
  const char *agency_code = put_list_apps();
  struct app_list list = {0};
  struct app_filter f = {.agency = agency_code, .sort = APP_SORT_NAME};

  static const char *const by_name[] = {"l-beta", "l-delta", "l-gamma",
                                        "l-eps", "l-alpha"};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  check_order(&list, by_name, 5);
  app_list_free(&list);

  static const char *const by_name_desc[] = {"l-alpha", "l-eps", "l-gamma",
                                             "l-delta", "l-beta"};
  f.descending = true;
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  check_order(&list, by_name_desc, 5);
  app_list_free(&list);

  static const char *const by_code[] = {"l-alpha", "l-beta", "l-delta",
                                        "l-eps", "l-gamma"};
  f = (struct app_filter){.agency = agency_code, .sort = APP_SORT_CODE};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  check_order(&list, by_code, 5);
  app_list_free(&list);

  static const char *const by_updated_desc[] = {"l-alpha", "l-beta",
                                                "l-gamma", "l-delta", "l-eps"};
  f = (struct app_filter){.agency = agency_code, .sort = APP_SORT_UPDATED,
                          .descending = true};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  check_order(&list, by_updated_desc, 5);
  app_list_free(&list);

  /* Ties on kind are broken by code. */
  static const char *const by_kind[] = {"l-gamma", "l-alpha", "l-delta",
                                        "l-eps", "l-beta"};
  f = (struct app_filter){.agency = agency_code, .sort = APP_SORT_KIND};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  check_order(&list, by_kind, 5);
  app_list_free(&list);

  static const char *const by_status_desc[] = {"l-delta", "l-gamma",
                                               "l-eps", "l-beta", "l-alpha"};
  f = (struct app_filter){.agency = agency_code, .sort = APP_SORT_STATUS,
                          .descending = true};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  check_order(&list, by_status_desc, 5);
  app_list_free(&list);
}

TEST(app_list_pages_and_total)
{
  const char *agency_code = put_list_apps();
  struct app_list list = {0};
  struct app_filter f = {.agency = agency_code, .limit = 2};

  static const char *const first[] = {"l-alpha", "l-beta"};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 5);
  check_order(&list, first, 2);
  app_list_free(&list);

  static const char *const last[] = {"l-gamma"};
  f.offset = 4;
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 5);
  check_order(&list, last, 1);
  app_list_free(&list);

  f.offset = 10;
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, 5);
  CHECK_INT(list.count, 0);
  app_list_free(&list);
}

/* Names that sort differently bytewise and case-insensitively. Bytewise,
 * "AK1 Online" < "ATCS" < "Absensi" and "e-Kinerja" comes after "Website
 * Dinas". The two SIMPEG names fold to the same key, so their codes decide,
 * against their bytewise order. É and é are not ASCII and are not folded:
 * they sort by code point, after every ASCII letter. */
TEST(app_list_name_order_ignores_case)
{
  static const struct {
    const char *code, *name;
  } rows[] = {
    {"n-1", "ATCS"},      {"n-2", "AK1 Online"}, {"n-3", "Website Dinas"},
    {"n-4", "Absensi"},   {"n-5", "e-Kinerja"},  {"n-6", "akta"},
    {"n-7", "simpeg"},    {"n-8", "SIMPEG"},
    {"n-9", "\xC3\xA9" "clair"},  /* éclair */
    {"n-10", "\xC3\x89lan"},      /* Élan */
  };
  static char agency_code[96];
  snprintf(agency_code, sizeof agency_code, "%s", code("NAME-OPD"));
  put_agency(agency_code);
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
    struct app a = make_app(code(rows[i].code), agency_code);
    a.name = (char *)rows[i].name;
    CHECK_INT(store->ops->app_put(store, &a, NULL), STORE_OK);
  }

  static const char *const ascending[] = {
    "n-4", "n-2", "n-6", "n-1", "n-5", "n-7", "n-8", "n-3", "n-10", "n-9"};
  enum { NAME_ROWS = sizeof ascending / sizeof ascending[0] };
  struct app_list list = {0};
  struct app_filter f = {.agency = agency_code, .sort = APP_SORT_NAME};
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  CHECK_INT(list.total, NAME_ROWS);
  check_order(&list, ascending, NAME_ROWS);
  app_list_free(&list);

  const char *descending[NAME_ROWS];
  for (size_t i = 0; i < NAME_ROWS; i++)
    descending[i] = ascending[NAME_ROWS - 1 - i];
  f.descending = true;
  CHECK_INT(store->ops->app_list(store, &f, &list), STORE_OK);
  check_order(&list, descending, NAME_ROWS);
  app_list_free(&list);
}

/* Pages of two through the list apps, for every sort key and direction:
 * every page reports the same total, and the pages put together are the
 * unpaged list, so no app is skipped or shown twice. */
TEST(app_list_pages_every_sort)
{
  const char *agency_code = put_list_apps();
  for (int sort = APP_SORT_CODE; sort <= APP_SORT_UPDATED; sort++) {
    for (int desc = 0; desc <= 1; desc++) {
      struct app_filter f = {.agency = agency_code,
                             .sort = (enum app_sort)sort,
                             .descending = desc == 1};
      struct app_list all = {0};
      CHECK_INT(store->ops->app_list(store, &f, &all), STORE_OK);
      CHECK_INT(all.total, 5);
      CHECK_INT(all.count, 5);
      f.limit = 2;
      for (int64_t offset = 0; offset <= 6; offset += 2) {
        struct app_list page = {0};
        f.offset = offset;
        CHECK_INT(store->ops->app_list(store, &f, &page), STORE_OK);
        CHECK_INT(page.total, 5);
        size_t want = offset >= 5 ? 0 : offset + 2 > 5 ? 1 : 2;
        CHECK_INT(page.count, want);
        for (size_t i = 0; i < page.count && (size_t)offset + i < all.count;
             i++)
          CHECK_STR(page.items[i].code, all.items[offset + (int64_t)i].code);
        if (testlib_failed_checks > 0)
          fprintf(stderr, "  sort %d, descending %d, offset %lld\n", sort,
                  desc, (long long)offset);
        app_list_free(&page);
      }
      app_list_free(&all);
    }
  }
}

/* Returns the count of `key` in `l`, or -1 when absent. */
static int64_t
group_count(const struct group_count_list *l, const char *key)
{
  for (size_t i = 0; i < l->count; i++)
    if (strcmp(l->items[i].key, key) == 0)
      return l->items[i].count;
  return -1;
}

TEST(app_count_by_groups)
{
  const char *agency_code = code("COUNT-OPD");
  const char *kind = code("jenis-uji"), *status = code("status-uji");
  struct group_count_list l = {0};

  put_agency(agency_code);
  for (int i = 0; i < 3; i++) {
    char base[32];
    snprintf(base, sizeof base, "count-%d", i);
    struct app a = make_app(code(base), agency_code);
    a.kind = (char *)kind;
    a.status = i == 0 ? (char *)status : "active";
    CHECK_INT(store->ops->app_put(store, &a, NULL), STORE_OK);
  }
  CHECK_INT(store->ops->app_count_by(store, APP_GROUP_KIND, &l), STORE_OK);
  CHECK_INT(group_count(&l, kind), 3);
  group_count_list_free(&l);
  CHECK_INT(store->ops->app_count_by(store, APP_GROUP_STATUS, &l), STORE_OK);
  CHECK_INT(group_count(&l, status), 1);
  CHECK(group_count(&l, "active") >= 2);
  group_count_list_free(&l);
  CHECK_INT(store->ops->app_count_by(store, APP_GROUP_AGENCY, &l), STORE_OK);
  CHECK_INT(group_count(&l, agency_code), 3);
  group_count_list_free(&l);
}

TEST(change_ids_and_history_order)
{
  const char *app_code = code("app-riwayat");
  int64_t first = 0, second = 0;
  struct change_list l = {0};

  CHECK_INT(store->ops->change_next_id(store, &first), STORE_OK);
  CHECK_INT(store->ops->change_next_id(store, &second), STORE_OK);
  CHECK(first > 0);
  CHECK(second > first);

  struct change c = {
    .change_id = first, .entity = "app", .code = (char *)app_code,
    .field = "*", .old_value = NULL, .new_value = "created",
    .actor = "cli:uji", .at = 1700000000,
  };
  CHECK_INT(store->ops->change_add(store, &c), STORE_OK);
  c = (struct change){
    .change_id = second, .entity = "app", .code = (char *)app_code,
    .field = "name", .old_value = "Lama", .new_value = "Baru",
    .actor = "admin", .at = 1700000100,
  };
  CHECK_INT(store->ops->change_add(store, &c), STORE_OK);
  c.field = "url";
  c.old_value = NULL;
  c.new_value = "https://baru.metrokota.test/";
  CHECK_INT(store->ops->change_add(store, &c), STORE_OK);

  CHECK_INT(store->ops->change_list(store, "app", app_code, 0, &l), STORE_OK);
  CHECK_INT(l.count, 3);
  if (l.count == 3) {
    CHECK_STR(l.items[0].field, "url");
    CHECK_STR(l.items[0].old_value, NULL);
    CHECK_INT(l.items[0].change_id, second);
    CHECK_STR(l.items[1].field, "name");
    CHECK_STR(l.items[1].old_value, "Lama");
    CHECK_STR(l.items[1].new_value, "Baru");
    CHECK_STR(l.items[1].actor, "admin");
    CHECK_INT(l.items[1].at, 1700000100);
    CHECK_STR(l.items[2].field, "*");
    CHECK_INT(l.items[2].change_id, first);
    CHECK(l.items[0].id > l.items[1].id);
  }
  change_list_free(&l);

  CHECK_INT(store->ops->change_list(store, "app", app_code, 2, &l), STORE_OK);
  CHECK_INT(l.count, 2);
  change_list_free(&l);
  CHECK_INT(store->ops->change_list(store, "agency", app_code, 0, &l),
            STORE_OK);
  CHECK_INT(l.count, 0);
  change_list_free(&l);
}

TEST(change_copied_id_not_reused)
{
  int64_t next = 0, after = 0;
  CHECK_INT(store->ops->change_next_id(store, &next), STORE_OK);
  struct change c = {
    .change_id = next + 100, .entity = "agency", .code = (char *)code("X"),
    .field = "name", .new_value = "x", .actor = "copy", .at = 1,
  };
  CHECK_INT(store->ops->change_add(store, &c), STORE_OK);
  CHECK_INT(store->ops->change_next_id(store, &after), STORE_OK);
  CHECK(after > next + 100);
}

static struct user
make_user(const char *name)
{
  return (struct user){
    .name = (char *)name,
    .display_name = "Pengguna Uji",
    .password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA",
    .role = ROLE_STAFF,
    .created_at = 1700000000,
  };
}

TEST(user_add_get_update)
{
  const char *name = code("budi");
  struct user u = make_user(name), got = {0};
  int64_t before = 0, after = 0;

  CHECK_INT(store->ops->user_count(store, &before), STORE_OK);
  CHECK_INT(store->ops->user_add(store, &u), STORE_OK);
  CHECK(u.id > 0);
  CHECK_INT(store->ops->user_count(store, &after), STORE_OK);
  CHECK_INT(after, before + 1);

  CHECK_INT(store->ops->user_get(store, u.id, &got), STORE_OK);
  CHECK_STR(got.name, name);
  CHECK_STR(got.display_name, "Pengguna Uji");
  CHECK_STR(got.password_hash, u.password_hash);
  CHECK_INT(got.role, ROLE_STAFF);
  CHECK(!got.disabled);
  CHECK_INT(got.created_at, 1700000000);
  CHECK_INT(got.last_login_at, 0);
  user_free(&got);

  struct user changed = u;
  changed.display_name = NULL;
  changed.role = ROLE_ADMIN;
  changed.disabled = true;
  changed.password_hash = "$argon2id$baru";
  CHECK_INT(store->ops->user_update(store, &changed), STORE_OK);
  CHECK_INT(store->ops->user_touch_login(store, u.id, 1700000300), STORE_OK);
  CHECK_INT(store->ops->user_get_by_name(store, name, &got), STORE_OK);
  CHECK_INT(got.id, u.id);
  CHECK_STR(got.display_name, NULL);
  CHECK_INT(got.role, ROLE_ADMIN);
  CHECK(got.disabled);
  CHECK_STR(got.password_hash, "$argon2id$baru");
  CHECK_INT(got.last_login_at, 1700000300);
  user_free(&got);

  CHECK_INT(store->ops->user_get_by_name(store, code("tidak-ada"), &got),
            STORE_NOT_FOUND);
  CHECK_INT(store->ops->user_get(store, INT64_C(1) << 50, &got),
            STORE_NOT_FOUND);
  changed.id = INT64_C(1) << 50;
  CHECK_INT(store->ops->user_update(store, &changed), STORE_NOT_FOUND);
}

TEST(user_duplicate_name_conflicts)
{
  struct user u = make_user(code("ganda")), again = make_user(code("ganda"));
  CHECK_INT(store->ops->user_add(store, &u), STORE_OK);
  CHECK_INT(store->ops->user_add(store, &again), STORE_CONFLICT);
}

TEST(user_list_contains_added)
{
  struct user u = make_user(code("daftar"));
  struct user_list l = {0};
  bool found = false;
  CHECK_INT(store->ops->user_add(store, &u), STORE_OK);
  CHECK_INT(store->ops->user_list(store, &l), STORE_OK);
  for (size_t i = 0; i < l.count; i++)
    if (l.items[i].id == u.id) {
      found = true;
      CHECK_STR(l.items[i].name, u.name);
    }
  CHECK(found);
  user_list_free(&l);
}

static void
fill_hash(char *out, const char *seed)
{
  /* 64 hex-like characters, unique per seed and run. */
  snprintf(out, 65, "%-64s", code(seed));
  for (char *p = out; *p; p++)
    if (*p == ' ')
      *p = '0';
}

TEST(session_lifecycle)
{
  struct user u = make_user(code("sesi"));
  struct session ses = {0}, got = {0};
  CHECK_INT(store->ops->user_add(store, &u), STORE_OK);

  fill_hash(ses.id_hash, "sesi-a");
  ses.user_id = u.id;
  snprintf(ses.lang, sizeof ses.lang, "id");
  ses.created_at = 1000;
  ses.expires_at = 2000;
  ses.seen_at = 1000;
  CHECK_INT(store->ops->session_add(store, &ses), STORE_OK);
  CHECK_INT(store->ops->session_add(store, &ses), STORE_CONFLICT);
  CHECK_INT(store->ops->session_get(store, ses.id_hash, &got), STORE_OK);
  CHECK_STR(got.id_hash, ses.id_hash);
  CHECK_INT(got.user_id, u.id);
  CHECK_STR(got.lang, "id");
  CHECK_INT(got.expires_at, 2000);

  CHECK_INT(store->ops->session_touch(store, ses.id_hash, 1500, 3000),
            STORE_OK);
  CHECK_INT(store->ops->session_set_lang(store, ses.id_hash, "en"), STORE_OK);
  CHECK_INT(store->ops->session_get(store, ses.id_hash, &got), STORE_OK);
  CHECK_INT(got.seen_at, 1500);
  CHECK_INT(got.expires_at, 3000);
  CHECK_STR(got.lang, "en");

  CHECK_INT(store->ops->session_delete(store, ses.id_hash), STORE_OK);
  CHECK_INT(store->ops->session_get(store, ses.id_hash, &got),
            STORE_NOT_FOUND);
  CHECK_INT(store->ops->session_touch(store, ses.id_hash, 1, 2),
            STORE_NOT_FOUND);
}

TEST(session_purge_and_delete_user)
{
  struct user u = make_user(code("sesi2")), v = make_user(code("sesi3"));
  struct session a = {0}, b = {0}, c = {0}, got = {0};
  CHECK_INT(store->ops->user_add(store, &u), STORE_OK);
  CHECK_INT(store->ops->user_add(store, &v), STORE_OK);

  fill_hash(a.id_hash, "sesi-lama");
  fill_hash(b.id_hash, "sesi-baru");
  fill_hash(c.id_hash, "sesi-lain");
  a.user_id = b.user_id = u.id;
  c.user_id = v.id;
  snprintf(a.lang, sizeof a.lang, "id");
  snprintf(b.lang, sizeof b.lang, "id");
  snprintf(c.lang, sizeof c.lang, "en");
  a.created_at = b.created_at = c.created_at = 100;
  a.expires_at = 200;   /* expired at 200 */
  b.expires_at = 5000;
  c.expires_at = 5000;
  CHECK_INT(store->ops->session_add(store, &a), STORE_OK);
  CHECK_INT(store->ops->session_add(store, &b), STORE_OK);
  CHECK_INT(store->ops->session_add(store, &c), STORE_OK);

  CHECK_INT(store->ops->session_purge(store, 200), STORE_OK);
  CHECK_INT(store->ops->session_get(store, a.id_hash, &got), STORE_NOT_FOUND);
  CHECK_INT(store->ops->session_get(store, b.id_hash, &got), STORE_OK);

  CHECK_INT(store->ops->session_delete_user(store, u.id), STORE_OK);
  CHECK_INT(store->ops->session_get(store, b.id_hash, &got), STORE_NOT_FOUND);
  CHECK_INT(store->ops->session_get(store, c.id_hash, &got), STORE_OK);
}

TEST(session_unknown_user_conflicts)
{
  struct session ses = {.user_id = INT64_C(1) << 50, .expires_at = 10};
  fill_hash(ses.id_hash, "sesi-yatim");
  snprintf(ses.lang, sizeof ses.lang, "id");
  CHECK_INT(store->ops->session_add(store, &ses), STORE_CONFLICT);
}

TEST(token_lifecycle)
{
  struct user u = make_user(code("token"));
  struct api_token t = {0}, got = {0};
  struct api_token_list l = {0};

  CHECK_INT(store->ops->user_add(store, &u), STORE_OK);
  t.name = "skrip impor";
  fill_hash(t.hash, "token-a");
  snprintf(t.prefix, sizeof t.prefix, "sp_abcdefgh");
  t.user_id = u.id;
  t.created_at = 1700000000;
  CHECK_INT(store->ops->token_add(store, &t), STORE_OK);
  CHECK(t.id > 0);

  CHECK_INT(store->ops->token_get_by_hash(store, t.hash, &got), STORE_OK);
  CHECK_INT(got.id, t.id);
  CHECK_STR(got.name, "skrip impor");
  CHECK_STR(got.prefix, "sp_abcdefgh");
  CHECK_INT(got.user_id, u.id);
  CHECK_INT(got.last_used_at, 0);
  CHECK_INT(got.revoked_at, 0);
  api_token_free(&got);

  CHECK_INT(store->ops->token_touch(store, t.id, 1700000050), STORE_OK);
  CHECK_INT(store->ops->token_revoke(store, t.id, 1700000100), STORE_OK);
  CHECK_INT(store->ops->token_revoke(store, t.id, 1700000200), STORE_OK);
  CHECK_INT(store->ops->token_get_by_hash(store, t.hash, &got), STORE_OK);
  CHECK_INT(got.last_used_at, 1700000050);
  CHECK_INT(got.revoked_at, 1700000100);  /* the first revocation stays */
  api_token_free(&got);

  bool found = false;
  CHECK_INT(store->ops->token_list(store, &l), STORE_OK);
  for (size_t i = 0; i < l.count; i++)
    if (l.items[i].id == t.id) {
      found = true;
      CHECK_STR(l.items[i].hash, t.hash);
    }
  CHECK(found);
  api_token_list_free(&l);

  char missing[65];
  fill_hash(missing, "token-tidak-ada");
  CHECK_INT(store->ops->token_get_by_hash(store, missing, &got),
            STORE_NOT_FOUND);
  CHECK_INT(store->ops->token_revoke(store, INT64_C(1) << 50, 1),
            STORE_NOT_FOUND);
}

TEST(token_duplicate_hash_conflicts)
{
  struct user u = make_user(code("token2"));
  struct api_token t = {0}, again = {0};
  CHECK_INT(store->ops->user_add(store, &u), STORE_OK);
  t.name = "satu";
  fill_hash(t.hash, "token-ganda");
  t.user_id = u.id;
  again = t;
  again.name = "dua";
  CHECK_INT(store->ops->token_add(store, &t), STORE_OK);
  CHECK_INT(store->ops->token_add(store, &again), STORE_CONFLICT);
}

TEST(throttle_counts_within_window)
{
  const char *key = code("user:budi"), *other = code("addr:127.0.0.1");
  int64_t n = -1;

  CHECK_INT(store->ops->throttle_count(store, key, 0, &n), STORE_OK);
  CHECK_INT(n, 0);
  CHECK_INT(store->ops->throttle_fail(store, key, 1000, 0, &n), STORE_OK);
  CHECK_INT(n, 1);
  CHECK_INT(store->ops->throttle_fail(store, key, 1500, 0, &n), STORE_OK);
  CHECK_INT(n, 2);
  /* A window starting at 1200 leaves the failure at 1000 out. */
  CHECK_INT(store->ops->throttle_fail(store, key, 2000, 1200, &n), STORE_OK);
  CHECK_INT(n, 2);
  CHECK_INT(store->ops->throttle_fail(store, other, 2000, 0, &n), STORE_OK);
  CHECK_INT(n, 1);
  CHECK_INT(store->ops->throttle_count(store, key, 1500, &n), STORE_OK);
  CHECK_INT(n, 2);

  CHECK_INT(store->ops->throttle_purge(store, 1500), STORE_OK);
  CHECK_INT(store->ops->throttle_count(store, key, 0, &n), STORE_OK);
  CHECK_INT(n, 2);
  CHECK_INT(store->ops->throttle_clear(store, key), STORE_OK);
  CHECK_INT(store->ops->throttle_count(store, key, 0, &n), STORE_OK);
  CHECK_INT(n, 0);
  CHECK_INT(store->ops->throttle_count(store, other, 0, &n), STORE_OK);
  CHECK_INT(n, 1);
}

TEST(meta_get_put)
{
  const char *key = code("sample_loaded");
  char *value = NULL;
  CHECK_INT(store->ops->meta_get(store, key, &value), STORE_NOT_FOUND);
  CHECK_INT(store->ops->meta_put(store, key, "1"), STORE_OK);
  CHECK_INT(store->ops->meta_get(store, key, &value), STORE_OK);
  CHECK_STR(value, "1");
  free(value);
  CHECK_INT(store->ops->meta_put(store, key, "2"), STORE_OK);
  CHECK_INT(store->ops->meta_get(store, key, &value), STORE_OK);
  CHECK_STR(value, "2");
  free(value);
}

/* ---- jobs ---- */

/* Adds a queued job of `kind` due at `scheduled_for` (0: now); returns its
 * id, 0 on failure. */
static int64_t
add_job(struct store *s, const char *kind, int64_t scheduled_for)
{
  struct job j = {.kind = (char *)kind, .params = "{\"apps\":[]}",
                  .created_by = "uji", .scheduled_for = scheduled_for};
  CHECK_INT(s->ops->job_add(s, &j), STORE_OK);
  CHECK(j.id > 0);
  return j.id;
}

TEST(job_add_defaults_and_dedupe)
{
  const char *kind = code("jenis"), *key = code("slot");
  struct job j = {.kind = (char *)kind, .created_by = "uji",
                  .dedupe_key = (char *)key}, again = j, got = {0};
  int64_t before = (int64_t)time(NULL);

  CHECK_INT(store->ops->job_add(store, &j), STORE_OK);
  CHECK(j.id > 0);
  CHECK_INT(store->ops->job_get(store, j.id, &got), STORE_OK);
  CHECK_STR(got.kind, kind);
  CHECK_STR(got.params, "{}");
  CHECK_STR(got.state, "queued");
  CHECK_STR(got.dedupe_key, key);
  CHECK_STR(got.created_by, "uji");
  CHECK(got.lease_owner == NULL);
  CHECK(got.error == NULL);
  CHECK(got.created_at >= before);
  CHECK_INT(got.scheduled_for, got.created_at);
  CHECK_INT(got.started_at, 0);
  CHECK_INT(got.finished_at, 0);
  CHECK_INT(got.lease_expires_at, 0);
  CHECK_INT(got.progress_done, 0);
  CHECK_INT(got.progress_total, 0);
  job_free(&got);

  CHECK_INT(store->ops->job_add(store, &again), STORE_CONFLICT);
  CHECK_INT(again.id, j.id);
  CHECK(strstr(store_errmsg(store), key) != NULL);

  struct job plain = {.kind = (char *)kind, .created_by = "uji",
                      .dedupe_key = ""};
  CHECK_INT(store->ops->job_add(store, &plain), STORE_OK);
  int64_t first_plain = plain.id;
  plain.id = 0;
  CHECK_INT(store->ops->job_add(store, &plain), STORE_OK);
  CHECK(plain.id != first_plain);
  CHECK_INT(store->ops->job_get(store, plain.id, &got), STORE_OK);
  CHECK(got.dedupe_key == NULL);
  job_free(&got);
  CHECK_INT(store->ops->job_get(store, plain.id + 100000, &got),
            STORE_NOT_FOUND);
}

TEST(job_add_keeps_copied_fields)
{
  struct job j = {
    .kind = (char *)code("salinan"), .params = "{\"apps\":[\"a\"]}",
    .state = "failed", .created_by = "uji", .lease_owner = "node-x",
    .lease_expires_at = 50, .scheduled_for = 10, .created_at = 5,
    .started_at = 20, .finished_at = 60, .progress_done = 3,
    .progress_total = 4, .error = "timeout",
  }, got = {0};
  int64_t base = add_job(store, j.kind, 0);

  j.id = base + 100000;
  CHECK_INT(store->ops->job_add(store, &j), STORE_OK);
  CHECK_INT(j.id, base + 100000);
  CHECK_INT(store->ops->job_get(store, j.id, &got), STORE_OK);
  CHECK_STR(got.state, "failed");
  CHECK_STR(got.params, "{\"apps\":[\"a\"]}");
  CHECK_STR(got.lease_owner, "node-x");
  CHECK_INT(got.lease_expires_at, 50);
  CHECK_INT(got.scheduled_for, 10);
  CHECK_INT(got.created_at, 5);
  CHECK_INT(got.started_at, 20);
  CHECK_INT(got.finished_at, 60);
  CHECK_INT(got.progress_done, 3);
  CHECK_INT(got.progress_total, 4);
  CHECK_STR(got.error, "timeout");
  job_free(&got);

  CHECK_INT(store->ops->job_add(store, &j), STORE_CONFLICT);
  CHECK(add_job(store, j.kind, 0) > base + 100000);
  j.id = 0;
  j.state = "paused";
  CHECK_INT(store->ops->job_add(store, &j), STORE_CONFLICT);
}

TEST(job_claim_order_and_due_time)
{
  const char *kind = code("urut");
  int64_t now = (int64_t)time(NULL);
  int64_t later = add_job(store, kind, now + 100);
  int64_t newer = add_job(store, kind, now - 10);
  int64_t older = add_job(store, kind, now - 20);
  add_job(store, code("lain"), now - 30);
  struct job got = {0};

  CHECK_INT(store->ops->job_claim(store, kind, "node-a", now, now + 200, &got),
            STORE_OK);
  CHECK_INT(got.id, older);
  CHECK_STR(got.state, "running");
  CHECK_STR(got.lease_owner, "node-a");
  CHECK_INT(got.lease_expires_at, now + 200);
  CHECK_INT(got.started_at, now);
  CHECK(!got.taken_over);
  job_free(&got);
  CHECK_INT(store->ops->job_claim(store, kind, "node-a", now, now + 200, &got),
            STORE_OK);
  CHECK_INT(got.id, newer);
  job_free(&got);
  CHECK_INT(store->ops->job_claim(store, kind, "node-a", now, now + 200, &got),
            STORE_NOT_FOUND);
  CHECK_INT(store->ops->job_claim(store, kind, "node-b", now + 100,
                                  now + 130, &got), STORE_OK);
  CHECK_INT(got.id, later);
  CHECK_STR(got.lease_owner, "node-b");
  job_free(&got);
}

TEST(job_lease_expiry_allows_takeover)
{
  const char *kind = code("ambil-alih");
  int64_t now = (int64_t)time(NULL);
  int64_t id = add_job(store, kind, now - 1);
  struct job got = {0};

  CHECK_INT(store->ops->job_claim(store, kind, "node-a", now, now + 30, &got),
            STORE_OK);
  job_free(&got);
  CHECK_INT(store->ops->job_progress(store, id, "node-a", 2, 5), STORE_OK);
  CHECK_INT(store->ops->job_renew(store, id, "node-a", now + 40), STORE_OK);
  CHECK_INT(store->ops->job_claim(store, kind, "node-b", now + 39, now + 60,
                                  &got), STORE_NOT_FOUND);
  CHECK_INT(store->ops->job_claim(store, kind, "node-b", now + 41, now + 70,
                                  &got), STORE_OK);
  CHECK_INT(got.id, id);
  CHECK(got.taken_over);
  CHECK_STR(got.lease_owner, "node-b");
  CHECK_INT(got.lease_expires_at, now + 70);
  CHECK_INT(got.started_at, now);
  CHECK_INT(got.progress_done, 2);
  CHECK_INT(got.progress_total, 5);
  job_free(&got);
}

TEST(job_lost_lease_refuses_writes)
{
  const char *kind = code("hilang");
  int64_t now = (int64_t)time(NULL);
  int64_t id = add_job(store, kind, now - 1);
  struct job got = {0};

  CHECK_INT(store->ops->job_claim(store, kind, "node-a", now, now + 5, &got),
            STORE_OK);
  job_free(&got);
  CHECK_INT(store->ops->job_claim(store, kind, "node-b", now + 6, now + 36,
                                  &got), STORE_OK);
  job_free(&got);
  CHECK_INT(store->ops->job_renew(store, id, "node-a", now + 50),
            STORE_NOT_FOUND);
  CHECK_INT(store->ops->job_progress(store, id, "node-a", 1, 1),
            STORE_NOT_FOUND);
  CHECK_INT(store->ops->job_finish(store, id, "node-a", "done", NULL,
                                   now + 7), STORE_NOT_FOUND);
  CHECK_INT(store->ops->job_finish(store, id, "node-b", "queued", NULL,
                                   now + 7), STORE_ERROR);

  CHECK_INT(store->ops->job_progress(store, id, "node-b", 4, 4), STORE_OK);
  CHECK_INT(store->ops->job_finish(store, id, "node-b", "failed",
                                   "tidak terjangkau", now + 8), STORE_OK);
  CHECK_INT(store->ops->job_get(store, id, &got), STORE_OK);
  CHECK_STR(got.state, "failed");
  CHECK_STR(got.error, "tidak terjangkau");
  CHECK_STR(got.lease_owner, "node-b");
  CHECK_INT(got.lease_expires_at, 0);
  CHECK_INT(got.finished_at, now + 8);
  CHECK_INT(got.progress_done, 4);
  job_free(&got);

  /* A finished job is never claimed again and takes no more writes. */
  CHECK_INT(store->ops->job_claim(store, kind, "node-c", now + 1000,
                                  now + 1030, &got), STORE_NOT_FOUND);
  CHECK_INT(store->ops->job_renew(store, id, "node-b", now + 60),
            STORE_NOT_FOUND);
  CHECK_INT(store->ops->job_finish(store, id, "node-b", "done", NULL,
                                   now + 9), STORE_NOT_FOUND);
}

TEST(job_list_newest_first)
{
  const char *kind = code("daftar");
  int64_t a = add_job(store, kind, 0), b = add_job(store, kind, 0);
  int64_t c = add_job(store, kind, 0);
  struct job_list l = {0};

  CHECK_INT(store->ops->job_list(store, kind, 0, &l), STORE_OK);
  CHECK_INT(l.count, 3);
  if (l.count == 3) {
    CHECK_INT(l.items[0].id, c);
    CHECK_INT(l.items[1].id, b);
    CHECK_INT(l.items[2].id, a);
    CHECK_STR(l.items[2].kind, kind);
  }
  job_list_free(&l);
  CHECK_INT(store->ops->job_list(store, kind, 2, &l), STORE_OK);
  CHECK_INT(l.count, 2);
  job_list_free(&l);
  CHECK_INT(store->ops->job_list(store, NULL, 0, &l), STORE_OK);
  CHECK(l.count >= 3);
  bool seen = false;
  for (size_t i = 0; i < l.count; i++)
    seen = seen || l.items[i].id == a;
  CHECK(seen);
  job_list_free(&l);
  CHECK_INT(store->ops->job_list(store, code("tidak-ada"), 0, &l), STORE_OK);
  CHECK_INT(l.count, 0);
  job_list_free(&l);
}

enum { CLAIM_THREADS = 4, CLAIM_JOBS = 24 };

struct claimer {
  struct store_pool *pool;
  const char *kind;
  char owner[16];
  int64_t ids[CLAIM_JOBS];
  int count;
  int errors;
};

/* Claims jobs of one kind until none is left. */
static void *
claim_worker(void *arg)
{
  struct claimer *c = arg;
  struct store *s = store_pool_acquire(c->pool, 5000);
  if (s == NULL) {
    c->errors++;
    return NULL;
  }
  int64_t now = (int64_t)time(NULL);
  for (;;) {
    struct job got = {0};
    enum store_rc rc = s->ops->job_claim(s, c->kind, c->owner, now,
                                         now + 600, &got);
    if (rc == STORE_NOT_FOUND)
      break;
    if (rc != STORE_OK || c->count == CLAIM_JOBS) {
      fprintf(stderr, "  claim failed: %s\n", store_errmsg(s));
      c->errors++;
      job_free(&got);
      break;
    }
    c->ids[c->count++] = got.id;
    job_free(&got);
  }
  store_pool_release(c->pool, s);
  return NULL;
}

TEST(job_claim_concurrent_each_once)
{
  const char *kind = code("rebutan");
  char err[512];
  int64_t ids[CLAIM_JOBS];
  struct claimer claimers[CLAIM_THREADS];
  pthread_t threads[CLAIM_THREADS];
  struct store_pool *p = store_pool_open(store_url, CLAIM_THREADS, err,
                                         sizeof err);
  CHECK(p != NULL);
  if (p == NULL)
    return;
  for (int i = 0; i < CLAIM_JOBS; i++)
    ids[i] = add_job(store, kind, (int64_t)time(NULL) - 5);
  for (int i = 0; i < CLAIM_THREADS; i++) {
    claimers[i] = (struct claimer){.pool = p, .kind = kind};
    snprintf(claimers[i].owner, sizeof claimers[i].owner, "node-%d", i);
    CHECK_INT(pthread_create(&threads[i], NULL, claim_worker, &claimers[i]),
              0);
  }
  int total = 0;
  for (int i = 0; i < CLAIM_THREADS; i++) {
    pthread_join(threads[i], NULL);
    CHECK_INT(claimers[i].errors, 0);
    total += claimers[i].count;
  }
  store_pool_close(p);
  CHECK_INT(total, CLAIM_JOBS);
  for (int j = 0; j < CLAIM_JOBS; j++) {
    int times = 0;
    for (int i = 0; i < CLAIM_THREADS; i++)
      for (int k = 0; k < claimers[i].count; k++)
        times += claimers[i].ids[k] == ids[j];
    CHECK_INT(times, 1);
  }
}

/* ---- examination results ---- */

/* A result with every field known; the caller overrides what it tests. */
static struct exam_result
make_result(int64_t run_id, const char *app_code, int64_t examined_at)
{
  return (struct exam_result){
    .run_id = run_id,
    .app_code = (char *)app_code,
    .examined_at = examined_at,
    .outcome = "ok",
    .http_status = 200,
    .response_ms = 0,
    .final_url = "https://uji.metrokota.test/",
    .redirects = "[{\"url\":\"http://uji.metrokota.test/\",\"status\":301}]",
    .https_available = 1,
    .https_redirect = 0,
    .tls_valid = 1,
    .tls_trusted = 0,
    .tls_issuer = "CN=CA Uji",
    .tls_expires_at = 1800000000,
    .tls_protocol = "TLSv1.3",
    .grade = "B+",
    .score = 0,
    .tests = "{\"csp\":{\"pass\":false}}",
    .error = NULL,
  };
}

static struct exam_finding three_findings[] = {
  {"hsts-missing", "medium", "no Strict-Transport-Security header"},
  {"server-version-disclosed", "low", "Server: nginx/1.18.0"},
  {"exposed-git", "high", NULL},
};

static void
check_findings(const struct exam_result *r, const struct exam_finding *want,
               size_t count)
{
  CHECK_INT(r->finding_count, count);
  for (size_t i = 0; i < count && i < r->finding_count; i++) {
    CHECK_STR(r->findings[i].id, want[i].id);
    CHECK_STR(r->findings[i].severity, want[i].severity);
    CHECK_STR(r->findings[i].evidence, want[i].evidence);
  }
}

TEST(exam_result_put_get_with_findings)
{
  const char *app = code("web-uji");
  int64_t run = add_job(store, code("periksa"), 0);
  struct exam_result r = make_result(run, app, 1700000500), got = {0};
  r.findings = three_findings;
  r.finding_count = 3;

  CHECK_INT(store->ops->exam_result_put(store, &r), STORE_OK);
  CHECK_INT(store->ops->exam_result_get(store, run, app, &got), STORE_OK);
  CHECK_INT(got.run_id, run);
  CHECK_STR(got.app_code, app);
  CHECK_INT(got.examined_at, 1700000500);
  CHECK_STR(got.outcome, "ok");
  CHECK_INT(got.http_status, 200);
  CHECK_INT(got.response_ms, 0);
  CHECK_STR(got.final_url, r.final_url);
  CHECK_STR(got.redirects, r.redirects);
  CHECK_INT(got.https_available, 1);
  CHECK_INT(got.https_redirect, 0);
  CHECK_INT(got.tls_valid, 1);
  CHECK_INT(got.tls_trusted, 0);
  CHECK_STR(got.tls_issuer, "CN=CA Uji");
  CHECK_INT(got.tls_expires_at, 1800000000);
  CHECK_STR(got.tls_protocol, "TLSv1.3");
  CHECK_STR(got.grade, "B+");
  CHECK_INT(got.score, 0);
  CHECK_STR(got.tests, r.tests);
  CHECK(got.error == NULL);
  check_findings(&got, three_findings, 3);
  exam_result_free(&got);

  CHECK_INT(store->ops->exam_result_get(store, run, code("lain"), &got),
            STORE_NOT_FOUND);
  r.run_id = run + 100000;
  CHECK_INT(store->ops->exam_result_put(store, &r), STORE_CONFLICT);
}

TEST(exam_result_unknowns_stay_unknown)
{
  const char *app = code("apk-uji");
  int64_t run = add_job(store, code("periksa"), 0);
  struct exam_result r = {
    .run_id = run, .app_code = (char *)app, .examined_at = 1700000600,
    .outcome = "not-examinable", .http_status = 0, .response_ms = -1,
    .final_url = "", .https_available = -1, .https_redirect = -1,
    .tls_valid = -1, .tls_trusted = -1, .score = -1,
    .error = "no URL: an Android app without a backend",
  }, got = {0};

  CHECK_INT(store->ops->exam_result_put(store, &r), STORE_OK);
  CHECK_INT(store->ops->exam_result_get(store, run, app, &got), STORE_OK);
  CHECK_STR(got.outcome, "not-examinable");
  CHECK_INT(got.http_status, 0);
  CHECK_INT(got.response_ms, -1);
  CHECK(got.final_url == NULL);
  CHECK(got.redirects == NULL);
  CHECK_INT(got.https_available, -1);
  CHECK_INT(got.https_redirect, -1);
  CHECK_INT(got.tls_valid, -1);
  CHECK_INT(got.tls_trusted, -1);
  CHECK(got.tls_issuer == NULL);
  CHECK_INT(got.tls_expires_at, 0);
  CHECK(got.grade == NULL);
  CHECK_INT(got.score, -1);
  CHECK_STR(got.error, r.error);
  CHECK_INT(got.finding_count, 0);
  exam_result_free(&got);

  r.outcome = "";
  CHECK_INT(store->ops->exam_result_put(store, &r), STORE_CONFLICT);
}

TEST(exam_result_put_replaces)
{
  const char *app = code("web-ganti");
  int64_t run = add_job(store, code("periksa"), 0);
  struct exam_result r = make_result(run, app, 1700000700), got = {0};
  r.findings = three_findings;
  r.finding_count = 3;

  CHECK_INT(store->ops->exam_result_put(store, &r), STORE_OK);
  r.outcome = "timeout";
  r.grade = NULL;
  r.findings = &three_findings[2];
  r.finding_count = 1;
  CHECK_INT(store->ops->exam_result_put(store, &r), STORE_OK);
  CHECK_INT(store->ops->exam_result_get(store, run, app, &got), STORE_OK);
  CHECK_STR(got.outcome, "timeout");
  CHECK(got.grade == NULL);
  check_findings(&got, &three_findings[2], 1);
  exam_result_free(&got);
}

/* Runs exam_result_put inside a transaction the caller opened. */
static enum store_rc
put_result_in_tx(struct store *s, void *arg)
{
  return s->ops->exam_result_put(s, arg);
}

TEST(exam_result_put_inside_transaction)
{
  const char *app = code("web-tx");
  int64_t run = add_job(store, code("periksa"), 0);
  struct exam_result r = make_result(run, app, 1700000800), got = {0};
  r.findings = three_findings;
  r.finding_count = 2;

  CHECK_INT(store_tx(store, false, put_result_in_tx, &r), STORE_OK);
  CHECK_INT(store->ops->exam_result_get(store, run, app, &got), STORE_OK);
  check_findings(&got, three_findings, 2);
  exam_result_free(&got);
}

TEST(exam_result_codes_of_run)
{
  int64_t run = add_job(store, code("periksa"), 0);
  int64_t other = add_job(store, code("periksa"), 0);
  const char *codes[] = {code("kode-b"), code("kode-a"), code("kode-c")};
  struct string_list l = {0};

  for (size_t i = 0; i < 3; i++) {
    struct exam_result r = make_result(run, codes[i], 1700000900);
    CHECK_INT(store->ops->exam_result_put(store, &r), STORE_OK);
  }
  struct exam_result r = make_result(other, code("kode-d"), 1700000900);
  CHECK_INT(store->ops->exam_result_put(store, &r), STORE_OK);

  CHECK_INT(store->ops->exam_result_codes(store, run, &l), STORE_OK);
  CHECK_INT(l.count, 3);
  if (l.count == 3) {
    CHECK_STR(l.items[0], codes[1]);
    CHECK_STR(l.items[1], codes[0]);
    CHECK_STR(l.items[2], codes[2]);
  }
  string_list_free(&l);
  CHECK_INT(store->ops->exam_result_codes(store, run + 100000, &l), STORE_OK);
  CHECK_INT(l.count, 0);
  string_list_free(&l);
}

TEST(exam_latest_and_history_order)
{
  const char *app = code("web-riwayat");
  int64_t run1 = add_job(store, code("periksa"), 0);
  int64_t run2 = add_job(store, code("periksa"), 0);
  int64_t run3 = add_job(store, code("periksa"), 0);
  int64_t run4 = add_job(store, code("periksa"), 0);
  struct exam_result r1 = make_result(run1, app, 1000);
  struct exam_result r2 = make_result(run2, app, 3000);
  struct exam_result r3 = make_result(run3, app, 2000);
  struct exam_result got = {0};
  struct exam_result_list l = {0};

  r1.findings = three_findings;
  r1.finding_count = 3;
  r2.findings = &three_findings[1];
  r2.finding_count = 1;
  r2.grade = "A";
  CHECK_INT(store->ops->exam_result_put(store, &r1), STORE_OK);
  CHECK_INT(store->ops->exam_result_put(store, &r2), STORE_OK);
  CHECK_INT(store->ops->exam_result_put(store, &r3), STORE_OK);

  CHECK_INT(store->ops->exam_latest(store, app, &got), STORE_OK);
  CHECK_INT(got.run_id, run2);
  CHECK_STR(got.grade, "A");
  check_findings(&got, &three_findings[1], 1);
  exam_result_free(&got);

  CHECK_INT(store->ops->exam_history(store, app, 0, &l), STORE_OK);
  CHECK_INT(l.count, 3);
  if (l.count == 3) {
    CHECK_INT(l.items[0].run_id, run2);
    CHECK_INT(l.items[1].run_id, run3);
    CHECK_INT(l.items[2].run_id, run1);
    CHECK_INT(l.items[2].finding_count, 0);
    CHECK_STR(l.items[2].app_code, app);
  }
  exam_result_list_free(&l);
  CHECK_INT(store->ops->exam_history(store, app, 2, &l), STORE_OK);
  CHECK_INT(l.count, 2);
  exam_result_list_free(&l);

  /* At equal times the later run is the newer result. */
  struct exam_result r4 = make_result(run4, app, 3000);
  CHECK_INT(store->ops->exam_result_put(store, &r4), STORE_OK);
  CHECK_INT(store->ops->exam_latest(store, app, &got), STORE_OK);
  CHECK_INT(got.run_id, run4);
  CHECK_INT(got.finding_count, 0);
  exam_result_free(&got);

  CHECK_INT(store->ops->exam_latest(store, code("belum"), &got),
            STORE_NOT_FOUND);
  CHECK_INT(store->ops->exam_history(store, code("belum"), 0, &l), STORE_OK);
  CHECK_INT(l.count, 0);
  exam_result_list_free(&l);
}

TEST(exam_latest_all_newest_per_app)
{
  /* "Z" sorts before "a" bytewise: both backends must agree. */
  const char *apps[] = {code("latest-a"), code("Latest-Z"), code("latest-b")};
  int64_t old_run = add_job(store, code("periksa"), 0);
  int64_t new_run = add_job(store, code("periksa"), 0);
  struct exam_result_list l = {0};

  for (size_t i = 0; i < 3; i++) {
    struct exam_result r = make_result(old_run, apps[i], 5000);
    r.findings = three_findings;
    r.finding_count = 3;
    CHECK_INT(store->ops->exam_result_put(store, &r), STORE_OK);
  }
  struct exam_result fresh = make_result(new_run, apps[0], 6000);
  fresh.findings = &three_findings[2];
  fresh.finding_count = 1;
  CHECK_INT(store->ops->exam_result_put(store, &fresh), STORE_OK);
  fresh = make_result(new_run, apps[2], 6000);
  CHECK_INT(store->ops->exam_result_put(store, &fresh), STORE_OK);

  CHECK_INT(store->ops->exam_latest_all(store, &l), STORE_OK);
  const struct exam_result *mine[3] = {0};
  size_t found = 0;
  for (size_t i = 0; i < l.count; i++) {
    if (i > 0)
      CHECK(strcmp(l.items[i - 1].app_code, l.items[i].app_code) < 0);
    if (strstr(l.items[i].app_code, run_suffix) == NULL
        || strncasecmp(l.items[i].app_code, "latest-", 7) != 0)
      continue;
    if (found < 3)
      mine[found] = &l.items[i];
    found++;
  }
  CHECK_INT(found, 3);
  if (found == 3) {
    CHECK_STR(mine[0]->app_code, apps[1]);
    CHECK_INT(mine[0]->run_id, old_run);
    check_findings(mine[0], three_findings, 3);
    CHECK_STR(mine[1]->app_code, apps[0]);
    CHECK_INT(mine[1]->run_id, new_run);
    check_findings(mine[1], &three_findings[2], 1);
    CHECK_STR(mine[2]->app_code, apps[2]);
    CHECK_INT(mine[2]->run_id, new_run);
    CHECK_INT(mine[2]->finding_count, 0);
  }
  exam_result_list_free(&l);
}

/* The same rows, with fixed ids and times, for the digest comparison. */
static void
fill_digest_store(struct store *s)
{
  struct agency a = make_agency("DIGEST", NULL);
  struct app p = make_app("digest-app", "DIGEST");
  struct user u = make_user("digest");
  struct change c = {.change_id = 1, .entity = "app", .code = "digest-app",
                     .field = "*", .new_value = "created", .actor = "t",
                     .at = 5};
  struct session ses = {.created_at = 1, .expires_at = 9, .seen_at = 2};
  struct api_token t = {.name = "tok", .created_at = 3, .revoked_at = 4};
  int64_t n = 0;

  CHECK_INT(s->ops->agency_put(s, &a, NULL), STORE_OK);
  p.launched = NULL;
  CHECK_INT(s->ops->app_put(s, &p, NULL), STORE_OK);
  CHECK_INT(s->ops->change_add(s, &c), STORE_OK);
  CHECK_INT(s->ops->user_add(s, &u), STORE_OK);
  ses.user_id = t.user_id = u.id;
  snprintf(ses.id_hash, sizeof ses.id_hash, "%064d", 7);
  snprintf(ses.lang, sizeof ses.lang, "en");
  CHECK_INT(s->ops->session_add(s, &ses), STORE_OK);
  snprintf(t.hash, sizeof t.hash, "%064d", 8);
  snprintf(t.prefix, sizeof t.prefix, "sp_x");
  CHECK_INT(s->ops->token_add(s, &t), STORE_OK);
  CHECK_INT(s->ops->throttle_fail(s, "user:digest", 6, 0, &n), STORE_OK);
  CHECK_INT(s->ops->meta_put(s, "digest", "ya"), STORE_OK);
  CHECK_INT(s->ops->meta_put(s, "kosong", NULL), STORE_OK);

  struct job j = {
    .id = 7, .kind = "examine", .params = "{\"apps\":[\"digest-app\"]}",
    .state = "done", .dedupe_key = "schedule:examine:0", .created_by = "t",
    .lease_owner = "node-a", .scheduled_for = 10, .created_at = 10,
    .started_at = 11, .finished_at = 12, .progress_done = 1,
    .progress_total = 1,
  };
  CHECK_INT(s->ops->job_add(s, &j), STORE_OK);
  struct exam_result r = make_result(7, "digest-app", 13);
  r.https_redirect = -1;
  r.score = -1;
  r.findings = three_findings;
  r.finding_count = 3;
  CHECK_INT(s->ops->exam_result_put(s, &r), STORE_OK);
  r = make_result(7, "Digest-B", 14);
  CHECK_INT(s->ops->exam_result_put(s, &r), STORE_OK);
}

static const char *const digest_tables[] = {
  "agencies", "apps", "changes", "users", "sessions", "api_tokens",
  "login_failures", "meta", "jobs", "exam_results", "exam_findings",
};

TEST(table_digest_equal_then_different)
{
  const char *fresh = getenv("SIMPUL_TEST_FRESH_STORE");
  struct store *a = open_migrated(fresh && *fresh ? fresh : new_sqlite_url());
  struct store *b = open_migrated(new_sqlite_url());
  struct table_digest da, db;

  fill_digest_store(a);
  fill_digest_store(b);
  for (size_t i = 0; i < sizeof digest_tables / sizeof digest_tables[0];
       i++) {
    CHECK_INT(a->ops->table_digest(a, digest_tables[i], &da), STORE_OK);
    CHECK_INT(b->ops->table_digest(b, digest_tables[i], &db), STORE_OK);
    CHECK_STR(da.table, digest_tables[i]);
    CHECK(da.rows >= 1);
    CHECK_INT(da.rows, db.rows);
    CHECK_STR(da.sha256, db.sha256);
    CHECK_INT(strlen(da.sha256), 64);
  }
  CHECK_INT(a->ops->table_digest(a, "schema_migrations", &da), STORE_OK);
  CHECK_INT(b->ops->table_digest(b, "schema_migrations", &db), STORE_OK);
  CHECK_INT(da.rows, db.rows);

  struct app p = make_app("digest-app", "DIGEST");
  p.launched = NULL;
  p.name = "Diubah";
  CHECK_INT(b->ops->app_put(b, &p, NULL), STORE_OK);
  CHECK_INT(a->ops->table_digest(a, "apps", &da), STORE_OK);
  CHECK_INT(b->ops->table_digest(b, "apps", &db), STORE_OK);
  CHECK_INT(da.rows, db.rows);
  CHECK(strcmp(da.sha256, db.sha256) != 0);

  CHECK_INT(a->ops->table_digest(a, "change_seq", &da), STORE_ERROR);
  CHECK_INT(a->ops->table_digest(a, "apps; DROP TABLE apps", &da),
            STORE_ERROR);
  store_close(a);
  store_close(b);
}

struct retry_counter {
  int calls;
  int retries_left;
};

static enum store_rc
retry_twice(struct store *s, void *arg)
{
  struct retry_counter *r = arg;
  (void)s;
  r->calls++;
  if (r->retries_left > 0) {
    r->retries_left--;
    return STORE_RETRY;
  }
  return STORE_OK;
}

TEST(store_tx_retries_then_succeeds)
{
  struct retry_counter r = {.retries_left = 2};
  CHECK_INT(store_tx(store, false, retry_twice, &r), STORE_OK);
  CHECK_INT(r.calls, 3);
}

TEST(store_tx_gives_up_after_limit)
{
  struct retry_counter r = {.retries_left = 1000};
  CHECK_INT(store_tx(store, true, retry_twice, &r), STORE_RETRY);
  CHECK_INT(r.calls, STORE_TX_RETRIES + 1);
}

static enum store_rc
put_then_fail(struct store *s, void *arg)
{
  enum store_rc rc = s->ops->meta_put(s, arg, "sebagian");
  return rc == STORE_OK ? STORE_ERROR : rc;
}

TEST(store_tx_rolls_back_on_error)
{
  const char *key = code("tx-gagal");
  char *value = NULL;
  CHECK_INT(store_tx(store, false, put_then_fail, (void *)key), STORE_ERROR);
  CHECK_INT(store->ops->meta_get(store, key, &value), STORE_NOT_FOUND);
  free(value);
}

struct increment_job {
  struct store_pool *pool;
  const char *key;
  int times;
  int failures;
};

/* Reads the counter and writes it back plus one: a lost update shows as a
 * final count below the number of increments. */
static enum store_rc
increment_meta(struct store *s, void *arg)
{
  const char *key = arg;
  char *value = NULL, next[32];
  enum store_rc rc = s->ops->meta_get(s, key, &value);
  if (rc != STORE_OK && rc != STORE_NOT_FOUND)
    return rc;
  long n = value ? strtol(value, NULL, 10) : 0;
  free(value);
  snprintf(next, sizeof next, "%ld", n + 1);
  return s->ops->meta_put(s, key, next);
}

static void *
increment_worker(void *arg)
{
  struct increment_job *job = arg;
  struct store *s = store_pool_acquire(job->pool, 5000);
  if (s == NULL) {
    job->failures = job->times;
    return NULL;
  }
  for (int i = 0; i < job->times; i++)
    if (store_tx(s, true, increment_meta, (void *)job->key) != STORE_OK) {
      fprintf(stderr, "  increment failed: %s\n", store_errmsg(s));
      job->failures++;
    }
  store_pool_release(job->pool, s);
  return NULL;
}

TEST(store_tx_concurrent_increments)
{
  enum { WORKERS = 4, TIMES = 25 };
  char err[512], *value = NULL;
  const char *key = code("counter");
  struct store_pool *p = store_pool_open(store_url, WORKERS, err, sizeof err);
  struct increment_job jobs[WORKERS];
  pthread_t threads[WORKERS];

  CHECK(p != NULL);
  if (p == NULL)
    return;
  for (int i = 0; i < WORKERS; i++) {
    jobs[i] = (struct increment_job){.pool = p, .key = key, .times = TIMES};
    CHECK_INT(pthread_create(&threads[i], NULL, increment_worker, &jobs[i]),
              0);
  }
  for (int i = 0; i < WORKERS; i++) {
    pthread_join(threads[i], NULL);
    CHECK_INT(jobs[i].failures, 0);
  }
  store_pool_close(p);
  CHECK_INT(store->ops->meta_get(store, key, &value), STORE_OK);
  CHECK_STR(value, "100");
  free(value);
}

TEST(store_pool_acquire_timeout_release)
{
  char err[512];
  struct store_pool *p = store_pool_open(store_url, 2, err, sizeof err);
  CHECK(p != NULL);
  if (p == NULL) {
    fprintf(stderr, "  store_pool_open: %s\n", err);
    return;
  }
  struct store *a = store_pool_acquire(p, 100);
  struct store *b = store_pool_acquire(p, 100);
  CHECK(a != NULL);
  CHECK(b != NULL);
  CHECK(a != b);

  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct store *c = store_pool_acquire(p, 150);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long waited_ms = (t1.tv_sec - t0.tv_sec) * 1000
                   + (t1.tv_nsec - t0.tv_nsec) / 1000000;
  CHECK(c == NULL);
  CHECK(waited_ms >= 140);
  CHECK(waited_ms < 2000);

  if (a != NULL)
    CHECK_INT(a->ops->ping(a), STORE_OK);
  store_pool_release(p, a);
  c = store_pool_acquire(p, 100);
  CHECK(c == a);
  store_pool_release(p, b);
  store_pool_release(p, c);
  store_pool_close(p);
}

TEST(store_open_reports_bad_path)
{
  char err[512] = "";
  struct store *s = store_open("/nonexistent-simpul-dir/x/y.db", err,
                               sizeof err);
  CHECK(s == NULL);
  CHECK(strstr(err, "/nonexistent-simpul-dir/x/y.db") != NULL);
  store_close(s);
  CHECK(store_open("", err, sizeof err) == NULL);
}

TEST(store_rc_maps_to_errors)
{
  CHECK_INT(store_rc_error(STORE_OK), SP_OK);
  CHECK_INT(store_rc_error(STORE_NOT_FOUND), SP_ERR_NOT_FOUND);
  CHECK_INT(store_rc_error(STORE_CONFLICT), SP_ERR_DUPLICATE);
  CHECK_INT(store_rc_error(STORE_RETRY), SP_ERR_STORE_BUSY);
  CHECK_INT(store_rc_error(STORE_ERROR), SP_ERR_STORE);
}

int
main(void)
{
  const char *url = getenv("SIMPUL_TEST_STORE");

  snprintf(run_suffix, sizeof run_suffix, "%ld-%ld", (long)getpid(),
           (long)time(NULL) % 100000);
  snprintf(temp_dir, sizeof temp_dir, "/tmp/simpul-test-store.XXXXXX");
  if (mkdtemp(temp_dir) == NULL) {
    printf("FAIL setup: cannot create a temporary folder\n");
    return 1;
  }
  atexit(remove_temp_dir);
  snprintf(store_url, sizeof store_url, "%s",
           url && *url ? url : new_sqlite_url());
  store = open_migrated(store_url);

  RUN(migrate_twice_is_noop);
  RUN(agency_put_get_update);
  RUN(agency_list_filters_and_pages);
  RUN(agency_unknown_parent_conflicts);
  RUN(agency_parent_checked_at_commit);
  RUN(app_put_get_every_field);
  RUN(app_put_nulls_and_update);
  RUN(app_unknown_agency_conflicts);
  RUN(app_unknown_merged_into_conflicts);
  RUN(app_taken_id_conflicts);
  RUN(app_list_filters);
  RUN(app_list_search_escapes_wildcards);
  RUN(app_list_sorts_both_ways);
  RUN(app_list_pages_and_total);
  RUN(app_list_name_order_ignores_case);
  RUN(app_list_pages_every_sort);
  RUN(app_count_by_groups);
  RUN(change_ids_and_history_order);
  RUN(change_copied_id_not_reused);
  RUN(user_add_get_update);
  RUN(user_duplicate_name_conflicts);
  RUN(user_list_contains_added);
  RUN(session_lifecycle);
  RUN(session_purge_and_delete_user);
  RUN(session_unknown_user_conflicts);
  RUN(token_lifecycle);
  RUN(token_duplicate_hash_conflicts);
  RUN(throttle_counts_within_window);
  RUN(meta_get_put);
  RUN(job_add_defaults_and_dedupe);
  RUN(job_add_keeps_copied_fields);
  RUN(job_claim_order_and_due_time);
  RUN(job_lease_expiry_allows_takeover);
  RUN(job_lost_lease_refuses_writes);
  RUN(job_list_newest_first);
  RUN(job_claim_concurrent_each_once);
  RUN(exam_result_put_get_with_findings);
  RUN(exam_result_unknowns_stay_unknown);
  RUN(exam_result_put_replaces);
  RUN(exam_result_put_inside_transaction);
  RUN(exam_result_codes_of_run);
  RUN(exam_latest_and_history_order);
  RUN(exam_latest_all_newest_per_app);
  RUN(table_digest_equal_then_different);
  RUN(store_tx_retries_then_succeeds);
  RUN(store_tx_gives_up_after_limit);
  RUN(store_tx_rolls_back_on_error);
  RUN(store_tx_concurrent_increments);
  RUN(store_pool_acquire_timeout_release);
  RUN(store_open_reports_bad_path);
  RUN(store_rc_maps_to_errors);

  store_close(store);
  return TEST_EXIT();
}
