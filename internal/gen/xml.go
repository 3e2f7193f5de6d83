package gen

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// errStop ends writing early (TruncateXML); it is not an error for callers.
var errStop = errors.New("gen: truncated on purpose")

type frame struct {
	name         string
	level, child int // indentation of the tags and of the children
}

// xw writes moodle.xml the way the 1.x writer did (start_tag, end_tag,
// full_tag): two spaces per level, one element per line, upper-case names,
// no attributes, values escaped by htmlspecialchars.
type xw struct {
	out     io.Writer
	buf     []byte
	flushed int64
	err     error
	limit   int64 // stop after this many bytes (0 = none)
	stack   []frame
	g       *gen
	tmp     []byte
	sb      []byte // s and h: the value
	rep     []byte // representable text
	lnk     []byte // link-encoded text
	dmg     []byte // damaged text
	eol     string // line end: "\n", or "\r\n" with Damage.CRLF
}

const flushAt = 128 << 10

func (x *xw) off() int64 { return x.flushed + int64(len(x.buf)) }

func (x *xw) flush() {
	if x.err != nil {
		x.buf = x.buf[:0]
		return
	}
	if err := x.g.ctx.Err(); err != nil {
		x.err = err
		x.buf = x.buf[:0]
		return
	}
	b := x.buf
	if x.limit > 0 && x.flushed+int64(len(b)) >= x.limit {
		b = b[:x.limit-x.flushed]
		x.err = errStop
	}
	n, err := x.out.Write(b)
	x.flushed += int64(n)
	if err != nil {
		x.err = err
	}
	x.buf = x.buf[:0]
}

func (x *xw) maybeFlush() {
	if len(x.buf) >= flushAt {
		x.flush()
	}
}

var spaces = strings.Repeat(" ", 256)

func (x *xw) indent(level int) {
	n := 2 * level
	for n > len(spaces) {
		x.buf = append(x.buf, spaces...)
		n -= len(spaces)
	}
	x.buf = append(x.buf, spaces[:n]...)
}

// level is the level of the next element.
func (x *xw) level() int {
	if len(x.stack) == 0 {
		return 0
	}
	return x.stack[len(x.stack)-1].child
}

// start opens a container element.
func (x *xw) start(name string) {
	l := x.level()
	x.startAt(name, l, l+1)
}

// startFlat opens a container whose children sit at its own level, as a few
// 1.x writers did (e.g. INSTANCE in INFO/DETAILS).
func (x *xw) startFlat(name string) {
	l := x.level()
	x.startAt(name, l, l)
}

func (x *xw) startAt(name string, l, child int) {
	x.indent(l)
	x.buf = append(x.buf, '<')
	x.buf = append(x.buf, name...)
	x.buf = append(x.buf, '>')
	x.buf = append(x.buf, x.eol...)
	x.stack = append(x.stack, frame{name, l, child})
}

// end closes the innermost container.
func (x *xw) end() {
	f := x.stack[len(x.stack)-1]
	x.stack = x.stack[:len(x.stack)-1]
	x.indent(f.level)
	x.buf = append(x.buf, "</"...)
	x.buf = append(x.buf, f.name...)
	x.buf = append(x.buf, '>')
	x.buf = append(x.buf, x.eol...)
	x.maybeFlush()
}

func (x *xw) open(name string) {
	x.indent(x.level())
	x.buf = append(x.buf, '<')
	x.buf = append(x.buf, name...)
	x.buf = append(x.buf, '>')
}

func (x *xw) close(name string) {
	x.buf = append(x.buf, "</"...)
	x.buf = append(x.buf, name...)
	x.buf = append(x.buf, '>')
	x.buf = append(x.buf, x.eol...)
}

// i writes a numeric leaf.
func (x *xw) i(name string, v int64) {
	x.open(name)
	x.buf = strconv.AppendInt(x.buf, v, 10)
	x.close(name)
}

// raw writes a leaf whose value needs no escaping or encoding (decimals,
// true/false words, base64, fixed ASCII words).
func (x *xw) raw(name, v string) {
	x.open(name)
	x.buf = append(x.buf, v...)
	x.close(name)
}

// null writes a database NULL: $@NULL@$ in 1.9, an empty element before.
func (x *xw) null(name string) {
	if x.g.e.v19 {
		x.raw(name, "$@NULL@$")
	} else {
		x.raw(name, "")
	}
}

// s writes a plain-text leaf through the full 1.x value pipeline.
func (x *xw) s(name, v string) {
	x.sb = append(x.sb[:0], v...)
	x.text(name, x.sb, false)
}

// s2 writes the plain-text leaf a+b without building the string.
func (x *xw) s2(name, a, b string) {
	x.sb = append(append(x.sb[:0], a...), b...)
	x.text(name, x.sb, false)
}

// h writes an HTML leaf through the full 1.x value pipeline; it is the only
// kind of value the libxml2 damage touches.
func (x *xw) h(name, v string) {
	x.sb = append(x.sb[:0], v...)
	x.text(name, x.sb, true)
}

// hb is h for text held in a scratch buffer (tg.html's result).
func (x *xw) hb(name string, v []byte) { x.text(name, v, true) }

