# The console in headless Chromium with JavaScript off, on a phone-sized
# screen: log in, read the dashboard, search, edit an app, and see a field
# error. Chromium is Debian's; playwright-core (npm) only drives it.
source "$(dirname "$0")/../lib/common.sh"

browser_dir=$PWD/tests/browser
if [ ! -x /usr/bin/chromium ]; then
  fail browser_setup "/usr/bin/chromium is missing; run scripts/install-deps test"
  exit 1
fi
if [ ! -d "$browser_dir/node_modules/playwright-core" ]; then
  if ! (cd "$browser_dir" && npm ci --no-audit --no-fund >"$WORK/npm.log" 2>&1); then
    fail browser_setup "npm ci in tests/browser failed: $(tail -n 3 "$WORK/npm.log")"
    exit 1
  fi
fi

if ! start_simpul; then
  fail browser_setup "simpul serve did not start"
  exit 1
fi
mkdir -p "$WORK/shots"
node "$browser_dir/console.mjs" "$BASE" admin "$ADMIN_PASSWORD" "$WORK/shots"
status=$?
# Keep the screenshots of the last run for a person to look at.
rm -rf build/browser-shots && cp -r "$WORK/shots" build/browser-shots 2>/dev/null
exit $status
