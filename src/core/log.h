/* Logging: one line per event on stderr, as key=value fields:
 *   ts=2026-12-04T16:03:25.123Z level=info event=serve.start req=... k=v
 * The request id of the calling thread (log_set_request_id) is added to
 * every line logged while a request is handled. Values are quoted when they
 * contain spaces, quotes or '=' and control bytes are escaped, so a line
 * always parses. Never pass a secret (password, token, session id). */
#ifndef SIMPUL_CORE_LOG_H
#define SIMPUL_CORE_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sets the lowest level written; LOG_INFO by default. */
void log_set_level(enum log_level level);

/* Parses "debug", "info", "warn" or "error"; returns false on others. */
bool log_parse_level(const char *text, enum log_level *out);

/* Sets the request id added to this thread's lines; NULL clears it. */
void log_set_request_id(const char *id);
const char *log_request_id(void);

/* Writes one event. `fields` is a sequence of key, value pairs of strings
 * ending with NULL; a NULL value is written as an empty field.
 *   log_event(LOG_INFO, "import.done", "file", path, "added", "3", NULL); */
void log_event(enum log_level level, const char *event, ...)
  __attribute__((sentinel));

/* Like log_event, with one printf-formatted "msg" field first. */
void log_eventf(enum log_level level, const char *event, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));

#endif
