/* API tokens: created for a user, shown once, found by their hash. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "account/internal.h"
#include "core/log.h"

/* The last use is written at most this often, as for sessions. */
#define TOKEN_TOUCH_SECONDS 60

bool
account_token_well_formed(const char *token)
{
  size_t prefix_len = strlen(ACCOUNT_TOKEN_PREFIX);
  if (token == NULL || strlen(token) != ACCOUNT_TOKEN_SIZE - 1 ||
      strncmp(token, ACCOUNT_TOKEN_PREFIX, prefix_len) != 0)
    return false;
  for (const char *p = token + prefix_len; *p; p++) {
    char c = *p;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  }
  return true;
}

static enum sp_err
check_token_name(const char *name, struct sp_field_error *fe)
{
  if (name == NULL || name[0] == '\0') {
    sp_field_error_set(fe, SP_ERR_REQUIRED, "name",
                       "Nama token wajib diisi; tulis untuk apa token ini, "
                       "misalnya 'skrip impor'.",
                       "The token name is missing; say what the token is "
                       "for, e.g. 'import script'.");
    return fe->err;
  }
  size_t len = strlen(name);
  if (len > ACCOUNT_TOKEN_NAME_MAX) {
    sp_field_error_set(fe, SP_ERR_TOO_LONG, "name",
                       "Nama token %zu byte; pakai paling banyak %d.",
                       "The token name is %zu bytes; use at most %d.", len,
                       ACCOUNT_TOKEN_NAME_MAX);
    return fe->err;
  }
  bool control = false;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++)
    control = control || *p < 0x20 || *p == 0x7f;
  if (control || account_utf8_count(name) < 0) {
    sp_field_error_set(fe, SP_ERR_BAD_UTF8, "name",
                       "Nama token bukan teks UTF-8 satu baris; ketik ulang.",
                       "The token name is not one line of UTF-8 text; type "
                       "it again.");
    return fe->err;
  }
  return SP_OK;
}

enum sp_err
account_token_create(struct store *s, const char *user_name, const char *name,
                     const char *actor, char token[ACCOUNT_TOKEN_SIZE],
                     struct api_token *out, struct sp_field_error *fe)
{
  struct sp_field_error scratch;
  if (fe == NULL)
    fe = &scratch;
  enum sp_err err = check_token_name(name, fe);
  if (err != SP_OK)
    return err;

  struct user u = {0};
  enum store_rc rc = s->ops->user_get_by_name(s, user_name ? user_name : "",
                                              &u);
  if (rc == STORE_NOT_FOUND) {
    sp_field_error_set(fe, SP_ERR_NOT_FOUND, "user",
                       "Pengguna '%.64s' tidak ada; buat dulu dengan 'simpul "
                       "user add' atau di halaman admin.",
                       "The user '%.64s' does not exist; create it first "
                       "with 'simpul user add' or on the admin page.",
                       user_name ? user_name : "");
    return SP_ERR_NOT_FOUND;
  }
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "token.add_failed");

  char secret[ACCOUNT_SECRET_SIZE];
  account_random_secret(secret);
  snprintf(token, ACCOUNT_TOKEN_SIZE, "%s%s", ACCOUNT_TOKEN_PREFIX, secret);
  struct api_token t = {
    .name = (char *)name,
    .user_id = u.id,
    .created_at = (int64_t)time(NULL),
  };
  account_sha256_hex(token, t.hash);
  /* "sp_" and 9 characters: enough to tell tokens apart in a list, far
   * too little to guess the other 34. */
  snprintf(t.prefix, sizeof t.prefix, "%.12s", token);
  rc = s->ops->token_add(s, &t);
  if (rc != STORE_OK) {
    user_free(&u);
    return account_store_failure(s, rc, "token.add_failed");
  }
  char id[24];
  snprintf(id, sizeof id, "%" PRId64, t.id);
  log_event(LOG_INFO, "token.add", "token_id", id, "prefix", t.prefix,
            "user", u.name, "actor", actor, NULL);
  user_free(&u);
  if (out != NULL) {
    *out = t;
    out->name = strdup(name);
    if (out->name == NULL)
      return SP_ERR_NOMEM;
  }
  return SP_OK;
}

enum sp_err
account_token_find(struct store *s, const char *token, int64_t now,
                   struct api_token *out, struct user *user)
{
  char hash[ACCOUNT_HEX_SIZE];

  if (!account_token_well_formed(token))
    return SP_ERR_UNAUTHORIZED;
  account_sha256_hex(token, hash);
  enum store_rc rc = s->ops->token_get_by_hash(s, hash, out);
  if (rc == STORE_NOT_FOUND)
    return SP_ERR_UNAUTHORIZED;
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "token.read_failed");
  if (out->revoked_at != 0) {
    api_token_free(out);
    return SP_ERR_UNAUTHORIZED;
  }
  rc = s->ops->user_get(s, out->user_id, user);
  if (rc != STORE_OK || user->disabled) {
    api_token_free(out);
    if (rc == STORE_OK)
      user_free(user);
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
      return account_store_failure(s, rc, "token.read_failed");
    return SP_ERR_UNAUTHORIZED;
  }
  if (now - out->last_used_at >= TOKEN_TOUCH_SECONDS) {
    out->last_used_at = now;
    rc = s->ops->token_touch(s, out->id, now);
    if (rc != STORE_OK)
      log_event(LOG_WARN, "token.touch_failed", "error", store_errmsg(s),
                NULL);
  }
  return SP_OK;
}

enum sp_err
account_token_revoke(struct store *s, int64_t id, const char *actor)
{
  enum store_rc rc = s->ops->token_revoke(s, id, (int64_t)time(NULL));
  if (rc == STORE_NOT_FOUND)
    return SP_ERR_NOT_FOUND;
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "token.revoke_failed");
  char text[24];
  snprintf(text, sizeof text, "%" PRId64, id);
  log_event(LOG_INFO, "token.revoke", "token_id", text, "actor", actor, NULL);
  return SP_OK;
}
