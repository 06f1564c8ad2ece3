/* The job runner, with a job kind of the test's own: enqueueing, running
 * each job once, resuming after a node died, stopping when the lease is
 * lost, releasing on stop, the schedule under a race, and the worker
 * thread. The store is the one named by SIMPUL_TEST_STORE, or a fresh
 * temporary SQLite file when it is unset. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobs/jobs.h"
#include "store/store.h"
#include "testlib.h"

#define COUNT_KIND "test-count"
#define MAX_SLOTS 16
#define MAX_ITEMS 16

static struct store *store;
static char store_url[1024];
static char temp_path[256];
static struct config cfg;
static char run_suffix[32];

/* How often the test kind did each item of each job "slot" (a number in
 * the job's params), across every run and worker. */
static int processed[MAX_SLOTS][MAX_ITEMS];
static pthread_mutex_t processed_lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool stop_flag;
static int next_slot;

/* What one job of the test kind does, from its params. */
struct count_params {
  int items;
  int slot;
  int steal_at;    /* after this item, another node takes the job over */
  int stop_at;     /* after this item, the worker is asked to stop */
  bool fail;       /* end with an error instead of success */
};

static bool
parse_params(const char *text, struct count_params *p)
{
  json_t *root = json_loads(text, 0, NULL);
  *p = (struct count_params){.steal_at = -1, .stop_at = -1};
  if (root == NULL)
    return false;
  p->items = (int)json_integer_value(json_object_get(root, "items"));
  p->slot = (int)json_integer_value(json_object_get(root, "slot"));
  if (json_object_get(root, "steal_at"))
    p->steal_at = (int)json_integer_value(json_object_get(root, "steal_at"));
  if (json_object_get(root, "stop_at"))
    p->stop_at = (int)json_integer_value(json_object_get(root, "stop_at"));
  p->fail = json_is_true(json_object_get(root, "fail"));
  json_decref(root);
  return p->items > 0 && p->items <= MAX_ITEMS && p->slot >= 0
         && p->slot < MAX_SLOTS;
}

/* The committed work of item `i` of `job`: a meta key. */
static void
item_key(const struct job *job, int i, char *out, size_t len)
{
  snprintf(out, len, "test-job:%s:%lld:%d", run_suffix, (long long)job->id,
           i);
}

/* Another node claims the job as if this node's lease had expired. */
static void
steal(struct store *s, const struct job *job)
{
  int64_t later = (int64_t)time(NULL) + cfg.job_lease + 5;
  struct job got = {0};
  CHECK_INT(s->ops->job_claim(s, job->kind, "thief", later, later + 60,
                              &got), STORE_OK);
  CHECK_INT(got.id, job->id);
  job_free(&got);
}

/* Does item `i` unless a run before committed it. */
static bool
do_item(struct store *s, const struct job *job, const struct count_params *p,
        int i)
{
  char key[128], *value = NULL;
  item_key(job, i, key, sizeof key);
  enum store_rc rc = s->ops->meta_get(s, key, &value);
  free(value);
  if (rc == STORE_OK)
    return true;
  pthread_mutex_lock(&processed_lock);
  processed[p->slot][i]++;
  pthread_mutex_unlock(&processed_lock);
  return s->ops->meta_put(s, key, "1") == STORE_OK;
}

static enum sp_err
run_counting(struct store *s, const struct job *job, const struct config *c,
             struct jobs_run *run, char *detail, size_t detail_len)
{
  struct count_params p;
  (void)c;
  if (!parse_params(job->params, &p)) {
    snprintf(detail, detail_len, "bad test params");
    return SP_ERR_BAD_JSON;
  }
  for (int i = 0; i < p.items; i++) {
    if (!do_item(s, job, &p, i))
      return SP_ERR_STORE;
    if (i == p.steal_at)
      steal(s, job);
    if (i == p.stop_at)
      atomic_store(&stop_flag, true);
    if (!jobs_run_progress(run, i + 1, p.items)) {
      snprintf(detail, detail_len, "stopped after item %d", i);
      return SP_ERR_CONFLICT;
    }
  }
  if (p.fail) {
    snprintf(detail, detail_len, "disk penuh");
    return SP_ERR_IO;
  }
  return SP_OK;
}

/* Enqueues a job of the test kind; `extra` adds JSON members. Returns its
 * id and sets `*slot` to its counter slot. */
