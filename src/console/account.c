/* The console's account pages: login, logout, the language switch, a
 * user's own password, the administrator's page for users and API tokens,
 * and GET /api/v1/me. The rules (password strength, throttling, sessions)
 * live in account/; these handlers read the form, call account_*, and
 * render the result. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "console/layout.h"
#include "core/log.h"
#include "http/metrics.h"

#define LANG_COOKIE_AGE (365 * 24 * 3600)

static const char *
role_label(const struct http_request *rq, enum role role)
{
  switch (role) {
  case ROLE_ADMIN: return tr(rq, "Administrator", "Administrator");
  case ROLE_STAFF: return tr(rq, "Staf", "Staff");
  default: return tr(rq, "Pembaca", "Viewer");
  }
}

/* Writes `t` as "2026-01-31 14:05 UTC", or "-" for 0. */
static void
format_time(int64_t t, char *out, size_t len)
{
  if (t == 0) {
    snprintf(out, len, "-");
    return;
  }
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, len, "%Y-%m-%d %H:%M UTC", &tm);
}

/* Writes a wait of `seconds` as "45 detik" or "3 menit" (rounded up). */
static void
format_wait(const struct http_request *rq, int seconds, char *out,
            size_t len)
{
  if (seconds < 120)
    snprintf(out, len, "%d %s", seconds, tr(rq, "detik", "seconds"));
  else
    snprintf(out, len, "%d %s", (seconds + 59) / 60,
             tr(rq, "menit", "minutes"));
}

static void
set_retry_after(struct http_response *rs, int seconds)
{
  char retry[16];
  snprintf(retry, sizeof retry, "%d", seconds);
  http_add_header(rs, "Retry-After", retry);
}

static const char *
field_detail(const struct http_request *rq, const struct sp_field_error *fe)
{
  return tr(rq, fe->detail_id, fe->detail_en);
}

/* The page after a success: `next` when it is a path of this site, else
 * the dashboard. */
static const char *
safe_next(const char *next)
{
  return http_local_path(next) ? next : "/";
}

/* Closes an input tag opened by the caller. When `fe` (may be NULL) is
 * the error of this input, marks the input invalid, points it at the
 * error, and writes the error after it. */
static void
close_input(struct http_request *rq, struct buf *out,
            const struct sp_field_error *fe, const char *id)
{
  if (fe == NULL) {
    html_raw(out, ">");
    return;
  }
  /* `id` is a literal of this file, so nothing in it needs escaping. */
  html_printf(out, " aria-invalid=\"true\" aria-describedby=\"%s-error\">"
              "<p class=\"field-error\" id=\"%s-error\">%s</p>", id, id,
              field_detail(rq, fe));
}

/* ---- login and logout ---- */

static void
render_login(struct http_request *rq, struct http_response *rs,
             const char *name, const char *next, const char *error)
{
  page_begin(rq, rs, tr(rq, "Masuk", "Log in"), NULL);
  struct buf *out = &rs->body;
  html_printf(out, "<h1>%s</h1>\n", tr(rq, "Masuk ke simpul",
                                       "Log in to simpul"));
  if (error != NULL)
    html_printf(out, "<p class=\"error\" id=\"login-error\" role=\"alert\">"
                "%s</p>\n", error);
  const char *changed = http_query(rq, "changed");
  if (error == NULL && changed != NULL && strcmp(changed, "1") == 0)
    html_printf(out, "<p class=\"flash\" role=\"status\">%s</p>\n",
                tr(rq, "Kata sandi diganti; masuk dengan kata sandi baru.",
                   "Your password was changed; log in with the new one."));
  html_raw(out, "<form method=\"post\" action=\"/login\" class=\"stacked\">");
  page_csrf_input(rq, rs);
  /* The error, when there is one, describes both inputs. */
  const char *described = error ? " aria-describedby=\"login-error\"" : "";
  html_printf(out,
              "<input type=\"hidden\" name=\"next\" value=\"%s\">\n"
              "<div class=\"field\"><label for=\"name\">%s</label>"
              "<input id=\"name\" name=\"name\" autocomplete=\"username\" "
              "required maxlength=\"%d\" value=\"%s\"",
              safe_next(next), tr(rq, "Nama pengguna", "User name"),
              ACCOUNT_NAME_MAX, name ? name : "");
  html_raw(out, described);
  html_printf(out, "></div>\n<div class=\"field\"><label for=\"password\">"
              "%s</label><input id=\"password\" name=\"password\" "
              "type=\"password\" autocomplete=\"current-password\" required",
              tr(rq, "Kata sandi", "Password"));
  html_raw(out, described);
  html_printf(out, "></div>\n<div><button type=\"submit\">%s</button></div>\n"
              "</form>\n", tr(rq, "Masuk", "Log in"));
  page_end(rq, rs);
}

