/* Examination checks on canned responses, the shipped signature and
 * finding files, and the errors their loaders report for bad files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "examine/checks.h"
#include "examine/findings.h"
#include "examine/signatures.h"
#include "testlib.h"

#define FINDINGS_FILE "data/examine/findings.json"
#define SIGNATURES_FILE "data/examine/signatures.json"

static struct finding_table findings;
static struct signatures sig;

/* ---- canned responses ---- */

#define H(name, value) {(char *)(name), (char *)(value)}

/* A response of one hop; `headers` must live as long as the result. */
static struct probe_result
response(const char *url, int status, struct probe_header *headers,
         size_t header_count, const char *body)
{
  struct probe_hop *hop = calloc(1, sizeof *hop);
  *hop = (struct probe_hop){.url = (char *)url, .status = status,
                            .headers = headers,
                            .header_count = header_count};
  return (struct probe_result){
    .url = (char *)url, .ok = true, .verified = true, .hops = hop,
    .hop_count = 1, .body = (char *)body,
    .body_len = body ? strlen(body) : 0,
  };
}

static struct probe_result
failure(const char *url, enum probe_error error, const char *text)
{
  struct probe_result r = {.url = (char *)url, .error = error};
  snprintf(r.error_text, sizeof r.error_text, "%s", text);
  return r;
}

static void
drop(struct probe_result *r)
{
  free(r->hops);
}

static struct check_input
input(void)
{
  return (struct check_input){.now = 1800000000, .findings = &findings,
                              .sig = &sig};
}

static size_t
count_id(const struct check_findings *f, const char *id)
{
  size_t n = 0;
  for (size_t i = 0; i < f->count; i++)
    n += strcmp(f->items[i].id, id) == 0;
  return n;
}

static const char *
evidence_of(const struct check_findings *f, const char *id)
{
  for (size_t i = 0; i < f->count; i++)
    if (strcmp(f->items[i].id, id) == 0)
      return f->items[i].evidence;
  return NULL;
}

/* ---- shipped data ---- */

TEST(shipped_data_loads)
{
  CHECK(findings.count >= finding_builtin_count);
  CHECK(finding_table_find(&findings, "exposed-git") != NULL);
  CHECK_STR(finding_table_find(&findings, "exposed-git")->severity,
            "critical");
  CHECK(sig.leak_count > 0);
  CHECK(sig.probe_count > 0);
  CHECK(sig.product_count >= 5);
  bool has_git = false, has_root = false;
  for (size_t i = 0; i < sig.path_count; i++) {
    has_git = has_git || strcmp(sig.paths[i], "/.git/HEAD") == 0;
    has_root = has_root || strcmp(sig.paths[i], "/") == 0;
  }
  CHECK(has_git);
  CHECK(!has_root);
  static const char *const products[] = {"WordPress", "Joomla", "Drupal",
                                         "Laravel", "CodeIgniter"};
  for (size_t k = 0; k < 5; k++) {
    bool found = false;
    for (size_t i = 0; i < sig.product_count; i++)
      found = found || strcmp(sig.products[i].name, products[k]) == 0;
    CHECK(found);
  }
}

TEST(version_compare)
{
  CHECK(sig_version_compare("5.6.40", "8.2") < 0);
  CHECK(sig_version_compare("8.2", "8.2") == 0);
  CHECK(sig_version_compare("8.2.0", "8.2") == 0);
  CHECK(sig_version_compare("8.10", "8.2") > 0);
  CHECK(sig_version_compare("10", "9.4") > 0);
  CHECK(sig_version_compare("2.2.34", "2.4") < 0);
}

/* ---- outcome and availability ---- */

