/* Loading and validating findings.json. */
#include "examine/findings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

const char *const finding_severities[FINDING_SEVERITY_COUNT] = {
  "info", "low", "medium", "high", "critical",
};

const char *const finding_builtin_ids[] = {
  "not-examinable", "address-refused", "unreachable", "timeout",
  "http-error", "redirect-loop", "redirect-limit", "no-https",
  "no-https-redirect", "https-downgrade", "tls-cert-expired",
  "tls-cert-untrusted", "tls-cert-name-mismatch", "tls-cert-expiring",
  "tls-protocol-old", "hsts-missing", "csp-missing", "xfo-missing",
  "xcto-missing", "software-end-of-life", "cms-detected", "mixed-content",
};
const size_t finding_builtin_count =
  sizeof finding_builtin_ids / sizeof finding_builtin_ids[0];

int
finding_severity_rank(const char *severity)
{
  for (int i = 0; severity != NULL && i < FINDING_SEVERITY_COUNT; i++)
    if (strcmp(severity, finding_severities[i]) == 0)
      return i;
  return -1;
}

void
finding_table_free(struct finding_table *t)
{
  for (size_t i = 0; i < t->count; i++) {
    struct finding_def *d = &t->items[i];
    free(d->id);
    free(d->severity);
    free(d->title_id);
    free(d->title_en);
    free(d->remediation_id);
    free(d->remediation_en);
  }
  free(t->items);
  t->items = NULL;
  t->count = 0;
}

static int
compare_defs(const void *a, const void *b)
{
  return strcmp(((const struct finding_def *)a)->id,
                ((const struct finding_def *)b)->id);
}

const struct finding_def *
finding_table_find(const struct finding_table *t, const char *id)
{
  if (id == NULL || t->count == 0)
    return NULL;
  struct finding_def key = {.id = (char *)id};
  return bsearch(&key, t->items, t->count, sizeof *t->items, compare_defs);
}

/* Copies the non-empty string member `name` of `entry` into `*out`. */
static bool
take_text(json_t *entry, const char *name, char **out, const char *path,
          const char *id, char *err, size_t errlen)
{
  const char *value = json_string_value(json_object_get(entry, name));
  if (value == NULL || value[0] == '\0') {
    snprintf(err, errlen, "%s: finding \"%s\": field \"%s\" is missing or "
             "empty; give it a non-empty string", path, id, name);
    return false;
  }
  *out = strdup(value);
  if (*out == NULL) {
    snprintf(err, errlen, "%s: out of memory", path);
    return false;
  }
  return true;
}

static bool
load_def(struct finding_def *d, const char *id, json_t *entry,
         const char *path, char *err, size_t errlen)
{
  static const char *const fields[] = {
    "severity", "title_id", "title_en", "remediation_id", "remediation_en",
  };
  const char *key;
  json_t *value;

  if (!json_is_object(entry)) {
    snprintf(err, errlen, "%s: finding \"%s\" must be an object", path, id);
    return false;
  }
  json_object_foreach(entry, key, value) {
    bool known = false;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
      known = known || strcmp(key, fields[i]) == 0;
    if (!known) {
      snprintf(err, errlen, "%s: finding \"%s\": unknown field \"%s\"; the "
               "fields are severity, title_id, title_en, remediation_id and "
               "remediation_en", path, id, key);
      return false;
    }
  }
  d->id = strdup(id);
  if (d->id == NULL) {
    snprintf(err, errlen, "%s: out of memory", path);
    return false;
  }
  char **slots[] = {&d->severity, &d->title_id, &d->title_en,
                    &d->remediation_id, &d->remediation_en};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if (!take_text(entry, fields[i], slots[i], path, id, err, errlen))
      return false;
  if (finding_severity_rank(d->severity) < 0) {
    snprintf(err, errlen, "%s: finding \"%s\": severity \"%s\" is not one of "
             "info, low, medium, high, critical", path, id, d->severity);
    return false;
  }
  return true;
}

static bool
load_defs(struct finding_table *t, json_t *findings, const char *path,
          char *err, size_t errlen)
{
  const char *id;
  json_t *entry;

  if (!json_is_object(findings) || json_object_size(findings) == 0) {
    snprintf(err, errlen, "%s: \"findings\" must be a non-empty object of "
             "finding id to definition", path);
    return false;
  }
  t->items = calloc(json_object_size(findings), sizeof *t->items);
  if (t->items == NULL) {
    snprintf(err, errlen, "%s: out of memory", path);
    return false;
  }
  json_object_foreach(findings, id, entry) {
    struct finding_def *d = &t->items[t->count++];
    if (!load_def(d, id, entry, path, err, errlen))
      return false;
  }
  qsort(t->items, t->count, sizeof *t->items, compare_defs);
  for (size_t i = 0; i < finding_builtin_count; i++) {
    if (finding_table_find(t, finding_builtin_ids[i]) == NULL) {
      snprintf(err, errlen, "%s: finding \"%s\" is not defined; simpul "
               "reports it, so add its severity and texts", path,
               finding_builtin_ids[i]);
      return false;
    }
  }
  return true;
}

bool
finding_table_load(struct finding_table *t, const char *path, char *err,
                   size_t errlen)
{
  json_error_t jerr;

  memset(t, 0, sizeof *t);
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    if (jerr.line > 0)
      snprintf(err, errlen, "%s:%d: cannot read the finding definitions: "
               "%s", path, jerr.line, jerr.text);
    else
      snprintf(err, errlen, "cannot read the finding definitions: %s; check "
               "the data_dir setting (the folder that has examine/)",
               jerr.text);
    return false;
  }
  bool ok = false;
  json_t *format = json_object_get(root, "format");
  if (!json_is_integer(format) || json_integer_value(format) != 1)
    snprintf(err, errlen, "%s: \"format\" must be 1; this simpul reads "
             "format 1 only", path);
  else
    ok = load_defs(t, json_object_get(root, "findings"), path, err, errlen);
  json_decref(root);
  if (!ok)
    finding_table_free(t);
  return ok;
}
