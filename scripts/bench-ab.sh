#!/usr/bin/env bash
# Compares this checkout with an earlier revision on the same machine, in
# alternating runs (old, new, new, old, …), so that drift of the disk's
# fsync time or of the machine's load falls on both sides alike:
#   - BenchmarkAppend at 256 appenders (the log alone, no HTTP), and
#   - scripts/bench.sh's HTTP measurements (scripts/loadgen against a real
#     "trazo serve"), each side with its own server and load generator.
# Prints the median of each measurement per side, new/old of the medians,
# and the median of the paired new/old ratios of the rounds.
#
#   scripts/bench-ab.sh REV                 # 3 rounds, loadgen -short
#   ROUNDS=5 scripts/bench-ab.sh REV
#   LOADGEN_ARGS="-only append,batch" scripts/bench-ab.sh REV
#   SKIP_HTTP=1 scripts/bench-ab.sh REV     # the log benchmark only
#   KEEP=/some/dir scripts/bench-ab.sh REV  # keep every run's raw output there
#   FROM=/some/dir scripts/bench-ab.sh REV  # the medians of runs kept there
set -euo pipefail
cd "$(dirname "$0")/.."

report() {
echo
echo "== medians of the rounds (for rates, new/old above 100% is faster; for server CPU per unit, below 100% is cheaper)"
printf "%-75s %10s %10s %8s %8s\n" "measurement" "old" "new" "new/old" "paired"
awk '
function median(s,   v, k, i, j, t) {
	k = split(s, v, " ")
	for (i = 2; i <= k; i++) for (j = i; j > 1 && v[j-1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
	return k ? v[int((k + 1) / 2)] : ""
}
function rate(   i) { for (i = 1; i < NF; i++) if ($(i+1) == "entries/s") return $i }
FNR == 1 { side = FILENAME; sub(/.*\//, "", side); split(side, p, "."); side = p[1]; kind = p[2] }
kind == "append" && /^BenchmarkAppend/ { key = "BenchmarkAppend 256 appenders (entries/s)"; v[key, side] = v[key, side] " " rate(); keys[key] = 1 }
kind == "http" {
	n = split($0, c, "|"); m = c[2]; cl = c[3]; r = c[4]; cpu = c[7]
	gsub(/^ +| +$/, "", m); gsub(/^ +| +$/, "", cl); gsub(/[ ,]/, "", r); gsub(/ /, "", cpu)
	sub(/^(ledger|tlog)\.Append/, "Log.Append", m) # the package of the log was renamed
	if (r + 0 > 0) { key = m " @" cl " (/s)"; v[key, side] = v[key, side] " " r; keys[key] = 1 }
	if (cpu + 0 > 0) { key = m " @" cl " (server CPU µs/unit)"; v[key, side] = v[key, side] " " cpu; keys[key] = 1 }
}
# paired: the median of new/old within each round (the i-th run of one
# side against the i-th of the other), which cancels slower drift.
function paired(a, b,   x, y, n, m, i, r) {
	n = split(a, x, " "); m = split(b, y, " "); r = ""
	for (i = 1; i <= n && i <= m; i++) if (x[i] + 0 > 0) r = r " " (y[i] / x[i])
	return median(r)
}
END {
	for (k in keys) {
		o = median(v[k, "old"]); w = median(v[k, "new"])
		if (o != "" && w != "") printf "%-75s %10.0f %10.0f %7.1f%% %7.1f%%\n", k, o, w, 100 * w / o, 100 * paired(v[k, "old"], v[k, "new"])
	}
}' "$@" | sort
}


if [ -n "${FROM:-}" ]; then # the medians of runs kept earlier with KEEP
	report "$FROM"/old.append.txt "$FROM"/new.append.txt "$FROM"/old.http.txt "$FROM"/new.http.txt
	exit
fi
REV=${1:?usage: scripts/bench-ab.sh REV (the revision to compare with)}
ROUNDS=${ROUNDS:-3}
LOADGEN_ARGS=${LOADGEN_ARGS:--short}
WORK=$(mktemp -d)
trap 'git worktree remove --force "$WORK/old-src" >/dev/null 2>&1 || true; [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$WORK"/*.txt "$KEEP"/; rm -rf "$WORK"' EXIT

# build SRC DEST: the server, the load generator and the log's test binary
# of one checkout (the log's package was ./ledger before it moved to
# ./ledger/tlog).
build() {
	local src=$1 dest=$2 logpkg=./ledger/tlog
	mkdir -p "$dest"
	[ -d "$src/ledger/tlog" ] || logpkg=./ledger
	(cd "$src" && go build -o "$dest/trazo" ./cmd/trazo &&
		go build -o "$dest/loadgen" ./scripts/loadgen &&
		go test -c -o "$dest/log.test" "$logpkg")
}

echo "== building $REV and this checkout"
git worktree add --detach "$WORK/old-src" "$REV" >/dev/null
build "$WORK/old-src" "$WORK/old"
build "$PWD" "$WORK/new"

for round in $(seq 1 "$ROUNDS"); do
	# ABBA: the side that goes first alternates, so that neither always
	# follows the other's disk writes.
	sides="old new"
	[ $((round % 2)) -eq 0 ] && sides="new old"
	for side in $sides; do
		echo "== round $round: $side"
		(cd "$WORK" && "$WORK/$side/log.test" -test.run '^$' -test.bench 'BenchmarkAppend/appenders=256$' \
			-test.benchtime 2s) | tee -a "$WORK/$side.append.txt" | grep '^Benchmark' || true
		if [ -z "${SKIP_HTTP:-}" ]; then
			# shellcheck disable=SC2086 # LOADGEN_ARGS is a list of flags
			"$WORK/$side/loadgen" -trazo "$WORK/$side/trazo" $LOADGEN_ARGS >"$WORK/$side.http.$round.txt" 2>&1
			grep -A40 '^## Summary' "$WORK/$side.http.$round.txt" | grep '^| ' | grep -v '^| measurement' >>"$WORK/$side.http.txt" || true
		fi
	done
done

report "$WORK"/old.append.txt "$WORK"/new.append.txt $([ -z "${SKIP_HTTP:-}" ] && echo "$WORK/old.http.txt $WORK/new.http.txt")