static int64_t
enqueue_count(int items, const char *extra, int *slot)
{
  char params[256], detail[256];
  int64_t id = 0;
  *slot = next_slot++;
  snprintf(params, sizeof params, "{\"items\":%d,\"slot\":%d%s%s}", items,
           *slot, extra ? "," : "", extra ? extra : "");
  CHECK_INT(jobs_enqueue(store, COUNT_KIND, params, "uji", NULL, 0, &id,
                         NULL, detail, sizeof detail), SP_OK);
  return id;
}

/* Runs every due job on `node`; returns how many ran. */
static int
run_all(const char *node, const atomic_bool *stop)
{
  int ran = 0;
  while (ran < 100 && jobs_run_next(store, &cfg, node, stop))
    ran++;
  return ran;
}

static void
check_each_once(int slot, int items)
{
  for (int i = 0; i < items; i++)
    CHECK_INT(processed[slot][i], 1);
}

TEST(enqueue_checks_its_input)
{
  char detail[256], big[JOBS_MAX_PARAMS + 16];
  int64_t id = 0;
  bool existed = true;

  CHECK_INT(jobs_enqueue(store, "tidak-ada", "{}", "uji", NULL, 0, &id,
                         NULL, detail, sizeof detail), SP_ERR_BAD_CHOICE);
  CHECK(strstr(detail, "tidak-ada") != NULL);
  CHECK_INT(jobs_enqueue(store, COUNT_KIND, "{\"items\":", "uji", NULL, 0,
                         &id, NULL, detail, sizeof detail), SP_ERR_BAD_JSON);
  CHECK_INT(jobs_enqueue(store, COUNT_KIND, "[1]", "uji", NULL, 0, &id, NULL,
                         detail, sizeof detail), SP_ERR_BAD_JSON);
  CHECK_INT(jobs_enqueue(store, COUNT_KIND, "{\"a\":1,\"a\":2}", "uji", NULL,
                         0, &id, NULL, detail, sizeof detail),
            SP_ERR_BAD_JSON);
  CHECK_INT(jobs_enqueue(store, COUNT_KIND, "{}", "", NULL, 0, &id, NULL,
                         detail, sizeof detail), SP_ERR_REQUIRED);
  memset(big, ' ', sizeof big - 1);
  big[0] = '{';
  big[sizeof big - 2] = '}';
  big[sizeof big - 1] = '\0';
  CHECK_INT(jobs_enqueue(store, COUNT_KIND, big, "uji", NULL, 0, &id, NULL,
                         detail, sizeof detail), SP_ERR_TOO_LARGE);
  CHECK_INT(id, 0);

  /* A future job with a dedupe key: the second enqueue gets the first. */
  char key[64];
  int64_t again = 0;
  snprintf(key, sizeof key, "uji:%s", run_suffix);
  CHECK_INT(jobs_enqueue(store, COUNT_KIND, NULL, "uji", key,
                         (int64_t)time(NULL) + 3600, &id, &existed, detail,
                         sizeof detail), SP_OK);
  CHECK(id > 0);
  CHECK(!existed);
  CHECK_INT(jobs_enqueue(store, COUNT_KIND, "{}", "lain", key, 0, &again,
                         &existed, detail, sizeof detail), SP_OK);
  CHECK_INT(again, id);
  CHECK(existed);
}

TEST(register_kind_rejects_bad_names)
{
  CHECK(!jobs_register_kind(JOBS_KIND_EXAMINE, run_counting));
  CHECK(!jobs_register_kind(COUNT_KIND, run_counting));
  CHECK(!jobs_register_kind("Huruf-Besar", run_counting));
  CHECK(!jobs_register_kind("", run_counting));
  CHECK(!jobs_register_kind("tanpa-fungsi", NULL));
}

TEST(runner_runs_job_once)
{
  int slot;
  int64_t id = enqueue_count(4, NULL, &slot);
  struct job got = {0};

  CHECK_INT(run_all("node-a", NULL), 1);
  check_each_once(slot, 4);
  CHECK_INT(store->ops->job_get(store, id, &got), STORE_OK);
  CHECK_STR(got.state, "done");
  CHECK_STR(got.lease_owner, "node-a");
  CHECK_INT(got.progress_done, 4);
  CHECK_INT(got.progress_total, 4);
  CHECK(got.started_at > 0);
  CHECK(got.finished_at >= got.started_at);
  CHECK(got.error == NULL);
  job_free(&got);
  CHECK_INT(run_all("node-b", NULL), 0);
}

