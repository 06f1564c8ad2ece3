/* The backend-neutral part of the store: choosing a backend by URL, the
 * transaction helper with bounded retry, and the connection pool. */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "store/backend.h"

enum sp_err
store_rc_error(enum store_rc rc)
{
  switch (rc) {
  case STORE_OK:
    return SP_OK;
  case STORE_NOT_FOUND:
    return SP_ERR_NOT_FOUND;
  case STORE_CONFLICT:
    return SP_ERR_DUPLICATE;
  case STORE_RETRY:
    return SP_ERR_STORE_BUSY;
  case STORE_ERROR:
    break;
  }
  return SP_ERR_STORE;
}

void
group_count_list_free(struct group_count_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    free(l->items[i].key);
  free(l->items);
  *l = (struct group_count_list){0};
}

static bool
has_prefix(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

struct store *
store_open(const char *url, char *err, size_t errlen)
{
  if (url == NULL || url[0] == '\0') {
    snprintf(err, errlen, "penyimpanan tidak ditentukan / no store given; "
             "set db to an SQLite file path or a postgresql:// URL");
    return NULL;
  }
  if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
    return postgres_store_open(url, err, errlen);
  if (has_prefix(url, "sqlite:"))
    url += strlen("sqlite:");
  if (url[0] == '\0') {
    snprintf(err, errlen, "berkas SQLite tidak ditentukan / missing SQLite "
             "file path after 'sqlite:'");
    return NULL;
  }
  return sqlite_store_open(url, err, errlen);
}

void
store_url_mask(const char *url, char *out, size_t outlen)
{
  if (has_prefix(url, "postgresql://") || has_prefix(url, "postgres://"))
    postgres_mask_url(url, out, outlen);
  else
    snprintf(out, outlen, "%s", url);
}

void
store_close(struct store *s)
{
  if (s != NULL)
    s->ops->close(s);
}

const char *
store_errmsg(const struct store *s)
{
  return s != NULL ? s->errmsg : "no store";
}

/* A small per-thread xorshift generator for back-off jitter. The jitter
 * only spreads retries apart, so it needs no cryptographic quality. */
static unsigned
jitter_random(void)
{
  static _Thread_local unsigned long long state;
  if (state == 0) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    state = (unsigned long long)ts.tv_nsec * 0x9E3779B97F4A7C15ULL
            ^ (unsigned long long)(uintptr_t)&state;
    if (state == 0)
      state = 1;
  }
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (unsigned)(state >> 32);
}

/* Returns the wait before retry number `attempt` (1-based): a random time
 * in the upper half of an exponentially growing cap, 10 ms to 320 ms. */
static unsigned
backoff_ms(int attempt)
{
  unsigned cap = 10u << (attempt < 6 ? attempt - 1 : 5);
  return cap / 2 + jitter_random() % (cap / 2 + 1);
}

static void
sleep_ms(unsigned ms)
{
  struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
    ;
}

/* One attempt: begin, fn, commit; rolls back on any failure. */
static enum store_rc
tx_attempt(struct store *s, bool serializable,
           enum store_rc (*fn)(struct store *s, void *arg), void *arg)
{
  s->errmsg[0] = '\0';  /* so a retry logs this attempt's error only */
  enum store_rc rc = s->ops->begin(s, serializable);
  if (rc != STORE_OK)
    return rc;
  rc = fn(s, arg);
  if (rc == STORE_OK)
    rc = s->ops->commit(s);
  if (rc != STORE_OK) {
    /* Keep the first error: rollback overwrites the connection's text. */
    char first[sizeof s->errmsg];
    memcpy(first, s->errmsg, sizeof first);
    s->ops->rollback(s);
    memcpy(s->errmsg, first, sizeof first);
  }
  return rc;
}

enum store_rc
store_tx(struct store *s, bool serializable,
         enum store_rc (*fn)(struct store *s, void *arg), void *arg)
{
  enum store_rc rc = STORE_RETRY;
  char attempt_text[16], wait_text[16];

