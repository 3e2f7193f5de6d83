package convert

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/moodlemig/moodlemig/backup"
)

// EmptyHash is the SHA-1 of no bytes, the contenthash of directory records.
const EmptyHash = "da39a3ee5e6b4b0d3255bfef95601890afd80709"

// Area is where a file lives in 2.x: the owner's (old) context id,
// component, file area and item id. Every record of an activity must use the
// activity's context id, or restore never asks for it.
type Area struct {
	ContextID int64
	Component string // "course", "mod_forum", "block_html", "user", ...
	FileArea  string // "legacy", "intro", "content", ...
	ItemID    int64
}

// FileRecord is one files.xml record.
type FileRecord struct {
	ID   int64
	Hash string
	Area
	Path      string // starts and ends with "/"
	Name      string // "." for a directory record
	Size      int64
	Mime      string
	SortOrder int
	Time      int64
	// Source is the name of the source entry holding the bytes ("" for a
	// directory record).
	Source string

	src *backup.Entry
}

// IsDir reports whether r is a directory record.
func (r FileRecord) IsDir() bool { return r.Name == "." }

type sum struct {
	hash string
	size int64
}

// Files is the file layer of one conversion: the source entries by name, the
// SHA-1 of each (computed once, while streamed), the pool and files.xml.
// Records are written to files.xml only when their owner commits them, so a
// module that fails leaves no record behind.
type Files struct {
	ctx     context.Context
	tree    *Tree
	ids     *IDs
	x       *XMLWriter
	entries map[string]*backup.Entry
	dirs    map[string]bool // source folder names (no trailing slash)
	hashes  *hasher
	placed  map[string]bool // source entries that reached some committed record
	time    int64
	count   int
}

// NewFiles indexes the source entries of b and starts files.xml in tree.
func NewFiles(ctx context.Context, tree *Tree, ids *IDs, b *backup.Backup, now int64) (*Files, error) {
	f := &Files{ctx: ctx, tree: tree, ids: ids, entries: map[string]*backup.Entry{},
		dirs: map[string]bool{}, placed: map[string]bool{}, time: now}
	for _, e := range b.Entries {
		name := strings.TrimSuffix(e.Name, "/")
		if e.Dir {
			f.dirs[name] = true
			continue
		}
		f.entries[name] = e
	}
	x, err := tree.Create("files.xml")
	if err != nil {
		return nil, err
	}
	f.x = x
	x.Start("files")
	f.hashes = newHasher(ctx, f.entries, prehashNames(f.entries))
	return f, nil
}

// prehashPrefixes are the source folders whose files the conversion
// places (the rest is user data this version leaves out): they are hashed
// in the background while moodle.xml is read.
var prehashPrefixes = []string{"course_files/", "site_files/", "group_files/", "moddata/resource/", "moddata/scorm/"}

func prehashNames(entries map[string]*backup.Entry) []string {
	var names []string
	for n := range entries {
		for _, p := range prehashPrefixes {
			if strings.HasPrefix(n, p) {
				names = append(names, n)
				break
			}
		}
	}
	sort.Strings(names)
	return names
}

// Source returns the source entry named name (a file, not a folder), or nil.
func (f *Files) Source(name string) *backup.Entry { return f.entries[name] }

