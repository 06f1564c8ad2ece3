/* Export of the catalog as CSV (one table per file, the columns of the
 * import, formula-injection guard on) or as one JSON document. Records are
 * read a page at a time inside one transaction, so the output is one
 * consistent state of the catalog and memory stays bounded. NOTE: on
 * SQLite every transaction begins IMMEDIATE, so writers wait while an
 * export runs. */
#include "catalog/internal.h"

#include "catalog/csv.h"
#include "core/log.h"

#define EXPORT_PAGE 1000

enum export_table { EXPORT_AGENCIES = 1, EXPORT_APPS = 2 };

struct export {
  FILE *out;
  enum catalog_format format;
  unsigned tables;            /* enum export_table bits */
  bool started;               /* output began: a retry would repeat it */
  bool io_error;
  bool first_item;            /* no JSON array item written yet */
};

static void
write_csv_header(struct export *ex, const struct field_desc *fields,
                 size_t count)
{
  for (size_t i = 0; i < count; i++) {
    if ((i > 0 && fputc(',', ex->out) == EOF) ||
        !csv_write_cell(ex->out, fields[i].name, false))
      ex->io_error = true;
  }
  if (fputc('\n', ex->out) == EOF)
    ex->io_error = true;
}

static void
write_record(struct export *ex, const void *record,
             const struct field_desc *fields, size_t count, json_t *json)
{
  if (ex->format == CATALOG_JSON) {
    if (json == NULL) {
      ex->io_error = true;
      return;
    }
    if ((!ex->first_item && fputs(",\n", ex->out) == EOF) ||
        json_dumpf(json, ex->out, JSON_COMPACT | JSON_PRESERVE_ORDER) != 0)
      ex->io_error = true;
    ex->first_item = false;
    json_decref(json);
    return;
  }
  for (size_t i = 0; i < count; i++) {
    if ((i > 0 && fputc(',', ex->out) == EOF) ||
        !csv_write_cell(ex->out, field_get(record, &fields[i]), true))
      ex->io_error = true;
  }
  if (fputc('\n', ex->out) == EOF)
    ex->io_error = true;
}

static enum store_rc
export_agencies(struct store *s, struct export *ex)
{
  for (int64_t offset = 0; !ex->io_error; offset += EXPORT_PAGE) {
    struct agency_filter filter = {.limit = EXPORT_PAGE, .offset = offset};
    struct agency_list list = {0};
    enum store_rc rc = s->ops->agency_list(s, &filter, &list);
    if (rc != STORE_OK)
      return rc;
    for (size_t i = 0; i < list.count; i++) {
      json_t *json = ex->format == CATALOG_JSON
                       ? catalog_agency_json(&list.items[i])
                       : NULL;
      write_record(ex, &list.items[i], agency_fields, agency_field_count,
                   json);
    }
    size_t n = list.count;
    agency_list_free(&list);
    if (n < EXPORT_PAGE)
      break;
  }
  return STORE_OK;
}

static enum store_rc
export_apps(struct store *s, struct export *ex)
{
  for (int64_t offset = 0; !ex->io_error; offset += EXPORT_PAGE) {
    struct app_filter filter = {.sort = APP_SORT_CODE, .limit = EXPORT_PAGE,
                                .offset = offset};
    struct app_list list = {0};
    enum store_rc rc = s->ops->app_list(s, &filter, &list);
    if (rc != STORE_OK)
      return rc;
    for (size_t i = 0; i < list.count; i++) {
      json_t *json = ex->format == CATALOG_JSON
                       ? catalog_app_json(&list.items[i])
                       : NULL;
      write_record(ex, &list.items[i], app_fields, app_field_count, json);
    }
    size_t n = list.count;
    app_list_free(&list);
    if (n < EXPORT_PAGE)
      break;
  }
  return STORE_OK;
}

static enum store_rc
export_tx(struct store *s, void *arg)
{
  struct export *ex = arg;
  enum store_rc rc = STORE_OK;

  if (ex->started) {
    snprintf(s->errmsg, sizeof s->errmsg,
             "export: the transaction was retried after output began");
    return STORE_ERROR;
  }
  ex->started = true;
  if (ex->format == CATALOG_JSON) {
    fputs("{\"agencies\": [\n", ex->out);
    ex->first_item = true;
    rc = export_agencies(s, ex);
    fputs("\n],\n\"apps\": [\n", ex->out);
    ex->first_item = true;
    if (rc == STORE_OK)
      rc = export_apps(s, ex);
    fputs("\n]}\n", ex->out);
    return rc;
  }
  if (ex->tables & EXPORT_AGENCIES) {
    write_csv_header(ex, agency_fields, agency_field_count);
    rc = export_agencies(s, ex);
  }
  if (rc == STORE_OK && (ex->tables & EXPORT_APPS)) {
    write_csv_header(ex, app_fields, app_field_count);
    rc = export_apps(s, ex);
  }
  return rc;
}

static enum sp_err
run_export(struct store *s, FILE *out, enum catalog_format format,
           unsigned tables)
{
  struct export ex = {.out = out, .format = format, .tables = tables};
  enum store_rc rc = store_tx(s, true, export_tx, &ex);

  if (fflush(out) != 0 || ferror(out))
    ex.io_error = true;
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "catalog.export_failed", "error", store_errmsg(s),
              NULL);
    return store_rc_error(rc);
  }
  if (ex.io_error) {
    log_event(LOG_ERROR, "catalog.export_failed", "error",
              "writing the output failed", NULL);
    return SP_ERR_IO;
  }
  return SP_OK;
}

enum sp_err
catalog_export_agencies_csv(struct store *s, FILE *out)
{
  return run_export(s, out, CATALOG_CSV, EXPORT_AGENCIES);
}

enum sp_err
catalog_export_apps_csv(struct store *s, FILE *out)
{
  return run_export(s, out, CATALOG_CSV, EXPORT_APPS);
}

enum sp_err
catalog_export_json(struct store *s, FILE *out)
{
  return run_export(s, out, CATALOG_JSON, EXPORT_AGENCIES | EXPORT_APPS);
}
