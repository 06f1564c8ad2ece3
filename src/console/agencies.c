/* The agency list and an agency's own page: its fields, its parent and
 * child agencies, its applications and its history. */
#include <string.h>

#include "api/params.h"
#include "console/console.h"
#include "core/log.h"

/* Returns the number of apps of agency `code` in `counts`, 0 if absent. */
static int64_t
count_of(const struct group_count_list *counts, const char *code)
{
  for (size_t i = 0; i < counts->count; i++)
    if (counts->items[i].key && strcmp(counts->items[i].key, code) == 0)
      return counts->items[i].count;
  return 0;
}

static void
filter_form(struct http_request *rq, struct http_response *rs,
            const struct agency_filter *f, const struct agency_list *all)
{
  struct buf *out = &rs->body;
  const struct field_desc *kind =
      field_find(agency_fields, agency_field_count, "kind");

  html_printf(out, "<form method=\"get\" action=\"/agencies\" "
              "class=\"filters\">\n<label>%s ", tr(rq, "Jenis", "Kind"));
  if (kind != NULL && kind->type == FIELD_CHOICE && kind->choices != NULL) {
    html_printf(out, "<select name=\"kind\"><option value=\"\">%s</option>",
                tr(rq, "Semua", "All"));
    for (const struct choice *c = kind->choices; c->code != NULL; c++)
      html_printf(out, "<option value=\"%s\"%s>%s</option>", c->code,
                  f->kind && strcmp(f->kind, c->code) == 0 ? " selected" : "",
                  tr(rq, c->label_id, c->label_en));
    html_raw(out, "</select>");
  } else {
    html_printf(out, "<input type=\"text\" name=\"kind\" value=\"%s\">",
                f->kind ? f->kind : "");
  }
  html_printf(out, "</label>\n<label>%s <select name=\"parent\">"
              "<option value=\"\">%s</option>",
              tr(rq, "Induk", "Parent"), tr(rq, "Semua", "All"));
  for (size_t i = 0; i < all->count; i++) {
    const struct agency *a = &all->items[i];
    html_printf(out, "<option value=\"%s\"%s>%s</option>", a->code,
                f->parent && strcmp(f->parent, a->code) == 0 ? " selected"
                                                             : "",
                a->name ? a->name : a->code);
  }
  html_printf(out, "</select></label>\n<label>%s <input type=\"search\" "
              "name=\"q\" value=\"%s\" maxlength=\"%d\"></label>\n"
              "<button type=\"submit\">%s</button> "
              "<a href=\"/agencies\">%s</a>\n</form>\n",
              tr(rq, "Cari", "Search"), f->query ? f->query : "",
              LIST_MAX_QUERY, tr(rq, "Terapkan", "Apply"),
              tr(rq, "Hapus saringan", "Clear"));
}

static void
agency_table(struct http_request *rq, struct http_response *rs,
             const struct agency_list *list,
             const struct group_count_list *counts)
{
  struct buf *out = &rs->body;
  const struct field_desc *kind =
      field_find(agency_fields, agency_field_count, "kind");
  html_printf(out, "<div class=\"table-wrap\"><table class=\"list\">\n"
              "<thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
              "<th>%s</th></tr></thead>\n<tbody>\n",
              tr(rq, "Kode", "Code"), tr(rq, "Nama", "Name"),
              tr(rq, "Jenis", "Kind"), tr(rq, "Induk", "Parent"),
              tr(rq, "Aplikasi", "Applications"));
  for (size_t i = 0; i < list->count; i++) {
    const struct agency *a = &list->items[i];
    const char *kind_text = a->kind == NULL ? "" : a->kind;
    if (a->kind != NULL && kind != NULL && kind->choices != NULL)
      kind_text = choice_label(kind->choices, a->kind, rq->lang);
    html_raw(out, "<tr><td><a href=\"/agencies/");
    html_url_param(out, a->code);
    html_printf(out, "\">%s</a></td><td>%s</td><td>%s</td><td>", a->code,
                a->name ? a->name : "", kind_text);
    if (a->parent != NULL) {
      html_raw(out, "<a href=\"/agencies/");
      html_url_param(out, a->parent);
      html_printf(out, "\">%s</a>", a->parent);
    }
    html_raw(out, "</td><td><a href=\"/apps?agency=");
    html_url_param(out, a->code);
    html_printf(out, "\">%lld</a></td></tr>\n",
                (long long)count_of(counts, a->code));
  }
  html_raw(out, "</tbody></table></div>\n");
}

