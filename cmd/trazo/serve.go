package main

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/trazo-ledger/trazo/api"
	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
	"github.com/trazo-ledger/trazo/ledger/report"
	"github.com/trazo-ledger/trazo/ledger/tlog"
)

var countryRE = regexp.MustCompile(`^[A-Z]{3}$`)

// ledgerFlags are the flags every command that opens a data directory has.
type ledgerFlags struct {
	dataDir, country, origin, encryptionKeyFile, memoryLimit string
}

func (f *ledgerFlags) register(fs flagSet) {
	fs.StringVar(&f.dataDir, "data-dir", "./data", "data directory (store and keys)")
	fs.StringVar(&f.country, "country", "CRI", "host country, ISO 3166-1 alpha-3")
	fs.StringVar(&f.origin, "origin", "", "log origin in checkpoints (default trazo.<country>.local/log)")
	fs.StringVar(&f.encryptionKeyFile, "encryption-key-file", "", "file with the hex AES key (32, 48 or 64 hex digits) that encrypts the store at rest (Badger's own encryption); keep it outside the data directory")
	fs.StringVar(&f.memoryLimit, "memory-limit", "1536MiB", "soft limit of the process's memory (the Go runtime's GOMEMLIMIT, which wins when set), e.g. 1GiB or 768MiB; 0 for none")
}

type flagSet interface {
	StringVar(p *string, name, value, usage string)
}

// options checks the flags and returns the ledger options they give.
func (f *ledgerFlags) options(logger *slog.Logger) (tlog.Options, error) {
	if f.dataDir == "" {
		return tlog.Options{}, usageError("--data-dir must not be empty")
	}
	if !countryRE.MatchString(f.country) {
		return tlog.Options{}, usageError("--country %q is not an ISO 3166-1 alpha-3 code such as CRI", f.country)
	}
	origin := f.origin
	if origin == "" {
		origin = "trazo." + strings.ToLower(f.country) + ".local/log"
	}
	if strings.ContainsAny(origin, " +\n\t") {
		return tlog.Options{}, usageError("--origin %q must not contain spaces, '+' or newlines", origin)
	}
	limit, err := parseSize(f.memoryLimit)
	if err != nil {
		return tlog.Options{}, usageError("--memory-limit %q: %v", f.memoryLimit, err)
	}
	setMemoryLimit(limit)
	opts := tlog.Options{Origin: origin, Logger: logger}
	if f.encryptionKeyFile != "" {
		key, err := readEncryptionKey(f.encryptionKeyFile)
		if err != nil {
			return tlog.Options{}, err
		}
		opts.EncryptionKey = key
	}
	return opts, nil
}

