#include "examine/model.h"

#include <stdlib.h>

static void
finding_free(struct exam_finding *f)
{
  free(f->id);
  free(f->severity);
  free(f->evidence);
}

void
exam_result_free(struct exam_result *r)
{
  if (r == NULL)
    return;
  char **fields[] = {&r->app_code, &r->outcome, &r->final_url,
                     &r->redirects, &r->tls_issuer, &r->tls_protocol,
                     &r->grade, &r->tests, &r->error};
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    free(*fields[i]);
  for (size_t i = 0; i < r->finding_count; i++)
    finding_free(&r->findings[i]);
  free(r->findings);
  *r = (struct exam_result){0};
}

void
exam_result_list_free(struct exam_result_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    exam_result_free(&l->items[i]);
  free(l->items);
  *l = (struct exam_result_list){0};
}

void
string_list_free(struct string_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    free(l->items[i]);
  free(l->items);
  *l = (struct string_list){0};
}
