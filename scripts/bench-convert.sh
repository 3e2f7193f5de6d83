#!/usr/bin/env bash
# bench-convert.sh — `moodlemig convert` against `unzip -t` on the same
# generated archive, in the same run: wall time, CPU time and peak RSS.
#
# Usage: scripts/bench-convert.sh [SIZE]   total size of the backup, about half
#        moodle.xml and half course files (default: $MOODLEMIG_BENCH_SIZE, else 200MB)
# Targets (converter issue): wall time ≤ 2× `unzip -t`; peak RSS ≤ 256 MB
# whatever the size; file payloads are copied into the .mbz, not recompressed.
set -euo pipefail

SIZE=${1:-${MOODLEMIG_BENCH_SIZE:-200MB}}
cd "$(dirname "$0")/.."
for tool in unzip /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench-convert: $tool is missing (apt-get install unzip time)" >&2; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/bench-convert.XXXXXX")
trap 'rm -rf "$work"' EXIT

go build -o "$work/moodlemig" ./cmd/moodlemig
bytes=$("$work/moodlemig" gen --help >/dev/null; python3 - "$SIZE" <<'PY'
import sys,re
m=re.fullmatch(r'(\d+)\s*([KMG]?)B?', sys.argv[1].upper())
n=int(m.group(1))*{'':1,'K':1<<10,'M':1<<20,'G':1<<30}[m.group(2)]
print(n)
PY
)
half=$((bytes / 2))
filesize=$((1 << 20))
# every course, module and user file of the generated course gets this size:
# about 40 of them exist besides --file-count, so count them in.
files=$((half / filesize - 40))
[ "$files" -ge 1 ] || { files=1; filesize=$((half / 41)); }
echo "generating a backup: moodle.xml ~$((half >> 20)) MB + $files course files ..." >&2
"$work/moodlemig" gen --seed 1 --xml-size "$half" --file-count "$files" --file-size "$filesize" --zip-level 1 "$work/bench.zip" >/dev/null
zipb=$(stat -c %s "$work/bench.zip")

measure() { # LABEL CMD...
	local label=$1
	shift
	/usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; return 1; }
	awk -v label="$label" -v z="$zipb" '
		/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); wall = (n == 3) ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2] }
		/User time \(seconds\)/ { user = $NF }
		/System time \(seconds\)/ { sys = $NF }
		/Maximum resident set size/ { rss = $NF / 1024 }
		END { printf "%-22s %8.2f %8.2f %10.1f %10.1f\n", label, wall, user + sys, (wall > 0 ? z / 1048576 / wall : 0), rss }' "$work/time.txt"
}

unzip -Zl "$work/bench.zip" | awk '$4 ~ /^[0-9]+$/ { if ($NF == "moodle.xml") x += $4; else f += $4 } END { printf "moodle.xml %.1f MB, other files %.1f MB (uncompressed)\n", x/1048576, f/1048576 }'
awk -v z="$zipb" -v g="$(go version | awk '{print $3}')" 'BEGIN { printf "archive %.1f MB, %s, %d CPUs\n", z/1048576, g, '"$(nproc)"' }'
printf "%-22s %8s %8s %10s %10s\n" "command" "wall s" "cpu s" "MB/s wall" "peak MB"
measure "unzip -t" unzip -tq "$work/bench.zip"
cat > "$work/convert-only.yaml" <<'YAML'
name: convert-only
description: the convert stage alone (no repairs), as the converter issue measures it
stages:
  - convert
  - write: {format: mbz-zip}
YAML
measure "convert stage only" "$work/moodlemig" run --quiet --no-sync --jobs 1 "$work/convert-only.yaml" "$work/bench.zip" -o "$work/out1"
measure "convert (all repairs)" "$work/moodlemig" convert --quiet --no-sync --jobs 1 "$work/bench.zip" -o "$work/out2"
ls -l "$work/out2"/*.mbz | awk '{ printf "output %.1f MB\n", $5/1048576 }'
