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
}

// NewHTMLReader returns a reader of r with damaged HTML fields rebuilt.
func NewHTMLReader(r io.Reader, opts HTMLStreamOptions) *HTMLReader {
	h := &HTMLReader{opts: opts}
	h.rb.firstOnly = true // edit reads changes[0] and the kinds only
	h.f = newFieldFilter(r, opts.MaxField, IsHTMLField, nil)
	h.f.editTo = h.edit
	h.f.oversize = h.oversize
	return h
}

// Read implements io.Reader.
func (h *HTMLReader) Read(p []byte) (int, error) { return h.f.Read(p) }

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
	raw := f.Raw
	// Damaged text has no '<', '>', '"' or '&' left; in the file those
	// would show as '&' (or a raw '>' or '"'), so such fields are skipped
	// without decoding.
	if len(raw) == 0 || bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '>') >= 0 || bytes.IndexByte(raw, '"') >= 0 {
		return out, false
	}
	// The rebuild reads the field as a string without a copy (which would
	// double the bytes allocated per byte streamed): raw stays as it is
	// until edit returns, and nothing that outlives this call keeps a
	// piece of s (the finding's sample is cloned; the rebuilder drops its
	// pieces at its next field).
	s := unsafe.String(unsafe.SliceData(raw), len(raw))
	// Nor can it hold a '<' (the field ends there), so DamagedLibxml2(s)
	// holds: rebuild skips that check.
	h.rb.noAfter = h.opts.Report == nil && h.stats.FirstLow != nil // then no finding is made
	_, conf, changes, rewritten := h.rb.rebuild(s, h.opts.HTMLOptions)
	if len(changes) == 0 {
		return out, false
	}
	first := changes[0]
	if !rewritten {
		h.stats.LowConfidence++
		if h.opts.Report == nil && h.stats.FirstLow != nil {
			return out, false // nobody reads the finding
		}
		line, col, off := f.Pos(first.Offset)
		m := append(h.msg[:0], "looks damaged by the libxml2 2.7 bug ("...)
		m = strconv.AppendInt(m, int64(h.rb.nChanges), 10)
		m = append(m, " spots) but the rebuild scored "...)
		m = strconv.AppendFloat(m, float64(conf), 'f', 2, 64)
		m = append(m, " < min-confidence "...)
		m = strconv.AppendFloat(m, h.opts.min(), 'f', 2, 64)
		m = append(m, "; left as is (set min-confidence to "...)
		m = strconv.AppendFloat(m, float64(conf)-0.005, 'f', 2, 64)
		m = append(m, " to rebuild it)"...)
		h.msg = m
		fd := report.Finding{Code: "html.low-confidence", Severity: report.Warning, Line: line, Column: col, Offset: off,
			Path: h.pathString(f.Path), Before: strings.Clone(sampleOf(s, first.Offset, len(first.Before))), After: first.After,
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
		tags, ents := h.rb.nTags, h.rb.nChanges-h.rb.nTags // changes holds the first only
		// fmt-free: this runs once per rebuilt field.
		m := append(h.msg[:0], "rebuilt HTML stripped by the libxml2 2.7 bug: "...)
		m = strconv.AppendInt(m, int64(tags), 10)
		m = append(m, " tags, "...)
		m = strconv.AppendInt(m, int64(ents), 10)
		m = append(m, " entities (confidence "...)
		m = strconv.AppendFloat(m, float64(conf), 'f', 2, 64)
		m = append(m, ')')
		h.msg = m
		h.add(report.Finding{Code: "html.repaired", Severity: report.Warning, Fixed: true, Line: line, Column: col, Offset: off,
			Path: h.pathString(f.Path), Before: strings.Clone(sampleOf(s, first.Offset, len(first.Before))), After: first.After,
			Message: string(m)})
	}
	return h.rb.appendEscaped(out), true // escapeXML(out, rebuilt), faster
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
