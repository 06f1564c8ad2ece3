/* copy-store: every table of one store into another, through the store
 * operations, then verified by digests. Each table has a page function
 * that reads one batch from the source and writes it to the target. A
 * shared driver loops over the pages and reports progress. */
#include "store/copy.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define DEFAULT_BATCH_ROWS 500

struct copy_run {
  struct store *from;
  struct store *to;
  const struct store_copy_options *opt;
  struct store_copy_report *report;
  int64_t batch;
  int64_t *run_ids;        /* ids of the jobs copied, whose results follow */
  size_t run_count;
};

/* The position of the next page of a table. A table read whole in one
 * page sets `finished`. */
struct cursor {
  int64_t offset;          /* rows read so far, for offset paging */
  int64_t after_id;        /* last id read, for keyset paging */
  char after_key[65];      /* last text key read, for keyset paging */
  size_t next_run;         /* index into copy_run.run_ids */
  bool finished;
};

/* Reads one page of a table from run->from and writes it to run->to;
 * sets `*rows` to the rows copied and advances the cursor. */
typedef enum store_rc (*page_fn)(struct copy_run *run, struct cursor *c,
                                 size_t *rows);

/* Records a failed read and returns STORE_ERROR. A read failure is never
 * a retry: the retry would run in the same source transaction, which
 * PostgreSQL has aborted by then. */
static enum store_rc
source_failed(struct copy_run *run, const char *table)
{
  snprintf(run->report->detail, sizeof run->report->detail,
           "reading %s from the source failed: %s", table,
           store_errmsg(run->from));
  return STORE_ERROR;
}

/* Records a failed write and returns `rc`, so that store_tx retries the
 * target transaction on STORE_RETRY. */
static enum store_rc
target_failed(struct copy_run *run, const char *table, enum store_rc rc)
{
  snprintf(run->report->detail, sizeof run->report->detail,
           "writing %s to the target failed: %s", table,
           store_errmsg(run->to));
  return rc;
}

static enum store_rc
page_agencies(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct agency_filter f = {.limit = run->batch, .offset = c->offset};
  struct agency_list l = {0};
  if (run->from->ops->agency_list(run->from, &f, &l) != STORE_OK)
    return source_failed(run, "agencies");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++)
    if ((rc = run->to->ops->agency_put(run->to, &l.items[i], NULL))
        != STORE_OK)
      rc = target_failed(run, "agencies", rc);
  *rows = l.count;
  agency_list_free(&l);
  return rc;
}

static enum store_rc
page_apps(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct app_filter f = {.sort = APP_SORT_CODE, .limit = run->batch,
                         .offset = c->offset};
  struct app_list l = {0};
  if (run->from->ops->app_list(run->from, &f, &l) != STORE_OK)
    return source_failed(run, "apps");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++)
    if ((rc = run->to->ops->app_put(run->to, &l.items[i], NULL)) != STORE_OK)
      rc = target_failed(run, "apps", rc);
  *rows = l.count;
  app_list_free(&l);
  return rc;
}

static enum store_rc
page_changes(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct change_list l = {0};
  if (run->from->ops->change_page(run->from, c->after_id, run->batch, &l)
      != STORE_OK)
    return source_failed(run, "changes");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++)
    if ((rc = run->to->ops->change_add(run->to, &l.items[i])) != STORE_OK)
      rc = target_failed(run, "changes", rc);
  if (l.count > 0)
    c->after_id = l.items[l.count - 1].id;
  *rows = l.count;
  change_list_free(&l);
  return rc;
}

/* Users are few (staff accounts), so they are read in one page. */
static enum store_rc
page_users(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct user_list l = {0};
  if (run->from->ops->user_list(run->from, &l) != STORE_OK)
    return source_failed(run, "users");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++)
    if ((rc = run->to->ops->user_add(run->to, &l.items[i])) != STORE_OK)
      rc = target_failed(run, "users", rc);
  c->finished = true;
  *rows = l.count;
  user_list_free(&l);
  return rc;
}

