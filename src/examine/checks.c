/* Findings from one site's responses: availability, HTTPS, TLS and
 * security headers. Content checks (leaks, exposed files, products, mixed
 * content) are in checks_content.c. */
#include "examine/checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/text.h"
#include "examine/overview.h"

#define EVIDENCE_MAX 512

void
check_add(struct check_findings *f, const struct finding_table *t,
          const char *id, const char *fmt, ...)
{
  char evidence[EVIDENCE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(evidence, sizeof evidence, fmt, ap);
  va_end(ap);
  /* Evidence quotes what servers sent, which may be any bytes. */
  text_make_printable(evidence);

  for (size_t i = 0; i < f->count; i++)
    if (strcmp(f->items[i].id, id) == 0 &&
        strcmp(f->items[i].evidence, evidence) == 0)
      return;
  const struct finding_def *def = finding_table_find(t, id);
  struct exam_finding *grown =
    realloc(f->items, (f->count + 1) * sizeof *f->items);
  if (grown == NULL) {
    f->no_memory = true;
    return;
  }
  f->items = grown;
  struct exam_finding *item = &f->items[f->count];
  item->id = strdup(id);
  item->severity = strdup(def != NULL ? def->severity : "info");
  item->evidence = strdup(evidence);
  if (item->id == NULL || item->severity == NULL || item->evidence == NULL) {
    free(item->id);
    free(item->severity);
    free(item->evidence);
    f->no_memory = true;
    return;
  }
  f->count++;
}

void
check_findings_free(struct check_findings *f)
{
  for (size_t i = 0; i < f->count; i++) {
    free(f->items[i].id);
    free(f->items[i].severity);
    free(f->items[i].evidence);
  }
  free(f->items);
  memset(f, 0, sizeof *f);
}

bool
checks_status_graded(int status)
{
  return (status >= 200 && status < 400) || status == 401 || status == 403;
}

const char *
checks_outcome(const struct probe_result *avail)
{
  if (avail == NULL)
    return "not-examinable";
  if (!avail->ok) {
    if (avail->error == PROBE_REFUSED)
      return "refused";
    return avail->error == PROBE_TIMEOUT ? "timeout" : "unreachable";
  }
  const struct probe_hop *hop = probe_final(avail);
  if (avail->redirect_loop || avail->redirect_limit || hop == NULL ||
      !checks_status_graded(hop->status))
    return "http-error";
  return "ok";
}

/* ---- availability ---- */

/* Writes the redirect chain as "URL (301) -> URL (200)", shortened. */
static void
chain_text(const struct probe_result *r, char *out, size_t len)
{
  struct buf b;
  buf_init(&b, len > 0 ? len - 1 : 0);
  for (size_t i = 0; i < r->hop_count; i++) {
    if (!buf_printf(&b, "%s%s (%d)", i ? " -> " : "", r->hops[i].url,
                    r->hops[i].status))
      break;
  }
  snprintf(out, len, "%s", buf_str(&b));
  buf_free(&b);
}

static const char *
start_url(const struct probe_result *r)
{
  return r->url != NULL ? r->url : "";
}

void
check_availability(const struct check_input *in, struct check_findings *out)
{
  const struct probe_result *r = in->avail;
  const struct finding_table *t = in->findings;
  char chain[EVIDENCE_MAX];

  if (r == NULL)
    return;
  if (r->refused_address[0] != '\0')
    check_add(out, t, "address-refused", "address %s (%s) rejected",
              r->refused_address, r->refused_class ? r->refused_class : "?");
  if (!r->ok) {
    if (r->error == PROBE_TIMEOUT)
      check_add(out, t, "timeout", "GET %s: %s", start_url(r), r->error_text);
    else if (r->error != PROBE_REFUSED)
      check_add(out, t, "unreachable", "GET %s: %s", start_url(r),
                r->error_text);
    return;
  }
  const struct probe_hop *hop = probe_final(r);
  chain_text(r, chain, sizeof chain);
  if (r->redirect_loop)
    check_add(out, t, "redirect-loop", "%s", chain);
  else if (r->redirect_limit)
    check_add(out, t, "redirect-limit", "%s", chain);
  else if (!checks_status_graded(hop->status))
    check_add(out, t, "http-error", "GET %s answered %d", hop->url,
              hop->status);
}

/* ---- HTTPS ---- */

static bool
is_https_url(const char *url)
{
  return url != NULL && strncmp(url, "https://", 8) == 0;
}

void
check_https(const struct check_input *in, struct check_findings *out)
{
  const struct probe_result *http = in->http, *https = in->https;
  const struct finding_table *t = in->findings;
  bool http_ok = http != NULL && http->ok;
  bool https_ok = https != NULL && https->ok;

  if (https != NULL && !https_ok && http_ok)
    check_add(out, t, "no-https", "%s: %s", start_url(https),
              https->error_text);
  if (http_ok && https_ok && !is_https_url(probe_final(http)->url))
    check_add(out, t, "no-https-redirect", "%s ends at %s",
              start_url(http), probe_final(http)->url);
  if (https_ok && !is_https_url(probe_final(https)->url))
    check_add(out, t, "https-downgrade", "%s ends at %s",
              start_url(https), probe_final(https)->url);
}

/* ---- TLS ---- */

static void
date_text(int64_t t, char *out, size_t len)
{
  struct tm tm;
  time_t tt = (time_t)t;
  if (gmtime_r(&tt, &tm) == NULL || strftime(out, len, "%Y-%m-%d", &tm) == 0)
    snprintf(out, len, "?");
}

static void
check_cert_trust(const struct check_input *in, const struct probe_result *r,
                 struct check_findings *out)
{
  const struct finding_table *t = in->findings;
  const char *issuer = r->tls.seen ? r->tls.issuer : "?";
  if (r->verified || !r->ok)
    return;
  if (r->cert_problem == TLS_CERT_UNTRUSTED)
    check_add(out, t, "tls-cert-untrusted", "issuer %s: %s", issuer,
              r->error_text);
  else if (r->cert_problem == TLS_CERT_NAME_MISMATCH)
    check_add(out, t, "tls-cert-name-mismatch", "subject %s: %s",
              r->tls.seen ? r->tls.subject : "?", r->error_text);
}

void
check_tls(const struct check_input *in, struct check_findings *out)
{
  const struct probe_result *r = in->https;
  const struct finding_table *t = in->findings;
  char date[32];

  if (r == NULL || !is_https_url(start_url(r)))
    return;
  check_cert_trust(in, r, out);
  bool expired = !r->verified && r->ok && r->cert_problem == TLS_CERT_EXPIRED;
  if (r->tls.seen && (in->now > r->tls.not_after ||
                      in->now < r->tls.not_before))
    expired = true;
  if (expired) {
    date_text(r->tls.not_after, date, sizeof date);
    check_add(out, t, "tls-cert-expired", "valid until %s (issuer %s)",
              r->tls.seen ? date : "?", r->tls.seen ? r->tls.issuer : "?");
  } else if (r->tls.seen) {
    int64_t days = (r->tls.not_after - in->now) / 86400;
    date_text(r->tls.not_after, date, sizeof date);
    if (days < EXAM_CERT_EXPIRING_DAYS)
      check_add(out, t, "tls-cert-expiring", "valid until %s, %lld days "
                "left", date, (long long)days);
  }
  const char *proto = r->tls.protocol;
  if (r->tls.seen && (strcmp(proto, "TLSv1") == 0 ||
                      strcmp(proto, "TLSv1.1") == 0 ||
                      strncmp(proto, "SSL", 3) == 0))
    check_add(out, t, "tls-protocol-old", "negotiated %s", proto);
}

/* ---- security headers, from the Observatory's test results ---- */

void
check_headers(const struct check_input *in, struct check_findings *out)
{
  static const struct {
    enum obs_test test;
    const char *result;
    const char *finding;
  } map[] = {
    {OBS_CSP, "csp-not-implemented", "csp-missing"},
    {OBS_CSP, "csp-not-implemented-but-reporting-enabled", "csp-missing"},
    {OBS_HSTS, "hsts-not-implemented", "hsts-missing"},
    {OBS_XFO, "x-frame-options-not-implemented", "xfo-missing"},
    {OBS_XCTO, "x-content-type-options-not-implemented", "xcto-missing"},
  };
  const struct obs_result *obs = in->obs;
  if (obs == NULL || obs->status != OBS_GRADED)
    return;
  const struct probe_hop *hop = in->main ? probe_final(in->main) : NULL;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
    const struct obs_test_result *tr = &obs->tests[map[i].test];
    if (tr->result != NULL && strcmp(tr->result, map[i].result) == 0)
      check_add(out, in->findings, map[i].finding, "%s: %s (%s)",
                hop ? hop->url : "", tr->result, tr->name);
  }
}

void
checks_run(const struct check_input *in, struct check_findings *out)
{
  check_availability(in, out);
  check_https(in, out);
  check_tls(in, out);
  check_headers(in, out);
  check_leaks(in, out);
  check_exposed(in, out);
  check_products(in, out);
  check_mixed_content(in, out);
}
