package tlog

import (
	"bytes"
	"crypto"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// hasher is the RFC 6962 SHA-256 hasher used for every leaf and node.
var hasher = rfc6962.New(crypto.SHA256)

var rangeFactory = &compact.RangeFactory{Hash: hashChildren}

// hashChildren is the RFC 6962 node hash, SHA-256(0x01 || left || right),
// the same as hasher.HashChildren, which allocates a digest, a prefix and
// a sum on every call; the writer computes it several times per commit
// (each new node and the root), and Verify once per node. Only 32-byte
// hashes (all this log has) take the short path. TestHashChildren checks
// it against the library.
func hashChildren(left, right []byte) []byte {
	if len(left) != sha256.Size || len(right) != sha256.Size {
		return hasher.HashChildren(left, right)
	}
	var b [1 + 2*sha256.Size]byte
	b[0] = rfc6962.RFC6962NodeHashPrefix
	copy(b[1:], left)
	copy(b[1+sha256.Size:], right)
	h := sha256.Sum256(b[:])
	return h[:]
}

// LeafHash returns the RFC 6962 leaf hash of an entry: SHA-256(0x00 || leaf).
func LeafHash(leaf []byte) []byte { return hasher.HashLeaf(leaf) }

// Log is an open log. It is safe for concurrent use.
type Log struct {
	dir    string
	opts   Options
	db     *badger.DB
	lock   *os.File
	signer note.Signer
	vkey   string

	reqs       chan *request
	closeMu    sync.RWMutex // held for reading while sending to reqs
	writing    sync.Mutex   // the writer role: held by whoever commits
	lastCommit atomic.Int64 // unix nanoseconds of the last commit
	closed     bool
	closing    chan struct{}
	stopped    chan struct{}
	close      sync.Once

	signMu     sync.Mutex   // held while signing a checkpoint (signHead)
	mu         sync.RWMutex // guards the fields below
	head       head
	checkpoint []byte             // the newest signed checkpoint, of size cpSize <= head.size
	cpSize     uint64             // its tree size
	unsaved    []signedCheckpoint // signed, not yet stored (oldest first)
	lastErr    error              // error of the most recent commit, nil once one succeeds

	// Only the holder of the writer role touches these: the tree's right
	// edge (including the chunk in flight), the commit in flight and the
	// transaction made for the chunk after it, and the recorded_at of the
	// newest chunk.
	rng      *compact.Range
	inflight *flight
	spare    *spareTxn
	lastAt   int64
	rows     *rowCache

	// Free-space check, used by the holder of the writer role only.
	freeBytes     func(dir string) (uint64, error)
	diskCheckedAt int64
	diskErr       error

	// failCommit, set only by tests, makes the next commits fail as a full
	// disk would, just before Badger's commit.
	failCommit func() error
	// failFlight, set only by tests, is asked about every chunk sent with
	// its number of items; an error makes that chunk fail after the delay
	// as if Badger had failed to write it (nothing of it is written), while
	// the writer goes on preparing the next chunk on top of it.
	failFlight func(items int) (time.Duration, error)
}

// Open opens the log in dir, creating it (and its note signing key) if
// it does not exist. It returns ErrLocked if another process has the
// directory open, ErrCorrupt if the stored tree head does not match the
// stored nodes, and an error if the directory's origin differs from
// opts.Origin or Badger cannot open its files.
//
// Open restores the tree's right edge from at most 64 stored nodes; its
// cost does not grow with the size of the log.
func Open(dir string, opts Options) (*Log, error) {
	opts = opts.withDefaults()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("tlog: create data directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	l, err := open(dir, opts, lock)
	if err != nil {
		lock.Close()
		return nil, err
	}
	go l.writer()
	return l, nil
}

func open(dir string, opts Options, lock *os.File) (*Log, error) {
	signer, vkey, err := loadOrCreateNoteKey(dir, opts.Origin)
	if err != nil {
		return nil, err
	}
	db, err := openStore(dir, opts)
	if err != nil {
		return nil, err
	}
	l := &Log{
		dir: dir, opts: opts, db: db, lock: lock, signer: signer, vkey: vkey,
		reqs:      make(chan *request, 1024),
		freeBytes: freeBytes,
		rows:      newRowCache(opts.Memory.RowCacheSize),
		closing:   make(chan struct{}),
		stopped:   make(chan struct{}),
	}
	if err := l.loadHead(); err != nil {
		db.Close()
		return nil, err
	}
	return l, nil
}

// openStore opens the Badger store inside a data directory.
func openStore(dir string, opts Options) (*badger.DB, error) {
	db, err := badger.Open(opts.badgerOptions(filepath.Join(dir, "badger")))
	if err != nil {
		return nil, fmt.Errorf("tlog: open store: %w", err)
	}
	return db, nil
}

// loadHead reads the tree head, restores the compact range from the stored
// nodes and checks that it reproduces the head's root. An empty store gets
// a signed checkpoint of size 0, and a head whose checkpoint was not stored
// before the process stopped gets it signed again (the same bytes: Ed25519
// signatures are deterministic).
func (l *Log) loadHead() error {
	var h head
	var cp []byte
	err := l.db.View(func(txn *badger.Txn) error {
		item, err := txn.Get(headKey)
		if errors.Is(err, badger.ErrKeyNotFound) {
			h.root = hasher.EmptyRoot()
			return nil
		}
		if err != nil {
			return err
		}
		b, err := item.ValueCopy(nil)
		if err != nil {
			return err
		}
		if h, err = unmarshalHead(b); err != nil {
			return err
		}
		cp, err = getValue(txn, checkpointKey(h.size))
		if errors.Is(err, ErrNotFound) {
			return nil // signed below: the process stopped before storing it
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("%w: read tree head: %v", ErrCorrupt, err)
	}
	rng, err := l.rangeAt(h.size)
	if err != nil {
		return err
	}
	root, err := rng.GetRootHash(nil)
	if err != nil {
		return fmt.Errorf("%w: root of restored tree: %v", ErrCorrupt, err)
	}
	if h.size == 0 {
		root = hasher.EmptyRoot()
	}
	if !bytes.Equal(root, h.root) {
		return fmt.Errorf("%w: stored nodes give root %x, tree head says %x", ErrCorrupt, root, h.root)
	}
	if cp == nil { // a new log, or a head whose checkpoint was not stored yet
		if cp, err = signCheckpoint(l.signer, l.opts.Origin, h.size, h.root); err != nil {
			return err
		}
		err := l.db.Update(func(txn *badger.Txn) error {
			if err := txn.Set(checkpointKey(h.size), cp); err != nil {
				return err
			}
			return txn.Set(headKey, h.marshal())
		})
		if err != nil {
			return fmt.Errorf("%w: initialise log: %v", ErrStorage, err)
		}
	}
	l.rng, l.head, l.checkpoint, l.cpSize, l.lastAt = rng, h, cp, h.size, h.recordedAt
	return nil
}

// rangeAt returns the compact range [0, size) built from stored nodes.
func (l *Log) rangeAt(size uint64) (*compact.Range, error) {
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := l.nodeHashes(ids)
	if err != nil {
		return nil, err
	}
	return rangeFactory.NewRange(0, size, hashes)
}

// nodeHashes reads the hashes of the given nodes in one read transaction.
// A missing node is ErrCorrupt: every complete node below the tree size is
// written (or, at odd levels, its children are) with the entry that
// completes it.
func (l *Log) nodeHashes(ids []compact.NodeID) ([][]byte, error) {
	hashes := make([][]byte, len(ids))
	err := l.db.View(func(txn *badger.Txn) error {
		for i, id := range ids {
			h, err := nodeHash(txn, id)
			if err != nil {
				return err
			}
			hashes[i] = h
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return hashes, nil
}

// nodeHash returns the hash of a complete node: a leaf hash from its entry
// row, an even-level node from its own row, an odd-level node from its two
// children.
func nodeHash(txn *badger.Txn, id compact.NodeID) ([]byte, error) {
	switch {
	case id.Level == 0:
		item, err := txn.Get(entryKey(id.Index))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil, fmt.Errorf("leaf %d: %w", id.Index, ErrNotFound)
		}
		if err != nil {
			return nil, err
		}
		var h []byte
		err = item.Value(func(v []byte) error {
			leafHash, _, err := splitEntryValue(v)
			h = append([]byte(nil), leafHash...)
			return err
		})
		return h, err
	case storedNode(id):
		h, err := getValue(txn, nodeKey(id))
		if err != nil {
			return nil, fmt.Errorf("node (%d,%d): %w", id.Level, id.Index, err)
		}
		return h, nil
	default:
		left, err := nodeHash(txn, compact.NewNodeID(id.Level-1, id.Index*2))
		if err != nil {
			return nil, err
		}
		right, err := nodeHash(txn, compact.NewNodeID(id.Level-1, id.Index*2+1))
		if err != nil {
			return nil, err
		}
		return hashChildren(left, right), nil
	}
}

// getValue returns a copy of key's value, or ErrNotFound.
func getValue(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

// Close stops the writer after it has answered every append already
// handed to it, and closes the store cleanly. Appends after Close fail with
// ErrClosed. Close is safe to call more than once; it returns Badger's
// error from the first call.
func (l *Log) Close() error {
	var err error
	l.close.Do(func() {
		l.closeMu.Lock()
		l.closed = true
		l.closeMu.Unlock()
		close(l.closing)
		<-l.stopped
		l.signHead()
		err = l.persistCheckpoints()
		if cerr := l.db.Close(); err == nil {
			err = cerr
		}
		l.lock.Close()
	})
	return err
}

// Dir returns the data directory of the log.
func (l *Log) Dir() string { return l.dir }

// Origin returns the log's origin line.
func (l *Log) Origin() string { return l.opts.Origin }

// VerifierKey returns the note verifier key of the log
// (name+hash+base64key), with which anyone can check its checkpoints.
func (l *Log) VerifierKey() string { return l.vkey }

// Size returns the number of entries durably in the log.
func (l *Log) Size() uint64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.head.size
}

// Root returns the Merkle root of the log at its current size.
func (l *Log) Root() []byte {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]byte(nil), l.head.root...)
}

// Checkpoint returns the signed checkpoint note of the log's current size:
// it covers every acknowledged append. It is signed on the first call
// after a commit (an Ed25519 signature, ~35 µs) and kept, and stored with
// the next commit or when the writer goes idle. It never fails: should
// signing fail, it returns the newest checkpoint signed before.
func (l *Log) Checkpoint() []byte {
	note, _ := l.signHead()
	return note
}

// LatestCheckpoint returns the signed checkpoint of the log's current size
// and that size, read together. The log signed it itself: callers need not
// verify it to know its size.
func (l *Log) LatestCheckpoint() (note []byte, size uint64) {
	return l.signHead()
}

// LastRecordedAt returns the recorded_at time of the newest entry, or the
// zero time for an empty log.
func (l *Log) LastRecordedAt() time.Time {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.head.recordedAt == 0 {
		return time.Time{}
	}
	return time.Unix(0, l.head.recordedAt).UTC()
}

// CheckpointAt returns the signed checkpoint of the log at the given
// size, at most its current size: the one issued then, if one was (it is
// stored), or else one signed now from the root at that size, computed
// from stored nodes. Ed25519 signatures are deterministic, so both are the
// same bytes, and a checkpoint issued just before a crash lost it before
// it was stored is served again unchanged. It returns ErrNotFound for a
// size beyond the log's.
func (l *Log) CheckpointAt(size uint64) ([]byte, error) {
	l.mu.RLock()
	over := size > l.head.size
	for _, u := range l.unsaved {
		if u.size == size {
			l.mu.RUnlock()
			return u.note, nil
		}
	}
	l.mu.RUnlock()
	if over {
		return nil, ErrNotFound
	}
	var cp []byte
	err := l.db.View(func(txn *badger.Txn) (err error) {
		cp, err = getValue(txn, checkpointKey(size))
		return err
	})
	if err == nil {
		return cp, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	root, err := l.RootAt(size)
	if err != nil {
		return nil, err
	}
	return signCheckpoint(l.signer, l.opts.Origin, size, root)
}

// Entry returns the bytes of the entry at index. It returns ErrNotFound for
// an index at or beyond the log's size.
func (l *Log) Entry(index uint64) ([]byte, error) {
	if index >= l.Size() {
		return nil, ErrNotFound
	}
	var b []byte
	err := l.db.View(func(txn *badger.Txn) error {
		v, err := getValue(txn, entryKey(index))
		if err != nil {
			return err
		}
		_, b, err = splitEntryValue(v)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: entry %d missing below size", ErrCorrupt, index)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return b, nil
}

// Entries returns up to limit entries starting at index start, in order.
// It returns an empty slice when start is at or beyond the log's size.
func (l *Log) Entries(start uint64, limit int) ([][]byte, error) {
	size := l.Size()
	if start >= size || limit <= 0 {
		return nil, nil
	}
	end := min(size, start+uint64(limit))
	out := make([][]byte, 0, end-start)
	err := l.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 100, Prefix: entryPrefix})
		defer it.Close()
		next := start
		for it.Seek(entryKey(start)); it.Valid() && next < end; it.Next() {
			if !bytes.Equal(it.Item().Key(), entryKey(next)) {
				return fmt.Errorf("%w: entry %d missing below size", ErrCorrupt, next)
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			_, e, err := splitEntryValue(v)
			if err != nil {
				return fmt.Errorf("%w: entry %d is truncated", ErrCorrupt, next)
			}
			out = append(out, e)
			next++
		}
		if next < end {
			return fmt.Errorf("%w: entry %d missing below size", ErrCorrupt, next)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrStorage, err)
	}
	return out, nil
}
