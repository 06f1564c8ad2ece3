/* PostgreSQL backend: adding, claiming by compare-and-set on the lease,
 * renewing, progress, finishing and listing jobs.
 *
 * Behaviour matches the SQLite backend. Claims take no locks beyond the
 * claim's own short transaction and no advisory locks, so that
 * PostgreSQL-compatible distributed databases stay possible. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/postgres/pg.h"

/* Candidates job_claim tries before it gives up with STORE_RETRY; each
 * failed compare-and-set means another node took that job just now. */
#define CLAIM_ATTEMPTS 8

#define JOB_COLUMNS                                                          \
  "id, kind, params, state, dedupe_key, created_by, lease_owner,"           \
  " lease_expires_at, scheduled_for, created_at, started_at, finished_at,"   \
  " progress_done, progress_total, error"

/* $1 id in the _id variant only. A taken dedupe key makes the insert a
 * no-op that returns no row; a taken id still fails. */
#define JOB_INSERT(columns, values)                                          \
  "INSERT INTO jobs (" columns ") VALUES (" values ")"                       \
  " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"

static const struct pg_stmt stmt_job_add = {
  "job_add",
  JOB_INSERT("kind, params, state, dedupe_key, created_by, lease_owner,"
             " lease_expires_at, scheduled_for, created_at, started_at,"
             " finished_at, progress_done, progress_total, error",
             "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14"),
  14};
static const struct pg_stmt stmt_job_add_id = {
  "job_add_id",
  JOB_INSERT(JOB_COLUMNS, "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
             " $12, $13, $14, $15"), 15};
static const struct pg_stmt stmt_job_advance = {
  "job_advance", ADVANCE_SEQUENCE_SQL("jobs_id_seq"), 1};
static const struct pg_stmt stmt_job_dedupe_owner = {
  "job_dedupe_owner", "SELECT id FROM jobs WHERE dedupe_key = $1", 1};
static const struct pg_stmt stmt_job_candidate = {
  "job_claim_candidate",
  "SELECT id, state = 'running' FROM jobs WHERE kind = $1"
  " AND ((state = 'queued' AND scheduled_for <= $2)"
  " OR (state = 'running' AND lease_expires_at < $2))"
  " ORDER BY scheduled_for, id LIMIT 1", 2};
static const struct pg_stmt stmt_job_take = {
  "job_claim_take",
  "UPDATE jobs SET lease_owner = $2, lease_expires_at = $3,"
  " state = 'running', started_at = coalesce(started_at, $4)"
  " WHERE id = $1 AND (state = 'queued'"
  " OR (state = 'running' AND lease_expires_at < $4))"
  " RETURNING " JOB_COLUMNS, 4};
static const struct pg_stmt stmt_job_renew = {
  "job_renew",
  "UPDATE jobs SET lease_expires_at = $3 WHERE id = $1"
  " AND lease_owner = $2 AND state = 'running'", 3};
static const struct pg_stmt stmt_job_progress = {
  "job_progress",
  "UPDATE jobs SET progress_done = $3, progress_total = $4 WHERE id = $1"
  " AND lease_owner = $2 AND state = 'running'", 4};
/* The lease owner stays recorded on a finished job: it names the node
 * that finished it. */
static const struct pg_stmt stmt_job_finish = {
  "job_finish",
  "UPDATE jobs SET state = $3, error = $4, finished_at = $5,"
  " lease_expires_at = NULL WHERE id = $1 AND lease_owner = $2"
  " AND state = 'running'", 5};
static const struct pg_stmt stmt_job_get = {
  "job_get", "SELECT " JOB_COLUMNS " FROM jobs WHERE id = $1", 1};
static const struct pg_stmt stmt_job_list = {
  "job_list",
  "SELECT " JOB_COLUMNS " FROM jobs WHERE $1::text IS NULL OR kind = $1"
  " ORDER BY id DESC LIMIT $2", 2};

/* Reads row `row` of JOB_COLUMNS into the struct job at `item`; false
 * when memory runs out. */
