package restorecheck

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Course is one 1.x input the check converts and restores.
type Course struct {
	// Name names the course in tables and subtests.
	Name string
	// Input is the 1.x zip.
	Input string
	// Doc says what the course is.
	Doc string
}

// GenArgs are the moodlemig gen arguments of the generated full course:
// every core module, resource and assignment type (the default 10×3
// sections), every qtype, users and user data, more course files than the
// default and a few links left unencoded for the encode-links repair.
var GenArgs = []string{"--seed", "2", "--file-count", "10", "--relative-links", "3"}

// Courses lists the courses of the check, writing the inputs it has to make
// into work: the clean sample of testdata/sample, every hand-made golden
// course of the converter tests (convert/testdata/<name>/moodle.xml, zipped
// as a user would have it) and a course generated with GenArgs. root is the
// module root, bin the moodlemig binary.
func Courses(ctx context.Context, root, bin, work string) ([]Course, error) {
	cs := []Course{{
		Name:  "sample",
		Input: filepath.Join(root, "testdata", "sample", "backup-sample-19.zip"),
		Doc:   "testdata/sample/backup-sample-19.zip: clean generated Moodle 1.9.19 course (every core module, users, posts, questions, files, links)",
	}}
	dirs, err := os.ReadDir(filepath.Join(root, "convert", "testdata"))
	if err != nil {
		return nil, fmt.Errorf("golden courses: %w", err)
	}
	for _, d := range dirs {
		src := filepath.Join(root, "convert", "testdata", d.Name())
		if !d.IsDir() || !fileExists(filepath.Join(src, "moodle.xml")) {
			continue
		}
		zipPath := filepath.Join(work, d.Name()+".zip")
		if err := zipFolder(src, zipPath); err != nil {
			return nil, err
		}
		cs = append(cs, Course{Name: d.Name(), Input: zipPath,
			Doc: "convert/testdata/" + d.Name() + ": hand-made golden course of the converter tests"})
	}
	gen := filepath.Join(work, "generated-full.zip")
	cmd := exec.CommandContext(ctx, bin, append(append([]string{"gen", "--quiet"}, GenArgs...), gen)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("moodlemig gen: %v: %s", err, out)
	}
	cs = append(cs, Course{Name: "generated-full", Input: gen,
		Doc: "moodlemig gen " + strings.Join(GenArgs, " ") + ": every core module, resource and assignment type, every qtype, users and user data, course files, encoded and unencoded links"})
	return cs, nil
}

// zipFolder zips the files of folder src into dst, names relative to src.
func zipFolder(src, dst string) error {
	f, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("zip %s: %w", src, err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		in, err := os.Open(p)
		if err != nil {
			return err
		}
		defer in.Close()
		_, err = io.Copy(w, in)
		return err
	})
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("zip %s: %w", src, err)
	}
	return nil
}

// Build builds the moodlemig binary of the module at root into dir.
func Build(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "moodlemig")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/moodlemig")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/moodlemig: %v: %s", err, out)
	}
	return bin, nil
}

// Converted is one conversion by moodlemig.
type Converted struct {
	// MBZ is the output.
	MBZ string
	// Run is what the --report file says (audit, findings).
	Run *Run
	// Wall is the wall time of the moodlemig convert process.
	Wall time.Duration
}

// Convert converts input with moodlemig (bin) into dir, with a report.
func Convert(ctx context.Context, bin, input, dir string) (*Converted, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	reportPath := filepath.Join(dir, "report.jsonl")
	cmd := exec.CommandContext(ctx, bin, "convert", input, "-o", dir, "--report", reportPath,
		"--overwrite", "--resume=false", "--quiet")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("moodlemig convert %s: %v: %s", input, err, tail(stderr.String()))
	}
	f, err := os.Open(reportPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	run, err := ReadReport(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", reportPath, err)
	}
	if run.Status != "ok" || run.Output == "" {
		return nil, fmt.Errorf("moodlemig convert %s: status %q, no output", input, run.Status)
	}
	mbz := run.Output
	if !filepath.IsAbs(mbz) {
		mbz = filepath.Join(dir, mbz)
	}
	return &Converted{MBZ: mbz, Run: run, Wall: wall}, nil
}

// Result is the check of one course.
type Result struct {
	Course Course
	// Ours is our conversion, Output what it holds, Restored Moodle's restore
	// of it, Diffs where the three disagree.
	Ours     *Converted
	Output   *Output
	Restored *Restored
	Diffs    []Diff
	// Rows are the rows of the RecordTables after the restore.
	Rows map[string]int
	// Moodle is Moodle's restore of the 1.x input through its own converter
	// (nil when not run).
	Moodle *Restored
}

// Failures returns everything that makes the course fail the check: a
// restore that failed, a static problem of the output, a count on which
// the audit, the output and Moodle disagree. Moodle's warnings are listed
// by Warnings, not here.
func (r *Result) Failures() []string {
	var out []string
	if r.Restored != nil && !r.Restored.Success {
		out = append(out, "Moodle's restore failed: "+r.Restored.Error)
	}
	for _, p := range r.Output.Problems {
		out = append(out, "output: "+p)
	}
	for _, d := range r.Diffs {
		out = append(out, d.String())
	}
	return out
}

// Check converts c with moodlemig, restores the output in site, compares,
// and (withMoodle) restores the 1.x input through Moodle's own converter.
func Check(ctx context.Context, site Site, bin, work string, c Course, withMoodle bool) (*Result, error) {
	conv, err := Convert(ctx, bin, c.Input, filepath.Join(work, c.Name))
	if err != nil {
		return nil, err
	}
	out, err := Inspect(ctx, conv.MBZ)
	if err != nil {
		return nil, err
	}
	res := &Result{Course: c, Ours: conv, Output: out}
	if res.Restored, res.Rows, err = site.RestoreCounting(ctx, conv.MBZ, recordTables()); err != nil {
		return nil, err
	}
	res.Diffs = Compare(conv.Run.Audit, out, res.Restored)
	if res.Restored.Success {
		res.Diffs = append(res.Diffs, CompareRecords(conv.Run, res.Rows)...)
	}
	if withMoodle {
		if res.Moodle, err = site.Restore(ctx, c.Input); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func sortedKeys[V any](ms ...map[string]V) []string {
	seen := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
