package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// The one adapter between the domain routes and the domain.
//
// A domain route's line in routes.go names a method of *ledger.Service (a
// method expression) and how its result is answered. One of the shapes
// below, by where the method's request comes from, makes it a handler:
//
//	post(m, reply)    POST; the JSON body is the request: m(ctx, a, req)
//	postAt(m, reply)  POST to a resource: m(ctx, a, id, req), id the :id
//	                  (string) or :index (uint64) of the path
//	get(m, bind)      GET; bind reads the request from the query string
//	getAt(m, bind)    GET of a resource: m(ctx, a, id, req)
//	getOne(m)         GET of a resource by id alone: m(ctx, a, id)
//
// handle does the rest: the domain call with the caller as a ledger.Actor,
// then the answer.

// call is a domain call with its request read, waiting for the domain and
// the caller.
type call[Res any] func(svc *ledger.Service, ctx context.Context, a ledger.Actor) (Res, error)

// reply says how a result is answered: its status, its Location ("" for
// none) and its JSON body.
type reply[Res any] func(c *gin.Context, res Res) (status int, location string, body any)

// binder reads a GET's request from its query string. Its refusals, and
// the domain's (*ledger.ValidationError), are malformed queries (400).
type binder[Req any] func(c *gin.Context) (Req, error)

// handle makes the handler of a domain route: read reads the request (or
// refuses it) and returns the call and the context to make it with; the
// answer is rep's, with Idempotent-Replayed when the domain replayed an
// earlier answer. While Config.Domain is nil, the route is notImplemented.
func handle[Res any](read func(c *gin.Context) (context.Context, call[Res], error), rep reply[Res]) func(*Server) gin.HandlerFunc {
	return func(s *Server) gin.HandlerFunc {
		if s.domain == nil {
			return notImplemented
		}
		return func(c *gin.Context) {
			ctx, do, err := read(c)
			var res Res
			if err == nil {
				res, err = do(s.domain, ctx, actor(c))
			}
			if err != nil {
				if c.Request.Method == http.MethodGet {
					err = queryError(err)
				}
				writeError(c, err)
				return
			}
			status, location, body := rep(c, res)
			if location != "" {
				c.Header("Location", location)
			}
			if ledger.Replayed(ctx) {
				c.Header(replayedHeader, "true")
			}
			c.JSON(status, body)
		}
	}
}

// notImplemented answers a domain route while Config.Domain is nil: 501
// not_implemented, after guard's checks and, for a POST, decodeJSON's
// checks that hold for any body (media type, size, syntax, duplicate
// keys).
func notImplemented(c *gin.Context) {
	if c.Request.Method == http.MethodPost {
		var body json.RawMessage
		if err := decodeJSON(c, &body); err != nil {
			writeError(c, err)
			return
		}
	}
	writeError(c, errNotImplemented)
}

// replayedHeader marks an answer replayed from an earlier request with the
// same Idempotency-Key and body.
const replayedHeader = "Idempotent-Replayed"

// post is the shape of an operation whose request is the JSON body.
func post[Req, Res any](m func(*ledger.Service, context.Context, ledger.Actor, Req) (Res, error), rep reply[Res]) func(*Server) gin.HandlerFunc {
	return handle(func(c *gin.Context) (context.Context, call[Res], error) {
		var req Req
		ctx, err := decodeBody(c, &req)
		return ctx, func(svc *ledger.Service, ctx context.Context, a ledger.Actor) (Res, error) {
			return m(svc, ctx, a, req)
		}, err
	}, rep)
}

// postAt is the shape of an operation on the resource of the path, whose
// request is the JSON body. The path is read first: an :index that is not
// a number is no entry (404).
func postAt[ID pathID, Req, Res any](m func(*ledger.Service, context.Context, ledger.Actor, ID, Req) (Res, error), rep reply[Res]) func(*Server) gin.HandlerFunc {
	return handle(func(c *gin.Context) (context.Context, call[Res], error) {
		id, err := pathParam[ID](c)
		if err != nil {
			return nil, nil, err
		}
		var req Req
		ctx, err := decodeBody(c, &req)
		return ctx, func(svc *ledger.Service, ctx context.Context, a ledger.Actor) (Res, error) {
			return m(svc, ctx, a, id, req)
		}, err
	}, rep)
}

// get is the shape of a read whose request is the query string.
func get[Req, Res any](m func(*ledger.Service, context.Context, ledger.Actor, Req) (Res, error), bind binder[Req]) func(*Server) gin.HandlerFunc {
	return handle(func(c *gin.Context) (context.Context, call[Res], error) {
		req, err := bind(c)
		return c.Request.Context(), func(svc *ledger.Service, ctx context.Context, a ledger.Actor) (Res, error) {
			return m(svc, ctx, a, req)
		}, err
	}, ok[Res])
}

