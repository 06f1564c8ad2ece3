#!/bin/bash
# `simpul copy-store` from SQLite to a private PostgreSQL 15 server and
# back. The source contains the sample city, edits with their history, users,
# API tokens, a session, login failures and a meta setting. Row counts are
# checked with sqlite3 and psql as well, not only through copy-store's own
# table. The two SQLite stores must export the same JSON byte for byte, a
# session made before the copy must work on a node serving the copy, and a
# target that is not empty must be refused.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.sh
source tests/lib/postgres.sh

if ! start_postgres; then
  fail copy_pg_start "could not start a private PostgreSQL; see stderr"
  exit 1
fi
SOURCE=$WORK/simpul.db
BACK=$WORK/back/simpul.db
TABLES="agencies apps changes users sessions api_tokens login_failures meta"

# ---- fill the SQLite source through the real program ----
# http JAR OUTFILE CURL-ARGS...: runs curl with cookie jar JAR and prints
# the status code.
http() {
  local jar=$1 out=$2
  shift 2
  curl -s -o "$out" -D "$out.h" -b "$jar" -c "$jar" -w '%{http_code}' "$@"
}

# login BASE JAR USER PASSWORD [CURL-ARGS...]: logs in through the form
# and prints the status of the POST.
login() {
  local base=$1 jar=$2 user=$3 password=$4 token
  shift 4
  http "$jar" "$WORK/login.html" "$@" "$base/login" >/dev/null
  token=$(sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' \
    "$WORK/login.html" | head -n 1)
  http "$jar" "$WORK/login.post" "$@" --data-urlencode "csrf=$token" \
    --data-urlencode "name=$user" --data-urlencode "password=$password" \
    "$base/login"
}

fill_source() {
  # The first start loads the sample city and records it in meta.
  start_simpul || return 1
  printf 'copy-staff-password\n' |
    simpul_cli user add copy-staff --role staff --password-stdin \
      >/dev/null 2>&1 || return 1
  simpul_cli token add --user copy-staff --name "kept token" \
    >/dev/null 2>&1 || return 1
  simpul_cli token add --user admin --name "revoked token" \
    >/dev/null 2>&1 || return 1
  simpul_cli token revoke 2 >/dev/null 2>&1 || return 1
  SESSION_CODE=$(login "$BASE" "$WORK/admin.jar" admin "$ADMIN_PASSWORD")
  login "$BASE" "$WORK/bad.jar" copy-staff wrong-password-1 >/dev/null
  login "$BASE" "$WORK/bad.jar" copy-staff wrong-password-2 >/dev/null
  kill -TERM "$SERVE_PID" && wait "$SERVE_PID"

  # Edits: a changed field, a merge (a reference between apps) and a new
  # agency under an existing parent, each recorded in the history.
  cat >"$WORK/edit-apps.csv" <<'CSV'
code,name,kind,agency,status,merged_into
web-dprd,Website DPRD Kota Metro (baru),website,DPRD,,
web-setda,Website Sekretariat Daerah Kota Metro,website,SETDA,merged,web-dprd
CSV
  printf 'code,name,kind,parent\nBAGUJI,Bagian Uji Salin,bagian,SETDA\n' \
    >"$WORK/edit-agencies.csv"
  simpul_cli catalog import "$WORK/edit-agencies.csv" "$WORK/edit-apps.csv" \
    >"$WORK/edit.out" 2>&1
}
if ! fill_source; then
  fail copy_fill_source "filling the SQLite source failed: $(tail -c 400 "$WORK/edit.out" 2>/dev/null)"
  exit 1
fi
expect_eq copy_source_login "$SESSION_CODE" 303

# sqlite_count DB TABLE / pg_count URL TABLE: rows of TABLE.
sqlite_count() { sqlite3 "$1" "SELECT count(*) FROM $2"; }
pg_count() { "$PG_BIN/psql" -X -q -At -d "$1" -c "SELECT count(*) FROM $2"; }

for table in $TABLES; do
  n=$(sqlite_count "$SOURCE" "$table")
  if [ "${n:-0}" -ge 1 ]; then pass "copy_source_has_$table"
  else fail "copy_source_has_$table" "the source has no rows in $table"; fi
done

# ---- SQLite to PostgreSQL ----
"$SIMPUL" copy-store "$SOURCE" "$PG_URL" >"$WORK/to_pg.out" 2>"$WORK/to_pg.err"
expect_eq copy_to_pg_exit "$?" 0
OUT=$(cat "$WORK/to_pg.out")
expect_match copy_to_pg_header "$OUT" '^copied [0-9]+ rows from sqlite to postgres'
expect_eq copy_to_pg_no_difference "$(grep -c 'DIFFERENT' "$WORK/to_pg.out")" 0

# report_row FILE TABLE: prints "rows_source rows_target sum_source
# sum_target result" of TABLE from a copy-store output.
report_row() { awk -v t="$2" '$1 == t {print $2, $3, $4, $5, $NF}' "$1"; }

for table in $TABLES; do
  want=$(sqlite_count "$SOURCE" "$table")
  got=$(pg_count "$PG_URL" "$table")
  expect_eq "copy_to_pg_rows_$table" "$got" "$want"
  row=$(report_row "$WORK/to_pg.out" "$table")
  expect_match "copy_to_pg_report_$table" "$row" \
    "^$want $want ([0-9a-f]{16}) \\1 ok$"
done
expect_match copy_to_pg_report_versions \
  "$(report_row "$WORK/to_pg.out" schema_migrations)" '^([0-9]+) \1 .* ok$'

# ---- PostgreSQL back to a new SQLite file ----
"$SIMPUL" copy-store "$PG_URL" "$BACK" >"$WORK/back.out" 2>"$WORK/back.err"
expect_eq copy_back_exit "$?" 0
expect_match copy_back_header "$(cat "$WORK/back.out")" \
  '^copied [0-9]+ rows from postgres to sqlite'
for table in $TABLES; do
  expect_eq "copy_back_rows_$table" "$(sqlite_count "$BACK" "$table")" \
    "$(sqlite_count "$SOURCE" "$table")"
  # The checksums of the first copy's source and of this copy's target.
  expect_eq "copy_back_sum_$table" \
    "$(report_row "$WORK/back.out" "$table" | cut -d' ' -f4)" \
    "$(report_row "$WORK/to_pg.out" "$table" | cut -d' ' -f3)"
done

# export DB NAME: writes the catalog of DB as JSON to $WORK/NAME.json.
export_json() {
  "$SIMPUL" --db "$1" catalog export --format json \
    --output "$WORK/$2.json" 2>/dev/null
}
export_json "$SOURCE" source
export_json "$PG_URL" pg
export_json "$BACK" back
if [ -s "$WORK/source.json" ] && cmp -s "$WORK/source.json" "$WORK/pg.json"
then pass copy_pg_json_identical
else fail copy_pg_json_identical "$(diff "$WORK/source.json" "$WORK/pg.json" | head -c 400)"; fi
if [ -s "$WORK/source.json" ] && cmp -s "$WORK/source.json" "$WORK/back.json"
then pass copy_back_json_identical
else fail copy_back_json_identical "$(diff "$WORK/source.json" "$WORK/back.json" | head -c 400)"; fi

# Ids are kept, and the sequences moved past them: a new row gets a new
# id instead of colliding with a copied one.
expect_eq copy_to_pg_ids_kept \
  "$(pg_count "$PG_URL" "apps WHERE code = 'web-dprd' AND id = $(sqlite3 "$SOURCE" "SELECT id FROM apps WHERE code = 'web-dprd'")")" 1
printf 'after-copy-password\n' |
  "$SIMPUL" --db "$PG_URL" user add after-copy --role viewer \
    --password-stdin >/dev/null 2>&1
expect_eq copy_to_pg_new_user_after_copy "$?" 0
printf 'code,name,kind,agency\nweb-baru,Website Baru,website,DPRD\n' \
  >"$WORK/new-app.csv"
"$SIMPUL" --db "$PG_URL" catalog import "$WORK/new-app.csv" \
  >"$WORK/new-app.out" 2>&1
expect_eq copy_to_pg_new_app_after_copy "$?" 0
expect_eq copy_to_pg_new_change_ids_distinct \
  "$(pg_count "$PG_URL" "(SELECT change_id FROM changes WHERE code = 'web-baru' INTERSECT SELECT change_id FROM changes WHERE code <> 'web-baru') AS shared")" 0

# A session made on the SQLite node works on a node that serves the copy.
PG_PORT_SERVE=$(free_port)
"$SIMPUL" --db "$PG_URL" serve --port "$PG_PORT_SERVE" \
  --set key_file="$WORK/simpul.key" --set load_sample=false \
  >"$WORK/pg_serve.out" 2>"$WORK/pg_serve.log" &
PG_SERVE_PID=$!
on_exit "kill -TERM $PG_SERVE_PID; wait $PG_SERVE_PID"
for ((i = 0; i < 200; i++)); do
  curl -fs -o /dev/null "http://127.0.0.1:$PG_PORT_SERVE/healthz" && break
  sleep 0.1
done
code=$(http "$WORK/admin.jar" "$WORK/admin.html" \
  "http://127.0.0.1:$PG_PORT_SERVE/admin")
expect_eq copy_session_works_after_copy "$code" 200
code=$(login "http://127.0.0.1:$PG_PORT_SERVE" "$WORK/again.jar" copy-staff \
  copy-staff-password)
expect_eq copy_password_works_after_copy "$code" 303
kill -TERM "$PG_SERVE_PID" && wait "$PG_SERVE_PID"


# SQLite to SQLite: the copy exports the same JSON as its source.
"$SIMPUL" copy-store "$SOURCE" "$WORK/direct.db" >"$WORK/direct.out" 2>&1
expect_eq copy_sqlite_to_sqlite_exit "$?" 0
export_json "$WORK/direct.db" direct
if [ -s "$WORK/source.json" ] && cmp -s "$WORK/source.json" "$WORK/direct.json"
then pass copy_sqlite_json_identical
else fail copy_sqlite_json_identical "the JSON exports differ or are empty"; fi

# ---- refusals ----
"$SIMPUL" copy-store "$SOURCE" "$PG_URL" >"$WORK/again.out" 2>"$WORK/again.err"
expect_eq copy_nonempty_pg_exit "$?" 1
expect_match copy_nonempty_pg_message "$(tr '\n' ' ' <"$WORK/again.err")" \
  'not empty.*table agencies of the target has [0-9]+ rows.*dropdb'
expect_eq copy_nonempty_pg_unchanged "$(pg_count "$PG_URL" users)" \
  "$(( $(sqlite_count "$SOURCE" users) + 1 ))"

"$SIMPUL" copy-store "$PG_URL" "$BACK" >/dev/null 2>"$WORK/again2.err"
expect_eq copy_nonempty_sqlite_exit "$?" 1
expect_match copy_nonempty_sqlite_message "$(tr '\n' ' ' <"$WORK/again2.err")" \
  "not empty.*delete $BACK"

"$SIMPUL" copy-store "$WORK/missing.db" "$WORK/out.db" >/dev/null \
  2>"$WORK/missing.err"
expect_eq copy_missing_source_exit "$?" 1
expect_match copy_missing_source_message "$(cat "$WORK/missing.err")" \
  'missing\.db does not exist'
if [ -e "$WORK/missing.db" ]; then
  fail copy_missing_source_not_created "copy-store created the source file"
else
  pass copy_missing_source_not_created
fi

"$SIMPUL" copy-store "$SOURCE" "$SOURCE" >/dev/null 2>&1
expect_eq copy_same_store_usage "$?" 2
"$SIMPUL" copy-store "$SOURCE" >/dev/null 2>&1
expect_eq copy_one_argument_usage "$?" 2

# A PostgreSQL URL with a password never appears in messages.
"$SIMPUL" copy-store "postgresql://simpul:Rahasia-Salin-9@127.0.0.1:$(free_port)/x" \
  "$WORK/out2.db" >/dev/null 2>"$WORK/secret.err"
expect_eq copy_unreachable_source_exit "$?" 1
if grep -q 'Rahasia-Salin-9' "$WORK/secret.err"; then
  fail copy_password_hidden "the password appears in: $(cat "$WORK/secret.err")"
else
  pass copy_password_hidden
fi