static void
login_form(struct http_request *rq, struct http_response *rs)
{
  const char *next = http_query(rq, "next");
  if (rq->user != NULL) {
    http_redirect(rs, safe_next(next));
    return;
  }
  render_login(rq, rs, NULL, next, NULL);
}

static void
login_submit(struct http_request *rq, struct http_response *rs)
{
  const char *name = http_form(rq, "name");
  const char *next = http_form(rq, "next");
  struct login_policy policy;
  struct login_result result;
  char message[256];

  login_policy_from_config(&policy, rq->cfg);
  enum sp_err err = account_login(
    rq->store, &policy, name, http_form(rq, "password"), rq->remote_addr,
    rq->lang, rq->session ? rq->session->id_hash : NULL, &result);
  if (err == SP_OK) {
    metrics_login(LOGIN_OK);
    http_set_cookie(rq, rs, HTTP_SESSION_COOKIE, result.cookie,
                    rq->cfg->session_ttl);
    user_free(&result.user);
    http_redirect(rs, safe_next(next));
    return;
  }
  if (err == SP_ERR_THROTTLED) {
    metrics_login(LOGIN_THROTTLED);
    char wait[64];
    format_wait(rq, result.retry_after, wait, sizeof wait);
    snprintf(message, sizeof message, "%s %s.",
             tr(rq, "Terlalu banyak percobaan gagal; coba lagi dalam",
                "Too many failed attempts; try again in"), wait);
    set_retry_after(rs, result.retry_after);
  } else if (err == SP_ERR_BAD_LOGIN) {
    metrics_login(LOGIN_FAILED);
    snprintf(message, sizeof message, "%s",
             tr(rq, "Nama pengguna atau kata sandi salah.",
                "The user name or password is wrong."));
  } else {
    http_reply_error_page(rq, rs, err, NULL);
    return;
  }
  metrics_error(err);
  render_login(rq, rs, name, next, message);
  rs->status = sp_error_info(err)->http_status;
}

static void
logout(struct http_request *rq, struct http_response *rs)
{
  if (rq->session != NULL) {
    enum sp_err err = account_logout(rq->store, rq->session->id_hash);
    if (err != SP_OK) {
      http_reply_error_page(rq, rs, err, NULL);
      return;
    }
    log_event(LOG_INFO, "logout", "user", rq->user->name, NULL);
  }
  http_set_cookie(rq, rs, HTTP_SESSION_COOKIE, "", 0);
  http_redirect(rs, "/login");
}

static void
switch_language(struct http_request *rq, struct http_response *rs)
{
  const char *to = http_query(rq, "to");
  const char *lang = to != NULL && strcmp(to, "en") == 0 ? "en" : "id";
  http_set_cookie(rq, rs, HTTP_LANG_COOKIE, lang, LANG_COOKIE_AGE);
  if (rq->session != NULL) {
    enum store_rc rc = rq->store->ops->session_set_lang(
      rq->store, rq->session->id_hash, lang);
    if (rc != STORE_OK)
      log_event(LOG_WARN, "session.lang_failed", "error",
                store_errmsg(rq->store), NULL);
  }
  http_redirect(rs, safe_next(http_query(rq, "next")));
}

/* ---- a user's own password ---- */

static void
render_password_form(struct http_request *rq, struct http_response *rs,
                     const struct sp_field_error *fe, int status)
{
  static const struct {
    const char *field, *label_id, *label_en, *autocomplete;
  } inputs[] = {
    {"current", "Kata sandi sekarang", "Current password",
     "current-password"},
    {"password", "Kata sandi baru", "New password", "new-password"},
    {"repeat", "Kata sandi baru sekali lagi", "New password again",
     "new-password"},
  };
  struct buf *out = &rs->body;

  page_begin(rq, rs, tr(rq, "Ganti kata sandi", "Change your password"),
             NULL);
  html_printf(out, "<h1>%s</h1>\n",
              tr(rq, "Ganti kata sandi", "Change your password"));
  if (fe != NULL)
    html_printf(out, "<p class=\"error-summary\" role=\"alert\">%s</p>\n",
                field_detail(rq, fe));
  html_raw(out, "<form method=\"post\" action=\"/account/password\" "
                "class=\"stacked\">");
  page_csrf_input(rq, rs);
  for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
    bool failed = fe != NULL && strcmp(fe->field, inputs[i].field) == 0;
    html_printf(out, "<div class=\"field\"><label for=\"%s\">%s</label>"
                "<input id=\"%s\" name=\"%s\" type=\"password\" "
                "autocomplete=\"%s\" required", inputs[i].field,
                tr(rq, inputs[i].label_id, inputs[i].label_en),
                inputs[i].field, inputs[i].field, inputs[i].autocomplete);
    close_input(rq, out, failed ? fe : NULL, inputs[i].field);
    html_raw(out, "</div>\n");
  }
  html_printf(out, "<p class=\"hint\">%s</p>\n<div><button type=\"submit\">"
              "%s</button></div>\n</form>\n",
              tr(rq, "Minimal 10 karakter. Setelah diganti, semua sesi Anda "
                     "berakhir dan Anda masuk lagi.",
                 "At least 10 characters. After the change all your "
                 "sessions end and you log in again."),
              tr(rq, "Ganti", "Change"));
  page_end(rq, rs);
  rs->status = status;
}

