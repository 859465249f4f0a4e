package tlog

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"
	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

const (
	signingKeyFile  = "log.key"
	verifierKeyFile = "log.pub"
)

// loadOrCreateNoteKey returns the log's note signer and verifier key string,
// creating a fresh Ed25519 note key named origin in dir on first use. A key
// file whose name differs from origin is refused, since every checkpoint
// already issued names the origin it was created with.
func loadOrCreateNoteKey(dir, origin string) (note.Signer, string, error) {
	skPath := filepath.Join(dir, signingKeyFile)
	sk, err := os.ReadFile(skPath)
	if errors.Is(err, fs.ErrNotExist) {
		skey, vkey, err := note.GenerateKey(rand.Reader, origin)
		if err != nil {
			return nil, "", fmt.Errorf("tlog: generate log key: %w", err)
		}
		if err := writeFileSync(filepath.Join(dir, verifierKeyFile), []byte(vkey+"\n"), 0o644); err != nil {
			return nil, "", err
		}
		if err := writeFileSync(skPath, []byte(skey+"\n"), 0o600); err != nil {
			return nil, "", err
		}
		sk = []byte(skey)
	} else if err != nil {
		return nil, "", fmt.Errorf("tlog: read log key: %w", err)
	}
	if fi, err := os.Stat(skPath); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, "", fmt.Errorf("tlog: log key %s is readable by other users (mode %v); chmod 600 it", skPath, fi.Mode().Perm())
	}
	signer, err := note.NewSigner(strings.TrimSpace(string(sk)))
	if err != nil {
		return nil, "", fmt.Errorf("%w: log key %s: %v", ErrCorrupt, skPath, err)
	}
	if signer.Name() != origin {
		return nil, "", fmt.Errorf("tlog: log key in %s is for origin %q, not %q: the origin of an existing log cannot change", dir, signer.Name(), origin)
	}
	vk, err := os.ReadFile(filepath.Join(dir, verifierKeyFile))
	if err != nil {
		return nil, "", fmt.Errorf("tlog: read log verifier key: %w", err)
	}
	vkey := strings.TrimSpace(string(vk))
	v, err := note.NewVerifier(vkey)
	if err != nil || v.Name() != origin || v.KeyHash() != signer.KeyHash() {
		return nil, "", fmt.Errorf("%w: verifier key %s does not match the signing key", ErrCorrupt, verifierKeyFile)
	}
	return signer, vkey, nil
}

// writeFileSync writes a file atomically with the given permissions
// (whatever the umask): a temporary file in the same directory, synced and
// renamed over path (renameio), then the directory synced so that the
// rename is durable too. It returns an error naming path.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	err := renameio.WriteFile(path, data, perm, renameio.WithTempDir(dir), renameio.WithStaticPermissions(perm))
	if err != nil {
		return fmt.Errorf("tlog: write %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("tlog: write %s: %w", path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("tlog: write %s: %w", path, err)
	}
	return nil
}

// signCheckpoint returns the signed C2SP checkpoint note for a tree.
func signCheckpoint(signer note.Signer, origin string, size uint64, root []byte) ([]byte, error) {
	body := log.Checkpoint{Origin: origin, Size: size, Hash: root}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(body)}, signer)
	if err != nil {
		return nil, fmt.Errorf("tlog: sign checkpoint: %w", err)
	}
	return signed, nil
}

// OpenCheckpoint checks a signed checkpoint note against a verifier key
// string and origin and returns its parsed body. It returns an error if the
// signature does not verify with that key, the origin differs, or the body
// is not a C2SP checkpoint.
func OpenCheckpoint(signed []byte, origin, verifierKey string) (log.Checkpoint, error) {
	v, err := note.NewVerifier(verifierKey)
	if err != nil {
		return log.Checkpoint{}, fmt.Errorf("tlog: verifier key: %w", err)
	}
	cp, _, _, err := log.ParseCheckpoint(signed, origin, v)
	if err != nil {
		return log.Checkpoint{}, fmt.Errorf("tlog: checkpoint: %w", err)
	}
	return *cp, nil
}