TEST(runner_resumes_after_node_died)
{
  int slot;
  int64_t id = enqueue_count(5, NULL, &slot);
  int64_t now = (int64_t)time(NULL);
  struct job got = {0};

  /* A node claims the job, commits two items and dies: its lease has
   * already run out. */
  CHECK_INT(store->ops->job_claim(store, COUNT_KIND, "dead-node", now,
                                  now - 1, &got), STORE_OK);
  CHECK_INT(got.id, id);
  for (int i = 0; i < 2; i++) {
    char key[128];
    item_key(&got, i, key, sizeof key);
    CHECK_INT(store->ops->meta_put(store, key, "1"), STORE_OK);
  }
  CHECK_INT(store->ops->job_progress(store, id, "dead-node", 2, 5),
            STORE_OK);
  job_free(&got);

  CHECK_INT(run_all("node-b", NULL), 1);
  CHECK_INT(processed[slot][0], 0);
  CHECK_INT(processed[slot][1], 0);
  for (int i = 2; i < 5; i++)
    CHECK_INT(processed[slot][i], 1);
  CHECK_INT(store->ops->job_get(store, id, &got), STORE_OK);
  CHECK_STR(got.state, "done");
  CHECK_STR(got.lease_owner, "node-b");
  CHECK_INT(got.progress_done, 5);
  job_free(&got);
}

TEST(runner_records_failure)
{
  int slot;
  int64_t id = enqueue_count(2, "\"fail\":true", &slot);
  struct job got = {0};

  CHECK_INT(run_all("node-a", NULL), 1);
  CHECK_INT(store->ops->job_get(store, id, &got), STORE_OK);
  CHECK_STR(got.state, "failed");
  const char *code = sp_error_info(SP_ERR_IO)->code;
  CHECK(got.error != NULL);
  if (got.error != NULL) {
    CHECK(strstr(got.error, "disk penuh") != NULL);
    CHECK(strncmp(got.error, code, strlen(code)) == 0);
  }
  CHECK(got.finished_at > 0);
  job_free(&got);
}

TEST(runner_stops_when_lease_lost)
{
  int slot;
  int64_t id = enqueue_count(6, "\"steal_at\":1", &slot);
  struct job got = {0};

  CHECK_INT(run_all("node-a", NULL), 1);
  CHECK_INT(processed[slot][0], 1);
  CHECK_INT(processed[slot][1], 1);
  for (int i = 2; i < 6; i++)
    CHECK_INT(processed[slot][i], 0);
  CHECK_INT(store->ops->job_get(store, id, &got), STORE_OK);
  CHECK_STR(got.state, "running");
  CHECK_STR(got.lease_owner, "thief");
  CHECK_INT(got.progress_done, 1);
  job_free(&got);
}

TEST(runner_releases_job_on_stop)
{
  int slot;
  int64_t id = enqueue_count(6, "\"stop_at\":2", &slot);
  struct job got = {0};

  atomic_store(&stop_flag, false);
  CHECK_INT(run_all("node-a", &stop_flag), 1);
  atomic_store(&stop_flag, false);
  CHECK_INT(processed[slot][3], 0);
  CHECK_INT(store->ops->job_get(store, id, &got), STORE_OK);
  CHECK_STR(got.state, "running");
  CHECK(got.lease_expires_at < (int64_t)time(NULL));
  job_free(&got);

  /* Another node resumes it at once, without waiting for the lease. */
  CHECK_INT(run_all("node-b", NULL), 1);
  check_each_once(slot, 6);
  CHECK_INT(store->ops->job_get(store, id, &got), STORE_OK);
  CHECK_STR(got.state, "done");
  CHECK_STR(got.lease_owner, "node-b");
  job_free(&got);
}

struct schedule_racer {
  struct store_pool *pool;
  pthread_barrier_t *start;
  int64_t base;
  int slots;
  bool enqueued[8];
  int errors;
};

/* Calls jobs_schedule_next for each slot in step with the other racer. */
static void *
schedule_race(void *arg)
{
  struct schedule_racer *r = arg;
  struct store *s = store_pool_acquire(r->pool, 5000);
  for (int k = 0; k < r->slots; k++) {
    pthread_barrier_wait(r->start);
    int64_t now = r->base + (int64_t)k * cfg.examine_interval + 7;
    if (s == NULL || jobs_schedule_next(s, &cfg, now, NULL,
                                        &r->enqueued[k]) != SP_OK)
      r->errors++;
  }
  store_pool_release(r->pool, s);
  return NULL;
}

