#!/bin/bash
# Accounts, sessions, CSRF, roles, API tokens, throttling, error pages and
# the security headers, through real HTTP against a running `simpul serve`.
# Login throttling counts failures per address too, so the cases that fail
# logins on purpose send them from other loopback addresses (curl
# --interface 127.0.0.N), which keeps 127.0.0.1 usable for the rest.
source "$(dirname "$0")/../lib/common.sh"

MAX_FAILURES=3
MAX_ADDRESS_FAILURES=6
if ! start_simpul --set key_file="$WORK/simpul.key" \
  --set login_max_failures=$MAX_FAILURES \
  --set login_max_failures_per_address=$MAX_ADDRESS_FAILURES; then
  fail http_auth_start "simpul serve did not start"
  exit 1
fi

# http JAR OUTFILE CURL-ARGS...: runs curl with cookie jar JAR, writes the
# body to OUTFILE and the headers to OUTFILE.h, prints the status code.
http() {
  local jar=$1 out=$2
  shift 2
  curl -s -o "$out" -D "$out.h" -b "$jar" -c "$jar" -w '%{http_code}' "$@"
}

# csrf_from FILE: prints the first CSRF token of the page in FILE.
csrf_from() {
  sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1
}

# header FILE NAME: prints the value of header NAME from FILE.h.
header() {
  grep -i "^$2:" "$1.h" | head -n 1 | cut -d' ' -f2- | tr -d '\r'
}

# cookie_value FILE NAME: prints the value of cookie NAME set in FILE.h.
cookie_value() {
  grep -i "^Set-Cookie: $2=" "$1.h" | head -n 1 | sed "s/^[^=]*=\([^;]*\);.*/\1/"
}

# login JAR USER PASSWORD [CURL-ARGS...]: logs in through the form and
# prints the status of the POST.
login() {
  local jar=$1 user=$2 password=$3
  shift 3
  http "$jar" "$WORK/login.html" "$@" "$BASE/login" >/dev/null
  local token
  token=$(csrf_from "$WORK/login.html")
  http "$jar" "$WORK/login.post" "$@" --data-urlencode "csrf=$token" \
    --data-urlencode "name=$user" --data-urlencode "password=$password" \
    "$BASE/login"
}

# --- health and metrics ---
code=$(http "$WORK/anon" "$WORK/h" "$BASE/healthz")
expect_eq healthz_status "$code" 200
expect_match healthz_body "$(cat "$WORK/h")" '"status":"ok".*"store":"ok"'

code=$(http "$WORK/anon" "$WORK/m" "$BASE/metrics")
expect_eq metrics_status "$code" 200
expect_match metrics_content_type "$(header "$WORK/m" Content-Type)" \
  '^text/plain; version=0\.0\.4'
metrics=$(cat "$WORK/m")
expect_match metrics_request_counter "$metrics" \
  'simpul_http_requests_total\{route="healthz",method="GET",status="200"\} [1-9]'
expect_match metrics_histogram "$metrics" \
  'simpul_http_request_duration_seconds_bucket\{route="healthz",le="\+Inf"\} [1-9]'
expect_match metrics_logins "$metrics" 'simpul_logins_total\{result="throttled"\} 0'
expect_match metrics_start_time "$metrics" 'process_start_time_seconds [0-9]{10}'
bad_lines=$(grep -v '^#' "$WORK/m" |
  grep -Evc '^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? [0-9.e+-]+$')
expect_eq metrics_lines_well_formed "$bad_lines" 0

# --- login page and login ---
code=$(http "$WORK/a" "$WORK/lp" "$BASE/login")
expect_eq login_page_status "$code" 200
token=$(csrf_from "$WORK/lp")
expect_match login_page_csrf_input "$token" '^[0-9a-f]{64}$'
expect_match login_page_pre_cookie "$(header "$WORK/lp" Set-Cookie)" \
  '^simpul_pre=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax'

code=$(http "$WORK/a" "$WORK/nocsrf" --data-urlencode "name=admin" \
  --data-urlencode "password=$ADMIN_PASSWORD" "$BASE/login")
