#!/bin/bash
# Two `simpul serve` nodes on one private PostgreSQL 15 server, with the
# same key file, behind nginx as a round-robin load balancer (started here
# from a temporary prefix on 127.0.0.1). Checks that
# - a login through the balancer works, its session is served by both
#   nodes, and a logout on one node ends it on the other;
# - a form whose CSRF token came from node A is accepted by node B;
# - login failures on one node count on the other (per user and per
#   address);
# - `serve` refuses a PostgreSQL schema older than its own, naming
#   'simpul migrate', and a newer one, naming the version it needs.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.sh
source tests/lib/postgres.sh

if ! start_postgres; then
  fail nodes_pg_start "could not start a private PostgreSQL; see stderr"
  exit 1
fi
if ! "$SIMPUL" --db "$PG_URL" migrate >"$WORK/migrate.out" 2>&1; then
  fail nodes_migrate "$(cat "$WORK/migrate.out")"
  exit 1
fi
KEY_FILE=$WORK/shared.key
MAX_FAILURES=3

# wait_healthz URL PID: waits up to 20 s until URL/healthz answers 200;
# fails early when process PID exits.
wait_healthz() {
  local i
  for ((i = 0; i < 200; i++)); do
    curl -fs -o /dev/null "$1/healthz" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_node NAME: starts a node on a free port; sets NODE_PORT and
# NODE_PID and waits for its /healthz.
start_node() {
  local name=$1
  NODE_PORT=$(free_port)
  "$SIMPUL" --db "$PG_URL" serve --port "$NODE_PORT" \
    --set key_file="$KEY_FILE" --set node_id="$name" \
    --set load_sample=false --set examine_interval=0 \
    --set trusted_proxies=127.0.0.1/32 \
    --set login_max_failures=$MAX_FAILURES \
    --set login_max_failures_per_address=$MAX_FAILURES \
    >"$WORK/$name.out" 2>"$WORK/$name.log" &
  NODE_PID=$!
  on_exit "kill -TERM $NODE_PID; wait $NODE_PID"
  wait_healthz "http://127.0.0.1:$NODE_PORT" "$NODE_PID" && return 0
  echo "node $name did not start; its log follows" >&2
  cat "$WORK/$name.log" >&2
  return 1
}

# Node A starts first and creates the administrator; B finds it.
start_node node-a || { fail nodes_start_a "node A did not start"; exit 1; }
A="http://127.0.0.1:$NODE_PORT"
A_PID=$NODE_PID
start_node node-b || { fail nodes_start_b "node B did not start"; exit 1; }
B="http://127.0.0.1:$NODE_PORT"
B_PID=$NODE_PID
ADMIN_PASSWORD=$(sed -n 's/.*password: *\([^ ]*\).*/\1/p' "$WORK/node-a.out" |
  head -n 1)
expect_match nodes_admin_created_once \
  "$(cat "$WORK/node-a.out" "$WORK/node-b.out" | grep -c 'password:')" '^1$'

# ---- nginx in front of both ----
start_nginx() {
  local ngx=$WORK/nginx
  mkdir -p "$ngx"
  LB_PORT=$(free_port)
  cat >"$ngx/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $ngx/nginx.pid;
error_log $ngx/error.log info;
events { worker_connections 64; }
http {
  log_format upstream '\$request_method \$request_uri \$upstream_addr \$status';
  access_log $ngx/access.log upstream;
  client_body_temp_path $ngx/body;
  proxy_temp_path $ngx/proxy;
  fastcgi_temp_path $ngx/fastcgi;
  uwsgi_temp_path $ngx/uwsgi;
  scgi_temp_path $ngx/scgi;
  upstream simpul {
    server ${A#http://};
    server ${B#http://};
  }
  server {
    listen 127.0.0.1:$LB_PORT;
    location / {
      proxy_pass http://simpul;
      proxy_set_header Host \$host:\$server_port;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
    }
  }
}
CONF
  nginx -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" \
    >"$ngx/stdout" 2>&1 &
  NGINX_PID=$!
  on_exit "kill -TERM $NGINX_PID; wait $NGINX_PID"
  LB="http://127.0.0.1:$LB_PORT"
  wait_healthz "$LB" "$NGINX_PID" && return 0
  cat "$ngx/error.log" >&2
  return 1
}
start_nginx || { fail nodes_nginx_start "nginx did not start"; exit 1; }

# http JAR OUTFILE CURL-ARGS...: runs curl with cookie jar JAR, writes the
# body to OUTFILE and headers to OUTFILE.h, prints the status code.
http() {
  local jar=$1 out=$2
  shift 2
  curl -s -o "$out" -D "$out.h" -b "$jar" -c "$jar" -w '%{http_code}' \
    --max-time 20 "$@"
}

# csrf_from FILE: prints the first CSRF token of the page in FILE.
csrf_from() {
  sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$1" | head -n 1
}

# login BASE JAR USER PASSWORD [CURL-ARGS...]: gets the login form from
# BASE, posts it back to BASE and prints the status of the POST. Through
# the balancer the GET and the POST go to different nodes.
login() {
  local base=$1 jar=$2 user=$3 password=$4
  shift 4
  http "$jar" "$WORK/login.html" "$@" "$base/login" >/dev/null
  http "$jar" "$WORK/login.post" "$@" \
    --data-urlencode "csrf=$(csrf_from "$WORK/login.html")" \
    --data-urlencode "name=$user" --data-urlencode "password=$password" \
    "$base/login"
}

# ---- a session made through the balancer, on both nodes ----
code=$(login "$LB" "$WORK/admin.jar" admin "$ADMIN_PASSWORD")
expect_eq nodes_login_through_balancer "$code" 303
for i in 1 2 3 4; do
  http "$WORK/admin.jar" "$WORK/lb$i" "$LB/admin" >"$WORK/lb$i.code"
done
expect_eq nodes_balancer_pages "$(cat "$WORK"/lb[1-4].code | tr -d '\n')" \
  200200200200
port_a=${A##*:}
port_b=${B##*:}
used=$(awk '{print $3}' "$WORK/nginx/access.log" | sort -u | tr '\n' ' ')
expect_match nodes_balancer_uses_both "$used" \
  "127\\.0\\.0\\.1:($port_a .*127\\.0\\.0\\.1:$port_b|$port_b .*127\\.0\\.0\\.1:$port_a)"

# nginx connects to the nodes from 127.0.0.1, a trusted proxy, so a node
# logs the client's address that nginx put in X-Forwarded-For.
code=$(curl -s -o /dev/null -w '%{http_code}' --interface 127.0.0.60 \
  "$LB/login")
expect_eq nodes_login_page_from_client "$code" 200
expect_match nodes_client_address_logged \
  "$(cat "$WORK/node-a.log" "$WORK/node-b.log")" \
  'event=http.request .*path=/login .*addr=127\.0\.0\.60'

code=$(http "$WORK/admin.jar" "$WORK/on_a.html" "$A/admin")
expect_eq nodes_session_on_a "$code" 200
code=$(http "$WORK/admin.jar" "$WORK/on_b.html" "$B/admin")
expect_eq nodes_session_on_b "$code" 200

# ---- a form from node A, posted to node B ----
token_a=$(csrf_from "$WORK/on_a.html")
expect_match nodes_csrf_token_from_a "$token_a" '^[0-9a-f]{64}$'
code=$(http "$WORK/admin.jar" "$WORK/form_b" --data-urlencode "csrf=$token_a" \
  -d "name=from-a-to-b&role=viewer&password=node-b-password" \
  "$B/admin/users")
expect_eq nodes_csrf_from_a_accepted_by_b "$code" 303
expect_match nodes_form_saved \
  "$("$SIMPUL" --db "$PG_URL" user list 2>/dev/null)" 'from-a-to-b'
code=$(http "$WORK/admin.jar" "$WORK/forged" \
  --data-urlencode "csrf=$(printf '0%.0s' {1..64})" \
  -d "name=forged&role=viewer&password=forged-password" "$B/admin/users")
expect_eq nodes_wrong_csrf_refused_by_b "$code" 403

# ---- throttling shared across nodes ----
printf 'throttle-password\n' |
  "$SIMPUL" --db "$PG_URL" user add throttled --role viewer --password-stdin \
    >/dev/null 2>&1
for i in $(seq 1 $MAX_FAILURES); do
  code=$(login "$A" "$WORK/t$i.jar" throttled wrong-password \
    --interface "127.0.0.$((10 + i))")
  expect_eq "nodes_user_failure_${i}_on_a" "$code" 401
done
code=$(login "$B" "$WORK/t.jar" throttled throttle-password \
  --interface 127.0.0.20)
expect_eq nodes_user_throttled_on_b "$code" 429

printf 'address-password\n' |
  "$SIMPUL" --db "$PG_URL" user add addressed --role viewer --password-stdin \
    >/dev/null 2>&1
for i in $(seq 1 $MAX_FAILURES); do
  login "$B" "$WORK/ad$i.jar" "nobody$i" wrong-password \
    --interface 127.0.0.30 >/dev/null
done
code=$(login "$A" "$WORK/ad.jar" addressed address-password \
  --interface 127.0.0.30)
expect_eq nodes_address_throttled_on_a "$code" 429
code=$(login "$A" "$WORK/ad2.jar" addressed address-password \
  --interface 127.0.0.31)
expect_eq nodes_other_address_logs_in "$code" 303

# ---- logout on B ends the session on A ----
session=$(awk '$6 == "simpul_session" {print $7}' "$WORK/admin.jar")
http "$WORK/admin.jar" "$WORK/before_logout.html" "$B/" >/dev/null
code=$(http "$WORK/admin.jar" "$WORK/logout" \
  --data-urlencode "csrf=$(csrf_from "$WORK/before_logout.html")" \
  "$B/logout")
expect_eq nodes_logout_on_b "$code" 303
expect_match nodes_session_cookie_read "$session" '^[A-Za-z0-9_-]{43}$'
code=$(curl -s -o /dev/null -w '%{http_code}' -b "simpul_session=$session" \
  "$A/admin")
expect_eq nodes_session_ended_on_a "$code" 303

# ---- serve and the schema version ----
# serve_on URL: runs `simpul serve` on URL, which must exit at once; sets
# SERVE_STATUS and SERVE_ERR.
serve_on() {
  local port
  port=$(free_port)
  timeout 20 "$SIMPUL" --db "$1" serve --port "$port" \
    --set key_file="$KEY_FILE" --set load_sample=false \
    --set examine_interval=0 >/dev/null 2>"$WORK/serve_on.err"
  SERVE_STATUS=$?
  SERVE_ERR=$(tr '\n' ' ' <"$WORK/serve_on.err")
}

db_sql() { "$PG_BIN/psql" -X -q -At -d "$1" -c "$2"; }

latest=$(db_sql "$PG_URL" "SELECT max(version) FROM schema_migrations")
older=$(pg_new_database simpul_older)
"$SIMPUL" --db "$older" migrate >/dev/null 2>&1
db_sql "$older" "DELETE FROM schema_migrations
                 WHERE version = (SELECT max(version) FROM schema_migrations)"
serve_on "$older"
expect_eq nodes_older_schema_exit "$SERVE_STATUS" 1
expect_match nodes_older_schema_names_migrate "$SERVE_ERR" \
  "version $((latest - 1)) but this simpul needs $latest; run 'simpul migrate'"

fresh=$(pg_new_database simpul_fresh)
serve_on "$fresh"
expect_eq nodes_no_schema_exit "$SERVE_STATUS" 1
expect_match nodes_no_schema_names_migrate "$SERVE_ERR" "run 'simpul migrate'"
expect_eq nodes_no_schema_left_alone \
  "$(db_sql "$fresh" "SELECT to_regclass('agencies') IS NULL")" t

newer=$(pg_new_database simpul_newer)
"$SIMPUL" --db "$newer" migrate >/dev/null 2>&1
db_sql "$newer" "INSERT INTO schema_migrations (version, applied_at)
                 VALUES (999, 0)"
serve_on "$newer"
expect_eq nodes_newer_schema_exit "$SERVE_STATUS" 1
expect_match nodes_newer_schema_names_version "$SERVE_ERR" \
  "version 999 but this simpul knows up to version $latest; run a simpul built for schema version 999"

# Both nodes are still up and stop cleanly.
check nodes_a_still_up kill -0 "$A_PID"
check nodes_b_still_up kill -0 "$B_PID"
kill -TERM "$A_PID" "$B_PID"
wait "$A_PID"
expect_eq nodes_a_exit_status "$?" 0
wait "$B_PID"
expect_eq nodes_b_exit_status "$?" 0
