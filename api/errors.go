package api

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/auth"
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

// badQuery returns the 400 answer for a bad query parameter.
func badQuery(param, message string) *apiError {
	return &apiError{http.StatusBadRequest, "invalid_query", message, param}
}

var (
	errNoRoute        = &apiError{http.StatusNotFound, "not_found", "no such resource", ""}
	errNoMethod       = &apiError{http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this resource", ""}
	errInternal       = &apiError{http.StatusInternalServerError, "internal", "internal error", ""}
	errNotFound       = &apiError{http.StatusNotFound, "not_found", "not found", ""}
	errNotImplemented = &apiError{http.StatusNotImplemented, "not_implemented", "this operation is not available yet", ""}
	errForbidden      = &apiError{http.StatusForbidden, "forbidden", "your role may not use this operation", ""}
	errTokenInQuery   = &apiError{http.StatusUnauthorized, "token_in_query", "tokens are accepted only in the Authorization header", ""}
	errUnknownEmp     = &apiError{http.StatusUnauthorized, "employer_unknown", "the token's org is not a registered employer", ""}
	errRateLimited    = &apiError{http.StatusTooManyRequests, "rate_limited", "too many requests, retry later", ""}
)

// errorTable maps errors of the layers below to answers. The first entry
// that errors.Is matches wins.
var errorTable = []struct {
	target error
	answer *apiError
}{
	{ledger.ErrNotFound, errNotFound},
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

// writeError answers err with its status and the JSON error body. A
// refused credential (auth.Error) is answered 401 with its code and fixed
// reason, never its wrapped text. Errors that no table entry knows are
// logged and answered 500 with a generic message: no dependency's error
// text reaches a client.
func writeError(c *gin.Context, err error) {
	var ae *apiError
	var authErr *auth.Error
	switch {
	case errors.As(err, &ae):
	case errors.As(err, &authErr):
		ae = &apiError{http.StatusUnauthorized, authErr.Code, authErr.Reason, ""}
	default:
		for _, e := range errorTable {
			if errors.Is(err, e.target) {
				ae = e.answer
				break
			}
		}
	}
	if ae == nil {
		if s, ok := c.Get(serverKey); ok {
			s.(*Server).logger.ErrorContext(c.Request.Context(), "unexpected error", "err", err, "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
		}
		ae = errInternal
	}
	switch ae.status {
	case http.StatusMethodNotAllowed:
		if c.Writer.Header().Get("Allow") == "" {
			c.Header("Allow", "GET, POST")
		}
	case http.StatusUnauthorized:
		c.Header("WWW-Authenticate", `Bearer realm="trazo", error="invalid_token"`)
	}
	c.AbortWithStatusJSON(ae.status, errorBody{Error: errorDetail{Code: ae.code, Message: ae.message, Field: ae.field}})
}

const serverKey = "trazo.server"