/* Appends /agencies?FILTERS& to `url`. */
static void
list_url(struct buf *url, const struct agency_filter *f)
{
  const char *names[] = {"kind", "parent", "q"};
  const char *values[] = {f->kind, f->parent, f->query};
  buf_puts(url, "/agencies?");
  for (size_t i = 0; i < 3; i++) {
    if (values[i] == NULL)
      continue;
    buf_printf(url, "%s=", names[i]);
    html_url_param(url, values[i]);
    buf_putc(url, '&');
  }
}

/* Loads the page, the full list for the parent select and the app counts;
 * false after rendering the error page. */
static bool
load_list(struct http_request *rq, struct http_response *rs,
          const struct agency_filter *f, struct agency_list *page,
          struct agency_list *all, struct group_count_list *counts)
{
  struct store *s = rq->store;
  struct agency_filter everything = {0};
  enum store_rc rc = s->ops->agency_list(s, f, page);
  if (rc == STORE_OK)
    rc = s->ops->agency_list(s, &everything, all);
  if (rc == STORE_OK)
    rc = s->ops->app_count_by(s, APP_GROUP_AGENCY, counts);
  if (rc == STORE_OK)
    return true;
  agency_list_free(page);
  agency_list_free(all);
  console_store_error(rq, rs, rc, "agency_list");
  return false;
}

void
console_agency_list(struct http_request *rq, struct http_response *rs)
{
  struct agency_filter f = {0};
  struct sp_field_error fe;
  int64_t page;
  if (params_agency_filter(rq, &f, &fe) != SP_OK ||
      !console_page_param(rq, &page, &fe)) {
    console_param_error(rq, rs, &fe);
    return;
  }
  f.limit = CONSOLE_PAGE_SIZE;
  f.offset = (page - 1) * CONSOLE_PAGE_SIZE;

  struct agency_list list = {0}, all = {0};
  struct group_count_list counts = {0};
  if (!load_list(rq, rs, &f, &list, &all, &counts))
    return;

  const char *title = tr(rq, "Perangkat daerah", "Agencies");
  page_begin(rq, rs, title, "agencies");
  html_printf(&rs->body, "<h1>%s</h1>\n", title);
  if (console_can_edit(rq))
    html_printf(&rs->body,
                "<p><a class=\"button\" href=\"/agencies/new\">%s</a></p>\n",
                tr(rq, "Tambah perangkat daerah", "Add an agency"));
  filter_form(rq, rs, &f, &all);
  html_printf(&rs->body, "<p class=\"count\"><strong>%lld</strong> %s</p>\n",
              (long long)list.total,
              tr(rq, "perangkat daerah ditemukan", "agencies found"));
  if (list.count > 0)
    agency_table(rq, rs, &list, &counts);

  struct buf base;
  buf_init(&base, 2048);
  list_url(&base, &f);
  console_pager(rq, rs, buf_str(&base), page, list.total);
  buf_free(&base);
  page_end(rq, rs);
  agency_list_free(&list);
  agency_list_free(&all);
  group_count_list_free(&counts);
}

/* Lists the agencies whose parent is `code`. */
static void
children_section(struct http_request *rq, struct http_response *rs,
                 const char *code)
{
  struct agency_filter f = {.parent = code, .limit = LIST_MAX_LIMIT};
  struct agency_list list = {0};
  enum store_rc rc = rq->store->ops->agency_list(rq->store, &f, &list);
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "console.store_failed", "op", "agency_children",
              "error", store_errmsg(rq->store), NULL);
    html_printf(&rs->body, "<p class=\"error\">%s</p>\n",
                sp_error_message(store_rc_error(rc), rq->lang));
    return;
  }
  if (list.count == 0) {
    agency_list_free(&list);
    return;
  }
  html_printf(&rs->body, "<section><h2>%s (%lld)</h2>\n<ul>\n",
              tr(rq, "Unit di bawahnya", "Units under it"),
              (long long)list.total);
  for (size_t i = 0; i < list.count; i++) {
    html_raw(&rs->body, "<li><a href=\"/agencies/");
    html_url_param(&rs->body, list.items[i].code);
    html_printf(&rs->body, "\">%s</a> &middot; %s</li>\n",
                list.items[i].code,
                list.items[i].name ? list.items[i].name : "");
  }
  html_raw(&rs->body, "</ul></section>\n");
  agency_list_free(&list);
}