// text is full_tag: damage first (the damage lived in the database), then
// link encoding, escaping, and the era's charset step. v is not kept.
func (x *xw) text(name string, v []byte, html bool) {
	g := x.g
	orig := v
	if g.leg != nil {
		x.rep = g.leg.appendRepresentable(x.rep[:0], v)
		v = x.rep
	}
	ord := g.m.TextValues
	g.m.TextValues++
	x.open(name)
	start := x.off()
	strip := html && g.stripOn(name)
	if len(v) > 0 {
		g.nonEmpty++
	}
	hit := len(v) > 0 && g.invalid.hit()
	dblCandidate := g.o.Damage.DoubleUTF8 > 0 && hasNonASCII(orig)
	if dblCandidate {
		g.nonASCII++
	}
	if strip || hit || len(g.pending) > 0 {
		v = x.damage(v, strip, hit, ord, start)
	} else if dblCandidate {
		if g.dbl.hit() {
			// UTF-8 typed into a legacy-charset site: the stored bytes are
			// UTF-8, and utf8_encode (or a second conversion) lifted each
			// byte to one Latin-1 character: "é" became "Ã©".
			clean := string(orig)
			x.dmg = liftLatin1(x.dmg[:0], orig)
			g.spot(x, "double-utf8", ord, start, clean, string(x.dmg), -1)
			if g.o.Clean {
				x.dmg = append(x.dmg[:0], orig...)
			}
			if g.leg != nil {
				g.m.LegacyValues++
			}
			x.write(name, x.dmg)
			return
		}
	}
	if len(v) > 0 && bytes.Contains(v, g.links.wwwB) && !isNumeric(v) {
		x.lnk = g.links.appendEncoded(x.lnk[:0], v, g.countLink)
		v = x.lnk
	}
	if g.leg != nil && hasNonASCII(v) {
		g.m.LegacyValues++
		if !g.o.Clean {
			x.tmp = appendEscaped(x.tmp[:0], v)
			if x.eol != "\n" && bytes.IndexByte(x.tmp, '\n') >= 0 {
				x.tmp = bytes.ReplaceAll(x.tmp, []byte("\n"), []byte(x.eol))
			}
			if g.mojibake {
				x.buf = g.leg.appendMojibake(x.buf, x.tmp)
			} else {
				x.buf = g.leg.appendRaw(x.buf, x.tmp)
			}
			x.close(name)
			return
		}
	}
	x.write(name, v)
}

// write ends a leaf: link encoding, escaping, line ends, closing tag; no
// charset step.
func (x *xw) write(name string, v []byte) {
	g := x.g
	if len(v) > 0 && bytes.Contains(v, g.links.wwwB) && !isNumeric(v) {
		x.lnk = g.links.appendEncoded(x.lnk[:0], v, g.countLink)
		v = x.lnk
	}
	if x.eol != "\n" && bytes.IndexByte(v, '\n') >= 0 {
		x.tmp = appendEscaped(x.tmp[:0], v)
		x.buf = append(x.buf, bytes.ReplaceAll(x.tmp, []byte("\n"), []byte(x.eol))...)
	} else {
		x.buf = appendEscaped(x.buf, v)
	}
	x.close(name)
}

// liftLatin1 appends each byte of p as the Latin-1 character of the same
// value (what utf8_encode does).
func liftLatin1(dst, p []byte) []byte {
	for _, c := range p {
		dst = utf8.AppendRune(dst, rune(c))
	}
	return dst
}

// damage applies the damage chosen for this value and records the spots.
// It returns the text to write: the damaged one, or the clean one in a
// Clean twin.
func (x *xw) damage(v []byte, strip, hit bool, ord, start int64) []byte {
	g := x.g
	clean := string(v)
	dam := clean
	if strip {
		dam = stripEntities(dam)
		g.spot(x, "strip-entities", ord, start, clean, dam, -1)
	}
	for _, p := range g.pending {
		g.spot(x, p.kind, ord, start, p.clean, p.damaged, -1)
	}
	g.pending = g.pending[:0]
	if hit {
		var k string
		var at int
		clean, dam, k, at = g.injectInvalid(clean, dam)
		g.spot(x, k, ord, start, clean, dam, at)
	}
	if g.o.Clean {
		dam = clean
	}
	x.dmg = append(x.dmg[:0], dam...)
	return x.dmg
}

// appendEscaped is htmlspecialchars with the flags of the time: & < > "
// escaped, ' left alone.
func appendEscaped(dst []byte, s []byte) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '"':
			esc = "&quot;"
		default:
			continue
		}
		dst = append(dst, s[last:i]...)
		dst = append(dst, esc...)
		last = i + 1
	}
	return append(dst, s[last:]...)
}

// isNumeric is PHP's is_numeric for the values the generator writes:
// optional sign, digits, an optional fraction, optional exponent.
func isNumeric(s []byte) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	d := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		d++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			d++
		}
	}
	if d == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		e := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			e++
		}
		if e == 0 {
			return false
		}
	}
	return i == len(s)
}

func hasNonASCII(s []byte) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// stripEntities is the libxml2 2.7 damage on stored HTML: every <, >, " and
// & deleted (repairs.md §3.2).
func stripEntities(h string) string {
	if !strings.ContainsAny(h, "<>\"&") {
		return h
	}
	b := make([]byte, 0, len(h))
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '<', '>', '"', '&':
		default:
			b = append(b, h[i])
		}
	}
	return string(b)
}

// path returns the element path of the value being written.
func (x *xw) path(name string) string {
	var b strings.Builder
	for _, f := range x.stack {
		b.WriteString(f.name)
		b.WriteByte('/')
	}
	b.WriteString(name)
	return b.String()
}
