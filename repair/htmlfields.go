package repair

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unsafe"

	"github.com/moodlemig/moodlemig/report"
)

// htmlFieldNames are the moodle.xml leaf elements that hold HTML
// (moodle19-format.md §5 – §10), whatever their parent, except as
// nonHTMLParents says.
var htmlFieldNames = map[string]bool{
	"SUMMARY": true, "INTRO": true, "DESCRIPTION": true, "CONTENT": true, "CONTENTS": true,
	"ALLTEXT": true, "MESSAGE": true, "DEFINITION": true, "TEXT": true, "QUESTIONTEXT": true,
	"GENERALFEEDBACK": true, "FEEDBACK": true, "FEEDBACKTEXT": true, "ANSWERTEXT": true,
	"ANSWER_TEXT": true, "RESPONSE": true, "ENTRYCOMMENT": true, "SUBMISSIONCOMMENT": true,
	"DATA1": true, "GENERALCOMMENT": true, "TEACHERCOMMENT": true, "SINGLETEMPLATE": true,
	"LISTTEMPLATE": true, "LISTTEMPLATEHEADER": true, "LISTTEMPLATEFOOTER": true,
	"ADDTEMPLATE": true, "RSSTEMPLATE": true, "ASEARCHTEMPLATE": true,
}

// nonHTMLParents lists, per field name, parents under which that name is
// not HTML: wiki page CONTENT is ewiki markup, a data FIELD's DESCRIPTION
// and a choice OPTION's TEXT are plain, INFO/DETAILS holds no text at all.
var nonHTMLParents = map[string][]string{
	"CONTENT":     {"PAGE"},
	"DESCRIPTION": {"FIELD"},
	"TEXT":        {"OPTION"},
	"DATA1":       {"MOD"},
}

// IsHTMLField reports whether the innermost element of path holds HTML in a
// Moodle 1.x moodle.xml.
func IsHTMLField(path *PathStack) bool {
	name := path.Top()
	if !htmlFieldNames[string(name)] || path.Depth() < 3 {
		return false
	}
	parent := string(path.Name(path.Depth() - 2))
	for _, p := range nonHTMLParents[string(name)] {
		if parent == p {
			return false
		}
	}
	return string(path.Name(1)) != "INFO"
}

// HTMLStreamOptions control NewHTMLReader.
type HTMLStreamOptions struct {
	HTMLOptions
	// MaxField is the largest field looked at (0: DefaultMaxField).
	MaxField int
	// Report receives the findings (nil: none).
	Report report.Sink
	// Parallel rebuilds fields on a second core as well (a goroutine that
	// reads ahead); output and findings are the same. Close the reader
	// when done with it.
	Parallel bool
}

// HTMLStats counts what an HTMLReader did.
type HTMLStats struct {
	Fields        int             // HTML fields seen
	Repaired      int             // fields rebuilt
	LowConfidence int             // damaged-looking fields left alone
	Oversize      int             // fields too large to look at
	FirstLow      *report.Finding // the first low-confidence finding
}

// HTMLReader streams moodle.xml and repairs, field by field, HTML damaged by
// the libxml2 2.7 entity bug (RepairHTMLField). Memory is bounded by one
// field (MaxField).
type HTMLReader struct {
	f         *fieldFilter
	opts      HTMLStreamOptions
	stats     HTMLStats
	rb        rebuilder // reused from field to field
	msg       []byte    // scratch for finding messages
	path      []byte    // the path of the last finding, its depth and string
	pathS     string
	pathDepth int
	par       *htmlPar // the second core's rebuilds (nil: one core)
}

// NewHTMLReader returns a reader of r with damaged HTML fields rebuilt.
func NewHTMLReader(r io.Reader, opts HTMLStreamOptions) *HTMLReader {
	h := &HTMLReader{opts: opts}
	h.rb.firstOnly = true // edit reads changes[0] and the kinds only
	src := r
	if opts.Parallel {
		h.par = newHTMLPar(h, r)
		src = h.par
	}
	h.f = newFieldFilter(src, opts.MaxField, IsHTMLField, nil)
	h.f.editTo = h.edit
	h.f.oversize = h.oversize
	return h
}

