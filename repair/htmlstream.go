package repair

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// DefaultMaxField is the largest text field (in bytes of moodle.xml) that
// the streaming filters of repair-html and encode-links look at; a longer
// field passes through untouched with a finding. It bounds their memory.
const DefaultMaxField = 4 << 20

// maxMarkup bounds one tag, comment, CDATA section or processing
// instruction held in memory.
const maxMarkup = 1 << 20

// Field is the text of one leaf element handed to a field editor: its raw
// (still XML-escaped) bytes and where they start in the input.
type Field struct {
	Raw    []byte     // valid until the editor returns
	Path   *PathStack // the element path; its last name is the field's
	Line   int        // of the first byte of Raw
	Column int        //
	Offset int64      //
}

// Pos returns the line, column and offset of Raw[i].
func (f *Field) Pos(i int) (line, col int, off int64) {
	line, col = f.Line, f.Column
	if i > len(f.Raw) {
		i = len(f.Raw)
	}
	p := f.Raw[:i]
	if n := bytes.Count(p, nl); n > 0 {
		line += n
		col = i - bytes.LastIndexByte(p, '\n')
	} else {
		col += i
	}
	return line, col, f.Offset + int64(i)
}

// fieldFilter streams an XML document, copying every byte as it is except
// the text of leaf elements that want selects, which edit may replace. It
// knows just enough XML for well-formed moodle.xml files: tags, comments,
// CDATA, processing instructions and declarations.
type fieldFilter struct {
	src  io.Reader
	buf  []byte // input window; unread input is buf[r:w]
	r, w int
	eof  bool
	err  error

	out  []byte // output not yet read
	outR int

	track Tracker
	path  PathStack

	want func(path *PathStack) bool
	edit func(f *Field) []byte // nil: keep the raw text
	// editTo, when set, is used instead of edit: it appends the field's
	// replacement to out and reports true, or reports false to keep the
	// raw text (saving a copy of each replaced field).
	editTo   func(f *Field, out []byte) ([]byte, bool)
	oversize func(f *Field) // called once for a field over maxField
	maxField int
	// discard: only the field editor's calls matter (a second core's
	// rebuilds): text between fields is not copied to out, positions are
	// not tracked.
	discard bool

	inField   bool
	field     []byte
	fieldPos  Field
	cur       Field // the field handed to edit (kept here: no allocation per field)
	skipField bool  // the current field is oversize: pass its text through
	done      bool
}

func newFieldFilter(src io.Reader, maxField int, want func(*PathStack) bool, edit func(*Field) []byte) *fieldFilter {
	if maxField <= 0 {
		maxField = DefaultMaxField
	}
	return &fieldFilter{src: src, buf: make([]byte, 256<<10), want: want, edit: edit, maxField: maxField}
}

// Read implements io.Reader.
func (f *fieldFilter) Read(p []byte) (int, error) {
	for f.outR == len(f.out) {
		f.out, f.outR = f.out[:0], 0
		if f.done {
			if f.err != nil {
				return 0, f.err
			}
			return 0, io.EOF
		}
		f.step()
	}
	n := copy(p, f.out[f.outR:])
	f.outR += n
	return n, nil
}

// fill reads more input, keeping buf[r:w].
func (f *fieldFilter) fill() {
	if f.r > 0 {
		n := copy(f.buf, f.buf[f.r:f.w])
		f.r, f.w = 0, n
	}
	if f.w == len(f.buf) {
		if len(f.buf) >= maxMarkup+64<<10 {
			return
		}
		nb := make([]byte, 2*len(f.buf))
		copy(nb, f.buf[:f.w])
		f.buf = nb
	}
	n, err := f.src.Read(f.buf[f.w:])
	f.w += n
	if err == io.EOF {
		f.eof = true
	} else if err != nil {
		f.eof, f.err = true, err
	}
}

// consume moves the tracker over buf[r:r+n] and copies it to out, or to the
// field when one is being collected.
func (f *fieldFilter) consume(n int, toField bool) {
	p := f.buf[f.r : f.r+n]
	if f.discard {
		// Nobody reads the output or the positions.
		if toField {
			f.field = append(f.field, p...)
		}
		f.r += n
		return
	}
	f.track.Advance(p)
	if toField {
		f.field = append(f.field, p...)
	} else {
		f.out = append(f.out, p...)
	}
	f.r += n
}

