/* Normalisation and validation of agency and application records, without
 * the store: what is unambiguous is fixed and noted, the rest is rejected
 * with the value and the fix. URLs and store links are in url.c. */
#include "catalog/internal.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "catalog/url.h"
#include "core/text.h"

void
catalog_error_text(struct catalog_check *check, enum sp_err err,
                   const char *field, const char *text_id,
                   const char *text_en)
{
  size_t cap = sizeof check->errors / sizeof check->errors[0];

  if (check->error_count >= cap)
    return;
  struct sp_field_error *fe = &check->errors[check->error_count++];
  fe->err = err;
  snprintf(fe->field, sizeof fe->field, "%s", field != NULL ? field : "");
  snprintf(fe->detail_id, sizeof fe->detail_id, "%s", text_id);
  snprintf(fe->detail_en, sizeof fe->detail_en, "%s", text_en);
}

void
catalog_error(struct catalog_check *check, enum sp_err err, const char *field,
              const char *fmt_id, const char *fmt_en, ...)
{
  va_list ap, ap2;
  char text_id[384], text_en[384];

  va_start(ap, fmt_en);
  va_copy(ap2, ap);
  vsnprintf(text_id, sizeof text_id, fmt_id, ap);
  vsnprintf(text_en, sizeof text_en, fmt_en, ap2);
  va_end(ap2);
  va_end(ap);
  catalog_error_text(check, err, field, text_id, text_en);
}

void
catalog_note(struct catalog_check *check, const char *field,
             const char *fmt_id, const char *fmt_en, ...)
{
  va_list ap, ap2;
  size_t cap = sizeof check->notes / sizeof check->notes[0];

  if (check->note_count >= cap)
    return;
  struct catalog_note *note = &check->notes[check->note_count++];
  snprintf(note->field, sizeof note->field, "%s", field != NULL ? field : "");
  va_start(ap, fmt_en);
  va_copy(ap2, ap);
  vsnprintf(note->text_id, sizeof note->text_id, fmt_id, ap);
  vsnprintf(note->text_en, sizeof note->text_en, fmt_en, ap2);
  va_end(ap2);
  va_end(ap);
}

bool
catalog_has_error(const struct catalog_check *check, const char *field)
{
  for (size_t i = 0; i < check->error_count; i++)
    if (strcmp(check->errors[i].field, field) == 0)
      return true;
  return false;
}

/* Returns the length of the valid UTF-8 sequence at `p`, or 0 when the
 * bytes there are not one (overlong forms and surrogates included). */
static size_t
utf8_sequence(const unsigned char *p)
{
  unsigned c = p[0];
  size_t n;
  unsigned long cp, min;

  if (c < 0x80)
    return 1;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  for (size_t k = 1; k < n; k++) {
    if ((p[k] & 0xC0) != 0x80)
      return 0;
    cp = cp << 6 | (p[k] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return n;
}

const char *
catalog_value_text(char *out, size_t size, const char *value)
{
  const unsigned char *p = (const unsigned char *)(value ? value : "");
  size_t n = 0, used = 0;

  while (*p != '\0' && n + 8 < size) {
    size_t len = utf8_sequence(p);
    if (used >= 60) {
      snprintf(out + n, size - n, "...");
      return out;
    }
    if (len == 1 && (*p < 0x20 || *p == 0x7F)) {
      const char *esc = *p == '\n' ? "\\n" : *p == '\t' ? "\\t"
                        : *p == '\r' ? "\\r" : NULL;
      n += esc ? (size_t)snprintf(out + n, size - n, "%s", esc)
               : (size_t)snprintf(out + n, size - n, "\\x%02X", *p);
    } else if (len == 0) {
      n += (size_t)snprintf(out + n, size - n, "\\x%02X", *p);
      len = 1;
    } else if (text_invisible_char(p, len) != 0) {
      n += (size_t)snprintf(out + n, size - n, "\\u%04X",
                            (unsigned)text_invisible_char(p, len));
    } else {
      memcpy(out + n, p, len);
      n += len;
    }
    p += len;
    used += len;
  }
  out[n] = '\0';
  return out;
}

bool
catalog_code_valid(const char *code)
{
  size_t len = code != NULL ? strlen(code) : 0;
  if (len == 0 || len > 64)
    return false;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)code[i];
    if (!isalnum(c) && c != '-' && c != '_' && c != '.')
      return false;
  }
  return true;
}

