/* The add and edit forms of agencies and applications, drawn from the
 * catalog's field tables: choices as <select>, long text as <textarea>,
 * years as numeric text inputs, and each validation error beside its field
 * (class field-error, tied to the input by aria-describedby). */
#include <string.h>
#include <strings.h>

#include "console/console.h"
#include "core/log.h"

/* The state of one form being drawn: the errors to show and the agencies a
 * FIELD_AGENCY_REF select offers. */
struct form_context {
  struct http_request *rq;
  struct buf *out;
  const struct catalog_check *check;
  const struct agency_list *agencies;   /* NULL: a text input is used */
  const char *own_code;                 /* left out of the parent select */
  bool create;
};

/* Counts the errors on field `name` and, when `write`, appends their
 * messages in the page's language. */
static size_t
field_errors(const struct form_context *fc, const char *name, bool write)
{
  size_t found = 0;
  if (fc->check == NULL)
    return 0;
  for (size_t i = 0; i < fc->check->error_count; i++) {
    const struct sp_field_error *e = &fc->check->errors[i];
    if (strcasecmp(e->field, name) != 0)
      continue;
    if (write)
      html_printf(fc->out, "%s%s", found ? " " : "",
                  tr(fc->rq, e->detail_id, e->detail_en));
    found++;
  }
  return found;
}

/* Appends the attributes every control has: id, name, required, and the
 * link to its error message. */
static void
control_attributes(const struct form_context *fc, const struct field_desc *f,
                   bool has_error)
{
  html_printf(fc->out, " id=\"f-%s\" name=\"%s\"", f->name, f->name);
  if (f->required)
    html_raw(fc->out, " required");
  if (has_error)
    html_printf(fc->out, " aria-invalid=\"true\" aria-describedby=\"e-%s\"",
                f->name);
}

static void
choice_select(const struct form_context *fc, const struct field_desc *f,
              const char *value, bool has_error)
{
  struct buf *out = fc->out;
  bool matched = false;
  html_raw(out, "<select");
  control_attributes(fc, f, has_error);
  html_raw(out, ">");
  if (!f->required || value == NULL || value[0] == '\0')
    html_printf(out, "<option value=\"\">%s</option>",
                tr(fc->rq, "— pilih —", "— choose —"));
  for (const struct choice *c = f->choices; c && c->code != NULL; c++) {
    bool selected = value != NULL && strcmp(c->code, value) == 0;
    matched = matched || selected;
    html_printf(out, "<option value=\"%s\"%s>%s</option>", c->code,
                selected ? " selected" : "",
                tr(fc->rq, c->label_id, c->label_en));
  }
  /* A value that is not a choice stays selected, so the person sees what
   * was sent beside the error that explains it. */
  if (!matched && value != NULL && value[0] != '\0')
    html_printf(out, "<option value=\"%s\" selected>%s</option>", value,
                value);
  html_raw(out, "</select>");
}

static void
agency_select(const struct form_context *fc, const struct field_desc *f,
              const char *value, bool has_error)
{
  struct buf *out = fc->out;
  bool matched = false;
  html_raw(out, "<select");
  control_attributes(fc, f, has_error);
  html_raw(out, ">");
  if (!f->required || value == NULL || value[0] == '\0')
    html_printf(out, "<option value=\"\">%s</option>",
                tr(fc->rq, "— tidak ada —", "— none —"));
  for (size_t i = 0; i < fc->agencies->count; i++) {
    const struct agency *a = &fc->agencies->items[i];
    if (fc->own_code != NULL && strcmp(a->code, fc->own_code) == 0)
      continue;
    bool selected = value != NULL && strcmp(a->code, value) == 0;
    matched = matched || selected;
    html_printf(out, "<option value=\"%s\"%s>%s &middot; %s</option>",
                a->code, selected ? " selected" : "", a->code,
                a->name ? a->name : "");
  }
  if (!matched && value != NULL && value[0] != '\0')
    html_printf(out, "<option value=\"%s\" selected>%s</option>", value,
                value);
  html_raw(out, "</select>");
}

