package pipelines

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// StateDir is the folder in OUTDIR where a batch keeps its journal and its
// temporary files. Outputs are never written there.
const StateDir = ".moodlemig"

// Journal record kinds.
const (
	recCommit = "commit" // output complete in a temp file, about to be moved into place
	recDone   = "done"   // output in place
	recFailed = "failed" // the archive failed
)

// record is one line of the journal.
type record struct {
	T      string    `json:"t"`
	Input  string    `json:"input"` // Input.Key
	Output string    `json:"output,omitempty"`
	Size   int64     `json:"size,omitempty"`
	SHA256 string    `json:"sha256,omitempty"`
	Error  string    `json:"error,omitempty"`
	Time   time.Time `json:"time"`
}

// journal is an append-only log of what a batch finished, one JSON object a
// line, fsync'd after every record, so that after a crash (even SIGKILL) a
// --resume run knows exactly which outputs are complete.
//
// An output is moved into place only after a commit record naming its size
// and SHA-256 is on disk; on resume an output counts as done only when it is
// present with that size and checksum. The done record that follows is
// informative and not synced on its own: commit plus the check suffice.
type journal struct {
	mu      sync.Mutex // guards writes and written
	f       *os.File
	path    string
	written int64 // lines written so far

	syncMu sync.Mutex // one fsync at a time
	synced int64      // lines known to be on disk
}

// journalName is the journal file of a shard.
func journalName(s Shard) string {
	if s.All() {
		return "journal.jsonl"
	}
	return fmt.Sprintf("journal-%d-of-%d.jsonl", s.Index, s.Count)
}

// openJournal opens (creating) the journal of shard s in outDir/StateDir,
// locks it against a second run of the same shard, and cuts a last line
// torn by a crash.
func openJournal(outDir string, s Shard) (*journal, error) {
	dir := filepath.Join(outDir, StateDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	path := filepath.Join(dir, journalName(s))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: another moodlemig run (shard %s) is using %s: %w", path, s, outDir, err)
	}
	// Cut a torn last line (no newline): a crash in the middle of a write.
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	if n := bytes.LastIndexByte(data, '\n') + 1; n != len(data) {
		if err := f.Truncate(int64(n)); err != nil {
			f.Close()
			return nil, fmt.Errorf("journal %s: %w", path, err)
		}
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	syncDir(dir)
	return &journal{f: f, path: path}, nil
}

// add appends r and, when sync, waits until it is on disk.
func (j *journal) add(r record, sync bool) error {
	r.Time = time.Now().UTC().Truncate(time.Millisecond)
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	line = append(line, '\n')
	j.mu.Lock()
	_, err = j.f.Write(line)
	j.written++
	mine := j.written
	j.mu.Unlock()
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if !sync {
		return nil
	}
	// Group commit: other jobs append while this fsync runs, and an fsync
	// that started after this line was written covers it too, so jobs that
	// finish together share one fsync instead of queueing behind the lock.
	j.syncMu.Lock()
	defer j.syncMu.Unlock()
	if j.synced >= mine {
		return nil
	}
	j.mu.Lock()
	upto := j.written
	j.mu.Unlock()
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.synced = upto
	return nil
}

func (j *journal) close(sync bool) error {
	if sync {
		j.f.Sync()
	}
	return j.f.Close()
}

// history is what the journals say about one input.
type history struct {
	done *record // the last commit or done record: an output was made
	last record  // the last record of any kind
}

// readJournals returns the history of every input in all journals of
// outDir (every shard's: a resumed run may shard differently).
func readJournals(outDir string) (map[string]*history, error) {
	files, _ := filepath.Glob(filepath.Join(outDir, StateDir, "journal*.jsonl"))
	sort.Strings(files)
	hist := map[string]*history{}
	for _, file := range files {
		f, err := os.Open(file)
		if err != nil {
			return nil, fmt.Errorf("read journal: %w", err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			var r record
			if json.Unmarshal(sc.Bytes(), &r) != nil || r.Input == "" {
				continue // a torn line from a crash
			}
			h := hist[r.Input]
			if h == nil {
				h = &history{}
				hist[r.Input] = h
			}
			h.last = r
			if r.T == recDone || r.T == recCommit {
				rc := r
				h.done = &rc
			}
		}
		err = sc.Err()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read journal %s: %w", file, err)
		}
	}
	return hist, nil
}

// outputMatches reports whether the file at path has the size and SHA-256
// recorded in r.
func outputMatches(path string, r record) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != r.Size {
		return false
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == r.SHA256
}

// syncDir fsyncs a folder so that a rename or link in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}
