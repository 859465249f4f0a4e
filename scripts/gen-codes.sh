#!/usr/bin/env bash
# Regenerates the code lists embedded in ledger/codes/data from their
# sources (see ledger/codes/data/SOURCES.md for where to get each file):
#
#   scripts/gen-codes.sh ISO_3166_1_JSON ISO_3166_2_JSON ISCO08_CSV ISIC4_CSV
#
# ISO_3166_1_JSON and ISO_3166_2_JSON are iso_3166-1.json and iso_3166-2.json
# from the iso-codes package (share/iso-codes/json/); ISCO08_CSV and
# ISIC4_CSV are the checked code,level,title lists. The script validates
# them, rewrites the CSV files and prints counts and SHA-256 sums to copy
# into SOURCES.md. data/icao9303.csv is kept by hand and left alone.
set -euo pipefail

if [ "$#" -ne 4 ]; then
	echo "usage: $0 ISO_3166_1_JSON ISO_3166_2_JSON ISCO08_CSV ISIC4_CSV" >&2
	exit 2
fi

abs() { (cd "$(dirname "$1")" && printf '%s/%s\n' "$(pwd)" "$(basename "$1")"); }
iso1=$(abs "$1")
iso2=$(abs "$2")
isco=$(abs "$3")
isic=$(abs "$4")

cd "$(dirname "$0")/.."
go run ./scripts/gencodes \
	-iso3166-1 "$iso1" -iso3166-2 "$iso2" \
	-isco08 "$isco" -isic4 "$isic" \
	-out ledger/codes/data
