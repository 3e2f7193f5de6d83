package backup

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sampleZip writes a nested 1.x zip with a few files and returns its path.
func sampleZip(t testing.TB, dir string) string {
	t.Helper()
	return writeFile(t, dir, "in.zip", zipBytes(t,
		zent{name: "backup-x/", dir: true},
		zent{name: "backup-x/moodle.xml", body: moodle1XML},
		zent{name: "backup-x/course_files/", dir: true},
		zent{name: "backup-x/course_files/notes.txt", body: strings.Repeat("lecture notes ", 500)},
		zent{name: "backup-x/course_files/photo.jpg", body: "\xff\xd8\xff\xe0 not really a jpeg", store: true},
		zent{name: "backup-x/course_files/r\u00e9sum\u00e9.txt", body: "utf-8 name"},
	))
}

func openT(t testing.TB, p string) *Backup {
	t.Helper()
	b, err := Open(context.Background(), p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func contents(t testing.TB, b *Backup) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, e := range b.Entries {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
		m[e.Name] = string(data)
	}
	return m
}

func rawBytes(t testing.TB, f *zip.File) []byte {
	t.Helper()
	r, err := f.OpenRaw()
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestWriteZipRawCopy(t *testing.T) {
	dir := t.TempDir()
	in := openT(t, sampleZip(t, dir))
	in.Relocate(nil)
	// One changed entry: it must be compressed anew.
	changed := in.Entry("course_files/notes.txt").Replace(-1, func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("changed")), nil
	})
	in.SetEntry(changed)

	dest := filepath.Join(dir, "out.zip")
	if err := Write(context.Background(), in, dest, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	out := openT(t, dest)
	if out.Facts.Kind != Moodle1 || out.Facts.Root != "" || out.Facts.ShortName != "Bio 101" {
		t.Errorf("output facts = %+v", out.Facts)
	}
	want := contents(t, in)
	if diff := cmp.Diff(want, contents(t, out)); diff != "" {
		t.Errorf("contents (-in +out):\n%s", diff)
	}
	if err := out.Verify(context.Background()); err != nil {
		t.Errorf("output does not verify: %v", err)
	}
	raws := 0
	for _, e := range in.Entries {
		if e.Raw() == nil || e.Dir {
			continue
		}
		raws++
		o := out.Entry(e.Name)
		if !bytes.Equal(rawBytes(t, e.Raw()), rawBytes(t, o.Raw())) {
			t.Errorf("%s: compressed payload not copied as is", e.Name)
		}
		if o.Raw().Method != e.Raw().Method || o.Raw().CRC32 != e.Raw().CRC32 || !o.Modified.Equal(e.Modified) {
			t.Errorf("%s: header not carried over: %+v", e.Name, o.Raw().FileHeader)
		}
	}
	if raws != 3 {
		t.Errorf("%d raw entries, want 3", raws)
	}
	if f := out.Entry("course_files/r\u00e9sum\u00e9.txt").Raw(); f.Flags&0x800 == 0 {
		t.Error("non-ASCII name written without the UTF-8 flag")
	}
	if f := out.Entry("course_files/notes.txt").Raw(); f.Method != zip.Deflate {
		t.Errorf("changed entry method %d, want deflate", f.Method)
	}
	assertOnly(t, dir, "in.zip", "out.zip")
}

func TestWriteRecompressAndStore(t *testing.T) {
	dir := t.TempDir()
	in := openT(t, sampleZip(t, dir))
	dest := filepath.Join(dir, "out.zip")
	if err := Write(context.Background(), in, dest, WriteOptions{Recompress: true, Level: 9}); err != nil {
		t.Fatal(err)
	}
	out := openT(t, dest)
	if diff := cmp.Diff(contents(t, in), contents(t, out)); diff != "" {
		t.Errorf("contents (-in +out):\n%s", diff)
	}
	if m := out.Entry("backup-x/course_files/photo.jpg").Raw().Method; m != zip.Store {
		t.Errorf("jpg written with method %d, want store", m)
	}
	if m := out.Entry("backup-x/moodle.xml").Raw().Method; m != zip.Deflate {
		t.Errorf("xml written with method %d, want deflate", m)
	}
}

func TestWriteTarGz(t *testing.T) {
	dir := t.TempDir()
	src := writeFile(t, dir, "in.mbz", zipBytes(t, zent{name: "moodle_backup.xml", body: moodle2XML},
		zent{name: "files/", dir: true}, zent{name: "files/ab/abcdef", body: "pool file"}))
	in := openT(t, src)
	in.SetEntry(NewEntry("course/course.xml", -1, func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("<course/>")), nil
	}))
	dest := filepath.Join(dir, "out.mbz")
	if err := Write(context.Background(), in, dest, WriteOptions{Format: FormatTarGz}); err != nil {
		t.Fatal(err)
	}
	head, _ := os.ReadFile(dest)
	if !bytes.HasPrefix(head, []byte{0x1f, 0x8b}) {
		t.Fatal("output is not gzip")
	}
	out := openT(t, dest)
	if out.Facts.Format != FormatTarGz || out.Facts.Kind != Moodle2 {
		t.Errorf("facts = %+v", out.Facts)
	}
	if diff := cmp.Diff(contents(t, in), contents(t, out)); diff != "" {
		t.Errorf("contents (-in +out):\n%s", diff)
	}
	if got := out.Entry("course/course.xml").Modified; !got.Equal(in.Facts.BackupDate) {
		t.Errorf("new entry time %v, want the backup date %v", got, in.Facts.BackupDate)
	}
	assertOnly(t, dir, "in.mbz", "out.mbz")

	long := NewEntry(strings.Repeat("d", 120)+"/"+strings.Repeat("f", 120), 1, func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader("x")), nil
	})
	in.SetEntry(long)
	err := Write(context.Background(), in, filepath.Join(dir, "long.mbz"), WriteOptions{Format: FormatTarGz})
	if err == nil || !strings.Contains(err.Error(), "USTAR") {
		t.Errorf("long name: err = %v, want a USTAR error", err)
	}
	assertOnly(t, dir, "in.mbz", "out.mbz")
}

