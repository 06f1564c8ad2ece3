# Helpers for the tests of the examination pages and API, which put
# examination results into the store with tests/integration/exam_seed.c
# instead of probing real sites. Source tests/lib/common.sh first.

# exam_seed_build: compiles exam_seed against the ASan library into
# $WORK/exam_seed; false (with the compiler's output in
# $WORK/exam_seed.err) when that fails.
exam_seed_build() {
  local pkgs="libmicrohttpd jansson sqlite3 libpq libsodium libcurl openssl"
  local lib=${TEST_BIN_DIR:-build/asan/tests}/../libsimpul.a
  # shellcheck disable=SC2046
  ${CC:-cc} -std=c17 -D_GNU_SOURCE -g -Isrc $(pkg-config --cflags $pkgs) \
    -fsanitize=address,undefined -o "$WORK/exam_seed" \
    tests/integration/exam_seed.c "$lib" \
    $(pkg-config --libs $pkgs) -lpthread -lm 2>"$WORK/exam_seed.err"
}

# exam_seed STORE_URL: stores the runs given as JSON on stdin (see
# exam_seed.c) and prints their job ids, one per line.
exam_seed() { "$WORK/exam_seed" "$1"; }