  for (int attempt = 0; attempt <= STORE_TX_RETRIES; attempt++) {
    if (attempt > 0) {
      unsigned wait = backoff_ms(attempt);
      snprintf(attempt_text, sizeof attempt_text, "%d", attempt);
      snprintf(wait_text, sizeof wait_text, "%u", wait);
      log_event(LOG_WARN, "store.retry", "backend", s->ops->backend,
                "attempt", attempt_text, "wait_ms", wait_text, "error",
                s->errmsg, NULL);
      sleep_ms(wait);
    }
    rc = tx_attempt(s, serializable, fn, arg);
    if (rc != STORE_RETRY)
      return rc;
  }
  snprintf(attempt_text, sizeof attempt_text, "%d", STORE_TX_RETRIES + 1);
  log_event(LOG_ERROR, "store.retry_exhausted", "backend", s->ops->backend,
            "attempts", attempt_text, "error", s->errmsg, NULL);
  return rc;
}

struct store_pool {
  pthread_mutex_t lock;
  pthread_cond_t available;  /* signalled when a connection is released */
  struct store **all;        /* every connection, for closing */
  struct store **idle;       /* a stack of the free ones */
  int size;
  int idle_count;
};

struct store_pool *
store_pool_open(const char *url, int size, char *err, size_t errlen)
{
  if (size < 1) {
    snprintf(err, errlen, "store_pool %d is invalid; give 1 or more", size);
    return NULL;
  }
  struct store_pool *p = calloc(1, sizeof *p);
  if (p == NULL || (p->all = calloc((size_t)size, sizeof *p->all)) == NULL
      || (p->idle = calloc((size_t)size, sizeof *p->idle)) == NULL) {
    snprintf(err, errlen, "%s / %s", sp_error_message(SP_ERR_NOMEM, "id"),
             sp_error_message(SP_ERR_NOMEM, "en"));
    goto fail;
  }
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&p->available, &attr);
  pthread_condattr_destroy(&attr);
  pthread_mutex_init(&p->lock, NULL);
  for (; p->size < size; p->size++) {
    struct store *s = store_open(url, err, errlen);
    if (s == NULL)
      goto fail_open;
    p->all[p->size] = s;
    p->idle[p->idle_count++] = s;
  }
  char size_text[16];
  snprintf(size_text, sizeof size_text, "%d", size);
  log_event(LOG_INFO, "store.pool_open", "backend", p->all[0]->ops->backend,
            "size", size_text, NULL);
  return p;

fail_open:
  store_pool_close(p);
  return NULL;
fail:
  if (p != NULL) {
    free(p->all);
    free(p->idle);
    free(p);
  }
  return NULL;
}

/* Returns the CLOCK_MONOTONIC time `ms` milliseconds from now. */
static struct timespec
deadline_after(int ms)
{
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) {
    t.tv_sec++;
    t.tv_nsec -= 1000000000L;
  }
  return t;
}

struct store *
store_pool_acquire(struct store_pool *p, int wait_ms)
{
  struct timespec deadline = deadline_after(wait_ms > 0 ? wait_ms : 0);
  struct store *s = NULL;

  pthread_mutex_lock(&p->lock);
  while (p->idle_count == 0) {
    int rc = pthread_cond_timedwait(&p->available, &p->lock, &deadline);
    if (rc == ETIMEDOUT && p->idle_count == 0)
      break;
  }
  if (p->idle_count > 0)
    s = p->idle[--p->idle_count];
  pthread_mutex_unlock(&p->lock);
  if (s == NULL) {
    char wait_text[16], size_text[16];
    snprintf(wait_text, sizeof wait_text, "%d", wait_ms);
    snprintf(size_text, sizeof size_text, "%d", p->size);
    log_event(LOG_WARN, "store.pool_timeout", "wait_ms", wait_text, "size",
              size_text, NULL);
  }
  return s;
}

void
store_pool_release(struct store_pool *p, struct store *s)
{
  if (s == NULL)
    return;
  pthread_mutex_lock(&p->lock);
  if (p->idle_count < p->size)
    p->idle[p->idle_count++] = s;
  pthread_cond_signal(&p->available);
  pthread_mutex_unlock(&p->lock);
}

void
store_pool_close(struct store_pool *p)
{
  if (p == NULL)
    return;
  if (p->idle_count != p->size)
    log_eventf(LOG_WARN, "store.pool_close",
               "%d of %d connections still in use", p->size - p->idle_count,
               p->size);
  for (int i = 0; i < p->size; i++)
    store_close(p->all[i]);
  pthread_cond_destroy(&p->available);
  pthread_mutex_destroy(&p->lock);
  free(p->all);
  free(p->idle);
  free(p);
}
