/* simpul token: add, list and revoke the API tokens scripts use. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "store/store.h"

static void
token_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [GLOBAL OPTIONS] token add --user NAME --name TEXT\n"
          "       simpul [GLOBAL OPTIONS] token list\n"
          "       simpul [GLOBAL OPTIONS] token revoke ID\n"
          "\n"
          "  add      creates a token that acts as user NAME, with TEXT\n"
          "           saying what it is for. The token alone is printed on\n"
          "           standard output, once: simpul keeps only its hash.\n"
          "           Scripts send it as 'Authorization: Bearer TOKEN'.\n"
          "  list     prints every token with its prefix, never the token\n"
          "  revoke   makes token ID (from 'token list') stop working\n"
          "\n"
          "The change is logged with the --actor name.\n");
}

static int
token_add(struct cli *c, int argc, char **argv)
{
  const char *user = NULL, *name = NULL;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--user") == 0 && i + 1 < argc) {
      user = argv[++i];
    } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
      name = argv[++i];
    } else {
      fprintf(stderr, "simpul token add: unexpected argument '%s'; see "
              "'simpul token --help'\n", argv[i]);
      return 2;
    }
  }
  if (user == NULL || name == NULL) {
    fprintf(stderr, "simpul token add: --user NAME and --name TEXT are both "
            "required\n");
    return 2;
  }
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  char token[ACCOUNT_TOKEN_SIZE];
  struct api_token t = {0};
  struct sp_field_error fe = {0};
  enum sp_err err = account_token_create(s, user, name, c->actor, token, &t,
                                         &fe);
  store_close(s);
  if (err != SP_OK) {
    if (fe.field[0] != '\0')
      cli_print_error(err, "%s: %s", fe.field, fe.detail_en);
    else
      cli_print_error(err, NULL);
    return 1;
  }
  printf("%s\n", token);
  fprintf(stderr, "simpul: token %" PRId64 " (%s...) acts as '%s'; it is "
          "shown only this once\n", t.id, t.prefix, user);
  explicit_bzero(token, sizeof token);
  api_token_free(&t);
  return 0;
}

/* Finds the name of user `id` in `users`, "?" when it is not there. */
static const char *
user_name(const struct user_list *users, int64_t id)
{
  for (size_t i = 0; i < users->count; i++)
    if (users->items[i].id == id)
      return users->items[i].name;
  return "?";
}

static int
token_list(struct cli *c)
{
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  struct api_token_list tokens = {0};
  struct user_list users = {0};
  enum store_rc rc = s->ops->token_list(s, &tokens);
  if (rc == STORE_OK)
    rc = s->ops->user_list(s, &users);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "listing tokens failed: %s",
                    store_errmsg(s));
    api_token_list_free(&tokens);
    store_close(s);
    return 1;
  }
  printf("%-6s %-15s %-16s %-16s %-16s %-8s %s\n", "ID", "PREFIX", "USER",
         "CREATED (UTC)", "LAST USED (UTC)", "STATUS", "NAME");
  for (size_t i = 0; i < tokens.count; i++) {
    const struct api_token *t = &tokens.items[i];
    char created[24], used[24];
    cli_format_time(t->created_at, created, sizeof created);
    cli_format_time(t->last_used_at, used, sizeof used);
    printf("%-6" PRId64 " %-15s %-16s %-16s %-16s %-8s %s\n", t->id,
           t->prefix, user_name(&users, t->user_id), created, used,
           t->revoked_at ? "revoked" : "valid", t->name ? t->name : "");
  }
  api_token_list_free(&tokens);
  user_list_free(&users);
  store_close(s);
  return 0;
}

static int
token_revoke(struct cli *c, int argc, char **argv)
{
  if (argc != 3) {
    fprintf(stderr, "simpul token revoke: give one token ID, from 'simpul "
            "token list'\n");
    return 2;
  }
  char *end;
  errno = 0;
  long long id = strtoll(argv[2], &end, 10);
  if (errno != 0 || *end != '\0' || id <= 0) {
    fprintf(stderr, "simpul token revoke: '%s' is not a token ID; IDs are "
            "the numbers 'simpul token list' prints\n", argv[2]);
    return 2;
  }
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  enum sp_err err = account_token_revoke(s, (int64_t)id, c->actor);
  store_close(s);
  if (err == SP_ERR_NOT_FOUND) {
    fprintf(stderr, "simpul: no token has ID %lld; see 'simpul token "
            "list'\n", id);
    return 1;
  }
  if (err != SP_OK) {
    cli_print_error(err, NULL);
    return 1;
  }
  fprintf(stderr, "simpul: token %lld revoked\n", id);
  return 0;
}

int
cli_token(struct cli *c, int argc, char **argv)
{
  if (argc < 2 || cli_wants_help(argc, argv)) {
    token_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!account_init(c->cfg.pwhash_concurrency))
    return 1;
  if (strcmp(argv[1], "add") == 0)
    return token_add(c, argc, argv);
  if (strcmp(argv[1], "list") == 0) {
    if (argc > 2) {
      fprintf(stderr, "simpul token list: takes no arguments\n");
      return 2;
    }
    return token_list(c);
  }
  if (strcmp(argv[1], "revoke") == 0)
    return token_revoke(c, argc, argv);
  fprintf(stderr, "simpul token: unknown subcommand '%s'; use add, list or "
          "revoke\n", argv[1]);
  return 2;
}
