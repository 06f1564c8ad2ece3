#!/bin/bash
# The server under bad and heavy input: oversized headers, slow and
# trickling clients, the per-address connection limit, bodies over
# max_body, malformed requests, 100 parallel requests, a store that stops
# taking writes, and a clean exit on SIGTERM. Every case ends by checking
# that /healthz still responds.
source "$(dirname "$0")/../lib/common.sh"

TIMEOUT=2   # connection_timeout for this server, seconds
MAX_BODY=65536
PER_IP=12   # per_ip_connection_limit for this server
if ! start_simpul --set key_file="$WORK/simpul.key" \
  --set connection_timeout=$TIMEOUT --set max_body=$MAX_BODY \
  --set per_ip_connection_limit=$PER_IP --set load_sample=false; then
  fail http_robustness_start "simpul serve did not start"
  exit 1
fi

alive() {
  local name=$1 code
  code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "$BASE/healthz")
  expect_eq "$name" "$code" 200
}

status_of() {
  curl -s -m 10 -o /dev/null -w '%{http_code}' "$@"
}

# --- a 100 KB header: refused with 431, or the connection closed ---
big=$(head -c 100000 /dev/zero | tr '\0' a)
code=$(status_of -H "X-Big: $big" "$BASE/healthz")
if [ "$code" = 431 ] || [ "$code" = 000 ]; then
  pass oversized_header_refused
else
  fail oversized_header_refused "status $code"
fi
code=$(status_of -H "Cookie: simpul_session=$big" "$BASE/")
if [ "$code" = 431 ] || [ "$code" = 000 ]; then
  pass oversized_cookie_refused
else
  fail oversized_cookie_refused "status $code"
fi
alive alive_after_oversized_header

# --- a slow client: one byte, then a pause longer than the timeout ---
start=$SECONDS
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'G' >&3
sleep $((TIMEOUT + 2))
# The server must have closed the connection: reading ends at once with
# nothing, where an open connection would block until `timeout` ends it.
reply=$(timeout 5 cat <&3)
rc=$?
exec 3<&- 3>&-
if [ "$rc" -ne 124 ] && [ -z "$reply" ]; then
  pass slow_client_dropped
else
  fail slow_client_dropped "read status $rc, reply '${reply:0:80}'"
fi
elapsed=$((SECONDS - start))
if [ "$elapsed" -le $((TIMEOUT + 6)) ]; then
  pass slow_client_bounded
else
  fail slow_client_bounded "took $elapsed s"
fi
alive alive_after_slow_client

# --- trickling clients: the head must arrive within connection_timeout ---
# trickle N: sends a byte every 0.25 s for up to TIMEOUT + 4 s and writes
# the seconds it could keep sending to $WORK/trickle.N.
trickle() {
  (
    trap '' PIPE
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || exit 1
    local begin=$SECONDS i
    printf 'GET /healthz HTTP/1.1\r\n' >&3
    for ((i = 0; i < (TIMEOUT + 4) * 4; i++)); do
      printf 'X' >&3 2>/dev/null || break
      sleep 0.25
    done
    echo $((SECONDS - begin)) >"$WORK/trickle.$1"
  ) &
  trickle_pids+=($!)
}
dropped_before=$(grep -c 'event=http.slow_request_dropped' "$SERVE_LOG")
trickle_pids=()
for n in 1 2 3; do trickle $n; done
served=0
for n in 1 2 3 4; do
  sleep 0.5
  code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$BASE/healthz")
  [ "$code" = 200 ] && served=$((served + 1))
done
expect_eq trickle_others_served_meanwhile "$served" 4
wait "${trickle_pids[@]}"
for n in 1 2 3; do
  took=$(cat "$WORK/trickle.$n" 2>/dev/null || echo missing)
  if [ "$took" != missing ] && [ "$took" -le $((TIMEOUT + 2)) ]; then
    pass "trickle_${n}_dropped_in_time"
  else
    fail "trickle_${n}_dropped_in_time" "kept sending for $took s"
  fi
done
dropped=$(($(grep -c 'event=http.slow_request_dropped' "$SERVE_LOG") -
  dropped_before))
expect_eq trickle_drops_logged "$dropped" 3
alive alive_after_trickle

# --- per-address connection limit ---
held=()
for ((n = 0; n < PER_IP; n++)); do
  exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
  held+=("$fd")
done
sleep 0.3
code=$(status_of -m 2 "$BASE/healthz")
expect_eq per_ip_limit_refuses_extra "$code" 000
code=$(status_of -m 2 --interface 127.0.0.2 "$BASE/healthz")
expect_eq per_ip_limit_other_address_served "$code" 200
for fd in "${held[@]}"; do exec {fd}<&-; done
sleep 0.3
alive per_ip_limit_freed_after_close

