/* The worker thread of a node: about once a second it enqueues the
 * scheduled examination when a new slot begins and runs every due job. */
#include <errno.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "jobs/jobs.h"

/* The pause between two looks at the queue: TICK_MS, give or take
 * TICK_JITTER_MS, so that nodes started together do not stay in step. */
#define TICK_MS 1000
#define TICK_JITTER_MS 200

/* How long the worker waits for a pool connection before it tries again
 * at the next tick. */
#define ACQUIRE_WAIT_MS 1000

struct jobs_worker {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t wake;       /* signalled by jobs_worker_stop */
  atomic_bool stop;
  struct store_pool *pool;
  const struct config *cfg;
  char node[192];
  int64_t scheduled_slot;    /* start of the slot known to be enqueued */
  bool store_failing;        /* logged once per outage */
  unsigned seed;             /* for rand_r: jitter needs no better random */
};

/* Sleeps one tick, or less when the worker is asked to stop. */
static void
wait_tick(struct jobs_worker *w)
{
  int ms = TICK_MS - TICK_JITTER_MS
           + rand_r(&w->seed) % (2 * TICK_JITTER_MS + 1);
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  until.tv_sec += ms / 1000;
  until.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) {
    until.tv_sec++;
    until.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&w->lock);
  while (!atomic_load(&w->stop)
         && pthread_cond_timedwait(&w->wake, &w->lock, &until) != ETIMEDOUT)
    ;
  pthread_mutex_unlock(&w->lock);
}

/* Enqueues the next slot's examination unless this node already saw it
 * enqueued. */
static void
schedule_tick(struct jobs_worker *w, struct store *s)
{
  if (w->cfg->examine_interval <= 0)
    return;
  int64_t now = (int64_t)time(NULL);
  int64_t interval = w->cfg->examine_interval;
  if ((now / interval + 1) * interval == w->scheduled_slot)
    return;
  int64_t slot = 0;
  if (jobs_schedule_next(s, w->cfg, now, &slot, NULL) == SP_OK)
    w->scheduled_slot = slot;
}

/* Checks the connection; logs the first failure of an outage and the
 * recovery, rather than one line a second while the store is down. */
static bool
store_usable(struct jobs_worker *w, struct store *s)
{
  enum store_rc rc = s->ops->ping(s);
  if (rc == STORE_OK && w->store_failing)
    log_event(LOG_INFO, "jobs.worker_store_back", "node", w->node, NULL);
  if (rc != STORE_OK && !w->store_failing)
    log_event(LOG_WARN, "jobs.worker_store_failed", "node", w->node,
              "error", store_errmsg(s), "fix",
              "jobs wait until the store answers again", NULL);
  w->store_failing = rc != STORE_OK;
  return rc == STORE_OK;
}

static void *
worker_main(void *arg)
{
  struct jobs_worker *w = arg;
  log_event(LOG_INFO, "jobs.worker_start", "node", w->node, NULL);
  while (!atomic_load(&w->stop)) {
    struct store *s = store_pool_acquire(w->pool, ACQUIRE_WAIT_MS);
    if (s != NULL) {
      if (store_usable(w, s)) {
        schedule_tick(w, s);
        while (!atomic_load(&w->stop)
               && jobs_run_next(s, w->cfg, w->node, &w->stop))
          ;
      }
      store_pool_release(w->pool, s);
    }
    wait_tick(w);
  }
  log_event(LOG_INFO, "jobs.worker_stop", "node", w->node, NULL);
  return NULL;
}

struct jobs_worker *
jobs_worker_start(struct store_pool *pool, const struct config *cfg,
                  const char *node_id, char *err, size_t errlen)
{
  struct jobs_worker *w = calloc(1, sizeof *w);
  if (w == NULL) {
    snprintf(err, errlen, "%s / %s", sp_error_message(SP_ERR_NOMEM, "id"),
             sp_error_message(SP_ERR_NOMEM, "en"));
    return NULL;
  }
  w->pool = pool;
  w->cfg = cfg;
  if (node_id != NULL)
    snprintf(w->node, sizeof w->node, "%s", node_id);
  else
    jobs_node_id(cfg, w->node, sizeof w->node);
  w->seed = (unsigned)time(NULL) ^ (unsigned)getpid()
            ^ (unsigned)(uintptr_t)w;
  atomic_init(&w->stop, false);
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&w->wake, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_init(&w->lock, NULL);
  int rc = pthread_create(&w->thread, NULL, worker_main, w);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start the job worker thread: %s",
             strerror(rc));
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
  }
  return w;
}

void
jobs_worker_stop(struct jobs_worker *w)
{
  if (w == NULL)
    return;
  pthread_mutex_lock(&w->lock);
  atomic_store(&w->stop, true);
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->lock);
  free(w);
}
