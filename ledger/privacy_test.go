package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/go-cmp/cmp"
)

// secrets of the privacy scenario: none may appear in clear in the store.
var secretWorkers = []struct {
	given, family, dob, doc string
}{
	{"Zenobia Altagracia", "Quirós Villalobos", "1983-09-17", "Q7781234"},
	{"Wilfredo", "Ocampo Saravia", "1979-02-28", "NI-550-193"},
	{"Yesenia", "Matamoros", "2006-12-03", "B00451877"},
}

// scanStore returns every key and value Badger holds (every version),
// after the log is closed, opening its directory read-only.
func scanStore(t *testing.T, dir string) [][]byte {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions(filepath.Join(dir, "badger")).WithReadOnly(true).WithLogger(nil))
	if err != nil {
		t.Fatalf("open store read-only: %v", err)
	}
	defer db.Close()
	var out [][]byte
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{AllVersions: true, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			out = append(out, item.KeyCopy(nil))
			if item.IsDeletedOrExpired() {
				continue
			}
			v, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestNoPersonalDataInClear(t *testing.T) {
	e := newEnv(t)
	emp := e.employer("Finca A", "A-1")
	var ids []string
	for i, s := range secretWorkers {
		req := workerReq(s.given, s.family, s.dob, s.doc)
		var w string
		if i == 0 {
			w = e.worker(emp, req)
		} else {
			w = e.worker(border, req)
		}
		ids = append(ids, w)
		e.permit(w, "2025-01-01", "2025-06-30")
		e.cross(w, "entry", "2025-01-02T10:00:00Z")
		e.place(emp, w, "2025-01-06", "2025-05-31")
		must(e.svc.GetWorker(e.ctx, inspector, w, ReadRequest{Purpose: "case"}))(t)
		must(e.svc.WorkerHistory(e.ctx, inspector, w, HistoryRequest{Purpose: "case", Proofs: true}))(t)
	}
	// A correction brings new names; they must not be in clear either.
	must(e.svc.CorrectEntry(e.ctx, emp, e.indexOf(TypeWorkerRegistered, ids[0]), CorrectionRequest{Reason: "typo",
		Changes: map[string]json.RawMessage{"family_names": json.RawMessage(`"Quiroz Villalobos"`), "date_of_birth": json.RawMessage(`"1983-09-18"`)}}))(t)
	must(e.svc.EraseWorker(e.ctx, ministry, ids[1], ReasonRequest{Reason: "request"}))(t)
	if err := e.svc.Rebuild(e.ctx); err != nil {
		t.Fatal(err)
	}
	// Reads still work, so the data is there, encrypted.
	v := must(e.svc.GetWorker(e.ctx, border, ids[0], ReadRequest{}))(t)
	if v.Identity == nil || v.Identity.FamilyNames != "Quiroz Villalobos" || v.Identity.DateOfBirth != "1983-09-18" {
		t.Fatalf("identity %+v", v.Identity)
	}
	if err := e.log.Close(); err != nil {
		t.Fatal(err)
	}
	rows := scanStore(t, e.dir)
	if len(rows) < 50 {
		t.Fatalf("scanned only %d keys and values", len(rows))
	}
	// A positive control: what is in clear by design is found.
	found := false
	for _, b := range rows {
		found = found || bytes.Contains(b, []byte("Finca A"))
	}
	if !found {
		t.Fatal("the scan does not see the employer's legal name: it sees nothing")
	}
	needles := []string{"Quiroz Villalobos", "Quiroz", "1983-09-18"}
	for _, s := range secretWorkers {
		needles = append(needles, s.given, s.family, s.dob, s.doc, strings.ReplaceAll(s.doc, "-", ""))
		needles = append(needles, strings.Fields(s.given+" "+s.family)...)
	}
	for _, n := range needles {
		for _, b := range rows {
			if bytes.Contains(b, []byte(n)) {
				t.Errorf("%q in clear in the store: %.200q", n, b)
				break
			}
		}
	}
	e.open() // for the cleanup's Close
}

func TestErasure(t *testing.T) {
	e := newEnv(t)
	a := e.employer("Finca A", "A-1")
	b := e.employer("Finca B", "B-1")
	s := secretWorkers[0]
	w := e.worker(a, workerReq(s.given, s.family, s.dob, s.doc))
	e.permit(w, "2024-01-01", "2024-06-30")
	e.cross(w, "entry", "2024-01-02T10:00:00Z")
	pa := e.place(a, w, "2024-01-03", "2024-06-30")
	e.end(a, pa.PlacementID, "2024-07-15", "completed")
	e.cross(w, "exit", "2024-07-20T10:00:00Z")
	e.permit(w, "2025-01-01", "2025-06-30")
	e.cross(w, "entry", "2025-01-02T10:00:00Z")
	e.place(b, w, "2025-01-03", "2025-06-30")
	must(e.svc.GetWorker(e.ctx, inspector, w, ReadRequest{Purpose: "before"}))(t)

	stats := func() workerRow {
		r := *must(e.svc.loadWorker(w))(t)
		r.Erased, r.ErasedIndex = false, 0
		return r
	}
	beforeRow := stats()
	beforeFindings := e.workerFindings(w)
	beforeMinistry := must(e.svc.GetWorker(e.ctx, ministry, w, ReadRequest{}))(t)
	if len(beforeFindings) == 0 {
		t.Fatal("scenario has no findings")
	}

	if rows := e.projectionRows(); rows["dw/"+w] == "" || rows["d/"+rows["dw/"+w]] != w {
		t.Fatal("document not indexed before erasure")
	}
	_, err := e.svc.EraseWorker(e.ctx, inspector, w, ReasonRequest{Reason: "x"})
	checkErr(t, err, want{CodeRoleNotAllowed, ""})
	_, err = e.svc.EraseWorker(e.ctx, ministry, w, ReasonRequest{})
	checkErr(t, err, want{CodeRequired, "reason"})
	_, err = e.svc.EraseWorker(e.ctx, ministry, "wkr_01JGZ5Y5Y5Y5Y5Y5Y5Y5Y5Y5Y5", ReasonRequest{Reason: "x"})
	checkErr(t, err, want{CodeNotFound, ""})
	rc := must(e.svc.EraseWorker(e.ctx, ministry, w, ReasonRequest{Reason: "worker's request, art. 9"}))(t)
	_, err = e.svc.EraseWorker(e.ctx, ministry, w, ReasonRequest{Reason: "again"})
	checkErr(t, err, want{CodeAlreadyErased, ""})

	check := func(t *testing.T) {
		t.Helper()
		for _, actor := range []Actor{inspector, border, a, b, ministry} {
			v := must(e.svc.GetWorker(e.ctx, actor, w, ReadRequest{Purpose: "after"}))(t)
			if v.Identity != nil || !v.Erased {
				t.Errorf("%s reads identity %+v, erased %v", actor.Role, v.Identity, v.Erased)
			}
			j, _ := json.Marshal(v)
			for _, n := range []string{s.given, s.family, s.dob, s.doc} {
				if strings.Contains(string(j), n) {
					t.Errorf("%s view contains %q", actor.Role, n)
				}
			}
		}
		for _, actor := range []Actor{inspector, a} {
			h := must(e.svc.WorkerHistory(e.ctx, actor, w, HistoryRequest{Purpose: "after"}))(t)
			for _, en := range h.Entries {
				if en.Personal != nil {
					t.Errorf("%s history entry %d has personal data", actor.Role, en.Index)
				}
			}
		}
		if _, err := e.svc.personal(w); !errors.Is(err, errKeyGone) {
			t.Errorf("personal data readable: %v", err)
		}
		// The registration's ciphertext is still in the log, and no key opens it.
		reg := must(e.svc.entry(e.indexOf(TypeWorkerRegistered, w)))(t)
		if len(reg.PII) == 0 {
			t.Error("registration lost its ciphertext")
		}
		if _, err := e.svc.readDataKey(w); !errors.Is(err, errKeyGone) {
			t.Errorf("data key still readable: %v", err)
		}
		if err := e.log.Verify(e.ctx, nil); err != nil {
			t.Errorf("verify: %v", err)
		}
		after := stats()
		if diff := cmp.Diff(beforeRow, after, cmp.AllowUnexported(workerRow{})); diff != "" {
			t.Errorf("statistics changed (-before +after)\n%s", diff)
		}
		if diff := cmp.Diff(beforeFindings, e.workerFindings(w)); diff != "" {
			t.Errorf("findings changed (-before +after)\n%s", diff)
		}
		m := must(e.svc.GetWorker(e.ctx, ministry, w, ReadRequest{}))(t)
		m.Erased = false
		if diff := cmp.Diff(beforeMinistry, m); diff != "" {
			t.Errorf("ministry view changed (-before +after)\n%s", diff)
		}
		for k, v := range e.projectionRows() {
			if (strings.HasPrefix(k, "d/") && v == w) || k == "dw/"+w {
				t.Errorf("document index still names the worker: %q", k)
			}
		}
	}
	check(t)
	if e.indexOf(TypeWorkerErased, w) != rc.Index {
		t.Error("erasure entry")
	}

	t.Run("no version of the wrapped key is left on disk", func(t *testing.T) {
		if err := e.log.Close(); err != nil {
			t.Fatal(err)
		}
		rows := scanStore(t, e.dir)
		for _, b := range rows {
			if bytes.Equal(b, keyKey(w)) || bytes.Equal(b, docOfKey(w)) {
				t.Errorf("a version of %q survives the erasure", b)
			}
		}
		seen := false // a positive control: the worker's row (statistics) is there
		for _, b := range rows {
			seen = seen || bytes.Equal(b, workerKey(w))
		}
		if !seen {
			t.Error("the scan does not see the worker's row: it sees nothing")
		}
		e.open()
	})

	t.Run("after restart and rebuild", func(t *testing.T) {
		e.reopen()
		live := e.projectionRows()
		if err := e.svc.Rebuild(e.ctx); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(live, e.projectionRows()); diff != "" {
			t.Errorf("rebuild differs (-live +rebuilt)\n%s", diff)
		}
		check(t)
	})
	t.Run("the same document registers a new worker", func(t *testing.T) {
		r := must(e.svc.RegisterWorker(e.ctx, border, workerReq(s.given, s.family, s.dob, s.doc)))(t)
		if r.Existing || r.WorkerID == w {
			t.Errorf("erased document found again: %+v", r)
		}
	})
}

func TestConcurrentRegistrationOfOneDocument(t *testing.T) {
	e := newEnv(t)
	size := e.log.Size()
	const n = 16
	results := make([]WorkerResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = e.svc.RegisterWorker(e.ctx, border, workerReq("Ana", "Ruiz", "1990-01-01", "SAME-1"))
		})
	}
	wg.Wait()
	created := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if r.WorkerID != results[0].WorkerID {
			t.Errorf("two workers: %s and %s", r.WorkerID, results[0].WorkerID)
		}
		if !r.Existing {
			created++
		}
	}
	if created != 1 || e.log.Size() != size+1 {
		t.Errorf("%d created, log grew by %d", created, e.log.Size()-size)
	}
}

