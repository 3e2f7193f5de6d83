package repair

import (
	"flag"
	"testing"
)

// update is the -update flag of every golden-file test in package repair
// (shared: define no other).
var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func TestTracker(t *testing.T) {
	var tr Tracker
	for _, chunk := range []string{"ab\nc", "d\n", "", "\nxyz"} {
		tr.Advance([]byte(chunk))
	}
	if l, c, o := tr.Pos(); l != 4 || c != 4 || o != 10 {
		t.Errorf("Pos = %d:%d @%d, want 4:4 @10", l, c, o)
	}
	tr.Reset()
	if l, c, o := tr.Pos(); l != 1 || c != 1 || o != 0 {
		t.Errorf("after Reset: %d:%d @%d", l, c, o)
	}
}

func TestPathStack(t *testing.T) {
	var s PathStack
	s.Push([]byte("MOODLE_BACKUP"))
	s.Push([]byte("COURSE"))
	s.Push([]byte("HEADER"))
	if s.String() != "MOODLE_BACKUP/COURSE/HEADER" || string(s.Top()) != "HEADER" || s.Depth() != 3 {
		t.Fatalf("got %q top %q depth %d", s.String(), s.Top(), s.Depth())
	}
	if !s.HasSuffix("COURSE", "HEADER") || s.HasSuffix("USERS", "HEADER") {
		t.Error("HasSuffix wrong")
	}
	s.Pop()
	if s.String() != "MOODLE_BACKUP/COURSE" || string(s.Name(0)) != "MOODLE_BACKUP" {
		t.Errorf("after pop: %q", s.String())
	}
	for range MaxPathDepth + 5 {
		s.Push([]byte("X"))
	}
	if s.Depth() != MaxPathDepth+7 || s.Top() != nil {
		t.Errorf("deep: depth %d", s.Depth())
	}
	for range MaxPathDepth + 5 {
		s.Pop()
	}
	if s.String() != "MOODLE_BACKUP/COURSE" {
		t.Errorf("after deep pops: %q", s.String())
	}
}
