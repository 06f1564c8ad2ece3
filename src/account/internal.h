/* Helpers shared by the files of account/ only. */
#ifndef SIMPUL_ACCOUNT_INTERNAL_H
#define SIMPUL_ACCOUNT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/log.h"
#include "store/store.h"

/* Counts the code points of `s` when it is valid UTF-8 (no overlong forms,
 * surrogates or values above U+10FFFF); returns -1 otherwise. */
long account_utf8_count(const char *s);

/* Logs `event` with the store's error text and returns the user-facing
 * error of `rc`. */
static inline enum sp_err
account_store_failure(struct store *s, enum store_rc rc, const char *event)
{
  log_event(LOG_ERROR, event, "error", store_errmsg(s), NULL);
  return store_rc_error(rc);
}

/* A throttled key ("user:NAME", "addr:ADDR", "password:NAME") and the
 * failures it may collect within the window before attempts must wait. */
struct throttle_key {
  const char *key;
  int max_failures;
};

/* Returns SP_OK when no key of `keys` must wait at `now`. Otherwise
 * returns SP_ERR_THROTTLED with the seconds until the longest wait ends
 * in *retry_after, or a store error (logged as `event`). */
enum sp_err throttle_check(struct store *s, int window,
                           const struct throttle_key *keys, size_t count,
                           int64_t now, int *retry_after, const char *event);

/* Counts one failure at `now` on each key of `keys`. */
enum sp_err throttle_count_failure(struct store *s, int window,
                                   const struct throttle_key *keys,
                                   size_t count, int64_t now,
                                   const char *event);

#endif