// openLog opens the log of the data directory for an offline command (no
// log lines). With mustExist, a missing directory is an error rather than
// a new, empty log: only seed starts one.
func (f *ledgerFlags) openLog(mustExist bool) (*tlog.Log, error) {
	opts, err := f.options(slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	if mustExist {
		if _, err := os.Stat(f.dataDir); err != nil {
			return nil, fmt.Errorf("data directory %s: %w", f.dataDir, err)
		}
	}
	l, err := tlog.Open(f.dataDir, opts)
	if err != nil {
		return nil, fmt.Errorf("open data directory %s: %w", f.dataDir, err)
	}
	return l, nil
}

// openService opens the log (as openLog) and the mobility service on it.
// Closing the log is the caller's.
func (f *ledgerFlags) openService(mustExist bool) (*tlog.Log, *ledger.Service, error) {
	l, err := f.openLog(mustExist)
	if err != nil {
		return nil, nil, err
	}
	svc, err := ledger.New(l, ledger.Config{Country: f.country, DataDir: f.dataDir})
	if err != nil {
		l.Close()
		return nil, nil, err
	}
	return l, svc, nil
}

// readEncryptionKey reads a store encryption key: 16, 24 or 32 bytes
// written as hex, in a file no other user may read.
func readEncryptionKey(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("encryption key file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("encryption key file %s is readable by other users (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("encryption key file: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || (len(key) != 16 && len(key) != 24 && len(key) != 32) {
		return nil, usageError("encryption key file %s must hold 32, 48 or 64 hex digits (an AES-128, -192 or -256 key)", path)
	}
	return key, nil
}

func runServe(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "Runs the Trazo HTTP API on a data directory, creating it (and the token signing key "+tokenKeyFile+") on first start. SIGHUP re-reads the --jwks-file.",
		"trazo serve --data-dir ./data --addr 127.0.0.1:8080 --country CRI --rate-limit 20", stderr)
	var lf ledgerFlags
	lf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	demo := fs.Bool("demo", false, "seed a realistic demo data set into an empty data directory")
	jwksFile := fs.String("jwks-file", "", "JWKS file of extra trusted token keys (a ministry's identity provider); re-read on SIGHUP")
	rateLimit := fs.Float64("rate-limit", 0, "requests a second allowed per token subject, and per client IP on public routes (0: no limit)")
	rateBurst := fs.Int("rate-burst", 0, "burst size of the rate limit (default: --rate-limit rounded up)")
	corsOrigins := fs.String("cors-origins", "", "comma-separated exact origins browsers may call the API from (e.g. https://app.example); empty: CORS off")
	trustedProxies := fs.String("trusted-proxies", "", "comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed; empty: none")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	origins, proxies, err := checkServeFlags(*rateLimit, *rateBurst, *corsOrigins, *trustedProxies)
	if err != nil {
		return err
	}

	// Open the store.
	logger := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	metrics := api.NewMetrics()
	l, err := openServeLog(&lf, logger, metrics)
	if err != nil {
		return err
	}
	defer closeLog(l, logger)

	// Wire the token keys, the domain and the API.
	key, verifier, stopReload, err := loadVerifier(ctx, lf.dataDir, *jwksFile, logger)
	if err != nil {
		return err
	}
	defer stopReload()
	svc, err := ledger.New(l, ledger.Config{Country: lf.country, DataDir: lf.dataDir, Now: time.Now, Logger: logger})
	if err != nil {
		return fmt.Errorf("mobility domain: %w", err)
	}
	var demoTokens func() (api.DemoTokens, error)
	if *demo {
		demoTokens = demoTokensFor(filepath.Join(lf.dataDir, demoTokensFile))
	}
	handler, err := api.New(api.Config{
		Verifier:         verifier,
		Logger:           logger,
		Metrics:          metrics,
		Domain:           svc,
		Reports:          report.New(svc, report.Options{}),
		Employers:        api.DomainEmployers(svc.GetEmployer),
		EntryOwner:       api.DomainEntryOwner(svc.LogEntry),
		RateLimit:        *rateLimit,
		RateBurst:        *rateBurst,
		TrustedProxies:   proxies,
		CORSAllowOrigins: origins,
		DemoTokens:       demoTokens,
	}, l)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	if *demo {
		if err := startDemo(ctx, key, svc, l, lf.dataDir, "http://"+ln.Addr().String(), stdout); err != nil {
			ln.Close()
			return err
		}
	}
	closeControl := startControlSocket(lf.dataDir, l, logger)
	defer closeControl()

	// Serve until ctx ends, then shut down.
	fmt.Fprintf(stdout, "trazo: serving %s on http://%s (log size %d, origin %s)\n", lf.dataDir, ln.Addr(), l.Size(), l.Origin())
	logger.Info("serving", "addr", ln.Addr().String(), "data_dir", lf.dataDir, "origin", l.Origin(), "size", l.Size(), "token_kid", verifier.KeyID())
	return serveUntilDone(ctx, *addr, handler, ln, logger)
}

// serveUntilDone serves handler on ln until ctx ends, then shuts the
// server down, letting requests in flight finish for up to 15 seconds. It
// returns the error that stopped serving, or that of the shutdown.
func serveUntilDone(ctx context.Context, addr string, handler http.Handler, ln net.Listener, logger *slog.Logger) error {
	srv := api.NewHTTPServer(addr, handler, api.HTTPLimits{})
	srv.ErrorLog = slog.NewLogLogger(logger.Handler(), slog.LevelWarn)
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

// checkServeFlags checks serve's rate limit, CORS origins and trusted
// proxies, and returns the origins and proxies listed; a usage error for
// a negative rate, an origin that is not one, or a proxy that is not an
// IP address or CIDR.
func checkServeFlags(rateLimit float64, rateBurst int, corsOrigins, trustedProxies string) (origins, proxies []string, err error) {
	if rateLimit < 0 || rateBurst < 0 || math.IsNaN(rateLimit) || math.IsInf(rateLimit, 0) {
		return nil, nil, usageError("--rate-limit and --rate-burst must not be negative")
	}
	origins = splitList(corsOrigins)
	for _, o := range origins {
		if err := api.CheckOrigin(o); err != nil {
			return nil, nil, usageError("--cors-origins: %q is not an origin such as https://app.example", o)
		}
	}
	proxies = splitList(trustedProxies)
	for _, p := range proxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return nil, nil, usageError("--trusted-proxies: %q is not an IP address or CIDR", p)
		}
	}
	return origins, proxies, nil
}

// openServeLog opens the log of the data directory for the server, its
// commits observed by metrics and its events logged to logger. Closing
// it is the caller's.
func openServeLog(lf *ledgerFlags, logger *slog.Logger, metrics *api.Metrics) (*tlog.Log, error) {
	opts, err := lf.options(logger)
	if err != nil {
		return nil, err
	}
	opts.OnCommit = metrics.ObserveCommit
	l, err := tlog.Open(lf.dataDir, opts)
	if err != nil {
		return nil, fmt.Errorf("open data directory %s: %w", lf.dataDir, err)
	}
	return l, nil
}

// closeLog closes the server's log, logging an error.
func closeLog(l *tlog.Log, logger *slog.Logger) {
	if err := l.Close(); err != nil {
		logger.Error("close store", "err", err)
	}
}

// loadVerifier loads (or, on first start, creates) the server's token
// signing key in dataDir and returns it with the verifier of tokens,
// which also trusts the keys of jwksFile when that is set and re-reads
// them on SIGHUP until ctx ends or stopReload is called. It returns the
// error of the key, of the verifier or of the JWKS file.
func loadVerifier(ctx context.Context, dataDir, jwksFile string, logger *slog.Logger) (key ed25519.PrivateKey, verifier *auth.Verifier, stopReload func(), err error) {
	key, err = auth.LoadOrCreateKey(filepath.Join(dataDir, tokenKeyFile))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("token signing key: %w", err)
	}
	verifier, err = auth.NewVerifier(key.Public().(ed25519.PublicKey), authConfig())
	if err != nil {
		return nil, nil, nil, fmt.Errorf("token verifier: %w", err)
	}
	if jwksFile == "" {
		return key, verifier, func() {}, nil
	}
	if err := verifier.ReloadJWKS(jwksFile); err != nil {
		return nil, nil, nil, fmt.Errorf("--jwks-file: %w", err)
	}
	logger.Info("trusted JWKS loaded", "file", jwksFile, "kids", verifier.KeySet().KeyIDs())
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go reloadOnSignal(ctx, hup, verifier, jwksFile, logger)
	return key, verifier, func() { signal.Stop(hup) }, nil
}

