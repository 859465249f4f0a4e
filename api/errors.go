package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// apiError is an error with its HTTP status, stable code and message.
type apiError struct {
	status  int
	code    string
	message string
	field   string
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

var (
	errNoRoute  = &apiError{http.StatusNotFound, "not_found", "no such resource", ""}
	errNoMethod = &apiError{http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this resource", ""}
	errInternal = &apiError{http.StatusInternalServerError, "internal", "internal error", ""}
)

// errorTable maps errors of the layers below to answers. The first entry
// that errors.Is matches wins.
var errorTable = []struct {
	target error
	answer *apiError
}{
	{ledger.ErrNotFound, &apiError{http.StatusNotFound, "not_found", "not found", ""}},
	{ledger.ErrRange, &apiError{http.StatusNotFound, "not_found", "no such index or tree size", ""}},
	{ledger.ErrStorage, &apiError{http.StatusServiceUnavailable, "storage_unavailable", "storage is unavailable, try again later", ""}},
	{ledger.ErrClosed, &apiError{http.StatusServiceUnavailable, "unavailable", "the server is shutting down", ""}},
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeError answers err with its status and the JSON error body. Errors
// that no table entry knows are logged and answered 500 with a generic
// message: no dependency's error text reaches a client.
func writeError(c *gin.Context, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		for _, e := range errorTable {
			if errors.Is(err, e.target) {
				ae = e.answer
				break
			}
		}
	}
	if ae == nil {
		if s, ok := c.Get(serverKey); ok {
			s.(*Server).logger.ErrorContext(c.Request.Context(), "unexpected error", "err", err, "route", c.FullPath())
		}
		ae = errInternal
	}
	if ae.status == http.StatusMethodNotAllowed && c.Writer.Header().Get("Allow") == "" {
		c.Header("Allow", "GET, POST")
	}
	c.AbortWithStatusJSON(ae.status, errorBody{Error: errorDetail{Code: ae.code, Message: ae.message, Field: ae.field}})
}

const serverKey = "trazo.server"
