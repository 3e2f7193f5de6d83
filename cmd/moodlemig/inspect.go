package main

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"time"

	"github.com/moodlemig/moodlemig/internal/bytesize"

	"github.com/moodlemig/moodlemig/inspect"
	"github.com/moodlemig/moodlemig/users"
	"github.com/urfave/cli/v2"
	"golang.org/x/sync/errgroup"
)

// inspectCommand describes backups and diagnoses their FAQ problems without
// changing anything.
func inspectCommand() *cli.Command {
	return &cli.Command{
		Name:      "inspect",
		Usage:     "describe backups and diagnose their problems, changing nothing",
		ArgsUsage: "PATH...",
		Description: `Each PATH is a backup (.zip, .mbz, .tar.gz, or an extracted folder), a folder
searched recursively for backups, or a glob. For each backup: kind, Moodle and
backup versions, backup date, original site, course names, language and
format, counts (sections, activities per module, users, questions per type,
forum posts, files and bytes), the charset of moodle.xml (valid UTF-8, or a
legacy guess with its evidence), and one finding per problem of the Moodle
"Backup and restore FAQ" it can see: invalid XML characters, not well-formed
or truncated XML (line:column and byte offset, the first --max-findings of
each), moodle.xml not at the root, pre-1.6 legacy charsets, libxml2-stripped
HTML, unencoded links, users present, a backup newer than --target-version,
questions and scales notes, oversize backups.

A broken archive never stops the others: its error is in its report, and the
exit status is 3 when some backups could not be inspected (0 when all could,
whatever they hold).

Examples:
   moodlemig inspect course.zip
   moodlemig inspect backups/ --target-version 4.5
   moodlemig inspect 'shelf/*.zip' --json > report.jsonl
   moodlemig inspect course.zip --target-users site-users.csv   # who would conflict on restore
   moodlemig inspect -v --max-findings 100 broken.zip   # list up to 100 findings per problem, not 3`,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "target-version", Usage: "Moodle release the backups are meant for (e.g. 4.5): warn about newer backups"},
			&cli.IntFlag{Name: "max-findings", Value: 20, Usage: "findings kept in full per problem and backup (the rest are counted)"},
			&cli.StringFlag{Name: "oversize", Value: "200MB", Usage: "size above which a backup is reported as oversize"},
			&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Value: runtime.NumCPU(), Usage: "backups inspected at once"},
			&cli.StringFlag{Name: "target-users", Usage: "the target site's users (CSV export, or postgres:// / mysql:// URL of its database): list the backup users that would conflict, changing nothing"},
			&cli.StringFlag{Name: "target-prefix", Value: "mdl_", Usage: "table prefix of the target database (with a database --target-users)"},
			&cli.StringFlag{Name: "target-password-file", Usage: "file whose first line is the target database password (or set MOODLEMIG_DB_PASSWORD)"},
		}, globalFlags...),
		Action: runInspect,
	}
}

func runInspect(c *cli.Context) error {
	if c.NArg() == 0 {
		return usagef("inspect: no PATH given (see moodlemig inspect --help)")
	}
	over, err := bytesize.Parse(c.String("oversize"))
	if err != nil {
		return usagef("inspect: --oversize: %v", err)
	}
	jobs := c.Int("jobs")
	if jobs < 1 {
		return usagef("inspect: --jobs must be at least 1")
	}
	opts := inspect.Options{TargetVersion: c.String("target-version"), MaxPerCode: c.Int("max-findings"), OversizeBytes: over,
		TargetUsers:  c.String("target-users"),
		TargetSource: users.SourceOptions{Prefix: c.String("target-prefix"), PasswordFile: c.String("target-password-file")}}
	ctx := c.Context
	start := time.Now()

	// Expand each argument on its own, so that a missing one is reported
	// like a broken archive and the others still run.
	var paths []string
	var pre []*inspect.Result
	for _, arg := range c.Args().Slice() {
		found, err := inspect.Find(ctx, []string{arg})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			pre = append(pre, &inspect.Result{Type: "backup", Path: arg, Err: err, Error: err.Error()})
			continue
		}
		paths = append(paths, found...)
	}

	results := make([]*inspect.Result, len(paths))
	done := make([]chan struct{}, len(paths))
	for i := range done {
		done[i] = make(chan struct{})
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	go func() {
		for i, p := range paths {
			i, p := i, p
			g.Go(func() error {
				defer close(done[i])
				r, err := inspectOne(gctx, p, opts)
				results[i] = r
				return err
			})
		}
	}()

	out := newInspectWriter(c)
	var all []*inspect.Result
	for _, r := range pre {
		all = append(all, r)
		if err := out.result(r); err != nil {
			return err
		}
	}
	for i := range paths {
		select {
		case <-done[i]:
		case <-ctx.Done():
			return fmt.Errorf("inspect: %w", ctx.Err())
		}
		if results[i] == nil { // cancelled
			break
		}
		all = append(all, results[i])
		if err := out.result(results[i]); err != nil {
			return err
		}
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("inspect: %w", err)
	}
	sum := inspect.Summarize(all, time.Since(start))
	if err := out.summary(sum); err != nil {
		return err
	}
	switch {
	case sum.Failed == 0:
		return nil
	case sum.Backups == 1:
		return fmt.Errorf("inspect: %s", all[0].Error)
	}
	return partialError{failed: sum.Failed, total: sum.Backups}
}

// inspectOne inspects one backup; a panic becomes that backup's error.
func inspectOne(ctx context.Context, path string, opts inspect.Options) (r *inspect.Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			e := fmt.Errorf("%s: internal error: %v (please report it)", path, p)
			r, err = &inspect.Result{Type: "backup", Path: path, Err: e, Error: e.Error()}, nil
		}
	}()
	return inspect.Inspect(ctx, path, opts)
}

// inspectWriter prints results as the --json, --quiet and --verbose flags
// say.
type inspectWriter struct {
	c                    *cli.Context
	json, quiet, verbose bool
	enc                  *json.Encoder
	first                bool
}

func newInspectWriter(c *cli.Context) *inspectWriter {
	w := &inspectWriter{c: c, json: c.Bool("json"), quiet: c.Bool("quiet"), verbose: c.Bool("verbose"), first: true}
	w.enc = json.NewEncoder(c.App.Writer)
	w.enc.SetEscapeHTML(false)
	return w
}

func (w *inspectWriter) result(r *inspect.Result) error {
	if w.json {
		return w.enc.Encode(r)
	}
	if w.quiet {
		if r.Failed() {
			fmt.Fprintf(w.c.App.ErrWriter, "moodlemig: %s\n", r.Error)
		}
		return nil
	}
	if !w.first {
		fmt.Fprintln(w.c.App.Writer)
	}
	w.first = false
	return inspect.WriteText(w.c.App.Writer, r, w.verbose)
}

func (w *inspectWriter) summary(s inspect.Summary) error {
	if w.json {
		return w.enc.Encode(s)
	}
	if w.quiet {
		return nil
	}
	return inspect.WriteSummary(w.c.App.ErrWriter, s)
}
