/* Adding and editing agencies and applications from the console: the
 * handlers behind the forms of forms.c. Saving, and every rule about the
 * values, belongs to the catalog (catalog_save_app, catalog_save_agency). */
#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "console/console.h"
#include "core/log.h"

static const char *
actor_of(const struct http_request *rq)
{
  return rq->user != NULL && rq->user->name != NULL ? rq->user->name
                                                    : "unknown";
}

/* Copies the posted fields into `r`. Fields the form did not send stay as
 * they are; the code is taken only when creating. False when memory runs
 * out. */
static bool
read_form(const struct record_kind *k, const struct http_request *rq,
          union record *r, bool create)
{
  for (size_t i = 0; i < *k->field_count; i++) {
    const struct field_desc *f = &k->fields[i];
    if (!create && strcmp(f->name, "code") == 0)
      continue;
    const char *value = http_form(rq, f->name);
    if (value != NULL && field_set(r, f, value) != 0)
      return false;
  }
  return true;
}

void
console_record_new(const struct record_kind *k, struct http_request *rq,
                   struct http_response *rs)
{
  union record r = {0};
  bool ok = true;
  /* Query values prefill the form, so a link such as
   * /apps/new?agency=DISKOMINFO opens it with the agency chosen. */
  for (size_t i = 0; ok && i < *k->field_count; i++) {
    const struct field_desc *f = &k->fields[i];
    const char *value = http_query(rq, f->name);
    if (value != NULL && params_text_ok(value))
      ok = field_set(&r, f, value) == 0;
  }
  const struct field_desc *status = field_find(k->fields, *k->field_count,
                                               "status");
  if (ok && status != NULL && status->choices != NULL &&
      field_get(&r, status) == NULL)
    ok = field_set(&r, status, status->choices[0].code) == 0;
  if (!ok)
    http_reply_error_page(rq, rs, SP_ERR_NOMEM, NULL);
  else
    console_form_page(k, rq, rs, &r, true, NULL, 200, NULL, NULL);
  k->release(&r);
}

void
console_record_edit(const struct record_kind *k, struct http_request *rq,
                    struct http_response *rs)
{
  char buf[80], etag[CATALOG_ETAG_SIZE];
  const char *code = record_path_code(k, rq->params[0], buf, sizeof buf);
  union record r = {0};
  enum store_rc rc = k->get(rq->store, code, &r);
  if (rc == STORE_NOT_FOUND)
    console_not_found(k, rq, rs, code);
  else if (rc != STORE_OK)
    console_store_error(rq, rs, rc, "get");
  else if (!record_etag(k, &r, etag))
    http_reply_error_page(rq, rs, SP_ERR_NOMEM, NULL);
  else
    console_form_page(k, rq, rs, &r, false, NULL, 200, etag, NULL);
  k->release(&r);
}

/* Redirects to the record's page after a save. */
static void
redirect_to_record(const struct record_kind *k, struct http_response *rs,
                   const char *code, bool changed)
{
  struct buf path;
  buf_init(&path, 1024);
  buf_puts(&path, k->page_path);
  buf_putc(&path, '/');
  html_url_param(&path, code);
  buf_puts(&path, changed ? "?saved=1" : "?saved=0");
  http_redirect(rs, path.too_big ? k->page_path : buf_str(&path));
  buf_free(&path);
}

/* Shows the form again after a save lost to someone else's: the stored
 * version above, the person's values in the form, and the stored
 * version's tag, so saving again replaces it deliberately. */
static void
conflict_form(const struct record_kind *k, struct http_request *rq,
              struct http_response *rs, const union record *mine,
              const char *code)
{
  union record current = {0};
  char etag[CATALOG_ETAG_SIZE];
  enum store_rc rc = k->get(rq->store, code, &current);

  if (rc == STORE_NOT_FOUND)
    console_not_found(k, rq, rs, code);
  else if (rc != STORE_OK)
    console_store_error(rq, rs, rc, "get");
  else if (!record_etag(k, &current, etag))
    http_reply_error_page(rq, rs, SP_ERR_NOMEM, NULL);
  else
    console_form_page(k, rq, rs, mine, false, NULL,
                      sp_error_info(SP_ERR_CONFLICT)->http_status, etag,
                      &current);
  k->release(&current);
}

/* Saves `r` from a posted form and replies: a redirect to the record, the
 * form again with its errors, or an error page. An update is made only if
 * the record still has the tag the form was opened with (`if_etag`; NULL
 * when the form sent none). */
static void
save_form(const struct record_kind *k, struct http_request *rq,
          struct http_response *rs, union record *r, bool create,
          const char *if_etag)
{
  struct catalog_check *check = calloc(1, sizeof *check);
  if (check == NULL) {
    http_reply_error_page(rq, rs, SP_ERR_NOMEM, NULL);
    return;
  }
  bool changed = false;
  enum sp_err err = record_save_if(k, rq->store, r, create, if_etag,
                                   actor_of(rq), check, &changed);
  const char *code = record_code(k, r);

  if (err == SP_ERR_CONFLICT && check->error_count == 0) {
    conflict_form(k, rq, rs, r, code ? code : "");
  } else if (err == SP_OK) {
    console_flash_set(k, rq, rs, check);
    redirect_to_record(k, rs, code ? code : "", changed || create);
  } else if (err == SP_ERR_NOT_FOUND && check->error_count == 0) {
    console_not_found(k, rq, rs, code ? code : "");
  } else if (check->error_count > 0 || err == SP_ERR_DUPLICATE) {
    if (check->error_count == 0) {
      char shown[96];
      params_excerpt(shown, sizeof shown, code);
      sp_field_error_set(&check->errors[0], err, "code",
                         "kode '%s' sudah dipakai; pilih kode lain",
                         "the code '%s' is taken; choose another code",
                         shown);
      check->error_count = 1;
    }
    console_form_page(k, rq, rs, r, create, check,
                      sp_error_info(err)->http_status, if_etag, NULL);
  } else {
    /* Store failures were logged by catalog_save_*, with the store's
     * message; only other failures are logged here. */
    if (err != SP_ERR_STORE && err != SP_ERR_STORE_BUSY)
      log_event(LOG_ERROR, "console.save_failed", "entity", k->entity,
                "code", code, "error", sp_error_info(err)->code, NULL);
    http_reply_error_page(rq, rs, err, NULL);
  }
  free(check);
}

void
console_record_create(const struct record_kind *k, struct http_request *rq,
                      struct http_response *rs)
{
  union record r = {0};
  if (!read_form(k, rq, &r, true))
    http_reply_error_page(rq, rs, SP_ERR_NOMEM, NULL);
  else
    save_form(k, rq, rs, &r, true, NULL);
  k->release(&r);
}

void
console_record_update(const struct record_kind *k, struct http_request *rq,
                      struct http_response *rs)
{
  char buf[80];
  const char *code = record_path_code(k, rq->params[0], buf, sizeof buf);
  const char *etag = http_form(rq, "etag");
  union record r = {0};
  enum store_rc rc = k->get(rq->store, code, &r);
  if (etag != NULL && etag[0] == '\0')
    etag = NULL;
  if (rc == STORE_NOT_FOUND)
    console_not_found(k, rq, rs, code);
  else if (rc != STORE_OK)
    console_store_error(rq, rs, rc, "get");
  else if (!read_form(k, rq, &r, false))
    http_reply_error_page(rq, rs, SP_ERR_NOMEM, NULL);
  else
    save_form(k, rq, rs, &r, false, etag);
  k->release(&r);
}
