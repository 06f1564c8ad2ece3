#!/bin/bash
# An import on PostgreSQL killed with SIGKILL half-way and run again gives
# the same catalog as one that ran through: the same CSV exports, byte for
# byte, and one creation entry in the history per record. The catalog is
# 20,000 generated applications (bench/gen-catalog) in batches of 500; the
# uninterrupted import runs at the same time on a second database.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.sh
source tests/lib/postgres.sh

if ! start_postgres; then
  fail import_pg_start "could not start a private PostgreSQL; see stderr"
  exit 1
fi
APPS=20000
bench/gen-catalog "$WORK/catalog" "$APPS"
FILES=("$WORK/catalog/agencies.csv" "$WORK/catalog/apps.csv")
AGENCIES=$(($(wc -l <"$WORK/catalog/agencies.csv") - 1))

FULL=$(pg_new_database simpul_full) && KILLED=$(pg_new_database simpul_killed) &&
  "$SIMPUL" --db "$FULL" migrate >/dev/null 2>&1 &&
  "$SIMPUL" --db "$KILLED" migrate >/dev/null 2>&1 || {
  fail import_pg_setup "createdb or migrate failed"
  exit 1
}

# db_sql URL SQL: prints the bare rows of SQL on URL.
db_sql() { "$PG_BIN/psql" -X -q -At -F " " -d "$1" -c "$2"; }

"$SIMPUL" --db "$FULL" catalog import "${FILES[@]}" >"$WORK/full.out" 2>&1 &
full_pid=$!
on_exit "kill $full_pid"

"$SIMPUL" --db "$KILLED" catalog import "${FILES[@]}" >"$WORK/killed.out" 2>&1 &
killed_pid=$!
on_exit "kill -KILL $killed_pid"
# Kill once a few batches are committed: at most 60 s of waiting.
for ((i = 0; i < 600; i++)); do
  n=$(db_sql "$KILLED" "SELECT count(*) FROM apps")
  [ "${n:-0}" -ge 3000 ] && break
  kill -0 "$killed_pid" 2>/dev/null || break
  sleep 0.1
done
kill -KILL "$killed_pid"
wait "$killed_pid" 2>/dev/null
expect_eq import_pg_killed_by_signal "$?" 137
partial=$(db_sql "$KILLED" "SELECT count(*) FROM apps")
if [ "$partial" -ge 500 ] && [ "$partial" -lt "$APPS" ]; then
  pass import_pg_killed_midway
else
  fail import_pg_killed_midway "$partial of $APPS apps were stored when killed"
fi
expect_eq import_pg_partial_whole_batches "$((partial % 500))" 0

"$SIMPUL" --db "$KILLED" catalog import "${FILES[@]}" >"$WORK/rerun.out" 2>&1
expect_eq import_pg_rerun_exit "$?" 0
expect_match import_pg_rerun_summary "$(cat "$WORK/rerun.out")" \
  "added $((APPS - partial)), updated 0, unchanged $((partial + AGENCIES)), refused 0"

wait "$full_pid"
expect_eq import_pg_full_exit "$?" 0
expect_match import_pg_full_summary "$(cat "$WORK/full.out")" \
  "added $((APPS + AGENCIES)), updated 0, unchanged 0, refused 0"

for table in agencies apps; do
  "$SIMPUL" --db "$FULL" catalog export --format csv --table "$table" \
    --output "$WORK/full-$table.csv" 2>/dev/null
  "$SIMPUL" --db "$KILLED" catalog export --format csv --table "$table" \
    --output "$WORK/killed-$table.csv" 2>/dev/null
  if [ -s "$WORK/full-$table.csv" ] &&
     cmp -s "$WORK/full-$table.csv" "$WORK/killed-$table.csv"; then
    pass "import_pg_same_$table"
  else
    fail "import_pg_same_$table" "the exports differ or are empty"
  fi
done

# created_per_record URL: prints "records creations distinct-codes".
created_per_record() {
  db_sql "$1" "SELECT (SELECT count(*) FROM apps) + (SELECT count(*)
               FROM agencies), count(*), count(DISTINCT entity || ':' || code)
               FROM changes WHERE field = '*'"
}
expect_eq import_pg_full_history "$(created_per_record "$FULL")" \
  "$((APPS + AGENCIES)) $((APPS + AGENCIES)) $((APPS + AGENCIES))"
expect_eq import_pg_rerun_history "$(created_per_record "$KILLED")" \
  "$((APPS + AGENCIES)) $((APPS + AGENCIES)) $((APPS + AGENCIES))"
