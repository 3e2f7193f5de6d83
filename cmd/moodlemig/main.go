// Command moodlemig rescues old Moodle course backups: it inspects them,
// repairs the damage the Moodle "Backup and restore FAQ" describes, and
// converts 1.x backups into 2.x+ .mbz files that a current Moodle restores.
//
// This package is thin: it parses flags, calls library packages and maps
// errors to exit codes (exitcode.go). Each command lives in its own file.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/urfave/cli/v2"
)

func main() {
	os.Exit(run(os.Args, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without os.Exit, so tests can call it in-process.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := interruptContext(context.Background(), stderr)
	defer stop()
	app := newApp(stdin, stdout, stderr)
	err := app.RunContext(ctx, hoistFlags(args, app.Commands))
	return exitCode(err, stderr)
}

// globalFlags are accepted by every command.
var globalFlags = []cli.Flag{
	&cli.BoolFlag{Name: "json", Usage: "write machine-readable JSON on stdout"},
	&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print nothing but errors"},
	&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "print every finding"},
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "moodlemig",
		Usage: "rescue old Moodle course backups: inspect, repair, convert 1.x to 2.x+",
		Description: `moodlemig reads Moodle 1.x backups (zip files with moodle.xml) and 2.x+ .mbz
files, diagnoses the problems of the Moodle "Backup and restore FAQ", repairs
them and converts 1.x courses into .mbz files that Moodle 4.x/5.x restores.

Examples:
   moodlemig inspect backups/                 # what is each backup, what is wrong
   moodlemig convert old.zip -o out/          # repair and convert to out/old.mbz
   moodlemig run repair 'shelf/*.zip' -o fixed/ --jobs 4`,
		Reader:                 stdin,
		Writer:                 stdout,
		ErrWriter:              stderr,
		Flags:                  globalFlags,
		Commands:               commands(),
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		ExitErrHandler:         func(*cli.Context, error) {}, // exit codes are mapped in run
	}
}

// commands lists every command, in the order --help shows them.
func commands() []*cli.Command {
	return []*cli.Command{
		versionCommand(),
		inspectCommand(),
		convertCommand(),
		runCommand(),
		pipelinesCommand(),
		stagesCommand(),
		lintCommand(),
		schemaCommand(),
		validateCommand(),
		genCommand(),
	}
}

// interruptContext returns a context cancelled by the first SIGINT/SIGTERM:
// commands stop taking new work and let running work finish. The second
// signal cancels abortContext(ctx): running work stops and removes its
// partial files; if the process has not ended 10 seconds later (or at a
// third signal) it exits at once with status 130.
func interruptContext(parent context.Context, stderr io.Writer) (context.Context, func()) {
	ctx, cancel := context.WithCancel(parent)
	abort, abortNow := context.WithCancel(context.WithoutCancel(parent))
	ctx = context.WithValue(ctx, abortKey{}, abort)
	sig := make(chan os.Signal, 3)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		select {
		case <-sig:
			fmt.Fprintln(stderr, "moodlemig: interrupted: finishing running work, no new archives (press Ctrl-C again to abort)")
			cancel()
		case <-ctx.Done():
			return
		}
		<-sig
		fmt.Fprintln(stderr, "moodlemig: aborting running work and removing its partial files")
		abortNow()
		select {
		case <-sig:
		case <-time.After(10 * time.Second):
		}
		fmt.Fprintln(stderr, "moodlemig: aborted")
		os.Exit(130)
	}()
	return ctx, func() { signal.Stop(sig); cancel(); abortNow() }
}

type abortKey struct{}

// abortContext returns the context that a second interrupt cancels (see
// interruptContext); one that is never cancelled when ctx has none.
func abortContext(ctx context.Context) context.Context {
	if a, ok := ctx.Value(abortKey{}).(context.Context); ok {
		return a
	}
	return context.WithoutCancel(ctx)
}
