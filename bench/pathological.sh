#!/usr/bin/env bash
# Times `threatmark check` on each family of hostile docs (bench/pathological.py) at 1x,
# 10x and 100x size, to show that the time grows about linearly with the input (a
# benchmark, not a test: tests/pathological.rs only checks that nothing panics or hangs).
#
#   bench/pathological.sh            # writes bench/.out/pathological/results.md
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="bench/.out/pathological"
mkdir -p "$OUT"
cargo build --release -q -p threatmark
for s in 1 10 100; do
  rm -rf "$OUT/x$s"
  python3 bench/pathological.py --scale "$s" --out "$OUT/x$s/design"
done
python3 - "$OUT" <<'PY'
import os, subprocess, sys, time
out = sys.argv[1]
bin_ = "target/release/threatmark"
env = {**os.environ, "THREATMARK_TODAY": "2026-11-23"}
rows = ["| family | 1x | 10x | 100x | 100x / 10x time |", "|---|---|---|---|---|"]
for name in sorted(os.listdir(f"{out}/x1/design")):
    cells, times = [], []
    for s in (1, 10, 100):
        path = f"{out}/x{s}/design/{name}"
        best = None
        for _ in range(3):
            t = time.perf_counter()
            r = subprocess.run([bin_, "check", path, "--format", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, timeout=600)
            el = time.perf_counter() - t
            if r.returncode not in (0, 1):
                sys.exit(f"{path}: exit {r.returncode}: {r.stderr.decode()[:200]}")
            best = el if best is None else min(best, el)
        times.append(best)
        cells.append(f"{os.path.getsize(path) / 1024:,.0f} KiB: {best * 1000:,.0f} ms")
    ratio = times[2] / times[1] if times[1] > 0 else float("nan")
    rows.append(f"| {name[:-3]} | " + " | ".join(cells) + f" | {ratio:.1f} |")
table = "\n".join(rows)
print(table)
open(f"{out}/results.md", "w").write(table + "\n")
PY
