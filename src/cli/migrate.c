/* simpul migrate: applies the pending schema migrations of the store named
 * by --db (SQLite or PostgreSQL) and prints the resulting version. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "store/store.h"

static void
migrate_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [--db URL] migrate\n"
          "\n"
          "Applies the store's pending schema migrations, each in its own\n"
          "transaction, and prints the schema version, e.g. 'schema version\n"
          "1 (migrated from 0)'. Running it again changes nothing. Works on\n"
          "SQLite and PostgreSQL stores; several nodes sharing one\n"
          "PostgreSQL store need it once, before the new version serves.\n"
          "\n"
          "Exit status: 0 when the schema is at the latest version, 1 when\n"
          "a migration failed or the schema is newer than this simpul, 2 on\n"
          "a usage error.\n");
}

int
cli_migrate(struct cli *c, int argc, char **argv)
{
  char err[1024];
  int before = 0, latest = 0, version = 0;

  if (cli_wants_help(argc, argv)) {
    migrate_usage(stdout);
    return 0;
  }
  if (argc > 1) {
    fprintf(stderr, "simpul migrate: unexpected argument '%s'\n", argv[1]);
    migrate_usage(stderr);
    return 2;
  }
  if (!cli_is_postgres(c->cfg.db) && !cli_prepare_sqlite_dir(c->cfg.db))
    return 1;
  struct store *s = store_open(c->cfg.db, err, sizeof err);
  if (s == NULL) {
    cli_print_error(SP_ERR_STORE, "%s", err);
    return 1;
  }
  int status = 1;
  enum store_rc rc = s->ops->schema_version(s, &before, &latest);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "reading the schema version failed: "
                    "%s", store_errmsg(s));
    goto out;
  }
  if (before > latest) {
    cli_print_error(SP_ERR_SCHEMA_NEW, "skema versi %d, program ini hanya "
                    "mengenal sampai %d / the schema is at version %d but "
                    "this simpul knows up to version %d; run a simpul built "
                    "for schema version %d", before, latest, before, latest,
                    before);
    goto out;
  }
  rc = s->ops->migrate(s, &version);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "migrating from version %d to %d "
                    "failed: %s", before, latest, store_errmsg(s));
    goto out;
  }
  if (version == before)
    printf("schema version %d (up to date)\n", version);
  else
    printf("schema version %d (migrated from %d)\n", version, before);
  status = 0;

out:
  store_close(s);
  return status;
}
