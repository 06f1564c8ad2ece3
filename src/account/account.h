/* Accounts: password hashing, users, login with throttling, sessions and
 * API tokens. The console and the command line manage accounts through
 * these functions, which do not depend on HTTP.
 *
 * Secrets the user holds (session cookie values, API tokens) are random
 * values that the store keeps only as SHA-256 hex digests; passwords are
 * kept as argon2id strings. None of them is ever logged. */
#ifndef SIMPUL_ACCOUNT_ACCOUNT_H
#define SIMPUL_ACCOUNT_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "account/model.h"
#include "core/config.h"
#include "core/error.h"
#include "store/store.h"

#define ACCOUNT_PASSWORD_MIN 10     /* characters (Unicode code points) */
#define ACCOUNT_PASSWORD_MAX 1024   /* bytes */
#define ACCOUNT_NAME_MAX 64         /* bytes of a login name */
#define ACCOUNT_DISPLAY_NAME_MAX 200
#define ACCOUNT_TOKEN_NAME_MAX 200
/* 32 random bytes in unpadded base64url are 43 characters. */
#define ACCOUNT_SECRET_SIZE 44      /* with the NUL */
#define ACCOUNT_TOKEN_PREFIX "sp_"
#define ACCOUNT_TOKEN_SIZE 47       /* "sp_" + 43 characters + NUL */
#define ACCOUNT_HEX_SIZE 65         /* SHA-256 in hex + NUL */
#define ACCOUNT_GENERATED_PASSWORD_LEN 20

/* Initialises libsodium and the limit of `pwhash_concurrency` argon2id
 * computations at once (at least 1). Call once before any other function
 * here; returns false when libsodium cannot start or no memory is left. */
bool account_init(int pwhash_concurrency);

/* Passwords. account_password_check returns SP_OK, or SP_ERR_REQUIRED,
 * SP_ERR_WEAK_PASSWORD (fewer than ACCOUNT_PASSWORD_MIN characters),
 * SP_ERR_TOO_LONG or SP_ERR_BAD_UTF8 with the fix in `fe` (field
 * "password"; may be NULL). */
enum sp_err account_password_check(const char *password,
                                   struct sp_field_error *fe);

/* Hashes `password` with argon2id (libsodium's crypto_pwhash_str). Waits
 * while pwhash_concurrency other hashes run. On SP_OK `*hash` is a new
 * string to free(); SP_ERR_NOMEM when the hash's memory cannot be had. */
enum sp_err account_password_hash(const char *password, char **hash);

/* True when `password` matches `hash`. Waits like account_password_hash.
 * A NULL or malformed hash still costs one hash and returns false, so an
 * unknown user takes about as long as a wrong password. */
bool account_password_verify(const char *hash, const char *password);

/* Writes a random password of ACCOUNT_GENERATED_PASSWORD_LEN characters
 * (letters and digits without look-alikes) and a NUL into `out`. */
void account_password_generate(char out[ACCOUNT_GENERATED_PASSWORD_LEN + 1]);

/* Writes 32 random bytes as unpadded base64url and a NUL into `out`. */
void account_random_secret(char out[ACCOUNT_SECRET_SIZE]);

/* Writes the SHA-256 of `text` in lowercase hex into `out`. */
void account_sha256_hex(const char *text, char out[ACCOUNT_HEX_SIZE]);

/* Users. Login names are 1 to ACCOUNT_NAME_MAX bytes of letters, digits,
 * '.', '_' and '-'; display names are valid UTF-8 without control
 * characters. Each function returns SP_OK or the error of the first
 * problem with the fix in `fe` (may be NULL), SP_ERR_NOT_FOUND for an
 * unknown user, SP_ERR_DUPLICATE for an existing name, or a store error.
 * `actor` is written to the log line of the change. */
enum sp_err account_user_check(const char *name, const char *display_name,
                               struct sp_field_error *fe);
enum sp_err account_user_create(struct store *s, const char *name,
                                const char *display_name, enum role role,
                                const char *password, const char *actor,
                                struct sp_field_error *fe, int64_t *id);
enum sp_err account_user_set_role(struct store *s, const char *name,
                                  enum role role, const char *actor);
/* Disabling a user also ends all of its sessions. */
enum sp_err account_user_set_disabled(struct store *s, const char *name,
                                      bool disabled, const char *actor);
/* Sets a new password and ends all of the user's sessions. */
enum sp_err account_user_set_password(struct store *s, const char *name,
                                      const char *password, const char *actor,
                                      struct sp_field_error *fe);

