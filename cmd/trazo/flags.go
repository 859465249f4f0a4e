package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp is returned when a command printed its --help (exit status 0).
var errHelp = errors.New("help requested")

// newFlagSet returns a flag set whose usage text shows the command's
// purpose, an example and its flags, each with its TRAZO_* variable.
func newFlagSet(name, purpose, example string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: trazo %s [flags]\n\n%s\n\nExample:\n  %s\n\nFlags:\n", name, purpose, example)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(fs.Output(), "  --%s\t%s (env %s", f.Name, f.Usage, envName(f.Name))
			if f.DefValue != "" && f.DefValue != "false" {
				fmt.Fprintf(fs.Output(), ", default %s", f.DefValue)
			}
			fmt.Fprintln(fs.Output(), ")")
		})
	}
	return fs
}

// envName is the environment variable of a flag: --data-dir is TRAZO_DATA_DIR.
func envName(flagName string) string {
	return "TRAZO_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args; flags not given on the command line take their
// TRAZO_* environment variable when it is set. A bad flag or variable is a
// usage error; --help returns errHelp after printing the usage.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			if e := fs.Set(f.Name, v); e != nil {
				err = usageError("%s=%q: %v", envName(f.Name), v, e)
			}
		}
	})
	return err
}

// required returns a usage error naming the first empty flag.
func required(fs *flag.FlagSet, names ...string) error {
	for _, n := range names {
		if fs.Lookup(n).Value.String() == "" {
			return usageError("--%s is required (or set %s)", n, envName(n))
		}
	}
	return nil
}
