/* Codes and references between records: the case codes are stored in,
 * the nearest existing code for a reference that is not found, chains of
 * merged applications, and entity tags for optimistic concurrency. */
#include "catalog/internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/buf.h"

/* Links followed at most along a merged_into chain: a stored chain longer
 * than this (or a cycle stored before these checks existed) stops there. */
#define MAX_MERGE_CHAIN 256

static bool
code_case(char *code, bool upper)
{
  bool changed = false;
  for (char *p = code; p != NULL && *p != '\0'; p++) {
    char c = (char)(upper ? toupper((unsigned char)*p)
                          : tolower((unsigned char)*p));
    changed = changed || c != *p;
    *p = c;
  }
  return changed;
}

bool
catalog_agency_code_case(char *code)
{
  return code_case(code, true);
}

bool
catalog_app_code_case(char *code)
{
  return code_case(code, false);
}

/* True when `a` and `b` differ by at most one inserted, deleted or
 * replaced byte, compared case-insensitively. */
static bool
one_edit_apart(const char *a, const char *b)
{
  size_t la = strlen(a), lb = strlen(b);
  if (la < lb) {
    const char *t = a;
    a = b, b = t;
    size_t n = la;
    la = lb, lb = n;
  }
  if (la - lb > 1)
    return false;
  size_t i = 0;
  while (i < lb && tolower((unsigned char)a[i]) == tolower((unsigned char)b[i]))
    i++;
  /* After the first difference the rest must match, shifted by one byte
   * when the lengths differ. */
  return i == lb || strcasecmp(a + i + 1, b + i + (la == lb ? 1 : 0)) == 0;
}

void
catalog_nearest_code(const char *code, const char *const *codes,
                     size_t count, char *out, size_t size)
{
  out[0] = '\0';
  for (size_t i = 0; i < count; i++) {
    if (codes[i] != NULL && strcmp(codes[i], code) != 0 &&
        one_edit_apart(codes[i], code)) {
      snprintf(out, size, "%s", codes[i]);
      return;
    }
  }
}

enum store_rc
catalog_nearest_agency(struct store *s, const char *code, char *out,
                       size_t size)
{
  struct agency_filter all = {0};
  struct agency_list list = {0};
  enum store_rc rc = s->ops->agency_list(s, &all, &list);
  const char **codes = rc == STORE_OK && list.count > 0
                         ? calloc(list.count, sizeof *codes) : NULL;

  out[0] = '\0';
  for (size_t i = 0; codes != NULL && i < list.count; i++)
    codes[i] = list.items[i].code;
  if (codes != NULL)
    catalog_nearest_code(code, codes, list.count, out, size);
  free(codes);
  agency_list_free(&list);
  return rc;
}

enum store_rc
catalog_nearest_app(struct store *s, const char *code, char *out, size_t size)
{
  struct app_filter all = {0};
  struct app_list list = {0};
  enum store_rc rc = s->ops->app_list(s, &all, &list);
  const char **codes = rc == STORE_OK && list.count > 0
                         ? calloc(list.count, sizeof *codes) : NULL;

  out[0] = '\0';
  for (size_t i = 0; codes != NULL && i < list.count; i++)
    codes[i] = list.items[i].code;
  if (codes != NULL)
    catalog_nearest_code(code, codes, list.count, out, size);
  free(codes);
  app_list_free(&list);
  return rc;
}

/* Adds the error for a merged_into target that is not stored, with the
 * nearest stored code as a hint when there is one. */
static enum store_rc
unknown_target(struct store *s, const struct app *a,
               struct catalog_check *check)
{
  char near[80], shown[256];
  enum store_rc rc = catalog_nearest_app(s, a->merged_into, near,
                                         sizeof near);