expect_eq login_without_csrf_refused "$code" 403

code=$(login "$WORK/bad" admin "wrong-password-123")
expect_eq login_bad_password_status "$code" 401
if grep -qi '^Set-Cookie: simpul_session=' "$WORK/login.post.h"; then
  fail login_bad_password_no_session "a session cookie was set"
else
  pass login_bad_password_no_session
fi

code=$(login "$WORK/admin1" admin "$ADMIN_PASSWORD")
expect_eq login_good_status "$code" 303
set_cookie=$(grep -i '^Set-Cookie: simpul_session=' "$WORK/login.post.h" | tr -d '\r')
expect_match login_cookie_flags "$set_cookie" \
  '^Set-Cookie: simpul_session=[A-Za-z0-9_-]{43}; Path=/; HttpOnly; SameSite=Lax'
session1=$(cookie_value "$WORK/login.post" simpul_session)

code=$(login "$WORK/admin2" admin "$ADMIN_PASSWORD")
session2=$(cookie_value "$WORK/login.post" simpul_session)
if [ -n "$session1" ] && [ -n "$session2" ] && [ "$session1" != "$session2" ]; then
  pass login_new_session_each_time
else
  fail login_new_session_each_time "'$session1' vs '$session2'"
fi

# Logging in again while holding a session replaces that session. The
# form of a logged-in page carries the session's CSRF token.
http "$WORK/admin2" "$WORK/again" "$BASE/admin" >/dev/null
code=$(http "$WORK/admin2" "$WORK/again.post" \
  --data-urlencode "csrf=$(csrf_from "$WORK/again")" \
  --data-urlencode "name=admin" --data-urlencode "password=$ADMIN_PASSWORD" \
  "$BASE/login")
expect_eq login_again_status "$code" 303
session3=$(cookie_value "$WORK/again.post" simpul_session)
code=$(curl -s -o /dev/null -w '%{http_code}' \
  -b "simpul_session=$session2" "$BASE/admin")
expect_eq login_again_ends_old_session "$code" 303
code=$(curl -s -o /dev/null -w '%{http_code}' \
  -b "simpul_session=$session3" "$BASE/admin")
expect_eq login_again_new_session_works "$code" 200

code=$(http "$WORK/admin1" "$WORK/adm" "$BASE/admin")
expect_eq admin_page_for_admin "$code" 200

# --- security headers on a page ---
csp=$(header "$WORK/adm" Content-Security-Policy)
expect_match header_csp "$csp" "default-src 'none'.*frame-ancestors 'none'"
if [[ "$csp" == *unsafe-inline* ]]; then
  fail header_csp_no_unsafe_inline "$csp"
else
  pass header_csp_no_unsafe_inline
fi
expect_eq header_nosniff "$(header "$WORK/adm" X-Content-Type-Options)" nosniff
expect_eq header_frame_options "$(header "$WORK/adm" X-Frame-Options)" DENY
expect_match header_referrer_policy "$(header "$WORK/adm" Referrer-Policy)" \
  '^(same-origin|no-referrer)$'
expect_eq header_cache_control "$(header "$WORK/adm" Cache-Control)" no-store
expect_match header_request_id "$(header "$WORK/adm" X-Request-Id)" '^[0-9a-f]{16}$'
if grep -qi '^Strict-Transport-Security' "$WORK/adm.h"; then
  fail header_no_hsts_without_tls "HSTS sent over plain HTTP"
else
  pass header_no_hsts_without_tls
fi

# --- CSRF ---
admin_token=$(csrf_from "$WORK/adm")
code=$(http "$WORK/admin1" "$WORK/c1" -d "name=csrf1&role=viewer" \
  "$BASE/admin/users")
expect_eq csrf_missing_refused "$code" 403
expect_match csrf_missing_page "$(cat "$WORK/c1")" 'Token formulir tidak valid'
code=$(http "$WORK/admin1" "$WORK/c2" -d "name=csrf2&role=viewer" \
  -d "csrf=$(printf '0%.0s' {1..64})" "$BASE/admin/users")
