// Command trazo runs and operates a Trazo ledger: the server, offline
// verification, backups, and tokens. Run "trazo help" for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

// usageError returns an error that exits with status 2.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// exitCode prints err in one sentence and returns the process's exit status:
// 0 ok, 1 failure, 2 usage.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintf(stderr, "trazo: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "trazo: %v\n", err)
		return 1
	}
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the HTTP API server", runServe},
		{"token", "print a signed API token for a role", runToken},
		{"verify", "verify a log offline (--data-dir) or over HTTP as a mirror would (--url)", runVerify},
		{"backup", "write a backup of a data directory while it is in use", runBackup},
		{"restore", "restore a backup into a new data directory", runRestore},
		{"reindex", "rebuild every projection from the log", runReindex},
		{"report", "compute a circular-mobility report offline, as CSV or JSON", runReport},
		{"seed", "append a synthetic, realistic data set (any size) for trials and benchmarks", runSeed},
	}
}

// run is the whole program: it parses args, runs one command and returns
// its error. main only turns that error into an exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printHelp(stderr)
		return usageError("no command given; run \"trazo help\" for the commands")
	}
	name := args[0]
	if name == "help" || name == "-h" || name == "--help" || name == "-help" {
		printHelp(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, args[1:], getenv, stdin, stdout, stderr)
		}
	}
	return usageError("unknown command %q; run \"trazo help\" for the commands", name)
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "trazo: a verifiable ledger of circular labor mobility.\n\nUsage: trazo <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"trazo <command> --help\" for a command's flags and an example.\nFlags can also be set with TRAZO_* environment variables (e.g. TRAZO_DATA_DIR).")
}
