/* Settings: one declarative table drives the defaults, parsing, bounds and
 * help text of every key, so adding a setting is one row here and one line
 * in docs/configuration.md. */
#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/cidr.h"
#include "core/error.h"
#include "core/log.h"

enum config_type { CONFIG_INT, CONFIG_LONG, CONFIG_STRING, CONFIG_BOOL };

struct config_key {
  const char *name;
  enum config_type type;
  long min;                 /* CONFIG_INT and CONFIG_LONG bounds, inclusive */
  long max;
  const char *default_value;  /* as text, parsed like a file value */
  size_t offset;            /* of the member in struct config */
  size_t size;              /* CONFIG_STRING: size of the char array */
  /* Optional extra check of a string value: returns the fix when the value
   * is invalid (a fixed text, or written into `why`), NULL when it is
   * valid. */
  const char *(*validate)(const char *value, char *why, size_t whylen);
  const char *help;
};

static const char *validate_not_empty(const char *value, char *why,
                                      size_t whylen);
static const char *validate_address(const char *value, char *why,
                                    size_t whylen);
static const char *validate_log_level(const char *value, char *why,
                                      size_t whylen);
static const char *validate_cidr_list(const char *value, char *why,
                                      size_t whylen);

#define INT_KEY(key, lo, hi, def, text)                                      \
  {#key, CONFIG_INT, lo, hi, def, offsetof(struct config, key), 0, NULL,     \
   text}
#define LONG_KEY(key, lo, hi, def, text)                                     \
  {#key, CONFIG_LONG, lo, hi, def, offsetof(struct config, key), 0, NULL,    \
   text}
#define STRING_KEY(key, def, check, text)                                    \
  {#key, CONFIG_STRING, 0, 0, def, offsetof(struct config, key),             \
   sizeof(((struct config *)0)->key), check, text}
#define BOOL_KEY(key, def, text)                                             \
  {#key, CONFIG_BOOL, 0, 1, def, offsetof(struct config, key), 0, NULL, text}

static const struct config_key config_keys[] = {
  STRING_KEY(db, "var/simpul.db", validate_not_empty,
             "store: an SQLite file path or a postgresql:// URL"),
  STRING_KEY(listen, "127.0.0.1", validate_address,
             "IPv4 or IPv6 address the server binds to"),
  INT_KEY(port, 1, 65535, "8080", "TCP port of the server"),
  INT_KEY(threads, 1, 256, "4", "threads serving requests"),
  INT_KEY(connection_limit, 1, 100000, "256",
          "open client connections at most"),
  INT_KEY(per_ip_connection_limit, 1, 100000, "16",
          "open connections from one client address at most"),
  STRING_KEY(trusted_proxies, "", validate_cidr_list,
             "comma-separated CIDR ranges of load balancers and reverse "
             "proxies whose X-Forwarded-For names the client"),
  INT_KEY(connection_timeout, 1, 3600, "15",
          "seconds a client connection may stay idle, and the most a "
          "request's line and headers may take to arrive"),
  LONG_KEY(max_body, 1024, 1073741824, "1048576",
           "bytes of one request body at most"),
  LONG_KEY(max_import, 1024, 1073741824, "16777216",
           "bytes of one uploaded CSV file at most"),
  INT_KEY(session_ttl, 60, 2592000, "28800",
          "seconds a console session lives without use"),
  INT_KEY(login_max_failures, 1, 1000, "5",
          "failed logins per user within login_window before each further "
          "attempt waits"),
  INT_KEY(login_max_failures_per_address, 1, 100000, "50",
          "failed logins per client address within login_window before "
          "each further attempt from it waits"),
  INT_KEY(login_window, 1, 86400, "900",
          "seconds over which failed logins are counted"),
  INT_KEY(pwhash_concurrency, 1, 64, "2",
          "password hashes computed at once"),
  INT_KEY(store_pool, 1, 1024, "8", "store connections per node"),
  STRING_KEY(key_file, "var/simpul.key", validate_not_empty,
             "file with the 32-byte secret every node shares"),
  STRING_KEY(data_dir, "data", validate_not_empty,
             "folder of data files and the sample city"),
  STRING_KEY(tls_cert, "", NULL, "PEM certificate; TLS is on when both "
             "tls_cert and tls_key are set"),
  STRING_KEY(tls_key, "", NULL, "PEM private key of tls_cert"),
  STRING_KEY(log_level, "info", validate_log_level,
             "lowest level logged: debug, info, warn or error"),
  BOOL_KEY(load_sample, "true",
           "load the sample city from data_dir into an empty store"),
  INT_KEY(examine_concurrency, 1, 1024, "64",
          "sites examined at once"),
  INT_KEY(examine_timeout, 1, 300, "5",
          "seconds one site may take to answer, per request"),
  INT_KEY(examine_max_redirects, 0, 50, "10",
          "redirects followed per site at most"),
  LONG_KEY(examine_max_body, 1024, 268435456, "2097152",
           "bytes of one examined response body read at most"),
  STRING_KEY(examine_cacert, "", NULL,
             "PEM file of extra trusted root certificates, e.g. the city's "
             "own CA"),
  STRING_KEY(examine_allow_private, "", validate_cidr_list,
             "comma-separated CIDR ranges that examination may reach "
             "although they are private, loopback or link-local"),
  INT_KEY(examine_interval, 0, 31536000, "86400",
          "seconds between scheduled examinations of every app; 0 turns "
          "the schedule off"),
  INT_KEY(job_lease, 5, 3600, "30",
          "seconds a node holds a job without renewing its lease"),
  STRING_KEY(node_id, "", NULL,
             "name of this node in job leases; host name and process id "
             "when empty"),
};

#define CONFIG_KEY_COUNT (sizeof config_keys / sizeof config_keys[0])

/* Maximum length of a line of a configuration file, newline included. The
 * longest value (1023 bytes) fits with its key, quotes and spaces. */
#define CONFIG_LINE_MAX 2048

static const char *
validate_not_empty(const char *value, char *why, size_t whylen)
{
  (void)why;
  (void)whylen;
  return value[0] == '\0' ? "isi nilai yang tidak kosong / give a non-empty "
                            "value"
                          : NULL;
}

static const char *
validate_address(const char *value, char *why, size_t whylen)
{
  (void)why;
  (void)whylen;
  unsigned char addr[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET, value, addr) == 1
      || inet_pton(AF_INET6, value, addr) == 1)
    return NULL;
  return "isi alamat IP seperti 127.0.0.1 atau ::1 / give an IP address such "
         "as 127.0.0.1 or ::1";
}

