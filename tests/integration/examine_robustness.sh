# `simpul examine` (under ASan and UBSan) against servers that misbehave,
# run by tests/lib/misbehave.py inside this script's own network namespace.
# The cases: DNS and TLS failures, redirects to addresses the guard
# rejects, a name with a public and a private address, huge and endless
# bodies, 100 KB of headers, invalid UTF-8 in headers, a server that never
# responds and one that closes mid-response. Nothing crashes, every app
# gets its result, and no connection reaches an address the guard rejects.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/sites.sh"
sites_enter_namespace "$@"
# rootsilent.test responds to /.git/HEAD this long after the request.
export PATH_SECONDS=1.5

if ! sites_setup "$WORK/sites" || ! sites_start; then
  fail sites_start "the test servers did not start"
  exit 1
fi

APPS="dns http://nosuch.test/
tlsfail https://garbage.test/
redirmeta http://redirmeta.test/
redirprivate http://redirprivate.test/
dual http://dual.test/
endless http://endless.test/
huge http://huge.test/
bigheaders http://bigheaders.test/
badutf8 http://badutf8.test/
silent http://silent.test/
silenttls https://silent.test:8443/
rootsilent http://rootsilent.test/
midclose http://midclose.test/
good https://good.test/"

sites_write_catalog "$WORK" <<<"$APPS"
simpul_cli catalog import "$WORK/agencies.csv" "$WORK/apps.csv" \
  >"$WORK/import.out" 2>&1
expect_eq catalog_import "$?" 0

# Only the addresses of the test servers are allowed: 127.0.0.9 (a trap
# listener) stays rejected, as do 10.0.0.1 and 169.254.169.254.
sites_examine examine 20 --timeout 3 --cacert "$SITES_CA" \
  --allow-private 127.0.0.1/32 --allow-private 127.0.0.2/32 \
  --allow-private 127.0.0.3/32 \
  --resolve dual.test:80:203.0.113.7,127.0.0.9 \
  --resolve dual.test:443:203.0.113.7,127.0.0.9

simpul_cli report --format json --output "$WORK/report.json" 2>"$WORK/report.err"
expect_eq report_json_exit "$?" 0
expect_eq report_json_valid "$(jq -r '.apps | length' "$WORK/report.json")" 14

q() { sites_result "$@"; }

expect_eq every_app_has_result \
  "$(jq '[.apps[] | select(.examination == null)] | length' "$WORK/report.json")" 0

expect_eq dns_outcome "$(q dns .outcome)" unreachable
expect_match dns_evidence "$(sites_evidence dns unreachable)" 'resolve'

expect_eq tlsfail_outcome "$(q tlsfail .outcome)" unreachable
expect_match tlsfail_finding "$(q tlsfail '[.findings[].id] | join(" ")')" 'unreachable'
expect_eq tlsfail_https_available "$(q tlsfail .https_available)" false

expect_eq redirmeta_outcome "$(q redirmeta .outcome)" refused
expect_match redirmeta_evidence "$(sites_evidence redirmeta address-refused)" \
  '169\.254\.169\.254 \(metadata\)'
expect_eq redirprivate_outcome "$(q redirprivate .outcome)" refused
expect_match redirprivate_evidence \
  "$(sites_evidence redirprivate address-refused)" '10\.0\.0\.1 \(private\)'

expect_match dual_evidence "$(sites_evidence dual address-refused)" \
  '127\.0\.0\.9 \(loopback\)'
expect_match dual_outcome "$(q dual .outcome)" '^(unreachable|refused)$'

expect_eq endless_outcome "$(q endless .outcome)" ok
expect_eq endless_status "$(q endless .http_status)" 200
expect_eq huge_outcome "$(q huge .outcome)" ok
expect_eq bigheaders_outcome "$(q bigheaders .outcome)" ok
expect_match bigheaders_grade "$(q bigheaders .grade)" '^[A-F]'

expect_eq badutf8_outcome "$(q badutf8 .outcome)" ok
expect_match badutf8_leak "$(sites_evidence badutf8 server-version-disclosed)" \
  '^Server: nginx/1\.18\.0'

expect_eq silent_outcome "$(q silent .outcome)" timeout
# A server that accepts TCP and then stays silent may still serve other
# paths, so nothing of silent.test's was stopped early.
expect_eq silent_not_stopped \
  "$(grep -c 'event=examine.origin_silent app=silent ' "$WORK/examine.err")" 0
