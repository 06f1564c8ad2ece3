/* simpul serve: binds the port, prepares the store (first administrator,
 * sample city), then serves the console, the JSON API, /healthz and
 * /metrics, and runs jobs and the examination schedule, until SIGTERM or
 * SIGINT. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account/account.h"
#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/common.h"
#include "console/layout.h"
#include "core/log.h"
#include "http/metrics.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "store/store.h"

#define SAMPLE_META_KEY "sample_loaded"
#define SAMPLE_ACTOR "simpul:sample"

static void
serve_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [GLOBAL OPTIONS] serve [--port N] [--listen ADDR]\n"
          "                                     [--set KEY=VALUE]...\n"
          "\n"
          "Serves the console, the JSON API under /api/v1/, /healthz and\n"
          "/metrics until SIGTERM or SIGINT, then finishes the requests in\n"
          "progress and exits with status 0.\n"
          "\n"
          "  --port N          TCP port (setting 'port', default 8080)\n"
          "  --listen ADDR     IPv4 or IPv6 address to bind (setting\n"
          "                    'listen', default 127.0.0.1)\n"
          "  --set KEY=VALUE   any setting of docs/configuration.md, as a\n"
          "                    line of the --config file would set it\n"
          "\n"
          "An SQLite store is created and migrated when needed; a PostgreSQL\n"
          "store must be migrated first with 'simpul migrate'. On the first\n"
          "start, with no user in the store, the account 'admin' is created\n"
          "once the port is bound, and its password printed once on\n"
          "standard output. With the setting load_sample (on by default)\n"
          "an empty catalog is filled once from DATA_DIR/agencies.csv and\n"
          "DATA_DIR/apps.csv.\n"
          "\n"
          "A worker thread runs the jobs queued in the store (examinations\n"
          "asked for on the console, the API or by the schedule), one at a\n"
          "time, holding a lease of job_lease seconds that it renews; with\n"
          "several nodes on one PostgreSQL store each job runs once. With\n"
          "examine_interval above 0, every app is examined at the start of\n"
          "each interval (counted from 00:00 UTC, 1 January 1970).\n"
          "\n"
          "/healthz and /metrics answer without login; restrict them at the\n"
          "proxy when they must not be public.\n");
}

/* Applies the command's options to c->cfg; returns 0, or 2 after printing
 * a usage error. */
static int
parse_options(struct cli *c, int argc, char **argv)
{
  char err[512];
  for (int i = 1; i < argc; i++) {
    const char *opt = argv[i];
    const char *key = NULL, *value = NULL;
    char name[128];
    if (i + 1 >= argc) {
      fprintf(stderr, "simpul serve: unknown option or missing value at "
              "'%s'; see 'simpul serve --help'\n", opt);
      return 2;
    }
    if (strcmp(opt, "--port") == 0) {
      key = "port";
      value = argv[++i];
    } else if (strcmp(opt, "--listen") == 0) {
      key = "listen";
      value = argv[++i];
    } else if (strcmp(opt, "--set") == 0) {
      const char *pair = argv[++i];
      const char *eq = strchr(pair, '=');
      if (eq == NULL) {
        fprintf(stderr, "simpul serve: --set '%.200s' has no '='; write "
                "KEY=VALUE, e.g. --set threads=8\n", pair);
        return 2;
      }
      /* A longer name is no setting's, and is reported cut. */
      snprintf(name, sizeof name, "%.*s", (int)(eq - pair), pair);
      key = name;
      value = eq + 1;
    } else {
      fprintf(stderr, "simpul serve: unknown option '%s'; see 'simpul serve "
              "--help'\n", opt);
      return 2;
    }
    if (!config_set(&c->cfg, key, value, err, sizeof err)) {
      fprintf(stderr, "simpul serve: %s\n", err);
      return 2;
    }
  }
  return 0;
}

/* Creates the first administrator when the store has no user, and prints
 * its password once. Returns false on a store failure. */
