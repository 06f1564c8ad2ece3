/* The console's catalog, examination and job pages. Reading needs the
 * viewer role. The add and edit forms, their POSTs and the buttons that
 * start examinations need the staff role, and the dispatcher checks it
 * (with the CSRF token) before a handler runs. "/apps/new" comes before
 * "/apps/{code}", so an app coded "new" has no page of its own. */
#include "console/console.h"
#include "console/exam.h"

static void
app_new(struct http_request *rq, struct http_response *rs)
{
  console_record_new(&record_kind_app, rq, rs);
}

static void
app_edit(struct http_request *rq, struct http_response *rs)
{
  console_record_edit(&record_kind_app, rq, rs);
}

static void
app_create(struct http_request *rq, struct http_response *rs)
{
  console_record_create(&record_kind_app, rq, rs);
}

static void
app_update(struct http_request *rq, struct http_response *rs)
{
  console_record_update(&record_kind_app, rq, rs);
}

static void
agency_new(struct http_request *rq, struct http_response *rs)
{
  console_record_new(&record_kind_agency, rq, rs);
}

static void
agency_edit(struct http_request *rq, struct http_response *rs)
{
  console_record_edit(&record_kind_agency, rq, rs);
}

static void
agency_create(struct http_request *rq, struct http_response *rs)
{
  console_record_create(&record_kind_agency, rq, rs);
}

static void
agency_update(struct http_request *rq, struct http_response *rs)
{
  console_record_update(&record_kind_agency, rq, rs);
}

const struct http_route console_routes[] = {
  {"GET", "/", console_dashboard, ACCESS_VIEWER, ROUTE_PAGE, "dashboard"},
  {"GET", "/apps", console_app_list, ACCESS_VIEWER, ROUTE_PAGE, "app_list"},
  {"POST", "/apps", app_create, ACCESS_STAFF, ROUTE_PAGE, "app_create"},
  {"GET", "/apps/new", app_new, ACCESS_STAFF, ROUTE_PAGE, "app_new"},
  {"GET", "/apps/{code}", console_app_show, ACCESS_VIEWER, ROUTE_PAGE,
   "app_show"},
  {"POST", "/apps/{code}", app_update, ACCESS_STAFF, ROUTE_PAGE,
   "app_update"},
  {"GET", "/apps/{code}/edit", app_edit, ACCESS_STAFF, ROUTE_PAGE,
   "app_edit"},
  {"POST", "/apps/{code}/examine", console_examine_app, ACCESS_STAFF,
   ROUTE_PAGE, "app_examine"},
  {"POST", "/examine", console_examine_all, ACCESS_STAFF, ROUTE_PAGE,
   "examine_all"},
  {"GET", "/jobs", console_job_list, ACCESS_VIEWER, ROUTE_PAGE, "job_list"},
  {"GET", "/jobs/{id}", console_job_show, ACCESS_VIEWER, ROUTE_PAGE,
   "job_show"},
  {"GET", "/agencies", console_agency_list, ACCESS_VIEWER, ROUTE_PAGE,
   "agency_list"},
  {"POST", "/agencies", agency_create, ACCESS_STAFF, ROUTE_PAGE,
   "agency_create"},
  {"GET", "/agencies/new", agency_new, ACCESS_STAFF, ROUTE_PAGE,
   "agency_new"},
  {"GET", "/agencies/{code}", console_agency_show, ACCESS_VIEWER, ROUTE_PAGE,
   "agency_show"},
  {"POST", "/agencies/{code}", agency_update, ACCESS_STAFF, ROUTE_PAGE,
   "agency_update"},
  {"GET", "/agencies/{code}/edit", agency_edit, ACCESS_STAFF, ROUTE_PAGE,
   "agency_edit"},
  {0},
};
