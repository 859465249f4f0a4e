package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// Log is what the API needs of the ledger (*tlog.Log satisfies it).
type Log interface {
	LatestCheckpoint() (note []byte, size uint64)
	CheckpointAt(size uint64) ([]byte, error)
	VerifierKey() string
	Ready(ctx context.Context) error
	Size() uint64
	Entries(start uint64, limit int) ([][]byte, error)
	InclusionProof(index, size uint64) ([][]byte, error)
	ConsistencyProof(size1, size2 uint64) ([][]byte, error)
}

var (
	_ Log           = (*tlog.Log)(nil)
	_ TokenVerifier = (*auth.Verifier)(nil)
)

// TokenVerifier checks a bearer token and returns its caller
// (*auth.Verifier satisfies it). Refusals must be *auth.Error values.
type TokenVerifier interface {
	Verify(token string) (*auth.Principal, error)
}

// EmployerDirectory tells whether an employer id is registered.
type EmployerDirectory interface {
	// EmployerRegistered reports whether id is a registered employer (a
	// suspended employer is: it may still read its records). An error
	// means the directory could not answer.
	EmployerRegistered(ctx context.Context, id string) (bool, error)
}

// EntryOwnerFunc reports whether the log entry at index belongs to the
// employer employerID (it registered, placed or corrected the subject of
// the entry). It returns false for an index beyond the log, and an error
// only when it cannot answer.
type EntryOwnerFunc func(ctx context.Context, employerID string, index uint64) (bool, error)

// Config configures the API. Only Verifier is required.
type Config struct {
	// Verifier checks the bearer token of every non-public route.
	Verifier TokenVerifier

	// Logger receives one access-log line per request and unexpected
	// errors. Default: discard.
	Logger *slog.Logger

	// Metrics receives request metrics and is served at GET /metrics.
	// Default: a new Metrics. Pass the one whose ObserveCommit is the
	// ledger's OnCommit so that commit metrics are served too.
	Metrics *Metrics

	// Domain serves the domain's routes (routes.go names its methods).
	// Nil: they answer 501 not_implemented after every check of their
	// request (auth, role, query and, for a POST, the body's JSON).
	Domain *ledger.Service

	// Reports serves GET /v1/reports/circular. Nil: the route answers 501
	// not_implemented after its auth checks.
	Reports Reports

	// Employers, when set, refuses (401) employer tokens whose org is not
	// a registered employer. Nil: not checked.
	Employers EmployerDirectory

	// EntryOwner, when set, lets an employer fetch the inclusion proof of
	// its own entries. Nil: employers get 404 for every entry.
	EntryOwner EntryOwnerFunc

	// RateLimit is the sustained number of requests a second allowed per
	// token subject (authenticated routes) and per client IP (public
	// routes); RateBurst is the bucket size (default: RateLimit rounded
	// up). Zero turns rate limiting off.
	RateLimit float64
	RateBurst int

	// TrustedProxies lists the proxies (IPs or CIDRs) whose
	// X-Forwarded-For is believed for the client IP. Empty: none; the
	// client IP is the peer's address.
	TrustedProxies []string

	// CORSAllowOrigins lists the exact origins ("https://app.example")
	// browsers may call the API from. Empty: CORS is off.
	CORSAllowOrigins []string

	// DemoTokens, when set, is what the dashboard offers to sign in with
	// (GET /ui/demo-tokens.json): set it for a demo server only ("serve
	// --demo"), since anyone who can reach the server gets the tokens.
	// Nil: that file is 404.
	DemoTokens func() (DemoTokens, error)

	// Now is the clock of rate limits and durations. Default time.Now.
	Now func() time.Time
}

// Server is the HTTP API.
type Server struct {
	log        Log
	logger     *slog.Logger
	engine     *gin.Engine
	verifier   TokenVerifier
	metrics    *Metrics
	domain     *ledger.Service
	reports    Reports
	employers  EmployerDirectory
	entryOwner EntryOwnerFunc
	demoTokens func() (DemoTokens, error)
	now        func() time.Time
	observers  observers

	ipLimits, subjectLimits *limiterSet
}

