// Command restore-check converts the check's courses with moodlemig,
// restores each output (and each 1.x input, through Moodle's own converter)
// in the local Moodle site, prints a side-by-side table per course and
// writes the comparison page. Run it from the module root (make
// restore-check). Without a Moodle site it prints how to set one up and
// exits 0.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/moodlemig/moodlemig/restorecheck"
)

func main() {
	doc := flag.String("doc", "docs/moodle-converter-comparison.md", "write the comparison page here (empty: do not write)")
	own := flag.Bool("moodle", true, "also restore each 1.x input through Moodle's own converter")
	harness := flag.String("harness", "", "restore.sh or its folder (default: shared/moodle above the module)")
	inspect := flag.Bool("inspect", false, "only print the static problems of the 2.x backups named as arguments (no Moodle needed)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if *inspect {
		os.Exit(inspectOnly(ctx, flag.Args()))
	}
	os.Exit(run(ctx, *doc, *own, *harness))
}

func run(ctx context.Context, doc string, own bool, harness string) int {
	root, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	site, err := restorecheck.Find(root, harness)
	if errors.Is(err, restorecheck.ErrNoSite) {
		fmt.Println("restore-check: skipped:", err)
		return 0
	}
	work, err := os.MkdirTemp("", "restore-check-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer os.RemoveAll(work)
	bin, err := restorecheck.Build(ctx, root, work)
	if err != nil {
		fmt.Fprintln(os.Stderr, "restore-check:", err)
		return 2
	}
	courses, err := restorecheck.Courses(ctx, root, bin, work)
	if err != nil {
		fmt.Fprintln(os.Stderr, "restore-check:", err)
		return 2
	}
	var results []*restorecheck.Result
	failed, warnings, backupWarnings := 0, 0, 0
	release := "4.5"
	for _, c := range courses {
		fmt.Printf("== %s (%s)\n", c.Name, c.Doc)
		r, err := restorecheck.Check(ctx, site, bin, work, c, own)
		if err != nil {
			fmt.Fprintln(os.Stderr, "restore-check:", c.Name+":", err)
			return 2
		}
		results = append(results, r)
		if r.Restored.MoodleRelease != "" {
			release = r.Restored.MoodleRelease
		}
		fmt.Print(restorecheck.Table(r))
		if r.Moodle != nil && !r.Moodle.Success {
			fmt.Println("Moodle's converter: restore failed:", r.Moodle.Error)
		}
		ours, site := restorecheck.SplitWarnings(r.Output, r.Restored)
		warnings += len(ours) + len(site)
		backupWarnings += len(ours)
		fmt.Printf("Moodle warnings on our output: %d (%d caused by the backup, %d by the site's disabled chat/survey)\n", len(ours)+len(site), len(ours), len(site))
		for _, w := range ours {
			fmt.Println("  WARNING (backup):", w)
		}
		for _, w := range site {
			fmt.Println("  warning (site):", w)
		}
		if fs := r.Failures(); len(fs) > 0 || len(ours) > 0 {
			failed++
			for _, f := range fs {
				fmt.Println("  FAIL:", f)
			}
		} else {
			fmt.Println("  ok: audit, output and restored course agree")
		}
		fmt.Println()
	}
	if doc != "" {
		page := restorecheck.Page(results, release, time.Now())
		if err := os.WriteFile(doc, []byte(page), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "restore-check:", err)
			return 2
		}
		fmt.Println("wrote", doc)
	}
	fmt.Printf("restore-check: %d course(s), %d failed, %d Moodle warning(s) on our outputs (%d caused by the backup)\n", len(courses), failed, warnings, backupWarnings)
	if failed > 0 {
		return 1
	}
	return 0
}

// inspectOnly prints the static problems of each backup; exit 1 when any.
func inspectOnly(ctx context.Context, paths []string) int {
	rc := 0
	for _, p := range paths {
		out, err := restorecheck.Inspect(ctx, p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			rc = 2
			continue
		}
		fmt.Printf("%s: %d problem(s)\n", p, len(out.Problems))
		for _, pr := range out.Problems {
			fmt.Println("  " + pr)
		}
		if len(out.Problems) > 0 && rc == 0 {
			rc = 1
		}
	}
	return rc
}
