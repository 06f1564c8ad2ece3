/* CSV reader and cell writer; see csv.h for the contract.
 *
 * Written by hand rather than on Debian's libcsv (libcsv-dev 3.0.3, whose
 * last upstream release dates from January 2013). libcsv reports a
 * malformed record only as CSV_EPARSE, without the line, the field or the
 * rule that was broken. It also trims spaces around unquoted fields,
 * treats a lone CR as a line end and skips no UTF-8 byte order mark. An
 * import has to name the line and column of each problem and keep values
 * as written, and the state machine below is small. */
#include "catalog/csv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define READ_CHUNK 65536

enum field_end { END_COMMA, END_LINE, END_EOF };

struct csv_reader {
  FILE *file;                  /* NULL when reading memory */
  const unsigned char *chunk;  /* bytes being read */
  unsigned char *owned;        /* the file read buffer */
  size_t chunk_len;
  size_t chunk_pos;
  int pushback;                /* one byte given back, or -1 */
  size_t offset;               /* bytes consumed */
  size_t line;                 /* current line, 1-based */
  unsigned bom_run;            /* bytes of EF BB BF seen in a row */
  bool started;                /* the leading byte order mark was handled */
  bool done;                   /* end reached or a fatal error */
  size_t records;              /* records read, good or bad */
  size_t expected;             /* fields per record, set by the first */

  /* the record being read */
  struct buf data;             /* field bytes, each followed by a NUL */
  size_t starts[CSV_MAX_FIELDS];
  size_t count;
  bool discard;                /* stop storing bytes of this record */
  bool has_pending;            /* the record is malformed: see pending */
  bool unterminated;           /* a quoted field ran into the end */
  struct csv_error pending;
  struct csv_error fatal;
  struct csv_record rec;
};

static struct csv_reader *
reader_new(void)
{
  struct csv_reader *r = calloc(1, sizeof *r);
  if (r == NULL)
    return NULL;
  r->pushback = -1;
  r->line = 1;
  buf_init(&r->data, CSV_MAX_RECORD + CSV_MAX_FIELDS);
  return r;
}

struct csv_reader *
csv_reader_file(FILE *file)
{
  struct csv_reader *r = reader_new();
  if (r == NULL)
    return NULL;
  r->owned = malloc(READ_CHUNK);
  if (r->owned == NULL) {
    free(r);
    return NULL;
  }
  r->file = file;
  r->chunk = r->owned;
  return r;
}

struct csv_reader *
csv_reader_memory(const void *data, size_t len)
{
  struct csv_reader *r = reader_new();
  if (r == NULL)
    return NULL;
  r->chunk = data;
  r->chunk_len = data != NULL ? len : 0;
  return r;
}

void
csv_reader_free(struct csv_reader *r)
{
  if (r == NULL)
    return;
  buf_free(&r->data);
  free(r->owned);
  free(r);
}

size_t
csv_reader_offset(const struct csv_reader *r)
{
  return r->offset;
}

static void
error_set(struct csv_error *e, enum sp_err err, size_t line, size_t column,
          const char *fmt_id, const char *fmt_en, ...)
{
  va_list ap, ap2;

  e->err = err;
  e->line = line;
  e->column = column;
  va_start(ap, fmt_en);
  va_copy(ap2, ap);
  vsnprintf(e->detail_id, sizeof e->detail_id, fmt_id, ap);
  vsnprintf(e->detail_en, sizeof e->detail_en, fmt_en, ap2);
  va_end(ap2);
  va_end(ap);
}

/* Refills the file buffer when it is used up; false at the end. */
static bool
fill(struct csv_reader *r)
{
  if (r->chunk_pos < r->chunk_len)
    return true;
  if (r->file == NULL)
    return false;
  size_t n = fread(r->owned, 1, READ_CHUNK, r->file);
  r->chunk_len = n;
  r->chunk_pos = 0;
  if (n == 0 && ferror(r->file))
    error_set(&r->fatal, SP_ERR_IO, 0, 0, "gagal membaca berkas",
              "reading the file failed");
  return n > 0;
}

static int
next_byte(struct csv_reader *r)
{
  int c;

  if (r->pushback >= 0) {
    c = r->pushback;
    r->pushback = -1;
  } else {
    if (!fill(r))
      return EOF;
    c = r->chunk[r->chunk_pos++];
    if (c == 0xEF)
      r->bom_run = 1;
    else if ((c == 0xBB && r->bom_run == 1) || (c == 0xBF && r->bom_run == 2))
      r->bom_run++;
    else
      r->bom_run = 0;
  }
  r->offset++;
  if (c == '\n')
    r->line++;
  return c;
}

static void
unread_byte(struct csv_reader *r, int c)
{
  if (c == EOF)
    return;
  r->pushback = c;
  r->offset--;
  if (c == '\n')
    r->line--;
}

