/* Building a JSON object from a table of members; see api.h. */
#include "api/api.h"

json_t *
api_json_object(const struct api_member *members, size_t count)
{
  json_t *o = json_object();
  bool ok = o != NULL;
  for (size_t i = 0; i < count; i++) {
    /* json_object_set_new takes the value's reference, even on failure;
     * after a failure the remaining values are released here. */
    if (ok && members[i].value != NULL)
      ok = json_object_set_new(o, members[i].key, members[i].value) == 0;
    else {
      ok = false;
      json_decref(members[i].value);
    }
  }
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}
