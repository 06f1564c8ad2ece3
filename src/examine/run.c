/* An examination run: options, the run's shared state, and the loop that
 * keeps a bounded number of sites in flight and stores each result as
 * soon as it is complete. */
#include <arpa/inet.h>
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "core/log.h"
#include "examine/internal.h"

static_assert(EXAMINE_MAX_RANGES <= GUARD_MAX_RANGES,
              "the guard must hold every allowed range");

/* Requests a site makes besides its signature paths: the two Observatory
 * sessions, the app's own URL, the missing path, robots.txt and CORS
 * (early and, when the sessions end elsewhere, again). */
#define SITE_FIXED_REQUESTS 7

/* Descriptors kept free for the store, logs and the server's sockets. */
#define RESERVED_FDS 128

/* Seconds without a finished site after which progress is reported
 * anyway, so that a job's lease is renewed and a stop request is seen
 * while every site in flight is slow. Well below job_lease's minimum of
 * 5 s, because the lease is renewed once a third of it has passed. */
#define PROGRESS_HEARTBEAT_SECONDS 1

/* ---- options ---- */

bool
examine_options_from_config(struct examine_options *opt,
                            const struct config *cfg, char *err,
                            size_t errlen)
{
  *opt = (struct examine_options){
    .concurrency = cfg->examine_concurrency,
    .timeout_ms = cfg->examine_timeout * 1000,
    .max_redirects = cfg->examine_max_redirects,
    .max_body = cfg->examine_max_body,
    .cacert = cfg->examine_cacert[0] ? cfg->examine_cacert : NULL,
    .allow_private_list = cfg->examine_allow_private[0]
                            ? cfg->examine_allow_private : NULL,
    .data_dir = cfg->data_dir,
  };
  struct guard check = {0};
  char why[512];
  if (!guard_allow_list(&check, opt->allow_private_list, why, sizeof why)) {
    snprintf(err, errlen, "examine_allow_private: %s", why);
    return false;
  }
  return true;
}

static bool
address_valid(const char *text, size_t n)
{
  char addr[INET6_ADDRSTRLEN + 2];
  unsigned char bytes[16];
  if (n >= 2 && text[0] == '[' && text[n - 1] == ']') {
    text++;
    n -= 2;
  }
  if (n == 0 || n >= sizeof addr)
    return false;
  memcpy(addr, text, n);
  addr[n] = '\0';
  return inet_pton(AF_INET, addr, bytes) == 1 ||
         inet_pton(AF_INET6, addr, bytes) == 1;
}

bool
examine_resolve_valid(const char *text, char *err, size_t errlen)
{
  const char *colon1 = strchr(text, ':');
  const char *colon2 = colon1 ? strchr(colon1 + 1, ':') : NULL;
  char *end = NULL;
  long port = colon2 ? strtol(colon1 + 1, &end, 10) : 0;
  bool ok = colon1 != NULL && colon1 > text && colon2 != NULL &&
            end == colon2 && port >= 1 && port <= 65535 &&
            strchr("+-", text[0]) == NULL && colon2[1] != '\0';
  for (const char *p = ok ? colon2 + 1 : ""; ok && *p != '\0';) {
    size_t n = strcspn(p, ",");
    ok = address_valid(p, n);
    p += n;
    if (*p == ',' && *++p == '\0')
      ok = false;
  }
  if (!ok)
    snprintf(err, errlen, "--resolve '%s' tidak valid / invalid --resolve "
             "'%s': write HOST:PORT:ADDRESS[,ADDRESS...], e.g. "
             "sigap.metrokota.test:443:203.0.113.7 or "
             "x.test:80:[2001:db8::1]", text, text);
  return ok;
}

/* ---- the run's state ---- */

static bool
load_data(struct examine_ctx *x, const char *data_dir, char *err,
          size_t errlen)
{
  char path[1200];
  snprintf(path, sizeof path, "%s/examine/findings.json", data_dir);
  if (!finding_table_load(&x->findings, path, err, errlen))
    return false;
  snprintf(path, sizeof path, "%s/examine/signatures.json", data_dir);
  return signatures_load(&x->sig, path, &x->findings, err, errlen);
}

