package ledger

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomWorkerRow fills every field of a worker row, lists of any length
// (empty included), with values of every width.
func randomWorkerRow(r *rand.Rand) workerRow {
	str := func() string {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return string(b)
	}
	u64 := func() uint64 { return r.Uint64() >> r.IntN(64) }
	w := workerRow{ID: str(), Index: u64(), Org: str(), Sex: str(), Nationality: str(),
		BirthYear: r.IntN(4000) - 1000, DocType: str(), DocCountry: str(), Erased: r.IntN(2) == 0, ErasedIndex: u64()}
	for range r.IntN(4) {
		w.PII = append(w.PII, u64())
	}
	for range r.IntN(12) {
		w.Crossings = append(w.Crossings, crossingRow{Index: u64(), Dir: str(), At: int64(u64()) - 1<<40, Post: str(), Reason: str(), Org: str()})
	}
	for range r.IntN(5) {
		w.Permits = append(w.Permits, permitRow{ID: str(), Index: u64(), Type: str(), From: str(), To: str(), Revoked: str(), RevokedIndex: u64()})
	}
	for range r.IntN(5) {
		p := placementRow{ID: str(), Index: u64(), Employer: str(), Start: str(), ExpectedEnd: str(), End: str(),
			EndReason: str(), EndIndex: u64(), Occupation: str(), Sector: str(), Region: str()}
		if r.IntN(2) == 0 {
			age := r.IntN(120)
			p.Age = &age
		}
		w.Placements = append(w.Placements, p)
	}
	return w
}

func TestWorkerRowRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		want := randomWorkerRow(r)
		b, err := want.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got workerRow
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		if diff := cmp.Diff(want, got, cmp.AllowUnexported(workerRow{})); diff != "" {
			t.Fatalf("row %d (-want +got):\n%s", i, diff)
		}
		// Every truncation is refused, never misread.
		for n := range len(b) {
			if err := new(workerRow).UnmarshalBinary(b[:n]); err == nil {
				t.Fatalf("row %d truncated to %d of %d bytes accepted", i, n, len(b))
			}
		}
		if err := new(workerRow).UnmarshalBinary(append(b, 0)); err == nil {
			t.Fatalf("row %d with a trailing byte accepted", i)
		}
	}
}

// Rows stored as JSON by earlier versions are still read.
func TestWorkerRowReadsJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		want := randomWorkerRow(r)
		want.ID = fmt.Sprint("wkr_", r.Int()) // JSON keeps valid UTF-8 only
		for i := range want.Crossings {
			want.Crossings[i].Post, want.Crossings[i].Reason, want.Crossings[i].Org = "CR-PB", "", "B"
		}
		b, err := json.Marshal(struct{ *workerRow }{&want}) // plain JSON, not MarshalBinary
		if err != nil {
			t.Fatal(err)
		}
		var got workerRow
		if err := unmarshalRow([]byte("w/x"), b, &got); err != nil {
			t.Fatal(err)
		}
		if want.ID != got.ID || want.Index != got.Index || len(want.Crossings) != len(got.Crossings) {
			t.Fatalf("JSON row misread: %+v", got)
		}
	}
}

func TestWorkerRowRefusesGarbage(t *testing.T) {
	w := workerRow{ID: "wkr_1", Index: 5}
	good, _ := w.MarshalBinary()
	overlong := append([]byte{workerRowVersion, 5}, "wkr_1"...)
	overlong = append(overlong, 0x85, 0x00) // index 5 in two bytes
	overlong = append(overlong, good[len(overlong)-1:]...)
	for _, b := range [][]byte{nil, {}, {0}, {2}, {workerRowVersion, 0xff}, []byte("[1]"), []byte("{bad"), overlong} {
		if err := unmarshalRow([]byte("w/x"), b, new(workerRow)); err == nil {
			t.Errorf("%q accepted", b)
		}
	}
}

func FuzzWorkerRow(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 8 {
		w := randomWorkerRow(r)
		b, _ := w.MarshalBinary()
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var w workerRow
		if w.UnmarshalBinary(b) != nil || (len(b) > 0 && b[0] == '{') {
			return
		}
		// What decodes re-encodes to the same bytes.
		again, err := w.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(b) {
			t.Fatalf("re-encoding differs:\n%x\n%x", b, again)
		}
	})
}