TEST(outcome_by_response)
{
  struct probe_result ok = response("https://a.test/", 200, NULL, 0, "");
  struct probe_result forbidden = response("https://a.test/", 403, NULL, 0,
                                           "");
  struct probe_result error = response("https://a.test/", 500, NULL, 0, "");
  struct probe_result missing = response("https://a.test/", 404, NULL, 0,
                                         "");
  struct probe_result timeout = failure("https://a.test/", PROBE_TIMEOUT,
                                        "timed out");
  struct probe_result refused = failure("https://a.test/", PROBE_REFUSED,
                                        "rejected");
  struct probe_result dns = failure("https://a.test/", PROBE_DNS, "no name");
  CHECK_STR(checks_outcome(&ok), "ok");
  CHECK_STR(checks_outcome(&forbidden), "ok");
  CHECK_STR(checks_outcome(&error), "http-error");
  CHECK_STR(checks_outcome(&missing), "http-error");
  CHECK_STR(checks_outcome(&timeout), "timeout");
  CHECK_STR(checks_outcome(&refused), "refused");
  CHECK_STR(checks_outcome(&dns), "unreachable");
  CHECK_STR(checks_outcome(NULL), "not-examinable");
  ok.redirect_loop = true;
  CHECK_STR(checks_outcome(&ok), "http-error");
  CHECK(checks_status_graded(302));
  CHECK(checks_status_graded(401));
  CHECK(!checks_status_graded(404));
  CHECK(!checks_status_graded(199));
  drop(&ok);
  drop(&forbidden);
  drop(&error);
  drop(&missing);
}

TEST(availability_findings)
{
  struct check_input in = input();
  struct check_findings f = {0};
  struct probe_result error = response("https://a.test/", 502, NULL, 0, "");
  in.avail = &error;
  check_availability(&in, &f);
  CHECK_INT(count_id(&f, "http-error"), 1);
  CHECK(strstr(evidence_of(&f, "http-error"), "502") != NULL);
  check_findings_free(&f);

  struct probe_result refused = failure("http://r.test/", PROBE_REFUSED, "x");
  snprintf(refused.refused_address, sizeof refused.refused_address,
           "169.254.169.254");
  refused.refused_class = "metadata";
  in.avail = &refused;
  check_availability(&in, &f);
  CHECK_INT(count_id(&f, "address-refused"), 1);
  CHECK_INT(count_id(&f, "unreachable"), 0);
  CHECK(strstr(evidence_of(&f, "address-refused"), "metadata") != NULL);
  check_findings_free(&f);

  struct probe_result timeout = failure("http://t.test/", PROBE_TIMEOUT,
                                        "Operation timed out");
  in.avail = &timeout;
  check_availability(&in, &f);
  CHECK_INT(count_id(&f, "timeout"), 1);
  check_findings_free(&f);
  drop(&error);
}

TEST(https_findings)
{
  struct check_input in = input();
  struct check_findings f = {0};
  struct probe_result http = response("http://a.test/", 200, NULL, 0, "");
  struct probe_result https = failure("https://a.test/", PROBE_CONNECT,
                                      "Couldn't connect");
  in.http = &http;
  in.https = &https;
  check_https(&in, &f);
  CHECK_INT(count_id(&f, "no-https"), 1);
  CHECK_INT(count_id(&f, "no-https-redirect"), 0);
  check_findings_free(&f);

  struct probe_result https_ok = response("https://a.test/", 200, NULL, 0,
                                          "");
  in.https = &https_ok;
  check_https(&in, &f);
  CHECK_INT(count_id(&f, "no-https"), 0);
  CHECK_INT(count_id(&f, "no-https-redirect"), 1);
  check_findings_free(&f);

  struct probe_result down = response("https://a.test/", 200, NULL, 0, "");
  down.hops[0].url = (char *)"http://a.test/";
  in.https = &down;
  check_https(&in, &f);
  CHECK_INT(count_id(&f, "https-downgrade"), 1);
  check_findings_free(&f);
  drop(&http);
  drop(&https_ok);
  drop(&down);
}

