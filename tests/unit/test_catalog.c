/* Unit tests of the catalog domain: field tables, normalisation and
 * validation, JSON, and saving with history on a temporary SQLite store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "store/store.h"
#include "testlib.h"

static void
set(void *record, const struct field_desc *fields, size_t count,
    const char *name, const char *value)
{
  const struct field_desc *f = field_find(fields, count, name);
  if (f == NULL || field_set(record, f, value) != 0) {
    fprintf(stderr, "cannot set %s\n", name);
    abort();
  }
}

static void
app_set(struct app *a, const char *name, const char *value)
{
  set(a, app_fields, app_field_count, name, value);
}

static void
agency_set(struct agency *a, const char *name, const char *value)
{
  set(a, agency_fields, agency_field_count, name, value);
}

/* A valid web application of agency DISKOMINFO. */
static struct app
sample_app(const char *code)
{
  struct app a = {0};
  app_set(&a, "code", code);
  app_set(&a, "name", "Sistem Informasi Contoh");
  app_set(&a, "kind", "webapp");
  app_set(&a, "agency", "DISKOMINFO");
  app_set(&a, "url", "https://contoh.metrokota.test");
  app_set(&a, "launched", "2019");
  app_set(&a, "last_updated", "2023");
  return a;
}

static const struct sp_field_error *
error_on(const struct catalog_check *check, const char *field)
{
  for (size_t i = 0; i < check->error_count; i++)
    if (strcmp(check->errors[i].field, field) == 0)
      return &check->errors[i];
  return NULL;
}

static const struct catalog_note *
note_on(const struct catalog_check *check, const char *field)
{
  for (size_t i = 0; i < check->note_count; i++)
    if (strcmp(check->notes[i].field, field) == 0)
      return &check->notes[i];
  return NULL;
}

/* True when a note on `field` contains `text` in English. */
static bool
has_note(const struct catalog_check *check, const char *field,
         const char *text)
{
  for (size_t i = 0; i < check->note_count; i++)
    if (strcmp(check->notes[i].field, field) == 0 &&
        strstr(check->notes[i].text_en, text) != NULL)
      return true;
  return false;
}

/* Checks an app whose `field` is set to `value`. Returns the error code on
 * that field (SP_OK when none) and leaves the normalised value in `out`. */
static enum sp_err
check_field(const char *field, const char *value, char *out, size_t size,
            struct catalog_check *check)
{
  struct app a = sample_app("contoh");
  memset(check, 0, sizeof *check);
  app_set(&a, field, value);
  catalog_check_app(&a, check);
  const char *v = field_get(&a, field_find(app_fields, app_field_count, field));
  snprintf(out, size, "%s", v != NULL ? v : "(null)");
  const struct sp_field_error *e = error_on(check, field);
  app_free(&a);
  return e != NULL ? e->err : SP_OK;
}

TEST(fields_find_get_set)
{
  struct app a = {0};
  const struct field_desc *f = field_find(app_fields, app_field_count,
                                          "Android_Package");
  CHECK(f != NULL);
  CHECK_STR(f->name, "android_package");
  CHECK(field_find(app_fields, app_field_count, "nope") == NULL);
  CHECK_STR(app_fields[0].name, "code");
  CHECK_STR(agency_fields[0].name, "code");
  CHECK_INT(field_set(&a, f, "id.go.x"), 0);
  CHECK_STR(a.android_package, "id.go.x");
  CHECK_STR(field_get(&a, f), "id.go.x");
  CHECK_INT(field_set(&a, f, ""), 0);
  CHECK(a.android_package == NULL);
  CHECK(field_get(&a, f) == NULL);
  app_free(&a);
}

TEST(choice_find_and_labels)
{
  const struct field_desc *kind = field_find(app_fields, app_field_count,
                                             "kind");
  const struct field_desc *status = field_find(app_fields, app_field_count,
                                               "status");
  CHECK_STR(choice_find(kind->choices, "Web App")->code, "webapp");
  CHECK_STR(choice_find(kind->choices, "aplikasi web")->code, "webapp");
  CHECK_STR(choice_find(kind->choices, "APK")->code, "android");
  CHECK_STR(choice_find(kind->choices, "situs")->code, "website");
  CHECK(choice_find(kind->choices, "spreadsheet") == NULL);
  CHECK(choice_find(kind->choices, "") == NULL);
  CHECK_STR(choice_find(status->choices, "digabung")->code, "merged");
  CHECK_STR(choice_label(status->choices, "retired", "id"), "Dihapus");
  CHECK_STR(choice_label(status->choices, "retired", "en"), "Retired");
  CHECK_STR(choice_label(status->choices, "weird", "en"), "weird");
}

