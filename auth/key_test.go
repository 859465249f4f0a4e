package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.key")
	created, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("new key file mode = %04o, want 0600", got)
	}
	again, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created.Equal(again) {
		t.Error("LoadOrCreateKey on an existing file returned a different key")
	}
	loaded, err := LoadKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if !created.Equal(loaded) {
		t.Error("LoadKey returned a different key")
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file", len(entries))
	}
}

func TestKeyFileRefusals(t *testing.T) {
	dir := t.TempDir()
	pkcs8 := func(key any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	good := pkcs8(newEd25519(t))

	for _, tc := range []struct {
		name string
		data []byte
		mode fs.FileMode
		want error // optional sentinel
	}{
		{name: "readable by all", data: good, mode: 0o644, want: ErrInsecureKeyFile},
		{name: "readable by group", data: good, mode: 0o640, want: ErrInsecureKeyFile},
		{name: "writable by others", data: good, mode: 0o602, want: ErrInsecureKeyFile},
		{name: "not PEM", data: []byte("hello"), mode: 0o600},
		{name: "wrong PEM type", data: pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}}), mode: 0o600},
		{name: "garbage PKCS#8", data: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1, 2, 3}}), mode: 0o600},
		{name: "ECDSA key", data: pkcs8(ecKey), mode: 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.name+".key")
			if err := os.WriteFile(path, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			for name, load := range map[string]func(string) (any, error){
				"LoadKey":         func(p string) (any, error) { return LoadKey(p) },
				"LoadOrCreateKey": func(p string) (any, error) { return LoadOrCreateKey(p) },
			} {
				_, err := load(path)
				if err == nil {
					t.Fatalf("%s accepted the file", name)
				}
				if tc.want != nil && !errors.Is(err, tc.want) {
					t.Errorf("%s: error %v does not wrap %v", name, err, tc.want)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil || string(data) != string(tc.data) {
				t.Errorf("the refused file was changed")
			}
		})
	}

	t.Run("directory", func(t *testing.T) {
		if _, err := LoadKey(dir); err == nil {
			t.Error("LoadKey accepted a directory")
		}
	})
}

func TestLoadKeyMissingNeverCreates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.key")
	if _, err := LoadKey(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadKey on a missing file: error %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadKey created %s", path)
	}
}

func TestLoadOrCreateKeyMissingDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "dir", "server.key")
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Error("LoadOrCreateKey succeeded in a missing directory")
	}
}

func TestWriteNewFileNeverReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server.key")
	if err := os.WriteFile(path, []byte("first"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeNewFile(path, []byte("second")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("writeNewFile over an existing file: %v, want fs.ErrExist", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "first" {
		t.Errorf("the existing file now holds %q (%v), want it unchanged", b, err)
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 1 {
		t.Errorf("directory holds %d entries (%v), want only the existing file", len(entries), err)
	}
}
