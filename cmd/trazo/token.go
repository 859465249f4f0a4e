package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"path/filepath"
	"slices"
	"time"

	"github.com/trazo-ledger/trazo/auth"
	"github.com/trazo-ledger/trazo/ledger"
)

// tokenKeyFile is the server's JWT signing key in the data directory.
const tokenKeyFile = "token.key"

func runToken(ctx context.Context, args []string, getenv func(string) string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("token", "Prints a signed API token (JWT). It reads only the data directory's "+tokenKeyFile+", so it works while the server runs. Roles: employer (--org is the employer id), border (--org is the border post), inspector, ministry (--org is the agency).",
		"trazo token --data-dir ./data --role inspector --org MTSS --sub inspector.ana --ttl 8h", stderr)
	dataDir := fs.String("data-dir", "./data", "data directory holding "+tokenKeyFile)
	role := fs.String("role", "", "role: employer, border, inspector or ministry")
	org := fs.String("org", "", "organisation: employer id, border-post code or agency code")
	sub := fs.String("sub", "", "subject: who will use the token")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the token is valid")
	if err := parseFlags(fs, args, getenv); err != nil {
		return err
	}
	if err := required(fs, "data-dir", "role", "org", "sub"); err != nil {
		return err
	}
	if !slices.Contains(ledger.Roles(), ledger.Role(*role)) {
		return usageError("--role %q is not one of employer, border, inspector, ministry", *role)
	}
	if *ttl <= 0 {
		return usageError("--ttl must be positive")
	}
	key, err := auth.LoadKey(filepath.Join(*dataDir, tokenKeyFile))
	if errors.Is(err, iofs.ErrNotExist) {
		return fmt.Errorf("no token key in %s: start \"trazo serve --data-dir %s\" once to create it", *dataDir, *dataDir)
	}
	if err != nil {
		return err
	}
	iss, err := auth.NewIssuer(key, authConfig())
	if err != nil {
		return err
	}
	tok, err := iss.Issue(*sub, *role, *org, *ttl)
	if err != nil {
		return fmt.Errorf("issue token: %w", err)
	}
	_, err = fmt.Fprintln(stdout, tok)
	return err
}
