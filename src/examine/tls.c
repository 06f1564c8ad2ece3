/* Trusted roots and certificate facts through OpenSSL. */
#include "examine/tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "core/log.h"

struct tls_trust {
  X509_STORE *store;
};

/* Adds every certificate of the PEM file `path` to `store`. */
static bool
add_pem_file(X509_STORE *store, const char *path, char *err, size_t errlen)
{
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    snprintf(err, errlen, "cannot open the CA file %s: %m; give a readable "
             "PEM file of root certificates", path);
    return false;
  }
  int added = 0;
  X509 *cert;
  while ((cert = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
    if (X509_STORE_add_cert(store, cert) == 1)
      added++;
    X509_free(cert);
  }
  /* The loop ends at the end of the file, which OpenSSL reports as a "no
   * start line" error; any other error means a damaged certificate. */
  unsigned long e = ERR_peek_last_error();
  bool eof = ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
  ERR_clear_error();
  fclose(f);
  if (added == 0 || (e != 0 && !eof)) {
    snprintf(err, errlen, "the CA file %s holds no readable PEM certificate "
             "(-----BEGIN CERTIFICATE-----); convert a DER file with "
             "'openssl x509 -inform der -in FILE -out FILE.pem'", path);
    return false;
  }
  return true;
}

struct tls_trust *
tls_trust_new(const char *extra, char *err, size_t errlen)
{
  struct tls_trust *t = calloc(1, sizeof *t);
  if (t == NULL || (t->store = X509_STORE_new()) == NULL) {
    free(t);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
  int loaded = v->cainfo || v->capath
                 ? X509_STORE_load_locations(t->store, v->cainfo, v->capath)
                 : X509_STORE_set_default_paths(t->store);
  ERR_clear_error();
  if (loaded != 1)
    log_event(LOG_WARN, "examine.system_roots_missing", "bundle", v->cainfo,
              "folder", v->capath, NULL);
  if (extra != NULL && !add_pem_file(t->store, extra, err, errlen)) {
    tls_trust_free(t);
    return NULL;
  }
  return t;
}

void
tls_trust_free(struct tls_trust *t)
{
  if (t == NULL)
    return;
  X509_STORE_free(t->store);
  free(t);
}

/* Called by libcurl with each new SSL_CTX. */
static CURLcode
use_trust(CURL *easy, void *ssl_ctx, void *arg)
{
  (void)easy;
  struct tls_trust *t = arg;
  SSL_CTX_set1_cert_store((SSL_CTX *)ssl_ctx, t->store);
  return CURLE_OK;
}

CURLcode
tls_trust_apply(CURL *easy, struct tls_trust *t)
{
  CURLcode rc = curl_easy_setopt(easy, CURLOPT_CAINFO, NULL);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(easy, CURLOPT_CAPATH, NULL);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(easy, CURLOPT_SSL_CTX_FUNCTION, use_trust);
  if (rc == CURLE_OK)
    rc = curl_easy_setopt(easy, CURLOPT_SSL_CTX_DATA, t);
  return rc;
}

static int64_t
asn1_time_unix(const ASN1_TIME *t)
{
  struct tm tm;
  if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
    return 0;
  return (int64_t)timegm(&tm);
}

static void
name_text(const X509_NAME *name, char *out, size_t len)
{
  out[0] = '\0';
  BIO *bio = BIO_new(BIO_s_mem());
  if (bio == NULL)
    return;
  if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB)
      >= 0) {
    int n = BIO_read(bio, out, (int)len - 1);
    out[n > 0 ? n : 0] = '\0';
  }
  BIO_free(bio);
}

void
tls_read_facts(CURL *easy, struct tls_facts *out)
{
  struct curl_tlssessioninfo *info = NULL;
  if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &info) != CURLE_OK ||
      info == NULL || info->backend != CURLSSLBACKEND_OPENSSL ||
      info->internals == NULL)
    return;
  SSL *ssl = info->internals;
  X509 *cert = SSL_get1_peer_certificate(ssl);
  if (cert == NULL)
    return;
  out->seen = true;
  snprintf(out->protocol, sizeof out->protocol, "%s", SSL_get_version(ssl));
  name_text(X509_get_issuer_name(cert), out->issuer, sizeof out->issuer);
  name_text(X509_get_subject_name(cert), out->subject, sizeof out->subject);
  out->not_before = asn1_time_unix(X509_get0_notBefore(cert));
  out->not_after = asn1_time_unix(X509_get0_notAfter(cert));
  X509_free(cert);
}

enum tls_cert_problem
tls_cert_problem_of(long verify_result)
{
  switch (verify_result) {
  case X509_V_OK:
    return TLS_CERT_NAME_MISMATCH;
  case X509_V_ERR_CERT_HAS_EXPIRED:
  case X509_V_ERR_CERT_NOT_YET_VALID:
  case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
  case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
    return TLS_CERT_EXPIRED;
  case X509_V_ERR_HOSTNAME_MISMATCH:
    return TLS_CERT_NAME_MISMATCH;
  default:
    return TLS_CERT_UNTRUSTED;
  }
}

const char *
tls_verify_text(long verify_result)
{
  return X509_verify_cert_error_string(verify_result);
}
