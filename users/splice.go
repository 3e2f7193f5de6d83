package users

import (
	"bytes"
	"fmt"
	"io"
	"sort"
)

// Edit replaces the bytes Old at Offset with New.
type Edit struct {
	Offset int64
	Old    []byte
	New    []byte
}

// ErrChanged is wrapped by a splice reader's error when the input's bytes
// at an edit are not those read in the first pass.
var ErrChanged = fmt.Errorf("the entry's bytes changed between the two reads")

// NewSpliceReader returns a reader of r's bytes with edits applied. Edits
// must not overlap; each one checks that the bytes it replaces are Old, so
// a source that is not byte-stable fails instead of being corrupted.
func NewSpliceReader(r io.Reader, edits []Edit) io.Reader {
	es := append([]Edit(nil), edits...)
	sort.Slice(es, func(i, j int) bool { return es[i].Offset < es[j].Offset })
	return &spliceReader{r: r, edits: es}
}

type spliceReader struct {
	r     io.Reader
	edits []Edit
	off   int64  // input offset of the next byte to read from r
	out   []byte // pending output
	err   error
	buf   []byte
}

func (s *spliceReader) Read(p []byte) (int, error) {
	for len(s.out) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		s.step()
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}

// step produces more output, or sets err.
func (s *spliceReader) step() {
	if s.buf == nil {
		s.buf = make([]byte, 32<<10)
	}
	if len(s.edits) > 0 && s.off == s.edits[0].Offset {
		e := s.edits[0]
		s.edits = s.edits[1:]
		old := make([]byte, len(e.Old))
		n, err := io.ReadFull(s.r, old)
		s.off += int64(n)
		if err != nil || !bytes.Equal(old, e.Old) {
			s.err = fmt.Errorf("at byte %d: want %q, found %q: %w", e.Offset, e.Old, old[:n], ErrChanged)
			return
		}
		s.out = e.New
		if len(s.out) == 0 {
			s.out = nil
		}
		return
	}
	limit := len(s.buf)
	if len(s.edits) > 0 {
		if d := s.edits[0].Offset - s.off; d < int64(limit) {
			limit = int(d)
		}
		if limit < 0 {
			s.err = fmt.Errorf("overlapping edits at byte %d", s.edits[0].Offset)
			return
		}
	}
	n, err := s.r.Read(s.buf[:limit])
	s.off += int64(n)
	s.out = s.buf[:n]
	if err == io.EOF {
		if len(s.edits) > 0 {
			err = fmt.Errorf("input ended at byte %d before the edit at byte %d: %w", s.off, s.edits[0].Offset, ErrChanged)
		}
		s.err = err
		return
	}
	if err != nil {
		s.err = err
	}
}