static bool
ensure_admin(struct store *s)
{
  int64_t users = 0;
  enum store_rc rc = s->ops->user_count(s, &users);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "counting users failed: %s",
                    store_errmsg(s));
    return false;
  }
  if (users > 0)
    return true;
  char password[ACCOUNT_GENERATED_PASSWORD_LEN + 1];
  account_password_generate(password);
  enum sp_err err = account_user_create(s, "admin", "Administrator",
                                        ROLE_ADMIN, password, "simpul:serve",
                                        NULL, NULL);
  if (err == SP_ERR_DUPLICATE) {
    /* Another node starting at the same moment made it first. */
    return true;
  }
  if (err != SP_OK) {
    cli_print_error(err, "creating the administrator account failed");
    return false;
  }
  printf("simpul: created the administrator account\n"
         "  user: admin\n"
         "  password: %s\n"
         "  (shown once; change it on the administrator's page)\n",
         password);
  fflush(stdout);
  explicit_bzero(password, sizeof password);
  return true;
}

static bool
catalog_is_empty(struct store *s, bool *empty)
{
  struct agency_filter af = {.limit = 1};
  struct app_filter pf = {.limit = 1};
  struct agency_list agencies = {0};
  struct app_list apps = {0};
  enum store_rc rc = s->ops->agency_list(s, &af, &agencies);
  if (rc == STORE_OK)
    rc = s->ops->app_list(s, &pf, &apps);
  *empty = agencies.total == 0 && apps.total == 0;
  agency_list_free(&agencies);
  app_list_free(&apps);
  return rc == STORE_OK;
}

/* Imports the sample city into an empty catalog, once per store. A
 * problem is logged and the server starts without it. */
static void
load_sample(struct store *s, const struct config *cfg)
{
  char *done = NULL;
  enum store_rc rc = s->ops->meta_get(s, SAMPLE_META_KEY, &done);
  free(done);
  bool empty = false;
  if (rc == STORE_OK || !catalog_is_empty(s, &empty) || !empty)
    return;
  char agencies[1100], apps[1100];
  snprintf(agencies, sizeof agencies, "%s/agencies.csv", cfg->data_dir);
  snprintf(apps, sizeof apps, "%s/apps.csv", cfg->data_dir);
  const char *const paths[] = {agencies, apps};
  struct import_options opt = {.actor = SAMPLE_ACTOR};
  struct import_summary sum = {0};
  enum sp_err err = catalog_import(s, paths, 2, &opt, &sum);
  char added[24], refused[24];
  snprintf(added, sizeof added, "%zu", sum.added);
  snprintf(refused, sizeof refused, "%zu", sum.refused);
  if (sum.added == 0) {
    log_event(LOG_WARN, "sample.failed", "data_dir", cfg->data_dir, "error",
              sp_error_info(err)->code, "refused", refused, "fix",
              "set data_dir to the folder with agencies.csv and apps.csv, "
              "or load_sample = false", NULL);
    return;
  }
  rc = s->ops->meta_put(s, SAMPLE_META_KEY, "1");
  if (rc != STORE_OK)
    log_event(LOG_WARN, "sample.mark_failed", "error", store_errmsg(s), NULL);
  log_event(err == SP_OK ? LOG_INFO : LOG_WARN, "sample.loaded", "data_dir",
            cfg->data_dir, "added", added, "refused", refused, NULL);
}

/* Warns when the SQLite file or its folder cannot be written, because the
 * server would start, serve reads, and fail every change. SQLite writes
 * its journal files beside the store, so the folder counts too. */
