/* CSV import of agencies and applications: files, header mapping, the
 * report, and application rows. Agency rows are in import_agency.c.
 *
 * Each application file is streamed: rows are checked one at a time and
 * written in batches of `batch_rows`, one transaction each, so memory stays
 * bounded and an interrupted import can simply be run again (rows are
 * matched by code). Only agency rows, application rows waiting for the
 * application they were merged into, and the codes seen are kept whole. */
#include "catalog/import.h"

#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog/internal.h"
#include "core/log.h"

#define MAX_BATCH_ROWS 10000
#define MAX_WAITING_ROWS 100000

/* ---- code sets ---- */

static size_t
hash_code(const char *key)
{
  uint64_t h = 1469598103934665603ull;  /* FNV-1a */
  for (const unsigned char *p = (const unsigned char *)key; *p; p++)
    h = (h ^ *p) * 1099511628211ull;
  return (size_t)h;
}

static struct code_entry *
code_slot(const struct code_set *set, const char *key)
{
  size_t i = hash_code(key) & (set->cap - 1);
  while (set->slots[i].key != NULL && strcmp(set->slots[i].key, key) != 0)
    i = (i + 1) & (set->cap - 1);
  return &set->slots[i];
}

static bool
code_set_grow(struct code_set *set)
{
  struct code_set bigger = {.cap = set->cap ? set->cap * 2 : 64};
  bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
  if (bigger.slots == NULL)
    return false;
  for (size_t i = 0; i < set->cap; i++)
    if (set->slots[i].key != NULL)
      *code_slot(&bigger, set->slots[i].key) = set->slots[i];
  bigger.count = set->count;
  free(set->slots);
  *set = bigger;
  return true;
}

bool
code_set_put(struct code_set *set, const char *key, size_t value)
{
  if ((set->count + 1) * 2 > set->cap && !code_set_grow(set))
    return false;
  struct code_entry *e = code_slot(set, key);
  if (e->key == NULL) {
    e->key = strdup(key);
    if (e->key == NULL)
      return false;
    set->count++;
  }
  e->value = value;
  return true;
}

bool
code_set_get(const struct code_set *set, const char *key, size_t *value)
{
  if (set->cap == 0 || key == NULL)
    return false;
  const struct code_entry *e = code_slot(set, key);
  if (e->key == NULL)
    return false;
  if (value != NULL)
    *value = e->value;
  return true;
}

void
code_set_nearest(const struct code_set *set, const char *code, char *out,
                 size_t size)
{
  const char **keys = set->cap > 0 ? calloc(set->cap, sizeof *keys) : NULL;
  out[0] = '\0';
  if (keys == NULL)
    return;                  /* no hint rather than no message */
  for (size_t i = 0; i < set->cap; i++)
    keys[i] = set->slots[i].key;
  catalog_nearest_code(code, keys, set->cap, out, size);
  free(keys);
}

void
code_set_free(struct code_set *set)
{
  for (size_t i = 0; i < set->cap; i++)
    free(set->slots[i].key);
  free(set->slots);
  *set = (struct code_set){0};
}

/* ---- report ---- */

void
import_fail(struct importer *im, enum sp_err err)
{
  if (im->first_err == SP_OK)
    im->first_err = err;
}

/* Prints one line of the report: the location, then the column named by
 * `column_word`, then the detail. */
static void
report_line(FILE *out, const char *indent, const struct import_file *f,
            size_t line, const char *column_word, const char *column,
            const char *note_word, const char *detail, enum sp_err err)
{
  fprintf(out, "%s%s", indent, f != NULL ? f->path : "simpul");
  if (line > 0)
    fprintf(out, ":%zu", line);
  fprintf(out, ": ");
  if (column != NULL && column[0] != '\0')
    fprintf(out, "%s %s: ", column_word, column);
  if (err == SP_OK)
    fprintf(out, "%s: %s\n", note_word, detail);
  else
    fprintf(out, "%s [%s]\n", detail, sp_error_info(err)->code);
}

