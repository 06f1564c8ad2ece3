/* Helpers every subcommand uses: help detection and opening the store. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/error.h"
#include "store/store.h"

int
cli_wants_help(int argc, char **argv)
{
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      break;
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
      return 1;
  }
  return 0;
}

void
cli_print_error(enum sp_err err, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "simpul: %s / %s\n", sp_error_message(err, "id"),
          sp_error_message(err, "en"));
  if (fmt == NULL)
    return;
  fputs("  ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

void
cli_format_time(int64_t t, char *out, size_t len)
{
  if (t == 0) {
    snprintf(out, len, "-");
    return;
  }
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  strftime(out, len, "%Y-%m-%d %H:%M", &tm);
}

bool
cli_is_postgres(const char *url)
{
  return strncmp(url, "postgresql://", 13) == 0
         || strncmp(url, "postgres://", 11) == 0;
}

/* Creates every missing folder of `dir`, like mkdir -p. */
static bool
make_dirs(char *dir)
{
  for (char *p = dir + 1; *p != '\0'; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    int rc = mkdir(dir, 0750);
    *p = '/';
    if (rc != 0 && errno != EEXIST)
      return false;
  }
  return mkdir(dir, 0750) == 0 || errno == EEXIST;
}

bool
cli_prepare_sqlite_dir(const char *url)
{
  char dir[sizeof ((struct config *)0)->db];
  if (strncmp(url, "sqlite:", 7) == 0)
    url += 7;
  if (strlen(url) >= sizeof dir)
    return true;  /* store_open reports the path */
  snprintf(dir, sizeof dir, "%s", url);
  char *slash = strrchr(dir, '/');
  if (slash == NULL || slash == dir)
    return true;
  *slash = '\0';
  if (make_dirs(dir))
    return true;
  char why[128];
  cli_print_error(SP_ERR_IO, "cannot create the folder %s of the store: %s; "
                  "create it or choose another --db path", dir,
                  strerror_r(errno, why, sizeof why));
  return false;
}

bool
cli_check_schema(struct store *s, bool migrate)
{
  int current = 0, latest = 0;
  enum store_rc rc = s->ops->schema_version(s, &current, &latest);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "reading the schema version failed: "
                    "%s", store_errmsg(s));
    return false;
  }
  if (current > latest) {
    cli_print_error(SP_ERR_SCHEMA_NEW, "skema versi %d, program ini hanya "
                    "mengenal sampai %d / the schema is at version %d but "
                    "this simpul knows up to version %d; run a simpul built "
                    "for schema version %d", current, latest, current, latest,
                    current);
    return false;
  }
  if (current == latest)
    return true;
  if (!migrate) {
    cli_print_error(SP_ERR_SCHEMA_OLD, "skema versi %d, perlu %d / the schema "
                    "is at version %d but this simpul needs %d; run 'simpul "
                    "migrate'", current, latest, current, latest);
    return false;
  }
  int version = 0;
  rc = s->ops->migrate(s, &version);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "migrating the schema from version "
                    "%d to %d failed: %s", current, latest, store_errmsg(s));
    return false;
  }
  return true;
}

struct store *
cli_open_store(struct cli *c)
{
  char err[1024];
  const char *url = c->cfg.db;
  bool postgres = cli_is_postgres(url);

  if (!postgres && !cli_prepare_sqlite_dir(url))
    return NULL;
  struct store *s = store_open(url, err, sizeof err);
  if (s == NULL) {
    cli_print_error(SP_ERR_STORE, "%s", err);
    return NULL;
  }
  /* An SQLite store belongs to this machine, so it is migrated here. A
   * PostgreSQL schema is shared by every node, so it changes only through
   * 'simpul migrate'. */
  if (!cli_check_schema(s, !postgres)) {
    store_close(s);
    return NULL;
  }
  return s;
}
