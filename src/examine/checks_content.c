/* Findings from what a site's responses contain: version leaks and
 * software past its end of life, exposed files, the CMS or framework, and
 * mixed content. */
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "examine/checks.h"

/* ---- versions ---- */

static void
check_end_of_life(const struct check_input *in, const char *product,
                  const char *version, const char *where,
                  struct check_findings *out)
{
  if (version == NULL || version[0] < '0' || version[0] > '9')
    return;
  for (size_t i = 0; i < in->sig->eol_count; i++) {
    const struct sig_eol *e = &in->sig->eols[i];
    if (strcasecmp(e->product, product) == 0 &&
        sig_version_compare(version, e->below) < 0)
      check_add(out, in->findings, "software-end-of-life", "%s %s (%s): "
                "versions below %s no longer get security fixes; source: %s",
                product, version, where, e->below, e->source);
  }
}

/* Finds every match of leak `k` in `value`, one finding per product. */
static void
leak_matches(const struct check_input *in, const struct sig_leak *k,
             const char *value, struct check_findings *out)
{
  regmatch_t m[10];
  const char *p = value;
  for (int guard = 0; guard < 16 && regexec(&k->pattern, p, 10, m, 0) == 0;
       guard++) {
    char product[64] = "", version[64] = "";
    int pg = k->product_group, vg = k->version_group;
    if (pg > 0 && m[pg].rm_so >= 0)
      snprintf(product, sizeof product, "%.*s",
               (int)(m[pg].rm_eo - m[pg].rm_so), p + m[pg].rm_so);
    else if (k->product != NULL)
      snprintf(product, sizeof product, "%s", k->product);
    if (m[vg].rm_so >= 0)
      snprintf(version, sizeof version, "%.*s",
               (int)(m[vg].rm_eo - m[vg].rm_so), p + m[vg].rm_so);
    if (version[0] != '\0') {
      check_add(out, in->findings, k->finding, "%s: %s (%s %s)", k->header,
                value, product, version);
      check_end_of_life(in, product, version, k->header, out);
    }
    if (m[0].rm_eo <= 0)
      break;
    p += m[0].rm_eo;
  }
}

static void
leaks_in_hop(const struct check_input *in, const struct probe_hop *hop,
             struct check_findings *out)
{
  for (size_t i = 0; i < in->sig->leak_count; i++) {
    const struct sig_leak *k = &in->sig->leaks[i];
    for (size_t h = 0; h < hop->header_count; h++)
      if (strcasecmp(hop->headers[h].name, k->header) == 0)
        leak_matches(in, k, hop->headers[h].value, out);
  }
}

void
check_leaks(const struct check_input *in, struct check_findings *out)
{
  const struct probe_result *seen[] = {in->main, in->avail, in->http,
                                       in->https};
  for (size_t i = 0; i < sizeof seen / sizeof seen[0]; i++)
    if (seen[i] != NULL && seen[i]->ok)
      leaks_in_hop(in, probe_final(seen[i]), out);
}

/* ---- exposed files ---- */

/* True when `url`'s path (before any query) is `path`. */
static bool
url_has_path(const char *url, const char *path)
{
  const char *p = strstr(url, "://");
  p = p ? strchr(p + 3, '/') : NULL;
  if (p == NULL)
    return strcmp(path, "/") == 0;
  size_t n = strcspn(p, "?#");
  return strlen(path) == n && strncmp(p, path, n) == 0;
}

/* True when a response body passes probe `sp`'s content tests. */
static bool
body_hits(const struct sig_probe *sp, const char *body, size_t len)
{
  if (body == NULL)
    return false;
  if (sp->magic_len > 0 &&
      (len < sp->magic_len || memcmp(body, sp->magic, sp->magic_len) != 0))
    return false;
  if (sp->has_pattern && !sig_match(&sp->pattern, body, 0, NULL, 0))
    return false;
  if (sp->has_exclude && sig_match(&sp->exclude, body, 0, NULL, 0))
    return false;
  return true;
}

/* The page read for content: see check_input.page. */
static const struct probe_result *
content_page(const struct check_input *in)
{
  return in->page != NULL ? in->page : in->main;
}

static const struct probe_result *
path_result(const struct check_input *in, const char *path)
{
  if (strcmp(path, "/") == 0)
    return content_page(in);
  for (size_t i = 0; in->paths != NULL && i < in->sig->path_count; i++)
    if (strcmp(in->sig->paths[i], path) == 0)
      return in->paths[i];
  return NULL;
}

/* True when `r` has status 200 at `path` itself and a body unlike the
 * response to a path that cannot exist. */
static bool
real_answer(const struct check_input *in, const struct probe_result *r,
            const char *path)
{
  const struct probe_hop *hop = r ? probe_final(r) : NULL;
  if (hop == NULL || !r->ok || hop->status != 200 ||
      !url_has_path(hop->url, path))
    return false;
  const struct probe_result *m = in->missing;
  if (m != NULL && m->ok && probe_final(m)->status == 200 &&
      m->body_len == r->body_len && r->body != NULL && m->body != NULL &&
      memcmp(m->body, r->body, r->body_len) == 0)
    return false;
  return true;
}

/* True when the response to a path that cannot exist also passes the
 * probe's content tests, so that a hit proves nothing. */
static bool
soft_hit(const struct check_input *in, const struct sig_probe *sp)
{
  const struct probe_result *m = in->missing;
  return m != NULL && m->ok && probe_final(m)->status == 200 &&
         body_hits(sp, m->body, m->body_len);
}