/* Appends the input of one field. */
static void
field_control(const struct form_context *fc, const struct field_desc *f,
              const char *value, bool has_error)
{
  struct buf *out = fc->out;
  const char *v = value ? value : "";

  if (f->type == FIELD_CHOICE && f->choices != NULL) {
    choice_select(fc, f, value, has_error);
    return;
  }
  if (f->type == FIELD_AGENCY_REF && fc->agencies != NULL) {
    agency_select(fc, f, value, has_error);
    return;
  }
  if (f->type == FIELD_LONGTEXT) {
    html_raw(out, "<textarea rows=\"5\"");
    control_attributes(fc, f, has_error);
    /* The newline after the tag keeps a leading newline of the value,
     * which HTML parsers drop from a textarea's first line. */
    html_printf(out, " maxlength=\"%zu\">\n%s</textarea>", f->max_len, v);
    return;
  }
  html_raw(out, "<input type=\"text\"");
  control_attributes(fc, f, has_error);
  if (f->type == FIELD_YEAR)
    html_raw(out, " inputmode=\"numeric\" maxlength=\"4\" autocomplete=\"off\"");
  else if (f->type == FIELD_URL)
    html_printf(out, " inputmode=\"url\" maxlength=\"%zu\"", f->max_len);
  else if (f->max_len > 0)
    html_printf(out, " maxlength=\"%zu\"", f->max_len);
  html_printf(out, " value=\"%s\">", v);
}

static void
form_field(const struct form_context *fc, const struct field_desc *f,
           const char *value)
{
  struct buf *out = fc->out;
  size_t errors = field_errors(fc, f->name, false);

  html_printf(out, "<div class=\"field%s\">\n<label for=\"f-%s\">%s%s</label>\n",
              errors ? " has-error" : "", f->name,
              tr(fc->rq, f->label_id, f->label_en), f->required ? " *" : "");
  if (!fc->create && strcmp(f->name, "code") == 0) {
    /* A record's code is its key and cannot be edited. The input has no
     * name, so the form does not send it. */
    html_printf(out, "<input type=\"text\" id=\"f-code\" value=\"%s\" readonly>",
                value ? value : "");
  } else {
    field_control(fc, f, value, errors > 0);
  }
  if (errors > 0) {
    html_printf(out, "\n<p class=\"field-error\" id=\"e-%s\">", f->name);
    field_errors(fc, f->name, true);
    html_raw(out, "</p>");
  }
  html_raw(out, "\n</div>\n");
}

/* Lists every error at the top of the form, each linked to its field. */
static void
error_summary(const struct form_context *fc, const struct record_kind *k)
{
  struct buf *out = fc->out;
  if (fc->check == NULL || fc->check->error_count == 0)
    return;
  html_printf(out, "<div class=\"error-summary\" role=\"alert\"><p>%s</p><ul>",
              tr(fc->rq, "Data belum tersimpan. Perbaiki isian berikut:",
                 "Nothing was saved. Correct these fields:"));
  for (size_t i = 0; i < fc->check->error_count; i++) {
    const struct sp_field_error *e = &fc->check->errors[i];
    const struct field_desc *f = field_find(k->fields, *k->field_count,
                                            e->field);
    const char *detail = tr(fc->rq, e->detail_id, e->detail_en);
    if (f != NULL)
      html_printf(out, "<li><a href=\"#f-%s\">%s</a>: %s</li>", f->name,
                  tr(fc->rq, f->label_id, f->label_en), detail);
    else
      html_printf(out, "<li>%s</li>", detail[0] ? detail
                  : sp_error_message(e->err, fc->rq->lang));
  }
  html_raw(out, "</ul></div>\n");
}

/* Loads every agency for the selects; on failure logs it and returns
 * false, and the form falls back to text inputs. */
static bool
load_agencies(struct http_request *rq, const struct record_kind *k,
              struct agency_list *out)
{
  bool needed = false;
  for (size_t i = 0; i < *k->field_count; i++)
    needed = needed || k->fields[i].type == FIELD_AGENCY_REF;
  if (!needed)
    return false;
  struct agency_filter all = {0};
  enum store_rc rc = rq->store->ops->agency_list(rq->store, &all, out);
  if (rc == STORE_OK)
    return true;
  log_event(LOG_ERROR, "console.store_failed", "op", "agency_list", "error",
            store_errmsg(rq->store), NULL);
  return false;
}

