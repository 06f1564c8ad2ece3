/* Shared by the files of examine/ that run an examination: the state of
 * one run and of one site being examined. */
#ifndef SIMPUL_EXAMINE_INTERNAL_H
#define SIMPUL_EXAMINE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/model.h"
#include "examine/examine.h"
#include "examine/findings.h"
#include "examine/guard.h"
#include "examine/probe.h"
#include "examine/signatures.h"

/* Bytes kept of the body of an exposed-file or fingerprint probe, and of
 * robots.txt and the CORS preflight; the pages scored keep max_body. */
#define EXAMINE_PROBE_BODY (256 * 1024)
#define EXAMINE_SMALL_BODY (64 * 1024)

/* One examination run. */
struct examine_ctx {
  const struct examine_options *opt;
  int64_t run_id;
  struct guard guard;
  struct tls_trust *trust;
  struct finding_table findings;
  struct signatures sig;
  struct probe_config probe_cfg;
  struct probe_engine *engine;
};

/* Loads everything a run needs from `opt` (data files, extra roots, the
 * guard's ranges) and creates the probe engine. False with a message. */
bool examine_ctx_init(struct examine_ctx *x, const struct examine_options *opt,
                      int64_t run_id, char *err, size_t errlen);
void examine_ctx_free(struct examine_ctx *x);

/* One site being examined: its probes and what they returned. */
struct site;

/* Starts examining `app` (whose url is set). NULL when memory runs out or
 * no probe could start. */
struct site *site_start(struct examine_ctx *x, const struct app *app);

/* True when every probe of the site has ended. */
bool site_finished(const struct site *s);

/* Builds the stored result of a finished site (scoring, checks, TLS
 * facts). Returns SP_OK or SP_ERR_NOMEM. */
enum sp_err site_result(struct site *s, int64_t now, struct exam_result *out);

/* Starts the site's queued requests once their wait is over; call it
 * between engine steps. */
void site_tick(struct site *s);

void site_free(struct site *s);

/* Builds the result of an app that cannot be examined online. */
enum sp_err site_not_examinable(struct examine_ctx *x, const struct app *app,
                                int64_t now, struct exam_result *out);

#endif
