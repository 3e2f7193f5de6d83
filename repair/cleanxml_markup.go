package repair

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// markup handles '<' at src[i] in text: a tag, comment, CDATA section,
// processing instruction or directive is copied as it is; a '<' that is
// text (spec repairs.md §1.6 rule 7) becomes &lt;; anything else is a
// SyntaxError.
func (c *Cleaner) markup(dst, src []byte, o, i int, atEOF bool) (int, int, status) {
	p := src[i:]
	// more reports whether waiting for more input can still change the
	// decision about the token at p.
	more := !atEOF && len(p) < maxTag
	if len(p) < 2 {
		if more {
			return o, i, needMore
		}
		return c.strayOrFail(dst, src, o, i, "'<' at the end of the input")
	}
	d := c.path.Depth()
	top := c.path.Top()
	// Fast paths for what Moodle writes: </TOP> and <NAME>.
	if p[1] == '/' {
		if n := len(top); d > 0 && len(p) > n+2 && p[n+2] == '>' && string(p[2:n+2]) == string(top) {
			o2, fits := emit(dst, o, p[:n+3])
			if !fits {
				return o, i, shortDst
			}
			c.pop()
			return o2, i + n + 3, ok
		}
	} else if d == 0 || c.child[d-1] || !c.opts.Moodle {
		k := 1
		for k < len(p) {
			b := p[k]
			if !(b >= 'A' && b <= 'Z' || b == '_' || b >= '0' && b <= '9') {
				break
			}
			k++
		}
		if k > 1 && k < len(p) && p[k] == '>' && p[1] >= 'A' && p[1] <= 'Z' && d < MaxPathDepth {
			o2, fits := emit(dst, o, p[:k+1])
			if !fits {
				return o, i, shortDst
			}
			if d > 0 {
				c.child[d-1] = true
			}
			c.path.Push(p[1:k])
			c.child = append(c.child, false)
			c.text = append(c.text, false)
			return o2, i + k + 1, ok
		}
	}
	leaf := d > 0 && !c.child[d-1]
	moodleLeaf := c.opts.Moodle && leaf && moodleName(top)

	switch p[1] {
	case '/':
		k := 2
		for k < len(p) && nameByte[p[k]] {
			k++
		}
		m := k
		for m < len(p) && isSpace(p[m]) {
			m++
		}
		if m == len(p) && more {
			return o, i, needMore
		}
		name := p[2:k]
		closed := m < len(p) && p[m] == '>'
		if closed && d > 0 && bytes.Equal(name, top) {
			o2, fits := emit(dst, o, p[:m+1])
			if !fits {
				return o, i, shortDst
			}
			c.pop()
			return o2, i + m + 1, ok
		}
		if moodleLeaf && !(closed && moodleName(name) && c.isOpen(name)) || leaf && (!closed || !validName(name)) {
			return c.stray(dst, src, o, i)
		}
		switch {
		case !validName(name):
			return c.fail(src, i, "expected element name after '</'")
		case !closed:
			return c.fail(src, i, fmt.Sprintf("invalid characters between '</%s' and '>'", name))
		case d == 0:
			return c.fail(src, i, fmt.Sprintf("end tag </%s> with no open element", name))
		}
		return c.fail(src, i, fmt.Sprintf("element <%s> closed by </%s>; the element structure is broken, repair it by hand", top, name))

	case '?':
		if moodleLeaf {
			return c.stray(dst, src, o, i)
		}
		k := 2
		for k < len(p) && nameByte[p[k]] {
			k++
		}
		if k == len(p) && more {
			return o, i, needMore
		}
		target := p[2:k]
		if !validName(target) || k == len(p) || !isSpace(p[k]) && p[k] != '?' {
			return c.strayOrFail(dst, src, o, i, "expected target name after '<?'")
		}
		m := k
		for m < len(p) && isSpace(p[m]) {
			m++
		}
		e := bytes.Index(p[m:min(len(p), maxTag)], []byte("?>"))
		if e < 0 {
			if more {
				return o, i, needMore
			}
			return c.strayOrFail(dst, src, o, i, "processing instruction not closed by '?>'")
		}
		end := m + e + 2
		if string(target) == "xml" {
			content := string(p[m : m+e])
			if v := procInst("version", content); v != "" && v != "1.0" {
				return c.fail(src, i, fmt.Sprintf("XML version %q is not supported; only 1.0", v))
			}
			if enc := procInst("encoding", content); enc != "" && !strings.EqualFold(enc, "utf-8") {
				c.err = fmt.Errorf("%w: %w", c.syntaxErr(src, i, fmt.Sprintf("the XML declaration says encoding %q; run the transcode stage first (from: auto, or from: %s)", enc, strings.ToLower(enc))), ErrNotUTF8Declared)
				return o, i, failed
			}
		}
		o2, fits := emit(dst, o, p[:end])
		if !fits {
			return o, i, shortDst
		}
		return o2, i + end, ok

	case '!':
		if hasPrefixMore(p, "<!--") {
			if len(p) < 4 {
				if more {
					return o, i, needMore
				}
			} else {
				o2, fits := emit(dst, o, p[:4])
				if !fits {
					return o, i, shortDst
				}
				c.state, c.cm0, c.cm1 = stComment, 0, 0
				return o2, i + 4, ok
			}
		}
		if hasPrefixMore(p, "<![CDATA[") {
			if len(p) < 9 {
				if more {
					return o, i, needMore
				}
			} else {
				o2, fits := emit(dst, o, p[:9])
				if !fits {
					return o, i, shortDst
				}
				c.state = stCDATA
				c.markText()
				return o2, i + 9, ok
			}
		}
		if moodleLeaf || leaf && len(p) > 2 && (p[2] == '-' || p[2] == '[') {
			return c.stray(dst, src, o, i)
		}
		if len(p) < 3 {
			if more {
				return o, i, needMore
			}
			return c.fail(src, i, "unexpected end of input after '<!'")
		}
		switch p[2] {
		case '-':
			return c.fail(src, i, "invalid sequence '<!-' not part of '<!--'")
		case '[':
			return c.fail(src, i, "invalid '<![' sequence")
		}
		n, st := scanDirective(p[:min(len(p), maxTag)])
		if st == needMore {
			if more {
				return o, i, needMore
			}
			return c.strayOrFail(dst, src, o, i, "directive '<!...' not closed by '>'")
		}
		o2, fits := emit(dst, o, p[:n])
		if !fits {
			return o, i, shortDst
		}
		return o2, i + n, ok
	}

	if !nameStart(p[1]) {
		return c.strayOrFail(dst, src, o, i, fmt.Sprintf("'<' followed by %q starts no markup, between elements", p[1:2]))
	}
	k := 2
	for k < len(p) && nameByte[p[k]] {
		k++
	}
	if k == len(p) && more {
		return o, i, needMore
	}
	name := p[1:k]
	if moodleLeaf && (c.text[d-1] || !moodleName(name)) {
		return c.stray(dst, src, o, i)
	}
	n, empty, msg, st := scanStartTag(p[:min(len(p), maxTag)], k)
	if st == needMore {
		if more {
			return o, i, needMore
		}
		msg = "start tag not closed by '>'"
	}
	if msg == "" && !validName(name) {
		msg = fmt.Sprintf("invalid element name %q", name)
	}
	if msg != "" {
		return c.strayOrFail(dst, src, o, i, msg)
	}
	if !empty && d+1 > MaxPathDepth {
		return c.fail(src, i, fmt.Sprintf("elements nested deeper than %d levels", MaxPathDepth))
	}
	o2, fits := emit(dst, o, p[:n])
	if !fits {
		return o, i, shortDst
	}
	if d > 0 {
		c.child[d-1] = true
	}
	if !empty {
		c.path.Push(name)
		c.child = append(c.child, false)
		c.text = append(c.text, false)
	}
	return o2, i + n, ok
}

