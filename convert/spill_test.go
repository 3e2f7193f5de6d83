package convert

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSpillMemoryThenFile checks that a spilled list stays in memory while
// small, moves to a scratch file past spillMemMax, and gives back every
// record in order either way (also when read twice and appended between).
func TestSpillMemoryThenFile(t *testing.T) {
	for _, n := range []int{3, 3000} {
		dir := filepath.Join(t.TempDir(), "spill")
		s := newSpill(dir)
		pad := strings.Repeat("p", 500)
		add := func(i int) {
			rec := &Node{Name: "POST", Children: []*Node{{Name: "ID", Text: strconv.Itoa(i)}, {Name: "MESSAGE", Text: pad}}}
			if err := s.add("DISCUSSIONS/DISCUSSION", rec); err != nil {
				t.Fatal(err)
			}
		}
		for i := 0; i < n; i++ {
			add(i)
		}
		check := func(want int) {
			t.Helper()
			got := 0
			err := s.each("DISCUSSIONS/DISCUSSION", func(r *Node) error {
				if id := r.Children[0].Text; id != strconv.Itoa(got) {
					t.Fatalf("record %d has ID %s", got, id)
				}
				got++
				return nil
			})
			if err != nil || got != want {
				t.Fatalf("n=%d: read %d records (%v), want %d", n, got, err, want)
			}
		}
		check(n)
		add(n) // append after a read
		check(n + 1)
		_, err := os.Stat(dir)
		if onDisk := err == nil; onDisk != (n > 1000) {
			t.Errorf("n=%d: scratch folder exists %v, want %v", n, onDisk, n > 1000)
		}
		s.close()
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("n=%d: close left the scratch folder", n)
		}
	}
}
