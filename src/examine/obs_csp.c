/* The Observatory's Content-Security-Policy parser and test
 * (src/analyzer/cspParser.js and src/analyzer/tests/csp.js of the package).
 * The parser is ported step by step, quirks included: its results decide
 * the score, and the score must equal the Observatory's. */
#include "examine/obs_internal.h"

#include <string.h>

/* The shortest policy the parser accepts is one character shorter than
 * "img-src". */
#define SHORTEST_POLICY_LENGTH 6
#define DUPLICATE_WARNINGS_KEY "_observatory_duplicate_key_warnings"

/* A source while policies are merged; the same entry may sit in the lists
 * of several merge steps, and its keep flag changes between them. */
struct csp_entry {
  char *source;
  size_t index;    /* the policy it came from */
  bool keep;
};

/* A set of sources in insertion order; deleted items become NULL. */
struct csp_set {
  struct obs_vec items;
  struct obs_strmap index;   /* source -> size_t * position in items */
  size_t live;
};

/* A parsed policy: directive -> set, in insertion order. */
struct csp_map {
  struct obs_vec names;
  struct obs_strmap sets;    /* name -> struct csp_set *, NULL: deleted */
  size_t size;
};

static bool
set_has(const struct csp_set *s, const char *source)
{
  const size_t *pos = obs_strmap_get(&s->index, source);
  return pos != NULL && s->items.items[*pos] != NULL;
}

static bool
set_add(struct obs_arena *a, struct csp_set *s, char *source)
{
  if (obs_strmap_get(&s->index, source) != NULL)
    return true;
  size_t *pos = obs_alloc(a, sizeof *pos);
  if (pos == NULL)
    return false;
  *pos = s->items.count;
  s->live++;
  return obs_vec_push(a, &s->items, source) &&
         obs_strmap_put(a, &s->index, source, pos);
}

static void
set_delete(struct csp_set *s, const char *source)
{
  const size_t *pos = obs_strmap_get(&s->index, source);
  if (pos != NULL && s->items.items[*pos] != NULL) {
    s->items.items[*pos] = NULL;
    s->live--;
  }
}

static struct csp_set *
set_of(struct obs_arena *a, const char *const *sources)
{
  struct csp_set *s = obs_alloc(a, sizeof *s);
  for (size_t i = 0; s != NULL && sources[i] != NULL; i++)
    if (!set_add(a, s, obs_strdup(a, sources[i])))
      return NULL;
  return s;
}

static struct csp_set *
map_get(const struct csp_map *m, const char *name)
{
  return obs_strmap_get(&m->sets, name);
}

static bool
map_set(struct obs_arena *a, struct csp_map *m, const char *name, void *v)
{
  if (obs_strmap_get(&m->sets, name) == NULL) {
    if (!obs_vec_push(a, &m->names, (void *)name))
      return false;
    m->size++;
  }
  return obs_strmap_put(a, &m->sets, name, v);
}

static void
map_delete(struct csp_map *m, const char *name)
{
  struct obs_strmap_slot *slots = m->sets.slots;
  for (size_t i = 0; i < m->sets.cap; i++)
    if (slots[i].key != NULL && slots[i].value != NULL &&
        strcmp(slots[i].key, name) == 0) {
      slots[i].value = NULL;
      m->size--;
    }
}

/* Splits `s` at runs of JavaScript white space, as s.trim().split(/\s+/).
 * An empty string gives one empty token. */
static bool
split_words(struct obs_arena *a, const char *s, size_t len,
            struct obs_vec *out)
{
  char *t = obs_js_trim(a, s, len);
  if (t == NULL)
    return false;
  *out = (struct obs_vec){0};
  size_t tlen = strlen(t), start = 0, i = 0, n;
  while (i < tlen) {
    if ((n = obs_js_space(t + i, tlen - i)) == 0) {
      i++;
      continue;
    }
    if (!obs_vec_push(a, out, obs_strndup(a, t + start, i - start)))
      return false;
    while (i < tlen && (n = obs_js_space(t + i, tlen - i)) > 0)
      i += n;
    start = i;
  }
  return obs_vec_push(a, out, obs_strndup(a, t + start, tlen - start)) &&
         !a->failed;
}

/* Stable merge sort by obs_collate, as Array.prototype.sort with an
 * Intl.Collator compare. */
