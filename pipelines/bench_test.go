package pipelines

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/internal/gen"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/stages"
)

// benchArchives is how many backups the batch benchmarks process
// (MOODLEMIG_BENCH_ARCHIVES, default 200).
func benchArchives(b *testing.B) int {
	n := 200
	if s := os.Getenv("MOODLEMIG_BENCH_ARCHIVES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1 {
			b.Fatalf("MOODLEMIG_BENCH_ARCHIVES=%q", s)
		}
	}
	return n
}

// smallBackups generates n small, damaged 1.x backups (a French course in
// windows-1252 mojibake with invalid XML characters) under dir.
func smallBackups(b *testing.B, dir string, n int) []Input {
	b.Helper()
	for i := 0; i < n; i++ {
		o := gen.Options{Seed: int64(i), Lang: "fr", Version: "1.5", Sections: 3, ModulesPerSection: 2, Users: 4, FileCount: 2,
			Damage: gen.Damage{Charset: "auto", InvalidXMLChars: 3}}
		if _, err := gen.WriteZip(filepath.Join(dir, fmt.Sprintf("c%04d.zip", i)), o); err != nil {
			b.Fatal(err)
		}
	}
	in, err := ExpandInputs([]string{dir}, nil)
	if err != nil {
		b.Fatal(err)
	}
	return in
}

// benchPlan is the built-in migrate pipeline when every stage it needs is
// registered; until then the registered repair stages and write.
func benchPlan(b *testing.B) *Plan {
	reg := stages.Builtin()
	p, err := LoadBuiltin(reg, "migrate", Vars{Lookup: func(string) (string, bool) { return "", false }})
	if err != nil {
		var names []string
		for _, n := range []string{"relocate-root", "clean-xml", "transcode", "repair-html", "encode-links"} {
			if reg.Lookup(n) != nil {
				names = append(names, n)
			}
		}
		src := fmt.Sprintf("name: repairs-so-far\nstages: [%s, write: {format: zip}]\n", strings.Join(names, ", "))
		if p, err = Load(reg, "bench.yaml", []byte(src), Vars{}); err != nil {
			b.Fatal(err)
		}
	}
	pl, err := Compile(p)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("pipeline %s: %d stages", p.Name, len(p.Stages))
	return pl
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakHeap samples the live heap every millisecond until stop is called and
// returns the largest value seen.
func peakHeap() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak {
				peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak }
}

// BenchmarkBatch runs the migrate pipeline (or the repairs registered so
// far) over small generated backups with 1 and 2 jobs. Compare archives/s
// of jobs=2 with jobs=1 for the scaling, and peak-heap-MB for the memory
// per job.
func BenchmarkBatch(b *testing.B) {
	n := benchArchives(b)
	inputs := smallBackups(b, b.TempDir(), n)
	var total int64
	for _, in := range inputs {
		total += in.Size
	}
	pl := benchPlan(b)
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			b.SetBytes(total)
			var peak uint64
			var sum *Summary
			var cpu time.Duration
			for i := 0; i < b.N; i++ {
				out := b.TempDir()
				runtime.GC()
				stop := peakHeap()
				c0 := cpuTime()
				b.StartTimer()
				s, err := (&Batch{Plan: pl, OutDir: out, Jobs: jobs}).Run(context.Background(), inputs)
				b.StopTimer()
				cpu += cpuTime() - c0
				if p := stop(); p > peak {
					peak = p
				}
				if err != nil {
					b.Fatal(err)
				}
				if s.OK != n {
					b.Fatalf("%d of %d ok (%d failed)", s.OK, n, s.Failed)
				}
				sum = s
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "archives/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			// On a shared machine wall-clock scaling says little: the CPU
			// the process got per wall second (parallelism) and the CPU
			// per archive (flat when jobs do not slow each other) do.
			b.ReportMetric(cpu.Seconds()/b.Elapsed().Seconds(), "parallelism")
			b.ReportMetric(cpu.Seconds()*1000/float64(n*b.N), "cpu-ms/archive")
			_ = sum
		})
	}
}

// BenchmarkRunnerOverhead measures what the runner itself costs per
// archive: an opener and a terminal stage that do nearly nothing, so the
// time is the job's scratch folder, the temporary output (created, hashed,
// fsync'd), two journal records (the first fsync'd), the link into place.
// durable pays two fsyncs per archive (output data, journal commit);
// no-sync and dry-run show the runner's own cost.
func BenchmarkRunnerOverhead(b *testing.B) {
	open := func(ctx context.Context, path, scratch string, sink report.Sink) (*backup.Backup, error) {
		bk := &backup.Backup{Path: path}
		bk.Facts.Kind = backup.Moodle1
		return bk, nil
	}
	reg, _ := stages.NewRegistry(&stages.Spec{Name: "tiny", Terminal: true, New: func(map[string]any) (stages.Stage, error) {
		return stages.StageFunc(func(ctx context.Context, bk *backup.Backup, env stages.Env) (*backup.Backup, error) {
			_, err := env.Output.Write([]byte("PK"))
			return bk, err
		}), nil
	}})
	p, err := Load(reg, "tiny.yaml", []byte("stages: [tiny]\n"), Vars{})
	if err != nil {
		b.Fatal(err)
	}
	pl, _ := Compile(p)
	const n = 200
	inputs := make([]Input, n)
	for i := range inputs {
		inputs[i] = Input{Path: fmt.Sprintf("in/c%04d.zip", i), Key: fmt.Sprintf("in/c%04d.zip", i)}
	}
	for _, mode := range []string{"durable", "no-sync", "dry-run"} {
		b.Run(mode, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				out := b.TempDir()
				b.StartTimer()
				s, err := (&Batch{Plan: pl, OutDir: out, Jobs: 1, Open: open, DryRun: mode == "dry-run", NoSync: mode == "no-sync"}).Run(context.Background(), inputs)
				b.StopTimer()
				if err != nil || s.OK != n {
					b.Fatalf("%v %+v", err, s)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(n*b.N), "ms/archive")
		})
	}
}
