#include "jobs/model.h"

#include <stdlib.h>
#include <string.h>

void
job_free(struct job *j)
{
  if (j == NULL)
    return;
  char **fields[] = {&j->kind, &j->params, &j->state, &j->dedupe_key,
                     &j->created_by, &j->lease_owner, &j->error};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    free(*fields[i]);
  *j = (struct job){0};
}

void
job_list_free(struct job_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    job_free(&l->items[i]);
  free(l->items);
  *l = (struct job_list){0};
}

bool
job_state_is_final(const char *state)
{
  return state != NULL
         && (strcmp(state, "done") == 0 || strcmp(state, "failed") == 0);
}
