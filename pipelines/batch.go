package pipelines

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/stages"
)

// Opener opens one input of a batch. scratch is the job's scratch folder and
// sink receives the reader's findings.
type Opener func(ctx context.Context, path, scratch string, sink report.Sink) (*backup.Backup, error)

// OpenBackup is the default Opener: backup.Open with the job's scratch
// folder and report.
func OpenBackup(ctx context.Context, path, scratch string, sink report.Sink) (*backup.Backup, error) {
	return backup.Open(ctx, path, backup.Options{Sink: sink, Scratch: scratch})
}

// Batch runs a Plan over many archives concurrently.
//
// Every output appears only complete: it is written to a temporary file in
// OutDir/.moodlemig, fsync'd, recorded in the journal with its size and
// SHA-256 (fsync'd), then linked into place (never replacing an existing
// file unless Overwrite). Killing the process at any moment leaves no
// partial output; a run with Resume then finishes exactly the missing ones.
// The output folders are fsync'd once, at the end of the batch.
type Batch struct {
	Plan   *Plan
	OutDir string
	// Jobs is how many archives are processed at once (default: the number
	// of CPUs).
	Jobs int
	// Overwrite replaces existing outputs; without it an existing output
	// makes its archive fail.
	Overwrite bool
	// DryRun runs every stage (the terminal one writes to nowhere) and
	// checks the output names, but creates nothing in OutDir.
	DryRun bool
	// Resume skips archives the journal of an earlier run records as done
	// (their output present with the recorded size and checksum), and
	// archives that failed unless RetryFailed.
	Resume, RetryFailed bool
	// Shard selects this machine's part of the inputs.
	Shard Shard
	// Observer is told of progress; nil means nothing is told.
	Observer Observer
	// Open opens an input (default OpenBackup).
	Open Opener
	// Abort, when done, cancels the running jobs (their outputs are not
	// written). Cancelling Run's context only stops taking new archives.
	Abort context.Context
	// MaxPerCode is how many findings of one code each archive's report
	// keeps in full (default report.DefaultMaxPerCode).
	MaxPerCode int
	// ReportDir, when set, is where stages save side files for the user
	// (e.g. convert: the 1.x XML of modules it kept out), in the input's
	// {dir} below it. Not used in a dry run.
	ReportDir string
	// NoSync skips every fsync. Outputs stay atomic and a run killed (even
	// with SIGKILL) still resumes exactly, since the kernel keeps what was
	// written; only a power loss or OS crash may then lose recent outputs
	// or journal records (resume redoes what is missing; a damaged output
	// fails its checksum and needs --overwrite).
	NoSync bool
}

