package stages

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
)

func newWrite(t *testing.T, format string) Stage {
	t.Helper()
	st, err := WriteSpec().New(map[string]any{"format": format, "level": 0})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// contents reads every file entry of b.
func contents(t *testing.T, b *backup.Backup) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, e := range b.Entries {
		if e.Dir {
			continue
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
		m[e.Name] = string(data)
	}
	return m
}

// TestWriteRoundTrip writes a generated 1.x backup as zip and tar.gz and
// opens the result: the same entries with the same bytes, the same kind.
func TestWriteRoundTrip(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "course.zip")
	if _, err := gen.WriteZip(src, gen.Options{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in, err := backup.Open(ctx, src, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	want := contents(t, in)
	for _, tc := range []struct{ format, ext string }{{WriteZip, ".zip"}, {WriteTarGz, ".tar.gz"}} {
		t.Run(tc.format, func(t *testing.T) {
			st := newWrite(t, tc.format)
			if got := st.(interface{ Ext() string }).Ext(); got != tc.ext {
				t.Errorf("Ext() = %q, want %q", got, tc.ext)
			}
			var buf bytes.Buffer
			rep := report.New(0)
			if _, err := st.Apply(ctx, in, Env{Scratch: t.TempDir(), Report: rep, Output: &buf}); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out"+tc.ext)
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			back, err := backup.Open(ctx, out, backup.Options{})
			if err != nil {
				t.Fatalf("reopen written %s: %v", tc.format, err)
			}
			defer back.Close()
			if back.Facts.Kind != backup.Moodle1 {
				t.Errorf("kind %q after writing, want 1.x", back.Facts.Kind)
			}
			got := contents(t, back)
			if len(got) != len(want) {
				t.Errorf("%d entries written, want %d", len(got), len(want))
			}
			for name, data := range want {
				if got[name] != data {
					t.Errorf("entry %s differs after writing", name)
				}
			}
		})
	}
}

func TestWriteRefusesMbzOf1x(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "course.zip")
	if _, err := gen.WriteZip(src, gen.Options{Seed: 4}); err != nil {
		t.Fatal(err)
	}
	in, err := backup.Open(context.Background(), src, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	for _, f := range []string{WriteMbzZip, WriteMbzTarGz} {
		var buf bytes.Buffer
		_, err := newWrite(t, f).Apply(context.Background(), in, Env{Output: &buf, Report: report.New(0)})
		if err == nil || !strings.Contains(err.Error(), "put convert before write") {
			t.Errorf("%s of a 1.x backup: error %v, want a hint to convert", f, err)
		}
		if buf.Len() != 0 {
			t.Errorf("%s wrote %d bytes before refusing", f, buf.Len())
		}
	}
	if _, err := newWrite(t, WriteZip).Apply(context.Background(), in, Env{}); err == nil {
		t.Error("write without an output did not fail")
	}
}

// TestWriteCheck: lint learns from the spec that a .mbz needs a 2.x backup.
func TestWriteCheck(t *testing.T) {
	check := WriteSpec().Check
	for _, tc := range []struct {
		format string
		in     backup.Kind
		ok     bool
	}{
		{WriteMbzZip, backup.Moodle1, false},
		{WriteMbzTarGz, backup.Moodle1, false},
		{WriteMbzZip, backup.Moodle2, true},
		{WriteMbzZip, KindAny, true}, // known only at run time
		{WriteZip, backup.Moodle1, true},
		{WriteTarGz, backup.Moodle2, true},
	} {
		err := check(map[string]any{"format": tc.format, "level": 0}, tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%s, %s) = %v, want ok=%v", tc.format, tc.in, err, tc.ok)
		}
	}
}
