package api

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// handleRegisterEmployer registers an employer: 201 {employer_id, index,
// leaf_hash} with its Location; a second employer with the same country
// and tax id is 409 employer_exists.
func (s *Server) handleRegisterEmployer() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.EmployerRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		res, err := s.domain.RegisterEmployer(ctx, actor(c), req)
		if err != nil {
			writeError(c, err)
			return
		}
		created(c, ctx, "/v1/employers/"+url.PathEscape(res.EmployerID), res)
	}
}

// handleGetEmployer answers one employer; an employer caller only itself
// (guard answers 404 for the others).
func (s *Server) handleGetEmployer() gin.HandlerFunc {
	return func(c *gin.Context) {
		emp, err := s.domain.GetEmployer(c.Request.Context(), actor(c), c.Param("id"))
		if err != nil {
			writeError(c, err)
			return
		}
		c.JSON(http.StatusOK, emp)
	}
}

// handleListEmployers answers a page of employers in registration order:
// {employers, next_cursor} (absent at the end).
func (s *Server) handleListEmployers() gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, err := queryLimit(c)
		if err != nil {
			writeError(c, err)
			return
		}
		page, err := s.domain.ListEmployers(c.Request.Context(), actor(c), ledger.ListRequest{Limit: limit, Cursor: c.Query("cursor")})
		if err != nil {
			writeError(c, queryError(err, "cursor"))
			return
		}
		c.JSON(http.StatusOK, page)
	}
}

// handleSuspendEmployer suspends an employer: 200 {index, leaf_hash}; an
// employer already suspended is 409.
func (s *Server) handleSuspendEmployer() gin.HandlerFunc {
	return func(c *gin.Context) {
		var req ledger.ReasonRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		rc, err := s.domain.SuspendEmployer(ctx, actor(c), c.Param("id"), req)
		if err != nil {
			writeError(c, err)
			return
		}
		answer(c, ctx, http.StatusOK, rc)
	}
}
