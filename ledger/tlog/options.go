package tlog

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// Options configures a Log. The zero value is usable: every field has a
// documented default.
type Options struct {
	// Origin names the log in its checkpoints (the first line of every
	// checkpoint, and the name of the note key). Default "trazo.local/log".
	// A data directory keeps the origin it was created with: opening it
	// with another origin is an error.
	Origin string

	// Logger receives the log's and Badger's messages. Default: discard.
	Logger *slog.Logger

	// Now is the clock used for recorded_at. Default time.Now. The log
	// never lets recorded_at go backwards, even if the clock does.
	Now func() time.Time

	// MaxBatch bounds how many appends one commit gathers. Default 4096.
	MaxBatch int

	// DiskReserve is the free space, in bytes, below which appends are
	// refused with ErrDiskFull (an ErrStorage) instead of being written.
	// Badger writes through memory-mapped files, and a write into a mapped
	// page that the full disk cannot back kills the process with SIGBUS;
	// refusing early keeps the server up and answering 503 until space is
	// freed. Default: 2 × MemTableSize + 64 MiB (96 MiB with the default
	// memory settings). Negative turns the check off.
	DiskReserve int64

	// Memory bounds Badger's caches and memtables; see Memory.
	Memory Memory

	// EncryptionKey, when set (16, 24 or 32 bytes), turns on Badger's own
	// AES encryption at rest for every table and value log file. A data
	// directory created with a key can only be opened with the same key.
	EncryptionKey []byte

	// OnCommit, when set, is called by the writer after every durable
	// commit (for metrics). It must be fast and must not call the Log.
	OnCommit func(CommitStats)
}

// CommitStats describes one durable commit of the writer.
type CommitStats struct {
	Entries  int           // entries appended by the commit
	Requests int           // append requests answered by the commit
	Duration time.Duration // time spent in Badger's commit (including fsync)
	Size     uint64        // tree size after the commit
}

// Memory bounds Badger's memory use. The resident set of a Trazo process is
// roughly MemTableSize × NumMemtables + BlockCacheSize + IndexCacheSize +
// RowCacheSize, plus the Go heap of the server; with the defaults that is
// about 230 MiB
// of Badger memory for caches and memtables. Badger's table builders
// (flushes, compactions) allocate beyond that under heavy writes: up to
// about 2 GiB was seen in a 30-minute soak (docs/OPERATIONS.md).
type Memory struct {
	MemTableSize   int64 // default 16 MiB (Badger's own default is 64 MiB)
	NumMemtables   int   // default 3 (Badger: 5)
	BlockCacheSize int64 // default 64 MiB (Badger: 256 MiB)
	IndexCacheSize int64 // default 32 MiB (Badger: unbounded, all indexes in memory)

	// RowCacheSize bounds the writer's cache of the callers' rows it
	// recently read or committed (not Badger's); default 32 MiB, -1 for
	// none.
	RowCacheSize int64
}

func (m Memory) withDefaults() Memory {
	if m.MemTableSize <= 0 {
		m.MemTableSize = 16 << 20
	}
	if m.NumMemtables <= 0 {
		m.NumMemtables = 3
	}
	if m.BlockCacheSize <= 0 {
		m.BlockCacheSize = 64 << 20
	}
	if m.IndexCacheSize <= 0 {
		m.IndexCacheSize = 32 << 20
	}
	if m.RowCacheSize == 0 {
		m.RowCacheSize = 32 << 20
	}
	return m
}

func (o Options) withDefaults() Options {
	if o.Origin == "" {
		o.Origin = "trazo.local/log"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 4096
	}
	o.Memory = o.Memory.withDefaults()
	if o.DiskReserve == 0 {
		o.DiskReserve = 2*o.Memory.MemTableSize + 64<<20
	}
	return o
}

// badgerOptions returns the Badger options the log runs with: synced
// writes, checksums verified on every block read from a table and on value
// log reads, bounded memory, Badger's logger adapted to slog. (Checking
// whole tables at open as well would read the entire store on every start:
// 2.8 s at 10 million entries, against 25 ms; Verify reads every block and
// so checks every checksum.)
func (o Options) badgerOptions(dir string) badger.Options {
	bo := badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithChecksumVerificationMode(options.OnBlockRead).
		WithVerifyValueChecksum(true).
		WithDetectConflicts(false). // one writer goroutine: no conflicts to detect
		WithNumCompactors(2).
		WithMemTableSize(o.Memory.MemTableSize).
		WithNumMemtables(o.Memory.NumMemtables).
		WithBlockCacheSize(o.Memory.BlockCacheSize).
		WithIndexCacheSize(o.Memory.IndexCacheSize).
		WithLogger(badgerLogger{o.Logger}).
		// Badger's table builders are most of its memory under sustained
		// writes: each holds its table's blocks, raw and compressed, until
		// the table is written, a compaction runs several at once, and
		// Badger keeps up to 8 builders' buffers for reuse while writes go
		// on. By default tables double in size at every level (64 MiB at
		// the sixth), so that one deep compaction can hold a gigabyte;
		// with every table at 4 MiB, and level 0 compacted at two tables,
		// the builders' pool levels off at about 1 GiB
		// (docs/RELIABILITY.md, "Soak").
		WithBaseTableSize(4 << 20).
		WithNumLevelZeroTables(2)
	bo.TableSizeMultiplier = 1 // (no With method for it)
	if len(o.EncryptionKey) > 0 {
		bo = bo.WithEncryptionKey(o.EncryptionKey).
			WithEncryptionKeyRotationDuration(10 * 24 * time.Hour)
	}
	return bo
}

// BadgerOptions returns the Badger options Open uses for the store in dir
// with opts (defaults filled in), for references that measure raw Badger
// as the log runs it.
func BadgerOptions(dir string, opts Options) badger.Options {
	return opts.withDefaults().badgerOptions(dir)
}

// badgerLogger adapts Badger's printf-style logger to slog. Badger's Info
// messages (many on open and compaction) go to slog's Debug level.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) log(level slog.Level, format string, args ...any) {
	if !b.l.Enabled(context.Background(), level) {
		return
	}
	b.l.Log(context.Background(), level, strings.TrimSpace(fmt.Sprintf(format, args...)), "component", "badger")
}

func (b badgerLogger) Errorf(f string, a ...any)   { b.log(slog.LevelError, f, a...) }
func (b badgerLogger) Warningf(f string, a ...any) { b.log(slog.LevelWarn, f, a...) }
func (b badgerLogger) Infof(f string, a ...any)    { b.log(slog.LevelDebug, f, a...) }
func (b badgerLogger) Debugf(f string, a ...any)   { b.log(slog.LevelDebug-4, f, a...) }
