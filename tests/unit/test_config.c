/* Settings: the defaults, reading a file, and the report of every bad
 * line of a file at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "testlib.h"

static char paths[8][64];
static int path_count;

/* Writes `text` to a new temporary file and returns its path. */
static const char *
write_file(const char *text)
{
  char *path = paths[path_count++ % 8];
  snprintf(path, sizeof paths[0], "/tmp/simpul-test-config.XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0)
    return "/nonexistent";
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  return path;
}

/* Returns a short copy of a setting for CHECK_STR: its messages have room
 * for about 200 bytes, and passing a 1024-byte array draws a warning. */
static const char *
text(const char *setting)
{
  static char copies[4][200];
  static int next;
  char *out = copies[next++ % 4];
  snprintf(out, sizeof copies[0], "%s", setting);
  return out;
}

static void
remove_files(void)
{
  for (int i = 0; i < path_count && i < 8; i++)
    unlink(paths[i]);
}

TEST(config_defaults_match_docs)
{
  struct config c;
  config_defaults(&c);
  CHECK_STR(text(c.db), "var/simpul.db");
  CHECK_STR(text(c.listen), "127.0.0.1");
  CHECK_INT(c.port, 8080);
  CHECK_INT(c.threads, 4);
  CHECK_INT(c.connection_limit, 256);
  CHECK_INT(c.connection_timeout, 15);
  CHECK_INT(c.max_body, 1048576);
  CHECK_INT(c.max_import, 16777216);
  CHECK_INT(c.session_ttl, 28800);
  CHECK_INT(c.login_max_failures, 5);
  CHECK_INT(c.login_window, 900);
  CHECK_INT(c.pwhash_concurrency, 2);
  CHECK_INT(c.store_pool, 8);
  CHECK_STR(text(c.key_file), "var/simpul.key");
  CHECK_STR(text(c.data_dir), "data");
  CHECK_STR(text(c.tls_cert), "");
  CHECK_STR(text(c.tls_key), "");
  CHECK_STR(text(c.log_level), "info");
  CHECK(c.load_sample);
}

/* Every key has a row in docs/configuration.md that shows its default
 * (or "empty"). The tests run from the repository's root. */
TEST(config_every_key_documented)
{
  FILE *f = fopen("docs/configuration.md", "r");
  CHECK(f != NULL);
  if (f == NULL)
    return;
  static char doc[65536];
  size_t n = fread(doc, 1, sizeof doc - 1, f);
  doc[n] = '\0';
  fclose(f);
  const char *name, *def;
  for (size_t i = 0; config_key_at(i, &name, &def); i++) {
    char cell[96], shown[96];
    snprintf(cell, sizeof cell, "| `%s` |", name);
    const char *row = strstr(doc, cell);
    if (row == NULL) {
      CHECK_STR(name, "a key with a row in docs/configuration.md");
      continue;
    }
    const char *end = strchr(row, '\n');
    snprintf(shown, sizeof shown, def[0] ? "`%s`" : "empty", def);
    const char *at = strstr(row, shown);
    if (at == NULL || (end != NULL && at > end))
      CHECK_STR(name, shown);
  }
}

TEST(config_load_good_file)
{
  struct config c;
  char err[2048] = "unchanged";
  const char *path = write_file(
    "# simpul settings\n"
    "\n"
    "db = postgresql://simpul@127.0.0.1:5432/simpul?sslmode=disable\n"
    "   port=9090   \n"
    "listen = \"::1\"\n"
    "threads\t=\t8\r\n"
    "max_body = 2097152\n"
    "data_dir = '/srv/simpul data'\n"
    "log_level = debug\n"
    "load_sample = no\n"
    "tls_cert =\n");
  config_defaults(&c);
  CHECK(config_load(&c, path, err, sizeof err));
  CHECK_STR(err, "");
  CHECK_STR(text(c.db), "postgresql://simpul@127.0.0.1:5432/simpul?sslmode=disable");
  CHECK_INT(c.port, 9090);
  CHECK_STR(text(c.listen), "::1");
  CHECK_INT(c.threads, 8);
  CHECK_INT(c.max_body, 2097152);
  CHECK_STR(text(c.data_dir), "/srv/simpul data");
  CHECK_STR(text(c.log_level), "debug");
  CHECK(!c.load_sample);
  CHECK_STR(text(c.tls_cert), "");
  CHECK_INT(c.session_ttl, 28800);  /* keys not in the file keep defaults */
}

TEST(config_load_reports_every_bad_line)
{
  struct config c;
  char err[4096];
  const char *path = write_file(
    "port = 8081\n"
    "threads = many\n"
    "just some words\n"
    "load_sample = perhaps\n"
    "listen = localhost\n"
    "log_level = loud\n"
    "= 5\n"
    "data_dir = \"unterminated\n"
    "db =\n");
  config_defaults(&c);
  CHECK(!config_load(&c, path, err, sizeof err));
  CHECK(strstr(err, path) != NULL);
  CHECK(strstr(err, ":2: threads = 'many'") != NULL);
  CHECK(strstr(err, "whole number from 1 to 256") != NULL);
  CHECK(strstr(err, ":3: ") != NULL);
  CHECK(strstr(err, "key = value") != NULL);
  CHECK(strstr(err, ":4: load_sample = 'perhaps'") != NULL);
  CHECK(strstr(err, "true or false") != NULL);
  CHECK(strstr(err, ":5: listen = 'localhost'") != NULL);
  CHECK(strstr(err, ":6: log_level = 'loud'") != NULL);
  CHECK(strstr(err, "debug, info, warn, error") != NULL);
  CHECK(strstr(err, ":7: ") != NULL);
  CHECK(strstr(err, ":8: data_dir") != NULL);
  CHECK(strstr(err, "unterminated quote") != NULL);
  CHECK(strstr(err, ":9: db = ''") != NULL);
  CHECK(strstr(err, ":1: ") == NULL);  /* the good line is not listed */
  CHECK(strstr(err, "Konfigurasi tidak valid") != NULL);
  CHECK_INT(c.port, 8081);
}

TEST(config_unknown_key_suggests_nearest)
{
  struct config c;
  char err[2048];
  const char *path = write_file("prot = 80\nsesion_ttl = 60\nzzz = 1\n");
  config_defaults(&c);
  CHECK(!config_load(&c, path, err, sizeof err));
  CHECK(strstr(err, ":1: prot: ") != NULL);
  CHECK(strstr(err, "did you mean 'port'?") != NULL);
  CHECK(strstr(err, "did you mean 'session_ttl'?") != NULL);
  CHECK(strstr(err, ":3: zzz: ") != NULL);
  CHECK(strstr(err, "unknown key") != NULL);
  CHECK_INT(c.port, 8080);
}

TEST(config_number_out_of_range)
{
  struct config c;
  char err[1024];
  config_defaults(&c);
  CHECK(!config_set(&c, "port", "70000", err, sizeof err));
  CHECK(strstr(err, "'70000'") != NULL);
  CHECK(strstr(err, "from 1 to 65535") != NULL);
  CHECK_INT(c.port, 8080);
  CHECK(!config_set(&c, "port", "0", err, sizeof err));
  CHECK(!config_set(&c, "port", "-1", err, sizeof err));
  CHECK(!config_set(&c, "port", "80x", err, sizeof err));
  CHECK(!config_set(&c, "port", "", err, sizeof err));
  CHECK(!config_set(&c, "max_body", "99999999999999999999", err, sizeof err));
  CHECK(config_set(&c, "port", "65535", err, sizeof err));
  CHECK_INT(c.port, 65535);
  CHECK(config_set(&c, "port", "1", err, sizeof err));
  CHECK_INT(c.port, 1);
}

TEST(config_cidr_list_names_bad_range)
{
  struct config c;
  char err[1024];
  config_defaults(&c);
  CHECK(!config_set(&c, "trusted_proxies", "10.0.0.0/8, 10.0.0.1/8", err,
                    sizeof err));
  CHECK(strstr(err, "did you mean 10.0.0.0/8?") != NULL);
  CHECK_STR(text(c.trusted_proxies), "");
  CHECK(!config_set(&c, "examine_allow_private", "127.0.0.0/8,bogus", err,
                    sizeof err));
  CHECK(strstr(err, "invalid CIDR range 'bogus'") != NULL);
  CHECK(!config_set(&c, "trusted_proxies", "::1/129", err, sizeof err));
  CHECK(strstr(err, "prefix length must be 0 to 128") != NULL);
  CHECK(config_set(&c, "trusted_proxies", " 10.0.0.5/32 , fd00::/8 ", err,
                   sizeof err));
  CHECK_STR(text(c.trusted_proxies), " 10.0.0.5/32 , fd00::/8 ");
}

TEST(config_string_too_long)
{
  struct config c;
  char err[1024], value[2000];
  memset(value, 'a', sizeof value - 1);
  value[sizeof value - 1] = '\0';
  config_defaults(&c);
  CHECK(!config_set(&c, "db", value, err, sizeof err));
  CHECK(strstr(err, "at most 1023 bytes") != NULL);
  CHECK_STR(text(c.db), "var/simpul.db");
  CHECK(strlen(err) < 400);  /* the value is shortened in the message */
}

TEST(config_long_line_reported)
{
  struct config c;
  char err[2048];
  char *text = malloc(6000);
  memcpy(text, "db = ", 5);
  memset(text + 5, 'x', 5000);
  memcpy(text + 5005, "\nport = 9000\n", 14);
  const char *path = write_file(text);
  free(text);
  config_defaults(&c);
  CHECK(!config_load(&c, path, err, sizeof err));
  CHECK(strstr(err, ":1: ") != NULL);
  CHECK(strstr(err, "line longer than") != NULL);
  CHECK_INT(c.port, 9000);  /* the next line is still read */
}

TEST(config_missing_file)
{
  struct config c;
  char err[1024];
  config_defaults(&c);
  CHECK(!config_load(&c, "/nonexistent/simpul.conf", err, sizeof err));
  CHECK(strstr(err, "/nonexistent/simpul.conf") != NULL);
  CHECK(strstr(err, "No such file") != NULL);
  CHECK(strstr(err, "--config") != NULL);
}

TEST(config_many_errors_fit_buffer)
{
  struct config c;
  char err[600], text[4000] = "";
  for (int i = 0; i < 50; i++)
    strcat(text, "port = nope\n");
  const char *path = write_file(text);
  config_defaults(&c);
  CHECK(!config_load(&c, path, err, sizeof err));
  CHECK(strlen(err) < sizeof err);
  CHECK(strstr(err, "more") != NULL);
}

TEST(config_set_bool_spellings)
{
  struct config c;
  char err[512];
  config_defaults(&c);
  CHECK(config_set(&c, "load_sample", "off", err, sizeof err));
  CHECK(!c.load_sample);
  CHECK(config_set(&c, "load_sample", "TRUE", err, sizeof err));
  CHECK(c.load_sample);
  CHECK(config_set(&c, "load_sample", "0", err, sizeof err));
  CHECK(!c.load_sample);
}

int
main(void)
{
  atexit(remove_files);
  RUN(config_defaults_match_docs);
  RUN(config_every_key_documented);
  RUN(config_load_good_file);
  RUN(config_load_reports_every_bad_line);
  RUN(config_unknown_key_suggests_nearest);
  RUN(config_number_out_of_range);
  RUN(config_cidr_list_names_bad_range);
  RUN(config_string_too_long);
  RUN(config_long_line_reported);
  RUN(config_missing_file);
  RUN(config_many_errors_fit_buffer);
  RUN(config_set_bool_spellings);
  return TEST_EXIT();
}