static void
sort_entries(struct csp_entry **v, struct csp_entry **tmp, size_t n)
{
  if (n < 2)
    return;
  size_t half = n / 2;
  sort_entries(v, tmp, half);
  sort_entries(v + half, tmp, n - half);
  size_t i = 0, j = half, k = 0;
  while (i < half && j < n)
    tmp[k++] = obs_collate(v[j]->source, v[i]->source) < 0 ? v[j++] : v[i++];
  while (i < half)
    tmp[k++] = v[i++];
  while (j < n)
    tmp[k++] = v[j++];
  memcpy(v, tmp, n * sizeof *v);
}

/* Splits at '/' into the arena. */
static char **
split_path(struct obs_arena *a, const char *s, size_t *count)
{
  size_t n = 1;
  for (const char *p = s; *p; p++)
    n += *p == '/';
  char **parts = obs_alloc(a, n * sizeof *parts);
  if (parts == NULL)
    return NULL;
  const char *p = s;
  for (size_t i = 0; i < n; i++) {
    size_t len = strcspn(p, "/");
    parts[i] = obs_strndup(a, p, len);
    p += len + 1;
  }
  *count = n;
  return parts;
}

/* pathPartMatch: 1 when `b` is covered by `a_src`, 0 when not, -1 when
 * decodeURIComponent throws on one of the compared pieces. */
static int
path_part_match(struct obs_arena *a, const char *pa, const char *pb)
{
  if (pa[0] == '\0' || (strcmp(pa, "/") == 0 && pb[0] == '\0'))
    return 1;
  size_t la = strlen(pa), na, nb;
  bool exact = pa[la - 1] != '/';
  char **parts_a = split_path(a, pa, &na);
  char **parts_b = split_path(a, pb, &nb);
  if (parts_a == NULL || parts_b == NULL)
    return 0;
  if (na > nb || (exact && na != nb))
    return 0;
  if (!exact)
    na--;
  for (size_t i = 0; i < na; i++) {
    bool bad_a, bad_b;
    char *da = obs_decode_uri_component(a, parts_a[i], &bad_a);
    if (bad_a)
      return -1;
    char *db = obs_decode_uri_component(a, parts_b[i], &bad_b);
    if (bad_b)
      return -1;
    if (da == NULL || db == NULL || strcmp(da, db) != 0)
      return 0;
  }
  return 1;
}

/* Parser state across the policies of one parse. */
struct csp_parse {
  struct obs_arena *a;
  size_t policy_count;
  struct obs_vec names;          /* directives in first-seen order */
  struct obs_strmap lists;       /* name -> struct obs_vec * of entries */
  struct obs_vec warnings;       /* duplicated report-uri / report-to */
  struct obs_strmap warned;
  bool invalid;                  /* the parser would throw */
};

/* Marks superfluous sources of one policy and sources common to two. */
static bool
mark_entries(struct csp_parse *p, struct csp_entry **v, size_t n)
{
  for (size_t k = 1; k < n; k++) {
    struct csp_entry *src = v[k], *prev = v[k - 1];
    if (src->index == prev->index && obs_starts_with(src->source,
                                                     prev->source))
      src->keep = false;
    if (src->index != prev->index) {
      int m = path_part_match(p->a, prev->source, src->source);
      if (m < 0)
        return false;
      if (m > 0)
        src->keep = true;
    }
  }
  return true;
}

static bool
add_values(struct csp_parse *p, size_t policy, const char *directive,
           struct obs_vec *words, struct obs_vec *combined)
{
  struct obs_vec *old = obs_strmap_get(&p->lists, directive);
  if (policy > 0 && old != NULL)
    for (size_t k = 0; k < old->count; k++)
      if (!obs_vec_push(p->a, combined, old->items[k]))
        return false;
  /* A source list without sources means 'none'. */
  size_t dlen = strlen(directive);
  bool none = words->count == 1 && dlen >= 4 &&
              strcmp(directive + dlen - 4, "-src") == 0;
  size_t count = none ? 1 : words->count - 1;
  for (size_t k = 0; k < count; k++) {
    struct csp_entry *e = obs_alloc(p->a, sizeof *e);
    if (e == NULL)
      return false;
    e->source = none ? obs_strdup(p->a, "'none'")
                     : obs_lower(p->a, words->items[k + 1]);
    e->index = policy;
    e->keep = policy == 0;
    if (e->source == NULL || !obs_vec_push(p->a, combined, e))
      return false;
  }
  return true;
}