// Read implements io.Reader.
func (h *HTMLReader) Read(p []byte) (int, error) { return h.f.Read(p) }

// Close stops the second core's goroutine (Parallel); the source is not
// closed.
func (h *HTMLReader) Close() error {
	if h.par != nil {
		h.par.Close()
	}
	return nil
}

// Stats returns the counts so far.
func (h *HTMLReader) Stats() HTMLStats { return h.stats }

func (h *HTMLReader) add(f report.Finding) {
	if h.opts.Report != nil {
		h.opts.Report.Add(f)
	}
}

func (h *HTMLReader) oversize(f *Field) {
	h.stats.Oversize++
	line, col, off := f.Pos(0)
	h.add(report.Finding{Code: "html.oversize", Severity: report.Warning, Line: line, Column: col, Offset: off,
		Path: f.Path.String(), Message: fmt.Sprintf("field longer than %d bytes passed through unchecked; raise max-field to check it", h.f.maxField)})
}

func (h *HTMLReader) edit(f *Field, out []byte) ([]byte, bool) {
	h.stats.Fields++
	if h.par != nil && mayBeDamaged(f.Raw) {
		if res, ok := h.par.take(); ok {
			if res.none {
				return out, false
			}
			out, ok := h.apply(f, res, out)
			h.par.done(res)
			return out, ok
		}
	}
	// Nobody reads a low-confidence finding's After once the first is
	// kept and no report listens.
	h.rb.noAfter = h.opts.Report == nil && h.stats.FirstLow != nil
	res, ok := h.analyze(&h.rb, f.Raw)
	if !ok {
		return out, false
	}
	return h.apply(f, res, out)
}

// mayBeDamaged reports whether a field's raw bytes may be damaged HTML.
// Damaged text has no '<', '>', '"' or '&' left; in the file those would
// show as '&' (or a raw '>' or '"'), so such fields are skipped without
// decoding.
func mayBeDamaged(raw []byte) bool {
	return len(raw) > 0 && bytes.IndexByte(raw, '&') < 0 && bytes.IndexByte(raw, '>') < 0 && bytes.IndexByte(raw, '"') < 0
}

// fieldResult is what the rebuild of one field decided: enough for apply
// to count it, report it and write it, without the rebuilder.
type fieldResult struct {
	rewritten       bool
	conf            float64
	first           Change // the first change (its Before is not kept: apply takes it from the field)
	beforeLen       int
	nChanges, nTags int
	// out is the escaped rebuilt field of a result made on the other
	// core; nil when the rebuilder that made it (h.rb) still holds it.
	out  []byte
	none bool // the other core found nothing to change
}

// analyze rebuilds raw with rb; ok is false when nothing is to be changed.
func (h *HTMLReader) analyze(rb *rebuilder, raw []byte) (res fieldResult, ok bool) {
	if !mayBeDamaged(raw) {
		return res, false
	}
	// The rebuild reads the field as a string without a copy (which would
	// double the bytes allocated per byte streamed): raw stays as it is
	// until the caller is done with rb, and nothing that outlives the field
	// keeps a piece of s (the finding's sample is cloned; the rebuilder
	// drops its pieces at its next field).
	s := unsafe.String(unsafe.SliceData(raw), len(raw))
	// Nor can it hold a '<' (the field ends there), so DamagedLibxml2(s)
	// holds: rebuild skips that check.
	_, conf, changes, rewritten := rb.rebuild(s, h.opts.HTMLOptions)
	if len(changes) == 0 {
		return res, false
	}
	first := changes[0]
	res = fieldResult{rewritten: rewritten, conf: float64(conf), beforeLen: len(first.Before),
		nChanges: rb.nChanges, nTags: rb.nTags}
	res.first = Change{Offset: first.Offset, Kind: first.Kind, After: first.After}
	return res, true
}

