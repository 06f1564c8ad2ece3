#!/bin/bash
# Store: catalog reads and writes per second through the JSON API of
# `simpul serve`, on SQLite and on PostgreSQL. Beside them, pgbench's
# select-only (-S) and simple-update (-N) rates on the same private
# PostgreSQL 15 server in the same run give the ceiling that the database
# itself reaches on this machine. Prints a Markdown section for
# docs/benchmarks.md.
#
# Each backend gets a store with the sample city's agencies and
# BENCH_APPS generated applications (bench/gen-catalog). wrk then runs,
# for BENCH_SECONDS each, with an API token of a staff user:
#   read    GET /api/v1/apps/{code}, a random code each request
#   list    GET /api/v1/apps?limit=50&offset=N, a random page
#   update  PATCH /api/v1/apps/{code} with a new purpose: one transaction
#           that writes the app and its history row
# and pgbench runs on a database of scale BENCH_PGBENCH_SCALE on the same
# server with as many clients as wrk has connections.
#   bench/store.sh   BENCH_SECONDS (10), BENCH_THREADS (2), BENCH_CONNECTIONS
#                    (16), BENCH_APPS (5000), BENCH_PGBENCH_SCALE (10)
# Everything listens on 127.0.0.1 at free high ports and is removed on exit.
cd "$(dirname "$0")/.." || exit 1
SIMPUL=${SIMPUL:-./simpul}
source tests/lib/common.sh
source tests/lib/postgres.sh
set -o pipefail

SECONDS_PER_RUN=${BENCH_SECONDS:-10}
WRK_THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-16}
APPS=${BENCH_APPS:-5000}
PGBENCH_SCALE=${BENCH_PGBENCH_SCALE:-10}
PGBENCH=${PGBENCH:-$PG_BIN/pgbench}

die() {
  echo "bench/store.sh: $*" >&2
  exit 1
}

for tool in wrk curl "$PGBENCH"; do
  command -v "$tool" >/dev/null ||
    die "$tool is missing; run 'make deps-test'"
done
[ -x "$SIMPUL" ] || die "$SIMPUL is missing; run 'make simpul'"

# Other programs on the machine lower the figures; the load average (1, 5
# and 15 minutes) before and after shows whether any were busy.
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
start_postgres >/dev/null || die "the private PostgreSQL did not start"
bench/gen-catalog "$WORK/catalog" "$APPS"

# The wrk scripts. Each wrk thread has its own Lua state: the random seed
# and the counter of the update bodies are per thread.
cat >"$WORK/read.lua" <<LUA
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local path = string.format("/api/v1/apps/bench-%06d", math.random(1, $APPS))
  return wrk.format("GET", path)
end
LUA
cat >"$WORK/list.lua" <<LUA
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  local offset = 50 * math.random(0, math.floor(($APPS - 1) / 50))
  return wrk.format("GET", "/api/v1/apps?limit=50&offset=" .. offset)
end
LUA
cat >"$WORK/update.lua" <<LUA
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local thread_tag = tostring(math.random(1, 1000000000))
local n = 0
-- wrk.format uses the headers it is given instead of wrk.headers, so the
-- Authorization header of -H is copied in.
local headers = nil
request = function()
  if headers == nil then
    headers = {["Content-Type"] = "application/json"}
    for key, value in pairs(wrk.headers) do headers[key] = value end
  end
  n = n + 1
  local path = string.format("/api/v1/apps/bench-%06d", math.random(1, $APPS))
  local body = string.format('{"purpose":"Layanan uji revisi %s-%d"}',
                             thread_tag, n)
  return wrk.format("PATCH", path, headers, body)
end
LUA

