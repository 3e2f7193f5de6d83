package users

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// benchSizes reads MOODLEMIG_BENCH_USERS="backup:target" (default
// 100000:1000000, the size the issue names).
func benchSizes(b *testing.B) (int, int) {
	s := os.Getenv("MOODLEMIG_BENCH_USERS")
	if s == "" {
		return 100_000, 1_000_000
	}
	a, c, ok := strings.Cut(s, ":")
	n, err1 := strconv.Atoi(a)
	m, err2 := strconv.Atoi(c)
	if !ok || err1 != nil || err2 != nil {
		b.Fatalf("MOODLEMIG_BENCH_USERS=%q: want backup:target, e.g. 100000:1000000", s)
	}
	return n, m
}

// benchData writes a 1.x or 2.x backup with n users and a target CSV with m
// users: one backup user in 10 exists on the target with the same email
// (match), one in 100 has a namesake with another email (conflict,
// renamed), the rest are new; 5% of the target users are deleted.
func benchData(b *testing.B, kind backup.Kind, n, m int) (*backup.Backup, string) {
	dir := b.TempDir()
	us := make([]bu, n)
	for i := range us {
		us[i] = bu{id: int64(i + 2), username: fmt.Sprintf("student%07d", i), email: fmt.Sprintf("student%07d@old.example.edu", i),
			firstaccess: 1100000000 + int64(i)*37, first: "Stu", last: fmt.Sprintf("Dent %d", i)}
	}
	bdir := filepath.Join(dir, "backup")
	os.Mkdir(bdir, 0o755)
	write := func(name string, fn func(w io.Writer)) {
		f, err := os.Create(filepath.Join(bdir, name))
		if err != nil {
			b.Fatal(err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		fn(w)
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	if kind == backup.Moodle1 {
		write("moodle.xml", func(w io.Writer) { moodle1XML(w, otherOrigin, us) })
	} else {
		var mb bytes.Buffer
		write("users.xml", func(w io.Writer) { moodle2Files(&mb, w, otherOrigin, us) })
		os.WriteFile(filepath.Join(bdir, "moodle_backup.xml"), mb.Bytes(), 0o644)
	}
	csvPath := filepath.Join(dir, "target.csv")
	f, err := os.Create(csvPath)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "id,username,email,firstaccess,mnethostid,deleted,auth")
	for j := 0; j < m; j++ {
		name, email := fmt.Sprintf("user%08d", j), fmt.Sprintf("user%08d@new.example.org", j)
		if i := j; i < n && i%10 == 0 {
			name, email = us[i].username, us[i].email
		} else if i < n && i%100 == 1 {
			name = us[i].username
		}
		del := 0
		first := int64(1000000000 + j*97)
		if j%20 == 7 {
			del, name = 1, fmt.Sprintf("%s.%d", email, 1300000000+j)
		}
		fmt.Fprintf(w, "%d,%s,%s,%d,1,%d,manual\n", j+10, name, email, first, del)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	f.Close()
	return fileBackup(b, bdir, kind), csvPath
}

// peakHeap samples the live heap while fn runs.
func peakHeap(fn func()) uint64 {
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak.Load()
}

// cpuTime is the user+system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM is the process's peak resident set size in bytes (Linux), or 0.
func vmHWM() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkReconcile reconciles N backup users against M target users from a
// CSV export, end to end: read the users, scan the target, decide, rename,
// and stream the spliced entry out. MOODLEMIG_BENCH_USERS=N:M sets the size.
func BenchmarkReconcile(b *testing.B) {
	n, m := benchSizes(b)
	for _, kind := range []backup.Kind{backup.Moodle1, backup.Moodle2} {
		b.Run(fmt.Sprintf("%s/%dx%d", kind, n, m), func(b *testing.B) {
			bk, csvPath := benchData(b, kind, n, m)
			_, entry, _ := usersEntry(bk)
			fi, _ := os.Stat(csvPath)
			b.SetBytes(fi.Size() + bk.Entry(entry).Size)
			runtime.GC()
			b.ResetTimer()
			var peak uint64
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				var p *Plan
				h := peakHeap(func() {
					src, err := OpenSource(context.Background(), csvPath, siteOpts())
					if err != nil {
						b.Fatal(err)
					}
					nb, plan, err := Reconcile(context.Background(), bk, src, Options{}, report.New(0))
					if err != nil {
						b.Fatal(err)
					}
					rc, err := nb.Entry(entry).Open()
					if err != nil {
						b.Fatal(err)
					}
					if _, err := io.Copy(io.Discard, rc); err != nil {
						b.Fatal(err)
					}
					rc.Close()
					p = plan
				})
				peak = max(peak, h)
				if i == 0 {
					mm, c, k := p.Counts()
					if mm < n/10 || k < n/100 || c == 0 || len(p.Edits()) < n/100 {
						b.Fatalf("unexpected plan: match %d create %d conflict %d edits %d", mm, c, k, len(p.Edits()))
					}
				}
			}
			// CPU time says more than wall time on a shared machine.
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MB")
		})
	}
}
