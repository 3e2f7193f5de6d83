package convert

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/validate"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenCourses are the hand-made 1.x courses under testdata/ whose 2.x
// output is reviewed and kept in testdata/golden/<name>/.
var goldenCourses = []string{"course-basic", "course-activities", "course-lesson", "course-wiki", "course-workshop", "course-scorm", "course-groups"}

// golden renders a conversion as files: every XML file as written, POOL
// (pool names and sizes) and FINDINGS.
func golden(t *testing.T, res *Result, findings []string) map[string]string {
	out := map[string]string{}
	var pool []string
	for _, e := range res.Backup.Entries {
		if strings.HasPrefix(e.Name, "files/") {
			pool = append(pool, fmt.Sprintf("%s %d", e.Name, len(readAll(t, e))))
			continue
		}
		out[e.Name] = string(readAll(t, e))
	}
	out["POOL"] = strings.Join(pool, "\n") + "\n"
	out["FINDINGS"] = strings.Join(findings, "\n") + "\n"
	return out
}

// readGolden reads a golden folder back.
func readGolden(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, name := range goldenCourses {
		t.Run(name, func(t *testing.T) {
			res, rep := convertDir(t, filepath.Join("testdata", name), Options{ReportDir: t.TempDir()})
			checkGolden(t, res, rep, filepath.Join("testdata", "golden", name))
		})
	}
}

// checkGolden compares a conversion with the golden folder path (or
// rewrites it with -update), and checks that its audit balances and that
// it validates with no dead link.
func checkGolden(t *testing.T, res *Result, rep *report.Report, path string) {
	t.Helper()
	var fs []string
	for _, f := range rep.Findings() {
		f.Message = strings.ReplaceAll(f.Message, os.TempDir(), "$TMP")
		if i := strings.Index(f.Message, "; its 1.x XML is saved in "); i >= 0 {
			f.Message = f.Message[:i] + "; its 1.x XML is saved"
		}
		fs = append(fs, f.String())
	}
	got := golden(t, res, fs)
	if *update {
		if err := os.RemoveAll(path); err != nil {
			t.Fatal(err)
		}
		for n, data := range got {
			p := filepath.Join(path, filepath.FromSlash(n))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := readGolden(t, path)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", path, diff)
	}
	if u := res.Audit.Unbalanced(); len(u) > 0 {
		t.Errorf("audit does not balance: %v", u)
	}
	// Every output validates, with no dead link: a link whose file is
	// missing is left as it was, never a dead @@PLUGINFILE@@.
	vrep := report.New(0)
	vres, err := validate.Check(context.Background(), res.Backup, vrep)
	if err != nil || !vres.OK() || vrep.Count(validate.CodeDeadLink) > 0 {
		t.Errorf("validate: %v %v", err, vrep.Findings())
	}
}

// genFamilies are the module families of the generated golden courses:
// every content module the converter handles, and one it keeps out.
var genFamilies = []string{"label", "resource", "forum", "choice", "glossary", "data", "chat", "survey",
	"lesson", "scorm", "wiki", "workshop", "hotpot"}

// TestGoldenGenerated converts a small generated 1.9 course per module
// family (the generator's own module writers, user data included) and
// compares it with its reviewed golden tree, testdata/golden/gen-<family>.
func TestGoldenGenerated(t *testing.T) {
	for _, fam := range genFamilies {
		t.Run(fam, func(t *testing.T) {
			zip := filepath.Join(t.TempDir(), "gen-"+fam+".zip")
			if _, err := gen.WriteZip(zip, genFamilyOptions(fam)); err != nil {
				t.Fatal(err)
			}
			b, err := backup.Open(context.Background(), zip, backup.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			rep := report.New(0)
			res, err := Convert(context.Background(), b, rep, Options{Scratch: t.TempDir(), ReportDir: t.TempDir(), Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, res, rep, filepath.Join("testdata", "golden", "gen-"+fam))
		})
	}
}

// genFamilyOptions is a small course of one module family: one numbered
// section with two of its activities, or one of each kind where the
// family has several (every resource type, every forum type), one
// student, one post per discussion, tiny files.
func genFamilyOptions(fam string) gen.Options {
	n := map[string]int{"resource": 6, "forum": 5}[fam]
	if n == 0 {
		n = 2
	}
	return gen.Options{Seed: 11, Sections: 1, ModulesPerSection: n, ModuleTypes: []string{fam},
		Users: 1, Discussions: 1, PostsPerDiscussion: 1, FileCount: 2, FileSize: 48}
}
