/* The dashboard: how many applications and agencies the catalog has, the
 * examination overview (needs_action.c), and the applications counted by
 * kind, lifecycle status and agency. Each row
 * links to the application list filtered by it; the bars are <meter>
 * elements, because the pages' CSP allows no inline style. */
#include <stdlib.h>
#include <string.h>

#include "console/console.h"
#include "console/exam.h"
#include "core/log.h"

#define DASHBOARD_AGENCY_ROWS 40   /* agencies with the most apps shown */

void
console_share_cells(struct buf *out, int64_t count, int64_t total)
{
  /* Rounded to the nearest whole percent. */
  long long pct = total > 0 ? (count * 200 + total) / (2 * total) : 0;
  html_printf(out, "<td class=\"num\">%lld</td><td><meter min=\"0\" "
              "max=\"%lld\" value=\"%lld\">%lld%%</meter> %lld%%</td>",
              (long long)count, (long long)total, (long long)count, pct, pct);
}

static int
by_count_desc(const void *a, const void *b)
{
  const struct group_count *x = a, *y = b;
  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  return strcmp(x->key ? x->key : "", y->key ? y->key : "");
}

/* Returns the name of agency `code`, or the code when it is not listed. */
static const char *
agency_name(const struct agency_list *agencies, const char *code)
{
  for (size_t i = 0; i < agencies->count; i++)
    if (strcmp(agencies->items[i].code, code) == 0 &&
        agencies->items[i].name != NULL)
      return agencies->items[i].name;
  return code;
}

/* One table of counts. `filter` is the app list parameter each row links
 * to; labels come from `choices` (kind, status) or `agencies`. */
struct group_table {
  const char *title_id, *title_en;
  const char *column_id, *column_en;
  const char *filter;
  const struct choice *choices;
  const struct agency_list *agencies;
  size_t max_rows;
};

static void
group_rows(struct http_request *rq, struct buf *out,
           const struct group_table *t, const struct group_count_list *g,
           int64_t total)
{
  size_t shown = g->count < t->max_rows ? g->count : t->max_rows;
  for (size_t i = 0; i < shown; i++) {
    const struct group_count *c = &g->items[i];
    const char *key = c->key ? c->key : "";
    html_raw(out, "<tr><th scope=\"row\">");
    if (key[0] == '\0') {
      html_printf(out, "%s", tr(rq, "(kosong)", "(empty)"));
    } else {
      const char *label = t->choices ? choice_label(t->choices, key, rq->lang)
                                     : agency_name(t->agencies, key);
      html_printf(out, "<a href=\"/apps?%s=", t->filter);
      html_url_param(out, key);
      html_printf(out, "\">%s</a>", label);
    }
    html_raw(out, "</th>");
    console_share_cells(out, c->count, total);
    html_raw(out, "</tr>\n");
  }
  if (g->count > shown)
    html_printf(out, "<tr><td colspan=\"3\">%s %zu %s</td></tr>\n",
                tr(rq, "dan", "and"), g->count - shown,
                tr(rq, "lainnya", "more"));
}

static void
group_section(struct http_request *rq, struct http_response *rs,
              const struct group_table *t, enum app_group group,
              int64_t total)
{
  struct buf *out = &rs->body;
  struct group_count_list g = {0};
  enum store_rc rc = rq->store->ops->app_count_by(rq->store, group, &g);

  html_printf(out, "<section class=\"group\"><h2>%s</h2>\n",
              tr(rq, t->title_id, t->title_en));
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "console.store_failed", "op", "app_count_by",
              "error", store_errmsg(rq->store), NULL);
    html_printf(out, "<p class=\"error\">%s</p></section>\n",
                sp_error_message(store_rc_error(rc), rq->lang));
    return;
  }
  if (g.count > 1)
    qsort(g.items, g.count, sizeof g.items[0], by_count_desc);
  html_printf(out, "<div class=\"table-wrap\"><table class=\"counts\">\n"
              "<thead><tr><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
              "<th scope=\"col\">%s</th></tr></thead>\n<tbody>\n",
              tr(rq, t->column_id, t->column_en), tr(rq, "Jumlah", "Count"),
              tr(rq, "Bagian", "Share"));
  group_rows(rq, out, t, &g, total);
  html_raw(out, "</tbody></table></div></section>\n");
  group_count_list_free(&g);
}

void
console_dashboard(struct http_request *rq, struct http_response *rs)
{
  struct store *s = rq->store;
  struct app_filter one_app = {.limit = 1};
  struct agency_filter all = {0};
  struct app_list apps = {0};
  struct agency_list agencies = {0};

  enum store_rc rc = s->ops->app_list(s, &one_app, &apps);
  if (rc == STORE_OK)
    rc = s->ops->agency_list(s, &all, &agencies);
  if (rc != STORE_OK) {
    app_list_free(&apps);
    console_store_error(rq, rs, rc, "dashboard_totals");
    return;
  }
  int64_t total = apps.total;
  app_list_free(&apps);

  const char *title = tr(rq, "Dasbor", "Dashboard");
  page_begin(rq, rs, title, "dashboard");
  html_printf(&rs->body, "<h1>%s</h1>\n<p class=\"totals\"><a href=\"/apps\">"
              "<strong>%lld</strong> %s</a> &middot; <a href=\"/agencies\">"
              "<strong>%lld</strong> %s</a></p>\n",
              title, (long long)total, tr(rq, "aplikasi", "applications"),
              (long long)agencies.total,
              tr(rq, "perangkat daerah", "agencies"));

  const struct field_desc *kind = field_find(app_fields, app_field_count,
                                             "kind");
  const struct field_desc *status = field_find(app_fields, app_field_count,
                                               "status");
  struct group_table by_kind = {
    .title_id = "Menurut jenis", .title_en = "By kind",
    .column_id = "Jenis", .column_en = "Kind", .filter = "kind",
    .choices = kind ? kind->choices : NULL, .agencies = &agencies,
    .max_rows = SIZE_MAX,
  };
  struct group_table by_status = {
    .title_id = "Menurut status", .title_en = "By status",
    .column_id = "Status", .column_en = "Status", .filter = "status",
    .choices = status ? status->choices : NULL, .agencies = &agencies,
    .max_rows = SIZE_MAX,
  };
  struct group_table by_agency = {
    .title_id = "Menurut perangkat daerah", .title_en = "By agency",
    .column_id = "Perangkat daerah", .column_en = "Agency",
    .filter = "agency", .agencies = &agencies,
    .max_rows = DASHBOARD_AGENCY_ROWS,
  };
  console_exam_overview(rq, rs);
  group_section(rq, rs, &by_kind, APP_GROUP_KIND, total);
  group_section(rq, rs, &by_status, APP_GROUP_STATUS, total);
  group_section(rq, rs, &by_agency, APP_GROUP_AGENCY, total);
  page_end(rq, rs);
  agency_list_free(&agencies);
}
