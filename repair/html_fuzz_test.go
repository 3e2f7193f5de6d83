package repair

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRepairHTML checks, on any field text and on any moodle.xml, that
// repair-html never panics, is idempotent, and changes a field only when it
// had none of the characters the bug deletes.
func FuzzRepairHTML(f *testing.F) {
	for _, h := range handCorpus {
		f.Add(DamageLibxml2(h))
		f.Add(h)
	}
	g := newCorpusGen(99)
	for i := 0; i < 30; i++ {
		f.Add(DamageLibxml2(g.field()))
	}
	files, _ := filepath.Glob("testdata/html/*.xml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(string(b))
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, min := range []float64{0.01, DefaultMinConfidence} {
			out, conf, _ := RepairHTMLField(s, HTMLOptions{MinConfidence: min})
			if conf < 0 || conf > 1 {
				t.Fatalf("confidence %v out of range", conf)
			}
			if out != s && !DamagedLibxml2(s) {
				t.Fatalf("changed a field that still has <, >, \" or &: %q -> %q", s, out)
			}
			if out != s && DamageLibxml2(out) != s {
				t.Fatalf("the rebuild does not damage back to the input:\n in %q\nout %q", s, out)
			}
			again, _, _ := RepairHTMLField(out, HTMLOptions{MinConfidence: min})
			if again != out {
				t.Fatalf("not idempotent:\n once %q\ntwice %q", out, again)
			}
		}
		// The streaming filter on the raw text as a document.
		once, err := io.ReadAll(NewHTMLReader(strings.NewReader(s), HTMLStreamOptions{MaxField: 4096}))
		if err != nil {
			return // ill-formed documents may fail, but must not panic
		}
		twice, err := io.ReadAll(NewHTMLReader(bytes.NewReader(once), HTMLStreamOptions{MaxField: 4096}))
		if err != nil || !bytes.Equal(once, twice) {
			t.Fatalf("stream not idempotent (err %v):\n once %q\ntwice %q", err, once, twice)
		}
		if utf8.ValidString(s) && !utf8.Valid(once) {
			t.Fatalf("valid UTF-8 became invalid: %q", once)
		}
		// On two cores: the same output.
		h := NewHTMLReader(strings.NewReader(s), HTMLStreamOptions{MaxField: 4096, Parallel: true})
		par, err := io.ReadAll(h)
		h.Close()
		if err != nil || !bytes.Equal(par, once) {
			t.Fatalf("two cores differ from one (err %v):\n one %q\n two %q", err, once, par)
		}
	})
}
