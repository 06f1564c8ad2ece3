# `simpul examine` against the imitation agency sites of tests/lib/sites.sh
# (nginx and misbehave.py inside a network namespace of this script's own):
# each site's outcome, findings, grade and TLS facts, then `simpul report`
# in its three formats.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/sites.sh"
sites_enter_namespace "$@"

if ! sites_setup "$WORK/sites" || ! sites_start; then
  fail sites_start "the imitation sites did not start"
  exit 1
fi

# The catalog: one app per site, an Android app without a backend URL.
for site in $SITES; do
  var=SITES_URL_${site%.test}
  echo "${site%.test} ${!var}"
done | {
  cat
  echo "android-noback - android id.go.uji.android"
  echo "wpport http://wpport.test:8081/"
} | sites_write_catalog "$WORK"
simpul_cli catalog import "$WORK/agencies.csv" "$WORK/apps.csv" \
  >"$WORK/import.out" 2>&1
expect_eq catalog_import "$?" 0

# Every site's requests run in parallel, so the slow site costs about one
# timeout (2 s), twice at most (its CORS request follows its main page).
sites_examine examine 15 --allow-private 127.0.0.0/8 --cacert "$SITES_CA" \
  --timeout 2
expect_match examine_summary "$(cat "$WORK/examine.out")" \
  'job [0-9]+: 12 aplikasi diperiksa / apps examined'

simpul_cli report --format json --output "$WORK/report.json" 2>"$WORK/report.err"
expect_eq report_json_exit "$?" 0

q() { sites_result "$@"; }
# has_finding APP ID: prints yes or no.
has_finding() {
  q "$1" "[.findings[].id] | index(\"$2\") != null | if . then \"yes\" else \"no\" end"
}
expect_finding() { expect_eq "${1}_finding_$2" "$(has_finding "$1" "$2")" yes; }
expect_no_finding() { expect_eq "${1}_no_$2" "$(has_finding "$1" "$2")" no; }

# --- a well configured site --------------------------------------------
expect_eq good_outcome "$(q good .outcome)" ok
expect_eq good_status "$(q good .http_status)" 200
expect_eq good_final_url "$(q good .final_url)" https://good.test/
expect_match good_grade "$(q good .grade)" '^A'
expect_eq good_https_redirect "$(q good .https_redirect)" true
expect_eq good_tls_trusted "$(q good .tls.trusted)" true
expect_eq good_tls_valid "$(q good .tls.valid)" true
expect_match good_tls_issuer "$(q good .tls.issuer)" 'Simpul Test Root CA'
expect_match good_tls_protocol "$(q good .tls.protocol)" '^TLSv1\.[23]$'
expect_match good_tls_expiry "$(q good .tls.expires_at)" '^20[0-9]{2}-'
for id in no-https no-https-redirect hsts-missing csp-missing xfo-missing \
  xcto-missing tls-cert-untrusted tls-cert-expired server-version-disclosed \
  exposed-git cms-detected mixed-content; do
  expect_no_finding good "$id"
done
expect_eq good_finding_count "$(q good '.findings | length')" 0

# tls_connections HOST [r]: the TLS connections of simpul's requests
# that nginx served for HOST, or only those that resumed a TLS session.
tls_connections() {
  awk -v host="$1" -v only="${2:-}" '$1 == host && $4 != "\"-\"" &&
    index($0, "\"simpul-examine/") && !seen[$2]++ &&
    (only == "" || $5 == "\"" only "\"")' "$SITES_DIR/nginx-conns.log" |
    wc -l
}
# After a site's first response, its paths run in SITE_PATH_LANES (4)
# lanes: one on the idle connection of that response, three on new
# connections that resume its TLS session. The CORS preflight takes an
# idle connection or one more, so 5 connections in all, 6 allowing for one
# lane still busy.
good_tls=$(tls_connections good.test)
good_resumed=$(tls_connections good.test r)
if ((good_tls >= 2 && good_tls <= 6)); then pass good_few_connections
else fail good_few_connections "$good_tls TLS connections, expected 2 to 6"; fi
if ((good_resumed >= 1 && good_resumed == good_tls - 1)); then
  pass good_sessions_resumed
else
  fail good_sessions_resumed "$good_resumed of $good_tls connections resumed a session, expected all but the first"
fi

# --- plain HTTP only ---------------------------------------------------
expect_eq plain_outcome "$(q plain .outcome)" ok
expect_finding plain no-https
expect_finding plain xcto-missing
expect_finding plain csp-missing
expect_eq plain_https_available "$(q plain .https_available)" false
expect_eq plain_tls_trusted "$(q plain .tls.trusted)" null
expect_match plain_grade "$(q plain .grade)" '^[A-F]'

