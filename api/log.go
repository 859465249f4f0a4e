package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
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

// handleCheckpoint serves the newest signed checkpoint, or with ?size=N the
// one issued at that size.
func (s *Server) handleCheckpoint() gin.HandlerFunc {
	return func(c *gin.Context) {
		cp := s.log.Checkpoint()
		if q, ok := c.GetQuery("size"); ok {
			size, err := strconv.ParseUint(q, 10, 64)
			if err != nil {
				writeError(c, &apiError{http.StatusBadRequest, "invalid_query", "size must be a non-negative integer", "size"})
				return
			}
			if cp, err = s.log.CheckpointAt(size); err != nil {
				writeError(c, err)
				return
			}
		}
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusOK, "text/plain; charset=utf-8", cp)
	}
}

func (s *Server) handleKey() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Data(http.StatusOK, "text/plain; charset=utf-8", []byte(s.log.VerifierKey()+"\n"))
	}
}
