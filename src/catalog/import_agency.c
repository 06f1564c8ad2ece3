/* Import of agency rows. Unlike application rows they are all read first
 * (a city has tens of agencies, a ministry hundreds), because a parent
 * must be written before its children and a cycle can only be seen with
 * every row at hand. */
#include <stdlib.h>
#include <string.h>

#include "catalog/import.h"
#include "catalog/internal.h"
#include "core/buf.h"

#define MAX_PARENT_DEPTH 256

enum row_state { ROW_PENDING = 0, ROW_DONE, ROW_REJECTED };

struct agency_row {
  struct agency agency;
  size_t line;
  struct import_file *file;
  enum row_state state;
  /* A cycle found inside the write transaction, made by a parent saved
   * elsewhere since the rows were checked; NULL when none. */
  struct sp_field_error *cycle;
};

struct agency_rows {
  struct agency_row *items;
  size_t count;
  size_t cap;
  struct code_set index;       /* code -> row */
  size_t *order;               /* rows in writing order */
  size_t ordered;
  size_t added, updated, unchanged;
  size_t batch_start, batch_end;
};

static void
rows_free(struct agency_rows *rows)
{
  for (size_t i = 0; i < rows->count; i++) {
    agency_free(&rows->items[i].agency);
    free(rows->items[i].cycle);
  }
  free(rows->items);
  free(rows->order);
  code_set_free(&rows->index);
}

static bool
rows_push(struct agency_rows *rows, struct agency *a, size_t line,
          struct import_file *f)
{
  if (rows->count == rows->cap) {
    size_t cap = rows->cap ? rows->cap * 2 : 64;
    struct agency_row *items = realloc(rows->items, cap * sizeof *items);
    if (items == NULL)
      return false;
    rows->items = items;
    rows->cap = cap;
  }
  if (!code_set_put(&rows->index, a->code, rows->count))
    return false;
  rows->items[rows->count++] = (struct agency_row){.agency = *a,
                                                   .line = line, .file = f};
  *a = (struct agency){0};
  return true;
}

/* Rejects a row that passed its own checks, for a reason found later. */
static void
reject_row(struct importer *im, struct agency_row *row, enum sp_err err,
           const char *text_id, const char *text_en)
{
  struct catalog_check check = {0};
  catalog_error_text(&check, err, "parent", text_id, text_en);
  import_report_check(im, row->file, row->line, &check);
  row->state = ROW_REJECTED;
}

/* Reads, merges with the stored agency and checks one record. */
static void
read_agency_record(struct importer *im, struct import_file *f,
                   const struct csv_record *rec, struct agency_rows *rows)
{
  struct agency incoming = {0}, existing = {0}, a = {0};
  struct catalog_check check = {0};
  char code[128];
  size_t first;
  enum store_rc rc = STORE_NOT_FOUND;

  bool ok = import_fill_record(&incoming, f, rec);
  import_code(code, sizeof code, &incoming);
  if (ok && catalog_code_valid(code))
    rc = im->s->ops->agency_get(im->s, code, &existing);
  if (rc != STORE_OK && rc != STORE_NOT_FOUND) {
    import_store_failed(im, f, rec->line, rc);
    goto out;
  }
  ok = ok && import_merge_record(&a, rc == STORE_OK ? &existing : NULL,
                                 &incoming, f);
  if (!ok)
    goto nomem;
  catalog_check_agency(&a, &check);
  if (a.code != NULL && !catalog_has_error(&check, "code") &&
      code_set_get(&rows->index, a.code, &first)) {
    const struct agency_row *other = &rows->items[first];
    catalog_error(&check, SP_ERR_DUPLICATE, "code",
                  "kode '%s' sudah muncul pada %s baris %zu: pertahankan "
                  "satu baris saja",
                  "the code '%s' already appears at %s line %zu: keep one "
                  "of the rows",
                  a.code, other->file->path, other->line);
  }
  if (!import_report_check(im, f, rec->line, &check))
    goto out;
  if (!rows_push(rows, &a, rec->line, f))
    goto nomem;
  goto out;
nomem:
  import_fail(im, SP_ERR_NOMEM);
  im->stopped = true;
out:
  agency_free(&incoming);
  agency_free(&existing);
  agency_free(&a);
}

static void
read_agency_file(struct importer *im, struct import_file *f,
                 struct agency_rows *rows)
{
  const struct csv_record *rec;
  struct csv_error err;

  while (!im->stopped) {
    enum csv_result res = csv_read(f->reader, &rec, &err);
    if (res == CSV_END)
      return;
    import_progress(im);
    if (res != CSV_RECORD) {
      import_report_csv_error(im, f, &err);
      if (res == CSV_FATAL)
        return;
      im->sum->agencies++;
      im->sum->refused++;
      continue;
    }
    if (import_blank_record(rec))
      continue;
    im->sum->agencies++;
    read_agency_record(im, f, rec, rows);
  }
}