// step processes what is buffered, reading more when needed.
func (f *fieldFilter) step() {
	if f.r == f.w {
		if f.eof {
			f.finish()
			return
		}
		f.fill()
		if f.r == f.w && f.eof {
			f.finish()
		}
		return
	}
	for f.r < f.w && len(f.out) < 256<<10 {
		data := f.buf[f.r:f.w]
		k := bytes.IndexByte(data, '<')
		if k < 0 {
			k = len(data)
		}
		if k > 0 {
			f.text(k)
			continue
		}
		n, ok := f.markupLen(data)
		if !ok {
			if f.eof {
				f.flushField()
				f.consume(len(data), false) // an unterminated tag at the end: pass it on
				continue
			}
			if f.w-f.r >= maxMarkup {
				line, col, off := f.track.Pos()
				f.err = fmt.Errorf("line %d, column %d (offset %d): markup longer than %d bytes; run clean-xml first", line, col, off, maxMarkup)
				f.done = true
				return
			}
			f.fill()
			continue
		}
		f.markup(data[:n])
	}
}

// text handles k bytes of character data at buf[r:].
func (f *fieldFilter) text(k int) {
	if !f.inField {
		f.consume(k, false)
		return
	}
	if !f.skipField && len(f.field)+k > f.maxField {
		if f.oversize != nil {
			f.oversize(&Field{Raw: f.field, Path: &f.path, Line: f.fieldPos.Line, Column: f.fieldPos.Column, Offset: f.fieldPos.Offset})
		}
		f.out = append(f.out, f.field...)
		f.field = f.field[:0]
		f.skipField = true
	}
	f.consume(k, !f.skipField)
}

// markupLen returns the length of the markup at data[0] == '<', or false
// when its end is not buffered yet.
func (f *fieldFilter) markupLen(data []byte) (int, bool) {
	var end []byte
	switch {
	case bytes.HasPrefix(data, []byte("<!--")):
		end = []byte("-->")
	case bytes.HasPrefix(data, []byte("<![CDATA[")):
		end = []byte("]]>")
	case bytes.HasPrefix(data, []byte("<?")):
		end = []byte("?>")
	case len(data) < 9 && (bytes.HasPrefix([]byte("<![CDATA["), data) || bytes.HasPrefix([]byte("<!--"), data)):
		return 0, false // too short to tell
	default:
		// A tag: '>' outside quotes.
		var q byte
		for i := 1; i < len(data); i++ {
			c := data[i]
			switch {
			case q != 0:
				if c == q {
					q = 0
				}
			case c == '"' || c == '\'':
				q = c
			case c == '>':
				return i + 1, true
			}
		}
		return 0, false
	}
	if k := bytes.Index(data[2:], end); k >= 0 {
		return 2 + k + len(end), true
	}
	return 0, false
}

// markup handles one complete piece of markup m at buf[r:].
func (f *fieldFilter) markup(m []byte) {
	switch {
	case len(m) > 2 && m[1] == '/':
		name := tagName(m[2:])
		if f.inField && bytes.Equal(name, f.path.Top()) {
			f.endField()
		} else {
			f.flushField()
		}
		f.consume(len(m), false)
		f.path.Pop()
	case m[1] == '!' || m[1] == '?':
		f.flushField() // a comment or CDATA inside a field: leave it alone
		f.consume(len(m), false)
	default:
		f.flushField()
		name := tagName(m[1:])
		f.path.Push(name)
		f.consume(len(m), false)
		if m[len(m)-2] == '/' {
			f.path.Pop()
			return
		}
		if f.want(&f.path) {
			f.inField, f.skipField = true, false
			f.field = f.field[:0]
			f.fieldPos.Line, f.fieldPos.Column, f.fieldPos.Offset = f.track.Pos()
		}
	}
}

func tagName(p []byte) []byte {
	for i, c := range p {
		if c == ' ' || c == '>' || c == '/' || c == '\t' || c == '\n' || c == '\r' {
			return p[:i]
		}
	}
	return p
}