static void
skip_bom(struct csv_reader *r)
{
  r->started = true;
  if (!fill(r) || r->chunk_len - r->chunk_pos < 3)
    return;
  if (memcmp(r->chunk + r->chunk_pos, "\xEF\xBB\xBF", 3) == 0) {
    r->chunk_pos += 3;
    r->offset += 3;
  }
}

/* Skips a leading byte order mark, and rejects input whose first block
 * has a NUL byte before any record is returned: spreadsheet workbooks,
 * images and UTF-16 text all have one early. False when rejected. */
static bool
sniff_start(struct csv_reader *r)
{
  skip_bom(r);
  if (r->fatal.err != SP_OK)
    return false;
  if (r->chunk_pos >= r->chunk_len)
    return true;
  const unsigned char *start = r->chunk + r->chunk_pos;
  const unsigned char *nul = memchr(start, 0, r->chunk_len - r->chunk_pos);
  if (nul == NULL)
    return true;
  error_set(&r->fatal, SP_ERR_CSV_BINARY, 0, 0,
            "byte NUL pada byte ke-%zu: berkas ini bukan teks CSV (mungkin "
            "buku kerja spreadsheet atau teks UTF-16); simpan ulang sebagai "
            "CSV UTF-8",
            "NUL byte at byte offset %zu: this file is not CSV text (perhaps "
            "a spreadsheet workbook or UTF-16 text); save it again as UTF-8 "
            "CSV",
            (size_t)(nul - r->chunk));
  return false;
}

/* Records the first problem of the current record; later ones are dropped
 * because the record is rejected whole anyway. The texts give the reason
 * and the fix; the caller adds the place from `line` and `column`. */
static void
pending(struct csv_reader *r, enum sp_err err, size_t column,
        const char *text_id, const char *text_en)
{
  if (r->has_pending)
    return;
  r->has_pending = true;
  r->pending.err = err;
  r->pending.line = r->rec.line;
  r->pending.column = column;
  snprintf(r->pending.detail_id, sizeof r->pending.detail_id, "%s", text_id);
  snprintf(r->pending.detail_en, sizeof r->pending.detail_en, "%s", text_en);
}

/* Checks one byte of input; false when the input cannot be CSV text. */
static bool
check_byte(struct csv_reader *r, int c, size_t column)
{
  if (c == 0) {
    error_set(&r->fatal, SP_ERR_CSV_BINARY, r->line, column,
              "byte NUL pada baris %zu: berkas ini bukan teks CSV; simpan "
              "ulang sebagai CSV UTF-8",
              "NUL byte at line %zu: this file is not CSV text; save it "
              "again as UTF-8 CSV",
              r->line);
    return false;
  }
  if (r->records == 0 && ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') ||
                          c == 0x7F)) {
    error_set(&r->fatal, SP_ERR_CSV_BINARY, r->line, column,
              "karakter kendali 0x%02X pada header baris %zu: berkas ini "
              "bukan teks CSV; simpan ulang sebagai CSV UTF-8",
              "control character 0x%02X in the header at line %zu: this "
              "file is not CSV text; save it again as UTF-8 CSV",
              (unsigned)c, r->line);
    return false;
  }
  if (r->bom_run == 3) {
    r->bom_run = 0;
    pending(r, SP_ERR_CSV_BOM, column,
            "tanda urutan byte (BOM, U+FEFF) di tengah berkas, biasanya "
            "karena beberapa berkas digabung; hapus tanda itu",
            "byte order mark (BOM, U+FEFF) in the middle of the file, "
            "usually left by joining files; remove it");
  }
  return true;
}

/* Stores one byte of the current field. False when memory runs out. */
static bool
put_byte(struct csv_reader *r, char c)
{
  char text_id[128], text_en[128];

  if (r->discard)
    return true;
  size_t column = r->count;
  if (r->data.len - r->starts[column - 1] >= CSV_MAX_FIELD) {
    snprintf(text_id, sizeof text_id,
             "isian lebih dari %d byte; persingkat isian itu", CSV_MAX_FIELD);
    snprintf(text_en, sizeof text_en,
             "field larger than %d bytes; shorten it", CSV_MAX_FIELD);
  } else if (r->data.len >= CSV_MAX_RECORD) {
    snprintf(text_id, sizeof text_id,
             "baris lebih dari %d byte; persingkat isiannya", CSV_MAX_RECORD);
    snprintf(text_en, sizeof text_en,
             "record larger than %d bytes; shorten its fields",
             CSV_MAX_RECORD);
  } else if (buf_putc(&r->data, c)) {
    return true;
  } else {
    error_set(&r->fatal, SP_ERR_NOMEM, r->rec.line, column, "memori habis",
              "out of memory");
    return false;
  }
  pending(r, SP_ERR_TOO_LONG, column, text_id, text_en);
  r->discard = true;
  return true;
}

