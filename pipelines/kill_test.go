package pipelines

import (
	"context"
	"fmt"
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
	for i := 0; i < 24; i++ {
		// Big enough that some kills land in the middle of writing.
		body := make([]byte, 200<<10)
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
	if len(want) != 24 {
		t.Fatalf("reference run wrote %d outputs, want 24", len(want))
	}

	out := t.TempDir()
	kills := 0
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
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		// Kill at a random moment between 10% and 35% of a full run
		// (process start included); after 8 kills, let it finish.
		delay := time.Duration(float64(full) * (0.1 + 0.25*rnd.Float64()))
		if kills >= 8 {
			delay = time.Hour
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("run %d: %v\n%s", attempt, err, log.String())
			}
		case <-time.After(delay):
			cmd.Process.Kill() // SIGKILL
			<-done
			kills++
			t.Logf("kill %d after %s: %d outputs", kills, delay, len(outputs(t, out)))
			// Whatever is in place now is complete: every output present
			// equals the reference.
			for name, data := range outputs(t, out) {
				if data != want[name] {
					t.Fatalf("after kill %d: %s differs from the reference (partial output?)", kills, name)
				}
			}
			continue
		}
		break
	}
	if kills < 3 {
		t.Errorf("only %d kills landed before the batch finished; the test proves little", kills)
	}
	if d := cmp.Diff(want, outputs(t, out)); d != "" {
		t.Errorf("after %d kills and resumes, outputs differ from an uninterrupted run (-want +got):\n%s", kills, d)
	}
	for name := range tree(t, out) {
		if strings.HasPrefix(name, StateDir+"/") && name != StateDir+"/journal.jsonl" {
			t.Errorf("leftover %s", name)
		}
	}
	t.Logf("%d SIGKILLs, then a complete resume (an uninterrupted run takes %s)", kills, full)
}
