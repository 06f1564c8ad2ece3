/* Jobs: long work (examination runs, later imports) recorded in the store,
 * so the console and the command line show the same progress and, across
 * several nodes, each job runs once. A node claims a job by taking its
 * lease and renews the lease while it works; a job whose lease ran out
 * (its node died) can be claimed again and resumes from what was
 * committed. */
#ifndef SIMPUL_JOBS_MODEL_H
#define SIMPUL_JOBS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct job {
  int64_t id;
  char *kind;              /* "examine" */
  char *params;            /* JSON object text, e.g. {"apps":["web-setda"]} */
  char *state;             /* queued, running, done, failed */
  char *dedupe_key;        /* unique when set: one scheduled run per slot */
  char *created_by;        /* actor */
  char *lease_owner;       /* node id holding the lease, NULL when none */
  int64_t lease_expires_at;
  int64_t scheduled_for;   /* not claimed before this time */
  int64_t created_at;
  int64_t started_at;      /* first claim; 0 before */
  int64_t finished_at;
  int64_t progress_done;
  int64_t progress_total;
  char *error;             /* why it failed; NULL otherwise */
  bool taken_over;         /* set by job_claim only, not stored: the job
                              was running under a lease that expired */
};
struct job_list {
  struct job *items;
  size_t count;
};
void job_free(struct job *j);
void job_list_free(struct job_list *l);

/* True for "done" and "failed", the states a job ends in. */
bool job_state_is_final(const char *state);

#endif
