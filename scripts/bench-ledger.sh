#!/usr/bin/env bash
# Ledger benchmarks: durable appends at 1, 16 and 256 appenders against raw
# Badger with the same batch sizes (same run), one appender against raw
# one-per-transaction Badger in alternating blocks (BenchmarkLoneAppender),
# then Open time and proof latency at a large log size.
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
go test -run '^$' -bench 'BenchmarkAppend|BenchmarkRawBadger' -benchtime 2s -count "$COUNT" ./ledger/tlog | tee "$DIR/bench.txt"
awk '
function rate(   i) { for (i = 1; i < NF; i++) if ($(i+1) == "entries/s") return $i }
function median(s,   v, k, i, j, t) {
	k = split(s, v, " ")
	for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return v[int((k + 1) / 2)]
}
/^BenchmarkAppend\/appenders=/ { split($1, p, "[=-]"); app[p[2]] = app[p[2]] " " rate() }
/^BenchmarkRawBadger\/batch=/   { split($1, p, "[=-]"); raw[p[2]] = raw[p[2]] " " rate() }
END {
	printf "\n%-10s %14s %14s %8s   (medians)\n", "appenders", "ledger/s", "raw Badger/s", "ratio"
	for (n = 1; n <= 256; n *= 16) if (n in app) { x = median(app[n]); y = median(raw[n]); printf "%-10s %14.0f %14.0f %7.0f%%\n", n, x, y, 100 * x / y }
}' "$DIR/bench.txt"

echo
echo "== one appender vs raw Badger, in alternating blocks (count=$COUNT)"
go test -run '^$' -bench 'BenchmarkLoneAppender' -benchtime 10000x -count "$COUNT" ./ledger/tlog | tee "$DIR/lone.txt"
awk '
function metric(name,   i) { for (i = 1; i < NF; i++) if ($(i+1) == name) return $i }
/^BenchmarkLoneAppender/ { n++; s = s " " metric("ledger-%-of-raw") }
END {
	k = split(s, v, " ")
	for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	if (k) printf "\nledger rate as %% of raw one-per-transaction Badger: median %.1f%% of %d runs (100%% or more: no slower)\n", v[int((k + 1) / 2)], k
}' "$DIR/lone.txt"

echo
echo "== open and proofs at $ENTRIES entries"
go run ./scripts/benchledger -entries "$ENTRIES" -dir "$DIR/log"
du -sh "$DIR/log"
