package convert

import (
	"errors"
	"io"

	"github.com/moodlemig/moodlemig/xmlscan"
)

// NewScanTokenizer returns a Tokenizer over the fast streaming scanner of
// package xmlscan (the default): strict well-formedness, entities resolved,
// tag names interned so the stream allocates almost nothing per token.
func NewScanTokenizer(r io.Reader) Tokenizer {
	return &scanTokenizer{s: xmlscan.New(r, xmlscan.Options{}), names: map[string]string{}}
}

type scanTokenizer struct {
	s       *xmlscan.Scanner
	buf     []byte
	names   map[string]string
	pendEnd string // the end tag of a self-closing element, still to return
	pos     xmlscan.Pos
}

func (t *scanTokenizer) name(b []byte) string {
	if n, ok := t.names[string(b)]; ok {
		return n
	}
	n := string(b)
	if len(t.names) < 4096 {
		t.names[n] = n
	}
	return n
}

func (t *scanTokenizer) Next() (Token, error) {
	if t.pendEnd != "" {
		n := t.pendEnd
		t.pendEnd = ""
		return Token{Kind: EndTag, Name: n}, nil
	}
	for t.s.Next() {
		switch t.s.Kind() {
		case xmlscan.StartElement:
			t.pos = t.s.Pos()
			n := t.name(t.s.Name())
			if t.s.SelfClosing() {
				t.pendEnd = n
			}
			return Token{Kind: StartTag, Name: n}, nil
		case xmlscan.EndElement:
			// Positions are needed for start tags (where findings point)
			// and errors only; computing one costs a scan of the line.
			return Token{Kind: EndTag, Name: t.name(t.s.Name())}, nil
		case xmlscan.CharData:
			t.buf = t.s.AppendText(t.buf[:0])
			return Token{Kind: Text, Data: t.buf}, nil
		case xmlscan.CDATA:
			t.buf = append(t.buf[:0], t.s.Text()...)
			return Token{Kind: Text, Data: t.buf}, nil
		}
	}
	if err := t.s.Err(); err != nil {
		var se *xmlscan.SyntaxError
		if errors.As(err, &se) {
			t.pos = se.Pos
			return Token{}, &SyntaxError{Line: se.Pos.Line, Col: se.Pos.Column, Msg: se.Msg}
		}
		return Token{}, err
	}
	t.pos = t.s.Pos()
	return Token{}, io.EOF
}

func (t *scanTokenizer) Pos() (int, int) { return t.pos.Line, t.pos.Column }