// getAt is the shape of a read of the resource of the path, qualified by
// the query string.
func getAt[Req, Res any](m func(*ledger.Service, context.Context, ledger.Actor, string, Req) (Res, error), bind binder[Req]) func(*Server) gin.HandlerFunc {
	return handle(func(c *gin.Context) (context.Context, call[Res], error) {
		id := c.Param("id")
		req, err := bind(c)
		return c.Request.Context(), func(svc *ledger.Service, ctx context.Context, a ledger.Actor) (Res, error) {
			return m(svc, ctx, a, id, req)
		}, err
	}, ok[Res])
}

// getOne is the shape of a read of the resource of the path.
func getOne[Res any](m func(*ledger.Service, context.Context, ledger.Actor, string) (Res, error)) func(*Server) gin.HandlerFunc {
	return handle(func(c *gin.Context) (context.Context, call[Res], error) {
		id := c.Param("id")
		return c.Request.Context(), func(svc *ledger.Service, ctx context.Context, a ledger.Actor) (Res, error) { return m(svc, ctx, a, id) }, nil
	}, ok[Res])
}

// pathID is the type of a route's one path parameter: the string :id of a
// resource, or the uint64 :index of a log entry.
type pathID interface{ string | uint64 }

var errNoEntry = &apiError{http.StatusNotFound, "not_found", "entry not found", ""}

// pathParam returns the route's path parameter as an ID: :id, or :index
// as a number (errNoEntry when it is not one).
func pathParam[ID pathID](c *gin.Context) (ID, error) {
	var id ID
	switch p := any(&id).(type) {
	case *string:
		*p = c.Param("id")
	case *uint64:
		n, err := strconv.ParseUint(c.Param("index"), 10, 64)
		if err != nil {
			return id, errNoEntry
		}
		*p = n
	}
	return id, nil
}

// Replies.

// ok answers 200 with the result.
func ok[Res any](_ *gin.Context, res Res) (int, string, any) { return http.StatusOK, "", res }

// created answers 201 with the result.
func created[Res any](_ *gin.Context, res Res) (int, string, any) {
	return http.StatusCreated, "", res
}

// createdEmployer answers 201 with the new employer's Location.
func createdEmployer(_ *gin.Context, r ledger.EmployerResult) (int, string, any) {
	return http.StatusCreated, "/v1/employers/" + url.PathEscape(r.EmployerID), r
}

// createdWorker answers 201 with the new worker's Location, or 200 for a
// travel document already known (nothing appended).
func createdWorker(_ *gin.Context, r ledger.WorkerResult) (int, string, any) {
	if r.Existing {
		return http.StatusOK, "", r
	}
	return http.StatusCreated, "/v1/workers/" + url.PathEscape(r.WorkerID), r
}

// createdCrossing answers 201, or 200 for a client_ref this border post
// recorded before (nothing appended).
func createdCrossing(_ *gin.Context, r ledger.CrossingResult) (int, string, any) {
	if r.Duplicate {
		return http.StatusOK, "", r
	}
	return http.StatusCreated, "", r
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

// batchAnswered answers 200 with each crossing's result, a rejected one's
// refusal as the error body the error table gives it.
func batchAnswered(c *gin.Context, r ledger.BatchResult) (int, string, any) {
	out := batchResponse{Results: make([]batchItem, len(r.Results))}
	for i, it := range r.Results {
		out.Results[i] = batchItem{ClientRef: it.ClientRef, Status: it.Status, CrossingResult: it.CrossingResult}
		if it.Err != nil {
			ae := answerOrLog(c, it.Err)
			out.Results[i].Error = &errorDetail{Code: ae.code, Message: ae.message, Field: ae.field}
			out.Results[i].CrossingResult = nil
		}
	}
	return http.StatusOK, "", out
}

// Binders.

// listQuery reads ?limit= (ledger.ParseLimit) and ?cursor=.
func listQuery(c *gin.Context) (ledger.ListRequest, error) {
	req := ledger.ListRequest{Cursor: c.Query("cursor")}
	if s, given := c.GetQuery("limit"); given {
		n, err := ledger.ParseLimit(s)
		if err != nil {
			return req, err
		}
		req.Limit = n
	}
	return req, nil
}

// readQuery reads ?purpose=.
func readQuery(c *gin.Context) (ledger.ReadRequest, error) {
	return ledger.ReadRequest{Purpose: c.Query("purpose")}, nil
}

// historyQuery reads ?purpose= and ?proofs= (true or false).
func historyQuery(c *gin.Context) (ledger.HistoryRequest, error) {
	req := ledger.HistoryRequest{Purpose: c.Query("purpose")}
	switch q, given := c.GetQuery("proofs"); {
	case !given, q == "false":
	case q == "true":
		req.Proofs = true
	default:
		return req, badQuery("proofs", "proofs must be true or false")
	}
	return req, nil
}

// findingsQuery reads the filter (?type=, ?employer_id=, ?from=, ?to=)
// and the page (listQuery).
func findingsQuery(c *gin.Context) (ledger.FindingsRequest, error) {
	page, err := listQuery(c)
	f := ledger.FindingsFilter{Type: c.Query("type"), EmployerID: c.Query("employer_id"), From: c.Query("from"), To: c.Query("to")}
	return ledger.FindingsRequest{FindingsFilter: f, ListRequest: page}, err
}
