#!/bin/bash
# Scheduled examinations on two `simpul serve` nodes that share one private
# PostgreSQL 15 server, behind nginx as a round-robin load balancer. All of
# it runs in a network namespace of this script's own, beside the imitation
# sites of tests/lib/sites.sh and four more sites that respond to each
# request after SLOW_SECONDS, so that one run takes several seconds. Checks that
# - the first scheduled slot has one job, run once: one result per app and,
#   per site, as many requests as a reference run of `simpul examine` made;
# - a session made through the balancer shows that job on either node;
# - after SIGKILL to the node that holds a running job's lease, the results
#   committed before the kill stay as they were. The other node takes the
#   job over once the lease ran out and finishes it, without requests to
#   the apps that already had a result;
# - while the PostgreSQL server is stopped during a run, /healthz returns
#   503 at once on both nodes and the worker logs the failure; after the
#   server starts again, the interrupted run ends and the next scheduled run
#   is done, without restarting simpul.
source "$(dirname "$0")/../lib/sites.sh"
# Before common.sh, because entering the namespace executes this script
# again and common.sh makes the temporary folder that the EXIT trap removes.
sites_enter_namespace "$@"
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.sh
source tests/lib/postgres.sh
source tests/lib/console.sh

# One run takes about 5 s (apps examined two at a time, five slow sites
# whose requests take SLOW_SECONDS). The schedule's interval is more than
# twice that, so that the first run ends before the second one starts and
# the requests of each run can be counted apart.
INTERVAL=12
LEASE=5
CONCURRENCY=2
export SLOW_SECONDS=1
SLOW_HOSTS="slow1.test slow2.test slow3.test slow4.test"

# ---- the sites, with a time in every access log line ----
if ! sites_setup "$WORK/sites"; then
  fail nodes_exam_sites_setup "openssl or writing the site files failed"
  exit 1
fi
# $msec (Unix time in seconds with milliseconds) first, so that requests
# can be counted per run. The slow hosts are proxied to misbehave.py like
# slow.test, which picks its behaviour from the Host header. Their server
# blocks go before the last line, the brace that closes the http block.
sed -i "s/log_format sites '/log_format sites '\$msec /" \
  "$SITES_DIR/nginx.conf"
sed -i '$d' "$SITES_DIR/nginx.conf"
for host in $SLOW_HOSTS; do
  printf '  server {\n    listen 127.0.0.1:80;\n    server_name %s;\n' "$host"
  printf '    location / {\n      proxy_pass http://127.0.0.3:80;\n'
  printf '      proxy_set_header Host slow.test;\n    }\n  }\n'
done >>"$SITES_DIR/nginx.conf"
echo "}" >>"$SITES_DIR/nginx.conf"
echo "127.0.0.1 $SLOW_HOSTS" >>"$SITES_DIR/hosts"
if ! sites_start; then
  fail nodes_exam_sites_start "the imitation sites did not start"
  exit 1
fi

if ! start_postgres || ! "$SIMPUL" --db "$PG_URL" migrate \
    >"$WORK/migrate.out" 2>&1; then
  fail nodes_exam_pg_start "PostgreSQL did not start or migrate; see stderr"
  cat "$WORK/migrate.out" >&2
  exit 1
fi

# ---- the catalog: one app per site, the app code is the host's label ----
APP_HOSTS="$SITES $SLOW_HOSTS"
{
  for host in $SITES; do
    var=SITES_URL_${host%.test}
    echo "${host%.test} ${!var}"
  done
  for host in $SLOW_HOSTS; do echo "${host%.test} http://$host/"; done
} | sites_write_catalog "$WORK"
"$SIMPUL" --db "$PG_URL" catalog import "$WORK/agencies.csv" \
  "$WORK/apps.csv" >"$WORK/import.out" 2>&1
expect_eq nodes_exam_catalog_import "$?" 0
APPS=$(echo $APP_HOSTS | wc -w)

