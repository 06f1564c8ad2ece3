/* One agency or application through the JSON API: show, create, update and
 * history, written once for both kinds of record (api/records.h). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/params.h"
#include "core/log.h"

void
api_reply_field_error(struct http_response *rs,
                      const struct sp_field_error *fe)
{
  http_reply_error_json(rs, fe->err, fe, 1);
}

void
api_reply_store_error(struct http_request *rq, struct http_response *rs,
                      enum store_rc rc, const char *op)
{
  log_event(LOG_ERROR, "api.store_failed", "op", op, "error",
            store_errmsg(rq->store), NULL);
  http_reply_error_json(rs, store_rc_error(rc), NULL, 0);
}

void
api_reply_nomem(struct http_response *rs, const char *op)
{
  log_event(LOG_ERROR, "api.out_of_memory", "op", op, NULL);
  http_reply_error_json(rs, SP_ERR_NOMEM, NULL, 0);
}

static const char *
actor_of(const struct http_request *rq)
{
  return rq->user != NULL && rq->user->name != NULL ? rq->user->name
                                                    : "unknown";
}

/* Sets the code and the field (a JSON key) of `fe`; the caller writes the
 * two details. */
static void
field_error_text(struct sp_field_error *fe, enum sp_err err, const char *field)
{
  fe->err = err;
  snprintf(fe->field, sizeof fe->field, "%s", field);
}

void
api_reply_not_found(const struct record_kind *k, struct http_response *rs,
                    const char *code)
{
  struct sp_field_error fe;
  char shown[96];
  params_excerpt(shown, sizeof shown, code);
  field_error_text(&fe, SP_ERR_NOT_FOUND, "code");
  snprintf(fe.detail_id, sizeof fe.detail_id,
           "tidak ada %s berkode '%s'; lihat daftar kode di GET %s",
           k->label_id, shown, k->api_path);
  snprintf(fe.detail_en, sizeof fe.detail_en,
           "no %s has the code '%s'; list the codes with GET %s",
           k->label_en, shown, k->api_path);
  api_reply_field_error(rs, &fe);
}

json_t *
api_read_body(struct http_request *rq, struct http_response *rs)
{
  enum sp_err err = SP_ERR_BAD_JSON;
  char detail[256] = "";
  json_t *body = http_json_body(rq, &err, detail, sizeof detail);
  if (body != NULL)
    return body;

  struct sp_field_error fe;
  char shown[96];
  params_excerpt(shown, sizeof shown, detail);
  field_error_text(&fe, err, "body");
  /* The parser's detail (position and reason) is in English only, so the
   * Indonesian text gives the error's own message before it. */
  if (shown[0] != '\0')
    snprintf(fe.detail_id, sizeof fe.detail_id, "%s (%s)",
             sp_error_message(err, "id"), shown);
  else
    snprintf(fe.detail_id, sizeof fe.detail_id, "%s",
             sp_error_message(err, "id"));
  snprintf(fe.detail_en, sizeof fe.detail_en, "%s",
           shown[0] ? shown : sp_error_message(err, "en"));
  api_reply_field_error(rs, &fe);
  return NULL;
}

/* Replies with the errors collected in `check`, under the first one's
 * code and status. */
static void
reply_check_errors(struct http_response *rs, const struct catalog_check *check)
{
  enum sp_err err = check->error_count > 0 ? check->errors[0].err
                                           : SP_ERR_BAD_REQUEST;
  http_reply_error_json(rs, err, check->errors, check->error_count);
}

/* Builds the reply of a save: the stored record (read again, so ids and
 * times are the store's) with the normalisation notes. */