TEST(schedule_enqueues_once_per_slot)
{
  enum { RACERS = 2, SLOTS = 6 };
  char err[512];
  struct store_pool *p = store_pool_open(store_url, RACERS, err, sizeof err);
  pthread_barrier_t start;
  struct schedule_racer racers[RACERS];
  pthread_t threads[RACERS];
  int saved_interval = cfg.examine_interval;
  /* Far-future slots of this run alone, so no earlier run's jobs count. */
  int64_t base = ((int64_t)time(NULL) + 10 * 365 * 86400) / 60 * 60
                 + (getpid() % 1000) * 3600;

  CHECK(p != NULL);
  if (p == NULL)
    return;
  cfg.examine_interval = 60;
  pthread_barrier_init(&start, NULL, RACERS);
  for (int i = 0; i < RACERS; i++) {
    racers[i] = (struct schedule_racer){.pool = p, .start = &start,
                                        .base = base, .slots = SLOTS};
    CHECK_INT(pthread_create(&threads[i], NULL, schedule_race, &racers[i]),
              0);
  }
  for (int i = 0; i < RACERS; i++) {
    pthread_join(threads[i], NULL);
    CHECK_INT(racers[i].errors, 0);
  }
  pthread_barrier_destroy(&start);
  store_pool_close(p);
  for (int k = 0; k < SLOTS; k++)
    CHECK_INT(racers[0].enqueued[k] + racers[1].enqueued[k], 1);

  struct job_list l = {0};
  int found[SLOTS] = {0};
  CHECK_INT(store->ops->job_list(store, JOBS_KIND_EXAMINE, 0, &l), STORE_OK);
  for (size_t i = 0; i < l.count; i++) {
    int64_t due = l.items[i].scheduled_for;
    int64_t k = (due - base) / 60 - 1;
    if (due % 60 != 0 || k < 0 || k >= SLOTS || due <= base)
      continue;
    char key[64];
    snprintf(key, sizeof key, "schedule:examine:%lld", (long long)due);
    CHECK_STR(l.items[i].dedupe_key, key);
    CHECK_STR(l.items[i].state, "queued");
    found[k]++;
  }
  job_list_free(&l);
  for (int k = 0; k < SLOTS; k++)
    CHECK_INT(found[k], 1);
  cfg.examine_interval = saved_interval;
}

TEST(schedule_off_when_interval_zero)
{
  bool enqueued = true;
  int64_t slot = -1;
  cfg.examine_interval = 0;
  CHECK_INT(jobs_schedule_next(store, &cfg, (int64_t)time(NULL), &slot,
                               &enqueued), SP_OK);
  CHECK(!enqueued);
  CHECK_INT(slot, -1);
}

/* Waits up to 15 s for job `id` to end; true when it did. */
static bool
wait_done(int64_t id)
{
  for (int i = 0; i < 150; i++) {
    struct job got = {0};
    bool done = store->ops->job_get(store, id, &got) == STORE_OK
                && job_state_is_final(got.state);
    job_free(&got);
    if (done)
      return true;
    usleep(100 * 1000);
  }
  return false;
}

TEST(two_workers_run_each_job_once)
{
  enum { JOBS = 6, ITEMS = 3 };
  char err[512];
  struct store_pool *p = store_pool_open(store_url, 2, err, sizeof err);
  int slots[JOBS];
  int64_t ids[JOBS];

  CHECK(p != NULL);
  if (p == NULL)
    return;
  cfg.examine_interval = 0;
  struct jobs_worker *a = jobs_worker_start(p, &cfg, "worker-a", err,
                                            sizeof err);
  struct jobs_worker *b = jobs_worker_start(p, &cfg, "worker-b", err,
                                            sizeof err);
  CHECK(a != NULL);
  CHECK(b != NULL);
  for (int i = 0; i < JOBS; i++)
    ids[i] = enqueue_count(ITEMS, NULL, &slots[i]);
  for (int i = 0; i < JOBS; i++)
    CHECK(wait_done(ids[i]));
  jobs_worker_stop(a);
  jobs_worker_stop(b);
  store_pool_close(p);
  for (int i = 0; i < JOBS; i++) {
    struct job got = {0};
    check_each_once(slots[i], ITEMS);
    CHECK_INT(store->ops->job_get(store, ids[i], &got), STORE_OK);
    CHECK_STR(got.state, "done");
    CHECK(got.lease_owner != NULL
          && strncmp(got.lease_owner, "worker-", 7) == 0);
    job_free(&got);
  }
}