// Run processes inputs (after Shard) and returns the summary. Cancelling ctx
// stops taking new archives; running ones finish (see Abort). The error is
// for problems with the batch itself (output folder, journal); failed
// archives are counted in the summary.
func (b *Batch) Run(ctx context.Context, inputs []Input) (*Summary, error) {
	start := time.Now()
	obs := b.Observer
	if obs == nil {
		obs = Observers(nil)
	}
	open := b.Open
	if open == nil {
		open = OpenBackup
	}
	jobs := b.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	abort := b.Abort
	if abort == nil {
		abort = context.WithoutCancel(ctx)
	}
	inputs = b.Shard.Filter(inputs)

	r := &runner{Batch: b, obs: obs, open: open, cores: coresPerJob(runtime.GOMAXPROCS(0), jobs, len(inputs))}
	if err := r.setup(); err != nil {
		return nil, err
	}
	defer r.teardown()
	var prior map[string]*history
	if b.Resume {
		var err error
		if prior, err = readJournals(b.OutDir); err != nil {
			return nil, err
		}
	}

	sum := &Summary{Pipeline: b.Plan.Pipeline.Name, Total: len(inputs), Findings: map[string]int{}, DryRun: b.DryRun}
	if !b.Shard.All() {
		sum.Shard = b.Shard.String()
	}
	var total int64
	for _, in := range inputs {
		total += in.Size
	}
	obs.BatchStart(len(inputs), total)

	var mu sync.Mutex
	var worst report.Severity
	finish := func(in Input, res *Result, counts map[string]int, w report.Severity) {
		mu.Lock()
		switch res.Status {
		case StatusOK:
			sum.OK++
		case StatusFailed:
			sum.Failed++
		default:
			sum.Skipped++
		}
		sum.BytesIn += res.BytesIn
		sum.BytesOut += res.BytesOut
		for c, n := range counts {
			sum.Findings[c] += n
		}
		if rank(w) > rank(worst) {
			worst = w
		}
		mu.Unlock()
		obs.JobDone(in, res)
	}

	stop, stopBatch := context.WithCancelCause(ctx)
	defer stopBatch(nil)
	slots := make(chan int, jobs) // a job slot owns a scratch folder
	for i := 0; i < jobs; i++ {
		slots <- i
	}
	var g errgroup.Group
	next := 0
loop:
	for ; next < len(inputs); next++ {
		in := inputs[next]
		if res := r.fromJournal(in, prior); res != nil {
			finish(in, res, nil, "")
			continue
		}
		var slot int
		select {
		case slot = <-slots:
		case <-stop.Done():
			break loop
		}
		if stop.Err() != nil {
			slots <- slot
			break
		}
		g.Go(func() error {
			defer func() { slots <- slot }()
			obs.JobStart(in)
			res, counts, w := r.job(abort, in, slot)
			finish(in, res, counts, w)
			if res.Status == StatusFailed && b.Plan.Pipeline.OnError == FailBatch {
				stopBatch(fmt.Errorf("on-error: fail-batch: %s failed", in.Path))
			}
			return nil
		})
	}
	_ = g.Wait()
	if next < len(inputs) {
		why := "interrupted"
		if c := context.Cause(stop); c != nil && !errors.Is(c, context.Canceled) {
			why = c.Error()
		}
		sum.Stopped = why
		for _, in := range inputs[next:] {
			sum.Interrupted++
			finish(in, &Result{Archive: in.Path, Status: StatusSkipped, Reason: "not started: " + why}, nil, "")
		}
	} else if abort.Err() != nil {
		sum.Stopped = "aborted"
	}
	sum.Worst = worst
	sum.Wall = time.Since(start)
	sum.WallMillis = sum.Wall.Milliseconds()
	if s := sum.Wall.Seconds(); s > 0 {
		sum.ArchivesSec = float64(sum.OK+sum.Failed) / s
		sum.BytesSec = float64(sum.BytesIn) / s
	}
	obs.BatchDone(sum)
	return sum, nil
}

func rank(s report.Severity) int {
	switch s {
	case report.Info:
		return 1
	case report.Warning:
		return 2
	case report.Error:
		return 3
	}
	return 0
}

// runner is the state of one Run.
// coresPerJob shares procs cores among the jobs that run at once: jobs,
// or fewer when there are fewer inputs. Every job gets one at least.
func coresPerJob(procs, jobs, inputs int) int {
	return max(1, procs/max(1, min(jobs, inputs)))
}

type runner struct {
	*Batch
	obs     Observer
	open    Opener
	tmpRoot string // job scratch folders and temporary outputs
	jrn     *journal
	cores   int // cores per job (Env.Cores)

	mu      sync.Mutex
	dirs    map[string]bool   // output folders to fsync at the end
	claimed map[string]string // output name -> the input that took it in this run
}

// claim reserves the output name rel for input key, or says which other
// input of this batch has it.
func (r *runner) claim(rel, key string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.claimed == nil {
		r.claimed = map[string]string{}
	}
	if other, ok := r.claimed[rel]; ok && other != key {
		return fmt.Errorf("output %s is also the output of %s in this batch: make the names differ with the pipeline's output template (e.g. output: \"{dir}{name}-{courseid}{ext}\")", rel, other)
	}
	r.claimed[rel] = key
	return nil
}

