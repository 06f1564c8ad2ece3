#!/bin/bash
# The console's catalog pages, tested through real HTTP against `simpul
# serve` with the sample city loaded, using curl with a cookie jar as the
# browser. It covers the dashboard, the app list's filters, search, sorting
# and paging, the app and agency pages, and editing through the forms with
# their CSRF token. It also checks validation errors beside their fields,
# escaping of markup in names, and what a viewer may not do.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/common.sh
source tests/lib/console.sh

if ! start_simpul; then
  fail console_server_start "simpul serve did not start"
  exit 1
fi

PASSWORD='correct horse battery'
printf '%s\n' "$PASSWORD" |
  simpul_cli user add page-staff --role staff --password-stdin >/dev/null ||
  fail console_setup "could not add the staff user"
printf '%s\n' "$PASSWORD" |
  simpul_cli user add page-viewer --role viewer --password-stdin >/dev/null ||
  fail console_setup "could not add the viewer user"

STAFF_JAR=$WORK/staff.jar
VIEWER_JAR=$WORK/viewer.jar
ANON_JAR=$WORK/anon.jar

page "$ANON_JAR" GET /
expect_eq console_anonymous_redirect "$STATUS" 303
expect_match console_anonymous_to_login "$LOCATION" '^/login'

check console_login_staff login "$STAFF_JAR" page-staff
check console_login_viewer login "$VIEWER_JAR" page-viewer

# --- dashboard -----------------------------------------------------------
page "$VIEWER_JAR" GET /
expect_eq console_dashboard_200 "$STATUS" 200
contains console_dashboard_121_apps '<strong>121</strong>'
contains console_dashboard_35_agencies '<strong>35</strong>'
contains console_dashboard_kind_link 'href="/apps?kind=android"'
contains console_dashboard_status_link 'href="/apps?status=active"'
contains console_dashboard_agency_link 'href="/apps?agency=DISKOMINFO"'
contains console_dashboard_bars '<meter min="0" max="121" value="22">'
lacks console_dashboard_no_inline_style 'style='
contains console_dashboard_none_examined '<th scope="row">Belum diperiksa</th><td class="num">121</td>'

# --- app list ------------------------------------------------------------
page "$VIEWER_JAR" GET /apps
expect_eq console_list_200 "$STATUS" 200
contains console_list_count '<strong>121</strong>'
contains console_list_sort_link 'sort=name&amp;order=asc'
contains console_list_page_info 'Halaman 1 dari 3'
contains console_list_filter_get '<form method="get" action="/apps"'
page "$VIEWER_JAR" GET '/apps?kind=android'
contains console_list_filter_kind '<strong>22</strong>'
contains console_list_filter_selected '<option value="android" selected>'
page "$VIEWER_JAR" GET '/apps?agency=DISKOMINFO&status=active'
contains console_list_filter_agency '<option value="DISKOMINFO" selected>'
page "$VIEWER_JAR" GET '/apps?q=setda'
contains console_list_search 'href="/apps/web-setda"'
page "$VIEWER_JAR" GET '/apps?page=3'
contains console_list_page_three 'Halaman 3 dari 3'
contains console_list_prev_link 'page=2" rel="prev"'
page "$VIEWER_JAR" GET '/apps?page=9'
expect_eq console_list_past_end_200 "$STATUS" 200
contains console_list_past_end_notice 'Halaman 9 melewati akhir daftar, yang hanya 3 halaman'
contains console_list_past_end_link 'page=3">Ke halaman terakhir</a>'
page "$VIEWER_JAR" GET '/apps?sort=name&order=desc'
contains console_list_sorted_desc 'aria-sort="descending"'
page "$VIEWER_JAR" GET '/apps?kind=spaceship'
expect_eq console_list_bad_kind_422 "$STATUS" 422
contains console_list_bad_kind_detail 'spaceship'
page "$VIEWER_JAR" GET '/apps?page=0'
expect_eq console_list_bad_page_400 "$STATUS" 400
page "$VIEWER_JAR" GET '/apps?sort=size'
expect_eq console_list_bad_sort_400 "$STATUS" 400

