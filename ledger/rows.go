package ledger

import (
	"encoding"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// Key layout of the rows this package keeps in the ledger's store. Every
// prefix but keyPrefix holds a projection that Rebuild drops and replays
// from the log; keyPrefix holds the wrapped data keys, which are not in
// the log and must never be dropped.
var (
	workerPrefix    = []byte("w/")  // w/<worker_id>            workerRow (binary, workerrow.go)
	employerPrefix  = []byte("e/")  // e/<employer_id>          employerRow (JSON)
	empWorkerPrefix = []byte("ew/") // ew/<employer_id>/<worker_id>  "r", "p" or "rp": registered, placed
	permitPrefix    = []byte("p/")  // p/<permit_id>            worker id
	placementPrefix = []byte("l/")  // l/<placement_id>         "<worker_id> <employer_id>"
	docPrefix       = []byte("d/")  // d/<HMAC-SHA256 (32)>      worker id
	docOfPrefix     = []byte("dw/") // dw/<worker_id>            HMAC of its document (to drop d/ on erasure)
	taxPrefix       = []byte("t/")  // t/<country>\x00<tax id>   employer id
	refPrefix       = []byte("r/")  // r/<org>\x00<client_ref>   index (8, big-endian) of the crossing
	historyPrefix   = []byte("h/")  // h/<worker_id>/<index:8>   entry type: entries naming the worker
	keyPrefix       = []byte("k/")  // k/<worker_id>            wrapped data key (NOT a projection)
)

// projectionPrefixes are the prefixes Rebuild drops and rebuilds.
var projectionPrefixes = [][]byte{
	workerPrefix, employerPrefix, empWorkerPrefix, permitPrefix, placementPrefix,
	docPrefix, docOfPrefix, taxPrefix, refPrefix, historyPrefix,
	factsPrefix, factsMetaPref,
}

func key(prefix []byte, parts ...string) []byte {
	k := append([]byte(nil), prefix...)
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

func workerKey(id string) []byte   { return key(workerPrefix, id) }
func employerKey(id string) []byte { return key(employerPrefix, id) }
func permitKey(id string) []byte   { return key(permitPrefix, id) }
func placementKey(id string) []byte {
	return key(placementPrefix, id)
}
func docKey(hash []byte) []byte           { return append(append([]byte(nil), docPrefix...), hash...) }
func docOfKey(workerID string) []byte     { return key(docOfPrefix, workerID) }
func taxKey(country, taxID string) []byte { return key(taxPrefix, country, taxID) }
func refKey(org, clientRef string) []byte { return key(refPrefix, org, clientRef) }
func keyKey(workerID string) []byte       { return key(keyPrefix, workerID) }

func empWorkerKey(employerID, workerID string) []byte {
	return key(empWorkerPrefix, employerID+"/"+workerID)
}

func empWorkersPrefix(employerID string) []byte {
	return key(empWorkerPrefix, employerID+"/")
}

func historyKey(workerID string, index uint64) []byte {
	k := key(historyPrefix, workerID+"/")
	return binary.BigEndian.AppendUint64(k, index)
}

func historyPrefixOf(workerID string) []byte { return key(historyPrefix, workerID+"/") }

// getter is what both tlog.Tx (inside an append) and tlog.Reader
// (outside) offer.
type getter interface {
	Get(key []byte) ([]byte, error)
}

// setter is tlog.Tx's write side.
type setter interface {
	getter
	Set(key, value []byte) error
	Delete(key []byte) error
}

var _ setter = (*tlog.Tx)(nil)
var _ getter = (*tlog.Reader)(nil)

// getRow reads a JSON row into v. It returns false (and no error) when the
// row does not exist.
func getRow(g getter, k []byte, v any) (bool, error) {
	b, err := g.Get(k)
	if errors.Is(err, tlog.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := unmarshalRow(k, b, v); err != nil {
		return false, err
	}
	return true, nil
}

// putRow stores v in its binary form if it has one (the worker row),
// else as JSON.
func putRow(s setter, k []byte, v any) error {
	var b []byte
	var err error
	if m, ok := v.(encoding.BinaryMarshaler); ok {
		b, err = m.MarshalBinary()
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	return s.Set(k, b)
}

// getString reads a row holding a string; "" when it does not exist.
func getString(g getter, k []byte) (string, error) {
	b, err := g.Get(k)
	if errors.Is(err, tlog.ErrNotFound) {
		return "", nil
	}
	return string(b), err
}

// employerRow is the projection of one employer.
type employerRow struct {
	ID            string `json:"id"`
	Index         uint64 `json:"i"`
	LegalName     string `json:"name"`
	TaxID         string `json:"tax_id"`
	Country       string `json:"country"`
	Sector        string `json:"sector"`
	Region        string `json:"region"`
	Suspended     bool   `json:"suspended,omitempty"`
	SuspendIndex  uint64 `json:"si,omitempty"`
	SuspendReason string `json:"sr,omitempty"`
}

// workerRow is the projection of one worker: everything reports and
// findings need, in clear, with no personal data. It survives erasure.
type workerRow struct {
	ID          string   `json:"id"`
	Index       uint64   `json:"i"`   // worker.registered
	Org         string   `json:"org"` // org that registered the worker
	Sex         string   `json:"sex"` // F, M, X
	Nationality string   `json:"nat"` // alpha-3
	BirthYear   int      `json:"by"`  // from the date of birth
	DocType     string   `json:"dt"`  // passport, national_id, border_card
	DocCountry  string   `json:"dc"`  // issuing country
	PII         []uint64 `json:"pii"` // entries carrying its personal data, oldest first
	Erased      bool     `json:"erased,omitempty"`
	ErasedIndex uint64   `json:"ei,omitempty"`

	Crossings  []crossingRow  `json:"c,omitempty"` // by occurred_at, then index
	Permits    []permitRow    `json:"p,omitempty"` // in issue order
	Placements []placementRow `json:"l,omitempty"` // in start order (by index)
}

// crossingRow is one crossing of a worker.
type crossingRow struct {
	Index  uint64 `json:"i"`
	Dir    string `json:"d"` // entry, exit, refused
	At     int64  `json:"t"` // occurred_at, unix nanoseconds UTC
	Post   string `json:"post,omitempty"`
	Reason string `json:"r,omitempty"`
	Org    string `json:"org,omitempty"` // border post that recorded it
}

// permitRow is one permit of a worker. Dates are YYYY-MM-DD.
type permitRow struct {
	ID           string `json:"id"`
	Index        uint64 `json:"i"`
	Type         string `json:"type"`
	From         string `json:"from"`
	To           string `json:"to"`
	Revoked      string `json:"rv,omitempty"` // date of revocation (UTC date of recorded_at)
	RevokedIndex uint64 `json:"rvi,omitempty"`
}

// placementRow is one placement of a worker. Dates are YYYY-MM-DD.
type placementRow struct {
	ID          string `json:"id"`
	Index       uint64 `json:"i"`
	Employer    string `json:"emp"`
	Start       string `json:"start"`
	ExpectedEnd string `json:"exp"`
	End         string `json:"end,omitempty"`
	EndReason   string `json:"why,omitempty"`
	EndIndex    uint64 `json:"ei,omitempty"`
	Occupation  string `json:"occ"`
	Sector      string `json:"sec"`
	Region      string `json:"reg"`
	Age         *int   `json:"age,omitempty"` // age at start
}

func (p *placementRow) ended() bool { return p.End != "" }

// placementRef is the l/ row: whose placement, at which employer.
type placementRef struct{ Worker, Employer string }

func getPlacementRef(g getter, id string) (placementRef, bool, error) {
	s, err := getString(g, placementKey(id))
	if err != nil || s == "" {
		return placementRef{}, false, err
	}
	w, e, ok := strings.Cut(s, " ")
	if !ok {
		return placementRef{}, false, fmt.Errorf("%w: placement row %s", tlog.ErrCorrupt, id)
	}
	return placementRef{Worker: w, Employer: e}, true, nil
}

func (w *workerRow) permit(id string) *permitRow {
	for i := range w.Permits {
		if w.Permits[i].ID == id {
			return &w.Permits[i]
		}
	}
	return nil
}

func (w *workerRow) placement(id string) *placementRow {
	for i := range w.Placements {
		if w.Placements[i].ID == id {
			return &w.Placements[i]
		}
	}
	return nil
}

// unmarshalRow decodes a row stored by putRow.
func unmarshalRow(k, v []byte, row any) error {
	var err error
	if u, ok := row.(encoding.BinaryUnmarshaler); ok {
		err = u.UnmarshalBinary(v)
	} else {
		err = json.Unmarshal(v, row)
	}
	if err != nil {
		return fmt.Errorf("%w: row %q: %v", tlog.ErrCorrupt, k, err)
	}
	return nil
}

func isNotFound(err error) bool { return errors.Is(err, tlog.ErrNotFound) }
