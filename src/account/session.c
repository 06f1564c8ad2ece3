/* Login with throttling, and the sessions a login starts. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "account/internal.h"
#include "core/log.h"

/* A session's expiry moves forward at most this often, so a busy user does
 * not cost a store write per request. */
#define SESSION_RENEW_SECONDS 60

void
login_policy_from_config(struct login_policy *p, const struct config *cfg)
{
  p->max_failures = cfg->login_max_failures;
  p->max_failures_per_address = cfg->login_max_failures_per_address;
  p->window = cfg->login_window;
  p->session_ttl = cfg->session_ttl;
}

/* Fills the two throttling keys; a name longer than any valid one is cut,
 * which keeps the key bounded and still counts its failures. */
static void
throttle_keys(const char *name, const char *addr, char *user_key,
              size_t user_len, char *addr_key, size_t addr_len)
{
  snprintf(user_key, user_len, "user:%.*s", ACCOUNT_NAME_MAX, name);
  snprintf(addr_key, addr_len, "addr:%.63s", addr ? addr : "");
}

/* Starts a session for `user` and housekeeps: clears the user's failures,
 * drops the old session, expired sessions and failures past the window. */
static enum sp_err
start_session(struct store *s, const struct login_policy *p,
              const char *user_key, const char *lang,
              const char *old_session_hash, int64_t now,
              struct login_result *out)
{
  enum store_rc rc = s->ops->throttle_clear(s, user_key);
  if (rc == STORE_OK)
    rc = s->ops->throttle_purge(s, now - p->window);
  if (rc == STORE_OK)
    rc = s->ops->session_purge(s, now);
  if (rc == STORE_OK && old_session_hash != NULL && old_session_hash[0])
    rc = s->ops->session_delete(s, old_session_hash);
  if (rc != STORE_OK && rc != STORE_NOT_FOUND)
    return account_store_failure(s, rc, "login.cleanup_failed");

  account_random_secret(out->cookie);
  struct session *ses = &out->session;
  *ses = (struct session){
    .user_id = out->user.id,
    .created_at = now,
    .expires_at = now + p->session_ttl,
    .seen_at = now,
  };
  account_sha256_hex(out->cookie, ses->id_hash);
  snprintf(ses->lang, sizeof ses->lang, "%s",
           lang && strcmp(lang, "en") == 0 ? "en" : "id");
  rc = s->ops->session_add(s, ses);
  if (rc == STORE_OK)
    rc = s->ops->user_touch_login(s, out->user.id, now);
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "login.session_failed");
  return SP_OK;
}

enum sp_err
account_login(struct store *s, const struct login_policy *p,
              const char *name, const char *password, const char *addr,
              const char *lang, const char *old_session_hash,
              struct login_result *out)
{
  char user_key[ACCOUNT_NAME_MAX + 8], addr_key[72];
  int64_t now = (int64_t)time(NULL);

  *out = (struct login_result){0};
  if (name == NULL)
    name = "";
  throttle_keys(name, addr, user_key, sizeof user_key, addr_key,
                sizeof addr_key);
  /* NOTE: the counts are read before the password is checked and written
   * after, so attempts running at the same moment can pass a limit by the
   * number in flight, which is at most the server threads of each node. */
  const struct throttle_key keys[2] = {
    {user_key, p->max_failures},
    {addr_key, p->max_failures_per_address},
  };
  enum sp_err err = throttle_check(s, p->window, keys, 2, now,
                                   &out->retry_after,
                                   "login.throttle_failed");
  if (err == SP_ERR_THROTTLED) {
    char wait[16];
    snprintf(wait, sizeof wait, "%d", out->retry_after);
    log_event(LOG_WARN, "login.throttled", "user", user_key + 5, "addr",
              addr, "retry_after", wait, NULL);
    return err;
  }
  if (err != SP_OK)
    return err;

  const char *reason = NULL;
  enum store_rc rc = s->ops->user_get_by_name(s, name, &out->user);
  if (rc == STORE_NOT_FOUND) {
    account_password_verify(NULL, password);
    reason = "unknown_user";
  } else if (rc != STORE_OK) {
    return account_store_failure(s, rc, "login.read_failed");
  } else if (!account_password_verify(out->user.password_hash, password)) {
    reason = "wrong_password";
  } else if (out->user.disabled) {
    reason = "disabled";
  }
  if (reason != NULL) {
    user_free(&out->user);
    err = throttle_count_failure(s, p->window, keys, 2, now,
                                 "login.throttle_failed");
    log_event(LOG_WARN, "login.failed", "user", user_key + 5, "addr", addr,
              "reason", reason, NULL);
    return err != SP_OK ? err : SP_ERR_BAD_LOGIN;
  }

  err = start_session(s, p, user_key, lang, old_session_hash, now, out);
  if (err != SP_OK) {
    user_free(&out->user);
    return err;
  }
  log_event(LOG_INFO, "login.ok", "user", out->user.name, "addr", addr, NULL);
  return SP_OK;
}

/* True when `cookie` looks like a value account_random_secret made. */
static bool
cookie_well_formed(const char *cookie)
{
  if (cookie == NULL || strlen(cookie) != ACCOUNT_SECRET_SIZE - 1)
    return false;
  for (const char *p = cookie; *p; p++) {
    char c = *p;
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9') || c == '-' || c == '_'))
      return false;
  }
  return true;
}

enum sp_err
account_session_find(struct store *s, const char *cookie, int64_t now,
                     int session_ttl, struct session *session,
                     struct user *user)
{
  char hash[ACCOUNT_HEX_SIZE];

  if (!cookie_well_formed(cookie))
    return SP_ERR_UNAUTHORIZED;
  account_sha256_hex(cookie, hash);
  enum store_rc rc = s->ops->session_get(s, hash, session);
  if (rc == STORE_NOT_FOUND)
    return SP_ERR_UNAUTHORIZED;
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "session.read_failed");
  if (session->expires_at <= now) {
    rc = s->ops->session_delete(s, hash);
    if (rc != STORE_OK && rc != STORE_NOT_FOUND)
      return account_store_failure(s, rc, "session.delete_failed");
    return SP_ERR_UNAUTHORIZED;
  }
  rc = s->ops->user_get(s, session->user_id, user);
  if (rc == STORE_NOT_FOUND)
    return SP_ERR_UNAUTHORIZED;
  if (rc != STORE_OK)
    return account_store_failure(s, rc, "session.read_failed");
  if (user->disabled) {
    user_free(user);
    return SP_ERR_UNAUTHORIZED;
  }
  if (now - session->seen_at >= SESSION_RENEW_SECONDS) {
    session->seen_at = now;
    session->expires_at = now + session_ttl;
    rc = s->ops->session_touch(s, hash, now, session->expires_at);
    if (rc != STORE_OK) {
      /* The request can go on; the renewal is tried again next minute. */
      log_event(LOG_WARN, "session.renew_failed", "error", store_errmsg(s),
                NULL);
    }
  }
  return SP_OK;
}

enum sp_err
account_logout(struct store *s, const char *id_hash)
{
  enum store_rc rc = s->ops->session_delete(s, id_hash);
  if (rc != STORE_OK && rc != STORE_NOT_FOUND)
    return account_store_failure(s, rc, "logout.failed");
  return SP_OK;
}
