/* The application list (filters, sorting, paging) and an application's own
 * page. The list is a GET form, so filtering works without JavaScript and
 * every view has a URL that can be shared. */
#include <string.h>

#include "api/params.h"
#include "console/console.h"
#include "console/exam.h"

/* Sortable columns of the list, in display order. */
static const struct {
  enum app_sort sort;
  const char *label_id;
  const char *label_en;
} columns[] = {
  {APP_SORT_CODE, "Kode", "Code"},
  {APP_SORT_NAME, "Nama", "Name"},
  {APP_SORT_KIND, "Jenis", "Kind"},
  {APP_SORT_AGENCY, "Perangkat daerah", "Agency"},
  {APP_SORT_STATUS, "Status", "Status"},
  {APP_SORT_UPDATED, "Diubah", "Changed"},
};

/* Appends /apps?FILTERS& to `url`, with sort and order when `sorted`. */
static void
list_url(struct buf *url, const struct app_filter *f, bool sorted)
{
  buf_puts(url, "/apps?");
  const char *names[] = {"kind", "status", "agency", "q"};
  const char *values[] = {f->kind, f->status, f->agency, f->query};
  for (size_t i = 0; i < 4; i++) {
    if (values[i] == NULL)
      continue;
    buf_printf(url, "%s=", names[i]);
    html_url_param(url, values[i]);
    buf_putc(url, '&');
  }
  if (sorted)
    buf_printf(url, "sort=%s&order=%s&", params_sort_name(f->sort),
               f->descending ? "desc" : "asc");
}

static void
choice_options(struct http_request *rq, struct buf *out, const char *field,
               const char *selected)
{
  const struct field_desc *f = field_find(app_fields, app_field_count, field);
  html_printf(out, "<option value=\"\">%s</option>", tr(rq, "Semua", "All"));
  for (const struct choice *c = f ? f->choices : NULL; c && c->code; c++)
    html_printf(out, "<option value=\"%s\"%s>%s</option>", c->code,
                selected && strcmp(selected, c->code) == 0 ? " selected" : "",
                tr(rq, c->label_id, c->label_en));
}

static void
filter_form(struct http_request *rq, struct http_response *rs,
            const struct app_filter *f, const struct agency_list *agencies)
{
  struct buf *out = &rs->body;
  html_printf(out, "<form method=\"get\" action=\"/apps\" class=\"filters\">\n"
              "<label>%s <select name=\"kind\">", tr(rq, "Jenis", "Kind"));
  choice_options(rq, out, "kind", f->kind);
  html_printf(out, "</select></label>\n<label>%s <select name=\"status\">",
              tr(rq, "Status", "Status"));
  choice_options(rq, out, "status", f->status);
  html_printf(out, "</select></label>\n<label>%s <select name=\"agency\">"
              "<option value=\"\">%s</option>",
              tr(rq, "Perangkat daerah", "Agency"), tr(rq, "Semua", "All"));
  for (size_t i = 0; i < agencies->count; i++) {
    const struct agency *a = &agencies->items[i];
    html_printf(out, "<option value=\"%s\"%s>%s</option>", a->code,
                f->agency && strcmp(f->agency, a->code) == 0 ? " selected"
                                                             : "",
                a->name ? a->name : a->code);
  }
  html_printf(out, "</select></label>\n<label>%s <input type=\"search\" "
              "name=\"q\" value=\"%s\" maxlength=\"%d\"></label>\n",
              tr(rq, "Cari", "Search"), f->query ? f->query : "",
              LIST_MAX_QUERY);
  html_printf(out, "<input type=\"hidden\" name=\"sort\" value=\"%s\">"
              "<input type=\"hidden\" name=\"order\" value=\"%s\">\n"
              "<button type=\"submit\">%s</button> <a href=\"/apps\">%s</a>\n"
              "</form>\n",
              params_sort_name(f->sort), f->descending ? "desc" : "asc",
              tr(rq, "Terapkan", "Apply"), tr(rq, "Hapus saringan", "Clear"));
}

/* Appends the header row; each header links to the list sorted by its
 * column, the current column's link reversing the order. */
static void
header_row(struct http_request *rq, struct buf *out, const struct app_filter *f)
{
  struct buf base;
  buf_init(&base, 2048);
  list_url(&base, f, false);
  html_raw(out, "<thead><tr>");
  for (size_t i = 0; i < sizeof columns / sizeof columns[0]; i++) {
    bool current = columns[i].sort == f->sort;
    const char *aria = "", *arrow = "";
    if (current && f->descending) {
      aria = " aria-sort=\"descending\"";
      arrow = " &darr;";
    } else if (current) {
      aria = " aria-sort=\"ascending\"";
      arrow = " &uarr;";
    }
    html_raw(out, "<th");
    html_raw(out, aria);
    html_printf(out, "><a href=\"%ssort=%s&amp;order=%s\">%s", buf_str(&base), params_sort_name(columns[i].sort),
                current && !f->descending ? "desc" : "asc",
                tr(rq, columns[i].label_id, columns[i].label_en));
    html_raw(out, arrow);
    html_raw(out, "</a></th>");
  }
  html_raw(out, "</tr></thead>\n");
  buf_free(&base);
}

