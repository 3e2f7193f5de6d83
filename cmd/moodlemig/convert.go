package main

import (
	"github.com/urfave/cli/v2"
)

func convertCommand() *cli.Command {
	flags := batchFlags(".")
	for _, f := range flags {
		if b, ok := f.(*cli.BoolFlag); ok && b.Name == "resume" {
			c := *b
			c.Value = true
			c.Usage = "skip archives already converted into OUTDIR (default; --resume=false to disable)"
			*b = c
		}
	}
	return &cli.Command{
		Name:      "convert",
		Usage:     "repair Moodle 1.x backups and convert them to 2.x+ .mbz files",
		ArgsUsage: "INPUT... [-o OUTDIR]",
		Description: `convert is "moodlemig run migrate" with friendly defaults: outputs go to the
current folder unless -o says otherwise, named like the input with .mbz
(course.zip -> course.mbz), and --resume is on, so running it again finishes
what an interrupted run left and skips what is done. An existing file is
never overwritten unless --overwrite.

The migrate pipeline relocates a nested backup, removes characters XML
forbids, transcodes legacy charsets to UTF-8, repairs HTML that libxml2
stripped, encodes links, converts to the 2.x format and writes a .mbz
(moodlemig pipelines migrate shows it).

Examples:
   moodlemig convert old-course.zip
   moodlemig convert shelf/ -o converted/ --jobs 4
   moodlemig convert shelf/ -o converted/ --dry-run --verbose`,
		Flags: flags,
		Action: func(c *cli.Context) error {
			args := c.Args().Slice()
			if len(args) == 0 {
				return usagef("convert needs at least one backup, folder or glob")
			}
			return runBatch(c, "migrate", args)
		},
	}
}