expect_eq csrf_wrong_refused "$code" 403
code=$(http "$WORK/admin2" "$WORK/c3" -d "name=csrf3&role=viewer" \
  -d "csrf=$admin_token" "$BASE/admin/users")
expect_eq csrf_other_session_refused "$code" 403
code=$(http "$WORK/admin1" "$WORK/c4" -H "X-CSRF-Token: $admin_token" \
  -d "name=csrf4&role=viewer&password=csrf4-password" "$BASE/admin/users")
expect_eq csrf_header_accepted "$code" 303
code=$(http "$WORK/admin1" "$WORK/c5" -d "csrf=$admin_token" \
  -d "name=staff1&role=staff&password=staff1-password" "$BASE/admin/users")
expect_eq admin_add_user "$code" 303
expect_eq admin_add_user_redirect "$(header "$WORK/c5" Location)" \
  "/admin?done=user_added"

# Every bad field of the add-user form is reported at once, beside it.
code=$(http "$WORK/admin1" "$WORK/c6" --data-urlencode "csrf=$admin_token" \
  --data-urlencode "name=bad name" --data-urlencode $'display_name=a\x01b' \
  -d "role=bogus&password=short" "$BASE/admin/users")
expect_eq admin_add_user_errors_status "$code" 422
for id in new-name new-display new-role new-password; do
  expect_match "admin_add_user_error_$id" "$(cat "$WORK/c6")" \
    "aria-describedby=\"$id-error\"><p class=\"field-error\" id=\"$id-error\">"
done
expect_eq admin_add_user_errors_listed \
  "$(sed -n '/class="error-summary"/,/<\/ul>/p' "$WORK/c6" | grep -c '^<li>')" 4

# The language link of a page rendered for a POST leads to a page that a
# GET can show, not to the POST-only path.
lang_href=$(sed -n 's/.*class="lang" href="\([^"]*\)".*/\1/p' "$WORK/c6" |
  head -n 1 | sed 's/&amp;/\&/g')
expect_eq lang_link_after_post "$lang_href" "/lang?to=en&next=%2Fadmin"
http "$WORK/admin1" "$WORK/c7" "$BASE$lang_href" >/dev/null
next=$(header "$WORK/c7" Location)
code=$(http "$WORK/admin1" "$WORK/c8" "$BASE$next")
expect_eq lang_link_after_post_leads_to_page "$code" 200
http "$WORK/admin1" "$WORK/c9" "$BASE/lang?to=id&next=/admin" >/dev/null

# Error pages keep the signed-in user's navigation.
code=$(http "$WORK/admin1" "$WORK/e404" "$BASE/no/such/page")
expect_eq error_page_404_status "$code" 404
expect_match error_page_404_navigation "$(cat "$WORK/e404")" \
  '<nav aria-label="Navigasi utama">'
expect_match error_page_404_logout "$(cat "$WORK/e404")" 'action="/logout"'
code=$(http "$WORK/admin1" "$WORK/e400" "$BASE/apps?page=abc")
expect_eq error_page_400_status "$code" 400
expect_match error_page_400_navigation "$(cat "$WORK/e400")" \
  '<nav aria-label="Navigasi utama">'
expect_match error_page_400_detail "$(cat "$WORK/e400")" \
  'class="error-detail">halaman &#39;abc&#39;'
code=$(http "$WORK/admin1" "$WORK/e405" "$BASE/logout")
expect_eq error_page_405_status "$code" 405
expect_match error_page_405_navigation "$(cat "$WORK/e405")" \
  '<nav aria-label="Navigasi utama">'

# --- users from the command line, roles ---
printf '%s\n' viewer1-password |
  simpul_cli user add viewer1 --role viewer --password-stdin \
    >"$WORK/cli.out" 2>"$WORK/cli.err"
