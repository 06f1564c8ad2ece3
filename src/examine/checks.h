/* Findings from the responses of one site: availability, HTTPS and TLS,
 * missing security headers, version leaks and software past its end of
 * life, exposed files, the CMS or framework and mixed content. Pure
 * functions over probe results: no network, no store. */
#ifndef SIMPUL_EXAMINE_CHECKS_H
#define SIMPUL_EXAMINE_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "examine/findings.h"
#include "examine/model.h"
#include "examine/observatory.h"
#include "examine/probe.h"
#include "examine/signatures.h"

/* Everything known about one site. Any result pointer may be NULL when
 * that request was not made. */
struct check_input {
  int64_t now;                          /* Unix seconds */
  const struct finding_table *findings;
  const struct signatures *sig;
  const struct probe_result *avail;     /* the app's own URL */
  const struct probe_result *http;      /* http://HOST/ */
  const struct probe_result *https;     /* https://HOST/ */
  const struct probe_result *main;      /* the Observatory's "auto" session,
                                           whose headers it scored */
  const struct probe_result *page;      /* the page read for the CMS and
                                           mixed content: the app's own
                                           URL when that is not a root of
                                           HOST; NULL means `main` */
  const struct probe_result *missing;   /* a path that cannot exist */
  const struct probe_result *const *paths; /* one per sig->paths[i] */
  const struct obs_result *obs;         /* NULL when not scored */
};

/* Findings being collected; severities come from the finding table. */
struct check_findings {
  struct exam_finding *items;
  size_t count;
  bool no_memory;
};

/* Adds finding `id` with printf-formatted evidence (shortened to 512
 * bytes), unless one with the same id and evidence is there already. */
void check_add(struct check_findings *f, const struct finding_table *t,
               const char *id, const char *fmt, ...)
  __attribute__((format(printf, 4, 5)));

void check_findings_free(struct check_findings *f);

/* Runs every check on `in` and appends the findings to `out`. */
void checks_run(const struct check_input *in, struct check_findings *out);

/* The outcome of the app's own URL: ok (a status the Observatory grades:
 * 2xx, 3xx, 401, 403), http-error (any other status, a redirect loop or
 * too many redirects), timeout, refused (the guard rejected every
 * address), or unreachable. */
const char *checks_outcome(const struct probe_result *avail);

/* True for the statuses the Observatory grades: 2xx, 3xx, 401 and 403. */
bool checks_status_graded(int status);

/* Individual checks, run by checks_run; exposed for the unit tests. */
void check_availability(const struct check_input *in,
                        struct check_findings *out);
void check_https(const struct check_input *in, struct check_findings *out);
void check_tls(const struct check_input *in, struct check_findings *out);
void check_headers(const struct check_input *in, struct check_findings *out);
void check_leaks(const struct check_input *in, struct check_findings *out);
void check_exposed(const struct check_input *in, struct check_findings *out);
void check_products(const struct check_input *in, struct check_findings *out);
void check_mixed_content(const struct check_input *in,
                         struct check_findings *out);

#endif