TEST(check_valid_app_passes)
{
  struct catalog_check check = {0};
  struct app a = sample_app("  web-contoh  ");
  app_set(&a, "name", "  Nama dengan spasi  ");
  CHECK(catalog_check_app(&a, &check));
  CHECK_INT(check.error_count, 0);
  CHECK_INT(check.note_count, 0);
  CHECK_STR(a.code, "web-contoh");
  CHECK_STR(a.name, "Nama dengan spasi");
  CHECK_STR(a.status, "active");
  app_free(&a);
}

TEST(check_url_scheme_added_with_note)
{
  static const char *const cases[][2] = {
    {"sigap.metrokota.test", "https://sigap.metrokota.test"},
    {"www.x.test/path?q=1", "https://www.x.test/path?q=1"},
    {"host:8080/x", "https://host:8080/x"},
    {"//cdn.x.test/a", "https://cdn.x.test/a"},
    {"10.1.2.3", "https://10.1.2.3"},
  };
  struct catalog_check check;
  char out[256];

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CHECK_INT(check_field("url", cases[i][0], out, sizeof out, &check),
              SP_OK);
    CHECK_STR(out, cases[i][1]);
    CHECK(has_note(&check, "url", "added https://"));
    const struct catalog_note *n = note_on(&check, "url");
    CHECK(n != NULL);
    CHECK(n == NULL || strstr(n->text_id, "https://") != NULL);
  }
}

TEST(check_url_kept_or_lowercased)
{
  struct catalog_check check;
  char out[256];

  CHECK_INT(check_field("url", "http://plain.metrokota.test/A", out,
                        sizeof out, &check), SP_OK);
  CHECK_STR(out, "http://plain.metrokota.test/A");
  CHECK_INT(check.note_count, 0);
  CHECK_INT(check_field("url", "HTTPS://Sigap.Metrokota.TEST/Path", out,
                        sizeof out, &check), SP_OK);
  CHECK_STR(out, "https://sigap.metrokota.test/Path");
  CHECK(has_note(&check, "url", "lower case"));
  CHECK_INT(check_field("url", "https://[2001:db8::1]:8443/x", out,
                        sizeof out, &check), SP_OK);
  CHECK_STR(out, "https://[2001:db8::1]:8443/x");
}

TEST(check_url_rejections)
{
  static const char *const bad[] = {
    "ftp://files.metrokota.test", "javascript:alert(1)", "mailto:a@b.test",
    "https://a b.test", "https://", "https://-x.test", "https://bad_host.test",
    "https://999.1.1.1", "https://x.test:0", "https://x.test:99999",
    "https://x.test:", "https://[zz]/", "https://bücher.test",
    "http:x.test", "https://a..b.test",
  };
  struct catalog_check check;
  char out[256];

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    enum sp_err err = check_field("url", bad[i], out, sizeof out, &check);
    if (err != SP_ERR_BAD_URL)
      fprintf(stderr, "  url '%s' gave %d\n", bad[i], (int)err);
    CHECK_INT(err, SP_ERR_BAD_URL);
  }
  check_field("url", "ftp://files.metrokota.test", out, sizeof out, &check);
  CHECK(strstr(error_on(&check, "url")->detail_en, "'ftp'") != NULL);
  CHECK(strstr(error_on(&check, "url")->detail_en, "https://") != NULL);
}

TEST(check_url_credentials_not_echoed)
{
  struct catalog_check check;
  char out[256];

  CHECK_INT(check_field("url", "https://admin:s3cret@x.metrokota.test/", out,
                        sizeof out, &check), SP_ERR_BAD_URL);
  const struct sp_field_error *e = error_on(&check, "url");
  CHECK(strstr(e->detail_en, "password") != NULL);
  CHECK(strstr(e->detail_en, "s3cret") == NULL);
  CHECK(strstr(e->detail_id, "s3cret") == NULL);
}

TEST(check_url_too_long)
{
  struct catalog_check check;
  char out[256];
  char *url = malloc(2100);
  strcpy(url, "https://x.test/");
  memset(url + 15, 'a', 2040);
  url[2055] = '\0';
  CHECK_INT(check_field("url", url, out, sizeof out, &check), SP_ERR_TOO_LONG);
  free(url);
}

