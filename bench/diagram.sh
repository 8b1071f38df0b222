#!/usr/bin/env bash
# Time `threatmark check` on one design doc whose data-flow diagram has N nodes, side by
# side with the same doc whose diagram is fenced as ```text (so it is not read as a
# diagram): the difference is the cost of parsing the flowchart and running the diagram
# rules (TM010's store check, TM022 with a fix per element). See BENCHMARKS.md.
#
#   bench/diagram.sh              # 5,000 nodes, 10 runs
#   bench/diagram.sh --nodes 20000 --runs 5
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NODES=5000
RUNS=10
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) NODES="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    *) sed -n '2,9p' "$0"; exit 2 ;;
  esac
done
OUT="bench/.out/diagram"
mkdir -p "$OUT/design" "$OUT/plain/design"
python3 bench/gen_flowchart.py --nodes "$NODES" --out "$OUT/design/flowchart.md"
python3 bench/gen_flowchart.py --nodes "$NODES" --fence text --out "$OUT/plain/design/flowchart.md"
cargo build --release -q -p threatmark
cp target/release/threatmark "$OUT/threatmark"
export THREATMARK_TODAY=2026-11-23
# One checked run: the diagram must parse (no TM060) and be read (TM022 findings).
"$OUT/threatmark" check "$OUT/design/flowchart.md" --format json > "$OUT/check.json" || [[ $? -eq 1 ]]
python3 - "$OUT/check.json" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1]))
codes = collections.Counter(f["code"] for file in d["files"] for f in file["findings"])
print("findings:", dict(sorted(codes.items())))
if codes.get("TM060") or not codes.get("TM022"):
    sys.exit("the generated diagram did not parse as expected")
PY
echo "doc size: $(wc -c < "$OUT/design/flowchart.md") bytes"
hyperfine --ignore-failure --warmup 1 --runs "$RUNS" --shell bash --export-markdown "$OUT/results.md" \
  -n "check, ${NODES}-node diagram" "$OUT/threatmark check $OUT/design/flowchart.md --format json > /dev/null" \
  -n "check, same doc fenced as text" "$OUT/threatmark check $OUT/plain/design/flowchart.md --format json > /dev/null"
