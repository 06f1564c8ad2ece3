/* Closes connections whose request line and headers take too long.
 *
 * libmicrohttpd 0.9.75 closes a connection only after connection_timeout
 * seconds without any byte, so a client that sends its headers one byte
 * a second would keep a connection for ever, and a few hundred such
 * clients would take every connection. MHD has no option that bounds the
 * time of a whole request head, so this file does. It notes when each
 * connection starts waiting for a request (MHD_OPTION_NOTIFY_CONNECTION,
 * and again after each response). A thread shuts down the socket of any
 * connection whose head has not arrived within the bound, and MHD then
 * reads end-of-file and closes the connection the usual way.
 *
 * The socket is shut down, never closed, and only under the lock that the
 * close notice also takes. MHD sends that notice before it closes the
 * socket, so the descriptor shut down here always belongs to the
 * connection it was taken from. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"
#include "http/internal.h"

/* How often the thread looks for slow connections; stopping the server
 * waits for at most one such pause. */
#define WATCH_INTERVAL_MS 250

struct watched {
  struct conn_watch *watch;
  struct watched *prev, *next;
  int fd;
  struct timespec waiting_since;   /* CLOCK_MONOTONIC */
  bool head_arrived;
  bool dropped;
  char addr[64];
};

struct conn_watch {
  pthread_mutex_t lock;      /* guards the list and its entries */
  pthread_t thread;
  atomic_bool stopping;
  int head_seconds;
  struct watched *head;
};

static double
seconds_since(const struct timespec *t, const struct timespec *now)
{
  return (double)(now->tv_sec - t->tv_sec) +
         (double)(now->tv_nsec - t->tv_nsec) / 1e9;
}

/* Shuts down every connection whose head is overdue; called locked. */
static void
drop_overdue(struct conn_watch *w)
{
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  for (struct watched *e = w->head; e != NULL; e = e->next) {
    if (e->head_arrived || e->dropped ||
        seconds_since(&e->waiting_since, &now) <= w->head_seconds)
      continue;
    e->dropped = true;
    if (shutdown(e->fd, SHUT_RDWR) != 0 && errno != ENOTCONN) {
      log_event(LOG_ERROR, "http.slow_request_drop_failed", "addr", e->addr,
                "error", strerror(errno), NULL);
      continue;
    }
    char limit[16];
    snprintf(limit, sizeof limit, "%d", w->head_seconds);
    log_event(LOG_WARN, "http.slow_request_dropped", "addr", e->addr,
              "limit_seconds", limit, NULL);
  }
}

static void *
watch_main(void *arg)
{
  struct conn_watch *w = arg;
  const struct timespec pause = {0, WATCH_INTERVAL_MS * 1000000L};
  while (!atomic_load(&w->stopping)) {
    pthread_mutex_lock(&w->lock);
    drop_overdue(w);
    pthread_mutex_unlock(&w->lock);
    nanosleep(&pause, NULL);
  }
  return NULL;
}

struct conn_watch *
conn_watch_start(int head_seconds, char *err, size_t errlen)
{
  struct conn_watch *w = calloc(1, sizeof *w);
  if (w == NULL) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  w->head_seconds = head_seconds;
  atomic_init(&w->stopping, false);
  pthread_mutex_init(&w->lock, NULL);
  int rc = pthread_create(&w->thread, NULL, watch_main, w);
  if (rc != 0) {
    snprintf(err, errlen, "cannot start the connection watch thread: %s",
             strerror(rc));
    pthread_mutex_destroy(&w->lock);
    free(w);
    return NULL;
  }
  return w;
}

void
conn_watch_stop(struct conn_watch *w)
{
  if (w == NULL)
    return;
  atomic_store(&w->stopping, true);
  pthread_join(w->thread, NULL);
  /* MHD has closed every connection by now; free what it did not report. */
  while (w->head != NULL) {
    struct watched *e = w->head;
    w->head = e->next;
    free(e);
  }
  pthread_mutex_destroy(&w->lock);
  free(w);
}

static void
watch_add(struct conn_watch *w, struct MHD_Connection *conn,
          void **socket_context)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
  struct watched *e = calloc(1, sizeof *e);
  if (e == NULL || info == NULL) {
    /* The connection is served unwatched; MHD's idle timeout still holds. */
    log_event(LOG_ERROR, "http.watch_failed", "reason",
              e == NULL ? "out of memory" : "no socket", NULL);
    free(e);
    return;
  }
  e->watch = w;
  e->fd = info->connect_fd;
  clock_gettime(CLOCK_MONOTONIC, &e->waiting_since);
  http_remote_address(conn, e->addr, sizeof e->addr);
  pthread_mutex_lock(&w->lock);
  e->next = w->head;
  if (w->head != NULL)
    w->head->prev = e;
  w->head = e;
  pthread_mutex_unlock(&w->lock);
  *socket_context = e;
}

static void
watch_remove(struct watched *e)
{
  struct conn_watch *w = e->watch;
  pthread_mutex_lock(&w->lock);
  if (e->prev != NULL)
    e->prev->next = e->next;
  else
    w->head = e->next;
  if (e->next != NULL)
    e->next->prev = e->prev;
  pthread_mutex_unlock(&w->lock);
  free(e);
}

void
conn_watch_notify(void *cls, struct MHD_Connection *conn,
                  void **socket_context,
                  enum MHD_ConnectionNotificationCode toe)
{
  if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
    watch_add(cls, conn, socket_context);
  } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL) {
    watch_remove(*socket_context);
    *socket_context = NULL;
  }
}

/* Sets whether the head of the connection's current request arrived, and
 * when `arrived` is false restarts its clock for the next request. */
static void
mark(struct MHD_Connection *conn, bool arrived)
{
  const union MHD_ConnectionInfo *info =
    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  struct watched *e = info != NULL ? info->socket_context : NULL;
  if (e == NULL)
    return;
  pthread_mutex_lock(&e->watch->lock);
  e->head_arrived = arrived;
  if (!arrived)
    clock_gettime(CLOCK_MONOTONIC, &e->waiting_since);
  pthread_mutex_unlock(&e->watch->lock);
}

void
conn_watch_head_arrived(struct MHD_Connection *conn)
{
  mark(conn, true);
}

void
conn_watch_request_done(struct MHD_Connection *conn)
{
  mark(conn, false);
}
