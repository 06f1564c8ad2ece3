/* Grades, availability, actions and the catalog overview of examination
 * results; see overview.h. */
#include <string.h>

#include "examine/overview.h"

const char *const exam_grades[EXAM_GRADE_COUNT] = {
  "A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F",
};

/* Index of the first grade that needs action (D+). */
#define LOW_GRADE_FIRST 9

int
exam_grade_index(const char *grade)
{
  if (grade == NULL)
    return -1;
  for (int i = 0; i < EXAM_GRADE_COUNT; i++)
    if (strcmp(grade, exam_grades[i]) == 0)
      return i;
  return -1;
}

static bool
outcome_is(const struct exam_result *r, const char *outcome)
{
  return r->outcome != NULL && strcmp(r->outcome, outcome) == 0;
}

enum exam_availability
exam_availability_of(const struct exam_result *r)
{
  if (outcome_is(r, "ok") || outcome_is(r, "http-error"))
    return EXAM_REACHABLE;
  if (outcome_is(r, "unreachable") || outcome_is(r, "timeout"))
    return EXAM_UNREACHABLE;
  if (outcome_is(r, "refused") || outcome_is(r, "not-examinable"))
    return EXAM_NOT_EXAMINABLE;
  return r->http_status > 0 ? EXAM_REACHABLE : EXAM_UNREACHABLE;
}

const char *
exam_availability_code(enum exam_availability a)
{
  switch (a) {
  case EXAM_REACHABLE:
    return "reachable";
  case EXAM_UNREACHABLE:
    return "unreachable";
  default:
    return "not-examinable";
  }
}

bool
exam_has_finding(const struct exam_result *r, const char *id)
{
  for (size_t i = 0; i < r->finding_count; i++)
    if (r->findings[i].id != NULL && strcmp(r->findings[i].id, id) == 0)
      return true;
  return false;
}

static bool
has_exposed_files(const struct exam_result *r)
{
  for (size_t i = 0; i < r->finding_count; i++) {
    const char *id = r->findings[i].id;
    if (id != NULL && (strncmp(id, "exposed-", 8) == 0 ||
                       strcmp(id, "directory-listing") == 0))
      return true;
  }
  return false;
}

/* Certificate expiry as of `now`: the stored expiry time when known, else
 * what the examination found. */
static unsigned
certificate_actions(const struct exam_result *r, int64_t now)
{
  if (r->tls_expires_at > 0) {
    if (r->tls_expires_at <= now)
      return EXAM_ACTION_CERT_EXPIRED;
    if (r->tls_expires_at - now < EXAM_CERT_EXPIRING_DAYS * 86400LL)
      return EXAM_ACTION_CERT_EXPIRING;
  }
  if (exam_has_finding(r, "tls-cert-expired"))
    return EXAM_ACTION_CERT_EXPIRED;
  if (exam_has_finding(r, "tls-cert-expiring"))
    return EXAM_ACTION_CERT_EXPIRING;
  return 0;
}

unsigned
exam_actions_of(const struct exam_result *r, int64_t now)
{
  unsigned actions = 0;
  if (exam_grade_index(r->grade) >= LOW_GRADE_FIRST)
    actions |= EXAM_ACTION_LOW_GRADE;
  enum exam_availability a = exam_availability_of(r);
  if (a == EXAM_UNREACHABLE)
    actions |= EXAM_ACTION_UNREACHABLE;
  if (a == EXAM_REACHABLE && (outcome_is(r, "http-error") ||
                              r->http_status >= 500))
    actions |= EXAM_ACTION_HTTP_ERROR;
  actions |= certificate_actions(r, now);
  if (has_exposed_files(r))
    actions |= EXAM_ACTION_EXPOSED_FILES;
  if (exam_has_finding(r, "no-https") ||
      (a == EXAM_REACHABLE && r->https_available == 0))
    actions |= EXAM_ACTION_NO_HTTPS;
  return actions;
}

static const struct {
  unsigned action;
  const char *code;
  const char *label_id;
  const char *label_en;
} action_labels[EXAM_ACTION_KINDS] = {
  {EXAM_ACTION_LOW_GRADE, "low-grade", "Nilai rendah", "Low grade"},
  {EXAM_ACTION_UNREACHABLE, "unreachable", "Tidak dapat dijangkau",
   "Unreachable"},
  {EXAM_ACTION_HTTP_ERROR, "http-error", "Menjawab dengan galat",
   "Answers with an error"},
  {EXAM_ACTION_CERT_EXPIRED, "cert-expired", "Sertifikat kedaluwarsa",
   "Certificate expired"},
  {EXAM_ACTION_CERT_EXPIRING, "cert-expiring", "Sertifikat segera kedaluwarsa",
   "Certificate expiring"},
  {EXAM_ACTION_EXPOSED_FILES, "exposed-files", "Berkas terbuka",
   "Exposed files"},
  {EXAM_ACTION_NO_HTTPS, "no-https", "Tanpa HTTPS", "No HTTPS"},
};

const char *
exam_action_code(unsigned action)
{
  for (size_t i = 0; i < EXAM_ACTION_KINDS; i++)
    if (action_labels[i].action == action)
      return action_labels[i].code;
  return "unknown";
}

const char *
exam_action_label(unsigned action, const char *lang)
{
  bool english = lang != NULL && strcmp(lang, "en") == 0;
  for (size_t i = 0; i < EXAM_ACTION_KINDS; i++)
    if (action_labels[i].action == action)
      return english ? action_labels[i].label_en : action_labels[i].label_id;
  return "?";
}

bool
exam_in_service(const char *status)
{
  return status == NULL ||
         (strcmp(status, "retired") != 0 && strcmp(status, "merged") != 0);
}

void
exam_overview_add(struct exam_overview *o, const struct exam_result *latest,
                  bool in_service, int64_t now, int64_t interval)
{
  o->apps++;
  if (latest == NULL)
    return;
  o->examined++;
  int grade = exam_grade_index(latest->grade);
  if (grade >= 0)
    o->by_grade[grade]++;
  else
    o->not_graded++;
  o->by_availability[exam_availability_of(latest)]++;

  int64_t at = latest->examined_at;
  if (o->newest == 0 || at > o->newest)
    o->newest = at;
  if (o->oldest == 0 || at < o->oldest)
    o->oldest = at;
  if (interval > 0 && at < now - interval)
    o->stale++;
  if (in_service && exam_actions_of(latest, now) != 0)
    o->needs_action++;
}