/* One "name value..." directive of policy number `policy`. */
static bool
parse_directive(struct csp_parse *p, size_t policy, struct obs_strmap *seen,
                struct obs_vec *words)
{
  char *directive = obs_lower(p->a, words->items[0]);
  if (directive == NULL)
    return false;
  if (obs_strmap_get(seen, directive) != NULL) {
    if (strcmp(directive, "report-uri") != 0 &&
        strcmp(directive, "report-to") != 0) {
      p->invalid = true;
      return false;
    }
    if (obs_strmap_get(&p->warned, directive) == NULL &&
        (!obs_vec_push(p->a, &p->warnings, directive) ||
         !obs_strmap_put(p->a, &p->warned, directive, directive)))
      return false;
  } else if (!obs_strmap_put(p->a, seen, directive, directive)) {
    return false;
  }
  struct obs_vec combined = {0};
  if (!add_values(p, policy, directive, words, &combined))
    return false;
  struct csp_entry **v = (struct csp_entry **)combined.items;
  struct csp_entry **tmp = obs_alloc(p->a, (combined.count + 1) * sizeof *v);
  if (tmp == NULL)
    return false;
  sort_entries(v, tmp, combined.count);
  if (!mark_entries(p, v, combined.count)) {
    p->invalid = true;
    return false;
  }
  struct obs_vec *kept = obs_alloc(p->a, sizeof *kept);
  if (kept == NULL)
    return false;
  for (size_t k = 0; k < combined.count; k++)
    if (v[k]->keep && !obs_vec_push(p->a, kept, v[k]))
      return false;
  if (obs_strmap_get(&p->lists, directive) == NULL &&
      !obs_vec_push(p->a, &p->names, directive))
    return false;
  if (!obs_strmap_put(p->a, &p->lists, directive, kept))
    return false;
  /* After the first policy every kept source must be confirmed again by a
   * later one. */
  if (policy == 0 && p->policy_count > 1)
    for (size_t k = 0; k < kept->count; k++)
      ((struct csp_entry *)kept->items[k])->keep = false;
  return true;
}

static bool
parse_policy(struct csp_parse *p, size_t policy, const char *text)
{
  struct obs_strmap seen = {0};
  for (const char *s = text;;) {
    size_t n = strcspn(s, ";");
    struct obs_vec words;
    if (!split_words(p->a, s, n, &words))
      return false;
    if (((char *)words.items[0])[0] != '\0' &&
        !parse_directive(p, policy, &seen, &words))
      return false;
    if (s[n] == '\0')
      return true;
    s += n + 1;
  }
}

/* Removes CR and LF, then trims, as the parser cleans each policy. */
static char *
clean_policy(struct obs_arena *a, const char *s)
{
  char *t = obs_strdup(a, s);
  if (t == NULL)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; t[i]; i++)
    if (t[i] != '\r' && t[i] != '\n')
      t[o++] = t[i];
  return obs_js_trim(a, t, o);
}

static bool
flatten(struct csp_parse *p, struct csp_map *out)
{
  for (size_t i = 0; i < p->names.count; i++) {
    const char *name = p->names.items[i];
    struct obs_vec *list = obs_strmap_get(&p->lists, name);
    struct csp_set *set = obs_alloc(p->a, sizeof *set);
    if (set == NULL)
      return false;
    for (size_t k = 0; k < list->count; k++)
      if (!set_add(p->a, set, ((struct csp_entry *)list->items[k])->source))
        return false;
    if (list->count == 0 && !set_add(p->a, set, obs_strdup(p->a, "'none'")))
      return false;
    if (!map_set(p->a, out, name, set))
      return false;
  }
  if (p->warnings.count == 0)
    return true;
  struct csp_set *w = obs_alloc(p->a, sizeof *w);
  for (size_t k = 0; w != NULL && k < p->warnings.count; k++)
    if (!set_add(p->a, w, p->warnings.items[k]))
      return false;
  return w != NULL && map_set(p->a, out, DUPLICATE_WARNINGS_KEY, w);
}

/* parseCsp: false when the Observatory's parser throws (an empty or too
 * short policy, a repeated directive, a malformed %-escape in a compared
 * path) or memory runs out (then a->failed is set). */
static bool
parse_csp(struct obs_arena *a, char *const *list, size_t n,
          struct csp_map *out)
{
  *out = (struct csp_map){0};
  if (n == 0)
    return true;
  struct csp_parse p = {.a = a, .policy_count = n};
  char **clean = obs_alloc(a, n * sizeof *clean);
  if (clean == NULL)
    return false;
  for (size_t i = 0; i < n; i++) {
    clean[i] = clean_policy(a, list[i]);
    if (clean[i] == NULL || clean[i][0] == '\0' ||
        obs_js_length(clean[i]) < SHORTEST_POLICY_LENGTH)
      return false;
  }
  for (size_t i = 0; i < n; i++)
    if (!parse_policy(&p, i, clean[i]))
      return false;
  return flatten(&p, out);
}