# --- app page ------------------------------------------------------------
page "$VIEWER_JAR" GET /apps/web-setda
expect_eq console_app_200 "$STATUS" 200
contains console_app_name 'Website Sekretariat Daerah Kota Metro'
contains console_app_url_link 'href="https://web-setda.metrokota.test"'
contains console_app_agency_link 'href="/agencies/SETDA"'
contains console_app_history_created_id \
  '<td>(data dibuat)</td><td><span class="empty">&mdash;</span></td><td>dibuat</td>'
contains console_app_year_label 'Tahun peluncuran'
contains console_app_year '2013'
contains console_app_kind_label 'Situs web'
contains console_app_history 'Riwayat perubahan'
lacks console_app_viewer_no_edit 'href="/apps/web-setda/edit"'
page "$VIEWER_JAR" GET /apps/no-such-app
expect_eq console_app_unknown_404 "$STATUS" 404

# --- edit through the form -----------------------------------------------
form_token "$STAFF_JAR" /apps/web-setda/edit
expect_eq console_edit_form_200 "$STATUS" 200
contains console_edit_form_select '<select id="f-kind" name="kind" required>'
contains console_edit_form_textarea '<textarea rows="5" id="f-purpose"'
contains console_edit_form_year 'inputmode="numeric"'
expect_match console_edit_form_token "$TOKEN" '.{16,}'
page "$STAFF_JAR" POST /apps/web-setda "csrf=$TOKEN" \
  "name=Website Setda Kota Metro" "status=maintenance"
expect_eq console_edit_303 "$STATUS" 303
expect_eq console_edit_location "$LOCATION" '/apps/web-setda?saved=1'
page "$STAFF_JAR" GET '/apps/web-setda?saved=1'
contains console_edit_saved_flash 'Perubahan tersimpan'
contains console_edit_new_name 'Website Setda Kota Metro'
contains console_edit_history_actor '<td>page-staff</td>'
contains console_edit_history_old 'Website Sekretariat Daerah Kota Metro'
contains console_edit_history_status 'Perbaikan (maintenance)'
contains console_edit_staff_sees_edit 'href="/apps/web-setda/edit"'

page "$STAFF_JAR" POST /apps/web-setda "name=Tanpa token"
expect_eq console_edit_without_csrf_403 "$STATUS" 403
page "$STAFF_JAR" POST /apps/web-setda "csrf=wrong$TOKEN" "name=Token salah"
expect_eq console_edit_wrong_csrf_403 "$STATUS" 403

form_token "$STAFF_JAR" /apps/web-setda/edit
page "$STAFF_JAR" POST /apps/web-setda "csrf=$TOKEN" "launched=abcd" \
  "name=Nama yang dikirim"
expect_eq console_invalid_year_422 "$STATUS" 422
contains console_invalid_error_beside_field 'class="field-error" id="e-launched"'
contains console_invalid_described_by 'aria-describedby="e-launched"'
contains console_invalid_value_kept 'value="abcd"'
contains console_invalid_other_value_kept 'value="Nama yang dikirim"'
contains console_invalid_summary 'class="error-summary"'
page "$VIEWER_JAR" GET /apps/web-setda
contains console_invalid_nothing_saved 'Website Setda Kota Metro'

# --- add through the form, with markup in the name -----------------------
form_token "$STAFF_JAR" /apps/new
expect_eq console_new_form_200 "$STATUS" 200
page "$STAFF_JAR" POST /apps "csrf=$TOKEN" "code=it-xss" \
  "name=<script>alert(1)</script>" "kind=webapp" "agency=DISKOMINFO" \
  "url=xss.metrokota.test" "status=active"
