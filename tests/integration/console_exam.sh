#!/bin/bash
# The console's examination pages, tested through real HTTP against `simpul
# serve` with the sample city loaded. Examination results are put into the
# store with exam_seed.c, because probing sites needs the namespace harness
# of the examination tests. The cases cover the dashboard overview: grades,
# availability, freshness and the apps needing action. On an app's page
# they cover the latest result with findings and remediation in both
# languages, the SVG charts and their table, and escaping of probed text;
# Chromium checks that the charts are painted under the real CSP. Last come
# the job pages, their reload, and starting examinations through the forms
# with their CSRF token.
cd "$(dirname "$0")/../.." || exit 1
# Examinations of the sample city run here: keep their lookups on this machine.
SIMPUL_PRIVATE_NETWORK=${SIMPUL_PRIVATE_NETWORK:-1}
source tests/lib/common.sh
source tests/lib/console.sh
source tests/lib/exam.sh

if ! exam_seed_build; then
  fail exam_seed_build "compiling exam_seed.c failed: $(head -c 400 "$WORK/exam_seed.err")"
  exit 1
fi
# The schedule is off: only the jobs this test starts run.
if ! start_simpul --set examine_interval=0; then
  fail console_exam_server_start "simpul serve did not start"
  exit 1
fi

PASSWORD='correct horse battery'
for role in staff viewer; do
  printf '%s\n' "$PASSWORD" |
    simpul_cli user add "exam-$role" --role "$role" --password-stdin >/dev/null ||
    fail console_exam_setup "could not add the $role user"
done
STAFF_JAR=$WORK/staff.jar
VIEWER_JAR=$WORK/viewer.jar
check console_exam_login_staff login "$STAFF_JAR" exam-staff
check console_exam_login_viewer login "$VIEWER_JAR" exam-viewer

# Three runs: ten days ago, three days ago and ten minutes ago. web-setda
# improves from B to A+; the newest run has one app of each kind of trouble.
DAY=86400
cat >"$WORK/runs.json" <<EOF
{"runs": [
 {"ago": $((10 * DAY)), "results": [
   {"app": "web-setda", "outcome": "ok", "http_status": 200,
    "response_ms": 420, "grade": "B", "score": 70}]},
 {"ago": $((3 * DAY)), "results": [
   {"app": "web-setda", "outcome": "ok", "http_status": 200,
    "response_ms": 310, "grade": "A", "score": 90},
   {"app": "web-dprd", "outcome": "ok", "http_status": 200,
    "response_ms": 150, "grade": "F", "score": 0, "https_available": 1,
    "findings": [{"id": "csp-missing", "severity": "medium",
                  "evidence": "no Content-Security-Policy header"}]},
   {"app": "web-bapenda", "outcome": "ok", "http_status": 200,
    "response_ms": 90, "https_available": 0, "grade": "D", "score": 30,
    "findings": [{"id": "no-https", "severity": "high",
                  "evidence": "port 443 refused the connection"}]}]},
 {"ago": 600, "results": [
   {"app": "web-setda", "outcome": "ok", "http_status": 200,
    "response_ms": 250, "grade": "A+", "score": 105,
    "final_url": "https://web-setda.metrokota.test/",
    "redirects": [{"url": "http://web-setda.metrokota.test/", "status": 301}],
    "https_available": 1, "https_redirect": 1, "tls_valid": 1,
    "tls_trusted": 1, "tls_issuer": "CN=Uji CA <b>Metro</b>",
    "tls_expires_in": $((90 * DAY + DAY / 2)), "tls_protocol": "TLSv1.3",
    "findings": [{"id": "server-version-disclosed", "severity": "low",
      "evidence": "Server: nginx/1.18.0 <script>alert(1)</script>"}]},
   {"app": "web-bappeda", "outcome": "unreachable",
    "error": "Could not resolve host: web-bappeda.metrokota.test",
    "findings": [{"id": "unreachable", "severity": "high",
                  "evidence": "DNS lookup failed"}]},
   {"app": "web-dinkes", "outcome": "timeout",
    "findings": [{"id": "timeout", "severity": "high",
                  "evidence": "no answer in 5 s"}]},
   {"app": "web-bpkad", "outcome": "ok", "http_status": 200,
    "response_ms": 200, "https_available": 1, "tls_valid": 0,
    "tls_trusted": 1, "tls_expires_in": $((-5 * DAY - DAY / 2)), "grade": "C",
    "score": 50, "findings": [{"id": "tls-cert-expired",
      "severity": "high", "evidence": "notAfter 5 days ago"}]},
   {"app": "web-bkpsdm", "outcome": "ok", "http_status": 200,
    "response_ms": 180, "https_available": 1, "grade": "B", "score": 75,
    "findings": [{"id": "exposed-git", "severity": "critical",
                  "evidence": "/.git/HEAD: ref: refs/heads/main"}]},
   {"app": "web-rsud", "outcome": "http-error", "http_status": 500,
    "response_ms": 30, "https_available": 1,
    "findings": [{"id": "http-error", "severity": "medium",
                  "evidence": "GET / answered 500"}]},
   {"app": "aduan-sampah", "outcome": "not-examinable"}]},
 {"queued_for": 3600}
]}
EOF
if ! exam_seed "$SIMPUL_DB" <"$WORK/runs.json" >"$WORK/runs.ids" 2>"$WORK/seed.err"; then
  fail console_exam_seed "exam_seed failed: $(head -c 400 "$WORK/seed.err")"
  exit 1
