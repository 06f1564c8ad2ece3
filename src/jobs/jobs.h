/* The job runner: enqueueing jobs, running them on one worker thread per
 * node inside `simpul serve`, and the schedule of examinations.
 *
 * A node runs a job by claiming it in the store with a lease (job_claim),
 * renewing the lease while the job reports progress, and finishing it as
 * done or failed. A job whose node died keeps its lease until the lease
 * expires. Then any node claims it again ("takes it over"), and the job's
 * run function resumes from the work that was committed. The runner
 * dispatches on the job's kind through a small table, so a test can add a
 * kind of its own; "examine" is built in. */
#ifndef SIMPUL_JOBS_JOBS_H
#define SIMPUL_JOBS_JOBS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/error.h"
#include "jobs/model.h"
#include "store/store.h"

#define JOBS_KIND_EXAMINE "examine"

/* Kinds the runner can hold, the built-in ones included. */
#define JOBS_MAX_KINDS 8

/* Maximum length of a job's params JSON text, in bytes. */
#define JOBS_MAX_PARAMS 65536

/* Enqueues a job of `kind` (a built-in or registered kind) with `params`,
 * a JSON object text (NULL means "{}"), created by `actor`. The job is
 * not claimed before `scheduled_for` (Unix seconds; 0 means now). When
 * `dedupe_key` is not NULL and a job with that key exists, nothing is
 * added: `*id` is the existing job's id and `*existed` (may be NULL) is
 * set. Returns SP_OK, or the error naming the bad kind, params or actor
 * (with a detail in `detail`, size `detail_len`, for the log or the user),
 * or a store error. */
enum sp_err jobs_enqueue(struct store *s, const char *kind,
                         const char *params, const char *actor,
                         const char *dedupe_key, int64_t scheduled_for,
                         int64_t *id, bool *existed, char *detail,
                         size_t detail_len);

/* A claimed job while its run function works on it. */
struct jobs_run;

/* Records `done` of `total` for the running job and renews its lease, at
 * most every job_lease/3 seconds. Returns false once the lease was lost
 * (another node took the job over) or the worker is stopping: the run
 * function must then return soon, without finishing more work. Call it
 * on the thread that runs the job; it uses the job's store connection. */
bool jobs_run_progress(struct jobs_run *run, int64_t done, int64_t total);

/* Runs `job` on connection `s` and returns SP_OK when the job's work is
 * complete, or the error that stopped it, with a detail in `detail`. It
 * reports progress through `run`, and must skip the work that an earlier,
 * interrupted run of the same job committed. */
typedef enum sp_err (*jobs_run_fn)(struct store *s, const struct job *job,
                                   const struct config *cfg,
                                   struct jobs_run *run, char *detail,
                                   size_t detail_len);

/* Adds `kind` to the runner's table. Call it before any worker starts.
 * False when the kind is already known, its name is invalid (1 to 32 of
 * a-z, 0-9, '-', '_') or the table is full. */
bool jobs_register_kind(const char *kind, jobs_run_fn run);

/* Claims the oldest due job of any known kind for node `node` and runs it
 * to its end. The job ends done or failed, or it is left to another node
 * when the lease was lost. When `stop` (may be NULL) becomes true during
 * the run, the lease is released so that another node resumes the job at
 * once. Claims nothing once `stop` is true. Returns true when it claimed a
 * job, false when none was due or the store failed (logged). */
bool jobs_run_next(struct store *s, const struct config *cfg,
                   const char *node, const atomic_bool *stop);

/* Enqueues the scheduled examination of every app for the slot after
 * `now`: slots are cfg->examine_interval seconds long, counted from the
 * Unix epoch, and the job is due at the start of its slot. Every node
 * calls this, and the dedupe key "schedule:examine:<slot start>" lets
 * exactly one insert win. `*enqueued` (may be NULL) is set when this call
 * inserted the job, and `*slot_start` (may be NULL) receives the slot's
 * start. Does nothing and returns SP_OK when the interval is 0. */
enum sp_err jobs_schedule_next(struct store *s, const struct config *cfg,
                               int64_t now, int64_t *slot_start,
                               bool *enqueued);

/* Writes this node's name in job leases: cfg->node_id, or
 * "<host name>:<process id>" when that is empty. */
void jobs_node_id(const struct config *cfg, char *out, size_t len);

/* A thread that, about once a second (with jitter, so that nodes spread
 * out), enqueues the scheduled examination when its slot is new and runs
 * every due job. It uses one pool connection while it works. */
struct jobs_worker;

/* Starts the worker for node `node_id` (NULL for jobs_node_id's name).
 * `pool` and `cfg` must outlive it. NULL with a message on failure. */
struct jobs_worker *jobs_worker_start(struct store_pool *pool,
                                      const struct config *cfg,
                                      const char *node_id, char *err,
                                      size_t errlen);

/* Stops the worker and waits for its thread. A job in progress is asked
 * to stop at its next progress report and its lease is released, so that
 * another node resumes it at once. NULL is ignored. */
void jobs_worker_stop(struct jobs_worker *w);

#endif
