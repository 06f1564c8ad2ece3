/* The arena and the JavaScript string semantics of obs_internal.h. */
#include "examine/obs_internal.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* One scoring reads at most a few megabytes of input; its working strings
 * stay well under this, and a hostile page cannot push memory past it. */
#define OBS_ARENA_MAX ((size_t)256 << 20)
#define OBS_BLOCK_MIN ((size_t)64 << 10)

struct obs_arena_block {
  struct obs_arena_block *next;
  size_t size;
  size_t used;
  max_align_t data[];
};

void *
obs_alloc(struct obs_arena *a, size_t size)
{
  size_t align = sizeof(max_align_t);
  size = (size + align - 1) / align * align;
  if (a->failed || size > OBS_ARENA_MAX - a->used) {
    a->failed = true;
    return NULL;
  }
  struct obs_arena_block *b = a->head;
  if (b == NULL || b->size - b->used < size) {
    size_t bsize = size > OBS_BLOCK_MIN ? size : OBS_BLOCK_MIN;
    b = malloc(sizeof *b + bsize);
    if (b == NULL) {
      a->failed = true;
      return NULL;
    }
    *b = (struct obs_arena_block){.next = a->head, .size = bsize};
    a->head = b;
  }
  void *p = (char *)b->data + b->used;
  b->used += size;
  a->used += size;
  memset(p, 0, size);
  return p;
}

char *
obs_strndup(struct obs_arena *a, const char *s, size_t len)
{
  if (len == SIZE_MAX)
    return NULL;
  char *p = obs_alloc(a, len + 1);
  if (p == NULL)
    return NULL;
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

char *
obs_strdup(struct obs_arena *a, const char *s)
{
  return obs_strndup(a, s, strlen(s));
}

void
obs_arena_free(struct obs_arena *a)
{
  struct obs_arena_block *b = a->head;
  while (b != NULL) {
    struct obs_arena_block *next = b->next;
    free(b);
    b = next;
  }
  *a = (struct obs_arena){0};
}

bool
obs_vec_push(struct obs_arena *a, struct obs_vec *v, void *item)
{
  if (v->count == v->cap) {
    size_t cap = v->cap ? v->cap * 2 : 8;
    void **items = obs_alloc(a, cap * sizeof *items);
    if (items == NULL)
      return false;
    if (v->count > 0)
      memcpy(items, v->items, v->count * sizeof *items);
    v->items = items;
    v->cap = cap;
  }
  v->items[v->count++] = item;
  return true;
}

/* Decodes one UTF-8 sequence; returns its length (1 for a stray byte,
 * whose code point is then U+FFFD). */
static size_t
utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
  if (s[0] < 0x80) {
    *cp = s[0];
    return 1;
  }
  size_t n = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
  if (n == 1 || n > len) {
    *cp = 0xFFFD;
    return 1;
  }
  uint32_t v = s[0] & (0x3F >> (n - 1));
  for (size_t i = 1; i < n; i++) {
    if ((s[i] & 0xC0) != 0x80) {
      *cp = 0xFFFD;
      return 1;
    }
    v = v << 6 | (s[i] & 0x3F);
  }
  *cp = v;
  return n;
}

