package restorecheck

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// site returns the Moodle site, or skips with one line saying how to set it
// up: CI has no site, and a missing site never fails a test.
func site(t *testing.T) Site {
	t.Helper()
	if os.Getenv(EnvSite) == "" {
		t.Skip("restore check skipped: " + SetupHint)
	}
	s, err := Find(".", "")
	if err != nil {
		t.Skip("restore check skipped: " + err.Error())
	}
	return s
}

// TestMoodleRestore converts every course of the check with moodlemig,
// restores it in Moodle 4.5 and asserts that the restore succeeds and that
// what Moodle restored equals what the audit says was written. Moodle's
// warnings are logged and must be none.
func TestMoodleRestore(t *testing.T) {
	s := site(t)
	bin := moodlemig(t)
	work := t.TempDir()
	courses, err := Courses(context.Background(), "..", bin, work)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range courses {
		t.Run(c.Name, func(t *testing.T) {
			r, err := Check(context.Background(), s, bin, work, c, false)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("moodlemig convert %.1f s, Moodle restore %.1f s; module record rows after the restore: %v", r.Ours.Wall.Seconds(), r.Restored.WallSeconds, r.Rows)
			for _, f := range r.Failures() {
				t.Error(f)
			}
			ours, site := SplitWarnings(r.Output, r.Restored)
			for _, w := range ours {
				t.Errorf("Moodle warning: %s", stripStamp(w))
			}
			for _, w := range site {
				t.Logf("Moodle warning caused by the site (chat/survey disabled): %s", stripStamp(w))
			}
		})
	}
}

// TestMoodleBreaks breaks one output on purpose per breakage and shows what
// reports it: moodlemig validate, the static check, Moodle's restore itself
// (failure or warning), and the comparison of the restored course with the
// output. The check (static + restore + comparison) must report each one.
func TestMoodleBreaks(t *testing.T) {
	s := site(t)
	bin := moodlemig(t)
	c := convertGolden(t, "course-basic")
	for _, b := range breakages {
		t.Run(b.name, func(t *testing.T) {
			dir := extract(t, c.MBZ)
			what := b.apply(t, dir)
			t.Log("break:", what)

			val := exec.Command(bin, "validate", "--quiet", dir)
			valOut, valErr := val.CombinedOutput()
			t.Logf("moodlemig validate: %s (%v)", strings.TrimSpace(string(valOut)), valErr)

			out, err := Inspect(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			re := regexp.MustCompile(b.static)
			static := false
			for _, p := range out.Problems {
				static = static || re.MatchString(p)
			}
			t.Logf("static check: %v %v", static, out.Problems)

			res, err := s.Restore(context.Background(), dir)
			if err != nil {
				t.Fatal(err)
			}
			// What Check does: compare the audit of the conversion, the
			// backup restored and what Moodle restored.
			r := &Result{Output: out, Restored: res, Diffs: Compare(c.Run.Audit, out, res)}
			moodle := "silent"
			switch {
			case !res.Success:
				moodle = "fails"
			case res.WarningCount() > 0:
				moodle = "warning"
			}
			t.Logf("Moodle restore: %s (%s) warnings %v", moodle, res.Error, res.Warnings())
			t.Logf("comparison with the audit and the output: %v", r.Diffs)

			if !static {
				t.Errorf("the static check missed it: %v", out.Problems)
			}
			if b.validate && valErr == nil {
				t.Errorf("moodlemig validate passed the broken backup: %s", valOut)
			}
			if !b.validate && valErr == nil {
				t.Logf("moodlemig validate exits 0: no error finding for it")
			}
			if moodle != b.moodle {
				t.Errorf("Moodle's restore: %s, want %s", moodle, b.moodle)
			}
			if b.compare != "" {
				var hit bool
				for _, d := range r.Diffs {
					hit = hit || d.What == b.compare
				}
				if !hit {
					t.Errorf("the comparison did not report %q: %v", b.compare, r.Diffs)
				}
			}
			if len(r.Failures()) == 0 {
				t.Error("the check passed the broken backup")
			}
		})
	}
}