int64_t
catalog_now(void)
{
  return (int64_t)time(NULL);
}

int
catalog_current_year(void)
{
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  return tm.tm_year + 1900;
}

static void
trim(char *s)
{
  size_t len = strlen(s), start = 0;
  while (start < len && isspace((unsigned char)s[start]))
    start++;
  while (len > start && isspace((unsigned char)s[len - 1]))
    len--;
  memmove(s, s + start, len - start);
  s[len - start] = '\0';
}

/* A CRLF line end, as browsers send from a <textarea>, becomes LF. */
static void
crlf_to_lf(char *s)
{
  char *out = s;
  for (const char *p = s; *p != '\0'; p++)
    if (!(p[0] == '\r' && p[1] == '\n'))
      *out++ = *p;
  *out = '\0';
}

/* Checks length, UTF-8 and control characters; false after an error. */
static bool
check_text(const char *v, const struct field_desc *f,
           struct catalog_check *check)
{
  char shown[256];
  size_t len = strlen(v);

  catalog_value_text(shown, sizeof shown, v);
  if (len > f->max_len) {
    catalog_error(check, SP_ERR_TOO_LONG, f->name,
                  "isian '%s' panjangnya %zu byte, maksimum %zu byte: "
                  "persingkat isian itu",
                  "value '%s' is %zu bytes long, the maximum is %zu bytes: "
                  "shorten it",
                  shown, len, f->max_len);
    return false;
  }
  for (size_t i = 0; i < len;) {
    const unsigned char *p = (const unsigned char *)v + i;
    size_t n = utf8_sequence(p);
    if (n == 0) {
      catalog_error(check, SP_ERR_BAD_UTF8, f->name,
                    "isian '%s' bukan UTF-8 yang valid pada byte ke-%zu: "
                    "simpan berkas sebagai UTF-8",
                    "value '%s' is not valid UTF-8 at byte offset %zu: save "
                    "the file as UTF-8",
                    shown, i);
      return false;
    }
    bool allowed = f->type == FIELD_LONGTEXT && (*p == '\n' || *p == '\t');
    if (n == 1 && (*p < 0x20 || *p == 0x7F) && !allowed) {
      catalog_error(check, SP_ERR_CONTROL_CHAR, f->name,
                    "isian '%s' memuat karakter kendali 0x%02X pada byte "
                    "ke-%zu: hapus karakter itu",
                    "value '%s' contains the control character 0x%02X at "
                    "byte offset %zu: remove it",
                    shown, *p, i);
      return false;
    }
    uint32_t invisible = f->type != FIELD_LONGTEXT
                           ? text_invisible_char(p, n) : 0;
    if (invisible != 0) {
      catalog_error(check, SP_ERR_CONTROL_CHAR, f->name,
                    "isian '%s' memuat karakter tak terlihat U+%04X pada "
                    "byte ke-%zu, yang dapat menyamarkan teks: hapus "
                    "karakter itu",
                    "value '%s' contains the invisible character U+%04X at "
                    "byte offset %zu, which can disguise text: remove it",
                    shown, (unsigned)invisible, i);
      return false;
    }
    i += n;
  }
  return true;
}

static void
check_choice(char **slot, const struct field_desc *f,
             struct catalog_check *check)
{
  char shown[256], allowed[256];
  const struct choice *c = choice_find(f->choices, *slot);

