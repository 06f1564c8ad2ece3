/* The catalog's records: agencies (OPD) and their applications.
 *
 * Every text field is a heap string owned by the record (NULL means empty
 * or unknown) and is freed by the record's _free function. Kinds, statuses
 * and other choices are kept as their stable codes ("webapp", "active"),
 * which are what CSV, JSON and the store carry; labels for people come
 * from the choice tables in catalog/catalog.h. */
#ifndef SIMPUL_CATALOG_MODEL_H
#define SIMPUL_CATALOG_MODEL_H

#include <stddef.h>
#include <stdint.h>

struct agency {
  int64_t id;           /* store row id; 0 before it is stored */
  char *code;           /* unique, e.g. "DISKOMINFO" */
  char *name;
  char *kind;           /* dinas, badan, kecamatan, ... (free text code) */
  char *parent;         /* code of the parent agency, or NULL */
  int64_t created_at;   /* Unix seconds */
  int64_t updated_at;
};

struct app {
  int64_t id;
  char *code;           /* unique, e.g. "web-setda" */
  char *name;
  char *kind;           /* website, webapp, android, ios, desktop, api, other */
  char *agency;         /* owning agency code */
  char *url;            /* for an Android app: its backend's URL */
  char *android_package;
  char *store_url;      /* a store link found in the URL column, kept apart */
  char *purpose;
  char *audience;       /* publik, internal, keduanya */
  char *developer;      /* internal, vendor, pusat, or free text */
  char *hosting;        /* pusat-data, cloud, hosting-sewa, kementerian, ... */
  char *launched;       /* four-digit year or NULL when unknown */
  char *last_updated;   /* four-digit year or NULL when unknown */
  char *status;         /* active, maintenance, inactive, retired, merged */
  char *merged_into;    /* app code when status is merged, else NULL */
  int64_t created_at;
  int64_t updated_at;
};

void agency_free(struct agency *a);
void app_free(struct app *a);

/* Deep copies; return 0, or -1 when memory runs out (dst is then empty). */
int agency_copy(struct agency *dst, const struct agency *src);
int app_copy(struct app *dst, const struct app *src);

/* A list returned by the store; free with the matching _list_free. */
struct agency_list {
  struct agency *items;
  size_t count;
  int64_t total;        /* rows matching the filter, ignoring paging */
};
struct app_list {
  struct app *items;
  size_t count;
  int64_t total;
};
void agency_list_free(struct agency_list *l);
void app_list_free(struct app_list *l);

/* One changed field of one record, as kept in the history. A single edit
 * of several fields shares one change_id. */
struct change {
  int64_t id;
  int64_t change_id;    /* groups the fields changed in one save */
  char *entity;         /* "agency" or "app" */
  char *code;           /* the record's code */
  char *field;          /* field name, or "*" for a created/deleted record */
  char *old_value;      /* NULL when the field was empty */
  char *new_value;
  char *actor;          /* user name, "cli:<os user>" or "import:<file>" */
  int64_t at;           /* Unix seconds */
};
struct change_list {
  struct change *items;
  size_t count;
};
void change_free(struct change *c);
void change_list_free(struct change_list *l);

#endif
