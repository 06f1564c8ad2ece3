/* simpul jobs: list jobs and show one, following its progress until it
 * ends, so that a run started from the console can be watched from the
 * command line. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common.h"
#include "jobs/jobs.h"
#include "store/store.h"

#define DEFAULT_LIST_LIMIT 20
#define MAX_LIST_LIMIT 100000
#define BAR_WIDTH 30

static void
jobs_usage(FILE *out)
{
  fprintf(out,
          "usage: simpul [GLOBAL OPTIONS] jobs list [--kind KIND] "
          "[--limit N]\n"
          "       simpul [GLOBAL OPTIONS] jobs show ID [--follow]\n"
          "\n"
          "  list       prints the newest jobs first: id, kind, state,\n"
          "             progress, when each is due and finished (UTC), who\n"
          "             asked for it and the node that ran it\n"
          "    --kind KIND   only jobs of KIND, e.g. examine\n"
          "    --limit N     at most N jobs (default %d)\n"
          "  show       prints every field of job ID\n"
          "    --follow      then polls the store once a second until the\n"
          "                  job is done or failed, redrawing a progress\n"
          "                  line on a terminal (one line per change\n"
          "                  otherwise); exits 0 when the job is done and\n"
          "                  1 when it failed\n",
          DEFAULT_LIST_LIMIT);
}

/* Parses a positive decimal number up to `max`; false when it is not. */
static bool
parse_count(const char *text, int64_t max, int64_t *out)
{
  char *end = NULL;
  errno = 0;
  long long v = strtoll(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || v < 1 || v > max)
    return false;
  *out = v;
  return true;
}

static int
jobs_list(struct cli *c, int argc, char **argv)
{
  const char *kind = NULL;
  int64_t limit = DEFAULT_LIST_LIMIT;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--kind") == 0 && i + 1 < argc) {
      kind = argv[++i];
    } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
      if (!parse_count(argv[++i], MAX_LIST_LIMIT, &limit)) {
        fprintf(stderr, "simpul jobs list: --limit '%s' is invalid; give a "
                "whole number from 1 to %d\n", argv[i], MAX_LIST_LIMIT);
        return 2;
      }
    } else {
      fprintf(stderr, "simpul jobs list: unexpected argument '%s'; see "
              "'simpul jobs --help'\n", argv[i]);
      return 2;
    }
  }
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  struct job_list jobs = {0};
  enum store_rc rc = s->ops->job_list(s, kind, limit, &jobs);
  if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "listing jobs failed: %s",
                    store_errmsg(s));
    store_close(s);
    return 1;
  }
  printf("%-6s %-10s %-8s %-11s %-16s %-16s %-16s %s\n", "ID", "KIND",
         "STATE", "PROGRESS", "DUE (UTC)", "FINISHED (UTC)", "BY", "NODE");
  for (size_t i = 0; i < jobs.count; i++) {
    const struct job *j = &jobs.items[i];
    char progress[48], due[24], finished[24];
    snprintf(progress, sizeof progress, "%" PRId64 "/%" PRId64,
             j->progress_done, j->progress_total);
    cli_format_time(j->scheduled_for, due, sizeof due);
    cli_format_time(j->finished_at, finished, sizeof finished);
    printf("%-6" PRId64 " %-10s %-8s %-11s %-16s %-16s %-16s %s\n", j->id,
           j->kind, j->state, progress, due, finished,
           j->created_by ? j->created_by : "-",
           j->lease_owner ? j->lease_owner : "-");
  }
  if (jobs.count == 0 && kind == NULL)
    fprintf(stderr, "simpul jobs list: belum ada pekerjaan / no jobs yet\n");
  else if (jobs.count == 0)
    fprintf(stderr, "simpul jobs list: tidak ada pekerjaan berjenis '%s' / "
            "no jobs of kind '%s'%s\n", kind, kind,
            strcmp(kind, JOBS_KIND_EXAMINE) != 0
              ? "; examinations have the kind 'examine'" : "");
  job_list_free(&jobs);
  store_close(s);
  return 0;
}

static void
print_field_time(const char *label, int64_t t)
{
  char text[24];
  cli_format_time(t, text, sizeof text);
  printf("  %-12s %s%s\n", label, text, t ? " UTC" : "");
}

