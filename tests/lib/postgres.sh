# A private PostgreSQL 15 server for integration scripts. Source common.sh
# first, then this file, then call start_postgres.
#
# The server runs as the `postgres` user, because initdb refuses to run as
# root. It lives in its own temporary folder, listens only on 127.0.0.1 at a
# free high port and keeps its unix socket in that folder. It trusts every
# local connection, so it is for tests only. The machine's own cluster is
# never touched.
#
#   start_postgres    initdb, start, create database simpul_test; sets
#                     PG_URL, PG_PORT, PG_DIR, PG_BIN and registers the
#                     clean-up (stop and remove the folder) with on_exit
#   stop_postgres     stop the server (fast shutdown); the data stays
#   start_postgres_again   start the stopped server on the same port
#   restart_postgres  stop, then start again on the same port
#   pg_sql SQL        run SQL on simpul_test with psql, print bare rows
#   pg_new_database NAME   create another database; prints its URL

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

# pg_as_postgres CMD ARGS...: runs a PostgreSQL program as the postgres user.
pg_as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# pg_ctl_start: starts the server in $PG_DIR/data on $PG_PORT and waits
# until it accepts connections. fsync and full-page writes are off because
# the data is thrown away.
pg_ctl_start() {
  local options="-c listen_addresses=127.0.0.1 -p $PG_PORT"
  options+=" -c unix_socket_directories=$PG_DIR"
  options+=" -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
  pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
    -w -t 30 -o "$options" start >/dev/null
}

start_postgres() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "start_postgres: $PG_BIN/initdb not found;" \
      "run scripts/install-deps test" >&2
    return 1
  fi

  PG_DIR=$(mktemp -d /tmp/simpul-pg.XXXXXX)
  chmod 755 "$PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_DIR"
  fi
  on_exit "pg_as_postgres '$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m fast stop;
           rm -rf '$PG_DIR'"

  if ! pg_as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres \
      --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
    echo "start_postgres: initdb failed; its output follows" >&2
    cat "$PG_DIR/initdb.log" >&2
    return 1
  fi

  # Another program may take the free port before the server binds it, so
  # a failed start is tried again on a new port a few times.
  local attempt
  for attempt in 1 2 3; do
    PG_PORT=$(free_port)
    if pg_ctl_start; then
      break
    fi
    if [ "$attempt" -eq 3 ]; then
      echo "start_postgres: pg_ctl start failed; server log follows" >&2
      cat "$PG_DIR/server.log" >&2
      return 1
    fi
  done

  if ! "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres simpul_test
  then
    echo "start_postgres: createdb simpul_test failed" >&2
    return 1
  fi
  PG_URL="postgresql://postgres@127.0.0.1:$PG_PORT/simpul_test"
  export PG_URL PG_PORT PG_DIR PG_BIN
}

stop_postgres() {
  pg_as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null
}

start_postgres_again() {
  pg_ctl_start
}

restart_postgres() {
  stop_postgres && pg_ctl_start
}

pg_sql() {
  "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" \
    -U postgres -d simpul_test -c "$1"
}

pg_new_database() {
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$1" &&
    echo "postgresql://postgres@127.0.0.1:$PG_PORT/$1"
}
