package pipelines

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/moodlemig/moodlemig/backup"
)

const upperPipeline = `
name: test
stages: [upper, boom, zipout]
`

// unzipMain returns moodle.xml from zip bytes.
func unzipMain(t *testing.T, data string) string {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "moodle.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatal("no moodle.xml in output")
	return ""
}

// mixedInputs writes good, corrupt and panicking archives.
func mixedInputs(t *testing.T, dir string) {
	for _, n := range []string{"a", "b", "sub/c"} {
		writeZip(t, filepath.Join(dir, n+".zip"), map[string]string{"moodle.xml": "<course>" + n + "</course>", "files/x.txt": "x"})
	}
	writeZip(t, filepath.Join(dir, "panic.zip"), map[string]string{"moodle.xml": "<PANIC/>"})
	writeZip(t, filepath.Join(dir, "fails.zip"), map[string]string{"moodle.xml": "<FAIL/>"})
	good := filepath.Join(dir, "a.zip")
	data, _ := os.ReadFile(good)
	os.WriteFile(filepath.Join(dir, "corrupt.zip"), data[:len(data)/2], 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not a backup"), 0o644)
}

func TestBatchMixed(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	mixedInputs(t, in)
	inputs, err := ExpandInputs([]string{in}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 6 {
		t.Fatalf("%d inputs, want 6 (notes.txt is no backup): %+v", len(inputs), inputs)
	}
	var js bytes.Buffer
	c := newCollect()
	b := &Batch{Plan: plan(t, upperPipeline), OutDir: out, Jobs: 3, Open: zipOpen, Observer: Observers{c, NewJSONLines(&js)}}
	sum, err := b.Run(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if sum.OK != 3 || sum.Failed != 3 || sum.Skipped != 0 || sum.Total != 6 {
		t.Errorf("summary ok/failed/skipped/total = %d/%d/%d/%d, want 3/3/0/6", sum.OK, sum.Failed, sum.Skipped, sum.Total)
	}
	if sum.Findings["test.upper"] != 5 || sum.Findings["pipeline.panic"] != 1 {
		t.Errorf("findings %v, want test.upper=5 (all but corrupt) pipeline.panic=1", sum.Findings)
	}
	got := outputs(t, out)
	want := map[string]string{"a.zip": "<COURSE>A</COURSE>", "b.zip": "<COURSE>B</COURSE>", "sub/c.zip": "<COURSE>SUB/C</COURSE>"}
	if len(got) != len(want) {
		t.Errorf("outputs %v, want exactly %v", keys(got), keys(want))
	}
	for name, main := range want {
		if data, ok := got[name]; !ok {
			t.Errorf("missing output %s", name)
		} else if m := unzipMain(t, data); m != main {
			t.Errorf("%s: moodle.xml %q, want %q", name, m, main)
		}
	}
	for name := range want {
		st, err := os.Stat(filepath.Join(out, filepath.FromSlash(name)))
		if err != nil {
			t.Errorf("stat output: %v", err)
		} else if st.Mode().Perm() != backup.OutputMode {
			t.Errorf("%s: mode %v, want %v", name, st.Mode().Perm(), backup.OutputMode)
		}
	}
	// No partial files: only the journal remains in the state folder.
	for name := range tree(t, out) {
		if strings.HasPrefix(name, StateDir+"/") && name != StateDir+"/journal.jsonl" {
			t.Errorf("leftover %s", name)
		}
	}
	p := c.results[filepath.ToSlash(filepath.Join(in, "panic.zip"))]
	if p == nil || p.Status != StatusFailed || !p.Panic || p.Stage != "boom" || !strings.Contains(p.Error, "panic: runtime error: index out of range") {
		t.Errorf("panic result %+v", p)
	}
	cr := c.results[filepath.ToSlash(filepath.Join(in, "corrupt.zip"))]
	if cr == nil || cr.Status != StatusFailed || cr.Stage != "open" || !strings.Contains(cr.Error, "corrupt.zip") {
		t.Errorf("corrupt result %+v", cr)
	}
	// JSON lines: findings, one result per archive, the summary last.
	var types []string
	results := 0
	sc := bufio.NewScanner(&js)
	for sc.Scan() {
		var v struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			t.Fatalf("bad JSON line %s: %v", sc.Text(), err)
		}
		types = append(types, v.Type)
		if v.Type == "result" {
			results++
		}
	}
	if results != 6 || types[len(types)-1] != "summary" {
		t.Errorf("JSON lines: %d results (want 6), last %q (want summary)", results, types[len(types)-1])
	}
}

func keys(m map[string]string) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	return k
}

func TestBatchNeverOverwrites(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	writeZip(t, filepath.Join(in, "a.zip"), map[string]string{"moodle.xml": "a"})
	os.WriteFile(filepath.Join(out, "a.zip"), []byte("precious"), 0o644)
	inputs, _ := ExpandInputs([]string{in}, nil)
	run := func(mod func(*Batch)) *Summary {
		b := &Batch{Plan: plan(t, upperPipeline), OutDir: out, Jobs: 1, Open: zipOpen}
		mod(b)
		s, err := b.Run(context.Background(), inputs)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := run(func(*Batch) {}); s.Failed != 1 {
		t.Errorf("existing output: failed=%d, want 1", s.Failed)
	}
	if s := run(func(b *Batch) { b.DryRun = true }); s.Failed != 1 {
		t.Errorf("dry run of existing output: failed=%d, want 1", s.Failed)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "a.zip")); string(b) != "precious" {
		t.Fatalf("existing output overwritten: %q", b)
	}
	if s := run(func(b *Batch) { b.Overwrite = true }); s.OK != 1 {
		t.Errorf("--overwrite: ok=%d, want 1", s.OK)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "a.zip")); unzipMain(t, string(b)) != "A" {
		t.Errorf("--overwrite did not replace the output")
	}
}