TEST(tls_findings)
{
  struct check_input in = input();
  struct check_findings f = {0};
  struct probe_result r = response("https://a.test/", 200, NULL, 0, "");
  r.tls = (struct tls_facts){.seen = true, .protocol = "TLSv1.3",
                             .issuer = "CN=Test CA",
                             .not_before = in.now - 86400,
                             .not_after = in.now + 400 * 86400};
  in.https = &r;
  check_tls(&in, &f);
  CHECK_INT(f.count, 0);

  r.tls.not_after = in.now + 10 * 86400;
  check_tls(&in, &f);
  CHECK_INT(count_id(&f, "tls-cert-expiring"), 1);
  check_findings_free(&f);

  r.tls.not_after = in.now - 86400;
  r.verified = false;
  r.cert_problem = TLS_CERT_EXPIRED;
  check_tls(&in, &f);
  CHECK_INT(count_id(&f, "tls-cert-expired"), 1);
  CHECK_INT(count_id(&f, "tls-cert-expiring"), 0);
  check_findings_free(&f);

  r.tls.not_after = in.now + 400 * 86400;
  r.cert_problem = TLS_CERT_UNTRUSTED;
  check_tls(&in, &f);
  CHECK_INT(count_id(&f, "tls-cert-untrusted"), 1);
  CHECK_INT(count_id(&f, "tls-cert-expired"), 0);
  check_findings_free(&f);

  r.cert_problem = TLS_CERT_NAME_MISMATCH;
  snprintf(r.tls.protocol, sizeof r.tls.protocol, "TLSv1.1");
  check_tls(&in, &f);
  CHECK_INT(count_id(&f, "tls-cert-name-mismatch"), 1);
  CHECK_INT(count_id(&f, "tls-protocol-old"), 1);
  check_findings_free(&f);
  drop(&r);
}

/* ---- leaks and end of life ---- */

TEST(version_leaks)
{
  struct probe_header h[] = {
    H("Server", "Apache/2.2.34 (Unix) OpenSSL/1.0.2k PHP/5.4.1"),
    H("X-Powered-By", "PHP/8.3.1"),
    H("X-AspNet-Version", "4.0.30319"),
  };
  struct probe_result r = response("https://a.test/", 200, h, 3, "");
  struct check_input in = input();
  struct check_findings f = {0};
  in.main = &r;
  check_leaks(&in, &f);
  CHECK_INT(count_id(&f, "server-version-disclosed"), 3);
  CHECK_INT(count_id(&f, "framework-version-disclosed"), 2);
  /* Apache 2.2 and PHP 5.4 are past their end of life, PHP 8.3 is not. */
  CHECK_INT(count_id(&f, "software-end-of-life"), 2);
  for (size_t i = 0; i < f.count; i++)
    if (strcmp(f.items[i].id, "software-end-of-life") == 0)
      CHECK(strstr(f.items[i].evidence, "8.3.1") == NULL);
  CHECK_STR(f.items[0].severity, "low");
  check_findings_free(&f);

  struct probe_header quiet[] = {H("Server", "nginx"),
                                 H("X-Powered-By", "Express")};
  struct probe_result q = response("https://a.test/", 200, quiet, 2, "");
  in.main = &q;
  check_leaks(&in, &f);
  CHECK_INT(f.count, 0);
  drop(&r);
  drop(&q);
}

TEST(evidence_printable_and_unique)
{
  struct check_findings f = {0};
  check_add(&f, &findings, "server-version-disclosed", "Server: %s",
            "nginx/1.2 \xff\xfe\x01");
  check_add(&f, &findings, "server-version-disclosed", "Server: %s",
            "nginx/1.2 \xff\xfe\x01");
  CHECK_INT(f.count, 1);
  CHECK_STR(f.items[0].evidence, "Server: nginx/1.2 ???");
  check_findings_free(&f);
}

/* ---- exposed files ---- */

/* Fills `paths` with NULL except `path`, which gets `r`. */
static void
set_path(const struct probe_result **paths, const char *path,
         const struct probe_result *r)
{
  for (size_t i = 0; i < sig.path_count; i++)
    paths[i] = strcmp(sig.paths[i], path) == 0 ? r : NULL;
}

