package backup

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/report"
)

// sampleManifest is the part of testdata/sample/manifest.json (written by
// internal/gen) that says what each sample backup is.
type sampleManifest struct {
	File    string
	Options struct {
		Damage struct {
			RawLegacyBytes bool
			NoDeclaration  bool
			NestedRoot     string
			Truncate       bool
		}
	}
	Manifest struct {
		Version       string
		BackupVersion string
		CourseID      int
		WWWRoot       string
	}
}

// TestSamples opens every sample backup of testdata/sample and checks what
// Open says against what the generator's manifest says the sample is.
func TestSamples(t *testing.T) {
	data, err := os.ReadFile("../testdata/sample/manifest.json")
	if err != nil {
		t.Skip("no sample manifest:", err)
	}
	var samples []sampleManifest
	if err := json.Unmarshal(data, &samples); err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		t.Run(s.File, func(t *testing.T) {
			p := filepath.Join("../testdata/sample", s.File)
			rep := report.New(0)
			b, err := Open(context.Background(), p, Options{Sink: rep})
			d := s.Options.Damage
			if d.Truncate {
				if !errors.Is(err, ErrTruncated) {
					t.Fatalf("err = %v, want ErrTruncated", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if err := b.Verify(context.Background()); err != nil {
				t.Errorf("Verify: %v", err)
			}
			f, m := b.Facts, s.Manifest
			if f.Kind != Moodle1 || f.Format != FormatZip {
				t.Errorf("kind %q format %q", f.Kind, f.Format)
			}
			if f.BackupVersion != m.BackupVersion || f.CourseID != strconv.Itoa(m.CourseID) || f.WWWRoot != m.WWWRoot ||
				!strings.HasPrefix(f.MoodleRelease, m.Version) {
				t.Errorf("facts %+v do not match manifest %+v", f, m)
			}
			if f.BackupDate.IsZero() || f.ShortName == "" || f.FullName == "" {
				t.Errorf("facts lack date or names: %+v", f)
			}
			wantRoot := ""
			if d.NestedRoot != "" {
				wantRoot = strings.TrimSuffix(d.NestedRoot, "/") + "/"
			}
			if f.Root != wantRoot || (rep.Count("archive.nested-root") == 1) != (wantRoot != "") {
				t.Errorf("root %q, nested-root findings %d; want root %q", f.Root, rep.Count("archive.nested-root"), wantRoot)
			}
			odd := d.NoDeclaration || (d.RawLegacyBytes && !strings.EqualFold(f.Encoding, "UTF-8"))
			if got := rep.Count("archive.undetectable") == 1; got != odd {
				t.Errorf("archive.undetectable reported: %v, want %v (encoding %q)", got, odd, f.Encoding)
			}
		})
	}
}
