package api

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// handleEmployerWorkers answers a page of the workers an employer
// registered or placed, each with the status the employer may see
// (presence, permits and their validity, its own active placements):
// {employer_id, workers, next_cursor} (absent at the end). An employer
// asks about itself only (guard answers 404 for another id). This route
// extends API.md, which has no list of an employer's workers.
func (s *Server) handleEmployerWorkers() gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, err := queryLimit(c)
		if err != nil {
			writeError(c, err)
			return
		}
		page, err := s.domain.EmployerWorkerStatuses(c.Request.Context(), actor(c), c.Param("id"), ledger.ListRequest{Limit: limit, Cursor: c.Query("cursor")})
		if err != nil {
			writeError(c, queryError(err, "cursor"))
			return
		}
		c.JSON(http.StatusOK, page)
	}
}
