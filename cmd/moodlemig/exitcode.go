package main

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Exit codes (see docs/ARCHITECTURE.md).
const (
	exitOK      = 0 // all done
	exitFailure = 1 // the command failed
	exitUsage   = 2 // bad usage or a bad pipeline file
	exitPartial = 3 // a batch finished with some archives failed, or validation found problems
)

// usageError marks an error as the user's invocation being wrong.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usage error (exit 2).
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// partialError reports that some inputs failed while the rest were done (exit 3).
type partialError struct{ failed, total int }

func (e partialError) Error() string {
	return fmt.Sprintf("%d of %d archives failed", e.failed, e.total)
}

// exitCode maps an error to the process exit status, printing it once.
// This is the one place where errors become exit codes.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var pe partialError
	if errors.As(err, &pe) {
		fmt.Fprintln(stderr, "moodlemig:", err)
		return exitPartial
	}
	fmt.Fprintln(stderr, "moodlemig:", err)
	var ue usageError
	switch {
	case errors.As(err, &ue), isCLIUsage(err):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitFailure
	}
	return exitFailure
}