static json_t *
saved_json(const struct record_kind *k, struct store *s, const char *code,
           const struct catalog_check *check, enum store_rc *rc,
           char etag[CATALOG_ETAG_SIZE])
{
  union record stored = {0};
  *rc = k->get(s, code, &stored);
  if (*rc != STORE_OK)
    return NULL;
  if (!record_etag(k, &stored, etag))
    etag[0] = '\0';
  json_t *out = k->to_json(&stored);
  k->release(&stored);
  if (out == NULL || check->note_count == 0)
    return out;

  json_t *notes = json_array();
  for (size_t i = 0; notes != NULL && i < check->note_count; i++) {
    const struct catalog_note *n = &check->notes[i];
    json_t *note = json_pack("{s:s, s:s, s:s}", "field", n->field, "text_id",
                             n->text_id, "text_en", n->text_en);
    if (note == NULL || json_array_append_new(notes, note) != 0) {
      json_decref(notes);
      notes = NULL;
    }
  }
  if (notes == NULL || json_object_set_new(out, "notes", notes) != 0) {
    json_decref(out);
    return NULL;
  }
  return out;
}

/* Replies to a save that did not succeed. */
static void
reply_save_failure(const struct record_kind *k, struct http_response *rs,
                   enum sp_err err,
                   const struct catalog_check *check, const char *code)
{
  if (check->error_count > 0) {
    reply_check_errors(rs, check);
    return;
  }
  if (err == SP_ERR_NOT_FOUND) {
    api_reply_not_found(k, rs, code);
    return;
  }
  if (err == SP_ERR_DUPLICATE) {
    struct sp_field_error fe;
    char shown[96];
    params_excerpt(shown, sizeof shown, code);
    sp_field_error_set(&fe, err, "code",
                       "kode '%s' sudah dipakai; pilih kode lain, atau ubah "
                       "data itu dengan PATCH %s/%s",
                       "the code '%s' is taken; choose another code, or "
                       "change that record with PATCH %s/%s",
                       shown, k->api_path, shown);
    api_reply_field_error(rs, &fe);
    return;
  }
  /* catalog_save_* has logged store failures already, with the store's
   * message; only other failures are logged here. */
  if (err != SP_ERR_STORE && err != SP_ERR_STORE_BUSY)
    log_event(LOG_ERROR, "api.save_failed", "entity", k->entity, "code", code,
              "error", sp_error_info(err)->code, NULL);
  http_reply_error_json(rs, err, NULL, 0);
}

/* Sends `etag` (may be "") as a strong ETag header. */
static void
add_etag_header(struct http_response *rs, const char *etag)
{
  char quoted[CATALOG_ETAG_SIZE + 2];
  if (etag[0] == '\0')
    return;
  snprintf(quoted, sizeof quoted, "\"%s\"", etag);
  http_add_header(rs, "ETag", quoted);
}

/* Saves `r` and replies with the stored record (201 when created, else
 * 200), or with the error. Creates when `if_etag` is NULL, else updates
 * the record whose tag it is; returns SP_ERR_CONFLICT without replying
 * when the stored record has another tag by then, else SP_OK. */
static enum sp_err
save_and_reply(const struct record_kind *k, struct http_request *rq,
               struct http_response *rs, union record *r, const char *if_etag,
               struct catalog_check *check)
{
  bool create = if_etag == NULL;
  enum sp_err err = record_save_if(k, rq->store, r, create, if_etag,
                                   actor_of(rq), check, NULL);
  const char *code = record_code(k, r);
  if (err == SP_ERR_CONFLICT && check->error_count == 0)
    return err;
  if (err != SP_OK) {
    reply_save_failure(k, rs, err, check, code ? code : "");
    return SP_OK;
  }

  enum store_rc rc;
  char etag[CATALOG_ETAG_SIZE];
  json_t *out = saved_json(k, rq->store, code, check, &rc, etag);
  if (out == NULL) {
    if (rc != STORE_OK)
      api_reply_store_error(rq, rs, rc, "get_after_save");
    else
      api_reply_nomem(rs, "saved_json");
    return SP_OK;
  }
  if (create) {
    struct buf location;
    buf_init(&location, 1024);
    buf_puts(&location, k->api_path);
    buf_putc(&location, '/');
    html_url_param(&location, code);
    if (!location.too_big)
      http_add_header(rs, "Location", buf_str(&location));
    buf_free(&location);
  }
  add_etag_header(rs, etag);
  http_reply_json(rs, create ? 201 : 200, out);
  return SP_OK;
}

