package main

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/urfave/cli/v2"
)

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the version of moodlemig",
		Description: `Examples:
   moodlemig version
   moodlemig version --json`,
		Flags: globalFlags,
		Action: func(c *cli.Context) error {
			v := "devel"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
			if c.Bool("json") {
				return json.NewEncoder(c.App.Writer).Encode(map[string]string{"version": v, "go": runtime.Version()})
			}
			_, err := fmt.Fprintf(c.App.Writer, "moodlemig %s (%s)\n", v, runtime.Version())
			return err
		},
	}
}
