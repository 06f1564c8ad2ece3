/* The finding texts that pages and API replies show beside stored
 * findings: DATA_DIR/examine/findings.json, read through
 * finding_table_load once per process and kept for its lifetime, so that a
 * page does not parse the file per request. */
#ifndef SIMPUL_EXAMINE_TEXTS_H
#define SIMPUL_EXAMINE_TEXTS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "examine/findings.h"

/* Loads the texts from cfg->data_dir unless they are loaded. Thread-safe.
 * False with the loader's message (file, entry, fix) when the file is
 * missing or invalid; a later call tries again. A server may call it at
 * start to report a bad file at once. */
bool exam_texts_load(const struct config *cfg, char *err, size_t errlen);

/* Returns the definition of finding `id`, loading the texts on first use;
 * NULL when the id is unknown or the file could not be loaded (logged,
 * once per process). */
const struct finding_def *exam_texts_find(const struct config *cfg,
                                          const char *id);

#endif
