package validate

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/convert"
	"github.com/moodlemig/moodlemig/report"
)

// convertFixture converts a 1.x folder of convert/testdata and writes the
// 2.x backup as a folder, returned.
func convertFixture(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	src, err := backup.Open(ctx, filepath.Join("..", "convert", "testdata", name), backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	res, err := convert.Convert(ctx, src, report.New(0), convert.Options{Scratch: t.TempDir(), Now: time.Unix(1700000000, 0), Name: name + ".mbz"})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), name)
	for _, e := range res.Backup.Entries {
		p := filepath.Join(out, filepath.FromSlash(e.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func check(t *testing.T, dir string) (Result, *report.Report) {
	t.Helper()
	b, err := backup.Open(context.Background(), dir, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	rep := report.New(0)
	res, err := Check(context.Background(), b, rep)
	if err != nil {
		t.Fatal(err)
	}
	return res, rep
}

// TestConvertedPass: every golden course the converter writes passes, with
// no finding at all.
func TestConvertedPass(t *testing.T) {
	for _, name := range []string{"course-basic", "course-activities"} {
		t.Run(name, func(t *testing.T) {
			res, rep := check(t, convertFixture(t, name))
			for _, f := range rep.Findings() {
				t.Errorf("finding on a converted course: %s", f)
			}
			if !res.OK() || res.XMLFiles < 10 || (name == "course-basic" && (res.Files == 0 || res.Pool == 0)) {
				t.Errorf("result = %+v", res)
			}
		})
	}
}

// edit rewrites one file of a backup folder with fn.
func edit(t *testing.T, dir, name string, fn func(string) string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	out := fn(string(data))
	if out == string(data) {
		t.Fatalf("edit of %s changed nothing", name)
	}
	if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceOnce(old, new string) func(string) string {
	return func(s string) string { return strings.Replace(s, old, new, 1) }
}

// poolFile returns the name of some pool file of a backup folder.
func poolFile(t *testing.T, dir string) string {
	var found string
	filepath.WalkDir(filepath.Join(dir, "files"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && found == "" {
			found, _ = filepath.Rel(dir, p)
		}
		return nil
	})
	if found == "" {
		t.Fatal("no pool file")
	}
	return filepath.ToSlash(found)
}

// TestBrokenCopies breaks a converted course one rule at a time: each copy
// must fail with the finding of that rule.
func TestBrokenCopies(t *testing.T) {
	cases := []struct {
		name    string
		code    string
		fixture string
		breakIt func(t *testing.T, dir string)
	}{
		{"missing grades.xml", CodeMissingXML, "course-basic", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "activities", "label_200", "grades.xml"))
		}},
		{"single-quoted declaration", CodeBadHeader, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "moodle_backup.xml", replaceOnce(`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version='1.0' encoding='UTF-8'?>`))
		}},
		{"wrong root element", CodeBadHeader, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "scales.xml", func(s string) string { return strings.ReplaceAll(s, "scales_definition", "scales") })
		}},
		{"truncated XML", CodeBadXML, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "course/course.xml", func(s string) string { return s[:len(s)/2] })
		}},
		{"leaf after nested", CodeLeafOrder, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "course/course.xml", replaceOnce("</category>", "</category>\n  <extra>1</extra>"))
		}},
		{"setting names no activity", CodeContents, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "moodle_backup.xml", replaceOnce("<activity>label_200</activity>", "<activity>label_999</activity>"))
		}},
		{"activity in unlisted section", CodeContents, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "moodle_backup.xml", replaceOnce("<sectionid>101</sectionid>\n          <modulename>label</modulename>", "<sectionid>777</sectionid>\n          <modulename>label</modulename>"))
		}},
		{"duplicate file id", CodeDuplicateID, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "files.xml", func(s string) string {
				i := strings.Index(s, "<file id=")
				j := strings.Index(s, "</file>") + len("</file>\n")
				return s[:i] + s[i:j] + "  " + s[i:j] + s[j:]
			})
		}},
		{"upper-case contenthash", CodeBadHash, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "files.xml", func(s string) string {
				return regexp.MustCompile(`<contenthash>([0-9a-f]{40})</contenthash>`).ReplaceAllStringFunc(s, strings.ToUpper)
			})
		}},
		{"pool file missing", CodePoolMissing, "course-basic", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, filepath.FromSlash(poolFile(t, dir))))
		}},
		{"pool file corrupted", CodePoolMismatch, "course-basic", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, filepath.FromSlash(poolFile(t, dir))), []byte("garbage"), 0o644)
		}},
		{"alias record", CodeAlias, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "files.xml", replaceOnce("<repositoryid>$@NULL@$</repositoryid>", "<repositoryid>4</repositoryid>"))
		}},
		{"file in the wrong context", CodeContext, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "files.xml", func(s string) string {
				return regexp.MustCompile(`<contextid>\d+</contextid>\s*<component>mod_label</component>`).ReplaceAllString(s, "<contextid>2</contextid>\n    <component>mod_label</component>")
			})
		}},
		{"inforef names no file", CodeInforef, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "activities/label_200/inforef.xml", replaceOnce("<fileref>", "<fileref>\n    <file>\n      <id>99999</id>\n    </file>"))
		}},
		{"file in no inforef", CodeUnreferenced, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "activities/resource_202/inforef.xml", func(s string) string {
				return regexp.MustCompile(`(?s)<fileref>.*</fileref>`).ReplaceAllString(s, "")
			})
		}},
		{"scale that does not exist", CodeDangling, "course-activities", func(t *testing.T, dir string) {
			edit(t, dir, "activities/forum_302/forum.xml", replaceOnce("<scale>10</scale>", "<scale>-77</scale>"))
		}},
		{"dead pluginfile link", CodeDeadLink, "course-basic", func(t *testing.T, dir string) {
			edit(t, dir, "activities/label_200/label.xml", replaceOnce("@@PLUGINFILE@@/pics/a%20b.gif", "@@PLUGINFILE@@/pics/nothere.gif"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := convertFixture(t, tc.fixture)
			tc.breakIt(t, dir)
			_, rep := check(t, dir)
			if rep.Count(tc.code) == 0 {
				t.Errorf("no %s finding; got %v", tc.code, rep.Findings())
			}
		})
	}
}

// TestNativeBackupPasses: a backup Moodle 4.5.6 wrote itself (tar.gz; the
// converted sample course restored and backed up again with
// admin/cli/backup.php) passes with no finding.
func TestNativeBackupPasses(t *testing.T) {
	res, rep := check(t, filepath.Join("testdata", "moodle45-native.mbz"))
	for _, f := range rep.Findings() {
		t.Errorf("finding on a native Moodle backup: %s", f)
	}
	if res.XMLFiles < 100 || res.Files == 0 || res.Pool == 0 {
		t.Errorf("result = %+v: the backup was not really read", res)
	}
}
