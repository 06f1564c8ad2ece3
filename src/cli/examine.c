/* simpul examine: examines applications in this process, as a job that
 * the console shows like any other, and prints a summary. */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "core/log.h"
#include "examine/examine.h"
#include "examine/findings.h"
#include "examine/guard.h"
#include "jobs/jobs.h"
#include "store/store.h"

static void
examine_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [GLOBAL OPTIONS] examine [OPTIONS] [CODE...]\n"
          "\n"
          "Examines the applications named by CODE, or every application of\n"
          "the catalog: availability, the redirect chain, HTTPS and TLS,\n"
          "security headers scored as MDN HTTP Observatory 1.4.8 scores them\n"
          "(grade A+ to F), version leaks, exposed files, the CMS or\n"
          "framework and mixed content. An application without a URL gets\n"
          "the outcome not-examinable. The run is a job (see 'simpul jobs'):\n"
          "each result is stored as soon as it is complete, and a run that\n"
          "was interrupted is finished by 'simpul serve' once its lease ran\n"
          "out, without examining again what was stored. Ctrl-C (SIGINT) or\n"
          "SIGTERM stops the run within about a second and hands its lease\n"
          "back at once; the exit status is then 128 plus the signal.\n"
          "\n"
          "Addresses that are loopback, private, link-local, multicast or a\n"
          "cloud metadata service are never contacted unless allowed.\n"
          "\n"
          "  --concurrency N        sites examined at once, 1 to 1024\n"
          "                         (setting examine_concurrency, default 64)\n"
          "  --timeout SECONDS      time limit of each request, 1 to 300\n"
          "                         (setting examine_timeout, default 5)\n"
          "  --cacert FILE          PEM file of extra trusted root\n"
          "                         certificates, e.g. the city's own CA, on\n"
          "                         top of the system's (examine_cacert)\n"
          "  --allow-private CIDR   let examination reach this range, e.g.\n"
          "                         10.20.0.0/16; repeatable, added to\n"
          "                         examine_allow_private\n"
          "  --resolve HOST:PORT:ADDRESS[,ADDRESS]\n"
          "                         use ADDRESS for HOST on PORT, as curl's\n"
          "                         --resolve does; the address guard still\n"
          "                         applies; repeatable\n"
          "\n"
          "Exit status: 0 when the run completed (findings are not errors);\n"
          "1 when it failed; 2 on a usage error.\n");
}

static int usage_error(const char *fmt, ...)
  __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "simpul examine: ");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "; see 'simpul examine --help'\n");
  return 2;
}

struct examine_args {
  struct examine_options opt;
  const char **codes;
  size_t code_count;
};

static bool
parse_int(const char *text, int min, int max, int *out)
{
  char *end;
  long n = strtol(text, &end, 10);
  if (end == text || *end != '\0' || n < min || n > max)
    return false;
  *out = (int)n;
  return true;
}

/* Handles one option with its value; returns 0 or a usage exit status. */
static int
parse_option(struct examine_args *a, const char *name, const char *value)
{
  char err[512];
  struct cidr_range range;
  int n;

  if (strcmp(name, "--concurrency") == 0) {
    if (!parse_int(value, 1, 1024, &a->opt.concurrency))
      return usage_error("--concurrency '%s' must be a number from 1 to "
                         "1024", value);
  } else if (strcmp(name, "--timeout") == 0) {
    if (!parse_int(value, 1, 300, &n))
      return usage_error("--timeout '%s' must be a number of seconds from 1 "
                         "to 300", value);
    a->opt.timeout_ms = n * 1000;
  } else if (strcmp(name, "--cacert") == 0) {
    a->opt.cacert = value;
  } else if (strcmp(name, "--allow-private") == 0) {
    if (!cidr_parse(value, &range, err, sizeof err))
      return usage_error("%s", err);
    if (a->opt.allow_private_count >= EXAMINE_MAX_RANGES)
      return usage_error("--allow-private given more than %d times",
                         EXAMINE_MAX_RANGES);
    a->opt.allow_private[a->opt.allow_private_count++] = value;
  } else if (strcmp(name, "--resolve") == 0) {
    if (!examine_resolve_valid(value, err, sizeof err))
      return usage_error("%s", err);
    if (a->opt.resolve_count >= EXAMINE_MAX_RESOLVE)
      return usage_error("--resolve given more than %d times",
                         EXAMINE_MAX_RESOLVE);
    a->opt.resolve[a->opt.resolve_count++] = value;
  } else {
    return usage_error("unknown option '%s'", name);
  }
  return 0;
}

