package repair

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/transform"

	"github.com/moodlemig/moodlemig/report"
)

// Mode says what CleanXML does with a character that XML 1.0 forbids.
type Mode int

const (
	// Delete removes forbidden characters (C0 controls other than TAB, LF,
	// CR; U+FFFE; U+FFFF; references to them). Bytes that are not UTF-8 and
	// cannot be read as legacy text still become U+FFFD, so that no
	// undecodable text vanishes without a mark.
	Delete Mode = iota
	// Replace writes the replacement string (U+FFFD unless set) in place of
	// every forbidden character and every undecodable byte.
	Replace
)

// String returns "delete" or "replace".
func (m Mode) String() string {
	if m == Replace {
		return "replace"
	}
	return "delete"
}

// Legacy says how CleanXML reads bytes that are not UTF-8 in a value that
// holds no valid multi-byte UTF-8 sequence (spec repairs.md §1.6 step 3).
type Legacy int

const (
	// Windows1252 decodes each such byte as windows-1252 (0x80 → €), the
	// usual origin of legacy bytes in a 1.6+ UTF-8 file.
	Windows1252 Legacy = iota
	// Latin1Lift maps each such byte b to U+00b, exactly as Moodle 1.5's
	// utf8_encode did, so that the transcode stage can recover the original
	// bytes and decode them with the owner's charset. Use it for pre-1.6
	// files.
	Latin1Lift
)

// CleanOptions configure a Cleaner.
type CleanOptions struct {
	Mode Mode
	// Replacement is written in Replace mode and for undecodable bytes;
	// "" means U+FFFD. It must be valid XML character data without '<',
	// '&' or '>'.
	Replacement string
	Legacy      Legacy
	// Moodle says element names are Moodle's upper-case names and elements
	// never hold mixed content, so inside an upper-case element that has no
	// child element, markup-like text ("<p>", "</b>", "a < b") is text to
	// escape. Without it only a '<' that can start no markup is escaped.
	Moodle bool
	// Report receives one finding per change (nil: none).
	Report report.Sink
}

// Finding codes of clean-xml.
const (
	CodeInvalidChar   = "xml.invalid-char"    // forbidden code point removed or replaced
	CodeInvalidUTF8   = "xml.invalid-utf8"    // undecodable bytes replaced
	CodeMixedEncoding = "xml.mixed-encoding"  // legacy byte read as windows-1252 / Latin-1
	CodeTruncatedUTF8 = "xml.truncated-utf8"  // cut-off sequence at the end of a value dropped
	CodeCESU8         = "xml.cesu8"           // surrogate pair joined into one character
	CodeForbiddenRef  = "xml.forbidden-ref"   // &#...; to a forbidden code point removed
	CodeBareAmpersand = "xml.bare-ampersand"  // & escaped as &amp;
	CodeStrayLT       = "xml.stray-lt"        // < in text escaped as &lt;
	CodeCDATAEnd      = "xml.cdata-end"       // ]]> in text escaped as ]]&gt;
	CodeC1Control     = "xml.c1-control"      // C1 controls kept (a windows-1252 signal)
	CodeNotWellFormed = "xml.not-well-formed" // damage clean-xml cannot repair
)

// SyntaxError is damage CleanXML does not repair because no repair is
// unambiguous. It names where the damage is and what to do.
type SyntaxError struct {
	Line, Column int
	Offset       int64
	Path         string
	Msg          string
}

func (e *SyntaxError) Error() string {
	s := fmt.Sprintf("line %d, column %d (offset %d)", e.Line, e.Column, e.Offset)
	if e.Path != "" {
		s += " in " + e.Path
	}
	return s + ": " + e.Msg
}

// ErrNotUTF8Declared is wrapped by the error CleanXML returns when the XML
// declaration names an encoding other than UTF-8.
var ErrNotUTF8Declared = errors.New("declared encoding is not UTF-8")

const (
	maxTag   = 2048 // longest start/end tag, PI or directive handled
	maxLook  = 2048 // lookahead for the end of a value
	maxRef   = 64   // longest numeric character reference read
	minChunk = 8    // bytes of lookahead that decide any character case
)