static void
password_form(struct http_request *rq, struct http_response *rs)
{
  render_password_form(rq, rs, NULL, 200);
}

static void
password_change(struct http_request *rq, struct http_response *rs)
{
  const char *password = http_form(rq, "password");
  const char *repeat = http_form(rq, "repeat");
  struct sp_field_error fe = {0};
  struct login_policy policy;
  int retry_after = 0;
  enum sp_err err;

  login_policy_from_config(&policy, rq->cfg);
  if (password != NULL && repeat != NULL && strcmp(password, repeat) != 0) {
    sp_field_error_set(&fe, SP_ERR_BAD_REQUEST, "repeat",
                       "Kedua kata sandi baru berbeda; ketik yang sama dua "
                       "kali.",
                       "The two new passwords differ; type the same one "
                       "twice.");
    err = fe.err;
  } else {
    err = account_user_change_password(rq->store, &policy, rq->user->name,
                                       http_form(rq, "current"), password,
                                       &fe, &retry_after);
  }
  if (err == SP_OK) {
    http_set_cookie(rq, rs, HTTP_SESSION_COOKIE, "", 0);
    http_redirect(rs, "/login?changed=1");
  } else if (fe.field[0] != '\0') {
    metrics_error(err);
    if (err == SP_ERR_THROTTLED)
      set_retry_after(rs, retry_after);
    render_password_form(rq, rs, &fe, sp_error_info(err)->http_status);
  } else {
    http_reply_error_page(rq, rs, err, NULL);
  }
}

/* ---- the administrator's page ---- */

/* Field errors one admin form can have at once: a new user's name,
 * display name, role and password. */
#define ADMIN_MAX_ERRORS 4

/* The state of a failed admin form for the page rendered again: which
 * form failed, its errors, and the values to show again. Functions that
 * report one error write it to errors[0]; admin_refuse counts it. */
struct admin_state {
  const char *form;          /* "user", "token", "role", ...; NULL if none */
  struct sp_field_error errors[ADMIN_MAX_ERRORS];
  size_t error_count;
  const char *name;
  const char *display_name;
  const char *role;
  const char *token_name;
  const char *token_user;
};

/* Returns the error of `field` in admin form `form`, or NULL. */
static const struct sp_field_error *
find_error(const struct admin_state *st, const char *form, const char *field)
{
  if (st->form == NULL || strcmp(st->form, form) != 0)
    return NULL;
  for (size_t i = 0; i < st->error_count; i++)
    if (strcmp(st->errors[i].field, field) == 0)
      return &st->errors[i];
  return NULL;
}

/* close_input for `field` of the admin form `form`. */
static void
finish_input(struct http_request *rq, struct buf *out,
             const struct admin_state *st, const char *form,
             const char *field, const char *id)
{
  close_input(rq, out, find_error(st, form, field), id);
}

struct text_input {
  const char *id;
  const char *name;
  const char *label;
  const char *value;
  int maxlength;
  bool required;
};

static void
write_text_input(struct http_request *rq, struct buf *out,
                 const struct admin_state *st, const char *form,
                 const struct text_input *in)
{
  html_printf(out, "<div class=\"field\"><label for=\"%s\">%s</label>"
              "<input id=\"%s\" name=\"%s\" maxlength=\"%d\" value=\"%s\"",
              in->id, in->label, in->id, in->name, in->maxlength,
              in->value ? in->value : "");
  if (in->required)
    html_raw(out, " required");
  finish_input(rq, out, st, form, in->name, in->id);
  html_raw(out, "</div>\n");
}

static void
write_role_options(struct http_request *rq, struct buf *out,
                   const char *selected)
{
  enum role chosen = ROLE_VIEWER;
  if (selected != NULL)
    role_parse(selected, &chosen);
  for (int r = ROLE_VIEWER; r <= ROLE_ADMIN; r++) {
    html_printf(out, "<option value=\"%s\"", role_name((enum role)r));
    if (r == (int)chosen)
      html_raw(out, " selected");
    html_printf(out, ">%s</option>", role_label(rq, (enum role)r));
  }
}

/* The forms of one user row: role, disable or enable, new password. The
 * administrator's own row links to /account/password instead, and the
 * handlers refuse role and disable changes to one's own account. */
