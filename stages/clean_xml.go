package stages

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/transform"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/repair"
	"github.com/moodlemig/moodlemig/report"
)

// CleanXMLSpec declares the clean-xml stage: make the main XML well-formed.
func CleanXMLSpec() *Spec {
	return &Spec{
		Name:    "clean-xml",
		Summary: "make moodle.xml well-formed XML (fixes \"XML error: not well-formed (invalid token)\") and report every change",
		Doc: `Streams the main XML once and repairs what makes it ill-formed, without
touching valid content (a well-formed file passes through byte for byte):

- characters XML 1.0 forbids (C0 controls but TAB/LF/CR, U+FFFE, U+FFFF) and
  references to them (&#11;) are deleted (mode: delete) or replaced (mode:
  replace, by U+FFFD or the replacement string);
- bytes that are not UTF-8: in a value with no UTF-8 at all they are legacy
  text (read as windows-1252, or as ISO-8859-1 for pre-1.6 backups so that
  transcode can recover them); a UTF-8 sequence cut at the end of a value is
  dropped; UTF-8 encoded surrogate pairs are joined; anything else becomes
  U+FFFD;
- a bare '&' becomes &amp;, a '<' in the text of a leaf element becomes
  &lt; (also unescaped HTML such as <p> inside a Moodle leaf), ']]>' in text
  becomes ']]&gt;'.

Every change is a finding (xml.invalid-char, xml.invalid-utf8,
xml.mixed-encoding, xml.truncated-utf8, xml.cesu8, xml.forbidden-ref,
xml.bare-ampersand, xml.stray-lt, xml.cdata-end) with line, column, byte
offset, element path and a before/after sample. Damage with no unambiguous
repair (mismatched or unclosed elements, broken tags, a declared encoding
other than UTF-8) fails the archive with its place (xml.not-well-formed).
Unlike the Atlassian XML Cleaner, which only strips, it says what it changed,
where, and how often.`,
		Options: []Option{
			{Name: "mode", Type: Enum, Default: "delete", Values: []string{"delete", "replace"},
				Doc: "What to do with a forbidden character: delete it, or replace it with the replacement string."},
			{Name: "replacement", Type: String, Default: "",
				Doc: "The replacement in mode replace, and for bytes that are not UTF-8 and are not legacy text; empty means U+FFFD."},
			{Name: "legacy", Type: Enum, Default: "auto", Values: []string{"auto", "windows-1252", "latin1"},
				Doc: "How to read non-UTF-8 bytes in a value with no UTF-8: auto is latin1 (as Moodle 1.5's utf8_encode, for transcode to finish) for pre-1.6 backups, else windows-1252."},
		},
		Input:  KindAny,
		Output: KindAny,
		New: func(opts map[string]any) (Stage, error) {
			o := repair.CleanOptions{Replacement: opts["replacement"].(string)}
			if opts["mode"].(string) == "replace" {
				o.Mode = repair.Replace
			}
			if _, err := repair.NewCleaner(o); err != nil {
				return nil, err
			}
			return &cleanXMLStage{opts: o, legacy: opts["legacy"].(string)}, nil
		},
	}
}

type cleanXMLStage struct {
	opts   repair.CleanOptions
	legacy string
}

func (s *cleanXMLStage) Apply(ctx context.Context, b *backup.Backup, env Env) (*backup.Backup, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e := b.Main()
	if e == nil {
		return nil, fmt.Errorf("clean-xml %s: no main XML (moodle.xml or moodle_backup.xml) found", b.Path)
	}
	opts := s.opts
	opts.Moodle = b.Facts.Kind == backup.Moodle1
	switch s.legacy {
	case "latin1":
		opts.Legacy = repair.Latin1Lift
	case "auto":
		if pre16(b.Facts) {
			opts.Legacy = repair.Latin1Lift
		}
	}
	sink := newPassSink(env.Report, e.Name)
	prev := e
	b.SetEntry(e.Replace(-1, func() (io.ReadCloser, error) {
		rc, err := prev.Open()
		if err != nil {
			return nil, err
		}
		o := opts
		pass := sink.pass()
		o.Report = pass
		c, err := repair.NewCleaner(o)
		if err != nil {
			rc.Close()
			return nil, err
		}
		return pass.wrap(ctx, transform.NewReader(rc, c), rc, "clean-xml "+b.Path+":"+prev.Name), nil
	}))
	return b, nil
}

// pre16 reports whether facts name a Moodle 1.5 or older backup.
func pre16(f backup.Facts) bool {
	v, err := strconv.ParseInt(strings.TrimSpace(f.BackupVersion), 10, 64)
	return err == nil && v <= 2005070500
}

// passSink reports the findings of a streaming stage once, however many
// times its entry is read: each read (a pass) reports only the findings
// beyond the input offset an earlier pass has already read past.
type passSink struct {
	s     report.Sink
	entry string
	mu    sync.Mutex
	hwm   int64 // input offset up to which findings were reported
}

func newPassSink(s report.Sink, entry string) *passSink {
	if s == nil {
		s = report.New(0)
	}
	return &passSink{s: report.Scoped(s, "", "", entry), entry: entry}
}

type pass struct {
	ps    *passSink
	start int64
}

func (ps *passSink) pass() *pass {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return &pass{ps: ps, start: ps.hwm}
}

// Add reports f unless an earlier pass already covered its offset.
func (p *pass) Add(f report.Finding) {
	if f.Offset < p.start {
		return
	}
	p.ps.s.Add(f)
	p.ps.mu.Lock()
	p.ps.hwm = max(p.ps.hwm, f.Offset+1)
	p.ps.mu.Unlock()
}

func (p *pass) wrap(ctx context.Context, r io.Reader, c io.Closer, what string) io.ReadCloser {
	return &passReader{ctx: ctx, r: r, c: c, p: p, what: what}
}

// passReader counts what a pass read, stops on cancellation, and names the
// stage and entry in errors.
type passReader struct {
	ctx  context.Context
	r    io.Reader
	c    io.Closer
	p    *pass
	what string
}

func (r *passReader) Read(b []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := r.r.Read(b)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%s: %w", r.what, err)
	}
	if err == io.EOF {
		r.p.ps.mu.Lock()
		// Output offsets differ from input offsets; only a pass that read
		// to the end is known to have seen every finding.
		r.p.ps.hwm = 1<<62 - 1
		r.p.ps.mu.Unlock()
	}
	return n, err
}

func (r *passReader) Close() error { return r.c.Close() }