expect_eq cli_user_add_status "$?" 0
code=$(login "$WORK/viewer" viewer1 viewer1-password)
expect_eq viewer_login "$code" 303
code=$(http "$WORK/viewer" "$WORK/v1" "$BASE/admin")
expect_eq viewer_admin_page_forbidden "$code" 403
expect_match viewer_403_page_navigation "$(cat "$WORK/v1")" \
  '<nav aria-label="Navigasi utama">'
code=$(http "$WORK/viewer" "$WORK/v2" "$BASE/")
viewer_token=$(csrf_from "$WORK/v2")
code=$(http "$WORK/viewer" "$WORK/v3" -d "csrf=$viewer_token" \
  -d "name=viewer2&role=admin" "$BASE/admin/users")
expect_eq viewer_admin_post_forbidden "$code" 403
code=$(http "$WORK/viewer" "$WORK/v4" -d "csrf=$viewer_token" \
  -d "code=viewer-app&name=Viewer+App&kind=website&agency=DISKOMINFO" \
  "$BASE/apps")
expect_eq viewer_staff_post_forbidden "$code" 403
if grep -q 'href="/admin"' "$WORK/v2"; then
  fail viewer_nav_has_no_admin "the navigation links /admin"
else
  pass viewer_nav_has_no_admin
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/admin")
expect_eq anonymous_page_redirects "$code" 303

# --- logout ---
code=$(http "$WORK/viewer" "$WORK/v2" "$BASE/")
viewer_session=$(grep simpul_session "$WORK/viewer" | awk '{print $7}')
viewer_token=$(csrf_from "$WORK/v2")
code=$(http "$WORK/viewer" "$WORK/lo" -d "csrf=$viewer_token" "$BASE/logout")
expect_eq logout_status "$code" 303
expect_match logout_clears_cookie "$(header "$WORK/lo" Set-Cookie)" \
  '^simpul_session=; .*Max-Age=0'
code=$(curl -s -o /dev/null -w '%{http_code}' \
  -b "simpul_session=$viewer_session" "$BASE/")
expect_eq logout_old_cookie_rejected "$code" 303

# --- API tokens ---
viewer_api=$(simpul_cli token add --user viewer1 --name "reader" 2>"$WORK/tok.err")
cat "$WORK/tok.err" >&2
expect_match token_add_format "$viewer_api" '^sp_[A-Za-z0-9_-]{43}$'
staff_api=$(simpul_cli token add --user staff1 --name "writer" 2>>"$WORK/tok.err")
code=$(curl -s -o "$WORK/me" -w '%{http_code}' \
  -H "Authorization: Bearer $viewer_api" "$BASE/api/v1/me")
expect_eq api_token_accepted "$code" 200
expect_match api_token_user "$(cat "$WORK/me")" '"name":"viewer1".*"auth":"token"'
code=$(curl -s -o "$WORK/me2" -w '%{http_code}' "$BASE/api/v1/me")
expect_eq api_without_token_401 "$code" 401
expect_match api_without_token_json "$(cat "$WORK/me2")" '"code":"unauthorized"'
code=$(curl -s -o /dev/null -w '%{http_code}' \
  -H "Authorization: Bearer sp_notatoken" "$BASE/api/v1/me")
expect_eq api_bad_token_401 "$code" 401
code=$(curl -s -o /dev/null -w '%{http_code}' \
  -H "Authorization: Bearer $viewer_api" "$BASE/api/v1/apps")
expect_eq api_token_app_list "$code" 200
code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/apps")
expect_eq api_app_list_without_token "$code" 401
code=$(curl -s -o "$WORK/vw" -w '%{http_code}' \
  -H "Authorization: Bearer $viewer_api" -H 'Content-Type: application/json' \
  -d '{"code":"TOKENTEST","name":"Token test","kind":"dinas"}' \
  "$BASE/api/v1/agencies")
expect_eq api_viewer_write_forbidden "$code" 403
# A token needs no CSRF token: no cookie is involved.
code=$(curl -s -o "$WORK/sw" -w '%{http_code}' \
  -H "Authorization: Bearer $staff_api" -H 'Content-Type: application/json' \
  -d '{"code":"TOKENTEST","name":"Token test","kind":"dinas"}' \
  "$BASE/api/v1/agencies")
