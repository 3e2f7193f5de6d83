package report

import (
	"sync"
	"testing"
)

func TestReportKeepsFirstNPerCodeAndCountsAll(t *testing.T) {
	r := New(2)
	for i := 0; i < 5; i++ {
		r.Add(Finding{Code: "a", Severity: Info, Line: i})
	}
	r.Add(Finding{Code: "b", Severity: Warning})
	if got := len(r.Findings()); got != 3 {
		t.Errorf("kept %d findings, want 3 (2 of a, 1 of b)", got)
	}
	if r.Count("a") != 5 || r.Count("b") != 1 {
		t.Errorf("counts %v, want a=5 b=1", r.Counts())
	}
	if r.Worst() != Warning {
		t.Errorf("worst %q, want warning", r.Worst())
	}
	if codes := r.Codes(); len(codes) != 2 || codes[0] != "a" || codes[1] != "b" {
		t.Errorf("codes %v", codes)
	}
}

func TestReportForwardsEveryFinding(t *testing.T) {
	r := New(1)
	fw := New(100)
	r.Forward(fw)
	for i := 0; i < 3; i++ {
		r.Add(Finding{Code: "x"})
	}
	if len(fw.Findings()) != 3 {
		t.Errorf("forwarded %d, want 3 (beyond maxPerCode too)", len(fw.Findings()))
	}
}

func TestScopedFillsOnlyMissingFields(t *testing.T) {
	r := New(0)
	s := Scoped(r, "clean-xml", "a.zip", "moodle.xml")
	s.Add(Finding{Code: "x"})
	s.Add(Finding{Code: "y", Entry: "other.xml"})
	f := r.Findings()
	if f[0].Stage != "clean-xml" || f[0].Archive != "a.zip" || f[0].Entry != "moodle.xml" {
		t.Errorf("scoped %+v", f[0])
	}
	if f[1].Entry != "other.xml" {
		t.Errorf("scoped overwrote the entry: %+v", f[1])
	}
}

func TestFindingString(t *testing.T) {
	f := Finding{Code: "xml.invalid-char", Severity: Warning, Archive: "a.zip", Entry: "moodle.xml",
		Line: 3, Column: 7, Path: "MOODLE_BACKUP/INFO", Message: "removed U+000B", Before: "a\vb", After: "ab"}
	want := `warning xml.invalid-char at a.zip:moodle.xml:3:7 (MOODLE_BACKUP/INFO): removed U+000B ["a\vb" -> "ab"]`
	if got := f.String(); got != want {
		t.Errorf("String()\n got %s\nwant %s", got, want)
	}
}

func TestReportConcurrentAdd(t *testing.T) {
	r := New(10)
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000; i++ {
				r.Add(Finding{Code: "c"})
			}
		}()
	}
	wg.Wait()
	if r.Count("c") != 8000 || len(r.Findings()) != 10 {
		t.Errorf("count %d kept %d, want 8000 and 10", r.Count("c"), len(r.Findings()))
	}
}

func TestKeeps(t *testing.T) {
	r := New(2)
	s := Scoped(r, "st", "a.zip", "e.xml")
	for i := 0; i < 2; i++ {
		if !Keeps(r, "a") || !Keeps(s, "a") {
			t.Fatalf("after %d findings of a (max 2): Keeps false, want true", i)
		}
		s.Add(Finding{Code: "a"})
	}
	if Keeps(r, "a") || Keeps(s, "a") {
		t.Errorf("after 2 findings of a (max 2): Keeps true, want false (only counted now)")
	}
	if !Keeps(r, "b") {
		t.Errorf("Keeps(b) false with no finding of b")
	}
	if Keeps(nil, "a") {
		t.Errorf("Keeps(nil) true: a nil sink keeps nothing")
	}
	var all []Finding
	if !Keeps(sinkFunc(func(f Finding) { all = append(all, f) }), "a") {
		t.Errorf("Keeps false for a sink that is not a Keeper")
	}
	r.Forward(New(100))
	if !Keeps(r, "a") || !Keeps(s, "a") {
		t.Errorf("Keeps false with a forward sink, which receives every finding")
	}
}

type sinkFunc func(Finding)

func (f sinkFunc) Add(x Finding) { f(x) }
