package pipelines

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/moodlemig/moodlemig/report"
)

// JSONLines writes a batch as JSON lines: one object per finding
// ({"type":"finding",...}), one per archive ({"type":"result",...}) and the
// summary last ({"type":"summary",...}). It is what --json streams and
// --report FILE saves.
type JSONLines struct {
	mu  sync.Mutex
	enc *json.Encoder
	err error
}

// NewJSONLines returns a JSONLines writing to w.
func NewJSONLines(w io.Writer) *JSONLines { return &JSONLines{enc: json.NewEncoder(w)} }

// Err returns the first write error.
func (j *JSONLines) Err() error { j.mu.Lock(); defer j.mu.Unlock(); return j.err }

func (j *JSONLines) write(v any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err == nil {
		j.err = j.enc.Encode(v)
	}
}

// BatchStart does nothing.
func (j *JSONLines) BatchStart(int, int64) {}

// JobStart does nothing.
func (j *JSONLines) JobStart(Input) {}

// JobStage does nothing.
func (j *JSONLines) JobStage(Input, string) {}

// Finding writes a finding line.
func (j *JSONLines) Finding(f report.Finding) {
	j.write(struct {
		Type string `json:"type"`
		report.Finding
	}{"finding", f})
}

// JobDone writes a result line.
func (j *JSONLines) JobDone(_ Input, r *Result) {
	j.write(struct {
		Type string `json:"type"`
		*Result
	}{"result", r})
}

// BatchDone writes the summary line.
func (j *JSONLines) BatchDone(s *Summary) {
	j.write(struct {
		Type string `json:"type"`
		*Summary
	}{"summary", s})
}

// LogLines writes one plain line per archive (and per finding when
// Verbose) and the summary at the end: the progress shown when stderr is
// not a terminal.
type LogLines struct {
	mu      sync.Mutex
	w       io.Writer
	Verbose bool
	// Quiet keeps only the lines of failed archives.
	Quiet bool
}

// NewLogLines returns a LogLines writing to w.
func NewLogLines(w io.Writer, verbose bool) *LogLines { return &LogLines{w: w, Verbose: verbose} }

func (l *LogLines) printf(format string, a ...any) {
	l.mu.Lock()
	fmt.Fprintf(l.w, format, a...)
	l.mu.Unlock()
}

// BatchStart does nothing.
func (l *LogLines) BatchStart(int, int64) {}

// JobStart does nothing.
func (l *LogLines) JobStart(Input) {}

// JobStage does nothing.
func (l *LogLines) JobStage(Input, string) {}

// Finding prints the finding when Verbose.
func (l *LogLines) Finding(f report.Finding) {
	if l.Verbose && !l.Quiet {
		l.printf("  %s\n", f)
	}
}

// JobDone prints the archive's line.
func (l *LogLines) JobDone(_ Input, r *Result) {
	if l.Quiet && r.Status != StatusFailed {
		return
	}
	l.printf("%s\n", ResultLine(r))
}

// BatchDone prints the summary.
func (l *LogLines) BatchDone(s *Summary) {
	if !l.Quiet {
		l.printf("%s", SummaryText(s))
	}
}

// ResultLine is the one-line human form of an archive's result.
func ResultLine(r *Result) string {
	switch r.Status {
	case StatusOK:
		s := fmt.Sprintf("ok      %s", r.Archive)
		if r.Output != "" {
			s += " -> " + r.Output + " (" + Bytes(r.BytesOut) + ")"
		}
		s += fmt.Sprintf(" in %s", r.Duration.Round(time.Millisecond))
		if n := total(r.Findings); n > 0 {
			s += fmt.Sprintf(", %d finding(s)", n)
		}
		return s
	case StatusFailed:
		s := "FAILED  " + r.Error
		if r.Error == "" {
			s = "FAILED  " + r.Archive
		}
		if r.Reason != "" {
			s += " [" + r.Reason + "]"
		}
		return s
	}
	s := "skipped " + r.Archive
	if r.Output != "" {
		s += " -> " + r.Output
	}
	return s + ": " + r.Reason
}

func total(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// SummaryText is the human end-of-batch summary.
func SummaryText(s *Summary) string {
	var b strings.Builder
	dry := ""
	if s.DryRun {
		dry = " (dry run: nothing written)"
	}
	fmt.Fprintf(&b, "%s: %d archive(s): %d ok, %d failed, %d skipped%s\n", s.Pipeline, s.Total, s.OK, s.Failed, s.Skipped, dry)
	if len(s.Findings) > 0 {
		codes := make([]string, 0, len(s.Findings))
		for c := range s.Findings {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		b.WriteString("findings:")
		for _, c := range codes {
			fmt.Fprintf(&b, " %s=%d", c, s.Findings[c])
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "in %s, out %s, %s wall, %.1f archives/s, %s/s\n",
		Bytes(s.BytesIn), Bytes(s.BytesOut), s.Wall.Round(time.Millisecond), s.ArchivesSec, Bytes(int64(s.BytesSec)))
	if s.Stopped != "" {
		fmt.Fprintf(&b, "stopped early: %s; %d archive(s) not started (run again with --resume to finish)\n", s.Stopped, s.Interrupted)
	}
	return b.String()
}

// Bytes formats n as a human size (1.5 MB).
func Bytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
