#!/bin/bash
# Catalog import: `simpul catalog import` of a generated catalog (default
# 100,000 apps over the sample city's 35 agencies) into a fresh SQLite
# store, then the same files again (every row unchanged). The peer runs in
# the same run on the same apps.csv: the sqlite3 shell's `.import --csv`
# into a fresh database with one plain table. It has no validation, history
# or index, so it is the fastest way to get those rows into SQLite at all.
# Each measurement runs BENCH_RUNS times (default 3); the table shows the
# run with the median wall time and the range of all runs. Time and peak
# memory come from GNU time. Prints a Markdown section.
#   bench/import.sh             BENCH_APPS=N sets the number of apps
cd "$(dirname "$0")/.." || exit 1
SIMPUL=${SIMPUL:-./simpul}
source tests/lib/common.sh
set -o pipefail

APPS=${BENCH_APPS:-100000}
RUNS=${BENCH_RUNS:-3}
GNU_TIME=/usr/bin/time
for tool in "$GNU_TIME" sqlite3; do
  if ! command -v "$tool" >/dev/null; then
    echo "bench/import.sh: $tool is missing; run 'make deps-test'" >&2
    exit 1
  fi
done

die() {
  echo "bench/import.sh: $*" >&2
  exit 1
}

CATALOG=$WORK/catalog
bench/gen-catalog "$CATALOG" "$APPS" || die "bench/gen-catalog failed"
AGENCIES=$(($(wc -l <"$CATALOG/agencies.csv") - 1))
ROWS=$((APPS + AGENCIES))

# timed NAME CMD...: runs CMD under GNU time with its output in
# $WORK/NAME.out and $WORK/NAME.err, and appends "wall user system
# peak-RSS-KiB" to $WORK/NAME.runs. Exits the script when CMD fails.
timed() {
  local name=$1
  shift
  if ! "$GNU_TIME" -f '%e %U %S %M' -a -o "$WORK/$name.runs" "$@" \
    >"$WORK/$name.out" 2>"$WORK/$name.err"; then
    tail -n 20 "$WORK/$name.out" "$WORK/$name.err" >&2
    die "'$*' failed; its output is above"
  fi
}

# expect_summary NAME WANT: exits unless simpul's summary line, which it
# writes to standard error with the row reports, is WANT.
expect_summary() {
  local got
  got=$(grep '^added ' "$WORK/$1.err")
  [ "$got" = "$2" ] || die "$1 printed '$got', expected '$2'"
}

file_mib() {
  awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'
}

# median NAME FILE: prints "wall user system RSS-MiB file-MiB min max" for
# the run of NAME with the median wall time, FILE being the database the
# runs wrote.
median() {
  local size
  size=$(file_mib "$2")
  sort -n "$WORK/$1.runs" | awk -v size="$size" '
    { line[NR] = $0; wall[NR] = $1 }
    END {
      split(line[int((NR + 1) / 2)], m, " ")
      printf "%s %s %s %.1f %s %s %s\n", m[1], m[2], m[3], m[4] / 1024,
        size, wall[1], wall[NR]
    }'
}

STORE=$WORK/simpul.db
IMPORT=("$SIMPUL" --db "$STORE" catalog import "$CATALOG/agencies.csv"
        "$CATALOG/apps.csv")
for ((run = 1; run <= RUNS; run++)); do
  rm -f "$STORE" "$STORE-wal" "$STORE-shm"
  timed first "${IMPORT[@]}"
  expect_summary first "added $ROWS, updated 0, unchanged 0, refused 0"
done
read -r -a FIRST <<<"$(median first "$STORE")"

for ((run = 1; run <= RUNS; run++)); do
  timed again "${IMPORT[@]}"
  expect_summary again "added 0, updated 0, unchanged $ROWS, refused 0"
done
read -r -a AGAIN <<<"$(median again "$STORE")"

PEER_DB=$WORK/peer.db
cat >"$WORK/peer.sql" <<EOF
CREATE TABLE apps (code TEXT, name TEXT, kind TEXT, agency TEXT, url TEXT,
  android_package TEXT, purpose TEXT, audience TEXT, developer TEXT,
  hosting TEXT, launched TEXT, last_updated TEXT);
.import --csv --skip 1 $CATALOG/apps.csv apps
EOF
for ((run = 1; run <= RUNS; run++)); do
  rm -f "$PEER_DB"
  timed peer sqlite3 "$PEER_DB" ".read $WORK/peer.sql"
  peer_rows=$(sqlite3 "$PEER_DB" 'SELECT count(*) FROM apps')
  [ "$peer_rows" = "$APPS" ] ||
    die "sqlite3 imported $peer_rows rows, expected $APPS"
done
read -r -a PEER <<<"$(median peer "$PEER_DB")"

# row LABEL ROWS WALL USER SYS RSS FILE MIN MAX: one line of the table.
row() {
  awk -v label="$1" -v rows="$2" -v wall="$3" -v user="$4" -v sys="$5" \
    -v rss="$6" -v size="$7" -v min="$8" -v max="$9" -v peer="${PEER[0]}" '
    BEGIN {
      rate = wall > 0 ? sprintf("%.0f", rows / wall) : "-"
      ratio = peer > 0 ? sprintf("%.1f", wall / peer) : "-"
      printf "| %s | %d | %.2f (%.2f–%.2f) | %.2f | %.2f | %s | %s | %s | %s |\n",
        label, rows, wall, min, max, user, sys, rss, size, rate, ratio
    }'
}

cat <<EOF
## Catalog import

Command: \`bench/import.sh\`, with $APPS apps written by
\`bench/gen-catalog\` and the sample city's $AGENCIES agencies. Peer: sqlite3
$(sqlite3 --version | cut -d' ' -f1). Each line is the median of $RUNS runs
by wall time, with the fastest and slowest run in brackets; times and peak
resident memory (RSS) come from GNU time. simpul commits every 500 rows in
WAL mode and records each added row in its change history. sqlite3
\`.import\` writes all rows in one transaction.

| run | rows | wall s (range) | user s | sys s | peak RSS MiB | file MiB | rows/s | wall ÷ sqlite3 |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
EOF
row "\`simpul catalog import\`, fresh store" "$ROWS" "${FIRST[@]}"
row "\`simpul catalog import\`, same files again (all unchanged)" \
  "$ROWS" "${AGAIN[@]}"
row "sqlite3 \`.import --csv\` (apps.csv only, plain table)" \
  "$APPS" "${PEER[@]}"
