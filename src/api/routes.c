/* The JSON API's routes under /api/v1/. Reading needs the viewer role,
 * writing the staff role; the dispatcher enforces both before a handler
 * runs. PUT does what PATCH does: it sets the fields given and leaves the
 * others as they are. */
#include "api/api.h"

static void
app_show(struct http_request *rq, struct http_response *rs)
{
  api_record_show(&record_kind_app, rq, rs);
}

static void
app_create(struct http_request *rq, struct http_response *rs)
{
  api_record_create(&record_kind_app, rq, rs);
}

static void
app_update(struct http_request *rq, struct http_response *rs)
{
  api_record_update(&record_kind_app, rq, rs);
}

static void
app_history(struct http_request *rq, struct http_response *rs)
{
  api_record_history(&record_kind_app, rq, rs);
}

static void
agency_show(struct http_request *rq, struct http_response *rs)
{
  api_record_show(&record_kind_agency, rq, rs);
}

static void
agency_create(struct http_request *rq, struct http_response *rs)
{
  api_record_create(&record_kind_agency, rq, rs);
}

static void
agency_update(struct http_request *rq, struct http_response *rs)
{
  api_record_update(&record_kind_agency, rq, rs);
}

static void
agency_history(struct http_request *rq, struct http_response *rs)
{
  api_record_history(&record_kind_agency, rq, rs);
}

const struct http_route api_routes[] = {
  {"GET", "/api/v1/apps", api_app_list, ACCESS_VIEWER, ROUTE_API,
   "api_app_list"},
  {"POST", "/api/v1/apps", app_create, ACCESS_STAFF, ROUTE_API,
   "api_app_create"},
  {"GET", "/api/v1/apps/{code}", app_show, ACCESS_VIEWER, ROUTE_API,
   "api_app_show"},
  {"PATCH", "/api/v1/apps/{code}", app_update, ACCESS_STAFF, ROUTE_API,
   "api_app_update"},
  {"PUT", "/api/v1/apps/{code}", app_update, ACCESS_STAFF, ROUTE_API,
   "api_app_update"},
  {"GET", "/api/v1/apps/{code}/history", app_history, ACCESS_VIEWER,
   ROUTE_API, "api_app_history"},
  {"GET", "/api/v1/apps/{code}/examinations", api_exam_history,
   ACCESS_VIEWER, ROUTE_API, "api_exam_history"},
  {"GET", "/api/v1/apps/{code}/examinations/latest", api_exam_latest,
   ACCESS_VIEWER, ROUTE_API, "api_exam_latest"},
  {"POST", "/api/v1/examinations", api_examine, ACCESS_STAFF, ROUTE_API,
   "api_examine"},
  {"GET", "/api/v1/jobs", api_job_list, ACCESS_VIEWER, ROUTE_API,
   "api_job_list"},
  {"GET", "/api/v1/jobs/{id}", api_job_show, ACCESS_VIEWER, ROUTE_API,
   "api_job_show"},
  {"GET", "/api/v1/agencies", api_agency_list, ACCESS_VIEWER, ROUTE_API,
   "api_agency_list"},
  {"POST", "/api/v1/agencies", agency_create, ACCESS_STAFF, ROUTE_API,
   "api_agency_create"},
  {"GET", "/api/v1/agencies/{code}", agency_show, ACCESS_VIEWER, ROUTE_API,
   "api_agency_show"},
  {"PATCH", "/api/v1/agencies/{code}", agency_update, ACCESS_STAFF,
   ROUTE_API, "api_agency_update"},
  {"PUT", "/api/v1/agencies/{code}", agency_update, ACCESS_STAFF, ROUTE_API,
   "api_agency_update"},
  {"GET", "/api/v1/agencies/{code}/history", agency_history, ACCESS_VIEWER,
   ROUTE_API, "api_agency_history"},
  {0},
};
