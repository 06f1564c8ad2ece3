#!/bin/bash
# The client address behind a load balancer. With trusted_proxies set, a
# request from a trusted address is counted and logged under the client
# that X-Forwarded-For names. From any other address the header is
# ignored. The per-address login throttle and the access log show which
# address counted. curl from 127.0.0.50 (--interface) is the balancer.
source "$(dirname "$0")/../lib/common.sh"

MAX_ADDRESS_FAILURES=3
if ! start_simpul --set trusted_proxies=127.0.0.50/32 \
  --set login_max_failures=100 \
  --set login_max_failures_per_address=$MAX_ADDRESS_FAILURES; then
  fail http_proxy_start "simpul serve did not start"
  exit 1
fi
printf '%s\n' proxied-password |
  simpul_cli user add proxied --role viewer --password-stdin >/dev/null 2>&1

# login FROM FORWARDED USER PASSWORD: logs in through address FROM with
# the X-Forwarded-For value FORWARDED (none when empty); prints the status.
login() {
  local from=$1 forwarded=$2 user=$3 password=$4 jar="$WORK/jar.$RANDOM"
  local extra=()
  [ -n "$forwarded" ] && extra=(-H "X-Forwarded-For: $forwarded")
  curl -s -o "$WORK/login.html" -c "$jar" --interface "$from" "${extra[@]}" \
    "$BASE/login"
  local token
  token=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' \
    "$WORK/login.html" | head -n 1)
  curl -s -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" \
    --interface "$from" "${extra[@]}" --data-urlencode "csrf=$token" \
    --data-urlencode "name=$user" --data-urlencode "password=$password" \
    "$BASE/login"
}

# Through the balancer: one client's failures throttle that client only.
for i in $(seq 1 $MAX_ADDRESS_FAILURES); do
  login 127.0.0.50 203.0.113.9 "nobody$i" wrong-password >/dev/null
done
expect_eq proxied_client_throttled \
  "$(login 127.0.0.50 203.0.113.9 proxied proxied-password)" 429
expect_eq proxied_other_client_ok \
  "$(login 127.0.0.50 203.0.113.10 proxied proxied-password)" 303
# A client cannot escape by writing its own X-Forwarded-For: the balancer
# appends the address it saw, and that one counts.
expect_eq proxied_spoof_throttled \
  "$(login 127.0.0.50 "203.0.113.77, 203.0.113.9" proxied proxied-password)" 429
expect_match proxied_logged_client "$(cat "$SERVE_LOG")" \
  'event=http.request .*path=/login .*status=429 .*addr=203\.0\.113\.9'

# Not through the balancer: the header is ignored, the peer counts.
for i in $(seq 1 $MAX_ADDRESS_FAILURES); do
  login 127.0.0.51 "203.0.113.$((20 + i))" "nobody$i" wrong-password >/dev/null
done
expect_eq direct_forwarded_ignored \
  "$(login 127.0.0.51 203.0.113.30 proxied proxied-password)" 429
expect_match direct_logged_peer "$(cat "$SERVE_LOG")" \
  'event=http.request .*status=429 .*addr=127\.0\.0\.51'

# A balancer that terminated TLS sends X-Forwarded-Proto: https, so the
# session cookie is Secure and HSTS is sent. From anyone else the header
# is ignored.
# proto_headers FROM: the response headers of /login through FROM.
proto_headers() {
  curl -s -o /dev/null -D - --interface "$1" -H "X-Forwarded-Proto: https" \
    "$BASE/login" | tr -d '\r'
}
via_balancer=$(proto_headers 127.0.0.50)
expect_match proto_cookie_secure "$via_balancer" '^Set-Cookie: .*; Secure'
expect_match proto_hsts "$via_balancer" '^Strict-Transport-Security: max-age='
direct=$(proto_headers 127.0.0.51)
expect_match proto_direct_cookie_set "$direct" '^Set-Cookie: '
expect_eq proto_direct_not_secure "$(grep -c 'Secure' <<<"$direct")" 0
expect_eq proto_direct_no_hsts \
  "$(grep -c '^Strict-Transport-Security' <<<"$direct")" 0

# A range with host bits set is rejected at start, naming the value.
"$SIMPUL" --db "$WORK/other.db" serve --port "$(free_port)" \
  --set key_file="$WORK/simpul.key" --set trusted_proxies=10.0.0.1/8 \
  >"$WORK/bad.out" 2>"$WORK/bad.err"
expect_eq bad_proxies_exit_nonzero "$([ $? -ne 0 ] && echo yes)" yes
expect_match bad_proxies_message "$(cat "$WORK/bad.out" "$WORK/bad.err")" \
  "has host bits set; did you mean 10\.0\.0\.0/8"