static void
app_row(struct http_request *rq, struct buf *out, const struct app *a)
{
  const struct field_desc *kind = field_find(app_fields, app_field_count,
                                             "kind");
  const struct field_desc *status = field_find(app_fields, app_field_count,
                                               "status");
  char updated[40];
  console_format_time(a->updated_at, updated, sizeof updated);
  html_raw(out, "<tr><td><a href=\"/apps/");
  html_url_param(out, a->code);
  html_printf(out, "\">%s</a></td><td>%s</td><td>%s</td><td>", a->code,
              a->name ? a->name : "",
              a->kind && kind ? choice_label(kind->choices, a->kind, rq->lang)
                              : "");
  html_raw(out, "<a href=\"/agencies/");
  html_url_param(out, a->agency);
  html_printf(out, "\">%s</a></td><td>%s</td><td>%s</td></tr>\n",
              a->agency ? a->agency : "",
              a->status && status
                  ? choice_label(status->choices, a->status, rq->lang)
                  : "",
              updated);
}

static void
app_table(struct http_request *rq, struct http_response *rs,
          const struct app_filter *f, const struct app_list *list)
{
  struct buf *out = &rs->body;
  html_raw(out, "<div class=\"table-wrap\"><table class=\"list\">\n");
  header_row(rq, out, f);
  html_raw(out, "<tbody>\n");
  for (size_t i = 0; i < list->count; i++)
    app_row(rq, out, &list->items[i]);
  html_raw(out, "</tbody></table></div>\n");
}

void
console_app_list(struct http_request *rq, struct http_response *rs)
{
  struct app_filter f = {0};
  struct sp_field_error fe;
  int64_t page;
  if (params_app_filter(rq, &f, &fe) != SP_OK ||
      !console_page_param(rq, &page, &fe)) {
    console_param_error(rq, rs, &fe);
    return;
  }
  f.limit = CONSOLE_PAGE_SIZE;
  f.offset = (page - 1) * CONSOLE_PAGE_SIZE;

  struct app_list list = {0};
  struct agency_list agencies = {0};
  struct agency_filter all_agencies = {0};
  enum store_rc rc = rq->store->ops->app_list(rq->store, &f, &list);
  if (rc != STORE_OK) {
    console_store_error(rq, rs, rc, "app_list");
    return;
  }
  rc = rq->store->ops->agency_list(rq->store, &all_agencies, &agencies);
  if (rc != STORE_OK) {
    app_list_free(&list);
    console_store_error(rq, rs, rc, "agency_list");
    return;
  }

  page_begin(rq, rs, tr(rq, "Aplikasi", "Applications"), "apps");
  html_printf(&rs->body, "<h1>%s</h1>\n", tr(rq, "Aplikasi", "Applications"));
  if (console_can_edit(rq))
    html_printf(&rs->body, "<p><a class=\"button\" href=\"/apps/new\">%s</a></p>\n",
                tr(rq, "Tambah aplikasi", "Add an application"));
  filter_form(rq, rs, &f, &agencies);
  html_printf(&rs->body, "<p class=\"count\"><strong>%lld</strong> %s</p>\n",
              (long long)list.total,
              tr(rq, "aplikasi ditemukan", "applications found"));
  if (list.count > 0)
    app_table(rq, rs, &f, &list);

  struct buf base;
  buf_init(&base, 2048);
  list_url(&base, &f, true);
  console_pager(rq, rs, buf_str(&base), page, list.total);
  buf_free(&base);
  page_end(rq, rs);
  app_list_free(&list);
  agency_list_free(&agencies);
}

void
console_app_show(struct http_request *rq, struct http_response *rs)
{
  char buf[80];
  const char *code = record_path_code(&record_kind_app, rq->params[0], buf,
                                      sizeof buf);
  union record r = {0};
  enum store_rc rc = record_kind_app.get(rq->store, code, &r);
  if (rc == STORE_NOT_FOUND) {
    console_not_found(&record_kind_app, rq, rs, code);
    return;
  }
  if (rc != STORE_OK) {
    console_store_error(rq, rs, rc, "app_get");
    return;
  }

  const char *title = r.app.name ? r.app.name : r.app.code;
  page_begin(rq, rs, title, "apps");
  console_flash_show(rq, rs);
  html_printf(&rs->body, "<h1>%s</h1>\n<p class=\"subtitle\"><code>%s</code></p>\n",
              title, r.app.code);
  if (console_can_edit(rq)) {
    html_raw(&rs->body, "<p><a class=\"button\" href=\"/apps/");
    html_url_param(&rs->body, r.app.code);
    html_printf(&rs->body, "/edit\">%s</a></p>\n", tr(rq, "Ubah", "Edit"));
  }
  console_record_fields(&record_kind_app, rq, rs, &r);
  console_exam_section(rq, rs, &r.app);
  console_history(&record_kind_app, rq, rs, r.app.code);
  page_end(rq, rs);
  record_kind_app.release(&r);
}