static bool
init_guard(struct examine_ctx *x, const struct examine_options *opt,
           char *err, size_t errlen)
{
  for (size_t i = 0; i < opt->allow_private_count; i++)
    if (!guard_allow(&x->guard, opt->allow_private[i], err, errlen))
      return false;
  if (!guard_allow_list(&x->guard, opt->allow_private_list, err, errlen))
    return false;
  for (size_t i = 0; i < opt->resolve_count; i++)
    if (!examine_resolve_valid(opt->resolve[i], err, errlen))
      return false;
  return true;
}

bool
examine_ctx_init(struct examine_ctx *x, const struct examine_options *opt,
                 int64_t run_id, char *err, size_t errlen)
{
  memset(x, 0, sizeof *x);
  x->opt = opt;
  x->run_id = run_id;
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    snprintf(err, errlen, "libcurl could not be initialised");
    return false;
  }
  if (!init_guard(x, opt, err, errlen) ||
      !load_data(x, opt->data_dir ? opt->data_dir : "data", err, errlen))
    goto fail;
  if ((x->trust = tls_trust_new(opt->cacert, err, errlen)) == NULL)
    goto fail;
  x->probe_cfg = (struct probe_config){
    .guard = &x->guard, .timeout_ms = opt->timeout_ms,
    .resolve = opt->resolve, .resolve_count = opt->resolve_count,
    .trust = x->trust,
  };
  x->engine = probe_engine_new(&x->probe_cfg, err, errlen);
  if (x->engine != NULL)
    return true;
fail:
  examine_ctx_free(x);
  return false;
}

bool
examine_options_check(const struct examine_options *opt, char *err,
                      size_t errlen)
{
  struct examine_ctx x;
  if (!examine_ctx_init(&x, opt, 0, err, errlen))
    return false;
  examine_ctx_free(&x);
  return true;
}

void
examine_ctx_free(struct examine_ctx *x)
{
  probe_engine_free(x->engine);
  tls_trust_free(x->trust);
  signatures_free(&x->sig);
  finding_table_free(&x->findings);
  memset(x, 0, sizeof *x);
  curl_global_cleanup();
}

/* ---- the apps of a job ---- */

static int
compare_text(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
already_done(const struct string_list *done, const char *code)
{
  return done->count > 0 &&
         bsearch(&code, done->items, done->count, sizeof *done->items,
                 compare_text) != NULL;
}

/* Reads the apps named in the job's params, or every app. */
static enum sp_err
job_apps(struct store *s, const struct job *job, struct app_list *out)
{
  json_error_t jerr;
  json_t *params = job->params ? json_loads(job->params, 0, &jerr) : NULL;
  json_t *codes = json_object_get(params, "apps");
  enum store_rc rc = STORE_OK;

  memset(out, 0, sizeof *out);
  if (!json_is_array(codes)) {
    struct app_filter all = {.sort = APP_SORT_CODE};
    json_decref(params);
    rc = s->ops->app_list(s, &all, out);
    return rc == STORE_OK ? SP_OK : store_rc_error(rc);
  }
  out->items = calloc(json_array_size(codes) + 1, sizeof *out->items);
  if (out->items == NULL) {
    json_decref(params);
    return SP_ERR_NOMEM;
  }
  for (size_t i = 0; rc != STORE_ERROR && i < json_array_size(codes); i++) {
    const char *code = json_string_value(json_array_get(codes, i));
    if (code == NULL)
      continue;
    rc = s->ops->app_get(s, code, &out->items[out->count]);
    if (rc == STORE_OK)
      out->count++;
    else if (rc == STORE_NOT_FOUND)
      log_event(LOG_WARN, "examine.app_missing", "app", code, NULL);
  }
  json_decref(params);
  if (rc == STORE_ERROR || rc == STORE_RETRY) {
    app_list_free(out);
    return store_rc_error(rc);
  }
  out->total = (int64_t)out->count;
  return SP_OK;
}

/* ---- the loop ---- */

struct run {
  struct store *store;
  const struct job *job;
  struct examine_ctx x;
  examine_progress_fn progress;
  void *progress_ctx;
  bool draw;                 /* a progress line on the terminal */
  int64_t done;
  int64_t total;
  struct site **active;
  size_t active_count;
  size_t limit;              /* sites at once */
  bool stopped;
  enum sp_err err;
  time_t reported;           /* when progress was last reported, on the
                                monotonic clock */
};

static enum store_rc
put_result(struct store *s, void *arg)
{
  return s->ops->exam_result_put(s, arg);
}

static void
log_result(const struct exam_result *r)
{
  char status[16], ms[16], findings[16];
  snprintf(status, sizeof status, "%d", r->http_status);
  snprintf(ms, sizeof ms, "%d", r->response_ms);
  snprintf(findings, sizeof findings, "%zu", r->finding_count);
  log_event(LOG_DEBUG, "examine.result", "app", r->app_code, "outcome",
            r->outcome, "status", status, "grade", r->grade, "ms", ms,
            "findings", findings, NULL);
}

/* Seconds on a clock that system time changes do not move. */
static time_t
monotonic_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec;
}