fi
mapfile -t RUN <"$WORK/runs.ids"
expect_eq console_exam_seed_runs "${#RUN[@]}" 4
NEWEST_RUN=${RUN[2]}
QUEUED_JOB=${RUN[3]}

# html_escaped TEXT: prints TEXT as html_printf escapes it.
html_escaped() {
  printf '%s' "$1" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' \
    -e 's/"/\&quot;/g' -e "s/'/\&#39;/g"
}
# finding_text ID FIELD: prints a text of findings.json, escaped for HTML.
finding_text() {
  html_escaped "$(jq -r ".findings[\"$1\"].$2" data/examine/findings.json)"
}

# --- dashboard -----------------------------------------------------------
page "$VIEWER_JAR" GET /
expect_eq console_exam_dashboard_200 "$STATUS" 200
contains console_exam_dashboard_section 'id="examinations"'
contains console_exam_grade_a_plus '<th scope="row">A+</th><td class="num">1</td>'
contains console_exam_grade_f '<th scope="row">F</th><td class="num">1</td>'
contains console_exam_grade_d '<th scope="row">D</th><td class="num">1</td>'
contains console_exam_not_graded '<th scope="row">Tanpa nilai</th><td class="num">4</td>'
contains console_exam_never_examined '<th scope="row">Belum diperiksa</th><td class="num">112</td>'
contains console_exam_reachable '<th scope="row">Dapat dijangkau</th><td class="num">6</td>'
contains console_exam_unreachable '<th scope="row">Tidak dapat dijangkau</th><td class="num">2</td>'
contains console_exam_not_examinable '<th scope="row">Tidak dapat diperiksa</th><td class="num">1</td>'
contains console_exam_meter '<meter min="0" max="121" value="6">'
contains console_exam_stale 'Tidak diperiksa dalam 1 hari terakhir</dt><dd>2</dd>'
contains console_exam_never_fresh 'Belum pernah diperiksa</dt><dd>112</dd>'
contains console_exam_needs_action_count 'Aplikasi yang perlu ditindaklanjuti (7)'
for app in web-dprd web-bapenda web-bappeda web-dinkes web-bpkad web-bkpsdm web-rsud; do
  contains "console_exam_needs_action_$app" "href=\"/apps/$app#examination\""
done
lacks console_exam_good_app_not_listed 'href="/apps/web-setda#examination"'
lacks console_exam_not_examinable_not_listed 'href="/apps/aduan-sampah#examination"'
contains console_exam_reason_cert 'Sertifikat kedaluwarsa'
contains console_exam_reason_files 'Berkas terbuka'
contains console_exam_reason_https 'Tanpa HTTPS'
contains console_exam_reason_grade 'Nilai rendah'
lacks console_exam_viewer_no_examine_all 'action="/examine"'
lacks console_exam_dashboard_no_inline_style 'style='
page "$STAFF_JAR" GET /
contains console_exam_staff_examine_all 'action="/examine"'

