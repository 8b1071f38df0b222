#!/usr/bin/env python3
"""The table of goals for bench/run_all.sh: reads its raw results in OUT and prints
bench/.out/summary.md (markdown). Standard library only.

    python3 bench/summarize.py bench/.out/all 1     # 1: the LSP bench ran (lsp.md exists)
"""

from __future__ import annotations

import json
import os
import re
import sys


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def rss_kib(path):
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", read(path))
    return int(m.group(1)) if m else None


def ms_cell(text, row, column):
    """A value in ms from a markdown table row that starts with `row`."""
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0].startswith(row) and len(cells) > column:
            m = re.match(r"([\d.]+) ms", cells[column])
            if m:
                return float(m.group(1))
    return None


def verdict(ok):
    if ok is None:
        return "—"
    return "met" if ok else "**missed**"


def main():
    out, lsp_ran = sys.argv[1], sys.argv[2] == "1"
    hf = load_json(os.path.join(out, "hyperfine.json")) or {"results": []}
    slow = load_json(os.path.join(out, "hyperfine-slow.json")) or {"results": []}
    by = {r["command"]: r for r in hf["results"] + slow["results"]}

    def mean(name):
        r = by.get(name)
        return r["mean"] if r else None

    def user(name):
        r = by.get(name)
        return r.get("user") if r else None

    floor = mean("floor: pulldown-cmark parse, 1 thread")
    check = mean("threatmark check")
    check1 = mean("threatmark check, 1 thread")
    check_json = mean("threatmark check --format json")
    base = mean("baseline: threatmark check")
    rumdl = mean("rumdl check")
    mdl = mean("markdownlint-cli2")
    rows = []

    def row(goal, figure, ratio, ok):
        rows.append(f"| {goal} | {figure} | {ratio} | {verdict(ok)} |")

    if floor and check:
        r = check / floor
        row("`check` wall ≤ 1.0× the parse floor (pulldown-cmark, 1 thread)",
            f"check {check:.2f} s (user {user('threatmark check'):.2f} s) vs floor {floor:.2f} s (user {user('floor: pulldown-cmark parse, 1 thread'):.2f} s)",
            f"{r:.1f}×", r <= 1.0)
    if rumdl and check:
        r = check / rumdl
        row("`check` wall ≤ 0.15× rumdl", f"check {check:.2f} s vs rumdl {rumdl:.2f} s", f"{r:.2f}×", r <= 0.15)
    if check_json and floor:
        row("(for reference) `check --format json` vs the floor", f"{check_json:.2f} s (user {user('threatmark check --format json'):.2f} s)", f"{check_json / floor:.1f}×", None)
    if base and check:
        row("(before/after) the baseline binary's `check`", f"{base:.2f} s (user {user('baseline: threatmark check'):.2f} s) → {check:.2f} s", f"{check / base:.2f}×", None)
    if check1 and floor:
        row("(for reference) `check` on one thread vs the floor", f"{check1:.2f} s", f"{check1 / floor:.1f}×", None)
    if mdl and check:
        row("(for reference) markdownlint-cli2", f"{mdl:.1f} s (one run)", f"check = {check / mdl:.3f}×", None)

    rss = rss_kib(os.path.join(out, "check.rss.txt"))
    if rss:
        row("`check` peak RSS ≤ 100 MB on the corpus", f"{rss / 1024:.0f} MiB", f"{rss / 1024 / 100:.1f}× the goal", rss / 1024 <= 100)
    rss_json = rss_kib(os.path.join(out, "check-json.rss.txt"))
    if rss_json:
        row("(for reference) `check --format json` peak RSS", f"{rss_json / 1024:.0f} MiB", f"{rss_json / 1024 / 100:.1f}× the goal", None)
    rss_base = rss_kib(os.path.join(out, "baseline.rss.txt"))
    if rss_base:
        row("(before/after) the baseline binary's peak RSS", f"{rss_base / 1024:.0f} MiB", "—", None)

    lsp = read(os.path.join(out, "lsp.md")) if lsp_ran else ""
    parse_ms = None
    m = re.search(r"one parse[^:]*: ([\d.]+) ms", lsp)
    if m:
        parse_ms = float(m.group(1))
    pull = ms_cell(lsp, "pull diagnostics after an incremental edit", 2)
    if pull is not None:
        ok = pull <= 3.0 and (parse_ms is None or pull <= 5 * parse_ms)
        ratio = f"{pull / 3.0:.0f}× the 3 ms goal"
        if parse_ms:
            ratio += f"; {pull / parse_ms:.0f}× one parse ({parse_ms:.2f} ms)"
        row("LSP pull diagnostics after an edit, p95 ≤ 3 ms and ≤ 5× one parse", f"p95 {pull:.1f} ms", ratio, ok)
    for name, label in (("hover on a threat id", "LSP hover p95 ≤ 1 ms"),
                        ("completion in a category cell", "LSP completion p95 ≤ 1 ms")):
        v = ms_cell(lsp, name, 2)
        if v is not None:
            row(label, f"p95 {v:.1f} ms", f"{v:.1f}×", v <= 1.0)
    m = re.search(r"pushed diagnostics: debounce ([\d.]+) ms, arrival after the last edit p95 ([\d.]+) ms", lsp)
    if m:
        debounce, arrival = float(m.group(1)), float(m.group(2))
        row("LSP pushed diagnostics within debounce + 5 ms of the last edit",
            f"p95 {arrival:.1f} ms (debounce {debounce:.0f} ms)", f"+{arrival - debounce:.1f} ms", arrival <= debounce + 5)
    m = re.search(r"RSS with (\d+) design docs open: ([\d.]+) MiB", lsp)
    if m:
        v = float(m.group(2))
        row(f"LSP RSS with {m.group(1)} docs open ≤ 100 MB", f"{v:.0f} MiB", f"{v / 100:.2f}× the goal", v <= 100)

    scaling = read(os.path.join(out, "scaling.md"))
    worst = None
    for line in scaling.splitlines():
        if " ms " not in line:
            continue  # the header's "1× | 10×" is no measurement
        for r in re.findall(r"\| ([\d.]+)× \| ([\d.]+)× \|", line):
            for v in r:
                worst = max(worst or 0.0, float(v))
    if worst is not None:
        row("10× threat rows / diagram nodes / paragraphs costs ≤ 12× the time", "worst step of the scaling table", f"{worst:.1f}×", worst <= 12)

    print("# Benchmark summary (bench/run_all.sh)\n")
    print(read(os.path.join(out, "floor.txt")).strip() + " (the floor's count of the input)\n")
    print(read(os.path.join(out, "check.summary.txt")).strip() + "\n")
    print("| goal | figure | ratio | verdict |")
    print("|---|---|---|---|")
    print("\n".join(rows))
    print("\n## Whole process (hyperfine)\n")
    print(read(os.path.join(out, "hyperfine.md")).strip())
    print("\n## Scaling (analysis of one doc, median)\n")
    print(scaling.strip())
    print("\n## Engine stages (criterion, 3,000-line doc)\n")
    print(read(os.path.join(out, "stages.md")).strip())
    if lsp:
        print("\n## Language server\n")
        print(lsp.strip())
    print(f"\nload average at the end: {read('/proc/loadavg').strip()}")


if __name__ == "__main__":
    main()
