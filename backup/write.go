package backup

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// WriteOptions control Write.
type WriteOptions struct {
	// Format is FormatZip (default) or FormatTarGz.
	Format Format
	// Overwrite allows replacing an existing output file. An input is never
	// replaced, whatever this says.
	Overwrite bool
	// Level is the deflate (zip) or gzip (tar.gz) level, 1 (fastest) to 9
	// (smallest); 0 means the library default.
	Level int
	// Recompress sends every zip entry through the compressor, even when
	// its source payload could be copied as it is.
	Recompress bool
	// Inputs are further paths the output must never replace (b.Path is
	// always one).
	Inputs []string
	// Scratch is the folder for spooling entries of unknown size when
	// writing tar.gz (tar needs each size up front). Default: dest's folder.
	Scratch string
}

// Write writes b to dest as a zip or tar.gz. The output appears complete or
// not at all: it is written to a temporary file in dest's folder, synced,
// and renamed into place; on any error or cancellation the temporary file
// is removed. It refuses to replace an input, and an existing dest unless
// opts.Overwrite is set.
//
// Zip output copies the compressed payload of every entry whose bytes are
// unchanged from a zip input (Entry.Raw) instead of inflating and deflating
// it again; other entries are deflated (or stored, when their type is
// already compressed, e.g. .jpg, .mp4, .zip). Tar.gz output uses the USTAR
// format, the only one Moodle's tar reader accepts.
func Write(ctx context.Context, b *Backup, dest string, opts WriteOptions) (err error) {
	if opts.Format == "" {
		opts.Format = FormatZip
	}
	if opts.Format != FormatZip && opts.Format != FormatTarGz {
		return fmt.Errorf("write %s: format %q: use %q or %q", dest, opts.Format, FormatZip, FormatTarGz)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkDest(dest, append([]string{b.Path}, opts.Inputs...), opts.Overwrite); err != nil {
		return err
	}
	dir := filepath.Dir(dest)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	// CreateTemp makes the file private (0600); an output is an ordinary
	// file the admin hands to Moodle, often as another user.
	if err = tmp.Chmod(OutputMode); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", dest, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if opts.Format == FormatZip {
		err = writeZip(ctx, b, bw, dest, opts)
	} else {
		if opts.Scratch == "" {
			opts.Scratch = dir
		}
		err = writeTarGz(ctx, b, bw, dest, opts)
	}
	if err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: sync: %w", dest, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = place(tmp.Name(), dest, opts.Overwrite); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// OutputMode is the permission of the files Write creates.
const OutputMode os.FileMode = 0o644

// place moves the finished temporary file to dest. Without overwrite it
// links (which fails if dest appeared meanwhile) and falls back to a
// checked rename where links are not supported.
func place(tmp, dest string, overwrite bool) error {
	if !overwrite {
		err := os.Link(tmp, dest)
		if err == nil {
			os.Remove(tmp)
			return nil
		}
		if errors.Is(err, os.ErrExist) {
			return &Error{Archive: dest, Err: ErrExists, Detail: "it appeared while the output was written",
				Hint: "choose another output name, or allow overwriting"}
		}
		if _, serr := os.Lstat(dest); serr == nil {
			return &Error{Archive: dest, Err: ErrExists, Hint: "choose another output name, or allow overwriting"}
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	return nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort: not every system can sync a folder
		d.Close()
	}
}

// checkDest refuses a dest that is one of the inputs (or inside an input
// folder), or that exists when overwriting is off.
func checkDest(dest string, inputs []string, overwrite bool) error {
	absDest, err := filepath.Abs(dest)
	if err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	di, derr := os.Stat(dest)
	for _, in := range inputs {
		if in == "" {
			continue
		}
		absIn, err := filepath.Abs(in)
		if err != nil {
			continue
		}
		ii, ierr := os.Stat(in)
		same := absIn == absDest || (derr == nil && ierr == nil && os.SameFile(di, ii))
		if same {
			return &Error{Archive: dest, Err: ErrInputOverwrite, Detail: "it is the backup being read",
				Hint: "write to another file; moodlemig never writes in place"}
		}
		if ierr == nil && ii.IsDir() && strings.HasPrefix(absDest, absIn+string(filepath.Separator)) {
			return &Error{Archive: dest, Err: ErrInputOverwrite, Detail: "it is inside the backup folder being read (" + in + ")",
				Hint: "write outside the input folder"}
		}
	}
	if derr == nil {
		if di.IsDir() {
			return &Error{Archive: dest, Err: ErrExists, Detail: "it is a folder", Hint: "give the output a file name"}
		}
		if !overwrite {
			return &Error{Archive: dest, Err: ErrExists, Hint: "choose another output name, or allow overwriting"}
		}
	}
	return nil
}

// checkOutName refuses names that would be unsafe in the output and
// duplicates.
func checkOutName(dest string, e *Entry, seen map[string]bool) (string, error) {
	name := e.Name
	if e.Dir && !strings.HasSuffix(name, "/") {
		name += "/"
	}
	if why := unsafeReason(name); why != "" {
		return "", &UnsafeEntryError{Archive: dest, Entry: name, Reason: why}
	}
	if seen[name] {
		return "", &Error{Archive: dest, Entry: name, Err: ErrDuplicate,
			Detail: "two entries of the backup have this name", Hint: "this is a bug in a stage; report it"}
	}
	seen[name] = true
	return name, nil
}

// storedExt lists extensions whose contents are already compressed:
// deflating them again costs time and saves nothing.
var storedExt = map[string]bool{
	".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
	".zip": true, ".mbz": true, ".gz": true, ".tgz": true, ".bz2": true, ".xz": true, ".7z": true, ".rar": true,
	".mp3": true, ".mp4": true, ".m4a": true, ".m4v": true, ".mov": true, ".avi": true, ".mkv": true,
	".webm": true, ".ogg": true, ".oga": true, ".ogv": true, ".flv": true,
	".docx": true, ".xlsx": true, ".pptx": true, ".odt": true, ".ods": true, ".odp": true, ".woff2": true,
}

func writeZip(ctx context.Context, b *Backup, w io.Writer, dest string, opts WriteOptions) error {
	zw := zip.NewWriter(w)
	level := opts.Level
	if level == 0 {
		level = flate.DefaultCompression
	}
	var fl *flate.Writer
	// One compressor for the whole archive: entries are written one after
	// the other, and zip closes each entry's writer before the next starts.
	// It comes from a pool shared by the archives of a batch.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		if fl == nil {
			var err error
			if fl, err = getFlate(out, level); err != nil {
				return nil, err
			}
			return fl, nil
		}
		fl.Reset(out)
		return fl, nil
	})
	defer func() {
		if fl != nil {
			putFlate(fl, level)
		}
	}()
	seen := map[string]bool{}
	buf := make([]byte, 256<<10)
	for _, e := range b.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name, err := checkOutName(dest, e, seen)
		if err != nil {
			return err
		}
		if raw := e.Raw(); raw != nil && !opts.Recompress && !e.Dir {
			if err := copyRaw(ctx, zw, raw, name, dest, buf); err != nil {
				return err
			}
			continue
		}
		fh := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: modTime(b, e)}
		if e.Dir || e.Size == 0 || storedExt[strings.ToLower(filepath.Ext(name))] {
			fh.Method = zip.Store
		}
		fh.SetMode(0o644)
		if e.Dir {
			fh.SetMode(0o755 | os.ModeDir)
		}
		out, err := zw.CreateHeader(fh)
		if err != nil {
			return fmt.Errorf("write %s: entry %q: %w", dest, name, err)
		}
		if e.Dir {
			continue
		}
		if err := copyEntry(ctx, out, e, name, dest, buf); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	return nil
}