TEST(check_years)
{
  struct catalog_check check;
  char out[256], next_year[16], too_late[16];
  int year = 0;
  {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    year = tm.tm_year + 1900;
  }
  snprintf(next_year, sizeof next_year, "%d", year + 1);
  snprintf(too_late, sizeof too_late, "%d", year + 2);

  CHECK_INT(check_field("last_updated", "-", out, sizeof out, &check), SP_OK);
  CHECK_STR(out, "(null)");
  CHECK(note_on(&check, "last_updated") != NULL);
  CHECK(strstr(note_on(&check, "last_updated")->text_en, "unknown") != NULL);
  CHECK_INT(check_field("launched", "n/a", out, sizeof out, &check), SP_OK);
  CHECK_STR(out, "(null)");
  CHECK_INT(check_field("launched", "?", out, sizeof out, &check), SP_OK);
  CHECK_INT(check_field("launched", "", out, sizeof out, &check), SP_OK);
  CHECK_INT(check.note_count, 0);
  CHECK_INT(check_field("launched", "1990", out, sizeof out, &check), SP_OK);
  CHECK_INT(check_field("last_updated", next_year, out, sizeof out, &check),
            SP_OK);
  CHECK_INT(check_field("last_updated", too_late, out, sizeof out, &check),
            SP_ERR_BAD_YEAR);
  CHECK_INT(check_field("launched", "1989", out, sizeof out, &check),
            SP_ERR_BAD_YEAR);
  CHECK_INT(check_field("launched", "13", out, sizeof out, &check),
            SP_ERR_BAD_YEAR);
  CHECK_INT(check_field("launched", "2013.0", out, sizeof out, &check),
            SP_ERR_BAD_YEAR);
  CHECK(strstr(error_on(&check, "launched")->detail_en, "'2013.0'") != NULL);
  /* sample_app was launched in 2019 */
  CHECK_INT(check_field("last_updated", "2015", out, sizeof out, &check),
            SP_ERR_BAD_YEAR_ORDER);
}

TEST(check_choice_aliases_noted)
{
  struct catalog_check check;
  char out[256];

  CHECK_INT(check_field("kind", "Aplikasi Web", out, sizeof out, &check),
            SP_OK);
  CHECK_STR(out, "webapp");
  CHECK(strstr(note_on(&check, "kind")->text_en, "read as 'webapp'") != NULL);
  CHECK_INT(check_field("audience", "public", out, sizeof out, &check), SP_OK);
  CHECK_STR(out, "publik");
  CHECK_INT(check_field("audience", "both", out, sizeof out, &check), SP_OK);
  CHECK_STR(out, "keduanya");
  CHECK_INT(check_field("status", "nonaktif", out, sizeof out, &check),
            SP_OK);
  CHECK_STR(out, "inactive");
  CHECK_INT(check_field("kind", "webapp", out, sizeof out, &check), SP_OK);
  CHECK_INT(check.note_count, 0);
  CHECK_INT(check_field("kind", "spreadsheet", out, sizeof out, &check),
            SP_ERR_BAD_CHOICE);
  CHECK(strstr(error_on(&check, "kind")->detail_en, "website, webapp") !=
        NULL);
}

TEST(check_codes)
{
  struct catalog_check check;
  char out[256];
  char long_code[80];
  memset(long_code, 'a', 65);
  long_code[65] = '\0';

  CHECK_INT(check_field("code", "Web.Setda_1-x", out, sizeof out, &check),
            SP_OK);
  CHECK_INT(check_field("code", "web setda", out, sizeof out, &check),
            SP_ERR_BAD_CODE);
  CHECK_INT(check_field("code", long_code, out, sizeof out, &check),
            SP_ERR_TOO_LONG);
  CHECK_INT(check_field("agency", "DINAS/X", out, sizeof out, &check),
            SP_ERR_BAD_CODE);
  CHECK_INT(check_field("name", "", out, sizeof out, &check),
            SP_ERR_REQUIRED);
}

