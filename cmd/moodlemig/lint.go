package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/moodlemig/moodlemig/pipelines"
	"github.com/moodlemig/moodlemig/stages"
)

// setFlag is --set NAME=value, for ${NAME} in pipeline files.
var setFlag = &cli.StringSliceFlag{Name: "set", Usage: "set variable `NAME=value` for ${NAME} in the pipeline file (repeatable; wins over the environment)"}

func lintCommand() *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "check pipeline files without running them",
		ArgsUsage: "FILE|BUILTIN...",
		Description: `Checks each pipeline file strictly: keys, stage names, option names, types
and values, variables, and the order of stages (each stage must receive the
kind of backup it takes). Every problem is printed as file:line:column with a
suggestion. Exit status 2 when any file has a problem.

Examples:
   moodlemig lint my-pipeline.yaml
   moodlemig lint --set TARGET=4.5 pipelines/*.yaml
   moodlemig lint migrate`,
		Flags: append([]cli.Flag{setFlag}, globalFlags...),
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usagef("lint needs at least one pipeline file")
			}
			set, err := pipelines.ParseSet(c.StringSlice("set"))
			if err != nil {
				return usageError{err}
			}
			vars := pipelines.EnvVars(set)
			reg := stages.Builtin()
			var all pipelines.ErrorList
			for _, arg := range c.Args().Slice() {
				p, err := pipelines.Resolve(reg, arg, vars)
				var list pipelines.ErrorList
				switch {
				case errors.As(err, &list):
					all = append(all, list...)
				case err != nil:
					all = append(all, &pipelines.Error{File: arg, Msg: err.Error()})
				case !c.Bool("quiet") && !c.Bool("json"):
					fmt.Fprintf(c.App.Writer, "%s: ok (%s, %d stages)\n", arg, p.Name, len(p.Stages))
				}
			}
			if c.Bool("json") {
				type problem struct {
					File    string `json:"file"`
					Line    int    `json:"line,omitempty"`
					Column  int    `json:"column,omitempty"`
					Message string `json:"message"`
				}
				out := []problem{}
				for _, e := range all {
					out = append(out, problem{e.File, e.Line, e.Column, e.Msg})
				}
				if err := json.NewEncoder(c.App.Writer).Encode(out); err != nil {
					return err
				}
			}
			if len(all) > 0 {
				if !c.Bool("json") {
					for _, e := range all {
						fmt.Fprintln(c.App.ErrWriter, e)
					}
				}
				return usagef("%d problem(s) in pipeline files", len(all))
			}
			return nil
		},
	}
}
