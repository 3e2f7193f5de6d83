package validate

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// record is one element of a 2.x XML file as Moodle's restore sees it: its
// attributes and its leaf children (children without child elements).
type record struct {
	path   string // "/files/file"
	attrs  map[string]string
	leaves map[string]string
	line   int
}

// get returns the value of name: an attribute or a leaf (restore merges both).
func (r record) get(name string) string {
	if v, ok := r.attrs[name]; ok {
		return v
	}
	return strings.TrimSpace(r.leaves[name])
}

// has reports whether the record carries name.
func (r record) has(name string) bool {
	if _, ok := r.attrs[name]; ok {
		return true
	}
	_, ok := r.leaves[name]
	return ok
}

type frame struct {
	name      string
	attrs     map[string]string
	leaves    map[string]string
	text      strings.Builder
	children  bool // has child elements
	nestedEnd bool // a child with children of its own has ended
	line      int
}

// walkResult is what walkXML learnt about a file besides its records.
type walkResult struct {
	root string
	// leafAfter is the first leaf written after a nested element in the same
	// parent (the chunking pitfall), "" when none.
	leafAfter     string
	leafAfterLine int
}

// walkXML parses an XML file strictly and calls fn for every element with
// attributes or leaves (a record), deepest first. A non-nil texts is called
// for every leaf's text.
func walkXML(r io.Reader, fn func(record), texts func(path, text string, line int)) (walkResult, error) {
	var res walkResult
	d := xml.NewDecoder(r)
	d.Strict = true
	var stack []*frame
	pathOf := func() string {
		var b strings.Builder
		for _, f := range stack {
			b.WriteString("/" + f.name)
		}
		return b.String()
	}
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if res.root == "" {
				return res, errors.New("no root element")
			}
			return res, nil
		}
		if err != nil {
			return res, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if res.root != "" {
					return res, fmt.Errorf("line %d: second root element <%s>", line, t.Name.Local)
				}
				res.root = t.Name.Local
			} else {
				stack[len(stack)-1].children = true
			}
			f := &frame{name: t.Name.Local, line: line}
			if len(t.Attr) > 0 {
				f.attrs = map[string]string{}
				for _, a := range t.Attr {
					f.attrs[a.Name.Local] = a.Value
				}
			}
			stack = append(stack, f)
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		case xml.EndElement:
			f := stack[len(stack)-1]
			path := pathOf()
			stack = stack[:len(stack)-1]
			var parent *frame
			if len(stack) > 0 {
				parent = stack[len(stack)-1]
			}
			if !f.children {
				text := f.text.String()
				if parent != nil {
					if parent.leaves == nil {
						parent.leaves = map[string]string{}
					}
					parent.leaves[f.name] = text
					if parent.nestedEnd && strings.TrimSpace(text) != "" && res.leafAfter == "" {
						res.leafAfter, res.leafAfterLine = path, f.line
					}
				}
				if texts != nil {
					texts(path, text, f.line)
				}
				if f.attrs == nil {
					continue
				}
			} else if parent != nil {
				parent.nestedEnd = true
			}
			if f.attrs != nil || f.leaves != nil {
				fn(record{path: path, attrs: f.attrs, leaves: f.leaves, line: f.line})
			}
		}
	}
}
