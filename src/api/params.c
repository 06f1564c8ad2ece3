#include "api/params.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"

static const char *const sort_names[] = {
  [APP_SORT_CODE] = "code",     [APP_SORT_NAME] = "name",
  [APP_SORT_AGENCY] = "agency", [APP_SORT_KIND] = "kind",
  [APP_SORT_STATUS] = "status", [APP_SORT_UPDATED] = "updated",
};
#define SORT_COUNT (sizeof sort_names / sizeof sort_names[0])

const char *
params_sort_name(enum app_sort sort)
{
  if ((size_t)sort >= SORT_COUNT)
    return sort_names[APP_SORT_CODE];
  return sort_names[sort];
}

/* Length of the UTF-8 sequence at `s`, or 0 when it is invalid (overlong
 * forms, surrogates and code points past U+10FFFF included). */
static size_t
utf8_sequence(const unsigned char *s)
{
  unsigned char c = s[0];
  if (c < 0x80)
    return 1;
  size_t n;
  unsigned int cp;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

bool
params_text_ok(const char *text)
{
  const unsigned char *s = (const unsigned char *)text;
  while (*s != '\0') {
    if ((*s < 0x20 && *s != '\t' && *s != '\n') || *s == 0x7F)
      return false;
    size_t n = utf8_sequence(s);
    if (n == 0)
      return false;
    s += n;
  }
  return true;
}

void
params_excerpt(char *out, size_t out_len, const char *value)
{
  const unsigned char *s = (const unsigned char *)(value ? value : "");
  size_t used = 0, limit = out_len > 81 ? 80 : out_len - 1;

  if (out_len == 0)
    return;
  while (*s != '\0') {
    size_t n = utf8_sequence(s);
    bool bad = n == 0 || *s < 0x20 || *s == 0x7F;
    size_t take = bad ? 1 : n;
    if (used + take > limit)
      break;
    if (bad)
      out[used++] = '?';
    else {
      memcpy(out + used, s, n);
      used += n;
    }
    s += n == 0 ? 1 : n;
  }
  out[used] = '\0';
}

/* Parses a whole decimal number in [min, max]; false on anything else. */
static bool
parse_int(const char *text, long long min, long long max, int64_t *out)
{
  char *end;
  if (text[0] < '0' || text[0] > '9')
    return false;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max)
    return false;
  *out = v;
  return true;
}

bool
params_parse_id(const char *text, int64_t *id)
{
  return text != NULL && parse_int(text, 1, INT64_MAX, id);
}

enum sp_err
params_paging(const struct http_request *rq, int64_t *limit, int64_t *offset,
              struct sp_field_error *fe)
{
  const char *l = http_query(rq, "limit");
  const char *o = http_query(rq, "offset");
  char shown[96];

  *limit = LIST_DEFAULT_LIMIT;
  *offset = 0;
  if (l != NULL && l[0] != '\0' &&
      !parse_int(l, 1, LIST_MAX_LIMIT, limit)) {
    params_excerpt(shown, sizeof shown, l);
    sp_field_error_set(fe, SP_ERR_BAD_REQUEST, "limit",
                       "limit '%s' tidak valid: isi bilangan bulat 1 sampai %d",
                       "limit '%s' is invalid: give a whole number from 1 to %d",
                       shown, LIST_MAX_LIMIT);
    return SP_ERR_BAD_REQUEST;
  }
  if (o != NULL && o[0] != '\0' &&
      !parse_int(o, 0, LIST_MAX_OFFSET, offset)) {
    params_excerpt(shown, sizeof shown, o);
    sp_field_error_set(fe, SP_ERR_BAD_REQUEST, "offset",
                       "offset '%s' tidak valid: isi bilangan bulat 0 sampai %lld",
                       "offset '%s' is invalid: give a whole number from 0 to %lld",
                       shown, LIST_MAX_OFFSET);
    return SP_ERR_BAD_REQUEST;
  }
  return SP_OK;
}

/* Reads the search text `q`: at most LIST_MAX_QUERY bytes of valid text. */
static enum sp_err
read_search(const struct http_request *rq, const char **out,
            struct sp_field_error *fe)
{
  const char *q = http_query(rq, "q");
  *out = NULL;
  if (q == NULL || q[0] == '\0')
    return SP_OK;
  if (!params_text_ok(q)) {
    sp_field_error_set(fe, SP_ERR_BAD_REQUEST, "q",
                       "teks pencarian bukan UTF-8 yang valid atau memuat "
                       "karakter kendali; ketik ulang teksnya",
                       "the search text is not valid UTF-8 or contains "
                       "control characters; type the text again");
    return SP_ERR_BAD_REQUEST;
  }
  if (strlen(q) > LIST_MAX_QUERY) {
    sp_field_error_set(fe, SP_ERR_BAD_REQUEST, "q",
                       "teks pencarian lebih dari %d byte; persingkat",
                       "the search text is longer than %d bytes; shorten it",
                       LIST_MAX_QUERY);
    return SP_ERR_BAD_REQUEST;
  }
  *out = q;
  return SP_OK;
}

