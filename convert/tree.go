package convert

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
)

// Tree is the 2.x backup being written. Small XML files (most of a course:
// module.xml, inforef.xml, roles.xml, ...) are kept in memory up to a
// budget, because creating hundreds of tiny files in a scratch folder costs
// more in file-system calls than the conversion itself and serialises
// concurrent jobs in the kernel. A file larger than MemFileMax, or any file
// once the budget is spent, goes to the scratch folder; pool files are
// source entries renamed to files/xx/<sha1>. Memory stays bounded by the
// budget whatever the size of the course.
type Tree struct {
	dir      string
	files    map[string]bool   // every name written
	mem      map[string][]byte // the names held in memory
	memBytes int64             // sum of len(mem[...])
	budget   int64
	pool     map[string]*backup.Entry
}

// Memory limits of a Tree.
const (
	// MemFileMax is the largest file kept in memory.
	MemFileMax = 256 << 10
	// MemBudget is the most bytes of files a Tree keeps in memory.
	MemBudget = 16 << 20
)

// NewTree returns a Tree writing into dir (created if needed).
func NewTree(dir string) (*Tree, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("scratch folder: %w", err)
	}
	return &Tree{dir: dir, files: map[string]bool{}, mem: map[string][]byte{}, budget: MemBudget,
		pool: map[string]*backup.Entry{}}, nil
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

// treeFile is a file being written: in memory until it grows past
// MemFileMax or the budget, then on disk.
type treeFile struct {
	t    *Tree
	name string
	buf  bytes.Buffer
	disk *os.File
}

func (t *Tree) createFile(name string) (*treeFile, error) {
	if !validName(name) {
		return nil, fmt.Errorf("invalid output name %q", name)
	}
	t.drop(name)
	t.files[name] = true
	return &treeFile{t: t, name: name}, nil
}

func (f *treeFile) Write(p []byte) (int, error) {
	if f.disk != nil {
		return f.disk.Write(p)
	}
	if int64(f.buf.Len()+len(p)) > min(MemFileMax, f.t.budget-f.t.memBytes) {
		if err := f.spill(); err != nil {
			return 0, err
		}
		return f.disk.Write(p)
	}
	return f.buf.Write(p)
}

// spill moves the file to disk.
func (f *treeFile) spill() error {
	d, err := f.t.diskCreate(f.name)
	if err != nil {
		return err
	}
	f.disk = d
	if _, err := d.Write(f.buf.Bytes()); err != nil {
		return fmt.Errorf("create %s: %w", f.name, err)
	}
	f.buf = bytes.Buffer{}
	return nil
}

// Close stores the file.
func (f *treeFile) Close() error {
	if f.disk != nil {
		return f.disk.Close()
	}
	data := f.buf.Bytes()
	f.t.mem[f.name] = data
	f.t.memBytes += int64(len(data))
	return nil
}

func (t *Tree) diskPath(name string) string { return filepath.Join(t.dir, filepath.FromSlash(name)) }

func (t *Tree) diskCreate(name string) (*os.File, error) {
	p := t.diskPath(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", name, err)
	}
	return f, nil
}

// drop forgets the bytes of name, in memory or on disk.
func (t *Tree) drop(name string) {
	if data, ok := t.mem[name]; ok {
		t.memBytes -= int64(len(data))
		delete(t.mem, name)
	} else if t.files[name] {
		os.Remove(t.diskPath(name))
	}
	delete(t.files, name)
}

// Open returns a reader of the file name as written.
func (t *Tree) Open(name string) (io.ReadCloser, error) {
	if data, ok := t.mem[name]; ok {
		return io.NopCloser(bytes.NewReader(data)), nil
	}
	if !t.files[name] {
		return nil, fmt.Errorf("open %s: %w", name, fs.ErrNotExist)
	}
	return os.Open(t.diskPath(name))
}

// Rewrite replaces the file name by what fn writes while reading the old
// bytes.
func (t *Tree) Rewrite(name string, fn func(r io.Reader, w io.Writer) error) error {
	in, err := t.Open(name)
	if err != nil {
		return err
	}
	tmp := name + ".rewrite"
	out, err := t.createFile(tmp)
	if err != nil {
		in.Close()
		return err
	}
	err = fn(in, out)
	in.Close()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.drop(tmp)
		return err
	}
	t.drop(name)
	t.files[name] = true
	delete(t.files, tmp)
	if data, ok := t.mem[tmp]; ok {
		delete(t.mem, tmp)
		t.mem[name] = data
		return nil
	}
	return os.Rename(t.diskPath(tmp), t.diskPath(name))
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
			t.drop(n)
		}
	}
	return os.RemoveAll(t.diskPath(prefix))
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
		if data, ok := t.mem[n]; ok {
			b.Entries = append(b.Entries, backup.NewEntry(n, int64(len(data)), func() (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(data)), nil
			}))
			continue
		}
		p := t.diskPath(n)
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
