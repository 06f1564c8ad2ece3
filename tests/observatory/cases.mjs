// Writes the canned retrievals that observatory_cases.sh scores with both
// simpul (tests/integration/obs_driver.c) and the Observatory's own test
// functions (reference.mjs), as one JSON array on stdout:
//   node cases.mjs [RANDOM_COUNT]
// The named cases reach every result id the ten tests can give. The random
// ones mix header values, cookies and scripts to catch interactions between
// the tests; their seed is fixed, so every run makes the same cases.
const HOST = "agency.test";
const HTML = "text/html; charset=utf-8";

// A site answering https://HOST/ with `headers` and `body`; plain HTTP
// redirects there unless `http` says otherwise.
function site(name, o = {}) {
  const host = o.host ?? HOST;
  const headers = [["Content-Type", o.type ?? HTML], ...(o.headers ?? [])];
  const status = o.status ?? 200;
  const https = {
    ok: true,
    verified: o.verified ?? true,
    chain: [
      ...(o.httpsChain ?? []),
      { url: `https://${host}/`, status, headers },
    ],
    body: o.body ?? "<!doctype html><title>x</title><p>x</p>",
  };
  const http = o.http ?? {
    ok: true,
    verified: o.verified ?? true,
    chain: [
      {
        url: `http://${host}/`,
        status: 301,
        headers: [["Location", `https://${host}/`], ...(o.httpHeaders ?? [])],
      },
      { url: `https://${host}/`, status, headers },
    ],
    body: https.body,
  };
  const cors = o.cors
    ? {
        ok: true,
        chain: [{ url: `https://${host}/`, status: o.corsStatus ?? 200, headers: o.cors }],
      }
    : { ok: true, chain: [{ url: `https://${host}/`, status: 405, headers: [] }] };
  return {
    name,
    host,
    http,
    https: o.noHttps ? { ok: false } : https,
    robots: o.robots ?? { ok: false },
    cors,
  };
}

const csp = (v) => [["Content-Security-Policy", v]];
const meta = (html) => `<!doctype html><html><head>${html}</head><body>x</body></html>`;
const cookie = (...lines) => lines.map((l) => ["Set-Cookie", l]);
const sts = [["Strict-Transport-Security", "max-age=31536000"]];

