#!/usr/bin/env bash
# Crash safety over HTTP: trazo serve runs as a real process while 16
# clients record crossings (each with its own Idempotency-Key); it is
# SIGKILLed at a random moment and started again on the same directory.
# Every acknowledged append must be in the log at its index with its leaf
# hash, no request may append twice, every unacknowledged request retried
# with its key must replay or append once, and "trazo verify" must pass.
# CI runs 5 cycles (go test ./cmd/trazo); this runs 200.
#
#   scripts/crash-http.sh            # 200 cycles
#   CYCLES=1000 scripts/crash-http.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${CYCLES:-200}
TRAZO_HTTP_CRASH_CYCLES="$CYCLES" go test -count=1 -run '^TestCrashSafetyHTTPSIGKILL$' -timeout 120m -v ./cmd/trazo |
	grep -E '^(=== RUN|--- |PASS|FAIL|ok)|cycle [0-9]*9:|cycles:|crash_http_test.go:[0-9]+: cycle [0-9]+: [a-z]'
