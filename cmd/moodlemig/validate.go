package main

import (
	"encoding/json"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/moodlemig/moodlemig/backup"
	"github.com/moodlemig/moodlemig/report"
	"github.com/moodlemig/moodlemig/validate"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check 2.x backups (.mbz or folders, ours or anyone's) against what Moodle's restore needs",
		ArgsUsage: "PATH...",
		Description: `Checks each 2.x backup: required XML files with the right declaration and
root element, well-formed XML with leaves before nested elements, consistent
contents and settings in moodle_backup.xml, unique ids, every file record's
pool file (SHA-1 and size) and context, every inforef id, and no dangling
question, scale, grade, group or user reference. Exit status 3 when some
backup has an error finding (the others are still checked).

Examples:
   moodlemig validate course.mbz
   moodlemig validate --json out/*.mbz`,
		Flags: globalFlags,
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("validate needs at least one backup (.mbz or folder)")
			}
			jsonOut, quiet, verbose := c.Bool("json"), c.Bool("quiet"), c.Bool("verbose")
			enc := json.NewEncoder(c.App.Writer)
			failed := 0
			for _, path := range c.Args().Slice() {
				rep := report.New(0)
				res, err := validatePath(c, path, rep)
				ok := err == nil && res.OK()
				if !ok {
					failed++
				}
				if jsonOut {
					for _, f := range rep.Findings() {
						if err := enc.Encode(f); err != nil {
							return err
						}
					}
					obj := map[string]any{"archive": path, "ok": ok, "result": res}
					if err != nil {
						obj["error"] = err.Error()
					}
					if err := enc.Encode(obj); err != nil {
						return err
					}
					continue
				}
				for _, f := range rep.Findings() {
					if verbose || f.Severity == report.Error {
						fmt.Fprintln(c.App.ErrWriter, f)
					}
				}
				switch {
				case err != nil:
					fmt.Fprintf(c.App.ErrWriter, "%s: %v\n", path, err)
				case !quiet:
					status := "ok"
					if !ok {
						status = "FAILED"
					}
					fmt.Fprintf(c.App.Writer, "%s: %s (%d errors, %d warnings; %d XML files, %d file records, %d pool files checked)\n",
						path, status, res.Errors, res.Warnings, res.XMLFiles, res.Files, res.Pool)
				}
			}
			if jsonOut {
				if err := enc.Encode(map[string]any{"summary": map[string]int{"archives": c.NArg(), "failed": failed}}); err != nil {
					return err
				}
			}
			if failed > 0 {
				return partialError{failed: failed, total: c.NArg()}
			}
			return nil
		},
	}
}

func validatePath(c *cli.Context, path string, rep *report.Report) (validate.Result, error) {
	b, err := backup.Open(c.Context, path, backup.Options{})
	if err != nil {
		return validate.Result{}, err
	}
	defer b.Close()
	if b.Facts.Kind != backup.Moodle2 {
		return validate.Result{}, fmt.Errorf("not a 2.x backup (no moodle_backup.xml at its root; kind %q)", b.Facts.Kind)
	}
	return validate.Check(c.Context, b, rep)
}
