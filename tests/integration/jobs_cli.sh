#!/bin/bash
# Jobs through the real binary. Two `simpul serve` nodes on one store run
# the examination schedule with a 2-second interval, and each slot's job
# must be enqueued once and run once. `simpul jobs list` and `jobs show`
# (with --follow) report the jobs, and SIGTERM stops the worker before the
# server exits. The apps are Android apps without a URL, so the examinations
# send no request anywhere. The store is an SQLite file, or PostgreSQL
# when SIMPUL_TEST_DB=postgres (see jobs_cli_postgres.sh).
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.sh

INTERVAL=2

{
  echo "code,name,kind,parent"
  echo "DISKOMINFO,Dinas Komunikasi dan Informatika,dinas,"
} >"$WORK/agencies.csv"
{
  echo "code,name,kind,agency,url,android_package"
  for i in 1 2 3; do
    echo "apk-uji-$i,Aplikasi Uji $i,android,DISKOMINFO,,id.go.metrokota.uji$i"
  done
} >"$WORK/apps.csv"
if ! simpul_cli catalog import "$WORK/agencies.csv" "$WORK/apps.csv" \
     >"$WORK/import.out" 2>&1; then
  fail jobs_catalog_import "$(grep -v '^ts=' "$WORK/import.out")"
  exit 1
fi

# start_node NAME: starts a node with the schedule on; sets NODE_PID.
start_node() {
  "$SIMPUL" --db "$SIMPUL_DB" serve --port "$(free_port)" \
    --set key_file="$WORK/simpul.key" --set node_id="$1" \
    --set load_sample=false --set examine_interval=$INTERVAL \
    >"$WORK/$1.out" 2>"$WORK/$1.log" &
  NODE_PID=$!
  on_exit "kill -TERM $NODE_PID; wait $NODE_PID"
}

# done_jobs: prints the ids of the finished examination jobs.
done_jobs() {
  simpul_cli jobs list --kind examine --limit 100 2>/dev/null |
    awk '$3 == "done" { print $1 }'
}

start_node node-a
PID_A=$NODE_PID
start_node node-b
PID_B=$NODE_PID

# Three slots pass; wait up to 20 s for three finished jobs.
for ((i = 0; i < 200; i++)); do
  [ "$(done_jobs | wc -l)" -ge 3 ] && break
  sleep 0.1
done
check jobs_three_slots_done test "$(done_jobs | wc -l)" -ge 3

# Columns of a finished job: ID KIND STATE PROGRESS DUE (date, time)
# FINISHED (date, time) BY NODE.
LIST=$(simpul_cli jobs list --kind examine --limit 100 2>/dev/null)
expect_eq jobs_all_by_schedule \
  "$(printf '%s\n' "$LIST" | awk '$3 == "done" && $9 != "simpul:schedule"' |
     wc -l)" 0
keys=$(for id in $(printf '%s\n' "$LIST" | awk 'NR > 1 { print $1 }'); do
         simpul_cli jobs show "$id" 2>/dev/null |
           sed -n 's/^  dedupe key: *//p'
       done)
expect_eq jobs_one_job_per_slot \
  "$(printf '%s\n' "$keys" | sort | uniq -d | wc -l)" 0
expect_eq jobs_every_job_has_slot_key \
  "$(printf '%s\n' "$keys" | grep -c '^schedule:examine:[0-9]*$')" \
  "$(printf '%s\n' "$LIST" | awk 'NR > 1' | wc -l)"

# Each finished job was claimed by exactly one node, once.
claims=$(cat "$WORK/node-a.log" "$WORK/node-b.log" |
         sed -n 's/.*event=job\.claimed job=\([0-9]*\) .*/\1/p' | sort)
for id in $(done_jobs); do
  expect_eq "jobs_job_${id}_claimed_once" \
    "$(printf '%s\n' "$claims" | grep -cx "$id")" 1
done
expect_eq jobs_enqueued_once_per_slot \
  "$(cat "$WORK/node-a.log" "$WORK/node-b.log" |
     sed -n 's/.*event=schedule\.enqueued .*dedupe_key=\([^ ]*\).*/\1/p' |
     sort | uniq -d | wc -l)" 0

ID=$(done_jobs | head -n 1)
SHOW=$(simpul_cli jobs show "$ID" 2>/dev/null)
expect_match jobs_show_state "$SHOW" 'state: +done'
expect_match jobs_show_progress "$SHOW" 'progress: +3 of 3'
expect_match jobs_show_node "$SHOW" 'node: +node-[ab]'
expect_match jobs_show_dedupe_key "$SHOW" 'dedupe key: +schedule:examine:[0-9]+'
FOLLOW=$(timeout 20 "$SIMPUL" --db "$SIMPUL_DB" jobs show "$ID" --follow \
         2>/dev/null)
expect_eq jobs_follow_exit "$?" 0
expect_match jobs_follow_line "$FOLLOW" '^3/3 done$'

simpul_cli jobs show 987654321 >"$WORK/missing.out" 2>&1
expect_eq jobs_show_missing_exit "$?" 1
expect_match jobs_show_missing_says "$(cat "$WORK/missing.out")" \
  "no job has ID 987654321"
simpul_cli jobs list --limit x >/dev/null 2>&1
expect_eq jobs_list_bad_limit_exit "$?" 2
simpul_cli jobs list --kind exam >/dev/null 2>"$WORK/nokind.err"
expect_eq jobs_list_unknown_kind_exit "$?" 0
expect_match jobs_list_unknown_kind_hint "$(cat "$WORK/nokind.err")" \
  "no jobs of kind 'exam'; examinations have the kind 'examine'"
simpul_cli jobs --help >"$WORK/help.out" 2>&1
expect_eq jobs_help_exit "$?" 0
expect_match jobs_help_follow "$(cat "$WORK/help.out")" "--follow"

# SIGTERM: the worker stops before the server does, and the node exits 0.
kill -TERM "$PID_A"
wait "$PID_A"
expect_eq jobs_node_stop_exit "$?" 0
expect_match jobs_worker_stopped_first \
  "$(grep -oE 'event=(jobs\.worker_stop|serve\.stop)\b' "$WORK/node-a.log" |
     tr '\n' ' ')" '^event=jobs\.worker_stop event=serve\.stop $'
kill -TERM "$PID_B"
wait "$PID_B"
expect_eq jobs_second_node_stop_exit "$?" 0