static void
write_user_actions(struct http_request *rq, struct http_response *rs,
                   const struct user *u)
{
  struct buf *out = &rs->body;
  if (strcmp(u->name, rq->user->name) == 0) {
    html_printf(out, "<a href=\"/account/password\">%s</a>",
                tr(rq, "Ganti kata sandi Anda", "Change your password"));
    return;
  }
  html_printf(out, "<form method=\"post\" action=\"/admin/users/%s/role\" "
              "class=\"inline\">", u->name);
  page_csrf_input(rq, rs);
  html_printf(out, "<label class=\"vh\" for=\"role-%s\">%s</label>"
              "<select id=\"role-%s\" name=\"role\">", u->name,
              tr(rq, "Peran", "Role"), u->name);
  write_role_options(rq, out, role_name(u->role));
  html_printf(out, "</select> <button type=\"submit\">%s</button></form> ",
              tr(rq, "Ubah peran", "Change role"));
  html_printf(out, "<form method=\"post\" action=\"/admin/users/%s/disable\" "
              "class=\"inline\">", u->name);
  page_csrf_input(rq, rs);
  if (u->disabled)
    html_printf(out, "<input type=\"hidden\" name=\"disabled\" value=\"0\">"
                "<button type=\"submit\">%s</button></form> ",
                tr(rq, "Aktifkan", "Enable"));
  else
    html_printf(out, "<input type=\"hidden\" name=\"disabled\" value=\"1\">"
                "<button type=\"submit\" class=\"danger\">%s</button></form> ",
                tr(rq, "Nonaktifkan", "Disable"));
  html_printf(out, "<form method=\"post\" action=\"/admin/users/%s/password\""
              " class=\"inline\">", u->name);
  page_csrf_input(rq, rs);
  html_printf(out, "<button type=\"submit\">%s</button></form>",
              tr(rq, "Buat kata sandi baru", "New password"));
}

static void
write_user_row(struct http_request *rq, struct http_response *rs,
               const struct user *u)
{
  struct buf *out = &rs->body;
  char last[32];
  format_time(u->last_login_at, last, sizeof last);
  html_printf(out, "<tr><td>%s</td><td>%s</td><td>%s</td><td>",
              u->name, u->display_name ? u->display_name : "",
              role_label(rq, u->role));
  if (u->disabled)
    html_printf(out, "<span class=\"tag off\">%s</span>",
                tr(rq, "nonaktif", "disabled"));
  else
    html_printf(out, "<span class=\"tag\">%s</span>",
                tr(rq, "aktif", "active"));
  html_printf(out, "</td><td>%s</td><td>", last);
  write_user_actions(rq, rs, u);
  html_raw(out, "</td></tr>\n");
}

static void
write_users(struct http_request *rq, struct http_response *rs,
            const struct user_list *users, const struct admin_state *st)
{
  struct buf *out = &rs->body;
  html_printf(out, "<h2 id=\"users\">%s</h2>\n<div class=\"table-wrap\">"
              "<table>\n<thead><tr><th>%s</th><th>%s</th><th>%s</th>"
              "<th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
              tr(rq, "Pengguna", "Users"), tr(rq, "Nama", "Name"),
              tr(rq, "Nama tampilan", "Display name"), tr(rq, "Peran", "Role"),
              tr(rq, "Status", "Status"),
              tr(rq, "Terakhir masuk", "Last login"),
              tr(rq, "Tindakan", "Actions"));
  for (size_t i = 0; i < users->count; i++)
    write_user_row(rq, rs, &users->items[i]);
  html_raw(out, "</tbody>\n</table></div>\n");

  bool failed = st->form != NULL && strcmp(st->form, "user") == 0;
  html_printf(out, "<h3>%s</h3>\n<form method=\"post\" action=\"/admin/users\""
              " class=\"stacked\">", tr(rq, "Tambah pengguna", "Add a user"));
  page_csrf_input(rq, rs);
  struct text_input name = {
    "new-name", "name", tr(rq, "Nama pengguna", "User name"),
    failed ? st->name : NULL, ACCOUNT_NAME_MAX, true};
  write_text_input(rq, out, st, "user", &name);
  struct text_input display = {
    "new-display", "display_name", tr(rq, "Nama tampilan", "Display name"),
    failed ? st->display_name : NULL, ACCOUNT_DISPLAY_NAME_MAX, false};
  write_text_input(rq, out, st, "user", &display);
  html_printf(out, "<div class=\"field\"><label for=\"new-role\">%s"
              "</label><select id=\"new-role\" name=\"role\"",
              tr(rq, "Peran", "Role"));
  finish_input(rq, out, st, "user", "role", "new-role");
  write_role_options(rq, out, failed ? st->role : NULL);
  html_printf(out, "</select></div>\n<div class=\"field\"><label "
              "for=\"new-password\">%s</label><p class=\"hint\" "
              "id=\"new-password-hint\">%s</p><input id=\"new-password\" "
              "name=\"password\" type=\"password\" "
              "autocomplete=\"new-password\"",
              tr(rq, "Kata sandi", "Password"),
              tr(rq, "Kosongkan agar simpul membuat kata sandi acak yang "
                     "ditampilkan sekali.",
                 "Leave empty to have simpul make a random password, shown "
                 "once."));
  finish_input(rq, out, st, "user", "password", "new-password");
  html_printf(out, "</div>\n<div><button type=\"submit\">%s</button></div>"
              "\n</form>\n", tr(rq, "Tambah", "Add"));
}

