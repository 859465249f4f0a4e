package ledger

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// Config configures a Service. Only the log is required.
type Config struct {
	// Country is the host country (ISO 3166-1 alpha-3). When set, the
	// region of every placement must be one of its subdivisions.
	Country string
	// DataDir holds the master key file (KeyFile). Default: the log's
	// data directory, so that backups carry it.
	DataDir string
	// Now is the clock of the domain rules (future crossings, dates of
	// birth, findings that depend on today). Default time.Now. The log's
	// recorded_at comes from the ledger's own clock (tlog.Options.Now).
	Now func() time.Time
	// Logger receives the service's messages; it never logs personal
	// data. Default: discard.
	Logger *slog.Logger
}

// maxFutureCrossing is how far ahead of the clock a crossing may be.
const maxFutureCrossing = 5 * time.Minute

// Service is the mobility domain on a ledger: one method per operation of
// the API, each taking the caller's Actor and enforcing its role and
// tenancy. It is safe for concurrent use.
type Service struct {
	log  *tlog.Log
	cfg  Config
	keys *keyring

	// refuse, set by tests only, makes appends of the entries it returns
	// an error for fail, as a storage failure would.
	refuse func(e *Entry) error
}

// New returns a Service over an open log, loading the master key file from
// cfg.DataDir (creating it, mode 0600, on first use). It returns an error
// if the key file cannot be read or created, is readable by other users,
// or is malformed, or if cfg.Country is not a country code.
func New(log *tlog.Log, cfg Config) (*Service, error) {
	if cfg.DataDir == "" {
		cfg.DataDir = log.Dir()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Country != "" {
		if _, err := country("country", cfg.Country); err != nil {
			return nil, fmt.Errorf("mobility config: %w", err)
		}
	}
	keys, err := loadKeyring(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	return &Service{log: log, cfg: cfg, keys: keys}, nil
}

func (s *Service) now() time.Time { return s.cfg.Now().UTC() }

// Receipt is what every append answers: the entry's index and its RFC 6962
// leaf hash.
type Receipt struct {
	Index    uint64 `json:"index"`
	LeafHash []byte `json:"leaf_hash"`
}

func receiptOf(rc tlog.Receipt) Receipt { return Receipt{Index: rc.Index, LeafHash: rc.LeafHash} }

// builder decides an append inside the ledger's writer: it reads the rows
// it needs through tx, refuses with an error, returns nil to append
// nothing, or returns the entry to append (its Index and RecordedAt are
// filled in afterwards). It may write rows that are not projections (the
// wrapped data key).
type builder func(tx *tlog.Tx, index uint64, at time.Time) (*Entry, error)

// appendFunc turns a builder into a tlog.AppendFunc: the entry is
// encoded once, with its real index and time, and applied to the
// projections by apply, the function Rebuild replays the log through (the
// rebuild tests hold the two paths to the same projections).
func (s *Service) appendFunc(build builder) tlog.AppendFunc {
	return func(tx *tlog.Tx, index uint64, at time.Time) ([]byte, error) {
		e, err := build(tx, index, at)
		if err != nil || e == nil {
			return nil, err
		}
		if s.refuse != nil {
			if err := s.refuse(e); err != nil {
				return nil, err
			}
		}
		e.Index, e.RecordedAt = index, at
		b, err := encodeEntry(e)
		if err != nil {
			return nil, err
		}
		if err := s.apply(tx, e); err != nil {
			return nil, err
		}
		return b, nil
	}
}

func (s *Service) append(ctx context.Context, build builder) (tlog.Receipt, error) {
	return s.log.Append(ctx, s.appendFunc(build))
}

// Rebuild drops every projection row and replays the whole log through the
// same apply function as live appends. Wrapped data keys are kept (they
// are not in the log): an erased worker's documents are not indexed
// again, since their data key is gone. It returns the ledger's error, or
// an error naming the first entry that cannot be applied.
func (s *Service) Rebuild(ctx context.Context) error {
	started := time.Now()
	err := s.log.Rebuild(ctx, projectionPrefixes, func(tx *tlog.Tx, index uint64, b []byte) error {
		e, err := DecodeEntry(b)
		if err != nil {
			return err
		}
		if e.Index != index {
			return fmt.Errorf("%w: entry at %d says index %d", tlog.ErrCorrupt, index, e.Index)
		}
		return s.apply(tx, &e)
	})
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "rebuild of the mobility projections failed", "err", err)
		return err
	}
	s.cfg.Logger.InfoContext(ctx, "rebuilt the mobility projections", "entries", s.log.Size(), "took", time.Since(started))
	return nil
}

