/* /metrics, written by hand in the Prometheus text format 0.0.4. Debian 12
 * packages Prometheus clients for Go, C++ (prometheus-cpp), Perl and
 * Python, but none for C, and the format is a few lines of text. One mutex
 * guards the tables: a request takes it once, for a short search. */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "http/metrics.h"

#define MAX_REQUEST_SERIES 2048
#define MAX_ROUTES 256

static const double bucket_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                       0.5,   1,    2.5,   5,    10};
#define BUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

struct request_series {
  const char *route;
  const char *method;
  int status;
  uint64_t count;
};

struct route_histogram {
  const char *route;
  uint64_t buckets[BUCKETS + 1]; /* per bucket, not cumulative; last: +Inf */
  double sum;
  uint64_t count;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct request_series series[MAX_REQUEST_SERIES];
static size_t series_count;
static uint64_t series_dropped;
static struct route_histogram histograms[MAX_ROUTES];
static size_t histogram_count;

static atomic_uint_fast64_t logins[3];
static atomic_uint_fast64_t errors[SP_ERR__COUNT];
static atomic_llong start_time;

void
metrics_init(void)
{
  atomic_store(&start_time, (long long)time(NULL));
}

/* Maps a request method onto a fixed set, so a client cannot grow the
 * table with made-up methods. */
static const char *
known_method(const char *method)
{
  static const char *const methods[] = {"GET",   "HEAD",   "POST",
                                        "PUT",   "PATCH",  "DELETE",
                                        "OPTIONS"};
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
    if (method != NULL && strcmp(method, methods[i]) == 0)
      return methods[i];
  return "OTHER";
}

static struct route_histogram *
histogram_for(const char *route)
{
  for (size_t i = 0; i < histogram_count; i++)
    if (strcmp(histograms[i].route, route) == 0)
      return &histograms[i];
  if (histogram_count == MAX_ROUTES)
    return NULL;
  histograms[histogram_count].route = route;
  return &histograms[histogram_count++];
}

void
metrics_request(const char *route, const char *method, int status,
                double seconds)
{
  const char *m = known_method(method);
  if (route == NULL)
    route = "unmatched";

  pthread_mutex_lock(&lock);
  size_t i = 0;
  while (i < series_count && !(series[i].status == status &&
                               series[i].method == m &&
                               strcmp(series[i].route, route) == 0))
    i++;
  if (i < series_count) {
    series[i].count++;
  } else if (series_count < MAX_REQUEST_SERIES) {
    series[series_count++] = (struct request_series){route, m, status, 1};
  } else {
    series_dropped++;
  }
  struct route_histogram *h = histogram_for(route);
  if (h != NULL) {
    size_t b = 0;
    while (b < BUCKETS && seconds > bucket_bounds[b])
      b++;
    h->buckets[b]++;
    h->sum += seconds;
    h->count++;
  }
  pthread_mutex_unlock(&lock);
}

void
metrics_login(enum login_outcome outcome)
{
  if ((int)outcome >= 0 && outcome <= LOGIN_THROTTLED)
    atomic_fetch_add(&logins[outcome], 1);
}

void
metrics_error(enum sp_err err)
{
  if ((int)err > 0 && err < SP_ERR__COUNT)
    atomic_fetch_add(&errors[err], 1);
}

/* Appends a label value with the escapes the text format requires for
 * backslash, double quote and newline. */
static void
put_label(struct buf *out, const char *value)
{
  for (const char *p = value; *p; p++) {
    if (*p == '\\' || *p == '"')
      buf_putc(out, '\\');
    if (*p == '\n')
      buf_puts(out, "\\n");
    else
      buf_putc(out, *p);
  }
}

static void
render_requests(struct buf *out)
{
  buf_puts(out,
           "# HELP simpul_http_requests_total HTTP requests answered, by "
           "route, method and status.\n"
           "# TYPE simpul_http_requests_total counter\n");
  for (size_t i = 0; i < series_count; i++) {
    buf_puts(out, "simpul_http_requests_total{route=\"");
    put_label(out, series[i].route);
    buf_printf(out, "\",method=\"%s\",status=\"%d\"} %" PRIu64 "\n",
               series[i].method, series[i].status, series[i].count);
  }
  buf_printf(out,
             "# HELP simpul_http_series_dropped_total Requests not counted "
             "because the series table was full.\n"
             "# TYPE simpul_http_series_dropped_total counter\n"
             "simpul_http_series_dropped_total %" PRIu64 "\n",
             series_dropped);
}

static void
render_histograms(struct buf *out)
{
  buf_puts(out,
           "# HELP simpul_http_request_duration_seconds Time from a "
           "request's first callback to its completion, by route.\n"
           "# TYPE simpul_http_request_duration_seconds histogram\n");
  for (size_t i = 0; i < histogram_count; i++) {
    const struct route_histogram *h = &histograms[i];
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= BUCKETS; b++) {
      cumulative += h->buckets[b];
      buf_puts(out, "simpul_http_request_duration_seconds_bucket{route=\"");
      put_label(out, h->route);
      if (b < BUCKETS)
        buf_printf(out, "\",le=\"%g\"} %" PRIu64 "\n", bucket_bounds[b],
                   cumulative);
      else
        buf_printf(out, "\",le=\"+Inf\"} %" PRIu64 "\n", cumulative);
    }
    buf_puts(out, "simpul_http_request_duration_seconds_sum{route=\"");
    put_label(out, h->route);
    buf_printf(out, "\"} %.6f\n", h->sum);
    buf_puts(out, "simpul_http_request_duration_seconds_count{route=\"");
    put_label(out, h->route);
    buf_printf(out, "\"} %" PRIu64 "\n", h->count);
  }
}

void
metrics_render(struct buf *out)
{
  static const char *const outcomes[] = {"ok", "failed", "throttled"};

  pthread_mutex_lock(&lock);
  render_requests(out);
  render_histograms(out);
  pthread_mutex_unlock(&lock);

  buf_puts(out, "# HELP simpul_logins_total Console logins by result.\n"
                "# TYPE simpul_logins_total counter\n");
  for (int i = 0; i < 3; i++)
    buf_printf(out, "simpul_logins_total{result=\"%s\"} %" PRIu64 "\n",
               outcomes[i], (uint64_t)atomic_load(&logins[i]));
  buf_puts(out, "# HELP simpul_errors_total Error replies by stable error "
                "code.\n"
                "# TYPE simpul_errors_total counter\n");
  for (int e = 1; e < SP_ERR__COUNT; e++) {
    uint64_t n = atomic_load(&errors[e]);
    if (n > 0)
      buf_printf(out, "simpul_errors_total{code=\"%s\"} %" PRIu64 "\n",
                 sp_error_info((enum sp_err)e)->code, n);
  }
  buf_printf(out,
             "# HELP process_start_time_seconds Start time of the process "
             "since the Unix epoch, in seconds.\n"
             "# TYPE process_start_time_seconds gauge\n"
             "process_start_time_seconds %lld\n",
             (long long)atomic_load(&start_time));
}