static int
parse_args(struct examine_args *a, int argc, char **argv)
{
  a->codes = calloc((size_t)argc, sizeof *a->codes);
  if (a->codes == NULL)
    return 1;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] != '-' || argv[i][1] == '\0') {
      a->codes[a->code_count++] = argv[i];
      continue;
    }
    if (i + 1 >= argc)
      return usage_error("option '%s' needs a value", argv[i]);
    int rc = parse_option(a, argv[i], argv[i + 1]);
    if (rc != 0)
      return rc;
    i++;
  }
  return 0;
}

/* Checks that every code names an app; false after printing the error. */
static bool
codes_known(struct store *s, const struct examine_args *a)
{
  for (size_t i = 0; i < a->code_count; i++) {
    struct app app;
    enum store_rc rc = s->ops->app_get(s, a->codes[i], &app);
    if (rc == STORE_OK) {
      app_free(&app);
      continue;
    }
    if (rc == STORE_NOT_FOUND)
      cli_print_error(SP_ERR_UNKNOWN_APP, "aplikasi '%s' tidak ada di "
                      "katalog / no application has the code '%s'; list "
                      "them with 'simpul catalog list apps'", a->codes[i],
                      a->codes[i]);
    else
      cli_print_error(store_rc_error(rc), "%s", store_errmsg(s));
    return false;
  }
  return true;
}

static char *
params_text(const struct examine_args *a)
{
  json_t *params = json_object();
  json_t *codes = a->code_count > 0 ? json_array() : NULL;
  for (size_t i = 0; codes != NULL && i < a->code_count; i++)
    json_array_append_new(codes, json_string(a->codes[i]));
  if (params != NULL && codes != NULL)
    json_object_set_new(params, "apps", codes);
  char *text = params ? json_dumps(params, JSON_COMPACT) : NULL;
  json_decref(params);
  return text;
}

/* The job this process runs, and its lease. */
struct cli_job {
  struct store *store;
  struct job job;
  char owner[192];
  int lease;
  int64_t last_write;
};

/* Adds the job already running under this process's lease. */
static bool
add_job(struct cli *c, struct cli_job *j, const struct examine_args *a)
{
  int64_t now = time(NULL);
  char *params = params_text(a);
  jobs_node_id(&c->cfg, j->owner, sizeof j->owner);
  j->lease = c->cfg.job_lease;
  j->job = (struct job){
    .kind = JOBS_KIND_EXAMINE, .params = params, .state = "running",
    .created_by = c->actor, .lease_owner = j->owner,
    .lease_expires_at = now + j->lease, .scheduled_for = now,
    .created_at = now, .started_at = now,
  };
  enum store_rc rc = params ? j->store->ops->job_add(j->store, &j->job)
                            : STORE_ERROR;
  if (rc != STORE_OK) {
    cli_print_error(params ? store_rc_error(rc) : SP_ERR_NOMEM,
                    "creating the examination job failed: %s",
                    store_errmsg(j->store));
    free(params);
    j->job.params = NULL;
    return false;
  }
  return true;
}

/* The signal that asked the run to stop (SIGINT or SIGTERM), or 0. */
static volatile sig_atomic_t stop_signal;

static void
on_stop_signal(int sig)
{
  stop_signal = sig;
}

/* Records progress and renews the lease at most once a second, except
 * for the last result. Returns false, which stops the run, after SIGINT
 * or SIGTERM. */
static bool
report_progress(void *ctx, int64_t done, int64_t total)
{
  struct cli_job *j = ctx;
  if (stop_signal != 0)
    return false;
  int64_t now = time(NULL);
  if (now == j->last_write && done < total)
    return true;
  j->last_write = now;
  struct store *s = j->store;
  enum store_rc rc = s->ops->job_progress(s, j->job.id, j->owner, done,
                                          total);
  if (rc == STORE_OK)
    rc = s->ops->job_renew(s, j->job.id, j->owner, now + j->lease);
  if (rc == STORE_NOT_FOUND) {
    fprintf(stderr, "\nsimpul examine: job %" PRId64 " was taken over by "
            "another node; stopping\n", j->job.id);
    return false;
  }
  if (rc != STORE_OK)
    log_event(LOG_WARN, "examine.progress_failed", "error",
              store_errmsg(s), NULL);
  return true;
}

struct tally {
  int64_t examined;
  int64_t graded;
  int64_t outcomes[6];
  int64_t severities[FINDING_SEVERITY_COUNT];
};

static const char *const outcome_names[6] = {
  "ok", "http-error", "timeout", "unreachable", "refused", "not-examinable",
};

static void
tally_result(struct tally *t, const struct exam_result *r)
{
  t->examined++;
  if (r->grade != NULL)
    t->graded++;
  for (size_t i = 0; i < 6; i++)
    if (r->outcome != NULL && strcmp(r->outcome, outcome_names[i]) == 0)
      t->outcomes[i]++;
  for (size_t i = 0; i < r->finding_count; i++) {
    int rank = finding_severity_rank(r->findings[i].severity);
    if (rank >= 0)
      t->severities[rank]++;
  }
}