# --- certificates ------------------------------------------------------
expect_finding expired tls-cert-expired
expect_no_finding expired tls-cert-untrusted
expect_eq expired_tls_valid "$(q expired .tls.valid)" false
expect_eq expired_tls_trusted "$(q expired .tls.trusted)" false
expect_match expired_tls_expiry "$(q expired .tls.expires_at)" '^2021-01-01'
expect_eq expired_outcome "$(q expired .outcome)" ok
expect_match expired_grade "$(q expired .grade)" '^[A-F]'

expect_finding selfsigned tls-cert-untrusted
expect_no_finding selfsigned tls-cert-expired
expect_eq selfsigned_tls_trusted "$(q selfsigned .tls.trusted)" false
expect_eq selfsigned_tls_valid "$(q selfsigned .tls.valid)" true
expect_match selfsigned_tls_issuer "$(q selfsigned .tls.issuer)" 'selfsigned.test'

# --- exposed files, banners, CMS ----------------------------------------
expect_finding git exposed-git
expect_match git_evidence "$(sites_evidence git exposed-git)" '/\.git/'
expect_no_finding git exposed-env
expect_no_finding git directory-listing

expect_finding oldbanner server-version-disclosed
expect_match oldbanner_server "$(sites_evidence oldbanner server-version-disclosed)" 'nginx/1\.[0-9]+'
expect_finding oldbanner framework-version-disclosed
expect_match oldbanner_php "$(sites_evidence oldbanner framework-version-disclosed)" 'PHP/5\.6\.40'
expect_finding oldbanner software-end-of-life
expect_finding oldbanner no-https-redirect
expect_eq oldbanner_https_redirect "$(q oldbanner .https_redirect)" false

expect_finding wordpress cms-detected
# An app on another port: its own page, not http://HOST/, shows the CMS.
expect_finding wpport cms-detected
expect_match wpport_version "$(sites_evidence wpport cms-detected)" '^WordPress 4\.9\.8'
expect_match wordpress_version "$(sites_evidence wordpress cms-detected)" '^WordPress 4\.9\.8'
expect_no_finding good cms-detected

# --- failures ----------------------------------------------------------
expect_eq loop_outcome "$(q loop .outcome)" http-error
expect_finding loop redirect-loop
expect_match loop_status "$(q loop .http_status)" '^30[178]$'
# The Observatory grades a final 3xx response.
expect_match loop_grade "$(q loop .grade)" '^[A-F]'

expect_eq slow_outcome "$(q slow .outcome)" timeout
expect_finding slow timeout
expect_eq slow_grade "$(q slow .grade)" null
expect_eq slow_score "$(q slow .score)" null

expect_eq error_outcome "$(q error .outcome)" http-error
expect_eq error_status "$(q error .http_status)" 500
expect_finding error http-error
expect_eq error_grade "$(q error .grade)" null

expect_eq android_outcome "$(q android-noback .outcome)" not-examinable
expect_finding android-noback not-examinable
expect_eq android_grade "$(q android-noback .grade)" null

# Graded exactly when the final status is 2xx, 3xx, 401 or 403. wpport
# is left out: its status is its own page's on port 8081, while the
# Observatory grades HOST on ports 80 and 443 (docs/observatory.md).
bad=$(jq -r '.apps[] | select(.code != "wpport") | .examination
  | select(. != null)
  | select((.grade != null) != ((.http_status // 0) as $s
      | ($s >= 200 and $s < 400) or $s == 401 or $s == 403))
  | .app' "$WORK/report.json")
expect_eq grade_presence_rule "$bad" ""

expect_eq guard_no_trapped "$(sites_trapped)" ""

# --- report formats ----------------------------------------------------
simpul_cli report --format csv --output "$WORK/report.csv" 2>/dev/null
expect_eq report_csv_exit "$?" 0
expect_eq report_csv_rows "$(wc -l <"$WORK/report.csv")" 13
expect_match report_csv_header "$(head -n 1 "$WORK/report.csv")" \
  '^code,name,agency,grade,score,availability,outcome,http_status'
expect_match report_csv_git "$(grep '^git,' "$WORK/report.csv")" \
  'exposed-git.*,critical$'

simpul_cli report --format html --output "$WORK/report.html" 2>/dev/null
expect_eq report_html_exit "$?" 0
expect_match report_html_row "$(grep -c '<tr><td><code>' "$WORK/report.html")" '^12$'
expect_match report_html_title "$(cat "$WORK/report.html")" \
  'Repositori .git terbuka <span lang="en">/ Exposed .git repository'
