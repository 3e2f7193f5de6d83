package convert

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/moodlemig/moodlemig/xmlscan"
)

// spillPaths are, per 1.x module type, the repeated records inside
// MODULES/MOD that can grow without bound (user data). They are not kept in
// the module's Node: each one is written to a scratch file as it is read,
// and handlers reach them with Activity.Count and Activity.Each.
var spillPaths = map[string][]string{
	"assignment": {"SUBMISSIONS/SUBMISSION"},
	"chat":       {"MESSAGES/MESSAGE"},
	"choice":     {"ANSWERS/ANSWER"},
	"data":       {"RECORDS/RECORD"},
	"forum":      {"DISCUSSIONS/DISCUSSION", "SUBSCRIPTIONS/SUBSCRIPTION", "READPOSTS/READ"},
	"glossary":   {"ENTRIES/ENTRY"},
	"lesson":     {"GRADES/GRADE", "HIGHSCORES/HIGHSCORE", "TIMES/TIME", "PAGES/PAGE/ANSWERS/ANSWER/ATTEMPTS/ATTEMPT", "PAGES/PAGE/BRANCHES/BRANCH"},
	"quiz":       {"GRADES/GRADE", "ATTEMPTS/ATTEMPT"},
	"scorm":      {"SCOES/SCO/SCO_TRACKS/SCO_TRACK", "SCO_TRACKS/SCO_TRACK"},
	"survey":     {"ANSWERS/ANSWER", "ANALYSIS/ANALYS"},
	"wiki":       {"ENTRIES/ENTRY"},
	"workshop":   {"SUBMISSIONS/SUBMISSION"},
}

// spill holds the spilled records of one module, per relative path.
//
// A record is stored as the XML it was read from (names upper-cased,
// entities re-escaped, white space between elements dropped), written
// straight from the token stream: no Node is built for a record nobody
// reads, and most are only counted (user data this version leaves out).
// Each decodes them again when a handler asks.
type spill struct {
	dir   string
	lists map[string]*spillList
	// nested counts the descendants of spilled records by path, e.g.
	// "DISCUSSIONS/DISCUSSION/POSTS/POST", so counting needs no decoding.
	nested map[string]int
	// written marks lists already written back by saveModuleXML.
	written map[string]bool

	buf   []byte             // the record being encoded
	paths map[pathKey]string // interned child paths of nested
	open  []spillOpen        // elements of the record being encoded
	sc    *xmlscan.Scanner   // decoder, reused across records
}

type pathKey struct{ parent, name string }

// spillOpen is an element of a record being encoded.
type spillOpen struct {
	name    string
	path    string // below the list's path; "" beyond maxNestedDepth
	depth   int
	counted bool // has a child element (counted in nested)
	text    int  // len(buf) after its start tag: where pending text begins
}

type spillList struct {
	store *spillStore
	count int
}

// spillMemMax is how many encoded bytes of one list stay in memory before
// the list moves to a scratch file: most modules hold a few records, and a
// file (and folder) per list costs more than the records themselves.
const spillMemMax = 1 << 20

// spillFlushAt is how much of a record is buffered before it goes to the
// store, so one huge record does not sit in memory whole.
const spillFlushAt = 64 << 10

// spillStore holds a list's encoded records: in memory up to spillMemMax,
// then in a scratch file.
type spillStore struct {
	dir, path string
	mem       bytes.Buffer
	f         *os.File
	w         *bufio.Writer
}

func (st *spillStore) Write(p []byte) (int, error) {
	if st.f == nil && st.mem.Len()+len(p) > spillMemMax {
		if err := os.MkdirAll(st.dir, 0o755); err != nil {
			return 0, fmt.Errorf("scratch: %w", err)
		}
		f, err := os.Create(st.path)
		if err != nil {
			return 0, fmt.Errorf("scratch: %w", err)
		}
		st.f, st.w = f, bufio.NewWriterSize(f, 64<<10)
		if _, err := st.w.Write(st.mem.Bytes()); err != nil {
			return 0, fmt.Errorf("scratch: %w", err)
		}
		st.mem = bytes.Buffer{}
	}
	if st.f != nil {
		return st.w.Write(p)
	}
	return st.mem.Write(p)
}

