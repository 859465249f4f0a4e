#!/usr/bin/env bash
# Runs every fuzz target of the module for a while each (FUZZTIME, default
# 10m). A crasher is written by `go test` under the package's
# testdata/fuzz/<FuzzName>/ and makes this script fail: commit it with the
# fix, so that it stays a regression test.
#
#   scripts/fuzz.sh                 # 10 minutes per target
#   FUZZTIME=30s scripts/fuzz.sh    # a quick pass
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-10m}
status=0
while IFS=: read -r file _ decl; do
	pkg="./$(dirname "${file#./}")"
	name=$(sed -E 's/^func (Fuzz[A-Za-z0-9_]+).*/\1/' <<<"$decl")
	echo "== $pkg $name ($FUZZTIME)"
	if ! go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME"; then
		echo "fuzz: $name failed; the crasher is under $pkg/testdata/fuzz/$name/" >&2
		status=1
	fi
done < <(grep -rn --include='*_test.go' '^func Fuzz' . | grep -v '/scripts/_')
exit $status
