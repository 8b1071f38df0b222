#!/usr/bin/env bash
# Time `threatmark check` on a generated corpus of design docs (see BENCHMARKS.md).
#
#   bench/check_corpus.sh                 # 5,000 docs, seed 20261123, 10 runs per measurement
#   bench/check_corpus.sh --runs 5 --count 500
#
# Steps: (1) generate the corpus with bench/gen_corpus.py into bench/.corpus/ unless a
# corpus of the same count, seed, anchor and generator is already there; (2) build
# `cargo build --release -p threatmark`; (3) one checked run per output format, which must
# exit 0 or 1 (1 = findings) and see every design doc; (4) wall time with hyperfine
# (warmup, --ignore-failure since `check` exits 1 when it finds something), or a plain
# loop when hyperfine is missing; (5) peak RSS with GNU time (`/usr/bin/time -v`);
# (6) a markdown table on stdout and in bench/.out/results.md (+ results.json).
#
# BENCH_NO_HYPERFINE=1 forces the fallback loop.
#
# Every run uses THREATMARK_TODAY=<anchor> so that the staleness findings do not depend
# on the day the benchmark runs.
#
# To add a measurement (another tool, another flag), add a line to MEASUREMENTS below:
# "name|command"; the command is run by bash from the repo root with $CORPUS and $BIN set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

COUNT=5000
SEED=20261123
ANCHOR=2026-11-23
RUNS=10
WARMUP=1
CORPUS="bench/.corpus"
OUT="bench/.out"
BUILD=1
BIN="target/release/threatmark"

usage() {
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  cat <<EOF
Options:
  --count N      design docs to generate (default $COUNT; plus N/10 READMEs)
  --seed S       generator seed (default $SEED)
  --anchor DATE  "today" of the corpus and THREATMARK_TODAY (default $ANCHOR)
  --corpus DIR   corpus folder (default $CORPUS; regenerated when it does not match)
  --runs R       timed runs per measurement (default $RUNS, at least 5)
  --warmup W     warmup runs (default $WARMUP)
  --out DIR      where results go (default $OUT)
  --no-build     use the existing $BIN
  --bin PATH     measure another threatmark binary (implies --no-build)
EOF
}

while [[ $# -gt 0 ]]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --anchor) ANCHOR="$2"; shift 2 ;;
    --corpus) CORPUS="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --bin) BIN="$2"; BUILD=0; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "check_corpus.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if (( RUNS < 5 )); then
  echo "check_corpus.sh: --runs must be at least 5" >&2
  exit 2
fi
mkdir -p "$OUT"
export THREATMARK_TODAY="$ANCHOR"
export CORPUS BIN

log() { printf '==> %s\n' "$*" >&2; }

# ---------------------------------------------------------------- 1. corpus
corpus_matches() {
  [[ -f "$CORPUS/manifest.json" ]] || return 1
  python3 - "$CORPUS/manifest.json" "$COUNT" "$SEED" "$ANCHOR" <<'EOF'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))["summary"]
digest = hashlib.sha256(open("bench/gen_corpus.py", "rb").read()).hexdigest()[:16]
ok = (m["count"] == int(sys.argv[2]) and m["seed"] == int(sys.argv[3])
      and m["anchor"] == sys.argv[4] and m["generator_sha256_16"] == digest)
sys.exit(0 if ok else 1)
EOF
}
if corpus_matches; then
  log "corpus: $CORPUS is up to date (count $COUNT, seed $SEED)"
else
  log "corpus: generating $COUNT design docs into $CORPUS (seed $SEED, anchor $ANCHOR)"
  python3 bench/gen_corpus.py --out "$CORPUS" --count "$COUNT" --seed "$SEED" --anchor "$ANCHOR" --quiet
fi
read -r FILES DESIGN_DOCS TOTAL_BYTES < <(python3 - "$CORPUS/manifest.json" <<'EOF'
import json, sys
m = json.load(open(sys.argv[1]))["summary"]
print(m["files"], m["design_docs"], m["total_bytes"])
EOF
)
log "corpus: $FILES markdown files ($DESIGN_DOCS design docs), $TOTAL_BYTES bytes"