void
api_record_show(const struct record_kind *k, struct http_request *rq,
                struct http_response *rs)
{
  char buf[80], etag[CATALOG_ETAG_SIZE];
  const char *code = record_path_code(k, rq->params[0], buf, sizeof buf);
  union record r = {0};
  enum store_rc rc = k->get(rq->store, code, &r);
  if (rc == STORE_NOT_FOUND) {
    api_reply_not_found(k, rs, code);
    return;
  }
  if (rc != STORE_OK) {
    api_reply_store_error(rq, rs, rc, "get");
    return;
  }
  json_t *out = k->to_json(&r);
  if (!record_etag(k, &r, etag))
    etag[0] = '\0';
  k->release(&r);
  add_etag_header(rs, etag);
  if (out == NULL) {
    api_reply_nomem(rs, "record_json");
    return;
  }
  http_reply_json(rs, 200, out);
}

void
api_record_create(const struct record_kind *k, struct http_request *rq,
                  struct http_response *rs)
{
  json_t *body = api_read_body(rq, rs);
  if (body == NULL)
    return;

  struct catalog_check *check = calloc(1, sizeof *check);
  if (check == NULL) {
    json_decref(body);
    api_reply_nomem(rs, "create");
    return;
  }
  union record r = {0};
  if (!catalog_apply_json(&r, k->fields, *k->field_count, body, true, check))
    reply_check_errors(rs, check);
  else
    save_and_reply(k, rq, rs, &r, NULL, check);
  json_decref(body);
  k->release(&r);
  free(check);
}

/* True when the body's "code", if present, is the path's code: a record's
 * code cannot be changed by an update. */
static bool
code_unchanged(json_t *body, const char *code, struct sp_field_error *fe)
{
  json_t *given = json_object_get(body, "code");
  if (given == NULL || (json_is_string(given) &&
                        strcmp(json_string_value(given), code) == 0))
    return true;
  sp_field_error_set(fe, SP_ERR_BAD_CODE, "code",
                     "kode tidak dapat diubah; hapus \"code\" dari isi "
                     "permintaan atau samakan dengan '%s'",
                     "the code cannot be changed; leave \"code\" out of the "
                     "body or make it '%s'", code);
  return false;
}

/* True when the If-Match header `given` (a list of quoted entity tags,
 * or "*") names `etag`. Weak tags (W/"...") never match: If-Match uses the
 * strong comparison (RFC 9110, section 13.1.1). */
static bool
if_match(const char *given, const char *etag)
{
  size_t len = strlen(etag);
  const char *p = given;

  while (*p == ' ' || *p == '\t')
    p++;
  if (strcmp(p, "*") == 0)
    return true;
  for (; *p != '\0'; p++) {
    if (*p == '"' && strncmp(p + 1, etag, len) == 0 && p[len + 1] == '"' &&
        (p == given || p[-1] != '/'))
      return true;
  }
  return false;
}

/* Attempts of an update that lost the race to another save. Each retry
 * reads the record again, so the fields the other save changed are kept. */
#define UPDATE_ATTEMPTS 5

/* One attempt of an update: reads the record, checks If-Match, applies
 * the body and saves under the tag read, in the save's transaction.
 * Returns SP_ERR_CONFLICT, with nothing replied, when another save came
 * between the read and the write; SP_OK when a reply was made. */
static enum sp_err
update_once(const struct record_kind *k, struct http_request *rq,
            struct http_response *rs, const char *code, json_t *body,
            struct catalog_check *check)
{
  union record r = {0};
  struct sp_field_error fe;
  char etag[CATALOG_ETAG_SIZE];
  const char *given = http_header(rq, "If-Match");
  enum sp_err err = SP_OK;
  enum store_rc rc = k->get(rq->store, code, &r);

