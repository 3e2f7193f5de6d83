package pipelines

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const killPipeline = "stages: [upper, slow: {ms: 15}, zipout]\n"

// TestHelperChildBatch is not a test: TestSIGKILLThenResume runs the test
// binary as a child process that executes this batch, and kills it.
func TestHelperChildBatch(t *testing.T) {
	in, out := os.Getenv("MOODLEMIG_CHILD_IN"), os.Getenv("MOODLEMIG_CHILD_OUT")
	if in == "" {
		t.Skip("only run as the child of TestSIGKILLThenResume")
	}
	inputs, err := ExpandInputs([]string{in}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &Batch{Plan: plan(t, killPipeline), OutDir: out, Jobs: 2, Open: zipOpen, Resume: true}
	s, err := b.Run(context.Background(), inputs)
	if err != nil {
		t.Fatal(err)
	}
	if s.Failed > 0 {
		t.Fatalf("%d failed", s.Failed)
	}
}

// TestSIGKILLThenResume kills a real child process with SIGKILL at many
// moments of a batch, resumes each time, and checks that the final outputs
// are exactly those of an uninterrupted run, with no partial file anywhere.
func TestSIGKILLThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	in := t.TempDir()
	rnd := rand.New(rand.NewSource(7))
	for i := 0; i < 36; i++ {
		// Big enough that some kills land in the middle of writing.
		body := make([]byte, 120<<10)
		for j := range body {
			body[j] = "abcdefgh<>/ \n"[rnd.Intn(13)]
		}
		writeZip(t, filepath.Join(in, fmt.Sprintf("d%d/c%02d.zip", i%3, i)), map[string]string{"moodle.xml": string(body), "files/f.txt": fmt.Sprint(i)})
	}
	child := func(out string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperChildBatch$", "-test.count=1")
		cmd.Env = append(os.Environ(), "MOODLEMIG_CHILD_IN="+in, "MOODLEMIG_CHILD_OUT="+out)
		return cmd
	}
	ref := t.TempDir()
	t0 := time.Now()
	if b, err := child(ref).CombinedOutput(); err != nil {
		t.Fatalf("reference run: %v\n%s", err, b)
	}
	full := time.Since(t0)
	want := outputs(t, ref)
	if len(want) != 36 {
		t.Fatalf("reference run wrote %d outputs, want 36", len(want))
	}

	out := t.TempDir()
	kills, midWrite := 0, 0
	for attempt := 0; ; attempt++ {
		if attempt > 30 {
			t.Fatal("the batch never finished")
		}
		cmd := child(out)
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var waitErr error
		exited := make(chan struct{})
		go func() { waitErr = cmd.Wait(); close(exited) }()
		start := time.Now()
		// Kill at an arbitrary moment after the child made some progress
		// (1 to 3 more outputs, then 0-40 ms: often in the middle of
		// writing the next ones), so that the test does not depend on the
		// machine's speed; after 8 kills, let it finish.
		killAt := make(chan struct{})
		if kills < 8 {
			target := countOutputs(out) + 1 + rnd.Intn(3)
			pause := time.Duration(rnd.Intn(40)) * time.Millisecond
			go func() {
				for countOutputs(out) < target {
					select {
					case <-exited:
						return
					case <-time.After(2 * time.Millisecond):
					}
				}
				time.Sleep(pause)
				close(killAt)
			}()
		}
		select {
		case <-exited:
		case <-killAt:
			cmd.Process.Kill() // SIGKILL
			<-exited
		}
		if waitErr == nil {
			break // the batch finished
		}
		if !strings.Contains(waitErr.Error(), "killed") {
			t.Fatalf("run %d: %v\n%s", attempt, waitErr, log.String())
		}
		kills++
		if tmp, _ := filepath.Glob(filepath.Join(out, StateDir, "tmp*", "out-*")); len(tmp) > 0 {
			midWrite++ // killed while writing: a temp output is left for the resume to clean
		}
		t.Logf("kill %d after %s: %d outputs", kills, time.Since(start).Round(time.Millisecond), countOutputs(out))
		// Whatever is in place now is complete: every output present
		// equals the reference.
		for name, data := range outputs(t, out) {
			if data != want[name] {
				t.Fatalf("after kill %d: %s differs from the reference (partial output?)", kills, name)
			}
		}
	}
	if kills < 8 || midWrite == 0 {
		t.Errorf("only %d kills (%d while writing) landed before the batch finished; the test proves little", kills, midWrite)
	}
	if d := cmp.Diff(want, outputs(t, out)); d != "" {
		t.Errorf("after %d kills and resumes, outputs differ from an uninterrupted run (-want +got):\n%s", kills, d)
	}
	for name := range tree(t, out) {
		if strings.HasPrefix(name, StateDir+"/") && name != StateDir+"/journal.jsonl" {
			t.Errorf("leftover %s", name)
		}
	}
	t.Logf("%d SIGKILLs (%d while writing an output), then a complete resume (an uninterrupted run takes %s)", kills, midWrite, full)
}

// countOutputs counts the outputs in place under dir (not the state folder).
func countOutputs(dir string) int {
	n := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == StateDir {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			n++
		}
		return nil
	})
	return n
}