TEST(check_text_rules)
{
  struct catalog_check check;
  char out[256];
  char *big = malloc(1000001);
  memset(big, 'x', 1000000);
  big[1000000] = '\0';

  CHECK_INT(check_field("purpose", big, out, sizeof out, &check),
            SP_ERR_TOO_LONG);
  CHECK(strstr(error_on(&check, "purpose")->detail_en, "1000000 bytes") !=
        NULL);
  CHECK(strstr(error_on(&check, "purpose")->detail_en, "4000") != NULL);
  free(big);
  CHECK_INT(check_field("name", "Ab\xC3\x28z", out, sizeof out, &check),
            SP_ERR_BAD_UTF8);
  CHECK(strstr(error_on(&check, "name")->detail_en, "byte offset 2") != NULL);
  CHECK(strstr(error_on(&check, "name")->detail_en, "\\xC3") != NULL);
  CHECK_INT(check_field("code", "new", out, sizeof out, &check),
            SP_ERR_BAD_CODE);
  CHECK(strstr(error_on(&check, "code")->detail_en, "reserved") != NULL);
  CHECK_INT(check_field("code", "..", out, sizeof out, &check),
            SP_ERR_BAD_CODE);
  CHECK_INT(check_field("code", "new-app", out, sizeof out, &check), SP_OK);
  CHECK_INT(check_field("name", "a\x01z", out, sizeof out, &check),
            SP_ERR_CONTROL_CHAR);
  CHECK_INT(check_field("name", "two\nlines", out, sizeof out, &check),
            SP_ERR_CONTROL_CHAR);
  CHECK_INT(check_field("purpose", "two\r\nlines\tand tab", out, sizeof out,
                        &check), SP_OK);
  CHECK_STR(out, "two\nlines\tand tab");
  CHECK_INT(check_field("name", "Layanan Kesehatan Ibu dan Anak \xE2\x80\x94 "
                        "Puskesmas", out, sizeof out, &check), SP_OK);
}

TEST(check_merged_into_rules)
{
  struct catalog_check check = {0};
  struct app a = sample_app("lama");

  app_set(&a, "status", "digabung");
  CHECK(!catalog_check_app(&a, &check));
  CHECK_INT(error_on(&check, "merged_into")->err, SP_ERR_MERGED_INTO);
  memset(&check, 0, sizeof check);
  app_set(&a, "merged_into", "lama");
  CHECK(!catalog_check_app(&a, &check));
  CHECK(strstr(error_on(&check, "merged_into")->detail_en, "itself") != NULL);
  memset(&check, 0, sizeof check);
  app_set(&a, "merged_into", "baru");
  CHECK(catalog_check_app(&a, &check));
  CHECK_STR(a.status, "merged");
  memset(&check, 0, sizeof check);
  app_set(&a, "status", "active");
  CHECK(!catalog_check_app(&a, &check));
  CHECK(strstr(error_on(&check, "merged_into")->detail_en,
               "not merged") != NULL);
  app_free(&a);
}

static struct app
android_app(const char *url, const char *package)
{
  struct app a = sample_app("mobile");
  app_set(&a, "kind", "android");
  app_set(&a, "url", url);
  app_set(&a, "android_package", package);
  return a;
}

TEST(check_play_link_moved_to_store_url)
{
  struct catalog_check check = {0};
  struct app a = android_app(
    "play.google.com/store/apps/details?id=id.go.metrokota.sapawarga&hl=id",
    NULL);

  CHECK(catalog_check_app(&a, &check));
  CHECK(a.url == NULL);
  CHECK_STR(a.store_url, "https://play.google.com/store/apps/details"
                         "?id=id.go.metrokota.sapawarga&hl=id");
  CHECK_STR(a.android_package, "id.go.metrokota.sapawarga");
  CHECK(has_note(&check, "url", "added https://"));
  CHECK(has_note(&check, "url", "moved the Google Play link"));
  CHECK(note_on(&check, "android_package") != NULL);
  app_free(&a);
}

TEST(check_store_links_other_stores)
{
  struct catalog_check check = {0};
  struct app a = android_app("https://f-droid.org/en/packages/org.x.app/",
                             "org.x.app");
  CHECK(catalog_check_app(&a, &check));
  CHECK(a.url == NULL);
  CHECK_STR(a.android_package, "org.x.app");
  app_free(&a);

  memset(&check, 0, sizeof check);
  a = android_app("https://appgallery.huawei.com/app/C101234567", NULL);
  CHECK(catalog_check_app(&a, &check));
  CHECK(a.url == NULL);
  CHECK(a.store_url != NULL);
  CHECK(a.android_package == NULL);
  app_free(&a);

  memset(&check, 0, sizeof check);
  a = android_app("https://api-x.metrokota.test", "id.go.metrokota.x");
  CHECK(catalog_check_app(&a, &check));
  CHECK_STR(a.url, "https://api-x.metrokota.test");
  CHECK(a.store_url == NULL);
  app_free(&a);
}