// failingReader yields some bytes, then runs fail and returns its error.
type failingReader struct {
	n    int
	fail func() error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		k := min(len(p), f.n)
		for i := range p[:k] {
			p[i] = 'z'
		}
		f.n -= k
		return k, nil
	}
	return 0, f.fail()
}

func TestWriteAtomic(t *testing.T) {
	for _, format := range []Format{FormatZip, FormatTarGz} {
		t.Run(string(format), func(t *testing.T) {
			dir := t.TempDir()
			in := openT(t, sampleZip(t, dir))
			if format == FormatTarGz { // USTAR names are ASCII
				in.Entries = slices.DeleteFunc(in.Entries, func(e *Entry) bool { return !isASCII(e.Name) })
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			boom := errors.New("disk on fire")
			cases := []struct {
				name string
				fail func() error
				want error
			}{
				{"read error", func() error { return boom }, boom},
				{"cancel", func() error { cancel(); return context.Canceled }, context.Canceled},
			}
			for _, c := range cases {
				b := *in
				b.Entries = append([]*Entry(nil), in.Entries...)
				b.SetEntry(NewEntry("course_files/big.bin", 3<<20, func() (io.ReadCloser, error) {
					return io.NopCloser(&failingReader{n: 2 << 20, fail: c.fail}), nil
				}))
				err := Write(ctx, &b, filepath.Join(dir, "out"), WriteOptions{Format: format})
				if !errors.Is(err, c.want) {
					t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
				}
				assertOnly(t, dir, "in.zip")
			}
			// Already cancelled: nothing is created.
			if err := Write(ctx, in, filepath.Join(dir, "out"), WriteOptions{Format: format}); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled ctx: err = %v", err)
			}
			assertOnly(t, dir, "in.zip")
			// An unsafe name coming from a stage.
			in2 := *in
			in2.Entries = []*Entry{in.Main().Rename("../escape.xml")}
			var ue *UnsafeEntryError
			if err := Write(context.Background(), &in2, filepath.Join(dir, "out"), WriteOptions{Format: format}); !errors.As(err, &ue) {
				t.Errorf("unsafe name: err = %v", err)
			}
			assertOnly(t, dir, "in.zip")
		})
	}
}

