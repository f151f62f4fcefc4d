#!/usr/bin/env bash
# bench/fuzz.sh - long fuzzing runs: each target for a given time, from and into its corpus.
#
#   bench/fuzz.sh [seconds per target] [target...]      e.g. bench/fuzz.sh 600
#
# Builds the `fuzz` preset (clang, libFuzzer, ASan, UBSan), then runs each target (default: all,
# fuzz_csv_reader ... fuzz_timestamp) for the given time (default 600 s) on one core, starting
# from tests/fuzz/corpus/<target>/. New inputs are merged back into that folder, minimised
# (libFuzzer -merge=1), so the next run, and CI's short runs (.ci/test), start where this one
# ended. Prints per target: executions, edges covered (libFuzzer's cov), features, corpus size
# and findings; a finding's input is kept in build/fuzz/findings/<target>/ and makes the exit
# status 1. Every target also runs each parse with allocation failure (tests/fuzz/alloc_failure.h).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
cmake --preset fuzz >/dev/null || exit 1
cmake --build --preset fuzz -j"$(nproc)" >/dev/null || exit 1
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for path in build/fuzz/tests/fuzz/fuzz_*; do [ -x "$path" ] && targets+=("$(basename "$path")"); done
fi
work=build/fuzz/long
mkdir -p "$work"
status=0
printf '%-22s %8s %12s %8s %9s %7s %s\n' target seconds executions edges features corpus findings
for target in "${targets[@]}"; do
  binary=build/fuzz/tests/fuzz/$target
  corpus=tests/fuzz/corpus/$target
  scratch=$work/$target
  findings=build/fuzz/findings/$target
  rm -rf "$scratch"
  mkdir -p "$corpus" "$scratch" "$findings"
  log=$work/$target.log
  "$binary" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" "$scratch" "$corpus" >"$log" 2>&1
  rc=$?
  # Minimised merge of what was found into the kept corpus.
  "$binary" -merge=1 "$corpus" "$scratch" >"$work/$target.merge.log" 2>&1
  executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  done_line=$(grep -E '^#[0-9]+ *DONE' "$log" | tail -n 1)
  [ -n "$done_line" ] || done_line=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
  edges=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  features=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  count=$(find "$corpus" -type f | wc -l)
  found=$(find "$findings" -type f | wc -l)
  printf '%-22s %8s %12s %8s %9s %7s %s\n' "$target" "$seconds" "${executions:-?}" \
    "${edges:-?}" "${features:-?}" "$count" "$found"
  if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
    status=1
    tail -n 30 "$log"
  fi
done
exit "$status"