/* parseCspMeta: directives that a meta element may not carry are dropped. */
static bool
parse_csp_meta(struct obs_arena *a, char *const *list, size_t n,
               struct csp_map *out)
{
  if (!parse_csp(a, list, n, out))
    return false;
  map_delete(out, "frame-ancestors");
  map_delete(out, "report-uri");
  map_delete(out, "sandbox");
  return true;
}

static const char *const DANGEROUSLY_BROAD[] = {
  "ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*",
  "https://*.*", NULL};
static const char *const UNSAFE_INLINE[] = {"'unsafe-inline'", "data:", NULL};
static const char *const NONCES_HASHES[] = {
  "'sha256-", "'sha384-", "'sha512-", "'nonce-", NULL};
static const char *const STAR[] = {"*", NULL};

/* True when a source of `s` is in `list` or, when `list2` is given, in
 * that list. */
static bool
set_any_in(const struct csp_set *s, const char *const *list,
           const char *const *list2)
{
  for (size_t i = 0; s != NULL && i < s->items.count; i++) {
    const char *v = s->items.items[i];
    if (v != NULL && (obs_in_list(v, list) ||
                      (list2 != NULL && obs_in_list(v, list2))))
      return true;
  }
  return false;
}

static bool
starts_with_any(const char *v, const char *const *prefixes)
{
  for (size_t i = 0; prefixes[i] != NULL; i++)
    if (obs_starts_with(v, prefixes[i]))
      return true;
  return false;
}

static bool
set_any_prefix(const struct csp_set *s, const char *const *prefixes)
{
  for (size_t i = 0; s != NULL && i < s->items.count; i++) {
    const char *v = s->items.items[i];
    if (v != NULL && starts_with_any(v, prefixes))
      return true;
  }
  return false;
}

static struct csp_set *
first_set(struct obs_arena *a, struct csp_set *s1, struct csp_set *s2)
{
  return s1 ? s1 : s2 ? s2 : set_of(a, STAR);
}

/* The sources the test reads, as the Observatory picks them. */
struct csp_view {
  struct csp_set *script_src, *style_src, *object_src, *default_src;
  bool https;
};

static const char *const INSECURE_SCHEMES[] = {"http:", "ftp:", NULL};

/* Any source of an active directive (all but img-src and media-src, with
 * script-src read through its fallback) that names an insecure scheme. */
static bool
active_insecure(const struct csp_map *csp, const struct csp_view *v)
{
  for (size_t i = 0; i < csp->names.count; i++) {
    const char *name = csp->names.items[i];
    if (strcmp(name, "img-src") == 0 || strcmp(name, "media-src") == 0 ||
        strcmp(name, "script-src") == 0)
      continue;
    if (set_any_prefix(map_get(csp, name), INSECURE_SCHEMES))
      return true;
  }
  return set_any_prefix(v->script_src, INSECURE_SCHEMES);
}

static bool
passive_insecure(const struct csp_map *csp, const struct csp_view *v)
{
  const char *passive[] = {"img-src", "media-src"};
  for (size_t i = 0; i < 2; i++) {
    struct csp_set *s = map_get(csp, passive[i]);
    if (set_any_prefix(s ? s : v->default_src, INSECURE_SCHEMES))
      return true;
  }
  return false;
}

/* Nonces or hashes make 'unsafe-inline' void; 'strict-dynamic' with them
 * voids host and scheme sources too. Returns false when 'strict-dynamic'
 * comes without them, which the Observatory calls an invalid header. */
static bool
apply_nonces(struct csp_view *v)
{
  struct csp_set *lists[] = {v->script_src, v->style_src};
  for (size_t i = 0; i < 2; i++)
    if (set_any_prefix(lists[i], NONCES_HASHES))
      set_delete(lists[i], "'unsafe-inline'");
  struct csp_set *s = v->script_src;
  if (!set_has(s, "'strict-dynamic'"))
    return true;
  if (!set_any_prefix(s, NONCES_HASHES))
    return false;
  for (size_t i = 0; i < s->items.count; i++) {
    const char *src = s->items.items[i];
    if (src != NULL && (starts_with_any(src, DANGEROUSLY_BROAD) ||
                        strcmp(src, "'self'") == 0 ||
                        strcmp(src, "'unsafe-inline'") == 0))
      set_delete(s, src);
  }
  return true;
}