TEST(examine_kind_runs_engine)
{
  char agency_code[64], app_code[64], params[160], detail[256];
  snprintf(agency_code, sizeof agency_code, "DINAS-%s", run_suffix);
  snprintf(app_code, sizeof app_code, "apk-%s", run_suffix);
  struct agency a = {.code = agency_code, .name = "Dinas Uji"};
  struct app app = {.code = app_code, .name = "Aplikasi Android",
                    .kind = "android", .agency = agency_code,
                    .android_package = "id.go.metrokota.uji"};
  struct exam_result got = {0};
  struct job job = {0};
  int64_t id = 0;

  CHECK_INT(store->ops->agency_put(store, &a, NULL), STORE_OK);
  CHECK_INT(store->ops->app_put(store, &app, NULL), STORE_OK);
  /* An app without a URL: the engine records it without any request. */
  snprintf(params, sizeof params, "{\"apps\":[\"%s\"]}", app_code);
  CHECK_INT(jobs_enqueue(store, JOBS_KIND_EXAMINE, params, "uji", NULL, 0,
                         &id, NULL, detail, sizeof detail), SP_OK);
  CHECK_INT(run_all("node-a", NULL), 1);
  CHECK_INT(store->ops->job_get(store, id, &job), STORE_OK);
  CHECK_STR(job.state, "done");
  CHECK_INT(job.progress_done, 1);
  CHECK_INT(job.progress_total, 1);
  job_free(&job);
  CHECK_INT(store->ops->exam_result_get(store, id, app_code, &got),
            STORE_OK);
  CHECK_STR(got.outcome, "not-examinable");
  exam_result_free(&got);
}

TEST(node_id_from_config_or_host)
{
  char id[192];
  struct config c;
  config_defaults(&c);
  snprintf(c.node_id, sizeof c.node_id, "simpul-1");
  jobs_node_id(&c, id, sizeof id);
  CHECK_STR(id, "simpul-1");
  c.node_id[0] = '\0';
  jobs_node_id(&c, id, sizeof id);
  char pid[32];
  snprintf(pid, sizeof pid, ":%ld", (long)getpid());
  CHECK(strlen(id) > strlen(pid));
  CHECK_STR(id + strlen(id) - strlen(pid), pid);
}

int
main(void)
{
  const char *url = getenv("SIMPUL_TEST_STORE");
  char err[512];
  int version;

  snprintf(run_suffix, sizeof run_suffix, "%ld-%ld", (long)getpid(),
           (long)time(NULL) % 100000);
  snprintf(temp_path, sizeof temp_path, "/tmp/simpul-test-jobs-%s.db",
           run_suffix);
  snprintf(store_url, sizeof store_url, "%s", url && *url ? url : temp_path);
  store = store_open(store_url, err, sizeof err);
  if (store == NULL || store->ops->migrate(store, &version) != STORE_OK) {
    printf("FAIL setup: %s\n", store ? store_errmsg(store) : err);
    return 1;
  }
  config_defaults(&cfg);
  cfg.job_lease = 30;
  if (!jobs_register_kind(COUNT_KIND, run_counting)) {
    printf("FAIL setup: registering the test kind failed\n");
    return 1;
  }

  RUN(enqueue_checks_its_input);
  RUN(register_kind_rejects_bad_names);
  RUN(runner_runs_job_once);
  RUN(runner_resumes_after_node_died);
  RUN(runner_records_failure);
  RUN(runner_stops_when_lease_lost);
  RUN(runner_releases_job_on_stop);
  RUN(schedule_enqueues_once_per_slot);
  RUN(schedule_off_when_interval_zero);
  RUN(two_workers_run_each_job_once);
  RUN(examine_kind_runs_engine);
  RUN(node_id_from_config_or_host);

  store_close(store);
  if (!(url && *url)) {
    char path[300];
    unlink(temp_path);
    snprintf(path, sizeof path, "%s-wal", temp_path);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", temp_path);
    unlink(path);
  }
  return TEST_EXIT();
}
