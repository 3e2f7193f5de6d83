package xmlscan

import (
	"bytes"
	"fmt"
)

var (
	seqCommentEnd = []byte("-->")
	seqCDATAEnd   = []byte("]]>")
	seqPIEnd      = []byte("?>")
	seqCDATAStart = []byte("<![CDATA[")
	seqComment    = []byte("<!--")
)

// need makes sure buf[s.start:s.start+n] is read, as far as the input goes.
func (s *Scanner) need(n int) bool {
	for s.end-s.start < n {
		if !s.more() {
			return false
		}
	}
	return true
}

// markup scans a token starting with '<' at buf[s.start].
func (s *Scanner) markup() {
	if !s.need(2) {
		s.report(ErrTruncated, s.Offset(), "input ends with '<'")
		s.finishText(s.end, false)
		s.kind = CharData
		return
	}
	c := s.buf[s.start+1]
	switch {
	case c == '/':
		s.endTag()
	case c == '?':
		s.procInst()
	case c == '!':
		s.bang()
	case class[c]&cNameSt != 0:
		s.startTag()
	default:
		s.report(ErrSyntax, s.Offset(), "'<' does not start a tag (a literal < must be written &lt;)")
		s.charData(s.start + 1)
	}
}

// tagEnd finds the '>' that closes the tag starting at s.start, reading more
// input as needed. It returns its index with closed set, or the index of a
// '<' (or the end of input) where the tag stops unclosed. ok is false after
// a fatal error.
func (s *Scanner) tagEnd() (k int, closed, ok bool) {
	rel := 1
	var quote byte
	for {
		b := s.buf[:s.end]
		for i := s.start + rel; i < len(b); i++ {
			c := b[i]
			if quote != 0 {
				if c == quote {
					quote = 0
				} else if c == '<' {
					return i, false, true
				}
				continue
			}
			switch c {
			case '>':
				return i, true, true
			case '<':
				return i, false, true
			case '"', '\'':
				quote = c
			}
		}
		rel = s.end - s.start
		if !s.more() {
			if s.eof || s.err != nil {
				return s.end, false, s.err == nil || s.onError != nil
			}
			s.fatal(ErrSyntax, s.Offset(), fmt.Sprintf("tag longer than %d bytes (MaxTokenSize)", s.maxTok))
			return 0, false, false
		}
	}
}