// isOpen reports whether an element named name is open.
func (c *Cleaner) isOpen(name []byte) bool {
	for k := 0; k < c.path.Depth(); k++ {
		if bytes.Equal(c.path.Name(k), name) {
			return true
		}
	}
	return false
}

func (c *Cleaner) pop() {
	c.path.Pop()
	c.child = c.child[:len(c.child)-1]
	c.text = c.text[:len(c.text)-1]
}

// hasPrefixMore reports whether p starts with s, or with a prefix of s that
// p ends in.
func hasPrefixMore(p []byte, s string) bool {
	m := min(len(p), len(s))
	return string(p[:m]) == s[:m]
}

// validName reports whether n is a name encoding/xml accepts, restricted to
// ASCII: a letter, '_' or ':' first, then name bytes, at most one ':'.
func validName(n []byte) bool {
	if len(n) == 0 || !nameStart(n[0]) {
		return false
	}
	for _, b := range n {
		if !nameByte[b] {
			return false
		}
	}
	return bytes.Count(n, []byte{':'}) <= 1
}

// stray writes '<' at src[i] as &lt;.
func (c *Cleaner) stray(dst, src []byte, o, i int) (int, int, status) {
	o2, fits := emit(dst, o, ltEsc)
	if !fits {
		return o, i, shortDst
	}
	c.change(CodeStrayLT, src, i, i+1, ltEsc, "'<' in text escaped as '&lt;'")
	c.markText()
	return o2, i + 1, ok
}