func TestBatchIdempotency(t *testing.T) {
	e := newEnv(t)
	w := e.worker(border, workerReq("Ana", "Ruiz", "1990-01-01", "P1"))
	item := func(ref, dir, at string) CrossingRequest {
		return CrossingRequest{WorkerID: w, Direction: dir, OccurredAt: at, ClientRef: ref}
	}
	first := must(e.svc.RecordCrossings(e.ctx, border, BatchRequest{Crossings: []CrossingRequest{
		item("r1", "entry", "2025-01-01T10:00:00Z"), item("r2", "exit", "2025-01-02T10:00:00Z"),
	}}))(t)
	size := e.log.Size()
	second := must(e.svc.RecordCrossings(e.ctx, border, BatchRequest{Crossings: []CrossingRequest{
		item("r2", "exit", "2025-01-02T10:00:00Z"), item("r3", "entry", "2025-01-03T10:00:00Z"), item("r3", "entry", "2025-01-03T10:00:00Z"),
	}}))(t)
	if e.log.Size() != size+1 {
		t.Errorf("log grew by %d, want 1", e.log.Size()-size)
	}
	status := func(r BatchResult) []string {
		var out []string
		for _, it := range r.Results {
			out = append(out, it.ClientRef+":"+it.Status)
		}
		return out
	}
	if diff := cmp.Diff([]string{"r1:created", "r2:created"}, status(first)); diff != "" {
		t.Errorf("first (-want +got)\n%s", diff)
	}
	if diff := cmp.Diff([]string{"r2:duplicate", "r3:created", "r3:duplicate"}, status(second)); diff != "" {
		t.Errorf("second (-want +got)\n%s", diff)
	}
	if second.Results[0].Index != first.Results[1].Index || !bytes.Equal(second.Results[0].LeafHash, first.Results[1].LeafHash) {
		t.Errorf("duplicate answers %+v, original %+v", second.Results[0].CrossingResult, first.Results[1].CrossingResult)
	}
	if second.Results[2].Index != second.Results[1].Index {
		t.Error("duplicate within a batch has another index")
	}
	// Client refs are scoped per border org.
	other := must(e.svc.RecordCrossings(e.ctx, border2, BatchRequest{Crossings: []CrossingRequest{item("r1", "exit", "2025-01-04T10:00:00Z")}}))(t)
	if other.Results[0].Status != StatusCreated {
		t.Errorf("other org's r1: %s", other.Results[0].Status)
	}
	// A single crossing with a client ref is idempotent too.
	single := must(e.svc.RecordCrossing(e.ctx, border, item("r1", "entry", "2025-01-01T10:00:00Z")))(t)
	if !single.Duplicate || single.Index != first.Results[0].Index {
		t.Errorf("single replay %+v", single)
	}
	live := e.projectionRows()
	if err := e.svc.Rebuild(e.ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(live, e.projectionRows()); diff != "" {
		t.Errorf("rebuild differs (-live +rebuilt)\n%s", diff)
	}
}

func TestMasterKeyFile(t *testing.T) {
	e := newEnv(t)
	path := filepath.Join(e.dir, KeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", fi.Mode().Perm())
	}
	w := e.worker(border, workerReq("Ana", "Ruiz", "1990-01-01", "P1"))
	e.reopen()
	v := must(e.svc.GetWorker(e.ctx, border, w, ReadRequest{}))(t)
	if v.Identity == nil || v.Identity.GivenNames != "Ana" {
		t.Errorf("identity after restart %+v", v.Identity)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := New(e.log, Config{}); err == nil {
		t.Error("world-readable key file accepted")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("not hex\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(e.log, Config{DataDir: dir}); err == nil {
		t.Error("malformed key file accepted")
	}
	if _, err := New(e.log, Config{DataDir: t.TempDir(), Country: "XX"}); err == nil {
		t.Error("bad country accepted")
	}
}
