#!/usr/bin/env bash
# Soak: "trazo serve" (in the test process) under a mixed load from 8
# keep-alive clients on 127.0.0.1 — crossings with Idempotency-Keys (some
# replayed), small batches, employers' history reads, log entries, proofs,
# checkpoints and requests that must be refused. No request may fail
# other than the expected 4xx, the goroutine count must come back to where
# it started, the heap in use must level off, and the log must verify.
# CI runs 40 s (go test ./cmd/trazo; 10 s with -short); this runs 30 minutes.
#
#   scripts/soak.sh                  # 30 minutes
#   DURATION=2h scripts/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30m}
TRAZO_SOAK="$DURATION" go test -count=1 -run '^TestSoakMixedLoad$' -timeout 25h -v ./cmd/trazo
