package main

import (
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// tokens are one token per role; the employer's org is the employer the
// load generator registers.
type tokens struct {
	ministry, border, employer, inspector string
}

// population is what the load generator seeds before it measures.
type population struct {
	employer string
	// load are the workers the load's crossings are spread over (a worker
	// row grows with its crossings, so a realistic load spreads them).
	load []string
	// read are workers with a realistic history (registration by the
	// employer, a permit, a placement at the employer, four seasons of
	// crossings) whose history is read.
	read []string
}

// parallel runs fn(i) for i in [0, n) from conns goroutines and returns
// the first error.
func parallel(n, conns int, fn func(i int) error) error {
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					once.Do(func() { firstErr = err })
					next.Store(int64(n)) // stop the others
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// seed registers an employer, nLoad workers (by the border post) and
// nRead workers (by the employer), each with a permit; the read workers
// also get a placement and eight crossings.
func seed(c *client, tk *tokens, mint func(role, org, sub string) (string, error), nLoad, nRead, conns int) (*population, error) {
	p := &population{load: make([]string, nLoad), read: make([]string, nRead)}
	// A tag of this run keeps the tax id and the documents new, so that the
	// load generator can also run on a data directory that has data (a
	// seeded 10M-entry log).
	run := time.Now().UnixNano() % 1_000_000
	b, err := c.expect(201, "POST", "/v1/employers", tk.ministry,
		fmt.Appendf(nil, `{"legal_name":"Finca Loadgen S.A.","tax_id":"3-101-%06d","country":"CRI","sector":"A","region":"CR-A"}`, run))
	if err != nil {
		return nil, err
	}
	var emp struct {
		EmployerID string `json:"employer_id"`
	}
	if err := json.Unmarshal(b, &emp); err != nil {
		return nil, err
	}
	p.employer = emp.EmployerID
	if tk.employer, err = mint("employer", p.employer, "hr.loadgen"); err != nil {
		return nil, err
	}
	register := func(tok, doc string, i int) (string, error) {
		b, err := c.expect(201, "POST", "/v1/workers", tok, fmt.Appendf(nil,
			`{"given_names":"Worker %d","family_names":"Loadgen","date_of_birth":"19%02d-%02d-%02d","sex":"%s","nationality":"NIC","document":{"type":"passport","number":"%s%08d","issuing_country":"NIC"}}`,
			i, 60+i%40, 1+i%12, 1+i%28, []string{"F", "M"}[i%2], doc, i))
		if err != nil {
			return "", err
		}
		var w struct {
			WorkerID string `json:"worker_id"`
		}
		if err := json.Unmarshal(b, &w); err != nil {
			return "", err
		}
		_, err = c.expect(201, "POST", "/v1/permits", tk.ministry, fmt.Appendf(nil,
			`{"worker_id":%q,"type":"seasonal_work","valid_from":"2023-01-01","valid_to":"2030-12-31"}`, w.WorkerID))
		return w.WorkerID, err
	}
	err = parallel(nLoad, conns, func(i int) error {
		id, err := register(tk.border, fmt.Sprintf("L%06d", run), i)
		p.load[i] = id
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("seed load workers: %w", err)
	}
	err = parallel(nRead, conns, func(i int) error {
		id, err := register(tk.employer, fmt.Sprintf("R%06d", run), i)
		if err != nil {
			return err
		}
		p.read[i] = id
		for y := 2023; y <= 2026; y++ {
			if _, err := c.expect(201, "POST", "/v1/crossings", tk.border, fmt.Appendf(nil,
				`{"worker_id":%q,"direction":"entry","occurred_at":"%d-03-01T12:00:00Z","post":"PASO-CANOAS"}`, id, y)); err != nil {
				return err
			}
			if y == 2024 {
				if _, err := c.expect(201, "POST", "/v1/placements", tk.employer, fmt.Appendf(nil,
					`{"worker_id":%q,"start_date":"2024-03-02","expected_end_date":"2024-09-30","occupation":"9211","sector":"A","region":"CR-A"}`, id)); err != nil {
					return err
				}
			}
			if y < 2026 {
				if _, err := c.expect(201, "POST", "/v1/crossings", tk.border, fmt.Appendf(nil,
					`{"worker_id":%q,"direction":"exit","occurred_at":"%d-10-15T12:00:00Z","post":"PASO-CANOAS"}`, id, y)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed read workers: %w", err)
	}
	return p, nil
}
