package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/trazo-ledger/trazo/ledger/tlog"
	"golang.org/x/mod/sumdb/note"
)

// urlFlags are the flags of "trazo verify --url".
type urlFlags struct {
	url, token, key, state string
}

func (f *urlFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", "", "verify a running server over HTTP, as a mirror would, instead of a --data-dir")
	fs.StringVar(&f.token, "token", "", "with --url: an inspector token, to read the log's entries")
	fs.StringVar(&f.key, "key", "", "with --url: the log's verifier key (name+hash+base64key, as in log.pub), obtained out of band; without it the key the server serves is trusted on first use")
	fs.StringVar(&f.state, "state", "", "with --url: file keeping the last verified checkpoint (default ~/.trazo/verify-<origin hash>.state)")
}

// entriesPage is how many entries one request asks for (the API's maximum).
const entriesPage = 1000

// maxResponse bounds one response body.
const maxResponse = 64 << 20

var hasher = rfc6962.DefaultHasher

// verifyState is what "verify --url" keeps between runs: the last
// checkpoint it verified, and the key it trusted.
type verifyState struct {
	Origin     string    `json:"origin"`
	Key        string    `json:"key"`
	URL        string    `json:"url"`
	Checkpoint string    `json:"checkpoint"` // the signed note
	VerifiedAt time.Time `json:"verified_at"`
}

