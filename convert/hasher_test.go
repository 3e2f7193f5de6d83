package convert

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
)

// TestHasherConcurrent hashes the files of a real folder backup from
// several goroutines while the background pass runs, and after it was
// stopped: every sum is the file's SHA-1 and size, whoever computed it.
func TestHasherConcurrent(t *testing.T) {
	dir := t.TempDir()
	want := map[string]sum{}
	write := func(name, body string) {
		putFile(t, dir, name, body)
		h := sha1.Sum([]byte(body))
		want[name] = sum{hash: hex.EncodeToString(h[:]), size: int64(len(body))}
	}
	write("moodle.xml", "<MOODLE_BACKUP></MOODLE_BACKUP>")
	for i := 0; i < 40; i++ {
		write(fmt.Sprintf("course_files/f%02d.txt", i), strings.Repeat(fmt.Sprint(i), 1000*i))
		write(fmt.Sprintf("moddata/forum/1/%d/a.txt", i), fmt.Sprint("post ", i))
	}
	ctx := context.Background()
	src, err := backup.Open(ctx, dir, backup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	entries := map[string]*backup.Entry{}
	for _, e := range src.Entries {
		if !e.Dir {
			entries[e.Name] = e
		}
	}
	ahead := prehashNames(entries)
	if len(ahead) != 40 {
		t.Fatalf("prehash %d names, want the 40 course files only: %v", len(ahead), ahead)
	}
	for round := 0; round < 2; round++ {
		h := newHasher(ctx, entries, ahead)
		if round == 1 {
			h.stop() // a stopped background pass must not fail later sums
		}
		var wg sync.WaitGroup
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for name, e := range entries {
					got, err := h.sum(ctx, name, e)
					if err != nil || got != want[name] {
						t.Errorf("round %d: sum(%s) = %v, %v; want %v", round, name, got, err, want[name])
					}
				}
			}()
		}
		wg.Wait()
		h.stop()
		for name := range entries {
			if got, ok := h.done(name); !ok || got != want[name] {
				t.Errorf("round %d: done(%s) = %v, %v", round, name, got, ok)
			}
		}
	}
}

// TestReadaheadSameOutput converts the golden courses with moodle.xml read
// ahead in a goroutine and read directly: the outputs are identical.
func TestReadaheadSameOutput(t *testing.T) {
	for _, name := range goldenCourses {
		direct, _ := convertDir(t, filepath.Join("testdata", name), Options{readaheadMin: 1 << 40})
		ahead, _ := convertDir(t, filepath.Join("testdata", name), Options{readaheadMin: 1})
		a, b := golden(t, direct, nil), golden(t, ahead, nil)
		if len(a) != len(b) {
			t.Fatalf("%s: %d files direct, %d read ahead", name, len(a), len(b))
		}
		for k, v := range a {
			if b[k] != v {
				t.Errorf("%s: %s differs when moodle.xml is read ahead", name, k)
			}
		}
	}
}
