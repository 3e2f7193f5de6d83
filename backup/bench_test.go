package backup

import (
	"bytes"
	"compress/flate"
	"context"
	"io"
	"path/filepath"
	"testing"

	kflate "github.com/klauspost/compress/flate"

	"github.com/moodlemig/moodlemig/internal/benchkit"
	"github.com/moodlemig/moodlemig/internal/gen"
)

// benchZip makes (once per benchmark) a generated 1.9 backup zip whose
// moodle.xml has about size bytes, plus course files.
func benchZip(b *testing.B, size int64, fileSize int64) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "bench.zip")
	if _, err := gen.WriteZip(p, gen.Options{Seed: 1, XMLSize: size, FileCount: 20, FileSize: fileSize}); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkReadHeader reads the header of a generated 1.9 moodle.xml (INFO,
// ROLES, COURSE/HEADER); the bytes counted are those up to </HEADER>.
func BenchmarkReadHeader(b *testing.B) {
	var buf bytes.Buffer
	if _, err := gen.WriteXML(&buf, gen.Options{Seed: 1}); err != nil {
		b.Fatal(err)
	}
	in := buf.Bytes()
	end := bytes.Index(in, []byte("</HEADER>")) + len("</HEADER>")
	b.SetBytes(int64(end))
	b.ReportAllocs()
	for b.Loop() {
		f, err := ReadHeader(bytes.NewReader(in))
		if err != nil || f.CourseID == "" {
			b.Fatal(f, err)
		}
	}
}

// BenchmarkOpenStreamMain opens a large zip and streams its moodle.xml.
func BenchmarkOpenStreamMain(b *testing.B) {
	p := benchZip(b, benchkit.Size(b, 8<<20), 1500)
	var size int64
	buf := make([]byte, 256<<10)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		bk, err := Open(context.Background(), p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		rc, err := bk.Main().Open()
		if err != nil {
			b.Fatal(err)
		}
		size, err = io.CopyBuffer(io.Discard, rc, buf)
		if err != nil {
			b.Fatal(err)
		}
		rc.Close()
		bk.Close()
	}
	b.SetBytes(size)
}

// BenchmarkWrite writes a whole backup (moodle.xml plus course files) as
// zip with raw copy of unchanged entries, with recompression, and as tar.gz.
func BenchmarkWrite(b *testing.B) {
	p := benchZip(b, benchkit.Size(b, 8<<20), benchkit.Size(b, 8<<20)/40)
	in, err := Open(context.Background(), p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	var total int64
	for _, e := range in.Entries {
		total += e.Size
	}
	dir := b.TempDir()
	for _, c := range []struct {
		name string
		opts WriteOptions
	}{
		{"zip-raw", WriteOptions{Overwrite: true}},
		{"zip-recompress", WriteOptions{Overwrite: true, Recompress: true}},
		{"tar.gz", WriteOptions{Overwrite: true, Format: FormatTarGz}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(total)
			dest := filepath.Join(dir, "out-"+c.name)
			for b.Loop() {
				if err := Write(context.Background(), in, dest, c.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDeflate compares the standard library's deflate with klauspost's
// at the default level on moodle.xml bytes: the reason Write uses the latter.
func BenchmarkDeflate(b *testing.B) {
	p := benchZip(b, min(benchkit.Size(b, 8<<20), 32<<20), 1500)
	in, err := Open(context.Background(), p, Options{})
	if err != nil {
		b.Fatal(err)
	}
	rc, _ := in.Main().Open()
	data, err := io.ReadAll(rc)
	rc.Close()
	in.Close()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		new  func(io.Writer) (io.WriteCloser, error)
	}{
		{"stdlib", func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.DefaultCompression) }},
		{"klauspost", func(w io.Writer) (io.WriteCloser, error) { return kflate.NewWriter(w, kflate.DefaultCompression) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			var out countWriter
			for b.Loop() {
				out = 0
				w, _ := c.new(&out)
				w.Write(data)
				w.Close()
			}
			b.ReportMetric(float64(out)/float64(len(data))*100, "%size")
		})
	}
}

type countWriter int64

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }
