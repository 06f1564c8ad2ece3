#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static _Thread_local char request_id[40];
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
log_set_level(enum log_level level)
{
  min_level = level;
}

bool
log_parse_level(const char *text, enum log_level *out)
{
  for (int i = 0; i < 4; i++) {
    if (text != NULL && strcmp(text, level_names[i]) == 0) {
      *out = (enum log_level)i;
      return true;
    }
  }
  return false;
}

void
log_set_request_id(const char *id)
{
  snprintf(request_id, sizeof request_id, "%s", id ? id : "");
}

const char *
log_request_id(void)
{
  return request_id;
}

/* Appends `value` to `line`, quoted and escaped when needed. */
static void
append_value(char *line, size_t cap, size_t *len, const char *value)
{
  bool quote = value[0] == '\0';
  for (const char *p = value; *p && !quote; p++)
    if (*p == ' ' || *p == '"' || *p == '=' || (unsigned char)*p < 0x20)
      quote = true;
  if (quote && *len + 1 < cap)
    line[(*len)++] = '"';
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (*len + 5 >= cap)
      break;
    if (*p == '"' || *p == '\\') {
      line[(*len)++] = '\\';
      line[(*len)++] = (char)*p;
    } else if (*p < 0x20 || *p == 0x7f) {
      *len += (size_t)snprintf(line + *len, cap - *len, "\\x%02x", *p);
    } else {
      line[(*len)++] = (char)*p;
    }
  }
  if (quote && *len + 1 < cap)
    line[(*len)++] = '"';
  line[*len] = '\0';
}

static void
append_field(char *line, size_t cap, size_t *len, const char *key,
             const char *value)
{
  if (*len + strlen(key) + 3 >= cap)
    return;
  *len += (size_t)snprintf(line + *len, cap - *len, " %s=", key);
  append_value(line, cap, len, value ? value : "");
}

static void
write_event(enum log_level level, const char *event, const char *msg,
            va_list fields)
{
  char line[4096];
  size_t len = 0;
  struct timespec ts;
  struct tm tm;

  clock_gettime(CLOCK_REALTIME, &ts);
  gmtime_r(&ts.tv_sec, &tm);
  len = strftime(line, sizeof line, "ts=%Y-%m-%dT%H:%M:%S", &tm);
  len += (size_t)snprintf(line + len, sizeof line - len, ".%03ldZ level=%s",
                          ts.tv_nsec / 1000000L, level_names[level]);
  append_field(line, sizeof line, &len, "event", event);
  if (request_id[0] != '\0')
    append_field(line, sizeof line, &len, "req", request_id);
  if (msg != NULL)
    append_field(line, sizeof line, &len, "msg", msg);
  for (;;) {
    const char *key = va_arg(fields, const char *);
    if (key == NULL)
      break;
    append_field(line, sizeof line, &len, key, va_arg(fields, const char *));
  }
  pthread_mutex_lock(&write_lock);
  fprintf(stderr, "%s\n", line);
  fflush(stderr);
  pthread_mutex_unlock(&write_lock);
}

void
log_event(enum log_level level, const char *event, ...)
{
  va_list ap;
  if (level < min_level)
    return;
  va_start(ap, event);
  write_event(level, event, NULL, ap);
  va_end(ap);
}

/* Stand-in for an empty field list: write_event reads one NULL key. */
static void
write_event_msg(enum log_level level, const char *event, const char *msg, ...)
{
  va_list ap;
  va_start(ap, msg);
  write_event(level, event, msg, ap);
  va_end(ap);
}

void
log_eventf(enum log_level level, const char *event, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  if (level < min_level)
    return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  write_event_msg(level, event, msg, NULL);
}
