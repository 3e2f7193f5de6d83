package users

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/moodlemig/moodlemig/xmlscan"
)

// tokKind is the kind of a scanned XML token.
type tokKind int

const (
	tokStart tokKind = iota + 1 // <name ...> or <name .../>
	tokEnd                      // </name>
	tokText                     // character data (raw, still escaped)
	tokCDATA                    // <![CDATA[...]]> (Text holds the content)
	tokOther                    // prolog, comment, PI, DOCTYPE
)

// maxTag bounds a start tag's size (name and attributes).
const maxTag = 1 << 20

// token is one XML token. Name, Attrs and Text alias the scanner's buffers
// and are valid until the next call to next.
type token struct {
	kind      tokKind
	name      []byte
	attrs     []byte // raw attribute text of a start tag
	selfClose bool
	text      []byte // raw text (tokText) or content (tokCDATA); only the first textMax bytes
	truncated bool   // text was longer than textMax
	off, end  int64  // byte range of the whole token in the input
	line, col int    // where the token starts (1-based)
}

// scanner is a small streaming XML tokenizer. It reports exact byte offsets
// so that a later pass can splice values, and it never holds more than one
// tag, or textMax bytes of one text, in memory. It checks structure only as
// far as its callers need: well-formed nesting is their business.
type scanner struct {
	rd        io.Reader
	buf       []byte
	r, w      int
	off       int64 // input offset of buf[r]
	line      int
	lineStart int64 // input offset of the first byte of the current line
	eof       bool
	err       error
	textMax   int
	text      []byte
	tag       []byte
}

func newScanner(r io.Reader, textMax int) *scanner {
	return &scanner{rd: r, buf: make([]byte, 64<<10), line: 1, textMax: textMax}
}

