/* Users: checking names, creating accounts, the administrator's changes
 * (role, disabled, new password), and a user's own password change. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "account/internal.h"
#include "core/log.h"

static bool
name_char_ok(char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* True when `s` is not valid UTF-8 or has a control character. */
static bool
text_has_bad_bytes(const char *s)
{
  if (account_utf8_count(s) < 0)
    return true;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f)
      return true;
  return false;
}

static enum sp_err
check_name(const char *name, struct sp_field_error *fe)
{
  if (name == NULL || name[0] == '\0') {
    sp_field_error_set(fe, SP_ERR_REQUIRED, "name",
                       "Nama pengguna wajib diisi, misalnya 'budi.santoso'.",
                       "The user name is missing; use e.g. 'budi.santoso'.");
    return fe->err;
  }
  size_t len = strlen(name);
  if (len > ACCOUNT_NAME_MAX) {
    sp_field_error_set(fe, SP_ERR_TOO_LONG, "name",
                       "Nama pengguna %zu byte; pakai paling banyak %d.",
                       "The user name is %zu bytes; use at most %d.", len,
                       ACCOUNT_NAME_MAX);
    return fe->err;
  }
  for (size_t i = 0; i < len; i++) {
    if (!name_char_ok(name[i])) {
      sp_field_error_set(fe, SP_ERR_BAD_CODE, "name",
                         "Nama pengguna '%.64s' memuat karakter tidak sah; "
                         "pakai huruf, angka, '.', '_' atau '-'.",
                         "The user name '%.64s' has an invalid character; "
                         "use letters, digits, '.', '_' or '-'.", name);
      return fe->err;
    }
  }
  return SP_OK;
}

static enum sp_err
check_display_name(const char *display_name, struct sp_field_error *fe)
{
  if (display_name == NULL)
    return SP_OK;
  size_t len = strlen(display_name);
  if (len > ACCOUNT_DISPLAY_NAME_MAX) {
    sp_field_error_set(fe, SP_ERR_TOO_LONG, "display_name",
                       "Nama tampilan %zu byte; pakai paling banyak %d.",
                       "The display name is %zu bytes; use at most %d.", len,
                       ACCOUNT_DISPLAY_NAME_MAX);
    return fe->err;
  }
  if (text_has_bad_bytes(display_name)) {
    sp_field_error_set(fe, SP_ERR_BAD_UTF8, "display_name",
                       "Nama tampilan bukan teks UTF-8 satu baris; ketik "
                       "ulang tanpa karakter kendali.",
                       "The display name is not one line of UTF-8 text; "
                       "type it again without control characters.");
    return fe->err;
  }
  return SP_OK;
}

enum sp_err
account_user_check(const char *name, const char *display_name,
                   struct sp_field_error *fe)
{
  struct sp_field_error scratch;
  if (fe == NULL)
    fe = &scratch;
  enum sp_err err = check_name(name, fe);
  return err != SP_OK ? err : check_display_name(display_name, fe);
}

size_t
account_user_check_fields(const char *name, const char *display_name,
                          const char *password, struct sp_field_error *errors,
                          size_t max)
{
  struct sp_field_error found[3];
  size_t count = 0;
  if (check_name(name, &found[count]) != SP_OK)
    count++;
  if (check_display_name(display_name, &found[count]) != SP_OK)
    count++;
  if (account_password_check(password, &found[count]) != SP_OK)
    count++;
  if (count > max)
    count = max;
  for (size_t i = 0; i < count; i++)
    errors[i] = found[i];
  return count;
}

enum sp_err
account_user_create(struct store *s, const char *name,
                    const char *display_name, enum role role,
                    const char *password, const char *actor,
                    struct sp_field_error *fe, int64_t *id)
{
  enum sp_err err = account_user_check(name, display_name, fe);
  if (err == SP_OK)
    err = account_password_check(password, fe);
  if (err != SP_OK)
    return err;

  char *hash;
  err = account_password_hash(password, &hash);
  if (err != SP_OK)
    return err;
  struct user u = {
    .name = (char *)name,
    .display_name = (char *)(display_name && display_name[0] ? display_name
                                                               : name),
    .password_hash = hash,
    .role = role,
    .created_at = (int64_t)time(NULL),
  };
  enum store_rc rc = s->ops->user_add(s, &u);
  free(hash);
  if (rc == STORE_CONFLICT) {
    if (fe != NULL)
      sp_field_error_set(fe, SP_ERR_DUPLICATE, "name",
                         "Pengguna '%s' sudah ada; pilih nama lain.",
                         "The user '%s' already exists; choose another name.",
                         name);
    return SP_ERR_DUPLICATE;
  }
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "user.add_failed");
  if (id != NULL)
    *id = u.id;
  log_event(LOG_INFO, "user.add", "user", name, "role", role_name(role),
            "actor", actor, NULL);
  return SP_OK;
}

/* Loads user `name` for a change. */
static enum sp_err
load_user(struct store *s, const char *name, struct user *u)
{
  enum store_rc rc = s->ops->user_get_by_name(s, name, u);
  if (rc == STORE_NOT_FOUND)
    return SP_ERR_NOT_FOUND;
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "user.read_failed");
  return SP_OK;
}

