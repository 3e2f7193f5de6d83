package backup

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
)

// openTarGz unpacks the gzip stream of a tar.gz into one uncompressed
// temporary file in opts.Scratch (removed with the backup), indexing the tar
// entries as it goes, then serves entries from that file. One pass; the
// gzip CRC is checked at the end.
func openTarGz(ctx context.Context, r io.Reader, size int64, path string, opts *Options) (*Backup, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, gzErr(path, err)
	}
	zr.Multistream(true)
	tmp, err := os.CreateTemp(opts.Scratch, "moodlemig-tar-*")
	if err != nil {
		return nil, fmt.Errorf("open %s: scratch file: %w", path, err)
	}
	// Unlink at once where the system allows it, so nothing is left behind
	// even if the process dies; otherwise remove it on Close.
	rmErr := os.Remove(tmp.Name())
	cleanup := closerFunc(func() error {
		err := tmp.Close()
		if rmErr != nil {
			os.Remove(tmp.Name())
		}
		return err
	})
	limit := opts.Limits.MaxTotal
	if size <= limit/opts.Limits.MaxRatio {
		limit = min(limit, max(size*opts.Limits.MaxRatio, RatioMinSize))
	}
	lr := &limitedReader{r: ctxReader{ctx, zr}, n: limit}
	br := bufio.NewReaderSize(lr, 64<<10)
	if head, err := br.Peek(512); !isTar(head) {
		cleanup.Close()
		if err != nil && err != io.EOF {
			return nil, gzErr(path, err)
		}
		return nil, &Error{Archive: path, Err: ErrNotBackup,
			Detail: "a gzip file that does not hold a tar archive; it holds " + describe(head),
			Hint:   "open a Moodle backup (.zip or .mbz) or an extracted backup folder"}
	}
	tee := &countReader{r: io.TeeReader(br, tmp)}
	b, err := indexTar(ctx, tee, nil, tmp, path, opts)
	if err == nil {
		// Drain the rest (tar padding, trailing data) so the gzip CRC is checked.
		_, err = io.Copy(io.Discard, tee)
	}
	if err != nil {
		cleanup.Close()
		if lr.n < 0 {
			return nil, &Error{Archive: path, Err: ErrLimit,
				Detail: fmt.Sprintf("it unpacks to more than %d bytes (ratio limit %d to %d compressed bytes, total limit %d)",
					limit, opts.Limits.MaxRatio, size, opts.Limits.MaxTotal),
				Hint: "a possible decompression bomb; raise the limits only if the archive is trusted"}
		}
		var be *Error
		var ue *UnsafeEntryError
		if errors.As(err, &be) || errors.As(err, &ue) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, gzErr(path, err)
	}
	b.Facts.Format = FormatTarGz
	b.closers = append(b.closers, cleanup)
	return b, nil
}

func gzErr(path string, err error) error {
	switch {
	case isChecksum(err):
		return &Error{Archive: path, Err: ErrChecksum, Detail: "the gzip stream does not match its CRC-32",
			Hint: "the archive is damaged; get another copy"}
	case isFlateCorrupt(err):
		return &Error{Archive: path, Err: ErrCorrupt, Detail: fmt.Sprintf("the gzip stream is corrupt (%v)", err),
			Hint: "the archive is damaged; get another copy"}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &Error{Archive: path, Err: ErrTruncated, Detail: "the gzip stream ends early",
			Hint: "the file was cut short (interrupted copy or upload); get a complete copy"}
	}
	return &Error{Archive: path, Err: ErrNotBackup, Detail: fmt.Sprintf("a gzip file that cannot be read as tar.gz (%v)", err),
		Hint: "open a Moodle backup (.zip or .mbz) or an extracted backup folder"}
}

// openTar indexes an uncompressed tar read from f.
func openTar(ctx context.Context, f io.ReaderAt, size int64, path string, opts *Options) (*Backup, error) {
	sr := io.NewSectionReader(f, 0, size)
	b, err := indexTar(ctx, nil, &seekCounter{r: sr}, f, path, opts)
	if err != nil {
		return nil, err
	}
	b.Facts.Format = FormatTar
	return b, nil
}