type state uint8

const (
	stText state = iota
	stCDATA
	stComment
)

// Cleaner is a transform.Transformer that makes a UTF-8 XML byte stream
// well-formed (spec repairs.md §1.6): it removes forbidden characters and
// references to them, repairs bytes that are not UTF-8, escapes bare '&' and
// stray '<', and reports every change. Input that is already well-formed
// passes through byte for byte. Damage it cannot repair unambiguously
// (mismatched tags, broken markup) makes Transform return a *SyntaxError.
//
// A Cleaner keeps a bounded state (the open element names), so memory is flat
// whatever the input size. It is not safe for concurrent use.
type Cleaner struct {
	opts CleanOptions
	repl []byte

	trk   Tracker
	mark  int // src bytes before mark are fed to trk (per Transform call)
	path  PathStack
	child []bool // per open element: has a child element
	text  []bool // per open element: has non-space text

	state  state
	tail   [2]byte // last two bytes written (0 when none)
	cm0    byte    // comment: previous two output bytes of the comment body
	cm1    byte
	valMB  bool // current value holds a valid multi-byte sequence
	valLeg int8 // current value: 0 undecided, 1 legacy, -1 not legacy
	c1     int  // C1 controls seen
	c1Line int
	c1Col  int
	c1Off  int64
	c1Path string
	err    error
}

// NewCleaner returns a Cleaner, or an error when opts.Replacement is not
// usable as XML text.
func NewCleaner(opts CleanOptions) (*Cleaner, error) {
	r := opts.Replacement
	if r == "" {
		r = "\uFFFD"
	}
	if !utf8.ValidString(r) || strings.ContainsAny(r, "<&>]-") {
		return nil, fmt.Errorf("clean-xml: replacement %q must be UTF-8 text without '<', '&', '>', ']' or '-'", opts.Replacement)
	}
	for _, c := range r {
		if !isChar(c) {
			return nil, fmt.Errorf("clean-xml: replacement %q holds %U, which XML forbids", opts.Replacement, c)
		}
	}
	c := &Cleaner{opts: opts, repl: []byte(r)}
	return c, nil
}

// CleanString runs a new Cleaner with opts over s: a convenience for tests
// and small inputs.
func CleanString(s string, opts CleanOptions) (string, error) {
	c, err := NewCleaner(opts)
	if err != nil {
		return "", err
	}
	out, _, err := transform.String(c, s)
	return out, err
}

// Reset implements transform.Transformer.
func (c *Cleaner) Reset() {
	opts, repl := c.opts, c.repl
	path, child, text := c.path, c.child[:0], c.text[:0]
	path.Reset()
	*c = Cleaner{opts: opts, repl: repl, path: path, child: child, text: text}
}

func isChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// byte classes in text
const (
	clPlain = iota
	clSpecial
	clHigh
)

var textClass = func() (t [256]uint8) {
	for b := 0; b < 0x20; b++ {
		t[b] = clSpecial
	}
	t['\t'], t['\n'], t['\r'] = clPlain, clPlain, clPlain
	t['<'], t['&'], t['>'] = clSpecial, clSpecial, clSpecial
	for b := 0x80; b < 0x100; b++ {
		t[b] = clHigh
	}
	return t
}()

// upperName marks the bytes of Moodle's element names after the first.
var upperName = func() (t [256]bool) {
	for b := 'A'; b <= 'Z'; b++ {
		t[b] = true
	}
	for b := '0'; b <= '9'; b++ {
		t[b] = true
	}
	t['_'] = true
	return t
}()

var nameByte = func() (t [256]bool) {
	for b := 'a'; b <= 'z'; b++ {
		t[b] = true
	}
	for b := 'A'; b <= 'Z'; b++ {
		t[b] = true
	}
	for b := '0'; b <= '9'; b++ {
		t[b] = true
	}
	t['_'], t[':'], t['.'], t['-'] = true, true, true, true
	return t
}()

