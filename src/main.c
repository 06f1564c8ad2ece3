/* simpul: one program, many subcommands. This file reads the global options
 * and hands the rest to the subcommand's function in cli/. */
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/log.h"
#include "core/text.h"

struct command {
  const char *name;
  int (*run)(struct cli *c, int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  {"serve", cli_serve, "serve the console, the JSON API, /healthz and /metrics"},
  {"migrate", cli_migrate, "apply pending store migrations and print the version"},
  {"catalog", cli_catalog, "import or export agencies and applications"},
  {"user", cli_user, "add and list console accounts"},
  {"token", cli_token, "add, list and revoke API tokens"},
  {"examine", cli_examine, "examine applications: availability, TLS, security headers"},
  {"report", cli_report, "write the latest examination of every app as JSON, CSV or HTML"},
  {"jobs", cli_jobs, "list jobs and follow a job's progress"},
  {"copy-store", cli_copy_store, "copy all data between SQLite and PostgreSQL, verified"},
};

static void
usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [GLOBAL OPTIONS] COMMAND [ARGS]\n"
          "\n"
          "Global options:\n"
          "  --db URL         store: an SQLite file path (default var/simpul.db)\n"
          "                   or a postgresql:// URL\n"
          "  --config FILE    read settings from FILE (see docs/configuration.md)\n"
          "  --actor NAME     who is recorded as making command-line changes\n"
          "                   (default: the operating-system user)\n"
          "  --log-level L    debug, info, warn or error (default info)\n"
          "  -h, --help       show this help\n"
          "\n"
          "Commands:\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nRun 'simpul COMMAND --help' for a command's options.\n");
}

/* True when `name` is valid UTF-8 without control characters or invisible
 * format characters: the actor goes into the history, one line per
 * change, and is shown to people as written. */
static bool
actor_printable(const char *name)
{
  const unsigned char *p = (const unsigned char *)name;
  size_t left = strlen(name);

  while (left > 0) {
    size_t n = text_utf8_sequence(p, left);
    if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7F)))
      return false;
    if (text_invisible_char(p, n) != 0)
      return false;
    p += n;
    left -= n;
  }
  return true;
}

static void
default_actor(char *out, size_t len)
{
  struct passwd *pw = getpwuid(geteuid());
  snprintf(out, len, "%s", pw && pw->pw_name ? pw->pw_name : "unknown");
}

int
main(int argc, char **argv)
{
  static struct cli cli;
  const char *config_path = NULL, *db = NULL, *actor = NULL, *level = NULL;
  char err[2048];
  int i = 1;

  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *opt = argv[i];
    const char **slot = NULL;
    if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0) {
      usage(stdout);
      return 0;
    }
    if (strcmp(opt, "--db") == 0)
      slot = &db;
    else if (strcmp(opt, "--config") == 0)
      slot = &config_path;
    else if (strcmp(opt, "--actor") == 0)
      slot = &actor;
    else if (strcmp(opt, "--log-level") == 0)
      slot = &level;
    if (slot == NULL) {
      fprintf(stderr, "simpul: unknown global option '%s'; see 'simpul --help'\n",
              opt);
      return 2;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "simpul: option '%s' needs a value\n", opt);
      return 2;
    }
    *slot = argv[++i];
  }

  config_defaults(&cli.cfg);
  if (config_path != NULL && !config_load(&cli.cfg, config_path, err, sizeof err)) {
    fprintf(stderr, "simpul: %s\n", err);
    return 2;
  }
  if (db != NULL && !config_set(&cli.cfg, "db", db, err, sizeof err)) {
    fprintf(stderr, "simpul: %s\n", err);
    return 2;
  }
  if (level != NULL && !config_set(&cli.cfg, "log_level", level, err, sizeof err)) {
    fprintf(stderr, "simpul: %s\n", err);
    return 2;
  }
  enum log_level log_level;
  if (log_parse_level(cli.cfg.log_level, &log_level))
    log_set_level(log_level);
  if (actor != NULL) {
    if (actor[0] == '\0' || strlen(actor) >= sizeof cli.actor) {
      fprintf(stderr, "simpul: --actor must be 1 to %zu bytes\n",
              sizeof cli.actor - 1);
      return 2;
    }
    if (!actor_printable(actor)) {
      fprintf(stderr,
              "simpul: --actor memuat karakter kendali, karakter format tak "
              "terlihat atau byte non-UTF-8; tulis nama pada satu baris "
              "dengan huruf biasa\n"
              "        --actor contains a control character, an invisible "
              "format character or a byte that is not UTF-8; give a "
              "one-line name of ordinary characters\n");
      return 2;
    }
    snprintf(cli.actor, sizeof cli.actor, "%s", actor);
  } else {
    default_actor(cli.actor, sizeof cli.actor);
  }

  if (i >= argc) {
    usage(stderr);
    return 2;
  }
  for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
    if (strcmp(argv[i], commands[k].name) == 0)
      return commands[k].run(&cli, argc - i, argv + i);
  fprintf(stderr, "simpul: unknown command '%s'; see 'simpul --help'\n", argv[i]);
  return 2;
}
