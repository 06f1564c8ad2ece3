/* The page frame and the console's style sheet. Pages carry no inline
 * style or script (the CSP forbids both), so every look lives in
 * /static/simpul.css below: system fonts only, one column on a phone,
 * tables that scroll sideways instead of overflowing the screen. */
#include <string.h>

#include "console/layout.h"

struct nav_entry {
  const char *section;
  const char *href;
  const char *label_id;
  const char *label_en;
  enum role min_role;
};

static const struct nav_entry nav_entries[] = {
  {"dashboard", "/", "Dasbor", "Dashboard", ROLE_VIEWER},
  {"apps", "/apps", "Aplikasi", "Applications", ROLE_VIEWER},
  {"agencies", "/agencies", "Perangkat Daerah", "Agencies", ROLE_VIEWER},
  {"jobs", "/jobs", "Pekerjaan", "Jobs", ROLE_VIEWER},
  {"admin", "/admin", "Admin", "Admin", ROLE_ADMIN},
};

static void
write_nav(struct http_request *rq, struct buf *out, const char *section)
{
  html_printf(out, "<nav aria-label=\"%s\"><ul>\n",
              tr(rq, "Navigasi utama", "Main navigation"));
  for (size_t i = 0; i < sizeof nav_entries / sizeof nav_entries[0]; i++) {
    const struct nav_entry *e = &nav_entries[i];
    if (rq->user->role < e->min_role)
      continue;
    bool current = section != NULL && strcmp(section, e->section) == 0;
    html_printf(out, "<li><a href=\"%s\"", e->href);
    if (current)
      html_raw(out, " aria-current=\"page\"");
    html_printf(out, ">%s</a></li>\n", tr(rq, e->label_id, e->label_en));
  }
  html_raw(out, "</ul></nav>\n");
}

/* The language link: to the other language, back to this page, or for a
 * page rendered for a form's POST, back to a page that a GET can show. */
static void
write_language_switch(struct http_request *rq, struct buf *out)
{
  bool english = rq->lang != NULL && strcmp(rq->lang, "en") == 0;
  struct buf here;
  buf_init(&here, 900);
  http_return_url(rq, &here);
  html_printf(out, "<a class=\"lang\" href=\"/lang?to=%s&amp;next=",
              english ? "id" : "en");
  html_url_param(out, here.too_big ? "/" : buf_str(&here));
  html_printf(out, "\" lang=\"%s\" hreflang=\"%s\">%s</a>\n",
              english ? "id" : "en", english ? "id" : "en",
              english ? "Bahasa Indonesia" : "English");
  buf_free(&here);
}

void
page_begin(struct http_request *rq, struct http_response *rs,
           const char *title, const char *section)
{
  page_begin_refresh(rq, rs, title, section, 0);
}

void
page_begin_refresh(struct http_request *rq, struct http_response *rs,
                   const char *title, const char *section, int seconds)
{
  struct buf *out = &rs->body;
  rs->content_type = "text/html; charset=utf-8";
  html_printf(out,
              "<!doctype html>\n<html lang=\"%s\">\n<head>\n"
              "<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, "
              "initial-scale=1\">\n"
              "<title>%s · simpul</title>\n",
              tr(rq, "id", "en"), title);
  if (seconds > 0)
    html_printf(out, "<meta http-equiv=\"refresh\" content=\"%d\">\n",
                seconds);
  html_printf(out,
              "<link rel=\"stylesheet\" href=\"/static/simpul.css\">\n"
              "<link rel=\"icon\" href=\"data:,\">\n"
              "</head>\n<body>\n"
              "<a class=\"skip\" href=\"#main\">%s</a>\n"
              "<header class=\"top\">\n"
              "<a class=\"brand\" href=\"/\">simpul</a>\n",
              tr(rq, "Langsung ke isi", "Skip to content"));
  if (rq->user != NULL)
    write_nav(rq, out, section);
  html_raw(out, "<div class=\"account\">\n");
  if (rq->user != NULL) {
    html_printf(out,
                "<a class=\"user\" href=\"/account/password\" "
                "title=\"%s\">%s</a>\n"
                "<form method=\"post\" action=\"/logout\" class=\"inline\">",
                role_name(rq->user->role),
                rq->user->display_name && rq->user->display_name[0]
                  ? rq->user->display_name : rq->user->name);
    page_csrf_input(rq, rs);
    html_printf(out, "<button type=\"submit\">%s</button></form>\n",
                tr(rq, "Keluar", "Log out"));
  }
  write_language_switch(rq, out);
  html_raw(out, "</div>\n</header>\n<main id=\"main\">\n");
}