func nameStart(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || b == ':'
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

// moodleName reports whether n is an upper-case Moodle element name.
func moodleName(n []byte) bool {
	if len(n) == 0 || n[0] < 'A' || n[0] > 'Z' {
		return false
	}
	for _, b := range n {
		if !(b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_') {
			return false
		}
	}
	return true
}

type status uint8

const (
	ok status = iota
	needMore
	shortDst
	failed
)

// Transform implements transform.Transformer.
func (c *Cleaner) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	if c.err != nil {
		return 0, 0, c.err
	}
	c.mark = 0
	i, o := 0, 0
	defer func() {
		c.trk.Advance(src[c.mark:nSrc])
		switch {
		case nDst >= 2:
			c.tail = [2]byte{dst[nDst-2], dst[nDst-1]}
		case nDst == 1:
			c.tail = [2]byte{c.tail[1], dst[0]}
		}
	}()
	for i < len(src) {
		st := ok
		switch c.state {
		case stText:
			// Fast path: copy a span of ordinary text.
			// Scan no further than what fits in dst.
			j, lim := i, min(len(src), i+len(dst)-o)
			for j < lim {
				b := src[j]
				if b < 0x80 {
					if textClass[b] != clPlain {
						break
					}
					j++
					continue
				}
				if b >= 0xC2 && b <= 0xDF && j+1 < lim && src[j+1]&0xC0 == 0x80 {
					if b == 0xC2 && src[j+1] < 0xA0 {
						c.noteC1(src, j)
					}
					c.valMB = true
					j += 2
					continue
				}
				r, size := utf8.DecodeRune(src[j:lim])
				if size == 1 || r == 0xFFFE || r == 0xFFFF {
					break
				}
				c.valMB = true
				j += size
			}
			if j > i {
				n := copy(dst[o:], src[i:j])
				if d := c.path.Depth(); d > 0 && !c.text[d-1] {
					c.text[d-1] = !allSpace(src[i:j])
				}
				o += n
				i += n
			}
			if i == lim && lim < len(src) {
				return o, i, transform.ErrShortDst
			}
			if i < len(src) {
				// Inline fast paths for the commonest specials: a Moodle
				// end tag of the open element, and &lt; &gt; &amp;.
				p := src[i:]
				if p[0] == '<' && len(p) > 2 && p[1] == '/' {
					top := c.path.Top()
					if n := len(top); n > 0 && len(p) > n+2 && p[n+2] == '>' && string(p[2:n+2]) == string(top) && len(dst)-o >= n+3 {
						o += copy(dst[o:], p[:n+3])
						i += n + 3
						c.pop()
						c.valMB, c.valLeg = false, 0
						continue
					}
				} else if p[0] == '<' && len(p) > 2 && p[1] >= 'A' && p[1] <= 'Z' {
					d := c.path.Depth()
					if d == 0 || c.child[d-1] || !c.opts.Moodle {
						k := 2
						for k < len(p) && upperName[p[k]] {
							k++
						}
						if k < len(p) && p[k] == '>' && d < MaxPathDepth && len(dst)-o > k {
							o += copy(dst[o:], p[:k+1])
							i += k + 1
							if d > 0 {
								c.child[d-1] = true
							}
							c.path.Push(p[1:k])
							c.child = append(c.child, false)
							c.text = append(c.text, false)
							c.valMB, c.valLeg = false, 0
							continue
						}
					}
				} else if p[0] == '&' && len(p) >= 5 && len(dst)-o >= 5 {
					if (p[1] == 'l' || p[1] == 'g') && p[2] == 't' && p[3] == ';' {
						o += copy(dst[o:], p[:4])
						i += 4
						c.markText()
						continue
					}
					if p[1] == 'a' && p[2] == 'm' && p[3] == 'p' && p[4] == ';' {
						o += copy(dst[o:], p[:5])
						i += 5
						c.markText()
						continue
					}
				}
				o, i, st = c.special(dst, src, o, i, atEOF)
			}
		case stCDATA, stComment:
			o, i, st = c.inSection(dst, src, o, i, atEOF)
		}
		switch st {
		case needMore:
			if atEOF {
				c.err = c.syntaxErr(src, i, "unexpected end of input")
				return o, i, c.err
			}
			return o, i, transform.ErrShortSrc
		case shortDst:
			return o, i, transform.ErrShortDst
		case failed:
			return o, i, c.err
		}
	}
	if atEOF {
		if c.state != stText {
			c.err = c.syntaxErr(src, i, "unexpected end of input inside a comment or CDATA section")
			return o, i, c.err
		}
		if d := c.path.Depth(); d > 0 {
			c.err = c.syntaxErr(src, i, fmt.Sprintf("unexpected end of input: %d element(s) not closed, innermost <%s> (the file is truncated)", d, c.path.Top()))
			return o, i, c.err
		}
		if c.c1 > 0 && c.opts.Report != nil {
			c.opts.Report.Add(report.Finding{Code: CodeC1Control, Severity: report.Info,
				Line: c.c1Line, Column: c.c1Col, Offset: c.c1Off, Path: c.c1Path,
				Message: fmt.Sprintf("%d C1 control character(s) kept (legal XML; usually windows-1252 text read as ISO-8859-1, see transcode); first here", c.c1)})
		}
	}
	return o, i, nil
}