void
import_report(struct importer *im, const struct import_file *f, size_t line,
              const char *column, enum sp_err err, const char *detail_id,
              const char *detail_en)
{
  if (im->report == NULL)
    return;
  if (im->rows_total > 0)
    fputc('\n', stderr);
  report_line(im->report, "", f, line, "kolom", column, "catatan", detail_id,
              err);
  report_line(im->report, "    ", f, line, "column", column, "note",
              detail_en, err);
}

bool
import_report_check(struct importer *im, const struct import_file *f,
                    size_t line, const struct catalog_check *check)
{
  for (size_t i = 0; i < check->error_count; i++)
    import_report(im, f, line, check->errors[i].field, check->errors[i].err,
                  check->errors[i].detail_id, check->errors[i].detail_en);
  for (size_t i = 0; i < check->note_count; i++)
    import_report(im, f, line, check->notes[i].field, SP_OK,
                  check->notes[i].text_id, check->notes[i].text_en);
  if (check->error_count == 0)
    return true;
  im->sum->refused++;
  import_fail(im, check->errors[0].err);
  return false;
}

void
import_progress(struct importer *im)
{
  im->rows_done++;
  if (im->rows_total == 0)
    return;
  if (im->rows_done % 97 == 0 || im->rows_done >= im->rows_total)
    fprintf(stderr, "\rrows %zu/%zu", im->rows_done, im->rows_total);
}

void
import_report_csv_error(struct importer *im, const struct import_file *f,
                 const struct csv_error *err)
{
  char column[96] = "";
  if (err->column > 0) {
    const char *name = NULL;
    if (err->column <= CSV_MAX_FIELDS && f->field_of[err->column - 1] >= 0)
      name = f->fields[f->field_of[err->column - 1]].name;
    if (name != NULL)
      snprintf(column, sizeof column, "%s (column %zu)", name, err->column);
    else
      snprintf(column, sizeof column, "%zu", err->column);
  }
  import_report(im, f, err->line, column, err->err, err->detail_id,
                err->detail_en);
  import_fail(im, err->err);
}

/* ---- files and headers ---- */

static void
trim_copy(char *out, size_t size, const char *text)
{
  while (*text == ' ' || *text == '\t')
    text++;
  snprintf(out, size, "%s", text);
  size_t len = strlen(out);
  while (len > 0 && (out[len - 1] == ' ' || out[len - 1] == '\t'))
    out[--len] = '\0';
}

/* Reports the required columns that the header lacks; false if any. */
static bool
check_required_columns(struct importer *im, struct import_file *f)
{
  char missing[256] = "";
  size_t n = 0;
  for (size_t i = 0; i < f->field_count; i++) {
    if (!f->fields[i].required || f->present[i])
      continue;
    n += (size_t)snprintf(missing + n, sizeof missing - n, "%s%s",
                          n > 0 ? ", " : "", f->fields[i].name);
    if (n >= sizeof missing)
      break;
  }
  if (n == 0)
    return true;
  char detail_id[512], detail_en[512];
  snprintf(detail_id, sizeof detail_id,
           "kepala berkas tidak memuat kolom wajib %s; berkas perangkat "
           "daerah memerlukan code,name (dan kind, parent), berkas aplikasi "
           "memerlukan code,name,kind,agency",
           missing);
  snprintf(detail_en, sizeof detail_en,
           "the header lacks the required column(s) %s; an agencies file "
           "needs code,name (and kind, parent), an apps file needs "
           "code,name,kind,agency",
           missing);
  import_report(im, f, 0, NULL, SP_ERR_CSV_HEADER, detail_id, detail_en);
  import_fail(im, SP_ERR_CSV_HEADER);
  return false;
}

/* Rejects a header of one column that contains ';' or a tab: a
 * spreadsheet with Indonesian regional settings saves "CSV" with ';'
 * between the columns. */
