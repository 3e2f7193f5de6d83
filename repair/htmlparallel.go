package repair

import (
	"io"
	"sync"
)

// htmlPar rebuilds fields on a second core. A worker goroutine reads the
// input, hands each piece on to the HTMLReader, and runs a filter of its
// own over the same bytes: both see the same fields in the same order.
// The worker rebuilds every second group of parGroup fields ahead of the
// reader; the reader rebuilds the others and any the worker has not started when the reader
// gets there, so neither waits for the other except for a field the worker
// is in the middle of. Output and findings are exactly those of one core.
type htmlPar struct {
	chunks chan parChunk // the input, in order, worker → reader
	free   chan []byte   // pieces the reader is done with, reader → worker
	outs   chan []byte   // rebuilt-field buffers the reader is done with
	stop   chan struct{} // closed by Close
	wg     sync.WaitGroup

	mu      sync.Mutex
	cond    *sync.Cond
	pos     int                 // the last field the reader started
	busy    int                 // the field the worker is rebuilding (0: none)
	results map[int]fieldResult // rebuilt ahead by the worker, by field number
	seq     int                 // the reader's field number
	taken   int                 // fields whose worker result the reader used

	cur      []byte // the reader's unread part of the current chunk
	spent    []byte // the current chunk, given back once read
	err      error  // the input's error, once reached
	stopOnce sync.Once
}

type parChunk struct {
	b   []byte
	err error
}

// parGroup is how many fields in a row the worker takes, and then leaves
// to the reader: in groups, they seldom wait for each other.
const parGroup = 16

// The worker reads the input in pieces of parChunkSize and may be
// parChunks pieces ahead of the reader.
const (
	parChunkSize = 256 << 10
	parChunks    = 8
)

func newHTMLPar(h *HTMLReader, src io.Reader) *htmlPar {
	p := &htmlPar{chunks: make(chan parChunk, parChunks), free: make(chan []byte, parChunks+2),
		stop: make(chan struct{}), results: map[int]fieldResult{}, outs: make(chan []byte, 256)}
	p.cond = sync.NewCond(&p.mu)
	w := &parWorker{p: p, h: h, src: src}
	w.rb.firstOnly = true
	w.f = newFieldFilter(w, h.opts.MaxField, IsHTMLField, nil)
	w.f.editTo = w.edit
	w.f.discard = true
	p.wg.Add(1)
	go w.run()
	return p
}

// Read gives the reader's filter the input the worker read, piece by piece.
func (p *htmlPar) Read(b []byte) (int, error) {
	for len(p.cur) == 0 {
		if p.err != nil {
			return 0, p.err
		}
		if p.spent != nil {
			select {
			case p.free <- p.spent[:0]:
			default:
			}
			p.spent = nil
		}
		c, ok := <-p.chunks
		if !ok {
			return 0, io.ErrClosedPipe
		}
		p.cur, p.spent, p.err = c.b, c.b, c.err
	}
	n := copy(b, p.cur)
	p.cur = p.cur[n:]
	return n, nil
}

// take returns the worker's result for the reader's next field, waiting
// only when the worker is rebuilding it right now; ok is false when the
// reader is to rebuild it itself.
func (p *htmlPar) take() (res fieldResult, ok bool) {
	p.seq++
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pos = p.seq
	for p.busy == p.seq {
		p.cond.Wait()
	}
	r, done := p.results[p.seq]
	if !done {
		return res, false
	}
	delete(p.results, p.seq)
	p.taken++
	return r, true
}

// done gives back the buffer of a result the reader has written.
func (p *htmlPar) done(res fieldResult) {
	if res.out != nil {
		select {
		case p.outs <- res.out[:0]:
		default:
		}
	}
}

// Close stops the worker and waits for it.
func (p *htmlPar) Close() {
	p.stopOnce.Do(func() { close(p.stop) })
	p.wg.Wait()
}

// parWorker is the second core's side.
type parWorker struct {
	p   *htmlPar
	h   *HTMLReader // for its options only: the worker touches no other state of it
	src io.Reader
	f   *fieldFilter
	rb  rebuilder
	seq int
	cur []byte // the unread part of the last piece read
	err error  // the input's error, once reached
}

func (w *parWorker) run() {
	defer w.p.wg.Done()
	defer close(w.p.chunks)
	buf := make([]byte, 64<<10)
	for {
		_, err := w.f.Read(buf)
		if err != nil {
			// The filter gave up (a markup too long, ...): the reader's
			// filter will say so when it gets there; hand it the rest of
			// the input meanwhile, whatever it holds.
			for w.err == nil {
				if _, err := w.Read(buf); err == io.ErrClosedPipe {
					return
				}
			}
			return
		}
		select {
		case <-w.p.stop:
			return
		default:
		}
	}
}

// Read serves the worker's filter from the piece of input read last, and
// reads the next piece (passing it on to the reader as well) when that one
// is used up.
func (w *parWorker) Read(b []byte) (int, error) {
	for len(w.cur) == 0 {
		if w.err != nil {
			return 0, w.err
		}
		var buf []byte
		select {
		case buf = <-w.p.free:
		default:
			buf = make([]byte, parChunkSize)
		}
		n, err := io.ReadFull(w.src, buf[:cap(buf)])
		if err == io.ErrUnexpectedEOF {
			err = io.EOF
		}
		select {
		case w.p.chunks <- parChunk{b: buf[:n], err: err}:
		case <-w.p.stop:
			return 0, io.ErrClosedPipe
		}
		w.cur, w.err = buf[:n], err
	}
	n := copy(b, w.cur)
	w.cur = w.cur[n:]
	return n, nil
}

// edit rebuilds every second field unless the reader got there first; the
// worker's own output is thrown away.
func (w *parWorker) edit(f *Field, out []byte) ([]byte, bool) {
	if !mayBeDamaged(f.Raw) {
		return out, false
	}
	w.seq++
	if (w.seq/parGroup)%2 == 0 {
		return out, false
	}
	p := w.p
	p.mu.Lock()
	if w.seq <= p.pos {
		p.mu.Unlock()
		return out, false // the reader rebuilt it
	}
	p.busy = w.seq
	p.mu.Unlock()
	res, ok := w.h.analyze(&w.rb, f.Raw)
	if !ok {
		res = fieldResult{none: true}
	} else if res.rewritten {
		var buf []byte
		select {
		case buf = <-p.outs:
		default:
		}
		res.out = w.rb.appendEscaped(buf)
	}
	p.mu.Lock()
	p.results[w.seq] = res
	p.busy = 0
	p.cond.Broadcast()
	p.mu.Unlock()
	return out, false
}