/* Hands the counts to the progress callback, which stops the run by
 * returning false. */
static void
report_progress(struct run *run)
{
  run->reported = monotonic_seconds();
  if (run->progress != NULL &&
      !run->progress(run->progress_ctx, run->done, run->total)) {
    log_event(LOG_WARN, "examine.stopped", "reason", "progress callback",
              NULL);
    run->stopped = true;
    run->err = SP_ERR_CONFLICT;
  }
}

/* Stores one result in its own transaction and reports progress. */
static void
store_result(struct run *run, struct exam_result *r)
{
  enum store_rc rc = store_tx(run->store, false, put_result, r);
  if (rc != STORE_OK) {
    log_event(LOG_ERROR, "examine.store_failed", "app", r->app_code,
              "error", store_errmsg(run->store), NULL);
    run->err = store_rc_error(rc);
    run->stopped = true;
    return;
  }
  log_result(r);
  run->done++;
  if (run->draw)
    fprintf(stderr, "\rdiperiksa / examined %" PRId64 "/%" PRId64,
            run->done, run->total);
  report_progress(run);
}

/* Stores the results of the sites that finished and frees them. */
static void
collect_sites(struct run *run)
{
  size_t kept = 0;
  for (size_t i = 0; i < run->active_count; i++) {
    struct site *site = run->active[i];
    site_tick(site);
    if (!site_finished(site)) {
      run->active[kept++] = site;
      continue;
    }
    if (!run->stopped) {
      struct exam_result r;
      enum sp_err err = site_result(site, time(NULL), &r);
      if (err == SP_OK) {
        store_result(run, &r);
        exam_result_free(&r);
      } else {
        run->err = err;
        run->stopped = true;
      }
    }
    site_free(site);
  }
  run->active_count = kept;
}

/* Starts the next app; an app without a URL gets its result at once. */
static void
start_app(struct run *run, const struct app *app)
{
  if (app->url == NULL || app->url[0] == '\0') {
    struct exam_result r;
    if (site_not_examinable(&run->x, app, time(NULL), &r) != SP_OK) {
      run->err = SP_ERR_NOMEM;
      run->stopped = true;
      return;
    }
    store_result(run, &r);
    exam_result_free(&r);
    return;
  }
  struct site *site = site_start(&run->x, app);
  if (site == NULL) {
    run->err = SP_ERR_NOMEM;
    run->stopped = true;
    return;
  }
  run->active[run->active_count++] = site;
}

/* Sites at once: the configured concurrency, lowered when the process may
 * not open enough descriptors for every request of that many sites. The
 * soft descriptor limit is raised to the hard one first. */
static size_t
site_limit(int concurrency, size_t paths)
{
  struct rlimit rl;
  size_t limit = concurrency > 0 ? (size_t)concurrency : 1;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
    return limit;
  if (rl.rlim_cur < rl.rlim_max) {
    rlim_t old = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
      rl.rlim_cur = old;
  }
  size_t per_site = SITE_FIXED_REQUESTS + paths;
  size_t fds = rl.rlim_cur == RLIM_INFINITY ? SIZE_MAX : (size_t)rl.rlim_cur;
  size_t fit = fds > RESERVED_FDS ? (fds - RESERVED_FDS) / per_site : 1;
  return limit < fit ? limit : (fit > 0 ? fit : 1);
}

static void
run_loop(struct run *run, const struct app_list *apps,
         const struct string_list *done)
{
  size_t next = 0;
  while (!run->stopped && (next < apps->count || run->active_count > 0)) {
    while (!run->stopped && run->active_count < run->limit &&
           next < apps->count) {
      const struct app *app = &apps->items[next++];
      if (!already_done(done, app->code))
        start_app(run, app);
    }
    if (run->active_count == 0)
      continue;
    probe_engine_step(run->x.engine, 100);
    collect_sites(run);
    if (!run->stopped &&
        monotonic_seconds() - run->reported >= PROGRESS_HEARTBEAT_SECONDS)
      report_progress(run);
  }
  if (run->draw && run->total > 0)
    fputc('\n', stderr);
}

