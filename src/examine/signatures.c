/* Loading and validating signatures.json, and the small matching helpers
 * the checks use. */
#include "examine/signatures.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

/* The loader's position, for messages: "FILE: SECTION[I] (NAME): ...". */
struct loader {
  const char *path;
  const char *section;
  size_t index;
  const char *name;
  const struct finding_table *findings;
  char *err;
  size_t errlen;
};

static bool fail(struct loader *l, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static bool
fail(struct loader *l, const char *fmt, ...)
{
  char detail[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(detail, sizeof detail, fmt, ap);
  va_end(ap);
  if (l->section == NULL)
    snprintf(l->err, l->errlen, "%s: %s", l->path, detail);
  else if (l->name != NULL)
    snprintf(l->err, l->errlen, "%s: %s[%zu] (\"%s\"): %s", l->path,
             l->section, l->index, l->name, detail);
  else
    snprintf(l->err, l->errlen, "%s: %s[%zu]: %s", l->path, l->section,
             l->index, detail);
  return false;
}

static bool
check_fields(struct loader *l, json_t *obj, const char *const *allowed)
{
  const char *key;
  json_t *value;
  if (!json_is_object(obj))
    return fail(l, "the entry must be an object");
  json_object_foreach(obj, key, value) {
    bool known = false;
    for (size_t i = 0; allowed[i] != NULL && !known; i++)
      known = strcmp(key, allowed[i]) == 0;
    if (!known)
      return fail(l, "unknown field \"%s\"; see data/examine/README.md for "
                  "the fields of this section", key);
  }
  return true;
}

/* Copies string field `key`; a missing optional field leaves NULL. */
static bool
get_string(struct loader *l, json_t *obj, const char *key, bool required,
           char **out)
{
  json_t *v = json_object_get(obj, key);
  *out = NULL;
  if (v == NULL && !required)
    return true;
  if (!json_is_string(v) || json_string_length(v) == 0)
    return fail(l, "field \"%s\" must be a non-empty string", key);
  *out = strdup(json_string_value(v));
  return *out != NULL || fail(l, "out of memory");
}

static bool
compile(struct loader *l, const char *key, const char *text, regex_t *re)
{
  int rc = regcomp(re, text, REG_EXTENDED | REG_ICASE);
  if (rc == 0)
    return true;
  char why[128];
  regerror(rc, re, why, sizeof why);
  regfree(re);
  return fail(l, "field \"%s\": invalid regular expression /%s/: %s; write "
              "a POSIX extended regular expression", key, text, why);
}

/* Compiles pattern field `key` and sets `*has` when it is present. */
static bool
get_pattern(struct loader *l, json_t *obj, const char *key, bool required,
            regex_t *re, bool *has)
{
  json_t *v = json_object_get(obj, key);
  *has = false;
  if (v == NULL && !required)
    return true;
  if (!json_is_string(v) || json_string_length(v) == 0)
    return fail(l, "field \"%s\" must be a non-empty regular expression",
                key);
  if (!compile(l, key, json_string_value(v), re))
    return false;
  *has = true;
  return true;
}

/* Reads group number `key` (default 0), which must exist in `re`. */
static bool
get_group(struct loader *l, json_t *obj, const char *key, const regex_t *re,
          int *out)
{
  json_t *v = json_object_get(obj, key);
  *out = 0;
  if (v == NULL)
    return true;
  size_t max = re->re_nsub < 9 ? re->re_nsub : 9;
  if (!json_is_integer(v) || json_integer_value(v) < 1 ||
      (size_t)json_integer_value(v) > max)
    return fail(l, "field \"%s\" must name a group of the pattern, 1 to "
                "%zu (groups past 9 cannot be used)", key, max);
  *out = (int)json_integer_value(v);
  return true;
}

static bool
get_finding(struct loader *l, json_t *obj, char **out)
{
  if (!get_string(l, obj, "finding", true, out))
    return false;
  if (finding_table_find(l->findings, *out) == NULL)
    return fail(l, "finding \"%s\" is not defined in findings.json; add it "
                "there or use a defined id", *out);
  return true;
}

/* Calls `load` for each element of array `section` of `root`; `*count`
 * counts the elements loaded whole. */
static bool
load_section(struct loader *l, json_t *root, const char *section,
             void **items, size_t item_size, size_t *count,
             bool (*load)(struct loader *, json_t *, void *))
{
  json_t *array = json_object_get(root, section);
  l->section = NULL;
  if (!json_is_array(array))
    return fail(l, "\"%s\" must be an array", section);
  *items = calloc(json_array_size(array) + 1, item_size);
  if (*items == NULL)
    return fail(l, "out of memory");
  l->section = section;
  for (size_t i = 0; i < json_array_size(array); i++) {
    json_t *entry = json_array_get(array, i);
    l->index = i;
    l->name = json_string_value(json_object_get(entry, "name"));
    if (l->name == NULL)
      l->name = json_string_value(json_object_get(entry, "product"));
    if (!load(l, entry, (char *)*items + i * item_size))
      return false;
    (*count)++;
  }
  l->section = NULL;
  return true;
}

/* ---- sections ---- */

static void
free_leak(struct sig_leak *k, bool compiled)
{
  free(k->name);
  free(k->header);
  free(k->product);
  free(k->finding);
  if (compiled)
    regfree(&k->pattern);
}

static bool
load_leak(struct loader *l, json_t *obj, void *item)
{
  static const char *const fields[] = {
    "name", "header", "pattern", "product", "product_group", "version_group",
    "finding", NULL,
  };
  struct sig_leak *k = item;
  bool has = false;
  bool ok = check_fields(l, obj, fields) &&
            get_string(l, obj, "name", true, &k->name) &&
            get_string(l, obj, "header", true, &k->header) &&
            get_string(l, obj, "product", false, &k->product) &&
            get_finding(l, obj, &k->finding) &&
            get_pattern(l, obj, "pattern", true, &k->pattern, &has) &&
            get_group(l, obj, "product_group", &k->pattern,
                      &k->product_group) &&
            get_group(l, obj, "version_group", &k->pattern,
                      &k->version_group);
  if (ok && k->version_group == 0)
    ok = fail(l, "field \"version_group\" is required: it names the group "
              "that holds the version");
  if (ok && k->product == NULL && k->product_group == 0)
    ok = fail(l, "give \"product\" or \"product_group\" so the finding can "
              "name the product");
  if (!ok)
    free_leak(k, has);
  return ok;
}

static bool
load_eol(struct loader *l, json_t *obj, void *item)
{
  static const char *const fields[] = {"product", "below", "source", NULL};
  struct sig_eol *e = item;
  bool ok = check_fields(l, obj, fields) &&
            get_string(l, obj, "product", true, &e->product) &&
            get_string(l, obj, "below", true, &e->below) &&
            get_string(l, obj, "source", true, &e->source);
  if (ok && strspn(e->below, "0123456789.") != strlen(e->below))
    ok = fail(l, "field \"below\" must be a dotted version such as 8.2, "
              "not '%s'", e->below);
  if (!ok) {
    free(e->product);
    free(e->below);
    free(e->source);
  }
  return ok;
}

static bool
get_path(struct loader *l, json_t *obj, bool required, char **out)
{
  if (!get_string(l, obj, "path", required, out))
    return false;
  if (*out != NULL && ((*out)[0] != '/' || strpbrk(*out, " \t\r\n#?")))
    return fail(l, "field \"path\" must start with '/' and hold no space, "
                "'#' or '?', not '%s'", *out);
  return true;
}

static bool
get_magic(struct loader *l, json_t *obj, struct sig_probe *p)
{
  json_t *v = json_object_get(obj, "magic_hex");
  if (v == NULL)
    return true;
  const char *hex = json_string_value(v);
  size_t n = hex ? strlen(hex) : 0;
  if (n == 0 || n % 2 != 0 || n / 2 > SIG_MAX_MAGIC ||
      strspn(hex, "0123456789abcdefABCDEF") != n)
    return fail(l, "field \"magic_hex\" must be 2 to %d hexadecimal digits "
                "in pairs, e.g. \"504b0304\"", 2 * SIG_MAX_MAGIC);
  for (size_t i = 0; i < n / 2; i++) {
    unsigned byte;
    sscanf(hex + 2 * i, "%2x", &byte);
    p->magic[i] = (unsigned char)byte;
  }
  p->magic_len = n / 2;
  return true;
}

static void
free_probe(struct sig_probe *p)
{
  free(p->name);
  free(p->path);
  free(p->finding);
  if (p->has_pattern)
    regfree(&p->pattern);
  if (p->has_exclude)
    regfree(&p->exclude);
}

static bool
load_probe(struct loader *l, json_t *obj, void *item)
{
  static const char *const fields[] = {
    "name", "path", "finding", "pattern", "exclude", "magic_hex", NULL,
  };
  struct sig_probe *p = item;
  bool ok = check_fields(l, obj, fields) &&
            get_string(l, obj, "name", true, &p->name) &&
            get_path(l, obj, true, &p->path) &&
            get_finding(l, obj, &p->finding) &&
            get_pattern(l, obj, "pattern", false, &p->pattern,
                        &p->has_pattern) &&
            get_pattern(l, obj, "exclude", false, &p->exclude,
                        &p->has_exclude) &&
            get_magic(l, obj, p);
  if (ok && !p->has_pattern && p->magic_len == 0)
    ok = fail(l, "give \"pattern\" or \"magic_hex\": without either, every "
              "page that answers 200 would count as a hit");
  if (!ok)
    free_probe(p);
  return ok;
}

static bool
get_where(struct loader *l, json_t *obj, enum sig_where *out)
{
  static const char *const names[] = {"body", "header", "cookie", "probe"};
  const char *where = json_string_value(json_object_get(obj, "where"));
  for (size_t i = 0; where != NULL && i < 4; i++)
    if (strcmp(where, names[i]) == 0) {
      *out = (enum sig_where)i;
      return true;
    }
  return fail(l, "field \"where\" must be body, header, cookie or probe");
}

static void
free_evidence(struct sig_evidence *ev, bool compiled)
{
  free(ev->header);
  free(ev->path);
  if (compiled)
    regfree(&ev->pattern);
}

static bool
load_evidence(struct loader *l, json_t *obj, struct sig_evidence *ev)
{
  static const char *const fields[] = {
    "where", "header", "path", "pattern", "version_group", NULL,
  };
  bool has = false;
  bool ok = check_fields(l, obj, fields) && get_where(l, obj, &ev->where) &&
            get_string(l, obj, "header", ev->where == SIG_WHERE_HEADER,
                       &ev->header) &&
            get_path(l, obj, ev->where == SIG_WHERE_PROBE, &ev->path) &&
            get_pattern(l, obj, "pattern", true, &ev->pattern, &has) &&
            get_group(l, obj, "version_group", &ev->pattern,
                      &ev->version_group);
  if (!ok)
    free_evidence(ev, has);
  return ok;
}

static void
free_product(struct sig_product *p)
{
  free(p->name);
  free(p->kind);
  for (size_t i = 0; i < p->evidence_count; i++)
    free_evidence(&p->evidence[i], true);
  free(p->evidence);
}

static bool
load_product(struct loader *l, json_t *obj, void *item)
{
  static const char *const fields[] = {"name", "kind", "evidence", NULL};
  struct sig_product *p = item;
  json_t *list = json_object_get(obj, "evidence");
  bool ok = check_fields(l, obj, fields) &&
            get_string(l, obj, "name", true, &p->name) &&
            get_string(l, obj, "kind", true, &p->kind);
  if (ok && (!json_is_array(list) || json_array_size(list) == 0))
    ok = fail(l, "field \"evidence\" must be a non-empty array");
  if (ok && (p->evidence = calloc(json_array_size(list),
                                  sizeof *p->evidence)) == NULL)
    ok = fail(l, "out of memory");
  for (size_t i = 0; ok && i < json_array_size(list); i++) {
    ok = load_evidence(l, json_array_get(list, i), &p->evidence[i]);
    if (ok)
      p->evidence_count++;
    else
      snprintf(l->err + strlen(l->err), l->errlen - strlen(l->err),
               " (evidence %zu)", i);
  }
  if (!ok)
    free_product(p);
  return ok;
}

/* ---- the whole file ---- */

static bool
add_path(struct signatures *s, const char *path)
{
  if (strcmp(path, "/") == 0)
    return true;
  for (size_t i = 0; i < s->path_count; i++)
    if (strcmp(s->paths[i], path) == 0)
      return true;
  char **grown = realloc(s->paths, (s->path_count + 1) * sizeof *s->paths);
  if (grown == NULL)
    return false;
  s->paths = grown;
  if ((s->paths[s->path_count] = strdup(path)) == NULL)
    return false;
  s->path_count++;
  return true;
}

static bool
collect_paths(struct signatures *s)
{
  for (size_t i = 0; i < s->probe_count; i++)
    if (!add_path(s, s->probes[i].path))
      return false;
  for (size_t i = 0; i < s->product_count; i++)
    for (size_t k = 0; k < s->products[i].evidence_count; k++)
      if (s->products[i].evidence[k].where == SIG_WHERE_PROBE &&
          !add_path(s, s->products[i].evidence[k].path))
        return false;
  return true;
}

static bool
load_root(struct signatures *s, struct loader *l, json_t *root)
{
  static const char *const fields[] = {
    "format", "comment", "version_leaks", "end_of_life", "probes",
    "products", NULL,
  };
  json_t *format = json_object_get(root, "format");
  if (!check_fields(l, root, fields))
    return false;
  if (!json_is_integer(format) || json_integer_value(format) != 1)
    return fail(l, "\"format\" must be 1; this simpul reads format 1 only");
  return load_section(l, root, "version_leaks", (void **)&s->leaks,
                      sizeof *s->leaks, &s->leak_count, load_leak) &&
         load_section(l, root, "end_of_life", (void **)&s->eols,
                      sizeof *s->eols, &s->eol_count, load_eol) &&
         load_section(l, root, "probes", (void **)&s->probes,
                      sizeof *s->probes, &s->probe_count, load_probe) &&
         load_section(l, root, "products", (void **)&s->products,
                      sizeof *s->products, &s->product_count, load_product) &&
         (collect_paths(s) || fail(l, "out of memory"));
}

bool
signatures_load(struct signatures *s, const char *path,
                const struct finding_table *findings, char *err,
                size_t errlen)
{
  struct loader l = {.path = path, .findings = findings, .err = err,
                     .errlen = errlen};
  json_error_t jerr;

  memset(s, 0, sizeof *s);
  json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
  if (root == NULL) {
    if (jerr.line > 0)
      snprintf(err, errlen, "%s:%d: cannot read the signatures: %s", path,
               jerr.line, jerr.text);
    else
      snprintf(err, errlen, "cannot read the signatures: %s; check the "
               "data_dir setting (the folder that has examine/)", jerr.text);
    return false;
  }
  bool ok = load_root(s, &l, root);
  json_decref(root);
  if (!ok)
    signatures_free(s);
  return ok;
}

void
signatures_free(struct signatures *s)
{
  for (size_t i = 0; i < s->leak_count; i++)
    free_leak(&s->leaks[i], true);
  for (size_t i = 0; i < s->eol_count; i++) {
    free(s->eols[i].product);
    free(s->eols[i].below);
    free(s->eols[i].source);
  }
  for (size_t i = 0; i < s->probe_count; i++)
    free_probe(&s->probes[i]);
  for (size_t i = 0; i < s->product_count; i++)
    free_product(&s->products[i]);
  for (size_t i = 0; i < s->path_count; i++)
    free(s->paths[i]);
  free(s->leaks);
  free(s->eols);
  free(s->probes);
  free(s->products);
  free(s->paths);
  memset(s, 0, sizeof *s);
}

/* ---- matching ---- */

bool
sig_match(const regex_t *pattern, const char *text, int group, char *out,
          size_t len)
{
  regmatch_t m[10];
  if (out != NULL && len > 0)
    out[0] = '\0';
  if (text == NULL || group < 0 || group > 9 ||
      regexec(pattern, text, 10, m, 0) != 0)
    return false;
  if (out != NULL && len > 0 && m[group].rm_so >= 0) {
    size_t n = (size_t)(m[group].rm_eo - m[group].rm_so);
    if (n >= len)
      n = len - 1;
    memcpy(out, text + m[group].rm_so, n);
    out[n] = '\0';
  }
  return true;
}

int
sig_version_compare(const char *a, const char *b)
{
  while (*a != '\0' || *b != '\0') {
    char *end;
    long x = strtol(a, &end, 10);
    a = end;
    long y = strtol(b, &end, 10);
    b = end;
    if (x != y)
      return x < y ? -1 : 1;
    a += strcspn(a, ".");
    b += strcspn(b, ".");
    if (*a == '.')
      a++;
    if (*b == '.')
      b++;
  }
  return 0;
}
