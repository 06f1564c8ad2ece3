/* Starting and stopping the HTTP server that `simpul serve` runs. */
#ifndef SIMPUL_HTTP_SERVER_H
#define SIMPUL_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/error.h"
#include "store/store.h"

struct http_server;

/* Loads the CSRF key (cfg->key_file, created when missing) and, when
 * cfg->tls_cert and cfg->tls_key are both set, the TLS files; then binds
 * cfg->listen:cfg->port. Clients that connect wait until
 * http_server_run. Requests take their store connections from `pool`,
 * which must outlive the server. Returns NULL with the reason and the fix
 * in `err` on failure, and in *why SP_ERR_LISTEN when the address cannot
 * be bound, SP_ERR_CONFIG for a bad setting or file, or SP_ERR_NOMEM. */
struct http_server *http_server_open(const struct config *cfg,
                                     struct store_pool *pool,
                                     enum sp_err *why, char *err,
                                     size_t errlen);

/* Starts serving on the socket bound by http_server_open, with a pool of
 * cfg->threads threads. False with the reason in `err`; the server must
 * still be stopped. */
bool http_server_run(struct http_server *s, char *err, size_t errlen);

/* Stops accepting connections, lets the requests being handled finish,
 * and frees the server. NULL is ignored. */
void http_server_stop(struct http_server *s);

#endif