  catalog_value_text(shown, sizeof shown, *slot);
  if (c == NULL) {
    size_t n = 0;
    allowed[0] = '\0';
    for (const struct choice *k = f->choices; k->code != NULL; k++)
      n += (size_t)snprintf(allowed + n, n < sizeof allowed ? sizeof allowed - n : 0,
                            "%s%s", n > 0 ? ", " : "", k->code);
    catalog_error(check, SP_ERR_BAD_CHOICE, f->name,
                  "isian '%s' tidak dikenal: pakai salah satu dari %s",
                  "value '%s' is not known: use one of %s", shown, allowed);
    return;
  }
  if (strcmp(c->code, *slot) == 0)
    return;
  char *code = strdup(c->code);
  if (code == NULL) {
    catalog_error(check, SP_ERR_NOMEM, f->name, "memori habis",
                  "out of memory");
    return;
  }
  catalog_note(check, f->name, "'%s' dibaca sebagai '%s'",
               "'%s' read as '%s'", shown, c->code);
  free(*slot);
  *slot = code;
}

static const char *const unknown_years[] = {
  "-", "--", "?", "n/a", "na", "t/a", "unknown", "tidak diketahui",
  "tidak tahu", "belum diketahui", NULL,
};

static void
check_year(char **slot, const struct field_desc *f,
           struct catalog_check *check)
{
  char shown[256];
  const char *v = *slot;
  int max = catalog_current_year() + 1;

  catalog_value_text(shown, sizeof shown, v);
  for (size_t i = 0; unknown_years[i] != NULL; i++) {
    if (strcasecmp(v, unknown_years[i]) == 0) {
      catalog_note(check, f->name, "'%s' dibaca sebagai tidak diketahui",
                   "'%s' read as unknown", shown);
      free(*slot);
      *slot = NULL;
      return;
    }
  }
  bool digits = strlen(v) == 4;
  for (size_t i = 0; digits && i < 4; i++)
    digits = isdigit((unsigned char)v[i]) != 0;
  if (!digits || atoi(v) < 1990 || atoi(v) > max)
    catalog_error(check, SP_ERR_BAD_YEAR, f->name,
                  "isian '%s' bukan tahun: tulis tahun empat angka dari 1990 "
                  "sampai %d, atau kosongkan bila tidak diketahui",
                  "value '%s' is not a year: write a four-digit year from "
                  "1990 to %d, or leave it empty when unknown",
                  shown, max);
}

static bool
check_code(const char *v, const struct field_desc *f,
           struct catalog_check *check)
{
  char shown[256];
  catalog_value_text(shown, sizeof shown, v);
  /* A code is the last segment of the record's page address, so it must not
   * be a path segment that browsers rewrite ("." and "..") or the segment
   * of the add form ("/apps/new", "/agencies/new"). */
  if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0 || strcmp(v, "new") == 0) {
    catalog_error(check, SP_ERR_BAD_CODE, f->name,
                  "kode '%s' dicadangkan untuk alamat halaman: pilih kode "
                  "lain",
                  "the code '%s' is reserved for page addresses: choose "
                  "another code",
                  shown);
    return false;
  }
  if (catalog_code_valid(v))
    return true;
  catalog_error(check, SP_ERR_BAD_CODE, f->name,
                "isian '%s' bukan kode yang valid: pakai 1 sampai 64 huruf, "
                "angka, '-', '_' atau '.'",
                "value '%s' is not a valid code: use 1 to 64 letters, "
                "digits, '-', '_' or '.'",
                shown);
  return false;
}

/* Writes a valid code or reference in the case the catalog stores it,
 * so 'setda' and 'SETDA' name one agency, and notes the change. */