// name scans a name starting at buf[i] (already known to be a name start
// character) and returns the index after it.
func (s *Scanner) name(i, hi int) int {
	b := s.buf[:hi]
	high := false
	lo := i
	for i < len(b) && class[b[i]]&cNameCh != 0 {
		if b[i] >= 0x80 {
			high = true
		}
		i++
	}
	if high {
		for k := lo; k < i; {
			if b[k] < 0x80 {
				k++
				continue
			}
			k, _ = s.utf8At(k, i, false)
		}
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

func (s *Scanner) startTag() {
	k, closed, ok := s.tagEnd()
	if !ok {
		return
	}
	s.kind = StartElement
	s.nameLo = s.start + 1
	s.nameHi = s.name(s.nameLo, k)
	i := s.nameHi
	s.textLo = i
	attrEnd := k
	b := s.buf
	for {
		sp := i
		for i < k && isSpace(b[i]) {
			i++
		}
		if i >= k {
			break
		}
		if b[i] == '/' && closed && i == k-1 {
			s.self = true
			attrEnd = i
			break
		}
		if i == sp || class[b[i]]&cNameSt == 0 {
			s.report(ErrSyntax, s.base+int64(i), fmt.Sprintf("unexpected %q in tag <%s>", b[i], b[s.nameLo:s.nameHi]))
			break
		}
		i = s.name(i, k)
		for i < k && isSpace(b[i]) {
			i++
		}
		if i >= k || b[i] != '=' {
			s.report(ErrSyntax, s.base+int64(i), fmt.Sprintf("attribute without '=' in tag <%s>", b[s.nameLo:s.nameHi]))
			break
		}
		i++
		for i < k && isSpace(b[i]) {
			i++
		}
		if i >= k || b[i] != '"' && b[i] != '\'' {
			s.report(ErrSyntax, s.base+int64(i), fmt.Sprintf("attribute value not quoted in tag <%s>", b[s.nameLo:s.nameHi]))
			break
		}
		q := b[i]
		j := bytes.IndexByte(b[i+1:k], q)
		if j < 0 {
			s.report(ErrSyntax, s.base+int64(i), fmt.Sprintf("attribute value not closed in tag <%s>", b[s.nameLo:s.nameHi]))
			break
		}
		s.checkText(i+1, i+1+j, true)
		i = i + 1 + j + 1
	}
	s.textHi = attrEnd
	if closed {
		s.pos = k + 1
	} else {
		s.pos = k
		s.report(ErrSyntax, s.base+int64(k), fmt.Sprintf("tag <%s> is not closed with '>'", b[s.nameLo:s.nameHi]))
	}
	s.push(s.nameLo, s.nameHi)
	if s.self {
		s.popPending = true
	}
}

// checkText reports forbidden characters, bad UTF-8 and (when refs) bad
// references in buf[lo:hi], which is complete.
func (s *Scanner) checkText(lo, hi int, refs bool) {
	b := s.buf[:hi]
	for i := lo; i < len(b); {
		c := b[i]
		if !special[c] {
			i++
			continue
		}
		switch class[c] & cClassMk {
		case cAmp:
			if refs {
				i, _ = s.ref(i, hi, false)
			} else {
				i++
			}
		case cCtrl:
			s.report(ErrInvalidChar, s.base+int64(i), fmt.Sprintf("character U+%04X is not allowed in XML", c))
			i++
		case cHigh:
			i, _ = s.utf8At(i, hi, false)
		default:
			if c == '<' && refs {
				s.report(ErrSyntax, s.base+int64(i), "'<' in an attribute value")
			}
			i++
		}
	}
}

func (s *Scanner) endTag() {
	k, closed, ok := s.tagEnd()
	if !ok {
		return
	}
	s.kind = EndElement
	b := s.buf
	s.nameLo = s.start + 2
	if s.nameLo < k && class[b[s.nameLo]]&cNameSt != 0 {
		s.nameHi = s.name(s.nameLo, k)
	} else {
		s.nameHi = s.nameLo
	}
	i := s.nameHi
	for i < k && isSpace(b[i]) {
		i++
	}
	if s.nameHi == s.nameLo || i != k {
		s.report(ErrSyntax, s.base+int64(i), "malformed end tag")
	}
	if closed {
		s.pos = k + 1
	} else {
		s.pos = k
		s.report(ErrSyntax, s.base+int64(k), fmt.Sprintf("end tag </%s> is not closed with '>'", b[s.nameLo:s.nameHi]))
	}
	s.textLo, s.textHi = s.pos, s.pos
	name := b[s.nameLo:s.nameHi]
	if len(s.marks) == 0 {
		s.report(ErrSyntax, s.Offset(), fmt.Sprintf("end tag </%s> without a start tag", name))
		return
	}
	if bytes.Equal(s.path[s.top():], name) {
		s.popPending = true
		return
	}
	// Find an open element of that name further out.
	for d := len(s.marks) - 2; d >= 0; d-- {
		lo := s.marks[d]
		if d > 0 {
			lo++
		}
		hi := len(s.path)
		if d+1 < len(s.marks) {
			hi = s.marks[d+1]
		}
		if bytes.Equal(s.path[lo:hi], name) {
			s.report(ErrSyntax, s.Offset(), fmt.Sprintf("end tag </%s> closes <%s> (element <%s> was not closed)", name, name, s.path[s.top():]))
			for len(s.marks) > d+1 {
				s.pop()
			}
			s.popPending = true
			return
		}
	}
	s.report(ErrSyntax, s.Offset(), fmt.Sprintf("end tag </%s> does not match the open element <%s>", name, s.path[s.top():]))
}

// findSeq finds seq at or after buf[from], reading more input as needed. It
// returns its index with found set, or the end of input unfound. ok is false
// after a fatal error.
func (s *Scanner) findSeq(from int, seq []byte) (k int, found, ok bool) {
	rel := from - s.start
	for {
		if idx := bytes.Index(s.buf[s.start+rel:s.end], seq); idx >= 0 {
			return s.start + rel + idx, true, true
		}
		if r := s.end - s.start - (len(seq) - 1); r > rel {
			rel = r
		}
		if !s.more() {
			if s.eof || s.err != nil {
				return s.end, false, s.err == nil || s.onError != nil
			}
			s.fatal(ErrSyntax, s.Offset(), fmt.Sprintf("token longer than %d bytes (MaxTokenSize)", s.maxTok))
			return 0, false, false
		}
	}
}

func (s *Scanner) procInst() {
	k, found, ok := s.findSeq(s.start+2, seqPIEnd)
	if !ok {
		return
	}
	s.kind = ProcInst
	b := s.buf
	s.nameLo = s.start + 2
	if s.nameLo < k && class[b[s.nameLo]]&cNameSt != 0 {
		s.nameHi = s.name(s.nameLo, k)
	} else {
		s.nameHi = s.nameLo
		s.report(ErrSyntax, s.base+int64(s.nameLo), "processing instruction without a target name")
	}
	i := s.nameHi
	for i < k && isSpace(b[i]) {
		i++
	}
	if i == s.nameHi && i < k {
		s.report(ErrSyntax, s.base+int64(i), "expected space after the processing instruction target")
	}
	s.textLo, s.textHi = i, k
	s.checkText(i, k, false)
	if found {
		s.pos = k + 2
	} else {
		s.pos = k
		s.report(ErrTruncated, s.Offset(), "processing instruction not closed with '?>'")
	}
	if bytes.EqualFold(b[s.nameLo:s.nameHi], []byte("xml")) {
		if off := s.Offset(); off != 0 && !(off == 3 && s.hadBOM) {
			s.report(ErrSyntax, off, "XML declaration <?xml ...?> not at the start of the input")
		}
	}
}

func (s *Scanner) bang() {
	s.need(len(seqCDATAStart))
	b := s.buf[s.start:s.end]
	switch {
	case bytes.HasPrefix(b, seqComment):
		k, found, ok := s.findSeq(s.start+4, seqCommentEnd)
		if !ok {
			return
		}
		s.kind = Comment
		s.textLo, s.textHi = s.start+4, k
		s.checkText(s.textLo, k, false)
		if found {
			s.pos = k + 3
		} else {
			s.pos = k
			s.report(ErrTruncated, s.Offset(), "comment not closed with '-->'")
		}
	case bytes.HasPrefix(b, seqCDATAStart):
		k, found, ok := s.findSeq(s.start+9, seqCDATAEnd)
		if !ok {
			return
		}
		s.kind = CDATA
		s.textLo, s.textHi = s.start+9, k
		s.checkText(s.textLo, k, false)
		if found {
			s.pos = k + 3
		} else {
			s.pos = k
			s.report(ErrTruncated, s.Offset(), "CDATA section not closed with ']]>'")
		}
		if len(s.marks) == 0 {
			s.report(ErrSyntax, s.Offset(), "CDATA section outside the root element")
		}
	default:
		s.directive()
	}
}

// directive scans <!DOCTYPE ...> or another <!...>, allowing one level of
// [...] internal subset and quoted strings.
func (s *Scanner) directive() {
	rel := 2
	var quote byte
	depth := 0
	for {
		b := s.buf[:s.end]
		for i := s.start + rel; i < len(b); i++ {
			c := b[i]
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
				s.kind = Directive
				s.textLo, s.textHi = s.start+2, i
				s.checkText(s.textLo, i, false)
				s.pos = i + 1
				return
			}
		}
		rel = s.end - s.start
		if !s.more() {
			if s.eof || s.err != nil {
				s.kind = Directive
				s.textLo, s.textHi = s.start+2, s.end
				s.pos = s.end
				s.report(ErrTruncated, s.Offset(), "directive <!...> not closed with '>'")
				return
			}
			s.fatal(ErrSyntax, s.Offset(), fmt.Sprintf("directive longer than %d bytes (MaxTokenSize)", s.maxTok))
			return
		}
	}
}