void
page_end(struct http_request *rq, struct http_response *rs)
{
  html_printf(&rs->body,
              "</main>\n<footer>\n<p>simpul · %s</p>\n</footer>\n"
              "</body>\n</html>\n",
              tr(rq, "katalog, pemeriksaan dan integrasi aplikasi perangkat "
                     "daerah",
                 "catalog, examination and integration of agency "
                 "applications"));
}

static void
error_frame_begin(struct http_request *rq, struct http_response *rs,
                  const char *title)
{
  page_begin(rq, rs, title, NULL);
}

static const struct http_page_frame error_frame = {error_frame_begin,
                                                   page_end};

void
layout_use_for_error_pages(void)
{
  http_set_page_frame(&error_frame);
}

void
page_csrf_input(struct http_request *rq, struct http_response *rs)
{
  html_printf(&rs->body,
              "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
              http_csrf_token(rq));
}

static const char style_sheet[] =
  ":root{--ink:#1d2630;--muted:#5b6773;--line:#d5dbe1;--bg:#f6f7f9;"
  "--card:#fff;--accent:#0b5cad;--accent-ink:#fff;--bad:#b3261e;"
  "--good:#1e6b3a;--warn:#8a5a00}\n"
  "*{box-sizing:border-box}\n"
  "html{font-size:100%;-webkit-text-size-adjust:100%}\n"
  "body{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,"
  "\"Noto Sans\",sans-serif;line-height:1.5;color:var(--ink);"
  "background:var(--bg)}\n"
  "a{color:var(--accent)}\n"
  "a:focus,button:focus,input:focus,select:focus,textarea:focus"
  "{outline:3px solid #f2b01e;outline-offset:1px}\n"
  ".skip{position:absolute;left:-999px}\n"
  ".vh{position:absolute;width:1px;height:1px;overflow:hidden;"
  "clip:rect(0 0 0 0);white-space:nowrap}\n"
  ".skip:focus{left:.5rem;top:.5rem;background:var(--card);padding:.3rem}\n"
  ".top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;"
  "padding:.5rem 1rem;background:var(--accent);color:var(--accent-ink)}\n"
  ".top a{color:var(--accent-ink)}\n"
  ".brand{font-weight:700;font-size:1.25rem;text-decoration:none}\n"
  ".top nav ul{display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;"
  "padding:0;list-style:none}\n"
  ".top nav a{text-decoration:none;padding:.25rem 0}\n"
  ".top nav a[aria-current=page]{border-bottom:2px solid currentColor}\n"
  ".account{margin-left:auto;display:flex;flex-wrap:wrap;align-items:center;"
  "gap:.5rem}\n"
  ".account button{background:transparent;color:var(--accent-ink);"
  "border:1px solid currentColor}\n"
  "main{max-width:72rem;margin:0 auto;padding:1rem}\n"
  "footer{max-width:72rem;margin:2rem auto 0;padding:1rem;"
  "color:var(--muted);font-size:.875rem;border-top:1px solid var(--line)}\n"
  "h1{font-size:1.5rem;margin:.5rem 0 1rem}\n"
  "h2{font-size:1.2rem;margin:1.5rem 0 .5rem}\n"
  ".subtitle,.hint,.count,.empty{color:var(--muted)}\n"
  ".table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;"
  "background:var(--card);border:1px solid var(--line);border-radius:4px}\n"
  "table{border-collapse:collapse;width:100%}\n"
  "th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;"
  "border-bottom:1px solid var(--line)}\n"
  "thead th{background:#eef1f4;white-space:nowrap}\n"
  "tbody th{font-weight:600}\n"
  "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}\n"
  "meter{width:8rem;max-width:100%}\n"
  "dl.record{display:grid;grid-template-columns:minmax(8rem,14rem) 1fr;"
  "gap:.25rem 1rem;background:var(--card);padding:1rem;"
  "border:1px solid var(--line);border-radius:4px}\n"
  "dl.record dt{font-weight:600}\n"
  "dl.record dd{margin:0;overflow-wrap:anywhere}\n"
  "form.inline{display:inline;margin:0}\n"
  "form.filters,form.record-form,form.stacked{display:flex;flex-wrap:wrap;"
  "gap:.75rem;align-items:flex-end;background:var(--card);padding:1rem;"
  "border:1px solid var(--line);border-radius:4px;margin-bottom:1rem}\n"
  "form.record-form,form.stacked{flex-direction:column;align-items:stretch;"
  "max-width:40rem}\n"
  ".field{display:flex;flex-direction:column;gap:.2rem;min-width:0}\n"
  /* A select is as wide as its longest option unless told otherwise, which
   * pushed record forms past a phone's screen. */
  "form.record-form .field>*,form.stacked .field>*{width:100%}\n"
  "label{font-weight:600}\n"
  "input,select,textarea,button{font:inherit;padding:.4rem .5rem;"
  "border:1px solid #9aa5b1;border-radius:4px;background:#fff;"
  "color:var(--ink);max-width:100%}\n"
  "textarea{min-height:6rem}\n"
  "button,.button{display:inline-block;background:var(--accent);"
  "color:var(--accent-ink);border-color:var(--accent);cursor:pointer;"
  "text-decoration:none;padding:.4rem .8rem;border-radius:4px}\n"
  "button.danger{background:var(--bad);border-color:var(--bad)}\n"
  ".actions{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}\n"
  ".field-error{color:var(--bad);font-size:.9rem;margin:0}\n"
  "[aria-invalid=true]{border-color:var(--bad);border-width:2px}\n"
  ".error,.error-summary{color:var(--bad);background:#fdecea;"
  "border:1px solid #f5c2bd;padding:.5rem .75rem;border-radius:4px}\n"
  ".flash,.notes{color:var(--good);background:#e8f5ec;"
  "border:1px solid #b9dfc5;padding:.5rem .75rem;border-radius:4px}\n"
  ".secret{font-family:ui-monospace,monospace;font-size:1.1rem;"
  "background:#fff8e1;border:1px solid #f2d28b;padding:.5rem .75rem;"
  "overflow-wrap:anywhere}\n"
  ".readonly{color:var(--muted)}\n"
  ".pager{display:flex;gap:1rem;margin:1rem 0}\n"
  ".tag{display:inline-block;padding:0 .4rem;border-radius:3px;"
  "background:#eef1f4;font-size:.85rem}\n"
  ".tag.off{background:#fdecea;color:var(--bad)}\n"
  "@media (max-width:40rem){main{padding:.5rem}"
  "dl.record{grid-template-columns:1fr}.account{margin-left:0}}\n"
  "@media print{.top,footer,form,.actions{display:none}"
  "body{background:#fff}}\n";

void
layout_style_sheet(struct http_request *rq, struct http_response *rs)
{
  (void)rq;
  rs->content_type = "text/css; charset=utf-8";
  /* The sheet changes only with a new build; an hour keeps pages fast
   * without leaving an old look cached for long after an upgrade. */
  http_add_header(rs, "Cache-Control", "public, max-age=3600");
  buf_append(&rs->body, style_sheet, sizeof style_sheet - 1);
}
