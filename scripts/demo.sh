#!/usr/bin/env bash
# A narrated walk through Trazo with curl, against a running demo server:
#
#   go run ./cmd/trazo serve --demo          # in one terminal
#   scripts/demo.sh                          # in another
#
# DATA_DIR (default ./data) is the demo's data directory, TRAZO_URL (default
# http://127.0.0.1:8080) its address. Needs curl, jq, xxd and sha256sum.
# Each step prints what it does and the server's answer; the script stops
# at the first step that does not answer as expected.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA_DIR=${DATA_DIR:-./data}
TRAZO_URL=${TRAZO_URL:-http://127.0.0.1:8080}
TRAZO=${TRAZO:-go run ./cmd/trazo}
for tool in curl jq xxd sha256sum; do
	command -v "$tool" >/dev/null || { echo "demo: $tool is needed" >&2; exit 1; }
done
# shellcheck disable=SC1091
source "$DATA_DIR/demo-tokens.env"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# call METHOD PATH TOKEN [BODY]: prints and returns the body; fails on >= 400.
call() {
	local method=$1 path=$2 token=$3 body=${4:-} out code
	out=$(mktemp)
	if [ -n "$body" ]; then
		code=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/json' -H "Idempotency-Key: demo-$RANDOM$RANDOM" --data "$body" "$TRAZO_URL$path")
	else
		code=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token" "$TRAZO_URL$path")
	fi
	echo "$method $path -> $code" >&2
	if [ "$code" -ge 400 ]; then
		cat "$out" >&2
		rm -f "$out"
		echo "demo: unexpected status $code" >&2
		exit 1
	fi
	cat "$out"
	rm -f "$out"
}
# sha HEX...: SHA-256 of the concatenated bytes, as hex.
sha() { printf '%s' "$@" | xxd -r -p | sha256sum | cut -d' ' -f1; }
b64hex() { printf '%s' "$1" | base64 -d | xxd -p -c 1000 | tr -d '\n'; }

today=$(date -u +%F)
season_end=$(date -u -d '+90 days' +%F)

say "A ministry registers an employer (coffee, ISIC 0127, in San José)"
emp=$(call POST /v1/employers "$TRAZO_TOKEN_MINISTRY" \
	"{\"legal_name\":\"Beneficio Los Santos S.A.\",\"tax_id\":\"3-101-$RANDOM$RANDOM\",\"country\":\"CRI\",\"sector\":\"0127\",\"region\":\"CR-SJ\"}")
echo "$emp" | jq .

say "The demo employer registers a seasonal worker (personal data is encrypted before it enters the log)"
wkr=$(call POST /v1/workers "$TRAZO_TOKEN_EMPLOYER" \
	"{\"given_names\":\"María José\",\"family_names\":\"Úbeda Rocha\",\"date_of_birth\":\"1994-05-12\",\"sex\":\"F\",\"nationality\":\"NIC\",\"document\":{\"type\":\"passport\",\"number\":\"C$RANDOM$RANDOM\",\"issuing_country\":\"NIC\"}}")
echo "$wkr" | jq .
worker=$(echo "$wkr" | jq -r .worker_id)

say "The ministry issues a seasonal work permit"
call POST /v1/permits "$TRAZO_TOKEN_MINISTRY" \
	"{\"worker_id\":\"$worker\",\"type\":\"seasonal_work\",\"valid_from\":\"$today\",\"valid_to\":\"$season_end\"}" | jq .

say "A border officer at Peñas Blancas records her entry"
call POST /v1/crossings "$TRAZO_TOKEN_BORDER" \
	"{\"worker_id\":\"$worker\",\"direction\":\"entry\",\"occurred_at\":\"$(date -u +%FT%TZ)\",\"post\":\"CR-PENAS-BLANCAS\"}" | jq .

say "The employer starts her placement (crop farm labourer, ISCO 9211)"
call POST /v1/placements "$TRAZO_TOKEN_EMPLOYER" \
	"{\"worker_id\":\"$worker\",\"start_date\":\"$today\",\"expected_end_date\":\"$season_end\",\"occupation\":\"9211\",\"sector\":\"0127\",\"region\":\"CR-SJ\"}" | jq .

say "An inspector reads her history with inclusion proofs (the read itself is appended to the log)"
history=$(call GET "/v1/workers/$worker/history?purpose=demo-inspection&proofs=true" "$TRAZO_TOKEN_INSPECTOR")
echo "$history" | jq '{worker_id, size, entries: [.entries[] | {index, type, recorded_at}]}'

say "The script checks one proof itself: RFC 6962, with sha256sum, against the signed checkpoint"
size=$(echo "$history" | jq -r .size)
root_b64=$(echo "$history" | jq -r .checkpoint | sed -n 3p)
entry=$(echo "$history" | jq -c '.entries[0]')
index=$(echo "$entry" | jq -r .index)
leaf_hash=$(sha 00 "$(b64hex "$(echo "$entry" | jq -r .leaf)")")
r=$leaf_hash fn=$index sn=$((size - 1))
for p in $(echo "$entry" | jq -r '.proof[]'); do
	p=$(b64hex "$p")
	if [ "$sn" -eq 0 ]; then echo "demo: proof too long" >&2; exit 1; fi
	if [ $((fn & 1)) -eq 1 ] || [ "$fn" -eq "$sn" ]; then
		r=$(sha 01 "$p" "$r")
		while [ $((fn & 1)) -eq 0 ] && [ "$fn" -ne 0 ]; do fn=$((fn >> 1)); sn=$((sn >> 1)); done
	else
		r=$(sha 01 "$r" "$p")
	fi
	fn=$((fn >> 1)); sn=$((sn >> 1))
done
root=$(b64hex "$root_b64")
if [ "$sn" -ne 0 ] || [ "$r" != "$root" ]; then
	echo "demo: inclusion proof of entry $index does NOT verify" >&2
	exit 1
fi
echo "entry $index is in the tree of size $size whose root $root is signed in the checkpoint"

say "The ministry pulls a circular-mobility report as CSV (aggregates only; small cells suppressed)"
call GET "/v1/reports/circular?from=${TRAZO_DEMO_FROM:-$(date -u +%Y)-01-01}&to=$today&group_by=nationality&format=csv" "$TRAZO_TOKEN_MINISTRY"

say "Finally the whole log is checked as a mirror would: every entry against the signed checkpoint"
$TRAZO verify --url "$TRAZO_URL" --token "$TRAZO_TOKEN_INSPECTOR" --key "$(cat "$DATA_DIR/log.pub")"