# Port 8443 completes no TLS handshake, so once the request for the app's
# URL timed out, its requests still in their handshakes were stopped.
expect_eq silenttls_outcome "$(q silenttls .outcome)" timeout
expect_match silenttls_stopped \
  "$(grep 'event=examine.origin_silent app=silenttls ' "$WORK/examine.err")" \
  'origin=https://silent\.test:8443 stopped=[1-9]'
# / never responds but /.git/HEAD does, 1.5 s after its request.
expect_eq rootsilent_outcome "$(q rootsilent .outcome)" timeout
expect_match rootsilent_git "$(sites_evidence rootsilent exposed-git)" '/\.git/HEAD answered 200'
expect_eq rootsilent_not_stopped \
  "$(grep -c 'event=examine.origin_silent app=rootsilent ' "$WORK/examine.err")" 0
expect_eq silent_grade "$(q silent .grade)" null
expect_eq midclose_outcome "$(q midclose .outcome)" unreachable

expect_eq good_outcome "$(q good .outcome)" ok
expect_match good_grade "$(q good .grade)" '^A'

# The guard rejected the trap addresses before connecting.
expect_eq guard_no_trapped "$(sites_trapped)" ""
expect_match guard_logged "$(grep -c 'event=examine.address_rejected' "$WORK/examine.err")" '^[1-9]'

# A second run reads the same store, with the apps in a new job.
simpul_cli examine --timeout 3 --allow-private 127.0.0.0/8 \
  --cacert "$SITES_CA" good dns >"$WORK/examine2.out" 2>&1
expect_eq second_run_exit "$?" 0
expect_match second_run_summary "$(cat "$WORK/examine2.out")" \
  'job 2: 2 aplikasi diperiksa / apps examined'

# Bad options are usage errors that name the value.
simpul_cli examine --allow-private 10.0.0.1/8 >"$WORK/bad.out" 2>&1
expect_eq bad_cidr_exit "$?" 2
expect_match bad_cidr_message "$(cat "$WORK/bad.out")" '10\.0\.0\.0/8'
simpul_cli examine --resolve nohost >"$WORK/bad.out" 2>&1
expect_eq bad_resolve_exit "$?" 2
simpul_cli examine no-such-app >"$WORK/bad.out" 2>&1
expect_eq unknown_app_exit "$?" 1
expect_match unknown_app_message "$(cat "$WORK/bad.out")" 'no-such-app'

# --- a killed run loses nothing committed, and its job is resumed by
# `simpul serve` once the lease has run out, without examining again the
# apps whose results were stored -----------------------------------------
RDB=$WORK/resume.db
CONF=$WORK/resume.conf
cat >"$CONF" <<CONF
job_lease = 5
examine_allow_private = 127.0.0.0/8
examine_cacert = $SITES_CA
examine_timeout = 4
examine_interval = 0
load_sample = false
CONF
printf '%s\n' "good https://good.test/" "plain http://plain.test/" \
  "wordpress https://wordpress.test/" "silent http://silent.test/" |
  sites_write_catalog "$WORK"
"$SIMPUL" --db "$RDB" catalog import "$WORK/agencies.csv" "$WORK/apps.csv" \
  >/dev/null 2>&1
stored() { sqlite3 "$RDB" 'SELECT count(*) FROM exam_results' 2>/dev/null; }
"$SIMPUL" --config "$CONF" --db "$RDB" examine >"$WORK/killed.out" 2>&1 &
killed_pid=$!
for ((i = 0; i < 100; i++)); do
  [ "$(stored)" = 3 ] && break
  sleep 0.1
done
kill -KILL "$killed_pid" 2>/dev/null
wait "$killed_pid" 2>/dev/null
expect_eq killed_run_kept_results "$(stored)" 3
expect_eq killed_job_running \
  "$(sqlite3 "$RDB" "SELECT state FROM jobs WHERE id = 1")" running
good_requests() {
  grep -c '^good.test "GET / HTTP/1.1" 200 "simpul-examine' \
    "$SITES_DIR/nginx-access.log"
}
before=$(good_requests)
expect_match killed_run_requested_good "$before" '^[1-9]'

PORT=$(free_port)
"$SIMPUL" --config "$CONF" --db "$RDB" serve --port "$PORT" \
  --set key_file="$WORK/resume.key" >"$WORK/serve.out" 2>"$WORK/serve.err" &
serve_pid=$!
on_exit "kill -TERM $serve_pid; wait $serve_pid"
for ((i = 0; i < 250; i++)); do
  state=$(sqlite3 "$RDB" "SELECT state FROM jobs WHERE id = 1" 2>/dev/null)
  [ "$state" = done ] && break
  sleep 0.1