TEST(exposed_git_hit)
{
  const struct probe_result **paths = calloc(sig.path_count, sizeof *paths);
  struct probe_result head = response("https://a.test/.git/HEAD", 200, NULL,
                                      0, "ref: refs/heads/main\n");
  struct probe_result missing = response("https://a.test/nope", 404, NULL,
                                         0, "not found");
  struct check_input in = input();
  struct check_findings f = {0};
  set_path(paths, "/.git/HEAD", &head);
  in.paths = paths;
  in.missing = &missing;
  check_exposed(&in, &f);
  CHECK_INT(count_id(&f, "exposed-git"), 1);
  CHECK(strstr(evidence_of(&f, "exposed-git"), "/.git/HEAD") != NULL);
  check_findings_free(&f);
  drop(&head);
  drop(&missing);
  free(paths);
}

TEST(exposed_soft_404_ignored)
{
  const char *page = "<html><body>Selamat datang</body></html>";
  const struct probe_result **paths = calloc(sig.path_count, sizeof *paths);
  struct probe_result env = response("https://a.test/.env", 200, NULL, 0,
                                     page);
  struct probe_result missing = response("https://a.test/nope", 200, NULL,
                                         0, page);
  struct check_input in = input();
  struct check_findings f = {0};
  set_path(paths, "/.env", &env);
  in.paths = paths;
  in.missing = &missing;
  check_exposed(&in, &f);
  CHECK_INT(f.count, 0);

  /* Every path returns ".env-like" text, so a hit proves nothing. */
  struct probe_result env2 = response("https://a.test/.env", 200, NULL, 0,
                                      "APP_KEY=x\nDB_HOST=y\n");
  struct probe_result missing2 = response("https://a.test/nope", 200, NULL,
                                          0, "APP_KEY=z\n");
  set_path(paths, "/.env", &env2);
  in.missing = &missing2;
  check_exposed(&in, &f);
  CHECK_INT(f.count, 0);

  /* A real .env while unknown paths get 404. */
  struct probe_result missing3 = response("https://a.test/nope", 404, NULL,
                                          0, "");
  in.missing = &missing3;
  check_exposed(&in, &f);
  CHECK_INT(count_id(&f, "exposed-env"), 1);
  check_findings_free(&f);

  /* Redirected elsewhere: no response at that path itself. */
  struct probe_result moved = response("https://a.test/", 200, NULL, 0,
                                       "APP_KEY=x\n");
  moved.url = (char *)"https://a.test/.env";
  set_path(paths, "/.env", &moved);
  check_exposed(&in, &f);
  CHECK_INT(f.count, 0);
  drop(&env);
  drop(&missing);
  drop(&env2);
  drop(&missing2);
  drop(&missing3);
  drop(&moved);
  free(paths);
}

TEST(exposed_magic_and_listing)
{
  const struct probe_result **paths = calloc(sig.path_count, sizeof *paths);
  struct probe_result zip = response("https://a.test/backup.zip", 200, NULL,
                                     0, "PK\x03\x04rest");
  struct check_input in = input();
  struct check_findings f = {0};
  set_path(paths, "/backup.zip", &zip);
  in.paths = paths;
  check_exposed(&in, &f);
  CHECK_INT(count_id(&f, "exposed-backup"), 1);
  check_findings_free(&f);

  struct probe_result notzip = response("https://a.test/backup.zip", 200,
                                        NULL, 0, "<html>no</html>");
  set_path(paths, "/backup.zip", &notzip);
  check_exposed(&in, &f);
  CHECK_INT(f.count, 0);

  struct probe_result root = response("https://a.test/", 200, NULL, 0,
                                      "<html><head><title>Index of /</title>");
  set_path(paths, "/nothing", NULL);
  in.main = &root;
  check_exposed(&in, &f);
  CHECK_INT(count_id(&f, "directory-listing"), 1);
  check_findings_free(&f);
  drop(&zip);
  drop(&notzip);
  drop(&root);
  free(paths);
}

/* ---- products ---- */

