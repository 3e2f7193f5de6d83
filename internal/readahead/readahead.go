// Package readahead reads a stream in a goroutine of its own, a few buffers
// ahead of its consumer, so that producing the bytes (inflating a zip entry)
// and consuming them (tokenizing XML) run on two cores at once.
package readahead

import (
	"errors"
	"io"
	"sync"
)

// Reader is an io.ReadCloser that reads its source ahead. Close stops the
// goroutine; it must be called (it does not close the source).
type Reader struct {
	full  chan chunk
	free  chan []byte
	stop  chan struct{}
	once  sync.Once
	done  sync.WaitGroup
	cur   []byte // the chunk being consumed
	spent []byte // its buffer, returned to free when consumed
	err   error  // sticky: the source's error (io.EOF at the end)
}

type chunk struct {
	b   []byte
	err error
}

// New returns a Reader that reads r ahead by up to n buffers of size bytes
// (defaults: 4 buffers of 256 KiB when n or size is not positive).
func New(r io.Reader, n, size int) *Reader {
	if n <= 0 {
		n = 4
	}
	if size <= 0 {
		size = 256 << 10
	}
	ra := &Reader{full: make(chan chunk, n), free: make(chan []byte, n), stop: make(chan struct{})}
	for i := 0; i < n; i++ {
		ra.free <- make([]byte, size)
	}
	ra.done.Add(1)
	go ra.fill(r)
	return ra
}

func (ra *Reader) fill(r io.Reader) {
	defer ra.done.Done()
	for {
		var b []byte
		select {
		case b = <-ra.free:
		case <-ra.stop:
			return
		}
		n, err := io.ReadFull(r, b)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			err = io.EOF
		}
		select {
		case ra.full <- chunk{b[:n], err}:
		case <-ra.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read reads the next bytes in order.
func (ra *Reader) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.spent != nil {
			ra.free <- ra.spent[:cap(ra.spent)]
			ra.spent = nil
		}
		if ra.err != nil {
			return 0, ra.err
		}
		c, ok := <-ra.full
		if !ok {
			return 0, errors.New("readahead: read after Close")
		}
		ra.cur, ra.spent, ra.err = c.b, c.b, c.err
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops reading ahead and waits for the goroutine to end. The
// source itself is not closed.
func (ra *Reader) Close() error {
	ra.once.Do(func() {
		close(ra.stop)
		ra.done.Wait()
	})
	return nil
}
