#!/bin/bash
# The store on PostgreSQL 15. Runs the shared store tests (test_store), the
# copy-store tests (test_copy, into empty databases), the parent-cycle race
# (test_catalog_concurrency) and the job runner (test_jobs) against a
# private server, then the cases only PostgreSQL has:
# - connection errors name the server and hide the password;
# - one connection fails fast while the server is down and recovers by
#   itself when the server is back;
# - a transaction whose connection broke is reported as a retry;
# - `simpul serve` returns 503 for /healthz at once while the server is
#   down and 200 when it is back, without a restart;
# - two processes migrating one fresh database at once apply it once.
cd "$(dirname "$0")/../.."
source tests/lib/common.sh
source tests/lib/postgres.sh
TEST_BIN_DIR=${TEST_BIN_DIR:-build/asan/tests}
PASSWORD=Rahasia-Uji-77

if ! start_postgres; then
  fail pg_server_start "could not start a private PostgreSQL; see stderr"
  exit 1
fi

# ---- the shared store tests, names prefixed with pg_ ----
run_shared_tests() {
  local fresh rc
  fresh=$(pg_new_database simpul_fresh) || {
    fail pg_fresh_database "createdb simpul_fresh failed"
    return
  }
  SIMPUL_TEST_STORE=$PG_URL SIMPUL_TEST_FRESH_STORE=$fresh \
    "$TEST_BIN_DIR/test_store" >"$WORK/test_store.out" 2>"$WORK/test_store.err"
  rc=$?
  sed -n 's/^PASS /PASS pg_/p; s/^FAIL /FAIL pg_/p' "$WORK/test_store.out"
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$WORK/test_store.out"; then
    fail pg_test_store "exited with status $rc; stderr follows"
    tail -n 40 "$WORK/test_store.err" >&2
  fi
}
run_shared_tests

# run_unit_test NAME VAR=VALUE...: runs the unit test program NAME with
# the given environment, its case names prefixed with pg_.
run_unit_test() {
  local name=$1 rc
  shift
  env "$@" "$TEST_BIN_DIR/$name" >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
  sed -n 's/^PASS /PASS pg_/p; s/^FAIL /FAIL pg_/p' "$WORK/$name.out"
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$WORK/$name.out"; then
    fail "pg_$name" "exited with status $rc; stderr follows"
    tail -n 40 "$WORK/$name.err" >&2
  fi
}

# ---- copy-store's operations and store_copy, into empty databases ----
run_copy_tests() {
  local urls="" i url
  for i in $(seq 1 12); do
    url=$(pg_new_database "simpul_copy_$i") || {
      fail pg_copy_databases "createdb simpul_copy_$i failed"
      return
    }
    urls+="$url "
  done
  run_unit_test test_copy "SIMPUL_TEST_EMPTY_STORES=$urls"
}
run_copy_tests

# ---- two connections closing a parent cycle at once: one retries ----
if race_url=$(pg_new_database simpul_race); then
  run_unit_test test_catalog_concurrency "SIMPUL_TEST_STORE=$race_url"
else
  fail pg_race_database "createdb simpul_race failed"
fi

# ---- the job runner: claims, take-over and the schedule race ----
if jobs_url=$(pg_new_database simpul_jobs); then
  run_unit_test test_jobs "SIMPUL_TEST_STORE=$jobs_url"
else
  fail pg_jobs_database "createdb simpul_jobs failed"
fi

# ---- connection errors ----
# migrate_output URL: runs `simpul migrate` on URL; sets OUTPUT and STATUS.
migrate_output() {
  OUTPUT=$("$SIMPUL" --db "$1" migrate 2>&1)
  STATUS=$?
}

# expect_hidden NAME: PASS when OUTPUT does not contain the password.
expect_hidden() {
  if printf '%s' "$OUTPUT" | grep -qF -- "$PASSWORD"; then
    fail "$1" "the password appears in: $OUTPUT"
  else
    pass "$1"
  fi
}

refused_port=$(free_port)
refused="127.0.0.1:$refused_port/simpul_test"
migrate_output "postgresql://simpul:$PASSWORD@$refused"
expect_eq pg_refused_exit_status "$STATUS" 1
expect_match pg_refused_names_server "$OUTPUT" "127\.0\.0\.1:$refused_port"
expect_hidden pg_refused_hides_password

migrate_output "postgresql://simpul@$refused?password=$PASSWORD"
expect_eq pg_refused_param_exit_status "$STATUS" 1
expect_hidden pg_refused_hides_password_param

# libpq quotes a URL it cannot parse in its message.
migrate_output "postgresql://simpul:$PASSWORD@[::1/simpul_test"
expect_eq pg_bad_url_exit_status "$STATUS" 1
expect_hidden pg_bad_url_hides_password

# An unescaped '/' in the password makes libpq read part of it as the
# host, port or database name.
migrate_output "postgresql://simpul:ab/$PASSWORD@$refused"
expect_eq pg_slash_password_exit_status "$STATUS" 1
expect_hidden pg_slash_password_hidden

