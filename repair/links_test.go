package repair

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/moodlemig/moodlemig/report"
)

func testSite() *LinkSite {
	return &LinkSite{
		WWWRoot:     "http://moodle.example.edu",
		CourseID:    5,
		CMs:         map[int64]string{455: "forum", 456: "resource", 460: "quiz", 470: "hotpot"},
		Instances:   map[string]map[int64]bool{"forum": {12: true}, "resource": {3: true}, "quiz": {8: true}, "data": {2: true}},
		Discussions: map[int64]bool{31: true},
		Posts:       map[int64]bool{77: true},
		Records:     map[int64]bool{9: true},
		FileExists:  func(p string) bool { return p == "pics/a b.png" || p == "doc.pdf" || p == "" },
	}
}

func TestEncodeLinksField(t *testing.T) {
	tests := []struct {
		name, page, in, want string
		issues               int
	}{
		{"absolute exact", "", `<a href="http://moodle.example.edu/mod/forum/view.php?id=455">x</a>`, `<a href="$@FORUMVIEWBYID*455@$">x</a>`, 0},
		{"https www", "", `<a href="https://www.moodle.example.edu/mod/forum/view.php?id=455">x</a>`, `<a href="$@FORUMVIEWBYID*455@$">x</a>`, 0},
		{"upper-case host", "", `<a href="HTTP://Moodle.Example.EDU/mod/quiz/view.php?id=460">x</a>`, `<a href="$@QUIZVIEWBYID*460@$">x</a>`, 0},
		{"root-relative", "", `<a href='/mod/resource/view.php?id=456'>x</a>`, `<a href='$@RESOURCEVIEWBYID*456@$'>x</a>`, 0},
		{"relative up", "/mod/forum/", `<a href="../resource/view.php?id=456">x</a>`, `<a href="$@RESOURCEVIEWBYID*456@$">x</a>`, 0},
		{"relative same module", "/mod/forum/", `<a href="view.php?id=455">x</a>`, `<a href="$@FORUMVIEWBYID*455@$">x</a>`, 0},
		{"relative without page", "", `<a href="view.php?id=455">x</a>`, `<a href="view.php?id=455">x</a>`, 0},
		{"wrong module type", "", `<a href="/mod/quiz/view.php?id=455">x</a>`, `<a href="/mod/quiz/view.php?id=455">x</a>`, 1},
		{"missing cm", "", `<a href="/mod/forum/view.php?id=999">x</a>`, `<a href="/mod/forum/view.php?id=999">x</a>`, 1},
		{"index", "", `<a href="http://moodle.example.edu/mod/forum/index.php?id=5">x</a>`, `<a href="$@FORUMINDEX*5@$">x</a>`, 0},
		{"index trailing slash", "", `<a href="http://moodle.example.edu/mod/forum/?id=5">x</a>`, `<a href="$@FORUMINDEX*5@$">x</a>`, 0},
		{"index other course", "", `<a href="/mod/forum/index.php?id=6">x</a>`, `<a href="/mod/forum/index.php?id=6">x</a>`, 1},
		{"course view", "", `<a href="http://moodle.example.edu/course/view.php?id=5&amp;topic=2">x</a>`, `<a href="$@COURSEVIEWBYID*5@$&amp;topic=2">x</a>`, 0},
		{"course view relative from course page", "/course/", `<a href="view.php?id=5">x</a>`, `<a href="$@COURSEVIEWBYID*5@$">x</a>`, 0},
		{"other course", "", `<a href="http://moodle.example.edu/course/view.php?id=7">x</a>`, `<a href="http://moodle.example.edu/course/view.php?id=7">x</a>`, 1},
		{"discussion parent amp", "", `<a href="/mod/forum/discuss.php?d=31&amp;parent=77">x</a>`, `<a href="$@FORUMDISCUSSIONVIEWPARENT*31*77@$">x</a>`, 0},
		{"discussion parent raw", "", `<a href="/mod/forum/discuss.php?d=31&parent=77">x</a>`, `<a href="$@FORUMDISCUSSIONVIEWPARENT*31*77@$">x</a>`, 0},
		{"discussion inside", "", `<a href="/mod/forum/discuss.php?d=31#77">x</a>`, `<a href="$@FORUMDISCUSSIONVIEWINSIDE*31*77@$">x</a>`, 0},
		{"discussion", "", `<a href="/mod/forum/discuss.php?d=31">x</a>`, `<a href="$@FORUMDISCUSSIONVIEW*31@$">x</a>`, 0},
		{"forum by f", "", `<a href="/mod/forum/view.php?f=12">x</a>`, `<a href="$@FORUMVIEWBYF*12@$">x</a>`, 0},
		{"quiz by q", "", `<a href="/mod/quiz/view.php?q=8">x</a>`, `<a href="$@QUIZVIEWBYQ*8@$">x</a>`, 0},
		{"resource by r with fragment", "", `<a href="/mod/resource/view.php?r=3#top">x</a>`, `<a href="$@RESOURCEVIEWBYR*3@$#top">x</a>`, 0},
		{"data record", "", `<a href="/mod/data/view.php?d=2&amp;rid=9">x</a>`, `<a href="$@DATAVIEWRECORD*2*9@$">x</a>`, 0},
		{"hotpot", "", `<a href="/mod/hotpot/view.php?id=470">x</a>`, `<a href="$@HOTPOT*view*id*470@$">x</a>`, 0},
		{"file path", "", `<img src="http://moodle.example.edu/file.php/5/pics/a%20b.png" />`, `<img src="$@FILEPHP@$$@SLASH@$pics$@SLASH@$a%20b.png" />`, 0},
		{"file query forcedownload", "", `<a href="/file.php?file=/5/doc.pdf&amp;forcedownload=1">x</a>`, `<a href="$@FILEPHP@$$@SLASH@$doc.pdf$@FORCEDOWNLOAD@$">x</a>`, 0},
		{"file missing", "", `<a href="/file.php/5/nope.pdf">x</a>`, `<a href="/file.php/5/nope.pdf">x</a>`, 1},
		{"file other course", "", `<a href="/file.php/57/x.png">x</a>`, `<a href="/file.php/57/x.png">x</a>`, 1},
		{"external", "", `<a href="http://www.google.com/mod/forum/view.php?id=455">x</a>`, `<a href="http://www.google.com/mod/forum/view.php?id=455">x</a>`, 0},
		{"mailto", "/mod/forum/", `<a href="mailto:view.php?id=455">x</a>`, `<a href="mailto:view.php?id=455">x</a>`, 0},
		{"already encoded", "", `<a href="$@FORUMVIEWBYID*455@$">x</a>`, `<a href="$@FORUMVIEWBYID*455@$">x</a>`, 0},
		{"not in a tag", "/mod/forum/", `href="view.php?id=455" as text`, `href="view.php?id=455" as text`, 0},
		{"digits continue", "", `<a href="/mod/forum/view.php?id=455x">x</a>`, `<a href="/mod/forum/view.php?id=455x">x</a>`, 0},
		{"survey never", "", `<a href="/mod/survey/view.php?id=455">x</a>`, `<a href="/mod/survey/view.php?id=455">x</a>`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _, issues := EncodeLinksField(tc.in, testSite(), tc.page)
			if got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			if len(issues) != tc.issues {
				t.Errorf("issues = %v, want %d", issues, tc.issues)
			}
			again, ch, _ := EncodeLinksField(got, testSite(), tc.page)
			if again != got || len(ch) != 0 {
				t.Errorf("not idempotent: %s", again)
			}
		})
	}
}