/* Reads a filter on a field. For a choice field the value must name one of
 * its choices (a code or an alias, as choice_find matches them), and the
 * choice's code is returned. Any other field takes the text as it is. */
static enum sp_err
read_filter(const struct http_request *rq, const struct field_desc *fields,
            size_t field_count, const char *name, const char **out,
            struct sp_field_error *fe)
{
  const char *value = http_query(rq, name);
  const struct field_desc *f = field_find(fields, field_count, name);

  *out = NULL;
  if (value == NULL || value[0] == '\0')
    return SP_OK;
  if (!params_text_ok(value) || strlen(value) > 200) {
    sp_field_error_set(fe, SP_ERR_BAD_REQUEST, name,
                       "nilai %s bukan teks yang valid atau lebih dari 200 byte",
                       "the %s value is not valid text or longer than 200 bytes",
                       name);
    return SP_ERR_BAD_REQUEST;
  }
  if (f == NULL || f->type != FIELD_CHOICE || f->choices == NULL) {
    *out = value;
    return SP_OK;
  }

  const struct choice *found = choice_find(f->choices, value);
  if (found != NULL) {
    *out = found->code;
    return SP_OK;
  }
  char allowed[400] = "";
  size_t used = 0;
  for (const struct choice *c = f->choices; c->code != NULL; c++) {
    int n = snprintf(allowed + used, sizeof allowed - used, "%s%s",
                     used ? ", " : "", c->code);
    if (n > 0 && (size_t)n < sizeof allowed - used)
      used += (size_t)n;
  }
  char shown[96];
  params_excerpt(shown, sizeof shown, value);
  sp_field_error_set(fe, SP_ERR_BAD_CHOICE, name,
                     "%s '%s' tidak dikenal; pilih salah satu: %s",
                     "%s '%s' is not known; use one of: %s",
                     name, shown, allowed);
  return SP_ERR_BAD_CHOICE;
}

static enum sp_err
read_sort(const struct http_request *rq, struct app_filter *f,
          struct sp_field_error *fe)
{
  const char *sort = http_query(rq, "sort");
  const char *order = http_query(rq, "order");
  char shown[96];

  f->sort = APP_SORT_CODE;
  f->descending = false;
  if (sort != NULL && sort[0] != '\0') {
    size_t i = 0;
    while (i < SORT_COUNT && strcmp(sort_names[i], sort) != 0)
      i++;
    if (i == SORT_COUNT) {
      params_excerpt(shown, sizeof shown, sort);
      sp_field_error_set(fe, SP_ERR_BAD_REQUEST, "sort",
                         "sort '%s' tidak dikenal; pilih code, name, agency, "
                         "kind, status atau updated",
                         "sort '%s' is not known; use code, name, agency, "
                         "kind, status or updated", shown);
      return SP_ERR_BAD_REQUEST;
    }
    f->sort = (enum app_sort)i;
  }
  if (order == NULL || order[0] == '\0' || strcmp(order, "asc") == 0)
    return SP_OK;
  if (strcmp(order, "desc") == 0) {
    f->descending = true;
    return SP_OK;
  }
  params_excerpt(shown, sizeof shown, order);
  sp_field_error_set(fe, SP_ERR_BAD_REQUEST, "order",
                     "order '%s' tidak dikenal; pilih asc atau desc",
                     "order '%s' is not known; use asc or desc", shown);
  return SP_ERR_BAD_REQUEST;
}

enum sp_err
params_app_filter(const struct http_request *rq, struct app_filter *f,
                  struct sp_field_error *fe)
{
  enum sp_err err;
  if ((err = read_filter(rq, app_fields, app_field_count, "kind", &f->kind,
                         fe)) != SP_OK ||
      (err = read_filter(rq, app_fields, app_field_count, "status",
                         &f->status, fe)) != SP_OK ||
      (err = read_filter(rq, app_fields, app_field_count, "agency",
                         &f->agency, fe)) != SP_OK ||
      (err = read_search(rq, &f->query, fe)) != SP_OK)
    return err;
  return read_sort(rq, f, fe);
}

enum sp_err
params_agency_filter(const struct http_request *rq, struct agency_filter *f,
                     struct sp_field_error *fe)
{
  enum sp_err err;
  if ((err = read_filter(rq, agency_fields, agency_field_count, "kind",
                         &f->kind, fe)) != SP_OK ||
      (err = read_filter(rq, agency_fields, agency_field_count, "parent",
                         &f->parent, fe)) != SP_OK)
    return err;
  return read_search(rq, &f->query, fe);
}
