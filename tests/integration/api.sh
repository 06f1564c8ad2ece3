#!/bin/bash
# The JSON API under /api/v1/, tested through real HTTP against `simpul
# serve` with the sample city loaded. It covers lists (filters, sorting,
# paging), show, create with its duplicate and validation errors, update
# and history, roles and tokens, examination results and jobs. It also sends bodies that are not JSON,
# nested too deep, too large or of the wrong content type.
cd "$(dirname "$0")/../.." || exit 1
# Examinations of the sample city run here: keep their lookups on this machine.
SIMPUL_PRIVATE_NETWORK=${SIMPUL_PRIVATE_NETWORK:-1}
source tests/lib/common.sh
source tests/lib/exam.sh

# The schedule is off: only the examinations this test starts run.
if ! start_simpul --set examine_interval=0; then
  fail api_server_start "simpul serve did not start"
  exit 1
fi

# add_user NAME ROLE: adds an account with a fixed test password.
add_user() {
  printf 'correct horse battery\n' |
    simpul_cli user add "$1" --role "$2" --password-stdin >/dev/null
}

# new_token USER: prints a new API token acting as USER.
new_token() {
  simpul_cli token add --user "$1" --name "api test" |
    grep -Eo 'sp_[A-Za-z0-9_-]{20,}' | head -n 1
}

add_user api-staff staff || fail api_setup "could not add the staff user"
add_user api-viewer viewer || fail api_setup "could not add the viewer user"
STAFF=$(new_token api-staff)
VIEWER=$(new_token api-viewer)
[ -n "$STAFF" ] || fail api_setup "no staff token was printed"
[ -n "$VIEWER" ] || fail api_setup "no viewer token was printed"

# req METHOD PATH TOKEN [BODY [CONTENT_TYPE]]: sends one request and sets
# STATUS, BODY and HEADERS. BODY "@file" sends a file.
req() {
  local method=$1 path=$2 token=$3 data=${4-} ctype=${5:-application/json}
  local args=(-sS -o "$WORK/body" -D "$WORK/headers" -w '%{http_code}'
              -X "$method" --max-time 20)
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  [ -n "$data" ] && args+=(-H "Content-Type: $ctype" --data-binary "$data")
  : >"$WORK/body"
  STATUS=$(curl "${args[@]}" "$BASE$path" 2>/dev/null)
  BODY=$(cat "$WORK/body")
  HEADERS=$(cat "$WORK/headers" 2>/dev/null)
}

# json FILTER: applies a jq filter to the last response body.
json() { printf '%s' "$BODY" | jq -r "$1" 2>/dev/null; }

# --- authentication and roles -------------------------------------------
req GET /api/v1/apps ""
expect_eq api_no_token_401 "$STATUS" 401
expect_eq api_no_token_code "$(json .error.code)" unauthorized

req GET /api/v1/apps "sp_not-a-real-token-aaaaaaaaaaaaaaaaaaaaaaa"
expect_eq api_bad_token_401 "$STATUS" 401

req POST /api/v1/apps "$VIEWER" '{"code":"viewer-app","name":"X","kind":"webapp","agency":"DISKOMINFO"}'
expect_eq api_viewer_write_403 "$STATUS" 403
expect_eq api_viewer_write_code "$(json .error.code)" forbidden

# --- lists ---------------------------------------------------------------
req GET /api/v1/apps "$VIEWER"
expect_eq api_list_status "$STATUS" 200
expect_eq api_list_total_121 "$(json .total)" 121
expect_eq api_list_default_limit "$(json .limit)" 50
expect_eq api_list_default_offset "$(json .offset)" 0
expect_eq api_list_page_size "$(json '.items | length')" 50
expect_eq api_list_first_code_sorted "$(json '.items[0].code <= .items[1].code')" true

req GET "/api/v1/apps?limit=10&offset=115" "$VIEWER"
expect_eq api_paging_last_page "$(json '.items | length')" 6
expect_eq api_paging_echo "$(json '"\(.limit),\(.offset),\(.total)"')" "10,115,121"

req GET "/api/v1/apps?limit=500" "$VIEWER"
expect_eq api_paging_max_limit "$(json '.items | length')" 121

