package tlog

import (
	"encoding/binary"
	"errors"

	"github.com/transparency-dev/merkle/compact"
)

// Errors returned by the log. Callers test them with errors.Is.
var (
	// ErrNotFound is returned when an entry, node or checkpoint does not exist.
	ErrNotFound = errors.New("tlog: not found")
	// ErrClosed is returned by calls on a Log that has been closed.
	ErrClosed = errors.New("tlog: log is closed")
	// ErrLocked is returned by Open when another process holds the data directory.
	ErrLocked = errors.New("tlog: data directory is in use by another process")
	// ErrStorage wraps failures to read or durably write the store (disk full,
	// I/O errors). Appends that fail with it were not appended.
	ErrStorage = errors.New("tlog: storage unavailable")
	// ErrDiskFull is returned (wrapped with ErrStorage) for appends refused
	// because the data directory's file system has less free space than
	// Options.DiskReserve. Nothing of them was written.
	ErrDiskFull = errors.New("tlog: disk space below the reserve")
	// ErrCorrupt is returned when stored data contradicts itself (a tree head
	// whose root does not match its nodes, an unreadable key file).
	ErrCorrupt = errors.New("tlog: stored data is corrupt")
	// ErrReservedKey is returned when a caller writes a key in the log's
	// reserved key space (keys starting with '!').
	ErrReservedKey = errors.New("tlog: key is in the log's reserved key space")
	// ErrTooLarge is returned for an append whose entry and rows cannot fit
	// into one Badger transaction.
	ErrTooLarge = errors.New("tlog: append too large for one transaction")
	// ErrRange is returned for an index or tree size outside the log.
	ErrRange = errors.New("tlog: index or size out of range")
)

const reservedPrefix = '!'

var headKey = []byte("!h")

func entryKey(index uint64) []byte {
	k := make([]byte, 10)
	k[0], k[1] = '!', 'e'
	binary.BigEndian.PutUint64(k[2:], index)
	return k
}

// storedNode reports whether a node's hash has a row of its own. Leaves
// (level 0) are stored with their entry; of the interior nodes only those
// at even levels are stored, and a node at an odd level is the hash of its
// two children. This writes 1 + 1/3 rows per entry instead of 3, and a
// proof reads at most twice as many rows.
func storedNode(id compact.NodeID) bool { return id.Level > 0 && id.Level%2 == 0 }

// entryValue is the stored value of an entry: its leaf hash, then its bytes.
func entryValue(leafHash, entry []byte) []byte {
	return append(append(make([]byte, 0, len(leafHash)+len(entry)), leafHash...), entry...)
}

// splitEntryValue returns the leaf hash and the entry bytes of a stored entry.
func splitEntryValue(v []byte) (leafHash, entry []byte, err error) {
	if len(v) < 32 {
		return nil, nil, ErrCorrupt
	}
	return v[:32], v[32:], nil
}

func nodeKey(id compact.NodeID) []byte {
	k := make([]byte, 11)
	k[0], k[1], k[2] = '!', 'n', byte(id.Level)
	binary.BigEndian.PutUint64(k[3:], id.Index)
	return k
}

func checkpointKey(size uint64) []byte {
	k := make([]byte, 10)
	k[0], k[1] = '!', 'c'
	binary.BigEndian.PutUint64(k[2:], size)
	return k
}

// checkpointSize returns the tree size a checkpoint key names.
func checkpointSize(key []byte) uint64 { return binary.BigEndian.Uint64(key[2:]) }

var (
	entryPrefix      = []byte("!e")
	checkpointPrefix = []byte("!c")
)

// head is the tree head stored at headKey.
type head struct {
	size       uint64
	recordedAt int64 // unix nanoseconds of the newest entry
	root       []byte
}

func (h head) marshal() []byte {
	b := make([]byte, 16, 16+len(h.root))
	binary.BigEndian.PutUint64(b[0:], h.size)
	binary.BigEndian.PutUint64(b[8:], uint64(h.recordedAt))
	return append(b, h.root...)
}

func unmarshalHead(b []byte) (head, error) {
	if len(b) != 16+32 {
		return head{}, ErrCorrupt
	}
	return head{
		size:       binary.BigEndian.Uint64(b[0:]),
		recordedAt: int64(binary.BigEndian.Uint64(b[8:])),
		root:       append([]byte(nil), b[16:]...),
	}, nil
}
