#!/bin/bash
# HTTP: the logged-in app list page and /healthz of `simpul serve`, beside
# nginx serving a saved copy of the same app list HTML as a static file,
# loaded by wrk with the same settings in the same run. simpul runs with
# its default settings on a fresh SQLite store holding the sample city.
# Both servers listen on 127.0.0.1 at free high ports and are stopped on
# exit. Prints a Markdown section.
#   bench/http.sh    BENCH_SECONDS, BENCH_THREADS and BENCH_CONNECTIONS set
#                    wrk's -d (default 10), -t (2) and -c (32)
cd "$(dirname "$0")/.." || exit 1
SIMPUL=${SIMPUL:-./simpul}
source tests/lib/common.sh
set -o pipefail

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
WRK_THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
NGINX=${NGINX:-/usr/sbin/nginx}
for tool in wrk curl "$NGINX"; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench/http.sh: $tool is missing; run 'make deps-test'" >&2
    exit 1
  fi
done

die() {
  echo "bench/http.sh: $*" >&2
  exit 1
}

# --- simpul, logged in as the administrator -------------------------------
# start_simpul sends the server's log, one line per request, to $SERVE_LOG.
# wrk opens 32 connections from 127.0.0.1, over the default per-address limit.
start_simpul --set per_ip_connection_limit=64 || die "simpul serve did not start"
[ -n "$ADMIN_PASSWORD" ] || die "simpul serve printed no admin password"
SIMPUL_THREADS=$(sed -n 's/.*event=serve.start .*threads=\([0-9]*\).*/\1/p' \
  "$SERVE_LOG" | head -n 1)

JAR=$WORK/cookies
curl -fsS -c "$JAR" -b "$JAR" -o "$WORK/login.html" "$BASE/login" ||
  die "GET /login failed"
CSRF=$(grep -o '<input[^>]*name="csrf"[^>]*>' "$WORK/login.html" |
  head -n 1 | sed -n 's/.*value="\([^"]*\)".*/\1/p')
[ -n "$CSRF" ] || die "the login page has no csrf field"
status=$(curl -sS -c "$JAR" -b "$JAR" -o /dev/null -w '%{http_code}' \
  --data-urlencode name=admin --data-urlencode "password=$ADMIN_PASSWORD" \
  --data-urlencode "csrf=$CSRF" "$BASE/login")
[ "$status" = 303 ] || die "POST /login returned status $status, expected 303"
SESSION=$(awk '$6 == "simpul_session" { print $7 }' "$JAR")
[ -n "$SESSION" ] || die "the login set no simpul_session cookie"
COOKIE="simpul_session=$SESSION"

# The page nginx serves: the app list as simpul renders it for this user.
NGINX_DIR=$(mktemp -d /tmp/simpul-bench-nginx.XXXXXX)
on_exit "rm -rf '$NGINX_DIR'"
# Started as root, nginx runs its workers as the user nobody, and they must
# be able to read the page.
chmod 755 "$NGINX_DIR"
mkdir "$NGINX_DIR/html"
status=$(curl -sS -H "Cookie: $COOKIE" -o "$NGINX_DIR/html/apps.html" \
  -w '%{http_code}' "$BASE/apps")
[ "$status" = 200 ] || die "GET /apps returned status $status, expected 200"
grep -q '<table' "$NGINX_DIR/html/apps.html" || die "/apps shows no table"
chmod -R a+rX "$NGINX_DIR/html"
PAGE_BYTES=$(stat -c %s "$NGINX_DIR/html/apps.html")

# --- nginx ------------------------------------------------------------------
# Stock settings but for the paths: everything lives in NGINX_DIR, and the
# access log is kept as simpul keeps its request log.
NGINX_PORT=$(free_port)
cat >"$NGINX_DIR/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $NGINX_DIR/nginx.pid;
error_log $NGINX_DIR/error.log;
events { worker_connections 1024; }
http {
  types { text/html html; }
  access_log $NGINX_DIR/access.log;
  client_body_temp_path $NGINX_DIR/client_body;
  proxy_temp_path $NGINX_DIR/proxy;
  fastcgi_temp_path $NGINX_DIR/fastcgi;
  uwsgi_temp_path $NGINX_DIR/uwsgi;
  scgi_temp_path $NGINX_DIR/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $NGINX_DIR/html;
  }
}
EOF
"$NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_DIR/error.log" \
  >"$NGINX_DIR/nginx.out" 2>&1 &
NGINX_PID=$!
on_exit "kill -TERM $NGINX_PID; wait $NGINX_PID"
NGINX_URL="http://127.0.0.1:$NGINX_PORT/apps.html"
for ((i = 0; i < 100; i++)); do
  curl -fsS -o /dev/null "$NGINX_URL" 2>/dev/null && break
  kill -0 "$NGINX_PID" 2>/dev/null ||
    die "nginx exited early: $(cat "$NGINX_DIR/nginx.out" "$NGINX_DIR/error.log")"
  sleep 0.1
