package backup

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// openFolder lists an extracted backup folder. Links and special files are
// refused like their tar counterparts: a folder backup is plain files.
func openFolder(ctx context.Context, root string, opts *Options) (*Backup, error) {
	b := &Backup{Path: root, Facts: Facts{Format: FormatFolder}}
	var total int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &Error{Archive: root, Entry: relName(root, p), Err: err, Hint: "check the folder's permissions"}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == root {
			return nil
		}
		name := relName(root, p)
		info, err := d.Info()
		if err != nil {
			return &Error{Archive: root, Entry: name, Err: err}
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			return &UnsafeEntryError{Archive: root, Entry: name, Reason: "symlink", Target: target}
		case !info.Mode().IsRegular() && !info.IsDir():
			return &UnsafeEntryError{Archive: root, Entry: name, Reason: "special"}
		}
		if len(b.Entries) >= opts.Limits.MaxEntries {
			return &Error{Archive: root, Err: ErrLimit,
				Detail: fmt.Sprintf("more than %d entries", opts.Limits.MaxEntries),
				Hint:   "raise the entry limit if the folder is trusted"}
		}
		if info.IsDir() {
			b.Entries = append(b.Entries, &Entry{Name: name + "/", Dir: true, Modified: info.ModTime(),
				open: func() (io.ReadCloser, error) { return io.NopCloser(eofReader{}), nil }})
			return nil
		}
		total += info.Size()
		if total > opts.Limits.MaxTotal {
			return &Error{Archive: root, Entry: name, Err: ErrLimit,
				Detail: fmt.Sprintf("the files add up to more than the limit of %d bytes", opts.Limits.MaxTotal),
				Hint:   "raise the total-size limit if the folder is trusted"}
		}
		b.Entries = append(b.Entries, &Entry{Name: name, Size: info.Size(), Modified: info.ModTime(),
			open: func() (io.ReadCloser, error) {
				f, err := os.Open(p)
				if err != nil {
					return nil, &Error{Archive: root, Entry: name, Err: err}
				}
				return f, nil
			}})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func relName(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return p
	}
	return filepath.ToSlash(r)
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
