/* Two connections saving agencies at the same time, on the store named by
 * SIMPUL_TEST_STORE (e.g. a postgresql:// URL) or a temporary SQLite file.
 * When each save makes one half of a parent cycle, at most one of them
 * may win. catalog_save_agency checks the parents in a SERIALIZABLE
 * transaction. On PostgreSQL both transactions read before either writes,
 * so one fails with a serialization error and store_tx retries it; the
 * retry reads the other's committed parent and finds the cycle. SQLite
 * runs one write transaction at a time, so there the second save reads
 * the first one's parent from the start. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "store/store.h"
#include "testlib.h"

static char store_url[1024];
static char temp_path[256];
static char run_suffix[32];
static bool on_postgres;

/* Returns "<base>-<run suffix>" in one of 8 rotating buffers. */
static const char *
code(const char *base)
{
  static char names[8][96];
  static int next;
  char *out = names[next++ % 8];
  snprintf(out, sizeof names[0], "%s-%s", base, run_suffix);
  return out;
}

static struct store *
open_store(void)
{
  char err[512];
  struct store *s = store_open(store_url, err, sizeof err);
  if (s == NULL) {
    printf("FAIL store_open: %s\n", err);
    exit(1);
  }
  return s;
}

/* Two threads that each wait here until both arrived or `timeout_ms`
 * passed. The time-out lets a backend that serializes transactions (SQLite
 * holds its write lock while one thread waits) go on with one thread. */
struct meeting {
  pthread_mutex_t lock;
  pthread_cond_t arrived;
  int count;
  int timeout_ms;
};

static void
meet(struct meeting *m)
{
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += m->timeout_ms / 1000;
  deadline.tv_nsec += (long)(m->timeout_ms % 1000) * 1000000L;
  if (deadline.tv_nsec >= 1000000000L) {
    deadline.tv_sec++;
    deadline.tv_nsec -= 1000000000L;
  }
  pthread_mutex_lock(&m->lock);
  m->count++;
  pthread_cond_broadcast(&m->arrived);
  while (m->count < 2)
    if (pthread_cond_timedwait(&m->arrived, &m->lock, &deadline) == ETIMEDOUT)
      break;
  pthread_mutex_unlock(&m->lock);
}

/* A connection whose operations are the real ones, except that begin is
 * counted and the first agency_put waits for the other thread, so that
 * both transactions have done their reads before either writes. The
 * backend functions get the wrapper as their store: they use its ops and
 * errmsg and the wrapped connection. */
struct wrapped {
  struct store store;
  struct store_ops ops;
  const struct store_ops *inner;
  struct meeting *meeting;
  int begins;
  int puts;
};

static enum store_rc
counting_begin(struct store *s, bool serializable)
{
  struct wrapped *w = (struct wrapped *)s;
  w->begins++;
  return w->inner->begin(s, serializable);
}

static enum store_rc
meeting_agency_put(struct store *s, const struct agency *a, bool *inserted)
{
  struct wrapped *w = (struct wrapped *)s;
  if (w->puts++ == 0 && w->meeting != NULL)
    meet(w->meeting);
  return w->inner->agency_put(s, a, inserted);
}

static void
wrap(struct wrapped *w, struct store *inner, struct meeting *m)
{
  *w = (struct wrapped){.ops = *inner->ops, .inner = inner->ops,
                        .meeting = m};
  w->ops.begin = counting_begin;
  w->ops.agency_put = meeting_agency_put;
  w->store.ops = &w->ops;
  w->store.impl = inner->impl;
}

struct save_job {
  struct wrapped *conn;
  const char *code;
  const char *parent;
  enum sp_err result;
};

static void *
save_parent(void *arg)
{
  struct save_job *job = arg;
  struct agency a = {.code = strdup(job->code), .name = strdup("Uji"),
                     .parent = strdup(job->parent)};
  struct catalog_check check = {0};
  job->result = catalog_save_agency(&job->conn->store, &a, false, "uji",
                                    &check, NULL);
  agency_free(&a);
  return NULL;
}

static void
create_agency(struct store *s, const char *agency_code)
{
  struct agency a = {.code = strdup(agency_code), .name = strdup("Uji")};
  struct catalog_check check = {0};
  CHECK_INT(catalog_save_agency(s, &a, true, "uji", &check, NULL), SP_OK);
  agency_free(&a);
}

