/* JSON of catalog records, and setting record fields from a JSON object. */
#include "catalog/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A Unix time as RFC 3339 UTC text ("2026-12-04T16:03:25Z"); null for 0. */
static json_t *
time_json(int64_t t)
{
  char text[32];
  time_t when = (time_t)t;
  struct tm tm;

  if (t == 0 || gmtime_r(&when, &tm) == NULL)
    return json_null();
  strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(text);
}

json_t *
catalog_time_json(int64_t t)
{
  return time_json(t);
}

/* Sets `key` to `value` (a new reference); false when value is NULL. */
static bool
set_new(json_t *object, const char *key, json_t *value)
{
  return value != NULL && json_object_set_new(object, key, value) == 0;
}

static json_t *
text_json(const char *value)
{
  return value != NULL && value[0] != '\0' ? json_string(value) : json_null();
}

json_t *
catalog_text_json(const char *value)
{
  return text_json(value);
}

static json_t *
record_json(const void *record, const struct field_desc *fields,
            size_t count, int64_t created_at, int64_t updated_at)
{
  json_t *o = json_object();
  bool ok = o != NULL;

  for (size_t i = 0; ok && i < count; i++)
    ok = set_new(o, fields[i].name, text_json(field_get(record, &fields[i])));
  ok = ok && set_new(o, "created_at", time_json(created_at)) &&
       set_new(o, "updated_at", time_json(updated_at));
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

json_t *
catalog_app_json(const struct app *a)
{
  return record_json(a, app_fields, app_field_count, a->created_at,
                     a->updated_at);
}

json_t *
catalog_agency_json(const struct agency *a)
{
  return record_json(a, agency_fields, agency_field_count, a->created_at,
                     a->updated_at);
}

json_t *
catalog_change_json(const struct change *c)
{
  json_t *o = json_object();
  bool ok = o != NULL && set_new(o, "id", json_integer(c->id)) &&
            set_new(o, "change_id", json_integer(c->change_id)) &&
            set_new(o, "entity", text_json(c->entity)) &&
            set_new(o, "code", text_json(c->code)) &&
            set_new(o, "field", text_json(c->field)) &&
            set_new(o, "old_value", text_json(c->old_value)) &&
            set_new(o, "new_value", text_json(c->new_value)) &&
            set_new(o, "actor", text_json(c->actor)) &&
            set_new(o, "at", time_json(c->at));
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* Keys that the record JSON has but a client cannot set. They are skipped,
 * so a client may send back a record as it received it. */
static bool
read_only_key(const char *key)
{
  return strcmp(key, "created_at") == 0 || strcmp(key, "updated_at") == 0 ||
         strcmp(key, "id") == 0;
}

/* Sets one field from a JSON value; adds an error and returns false when
 * the value has the wrong type. */
static bool
apply_value(void *record, const struct field_desc *f, json_t *value,
            struct catalog_check *check)
{
  char year[32];
  const char *text = NULL;

  if (json_is_string(value)) {
    text = json_string_value(value);
    if (strlen(text) != json_string_length(value)) {
      catalog_error(check, SP_ERR_BAD_REQUEST, f->name,
                    "isian memuat karakter NUL (\\u0000): hapus karakter itu",
                    "the value contains a NUL character (\\u0000): remove it");
      return false;
    }
  } else if (json_is_integer(value) && f->type == FIELD_YEAR) {
    snprintf(year, sizeof year, "%" JSON_INTEGER_FORMAT,
             json_integer_value(value));
    text = year;
  } else if (!json_is_null(value)) {
    catalog_error(check, SP_ERR_BAD_REQUEST, f->name,
                  "'%s' harus berupa teks (string) atau null",
                  "'%s' must be a string or null", f->name);
    return false;
  }
  if (field_set(record, f, text) != 0) {
    catalog_error(check, SP_ERR_NOMEM, f->name, "memori habis",
                  "out of memory");
    return false;
  }
  return true;
}

bool
catalog_apply_json(void *record, const struct field_desc *fields,
                   size_t field_count, json_t *object, bool allow_code,
                   struct catalog_check *check)
{
  const char *key;
  json_t *value;
  size_t errors_before = check->error_count;

  if (!json_is_object(object)) {
    catalog_error(check, SP_ERR_BAD_JSON, "",
                  "isi permintaan harus berupa objek JSON {...}",
                  "the body must be a JSON object {...}");
    return false;
  }
  json_object_foreach(object, key, value) {
    if (read_only_key(key))
      continue;
    const struct field_desc *f = field_find(fields, field_count, key);
    if (f == NULL) {
      char shown[256];
      catalog_value_text(shown, sizeof shown, key);
      catalog_error(check, SP_ERR_UNKNOWN_FIELD, shown,
                    "kolom '%s' tidak dikenal: periksa ejaannya",
                    "the field '%s' is unknown: check its spelling", shown);
      continue;
    }
    if (strcmp(f->name, "code") == 0 && !allow_code)
      continue;
    apply_value(record, f, value, check);
  }
  return check->error_count == errors_before;
}
