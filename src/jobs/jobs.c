/* The job runner: the table of kinds, enqueueing, claiming and running one
 * job with its lease, and the examination schedule. The worker thread that
 * drives these inside `simpul serve` lives in worker.c. */
#include "jobs/jobs.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "examine/examine.h"

#define KIND_NAME_MAX 32
#define DEDUPE_KEY_MAX 200
#define ACTOR_MAX 128

/* The actor of scheduled jobs, as shown in job lists. */
#define SCHEDULE_ACTOR "simpul:schedule"

struct kind_entry {
  char name[KIND_NAME_MAX + 1];
  jobs_run_fn run;
};

static enum sp_err run_examine(struct store *s, const struct job *job,
                               const struct config *cfg,
                               struct jobs_run *run, char *detail,
                               size_t detail_len);

static struct kind_entry kinds[JOBS_MAX_KINDS] = {
  {JOBS_KIND_EXAMINE, run_examine},
};
static size_t kind_count = 1;

struct jobs_run {
  struct store *s;
  const struct config *cfg;
  const struct job *job;
  const char *node;
  const atomic_bool *stop;
  time_t last_renew;
  bool lost;                 /* another node holds the lease now */
  bool stopping;             /* the worker asked the run to stop */
};

static bool
valid_kind_name(const char *kind)
{
  size_t n = kind ? strlen(kind) : 0;
  if (n == 0 || n > KIND_NAME_MAX)
    return false;
  return strspn(kind, "abcdefghijklmnopqrstuvwxyz0123456789-_") == n;
}

static const struct kind_entry *
find_kind(const char *kind)
{
  for (size_t i = 0; kind != NULL && i < kind_count; i++)
    if (strcmp(kinds[i].name, kind) == 0)
      return &kinds[i];
  return NULL;
}

bool
jobs_register_kind(const char *kind, jobs_run_fn run)
{
  if (!valid_kind_name(kind) || run == NULL || find_kind(kind) != NULL
      || kind_count == JOBS_MAX_KINDS)
    return false;
  snprintf(kinds[kind_count].name, sizeof kinds[0].name, "%s", kind);
  kinds[kind_count].run = run;
  kind_count++;
  return true;
}

/* Checks that `params` is one JSON object of at most JOBS_MAX_PARAMS
 * bytes. */
static enum sp_err
check_params(const char *params, char *detail, size_t detail_len)
{
  size_t len = strlen(params);
  if (len > JOBS_MAX_PARAMS) {
    snprintf(detail, detail_len, "parameter pekerjaan %zu bita, maksimum %d "
             "/ job params are %zu bytes, at most %d", len, JOBS_MAX_PARAMS,
             len, JOBS_MAX_PARAMS);
    return SP_ERR_TOO_LARGE;
  }
  json_error_t error;
  json_t *root = json_loadb(params, len, JSON_REJECT_DUPLICATES, &error);
  bool object = json_is_object(root);
  json_decref(root);
  if (root == NULL) {
    snprintf(detail, detail_len, "parameter pekerjaan bukan JSON yang sah / "
             "job params are not valid JSON: %s at byte %d", error.text,
             error.position);
    return SP_ERR_BAD_JSON;
  }
  if (!object) {
    snprintf(detail, detail_len, "parameter pekerjaan harus objek JSON / "
             "job params must be a JSON object such as {\"apps\":[...]}");
    return SP_ERR_BAD_JSON;
  }
  return SP_OK;
}

/* Checks the caller's values before anything is stored. */
static enum sp_err
check_enqueue(const char *kind, const char *params, const char *actor,
              const char *dedupe_key, char *detail, size_t detail_len)
{
  if (find_kind(kind) == NULL) {
    snprintf(detail, detail_len, "jenis pekerjaan '%.40s' tidak dikenal / "
             "unknown job kind '%.40s'; use '%s'", kind ? kind : "",
             kind ? kind : "", JOBS_KIND_EXAMINE);
    return SP_ERR_BAD_CHOICE;
  }
  if (actor == NULL || actor[0] == '\0') {
    snprintf(detail, detail_len, "pelaku pekerjaan kosong / the job's actor "
             "is missing; pass the user or program that asks for it");
    return SP_ERR_REQUIRED;
  }
  if (strlen(actor) > ACTOR_MAX
      || (dedupe_key != NULL && strlen(dedupe_key) > DEDUPE_KEY_MAX)) {
    snprintf(detail, detail_len, "pelaku atau kunci dedupe terlalu panjang "
             "/ the actor (at most %d bytes) or dedupe key (at most %d) is "
             "too long", ACTOR_MAX, DEDUPE_KEY_MAX);
    return SP_ERR_TOO_LONG;
  }
  return check_params(params, detail, detail_len);
}