# requests HOST FROM TO: prints how many examination requests to HOST the
# sites logged between the Unix times FROM and TO.
requests() {
  awk -v host="$1" -v from="$2" -v to="$3" \
    '$2 == host && $1 >= from && $1 <= to && /simpul-examine/ { n++ }
     END { print n + 0 }' "$SITES_DIR/nginx-access.log"
}

# The reference: the requests one run makes to each site, from a run of
# `simpul examine` (with every app at once) before the nodes start.
if ! "$SIMPUL" --db "$PG_URL" examine --timeout 3 --cacert "$SITES_CA" \
    --allow-private 127.0.0.0/8 >"$WORK/reference.out" 2>&1; then
  fail nodes_exam_reference_run "$(tail -n 5 "$WORK/reference.out")"
  exit 1
fi
declare -A REF
for host in $APP_HOSTS; do
  REF[$host]=$(requests "$host" 0 9999999999)
done
expect_match nodes_exam_reference_requests "${REF[good.test]}" '^[1-9]'

# ---- two nodes and the balancer ----
KEY_FILE=$WORK/shared.key
declare -A NODE_PID NODE_PORT

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds (true)
# or SECONDS have passed (false).
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

healthy() { curl -fs -o /dev/null --max-time 2 "$1/healthz"; }

# start_node NAME PORT: starts node NAME on PORT with the examination
# settings of this test and waits until its /healthz returns 200.
start_node() {
  local name=$1 port=$2
  "$SIMPUL" --db "$PG_URL" serve --port "$port" \
    --set key_file="$KEY_FILE" --set node_id="$name" \
    --set load_sample=false --set examine_interval=$INTERVAL \
    --set job_lease=$LEASE --set examine_concurrency=$CONCURRENCY \
    --set examine_timeout=3 --set examine_allow_private=127.0.0.0/8 \
    --set examine_cacert="$SITES_CA" \
    >>"$WORK/$name.out" 2>>"$WORK/$name.log" &
  NODE_PID[$name]=$!
  NODE_PORT[$name]=$port
  on_exit "kill -TERM $!; wait $!"
  wait_for 20 healthy "http://127.0.0.1:$port" && return 0
  echo "node $name did not start; its log follows" >&2
  cat "$WORK/$name.log" >&2
  return 1
}

