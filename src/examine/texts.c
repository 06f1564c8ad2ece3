/* The process-wide finding texts; see texts.h. */
#include <pthread.h>
#include <stdio.h>

#include "core/log.h"
#include "examine/texts.h"

static pthread_mutex_t texts_lock = PTHREAD_MUTEX_INITIALIZER;
static struct finding_table texts;   /* written once, under texts_lock */
static bool texts_loaded;
static bool texts_failure_logged;

bool
exam_texts_load(const struct config *cfg, char *err, size_t errlen)
{
  pthread_mutex_lock(&texts_lock);
  bool ok = texts_loaded;
  if (!ok) {
    char path[1200];
    snprintf(path, sizeof path, "%s/examine/findings.json", cfg->data_dir);
    ok = finding_table_load(&texts, path, err, errlen);
    texts_loaded = ok;
  }
  pthread_mutex_unlock(&texts_lock);
  return ok;
}

const struct finding_def *
exam_texts_find(const struct config *cfg, const char *id)
{
  char err[512] = "";
  if (!exam_texts_load(cfg, err, sizeof err)) {
    pthread_mutex_lock(&texts_lock);
    bool log_it = !texts_failure_logged;
    texts_failure_logged = true;
    pthread_mutex_unlock(&texts_lock);
    if (log_it)
      log_event(LOG_ERROR, "examine.texts_failed", "error", err, NULL);
    return NULL;
  }
  /* The table never changes once loaded, so it is read without the lock. */
  return finding_table_find(&texts, id);
}
