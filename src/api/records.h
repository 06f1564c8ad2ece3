/* The two kinds of catalog record, agencies and applications, described so
 * that the JSON API and the console can show, create, update and list the
 * history of either with one handler each. The functions only forward to
 * the store and the catalog domain. */
#ifndef SIMPUL_API_RECORDS_H
#define SIMPUL_API_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "catalog/catalog.h"
#include "store/store.h"

/* Storage for either record; zero it before use, release it after. */
union record {
  struct app app;
  struct agency agency;
};

struct record_kind {
  const char *entity;           /* "app" or "agency", as the history has it */
  const char *api_path;         /* "/api/v1/apps" */
  const char *page_path;        /* "/apps" */
  const char *label_id;         /* "aplikasi" */
  const char *label_en;         /* "application" */
  const struct field_desc *fields;
  const size_t *field_count;

  /* Reads the record with `code`; the result goes to `out`. */
  enum store_rc (*get)(struct store *s, const char *code, union record *out);
  /* catalog_save_app or catalog_save_agency. */
  enum sp_err (*save)(struct store *s, union record *r, bool create,
                      const char *actor, struct catalog_check *check,
                      bool *changed);
  json_t *(*to_json)(const union record *r);
  void (*release)(union record *r);
};

extern const struct record_kind record_kind_app;
extern const struct record_kind record_kind_agency;

/* Entity tag of `r` (catalog_app_etag or catalog_agency_etag). */
bool record_etag(const struct record_kind *k, const union record *r,
                 char out[CATALOG_ETAG_SIZE]);

/* catalog_save_app_if or catalog_save_agency_if. */
enum sp_err record_save_if(const struct record_kind *k, struct store *s,
                           union record *r, bool create, const char *if_etag,
                           const char *actor, struct catalog_check *check,
                           bool *changed);

/* Copies the code of a URL path segment into `out` in the case the
 * catalog stores codes of kind `k` (catalog_agency_code_case), so that
 * /agencies/setda finds SETDA. Returns `out`, or `code` itself when it
 * does not fit (it is then no valid code and will not be found). */
const char *record_path_code(const struct record_kind *k, const char *code,
                             char *out, size_t size);

/* Returns the code of `r`, or NULL when it has none. */
const char *record_code(const struct record_kind *k, const union record *r);

#endif
