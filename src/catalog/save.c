/* Saving agencies and applications with their history. */
#include "catalog/internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"

static bool
text_equal(const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return strcmp(a, b) == 0;
}

static bool
records_equal(const void *a, const void *b, const struct field_desc *fields,
              size_t count)
{
  for (size_t i = 0; i < count; i++)
    if (!text_equal(field_get(a, &fields[i]), field_get(b, &fields[i])))
      return false;
  return true;
}

bool
catalog_app_equal(const struct app *a, const struct app *b)
{
  return records_equal(a, b, app_fields, app_field_count);
}

bool
catalog_agency_equal(const struct agency *a, const struct agency *b)
{
  return records_equal(a, b, agency_fields, agency_field_count);
}

/* Writes the history of one save: "*" for a new record, then each field
 * whose value differs from `old` (all non-empty ones when old is NULL). */
static enum store_rc
write_history(struct store *s, const char *entity, const void *record,
              const void *old, const struct field_desc *fields, size_t count,
              const char *actor, int64_t now)
{
  struct change c = {
    .entity = (char *)entity,
    .code = (char *)field_get(record, &fields[0]),
    .actor = (char *)actor,
    .at = now,
  };
  enum store_rc rc = s->ops->change_next_id(s, &c.change_id);

  if (rc == STORE_OK && old == NULL) {
    c.field = "*";
    c.new_value = "created";
    rc = s->ops->change_add(s, &c);
  }
  for (size_t i = 0; rc == STORE_OK && i < count; i++) {
    const char *before = old != NULL ? field_get(old, &fields[i]) : NULL;
    const char *after = field_get(record, &fields[i]);
    if (text_equal(before, after))
      continue;
    c.field = (char *)fields[i].name;
    c.old_value = (char *)before;
    c.new_value = (char *)after;
    rc = s->ops->change_add(s, &c);
  }
  return rc;
}

enum store_rc
catalog_write_app(struct store *s, struct app *a, const struct app *old,
                  const char *actor)
{
  int64_t now = catalog_now();

  a->created_at = old != NULL ? old->created_at : now;
  a->updated_at = now;
  enum store_rc rc = s->ops->app_put(s, a, NULL);
  if (rc != STORE_OK)
    return rc;
  return write_history(s, "app", a, old, app_fields, app_field_count, actor,
                       now);
}

enum store_rc
catalog_write_agency(struct store *s, struct agency *a,
                     const struct agency *old, const char *actor)
{
  int64_t now = catalog_now();

  a->created_at = old != NULL ? old->created_at : now;
  a->updated_at = now;
  enum store_rc rc = s->ops->agency_put(s, a, NULL);
  if (rc != STORE_OK)
    return rc;
  return write_history(s, "agency", a, old, agency_fields, agency_field_count,
                       actor, now);
}

/* State of one save, kept across the retries of its transaction. */
struct save {
  void *record;
  bool create;
  const char *if_etag;          /* NULL: no concurrency check */
  const char *actor;
  struct catalog_check *check;
  size_t errors_before;
  enum sp_err err;
  bool changed;
};

/* Ends the transaction function with a domain error. The status makes
 * store_tx roll back, and save->err records the error for the caller. */
static enum store_rc
reject(struct save *sv, enum sp_err err)
{
  sv->err = err;
  return STORE_ERROR;
}

/* Starts a save attempt (store_tx may run it again) once the stored record
 * with `code` is read, `got` being how that went: rejects a create over a
 * stored code (with the duplicate message `dup_id`/`dup_en`, which take
 * the code), an update of a code not stored, and a `stale` etag. STORE_OK
 * means go on. */
static enum store_rc
check_stored(struct save *sv, const char *code, enum store_rc got,
             bool stale, const char *dup_id, const char *dup_en)
{
  bool exists = got == STORE_OK;
  sv->check->error_count = sv->errors_before;
  sv->err = SP_OK;
  sv->changed = false;
  if (got != STORE_OK && got != STORE_NOT_FOUND)
    return got;
  if (sv->create && exists) {
    catalog_error(sv->check, SP_ERR_DUPLICATE, "code", dup_id, dup_en, code);
    return reject(sv, SP_ERR_DUPLICATE);
  }
  if (!sv->create && !exists)
    return reject(sv, SP_ERR_NOT_FOUND);
  return stale ? reject(sv, SP_ERR_CONFLICT) : STORE_OK;
}