func allSpace(p []byte) bool {
	for _, b := range p {
		if !isSpace(b) {
			return false
		}
	}
	return true
}

func (c *Cleaner) noteC1(src []byte, j int) {
	c.c1++
	if c.c1 == 1 {
		c.trk.Advance(src[c.mark:j])
		c.mark = j
		c.c1Line, c.c1Col, c.c1Off = c.trk.Pos()
		c.c1Path = c.path.String()
	}
}

// pos returns the input position of src[j].
func (c *Cleaner) pos(src []byte, j int) (int, int, int64) {
	if j >= c.mark {
		c.trk.Advance(src[c.mark:j])
		c.mark = j
	}
	return c.trk.Pos()
}

func (c *Cleaner) syntaxErr(src []byte, j int, msg string) error {
	l, col, off := c.pos(src, j)
	e := &SyntaxError{Line: l, Column: col, Offset: off, Path: c.path.String(), Msg: msg}
	if c.opts.Report != nil {
		c.opts.Report.Add(report.Finding{Code: CodeNotWellFormed, Severity: report.Error,
			Line: l, Column: col, Offset: off, Path: e.Path, Message: msg,
			Before: sample(src, j, j+1, nil, 24)})
	}
	return e
}

// change records a repair of src[j:k] into repl.
func (c *Cleaner) change(code string, src []byte, j, k int, repl []byte, msg string) {
	if c.opts.Report == nil {
		return
	}
	l, col, off := c.pos(src, j)
	if repl == nil {
		repl = []byte{}
	}
	before := sample(src, j, k, nil, 12)
	after := sample(src, j, k, repl, 12)
	c.opts.Report.Add(report.Finding{Code: code, Severity: report.Warning, Line: l, Column: col, Offset: off,
		Path: c.path.String(), Message: msg, Before: before, After: after, Fixed: true})
}

// sample shows src[j:k] (or repl in its place when repl != nil) with up to n
// bytes of context either side; bytes that are not printable UTF-8 appear as
// \xNN.
func sample(src []byte, j, k int, repl []byte, n int) string {
	// An error at the end of the input points one past its last byte.
	j, k = min(j, len(src)), min(k, len(src))
	a := max(0, j-n)
	for a < j && a > 0 && src[a]&0xC0 == 0x80 {
		a++
	}
	b := min(len(src), k+n)
	for b > k && b < len(src) && src[b]&0xC0 == 0x80 {
		b--
	}
	var sb strings.Builder
	esc(&sb, src[a:j])
	if repl != nil {
		esc(&sb, repl)
	} else {
		esc(&sb, src[j:k])
	}
	esc(&sb, src[k:b])
	return sb.String()
}

func esc(sb *strings.Builder, p []byte) {
	for len(p) > 0 {
		r, size := utf8.DecodeRune(p)
		if (r == utf8.RuneError && size == 1) || !isChar(r) || r == '\t' || r == '\n' || r == '\r' || r >= 0x80 && r <= 0x9F {
			if size == 1 {
				fmt.Fprintf(sb, `\x%02X`, p[0])
			} else {
				fmt.Fprintf(sb, `\u%04X`, r)
			}
		} else {
			sb.Write(p[:size])
		}
		p = p[size:]
	}
}