# --- bodies over max_body ---
head -c $((MAX_BODY + 1)) /dev/zero | tr '\0' a >"$WORK/big.body"
code=$(curl -s -m 10 -o "$WORK/413.json" -w '%{http_code}' \
  -H 'Content-Type: application/json' --data-binary @"$WORK/big.body" \
  "$BASE/api/v1/apps")
expect_eq body_over_max_api_413 "$code" 413
expect_match body_over_max_api_json "$(cat "$WORK/413.json")" '"code":"too_large"'
code=$(curl -s -m 10 -o "$WORK/413.html" -w '%{http_code}' \
  --data-binary @"$WORK/big.body" "$BASE/login")
expect_eq body_over_max_page_413 "$code" 413
expect_match body_over_max_page_html "$(cat "$WORK/413.html")" '<!doctype html>'
# A chunked body has no length to check first: the server closes the
# connection once the body passes the limit.
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' \
  -H 'Transfer-Encoding: chunked' --data-binary @"$WORK/big.body" \
  "$BASE/login")
if [ "$code" != 200 ] && [ "$code" != 303 ]; then
  pass body_over_max_chunked_refused
else
  fail body_over_max_chunked_refused "status $code"
fi
head -c $((MAX_BODY - 100)) /dev/zero | tr '\0' a >"$WORK/ok.body"
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' \
  --data-binary @"$WORK/ok.body" "$BASE/login")
expect_eq body_under_max_reaches_handler "$code" 403
alive alive_after_large_bodies

# --- malformed requests ---
expect_eq path_encoded_nul_400 "$(status_of "$BASE/apps/a%00b")" 400
expect_eq path_bad_escape_404 "$(status_of "$BASE/nothing/%zz")" 404
expect_eq method_not_allowed_405 "$(status_of -X DELETE "$BASE/healthz")" 405
curl -s -m 10 -o /dev/null -D "$WORK/405.h" -X DELETE "$BASE/healthz"
expect_match method_not_allowed_allow_head \
  "$(grep -i '^Allow:' "$WORK/405.h" | tr -d '\r')" '^Allow: GET, HEAD$'
expect_eq head_of_get_route "$(status_of -I "$BASE/healthz")" 200
code=$(curl -s -m 10 -o "$WORK/nul.json" -w '%{http_code}' \
  "$BASE/api/v1/apps?q=pengaduan%00zzz")
expect_eq query_nul_400 "$code" 400
expect_match query_nul_names_parameter "$(cat "$WORK/nul.json")" \
  "parameter 'q' contains a NUL byte"
code=$(curl -s -m 10 -o "$WORK/nul.html" -w '%{http_code}' \
  "$BASE/login?next=%2Fapps%00x")
expect_eq query_nul_page_400 "$code" 400
expect_match query_nul_page_names_parameter "$(cat "$WORK/nul.html")" \
  "parameter &#39;next&#39; memuat byte NUL"
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' -d 'name=a%00b' \
  "$BASE/login")
expect_eq form_nul_400 "$code" 400
# raw_request TEXT: sends TEXT as it is and prints the status line.
raw_request() {
  printf "$1" | timeout 5 bash -c \
    "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; cat <&3" | head -n 1 |
    tr -d '\r'
}
expect_eq http11_without_host_400 \
  "$(raw_request 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n')" \
  "HTTP/1.1 400 Bad Request"
expect_eq http11_with_host_200 \
  "$(raw_request 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')" \
  "HTTP/1.1 200 OK"
expect_match http10_without_host_200 \
  "$(raw_request 'GET /healthz HTTP/1.0\r\n\r\n')" '^HTTP/1\.[01] 200'
expect_eq deep_path_400 \
  "$(status_of "$BASE$(printf '/a%.0s' {1..40})")" 400
code=$(status_of -b "simpul_session=;;==\"" -b "lang=<script>" "$BASE/login")
expect_eq junk_cookies_ignored "$code" 200
code=$(status_of -H "Authorization: Bearer $(printf 'x%.0s' {1..500})" \
  "$BASE/api/v1/me")
expect_eq junk_token_401 "$code" 401
code=$(status_of -H 'Accept-Language: ;;;q=,en;q=abc,,' "$BASE/login")
expect_eq junk_accept_language "$code" 200
reply=$(printf 'NOT A REQUEST\r\n\r\n' | timeout 5 bash -c \
  "exec 3<>/dev/tcp/127.0.0.1/$PORT; cat >&3; cat <&3" | head -n 1)
expect_match garbage_request_line "$reply" '^HTTP/1\.[01] 4[0-9][0-9]'
alive alive_after_malformed_requests

# --- 100 parallel requests, 10 from each of 10 addresses ---
seq 10 109 | xargs -P 100 -I{} sh -c 'curl -s -m 20 -o /dev/null \
  -w "%{http_code}\n" --interface 127.0.0.$(({} / 10)) "$0/healthz"' \
  "$BASE" >"$WORK/parallel.txt"
