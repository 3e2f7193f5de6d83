package repair

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzEncodeLinks checks that encode-links never panics on any HTML or any
// moodle.xml, and that encoding twice is encoding once.
func FuzzEncodeLinks(f *testing.F) {
	for _, h := range handCorpus {
		f.Add(h, "/mod/forum/")
	}
	f.Add(`<a href="http://moodle.example.edu/file.php/5/a%2fb.png?forcedownload=1">x</a>`, "")
	f.Add(`<a href='../resource/view.php?id=456#x'>x</a><img src=/file.php?file=%2F5/x.png>`, "/mod/quiz/")
	files, _ := filepath.Glob("testdata/links/*.xml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b), "")
		}
	}
	f.Fuzz(func(t *testing.T, s, page string) {
		site := testSite()
		site.Aliases = []string{"https://10.0.0.1/m"}
		out, changes, _ := EncodeLinksField(s, site, page)
		if (out != s) != (len(changes) > 0) {
			t.Fatalf("output changed = %v but %d changes", out != s, len(changes))
		}
		again, ch, _ := EncodeLinksField(out, site, page)
		if again != out || len(ch) != 0 {
			t.Fatalf("not idempotent:\n once %q\ntwice %q", out, again)
		}
		// The streaming filters on s as a document.
		site2, err := CollectLinkSite(strings.NewReader(s))
		if err != nil {
			return
		}
		if site2.WWWRoot == "" {
			site2.WWWRoot = "http://moodle.example.edu"
		}
		once, err := io.ReadAll(NewLinkReader(strings.NewReader(s), site2, LinkStreamOptions{MaxField: 4096}))
		if err != nil {
			return
		}
		twice, err := io.ReadAll(NewLinkReader(bytes.NewReader(once), site2, LinkStreamOptions{MaxField: 4096}))
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("stream not idempotent (err %v):\n once %q\ntwice %q", err, once, twice)
		}
	})
}