static void
code_case(char *code, const struct field_desc *f, struct catalog_check *check)
{
  char before[72];
  bool agency = f->type == FIELD_AGENCY_REF ||
                (f->type == FIELD_CODE && f >= agency_fields &&
                 f < agency_fields + agency_field_count);

  snprintf(before, sizeof before, "%s", code);
  bool changed = agency ? catalog_agency_code_case(code)
                        : catalog_app_code_case(code);
  if (!changed)
    return;
  if (agency)
    catalog_note(check, f->name,
                 "kode '%s' ditulis '%s': kode perangkat daerah memakai "
                 "huruf besar",
                 "wrote the code '%s' as '%s': agency codes are upper case",
                 before, code);
  else
    catalog_note(check, f->name,
                 "kode '%s' ditulis '%s': kode aplikasi memakai huruf kecil",
                 "wrote the code '%s' as '%s': application codes are lower "
                 "case",
                 before, code);
}

/* Trims one field and checks it by its type. */
static void
normalise_field(void *record, const struct field_desc *f,
                struct catalog_check *check)
{
  char **slot = (char **)((char *)record + f->offset);

  if (*slot == NULL)
    return;
  trim(*slot);
  if (**slot == '\0') {
    free(*slot);
    *slot = NULL;
    return;
  }
  if (f->type == FIELD_LONGTEXT)
    crlf_to_lf(*slot);
  if (!check_text(*slot, f, check))
    return;
  switch (f->type) {
  case FIELD_CODE:
  case FIELD_AGENCY_REF:
  case FIELD_APP_REF:
    if (check_code(*slot, f, check))
      code_case(*slot, f, check);
    break;
  case FIELD_CHOICE:
    check_choice(slot, f, check);
    break;
  case FIELD_URL:
    catalog_normalise_url(slot, f, check);
    break;
  case FIELD_YEAR:
    check_year(slot, f, check);
    break;
  case FIELD_TEXT:
  case FIELD_LONGTEXT:
  case FIELD_PACKAGE:
    break;
  }
}

static void
check_required(const void *record, const struct field_desc *fields,
               size_t count, struct catalog_check *check)
{
  for (size_t i = 0; i < count; i++) {
    const struct field_desc *f = &fields[i];
    if (!f->required || field_get(record, f) != NULL ||
        catalog_has_error(check, f->name))
      continue;
    catalog_error(check, SP_ERR_REQUIRED, f->name,
                  "kolom '%s' wajib diisi: beri nilai",
                  "the column '%s' is required: give it a value", f->name);
  }
}

/* Android application ids: two or more dot-separated segments, each a
 * letter followed by letters, digits or '_'. iOS bundle ids: two or more
 * segments of letters, digits and '-'. */
static bool
package_valid(const char *v, bool ios)
{
  size_t segments = 0, len = 0;
  for (const char *p = v;; p++) {
    unsigned char c = (unsigned char)*p;
    if (c == '.' || c == '\0') {
      if (len == 0)
        return false;
      segments++;
      len = 0;
      if (c == '\0')
        break;
      continue;
    }
    bool ok = ios ? isalnum(c) || c == '-'
                  : len == 0 ? isalpha(c) : isalnum(c) || c == '_';
    if (!ok)
      return false;
    len++;
  }
  return segments >= 2;
}

static void
check_package(struct app *a, struct catalog_check *check)
{
  char shown[256];
  const char *pkg = a->android_package;

  if (pkg == NULL || catalog_has_error(check, "android_package") ||
      a->kind == NULL || catalog_has_error(check, "kind"))
    return;
  catalog_value_text(shown, sizeof shown, pkg);
  bool android = strcmp(a->kind, "android") == 0;
  bool ios = strcmp(a->kind, "ios") == 0;
  if (!android && !ios) {
    catalog_error(check, SP_ERR_BAD_PACKAGE, "android_package",
                  "paket '%s' diisi padahal jenisnya '%s': ubah jenis "
                  "menjadi android, atau kosongkan android_package",
                  "package '%s' is given but the kind is '%s': set kind to "
                  "android, or empty android_package",
                  shown, a->kind);
  } else if (!package_valid(pkg, ios)) {
    catalog_error(check, SP_ERR_BAD_PACKAGE, "android_package",
                  "'%s' bukan nama paket %s: tulis dua segmen atau lebih "
                  "dipisah titik, masing-masing diawali huruf, berisi huruf, "
                  "angka atau '_' (contoh id.go.metrokota.sapawarga)",
                  "'%s' is not an %s package name: write two or more "
                  "dot-separated segments, each starting with a letter and "
                  "made of letters, digits or '_' (e.g. "
                  "id.go.metrokota.sapawarga)",
                  shown, ios ? "iOS" : "Android");
  }
}

