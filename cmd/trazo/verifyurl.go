package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/trazo-ledger/trazo/ledger/tlog/client"
	"golang.org/x/mod/sumdb/note"
)

// urlFlags are the flags of "trazo verify --url".
type urlFlags struct {
	url, token, key, state string
}

func (f *urlFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "url", "", "verify a running server over HTTP, as a mirror would, instead of a --data-dir")
	fs.StringVar(&f.token, "token", "", "with --url: an inspector token, to read the log's entries")
	fs.StringVar(&f.key, "key", "", "with --url: the log's verifier key (name+hash+base64key, as in log.pub), obtained out of band; without it the key the server serves is trusted on first use")
	fs.StringVar(&f.state, "state", "", "with --url: file keeping the last verified checkpoint (default ~/.trazo/verify-<origin hash>.state)")
}

// runVerifyURL checks a served log as a mirror would (client.Verify): the
// signed checkpoint against the trusted key, every entry against the
// checkpoint's root, and, given the checkpoint verified last time, that
// the log only grew.
func runVerifyURL(ctx context.Context, f urlFlags, originFlag string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := client.New(f.url, f.token, &http.Client{Timeout: time.Minute})
	if errors.Is(err, client.ErrURL) {
		return usageError("--url %q is not an http:// or https:// URL", f.url)
	}
	if err != nil {
		return err
	}
	if f.token == "" {
		return usageError("--token is required with --url (or set TRAZO_TOKEN): an inspector token, as \"trazo token --role inspector\" prints")
	}
	if key := strings.TrimSpace(f.key); key != "" {
		if _, err := note.NewVerifier(key); err != nil {
			return usageError("--key is not a note verifier key (name+hash+base64key): %v", err)
		}
	}
	res, err := c.Verify(ctx, client.Config{
		Key:    f.key,
		Origin: originFlag,
		StatePath: func(origin string) (string, error) {
			if f.state != "" {
				return f.state, nil
			}
			p, err := client.DefaultStatePath(origin, getenv)
			if err != nil {
				return "", fmt.Errorf("%w (give --state)", err)
			}
			return p, nil
		},
		TrustOnFirstUse: func(key string) {
			fmt.Fprintf(stderr, "trazo: warning: trusting the verifier key the server serves (%s) on first use; pass --key with the key published out of band (log.pub) to be sure\n", key)
		},
	})
	if err != nil {
		return err
	}
	consistency := "first verification of this log"
	if res.Previous != nil {
		consistency = fmt.Sprintf("consistent with the checkpoint of size %d verified on %s (consistency proof of %d hashes)",
			res.Previous.Size, res.PreviousAt.Format(time.RFC3339), res.ConsistencyHashes)
	}
	fmt.Fprintf(stdout, "ok: %s log %s: %d entries fetched and hashed to the signed checkpoint's root %x; %s; state in %s\n",
		c.BaseURL(), res.Origin, res.Checkpoint.Size, res.Checkpoint.Hash, consistency, res.StatePath)
	return nil
}

// givenFlags returns the flags set on the command line itself, not from
// the environment.
func givenFlags(fs *flag.FlagSet, args []string) map[string]bool {
	clone := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	clone.SetOutput(io.Discard)
	fs.VisitAll(func(f *flag.Flag) { clone.Var(f.Value, f.Name, f.Usage) })
	given := map[string]bool{}
	if clone.Parse(args) == nil {
		clone.Visit(func(f *flag.Flag) { given[f.Name] = true })
	}
	return given
}
