package convert

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// TokenKind is the kind of a Token.
type TokenKind int

// Token kinds. Comments, processing instructions and directives are not
// reported.
const (
	StartTag TokenKind = iota + 1
	EndTag
	Text
)

// Token is one piece of the 1.x XML stream.
type Token struct {
	Kind TokenKind
	// Name is the element name as written (StartTag, EndTag).
	Name string
	// Data is the unescaped character data (Text); valid until the next call.
	Data []byte
}

// Tokenizer yields the tokens of one XML document. Next returns io.EOF at
// the end. The converter checks nesting itself, so a tokenizer may be a
// raw, non-validating one.
type Tokenizer interface {
	Next() (Token, error)
	// Pos returns the line and column of the last token returned.
	Pos() (line, col int)
}

// NewTokenizer returns a Tokenizer reading r with encoding/xml's raw
// tokenizer (strict XML 1.0 character data and entity rules).
func NewTokenizer(r io.Reader) Tokenizer {
	d := xml.NewDecoder(r)
	d.Strict = true
	// 1.x files declare UTF-8; anything else was transcoded by an earlier
	// stage, so the declared label is not trusted.
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	return &stdTokenizer{d: d}
}

type stdTokenizer struct {
	d         *xml.Decoder
	line, col int
}

func (t *stdTokenizer) Next() (Token, error) {
	for {
		t.line, t.col = t.d.InputPos()
		tok, err := t.d.RawToken()
		if err != nil {
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				return Token{}, &SyntaxError{Line: se.Line, Msg: se.Msg}
			}
			return Token{}, err
		}
		switch v := tok.(type) {
		case xml.StartElement:
			return Token{Kind: StartTag, Name: qname(v.Name)}, nil
		case xml.EndElement:
			return Token{Kind: EndTag, Name: qname(v.Name)}, nil
		case xml.CharData:
			return Token{Kind: Text, Data: v}, nil
		}
	}
}

func (t *stdTokenizer) Pos() (int, int) { return t.line, t.col }

func qname(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// SyntaxError is malformed XML in moodle.xml.
type SyntaxError struct {
	Line, Col int
	Msg       string
}

func (e *SyntaxError) Error() string {
	if e.Col > 0 {
		return fmt.Sprintf("moodle.xml:%d:%d: %s", e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("moodle.xml:%d: %s", e.Line, e.Msg)
}

// readNode builds the Node of the element whose start tag (named name) was
// just read, consuming tokens up to its end tag.
func readNode(tk Tokenizer, name string) (*Node, error) {
	return readNodeSpill(tk, name, nil, nil)
}

// readNodeSpill is readNode that hands the descendants at the relative
// paths spill accepts (e.g. "DISCUSSIONS/DISCUSSION"; root is the element
// read so far) to emit, one at a
// time, instead of keeping them in the tree: memory stays bounded by the
// largest such record, however many there are.
//
// emit is called right after the start tag of such a descendant was read
// and must consume its tokens up to and including its end tag.
func readNodeSpill(tk Tokenizer, name string, spill func(root *Node, rel string) bool, emit func(rel string, tk Tokenizer, name string) error) (*Node, error) {
	line, col := tk.Pos()
	root := &Node{Name: strings.ToUpper(name), Line: line, Col: col}
	stack := []*Node{root}
	text := [][]byte{nil}
	var rel []string
	for {
		t, err := tk.Next()
		if err != nil {
			if err == io.EOF {
				l, c := tk.Pos()
				return nil, &SyntaxError{Line: l, Col: c, Msg: fmt.Sprintf("file ends inside <%s> opened at line %d", root.Name, line)}
			}
			return nil, err
		}
		top := stack[len(stack)-1]
		switch t.Kind {
		case Text:
			text[len(text)-1] = append(text[len(text)-1], t.Data...)
		case StartTag:
			upper := strings.ToUpper(t.Name)
			if spill != nil {
				p := strings.Join(append(rel, upper), "/")
				if spill(root, p) {
					if err := emit(p, tk, t.Name); err != nil {
						return nil, err
					}
					continue
				}
			}
			l, c := tk.Pos()
			n := &Node{Name: upper, Line: l, Col: c}
			top.Children = append(top.Children, n)
			stack = append(stack, n)
			text = append(text, nil)
			rel = append(rel, upper)
		case EndTag:
			if !strings.EqualFold(t.Name, top.Name) {
				l, c := tk.Pos()
				return nil, &SyntaxError{Line: l, Col: c, Msg: fmt.Sprintf("</%s> closes <%s> opened at line %d", t.Name, top.Name, top.Line)}
			}
			if top.IsLeaf() {
				top.Text = string(text[len(text)-1])
			}
			text = text[:len(text)-1]
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return root, nil
			}
			rel = rel[:len(rel)-1]
		}
	}
}

// skipElement consumes tokens up to the end of the element whose start tag
// was just read, building nothing.
func skipElement(tk Tokenizer, name string) error {
	line, _ := tk.Pos()
	depth := 1
	for depth > 0 {
		t, err := tk.Next()
		if err != nil {
			if err == io.EOF {
				l, c := tk.Pos()
				return &SyntaxError{Line: l, Col: c, Msg: fmt.Sprintf("file ends inside <%s> opened at line %d", name, line)}
			}
			return err
		}
		switch t.Kind {
		case StartTag:
			depth++
		case EndTag:
			depth--
		}
	}
	return nil
}