expect_eq api_staff_write_without_csrf "$code" 201
token_id=$(simpul_cli token list | awk '$NF == "reader" {print $1}')
simpul_cli token revoke "$token_id" 2>/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' \
  -H "Authorization: Bearer $viewer_api" "$BASE/api/v1/me")
expect_eq api_revoked_token_401 "$code" 401

# --- the administrator's page: tokens and disabling ---
code=$(http "$WORK/admin1" "$WORK/t1" -d "csrf=$admin_token" \
  -d "name=page+token&user=staff1" "$BASE/admin/tokens")
expect_eq admin_token_add "$code" 200
page_api=$(sed -n 's/.*class="secret">\(sp_[^<]*\)<.*/\1/p' "$WORK/t1")
code=$(curl -s -o /dev/null -w '%{http_code}' \
  -H "Authorization: Bearer $page_api" "$BASE/api/v1/me")
expect_eq admin_token_works "$code" 200
code=$(login "$WORK/staff" staff1 staff1-password)
code=$(http "$WORK/admin1" "$WORK/d1" -d "csrf=$admin_token" -d "disabled=1" \
  "$BASE/admin/users/staff1/disable")
expect_eq admin_disable_user "$code" 303
code=$(http "$WORK/staff" "$WORK/d2" "$BASE/")
expect_eq disabled_user_session_ended "$code" 303
code=$(curl -s -o /dev/null -w '%{http_code}' \
  -H "Authorization: Bearer $page_api" "$BASE/api/v1/me")
expect_eq disabled_user_token_rejected "$code" 401
code=$(http "$WORK/admin1" "$WORK/d3" -d "csrf=$admin_token" -d "disabled=1" \
  "$BASE/admin/users/admin/disable")
expect_eq admin_cannot_disable_self "$code" 403

# --- one's own password, and an administrator's reset ---
code=$(login "$WORK/own" viewer1 viewer1-password)
expect_eq own_password_login "$code" 303
http "$WORK/own" "$WORK/pw" "$BASE/account/password" >/dev/null
own_token=$(csrf_from "$WORK/pw")
code=$(http "$WORK/own" "$WORK/pw1" -d "csrf=$own_token" \
  -d "current=wrong-password-9&password=viewer1-new-pass&repeat=viewer1-new-pass" \
  "$BASE/account/password")
expect_eq own_password_wrong_current "$code" 401
expect_match own_password_wrong_current_field "$(cat "$WORK/pw1")" \
  'id="current-error"'
code=$(http "$WORK/own" "$WORK/pw2" -d "csrf=$own_token" \
  -d "current=viewer1-password&password=viewer1-new-pass&repeat=other-new-pass" \
  "$BASE/account/password")
expect_eq own_password_repeat_differs "$code" 400
code=$(http "$WORK/own" "$WORK/pw3" -d "csrf=$own_token" \
  -d "current=viewer1-password&password=viewer1-new-pass&repeat=viewer1-new-pass" \
  "$BASE/account/password")
expect_eq own_password_changed "$code" 303
code=$(http "$WORK/own" "$WORK/pw4" "$BASE/")
expect_eq own_password_session_ended "$code" 303
code=$(login "$WORK/own2" viewer1 viewer1-new-pass)
expect_eq own_password_new_login "$code" 303

code=$(http "$WORK/admin1" "$WORK/rp" -d "csrf=$admin_token" \
  "$BASE/admin/users/viewer1/password")
expect_eq admin_reset_password "$code" 200
reset_password=$(sed -n 's/.*class="secret">\([^<]*\)<.*/\1/p' "$WORK/rp")
code=$(http "$WORK/own2" "$WORK/rp2" "$BASE/")
expect_eq admin_reset_ends_sessions "$code" 303
code=$(login "$WORK/own3" viewer1 "$reset_password")
expect_eq admin_reset_password_works "$code" 303