// setup prepares the output folder: the journal and a clean temp folder
// (removing the leftovers of a killed run of the same shard).
func (r *runner) setup() error {
	if r.DryRun {
		d, err := os.MkdirTemp("", "moodlemig-dry-run-")
		if err != nil {
			return err
		}
		r.tmpRoot = d
		return nil
	}
	if r.OutDir == "" {
		return errors.New("no output folder: give -o OUTDIR")
	}
	if err := os.MkdirAll(r.OutDir, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	j, err := openJournal(r.OutDir, r.Shard)
	if err != nil {
		return err
	}
	r.jrn = j
	// one temp folder per shard: shards may share OUTDIR at the same time
	r.tmpRoot = filepath.Join(r.OutDir, StateDir, "tmp"+strings.TrimSuffix(strings.TrimPrefix(journalName(r.Shard), "journal"), ".jsonl"))
	if err := os.RemoveAll(r.tmpRoot); err != nil {
		return fmt.Errorf("remove leftovers of an earlier run: %w", err)
	}
	if err := os.MkdirAll(r.tmpRoot, 0o755); err != nil {
		return fmt.Errorf("output folder: %w", err)
	}
	return nil
}

func (r *runner) teardown() {
	os.RemoveAll(r.tmpRoot)
	if !r.NoSync {
		for d := range r.dirs { // make the names of the outputs durable
			syncDir(d)
		}
	}
	if r.jrn != nil {
		r.jrn.close(!r.NoSync)
	}
}

// fromJournal returns the result of in when an earlier run settled it (and
// Resume), or nil when it must run. An output made earlier counts as done
// only while it is present with its recorded size and checksum, whatever
// failed after it (e.g. a later run refusing to overwrite it).
func (r *runner) fromJournal(in Input, prior map[string]*history) *Result {
	h, ok := prior[in.Key]
	if !ok {
		return nil
	}
	if d := h.done; d != nil {
		if d.Output == "" {
			if h.last.T == recDone {
				return &Result{Archive: in.Path, Status: StatusSkipped, Reason: "done in an earlier run", Earlier: true}
			}
		} else if outputMatches(filepath.Join(r.OutDir, filepath.FromSlash(d.Output)), *d) {
			if d.T == recCommit && r.jrn != nil { // moved into place just before a crash
				rec := *d
				rec.T = recDone
				if err := r.jrn.add(rec, false); err != nil {
					return &Result{Archive: in.Path, Status: StatusFailed, Error: err.Error(), Stage: "journal"}
				}
			}
			return &Result{Archive: in.Path, Output: d.Output, Status: StatusSkipped, Reason: "done in an earlier run",
				SHA256: d.SHA256, Earlier: true}
		}
	}
	if h.last.T == recFailed && !r.RetryFailed {
		return &Result{Archive: in.Path, Status: StatusFailed, Error: h.last.Error, Earlier: true,
			Reason: "failed in an earlier run (--retry-failed runs it again)"}
	}
	return nil
}

// bufPool holds the output buffers of jobs, so that each archive does not
// allocate (and clear) a new one.
var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 128<<10) }}

// hashWriter counts and hashes what is written through it.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (w *hashWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.h.Write(p[:n])
	w.n += int64(n)
	return n, err
}

