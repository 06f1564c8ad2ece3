#!/bin/bash
# Examination: `simpul examine` with its defaults (64 sites at once, 5 s
# per request) on 1,000 imitation agency sites, of which 85 % answer at
# once, 10 % after 3 s and 5 % accept connections and never answer. In the
# same run the MDN HTTP Observatory scans 50 of the same sites in the same
# proportions (43, 5 and 2), one `node src/scan.js HOST` process per site,
# first one after another as its command line runs, then 8 at a time.
# Prints a Markdown section with the times, peak memory and the ratio of
# the time per site.
#
# Everything runs inside a network and mount namespace of the script's own
# (tests/lib/sites.sh), because the Observatory only scans ports 80 and 443
# of a name: the sites are served on loopback addresses there, under names
# from a hosts file mounted over /etc/hosts inside the namespace only.
#   bench/examine.sh     needs root, nginx, node, python3 and GNU time;
#                        BENCH_SITES=N sets the number of sites (default
#                        1000; a multiple of 20 keeps the proportions)
#   For profiling: BENCH_OBSERVATORY=0 skips the Observatory and prints
#   only simpul's figures; BENCH_PERF=FILE records simpul with `perf record` into
#   FILE and BENCH_STRACE=FILE counts its system calls with `strace -c`
#   into FILE. Both slow simpul down, so their figures are not results.
SELF=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/.." || exit 1
SIMPUL=${SIMPUL:-./simpul}
source tests/lib/common.sh
source tests/lib/sites.sh
source tests/lib/observatory.sh
set -o pipefail

SITE_COUNT=${BENCH_SITES:-1000}
OBS_PARALLEL=8
SLOW_SECONDS=3
TARGET_SECONDS=15
GNU_TIME=/usr/bin/time

die() {
  echo "bench/examine.sh: $*" >&2
  exit 1
}

# Outside the namespace: check the tools, install the Observatory (npm
# needs the registry, which the namespace cannot reach), then run again
# inside it.
if [ "${SITES_IN_NAMESPACE:-}" != 1 ]; then
  for tool in nginx node python3 "$GNU_TIME" jq openssl; do
    command -v "$tool" >/dev/null ||
      die "$tool is missing; run 'make deps-test'"
  done
  observatory_install ||
    die "npm ci in tests/observatory failed: $(tail -n 5 "$WORK/npm.log")"
  # sites_enter_namespace runs "$0" again, which must be found from here.
  BASH_ARGV0=$SELF
  sites_enter_namespace "$@"
fi
sites_enter_namespace "$@" || die "bringing loopback up failed"
# About 25 connections per site at once, for 64 sites, on each side.
ulimit -n 65536 2>/dev/null || ulimit -n 20000

# --- the sites ----------------------------------------------------------------
# Site i (1..N) is s0001.bench.test and so on. Every 20th is silent (5 %),
# every 10th counted from the 5th is slow (10 %), the rest are fast. Fast
# and slow sites are spread over four loopback addresses, so that no one
# address and port runs out of ephemeral ports. nginx serves them and
# passes the slow ones to misbehave.py, which waits SLOW_SECONDS. The
# silent ones resolve to an address where misbehave.py accepts connections
# on ports 80 and 443 and never responds.
SILENT_ADDR=127.0.2.1
SLOW_UPSTREAM=127.0.2.2:8080
site_name() { printf 's%04d.bench.test' "$1"; }
site_kind() {
  if (($1 % 20 == 0)); then echo silent
  elif (($1 % 10 == 5)); then echo slow
  else echo fast; fi
}
site_addr() {
  if (($1 % 20 == 0)); then echo "$SILENT_ADDR"
  else echo "127.0.1.$(($1 % 4 + 1))"; fi
}

SITES_DIR=$WORK/sites
SITES_CA=$SITES_DIR/ca.pem
SITES_TRAP_LOG=$SITES_DIR/misbehave.log
mkdir -p "$SITES_DIR/www" || die "mkdir $SITES_DIR failed"
# The test CA (RSA) signs one ECDSA P-256 certificate for *.bench.test:
# ECDSA signatures cost nginx little, so its TLS handshakes (about 13 per
# site) do not take the CPU from the examination being measured.
sites_make_ca || die "making the test CA failed"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout "$SITES_DIR/bench.key" -subj "/O=Pemerintah Kota Uji/CN=*.bench.test" \
  -out "$SITES_DIR/bench.csr" 2>/dev/null || die "making the site key failed"
