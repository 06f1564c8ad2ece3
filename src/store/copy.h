/* Copying every row of one store into another (SQLite to PostgreSQL and
 * back) through the store operations only, keeping ids, then verifying
 * the copy by row counts and checksums per table (table_digest). */
#ifndef SIMPUL_STORE_COPY_H
#define SIMPUL_STORE_COPY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

/* Tables a copy covers, schema_migrations included; room for more. */
#define STORE_COPY_MAX_TABLES 24

struct store_copy_table {
  char name[32];
  struct table_digest source;
  struct table_digest target;
  /* False for schema_migrations: each store records when it applied a
   * version itself, so only the number of versions is compared. */
  bool checksum_compared;
  bool match;
};

struct store_copy_report {
  struct store_copy_table tables[STORE_COPY_MAX_TABLES];
  size_t count;            /* tables digested on both sides */
  int64_t rows_copied;
  char detail[512];        /* what failed, in English, for the user */
};

/* Called after each batch with the rows of `table` copied so far and the
 * rows it has in the source. */
typedef void (*store_copy_progress_fn)(const char *table, int64_t done,
                                       int64_t total, void *arg);

struct store_copy_options {
  int64_t batch_rows;              /* rows read and written at a time;
                                      0 means 500 */
  store_copy_progress_fn progress; /* may be NULL */
  void *progress_arg;
};

/* Copies every table of `from` into `to`. Both must be at this binary's
 * schema version, which the caller checks (and migrates `to` to).
 *
 * The target must be empty, else SP_ERR_STORE_NOT_EMPTY with the first
 * table that has rows named in report->detail. The source is read in one
 * transaction, so the copy is one consistent snapshot. On SQLite that
 * transaction takes the write lock, so writers wait until the copy ends.
 * The target is written in one transaction, so a failed copy leaves it
 * empty. Afterwards every table is digested on both sides and compared:
 * SP_ERR_COPY_MISMATCH when any table differs, with report->tables filled
 * either way. Other failures return SP_ERR_STORE (or SP_ERR_NOMEM) with
 * the store's message in report->detail. */
enum sp_err store_copy(struct store *from, struct store *to,
                       const struct store_copy_options *opt,
                       struct store_copy_report *report);

#endif
