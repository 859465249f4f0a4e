package client

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/renameio/v2"
)

// State is what a client keeps about one log between runs: the last
// checkpoint it verified, and the key it trusted. A log keeps its key: a
// new key is a new log, with a state of its own.
type State struct {
	Origin     string    `json:"origin"`
	Key        string    `json:"key"`
	URL        string    `json:"url"`
	Checkpoint string    `json:"checkpoint"` // the signed note
	VerifiedAt time.Time `json:"verified_at"`
}

// DefaultStatePath returns ~/.trazo/verify-<first 16 hex digits of
// SHA-256(origin)>.state, the home directory taken from getenv("HOME"), or
// the user's home directory when that is empty. It returns an error when
// there is no home directory.
func DefaultStatePath(origin string, getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("no home directory for the state file: %w", err)
		}
	}
	sum := sha256.Sum256([]byte(origin))
	return filepath.Join(home, ".trazo", "verify-"+hex.EncodeToString(sum[:8])+".state"), nil
}

// LoadState reads a state file. It returns nil and no error when there is
// none yet, and an error when the file cannot be read or is damaged (not
// JSON, or without origin, key or checkpoint).
func LoadState(path string) (*State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state file: %w", err)
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil || st.Origin == "" || st.Key == "" || st.Checkpoint == "" {
		return nil, fmt.Errorf("state file %s is damaged (remove it to start over): %v", path, err)
	}
	return &st, nil
}

// SaveState writes st to path atomically (renameio: a temporary file in
// the same directory, synced, renamed over path), mode 0644, creating the
// directory (0700) if needed. It returns an error naming the file when it
// cannot be written.
func SaveState(path string, st State) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	const perm = 0o644
	err = renameio.WriteFile(path, append(b, '\n'), perm, renameio.WithTempDir(dir), renameio.WithStaticPermissions(perm))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
