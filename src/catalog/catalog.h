/* The catalog domain: which fields agencies and applications have, how a
 * value is normalised and validated, and how records are saved with their
 * history. The command line, the console and the JSON API all go through
 * these functions, so a rule lives in one place. Nothing here depends on
 * HTTP or SQL. */
#ifndef SIMPUL_CATALOG_CATALOG_H
#define SIMPUL_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include "catalog/model.h"
#include "core/error.h"
#include "store/store.h"

enum field_type {
  FIELD_TEXT = 0,     /* one line of text */
  FIELD_LONGTEXT,     /* may contain newlines */
  FIELD_CODE,         /* letters, digits, '-', '_', '.'; 1-64 bytes */
  FIELD_CHOICE,       /* one code of `choices` (aliases accepted) */
  FIELD_URL,          /* http(s) URL, scheme added when missing */
  FIELD_PACKAGE,      /* Android application id, e.g. id.go.metrokota.x */
  FIELD_YEAR,         /* four digits; "-", "" and "?" mean unknown */
  FIELD_AGENCY_REF,   /* code of an existing agency */
  FIELD_APP_REF       /* code of an existing application */
};

struct choice {
  const char *code;       /* stored value, e.g. "webapp" */
  const char *label_id;
  const char *label_en;
  const char *aliases;    /* extra accepted spellings, comma-separated */
};

struct field_desc {
  const char *name;       /* CSV column and JSON key, e.g. "android_package" */
  enum field_type type;
  size_t offset;          /* of the char * member in the record struct */
  size_t max_len;         /* bytes */
  bool required;
  const char *label_id;
  const char *label_en;
  const struct choice *choices; /* for FIELD_CHOICE; ends with a NULL code */
};

/* Field tables, in display and CSV column order. `code` is first. */
extern const struct field_desc agency_fields[];
extern const size_t agency_field_count;
extern const struct field_desc app_fields[];
extern const size_t app_field_count;

/* Looks a field up by name, case-insensitively; NULL when unknown. */
const struct field_desc *field_find(const struct field_desc *fields,
                                    size_t count, const char *name);

/* Reads a field of a record; returns NULL when empty. */
const char *field_get(const void *record, const struct field_desc *f);

/* Replaces a field of a record with a copy of `value` (NULL or "" empties
 * it). Returns 0, or -1 when memory runs out. */
int field_set(void *record, const struct field_desc *f, const char *value);

/* Returns the label of choice `code` in `lang`, or `code` when unknown. */
const char *choice_label(const struct choice *choices, const char *code,
                         const char *lang);

/* Finds the choice that `value` names: its code or one of its aliases,
 * compared case-insensitively and ignoring spaces, '-', '_' and '.'
 * ("Web App" finds "webapp"). NULL when none matches. */
const struct choice *choice_find(const struct choice *choices,
                                 const char *value);

/* Something normalisation changed, reported to the person who gave the value:
 * e.g. "url: added https:// to 'sigap.metrokota.test'". */
struct catalog_note {
  char field[48];
  char text_id[256];
  char text_en[256];
};

/* Collected problems of one record. */
struct catalog_check {
  struct sp_field_error errors[24];
  size_t error_count;
  struct catalog_note notes[24];
  size_t note_count;
};

/* Normalises every field of `a` in place (trims spaces, adds a missing
 * URL scheme, maps choice aliases, turns "-" years into unknown, moves a
 * store link out of the URL of an Android row) and records what it changed
 * as notes; then validates it and records every problem as an error. Does
 * not look at the store. Returns true when there are no errors. */
bool catalog_check_app(struct app *a, struct catalog_check *check);
bool catalog_check_agency(struct agency *a, struct catalog_check *check);

/* Saves one record made or edited by a person (console, API, CLI):
 * checks it, checks references against the store (owning agency, merged
 * into, parent agency and parent cycles), then inserts it (`create`) or
 * updates the existing row with the same code, and writes one history
 * entry per changed field under `actor`, all in one transaction.
 * Returns SP_OK; SP_ERR_DUPLICATE when creating an existing code;
 * SP_ERR_NOT_FOUND when updating a missing one; the first field error's
 * code when `check` has errors; or a store error. `*changed` (may be NULL)
 * tells whether anything was written. */
enum sp_err catalog_save_app(struct store *s, struct app *a, bool create,
                             const char *actor, struct catalog_check *check,
                             bool *changed);
enum sp_err catalog_save_agency(struct store *s, struct agency *a, bool create,
                                const char *actor, struct catalog_check *check,
                                bool *changed);

/* Like catalog_save_app and catalog_save_agency, but when `if_etag` is
 * not NULL the update is made only if the stored record's entity tag
 * (catalog_app_etag) equals it, compared inside the save's transaction;
 * otherwise nothing is written and SP_ERR_CONFLICT is returned, with no
 * error added to `check`. Creating with a tag is the same as without. */