// runVerifyURL checks a served log as a mirror would: the signed
// checkpoint against the trusted key, every entry against the checkpoint's
// root, and, given the checkpoint verified last time, that the log only
// grew (a consistency proof, and the old root recomputed from the entries).
func runVerifyURL(ctx context.Context, f urlFlags, originFlag string, getenv func(string) string, stdout, stderr io.Writer) error {
	base, err := url.Parse(strings.TrimRight(f.url, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return usageError("--url %q is not an http:// or https:// URL", f.url)
	}
	if f.token == "" {
		return usageError("--token is required with --url (or set TRAZO_TOKEN): an inspector token, as \"trazo token --role inspector\" prints")
	}
	m := &mirror{base: base.String(), token: f.token, client: &http.Client{Timeout: time.Minute}}

	served, err := m.get(ctx, "/v1/log/key", nil, false)
	if err != nil {
		return err
	}
	servedKey := strings.TrimSpace(string(served))
	trusted, trustedFrom := strings.TrimSpace(f.key), "--key"
	if trusted == "" {
		trusted, trustedFrom = servedKey, "the server"
	}
	v, err := note.NewVerifier(trusted)
	if err != nil {
		if trustedFrom == "--key" {
			return usageError("--key is not a note verifier key (name+hash+base64key): %v", err)
		}
		return fmt.Errorf("the server's /v1/log/key is not a note verifier key: %w", err)
	}
	origin := v.Name()
	if originFlag != "" && originFlag != origin {
		return fmt.Errorf("the log's origin is %q, not --origin %q", origin, originFlag)
	}

	statePath := f.state
	if statePath == "" {
		if statePath, err = defaultStatePath(origin, getenv); err != nil {
			return err
		}
	}
	st, err := loadState(statePath)
	if err != nil {
		return err
	}
	if st != nil {
		if st.Origin != origin {
			return fmt.Errorf("state file %s is for the log %q, not %q: give another --state", statePath, st.Origin, origin)
		}
		switch {
		case f.key == "":
			trusted, trustedFrom = st.Key, "the state file "+statePath
		case st.Key != trusted:
			return fmt.Errorf("state file %s trusted the key %s, not --key %s: a log keeps its key (a new key is a new log; give another --state)", statePath, st.Key, trusted)
		}
	}
	if servedKey != trusted {
		return fmt.Errorf("the server serves the verifier key %s, but the key trusted from %s is %s", servedKey, trustedFrom, trusted)
	}
	if f.key == "" && st == nil {
		fmt.Fprintf(stderr, "trazo: warning: trusting the verifier key the server serves (%s) on first use; pass --key with the key published out of band (log.pub) to be sure\n", trusted)
	}

	return m.verify(ctx, trust{origin: origin, key: trusted, keyFrom: trustedFrom, statePath: statePath, state: st}, stdout)
}

// trust is what a verification trusts: the log's origin and verifier key
// (and where that key comes from), and the state of the last
// verification (nil for the first), kept in statePath.
type trust struct {
	origin, key, keyFrom string
	statePath            string
	state                *verifyState
}

// verify fetches the server's checkpoint, checks it with t's key, checks
// that the log only grew since the checkpoint of t's state, hashes every
// entry to the checkpoint's root, and saves the new state. It returns the
// first check that fails, or an error fetching or saving.
func (m *mirror) verify(ctx context.Context, t trust, stdout io.Writer) error {
	origin, trusted, trustedFrom, statePath, st := t.origin, t.key, t.keyFrom, t.statePath, t.state
	// The old checkpoint, if any.
	var old *log.Checkpoint
	if st != nil {
		cp, err := tlog.OpenCheckpoint([]byte(st.Checkpoint), origin, trusted)
		if err != nil {
			return fmt.Errorf("state file %s holds a checkpoint that does not verify with the log's key (edited or damaged?): %w", statePath, err)
		}
		old = &cp
	}

	// The new checkpoint.
	signed, err := m.get(ctx, "/v1/log/checkpoint", nil, false)
	if err != nil {
		return err
	}
	cp, err := tlog.OpenCheckpoint(signed, origin, trusted)
	if err != nil {
		return fmt.Errorf("the served checkpoint does not verify with the key trusted from %s: %w", trustedFrom, err)
	}
	if old != nil && cp.Size < old.Size {
		return fmt.Errorf("HISTORY REWRITTEN: the log shrank: the server's checkpoint has %d entries, but one of %d entries was verified on %s (%s)",
			cp.Size, old.Size, st.VerifiedAt.Format(time.RFC3339), statePath)
	}

	// The consistency proof between the two checkpoints: the log only grew.
	consistency := "first verification of this log"
	if old != nil {
		hashes, err := m.consistencyProof(ctx, old.Size, cp.Size)
		if err != nil {
			return err
		}
		if err := proof.VerifyConsistency(hasher, old.Size, cp.Size, hashes, old.Hash, cp.Hash); err != nil {
			return fmt.Errorf("HISTORY REWRITTEN: the consistency proof from size %d to %d does not verify: %w", old.Size, cp.Size, err)
		}
		consistency = fmt.Sprintf("consistent with the checkpoint of size %d verified on %s (consistency proof of %d hashes)",
			old.Size, st.VerifiedAt.Format(time.RFC3339), len(hashes))
	}

	// Every entry, hashed into the tree: the old root on the way, and the
	// new one at the end.
	if err := m.checkEntries(ctx, cp, old); err != nil {
		return err
	}

	if err := saveState(statePath, verifyState{Origin: origin, Key: trusted, URL: m.base, Checkpoint: string(signed), VerifiedAt: time.Now().UTC()}); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ok: %s log %s: %d entries fetched and hashed to the signed checkpoint's root %x; %s; state in %s\n",
		m.base, origin, cp.Size, cp.Hash, consistency, statePath)
	return nil
}

// mirror fetches a served log.
type mirror struct {
	base   string
	token  string
	client *http.Client
}

// get fetches base+path and returns the body of a 200 answer. A token is
// sent when auth is set. Other answers are errors that carry the API's
// error code and message.
func (m *mirror) get(ctx context.Context, path string, query url.Values, auth bool) ([]byte, error) {
	u := m.base + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if auth {
		req.Header.Set("Authorization", "Bearer "+m.token)
	}
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > maxResponse {
		return nil, fmt.Errorf("GET %s: answer larger than %d bytes", u, maxResponse)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error struct {
				Code, Message string
			} `json:"error"`
		}
		if json.Unmarshal(body, &e) == nil && e.Error.Code != "" {
			return nil, fmt.Errorf("GET %s: %s: %s (%s)", u, resp.Status, e.Error.Message, e.Error.Code)
		}
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return body, nil
}

