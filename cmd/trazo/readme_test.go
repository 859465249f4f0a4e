package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
)

// quickstartCommands returns the commands in the code blocks of the
// README's Quickstart section, in order.
func quickstartCommands(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "## Quickstart")
	if !ok {
		t.Fatal("README has no Quickstart section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var cmds []string
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		for _, line := range strings.Split(strings.TrimSpace(m[1]), "\n") {
			cmds = append(cmds, strings.TrimSpace(line))
		}
	}
	return cmds
}

// TestReadmeQuickstartIsTrue checks that the README's two quickstart
// commands are the ones the project runs: the first starts this binary's
// serve command with flags it accepts, the second is the test command that
// CI runs.
func TestReadmeQuickstartIsTrue(t *testing.T) {
	cmds := quickstartCommands(t)
	if len(cmds) != 2 {
		t.Fatalf("quickstart has %d commands, want 2 (run, test): %q", len(cmds), cmds)
	}
	run0, test := cmds[0], cmds[1]

	const prefix = "go run ./cmd/trazo "
	if !strings.HasPrefix(run0, prefix) {
		t.Fatalf("first quickstart command %q does not run ./cmd/trazo", run0)
	}
	args := strings.Fields(strings.TrimPrefix(run0, prefix))
	found := false
	for _, c := range commands() {
		found = found || c.name == args[0]
	}
	if !found {
		t.Fatalf("quickstart runs unknown command %q", args[0])
	}
	// The flags parse: with --help appended the command prints its usage
	// and exits 0 instead of serving.
	var stderr bytes.Buffer
	err := run(t.Context(), append(args, "--help"), noEnv, nil, &bytes.Buffer{}, &stderr)
	if code := exitCode(err, &stderr); code != 0 {
		t.Fatalf("%q does not parse: exit %d: %s", run0, code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "--demo") {
		t.Error("serve --help does not document --demo")
	}

	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(test) + `$`).Match(ci) {
		t.Errorf("CI does not run the README's test command %q as a line of its own", test)
	}
}

// TestEveryCommandHasHelpAndUsageErrors runs every command with --help
// (exit 0, an example in the text) and with an unknown flag (exit 2).
func TestEveryCommandHasHelpAndUsageErrors(t *testing.T) {
	for _, c := range commands() {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(t.Context(), []string{c.name, "--help"}, noEnv, nil, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != 0 {
				t.Errorf("--help exits %d: %v", code, err)
			}
			if help := stdout.String() + stderr.String(); !strings.Contains(help, "Example:") || !strings.Contains(help, "trazo "+c.name) {
				t.Errorf("--help has no example:\n%s", help)
			}
			stderr.Reset()
			err = run(t.Context(), []string{c.name, "--no-such-flag"}, noEnv, nil, &stdout, &stderr)
			if code := exitCode(err, &stderr); code != 2 {
				t.Errorf("an unknown flag exits %d, want 2: %v", code, err)
			}
			if strings.Count(strings.TrimSpace(stderr.String()), "\n") > 40 {
				t.Errorf("usage error is not short:\n%s", stderr.String())
			}
		})
	}
}
