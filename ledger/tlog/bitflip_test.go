package tlog

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// TestBitFlipsAreNeverSilentlyAccepted flips one byte at a random place of
// a random store file, many times, each on a fresh copy of a closed log.
// Each flip must be refused by Open with an error, or caught by Verify, or
// have changed nothing that the log serves (every entry reads back
// identical, same size and root): never a changed entry accepted silently.
func TestBitFlipsAreNeverSilentlyAccepted(t *testing.T) {
	trials := 40
	if testing.Short() {
		trials = 10
	}
	src := t.TempDir()
	l, err := Open(src, Options{Origin: testOrigin})
	if err != nil {
		t.Fatal(err)
	}
	rnd := rand.New(rand.NewPCG(21, 22))
	leaves := randomLeaves(rnd, 3000)
	appendLeaves(t, l, leaves, rnd)
	root := l.Root()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(filepath.Join(src, "badger"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil && fi.Size() > 0 {
				files = append(files, p)
			}
		}
		return nil
	})
	var refused, caught, harmless int
	for trial := range trials {
		dir := filepath.Join(t.TempDir(), "copy")
		if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, signingKeyFile), 0o600); err != nil { // CopyFS makes files 0644
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(src, files[rnd.IntN(len(files))])
		target := filepath.Join(dir, rel)
		b, err := os.ReadFile(target)
		if err != nil {
			t.Fatal(err)
		}
		pos := rnd.IntN(len(b))
		b[pos] ^= byte(1 + rnd.IntN(255))
		if err := os.WriteFile(target, b, 0o600); err != nil {
			t.Fatal(err)
		}
		what := fmt.Sprintf("trial %d: byte %d of %s", trial, pos, rel)

		outcome := func() string {
			l, err := Open(dir, Options{Origin: testOrigin})
			if err != nil {
				if !errors.Is(err, ErrCorrupt) {
					t.Logf("%s: refused: %v", what, err)
				}
				return "refused"
			}
			defer l.Close()
			if err := l.Verify(t.Context(), nil); err != nil {
				var ve *VerifyError
				if !errors.As(err, &ve) && !errors.Is(err, ErrStorage) {
					t.Errorf("%s: Verify failed with an unclassified error: %v", what, err)
				}
				return "caught"
			}
			got, err := l.Entries(0, len(leaves)+1)
			if err != nil {
				return "caught"
			}
			if l.Size() != uint64(len(leaves)) || !bytes.Equal(l.Root(), root) || len(got) != len(leaves) {
				t.Errorf("%s: accepted with size %d root %x", what, l.Size(), l.Root())
				return ""
			}
			for i := range got {
				if !bytes.Equal(got[i], leaves[i]) {
					t.Errorf("%s: entry %d changed and nothing noticed", what, i)
					return ""
				}
			}
			return "harmless"
		}()
		switch outcome {
		case "refused":
			refused++
		case "caught":
			caught++
		case "harmless":
			harmless++
		}
	}
	t.Logf("%d flips: %d refused on open, %d caught by verify, %d hit bytes the log does not use", trials, refused, caught, harmless)
	if refused+caught == 0 {
		t.Error("no flip was noticed at all: the test shows nothing")
	}
}