static bool
separator_is_comma(struct importer *im, struct import_file *f,
                   const struct csv_record *rec)
{
  char detail_id[256], detail_en[256];

  if (rec->count != 1)
    return true;
  const char *sep = strchr(rec->fields[0], ';') != NULL   ? ";"
                    : strchr(rec->fields[0], '\t') != NULL ? "tab"
                                                           : NULL;
  if (sep == NULL)
    return true;
  snprintf(detail_id, sizeof detail_id,
           "berkas memakai '%s' sebagai pemisah kolom: simpan sebagai CSV "
           "dengan pemisah koma",
           sep);
  snprintf(detail_en, sizeof detail_en,
           "the file uses '%s' as separator: save it as CSV with comma "
           "separators",
           sep);
  import_report(im, f, rec->line, NULL, SP_ERR_CSV_HEADER, detail_id,
                detail_en);
  import_fail(im, SP_ERR_CSV_HEADER);
  return false;
}

/* Maps header names to table fields. The header decides the file kind: a
 * column only applications have ('agency', 'url', ...) makes it an apps
 * file, so an apps file that lacks 'agency' is reported as such. */
static bool
map_header(struct importer *im, struct import_file *f,
           const struct csv_record *rec)
{
  char name[128], shown[256], detail_id[512], detail_en[512];

  if (!separator_is_comma(im, f, rec))
    return false;
  f->kind = IMPORT_AGENCIES;
  for (size_t i = 0; i < rec->count; i++) {
    trim_copy(name, sizeof name, rec->fields[i]);
    if (field_find(app_fields, app_field_count, name) != NULL &&
        field_find(agency_fields, agency_field_count, name) == NULL)
      f->kind = IMPORT_APPS;
  }
  f->fields = f->kind == IMPORT_APPS ? app_fields : agency_fields;
  f->field_count = f->kind == IMPORT_APPS ? app_field_count
                                          : agency_field_count;
  for (size_t i = 0; i < rec->count; i++) {
    trim_copy(name, sizeof name, rec->fields[i]);
    const struct field_desc *fd = field_find(f->fields, f->field_count, name);
    f->field_of[i] = -1;
    if (fd == NULL) {
      catalog_value_text(shown, sizeof shown, name);
      snprintf(detail_id, sizeof detail_id,
               "kolom ke-%zu, '%s', tidak dikenal dan diabaikan", i + 1,
               shown);
      snprintf(detail_en, sizeof detail_en,
               "column %zu, '%s', is unknown and ignored", i + 1, shown);
      import_report(im, f, rec->line, NULL, SP_OK, detail_id, detail_en);
      continue;
    }
    size_t index = (size_t)(fd - f->fields);
    if (f->present[index]) {
      snprintf(detail_id, sizeof detail_id,
               "kolom '%s' muncul dua kali di kepala berkas; hapus salah "
               "satunya",
               fd->name);
      snprintf(detail_en, sizeof detail_en,
               "the column '%s' appears twice in the header; remove one",
               fd->name);
      import_report(im, f, rec->line, NULL, SP_ERR_CSV_HEADER, detail_id,
                    detail_en);
      import_fail(im, SP_ERR_CSV_HEADER);
      return false;
    }
    f->present[index] = true;
    f->field_of[i] = (int)index;
  }
  return check_required_columns(im, f);
}

static void
close_file(struct import_file *f)
{
  csv_reader_free(f->reader);
  if (f->file != NULL)
    fclose(f->file);
  code_set_free(&f->seen);
  f->reader = NULL;
  f->file = NULL;
}

/* Opens a file and reads its header; false (reported) when it cannot be
 * imported. */
static bool
open_file(struct importer *im, struct import_file *f, const char *path)
{
  const struct csv_record *rec;
  struct csv_error err;
  char base[256];

  f->path = path;
  f->file = fopen(path, "rb");
  if (f->file == NULL) {
    import_report(im, f, 0, NULL, SP_ERR_IO,
                  "berkas tidak dapat dibuka; periksa path dan izin aksesnya",
                  "cannot open the file; check the path and its permissions");
    import_fail(im, SP_ERR_IO);
    return false;
  }
  f->reader = csv_reader_file(f->file);
  if (f->reader == NULL) {
    import_fail(im, SP_ERR_NOMEM);
    return false;
  }
  enum csv_result res = csv_read(f->reader, &rec, &err);
  if (res != CSV_RECORD) {
    for (size_t i = 0; i < CSV_MAX_FIELDS; i++)
      f->field_of[i] = -1;
    import_report_csv_error(im, f, &err);
    return false;
  }
  snprintf(base, sizeof base, "%s", path);
  snprintf(f->actor, sizeof f->actor, "%s (import %s)",
           im->opt->actor != NULL ? im->opt->actor : "unknown",
           basename(base));
  return map_header(im, f, rec);
}

