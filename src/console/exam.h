/* The console's examination pages: the examination section of an app's
 * page, the dashboard's examination overview, the job pages, and the
 * buttons that start examinations. Starting one enqueues an "examine" job
 * (jobs/jobs.h) that the worker inside `simpul serve` runs; the pages only
 * read what the store holds. */
#ifndef SIMPUL_CONSOLE_EXAM_H
#define SIMPUL_CONSOLE_EXAM_H

#include <stdbool.h>
#include <stdint.h>

#include "catalog/model.h"
#include "console/layout.h"
#include "examine/model.h"
#include "jobs/model.h"

/* Examinations shown in an app's history table and charts. */
#define CONSOLE_EXAM_HISTORY 50
/* Jobs shown on the job list. */
#define CONSOLE_JOB_ROWS 100
/* Results listed on a finished job's page. */
#define CONSOLE_JOB_RESULT_ROWS 500
/* Seconds between reloads of a job page while the job runs. */
#define CONSOLE_JOB_REFRESH 2

/* Appends the examination section of `app`'s page (exam.c): the latest
 * result with its findings and their remediation, the charts of grades and
 * response times with their table, and for staff the button that examines
 * the app now. */
void console_exam_section(struct http_request *rq, struct http_response *rs,
                          const struct app *app);

/* Appends the dashboard's examination overview (needs_action.c): grades,
 * availability, freshness, the apps that need action, and for staff the
 * button that examines every app. */
void console_exam_overview(struct http_request *rq, struct http_response *rs);

/* Page handlers (jobs.c): GET /jobs, GET /jobs/{id}, and the POSTs that
 * enqueue an examination of one app (/apps/{code}/examine) or of every
 * app (/examine) and redirect to the new job's page. */
void console_job_list(struct http_request *rq, struct http_response *rs);
void console_job_show(struct http_request *rq, struct http_response *rs);
void console_examine_app(struct http_request *rq, struct http_response *rs);
void console_examine_all(struct http_request *rq, struct http_response *rs);

/* Shared pieces (exam_common.c). */

/* Appends a grade as a tag ("B+"), or "not graded" in the page's
 * language when `grade` is NULL. */
void console_grade_tag(struct http_request *rq, struct buf *out,
                       const char *grade);

/* Returns the label of an examination outcome ("ok", "timeout", ...) in
 * the page's language; the outcome itself when unknown. */
const char *console_outcome_label(struct http_request *rq,
                                  const char *outcome);

/* Returns the label of a job state in the page's language. */
const char *console_job_state_label(struct http_request *rq,
                                    const char *state);

/* Appends the job's progress as a <progress> element and "done / total";
 * an indeterminate bar while the total is unknown. */
void console_job_progress(struct http_request *rq, struct buf *out,
                          const struct job *j);

/* Appends one tag per enum exam_action bit set in `actions`. */
void console_action_tags(struct http_request *rq, struct buf *out,
                         unsigned actions);

#endif
