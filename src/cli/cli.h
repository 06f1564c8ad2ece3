/* The command line: one function per subcommand. Each takes the arguments
 * after its name (argv[0] is the subcommand name) and returns the process
 * exit status: 0 success, 1 failure, 2 usage error. */
#ifndef SIMPUL_CLI_CLI_H
#define SIMPUL_CLI_CLI_H

#include "core/config.h"

struct cli {
  struct config cfg;
  char actor[128];           /* --actor, or the operating-system user */
};

int cli_serve(struct cli *c, int argc, char **argv);
int cli_migrate(struct cli *c, int argc, char **argv);
int cli_catalog(struct cli *c, int argc, char **argv);
int cli_user(struct cli *c, int argc, char **argv);
int cli_token(struct cli *c, int argc, char **argv);
int cli_examine(struct cli *c, int argc, char **argv);
int cli_report(struct cli *c, int argc, char **argv);
int cli_jobs(struct cli *c, int argc, char **argv);
int cli_copy_store(struct cli *c, int argc, char **argv);

/* True when argv has -h or --help. */
int cli_wants_help(int argc, char **argv);

/* Opens the store named by c->cfg.db for a command. An SQLite store is
 * created when missing and migrated to the latest schema; a PostgreSQL
 * store must already be at the latest version (else the message names
 * 'simpul migrate' or the version needed). NULL after printing the error. */
struct store;
struct store *cli_open_store(struct cli *c);

#endif