// startControlSocket starts the control socket that online backups use,
// and returns the function that closes it. Without one (logged as a
// warning) serving goes on, and "trazo backup" then needs the server
// stopped.
func startControlSocket(dataDir string, l *tlog.Log, logger *slog.Logger) (closeSocket func()) {
	ctl, err := startControl(dataDir, l, logger)
	if err != nil {
		logger.Warn("no control socket: online backups unavailable", "err", err)
		return func() {}
	}
	return func() { ctl.Close() }
}

// startDemo sets up the demo data set for the server at baseURL, as
// setupDemo does, with tokens signed by key. It returns the token
// issuer's error or setupDemo's.
func startDemo(ctx context.Context, key ed25519.PrivateKey, svc *ledger.Service, l *tlog.Log, dataDir, baseURL string, stdout io.Writer) error {
	issuer, err := auth.NewIssuer(key, authConfig())
	if err != nil {
		return fmt.Errorf("token issuer: %w", err)
	}
	return setupDemo(ctx, svc, l, dataDir, baseURL, issuer, time.Now(), stdout)
}

// reloadOnSignal re-reads the JWKS file each time sig delivers, until ctx
// ends. A bad file is logged and the keys in use are kept.
func reloadOnSignal(ctx context.Context, sig <-chan os.Signal, v *auth.Verifier, path string, logger *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-sig:
			if err := v.ReloadJWKS(path); err != nil {
				logger.Error("JWKS reload failed; keeping the keys in use", "file", path, "err", err)
				continue
			}
			logger.Info("JWKS reloaded", "file", path, "kids", v.KeySet().KeyIDs())
		}
	}
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// setMemoryLimit sets the Go runtime's soft memory limit, unless the
// GOMEMLIMIT environment variable set one (the runtime reads it at start).
// Most of a busy server's heap is Badger's table builders, allocated and
// dropped with every memtable flush and compaction: without a limit the
// garbage collector lets the heap reach twice the live data before it
// runs (GOGC=100), and the resident set with it.
func setMemoryLimit(limit int64) {
	if limit <= 0 || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(limit)
}

// parseSize parses a byte size: a whole number with an optional unit
// KiB, MiB or GiB (or B).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(s, u.suffix); ok {
			s, mult = rest, u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, errors.New("want a size such as 1536MiB, 2GiB or 0")
	}
	return n * mult, nil
}

// authConfig is the token settings of every issuer and verifier: the
// roles are the domain's.
func authConfig() auth.Config {
	var roles []string
	for _, r := range ledger.Roles() {
		roles = append(roles, string(r))
	}
	return auth.Config{Roles: roles}
}
