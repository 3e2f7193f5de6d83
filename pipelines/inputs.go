package pipelines

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Input is one archive of a batch.
type Input struct {
	// Path is where the archive (or extracted folder) is.
	Path string
	// Key names the input the same way on every machine given the same
	// arguments: the path as written, or the folder argument joined with the
	// path found under it. Shards and the journal use it.
	Key string
	// Dir is the folder of the input relative to the folder argument it was
	// found in, with a trailing slash ("" for inputs named directly); the
	// {dir} placeholder of output names.
	Dir string
	// Size is the input's size in bytes (the sum of a folder's files).
	Size int64
	// Folder is true for an extracted backup folder.
	Folder bool
}

// backupExts are the file name endings searched for in folders.
var backupExts = []string{".zip", ".mbz", ".tar.gz", ".tgz", ".tar"}

// isBackupName reports whether name looks like a backup archive.
func isBackupName(name string) bool {
	l := strings.ToLower(name)
	for _, e := range backupExts {
		if strings.HasSuffix(l, e) {
			return true
		}
	}
	return false
}

// isBackupFolder reports whether dir is an extracted backup (holds
// moodle.xml or moodle_backup.xml at its root).
func isBackupFolder(dir string) bool {
	for _, m := range []string{"moodle.xml", "moodle_backup.xml"} {
		if fi, err := os.Stat(filepath.Join(dir, m)); err == nil && fi.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// ExpandInputs turns command-line arguments into the batch's inputs:
//
//   - a file is an input, whatever its name;
//   - a folder holding moodle.xml or moodle_backup.xml is an extracted backup;
//   - any other folder is searched (recursively, skipping hidden folders and
//     the folders in exclude) for *.zip, *.mbz, *.tar.gz, *.tgz, *.tar and
//     extracted backups;
//   - a pattern with * ? or [ is expanded like a shell glob;
//   - "@FILE" reads a manifest: one path per line (blank lines and lines
//     starting with # are ignored); "-" reads a manifest from stdin.
//
// Inputs keep the order of the arguments (a folder's in lexical order); a
// path named twice is kept once.
func ExpandInputs(args []string, stdin io.Reader, exclude ...string) ([]Input, error) {
	x := expander{seen: map[string]bool{}}
	for _, e := range exclude {
		if abs, err := filepath.Abs(e); err == nil {
			x.exclude = append(x.exclude, abs)
		}
	}
	for _, arg := range args {
		var err error
		switch {
		case arg == "-":
			err = x.manifest("stdin", stdin)
		case strings.HasPrefix(arg, "@"):
			var f *os.File
			if f, err = os.Open(arg[1:]); err == nil {
				err = x.manifest(arg[1:], f)
				f.Close()
			}
		default:
			err = x.arg(arg, true)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(x.inputs) == 0 {
		return nil, fmt.Errorf("no backups found in %s", strings.Join(args, " "))
	}
	return x.inputs, nil
}

type expander struct {
	inputs  []Input
	seen    map[string]bool
	exclude []string
}

func (x *expander) manifest(name string, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := x.arg(line, false); err != nil {
			return fmt.Errorf("manifest %s:%d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read manifest %s: %w", name, err)
	}
	return nil
}

func (x *expander) arg(arg string, glob bool) error {
	fi, err := os.Stat(arg)
	if errors.Is(err, fs.ErrNotExist) && glob && strings.ContainsAny(arg, "*?[") {
		matches, gerr := filepath.Glob(arg)
		if gerr != nil {
			return fmt.Errorf("pattern %q: %w", arg, gerr)
		}
		if len(matches) == 0 {
			return fmt.Errorf("no file matches %q", arg)
		}
		for _, m := range matches {
			if err := x.arg(m, false); err != nil {
				return err
			}
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("input %s: %w", arg, err)
	}
	key := filepath.ToSlash(filepath.Clean(arg))
	if !fi.IsDir() {
		x.add(Input{Path: arg, Key: key, Size: fi.Size()})
		return nil
	}
	if isBackupFolder(arg) {
		x.add(Input{Path: arg, Key: key, Size: folderSize(arg), Folder: true})
		return nil
	}
	return filepath.WalkDir(arg, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("search %s: %w", arg, err)
		}
		rel, _ := filepath.Rel(arg, p)
		rel = filepath.ToSlash(rel)
		dir := ""
		if i := strings.LastIndexByte(rel, '/'); i >= 0 {
			dir = rel[:i+1]
		}
		if d.IsDir() {
			if p == arg {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") || x.excluded(p) {
				return filepath.SkipDir
			}
			if isBackupFolder(p) {
				x.add(Input{Path: p, Key: key + "/" + rel, Dir: dir, Size: folderSize(p), Folder: true})
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !isBackupName(d.Name()) || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		x.add(Input{Path: p, Key: key + "/" + rel, Dir: dir, Size: info.Size()})
		return nil
	})
}

func (x *expander) excluded(p string) bool {
	abs, err := filepath.Abs(p)
	if err != nil {
		return false
	}
	for _, e := range x.exclude {
		if abs == e {
			return true
		}
	}
	return false
}

func (x *expander) add(in Input) {
	abs, err := filepath.Abs(in.Path)
	if err != nil {
		abs = in.Path
	}
	if x.seen[abs] {
		return
	}
	x.seen[abs] = true
	x.inputs = append(x.inputs, in)
}

func folderSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