// indexTar reads the tar headers from cr (a stream) or sc (a seekable
// source), checking every entry, and makes entries that read their bytes
// from data at the offsets seen.
func indexTar(ctx context.Context, cr *countReader, sc *seekCounter, data io.ReaderAt, path string, opts *Options) (*Backup, error) {
	var tr *tar.Reader
	var pos func() int64
	if cr != nil {
		tr, pos = tar.NewReader(cr), func() int64 { return cr.n }
	} else {
		tr, pos = tar.NewReader(sc), func() int64 { return sc.off }
	}
	b := &Backup{Path: path}
	seen := map[string]bool{}
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, &Error{Archive: path, Err: ErrTruncated, Detail: "the tar stream ends inside an entry",
					Hint: "the file was cut short (interrupted copy or upload); get a complete copy"}
			}
			var be *Error
			if errors.As(err, &be) || errors.Is(err, errLimit) || isChecksum(err) {
				return nil, err
			}
			return nil, &Error{Archive: path, Err: ErrCorrupt, Detail: fmt.Sprintf("bad tar header (%v)", err),
				Hint: "the archive is damaged; get another copy"}
		}
		if why := unsafeReason(h.Name); why != "" {
			return nil, &UnsafeEntryError{Archive: path, Entry: h.Name, Reason: why}
		}
		dir := h.Typeflag == tar.TypeDir
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeDir: // the reader maps the old '\x00' type to TypeReg
		case tar.TypeSymlink:
			return nil, &UnsafeEntryError{Archive: path, Entry: h.Name, Reason: "symlink", Target: h.Linkname}
		case tar.TypeLink:
			return nil, &UnsafeEntryError{Archive: path, Entry: h.Name, Reason: "hardlink", Target: h.Linkname}
		case tar.TypeXGlobalHeader:
			continue
		default:
			return nil, &UnsafeEntryError{Archive: path, Entry: h.Name, Reason: "special"}
		}
		name := cleanName(h.Name, dir)
		if name == "" {
			continue
		}
		if seen[name] {
			return nil, &Error{Archive: path, Entry: name, Err: ErrDuplicate,
				Detail: "the name appears more than once (tar keeps the last copy, other tools the first)",
				Hint:   "re-pack the backup so that each file appears once"}
		}
		seen[name] = true
		if len(b.Entries) >= opts.Limits.MaxEntries {
			return nil, &Error{Archive: path, Err: ErrLimit,
				Detail: fmt.Sprintf("more than %d entries", opts.Limits.MaxEntries),
				Hint:   "raise the entry limit if the archive is trusted"}
		}
		size := h.Size
		if dir {
			size = 0
		}
		total += size
		if size < 0 || total > opts.Limits.MaxTotal {
			return nil, &Error{Archive: path, Entry: name, Err: ErrLimit,
				Detail: fmt.Sprintf("the entries add up to more than the limit of %d bytes", opts.Limits.MaxTotal),
				Hint:   "a possible decompression bomb; raise the total-size limit only if the archive is trusted"}
		}
		off := pos()
		e := &Entry{Name: name, Size: size, Modified: h.ModTime, Dir: dir}
		e.open = func() (io.ReadCloser, error) {
			return io.NopCloser(&tarEntryReader{r: io.NewSectionReader(data, off, size), archive: path, entry: name}), nil
		}
		b.Entries = append(b.Entries, e)
		if cr != nil && size > 0 {
			// Read the data through so it lands in the scratch file.
			if _, err := io.Copy(io.Discard, tr); err != nil {
				if errors.Is(err, io.ErrUnexpectedEOF) {
					return nil, &Error{Archive: path, Entry: name, Err: ErrTruncated, Detail: "the tar stream ends inside this entry",
						Hint: "the file was cut short (interrupted copy or upload); get a complete copy"}
				}
				return nil, err
			}
		} else if sc != nil && off+size > sc.size() {
			return nil, &Error{Archive: path, Entry: name, Err: ErrTruncated, Detail: "the tar file ends inside this entry",
				Hint: "the file was cut short (interrupted copy or upload); get a complete copy"}
		}
	}
	return b, nil
}

// tarEntryReader reads one entry's bytes and reports a short read as
// truncation.
type tarEntryReader struct {
	r              *io.SectionReader
	archive, entry string
}

func (t *tarEntryReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		if off, _ := t.r.Seek(0, io.SeekCurrent); off < t.r.Size() {
			err = io.ErrUnexpectedEOF
		}
	}
	return n, entryErr(t.archive, t.entry, err)
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// seekCounter is a ReadSeeker that knows its offset, so the tar reader can
// skip entry data by seeking.
type seekCounter struct {
	r   *io.SectionReader
	off int64
}

func (s *seekCounter) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.off += int64(n)
	return n, err
}

func (s *seekCounter) Seek(offset int64, whence int) (int64, error) {
	o, err := s.r.Seek(offset, whence)
	if err == nil {
		s.off = o
	}
	return o, err
}

func (s *seekCounter) size() int64 { return s.r.Size() }

var errLimit = errors.New("limit reached")

// limitedReader fails with errLimit once more than n bytes were read
// (n goes negative).
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errLimit
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errLimit
	}
	return n, err
}

type closerFunc func() error

func (f closerFunc) Close() error { return f() }
