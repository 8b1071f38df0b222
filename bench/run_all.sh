#!/usr/bin/env bash
# Every performance goal of BENCHMARKS.md in one run, side by side, written to
# bench/.out/summary.md (and the raw results beside it in bench/.out/all/).
#
#   bench/run_all.sh                # everything (markdownlint-cli2 takes minutes)
#   bench/run_all.sh --skip-slow    # without markdownlint-cli2
#   bench/run_all.sh --runs 3 --no-build
#   bench/run_all.sh --baseline /tmp/threatmark-before   # an older binary, side by side
#
# Steps: (1) install the tools that are missing: hyperfine and GNU time (apt), rumdl
# (PyPI, into bench/.tools/py), markdownlint-cli2 (npm, into bench/.tools); (2) generate
# the 5,000-doc corpus (bench/gen_corpus.py, seed 20261123) unless it is there; (3) build
# threatmark and the floor and scaling programs (release); (4) the whole-process
# comparison with hyperfine on the generated corpus plus the 657 KEPs of
# ../shared/corpus/keps: the floor (pulldown-cmark alone, one thread), `threatmark check`,
# rumdl, markdownlint-cli2; (5) peak RSS of `check`; (6) the scaling table; (7) the
# criterion stages; (8) the language-server latency and memory driver; (9) the table of
# goals.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUNS=5
SKIP_SLOW=0
BUILD=1
BASELINE=""
KEPS="$ROOT/../shared/corpus/keps"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --skip-slow) SKIP_SLOW=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --keps) KEPS="$2"; shift 2 ;;
    --baseline) BASELINE="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run_all.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

OUT="bench/.out/all"
TOOLS="bench/.tools"
CORPUS="bench/.corpus"
mkdir -p "$OUT" "$TOOLS"
export THREATMARK_TODAY=2026-11-23
log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- 1. tools
if ! command -v hyperfine > /dev/null || [[ ! -x /usr/bin/time ]]; then
  log "apt: hyperfine, time"
  apt-get install -y hyperfine time > /dev/null
fi
RUMDL="$TOOLS/py/bin/rumdl"
if [[ ! -x "$RUMDL" ]]; then
  log "pip: rumdl into $TOOLS/py"
  python3 -m pip install --quiet --target "$TOOLS/py" rumdl
fi
MDL="$TOOLS/node_modules/.bin/markdownlint-cli2"
if (( ! SKIP_SLOW )) && [[ ! -x "$MDL" ]]; then
  log "npm: markdownlint-cli2 into $TOOLS"
  (cd "$TOOLS" && { [[ -f package.json ]] || npm init -y > /dev/null; } && npm install --silent markdownlint-cli2)
fi

# ---------------------------------------------------------------- 2. corpus
if ! python3 - "$CORPUS/manifest.json" <<'EOF'
import hashlib, json, sys
try:
    m = json.load(open(sys.argv[1]))["summary"]
except OSError:
    sys.exit(1)
digest = hashlib.sha256(open("bench/gen_corpus.py", "rb").read()).hexdigest()[:16]
sys.exit(0 if (m["count"], m["seed"], m["anchor"], m["generator_sha256_16"]) == (5000, 20261123, "2026-11-23", digest) else 1)
EOF
then
  log "corpus: generating 5,000 design docs into $CORPUS"
  python3 bench/gen_corpus.py --out "$CORPUS" --count 5000 --seed 20261123 --anchor 2026-11-23 --quiet
fi
if [[ ! -d "$KEPS" ]]; then
  echo "run_all.sh: $KEPS is missing (the KEP corpus of shared/)" >&2
  exit 2
fi

# ---------------------------------------------------------------- 3. build
if (( BUILD )); then
  log "build: threatmark, floor, scaling (release)"
  cargo build --release -q -p threatmark
  cargo build --release -q -p threatmark-engine --example floor --example scaling
fi
mkdir -p "$OUT/bin"
# Private copies: a concurrent build cannot swap a binary mid-run.
cp target/release/threatmark target/release/examples/floor target/release/examples/scaling "$OUT/bin/"
BIN="$ROOT/$OUT/bin"

# One tree holding both corpora, so that one `check` sees both with one config: the
# generated design docs by the default glob, the KEPs (each a README.md) by their own.
WS="$OUT/ws"
WS_ABS="$ROOT/$WS"
rm -rf "$WS"
mkdir -p "$WS"
ln -s "$ROOT/$CORPUS" "$WS/gen"
ln -s "$(cd "$KEPS" && pwd)" "$WS/keps"
cat > "$WS/bench.toml" <<'EOF'
include = ["gen/**/design/**/*.md", "keps/**/README.md"]
EOF
GEN_ABS="$ROOT/$CORPUS"
KEPS_ABS="$(cd "$KEPS" && pwd)"

BASE_ARGS=()
if [[ -n "$BASELINE" ]]; then
  cp "$BASELINE" "$OUT/bin/threatmark-baseline"
  # The same command with the older binary: before and after in one run.
  BASE_ARGS=(-n 'baseline: threatmark check' "cd $WS_ABS && $BIN/threatmark-baseline check gen/ keps/ --config bench.toml > /dev/null"
             -n 'baseline: threatmark check --format json' "cd $WS_ABS && $BIN/threatmark-baseline check gen/ keps/ --config bench.toml --format json > /dev/null")
fi