// New returns the API's handler, with every route of routes.go mounted. It
// returns an error when Config.Verifier is nil, a trusted proxy is not an
// IP or CIDR, or a CORS origin is not a bare scheme://host[:port].
func New(cfg Config, log Log) (*Server, error) {
	if cfg.Verifier == nil {
		return nil, errors.New("api: Config.Verifier is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	for _, o := range cfg.CORSAllowOrigins {
		if err := CheckOrigin(o); err != nil {
			return nil, err
		}
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("api: trusted proxies: %w", err)
	}
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	s := &Server{
		log:           log,
		logger:        cfg.Logger,
		engine:        e,
		verifier:      cfg.Verifier,
		metrics:       cfg.Metrics,
		domain:        cfg.Domain,
		reports:       cfg.Reports,
		employers:     cfg.Employers,
		entryOwner:    cfg.EntryOwner,
		demoTokens:    cfg.DemoTokens,
		now:           cfg.Now,
		observers:     newObservers(cfg.Metrics, cfg.Logger),
		ipLimits:      newLimiterSet(cfg.RateLimit, cfg.RateBurst, cfg.Now),
		subjectLimits: newLimiterSet(cfg.RateLimit, cfg.RateBurst, cfg.Now),
	}
	if cs, ok := cfg.Verifier.(interface{ CacheStats() auth.CacheStats }); ok {
		f := cs.CacheStats
		s.metrics.cache.Store(&f)
	}
	s.metrics.logSize.Set(float64(log.Size()))
	e.Use(s.observe(), s.recovery(), securityHeaders())
	if len(cfg.CORSAllowOrigins) > 0 {
		e.Use(cors(cfg.CORSAllowOrigins))
	}
	e.NoRoute(func(c *gin.Context) { writeError(c, errNoRoute) })
	e.NoMethod(func(c *gin.Context) { writeError(c, errNoMethod) })
	s.routes()
	return s, nil
}

// CheckOrigin returns an error unless o is an origin as browsers send it:
// http or https, a host, an optional port, and nothing else.
func CheckOrigin(o string) error {
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" || o != u.Scheme+"://"+u.Host {
		return fmt.Errorf("api: CORS origin %q is not of the form https://host[:port]", o)
	}
	return nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes lists the mounted routes (method and path), for tests and docs.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// HTTPLimits are the connection limits of NewHTTPServer. A zero field
// takes the default given.
type HTTPLimits struct {
	ReadHeaderTimeout time.Duration // default 5s: slow header senders are dropped
	ReadTimeout       time.Duration // default 30s
	WriteTimeout      time.Duration // default 60s
	IdleTimeout       time.Duration // default 120s
	MaxHeaderBytes    int           // default 32 KiB; beyond it the answer is 431
}

// NewHTTPServer returns an http.Server for h with timeouts and limits set:
// a client that sends its headers slowly is dropped after
// ReadHeaderTimeout, and no request or response may take longer than the
// read and write timeouts.
func NewHTTPServer(addr string, h http.Handler, limits HTTPLimits) *http.Server {
	def := func(d, def time.Duration) time.Duration {
		if d <= 0 {
			return def
		}
		return d
	}
	if limits.MaxHeaderBytes <= 0 {
		limits.MaxHeaderBytes = 32 << 10
	}
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: def(limits.ReadHeaderTimeout, 5*time.Second),
		ReadTimeout:       def(limits.ReadTimeout, 30*time.Second),
		WriteTimeout:      def(limits.WriteTimeout, 60*time.Second),
		IdleTimeout:       def(limits.IdleTimeout, 120*time.Second),
		MaxHeaderBytes:    limits.MaxHeaderBytes,
	}
}
