/* Free functions of the lists that store.h itself declares for
 * copy-store: sessions, login failures and meta settings. */
#include <stdlib.h>

#include "store/store.h"

void
session_list_free(struct session_list *l)
{
  if (l == NULL)
    return;
  free(l->items);
  *l = (struct session_list){0};
}

void
login_failure_list_free(struct login_failure_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    free(l->items[i].key);
  free(l->items);
  *l = (struct login_failure_list){0};
}

void
meta_list_free(struct meta_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++) {
    free(l->items[i].key);
    free(l->items[i].value);
  }
  free(l->items);
  *l = (struct meta_list){0};
}