/* The first failed check names the result, in the Observatory's order. */
static const char *
policy_result(const struct csp_map *csp, struct csp_view *v)
{
  const char *result = NULL;
  if (!apply_nonces(v))
    result = "csp-header-invalid";
  if (result == NULL &&
      (set_any_in(v->script_src, DANGEROUSLY_BROAD, UNSAFE_INLINE) ||
       set_any_in(v->object_src, DANGEROUSLY_BROAD, NULL)))
    result = "csp-implemented-with-unsafe-inline";
  if (result == NULL && v->https && active_insecure(csp, v))
    result = "csp-implemented-with-insecure-scheme";
  if (result == NULL && (set_has(v->script_src, "'unsafe-eval'") ||
                         set_has(v->style_src, "'unsafe-eval'")))
    result = "csp-implemented-with-unsafe-eval";
  if (result == NULL && v->https && passive_insecure(csp, v))
    result = "csp-implemented-with-insecure-scheme-in-passive-content-only";
  if (result == NULL &&
      set_any_in(v->style_src, DANGEROUSLY_BROAD, UNSAFE_INLINE))
    result = "csp-implemented-with-unsafe-inline-in-style-src-only";
  if (result == NULL && v->default_src != NULL &&
      v->default_src->live == 1 && set_has(v->default_src, "'none'"))
    result = "csp-implemented-with-no-unsafe-default-src-none";
  return result ? result : "csp-implemented-with-no-unsafe";
}

/* Parses the header and meta policies; returns the result id when the test
 * ends before the policy is read, NULL to go on. */
static const char *
parse_all(struct obs_ctx *c, struct csp_map *csp)
{
  struct obs_arena *a = &c->arena;
  const char *header = obs_header_get(&c->auto_headers,
                                      "content-security-policy");
  char *http_list[1] = {(char *)header};
  size_t http_n = header ? 1 : 0;
  char **meta_list = (char **)c->page.meta_csp.items;
  size_t meta_n = c->page.meta_csp.count;
  char **all = obs_alloc(a, (http_n + meta_n + 1) * sizeof *all);
  if (all == NULL)
    return "csp-header-invalid";
  if (http_n)
    all[0] = http_list[0];
  for (size_t i = 0; i < meta_n; i++)
    all[http_n + i] = meta_list[i];
  if (!parse_csp(a, all, http_n + meta_n, csp))
    return "csp-header-invalid";
  struct csp_map http_only, meta;
  if (!parse_csp(a, http_list, http_n, &http_only))
    http_only = (struct csp_map){0};
  if (!parse_csp_meta(a, meta_list, meta_n, &meta))
    meta = (struct csp_map){0};
  /* A meta policy of only header-only directives counts as none. */
  if (http_only.size + meta.size > 0)
    return NULL;
  const char *report_only = obs_header_get(
    &c->auto_headers, "content-security-policy-report-only");
  return report_only && report_only[0]
           ? "csp-not-implemented-but-reporting-enabled"
           : "csp-not-implemented";
}

void
obs_test_csp(struct obs_ctx *c, struct obs_test_result *out,
             bool *frame_ancestors)
{
  static const char *const passing[] = {
    "csp-implemented-with-no-unsafe",
    "csp-implemented-with-no-unsafe-default-src-none",
    "csp-implemented-with-unsafe-inline-in-style-src-only",
    "csp-implemented-with-insecure-scheme-in-passive-content-only", NULL};
  out->name = "content-security-policy";
  out->expectation = "csp-implemented-with-no-unsafe";
  out->pass = false;
  *frame_ancestors = false;
  struct csp_map csp;
  out->result = parse_all(c, &csp);
  if (out->result != NULL)
    return;
  struct obs_arena *a = &c->arena;
  struct csp_view v = {.default_src = map_get(&csp, "default-src"),
                       .https = c->auto_https};
  v.object_src = first_set(a, map_get(&csp, "object-src"), v.default_src);
  v.script_src = first_set(a, map_get(&csp, "script-src"), v.default_src);
  v.style_src = first_set(a, map_get(&csp, "style-src"), v.default_src);
  if (v.object_src == NULL || v.script_src == NULL || v.style_src == NULL)
    return;
  out->result = policy_result(&csp, &v);
  if (obs_in_list(out->result, passing)) {
    out->pass = true;
    if (map_get(&csp, DUPLICATE_WARNINGS_KEY) != NULL)
      out->result = "csp-implemented-but-duplicate-directives";
  }
  *frame_ancestors = map_get(&csp, "frame-ancestors") != NULL;
}
