/* Shared pieces of the Observatory scoring (observatory.h): an arena for
 * the many short strings a scoring makes, string helpers with the
 * JavaScript semantics the Observatory relies on, headers combined as
 * Node.js combines them, and the scoring context the tests read.
 *
 * Every string here is UTF-8. Header values arrive as bytes, which Node.js
 * reads as Latin-1, so they are converted from Latin-1 to UTF-8 first. */
#ifndef SIMPUL_EXAMINE_OBS_INTERNAL_H
#define SIMPUL_EXAMINE_OBS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "examine/observatory.h"

/* An allocation region freed at once. Allocation failure sets `failed`
 * and returns NULL; callers check `failed` once at the end of a test. */
struct obs_arena {
  struct obs_arena_block *head;
  size_t used;       /* bytes handed out, to bound a hostile input */
  bool failed;
};

void *obs_alloc(struct obs_arena *a, size_t size);
char *obs_strndup(struct obs_arena *a, const char *s, size_t len);
char *obs_strdup(struct obs_arena *a, const char *s);
void obs_arena_free(struct obs_arena *a);

/* A growable array of pointers in an arena. */
struct obs_vec {
  void **items;
  size_t count;
  size_t cap;
};
bool obs_vec_push(struct obs_arena *a, struct obs_vec *v, void *item);

/* A hash map from strings to non-NULL pointers, in an arena. Keys are not
 * copied. */
struct obs_strmap_slot {
  const char *key;
  void *value;
};
struct obs_strmap {
  struct obs_strmap_slot *slots;
  size_t cap;
  size_t count;
};
void *obs_strmap_get(const struct obs_strmap *m, const char *key);
bool obs_strmap_put(struct obs_arena *a, struct obs_strmap *m,
                    const char *key, void *value);

/* JavaScript string semantics on UTF-8 text. */

/* Byte length of the JavaScript white space or line terminator that starts
 * at `s` (String.prototype.trim and /\s/), 0 when there is none. */
size_t obs_js_space(const char *s, size_t len);

/* Copies `s[0..len)` without leading and trailing JavaScript white space. */
char *obs_js_trim(struct obs_arena *a, const char *s, size_t len);

/* Copies `s` with ASCII letters lowered. Non-ASCII letters stay as they
 * are; only comparisons with ASCII keywords depend on the result. */
char *obs_lower(struct obs_arena *a, const char *s);

bool obs_starts_with(const char *s, const char *prefix);

/* Length of `s` in UTF-16 code units, as String.prototype.length counts. */
size_t obs_js_length(const char *s);

/* Compares as Intl.Collator("en").compare does for the strings the CSP
 * parser sorts: lower-case ASCII in ICU's root order, control characters
 * ignored. */
int obs_collate(const char *a, const char *b);

/* Decodes %XX escapes into a new string as decodeURIComponent does.
 * Returns NULL and sets *malformed where JavaScript throws URIError: on a
 * malformed escape or a result that is not UTF-8. */
char *obs_decode_uri_component(struct obs_arena *a, const char *s,
                               bool *malformed);

/* parseInt(s, 10): leading white space, a sign, then digits. Returns false
 * for NaN. */
bool obs_js_parse_int(const char *s, double *out);

/* Headers of one response combined as Node.js 20 does: names lower case,
 * repeated lines joined with ", " (Cookie with "; "), a fixed set of
 * single-valued headers keeping the first line, and Set-Cookie kept as a
 * list. Values are cleaned as axios does (control characters removed,
 * spaces and tabs trimmed). */
struct obs_hfield {
  char *name;
  char *value;
};
struct obs_headers {
  struct obs_hfield *fields;
  size_t count;
  char **set_cookie;       /* cleaned by axios, as the tests read them */
  char **set_cookie_node;  /* as Node.js hands them to the cookie jar */
  size_t set_cookie_count;
};

bool obs_headers_build(struct obs_arena *a, const struct obs_response *r,
                       struct obs_headers *out);

