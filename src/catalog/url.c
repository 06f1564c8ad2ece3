/* URL normalisation and app-store links; see url.h. */
#include "catalog/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/internal.h"
#include "core/buf.h"

#define SCHEME_CHARS                                                        \
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-"

/* Finds the scheme of `v`. Returns 1 for http or https, with `*rest` after
 * the "://"; 0 when there is none (a bare host, "host:port/..." or
 * "//host"), with `*rest` at the host; -1 for another scheme or a scheme
 * without "//". `*scheme_len` is the length of the scheme found. */
static int
find_scheme(const char *v, const char **rest, size_t *scheme_len)
{
  size_t n = isalpha((unsigned char)v[0]) ? strspn(v, SCHEME_CHARS) : 0;

  *scheme_len = n;
  *rest = v;
  if (n == 0 || v[n] != ':') {
    if (v[0] == '/' && v[1] == '/')
      *rest = v + 2;
    return 0;
  }
  if (v[n + 1] == '/' && v[n + 2] == '/') {
    *rest = v + n + 3;
    bool http = (n == 4 && strncasecmp(v, "http", 4) == 0) ||
                (n == 5 && strncasecmp(v, "https", 5) == 0);
    return http ? 1 : -1;
  }
  size_t digits = strspn(v + n + 1, "0123456789");
  char after = v[n + 1 + digits];
  if (digits > 0 &&
      (after == '\0' || after == '/' || after == '?' || after == '#'))
    return 0;
  return -1;
}

/* A DNS host name (letters, digits and '-' in dot-separated labels of at
 * most 63 bytes, one trailing dot allowed) or a dotted IPv4 address. */
static bool
host_name_valid(const char *host, size_t len)
{
  char ip[16];

  if (len > 0 && host[len - 1] == '.')
    len--;
  if (len == 0 || len > 253)
    return false;
  if (strspn(host, "0123456789.") >= len) {
    if (len >= sizeof ip)
      return false;
    memcpy(ip, host, len);
    ip[len] = '\0';
    struct in_addr addr;
    return inet_pton(AF_INET, ip, &addr) == 1;
  }
  size_t label = 0;
  for (size_t i = 0; i <= len; i++) {
    char c = i < len ? host[i] : '.';
    if (c == '.') {
      if (label == 0 || label > 63 || host[i - 1] == '-')
        return false;
      label = 0;
    } else if (isalnum((unsigned char)c) || (c == '-' && label > 0)) {
      label++;
    } else {
      return false;
    }
  }
  return true;
}

static bool
ipv6_valid(const char *text, size_t len)
{
  char ip[64];
  struct in6_addr addr;
  if (len == 0 || len >= sizeof ip)
    return false;
  memcpy(ip, text, len);
  ip[len] = '\0';
  return inet_pton(AF_INET6, ip, &addr) == 1;
}

/* Checks the host and port of the authority `auth` (`len` bytes, without
 * user information). Returns NULL, or the reason in English and in
 * Indonesian through `why_id`. */
static const char *
authority_problem(const char *auth, size_t len, const char **why_id)
{
  size_t host_len;
  const char *port = NULL;

  if (len > 0 && auth[0] == '[') {
    const char *close = memchr(auth, ']', len);
    if (close == NULL || !ipv6_valid(auth + 1, (size_t)(close - auth - 1))) {
      *why_id = "alamat IPv6 di antara [ ] tidak valid";
      return "the IPv6 address between [ ] is invalid";
    }
    host_len = (size_t)(close - auth) + 1;
  } else {
    const char *colon = memchr(auth, ':', len);
    host_len = colon != NULL ? (size_t)(colon - auth) : len;
    if (host_len == 0) {
      *why_id = "tidak ada nama host; tulis https://HOST/PATH";
      return "there is no host name; write https://HOST/PATH";
    }
    for (size_t i = 0; i < host_len; i++) {
      if ((unsigned char)auth[i] >= 0x80) {
        *why_id = "nama host memuat huruf non-ASCII; tulis dalam bentuk "
                  "punycode (xn--)";
        return "the host name has non-ASCII letters; write it in its "
               "punycode (xn--) form";
      }
    }
    if (!host_name_valid(auth, host_len)) {
      *why_id = "nama host tidak valid; nama host terdiri atas huruf, angka "
                "dan '-' yang dipisah titik, atau alamat IP";
      return "the host name is invalid; a host name is letters, digits and "
             "'-' separated by dots, or an IP address";
    }
  }
  if (host_len < len) {
    port = auth + host_len;
    size_t digits = len - host_len - 1;
    long value = digits > 0 && digits <= 5 ? strtol(port + 1, NULL, 10) : 0;
    if (port[0] != ':' || strspn(port + 1, "0123456789") < digits ||
        value < 1 || value > 65535) {
      *why_id = "port tidak valid; tulis angka 1 sampai 65535 setelah ':'";
      return "the port is invalid; write a number from 1 to 65535 after ':'";
    }
  }
  return NULL;
}