TEST(products_detected_with_version)
{
  struct probe_header h[] = {H("X-Generator", "Drupal 7 (http://drupal.org)")};
  struct probe_result wp = response(
    "https://a.test/", 200, NULL, 0,
    "<meta name=\"generator\" content=\"WordPress 6.4.2\" />"
    "<link href=\"/wp-content/themes/x.css\">");
  struct probe_result drupal = response("https://a.test/", 200, h, 1, "");
  struct check_input in = input();
  struct check_findings f = {0};
  in.main = &wp;
  check_products(&in, &f);
  CHECK_INT(count_id(&f, "cms-detected"), 1);
  CHECK(strncmp(evidence_of(&f, "cms-detected"), "WordPress 6.4.2", 15) == 0);
  check_findings_free(&f);

  in.main = &drupal;
  check_products(&in, &f);
  CHECK(strncmp(evidence_of(&f, "cms-detected"), "Drupal 7", 8) == 0);
  CHECK_INT(count_id(&f, "software-end-of-life"), 1);
  check_findings_free(&f);
  drop(&wp);
  drop(&drupal);
}

TEST(products_from_cookies_and_probes)
{
  struct probe_header laravel[] = {
    H("Set-Cookie", "XSRF-TOKEN=abc; path=/"),
    H("Set-Cookie", "laravel_session=def; path=/; httponly"),
  };
  struct probe_result page = response("https://a.test/", 200, laravel, 2,
                                      "<html></html>");
  const struct probe_result **paths = calloc(sig.path_count, sizeof *paths);
  struct probe_result lock = response(
    "https://a.test/composer.lock", 200, NULL, 0,
    "{\"content-hash\": \"x\", \"packages\": [{\n"
    "  \"name\": \"laravel/framework\",\n  \"version\": \"v10.48.4\",\n");
  struct check_input in = input();
  struct check_findings f = {0};
  in.main = &page;
  check_products(&in, &f);
  CHECK(strncmp(evidence_of(&f, "cms-detected"), "Laravel (", 9) == 0);
  check_findings_free(&f);

  set_path(paths, "/composer.lock", &lock);
  in.paths = paths;
  check_products(&in, &f);
  CHECK(strncmp(evidence_of(&f, "cms-detected"), "Laravel 10.48.4", 15) == 0);
  check_findings_free(&f);
  check_exposed(&in, &f);
  CHECK_INT(count_id(&f, "exposed-dependency-manifest"), 1);
  check_findings_free(&f);

  struct probe_result ci = response(
    "https://a.test/", 200, NULL, 0,
    "<p class=\"footer\">CodeIgniter Version <strong>3.1.13</strong></p>");
  struct probe_result joomla = response(
    "https://a.test/", 200, NULL, 0,
    "<meta name=\"generator\" content=\"Joomla! - Open Source Content "
    "Management - Version 3.9.28\" />");
  in.paths = NULL;
  in.main = &ci;
  check_products(&in, &f);
  CHECK(strncmp(evidence_of(&f, "cms-detected"), "CodeIgniter 3.1.13", 18)
        == 0);
  check_findings_free(&f);
  in.main = &joomla;
  check_products(&in, &f);
  CHECK(strncmp(evidence_of(&f, "cms-detected"), "Joomla 3.9.28", 13) == 0);
  CHECK_INT(count_id(&f, "software-end-of-life"), 1);
  check_findings_free(&f);

  struct probe_result plain = response("https://a.test/", 200, NULL, 0,
                                       "<html><body>Halo</body></html>");
  in.main = &plain;
  check_products(&in, &f);
  CHECK_INT(f.count, 0);
  drop(&page);
  drop(&lock);
  drop(&ci);
  drop(&joomla);
  drop(&plain);
  free(paths);
}

/* ---- mixed content ---- */