bool
import_fill_record(void *record, const struct import_file *f,
                   const struct csv_record *rec)
{
  for (size_t i = 0; i < rec->count; i++) {
    if (f->field_of[i] < 0)
      continue;
    char *value = strdup(rec->fields[i]);
    if (value == NULL)
      return false;
    csv_remove_guard(value);
    int rc = field_set(record, &f->fields[f->field_of[i]], value);
    free(value);
    if (rc != 0)
      return false;
  }
  return true;
}

bool
import_blank_record(const struct csv_record *rec)
{
  for (size_t i = 0; i < rec->count; i++)
    if (rec->lengths[i] > 0)
      return false;
  return true;
}

bool
import_merge_record(void *out, const void *existing, const void *incoming,
                    const struct import_file *f)
{
  for (size_t i = 0; i < f->field_count; i++) {
    const struct field_desc *fd = &f->fields[i];
    const void *from = f->present[i] ? incoming : existing;
    if (from != NULL && field_set(out, fd, field_get(from, fd)) != 0)
      return false;
  }
  return true;
}

void
import_code(char *out, size_t size, const void *record)
{
  const char *code = field_get(record, &app_fields[0]);
  trim_copy(out, size, code != NULL ? code : "");
}

void
import_store_failed(struct importer *im, const struct import_file *f,
                    size_t line, enum store_rc rc)
{
  char detail_id[768], detail_en[768];
  snprintf(detail_id, sizeof detail_id,
           "penyimpanan data gagal (%s); impor berhenti di sini, baris "
           "sebelumnya tetap tersimpan: jalankan impor yang sama lagi "
           "setelah penyimpanan berfungsi",
           store_errmsg(im->s));
  snprintf(detail_en, sizeof detail_en,
           "the store failed (%s); the import stopped here, rows before "
           "were kept: run the same import again once the store works",
           store_errmsg(im->s));
  import_report(im, f, line, NULL, store_rc_error(rc), detail_id, detail_en);
  log_event(LOG_ERROR, "catalog.import.store_failed", "file",
            f != NULL ? f->path : "", "error", store_errmsg(im->s), NULL);
  import_fail(im, store_rc_error(rc));
  im->stopped = true;
}

/* ---- application rows ---- */

struct app_row {
  struct app app;
  size_t line;
  struct import_file *file;
};

struct app_rows {
  struct app_row *items;
  size_t count;
  size_t cap;
  size_t added, updated, unchanged;  /* of the last write attempt */
};

static void
app_rows_clear(struct app_rows *rows)
{
  for (size_t i = 0; i < rows->count; i++)
    app_free(&rows->items[i].app);
  rows->count = 0;
}

/* Moves `a` into the list; false when memory runs out or `max` rows are
 * there already. */
static bool
app_rows_push(struct app_rows *rows, struct app *a, size_t line,
              struct import_file *f, size_t max)
{
  if (rows->count == rows->cap) {
    size_t cap = rows->cap ? rows->cap * 2 : 64;
    if (rows->cap >= max)
      return false;
    if (cap > max)
      cap = max;
    struct app_row *items = realloc(rows->items, cap * sizeof *items);
    if (items == NULL)
      return false;
    rows->items = items;
    rows->cap = cap;
  }
  rows->items[rows->count++] = (struct app_row){.app = *a, .line = line,
                                                .file = f};
  *a = (struct app){0};
  return true;
}