/* Prints the run's summary from what the store holds. */
static void
print_summary(struct store *s, int64_t run_id)
{
  struct string_list codes = {0};
  struct tally t = {0};
  if (s->ops->exam_result_codes(s, run_id, &codes) != STORE_OK) {
    cli_print_error(SP_ERR_STORE, "reading the results failed: %s",
                    store_errmsg(s));
    return;
  }
  for (size_t i = 0; i < codes.count; i++) {
    struct exam_result r;
    if (s->ops->exam_result_get(s, run_id, codes.items[i], &r) != STORE_OK)
      continue;
    tally_result(&t, &r);
    exam_result_free(&r);
  }
  string_list_free(&codes);
  printf("job %" PRId64 ": %" PRId64 " aplikasi diperiksa / apps examined, "
         "%" PRId64 " dinilai / graded\n", run_id, t.examined, t.graded);
  printf("  hasil / outcomes:");
  for (size_t i = 0; i < 6; i++)
    printf(" %s %" PRId64 "%s", outcome_names[i], t.outcomes[i],
           i < 5 ? "," : "\n");
  printf("  temuan / findings:");
  for (int i = FINDING_SEVERITY_COUNT - 1; i >= 0; i--)
    printf(" %s %" PRId64 "%s", finding_severities[i], t.severities[i],
           i > 0 ? "," : "\n");
  printf("  details: 'simpul report --format html --output report.html'\n");
}

/* After SIGINT or SIGTERM: hands the job's lease back, so that a `simpul
 * serve` node resumes the job with the apps not yet examined, and returns
 * the shell's exit status for the signal. */
static int
stop_interrupted(struct cli_job *j)
{
  enum store_rc rc = j->store->ops->job_renew(j->store, j->job.id, j->owner,
                                              (int64_t)time(NULL) - 1);
  char id[24];
  snprintf(id, sizeof id, "%" PRId64, j->job.id);
  log_event(LOG_INFO, "examine.interrupted", "job", id, "signal",
            stop_signal == SIGINT ? "SIGINT" : "SIGTERM", "released",
            rc == STORE_OK ? "yes" : "no", NULL);
  fprintf(stderr, "\nsimpul examine: dihentikan; hasil yang sudah ada "
          "disimpan / stopped; the results so far are kept. Job %s is "
          "released: a running 'simpul serve' finishes the apps not yet "
          "examined.\n", id);
  return 128 + stop_signal;
}

static int
run_examination(struct cli *c, struct examine_args *a)
{
  struct cli_job j = {0};
  j.store = cli_open_store(c);
  if (j.store == NULL)
    return 1;
  char why[1024];
  if (!examine_options_check(&a->opt, why, sizeof why)) {
    cli_print_error(SP_ERR_CONFIG, "%s", why);
    store_close(j.store);
    return 1;
  }
  if (!codes_known(j.store, a) || !add_job(c, &j, a)) {
    store_close(j.store);
    return 1;
  }
  enum sp_err err = examine_run_job(j.store, &j.job, &a->opt,
                                    report_progress, &j);
  if (stop_signal != 0) {
    int rc = stop_interrupted(&j);
    free(j.job.params);
    store_close(j.store);
    return rc;
  }
  const char *state = err == SP_OK ? "done" : "failed";
  if (err != SP_ERR_CONFLICT)
    j.store->ops->job_finish(j.store, j.job.id, j.owner, state,
                             err == SP_OK ? NULL : sp_error_info(err)->code,
                             time(NULL));
  if (err == SP_OK)
    print_summary(j.store, j.job.id);
  else
    cli_print_error(err, "the examination (job %" PRId64 ") stopped; the "
                    "log above says why. Results stored so far are kept.",
                    j.job.id);
  free(j.job.params);
  store_close(j.store);
  return err == SP_OK ? 0 : 1;
}

int
cli_examine(struct cli *c, int argc, char **argv)
{
  struct examine_args a = {0};
  char err[1024];

  if (cli_wants_help(argc, argv)) {
    examine_usage(stdout);
    return 0;
  }
  if (!examine_options_from_config(&a.opt, &c->cfg, err, sizeof err)) {
    cli_print_error(SP_ERR_CONFIG, "%s", err);
    return 2;
  }
  a.opt.progress = true;
  /* A server that closes its socket while TLS writes to it must not end
   * the run with SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  /* Ctrl-C stops the run between two steps of the engine (within about a
   * second), so the job is left in a known state. */
  struct sigaction stop = {.sa_handler = on_stop_signal};
  sigemptyset(&stop.sa_mask);
  sigaction(SIGINT, &stop, NULL);
  sigaction(SIGTERM, &stop, NULL);
  int rc = parse_args(&a, argc, argv);
  if (rc == 0)
    rc = run_examination(c, &a);
  free(a.codes);
  return rc;
}