/* Checks every field of a new user at once: the name and display name as
 * account_user_check does, and the password as account_password_check
 * does. Writes up to `max` errors, one per field, into `errors` and
 * returns how many there are. */
size_t account_user_check_fields(const char *name, const char *display_name,
                                 const char *password,
                                 struct sp_field_error *errors, size_t max);

/* Login throttling and session lifetime. */
struct login_policy {
  int max_failures;          /* failures per user within the window */
  int max_failures_per_address; /* failures per client address */
  int window;                /* seconds */
  int session_ttl;           /* seconds a session lasts after its last use */
};
void login_policy_from_config(struct login_policy *p,
                              const struct config *cfg);

/* Seconds an attempt waits after the newest failure of a key that has
 * `failures` failures within `window`: 0 below `max_failures`, then 2, 4,
 * 8, ... (2 to the power failures - max_failures + 1), at most `window`. */
int account_throttle_delay(int64_t failures, int max_failures, int window);

/* Sets a new password chosen by the user `name` after checking their
 * `current` one. Wrong guesses are throttled like logins, on the key
 * "password:NAME" with p->max_failures: while the key waits, returns
 * SP_ERR_THROTTLED (field "current") and the seconds left in
 * *retry_after (may be NULL), without looking at `current`. A wrong one
 * returns SP_ERR_BAD_LOGIN (field "current") and counts a failure.
 * Success clears the key and ends all of the user's sessions, as
 * account_user_set_password does. */
enum sp_err account_user_change_password(struct store *s,
                                         const struct login_policy *p,
                                         const char *name,
                                         const char *current,
                                         const char *password,
                                         struct sp_field_error *fe,
                                         int *retry_after);

struct login_result {
  char cookie[ACCOUNT_SECRET_SIZE]; /* the new session's cookie value */
  struct session session;
  struct user user;                 /* the logged-in user; user_free() it */
  int retry_after;                  /* seconds to wait, when throttled */
};

/* Checks `name` and `password` from the address `addr` and on success
 * starts a new session in language `lang` (may be NULL for "id"). Before
 * the password is looked at, the keys "user:NAME" (p->max_failures) and
 * "addr:ADDR" (p->max_failures_per_address) are checked: a key past its
 * maximum within the window makes the attempt wait the delay of
 * account_throttle_delay after its newest failure, and an attempt inside
 * that wait returns SP_ERR_THROTTLED with the seconds left in
 * out->retry_after. A wrong password, an unknown or a disabled user
 * returns SP_ERR_BAD_LOGIN and counts one failure on both keys. Success
 * clears the user's key (not the address's), deletes `old_session_hash`
 * (may be NULL) and purges expired sessions and old failures. Logs
 * login.ok, login.failed or login.throttled with the user name and
 * address. */
enum sp_err account_login(struct store *s, const struct login_policy *p,
                          const char *name, const char *password,
                          const char *addr, const char *lang,
                          const char *old_session_hash,
                          struct login_result *out);

/* Finds the session of cookie value `cookie` and its user. Returns
 * SP_ERR_UNAUTHORIZED when there is none, it has expired or its user is
 * disabled. A session last renewed a minute or more ago gets `now` as its
 * seen time and now + session_ttl as its expiry. */
enum sp_err account_session_find(struct store *s, const char *cookie,
                                 int64_t now, int session_ttl,
                                 struct session *session, struct user *user);

/* Ends the session whose id hash is `id_hash`. */
enum sp_err account_logout(struct store *s, const char *id_hash);

/* API tokens: "sp_" followed by 32 random bytes in base64url. */
bool account_token_well_formed(const char *token);

/* Creates a token named `name` that acts as user `user_name`. On SP_OK the
 * token is in `token` (shown once, never stored) and its record in `out`
 * (api_token_free() it; may be NULL). */
enum sp_err account_token_create(struct store *s, const char *user_name,
                                 const char *name, const char *actor,
                                 char token[ACCOUNT_TOKEN_SIZE],
                                 struct api_token *out,
                                 struct sp_field_error *fe);

/* Finds the user of `token`. Returns SP_ERR_UNAUTHORIZED when the token is
 * malformed, unknown or revoked, or its user is disabled. Records `now` as
 * the last use at most once a minute. */
enum sp_err account_token_find(struct store *s, const char *token,
                               int64_t now, struct api_token *out,
                               struct user *user);

/* Revokes token `id`; SP_ERR_NOT_FOUND when no such token exists. */
enum sp_err account_token_revoke(struct store *s, int64_t id,
                                 const char *actor);

#endif
