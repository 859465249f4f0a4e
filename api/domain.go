package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// Domain is the mobility domain that the domain routes call
// (*ledger.Service satisfies it). Every method takes the caller as a
// ledger.Actor and enforces the role and tenancy rules itself; the API's
// guard has already checked the role against routes.go. Refusals are
// *ledger.ValidationError (422) or *ledger.Error wrapping
// ledger.ErrNotFound (404), ErrConflict (409) or ErrForbidden (403);
// storage failures wrap tlog.ErrStorage (503).
type Domain interface {
	RegisterEmployer(ctx context.Context, a ledger.Actor, req ledger.EmployerRequest) (ledger.EmployerResult, error)
	GetEmployer(ctx context.Context, a ledger.Actor, id string) (ledger.Employer, error)
	ListEmployers(ctx context.Context, a ledger.Actor, req ledger.ListRequest) (ledger.EmployerPage, error)
	SuspendEmployer(ctx context.Context, a ledger.Actor, id string, req ledger.ReasonRequest) (ledger.Receipt, error)
	EmployerWorkerStatuses(ctx context.Context, a ledger.Actor, id string, req ledger.ListRequest) (ledger.EmployerWorkerStatusPage, error)

	RegisterWorker(ctx context.Context, a ledger.Actor, req ledger.WorkerRequest) (ledger.WorkerResult, error)
	GetWorker(ctx context.Context, a ledger.Actor, id string, req ledger.ReadRequest) (ledger.WorkerView, error)
	WorkerHistory(ctx context.Context, a ledger.Actor, id string, req ledger.HistoryRequest) (ledger.History, error)
	WorkerAccess(ctx context.Context, a ledger.Actor, id string) ([]ledger.AccessRecord, error)
	EraseWorker(ctx context.Context, a ledger.Actor, id string, req ledger.ReasonRequest) (ledger.Receipt, error)

	IssuePermit(ctx context.Context, a ledger.Actor, req ledger.PermitRequest) (ledger.PermitResult, error)
	RevokePermit(ctx context.Context, a ledger.Actor, id string, req ledger.ReasonRequest) (ledger.Receipt, error)
	RecordCrossing(ctx context.Context, a ledger.Actor, req ledger.CrossingRequest) (ledger.CrossingResult, error)
	RecordCrossings(ctx context.Context, a ledger.Actor, req ledger.BatchRequest) (ledger.BatchResult, error)
	StartPlacement(ctx context.Context, a ledger.Actor, req ledger.PlacementRequest) (ledger.PlacementResult, error)
	EndPlacement(ctx context.Context, a ledger.Actor, id string, req ledger.EndPlacementRequest) (ledger.Receipt, error)
	CorrectEntry(ctx context.Context, a ledger.Actor, index uint64, req ledger.CorrectionRequest) (ledger.Receipt, error)
	Findings(ctx context.Context, a ledger.Actor, f ledger.FindingsFilter) ([]ledger.Finding, error)

	LogEntry(ctx context.Context, a ledger.Actor, index uint64) (ledger.Entry, []byte, error)
}

var _ Domain = (*ledger.Service)(nil)

// systemActor is how the API asks the domain about employers for its own
// checks (never for a client's answer).
var systemActor = ledger.Actor{Sub: "trazo-api", Role: ledger.RoleMinistry, Org: "trazo"}

// DomainEmployers returns the EmployerDirectory that asks d: an employer
// id is registered when d knows it. Registrations are never undone (an
// employer is suspended, not removed), so a registered id is remembered
// and not asked again: every employer request would otherwise take a read
// view of its own, which waits for the commit in flight. Unknown ids are
// asked every time, so that a new employer is known at once.
func DomainEmployers(d Domain) EmployerDirectory { return &domainEmployers{d: d} }

// maxKnownEmployers bounds the remembered ids (about 100 bytes each);
// beyond it, the others are asked every time.
const maxKnownEmployers = 1 << 16

type domainEmployers struct {
	d     Domain
	known sync.Map // employer id → struct{}
	n     atomic.Int64
}