func TestWriteNeverOverwritesInput(t *testing.T) {
	dir := t.TempDir()
	src := sampleZip(t, dir)
	orig, _ := os.ReadFile(src)
	in := openT(t, src)
	link := filepath.Join(dir, "link.zip")
	if err := os.Link(src, link); err != nil {
		t.Skip("no hard links:", err)
	}
	folder := filepath.Join(dir, "folder")
	writeFile(t, folder, "moodle.xml", []byte(moodle1XML))
	fb := openT(t, folder)

	for _, tc := range []struct {
		name string
		b    *Backup
		dest string
		opts WriteOptions
	}{
		{"same path", in, src, WriteOptions{Overwrite: true}},
		{"same path, relative spelling", in, filepath.Join(dir, ".", "in.zip"), WriteOptions{Overwrite: true}},
		{"hard link to the input", in, link, WriteOptions{Overwrite: true}},
		{"listed input", in, filepath.Join(dir, "other.zip"), WriteOptions{Overwrite: true, Inputs: []string{filepath.Join(dir, "other.zip")}}},
		{"inside the input folder", fb, filepath.Join(folder, "out.zip"), WriteOptions{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Write(context.Background(), tc.b, tc.dest, tc.opts)
			if !errors.Is(err, ErrInputOverwrite) {
				t.Fatalf("err = %v, want ErrInputOverwrite", err)
			}
		})
	}
	if now, _ := os.ReadFile(src); !bytes.Equal(now, orig) {
		t.Fatal("input changed")
	}
}

func TestWriteExisting(t *testing.T) {
	dir := t.TempDir()
	in := openT(t, sampleZip(t, dir))
	dest := writeFile(t, dir, "out.zip", []byte("precious"))
	err := Write(context.Background(), in, dest, WriteOptions{})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), dest) {
		t.Fatalf("err = %v, want ErrExists naming the file", err)
	}
	if data, _ := os.ReadFile(dest); string(data) != "precious" {
		t.Fatal("existing output changed")
	}
	if err := Write(context.Background(), in, dest, WriteOptions{Overwrite: true}); err != nil {
		t.Fatal(err)
	}
	if out := openT(t, dest); out.Main() == nil {
		t.Fatal("overwritten output is not a backup")
	}
	assertOnly(t, dir, "in.zip", "out.zip")
}

// assertOnly fails when dir holds anything but names (e.g. a temp file).
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		if !e.IsDir() && e.Type().IsRegular() {
			got = append(got, e.Name())
		}
	}
	if diff := cmp.Diff(names, got); diff != "" {
		t.Errorf("files in %s (-want +got):\n%s", dir, diff)
	}
}

func TestWriteReproducible(t *testing.T) {
	dir := t.TempDir()
	in := openT(t, sampleZip(t, dir))
	in.SetEntry(NewEntry("new.xml", -1, func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("<new/>")), nil }))
	in.Entries = slices.DeleteFunc(in.Entries, func(e *Entry) bool { return !isASCII(e.Name) }) // USTAR
	for _, f := range []Format{FormatZip, FormatTarGz} {
		a, b := filepath.Join(dir, "a."+string(f)), filepath.Join(dir, "b."+string(f))
		for _, p := range []string{a, b} {
			if err := Write(context.Background(), in, p, WriteOptions{Format: f, Recompress: true}); err != nil {
				t.Fatal(err)
			}
		}
		da, _ := os.ReadFile(a)
		db, _ := os.ReadFile(b)
		if !bytes.Equal(da, db) {
			t.Errorf("%s: two writes of the same backup differ", f)
		}
	}
}

func TestWriteOutputIsReadable(t *testing.T) {
	dir := t.TempDir()
	in := openT(t, sampleZip(t, dir))
	for _, f := range []Format{FormatZip} { // (the sample's Unicode names do not fit USTAR)
		dest := filepath.Join(dir, "out."+string(f))
		if err := Write(context.Background(), in, dest, WriteOptions{Format: f}); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(dest)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != OutputMode {
			t.Errorf("%s: mode %v, want %v (a private 0600 temp file leaked through)", f, got, OutputMode)
		}
	}
}
