package api

import (
	"context"
	"crypto/sha256"
	"errors"

	"github.com/gin-gonic/gin"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// systemActor is how the API asks the domain about employers for its own
// checks (never for a client's answer).
var systemActor = ledger.Actor{Sub: "trazo-api", Role: ledger.RoleMinistry, Org: "trazo"}

// EmployerLookup returns a registered employer, or an error wrapping
// ledger.ErrNotFound for an id that is not one ((*ledger.Service).
// GetEmployer, as a method value).
type EmployerLookup func(ctx context.Context, a ledger.Actor, id string) (ledger.Employer, error)

// DomainEmployers returns the EmployerDirectory that asks lookup: an
// employer id is registered when lookup knows it. Registrations are never
// undone (an employer is suspended, not removed), so a registered id is
// remembered, up to maxKnownEmployers of the most recently used, and not
// asked again: every employer request would otherwise take a read view
// of its own, which waits for the commit in flight. Unknown ids are asked
// every time, so that a new employer is known at once.
func DomainEmployers(lookup EmployerLookup) EmployerDirectory {
	known, _ := lru.New[string, struct{}](maxKnownEmployers) // cannot fail: the size is positive
	return &domainEmployers{lookup: lookup, known: known}
}

// maxKnownEmployers bounds the remembered ids (about 100 bytes each).
const maxKnownEmployers = 1 << 16

type domainEmployers struct {
	lookup EmployerLookup
	known  *lru.Cache[string, struct{}]
}

func (e *domainEmployers) EmployerRegistered(ctx context.Context, id string) (bool, error) {
	if _, ok := e.known.Get(id); ok {
		return true, nil
	}
	_, err := e.lookup(ctx, systemActor, id)
	if errors.Is(err, ledger.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	e.known.Add(id, struct{}{})
	return true, nil
}

// EntryLookup returns a log entry if the caller may see it, and an error
// wrapping ledger.ErrNotFound or ledger.ErrForbidden if not
// ((*ledger.Service).LogEntry, as a method value).
type EntryLookup func(ctx context.Context, a ledger.Actor, index uint64) (ledger.Entry, []byte, error)

// DomainEntryOwner returns the EntryOwnerFunc that asks lookup whether an
// employer may see an entry (it appended it, or the entry names it as
// employer).
func DomainEntryOwner(lookup EntryLookup) EntryOwnerFunc {
	return func(ctx context.Context, employerID string, index uint64) (bool, error) {
		a := ledger.Actor{Sub: "trazo-api", Role: ledger.RoleEmployer, Org: employerID}
		_, _, err := lookup(ctx, a, index)
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
	return ledger.Actor{Sub: p.Subject, Role: ledger.Role(p.Role), Org: p.Org}
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