enum sp_err
jobs_enqueue(struct store *s, const char *kind, const char *params,
             const char *actor, const char *dedupe_key,
             int64_t scheduled_for, int64_t *id, bool *existed, char *detail,
             size_t detail_len)
{
  if (existed != NULL)
    *existed = false;
  *id = 0;
  detail[0] = '\0';
  params = params ? params : "{}";
  enum sp_err err = check_enqueue(kind, params, actor, dedupe_key, detail,
                                  detail_len);
  if (err != SP_OK)
    return err;
  struct job j = {.kind = (char *)kind, .params = (char *)params,
                  .created_by = (char *)actor,
                  .dedupe_key = (char *)dedupe_key,
                  .scheduled_for = scheduled_for};
  enum store_rc rc = s->ops->job_add(s, &j);
  if (rc == STORE_CONFLICT && dedupe_key != NULL && j.id != 0) {
    *id = j.id;
    if (existed != NULL)
      *existed = true;
    return SP_OK;
  }
  if (rc != STORE_OK) {
    snprintf(detail, detail_len, "%s", store_errmsg(s));
    return store_rc_error(rc);
  }
  *id = j.id;
  char id_text[24];
  snprintf(id_text, sizeof id_text, "%" PRId64, j.id);
  log_event(LOG_INFO, "job.enqueued", "job", id_text, "kind", kind, "actor",
            actor, "dedupe_key", dedupe_key, NULL);
  return SP_OK;
}

/* Adapts jobs_run_progress to the examination engine's callback. */
static bool
examine_progress(void *run, int64_t done, int64_t total)
{
  return jobs_run_progress(run, done, total);
}

/* Runs kind "examine" with this node's examine_* settings. */
static enum sp_err
run_examine(struct store *s, const struct job *job, const struct config *cfg,
            struct jobs_run *run, char *detail, size_t detail_len)
{
  struct examine_options opt;
  if (!examine_options_from_config(&opt, cfg, detail, detail_len))
    return SP_ERR_CONFIG;
  opt.progress = false;
  return examine_run_job(s, job, &opt, examine_progress, run);
}

/* Logs `event` about the run's job with the node and more fields. */
static void
log_job(enum log_level level, const char *event, const struct jobs_run *run,
        const char *key, const char *value)
{
  char id[24];
  snprintf(id, sizeof id, "%" PRId64, run->job->id);
  log_event(level, event, "job", id, "kind", run->job->kind, "node",
            run->node, key, value, NULL);
}

static void
mark_lost(struct jobs_run *run)
{
  if (!run->lost)
    log_job(LOG_WARN, "job.lease_lost", run, "fix",
            "another node took the job over because this node's lease "
            "expired. Raise job_lease when a run stalls longer than that");
  run->lost = true;
}

/* Renews the lease when a third of it has passed since the last renewal. */
static void
renew_when_due(struct jobs_run *run)
{
  int lease = run->cfg->job_lease;
  time_t now = time(NULL);
  if (now - run->last_renew < (lease >= 3 ? lease / 3 : 1))
    return;
  enum store_rc rc = run->s->ops->job_renew(run->s, run->job->id, run->node,
                                            (int64_t)now + lease);
  if (rc == STORE_NOT_FOUND) {
    mark_lost(run);
  } else if (rc != STORE_OK) {
    log_job(LOG_WARN, "job.lease_renew_failed", run, "error",
            store_errmsg(run->s));
  } else {
    char until[24];
    snprintf(until, sizeof until, "%lld", (long long)now + lease);
    run->last_renew = now;
    log_job(LOG_DEBUG, "job.lease_renewed", run, "lease_until", until);
  }
}

bool
jobs_run_progress(struct jobs_run *run, int64_t done, int64_t total)
{
  if (run->lost)
    return false;
  enum store_rc rc = run->s->ops->job_progress(run->s, run->job->id,
                                               run->node, done, total);
  if (rc == STORE_NOT_FOUND)
    mark_lost(run);
  else if (rc != STORE_OK)
    log_job(LOG_WARN, "job.progress_failed", run, "error",
            store_errmsg(run->s));
  if (!run->lost)
    renew_when_due(run);
  if (run->stop != NULL && atomic_load(run->stop))
    run->stopping = true;
  return !run->lost && !run->stopping;
}

/* Hands the lease back at once, so that another node resumes the job
 * without waiting for the lease to expire. */
static void
release(struct jobs_run *run)
{
  int64_t now = (int64_t)time(NULL);
  enum store_rc rc = run->s->ops->job_renew(run->s, run->job->id, run->node,
                                            now - 1);
  if (rc == STORE_OK)
    log_job(LOG_INFO, "job.released", run, "reason", "worker stopping");
  else if (rc == STORE_NOT_FOUND)
    mark_lost(run);
  else
    log_job(LOG_WARN, "job.release_failed", run, "error",
            store_errmsg(run->s));
}