// endField hands a complete field to edit and writes its result.
func (f *fieldFilter) endField() {
	f.inField = false
	if f.skipField {
		return
	}
	f.cur = Field{Raw: f.field, Path: &f.path, Line: f.fieldPos.Line, Column: f.fieldPos.Column, Offset: f.fieldPos.Offset}
	if f.editTo != nil {
		out, ok := f.editTo(&f.cur, f.out)
		if ok {
			f.out = out
		} else {
			f.out = append(f.out, f.field...)
		}
	} else if repl := f.edit(&f.cur); repl != nil {
		f.out = append(f.out, repl...)
	} else {
		f.out = append(f.out, f.field...)
	}
	f.cur = Field{}
	f.field = f.field[:0]
}

// flushField gives up on the current field (it is not a plain leaf) and
// writes its text unchanged.
func (f *fieldFilter) flushField() {
	if f.inField {
		f.out = append(f.out, f.field...)
		f.field = f.field[:0]
		f.inField = false
	}
}

func (f *fieldFilter) finish() {
	f.flushField()
	f.done = true
	if f.err == nil && f.path.Depth() > 0 {
		f.err = errors.New("moodle.xml ends inside element " + f.path.String() + "; the file is truncated")
	}
}

// unescapeXML resolves the predefined entities and character references of
// raw XML text. Unknown references are kept as they are.
func unescapeXML(dst []byte, raw []byte) []byte {
	for {
		k := bytes.IndexByte(raw, '&')
		if k < 0 {
			return append(dst, raw...)
		}
		dst = append(dst, raw[:k]...)
		raw = raw[k:]
		e := bytes.IndexByte(raw, ';')
		if e < 0 || e > 12 {
			dst = append(dst, '&')
			raw = raw[1:]
			continue
		}
		ref := raw[1:e]
		switch string(ref) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if r, ok := charRef(ref); ok {
				dst = appendRune(dst, r)
			} else {
				dst = append(dst, raw[:e+1]...)
			}
		}
		raw = raw[e+1:]
	}
}

func charRef(ref []byte) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	base, digits := 10, ref[1:]
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 || len(digits) > 7 {
		return 0, false
	}
	var n rune
	for _, c := range digits {
		var v rune
		switch {
		case c >= '0' && c <= '9':
			v = rune(c - '0')
		case base == 16 && c|0x20 >= 'a' && c|0x20 <= 'f':
			v = rune(c|0x20-'a') + 10
		default:
			return 0, false
		}
		n = n*rune(base) + v
	}
	if n > 0x10FFFF {
		return 0, false
	}
	return n, true
}

func appendRune(dst []byte, r rune) []byte {
	var b [4]byte
	n := utf8.EncodeRune(b[:], r)
	return append(dst, b[:n]...)
}

// escapeXML escapes text as the 1.x writer did (htmlspecialchars: & < > ").
func escapeXML[T string | []byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); {
		j := i
		// Eight bytes at a time while none of them is special.
		for j+8 <= len(s) && !hasXMLSpecial(uint64(s[j])|uint64(s[j+1])<<8|uint64(s[j+2])<<16|uint64(s[j+3])<<24|
			uint64(s[j+4])<<32|uint64(s[j+5])<<40|uint64(s[j+6])<<48|uint64(s[j+7])<<56) {
			j += 8
		}
		for j < len(s) && !xmlSpecial[s[j]] {
			j++
		}
		dst = append(dst, s[i:j]...)
		if j == len(s) {
			break
		}
		switch s[j] {
		case '&':
			dst = append(dst, "&amp;"...)
		case '<':
			dst = append(dst, "&lt;"...)
		case '>':
			dst = append(dst, "&gt;"...)
		case '"':
			dst = append(dst, "&quot;"...)
		}
		i = j + 1
	}
	return dst
}

// xmlSpecial marks the bytes escapeXML replaces.
var xmlSpecial = [256]bool{'&': true, '<': true, '>': true, '"': true}

// hasXMLSpecial reports whether one of the eight bytes of x is one that
// escapeXML replaces (the zero-byte test of Hacker's Delight, exact: no
// false positives).
func hasXMLSpecial(x uint64) bool {
	const lo, hi7 = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	zero := func(y uint64) uint64 { return ^((y&hi7 + hi7) | y | hi7) }
	return zero(x^(lo*'&'))|zero(x^(lo*'<'))|zero(x^(lo*'>'))|zero(x^(lo*'"')) != 0
}
