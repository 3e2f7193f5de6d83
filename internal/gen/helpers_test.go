package gen

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
)

// xmlOf writes moodle.xml for o into memory (tests use small courses).
func xmlOf(t testing.TB, o Options) ([]byte, *Manifest) {
	t.Helper()
	var b bytes.Buffer
	m, err := WriteXML(&b, o)
	if err != nil {
		t.Fatalf("WriteXML: %v", err)
	}
	if int64(b.Len()) != m.XMLBytes {
		t.Fatalf("manifest says %d bytes, wrote %d", m.XMLBytes, b.Len())
	}
	return b.Bytes(), m
}

// parsed is what a strict parse of moodle.xml counts.
type parsed struct {
	paths  map[string]int            // element path -> count
	byText map[string]map[string]int // leaf path -> value -> count (for a few leaves)
	tokens map[string]int            // link tokens in text
}

var tokenRE = regexp.MustCompile(`\$@([A-Z]+)[*@]`)

// parseXML parses with encoding/xml in strict mode, counting elements by
// path and link tokens in character data.
func parseXML(data []byte) (*parsed, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	p := &parsed{paths: map[string]int{}, byText: map[string]map[string]int{}, tokens: map[string]int{}}
	var stack []string
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return p, err
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tk.Name.Local)
			p.paths[strings.Join(stack, "/")]++
			text.Reset()
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			path := strings.Join(stack, "/")
			v := text.String()
			for _, m := range tokenRE.FindAllStringSubmatch(v, -1) {
				p.tokens[m[1]]++
			}
			switch tk.Name.Local {
			case "MODTYPE", "QTYPE", "ASSIGNMENTTYPE", "TYPE":
				if p.byText[path] == nil {
					p.byText[path] = map[string]int{}
				}
				p.byText[path][strings.TrimSpace(v)]++
			}
			stack = stack[:len(stack)-1]
			text.Reset()
		}
	}
	if len(stack) != 0 {
		return p, fmt.Errorf("unclosed elements %v", stack)
	}
	return p, nil
}

// leaf is one `<NAME>value</NAME>` of the raw file.
type leaf struct {
	name  string
	start int // offset of the value
	val   string
}

// leaves scans the raw bytes for leaf elements without an XML parser, so it
// works on ill-formed (damaged) files too. Values never hold '<' because
// the writer escapes it.
func leaves(b []byte) []leaf {
	var out []leaf
	i := 0
	for {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return out
		}
		i += j
		k := bytes.IndexByte(b[i:], '>')
		if k < 0 {
			return out
		}
		name := string(b[i+1 : i+k])
		i += k + 1
		if strings.HasPrefix(name, "/") || strings.HasPrefix(name, "?") {
			continue
		}
		n := bytes.IndexByte(b[i:], '<')
		if n < 0 {
			return out
		}
		if bytes.HasPrefix(b[i+n:], []byte("</"+name+">")) {
			out = append(out, leaf{name: name, start: i, val: string(b[i : i+n])})
		}
	}
}

// unescape undoes the writer's escaping of one value.
func unescape(s string) string {
	return strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", "\"", "&amp;", "&").Replace(s)
}
