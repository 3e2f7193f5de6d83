package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/moodlemig/moodlemig/pipelines"
	"github.com/moodlemig/moodlemig/stages"
)

func stagesCommand() *cli.Command {
	return &cli.Command{
		Name:      "stages",
		Usage:     "list the stages a pipeline can use, or show one stage's options",
		ArgsUsage: "[NAME]",
		Description: `Without NAME, lists every stage: its name, the kind of backup it takes and
gives, and a summary. With NAME, shows the stage's documentation and options.

Examples:
   moodlemig stages
   moodlemig stages transcode
   moodlemig stages --json`,
		Flags: globalFlags,
		Action: func(c *cli.Context) error {
			reg := stages.Builtin()
			w := c.App.Writer
			if c.NArg() > 1 {
				return usagef("stages takes at most one stage name")
			}
			if name := c.Args().First(); name != "" {
				s := reg.Lookup(name)
				if s == nil {
					return usagef("unknown stage %q%s; `moodlemig stages` lists them", name, pipelines.DidYouMean(name, reg.Names()))
				}
				if c.Bool("json") {
					return json.NewEncoder(w).Encode(pipelines.Info(s))
				}
				_, err := fmt.Fprint(w, pipelines.StageMarkdown(s))
				return err
			}
			if c.Bool("json") {
				infos := []pipelines.StageInfo{}
				for _, s := range reg.Specs() {
					infos = append(infos, pipelines.Info(s))
				}
				return json.NewEncoder(w).Encode(infos)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "STAGE\tINPUT\tOUTPUT\tSUMMARY")
			for _, s := range reg.Specs() {
				in := pipelines.Info(s)
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.Name, in.Input, in.Output, in.Summary)
			}
			return tw.Flush()
		},
	}
}