static enum sp_err
save_user(struct store *s, struct user *u)
{
  enum store_rc rc = s->ops->user_update(s, u);
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "user.update_failed");
  return SP_OK;
}

enum sp_err
account_user_set_role(struct store *s, const char *name, enum role role,
                      const char *actor)
{
  struct user u = {0};
  enum sp_err err = load_user(s, name, &u);
  if (err == SP_OK) {
    u.role = role;
    err = save_user(s, &u);
  }
  if (err == SP_OK)
    log_event(LOG_INFO, "user.role", "user", name, "role", role_name(role),
              "actor", actor, NULL);
  user_free(&u);
  return err;
}

enum sp_err
account_user_set_disabled(struct store *s, const char *name, bool disabled,
                          const char *actor)
{
  struct user u = {0};
  enum sp_err err = load_user(s, name, &u);
  if (err == SP_OK) {
    u.disabled = disabled;
    err = save_user(s, &u);
  }
  if (err == SP_OK && disabled) {
    enum store_rc rc = s->ops->session_delete_user(s, u.id);
    if (rc != STORE_OK)
      err = account_store_failure(s, rc, "user.sessions_delete_failed");
  }
  if (err == SP_OK)
    log_event(LOG_INFO, disabled ? "user.disable" : "user.enable", "user",
              name, "actor", actor, NULL);
  user_free(&u);
  return err;
}

enum sp_err
account_user_set_password(struct store *s, const char *name,
                          const char *password, const char *actor,
                          struct sp_field_error *fe)
{
  enum sp_err err = account_password_check(password, fe);
  if (err != SP_OK)
    return err;
  struct user u = {0};
  err = load_user(s, name, &u);
  char *hash = NULL;
  if (err == SP_OK)
    err = account_password_hash(password, &hash);
  if (err == SP_OK) {
    free(u.password_hash);
    u.password_hash = hash;
    err = save_user(s, &u);
  }
  if (err == SP_OK) {
    enum store_rc rc = s->ops->session_delete_user(s, u.id);
    if (rc != STORE_OK)
      err = account_store_failure(s, rc, "user.sessions_delete_failed");
  }
  if (err == SP_OK)
    log_event(LOG_INFO, "user.password", "user", name, "actor", actor, NULL);
  user_free(&u);
  return err;
}

/* Checks `current` against the password of `name` under the key
 * "password:NAME"; SP_OK when it matches. */
static enum sp_err
verify_current(struct store *s, const struct login_policy *p,
               const char *name, const char *current,
               struct sp_field_error *fe, int *retry_after)
{
  char key[ACCOUNT_NAME_MAX + 16];
  snprintf(key, sizeof key, "password:%.*s", ACCOUNT_NAME_MAX, name);
  const struct throttle_key keys[1] = {{key, p->max_failures}};
  int64_t now = (int64_t)time(NULL);
  int wait = 0;
  enum sp_err err = throttle_check(s, p->window, keys, 1, now, &wait,
                                   "user.password_throttle_failed");
  if (retry_after != NULL)
    *retry_after = wait;
  if (err == SP_ERR_THROTTLED) {
    sp_field_error_set(fe, err, "current",
                       "Terlalu banyak kata sandi sekarang yang salah; coba "
                       "lagi dalam %d detik.",
                       "Too many wrong current passwords; try again in %d "
                       "seconds.", wait);
    log_event(LOG_WARN, "user.password_change_throttled", "user", name, NULL);
    return err;
  }
  if (err != SP_OK)
    return err;
  struct user u = {0};
  err = load_user(s, name, &u);
  if (err != SP_OK)
    return err;
  bool match = account_password_verify(u.password_hash, current);
  user_free(&u);
  if (match) {
    enum store_rc rc = s->ops->throttle_clear(s, key);
    if (rc != STORE_OK)
      return account_store_failure(s, rc, "user.password_throttle_failed");
    return SP_OK;
  }
  err = throttle_count_failure(s, p->window, keys, 1, now,
                               "user.password_throttle_failed");
  if (err != SP_OK)
    return err;
  sp_field_error_set(fe, SP_ERR_BAD_LOGIN, "current",
                     "Kata sandi sekarang salah; ketik ulang.",
                     "The current password is wrong; type it again.");
  log_event(LOG_WARN, "user.password_change_failed", "user", name, NULL);
  return SP_ERR_BAD_LOGIN;
}

enum sp_err
account_user_change_password(struct store *s, const struct login_policy *p,
                             const char *name, const char *current,
                             const char *password, struct sp_field_error *fe,
                             int *retry_after)
{
  struct sp_field_error scratch;
  if (fe == NULL)
    fe = &scratch;
  if (retry_after != NULL)
    *retry_after = 0;
  enum sp_err err = account_password_check(password, fe);
  if (err == SP_OK)
    err = verify_current(s, p, name, current, fe, retry_after);
  if (err != SP_OK)
    return err;
  return account_user_set_password(s, name, password, name, fe);
}