// job processes one archive. It never panics: a panic in a stage becomes the
// archive's error. Whatever happens, its scratch folder and temporary output
// are removed.
//
// slot is the job slot running it: its scratch folder is reused by the
// slot's next job (emptied, not re-created, which saves file system work).
func (r *runner) job(ctx context.Context, in Input, slot int) (res *Result, counts map[string]int, worst report.Severity) {
	start := time.Now()
	res = &Result{Archive: in.Path, BytesIn: in.Size}
	rep := report.New(r.MaxPerCode)
	rep.Forward(findingSink{r.obs})
	current := "open"
	scratch := filepath.Join(r.tmpRoot, fmt.Sprintf("job-%d", slot))
	var tmpOut string
	var opened []*backup.Backup
	defer func() {
		if p := recover(); p != nil {
			res.Status, res.Panic, res.Stage = StatusFailed, true, current
			res.Error = fmt.Sprintf("%s: internal error in stage %s: panic: %v (please report this with the archive)", in.Path, current, p)
			rep.Add(report.Finding{Code: "pipeline.panic", Severity: report.Error, Stage: current, Archive: in.Path,
				Message: fmt.Sprintf("panic: %v\n%s", p, trimStack(debug.Stack()))})
		}
		for i := len(opened) - 1; i >= 0; i-- {
			opened[i].Close()
		}
		if tmpOut != "" {
			os.Remove(tmpOut)
		}
		emptyDir(scratch)
		if res.Status == StatusFailed && !res.Panic && ctx.Err() != nil {
			res.Reason = "aborted"
		}
		if res.Status == StatusFailed && r.jrn != nil && ctx.Err() == nil {
			// an aborted archive is not recorded: a resumed run retries it
			if err := r.jrn.add(record{T: recFailed, Input: in.Key, Error: res.Error}, !r.NoSync); err != nil {
				res.Error += "; " + err.Error()
			}
		}
		res.Duration = time.Since(start)
		res.Millis = res.Duration.Milliseconds()
		counts, worst = rep.Counts(), rep.Worst()
		if len(counts) > 0 {
			res.Findings = counts
		}
	}()
	fail := func(stage string, err error) (*Result, map[string]int, report.Severity) {
		res.Status, res.Stage, res.Error = StatusFailed, stage, err.Error()
		if !strings.Contains(res.Error, in.Path) {
			res.Error = in.Path + ": " + res.Error
		}
		return res, nil, ""
	}
	if err := os.MkdirAll(scratch, 0o755); err != nil {
		return fail("open", err)
	}
	r.obs.JobStage(in, "open")
	bk, err := r.open(ctx, in.Path, scratch, report.Scoped(rep, "open", in.Path, ""))
	if err == nil && bk == nil {
		err = errors.New("opener returned no backup")
	}
	if err != nil {
		return fail("open", err)
	}
	opened = append(opened, bk)

	var out *hashWriter
	var tmpFile *os.File
	var buf *bufio.Writer
	if r.Plan.Writes() {
		if r.DryRun {
			out = &hashWriter{w: io.Discard, h: sha256.New()}
		} else {
			if tmpFile, err = os.CreateTemp(r.tmpRoot, fmt.Sprintf("out-%d-*", slot)); err != nil {
				return fail("write", err)
			}
			tmpOut = tmpFile.Name()
			// CreateTemp makes the file private (0600); an output is handed
			// to Moodle, often running as another user.
			if err = tmpFile.Chmod(backup.OutputMode); err != nil {
				return fail("write", err)
			}
			defer tmpFile.Close()
			buf = bufPool.Get().(*bufio.Writer)
			buf.Reset(tmpFile)
			defer func() { buf.Reset(nil); bufPool.Put(buf) }()
			out = &hashWriter{w: buf, h: sha256.New()}
		}
	}
	for _, s := range r.Plan.steps {
		current = s.use.Spec.Name
		if err := ctx.Err(); err != nil {
			return fail(current, fmt.Errorf("aborted before stage %s: %w", current, err))
		}
		if want := s.use.Spec.Input; want != "" && want != stages.KindAny && bk.Facts.Kind != want {
			kind := string(bk.Facts.Kind)
			if kind == "" {
				kind = "of unknown kind"
			}
			return fail(current, fmt.Errorf("stage %s needs a %s backup, but this one is %s; pipeline %s cannot process it", current, want, kind, r.Plan.Pipeline.Name))
		}
		r.obs.JobStage(in, current)
		env := stages.Env{Scratch: scratch, Report: report.Scoped(rep, current, in.Path, ""), Cores: r.cores}
		if r.ReportDir != "" && !r.DryRun {
			env.ReportDir = filepath.Join(r.ReportDir, filepath.FromSlash(in.Dir))
		}
		if s.use.Spec.Terminal {
			env.Output = out
		}
		nb, err := s.stage.Apply(ctx, bk, env)
		if err != nil {
			return fail(current, fmt.Errorf("stage %s: %w", current, err))
		}
		if nb == nil {
			return fail(current, fmt.Errorf("stage %s returned no backup", current))
		}
		if nb != bk {
			opened = append(opened, nb)
			bk = nb
		}
	}
	current = "write"
	if out == nil {
		// No stage writes: stream the changed entries to nowhere, so that
		// streaming stages run and report (a pipeline that only checks).
		current = "read"
		if err := drain(ctx, bk); err != nil {
			return fail(current, err)
		}
		res.Status = StatusOK
		if r.jrn != nil {
			if err := r.jrn.add(record{T: recDone, Input: in.Key}, !r.NoSync); err != nil {
				return fail("journal", err)
			}
		}
		return res, nil, ""
	}
	rel, err := r.Plan.OutputName(in, bk.Facts)
	if err != nil {
		return fail("write", err)
	}
	if err := r.claim(rel, in.Key); err != nil {
		return fail("write", err)
	}
	res.Output, res.BytesOut, res.SHA256 = rel, out.n, hex.EncodeToString(out.h.Sum(nil))
	final := filepath.Join(r.OutDir, filepath.FromSlash(rel))
	if same(final, in.Path) {
		return fail("write", fmt.Errorf("output %s would replace its own input; choose another output folder or name", final))
	}
	if r.DryRun {
		if _, err := os.Lstat(final); err == nil && !r.Overwrite {
			return fail("write", existsError(final))
		}
		res.Status = StatusOK
		return res, nil, ""
	}
	if err := buf.Flush(); err != nil {
		return fail("write", err)
	}
	if !r.NoSync {
		if err := tmpFile.Sync(); err != nil {
			return fail("write", err)
		}
	}
	if err := tmpFile.Close(); err != nil {
		return fail("write", err)
	}
	if err := ctx.Err(); err != nil {
		return fail("write", fmt.Errorf("aborted: %w", err))
	}
	if err := r.jrn.add(record{T: recCommit, Input: in.Key, Output: rel, Size: out.n, SHA256: res.SHA256}, !r.NoSync); err != nil {
		return fail("journal", err)
	}
	if err := r.place(tmpOut, final); err != nil {
		return fail("write", err)
	}
	if err := r.jrn.add(record{T: recDone, Input: in.Key, Output: rel, Size: out.n, SHA256: res.SHA256}, false); err != nil {
		return fail("journal", err)
	}
	res.Status = StatusOK
	return res, nil, ""
}

