/* simpul catalog: import and export agencies and applications as CSV or
 * JSON, and list them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "store/store.h"

static void
catalog_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [GLOBAL OPTIONS] catalog import [--strict] "
          "[--batch N] FILE...\n"
          "       simpul [GLOBAL OPTIONS] catalog export --format csv|json\n"
          "                               [--table agencies|apps] "
          "[--output FILE]\n"
          "       simpul [GLOBAL OPTIONS] catalog list agencies|apps\n"
          "\n"
          "import  reads CSV files of agencies (columns code,name,kind,parent)\n"
          "        or applications (code,name,kind,agency,url,android_package,\n"
          "        purpose,audience,developer,hosting,launched,last_updated,\n"
          "        and optionally status,merged_into,store_url). A file with\n"
          "        an 'agency' column holds applications; agencies are\n"
          "        imported first whatever the order given. Header names are\n"
          "        matched case-insensitively; unknown columns are reported\n"
          "        and ignored. Rows are matched by code: a new code is added,\n"
          "        a known one updated, and columns a file lacks keep their\n"
          "        stored values. Every change is kept in the history under\n"
          "        'ACTOR (import FILE)', ACTOR being --actor.\n"
          "        A bad row is reported as FILE:LINE: column NAME: the value,\n"
          "        the problem and the fix [error code]; the good rows are\n"
          "        still imported. The last line is the summary 'added N,\n"
          "        updated N, unchanged N, refused N'.\n"
          "  --strict   check every row first and import nothing when any\n"
          "             row is refused\n"
          "  --batch N  rows per transaction (default 500, at most 10000);\n"
          "             an interrupted import can be run again as it was\n"
          "\n"
          "export  writes the catalog to FILE (default: standard output).\n"
          "  --format csv   one table per file, with the columns import\n"
          "                 reads, LF line ends; cells a spreadsheet would\n"
          "                 run as a formula (starting with = + - @ tab or\n"
          "                 CR) get a leading ' that import removes again\n"
          "  --format json  one document {\"agencies\": [...], \"apps\": "
          "[...]}\n"
          "  --table T      the table of a CSV export: agencies or apps\n"
          "                 (default apps); export both to two files to\n"
          "                 import them elsewhere\n"
          "\n"
          "list    prints one line per agency (code, kind, parent, name) or\n"
          "        application (code, kind, status, agency, name), separated\n"
          "        by tabs, ordered by code.\n"
          "\n"
          "Exit status: 0 on success; 1 when a row was refused or the store\n"
          "or a file failed; 2 on a usage error.\n");
}

static int usage_error(const char *fmt, ...)
  __attribute__((format(printf, 1, 2)));

/* Prints a usage error and returns the exit status 2. */
static int
usage_error(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "simpul catalog: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "; see 'simpul catalog --help'\n");
  return 2;
}

static int
run_import(struct cli *c, int argc, char **argv)
{
  struct import_options opt = {.actor = c->actor, .report = stderr,
                               .progress = true};
  const char **paths = calloc((size_t)argc, sizeof *paths);
  size_t count = 0;

  if (paths == NULL)
    return 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--strict") == 0) {
      opt.strict = true;
    } else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
      char *end;
      long n = strtol(argv[++i], &end, 10);
      if (*end != '\0' || n < 1 || n > 10000) {
        free(paths);
        return usage_error("--batch '%s' must be a number from 1 to 10000",
                           argv[i]);
      }
      opt.batch_rows = (size_t)n;
    } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
      free(paths);
      return usage_error("unknown import option '%s'", argv[i]);
    } else {
      paths[count++] = argv[i];
    }
  }
  if (count == 0) {
    free(paths);
    return usage_error("%s", "import needs at least one FILE");
  }
  struct store *s = cli_open_store(c);
  if (s == NULL) {
    free(paths);
    return 1;
  }
  struct import_summary summary;
  enum sp_err err = catalog_import(s, paths, count, &opt, &summary);
  store_close(s);
  free(paths);
  return err == SP_OK && summary.refused == 0 ? 0 : 1;
}

struct export_args {
  enum catalog_format format;
  bool format_set;
  bool agencies;
  const char *output;
};