TEST(check_store_link_conflicts)
{
  struct catalog_check check = {0};
  struct app a = android_app(
    "https://play.google.com/store/apps/details?id=id.go.metrokota.satu",
    "id.go.metrokota.dua");
  CHECK(!catalog_check_app(&a, &check));
  CHECK_INT(error_on(&check, "android_package")->err, SP_ERR_BAD_PACKAGE);
  CHECK(strstr(error_on(&check, "android_package")->detail_en, "differs") !=
        NULL);
  app_free(&a);

  memset(&check, 0, sizeof check);
  a = sample_app("web");
  app_set(&a, "url",
          "https://play.google.com/store/apps/details?id=id.go.metrokota.x");
  CHECK(!catalog_check_app(&a, &check));
  CHECK(strstr(error_on(&check, "url")->detail_en, "set kind to android") !=
        NULL);
  app_free(&a);
}

TEST(check_package_rules)
{
  struct catalog_check check = {0};
  static const char *const bad[] = {"com", "1abc.def", "id.go-x.app",
                                    "id..x", "id.go.", ".id.go", "id._x"};

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    memset(&check, 0, sizeof check);
    struct app a = android_app("https://api.metrokota.test", bad[i]);
    CHECK(!catalog_check_app(&a, &check));
    CHECK(error_on(&check, "android_package") != NULL);
    app_free(&a);
  }
  memset(&check, 0, sizeof check);
  struct app a = android_app("https://api.metrokota.test", "id.go_x.App2");
  CHECK(catalog_check_app(&a, &check));
  app_free(&a);

  memset(&check, 0, sizeof check);
  a = sample_app("web");
  app_set(&a, "android_package", "id.go.metrokota.web");
  CHECK(!catalog_check_app(&a, &check));
  CHECK(strstr(error_on(&check, "android_package")->detail_en,
               "set kind to android") != NULL);
  app_free(&a);
}

TEST(check_agency_rules)
{
  struct catalog_check check = {0};
  struct agency a = {0};

  agency_set(&a, "code", "DINKES");
  agency_set(&a, "name", " Dinas Kesehatan ");
  agency_set(&a, "parent", "DINKES");
  CHECK(!catalog_check_agency(&a, &check));
  CHECK_INT(error_on(&check, "parent")->err, SP_ERR_PARENT_CYCLE);
  CHECK(strstr(error_on(&check, "parent")->detail_en, "DINKES -> DINKES") !=
        NULL);
  CHECK_STR(a.name, "Dinas Kesehatan");
  memset(&check, 0, sizeof check);
  agency_set(&a, "parent", NULL);
  agency_set(&a, "name", NULL);
  CHECK(!catalog_check_agency(&a, &check));
  CHECK_INT(error_on(&check, "name")->err, SP_ERR_REQUIRED);
  agency_free(&a);
}

TEST(app_json_has_every_field)
{
  struct app a = sample_app("web-x");
  a.created_at = 1700000000;
  json_t *o = catalog_app_json(&a);
  CHECK(o != NULL);
  CHECK_INT(json_object_size(o), app_field_count + 2);
  CHECK_STR(json_string_value(json_object_get(o, "code")), "web-x");
  CHECK(json_is_null(json_object_get(o, "android_package")));
  CHECK_STR(json_string_value(json_object_get(o, "created_at")),
            "2023-11-14T22:13:20Z");
  CHECK(json_is_null(json_object_get(o, "updated_at")));
  json_decref(o);
  app_free(&a);
}

TEST(apply_json_sets_fields)
{
  struct catalog_check check = {0};
  struct app a = sample_app("web-x");
  json_error_t jerr;
  json_t *body = json_loads("{\"code\":\"other\",\"name\":\"Baru\","
                            "\"url\":null,\"launched\":2020,"
                            "\"created_at\":\"x\"}", 0, &jerr);

  CHECK(catalog_apply_json(&a, app_fields, app_field_count, body, false,
                           &check));
  CHECK_INT(check.error_count, 0);
  CHECK_STR(a.code, "web-x");
  CHECK_STR(a.name, "Baru");
  CHECK(a.url == NULL);
  CHECK_STR(a.launched, "2020");
  json_decref(body);

  body = json_loads("{\"code\":\"other\"}", 0, &jerr);
  CHECK(catalog_apply_json(&a, app_fields, app_field_count, body, true,
                           &check));
  CHECK_STR(a.code, "other");
  json_decref(body);
  app_free(&a);
}

