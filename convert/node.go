package convert

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Node is one element of the 1.x moodle.xml and everything inside it.
// Names are upper-cased (the 1.9 restore folds case, so hand-edited
// lower-case files are accepted too). A Node is built only for one bounded
// element at a time, e.g. one MODULES/MOD.
type Node struct {
	Name     string
	Text     string // character data directly inside the element
	Children []*Node
	// Line and Col locate the start tag in the input.
	Line, Col int
	// Path is the element path of a node the converter dispatched, e.g.
	// "MOODLE_BACKUP/COURSE/MODULES/MOD" ("" for nodes inside it).
	Path string
}

// Child returns the first child named name (upper case), or nil.
func (n *Node) Child(name string) *Node {
	if n == nil {
		return nil
	}
	for _, c := range n.Children {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Has reports whether n has a child named name.
func (n *Node) Has(name string) bool { return n.Child(name) != nil }

// Value returns the trimmed text of the child named name ("" when absent),
// as the 1.9 restore reads every value. Use Raw for untrimmed text.
func (n *Node) Value(name string) string {
	return strings.TrimSpace(n.Raw(name))
}

// Raw returns the text of the child named name as written, "" when absent.
func (n *Node) Raw(name string) string {
	c := n.Child(name)
	if c == nil {
		return ""
	}
	return c.Text
}

// Int returns the child's value as an integer (0 when absent or not a
// number; decimals are truncated).
func (n *Node) Int(name string) int64 {
	v := n.Value(name)
	if i, err := strconv.ParseInt(v, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return int64(f)
	}
	return 0
}

// All returns the descendants reached by the slash-separated path of names,
// e.g. "OPTIONS/OPTION".
func (n *Node) All(path string) []*Node {
	if n == nil {
		return nil
	}
	cur := []*Node{n}
	for _, name := range strings.Split(path, "/") {
		var next []*Node
		for _, c := range cur {
			for _, k := range c.Children {
				if k.Name == name {
					next = append(next, k)
				}
			}
		}
		cur = next
	}
	return cur
}

// IsLeaf reports whether n has no child elements.
func (n *Node) IsLeaf() bool { return len(n.Children) == 0 }

// WriteXML writes n back as 1.x-style XML (upper-case names, two-space
// indentation), e.g. to save the original of a module that was skipped.
func (n *Node) WriteXML(w io.Writer) error {
	bw := bufio.NewWriter(w)
	n.writeXML(bw, 0)
	return bw.Flush()
}

func (n *Node) writeXML(w *bufio.Writer, depth int) {
	ind := strings.Repeat("  ", depth)
	if n.IsLeaf() {
		fmt.Fprintf(w, "%s<%s>", ind, n.Name)
		escapeText(w, n.Text)
		fmt.Fprintf(w, "</%s>\n", n.Name)
		return
	}
	fmt.Fprintf(w, "%s<%s>\n", ind, n.Name)
	for _, c := range n.Children {
		c.writeXML(w, depth+1)
	}
	fmt.Fprintf(w, "%s</%s>\n", ind, n.Name)
}