/* Returns the stored parent of `agency_code` ("" when none). */
static void
stored_parent(struct store *s, const char *agency_code, char *out,
              size_t size)
{
  struct agency a = {0};
  out[0] = '\0';
  if (s->ops->agency_get(s, agency_code, &a) == STORE_OK && a.parent)
    snprintf(out, size, "%s", a.parent);
  agency_free(&a);
}

/* Runs both saves at once, each in its own thread, and waits for both. */
static void
run_both(struct save_job *ja, struct save_job *jb)
{
  pthread_t ta, tb;
  pthread_create(&ta, NULL, save_parent, ja);
  pthread_create(&tb, NULL, save_parent, jb);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
}

/* Saves first -> second and second -> first on two connections at once;
 * checks that exactly one won and no cycle was stored. Returns the begins
 * of both transactions together. */
static int
race_cycle(struct store *a, struct store *b, const char *first,
           const char *second, struct meeting *m)
{
  struct wrapped wa, wb;
  wrap(&wa, a, m);
  wrap(&wb, b, m);
  struct save_job ja = {.conn = &wa, .code = first, .parent = second};
  struct save_job jb = {.conn = &wb, .code = second, .parent = first};
  run_both(&ja, &jb);

  int wins = (ja.result == SP_OK) + (jb.result == SP_OK);
  int cycles = (ja.result == SP_ERR_PARENT_CYCLE)
               + (jb.result == SP_ERR_PARENT_CYCLE);
  CHECK_INT(wins, 1);
  CHECK_INT(cycles, 1);
  char pa[128], pb[128];
  stored_parent(a, first, pa, sizeof pa);
  stored_parent(a, second, pb, sizeof pb);
  CHECK(pa[0] == '\0' || pb[0] == '\0');
  CHECK(pa[0] != '\0' || pb[0] != '\0');
  return wa.begins + wb.begins;
}

TEST(cycle_race_one_wins_after_retry)
{
  struct store *a = open_store(), *b = open_store();
  const char *first = code("SIKLUS-A"), *second = code("SIKLUS-B");
  struct meeting m = {.lock = PTHREAD_MUTEX_INITIALIZER,
                      .arrived = PTHREAD_COND_INITIALIZER,
                      .timeout_ms = 1500};
  create_agency(a, first);
  create_agency(a, second);
  int begins = race_cycle(a, b, first, second, &m);
  /* Only PostgreSQL runs both write transactions at once, so only there
   * do both threads reach agency_put before either writes. */
  if (on_postgres) {
    CHECK_INT(m.count, 2);
    CHECK_INT(begins, 3);   /* the loser's transaction ran twice */
  } else {
    CHECK_INT(begins, 2);
  }
  store_close(a);
  store_close(b);
}

TEST(cycle_races_never_store_cycle)
{
  struct store *a = open_store(), *b = open_store();
  for (int round = 0; round < 10; round++) {
    char first[96], second[96];
    snprintf(first, sizeof first, "%s-%d", code("RAS-A"), round);
    snprintf(second, sizeof second, "%s-%d", code("RAS-B"), round);
    create_agency(a, first);
    create_agency(a, second);
    race_cycle(a, b, first, second, NULL);
  }
  store_close(a);
  store_close(b);
}

TEST(three_cycle_race_one_loses)
{
  /* A -> B is stored; then B -> C and C -> A race: together with A -> B
   * they would close A -> B -> C -> A. */
  struct store *a = open_store(), *b = open_store();
  const char *x = code("TIGA-A"), *y = code("TIGA-B"), *z = code("TIGA-C");
  struct meeting m = {.lock = PTHREAD_MUTEX_INITIALIZER,
                      .arrived = PTHREAD_COND_INITIALIZER,
                      .timeout_ms = 1500};
  create_agency(a, y);
  create_agency(a, z);
  struct agency ax = {.code = strdup(x), .name = strdup("Uji"),
                      .parent = strdup(y)};
  struct catalog_check check = {0};
  CHECK_INT(catalog_save_agency(a, &ax, true, "uji", &check, NULL), SP_OK);
  agency_free(&ax);

  struct wrapped wa, wb;
  wrap(&wa, a, &m);
  wrap(&wb, b, &m);
  struct save_job ja = {.conn = &wa, .code = y, .parent = z};
  struct save_job jb = {.conn = &wb, .code = z, .parent = x};
  run_both(&ja, &jb);
  CHECK_INT((ja.result == SP_OK) + (jb.result == SP_OK), 1);
  CHECK_INT((ja.result == SP_ERR_PARENT_CYCLE)
              + (jb.result == SP_ERR_PARENT_CYCLE), 1);
  char py[128], pz[128];
  stored_parent(a, y, py, sizeof py);
  stored_parent(a, z, pz, sizeof pz);
  CHECK(py[0] == '\0' || pz[0] == '\0');
  if (on_postgres)
    CHECK_INT(wa.begins + wb.begins, 3);
  store_close(a);
  store_close(b);
}