TEST(apply_json_rejects_bad_input)
{
  struct catalog_check check = {0};
  struct agency a = {0};
  json_error_t jerr;
  json_t *body = json_loads("{\"name\":5,\"colour\":\"red\","
                            "\"kind\":[\"x\"],\"parent\":\"a\\u0000b\"}",
                            JSON_ALLOW_NUL, &jerr);

  CHECK(!catalog_apply_json(&a, agency_fields, agency_field_count, body,
                            true, &check));
  CHECK_INT(check.error_count, 4);
  CHECK_INT(error_on(&check, "name")->err, SP_ERR_BAD_REQUEST);
  CHECK_INT(error_on(&check, "colour")->err, SP_ERR_UNKNOWN_FIELD);
  CHECK_INT(error_on(&check, "kind")->err, SP_ERR_BAD_REQUEST);
  CHECK_INT(error_on(&check, "parent")->err, SP_ERR_BAD_REQUEST);
  json_decref(body);

  memset(&check, 0, sizeof check);
  body = json_loads("[1,2]", 0, &jerr);
  CHECK(!catalog_apply_json(&a, agency_fields, agency_field_count, body,
                            true, &check));
  CHECK_INT(check.errors[0].err, SP_ERR_BAD_JSON);
  json_decref(body);
  agency_free(&a);
}

TEST(change_json_fields)
{
  struct change c = {.id = 7, .change_id = 3, .entity = "app",
                     .code = "web-x", .field = "name", .old_value = NULL,
                     .new_value = "Baru", .actor = "ani", .at = 86400};
  json_t *o = catalog_change_json(&c);
  CHECK(o != NULL);
  CHECK_INT(json_integer_value(json_object_get(o, "change_id")), 3);
  CHECK(json_is_null(json_object_get(o, "old_value")));
  CHECK_STR(json_string_value(json_object_get(o, "at")),
            "1970-01-02T00:00:00Z");
  json_decref(o);
}