static void
warn_if_read_only(const char *url)
{
  char dir[sizeof ((struct config *)0)->db];
  if (cli_is_postgres(url))
    return;
  if (strncmp(url, "sqlite:", 7) == 0)
    url += 7;
  snprintf(dir, sizeof dir, "%s", url);
  char *slash = strrchr(dir, '/');
  if (slash == NULL)
    snprintf(dir, sizeof dir, ".");
  else
    slash[slash == dir ? 1 : 0] = '\0';
  const char *const paths[] = {url, dir};
  for (size_t i = 0; i < 2; i++) {
    if (access(paths[i], W_OK) == 0 || errno == ENOENT)
      continue;
    log_event(LOG_WARN, "serve.store_read_only", "path", paths[i], "error",
              strerror(errno), "fix", "make the store file and its folder "
              "writable for this user, or mount the folder read-write",
              NULL);
  }
}

/* Binds the port, then makes the first administrator and loads the sample
 * city through `s` (closed on return), and starts serving. The port comes
 * first, so a port in use stops `serve` before it prints a password that
 * nobody could use. Returns NULL after printing the error. */
static struct http_server *
start_server(const struct config *cfg, struct store *s,
             struct store_pool *pool)
{
  char err[1024];
  enum sp_err why = SP_OK;
  struct http_server *server = http_server_open(cfg, pool, &why, err,
                                                sizeof err);
  bool ready = server != NULL;
  if (!ready)
    cli_print_error(why, "%s", err);
  if (ready)
    ready = ensure_admin(s);
  if (ready && cfg->load_sample)
    load_sample(s, cfg);
  store_close(s);
  layout_use_for_error_pages();
  if (ready && !http_server_run(server, err, sizeof err)) {
    cli_print_error(SP_ERR_INTERNAL, "%s", err);
    ready = false;
  }
  if (!ready) {
    http_server_stop(server);
    return NULL;
  }
  return server;
}

/* Waits for SIGTERM or SIGINT, blocked in every thread by the caller. */
static int
wait_for_stop(const sigset_t *stop)
{
  int sig = 0;
  while (sigwait(stop, &sig) != 0)
    ;
  return sig;
}

int
cli_serve(struct cli *c, int argc, char **argv)
{
  char err[1024];

  if (cli_wants_help(argc, argv)) {
    serve_usage(stdout);
    return 0;
  }
  int status = parse_options(c, argc, argv);
  if (status != 0)
    return status;
  const struct config *cfg = &c->cfg;
  metrics_init();
  if (!account_init(cfg->pwhash_concurrency))
    return 1;

  warn_if_read_only(cfg->db);
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  const char *backend = s->ops->backend;
  struct store_pool *pool = store_pool_open(cfg->db, cfg->store_pool, err,
                                            sizeof err);
  if (pool == NULL) {
    cli_print_error(SP_ERR_STORE, "%s", err);
    store_close(s);
    return 1;
  }
  /* Blocked before any thread starts, so only sigwait below receives
   * them. */
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct http_server *server = start_server(cfg, s, pool);
  if (server == NULL) {
    store_pool_close(pool);
    return 1;
  }
  /* The worker runs jobs (examinations) and the examination schedule; it
   * holds one pool connection while it works. */
  struct jobs_worker *worker = jobs_worker_start(pool, cfg, NULL, err,
                                                 sizeof err);
  if (worker == NULL) {
    cli_print_error(SP_ERR_INTERNAL, "%s", err);
    http_server_stop(server);
    store_pool_close(pool);
    return 1;
  }
  char port[16], threads[16];
  snprintf(port, sizeof port, "%d", cfg->port);
  snprintf(threads, sizeof threads, "%d", cfg->threads);
  log_event(LOG_INFO, "serve.start", "listen", cfg->listen, "port", port,
            "backend", backend, "threads", threads, "tls",
            cfg->tls_cert[0] && cfg->tls_key[0] ? "on" : "off", NULL);

  int sig = wait_for_stop(&stop);
  log_event(LOG_INFO, "serve.stopping", "signal",
            sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
  http_server_stop(server);
  jobs_worker_stop(worker);
  store_pool_close(pool);
  log_event(LOG_INFO, "serve.stop", NULL);
  return 0;
}