// emit writes p at dst[o:], reporting shortDst when it does not fit.
func emit(dst []byte, o int, p []byte) (int, bool) {
	if len(dst)-o < len(p) {
		return o, false
	}
	return o + copy(dst[o:], p), true
}

var (
	ampEsc = []byte("&amp;")
	ltEsc  = []byte("&lt;")
	gtEsc  = []byte("&gt;")
)

// forbidden returns what replaces a forbidden character.
func (c *Cleaner) forbidden() []byte {
	if c.opts.Mode == Replace {
		return c.repl
	}
	return nil
}

// special handles the byte src[i] in text that the fast path stopped at.
func (c *Cleaner) special(dst, src []byte, o, i int, atEOF bool) (int, int, status) {
	b := src[i]
	switch {
	case b == '<':
		c.valMB, c.valLeg = false, 0
		return c.markup(dst, src, o, i, atEOF)
	case b == '&':
		return c.ref(dst, src, o, i, atEOF, true)
	case b == '>':
		t0, t1 := c.tail[0], c.tail[1]
		if o >= 2 {
			t0, t1 = dst[o-2], dst[o-1]
		} else if o == 1 {
			t0, t1 = c.tail[1], dst[0]
		}
		out := src[i : i+1]
		if t0 == ']' && t1 == ']' {
			out = gtEsc
		}
		o2, fits := emit(dst, o, out)
		if !fits {
			return o, i, shortDst
		}
		if len(out) > 1 {
			c.change(CodeCDATAEnd, src, i, i+1, gtEsc, "']]>' in text escaped as ']]&gt;'")
		}
		c.markText()
		return o2, i + 1, ok
	case b < 0x80: // a forbidden C0 control
		out := c.forbidden()
		o2, fits := emit(dst, o, out)
		if !fits {
			return o, i, shortDst
		}
		c.change(CodeInvalidChar, src, i, i+1, out, fmt.Sprintf("forbidden character U+%04X %s", b, c.verb(out)))
		return o2, i + 1, ok
	}
	return c.high(dst, src, o, i, atEOF, true)
}

func (c *Cleaner) verb(out []byte) string {
	if len(out) == 0 {
		return "deleted"
	}
	return "replaced"
}

func (c *Cleaner) markText() {
	if d := c.path.Depth(); d > 0 {
		c.text[d-1] = true
	}
}

var cp1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