static void
log_start(const struct run *run, const struct examine_options *opt)
{
  char job[24], total[24], done[24], sites[24], timeout[24];
  snprintf(job, sizeof job, "%" PRId64, run->job->id);
  snprintf(total, sizeof total, "%" PRId64, run->total);
  snprintf(done, sizeof done, "%" PRId64, run->done);
  snprintf(sites, sizeof sites, "%zu", run->limit);
  snprintf(timeout, sizeof timeout, "%d", opt->timeout_ms);
  log_event(LOG_INFO, "examine.start", "job", job, "apps", total,
            "already_done", done, "concurrency", sites, "timeout_ms",
            timeout, NULL);
}

static void
log_stop(const struct run *run, int64_t started)
{
  char job[24], done[24], total[24], seconds[24];
  snprintf(job, sizeof job, "%" PRId64, run->job->id);
  snprintf(done, sizeof done, "%" PRId64, run->done);
  snprintf(total, sizeof total, "%" PRId64, run->total);
  snprintf(seconds, sizeof seconds, "%lld", (long long)(time(NULL) - started));
  log_event(run->err == SP_OK ? LOG_INFO : LOG_WARN, "examine.stop", "job",
            job, "done", done, "apps", total, "seconds", seconds, "error",
            run->err == SP_OK ? NULL : sp_error_info(run->err)->code, NULL);
}

/* Prepares the parts of a run that can fail before any probe starts. */
static enum sp_err
run_prepare(struct run *run, const struct examine_options *opt,
            struct app_list *apps, struct string_list *done)
{
  char err[1024];
  enum sp_err rc = job_apps(run->store, run->job, apps);
  if (rc != SP_OK)
    return rc;
  enum store_rc src = run->store->ops->exam_result_codes(run->store,
                                                         run->job->id, done);
  if (src != STORE_OK)
    return store_rc_error(src);
  if (done->count > 0)
    qsort(done->items, done->count, sizeof *done->items, compare_text);
  run->total = (int64_t)apps->count;
  for (size_t i = 0; i < apps->count; i++)
    if (already_done(done, apps->items[i].code))
      run->done++;
  if (!examine_ctx_init(&run->x, opt, run->job->id, err, sizeof err)) {
    log_event(LOG_ERROR, "examine.setup_failed", "error", err, NULL);
    return SP_ERR_CONFIG;
  }
  run->limit = site_limit(opt->concurrency, run->x.sig.path_count);
  run->active = calloc(run->limit, sizeof *run->active);
  return run->active != NULL ? SP_OK : SP_ERR_NOMEM;
}

enum sp_err
examine_run_job(struct store *s, const struct job *job,
                const struct examine_options *opt,
                examine_progress_fn progress, void *ctx)
{
  struct run run = {.store = s, .job = job, .progress = progress,
                    .progress_ctx = ctx};
  struct app_list apps = {0};
  struct string_list done = {0};
  int64_t started = time(NULL);

  run.draw = opt->progress && isatty(STDERR_FILENO);
  run.err = run_prepare(&run, opt, &apps, &done);
  if (run.err == SP_OK) {
    log_start(&run, opt);
    run.reported = monotonic_seconds();
    if (progress != NULL && !progress(ctx, run.done, run.total))
      run.err = SP_ERR_CONFLICT;
    else
      run_loop(&run, &apps, &done);
    log_stop(&run, started);
  } else {
    log_event(LOG_ERROR, "examine.failed", "error",
              sp_error_info(run.err)->code, NULL);
  }
  /* The probes end first: a site's group of connections can be freed
   * only when no probe uses it, and before libcurl's global cleanup. */
  bool ready = run.x.engine != NULL;
  probe_engine_free(run.x.engine);
  run.x.engine = NULL;
  for (size_t i = 0; i < run.active_count; i++)
    site_free(run.active[i]);
  free(run.active);
  if (ready)
    examine_ctx_free(&run.x);
  app_list_free(&apps);
  string_list_free(&done);
  return run.err;
}
