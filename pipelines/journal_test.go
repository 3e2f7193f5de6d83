package pipelines

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestJournalTornLine: a line cut by a crash is ignored when read and cut
// away before the next record is appended, so it never corrupts that one.
func TestJournalTornLine(t *testing.T) {
	out := t.TempDir()
	j, err := openJournal(out, Shard{})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.add(record{T: recDone, Input: "a.zip", Output: "a.mbz", Size: 3, SHA256: "x"}, true); err != nil {
		t.Fatal(err)
	}
	j.f.WriteString(`{"t":"commit","input":"b.zi`) // killed mid-write
	j.close(true)

	h, err := readJournals(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || h["a.zip"] == nil || h["a.zip"].done.Output != "a.mbz" {
		t.Fatalf("history %+v, want only a.zip done", h)
	}
	j, err = openJournal(out, Shard{})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.add(record{T: recFailed, Input: "c.zip", Error: "bad"}, true); err != nil {
		t.Fatal(err)
	}
	j.close(true)
	data, _ := os.ReadFile(filepath.Join(out, StateDir, "journal.jsonl"))
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[1], `{"t":"failed","input":"c.zip"`) {
		t.Fatalf("journal after reopening:\n%s", data)
	}
}

// TestJournalLocked: two runs of one shard cannot share a journal.
func TestJournalLocked(t *testing.T) {
	out := t.TempDir()
	j, err := openJournal(out, Shard{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	defer j.close(false)
	if _, err := openJournal(out, Shard{1, 2}); err == nil || !strings.Contains(err.Error(), "another moodlemig run (shard 1/2)") {
		t.Errorf("second open: %v, want a lock error", err)
	}
	j2, err := openJournal(out, Shard{0, 2})
	if err != nil {
		t.Errorf("another shard's journal: %v", err)
	} else {
		j2.close(false)
	}
}

// FuzzReadJournal: any journal content is read without panic, and every
// input it reports comes from a complete line.
func FuzzReadJournal(f *testing.F) {
	f.Add([]byte(`{"t":"done","input":"a","output":"a.mbz","size":1,"sha256":"x","time":"2026-01-01T00:00:00Z"}` + "\n"))
	f.Add([]byte(`{"t":"commit","input":"b"}` + "\n" + `{"t":"fai`))
	f.Add([]byte("\n\n{}\nnot json\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := t.TempDir()
		os.MkdirAll(filepath.Join(out, StateDir), 0o755)
		os.WriteFile(filepath.Join(out, StateDir, "journal.jsonl"), data, 0o644)
		h, err := readJournals(out)
		if err != nil {
			return
		}
		for k, v := range h {
			if k == "" || v.last.Input != k {
				t.Fatalf("bad history %q: %+v", k, v)
			}
		}
	})
}

// TestJournalGroupCommit checks the group commit: jobs that add synced
// records at once all return with their line on disk (synced counts every
// line), and every line reads back whole.
func TestJournalGroupCommit(t *testing.T) {
	out := t.TempDir()
	j, err := openJournal(out, Shard{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			in := fmt.Sprintf("in-%03d.zip", i)
			if err := j.add(record{T: recDone, Input: in, Output: in + ".mbz", Size: 1, SHA256: "x"}, i%3 != 0); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if j.written != n {
		t.Errorf("written %d, want %d", j.written, n)
	}
	// The last synced add covered every line written before its fsync.
	if err := j.add(record{T: recDone, Input: "last.zip", Output: "last.mbz", Size: 1, SHA256: "x"}, true); err != nil {
		t.Fatal(err)
	}
	if j.synced != n+1 {
		t.Errorf("synced %d, want %d", j.synced, n+1)
	}
	j.close(true)
	h, err := readJournals(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != n+1 {
		t.Errorf("read back %d inputs, want %d", len(h), n+1)
	}
}
