/* A driver for store_postgres.sh. It keeps one store connection open while
 * the script stops, starts or kills the PostgreSQL server around it, so
 * that the script can see whether the same connection recovers.
 *
 * Usage: pg_probe URL. Reads one command per line from stdin (ping, begin,
 * commit, rollback, quit) and writes one line per command to stdout:
 *   STATUS MILLISECONDS [MESSAGE]
 * where STATUS is ok, not_found, conflict, retry or error and MESSAGE is
 * the connection's last error. store_postgres.sh compiles it against the
 * ASan library, because it is a test helper rather than a test of its own. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "store/store.h"

static const char *
status_name(enum store_rc rc)
{
  switch (rc) {
  case STORE_OK:
    return "ok";
  case STORE_NOT_FOUND:
    return "not_found";
  case STORE_CONFLICT:
    return "conflict";
  case STORE_RETRY:
    return "retry";
  case STORE_ERROR:
    break;
  }
  return "error";
}

static int64_t
now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum store_rc
run_command(struct store *s, const char *command, bool *known)
{
  *known = true;
  if (strcmp(command, "ping") == 0)
    return s->ops->ping(s);
  if (strcmp(command, "begin") == 0)
    return s->ops->begin(s, false);
  if (strcmp(command, "commit") == 0)
    return s->ops->commit(s);
  if (strcmp(command, "rollback") == 0)
    return s->ops->rollback(s);
  *known = false;
  return STORE_ERROR;
}

int
main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: pg_probe URL\n");
    return 2;
  }
  char err[1024];
  struct store *s = store_open(argv[1], err, sizeof err);
  if (s == NULL) {
    printf("error 0 %s\n", err);
    return 1;
  }
  char line[64];
  while (fgets(line, sizeof line, stdin) != NULL) {
    line[strcspn(line, "\r\n")] = '\0';
    if (strcmp(line, "quit") == 0)
      break;
    bool known;
    int64_t start = now_ms();
    enum store_rc rc = run_command(s, line, &known);
    int64_t elapsed = now_ms() - start;
    if (!known)
      printf("error 0 unknown command '%s'\n", line);
    else if (rc == STORE_OK)
      printf("ok %lld\n", (long long)elapsed);
    else
      printf("%s %lld %s\n", status_name(rc), (long long)elapsed,
             store_errmsg(s));
    fflush(stdout);
  }
  store_close(s);
  return 0;
}
