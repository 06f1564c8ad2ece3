#include "account/model.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const role_names[] = {
  [ROLE_VIEWER] = "viewer",
  [ROLE_STAFF] = "staff",
  [ROLE_ADMIN] = "admin",
};

/* Indonesian names accepted by role_parse, in the order of enum role. */
static const char *const role_names_id[] = {
  [ROLE_VIEWER] = "pembaca",
  [ROLE_STAFF] = "staf",
  [ROLE_ADMIN] = "administrator",
};

const char *
role_name(enum role role)
{
  if ((int)role < 0 || role > ROLE_ADMIN)
    return "viewer";
  return role_names[role];
}

bool
role_parse(const char *text, enum role *out)
{
  if (text == NULL)
    return false;
  for (int r = ROLE_VIEWER; r <= ROLE_ADMIN; r++) {
    if (strcasecmp(text, role_names[r]) == 0
        || strcasecmp(text, role_names_id[r]) == 0) {
      *out = (enum role)r;
      return true;
    }
  }
  return false;
}

void
user_free(struct user *u)
{
  if (u == NULL)
    return;
  free(u->name);
  free(u->display_name);
  if (u->password_hash != NULL) {
    /* The argon2id string is not the password, but keep it out of freed
     * memory all the same. */
    explicit_bzero(u->password_hash, strlen(u->password_hash));
    free(u->password_hash);
  }
  *u = (struct user){0};
}

void
user_list_free(struct user_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    user_free(&l->items[i]);
  free(l->items);
  *l = (struct user_list){0};
}

void
api_token_free(struct api_token *t)
{
  if (t == NULL)
    return;
  free(t->name);
  *t = (struct api_token){0};
}

void
api_token_list_free(struct api_token_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    api_token_free(&l->items[i]);
  free(l->items);
  *l = (struct api_token_list){0};
}
