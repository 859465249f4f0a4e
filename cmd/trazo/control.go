package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

// The control socket lets a command reach the log of a running server,
// whose data directory it cannot open (the server holds its lock). Today
// it serves "trazo backup": without it, a backup needs the server stopped.
//
// "trazo serve" listens on <data-dir>/control.sock, a Unix socket that
// only the directory's owner may open (mode 0600; the data directory is
// 0700), and answers HTTP on it: GET /backup streams Log.Backup, a
// consistent snapshot taken while appends go on, and sends the size and
// root it guarantees, or the error that cut it short, as trailers. The
// chunked encoding of the answer makes a stream cut by the server's death
// an error on the client's side, never a short backup.
const controlSocket = "control.sock"

const (
	trailerBackupSize  = "Trazo-Backup-Size"
	trailerBackupRoot  = "Trazo-Backup-Root"
	trailerBackupError = "Trazo-Backup-Error"
)

// controlServer is the control socket of a running server.
type controlServer struct {
	srv      *http.Server
	path     string
	mu       sync.Mutex
	closed   bool
	handlers sync.WaitGroup // backups in progress
}

// begin counts a backup in progress, unless Close has begun.
func (c *controlServer) begin() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.handlers.Add(1)
	return true
}

// startControl listens on the data directory's control socket. The caller
// holds the directory's lock, so a socket file already there was left by
// a process that died, and is replaced.
func startControl(dir string, l *tlog.Log, logger *slog.Logger) (*controlServer, error) {
	path := filepath.Join(dir, controlSocket)
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("control socket: %w", err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("control socket: %w", err)
	}
	c := &controlServer{path: path}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /backup", func(w http.ResponseWriter, r *http.Request) {
		if !c.begin() {
			http.Error(w, "the server is stopping", http.StatusServiceUnavailable)
			return
		}
		defer c.handlers.Done()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Trailer", trailerBackupSize+", "+trailerBackupRoot+", "+trailerBackupError)
		started := time.Now()
		info, err := l.Backup(w)
		if err != nil {
			logger.Error("online backup failed", "err", err)
			w.Header().Set(trailerBackupError, err.Error())
			return
		}
		logger.Info("online backup written", "size", info.Size, "took", time.Since(started).String())
		w.Header().Set(trailerBackupSize, strconv.FormatUint(info.Size, 10))
		w.Header().Set(trailerBackupRoot, hex.EncodeToString(info.Root))
	})
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := c.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("control socket", "err", err)
		}
	}()
	return c, nil
}

// Close stops answering, cuts a backup in progress (its client reports
// it, and keeps no file) and waits for it to stop reading the log, then
// removes the socket file. The caller closes the log after it.
func (c *controlServer) Close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.srv.Close()
	c.handlers.Wait()
	os.Remove(c.path)
}

// backupFromServer asks the server running on dir for a backup through
// its control socket and writes it to out (created, mode 0600; removed
// again on any failure).
func backupFromServer(ctx context.Context, dir, out string) (tlog.BackupInfo, error) {
	path := filepath.Join(dir, controlSocket)
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		},
		DisableCompression: true,
	}}
	defer hc.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://trazo/backup", nil)
	if err != nil {
		return tlog.BackupInfo{}, err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return tlog.BackupInfo{}, fmt.Errorf("create backup file: %w", err)
	}
	var info tlog.BackupInfo
	resp, err := hc.Do(req)
	switch {
	case err != nil:
		err = fmt.Errorf("the data directory is in use by another process, and no trazo server answers on %s (%v): stop that process, then run the backup again", path, err)
	case resp.StatusCode != http.StatusOK:
		resp.Body.Close()
		err = fmt.Errorf("the server's control socket answered %s", resp.Status)
	default:
		info, err = receiveBackup(resp, f)
		resp.Body.Close()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out)
		return tlog.BackupInfo{}, err
	}
	return info, nil
}

// receiveBackup copies a backup answer into w and reads what the trailers
// say of it.
func receiveBackup(resp *http.Response, w io.Writer) (tlog.BackupInfo, error) {
	if _, err := io.Copy(w, resp.Body); err != nil {
		return tlog.BackupInfo{}, fmt.Errorf("receive backup: %w", err)
	}
	if msg := resp.Trailer.Get(trailerBackupError); msg != "" {
		return tlog.BackupInfo{}, fmt.Errorf("the server could not write the backup: %s", msg)
	}
	size, err := strconv.ParseUint(resp.Trailer.Get(trailerBackupSize), 10, 64)
	if err != nil {
		return tlog.BackupInfo{}, errors.New("receive backup: the server did not say what it backed up")
	}
	root, err := hex.DecodeString(resp.Trailer.Get(trailerBackupRoot))
	if err != nil || len(root) == 0 {
		return tlog.BackupInfo{}, errors.New("receive backup: the server did not say what it backed up")
	}
	return tlog.BackupInfo{Size: size, Root: root}, nil
}
