package restorecheck

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// RecordTables maps audit kinds of module (and group) records to the Moodle
// table that holds them once restored. restore.php does not count these;
// the check counts them in the database right after the restore, holding
// the site's lock so that no other restore resets the site in between.
var RecordTables = map[string]string{
	"lesson pages":        "lesson_pages",
	"lesson answers":      "lesson_answers",
	"choice options":      "choice_options",
	"database fields":     "data_fields",
	"glossary categories": "glossary_categories",
	"glossary entries":    "glossary_entries",
	"wiki subwikis":       "wiki_subwikis",
	"scorm scoes":         "scorm_scoes",
	"grouping groups":     "groupings_groups",
}

// countScript restores $1 under the site's lock and then writes
// "table count" lines for the tables $3... into file $2. A fresh site holds
// no rows in these tables, so the counts are the restored course's.
const countScript = `set -u
script=$1; backup=$2; out=$3; shift 3
. "$(dirname "$script")/common.sh"
exec 9>"$MOODLE_HOME/.lock"
flock 9
export HARNESS_LOCKED=1
bash "$script" "$backup" --fresh
rc=$?
for t in "$@"; do
  n=$(as_pg env PGOPTIONS='-c client_min_messages=warning' "$PGBIN/psql" -X -q -A -t -h "$PGRUN" -p "$PGPORT" -d "$DBNAME" -c "SELECT COUNT(*) FROM mdl_$t" 2>/dev/null)
  echo "$t ${n:--1}" >> "$out"
done
exit $rc
`

// RestoreCounting is Restore, and also counts the rows of tables in the
// database right after the restore (-1 where a table could not be read).
func (s Site) RestoreCounting(ctx context.Context, backup string, tables []string) (*Restored, map[string]int, error) {
	f, err := os.CreateTemp("", "restorecheck-counts-")
	if err != nil {
		return nil, nil, err
	}
	f.Close()
	defer os.Remove(f.Name())
	args := append([]string{"-c", countScript, "restorecheck", s.Script, backup, f.Name()}, tables...)
	cmd := exec.CommandContext(ctx, "bash", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	r, err := parseRestored(backup, stdout.Bytes(), stderr.String(), runErr)
	if err != nil {
		return nil, nil, err
	}
	r.Wall = time.Since(start)
	data, err := os.ReadFile(f.Name())
	if err != nil {
		return nil, nil, err
	}
	counts := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		t, n, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.Atoi(strings.TrimSpace(n))
		if err != nil {
			v = -1
		}
		counts[t] = v
	}
	return r, counts, nil
}

func parseRestored(backup string, stdout []byte, stderr string, runErr error) (*Restored, error) {
	out := bytes.TrimSpace(stdout)
	if i := bytes.LastIndexByte(out, '\n'); i >= 0 && json.Valid(out[i+1:]) {
		out = out[i+1:]
	}
	var r Restored
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("restore %s: restore.sh printed no JSON result (exit %v): %v\nstdout: %s\nstderr: %s",
			filepath.Base(backup), runErr, err, tail(string(stdout)), tail(stderr))
	}
	return &r, nil
}

// CompareRecords compares the module records the audit says were written
// with the rows Moodle holds after the restore.
func CompareRecords(run *Run, rows map[string]int) []Diff {
	var diffs []Diff
	kinds := make([]string, 0, len(RecordTables))
	for k := range RecordTables {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t := run.Audit[k]
		n, ok := rows[RecordTables[k]]
		if t == nil {
			continue
		}
		if !ok || n < 0 {
			diffs = append(diffs, Diff{What: k, Audit: t.Written, Output: NA, Restored: NA, Why: "could not count mdl_" + RecordTables[k]})
			continue
		}
		if int64(n) != t.Written {
			diffs = append(diffs, Diff{What: k, Audit: t.Written, Output: NA, Restored: int64(n),
				Why: fmt.Sprintf("the audit says %d written, Moodle holds %d rows in mdl_%s", t.Written, n, RecordTables[k])})
		}
	}
	return diffs
}

// recordTables lists the tables of RecordTables, sorted.
func recordTables() []string {
	var ts []string
	for _, t := range RecordTables {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}