func TestBatchDryRunWritesNothing(t *testing.T) {
	in, out := t.TempDir(), filepath.Join(t.TempDir(), "out")
	mixedInputs(t, in)
	inputs, _ := ExpandInputs([]string{in}, nil)
	c := newCollect()
	b := &Batch{Plan: plan(t, upperPipeline), OutDir: out, Jobs: 2, Open: zipOpen, DryRun: true, Observer: c}
	s, err := b.Run(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if s.OK != 3 || s.Failed != 3 || s.BytesOut == 0 {
		t.Errorf("dry run ok=%d failed=%d bytes out=%d, want 3, 3, > 0", s.OK, s.Failed, s.BytesOut)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("dry run created the output folder: %v", err)
	}
	if r := c.results[filepath.ToSlash(filepath.Join(in, "sub/c.zip"))]; r == nil || r.Output != "sub/c.zip" {
		t.Errorf("dry run result %+v, want output sub/c.zip", r)
	}
}

func TestBatchFailBatch(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	for _, n := range []string{"1", "2", "3", "4"} {
		body := "ok"
		if n == "2" {
			body = "FAIL"
		}
		writeZip(t, filepath.Join(in, n+".zip"), map[string]string{"moodle.xml": body})
	}
	inputs, _ := ExpandInputs([]string{in}, nil)
	b := &Batch{Plan: plan(t, "stages: [boom, zipout]\non-error: fail-batch\n"), OutDir: out, Jobs: 1, Open: zipOpen}
	s, err := b.Run(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if s.OK != 1 || s.Failed != 1 || s.Skipped != 2 || s.Interrupted != 2 || !strings.Contains(s.Stopped, "fail-batch") {
		t.Errorf("summary %+v, want 1 ok, 1 failed, 2 not started, stopped by fail-batch", s)
	}
}

func TestBatchInterruptAndAbort(t *testing.T) {
	in := t.TempDir()
	for i := 0; i < 6; i++ {
		writeZip(t, filepath.Join(in, string(rune('a'+i))+".zip"), map[string]string{"moodle.xml": "x"})
	}
	inputs, _ := ExpandInputs([]string{in}, nil)
	src := "stages: [slow: {ms: 300}, zipout]\n"

	t.Run("first Ctrl-C finishes running jobs", func(t *testing.T) {
		out := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		c := newCollect()
		b := &Batch{Plan: plan(t, src), OutDir: out, Jobs: 2, Open: zipOpen, Observer: c}
		time.AfterFunc(100*time.Millisecond, cancel)
		s, err := b.Run(ctx, inputs)
		if err != nil {
			t.Fatal(err)
		}
		if s.OK != 2 || s.Interrupted != 4 || s.Stopped != "interrupted" {
			t.Errorf("summary ok=%d interrupted=%d stopped=%q, want 2, 4, interrupted", s.OK, s.Interrupted, s.Stopped)
		}
		if n := len(outputs(t, out)); n != 2 {
			t.Errorf("%d outputs, want the 2 that were running", n)
		}
	})
	t.Run("second Ctrl-C aborts, leaves nothing partial, resume finishes", func(t *testing.T) {
		out := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		abort, abortNow := context.WithCancel(context.Background())
		b := &Batch{Plan: plan(t, src), OutDir: out, Jobs: 2, Open: zipOpen, Abort: abort}
		time.AfterFunc(100*time.Millisecond, func() { cancel(); abortNow() })
		s, err := b.Run(ctx, inputs)
		if err != nil {
			t.Fatal(err)
		}
		if s.OK != 0 || s.Failed != 2 {
			t.Errorf("abort: ok=%d failed=%d, want 0, 2", s.OK, s.Failed)
		}
		if got := tree(t, out); len(got) != 1 {
			t.Errorf("after abort: files %v, want only the journal", keys(got))
		}
		b = &Batch{Plan: plan(t, "stages: [zipout]\n"), OutDir: out, Jobs: 2, Open: zipOpen, Resume: true}
		if s, err = b.Run(context.Background(), inputs); err != nil || s.OK != 6 {
			t.Errorf("resume after abort: %+v %v, want 6 ok (aborted archives are not recorded as failed)", s, err)
		}
	})
}

func TestResumeAndRetryFailed(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	mixedInputs(t, in)
	inputs, _ := ExpandInputs([]string{in}, nil)
	run := func(mod func(*Batch)) *Summary {
		b := &Batch{Plan: plan(t, upperPipeline), OutDir: out, Jobs: 2, Open: zipOpen, Resume: true}
		mod(b)
		s, err := b.Run(context.Background(), inputs)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	first := run(func(b *Batch) { b.Resume = false })
	before := outputs(t, out)
	s := run(func(*Batch) {})
	if s.OK != 0 || s.Skipped != 3 || s.Failed != 3 {
		t.Errorf("resume: %d ok %d skipped %d failed, want 0/3/3 (failures stay failed)", s.OK, s.Skipped, s.Failed)
	}
	// A damaged output is redone; a removed one too.
	os.WriteFile(filepath.Join(out, "b.zip"), []byte("damaged"), 0o644)
	os.Remove(filepath.Join(out, "a.zip"))
	s = run(func(b *Batch) { b.Overwrite = true })
	if s.OK != 2 || s.Skipped != 1 {
		t.Errorf("resume with damaged outputs: ok=%d skipped=%d, want 2, 1", s.OK, s.Skipped)
	}
	if d := cmp.Diff(before, outputs(t, out)); d != "" {
		t.Errorf("outputs differ from the first run:\n%s", d)
	}
	// Retry the failed: fix one of them first.
	writeZip(t, filepath.Join(in, "fails.zip"), map[string]string{"moodle.xml": "fixed"})
	s = run(func(b *Batch) { b.RetryFailed = true })
	if s.OK != 1 || s.Failed != 2 || s.Skipped != 3 {
		t.Errorf("--retry-failed: ok=%d failed=%d skipped=%d, want 1/2/3", s.OK, s.Failed, s.Skipped)
	}
	_ = first
}

func TestOutputName(t *testing.T) {
	pl := plan(t, "stages: [zipout]\noutput: \"{dir}{shortname}-{courseid}-{name}{ext}\"\n")
	in := Input{Path: "/x/2019/Course 1.tar.gz", Dir: "2019/"}
	got, err := pl.OutputName(in, factsWith("MATH/101 ", "42"))
	if err != nil || got != "2019/MATH_101-42-Course 1.zip" {
		t.Errorf("OutputName = %q, %v", got, err)
	}
	got, _ = pl.OutputName(Input{Path: "c.mbz"}, factsWith("", ""))
	if got != "c-0-c.zip" {
		t.Errorf("OutputName without facts = %q", got)
	}
	short := plan(t, "stages: [zipout]\noutput: \"{shortname}\"\n")
	if got, err := short.OutputName(Input{Path: "x.zip"}, factsWith("../..", "")); err != nil || got != "_.._" && strings.Contains(got, "/") {
		t.Errorf("shortname ../.. gave %q, %v: must stay one safe file name", got, err)
	}
	empty := plan(t, "stages: [zipout]\noutput: \"{dir}\"\n")
	if got, err := empty.OutputName(Input{Path: "x.zip"}, factsWith("", "")); err == nil {
		t.Errorf("empty output name %q accepted", got)
	}
}

// TestResumeAfterRefusedOverwrite: a run that refused to overwrite an
// output must not make --resume forget that the output is done.
func TestResumeAfterRefusedOverwrite(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	writeZip(t, filepath.Join(in, "a.zip"), map[string]string{"moodle.xml": "a"})
	inputs, _ := ExpandInputs([]string{in}, nil)
	run := func(resume bool) *Summary {
		b := &Batch{Plan: plan(t, upperPipeline), OutDir: out, Jobs: 1, Open: zipOpen, Resume: resume}
		s, err := b.Run(context.Background(), inputs)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := run(false); s.OK != 1 {
		t.Fatalf("first run ok=%d", s.OK)
	}
	if s := run(false); s.Failed != 1 {
		t.Fatalf("second run without --resume: failed=%d, want 1 (exists)", s.Failed)
	}
	if s := run(true); s.Skipped != 1 || s.Failed != 0 {
		t.Errorf("--resume after the refusal: skipped=%d failed=%d, want 1, 0", s.Skipped, s.Failed)
	}
}

// TestBatchNameCollision: two inputs of one batch that the template gives
// the same name: one is written, the other fails naming both.
func TestBatchNameCollision(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	writeZip(t, filepath.Join(in, "x/course.zip"), map[string]string{"moodle.xml": "1"})
	writeZip(t, filepath.Join(in, "y/course.zip"), map[string]string{"moodle.xml": "2"})
	inputs, _ := ExpandInputs([]string{in}, nil)
	for _, dry := range []bool{true, false} {
		c := newCollect()
		b := &Batch{Plan: plan(t, "stages: [zipout]\noutput: \"{name}{ext}\"\n"), OutDir: out, Jobs: 1, Open: zipOpen, DryRun: dry, Observer: c}
		s, err := b.Run(context.Background(), inputs)
		if err != nil {
			t.Fatal(err)
		}
		if s.OK != 1 || s.Failed != 1 {
			t.Fatalf("dry=%v: ok=%d failed=%d, want 1, 1", dry, s.OK, s.Failed)
		}
		r := c.results[filepath.ToSlash(filepath.Join(in, "y/course.zip"))]
		if r == nil || !strings.Contains(r.Error, "is also the output of "+filepath.ToSlash(filepath.Join(in, "x/course.zip"))) {
			t.Errorf("dry=%v: result %+v, want a collision naming x/course.zip", dry, r)
		}
	}
}

// TestBatchWithoutWrite: a pipeline that only checks still streams its
// stages, so their findings are reported, and writes nothing.
func TestBatchWithoutWrite(t *testing.T) {
	in, out := t.TempDir(), t.TempDir()
	writeZip(t, filepath.Join(in, "a.zip"), map[string]string{"moodle.xml": "12345"})
	inputs, _ := ExpandInputs([]string{in}, nil)
	c := newCollect()
	s, err := (&Batch{Plan: plan(t, "stages: [count]\n"), OutDir: out, Jobs: 1, Open: zipOpen, Observer: c}).Run(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if s.OK != 1 || s.Findings["test.count"] != 1 || len(c.findings) != 1 || c.findings[0].Message != "5" {
		t.Errorf("summary %+v, findings %+v: want the stream read once (5 bytes)", s, c.findings)
	}
	if got := outputs(t, out); len(got) != 0 {
		t.Errorf("outputs %v, want none", keys(got))
	}
}