static void
print_job(const struct job *j)
{
  printf("job %" PRId64 "\n", j->id);
  printf("  %-12s %s\n", "kind:", j->kind);
  printf("  %-12s %s\n", "state:", j->state);
  printf("  %-12s %" PRId64 " of %" PRId64 "\n", "progress:",
         j->progress_done, j->progress_total);
  printf("  %-12s %s\n", "params:", j->params);
  printf("  %-12s %s\n", "created by:", j->created_by);
  print_field_time("created:", j->created_at);
  print_field_time("due:", j->scheduled_for);
  print_field_time("started:", j->started_at);
  print_field_time("finished:", j->finished_at);
  printf("  %-12s %s\n", "node:", j->lease_owner ? j->lease_owner : "-");
  if (strcmp(j->state, "running") == 0)
    print_field_time("lease until:", j->lease_expires_at);
  if (j->dedupe_key != NULL)
    printf("  %-12s %s\n", "dedupe key:", j->dedupe_key);
  if (j->error != NULL)
    printf("  %-12s %s\n", "error:", j->error);
}

/* Redraws the progress line of `j` in place: a bar, the counts, the
 * state. */
static void
draw_bar(const struct job *j)
{
  char bar[BAR_WIDTH + 1];
  int filled = 0;
  if (j->progress_total > 0 && j->progress_done > 0)
    filled = (int)(j->progress_done >= j->progress_total
                     ? BAR_WIDTH
                     : j->progress_done * BAR_WIDTH / j->progress_total);
  memset(bar, '#', (size_t)filled);
  memset(bar + filled, '.', (size_t)(BAR_WIDTH - filled));
  bar[BAR_WIDTH] = '\0';
  printf("\r[%s] %" PRId64 "/%" PRId64 " %-8s", bar, j->progress_done,
         j->progress_total, j->state);
  fflush(stdout);
}

/* Polls job `id` once a second until it ends. Returns the exit status. */
static int
follow(struct store *s, int64_t id)
{
  bool terminal = isatty(STDOUT_FILENO);
  int64_t last_done = -1;
  char last_state[16] = "";
  for (;;) {
    struct job j = {0};
    enum store_rc rc = s->ops->job_get(s, id, &j);
    if (rc != STORE_OK) {
      if (terminal)
        putchar('\n');
      cli_print_error(store_rc_error(rc), "reading job %" PRId64 " failed: "
                      "%s", id, store_errmsg(s));
      return 1;
    }
    bool ended = job_state_is_final(j.state);
    if (terminal) {
      draw_bar(&j);
    } else if (j.progress_done != last_done
               || strcmp(j.state, last_state) != 0) {
      printf("%" PRId64 "/%" PRId64 " %s\n", j.progress_done,
             j.progress_total, j.state);
      fflush(stdout);
    }
    last_done = j.progress_done;
    snprintf(last_state, sizeof last_state, "%s", j.state);
    if (ended) {
      if (terminal)
        putchar('\n');
      if (j.error != NULL)
        printf("error: %s\n", j.error);
      int status = strcmp(j.state, "done") == 0 ? 0 : 1;
      job_free(&j);
      return status;
    }
    job_free(&j);
    sleep(1);
  }
}

static int
jobs_show(struct cli *c, int argc, char **argv)
{
  const char *id_text = NULL;
  bool following = false;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--follow") == 0) {
      following = true;
    } else if (id_text == NULL && argv[i][0] != '-') {
      id_text = argv[i];
    } else {
      fprintf(stderr, "simpul jobs show: unexpected argument '%s'; see "
              "'simpul jobs --help'\n", argv[i]);
      return 2;
    }
  }
  int64_t id = 0;
  if (id_text == NULL || !parse_count(id_text, INT64_MAX, &id)) {
    fprintf(stderr, "simpul jobs show: give one job ID, a whole number from "
            "'simpul jobs list'\n");
    return 2;
  }
  struct store *s = cli_open_store(c);
  if (s == NULL)
    return 1;
  struct job j = {0};
  enum store_rc rc = s->ops->job_get(s, id, &j);
  int status = 0;
  if (rc == STORE_NOT_FOUND) {
    cli_print_error(SP_ERR_NOT_FOUND, "no job has ID %" PRId64 "; see "
                    "'simpul jobs list'", id);
    status = 1;
  } else if (rc != STORE_OK) {
    cli_print_error(store_rc_error(rc), "reading job %" PRId64 " failed: %s",
                    id, store_errmsg(s));
    status = 1;
  } else {
    print_job(&j);
    if (following)
      status = follow(s, id);
  }
  job_free(&j);
  store_close(s);
  return status;
}

int
cli_jobs(struct cli *c, int argc, char **argv)
{
  if (argc < 2 || cli_wants_help(argc, argv)) {
    jobs_usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (strcmp(argv[1], "list") == 0)
    return jobs_list(c, argc, argv);
  if (strcmp(argv[1], "show") == 0)
    return jobs_show(c, argc, argv);
  fprintf(stderr, "simpul jobs: unknown subcommand '%s'; use list or show\n",
          argv[1]);
  return 2;
}
