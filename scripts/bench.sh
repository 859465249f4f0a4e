#!/usr/bin/env bash
# HTTP benchmarks of a real "trazo serve" on 127.0.0.1 (scripts/loadgen):
# durable appends (POST /v1/crossings) at 1, 25 and 64 keep-alive clients,
# in interleaved rounds with an authenticated cheap GET at the same
# concurrency and with tlog.Log.Append alone (no HTTP); appends with an
# Idempotency-Key; batches of 1,000; an employer's worker-history reads,
# idle and under an append load; peak RSS; the time a restart takes until
# /readyz is 200. Prints a summary table and which targets of issue 7 are
# met (docs/PERFORMANCE.md, "HTTP").
#
#   scripts/bench.sh                 # 10 s a measurement (about 3 minutes)
#   SHORT=1 scripts/bench.sh         # 2 s a measurement (about 40 seconds)
#   scripts/bench.sh -only append -clients 64 -duration 30s   # loadgen flags pass through
#   CPUPROFILE=/tmp/serve.pprof scripts/bench.sh -only batch  # profile the server, then:
#   go tool pprof -top -cum /tmp/serve.pprof
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(mktemp -d)
trap 'rm -rf "$BIN"' EXIT
if [ -n "${CPUPROFILE:-}" ]; then
	# A temporary build of trazo with a CPU profile from start to SIGTERM
	# (scripts/loadgen/cpuprofile.go.txt); the repository is not changed.
	rm -f "$CPUPROFILE"
	printf '{"Replace":{"%s/cmd/trazo/zz_cpuprofile.go":"%s/scripts/loadgen/cpuprofile.go.txt"}}\n' "$PWD" "$PWD" >"$BIN/overlay.json"
	go build -overlay "$BIN/overlay.json" -o "$BIN/trazo" ./cmd/trazo
	export TRAZO_CPUPROFILE="$CPUPROFILE"
else
	go build -o "$BIN/trazo" ./cmd/trazo
fi
go build -o "$BIN/loadgen" ./scripts/loadgen
args=(-trazo "$BIN/trazo")
if [ -n "${SHORT:-}" ] && [ "${SHORT}" != 0 ]; then
	args+=(-short)
fi
"$BIN/loadgen" "${args[@]}" "$@"
if [ -n "${CPUPROFILE:-}" ]; then
	echo "CPU profile of the server: $CPUPROFILE (go tool pprof -top -cum $CPUPROFILE)"
fi
