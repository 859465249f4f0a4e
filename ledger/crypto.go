package ledger

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/renameio/v2"
)

// KeyFile is the name of the master key file in the data directory.
const KeyFile = "mobility.key"

// errKeyGone is returned when a worker's data key was destroyed (erasure).
var errKeyGone = errors.New("mobility: worker data key destroyed")

// keyring holds the keys derived from the master key file:
//
//   - wrap, an AES-256-GCM key that wraps every worker's data key;
//   - doc, the HMAC-SHA256 secret of the document index.
//
// Both are derived with HKDF-SHA256 from the 32 random bytes of the file,
// with distinct info strings, so one file is the whole secret.
type keyring struct {
	wrap cipher.AEAD
	doc  []byte
}

// loadKeyring reads <dir>/mobility.key, creating it with 32 random bytes
// (hex, mode 0600) on first use. It refuses a file readable by group or
// others, or one that is not 64 hex digits.
func loadKeyring(dir string) (*keyring, error) {
	path := filepath.Join(dir, KeyFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		master := make([]byte, 32)
		if _, err := rand.Read(master); err != nil {
			return nil, fmt.Errorf("generate master key: %w", err)
		}
		if err := createFileSync(path, []byte(hex.EncodeToString(master)+"\n")); err != nil {
			return nil, err
		}
		b, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read master key: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("stat master key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("master key %s is readable by other users (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	master, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(master) != 32 {
		return nil, fmt.Errorf("master key %s: want 64 hex digits", path)
	}
	return newKeyring(master)
}

func newKeyring(master []byte) (*keyring, error) {
	wrapKey, err := hkdf.Key(sha256.New, master, nil, "trazo mobility data-key wrap v1", 32)
	if err != nil {
		return nil, err
	}
	docKey, err := hkdf.Key(sha256.New, master, nil, "trazo mobility document index v1", 32)
	if err != nil {
		return nil, err
	}
	wrap, err := newGCM(wrapKey)
	if err != nil {
		return nil, err
	}
	return &keyring{wrap: wrap, doc: docKey}, nil
}

// createFileSync makes path a file of mode 0600 holding data, complete, and
// syncs it and its directory. It refuses to write over a file already
// there: the data are written and synced in a pending file of path's
// directory (renameio), which is then linked to path, and a link fails
// where a rename would replace. So the key file is never partial, and an
// existing key is never lost.
func createFileSync(path string, data []byte) error {
	f, err := renameio.NewPendingFile(path,
		renameio.WithTempDir(filepath.Dir(path)), renameio.WithStaticPermissions(0o600))
	if err != nil {
		return fmt.Errorf("create master key: %w", err)
	}
	defer f.Cleanup() // closes and removes the pending file's own name
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write master key: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write master key: %w", err)
	}
	if err := os.Link(f.Name(), path); err != nil {
		return fmt.Errorf("create master key: %w", err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("write master key: %w", err)
	}
	defer d.Close()
	return d.Sync()
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// seal encrypts plain with a random nonce; the result is nonce ‖ ciphertext.
func seal(aead cipher.AEAD, plain, ad []byte) ([]byte, error) {
	out := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return aead.Seal(out, out, plain, ad), nil
}

func open(aead cipher.AEAD, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("ciphertext too short")
	}
	return aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], ad)
}

// dataKey is one worker's AES-256-GCM key for its personal data.
type dataKey struct{ aead cipher.AEAD }

// newDataKey returns a fresh data key for a worker and its wrapped form,
// to be stored under keyKey(workerID).
func (k *keyring) newDataKey(workerID string) (*dataKey, []byte, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, nil, fmt.Errorf("generate data key: %w", err)
	}
	wrapped, err := seal(k.wrap, raw, []byte(workerID))
	if err != nil {
		return nil, nil, fmt.Errorf("wrap data key: %w", err)
	}
	aead, err := newGCM(raw)
	if err != nil {
		return nil, nil, err
	}
	return &dataKey{aead: aead}, wrapped, nil
}

// unwrap opens a wrapped data key of a worker.
func (k *keyring) unwrap(workerID string, wrapped []byte) (*dataKey, error) {
	raw, err := open(k.wrap, wrapped, []byte(workerID))
	if err != nil {
		return nil, fmt.Errorf("unwrap data key of %s: %w", workerID, err)
	}
	aead, err := newGCM(raw)
	if err != nil {
		return nil, err
	}
	return &dataKey{aead: aead}, nil
}

// sealPersonal encrypts p for the entries of workerID.
func (d *dataKey) sealPersonal(workerID string, p Personal) ([]byte, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return seal(d.aead, plain, []byte(workerID))
}

// openPersonal decrypts the PII of an entry of workerID.
func (d *dataKey) openPersonal(workerID string, sealed []byte) (Personal, error) {
	plain, err := open(d.aead, sealed, []byte(workerID))
	if err != nil {
		return Personal{}, fmt.Errorf("decrypt personal data of %s: %w", workerID, err)
	}
	var p Personal
	if err := json.Unmarshal(plain, &p); err != nil {
		return Personal{}, fmt.Errorf("decode personal data of %s: %w", workerID, err)
	}
	return p, nil
}

// docHash returns the document index key material:
// HMAC-SHA256(doc secret, issuing country ‖ document number). The country
// is always three letters, so the concatenation is unambiguous.
func (k *keyring) docHash(issuingCountry, number string) []byte {
	m := hmac.New(sha256.New, k.doc)
	m.Write([]byte(issuingCountry))
	m.Write([]byte(number))
	return m.Sum(nil)
}
