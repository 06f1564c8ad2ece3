/* Settings. Every setting has a default written in config.c's table; a
 * configuration file given with --config overrides them, and command-line
 * options override the file. The file has one `key = value` per line;
 * blank lines and lines starting with '#' are ignored. docs/configuration.md
 * lists every key. */
#ifndef SIMPUL_CORE_CONFIG_H
#define SIMPUL_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
  char db[1024];             /* db: SQLite path or postgresql:// URL */
  char listen[64];           /* listen: address to bind, 127.0.0.1 */
  int port;                  /* port: 8080 */
  int threads;               /* threads: MHD thread pool size, 4 */
  int connection_limit;      /* connection_limit: 256 */
  int per_ip_connection_limit; /* per_ip_connection_limit: 16 */
  char trusted_proxies[1024]; /* trusted_proxies: CIDR list, "" = none */
  int connection_timeout;    /* connection_timeout: seconds idle, 15 */
  long max_body;             /* max_body: bytes of a request body, 1 MiB */
  long max_import;           /* max_import: bytes of one uploaded CSV, 16 MiB */
  int session_ttl;           /* session_ttl: seconds, 8 hours */
  int login_max_failures;    /* login_max_failures: per window, 5 */
  int login_max_failures_per_address; /* per window and address, 50 */
  int login_window;          /* login_window: seconds, 900 */
  int pwhash_concurrency;    /* pwhash_concurrency: argon2id at once, 2 */
  int store_pool;            /* store_pool: connections per node, 8 */
  char key_file[1024];       /* key_file: 32-byte secret shared by nodes */
  char data_dir[1024];       /* data_dir: signatures, sample city, "data" */
  char tls_cert[1024];       /* tls_cert: PEM; TLS is on when both are set */
  char tls_key[1024];        /* tls_key */
  char log_level[16];        /* log_level: debug, info, warn, error */
  bool load_sample;          /* load_sample: load data_dir's city on first start */
  int examine_concurrency;   /* examine_concurrency: sites at once, 64 */
  int examine_timeout;       /* examine_timeout: seconds per request, 5 */
  int examine_max_redirects; /* examine_max_redirects: 10 */
  long examine_max_body;     /* examine_max_body: bytes read per response */
  char examine_cacert[1024]; /* examine_cacert: extra trusted roots, PEM */
  char examine_allow_private[1024]; /* examine_allow_private: CIDR list */
  int examine_interval;      /* examine_interval: seconds, 0 = off, 86400 */
  int job_lease;             /* job_lease: seconds, 30 */
  char node_id[128];         /* node_id: name in job leases */
};

/* Fills `c` with the defaults. */
void config_defaults(struct config *c);

/* Reads `path` over `c`. On failure returns false with every problem found
 * (file, line, key, value and the fix) in `err`. */
bool config_load(struct config *c, const char *path, char *err, size_t errlen);

/* Sets one key from text, as a file line would; false with a message on an
 * unknown key or a bad value. */
bool config_set(struct config *c, const char *key, const char *value,
                char *err, size_t errlen);

/* The name and default text of the i-th key, for tests that check the
 * documentation; false past the last key. */
bool config_key_at(size_t i, const char **name, const char **default_value);

#endif