/* The parent of `code` as it will be after the import: the row's when the
 * import has the agency, else the stored one. Returns false when the
 * agency is unknown or has no parent. */
static bool
parent_of(struct importer *im, const struct agency_rows *rows,
          const char *code, char *out, size_t size)
{
  size_t i;
  if (code_set_get(&rows->index, code, &i)) {
    const char *parent = rows->items[i].agency.parent;
    if (parent == NULL)
      return false;
    snprintf(out, size, "%s", parent);
    return true;
  }
  struct agency stored = {0};
  bool found = im->s->ops->agency_get(im->s, code, &stored) == STORE_OK &&
               stored.parent != NULL;
  if (found)
    snprintf(out, size, "%s", stored.parent);
  agency_free(&stored);
  return found;
}

/* Follows the parents of a row upwards; rejects the row when they lead
 * back to it, with the cycle spelled out. This reads the store outside the
 * write transaction, so a parent changed on another node in between can
 * still close a cycle: recheck_parent checks again inside it. */
static void
check_cycle(struct importer *im, struct agency_rows *rows,
            struct agency_row *row)
{
  const char *code = row->agency.code;
  char current[128];
  struct buf path;

  if (row->agency.parent == NULL)
    return;
  snprintf(current, sizeof current, "%s", row->agency.parent);
  buf_init(&path, 1024);
  buf_printf(&path, "%s -> %s", code, current);
  for (int depth = 0; depth < MAX_PARENT_DEPTH; depth++) {
    if (strcmp(current, code) == 0) {
      char text_id[384], text_en[384];
      snprintf(text_id, sizeof text_id,
               "induk membentuk siklus %s: pilih induk lain",
               buf_str(&path));
      snprintf(text_en, sizeof text_en,
               "the parents form the cycle %s: choose another parent",
               buf_str(&path));
      reject_row(im, row, SP_ERR_PARENT_CYCLE, text_id, text_en);
      break;
    }
    char next[128];
    if (!parent_of(im, rows, current, next, sizeof next))
      break;
    buf_printf(&path, " -> %s", next);
    snprintf(current, sizeof current, "%s", next);
  }
  buf_free(&path);
}

/* Decides one pending row if its parent is decided; true when it did. */
static bool
place_row(struct importer *im, struct agency_rows *rows, size_t i)
{
  struct agency_row *row = &rows->items[i];
  const char *parent = row->agency.parent;
  char text_id[384], text_en[384];
  size_t p;

  if (parent != NULL && code_set_get(&rows->index, parent, &p)) {
    const struct agency_row *up = &rows->items[p];
    if (up->state == ROW_PENDING)
      return false;
    if (up->state == ROW_REJECTED) {
      snprintf(text_id, sizeof text_id,
               "induk '%s' ditolak (%s baris %zu): perbaiki baris itu dulu",
               parent, up->file->path, up->line);
      snprintf(text_en, sizeof text_en,
               "the parent '%s' was rejected (%s line %zu): correct that row "
               "first",
               parent, up->file->path, up->line);
      reject_row(im, row, SP_ERR_UNKNOWN_AGENCY, text_id, text_en);
      return true;
    }
  } else if (parent != NULL && !code_set_get(&im->agencies, parent, NULL)) {
    char near[80];
    code_set_nearest(&im->agencies, parent, near, sizeof near);
    snprintf(text_id, sizeof text_id,
             "induk '%s' tidak ada di katalog maupun di impor ini: perbaiki "
             "kodenya%s%s%s",
             parent, near[0] ? " (mungkin maksudnya '" : "", near,
             near[0] ? "'?)" : "");
    snprintf(text_en, sizeof text_en,
             "the parent '%s' is neither in the catalog nor in this import: "
             "correct the code%s%s%s",
             parent, near[0] ? " (did you mean '" : "", near,
             near[0] ? "'?)" : "");
    reject_row(im, row, SP_ERR_UNKNOWN_AGENCY, text_id, text_en);
    return true;
  }
  row->state = ROW_DONE;
  rows->order[rows->ordered++] = i;
  if (!code_set_put(&im->agencies, row->agency.code, 0)) {
    import_fail(im, SP_ERR_NOMEM);
    im->stopped = true;
  }
  return true;
}

/* Puts parents before their children; rows left over lead into a cycle
 * that does not pass through them and are rejected. */
