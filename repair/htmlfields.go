package repair

import (
	"bytes"
	"fmt"
	"io"
	"strings"

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
	f     *fieldFilter
	opts  HTMLStreamOptions
	stats HTMLStats
	esc   []byte
}

// NewHTMLReader returns a reader of r with damaged HTML fields rebuilt.
func NewHTMLReader(r io.Reader, opts HTMLStreamOptions) *HTMLReader {
	h := &HTMLReader{opts: opts}
	h.f = newFieldFilter(r, opts.MaxField, IsHTMLField, h.edit)
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

func (h *HTMLReader) edit(f *Field) []byte {
	h.stats.Fields++
	raw := f.Raw
	// Damaged text has no '<', '>', '"' or '&' left; in the file those
	// would show as '&' (or a raw '>' or '"'), so such fields are skipped
	// without decoding.
	if len(raw) == 0 || bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '>') >= 0 || bytes.IndexByte(raw, '"') >= 0 {
		return nil
	}
	s := string(raw)
	out, conf, changes := RepairHTMLField(s, h.opts.HTMLOptions)
	if len(changes) == 0 {
		return nil
	}
	first := changes[0]
	line, col, off := f.Pos(first.Offset)
	if out == s {
		h.stats.LowConfidence++
		fd := report.Finding{Code: "html.low-confidence", Severity: report.Warning, Line: line, Column: col, Offset: off,
			Path: f.Path.String(), Before: sampleOf(s, first.Offset, len(first.Before)), After: first.After,
			Message: fmt.Sprintf("looks damaged by the libxml2 2.7 bug (%d spots) but the rebuild scored %.2f < min-confidence %.2f; left as is (set min-confidence to %.2f to rebuild it)",
				len(changes), conf, h.opts.min(), float64(conf)-0.005)}
		if h.stats.FirstLow == nil {
			c := fd
			h.stats.FirstLow = &c
		}
		h.add(fd)
		return nil
	}
	h.stats.Repaired++
	h.add(report.Finding{Code: "html.repaired", Severity: report.Warning, Fixed: true, Line: line, Column: col, Offset: off,
		Path: f.Path.String(), Before: sampleOf(s, first.Offset, len(first.Before)), After: first.After,
		Message: fmt.Sprintf("rebuilt HTML stripped by the libxml2 2.7 bug: %s (confidence %.2f)", summarize(changes), conf)})
	h.esc = escapeXML(h.esc[:0], out)
	return h.esc
}

// summarize counts changes by kind: "12 tags, 3 entities".
func summarize(changes []Change) string {
	tags, ents := 0, 0
	for _, c := range changes {
		if c.Kind == ChangeTag {
			tags++
		} else {
			ents++
		}
	}
	return fmt.Sprintf("%d tags, %d entities", tags, ents)
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
