#!/usr/bin/env bash
# Rewrites the seed corpus of the API's fuzz target FuzzPOSTBodies
# (api/testdata/fuzz/FuzzPOSTBodies) from postRoutes and oddBodies in
# api/fuzz_test.go; TestFuzzCorpusIsCurrent fails until it is run after
# either changes.
#
#   scripts/gen-fuzz-corpus.sh
#
# To fuzz: go test ./api -run '^$' -fuzz '^FuzzPOSTBodies$' -fuzztime 30s
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./api -run '^TestFuzzCorpusIsCurrent$' -count 1 -args -update-corpus
ls api/testdata/fuzz/FuzzPOSTBodies | wc -l | xargs printf '%s seeds written\n'
