// Scores canned retrievals with the MDN HTTP Observatory's own test
// functions and compares them with simpul's scores of the same cases.
//   node reference.mjs CASES.json SIMPUL_RESULTS.json
// CASES is the input of tests/integration/obs_driver.c; SIMPUL_RESULTS is
// its output. The retriever's work is rebuilt here from each case the way
// the package's src/retriever/ builds it (Node.js header combination, axios
// header cleaning and JSON body parsing, the cookie agent's jar), so the
// comparison covers the scoring, not the fetching. Prints one PASS or FAIL
// line per case named in CASES, and one line for all cases named random_*.
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import url from "node:url";

const pkg = new URL(
  "./node_modules/@mdn/mdn-http-observatory/",
  import.meta.url
);
const require = createRequire(new URL("package.json", pkg));
const { AxiosHeaders } = require("axios");
const { CookieJar } = require("tough-cookie");
const { ALL_TESTS } = await import(new URL("src/constants.js", pkg));
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await import(
  new URL("src/grader/charts.js", pkg)
);
const { getGradeForScore, getScoreModifier } = await import(
  new URL("src/grader/grader.js", pkg)
);
const { parseHttpEquivHeaders } = await import(
  new URL("src/retriever/utils.js", pkg)
);
const { Requests, HTML_TYPES } = await import(new URL("src/types.js", pkg));

// Header lines combined by Node's own IncomingMessage code. The values are
// the case's UTF-8 bytes read as Latin-1, as Node reads header bytes.
function nodeHeaders(pairs) {
  const dest = {};
  const msg = Object.create(http.IncomingMessage.prototype);
  for (const [name, value] of pairs) {
    const latin1 = Buffer.from(value, "utf8")
      .toString("latin1")
      .replace(/^[ \t]+|[ \t]+$/g, "");
    http.IncomingMessage.prototype._addHeaderLine.call(msg, name, latin1, dest);
  }
  return dest;
}

// The body as axios hands it over: a leading BOM dropped, JSON parsed.
function axiosData(body) {
  let data = (body ?? "").replace(/^\uFEFF/, "");
  if (data) {
    try {
      data = JSON.parse(data);
    } catch {
      // not JSON: the text stays
    }
  }
  return data;
}

function finalOf(session) {
  if (!session?.ok || !session.chain?.length) return null;
  const last = session.chain[session.chain.length - 1];
  return {
    status: last.status,
    headers: new AxiosHeaders(nodeHeaders(last.headers)),
    data: axiosData(session.body),
    verified: session.verified !== false,
    config: { url: last.url },
    request: {},
  };
}

// The cookie agent stores each response's cookies under the request URL.
function storeCookies(jar, session, httpsOnly) {
  for (const hop of session?.ok ? session.chain : []) {
    const u = new URL(hop.url);
    if (httpsOnly && u.protocol !== "https:") continue;
    const requestUrl = url.format({
      host: u.hostname,
      pathname: u.pathname + u.search,
      protocol: u.protocol,
    });
    for (const c of [nodeHeaders(hop.headers)["set-cookie"] ?? []].flat()) {
      jar.setCookieSync(c, requestUrl, { ignoreError: true });
    }
  }
}

function history(session) {
  return (session?.chain ?? []).map((r) => ({
    url: new URL(r.url),
    status: r.status,
  }));
}

