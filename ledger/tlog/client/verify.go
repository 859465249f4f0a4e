package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/trazo-ledger/trazo/ledger/tlog"
	"golang.org/x/mod/sumdb/note"
)

var hasher = rfc6962.DefaultHasher

// ErrRewritten is returned (wrapped) by Verify when the served log is not
// an extension of the one verified before: it shrank, its consistency
// proof does not verify, or its first entries no longer hash to the root
// verified before. Its text, "HISTORY REWRITTEN", starts the message.
var ErrRewritten = errors.New("HISTORY REWRITTEN")

// Config says which key Verify trusts and where it keeps its state.
type Config struct {
	// Key is the log's verifier key (name+hash+base64key, as in log.pub),
	// obtained out of band. Empty trusts the key in the state file, or,
	// on the first verification, the key the server serves (trust on first
	// use).
	Key string
	// Origin, when set, is the origin the log must have.
	Origin string
	// StatePath returns the state file of the log with the given origin.
	// Required.
	StatePath func(origin string) (string, error)
	// TrustOnFirstUse, when set, is called with the served key when Verify
	// trusts it on first use, before anything is checked.
	TrustOnFirstUse func(key string)
	// Now stamps the state saved. Default time.Now.
	Now func() time.Time
}

// Result describes a successful verification.
type Result struct {
	Origin     string
	Key        string         // the verifier key trusted
	StatePath  string         // where the checkpoint verified was saved
	Checkpoint log.Checkpoint // the checkpoint verified now
	// Previous is the checkpoint verified before, nil on the first
	// verification of the log; PreviousAt is when it was verified, and
	// ConsistencyHashes the length of the proof from it.
	Previous          *log.Checkpoint
	PreviousAt        time.Time
	ConsistencyHashes int
}

// trust is the outcome of deciding which key to trust.
type trust struct {
	key, from string // the key and where it was trusted from
	origin    string
	statePath string
	state     *State // nil on the first verification
}

// Verify checks the served log as a mirror would: its signed checkpoint
// against the trusted key, every entry against the checkpoint's root, and,
// given the checkpoint verified last time (kept in the state file), that
// the log only grew (a consistency proof, and the old root recomputed from
// the entries). It then saves the new checkpoint in the state file.
//
// It returns an error wrapping ErrRewritten when the log is not an
// extension of the one verified before, and an error saying what does not
// hold when the key, the state file, a checkpoint or the entries do not
// verify, or when the server cannot be reached.
func (c *Client) Verify(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Key = strings.TrimSpace(cfg.Key)
	tr, err := c.trust(ctx, cfg)
	if err != nil {
		return Result{}, err
	}
	res := Result{Origin: tr.origin, Key: tr.key, StatePath: tr.statePath}
	if tr.state != nil {
		cp, err := tlog.OpenCheckpoint([]byte(tr.state.Checkpoint), tr.origin, tr.key)
		if err != nil {
			return Result{}, fmt.Errorf("state file %s holds a checkpoint that does not verify with the log's key (edited or damaged?): %w", tr.statePath, err)
		}
		res.Previous, res.PreviousAt = &cp, tr.state.VerifiedAt
	}
	signed, err := c.Checkpoint(ctx)
	if err != nil {
		return Result{}, err
	}
	if res.Checkpoint, err = tlog.OpenCheckpoint(signed, tr.origin, tr.key); err != nil {
		return Result{}, fmt.Errorf("the served checkpoint does not verify with the key trusted from %s: %w", tr.from, err)
	}
	if err := c.checkGrowth(ctx, &res); err != nil {
		return Result{}, err
	}
	// Every entry, hashed into the tree: the old root on the way, and the
	// new one at the end.
	if err := c.checkEntries(ctx, res.Checkpoint, res.Previous); err != nil {
		return Result{}, err
	}
	st := State{Origin: tr.origin, Key: tr.key, URL: c.base, Checkpoint: string(signed), VerifiedAt: cfg.Now().UTC()}
	if err := SaveState(tr.statePath, st); err != nil {
		return Result{}, err
	}
	return res, nil
}

