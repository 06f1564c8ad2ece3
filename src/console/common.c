/* Pieces the catalog pages share: error pages, times, record fields, the
 * history table and the pager. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/params.h"
#include "console/console.h"
#include "core/log.h"

bool
console_can_edit(const struct http_request *rq)
{
  return rq->user != NULL && rq->user->role >= ROLE_STAFF;
}

void
console_store_error(struct http_request *rq, struct http_response *rs,
                    enum store_rc rc, const char *op)
{
  log_event(LOG_ERROR, "console.store_failed", "op", op, "error",
            store_errmsg(rq->store), NULL);
  http_reply_error_page(rq, rs, store_rc_error(rc), NULL);
}

void
console_param_error(struct http_request *rq, struct http_response *rs,
                    const struct sp_field_error *fe)
{
  http_reply_error_page(rq, rs, fe->err,
                        tr(rq, fe->detail_id, fe->detail_en));
}

void
console_not_found(const struct record_kind *k, struct http_request *rq,
                  struct http_response *rs, const char *code)
{
  char shown[96], detail[256];
  params_excerpt(shown, sizeof shown, code);
  if (strcmp(rq->lang, "en") == 0)
    snprintf(detail, sizeof detail,
             "No %s has the code '%s'. Find it in the list at %s.",
             k->label_en, shown, k->page_path);
  else
    snprintf(detail, sizeof detail,
             "Tidak ada %s berkode '%s'. Cari di daftar %s.", k->label_id,
             shown, k->page_path);
  http_reply_error_page(rq, rs, SP_ERR_NOT_FOUND, detail);
}

void
console_format_time(int64_t at, char *out, size_t len)
{
  struct tm tm;
  time_t t = (time_t)at;
  if (at <= 0 || gmtime_r(&t, &tm) == NULL ||
      strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm) == 0)
    snprintf(out, len, "-");
}

void
console_multiline(struct buf *out, const char *text)
{
  const char *p = text;
  while (p != NULL && *p != '\0') {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    html_printf(out, "%.*s", (int)n, p);
    if (nl == NULL)
      break;
    html_raw(out, "<br>");
    p = nl + 1;
  }
}

static bool
is_web_url(const char *v)
{
  return strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0;
}

/* Appends a link to the record referred to by a field, with its name. */
static void
reference_value(struct http_request *rq, struct http_response *rs,
                const struct field_desc *f, const char *code)
{
  const struct record_kind *k = f->type == FIELD_AGENCY_REF
                                    ? &record_kind_agency
                                    : &record_kind_app;
  union record ref = {0};
  enum store_rc rc = k->get(rq->store, code, &ref);
  const char *name = rc == STORE_OK
                         ? (k == &record_kind_app ? ref.app.name
                                                  : ref.agency.name)
                         : NULL;
  html_printf(&rs->body, "<a href=\"%s/", k->page_path);
  html_url_param(&rs->body, code);
  html_printf(&rs->body, "\">%s</a>", code);
  if (name != NULL)
    html_printf(&rs->body, " &middot; %s", name);
  k->release(&ref);
}

/* Appends the value of one field for reading. */
static void
field_value(struct http_request *rq, struct http_response *rs,
            const struct field_desc *f, const char *v)
{
  struct buf *out = &rs->body;
  if (v == NULL || v[0] == '\0') {
    html_raw(out, "<span class=\"empty\">&mdash;</span>");
    return;
  }
  switch (f->type) {
  case FIELD_CHOICE:
    html_printf(out, "%s", choice_label(f->choices, v, rq->lang));
    break;
  case FIELD_URL:
    if (is_web_url(v))
      html_printf(out, "<a href=\"%s\" rel=\"noopener noreferrer\">%s</a>",
                  v, v);
    else
      html_text(out, v);
    break;
  case FIELD_AGENCY_REF:
  case FIELD_APP_REF:
    reference_value(rq, rs, f, v);
    break;
  case FIELD_LONGTEXT:
    console_multiline(out, v);
    break;
  default:
    html_text(out, v);
    break;
  }
}

void
console_record_fields(const struct record_kind *k, struct http_request *rq,
                      struct http_response *rs, const union record *r)
{
  struct buf *out = &rs->body;
  size_t count = *k->field_count;
  html_raw(out, "<dl class=\"record\">\n");
  for (size_t i = 0; i < count; i++) {
    const struct field_desc *f = &k->fields[i];
    html_printf(out, "<dt>%s</dt><dd>", tr(rq, f->label_id, f->label_en));
    field_value(rq, rs, f, field_get(r, f));
    html_raw(out, "</dd>\n");
  }

  int64_t created = k == &record_kind_app ? r->app.created_at
                                          : r->agency.created_at;
  int64_t updated = k == &record_kind_app ? r->app.updated_at
                                          : r->agency.updated_at;
  char when[40];
  console_format_time(created, when, sizeof when);
  html_printf(out, "<dt>%s</dt><dd>%s</dd>\n", tr(rq, "Dicatat", "Created"),
              when);
  console_format_time(updated, when, sizeof when);
  html_printf(out, "<dt>%s</dt><dd>%s</dd>\n",
              tr(rq, "Terakhir diubah", "Last changed"), when);
  html_raw(out, "</dl>\n");
}

/* Appends a history value: a choice's label beside its code. */
static void
history_value(struct http_request *rq, struct buf *out,
              const struct field_desc *f, const char *v)
{
  if (v == NULL || v[0] == '\0') {
    html_raw(out, "<span class=\"empty\">&mdash;</span>");
    return;
  }
  if (f != NULL && f->type == FIELD_CHOICE) {
    const char *label = choice_label(f->choices, v, rq->lang);
    if (strcmp(label, v) != 0) {
      html_printf(out, "%s (%s)", label, v);
      return;
    }
  }
  console_multiline(out, v);
}

