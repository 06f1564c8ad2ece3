/* account/: password rules and hashing, secrets and token format, and
 * login, sessions, throttling and tokens against a fresh SQLite store. */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "account/account.h"
#include "testlib.h"

static char store_path[] = "/tmp/simpul-test-account-XXXXXX";
static struct store *store;

static bool
only_base64url(const char *s)
{
  return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                   "0123456789-_") == strlen(s);
}

TEST(password_check_rules)
{
  struct sp_field_error fe;
  CHECK_INT(account_password_check(NULL, &fe), SP_ERR_REQUIRED);
  CHECK_INT(account_password_check("", &fe), SP_ERR_REQUIRED);
  CHECK_STR(fe.field, "password");
  CHECK_INT(account_password_check("123456789", &fe), SP_ERR_WEAK_PASSWORD);
  CHECK(strstr(fe.detail_en, "at least 10") != NULL);
  CHECK_INT(account_password_check("1234567890", &fe), SP_OK);
  /* ten two-byte characters pass; nine (18 bytes) do not */
  CHECK_INT(account_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
                                   &fe), SP_OK);
  CHECK_INT(account_password_check("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                                   "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", &fe),
            SP_ERR_WEAK_PASSWORD);
  CHECK_INT(account_password_check("abcdefghij\xff", &fe), SP_ERR_BAD_UTF8);
  char long_pw[ACCOUNT_PASSWORD_MAX + 2];
  memset(long_pw, 'a', sizeof long_pw - 1);
  long_pw[sizeof long_pw - 1] = '\0';
  CHECK_INT(account_password_check(long_pw, &fe), SP_ERR_TOO_LONG);
  CHECK_INT(account_password_check("1234567890", NULL), SP_OK);
}

TEST(password_hash_and_verify)
{
  char *a = NULL, *b = NULL;
  CHECK_INT(account_password_hash("correct horse battery", &a), SP_OK);
  CHECK_INT(account_password_hash("correct horse battery", &b), SP_OK);
  if (a == NULL || b == NULL) {
    free(a);
    free(b);
    return;
  }
  CHECK(strncmp(a, "$argon2id$", 10) == 0);
  CHECK(strcmp(a, b) != 0); /* a fresh salt each time */
  CHECK(account_password_verify(a, "correct horse battery"));
  CHECK(account_password_verify(b, "correct horse battery"));
  CHECK(!account_password_verify(a, "correct horse batter"));
  CHECK(!account_password_verify(a, ""));
  CHECK(!account_password_verify(NULL, "correct horse battery"));
  CHECK(!account_password_verify("not a hash", "correct horse battery"));
  free(a);
  free(b);
}

TEST(password_generate_format)
{
  char a[ACCOUNT_GENERATED_PASSWORD_LEN + 1], b[sizeof a];
  account_password_generate(a);
  account_password_generate(b);
  CHECK_INT(strlen(a), ACCOUNT_GENERATED_PASSWORD_LEN);
  CHECK(strcmp(a, b) != 0);
  CHECK(strpbrk(a, "01lIO") == NULL);
  CHECK_INT(account_password_check(a, NULL), SP_OK);
}

TEST(secret_format)
{
  char a[ACCOUNT_SECRET_SIZE], b[ACCOUNT_SECRET_SIZE];
  account_random_secret(a);
  account_random_secret(b);
  CHECK_INT(strlen(a), 43);
  CHECK(only_base64url(a));
  CHECK(strcmp(a, b) != 0);
}

