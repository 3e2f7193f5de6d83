#!/usr/bin/env bash
# bench-inspect.sh — `moodlemig inspect` against `unzip -p ARCHIVE moodle.xml`
# on the same generated archive, in the same run: wall time, CPU time,
# throughput of moodle.xml (per wall second and per CPU second) and peak RSS.
#
# Usage: scripts/bench-inspect.sh [SIZE]     SIZE of moodle.xml, e.g. 100MB, 1GB
#        (default: $MOODLEMIG_BENCH_SIZE, else 100MB)
# Needs: go, unzip, GNU time (/usr/bin/time): apt-get install unzip time
# Both commands are pinned to one CPU (taskset, when present) and inspect
# runs with GOMAXPROCS=1, so the numbers are "one core".
# Targets (issue): ≥ 100 MB/s of XML on one core; peak RSS ≤ 100 MB at any size.
set -euo pipefail

SIZE=${1:-${MOODLEMIG_BENCH_SIZE:-100MB}}
cd "$(dirname "$0")/.."
for tool in unzip /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench-inspect: $tool is missing (apt-get install unzip time)" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-inspect.XXXXXX")
trap 'rm -rf "$work"' EXIT

go build -o "$work/moodlemig" ./cmd/moodlemig
echo "generating a backup with a $SIZE moodle.xml ..." >&2
"$work/moodlemig" gen --seed 1 --xml-size "$SIZE" "$work/bench.zip" >/dev/null
xml=$(unzip -Zl "$work/bench.zip" moodle.xml | awk 'NR==1{print $4}')
zipb=$(stat -c %s "$work/bench.zip")

pin=()
command -v taskset >/dev/null && pin=(taskset -c 0)

# measure LABEL CMD...: runs CMD under GNU time and prints one table row.
measure() {
	local label=$1
	shift
	/usr/bin/time -v -o "$work/time.txt" "${pin[@]}" "$@" >/dev/null
	awk -v label="$label" -v xml="$xml" '
		/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
		/User time \(seconds\)/ { user = $NF }
		/System time \(seconds\)/ { sys = $NF }
		/Maximum resident set size/ { rss = $NF / 1024 }
		END {
			cpu = user + sys
			printf "%-20s %8.2f %8.2f %10.1f %10.1f %10.1f\n", label, wall, cpu,
				(wall > 0 ? xml / 1048576 / wall : 0), (cpu > 0 ? xml / 1048576 / cpu : 0), rss
		}' "$work/time.txt"
}

awk -v x="$xml" -v z="$zipb" -v g="$(go version | awk '{print $3}')" 'BEGIN { printf "moodle.xml %.1f MB, archive %.1f MB, %s\n", x/1048576, z/1048576, g }'
printf "%-20s %8s %8s %10s %10s %10s\n" "command" "wall s" "cpu s" "MB/s wall" "MB/s cpu" "peak MB"
measure "unzip -p" sh -c "unzip -p '$work/bench.zip' moodle.xml > /dev/null"
measure "moodlemig inspect" env GOMAXPROCS=1 "$work/moodlemig" inspect --json "$work/bench.zip"
