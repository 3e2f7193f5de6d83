package xmlscan

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"
)

// Kind is the kind of a token.
type Kind uint8

// Token kinds.
const (
	None         Kind = iota // no token (before the first Next, after the end)
	StartElement             // <NAME attr="v"> or <NAME/>
	EndElement               // </NAME>
	CharData                 // text between tags, raw (entities not resolved)
	CDATA                    // <![CDATA[...]]>; Text is the content
	Comment                  // <!--...-->; Text is the content
	ProcInst                 // <?target ...?>; Name is the target, Text the rest
	Directive                // <!DOCTYPE ...> and other <!...>; Text is after "<!"
)

var kindNames = [...]string{"None", "StartElement", "EndElement", "CharData", "CDATA", "Comment", "ProcInst", "Directive"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", k)
}

// Pos is a place in the input. Line and Column start at 1; Column counts
// characters (an invalid byte counts as one); Offset counts bytes from 0.
type Pos struct {
	Line   int   `json:"line"`
	Column int   `json:"column"`
	Offset int64 `json:"offset"`
}

func (p Pos) String() string {
	return fmt.Sprintf("line %d, column %d (offset %d)", p.Line, p.Column, p.Offset)
}

// Options tune a Scanner. The zero value is ready to use (strict mode).
type Options struct {
	// OnError, when set, turns on diagnose mode: each well-formedness error
	// is passed to OnError and scanning continues. The *SyntaxError is the
	// callee's to keep.
	OnError func(*SyntaxError)
	// Keep, when set in diagnose mode, is asked before each error is built:
	// false drops it (OnError is not called). Use it to count cheaply
	// beyond the first errors of a kind, e.g. in a file full of legacy
	// bytes.
	Keep func(ErrorKind) bool
	// BufferSize is the initial read buffer size (default 256 KiB).
	BufferSize int
	// MaxTokenSize bounds the buffer: character data longer than this is
	// split into Partial chunks, any other longer token is a fatal error
	// (default 4 MiB; never less than BufferSize).
	MaxTokenSize int
}

// Default sizes.
const (
	DefaultBufferSize   = 256 << 10
	DefaultMaxTokenSize = 4 << 20
	minBufferSize       = 16
	maxRefLen           = 40 // longest &...; reference we wait for
)

// Scanner tokenizes XML from a reader. Create it with New.
type Scanner struct {
	r       io.Reader
	onError func(*SyntaxError)
	keep    func(ErrorKind) bool
	maxTok  int

	buf  []byte
	base int64 // input offset of buf[0]
	pos  int   // end of the current token = start of the next
	end  int   // buf[:end] holds data
	eof  bool  // the reader has no more data
	err  error // sticky: fatal error or first error in strict mode
	done bool

	// current token
	kind           Kind
	start          int
	nameLo, nameHi int
	textLo, textHi int
	self           bool
	partial        bool
	high           bool // CharData holds a byte >= 0x80
	cont           Kind // kind continued by the next token (chunked CharData)
	bomSkipped     bool
	hadBOM         bool

	// element stack
	path       []byte
	marks      []int
	popPending bool
	rootSeen   bool
	rootClosed bool

	// position tracking, lazily advanced: line and 0-based column at lnOff.
	lnOff     int64
	line, col int
	// last position computed ahead of lnOff (see posAhead)
	ecOff         int64
	ecLine, ecCol int
}

// New returns a Scanner reading r.
func New(r io.Reader, opts Options) *Scanner {
	bs := opts.BufferSize
	if bs <= 0 {
		bs = DefaultBufferSize
	}
	if bs < minBufferSize {
		bs = minBufferSize
	}
	mt := opts.MaxTokenSize
	if mt <= 0 {
		mt = DefaultMaxTokenSize
	}
	if mt < bs {
		mt = bs
	}
	s := &Scanner{onError: opts.OnError, keep: opts.Keep, maxTok: mt, buf: make([]byte, bs)}
	s.Reset(r)
	return s
}