static bool
read_job(const PGresult *res, int row, void *item)
{
  struct job *j = item;
  *j = (struct job){
    .id = pg_int(res, row, 0),
    .lease_expires_at = pg_int(res, row, 7),
    .scheduled_for = pg_int(res, row, 8),
    .created_at = pg_int(res, row, 9),
    .started_at = pg_int(res, row, 10),
    .finished_at = pg_int(res, row, 11),
    .progress_done = pg_int(res, row, 12),
    .progress_total = pg_int(res, row, 13),
  };
  if (pg_text(res, row, 1, &j->kind) && pg_text(res, row, 2, &j->params) &&
      pg_text(res, row, 3, &j->state) &&
      pg_text(res, row, 4, &j->dedupe_key) &&
      pg_text(res, row, 5, &j->created_by) &&
      pg_text(res, row, 6, &j->lease_owner) &&
      pg_text(res, row, 14, &j->error))
    return true;
  job_free(j);
  return false;
}

/* Returns the id of the job with `dedupe_key` as STORE_CONFLICT, after an
 * insert that the key made a no-op. A concurrent insert of the same key
 * made ours wait until it committed, so this statement sees its row. */
static enum store_rc
dedupe_conflict(struct store *s, const char *dedupe_key, int64_t *id)
{
  const char *params[] = {dedupe_key};
  PGresult *res;
  enum store_rc rc = pg_run_row(s, &stmt_job_dedupe_owner, params, &res);
  if (rc == STORE_NOT_FOUND)
    return pg_fail(s, "postgres: job_add: the job with dedupe_key "
                   "'%.200s' vanished", dedupe_key);
  if (rc != STORE_OK)
    return rc;
  *id = pg_int(res, 0, 0);
  PQclear(res);
  snprintf(s->errmsg, sizeof s->errmsg, "postgres: job_add: job %lld "
           "already has dedupe_key '%.200s'", (long long)*id, dedupe_key);
  return STORE_CONFLICT;
}