/* The combined value of `name` (lower case), or NULL when absent. */
const char *obs_header_get(const struct obs_headers *h, const char *name);

/* Parts of an absolute URL. */
struct obs_url {
  char *scheme;      /* lower case, without ':' */
  char *host;        /* lower case, no port, IPv6 in brackets; NULL when
                        the URL has no authority */
  char *path;        /* from the first '/' after the authority, "/" when
                        missing; a query stays with its '?' as "%3F", as
                        the Observatory's cookie agent sees it */
};
bool obs_url_parse(struct obs_arena *a, const char *url, struct obs_url *out);

/* The HTML reading of the auto response (obs_html.c). */
struct obs_script {
  char *src;         /* the src attribute as written, or NULL */
  char *integrity;   /* the integrity attribute, or NULL */
  bool foreign;      /* an SVG or MathML script: no src property */
};

struct obs_page {
  bool html;                 /* Content-Type is text/html or XHTML */
  bool parsed;               /* the body was read as HTML */
  char *text;                /* the body as the Observatory's string */
  struct obs_vec meta_csp;   /* char *: meta http-equiv CSP contents */
  char *meta_referrer;       /* last <meta name=referrer> content */
  struct obs_vec scripts;    /* struct obs_script * */
};

/* Everything the tests share. */
struct obs_ctx {
  const struct obs_input *in;
  struct obs_arena arena;
  const struct obs_session *auto_session;
  bool auto_https;                  /* the auto session started at https */
  const struct obs_response *auto_response;
  struct obs_headers auto_headers;
  struct obs_headers https_headers; /* final https response, when ok */
  struct obs_headers cors_headers;  /* final preflight response, when 2xx */
  bool cors_ok;
  struct obs_page page;
};

bool obs_page_read(struct obs_ctx *c);
void obs_page_free(struct obs_page *p);

/* The tests. Each fills `out` (name, expectation, result, pass); the
 * modifiers come from obs_score_modifier. */
void obs_test_csp(struct obs_ctx *c, struct obs_test_result *out,
                  bool *frame_ancestors);
void obs_test_cookies(struct obs_ctx *c, bool hsts_pass,
                      struct obs_test_result *out);
void obs_test_cors(struct obs_ctx *c, struct obs_test_result *out,
                   bool *reflected_with_credentials);
void obs_test_redirection(struct obs_ctx *c, struct obs_test_result *out);
void obs_test_referrer(struct obs_ctx *c, struct obs_test_result *out);
void obs_test_hsts(struct obs_ctx *c, struct obs_test_result *out);
void obs_test_sri(struct obs_ctx *c, struct obs_test_result *out);
void obs_test_xcto(struct obs_ctx *c, struct obs_test_result *out);
void obs_test_xfo(struct obs_ctx *c, bool csp_frame_ancestors,
                  struct obs_test_result *out);
void obs_test_corp(struct obs_ctx *c, struct obs_test_result *out);

/* The HSTS preload lookup of the Observatory: the host itself, or a parent
 * domain whose entry includes subdomains. */
const struct obs_preload_entry *obs_preloaded(const struct obs_input *in,
                                              const char *host);

/* The registrable domain (eTLD+1) of `host` as tldts computes it, by the
 * ICANN rules of the Public Suffix List, or by all its rules when
 * `private_rules`; NULL for an IP address, an invalid name or a public
 * suffix itself (obs_sri.c). */
const char *obs_registrable_domain(struct obs_arena *a, const char *host,
                                   bool private_rules);

/* The score table (obs_grade.c). */
int obs_score_modifier(const char *result);
const char *obs_grade_for(int score);

/* Makes `result` the worse of itself and `candidate` by the order in
 * `order` (best first, NULL-terminated), as onlyIfWorse does. */
const char *obs_only_if_worse(const char *candidate, const char *result,
                              const char *const *order);

/* True when `s` is one of the NULL-terminated `list`. */
bool obs_in_list(const char *s, const char *const *list);

#endif