static enum store_rc
write_app_rows(struct store *s, void *arg)
{
  struct app_rows *rows = arg;
  rows->added = rows->updated = rows->unchanged = 0;
  for (size_t i = 0; i < rows->count; i++) {
    struct app_row *row = &rows->items[i];
    struct app old = {0};
    enum store_rc rc = s->ops->app_get(s, row->app.code, &old);
    bool exists = rc == STORE_OK;
    if (exists && catalog_app_equal(&old, &row->app)) {
      rows->unchanged++;
    } else if (rc == STORE_OK || rc == STORE_NOT_FOUND) {
      rc = catalog_write_app(s, &row->app, exists ? &old : NULL,
                             row->file->actor);
      if (rc == STORE_OK)
        *(exists ? &rows->updated : &rows->added) += 1;
    }
    app_free(&old);
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
      return rc;
  }
  return STORE_OK;
}

/* Writes the batch in one transaction (not in a dry run) and empties it. */
static void
flush_apps(struct importer *im, struct app_rows *batch)
{
  if (batch->count > 0 && !im->dry_run && !im->stopped) {
    enum store_rc rc = store_tx(im->s, false, write_app_rows, batch);
    if (rc == STORE_OK) {
      im->sum->added += batch->added;
      im->sum->updated += batch->updated;
      im->sum->unchanged += batch->unchanged;
    } else {
      im->sum->refused += batch->count;
      import_store_failed(im, batch->items[0].file, batch->items[0].line, rc);
    }
  }
  app_rows_clear(batch);
}

/* True when an application with `code` is stored or accepted by now. */
static bool
app_known(struct importer *im, const char *code, enum store_rc *rc)
{
  struct app found = {0};
  *rc = STORE_OK;
  if (code_set_get(&im->apps, code, NULL))
    return true;
  *rc = im->s->ops->app_get(im->s, code, &found);
  app_free(&found);
  if (*rc == STORE_OK || *rc == STORE_NOT_FOUND) {
    bool known = *rc == STORE_OK;
    *rc = STORE_OK;
    return known;
  }
  return false;
}

/* Checks references that need the import's state: duplicate codes in the
 * file and the owning agency. */
static void
check_app_context(struct importer *im, struct import_file *f, size_t line,
                  const struct app *a, struct catalog_check *check)
{
  size_t first;
  if (a->code != NULL && !catalog_has_error(check, "code")) {
    if (code_set_get(&f->seen, a->code, &first))
      catalog_error(check, SP_ERR_DUPLICATE, "code",
                    "kode '%s' sudah muncul pada baris %zu berkas ini: "
                    "pertahankan satu baris saja",
                    "the code '%s' already appears at line %zu of this "
                    "file: keep one of the rows",
                    a->code, first);
    else if (!code_set_put(&f->seen, a->code, line))
      catalog_error(check, SP_ERR_NOMEM, "code", "memori habis",
                    "out of memory");
  }
  if (a->agency == NULL || catalog_has_error(check, "agency") ||
      code_set_get(&im->agencies, a->agency, NULL))
    return;
  char near[80];
  code_set_nearest(&im->agencies, a->agency, near, sizeof near);
  if (near[0] != '\0')
    catalog_error(check, SP_ERR_UNKNOWN_AGENCY, "agency",
                  "perangkat daerah '%s' tidak ada di katalog maupun di "
                  "impor ini; mungkin maksudnya '%s'?",
                  "agency '%s' is neither in the catalog nor in this import; "
                  "did you mean '%s'?",
                  a->agency, near);
  else
    catalog_error(check, SP_ERR_UNKNOWN_AGENCY, "agency",
                  "perangkat daerah '%s' tidak ada di katalog maupun di "
                  "impor ini: perbaiki kodenya atau impor juga berkas "
                  "perangkat daerah",
                  "agency '%s' is neither in the catalog nor in this import: "
                  "correct the code or import the agencies file too",
                  a->agency);
}

/* Checks a merged_into that names a stored application which this import
 * does not replace: that target must not itself be merged. This reads the
 * store outside the write transaction, like the parent check of agency
 * rows. */
static enum store_rc
check_stored_merge(struct importer *im, const struct app *a,
                   struct catalog_check *check)
{
  struct app target = {0};

  if (a->merged_into == NULL || catalog_has_error(check, "merged_into") ||
      code_set_get(&im->apps, a->merged_into, NULL))
    return STORE_OK;
  enum store_rc rc = im->s->ops->app_get(im->s, a->merged_into, &target);
  app_free(&target);
  if (rc == STORE_NOT_FOUND)
    return STORE_OK;
  return rc == STORE_OK ? catalog_check_merge(im->s, a, check) : rc;
}

