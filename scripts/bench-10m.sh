#!/usr/bin/env bash
# Memory and restart at national scale: seeds WORKERS workers (1,000,000
# by default: about 10.6 million log entries, 3-4 GB) with "trazo seed",
# then serves them and measures an employer's history reads (idle and
# under 25 appending clients) and the restart time with scripts/loadgen,
# all inside a memory cgroup of LIMIT bytes (2G by default) when the
# machine has the cgroup v1 memory controller and this runs as root.
#
# It reports, for the seed and for the serving, the peak resident set
# (VmHWM) split into anonymous memory (the Go heap, Badger's memtables and
# buffers) and file-backed pages (Badger's memory-mapped tables: page
# cache the kernel reclaims under pressure), the cgroup's peak usage and
# its out-of-memory kills (docs/PERFORMANCE.md, "Memory").
#
#   scripts/bench-10m.sh                     # about 15 minutes on 2 cores
#   WORKERS=100000 scripts/bench-10m.sh      # about 2 minutes
#   LIMIT=1500M DIR=/var/tmp/t scripts/bench-10m.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WORKERS=${WORKERS:-1000000}
LIMIT=${LIMIT:-2G}
WORK=$(mktemp -d)
DIR=${DIR:-$WORK/data}
BIN=$WORK/bin
mkdir -p "$BIN"
go build -o "$BIN/trazo" ./cmd/trazo
go build -o "$BIN/loadgen" ./scripts/loadgen

cg=""
if [ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/memory ]; then
	cg=/sys/fs/cgroup/memory/trazo-bench-$$
	mkdir "$cg"
	echo "$LIMIT" >"$cg/memory.limit_in_bytes"
	echo "memory cgroup $cg, limit $(cat "$cg/memory.limit_in_bytes") bytes (page cache included)"
else
	echo "no cgroup v1 memory controller (or not root): running without a memory limit"
fi
cleanup() {
	if [ -n "$cg" ]; then
		# Move anything left to the parent so that the group can go.
		while read -r p; do echo "$p" >/sys/fs/cgroup/memory/cgroup.procs 2>/dev/null || true; done <"$cg/cgroup.procs"
		rmdir "$cg" 2>/dev/null || true
	fi
	if [ -z "${KEEP:-}" ]; then rm -rf "$WORK"; else echo "kept $WORK"; fi
}
trap cleanup EXIT

# in_cg runs a command inside the cgroup (its children stay in it).
in_cg() {
	if [ -n "$cg" ]; then
		bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"
	else
		"$@"
	fi
}

cg_report() {
	[ -n "$cg" ] || return 0
	local kills
	kills=$(awk '/oom_kill /{print $2}' "$cg/memory.oom_control" 2>/dev/null || echo "?")
	echo "cgroup: peak usage $(($(cat "$cg/memory.max_usage_in_bytes") >> 20)) MiB of $(($(cat "$cg/memory.limit_in_bytes") >> 20)) MiB, times at the limit $(cat "$cg/memory.failcnt"), OOM kills ${kills:-0}"
	echo 0 >"$cg/memory.max_usage_in_bytes"
	echo 0 >"$cg/memory.failcnt"
}

# peak_of samples a process's memory every second until it exits and
# prints its peak anonymous and file-backed resident memory.
peak_of() {
	local pid=$1 anon=0 file=0 a f hwm=0
	while kill -0 "$pid" 2>/dev/null; do
		a=$(awk '/^RssAnon/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		f=$(awk '/^RssFile/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		h=$(awk '/^VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
		[ "${a:-0}" -gt "$anon" ] && anon=$a
		[ "${f:-0}" -gt "$file" ] && file=$f
		[ "${h:-0}" -gt "$hwm" ] && hwm=$h
		sleep 1
	done
	echo "peak RSS (VmHWM) $((hwm >> 10)) MiB; peak anonymous $((anon >> 10)) MiB; peak file-backed (mapped tables) $((file >> 10)) MiB"
}

echo "== seeding $WORKERS workers into $DIR"
start=$(date +%s)
seed=("$BIN/trazo" seed --data-dir "$DIR" --workers "$WORKERS" --seasons 3)
# Started straight from here (not through a function, which would fork a
# subshell), so that $! is the seeder itself once bash has exec'd it.
if [ -n "$cg" ]; then
	bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" "${seed[@]}" >"$WORK/seed.log" 2>&1 &
else
	"${seed[@]}" >"$WORK/seed.log" 2>&1 &
fi
seeder=$!
peak_of "$seeder" >"$WORK/seed.peak" &
sampler=$!
if ! wait "$seeder"; then
	tail -c 2000 "$WORK/seed.log" | tr '\r' '\n' | tail -5
	echo "seed failed" >&2
	cg_report
	exit 1
fi
wait "$sampler"
tr '\r' '\n' <"$WORK/seed.log" | grep -E '^(trazo: )?seeded' | tail -1 || true
echo "seed took $(($(date +%s) - start)) s; $(cat "$WORK/seed.peak")"
cg_report
du -sh "$DIR"

echo "== serving it: history reads and restart (scripts/loadgen)"
in_cg "$BIN/loadgen" -trazo "$BIN/trazo" -dir "$DIR" -only history,restart -workers 3000 -read-workers 200 -duration "${DURATION:-10s}" | tee "$WORK/serve.out"
cg_report