/* A fresh, migrated SQLite store in a temporary file. */
static struct store *
open_store(char *path, size_t size)
{
  char err[512];
  int version;
  snprintf(path, size, "/tmp/simpul-test-catalog-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0)
    return NULL;
  close(fd);
  struct store *s = store_open(path, err, sizeof err);
  if (s == NULL) {
    fprintf(stderr, "store_open: %s\n", err);
    return NULL;
  }
  if (s->ops->migrate(s, &version) != STORE_OK) {
    store_close(s);
    return NULL;
  }
  return s;
}

static void
remove_store(struct store *s, const char *path)
{
  char extra[300];
  store_close(s);
  unlink(path);
  snprintf(extra, sizeof extra, "%s-wal", path);
  unlink(extra);
  snprintf(extra, sizeof extra, "%s-shm", path);
  unlink(extra);
}

static enum sp_err
save_agency(struct store *s, const char *code, const char *parent,
            bool create)
{
  struct catalog_check check = {0};
  struct agency a = {0};
  agency_set(&a, "code", code);
  agency_set(&a, "name", code);
  agency_set(&a, "parent", parent);
  enum sp_err err = catalog_save_agency(s, &a, create, "test", &check, NULL);
  agency_free(&a);
  return err;
}

TEST(save_app_with_history)
{
  char path[64];
  struct store *s = open_store(path, sizeof path);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  struct catalog_check check = {0};
  bool changed = false;

  CHECK_INT(save_agency(s, "DISKOMINFO", NULL, true), SP_OK);
  struct app a = sample_app("web-x");
  app_set(&a, "url", "web-x.metrokota.test");
  CHECK_INT(catalog_save_app(s, &a, true, "ani", &check, &changed), SP_OK);
  CHECK(changed);
  CHECK_INT(check.note_count, 1);
  memset(&check, 0, sizeof check);
  CHECK_INT(catalog_save_app(s, &a, true, "ani", &check, &changed),
            SP_ERR_DUPLICATE);
  CHECK(error_on(&check, "code") != NULL);

  memset(&check, 0, sizeof check);
  CHECK_INT(catalog_save_app(s, &a, false, "ani", &check, &changed), SP_OK);
  CHECK(!changed);
  app_set(&a, "name", "Nama Baru");
  CHECK_INT(catalog_save_app(s, &a, false, "budi", &check, &changed), SP_OK);
  CHECK(changed);

  struct change_list history = {0};
  CHECK_INT(s->ops->change_list(s, "app", "web-x", 0, &history), STORE_OK);
  CHECK(history.count >= 3);
  if (history.count > 0) {
    CHECK_STR(history.items[0].field, "name");
    CHECK_STR(history.items[0].old_value, "Sistem Informasi Contoh");
    CHECK_STR(history.items[0].new_value, "Nama Baru");
    CHECK_STR(history.items[0].actor, "budi");
    CHECK_STR(history.items[history.count - 1].field, "*");
  }
  change_list_free(&history);

  struct app stored = {0};
  CHECK_INT(s->ops->app_get(s, "web-x", &stored), STORE_OK);
  CHECK_STR(stored.url, "https://web-x.metrokota.test");
  CHECK_STR(stored.status, "active");
  app_free(&stored);
  app_free(&a);
  remove_store(s, path);
}

TEST(save_app_reference_errors)
{
  char path[64];
  struct store *s = open_store(path, sizeof path);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  struct catalog_check check = {0};
  struct app a = sample_app("web-y");

  CHECK_INT(catalog_save_app(s, &a, true, "ani", &check, NULL),
            SP_ERR_UNKNOWN_AGENCY);
  CHECK(strstr(error_on(&check, "agency")->detail_en, "'DISKOMINFO'") !=
        NULL);
  CHECK_INT(save_agency(s, "DISKOMINFO", NULL, true), SP_OK);
  memset(&check, 0, sizeof check);
  app_set(&a, "status", "merged");
  app_set(&a, "merged_into", "missing-app");
  CHECK_INT(catalog_save_app(s, &a, true, "ani", &check, NULL),
            SP_ERR_UNKNOWN_APP);
  memset(&check, 0, sizeof check);
  CHECK_INT(catalog_save_app(s, &a, false, "ani", &check, NULL),
            SP_ERR_NOT_FOUND);
  struct app_list list = {0};
  struct app_filter filter = {0};
  CHECK_INT(s->ops->app_list(s, &filter, &list), STORE_OK);
  CHECK_INT(list.count, 0);
  app_list_free(&list);
  app_free(&a);
  remove_store(s, path);
}

TEST(save_agency_parent_cycle)
{
  char path[64];
  struct store *s = open_store(path, sizeof path);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  struct catalog_check check = {0};

  CHECK_INT(save_agency(s, "A", NULL, true), SP_OK);
  CHECK_INT(save_agency(s, "B", "A", true), SP_OK);
  CHECK_INT(save_agency(s, "C", "B", true), SP_OK);
  CHECK_INT(save_agency(s, "D", "NOPE", true), SP_ERR_UNKNOWN_AGENCY);

  struct agency a = {0};
  agency_set(&a, "code", "A");
  agency_set(&a, "name", "A");
  agency_set(&a, "parent", "C");
  CHECK_INT(catalog_save_agency(s, &a, false, "ani", &check, NULL),
            SP_ERR_PARENT_CYCLE);
  CHECK(strstr(error_on(&check, "parent")->detail_en, "A -> C -> B -> A") !=
        NULL);
  agency_free(&a);

  struct agency stored = {0};
  CHECK_INT(s->ops->agency_get(s, "A", &stored), STORE_OK);
  CHECK(stored.parent == NULL);
  agency_free(&stored);
  remove_store(s, path);
}

TEST(save_with_etag_detects_conflict)
{
  char path[64];
  struct store *s = open_store(path, sizeof path);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  struct catalog_check check = {0};
  char tag[CATALOG_ETAG_SIZE], again[CATALOG_ETAG_SIZE];
  CHECK_INT(save_agency(s, "DISKOMINFO", NULL, true), SP_OK);
  struct app a = sample_app("web-e");
  CHECK_INT(catalog_save_app(s, &a, true, "ani", &check, NULL), SP_OK);

  struct app first = {0}, second = {0};
  CHECK_INT(s->ops->app_get(s, "web-e", &first), STORE_OK);
  CHECK_INT(s->ops->app_get(s, "web-e", &second), STORE_OK);
  CHECK(catalog_app_etag(&first, tag));
  CHECK_INT((int)strlen(tag), 64);
  CHECK(catalog_app_etag(&second, again));
  CHECK_STR(tag, again);
  app_set(&first, "purpose", "Pertama");
  memset(&check, 0, sizeof check);
  CHECK_INT(catalog_save_app_if(s, &first, false, tag, "ani", &check, NULL),
            SP_OK);
  app_set(&second, "developer", "vendor");
  memset(&check, 0, sizeof check);
  CHECK_INT(catalog_save_app_if(s, &second, false, tag, "budi", &check,
                                NULL),
            SP_ERR_CONFLICT);
  CHECK_INT(check.error_count, 0);

  struct app stored = {0};
  CHECK_INT(s->ops->app_get(s, "web-e", &stored), STORE_OK);
  CHECK_STR(stored.purpose, "Pertama");
  CHECK(stored.developer == NULL);
  CHECK(catalog_app_etag(&stored, again));
  CHECK(strcmp(tag, again) != 0);
  app_free(&stored);
  app_free(&first);
  app_free(&second);
  app_free(&a);
  remove_store(s, path);
}

TEST(save_merge_chain_rules)
{
  char path[64];
  struct store *s = open_store(path, sizeof path);
  CHECK(s != NULL);
  if (s == NULL)
    return;
  struct catalog_check check = {0};
  CHECK_INT(save_agency(s, "DISKOMINFO", NULL, true), SP_OK);
  struct app a = sample_app("m-a"), b = sample_app("m-b"),
             c = sample_app("m-c");
  CHECK_INT(catalog_save_app(s, &b, true, "ani", &check, NULL), SP_OK);
  app_set(&a, "status", "merged");
  app_set(&a, "merged_into", "m-b");
  CHECK_INT(catalog_save_app(s, &a, true, "ani", &check, NULL), SP_OK);

  app_set(&b, "status", "merged");
  app_set(&b, "merged_into", "m-a");
  memset(&check, 0, sizeof check);
  CHECK_INT(catalog_save_app(s, &b, false, "ani", &check, NULL),
            SP_ERR_MERGED_INTO);
  const struct sp_field_error *fe = error_on(&check, "merged_into");
  CHECK(fe != NULL && strstr(fe->detail_en, "m-b -> m-a -> m-b") != NULL);

  app_set(&c, "status", "merged");
  app_set(&c, "merged_into", "m-a");
  memset(&check, 0, sizeof check);
  CHECK_INT(catalog_save_app(s, &c, true, "ani", &check, NULL),
            SP_ERR_MERGED_INTO);
  fe = error_on(&check, "merged_into");
  CHECK(fe != NULL && strstr(fe->detail_en, "merge into 'm-b' instead") !=
                        NULL);

  app_set(&c, "merged_into", "M-X");
  memset(&check, 0, sizeof check);
  CHECK_INT(catalog_save_app(s, &c, true, "ani", &check, NULL),
            SP_ERR_UNKNOWN_APP);
  fe = error_on(&check, "merged_into");
  CHECK(fe != NULL && strstr(fe->detail_en, "did you mean 'm-a'") != NULL);
  app_free(&a);
  app_free(&b);
  app_free(&c);
  remove_store(s, path);
}

TEST(check_codes_case_and_invisible)
{
  struct catalog_check check = {0};
  struct app a = sample_app("Web-Case");
  app_set(&a, "agency", "diskominfo");
  CHECK(catalog_check_app(&a, &check));
  CHECK_STR(a.code, "web-case");
  CHECK_STR(a.agency, "DISKOMINFO");
  CHECK_INT(check.note_count, 2);
  app_free(&a);

  memset(&check, 0, sizeof check);
  a = sample_app("web-bidi");
  app_set(&a, "name", "Nama\xe2\x80\xaetxt.exe");
  CHECK(!catalog_check_app(&a, &check));
  const struct sp_field_error *fe = error_on(&check, "name");
  CHECK(fe != NULL && fe->err == SP_ERR_CONTROL_CHAR);
  CHECK(fe != NULL && strstr(fe->detail_en, "U+202E") != NULL);
  CHECK(fe != NULL && strstr(fe->detail_en, "\xe2\x80\xae") == NULL);
  app_free(&a);

  memset(&check, 0, sizeof check);
  struct agency g = {0};
  agency_set(&g, "code", "setda");
  agency_set(&g, "name", "Sekretariat Daerah");
  CHECK(catalog_check_agency(&g, &check));
  CHECK_STR(g.code, "SETDA");
  agency_free(&g);
}


int
main(void)
{
  RUN(fields_find_get_set);
  RUN(choice_find_and_labels);
  RUN(check_valid_app_passes);
  RUN(check_url_scheme_added_with_note);
  RUN(check_url_kept_or_lowercased);
  RUN(check_url_rejections);
  RUN(check_url_credentials_not_echoed);
  RUN(check_url_too_long);
  RUN(check_years);
  RUN(check_choice_aliases_noted);
  RUN(check_codes);
  RUN(check_text_rules);
  RUN(check_merged_into_rules);
  RUN(check_play_link_moved_to_store_url);
  RUN(check_store_links_other_stores);
  RUN(check_store_link_conflicts);
  RUN(check_package_rules);
  RUN(check_agency_rules);
  RUN(app_json_has_every_field);
  RUN(apply_json_sets_fields);
  RUN(apply_json_rejects_bad_input);
  RUN(change_json_fields);
  RUN(save_app_with_history);
  RUN(save_app_reference_errors);
  RUN(save_agency_parent_cycle);
  RUN(save_with_etag_detects_conflict);
  RUN(save_merge_chain_rules);
  RUN(check_codes_case_and_invisible);
  return TEST_EXIT();
}
