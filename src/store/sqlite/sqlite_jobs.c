/* Job queries of the SQLite backend: adding, claiming by compare-and-set
 * on the lease, renewing, progress, finishing and listing jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite/sqlite_internal.h"

/* Candidates job_claim tries before it gives up with STORE_RETRY; each
 * failed compare-and-set means another claimer took that job just now. */
#define CLAIM_ATTEMPTS 8

#define JOB_COLUMNS                                                          \
  "id, kind, params, state, dedupe_key, created_by, lease_owner, "           \
  "lease_expires_at, scheduled_for, created_at, started_at, finished_at, "   \
  "progress_done, progress_total, error"

/* Reads a job row of JOB_COLUMNS into the struct job at `item`; false
 * when memory runs out. */
static bool
read_job(sqlite3_stmt *st, void *item)
{
  struct job *j = item;
  *j = (struct job){
    .id = sq_column_int(st, 0),
    .lease_expires_at = sq_column_int(st, 7),
    .scheduled_for = sq_column_int(st, 8),
    .created_at = sq_column_int(st, 9),
    .started_at = sq_column_int(st, 10),
    .finished_at = sq_column_int(st, 11),
    .progress_done = sq_column_int(st, 12),
    .progress_total = sq_column_int(st, 13),
  };
  if (sq_column_text(st, 1, &j->kind) && sq_column_text(st, 2, &j->params)
      && sq_column_text(st, 3, &j->state)
      && sq_column_text(st, 4, &j->dedupe_key)
      && sq_column_text(st, 5, &j->created_by)
      && sq_column_text(st, 6, &j->lease_owner)
      && sq_column_text(st, 14, &j->error))
    return true;
  job_free(j);
  return false;
}

/* Finds the id of the job with `dedupe_key`, after an insert that the key
 * made a no-op. */
static enum store_rc
dedupe_owner(struct store *s, const char *dedupe_key, int64_t *id)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT id FROM jobs WHERE dedupe_key = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, dedupe_key);
  return sq_exec_int(s, st, "job_add", id);
}

enum store_rc
sq_job_add(struct store *s, struct job *j)
{
  /* DO NOTHING on a taken dedupe key only: a taken id still fails. */
  sqlite3_stmt *st = sq_stmt(s, "INSERT INTO jobs (" JOB_COLUMNS ") VALUES "
                                "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                "?11, ?12, ?13, ?14, ?15) "
                                "ON CONFLICT (dedupe_key) DO NOTHING "
                                "RETURNING id");
  if (st == NULL)
    return STORE_ERROR;
  int64_t created_at = sq_time_or_now(j->created_at);
  int64_t scheduled_for = j->scheduled_for ? j->scheduled_for : created_at;
  sq_bind_id(st, 1, j->id);
  sq_bind_text(st, 2, j->kind);
  sq_bind_text(st, 3, j->params ? j->params : "{}");
  sq_bind_text(st, 4, j->state ? j->state : "queued");
  sq_bind_optional(st, 5, j->dedupe_key);
  sq_bind_text(st, 6, j->created_by);
  sq_bind_optional(st, 7, j->lease_owner);
  sq_bind_time(st, 8, j->lease_expires_at);
  sqlite3_bind_int64(st, 9, scheduled_for);
  sqlite3_bind_int64(st, 10, created_at);
  sq_bind_time(st, 11, j->started_at);
  sq_bind_time(st, 12, j->finished_at);
  sqlite3_bind_int64(st, 13, j->progress_done);
  sqlite3_bind_int64(st, 14, j->progress_total);
  sq_bind_optional(st, 15, j->error);
  int64_t id = 0;
  enum store_rc rc = sq_exec_int(s, st, "job_add", &id);
  if (rc == STORE_NOT_FOUND && j->dedupe_key != NULL && j->dedupe_key[0]) {
    rc = dedupe_owner(s, j->dedupe_key, &id);
    if (rc == STORE_OK) {
      snprintf(s->errmsg, sizeof s->errmsg, "sqlite job_add: job %lld "
               "already has dedupe_key '%.200s'", (long long)id,
               j->dedupe_key);
      rc = STORE_CONFLICT;
    }
  } else if (rc == STORE_NOT_FOUND) {
    rc = sq_error(s, "job_add: the insert returned no id");
  }
  if (rc == STORE_OK) {
    j->created_at = created_at;
    j->scheduled_for = scheduled_for;
  }
  if (id != 0)
    j->id = id;
  return rc;
}

struct claim {
  const char *kind;
  const char *owner;
  int64_t now;
  int64_t lease_until;
  struct job *out;
};

/* Finds the next claimable job: the oldest due queued one or a running one
 * whose lease expired. `*was_running` is true for the latter. */
static enum store_rc
claim_candidate(struct store *s, const struct claim *c, int64_t *id,
                bool *was_running)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT id, state = 'running' FROM jobs "
                                "WHERE kind = ?1 AND ((state = 'queued' "
                                "AND scheduled_for <= ?2) OR "
                                "(state = 'running' "
                                "AND lease_expires_at < ?2)) "
                                "ORDER BY scheduled_for, id LIMIT 1");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, c->kind);
  sqlite3_bind_int64(st, 2, c->now);
  enum store_rc rc = STORE_NOT_FOUND;
  int step = sqlite3_step(st);
  if (step == SQLITE_ROW) {
    *id = sq_column_int(st, 0);
    *was_running = sq_column_int(st, 1) != 0;
    rc = STORE_OK;
  } else if (step != SQLITE_DONE) {
    rc = sq_fail(s, step, "job_claim");
  }
  sq_done(st);
  return rc;
}