/* Accepts a checked row: remembers its code and queues it for writing. */
static void
accept_app(struct importer *im, struct app *a, size_t line,
           struct import_file *f, struct app_rows *batch)
{
  if (!code_set_put(&im->apps, a->code, line) ||
      !app_rows_push(batch, a, line, f, im->batch_rows)) {
    import_fail(im, SP_ERR_NOMEM);
    im->stopped = true;
    return;
  }
  if (batch->count >= im->batch_rows)
    flush_apps(im, batch);
}

/* Imports one application record. A row whose merged_into names an
 * application not seen yet waits in `waiting` until the end. */
static void
import_app_record(struct importer *im, struct import_file *f,
                  const struct csv_record *rec, struct app_rows *batch,
                  struct app_rows *waiting)
{
  struct app incoming = {0}, existing = {0}, a = {0};
  struct catalog_check check = {0};
  char code[128];
  enum store_rc rc = STORE_NOT_FOUND;

  if (!import_fill_record(&incoming, f, rec))
    goto nomem;
  import_code(code, sizeof code, &incoming);
  if (catalog_code_valid(code))
    rc = im->s->ops->app_get(im->s, code, &existing);
  if (rc != STORE_OK && rc != STORE_NOT_FOUND) {
    import_store_failed(im, f, rec->line, rc);
    goto out;
  }
  if (!import_merge_record(&a, rc == STORE_OK ? &existing : NULL, &incoming,
                           f))
    goto nomem;
  catalog_check_app(&a, &check);
  check_app_context(im, f, rec->line, &a, &check);
  rc = check_stored_merge(im, &a, &check);
  if (rc != STORE_OK) {
    import_store_failed(im, f, rec->line, rc);
    goto out;
  }
  if (!import_report_check(im, f, rec->line, &check))
    goto out;
  if (a.merged_into != NULL && !app_known(im, a.merged_into, &rc)) {
    if (rc != STORE_OK)
      import_store_failed(im, f, rec->line, rc);
    else if (!app_rows_push(waiting, &a, rec->line, f, MAX_WAITING_ROWS))
      goto nomem;
    goto out;
  }
  accept_app(im, &a, rec->line, f, batch);
  goto out;
nomem:
  import_fail(im, SP_ERR_NOMEM);
  im->stopped = true;
out:
  app_free(&incoming);
  app_free(&existing);
  app_free(&a);
}

static void
import_app_file(struct importer *im, struct import_file *f,
                struct app_rows *batch, struct app_rows *waiting)
{
  const struct csv_record *rec;
  struct csv_error err;

  while (!im->stopped) {
    enum csv_result res = csv_read(f->reader, &rec, &err);
    if (res == CSV_END)
      return;
    import_progress(im);
    if (res == CSV_FATAL) {
      import_report_csv_error(im, f, &err);
      return;
    }
    if (res == CSV_BAD_RECORD) {
      import_report_csv_error(im, f, &err);
      im->sum->apps++;
      im->sum->refused++;
      continue;
    }
    if (import_blank_record(rec))
      continue;
    im->sum->apps++;
    import_app_record(im, f, rec, batch, waiting);
  }
}

/* Returns the waiting row with `code`, or NULL. Rows still waiting at
 * the end are few, so a linear search does. */
static const struct app *
find_waiting(const struct app_rows *waiting, const char *code)
{
  for (size_t i = 0; code != NULL && i < waiting->count; i++)
    if (waiting->items[i].app.code != NULL &&
        strcmp(waiting->items[i].app.code, code) == 0)
      return &waiting->items[i].app;
  return NULL;
}

/* Explains why `a`, whose merged_into names another waiting row, was not
 * accepted: the merges form a cycle, or the target is itself merged into
 * an application that is not known. */
static void
waiting_chain_error(const struct app_rows *waiting, const struct app *a,
                    struct catalog_check *check)
{
  char path[512];
  const struct app *current = find_waiting(waiting, a->merged_into);
  size_t n = (size_t)snprintf(path, sizeof path, "%s", a->code);