# --- the app page ------------------------------------------------------------
page "$VIEWER_JAR" GET /apps/web-setda
expect_eq console_exam_app_200 "$STATUS" 200
contains console_exam_app_section '<section class="exam" id="examination">'
contains console_exam_app_grade '<span class="tag grade">A+</span> skor 105'
contains console_exam_app_outcome 'Menjawab'
contains console_exam_app_response '250 ms'
contains console_exam_app_redirect '<li><code>301</code> <a href="http://web-setda.metrokota.test/"'
contains console_exam_app_tls_protocol 'TLSv1.3'
contains console_exam_app_issuer_escaped 'CN=Uji CA &lt;b&gt;Metro&lt;/b&gt;'
contains console_exam_app_expiry '(90 hari lagi)'
contains console_exam_app_evidence_escaped 'nginx/1.18.0 &lt;script&gt;alert(1)&lt;/script&gt;'
lacks console_exam_app_no_markup '<script>alert(1)'
contains console_exam_app_finding_title "$(finding_text server-version-disclosed title_id)"
contains console_exam_app_remediation_id "$(finding_text server-version-disclosed remediation_id)"
contains console_exam_app_svg_grades '<title id="chart-grades-title">Riwayat nilai</title>'
contains console_exam_app_svg_times '<title id="chart-times-title">Waktu tanggap</title>'
contains console_exam_app_svg_labelled 'aria-labelledby="chart-grades-title chart-grades-desc"'
contains console_exam_app_svg_line '<polyline fill="none" stroke="#0b5cad"'
expect_eq console_exam_app_svg_bars "$(grep -o '<rect ' "$WORK/page" | wc -l)" 3
contains console_exam_app_point_title ': A+</title>'
contains console_exam_app_bar_title ': 420 ms</title>'
contains console_exam_app_table '<caption>Data grafik, dari yang terbaru</caption>'
expect_eq console_exam_app_table_rows "$(grep -c '<td class="num">105</td>\|<td class="num">90</td>\|<td class="num">70</td>' "$WORK/page")" 3
contains console_exam_app_history_links "href=\"/jobs/$NEWEST_RUN\""
lacks console_exam_app_no_inline_style 'style='
lacks console_exam_app_viewer_no_button 'action="/apps/web-setda/examine"'

page "$VIEWER_JAR" GET /apps/web-bpkad
contains console_exam_app_expired '(kedaluwarsa 5 hari lalu)'
contains console_exam_app_needs_action 'Sertifikat kedaluwarsa'
page "$VIEWER_JAR" GET /apps/web-bappeda
contains console_exam_app_error 'Could not resolve host'
contains console_exam_app_unreachable 'Tidak dapat dijangkau'
contains console_exam_app_no_grade 'tanpa nilai'
page "$VIEWER_JAR" GET /apps/web-disnaker
contains console_exam_app_never 'belum pernah diperiksa'

# A session of its own: the language choice is kept in the session.
check console_exam_login_english login "$WORK/en.jar" exam-viewer
page "$WORK/en.jar" GET '/lang?to=en&next=/'
page "$WORK/en.jar" GET /apps/web-setda
contains console_exam_app_english_title "$(finding_text server-version-disclosed title_en)"
contains console_exam_app_english_remediation "$(finding_text server-version-disclosed remediation_en)"
contains console_exam_app_english_chart '<title id="chart-grades-title">Grade history</title>'
page "$WORK/en.jar" GET /
contains console_exam_dashboard_english 'Applications needing action (7)'
contains console_exam_dashboard_english_stale 'Not examined in the last 1 day</dt><dd>2</dd>'

# --- job pages ---------------------------------------------------------------
page "$VIEWER_JAR" GET /jobs
expect_eq console_exam_jobs_200 "$STATUS" 200
contains console_exam_jobs_link "href=\"/jobs/$NEWEST_RUN\""
contains console_exam_jobs_state 'Selesai'
page "$VIEWER_JAR" GET "/jobs/$NEWEST_RUN"
expect_eq console_exam_job_200 "$STATUS" 200
contains console_exam_job_progress '<progress max="7" value="7"'
contains console_exam_job_results 'href="/apps/web-bkpsdm"'
contains console_exam_job_every_app 'Aplikasi</dt><dd>Semua aplikasi</dd>'
lacks console_exam_job_done_no_refresh 'http-equiv="refresh"'
page "$VIEWER_JAR" GET "/jobs/$QUEUED_JOB"
contains console_exam_job_queued 'Menunggu'
contains console_exam_job_refresh '<meta http-equiv="refresh" content="2">'
contains console_exam_job_indeterminate '<progress aria-label="Progres">'
page "$VIEWER_JAR" GET /jobs/999999999
expect_eq console_exam_job_unknown_404 "$STATUS" 404
page "$VIEWER_JAR" GET /jobs/abc
expect_eq console_exam_job_bad_id_404 "$STATUS" 404