/* Begins a field. Fields past CSV_MAX_FIELDS are counted, not stored. */
static void
start_field(struct csv_reader *r)
{
  if (r->count == CSV_MAX_FIELDS) {
    char text_id[128], text_en[128];
    snprintf(text_id, sizeof text_id,
             "lebih dari %d kolom; periksa tanda kutip dan koma",
             CSV_MAX_FIELDS);
    snprintf(text_en, sizeof text_en,
             "more than %d fields; check the quotes and commas",
             CSV_MAX_FIELDS);
    pending(r, SP_ERR_CSV_FIELD_COUNT, r->count + 1, text_id, text_en);
    r->discard = true;
  }
  if (r->count < CSV_MAX_FIELDS)
    r->starts[r->count] = r->data.len;
  r->count++;
}

/* Ends a field with a NUL after its bytes. The buffer's maximum leaves room
 * for one NUL per field past CSV_MAX_RECORD, so this fails only when
 * memory runs out. */
static bool
end_field(struct csv_reader *r)
{
  if (r->discard || buf_putc(&r->data, '\0'))
    return true;
  error_set(&r->fatal, SP_ERR_NOMEM, r->rec.line, r->count, "memori habis",
            "out of memory");
  return false;
}

/* Reads the rest of an unquoted field (or of a quoted one after text that
 * followed its closing quote). Returns false on a fatal error. */
static bool
read_unquoted(struct csv_reader *r, enum field_end *end)
{
  size_t column = r->count;
  for (;;) {
    int c = next_byte(r);
    if (c == EOF) {
      *end = END_EOF;
      return true;
    }
    if (!check_byte(r, c, column))
      return false;
    if (c == ',') {
      *end = END_COMMA;
      return true;
    }
    if (c == '\n') {
      *end = END_LINE;
      return true;
    }
    if (c == '\r') {
      int c2 = next_byte(r);
      if (c2 == '\n') {
        *end = END_LINE;
        return true;
      }
      unread_byte(r, c2);
      pending(r, SP_ERR_CSV_QUOTE, column,
              "CR tanpa LF; simpan berkas dengan akhir baris LF atau CRLF",
              "carriage return without line feed; save the file with LF or "
              "CRLF line ends");
    } else if (c == '"') {
      pending(r, SP_ERR_CSV_QUOTE, column,
              "tanda kutip di dalam isian tanpa kutip; apit isian itu dengan "
              "tanda kutip dan gandakan kutip di dalamnya (\"\")",
              "quote inside an unquoted field; enclose the field in quotes "
              "and double the quotes inside it (\"\")");
    }
    if (!put_byte(r, (char)c))
      return false;
  }
}

/* What follows a closing quote decides how the field ends. */
static bool
after_closing_quote(struct csv_reader *r, int c, enum field_end *end)
{
  if (c == EOF) {
    *end = END_EOF;
    return true;
  }
  if (c == ',') {
    *end = END_COMMA;
    return true;
  }
  if (c == '\n') {
    *end = END_LINE;
    return true;
  }
  if (c == '\r') {
    int c2 = next_byte(r);
    if (c2 == '\n') {
      *end = END_LINE;
      return true;
    }
    unread_byte(r, c2);
  }
  if (!check_byte(r, c, r->count))
    return false;
  pending(r, SP_ERR_CSV_QUOTE, r->count,
          "teks setelah tanda kutip penutup; gandakan kutip di dalam isian "
          "(\"\") atau letakkan koma setelah kutip penutup",
          "text after the closing quote; double the quotes inside the field "
          "(\"\") or put a comma after the closing quote");
  if (!put_byte(r, (char)c))
    return false;
  return read_unquoted(r, end);
}

static bool
read_quoted(struct csv_reader *r, enum field_end *end)
{
  size_t column = r->count;
  for (;;) {
    int c = next_byte(r);
    if (c == EOF) {
      r->unterminated = true;
      *end = END_EOF;
      return true;
    }
    if (!check_byte(r, c, column))
      return false;
    if (c == '"') {
      int c2 = next_byte(r);
      if (c2 != '"')
        return after_closing_quote(r, c2, end);
    } else if (c == '\r') {
      int c2 = next_byte(r);
      if (c2 == '\n')
        c = '\n';
      else
        unread_byte(r, c2);
    }
    if (!put_byte(r, (char)c))
      return false;
  }
}

static bool
read_field(struct csv_reader *r, enum field_end *end)
{
  start_field(r);
  int c = next_byte(r);
  bool ok;
  if (c == '"') {
    ok = read_quoted(r, end);
  } else {
    unread_byte(r, c);
    ok = read_unquoted(r, end);
  }
  return ok && end_field(r);
}

