#!/usr/bin/env bash
# Crash safety: a child process appends from 16 goroutines and prints every
# acknowledged index and leaf hash; it is SIGKILLed at a random moment, the
# log is reopened, and every acknowledged entry must be there with that
# leaf hash, and Verify must pass; every checkpoint the child was given
# (it asks every millisecond) must be served again with the same bytes.
# CI runs 20 cycles; this runs 200.
#
#   scripts/crash-test.sh           # 200 cycles
#   CYCLES=1000 scripts/crash-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CYCLES=${CYCLES:-200}
TRAZO_CRASH_CYCLES="$CYCLES" go test -count=1 -run '^TestCrashSafetySIGKILL$' -timeout 60m -v ./ledger/tlog | grep -E '^(=== RUN|--- |PASS|FAIL|ok)|cycle [0-9]*9:'
