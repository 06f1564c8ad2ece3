#include "api/records.h"

#include <stdio.h>
#include <string.h>

static enum store_rc
app_get(struct store *s, const char *code, union record *out)
{
  return s->ops->app_get(s, code, &out->app);
}

static enum sp_err
app_save(struct store *s, union record *r, bool create, const char *actor,
         struct catalog_check *check, bool *changed)
{
  return catalog_save_app(s, &r->app, create, actor, check, changed);
}

static json_t *
app_json(const union record *r)
{
  return catalog_app_json(&r->app);
}

static void
app_release(union record *r)
{
  app_free(&r->app);
}

static enum store_rc
agency_get(struct store *s, const char *code, union record *out)
{
  return s->ops->agency_get(s, code, &out->agency);
}

static enum sp_err
agency_save(struct store *s, union record *r, bool create, const char *actor,
            struct catalog_check *check, bool *changed)
{
  return catalog_save_agency(s, &r->agency, create, actor, check, changed);
}

static json_t *
agency_json(const union record *r)
{
  return catalog_agency_json(&r->agency);
}

static void
agency_release(union record *r)
{
  agency_free(&r->agency);
}

const struct record_kind record_kind_app = {
  .entity = "app",
  .api_path = "/api/v1/apps",
  .page_path = "/apps",
  .label_id = "aplikasi",
  .label_en = "application",
  .fields = app_fields,
  .field_count = &app_field_count,
  .get = app_get,
  .save = app_save,
  .to_json = app_json,
  .release = app_release,
};

const struct record_kind record_kind_agency = {
  .entity = "agency",
  .api_path = "/api/v1/agencies",
  .page_path = "/agencies",
  .label_id = "perangkat daerah",
  .label_en = "agency",
  .fields = agency_fields,
  .field_count = &agency_field_count,
  .get = agency_get,
  .save = agency_save,
  .to_json = agency_json,
  .release = agency_release,
};

const char *
record_code(const struct record_kind *k, const union record *r)
{
  return k == &record_kind_app ? r->app.code : r->agency.code;
}

bool
record_etag(const struct record_kind *k, const union record *r,
            char out[CATALOG_ETAG_SIZE])
{
  return k == &record_kind_app ? catalog_app_etag(&r->app, out)
                               : catalog_agency_etag(&r->agency, out);
}

enum sp_err
record_save_if(const struct record_kind *k, struct store *s, union record *r,
               bool create, const char *if_etag, const char *actor,
               struct catalog_check *check, bool *changed)
{
  if (k == &record_kind_app)
    return catalog_save_app_if(s, &r->app, create, if_etag, actor, check,
                               changed);
  return catalog_save_agency_if(s, &r->agency, create, if_etag, actor, check,
                                changed);
}

const char *
record_path_code(const struct record_kind *k, const char *code, char *out,
                 size_t size)
{
  if (code == NULL || strlen(code) >= size)
    return code;
  snprintf(out, size, "%s", code);
  if (k == &record_kind_app)
    catalog_app_code_case(out);
  else
    catalog_agency_code_case(out);
  return out;
}
