package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// Log is what the API needs of the ledger.
type Log interface {
	Checkpoint() []byte
	CheckpointAt(size uint64) ([]byte, error)
	VerifierKey() string
	Ready(ctx context.Context) error
}

// Config configures the API.
type Config struct {
	// Logger receives access logs and unexpected errors. Default: discard.
	Logger *slog.Logger
}

// Server is the HTTP API.
type Server struct {
	log    Log
	logger *slog.Logger
	engine *gin.Engine
}

// New returns the API's handler, with every route of routes.go mounted.
func New(cfg Config, log Log) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.SetTrustedProxies(nil)
	e.HandleMethodNotAllowed = true
	s := &Server{log: log, logger: cfg.Logger, engine: e}
	e.Use(s.recovery())
	e.NoRoute(func(c *gin.Context) { writeError(c, errNoRoute) })
	e.NoMethod(func(c *gin.Context) { writeError(c, errNoMethod) })
	s.routes()
	return s
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.engine.ServeHTTP(w, r) }

// Routes lists the mounted routes (method and path), for tests and docs.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

// NewHTTPServer returns an http.Server for h with timeouts and limits set:
// a client that sends its headers slowly is dropped after
// ReadHeaderTimeout, and no request or response may take longer than the
// read and write timeouts.
func NewHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    32 << 10,
	}
}

// recovery answers a panic with a generic 500 and logs it; no stack or
// panic text reaches the client.
func (s *Server) recovery() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if p := recover(); p != nil {
				s.logger.ErrorContext(c.Request.Context(), "panic in handler", "panic", p, "route", c.FullPath())
				writeError(c, errInternal)
			}
		}()
		c.Next()
	}
}