static int
parse_export(int argc, char **argv, struct export_args *args)
{
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i];
    if (i + 1 >= argc)
      return usage_error("option '%s' needs a value", opt);
    const char *value = argv[++i];
    if (strcmp(opt, "--format") == 0) {
      if (strcmp(value, "csv") != 0 && strcmp(value, "json") != 0)
        return usage_error("--format '%s' must be csv or json", value);
      args->format = strcmp(value, "csv") == 0 ? CATALOG_CSV : CATALOG_JSON;
      args->format_set = true;
    } else if (strcmp(opt, "--table") == 0) {
      if (strcmp(value, "agencies") != 0 && strcmp(value, "apps") != 0)
        return usage_error("--table '%s' must be agencies or apps", value);
      args->agencies = strcmp(value, "agencies") == 0;
    } else if (strcmp(opt, "--output") == 0) {
      args->output = value;
    } else {
      return usage_error("unknown export option '%s'", opt);
    }
  }
  if (!args->format_set)
    return usage_error("%s", "export needs --format csv or --format json");
  return 0;
}

static enum sp_err
export_to(struct store *s, const struct export_args *args, FILE *out)
{
  if (args->format == CATALOG_JSON)
    return catalog_export_json(s, out);
  return args->agencies ? catalog_export_agencies_csv(s, out)
                        : catalog_export_apps_csv(s, out);
}

/* Exports into a temporary file beside the output and renames it, so a
 * failed export never leaves half a file under the requested name. */
static enum sp_err
export_file(struct store *s, const struct export_args *args)
{
  size_t len = strlen(args->output) + sizeof ".XXXXXX";
  char *tmp = malloc(len);
  if (tmp == NULL)
    return SP_ERR_NOMEM;
  snprintf(tmp, len, "%s.XXXXXX", args->output);
  int fd = mkstemp(tmp);
  FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (out == NULL) {
    cli_print_error(SP_ERR_IO, "cannot create '%s': %s", tmp,
                    strerror(errno));
    if (fd >= 0)
      close(fd);
    free(tmp);
    return SP_ERR_IO;
  }
  enum sp_err err = export_to(s, args, out);
  if (fclose(out) != 0 && err == SP_OK)
    err = SP_ERR_IO;
  if (err == SP_OK && rename(tmp, args->output) != 0) {
    cli_print_error(SP_ERR_IO, "cannot write '%s': %s", args->output,
                    strerror(errno));
    err = SP_ERR_IO;
  }
  if (err != SP_OK)
    unlink(tmp);
  free(tmp);
  return err;
}

static int
run_export(struct cli *c, int argc, char **argv)
{
  struct export_args args = {0};
  int usage = parse_export(argc, argv, &args);
  if (usage != 0)
    return usage;
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  enum sp_err err = args.output != NULL ? export_file(s, &args)
                                        : export_to(s, &args, stdout);
  if (err != SP_OK)
    cli_print_error(err, "the export failed: %s", store_errmsg(s));
  store_close(s);
  return err == SP_OK ? 0 : 1;
}

static const char *
text(const char *value)
{
  return value != NULL ? value : "";
}

static int
run_list(struct cli *c, int argc, char **argv)
{
  if (argc != 2 || (strcmp(argv[1], "agencies") != 0 &&
                    strcmp(argv[1], "apps") != 0))
    return usage_error("%s", "list needs 'agencies' or 'apps'");
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  enum store_rc rc;
  if (strcmp(argv[1], "agencies") == 0) {
    struct agency_filter filter = {0};
    struct agency_list list = {0};
    rc = s->ops->agency_list(s, &filter, &list);
    for (size_t i = 0; rc == STORE_OK && i < list.count; i++)
      printf("%s\t%s\t%s\t%s\n", list.items[i].code, text(list.items[i].kind),
             text(list.items[i].parent), text(list.items[i].name));
    agency_list_free(&list);
  } else {
    struct app_filter filter = {.sort = APP_SORT_CODE};
    struct app_list list = {0};
    rc = s->ops->app_list(s, &filter, &list);
    for (size_t i = 0; rc == STORE_OK && i < list.count; i++)
      printf("%s\t%s\t%s\t%s\t%s\n", list.items[i].code,
             text(list.items[i].kind), text(list.items[i].status),
             text(list.items[i].agency), text(list.items[i].name));
    app_list_free(&list);
  }
  if (rc != STORE_OK)
    cli_print_error(store_rc_error(rc), "listing failed: %s",
                    store_errmsg(s));
  store_close(s);
  return rc == STORE_OK ? 0 : 1;
}

int
cli_catalog(struct cli *c, int argc, char **argv)
{
  if (argc < 2 || strcmp(argv[1], "-h") == 0 ||
      strcmp(argv[1], "--help") == 0) {
    catalog_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (cli_wants_help(argc - 1, argv + 1)) {
    catalog_usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "import") == 0)
    return run_import(c, argc - 1, argv + 1);
  if (strcmp(argv[1], "export") == 0)
    return run_export(c, argc - 1, argv + 1);
  if (strcmp(argv[1], "list") == 0)
    return run_list(c, argc - 1, argv + 1);
  return usage_error("unknown catalog command '%s'", argv[1]);
}
