/* Counters for /metrics, safe to call from any thread. The faces count
 * logins here; the dispatcher counts requests and error replies. */
#ifndef SIMPUL_HTTP_METRICS_H
#define SIMPUL_HTTP_METRICS_H

#include "core/buf.h"
#include "core/error.h"

/* Records the process start time; call once at startup. */
void metrics_init(void);

/* Counts one finished request under its route name (a static string). */
void metrics_request(const char *route, const char *method, int status,
                     double seconds);

enum login_outcome { LOGIN_OK = 0, LOGIN_FAILED, LOGIN_THROTTLED };
void metrics_login(enum login_outcome outcome);

/* Counts one error reply with the stable code of `err`. */
void metrics_error(enum sp_err err);

/* Appends every metric in the Prometheus text format 0.0.4. */
void metrics_render(struct buf *out);

#endif
