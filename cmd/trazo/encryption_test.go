package main

import (
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEncryptionAtRest seeds a store with --encryption-key-file and checks
// that no Badger file holds an entry's text in clear (a store seeded
// without the key does), that the store cannot be opened without the key,
// and that it verifies with it.
func TestEncryptionAtRest(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "store.key")
	if err := os.WriteFile(keyFile, []byte(strings.Repeat("5a", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	seedDir := func(dir string, extra ...string) {
		t.Helper()
		args := append([]string{"seed", "--data-dir", dir, "--workers", "40"}, extra...)
		if err := run(t.Context(), args, noEnv, nil, io.Discard, io.Discard); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	plainText := []byte(`"type":"crossing.recorded"`)
	inClear := func(dir string) bool {
		t.Helper()
		found := false
		filepath.WalkDir(filepath.Join(dir, "badger"), func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				b, _ := os.ReadFile(p)
				found = found || bytes.Contains(b, plainText)
			}
			return nil
		})
		return found
	}

	plain := filepath.Join(t.TempDir(), "plain")
	seedDir(plain)
	if !inClear(plain) {
		t.Fatal("an unencrypted store does not show entries in clear: the scan sees nothing")
	}
	enc := filepath.Join(t.TempDir(), "enc")
	seedDir(enc, "--encryption-key-file", keyFile)
	if inClear(enc) {
		t.Error("an entry's text is in clear in an encrypted store")
	}

	var stderr bytes.Buffer
	err := run(t.Context(), []string{"verify", "--data-dir", enc}, noEnv, nil, io.Discard, &stderr)
	if code := exitCode(err, &stderr); code != 1 || !strings.Contains(strings.ToLower(stderr.String()), "encrypt") {
		t.Errorf("verify without the key: exit %d, %q", code, stderr.String())
	}
	if err := run(t.Context(), []string{"verify", "--data-dir", enc, "--encryption-key-file", keyFile}, noEnv, nil, io.Discard, io.Discard); err != nil {
		t.Errorf("verify with the key: %v", err)
	}

	loose := filepath.Join(t.TempDir(), "loose.key")
	os.WriteFile(loose, []byte(strings.Repeat("5a", 32)), 0o644)
	short := filepath.Join(t.TempDir(), "short.key")
	os.WriteFile(short, []byte("abcd"), 0o600)
	for _, tc := range []struct {
		file string
		code int
		want string
	}{
		{loose, 1, "readable by other users"},
		{short, 2, "hex digits"},
		{filepath.Join(t.TempDir(), "missing.key"), 1, "no such file"},
	} {
		stderr.Reset()
		err := run(t.Context(), []string{"verify", "--data-dir", enc, "--encryption-key-file", tc.file}, noEnv, nil, io.Discard, &stderr)
		if code := exitCode(err, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("key file %s: exit %d %q, want %d %q", filepath.Base(tc.file), code, stderr.String(), tc.code, tc.want)
		}
	}
}
