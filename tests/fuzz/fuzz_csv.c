/* libFuzzer target: arbitrary bytes through the CSV reader. Every record
 * returned must keep the reader's promises (field count within bounds,
 * lengths that match the NUL-terminated text), and every field must
 * survive the formula-injection guard and its removal unchanged. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/csv.h"

static void
check_record(const struct csv_record *rec)
{
  if (rec->count == 0 || rec->count > CSV_MAX_FIELDS || rec->line == 0)
    __builtin_trap();
  for (size_t i = 0; i < rec->count; i++) {
    size_t len = rec->lengths[i];
    if (len > CSV_MAX_FIELD || strlen(rec->fields[i]) != len)
      __builtin_trap();
    char *guarded = malloc(len + 2);
    if (guarded == NULL)
      return;
    size_t skip = csv_needs_guard(rec->fields[i]) ? 1 : 0;
    guarded[0] = '\'';
    memcpy(guarded + skip, rec->fields[i], len + 1);
    csv_remove_guard(guarded);
    if (strcmp(guarded, rec->fields[i]) != 0)
      __builtin_trap();
    free(guarded);
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct csv_reader *r = csv_reader_memory(data, size);
  const struct csv_record *rec;
  struct csv_error err;
  size_t last_line = 0;

  if (r == NULL)
    return 0;
  for (;;) {
    enum csv_result res = csv_read(r, &rec, &err);
    if (res == CSV_END || res == CSV_FATAL)
      break;
    if (res == CSV_BAD_RECORD) {
      if (err.err == SP_OK || err.line < last_line)
        __builtin_trap();
      continue;
    }
    if (rec->line < last_line)
      __builtin_trap();
    last_line = rec->line;
    check_record(rec);
  }
  if (csv_reader_offset(r) > size)
    __builtin_trap();
  csv_reader_free(r);
  return 0;
}