// Reset makes s read from r as a new document, keeping its buffers.
func (s *Scanner) Reset(r io.Reader) {
	buf, path, marks := s.buf, s.path[:0], s.marks[:0]
	*s = Scanner{r: r, onError: s.onError, keep: s.keep, maxTok: s.maxTok, buf: buf, path: path, marks: marks, line: 1}
}

// Kind returns the kind of the current token.
func (s *Scanner) Kind() Kind { return s.kind }

// Name returns the element name of a StartElement or EndElement, or the
// target of a ProcInst.
func (s *Scanner) Name() []byte { return s.buf[s.nameLo:s.nameHi] }

// Attrs returns the raw attribute bytes of a StartElement (after the name,
// before "/>" or ">"), possibly with leading and trailing white space. Walk
// them with NextAttr.
func (s *Scanner) Attrs() []byte {
	if s.kind != StartElement {
		return nil
	}
	return s.buf[s.textLo:s.textHi]
}

// SelfClosing reports whether the current StartElement was written <X/>.
// No EndElement token follows it.
func (s *Scanner) SelfClosing() bool { return s.self }

// Text returns the raw content of a CharData, CDATA, Comment, ProcInst or
// Directive token: for CharData the bytes as in the input, entities not
// resolved (use AppendText for the value).
func (s *Scanner) Text() []byte {
	if s.kind == StartElement {
		return nil
	}
	return s.buf[s.textLo:s.textHi]
}

// Partial reports whether the current CharData token is a chunk of a longer
// text that continues in the next token.
func (s *Scanner) Partial() bool { return s.partial }

// NonASCII reports whether the current CharData token holds a byte >= 0x80
// (found while scanning, at no extra cost).
func (s *Scanner) NonASCII() bool { return s.high }

// Raw returns the bytes of the current token exactly as in the input.
func (s *Scanner) Raw() []byte { return s.buf[s.start:s.pos] }

// Offset returns the input offset of the current token's first byte.
func (s *Scanner) Offset() int64 { return s.base + int64(s.start) }

// Pos returns the line, column and offset of the current token's first byte.
func (s *Scanner) Pos() Pos { return s.posAt(s.start) }

// InputOffset returns the number of input bytes consumed so far (the offset
// just after the current token).
func (s *Scanner) InputOffset() int64 { return s.base + int64(s.pos) }

// Depth returns the number of open elements, counting a StartElement's own
// element and an EndElement's element.
func (s *Scanner) Depth() int { return len(s.marks) }

// Path returns the slash-separated names of the open elements, as Depth
// counts them, e.g. "MOODLE_BACKUP/COURSE/HEADER".
func (s *Scanner) Path() []byte { return s.path }

// Err returns the error that stopped the scan, or nil at a clean end. In
// strict mode this is the first *SyntaxError; in diagnose mode only a read
// error or a token over MaxTokenSize.
func (s *Scanner) Err() error { return s.err }

// AppendText appends the value of the current token to dst and returns the
// extended slice: for CharData the text with references resolved and line
// ends normalised (see Unescape); for the other text kinds the raw content.
func (s *Scanner) AppendText(dst []byte) []byte {
	switch s.kind {
	case CharData:
		return Unescape(dst, s.buf[s.textLo:s.textHi])
	case CDATA, Comment, ProcInst, Directive:
		return append(dst, s.buf[s.textLo:s.textHi]...)
	}
	return dst
}

