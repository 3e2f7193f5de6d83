package restorecheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// EnvSite is the environment variable that turns the Moodle restore check on
// in go test (a restore takes 5–40 s).
const EnvSite = "MOODLEMIG_MOODLE_SITE"

// SetupHint is the one line that says how to set the site up.
const SetupHint = "fetch the Moodle mirror (paulkennethsq1/hrsq1 under a .mirror folder), run ../shared/moodle/setup.sh, then set " + EnvSite + "=1"

// ErrNoSite means no Moodle site is set up on this machine.
var ErrNoSite = errors.New("no Moodle site")

// Site is a Moodle site set up by ../shared/moodle/setup.sh.
type Site struct {
	// Script is restore.sh.
	Script string
	// Home is $MOODLE_HOME (the site, its database and dataroot).
	Home string
}

// Find locates restore.sh (harness may name it, or its folder; empty looks
// in ../shared/moodle above dir) and checks that the site is installed
// ($MOODLE_HOME/.installed). The error wraps ErrNoSite and says how to set
// the site up.
func Find(dir, harness string) (Site, error) {
	home := os.Getenv("MOODLE_HOME")
	if home == "" {
		base := os.Getenv("XDG_CACHE_HOME")
		if base == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return Site{}, fmt.Errorf("%w: no home folder (%v): %s", ErrNoSite, err, SetupHint)
			}
			base = filepath.Join(h, ".cache")
		}
		home = filepath.Join(base, "moodlemig", "moodle")
	}
	script := harness
	if script == "" {
		for d, _ := filepath.Abs(dir); ; d = filepath.Dir(d) {
			p := filepath.Join(d, "shared", "moodle", "restore.sh")
			if _, err := os.Stat(p); err == nil {
				script = p
				break
			}
			if d == filepath.Dir(d) {
				break
			}
		}
	} else if fi, err := os.Stat(script); err == nil && fi.IsDir() {
		script = filepath.Join(script, "restore.sh")
	}
	if script == "" || !fileExists(script) {
		return Site{}, fmt.Errorf("%w: no restore harness (shared/moodle/restore.sh) above %s: %s", ErrNoSite, dir, SetupHint)
	}
	if !fileExists(filepath.Join(home, ".installed")) {
		return Site{}, fmt.Errorf("%w: %s/.installed is missing: %s", ErrNoSite, home, SetupHint)
	}
	return Site{Script: script, Home: home}, nil
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// Restored is what restore.sh printed (restore.php's JSON) for one backup.
type Restored struct {
	Backup           string         `json:"backup"`
	Format           string         `json:"format"`
	Converted        bool           `json:"converted"`
	BackupActivities map[string]int `json:"backup_activities"`
	Success          bool           `json:"success"`
	Error            string         `json:"error"`
	WallSeconds      float64        `json:"wall_seconds"`
	ConvertSeconds   float64        `json:"convert_seconds"`
	PrecheckWarnings []string       `json:"precheck_warnings"`
	LogWarnings      []string       `json:"log_warnings"`
	LogWarningsCount int            `json:"log_warnings_count"`
	Counts           Counts         `json:"counts"`
	Moodle1Modules   map[string]int `json:"moodle1_modules"`
	Moodle1Questions int            `json:"moodle1_questions"`
	OutputTail       string         `json:"output_tail"`
	MoodleRelease    string         `json:"moodle_release"`
	// Wall is the time restore.sh took as a whole (PHP start, reset, restore).
	Wall time.Duration `json:"-"`
}

// UnmarshalJSON accepts PHP's empty array ([]) for the maps.
func (r *Restored) UnmarshalJSON(data []byte) error {
	type plain Restored
	clean, err := dropEmptyArrays(data)
	if err != nil {
		return err
	}
	return json.Unmarshal(clean, (*plain)(r))
}

// dropEmptyArrays removes the top-level keys whose value is [] (PHP writes
// an empty associative array that way).
func dropEmptyArrays(data []byte) ([]byte, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	for k, v := range raw {
		if string(v) == "[]" {
			delete(raw, k)
		}
	}
	return json.Marshal(raw)
}

// Warnings returns every precheck and log warning Moodle printed (the log
// list is cut at 25 by restore.php; WarningCount has the full number).
func (r *Restored) Warnings() []string {
	out := append([]string(nil), r.PrecheckWarnings...)
	return append(out, r.LogWarnings...)
}

// WarningCount is the number of precheck and log warnings.
func (r *Restored) WarningCount() int {
	n := r.LogWarningsCount
	if n < len(r.LogWarnings) {
		n = len(r.LogWarnings)
	}
	return len(r.PrecheckWarnings) + n
}

// Counts is what restore.php read back from the database for the new course.
type Counts struct {
	Modules                   map[string]int `json:"modules"`
	ModulesTotal              int            `json:"modules_total"`
	Sections                  int            `json:"sections"`
	SectionsNonEmpty          int            `json:"sections_nonempty"`
	ForumDiscussions          int            `json:"forum_discussions"`
	ForumPosts                int            `json:"forum_posts"`
	AssignInstances           int            `json:"assign_instances"`
	AssignSubmissions         int            `json:"assign_submissions"`
	QuizInstances             int            `json:"quiz_instances"`
	QuizSlots                 int            `json:"quiz_slots"`
	QuestionCategories        int            `json:"question_categories"`
	Questions                 map[string]int `json:"questions"`
	QuestionsTotal            int            `json:"questions_total"`
	QuestionsCreatedByContext map[string]int `json:"questions_created_by_context"`
	Files                     int            `json:"files"`
	FilesBytes                int64          `json:"files_bytes"`
	FilesByComponent          map[string]int `json:"files_by_component"`
	UsersCreated              int            `json:"users_created"`
	Enrolments                int            `json:"enrolments"`
	RoleAssignments           int            `json:"role_assignments"`
	GradeItems                int            `json:"grade_items"`
	GradeGrades               int            `json:"grade_grades"`
	Groups                    int            `json:"groups"`
	Groupings                 int            `json:"groupings"`
	Blocks                    int            `json:"blocks"`
}

// UnmarshalJSON accepts PHP's empty array ([]) for the maps.
func (c *Counts) UnmarshalJSON(data []byte) error {
	type plain Counts
	clean, err := dropEmptyArrays(data)
	if err != nil {
		return err
	}
	return json.Unmarshal(clean, (*plain)(c))
}

// QuestionsCreated is the number of questions the restore created in any
// context.
func (c Counts) QuestionsCreated() int {
	n := 0
	for _, v := range c.QuestionsCreatedByContext {
		n += v
	}
	return n
}

// Restore restores backup (a 1.x zip, a .mbz or an extracted folder) into a
// fresh site (restore.sh --fresh) and returns what restore.php printed. A
// restore that fails is a Restored with Success false, not an error; the
// error is for a harness that printed no JSON.
func (s Site) Restore(ctx context.Context, backup string) (*Restored, error) {
	cmd := exec.CommandContext(ctx, "bash", s.Script, backup, "--fresh")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	r, err := parseRestored(backup, stdout.Bytes(), stderr.String(), runErr)
	if err != nil {
		return nil, err
	}
	r.Wall = time.Since(start)
	return r, nil
}

func tail(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 1500 {
		s = "…" + s[len(s)-1500:]
	}
	return s
}