  for (size_t depth = 0; current != NULL && depth <= waiting->count;
       depth++) {
    if (n < sizeof path)
      n += (size_t)snprintf(path + n, sizeof path - n, " -> %s",
                            current->code);
    if (strcmp(current->code, a->code) == 0) {
      catalog_error(check, SP_ERR_MERGED_INTO, "merged_into",
                    "penggabungan membentuk siklus %s: pilih aplikasi "
                    "tujuan yang tidak digabung ke aplikasi ini",
                    "the merge makes the cycle %s: choose a target that is "
                    "not merged into this application",
                    path);
      return;
    }
    const struct app *next = find_waiting(waiting, current->merged_into);
    if (next == NULL)
      break;
    current = next;
  }
  catalog_error(check, SP_ERR_MERGED_INTO, "merged_into",
                "aplikasi '%s' sendiri digabung (%s -> %s), dan '%s' tidak "
                "ada di katalog maupun di impor ini: gabungkan ke aplikasi "
                "yang ada",
                "application '%s' is itself merged (%s -> %s), and '%s' is "
                "neither in the catalog nor in this import: merge into an "
                "existing application",
                a->merged_into, path, current->merged_into,
                current->merged_into);
}

/* Accepts the waiting rows whose merged_into became known, until none
 * does; rejects the rest. */
static void
resolve_waiting(struct importer *im, struct app_rows *waiting,
                struct app_rows *batch)
{
  bool progress = true;
  enum store_rc rc = STORE_OK;

  while (progress && !im->stopped) {
    progress = false;
    for (size_t i = 0; i < waiting->count && !im->stopped; i++) {
      struct app_row *row = &waiting->items[i];
      if (row->app.code == NULL || !app_known(im, row->app.merged_into, &rc))
        continue;
      accept_app(im, &row->app, row->line, row->file, batch);
      progress = true;
    }
  }
  for (size_t i = 0; i < waiting->count && !im->stopped; i++) {
    struct app_row *row = &waiting->items[i];
    if (row->app.code == NULL)
      continue;
    struct catalog_check check = {0};
    if (find_waiting(waiting, row->app.merged_into) != NULL)
      waiting_chain_error(waiting, &row->app, &check);
    else
      catalog_error(&check, SP_ERR_UNKNOWN_APP, "merged_into",
                    "aplikasi '%s' tidak ada di katalog maupun di impor "
                    "ini: perbaiki kodenya atau impor juga aplikasi itu",
                    "application '%s' is neither in the catalog nor in "
                    "this import: correct the code or import that "
                    "application too",
                    row->app.merged_into);
    import_report_check(im, row->file, row->line, &check);
  }
  app_rows_clear(waiting);
}

/* ---- the import ---- */

static bool
load_agency_codes(struct importer *im)
{
  struct agency_filter all = {0};
  struct agency_list list = {0};
  enum store_rc rc = im->s->ops->agency_list(im->s, &all, &list);
  bool ok = rc == STORE_OK;

  if (!ok)
    import_store_failed(im, NULL, 0, rc);
  for (size_t i = 0; ok && i < list.count; i++)
    ok = code_set_put(&im->agencies, list.items[i].code, 0);
  agency_list_free(&list);
  return ok;
}

/* One pass over all files: agencies first, then applications. */
static void
run_pass(struct importer *im, const char *const *paths, size_t count)
{
  struct import_file *files = calloc(count, sizeof *files);
  struct import_file **agency_files = calloc(count, sizeof *agency_files);
  struct app_rows batch = {0}, waiting = {0};
  size_t agency_count = 0;

  if (files == NULL || agency_files == NULL) {
    import_fail(im, SP_ERR_NOMEM);
    goto out;
  }
  if (!load_agency_codes(im))
    goto out;
  for (size_t i = 0; i < count; i++) {
    if (!open_file(im, &files[i], paths[i]))
      close_file(&files[i]);
    else if (files[i].kind == IMPORT_AGENCIES)
      agency_files[agency_count++] = &files[i];
  }
  import_agencies(im, agency_files, agency_count);
  for (size_t i = 0; i < count && !im->stopped; i++)
    if (files[i].reader != NULL && files[i].kind == IMPORT_APPS)
      import_app_file(im, &files[i], &batch, &waiting);
  resolve_waiting(im, &waiting, &batch);
  flush_apps(im, &batch);
out:
  app_rows_clear(&waiting);
  app_rows_clear(&batch);
  free(waiting.items);
  free(batch.items);
  for (size_t i = 0; files != NULL && i < count; i++)
    close_file(&files[i]);
  free(files);
  free(agency_files);
  code_set_free(&im->agencies);
  code_set_free(&im->apps);
}

