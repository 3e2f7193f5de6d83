package pipelines

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/stages"
)

// The engine's tests run stand-in stages on real zip files, so that they
// test the runner (concurrency, atomic outputs, journal, panics) and nothing
// of the real stages.

// zipOpen is a stand-in Opener: it opens a real zip file and says it is a
// 1.x backup when it holds moodle.xml.
func zipOpen(ctx context.Context, path, scratch string, sink report.Sink) (*backup.Backup, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	b := &backup.Backup{Path: path}
	b.OnClose(zr)
	for _, f := range zr.File {
		f := f
		b.Entries = append(b.Entries, backup.NewEntry(f.Name, int64(f.UncompressedSize64), func() (io.ReadCloser, error) { return f.Open() }))
		if f.Name == "moodle.xml" {
			b.Facts.Kind = backup.Moodle1
		}
	}
	return b, nil
}

// readMain returns the main entry's bytes.
func readMain(b *backup.Backup) ([]byte, error) {
	e := b.Entry("moodle.xml")
	if e == nil {
		return nil, errors.New("no moodle.xml")
	}
	rc, err := e.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// standinRegistry: upper (uppercases moodle.xml, one finding), boom
// (panics on "PANIC"), slow (sleeps, honouring ctx), zipout (terminal,
// deterministic zip).
func standinRegistry() *stages.Registry {
	r, err := stages.NewRegistry(
		&stages.Spec{Name: "upper", Summary: "Uppercase moodle.xml.", Input: backup.Moodle1, Output: stages.KindAny,
			New: func(map[string]any) (stages.Stage, error) {
				return stages.StageFunc(func(ctx context.Context, b *backup.Backup, env stages.Env) (*backup.Backup, error) {
					e := b.Entry("moodle.xml")
					b.SetEntry(e.Replace(-1, func() (io.ReadCloser, error) {
						data, err := readMain(b0(e))
						if err != nil {
							return nil, err
						}
						return io.NopCloser(bytes.NewReader(bytes.ToUpper(data))), nil
					}))
					env.Report.Add(report.Finding{Code: "test.upper", Severity: report.Info, Message: "uppercased"})
					return b, nil
				}), nil
			}},
		&stages.Spec{Name: "boom", Summary: "Panic on PANIC.", Input: stages.KindAny, Output: stages.KindAny,
			New: func(map[string]any) (stages.Stage, error) {
				return stages.StageFunc(func(ctx context.Context, b *backup.Backup, env stages.Env) (*backup.Backup, error) {
					data, err := readMain(b)
					if err != nil {
						return nil, err
					}
					if i := bytes.Index(data, []byte("PANIC")); i >= 0 {
						_ = data[i+len(data)] // a real runtime panic: index out of range
					}
					if bytes.Contains(data, []byte("FAIL")) {
						return nil, errors.New("deliberate failure")
					}
					return b, nil
				}), nil
			}},
		&stages.Spec{Name: "slow", Summary: "Sleep.", Input: stages.KindAny, Output: stages.KindAny,
			Options: []stages.Option{{Name: "ms", Type: stages.Int, Default: 10, Doc: "how long"}},
			New: func(o map[string]any) (stages.Stage, error) {
				d := time.Duration(o["ms"].(int)) * time.Millisecond
				return stages.StageFunc(func(ctx context.Context, b *backup.Backup, env stages.Env) (*backup.Backup, error) {
					select {
					case <-time.After(d):
						return b, nil
					case <-ctx.Done():
						return nil, ctx.Err()
					}
				}), nil
			}},
		&stages.Spec{Name: "count", Summary: "Report moodle.xml's size once read.", Input: stages.KindAny, Output: stages.KindAny,
			New: func(map[string]any) (stages.Stage, error) {
				return stages.StageFunc(func(ctx context.Context, b *backup.Backup, env stages.Env) (*backup.Backup, error) {
					e := b.Entry("moodle.xml")
					b.SetEntry(e.Replace(-1, func() (io.ReadCloser, error) {
						rc, err := e.Open()
						if err != nil {
							return nil, err
						}
						return &countReader{rc: rc, sink: env.Report}, nil
					}))
					return b, nil
				}), nil
			}},
		&stages.Spec{Name: "zipout", Summary: "Write a zip.", Input: stages.KindAny, Output: stages.KindAny, Terminal: true,
			New: func(map[string]any) (stages.Stage, error) { return zipOut{}, nil }},
	)
	if err != nil {
		panic(err)
	}
	return r
}

// b0 wraps one entry as a backup for readMain.
func b0(e *backup.Entry) *backup.Backup { return &backup.Backup{Entries: []*backup.Entry{e}} }

// zipOut is a stand-in terminal stage: a deterministic zip of the entries.
type zipOut struct{}

func (zipOut) Ext() string { return ".zip" }

func (zipOut) Apply(ctx context.Context, b *backup.Backup, env stages.Env) (*backup.Backup, error) {
	zw := zip.NewWriter(env.Output)
	for _, e := range b.Entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return nil, err
		}
		rc, err := e.Open()
		if err != nil {
			return nil, err
		}
		_, err = io.Copy(w, rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
	}
	return b, zw.Close()
}

// writeZip writes a zip holding files (name -> contents).
func writeZip(t testing.TB, path string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, _ := zw.Create(n)
		io.WriteString(w, files[n])
	}
	zw.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// plan loads a pipeline from YAML against the stand-in registry.
func plan(t testing.TB, src string) *Plan {
	t.Helper()
	p, err := Load(standinRegistry(), "test.yaml", []byte(src), Vars{})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := Compile(p)
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// tree lists every file under dir (slash paths, relative) with its bytes.
func tree(t testing.TB, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			b, _ := os.ReadFile(p)
			m[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return m
}

// outputs is tree without the state folder.
func outputs(t testing.TB, dir string) map[string]string {
	m := tree(t, dir)
	for k := range m {
		if strings.HasPrefix(k, StateDir+"/") {
			delete(m, k)
		}
	}
	return m
}

// collect is an Observer that keeps results and the summary.
type collect struct {
	Observers
	mu       chan struct{}
	results  map[string]*Result
	findings []report.Finding
	summary  *Summary
}

func newCollect() *collect {
	c := &collect{mu: make(chan struct{}, 1), results: map[string]*Result{}}
	return c
}
func (c *collect) lock()   { c.mu <- struct{}{} }
func (c *collect) unlock() { <-c.mu }
func (c *collect) Finding(f report.Finding) {
	c.lock()
	c.findings = append(c.findings, f)
	c.unlock()
}
func (c *collect) JobDone(in Input, r *Result) {
	c.lock()
	c.results[in.Key] = r
	c.unlock()
}
func (c *collect) BatchDone(s *Summary) { c.summary = s }

func factsWith(short, id string) backup.Facts { return backup.Facts{ShortName: short, CourseID: id} }

// countReader reports how many bytes went through it at EOF: a streaming
// stage, whose findings exist only once the bytes flow.
type countReader struct {
	rc   io.ReadCloser
	n    int
	sink report.Sink
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.n += n
	if err == io.EOF {
		c.sink.Add(report.Finding{Code: "test.count", Severity: report.Info, Message: fmt.Sprint(c.n)})
	}
	return n, err
}

func (c *countReader) Close() error { return c.rc.Close() }
