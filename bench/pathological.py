#!/usr/bin/env python3
"""Pathological design docs, one family per kind of hostile or broken input, at a given
scale. Used by bench/pathological.sh (timings at 1x, 10x, 100x) and by the
`pathological` integration test of the CLI (each family at 1x, in a subprocess with a
time cap).

    python3 bench/pathological.py --scale 10 --out DIR     # writes DIR/<family>.md
"""
import argparse
import os

HEAD = "---\ntitle: x\n---\n\n# Doc\n\n## Threat model\n\n"


def families(n: int) -> dict:
    """Each value is bytes; n is the scale unit (about 1,000 of something at scale 1)."""
    k = 1000 * n
    table_row = "| T{i} | Tampering | A1 | An attacker alters record {i} in flight | High | M1 | Open | |\n"
    f = {}
    f["deep-lists"] = HEAD + "".join("  " * i + "- item\n" for i in range(min(k, 20000)))
    f["deep-blockquotes"] = HEAD + "".join(">" * i + " quote\n" for i in range(1, min(k, 20000)))
    f["huge-threat-table"] = HEAD + "### Threats\n\n| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status | Ticket |\n|---|---|---|---|---|---|---|---|\n" + "".join(table_row.format(i=i) for i in range(k))
    f["duplicate-ids"] = HEAD + "### Threats\n\n| ID | STRIDE | Asset | Threat |\n|---|---|---|---|\n" + "| T1 | S | A1 | same id again and again |\n" * k
    f["many-references"] = HEAD + "### Mitigations\n\n" + "".join(f"- M{i}: see T{i} and A{i} and M{i+1}\n" for i in range(k))
    f["unclosed-fence"] = HEAD + "```mermaid\nflowchart LR\n" + "a --> b\n" * k
    f["unclosed-front-matter"] = "---\ntitle: x\n" + "key: value\n" * k
    f["long-line"] = HEAD + "word " * (200 * k) + "\n"
    f["cr-only"] = (HEAD + "### Threats\n\n| ID | STRIDE | Asset | Threat |\n|---|---|---|---|\n" + "| T1 | S | A1 | x |\n" * k).replace("\n", "\r")
    f["bom-crlf"] = "\ufeff" + (HEAD + "- Repudiation: not applicable — none\n" * k).replace("\n", "\r\n")
    f["alias-bomb"] = "---\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n---\n" + HEAD + "x\n" * k
    f["huge-diagram"] = HEAD + "```mermaid\nflowchart LR\n" + "".join(f"  n{i}[(Store {i})] -->|flow {i}| n{i+1}((Worker {i}))\n" for i in range(k)) + "```\n"
    f["nested-subgraphs"] = HEAD + "```mermaid\nflowchart LR\n" + "subgraph s\n" * min(k, 20000) + "a[(A)] --> b\n" + "end\n" * min(k, 20000) + "```\n"
    f["many-headings"] = HEAD + "".join(f"{'#' * (1 + i % 6)} Spoofing {i}\n\ntext\n\n" for i in range(k))
    f["many-suppressions"] = HEAD + "".join(f"<!-- threatmark-disable-next-line TM011 TM999 -->\n- line {i}\n" for i in range(k))
    f["html-and-links"] = HEAD + "".join(f"<div><a href='x{i}.md'>[l](y{i}.md)</a></div>\n" for i in range(k))
    out = {name: text.encode("utf-8") for name, text in f.items()}
    out["invalid-utf8"] = HEAD.encode() + b"\xff\xfe bad \xc3\x28 bytes\n" * k
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for name, data in families(a.scale).items():
        with open(os.path.join(a.out, f"{name}.md"), "wb") as fh:
            fh.write(data)


if __name__ == "__main__":
    main()