set -f # the name below is a wildcard, not a file pattern
sites_sign bench "*.bench.test" "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)" \
  "$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)" ||
  die "signing the site certificate failed"
set +f
printf '<!doctype html>\n<html lang="id"><head><meta charset="utf-8">\n<title>Layanan</title></head>\n<body><h1>Layanan Dinas</h1><p>Situs uji.</p></body></html>\n' \
  >"$SITES_DIR/www/index.html"

slow_names=()
for ((i = 1; i <= SITE_COUNT; i++)); do
  [ "$(site_kind "$i")" = slow ] && slow_names+=("$(site_name "$i")")
done

# listens PORT [ssl]: one listen line per address of the fast and slow sites.
listens() {
  local a
  for a in 1 2 3 4; do printf '    listen 127.0.1.%s:%s%s;\n' "$a" "$1" "${2:-}"; done
}

{
  sites_nginx_head nginx | sed 's/^worker_processes 1;/worker_processes 2;/'
  cat <<EOF
  types { text/html html; }
  default_type text/plain;
  ssl_certificate $SITES_DIR/bench.pem;
  ssl_certificate_key $SITES_DIR/bench.key;
  # Fast sites: port 80 redirects to HTTPS, which serves one page with
  # the headers of a well configured site; other paths are 404.
  server {
$(listens 80 " default_server backlog=8192")
    server_name .bench.test;
    return 301 https://\$host\$request_uri;
  }
  server {
$(listens 443 " ssl default_server backlog=8192")
    server_name .bench.test;
    root $SITES_DIR/www;$SITES_GOOD_HEADERS
  }
  # Slow sites: every request on either port waits for misbehave.py.
  server {
$(listens 80)
$(listens 443 " ssl")
    server_name ${slow_names[*]};
    location / {
      proxy_pass http://$SLOW_UPSTREAM;
      proxy_read_timeout 60s;
    }
  }
}
EOF
} >"$SITES_DIR/nginx.conf"

{
  echo "127.0.0.1 localhost"
  for ((i = 1; i <= SITE_COUNT; i++)); do
    echo "$(site_addr "$i") $(site_name "$i")"
  done
} >"$SITES_DIR/hosts"
echo "nameserver 127.0.0.1" >"$SITES_DIR/resolv.conf"

mount --bind "$SITES_DIR/hosts" /etc/hosts || die "mounting the hosts file failed"
mount --bind "$SITES_DIR/resolv.conf" /etc/resolv.conf ||
  die "mounting resolv.conf failed"
: >"$SITES_TRAP_LOG"
SLOW_SECONDS=$SLOW_SECONDS python3 tests/lib/misbehave.py "$SITES_TRAP_LOG" \
  "$SLOW_UPSTREAM:slow" "$SILENT_ADDR:80:silent" "$SILENT_ADDR:443:silent" \
  2>"$SITES_DIR/misbehave.err" &
SITES_MISBEHAVE_PID=$!
on_exit sites_stop
nginx -p "$SITES_DIR" -c "$SITES_DIR/nginx.conf" -e "$SITES_DIR/nginx-error.log" ||
  die "nginx did not start: $(cat "$SITES_DIR/nginx-error.log")"
FIRST=$(site_name 1)
for ((i = 0; i < 100; i++)); do
  grep -q '^ready$' "$SITES_TRAP_LOG" 2>/dev/null &&
    curl -fs -o /dev/null --max-time 1 --cacert "$SITES_CA" "https://$FIRST/" &&
    break
  sleep 0.1
done
((i < 100)) || die "the sites did not answer in 10 s: $(cat \
  "$SITES_DIR/nginx-error.log" "$SITES_DIR/misbehave.err")"
# One slow site through nginx, to check the upstream before measuring.
curl -fs -o /dev/null --max-time 10 --cacert "$SITES_CA" \
  "https://${slow_names[0]}/" || die "slow site ${slow_names[0]} did not respond within 10 s"

# --- simpul examine -------------------------------------------------------------
for ((i = 1; i <= SITE_COUNT; i++)); do
  printf 'bench-%04d https://%s/\n' "$i" "$(site_name "$i")"
done | sites_write_catalog "$WORK"
simpul_cli catalog import "$WORK/agencies.csv" "$WORK/apps.csv" \
  >"$WORK/import.out" 2>&1 || die "catalog import failed: $(tail -n 5 "$WORK/import.out")"

