// Package ledger is Trazo's traceability ledger of circular labor mobility,
// the domain: employers, workers, permits, border crossings, placements,
// corrections, erasures and inspectors' reads, each one entry of the
// verifiable log of package tlog (ledger/tlog), with projections (worker
// status, findings, the per-worker facts reports are computed from) kept
// in the same Badger transaction as the entry.
//
// The log stores opaque bytes and knows nothing of this package; this
// package knows nothing of HTTP or tokens: callers (package api, the
// commands) pass the caller as an [Actor] and map the errors below.
//
// # Service
//
// [Service] has one method per operation of the API. Each takes the
// caller's [Actor] (sub, role, org from the token) and a request struct
// that is the JSON body of the operation, enforces the role and the
// tenancy (an employer sees only workers it registered or placed, ends
// only its own placements; an employer whose org is not a registered
// employer is refused), validates the request with the code lists of
// package codes, and decides every rule that depends on state inside the
// log's writer (a tlog.AppendFunc), against rows that include the
// writes of earlier appends of the same commit: one document never makes
// two workers, a placement needs a permit valid on its start date, and so
// on, even under concurrent requests. Refusals are a *[ValidationError]
// (HTTP 422) with a stable Code and the Field's JSON path, or an *[Error]
// wrapping [ErrNotFound] (404), [ErrConflict] (409) or [ErrForbidden]
// (403). Storage failures wrap tlog.ErrStorage (503).
//
// # Entries
//
// Every entry is one JSON object, encoded once with its real index and
// recorded_at (see [Entry], [DecodeEntry]):
//
//	{"index":N,"type":T,"recorded_at":RFC3339,"actor":{"sub","role","org"},
//	 "worker_id"?,"employer_id"?,"permit_id"?,"placement_id"?,"data":{…},"pii"?}
//
//	employer.registered  employer_id; data EmployerRegisteredData
//	employer.suspended   employer_id; data ReasonData
//	worker.registered    worker_id; data WorkerRegisteredData (sex,
//	                     nationality, birth_year, document type and
//	                     issuing country); pii: names, date of birth,
//	                     document number
//	permit.issued        worker_id, permit_id; data PermitIssuedData
//	permit.revoked       worker_id, permit_id; data ReasonData. A permit is
//	                     valid up to the day before its revocation (UTC).
//	crossing.recorded    worker_id; data CrossingData (direction entry,
//	                     exit or refused; occurred_at; post; reason;
//	                     client_ref; the warnings observed)
//	placement.started    worker_id, employer_id, placement_id; data
//	                     PlacementStartedData (with age_at_start, computed
//	                     from the encrypted date of birth)
//	placement.ended      worker_id, employer_id, placement_id; data
//	                     PlacementEndedData
//	entry.corrected      the corrected entry's ids; data CorrectionData
//	                     (corrects, type, reason, changes); pii: changed
//	                     names or date of birth
//	worker.erased        worker_id; data ReasonData
//	access.recorded      worker_id; data AccessData (purpose, view); the
//	                     actor is the inspector who read
//
// Ids are opaque: wkr_, emp_, prm_ and plc_ followed by a ULID whose 80
// random bits come from crypto/rand.
//
// # Projections and key layout
//
// One function, apply, turns an entry into projection rows; live appends
// run it on the entry they have just encoded (decoded again), and
// [Service.Rebuild] drops the projection prefixes and runs it on every
// entry of the log, so the two cannot differ (a test compares them after
// 10,000 random events). Rows (all outside the log's reserved '!'
// space, written through the log's tlog.Tx):
//
//	w/<worker_id>                 worker row (binary, see workerrow.go;
//	                              older rows are JSON): sex, nationality, birth
//	                              year, document type and country, the
//	                              indexes of the entries holding its
//	                              personal data, erased; crossings (index,
//	                              direction, time, post), permits (dates,
//	                              revocation), placements (employer, dates,
//	                              occupation, sector, region, age at start)
//	                              — with corrections applied. No personal
//	                              data; it survives erasure, and it is what
//	                              reports read.
//	e/<employer_id>               employer row (JSON), with its status
//	ew/<employer_id>/<worker_id>  "r", "p" or "rp": the employer registered
//	                              and/or placed the worker (its visibility)
//	p/<permit_id>                 worker id
//	l/<placement_id>              "<worker_id> <employer_id>"
//	d/<HMAC-SHA256, 32 bytes>     worker id: the document index
//	dw/<worker_id>                that HMAC, to drop the index on erasure
//	t/<country>\x00<tax id>       employer id: one employer per tax id
//	r/<org>\x00<client_ref>       index of the crossing (idempotent batches)
//	h/<worker_id>/<index:8>       type of an entry naming the worker (history)
//	rs/<shard:1><worker_id>       facts row (binary, see [Facts]): what
//	                              reports need of the worker row, as days
//	                              and packed codes, rewritten with it; the
//	                              shard byte lets [Service.ScanFacts] scan
//	                              with several goroutines
//	rv/facts                      facts row version, written when entry 0 is
//	                              applied (a store without it predates facts
//	                              rows: [ErrProjectionsOutdated])
//	k/<worker_id>                 the worker's wrapped data key: NOT a
//	                              projection, never dropped by Rebuild
//	i/<role>\x00<org>\x00<key>     the stored answer of an idempotent
//	                              request (see WithIdempotency): NOT a
//	                              projection, never dropped by Rebuild
//
// Presence, stays (an entry and the next exit), seasons, employers and
// findings are derived from the worker row when read; those that depend on
// today (overstay, no_placement_after_entry, placements still active) use
// the injected clock ([Config].Now).
//
// # Personal data
//
// Names, date of birth and document number enter the log only inside an
// entry's pii: AES-256-GCM under a random 256-bit data key of the worker,
// nonce ‖ ciphertext, with the worker id as additional data. The data key
// is stored in k/<worker_id>, wrapped with AES-256-GCM under a key derived
// (HKDF-SHA256, info "trazo mobility data-key wrap v1") from the master
// key file <data dir>/mobility.key (32 random bytes in hex, mode 0600,
// created on first use; backups carry it). The document index is
// keyed by HMAC-SHA256 under a second HKDF key (info "trazo mobility
// document index v1") of issuing country ‖ normalised document number, so
// no document number appears in any key. Sex, nationality and birth year
// stay in clear for statistics.
//
// # Erasure
//
// [Service.EraseWorker] appends worker.erased, whose apply deletes the
// worker's wrapped key and its document index rows in the same
// transaction. Every pii of the worker in the log is then unreadable
// (crypto-shredding), while the log's bytes, and so its Merkle tree, are
// unchanged and still verify; the worker row keeps its statistics and is
// marked erased; the same document would register a new worker. Rebuild
// keeps the remaining wrapped keys and cannot index an erased worker's
// document again, having no key to read it with.
//
// A Badger delete writes a tombstone and leaves the previous version of a
// row in Badger's files until a compaction, so after the erasure commits,
// EraseWorker also purges every version of the wrapped key and document
// index rows (tlog.Log.Purge, Badger's DropPrefix): an erased worker's
// key is gone from disk even for someone holding the master key file.
//
// # Views by role
//
// [Service.GetWorker] and [Service.WorkerHistory] answer what the caller's
// role may see: an inspector everything, after appending access.recorded
// with the purpose (if that append fails, the read fails); an employer the
// registration, permit validity, presence since a date and its own
// placements, never crossings or other employers' placements, and
// ErrNotFound for a worker it neither registered nor placed; a ministry no
// personal data.
package ledger