/* Rejects what cannot be normalised; true when `v` may be rebuilt. */
static bool
url_acceptable(const char *v, const struct field_desc *f, const char *shown,
               struct catalog_check *check)
{
  const char *rest, *why_en, *why_id = NULL;
  size_t scheme_len;
  int scheme = find_scheme(v, &rest, &scheme_len);

  if (v[strcspn(v, " \t\r\n\"<>")] != '\0') {
    catalog_error(check, SP_ERR_BAD_URL, f->name,
                  "URL '%s' memuat spasi, '\"', '<' atau '>': tulis dalam "
                  "bentuk persen (%%20, %%22, %%3C, %%3E) atau hapus",
                  "URL '%s' contains a space, '\"', '<' or '>': "
                  "percent-encode them (%%20, %%22, %%3C, %%3E) or remove "
                  "them",
                  shown);
    return false;
  }
  if (scheme < 0) {
    catalog_error(check, SP_ERR_BAD_URL, f->name,
                  "URL '%s' memakai skema '%.*s': hanya alamat http:// dan "
                  "https:// yang diterima",
                  "URL '%s' uses the scheme '%.*s': only http:// and "
                  "https:// addresses are accepted",
                  shown, (int)scheme_len, v);
    return false;
  }
  size_t auth_len = strcspn(rest, "/?#");
  if (memchr(rest, '@', auth_len) != NULL) {
    /* The value is not shown: it may hold a password. */
    catalog_error(check, SP_ERR_BAD_URL, f->name,
                  "URL memuat nama pengguna atau kata sandi sebelum '@': "
                  "hapus keduanya, katalog tidak boleh menyimpan kredensial",
                  "the URL contains a user name or password before '@': "
                  "remove them, the catalog must not store credentials");
    return false;
  }
  why_en = authority_problem(rest, auth_len, &why_id);
  if (why_en != NULL) {
    char text_id[384], text_en[384];
    snprintf(text_id, sizeof text_id, "URL '%s': %s", shown, why_id);
    snprintf(text_en, sizeof text_en, "URL '%s': %s", shown, why_en);
    catalog_error_text(check, SP_ERR_BAD_URL, f->name, text_id, text_en);
    return false;
  }
  return true;
}

bool
catalog_normalise_url(char **slot, const struct field_desc *f,
                      struct catalog_check *check)
{
  char shown[256];
  const char *v = *slot, *rest;
  size_t scheme_len;
  struct buf b;

  catalog_value_text(shown, sizeof shown, v);
  if (!url_acceptable(v, f, shown, check))
    return false;
  int scheme = find_scheme(v, &rest, &scheme_len);
  size_t auth_len = strcspn(rest, "/?#");
  size_t total = (scheme == 0 ? 5 : scheme_len) + 3 + strlen(rest);
  if (total > f->max_len) {
    catalog_error(check, SP_ERR_TOO_LONG, f->name,
                  "URL '%s' lebih dari %zu byte: persingkat",
                  "URL '%s' is longer than %zu bytes: shorten it", shown,
                  f->max_len);
    return false;
  }
  buf_init(&b, f->max_len);
  bool ok = scheme == 0 ? buf_puts(&b, "https")
                        : buf_append(&b, v, scheme_len);
  ok = ok && buf_puts(&b, "://") && buf_puts(&b, rest);
  if (!ok) {
    catalog_error(check, SP_ERR_NOMEM, f->name, "memori habis",
                  "out of memory");
    buf_free(&b);
    return false;
  }
  char *out = buf_take(&b);
  size_t lower_end = strlen(out) - strlen(rest + auth_len);
  bool case_changed = false;
  for (size_t i = 0; i < lower_end; i++) {
    char c = (char)tolower((unsigned char)out[i]);
    case_changed = case_changed || c != out[i];
    out[i] = c;
  }
  if (scheme == 0)
    catalog_note(check, f->name,
                 "https:// ditambahkan pada '%s'; pemeriksaan juga menguji "
                 "HTTP biasa",
                 "added https:// to '%s'; the examination checks plain HTTP "
                 "as well",
                 shown);
  if (case_changed)
    catalog_note(check, f->name,
                 "skema dan nama host '%s' ditulis dengan huruf kecil",
                 "wrote the scheme and host name of '%s' in lower case",
                 shown);
  free(*slot);
  *slot = out;
  return true;
}