// flatePools keep deflate compressors (about a megabyte of state each) for
// reuse by the next archive of a batch, one pool per level (-2 … 9).
var flatePools [12]sync.Pool

func getFlate(w io.Writer, level int) (*flate.Writer, error) {
	if level >= -2 && level <= 9 {
		if fw, ok := flatePools[level+2].Get().(*flate.Writer); ok {
			fw.Reset(w)
			return fw, nil
		}
	}
	return flate.NewWriter(w, level)
}

func putFlate(fw *flate.Writer, level int) {
	if level >= -2 && level <= 9 {
		fw.Reset(io.Discard) // drop the reference to the finished output
		flatePools[level+2].Put(fw)
	}
}

// copyRaw copies the compressed payload of src into a new zip entry named
// name, without recompression; CRC and sizes are carried over.
func copyRaw(ctx context.Context, zw *zip.Writer, src *zip.File, name, dest string, buf []byte) error {
	fh := src.FileHeader // value copy: keeps method, CRC, sizes, times, attributes
	fh.Name, fh.Comment, fh.Extra, fh.NonUTF8 = name, "", nil, false
	fh.Flags = src.Flags &^ 0x808 // sizes are known: no data descriptor; UTF-8 flag set below
	if !isASCII(name) && utf8.ValidString(name) {
		fh.Flags |= 0x800
	}
	out, err := zw.CreateRaw(&fh)
	if err != nil {
		return fmt.Errorf("write %s: entry %q: %w", dest, name, err)
	}
	r, err := src.OpenRaw()
	if err != nil {
		return fmt.Errorf("write %s: entry %q: read source: %w", dest, name, err)
	}
	n, err := io.CopyBuffer(out, ctxReader{ctx, r}, buf)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("write %s: entry %q: %w", dest, name, err)
	}
	if uint64(n) != src.CompressedSize64 {
		return &Error{Archive: dest, Entry: name, Err: ErrTruncated,
			Detail: fmt.Sprintf("the source payload has %d of %d bytes", n, src.CompressedSize64),
			Hint:   "the input archive is cut short; get a complete copy"}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// copyEntry copies e's bytes to out, checking its declared size.
func copyEntry(ctx context.Context, out io.Writer, e *Entry, name, dest string, buf []byte) error {
	rc, err := e.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	n, err := io.CopyBuffer(out, ctxReader{ctx, rc}, buf)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var be *Error
		if errors.As(err, &be) {
			return err
		}
		return fmt.Errorf("write %s: entry %q: %w", dest, name, err)
	}
	if e.Size >= 0 && n != e.Size {
		return &Error{Archive: dest, Entry: name, Err: ErrTruncated,
			Detail: fmt.Sprintf("%d bytes read, %d declared", n, e.Size),
			Hint:   "the entry's source changed or a stage declared a wrong size; report it"}
	}
	return nil
}