// SourceNames returns the names of the source files under prefix (e.g.
// "course_files/"), sorted.
func (f *Files) SourceNames(prefix string) []string {
	var names []string
	for n := range f.entries {
		if strings.HasPrefix(n, prefix) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// SourceDirs returns the names of the source folders under prefix, sorted.
func (f *Files) SourceDirs(prefix string) []string {
	var names []string
	for d := range f.dirs {
		if strings.HasPrefix(d, prefix) {
			names = append(names, d)
		}
	}
	sort.Strings(names)
	return names
}

// IsSourceDir reports whether the source has a folder named name.
func (f *Files) IsSourceDir(name string) bool {
	name = strings.TrimSuffix(name, "/")
	if f.dirs[name] {
		return true
	}
	prefix := name + "/"
	for n := range f.entries {
		if strings.HasPrefix(n, prefix) {
			return true
		}
	}
	return false
}

// Record returns a (not yet committed) record placing the source entry src
// in area at filepath fpath (with slashes around) under fname. The bytes are
// hashed the first time the entry is used.
func (f *Files) Record(src string, area Area, fpath, fname string) (FileRecord, error) {
	e := f.entries[src]
	if e == nil {
		return FileRecord{}, fmt.Errorf("%s: %w", src, ErrMissingFile)
	}
	s, err := f.hashes.sum(f.ctx, src, e)
	if err != nil {
		return FileRecord{}, fmt.Errorf("read %s: %w", src, err)
	}
	t := f.time
	if !e.Modified.IsZero() {
		t = e.Modified.Unix()
	}
	return FileRecord{Hash: s.hash, Area: area, Path: fpath, Name: fname, Size: s.size,
		Mime: mimeType(fname), Time: t, Source: src, src: e}, nil
}

// DirRecord returns a directory record for fpath in area.
func (f *Files) DirRecord(area Area, fpath string) FileRecord {
	return FileRecord{Hash: EmptyHash, Area: area, Path: fpath, Name: ".", Mime: Null, Time: f.time}
}

// Commit gives each record an id, writes it to files.xml, adds its bytes to
// the pool and returns the ids.
func (f *Files) Commit(recs []FileRecord) []int64 {
	ids := make([]int64, len(recs))
	for i := range recs {
		r := &recs[i]
		r.ID = f.ids.Next()
		ids[i] = r.ID
		f.writeRecord(*r)
		if r.src != nil {
			f.tree.AddPool(r.Hash, r.src)
			f.placed[r.Source] = true
		}
		f.count++
	}
	return ids
}

// Placed reports whether the source entry reached a committed record.
func (f *Files) Placed(src string) bool { return f.placed[src] }

// Sum returns the SHA-1 and size of a source entry already hashed.
func (f *Files) Sum(src string) (hash string, size int64, ok bool) {
	s, ok := f.hashes.done(src)
	return s.hash, s.size, ok
}

func (f *Files) writeRecord(r FileRecord) {
	x := f.x
	x.Start("file", A("id", r.ID))
	x.Leaves("contenthash", r.Hash, "contextid", r.ContextID, "component", r.Component,
		"filearea", r.FileArea, "itemid", r.ItemID, "filepath", r.Path, "filename", r.Name,
		"userid", Null, "filesize", r.Size, "mimetype", r.Mime, "status", 0,
		"timecreated", r.Time, "timemodified", r.Time, "source", sourceValue(r),
		"author", Null, "license", Null, "sortorder", r.SortOrder,
		"repositorytype", Null, "repositoryid", Null, "reference", Null)
	x.End()
}

func sourceValue(r FileRecord) string {
	if r.IsDir() {
		return Null
	}
	return r.Name
}

// Close ends files.xml and stops hashing in the background.
func (f *Files) Close() error {
	f.hashes.stop()
	f.x.End()
	return f.x.Close()
}

// Stop stops hashing in the background and waits for it; Close does it
// too. Call it when a conversion ends without Close.
func (f *Files) Stop() { f.hashes.stop() }

func hashEntry(ctx context.Context, e *backup.Entry) (sum, error) {
	if err := ctx.Err(); err != nil {
		return sum{}, err
	}
	rc, err := e.Open()
	if err != nil {
		return sum{}, err
	}
	defer rc.Close()
	h := sha1.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return sum{}, err
	}
	return sum{hash: hex.EncodeToString(h.Sum(nil)), size: n}, nil
}

// SplitPath turns a course-relative file path ("pics/a b.png") into the 2.x
// filepath ("/pics/") and filename ("a b.png").
func SplitPath(p string) (fpath, fname string) {
	p = strings.TrimPrefix(p, "/")
	dir, name := path.Split(p)
	if dir == "" {
		return "/", name
	}
	return "/" + dir, name
}

// DirPaths returns the 2.x filepaths of every folder from the root down to
// fpath: "/a/b/" gives "/", "/a/", "/a/b/".
func DirPaths(fpath string) []string {
	out := []string{"/"}
	cur := "/"
	for _, seg := range strings.Split(strings.Trim(fpath, "/"), "/") {
		if seg == "" {
			continue
		}
		cur += seg + "/"
		out = append(out, cur)
	}
	return out
}

var mimeTypes = map[string]string{
	"txt": "text/plain", "html": "text/html", "htm": "text/html", "css": "text/css",
	"js": "application/javascript", "xml": "application/xml", "csv": "text/csv",
	"pdf": "application/pdf", "zip": "application/zip", "rtf": "text/rtf",
	"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"odt":  "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
	"gif": "image/gif", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
	"bmp": "image/bmp", "svg": "image/svg+xml", "ico": "image/vnd.microsoft.icon",
	"mp3": "audio/mp3", "wav": "audio/wav", "mp4": "video/mp4", "avi": "video/x-msvideo",
	"mov": "video/quicktime", "swf": "application/x-shockwave-flash", "flv": "video/x-flv",
}

// mimeType guesses a MIME type from the extension (informational: Moodle
// recomputes it), from a fixed table so output does not depend on the host.
func mimeType(name string) string {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	if m, ok := mimeTypes[ext]; ok {
		return m
	}
	return "application/octet-stream"
}
