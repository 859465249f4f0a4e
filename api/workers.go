package api

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// handleRegisterWorker registers a worker: 201 {worker_id, index,
// leaf_hash} with its Location, or, for a travel document already known,
// 200 {worker_id, existing: true} and nothing appended.
func (s *Server) handleRegisterWorker() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.WorkerRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		res, err := s.domain.RegisterWorker(ctx, actor(c), req)
		if err != nil {
			writeError(c, err)
			return
		}
		if res.Existing {
			answer(c, ctx, http.StatusOK, res)
			return
		}
		created(c, ctx, "/v1/workers/"+url.PathEscape(res.WorkerID), res)
	}
}

// handleGetWorker answers a worker as the caller's role may see them. An
// inspector must give ?purpose=, and the read is appended to the log
// (access.recorded) before the answer; if that append fails, so does the
// read (503).
func (s *Server) handleGetWorker() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := requirePurpose(c); err != nil {
			writeError(c, err)
			return
		}
		v, err := s.domain.GetWorker(c.Request.Context(), actor(c), c.Param("id"), ledger.ReadRequest{Purpose: c.Query("purpose")})
		if err != nil {
			writeError(c, queryError(err, "purpose"))
			return
		}
		c.JSON(http.StatusOK, v)
	}
}

// handleWorkerHistory answers the entries naming a worker up to a signed
// checkpoint, with ?proofs=true each entry's inclusion proof against it.
// Inspectors give ?purpose=, as for handleGetWorker.
func (s *Server) handleWorkerHistory() gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := requirePurpose(c); err != nil {
			writeError(c, err)
			return
		}
		proofs := false
		switch q, given := c.GetQuery("proofs"); {
		case !given, q == "false":
		case q == "true":
			proofs = true
		default:
			writeError(c, badQuery("proofs", "proofs must be true or false"))
			return
		}
		h, err := s.domain.WorkerHistory(c.Request.Context(), actor(c), c.Param("id"), ledger.HistoryRequest{Purpose: c.Query("purpose"), Proofs: proofs})
		if err != nil {
			writeError(c, queryError(err, "purpose"))
			return
		}
		c.JSON(http.StatusOK, h)
	}
}

type accessPage struct {
	WorkerID   string                `json:"worker_id"`
	Accesses   []ledger.AccessRecord `json:"accesses"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

// handleWorkerAccess answers who read a worker's personal data, when and
// why, a page at a time in log order; the cursor is the index of the last
// record of the previous page.
func (s *Server) handleWorkerAccess() gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, err := queryLimit(c)
		if err != nil {
			writeError(c, err)
			return
		}
		var after uint64
		cursor, paged := c.GetQuery("cursor")
		if paged {
			if after, err = strconv.ParseUint(cursor, 10, 64); err != nil {
				writeError(c, badQuery("cursor", "cursor is not a next_cursor of this list"))
				return
			}
		}
		id := c.Param("id")
		all, err := s.domain.WorkerAccess(c.Request.Context(), actor(c), id)
		if err != nil {
			writeError(c, err)
			return
		}
		page := accessPage{WorkerID: id, Accesses: []ledger.AccessRecord{}}
		for _, r := range all {
			if paged && r.Index <= after {
				continue
			}
			if len(page.Accesses) == limit {
				page.NextCursor = strconv.FormatUint(page.Accesses[limit-1].Index, 10)
				break
			}
			page.Accesses = append(page.Accesses, r)
		}
		c.JSON(http.StatusOK, page)
	}
}

// handleEraseWorker destroys a worker's personal data key: 200 {index,
// leaf_hash}; later reads show "erased": true and no personal data.
func (s *Server) handleEraseWorker() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.ReasonRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		rc, err := s.domain.EraseWorker(ctx, actor(c), c.Param("id"), req)
		if err != nil {
			writeError(c, err)
			return
		}
		answer(c, ctx, http.StatusOK, rc)
	}
}