// trust decides which key to trust: the configured one, else the state
// file's, else the served one, and checks that the server serves it.
func (c *Client) trust(ctx context.Context, cfg Config) (trust, error) {
	served, err := c.VerifierKey(ctx)
	if err != nil {
		return trust{}, err
	}
	tr := trust{key: cfg.Key, from: "the given key"}
	if tr.key == "" {
		tr.key, tr.from = served, "the server"
	}
	v, err := note.NewVerifier(tr.key)
	if err != nil {
		if cfg.Key != "" {
			return trust{}, fmt.Errorf("the given key is not a note verifier key (name+hash+base64key): %w", err)
		}
		return trust{}, fmt.Errorf("the server's /v1/log/key is not a note verifier key: %w", err)
	}
	tr.origin = v.Name()
	if cfg.Origin != "" && cfg.Origin != tr.origin {
		return trust{}, fmt.Errorf("the log's origin is %q, not %q", tr.origin, cfg.Origin)
	}
	if tr.statePath, err = cfg.StatePath(tr.origin); err != nil {
		return trust{}, err
	}
	if tr.state, err = LoadState(tr.statePath); err != nil {
		return trust{}, err
	}
	if st := tr.state; st != nil {
		if st.Origin != tr.origin {
			return trust{}, fmt.Errorf("state file %s is for the log %q, not %q: use another state file", tr.statePath, st.Origin, tr.origin)
		}
		switch {
		case cfg.Key == "":
			tr.key, tr.from = st.Key, "the state file "+tr.statePath
		case st.Key != tr.key:
			return trust{}, fmt.Errorf("state file %s trusted the key %s, not the given key %s: a log keeps its key (a new key is a new log; use another state file)", tr.statePath, st.Key, tr.key)
		}
	}
	if served != tr.key {
		return trust{}, fmt.Errorf("the server serves the verifier key %s, but the key trusted from %s is %s", served, tr.from, tr.key)
	}
	if cfg.Key == "" && tr.state == nil && cfg.TrustOnFirstUse != nil {
		cfg.TrustOnFirstUse(tr.key)
	}
	return tr, nil
}

// checkGrowth checks that the new checkpoint extends the previous one, if
// any: no smaller, and a consistency proof between the two that verifies.
func (c *Client) checkGrowth(ctx context.Context, res *Result) error {
	old, cp := res.Previous, res.Checkpoint
	if old == nil {
		return nil
	}
	if cp.Size < old.Size {
		return fmt.Errorf("%w: the log shrank: the server's checkpoint has %d entries, but one of %d entries was verified on %s (%s)",
			ErrRewritten, cp.Size, old.Size, res.PreviousAt.Format(time.RFC3339), res.StatePath)
	}
	hashes, err := c.ConsistencyProof(ctx, old.Size, cp.Size)
	if err != nil {
		return err
	}
	if err := proof.VerifyConsistency(hasher, old.Size, cp.Size, hashes, old.Hash, cp.Hash); err != nil {
		return fmt.Errorf("%w: the consistency proof from size %d to %d does not verify: %w", ErrRewritten, old.Size, cp.Size, err)
	}
	res.ConsistencyHashes = len(hashes)
	return nil
}

// checkEntries fetches the entries [0, cp.Size), recomputes the RFC 6962
// root from their leaf hashes and compares it with the checkpoint's; on the
// way, the root at old.Size must be the old checkpoint's.
func (c *Client) checkEntries(ctx context.Context, cp log.Checkpoint, old *log.Checkpoint) error {
	rf := &compact.RangeFactory{Hash: hasher.HashChildren}
	rng := rf.NewEmptyRange(0)
	for rng.End() < cp.Size {
		start := rng.End()
		entries, err := c.Entries(ctx, start, min(uint64(EntriesPage), cp.Size-start))
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return fmt.Errorf("the server serves %d entries, but its checkpoint has %d", start, cp.Size)
		}
		for _, e := range entries {
			if e.Index != rng.End() {
				return fmt.Errorf("entries from %d: entry %d where %d was expected", start, e.Index, rng.End())
			}
			if rng.End() == cp.Size {
				break
			}
			if err := rng.Append(hasher.HashLeaf(e.Leaf), nil); err != nil {
				return err
			}
			if err := checkOld(rng, old); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	root := hasher.EmptyRoot()
	if cp.Size > 0 {
		var err error
		if root, err = rng.GetRootHash(nil); err != nil {
			return err
		}
	}
	if !bytes.Equal(root, cp.Hash) {
		return fmt.Errorf("the %d entries served hash to the root %x, not to the signed checkpoint's %x", cp.Size, root, cp.Hash)
	}
	return nil
}

// checkOld checks, once rng has reached the old checkpoint's size, that
// its root is the old checkpoint's.
func checkOld(rng *compact.Range, old *log.Checkpoint) error {
	if old == nil || rng.End() != old.Size || old.Size == 0 {
		return nil
	}
	root, err := rng.GetRootHash(nil)
	if err != nil {
		return err
	}
	if !bytes.Equal(root, old.Hash) {
		return fmt.Errorf("%w: the first %d entries served now hash to %x, not to the root %x of the checkpoint of that size verified before", ErrRewritten, old.Size, root, old.Hash)
	}
	return nil
}