func (e *domainEmployers) EmployerRegistered(ctx context.Context, id string) (bool, error) {
	if _, ok := e.known.Load(id); ok {
		return true, nil
	}
	_, err := e.d.GetEmployer(ctx, systemActor, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if e.n.Load() < maxKnownEmployers {
		if _, loaded := e.known.LoadOrStore(id, struct{}{}); !loaded {
			e.n.Add(1)
		}
	}
	return true, nil
}

// DomainEntryOwner returns the EntryOwnerFunc that asks d whether an
// employer may see an entry (it appended it, or the entry names it as
// employer).
func DomainEntryOwner(d Domain) EntryOwnerFunc {
	return func(ctx context.Context, employerID string, index uint64) (bool, error) {
		a := ledger.Actor{Sub: "trazo-api", Role: ledger.RoleEmployer, Org: employerID}
		_, _, err := d.LogEntry(ctx, a, index)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, ledger.ErrNotFound), errors.Is(err, ledger.ErrForbidden),
			errors.Is(err, tlog.ErrNotFound), errors.Is(err, tlog.ErrRange):
			return false, nil
		}
		return false, err
	}
}

// actor returns the verified caller of a domain route as the domain's
// Actor.
func actor(c *gin.Context) ledger.Actor {
	p := principal(c)
	if p == nil { // unreachable behind guard: domain routes are not public
		return ledger.Actor{}
	}
	return ledger.Actor{Sub: p.Subject, Role: string(p.Role), Org: p.Org}
}

// decodeBody reads the JSON body of an appending request into v (decodeJSON's
// rules) and returns the context to call the domain with: under an
// Idempotency-Key, it carries the key and the SHA-256 of the request's
// method, path and body, which the domain stores with the entry it
// appends, scoped to the caller's role and org.
func decodeBody(c *gin.Context, v any) (context.Context, error) {
	raw, err := readJSON(c, v)
	if err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	key := idempotencyKey(c)
	if key == "" {
		return ctx, nil
	}
	h := sha256.New()
	h.Write([]byte(c.Request.Method))
	h.Write([]byte{0})
	h.Write([]byte(c.Request.URL.EscapedPath()))
	h.Write([]byte{0})
	h.Write(raw)
	return ledger.WithIdempotency(ctx, key, h.Sum(nil)), nil
}

// replayedHeader marks an answer replayed from an earlier request with the
// same Idempotency-Key and body.
const replayedHeader = "Idempotent-Replayed"

// answer writes v as the JSON answer with status, saying whether it was
// replayed under an Idempotency-Key (same status and body as the first
// time).
func answer(c *gin.Context, ctx context.Context, status int, v any) {
	if ledger.Replayed(ctx) {
		c.Header(replayedHeader, "true")
	}
	c.JSON(status, v)
}

// created answers 201 with v and, when path is not empty, a Location.
func created(c *gin.Context, ctx context.Context, path string, v any) {
	if path != "" {
		c.Header("Location", path)
	}
	answer(c, ctx, http.StatusCreated, v)
}

// queryError turns a domain refusal of a query parameter (a
// *ledger.ValidationError whose field is one of params) into a 400: a
// malformed query is the client's syntax, not a domain rule. Other errors
// are returned as they are.
func queryError(err error, params ...string) error {
	if ve, ok := errors.AsType[*ledger.ValidationError](err); ok && slices.Contains(params, ve.Field) {
		return &apiError{http.StatusBadRequest, ve.Code, ve.Message, ve.Field}
	}
	return err
}

// requirePurpose refuses, with 400 purpose_required, an inspector's read
// of personal data without ?purpose=.
func requirePurpose(c *gin.Context) error {
	if p := principal(c); p == nil || p.Role != auth.RoleInspector {
		return nil
	}
	if _, ok := c.GetQuery("purpose"); !ok {
		return &apiError{http.StatusBadRequest, ledger.CodePurposeRequired,
			"inspectors must say why they read personal data: ?purpose= (e.g. a case number)", "purpose"}
	}
	return nil
}
