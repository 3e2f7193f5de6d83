package pipelines

import (
	"time"

	"github.com/moodlemig/moodlemig/report"
)

// Status is how one archive of a batch ended.
type Status string

// Statuses of an archive.
const (
	StatusOK      Status = "ok"
	StatusFailed  Status = "failed"
	StatusSkipped Status = "skipped"
)

// Result is what became of one archive.
type Result struct {
	Archive string `json:"archive"`          // Input.Path
	Output  string `json:"output,omitempty"` // relative to the output folder
	Status  Status `json:"status"`
	// Reason says why an archive was skipped ("done in an earlier run",
	// "interrupted", ...).
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	// Stage is the stage that failed (or "open", "write-out").
	Stage    string         `json:"stage,omitempty"`
	Panic    bool           `json:"panic,omitempty"`
	BytesIn  int64          `json:"bytes_in"`
	BytesOut int64          `json:"bytes_out"`
	SHA256   string         `json:"sha256,omitempty"`
	Duration time.Duration  `json:"-"`
	Millis   int64          `json:"duration_ms"`
	Findings map[string]int `json:"findings,omitempty"`
	// Earlier is true for a result taken from the journal of an earlier run.
	Earlier bool `json:"earlier,omitempty"`
}

// Summary is the end-of-batch account.
type Summary struct {
	Pipeline string         `json:"pipeline"`
	Shard    string         `json:"shard,omitempty"`
	Total    int            `json:"total"`
	OK       int            `json:"ok"`
	Failed   int            `json:"failed"`
	Skipped  int            `json:"skipped"`
	Findings map[string]int `json:"findings"`
	// Worst is the most serious severity of the findings.
	Worst       report.Severity `json:"worst,omitempty"`
	BytesIn     int64           `json:"bytes_in"`
	BytesOut    int64           `json:"bytes_out"`
	Wall        time.Duration   `json:"-"`
	WallMillis  int64           `json:"wall_ms"`
	ArchivesSec float64         `json:"archives_per_sec"`
	BytesSec    float64         `json:"bytes_per_sec"`
	DryRun      bool            `json:"dry_run,omitempty"`
	// Interrupted counts archives not started because the batch was
	// stopped (Ctrl-C, or on-error: fail-batch); they are among Skipped.
	Interrupted int `json:"interrupted,omitempty"`
	// Stopped says why the batch stopped early, "" when it ran to the end.
	Stopped string `json:"stopped,omitempty"`
}

// Observer is told what a batch does, as it happens: progress bars, log
// lines and JSON lines implement it. Calls come from many goroutines; an
// Observer synchronizes itself.
type Observer interface {
	// BatchStart: total archives and their bytes.
	BatchStart(total int, bytes int64)
	// JobStart: an archive was taken by a job.
	JobStart(in Input)
	// JobStage: the archive entered a stage.
	JobStage(in Input, stage string)
	// Finding: a stage (or the reader) reported something.
	Finding(f report.Finding)
	// JobDone: an archive ended (also for archives skipped without a job).
	JobDone(in Input, r *Result)
	// BatchDone: the last call.
	BatchDone(s *Summary)
}

// Observers fans calls out to several observers.
type Observers []Observer

// BatchStart calls every observer.
func (o Observers) BatchStart(total int, bytes int64) {
	for _, x := range o {
		x.BatchStart(total, bytes)
	}
}

// JobStart calls every observer.
func (o Observers) JobStart(in Input) {
	for _, x := range o {
		x.JobStart(in)
	}
}

// JobStage calls every observer.
func (o Observers) JobStage(in Input, stage string) {
	for _, x := range o {
		x.JobStage(in, stage)
	}
}

// Finding calls every observer.
func (o Observers) Finding(f report.Finding) {
	for _, x := range o {
		x.Finding(f)
	}
}

// JobDone calls every observer.
func (o Observers) JobDone(in Input, r *Result) {
	for _, x := range o {
		x.JobDone(in, r)
	}
}

// BatchDone calls every observer.
func (o Observers) BatchDone(s *Summary) {
	for _, x := range o {
		x.BatchDone(s)
	}
}