// high handles a byte >= 0x80 the fast path rejected: invalid UTF-8, a
// surrogate, U+FFFE or U+FFFF. inValue is false inside CDATA and comments
// (no legacy reading there).
func (c *Cleaner) high(dst, src []byte, o, i int, atEOF, inValue bool) (int, int, status) {
	p := src[i:]
	if !atEOF && !utf8.FullRune(p) {
		return o, i, needMore
	}
	r, size := utf8.DecodeRune(p)
	if size > 1 && isChar(r) { // valid: the fast path stopped for lack of room
		o2, fits := emit(dst, o, p[:size])
		if !fits {
			return o, i, shortDst
		}
		c.valMB = true
		c.markText()
		return o2, i + size, ok
	}
	if size > 1 { // U+FFFE or U+FFFF
		out := c.forbidden()
		o2, fits := emit(dst, o, out)
		if !fits {
			return o, i, shortDst
		}
		c.change(CodeInvalidChar, src, i, i+size, out, fmt.Sprintf("forbidden character %U %s", r, c.verb(out)))
		return o2, i + size, ok
	}
	// Surrogates encoded in UTF-8: ED A0..BF xx.
	if p[0] == 0xED && len(p) >= 2 && p[1] >= 0xA0 && p[1] <= 0xBF {
		if !atEOF && (len(p) < 3 || len(p) < 6 && p[1] <= 0xAF) {
			return o, i, needMore
		}
		if len(p) >= 6 && p[1] <= 0xAF && p[2]&0xC0 == 0x80 && p[3] == 0xED && p[4] >= 0xB0 && p[4] <= 0xBF && p[5]&0xC0 == 0x80 {
			hi := rune(p[1]&0x0F)<<6 | rune(p[2]&0x3F)
			lo := rune(p[4]&0x0F)<<6 | rune(p[5]&0x3F)
			r := 0x10000 + hi<<10 + lo
			var buf [4]byte
			out := buf[:utf8.EncodeRune(buf[:], r)]
			o2, fits := emit(dst, o, out)
			if !fits {
				return o, i, shortDst
			}
			c.change(CodeCESU8, src, i, i+6, out, fmt.Sprintf("surrogate pair (CESU-8) joined into %U", r))
			c.valMB = true
			c.markText()
			return o2, i + 6, ok
		}
		n := 2
		if len(p) >= 3 && p[2]&0xC0 == 0x80 {
			n = 3
		}
		o2, fits := emit(dst, o, c.repl)
		if !fits {
			return o, i, shortDst
		}
		c.change(CodeInvalidUTF8, src, i, i+n, c.repl, "lone surrogate replaced")
		c.markText()
		return o2, i + n, ok
	}
	if inValue {
		if c.valLeg == 0 {
			st := c.decideLegacy(src, i, atEOF)
			if st != ok {
				return o, i, st
			}
		}
		if c.valLeg > 0 {
			var out []byte
			var buf [4]byte
			r := rune(p[0])
			if c.opts.Legacy == Windows1252 && r < 0xA0 {
				r = cp1252[r-0x80]
			}
			out = buf[:utf8.EncodeRune(buf[:], r)]
			o2, fits := emit(dst, o, out)
			if !fits {
				return o, i, shortDst
			}
			how := "windows-1252"
			if c.opts.Legacy == Latin1Lift {
				how = "ISO-8859-1 (as Moodle 1.5's utf8_encode did; transcode decodes it)"
			}
			c.change(CodeMixedEncoding, src, i, i+1, out, fmt.Sprintf("legacy byte 0x%02X in a value with no UTF-8 read as %s", p[0], how))
			c.markText()
			return o2, i + 1, ok
		}
		// A sequence cut short at the very end of the value?
		if n := prefixLen(p); n > 0 {
			if n < len(p) && p[n] == '<' || n == len(p) && atEOF {
				c.change(CodeTruncatedUTF8, src, i, i+n, []byte{}, "UTF-8 sequence cut off at the end of the value dropped")
				return o, i + n, ok
			}
			if n == len(p) {
				return o, i, needMore
			}
		}
	}
	o2, fits := emit(dst, o, c.repl)
	if !fits {
		return o, i, shortDst
	}
	c.change(CodeInvalidUTF8, src, i, i+1, c.repl, fmt.Sprintf("byte 0x%02X is not UTF-8; replaced", p[0]))
	c.markText()
	return o2, i + 1, ok
}

// prefixLen returns the length of the proper prefix of a valid UTF-8
// sequence at the start of p, or 0.
func prefixLen(p []byte) int {
	b := p[0]
	var need int
	switch {
	case b >= 0xC2 && b <= 0xDF:
		need = 2
	case b >= 0xE0 && b <= 0xEF:
		need = 3
	case b >= 0xF0 && b <= 0xF4:
		need = 4
	default:
		return 0
	}
	n := 1
	for n < need && n < len(p) && p[n]&0xC0 == 0x80 {
		if n == 1 {
			lo, hi := byte(0x80), byte(0xBF)
			switch b {
			case 0xE0:
				lo = 0xA0
			case 0xED:
				hi = 0x9F
			case 0xF0:
				lo = 0x90
			case 0xF4:
				hi = 0x8F
			}
			if p[1] < lo || p[1] > hi {
				return 0
			}
		}
		n++
	}
	if n == need {
		return 0 // complete: not a prefix
	}
	return n
}

