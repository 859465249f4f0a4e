package api

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/trazo-ledger/trazo/ledger"
)

// countingDomain counts the domain's employer lookups.
type countingDomain struct {
	*ledger.Service
	lookups atomic.Int64
}

func (d *countingDomain) GetEmployer(ctx context.Context, a ledger.Actor, id string) (ledger.Employer, error) {
	d.lookups.Add(1)
	return d.Service.GetEmployer(ctx, a, id)
}

// The employer directory asks the domain once for a registered employer
// (registrations are never undone, and a suspended one still counts), and
// every time for an unknown id, so that a new employer is known at once.
func TestDomainEmployersRemembersRegistered(t *testing.T) {
	svc := newDomainEnv(t).svc
	d := &countingDomain{Service: svc}
	dir := DomainEmployers(d.GetEmployer)
	ctx := context.Background()
	ministry := ledger.Actor{Sub: "m", Role: ledger.RoleMinistry, Org: "MTSS"}
	unknown := "emp_01JD2X8Y3ZK7Q5M9N4P6R8T0VW"
	for range 2 {
		if ok, err := dir.EmployerRegistered(ctx, unknown); err != nil || ok {
			t.Fatalf("unknown employer: %v, %v", ok, err)
		}
	}
	if n := d.lookups.Load(); n != 2 {
		t.Errorf("%d lookups for an unknown id asked twice, want 2", n)
	}
	r, err := svc.RegisterEmployer(ctx, ministry, ledger.EmployerRequest{LegalName: "Finca", TaxID: "3-101-1", Country: "CRI", Sector: "A", Region: "CR-A"})
	if err != nil {
		t.Fatal(err)
	}
	d.lookups.Store(0)
	for range 3 {
		if ok, err := dir.EmployerRegistered(ctx, r.EmployerID); err != nil || !ok {
			t.Fatalf("registered employer: %v, %v", ok, err)
		}
	}
	if n := d.lookups.Load(); n != 1 {
		t.Errorf("%d lookups for a registered employer asked three times, want 1", n)
	}
	if _, err := svc.SuspendEmployer(ctx, ministry, r.EmployerID, ledger.ReasonRequest{Reason: "audit"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := dir.EmployerRegistered(ctx, r.EmployerID); err != nil || !ok {
		t.Fatalf("suspended employer: %v, %v (a suspended employer is still registered)", ok, err)
	}
}
