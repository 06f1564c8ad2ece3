/* Reading examination results for people: the grade scale, whether an app
 * was reachable, what on it needs action, and the catalog-wide overview
 * the dashboard shows (grades, availability, how fresh the results are).
 * Pure computations over struct exam_result: no store, no HTTP. */
#ifndef SIMPUL_EXAMINE_OVERVIEW_H
#define SIMPUL_EXAMINE_OVERVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "examine/model.h"

/* The grades of MDN HTTP Observatory 1.4.8, best first: A+ A A- B+ B B-
 * C+ C C- D+ D D- F. */
#define EXAM_GRADE_COUNT 13
extern const char *const exam_grades[EXAM_GRADE_COUNT];

/* Returns the position of `grade` in exam_grades (0 for A+, 12 for F), or
 * -1 for NULL or a text that is not a grade. */
int exam_grade_index(const char *grade);

enum exam_availability {
  EXAM_REACHABLE = 0,     /* the site sent a response, of any status */
  EXAM_UNREACHABLE,       /* no response: connecting failed or timed out */
  EXAM_NOT_EXAMINABLE,    /* nothing to probe (no URL) or the address
                             guard rejected the target */
  EXAM_AVAILABILITY_COUNT
};

/* Classifies a result by its outcome; an unknown outcome counts as
 * unreachable when there is no HTTP status, else as reachable. */
enum exam_availability exam_availability_of(const struct exam_result *r);

/* Returns "reachable", "unreachable" or "not-examinable". */
const char *exam_availability_code(enum exam_availability a);

/* A certificate with fewer days than this left counts as expiring. */
#define EXAM_CERT_EXPIRING_DAYS 30

/* Reasons that an app needs action, as bit flags. */
enum exam_action {
  EXAM_ACTION_LOW_GRADE = 1u << 0,      /* grade D+ or worse */
  EXAM_ACTION_UNREACHABLE = 1u << 1,
  EXAM_ACTION_HTTP_ERROR = 1u << 2,     /* responded with an error status */
  EXAM_ACTION_CERT_EXPIRED = 1u << 3,
  EXAM_ACTION_CERT_EXPIRING = 1u << 4,
  EXAM_ACTION_EXPOSED_FILES = 1u << 5,  /* exposed-*, directory-listing */
  EXAM_ACTION_NO_HTTPS = 1u << 6
};
#define EXAM_ACTION_KINDS 7

/* Returns the reasons `r` needs action at time `now` (Unix seconds), 0
 * when none. Certificate expiry is judged from the findings and from the
 * stored expiry time against `now`, so a certificate that ran out after
 * the examination counts as expired. */
unsigned exam_actions_of(const struct exam_result *r, int64_t now);

/* Returns the flag's stable code for the API ("low-grade", "no-https");
 * `action` is one enum exam_action bit. */
const char *exam_action_code(unsigned action);

/* Returns the flag's label in "id" or "en" ("Sertifikat kedaluwarsa",
 * "Certificate expired"); `action` is one enum exam_action bit. */
const char *exam_action_label(unsigned action, const char *lang);

/* True when `r` has a finding whose id is `id`. */
bool exam_has_finding(const struct exam_result *r, const char *id);

/* True when an app with lifecycle status `status` is still in service, so
 * its findings call for action: any status but retired and merged. */
bool exam_in_service(const char *status);

/* Counts over the catalog's apps and their latest results. */
struct exam_overview {
  int64_t apps;              /* apps counted */
  int64_t examined;          /* apps with a result */
  int64_t by_grade[EXAM_GRADE_COUNT];
  int64_t not_graded;        /* examined, without a grade */
  int64_t by_availability[EXAM_AVAILABILITY_COUNT];
  int64_t newest;            /* newest examined_at; 0 when none */
  int64_t oldest;            /* oldest latest examined_at; 0 when none */
  int64_t stale;             /* examined before now - interval */
  int64_t needs_action;      /* apps in service with at least one action */
};

/* Adds one app to `o`: `latest` is its newest result, or NULL when it was
 * never examined. The app counts toward needs_action only when
 * `in_service`. A result older than `now - interval` (seconds) counts as
 * stale; `interval` <= 0 counts none as stale. Start from a zeroed `o`. */
void exam_overview_add(struct exam_overview *o,
                       const struct exam_result *latest, bool in_service,
                       int64_t now, int64_t interval);

#endif
