package api

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/ledger"
)

// handleCorrectEntry appends a correction of the entry at :index: 201
// {index, leaf_hash}. The domain decides who may correct what: the org
// that appended the entry, or an inspector; an employer asking about an
// entry that is not its own gets 404. An index that is not a number is
// no entry (404).
func (s *Server) handleCorrectEntry() gin.HandlerFunc {
	return func(c *gin.Context) {
		index, err := strconv.ParseUint(c.Param("index"), 10, 64)
		if err != nil {
			writeError(c, &apiError{http.StatusNotFound, "not_found", "entry not found", ""})
			return
		}
		var req ledger.CorrectionRequest
		ctx, err := decodeBody(c, &req)
		if err != nil {
			writeError(c, err)
			return
		}
		rc, err := s.domain.CorrectEntry(ctx, actor(c), index, req)
		if err != nil {
			writeError(c, err)
			return
		}
		created(c, ctx, "", rc)
	}
}

type findingsPage struct {
	Findings   []ledger.Finding `json:"findings"`
	NextCursor string           `json:"next_cursor,omitempty"`
}

// findingKey is a finding's place in the order the domain sorts findings
// in (date, worker, type, entries): a page's cursor.
type findingKey struct {
	Date    string   `json:"d"`
	Worker  string   `json:"w"`
	Type    string   `json:"t"`
	Entries []uint64 `json:"e"`
}

func keyOf(f ledger.Finding) findingKey {
	return findingKey{Date: f.Date, Worker: f.WorkerID, Type: f.Type, Entries: f.Entries}
}

func (k findingKey) compare(o findingKey) int {
	return cmp.Or(cmp.Compare(k.Date, o.Date), cmp.Compare(k.Worker, o.Worker),
		cmp.Compare(k.Type, o.Type), slices.Compare(k.Entries, o.Entries))
}

func (k findingKey) cursor() string {
	b, _ := json.Marshal(k) // strings and numbers: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

func parseFindingCursor(s string) (findingKey, error) {
	var k findingKey
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &k) != nil || k.Date == "" {
		return k, badQuery("cursor", "cursor is not a next_cursor of this list")
	}
	return k, nil
}

// handleFindings answers the compliance findings that match ?type=,
// ?employer_id=, ?from= and ?to=, computed as of today, a page at a time
// in the domain's order (date, worker, type). An employer gets findings
// about its own placements only, whatever its employer_id.
func (s *Server) handleFindings() gin.HandlerFunc {
	return func(c *gin.Context) {
		limit, err := queryLimit(c)
		if err != nil {
			writeError(c, err)
			return
		}
		var after findingKey
		cursor, paged := c.GetQuery("cursor")
		if paged {
			if after, err = parseFindingCursor(cursor); err != nil {
				writeError(c, err)
				return
			}
		}
		f := ledger.FindingsFilter{Type: c.Query("type"), EmployerID: c.Query("employer_id"), From: c.Query("from"), To: c.Query("to")}
		all, err := s.domain.Findings(c.Request.Context(), actor(c), f)
		if err != nil {
			writeError(c, queryError(err, "type", "employer_id", "from", "to"))
			return
		}
		page := findingsPage{Findings: []ledger.Finding{}}
		start := 0
		if paged {
			start, _ = slices.BinarySearchFunc(all, after, func(x ledger.Finding, k findingKey) int {
				if keyOf(x).compare(k) <= 0 {
					return -1
				}
				return 1
			})
		}
		for _, x := range all[start:] {
			if len(page.Findings) == limit {
				page.NextCursor = keyOf(page.Findings[limit-1]).cursor()
				break
			}
			page.Findings = append(page.Findings, x)
		}
		c.JSON(http.StatusOK, page)
	}
}
