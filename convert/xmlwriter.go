package convert

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Null is how 2.x backups write a database NULL. Write it only where the
// column allows null.
const Null = "$@NULL@$"

// XMLHeader is the exact declaration Moodle's reader looks for.
const XMLHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// Attr is one attribute of a 2.x element.
type Attr struct{ Name, Value string }

// A is a shorthand for an Attr.
func A(name string, value any) Attr { return Attr{name, fmt.Sprint(value)} }

// xmlBufs reuse the write buffers of XMLWriters: a course writes hundreds
// of small files, one after the other.
var xmlBufs sync.Pool

// XMLWriter writes one 2.x XML file the way Moodle's restore reader needs
// it: the exact UTF-8 declaration, lower-case names chosen by the caller,
// text escaped, invalid UTF-8 and XML-illegal control characters replaced,
// and every leaf of an element before its first nested element (a leaf after
// a nested element is split into a second chunk by Moodle's parser, which
// inserts records twice). Breaking that rule is a programming error reported
// by Close.
//
// Methods do not return errors; the first error is kept and returned by
// Close (and Err), so a handler can write a tree without checking each call.
type XMLWriter struct {
	w     *bufio.Writer
	c     io.Closer
	stack []xmlFrame
	err   error
}

type xmlFrame struct {
	name   string
	nested bool // a nested element was written inside
}

// NewXMLWriter starts an XML document on w (closed by Close when it is an
// io.Closer) and writes the declaration.
func NewXMLWriter(w io.Writer) *XMLWriter {
	bw, _ := xmlBufs.Get().(*bufio.Writer)
	if bw == nil {
		bw = bufio.NewWriterSize(w, 32<<10)
	} else {
		bw.Reset(w)
	}
	x := &XMLWriter{w: bw}
	if c, ok := w.(io.Closer); ok {
		x.c = c
	}
	x.raw(XMLHeader)
	return x
}

func (x *XMLWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *XMLWriter) fail(format string, a ...any) {
	if x.err == nil {
		x.err = fmt.Errorf(format, a...)
	}
}

func (x *XMLWriter) indent() { x.raw(strings.Repeat("  ", len(x.stack))) }

// Start opens element name with attrs.
func (x *XMLWriter) Start(name string, attrs ...Attr) {
	if n := len(x.stack); n > 0 {
		x.stack[n-1].nested = true
	}
	x.indent()
	x.raw("<" + name)
	for _, a := range attrs {
		x.raw(" " + a.Name + `="`)
		x.text(a.Value, true)
		x.raw(`"`)
	}
	x.raw(">\n")
	x.stack = append(x.stack, xmlFrame{name: name})
}

// End closes the innermost open element.
func (x *XMLWriter) End() {
	n := len(x.stack)
	if n == 0 {
		x.fail("xml writer: End without Start")
		return
	}
	name := x.stack[n-1].name
	x.stack = x.stack[:n-1]
	x.indent()
	x.raw("</" + name + ">\n")
}

// Leaf writes <name>value</name>. value is a string or a number; use Null
// for a database NULL.
func (x *XMLWriter) Leaf(name string, value any) {
	if n := len(x.stack); n > 0 && x.stack[n-1].nested {
		x.fail("xml writer: leaf <%s> after a nested element inside <%s>", name, x.stack[n-1].name)
	}
	x.indent()
	x.raw("<" + name + ">")
	switch v := value.(type) {
	case string:
		x.text(v, false)
	case int:
		x.raw(strconv.Itoa(v))
	case int64:
		x.raw(strconv.FormatInt(v, 10))
	case bool:
		if v {
			x.raw("1")
		} else {
			x.raw("0")
		}
	default:
		x.text(fmt.Sprint(v), false)
	}
	x.raw("</" + name + ">\n")
}

// Leaves writes name/value pairs in order: Leaves("a", 1, "b", "x").
func (x *XMLWriter) Leaves(kv ...any) {
	for i := 0; i+1 < len(kv); i += 2 {
		x.Leaf(kv[i].(string), kv[i+1])
	}
}

// Empty writes an element with no content, e.g. an empty wrapper.
func (x *XMLWriter) Empty(name string, attrs ...Attr) {
	x.Start(name, attrs...)
	x.End()
}

// Err returns the first error so far.
func (x *XMLWriter) Err() error { return x.err }

// Close checks that every element was closed, flushes, and closes the
// underlying writer when it is an io.Closer.
func (x *XMLWriter) Close() error {
	if len(x.stack) > 0 {
		x.fail("xml writer: <%s> not closed", x.stack[len(x.stack)-1].name)
	}
	if x.w == nil { // closed before
		if x.err == errXMLClosed {
			return nil
		}
		return x.err
	}
	if x.err == nil {
		x.err = x.w.Flush()
	}
	x.w.Reset(nil)
	xmlBufs.Put(x.w)
	x.w = nil
	if x.c != nil {
		if err := x.c.Close(); err != nil && x.err == nil {
			x.err = err
		}
	}
	err := x.err
	if x.err == nil {
		x.err = errXMLClosed // later writes are no-ops, not nil dereferences
	}
	return err
}

var errXMLClosed = errors.New("xml writer: write after Close")

func (x *XMLWriter) text(s string, attr bool) {
	if x.err != nil {
		return
	}
	x.err = writeEscaped(x.w, s, attr)
}

// escapeText writes s escaped for XML character data.
func escapeText(w *bufio.Writer, s string) { _ = writeEscaped(w, s, false) }

// writeEscaped escapes & < > (and " in attributes), normalises CR LF and CR
// to LF, drops XML 1.0 control characters and replaces invalid UTF-8 with
// U+FFFD, so whatever the input the output is well-formed.
func writeEscaped(w *bufio.Writer, s string, attr bool) error {
	last := 0
	flush := func(i int) {
		if last < i {
			w.WriteString(s[last:i])
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 || r == 0xFFFE || r == 0xFFFF {
				flush(i)
				w.WriteString("\uFFFD")
				i += size
				last = i
				continue
			}
			i += size
			continue
		}
		var rep string
		switch {
		case c == '&':
			rep = "&amp;"
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '"' && attr:
			rep = "&quot;"
		case c == '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				rep = ""
			} else {
				rep = "\n"
			}
		case c == '\n' && attr:
			rep = "&#10;"
		case c == '\t' || c == '\n':
			i++
			continue
		case c < 0x20 || c == 0x7f:
			rep = ""
		default:
			i++
			continue
		}
		flush(i)
		w.WriteString(rep)
		i++
		last = i
	}
	flush(len(s))
	return nil
}
