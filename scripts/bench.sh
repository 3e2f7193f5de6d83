#!/usr/bin/env bash
# bench.sh — the side-by-side comparisons of `make bench` (after the Go
# benchmarks): moodlemig against unzip on the same generated archives.
# Size: MOODLEMIG_BENCH_SIZE (default 100MB for inspect, 200MB for convert);
# the issues' targets are stated at 1GB: MOODLEMIG_BENCH_SIZE=1GB make bench.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== inspect vs unzip -p (one core)"
scripts/bench-inspect.sh
echo
echo "== convert vs unzip -t"
scripts/bench-convert.sh