function buildRequests(c) {
  const r = new Requests(c.host);
  r.responses.http = finalOf(c.http);
  r.responses.https = finalOf(c.https);
  r.responses.httpRedirects = history(c.http);
  r.responses.httpsRedirects = r.responses.httpRedirects;
  const autoCase = r.responses.https ? c.https : c.http;
  r.responses.auto = r.responses.https ?? r.responses.http;
  if (!r.responses.auto) return { requests: r, corsUrl: null };
  const jar = new CookieJar();
  const session = {
    url: new URL(autoCase.chain[0].url),
    jar,
    redirectHistory: history(autoCase),
  };
  r.session = session;
  r.resources.path = r.responses.auto.data;
  storeCookies(jar, autoCase, false);
  const unverified = autoCase.verified === false;
  const robots = finalOf(c.robots);
  if (unverified) {
    storeCookies(jar, c.robots, true);
    if (robots && robots.status >= 200 && robots.status < 300) {
      session.redirectHistory.push({ url: new URL(c.robots.chain[0].url) });
    }
  }
  const corsUrl =
    session.redirectHistory[session.redirectHistory.length - 1].url.href;
  const cors = finalOf(c.cors);
  r.responses.cors =
    cors && cors.status >= 200 && cors.status < 300 ? cors : null;
  if (unverified) storeCookies(jar, c.cors, true);
  const type = r.responses.auto.headers["content-type"]?.split(";")[0];
  r.responses.auto.httpEquiv =
    HTML_TYPES.has(type) && r.resources.path
      ? parseHttpEquivHeaders(r.resources.path, session.url.href)
      : new Map();
  return { requests: r, corsUrl };
}

// The scanner's own steps after retrieval (src/scanner/index.js).
function score(c) {
  const { requests, corsUrl } = buildRequests(c);
  const auto = requests.responses.auto;
  if (!auto) return { error: "down", corsUrl };
  if (auto.status < 200 || (auto.status >= 400 && ![401, 403].includes(auto.status))) {
    return { error: "status", corsUrl };
  }
  const results = ALL_TESTS.map((test) => test(requests));
  let withExtra = 100;
  let uncurved = 100;
  const tests = {};
  for (const t of results) {
    t.scoreModifier = getScoreModifier(t.result);
    withExtra += t.scoreModifier;
    if (t.scoreModifier < 0) uncurved += t.scoreModifier;
    tests[t.constructor.name] = {
      result: t.result,
      pass: t.pass,
      scoreModifier: t.scoreModifier,
    };
  }
  const total = uncurved >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? withExtra : uncurved;
  const { score: s, grade } = getGradeForScore(total);
  return { score: s, grade, tests, corsUrl };
}

function differences(want, got) {
  const diffs = [];
  if ((want.corsUrl ?? null) !== (got.corsUrl ?? null)) {
    diffs.push(`CORS URL ${got.corsUrl}, Observatory ${want.corsUrl}`);
  }
  if (want.error) {
    if (got.grade !== null) diffs.push(`graded ${got.grade}, Observatory ${want.error}`);
    return diffs;
  }
  if (got.score !== want.score) diffs.push(`score ${got.score}, Observatory ${want.score}`);
  if (got.grade !== want.grade) diffs.push(`grade ${got.grade}, Observatory ${want.grade}`);
  for (const [name, t] of Object.entries(want.tests)) {
    const g = got.tests?.[name];
    if (!g || g.result !== t.result || g.pass !== t.pass) {
      diffs.push(
        `${name} ${g?.result}/${g?.pass}, Observatory ${t.result}/${t.pass}`
      );
    }
  }
  return diffs;
}

const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const simpul = JSON.parse(fs.readFileSync(process.argv[3], "utf8"));
let randomCount = 0;
const randomFailures = [];
cases.forEach((c, i) => {
  let want;
  try {
    want = score(c);
  } catch (e) {
    want = { error: `threw ${e.message}` };
  }
  const diffs = differences(want, simpul[i] ?? {});
  const line = diffs.length
    ? `FAIL observatory_case_${c.name}: ${diffs.join("; ")}`
    : `PASS observatory_case_${c.name}`;
  if (c.name.startsWith("random_")) {
    randomCount++;
    if (diffs.length) randomFailures.push(line);
  } else {
    console.log(line);
  }
});
if (randomCount) {
  for (const line of randomFailures) console.log(line);
  if (!randomFailures.length) {
    console.log(`PASS observatory_random_cases_${randomCount}`);
  }
}