// IsSpace reports whether b holds only XML white space (space, tab, CR, LF).
func IsSpace(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

// Next advances to the next token. It returns false at the end of the input
// or when the scan stopped on an error (see Err).
func (s *Scanner) Next() bool {
	if s.err != nil || s.done {
		s.kind = None
		return false
	}
	if s.popPending {
		s.pop()
		s.popPending = false
	}
	s.start = s.pos
	s.kind, s.self, s.partial, s.high = None, false, false, false
	s.nameLo, s.nameHi, s.textLo, s.textHi = s.start, s.start, s.start, s.start
	if s.start == s.end && !s.more() {
		s.atEOF()
		return false
	}
	if !s.bomSkipped {
		s.bomSkipped = true
		if s.base == 0 && s.start == 0 {
			for s.end < 3 && s.more() {
			}
			if s.end >= 3 && s.buf[0] == 0xEF && s.buf[1] == 0xBB && s.buf[2] == 0xBF {
				s.start, s.pos, s.hadBOM = 3, 3, true
				s.nameLo, s.nameHi, s.textLo, s.textHi = 3, 3, 3, 3
				s.lnOff = 3
				if s.start == s.end && !s.more() {
					s.atEOF()
					return false
				}
			}
		}
	}
	if s.cont == CharData {
		s.cont = None
		s.charData(s.start)
	} else if s.buf[s.start] == '<' {
		s.markup()
	} else {
		s.charData(s.start)
	}
	if s.err != nil {
		s.kind = None
		return false
	}
	return true
}

func (s *Scanner) atEOF() {
	s.done = true
	s.kind = None
	if s.err != nil {
		return
	}
	if n := len(s.marks); n > 0 {
		s.report(ErrTruncated, s.base+int64(s.end),
			fmt.Sprintf("unexpected end of input: %d element(s) not closed, innermost <%s>", n, s.path[s.top():]))
	} else if !s.rootSeen {
		s.report(ErrTruncated, s.base+int64(s.end), "no root element")
	}
}

// top returns the index in path of the innermost element's name.
func (s *Scanner) top() int {
	m := s.marks[len(s.marks)-1]
	if m > 0 {
		m++ // skip '/'
	}
	return m
}

func (s *Scanner) push(lo, hi int) {
	if len(s.marks) == 0 {
		if s.rootClosed {
			s.report(ErrSyntax, s.base+int64(lo-1), fmt.Sprintf("second root element <%s> after the end of the document element", s.buf[lo:hi]))
		}
		s.rootSeen = true
	}
	s.marks = append(s.marks, len(s.path))
	if len(s.path) > 0 {
		s.path = append(s.path, '/')
	}
	s.path = append(s.path, s.buf[lo:hi]...)
}

func (s *Scanner) pop() {
	n := len(s.marks) - 1
	s.path = s.path[:s.marks[n]]
	s.marks = s.marks[:n]
	if n == 0 {
		s.rootClosed = true
	}
}

// more reads more input into the buffer, keeping buf[s.start:]. It returns
// false when nothing could be added: end of input, read error, or the
// buffer is full at MaxTokenSize. Indices into buf shift by the returned
// amount (callers use shift-safe offsets relative to s.start).
func (s *Scanner) more() bool {
	if s.eof {
		return false
	}
	if s.start > 0 {
		s.advancePos(s.base + int64(s.start))
		n := copy(s.buf, s.buf[s.start:s.end])
		d := s.start
		s.base += int64(d)
		s.end = n
		s.pos -= d
		s.start = 0
		s.nameLo -= d
		s.nameHi -= d
		s.textLo -= d
		s.textHi -= d
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= s.maxTok {
			return false
		}
		nb := 2 * len(s.buf)
		if nb > s.maxTok {
			nb = s.maxTok
		}
		b := make([]byte, nb)
		copy(b, s.buf[:s.end])
		s.buf = b
	}
	old := s.end
	for s.end < len(s.buf) {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.err = fmt.Errorf("read at offset %d: %w", s.base+int64(s.end), err)
			}
			break
		}
		if n == 0 {
			// A reader returning 0, nil repeatedly: try a few times only.
			continue
		}
	}
	return s.end > old
}

// posAt returns the position of buf[i]; i must not be before the current
// token's start.
func (s *Scanner) posAt(i int) Pos {
	s.advancePos(s.base + int64(s.start))
	return s.posAhead(s.base + int64(i))
}

