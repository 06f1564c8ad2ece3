/* simpul copy-store FROM TO: copies every table of one store into an
 * empty one (SQLite to PostgreSQL or back), then prints rows and
 * checksums per table. The copying itself is store_copy (store/copy.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "store/copy.h"
#include "store/store.h"

#define MAX_BATCH_ROWS 100000

static void
copy_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul copy-store [--batch N] FROM TO\n"
          "\n"
          "Copies every table of the store FROM into the store TO, keeping\n"
          "ids, then compares the row count and SHA-256 checksum of each\n"
          "table on both sides and prints them. FROM and TO are each an\n"
          "SQLite file path ('sqlite:PATH' too) or a postgresql:// URL, so\n"
          "the copy goes from SQLite to PostgreSQL or back.\n"
          "\n"
          "FROM must be at this simpul's schema version. TO is migrated to\n"
          "it first and must be empty: a new SQLite path or a new\n"
          "PostgreSQL database. FROM is read in one transaction; on SQLite\n"
          "that transaction blocks writers, so stop 'simpul serve' first.\n"
          "TO is written in one transaction, so a failed copy leaves it\n"
          "empty and the command can be run again.\n"
          "\n"
          "  --batch N   rows read and written at a time (default 500)\n"
          "\n"
          "Progress is shown on standard error when it is a terminal.\n"
          "Exit status: 0 when every table matches, 1 on a failure or a\n"
          "mismatch, 2 on a usage error.\n");
}

/* Parses the arguments; returns 0, or 2 after printing a usage error. */
static int
parse_args(int argc, char **argv, const char **from, const char **to,
           int64_t *batch)
{
  const char *positional[2] = {NULL, NULL};
  int count = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
      char *end;
      errno = 0;
      long long n = strtoll(argv[++i], &end, 10);
      if (*end != '\0' || errno != 0 || n < 1 || n > MAX_BATCH_ROWS) {
        fprintf(stderr, "simpul copy-store: --batch '%s' is invalid; give "
                "a whole number from 1 to %d\n", argv[i], MAX_BATCH_ROWS);
        return 2;
      }
      *batch = n;
    } else if (argv[i][0] == '-' || count == 2) {
      fprintf(stderr, "simpul copy-store: unexpected argument '%s'; see "
              "'simpul copy-store --help'\n", argv[i]);
      return 2;
    } else {
      positional[count++] = argv[i];
    }
  }
  if (count != 2) {
    fprintf(stderr, "simpul copy-store: give the stores FROM and TO; see "
            "'simpul copy-store --help'\n");
    return 2;
  }
  if (strcmp(positional[0], positional[1]) == 0) {
    fprintf(stderr, "simpul copy-store: FROM and TO are the same store; "
            "give an empty store as TO\n");
    return 2;
  }
  *from = positional[0];
  *to = positional[1];
  return 0;
}

/* Returns the SQLite file path of `url`, or NULL for PostgreSQL. */
static const char *
sqlite_path(const char *url)
{
  if (cli_is_postgres(url))
    return NULL;
  return strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
}

/* Opens the source, which must exist and be at the latest schema. */
static struct store *
open_source(const char *url)
{
  char err[1024], shown[1024];
  const char *path = sqlite_path(url);
  store_url_mask(url, shown, sizeof shown);
  /* store_open would create a missing SQLite file: an empty source. */
  if (path != NULL && access(path, F_OK) != 0) {
    cli_print_error(SP_ERR_NOT_FOUND, "the source SQLite file %s does not "
                    "exist; check the FROM path", path);
    return NULL;
  }
  struct store *s = store_open(url, err, sizeof err);
  if (s == NULL) {
    cli_print_error(SP_ERR_STORE, "opening the source failed: %s", err);
    return NULL;
  }
  int current = 0, latest = 0;
  enum store_rc rc = s->ops->schema_version(s, &current, &latest);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "reading the schema version of the "
                    "source %s failed: %s", shown, store_errmsg(s));
  } else if (current < latest) {
    cli_print_error(SP_ERR_SCHEMA_OLD, "the source %s is at schema version "
                    "%d but this simpul needs %d; run 'simpul --db FROM "
                    "migrate' on it first", shown, current, latest);
  } else if (current > latest) {
    cli_print_error(SP_ERR_SCHEMA_NEW, "the source %s is at schema version "
                    "%d but this simpul knows up to %d; copy it with a "
                    "simpul built for version %d", shown, current, latest,
                    current);
  } else {
    return s;
  }
  store_close(s);
  return NULL;
}