TEST(mixed_content)
{
  struct probe_result bad = response(
    "https://a.test/", 200, NULL, 0,
    "<a href=\"http://other.test/\">x</a>"
    "<script src=\"http://cdn.test/app.js\"></script>");
  struct probe_result css = response(
    "https://a.test/", 200, NULL, 0,
    "<link rel=\"stylesheet\" href='http://cdn.test/s.css'>");
  struct probe_result links = response(
    "https://a.test/", 200, NULL, 0,
    "<a href=\"http://other.test/\">x</a><img src=\"/local.png\">"
    "<link rel=\"canonical\" href=\"http://a.test/\">");
  struct probe_result plain = response("http://a.test/", 200, NULL, 0,
                                       "<img src=\"http://cdn.test/i.png\">");
  struct check_input in = input();
  struct check_findings f = {0};
  in.main = &bad;
  check_mixed_content(&in, &f);
  CHECK_INT(count_id(&f, "mixed-content"), 1);
  CHECK(strstr(evidence_of(&f, "mixed-content"), "http://cdn.test/app.js")
        != NULL);
  check_findings_free(&f);
  in.main = &css;
  check_mixed_content(&in, &f);
  CHECK_INT(count_id(&f, "mixed-content"), 1);
  check_findings_free(&f);
  in.main = &links;
  check_mixed_content(&in, &f);
  CHECK_INT(f.count, 0);
  in.main = &plain;
  check_mixed_content(&in, &f);
  CHECK_INT(f.count, 0);
  drop(&bad);
  drop(&css);
  drop(&links);
  drop(&plain);
}

/* ---- loader errors ---- */

