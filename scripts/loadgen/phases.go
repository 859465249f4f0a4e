package main

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// The requests a session measures, and its phases.

// crossing returns the body of the next crossing, with client_ref ref if
// not empty.
func (s *session) crossing(ref string) []byte {
	n := s.crossings.Add(1) - 1
	w := s.pop.load[n%uint64(len(s.pop.load))]
	dirn := "entry"
	if (n/uint64(len(s.pop.load)))%2 == 1 {
		dirn = "exit"
	}
	at := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	if ref != "" {
		return fmt.Appendf(nil, `{"worker_id":%q,"direction":%q,"occurred_at":%q,"post":"PASO-CANOAS","client_ref":%q}`, w, dirn, at, ref)
	}
	return fmt.Appendf(nil, `{"worker_id":%q,"direction":%q,"occurred_at":%q,"post":"PASO-CANOAS"}`, w, dirn, at)
}

// appendOp appends one crossing, with a fresh Idempotency-Key if idem.
func (s *session) appendOp(idem bool) op {
	return func(g, i int) (int, error) {
		key := ""
		if idem {
			key = "lg-" + strconv.Itoa(g) + "-" + strconv.Itoa(i) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
		}
		code, b, err := s.c.do("POST", "/v1/crossings", s.tk.border, s.crossing(""), key)
		if err != nil {
			return 0, err
		}
		if code != 201 {
			return 0, fmt.Errorf("POST /v1/crossings = %d: %.200s", code, b)
		}
		return 1, nil
	}
}

// baselineOp reads one employer as the ministry: the cheap read.
func (s *session) baselineOp(g, i int) (int, error) {
	code, b, err := s.c.do("GET", "/v1/employers/"+s.pop.employer, s.tk.ministry, nil, "")
	if err != nil {
		return 0, err
	}
	if code != 200 {
		return 0, fmt.Errorf("GET /v1/employers/{id} = %d: %.200s", code, b)
	}
	return 1, nil
}

// historyOp reads a worker's history as its employer.
func (s *session) historyOp(g, i int) (int, error) {
	w := s.pop.read[(g*7919+i)%len(s.pop.read)]
	code, b, err := s.c.do("GET", "/v1/workers/"+w+"/history", s.tk.employer, nil, "")
	if err != nil {
		return 0, err
	}
	if code != 200 {
		return 0, fmt.Errorf("GET /v1/workers/{id}/history = %d: %.200s", code, b)
	}
	return 1, nil
}

// batchOp appends a batch of 1,000 crossings.
func (s *session) batchOp(g, i int) (int, error) {
	var body bytes.Buffer
	body.WriteString(`{"crossings":[`)
	bn := s.batches.Add(1)
	for k := range 1000 {
		if k > 0 {
			body.WriteByte(',')
		}
		body.Write(s.crossing(fmt.Sprintf("lg-%d-%d", bn, k)))
	}
	body.WriteString(`]}`)
	code, b, err := s.c.do("POST", "/v1/crossings/batch", s.tk.border, body.Bytes(), "")
	if err != nil {
		return 0, err
	}
	if code != 200 {
		return 0, fmt.Errorf("POST /v1/crossings/batch = %d: %.200s", code, b)
	}
	if n := bytes.Count(b, []byte(`"status":"created"`)); n != 1000 {
		return n, fmt.Errorf("batch: %d of 1000 created: %.300s", n, b)
	}
	return 1000, nil
}

// measureLevels measures, at each number of clients, the reference
// ledger, the baseline and the appends in interleaved rounds, so that they
// share the machine's noise (other work, the disk's fsync latency).
func (s *session) measureLevels() error {
	rounds := s.cfg.rounds()
	each := s.cfg.dur / time.Duration(rounds)
	for _, n := range s.cfg.levelList {
		var ref *refLedger
		if s.cfg.phase("ledger") {
			var err error
			if ref, err = openRefLedger(s.tmp + "/ledger"); err != nil {
				return err
			}
		}
		if s.cfg.phase("baseline") {
			warm(s.c, n, s.baselineOp)
		}
		var lr, br, ar result
		for range rounds {
			if ref != nil {
				lr = merge(lr, ref.measure(n, each))
			}
			if s.cfg.phase("baseline") {
				br = merge(br, measure(s.srv, s.c, "authenticated GET /v1/employers/{id} (baseline)", n, each, s.baselineOp))
			}
			if s.cfg.phase("append") {
				ar = merge(ar, measure(s.srv, s.c, "POST /v1/crossings", n, each, s.appendOp(false)))
			}
		}
		if ref != nil {
			if err := ref.close(); err != nil {
				return err
			}
			s.add(lr)
			s.ledgerAt[n] = lr
		}
		if s.cfg.phase("baseline") {
			s.add(br)
			s.baseAt[n] = br
		}
		if s.cfg.phase("append") {
			s.add(ar)
			s.appendAt[n] = ar
		}
	}
	return nil
}

// measureBatches measures batches at each number of batch clients,
// interleaved with raw Badger writing the same bytes in transactions of
// 1,000, so that both share the machine's noise.
func (s *session) measureBatches() error {
	raw, err := openRawBadger(s.tmp + "/raw")
	if err != nil {
		return err
	}
	rounds := s.cfg.rounds()
	each := s.cfg.dur / time.Duration(rounds)
	for _, n := range s.cfg.batchList {
		var rr, br result
		for range rounds {
			rr = merge(rr, raw.measureBatches(n, each))
			br = merge(br, measure(s.srv, s.c, "POST /v1/crossings/batch (1,000 each; rate in entries)", n, each, s.batchOp))
		}
		s.add(rr)
		s.add(br)
		if br.rate() > s.bestBatch {
			s.bestBatch, s.bestRaw = br.rate(), rr.rate()
		}
	}
	return raw.close()
}

// measureHistory measures an employer's history reads idle, then while
// other clients append.
func (s *session) measureHistory() {
	warm(s.c, s.cfg.readers, s.historyOp)
	s.add(measure(s.srv, s.c, "GET /v1/workers/{id}/history as employer, idle", s.cfg.readers, s.cfg.dur, s.historyOp))
	var appends result
	done := make(chan struct{})
	go func() {
		appends = runLoad("POST /v1/crossings during the reads", s.cfg.underLoad, s.cfg.dur, s.appendOp(false))
		close(done)
	}()
	s.histLoaded = measure(s.srv, s.c, fmt.Sprintf("GET /v1/workers/{id}/history as employer, %d clients appending", s.cfg.underLoad), s.cfg.readers, s.cfg.dur, s.historyOp)
	<-done
	// The server's CPU and commits in that time were the appends' too.
	appends.commits, appends.commitEnts, appends.commitSecs = s.histLoaded.commits, s.histLoaded.commitEnts, s.histLoaded.commitSecs
	s.histLoaded.serverCPU, s.histLoaded.selfCPU, s.histLoaded.commits = 0, 0, 0
	s.add(s.histLoaded)
	s.add(appends)
}
