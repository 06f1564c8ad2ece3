/* The field and choice tables of agencies and applications, and access to
 * a record's fields by table entry. */
#include "catalog/catalog.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct choice app_kinds[] = {
  {"website", "Situs web", "Website",
   "situs,situs web,web site,laman,laman web,web profil,site"},
  {"webapp", "Aplikasi web", "Web application",
   "web app,aplikasi web,web application,aplikasi berbasis web"},
  {"android", "Android", "Android", "apk,aplikasi android,android app"},
  {"ios", "iOS", "iOS", "iphone,ipad,aplikasi ios,ios app"},
  {"desktop", "Desktop", "Desktop",
   "aplikasi desktop,desktop app,windows"},
  {"api", "API", "API",
   "layanan api,web service,webservice,rest api,web api"},
  {"other", "Lainnya", "Other", "lainnya,lain-lain,lain"},
  {NULL, NULL, NULL, NULL},
};

static const struct choice app_statuses[] = {
  {"active", "Aktif", "Active", "aktif,berjalan,live,online"},
  {"maintenance", "Perbaikan", "Under maintenance",
   "perbaikan,pemeliharaan,dalam perbaikan"},
  {"inactive", "Nonaktif", "Inactive",
   "nonaktif,non aktif,tidak aktif,mati,offline"},
  {"retired", "Dihapus", "Retired",
   "dihapus,dihentikan,pensiun,deleted,removed"},
  {"merged", "Digabung", "Merged", "digabung,digabungkan,dilebur"},
  {NULL, NULL, NULL, NULL},
};

static const struct choice app_audiences[] = {
  {"publik", "Publik", "Public", "public,umum,masyarakat"},
  {"internal", "Internal", "Internal", "internal pemerintah,pegawai,asn"},
  {"keduanya", "Publik dan internal", "Public and internal",
   "both,publik dan internal,public and internal,semua,all"},
  {NULL, NULL, NULL, NULL},
};

#define APP_FIELD(member, type, max, req, lid, len, ch)                     \
  {#member, type, offsetof(struct app, member), max, req, lid, len, ch}
#define AGENCY_FIELD(member, type, max, req, lid, len)                      \
  {#member, type, offsetof(struct agency, member), max, req, lid, len, NULL}

const struct field_desc agency_fields[] = {
  AGENCY_FIELD(code, FIELD_CODE, 64, true, "Kode", "Code"),
  AGENCY_FIELD(name, FIELD_TEXT, 200, true, "Nama", "Name"),
  AGENCY_FIELD(kind, FIELD_TEXT, 64, false, "Jenis", "Kind"),
  AGENCY_FIELD(parent, FIELD_AGENCY_REF, 64, false, "Induk",
               "Parent agency"),
};
const size_t agency_field_count =
  sizeof agency_fields / sizeof agency_fields[0];

const struct field_desc app_fields[] = {
  APP_FIELD(code, FIELD_CODE, 64, true, "Kode", "Code", NULL),
  APP_FIELD(name, FIELD_TEXT, 200, true, "Nama", "Name", NULL),
  APP_FIELD(kind, FIELD_CHOICE, 64, true, "Jenis", "Kind", app_kinds),
  APP_FIELD(agency, FIELD_AGENCY_REF, 64, true, "Perangkat daerah",
            "Agency", NULL),
  APP_FIELD(url, FIELD_URL, 2048, false, "URL", "URL", NULL),
  APP_FIELD(android_package, FIELD_PACKAGE, 200, false, "Paket Android",
            "Android package", NULL),
  APP_FIELD(purpose, FIELD_LONGTEXT, 4000, false, "Kegunaan", "Purpose",
            NULL),
  APP_FIELD(audience, FIELD_CHOICE, 64, false, "Pengguna", "Audience",
            app_audiences),
  APP_FIELD(developer, FIELD_TEXT, 200, false, "Pengembang", "Developer",
            NULL),
  APP_FIELD(hosting, FIELD_TEXT, 200, false, "Hosting", "Hosting", NULL),
  APP_FIELD(launched, FIELD_YEAR, 32, false, "Tahun peluncuran",
            "Year launched", NULL),
  APP_FIELD(last_updated, FIELD_YEAR, 32, false, "Tahun pembaruan terakhir",
            "Year last updated", NULL),
  APP_FIELD(status, FIELD_CHOICE, 64, false, "Status", "Lifecycle status",
            app_statuses),
  APP_FIELD(merged_into, FIELD_APP_REF, 64, false, "Digabung ke",
            "Merged into", NULL),
  APP_FIELD(store_url, FIELD_URL, 2048, false, "Tautan toko aplikasi",
            "App store link", NULL),
};
const size_t app_field_count = sizeof app_fields / sizeof app_fields[0];

const struct field_desc *
field_find(const struct field_desc *fields, size_t count, const char *name)
{
  if (name == NULL)
    return NULL;
  for (size_t i = 0; i < count; i++)
    if (strcasecmp(fields[i].name, name) == 0)
      return &fields[i];
  return NULL;
}

const char *
field_get(const void *record, const struct field_desc *f)
{
  const char *value = *(char *const *)((const char *)record + f->offset);
  return value != NULL && value[0] != '\0' ? value : NULL;
}

int
field_set(void *record, const struct field_desc *f, const char *value)
{
  char **slot = (char **)((char *)record + f->offset);
  char *copy = NULL;
  if (value != NULL && value[0] != '\0') {
    copy = strdup(value);
    if (copy == NULL)
      return -1;
  }
  free(*slot);
  *slot = copy;
  return 0;
}

/* Writes the matching key of `text` to `out`: ASCII lower case without
 * spaces, '-', '_' and '.', so "Web App", "web-app" and "webapp" agree. */
static void
choice_key(const char *text, size_t len, char *out, size_t size)
{
  size_t n = 0;
  for (size_t i = 0; i < len && n + 1 < size; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t')
      continue;
    out[n++] = (char)tolower(c);
  }
  out[n] = '\0';
}

const struct choice *
choice_find(const struct choice *choices, const char *value)
{
  char want[128], key[128];

  if (choices == NULL || value == NULL || strlen(value) >= sizeof want)
    return NULL;
  choice_key(value, strlen(value), want, sizeof want);
  if (want[0] == '\0')
    return NULL;
  for (const struct choice *c = choices; c->code != NULL; c++) {
    choice_key(c->code, strlen(c->code), key, sizeof key);
    if (strcmp(key, want) == 0)
      return c;
    for (const char *a = c->aliases; a != NULL && *a != '\0';) {
      size_t len = strcspn(a, ",");
      choice_key(a, len, key, sizeof key);
      if (strcmp(key, want) == 0)
        return c;
      a += len;
      if (*a == ',')
        a++;
    }
  }
  return NULL;
}

const char *
choice_label(const struct choice *choices, const char *code,
             const char *lang)
{
  if (choices == NULL || code == NULL)
    return code;
  for (const struct choice *c = choices; c->code != NULL; c++) {
    if (strcmp(c->code, code) == 0)
      return lang != NULL && strcmp(lang, "en") == 0 ? c->label_en
                                                     : c->label_id;
  }
  return code;
}
