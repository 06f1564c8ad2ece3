/* Password hashing with argon2id, bounded in how many run at once, and the
 * random secrets accounts hand out (session ids, API tokens, passwords). */
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "account/account.h"
#include "account/internal.h"
#include "core/log.h"

/* Cost: libsodium's INTERACTIVE limits (argon2id, t=2, 64 MiB). One hash
 * took 84 ms, and MODERATE (t=3, 256 MiB) 522 ms, measured with libsodium
 * 1.0.18 on a 2-core AMD EPYC virtual machine (a -O2 test program, five
 * hashes each). INTERACTIVE keeps a login well under a second, and its
 * memory cost still makes guessing on GPUs expensive. With the default
 * pwhash_concurrency of 2, a node needs at most 128 MiB for hashing. */
#define PWHASH_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PWHASH_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

/* A valid argon2id string with the same cost as real hashes, made from a
 * random password that was then discarded. Verifying against it makes a login for an unknown
 * user cost what a wrong password costs. */
static const char decoy_hash[] =
  "$argon2id$v=19$m=65536,t=2,p=1$yVXcFS2JCKTOkRrVcbuoMA$"
  "eDzdQBx8bEz3HY3whH0klOwsMPngbAKyyiaqnB3w+O8";

/* A counting semaphore built on a mutex and a condition variable, so that
 * account_init can set its size at any time before the first hash. */
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_free = PTHREAD_COND_INITIALIZER;
static int slots_limit = 2;
static int slots_used;

bool
account_init(int pwhash_concurrency)
{
  if (sodium_init() < 0) {
    log_event(LOG_ERROR, "account.init_failed", "reason",
              "libsodium could not initialise", NULL);
    return false;
  }
  pthread_mutex_lock(&slots_lock);
  slots_limit = pwhash_concurrency < 1 ? 1 : pwhash_concurrency;
  pthread_mutex_unlock(&slots_lock);
  return true;
}

static void
slot_acquire(void)
{
  pthread_mutex_lock(&slots_lock);
  while (slots_used >= slots_limit)
    pthread_cond_wait(&slots_free, &slots_lock);
  slots_used++;
  pthread_mutex_unlock(&slots_lock);
}

static void
slot_release(void)
{
  pthread_mutex_lock(&slots_lock);
  slots_used--;
  pthread_cond_signal(&slots_free);
  pthread_mutex_unlock(&slots_lock);
}

long
account_utf8_count(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  long count = 0;

  while (*p) {
    size_t len;
    uint32_t min;
    if (*p < 0x80) {
      len = 1;
      min = 0;
    } else if ((*p & 0xe0) == 0xc0) {
      len = 2;
      min = 0x80;
    } else if ((*p & 0xf0) == 0xe0) {
      len = 3;
      min = 0x800;
    } else if ((*p & 0xf8) == 0xf0) {
      len = 4;
      min = 0x10000;
    } else {
      return -1;
    }
    uint32_t cp = len == 1 ? *p : (uint32_t)(*p & (0x7f >> len));
    for (size_t i = 1; i < len; i++) {
      if ((p[i] & 0xc0) != 0x80)
        return -1;
      cp = (cp << 6) | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return -1;
    p += len;
    count++;
  }
  return count;
}

enum sp_err
account_password_check(const char *password, struct sp_field_error *fe)
{
  struct sp_field_error scratch;
  if (fe == NULL)
    fe = &scratch;

  if (password == NULL || password[0] == '\0') {
    sp_field_error_set(fe, SP_ERR_REQUIRED, "password",
                       "Kata sandi wajib diisi; pakai minimal %d karakter.",
                       "The password is missing; use at least %d characters.",
                       ACCOUNT_PASSWORD_MIN);
    return fe->err;
  }
  size_t bytes = strlen(password);
  if (bytes > ACCOUNT_PASSWORD_MAX) {
    sp_field_error_set(fe, SP_ERR_TOO_LONG, "password",
                       "Kata sandi %zu byte; pakai paling banyak %d byte.",
                       "The password is %zu bytes; use at most %d bytes.",
                       bytes, ACCOUNT_PASSWORD_MAX);
    return fe->err;
  }
  long chars = account_utf8_count(password);
  if (chars < 0) {
    sp_field_error_set(fe, SP_ERR_BAD_UTF8, "password",
                       "Kata sandi bukan UTF-8 yang valid; ketik ulang.",
                       "The password is not valid UTF-8; type it again.");
    return fe->err;
  }
  if (chars < ACCOUNT_PASSWORD_MIN) {
    sp_field_error_set(fe, SP_ERR_WEAK_PASSWORD, "password",
                       "Kata sandi hanya %ld karakter; pakai minimal %d "
                       "karakter, misalnya beberapa kata acak.",
                       "The password has only %ld characters; use at least "
                       "%d, for example a few random words.",
                       chars, ACCOUNT_PASSWORD_MIN);
    return fe->err;
  }
  return SP_OK;
}

enum sp_err
account_password_hash(const char *password, char **hash)
{
  char *out = malloc(crypto_pwhash_STRBYTES);
  *hash = NULL;
  if (out == NULL)
    return SP_ERR_NOMEM;
  slot_acquire();
  int rc = crypto_pwhash_str(out, password, strlen(password), PWHASH_OPSLIMIT,
                             PWHASH_MEMLIMIT);
  slot_release();
  if (rc != 0) {
    /* libsodium documents this failure as usually the system refusing the
     * memory the hash needs. */
    log_event(LOG_ERROR, "account.hash_failed", "reason",
              "argon2id could not allocate its memory", NULL);
    free(out);
    return SP_ERR_NOMEM;
  }
  *hash = out;
  return SP_OK;
}

bool
account_password_verify(const char *hash, const char *password)
{
  bool decoy = hash == NULL || strncmp(hash, "$argon2id$", 10) != 0;
  if (password == NULL)
    password = "";
  slot_acquire();
  int rc = crypto_pwhash_str_verify(decoy ? decoy_hash : hash, password,
                                    strlen(password));
  slot_release();
  return !decoy && rc == 0;
}

void
account_password_generate(char out[ACCOUNT_GENERATED_PASSWORD_LEN + 1])
{
  /* No 0/O, 1/l/I: the password may be read aloud or copied by hand. */
  static const char alphabet[] =
    "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  for (int i = 0; i < ACCOUNT_GENERATED_PASSWORD_LEN; i++)
    out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
  out[ACCOUNT_GENERATED_PASSWORD_LEN] = '\0';
}

void
account_random_secret(char out[ACCOUNT_SECRET_SIZE])
{
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  sodium_bin2base64(out, ACCOUNT_SECRET_SIZE, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
}

void
account_sha256_hex(const char *text, char out[ACCOUNT_HEX_SIZE])
{
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, (const unsigned char *)text, strlen(text));
  sodium_bin2hex(out, ACCOUNT_HEX_SIZE, digest, sizeof digest);
}