/* Counts the records after the header of each file, for the progress
 * line; unreadable files count 0. */
static size_t
count_rows(const char *const *paths, size_t count)
{
  size_t total = 0;
  for (size_t i = 0; i < count; i++) {
    FILE *file = fopen(paths[i], "rb");
    struct csv_reader *r = file != NULL ? csv_reader_file(file) : NULL;
    const struct csv_record *rec;
    struct csv_error err;
    size_t rows = 0;
    enum csv_result res;
    while (r != NULL && (res = csv_read(r, &rec, &err)) != CSV_END &&
           res != CSV_FATAL)
      rows++;
    total += rows > 0 ? rows - 1 : 0;
    csv_reader_free(r);
    if (file != NULL)
      fclose(file);
  }
  return total;
}

static void
log_summary(const char *event, const struct import_summary *sum,
            bool strict)
{
  char added[24], updated[24], unchanged[24], refused[24];
  snprintf(added, sizeof added, "%zu", sum->added);
  snprintf(updated, sizeof updated, "%zu", sum->updated);
  snprintf(unchanged, sizeof unchanged, "%zu", sum->unchanged);
  snprintf(refused, sizeof refused, "%zu", sum->refused);
  log_event(LOG_INFO, event, "added", added, "updated", updated,
            "unchanged", unchanged, "refused", refused, "strict",
            strict ? "true" : "false", NULL);
}

enum sp_err
catalog_import(struct store *s, const char *const *paths, size_t path_count,
               const struct import_options *opt,
               struct import_summary *summary)
{
  struct importer im = {
    .s = s,
    .opt = opt,
    .sum = summary,
    .report = opt->report,
    .batch_rows = opt->batch_rows == 0 ? 500 : opt->batch_rows,
  };
  char files[24];

  if (im.batch_rows > MAX_BATCH_ROWS)
    im.batch_rows = MAX_BATCH_ROWS;
  *summary = (struct import_summary){0};
  snprintf(files, sizeof files, "%zu", path_count);
  log_event(LOG_INFO, "catalog.import.start", "files", files, "strict",
            opt->strict ? "true" : "false", NULL);
  if (opt->progress && isatty(fileno(stderr)))
    im.rows_total = count_rows(paths, path_count);
  if (opt->strict) {
    im.dry_run = true;
    run_pass(&im, paths, path_count);
    if (im.first_err == SP_OK && summary->refused == 0) {
      /* Everything passed: write it, without reporting the notes again. */
      *summary = (struct import_summary){0};
      im.dry_run = false;
      im.report = NULL;
      im.rows_done = 0;
      run_pass(&im, paths, path_count);
    }
  } else {
    run_pass(&im, paths, path_count);
  }
  if (im.rows_total > 0)
    fputc('\n', stderr);
  if (opt->report != NULL) {
    fprintf(opt->report,
            "ditambah %zu, diperbarui %zu, tidak berubah %zu, ditolak %zu\n"
            "    added %zu, updated %zu, unchanged %zu, refused %zu\n",
            summary->added, summary->updated, summary->unchanged,
            summary->refused, summary->added, summary->updated,
            summary->unchanged, summary->refused);
    if (im.dry_run)
      fprintf(opt->report,
              "--strict: tidak ada yang diimpor karena kesalahan di atas\n"
              "    --strict: nothing was imported because of the errors "
              "above\n");
  }
  log_summary("catalog.import.done", summary, opt->strict);
  return im.first_err;
}
