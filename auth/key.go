package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/google/renameio/v2"
)

// ErrInsecureKeyFile is wrapped by the error LoadKey and LoadOrCreateKey
// return for a key file that group or others may read or write.
var ErrInsecureKeyFile = errors.New("key file is accessible by group or others")

// maxKeyFileSize bounds how much of a key file is read; a PEM Ed25519 key is
// about 120 bytes.
const maxKeyFileSize = 64 << 10

const pemTypePrivateKey = "PRIVATE KEY"

// LoadKey reads the Ed25519 private key at path, a PEM "PRIVATE KEY" block
// holding PKCS#8. It never creates the file, so it is safe to call while a
// server that owns the file is running.
//
// It returns an error wrapping fs.ErrNotExist when the file is absent, an
// error wrapping ErrInsecureKeyFile when its mode lets group or others read
// or write it (on Unix), and an error when it is not a regular file or does
// not hold an Ed25519 key.
func LoadKey(path string) (ed25519.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("load key: %s is not a regular file", path)
	}
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&0o077 != 0 {
		return nil, fmt.Errorf("load key %s: mode %04o: %w; run chmod 600 %s",
			path, perm, ErrInsecureKeyFile, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load key: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("load key %s: file is larger than %d bytes", path, maxKeyFileSize)
	}
	key, err := parseKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("load key %s: %w", path, err)
	}
	return key, nil
}

// LoadOrCreateKey returns the Ed25519 private key at path, first creating it
// with mode 0600 when no file exists there. The new file appears atomically,
// complete, and is never written over: if another process creates it first,
// its key is loaded instead. The directory must already exist.
//
// It returns the errors of LoadKey for an existing file, and an error when
// the key cannot be generated or written.
func LoadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	key, err := LoadKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("create key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("create key: %w", err)
	}
	data := pem.EncodeToMemory(&pem.Block{Type: pemTypePrivateKey, Bytes: der})
	if err := writeNewFile(path, data); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return LoadKey(path)
		}
		return nil, fmt.Errorf("create key: %w", err)
	}
	return priv, nil
}

// writeNewFile makes path a file of mode 0600 holding data, complete, if
// no file is there yet: it writes and syncs a pending file in path's
// directory (renameio) and links it to path, which fails with fs.ErrExist
// if path exists. A rename would replace it; the link never does.
func writeNewFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := renameio.NewPendingFile(path, renameio.WithTempDir(dir), renameio.WithStaticPermissions(0o600))
	if err != nil {
		return err
	}
	defer f.Cleanup() // closes and removes the pending file's own name
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := os.Link(f.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // best effort: make the new name durable
		d.Close()
	}
	return nil
}

func parseKeyPEM(data []byte) (ed25519.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if block.Type != pemTypePrivateKey {
		return nil, fmt.Errorf("PEM block is %q, want %q", block.Type, pemTypePrivateKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse PKCS#8: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key is %T, want an Ed25519 key", k)
	}
	return priv, nil
}

// KeyID returns the key id Trazo puts in the kid header of tokens signed by
// the private half of pub: the unpadded base64url of the first 8 bytes of
// the SHA-256 of the raw 32-byte public key. It cannot fail.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return base64.RawURLEncoding.EncodeToString(sum[:8])
}
