package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/moodlemig/moodlemig/pipelines"
	"github.com/moodlemig/moodlemig/stages"
)

func schemaCommand() *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of pipeline files, for editors",
		Description: `Prints a JSON Schema (draft 2020-12) of pipeline files, generated from the
stage registry: stage and option names, types, allowed values, defaults, docs.

Examples:
   moodlemig schema > moodlemig-pipeline.schema.json
   # VS Code (YAML extension), first line of a pipeline file:
   # yaml-language-server: $schema=./moodlemig-pipeline.schema.json`,
		Flags: globalFlags,
		Action: func(c *cli.Context) error {
			b, err := pipelines.Schema(stages.Builtin())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(c.App.Writer, "%s\n", b)
			return err
		},
	}
}