# --- language ---
code=$(http "$WORK/anon" "$WORK/l1" "$BASE/lang?to=en&next=/login")
expect_eq lang_switch_redirect "$(header "$WORK/l1" Location)" /login
http "$WORK/anon" "$WORK/l2" "$BASE/login" >/dev/null
expect_match lang_switch_english "$(cat "$WORK/l2")" 'Log in to simpul'
http "$WORK/anon" "$WORK/l3" "$BASE/lang?to=en&next=//evil.test/x" >/dev/null
expect_eq lang_next_stays_local "$(header "$WORK/l3" Location)" /
curl -s -H 'Accept-Language: en-US,en;q=0.9,id;q=0.5' "$BASE/login" >"$WORK/l4"
expect_match accept_language_ignored "$(head -n 2 "$WORK/l4")" 'lang="id"'
curl -s -H 'Accept-Language: id,en;q=0.5' "$BASE/login" >"$WORK/l5"
expect_match accept_language_indonesian "$(head -n 2 "$WORK/l5")" 'lang="id"'

# --- throttling, from other loopback addresses ---
printf '%s\n' throttle-password |
  simpul_cli user add throttled --role viewer --password-stdin >/dev/null 2>&1
for i in $(seq 1 $MAX_FAILURES); do
  login "$WORK/th$i" throttled wrong-password-1 --interface "127.0.0.$((10 + i))" >/dev/null
done
# Past the limit the next attempt waits a little over 2 s, whatever the
# password; after the wait the right one logs in.
code=$(login "$WORK/th" throttled throttle-password --interface 127.0.0.20)
expect_eq throttle_per_user_429 "$code" 429
retry=$(header "$WORK/login.post" Retry-After)
expect_match throttle_retry_after "$retry" '^[1-3]$'
expect_match throttle_page_says_seconds "$(cat "$WORK/login.post")" \
  'coba lagi dalam [1-3] detik'
sleep "${retry:-3}"
code=$(login "$WORK/th" throttled throttle-password --interface 127.0.0.20)
expect_eq throttle_per_user_passes_after_wait "$code" 303

# One person's typos at the account limit leave the rest of an office
# behind the same address working. The address has a higher limit of its
# own.
printf '%s\n' address-password |
  simpul_cli user add addressed --role viewer --password-stdin >/dev/null 2>&1
for i in $(seq 1 $MAX_FAILURES); do
  login "$WORK/ad$i" "nobody$i" wrong-password-1 --interface 127.0.0.30 >/dev/null
done
code=$(login "$WORK/ad" addressed address-password --interface 127.0.0.30)
expect_eq throttle_address_below_limit_ok "$code" 303
for i in $(seq $((MAX_FAILURES + 1)) $MAX_ADDRESS_FAILURES); do
  login "$WORK/ad$i" "nobody$i" wrong-password-1 --interface 127.0.0.30 >/dev/null
done
code=$(login "$WORK/ad3" addressed address-password --interface 127.0.0.30)
expect_eq throttle_per_address_429 "$code" 429
code=$(login "$WORK/ad2" addressed address-password --interface 127.0.0.31)
expect_eq throttle_other_address_ok "$code" 303

# Wrong current passwords on the password page are throttled the same way.
printf '%s\n' pwcheck-password |
  simpul_cli user add pwcheck --role viewer --password-stdin >/dev/null 2>&1
code=$(login "$WORK/pwc" pwcheck pwcheck-password --interface 127.0.0.40)
expect_eq password_throttle_login "$code" 303
http "$WORK/pwc" "$WORK/pwc.form" --interface 127.0.0.40 \
  "$BASE/account/password" >/dev/null
pwc_token=$(csrf_from "$WORK/pwc.form")
for i in $(seq 1 $MAX_FAILURES); do
  http "$WORK/pwc" "$WORK/pwc$i" --interface 127.0.0.40 -d "csrf=$pwc_token" \
    -d "current=wrong-current-$i&password=pwcheck-new-pass&repeat=pwcheck-new-pass" \
    "$BASE/account/password" >/dev/null
