package pipelines

import (
	"fmt"
	"io"
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/moodlemig/moodlemig/report"
)

// Bars shows a batch as terminal progress bars (mpb): archives and bytes
// overall, and one line per running job with its current stage. Use it only
// when the output is a terminal; LogLines is for everything else. Failed
// archives are printed above the bars as they happen, the summary after.
type Bars struct {
	p        *mpb.Progress
	w        io.Writer
	archives *mpb.Bar
	bytes    *mpb.Bar
	mu       sync.Mutex
	jobs     map[string]*jobBar
}

type jobBar struct {
	bar   *mpb.Bar
	mu    sync.Mutex
	stage string
}

// NewBars returns progress bars drawn on w (a terminal).
func NewBars(w io.Writer) *Bars { return &Bars{w: w, jobs: map[string]*jobBar{}} }

// BatchStart draws the overall bars.
func (b *Bars) BatchStart(total int, bytes int64) {
	b.p = mpb.New(mpb.WithOutput(b.w), mpb.WithWidth(40))
	b.archives = b.p.AddBar(int64(total),
		mpb.PrependDecorators(decor.Name("archives ", decor.WC{W: 9}), decor.CountersNoUnit("%d / %d", decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.Name(" "), decor.Elapsed(decor.ET_STYLE_GO)))
	b.bytes = b.p.AddBar(bytes,
		mpb.PrependDecorators(decor.Name("bytes ", decor.WC{W: 9}), decor.Counters(decor.SizeB1000(0), "% .1f / % .1f", decor.WCSyncWidth)),
		mpb.AppendDecorators(decor.Percentage(decor.WCSyncSpace), decor.Name(" "), decor.AverageSpeed(decor.SizeB1000(0), "% .1f")))
}

// JobStart adds the job's line.
func (b *Bars) JobStart(in Input) {
	jb := &jobBar{stage: "open"}
	jb.bar = b.p.AddSpinner(0, mpb.BarWidth(1),
		mpb.PrependDecorators(decor.Name("  ")),
		mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
			jb.mu.Lock()
			defer jb.mu.Unlock()
			return fmt.Sprintf(" %-15s %s", jb.stage, in.Key)
		})),
		mpb.BarRemoveOnComplete())
	b.mu.Lock()
	b.jobs[in.Key] = jb
	b.mu.Unlock()
}

// JobStage shows the job's current stage.
func (b *Bars) JobStage(in Input, stage string) {
	b.mu.Lock()
	jb := b.jobs[in.Key]
	b.mu.Unlock()
	if jb != nil {
		jb.mu.Lock()
		jb.stage = stage
		jb.mu.Unlock()
	}
}

// Finding does nothing: findings are counted in the summary.
func (b *Bars) Finding(report.Finding) {}

// JobDone advances the overall bars and removes the job's line.
func (b *Bars) JobDone(in Input, r *Result) {
	b.mu.Lock()
	jb := b.jobs[in.Key]
	delete(b.jobs, in.Key)
	b.mu.Unlock()
	if jb != nil {
		jb.bar.Abort(true)
	}
	if r.Status == StatusFailed && !r.Earlier {
		fmt.Fprintln(b.p, ResultLine(r)) // printed above the bars
	}
	b.archives.Increment()
	b.bytes.IncrInt64(in.Size)
}

// BatchDone completes the bars and prints the summary below them.
func (b *Bars) BatchDone(s *Summary) {
	b.archives.SetTotal(-1, true)
	b.bytes.SetTotal(-1, true)
	b.p.Wait()
	fmt.Fprint(b.w, SummaryText(s))
}