for bad in "limit=0" "limit=501" "limit=abc" "limit=-1" "offset=-1" "offset=x"; do
  req GET "/api/v1/apps?$bad" "$VIEWER"
  name=api_paging_bad_${bad//[^a-z0-9]/_}
  expect_eq "${name}_400" "$STATUS" 400
  expect_eq "${name}_code" "$(json .error.code)" bad_request
  expect_eq "${name}_field" "$(json '.error.fields[0].field')" "${bad%%=*}"
done
req GET "/api/v1/apps?limit=0" "$VIEWER"
expect_match api_paging_names_range "$(json '.error.fields[0].detail_en')" "1 to 500"

req GET "/api/v1/apps?sort=name&order=desc&limit=500" "$VIEWER"
# Names sort with ASCII letters folded (jq's ascii_downcase folds the same
# letters), ties broken by code.
expect_eq api_sort_name_desc "$(json '[.items[] | [(.name | ascii_downcase), .code]] as $keys | $keys == ($keys | sort | reverse)')" true
req GET "/api/v1/apps?sort=agency&limit=500" "$VIEWER"
expect_eq api_sort_agency_asc "$(json '[.items[].agency] == ([.items[].agency] | sort)')" true
req GET "/api/v1/apps?sort=size" "$VIEWER"
expect_eq api_sort_bad_400 "$STATUS" 400
expect_eq api_sort_bad_field "$(json '.error.fields[0].field')" sort
expect_match api_sort_bad_lists_allowed "$(json '.error.fields[0].detail_en')" "code, name, agency, kind, status or updated"
req GET "/api/v1/apps?order=up" "$VIEWER"
expect_eq api_order_bad_400 "$STATUS" 400
expect_eq api_order_bad_field "$(json '.error.fields[0].field')" order

req GET "/api/v1/apps?kind=android&limit=500" "$VIEWER"
expect_eq api_filter_kind_total "$(json .total)" 22
expect_eq api_filter_kind_only "$(json '[.items[].kind] | unique | join(",")')" android
req GET "/api/v1/apps?kind=foo" "$VIEWER"
expect_eq api_filter_kind_bad_422 "$STATUS" 422
expect_eq api_filter_kind_bad_code "$(json .error.code)" invalid_choice
expect_eq api_filter_kind_bad_field "$(json '.error.fields[0].field')" kind
req GET "/api/v1/apps?status=gone" "$VIEWER"
expect_eq api_filter_status_bad_422 "$STATUS" 422
req GET "/api/v1/apps?agency=DISKOMINFO&limit=500" "$VIEWER"
expect_eq api_filter_agency_total "$(json .total)" 12
expect_eq api_filter_agency_only "$(json '[.items[].agency] | unique | join(",")')" DISKOMINFO
req GET "/api/v1/apps?q=SETDA&limit=500" "$VIEWER"
expect_eq api_search_finds "$(json '[.items[].code] | index("web-setda") != null')" true
req GET "/api/v1/apps?q=%25%25no-such-text%25" "$VIEWER"
expect_eq api_search_percent_literal "$(json .total)" 0

req GET /api/v1/agencies "$VIEWER"
expect_eq api_agency_list_total "$(json .total)" 35
req GET "/api/v1/agencies?parent=SETDA" "$VIEWER"
expect_eq api_agency_filter_parent "$(json .total)" 3
req GET "/api/v1/agencies?kind=kecamatan" "$VIEWER"
expect_eq api_agency_filter_kind "$(json .total)" 5
req GET "/api/v1/agencies?limit=1000" "$VIEWER"
expect_eq api_agency_paging_bad "$STATUS" 400

# --- show ----------------------------------------------------------------
req GET /api/v1/apps/web-setda "$VIEWER"
expect_eq api_show_status "$STATUS" 200
expect_eq api_show_code "$(json .code)" web-setda
expect_eq api_show_agency "$(json .agency)" SETDA
expect_eq api_show_launched "$(json .launched)" 2013
req GET /api/v1/apps/no-such-app "$VIEWER"
expect_eq api_show_unknown_404 "$STATUS" 404
expect_eq api_show_unknown_code "$(json .error.code)" not_found
req GET /api/v1/agencies/DISKOMINFO "$VIEWER"
expect_eq api_agency_show "$(json .code)" DISKOMINFO
req GET /api/v1/agencies/NOPE "$VIEWER"
expect_eq api_agency_unknown_404 "$STATUS" 404

# --- create --------------------------------------------------------------
new_app='{"code":"it-api-1","name":"Aplikasi Uji API","kind":"webapp","agency":"DISKOMINFO","url":"uji-api.metrokota.test","launched":"2021"}'
req POST /api/v1/apps "$STAFF" "$new_app"
expect_eq api_create_201 "$STATUS" 201
expect_eq api_create_code "$(json .code)" it-api-1
expect_match api_create_location "$HEADERS" $'[Ll]ocation: /api/v1/apps/it-api-1\r?'
expect_eq api_create_url_normalised "$(json .url)" https://uji-api.metrokota.test
expect_eq api_create_notes "$(json '[.notes[]?.field] | index("url") != null')" true
req GET /api/v1/apps/it-api-1 "$VIEWER"
expect_eq api_create_then_show "$(json .name)" "Aplikasi Uji API"

req POST /api/v1/apps "$STAFF" "$new_app"
expect_eq api_duplicate_409 "$STATUS" 409
expect_eq api_duplicate_code "$(json .error.code)" duplicate
expect_eq api_duplicate_field "$(json '.error.fields[0].field')" code

req POST /api/v1/apps "$STAFF" '{"code":"it-api-2","name":"Uji","kind":"spaceship","agency":"DISKOMINFO"}'
expect_eq api_invalid_kind_422 "$STATUS" 422
expect_eq api_invalid_kind_code "$(json .error.code)" invalid_choice
expect_eq api_invalid_kind_field "$(json '.error.fields[0].field')" kind
expect_match api_invalid_kind_id "$(json '.error.fields[0].detail_id')" spaceship
expect_match api_invalid_kind_en "$(json '.error.fields[0].detail_en')" spaceship
expect_eq api_invalid_kind_two_languages "$(json '.error.fields[0].detail_id != .error.fields[0].detail_en')" true
expect_match api_invalid_message_id "$(json .error.message_id)" .
expect_match api_invalid_message_en "$(json .error.message_en)" .

req POST /api/v1/apps "$STAFF" '{"code":"it-api-3","kind":"webapp","agency":"DISKOMINFO"}'
expect_eq api_missing_name_422 "$STATUS" 422
expect_eq api_missing_name_field "$(json '[.error.fields[].field] | index("name") != null')" true
req POST /api/v1/apps "$STAFF" '{"code":"it-api-4","name":"Uji","kind":"webapp","agency":"NO-SUCH"}'
expect_eq api_unknown_agency_422 "$STATUS" 422
expect_eq api_unknown_agency_field "$(json '.error.fields[0].field')" agency
req POST /api/v1/apps "$STAFF" '{"code":"it-api-5","name":"Uji","kind":"webapp","agency":"DISKOMINFO","colour":"red"}'
expect_eq api_unknown_field_422 "$STATUS" 422
expect_eq api_unknown_field_name "$(json '.error.fields[0].field')" colour
req POST /api/v1/apps "$STAFF" '{"code":"it-api-6","name":42,"kind":"webapp","agency":"DISKOMINFO"}'
expect_eq api_wrong_type_400 "$STATUS" 400
expect_eq api_wrong_type_field "$(json '.error.fields[0].field')" name
req GET /api/v1/apps/it-api-6 "$VIEWER"
expect_eq api_refused_not_stored "$STATUS" 404

req POST /api/v1/agencies "$STAFF" '{"code":"IT-UNIT","name":"Unit Uji","kind":"bidang","parent":"DISKOMINFO"}'
expect_eq api_agency_create_201 "$STATUS" 201
expect_eq api_agency_create_parent "$(json .parent)" DISKOMINFO
req PATCH /api/v1/agencies/DISKOMINFO "$STAFF" '{"parent":"IT-UNIT"}'
expect_eq api_agency_cycle_422 "$STATUS" 422
expect_eq api_agency_cycle_code "$(json .error.code)" parent_cycle

# --- update and history --------------------------------------------------
req PATCH /api/v1/apps/it-api-1 "$STAFF" '{"name":"Aplikasi Uji API Baru","status":"maintenance"}'
expect_eq api_update_200 "$STATUS" 200
expect_eq api_update_name "$(json .name)" "Aplikasi Uji API Baru"
expect_eq api_update_keeps_other "$(json .url)" https://uji-api.metrokota.test
req PUT /api/v1/apps/it-api-1 "$STAFF" '{"purpose":"Uji lewat PUT"}'
expect_eq api_put_200 "$STATUS" 200
expect_eq api_put_keeps_name "$(json .name)" "Aplikasi Uji API Baru"
req PATCH /api/v1/apps/it-api-1 "$STAFF" '{"code":"renamed"}'
expect_eq api_update_code_refused "$STATUS" 422
expect_eq api_update_code_field "$(json '.error.fields[0].field')" code
req PATCH /api/v1/apps/it-api-1 "$STAFF" '{"launched":"1850"}'
expect_eq api_update_bad_year_422 "$STATUS" 422
req GET /api/v1/apps/it-api-1 "$VIEWER"
expect_eq api_update_bad_year_kept "$(json .launched)" 2021
req PATCH /api/v1/apps/no-such-app "$STAFF" '{"name":"x"}'
expect_eq api_update_unknown_404 "$STATUS" 404

req GET /api/v1/apps/it-api-1/history "$VIEWER"
expect_eq api_history_200 "$STATUS" 200
name_change='[.items[] | select(.field == "name")][0]'
expect_eq api_history_actor "$(json "$name_change.actor")" api-staff
expect_eq api_history_old "$(json "$name_change.old_value")" "Aplikasi Uji API"
expect_eq api_history_new "$(json "$name_change.new_value")" "Aplikasi Uji API Baru"
expect_eq api_history_status "$(json '[.items[] | select(.field == "status")][0].new_value')" maintenance
req GET /api/v1/apps/no-such-app/history "$VIEWER"
expect_eq api_history_unknown_404 "$STATUS" 404
req GET /api/v1/agencies/IT-UNIT/history "$VIEWER"
expect_eq api_agency_history "$(json '.items | length > 0')" true

# --- examinations and jobs ----------------------------------------------
# Results are put into the store with exam_seed.c: probing sites needs the
# namespace harness of the examination tests.
if exam_seed_build; then
  cat >"$WORK/runs.json" <<EOF
{"runs": [
 {"ago": 86400, "results": [
   {"app": "web-setda", "outcome": "ok", "http_status": 200,
    "response_ms": 400, "grade": "B", "score": 70}]},
 {"ago": 60, "results": [
   {"app": "web-setda", "outcome": "ok", "http_status": 200,
    "response_ms": 250, "grade": "A+", "score": 105,
    "final_url": "https://web-setda.metrokota.test/",
    "redirects": [{"url": "http://web-setda.metrokota.test/", "status": 301}],
    "https_available": 1, "https_redirect": 1, "tls_valid": 1,
    "tls_trusted": 1, "tls_issuer": "CN=Uji CA", "tls_expires_in": 7776000,
    "tls_protocol": "TLSv1.3", "tests": {"x-frame-options": {"pass": true}},
    "findings": [{"id": "server-version-disclosed", "severity": "low",
                  "evidence": "Server: nginx/1.18.0"}]},
   {"app": "web-bpkad", "outcome": "ok", "http_status": 200,
    "response_ms": 200, "https_available": 1, "tls_valid": 0,
    "tls_expires_in": -86400, "grade": "C", "score": 50,
    "findings": [{"id": "tls-cert-expired", "severity": "high",
                  "evidence": "notAfter passed"}]}]}
]}
EOF
  mapfile -t RUN < <(exam_seed "$SIMPUL_DB" <"$WORK/runs.json" 2>"$WORK/seed.err")
else
  RUN=()
fi
expect_eq api_exam_seeded "${#RUN[@]}" 2
NEWEST_RUN=${RUN[1]:-missing}

req GET /api/v1/apps/web-setda/examinations "$VIEWER"
expect_eq api_exam_history_200 "$STATUS" 200
expect_eq api_exam_history_count "$(json '.items | length')" 2
expect_eq api_exam_history_newest_first "$(json '[.items[].grade] | join(",")')" "A+,B"
expect_eq api_exam_history_run "$(json '.items[0].run_id')" "$NEWEST_RUN"
expect_eq api_exam_history_no_findings "$(json '.items[0] | has("findings")')" false
expect_eq api_exam_history_availability "$(json '.items[0].availability')" reachable
expect_match api_exam_history_time "$(json '.items[0].examined_at')" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
req GET "/api/v1/apps/web-setda/examinations?limit=1" "$VIEWER"
expect_eq api_exam_history_limit "$(json '.items | length')" 1
req GET "/api/v1/apps/web-setda/examinations?limit=0" "$VIEWER"
expect_eq api_exam_history_bad_limit_400 "$STATUS" 400
req GET /api/v1/apps/no-such-app/examinations "$VIEWER"
expect_eq api_exam_history_unknown_404 "$STATUS" 404
req GET /api/v1/apps/web-setda/examinations ""
expect_eq api_exam_history_anonymous_401 "$STATUS" 401

req GET /api/v1/apps/web-setda/examinations/latest "$VIEWER"
expect_eq api_exam_latest_200 "$STATUS" 200
expect_eq api_exam_latest_grade "$(json '"\(.grade) \(.score)"')" "A+ 105"
expect_eq api_exam_latest_redirect "$(json '.redirects[0].status')" 301
expect_eq api_exam_latest_tls "$(json '"\(.tls.valid) \(.tls.trusted) \(.tls.protocol)"')" "true true TLSv1.3"
expect_eq api_exam_latest_https "$(json '.https_available')" true
expect_eq api_exam_latest_tests "$(json '.tests["x-frame-options"].pass')" true
expect_eq api_exam_latest_finding "$(json '.findings[0].id')" server-version-disclosed
expect_eq api_exam_latest_finding_evidence "$(json '.findings[0].evidence')" "Server: nginx/1.18.0"
expect_eq api_exam_latest_remediation_en "$(json '.findings[0].remediation_en')" \
  "$(jq -r '.findings["server-version-disclosed"].remediation_en' data/examine/findings.json)"
expect_eq api_exam_latest_title_id "$(json '.findings[0].title_id')" \
  "$(jq -r '.findings["server-version-disclosed"].title_id' data/examine/findings.json)"
expect_eq api_exam_latest_no_action "$(json '.needs_action | length')" 0
req GET /api/v1/apps/web-bpkad/examinations/latest "$VIEWER"
expect_eq api_exam_latest_cert_expired "$(json '.needs_action | index("cert-expired") != null')" true
req GET /api/v1/apps/web-disnaker/examinations/latest "$VIEWER"
expect_eq api_exam_latest_never_404 "$STATUS" 404
expect_match api_exam_latest_never_detail "$(json '.error.fields[0].detail_en')" 'POST /api/v1/examinations'

req POST /api/v1/examinations "$VIEWER" '{}'
expect_eq api_examine_viewer_403 "$STATUS" 403
req POST /api/v1/examinations "$STAFF" '{"apps": ["web-setda", "web-setda"]}'
expect_eq api_examine_202 "$STATUS" 202
APP_JOB=$(json .id)
expect_eq api_examine_kind "$(json .kind)" examine
expect_eq api_examine_params "$(json '.params.apps | join(",")')" web-setda
expect_eq api_examine_actor "$(json .created_by)" api-staff
expect_match api_examine_state "$(json .state)" '^(queued|running|done)$'
expect_match api_examine_location "$HEADERS" "[Ll]ocation: /api/v1/jobs/$APP_JOB"
req POST /api/v1/examinations "$STAFF" '{}'
expect_eq api_examine_all_202 "$STATUS" 202
expect_eq api_examine_all_params "$(json '.params | length')" 0
req POST /api/v1/examinations "$STAFF" '{"apps": ["web-setda", "no-such-app"]}'
expect_eq api_examine_unknown_app_422 "$STATUS" 422
expect_eq api_examine_unknown_app_code "$(json .error.code)" unknown_app
expect_eq api_examine_unknown_app_field "$(json '.error.fields[0].field')" 'apps[1]'
req POST /api/v1/examinations "$STAFF" '{"apps": []}'
expect_eq api_examine_empty_apps_422 "$STATUS" 422
req POST /api/v1/examinations "$STAFF" '{"apps": "web-setda"}'
expect_eq api_examine_apps_not_list_422 "$STATUS" 422
req POST /api/v1/examinations "$STAFF" '{"apps": [7]}'
expect_eq api_examine_code_not_string_400 "$STATUS" 400
req POST /api/v1/examinations "$STAFF" '{"app": ["web-setda"]}'
expect_eq api_examine_unknown_field "$(json .error.code)" unknown_field
req POST /api/v1/examinations "$STAFF" 'not json'
expect_eq api_examine_bad_json_400 "$STATUS" 400

req GET /api/v1/jobs "$VIEWER"
expect_eq api_jobs_200 "$STATUS" 200
expect_eq api_jobs_lists_new "$(json "[.items[].id] | index(${APP_JOB:-0}) != null")" true
expect_eq api_jobs_newest_first "$(json '.items[0].id > .items[1].id')" true
req GET "/api/v1/jobs?kind=examine&limit=1" "$VIEWER"
expect_eq api_jobs_limit "$(json '.items | length')" 1
req GET "/api/v1/jobs?kind=nothing-like-this" "$VIEWER"
expect_eq api_jobs_other_kind "$(json '.items | length')" 0
req GET "/api/v1/jobs?kind=BAD%20KIND" "$VIEWER"
expect_eq api_jobs_bad_kind_400 "$STATUS" 400
req GET "/api/v1/jobs/${APP_JOB:-missing}" "$VIEWER"
expect_eq api_job_200 "$STATUS" 200
expect_eq api_job_id "$(json .id)" "$APP_JOB"
expect_match api_job_progress "$(json '.progress | "\(.done)/\(.total)"')" '^[0-9]+/[0-9]+$'
req GET /api/v1/jobs/999999999 "$VIEWER"
expect_eq api_job_unknown_404 "$STATUS" 404
req GET /api/v1/jobs/abc "$VIEWER"
expect_eq api_job_bad_id_404 "$STATUS" 404

# --- bodies --------------------------------------------------------------
req POST /api/v1/apps "$STAFF" 'this is not json'
expect_eq api_bad_json_400 "$STATUS" 400
expect_eq api_bad_json_code "$(json .error.code)" bad_json
# The parser's position is in English; the Indonesian detail leads with
# the error's Indonesian message.
expect_match api_bad_json_detail_id "$(json '.error.fields[0].detail_id')" \
  '^Isi permintaan .*\(line 1, column'
req POST /api/v1/apps "$STAFF" '[1, 2]'
expect_eq api_json_array_400 "$STATUS" 400
deep=$(printf '%.0s[' {1..100})1$(printf '%.0s]' {1..100})
req POST /api/v1/apps "$STAFF" "{\"name\":$deep}"
expect_eq api_too_deep_400 "$STATUS" 400
expect_eq api_too_deep_code "$(json .error.code)" json_too_deep
head -c $((2 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$WORK/big.json"
req POST /api/v1/apps "$STAFF" "@$WORK/big.json"
expect_eq api_too_large_413 "$STATUS" 413
req POST /api/v1/apps "$STAFF" "$new_app" text/plain
expect_eq api_content_type_415 "$STATUS" 415
expect_eq api_content_type_code "$(json .error.code)" unsupported_media_type

req GET /healthz ""
expect_eq api_server_alive "$STATUS" 200
req GET /api/v1/apps "$VIEWER"
expect_eq api_catalog_intact "$(json .total)" 122

# --- entity tags and If-Match ---------------------------------------------
# patch_if PATH TAG BODY: PATCH with an If-Match header; sets STATUS, BODY.
patch_if() {
  STATUS=$(curl -sS -o "$WORK/body" -w '%{http_code}' -X PATCH --max-time 20 \
    -H "Authorization: Bearer $STAFF" -H 'Content-Type: application/json' \
    -H "If-Match: $2" --data-binary "$3" "$BASE$1" 2>/dev/null)
  BODY=$(cat "$WORK/body")
}
etag_of() { printf '%s' "$HEADERS" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: //p'; }

req GET /api/v1/apps/it-api-1 "$VIEWER"
TAG=$(etag_of)
expect_match api_etag_on_get "$TAG" '^"[0-9a-f]{64}"$'
patch_if /api/v1/apps/it-api-1 "$TAG" '{"developer":"vendor"}'
expect_eq api_if_match_200 "$STATUS" 200
patch_if /api/v1/apps/it-api-1 "$TAG" '{"developer":"internal"}'
expect_eq api_if_match_stale_412 "$STATUS" 412
expect_eq api_if_match_stale_code "$(json .error.code)" precondition_failed
req GET /api/v1/apps/it-api-1 "$VIEWER"
expect_eq api_if_match_stale_not_written "$(json .developer)" vendor
expect_match api_etag_changed "$(etag_of)" '^"[0-9a-f]{64}"$'
[ "$(etag_of)" != "$TAG" ] && pass api_etag_differs_after_save ||
  fail api_etag_differs_after_save "the tag stayed $TAG"
patch_if /api/v1/apps/it-api-1 "W/$(etag_of)" '{"developer":"internal"}'
expect_eq api_if_match_weak_412 "$STATUS" 412
patch_if /api/v1/apps/it-api-1 '*' '{"developer":"internal"}'
expect_eq api_if_match_star_200 "$STATUS" 200

# Concurrent PATCHes of different fields, without If-Match: none is lost.
fields=(purpose developer hosting audience launched last_updated)
values=("Uji serentak" pusat cloud keduanya 2019 2024)
for round in 1 2 3; do
  pids=()
  for i in "${!fields[@]}"; do
    v=${values[$i]}
    [ "${fields[$i]}" = purpose ] && v="Uji serentak $round"
    curl -sS -o /dev/null -X PATCH --max-time 20 \
      -H "Authorization: Bearer $STAFF" -H 'Content-Type: application/json' \
      --data-binary "{\"${fields[$i]}\":\"$v\"}" "$BASE/api/v1/apps/it-api-1" &
    pids+=($!)
  done
  wait "${pids[@]}"
  req GET /api/v1/apps/it-api-1 "$VIEWER"
  got=$(json '[.purpose, .developer, .hosting, .audience, .launched, .last_updated] | join(",")')
  expect_eq "api_concurrent_patches_round_$round" "$got" \
    "Uji serentak $round,pusat,cloud,keduanya,2019,2024"
done

# --- merges, codes in any case, and all errors at once -------------------
req POST /api/v1/apps "$STAFF" '{"code":"mc-a","name":"Gabung A","kind":"webapp","agency":"DISKOMINFO"}'
req POST /api/v1/apps "$STAFF" '{"code":"mc-b","name":"Gabung B","kind":"webapp","agency":"DISKOMINFO"}'
req PATCH /api/v1/apps/mc-a "$STAFF" '{"status":"merged","merged_into":"mc-b"}'
expect_eq api_merge_200 "$STATUS" 200
req PATCH /api/v1/apps/mc-b "$STAFF" '{"status":"merged","merged_into":"mc-a"}'
expect_eq api_merge_cycle_422 "$STATUS" 422
expect_match api_merge_cycle_spelled "$(json '.error.fields[0].detail_en')" \
  'cycle mc-b -> mc-a -> mc-b'
req POST /api/v1/apps "$STAFF" '{"code":"mc-c","name":"Gabung C","kind":"webapp","agency":"DISKOMINFO","status":"merged","merged_into":"mc-a"}'
expect_eq api_merge_into_merged_422 "$STATUS" 422
expect_match api_merge_into_final "$(json '.error.fields[0].detail_en')" "merge into 'mc-b' instead"

req GET /api/v1/agencies/diskominfo "$VIEWER"
expect_eq api_lower_case_path_200 "$STATUS" 200
expect_eq api_lower_case_path_code "$(json .code)" DISKOMINFO
req POST /api/v1/apps "$STAFF" '{"code":"Case-Api","name":"Kasus","kind":"webapp","agency":"diskominfo"}'
expect_eq api_case_create_201 "$STATUS" 201
expect_eq api_case_app_code "$(json .code)" case-api
expect_eq api_case_agency_code "$(json .agency)" DISKOMINFO
req GET /api/v1/apps/CASE-API "$VIEWER"
expect_eq api_upper_case_app_path_200 "$STATUS" 200
req POST /api/v1/apps "$STAFF" '{"code":"near-api","name":"Dekat","kind":"webapp","agency":"DISKOMINF","url":"https://bad host"}'
expect_eq api_all_errors_422 "$STATUS" 422
expect_eq api_all_errors_fields "$(json '[.error.fields[].field] | sort | join(",")')" agency,url
expect_match api_nearest_agency "$(json '.error.fields[] | select(.field == "agency") | .detail_en')" \
  "did you mean 'DISKOMINFO'"

# --- the server stops cleanly, with no sanitizer report ------------------
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq api_server_exit_0 "$?" 0
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$SERVE_LOG"; then
  fail api_server_no_sanitizer_report "$(grep -m 3 -E 'Sanitizer|runtime error' "$SERVE_LOG")"
else
  pass api_server_no_sanitizer_report
fi
