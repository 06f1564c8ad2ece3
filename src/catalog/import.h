/* Internals of the CSV import, shared by import.c and import_agency.c. */
#ifndef SIMPUL_CATALOG_IMPORT_H
#define SIMPUL_CATALOG_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "catalog/catalog.h"
#include "catalog/csv.h"

/* A set of codes, each with a number (a line, or an index): open
 * addressing with linear probing, grown at half full. */
struct code_entry {
  char *key;
  size_t value;
};
struct code_set {
  struct code_entry *slots;
  size_t cap;
  size_t count;
};

void code_set_free(struct code_set *set);
/* Adds or replaces `key`; false when memory runs out. */
bool code_set_put(struct code_set *set, const char *key, size_t value);
/* True when `key` is in the set; its number goes to `*value` (may be
 * NULL). */
bool code_set_get(const struct code_set *set, const char *key,
                  size_t *value);
/* Copies into `out` a key of the set that differs from `code` only by
 * case or by one edit (see catalog_nearest_code); "" when none does. */
void code_set_nearest(const struct code_set *set, const char *code,
                      char *out, size_t size);

enum import_kind { IMPORT_AGENCIES = 0, IMPORT_APPS };

#define IMPORT_MAX_TABLE_FIELDS 32

/* One CSV file being imported. */
struct import_file {
  const char *path;
  FILE *file;
  struct csv_reader *reader;
  enum import_kind kind;
  const struct field_desc *fields;
  size_t field_count;
  int field_of[CSV_MAX_FIELDS];   /* table field per column, -1 ignored */
  bool present[IMPORT_MAX_TABLE_FIELDS]; /* table fields the file has */
  char actor[256];                /* recorded in the history */
  struct code_set seen;           /* codes of this file -> line */
};

struct importer {
  struct store *s;
  const struct import_options *opt;
  struct import_summary *sum;
  FILE *report;
  bool dry_run;                   /* check everything, write nothing */
  size_t batch_rows;
  enum sp_err first_err;
  struct code_set agencies;       /* in the store or accepted by now */
  struct code_set apps;           /* accepted by now in this import */
  bool stopped;                   /* the store failed: read no further */
  size_t rows_done;
  size_t rows_total;              /* 0 when no progress is shown */
};

/* Records `err` as the import's result unless an earlier one is kept. */
void import_fail(struct importer *im, enum sp_err err);

/* Prints "FILE:LINE: kolom NAME: DETAIL_ID [code]" (parts left out when 0
 * or NULL), then the same in English, indented by four spaces, so each
 * line can be found with grep on its own. A note (err SP_OK) reads
 * "catatan: ..." and "note: ..." and has no code. */
void import_report(struct importer *im, const struct import_file *f,
                   size_t line, const char *column, enum sp_err err,
                   const char *detail_id, const char *detail_en);

/* Reports a problem of the CSV structure of one record or of the file,
 * naming the column by its header name when known. */
void import_report_csv_error(struct importer *im,
                             const struct import_file *f,
                             const struct csv_error *err);

/* Reports the errors and notes of one row; counts the row as refused when
 * it has errors. Returns true when it has none. */
bool import_report_check(struct importer *im, const struct import_file *f,
                         size_t line, const struct catalog_check *check);

/* Advances and redraws the progress line. */
void import_progress(struct importer *im);

/* Sets the fields of `record` from one CSV record, following the column
 * map of `f`, with the formula-injection guard removed. False when memory
 * runs out. */
bool import_fill_record(void *record, const struct import_file *f,
                        const struct csv_record *rec);

/* Sets every field of `out` (empty) to the file's value when the file has
 * the column, else to the value in `existing` (may be NULL). False when
 * memory runs out. */
bool import_merge_record(void *out, const void *existing,
                         const void *incoming, const struct import_file *f);

/* Copies the code of `record` with spaces trimmed, for looking it up. */
void import_code(char *out, size_t size, const void *record);

/* Reports a store failure that stops the import. */
void import_store_failed(struct importer *im, const struct import_file *f,
                         size_t line, enum store_rc rc);

/* True when every field of the record is empty. */
bool import_blank_record(const struct csv_record *rec);

/* Imports the agency files among `files` (already opened, header read):
 * reads all their rows, orders parents before children, rejects cycles and
 * unknown parents, and writes them in batches. */
void import_agencies(struct importer *im, struct import_file **files,
                     size_t count);

#endif
