/* Starting and stopping the HTTP server that `simpul serve` runs. */
#ifndef SIMPUL_HTTP_SERVER_H
#define SIMPUL_HTTP_SERVER_H

#include <stddef.h>

#include "core/config.h"
#include "store/store.h"

struct http_server;

/* Loads the CSRF key (cfg->key_file, created when missing) and, when
 * cfg->tls_cert and cfg->tls_key are both set, the TLS files; then listens
 * on cfg->listen:cfg->port with a pool of cfg->threads threads. Requests
 * take their store connections from `pool`, which must outlive the server.
 * Returns NULL with the reason and the fix in `err` on failure. */
struct http_server *http_server_start(const struct config *cfg,
                                      struct store_pool *pool, char *err,
                                      size_t errlen);

/* Stops accepting connections, lets the requests being handled finish,
 * and frees the server. NULL is ignored. */
void http_server_stop(struct http_server *s);

#endif
