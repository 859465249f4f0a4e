package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog"
)

func runVerify(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", "Verifies a log. Offline (--data-dir): recomputes every leaf and node, checks every stored checkpoint's signature and root; the server must not be running on the directory. Over HTTP (--url, --token): as a mirror would, fetches every entry and checks it against the signed checkpoint, and checks with a consistency proof that the log only grew since the checkpoint verified last time (kept in --state). Exits 0 only if all hold.",
		"trazo verify --data-dir ./data\n  trazo verify --url https://trazo.example --token \"$TRAZO_TOKEN_INSPECTOR\" --key \"$(cat log.pub)\"", stderr)
	var lf ledgerFlags
	lf.register(fs)
	var uf urlFlags
	uf.register(fs)
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	given := givenFlags(fs, args)
	switch {
	case given["url"] && given["data-dir"]:
		return usageError("give --data-dir (offline) or --url (over HTTP), not both")
	case uf.url != "" && !given["data-dir"]:
		return runVerifyURL(ctx, uf, lf.origin, getenv, stdout, stderr)
	case given["token"] || given["key"] || given["state"]:
		return usageError("--token, --key and --state go with --url")
	}
	l, err := lf.openLog(true)
	if err != nil {
		return err
	}
	defer l.Close()
	start := time.Now()
	if err := l.Verify(ctx, nil); err != nil {
		return fmt.Errorf("verification failed: %w", err)
	}
	fmt.Fprintf(stdout, "ok: %d entries, root %x, every leaf, node and checkpoint verified in %s\nverifier key: %s\n",
		l.Size(), l.Root(), time.Since(start).Round(time.Millisecond), l.VerifierKey())
	return nil
}

func runBackup(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("backup", "Writes a backup of a data directory (its keys and a consistent snapshot of the store), from the running server if one has it open. The file is as secret as the data directory.",
		"trazo backup --data-dir ./data --out trazo-backup.bin", stderr)
	var lf ledgerFlags
	lf.register(fs)
	out := fs.String("out", "", "backup file to write")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if err := required(fs, "out"); err != nil {
		return err
	}
	l, err := lf.openLog(true)
	if errors.Is(err, tlog.ErrLocked) {
		// A server has the directory open: ask it for the backup.
		info, err := backupFromServer(ctx, lf.dataDir, *out)
		if err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		fmt.Fprintf(stdout, "backup written to %s by the running server: %d entries, root %x\n", *out, info.Size, info.Root)
		return nil
	}
	if err != nil {
		return err
	}
	defer l.Close()
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create backup file: %w", err)
	}
	info, err := l.Backup(f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(*out)
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backup written to %s: %d entries, root %x\n", *out, info.Size, info.Root)
	return nil
}

func runRestore(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("restore", "Restores a backup into a new, empty data directory and checks the restored root.",
		"trazo restore --data-dir ./data-restored --in trazo-backup.bin", stderr)
	var lf ledgerFlags
	lf.register(fs)
	in := fs.String("in", "", "backup file to read")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if err := required(fs, "in"); err != nil {
		return err
	}
	opts, err := lf.options(slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	opts.Origin = lf.origin // empty: the backup's own origin
	f, err := os.Open(*in)
	if err != nil {
		return fmt.Errorf("open backup: %w", err)
	}
	defer f.Close()
	info, err := tlog.Restore(lf.dataDir, f, opts)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored %s: %d entries, root %x\n", lf.dataDir, info.Size, info.Root)
	return nil
}
