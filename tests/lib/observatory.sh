# The pinned MDN HTTP Observatory (tests/observatory/package.json) for the
# scripts that compare simpul's scores with it. Source after common.sh.
OBS_DIR=$PWD/tests/observatory
OBS_PKG=$OBS_DIR/node_modules/@mdn/mdn-http-observatory
OBS_VERSION=1.4.8

# observatory_install: installs the package from the lock file unless the
# pinned version is there, and empties its HSTS preload list. Install
# scripts stay off: the package's own would download the preload list and
# a top-level-domain list, which these tests cannot reach and do not use.
observatory_install() {
  local have
  have=$(node -p "require('$OBS_PKG/package.json').version" 2>/dev/null)
  if [ "$have" != "$OBS_VERSION" ]; then
    (cd "$OBS_DIR" && npm ci --ignore-scripts --no-audit --no-fund) \
      >"$WORK/npm.log" 2>&1 || return 1
  fi
  # simpul has no preload list either, so both score without one.
  echo '{}' >"$OBS_PKG/conf/hsts-preload.json"
}

# build_obs_driver OUT: compiles tests/integration/obs_driver.c against the
# ASan library.
build_obs_driver() {
  local pkgs="libmicrohttpd jansson sqlite3 libpq libsodium libcurl openssl
    libxml-2.0 libpsl"
  # shellcheck disable=SC2046,SC2086
  ${CC:-cc} -std=c17 -D_GNU_SOURCE -g -Isrc $(pkg-config --cflags $pkgs) \
    -fsanitize=address,undefined -o "$1" tests/integration/obs_driver.c \
    "${TEST_BIN_DIR:-build/asan/tests}/../libsimpul.a" \
    $(pkg-config --libs $pkgs) -lpthread -lm
}
