// Package ledger is Trazo's verifiable, durable, append-only log on Badger.
//
// Every entry is one opaque byte string, the leaf of an RFC 6962 Merkle
// tree. The ledger assigns consecutive indexes, hashes leaves and interior
// nodes with transparency-dev/merkle, stores the completed nodes, and signs
// a C2SP tlog-checkpoint for every commit with an Ed25519 note key kept in
// the data directory. Inclusion and consistency proofs for any past tree
// size are built with transparency-dev/merkle/proof from the stored nodes.
//
// Appends go through one writer (group commit): it gathers every pending
// append, lets each caller encode its entry knowing its index and time,
// and writes entries, nodes, the callers' own rows (projections, indexes)
// and the new tree head in one Badger transaction with SyncWrites (one per
// chunk of at most 256 appends). Commits are pipelined one deep: Badger
// writes and syncs a chunk on its own goroutine while the writer prepares
// the next, whose reads see the rows of the chunk in flight; a chunk is
// sent only once the one before it is durable, and fails with it. The
// checkpoint of each new head is signed on another core while Badger
// syncs, and stored with the next commit (or when the writer goes idle, or
// on Close). No caller is answered before its transaction is durable and
// its checkpoint signed.
//
// The ledger knows nothing of HTTP, tokens or the mobility domain: entries
// are bytes, and the callers' rows live in any key space that does not
// start with the ledger's reserved prefix '!'.
//
// Data directory layout:
//
//	<dir>/LOCK          advisory lock held while the ledger is open
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
