package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/trazo-ledger/trazo/api"
	"github.com/trazo-ledger/trazo/ledger"
)

var countryRE = regexp.MustCompile(`^[A-Z]{3}$`)

// ledgerFlags are the flags every command that opens a data directory has.
type ledgerFlags struct {
	dataDir, country, origin string
}

func (f *ledgerFlags) register(fs flagSet) {
	fs.StringVar(&f.dataDir, "data-dir", "./data", "data directory (store and keys)")
	fs.StringVar(&f.country, "country", "CRI", "host country, ISO 3166-1 alpha-3")
	fs.StringVar(&f.origin, "origin", "", "log origin in checkpoints (default trazo.<country>.local/log)")
}

type flagSet interface {
	StringVar(p *string, name, value, usage string)
}

// options checks the flags and returns the ledger options they give.
func (f *ledgerFlags) options(logger *slog.Logger) (ledger.Options, error) {
	if f.dataDir == "" {
		return ledger.Options{}, usageError("--data-dir must not be empty")
	}
	if !countryRE.MatchString(f.country) {
		return ledger.Options{}, usageError("--country %q is not an ISO 3166-1 alpha-3 code such as CRI", f.country)
	}
	origin := f.origin
	if origin == "" {
		origin = "trazo." + strings.ToLower(f.country) + ".local/log"
	}
	if strings.ContainsAny(origin, " +\n\t") {
		return ledger.Options{}, usageError("--origin %q must not contain spaces, '+' or newlines", origin)
	}
	return ledger.Options{Origin: origin, Logger: logger}, nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Runs the Trazo HTTP API on a data directory, creating it on first start.",
		"trazo serve --data-dir ./data --addr 127.0.0.1:8080 --country CRI", stderr)
	var lf ledgerFlags
	lf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	demo := fs.Bool("demo", false, "seed a realistic demo data set into an empty data directory")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	opts, err := lf.options(logger)
	if err != nil {
		return err
	}
	l, err := ledger.Open(lf.dataDir, opts)
	if err != nil {
		return fmt.Errorf("open data directory %s: %w", lf.dataDir, err)
	}
	defer func() {
		if err := l.Close(); err != nil {
			logger.Error("close store", "err", err)
		}
	}()
	if *demo {
		logger.Info("demo mode: the demo data set is not built yet; serving the data directory as it is")
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := api.NewHTTPServer(*addr, api.New(api.Config{Logger: logger}, l))
	srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
	fmt.Fprintf(stdout, "trazo: serving %s on http://%s (log size %d, origin %s)\n", lf.dataDir, ln.Addr(), l.Size(), l.Origin())
	logger.Info("serving", "addr", ln.Addr().String(), "data_dir", lf.dataDir, "origin", l.Origin(), "size", l.Size())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