static const char *
validate_log_level(const char *value, char *why, size_t whylen)
{
  (void)why;
  (void)whylen;
  enum log_level level;
  return log_parse_level(value, &level)
           ? NULL
           : "isi salah satu dari debug, info, warn, error / give one of "
             "debug, info, warn, error";
}

static const char *
validate_cidr_list(const char *value, char *why, size_t whylen)
{
  struct cidr_range ranges[CIDR_LIST_MAX];
  size_t count;
  return cidr_parse_list(value, ranges, CIDR_LIST_MAX, &count, why, whylen)
           ? NULL
           : why;
}

bool
config_key_at(size_t i, const char **name, const char **default_value)
{
  if (i >= CONFIG_KEY_COUNT)
    return false;
  *name = config_keys[i].name;
  *default_value = config_keys[i].default_value;
  return true;
}

static const struct config_key *
find_key(const char *name)
{
  for (size_t i = 0; i < CONFIG_KEY_COUNT; i++)
    if (strcmp(config_keys[i].name, name) == 0)
      return &config_keys[i];
  return NULL;
}

/* Returns the Levenshtein distance of two names, ignoring letter case.
 * Names longer than 64 bytes count as far from every key. */
static size_t
edit_distance(const char *a, const char *b)
{
  size_t len_a = strlen(a), len_b = strlen(b), row[65];
  if (len_a > 64 || len_b > 64)
    return SIZE_MAX;
  for (size_t j = 0; j <= len_b; j++)
    row[j] = j;
  for (size_t i = 1; i <= len_a; i++) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= len_b; j++) {
      size_t above = row[j];
      size_t cost = tolower((unsigned char)a[i - 1])
                        == tolower((unsigned char)b[j - 1])
                      ? 0
                      : 1;
      size_t best = diagonal + cost;
      if (above + 1 < best)
        best = above + 1;
      if (row[j - 1] + 1 < best)
        best = row[j - 1] + 1;
      row[j] = best;
      diagonal = above;
    }
  }
  return row[len_b];
}

/* Returns the known key closest to `name`, or NULL when none is close. */
static const char *
nearest_key(const char *name)
{
  const char *best = NULL;
  size_t best_distance = 3;  /* suggest only within two edits */
  for (size_t i = 0; i < CONFIG_KEY_COUNT; i++) {
    size_t d = edit_distance(name, config_keys[i].name);
    if (d < best_distance) {
      best_distance = d;
      best = config_keys[i].name;
    }
  }
  return best;
}