enum sp_err catalog_save_app_if(struct store *s, struct app *a, bool create,
                                const char *if_etag, const char *actor,
                                struct catalog_check *check, bool *changed);
enum sp_err catalog_save_agency_if(struct store *s, struct agency *a,
                                   bool create, const char *if_etag,
                                   const char *actor,
                                   struct catalog_check *check,
                                   bool *changed);

/* Entity tags: 64 lowercase hex digits, the SHA-256 of the record's
 * compact JSON (catalog_app_json, keys in field order), so any change of a
 * field or of updated_at changes the tag. False when memory runs out. */
#define CATALOG_ETAG_SIZE 65
bool catalog_app_etag(const struct app *a, char out[CATALOG_ETAG_SIZE]);
bool catalog_agency_etag(const struct agency *a,
                         char out[CATALOG_ETAG_SIZE]);

/* Writes `code` in place in the case the catalog stores it: agency codes
 * in upper case ("SETDA"), application codes in lower case ("web-setda");
 * ASCII letters only. Returns true when a letter changed. catalog_check_*
 * applies this to codes and references; faces apply it to a code taken
 * from a URL before asking the store. */
bool catalog_agency_code_case(char *code);
bool catalog_app_code_case(char *code);

/* Finds a stored code that differs from `code` only by case or by one
 * inserted, deleted or replaced character, for a "did you mean" hint;
 * `out` is "" when there is none. Returns the store's status. */
enum store_rc catalog_nearest_agency(struct store *s, const char *code,
                                     char *out, size_t size);
enum store_rc catalog_nearest_app(struct store *s, const char *code,
                                  char *out, size_t size);

/* Copies into `out` the first of `codes` (NULL entries skipped) that
 * differs from `code` only by case or by one edit; "" when none does. */
void catalog_nearest_code(const char *code, const char *const *codes,
                          size_t count, char *out, size_t size);

/* JSON of records, shared by the API and the JSON export: every field of
 * the table by name (null when empty) plus "created_at" and "updated_at"
 * as RFC 3339 UTC text. New references, never NULL except on no memory. */
json_t *catalog_app_json(const struct app *a);
json_t *catalog_agency_json(const struct agency *a);
json_t *catalog_change_json(const struct change *c);

/* Values for JSON built the way the functions above build it, so that
 * other replies read the same: a Unix time as RFC 3339 UTC text
 * ("2026-12-04T16:03:25Z") or null for 0; a string, or null when NULL or
 * empty. New references; NULL only when memory runs out. */
json_t *catalog_time_json(int64_t t);
json_t *catalog_text_json(const char *value);

/* Sets the fields named by the keys of `object` on `record` (an app or an
 * agency, as `fields` says). Values must be strings or null (null empties
 * the field); "code" is skipped when `allow_code` is false. Unknown keys and
 * values of other types are recorded in `check` as errors. Returns true
 * when no error was added. */
bool catalog_apply_json(void *record, const struct field_desc *fields,
                        size_t field_count, json_t *object, bool allow_code,
                        struct catalog_check *check);

/* Import of CSV files (catalog/import.c). */
struct import_options {
  bool strict;               /* any refused row: import nothing */
  const char *actor;         /* history shows "ACTOR (import FILE)" */
  FILE *report;              /* errors, notes and the summary; may be NULL */
  bool progress;             /* show a progress line on a terminal */
  size_t batch_rows;         /* rows per transaction; 0 means 500 */
};

struct import_summary {
  size_t added;
  size_t updated;
  size_t unchanged;
  size_t refused;
  size_t agencies;           /* agency rows read */
  size_t apps;               /* app rows read */
};

/* Imports CSV files whose header says whether they hold agencies
 * (code,name,kind,parent) or apps (code,name,kind,agency,...); agencies are
 * imported before apps whatever the order given. Rows are matched by code;
 * a stored record keeps the values of columns the file does not have.
 * Returns SP_OK when every row was imported; the first error otherwise
 * (rows that were good are still imported unless strict). */
enum sp_err catalog_import(struct store *s, const char *const *paths,
                           size_t path_count, const struct import_options *opt,
                           struct import_summary *summary);

/* Writes the whole catalog: CSV (agencies file and apps file) or one JSON
 * document {"agencies": [...], "apps": [...]}. CSV cells that a spreadsheet
 * would run as a formula are prefixed with a single quote, which import
 * removes again. */
enum catalog_format { CATALOG_CSV = 0, CATALOG_JSON };
enum sp_err catalog_export_agencies_csv(struct store *s, FILE *out);
enum sp_err catalog_export_apps_csv(struct store *s, FILE *out);
enum sp_err catalog_export_json(struct store *s, FILE *out);

#endif