  catalog_value_text(shown, sizeof shown, a->merged_into);
  if (near[0] != '\0')
    catalog_error(check, SP_ERR_UNKNOWN_APP, "merged_into",
                  "aplikasi '%s' tidak ada di katalog; mungkin maksudnya "
                  "'%s'?",
                  "application '%s' is not in the catalog; did you mean "
                  "'%s'?",
                  shown, near);
  else
    catalog_error(check, SP_ERR_UNKNOWN_APP, "merged_into",
                  "aplikasi '%s' tidak ada di katalog: isi kode aplikasi "
                  "yang ada",
                  "application '%s' is not in the catalog: give the code of "
                  "an existing application",
                  shown);
  return rc;
}

/* Follows the merged_into links from the stored app `first` (merged) and
 * adds the cycle error or the "merge into the final target" error. */
static enum store_rc
merged_target(struct store *s, const struct app *a, struct app *first,
              struct catalog_check *check)
{
  struct buf path;
  struct app current = *first;
  enum store_rc rc = STORE_OK;
  bool cycle = false;

  *first = (struct app){0};
  buf_init(&path, 4096);
  buf_printf(&path, "%s -> %s", a->code, a->merged_into);
  for (int depth = 0; depth < MAX_MERGE_CHAIN; depth++) {
    buf_printf(&path, " -> %s", current.merged_into);
    if (strcmp(current.merged_into, a->code) == 0) {
      cycle = true;
      break;
    }
    struct app next = {0};
    rc = s->ops->app_get(s, current.merged_into, &next);
    if (rc != STORE_OK || next.merged_into == NULL) {
      app_free(&next);
      break;
    }
    app_free(&current);
    current = next;
  }
  if (rc == STORE_NOT_FOUND)
    rc = STORE_OK;
  if (rc == STORE_OK && cycle)
    catalog_error(check, SP_ERR_MERGED_INTO, "merged_into",
                  "penggabungan membentuk siklus %s: pilih aplikasi tujuan "
                  "yang tidak digabung ke aplikasi ini",
                  "the merge makes the cycle %s: choose a target that is "
                  "not merged into this application",
                  buf_str(&path));
  else if (rc == STORE_OK)
    catalog_error(check, SP_ERR_MERGED_INTO, "merged_into",
                  "aplikasi '%s' sendiri sudah digabung (%s): gabungkan ke "
                  "'%s' saja",
                  "application '%s' is itself merged (%s): merge into '%s' "
                  "instead",
                  a->merged_into, buf_str(&path), current.merged_into);
  app_free(&current);
  buf_free(&path);
  return rc;
}

enum store_rc
catalog_check_merge(struct store *s, const struct app *a,
                    struct catalog_check *check)
{
  struct app target = {0};

  if (a->merged_into == NULL || a->code == NULL)
    return STORE_OK;
  enum store_rc rc = s->ops->app_get(s, a->merged_into, &target);
  if (rc == STORE_NOT_FOUND)
    return unknown_target(s, a, check);
  if (rc == STORE_OK && target.merged_into != NULL)
    return merged_target(s, a, &target, check);
  app_free(&target);
  return rc;
}

/* SHA-256 in hex of the compact JSON of `record`, keys in field order. */
static bool
json_etag(json_t *record, char out[CATALOG_ETAG_SIZE])
{
  unsigned char hash[crypto_hash_sha256_BYTES];
  char *text = record != NULL
                 ? json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER)
                 : NULL;

  json_decref(record);
  out[0] = '\0';
  if (text == NULL)
    return false;
  crypto_hash_sha256(hash, (const unsigned char *)text, strlen(text));
  free(text);
  sodium_bin2hex(out, CATALOG_ETAG_SIZE, hash, sizeof hash);
  return true;
}

bool
catalog_app_etag(const struct app *a, char out[CATALOG_ETAG_SIZE])
{
  return json_etag(catalog_app_json(a), out);
}

bool
catalog_agency_etag(const struct agency *a, char out[CATALOG_ETAG_SIZE])
{
  return json_etag(catalog_agency_json(a), out);
}