static const char *
user_name_of(const struct user_list *users, int64_t id)
{
  for (size_t i = 0; i < users->count; i++)
    if (users->items[i].id == id)
      return users->items[i].name;
  return "?";
}

static void
write_token_row(struct http_request *rq, struct http_response *rs,
                const struct api_token *t, const struct user_list *users)
{
  struct buf *out = &rs->body;
  char created[32], used[32];
  format_time(t->created_at, created, sizeof created);
  format_time(t->last_used_at, used, sizeof used);
  html_printf(out, "<tr><td class=\"num\">%lld</td><td>%s</td>"
              "<td><code>%s…</code></td><td>%s</td><td>%s</td><td>%s</td>"
              "<td>", (long long)t->id, t->name ? t->name : "", t->prefix,
              user_name_of(users, t->user_id), created, used);
  if (t->revoked_at != 0) {
    char revoked[32];
    format_time(t->revoked_at, revoked, sizeof revoked);
    html_printf(out, "<span class=\"tag off\">%s %s</span>",
                tr(rq, "dicabut", "revoked"), revoked);
  } else {
    html_printf(out, "<form method=\"post\" action=\"/admin/tokens/%lld/"
                "revoke\" class=\"inline\">", (long long)t->id);
    page_csrf_input(rq, rs);
    html_printf(out, "<button type=\"submit\" class=\"danger\">%s</button>"
                "</form>", tr(rq, "Cabut", "Revoke"));
  }
  html_raw(out, "</td></tr>\n");
}

static void
write_tokens(struct http_request *rq, struct http_response *rs,
             const struct api_token_list *tokens,
             const struct user_list *users, const struct admin_state *st)
{
  struct buf *out = &rs->body;
  html_printf(out, "<h2 id=\"tokens\">%s</h2>\n<p class=\"hint\">%s</p>\n"
              "<div class=\"table-wrap\"><table>\n<thead><tr><th class=\"num\">"
              "ID</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
              "<th>%s</th></tr></thead>\n<tbody>\n",
              tr(rq, "Token API", "API tokens"),
              tr(rq, "Skrip memakai token dengan header 'Authorization: "
                     "Bearer TOKEN'. Token bertindak sebagai penggunanya.",
                 "Scripts send a token in the header 'Authorization: Bearer "
                 "TOKEN'. A token acts as its user."),
              tr(rq, "Nama", "Name"), tr(rq, "Awalan", "Prefix"),
              tr(rq, "Pengguna", "User"), tr(rq, "Dibuat", "Created"),
              tr(rq, "Terakhir dipakai", "Last used"),
              tr(rq, "Status", "Status"));
  for (size_t i = 0; i < tokens->count; i++)
    write_token_row(rq, rs, &tokens->items[i], users);
  html_raw(out, "</tbody>\n</table></div>\n");

  bool failed = st->form != NULL && strcmp(st->form, "token") == 0;
  html_printf(out, "<h3>%s</h3>\n<form method=\"post\" action=\"/admin/"
              "tokens\" class=\"stacked\">",
              tr(rq, "Buat token", "Add a token"));
  page_csrf_input(rq, rs);
  struct text_input name = {
    "token-name", "name", tr(rq, "Untuk apa", "What it is for"),
    failed ? st->token_name : NULL, ACCOUNT_TOKEN_NAME_MAX, true};
  write_text_input(rq, out, st, "token", &name);
  html_printf(out, "<div class=\"field\"><label for=\"token-user\">%s"
              "</label><select id=\"token-user\" name=\"user\"",
              tr(rq, "Bertindak sebagai", "Acts as"));
  finish_input(rq, out, st, "token", "user", "token-user");
  for (size_t i = 0; i < users->count; i++) {
    const struct user *u = &users->items[i];
    bool selected = failed && st->token_user &&
                    strcmp(st->token_user, u->name) == 0;
    html_printf(out, "<option value=\"%s\"", u->name);
    if (selected)
      html_raw(out, " selected");
    html_printf(out, ">%s (%s)</option>", u->name, role_label(rq, u->role));
  }
  html_printf(out, "</select></div>\n<div><button type=\"submit\">%s</button>"
              "</div>\n</form>\n", tr(rq, "Buat", "Create"));
}

