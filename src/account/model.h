/* Accounts, sessions and API tokens as the store keeps them. Secrets are
 * never stored in clear: passwords as argon2id strings, session ids and API
 * tokens as SHA-256 hex digests of the random value the user holds. */
#ifndef SIMPUL_ACCOUNT_MODEL_H
#define SIMPUL_ACCOUNT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role { ROLE_VIEWER = 0, ROLE_STAFF = 1, ROLE_ADMIN = 2 };

/* Returns "viewer", "staff" or "admin". */
const char *role_name(enum role role);
/* Parses a role name (also Indonesian: "pembaca", "staf", "administrator");
 * returns false on anything else. */
bool role_parse(const char *text, enum role *out);

struct user {
  int64_t id;
  char *name;            /* login name, unique */
  char *display_name;
  char *password_hash;   /* argon2id string from crypto_pwhash_str */
  enum role role;
  bool disabled;
  int64_t created_at;
  int64_t last_login_at; /* 0 when never */
};
struct user_list {
  struct user *items;
  size_t count;
};
void user_free(struct user *u);
void user_list_free(struct user_list *l);

struct session {
  char id_hash[65];      /* SHA-256 hex of the cookie value */
  int64_t user_id;
  char lang[3];          /* "id" or "en" */
  int64_t created_at;
  int64_t expires_at;
  int64_t seen_at;
};

struct api_token {
  int64_t id;
  char *name;            /* what the token is for, e.g. "import script" */
  char hash[65];         /* SHA-256 hex of the token */
  char prefix[13];       /* first characters of the token, to tell them apart */
  int64_t user_id;       /* the token acts as this user */
  int64_t created_at;
  int64_t last_used_at;
  int64_t revoked_at;    /* 0 while valid */
};
struct api_token_list {
  struct api_token *items;
  size_t count;
};
void api_token_free(struct api_token *t);
void api_token_list_free(struct api_token_list *l);

#endif
