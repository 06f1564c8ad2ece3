/* TLS for examination, through OpenSSL as libcurl uses it: extra trusted
 * roots on top of the system store, and the certificate facts of a
 * connection (issuer, validity dates, protocol version). */
#ifndef SIMPUL_EXAMINE_TLS_H
#define SIMPUL_EXAMINE_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

/* Facts a TLS connection showed about the server's certificate. */
struct tls_facts {
  bool seen;                /* a certificate was read */
  char protocol[16];        /* "TLSv1.3" */
  char issuer[256];         /* one-line distinguished name */
  char subject[256];
  int64_t not_before;       /* Unix seconds */
  int64_t not_after;
};

/* The trusted roots of a run: the system's, plus extra roots from a PEM
 * file such as a city's own CA. */
struct tls_trust;

/* Builds the roots once: the CA bundle and folder libcurl was built with
 * (OpenSSL's default paths when it names none) and every certificate of
 * the PEM file `extra` (NULL for none). NULL with a message naming the
 * file and the fix when `extra` cannot be read or contains no certificate. */
struct tls_trust *tls_trust_new(const char *extra, char *err, size_t errlen);
void tls_trust_free(struct tls_trust *trust);

/* Makes every TLS connection of `easy` verify against `trust`: libcurl's
 * own loading of the bundle is turned off (CURLOPT_CAINFO and
 * CURLOPT_CAPATH NULL) and CURLOPT_SSL_CTX_FUNCTION installs the shared
 * store in each new TLS context. Loading the system bundle once instead of
 * once per connection matters: parsing it costs about 25 ms, and a run
 * opens thousands of connections. `trust` must outlive the transfers. */
CURLcode tls_trust_apply(CURL *easy, struct tls_trust *trust);

/* Reads the certificate facts of the connection `easy` is using; call it
 * while the transfer is in progress (from a header callback), when the
 * connection is still open. Leaves `out` unchanged when the transfer is
 * not over TLS. */
void tls_read_facts(CURL *easy, struct tls_facts *out);

/* Kinds of certificate failure distinguished by the verification result. */
enum tls_cert_problem {
  TLS_CERT_OK = 0,
  TLS_CERT_EXPIRED,         /* expired or not yet valid */
  TLS_CERT_UNTRUSTED,       /* no chain to a trusted root, self-signed, ... */
  TLS_CERT_NAME_MISMATCH    /* valid chain, but not for this host name */
};

/* Classifies a failed verification from CURLINFO_SSL_VERIFYRESULT (an
 * OpenSSL X509_V_ERR_* value; X509_V_OK when the chain verified and the
 * failure was the host name check). */
enum tls_cert_problem tls_cert_problem_of(long verify_result);

/* Returns OpenSSL's text for a verification result. */
const char *tls_verify_text(long verify_result);

#endif
