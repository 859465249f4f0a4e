// Package tlog is Trazo's verifiable, durable, append-only log on Badger.
//
// Every entry is one opaque byte string, the leaf of an RFC 6962 Merkle
// tree. The log assigns consecutive indexes, hashes leaves and interior
// nodes with transparency-dev/merkle, stores the completed nodes, and signs
// C2SP tlog-checkpoints with an Ed25519 note key kept in the data
// directory. Inclusion and consistency proofs for any past tree size are
// built with transparency-dev/merkle/proof from the stored nodes.
//
// Appends go through one writer role (group commit): whoever holds it
// gathers every pending append, lets each caller encode its entry knowing
// its index and time, and writes entries, nodes, the callers' own rows
// (projections, indexes) and the new tree head in one Badger transaction
// with SyncWrites (one per chunk of at most 256 appends). Commits are
// pipelined one deep: Badger writes and syncs a chunk on its own goroutine
// while the writer prepares the next, whose reads see the rows of the
// chunk in flight; a chunk is sent only once the one before it is durable,
// and fails with it. A lone appender commits on its own goroutine, with no
// hand-off.
//
// Checkpoints are signed when asked for, not at every commit: the first
// Checkpoint or LatestCheckpoint after a commit signs the durable head's
// checkpoint and later calls get the same note until the next commit; the
// writer also signs the head when appends pause (it looks every 100 ms,
// and acts once 50 ms have passed without a commit) and at Close. Signed
// checkpoints are stored with the next commit, or when the writer goes
// idle, or at Close.
//
// The log knows nothing of HTTP, tokens or the domain: entries are bytes,
// and the callers' rows live in any key space that does not start with the
// log's reserved prefix '!'.
//
// # Contract
//
// The log's callers (the domain) rely on the rules below; each MUST or MUST
// NOT says whether the log enforces it.
//
// Appending ([Log.Append], [Log.AppendBatch], [AppendFunc]):
//
//   - An AppendFunc runs in the writer role, on whichever goroutine holds
//     it: the log's writer goroutine, the caller's own goroutine, or
//     another appender's. Every other append waits while it runs.
//   - An AppendFunc MUST NOT block, and MUST NOT call the Log: Append,
//     AppendBatch, Exclusive, Ready, Rebuild, Purge, Backup and Close wait
//     for the writer role and deadlock; the read methods do not deadlock but
//     do not see the rows of the commit being prepared. Not enforced.
//   - An AppendFunc reads and writes the caller's rows only through its
//     [Tx], and MUST NOT keep the Tx after it returns (later writes are
//     silently lost). Not enforced.
//   - The index and recordedAt it is given are those the entry gets if the
//     commit succeeds. recordedAt is UTC, the same for every append of one
//     group commit, and never earlier than the previous commit's, whatever
//     the clock does. If the commit fails, nothing is appended and a later
//     append gets the same index: an AppendFunc MUST NOT publish the index
//     anywhere but in its entry and rows before Append returns.
//   - The entry bytes it returns become the leaf as they are; the log copies
//     them. A nil entry with a nil error writes the rows without appending
//     (Receipt.Appended is false, no index is used).
//   - An error (or a panic, recovered into an error starting "tlog: append
//     function panicked") drops every row that append wrote, uses no index,
//     and is returned for that append alone, unwrapped; the other appends
//     of the group commit go on. An append whose rows and entry exceed half
//     of Badger's transaction limits fails alone with [ErrTooLarge].
//   - A storage failure fails every append of the failed chunk, of the rest
//     of its group and of the chunk prepared on top of it with an error
//     wrapping [ErrStorage] (and [ErrDiskFull] when the free space is below
//     Options.DiskReserve, checked before the commit): nothing of them is
//     appended, and their AppendFuncs are not run again; the caller retries.
//   - Each AppendFunc runs at most once. A context cancelled before the
//     writer takes the append returns the context's error and the
//     AppendFunc never runs; once taken, the append is not cancelled.
//
// Rows ([Tx]):
//
//   - Reads through a Tx see every row committed before, plus the rows
//     written by the appends prepared before it in the same group commit
//     (whoever submitted them) and by the chunk still in flight. Those
//     appends commit with it or before it, and if they fail it fails too, so
//     a rule decided on what the Tx shows (uniqueness, validity) holds in the
//     log.
//   - Keys starting with '!' (and the empty key) are the log's: Set and
//     Delete refuse them with [ErrReservedKey]. Tx.Get and Reader reads do
//     not refuse them, but callers MUST NOT rely on the log's rows.
//   - Set copies the value; Get returns a copy the caller may keep.
//
// Reading ([Log.View], [Reader], [Reader.Scan]):
//
//   - A view is a consistent snapshot of the committed rows and entries. A
//     commit becomes visible once Badger has synced it, possibly a moment
//     before its appenders get their receipts; rows written by appends not
//     yet committed are never visible.
//   - The Reader MUST NOT be used after the view's function returns. Not
//     enforced (Badger's transaction is discarded).
//   - Scan's key and value are valid only during its callback, which MUST
//     copy what it keeps. [ErrStopScan] ends a scan without error; any other
//     error ends it and is returned as it is. An error reading a value from
//     the store is returned as Badger's error, not wrapped in ErrStorage.
//
// Rebuilding projections ([Log.Rebuild], [Log.Purge]):
//
//   - Rebuild drops every row under the given prefixes (Badger's
//     DropPrefix; prefixes starting with '!' are refused with
//     ErrReservedKey), then calls its function for every entry in order,
//     with a Tx that reads what the earlier entries wrote. It runs in the
//     writer role, through [Log.Exclusive]: no append interleaves. The domain passes the same function it
//     applies to live appends, so that the rebuilt rows equal the live ones;
//     the log does not check that.
//   - Rebuild commits its rows in several transactions: if its function
//     fails, or the process stops, the rows of the earlier transactions
//     stay and the projections are incomplete until a Rebuild succeeds.
//   - A function given to Exclusive (and so Rebuild's) MUST NOT call the
//     methods that wait for the writer role (Append, AppendBatch,
//     Exclusive, Ready, Rebuild, Purge, Backup, Close): they deadlock. Not
//     enforced.
//
// Durability:
//
//   - No Receipt is returned before the transaction holding the entry, its
//     nodes, its rows and the new tree head is synced to disk (Badger with
//     SyncWrites). After a crash the log reopens at the last synced head,
//     whose stored nodes Open checks against its root.
//   - Only one process opens a data directory at a time ([ErrLocked]).
//
// Checkpoints ([Log.Checkpoint], [Log.LatestCheckpoint], [Log.CheckpointAt]):
//
//   - A checkpoint is signed only for a durable head, when asked for (or
//     when the writer goes idle, or at Close), not at every commit. Once an
//     Append has returned, Checkpoint covers its entry.
//   - Every checkpoint issued is stored, with the next commit or when the
//     writer goes idle. One lost by a crash before it was stored is signed
//     again with the same bytes (Ed25519 signatures are deterministic): by
//     Open for the head, by CheckpointAt for any size up to the log's.
//   - The note key's name is the log's origin; a data directory keeps the
//     origin it was created with.
//
// Data directory layout:
//
//	<dir>/LOCK          advisory lock held while the log is open
//	<dir>/log.key       note signing key of the log (0600, secret)
//	<dir>/log.pub       note verifier key (public)
//	<dir>/badger/       Badger's files
//
// Badger key layout (big-endian positions, so keys sort by position):
//
//	!e<index:8>           leaf hash (32) | entry bytes (the Merkle leaf)
//	!n<level:1><index:8>  hash of the complete subtree node (level, index),
//	                      for even levels >= 2 only; odd levels are
//	                      recomputed from their two children
//	!c<size:8>            signed checkpoint note issued at that tree size
//	!h                    tree head: size(8) | recorded_at unix nanos(8) | root(32)
package tlog
