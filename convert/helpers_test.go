package convert

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// dirBackup opens a 1.x backup laid out as a folder, as backup.Open would.
func dirBackup(t testing.TB, dir string) *backup.Backup {
	t.Helper()
	b := &backup.Backup{Path: dir + ".zip", Facts: backup.Facts{Kind: backup.Moodle1, Format: backup.FormatFolder}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			e := backup.NewEntry(rel+"/", 0, func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("")), nil })
			e.Dir = true
			b.Entries = append(b.Entries, e)
			return nil
		}
		path := p
		e := backup.NewEntry(rel, info.Size(), func() (io.ReadCloser, error) { return os.Open(path) })
		b.Entries = append(b.Entries, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixedNow is the conversion time of every test, so outputs are stable.
var fixedNow = time.Unix(1700000000, 0)

// convertDir converts the 1.x folder dir and returns the result and report.
func convertDir(t testing.TB, dir string, opts Options) (*Result, *report.Report) {
	t.Helper()
	rep := report.New(0)
	if opts.Scratch == "" {
		opts.Scratch = t.TempDir()
	}
	if opts.Now.IsZero() {
		opts.Now = fixedNow
	}
	if opts.Name == "" {
		opts.Name = "converted.mbz"
	}
	res, err := Convert(context.Background(), dirBackup(t, dir), rep, opts)
	if err != nil {
		t.Fatalf("convert %s: %v", dir, err)
	}
	return res, rep
}

// writeOut materialises a 2.x backup as a folder.
func writeOut(t testing.TB, b *backup.Backup, dir string) {
	t.Helper()
	for _, e := range b.Entries {
		p := filepath.Join(dir, filepath.FromSlash(e.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(f, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		f.Close()
	}
}

// readAll returns an entry's bytes.
func readAll(t testing.TB, e *backup.Entry) []byte {
	t.Helper()
	rc, err := e.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// putFile writes body to dir/name (a slash-separated path), making folders.
func putFile(t testing.TB, dir, name, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