// advancePos moves the tracked position forward to input offset off, which
// must be inside or at the end of the buffer.
func (s *Scanner) advancePos(off int64) {
	if off <= s.lnOff {
		return
	}
	seg := s.buf[s.lnOff-s.base : off-s.base]
	if n := bytes.Count(seg, nl); n == 0 {
		s.col += utf8.RuneCount(seg)
	} else {
		s.line += n
		s.col = utf8.RuneCount(seg[bytes.LastIndexByte(seg, '\n')+1:])
	}
	s.lnOff = off
}

// posAhead computes the position of offset off >= lnOff without moving the
// tracked position. It remembers its result, so a run of increasing offsets
// (errors inside one long token) costs linear time.
func (s *Scanner) posAhead(off int64) Pos {
	if off > s.base+int64(s.end) {
		off = s.base + int64(s.end)
	}
	from, line, col := s.lnOff, s.line, s.col
	if s.ecOff >= s.lnOff && s.ecOff <= off && s.ecOff >= s.base {
		from, line, col = s.ecOff, s.ecLine, s.ecCol
	}
	if off > from {
		seg := s.buf[from-s.base : off-s.base]
		if n := bytes.Count(seg, nl); n == 0 {
			col += utf8.RuneCount(seg)
		} else {
			line += n
			col = utf8.RuneCount(seg[bytes.LastIndexByte(seg, '\n')+1:])
		}
	}
	s.ecOff, s.ecLine, s.ecCol = off, line, col
	return Pos{Line: line, Column: col + 1, Offset: off}
}

var nl = []byte{'\n'}

// report records a well-formedness error at input offset off.
func (s *Scanner) report(kind ErrorKind, off int64, msg string) {
	if s.err != nil && s.onError == nil {
		return
	}
	if s.onError != nil && s.keep != nil && !s.keep(kind) {
		return
	}
	var p Pos
	if off >= s.base+int64(s.start) {
		s.advancePos(s.base + int64(s.start))
		p = s.posAhead(off)
	} else {
		p = Pos{Offset: off}
	}
	e := &SyntaxError{Kind: kind, Pos: p, Path: string(s.path), Msg: msg}
	if i := int(off - s.base); i >= 0 && i < s.end {
		j := i + 24
		if j > s.end {
			j = s.end
		}
		e.Near = string(s.buf[i:j])
	}
	if s.onError != nil {
		s.onError(e)
		return
	}
	s.err = e
}

// fatal stops the scan, in either mode.
func (s *Scanner) fatal(kind ErrorKind, off int64, msg string) {
	cb := s.onError
	s.onError = nil
	s.err = nil
	s.report(kind, off, msg)
	s.onError = cb
	if cb != nil {
		cb(s.err.(*SyntaxError))
	}
}

// Character classes for the text loop.
const (
	cPlain   = 0
	cLT      = 1
	cAmp     = 2
	cCtrl    = 3 // C0 control XML forbids
	cHigh    = 4 // start of a multi-byte sequence (or invalid byte)
	cNameSt  = 1 << 3
	cNameCh  = 1 << 4
	cSpace   = 1 << 5
	cClassMk = 7
)

var class = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = cCtrl
	}
	t['\t'], t['\n'], t['\r'] = cPlain|cSpace, cPlain|cSpace, cPlain|cSpace
	t[' '] = cSpace
	t['<'] = cLT
	t['&'] = cAmp
	for c := 0x80; c < 0x100; c++ {
		t[c] = cHigh | cNameSt | cNameCh
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] |= cNameSt | cNameCh
		t[c-'a'+'A'] |= cNameSt | cNameCh
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= cNameCh
	}
	t['_'] |= cNameSt | cNameCh
	t[':'] |= cNameSt | cNameCh
	t['-'] |= cNameCh
	t['.'] |= cNameCh
	return t
}()

// special is the fast-path table of the text loop: true for the bytes that
// need attention in character data.
var special = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = class[c]&cClassMk != cPlain
	}
	return t
}()