/* Adds SP_ERR_UNKNOWN_AGENCY on `field` when no agency has `code`, with
 * the nearest stored code as a hint when there is one. */
static enum store_rc
check_agency_ref(struct store *s, const char *code, const char *field,
                 struct catalog_check *check)
{
  struct agency found = {0};
  char near[80], shown[256];
  enum store_rc rc = s->ops->agency_get(s, code, &found);

  agency_free(&found);
  if (rc != STORE_NOT_FOUND)
    return rc;
  rc = catalog_nearest_agency(s, code, near, sizeof near);
  if (rc != STORE_OK)
    return rc;
  catalog_value_text(shown, sizeof shown, code);
  if (near[0] != '\0')
    catalog_error(check, SP_ERR_UNKNOWN_AGENCY, field,
                  "perangkat daerah '%s' tidak ada di katalog; mungkin "
                  "maksudnya '%s'?",
                  "agency '%s' is not in the catalog; did you mean '%s'?",
                  shown, near);
  else
    catalog_error(check, SP_ERR_UNKNOWN_AGENCY, field,
                  "perangkat daerah '%s' tidak ada di katalog: tambahkan "
                  "dulu atau perbaiki kodenya",
                  "agency '%s' is not in the catalog: add it first or "
                  "correct the code",
                  shown);
  return STORE_OK;
}

static enum store_rc
check_app_refs(struct store *s, const struct app *a,
               struct catalog_check *check)
{
  enum store_rc rc = STORE_OK;

  if (a->agency != NULL && !catalog_has_error(check, "agency"))
    rc = check_agency_ref(s, a->agency, "agency", check);
  if (rc != STORE_OK || catalog_has_error(check, "merged_into") ||
      catalog_has_error(check, "status"))
    return rc;
  return catalog_check_merge(s, a, check);
}

static enum store_rc
save_app_tx(struct store *s, void *arg)
{
  struct save *sv = arg;
  struct app *a = sv->record;
  struct app old = {0};
  char etag[CATALOG_ETAG_SIZE];

  enum store_rc rc = s->ops->app_get(s, a->code, &old);
  bool exists = rc == STORE_OK;
  bool stale = exists && sv->if_etag != NULL &&
               (!catalog_app_etag(&old, etag) ||
                strcmp(etag, sv->if_etag) != 0);
  rc = check_stored(sv, a->code, rc, stale,
                    "kode '%s' sudah dipakai aplikasi lain: pilih kode lain",
                    "the code '%s' is already used by another application: "
                    "choose another code");
  if (rc != STORE_OK)
    goto out;
  rc = check_app_refs(s, a, sv->check);
  if (rc == STORE_OK && sv->check->error_count > 0)
    rc = reject(sv, sv->check->errors[0].err);
  if (rc != STORE_OK || (exists && catalog_app_equal(&old, a)))
    goto out;
  rc = catalog_write_app(s, a, exists ? &old : NULL, sv->actor);
  sv->changed = rc == STORE_OK;
out:
  app_free(&old);
  return rc;
}

enum store_rc
catalog_check_parent(struct store *s, const struct agency *a,
                     struct catalog_check *check)
{
  struct buf path;
  char *current = strdup(a->parent);
  enum store_rc rc = current != NULL ? STORE_OK : STORE_ERROR;

  buf_init(&path, 1024);
  buf_printf(&path, "%s -> %s", a->code, a->parent);
  /* The bound stops the walk on a cycle stored before this save. */
  for (int depth = 0; rc == STORE_OK && current != NULL && depth < 256;
       depth++) {
    if (strcmp(current, a->code) == 0) {
      catalog_error(check, SP_ERR_PARENT_CYCLE, "parent",
                    "induk membentuk siklus %s: pilih induk lain",
                    "the parent makes the cycle %s: choose another parent",
                    buf_str(&path));
      break;
    }
    struct agency p = {0};
    rc = s->ops->agency_get(s, current, &p);
    if (rc == STORE_NOT_FOUND && depth == 0)
      rc = check_agency_ref(s, current, "parent", check);
    free(current);
    current = NULL;
    if (rc == STORE_OK && p.parent != NULL) {
      current = strdup(p.parent);
      buf_printf(&path, " -> %s", p.parent);
      rc = current != NULL ? STORE_OK : STORE_ERROR;
    }
    agency_free(&p);
  }
  if (rc == STORE_NOT_FOUND)
    rc = STORE_OK;
  free(current);
  buf_free(&path);
  return rc;
}

