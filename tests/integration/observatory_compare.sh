# The MDN HTTP Observatory 1.4.8 (`node src/scan.js HOST`) and `simpul
# examine` on the same imitation agency sites, served by nginx inside a
# network namespace of this script's own (tests/lib/sites.sh and
# tests/lib/sites_headers.sh). For every site the Observatory grades, the
# score, the grade and each test's result and pass flag must be equal. A
# site it does not grade must stay ungraded in simpul too.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/sites.sh"
source "$(dirname "$0")/../lib/sites_headers.sh"
source "$(dirname "$0")/../lib/observatory.sh"

# npm needs the registry, which the namespace cannot reach.
if [ "${SITES_IN_NAMESPACE:-}" != 1 ]; then
  if ! observatory_install; then
    fail observatory_install "npm ci in tests/observatory failed:" \
      "$(tail -n 5 "$WORK/npm.log" | tr '\n' ' ')"
    exit 1
  fi
  rm -rf "$WORK"
fi
sites_enter_namespace "$@"

if ! sites_setup "$WORK/sites" || ! headers_sites_setup ||
  ! sites_start || ! headers_sites_start; then
  fail sites_start "the imitation sites did not start"
  exit 1
fi

ALL_SITES="$(echo $SITES $HEADER_SITES)"
{
  echo "code,name,kind,parent"
  echo "UJI,Dinas Uji,dinas,"
} >"$WORK/agencies.csv"
{
  echo "code,name,kind,agency,url,android_package"
  for site in $SITES; do
    var=SITES_URL_${site%.test}
    echo "${site%.test},Situs ${site%.test},website,UJI,${!var},"
  done
  for site in $HEADER_SITES; do
    var=HEADER_URL_${site%.test}
    echo "${site%.test},Situs ${site%.test},website,UJI,${!var},"
  done
} >"$WORK/apps.csv"
if ! simpul_cli catalog import "$WORK/agencies.csv" "$WORK/apps.csv" \
  >"$WORK/import.out" 2>&1; then
  fail catalog_import "$(tail -n 5 "$WORK/import.out")"
  exit 1
fi

if ! simpul_cli examine --allow-private 127.0.0.0/8 --cacert "$SITES_CA" \
  >"$WORK/examine.out" 2>"$WORK/examine.err"; then
  fail simpul_examine "$(tail -n 5 "$WORK/examine.err")"
  exit 1
fi
pass simpul_examine

# The Observatory, one process per site as its command line runs, four at
# a time. It starts after simpul ends, because on two cores the two
# together slow TLS handshakes past simpul's 5 s request limit. Each scan
# ends within the Observatory's own 10 s request limit.
mkdir -p "$WORK/out"
export SITES_CA OBS_PKG WORK
printf '%s\n' $ALL_SITES | xargs -P 4 -I{} sh -c \
  'NODE_EXTRA_CA_CERTS="$SITES_CA" timeout 60 node "$OBS_PKG/src/scan.js" {} \
     >"$WORK/out/{}.observatory.json" 2>"$WORK/out/{}.observatory.err"'

# simpul's stored tests, through its API.
if ! start_simpul; then
  fail simpul_serve "simpul serve did not start"
  exit 1
fi
printf 'correct horse battery\n' |
  simpul_cli user add obs-viewer --role viewer --password-stdin >/dev/null
TOKEN=$(simpul_cli token add --user obs-viewer --name "observatory test" |
  grep -Eo 'sp_[A-Za-z0-9_-]{20,}' | head -n 1)
for site in $ALL_SITES; do
  curl -fsS -H "Authorization: Bearer $TOKEN" \
    "$BASE/api/v1/apps/${site%.test}/examinations/latest" \
    >"$WORK/out/$site.simpul.json" 2>"$WORK/out/$site.simpul.err"
done

# shellcheck disable=SC2086
node tests/observatory/compare_scan.mjs "$WORK/out" $ALL_SITES