// decideLegacy decides whether the current value is legacy text: it holds
// no valid multi-byte UTF-8 sequence, before or after src[i] (up to the end
// of the value, or maxLook bytes).
func (c *Cleaner) decideLegacy(src []byte, i int, atEOF bool) status {
	if c.valMB {
		c.valLeg = -1
		return ok
	}
	end := i + maxLook
	for j := i; j < len(src) && j < end; {
		b := src[j]
		if b == '<' {
			c.valLeg = 1
			return ok
		}
		if b < 0x80 {
			j++
			continue
		}
		r, size := utf8.DecodeRune(src[j:])
		if size > 1 && isChar(r) {
			c.valLeg = -1
			return ok
		}
		j++
	}
	if len(src)-i < maxLook && !atEOF {
		return needMore
	}
	c.valLeg = 1
	return ok
}

// ref handles '&' at src[i]. In text, a bare '&' becomes &amp; and a
// reference to a forbidden code point is removed.
func (c *Cleaner) ref(dst, src []byte, o, i int, atEOF, inText bool) (int, int, status) {
	p := src[i:]
	n, valid, forbid, st := scanRef(p, atEOF)
	if st != ok {
		return o, i, st
	}
	switch {
	case valid:
		o2, fits := emit(dst, o, p[:n])
		if !fits {
			return o, i, shortDst
		}
		c.markText()
		return o2, i + n, ok
	case forbid:
		out := c.forbidden()
		o2, fits := emit(dst, o, out)
		if !fits {
			return o, i, shortDst
		}
		c.change(CodeForbiddenRef, src, i, i+n, out, fmt.Sprintf("reference %s to a forbidden code point %s", p[:n], c.verb(out)))
		return o2, i + n, ok
	}
	o2, fits := emit(dst, o, ampEsc)
	if !fits {
		return o, i, shortDst
	}
	c.change(CodeBareAmpersand, src, i, i+1, ampEsc, "'&' that starts no reference escaped as '&amp;'")
	c.markText()
	return o2, i + 1, ok
}

// scanRef reads a reference at p[0] == '&'. It returns its length n when
// it is well-formed (valid) or a numeric reference to a forbidden code
// point (forbid); neither means a bare '&'.
func scanRef(p []byte, atEOF bool) (n int, valid, forbid bool, st status) {
	if len(p) < 2 {
		if atEOF {
			return 0, false, false, ok
		}
		return 0, false, false, needMore
	}
	// Fast paths: the references Moodle's escaping writes.
	switch {
	case len(p) >= 4 && (p[1] == 'l' || p[1] == 'g') && p[2] == 't' && p[3] == ';':
		return 4, true, false, ok
	case len(p) >= 5 && p[1] == 'a' && p[2] == 'm' && p[3] == 'p' && p[4] == ';':
		return 5, true, false, ok
	case len(p) >= 6 && p[1] == 'q' && string(p[:6]) == "&quot;":
		return 6, true, false, ok
	}
	if p[1] != '#' {
		for _, e := range [...]string{"&lt;", "&gt;", "&amp;", "&quot;", "&apos;"} {
			m := min(len(p), len(e))
			if string(p[:m]) == e[:m] {
				if m == len(e) {
					return m, true, false, ok
				}
				if !atEOF {
					return 0, false, false, needMore
				}
			}
		}
		return 0, false, false, ok
	}
	k, base := 2, 10
	if k < len(p) && p[k] == 'x' {
		k, base = 3, 16
	}
	start := k
	for k < len(p) && k < maxRef && (p[k] >= '0' && p[k] <= '9' || base == 16 && (p[k] >= 'a' && p[k] <= 'f' || p[k] >= 'A' && p[k] <= 'F')) {
		k++
	}
	if k == len(p) && !atEOF && k < maxRef {
		return 0, false, false, needMore
	}
	if k == start || k >= len(p) || p[k] != ';' {
		return 0, false, false, ok
	}
	v, err := strconv.ParseUint(string(p[start:k]), base, 32)
	if err != nil || v > utf8.MaxRune {
		return 0, false, false, ok
	}
	if isChar(rune(v)) {
		return k + 1, true, false, ok
	}
	return k + 1, false, true, ok
}