static enum store_rc
save_agency_tx(struct store *s, void *arg)
{
  struct save *sv = arg;
  struct agency *a = sv->record;
  struct agency old = {0};
  char etag[CATALOG_ETAG_SIZE];

  enum store_rc rc = s->ops->agency_get(s, a->code, &old);
  bool exists = rc == STORE_OK;
  bool stale = exists && sv->if_etag != NULL &&
               (!catalog_agency_etag(&old, etag) ||
                strcmp(etag, sv->if_etag) != 0);
  rc = check_stored(sv, a->code, rc, stale,
                    "kode '%s' sudah dipakai perangkat daerah lain: pilih "
                    "kode lain",
                    "the code '%s' is already used by another agency: "
                    "choose another code");
  if (rc != STORE_OK)
    goto out;
  rc = a->parent != NULL && !catalog_has_error(sv->check, "parent")
         ? catalog_check_parent(s, a, sv->check)
         : STORE_OK;
  if (rc == STORE_OK && sv->check->error_count > 0)
    rc = reject(sv, sv->check->errors[0].err);
  if (rc != STORE_OK || (exists && catalog_agency_equal(&old, a)))
    goto out;
  rc = catalog_write_agency(s, a, exists ? &old : NULL, sv->actor);
  sv->changed = rc == STORE_OK;
out:
  agency_free(&old);
  return rc;
}

/* Runs one save: checks, then the transaction. */
static enum sp_err
run_save(struct store *s, struct save *sv, bool checked, const char *entity,
         const char *code, enum store_rc (*fn)(struct store *, void *),
         bool *changed)
{
  if (changed != NULL)
    *changed = false;
  /* With field errors the references are still checked, so that one reply
   * lists every problem; only a missing or invalid code stops here. */
  if (!checked && (code == NULL || catalog_has_error(sv->check, "code")))
    return sv->check->error_count > 0 ? sv->check->errors[0].err
                                      : SP_ERR_INTERNAL;
  sv->errors_before = sv->check->error_count;
  sv->err = SP_OK;
  enum store_rc rc = store_tx(s, true, fn, sv);
  if (changed != NULL)
    *changed = sv->changed && rc == STORE_OK;
  if (sv->err != SP_OK)
    return sv->err;
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "catalog.save_failed", "entity", entity, "code",
              code, "error", store_errmsg(s), NULL);
    return store_rc_error(rc);
  }
  return SP_OK;
}

enum sp_err
catalog_save_app_if(struct store *s, struct app *a, bool create,
                    const char *if_etag, const char *actor,
                    struct catalog_check *check, bool *changed)
{
  struct save sv = {.record = a, .create = create, .if_etag = if_etag,
                    .actor = actor, .check = check};
  bool checked = catalog_check_app(a, check);
  return run_save(s, &sv, checked, "app", a->code, save_app_tx, changed);
}

enum sp_err
catalog_save_app(struct store *s, struct app *a, bool create,
                 const char *actor, struct catalog_check *check,
                 bool *changed)
{
  return catalog_save_app_if(s, a, create, NULL, actor, check, changed);
}

enum sp_err
catalog_save_agency_if(struct store *s, struct agency *a, bool create,
                       const char *if_etag, const char *actor,
                       struct catalog_check *check, bool *changed)
{
  struct save sv = {.record = a, .create = create, .if_etag = if_etag,
                    .actor = actor, .check = check};
  bool checked = catalog_check_agency(a, check);
  return run_save(s, &sv, checked, "agency", a->code, save_agency_tx,
                  changed);
}

enum sp_err
catalog_save_agency(struct store *s, struct agency *a, bool create,
                    const char *actor, struct catalog_check *check,
                    bool *changed)
{
  return catalog_save_agency_if(s, a, create, NULL, actor, check, changed);
}
