#!/usr/bin/env bash
# Vendors the dashboard's chart library (Chart.js, MIT) into
# api/ui/vendor/chartjs/ from the npm registry: the package tarball is
# fetched with npm pack, its sha512 integrity checked against the
# registry's metadata, and only the browser (UMD) build and the licence are
# kept, with a VERSION note naming the source. Run it to update the
# library, then commit the files it writes (the dashboard is embedded in
# the binary: nothing is fetched at build or run time).
#
#   scripts/vendor-ui.sh                          # the pinned version below
#   CHARTJS_VERSION=4.7.0 scripts/vendor-ui.sh    # another version
set -euo pipefail
cd "$(dirname "$0")/.."
PKG=chart.js
VERSION=${CHARTJS_VERSION:-4.6.1}
DEST=api/ui/vendor/chartjs

for tool in npm node tar; do
	command -v "$tool" >/dev/null 2>&1 || { echo "vendor-ui: $tool is needed" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

integrity=$(npm view "$PKG@$VERSION" dist.integrity)
case "$integrity" in
sha512-*) ;;
*) echo "vendor-ui: the registry gives no sha512 integrity for $PKG@$VERSION" >&2; exit 1 ;;
esac
tarball=$(cd "$work" && npm pack --silent "$PKG@$VERSION" | tail -n 1)
got="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$work/$tarball")"
if [ "$got" != "$integrity" ]; then
	echo "vendor-ui: $tarball does not match the registry's integrity ($got != $integrity)" >&2
	exit 1
fi
tar -xzf "$work/$tarball" -C "$work"

rm -rf "$DEST"
mkdir -p "$DEST"
# The source map is not shipped, so its reference is dropped (the page
# would ask the server for a file it does not have).
grep -v '^//# sourceMappingURL=' "$work/package/dist/chart.umd.min.js" >"$DEST/chart.umd.min.js"
cp "$work/package/LICENSE.md" "$DEST/LICENSE.md"
cat >"$DEST/VERSION" <<NOTE
Chart.js $VERSION (MIT licence, see LICENSE.md), from the npm registry
package $PKG@$VERSION ($tarball), integrity $integrity.
Files: dist/chart.umd.min.js without its sourceMappingURL line, LICENSE.md.
Written by scripts/vendor-ui.sh; run it again to update.
NOTE
echo "vendor-ui: $PKG@$VERSION written to $DEST"
