#!/usr/bin/env bash
# Restore what moodlemig writes in the local Moodle 4.5 site (../shared/moodle)
# and compare it with moodlemig's conservation audit and with Moodle's own 1.9
# converter; print a table per course and regenerate
# docs/moodle-converter-comparison.md. Without a site it says how to set one
# up and exits 0 (CI). Extra arguments go to restorecheck/cmd/restore-check
# (-moodle=false: skip Moodle's own converter; -doc '': write no page).
# The same check as a Go test: MOODLEMIG_MOODLE_SITE=1 go test ./restorecheck -v
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${GO:-go}" run ./restorecheck/cmd/restore-check -doc docs/moodle-converter-comparison.md "$@"