/* Messages for ?done= after a form redirected back to the page. */
static const char *
done_message(struct http_request *rq, const char *done)
{
  static const struct {
    const char *key, *id, *en;
  } messages[] = {
    {"user_added", "Pengguna ditambahkan.", "The user was added."},
    {"role", "Peran diubah.", "The role was changed."},
    {"disabled", "Pengguna dinonaktifkan; sesinya diakhiri.",
     "The user was disabled and their sessions ended."},
    {"enabled", "Pengguna diaktifkan.", "The user was enabled."},
    {"password", "Kata sandi diganti; sesi pengguna itu diakhiri.",
     "The password was changed and the user's sessions ended."},
    {"token_revoked", "Token dicabut.", "The token was revoked."},
  };
  for (size_t i = 0; done && i < sizeof messages / sizeof messages[0]; i++)
    if (strcmp(done, messages[i].key) == 0)
      return tr(rq, messages[i].id, messages[i].en);
  return NULL;
}

/* Lists every error of the failed form above the page's content; each
 * error is also shown beside its field. */
static void
write_error_summary(struct http_request *rq, struct buf *out,
                    const struct admin_state *st)
{
  if (st->form == NULL || st->error_count == 0)
    return;
  if (st->error_count == 1) {
    html_printf(out, "<p class=\"error-summary\" role=\"alert\">%s</p>\n",
                field_detail(rq, &st->errors[0]));
    return;
  }
  html_printf(out, "<div class=\"error-summary\" role=\"alert\"><p>%s</p>"
              "<ul>\n", tr(rq, "Perbaiki isian berikut:",
                           "Correct these fields:"));
  for (size_t i = 0; i < st->error_count; i++)
    html_printf(out, "<li>%s</li>\n", field_detail(rq, &st->errors[i]));
  html_raw(out, "</ul></div>\n");
}

static void
render_admin(struct http_request *rq, struct http_response *rs,
             const struct admin_state *st, int status)
{
  struct user_list users = {0};
  struct api_token_list tokens = {0};
  struct store *s = rq->store;
  enum store_rc rc = s->ops->user_list(s, &users);
  if (rc == STORE_OK)
    rc = s->ops->token_list(s, &tokens);
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "admin.read_failed", "error", store_errmsg(s), NULL);
    user_list_free(&users);
    http_reply_error_page(rq, rs, store_rc_error(rc), NULL);
    return;
  }
  page_begin(rq, rs, tr(rq, "Admin", "Admin"), "admin");
  html_printf(&rs->body, "<h1>%s</h1>\n",
              tr(rq, "Akun dan token API", "Accounts and API tokens"));
  const char *done = done_message(rq, http_query(rq, "done"));
  if (done != NULL)
    html_printf(&rs->body, "<p class=\"flash\" role=\"status\">%s</p>\n",
                done);
  write_error_summary(rq, &rs->body, st);
  write_users(rq, rs, &users, st);
  write_tokens(rq, rs, &tokens, &users, st);
  page_end(rq, rs);
  rs->status = status;
  user_list_free(&users);
  api_token_list_free(&tokens);
}

static void
admin_page(struct http_request *rq, struct http_response *rs)
{
  struct admin_state st = {0};
  render_admin(rq, rs, &st, 200);
}

/* Shows a secret once (a new password or token), with what it is for. */
static void
render_secret(struct http_request *rq, struct http_response *rs,
              const char *title, const char *what, const char *secret)
{
  page_begin(rq, rs, title, "admin");
  html_printf(&rs->body,
              "<h1>%s</h1>\n<p>%s</p>\n<p class=\"secret\">%s</p>\n"
              "<p class=\"hint\">%s</p>\n<p><a href=\"/admin\">%s</a></p>\n",
              title, what, secret,
              tr(rq, "Salin sekarang: simpul hanya menyimpan hash-nya dan "
                     "tidak dapat menampilkannya lagi.",
                 "Copy it now: simpul keeps only its hash and cannot show it "
                 "again."),
              tr(rq, "Kembali ke halaman admin", "Back to the admin page"));
  page_end(rq, rs);
}

/* Renders the admin page again with the field errors in `st`; without
 * one (a store failure) renders the error page. */
static void
admin_refuse(struct http_request *rq, struct http_response *rs,
             struct admin_state *st, enum sp_err err)
{
  if (st->error_count == 0 && st->errors[0].field[0] != '\0')
    st->error_count = 1;
  if (st->error_count == 0) {
    http_reply_error_page(rq, rs, err, NULL);
    return;
  }
  metrics_error(err);
  render_admin(rq, rs, st, sp_error_info(err)->http_status);
}