static enum store_rc
page_sessions(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct session_list l = {0};
  if (run->from->ops->session_page(run->from, c->after_key, run->batch, &l)
      != STORE_OK)
    return source_failed(run, "sessions");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++)
    if ((rc = run->to->ops->session_add(run->to, &l.items[i])) != STORE_OK)
      rc = target_failed(run, "sessions", rc);
  if (l.count > 0)
    snprintf(c->after_key, sizeof c->after_key, "%s",
             l.items[l.count - 1].id_hash);
  *rows = l.count;
  session_list_free(&l);
  return rc;
}

/* API tokens are few (one per script or integration): one page. */
static enum store_rc
page_tokens(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct api_token_list l = {0};
  if (run->from->ops->token_list(run->from, &l) != STORE_OK)
    return source_failed(run, "api_tokens");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++)
    if ((rc = run->to->ops->token_add(run->to, &l.items[i])) != STORE_OK)
      rc = target_failed(run, "api_tokens", rc);
  c->finished = true;
  *rows = l.count;
  api_token_list_free(&l);
  return rc;
}

static enum store_rc
page_login_failures(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct login_failure_list l = {0};
  if (run->from->ops->throttle_page(run->from, c->after_id, run->batch, &l)
      != STORE_OK)
    return source_failed(run, "login_failures");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++)
    if ((rc = run->to->ops->throttle_add(run->to, &l.items[i])) != STORE_OK)
      rc = target_failed(run, "login_failures", rc);
  if (l.count > 0)
    c->after_id = l.items[l.count - 1].id;
  *rows = l.count;
  login_failure_list_free(&l);
  return rc;
}

/* The meta table contains a few named settings: one page. */
static enum store_rc
page_meta(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct meta_list l = {0};
  if (run->from->ops->meta_list(run->from, &l) != STORE_OK)
    return source_failed(run, "meta");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++)
    if ((rc = run->to->ops->meta_put(run->to, l.items[i].key,
                                     l.items[i].value)) != STORE_OK)
      rc = target_failed(run, "meta", rc);
  c->finished = true;
  *rows = l.count;
  meta_list_free(&l);
  return rc;
}

/* Jobs are read in one page (one examination run a day is 365 a year),
 * and their ids kept for page_exam_results. */
static enum store_rc
page_jobs(struct copy_run *run, struct cursor *c, size_t *rows)
{
  struct job_list l = {0};
  if (run->from->ops->job_list(run->from, NULL, 0, &l) != STORE_OK)
    return source_failed(run, "jobs");
  free(run->run_ids);
  run->run_count = 0;
  run->run_ids = calloc(l.count + 1, sizeof *run->run_ids);
  enum store_rc rc = STORE_OK;
  if (run->run_ids == NULL) {
    snprintf(run->report->detail, sizeof run->report->detail,
             "reading jobs: out of memory");
    rc = STORE_ERROR;
  }
  for (size_t i = 0; rc == STORE_OK && i < l.count; i++) {
    if ((rc = run->to->ops->job_add(run->to, &l.items[i])) != STORE_OK)
      rc = target_failed(run, "jobs", rc);
    else
      run->run_ids[run->run_count++] = l.items[i].id;
  }
  c->finished = true;
  *rows = l.count;
  job_list_free(&l);
  return rc;
}

/* Copies the results, with their findings, of one run. */
static enum store_rc
copy_run_results(struct copy_run *run, int64_t run_id, size_t *rows)
{
  struct string_list codes = {0};
  if (run->from->ops->exam_result_codes(run->from, run_id, &codes)
      != STORE_OK)
    return source_failed(run, "exam_results");
  enum store_rc rc = STORE_OK;
  for (size_t i = 0; rc == STORE_OK && i < codes.count; i++) {
    struct exam_result r = {0};
    if (run->from->ops->exam_result_get(run->from, run_id, codes.items[i],
                                        &r) != STORE_OK) {
      rc = source_failed(run, "exam_results");
      break;
    }
    if ((rc = run->to->ops->exam_result_put(run->to, &r)) != STORE_OK)
      rc = target_failed(run, "exam_results", rc);
    else
      (*rows)++;
    exam_result_free(&r);
  }
  string_list_free(&codes);
  return rc;
}

