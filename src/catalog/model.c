#include "catalog/model.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

void
agency_free(struct agency *a)
{
  if (a == NULL)
    return;
  free(a->code);
  free(a->name);
  free(a->kind);
  free(a->parent);
  *a = (struct agency){0};
}

void
app_free(struct app *a)
{
  if (a == NULL)
    return;
  char **fields[] = {
    &a->code, &a->name, &a->kind, &a->agency, &a->url, &a->android_package,
    &a->store_url, &a->purpose, &a->audience, &a->developer, &a->hosting,
    &a->launched, &a->last_updated, &a->status, &a->merged_into,
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    free(*fields[i]);
  *a = (struct app){0};
}

/* Copies `src` into `*dst`; NULL stays NULL. False when memory runs out. */
static bool
copy_text(char **dst, const char *src)
{
  *dst = NULL;
  if (src == NULL)
    return true;
  *dst = strdup(src);
  return *dst != NULL;
}

int
agency_copy(struct agency *dst, const struct agency *src)
{
  *dst = (struct agency){
    .id = src->id,
    .created_at = src->created_at,
    .updated_at = src->updated_at,
  };
  if (copy_text(&dst->code, src->code) && copy_text(&dst->name, src->name)
      && copy_text(&dst->kind, src->kind)
      && copy_text(&dst->parent, src->parent))
    return 0;
  agency_free(dst);
  return -1;
}

int
app_copy(struct app *dst, const struct app *src)
{
  *dst = (struct app){
    .id = src->id,
    .created_at = src->created_at,
    .updated_at = src->updated_at,
  };
  bool ok = copy_text(&dst->code, src->code)
            && copy_text(&dst->name, src->name)
            && copy_text(&dst->kind, src->kind)
            && copy_text(&dst->agency, src->agency)
            && copy_text(&dst->url, src->url)
            && copy_text(&dst->android_package, src->android_package)
            && copy_text(&dst->store_url, src->store_url)
            && copy_text(&dst->purpose, src->purpose)
            && copy_text(&dst->audience, src->audience)
            && copy_text(&dst->developer, src->developer)
            && copy_text(&dst->hosting, src->hosting)
            && copy_text(&dst->launched, src->launched)
            && copy_text(&dst->last_updated, src->last_updated)
            && copy_text(&dst->status, src->status)
            && copy_text(&dst->merged_into, src->merged_into);
  if (ok)
    return 0;
  app_free(dst);
  return -1;
}

void
agency_list_free(struct agency_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    agency_free(&l->items[i]);
  free(l->items);
  *l = (struct agency_list){0};
}

void
app_list_free(struct app_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    app_free(&l->items[i]);
  free(l->items);
  *l = (struct app_list){0};
}

void
change_free(struct change *c)
{
  if (c == NULL)
    return;
  free(c->entity);
  free(c->code);
  free(c->field);
  free(c->old_value);
  free(c->new_value);
  free(c->actor);
  *c = (struct change){0};
}

void
change_list_free(struct change_list *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; i < l->count; i++)
    change_free(&l->items[i]);
  free(l->items);
  *l = (struct change_list){0};
}