# ---------------------------------------------------------------- 4. sanity
log "sanity: one run of each tool"
(cd "$WS" && "$BIN/floor" gen/ keps/) | tee "$OUT/floor.txt" >&2
set +e
(cd "$WS" && "$BIN/threatmark" check gen/ keps/ --config bench.toml --format json > "$ROOT/$OUT/check.json")
rc=$?
set -e
if [[ $rc != 0 && $rc != 1 ]]; then
  echo "run_all.sh: threatmark check exited $rc" >&2
  exit 1
fi
python3 - "$OUT/check.json" <<'EOF' | tee "$OUT/check.summary.txt" >&2
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print("check summary:", json.dumps(s))
EOF
"$RUMDL" check --no-cache --respect-gitignore=false --silent "$GEN_ABS" "$KEPS_ABS" > "$OUT/rumdl.txt" 2>&1 || true
log "rumdl: $(grep -c . "$OUT/rumdl.txt" || true) output lines"

# ---------------------------------------------------------------- 5. wall time
log "time: hyperfine, warmup 1, $RUNS runs (load average $(cut -d' ' -f1-3 /proc/loadavg))"
hyperfine --ignore-failure --warmup 1 --runs "$RUNS" --shell bash \
  --export-json "$OUT/hyperfine.json" --export-markdown "$OUT/hyperfine.md" \
  -n 'floor: pulldown-cmark parse, 1 thread' "cd $WS && $BIN/floor gen/ keps/ > /dev/null" \
  -n 'threatmark check' "cd $WS && $BIN/threatmark check gen/ keps/ --config bench.toml > /dev/null" \
  -n 'threatmark check --format json' "cd $WS && $BIN/threatmark check gen/ keps/ --config bench.toml --format json > /dev/null" \
  -n 'threatmark check, 1 thread' "cd $WS && RAYON_NUM_THREADS=1 $BIN/threatmark check gen/ keps/ --config bench.toml > /dev/null" \
  "${BASE_ARGS[@]}" \
  -n 'rumdl check' "$RUMDL check --no-cache --respect-gitignore=false --silent $GEN_ABS $KEPS_ABS > /dev/null 2>&1" >&2
if (( ! SKIP_SLOW )); then
  log "time: markdownlint-cli2, one run (minutes)"
  hyperfine --ignore-failure --runs 1 --shell bash --export-json "$OUT/hyperfine-slow.json" \
    -n 'markdownlint-cli2' "$ROOT/$MDL '$GEN_ABS/**/*.md' '$KEPS_ABS/**/*.md' > /dev/null 2>&1" >&2
else
  rm -f "$OUT/hyperfine-slow.json"
fi

# ---------------------------------------------------------------- 6. peak RSS of check
/usr/bin/time -v -o "$OUT/check.rss.txt" bash -c "cd $WS && $BIN/threatmark check gen/ keps/ --config bench.toml > /dev/null" || true
/usr/bin/time -v -o "$OUT/check-json.rss.txt" bash -c "cd $WS && $BIN/threatmark check gen/ keps/ --config bench.toml --format json > /dev/null" || true
if [[ -n "$BASELINE" ]]; then
  /usr/bin/time -v -o "$OUT/baseline.rss.txt" bash -c "cd $WS && $BIN/threatmark-baseline check gen/ keps/ --config bench.toml > /dev/null" || true
else
  rm -f "$OUT/baseline.rss.txt"
fi
/usr/bin/time -v -o "$OUT/floor.rss.txt" bash -c "cd $WS && $BIN/floor gen/ keps/ > /dev/null" || true

# ---------------------------------------------------------------- 7. scaling
log "scaling: 1x / 10x / 100x threat rows, diagram nodes, paragraphs"
"$BIN/scaling" | tee "$OUT/scaling.md" >&2

# ---------------------------------------------------------------- 8. criterion stages
log "criterion: engine stages"
rm -rf target/criterion/stages_3000_lines target/criterion/diagram
cargo bench -q -p threatmark-engine --bench stages -- --warm-up-time 1 --measurement-time 3 > "$OUT/criterion.txt" 2>&1
python3 - target/criterion > "$OUT/stages.md" <<'EOF'
import json, os, sys
root = sys.argv[1]
print("| stage | median | mean |")
print("|---|---|---|")
for group in ("stages_3000_lines", "diagram"):
    gdir = os.path.join(root, group)
    for name in sorted(os.listdir(gdir)) if os.path.isdir(gdir) else []:
        f = os.path.join(gdir, name, "new", "estimates.json")
        if os.path.isfile(f):
            e = json.load(open(f))
            print(f"| {group}/{name} | {e['median']['point_estimate'] / 1e6:.3f} ms | {e['mean']['point_estimate'] / 1e6:.3f} ms |")
EOF
cat "$OUT/stages.md" >&2

# ---------------------------------------------------------------- 9. language server
LSP_BENCH=0
if [[ -f server/threatmark/benches/lsp_latency.rs ]]; then
  log "lsp: latency, debounce arrival and memory (cargo bench -p threatmark --bench lsp_latency)"
  cargo bench -q -p threatmark --bench lsp_latency > "$OUT/lsp.md" 2> "$OUT/lsp.stderr" && LSP_BENCH=1
fi

# ---------------------------------------------------------------- 10. the goal table
python3 bench/summarize.py "$OUT" "$LSP_BENCH" > bench/.out/summary.md
cat bench/.out/summary.md