/* Records the end of a run: done, or failed with `err` and `detail`. */
static void
finish(struct jobs_run *run, enum sp_err err, const char *detail,
       time_t started)
{
  char error[1024] = "", seconds[24];
  const struct sp_error_info *info = sp_error_info(err);
  if (err != SP_OK)
    snprintf(error, sizeof error, "%s: %s", info->code,
             detail[0] ? detail : info->message_en);
  enum store_rc rc = run->s->ops->job_finish(
    run->s, run->job->id, run->node, err == SP_OK ? "done" : "failed",
    err == SP_OK ? NULL : error, (int64_t)time(NULL));
  snprintf(seconds, sizeof seconds, "%lld",
           (long long)(time(NULL) - started));
  if (rc == STORE_NOT_FOUND)
    mark_lost(run);
  else if (rc != STORE_OK)
    log_job(LOG_ERROR, "job.finish_failed", run, "error",
            store_errmsg(run->s));
  else if (err == SP_OK)
    log_job(LOG_INFO, "job.done", run, "seconds", seconds);
  else
    log_job(LOG_WARN, "job.failed", run, "error", error);
}

/* Runs a claimed job to its end. */
static void
run_claimed(struct store *s, const struct config *cfg, const char *node,
            const atomic_bool *stop, const struct job *job, jobs_run_fn fn)
{
  struct jobs_run run = {.s = s, .cfg = cfg, .job = job, .node = node,
                         .stop = stop, .last_renew = time(NULL)};
  char done[24], detail[768] = "";
  snprintf(done, sizeof done, "%" PRId64, job->progress_done);
  log_job(LOG_INFO, "job.claimed", &run, "progress_done", done);
  if (job->taken_over)
    log_job(LOG_INFO, "job.taken_over", &run, "resumes_after", done);
  time_t started = time(NULL);
  enum sp_err err = fn(s, job, cfg, &run, detail, sizeof detail);
  if (run.lost)
    return;
  if (err != SP_OK && (run.stopping || (stop && atomic_load(stop)))) {
    release(&run);
    return;
  }
  finish(&run, err, detail, started);
}

bool
jobs_run_next(struct store *s, const struct config *cfg, const char *node,
              const atomic_bool *stop)
{
  for (size_t i = 0; i < kind_count; i++) {
    if (stop != NULL && atomic_load(stop))
      return false;
    int64_t now = (int64_t)time(NULL);
    struct job job = {0};
    enum store_rc rc = s->ops->job_claim(s, kinds[i].name, node, now,
                                         now + cfg->job_lease, &job);
    if (rc == STORE_NOT_FOUND)
      continue;
    if (rc != STORE_OK) {
      log_event(LOG_WARN, "job.claim_failed", "kind", kinds[i].name, "node",
                node, "error", store_errmsg(s), NULL);
      return false;
    }
    run_claimed(s, cfg, node, stop, &job, kinds[i].run);
    job_free(&job);
    return true;
  }
  return false;
}

enum sp_err
jobs_schedule_next(struct store *s, const struct config *cfg, int64_t now,
                   int64_t *slot_start, bool *enqueued)
{
  if (enqueued != NULL)
    *enqueued = false;
  if (cfg->examine_interval <= 0)
    return SP_OK;
  int64_t interval = cfg->examine_interval;
  int64_t start = (now / interval + 1) * interval;
  if (slot_start != NULL)
    *slot_start = start;
  char key[64], detail[512];
  snprintf(key, sizeof key, "schedule:examine:%" PRId64, start);
  int64_t id = 0;
  bool existed = false;
  enum sp_err err = jobs_enqueue(s, JOBS_KIND_EXAMINE, "{}", SCHEDULE_ACTOR,
                                 key, start, &id, &existed, detail,
                                 sizeof detail);
  if (err != SP_OK) {
    log_event(LOG_WARN, "schedule.enqueue_failed", "dedupe_key", key,
              "error", detail, NULL);
    return err;
  }
  if (!existed) {
    char id_text[24], due[24];
    snprintf(id_text, sizeof id_text, "%" PRId64, id);
    snprintf(due, sizeof due, "%" PRId64, start);
    log_event(LOG_INFO, "schedule.enqueued", "job", id_text, "due", due,
              "dedupe_key", key, NULL);
  }
  if (enqueued != NULL)
    *enqueued = !existed;
  return SP_OK;
}

void
jobs_node_id(const struct config *cfg, char *out, size_t len)
{
  if (cfg->node_id[0] != '\0') {
    snprintf(out, len, "%s", cfg->node_id);
    return;
  }
  char host[256];
  if (gethostname(host, sizeof host) != 0)
    snprintf(host, sizeof host, "unknown-host");
  host[sizeof host - 1] = '\0';
  snprintf(out, len, "%s:%ld", host, (long)getpid());
}
