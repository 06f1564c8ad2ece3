# Scores canned retrievals with simpul's Observatory port and with the MDN
# HTTP Observatory's own test functions (tests/observatory/reference.mjs),
# and compares the score, the grade and every test's result and pass flag.
# The named cases reach every result id; RANDOM_CASES more mix them.
source tests/lib/common.sh
source tests/lib/observatory.sh

if ! observatory_install; then
  fail observatory_install "npm ci in tests/observatory failed:" \
    "$(tail -n 5 "$WORK/npm.log" | tr '\n' ' ')"
  exit 1
fi
pass observatory_install

if ! build_obs_driver "$WORK/obs_driver" 2>"$WORK/build.err"; then
  fail obs_driver_build "$(head -c 600 "$WORK/build.err")"
  exit 1
fi

node tests/observatory/cases.mjs "${RANDOM_CASES:-400}" >"$WORK/cases.json"
if ! "$WORK/obs_driver" <"$WORK/cases.json" >"$WORK/simpul.json" \
  2>"$WORK/driver.err"; then
  fail obs_driver_run "$(head -c 2000 "$WORK/driver.err")"
  exit 1
fi
pass obs_driver_run
node tests/observatory/reference.mjs "$WORK/cases.json" "$WORK/simpul.json"
