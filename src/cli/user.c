/* simpul user: add console accounts, list them, and set a password. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "store/store.h"

static void
user_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [GLOBAL OPTIONS] user add NAME --role ROLE\n"
          "                                   [--display-name TEXT]\n"
          "                                   [--password-stdin]\n"
          "       simpul [GLOBAL OPTIONS] user list\n"
          "       simpul [GLOBAL OPTIONS] user password NAME "
          "[--password-stdin]\n"
          "\n"
          "  add        creates a console account. ROLE is admin (manages\n"
          "             accounts and tokens), staff (edits the catalog) or\n"
          "             viewer (reads). NAME: letters, digits, '.', '_', '-'.\n"
          "  list       prints every account\n"
          "  password   sets a new password and ends the user's sessions\n"
          "\n"
          "  --password-stdin  read the password from the first line of\n"
          "                    standard input (at least %d characters);\n"
          "                    without it a random password is made and\n"
          "                    printed once\n"
          "\n"
          "The change is logged with the --actor name.\n",
          ACCOUNT_PASSWORD_MIN);
}

/* Reads one line of standard input as the password, without its line end.
 * False after printing the problem. */
static bool
read_password(char *out, size_t len)
{
  if (fgets(out, (int)len, stdin) == NULL) {
    fprintf(stderr, "simpul user: --password-stdin read nothing; pipe the "
            "password in, e.g. printf '%%s\\n' \"$PW\" | simpul user ...\n");
    return false;
  }
  size_t n = strlen(out);
  if (n > 0 && out[n - 1] != '\n' && !feof(stdin)) {
    fprintf(stderr, "simpul user: the password is longer than %d bytes\n",
            ACCOUNT_PASSWORD_MAX);
    return false;
  }
  while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
    out[--n] = '\0';
  return true;
}

struct user_args {
  const char *name;
  const char *role;
  const char *display_name;
  bool password_stdin;
};

/* Parses the arguments after "add" or "password"; 0 or 2 (usage error). */
static int
parse_user_args(int argc, char **argv, struct user_args *a)
{
  for (int i = 2; i < argc; i++) {
    const char *opt = argv[i];
    bool has_value = i + 1 < argc;
    if (strcmp(opt, "--password-stdin") == 0) {
      a->password_stdin = true;
    } else if (strcmp(opt, "--role") == 0 && has_value) {
      a->role = argv[++i];
    } else if (strcmp(opt, "--display-name") == 0 && has_value) {
      a->display_name = argv[++i];
    } else if (opt[0] != '-' && a->name == NULL) {
      a->name = opt;
    } else {
      fprintf(stderr, "simpul user: unexpected argument '%s'; see 'simpul "
              "user --help'\n", opt);
      return 2;
    }
  }
  if (a->name == NULL) {
    fprintf(stderr, "simpul user: the user NAME is missing; see 'simpul "
            "user --help'\n");
    return 2;
  }
  return 0;
}

/* Fills `password` from stdin or with a generated one. */
static bool
choose_password(const struct user_args *a, char *password, size_t len,
                bool *generated)
{
  *generated = !a->password_stdin;
  if (a->password_stdin)
    return read_password(password, len);
  account_password_generate(password);
  return true;
}

static void
print_field_error(enum sp_err err, const struct sp_field_error *fe)
{
  if (fe->field[0] != '\0')
    cli_print_error(err, "%s: %s", fe->field, fe->detail_en);
  else
    cli_print_error(err, NULL);
}

static int
user_add(struct cli *c, int argc, char **argv)
{
  struct user_args a = {0};
  int status = parse_user_args(argc, argv, &a);
  if (status != 0)
    return status;
  enum role role;
  if (a.role == NULL || !role_parse(a.role, &role)) {
    fprintf(stderr, "simpul user add: --role must be admin, staff or viewer "
            "(got '%s')\n", a.role ? a.role : "");
    return 2;
  }
  char password[ACCOUNT_PASSWORD_MAX + 2];
  bool generated;
  if (!choose_password(&a, password, sizeof password, &generated))
    return 1;
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  struct sp_field_error fe = {0};
  enum sp_err err = account_user_create(s, a.name, a.display_name, role,
                                        password, c->actor, &fe, NULL);
  store_close(s);
  if (err != SP_OK) {
    print_field_error(err, &fe);
    explicit_bzero(password, sizeof password);
    return 1;
  }
  fprintf(stderr, "simpul: added user '%s' with role %s\n", a.name,
          role_name(role));
  if (generated)
    printf("user: %s\npassword: %s\n(shown once)\n", a.name, password);
  explicit_bzero(password, sizeof password);
  return 0;
}

static int
user_password(struct cli *c, int argc, char **argv)
{
  struct user_args a = {0};
  int status = parse_user_args(argc, argv, &a);
  if (status != 0)
    return status;
  if (a.role != NULL || a.display_name != NULL) {
    fprintf(stderr, "simpul user password: only --password-stdin applies\n");
    return 2;
  }
  char password[ACCOUNT_PASSWORD_MAX + 2];
  bool generated;
  if (!choose_password(&a, password, sizeof password, &generated))
    return 1;
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  struct sp_field_error fe = {0};
  enum sp_err err = account_user_set_password(s, a.name, password, c->actor,
                                              &fe);
  store_close(s);
  if (err == SP_ERR_NOT_FOUND)
    fprintf(stderr, "simpul: user '%s' does not exist; see 'simpul user "
            "list'\n", a.name);
  else if (err != SP_OK)
    print_field_error(err, &fe);
  if (err == SP_OK && generated)
    printf("user: %s\npassword: %s\n(shown once)\n", a.name, password);
  explicit_bzero(password, sizeof password);
  return err == SP_OK ? 0 : 1;
}

static int
user_list(struct cli *c, int argc, char **argv)
{
  (void)argv;
  if (argc > 2) {
    fprintf(stderr, "simpul user list: takes no arguments\n");
    return 2;
  }
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  struct user_list users = {0};
  enum store_rc rc = s->ops->user_list(s, &users);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "listing users failed: %s",
                    store_errmsg(s));
    store_close(s);
    return 1;
  }
  printf("%-6s %-24s %-7s %-9s %-17s %s\n", "ID", "NAME", "ROLE", "STATUS",
         "LAST LOGIN (UTC)", "DISPLAY NAME");
  for (size_t i = 0; i < users.count; i++) {
    const struct user *u = &users.items[i];
    char last[24] = "-";
    if (u->last_login_at != 0) {
      time_t t = (time_t)u->last_login_at;
      struct tm tm;
      gmtime_r(&t, &tm);
      strftime(last, sizeof last, "%Y-%m-%d %H:%M", &tm);
    }
    printf("%-6" PRId64 " %-24s %-7s %-9s %-17s %s\n", u->id, u->name,
           role_name(u->role), u->disabled ? "disabled" : "active", last,
           u->display_name ? u->display_name : "");
  }
  user_list_free(&users);
  store_close(s);
  return 0;
}

int
cli_user(struct cli *c, int argc, char **argv)
{
  if (argc < 2 || cli_wants_help(argc, argv)) {
    user_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!account_init(c->cfg.pwhash_concurrency))
    return 1;
  if (strcmp(argv[1], "add") == 0)
    return user_add(c, argc, argv);
  if (strcmp(argv[1], "list") == 0)
    return user_list(c, argc, argv);
  if (strcmp(argv[1], "password") == 0)
    return user_password(c, argc, argv);
  fprintf(stderr, "simpul user: unknown subcommand '%s'; use add, list or "
          "password\n", argv[1]);
  return 2;
}
