/* Constructors of the store backends, called by store_open() only. */
#ifndef SIMPUL_STORE_BACKEND_H
#define SIMPUL_STORE_BACKEND_H

#include <stddef.h>

#include "store/store.h"

/* Opens the SQLite file at `path` (created when missing) in WAL mode with
 * foreign keys on and a busy timeout. NULL with a message on failure. */
struct store *sqlite_store_open(const char *path, char *err, size_t errlen);

/* Opens a PostgreSQL connection from a libpq URL. NULL with a message (the
 * URL's password masked) on failure. */
struct store *postgres_store_open(const char *url, char *err, size_t errlen);

/* Copies a PostgreSQL URL into `out` with its password (in the user
 * part or a password= parameter) replaced by "***". */
void postgres_mask_url(const char *url, char *out, size_t outlen);

#endif
