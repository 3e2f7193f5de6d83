package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/moodlemig/moodlemig/pipelines"
)

func pipelinesCommand() *cli.Command {
	return &cli.Command{
		Name:      "pipelines",
		Usage:     "list the built-in pipelines, or print one as a starting point",
		ArgsUsage: "[NAME]",
		Description: `Without NAME, lists the built-in pipelines. With NAME, prints its YAML: copy
it, edit it, and run your file with moodlemig run FILE.

Examples:
   moodlemig pipelines
   moodlemig pipelines migrate > my-migrate.yaml`,
		Flags: globalFlags,
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			names := pipelines.BuiltinNames()
			if name := c.Args().First(); name != "" {
				src, ok := pipelines.BuiltinSource(name)
				if !ok {
					return usagef("no built-in pipeline %q%s", name, pipelines.DidYouMean(name, names))
				}
				_, err := w.Write(src)
				return err
			}
			if c.Bool("json") {
				type item struct {
					Name        string `json:"name"`
					Description string `json:"description"`
				}
				out := []item{}
				for _, n := range names {
					out = append(out, item{n, pipelines.BuiltinDescription(n)})
				}
				return json.NewEncoder(w).Encode(out)
			}
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PIPELINE\tDESCRIPTION")
			for _, n := range names {
				fmt.Fprintf(tw, "%s\t%s\n", n, pipelines.BuiltinDescription(n))
			}
			return tw.Flush()
		},
	}
}