# --- the charts and the reload in Chromium, under the real CSP --------------
if [ -x /usr/bin/chromium ] && [ -d tests/browser/node_modules/playwright-core ]; then
  timeout 60 node tests/browser/exam.mjs "$BASE" exam-viewer "$PASSWORD" \
    web-setda "$QUEUED_JOB" >"$WORK/browser.out" 2>"$WORK/browser.err"
  status=$?
  cat "$WORK/browser.out"
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL ' "$WORK/browser.out"; then
    fail console_exam_browser "node exited with status $status: $(head -c 300 "$WORK/browser.err")"
  fi
else
  fail console_exam_browser "Chromium or playwright-core is missing; run scripts/install-deps test and npm ci in tests/browser"
fi

# --- starting examinations ---------------------------------------------------
form_token "$STAFF_JAR" /apps/web-setda
contains console_exam_app_staff_button 'action="/apps/web-setda/examine"'
contains console_exam_app_button_text 'Periksa sekarang'
# An Android app without a URL: the worker inside serve examines it without
# any network traffic, so the test can wait for the job to end.
form_token "$STAFF_JAR" /apps/presensi-nakes
page "$STAFF_JAR" POST /apps/presensi-nakes/examine "csrf=$TOKEN"
expect_eq console_exam_examine_303 "$STATUS" 303
expect_match console_exam_examine_to_job "$LOCATION" '^/jobs/[0-9]+$'
APP_JOB=${LOCATION#/jobs/}
[ -n "$APP_JOB" ] || APP_JOB=missing
page "$STAFF_JAR" GET "/jobs/$APP_JOB"
expect_eq console_exam_examine_job_200 "$STATUS" 200
contains console_exam_examine_job_app 'href="/apps/presensi-nakes"'
contains console_exam_examine_job_actor 'Dibuat oleh</dt><dd>exam-staff</dd>'
page "$VIEWER_JAR" GET /jobs
contains console_exam_examine_job_listed "href=\"/jobs/$APP_JOB\""
expect_match console_exam_examine_job_cli "$(simpul_cli jobs list 2>&1)" "(^|[^0-9])$APP_JOB([^0-9]|$)"
for ((i = 0; i < 100; i++)); do
  page "$VIEWER_JAR" GET "/jobs/$APP_JOB"
  grep -q 'http-equiv="refresh"' "$WORK/page" || break
  sleep 0.2
done
contains console_exam_examine_job_done 'Status</dt><dd>Selesai</dd>'
lacks console_exam_examine_job_no_refresh 'http-equiv="refresh"'
contains console_exam_examine_job_result '<a href="/apps/presensi-nakes">presensi-nakes</a>'
page "$VIEWER_JAR" GET /apps/presensi-nakes
contains console_exam_examine_app_result 'Tidak dapat diperiksa daring'

page "$STAFF_JAR" POST /apps/web-setda/examine
expect_eq console_exam_examine_without_csrf_403 "$STATUS" 403
form_token "$VIEWER_JAR" /apps/web-setda
page "$VIEWER_JAR" POST /apps/web-setda/examine "csrf=$TOKEN"
expect_eq console_exam_examine_viewer_403 "$STATUS" 403
form_token "$STAFF_JAR" /apps/web-setda
page "$STAFF_JAR" POST /apps/no-such-app/examine "csrf=$TOKEN"
expect_eq console_exam_examine_unknown_404 "$STATUS" 404

form_token "$STAFF_JAR" /
page "$STAFF_JAR" POST /examine "csrf=$TOKEN"
expect_eq console_exam_examine_all_303 "$STATUS" 303
expect_match console_exam_examine_all_to_job "$LOCATION" '^/jobs/[0-9]+$'
ALL_JOB=${LOCATION#/jobs/}
page "$STAFF_JAR" GET "/jobs/${ALL_JOB:-missing}"
contains console_exam_examine_all_every_app 'Aplikasi</dt><dd>Semua aplikasi</dd>'

# --- the server stops cleanly, with no sanitizer report ------------------
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq console_exam_server_exit_0 "$?" 0
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$SERVE_LOG"; then
  fail console_exam_server_no_sanitizer_report "$(grep -m 3 -E 'Sanitizer|runtime error' "$SERVE_LOG")"
else
  pass console_exam_server_no_sanitizer_report
fi