// ProjectionDigest returns the SHA-256 of every projection row (key and
// value, in key order), for comparing the live projections with rebuilt
// ones. It returns an error wrapping tlog.ErrStorage if the store cannot
// be read.
func (s *Service) ProjectionDigest(ctx context.Context) ([]byte, error) {
	h := sha256.New()
	err := s.log.View(func(r *tlog.Reader) error {
		for _, p := range projectionPrefixes {
			err := r.Scan(p, nil, func(k, v []byte) error {
				if err := ctx.Err(); err != nil {
					return err
				}
				h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(k))))
				h.Write(k)
				h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(v))))
				h.Write(v)
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// Id prefixes.
const (
	workerIDPrefix    = "wkr_"
	employerIDPrefix  = "emp_"
	permitIDPrefix    = "prm_"
	placementIDPrefix = "plc_"
)

// newID returns prefix + a ULID with 80 bits from crypto/rand.
func (s *Service) newID(prefix string) (string, error) {
	id, err := ulid.New(ulid.Timestamp(s.now()), rand.Reader)
	if err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	return prefix + id.String(), nil
}

// validID reports whether id is prefix + a canonical ULID.
func validID(prefix, id string) bool {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return false
	}
	u, err := ulid.ParseStrict(rest)
	return err == nil && u.String() == rest
}

func roleNotAllowed(a Actor) error {
	return forbidden(CodeRoleNotAllowed, "role %q may not do this", a.Role)
}

// allow refuses roles other than the listed ones.
func allow(a Actor, roles ...Role) error {
	for _, r := range roles {
		if a.Role == r {
			return nil
		}
	}
	return roleNotAllowed(a)
}

// checkEmployerActor refuses an employer caller whose org is not a
// registered employer.
func (s *Service) checkEmployerActor(a Actor) error {
	return s.log.View(func(r *tlog.Reader) error { return employerActorIn(r, a) })
}

// employerActorIn is checkEmployerActor inside a view.
func employerActorIn(g getter, a Actor) error {
	if validID(employerIDPrefix, a.Org) {
		b, err := g.Get(employerKey(a.Org))
		if err == nil && len(b) > 0 {
			return nil
		}
		if err != nil && !isNotFound(err) {
			return err
		}
	}
	return forbidden(CodeEmployerNotRegistered, "org %q is not a registered employer", a.Org)
}

// scanWorkers calls fn for every worker row.
func (s *Service) scanWorkers(ctx context.Context, r *tlog.Reader, fn func(w *workerRow) error) error {
	return r.Scan(workerPrefix, nil, func(k, v []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		var w workerRow
		if err := unmarshalRow(k, v, &w); err != nil {
			return err
		}
		return fn(&w)
	})
}

// scanEmployerWorkers calls fn for every worker an employer registered or
// placed.
func (s *Service) scanEmployerWorkers(ctx context.Context, r *tlog.Reader, employerID string, fn func(w *workerRow)) error {
	prefix := empWorkersPrefix(employerID)
	var ids []string
	err := r.Scan(prefix, nil, func(k, v []byte) error {
		ids = append(ids, string(k[len(prefix):]))
		return ctx.Err()
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		var w workerRow
		found, err := getRow(r, workerKey(id), &w)
		if err != nil {
			return err
		}
		if found {
			fn(&w)
		}
	}
	return nil
}