# ---------------------------------------------------------------- 2. build
if (( BUILD )); then
  log "build: cargo build --release -p threatmark"
  cargo build --release -p threatmark
fi
if [[ ! -x "$BIN" ]]; then
  echo "check_corpus.sh: $BIN is missing (build failed or --no-build without a build)" >&2
  exit 2
fi
# Measure a private copy, so that a concurrent `cargo build` cannot swap the binary
# between runs.
cp "$BIN" "$OUT/threatmark"
BIN="$OUT/threatmark"
BIN_SHA="$(sha256sum "$BIN" | cut -c1-16)"
log "binary: $BIN (sha256 $BIN_SHA…)"
load1() { cut -d' ' -f1 /proc/loadavg; }
LOAD_BEFORE="$(load1)"
if python3 -c "import os,sys; sys.exit(0 if float('$LOAD_BEFORE') > os.cpu_count() / 2 else 1)"; then
  log "WARNING: load average $LOAD_BEFORE on $(nproc) CPUs before timing: other work will skew the numbers"
fi

# ---------------------------------------------------------------- 3. what to measure
MEASUREMENTS=(
  "threatmark check --format json|\"\$BIN\" check \"\$CORPUS\" --format json > /dev/null"
  "threatmark check --format human|\"\$BIN\" check \"\$CORPUS\" --format human > /dev/null"
)

# A checked run of each: exit 0 or 1, every design doc seen, output kept in $OUT.
log "sanity: one run per format, output in $OUT/"
set +e
"$BIN" check "$CORPUS" --format json > "$OUT/check.json" 2> "$OUT/check.json.stderr"
rc_json=$?
"$BIN" check "$CORPUS" --format human > "$OUT/check.human.txt" 2> "$OUT/check.human.stderr"
rc_human=$?
set -e
for pair in "json:$rc_json" "human:$rc_human"; do
  fmt="${pair%%:*}"; rc="${pair##*:}"
  if [[ "$rc" != 0 && "$rc" != 1 ]]; then
    echo "check_corpus.sh: threatmark check --format $fmt exited $rc (expected 0 or 1); stderr:" >&2
    head -20 "$OUT/check.$fmt.stderr" >&2 || true
    exit 1
  fi
done
if grep -qi "not yet available" "$OUT/check.json" "$OUT/check.json.stderr" "$OUT/check.human.txt" "$OUT/check.human.stderr"; then
  echo "check_corpus.sh: threatmark says 'not yet available'; nothing to measure yet" >&2
  exit 1
fi
python3 - "$OUT/check.json" "$FILES" "$DESIGN_DOCS" > "$OUT/findings.txt" <<'EOF'
import collections, json, sys
doc = json.load(open(sys.argv[1]))
s = doc["summary"]
codes = collections.Counter(f["code"] for file in doc["files"] for f in file.get("findings", []))
print(f"summary: {json.dumps(s)}")
print("findings by code: " + ", ".join(f"{c} {n}" for c, n in sorted(codes.items())))
problems = []
if s.get("files") != int(sys.argv[2]):
    problems.append(f"summary.files = {s.get('files')}, expected {sys.argv[2]}")
if s.get("design_docs") != int(sys.argv[3]):
    problems.append(f"summary.design_docs = {s.get('design_docs')}, expected {sys.argv[3]}")
if not codes:
    problems.append("no findings at all")
for p in problems:
    print("WARNING: " + p)
EOF
cat "$OUT/findings.txt" >&2
if grep -q '^WARNING' "$OUT/findings.txt"; then
  log "sanity: the run did not see the corpus as expected (above); timings are still taken"
fi

# ---------------------------------------------------------------- 4. wall time
names=(); cmds=()
for m in "${MEASUREMENTS[@]}"; do names+=("${m%%|*}"); cmds+=("${m#*|}"); done

if [[ -z "${BENCH_NO_HYPERFINE:-}" ]] && command -v hyperfine > /dev/null; then
  log "time: hyperfine $(hyperfine --version | awk '{print $2}'), warmup $WARMUP, $RUNS runs"
  hf_args=(--ignore-failure --warmup "$WARMUP" --runs "$RUNS" --shell bash
           --export-json "$OUT/hyperfine.json" --export-markdown "$OUT/hyperfine.md")
  for i in "${!names[@]}"; do hf_args+=(-n "${names[$i]}" "${cmds[$i]}"); done
  hyperfine "${hf_args[@]}" >&2
  TIMER="hyperfine $(hyperfine --version | awk '{print $2}')"