done
expect_eq resumed_job_done "$state" done
expect_eq resumed_results "$(stored)" 4
expect_eq resumed_skipped_stored "$(good_requests)" "$before"
expect_eq resumed_silent_outcome "$(sqlite3 "$RDB" \
  "SELECT outcome FROM exam_results WHERE app_code = 'silent'")" timeout
kill -TERM "$serve_pid"
wait "$serve_pid"
expect_eq serve_stopped_cleanly "$?" 0

# --- a run whose only site is slow still renews its job's lease ----------
# slow.test responds after 12 s and job_lease is 5 s. Progress is
# reported every second even without a finished site, and the reports
# renew the lease, so 8 s into the run the lease has not run out.
LDB=$WORK/lease.db
mkdir -p "$WORK/lease"
echo "slow http://slow.test/" | sites_write_catalog "$WORK/lease"
"$SIMPUL" --db "$LDB" catalog import "$WORK/lease/agencies.csv" \
  "$WORK/lease/apps.csv" >/dev/null 2>&1
"$SIMPUL" --config "$CONF" --db "$LDB" examine --timeout 15 slow \
  >"$WORK/lease.out" 2>"$WORK/lease.err" &
lease_pid=$!
sleep 8
lease_left=$(sqlite3 "$LDB" \
  "SELECT lease_expires_at - CAST(strftime('%s', 'now') AS INTEGER) FROM jobs")
if [ -n "$lease_left" ] && ((lease_left > 0)); then pass lease_renewed_while_slow
else fail lease_renewed_while_slow "8 s into the run the lease had ${lease_left:-?} s left"; fi
wait "$lease_pid"
expect_eq lease_run_exit "$?" 0
expect_eq lease_run_result "$(sqlite3 "$LDB" \
  "SELECT outcome FROM exam_results WHERE app_code = 'slow'")" ok

# --- Ctrl-C stops a run cleanly and hands its job back --------------------
"$SIMPUL" --config "$CONF" --db "$LDB" examine --timeout 15 slow \
  >"$WORK/int.out" 2>"$WORK/int.err" &
int_pid=$!
sleep 2
kill -INT "$int_pid"
wait "$int_pid"
expect_eq interrupted_exit_130 "$?" 130
expect_match interrupted_message "$(cat "$WORK/int.err")" \
  'stopped; the results so far are kept'
int_job=$(sqlite3 "$LDB" "SELECT max(id) FROM jobs")
expect_eq interrupted_job_running "$(sqlite3 "$LDB" \
  "SELECT state FROM jobs WHERE id = $int_job")" running
expect_eq interrupted_lease_released "$(sqlite3 "$LDB" \
  "SELECT lease_expires_at < CAST(strftime('%s', 'now') AS INTEGER) FROM jobs WHERE id = $int_job")" 1

# --- a DNS server that never responds costs a timeout, not the engine -----
# glibc retries a silent server for about 10 s. libcurl would wait for
# that resolver thread whenever a request timed out, holding every other
# transfer; with CURLOPT_QUICK_EXIT it leaves the thread to end alone.
python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
time.sleep(60)' &
dns_pid=$!
on_exit "kill $dns_pid 2>/dev/null"
DDB=$WORK/deadns.db
mkdir -p "$WORK/deadns"
printf 'deadns http://nowhere.test/\ngood https://good.test/\n' |
  sites_write_catalog "$WORK/deadns"
"$SIMPUL" --db "$DDB" catalog import "$WORK/deadns/agencies.csv" \
  "$WORK/deadns/apps.csv" >/dev/null 2>&1
sleep 0.5
started=$SECONDS
"$SIMPUL" --db "$DDB" examine --timeout 2 --allow-private 127.0.0.0/8 \
  --cacert "$SITES_CA" >"$WORK/deadns.out" 2>"$WORK/deadns.err"
expect_eq deadns_exit "$?" 0
took=$((SECONDS - started))
if ((took <= 7)); then pass deadns_engine_not_held
else fail deadns_engine_not_held "the run took $took s with a 2 s timeout"; fi
expect_eq deadns_outcome "$(sqlite3 "$DDB" \
  "SELECT outcome FROM exam_results WHERE app_code = 'deadns'")" timeout
expect_eq deadns_good_outcome "$(sqlite3 "$DDB" \
  "SELECT outcome FROM exam_results WHERE app_code = 'good'")" ok