static bool
parse_role_field(const char *text, enum role *role, struct sp_field_error *fe)
{
  if (role_parse(text, role))
    return true;
  sp_field_error_set(fe, SP_ERR_BAD_ROLE, "role",
                     "Peran '%.40s' tidak dikenal; pilih admin, staff atau "
                     "viewer.",
                     "The role '%.40s' is unknown; choose admin, staff or "
                     "viewer.", text ? text : "");
  return false;
}

static void
admin_add_user(struct http_request *rq, struct http_response *rs)
{
  struct admin_state st = {
    .form = "user",
    .name = http_form(rq, "name"),
    .display_name = http_form(rq, "display_name"),
    .role = http_form(rq, "role"),
  };
  const char *password = http_form(rq, "password");
  char generated[ACCOUNT_GENERATED_PASSWORD_LEN + 1];
  bool generate = password == NULL || password[0] == '\0';
  if (generate) {
    account_password_generate(generated);
    password = generated;
  }
  /* Every field is checked before anything is saved, so the form shows
   * all of its errors at once. */
  st.error_count = account_user_check_fields(st.name, st.display_name,
                                             password, st.errors,
                                             ADMIN_MAX_ERRORS - 1);
  enum role role = ROLE_VIEWER;
  if (!parse_role_field(st.role, &role, &st.errors[st.error_count]))
    st.error_count++;
  enum sp_err err = st.error_count > 0 ? st.errors[0].err : SP_OK;
  if (err == SP_OK)
    err = account_user_create(rq->store, st.name, st.display_name, role,
                              password, rq->user->name, &st.errors[0], NULL);
  if (err != SP_OK) {
    admin_refuse(rq, rs, &st, err);
  } else if (generate) {
    char what[200];
    snprintf(what, sizeof what, "%s '%s':",
             tr(rq, "Kata sandi pengguna", "The password of user"), st.name);
    render_secret(rq, rs, tr(rq, "Pengguna ditambahkan", "User added"), what,
                  generated);
  } else {
    http_redirect(rs, "/admin?done=user_added");
  }
  explicit_bzero(generated, sizeof generated);
}

/* Refuses a change to the administrator's own account that could lock
 * everyone out; returns true after rendering the refusal. */
static bool
refuse_own_account(struct http_request *rq, struct http_response *rs,
                   const char *name)
{
  if (strcmp(name, rq->user->name) != 0)
    return false;
  struct admin_state st = {.form = "self"};
  sp_field_error_set(&st.errors[0], SP_ERR_FORBIDDEN, "name",
                     "Anda tidak dapat mengubah peran atau menonaktifkan akun "
                     "sendiri; minta administrator lain.",
                     "You cannot change the role of, or disable, your own "
                     "account; ask another administrator.");
  admin_refuse(rq, rs, &st, SP_ERR_FORBIDDEN);
  return true;
}

static void
admin_set_role(struct http_request *rq, struct http_response *rs)
{
  const char *name = rq->params[0];
  struct admin_state st = {.form = "role"};
  enum role role;
  if (refuse_own_account(rq, rs, name))
    return;
  if (!parse_role_field(http_form(rq, "role"), &role, &st.errors[0])) {
    admin_refuse(rq, rs, &st, st.errors[0].err);
    return;
  }
  enum sp_err err = account_user_set_role(rq->store, name, role,
                                          rq->user->name);
  if (err != SP_OK)
    admin_refuse(rq, rs, &st, err);
  else
    http_redirect(rs, "/admin?done=role");
}

static void
admin_set_disabled(struct http_request *rq, struct http_response *rs)
{
  const char *name = rq->params[0];
  const char *value = http_form(rq, "disabled");
  bool disabled = value != NULL && strcmp(value, "1") == 0;
  struct admin_state st = {.form = "disable"};
  if (refuse_own_account(rq, rs, name))
    return;
  enum sp_err err = account_user_set_disabled(rq->store, name, disabled,
                                              rq->user->name);
  if (err != SP_OK)
    admin_refuse(rq, rs, &st, err);
  else
    http_redirect(rs, disabled ? "/admin?done=disabled"
                               : "/admin?done=enabled");
}

