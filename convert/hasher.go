package convert

import (
	"context"
	"sync"

	"github.com/moodlemig/moodlemig/backup"
)

// hasher computes the SHA-1 and size of source entries once each: a
// goroutine works through the files the conversion will probably place
// while moodle.xml is read on the other core, and sum computes any entry
// it has not reached yet (or waits for the one it is reading).
type hasher struct {
	cancel  context.CancelFunc // stops the background pass
	mu      sync.Mutex
	state   map[string]*hashState
	entries map[string]*backup.Entry
	wg      sync.WaitGroup
}

type hashState struct {
	ready chan struct{} // closed when s and err are set
	s     sum
	err   error
}

func newHasher(ctx context.Context, entries map[string]*backup.Entry, ahead []string) *hasher {
	ctx, cancel := context.WithCancel(ctx)
	h := &hasher{cancel: cancel, state: map[string]*hashState{}, entries: entries}
	if len(ahead) > 0 {
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			for _, name := range ahead {
				if ctx.Err() != nil {
					return
				}
				if e := entries[name]; e != nil {
					_, _ = h.sum(ctx, name, e)
				}
			}
		}()
	}
	return h
}

// sum returns the hash of entry e named name (reading it under ctx), computing it unless it was
// (or is being) computed already. A failed read is not kept: the next
// call tries again (the background pass may have been cancelled).
func (h *hasher) sum(ctx context.Context, name string, e *backup.Entry) (sum, error) {
	h.mu.Lock()
	st := h.state[name]
	if st != nil {
		h.mu.Unlock()
		<-st.ready
		if st.err == nil {
			return st.s, nil
		}
		h.mu.Lock()
		if h.state[name] == st {
			delete(h.state, name)
		}
		st = nil
	}
	st = &hashState{ready: make(chan struct{})}
	h.state[name] = st
	h.mu.Unlock()
	st.s, st.err = hashEntry(ctx, e)
	close(st.ready)
	return st.s, st.err
}

// done returns the hash of name if it was computed.
func (h *hasher) done(name string) (sum, bool) {
	h.mu.Lock()
	st := h.state[name]
	h.mu.Unlock()
	if st == nil {
		return sum{}, false
	}
	<-st.ready
	return st.s, st.err == nil
}

// stop cancels the background pass and waits for it.
func (h *hasher) stop() {
	h.cancel()
	h.wg.Wait()
}