// reader returns the records written so far, from the start.
func (st *spillStore) reader() (io.Reader, error) {
	if st.f == nil {
		return bytes.NewReader(st.mem.Bytes()), nil
	}
	if err := st.w.Flush(); err != nil {
		return nil, fmt.Errorf("scratch: %w", err)
	}
	if _, err := st.f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return bufio.NewReaderSize(st.f, 64<<10), nil
}

// rewind makes the store ready to append again after reader.
func (st *spillStore) rewind() error {
	if st.f == nil {
		return nil
	}
	_, err := st.f.Seek(0, io.SeekEnd)
	return err
}

func (st *spillStore) close() {
	if st.f != nil {
		st.f.Close()
		os.Remove(st.path)
	}
}

func newSpill(dir string) *spill {
	return &spill{dir: dir, lists: map[string]*spillList{}, nested: map[string]int{}, written: map[string]bool{},
		paths: map[pathKey]string{}}
}

// maxNestedDepth bounds how deep below a spilled record descendants are
// counted.
const maxNestedDepth = 3

// posElement is the first child of every stored record: the line and
// column of the record's start tag in moodle.xml. No 1.x element has a
// name starting with "_".
const posElement = "_AT"

// childPath returns parent/name, interned.
func (s *spill) childPath(parent, name string) string {
	k := pathKey{parent, name}
	if p, ok := s.paths[k]; ok {
		return p
	}
	p := parent + "/" + name
	if len(s.paths) < 4096 {
		s.paths[k] = p
	}
	return p
}

// addFrom stores the record at rel whose start tag (named name) tk has
// just returned, consuming its tokens up to its end tag.
func (s *spill) addFrom(rel string, tk Tokenizer, name string) error {
	l := s.lists[rel]
	if l == nil {
		st := &spillStore{dir: s.dir, path: filepath.Join(s.dir, strings.ReplaceAll(rel, "/", "_")+".xml")}
		l = &spillList{store: st}
		s.lists[rel] = l
	}
	line, col := tk.Pos()
	upper := strings.ToUpper(name)
	b := append(s.buf[:0], '<')
	b = append(b, upper...)
	b = append(b, "><"+posElement+">"...)
	b = strconv.AppendInt(b, int64(line), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(col), 10)
	b = append(b, "</"+posElement+">"...)
	s.open = append(s.open[:0], spillOpen{name: upper, path: rel, depth: 0, counted: true, text: len(b)})
	for len(s.open) > 0 {
		if len(b) >= spillFlushAt {
			// Flush what is final: everything before the pending text of
			// the innermost element.
			top := &s.open[len(s.open)-1]
			if _, err := l.store.Write(b[:top.text]); err != nil {
				return err
			}
			n := copy(b, b[top.text:])
			b = b[:n]
			top.text = 0
		}
		t, err := tk.Next()
		if err != nil {
			s.buf = b[:0]
			if err == io.EOF {
				l, c := tk.Pos()
				return &SyntaxError{Line: l, Col: c, Msg: fmt.Sprintf("file ends inside <%s> opened at line %d", upper, line)}
			}
			return err
		}
		top := &s.open[len(s.open)-1]
		switch t.Kind {
		case Text:
			b = appendSpillText(b, t.Data)
		case StartTag:
			// The parent has a child element: its text was white space
			// between elements, dropped as readNode drops it.
			b = b[:top.text]
			if !top.counted {
				top.counted = true
				s.nested[top.path]++
			}
			cu := strings.ToUpper(t.Name)
			child := spillOpen{name: cu, depth: top.depth + 1, counted: true}
			if top.path != "" && child.depth <= maxNestedDepth {
				child.path = s.childPath(top.path, cu)
				child.counted = false
			}
			b = append(b, '<')
			b = append(b, cu...)
			b = append(b, '>')
			child.text = len(b)
			s.open = append(s.open, child)
		case EndTag:
			if !strings.EqualFold(t.Name, top.name) {
				s.buf = b[:0]
				l, c := tk.Pos()
				return &SyntaxError{Line: l, Col: c, Msg: fmt.Sprintf("</%s> closes <%s>", t.Name, top.name)}
			}
			b = append(b, "</"...)
			b = append(b, top.name...)
			b = append(b, '>')
			s.open = s.open[:len(s.open)-1]
			if len(s.open) > 0 {
				s.open[len(s.open)-1].text = len(b)
			}
		}
	}
	s.buf = b[:0]
	if _, err := l.store.Write(b); err != nil {
		return err
	}
	l.count++
	return nil
}

