#!/usr/bin/env bash
# Report benchmarks: seeds a national-scale data set through the real
# domain service, ledger.Service, with demo.Bulk (1,000,000 workers, about
# 10,000,000 entries, three seasons), then times an annual ungrouped
# report and annual reports grouped by two dimensions, against a full scan
# of the log (every entry read and decoded) measured in the same run.
#
#   scripts/bench-report.sh                      # 1,000,000 workers (about 25 minutes of seeding, ~4 GB of disk)
#   WORKERS=10000 scripts/bench-report.sh        # short version
#   DIR=/var/tmp/trazo-1m scripts/bench-report.sh  # keep the data set; a second run reuses it and only measures
#   RUNS=9 scripts/bench-report.sh               # more runs per report for the medians
#
# The Go benchmark on 10,000 workers, for CI:
#   go test -run '^$' -bench BenchmarkReport -benchtime 20x ./ledger/report
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-1000000}
RUNS=${RUNS:-5}
if [ -z "${DIR:-}" ]; then
	DIR=$(mktemp -d)
	trap 'rm -rf "$DIR"' EXIT
fi
go run ./scripts/benchreport -workers "$WORKERS" -runs "$RUNS" -dir "$DIR" "$@"
du -sh "$DIR"
