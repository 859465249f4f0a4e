// Package trazo_test holds the tests of the module's layout: which package
// may import which, and how long a source file may grow. The module's root
// has no code of its own.
package trazo_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/trazo-ledger/trazo"

// maxFileLines is the longest a non-test .go file may be.
const maxFileLines = 600

// longFiles are the non-test files allowed over maxFileLines for now, with
// why. An entry that is no longer over the limit is an error: remove it.
var longFiles = map[string]string{}

// pkg is what the layout tests read of `go list -json`.
type pkg struct {
	ImportPath     string
	Dir            string
	GoFiles        []string
	CgoFiles       []string
	IgnoredGoFiles []string // files for other platforms
	Imports        []string
	Deps           []string // every package the non-test code depends on
	TestImports    []string
	XTestImports   []string
	Error          *struct{ Err string } // with -e, why the package cannot be built
}

// under returns a matcher of the packages at or below each of the module's
// paths (a path ending in "!" matches that package only), or, for a path
// with a dot in its first element, at or below that import path.
func under(paths ...string) func(string) bool {
	return func(imp string) bool {
		for _, p := range paths {
			exact := strings.HasSuffix(p, "!")
			p = strings.TrimSuffix(p, "!")
			if first, _, _ := strings.Cut(p, "/"); !strings.Contains(first, ".") {
				p = module + "/" + p
			}
			if imp == p || (!exact && strings.HasPrefix(imp, p+"/")) {
				return true
			}
		}
		return false
	}
}

// domain matches the domain's packages: ledger itself (not ledger/tlog),
// ledger/report, ledger/demo and ledger/codes.
var domain = under("ledger!", "ledger/report", "ledger/demo", "ledger/codes")

// rules are the module's dependency rules (docs/ARCHITECTURE.md,
// Packages): a package that from matches may not depend on a package that
// forbidden matches.
var rules = []struct {
	name            string
	from, forbidden func(string) bool
}{
	{"the log knows nothing of the domain, HTTP or JWT", under("ledger/tlog"),
		anyOf(domain, under("api", "auth", "github.com/gin-gonic"))},
	{"the domain knows nothing of HTTP or JWT", domain,
		under("api", "auth", "github.com/gin-gonic")},
	{"auth knows nothing of the API or the ledger", under("auth"),
		under("api", "ledger")},
	{"nothing imports cmd", func(string) bool { return true },
		under("cmd")},
}

func anyOf(ms ...func(string) bool) func(string) bool {
	return func(s string) bool { return slices.ContainsFunc(ms, func(m func(string) bool) bool { return m(s) }) }
}

// TestDependencyRules checks every package of the module against rules.
// It checks what a package's code depends on, directly or not (Deps), and
// what its tests import (TestImports, XTestImports) together with what those
// imports depend on, so that a test cannot break a rule either.
func TestDependencyRules(t *testing.T) {
	pkgs := listPackages(t)
	deps := map[string][]string{}
	for _, p := range pkgs {
		deps[p.ImportPath] = p.Deps
	}
	for _, p := range pkgs {
		for _, r := range rules {
			if !r.from(p.ImportPath) {
				continue
			}
			for _, imp := range p.Deps {
				if r.forbidden(imp) {
					t.Errorf("%s depends on %s: %s", p.ImportPath, imp, r.name)
				}
			}
			for _, imp := range slices.Concat(p.TestImports, p.XTestImports) {
				if imp == p.ImportPath { // an external test; its deps are checked above
					continue
				}
				if r.forbidden(imp) {
					t.Errorf("the tests of %s import %s: %s", p.ImportPath, imp, r.name)
					continue
				}
				for _, d := range deps[imp] {
					if r.forbidden(d) {
						t.Errorf("the tests of %s import %s, which depends on %s: %s",
							p.ImportPath, imp, d, r.name)
					}
				}
			}
		}
	}
}

// TestFileLength checks that no non-test .go file of the module is longer
// than maxFileLines, but those in longFiles.
func TestFileLength(t *testing.T) {
	root, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range listPackages(t) {
		for _, name := range slices.Concat(p.GoFiles, p.CgoFiles, p.IgnoredGoFiles) {
			if strings.HasSuffix(name, "_test.go") || !strings.HasSuffix(name, ".go") {
				continue
			}
			path := filepath.Join(p.Dir, name)
			rel, err := filepath.Rel(root, path)
			if err != nil {
				t.Fatal(err)
			}
			rel = filepath.ToSlash(rel)
			n := countLines(t, path)
			_, excused := longFiles[rel]
			seen[rel] = n > maxFileLines
			if n > maxFileLines && !excused {
				t.Errorf("%s has %d lines, more than %d: split it by concern", rel, n, maxFileLines)
			}
		}
	}
	for rel := range longFiles {
		if !seen[rel] {
			t.Errorf("%s is no longer over %d lines (or gone): remove it from longFiles", rel, maxFileLines)
		}
	}
}

// listPackages runs `go list -e -json ./...` in the module's root. A package
// that cannot be loaded (an import of a command, say) is an error of t, and
// is still returned, so that the rules can name what it imports.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "go", "list", "-e", "-json", "./...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		if p.Error != nil {
			t.Errorf("go list: %s", p.Error.Err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 5 {
		t.Fatalf("go list found %d packages; is the test running in the module's root?", len(pkgs))
	}
	return pkgs
}

func countLines(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return n
}