  memset(check, 0, sizeof *check);
  if (rc == STORE_NOT_FOUND)
    api_reply_not_found(k, rs, code);
  else if (rc != STORE_OK)
    api_reply_store_error(rq, rs, rc, "get");
  else if (!record_etag(k, &r, etag))
    api_reply_nomem(rs, "etag");
  else if (given != NULL && !if_match(given, etag))
    http_reply_error_json(rs, SP_ERR_PRECONDITION, NULL, 0);
  else if (!code_unchanged(body, record_code(k, &r), &fe))
    api_reply_field_error(rs, &fe);
  else if (!catalog_apply_json(&r, k->fields, *k->field_count, body, false,
                               check))
    reply_check_errors(rs, check);
  else
    err = save_and_reply(k, rq, rs, &r, etag, check);
  k->release(&r);
  return err;
}

void
api_record_update(const struct record_kind *k, struct http_request *rq,
                  struct http_response *rs)
{
  char buf[80];
  const char *code = record_path_code(k, rq->params[0], buf, sizeof buf);
  json_t *body = api_read_body(rq, rs);
  if (body == NULL)
    return;

  struct catalog_check *check = calloc(1, sizeof *check);
  enum sp_err err = check != NULL ? SP_ERR_CONFLICT : SP_ERR_NOMEM;
  for (int i = 0; err == SP_ERR_CONFLICT && i < UPDATE_ATTEMPTS; i++) {
    if (i > 0)
      log_event(LOG_INFO, "api.update_retry", "entity", k->entity, "code",
                code, NULL);
    err = update_once(k, rq, rs, code, body, check);
  }
  if (err == SP_ERR_NOMEM)
    api_reply_nomem(rs, "update");
  else if (err == SP_ERR_CONFLICT) {
    log_event(LOG_WARN, "api.update_conflict", "entity", k->entity, "code",
              code, NULL);
    http_reply_error_json(rs, SP_ERR_CONFLICT, NULL, 0);
  }
  json_decref(body);
  free(check);
}

/* Reads the history's `limit`: 1..LIST_MAX_LIMIT, LIST_MAX_LIMIT when
 * absent. */
static bool
history_limit(const struct http_request *rq, int64_t *limit,
              struct sp_field_error *fe)
{
  int64_t offset;
  if (params_paging(rq, limit, &offset, fe) != SP_OK)
    return false;
  const char *given = http_query(rq, "limit");
  if (given == NULL || given[0] == '\0')
    *limit = LIST_MAX_LIMIT;
  return true;
}

void
api_record_history(const struct record_kind *k, struct http_request *rq,
                   struct http_response *rs)
{
  char buf[80];
  const char *code = record_path_code(k, rq->params[0], buf, sizeof buf);
  struct sp_field_error fe;
  int64_t limit;
  if (!history_limit(rq, &limit, &fe)) {
    api_reply_field_error(rs, &fe);
    return;
  }

  union record r = {0};
  enum store_rc rc = k->get(rq->store, code, &r);
  k->release(&r);
  if (rc == STORE_NOT_FOUND) {
    api_reply_not_found(k, rs, code);
    return;
  }
  struct change_list list = {0};
  if (rc == STORE_OK)
    rc = rq->store->ops->change_list(rq->store, k->entity, code, limit,
                                     &list);
  if (rc != STORE_OK) {
    api_reply_store_error(rq, rs, rc, "change_list");
    return;
  }

  json_t *items = json_array();
  for (size_t i = 0; items != NULL && i < list.count; i++) {
    json_t *item = catalog_change_json(&list.items[i]);
    if (item == NULL || json_array_append_new(items, item) != 0) {
      json_decref(items);
      items = NULL;
    }
  }
  change_list_free(&list);
  json_t *out = items ? json_pack("{s:o}", "items", items) : NULL;
  if (out == NULL) {
    api_reply_nomem(rs, "history_json");
    return;
  }
  http_reply_json(rs, 200, out);
}
