/* Signatures (DATA_DIR/examine/signatures.json): the patterns that find
 * version leaks in headers, the paths probed for exposed files with the
 * tests that tell a real hit from a page served for every path, the
 * software past its end of life, and the fingerprints of CMSs and
 * frameworks with their version. Patterns are POSIX extended regular expressions matched without
 * regard to case; data/examine/README.md describes every field. */
#ifndef SIMPUL_EXAMINE_SIGNATURES_H
#define SIMPUL_EXAMINE_SIGNATURES_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "examine/findings.h"

#define SIG_MAX_MAGIC 16

/* A header whose value shows a product's version ("Server: nginx/1.22"). */
struct sig_leak {
  char *name;
  char *header;
  regex_t pattern;
  char *product;           /* fixed product name, or NULL */
  int product_group;       /* group holding the product name, 0 for none */
  int version_group;
  char *finding;
};

/* A product whose versions below `below` no longer get security fixes. */
struct sig_eol {
  char *product;           /* compared case-insensitively */
  char *below;             /* dotted version, e.g. "8.2" */
  char *source;
};

/* A path requested to find an exposed file. A hit needs status 200 at
 * that very path, a body that matches `pattern` (when set) and starts with
 * `magic` (when set), does not match `exclude` (when set), and differs
 * from the response to a path that cannot exist. */
struct sig_probe {
  char *name;
  char *path;
  char *finding;
  bool has_pattern;
  regex_t pattern;
  bool has_exclude;
  regex_t exclude;
  unsigned char magic[SIG_MAX_MAGIC];
  size_t magic_len;
};

enum sig_where {
  SIG_WHERE_BODY = 0,      /* the main page's body */
  SIG_WHERE_HEADER,        /* a header of the main page */
  SIG_WHERE_COOKIE,        /* each Set-Cookie value of the main page */
  SIG_WHERE_PROBE          /* the body of an extra request to `path` */
};

struct sig_evidence {
  enum sig_where where;
  char *header;            /* for SIG_WHERE_HEADER */
  char *path;              /* for SIG_WHERE_PROBE */
  regex_t pattern;
  int version_group;       /* 0 when the evidence shows no version */
};

struct sig_product {
  char *name;              /* "WordPress" */
  char *kind;              /* "cms" or "framework" */
  struct sig_evidence *evidence;
  size_t evidence_count;
};

struct signatures {
  struct sig_leak *leaks;
  size_t leak_count;
  struct sig_eol *eols;
  size_t eol_count;
  struct sig_probe *probes;
  size_t probe_count;
  struct sig_product *products;
  size_t product_count;
  /* Every path to request for a site (probes and product evidence),
   * each once, "/" excluded because the main page is fetched anyway. */
  char **paths;
  size_t path_count;
};

/* Loads `path` (a signatures.json) and checks every entry: known fields,
 * patterns that compile, group numbers within the pattern's groups, paths
 * that start with '/', and findings defined in `findings`. False with a
 * message naming the file, the entry and the fix; `s` is then empty. */
bool signatures_load(struct signatures *s, const char *path,
                     const struct finding_table *findings, char *err,
                     size_t errlen);

void signatures_free(struct signatures *s);

/* Matches `pattern` against `text` and copies group `group` of the match
 * (the whole match for 0) into `out`; false when it does not match.
 * `out` is "" when the group took no part in the match. */
bool sig_match(const regex_t *pattern, const char *text, int group,
               char *out, size_t len);

/* Compares dotted versions numerically ("5.6.40" < "8.2", "10" > "9.4");
 * returns <0, 0 or >0. Parts that are not numbers compare as 0. */
int sig_version_compare(const char *a, const char *b);

#endif