/* Shows, after a lost race, the stored values that differ from the ones
 * the person sent, which the form below keeps. */
static void
conflict_notice(const struct record_kind *k, struct http_request *rq,
                struct buf *out, const union record *mine,
                const union record *current)
{
  html_printf(out, "<div class=\"error-summary\" role=\"alert\"><p>%s</p>",
              tr(rq, "Data belum tersimpan: orang lain mengubah data ini "
                     "sejak Anda membuka formulir. Versi terkini ada di "
                     "tabel ini; isian Anda tetap di formulir di bawah. "
                     "Periksa, lalu simpan lagi untuk menimpa versi terkini.",
                 "Nothing was saved: someone else changed this record "
                 "since you opened the form. The current version is in "
                 "this table; your values are kept in the form below. "
                 "Check them, then save again to replace the current "
                 "version."));
  html_printf(out, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
              "</tr></thead><tbody>",
              tr(rq, "Isian", "Field"), tr(rq, "Versi terkini", "Current"),
              tr(rq, "Isian Anda", "Yours"));
  for (size_t i = 0; i < *k->field_count; i++) {
    const struct field_desc *f = &k->fields[i];
    const char *now = field_get(current, f), *sent = field_get(mine, f);
    if ((now == NULL && sent == NULL) ||
        (now != NULL && sent != NULL && strcmp(now, sent) == 0))
      continue;
    html_printf(out, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>",
                tr(rq, f->label_id, f->label_en), now ? now : "",
                sent ? sent : "");
  }
  html_raw(out, "</tbody></table></div>\n");
}

void
console_form_page(const struct record_kind *k, struct http_request *rq,
                  struct http_response *rs, const union record *r,
                  bool create, const struct catalog_check *check, int status,
                  const char *etag, const union record *current)
{
  const char *code = record_code(k, r);
  struct agency_list agencies = {0};
  bool have_agencies = load_agencies(rq, k, &agencies);
  struct form_context fc = {
    .rq = rq, .out = &rs->body, .check = check,
    .agencies = have_agencies ? &agencies : NULL,
    .own_code = create || k != &record_kind_agency ? NULL : code,
    .create = create,
  };

  char title[160];
  if (create)
    snprintf(title, sizeof title, "%s %s", tr(rq, "Tambah", "Add"),
             tr(rq, k->label_id, k->label_en));
  else
    snprintf(title, sizeof title, "%s %s %.64s", tr(rq, "Ubah", "Edit"),
             tr(rq, k->label_id, k->label_en), code ? code : "");
  page_begin(rq, rs, title, k == &record_kind_app ? "apps" : "agencies");
  http_set_status(rs, status);
  html_printf(&rs->body, "<h1>%s</h1>\n", title);
  if (current != NULL)
    conflict_notice(k, rq, &rs->body, r, current);
  error_summary(&fc, k);

  if (create)
    html_printf(&rs->body, "<form method=\"post\" action=\"%s\" class=\"record-form\">\n",
                k->page_path);
  else {
    html_printf(&rs->body, "<form method=\"post\" action=\"%s/", k->page_path);
    html_url_param(&rs->body, code);
    html_raw(&rs->body, "\" class=\"record-form\">\n");
  }
  page_csrf_input(rq, rs);
  if (!create && etag != NULL)
    html_printf(&rs->body, "<input type=\"hidden\" name=\"etag\" value=\"%s\">",
                etag);
  html_raw(&rs->body, "\n");
  for (size_t i = 0; i < *k->field_count; i++)
    form_field(&fc, &k->fields[i], field_get(r, &k->fields[i]));
  html_printf(&rs->body,
              "<p class=\"actions\"><button type=\"submit\">%s</button> "
              "<a href=\"%s",
              tr(rq, "Simpan", "Save"), k->page_path);
  if (!create) {
    html_raw(&rs->body, "/");
    html_url_param(&rs->body, code);
  }
  html_printf(&rs->body, "\">%s</a></p>\n</form>\n", tr(rq, "Batal", "Cancel"));
  html_printf(&rs->body, "<p class=\"hint\">%s</p>\n",
              tr(rq, "Isian bertanda * wajib diisi.",
                 "Fields marked * are required."));
  page_end(rq, rs);
  if (have_agencies)
    agency_list_free(&agencies);
}