// checkEntries fetches the entries [0, cp.Size), recomputes the RFC 6962
// root from their leaf hashes and compares it with the checkpoint's; on the
// way, the root at old.Size must be the old checkpoint's.
func (m *mirror) checkEntries(ctx context.Context, cp log.Checkpoint, old *log.Checkpoint) error {
	rf := &compact.RangeFactory{Hash: hasher.HashChildren}
	rng := rf.NewEmptyRange(0)
	checkOld := func() error {
		if old == nil || rng.End() != old.Size || old.Size == 0 {
			return nil
		}
		root, err := rng.GetRootHash(nil)
		if err != nil {
			return err
		}
		if !bytes.Equal(root, old.Hash) {
			return fmt.Errorf("HISTORY REWRITTEN: the first %d entries served now hash to %x, not to the root %x of the checkpoint of that size verified before", old.Size, root, old.Hash)
		}
		return nil
	}
	for rng.End() < cp.Size {
		start := rng.End()
		limit := min(uint64(entriesPage), cp.Size-start)
		body, err := m.get(ctx, "/v1/log/entries", url.Values{"start": {strconv.FormatUint(start, 10)}, "limit": {strconv.FormatUint(limit, 10)}}, true)
		if err != nil {
			return err
		}
		var page struct {
			Entries []struct {
				Index uint64 `json:"index"`
				Leaf  []byte `json:"leaf"`
			} `json:"entries"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return fmt.Errorf("entries from %d: not the API's JSON: %w", start, err)
		}
		if len(page.Entries) == 0 {
			return fmt.Errorf("the server serves %d entries, but its checkpoint has %d", start, cp.Size)
		}
		for _, e := range page.Entries {
			if e.Index != rng.End() {
				return fmt.Errorf("entries from %d: entry %d where %d was expected", start, e.Index, rng.End())
			}
			if rng.End() == cp.Size {
				break
			}
			if err := rng.Append(hasher.HashLeaf(e.Leaf), nil); err != nil {
				return err
			}
			if err := checkOld(); err != nil {
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

// consistencyProof fetches the consistency proof between two tree sizes.
func (m *mirror) consistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	body, err := m.get(ctx, "/v1/log/proof/consistency", url.Values{"from": {strconv.FormatUint(from, 10)}, "to": {strconv.FormatUint(to, 10)}}, false)
	if err != nil {
		return nil, err
	}
	var p struct {
		From   uint64   `json:"from"`
		To     uint64   `json:"to"`
		Hashes [][]byte `json:"hashes"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("consistency proof: not the API's JSON: %w", err)
	}
	if p.From != from || p.To != to {
		return nil, fmt.Errorf("asked for the consistency proof from %d to %d, got one from %d to %d", from, to, p.From, p.To)
	}
	return p.Hashes, nil
}

// defaultStatePath is ~/.trazo/verify-<first 16 hex digits of SHA-256(origin)>.state.
func defaultStatePath(origin string, getenv func(string) string) (string, error) {
	home := getenv("HOME")
	if home == "" {
		var err error
		if home, err = os.UserHomeDir(); err != nil {
			return "", fmt.Errorf("no home directory for the state file (give --state): %w", err)
		}
	}
	sum := sha256.Sum256([]byte(origin))
	return filepath.Join(home, ".trazo", "verify-"+hex.EncodeToString(sum[:8])+".state"), nil
}

// loadState reads a state file; nil when there is none yet.
func loadState(path string) (*verifyState, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state file: %w", err)
	}
	var st verifyState
	if err := json.Unmarshal(b, &st); err != nil || st.Origin == "" || st.Key == "" || st.Checkpoint == "" {
		return nil, fmt.Errorf("state file %s is damaged (remove it to start over): %v", path, err)
	}
	return &st, nil
}

func saveState(path string, st verifyState) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'), 0o644)
}

// givenFlags returns the flags set on the command line itself, not from
// the environment.
func givenFlags(fs *flag.FlagSet, args []string) map[string]bool {
	clone := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	clone.SetOutput(io.Discard)
	fs.VisitAll(func(f *flag.Flag) { clone.Var(f.Value, f.Name, f.Usage) })
	given := map[string]bool{}
	if clone.Parse(args) == nil {
		clone.Visit(func(f *flag.Flag) { given[f.Name] = true })
	}
	return given
}
