#!/bin/sh
# Side by side with osv-scanner (docs/benchmarks.md): regenerate the shared
# OSV dataset and the SBOMs, import the dataset into a fresh Lifeline store,
# then scan each SBOM with osv-scanner (offline) and with Lifeline, each in
# its own process under /usr/bin/time -v, and compare the findings.
#
#   internal/benchmarks/osvscanner/run.sh [OUTDIR]
#
# Needs osv-scanner v2 ($OSV_SCANNER, default /tmp/peers/osv-scanner) and GNU
# time (/usr/bin/time; Debian: apt-get install time). Uses no network:
# osv-scanner runs with --offline-vulnerabilities under `unshare -n` when
# unshare is available. Nothing here runs in `go test`.
set -eu
cd "$(dirname "$0")/../../.."
OUT=${1:-/tmp/osvcmp}
OSV_SCANNER=${OSV_SCANNER:-/tmp/peers/osv-scanner}
NONET=""
if unshare -n true 2>/dev/null; then NONET="unshare -n"; fi

rm -rf "$OUT" && mkdir -p "$OUT"
go build -o "$OUT/osvbench" ./internal/benchmarks/osvscanner
"$OUT/osvbench" gen "$OUT"
# osv-scanner picks its SBOM parser by file name (*.cdx.json).
cp internal/sbom/testdata/syft-alpine.cdx15.json "$OUT/sbom/alpine.cdx.json"
"$OSV_SCANNER" --version | head -1

peak() { sed -n 's/.*Maximum resident set size (kbytes): //p' "$1"; }
wall() { sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$1"; }

echo "== Lifeline: import the OSV zips into a fresh store"
/usr/bin/time -v "$OUT/osvbench" import "$OUT/data" "$OUT" 2>"$OUT/ll-import.time"
echo "   wall $(wall "$OUT/ll-import.time"), peak RSS $(peak "$OUT/ll-import.time") KiB"

for s in alpine debian firmware; do
	echo "== $s"
	# Exit status 1 means vulnerabilities were found.
	/usr/bin/time -v $NONET "$OSV_SCANNER" scan source --offline-vulnerabilities --local-db-path "$OUT/db" \
		--format json -L "$OUT/sbom/$s.cdx.json" >"$OUT/osv-$s.json" 2>"$OUT/osv-$s.err" || true
	echo "   osv-scanner: wall $(wall "$OUT/osv-$s.err"), peak RSS $(peak "$OUT/osv-$s.err") KiB"
	/usr/bin/time -v "$OUT/osvbench" scan "$OUT/data" "$OUT/sbom/$s.cdx.json" "$OUT/ll-$s.json" 2>"$OUT/ll-$s.time"
	echo "   Lifeline:    wall $(wall "$OUT/ll-$s.time"), peak RSS $(peak "$OUT/ll-$s.time") KiB"
	"$OUT/osvbench" compare "$OUT/osv-$s.json" "$OUT/ll-$s.json"
done
