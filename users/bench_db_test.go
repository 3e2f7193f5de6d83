package users

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
)

// BenchmarkReconcilePostgres is BenchmarkReconcile with the target users
// read from a real PostgreSQL (started by the benchmark; the same rows as
// the CSV of benchData, generated server-side).
func BenchmarkReconcilePostgres(b *testing.B) {
	n, m := benchSizes(b)
	s := startPostgres(b)
	s.createMoodleTables(b, "mdl_", Site{SiteIdentifier: targetID, MNetLocalhostID: 1, MNetHosts: map[string]int64{targetWWW: 1}}, nil)
	// The rows of benchData: user j has id j+10; one backup user in 10 has
	// an exact twin, one in 100 a namesake; one target user in 20 is deleted.
	q := fmt.Sprintf(`INSERT INTO mdl_user (id, username, email, firstaccess, mnethostid, deleted, auth)
SELECT j + 10,
  CASE WHEN j %% 20 = 7 THEN e || '.' || (1300000000 + j)::text ELSE un END,
  e, 1000000000 + j * 97, 1, CASE WHEN j %% 20 = 7 THEN 1 ELSE 0 END, 'manual'
FROM (
  SELECT j,
    CASE WHEN j < %[1]d AND (j %% 10 = 0 OR j %% 100 = 1) THEN 'student' || lpad(j::text, 7, '0') ELSE 'user' || lpad(j::text, 8, '0') END AS un,
    CASE WHEN j < %[1]d AND j %% 10 = 0 THEN 'student' || lpad(j::text, 7, '0') || '@old.example.edu' ELSE 'user' || lpad(j::text, 8, '0') || '@new.example.org' END AS e
  FROM generate_series(0, %[2]d - 1) AS j
) g`, n, m)
	if _, err := s.admin.Exec(q); err != nil {
		b.Fatal(err)
	}
	if _, err := s.admin.Exec("ANALYZE mdl_user"); err != nil {
		b.Fatal(err)
	}
	env := func(k string) string {
		if k == "MOODLEMIG_DB_PASSWORD" {
			return s.readerPW
		}
		return ""
	}
	for _, kind := range []backup.Kind{backup.Moodle1, backup.Moodle2} {
		b.Run(fmt.Sprintf("%s/%dx%d", kind, n, m), func(b *testing.B) {
			bk, _ := benchData(b, kind, n, 0)
			_, entry, _ := usersEntry(bk)
			runtime.GC()
			b.ResetTimer()
			cpu0 := cpuTime()
			var peak uint64
			for i := 0; i < b.N; i++ {
				peak = max(peak, peakHeap(func() {
					src, err := OpenSource(context.Background(), s.URL(), SourceOptions{Getenv: env, WWWRoot: targetWWW})
					if err != nil {
						b.Fatal(err)
					}
					defer src.Close()
					nb, p, err := Reconcile(context.Background(), bk, src, Options{}, report.New(0))
					if err != nil {
						b.Fatal(err)
					}
					if p.Scanned != m {
						b.Fatalf("scanned %d rows, want %d", p.Scanned, m)
					}
					if _, k, _ := p.Counts(); k < n/100 {
						b.Fatalf("only %d conflicts", k)
					}
					rc, err := nb.Entry(entry).Open()
					if err != nil {
						b.Fatal(err)
					}
					io.Copy(io.Discard, rc)
					rc.Close()
				}))
			}
			b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(vmHWM())/(1<<20), "peak-RSS-MB")
		})
	}
}