start_balancer() {
  local dir=$WORK/balancer
  mkdir -p "$dir"
  LB_PORT=$(free_port)
  cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log;
events { worker_connections 64; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  upstream simpul {
    server 127.0.0.1:${NODE_PORT[node-a]};
    server 127.0.0.1:${NODE_PORT[node-b]};
  }
  server {
    listen 127.0.0.1:$LB_PORT;
    location / {
      proxy_pass http://simpul;
      proxy_set_header Host \$host:\$server_port;
    }
  }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" \
    >"$dir/stdout" 2>&1 &
  local pid=$!
  on_exit "kill -TERM $pid; wait $pid"
  LB="http://127.0.0.1:$LB_PORT"
  wait_for 10 healthy "$LB"
}

if ! start_node node-a "$(free_port)" || ! start_node node-b "$(free_port)"
then
  fail nodes_exam_nodes_start "a node did not start; see stderr"
  exit 1
fi
if ! start_balancer; then
  fail nodes_exam_balancer_start "nginx did not start"
  cat "$WORK/balancer/error.log" >&2
  exit 1
fi
A="http://127.0.0.1:${NODE_PORT[node-a]}"
B="http://127.0.0.1:${NODE_PORT[node-b]}"

# line_time: prints the Unix time of the log line on standard input.
line_time() {
  local ts
  ts=$(sed -n 's/^ts=\([^ ]*\) .*/\1/p')
  [ -n "$ts" ] && date -u -d "$ts" +%s.%3N
}

# event_time EVENT JOB [NODE]: prints the Unix time of the first log line
# of EVENT about JOB (written by NODE) in the nodes' logs.
event_time() {
  cat "$WORK"/node-*.log |
    grep -E "event=$1 job=$2 .*node=${3:-[^ ]+}( |$)" | head -n 1 | line_time
}

# events EVENT JOB: prints how many log lines of EVENT about JOB the nodes
# wrote.
events() {
  cat "$WORK"/node-*.log | grep -cE "event=$1 job=$2( |$)"
}

job_state() { pg_sql "SELECT state FROM jobs WHERE id = $1"; }
results() { pg_sql "SELECT count(*) FROM exam_results WHERE run_id = $1"; }
state_is() { [ "$(job_state "$1")" = "$2" ]; }
# slot_job START: prints the id of the scheduled job of the slot at START.
slot_job() {
  pg_sql "SELECT id FROM jobs WHERE dedupe_key = 'schedule:examine:$1'"
}
slot_enqueued() { [ -n "$(slot_job "$1")" ]; }
# result_rows JOB: prints the app, time, duration, outcome, grade and score
# of every result of JOB, one line each.
result_rows() {
  pg_sql "SELECT app_code, examined_at, response_ms, outcome,
                 coalesce(grade, '-'), coalesce(score, -1)
          FROM exam_results WHERE run_id = $1 ORDER BY app_code"
}
# rows_lost BEFORE AFTER: prints the lines of $WORK/BEFORE.rows that are
# missing from $WORK/AFTER.rows, on one line.
rows_lost() {
  grep -vxF -f "$WORK/$2.rows" "$WORK/$1.rows" | tr '\n' ' '
}

# ---- 1. the first scheduled slot runs once ----
first_slot() {
  pg_sql "SELECT min(scheduled_for) FROM jobs
          WHERE created_by = 'simpul:schedule'"
}
slot_known() { [ -n "$(first_slot)" ]; }
wait_for 5 slot_known
SLOT1=$(first_slot)
J1=$(slot_job "$SLOT1")
expect_match nodes_exam_first_slot_enqueued "$J1" '^[0-9]+$'
[ -n "$J1" ] || exit 1
if ! wait_for $((INTERVAL + 20)) state_is "$J1" done; then
  fail nodes_exam_first_run_done "job $J1 is $(job_state "$J1") after \
$((INTERVAL + 20)) s"
  exit 1
fi
pass nodes_exam_first_run_done
expect_eq nodes_exam_one_job_for_slot "$(pg_sql "SELECT count(*) FROM jobs
  WHERE kind = 'examine' AND scheduled_for = $SLOT1")" 1
listed=$("$SIMPUL" --db "$PG_URL" jobs list --kind examine --limit 100 |
  awk -v id="$J1" '$1 == id { print $3, $4 }')
expect_eq nodes_exam_jobs_list_shows_run "$listed" "done $APPS/$APPS"
expect_eq nodes_exam_slot_enqueued_once "$(cat "$WORK"/node-*.log |
  grep -c "event=schedule.enqueued .*dedupe_key=schedule:examine:$SLOT1")" 1
expect_eq nodes_exam_first_run_claimed_once "$(events job.claimed "$J1")" 1
expect_eq nodes_exam_first_run_results "$(results "$J1")" "$APPS"

# Each site got the requests of one run while the job ran, and no other
# job was claimed before it ended.
from=$(event_time job.claimed "$J1")
to=$(event_time job.done "$J1")
next_claim=$(cat "$WORK"/node-*.log | grep 'event=job.claimed' |
  grep -v "job=$J1 " | sort | head -n 1 | line_time)
if [ -z "$next_claim" ] || awk -v a="$next_claim" -v b="$to" \
    'BEGIN { exit !(a > b) }'; then
  pass nodes_exam_first_run_alone
else
  fail nodes_exam_first_run_alone "another job was claimed at $next_claim, \
before job $J1 ended at $to"
fi
wrong=""
for host in $APP_HOSTS; do
  n=$(requests "$host" "$from" "$to")
  [ "$n" = "${REF[$host]}" ] || wrong+=" $host:$n/${REF[$host]}"
