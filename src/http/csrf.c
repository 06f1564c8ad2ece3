/* CSRF tokens: HMAC-SHA256 under a 32-byte key that every node of a
 * deployment reads from the same key file, so a form served by one node is
 * accepted by another. The key never leaves this file's memory and is
 * never logged. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "http/internal.h"

#define KEY_BYTES crypto_auth_hmacsha256_KEYBYTES

static unsigned char csrf_key[KEY_BYTES];

/* Creates the folders leading to `path`, like mkdir -p on its dirname. */
static void
make_parent_dirs(const char *path)
{
  char dir[1024];
  snprintf(dir, sizeof dir, "%s", path);
  for (char *p = dir + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    mkdir(dir, 0700);
    *p = '/';
  }
}

/* Writes a new random key to a temporary file and links it to `path`.
 * Because link() fails when the path exists, two nodes starting at once
 * keep one key, and no reader sees a half-written file. */
static bool
create_key(const char *path, char *err, size_t errlen)
{
  unsigned char key[KEY_BYTES];
  char tmp[1100];

  make_parent_dirs(path);
  snprintf(tmp, sizeof tmp, "%s.new.%ld", path, (long)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    snprintf(err, errlen, "cannot create the key file '%s': %s; set key_file "
             "to a writable path", path, strerror(errno));
    return false;
  }
  randombytes_buf(key, sizeof key);
  bool written = write(fd, key, sizeof key) == (ssize_t)sizeof key &&
                 fsync(fd) == 0;
  int write_errno = errno;
  sodium_memzero(key, sizeof key);
  close(fd);
  bool ok = written;
  if (!written) {
    snprintf(err, errlen, "cannot write the key file '%s': %s", tmp,
             strerror(write_errno));
  } else if (link(tmp, path) == 0) {
    log_event(LOG_INFO, "csrf.key_created", "path", path, NULL);
  } else if (errno != EEXIST) {
    snprintf(err, errlen, "cannot create the key file '%s': %s", path,
             strerror(errno));
    ok = false;
  }
  unlink(tmp);
  return ok;
}

bool
http_csrf_load_key(const char *path, char *err, size_t errlen)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    if (!create_key(path, err, errlen))
      return false;
    fd = open(path, O_RDONLY | O_CLOEXEC);
  }
  if (fd < 0) {
    snprintf(err, errlen, "cannot read the key file '%s': %s", path,
             strerror(errno));
    return false;
  }
  struct stat st;
  ssize_t n = -1;
  if (fstat(fd, &st) == 0 && st.st_size == KEY_BYTES)
    n = read(fd, csrf_key, sizeof csrf_key);
  close(fd);
  if (n != KEY_BYTES) {
    snprintf(err, errlen, "the key file '%s' must hold exactly %d random "
             "bytes; copy it from another node, or delete it to have a new "
             "one made (forms open in browsers then need a reload)", path,
             (int)KEY_BYTES);
    return false;
  }
  if ((st.st_mode & 077) != 0)
    log_event(LOG_WARN, "csrf.key_readable", "path", path, "fix",
              "chmod 600 the key file", NULL);
  return true;
}

void
http_csrf_compute(const char *purpose, const char *value,
                  char out[ACCOUNT_HEX_SIZE])
{
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;

  crypto_auth_hmacsha256_init(&st, csrf_key, sizeof csrf_key);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)purpose,
                                strlen(purpose));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)value,
                                strlen(value));
  crypto_auth_hmacsha256_final(&st, mac);
  sodium_bin2hex(out, ACCOUNT_HEX_SIZE, mac, sizeof mac);
}

bool
http_csrf_equal(const char *expected, const char *given)
{
  size_t len = ACCOUNT_HEX_SIZE - 1;
  if (given == NULL || strlen(given) != len || strlen(expected) != len)
    return false;
  return sodium_memcmp(expected, given, len) == 0;
}
