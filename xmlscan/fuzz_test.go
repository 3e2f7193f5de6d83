package xmlscan

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// FuzzScan checks, on any input: no panic; in diagnose mode the raw tokens
// rebuild the input exactly and errors come in offset order; strict mode
// fails exactly when diagnose mode reports something, at the first error;
// tiny buffers give the same errors and text.
func FuzzScan(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("<A>x\x0By&#11;&nbsp;< </B>"))
	f.Add([]byte("\xEF\xBB\xBF<?xml version='1.0'?><!DOCTYPE a [<!ENTITY x 'y'>]><a b='&lt;'/><!--c-->"))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 1<<16 {
			return
		}
		diag := scanAll(bytes.NewReader(in), Options{}, true)
		if diag.err != nil {
			t.Fatalf("diagnose mode stopped: %v", diag.err)
		}
		want := in
		if bytes.HasPrefix(in, []byte("\xEF\xBB\xBF")) {
			want = in[3:]
		}
		if !bytes.Equal(diag.raw, want) {
			t.Fatalf("raw tokens %q do not rebuild input %q", diag.raw, want)
		}
		strict := scanAll(bytes.NewReader(in), Options{}, false)
		if (strict.err == nil) != (len(diag.errs) == 0) {
			t.Fatalf("strict err %v, diagnose errs %v", strict.err, diag.errs)
		}
		if strict.err != nil {
			se := strict.err.(*SyntaxError)
			if got := se.Kind.String() + "@" + itoa(se.Pos.Offset); got != diag.errs[0] {
				t.Fatalf("strict error %s, first diagnose error %s", got, diag.errs[0])
			}
		}
		small := scanAll(iotest.HalfReader(bytes.NewReader(in)), Options{BufferSize: 16, MaxTokenSize: 1 << 17}, true)
		if d := cmp.Diff(diag.errs, small.errs); d != "" {
			t.Fatalf("small buffer errors differ:\n%s", d)
		}
		if d := cmp.Diff(merge(diag.toks), merge(small.toks)); d != "" {
			t.Fatalf("small buffer tokens differ:\n%s", d)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
