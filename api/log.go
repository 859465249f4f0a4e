package api

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gin-gonic/gin/binding"
	"github.com/transparency-dev/formats/proof"
	"github.com/trazo-ledger/trazo/ledger"
)

func (s *Server) handleHealthz() gin.HandlerFunc {
	return func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) }
}

func (s *Server) handleReadyz() gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		if err := s.log.Ready(ctx); err != nil {
			c.JSON(http.StatusServiceUnavailable, errorBody{Error: errorDetail{Code: "not_ready", Message: "the store is not writable"}})
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	}
}

func (s *Server) handleMetrics() gin.HandlerFunc {
	return gin.WrapH(s.metrics.handler())
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) handleOpenAPI() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Data(http.StatusOK, "application/json", openAPIDoc)
	}
}

// handleCheckpoint serves the newest signed checkpoint, or with ?size=N the
// one of that size (404 beyond the log's size).
func (s *Server) handleCheckpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		var cp []byte
		if _, ok := c.GetQuery("size"); ok {
			size, err := queryUint(c, "size", 0)
			if err != nil {
				writeError(c, err)
				return
			}
			if cp, err = s.log.CheckpointAt(size); err != nil {
				writeError(c, err)
				return
			}
		} else {
			cp, _ = s.log.LatestCheckpoint()
		}
		c.Writer.Header()["Cache-Control"] = hdrNoStore
		c.Data(http.StatusOK, "text/plain; charset=utf-8", cp)
	}
}

func (s *Server) handleKey() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(s.log.VerifierKey()+"\n"))
	}
}

type logEntry struct {
	Index uint64 `json:"index"`
	Leaf  []byte `json:"leaf"`
}

type entriesResponse struct {
	Entries   []logEntry `json:"entries"`
	NextStart uint64     `json:"next_start"`
}

// handleEntries serves the exact leaf bytes of up to ?limit= entries from
// ?start=, for mirrors and auditors. next_start (start plus the number of
// entries returned) is where to continue; at the end it stays put until
// the log grows.
func (s *Server) handleEntries() gin.HandlerFunc {
	return func(c *gin.Context) {
		start, err := queryUint(c, "start", 0)
		if err != nil {
			writeError(c, err)
			return
		}
		limit, err := queryLimit(c)
		if err != nil {
			writeError(c, err)
			return
		}
		leaves, err := s.log.Entries(start, limit)
		if err != nil {
			writeError(c, err)
			return
		}
		resp := entriesResponse{Entries: make([]logEntry, len(leaves)), NextStart: start + uint64(len(leaves))}
		for i, l := range leaves {
			resp.Entries[i] = logEntry{Index: start + uint64(i), Leaf: l}
		}
		c.JSON(http.StatusOK, resp)
	}
}

type inclusionResponse struct {
	Index  uint64   `json:"index"`
	Size   uint64   `json:"size"`
	Hashes [][]byte `json:"hashes"`
}

// handleInclusionProof serves the inclusion proof of ?index= in the tree of
// ?size= (default: the latest checkpoint's size), as JSON or, with
// Accept: text/plain, as a C2SP tlog-proof carrying the checkpoint of that
// size. Employers get proofs of their own entries only (404 otherwise).
func (s *Server) handleInclusionProof() gin.HandlerFunc {
	return func(c *gin.Context) {
		index, err := requiredQueryUint(c, "index")
		if err != nil {
			writeError(c, err)
			return
		}
		if p := principal(c); p != nil && ledger.Role(p.Role) == ledger.RoleEmployer {
			if s.entryOwner == nil {
				writeError(c, errNotFound)
				return
			}
			own, err := s.entryOwner(c.Request.Context(), p.Org, index)
			if err != nil {
				writeError(c, err)
				return
			}
			if !own {
				writeError(c, errNotFound)
				return
			}
		}
		var cp []byte
		var size uint64
		if _, given := c.GetQuery("size"); given {
			if size, err = queryUint(c, "size", 0); err != nil {
				writeError(c, err)
				return
			}
		} else {
			cp, size = s.log.LatestCheckpoint()
		}
		hashes, err := s.log.InclusionProof(index, size)
		if err != nil {
			writeError(c, err)
			return
		}
		if c.NegotiateFormat(binding.MIMEJSON, binding.MIMEPlain) != binding.MIMEPlain {
			c.JSON(http.StatusOK, inclusionResponse{Index: index, Size: size, Hashes: nonNil(hashes)})
			return
		}
		if cp == nil {
			if cp, err = s.log.CheckpointAt(size); err != nil {
				writeError(c, err)
				return
			}
		}
		tp := proof.TLogProof{Index: index, Hashes: make([][sha256.Size]byte, len(hashes)), Checkpoint: cp}
		for i, h := range hashes {
			if len(h) != sha256.Size {
				writeError(c, errors.New("inclusion proof hash of wrong length"))
				return
			}
			tp.Hashes[i] = [sha256.Size]byte(h)
		}
		c.Data(http.StatusOK, "text/plain; charset=utf-8", tp.Marshal())
	}
}

type consistencyResponse struct {
	From   uint64   `json:"from"`
	To     uint64   `json:"to"`
	Hashes [][]byte `json:"hashes"`
}

// handleConsistencyProof serves the consistency proof between the trees
// of sizes ?from= and ?to= (default: the latest checkpoint's size).
func (s *Server) handleConsistencyProof() gin.HandlerFunc {
	return func(c *gin.Context) {
		from, err := requiredQueryUint(c, "from")
		if err != nil {
			writeError(c, err)
			return
		}
		_, latest := s.log.LatestCheckpoint()
		to, err := queryUint(c, "to", latest)
		if err != nil {
			writeError(c, err)
			return
		}
		if from > to {
			writeError(c, badQuery("from", "from must not be greater than to"))
			return
		}
		hashes, err := s.log.ConsistencyProof(from, to)
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, consistencyResponse{From: from, To: to, Hashes: nonNil(hashes)})
	}
}

// nonNil makes an empty proof encode as [] rather than null.
func nonNil(h [][]byte) [][]byte {
	if h == nil {
		return [][]byte{}
	}
	return h
}
