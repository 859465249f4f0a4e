package ledger_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// A season in a few calls: a ministry registers an employer, the employer
// registers a worker, the border issues a card and records the entry, the
// employer places the worker. Registering the same document again finds
// the same worker.
func Example() {
	dir, _ := os.MkdirTemp("", "trazo-example")
	defer os.RemoveAll(dir)
	now := func() time.Time { return time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC) }
	log, err := tlog.Open(dir, tlog.Options{Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer log.Close()
	svc, err := ledger.New(log, ledger.Config{Country: "CRI", Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	ministry := ledger.Actor{Sub: "ana", Role: ledger.RoleMinistry, Org: "MTSS"}
	border := ledger.Actor{Sub: "luis", Role: ledger.RoleBorder, Org: "PENAS-BLANCAS"}

	emp, _ := svc.RegisterEmployer(ctx, ministry, ledger.EmployerRequest{
		LegalName: "Finca La Esperanza", TaxID: "3-101-123456", Country: "CRI", Sector: "0127", Region: "CR-A"})
	employer := ledger.Actor{Sub: "rrhh", Role: ledger.RoleEmployer, Org: emp.EmployerID}
	req := ledger.WorkerRequest{GivenNames: "María", FamilyNames: "Pérez", DateOfBirth: "1990-05-12", Sex: "F",
		Nationality: "NIC", Document: ledger.DocumentRequest{Type: "passport", Number: "C01234567", IssuingCountry: "NIC"}}
	w, _ := svc.RegisterWorker(ctx, employer, req)
	_, _ = svc.IssuePermit(ctx, border, ledger.PermitRequest{WorkerID: w.WorkerID, Type: "cross_border_card", ValidFrom: "2025-03-01", ValidTo: "2025-08-31"})
	c, _ := svc.RecordCrossing(ctx, border, ledger.CrossingRequest{WorkerID: w.WorkerID, Direction: "entry", OccurredAt: "2025-03-02T08:15:00Z"})
	p, err := svc.StartPlacement(ctx, employer, ledger.PlacementRequest{WorkerID: w.WorkerID, StartDate: "2025-03-03",
		ExpectedEndDate: "2025-08-15", Occupation: "9211", Sector: "0127", Region: "CR-A"})
	fmt.Println(c.Warnings, p.Warnings, err)

	again, _ := svc.RegisterWorker(ctx, border, req)
	fmt.Println(again.Existing, again.WorkerID == w.WorkerID)

	_, err = svc.StartPlacement(ctx, employer, ledger.PlacementRequest{WorkerID: w.WorkerID, StartDate: "2025-09-01",
		ExpectedEndDate: "2025-10-15", Occupation: "9211", Sector: "0127", Region: "CR-A"})
	fmt.Println(err)
	// Output:
	// [] [] <nil>
	// true true
	// start_date: the worker holds no permit valid on 2025-09-01
}