expect_eq console_create_303 "$STATUS" 303
expect_eq console_create_location "$LOCATION" '/apps/it-xss?saved=1'
page "$STAFF_JAR" GET '/apps/it-xss?saved=1'
contains console_create_notes_shown 'class="notes"'
contains console_create_url_normalised 'https://xss.metrokota.test'
contains console_xss_page_escaped '&lt;script&gt;alert(1)&lt;/script&gt;'
lacks console_xss_page_no_markup '<script>alert(1)'
page "$STAFF_JAR" GET /apps/it-xss
lacks console_flash_shown_once 'class="notes"'
page "$VIEWER_JAR" GET '/apps?q=it-xss'
contains console_xss_list_escaped '&lt;script&gt;alert(1)&lt;/script&gt;'
lacks console_xss_list_no_markup '<script>alert(1)'
page "$VIEWER_JAR" GET /
lacks console_xss_dashboard_no_markup '<script>alert(1)'

form_token "$STAFF_JAR" /apps/new
page "$STAFF_JAR" POST /apps "csrf=$TOKEN" "code=it-xss" "name=Lagi" \
  "kind=webapp" "agency=DISKOMINFO"
expect_eq console_duplicate_409 "$STATUS" 409
contains console_duplicate_beside_code 'id="e-code"'
page "$STAFF_JAR" POST /apps "csrf=$TOKEN" "code=it-bad" "name=Keep me" \
  "kind=webapp" "agency=NO-SUCH-AGENCY"
expect_eq console_unknown_agency_422 "$STATUS" 422
contains console_unknown_agency_beside 'id="e-agency"'
contains console_unknown_agency_kept_name 'value="Keep me"'
contains console_unknown_agency_kept_value '<option value="NO-SUCH-AGENCY" selected>'

# --- agencies ------------------------------------------------------------
page "$VIEWER_JAR" GET /agencies
expect_eq console_agencies_200 "$STATUS" 200
contains console_agencies_count '<strong>35</strong>'
page "$VIEWER_JAR" GET /agencies/SETDA
expect_eq console_agency_200 "$STATUS" 200
contains console_agency_child 'href="/agencies/BAGHUKUM"'
contains console_agency_apps 'href="/apps/web-setda"'
lacks console_agency_viewer_no_edit 'href="/agencies/SETDA/edit"'
form_token "$STAFF_JAR" /agencies/new
page "$STAFF_JAR" POST /agencies "csrf=$TOKEN" "code=IT-BIDANG" \
  "name=Bidang Uji" "kind=bidang" "parent=DISKOMINFO"
expect_eq console_agency_create_303 "$STATUS" 303
page "$STAFF_JAR" GET /agencies/DISKOMINFO
contains console_agency_new_child 'href="/agencies/IT-BIDANG"'
form_token "$STAFF_JAR" /agencies/DISKOMINFO/edit
page "$STAFF_JAR" POST /agencies/DISKOMINFO "csrf=$TOKEN" "parent=IT-BIDANG"
expect_eq console_agency_cycle_422 "$STATUS" 422
contains console_agency_cycle_beside 'id="e-parent"'

# --- what a viewer may not do --------------------------------------------
page "$VIEWER_JAR" GET /apps/new
expect_eq console_viewer_new_403 "$STATUS" 403
page "$VIEWER_JAR" GET /apps/web-setda/edit
expect_eq console_viewer_edit_403 "$STATUS" 403
form_token "$VIEWER_JAR" /apps/web-setda
page "$VIEWER_JAR" POST /apps/web-setda "csrf=$TOKEN" "name=Viewer"
expect_eq console_viewer_post_403 "$STATUS" 403

# --- English -------------------------------------------------------------
cp "$VIEWER_JAR" "$WORK/en.jar"
page "$WORK/en.jar" GET '/lang?to=en&next=/'
page "$WORK/en.jar" GET /
contains console_english_dashboard 'By kind'
page "$WORK/en.jar" GET /apps/web-setda
contains console_english_labels 'Year launched'

# --- the server stops cleanly, with no sanitizer report ------------------
kill -TERM "$SERVE_PID"
wait "$SERVE_PID"
expect_eq console_server_exit_0 "$?" 0
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$SERVE_LOG"; then
  fail console_server_no_sanitizer_report "$(grep -m 3 -E 'Sanitizer|runtime error' "$SERVE_LOG")"
else
  pass console_server_no_sanitizer_report
fi
