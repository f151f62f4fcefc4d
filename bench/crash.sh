#!/bin/sh
# bench/crash.sh - the long variant of the kill -9 tests (issue 11): more kills on larger files.
#
#   bench/crash.sh [build dir] [kills] [rows]      e.g. bench/crash.sh build/release 500 300000
#
# Runs tests/e2e's Crash (ingest) and CrashOnce (once over the stand-in) with EC_CRASH_KILLS and
# EC_CRASH_ROWS; each prints a "[ measured ]" line with the kills survived. The CI suite runs the
# same tests with 100 kills on a 30,000-row file.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build/ci}
case $build in /*) ;; *) build=$here/$build ;; esac
export EC_CRASH_KILLS=${2:-500}
export EC_CRASH_ROWS=${3:-300000}
export EC_CRASH_SEED=${EC_CRASH_SEED:-$(date +%s)}
export EDGECUR_BIN=$build/firmware/edgecur
export CUR_GENERATOR=$build/bench/cur_generator
export CUR_REFERENCE=$here/tests/reference/cur_reference.py
export EC_SOURCE_DIR=$here
export EC_WORK_DIR=${EC_WORK_DIR:-${TMPDIR:-/tmp}/edgecur-crash}
echo "crash: $EC_CRASH_KILLS kills, $EC_CRASH_ROWS rows, seed $EC_CRASH_SEED, $EDGECUR_BIN"
cd "$here/tests/e2e"
exec /usr/bin/python3 -m unittest -v delivery_test.Crash aws_test.CrashOnce