// place moves the complete temporary output tmp to final: an atomic rename
// that fails when final exists (no overwrite; renameat2 RENAME_NOREPLACE, or
// a hard link where that is missing), or a plain rename with Overwrite.
func (r *runner) place(tmp, final string) error {
	dir := filepath.Dir(final)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if r.Overwrite {
		if err := os.Rename(tmp, final); err != nil {
			return err
		}
	} else if err := renameNoReplace(tmp, final); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return existsError(final)
		}
		if !errors.Is(err, syscall.ENOSYS) && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
			return err
		}
		err = os.Link(tmp, final)
		switch {
		case errors.Is(err, fs.ErrExist):
			return existsError(final)
		case errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EXDEV):
			// no hard links here either: check, then rename
			if _, serr := os.Lstat(final); serr == nil {
				return existsError(final)
			}
			if err := os.Rename(tmp, final); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			os.Remove(tmp)
		}
	}
	r.mu.Lock()
	if r.dirs == nil {
		r.dirs = map[string]bool{}
	}
	r.dirs[dir] = true
	r.mu.Unlock()
	return nil
}

// drain reads every entry of b that a stage may have changed (those not
// copied raw from the input) and discards the bytes.
func drain(ctx context.Context, b *backup.Backup) error {
	for _, e := range b.Entries {
		if e.Dir || e.Raw() != nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rc, err := e.Open()
		if err != nil {
			return fmt.Errorf("read %s: %w", e.Name, err)
		}
		_, err = io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			return fmt.Errorf("read %s: %w", e.Name, err)
		}
	}
	return nil
}

// emptyDir removes what is inside dir, keeping dir.
func emptyDir(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

func existsError(path string) error {
	return fmt.Errorf("output %s already exists and is left alone: use --resume to skip archives finished earlier, --overwrite to replace it, or another -o folder", path)
}

// same reports whether a and b are the same file.
func same(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}

// trimStack keeps the first lines of a panic's stack.
func trimStack(s []byte) string {
	lines := strings.Split(string(s), "\n")
	if len(lines) > 24 {
		lines = lines[:24]
	}
	return strings.Join(lines, "\n")
}

// findingSink passes findings to an Observer.
type findingSink struct{ obs Observer }

func (s findingSink) Add(f report.Finding) { s.obs.Finding(f) }