else
  log "time: no hyperfine (apt-get install -y hyperfine) or BENCH_NO_HYPERFINE set; plain loop, warmup $WARMUP, $RUNS runs"
  python3 - "$OUT/hyperfine.json" "$WARMUP" "$RUNS" "${names[@]}" -- "${cmds[@]}" <<'EOF'
import json, subprocess, sys, time
out, warmup, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rest = sys.argv[4:]
sep = rest.index("--")
names, cmds = rest[:sep], rest[sep + 1:]
results = []
for name, cmd in zip(names, cmds):
    times = []
    for i in range(warmup + runs):
        t0 = time.perf_counter()
        subprocess.run(["bash", "-c", cmd], stdout=subprocess.DEVNULL)
        dt = time.perf_counter() - t0
        if i >= warmup:
            times.append(dt)
    mean = sum(times) / len(times)
    sd = (sum((t - mean) ** 2 for t in times) / (len(times) - 1)) ** 0.5
    print(f"{name}: {mean:.3f} s ± {sd:.3f} s [{min(times):.3f} .. {max(times):.3f}]", file=sys.stderr)
    results.append({"command": name, "mean": mean, "stddev": sd, "min": min(times), "max": max(times), "times": times})
json.dump({"results": results}, open(out, "w"), indent=1)
EOF
  TIMER="python3 time.perf_counter loop"
fi

# ---------------------------------------------------------------- 5. peak RSS
if [[ ! -x /usr/bin/time ]]; then
  log "rss: /usr/bin/time missing (apt-get install -y time); peak RSS not measured"
fi
rss=()
for i in "${!names[@]}"; do
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -v -o "$OUT/rss.$i.txt" bash -c "${cmds[$i]}" || true
    rss+=("$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/rss.$i.txt")")
  else
    rss+=("")
  fi
done

# ---------------------------------------------------------------- 6. table
LOAD_AFTER="$(load1)"
MACHINE="$(nproc) CPUs, $(lscpu 2>/dev/null | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}'), load average ${LOAD_BEFORE} before / ${LOAD_AFTER} after; binary sha256 ${BIN_SHA}…"
python3 - "$OUT/hyperfine.json" "$FILES" "$TOTAL_BYTES" "$TIMER" "$OUT" "$MACHINE" "${rss[@]}" <<'EOF'
import json, sys
hf = json.load(open(sys.argv[1]))["results"]
files, total = int(sys.argv[2]), int(sys.argv[3])
timer, out, machine = sys.argv[4], sys.argv[5], sys.argv[6]
rss = sys.argv[7:]
rows, data = [], []
head = ("| measurement | wall time mean ± σ | min | max | files/s | MB/s | peak RSS |\n"
        "|---|---|---|---|---|---|---|")
for r, kb in zip(hf, rss):
    mean, sd = r["mean"], r.get("stddev") or 0.0
    rss_mb = f"{int(kb) / 1024:.0f} MiB" if kb else "—"
    rows.append(f"| `{r['command']}` | {mean:.3f} s ± {sd:.3f} s | {r['min']:.3f} s | {r['max']:.3f} s "
                f"| {files / mean:,.0f} | {total / 1e6 / mean:.1f} | {rss_mb} |")
    data.append({"name": r["command"], "mean_s": mean, "stddev_s": sd, "min_s": r["min"], "max_s": r["max"],
                 "runs": len(r.get("times", [])), "files_per_s": files / mean,
                 "mb_per_s": total / 1e6 / mean, "peak_rss_kib": int(kb) if kb else None})
table = head + "\n" + "\n".join(rows)
note = f"{files} files, {total / 1e6:.1f} MB (MB = 10^6 bytes); timer: {timer}; {machine}"
open(f"{out}/results.md", "w").write(table + "\n\n" + note + "\n")
json.dump({"files": files, "bytes": total, "timer": timer, "machine": machine, "results": data}, open(f"{out}/results.json", "w"), indent=1)
print(table)
print()
print(note)
EOF