static bool
host_is(const char *host, size_t len, const char *name)
{
  return strlen(name) == len && memcmp(host, name, len) == 0;
}

/* Copies the bytes of `text` up to `len` into `out` when they fit. */
static void
copy_part(char *out, size_t size, const char *text, size_t len)
{
  if (len >= size)
    len = 0;
  memcpy(out, text, len);
  out[len] = '\0';
}

static void
play_package(const char *query, size_t len, char *package, size_t size)
{
  for (const char *p = query; p < query + len;) {
    size_t part = strcspn(p, "&#");
    if (part > len - (size_t)(p - query))
      part = len - (size_t)(p - query);
    if (part > 3 && strncmp(p, "id=", 3) == 0) {
      copy_part(package, size, p + 3, part - 3);
      return;
    }
    p += part + 1;
  }
}

enum app_store
catalog_store_link(const char *url, char *package, size_t size)
{
  const char *rest = url != NULL ? strstr(url, "://") : NULL;

  if (size > 0)
    package[0] = '\0';
  if (rest == NULL)
    return APP_STORE_NONE;
  rest += 3;
  size_t auth_len = strcspn(rest, "/?#");
  size_t host_len = strcspn(rest, ":/?#");
  const char *path = rest + auth_len;
  size_t path_len = strcspn(path, "?#");
  const char *query = path[path_len] == '?' ? path + path_len + 1 : "";
  size_t query_len = strcspn(query, "#");

  if (host_is(rest, host_len, "play.google.com")) {
    static const char details[] = "/store/apps/details";
    if (path_len < sizeof details - 1 ||
        strncmp(path, details, sizeof details - 1) != 0)
      return APP_STORE_NONE;
    play_package(query, query_len, package, size);
    return APP_STORE_GOOGLE_PLAY;
  }
  if (host_is(rest, host_len, "f-droid.org") ||
      host_is(rest, host_len, "www.f-droid.org")) {
    const char *p = strstr(path, "/packages/");
    if (p == NULL || p >= path + path_len)
      return APP_STORE_NONE;
    p += strlen("/packages/");
    copy_part(package, size, p, strcspn(p, "/?#"));
    return APP_STORE_FDROID;
  }
  if (host_is(rest, host_len, "appgallery.huawei.com") ||
      host_is(rest, host_len, "appgallery.cloud.huawei.com"))
    return APP_STORE_APPGALLERY;
  if (host_is(rest, host_len, "apps.apple.com") ||
      host_is(rest, host_len, "itunes.apple.com"))
    return APP_STORE_APPLE;
  if (host_is(rest, host_len, "galaxystore.samsung.com") ||
      host_is(rest, host_len, "apps.samsung.com"))
    return APP_STORE_GALAXY;
  return APP_STORE_NONE;
}

static const char *
store_name(enum app_store store)
{
  switch (store) {
  case APP_STORE_GOOGLE_PLAY:
    return "Google Play";
  case APP_STORE_FDROID:
    return "F-Droid";
  case APP_STORE_APPGALLERY:
    return "AppGallery";
  case APP_STORE_APPLE:
    return "App Store";
  case APP_STORE_GALAXY:
    return "Galaxy Store";
  case APP_STORE_NONE:
    break;
  }
  return "";
}

/* The kind a store's applications have. */
static const char *
store_kind(enum app_store store)
{
  return store == APP_STORE_APPLE ? "ios" : "android";
}

