package charset

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/moodlemig/moodlemig/report"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// TestTranscodeGolden transcodes every testdata/transcode/*.xml with from:
// auto (fix-mojibake when the name says "fix") and compares output and
// findings with the .golden file next to it (-update rewrites them).
func TestTranscodeGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/transcode/*.xml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			rep := report.New(0)
			opts := Options{Report: rep, FixMojibake: strings.Contains(f, "fix")}
			out, err := TranscodeString(string(in), opts)
			var sb strings.Builder
			sb.WriteString(out)
			sb.WriteString("\n-- findings --\n")
			for _, fd := range rep.Findings() {
				fmt.Fprintf(&sb, "%s %s %d:%d %s %q -> %q: %s\n", fd.Severity, fd.Code, fd.Line, fd.Column, fd.Path, fd.Before, fd.After, fd.Message)
			}
			if err != nil {
				fmt.Fprintf(&sb, "-- error --\n%v\n", err)
			} else if !utf8.ValidString(out) {
				t.Error("output is not UTF-8")
			}
			golden := strings.TrimSuffix(f, ".xml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(sb.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if sb.String() != string(want) {
				t.Errorf("differs from %s:\n%s", golden, sb.String())
			}
			if strings.HasPrefix(filepath.Base(f), "valid") && out != string(in) {
				t.Error("valid UTF-8 input changed")
			}
		})
	}
}