/* A page is the results of whole runs, at least `batch` of them unless
 * the runs run out. The findings go with their result. */
static enum store_rc
page_exam_results(struct copy_run *run, struct cursor *c, size_t *rows)
{
  enum store_rc rc = STORE_OK;
  while (rc == STORE_OK && (int64_t)*rows < run->batch
         && c->next_run < run->run_count)
    rc = copy_run_results(run, run->run_ids[c->next_run++], rows);
  if (c->next_run == run->run_count)
    c->finished = true;
  return rc;
}

/* Every table in an order that writes a referenced row before the rows
 * that reference it. A table without a page function is not copied on
 * its own: each store migrates itself (schema_migrations), and findings
 * are copied with their result. */
static const struct {
  const char *name;
  page_fn page;
  bool checksum;           /* compare checksums, not only row counts */
} copy_tables[] = {
  {"schema_migrations", NULL, false},
  {"agencies", page_agencies, true},
  {"apps", page_apps, true},
  {"changes", page_changes, true},
  {"users", page_users, true},
  {"sessions", page_sessions, true},
  {"api_tokens", page_tokens, true},
  {"login_failures", page_login_failures, true},
  {"meta", page_meta, true},
  {"jobs", page_jobs, true},
  {"exam_results", page_exam_results, true},
  {"exam_findings", NULL, true},
};
#define COPY_TABLE_COUNT (sizeof copy_tables / sizeof copy_tables[0])

_Static_assert(COPY_TABLE_COUNT <= STORE_COPY_MAX_TABLES,
               "raise STORE_COPY_MAX_TABLES");

static void
report_progress(struct copy_run *run, const char *table, int64_t done,
                int64_t total)
{
  if (run->opt->progress != NULL)
    run->opt->progress(table, done, total, run->opt->progress_arg);
}

/* Copies table `i` page by page. */
static enum store_rc
copy_table(struct copy_run *run, size_t i)
{
  struct cursor c = {0};
  int64_t total = run->report->tables[i].source.rows;
  int64_t done = 0;

  report_progress(run, copy_tables[i].name, 0, total);
  while (!c.finished) {
    size_t rows = 0;
    enum store_rc rc = copy_tables[i].page(run, &c, &rows);
    if (rc != STORE_OK)
      return rc;
    done += (int64_t)rows;
    c.offset += (int64_t)rows;
    report_progress(run, copy_tables[i].name, done, total);
    if ((int64_t)rows < run->batch)
      c.finished = true;
  }
  run->report->rows_copied += done;
  return STORE_OK;
}

/* The target transaction: every table in order. store_tx runs it again
 * from the start on STORE_RETRY, so the count starts over too. */
static enum store_rc
copy_all_tx(struct store *to, void *arg)
{
  struct copy_run *run = arg;
  (void)to;
  run->report->rows_copied = 0;
  for (size_t i = 0; i < COPY_TABLE_COUNT; i++) {
    if (copy_tables[i].page == NULL)
      continue;
    enum store_rc rc = copy_table(run, i);
    if (rc != STORE_OK)
      return rc;
  }
  return STORE_OK;
}

/* Fails with SP_ERR_STORE_NOT_EMPTY when a copied table of the target
 * has rows. */
static enum sp_err
check_target_empty(struct copy_run *run)
{
  for (size_t i = 0; i < COPY_TABLE_COUNT; i++) {
    struct table_digest d;
    if (!copy_tables[i].checksum)
      continue;
    enum store_rc rc = run->to->ops->table_digest(run->to, copy_tables[i].name,
                                                  &d);
    if (rc != STORE_OK) {
      snprintf(run->report->detail, sizeof run->report->detail,
               "counting the rows of %s in the target failed: %s",
               copy_tables[i].name, store_errmsg(run->to));
      return store_rc_error(rc);
    }
    if (d.rows > 0) {
      snprintf(run->report->detail, sizeof run->report->detail,
               "table %s of the target has %" PRId64 " rows",
               copy_tables[i].name, d.rows);
      return SP_ERR_STORE_NOT_EMPTY;
    }
  }
  return SP_OK;
}