// appendSpillText appends character data escaped so that decoding gives
// back exactly the same bytes (a CR is kept as a reference).
func appendSpillText(b, data []byte) []byte {
	last := 0
	for i, c := range data {
		var rep string
		switch c {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '\r':
			rep = "&#13;"
		default:
			continue
		}
		b = append(b, data[last:i]...)
		b = append(b, rep...)
		last = i + 1
	}
	return append(b, data[last:]...)
}

// each decodes the records spilled at rel, in document order.
func (s *spill) each(rel string, fn func(*Node) error) error {
	l := s.lists[rel]
	if l == nil {
		return nil
	}
	r, err := l.store.reader()
	if err != nil {
		return err
	}
	// The records are a sequence of elements: wrap them in one root so
	// the scanner reads them as one document.
	doc := io.MultiReader(strings.NewReader("<SPILL>"), r, strings.NewReader("</SPILL>"))
	if s.sc == nil {
		s.sc = xmlscan.New(doc, xmlscan.Options{BufferSize: 64 << 10})
	} else {
		s.sc.Reset(doc)
	}
	tk := &scanTokenizer{s: s.sc, names: map[string]string{}}
	if t, err := tk.Next(); err != nil || t.Kind != StartTag {
		return fmt.Errorf("scratch: records of %s: %v", rel, err)
	}
	for i := 0; i < l.count; i++ {
		t, err := tk.Next()
		for err == nil && t.Kind == Text {
			t, err = tk.Next()
		}
		if err != nil || t.Kind != StartTag {
			return fmt.Errorf("scratch: record %d of %d of %s: %v", i+1, l.count, rel, err)
		}
		n, err := readNode(tk, t.Name)
		if err != nil {
			return fmt.Errorf("scratch: record %d of %d of %s: %w", i+1, l.count, rel, err)
		}
		restorePos(n)
		if err := fn(n); err != nil {
			return err
		}
	}
	// Ready to append again (Each may be called more than once).
	return l.store.rewind()
}

// restorePos takes the position element out of a decoded record and gives
// its line and column to the record and everything inside it (positions
// within a record are not kept).
func restorePos(n *Node) {
	if len(n.Children) == 0 || n.Children[0].Name != posElement {
		return
	}
	lc := n.Children[0].Text
	n.Children = n.Children[1:]
	var line, col int
	if i := strings.IndexByte(lc, ':'); i > 0 {
		line, _ = strconv.Atoi(lc[:i])
		col, _ = strconv.Atoi(lc[i+1:])
	}
	var set func(*Node)
	set = func(m *Node) {
		m.Line, m.Col = line, col
		for _, c := range m.Children {
			set(c)
		}
	}
	set(n)
}

// close removes the spill files.
func (s *spill) close() {
	for _, l := range s.lists {
		l.store.close()
	}
	os.RemoveAll(s.dir)
}

// Count returns how many records the module holds at the relative path
// rel, spilled or not: a spilled list ("DISCUSSIONS/DISCUSSION") or
// containers inside its records up to three levels down
// ("DISCUSSIONS/DISCUSSION/POSTS/POST"), without decoding them.
func (a *Activity) Count(rel string) int {
	n := len(a.mod.All(rel))
	if a.spill != nil {
		if l := a.spill.lists[rel]; l != nil {
			n += l.count
		} else {
			n += a.spill.nested[rel]
		}
	}
	return n
}

// Each calls fn for every record of the module at the relative path rel,
// in document order, whether it was kept in the Node or spilled to scratch.
// Use it (not mod.All) for the paths of spillPaths.
func (a *Activity) Each(rel string, fn func(*Node) error) error {
	for _, n := range a.mod.All(rel) {
		if err := fn(n); err != nil {
			return err
		}
	}
	if a.spill == nil {
		return nil
	}
	return a.spill.each(rel, fn)
}