TEST(sha256_hex_vector)
{
  char hex[ACCOUNT_HEX_SIZE];
  account_sha256_hex("abc", hex);
  CHECK_STR(hex,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(token_well_formed_rules)
{
  char ok[ACCOUNT_TOKEN_SIZE];
  char secret[ACCOUNT_SECRET_SIZE];
  account_random_secret(secret);
  snprintf(ok, sizeof ok, "sp_%s", secret);
  CHECK(account_token_well_formed(ok));
  CHECK(!account_token_well_formed(NULL));
  CHECK(!account_token_well_formed(""));
  CHECK(!account_token_well_formed(secret));
  char bad[ACCOUNT_TOKEN_SIZE];
  snprintf(bad, sizeof bad, "%s", ok);
  bad[10] = '/';
  CHECK(!account_token_well_formed(bad));
  bad[10] = ok[10];
  bad[0] = 'x';
  CHECK(!account_token_well_formed(bad));
  CHECK(!account_token_well_formed("sp_short"));
}

TEST(user_check_rules)
{
  struct sp_field_error fe;
  CHECK_INT(account_user_check("budi.santoso", "Budi Santoso", &fe), SP_OK);
  CHECK_INT(account_user_check("", NULL, &fe), SP_ERR_REQUIRED);
  CHECK_INT(account_user_check("budi santoso", NULL, &fe), SP_ERR_BAD_CODE);
  CHECK(strstr(fe.detail_en, "budi santoso") != NULL);
  CHECK_INT(account_user_check("a<b", NULL, &fe), SP_ERR_BAD_CODE);
  char long_name[ACCOUNT_NAME_MAX + 2];
  memset(long_name, 'a', sizeof long_name - 1);
  long_name[sizeof long_name - 1] = '\0';
  CHECK_INT(account_user_check(long_name, NULL, &fe), SP_ERR_TOO_LONG);
  CHECK_INT(account_user_check("budi", "Budi\nSantoso", &fe), SP_ERR_BAD_UTF8);
  CHECK_STR(fe.field, "display_name");
  CHECK_INT(account_user_check("budi", "Budi \xc0\xaf", &fe), SP_ERR_BAD_UTF8);
}

TEST(user_check_fields_all_at_once)
{
  struct sp_field_error errors[3];
  CHECK_INT(account_user_check_fields("budi", "Budi", "budi-password-1",
                                      errors, 3), 0);
  CHECK_INT(account_user_check_fields("bad name", "Bad\nName", "short",
                                      errors, 3), 3);
  CHECK_STR(errors[0].field, "name");
  CHECK_INT(errors[0].err, SP_ERR_BAD_CODE);
  CHECK_STR(errors[1].field, "display_name");
  CHECK_STR(errors[2].field, "password");
  CHECK_INT(errors[2].err, SP_ERR_WEAK_PASSWORD);
  CHECK_INT(account_user_check_fields("", NULL, "budi-password-1", errors,
                                      3), 1);
  CHECK_INT(errors[0].err, SP_ERR_REQUIRED);
  /* never more than `max` */
  CHECK_INT(account_user_check_fields("bad name", "Bad\nName", "short",
                                      errors, 2), 2);
}

static const struct login_policy policy = {
  .max_failures = 3, .max_failures_per_address = 30, .window = 900,
  .session_ttl = 3600};

static void
add_user(const char *name, enum role role, const char *password)
{
  struct sp_field_error fe = {0};
  CHECK_INT(account_user_create(store, name, NULL, role, password, "test",
                                &fe, NULL), SP_OK);
}

TEST(user_create_duplicate)
{
  struct sp_field_error fe = {0};
  add_user("dup", ROLE_STAFF, "password-one");
  CHECK_INT(account_user_create(store, "dup", NULL, ROLE_VIEWER,
                                "password-two", "test", &fe, NULL),
            SP_ERR_DUPLICATE);
  CHECK_STR(fe.field, "name");
  CHECK_INT(account_user_create(store, "weak", NULL, ROLE_VIEWER, "short",
                                "test", &fe, NULL), SP_ERR_WEAK_PASSWORD);
}

TEST(login_starts_session)
{
  struct login_result a, b;
  struct session ses;
  struct user u;
  add_user("siti", ROLE_STAFF, "siti-password-1");
  CHECK_INT(account_login(store, &policy, "siti", "siti-password-1",
                          "10.0.0.1", "en", NULL, &a), SP_OK);
  CHECK_INT(strlen(a.cookie), 43);
  CHECK(only_base64url(a.cookie));
  CHECK_STR(a.user.name, "siti");
  CHECK_STR(a.session.lang, "en");
  CHECK_INT(account_session_find(store, a.cookie, a.session.created_at, 3600,
                                 &ses, &u), SP_OK);
  CHECK_STR(u.name, "siti");
  CHECK_INT(u.role, ROLE_STAFF);
  CHECK(u.last_login_at != 0);
  user_free(&u);

  /* A second login gets a new id and ends the session it came from. */
  CHECK_INT(account_login(store, &policy, "siti", "siti-password-1",
                          "10.0.0.1", NULL, a.session.id_hash, &b), SP_OK);
  CHECK(strcmp(a.cookie, b.cookie) != 0);
  CHECK(strcmp(a.session.id_hash, b.session.id_hash) != 0);
  CHECK_INT(account_session_find(store, a.cookie, a.session.created_at, 3600,
                                 &ses, &u), SP_ERR_UNAUTHORIZED);
  CHECK_INT(account_session_find(store, b.cookie, b.session.created_at, 3600,
                                 &ses, &u), SP_OK);
  user_free(&u);

  CHECK_INT(account_logout(store, b.session.id_hash), SP_OK);
  CHECK_INT(account_session_find(store, b.cookie, b.session.created_at, 3600,
                                 &ses, &u), SP_ERR_UNAUTHORIZED);
  user_free(&a.user);
  user_free(&b.user);
}

TEST(session_expires_and_renews)
{
  struct login_result r;
  struct session ses;
  struct user u;
  add_user("expiry", ROLE_VIEWER, "expiry-password");
  CHECK_INT(account_login(store, &policy, "expiry", "expiry-password",
                          "10.0.0.2", NULL, NULL, &r), SP_OK);
  int64_t t0 = r.session.created_at;
  /* renewed after a minute: the expiry moves to that time + ttl */
  CHECK_INT(account_session_find(store, r.cookie, t0 + 120, 3600, &ses, &u),
            SP_OK);
  CHECK_INT(ses.expires_at, t0 + 120 + 3600);
  user_free(&u);
  CHECK_INT(account_session_find(store, r.cookie, t0 + 120 + 3600, 3600, &ses,
                                 &u), SP_ERR_UNAUTHORIZED);
  CHECK_INT(account_session_find(store, "not-a-cookie", t0, 3600, &ses, &u),
            SP_ERR_UNAUTHORIZED);
  user_free(&r.user);
}

TEST(login_wrong_password_fails)
{
  struct login_result r;
  add_user("agus", ROLE_VIEWER, "agus-password-1");
  CHECK_INT(account_login(store, &policy, "agus", "wrong-password",
                          "10.0.1.1", NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_login(store, &policy, "nobody", "agus-password-1",
                          "10.0.1.1", NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK(r.user.name == NULL);
}

TEST(throttle_delay_doubles)
{
  CHECK_INT(account_throttle_delay(0, 3, 900), 0);
  CHECK_INT(account_throttle_delay(2, 3, 900), 0);
  CHECK_INT(account_throttle_delay(3, 3, 900), 2);
  CHECK_INT(account_throttle_delay(4, 3, 900), 4);
  CHECK_INT(account_throttle_delay(5, 3, 900), 8);
  CHECK_INT(account_throttle_delay(12, 3, 900), 900);
  CHECK_INT(account_throttle_delay(1000000, 3, 900), 900);
  CHECK_INT(account_throttle_delay(5, 3, 5), 5);
}

/* Records `n` failures of `key` at `at`, as failed attempts at that time
 * would have. */
static void
add_failures(const char *key, int n, int64_t at)
{
  for (int i = 0; i < n; i++) {
    int64_t count = 0;
    CHECK_INT(store->ops->throttle_fail(store, key, at, at - 900, &count),
              STORE_OK);
  }
}

static int64_t
failures_of(const char *key)
{
  int64_t count = -1;
  CHECK_INT(store->ops->throttle_count(store, key, 0, &count), STORE_OK);
  return count;
}

TEST(login_throttled_per_user)
{
  struct login_result r;
  add_user("dewi", ROLE_VIEWER, "dewi-password-1");
  for (int i = 0; i < 3; i++)
    CHECK_INT(account_login(store, &policy, "dewi", "bad-password",
                            i == 0 ? "10.0.2.1" : "10.0.2.2", NULL, NULL, &r),
              SP_ERR_BAD_LOGIN);
  /* refused at once even with the right password, from another address
   * too, for a little over two seconds */
  CHECK_INT(account_login(store, &policy, "dewi", "dewi-password-1",
                          "10.0.2.3", NULL, NULL, &r), SP_ERR_THROTTLED);
  CHECK(r.retry_after >= 2);
  CHECK(r.retry_after <= 3);
}

TEST(login_wait_grows_then_passes)
{
  struct login_result r;
  int64_t now = (int64_t)time(NULL);
  add_user("wati", ROLE_VIEWER, "wati-password-1");

  /* five failures want 8 s after the newest; 10 s have passed */
  add_failures("user:wati", 5, now - 10);
  CHECK_INT(account_login(store, &policy, "wati", "wati-password-1",
                          "10.0.8.1", NULL, NULL, &r), SP_OK);
  user_free(&r.user);
  CHECK_INT(failures_of("user:wati"), 0);

  /* the newest of five failures was 5 s ago: 4 s left of the 8 */
  add_failures("user:wati", 4, now - 100);
  add_failures("user:wati", 1, now - 5);
  CHECK_INT(account_login(store, &policy, "wati", "wati-password-1",
                          "10.0.8.1", NULL, NULL, &r), SP_ERR_THROTTLED);
  CHECK(r.retry_after >= 3);
  CHECK(r.retry_after <= 4);
  CHECK_INT(failures_of("user:wati"), 5); /* a refused attempt is no guess */
  CHECK_INT(store->ops->throttle_clear(store, "user:wati"), STORE_OK);

  /* three failures 3 s ago waited their 2 s; one more wrong password
   * makes the next attempt wait 4 s */
  add_failures("user:wati", 3, now - 3);
  CHECK_INT(account_login(store, &policy, "wati", "bad-password",
                          "10.0.8.1", NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_login(store, &policy, "wati", "wati-password-1",
                          "10.0.8.1", NULL, NULL, &r), SP_ERR_THROTTLED);
  CHECK(r.retry_after >= 4);
  CHECK(r.retry_after <= 5);
  CHECK_INT(store->ops->throttle_clear(store, "user:wati"), STORE_OK);

  /* many failures: the wait is capped at the window */
  add_failures("user:wati", 20, now - 100);
  CHECK_INT(account_login(store, &policy, "wati", "wati-password-1",
                          "10.0.8.1", NULL, NULL, &r), SP_ERR_THROTTLED);
  CHECK(r.retry_after >= 800);
  CHECK(r.retry_after <= 801);
  CHECK_INT(store->ops->throttle_clear(store, "user:wati"), STORE_OK);
}

TEST(login_throttled_per_address)
{
  struct login_result r;
  add_user("eko", ROLE_VIEWER, "eko-password-1");
  /* one person's typos at the limit of an account do not stop others
   * behind the same address */
  CHECK_INT(account_login(store, &policy, "x1", "bad-password-1", "10.0.3.1",
                          NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_login(store, &policy, "x2", "bad-password-1", "10.0.3.1",
                          NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_login(store, &policy, "x3", "bad-password-1", "10.0.3.1",
                          NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_login(store, &policy, "eko", "eko-password-1",
                          "10.0.3.1", NULL, NULL, &r), SP_OK);
  user_free(&r.user);
  /* at the address's own limit, every account from it waits */
  add_failures("addr:10.0.3.1", 27, (int64_t)time(NULL));
  CHECK_INT(account_login(store, &policy, "eko", "eko-password-1",
                          "10.0.3.1", NULL, NULL, &r), SP_ERR_THROTTLED);
  CHECK(r.retry_after >= 2);
  CHECK(r.retry_after <= 3);
  CHECK_INT(account_login(store, &policy, "eko", "eko-password-1",
                          "10.0.3.2", NULL, NULL, &r), SP_OK);
  user_free(&r.user);
}

TEST(login_success_clears_user_failures)
{
  struct login_result r;
  add_user("fajar", ROLE_VIEWER, "fajar-password");
  for (int i = 0; i < 2; i++)
    CHECK_INT(account_login(store, &policy, "fajar", "bad-password",
                            "10.0.4.1", NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_login(store, &policy, "fajar", "fajar-password",
                          "10.0.4.1", NULL, NULL, &r), SP_OK);
  user_free(&r.user);
  CHECK_INT(failures_of("user:fajar"), 0);
  CHECK_INT(failures_of("addr:10.0.4.1"), 2);
  for (int i = 0; i < 2; i++)
    CHECK_INT(account_login(store, &policy, "fajar", "bad-password",
                            "10.0.4.3", NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_login(store, &policy, "fajar", "fajar-password",
                          "10.0.4.4", NULL, NULL, &r), SP_OK);
  user_free(&r.user);
}

TEST(disabled_user_cannot_log_in)
{
  struct login_result r;
  struct session ses;
  struct user u;
  add_user("gita", ROLE_STAFF, "gita-password-1");
  CHECK_INT(account_login(store, &policy, "gita", "gita-password-1",
                          "10.0.5.1", NULL, NULL, &r), SP_OK);
  CHECK_INT(account_user_set_disabled(store, "gita", true, "test"), SP_OK);
  CHECK_INT(account_session_find(store, r.cookie, r.session.created_at, 3600,
                                 &ses, &u), SP_ERR_UNAUTHORIZED);
  user_free(&r.user);
  CHECK_INT(account_login(store, &policy, "gita", "gita-password-1",
                          "10.0.5.1", NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_user_set_disabled(store, "gita", false, "test"), SP_OK);
  CHECK_INT(account_login(store, &policy, "gita", "gita-password-1",
                          "10.0.5.1", NULL, NULL, &r), SP_OK);
  user_free(&r.user);
  CHECK_INT(account_user_set_disabled(store, "nobody", true, "test"),
            SP_ERR_NOT_FOUND);
}

TEST(set_password_and_role)
{
  struct login_result r;
  struct session ses;
  struct user u;
  add_user("hadi", ROLE_VIEWER, "hadi-password-1");
  CHECK_INT(account_login(store, &policy, "hadi", "hadi-password-1",
                          "10.0.6.1", NULL, NULL, &r), SP_OK);
  CHECK_INT(account_user_set_password(store, "hadi", "short", "test", NULL),
            SP_ERR_WEAK_PASSWORD);
  CHECK_INT(account_user_set_password(store, "hadi", "hadi-password-2",
                                      "test", NULL), SP_OK);
  CHECK_INT(account_session_find(store, r.cookie, r.session.created_at, 3600,
                                 &ses, &u), SP_ERR_UNAUTHORIZED);
  user_free(&r.user);
  CHECK_INT(account_login(store, &policy, "hadi", "hadi-password-1",
                          "10.0.6.1", NULL, NULL, &r), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_login(store, &policy, "hadi", "hadi-password-2",
                          "10.0.6.1", NULL, NULL, &r), SP_OK);
  CHECK_INT(r.user.role, ROLE_VIEWER);
  user_free(&r.user);
  CHECK_INT(account_user_set_role(store, "hadi", ROLE_ADMIN, "test"), SP_OK);
  CHECK_INT(account_login(store, &policy, "hadi", "hadi-password-2",
                          "10.0.6.1", NULL, NULL, &r), SP_OK);
  CHECK_INT(r.user.role, ROLE_ADMIN);
  user_free(&r.user);
}

TEST(change_own_password)
{
  struct login_result r;
  struct sp_field_error fe = {0};
  int wait = -1;
  add_user("indah", ROLE_VIEWER, "indah-password-1");
  CHECK_INT(account_user_change_password(store, &policy, "indah",
                                         "wrong-password", "indah-password-2",
                                         &fe, &wait), SP_ERR_BAD_LOGIN);
  CHECK_STR(fe.field, "current");
  CHECK_INT(wait, 0);
  CHECK_INT(account_user_change_password(store, &policy, "indah",
                                         "indah-password-1", "short", &fe,
                                         NULL), SP_ERR_WEAK_PASSWORD);
  CHECK_INT(account_user_change_password(store, &policy, "nobody",
                                         "x-password-1", "indah-password-2",
                                         &fe, NULL), SP_ERR_NOT_FOUND);
  CHECK_INT(account_user_change_password(store, &policy, "indah",
                                         "indah-password-1",
                                         "indah-password-2", &fe, NULL),
            SP_OK);
  CHECK_INT(failures_of("password:indah"), 0);
  CHECK_INT(account_login(store, &policy, "indah", "indah-password-2",
                          "10.0.7.1", NULL, NULL, &r), SP_OK);
  user_free(&r.user);
}

TEST(change_password_throttled)
{
  struct sp_field_error fe = {0};
  int wait = 0;
  add_user("joko", ROLE_VIEWER, "joko-password-1");
  for (int i = 0; i < 3; i++)
    CHECK_INT(account_user_change_password(store, &policy, "joko",
                                           "wrong-password", "joko-password-2",
                                           &fe, &wait), SP_ERR_BAD_LOGIN);
  CHECK_INT(account_user_change_password(store, &policy, "joko",
                                         "joko-password-1", "joko-password-2",
                                         &fe, &wait), SP_ERR_THROTTLED);
  CHECK_STR(fe.field, "current");
  CHECK(wait >= 2);
  CHECK(wait <= 3);
  CHECK(strstr(fe.detail_en, "seconds") != NULL);
  /* the login key is separate: the account still logs in */
  struct login_result r;
  CHECK_INT(account_login(store, &policy, "joko", "joko-password-1",
                          "10.0.9.1", NULL, NULL, &r), SP_OK);
  user_free(&r.user);
  /* once the wait is over the right password changes it */
  CHECK_INT(store->ops->throttle_clear(store, "password:joko"), STORE_OK);
  add_failures("password:joko", 3, (int64_t)time(NULL) - 3);
  CHECK_INT(account_user_change_password(store, &policy, "joko",
                                         "joko-password-1", "joko-password-2",
                                         &fe, &wait), SP_OK);
  CHECK_INT(failures_of("password:joko"), 0);
}

TEST(token_create_find_revoke)
{
  char token[ACCOUNT_TOKEN_SIZE];
  struct api_token t = {0}, found = {0};
  struct user u = {0};
  struct sp_field_error fe = {0};
  add_user("script", ROLE_STAFF, "script-password");
  CHECK_INT(account_token_create(store, "script", "import job", "test", token,
                                 &t, &fe), SP_OK);
  CHECK_INT(strlen(token), 46);
  CHECK(strncmp(token, "sp_", 3) == 0);
  CHECK(only_base64url(token + 3));
  CHECK(account_token_well_formed(token));
  CHECK(strncmp(t.prefix, token, 12) == 0);
  CHECK_INT(strlen(t.prefix), 12);
  char hex[ACCOUNT_HEX_SIZE];
  account_sha256_hex(token, hex);
  CHECK_STR(t.hash, hex);

  CHECK_INT(account_token_find(store, token, t.created_at, &found, &u), SP_OK);
  CHECK_STR(u.name, "script");
  CHECK_STR(found.name, "import job");
  user_free(&u);
  api_token_free(&found);

  char wrong[ACCOUNT_TOKEN_SIZE];
  snprintf(wrong, sizeof wrong, "%s", token);
  wrong[20] = wrong[20] == 'A' ? 'B' : 'A';
  CHECK_INT(account_token_find(store, wrong, t.created_at, &found, &u),
            SP_ERR_UNAUTHORIZED);

  CHECK_INT(account_token_revoke(store, t.id, "test"), SP_OK);
  CHECK_INT(account_token_find(store, token, t.created_at, &found, &u),
            SP_ERR_UNAUTHORIZED);
  CHECK_INT(account_token_revoke(store, 999999, "test"), SP_ERR_NOT_FOUND);
  api_token_free(&t);
}

TEST(token_refused_for_bad_input)
{
  char token[ACCOUNT_TOKEN_SIZE];
  struct sp_field_error fe = {0};
  CHECK_INT(account_token_create(store, "nobody", "x", "test", token, NULL,
                                 &fe), SP_ERR_NOT_FOUND);
  CHECK_STR(fe.field, "user");
  CHECK_INT(account_token_create(store, "script", "", "test", token, NULL,
                                 &fe), SP_ERR_REQUIRED);
  CHECK_INT(account_token_create(store, "script", "a\nb", "test", token, NULL,
                                 &fe), SP_ERR_BAD_UTF8);
}

TEST(token_of_disabled_user_refused)
{
  char token[ACCOUNT_TOKEN_SIZE];
  struct api_token t = {0}, found = {0};
  struct user u = {0};
  add_user("bot", ROLE_VIEWER, "bot-password-1");
  CHECK_INT(account_token_create(store, "bot", "reader", "test", token, &t,
                                 NULL), SP_OK);
  CHECK_INT(account_user_set_disabled(store, "bot", true, "test"), SP_OK);
  CHECK_INT(account_token_find(store, token, t.created_at, &found, &u),
            SP_ERR_UNAUTHORIZED);
  api_token_free(&t);
}

int
main(void)
{
  char err[512];
  int fd = mkstemp(store_path);
  if (fd < 0 || !account_init(2)) {
    fprintf(stderr, "cannot prepare the test store\n");
    return 1;
  }
  close(fd);
  store = store_open(store_path, err, sizeof err);
  int version = 0;
  if (store == NULL || store->ops->migrate(store, &version) != STORE_OK) {
    fprintf(stderr, "cannot open the test store: %s\n",
                store ? store_errmsg(store) : err);
    unlink(store_path);
    return 1;
  }
  RUN(password_check_rules);
  RUN(password_hash_and_verify);
  RUN(password_generate_format);
  RUN(secret_format);
  RUN(sha256_hex_vector);
  RUN(token_well_formed_rules);
  RUN(user_check_rules);
  RUN(user_check_fields_all_at_once);
  RUN(user_create_duplicate);
  RUN(login_starts_session);
  RUN(session_expires_and_renews);
  RUN(login_wrong_password_fails);
  RUN(throttle_delay_doubles);
  RUN(login_throttled_per_user);
  RUN(login_wait_grows_then_passes);
  RUN(login_throttled_per_address);
  RUN(login_success_clears_user_failures);
  RUN(disabled_user_cannot_log_in);
  RUN(set_password_and_role);
  RUN(change_own_password);
  RUN(change_password_throttled);
  RUN(token_create_find_revoke);
  RUN(token_refused_for_bad_input);
  RUN(token_of_disabled_user_refused);
  store_close(store);
  char side[sizeof store_path + 8];
  unlink(store_path);
  snprintf(side, sizeof side, "%s-wal", store_path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", store_path);
  unlink(side);
  return TEST_EXIT();
}