const named = [
  site("csp_missing"),
  site("csp_report_only", { headers: [["Content-Security-Policy-Report-Only", "default-src 'none'"]] }),
  site("csp_default_none", { headers: csp("default-src 'none'") }),
  site("csp_default_self", { headers: csp("default-src 'self'") }),
  site("csp_unsafe_inline", { headers: csp("default-src 'self'; script-src 'self' 'unsafe-inline'") }),
  site("csp_data_script", { headers: csp("default-src 'self'; script-src data:") }),
  site("csp_unsafe_eval", { headers: csp("default-src 'self'; script-src 'self' 'unsafe-eval'") }),
  site("csp_broad_scheme", { headers: csp("default-src https:") }),
  site("csp_object_broad", { headers: csp("default-src 'self'; object-src *") }),
  site("csp_insecure_active", { headers: csp("default-src 'self'; script-src http://cdn.test") }),
  site("csp_insecure_passive", { headers: csp("default-src 'self'; img-src http://img.test") }),
  site("csp_insecure_plain_http", {
    noHttps: true,
    http: { ok: true, verified: true, chain: [{ url: `http://${HOST}/`, status: 200, headers: [["Content-Type", HTML], ...csp("default-src 'self'; script-src http://cdn.test")] }], body: "" },
  }),
  site("csp_style_inline", { headers: csp("default-src 'none'; style-src 'unsafe-inline'") }),
  site("csp_strict_dynamic_alone", { headers: csp("default-src 'self'; script-src 'strict-dynamic'") }),
  site("csp_strict_dynamic_nonce", { headers: csp("object-src 'none'; script-src 'nonce-abc' 'strict-dynamic' 'unsafe-inline' https: 'self'") }),
  site("csp_nonce_voids_inline", { headers: csp("default-src 'self'; script-src 'sha256-abc' 'unsafe-inline'") }),
  site("csp_duplicate_directive", { headers: csp("default-src 'self'; default-src 'none'") }),
  site("csp_duplicate_report_uri", { headers: csp("default-src 'self'; report-uri /a; report-uri /b") }),
  site("csp_empty", { headers: csp("") }),
  site("csp_too_short", { headers: csp("a b") }),
  site("csp_upper_case", { headers: csp("DEFAULT-SRC 'NONE'") }),
  site("csp_empty_source_list", { headers: csp("default-src; script-src 'self'") }),
  site("csp_two_headers", { headers: [...csp("default-src 'none'"), ...csp("script-src 'self'")] }),
  site("csp_meta_only", { body: meta(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`) }),
  site("csp_meta_frame_ancestors_only", { body: meta(`<meta http-equiv="content-security-policy" content="frame-ancestors 'none'">`) }),
  site("csp_meta_with_frame_ancestors", { body: meta(`<meta http-equiv=" Content-Security-Policy " content="default-src 'self'; frame-ancestors 'none'">`) }),
  site("csp_header_and_meta", {
    headers: csp("default-src 'self' https://a.test; script-src 'self' https://a.test/js/"),
    body: meta(`<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src https://a.test/js/app.js 'unsafe-inline'">`),
  }),
  site("csp_two_meta", {
    body: meta(`<meta http-equiv="Content-Security-Policy" content="script-src 'self' https://b.test/a/"><meta http-equiv="Content-Security-Policy" content="script-src https://b.test/a/%7Ex.js; object-src 'none'">`),
  }),
  site("csp_meta_malformed_escape", {
    body: meta(`<meta http-equiv="Content-Security-Policy" content="script-src https://b.test/%zz/"><meta http-equiv="Content-Security-Policy" content="script-src https://b.test/%zz/x.js">`),
  }),
  site("csp_meta_in_template", { body: meta(`<template><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></template>`) }),
  site("csp_meta_not_html", { type: "text/plain", body: meta(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`) }),
  site("csp_prefix_sources", { headers: csp("default-src 'none'; script-src http: http://x.test https://y.test") }),
  site("xfo_deny", { headers: [["X-Frame-Options", "DENY"]] }),
  site("xfo_sameorigin", { headers: [["X-Frame-Options", " sameorigin "]] }),
  site("xfo_allow_from", { headers: [["X-Frame-Options", "ALLOW-FROM https://x.test"]] }),
  site("xfo_invalid", { headers: [["X-Frame-Options", "deny, deny"]] }),
  site("xfo_via_csp", { headers: [...csp("default-src 'self'; frame-ancestors 'none'"), ["X-Frame-Options", "bogus"]] }),
  site("xcto_nosniff", { headers: [["X-Content-Type-Options", "NoSniff"]] }),
  site("xcto_invalid", { headers: [["X-Content-Type-Options", "nosniff, nosniff"]] }),
  site("xcto_empty", { headers: [["X-Content-Type-Options", ""]] }),
  site("referrer_private", { headers: [["Referrer-Policy", "no-referrer"]] }),
  site("referrer_unsafe", { headers: [["Referrer-Policy", "unsafe-url"]] }),
  site("referrer_invalid", { headers: [["Referrer-Policy", "bogus"]] }),
  site("referrer_list", { headers: [["Referrer-Policy", "no-referrer, bogus, unsafe-url, foo"]] }),
  site("referrer_meta", { headers: [["Referrer-Policy", "no-referrer"]], body: meta(`<meta name="Referrer" content="origin">`) }),
  site("referrer_meta_with_equiv", { body: meta(`<meta name="referrer" http-equiv="x" content="origin">`) }),
  site("hsts_ok", { headers: sts }),
  site("hsts_short", { headers: [["Strict-Transport-Security", "max-age=300; includeSubDomains"]] }),
  site("hsts_no_max_age", { headers: [["Strict-Transport-Security", "includeSubDomains"]] }),
  site("hsts_nan_max_age", { headers: [["Strict-Transport-Security", "max-age=abc"]] }),
  site("hsts_twice", { headers: [...sts, ...sts] }),
  site("hsts_unverified", { headers: sts, verified: false }),
  site("redirection_missing", {
    http: { ok: true, verified: true, chain: [{ url: `http://${HOST}/`, status: 200, headers: [] }], body: "" },
  }),
  site("redirection_not_to_https", {
    http: { ok: true, verified: true, chain: [
      { url: `http://${HOST}/`, status: 302, headers: [["Location", "/a"]] },
      { url: `http://${HOST}/a`, status: 200, headers: [] }], body: "" },
  }),
  site("redirection_initial_http", {
    http: { ok: true, verified: true, chain: [
      { url: `http://${HOST}/`, status: 301, headers: [] },
      { url: `http://www.${HOST}/`, status: 301, headers: [] },
      { url: `https://${HOST}/`, status: 200, headers: [] }], body: "" },
  }),
  site("redirection_off_host", {
    http: { ok: true, verified: true, chain: [
      { url: `http://${HOST}/`, status: 301, headers: [] },
      { url: `https://www.${HOST}/`, status: 200, headers: [] }], body: "" },
  }),
  site("redirection_no_http", { http: { ok: false } }),
  site("redirection_invalid_cert", { verified: false }),
  site("cookies_good", { headers: [...sts, ...cookie("SESSIONID=1; Secure; HttpOnly; SameSite=Lax")] }),
  site("cookies_no_samesite", { headers: [...sts, ...cookie("SESSIONID=1; Secure; HttpOnly")] }),
  site("cookies_insecure_hsts", { headers: [...sts, ...cookie("theme=dark; SameSite=Lax")] }),
  site("cookies_insecure", { headers: cookie("theme=dark") }),
  site("cookies_session_insecure_hsts", { headers: [...sts, ...cookie("PHPSESSID=1; HttpOnly; SameSite=Strict")] }),
  site("cookies_session_insecure", { headers: cookie("PHPSESSID=1; HttpOnly") }),
  site("cookies_session_not_httponly", { headers: [...sts, ...cookie("login_token=1; Secure")] }),
  site("cookies_samesite_invalid", { headers: [...sts, ...cookie("a=1; Secure; SameSite=bogus")] }),
  site("cookies_samesite_empty", { headers: [...sts, ...cookie("a=1; Secure; SameSite")] }),
  site("cookies_samesite_none_insecure", { headers: [...sts, ...cookie("a=1; SameSite=None")] }),
  site("cookies_csrf", { headers: [...sts, ...cookie("csrftoken=1; Secure")] }),
  site("cookies_public_suffix", { headers: cookie("a=1; Domain=test") }),
  site("cookies_other_domain", { headers: cookie("a=1; Domain=other.test") }),
  site("cookies_parent_domain", { host: "www.agency.test", headers: cookie("a=1; Domain=.Agency.test") }),
  site("cookies_host_prefix", { headers: cookie("__Host-a=1; Path=/x; Secure") }),
  site("cookies_secure_prefix", { headers: cookie("__Secure-a=1") }),
  site("cookies_unparsable", { headers: cookie("novalue", "=x", "a\u0001=1") }),
  site("cookies_heroku", { headers: cookie("heroku-session-affinity=1") }),
  site("cookies_on_redirect", {
    headers: sts,
    httpsChain: [{ url: `https://${HOST}/`, status: 302, headers: cookie("sess=1; Path=/") }],
  }),
  site("cookies_replaced", {
    headers: [...sts, ...cookie("sess=2; Secure; HttpOnly; SameSite=Lax; Path=/")],
    httpsChain: [{ url: `https://${HOST}/`, status: 302, headers: cookie("sess=1; Path=/") }],
  }),
  site("cookies_expired_stays", { headers: cookie("a=; Max-Age=0") }),
  site("cors_public", { cors: [["Access-Control-Allow-Origin", "*"]] }),
  site("cors_restricted", { cors: [["Access-Control-Allow-Origin", "https://x.test"]] }),
  site("cors_reflected_credentials", {
    cors: [["Access-Control-Allow-Origin", "https://http-observatory.security.mozilla.org"], ["Access-Control-Allow-Credentials", "true"]],
  }),
  site("cors_preflight_error", { cors: [["Access-Control-Allow-Origin", "*"]], corsStatus: 403 }),
  site("corp_same_site", { headers: [["Cross-Origin-Resource-Policy", "same-site"]] }),
  site("corp_same_origin", { headers: [["Cross-Origin-Resource-Policy", "Same-Origin"]] }),
  site("corp_cross_origin", { headers: [["Cross-Origin-Resource-Policy", "cross-origin"]] }),
  site("corp_invalid", { headers: [["Cross-Origin-Resource-Policy", "nope"]] }),
  site("corp_empty", { headers: [["Cross-Origin-Resource-Policy", " "]] }),
  site("sri_not_html", { type: "application/json", body: "{}" }),
  site("sri_type_with_space", { type: "text/html ; charset=utf-8", body: `<script src="http://evil.test/x.js"></script>` }),
  site("sri_no_scripts", { body: "<p>hi</p>" }),
  site("sri_inline_only", { body: "<script>var a = 1;</script>" }),
  site("sri_relative", { body: `<script src="/app.js"></script>` }),
  site("sri_relative_integrity", { body: `<script src="/app.js" integrity="sha384-abc"></script>` }),
  site("sri_same_domain", { body: `<script src="https://cdn.agency.test/a.js"></script>` }),
  site("sri_same_domain_integrity", { body: `<script src="https://cdn.agency.test/a.js" integrity="sha384-x"></script>` }),
  site("sri_external_integrity", { body: `<script src="https://cdn.other.test/a.js" integrity="sha384-x" crossorigin="anonymous"></script>` }),
  site("sri_external_https", { body: `<script src="https://cdn.other.test/a.js"></script>` }),
  site("sri_external_http", { body: `<script src="http://cdn.other.test/a.js"></script>` }),
  site("sri_external_http_integrity", { body: `<script src="HTTP://CDN.Other.test/a.js" integrity="sha384-x"></script>` }),
  site("sri_protocol_relative", { body: `<script src="//cdn.other.test/a.js" integrity="sha384-x"></script>` }),
  site("sri_scheme_without_slashes", { body: `<script src="http:cdn.other.test/a.js"></script>` }),
  site("sri_data_url", { body: `<script src="data:text/javascript,1"></script>` }),
  site("sri_svg_script", { body: `<svg><script src="http://cdn.other.test/a.js"></script></svg>` }),
  site("sri_template_script", { body: `<template><script src="http://cdn.other.test/a.js"></script></template><p>x</p>` }),
  site("sri_noscript_script", { body: `<noscript><script src="http://cdn.other.test/a.js"></script></noscript>` }),
  site("sri_title_text", { body: `<title><script src="http://cdn.other.test/a.js"></script></title>` }),
  site("sri_mixed", {
    body: `<script src="/a.js"></script><script src="https://x.test/b.js" integrity="sha384-x"></script><script src="https://y.test/c.js"></script>`,
  }),
  site("sri_plain_http_relative_integrity", {
    noHttps: true,
    http: { ok: true, verified: true, chain: [{ url: `http://${HOST}/`, status: 200, headers: [["Content-Type", HTML]] }], body: `<script src="/a.js" integrity="sha384-x"></script>` },
  }),
  site("body_json_array", { body: `["<script src=\\"http://evil.test/x.js\\"></script>"]` }),
  site("body_json_object", { body: `{"a": "<script src=\\"http://evil.test/x.js\\"></script>"}` }),
  site("body_json_zero", { body: "0" }),
  site("body_bom", { body: `\uFEFF<meta http-equiv="Content-Security-Policy" content="default-src 'none'">` }),
  site("status_401", { status: 401 }),
  site("status_404", { status: 404 }),
  site("status_500", { status: 500 }),
  site("status_302_final", { status: 302 }),
  site("down", { noHttps: true, http: { ok: false } }),
  site("unverified_robots_2xx", {
    verified: false,
    headers: cookie("a=1; Secure; HttpOnly; SameSite=Lax"),
    robots: { ok: true, chain: [{ url: `https://${HOST}/robots.txt`, status: 200, headers: cookie("sess=1") }] },
  }),
  site("unverified_robots_404", {
    verified: false,
    robots: { ok: true, chain: [{ url: `https://${HOST}/robots.txt`, status: 404, headers: [] }] },
  }),
  site("good_site", {
    headers: [
      ...csp("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
      ...sts,
      ["X-Content-Type-Options", "nosniff"],
      ["X-Frame-Options", "DENY"],
      ["Referrer-Policy", "strict-origin-when-cross-origin"],
      ["Cross-Origin-Resource-Policy", "same-origin"],
      ...cookie("SESSION=1; Secure; HttpOnly; SameSite=Strict"),
    ],
    body: `<script src="/app.js" integrity="sha384-abc"></script>`,
  }),
];

// mulberry32: a small seeded generator, so every run makes the same cases.
function rng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const POOLS = {
  "Content-Security-Policy": [
    "default-src 'none'", "default-src 'self'", "script-src 'self' 'unsafe-inline'",
    "default-src 'self'; style-src 'unsafe-inline' 'self'", "default-src *",
    "default-src 'self' http:; img-src data: http://i.test", "script-src 'nonce-x' 'strict-dynamic' https:",
    "script-src 'strict-dynamic'", "default-src 'none'; frame-ancestors 'self'; report-uri /r; report-uri /s",
    "object-src 'none'; script-src 'self' 'unsafe-eval'", "default-src 'self'; media-src ftp://m.test",
    "Default-Src 'SELF' 'Self'; Script-Src", "img-src", "default-src 'self'; default-src 'none'",
    "script-src https://a.test/js/ 'self'; object-src 'none'", "script-src https://a.test/js/app.js https://a.test/%7e/",
    "script-src https://a.test/js/%zz/x; object-src 'none'", "default-src 'self'\u00a0https:", "default-src\t'none' ;;",
    "script-src 'sha256-x' 'unsafe-inline' 'unsafe-eval'; style-src 'nonce-y' 'unsafe-inline'",
    "default-src 'none'; script-src * ; report-to g", "upgrade-insecure-requests; default-src https:",
    "script-src 'self' https://a.test https://a.test.evil http://a.test/x", "sandbox; frame-ancestors 'none'",
  ],
  "Content-Security-Policy-Report-Only": ["default-src 'none'", ""],
  "Strict-Transport-Security": [
    "max-age=31536000", "max-age=15552000", "max-age=15551999", "max-age=0; preload",
    "MAX-AGE=63072000; includeSubDomains; preload", "max-age=-1", "max-age=1e9", "includeSubDomains",
    "max-age=  100", "max-age=\"31536000\"", "max-age=10; max-age=31536000", "max-age=31536000;max-age=x",
  ],
  "X-Frame-Options": ["DENY", "sameorigin", "allow-from https://x.test", "bogus", "", "deny\u00a0"],
  "X-Content-Type-Options": ["nosniff", "NOSNIFF ", "bogus", "nosniff\u00a0"],
  "Referrer-Policy": ["no-referrer", "same-origin", "unsafe-url", "origin, strict-origin", "bogus", "no-referrer-when-downgrade", "", " , "],
  "Cross-Origin-Resource-Policy": ["same-site", "same-origin", "cross-origin", "bogus", ""],
  "Set-Cookie": [
    "SESSIONID=1; Secure; HttpOnly; SameSite=Lax", "theme=dark", "csrf=1; Secure", "csrf=1; Secure; SameSite=Strict",
    "login=1; Secure", "sess=1; HttpOnly", "a=1; SameSite=None", "a=1; Secure; SameSite=None",
    "b=1; SameSite=wrong; Secure", "c=1; Domain=agency.test; Secure; SameSite=Lax", "d=1; Domain=test",
    "__Host-e=1; Secure; Path=/", "__Secure-f=1", "g=1; Domain=metrokota.go.id; Secure", "h=1; Domain=go.id",
    "i=1; Path=/x; Secure; HttpOnly; SameSite=Lax", "i=1; Secure; HttpOnly; SameSite=Lax", "j=1; SameSite=Lax=Strict; Secure",
    "k=1; samesite=STRICT; secure; httponly", "heroku-session-affinity=x", "l", "=m", "n=1; Domain=.www.agency.test",
  ],
  "Cross-Origin-Opener-Policy": ["same-origin", "bogus"],
};
const HOSTS = ["agency.test", "www.agency.test", "pemkot.metrokota.go.id", "metrokota.go.id"];
const SCRIPTS = [
  "<script>1</script>", `<script src="/a.js"></script>`, `<script src="/a.js" integrity="sha384-x"></script>`,
  `<script src="https://cdn.agency.test/a.js"></script>`, `<script src="https://cdn.other.test/a.js" integrity="sha384-x"></script>`,
  `<script src="https://cdn.other.test/a.js"></script>`, `<script src="http://cdn.other.test/a.js"></script>`,
  `<script src="//cdn.other.test/a.js"></script>`, `<script src="http://cdn.other.test/a.js" integrity="x"></script>`,
  `<meta http-equiv="Content-Security-Policy" content="default-src 'none'">`, `<meta name="referrer" content="unsafe-url">`,
  `<meta http-equiv="content-security-policy" content="script-src 'self' https://a.test/js/">`,
  `<meta http-equiv="Content-Security-Policy" content="frame-ancestors 'none'; report-uri /x">`,
  `<meta name=referrer content="no-referrer">`, `<script src="https://cdn.metrokota.go.id/a.js"></script>`,
  `<script src="HTTPS://CDN.Metrokota.GO.ID/a.js" integrity="sha384-x"></script>`, `<script src="https://x.go.id/a.js"></script>`,
  `<script src="https://user@cdn.agency.test:8443/a.js"></script>`, `<script src="https://cdn.agency.test./a.js"></script>`,
  `<script src="https://127.0.0.1/a.js"></script>`, `<script src="http:cdn.other.test/a.js"></script>`,
  `<script src=" //cdn.other.test/a.js "></script>`, `<script src="https://sub.github.io/a.js" integrity="y"></script>`,
  `<!-- <script src="http://cdn.other.test/c.js"></script> -->`, `<template><script src="http://x.test/t.js"></script></template>`,
  `<svg><script src="http://x.test/s.js"></script></svg>`, `<script src=""></script>`, `<script src="a.js" integrity=""></script>`,
  `<textarea><script src="http://x.test/t.js"></script></textarea>`, `<noscript><script src="//x.test/n.js"></script></noscript>`,
];

function randomCase(i, next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const headers = [];
  for (const [name, values] of Object.entries(POOLS)) {
    const times = next() < 0.5 ? 0 : next() < 0.8 ? 1 : 2;
    for (let k = 0; k < times; k++) headers.push([name, pick(values)]);
  }
  let body = "<!doctype html><p>x</p>";
  const scripts = Math.floor(next() * 5);
  for (let k = 0; k < scripts; k++) body += pick(SCRIPTS);
  if (next() < 0.05) body = JSON.stringify([body]);
  const cors = next() < 0.3 ? [["Access-Control-Allow-Origin", pick(["*", "https://x.test", " * "])]] : null;
  const o = { host: pick(HOSTS), headers, body, cors, verified: next() > 0.1 };
  if (next() < 0.1) o.type = pick(["text/plain", "application/xhtml+xml", "TEXT/HTML", "text/html;charset=x"]);
  if (next() < 0.15) o.noHttps = true;
  if (next() < 0.1) o.status = pick([201, 204, 302, 401, 403, 404, 500]);
  const h = o.host;
  if (next() < 0.15) o.http = { ok: true, verified: true, chain: [{ url: `http://${h}/`, status: 200, headers: [] }], body: "" };
  else if (next() < 0.15) o.http = { ok: true, verified: true, chain: [
    { url: `http://${h}/`, status: 301, headers: [] },
    { url: pick([`http://www.${h}/`, `https://www.${h}/`, `https://other.test/`]), status: 301, headers: [] },
    { url: pick([`https://${h}/`, `http://${h}/x`]), status: 200, headers: [] }], body: "" };
  else if (next() < 0.05) o.http = { ok: false };
  if (next() < 0.1) o.httpsChain = [{ url: `https://${h}/`, status: 302, headers: cookie(pick(POOLS["Set-Cookie"])) }];
  const c = site(`random_${String(i).padStart(4, "0")}`, o);
  if (o.noHttps && o.http?.ok !== false) {
    c.http = { ok: true, verified: true, chain: [{ url: `http://${h}/`, status: o.status ?? 200, headers: [["Content-Type", o.type ?? HTML], ...headers] }], body };
  }
  if (!o.verified && next() < 0.5) {
    c.robots = { ok: true, chain: [{ url: `https://${h}/robots.txt`, status: pick([200, 404]), headers: cookie(pick(POOLS["Set-Cookie"])) }] };
  }
  return c;
}

const count = Number(process.argv[2] ?? 300);
const next = rng(20251204);
const cases = [...named];
for (let i = 0; i < count; i++) cases.push(randomCase(i, next));
process.stdout.write(JSON.stringify(cases, null, 1) + "\n");