// strayOrFail escapes '<' at src[i] inside an element that has no child
// element (the '<' can only be text), and fails elsewhere.
func (c *Cleaner) strayOrFail(dst, src []byte, o, i int, msg string) (int, int, status) {
	if d := c.path.Depth(); d > 0 && !c.child[d-1] {
		return c.stray(dst, src, o, i)
	}
	return c.fail(src, i, msg)
}

func (c *Cleaner) fail(src []byte, i int, msg string) (int, int, status) {
	c.err = c.syntaxErr(src, i, msg)
	return 0, i, failed
}

// scanStartTag reads the rest of a start tag whose name ends at p[k]. It
// returns the tag's length and whether it is empty (<a/>), or a message
// saying why it is not well-formed, or needMore.
func scanStartTag(p []byte, k int) (n int, empty bool, msg string, st status) {
	j := k
	space := func() {
		for j < len(p) && isSpace(p[j]) {
			j++
		}
	}
	for {
		space()
		if j >= len(p) {
			return 0, false, "", needMore
		}
		switch p[j] {
		case '/':
			if j+1 >= len(p) {
				return 0, false, "", needMore
			}
			if p[j+1] != '>' {
				return 0, false, "expected '/>' in element", ok
			}
			return j + 2, true, "", ok
		case '>':
			return j + 1, false, "", ok
		}
		a := j
		for j < len(p) && nameByte[p[j]] {
			j++
		}
		if j >= len(p) {
			return 0, false, "", needMore
		}
		if !validName(p[a:j]) {
			return 0, false, "expected attribute name in element", ok
		}
		space()
		if j >= len(p) {
			return 0, false, "", needMore
		}
		if p[j] != '=' {
			return 0, false, "attribute name without '=' in element", ok
		}
		j++
		space()
		if j >= len(p) {
			return 0, false, "", needMore
		}
		q := p[j]
		if q != '"' && q != '\'' {
			return 0, false, "unquoted or missing attribute value in element", ok
		}
		j++
		for {
			if j >= len(p) {
				return 0, false, "", needMore
			}
			b := p[j]
			if b == q {
				j++
				break
			}
			switch {
			case b == '<':
				return 0, false, "unescaped '<' inside an attribute value (attributes are not repaired)", ok
			case b == '&':
				n, valid, _, st := scanRef(p[j:], false)
				if st == needMore {
					return 0, false, "", needMore
				}
				if !valid {
					return 0, false, "bad '&' reference inside an attribute value (attributes are not repaired)", ok
				}
				j += n
				continue
			case b < 0x20 && b != '\t' && b != '\n' && b != '\r':
				return 0, false, "forbidden character inside an attribute value (attributes are not repaired)", ok
			case b >= 0x80:
				if !utf8.FullRune(p[j:]) {
					return 0, false, "", needMore
				}
				r, size := utf8.DecodeRune(p[j:])
				if size == 1 || !isChar(r) {
					return 0, false, "bad UTF-8 or forbidden character inside an attribute value (attributes are not repaired)", ok
				}
				j += size
				continue
			}
			j++
		}
	}
}