static void
admin_set_password(struct http_request *rq, struct http_response *rs)
{
  const char *name = rq->params[0];
  const char *password = http_form(rq, "password");
  struct admin_state st = {.form = "password"};
  char generated[ACCOUNT_GENERATED_PASSWORD_LEN + 1];
  bool generate = password == NULL || password[0] == '\0';
  if (strcmp(name, rq->user->name) == 0) {
    /* One's own password changes on /account/password, which requires
     * the current one first. */
    http_redirect(rs, "/account/password");
    return;
  }
  if (generate) {
    account_password_generate(generated);
    password = generated;
  }
  enum sp_err err = account_user_set_password(rq->store, name, password,
                                              rq->user->name, &st.errors[0]);
  if (err != SP_OK) {
    admin_refuse(rq, rs, &st, err);
  } else if (generate) {
    char what[200];
    snprintf(what, sizeof what, "%s '%s':",
             tr(rq, "Kata sandi baru pengguna", "The new password of user"),
             name);
    render_secret(rq, rs, tr(rq, "Kata sandi baru", "New password"), what,
                  generated);
  } else {
    http_redirect(rs, "/admin?done=password");
  }
  explicit_bzero(generated, sizeof generated);
}

static void
admin_add_token(struct http_request *rq, struct http_response *rs)
{
  struct admin_state st = {
    .form = "token",
    .token_name = http_form(rq, "name"),
    .token_user = http_form(rq, "user"),
  };
  char token[ACCOUNT_TOKEN_SIZE];
  enum sp_err err = account_token_create(rq->store, st.token_user,
                                         st.token_name, rq->user->name, token,
                                         NULL, &st.errors[0]);
  if (err != SP_OK) {
    admin_refuse(rq, rs, &st, err);
    return;
  }
  char what[300];
  snprintf(what, sizeof what, "%s '%.100s' (%s %s):",
           tr(rq, "Token", "The token"), st.token_name,
           tr(rq, "bertindak sebagai", "acting as"), st.token_user);
  render_secret(rq, rs, tr(rq, "Token API baru", "New API token"), what,
                token);
  explicit_bzero(token, sizeof token);
}

static void
admin_revoke_token(struct http_request *rq, struct http_response *rs)
{
  const char *text = rq->params[0];
  char *end;
  errno = 0;
  long long id = strtoll(text, &end, 10);
  if (errno != 0 || *end != '\0' || id <= 0) {
    http_reply_error_page(rq, rs, SP_ERR_NOT_FOUND, NULL);
    return;
  }
  struct admin_state st = {.form = "revoke"};
  enum sp_err err = account_token_revoke(rq->store, (int64_t)id,
                                         rq->user->name);
  if (err != SP_OK)
    admin_refuse(rq, rs, &st, err);
  else
    http_redirect(rs, "/admin?done=token_revoked");
}

/* Replies with the caller's name and role and how it authenticated, so a
 * script can check its token (GET /api/v1/me). */
static void
api_me(struct http_request *rq, struct http_response *rs)
{
  const struct user *u = rq->user;
  http_reply_json(rs, 200,
                  json_pack("{s:s, s:s, s:s, s:s}", "name", u->name,
                            "display_name",
                            u->display_name ? u->display_name : u->name,
                            "role", role_name(u->role), "auth",
                            rq->via_token ? "token" : "session"));
}

const struct http_route account_routes[] = {
  {"GET", "/static/simpul.css", layout_style_sheet, ACCESS_PUBLIC,
   ROUTE_PLAIN, "style_sheet"},
  {"GET", "/login", login_form, ACCESS_PUBLIC, ROUTE_PAGE, "login_form"},
  {"POST", "/login", login_submit, ACCESS_PUBLIC, ROUTE_PAGE, "login"},
  {"POST", "/logout", logout, ACCESS_PUBLIC, ROUTE_PAGE, "logout"},
  {"GET", "/lang", switch_language, ACCESS_PUBLIC, ROUTE_PAGE, "language"},
  {"GET", "/account/password", password_form, ACCESS_VIEWER, ROUTE_PAGE,
   "password_form"},
  {"POST", "/account/password", password_change, ACCESS_VIEWER, ROUTE_PAGE,
   "password_change"},
  {"GET", "/admin", admin_page, ACCESS_ADMIN, ROUTE_PAGE, "admin"},
  {"POST", "/admin/users", admin_add_user, ACCESS_ADMIN, ROUTE_PAGE,
   "admin_user_add"},
  {"POST", "/admin/users/{name}/role", admin_set_role, ACCESS_ADMIN,
   ROUTE_PAGE, "admin_user_role"},
  {"POST", "/admin/users/{name}/disable", admin_set_disabled, ACCESS_ADMIN,
   ROUTE_PAGE, "admin_user_disable"},
  {"POST", "/admin/users/{name}/password", admin_set_password, ACCESS_ADMIN,
   ROUTE_PAGE, "admin_user_password"},
  {"POST", "/admin/tokens", admin_add_token, ACCESS_ADMIN, ROUTE_PAGE,
   "admin_token_add"},
  {"POST", "/admin/tokens/{id}/revoke", admin_revoke_token, ACCESS_ADMIN,
   ROUTE_PAGE, "admin_token_revoke"},
  {"GET", "/api/v1/me", api_me, ACCESS_VIEWER, ROUTE_API, "api_me"},
  {0},
};
