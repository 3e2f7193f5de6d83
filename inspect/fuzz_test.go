package inspect

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/moodlemig/moodlemig/report"
)

// FuzzScan1x runs the moodle.xml pass (counts, charset, HTML and link
// checks) on any input: it must not panic, must count every finding it
// keeps, and must give a charset verdict.
func FuzzScan1x(f *testing.F) {
	files, _ := filepath.Glob("../xmlscan/testdata/*.xml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<MOODLE_BACKUP><INFO><BACKUP_VERSION>2005070500</BACKUP_VERSION></INFO><COURSE><HEADER><LANG>ru</LANG></HEADER><SUMMARY>pÏðèâåò/p br / a href=../forum/view.php?id=5x/a</SUMMARY></COURSE></MOODLE_BACKUP>"))
	f.Add([]byte("<MOODLE_BACKUP><COURSE><MODULES><MOD><MODTYPE>forum</MODTYPE><INTRO>https://www.example.org/mod/quiz/view.php?q=1 /file.php/5/a.png</INTRO></MOD></MODULES></COURSE></MOODLE_BACKUP>"))
	f.Fuzz(func(t *testing.T, in []byte) {
		rep := report.New(5)
		res := &Result{Counts: Counts{Activities: map[string]int{}, Questions: map[string]int{}}}
		res.WWWRoot = "http://moodle.example.edu"
		if err := scan1x(context.Background(), bytes.NewReader(in), rep, res, 5); err != nil {
			t.Fatalf("scan1x: %v", err)
		}
		if res.Charset == nil {
			t.Fatal("no charset verdict")
		}
		counts := rep.Counts()
		for _, fd := range rep.Findings() {
			if counts[fd.Code] == 0 {
				t.Fatalf("finding %s not counted", fd.Code)
			}
		}
	})
}