static void
wrong_kind(const struct app *a, const char *field, const char *url,
           enum app_store store, struct catalog_check *check)
{
  char shown[256];
  catalog_value_text(shown, sizeof shown, url);
  catalog_error(check, SP_ERR_BAD_URL, field,
                "'%s' adalah tautan %s padahal jenisnya '%s': ubah jenis "
                "menjadi %s, atau isi alamat aplikasi itu sendiri",
                "'%s' is a %s link but the kind is '%s': set kind to %s, or "
                "give the application's own address",
                shown, store_name(store), a->kind, store_kind(store));
}

/* Takes android_package from a store link, or rejects a different one. */
static void
take_package(struct app *a, const char *package, enum app_store store,
             struct catalog_check *check)
{
  char shown[256];

  if (a->android_package == NULL) {
    a->android_package = strdup(package);
    if (a->android_package == NULL) {
      catalog_error(check, SP_ERR_NOMEM, "android_package", "memori habis",
                    "out of memory");
      return;
    }
    catalog_value_text(shown, sizeof shown, package);
    catalog_note(check, "android_package",
                 "android_package '%s' diambil dari tautan %s",
                 "took android_package '%s' from the %s link", shown,
                 store_name(store));
  } else if (strcmp(a->android_package, package) != 0 &&
             !catalog_has_error(check, "android_package")) {
    char from_link[256];
    catalog_value_text(shown, sizeof shown, a->android_package);
    catalog_value_text(from_link, sizeof from_link, package);
    catalog_error(check, SP_ERR_BAD_PACKAGE, "android_package",
                  "paket '%s' berbeda dengan '%s' pada tautan %s: perbaiki "
                  "salah satunya",
                  "package '%s' differs from '%s' in the %s link: correct one "
                  "of them",
                  shown, from_link, store_name(store));
  }
}

/* Moves a store link from url to store_url on a row of the store's kind. */
static void
move_store_link(struct app *a, struct catalog_check *check)
{
  char package[256], shown[256];
  enum app_store store = catalog_store_link(a->url, package, sizeof package);

  if (store == APP_STORE_NONE)
    return;
  if (strcmp(a->kind, store_kind(store)) != 0) {
    wrong_kind(a, "url", a->url, store, check);
    return;
  }
  catalog_value_text(shown, sizeof shown, a->url);
  if (a->store_url != NULL && strcmp(a->store_url, a->url) != 0) {
    char other[256];
    catalog_value_text(other, sizeof other, a->store_url);
    catalog_error(check, SP_ERR_BAD_URL, "url",
                  "'%s' adalah tautan %s, tetapi store_url sudah berisi "
                  "'%s': pertahankan salah satunya",
                  "'%s' is a %s link but store_url already holds '%s': keep "
                  "one of them",
                  shown, store_name(store), other);
    return;
  }
  free(a->store_url);
  a->store_url = a->url;
  a->url = NULL;
  catalog_note(check, "url",
               "tautan %s '%s' dipindah ke store_url; kolom url pada baris "
               "%s berisi alamat backend-nya",
               "moved the %s link '%s' to store_url; the url column of an "
               "%s row holds its backend's address",
               store_name(store), shown, a->kind);
}

void
catalog_app_store_links(struct app *a, struct catalog_check *check)
{
  char package[256];

  if (a->kind == NULL || catalog_has_error(check, "kind"))
    return;
  if (a->url != NULL && !catalog_has_error(check, "url"))
    move_store_link(a, check);
  if (a->store_url == NULL || catalog_has_error(check, "store_url"))
    return;
  enum app_store store =
    catalog_store_link(a->store_url, package, sizeof package);
  if (store == APP_STORE_NONE) {
    char shown[256];
    catalog_value_text(shown, sizeof shown, a->store_url);
    catalog_error(check, SP_ERR_BAD_URL, "store_url",
                  "'%s' bukan tautan toko aplikasi yang dikenal (Google "
                  "Play, App Store, F-Droid, AppGallery, Galaxy Store): "
                  "isi tautan halaman aplikasi di toko, atau pindahkan "
                  "alamat itu ke url",
                  "'%s' is not a link to a known app store (Google Play, "
                  "App Store, F-Droid, AppGallery, Galaxy Store): give the "
                  "app's page in the store, or move the address to url",
                  shown);
    return;
  }
  if (strcmp(a->kind, store_kind(store)) != 0)
    wrong_kind(a, "store_url", a->store_url, store, check);
  else if (package[0] != '\0')
    take_package(a, package, store, check);
}
