#!/usr/bin/env bash
# Ledger benchmarks: durable appends at 1, 16 and 256 appenders against raw
# Badger with the same batch sizes (same run), then Open time and proof
# latency at a large log size.
#
#   scripts/bench-ledger.sh            # 10,000,000 entries (several minutes, ~3 GB of disk)
#   ENTRIES=100000 scripts/bench-ledger.sh   # short version
#   COUNT=5 scripts/bench-ledger.sh    # more benchmark runs for medians
set -euo pipefail
cd "$(dirname "$0")/.."
ENTRIES=${ENTRIES:-10000000}
COUNT=${COUNT:-3}
DIR=${DIR:-$(mktemp -d)}
trap 'rm -rf "$DIR"' EXIT

echo "== durable appends vs raw Badger (count=$COUNT)"
go test -run '^$' -bench 'BenchmarkAppend|BenchmarkRawBadger' -benchtime 2s -count "$COUNT" ./ledger | tee "$DIR/bench.txt"
awk '
/^BenchmarkAppend\/appenders=/ { split($1, a, "[=-]"); n=a[2]; for (i=1;i<=NF;i++) if ($(i+1)=="entries/s") app[n]=app[n]" "$i }
/^BenchmarkRawBadger\/batch=/    { split($1, a, "[=-]"); n=a[2]; for (i=1;i<=NF;i++) if ($(i+1)=="entries/s") raw[n]=raw[n]" "$i }
function median(s,   v, k, t) { k=split(s, v, " "); asort(v); return v[int((k+1)/2)] }
END {
	printf "\n%-10s %14s %14s %8s\n", "appenders", "ledger/s", "raw Badger/s", "ratio"
	for (n in app) { a=median(app[n]); r=median(raw[n]); printf "%-10s %14.0f %14.0f %7.0f%%\n", n, a, r, 100*a/r }
}' "$DIR/bench.txt"

echo
echo "== open and proofs at $ENTRIES entries"
go run ./scripts/benchledger -entries "$ENTRIES" -dir "$DIR/log"
du -sh "$DIR/log"