done
code=$(http "$WORK/pwc" "$WORK/pwc.t" --interface 127.0.0.40 \
  -d "csrf=$pwc_token" \
  -d "current=pwcheck-password&password=pwcheck-new-pass&repeat=pwcheck-new-pass" \
  "$BASE/account/password")
expect_eq password_change_throttled_429 "$code" 429
expect_match password_change_retry_after \
  "$(header "$WORK/pwc.t" Retry-After)" '^[1-3]$'
expect_match password_change_throttle_beside_field "$(cat "$WORK/pwc.t")" \
  'id="current-error">Terlalu banyak kata sandi sekarang yang salah'

curl -s "$BASE/metrics" >"$WORK/m2"
expect_match metrics_login_counts "$(cat "$WORK/m2")" \
  'simpul_logins_total\{result="throttled"\} [1-9]'

# --- logs: one access line per request, no secrets ---
expect_match access_log_line "$(cat "$SERVE_LOG")" \
  'event=http.request req=[0-9a-f]{16} method=POST path=/login route=login status=303 ms=[0-9.]+ addr=127.0.0.1'
leaked=0
for secret in "$ADMIN_PASSWORD" "$session1" "$viewer_api" "$staff_api" \
  viewer1-password wrong-password-123; do
  [ -n "$secret" ] && grep -qF -- "$secret" "$SERVE_LOG" && leaked=1
done
expect_eq log_has_no_secrets "$leaked" 0

# --- a port in use: serve stops before it makes an administrator ---
"$SIMPUL" --db "$WORK/busy.db" serve --port "$PORT" \
  --set key_file="$WORK/simpul.key" --set load_sample=false \
  >"$WORK/busy.out" 2>"$WORK/busy.err"
expect_eq busy_port_exit_status "$?" 1
expect_match busy_port_error "$(cat "$WORK/busy.err")" \
  "tidak dapat mendengarkan.*The server cannot listen"
expect_match busy_port_detail "$(cat "$WORK/busy.err")" \
  "cannot listen on 127\.0\.0\.1 port $PORT: Address already in use"
if grep -q 'password:' "$WORK/busy.out"; then
  fail busy_port_no_password "a password was printed: $(cat "$WORK/busy.out")"
else
  pass busy_port_no_password
fi
expect_eq busy_port_no_user \
  "$("$SIMPUL" --db "$WORK/busy.db" user list 2>/dev/null | grep -c admin)" 0

# --- TLS: HSTS and Secure cookies ---
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
  -keyout "$WORK/tls.key" -out "$WORK/tls.crt" >/dev/null 2>&1; then
  TLS_PORT=$(free_port)
  TLS_BASE="https://127.0.0.1:$TLS_PORT"
  "$SIMPUL" --db "$WORK/simpul.db" serve --port "$TLS_PORT" \
    --set key_file="$WORK/simpul.key" --set tls_cert="$WORK/tls.crt" \
    --set tls_key="$WORK/tls.key" >"$WORK/tls.out" 2>"$WORK/tls.log" &
  TLS_PID=$!
  on_exit "kill -TERM $TLS_PID; wait $TLS_PID"
  for ((i = 0; i < 200; i++)); do
    curl -skf -o /dev/null "$TLS_BASE/healthz" && break
    sleep 0.1
  done
  BASE=$TLS_BASE
  code=$(login "$WORK/tls" admin "$ADMIN_PASSWORD" -k)
  expect_eq tls_login "$code" 303
  expect_match tls_session_cookie_secure \
    "$(grep -i '^Set-Cookie: simpul_session=' "$WORK/login.post.h" | tr -d '\r')" \
    '; HttpOnly; SameSite=Lax; Max-Age=[0-9]+; Secure$'
  expect_eq tls_hsts "$(header "$WORK/login.post" Strict-Transport-Security)" \
    "max-age=31536000"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$TLS_PORT/healthz")
  if [ "$code" != 200 ]; then
    pass tls_no_plain_http
  else
    fail tls_no_plain_http "plain HTTP answered 200 on the TLS port"
  fi
else
  fail tls_certificate "openssl could not make a test certificate"
fi
