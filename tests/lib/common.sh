# Shared helpers for the integration scripts; source it first.

# A script that sets SIMPUL_PRIVATE_NETWORK=1 before sourcing this file runs
# again inside a new network and mount namespace (as root) with only
# loopback up. Scripts whose server examines the sample city do so: its host
# names then fail to resolve at once instead of sending DNS queries off the
# machine. Servers on 127.0.0.1 work as before inside the namespace. This
# happens first, before any folder or server is made.
if [ "${SIMPUL_PRIVATE_NETWORK:-}" = 1 ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
    echo "FAIL namespace: this test needs root and unshare(1)"
    exit 1
  fi
  SIMPUL_PRIVATE_NETWORK=inside exec unshare -n -m --propagation private \
    bash "$0" "$@"
elif [ "${SIMPUL_PRIVATE_NETWORK:-}" = inside ]; then
  ip link set lo up || { echo "FAIL namespace: cannot bring lo up"; exit 1; }
fi
# Every script works in its own temporary folder, starts its own servers on
# 127.0.0.1 at free high ports, and stops them on exit.
set -u
SIMPUL=${SIMPUL:-build/asan/simpul}
case "$SIMPUL" in /*) ;; *) SIMPUL="$PWD/$SIMPUL" ;; esac
SHARED_DATA=${SHARED_DATA:-$PWD/../shared/data}
[ -d "$SHARED_DATA" ] || SHARED_DATA=$PWD/data
WORK=$(mktemp -d /tmp/simpul-it.XXXXXX)
CLEANUP=()

cleanup() {
  local i
  for ((i = ${#CLEANUP[@]} - 1; i >= 0; i--)); do
    eval "${CLEANUP[$i]}" >/dev/null 2>&1 || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

# on_exit CMD: runs CMD when the script ends, last registered first.
on_exit() { CLEANUP+=("$1"); }

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }

# check NAME CMD...: PASS when CMD exits 0.
check() {
  local name=$1
  shift
  if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# expect_eq NAME GOT WANT
expect_eq() {
  if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', expected '$3'"; fi
}

# expect_match NAME TEXT REGEX
expect_match() {
  if printf '%s' "$2" | grep -Eq -- "$3"; then pass "$1"
  else fail "$1" "'$(printf '%s' "$2" | head -c 300)' does not match /$3/"; fi
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on and that
# this script has not handed out before.
free_port() {
  local port low=32768
  # Below the kernel's ephemeral range: a port in it may be taken by an
  # outgoing connection (to PostgreSQL, or an examination's) between this
  # check and the server's bind, which then fails with EADDRINUSE.
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
  ((low > 12000)) || low=32768
  while :; do
    port=$((10000 + RANDOM % (low - 10000)))
    # A port handed out earlier in this script may not be bound yet (its
    # server is still starting), so it is skipped too. The list is a file
    # because callers run this in a subshell.
    grep -qx "$port" "$WORK/.ports" 2>/dev/null && continue
    if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
      echo "$port" >>"$WORK/.ports"
      echo "$port"
      return
    fi
  done
}

# SIMPUL_DB: the store of simpul_cli and start_simpul. It is an SQLite file
# in $WORK, unless SIMPUL_TEST_DB=postgres: then it is a database on a
# private PostgreSQL server (tests/lib/postgres.sh), started and migrated
# here and removed when the script ends.
SIMPUL_DB="$WORK/simpul.db"
if [ "${SIMPUL_TEST_DB:-sqlite}" = postgres ]; then
  source "$(dirname "${BASH_SOURCE[0]}")/postgres.sh"
  if ! start_postgres || ! "$SIMPUL" --db "$PG_URL" migrate >/dev/null; then
    echo "FAIL test_db_postgres: starting or migrating a private" \
      "PostgreSQL failed; see stderr"
    exit 1
  fi
  SIMPUL_DB=$PG_URL
fi

# simpul_cli ARGS...: runs the program on this script's store.
simpul_cli() { "$SIMPUL" --db "$SIMPUL_DB" "$@"; }

# start_simpul [EXTRA SERVE ARGS...]: starts `simpul serve` on a free port
# with the store SIMPUL_DB and a key file in $WORK, waits for /healthz, and
# sets BASE and SERVE_LOG. Later --set options override the key file.
# The generated admin password is stored in ADMIN_PASSWORD.
start_simpul() {
  PORT=$(free_port)
  BASE="http://127.0.0.1:$PORT"
  SERVE_LOG="$WORK/serve.log"
  "$SIMPUL" --db "$SIMPUL_DB" serve --port "$PORT" \
    --set key_file="$WORK/simpul.key" "$@" \
    >"$WORK/serve.out" 2>"$SERVE_LOG" &
  SERVE_PID=$!
  on_exit "kill -TERM $SERVE_PID; wait $SERVE_PID"
  local i
  for ((i = 0; i < 200; i++)); do
    if curl -fsS -o /dev/null "$BASE/healthz" 2>/dev/null; then
      ADMIN_PASSWORD=$(sed -n 's/.*password: *\([^ ]*\).*/\1/p' "$WORK/serve.out" | head -n 1)
      return 0
    fi
    if ! kill -0 "$SERVE_PID" 2>/dev/null; then
      echo "simpul serve exited early; log:" >&2
      cat "$SERVE_LOG" >&2
      return 1
    fi
    sleep 0.1
  done
  echo "simpul serve did not answer /healthz in 20 s" >&2
  return 1
}
