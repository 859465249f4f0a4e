package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
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

var errUnavailable = &apiError{http.StatusServiceUnavailable, "storage_unavailable", "storage is unavailable, try again later", ""}

// errorTable maps errors of the layers below to answers. The first entry
// that errors.Is matches wins. The domain's refusals that carry their own
// code (*ledger.Error, *ledger.ValidationError) are answered by
// domainError with that code; the sentinels below catch the bare ones.
var errorTable = []struct {
	target error
	answer *apiError
}{
	{tlog.ErrNotFound, errNotFound},
	{tlog.ErrRange, &apiError{http.StatusNotFound, "not_found", "no such index or tree size", ""}},
	{tlog.ErrStorage, errUnavailable},
	{tlog.ErrClosed, &apiError{http.StatusServiceUnavailable, "unavailable", "the server is shutting down", ""}},
	{tlog.ErrTooLarge, &apiError{http.StatusRequestEntityTooLarge, "body_too_large", "the request is too large to append", ""}},
	{ledger.ErrNotFound, errNotFound},
	{ledger.ErrConflict, &apiError{http.StatusConflict, "conflict", "the request conflicts with the current state", ""}},
	{ledger.ErrForbidden, errForbidden},
	{ledger.ErrProjectionsOutdated, &apiError{http.StatusServiceUnavailable, "projections_outdated", "the projections must be rebuilt (trazo reindex) before reports work", ""}},
	{context.DeadlineExceeded, &apiError{http.StatusServiceUnavailable, "timeout", "the request took too long, try again later", ""}},
	{context.Canceled, &apiError{http.StatusServiceUnavailable, "cancelled", "the request was cancelled", ""}},
}

// domainStatus is the status of a *ledger.Error of each kind.
var domainStatus = map[error]int{
	ledger.ErrNotFound:  http.StatusNotFound,
	ledger.ErrConflict:  http.StatusConflict,
	ledger.ErrForbidden: http.StatusForbidden,
}

// answerOf returns the answer to err, or nil when no rule knows it.
func answerOf(err error) *apiError {
	if ae, ok := errors.AsType[*apiError](err); ok {
		return ae
	}
	if authErr, ok := errors.AsType[*auth.Error](err); ok {
		return &apiError{http.StatusUnauthorized, authErr.Code, authErr.Reason, ""}
	}
	// Storage first: a domain call that failed to append is a 503 whatever
	// else its error says.
	if errors.Is(err, tlog.ErrStorage) {
		return errUnavailable
	}
	if ve, ok := errors.AsType[*ledger.ValidationError](err); ok {
		return &apiError{http.StatusUnprocessableEntity, ve.Code, clip(ve.Message, maxMessageEcho), clip(ve.Field, maxFieldEcho)}
	}
	if me, ok := errors.AsType[*ledger.Error](err); ok {
		if status, known := domainStatus[me.Kind]; known {
			return &apiError{status, me.Code, clip(me.Message, maxMessageEcho), ""}
		}
	}
	for _, e := range errorTable {
		if errors.Is(err, e.target) {
			return e.answer
		}
	}
	return nil
}

// queryError turns a domain refusal of a GET's request (a
// *ledger.ValidationError) into a 400 with its code and field: a GET's
// request is its query string, and a malformed query is the client's
// syntax, not a domain rule. Other errors are returned as they are.
func queryError(err error) error {
	if ve, ok := errors.AsType[*ledger.ValidationError](err); ok {
		return &apiError{http.StatusBadRequest, ve.Code, clip(ve.Message, maxMessageEcho), clip(ve.Field, maxFieldEcho)}
	}
	return err
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
// reason, never its wrapped text; a domain refusal with its own code,
// message and field (answerOf). Errors that no rule knows are logged and
// answered 500 with a generic message: no dependency's error text reaches
// a client.
func writeError(c *gin.Context, err error) {
	ae := answerOrLog(c, err)
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

// maxMessageEcho bounds a domain message, which may quote what the client
// sent.
const maxMessageEcho = 256

// clip cuts s to at most n bytes of valid UTF-8, marking the cut with "…".
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// answerOrLog returns the answer to err; an error that no rule knows is
// logged and answered 500 with a generic message.
func answerOrLog(c *gin.Context, err error) *apiError {
	if ae := answerOf(err); ae != nil {
		return ae
	}
	if s, ok := c.Get(serverKey); ok {
		s.(*Server).logger.ErrorContext(c.Request.Context(), "unexpected error", "err", err, "route", c.FullPath(), "request_id", c.GetString(requestIDKey))
	}
	return errInternal
}

const serverKey = "trazo.server"
