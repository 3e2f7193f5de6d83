package convert

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/report"
)

// TestSiteFilesKeptInLegacyArea converts a course whose backup holds site
// files (1.9 site_files/): they reach the course's legacy files area in a
// folder of their own, which steps aside when the course already has a
// folder of that name, and the audit balances.
func TestSiteFilesKeptInLegacyArea(t *testing.T) {
	for _, tc := range []struct {
		name      string
		courseDir bool // the course has its own course_files/site_files/
		folder    string
	}{
		{"plain", false, "site_files"},
		{"collision", true, "site_files_1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "course")
			if err := os.CopyFS(dir, os.DirFS("testdata/course-basic")); err != nil {
				t.Fatal(err)
			}
			put := func(name, body string) { putFile(t, dir, name, body) }
			put("site_files/logo.png", "logo bytes")
			put("site_files/quiz images/q 1.gif", "question image")
			if tc.courseDir {
				put("course_files/site_files/logo.png", "the course's own logo")
			}
			res, rep := convertDir(t, dir, Options{})
			if u := res.Audit.Unbalanced(); len(u) > 0 {
				t.Fatalf("audit unbalanced: %v", u)
			}
			var files string
			for _, e := range res.Backup.Entries {
				if e.Name == "files.xml" {
					files = string(readAll(t, e))
				}
			}
			rec := regexp.MustCompile(`(?s)<file id="\d+">.*?</file>`)
			found := map[string]bool{}
			for _, r := range rec.FindAllString(files, -1) {
				if !strings.Contains(r, "<filearea>legacy</filearea>") {
					continue
				}
				fp := regexp.MustCompile(`<filepath>(.*?)</filepath>`).FindStringSubmatch(r)[1]
				fn := regexp.MustCompile(`<filename>(.*?)</filename>`).FindStringSubmatch(r)[1]
				found[fp+fn] = true
			}
			for _, want := range []string{"/" + tc.folder + "/logo.png", "/" + tc.folder + "/quiz images/q 1.gif", "/" + tc.folder + "/."} {
				if !found[want] {
					t.Errorf("no legacy record %s; legacy records: %v", want, found)
				}
			}
			if tc.courseDir && !found["/site_files/logo.png"] {
				t.Errorf("the course's own site_files/logo.png is missing: %v", found)
			}
			n := 0
			for _, f := range rep.Findings() {
				if f.Code == CodeSiteFiles && f.Severity == report.Info && strings.Contains(f.Message, "/"+tc.folder+"/") {
					n++
				}
				if f.Code == CodeFileNotPlaced && strings.Contains(f.Message, "site_files") {
					t.Errorf("site files reported as not placed: %s", f.Message)
				}
			}
			if n != 1 {
				t.Errorf("%d site-files findings naming /%s/, want 1", n, tc.folder)
			}
		})
	}
}