/* Takes job `id` if it is still claimable: the compare-and-set. Returns
 * STORE_NOT_FOUND when another claimer changed it first. */
static enum store_rc
claim_take(struct store *s, const struct claim *c, int64_t id)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE jobs SET lease_owner = ?2, "
                                "lease_expires_at = ?3, state = 'running', "
                                "started_at = coalesce(started_at, ?4) "
                                "WHERE id = ?1 AND (state = 'queued' OR "
                                "(state = 'running' "
                                "AND lease_expires_at < ?4)) "
                                "RETURNING " JOB_COLUMNS);
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  sq_bind_text(st, 2, c->owner);
  sqlite3_bind_int64(st, 3, c->lease_until);
  sqlite3_bind_int64(st, 4, c->now);
  return sq_read_row(s, st, "job_claim", c->out, read_job);
}

/* SQLite runs one write transaction at a time (BEGIN IMMEDIATE), so the
 * first compare-and-set succeeds. The loop matters on PostgreSQL, and it
 * is kept here so that both backends behave alike. */
static enum store_rc
claim_in_tx(struct store *s, void *arg)
{
  const struct claim *c = arg;
  for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    int64_t id = 0;
    bool was_running = false;
    enum store_rc rc = claim_candidate(s, c, &id, &was_running);
    if (rc != STORE_OK)
      return rc;
    rc = claim_take(s, c, id);
    if (rc == STORE_OK)
      c->out->taken_over = was_running;
    if (rc != STORE_NOT_FOUND)
      return rc;
  }
  snprintf(s->errmsg, sizeof s->errmsg, "sqlite job_claim: %d candidates "
           "were taken by other claimers", CLAIM_ATTEMPTS);
  return STORE_RETRY;
}

enum store_rc
sq_job_claim(struct store *s, const char *kind, const char *owner,
             int64_t now, int64_t lease_until, struct job *out)
{
  struct claim c = {kind, owner, now, lease_until, out};
  *out = (struct job){0};
  if (!sqlite3_get_autocommit(sq_db(s)))
    return claim_in_tx(s, &c);
  return store_tx(s, false, claim_in_tx, &c);
}

enum store_rc
sq_job_renew(struct store *s, int64_t id, const char *owner,
             int64_t lease_until)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE jobs SET lease_expires_at = ?3 "
                                "WHERE id = ?1 AND lease_owner = ?2 "
                                "AND state = 'running'");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  sq_bind_text(st, 2, owner);
  sqlite3_bind_int64(st, 3, lease_until);
  return sq_exec_change(s, st, "job_renew");
}

enum store_rc
sq_job_progress(struct store *s, int64_t id, const char *owner, int64_t done,
                int64_t total)
{
  sqlite3_stmt *st = sq_stmt(s, "UPDATE jobs SET progress_done = ?3, "
                                "progress_total = ?4 WHERE id = ?1 "
                                "AND lease_owner = ?2 AND state = 'running'");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  sq_bind_text(st, 2, owner);
  sqlite3_bind_int64(st, 3, done);
  sqlite3_bind_int64(st, 4, total);
  return sq_exec_change(s, st, "job_progress");
}

/* The lease owner stays recorded on a finished job: it names the node that
 * finished it. */
enum store_rc
sq_job_finish(struct store *s, int64_t id, const char *owner,
              const char *state, const char *error, int64_t at)
{
  if (!job_state_is_final(state))
    return sq_error(s, "job_finish: state '%.20s' is not done or failed",
                    state ? state : "(null)");
  sqlite3_stmt *st = sq_stmt(s, "UPDATE jobs SET state = ?3, error = ?4, "
                                "finished_at = ?5, lease_expires_at = NULL "
                                "WHERE id = ?1 AND lease_owner = ?2 "
                                "AND state = 'running'");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  sq_bind_text(st, 2, owner);
  sq_bind_text(st, 3, state);
  sq_bind_optional(st, 4, error);
  sqlite3_bind_int64(st, 5, sq_time_or_now(at));
  return sq_exec_change(s, st, "job_finish");
}

enum store_rc
sq_job_get(struct store *s, int64_t id, struct job *out)
{
  sqlite3_stmt *st = sq_stmt(s, "SELECT " JOB_COLUMNS
                                " FROM jobs WHERE id = ?1");
  if (st == NULL)
    return STORE_ERROR;
  sqlite3_bind_int64(st, 1, id);
  return sq_read_row(s, st, "job_get", out, read_job);
}

enum store_rc
sq_job_list(struct store *s, const char *kind, int64_t limit,
            struct job_list *out)
{
  *out = (struct job_list){0};
  sqlite3_stmt *st = sq_stmt(s, "SELECT " JOB_COLUMNS " FROM jobs "
                                "WHERE ?1 IS NULL OR kind = ?1 "
                                "ORDER BY id DESC LIMIT ?2");
  if (st == NULL)
    return STORE_ERROR;
  sq_bind_text(st, 1, kind);
  sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
  enum store_rc rc = sq_read_rows(s, st, "job_list", (void **)&out->items,
                                  &out->count, sizeof *out->items, read_job);
  if (rc != STORE_OK)
    job_list_free(out);
  return rc;
}