# ---- one connection across server outages (pg_probe.c) ----
build_probe() {
  local pkgs="libmicrohttpd jansson sqlite3 libpq libsodium libcurl openssl"
  # shellcheck disable=SC2046
  ${CC:-cc} -std=c17 -D_GNU_SOURCE -g -Isrc $(pkg-config --cflags $pkgs) \
    -fsanitize=address,undefined -o "$WORK/pg_probe" \
    tests/integration/pg_probe.c "$TEST_BIN_DIR/../libsimpul.a" \
    $(pkg-config --libs $pkgs) -lpthread -lm
}

# probe CMD: sends one command to the probe and sets REPLY_STATUS,
# REPLY_MS and REPLY_TEXT from the line it prints.
probe() {
  local line
  REPLY_STATUS=none REPLY_MS=0 REPLY_TEXT=""
  echo "$1" >&"${PROBE[1]}"
  if ! read -r -t 20 line <&"${PROBE[0]}"; then
    REPLY_TEXT="no answer in 20 s"
    return
  fi
  REPLY_STATUS=${line%% *}
  line=${line#* }
  REPLY_MS=${line%% *}
  REPLY_TEXT=${line#"$REPLY_MS"}
}

# pg_kill_probe_session: ends the probe's server session the way a
# failover or an administrator would.
pg_kill_probe_session() {
  pg_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
          WHERE application_name = 'simpul_probe'" >/dev/null
}

run_probe_cases() {
  if ! build_probe 2>"$WORK/probe_build.err"; then
    fail pg_probe_build \
      "compiling pg_probe.c failed: $(head -c 400 "$WORK/probe_build.err")"
    return
  fi
  coproc PROBE { "$WORK/pg_probe" "$PG_URL?application_name=simpul_probe" \
                   2>"$WORK/probe.err"; }
  on_exit "kill $PROBE_PID"

  probe ping
  expect_eq pg_ping_ok "$REPLY_STATUS" ok

  pg_kill_probe_session
  probe ping
  expect_eq pg_ping_after_session_killed "$REPLY_STATUS $REPLY_TEXT" "ok "

  probe begin
  pg_kill_probe_session
  probe ping
  expect_eq pg_tx_lost_is_retry "$REPLY_STATUS" retry
  probe rollback
  expect_eq pg_tx_lost_rollback_ok "$REPLY_STATUS" ok
  probe ping
  expect_eq pg_ping_after_tx_lost "$REPLY_STATUS" ok

  stop_postgres
  probe ping
  expect_eq pg_ping_fails_when_down "$REPLY_STATUS" error
  if [ "$REPLY_MS" -lt 5000 ]; then pass pg_ping_fails_fast
  else fail pg_ping_fails_fast "ping took $REPLY_MS ms"; fi
  expect_match pg_down_error_names_server "$REPLY_TEXT" "127\.0\.0\.1:$PG_PORT"
  probe ping
  expect_eq pg_ping_still_down "$REPLY_STATUS" error

  start_postgres_again
  probe ping
  expect_eq pg_ping_after_restart "$REPLY_STATUS $REPLY_TEXT" "ok "
  expect_match pg_reconnect_logged "$(cat "$WORK/probe.err")" \
    "event=store\.pg\.reconnected .*failed_attempts=[1-9]"
  echo quit >&"${PROBE[1]}"
  wait "$PROBE_PID"
  expect_eq pg_probe_exit_status "$?" 0
}
run_probe_cases

# ---- simpul serve across a server outage ----
# healthz: fetches /healthz of the serve started below; sets HEALTH_CODE,
# HEALTH_SECONDS and HEALTH_BODY.
healthz() {
  local line
  line=$(curl -s -o "$WORK/healthz.body" -w '%{http_code} %{time_total}' \
    --max-time 20 "http://127.0.0.1:$SERVE_PORT/healthz")
  HEALTH_CODE=${line%% *}
  HEALTH_SECONDS=${line#* }
  HEALTH_BODY=$(cat "$WORK/healthz.body" 2>/dev/null)
}

run_serve_cases() {
  local url i
  url=$(pg_new_database simpul_serve) &&
    "$SIMPUL" --db "$url" migrate >/dev/null 2>&1 || {
    fail pg_serve_setup "createdb or migrate of simpul_serve failed"
    return
  }
  SERVE_PORT=$(free_port)
  "$SIMPUL" --db "$url" serve --port "$SERVE_PORT" \
    --set "key_file=$WORK/simpul.key" --set load_sample=false \
    >"$WORK/serve.out" 2>"$WORK/serve.log" &
  local serve_pid=$!
  on_exit "kill -TERM $serve_pid; wait $serve_pid"
  for ((i = 0; i < 200; i++)); do
    healthz
    [ "$HEALTH_CODE" = 200 ] && break
    kill -0 "$serve_pid" 2>/dev/null || break
    sleep 0.1
  done
  expect_eq pg_serve_healthz_up "$HEALTH_CODE" 200

  stop_postgres
  healthz
  expect_eq pg_serve_healthz_down "$HEALTH_CODE" 503
  expect_match pg_serve_healthz_fails_fast "$HEALTH_SECONDS" '^[0-4]\.'
  expect_match pg_serve_healthz_names_server "$HEALTH_BODY" \
    "127\.0\.0\.1:$PG_PORT"

  start_postgres_again
  healthz
  expect_eq pg_serve_healthz_recovers "$HEALTH_CODE" 200
  check pg_serve_not_restarted kill -0 "$serve_pid"
}
run_serve_cases

# ---- two processes migrating one fresh database at once ----
# migrate_pair_start DB: starts two `simpul migrate` processes on database
# DB at once. migrate_pair_wait waits for both and sets MIGRATE_STATUS to
# both exit statuses and MIGRATE_LOG to both outputs.
migrate_pair_start() {
  local url="postgresql://postgres@127.0.0.1:$PG_PORT/$1"
  "$SIMPUL" --db "$url" migrate >"$WORK/mig_a.out" 2>&1 &
  MIGRATE_PID_A=$!
  "$SIMPUL" --db "$url" migrate >"$WORK/mig_b.out" 2>&1 &
  MIGRATE_PID_B=$!
}

migrate_pair_wait() {
  local rc_a rc_b
  wait "$MIGRATE_PID_A"
  rc_a=$?
  wait "$MIGRATE_PID_B"
  rc_b=$?
  MIGRATE_STATUS="$rc_a $rc_b"
  MIGRATE_LOG=$(cat "$WORK/mig_a.out" "$WORK/mig_b.out")
}

# db_sql DB SQL: runs SQL on database DB and prints bare rows.
db_sql() {
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
    -U postgres -d "$1" -c "$2"
}

# migrated_rows DB: prints the row count and the distinct versions of
# DB's schema_migrations.
migrated_rows() {
  db_sql "$1" "SELECT count(*) || ' ' || count(DISTINCT version)
               FROM schema_migrations"
}

# wait_for_locks DB GRANTED COUNT: waits up to 20 s until COUNT locks on
# DB's schema_migrations are granted (GRANTED true) or waiting (false).
wait_for_locks() {
  local i n
  for ((i = 0; i < 200; i++)); do
    n=$(db_sql "$1" "SELECT count(*) FROM pg_locks WHERE granted = $2
                     AND relation = 'schema_migrations'::regclass")
    [ "$n" = "$3" ] && return 0
    sleep 0.1
  done
  return 1
}

run_concurrent_migrations() {
  local round db latest
  # The binary's latest schema version, read from a fresh SQLite store.
  latest=$("$SIMPUL" --db "$WORK/latest.db" migrate |
           sed -n 's/^schema version \([0-9]*\) .*/\1/p')
  # Started together on an empty database, the two usually overlap, but
  # not always: these rounds check the result, whatever the timing.
  for round in 1 2; do
    db=simpul_migrate_$round
    if ! pg_new_database "$db" >/dev/null; then
      fail pg_concurrent_migrate "createdb $db failed"
      return
    fi
    migrate_pair_start "$db"
    migrate_pair_wait
    expect_eq "pg_concurrent_migrate_${round}_status" "$MIGRATE_STATUS" "0 0"
    expect_eq "pg_concurrent_migrate_${round}_output" \
      "$(printf '%s\n' "$MIGRATE_LOG" | grep -c "^schema version $latest ")" 2
    expect_eq "pg_concurrent_migrate_${round}_rows" \
      "$(migrated_rows "$db")" "$latest $latest"
  done

  # A forced overlap: an empty schema_migrations stays locked until both
  # processes wait for it, so both read version 0 and both try to apply
  # every version as soon as the lock goes. Exactly one may apply each.
  db=simpul_migrate_locked
  if ! pg_new_database "$db" >/dev/null ||
     ! db_sql "$db" "CREATE TABLE schema_migrations
                     (version integer PRIMARY KEY, applied_at bigint)"; then
    fail pg_locked_migrate_setup "createdb or CREATE TABLE failed"
    return
  fi
  coproc LOCKER { "$PG_BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" \
                    -U postgres -d "$db" >/dev/null 2>&1; }
  local locker_pid=$LOCKER_PID
  on_exit "kill $locker_pid"
  echo "BEGIN; LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE;" \
    >&"${LOCKER[1]}"
  check pg_locked_migrate_lock_taken wait_for_locks "$db" true 1
  migrate_pair_start "$db"
  check pg_locked_migrate_both_wait wait_for_locks "$db" false 2
  echo "COMMIT;" >&"${LOCKER[1]}"
  echo '\q' >&"${LOCKER[1]}"
  wait "$locker_pid"
  migrate_pair_wait
  expect_eq pg_locked_migrate_status "$MIGRATE_STATUS" "0 0"
  expect_eq pg_locked_migrate_applied_once \
    "$(printf '%s\n' "$MIGRATE_LOG" | grep -c 'event=store\.migrated ')" \
    "$latest"
  expect_eq pg_locked_migrate_other_waited \
    "$(printf '%s\n' "$MIGRATE_LOG" |
       grep -c 'event=store\.migrated_by_other ')" "$latest"
  expect_eq pg_locked_migrate_rows "$(migrated_rows "$db")" \
    "$latest $latest"
}
run_concurrent_migrations