// apply counts, reports and writes the field f as res says.
func (h *HTMLReader) apply(f *Field, res fieldResult, out []byte) ([]byte, bool) {
	s := f.Raw
	first := res.first
	if !res.rewritten {
		h.stats.LowConfidence++
		if h.opts.Report == nil && h.stats.FirstLow != nil {
			return out, false // nobody reads the finding
		}
		line, col, off := f.Pos(first.Offset)
		m := append(h.msg[:0], "looks damaged by the libxml2 2.7 bug ("...)
		m = strconv.AppendInt(m, int64(res.nChanges), 10)
		m = append(m, " spots) but the rebuild scored "...)
		m = strconv.AppendFloat(m, res.conf, 'f', 2, 64)
		m = append(m, " < min-confidence "...)
		m = strconv.AppendFloat(m, h.opts.min(), 'f', 2, 64)
		m = append(m, "; left as is (set min-confidence to "...)
		m = strconv.AppendFloat(m, res.conf-0.005, 'f', 2, 64)
		m = append(m, " to rebuild it)"...)
		h.msg = m
		fd := report.Finding{Code: "html.low-confidence", Severity: report.Warning, Line: line, Column: col, Offset: off,
			Path: h.pathString(f.Path), Before: sampleOfBytes(s, first.Offset, res.beforeLen), After: first.After,
			Message: string(m)}
		if h.stats.FirstLow == nil {
			c := fd
			h.stats.FirstLow = &c
		}
		h.add(fd)
		return out, false
	}
	h.stats.Repaired++
	if h.opts.Report != nil {
		line, col, off := f.Pos(first.Offset)
		tags, ents := res.nTags, res.nChanges-res.nTags // changes holds the first only
		// fmt-free: this runs once per rebuilt field.
		m := append(h.msg[:0], "rebuilt HTML stripped by the libxml2 2.7 bug: "...)
		m = strconv.AppendInt(m, int64(tags), 10)
		m = append(m, " tags, "...)
		m = strconv.AppendInt(m, int64(ents), 10)
		m = append(m, " entities (confidence "...)
		m = strconv.AppendFloat(m, res.conf, 'f', 2, 64)
		m = append(m, ')')
		h.msg = m
		h.add(report.Finding{Code: "html.repaired", Severity: report.Warning, Fixed: true, Line: line, Column: col, Offset: off,
			Path: h.pathString(f.Path), Before: sampleOfBytes(s, first.Offset, res.beforeLen), After: first.After,
			Message: string(m)})
	}
	if res.out == nil {
		return h.rb.appendEscaped(out), true // escapeXML(out, rebuilt), faster
	}
	return append(out, res.out...), true
}

// sampleOfBytes is sampleOf on the field's bytes, copied.
func sampleOfBytes(raw []byte, i, n int) string {
	return strings.Clone(sampleOf(unsafe.String(unsafe.SliceData(raw), len(raw)), i, n))
}

// pathString returns p.String(), reusing the last string while the path
// stays the same (most fields of a file sit at a handful of paths).
func (h *HTMLReader) pathString(p *PathStack) string {
	if b := p.Bytes(); h.pathS == "" || p.Depth() != h.pathDepth || !bytes.Equal(b, h.path) {
		h.pathS = p.String()
		h.path = append(h.path[:0], b...)
		h.pathDepth = p.Depth()
	}
	return h.pathS
}

// sampleOf returns at most 60 bytes of s around [i, i+n), cut on rune
// boundaries.
func sampleOf(s string, i, n int) string {
	e := min(i+max(n, 1)+20, len(s), i+60)
	for e < len(s) && e > i && !utf8RuneStart(s[e]) {
		e--
	}
	return strings.TrimSpace(s[i:e])
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
