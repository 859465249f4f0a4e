package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// client sends requests over keep-alive connections to one server.
type client struct {
	base string
	hc   *http.Client
}

func newClient(base string, conns int) *client {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, IdleConnTimeout: time.Minute}
	return &client{base: base, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// do sends one request with a bearer token (and a JSON body and an
// Idempotency-Key when given) and returns the status and the body.
func (c *client) do(method, path, token string, body []byte, key string) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header["Content-Type"] = []string{"application/json"}
	}
	if token != "" {
		req.Header["Authorization"] = []string{"Bearer " + token}
	}
	if key != "" {
		req.Header["Idempotency-Key"] = []string{key}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, b, err
}

// expect sends a request that must answer want and returns its body.
func (c *client) expect(want int, method, path, token string, body []byte) ([]byte, error) {
	code, b, err := c.do(method, path, token, body, "")
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	if code != want {
		return nil, fmt.Errorf("%s %s = %d, want %d: %.300s", method, path, code, want, b)
	}
	return b, nil
}

// op is one request of a load: client is the client's number, i its
// request count. It returns how many units (entries appended, reads) the
// request did, or an error for any unexpected answer.
type op func(client, i int) (units int, err error)

// result is what one measurement found.
type result struct {
	name       string
	clients    int
	requests   int
	units      int
	errors     int
	firstErr   string
	elapsed    time.Duration
	lat        []time.Duration // sorted
	serverCPU  time.Duration
	selfCPU    time.Duration
	commits    float64 // ledger commits during the load
	commitEnts float64 // entries those commits held
	commitSecs float64 // time those commits spent in Badger's commit (fsync included)
	rssKB      int64   // the server's resident set at the end (VmRSS)
	heapInuse  float64 // the server's Go heap in use at the end (bytes)
}

func (r result) rate() float64 { return float64(r.units) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := int(float64(len(r.lat)) * p)
	return r.lat[min(i, len(r.lat)-1)]
}

// maxPerClient bounds every client's requests in one measurement.
const maxPerClient = 5_000_000

// runLoad runs fn from clients goroutines, each sending one request after
// another, for d (and at most maxPerClient requests each), and measures.
func runLoad(name string, clients int, d time.Duration, fn op) result {
	var mu sync.Mutex
	r := result{name: name, clients: clients}
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(d)
	for g := range clients {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 4096)
			units, errs, reqs := 0, 0, 0
			var firstErr string
			for i := 0; i < maxPerClient; i++ {
				t0 := time.Now()
				if !t0.Before(deadline) {
					break
				}
				u, err := fn(g, i)
				lat = append(lat, time.Since(t0))
				reqs++
				if err != nil {
					errs++
					if firstErr == "" {
						firstErr = err.Error()
					}
					if errs > 100 {
						break // something is badly wrong: stop this client
					}
					continue
				}
				units += u
			}
			mu.Lock()
			r.lat = append(r.lat, lat...)
			r.units += units
			r.requests += reqs
			r.errors += errs
			if r.firstErr == "" {
				r.firstErr = firstErr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	slices.Sort(r.lat)
	return r
}

// merge adds the measurement b (another round of the same load) to a.
func merge(a, b result) result {
	if a.name == "" {
		return b
	}
	a.requests += b.requests
	a.units += b.units
	a.errors += b.errors
	if a.firstErr == "" {
		a.firstErr = b.firstErr
	}
	a.elapsed += b.elapsed
	a.lat = append(a.lat, b.lat...)
	slices.Sort(a.lat)
	a.serverCPU += b.serverCPU
	a.selfCPU += b.selfCPU
	a.commits += b.commits
	a.commitEnts += b.commitEnts
	a.commitSecs += b.commitSecs
	a.rssKB, a.heapInuse = b.rssKB, b.heapInuse
	return a
}

// measure runs a load against srv and adds the server's CPU time, the
// load generator's own, and the ledger's commits (from /metrics) in it.
func measure(srv *server, c *client, name string, clients int, d time.Duration, fn op) result {
	m0, _ := commitMetrics(c)
	s0, c0 := procCPU(srv.pid()), selfCPU()
	r := runLoad(name, clients, d, fn)
	r.serverCPU, r.selfCPU = procCPU(srv.pid())-s0, selfCPU()-c0
	if m1, err := commitMetrics(c); err == nil {
		r.commits, r.commitEnts, r.heapInuse, r.commitSecs = m1[0]-m0[0], m1[1]-m0[1], m1[2], m1[3]-m0[3]
	}
	r.rssKB, _ = procStatusKB(srv.pid(), "VmRSS")
	return r
}

// commitMetrics returns trazo_ledger_commits_total,
// trazo_ledger_commit_entries_sum, go_memstats_heap_inuse_bytes and
// trazo_ledger_commit_duration_seconds_sum from GET /metrics.
func commitMetrics(c *client) ([4]float64, error) {
	var out [4]float64
	b, err := c.expect(200, "GET", "/metrics", "", nil)
	if err != nil {
		return out, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, v, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		f, _ := strconv.ParseFloat(v, 64)
		switch name {
		case "trazo_ledger_commits_total":
			out[0] = f
		case "trazo_ledger_commit_entries_sum":
			out[1] = f
		case "go_memstats_heap_inuse_bytes":
			out[2] = f
		case "trazo_ledger_commit_duration_seconds_sum":
			out[3] = f
		}
	}
	return out, nil
}
