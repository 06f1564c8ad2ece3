/* CSV reading and writing (RFC 4180) for catalog import and export.
 *
 * The reader streams: it keeps one record at a time (at most
 * CSV_MAX_RECORD bytes) plus a 64 KiB read buffer, so a file of any length
 * can be read. It accepts LF or CRLF line ends, quoted fields with commas,
 * doubled quotes and line breaks, and skips a UTF-8 byte order mark at the
 * start of the input. Line breaks inside quoted fields are returned as LF
 * whatever the file uses. Blank lines are skipped.
 *
 * Errors name the line where the record started and the field (column)
 * number. A malformed record is consumed up to its end and reported
 * (CSV_BAD_RECORD) so the caller can go on with the next one; only input
 * that cannot be CSV text, an unterminated quote at the end, a read error
 * or no memory stop the reader. */
#ifndef SIMPUL_CATALOG_CSV_H
#define SIMPUL_CATALOG_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

#define CSV_MAX_FIELD (1024 * 1024)       /* bytes in one field */
#define CSV_MAX_FIELDS 256                /* fields in one record */
#define CSV_MAX_RECORD (4 * 1024 * 1024)  /* bytes in one record */

/* One record as read. The strings belong to the reader and stay valid until
 * the next csv_read or csv_reader_free; they never contain a NUL byte. */
struct csv_record {
  size_t line;                          /* line where the record starts */
  size_t count;                         /* fields */
  const char *fields[CSV_MAX_FIELDS];
  size_t lengths[CSV_MAX_FIELDS];
};

/* The reason a record or the input was rejected. `line` is where the
 * record started (0 when not about one record), `column` the 1-based field
 * number (0 when not about one field). */
struct csv_error {
  enum sp_err err;
  size_t line;
  size_t column;
  char detail_id[256];
  char detail_en[256];
};

enum csv_result {
  CSV_RECORD = 0,   /* *record is the next record */
  CSV_END,          /* no more records */
  CSV_BAD_RECORD,   /* one record was malformed and skipped; read on */
  CSV_FATAL         /* the input cannot be read further */
};

struct csv_reader;

/* Creates a reader over `file` (not closed by the reader) or over `len`
 * bytes at `data` (not copied; must outlive the reader). NULL when memory
 * runs out. */
struct csv_reader *csv_reader_file(FILE *file);
struct csv_reader *csv_reader_memory(const void *data, size_t len);

/* Frees the reader; NULL is ignored. */
void csv_reader_free(struct csv_reader *r);

/* Reads the next record. The first record sets the number of fields that
 * every later record must have. On CSV_BAD_RECORD and CSV_FATAL `err`
 * describes the problem. Input that has no record at all gives CSV_FATAL with
 * SP_ERR_CSV_EMPTY; a NUL byte anywhere, or a control character other than
 * tab, CR or LF in the first record, gives CSV_FATAL with
 * SP_ERR_CSV_BINARY. After CSV_FATAL every call returns CSV_END. */
enum csv_result csv_read(struct csv_reader *r,
                         const struct csv_record **record,
                         struct csv_error *err);

/* Returns the bytes consumed so far, for progress reports. */
size_t csv_reader_offset(const struct csv_reader *r);

/* Formula-injection guard (OWASP "CSV Injection"): a spreadsheet runs a
 * cell that starts with = + - @ tab or CR as a formula. Export prefixes
 * such a cell with one single quote, and import removes it again.
 * csv_needs_guard is true when `value`, after any leading single quotes,
 * starts with one of those characters, so that values which already start
 * with a quote also survive the round trip. */
bool csv_needs_guard(const char *value);

/* Removes the one leading single quote that export added, in place, when
 * the rest needs the guard; other values are left alone. */
void csv_remove_guard(char *value);

/* Writes one cell to `out`: guarded when `guard` is set and the value
 * needs it, and quoted when it contains a comma, quote, CR or LF or starts
 * or ends with a space. NULL is written as an empty cell. Returns false on a
 * write error. */
bool csv_write_cell(FILE *out, const char *value, bool guard);

#endif
