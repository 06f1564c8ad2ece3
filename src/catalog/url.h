/* URL normalisation and app-store links, for catalog/check.c. */
#ifndef SIMPUL_CATALOG_URL_H
#define SIMPUL_CATALOG_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog/catalog.h"

/* Normalises the URL in `*slot` (trimmed, not empty) for field `f`: adds
 * "https://" when no scheme is given, and writes the scheme and host name
 * in lower case, noting each change. Rejects other schemes, spaces, a user
 * name or password before '@', an empty or invalid host name or IP
 * literal, a bad port and a result longer than f->max_len. Returns false
 * after adding an error; `*slot` may be replaced. */
bool catalog_normalise_url(char **slot, const struct field_desc *f,
                           struct catalog_check *check);

/* App stores whose links catalog_store_link recognises. */
enum app_store {
  APP_STORE_NONE = 0,
  APP_STORE_GOOGLE_PLAY,  /* play.google.com/store/apps/details?id=PKG */
  APP_STORE_FDROID,       /* f-droid.org/[LANG/]packages/PKG */
  APP_STORE_APPGALLERY,   /* appgallery.huawei.com/...; ids are not packages */
  APP_STORE_APPLE,        /* apps.apple.com/... */
  APP_STORE_GALAXY        /* galaxystore.samsung.com/... */
};

/* Tells which store a normalised URL links to, and copies the package it
 * names (Google Play and F-Droid only) into `package`, else "". */
enum app_store catalog_store_link(const char *url, char *package,
                                  size_t size);

/* On an android (or ios) row, moves a store link from url to store_url,
 * and takes android_package from a store link when it is empty (rejecting
 * one that differs). Rejects a store link on a row of another kind, a
 * store_url on a row that is neither android nor ios, and a store_url
 * whose host is not one of the stores above. Notes what it moved. */
void catalog_app_store_links(struct app *a, struct catalog_check *check);

#endif