# gnu_time_field FILE LABEL: a value from GNU time's -v report.
gnu_time_field() {
  sed -n "s/^[[:space:]]*$2: //p" "$1" | head -n 1
}
# seconds H:MM:SS.ss|M:SS.ss: the elapsed time of GNU time in seconds.
seconds() {
  awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"
}

# server_cpu: CPU seconds (user + system) nginx's workers and
# misbehave.py have used so far, to show whether the servers kept up.
server_cpu() {
  local pids
  pids="$(pgrep -P "$(cat "$SITES_DIR/nginx.pid")") $SITES_MISBEHAVE_PID"
  # shellcheck disable=SC2046,SC2086
  awk -v hz="$(getconf CLK_TCK)" '{ t += $14 + $15 } END { printf "%.2f", t / hz }' \
    $(printf '/proc/%s/stat ' $pids)
}
SERVER_CPU_BEFORE=$(server_cpu)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
EXAMINE=(examine --allow-private 127.0.0.0/8 --cacert "$SITES_CA")
PROFILER=()
# shellcheck disable=SC2054 # dwarf,16384 is one perf argument
[ -n "${BENCH_PERF:-}" ] &&
  PROFILER=(perf record -q -F 499 --call-graph dwarf,16384 -o "$BENCH_PERF" --)
[ -n "${BENCH_STRACE:-}" ] && PROFILER=(strace -f -c -o "$BENCH_STRACE")
"$GNU_TIME" -v -o "$WORK/simpul.time" "${PROFILER[@]}" "$SIMPUL" --db "$SIMPUL_DB" "${EXAMINE[@]}" \
  >"$WORK/examine.out" 2>"$WORK/examine.err" ||
  die "simpul examine failed: $(tail -n 5 "$WORK/examine.err")"
SERVER_CPU=$(awk -v a="$SERVER_CPU_BEFORE" -v b="$(server_cpu)" \
  'BEGIN { printf "%.2f", b - a }')
S_WALL=$(seconds "$(gnu_time_field "$WORK/simpul.time" 'Elapsed (wall clock) time (h:mm:ss or m:ss)')")
S_USER=$(gnu_time_field "$WORK/simpul.time" 'User time (seconds)')
S_SYS=$(gnu_time_field "$WORK/simpul.time" 'System time (seconds)')
S_RSS=$(gnu_time_field "$WORK/simpul.time" 'Maximum resident set size (kbytes)')
summary=$(cat "$WORK/examine.out")
S_EXAMINED=$(sed -n 's/.* \([0-9]*\) aplikasi diperiksa.*/\1/p' <<<"$summary")
S_GRADED=$(sed -n 's/.* \([0-9]*\) dinilai.*/\1/p' <<<"$summary")
outcome() { sed -n "s/.*[: ]$1 \([0-9]*\).*/\1/p" <<<"$summary" | head -n 1; }
S_OK=$(outcome ok)
S_TIMEOUT=$(outcome timeout)
S_UNREACHABLE=$(outcome unreachable)
S_HTTP_ERROR=$(outcome http-error)
[ -n "$S_EXAMINED" ] && [ -n "$S_TIMEOUT" ] ||
  die "no summary in simpul's output: $summary"
REQUESTS_SERVED=$(wc -l <"$SITES_DIR/nginx-access.log")
SILENT_CONNECTIONS=$(grep -c '^silent ' "$SITES_TRAP_LOG")
# TLS connections that carried a request, and how many of them resumed a
# session instead of a full handshake.
read -r TLS_CONNECTIONS TLS_RESUMED < <(awk '$4 != "\"-\"" && !seen[$2]++ {
    n++; if ($5 == "\"r\"") r++ } END { printf "%d %d\n", n, r }' \
  "$SITES_DIR/nginx-conns.log")
simpul_cli report --format json --output "$WORK/report.json" ||
  die "simpul report failed"
# Timeouts by kind of site: only the silent ones should time out.
declare -A TIMEOUTS=([fast]=0 [slow]=0 [silent]=0)
while read -r code; do
  kind=$(site_kind "$((10#${code#bench-}))")
  TIMEOUTS[$kind]=$((${TIMEOUTS[$kind]} + 1))
done < <(jq -r '.apps[] | select(.examination.outcome == "timeout") | .code' \
  "$WORK/report.json")
