/* Helpers shared by the subcommands in cli/, beside the ones cli.h
 * declares. */
#ifndef SIMPUL_CLI_COMMON_H
#define SIMPUL_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct store;

/* Prints "simpul: " and the message of `err` in Indonesian and English on
 * stderr, then, when `fmt` is not NULL, the detail on its own line. */
void cli_print_error(enum sp_err err, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Writes Unix time `t` as "YYYY-MM-DD HH:MM" in UTC, or "-" for 0. */
void cli_format_time(int64_t t, char *out, size_t len);

/* True when `url` names a PostgreSQL store. */
bool cli_is_postgres(const char *url);

/* Creates the missing folders above the SQLite file of `url` ("PATH" or
 * "sqlite:PATH"). False after printing the error. */
bool cli_prepare_sqlite_dir(const char *url);

/* Compares the store's schema with this binary's. When older, migrates if
 * `migrate`, else fails naming 'simpul migrate'; when newer, fails naming
 * the version needed. False after printing the error. */
bool cli_check_schema(struct store *s, bool migrate);

#endif
