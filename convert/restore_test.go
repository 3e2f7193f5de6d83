package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// restoreScript is the harness that restores a backup in a real Moodle 4.5
// (see /work/shared/moodle/README.md).
const restoreScript = "/work/shared/moodle/restore.sh"

// moodleSite returns the restore script, or skips the test when no Moodle
// site is set up on this machine (CI has none) or MOODLEMIG_RESTORE is unset
// (a restore takes several seconds).
func moodleSite(t *testing.T) string {
	t.Helper()
	if os.Getenv("MOODLEMIG_RESTORE") == "" {
		t.Skip("set MOODLEMIG_RESTORE=1 to restore converted courses in the local Moodle site")
	}
	home := os.Getenv("MOODLE_HOME")
	if home == "" {
		h, _ := os.UserHomeDir()
		home = filepath.Join(h, ".cache", "moodlemig", "moodle")
	}
	if _, err := os.Stat(filepath.Join(home, ".installed")); err != nil {
		t.Skip("no Moodle site set up (run /work/shared/moodle/setup.sh)")
	}
	if _, err := os.Stat(restoreScript); err != nil {
		t.Skip("no restore harness at " + restoreScript)
	}
	return restoreScript
}

// restoreResult is the part of restore.sh's JSON the tests read.
type restoreResult struct {
	Success  bool           `json:"success"`
	Error    string         `json:"error"`
	Warnings []any          `json:"warnings"`
	Counts   map[string]any `json:"counts"`
}

// TestRestoreInMoodle converts each golden course and the generated sample
// and restores them through Moodle's own restore code: the only proof that
// the output restores. Every activity the converter wrote must come back.
func TestRestoreInMoodle(t *testing.T) {
	script := moodleSite(t)
	inputs := append([]string(nil), goldenCourses...)
	inputs = append(inputs, "../testdata/sample/backup-sample-19.zip")
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".zip")
		t.Run(name, func(t *testing.T) {
			var res *Result
			if strings.HasSuffix(in, ".zip") {
				b, err := backup.Open(context.Background(), in, backup.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer b.Close()
				res, err = Convert(context.Background(), b, report.New(0), Options{Scratch: t.TempDir(), Now: fixedNow})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				res, _ = convertDir(t, filepath.Join("testdata", in), Options{})
			}
			out := filepath.Join(t.TempDir(), name)
			writeOut(t, res.Backup, out)
			if dst := os.Getenv("MOODLEMIG_KEEP"); dst != "" {
				writeOut(t, res.Backup, filepath.Join(dst, name))
			}
			cmd := exec.Command("bash", script, out, "--fresh")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			t.Logf("restore.sh: %s", stdout.String())
			var r restoreResult
			if jerr := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &r); jerr != nil {
				t.Fatalf("restore.sh printed no JSON (%v, err %v): %s\n%s", jerr, err, stdout.String(), stderr.String())
			}
			if !r.Success {
				t.Fatalf("restore failed: %s", r.Error)
			}
			want := map[string]float64{}
			for _, e := range res.Backup.Entries {
				if strings.HasPrefix(e.Name, "activities/") && strings.HasSuffix(e.Name, "/module.xml") {
					mod := strings.TrimPrefix(e.Name, "activities/")
					mod = mod[:strings.LastIndex(mod, "_")]
					want[mod]++
				}
			}
			got := map[string]float64{}
			if mods, ok := r.Counts["modules"].(map[string]any); ok {
				for k, v := range mods {
					got[k], _ = v.(float64)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("restored modules differ from the converted ones (-converted +restored):\n%s", diff)
			}
		})
	}
}