// fill reads more input, keeping buf[r:w]. It reports false at EOF or error.
func (s *scanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.r > 0 {
		n := copy(s.buf, s.buf[s.r:s.w])
		s.w, s.r = n, 0
	}
	if s.w == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.w])
		s.buf = nb
	}
	for i := 0; i < 100; i++ {
		n, err := s.rd.Read(s.buf[s.w:])
		s.w += n
		if err == io.EOF {
			s.eof = true
			return n > 0
		}
		if err != nil {
			s.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// consume advances over n buffered bytes, keeping line counts.
func (s *scanner) consume(n int) {
	chunk := s.buf[s.r : s.r+n]
	if c := bytes.Count(chunk, nl); c > 0 {
		s.line += c
		s.lineStart = s.off + int64(bytes.LastIndexByte(chunk, '\n')) + 1
	}
	s.r += n
	s.off += int64(n)
}

var nl = []byte{'\n'}

func (s *scanner) pos() (int, int) {
	return s.line, int(s.off-s.lineStart) + 1
}

// syntaxError is a malformed-XML error with its position.
type syntaxError struct {
	Line, Column int
	Msg          string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// next returns the next token, or io.EOF at the end of the input.
func (s *scanner) next() (token, error) {
	if s.r >= s.w && !s.fill() {
		if s.err != nil {
			return token{}, s.err
		}
		return token{}, io.EOF
	}
	var t token
	t.off = s.off
	t.line, t.col = s.pos()
	if s.buf[s.r] != '<' {
		return s.scanText(t)
	}
	// Markup: make sure a few bytes are there to tell which kind.
	for s.w-s.r < 9 && s.fill() {
	}
	head := s.buf[s.r:s.w]
	switch {
	case bytes.HasPrefix(head, []byte("<![CDATA[")):
		return s.scanCDATA(t)
	case bytes.HasPrefix(head, []byte("<!--")):
		return s.skipPast(t, []byte("-->"), 4)
	case bytes.HasPrefix(head, []byte("<?")):
		return s.skipPast(t, []byte("?>"), 2)
	case bytes.HasPrefix(head, []byte("<!")):
		return s.skipDecl(t)
	}
	return s.scanTag(t)
}

func (s *scanner) scanText(t token) (token, error) {
	t.kind = tokText
	s.text = s.text[:0]
	for {
		i := bytes.IndexByte(s.buf[s.r:s.w], '<')
		n := s.w - s.r
		if i >= 0 {
			n = i
		}
		s.keepText(s.buf[s.r:s.r+n], &t)
		s.consume(n)
		if i >= 0 || !s.fill() {
			break
		}
	}
	if s.err != nil {
		return t, s.err
	}
	t.text, t.end = s.text, s.off
	return t, nil
}

func (s *scanner) keepText(b []byte, t *token) {
	room := s.textMax - len(s.text)
	if len(b) > room {
		b = b[:max(room, 0)]
		t.truncated = true
	}
	s.text = append(s.text, b...)
}

func (s *scanner) scanCDATA(t token) (token, error) {
	t.kind = tokCDATA
	s.text = s.text[:0]
	s.consume(9)
	end := []byte("]]>")
	for {
		if i := bytes.Index(s.buf[s.r:s.w], end); i >= 0 {
			s.keepText(s.buf[s.r:s.r+i], &t)
			s.consume(i + 3)
			t.text, t.end = s.text, s.off
			return t, nil
		}
		// Keep the last two bytes: they may start the terminator.
		if n := s.w - s.r - 2; n > 0 {
			s.keepText(s.buf[s.r:s.r+n], &t)
			s.consume(n)
		}
		if !s.fill() {
			return t, s.unexpectedEOF(t, "CDATA section")
		}
	}
}

func (s *scanner) unexpectedEOF(t token, what string) error {
	if s.err != nil {
		return s.err
	}
	return &syntaxError{t.line, t.col, "unexpected end of file inside " + what}
}

// skipPast consumes up to and including end.
func (s *scanner) skipPast(t token, end []byte, skip int) (token, error) {
	t.kind = tokOther
	s.consume(skip)
	for {
		if i := bytes.Index(s.buf[s.r:s.w], end); i >= 0 {
			s.consume(i + len(end))
			t.end = s.off
			return t, nil
		}
		if n := s.w - s.r - (len(end) - 1); n > 0 {
			s.consume(n)
		}
		if !s.fill() {
			return t, s.unexpectedEOF(t, "a comment or processing instruction")
		}
	}
}

// skipDecl consumes <!DOCTYPE ...> with an optional [internal subset].
func (s *scanner) skipDecl(t token) (token, error) {
	t.kind = tokOther
	depth := 0
	var quote byte
	s.consume(2)
	for {
		for s.r < s.w {
			c := s.buf[s.r]
			s.consume(1)
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '"' || c == '\'':
				quote = c
			case c == '[':
				depth++
			case c == ']':
				depth--
			case c == '>' && depth <= 0:
				t.end = s.off
				return t, nil
			}
		}
		if !s.fill() {
			return t, s.unexpectedEOF(t, "a declaration")
		}
	}
}

func (s *scanner) scanTag(t token) (token, error) {
	// Find the closing '>' outside quotes.
	var quote byte
	i := 1
	for {
		for ; s.r+i < s.w; i++ {
			c := s.buf[s.r+i]
			if quote != 0 {
				if c == quote {
					quote = 0
				}
				continue
			}
			if c == '"' || c == '\'' {
				quote = c
			} else if c == '>' {
				goto found
			} else if c == '<' {
				return t, &syntaxError{t.line, t.col, "'<' inside a tag"}
			}
		}
		if i > maxTag {
			return t, &syntaxError{t.line, t.col, "tag longer than 1 MiB"}
		}
		if !s.fill() {
			return t, s.unexpectedEOF(t, "a tag")
		}
	}
found:
	s.tag = append(s.tag[:0], s.buf[s.r:s.r+i+1]...)
	s.consume(i + 1)
	t.end = s.off
	body := s.tag[1 : len(s.tag)-1]
	if len(body) > 0 && body[0] == '/' {
		t.kind = tokEnd
		t.name = bytes.TrimRight(body[1:], " \t\r\n")
	} else {
		t.kind = tokStart
		if n := len(body); n > 0 && body[n-1] == '/' {
			t.selfClose = true
			body = body[:n-1]
		}
		j := bytes.IndexAny(body, " \t\r\n")
		if j < 0 {
			j = len(body)
		}
		t.name, t.attrs = body[:j], body[j:]
	}
	if len(t.name) == 0 {
		return t, &syntaxError{t.line, t.col, "tag without a name"}
	}
	return t, nil
}

// raw returns the bytes of the last tag token (valid until next).
func (s *scanner) raw() []byte { return s.tag }

// attr returns the unescaped value of attribute name in raw attribute text.
func attr(attrs []byte, name string) (string, bool) {
	a := attrs
	for len(a) > 0 {
		a = bytes.TrimLeft(a, " \t\r\n")
		eq := bytes.IndexByte(a, '=')
		if eq < 0 {
			return "", false
		}
		key := bytes.TrimSpace(a[:eq])
		a = bytes.TrimLeft(a[eq+1:], " \t\r\n")
		if len(a) == 0 || (a[0] != '"' && a[0] != '\'') {
			return "", false
		}
		q := a[0]
		end := bytes.IndexByte(a[1:], q)
		if end < 0 {
			return "", false
		}
		val := a[1 : 1+end]
		a = a[2+end:]
		if string(key) == name {
			return unescape(val), true
		}
	}
	return "", false
}

// unescape decodes the five predefined entities and character references;
// anything else is kept as written.
func unescape(b []byte) string {
	return string(xmlscan.Unescape(nil, b))
}

// escape encodes s for XML character data, as Moodle's writers do.
func escape(s string) string {
	if !strings.ContainsAny(s, "&<>\"") {
		return s
	}
	var sb strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			sb.WriteString("&amp;")
		case '<':
			sb.WriteString("&lt;")
		case '>':
			sb.WriteString("&gt;")
		case '"':
			sb.WriteString("&quot;")
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
