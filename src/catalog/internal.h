/* Helpers shared by the catalog's own source files; other modules use
 * catalog.h only. */
#ifndef SIMPUL_CATALOG_INTERNAL_H
#define SIMPUL_CATALOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "catalog/catalog.h"

/* Adds an error on `field` to `check`. The two printf formats (Indonesian
 * first) take the same arguments. Past the capacity of `check` further
 * errors are dropped; the first ones are kept. */
void catalog_error(struct catalog_check *check, enum sp_err err,
                   const char *field, const char *fmt_id,
                   const char *fmt_en, ...);

/* Adds an error whose two texts are already written. */
void catalog_error_text(struct catalog_check *check, enum sp_err err,
                        const char *field, const char *text_id,
                        const char *text_en);

/* Adds a note on `field`, formatted like catalog_error. */
void catalog_note(struct catalog_check *check, const char *field,
                  const char *fmt_id, const char *fmt_en, ...);

/* True when `check` contains an error on `field`. */
bool catalog_has_error(const struct catalog_check *check, const char *field);

/* Writes `value` for a message into `out`: at most about 60 bytes of it,
 * cut at a character boundary and followed by "..." when longer, with
 * control characters and bytes that are not UTF-8 escaped as \n, \t or
 * \xNN, and invisible format characters (text_invisible_char) as \uNNNN.
 * Returns `out`. */
const char *catalog_value_text(char *out, size_t size, const char *value);

/* True when `code` is 1-64 bytes of letters, digits, '-', '_' and '.'. */
bool catalog_code_valid(const char *code);

/* The current year in UTC. */
int catalog_current_year(void);

/* Time now in Unix seconds. */
int64_t catalog_now(void);

/* True when the two records have equal values in every field of their
 * table (ids and timestamps are not compared). */
bool catalog_app_equal(const struct app *a, const struct app *b);
bool catalog_agency_equal(const struct agency *a, const struct agency *b);

/* Within a transaction of the caller: writes `a` (inserted when `old` is
 * NULL, else updated) and one history entry per field that differs from
 * `old` under `actor`, plus an entry with field "*" for a new record.
 * Sets created_at/updated_at. Returns STORE_OK or the failing status. */
enum store_rc catalog_write_app(struct store *s, struct app *a,
                                const struct app *old, const char *actor);
enum store_rc catalog_write_agency(struct store *s, struct agency *a,
                                   const struct agency *old,
                                   const char *actor);

/* Within a transaction of the caller: follows the stored parents of
 * a->parent (not NULL) upwards and adds to `check` SP_ERR_PARENT_CYCLE,
 * with the cycle spelled out, when they lead back to a->code, or
 * SP_ERR_UNKNOWN_AGENCY when a->parent is not stored. The invariant spans
 * rows, so the transaction must be SERIALIZABLE (store_tx(s, true, ...)):
 * then two nodes that each save one half of a cycle read each other's row,
 * and PostgreSQL fails one with a serialization error that store_tx
 * retries, after which the retry sees the cycle. */
enum store_rc catalog_check_parent(struct store *s, const struct agency *a,
                                   struct catalog_check *check);

/* Within a transaction of the caller (SERIALIZABLE, as for
 * catalog_check_parent): checks a->merged_into (may be NULL) against the
 * store. Adds SP_ERR_UNKNOWN_APP, with the nearest code as a hint, when
 * it is not stored; SP_ERR_MERGED_INTO with the chain spelled out when
 * the target is itself merged, naming the final target to merge into
 * instead, or the cycle when the chain leads back to a->code. */
enum store_rc catalog_check_merge(struct store *s, const struct app *a,
                                  struct catalog_check *check);

#endif