/* Opens the target and migrates it to the latest schema. */
static struct store *
open_target(const char *url)
{
  char err[1024];
  const char *path = sqlite_path(url);
  if (path != NULL && !cli_prepare_sqlite_dir(url))
    return NULL;
  struct store *s = store_open(url, err, sizeof err);
  if (s == NULL) {
    cli_print_error(SP_ERR_STORE, "opening the target failed: %s", err);
    return NULL;
  }
  if (!cli_check_schema(s, true)) {
    store_close(s);
    return NULL;
  }
  return s;
}

/* Redraws one progress line on the terminal: the table, rows copied and
 * rows in the source; the line is ended when the table is done. */
static void
show_progress(const char *table, int64_t done, int64_t total, void *arg)
{
  (void)arg;
  fprintf(stderr, "\r  %-18s %10" PRId64 " / %-10" PRId64, table, done,
          total);
  if (done >= total)
    fputc('\n', stderr);
  fflush(stderr);
}

/* Returns the first 16 hex digits of a checksum (written into `out`), or
 * "(versions only)" for a table compared by row count alone. */
static const char *
short_sum(const struct store_copy_table *t, const struct table_digest *d,
          char out[17])
{
  if (!t->checksum_compared)
    return "(versions only)";
  snprintf(out, 17, "%.16s", d->sha256);
  return out;
}

static void
print_report(const struct store_copy_report *r, FILE *out)
{
  fprintf(out, "%-18s %12s %12s  %-16s  %-16s  %s\n", "table",
          "source rows", "target rows", "source sha256", "target sha256",
          "result");
  for (size_t i = 0; i < r->count; i++) {
    const struct store_copy_table *t = &r->tables[i];
    char a[17], b[17];
    fprintf(out, "%-18s %12" PRId64 " %12" PRId64 "  %-16s  %-16s  %s\n",
            t->name, t->source.rows, t->target.rows,
            short_sum(t, &t->source, a), short_sum(t, &t->target, b),
            t->match ? "ok" : "DIFFERENT");
  }
}

/* Prints the failure of store_copy with the fix where there is one. */
static void
print_failure(enum sp_err err, const struct store_copy_report *r,
              const char *to)
{
  if (err != SP_ERR_STORE_NOT_EMPTY) {
    cli_print_error(err, "%s", r->detail);
    return;
  }
  const char *path = sqlite_path(to);
  if (path != NULL)
    cli_print_error(err, "%s; copy into an empty store: give a new file "
                    "path as TO, or delete %s with its -wal and -shm files",
                    r->detail, path);
  else
    cli_print_error(err, "%s; copy into an empty store: give a new "
                    "database as TO, or drop and create this one again "
                    "(dropdb NAME; createdb NAME)", r->detail);
}

int
cli_copy_store(struct cli *c, int argc, char **argv)
{
  const char *from_url = NULL, *to_url = NULL;
  int64_t batch = 0;
  (void)c;

  if (cli_wants_help(argc, argv)) {
    copy_usage(stdout);
    return 0;
  }
  int status = parse_args(argc, argv, &from_url, &to_url, &batch);
  if (status != 0)
    return status;
  struct store *from = open_source(from_url);
  if (from == NULL)
    return 1;
  struct store *to = open_target(to_url);
  if (to == NULL) {
    store_close(from);
    return 1;
  }

  struct store_copy_options opt = {.batch_rows = batch};
  if (isatty(STDERR_FILENO))
    opt.progress = show_progress;
  struct store_copy_report *report = calloc(1, sizeof *report);
  enum sp_err err = SP_ERR_NOMEM;
  if (report == NULL) {
    cli_print_error(err, NULL);
    goto out;
  }
  err = store_copy(from, to, &opt, report);
  if (report->count > 0) {
    printf("copied %" PRId64 " rows from %s to %s\n\n", report->rows_copied,
           from->ops->backend, to->ops->backend);
    print_report(report, stdout);
  }
  if (err != SP_OK)
    print_failure(err, report, to_url);
  free(report);
out:
  store_close(to);
  store_close(from);
  return err == SP_OK ? 0 : 1;
}