done
((i < 100)) || die "nginx did not respond at $NGINX_URL within 10 s"
NGINX_WORKERS=$(pgrep -c -P "$NGINX_PID")
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's/^nginx version: nginx\///')

# --- wrk ----------------------------------------------------------------------
# to_ms VALUE: converts wrk's latency ("512.00us", "4.88ms", "1.02s") to ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.2f", v / 1000
    else if (v ~ /ms$/) printf "%.2f", v + 0
    else if (v ~ /m$/) printf "%.2f", v * 60000
    else printf "%.2f", v * 1000
  }'
}

# load NAME URL [HEADER]: a 2 s warm-up, whose figures are dropped, then the
# measured wrk run. Sets REQUESTS, RPS, P50, P99 (ms) and WRK_ERRORS (socket
# errors plus responses outside 2xx and 3xx).
load() {
  local name=$1 url=$2 args=(-t "$WRK_THREADS" -c "$CONNECTIONS" --latency)
  [ $# -ge 3 ] && args+=(-H "$3")
  wrk "${args[@]}" -d 2s "$url" >/dev/null || die "wrk warm-up of $url failed"
  wrk "${args[@]}" -d "${SECONDS_PER_RUN}s" "$url" >"$WORK/$name.wrk" ||
    die "wrk on $url failed"
  local out=$WORK/$name.wrk
  REQUESTS=$(awk '/ requests in / { print $1 }' "$out")
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  WRK_ERRORS=$(awk '/^  Non-2xx or 3xx responses:/ { n += $NF }
    /^  Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
    END { print n + 0 }' "$out")
  [ -n "$REQUESTS" ] && [ -n "$RPS" ] || die "no figures in $out"
}

# simpul_non_200 PATH: requests to PATH in simpul's log whose status was not
# 200. wrk counts a 303 (a lost session sends one to /login) as a success.
simpul_non_200() {
  grep -F " path=$1 " "$SERVE_LOG" | grep -vc ' status=200 '
}

load simpul_apps "$BASE/apps" "Cookie: $COOKIE"
A=("$REQUESTS" "$RPS" "$P50" "$P99" $((WRK_ERRORS + $(simpul_non_200 /apps))))
load simpul_healthz "$BASE/healthz"
H=("$REQUESTS" "$RPS" "$P50" "$P99" \
  $((WRK_ERRORS + $(simpul_non_200 /healthz))))
load nginx_apps "$NGINX_URL"
nginx_non_200=$(awk '$9 != 200' "$NGINX_DIR/access.log" | wc -l)
N=("$REQUESTS" "$RPS" "$P50" "$P99" $((WRK_ERRORS + nginx_non_200)))

# row LABEL REQUESTS RPS P50 P99 ERRORS: one line of the table, with the
# ratios to nginx's figures.
row() {
  awk -v label="$1" -v n="$2" -v rps="$3" -v p50="$4" -v p99="$5" \
    -v errors="$6" -v nrps="${N[1]}" -v np50="${N[2]}" -v np99="${N[3]}" '
    function ratio(a, b) { return b > 0 ? sprintf("%.2f", a / b) : "-" }
    BEGIN {
      printf "| %s | %d | %d | %.2f | %.2f | %d | %s | %s | %s |\n",
        label, n, rps, p50, p99, errors, ratio(rps, nrps),
        ratio(p50, np50), ratio(p99, np99)
    }'
}

cat <<EOF
## HTTP: app list and /healthz

Command: \`bench/http.sh\`. Load: wrk $(wrk -v 2>&1 | head -n 1 |
  awk '{ print $2 }') with \`-t$WRK_THREADS -c$CONNECTIONS -d${SECONDS_PER_RUN}s --latency\`
for each target, after a 2 s warm-up whose figures are dropped. simpul:
release build, default settings ($SIMPUL_THREADS threads), SQLite store
with the sample city, logged in as the administrator, one log line per
request written to a file. nginx $NGINX_VERSION: \`worker_processes auto\`
($NGINX_WORKERS workers), serving the same app list HTML ($PAGE_BYTES
bytes) as a static file, access log on. wrk and the server share the
machine's CPUs. Errors count socket errors and responses with a status
other than 200.

| target | requests | requests/s | p50 ms | p99 ms | errors | requests/s ÷ nginx | p50 ÷ nginx | p99 ÷ nginx |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
row "simpul \`GET /apps\` (session cookie)" "${A[@]}"
row "simpul \`GET /healthz\`" "${H[@]}"
row "nginx \`GET /apps.html\` (static copy)" "${N[@]}"