/* Skips empty lines; returns the first byte of the next record, or EOF. */
static int
skip_blank_lines(struct csv_reader *r)
{
  for (;;) {
    int c = next_byte(r);
    if (c == '\n')
      continue;
    if (c == '\r') {
      int c2 = next_byte(r);
      if (c2 == '\n')
        continue;
      unread_byte(r, c2);
    }
    return c;
  }
}

static enum csv_result
finish_record(struct csv_reader *r, const struct csv_record **record,
              struct csv_error *err)
{
  r->records++;
  if (r->unterminated) {
    r->has_pending = false;
    r->done = true;
    pending(r, SP_ERR_CSV_QUOTE, r->count,
            "tanda kutip pembuka tidak pernah ditutup, sehingga sisa berkas "
            "terbaca sebagai satu isian; tutup tanda kutip itu",
            "the opening quote is never closed, so the rest of the file was "
            "read as one field; close the quote");
  }
  if (r->records == 1)
    r->expected = r->count;
  if (!r->has_pending && r->count != r->expected) {
    char text_id[160], text_en[160];
    snprintf(text_id, sizeof text_id,
             "baris berisi %zu kolom, header %zu; %s", r->count, r->expected,
             r->count > r->expected ? "apit isian yang memuat koma dengan "
                                      "tanda kutip"
                                    : "tambahkan kolom yang kurang (boleh "
                                      "kosong)");
    snprintf(text_en, sizeof text_en,
             "the row has %zu fields but the header has %zu; %s", r->count,
             r->expected,
             r->count > r->expected ? "quote values that contain a comma"
                                    : "add the missing fields (they may be "
                                      "empty)");
    pending(r, SP_ERR_CSV_FIELD_COUNT, 0, text_id, text_en);
  }
  if (r->has_pending) {
    *err = r->pending;
    return CSV_BAD_RECORD;
  }
  r->rec.count = r->count;
  for (size_t i = 0; i < r->count; i++) {
    size_t next = i + 1 < r->count ? r->starts[i + 1] : r->data.len;
    r->rec.fields[i] = r->data.data + r->starts[i];
    r->rec.lengths[i] = next - r->starts[i] - 1;
  }
  *record = &r->rec;
  return CSV_RECORD;
}

static enum csv_result
fail(struct csv_reader *r, struct csv_error *err)
{
  r->done = true;
  *err = r->fatal;
  return CSV_FATAL;
}

enum csv_result
csv_read(struct csv_reader *r, const struct csv_record **record,
         struct csv_error *err)
{
  *record = NULL;
  if (r->done)
    return CSV_END;
  r->fatal.err = SP_OK;
  if (!r->started && !sniff_start(r))
    return fail(r, err);
  int c = skip_blank_lines(r);
  if (r->fatal.err != SP_OK)
    return fail(r, err);
  if (c == EOF) {
    r->done = true;
    if (r->records > 0)
      return CSV_END;
    error_set(&r->fatal, SP_ERR_CSV_EMPTY, 0, 0,
              "berkas kosong: tidak ada header maupun baris; periksa nama "
              "berkasnya",
              "the file is empty: it has no header and no rows; check the "
              "file name");
    return fail(r, err);
  }
  unread_byte(r, c);

  buf_reset(&r->data);
  r->count = 0;
  r->discard = r->has_pending = r->unterminated = false;
  r->rec.line = r->line;
  enum field_end end = END_COMMA;
  while (end == END_COMMA) {
    if (!read_field(r, &end) || r->fatal.err != SP_OK)
      return fail(r, err);
  }
  return finish_record(r, record, err);
}

bool
csv_needs_guard(const char *value)
{
  if (value == NULL)
    return false;
  while (*value == '\'')
    value++;
  return *value != '\0' && strchr("=+-@\t\r", *value) != NULL;
}

void
csv_remove_guard(char *value)
{
  if (value != NULL && value[0] == '\'' && csv_needs_guard(value + 1))
    memmove(value, value + 1, strlen(value));
}

bool
csv_write_cell(FILE *out, const char *value, bool guard)
{
  if (value == NULL || value[0] == '\0')
    return true;
  bool prefix = guard && csv_needs_guard(value);
  size_t len = strlen(value);
  bool quote = value[0] == ' ' || value[len - 1] == ' ' ||
               strpbrk(value, ",\"\r\n") != NULL;
  if (!quote)
    return (!prefix || fputc('\'', out) != EOF) && fputs(value, out) != EOF;
  if (fputc('"', out) == EOF || (prefix && fputc('\'', out) == EOF))
    return false;
  for (const char *p = value; *p != '\0'; p++) {
    if (*p == '"' && fputc('"', out) == EOF)
      return false;
    if (fputc(*p, out) == EOF)
      return false;
  }
  return fputc('"', out) != EOF;
}