// scanDirective reads a directive <!...> the way encoding/xml does: quoted
// '>' do not end it, nested '<'...'>' are counted, <!-- --> comments inside
// are skipped. It returns its length or needMore.
func scanDirective(p []byte) (int, status) {
	j := 3 // "<!" and the first byte, which encoding/xml takes as it is
	var inquote byte
	depth := 0
	for j < len(p) {
		b := p[j]
		j++
		if inquote == 0 && b == '>' && depth == 0 {
			return j, ok
		}
	handle:
		switch {
		case b == inquote:
			inquote = 0
		case inquote != 0:
		case b == '\'' || b == '"':
			inquote = b
		case b == '>':
			depth--
		case b == '<':
			const s = "!--"
			for m := 0; m < len(s); m++ {
				if j >= len(p) {
					return 0, needMore
				}
				b = p[j]
				j++
				if b != s[m] {
					depth++
					goto handle
				}
			}
			var b0, b1 byte
			for {
				if j >= len(p) {
					return 0, needMore
				}
				b = p[j]
				j++
				if b0 == '-' && b1 == '-' && b == '>' {
					break
				}
				b0, b1 = b1, b
			}
		}
	}
	return 0, needMore
}

// procInst returns the value of param in the content of an XML declaration,
// found the way encoding/xml finds it.
func procInst(param, s string) string {
	param += "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

// lastTwo returns the last two bytes written: from dst[:o] and, before
// that, from earlier calls.
func (c *Cleaner) lastTwo(dst []byte, o int) (byte, byte) {
	switch {
	case o >= 2:
		return dst[o-2], dst[o-1]
	case o == 1:
		return c.tail[1], dst[0]
	}
	return c.tail[0], c.tail[1]
}

// inSection copies the body of a comment or CDATA section, repairing
// characters, up to and including its terminator.
func (c *Cleaner) inSection(dst, src []byte, o, i int, atEOF bool) (int, int, status) {
	for i < len(src) {
		b := src[i]
		if b >= 0x80 {
			if !utf8.FullRune(src[i:]) && !atEOF {
				return o, i, needMore
			}
			r, size := utf8.DecodeRune(src[i:])
			if size > 1 && isChar(r) {
				o2, fits := emit(dst, o, src[i:i+size])
				if !fits {
					return o, i, shortDst
				}
				o, i = o2, i+size
				c.cm0, c.cm1 = 0x80, 0x80
				continue
			}
			o2, i2, st := c.high(dst, src, o, i, atEOF, false)
			if st != ok {
				return o2, i2, st
			}
			if o2 > o {
				c.cm0, c.cm1 = 0x80, 0x80
			}
			o, i = o2, i2
			continue
		}
		if b < 0x20 && b != '\t' && b != '\n' && b != '\r' {
			out := c.forbidden()
			o2, fits := emit(dst, o, out)
			if !fits {
				return o, i, shortDst
			}
			c.change(CodeInvalidChar, src, i, i+1, out, fmt.Sprintf("forbidden character U+%04X %s", b, c.verb(out)))
			if len(out) > 0 {
				c.cm0, c.cm1 = 0x80, 0x80
			}
			o, i = o2, i+1
			continue
		}
		if len(dst)-o < 1 {
			return o, i, shortDst
		}
		if c.state == stCDATA {
			t0, t1 := c.lastTwo(dst, o)
			dst[o] = b
			o, i = o+1, i+1
			if b == '>' && t0 == ']' && t1 == ']' {
				c.state = stText
				return o, i, ok
			}
			continue
		}
		if c.cm0 == '-' && c.cm1 == '-' {
			if b != '>' {
				return c.fail(src, i, "'--' inside a comment")
			}
			dst[o] = b
			c.state = stText
			return o + 1, i + 1, ok
		}
		c.cm0, c.cm1 = c.cm1, b
		dst[o] = b
		o, i = o+1, i+1
	}
	return o, i, ok
}
