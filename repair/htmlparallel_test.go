package repair

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/moodlemig/moodlemig/report"
)

// TestParallelSameAsOneCore streams generated documents with 5%, 50% and
// 100% of their HTML fields damaged through repair-html on one core and on
// two, read whole and in odd pieces: output, findings and counts are
// identical.
func TestParallelSameAsOneCore(t *testing.T) {
	size := int64(4 << 20)
	if testing.Short() {
		size = 1 << 20
	}
	for _, pct := range []int{5, 50, 100} {
		doc, err := io.ReadAll(newDocReader(size, pct))
		if err != nil {
			t.Fatal(err)
		}
		run := func(parallel bool, wrap func(io.Reader) io.Reader, min float64) ([]byte, []report.Finding, HTMLStats) {
			rep := report.New(0)
			h := NewHTMLReader(wrap(bytes.NewReader(doc)), HTMLStreamOptions{Report: rep, Parallel: parallel,
				HTMLOptions: HTMLOptions{MinConfidence: min}})
			defer h.Close()
			out, err := io.ReadAll(h)
			if err != nil {
				t.Fatal(err)
			}
			if parallel && h.par.taken == 0 {
				t.Fatalf("%d%%: the second core rebuilt no field the reader used", pct)
			}
			return out, rep.Findings(), h.Stats()
		}
		for _, tc := range []struct {
			name string
			wrap func(io.Reader) io.Reader
			min  float64
		}{
			{"whole", func(r io.Reader) io.Reader { return r }, 0},
			{"half reads", iotest.HalfReader, 0},
			{"min-confidence 0.9", func(r io.Reader) io.Reader { return r }, 0.9},
		} {
			wantOut, wantF, wantS := run(false, tc.wrap, tc.min)
			gotOut, gotF, gotS := run(true, tc.wrap, tc.min)
			if !bytes.Equal(gotOut, wantOut) {
				t.Errorf("%d%% %s: output differs on two cores", pct, tc.name)
			}
			if len(gotF) != len(wantF) {
				t.Fatalf("%d%% %s: %d findings on two cores, %d on one", pct, tc.name, len(gotF), len(wantF))
			}
			for i := range wantF {
				if fmt.Sprint(gotF[i]) != fmt.Sprint(wantF[i]) {
					t.Fatalf("%d%% %s: finding %d differs:\n two: %v\n one: %v", pct, tc.name, i, gotF[i], wantF[i])
				}
			}
			if fmt.Sprint(gotS) != fmt.Sprint(wantS) && !(gotS.FirstLow != nil && wantS.FirstLow != nil && *gotS.FirstLow == *wantS.FirstLow) {
				t.Errorf("%d%% %s: stats %+v on two cores, %+v on one", pct, tc.name, gotS, wantS)
			}
			if pct == 100 && wantS.Repaired == 0 {
				t.Fatalf("%d%% %s: nothing repaired: the test proves nothing", pct, tc.name)
			}
		}
	}
}

// TestParallelCloseEarly stops reading half way: Close ends the worker.
func TestParallelCloseEarly(t *testing.T) {
	before := runtime.NumGoroutine()
	for i := 0; i < 10; i++ {
		h := NewHTMLReader(newDocReader(8<<20, 100), HTMLStreamOptions{Parallel: true})
		if _, err := io.ReadFull(h, make([]byte, 1<<20)); err != nil {
			t.Fatal(err)
		}
		h.Close()
		h.Close()
	}
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Fatalf("%d goroutines left after Close (had %d)", n, before)
	}
}

// TestParallelSourceError: an input error reaches the reader after the
// bytes before it, on two cores as on one.
func TestParallelSourceError(t *testing.T) {
	doc, _ := io.ReadAll(newDocReader(1<<20, 100))
	boom := fmt.Errorf("disk on fire")
	for _, parallel := range []bool{false, true} {
		h := NewHTMLReader(io.MultiReader(bytes.NewReader(doc[:len(doc)/2]), iotest.ErrReader(boom)), HTMLStreamOptions{Parallel: parallel})
		_, err := io.ReadAll(h)
		h.Close()
		if err != boom {
			t.Errorf("parallel=%v: err = %v, want %v", parallel, err, boom)
		}
	}
}

// TestParallelFilterError: a markup longer than the filter takes fails the
// stream at the same place, with the same error, on two cores as on one.
func TestParallelFilterError(t *testing.T) {
	doc, _ := io.ReadAll(newDocReader(2<<20, 100))
	i := bytes.Index(doc[len(doc)/2:], []byte("<MESSAGE>")) + len(doc)/2
	bad := append(append(append([]byte(nil), doc[:i]...), "<MESSAGE x=\""+strings.Repeat("y", maxMarkup+10)+"\">"...), doc[i:]...)
	var outs [2][]byte
	var errs [2]error
	for k, parallel := range []bool{false, true} {
		h := NewHTMLReader(bytes.NewReader(bad), HTMLStreamOptions{Parallel: parallel})
		outs[k], errs[k] = io.ReadAll(h)
		h.Close()
	}
	if errs[0] == nil || errs[1] == nil || errs[0].Error() != errs[1].Error() {
		t.Fatalf("errors differ or are missing:\n one: %v\n two: %v", errs[0], errs[1])
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Errorf("output before the error differs: %d bytes on one core, %d on two", len(outs[0]), len(outs[1]))
	}
}
