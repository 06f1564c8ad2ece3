/* Examination of the catalog's applications: availability, TLS, security
 * headers scored as MDN HTTP Observatory 1.4.8 scores them, information
 * leaks, exposed files and CMS detection. Probes run concurrently with the
 * libcurl multi interface and never reach a private, loopback, link-local,
 * multicast or metadata address unless a range is allowed. Nothing here
 * knows HTTP serving or SQL. */
#ifndef SIMPUL_EXAMINE_EXAMINE_H
#define SIMPUL_EXAMINE_EXAMINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/error.h"
#include "examine/model.h"
#include "jobs/model.h"
#include "store/store.h"

#define EXAMINE_MAX_RANGES 32
#define EXAMINE_MAX_RESOLVE 64

struct examine_options {
  int concurrency;             /* sites examined at once */
  int timeout_ms;              /* per request */
  int max_redirects;
  long max_body;               /* bytes read per response */
  const char *cacert;          /* extra trusted roots (PEM file) or NULL */
  const char *allow_private[EXAMINE_MAX_RANGES]; /* CIDR texts */
  size_t allow_private_count;
  const char *allow_private_list; /* comma-separated CIDR texts (the
                                     configuration's), or NULL; allowed
                                     as well as allow_private */
  const char *resolve[EXAMINE_MAX_RESOLVE];      /* "HOST:PORT:ADDRESS" */
  size_t resolve_count;
  const char *data_dir;        /* signatures and finding texts */
  bool progress;               /* draw a progress line on a terminal */
};

/* Fills `opt` from the configuration (examine_* keys). The pointers refer
 * into `cfg`, which must outlive `opt`. False with a message when a
 * configured CIDR range is invalid. */
bool examine_options_from_config(struct examine_options *opt,
                                 const struct config *cfg, char *err,
                                 size_t errlen);

/* Checks everything a run would load before it starts: the allowed
 * ranges, the --resolve entries, the extra roots and the data files. False
 * with a message naming the file or value and the fix. */
bool examine_options_check(const struct examine_options *opt, char *err,
                           size_t errlen);

/* Checks one "HOST:PORT:ADDRESS[,ADDRESS]" text as CURLOPT_RESOLVE takes
 * it (IPv6 addresses in brackets). False with a message naming the text
 * and the fix. */
bool examine_resolve_valid(const char *text, char *err, size_t errlen);

/* Called after each stored result with the run's progress; returns false
 * to stop the run (for example when the job's lease was lost). */
typedef bool (*examine_progress_fn)(void *ctx, int64_t done, int64_t total);

/* Runs, or resumes, the examination job `job` (kind "examine"): examines
 * the apps named in its params ({"apps": [codes]}; every app of the catalog
 * when absent) that have no result in this run yet, and stores each
 * result, with its findings, as soon as it is complete. Apps without a URL
 * get the outcome not-examinable with the reason. Returns SP_OK when every
 * app has a result, or the error that stopped the run. */
enum sp_err examine_run_job(struct store *s, const struct job *job,
                            const struct examine_options *opt,
                            examine_progress_fn progress, void *ctx);

#endif