void
check_exposed(const struct check_input *in, struct check_findings *out)
{
  for (size_t i = 0; i < in->sig->probe_count; i++) {
    const struct sig_probe *sp = &in->sig->probes[i];
    const struct probe_result *r = path_result(in, sp->path);
    /* The main page may end anywhere after its redirects, but every
     * other path must respond with 200 at that very path. */
    bool answered = strcmp(sp->path, "/") == 0
                      ? r != NULL && r->ok && probe_final(r)->status == 200
                      : real_answer(in, r, sp->path);
    if (!answered || !body_hits(sp, r->body, r->body_len) || soft_hit(in, sp))
      continue;
    check_add(out, in->findings, sp->finding, "GET %s answered 200 with "
              "%zu bytes (%s)", probe_final(r)->url, r->body_len, sp->name);
  }
}

/* ---- products ---- */

/* Matches evidence `ev` against `text`; copies the version it shows, or
 * "" when it shows none, into `version`. */
static bool
match_evidence(const struct sig_evidence *ev, const char *text,
               char *version, size_t len)
{
  version[0] = '\0';
  if (ev->version_group == 0)
    return sig_match(&ev->pattern, text, 0, NULL, 0);
  return sig_match(&ev->pattern, text, ev->version_group, version, len);
}

/* Tries one piece of evidence against the site's responses. */
static bool
evidence_matches(const struct check_input *in, const struct sig_evidence *ev,
                 char *version, size_t len)
{
  const struct probe_result *page = content_page(in);
  const struct probe_hop *hop = page && page->ok ? probe_final(page) : NULL;
  switch (ev->where) {
  case SIG_WHERE_BODY:
    return hop != NULL && match_evidence(ev, page->body, version, len);
  case SIG_WHERE_HEADER:
  case SIG_WHERE_COOKIE: {
    const char *name = ev->where == SIG_WHERE_HEADER ? ev->header
                                                     : "Set-Cookie";
    for (size_t i = 0; hop != NULL && i < hop->header_count; i++)
      if (strcasecmp(hop->headers[i].name, name) == 0 &&
          match_evidence(ev, hop->headers[i].value, version, len))
        return true;
    return false;
  }
  case SIG_WHERE_PROBE: {
    const struct probe_result *r = path_result(in, ev->path);
    return real_answer(in, r, ev->path) &&
           match_evidence(ev, r->body, version, len);
  }
  }
  return false;
}

static const char *
where_text(const struct sig_evidence *ev)
{
  switch (ev->where) {
  case SIG_WHERE_BODY: return "page";
  case SIG_WHERE_HEADER: return ev->header;
  case SIG_WHERE_COOKIE: return "cookie";
  case SIG_WHERE_PROBE: return ev->path;
  }
  return "?";
}

/* True when `item` is one of the ", "-separated items of `list`. */
static bool
text_listed(const char *list, const char *item)
{
  size_t n = strlen(item);
  for (const char *p = list; (p = strstr(p, item)) != NULL; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
      return true;
  return false;
}

static void
check_product(const struct check_input *in, const struct sig_product *p,
              struct check_findings *out)
{
  char version[64] = "", found[64];
  const char *version_where = NULL;
  struct buf seen;
  buf_init(&seen, 256);
  for (size_t i = 0; i < p->evidence_count; i++) {
    const struct sig_evidence *ev = &p->evidence[i];
    if (!evidence_matches(in, ev, found, sizeof found))
      continue;
    if (!text_listed(buf_str(&seen), where_text(ev)))
      buf_printf(&seen, "%s%s", seen.len ? ", " : "", where_text(ev));
    if (version[0] == '\0' && found[0] != '\0') {
      snprintf(version, sizeof version, "%s", found);
      version_where = where_text(ev);
    }
  }
  if (seen.len > 0) {
    check_add(out, in->findings, "cms-detected", "%s%s%s (%s); seen in: %s",
              p->name, version[0] ? " " : "", version, p->kind,
              buf_str(&seen));
    if (version_where != NULL)
      check_end_of_life(in, p->name, version, version_where, out);
  }
  buf_free(&seen);
}

void
check_products(const struct check_input *in, struct check_findings *out)
{
  for (size_t i = 0; i < in->sig->product_count; i++)
    check_product(in, &in->sig->products[i], out);
}

/* ---- mixed content ---- */

/* Subresources an HTTPS page loads over plain http://. Links to pages
 * (<a href>) are not mixed content and are not matched. */
static const char mixed_pattern[] =
  "<(script|img|iframe|frame|audio|video|source|track|embed|object|input)"
  "[[:space:]][^>]*(src|data)[[:space:]]*=[[:space:]]*[\"']?"
  "(http://[^\"' >]*)"
  "|<link[[:space:]][^>]*stylesheet[^>]*href[[:space:]]*=[[:space:]]*"
  "[\"']?(http://[^\"' >]*)";

static regex_t mixed_regex;
static bool mixed_ready;
static pthread_once_t mixed_once = PTHREAD_ONCE_INIT;

static void
compile_mixed(void)
{
  mixed_ready = regcomp(&mixed_regex, mixed_pattern,
                        REG_EXTENDED | REG_ICASE) == 0;
}

void
check_mixed_content(const struct check_input *in, struct check_findings *out)
{
  const struct probe_result *r = content_page(in);
  regmatch_t m[5];

  if (r == NULL || !r->ok || r->body == NULL ||
      strncmp(probe_final(r)->url, "https://", 8) != 0)
    return;
  pthread_once(&mixed_once, compile_mixed);
  if (!mixed_ready || regexec(&mixed_regex, r->body, 5, m, 0) != 0)
    return;
  int g = m[3].rm_so >= 0 ? 3 : 4;
  check_add(out, in->findings, "mixed-content", "%s loads %.*s",
            probe_final(r)->url, (int)(m[g].rm_eo - m[g].rm_so),
            r->body + m[g].rm_so);
}