# run_wrk NAME BASE SCRIPT: runs wrk and prints "requests_per_second
# p99_latency errors", where errors counts responses other than 2xx and 3xx
# and socket errors.
run_wrk() {
  local out=$WORK/wrk-$1.out
  wrk -t "$WRK_THREADS" -c "$CONNECTIONS" -d "${SECONDS_PER_RUN}s" \
    --latency -H "Authorization: Bearer $TOKEN" -s "$3" "$2/" >"$out" 2>&1 ||
    die "wrk $1 failed: $(tail -n 5 "$out")"
  local rps p99 non2xx sockets
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p99=$(awk '$1 == "99%" {print $2}' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out")
  sockets=$(awk '/Socket errors:/ {
    gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
  echo "${rps:-0} ${p99:-?} $(( ${non2xx:-0} + ${sockets:-0} ))"
}

# bench_backend NAME DB: fills DB, serves it and runs the three wrk
# workloads; sets RESULT_<NAME>_{read,list,update}.
bench_backend() {
  local name=$1 db=$2 port pid i
  "$SIMPUL" --db "$db" migrate >/dev/null 2>&1 || die "migrate $name failed"
  "$SIMPUL" --db "$db" catalog import "$WORK/catalog/agencies.csv" \
    "$WORK/catalog/apps.csv" >"$WORK/import-$name.out" 2>&1 ||
    die "import into $name failed: $(tail -n 3 "$WORK/import-$name.out")"
  # Autovacuum gathers planner statistics about a minute after a bulk load;
  # the workloads start within seconds, so gather them now as it would.
  if [ "$name" = postgres ]; then
    psql -q "$db" -c ANALYZE >/dev/null 2>&1 || die "ANALYZE on $name failed"
  fi
  printf 'bench-staff-password\n' |
    "$SIMPUL" --db "$db" user add bench-staff --role staff --password-stdin \
      >/dev/null 2>&1 || die "user add on $name failed"
  TOKEN=$("$SIMPUL" --db "$db" token add --user bench-staff --name bench \
    2>/dev/null) || die "token add on $name failed"
  port=$(free_port)
  "$SIMPUL" --db "$db" serve --port "$port" --set key_file="$WORK/key" \
    --set load_sample=false --set examine_interval=0 \
    --set per_ip_connection_limit=256 \
    >"$WORK/serve-$name.out" 2>"$WORK/serve-$name.log" &
  pid=$!
  on_exit "kill -TERM $pid; wait $pid"
  for ((i = 0; i < 200; i++)); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break
    kill -0 "$pid" 2>/dev/null || die "serve on $name exited"
    sleep 0.1
  done
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$port/api/v1/apps/bench-000001")
  [ "$code" = 200 ] || die "GET one app on $name returned $code"
  for workload in read list update; do
    printf -v "RESULT_${name}_$workload" '%s' \
      "$(run_wrk "$name-$workload" "http://127.0.0.1:$port" \
         "$WORK/$workload.lua")"
  done
  kill -TERM "$pid"
  wait "$pid"
}

bench_backend sqlite "$WORK/bench.db"
bench_backend postgres "$PG_URL"

# pgbench on the same server: tps without the initial connection time.
PGBENCH_URL=$(pg_new_database pgbench) || die "createdb pgbench failed"
"$PGBENCH" -i -q -s "$PGBENCH_SCALE" "$PGBENCH_URL" \
  >"$WORK/pgbench-init.out" 2>&1 || die "pgbench -i failed"
# run_pgbench MODE: prints the tps of `pgbench MODE`.
run_pgbench() {
  "$PGBENCH" "$1" -n -c "$CONNECTIONS" -j "$WRK_THREADS" \
    -T "$SECONDS_PER_RUN" "$PGBENCH_URL" >"$WORK/pgbench$1.out" 2>&1 ||
    die "pgbench $1 failed: $(tail -n 3 "$WORK/pgbench$1.out")"
  awk '/^tps = / {print $3; exit}' "$WORK/pgbench$1.out"
}
TPS_SELECT=$(run_pgbench -S)
TPS_UPDATE=$(run_pgbench -N)

# ---- the Markdown section ----
field() { echo "$1" | cut -d' ' -f"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
  if (b + 0 == 0) print "-"; else printf "%.1f %%", 100 * a / b }'; }
per_second() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
echo "## Store: reads and writes per second"
echo
echo "Command: \`bench/store.sh\` (wrk -t $WRK_THREADS -c $CONNECTIONS," \
  "${SECONDS_PER_RUN} s per run; pgbench -c $CONNECTIONS -j $WRK_THREADS" \
  "-T $SECONDS_PER_RUN at scale $PGBENCH_SCALE)."
echo "Machine: $(nproc) CPUs ($cpu); wrk, simpul and PostgreSQL share them."
echo "Load average before the run: $LOAD_BEFORE; after:" \
  "$(cut -d' ' -f1-3 /proc/loadavg)."
echo "Store: the sample city's agencies and $APPS generated applications;"
echo "simpul \`serve\` with its default settings ($(sed -n \
  's/.*event=serve.start .*threads=\([0-9]*\).*/\1/p' \
  "$WORK/serve-sqlite.log" | head -n 1) threads, a pool of 8 store" \
  "connections), authenticated by an API token."
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'): a" \
  "private server started for the run with fsync, full_page_writes and" \
  "synchronous_commit off, so commits do not wait for the disk, for" \
  "simpul and pgbench alike."
echo
echo "| workload | SQLite req/s | PostgreSQL req/s | PostgreSQL ÷ SQLite |" \
  "pgbench ceiling (tps) | PostgreSQL ÷ ceiling | p99 latency SQLite / PostgreSQL | errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
for workload in read list update; do
  sq_var="RESULT_sqlite_$workload"
  pg_var="RESULT_postgres_$workload"
  sq=${!sq_var}
  pg=${!pg_var}
  case $workload in
    read) label='read one app: `GET /api/v1/apps/{code}`'
          ceiling=$TPS_SELECT mode='-S' ;;
    list) label='list 50 apps: `GET /api/v1/apps?limit=50&offset=N`'
          ceiling=$TPS_SELECT mode='-S' ;;
    update) label='update one app: `PATCH /api/v1/apps/{code}`'
            ceiling=$TPS_UPDATE mode='-N' ;;
  esac
  echo "| $label | $(per_second "$(field "$sq" 1)")" \
    "| $(per_second "$(field "$pg" 1)")" \
    "| $(ratio "$(field "$pg" 1)" "$(field "$sq" 1)")" \
    "| $(per_second "$ceiling") (\`pgbench $mode\`)" \
    "| $(ratio "$(field "$pg" 1)" "$ceiling")" \
    "| $(field "$sq" 2) / $(field "$pg" 2)" \
    "| $(( $(field "$sq" 3) + $(field "$pg" 3) )) |"
done
echo
echo "pgbench -S runs one primary-key SELECT per transaction, and pgbench -N"
echo "runs three statements (an UPDATE and a SELECT of one account, an INSERT"
echo "into the history). A simpul read is an HTTP request that looks up the"
echo "token, the user and then the app. An update also reads the app, writes it"
echo "and writes one history row per changed field."
