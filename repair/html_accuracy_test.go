package repair

import (
	"flag"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var accuracyFields = flag.Int("accuracy-fields", 3000, "number of generated fields in TestRepairHTMLAccuracy")

var showMisses = flag.Int("show-misses", 5, "misses to log in TestRepairHTMLAccuracy")

var tagRE = regexp.MustCompile(`<[^<>]*>`)

// accuracy holds the numbers of one accuracy run.
type accuracy struct {
	fields, damaged, exact, untouched, recoverable, exactRecoverable int
	undamaged, undamagedChanged                                      int
	tagsClean, tagsOut, tagsMatched                                  int
	misses                                                           []string
	reasons                                                          map[string]int
}

// traceDoubts returns why the rebuild of d doubted, as "reason: context".
func traceDoubts(d string) []string {
	var why []string
	r := rebuilder{d: d}
	r.trace = func(what string, at int, x float64) {
		lo, hi := max(at-25, 0), min(at+25, len(d))
		why = append(why, what+" @ "+strings.ReplaceAll(d[lo:hi], "\n", "⏎"))
	}
	r.run()
	return why
}

// score repairs the damaged twin of every clean field and compares.
func score(fields []string, opts HTMLOptions) accuracy {
	var a accuracy
	for _, h := range fields {
		a.fields++
		d := DamageLibxml2(h)
		out, _, _ := RepairHTMLField(d, opts)
		if d == h {
			a.undamaged++
			if out != d {
				a.undamagedChanged++
				a.misses = append(a.misses, "UNDAMAGED CHANGED\n  H="+h+"\n  R="+out)
			}
			continue
		}
		a.damaged++
		rec := recoverable(h)
		if rec {
			a.recoverable++
		}
		if out == h {
			a.exact++
			if rec {
				a.exactRecoverable++
			}
		} else {
			if out == d {
				a.untouched++
				if a.reasons == nil {
					a.reasons = map[string]int{}
				}
				for _, w := range traceDoubts(d) {
					a.reasons[strings.SplitN(w, " @ ", 2)[0]]++
					if testing.Verbose() && len(a.reasons) < 400 {
						a.misses = append(a.misses, "DOUBT "+w)
					}
				}
			}
			a.misses = append(a.misses, "H="+h+"\n  D="+d+"\n  R="+out)
		}
		want := tagRE.FindAllString(h, -1)
		got := tagRE.FindAllString(out, -1)
		a.tagsClean += len(want)
		a.tagsOut += len(got)
		a.tagsMatched += multisetMatch(want, got)
	}
	return a
}

// recoverable reports whether every deleted character of h can be known in
// principle: it sits in markup or in an entity, not as a literal '"', '&',
// '<' or '>' in the text.
func recoverable(h string) bool {
	text := tagRE.ReplaceAllString(h, "")
	return !strings.Contains(text, `"`) && !strings.Contains(text, "<") && !strings.Contains(text, ">") &&
		!regexp.MustCompile(`&($|[^a-zA-Z#])`).MatchString(text)
}

func multisetMatch(want, got []string) int {
	m := map[string]int{}
	for _, w := range want {
		m[w]++
	}
	n := 0
	for _, g := range got {
		if m[g] > 0 {
			m[g]--
			n++
		}
	}
	return n
}

func (a accuracy) rates() (exact, exactRec, precision, recall float64) {
	exact = float64(a.exact) / float64(max(a.damaged, 1))
	exactRec = float64(a.exactRecoverable) / float64(max(a.recoverable, 1))
	precision = float64(a.tagsMatched) / float64(max(a.tagsOut, 1))
	recall = float64(a.tagsMatched) / float64(max(a.tagsClean, 1))
	return
}

// corpusSeed is the seed of the generated part of the accuracy corpus:
// 20260101, or the number in MOODLEMIG_HTML_SEED, so the accuracy can be
// checked on other corpora than the one the repair was tuned on.
func corpusSeed() uint64 {
	if s := os.Getenv("MOODLEMIG_HTML_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			panic("MOODLEMIG_HTML_SEED: " + err.Error())
		}
		return n
	}
	return 20260101
}

// corpus returns the accuracy corpus: the hand-written fields and n
// generated ones.
func corpus(n int) []string {
	g := newCorpusGen(corpusSeed())
	fields := append([]string(nil), handCorpus...)
	for len(fields) < n+len(handCorpus) {
		fields = append(fields, g.field())
	}
	return fields
}

// TestRepairHTMLAccuracy is the benchmark-style accuracy test of the issue:
// at least 2,000 well-formed HTML fields are damaged as repairs.md §3.2 says,
// repaired at the default confidence, and scored. It fails when a target is
// missed: ≥ 97% exact field match on damaged fields, ≥ 99.5% tag recall, no
// change to undamaged fields.
func TestRepairHTMLAccuracy(t *testing.T) {
	fields := corpus(*accuracyFields)
	a := score(fields, HTMLOptions{})
	exact, exactRec, precision, recall := a.rates()
	for i, m := range a.misses {
		if i == *showMisses {
			break
		}
		t.Logf("miss: %s", m)
	}
	t.Logf("doubt reasons in untouched fields: %v", a.reasons)
	t.Logf("repair-html accuracy: seed=%d fields=%d damaged=%d exact=%.2f%% (recoverable %d: %.2f%%) left-untouched=%d tag-precision=%.3f%% tag-recall=%.3f%% undamaged=%d changed=%d",
		corpusSeed(), a.fields, a.damaged, 100*exact, a.recoverable, 100*exactRec, a.untouched, 100*precision, 100*recall, a.undamaged, a.undamagedChanged)
	if a.fields < 2000 {
		t.Errorf("only %d fields; the issue asks for at least 2,000", a.fields)
	}
	if exact < 0.97 {
		t.Errorf("exact field match %.2f%% < 97%%", 100*exact)
	}
	if recall < 0.995 {
		t.Errorf("tag recall %.3f%% < 99.5%%", 100*recall)
	}
	if a.undamagedChanged != 0 {
		t.Errorf("%d undamaged fields changed; want 0", a.undamagedChanged)
	}
}