enum store_rc
pg_job_add(struct store *s, struct job *j)
{
  int64_t created_at = j->created_at ? j->created_at : (int64_t)time(NULL);
  int64_t scheduled_for = j->scheduled_for ? j->scheduled_for : created_at;
  char id[24], lease[24], scheduled[24], created[24], started[24];
  char finished[24], done[24], total[24];
  const char *params[] = {
    pg_i64(id, j->id), j->kind, j->params ? j->params : "{}",
    j->state ? j->state : "queued", pg_optional(j->dedupe_key),
    j->created_by, pg_optional(j->lease_owner),
    pg_optional_time(lease, j->lease_expires_at),
    pg_i64(scheduled, scheduled_for), pg_i64(created, created_at),
    pg_optional_time(started, j->started_at),
    pg_optional_time(finished, j->finished_at),
    pg_i64(done, j->progress_done), pg_i64(total, j->progress_total),
    pg_optional(j->error),
  };
  bool given = j->id != 0;
  PGresult *res;
  enum store_rc rc = given ? pg_run(s, &stmt_job_add_id, params, &res)
                           : pg_run(s, &stmt_job_add, params + 1, &res);
  if (rc != STORE_OK)
    return rc;
  bool inserted = PQntuples(res) == 1;
  int64_t new_id = inserted ? pg_int(res, 0, 0) : 0;
  PQclear(res);
  if (!inserted && pg_optional(j->dedupe_key) == NULL)
    return pg_fail(s, "postgres: job_add: the insert returned no id");
  if (!inserted)
    return dedupe_conflict(s, j->dedupe_key, &j->id);
  if (given) {
    const char *seq_params[] = {params[0]};
    rc = pg_run(s, &stmt_job_advance, seq_params, NULL);
    if (rc != STORE_OK)
      return rc;
  }
  j->id = new_id;
  j->created_at = created_at;
  j->scheduled_for = scheduled_for;
  return STORE_OK;
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
claim_candidate(struct store *s, const struct claim *c, char id[static 24],
                bool *was_running)
{
  char now[24];
  const char *params[] = {c->kind, pg_i64(now, c->now)};
  PGresult *res;
  enum store_rc rc = pg_run_row(s, &stmt_job_candidate, params, &res);
  if (rc != STORE_OK)
    return rc;
  pg_i64(id, pg_int(res, 0, 0));
  *was_running = pg_bool(res, 0, 1);
  PQclear(res);
  return STORE_OK;
}

/* The claim needs no more than READ COMMITTED. Its UPDATE waits for any
 * transaction that is changing the same row and then checks its WHERE
 * clause again on the newest committed version of the row. So when two
 * nodes pick the same candidate, the second one's compare-and-set finds
 * the job running under a live lease, changes nothing, and that node moves
 * on to the next candidate. */
static enum store_rc
claim_in_tx(struct store *s, void *arg)
{
  const struct claim *c = arg;
  char lease[24], now[24];
  for (int attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    char id[24];
    bool was_running = false;
    enum store_rc rc = claim_candidate(s, c, id, &was_running);
    if (rc != STORE_OK)
      return rc;
    const char *params[] = {id, c->owner, pg_i64(lease, c->lease_until),
                            pg_i64(now, c->now)};
    rc = pg_get_row(s, &stmt_job_take, params, c->out, read_job);
    if (rc == STORE_OK)
      c->out->taken_over = was_running;
    if (rc != STORE_NOT_FOUND)
      return rc;
  }
  snprintf(s->errmsg, sizeof s->errmsg, "postgres: job_claim: %d "
           "candidates were taken by other nodes", CLAIM_ATTEMPTS);
  return STORE_RETRY;
}

enum store_rc
pg_job_claim(struct store *s, const char *kind, const char *owner,
             int64_t now, int64_t lease_until, struct job *out)
{
  struct pg_conn *pg = s->impl;
  struct claim c = {kind, owner, now, lease_until, out};
  *out = (struct job){0};
  if (pg->in_tx)
    return claim_in_tx(s, &c);
  return store_tx(s, false, claim_in_tx, &c);
}

enum store_rc
pg_job_renew(struct store *s, int64_t id, const char *owner,
             int64_t lease_until)
{
  char id_text[24], lease[24];
  const char *params[] = {pg_i64(id_text, id), owner,
                          pg_i64(lease, lease_until)};
  return pg_run_change(s, &stmt_job_renew, params);
}

enum store_rc
pg_job_progress(struct store *s, int64_t id, const char *owner, int64_t done,
                int64_t total)
{
  char id_text[24], done_text[24], total_text[24];
  const char *params[] = {pg_i64(id_text, id), owner,
                          pg_i64(done_text, done), pg_i64(total_text, total)};
  return pg_run_change(s, &stmt_job_progress, params);
}

enum store_rc
pg_job_finish(struct store *s, int64_t id, const char *owner,
              const char *state, const char *error, int64_t at)
{
  if (!job_state_is_final(state))
    return pg_fail(s, "postgres: job_finish: state '%.20s' is not done or "
                   "failed", state ? state : "(null)");
  char id_text[24], at_text[24];
  const char *params[] = {
    pg_i64(id_text, id), owner, state, pg_optional(error),
    pg_i64(at_text, at ? at : (int64_t)time(NULL)),
  };
  return pg_run_change(s, &stmt_job_finish, params);
}

enum store_rc
pg_job_get(struct store *s, int64_t id, struct job *out)
{
  char id_text[24];
  const char *params[] = {pg_i64(id_text, id)};
  return pg_get_row(s, &stmt_job_get, params, out, read_job);
}

enum store_rc
pg_job_list(struct store *s, const char *kind, int64_t limit,
            struct job_list *out)
{
  *out = (struct job_list){0};
  char limit_text[24];
  const char *params[] = {kind, limit > 0 ? pg_i64(limit_text, limit) : NULL};
  enum store_rc rc = pg_list_rows(s, &stmt_job_list, params,
                                  (void **)&out->items, &out->count,
                                  sizeof *out->items, read_job);
  if (rc != STORE_OK)
    job_list_free(out);
  return rc;
}