/* Digests every table of `s` into the source or target side of the
 * report. */
static enum sp_err
digest_all(struct copy_run *run, struct store *s, bool source)
{
  struct store_copy_report *r = run->report;
  for (size_t i = 0; i < COPY_TABLE_COUNT; i++) {
    struct store_copy_table *t = &r->tables[i];
    enum store_rc rc = s->ops->table_digest(s, copy_tables[i].name,
                                            source ? &t->source : &t->target);
    if (rc != STORE_OK) {
      snprintf(r->detail, sizeof r->detail, "the digest of %s in the %s "
               "failed: %s", copy_tables[i].name,
               source ? "source" : "target", store_errmsg(s));
      return store_rc_error(rc);
    }
    snprintf(t->name, sizeof t->name, "%s", copy_tables[i].name);
    t->checksum_compared = copy_tables[i].checksum;
  }
  return SP_OK;
}

/* Compares the two sides of every table; SP_ERR_COPY_MISMATCH names the
 * first table that differs. */
static enum sp_err
compare_all(struct store_copy_report *r)
{
  enum sp_err err = SP_OK;
  for (size_t i = 0; i < r->count; i++) {
    struct store_copy_table *t = &r->tables[i];
    t->match = t->source.rows == t->target.rows
               && (!t->checksum_compared
                   || strcmp(t->source.sha256, t->target.sha256) == 0);
    if (!t->match && err == SP_OK) {
      snprintf(r->detail, sizeof r->detail, "table %s differs: %" PRId64
               " rows in the source, %" PRId64 " in the target", t->name,
               t->source.rows, t->target.rows);
      err = SP_ERR_COPY_MISMATCH;
    }
  }
  return err;
}

/* Reads the source digests and copies, all inside one source
 * transaction so that both see the same snapshot. */
static enum sp_err
copy_in_snapshot(struct copy_run *run)
{
  struct store *from = run->from;
  if (from->ops->begin(from, true) != STORE_OK) {
    snprintf(run->report->detail, sizeof run->report->detail,
             "starting a read transaction on the source failed: %s",
             store_errmsg(from));
    return SP_ERR_STORE;
  }
  enum sp_err err = digest_all(run, from, true);
  if (err == SP_OK) {
    enum store_rc rc = store_tx(run->to, false, copy_all_tx, run);
    if (rc != STORE_OK)
      err = store_rc_error(rc);
  }
  /* Nothing was written to the source, so ending the read transaction
   * with a rollback loses nothing. */
  from->ops->rollback(from);
  return err;
}

enum sp_err
store_copy(struct store *from, struct store *to,
           const struct store_copy_options *opt,
           struct store_copy_report *report)
{
  struct store_copy_options defaults = {0};
  struct copy_run run = {
    .from = from,
    .to = to,
    .opt = opt != NULL ? opt : &defaults,
    .report = report,
  };
  *report = (struct store_copy_report){0};
  run.batch = run.opt->batch_rows > 0 ? run.opt->batch_rows
                                      : DEFAULT_BATCH_ROWS;

  enum sp_err err = check_target_empty(&run);
  if (err == SP_OK)
    err = copy_in_snapshot(&run);
  if (err == SP_OK)
    err = digest_all(&run, to, false);
  if (err == SP_OK) {
    report->count = COPY_TABLE_COUNT;
    err = compare_all(report);
  }
  free(run.run_ids);
  char rows[24];
  snprintf(rows, sizeof rows, "%" PRId64, report->rows_copied);
  enum log_level level = err == SP_OK                   ? LOG_INFO
                        : err == SP_ERR_STORE_NOT_EMPTY ? LOG_WARN
                                                        : LOG_ERROR;
  log_event(level, "store.copy", "from",
            from->ops->backend, "to", to->ops->backend, "rows", rows,
            "result", sp_error_info(err)->code, "detail", report->detail,
            NULL);
  return err;
}
