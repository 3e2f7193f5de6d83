package stages

import (
	"context"
	"fmt"
	"io"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/repair"
)

// RepairHTMLSpec declares the repair-html stage: rebuild HTML whose '<', '>',
// '"' and '&' were stripped by the libxml2 2.7.x bug.
func RepairHTMLSpec() *Spec {
	return &Spec{
		Name:    "repair-html",
		Summary: "rebuild HTML whose <, >, \" and & were stripped by the libxml2 2.7 bug (\"Restoring a course results in broken HTML tags\")",
		Doc: `A course restored on a site running libxml2 2.7.0–2.7.2 (or 2.7.3 with PHP
< 5.2.9) lost every &lt; &gt; &amp; &quot; of its texts: "<p>Hello</p>" was stored
as "pHello/p", and every later backup carries the damage. This stage streams
moodle.xml and, field by field (course, section and activity texts, posts,
glossary entries, questions, ...), scores how sure it is that the text was
damaged this way and rebuilds it: tags of a closed list of HTML elements,
attribute values quoted again (their end is read from each attribute's
grammar: URL, number, CSS, colour, ...), and entities whose & was lost
(nbsp; → &nbsp;). Fields that still hold <, >, " or & are never touched, so
the stage is idempotent.

A field scoring below min-confidence is left as it is and reported
(html.low-confidence, with the score and the first spot); with
on-doubt: fail the archive fails instead, naming the field. A literal
<, >, " or & that was text (not markup) cannot be recovered. Findings:
html.repaired (one per field, with the first change and the number of tags
and entities rebuilt), html.low-confidence, html.oversize.`,
		Options: []Option{
			{Name: "min-confidence", Type: Float, Default: repair.DefaultMinConfidence, Min: 0, Max: 1,
				Doc: "The least confidence (0–1) at which a damaged field is rebuilt; lower it to rebuild more fields with more risk."},
			{Name: "on-doubt", Type: Enum, Default: "report", Values: []string{"report", "fail"},
				Doc: "What to do with a field that looks damaged but scores below min-confidence: report it and keep it, or fail the archive."},
			{Name: "max-field", Type: Int, Default: repair.DefaultMaxField, Min: 1024, Max: 1 << 30,
				Doc: "The largest field (bytes) looked at; longer fields pass through untouched and are reported. Bounds memory."},
			{Name: "parallel", Type: Enum, Default: "auto", Values: []string{"auto", "always", "never"},
				Doc: "Rebuild fields on a second core as well (same output and findings; about 1.5× faster on a heavily damaged moodle.xml). auto: when the job has a core to spare (fewer jobs than cores) and moodle.xml is 16 MB or more."},
		},
		Input:  backup.Moodle1,
		Output: KindAny,
		New: func(opts map[string]any) (Stage, error) {
			return &repairHTMLStage{
				min:      opts["min-confidence"].(float64),
				fail:     opts["on-doubt"].(string) == "fail",
				maxField: opts["max-field"].(int),
				parallel: opts["parallel"].(string),
			}, nil
		},
	}
}

type repairHTMLStage struct {
	min      float64
	fail     bool
	maxField int
	parallel string // auto, always, never
}

func (s *repairHTMLStage) Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b.Facts.Kind != backup.Moodle1 {
		return nil, fmt.Errorf("repair-html needs a 1.x backup (moodle.xml); %s is %q", b.Path, b.Facts.Kind)
	}
	e := b.Main()
	if e == nil {
		return nil, fmt.Errorf("repair-html %s: no moodle.xml found", b.Path)
	}
	sink := newPassSink(env.Report, e.Name)
	prev := e
	what := "repair-html " + b.Path + ":" + prev.Name
	parallel := useSecondCore(s.parallel, env.Cores, e.Size)
	b.SetEntry(e.Replace(-1, func() (io.ReadCloser, error) {
		rc, err := prev.Open()
		if err != nil {
			return nil, err
		}
		pass := sink.pass()
		h := repair.NewHTMLReader(rc, repair.HTMLStreamOptions{
			HTMLOptions: repair.HTMLOptions{MinConfidence: s.min},
			MaxField:    s.maxField,
			Report:      pass,
			Parallel:    parallel,
		})
		var r io.Reader = h
		if s.fail {
			r = &doubtGate{h: h, what: what}
		}
		return pass.wrap(ctx, r, closeBoth{h, rc}, what), nil
	}))
	return b, nil
}

// doubtGate fails the read at the end when some field was left alone for
// lack of confidence (on-doubt: fail).
type doubtGate struct {
	h    *repair.HTMLReader
	what string
}

func (g *doubtGate) Read(p []byte) (int, error) {
	n, err := g.h.Read(p)
	if err == io.EOF {
		if st := g.h.Stats(); st.LowConfidence > 0 {
			f := st.FirstLow
			return n, fmt.Errorf("%d field(s) look damaged by the libxml2 2.7 bug but scored below min-confidence (first at line %d, column %d, %s: %q); lower min-confidence to rebuild them or set on-doubt: report to keep them as they are",
				st.LowConfidence, f.Line, f.Column, f.Path, f.Before)
		}
	}
	return n, err
}

// parallelMin is the size of moodle.xml from which parallel: auto uses a
// second core (smaller ones are done before it pays).
const parallelMin = 16 << 20

// useSecondCore decides the parallel option for a job with cores cores
// and a moodle.xml of size bytes (-1: unknown, taken as big).
func useSecondCore(mode string, cores int, size int64) bool {
	switch mode {
	case "always":
		return true
	case "auto":
		return cores >= 2 && (size < 0 || size >= parallelMin)
	}
	return false
}

// closeBoth closes a and then b (a filter before its source).
type closeBoth struct{ a, b io.Closer }

func (c closeBoth) Close() error {
	errA := c.a.Close()
	if err := c.b.Close(); err != nil {
		return err
	}
	return errA
}