done
expect_eq nodes_exam_each_site_requested_once "${wrong# }" ""

# ---- 2. the console shows the run on either node ----
PASSWORD=$(sed -n 's/.*password: *\([^ ]*\).*/\1/p' "$WORK"/node-*.out |
  head -n 1)
BASE=$LB
check nodes_exam_login_through_balancer login "$WORK/admin.jar" admin
for node in A B; do
  BASE=${!node}
  page "$WORK/admin.jar" GET "/jobs/$J1"
  expect_eq "nodes_exam_job_page_on_$node" "$STATUS" 200
  contains "nodes_exam_job_page_title_on_$node" "#$J1"
  contains "nodes_exam_job_page_results_on_$node" 'href="/apps/slow4"'
done

# ---- 3. SIGKILL to the node that runs the job ----
SLOT2=$((SLOT1 + INTERVAL))
wait_for 5 slot_enqueued "$SLOT2"
J2=$(slot_job "$SLOT2")
half_done() { [ "$(results "$J2")" -ge $((APPS / 2)) ]; }
if ! wait_for $((INTERVAL + 10)) half_done; then
  fail nodes_exam_second_run_started "job $J2 has $(results "$J2") results"
  exit 1
fi
owner=$("$SIMPUL" --db "$PG_URL" jobs show "$J2" |
  sed -n 's/^  node: *//p')
expect_match nodes_exam_lease_owner "$owner" '^node-[ab]$'
[ -n "${NODE_PID[$owner]:-}" ] || exit 1
kill -KILL "${NODE_PID[$owner]}"
wait "${NODE_PID[$owner]}" 2>/dev/null
killed_at=$(date +%s.%3N)
survivor=node-a
[ "$owner" = node-a ] && survivor=node-b
result_rows "$J2" >"$WORK/kept.rows"
kept=$(wc -l <"$WORK/kept.rows")
if [ "$kept" -gt 0 ] && [ "$kept" -lt "$APPS" ]; then
  pass nodes_exam_killed_mid_run
else
  fail nodes_exam_killed_mid_run "$kept of $APPS results when killed"
fi
expect_eq nodes_exam_killed_job_running "$(job_state "$J2")" running

if ! wait_for $((LEASE + 25)) state_is "$J2" done; then
  fail nodes_exam_taken_over_done "job $J2 is $(job_state "$J2")"
  exit 1
fi
pass nodes_exam_taken_over_done
expect_eq nodes_exam_taken_over_by_other "$(grep -cE \
  "event=job.taken_over job=$J2 .*node=$survivor( |$)" "$WORK/$survivor.log")" 1
# The run counts the results in the store, not the progress the dead node
# reported, which can lag one result behind.
expect_eq nodes_exam_resumed_after_kept "$(grep -cE \
  "event=examine.start job=$J2 .*already_done=$kept( |$)" \
  "$WORK/$survivor.log")" 1
expect_eq nodes_exam_taken_over_results "$(results "$J2")" "$APPS"
result_rows "$J2" >"$WORK/final.rows"
expect_eq nodes_exam_committed_kept "$(rows_lost kept final)" ""
resumed_at=$(event_time job.claimed "$J2" "$survivor")
done_at=$(event_time job.done "$J2" "$survivor")
again="" missing=""
for host in $APP_HOSTS; do
  if grep -q "^${host%.test}|" "$WORK/kept.rows"; then
    n=$(requests "$host" "$killed_at" "$done_at")
    [ "$n" = 0 ] || again+=" $host:$n"
  else
    n=$(requests "$host" "$resumed_at" "$done_at")
    [ "$n" = "${REF[$host]}" ] || missing+=" $host:$n/${REF[$host]}"
  fi
done
expect_eq nodes_exam_done_apps_not_requested_again "${again# }" ""
expect_eq nodes_exam_rest_requested_once "${missing# }" ""