size_t
obs_js_space(const char *s, size_t len)
{
  if (len == 0)
    return 0;
  uint32_t cp;
  size_t n = utf8_next((const unsigned char *)s, len, &cp);
  bool space = (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0xA0 ||
               cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
               cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
               cp == 0x205F || cp == 0x3000 || cp == 0xFEFF;
  return space ? n : 0;
}

/* Start of the JavaScript white space that ends `s[0..len)`. */
static size_t
trailing_space_start(const char *s, size_t len)
{
  size_t end = len;
  while (end > 0) {
    size_t start = end - 1;
    while (start > 0 && ((unsigned char)s[start] & 0xC0) == 0x80 &&
           end - start < 4)
      start--;
    if (obs_js_space(s + start, end - start) != end - start)
      break;
    end = start;
  }
  return end;
}

char *
obs_js_trim(struct obs_arena *a, const char *s, size_t len)
{
  size_t start = 0, n;
  while (start < len && (n = obs_js_space(s + start, len - start)) > 0)
    start += n;
  size_t end = start + trailing_space_start(s + start, len - start);
  return obs_strndup(a, s + start, end - start);
}

char *
obs_lower(struct obs_arena *a, const char *s)
{
  char *p = obs_strdup(a, s);
  if (p == NULL)
    return NULL;
  for (char *q = p; *q; q++)
    if (*q >= 'A' && *q <= 'Z')
      *q = (char)(*q - 'A' + 'a');
  return p;
}

bool
obs_starts_with(const char *s, const char *prefix)
{
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

size_t
obs_js_length(const char *s)
{
  size_t units = 0, len = strlen(s);
  for (size_t i = 0; i < len;) {
    uint32_t cp;
    i += utf8_next((const unsigned char *)s + i, len - i, &cp);
    units += cp > 0xFFFF ? 2 : 1;
  }
  return units;
}

/* Printable ASCII without upper-case letters, in the order
 * Intl.Collator("en") sorts them (measured with Node.js 20). */
static const char COLLATION_ORDER[] =
  " _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789abcdefghijklmnopqrstuvwxyz";

static int collation_ranks[256];
static pthread_once_t collation_once = PTHREAD_ONCE_INIT;

static void
collation_init(void)
{
  /* Bytes outside the table (non-ASCII) sort after it by value.
   * NOTE: ICU orders non-ASCII letters among the ASCII ones; a CSP
   * source with such letters can sort differently here. */
  for (int i = 0; i < 256; i++)
    collation_ranks[i] = 1000 + i;
  for (int i = 0; COLLATION_ORDER[i]; i++)
    collation_ranks[(unsigned char)COLLATION_ORDER[i]] = i;
  for (int i = 'A'; i <= 'Z'; i++)
    collation_ranks[i] = collation_ranks[i - 'A' + 'a'];
}

static int
collation_rank(unsigned char c)
{
  return collation_ranks[c];
}

static bool
collation_ignored(unsigned char c)
{
  return c < 0x20 || c == 0x7F;
}

int
obs_collate(const char *a, const char *b)
{
  pthread_once(&collation_once, collation_init);
  const unsigned char *p = (const unsigned char *)a;
  const unsigned char *q = (const unsigned char *)b;
  for (;;) {
    while (*p && collation_ignored(*p))
      p++;
    while (*q && collation_ignored(*q))
      q++;
    if (*p == '\0' || *q == '\0')
      return (*p != '\0') - (*q != '\0');
    int d = collation_rank(*p) - collation_rank(*q);
    if (d != 0)
      return d < 0 ? -1 : 1;
    p++;
    q++;
  }
}

static int
hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* True when `s[0..len)` is well-formed UTF-8 without surrogates. */
static bool
utf8_valid(const unsigned char *s, size_t len)
{
  for (size_t i = 0, n; i < len; i += n)
    if ((n = text_utf8_sequence(s + i, len - i)) == 0)
      return false;
  return true;
}

char *
obs_decode_uri_component(struct obs_arena *a, const char *s, bool *malformed)
{
  size_t len = strlen(s);
  char *out = obs_alloc(a, len + 1);
  *malformed = false;
  if (out == NULL)
    return NULL;
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    if (s[i] != '%') {
      out[o++] = s[i];
      continue;
    }
    int hi = i + 2 < len ? hex_value(s[i + 1]) : -1;
    int lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      *malformed = true;
      return NULL;
    }
    out[o++] = (char)(hi << 4 | lo);
    i += 2;
  }
  out[o] = '\0';
  if (!utf8_valid((const unsigned char *)out, o)) {
    *malformed = true;
    return NULL;
  }
  return out;
}

bool
obs_js_parse_int(const char *s, double *out)
{
  size_t len = strlen(s), i = 0, n;
  while (i < len && (n = obs_js_space(s + i, len - i)) > 0)
    i += n;
  double sign = 1;
  if (s[i] == '+' || s[i] == '-') {
    sign = s[i] == '-' ? -1 : 1;
    i++;
  }
  if (s[i] < '0' || s[i] > '9')
    return false;
  double v = 0;
  for (; s[i] >= '0' && s[i] <= '9'; i++)
    v = v * 10 + (s[i] - '0');
  *out = sign * v;
  return !isnan(*out);
}

static uint64_t
hash_string(const char *s)
{
  uint64_t h = 1469598103934665603u; /* FNV-1a */
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

static bool
strmap_grow(struct obs_arena *a, struct obs_strmap *m)
{
  size_t cap = m->cap ? m->cap * 2 : 16;
  struct obs_strmap_slot *slots = obs_alloc(a, cap * sizeof *slots);
  if (slots == NULL)
    return false;
  for (size_t i = 0; i < m->cap; i++) {
    if (m->slots[i].key == NULL)
      continue;
    size_t j = hash_string(m->slots[i].key) & (cap - 1);
    while (slots[j].key != NULL)
      j = (j + 1) & (cap - 1);
    slots[j] = m->slots[i];
  }
  m->slots = slots;
  m->cap = cap;
  return true;
}

void *
obs_strmap_get(const struct obs_strmap *m, const char *key)
{
  if (m->cap == 0)
    return NULL;
  for (size_t j = hash_string(key) & (m->cap - 1); m->slots[j].key != NULL;
       j = (j + 1) & (m->cap - 1))
    if (strcmp(m->slots[j].key, key) == 0)
      return m->slots[j].value;
  return NULL;
}

bool
obs_strmap_put(struct obs_arena *a, struct obs_strmap *m, const char *key,
               void *value)
{
  if ((m->count + 1) * 2 > m->cap && !strmap_grow(a, m))
    return false;
  size_t j = hash_string(key) & (m->cap - 1);
  while (m->slots[j].key != NULL && strcmp(m->slots[j].key, key) != 0)
    j = (j + 1) & (m->cap - 1);
  if (m->slots[j].key == NULL)
    m->count++;
  m->slots[j] = (struct obs_strmap_slot){key, value};
  return true;
}
