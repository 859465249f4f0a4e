package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// handleIssuePermit issues a permit: 201 {permit_id, index, leaf_hash}.
func (s *Server) handleIssuePermit() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.PermitRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		res, err := s.domain.IssuePermit(ctx, actor(c), req)
		if err != nil {
			writeError(c, err)
			return
		}
		created(c, ctx, "", res)
	}
}

// handleRevokePermit revokes a permit: 200 {index, leaf_hash}; a permit
// already revoked is 409.
func (s *Server) handleRevokePermit() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.ReasonRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		rc, err := s.domain.RevokePermit(ctx, actor(c), c.Param("id"), req)
		if err != nil {
			writeError(c, err)
			return
		}
		answer(c, ctx, http.StatusOK, rc)
	}
}

// handleRecordCrossing records a crossing: 201 {index, leaf_hash,
// warnings}. A crossing whose client_ref this border post recorded before
// is not appended again: 200 with that crossing's index and
// "duplicate": true.
func (s *Server) handleRecordCrossing() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.CrossingRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		res, err := s.domain.RecordCrossing(ctx, actor(c), req)
		if err != nil {
			writeError(c, err)
			return
		}
		if res.Duplicate {
			answer(c, ctx, http.StatusOK, res)
			return
		}
		created(c, ctx, "", res)
	}
}

// batchItem is the answer for one crossing of a batch: its status
// (created, duplicate or rejected), the receipt and warnings of a created
// or duplicate crossing, and the error body of a rejected one.
type batchItem struct {
	ClientRef string `json:"client_ref"`
	Status    string `json:"status"`
	*ledger.CrossingResult
	Error *errorDetail `json:"error,omitempty"`
}

type batchResponse struct {
	Results []batchItem `json:"results"`
}

// handleRecordCrossings records up to 1000 crossings, each on its own
// (for posts syncing after being offline): 200 {results: [{client_ref,
// status, index?, leaf_hash?, warnings?, error?}]}, in order. A replayed
// client_ref is not appended twice (status duplicate).
func (s *Server) handleRecordCrossings() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.BatchRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		res, err := s.domain.RecordCrossings(ctx, actor(c), req)
		if err != nil {
			writeError(c, err)
			return
		}
		out := batchResponse{Results: make([]batchItem, len(res.Results))}
		for i, it := range res.Results {
			out.Results[i] = batchItem{ClientRef: it.ClientRef, Status: it.Status, CrossingResult: it.CrossingResult}
			if it.Err != nil {
				ae := answerOrLog(c, it.Err)
				out.Results[i].Error = &errorDetail{Code: ae.code, Message: ae.message, Field: ae.field}
				out.Results[i].CrossingResult = nil
			}
		}
		answer(c, ctx, http.StatusOK, out)
	}
}

// handleStartPlacement starts a placement at the calling employer: 201
// {placement_id, index, leaf_hash, warnings}.
func (s *Server) handleStartPlacement() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.PlacementRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		res, err := s.domain.StartPlacement(ctx, actor(c), req)
		if err != nil {
			writeError(c, err)
			return
		}
		created(c, ctx, "", res)
	}
}

// handleEndPlacement ends a placement of the calling employer: 200
// {index, leaf_hash}; another employer's placement is 404, an ended one
// 409.
func (s *Server) handleEndPlacement() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.EndPlacementRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		rc, err := s.domain.EndPlacement(ctx, actor(c), c.Param("id"), req)
		if err != nil {
			writeError(c, err)
			return
		}
		answer(c, ctx, http.StatusOK, rc)
	}
}