/* Names a history row's field: its label, or "record created" for "*". */
static const char *
history_field(struct http_request *rq, const struct field_desc *f,
              const char *field)
{
  if (f != NULL)
    return tr(rq, f->label_id, f->label_en);
  if (field != NULL && strcmp(field, "*") == 0)
    return tr(rq, "(data dibuat)", "(record created)");
  return field != NULL ? field : "";
}

void
console_history(const struct record_kind *k, struct http_request *rq,
                struct http_response *rs, const char *code)
{
  struct buf *out = &rs->body;
  struct change_list list = {0};
  enum store_rc rc = rq->store->ops->change_list(
      rq->store, k->entity, code, CONSOLE_HISTORY_ROWS, &list);

  html_printf(out, "<section class=\"history\"><h2>%s</h2>\n",
              tr(rq, "Riwayat perubahan", "Change history"));
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "console.store_failed", "op", "change_list",
              "error", store_errmsg(rq->store), NULL);
    html_printf(out, "<p class=\"error\">%s</p></section>\n",
                sp_error_message(store_rc_error(rc), rq->lang));
    return;
  }
  if (list.count == 0) {
    html_printf(out, "<p>%s</p></section>\n",
                tr(rq, "Belum ada perubahan.", "No changes yet."));
    return;
  }
  html_printf(out,
              "<div class=\"table-wrap\"><table>\n<thead><tr><th>%s</th>"
              "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
              "\n<tbody>\n",
              tr(rq, "Waktu", "When"), tr(rq, "Oleh", "By"),
              tr(rq, "Isian", "Field"), tr(rq, "Lama", "Old"),
              tr(rq, "Baru", "New"));
  for (size_t i = 0; i < list.count; i++) {
    const struct change *c = &list.items[i];
    const struct field_desc *f =
        field_find(k->fields, *k->field_count, c->field ? c->field : "");
    char when[40];
    console_format_time(c->at, when, sizeof when);
    html_printf(out, "<tr><td>%s</td><td>%s</td><td>%s</td><td>", when,
                c->actor ? c->actor : "", history_field(rq, f, c->field));
    history_value(rq, out, f, c->old_value);
    html_raw(out, "</td><td>");
    /* The creation row stores the marker "created" as its new value. */
    if (c->field != NULL && strcmp(c->field, "*") == 0)
      html_printf(out, "%s", tr(rq, "dibuat", "created"));
    else
      history_value(rq, out, f, c->new_value);
    html_raw(out, "</td></tr>\n");
  }
  html_raw(out, "</tbody></table></div>\n");
  if (list.count == CONSOLE_HISTORY_ROWS)
    html_printf(out, "<p>%s</p>\n",
                tr(rq, "Hanya 200 perubahan terbaru yang ditampilkan.",
                   "Only the 200 newest changes are shown."));
  html_raw(out, "</section>\n");
  change_list_free(&list);
}

bool
console_page_param(const struct http_request *rq, int64_t *page,
                   struct sp_field_error *fe)
{
  const char *text = http_query(rq, "page");
  const long long max = LIST_MAX_OFFSET / CONSOLE_PAGE_SIZE;
  *page = 1;
  if (text == NULL || text[0] == '\0')
    return true;

  char *end;
  errno = 0;
  long long v = text[0] >= '0' && text[0] <= '9' ? strtoll(text, &end, 10)
                                                 : -1;
  if (v >= 1 && v <= max && errno == 0 && *end == '\0') {
    *page = v;
    return true;
  }
  char shown[96];
  params_excerpt(shown, sizeof shown, text);
  sp_field_error_set(fe, SP_ERR_BAD_REQUEST, "page",
                     "halaman '%s' tidak valid: isi bilangan bulat 1 sampai %lld",
                     "page '%s' is invalid: give a whole number from 1 to %lld",
                     shown, max);
  return false;
}

void
console_pager(struct http_request *rq, struct http_response *rs,
              const char *base, int64_t page, int64_t total)
{
  struct buf *out = &rs->body;
  int64_t pages = total <= 0 ? 1 : (total - 1) / CONSOLE_PAGE_SIZE + 1;
  if (pages <= 1 && page <= 1)
    return;
  if (page > pages && total > 0)
    html_printf(out, "<p class=\"empty\" role=\"status\">%s %lld %s %lld %s. "
                "<a href=\"%spage=%lld\">%s</a></p>\n",
                tr(rq, "Halaman", "Page"), (long long)page,
                tr(rq, "melewati akhir daftar, yang hanya", "is past the end "
                   "of the list, which has only"),
                (long long)pages, tr(rq, "halaman", "pages"), base,
                (long long)pages,
                tr(rq, "Ke halaman terakhir", "Go to the last page"));
  html_printf(out, "<nav class=\"pager\" aria-label=\"%s\">",
              tr(rq, "Halaman", "Pages"));
  if (page > 1)
    html_printf(out, "<a href=\"%spage=%lld\" rel=\"prev\">&larr; %s</a> ",
                base, (long long)(page > pages ? pages : page - 1),
                tr(rq, "Sebelumnya", "Previous"));
  html_printf(out, "<span>%s %lld %s %lld</span>",
              tr(rq, "Halaman", "Page"), (long long)page,
              tr(rq, "dari", "of"), (long long)pages);
  if (page < pages)
    html_printf(out, " <a href=\"%spage=%lld\" rel=\"next\">%s &rarr;</a>",
                base, (long long)(page + 1), tr(rq, "Berikutnya", "Next"));
  html_raw(out, "</nav>\n");
}