static bool
parse_bool(const char *text, bool *out)
{
  static const char *const yes[] = {"true", "yes", "on", "1"};
  static const char *const no[] = {"false", "no", "off", "0"};
  for (size_t i = 0; i < 4; i++) {
    if (strcasecmp(text, yes[i]) == 0) {
      *out = true;
      return true;
    }
    if (strcasecmp(text, no[i]) == 0) {
      *out = false;
      return true;
    }
  }
  return false;
}

/* Copies `value` into `out` shortened to 80 bytes with control bytes shown
 * as '?', so a message about a bad value stays one readable line. */
static void
shorten(char *out, size_t len, const char *value)
{
  size_t n = 0;
  for (const char *p = value; *p != '\0' && n + 4 < len; p++) {
    if (n >= 80) {
      memcpy(out + n, "...", 3);
      n += 3;
      break;
    }
    out[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? '?' : *p;
  }
  out[n] = '\0';
}

/* Parses `value` for `key` into `c`. On failure it writes the fix (in
 * English) into `why`, leaves `c` unchanged and returns false. */
static bool
apply_value(struct config *c, const struct config_key *key, const char *value,
            char *why, size_t whylen)
{
  char *field = (char *)c + key->offset;

  switch (key->type) {
  case CONFIG_INT:
  case CONFIG_LONG: {
    char *end;
    errno = 0;
    long n = strtol(value, &end, 10);
    if (value[0] == '\0' || *end != '\0' || errno == ERANGE
        || n < key->min || n > key->max) {
      snprintf(why, whylen, "isi bilangan bulat %ld sampai %ld / give a whole "
               "number from %ld to %ld", key->min, key->max, key->min,
               key->max);
      return false;
    }
    if (key->type == CONFIG_INT)
      *(int *)field = (int)n;
    else
      *(long *)field = n;
    return true;
  }
  case CONFIG_BOOL:
    if (!parse_bool(value, (bool *)field)) {
      snprintf(why, whylen, "isi true atau false / give true or false");
      return false;
    }
    return true;
  case CONFIG_STRING: {
    size_t n = strlen(value);
    if (n >= key->size) {
      snprintf(why, whylen, "isi paling banyak %zu bita (ini %zu) / give at "
               "most %zu bytes (this is %zu)", key->size - 1, n,
               key->size - 1, n);
      return false;
    }
    char detail[512];
    const char *fix =
      key->validate ? key->validate(value, detail, sizeof detail) : NULL;
    if (fix != NULL) {
      snprintf(why, whylen, "%s", fix);
      return false;
    }
    memcpy(field, value, n + 1);
    return true;
  }
  }
  snprintf(why, whylen, "internal error: unknown setting type");
  return false;
}

void
config_defaults(struct config *c)
{
  char why[160];
  memset(c, 0, sizeof *c);
  for (size_t i = 0; i < CONFIG_KEY_COUNT; i++) {
    bool ok = apply_value(c, &config_keys[i], config_keys[i].default_value,
                          why, sizeof why);
    (void)ok;  /* test_config checks that every default is valid */
  }
}

/* Writes the problem with `key` = `value` into `out`: the Indonesian
 * sentence first, then the English one with the fix. */
static void
describe_problem(char *out, size_t len, const char *key, const char *value,
                 const char *why)
{
  char shown[96];
  shorten(shown, sizeof shown, value);
  const struct config_key *known = find_key(key);
  if (known != NULL) {
    snprintf(out, len,
             "%s = '%s': nilai tidak valid / invalid value; %s", key, shown,
             why);
    return;
  }
  const char *near = nearest_key(key);
  char near_text[64] = "";
  if (near != NULL)
    snprintf(near_text, sizeof near_text, " (did you mean '%s'?)", near);
  snprintf(out, len,
           "%s: kunci tidak dikenal / unknown key%s; see docs/configuration.md "
           "for every key", key, near_text);
}

bool
config_set(struct config *c, const char *key, const char *value, char *err,
           size_t errlen)
{
  char why[160];
  const struct config_key *k = find_key(key);

  if (k != NULL && apply_value(c, k, value, why, sizeof why))
    return true;
  describe_problem(err, errlen, key, value, k ? why : "");
  return false;
}

/* Collects the problems of one file into the caller's buffer, one per
 * line, and counts those that no longer fit. */
struct problems {
  char *out;
  size_t len;
  size_t used;
  int count;
  int dropped;
};

static void
problem_add(struct problems *p, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

static void
problem_add(struct problems *p, const char *fmt, ...)
{
  char line[1024];
  va_list ap;

  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  p->count++;
  size_t n = strlen(line);
  /* Keep room for the final "and N more" line. */
  if (p->used + n + 4 + 64 > p->len) {
    p->dropped++;
    return;
  }
  memcpy(p->out + p->used, "\n  ", 3);
  memcpy(p->out + p->used + 3, line, n + 1);
  p->used += n + 3;
}

static char *
trim(char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'
                   || s[n - 1] == '\n'))
    s[--n] = '\0';
  return s;
}

