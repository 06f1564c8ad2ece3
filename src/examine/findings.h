/* Finding definitions: the severity, title and remediation text, in
 * Indonesian and English, of every finding id that examination reports.
 * They live in DATA_DIR/examine/findings.json so that the texts and
 * severities can change without a rebuild; the file is validated whole
 * when it is loaded. */
#ifndef SIMPUL_EXAMINE_FINDINGS_H
#define SIMPUL_EXAMINE_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>

struct finding_def {
  char *id;               /* stable, e.g. "exposed-git" */
  char *severity;         /* info, low, medium, high, critical */
  char *title_id;
  char *title_en;
  char *remediation_id;
  char *remediation_en;
};

struct finding_table {
  struct finding_def *items;  /* ordered by id */
  size_t count;
};

/* The ids that the examination code itself reports; findings.json must
 * define each of them (signatures.json may name more). */
extern const char *const finding_builtin_ids[];
extern const size_t finding_builtin_count;

/* Loads `path` (a findings.json). Checks that every entry has a known
 * severity and non-empty texts in both languages, that no unknown field is
 * present, and that every built-in id is defined. False with a message
 * naming the file, the entry and the fix; `t` is then empty. */
bool finding_table_load(struct finding_table *t, const char *path, char *err,
                        size_t errlen);

/* Returns the definition of `id`, or NULL. */
const struct finding_def *finding_table_find(const struct finding_table *t,
                                             const char *id);

void finding_table_free(struct finding_table *t);

/* Returns the rank of a severity: 0 for info up to 4 for critical, -1 for
 * an unknown text. */
int finding_severity_rank(const char *severity);

/* The severities from lowest to highest. */
#define FINDING_SEVERITY_COUNT 5
extern const char *const finding_severities[FINDING_SEVERITY_COUNT];

#endif
