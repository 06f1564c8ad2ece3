#!/bin/bash
# The server under bad and heavy input: oversized headers, a slow client,
# bodies over max_body, malformed paths, 100 parallel requests, and a clean
# exit on SIGTERM. Every case ends by checking that /healthz still responds.
source "$(dirname "$0")/../lib/common.sh"

TIMEOUT=2   # connection_timeout for this server, seconds
MAX_BODY=65536
if ! start_simpul --set key_file="$WORK/simpul.key" \
  --set connection_timeout=$TIMEOUT --set max_body=$MAX_BODY \
  --set load_sample=false; then
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

# --- 100 parallel requests ---
seq 1 100 | xargs -P 100 -I{} curl -s -m 20 -o /dev/null -w '%{http_code}\n' \
  "$BASE/healthz" >"$WORK/parallel.txt"
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