/* Removes one pair of matching surrounding quotes. Returns false when the
 * value starts with a quote that does not also end it. */
static bool
unquote(char **value)
{
  char *v = *value;
  size_t n = strlen(v);
  if (n == 0 || (v[0] != '"' && v[0] != '\''))
    return true;
  if (n < 2 || v[n - 1] != v[0])
    return false;
  v[n - 1] = '\0';
  *value = v + 1;
  return true;
}

/* Handles one line of a file; problems go to `p` prefixed with file:line. */
static void
load_line(struct config *c, struct problems *p, const char *path, int lineno,
          char *raw)
{
  char *line = trim(raw);
  if (line[0] == '\0' || line[0] == '#')
    return;
  char *eq = strchr(line, '=');
  if (eq == NULL) {
    problem_add(p, "%s:%d: baris tanpa '=' / line has no '='; write "
                "'key = value'", path, lineno);
    return;
  }
  *eq = '\0';
  char *key = trim(line);
  char *value = trim(eq + 1);
  if (key[0] == '\0') {
    problem_add(p, "%s:%d: kunci kosong / missing key before '='; write "
                "'key = value'", path, lineno);
    return;
  }
  if (!unquote(&value)) {
    problem_add(p, "%s:%d: %s: kutip tidak ditutup / unterminated quote; "
                "end the value with the quote it starts with", path, lineno,
                key);
    return;
  }
  char message[768];
  if (!config_set(c, key, value, message, sizeof message))
    problem_add(p, "%s:%d: %s", path, lineno, message);
}

/* Reads the lines of `f` into a fixed buffer. A line longer than
 * CONFIG_LINE_MAX is reported and skipped, so no input grows memory. */
static void
load_stream(struct config *c, struct problems *p, const char *path, FILE *f)
{
  char line[CONFIG_LINE_MAX];
  int lineno = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    lineno++;
    size_t n = strlen(line);
    if (n == sizeof line - 1 && line[n - 1] != '\n' && !feof(f)) {
      problem_add(p, "%s:%d: baris terlalu panjang / line longer than %d "
                  "bytes; shorten the value", path, lineno,
                  CONFIG_LINE_MAX - 2);
      int ch;
      while ((ch = fgetc(f)) != EOF && ch != '\n')
        ;
      continue;
    }
    load_line(c, p, path, lineno, line);
  }
  if (ferror(f))
    problem_add(p, "%s: gagal membaca / read failed", path);
}

bool
config_load(struct config *c, const char *path, char *err, size_t errlen)
{
  char header[256];
  FILE *f = fopen(path, "r");

  if (errlen == 0)
    return false;
  if (f == NULL) {
    char buf[128];
    const char *why = strerror_r(errno, buf, sizeof buf);
    snprintf(err, errlen, "%s / %s: %s: %s; check the --config path",
             sp_error_message(SP_ERR_CONFIG, "id"),
             sp_error_message(SP_ERR_CONFIG, "en"), path, why);
    return false;
  }
  snprintf(header, sizeof header, "%s / %s (%s):",
           sp_error_message(SP_ERR_CONFIG, "id"),
           sp_error_message(SP_ERR_CONFIG, "en"), path);
  snprintf(err, errlen, "%s", header);
  struct problems p = {.out = err, .len = errlen, .used = strlen(err)};
  load_stream(c, &p, path, f);
  fclose(f);
  if (p.count == 0) {
    err[0] = '\0';
    return true;
  }
  if (p.dropped > 0 && p.used + 64 <= p.len)
    snprintf(err + p.used, p.len - p.used, "\n  ... and %d more", p.dropped);
  return false;
}