TIMEOUT_KINDS="${TIMEOUTS[silent]} silent, ${TIMEOUTS[slow]} slow, ${TIMEOUTS[fast]} fast"

if [ "${BENCH_OBSERVATORY:-1}" = 0 ]; then
  echo "simpul examine: wall $S_WALL s, user $S_USER s, sys $S_SYS s," \
    "peak RSS $S_RSS KiB, $S_EXAMINED examined, $S_GRADED graded," \
    "timeout $S_TIMEOUT ($TIMEOUT_KINDS); nginx answered $REQUESTS_SERVED requests" \
    "on $TLS_CONNECTIONS TLS connections ($TLS_RESUMED resumed);" \
    "the servers used $SERVER_CPU s of CPU"
  exit 0
fi

# --- the Observatory ------------------------------------------------------------
# 50 of the same sites in proportion, evenly spaced within each kind, so
# fast, slow and silent ones are spread over the whole range.
obs_sites=()
for kind in fast slow silent; do
  case $kind in fast) want=43 ;; slow) want=5 ;; silent) want=2 ;; esac
  list=()
  for ((i = 1; i <= SITE_COUNT; i++)); do
    [ "$(site_kind "$i")" = "$kind" ] && list+=("$i")
  done
  step=$((${#list[@]} / want))
  ((step >= 1)) || die "BENCH_SITES=$SITE_COUNT has too few $kind sites"
  for ((k = 0; k < want; k++)); do obs_sites+=("${list[$((k * step))]}"); done
done
OBS_COUNT=${#obs_sites[@]}

# obs_scan DIR I: one Observatory process for site I, timed, its JSON in
# DIR/I.json; a scan ends after at most 120 s.
obs_scan() {
  local host
  host=$(site_name "$2")
  (cd "$OBS_PKG" && NODE_EXTRA_CA_CERTS=$SITES_CA "$GNU_TIME" -f '%e %M' \
    -o "$1/$2.time" timeout 120 node src/scan.js "$host" >"$1/$2.json" \
    2>"$1/$2.err")
}
export -f obs_scan site_name
export OBS_PKG SITES_CA GNU_TIME

mkdir -p "$WORK/obs-seq" "$WORK/obs-par"
start=$(date +%s.%N)
for i in "${obs_sites[@]}"; do obs_scan "$WORK/obs-seq" "$i"; done
O_SEQ_WALL=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
start=$(date +%s.%N)
printf '%s\n' "${obs_sites[@]}" |
  xargs -P "$OBS_PARALLEL" -I{} bash -c 'obs_scan "$1" {}' _ "$WORK/obs-par"
O_PAR_WALL=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')

# obs_stats DIR KIND: "count mean-seconds max-seconds max-RSS-MiB graded"
# over the scans of KIND (or all) in DIR.
obs_stats() {
  local i n=0 graded=0 t rss lines=""
  for i in "${obs_sites[@]}"; do
    [ "$2" = all ] || [ "$(site_kind "$i")" = "$2" ] || continue
    read -r t rss < <(tail -n 1 "$1/$i.time")
    lines+="$t $rss"$'\n'
    jq -e '.scan.grade // empty' "$1/$i.json" >/dev/null 2>&1 && graded=$((graded + 1))
  done
  awk -v g="$graded" 'NF == 2 { n++; s += $1; if ($1 > m) m = $1; if ($2 > r) r = $2 }
    END { printf "%d %.2f %.2f %.0f %d\n", n, n ? s / n : 0, m, r / 1024, g }' <<<"$lines"
}

# Grades of the sites both scanned: how many the Observatory graded, and
# on how many simpul's grade and score are the same.
same=0 both=0
for i in "${obs_sites[@]}"; do
  obs=$(jq -r '[.scan.grade, .scan.score] | @tsv' "$WORK/obs-seq/$i.json" 2>/dev/null)
  [ -n "$obs" ] && [ "$obs" != $'\t' ] || continue
  both=$((both + 1))
  mine=$(jq -r --arg c "$(printf 'bench-%04d' "$i")" \
    '.apps[] | select(.code == $c) | .examination | [.grade, .score] | @tsv' \
    "$WORK/report.json")
  [ "$mine" = "$obs" ] && same=$((same + 1))
done

# --- the report -------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo | head -n 1)
ram=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
fast=$((SITE_COUNT - SITE_COUNT / 10 - SITE_COUNT / 20))
verdict=$(awk -v w="$S_WALL" -v t="$TARGET_SECONDS" \
  'BEGIN { print (w < t) ? "yes" : "**no**" }')
per_site() { awk -v w="$1" -v n="$2" 'BEGIN { printf "%.3f", w / n }'; }
S_PER=$(per_site "$S_WALL" "$S_EXAMINED")
O_SEQ_PER=$(per_site "$O_SEQ_WALL" "$OBS_COUNT")
O_PAR_PER=$(per_site "$O_PAR_WALL" "$OBS_COUNT")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0) ? a / b : 0 }'; }

cat <<EOF
## Examination: 1,000 sites

Command: \`bench/examine.sh\` (inside \`bench/run\`), measured on
$(date -u '+%Y-%m-%d %H:%M UTC') at commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)
(plus any uncommitted changes). Machine: $(nproc) CPUs ($cpu), $ram RAM.
Load average before simpul's run: $LOAD_BEFORE; after the last
Observatory run: $(cut -d' ' -f1-3 /proc/loadavg).

Sites: $SITE_COUNT names \`s0001.bench.test\`... in a network namespace of the
script's own, on four loopback addresses. $fast sites answer at once: nginx
$(nginx -v 2>&1 | sed 's/^nginx version: nginx\///') with 2 workers redirects port 80 to HTTPS, which serves a
page with the headers of a well configured site and 404 for other paths.
$((SITE_COUNT / 10)) answer every request after ${SLOW_SECONDS} s (nginx passes them to
\`tests/lib/misbehave.py\`). $((SITE_COUNT / 20)) accept connections on ports 80 and 443
and never respond (misbehave.py). TLS: one ECDSA P-256 certificate for
\`*.bench.test\` from a test CA.

simpul: release build, \`simpul examine --allow-private 127.0.0.0/8 --cacert CA\`
with the defaults (64 sites at once, 5 s per request) on a fresh SQLite
store holding the $SITE_COUNT apps, timed by GNU time. The Observatory: MDN HTTP
Observatory $OBS_VERSION on node $(node --version), run as \`node src/scan.js HOST\` from its
package with the CA in \`NODE_EXTRA_CA_CERTS\`, one process per site. It scans $OBS_COUNT
of the same sites (43 fast, 5 slow, 2 silent, spread over the range),
first one after another as its command line runs, then $OBS_PARALLEL at a time
with xargs. Neither ran while the other did.

| run | sites | wall s | s per site | user s | sys s | peak RSS MiB |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| simpul examine | $S_EXAMINED | $S_WALL | $S_PER | $S_USER | $S_SYS | $(awk -v k="$S_RSS" 'BEGIN { printf "%.0f", k / 1024 }') |
| Observatory, one after another | $OBS_COUNT | $O_SEQ_WALL | $O_SEQ_PER | | | $(obs_stats "$WORK/obs-seq" all | awk '{ print $4 }') (largest process) |
| Observatory, $OBS_PARALLEL at a time | $OBS_COUNT | $O_PAR_WALL | $O_PAR_PER | | | $(obs_stats "$WORK/obs-par" all | awk '{ print $4 }') (largest process) |

Time per site, Observatory ÷ simpul: $(ratio "$O_SEQ_PER" "$S_PER") one after another, $(ratio "$O_PAR_PER" "$S_PER") with $OBS_PARALLEL at a time.

simpul finished in under ${TARGET_SECONDS} s: $verdict. Its summary: $S_EXAMINED examined, $S_GRADED graded;
outcomes ok $S_OK, timeout $S_TIMEOUT ($TIMEOUT_KINDS sites), unreachable $S_UNREACHABLE, http-error $S_HTTP_ERROR. nginx answered
$REQUESTS_SERVED requests over $TLS_CONNECTIONS TLS connections, of which $TLS_RESUMED resumed a
session, and the silent address took $SILENT_CONNECTIONS connections;
nginx's workers and misbehave.py used $SERVER_CPU s of CPU during simpul's run.
On the $both sites the Observatory graded, simpul's grade and score were the
same on $same.

The Observatory's scans one after another, by kind of site:

| sites | scans | mean s | slowest s | graded |
| --- | ---: | ---: | ---: | ---: |
EOF
for kind in fast slow silent; do
  obs_stats "$WORK/obs-seq" "$kind" |
    awk -v k="$kind" '{ printf "| %s | %d | %.2f | %.2f | %d |\n", k, $1, $2, $3, $5 }'
done
