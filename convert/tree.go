package convert

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
)

// Tree is the 2.x backup being written: XML files live in a scratch folder,
// pool files are source entries renamed to files/xx/<sha1>. Nothing large is
// kept in memory; the Tree holds only names.
type Tree struct {
	dir   string
	files map[string]bool // names written to dir
	pool  map[string]*backup.Entry
}

// NewTree returns a Tree writing into dir (created if needed).
func NewTree(dir string) (*Tree, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("scratch folder: %w", err)
	}
	return &Tree{dir: dir, files: map[string]bool{}, pool: map[string]*backup.Entry{}}, nil
}

// Dir is the scratch folder.
func (t *Tree) Dir() string { return t.dir }

// Create creates (or truncates) the file name (slash-separated, relative to
// the backup root) and returns an XMLWriter on it.
func (t *Tree) Create(name string) (*XMLWriter, error) {
	f, err := t.createFile(name)
	if err != nil {
		return nil, err
	}
	return NewXMLWriter(f), nil
}

func (t *Tree) createFile(name string) (*os.File, error) {
	if !validName(name) {
		return nil, fmt.Errorf("invalid output name %q", name)
	}
	p := filepath.Join(t.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	t.files[name] = true
	return f, nil
}

// Write writes a whole XML file with fn.
func (t *Tree) Write(name string, fn func(x *XMLWriter)) error {
	x, err := t.Create(name)
	if err != nil {
		return err
	}
	fn(x)
	if err := x.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// Exists reports whether name was written.
func (t *Tree) Exists(name string) bool { return t.files[name] }

// RemoveAll removes every written file under the folder prefix (e.g. the
// activity folder of a module that failed).
func (t *Tree) RemoveAll(prefix string) error {
	prefix = strings.TrimSuffix(prefix, "/") + "/"
	for n := range t.files {
		if strings.HasPrefix(n, prefix) {
			delete(t.files, n)
		}
	}
	return os.RemoveAll(filepath.Join(t.dir, filepath.FromSlash(prefix)))
}

// AddPool records that the pool file for hash has the bytes of e.
func (t *Tree) AddPool(hash string, e *backup.Entry) {
	if _, ok := t.pool[hash]; !ok {
		t.pool[hash] = e
	}
}

// HasPool reports whether the pool holds hash.
func (t *Tree) HasPool(hash string) bool { _, ok := t.pool[hash]; return ok }

// PoolName is where the pool keeps the content with this SHA-1.
func PoolName(hash string) string { return "files/" + hash[:2] + "/" + hash }

// Backup returns the 2.x backup: moodle_backup.xml first, the other XML
// files in name order, then the pool.
func (t *Tree) Backup(src string) *backup.Backup {
	b := &backup.Backup{Path: src, Facts: backup.Facts{Kind: backup.Moodle2, Charset: "UTF-8", Encoding: "UTF-8"}}
	names := make([]string, 0, len(t.files))
	for n := range t.files {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i] == "moodle_backup.xml", names[j] == "moodle_backup.xml"
		if a != b {
			return a
		}
		return names[i] < names[j]
	})
	for _, n := range names {
		p := filepath.Join(t.dir, filepath.FromSlash(n))
		size := int64(-1)
		if st, err := os.Stat(p); err == nil {
			size = st.Size()
		}
		b.Entries = append(b.Entries, backup.NewEntry(n, size, func() (io.ReadCloser, error) { return os.Open(p) }))
	}
	hashes := make([]string, 0, len(t.pool))
	for h := range t.pool {
		hashes = append(hashes, h)
	}
	sort.Strings(hashes)
	for _, h := range hashes {
		b.Entries = append(b.Entries, t.pool[h].Rename(PoolName(h)))
	}
	return b
}

func validName(name string) bool {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") {
		return false
	}
	return path.Clean(name) == name && !strings.HasPrefix(name, "../")
}
