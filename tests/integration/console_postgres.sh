#!/bin/bash
# The console suite (console.sh) with its store on a private PostgreSQL 15
# server instead of an SQLite file: common.sh starts the server when
# SIMPUL_TEST_DB=postgres. Case names get the prefix pg_.
cd "$(dirname "$0")/../.." || exit 1
SIMPUL_TEST_DB=postgres bash tests/integration/console.sh |
  sed -u 's/^PASS /PASS pg_/; s/^FAIL /FAIL pg_/'
exit "${PIPESTATUS[0]}"