static bool
order_rows(struct importer *im, struct agency_rows *rows)
{
  rows->order = calloc(rows->count + 1, sizeof *rows->order);
  if (rows->order == NULL)
    return false;
  for (size_t i = 0; i < rows->count; i++)
    check_cycle(im, rows, &rows->items[i]);
  bool progress = true;
  while (progress && !im->stopped) {
    progress = false;
    for (size_t i = 0; i < rows->count; i++)
      if (rows->items[i].state == ROW_PENDING && place_row(im, rows, i))
        progress = true;
  }
  for (size_t i = 0; i < rows->count; i++)
    if (rows->items[i].state == ROW_PENDING)
      reject_row(im, &rows->items[i], SP_ERR_PARENT_CYCLE,
                 "rantai induk berujung pada siklus: perbaiki induknya",
                 "the chain of parents leads into a cycle: correct the "
                 "parents");
  return true;
}

/* Checks the parents of `row` again inside the write transaction, where
 * they are as they will be committed. Sets row->cycle when they lead back
 * to the row; the row is then left out of the batch. */
static enum store_rc
recheck_parent(struct store *s, struct agency_row *row)
{
  free(row->cycle);
  row->cycle = NULL;
  if (row->agency.parent == NULL)
    return STORE_OK;
  struct catalog_check *check = calloc(1, sizeof *check);
  if (check == NULL)
    return STORE_ERROR;
  enum store_rc rc = catalog_check_parent(s, &row->agency, check);
  if (rc == STORE_OK && check->error_count > 0) {
    row->cycle = malloc(sizeof *row->cycle);
    if (row->cycle == NULL)
      rc = STORE_ERROR;
    else
      *row->cycle = check->errors[0];
  }
  free(check);
  return rc;
}

static enum store_rc
write_agency_batch(struct store *s, void *arg)
{
  struct agency_rows *rows = arg;
  rows->added = rows->updated = rows->unchanged = 0;
  for (size_t k = rows->batch_start; k < rows->batch_end; k++) {
    struct agency_row *row = &rows->items[rows->order[k]];
    enum store_rc rc = recheck_parent(s, row);
    if (rc != STORE_OK)
      return rc;
    if (row->cycle != NULL)
      continue;
    struct agency old = {0};
    rc = s->ops->agency_get(s, row->agency.code, &old);
    bool exists = rc == STORE_OK;
    if (exists && catalog_agency_equal(&old, &row->agency)) {
      rows->unchanged++;
    } else if (rc == STORE_OK || rc == STORE_NOT_FOUND) {
      rc = catalog_write_agency(s, &row->agency, exists ? &old : NULL,
                                row->file->actor);
      if (rc == STORE_OK)
        *(exists ? &rows->updated : &rows->added) += 1;
    }
    agency_free(&old);
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
      return rc;
  }
  return STORE_OK;
}

/* Reports the rows of the committed batch that recheck_parent left out. */
static void
report_cycles(struct importer *im, struct agency_rows *rows)
{
  for (size_t k = rows->batch_start; k < rows->batch_end; k++) {
    struct agency_row *row = &rows->items[rows->order[k]];
    if (row->cycle == NULL)
      continue;
    import_report(im, row->file, row->line, row->cycle->field,
                  row->cycle->err, row->cycle->detail_id,
                  row->cycle->detail_en);
    import_fail(im, row->cycle->err);
    im->sum->refused++;
    row->state = ROW_REJECTED;
  }
}

/* Writes the ordered rows in batches, one SERIALIZABLE transaction each,
 * because the parent check inside spans rows (catalog_check_parent). */
static void
write_rows(struct importer *im, struct agency_rows *rows)
{
  for (size_t start = 0; start < rows->ordered && !im->stopped;
       start += im->batch_rows) {
    rows->batch_start = start;
    rows->batch_end = start + im->batch_rows < rows->ordered
                        ? start + im->batch_rows
                        : rows->ordered;
    enum store_rc rc = store_tx(im->s, true, write_agency_batch, rows);
    if (rc != STORE_OK) {
      const struct agency_row *first = &rows->items[rows->order[start]];
      im->sum->refused += rows->ordered - start;
      import_store_failed(im, first->file, first->line, rc);
      return;
    }
    report_cycles(im, rows);
    im->sum->added += rows->added;
    im->sum->updated += rows->updated;
    im->sum->unchanged += rows->unchanged;
  }
}

void
import_agencies(struct importer *im, struct import_file **files,
                size_t count)
{
  struct agency_rows rows = {0};

  for (size_t i = 0; i < count && !im->stopped; i++)
    read_agency_file(im, files[i], &rows);
  if (!im->stopped && !order_rows(im, &rows)) {
    import_fail(im, SP_ERR_NOMEM);
    im->stopped = true;
  }
  if (!im->dry_run && !im->stopped)
    write_rows(im, &rows);
  rows_free(&rows);
}
