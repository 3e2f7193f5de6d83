package convert

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
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

// TestRestoreInMoodle converts each golden course and restores it through
// Moodle's own restore code: the only proof that the output restores.
func TestRestoreInMoodle(t *testing.T) {
	script := moodleSite(t)
	for _, name := range goldenCourses {
		t.Run(name, func(t *testing.T) {
			res, _ := convertDir(t, filepath.Join("testdata", name), Options{})
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
		})
	}
}
