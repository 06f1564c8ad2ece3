/* What one examination of one application found, as the store keeps it.
 * An examination run is a job (jobs/model.h); its results are keyed by the
 * job id and the application code, so a resumed run skips the apps whose
 * results were committed. */
#ifndef SIMPUL_EXAMINE_MODEL_H
#define SIMPUL_EXAMINE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct exam_finding {
  char *id;                /* stable, e.g. "hsts-missing", "exposed-git" */
  char *severity;          /* info, low, medium, high, critical */
  char *evidence;          /* what was seen, plain text */
};

struct exam_result {
  int64_t run_id;          /* the job id */
  char *app_code;
  int64_t examined_at;     /* Unix seconds */
  char *outcome;           /* ok, unreachable, timeout, http-error, refused,
                              not-examinable */
  int http_status;         /* final status, 0 when none */
  int response_ms;         /* time to the final response, -1 when none */
  char *final_url;
  char *redirects;         /* JSON array text of {"url","status"} hops */
  int https_available;     /* -1 unknown, 0 no, 1 yes */
  int https_redirect;      /* plain HTTP redirects to HTTPS: -1, 0, 1 */
  int tls_valid;           /* certificate within its dates: -1, 0, 1 */
  int tls_trusted;         /* chain verified: -1, 0, 1 */
  char *tls_issuer;
  int64_t tls_expires_at;  /* 0 when unknown */
  char *tls_protocol;      /* "TLSv1.3" */
  char *grade;             /* A+ .. F, NULL when not graded */
  int score;               /* Observatory score, -1 when not graded */
  char *tests;             /* JSON object text of the scored tests */
  char *error;             /* transport error text, NULL when none */
  struct exam_finding *findings;
  size_t finding_count;
};
struct exam_result_list {
  struct exam_result *items;
  size_t count;
};
void exam_result_free(struct exam_result *r);
void exam_result_list_free(struct exam_result_list *l);

/* A list of strings returned by the store. */
struct string_list {
  char **items;
  size_t count;
};
void string_list_free(struct string_list *l);

#endif
