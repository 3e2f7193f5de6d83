package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/gen"
)

// TestInterruptTwice runs the real CLI as a child process: the first SIGINT
// stops taking archives, the second aborts the running ones; the output
// folder then holds only complete backups, and --resume finishes the batch.
func TestInterruptTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	if _, err := exec.LookPath("moodlemig"); err != nil {
		t.Skip("moodlemig is on PATH only under testscript.Main")
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out")
	os.MkdirAll(in, 0o755)
	const n = 12
	for i := 0; i < n; i++ {
		if _, err := gen.WriteZip(filepath.Join(in, fmt.Sprintf("c%02d.zip", i)), gen.Options{Seed: int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("moodlemig", "run", "migrate", in, "-o", out, "--jobs", "2")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for countMbz(t, out) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGINT)
	time.Sleep(20 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != exitFailure {
		t.Fatalf("exit %v, want status %d\n%s", err, exitFailure, stderr.String())
	}
	for _, want := range []string{"interrupted: finishing running work", "aborting running work", "not started: interrupted"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	done := checkOut(t, out)
	if done == 0 || done == n {
		t.Fatalf("%d of %d outputs after the interrupts: the test proves little", done, n)
	}

	resume := exec.Command("moodlemig", "run", "migrate", in, "-o", out, "--jobs", "2", "--resume", "--quiet")
	if b, err := resume.CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, b)
	}
	if got := checkOut(t, out); got != n {
		t.Errorf("%d outputs after --resume, want %d", got, n)
	}
}

// checkOut checks that out holds only complete 2.x backups and the journal,
// and returns how many backups.
func checkOut(t *testing.T, out string) int {
	t.Helper()
	n := 0
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		switch {
		case rel == filepath.Join(".moodlemig", "journal.jsonl"):
		case strings.HasSuffix(rel, ".mbz") && !strings.Contains(rel, string(filepath.Separator)):
			b, err := backup.Open(context.Background(), p, backup.Options{})
			if err != nil {
				t.Errorf("output %s does not open: %v", rel, err)
				return nil
			}
			if b.Facts.Kind != backup.Moodle2 {
				t.Errorf("output %s is %q, want 2.x", rel, b.Facts.Kind)
			}
			b.Close()
			n++
		default:
			t.Errorf("unexpected file %s (a partial output?)", rel)
		}
		return nil
	})
	return n
}

func countMbz(t *testing.T, dir string) int {
	m, _ := filepath.Glob(filepath.Join(dir, "*.mbz"))
	return len(m)
}
