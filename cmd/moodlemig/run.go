package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/moodlemig/moodlemig/pipelines"
	"github.com/moodlemig/moodlemig/stages"
)

// batchFlags are the flags of run and convert.
func batchFlags(outDefault string) []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Value: outDefault, Usage: "write outputs into folder `OUTDIR` (created when missing)"},
		&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}, Usage: "process `N` archives at once (default: the number of CPUs)"},
		setFlag,
		&cli.BoolFlag{Name: "overwrite", Usage: "replace outputs that already exist (never an input)"},
		&cli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "run every stage and report, but write nothing"},
		&cli.BoolFlag{Name: "resume", Usage: "skip archives an earlier run into OUTDIR finished (output present, same size and checksum)"},
		&cli.BoolFlag{Name: "retry-failed", Usage: "with --resume: run again the archives that failed earlier"},
		&cli.StringFlag{Name: "shard", Usage: "process only shard `i/N` of the inputs (stable hash; auto: from a Kubernetes Indexed Job or Slurm array)"},
		&cli.StringFlag{Name: "report", Usage: "also write findings, results and the summary as JSON lines to `FILE`"},
		&cli.StringFlag{Name: "report-dir", Usage: "save side files of stages (e.g. the XML of modules convert kept out) under `DIR`"},
		&cli.BoolFlag{Name: "no-sync", Usage: "skip fsync: faster on slow disks; still atomic and resumable after a kill, not after a power loss"},
	}, globalFlags...)
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "run a pipeline over backups: files, folders, globs or a manifest",
		ArgsUsage: "PIPELINE INPUT... -o OUTDIR",
		Description: `PIPELINE is a built-in pipeline (moodlemig pipelines) or a pipeline file.
INPUT is a backup file, a folder (searched for *.zip, *.mbz, *.tar.gz, *.tgz,
*.tar and extracted backups), a glob, @FILE (a manifest: one path per line)
or - (a manifest on stdin).

Outputs appear only complete and are never overwritten unless --overwrite.
OUTDIR/.moodlemig holds the journal that --resume reads. The first Ctrl-C
stops taking new archives and lets running ones finish; a second aborts them
(leaving no partial file).

Exit status: 0 all done, 1 failure or interrupted, 2 usage or pipeline-file
error, 3 some archives failed (the rest are done).

Examples:
   moodlemig run migrate shelf/ -o converted/
   moodlemig run repair 'shelf/*.zip' -o fixed/ --jobs 4
   moodlemig run my-pipeline.yaml @list.txt -o out/ --set TARGET=4.5
   find /data -name '*.zip' | moodlemig run migrate - -o out/ --resume --json > run.jsonl
   moodlemig run migrate /data/backups -o /data/out --shard auto --resume`,
		Flags: batchFlags(""),
		Action: func(c *cli.Context) error {
			args := c.Args().Slice() // flags after arguments are hoisted in main.go
			if len(args) < 2 {
				return usagef("run needs a pipeline and at least one input: moodlemig run PIPELINE INPUT... -o OUTDIR")
			}
			if c.String("output") == "" {
				return usagef("run needs an output folder: -o OUTDIR")
			}
			return runBatch(c, args[0], args[1:])
		},
	}
}

// runBatch runs the pipeline named by pipelineArg over the inputs named by
// args, as the flags of c say. It is all of run and convert.
func runBatch(c *cli.Context, pipelineArg string, args []string) error {
	stderr := c.App.ErrWriter
	set, err := pipelines.ParseSet(c.StringSlice("set"))
	if err != nil {
		return usageError{err}
	}
	if c.Bool("retry-failed") && !c.Bool("resume") {
		return usagef("--retry-failed goes with --resume")
	}
	shard, err := pipelines.ParseShard(c.String("shard"), os.Getenv)
	if err != nil {
		return usageError{err}
	}
	p, err := pipelines.Resolve(stages.Builtin(), pipelineArg, pipelines.EnvVars(set))
	if err != nil {
		var list pipelines.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				fmt.Fprintln(stderr, e)
			}
			return usagef("pipeline %s has %d problem(s); see above", pipelineArg, len(list))
		}
		return usageError{err}
	}
	plan, err := pipelines.Compile(p)
	if err != nil {
		return usageError{err}
	}
	outDir := c.String("output")
	inputs, err := pipelines.ExpandInputs(args, c.App.Reader, outDir)
	if err != nil {
		return usageError{err}
	}

	var obs pipelines.Observers
	if c.Bool("json") {
		obs = append(obs, pipelines.NewJSONLines(c.App.Writer))
	}
	if path := c.String("report"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("--report: %w", err)
		}
		defer f.Close()
		obs = append(obs, pipelines.NewJSONLines(f))
	}
	if !c.Bool("quiet") {
		if isTerminal(stderr) {
			obs = append(obs, pipelines.NewBars(stderr))
		} else {
			obs = append(obs, pipelines.NewLogLines(stderr, c.Bool("verbose")))
		}
	}
	b := &pipelines.Batch{
		Plan:        plan,
		OutDir:      outDir,
		Jobs:        c.Int("jobs"),
		Overwrite:   c.Bool("overwrite"),
		DryRun:      c.Bool("dry-run"),
		Resume:      c.Bool("resume"),
		RetryFailed: c.Bool("retry-failed"),
		Shard:       shard,
		NoSync:      c.Bool("no-sync"),
		ReportDir:   c.String("report-dir"),
		Observer:    obs,
		Abort:       abortContext(c.Context),
	}
	sum, err := b.Run(c.Context, inputs)
	if err != nil {
		return err
	}
	for _, o := range obs {
		if j, ok := o.(*pipelines.JSONLines); ok && j.Err() != nil {
			return fmt.Errorf("write JSON lines: %w", j.Err())
		}
	}
	switch {
	case b.Abort.Err() != nil:
		return fmt.Errorf("aborted: %w", context.Canceled)
	case sum.Stopped != "":
		return fmt.Errorf("batch stopped early (%s): %d archive(s) not started; run again with --resume to finish", sum.Stopped, sum.Interrupted)
	case sum.Failed > 0:
		return partialError{failed: sum.Failed, total: sum.Total}
	}
	return nil
}

// isTerminal reports whether w is a terminal of a known width (progress
// bars go there).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	return err == nil && width > 0
}