/* The import checks parents before its write transaction and again inside
 * it. Here another connection closes the cycle in between, when the
 * import begins its transaction: the second check must refuse the row. */
struct import_hook {
  struct wrapped conn;
  struct store *other;
  const char *child;       /* saved by the other connection ... */
  const char *parent;      /* ... with this parent */
  enum sp_err other_result;
  bool done;
};

static enum store_rc
begin_after_other_save(struct store *s, bool serializable)
{
  struct import_hook *h = (struct import_hook *)s;
  if (!h->done) {
    h->done = true;
    struct agency a = {.code = strdup(h->child), .name = strdup("Uji"),
                       .parent = strdup(h->parent)};
    struct catalog_check check = {0};
    h->other_result = catalog_save_agency(h->other, &a, false, "lain",
                                          &check, NULL);
    agency_free(&a);
  }
  return counting_begin(s, serializable);
}

TEST(import_rechecks_parent_in_transaction)
{
  struct store *a = open_store(), *b = open_store();
  const char *x = code("IMPOR-X"), *y = code("IMPOR-Y");
  create_agency(a, x);
  create_agency(a, y);
  char path[128], line[256];
  snprintf(path, sizeof path, "/tmp/simpul-test-race-%ld.csv",
           (long)getpid());
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  if (f == NULL)
    return;
  fprintf(f, "code,name,kind,parent\n%s,Agency X,dinas,%s\n", x, y);
  fclose(f);

  struct import_hook h = {.other = b, .child = y, .parent = x};
  wrap(&h.conn, a, NULL);
  h.conn.ops.begin = begin_after_other_save;
  char *report_text = NULL;
  size_t report_len = 0;
  FILE *report = open_memstream(&report_text, &report_len);
  struct import_options opt = {.actor = "uji", .report = report};
  struct import_summary sum = {0};
  const char *paths[] = {path};
  enum sp_err err = catalog_import(&h.conn.store, paths, 1, &opt, &sum);
  fclose(report);
  unlink(path);

  CHECK(h.done);
  CHECK_INT(h.other_result, SP_OK);
  CHECK_INT(err, SP_ERR_PARENT_CYCLE);
  CHECK_INT(sum.refused, 1);
  CHECK_INT(sum.updated, 0);
  snprintf(line, sizeof line, "%s -> %s -> %s", x, y, x);
  CHECK(report_text != NULL && strstr(report_text, line) != NULL);
  char px[128], py[128];
  stored_parent(a, x, px, sizeof px);
  stored_parent(a, y, py, sizeof py);
  CHECK_STR(px, "");
  CHECK_STR(py, x);
  free(report_text);
  store_close(a);
  store_close(b);
}

int
main(void)
{
  const char *url = getenv("SIMPUL_TEST_STORE");
  snprintf(run_suffix, sizeof run_suffix, "%ld-%ld", (long)getpid(),
           (long)time(NULL) % 100000);
  if (url != NULL && url[0] != '\0') {
    snprintf(store_url, sizeof store_url, "%s", url);
  } else {
    snprintf(temp_path, sizeof temp_path, "/tmp/simpul-test-race-%ld.db",
             (long)getpid());
    snprintf(store_url, sizeof store_url, "%s", temp_path);
  }
  struct store *s = open_store();
  int version = 0;
  if (s->ops->migrate(s, &version) != STORE_OK) {
    printf("FAIL store_migrate: %s\n", store_errmsg(s));
    return 1;
  }
  on_postgres = strcmp(s->ops->backend, "postgres") == 0;
  store_close(s);

  RUN(cycle_race_one_wins_after_retry);
  RUN(cycle_races_never_store_cycle);
  RUN(three_cycle_race_one_loses);
  RUN(import_rechecks_parent_in_transaction);

  if (temp_path[0] != '\0') {
    char path[300];
    unlink(temp_path);
    snprintf(path, sizeof path, "%s-wal", temp_path);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", temp_path);
    unlink(path);
  }
  return TEST_EXIT();
}