func TestEncodeLinksWWWRootWithPathAndAlias(t *testing.T) {
	site := testSite()
	site.WWWRoot = "https://example.org/moodle"
	site.Aliases = []string{"http://10.0.0.5/moodle"}
	for in, want := range map[string]string{
		`<a href="http://example.org/moodle/mod/forum/view.php?id=455">x</a>`:   `<a href="$@FORUMVIEWBYID*455@$">x</a>`,
		`<a href="http://10.0.0.5/moodle/mod/forum/view.php?id=455">x</a>`:      `<a href="$@FORUMVIEWBYID*455@$">x</a>`,
		`<a href="/moodle/mod/forum/view.php?id=455">x</a>`:                     `<a href="$@FORUMVIEWBYID*455@$">x</a>`,
		`<a href="/mod/forum/view.php?id=455">x</a>`:                            `<a href="/mod/forum/view.php?id=455">x</a>`,
		`<a href="https://example.org/moodlex/mod/forum/view.php?id=455">x</a>`: `<a href="https://example.org/moodlex/mod/forum/view.php?id=455">x</a>`,
	} {
		if got, _, _ := EncodeLinksField(in, site, ""); got != want {
			t.Errorf("%s\n got %s\nwant %s", in, got, want)
		}
	}
}

func TestLinkReaderGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/links/*.xml")
	if len(files) == 0 {
		t.Fatal("no testdata/links/*.xml")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".xml")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			site, err := CollectLinkSite(bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			site.FileExists = func(p string) bool { return p == "pics/cell one.png" || p == "doc.pdf" }
			rep := report.New(0)
			out, err := io.ReadAll(NewLinkReader(bytes.NewReader(in), site, LinkStreamOptions{Report: rep}))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "links", name, string(out)+"-- findings --\n"+findingLines(rep))
			again, err := io.ReadAll(NewLinkReader(bytes.NewReader(out), site, LinkStreamOptions{}))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, out) {
				t.Errorf("second pass changed the output:\n%s", cmp.Diff(string(out), string(again)))
			}
		})
	}
}

func TestCollectLinkSite(t *testing.T) {
	in, err := os.ReadFile("testdata/links/course.xml")
	if err != nil {
		t.Fatal(err)
	}
	site, err := CollectLinkSite(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &LinkSite{
		WWWRoot: "http://moodle.example.edu", CourseID: 5,
		CMs:         map[int64]string{455: "forum", 456: "resource"},
		Instances:   map[string]map[int64]bool{"forum": {12: true}, "resource": {3: true}},
		Discussions: map[int64]bool{31: true}, Posts: map[int64]bool{77: true}, Records: map[int64]bool{},
	}
	if diff := cmp.Diff(want, site, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "FileExists" }, cmp.Ignore())); diff != "" {
		t.Error(diff)
	}
}
