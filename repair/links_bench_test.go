package repair

import (
	"io"
	"os"
	"testing"
)

// BenchmarkEncodeLinks streams a generated moodle.xml (MOODLEMIG_BENCH_SIZE)
// through encode-links: the first pass (CollectLinkSite) and the second
// (NewLinkReader), each measured alone.
func BenchmarkEncodeLinks(b *testing.B) {
	b.Run("collect", func(b *testing.B) {
		benchStream(b, 0, func(r io.Reader) io.Reader {
			if _, err := CollectLinkSite(r); err != nil {
				b.Fatal(err)
			}
			return eofReader{}
		})
	})
	b.Run("rewrite", func(b *testing.B) {
		f, err := os.Open(benchFile(b, 0))
		if err != nil {
			b.Fatal(err)
		}
		site, err := CollectLinkSite(f)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		benchStream(b, 0, func(r io.Reader) io.Reader { return NewLinkReader(r, site, LinkStreamOptions{}) })
	})
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