# The killed node starts again on its port, behind the same balancer.
if start_node "$owner" "${NODE_PORT[$owner]}"; then
  pass nodes_exam_killed_node_restarts
else
  fail nodes_exam_killed_node_restarts "see stderr"
  exit 1
fi

# ---- 4. the PostgreSQL server stops during a run ----
SLOT3=$((SLOT2 + INTERVAL))
wait_for $((INTERVAL + 5)) slot_enqueued "$SLOT3"
J3=$(slot_job "$SLOT3")
started() { [ "$(results "$J3")" -ge 1 ]; }
if ! wait_for $((INTERVAL + 10)) started; then
  fail nodes_exam_third_run_started "job $J3 has no result"
  exit 1
fi
result_rows "$J3" >"$WORK/before_stop.rows"
stop_postgres
for node in A B LB; do
  curl -s -o "$WORK/health.$node" -w '%{http_code} %{time_total}' \
    --max-time 10 "${!node}/healthz" >"$WORK/health.$node.status"
  read -r code took <"$WORK/health.$node.status"
  expect_eq "nodes_exam_healthz_down_on_$node" "$code" 503
  expect_match "nodes_exam_healthz_down_fast_on_$node" "$took" '^[01]\.'
  expect_match "nodes_exam_healthz_down_reason_on_$node" \
    "$(cat "$WORK/health.$node")" '"store": *"error".*does not answer'
done
BASE=$LB
page "$WORK/admin.jar" GET /jobs
expect_eq nodes_exam_console_down_status "$STATUS" 503
contains nodes_exam_console_down_message "Penyimpanan data gagal"
worker_noticed() {
  cat "$WORK"/node-*.log | grep -qE \
    "event=(examine.store_failed|jobs.worker_store_failed)"
}
check nodes_exam_worker_logs_store_down wait_for 10 worker_noticed
# The server stays down 2 s more, longer than a slow site's request.
sleep 2
if ! start_postgres_again; then
  fail nodes_exam_pg_start_again "pg_ctl start failed"
  exit 1
fi
check nodes_exam_healthz_back_on_a wait_for 15 healthy "$A"
check nodes_exam_healthz_back_on_b wait_for 15 healthy "$B"
page "$WORK/admin.jar" GET /jobs
expect_eq nodes_exam_console_back "$STATUS" 200

# The interrupted run either goes on (a node takes it over once the lease
# of the node whose writes failed runs out) or ends failed, naming the
# store. Either way nothing it had committed is lost.
ended() { state_is "$J3" done || state_is "$J3" failed; }
wait_for $((LEASE + 20)) ended
case $(job_state "$J3") in
  done)
    expect_eq nodes_exam_interrupted_run_results "$(results "$J3")" "$APPS" ;;
  failed)
    expect_match nodes_exam_interrupted_run_error \
      "$(pg_sql "SELECT error FROM jobs WHERE id = $J3")" 'PostgreSQL' ;;
  *)
    fail nodes_exam_interrupted_run_ended "job $J3 is $(job_state "$J3")" ;;
esac
result_rows "$J3" >"$WORK/after_stop.rows"
expect_eq nodes_exam_interrupted_run_kept "$(rows_lost before_stop after_stop)" ""

SLOT4=$((SLOT3 + INTERVAL))
wait_for $((INTERVAL + 5)) slot_enqueued "$SLOT4"
J4=$(slot_job "$SLOT4")
check nodes_exam_next_run_done wait_for $((INTERVAL + 20)) state_is "$J4" done
expect_eq nodes_exam_next_run_results "$(results "$J4")" "$APPS"

# The nodes went through the outage without a restart and stop cleanly
# (under ASan, a leak or a memory error makes the exit status non-zero).
for node in node-a node-b; do
  kill -TERM "${NODE_PID[$node]}"
  wait "${NODE_PID[$node]}"
  expect_eq "nodes_exam_${node}_exit_status" "$?" 0
done
