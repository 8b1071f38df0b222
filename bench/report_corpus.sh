#!/usr/bin/env bash
# Time `threatmark report --format html` on a generated corpus and record the page size
# (see BENCHMARKS.md, "Results: threatmark report").
#
#   bench/report_corpus.sh                 # 10,000 docs, seed 20261123, 10 runs
#   bench/report_corpus.sh --count 1000 --runs 5
#
# Steps: (1) generate the corpus with bench/gen_corpus.py into bench/.corpus-report/
# unless the same one is there; (2) `cargo build --release -p threatmark`, copied to
# bench/.out/report/ so a concurrent build cannot swap it mid-run; (3) one checked run per
# format, which must exit 0 and report every design doc; (4) wall time with hyperfine;
# (5) the HTML's size, raw and gzipped; (6) peak RSS with GNU time when present.
# Every run uses THREATMARK_TODAY=<anchor>.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

COUNT=10000
SEED=20261123
ANCHOR=2026-11-23
RUNS=10
WARMUP=1
CORPUS="bench/.corpus-report"
OUT="bench/.out/report"
BUILD=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --corpus) CORPUS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "report_corpus.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$OUT"
export THREATMARK_TODAY="$ANCHOR"
log() { printf '==> %s\n' "$*" >&2; }

matches() {
  [[ -f "$CORPUS/manifest.json" ]] || return 1
  python3 - "$CORPUS/manifest.json" "$COUNT" "$SEED" "$ANCHOR" <<'PY'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))["summary"]
digest = hashlib.sha256(open("bench/gen_corpus.py", "rb").read()).hexdigest()[:16]
sys.exit(0 if (m["count"] == int(sys.argv[2]) and m["seed"] == int(sys.argv[3])
               and m["anchor"] == sys.argv[4] and m["generator_sha256_16"] == digest) else 1)
PY
}
if matches; then
  log "corpus: $CORPUS is up to date (count $COUNT, seed $SEED)"
else
  log "corpus: generating $COUNT design docs into $CORPUS"
  python3 bench/gen_corpus.py --out "$CORPUS" --count "$COUNT" --seed "$SEED" --anchor "$ANCHOR" --quiet
fi
read -r FILES DESIGN_DOCS TOTAL_BYTES < <(python3 -c '
import json, sys; m = json.load(open(sys.argv[1]))["summary"]; print(m["files"], m["design_docs"], m["total_bytes"])' "$CORPUS/manifest.json")
log "corpus: $FILES markdown files ($DESIGN_DOCS design docs), $TOTAL_BYTES bytes"

if (( BUILD )); then
  log "build: cargo build --release -p threatmark"
  cargo build --release -p threatmark
fi
BIN="$OUT/threatmark"
cp "${CARGO_TARGET_DIR:-target}/release/threatmark" "$BIN"

log "checked runs"
"$BIN" report "$CORPUS" --format json -o "$OUT/report.json"
"$BIN" report "$CORPUS" --format html -o "$OUT/report.html"
REPORTED=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["design_docs"])' "$OUT/report.json")
if [[ "$REPORTED" != "$DESIGN_DOCS" ]]; then
  echo "report_corpus.sh: the report holds $REPORTED design docs, the corpus $DESIGN_DOCS" >&2
  exit 1
fi

log "timing (hyperfine, $RUNS runs, warmup $WARMUP)"
hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-json "$OUT/hyperfine.json" --export-markdown "$OUT/hyperfine.md" \
  -n 'threatmark report --format html' "$BIN report $CORPUS --format html -o $OUT/report.html" \
  -n 'threatmark report --format json' "$BIN report $CORPUS --format json -o $OUT/report.json"

HTML_BYTES=$(stat -c %s "$OUT/report.html")
GZIP_BYTES=$(gzip -9 -c "$OUT/report.html" | wc -c)
JSON_BYTES=$(stat -c %s "$OUT/report.json")
RSS=""
if [[ -x /usr/bin/time ]]; then
  RSS=$(/usr/bin/time -v "$BIN" report "$CORPUS" --format html -o "$OUT/report.html" 2>&1 >/dev/null | awk -F: '/Maximum resident/ {gsub(/ /, "", $2); print $2}')
fi
{
  echo "design docs: $DESIGN_DOCS ($FILES files, $TOTAL_BYTES bytes)"
  echo "html: $HTML_BYTES bytes ($GZIP_BYTES gzipped); json: $JSON_BYTES bytes"
  [[ -n "$RSS" ]] && echo "peak RSS (html): $RSS KiB"
  cat "$OUT/hyperfine.md"
} | tee "$OUT/results.md"
