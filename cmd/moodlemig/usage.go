package main

import "strings"

// isCLIUsage reports whether err is one of urfave/cli's own usage errors
// (unknown flag, missing argument), which it returns as plain errors.
func isCLIUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"flag provided but not defined", "Required flag", "invalid value", "flag needs an argument", "No help topic"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}