// SWAR constants: one in each byte, and each byte's high bit.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// hasSpecial reports whether one of the 8 bytes of x may need attention in
// character data: below 0x20, at or above 0x80, '&' or '<'. False
// positives are harmless (the byte loop decides).
func hasSpecial(x uint64) bool {
	ctl := (x - ones*0x20) &^ x & highs
	amp := x ^ (ones * '&')
	lt := x ^ (ones * '<')
	return (ctl | x&highs | (amp-ones)&^amp&highs | (lt-ones)&^lt&highs) != 0
}

// charData scans character data starting at buf[from] (from >= s.start).
func (s *Scanner) charData(from int) {
	s.kind = CharData
	rel := from - s.start
	for {
		b := s.buf[:s.end]
		i := s.start + rel
	scan:
		for i < len(b) {
			// Skip 8 plain bytes at a time.
			for i+8 <= len(b) && !hasSpecial(binary.LittleEndian.Uint64(b[i:])) {
				i += 8
			}
			if i >= len(b) {
				break
			}
			if !special[b[i]] {
				i++
				continue
			}
			switch class[b[i]] & cClassMk {
			case cLT:
				break scan
			case cAmp:
				n, ok := s.ref(i, len(b), !s.eof)
				if !ok {
					break scan // need more input
				}
				i = n
			case cCtrl:
				s.report(ErrInvalidChar, s.base+int64(i), fmt.Sprintf("character U+%04X is not allowed in XML", b[i]))
				i++
			default: // cHigh
				s.high = true
				n, ok := s.utf8At(i, len(b), !s.eof)
				if !ok {
					break scan
				}
				i = n
			}
		}
		rel = i - s.start
		if i < len(b) && b[i] == '<' || s.eof && i == len(b) {
			s.finishText(i, false)
			return
		}
		// i == len(b) or stopped on an incomplete reference/sequence.
		if !s.more() {
			if s.err != nil && s.eof && s.onError == nil {
				return
			}
			if s.eof {
				// Nothing more will come: take the rest as is.
				i = s.start + rel
				if i < s.end {
					// An incomplete reference or sequence at the very end.
					s.tail(i)
				}
				s.finishText(s.end, false)
				return
			}
			// Buffer full: emit what we have as a partial chunk.
			i = s.start + rel
			if i == s.start {
				s.fatal(ErrSyntax, s.base+int64(i), "character data cannot be split")
				return
			}
			s.finishText(i, true)
			return
		}
	}
}

// tail reports the errors in an incomplete reference or UTF-8 sequence at
// the end of the input, buf[i:end].
func (s *Scanner) tail(i int) {
	for i < s.end {
		c := s.buf[i]
		switch class[c] & cClassMk {
		case cAmp:
			n, _ := s.ref(i, s.end, false)
			i = n
		case cHigh:
			s.high = true
			n, _ := s.utf8At(i, s.end, false)
			i = n
		case cCtrl:
			s.report(ErrInvalidChar, s.base+int64(i), fmt.Sprintf("character U+%04X is not allowed in XML", c))
			i++
		default:
			i++
		}
	}
}

func (s *Scanner) finishText(i int, partial bool) {
	s.pos = i
	s.textLo, s.textHi = s.start, i
	s.partial = partial
	if partial {
		s.cont = CharData
	}
	if len(s.marks) == 0 {
		t := s.buf[s.start:i]
		for k, c := range t {
			if c != ' ' && c != '\n' && c != '\t' && c != '\r' {
				what := "text"
				if c == '<' {
					what = "'<'"
				}
				s.report(ErrSyntax, s.base+int64(s.start+k), what+" outside the root element")
				break
			}
		}
	}
}