static void
check_years(struct app *a, struct catalog_check *check)
{
  if (a->launched == NULL || a->last_updated == NULL ||
      catalog_has_error(check, "launched") ||
      catalog_has_error(check, "last_updated"))
    return;
  if (atoi(a->last_updated) < atoi(a->launched))
    catalog_error(check, SP_ERR_BAD_YEAR_ORDER, "last_updated",
                  "tahun pembaruan %s sebelum tahun peluncuran %s: perbaiki "
                  "salah satunya",
                  "last updated %s is before launched %s: correct one of "
                  "them",
                  a->last_updated, a->launched);
}

static void
check_merged(struct app *a, struct catalog_check *check)
{
  bool merged = a->status != NULL && strcmp(a->status, "merged") == 0;

  if (catalog_has_error(check, "status") ||
      catalog_has_error(check, "merged_into"))
    return;
  if (merged && a->merged_into == NULL) {
    catalog_error(check, SP_ERR_MERGED_INTO, "merged_into",
                  "status digabung memerlukan merged_into: isi kode aplikasi "
                  "tujuan penggabungan",
                  "status merged needs merged_into: give the code of the "
                  "application it was merged into");
  } else if (!merged && a->merged_into != NULL) {
    catalog_error(check, SP_ERR_MERGED_INTO, "merged_into",
                  "merged_into '%s' diisi padahal status bukan digabung: "
                  "ubah status menjadi merged, atau kosongkan merged_into",
                  "merged_into '%s' is given but the status is not merged: "
                  "set status to merged, or empty merged_into",
                  a->merged_into);
  } else if (merged && a->code != NULL &&
             strcmp(a->merged_into, a->code) == 0) {
    catalog_error(check, SP_ERR_MERGED_INTO, "merged_into",
                  "aplikasi '%s' tidak dapat digabung ke dirinya sendiri: "
                  "isi kode aplikasi lain",
                  "application '%s' cannot be merged into itself: give "
                  "another application's code",
                  a->code);
  }
}

bool
catalog_check_app(struct app *a, struct catalog_check *check)
{
  for (size_t i = 0; i < app_field_count; i++)
    normalise_field(a, &app_fields[i], check);
  if (a->status == NULL && !catalog_has_error(check, "status")) {
    a->status = strdup("active");
    if (a->status == NULL)
      catalog_error(check, SP_ERR_NOMEM, "status", "memori habis",
                    "out of memory");
  }
  catalog_app_store_links(a, check);
  check_package(a, check);
  check_years(a, check);
  check_merged(a, check);
  check_required(a, app_fields, app_field_count, check);
  return check->error_count == 0;
}

bool
catalog_check_agency(struct agency *a, struct catalog_check *check)
{
  for (size_t i = 0; i < agency_field_count; i++)
    normalise_field(a, &agency_fields[i], check);
  check_required(a, agency_fields, agency_field_count, check);
  if (a->code != NULL && a->parent != NULL &&
      !catalog_has_error(check, "parent") &&
      strcmp(a->code, a->parent) == 0)
    catalog_error(check, SP_ERR_PARENT_CYCLE, "parent",
                  "%s -> %s: perangkat daerah tidak dapat menjadi induknya "
                  "sendiri; kosongkan induk atau isi kode lain",
                  "%s -> %s: an agency cannot be its own parent; empty parent "
                  "or give another agency's code",
                  a->code, a->parent);
  return check->error_count == 0;
}