/* Lists the agency's applications, with a link to the full filtered list
 * when there are more than fit. */
static void
apps_section(struct http_request *rq, struct http_response *rs,
             const char *code)
{
  struct buf *out = &rs->body;
  struct app_filter f = {.agency = code, .sort = APP_SORT_NAME,
                         .limit = LIST_MAX_LIMIT};
  struct app_list list = {0};
  enum store_rc rc = rq->store->ops->app_list(rq->store, &f, &list);
  html_printf(out, "<section><h2>%s (%lld)</h2>\n",
              tr(rq, "Aplikasi", "Applications"),
              rc == STORE_OK ? (long long)list.total : 0LL);
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "console.store_failed", "op", "agency_apps",
              "error", store_errmsg(rq->store), NULL);
    html_printf(out, "<p class=\"error\">%s</p></section>\n",
                sp_error_message(store_rc_error(rc), rq->lang));
    return;
  }
  html_raw(out, "<ul>\n");
  for (size_t i = 0; i < list.count; i++) {
    html_raw(out, "<li><a href=\"/apps/");
    html_url_param(out, list.items[i].code);
    html_printf(out, "\">%s</a></li>\n",
                list.items[i].name ? list.items[i].name : list.items[i].code);
  }
  html_raw(out, "</ul>\n");
  if (list.total > (int64_t)list.count) {
    html_raw(out, "<p><a href=\"/apps?agency=");
    html_url_param(out, code);
    html_printf(out, "\">%s</a></p>\n",
                tr(rq, "Lihat semua", "See all"));
  }
  html_raw(out, "</section>\n");
  app_list_free(&list);
}

static void
edit_links(struct http_request *rq, struct http_response *rs,
           const char *code)
{
  struct buf *out = &rs->body;
  html_raw(out, "<p class=\"actions\"><a class=\"button\" href=\"/agencies/");
  html_url_param(out, code);
  html_printf(out, "/edit\">%s</a> <a href=\"/apps/new?agency=",
              tr(rq, "Ubah", "Edit"));
  html_url_param(out, code);
  html_printf(out, "\">%s</a> <a href=\"/agencies/new?parent=",
              tr(rq, "Tambah aplikasi", "Add an application"));
  html_url_param(out, code);
  html_printf(out, "\">%s</a></p>\n",
              tr(rq, "Tambah unit di bawahnya", "Add a unit under it"));
}

void
console_agency_show(struct http_request *rq, struct http_response *rs)
{
  char buf[80];
  const char *code = record_path_code(&record_kind_agency, rq->params[0], buf,
                                      sizeof buf);
  union record r = {0};
  enum store_rc rc = record_kind_agency.get(rq->store, code, &r);
  if (rc == STORE_NOT_FOUND) {
    console_not_found(&record_kind_agency, rq, rs, code);
    return;
  }
  if (rc != STORE_OK) {
    console_store_error(rq, rs, rc, "agency_get");
    return;
  }

  const char *title = r.agency.name ? r.agency.name : r.agency.code;
  page_begin(rq, rs, title, "agencies");
  console_flash_show(rq, rs);
  html_printf(&rs->body,
              "<h1>%s</h1>\n<p class=\"subtitle\"><code>%s</code></p>\n",
              title, r.agency.code);
  if (console_can_edit(rq))
    edit_links(rq, rs, r.agency.code);
  console_record_fields(&record_kind_agency, rq, rs, &r);
  children_section(rq, rs, r.agency.code);
  apps_section(rq, rs, r.agency.code);
  console_history(&record_kind_agency, rq, rs, r.agency.code);
  page_end(rq, rs);
  record_kind_agency.release(&r);
}
