package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// routeObs is what observe needs to account for one route, prepared when
// the route is mounted so that a request pays no label hashing and no
// encoding of its method and route: the latency series, the request
// counters by status (created on first use), and the logger's handler
// with "method" and "route" already formatted.
type routeObs struct {
	method, route string
	latency       prometheus.Observer
	log           slog.Handler
	codes         [600]atomic.Pointer[counterRef]
	m             *Metrics
}

type counterRef struct{ prometheus.Counter }

func newRouteObs(m *Metrics, logger *slog.Logger, method, route string) *routeObs {
	return &routeObs{
		method:  method,
		route:   route,
		latency: m.latency.WithLabelValues(method, route),
		log:     logger.Handler().WithAttrs([]slog.Attr{slog.String("method", method), slog.String("route", route)}),
		m:       m,
	}
}

// observe counts one answered request.
func (o *routeObs) observe(status int, d time.Duration) {
	o.latency.Observe(d.Seconds())
	if status < 0 || status >= len(o.codes) {
		o.m.requests.WithLabelValues(o.method, o.route, strconv.Itoa(status)).Inc()
		return
	}
	c := o.codes[status].Load()
	if c == nil {
		c = &counterRef{o.m.requests.WithLabelValues(o.method, o.route, strconv.Itoa(status))}
		o.codes[status].Store(c) // a racing twin stores the same series
	}
	c.Inc()
}

// observers finds the routeObs of a request: by method, then route
// pattern ("unmatched" for no route). It is filled while routes are
// mounted, before the server serves, and only read afterwards.
type observers map[string]map[string]*routeObs

func (os observers) add(o *routeObs) {
	byRoute := os[o.method]
	if byRoute == nil {
		byRoute = map[string]*routeObs{}
		os[o.method] = byRoute
	}
	byRoute[o.route] = o
}

// newObservers returns the observers of unmatched requests of every
// method knownMethod names.
func newObservers(m *Metrics, logger *slog.Logger) observers {
	os := observers{}
	for _, method := range []string{http.MethodGet, http.MethodPost, http.MethodHead, http.MethodOptions,
		http.MethodPut, http.MethodPatch, http.MethodDelete, "OTHER"} {
		os.add(newRouteObs(m, logger, method, "unmatched"))
	}
	return os
}

// lookup returns the routeObs of method and route, or nil.
func (os observers) lookup(method, route string) *routeObs {
	return os[method][route]
}
