# Fuzzes the CSV reader for 30 seconds with libFuzzer, starting from a copy
# of the seed corpus in tests/fuzz/corpus. `make fuzz` runs it longer.
source "$(dirname "$0")/../lib/common.sh"

FUZZ_CSV=${FUZZ_CSV:-build/asan/fuzz_csv}
if [ ! -x "$FUZZ_CSV" ]; then
  fail fuzz_csv_built "$FUZZ_CSV is missing; run 'make $FUZZ_CSV'"
  exit 1
fi
mkdir -p "$WORK/corpus" "$WORK/artifacts"
cp tests/fuzz/corpus/* "$WORK/corpus/"
if "$FUZZ_CSV" -max_total_time=30 -max_len=65536 -timeout=10 \
  -artifact_prefix="$WORK/artifacts/" "$WORK/corpus" >"$WORK/fuzz.log" 2>&1; then
  runs=$(grep -Eo 'Done [0-9]+ runs' "$WORK/fuzz.log" | grep -Eo '[0-9]+')
  pass "fuzz_csv_30s (${runs:-?} runs)"
else
  fail fuzz_csv_30s "the fuzzer found a crash; log follows"
  tail -n 40 "$WORK/fuzz.log" | sed 's/^/    /'
  for f in "$WORK"/artifacts/*; do
    [ -f "$f" ] && echo "    input: $(head -c 200 "$f" | od -An -c | head -n 5)"
  done
  exit 1
fi
