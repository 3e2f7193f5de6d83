package convert

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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
type spill struct {
	dir   string
	lists map[string]*spillList
	// nested counts the descendants of spilled records by path, e.g.
	// "DISCUSSIONS/DISCUSSION/POSTS/POST", so counting needs no decoding.
	nested map[string]int
	// written marks lists already written back by saveModuleXML.
	written map[string]bool
}

type spillList struct {
	store *spillStore
	enc   *gob.Encoder
	count int
}

// spillMemMax is how many encoded bytes of one list stay in memory before
// the list moves to a scratch file: most modules hold a few records, and a
// file (and folder) per list costs more than the records themselves.
const spillMemMax = 1 << 20

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
	return &spill{dir: dir, lists: map[string]*spillList{}, nested: map[string]int{}, written: map[string]bool{}}
}

// maxNestedDepth bounds how deep below a spilled record descendants are
// counted.
const maxNestedDepth = 3

func (s *spill) countNested(prefix string, n *Node, depth int) {
	if depth > maxNestedDepth {
		return
	}
	for _, c := range n.Children {
		if c.IsLeaf() {
			continue
		}
		p := prefix + "/" + c.Name
		s.nested[p]++
		s.countNested(p, c, depth+1)
	}
}

func (s *spill) add(rel string, n *Node) error {
	l := s.lists[rel]
	if l == nil {
		st := &spillStore{dir: s.dir, path: filepath.Join(s.dir, strings.ReplaceAll(rel, "/", "_")+".gob")}
		l = &spillList{store: st, enc: gob.NewEncoder(st)}
		s.lists[rel] = l
	}
	l.count++
	s.countNested(rel, n, 1)
	return l.enc.Encode(n)
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
	dec := gob.NewDecoder(r)
	for i := 0; i < l.count; i++ {
		var n Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("scratch: %d of %d records of %s", i, l.count, rel)
			}
			return fmt.Errorf("scratch: %w", err)
		}
		if err := fn(&n); err != nil {
			return err
		}
	}
	// Ready to append again (Each may be called more than once).
	return l.store.rewind()
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
