/* Throttling of password guesses: a key that collected its maximum of
 * failures within the window makes each further attempt wait, twice as
 * long after every new failure. Nobody is locked out, and a typo-prone
 * office behind one address keeps working. The failures live in the
 * store, so every node sees the same counts. */
#include "account/account.h"
#include "account/internal.h"

int
account_throttle_delay(int64_t failures, int max_failures, int window)
{
  if (failures < max_failures || window <= 0)
    return 0;
  int64_t exponent = failures - max_failures + 1;
  if (exponent >= 30)
    return window;
  int64_t delay = (int64_t)1 << exponent;
  return delay < window ? (int)delay : window;
}

/* Finds the time of the newest failure of `key`, knowing that one is at
 * or after `lo`. The store counts failures since a time but has no query
 * for the newest one, so this bisects on that count: about log2(now - lo)
 * counts, run only for a key that is waiting. A failure dated after `now`
 * (another node's clock runs ahead) counts as made at `now`. */
static enum store_rc
newest_failure(struct store *s, const char *key, int64_t lo, int64_t now,
               int64_t *newest)
{
  int64_t hi = now + 1, count = 0;
  enum store_rc rc = s->ops->throttle_count(s, key, hi, &count);
  if (rc != STORE_OK || count > 0) {
    *newest = now;
    return rc;
  }
  /* Invariant: a failure is at or after lo, and none at or after hi. */
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    rc = s->ops->throttle_count(s, key, mid, &count);
    if (rc != STORE_OK)
      return rc;
    if (count > 0)
      lo = mid;
    else
      hi = mid;
  }
  *newest = lo;
  return STORE_OK;
}

/* Sets *wait to the seconds `k` must still wait at `now`, 0 for none.
 * Times are whole seconds, so an attempt passes only once more than
 * `delay` seconds have gone by since the newest failure: a wait of at
 * least `delay` real seconds. */
static enum store_rc
key_wait(struct store *s, int window, const struct throttle_key *k,
         int64_t now, int *wait)
{
  int64_t failures = 0, recent = 0, newest = now;
  *wait = 0;
  enum store_rc rc = s->ops->throttle_count(s, k->key, now - window,
                                            &failures);
  int delay = account_throttle_delay(failures, k->max_failures, window);
  if (rc != STORE_OK || delay == 0)
    return rc;
  rc = s->ops->throttle_count(s, k->key, now - delay, &recent);
  if (rc != STORE_OK || recent == 0)
    return rc;
  rc = newest_failure(s, k->key, now - delay, now, &newest);
  if (rc != STORE_OK)
    return rc;
  int64_t left = newest + delay + 1 - now;
  *wait = left < 1 ? 1 : (int)left;
  return STORE_OK;
}

enum sp_err
throttle_check(struct store *s, int window, const struct throttle_key *keys,
               size_t count, int64_t now, int *retry_after,
               const char *event)
{
  *retry_after = 0;
  for (size_t i = 0; i < count; i++) {
    int wait = 0;
    enum store_rc rc = key_wait(s, window, &keys[i], now, &wait);
    if (rc != STORE_OK)
      return account_store_failure(s, rc, event);
    if (wait > *retry_after)
      *retry_after = wait;
  }
  return *retry_after > 0 ? SP_ERR_THROTTLED : SP_OK;
}

enum sp_err
throttle_count_failure(struct store *s, int window,
                       const struct throttle_key *keys, size_t count,
                       int64_t now, const char *event)
{
  for (size_t i = 0; i < count; i++) {
    int64_t failures = 0;
    enum store_rc rc = s->ops->throttle_fail(s, keys[i].key, now,
                                             now - window, &failures);
    if (rc != STORE_OK)
      return account_store_failure(s, rc, event);
  }
  return SP_OK;
}
