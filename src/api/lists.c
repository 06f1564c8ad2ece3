/* GET /api/v1/apps and GET /api/v1/agencies: filtered, sorted and paged
 * lists as {"items": [...], "total": N, "limit": L, "offset": O}. */
#include "api/api.h"
#include "api/params.h"
#include "core/log.h"

/* Wraps `items` (stolen) into the list envelope; NULL when memory runs
 * out. */
static json_t *
list_envelope(json_t *items, int64_t total, int64_t limit, int64_t offset)
{
  json_t *out = json_object();
  if (out == NULL) {
    json_decref(items);
    return NULL;
  }
  if (json_object_set_new(out, "items", items) != 0 ||
      json_object_set_new(out, "total", json_integer(total)) != 0 ||
      json_object_set_new(out, "limit", json_integer(limit)) != 0 ||
      json_object_set_new(out, "offset", json_integer(offset)) != 0) {
    json_decref(out);
    return NULL;
  }
  return out;
}

/* Appends `item` (stolen) to `array`; false when either is missing. */
static bool
append(json_t *array, json_t *item)
{
  if (array == NULL || item == NULL) {
    json_decref(item);
    return false;
  }
  return json_array_append_new(array, item) == 0;
}

void
api_app_list(struct http_request *rq, struct http_response *rs)
{
  struct app_filter filter = {0};
  struct sp_field_error fe;

  if (params_app_filter(rq, &filter, &fe) != SP_OK ||
      params_paging(rq, &filter.limit, &filter.offset, &fe) != SP_OK) {
    api_reply_field_error(rs, &fe);
    return;
  }

  struct app_list list = {0};
  enum store_rc rc = rq->store->ops->app_list(rq->store, &filter, &list);
  if (rc != STORE_OK) {
    api_reply_store_error(rq, rs, rc, "app_list");
    return;
  }

  json_t *items = json_array();
  bool ok = items != NULL;
  for (size_t i = 0; ok && i < list.count; i++)
    ok = append(items, catalog_app_json(&list.items[i]));
  int64_t total = list.total;
  app_list_free(&list);

  json_t *out = ok ? list_envelope(items, total, filter.limit, filter.offset)
                   : NULL;
  if (out == NULL) {
    if (!ok)
      json_decref(items);
    api_reply_nomem(rs, "app_list");
    return;
  }
  http_reply_json(rs, 200, out);
}

void
api_agency_list(struct http_request *rq, struct http_response *rs)
{
  struct agency_filter filter = {0};
  struct sp_field_error fe;

  if (params_agency_filter(rq, &filter, &fe) != SP_OK ||
      params_paging(rq, &filter.limit, &filter.offset, &fe) != SP_OK) {
    api_reply_field_error(rs, &fe);
    return;
  }

  struct agency_list list = {0};
  enum store_rc rc = rq->store->ops->agency_list(rq->store, &filter, &list);
  if (rc != STORE_OK) {
    api_reply_store_error(rq, rs, rc, "agency_list");
    return;
  }

  json_t *items = json_array();
  bool ok = items != NULL;
  for (size_t i = 0; ok && i < list.count; i++)
    ok = append(items, catalog_agency_json(&list.items[i]));
  int64_t total = list.total;
  agency_list_free(&list);

  json_t *out = ok ? list_envelope(items, total, filter.limit, filter.offset)
                   : NULL;
  if (out == NULL) {
    if (!ok)
      json_decref(items);
    api_reply_nomem(rs, "agency_list");
    return;
  }
  http_reply_json(rs, 200, out);
}
