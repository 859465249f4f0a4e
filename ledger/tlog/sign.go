package tlog

import (
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// signedCheckpoint is a checkpoint signed but not yet stored.
type signedCheckpoint struct {
	size uint64
	note []byte
}

// signHead signs the checkpoint of the durable head if none was signed
// for it yet, and returns the newest signed checkpoint and its size.
// Signatures are made one at a time; the checkpoint joins the unsaved ones,
// stored with the next commit or when the writer goes idle. Ed25519
// signatures are deterministic, so a checkpoint lost by a crash before it
// was stored is signed again, with the same bytes, by Open (for the head)
// or CheckpointAt.
func (l *Log) signHead() ([]byte, uint64) {
	l.mu.RLock()
	h, cp, size := l.head, l.checkpoint, l.cpSize
	l.mu.RUnlock()
	if size == h.size {
		return cp, size
	}
	l.signMu.Lock()
	defer l.signMu.Unlock()
	l.mu.RLock()
	h, cp, size = l.head, l.checkpoint, l.cpSize
	l.mu.RUnlock()
	if size == h.size { // signed while this call waited
		return cp, size
	}
	note, err := signCheckpoint(l.signer, l.opts.Origin, h.size, h.root)
	if err != nil {
		// Unreachable with a key that loaded: the older checkpoint is
		// still valid, and Open signs the head again.
		l.opts.Logger.Error("tlog: sign checkpoint", "err", err, "size", h.size)
		return cp, size
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.checkpoint, l.cpSize = note, h.size // heads only grow, and signMu orders the signatures
	l.unsaved = append(l.unsaved, signedCheckpoint{size: h.size, note: note})
	return note, h.size
}

// persistCheckpoints stores the checkpoints signed since the last commit
// in a transaction of their own. The writer calls it when it is idle, and
// Close after the writer has stopped.
func (l *Log) persistCheckpoints() error {
	l.mu.RLock()
	pending := l.unsaved
	l.mu.RUnlock()
	if len(pending) == 0 {
		return nil
	}
	err := l.db.Update(func(txn *badger.Txn) error {
		for _, u := range pending {
			if err := txn.Set(checkpointKey(u.size), u.note); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%w: store checkpoints: %v", ErrStorage, err)
	}
	l.mu.Lock()
	l.unsaved = l.unsaved[len(pending):]
	l.mu.Unlock()
	return nil
}