/* Writes `text` to a temporary file and returns its path (static). */
static const char *
temp_file(const char *text)
{
  static char path[64];
  snprintf(path, sizeof path, "/tmp/simpul-test-sig.XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0)
    return "/nonexistent";
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  return path;
}

/* Loads signatures from `text`; returns the error text ("" on success). */
static const char *
signature_error(const char *text)
{
  static char err[1024];
  struct signatures s;
  const char *path = temp_file(text);
  err[0] = '\0';
  if (signatures_load(&s, path, &findings, err, sizeof err))
    signatures_free(&s);
  unlink(path);
  return err;
}

#define SIG_HEAD "{\"format\": 1, \"version_leaks\": [], \"end_of_life\": [], "

TEST(signature_load_errors)
{
  static const struct {
    const char *text;
    const char *expect;
  } cases[] = {
    {"{", "cannot read the signatures"},
    {"{\"format\": 2}", "\"format\" must be 1"},
    {SIG_HEAD "\"probes\": [], \"products\": [], \"extra\": 1}",
     "unknown field \"extra\""},
    {SIG_HEAD "\"products\": []}", "\"probes\" must be an array"},
    {SIG_HEAD "\"probes\": [{\"name\": \"p\", \"path\": \"/x\", "
     "\"finding\": \"exposed-git\", \"pattern\": \"(\"}], \"products\": []}",
     "probes[0] (\"p\"): field \"pattern\": invalid regular expression"},
    {SIG_HEAD "\"probes\": [{\"name\": \"p\", \"path\": \"x\", "
     "\"finding\": \"exposed-git\", \"pattern\": \"a\"}], \"products\": []}",
     "field \"path\" must start with '/'"},
    {SIG_HEAD "\"probes\": [{\"name\": \"p\", \"path\": \"/x\", "
     "\"finding\": \"no-such-finding\", \"pattern\": \"a\"}], "
     "\"products\": []}",
     "finding \"no-such-finding\" is not defined"},
    {SIG_HEAD "\"probes\": [{\"name\": \"p\", \"path\": \"/x\", "
     "\"finding\": \"exposed-git\"}], \"products\": []}",
     "give \"pattern\" or \"magic_hex\""},
    {SIG_HEAD "\"probes\": [{\"name\": \"p\", \"path\": \"/x\", "
     "\"finding\": \"exposed-git\", \"magic_hex\": \"5g\"}], "
     "\"products\": []}",
     "\"magic_hex\" must be"},
    {SIG_HEAD "\"probes\": [], \"products\": [{\"name\": \"X\", \"kind\": "
     "\"cms\", \"evidence\": [{\"where\": \"body\", \"pattern\": \"a(b)\", "
     "\"version_group\": 2}]}]}",
     "products[0] (\"X\"): field \"version_group\" must name a group"},
    {SIG_HEAD "\"probes\": [], \"products\": [{\"name\": \"X\", \"kind\": "
     "\"cms\", \"evidence\": [{\"where\": \"nowhere\", \"pattern\": "
     "\"a\"}]}]}",
     "field \"where\" must be body, header, cookie or probe"},
    {SIG_HEAD "\"probes\": [], \"products\": [{\"name\": \"X\", \"kind\": "
     "\"cms\", \"evidence\": [{\"where\": \"probe\", \"pattern\": "
     "\"a\"}]}]}",
     "field \"path\" must be a non-empty string"},
    {"{\"format\": 1, \"version_leaks\": [{\"name\": \"s\", \"header\": "
     "\"Server\", \"pattern\": \"a/([0-9])\", \"finding\": "
     "\"server-version-disclosed\"}], \"end_of_life\": [], \"probes\": [], "
     "\"products\": []}",
     "version_leaks[0] (\"s\"): field \"version_group\" is required"},
    {"{\"format\": 1, \"version_leaks\": [], \"end_of_life\": [{\"product\":"
     " \"PHP\", \"below\": \"eight\", \"source\": \"x\"}], \"probes\": [], "
     "\"products\": []}",
     "end_of_life[0] (\"PHP\"): field \"below\" must be a dotted version"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *err = signature_error(cases[i].text);
    if (strstr(err, cases[i].expect) == NULL)
      fprintf(stderr, "  case %zu: got \"%s\"\n", i, err);
    CHECK(strstr(err, cases[i].expect) != NULL);
    CHECK(strstr(err, "/tmp/simpul-test-sig.") != NULL);
  }
  CHECK_STR(signature_error(SIG_HEAD "\"probes\": [], \"products\": []}"),
            "");
}

static const char *
findings_error(const char *text)
{
  static char err[1024];
  struct finding_table t;
  const char *path = temp_file(text);
  err[0] = '\0';
  if (finding_table_load(&t, path, err, sizeof err))
    finding_table_free(&t);
  unlink(path);
  return err;
}

#define DEF(sev) "{\"severity\": \"" sev "\", \"title_id\": \"a\", " \
  "\"title_en\": \"b\", \"remediation_id\": \"c\", \"remediation_en\": \"d\"}"

TEST(findings_load_errors)
{
  CHECK(strstr(findings_error("{\"format\": 1, \"findings\": {\"x\": "
                              DEF("severe") "}}"),
               "finding \"x\": severity \"severe\" is not one of") != NULL);
  CHECK(strstr(findings_error("{\"format\": 1, \"findings\": {\"x\": "
                              "{\"severity\": \"low\"}}}"),
               "finding \"x\": field \"title_id\" is missing") != NULL);
  CHECK(strstr(findings_error("{\"format\": 1, \"findings\": {\"x\": "
                              DEF("low") "}}"),
               "is not defined; simpul reports it") != NULL);
  CHECK(strstr(findings_error("{\"format\": 1, \"findings\": {\"x\": "
                              "{\"severity\": \"low\", \"colour\": 1}}}"),
               "unknown field \"colour\"") != NULL);
  CHECK(strstr(findings_error("{\"format\": 1, \"findings\": {}}"),
               "non-empty object") != NULL);
  CHECK(strstr(findings_error("[]"), "\"format\" must be 1") != NULL);
  CHECK(finding_severity_rank("critical") == 4);
  CHECK(finding_severity_rank("info") == 0);
  CHECK(finding_severity_rank("urgent") == -1);
}

int
main(void)
{
  char err[1024];
  if (!finding_table_load(&findings, FINDINGS_FILE, err, sizeof err) ||
      !signatures_load(&sig, SIGNATURES_FILE, &findings, err, sizeof err)) {
    printf("FAIL shipped_data_loads: %s\n", err);
    return 1;
  }
  RUN(shipped_data_loads);
  RUN(version_compare);
  RUN(outcome_by_response);
  RUN(availability_findings);
  RUN(https_findings);
  RUN(tls_findings);
  RUN(version_leaks);
  RUN(evidence_printable_and_unique);
  RUN(exposed_git_hit);
  RUN(exposed_soft_404_ignored);
  RUN(exposed_magic_and_listing);
  RUN(products_detected_with_version);
  RUN(products_from_cookies_and_probes);
  RUN(mixed_content);
  RUN(signature_load_errors);
  RUN(findings_load_errors);
  signatures_free(&sig);
  finding_table_free(&findings);
  return TEST_EXIT();
}
