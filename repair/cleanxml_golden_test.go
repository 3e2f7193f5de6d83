package repair

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/report"
)

// TestCleanGolden cleans every testdata/cleanxml/*.xml and compares the
// output and the findings with the .golden files next to it (-update
// rewrites them).
func TestCleanGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/cleanxml/*.xml")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			in, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			legacy := Windows1252
			if strings.Contains(f, "pre16") {
				legacy = Latin1Lift
			}
			rep := report.New(0)
			out, err := CleanString(string(in), CleanOptions{Moodle: true, Legacy: legacy, Report: rep})
			var sb strings.Builder
			sb.WriteString(out)
			sb.WriteString("\n-- findings --\n")
			for _, fd := range rep.Findings() {
				fmt.Fprintf(&sb, "%s %d:%d @%d %s %q -> %q\n", fd.Code, fd.Line, fd.Column, fd.Offset, fd.Path, fd.Before, fd.After)
			}
			if err != nil {
				fmt.Fprintf(&sb, "-- error --\n%v\n", err)
			} else {
				mustParse(t, out)
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
				t.Errorf("output differs from %s:\n%s", golden, sb.String())
			}
			if strings.HasPrefix(filepath.Base(f), "valid") && out != string(in) {
				t.Errorf("valid input changed")
			}
		})
	}
}