// utf8At checks the multi-byte sequence at buf[i] (hi bounds it). It returns
// the index after it; ok is false when the sequence is cut by hi and wait is
// set (more input may complete it).
func (s *Scanner) utf8At(i, hi int, wait bool) (next int, ok bool) {
	b := s.buf[i:hi]
	if wait && !utf8.FullRune(b) {
		return i, false
	}
	r, size := utf8.DecodeRune(b)
	switch {
	case r == utf8.RuneError && size <= 1:
		s.report(ErrInvalidUTF8, s.base+int64(i), fmt.Sprintf("byte 0x%02X is not valid UTF-8", b[0]))
		return i + 1, true
	case r == 0xFFFE || r == 0xFFFF:
		s.report(ErrInvalidChar, s.base+int64(i), fmt.Sprintf("character U+%04X is not allowed in XML", r))
	}
	return i + size, true
}

// ref checks the reference starting with '&' at buf[i] (hi bounds it). It
// returns the index after it (after the '&' alone when it is bad); ok is
// false when the reference may be cut by hi and wait is set.
func (s *Scanner) ref(i, hi int, wait bool) (next int, ok bool) {
	b := s.buf[i:hi]
	semi := -1
	lim := len(b)
	if lim > maxRefLen {
		lim = maxRefLen
	}
	for k := 1; k < lim; k++ {
		c := b[k]
		if c == ';' {
			semi = k
			break
		}
		if class[c]&cNameCh == 0 && c != '#' {
			break
		}
		if c >= 0x80 {
			break
		}
	}
	if semi < 0 {
		if wait && len(b) < maxRefLen {
			// Could the reference still be completed?
			allName := true
			for k := 1; k < len(b); k++ {
				if c := b[k]; class[c]&cNameCh == 0 && c != '#' || c >= 0x80 {
					allName = false
					break
				}
			}
			if allName {
				return i, false
			}
		}
		s.report(ErrEntity, s.base+int64(i), "'&' does not start a reference such as &amp; or &#38; (a bare & must be written &amp;)")
		return i + 1, true
	}
	name := b[1:semi]
	if len(name) > 0 && name[0] == '#' {
		r, valid := parseCharRef(name[1:])
		if !valid {
			s.report(ErrEntity, s.base+int64(i), fmt.Sprintf("malformed character reference &%s;", name))
			return i + 1, true
		}
		if !IsXMLChar(r) {
			s.report(ErrInvalidChar, s.base+int64(i), fmt.Sprintf("character reference &%s; names U+%04X, which is not allowed in XML", name, r))
		}
		return i + semi + 1, true
	}
	if predefined(name) == 0 {
		if len(name) == 0 || class[name[0]]&cNameSt == 0 {
			s.report(ErrEntity, s.base+int64(i), "'&' does not start a reference such as &amp; or &#38; (a bare & must be written &amp;)")
			return i + 1, true
		}
		s.report(ErrEntity, s.base+int64(i), fmt.Sprintf("undeclared entity &%s; (only &lt; &gt; &amp; &quot; &apos; exist without a DTD)", name))
		return i + semi + 1, true
	}
	return i + semi + 1, true
}

// predefined returns the character of one of the five predefined entities,
// or 0.
func predefined(name []byte) byte {
	switch string(name) {
	case "lt":
		return '<'
	case "gt":
		return '>'
	case "amp":
		return '&'
	case "quot":
		return '"'
	case "apos":
		return '\''
	}
	return 0
}

// parseCharRef parses the part of a character reference after "&#": decimal
// digits or x and hex digits.
func parseCharRef(b []byte) (rune, bool) {
	base := 10
	if len(b) > 0 && b[0] == 'x' {
		base, b = 16, b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	var r rune
	for _, c := range b {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return 0, false
		}
		r = r*rune(base) + d
		if r > utf8.MaxRune {
			r = utf8.MaxRune + 1 // keep it invalid, avoid overflow
		}
	}
	return r, true
}

// IsXMLChar reports whether XML 1.0 allows r in a document.
func IsXMLChar(r rune) bool {
	switch {
	case r == 0x09 || r == 0x0A || r == 0x0D:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= utf8.MaxRune:
		return true
	}
	return false
}