ok=$(grep -c '^200$' "$WORK/parallel.txt")
expect_eq parallel_100_all_ok "$ok" 100
alive alive_after_parallel

# --- SIGTERM: finish, log serve.stop, exit 0 ---
kill -TERM "$SERVE_PID"
rc=0
for ((i = 0; i < 100; i++)); do
  kill -0 "$SERVE_PID" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$SERVE_PID" 2>/dev/null; then
  fail sigterm_exits "still running 10 s after SIGTERM"
  kill -KILL "$SERVE_PID"
fi
wait "$SERVE_PID"
rc=$?
expect_eq sigterm_exit_status "$rc" 0
expect_match sigterm_logs_stop "$(tail -n 5 "$SERVE_LOG")" 'event=serve\.stop'
code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$BASE/healthz")
expect_eq sigterm_stops_listening "$code" 000

# --- a store that stops taking writes ---
# Inside a private mount namespace (unshare -m: nothing leaves it, and it
# ends with the script), the store lives on a 2 MiB tmpfs that is then
# filled, so writes fail while reads still work. A second store sits in a
# folder bind-mounted read-only before `serve` starts. As root, chmod
# would not stop writes, hence the mounts.
cat >"$WORK/store_faults.sh" <<'INNER'
source tests/lib/common.sh
FULL=$WORK/full
mkdir -p "$FULL"
mount -t tmpfs -o size=2m tmpfs "$FULL" || { fail store_full_mount "mount failed"; exit 1; }
on_exit "umount -l '$FULL'"
SIMPUL_DB=$FULL/simpul.db
if ! start_simpul --set load_sample=false; then
  fail store_full_start "simpul serve did not start"
  exit 1
fi
code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/healthz")
expect_eq store_full_healthz_before "$code" 200
dd if=/dev/zero of="$FULL/filler" bs=64k >/dev/null 2>&1
# The write probe runs at most every 3 s; wait for a fresh one.
code=000
for ((i = 0; i < 40; i++)); do
  code=$(curl -s -m 10 -o "$WORK/h.json" -D "$WORK/h.h" -w '%{http_code}' \
    "$BASE/healthz")
  [ "$code" = 503 ] && break
  sleep 0.25
done
expect_eq store_full_healthz_503 "$code" 503
expect_match store_full_healthz_reason "$(cat "$WORK/h.json")" \
  '"reason":"writing to the store failed: .*full'
expect_match store_full_retry_after \
  "$(grep -i '^Retry-After:' "$WORK/h.h" | tr -d '\r')" '^Retry-After: [0-9]+$'
curl -s -c "$WORK/jar" -b "$WORK/jar" -o "$WORK/login.html" "$BASE/login"
token=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$WORK/login.html" | head -n 1)
code=$(curl -s -c "$WORK/jar" -b "$WORK/jar" -o "$WORK/lf.html" -D "$WORK/lf.h" \
  -w '%{http_code}' --data-urlencode "csrf=$token" -d name=admin \
  --data-urlencode "password=$ADMIN_PASSWORD" "$BASE/login")
expect_eq store_full_login_503 "$code" 503
expect_match store_full_login_retry_after \
  "$(grep -i '^Retry-After:' "$WORK/lf.h" | tr -d '\r')" '^Retry-After: [0-9]+$'
expect_match store_full_login_names_fix "$(cat "$WORK/lf.html")" \
  'coba lagi sebentar lagi.*operator perlu memeriksa penyimpanan data'
rm -f "$FULL/filler"
code=000
for ((i = 0; i < 40; i++)); do
  code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/healthz")
  [ "$code" = 200 ] && break
  sleep 0.25
done
expect_eq store_full_healthz_recovers "$code" 200

RO=$WORK/readonly
mkdir -p "$RO"
"$SIMPUL" --db "$RO/simpul.db" migrate >/dev/null 2>&1
mount --bind "$RO" "$RO" && mount -o remount,bind,ro "$RO" ||
  { fail store_readonly_mount "mount failed"; exit 1; }
on_exit "umount -l '$RO'"
timeout 20 "$SIMPUL" --db "$RO/simpul.db" serve --port "$(free_port)" \
  --set key_file="$WORK/ro.key" --set load_sample=false \
  >"$WORK/ro.out" 2>"$WORK/ro.log"
rc=$?
expect_match store_readonly_warned "$(cat "$WORK/ro.log")" \
  "event=serve.store_read_only path=$RO/simpul.db .*fix="
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
  pass store_readonly_refused
else
  fail store_readonly_refused "serve exited with $rc"
fi
INNER
SIMPUL_TEST_DB=sqlite unshare -m --propagation private \
  bash "$WORK/store_faults.sh"
