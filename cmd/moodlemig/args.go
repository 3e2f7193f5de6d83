package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// hoistFlags lets users put flags after positional arguments
// ("moodlemig convert in.zip -o out/"), which urfave/cli v2 does not parse:
// it stops at the first argument. For the named command, flag tokens (and the
// value of a flag that takes one) are moved before the positional arguments.
// Everything after "--" stays where it is.
func hoistFlags(args []string, cmds []*cli.Command) []string {
	// Find the command: the first token after the program name that is not a flag.
	ci := -1
	for i := 1; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-") {
			ci = i
			break
		}
	}
	if ci < 0 {
		return args
	}
	var cmd *cli.Command
	for _, c := range cmds {
		if c.HasName(args[ci]) {
			cmd = c
		}
	}
	if cmd == nil || len(cmd.Subcommands) > 0 {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		tv, ok := f.(interface{ TakesValue() bool })
		for _, n := range f.Names() {
			takesValue[n] = ok && tv.TakesValue()
		}
	}
	var flags, pos []string
	rest := args[ci+1:]
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		if a == "--" {
			pos = append(pos, rest[i:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if takesValue[name] && i+1 < len(rest) {
			flags = append(flags, rest[i+1])
			i++
		}
	}
	out := append([]string(nil), args[:ci+1]...)
	out = append(out, flags...)
	return append(out, pos...)
}
