package ledger

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestCreateFileSyncNeverReplaces checks that the master key file is made
// complete with mode 0600, and that an existing one is never written over.
func TestCreateFileSyncNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, KeyFile)
	if err := createFileSync(path, []byte("first\n")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("new key file: %v, %v; want mode 0600", fi, err)
	}
	if err := createFileSync(path, []byte("second\n")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("createFileSync over an existing key: %v, want fs.ErrExist", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "first\n" {
		t.Errorf("the key file now holds %q (%v), want it unchanged", b, err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		t.Errorf("directory holds %d entries (%v), want only the key file", len(entries), err)
	}
}
