package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	tproof "github.com/transparency-dev/formats/proof"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// checkpointRoot verifies a served checkpoint and returns its size and root.
func (e *env) checkpointRoot(cp []byte) (uint64, []byte) {
	e.t.Helper()
	c, err := tlog.OpenCheckpoint(cp, testOrigin, e.log.VerifierKey())
	if err != nil {
		e.t.Fatalf("checkpoint does not verify: %v\n%s", err, cp)
	}
	return c.Size, c.Hash
}

func TestLogEntries(t *testing.T) {
	e := newEnv(t, 7).start(HTTPLimits{})
	tok := e.token(ledger.RoleInspector, "MTSS")
	var all []logEntry
	next := uint64(0)
	for range 10 {
		resp, b := e.get(fmt.Sprintf("/v1/log/entries?start=%d&limit=3", next), tok)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		var page entriesResponse
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) > 0 && !strings.Contains(string(b), `"leaf":"`) || !strings.Contains(string(b), `"next_start":`) {
			t.Errorf("body shape: %s", b)
		}
		all = append(all, page.Entries...)
		if page.NextStart == next {
			break
		}
		next = page.NextStart
	}
	if len(all) != 7 || next != 7 {
		t.Fatalf("read %d entries, next_start %d; want 7, 7", len(all), next)
	}
	for i, en := range all {
		want, _ := e.log.Entry(uint64(i))
		if en.Index != uint64(i) || string(en.Leaf) != string(want) {
			t.Errorf("entry %d = %d %q, want %q", i, en.Index, en.Leaf, want)
		}
	}
	resp, b := e.get("/v1/log/entries", tok)
	var page entriesResponse
	json.Unmarshal(b, &page)
	if resp.StatusCode != 200 || len(page.Entries) != 7 {
		t.Errorf("default page: %d, %d entries", resp.StatusCode, len(page.Entries))
	}
	if resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("authenticated answer Cache-Control %q", resp.Header.Get("Cache-Control"))
	}
	resp, b = e.get("/v1/log/entries?start=100", tok)
	if resp.StatusCode != 200 || string(b) != `{"entries":[],"next_start":100}` {
		t.Errorf("past the end: %d %s", resp.StatusCode, b)
	}
}

func TestInclusionProof(t *testing.T) {
	e := newEnv(t, 5).start(HTTPLimits{})
	tok := e.token(ledger.RoleInspector, "MTSS")
	_, cp := e.get("/v1/log/checkpoint", "")
	size, root := e.checkpointRoot(cp)

	for _, index := range []uint64{0, 3, 4} {
		leaf, _ := e.log.Entry(index)
		resp, b := e.get(fmt.Sprintf("/v1/log/proof/inclusion?index=%d", index), tok)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		var p inclusionResponse
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if p.Index != index || p.Size != size {
			t.Errorf("proof names %d/%d, want %d/%d", p.Index, p.Size, index, size)
		}
		if err := proof.VerifyInclusion(rfc6962.DefaultHasher, index, size, tlog.LeafHash(leaf), p.Hashes, root); err != nil {
			t.Errorf("index %d: proof does not verify against the checkpoint: %v", index, err)
		}
	}

	// Against an earlier size, with the checkpoint of that size.
	_, old := e.get("/v1/log/checkpoint?size=3", "")
	oldSize, oldRoot := e.checkpointRoot(old)
	resp, b := e.get("/v1/log/proof/inclusion?index=1&size=3", tok)
	var p inclusionResponse
	json.Unmarshal(b, &p)
	leaf1, _ := e.log.Entry(1)
	if resp.StatusCode != 200 || proof.VerifyInclusion(rfc6962.DefaultHasher, 1, oldSize, tlog.LeafHash(leaf1), p.Hashes, oldRoot) != nil {
		t.Errorf("proof at size 3: %d %s", resp.StatusCode, b)
	}

	t.Run("tlog-proof", func(t *testing.T) {
		for _, q := range []string{"index=2", "index=2&size=3"} {
			resp, b := e.do(req{method: "GET", path: "/v1/log/proof/inclusion?" + q, token: tok, header: http.Header{"Accept": {"text/plain"}}})
			if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
				t.Fatalf("%s: %d %s", q, resp.StatusCode, b)
			}
			var tp tproof.TLogProof
			if err := tp.Unmarshal(b); err != nil {
				t.Fatalf("not a tlog-proof: %v\n%s", err, b)
			}
			size, root := e.checkpointRoot(tp.Checkpoint)
			hashes := make([][]byte, len(tp.Hashes))
			for i := range tp.Hashes {
				hashes[i] = tp.Hashes[i][:]
			}
			leaf, _ := e.log.Entry(tp.Index)
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, tp.Index, size, tlog.LeafHash(leaf), hashes, root); err != nil {
				t.Errorf("%s: tlog-proof does not verify: %v", q, err)
			}
		}
	})

	for _, tc := range []struct {
		q      string
		status int
	}{
		{"index=5", 404},
		{"index=1&size=1", 404},
		{"index=0&size=6", 404},
		{"index=0&size=0", 404},
	} {
		resp, b := e.get("/v1/log/proof/inclusion?"+tc.q, tok)
		wantError(t, resp, b, tc.status, "not_found", "-")
	}

	t.Run("employers without an owner check", func(t *testing.T) {
		e := newEnv(t, 2, func(c *Config) { c.EntryOwner = nil }).start(HTTPLimits{})
		resp, b := e.get("/v1/log/proof/inclusion?index=0", e.token(ledger.RoleEmployer, "emp_A"))
		wantError(t, resp, b, 404, "not_found", "")
		if resp, _ := e.get("/v1/log/proof/inclusion?index=0", e.token(ledger.RoleInspector, "MTSS")); resp.StatusCode != 200 {
			t.Errorf("inspector: %d", resp.StatusCode)
		}
	})
}

func TestConsistencyProof(t *testing.T) {
	e := newEnv(t, 6).start(HTTPLimits{})
	_, cp := e.get("/v1/log/checkpoint", "")
	size, root := e.checkpointRoot(cp)
	for _, from := range []uint64{1, 2, 5, 6} {
		_, old := e.get(fmt.Sprintf("/v1/log/checkpoint?size=%d", from), "")
		oldSize, oldRoot := e.checkpointRoot(old)
		resp, b := e.get(fmt.Sprintf("/v1/log/proof/consistency?from=%d", from), "")
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		var p consistencyResponse
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(consistencyResponse{From: from, To: size, Hashes: p.Hashes}, p); diff != "" {
			t.Error(diff)
		}
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, oldSize, size, p.Hashes, oldRoot, root); err != nil {
			t.Errorf("from %d: %v", from, err)
		}
	}
	resp, b := e.get("/v1/log/proof/consistency?from=2&to=4", "")
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"to":4`) {
		t.Errorf("explicit to: %d %s", resp.StatusCode, b)
	}
	resp, b = e.get("/v1/log/proof/consistency?from=1&to=7", "")
	wantError(t, resp, b, 404, "not_found", "-")
}
