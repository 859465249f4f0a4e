package api

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/report"
)

// Reports is what the API needs of the report engine; *report.Engine
// satisfies it.
type Reports interface {
	Circular(ctx context.Context, a ledger.Actor, req report.Request) (*report.Report, error)
}

var _ Reports = (*report.Engine)(nil)

// handleReport answers GET /v1/reports/circular: aggregates only, as JSON
// or CSV. A query the engine refuses is a malformed query (400) naming the
// parameter.
func (s *Server) handleReport() gin.HandlerFunc {
	return func(c *gin.Context) {
		if s.reports == nil {
			writeError(c, errNotImplemented)
			return
		}
		req, err := report.ParseQuery(c.Request.URL.Query())
		if err == nil {
			req, err = req.Validate()
		}
		if err != nil {
			writeError(c, queryError(err))
			return
		}
		rep, err := s.reports.Circular(c.Request.Context(), actor(c), req)
		if err != nil {
			writeError(c, err)
			return
		}
		c.Status(http.StatusOK)
		c.Header("Content-Type", report.ContentType(req.Format))
		c.Header("Cache-Control", "no-store")
		if err := report.Write(c.Writer, rep, req.Format); err != nil {
			s.logger.ErrorContext(c.Request.Context(), "write report", "err", err)
		}
	}
}