func writeTarGz(ctx context.Context, b *Backup, w io.Writer, dest string, opts WriteOptions) error {
	level := opts.Level
	if level == 0 {
		level = gzip.DefaultCompression
	}
	zw, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	tw := tar.NewWriter(zw)
	seen := map[string]bool{}
	buf := make([]byte, 256<<10)
	for _, e := range b.Entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		name, err := checkOutName(dest, e, seen)
		if err != nil {
			return err
		}
		// USTAR holds whole seconds from 1970 on.
		h := &tar.Header{Name: name, ModTime: modTime(b, e).Truncate(time.Second), Mode: 0o644, Typeflag: tar.TypeReg, Format: tar.FormatUSTAR}
		if e.Dir {
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
			if err := tw.WriteHeader(h); err != nil {
				return tarNameErr(dest, name, err)
			}
			continue
		}
		src, size, cleanup, err := sized(ctx, e, name, dest, opts.Scratch, buf)
		if err != nil {
			return err
		}
		h.Size = size
		if err := tw.WriteHeader(h); err != nil {
			cleanup()
			return tarNameErr(dest, name, err)
		}
		err = copyEntry(ctx, tw, src, name, dest, buf)
		cleanup()
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", dest, err)
	}
	return nil
}

func tarNameErr(dest, name string, err error) error {
	return &Error{Archive: dest, Entry: name, Err: err,
		Detail: "Moodle's tar reader takes plain USTAR only (ASCII names up to 100 bytes, or 155+100 split at a slash; sizes under 8 GiB)",
		Hint:   "write zip instead (format zip), which has no such limits"}
}

// sized returns an entry with a known size: e itself, or e spooled to a
// temporary file in scratch when its size is unknown (-1).
func sized(ctx context.Context, e *Entry, name, dest, scratch string, buf []byte) (*Entry, int64, func(), error) {
	if e.Size >= 0 {
		return e, e.Size, func() {}, nil
	}
	f, err := os.CreateTemp(scratch, ".moodlemig-spool-*")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("write %s: entry %q: spool: %w", dest, name, err)
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	if err := copyEntry(ctx, f, e, name, dest, buf); err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	size, err := f.Seek(0, io.SeekCurrent)
	if err != nil {
		cleanup()
		return nil, 0, nil, err
	}
	spooled := NewEntry(name, size, func() (io.ReadCloser, error) {
		return io.NopCloser(io.NewSectionReader(f, 0, size)), nil
	})
	return spooled, size, cleanup, nil
}

// modTime is the time written for e: its own, else the backup's date, else
// 1980-01-01 (the zip epoch), so that outputs are reproducible.
func modTime(b *Backup, e *Entry) time.Time {
	switch {
	case !e.Modified.IsZero() && e.Modified.Year() >= 1980:
		return e.Modified
	case !b.Facts.BackupDate.IsZero():
		return b.Facts.BackupDate
	}
	return time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
}
