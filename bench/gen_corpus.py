#!/usr/bin/env python3
"""Generate a deterministic corpus of markdown design docs for benchmarking `threatmark`.

    python3 bench/gen_corpus.py --out bench/.corpus --count 5000 --seed 20261123

Writes COUNT design docs (2-40 KB, log-uniform target size) under
`OUT/team-<k>/design/...` (so the default include glob `**/design/**/*.md` makes them
design docs) plus about COUNT/10 plain READMEs and runbooks outside any `design/`
folder, which must not be nagged. Each design doc has YAML front matter, prose sections,
a mermaid flowchart (5-60 nodes, trust-boundary subgraphs, data stores, external
entities, labelled edges) and a threat model in one of the three shapes of SPEC §4.3
(table, heading form, list form), with gaps at controlled rates (see GAP_RATES).

`OUT/manifest.json` lists every file with its shape, size and the gaps put into it, and
the totals. It is not markdown, so no markdown tool reads it.

Deterministic: the same --seed, --count and --anchor give byte-identical output on any
machine (standard library only, no clock, no hash-order dependence). Doc i is drawn
from its own `random.Random` seeded from (seed, i), so a smaller corpus is a prefix of
a larger one with the same seed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import shutil
import sys

DEFAULT_SEED = 20261123
DEFAULT_COUNT = 5000
# "Today" of the corpus: last_reviewed dates are drawn relative to it, never the clock.
# Run threatmark with THREATMARK_TODAY set to the same date (bench/check_corpus.sh does).
DEFAULT_ANCHOR = "2026-11-23"
GENERATOR_VERSION = 1

MIN_BYTES = 2 * 1024
MAX_BYTES = 40 * 1024

# Probability that a design doc gets each gap (drawn independently per doc).
GAP_RATES = {
    "no_threat_model": 0.05,  # TM001
    "missing_stride_category": 0.20,  # TM020 (1-2 categories dropped)
    "unmitigated_threat": 0.10,  # TM030 (+ TM032 when high)
    "unlisted_target": 0.10,  # TM010 (a threat targets a node that is not in the inventory)
    "stale_review": 0.05,  # TM040 (last_reviewed 10-24 months before the anchor)
    "placeholder": 0.08,  # TM050 / TM003 (<...>, TBD left in the threat model)
    "malformed_table": 0.05,  # short/long rows, missing delimiter row, blank line inside
    "unknown_category": 0.04,  # TM021
    "missing_severity": 0.05,  # TM031
    "thin_threat": 0.06,  # TM035
    "duplicate_id": 0.02,  # TM033
    "unclassified_asset": 0.05,  # TM012
    "unjustified_not_applicable": 0.02,  # TM023
    "invalid_front_matter": 0.01,  # TM090
    "diagram_syntax_error": 0.01,  # TM060
}
DOCS_PER_TEAM = 100  # team-<k> folders hold 100 design docs each (and 10 READMEs)
README_RATIO = 0.10  # extra non-design markdown files, relative to COUNT
SENSITIVE_RATE = 0.45  # docs whose prose touches sensitive topics (SPEC §5.2)

STRIDE = [
    ("S", "Spoofing", "spoofing"),
    ("T", "Tampering", "tampering"),
    ("R", "Repudiation", "repudiation"),
    ("I", "Information disclosure", "information_disclosure"),
    ("D", "Denial of service", "denial_of_service"),
    ("E", "Elevation of privilege", "elevation_of_privilege"),
]
CAT_SHORT = {
    "S": ["Spoofing", "S", "spoofing"],
    "T": ["Tampering", "T", "tampering"],
    "R": ["Repudiation", "R", "repudiation"],
    "I": ["Information disclosure", "I", "Info disclosure", "Information Disclosure"],
    "D": ["Denial of service", "D", "DoS", "Denial of Service"],
    "E": ["Elevation of privilege", "E", "EoP", "Elevation of Privilege"],
}
CAT_HEADING = {
    "S": ["Spoofing", "S — Spoofing", "**S — Spoofing**", "Spoofing (S)"],
    "T": ["Tampering", "T — Tampering", "**T — Tampering**", "Tampering (T)"],
    "R": ["Repudiation", "R — Repudiation", "**R — Repudiation**", "Repudiation (R)"],
    "I": ["Information disclosure", "I — Information Disclosure", "Information Disclosure"],
    "D": ["Denial of service", "Denial of Service (DoS)", "D — Denial of Service"],
    "E": ["Elevation of privilege", "Elevation of Privilege (EoP)", "E — Elevation of Privilege"],
}
UNKNOWN_CATEGORIES = ["Injection", "Privacy", "Spoffing", "Supply chain", "XSS", "Tempering", "Fraud"]

SEVERITIES = ["Critical", "High", "Medium", "Low"]
SEVERITY_WEIGHTS = [0.08, 0.30, 0.42, 0.20]
CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"]
BAD_CLASSIFICATIONS = ["secret", "sensitive-ish", "n/a", "top secret"]

# ---------------------------------------------------------------- vocabulary

DOMAINS = [
    "Order", "Invoice", "Catalog", "Inventory", "Shipment", "Refund", "Ledger", "Tenant",
    "Account", "Profile", "Search", "Recommendation", "Notification", "Export", "Import",
    "Report", "Audit", "Billing", "Subscription", "Pricing", "Quota", "Feature flag",
    "Config", "Media", "Thumbnail", "Document", "Upload", "Webhook", "Schedule", "Metrics",
    "Trace", "Alert", "Incident", "Deployment", "Artifact", "Build", "Cluster", "Node pool",
    "Backup", "Snapshot", "Replica", "Cache", "Session", "Token", "Key", "Certificate",
    "Consent", "Identity", "Group", "Workspace", "Project", "Comment", "Attachment",
    "Message", "Chat", "Calendar", "Booking", "Payout", "Merchant", "Partner", "Device",
    "Firmware", "Telemetry", "Sensor", "Route", "Map tile", "Translation", "Pipeline",
]
PROCESS_KINDS = [
    "service", "API", "worker", "scheduler", "consumer", "indexer", "gateway", "job",
    "controller", "dispatcher", "builder", "router", "resolver", "proxy", "agent",
    "reconciler", "aggregator", "validator", "admin console", "sync daemon",
]
STORE_KINDS = [
    "DB", "table", "cache", "bucket", "topic", "queue", "index", "replica", "log",
    "store", "archive", "ledger", "vault", "snapshot store",
]
EXTERNALS = [
    "Customer browser", "Mobile app", "Partner API", "Payment processor", "Identity provider",
    "SMTP relay", "Ops engineer", "CI pipeline", "Third-party webhook sender", "Support agent",
    "Tenant admin", "Push gateway", "CDN", "Bank SFTP", "Tax service", "Analytics vendor",
    "Courier API", "SMS provider", "Auditor", "On-call engineer", "Browser extension",
    "Data warehouse", "Customer's IdP", "App store", "Reseller portal", "Field technician",
]
EDGE_LABELS = [
    "HTTPS", "gRPC", "mTLS", "SQL", "read", "write", "publish event", "consume", "JWT",
    "webhook", "batch upload", "S3 PUT", "S3 GET", "enqueue job", "fetch config",
    "poll status", "stream metrics", "sign request", "lookup", "replicate", "invalidate",
    "SFTP", "OAuth callback", "render", "REST", "append entry", "notify", "schedule run",
]
BOUNDARY_NAMES = [
    "Public edge", "Core cluster", "Data zone", "Internal network", "Partner zone",
    "Admin VPC", "Payments enclave", "Build farm", "Tenant sandbox", "Observability",
    "Batch cluster", "Control plane", "Signing zone", "DMZ",
]

VERBS = [
    "reads", "writes", "publishes", "consumes", "validates", "caches", "batches",
    "replicates", "forwards", "aggregates", "schedules", "retries", "throttles",
    "compacts", "indexes", "signs", "verifies", "streams", "exports", "reconciles",
]
OBJECTS = [
    "the event stream", "the nightly snapshot", "per-tenant state", "the change feed",
    "pending jobs", "the request metadata", "configuration bundles", "aggregated metrics",
    "delivery receipts", "partition offsets", "the manifest", "the retry budget",
    "idempotency keys", "the schema registry entries", "audit records", "rollout status",
    "the dead-letter backlog", "usage counters", "derived views", "the routing table",
]
QUALIFIERS = [
    "before the response is returned", "in the background", "once per partition",
    "with at-least-once semantics", "behind a feature flag", "for each tenant separately",
    "within the latency budget", "without holding a global lock", "during the rollout window",
    "on a five-minute cadence", "only when the leader lease is held", "in bounded batches",
    "after the schema check passes", "with exponential backoff", "across availability zones",
    "under the existing SLO", "while the old path keeps serving reads",
]
ADJECTIVES = [
    "incremental", "idempotent", "eventually consistent", "horizontally scalable",
    "stateless", "sharded", "versioned", "backwards compatible", "observable",
    "multi-tenant", "rate-limited", "append-only", "cost-efficient", "zone-redundant",
]
CONCERNS = [
    "latency", "throughput", "operational load", "cost", "on-call burden", "data freshness",
    "blast radius", "migration risk", "schema drift", "tail latency", "capacity headroom",
    "cold-start time", "consistency", "debuggability",
]
SENSITIVE_PHRASES = [
    "the login flow", "password reset", "payment authorisation", "stored card details",
    "PII such as the email address and phone number", "the internet-facing endpoint",
    "secrets in the key vault", "OAuth tokens", "SSO sessions", "the admin console",
    "access control lists", "the card vault", "personal data exports", "GDPR deletion requests",
    "the public API that is internet-facing", "API keys and other secrets", "MFA enrolment",
    "the payment processor callback", "RBAC role bindings", "the date of birth field",
]
TEAMS_WORDS = [
    "payments", "identity", "platform", "search", "growth", "mobile", "data", "infra",
    "billing", "integrations", "storage", "release", "observability", "messaging", "risk",
    "catalog", "logistics", "support", "ads", "security", "developer-experience", "edge",
]
PEOPLE = [
    "mira", "tobias", "chen", "ines", "ravi", "amara", "lukas", "sofia", "kenji", "noor",
    "diego", "hana", "oskar", "priya", "femi", "jonas", "leila", "marek", "yuki", "zara",
    "bruno", "aiko", "elena", "omar", "pavel", "nadia", "tomás", "björn", "李伟", "anaïs",
]
TITLE_PATTERNS = [
    "{d} {k} redesign", "Multi-region {d} {k}", "{d} {k} v2", "Moving {d} data to a new {s}",
    "Rate limiting for the {d} {k}", "{d} export to partners", "Self-serve {d} settings",
    "Event-driven {d} updates", "Sharding the {d} {s}", "{d} retention and deletion",
    "Bulk {d} import", "{d} audit trail", "Real-time {d} notifications", "{d} caching layer",
    "Tenant isolation for {d} {k}", "Replacing the {d} cron with a {k}", "{d} search",
    "Offline {d} sync for mobile", "{d} webhooks", "Zero-downtime {d} migration",
]

# Threat statements per STRIDE letter: (actor, action, impact)
THREAT_PARTS = {
    "S": (
        ["An attacker holding a stolen session cookie", "A workflow in a forked repository",
         "A caller on the internal network", "A compromised partner account",
         "A script replaying a captured token", "A user of another tenant",
         "An insider with a copied service account key"],
        ["impersonates the {t}", "calls the {t} as another tenant",
         "presents a forged identity to the {t}", "registers itself as the {t}",
         "reuses an expired credential against the {t}"],
        ["and reads data that belongs to someone else", "and triggers actions on a victim's behalf",
         "leading to unauthorised changes that look legitimate",
         "so that downstream systems trust its requests"],
    ),
    "T": (
        ["An operator with cluster access", "A man-in-the-middle on the partner link",
         "A malicious tenant", "A bug in the retry path", "An attacker with write access to the bucket",
         "A compromised build step"],
        ["modifies records in the {t}", "rewrites messages bound for the {t}",
         "swaps the payload stored in the {t}", "replays an old request to the {t}",
         "alters the configuration read by the {t}"],
        ["so that customers receive wrong results", "leading to silent data corruption",
         "and the change is applied without review", "so that later reconciliation fails"],
    ),
    "R": (
        ["A tenant admin", "A support agent", "An on-call engineer", "A partner integration",
         "A customer"],
        ["denies having changed settings in the {t}", "disputes an action recorded by the {t}",
         "deletes entries from the {t}", "performs changes through the {t} without an audit record"],
        ["and support cannot prove who made the change", "leaving no trail for the incident review",
         "so a chargeback cannot be contested", "and compliance evidence is incomplete"],
    ),
    "I": (
        ["A misconfigured job", "An attacker scraping the API", "A verbose debug log",
         "A user of another tenant", "An analytics export", "A leaked backup"],
        ["exposes rows of the {t}", "reads another tenant's data through the {t}",
         "copies the contents of the {t} to an unprotected location",
         "prints sensitive fields handled by the {t}"],
        ["and personal data leaves the trust boundary", "leading to a reportable data breach",
         "so that secrets can be reused elsewhere", "revealing business-confidential volumes"],
    ),
    "D": (
        ["A misbehaving client", "A burst of retries after an outage", "A single large tenant",
         "An attacker on the internet", "A poison message"],
        ["floods the {t}", "exhausts the connection pool of the {t}",
         "fills the disk behind the {t}", "blocks the partition consumed by the {t}"],
        ["and real requests time out", "so every other tenant misses the processing window",
         "leading to dropped notifications", "and the on-call engineer is paged for hours"],
    ),
    "E": (
        ["A user with read-only access", "Code execution on the worker host", "A crafted input",
         "A tenant admin", "A dependency with a malicious update"],
        ["gains write access to the {t}", "uses the broad role of the {t}",
         "escapes the sandbox of the {t}", "grants itself admin rights through the {t}"],
        ["and changes data beyond its scope", "leading to full control of the cluster",
         "so that it can sign arbitrary artifacts", "and reads every tenant's records"],
    ),
}
THREAT_TITLES = {
    "S": ["Forged caller identity", "Stolen session reuse", "Spoofed webhook sender", "Token replay"],
    "T": ["Tampered payload", "Replayed request", "Modified configuration", "Swapped object"],
    "R": ["Unattributed settings change", "Deleted audit entries", "Disputed action"],
    "I": ["Cross-tenant read", "Secrets in logs", "Backup exposure", "Verbose error messages"],
    "D": ["Request flood", "Queue starvation", "Disk exhaustion", "Poison message"],
    "E": ["Over-broad role", "Sandbox escape", "Privilege escalation via admin API"],
}
MITIGATION_TEXT = {
    "S": ["Callers authenticate with mTLS and the identity is bound to the tenant in the session.",
          "Tokens are short-lived and their audience and repository claims are checked against an allow-list.",
          "Webhook deliveries are signed with a per-partner secret and checked with a constant-time comparison.",
          "Step-up authentication is required before changing the destination."],
    "T": ["Messages carry an HMAC over the body and a nonce; replays are rejected.",
          "Objects are written once and addressed by content hash.",
          "Configuration changes go through review and are signed by the release pipeline.",
          "Rows are checksummed and verified on read."],
    "R": ["Every change writes an append-only audit record with actor, time and old and new value.",
          "Audit entries are shipped to a separate account that the service cannot delete from.",
          "Support actions require a ticket reference that is stored with the change."],
    "I": ["Queries filter by tenant id and the filter is enforced again on every row.",
          "Sensitive fields are redacted by the logging library and CI scans logs for key patterns.",
          "Backups are encrypted with a key that only the restore role can use.",
          "Error messages returned to callers carry a correlation id only."],
    "D": ["Per-tenant rate limits and a bounded queue with back-pressure.",
          "Each tenant has its own time budget and large jobs are split into chunks.",
          "Poison messages go to a dead-letter queue after three attempts.",
          "Autoscaling with a hard ceiling and load shedding for low-priority traffic."],
    "E": ["The worker runs with a role that can read only the views it needs.",
          "Inputs are parsed with a strict schema and never interpreted as commands.",
          "Admin operations require a separate role granted just in time and logged.",
          "Dependencies are pinned by hash and updates are reviewed."],
}
NA_REASONS = {
    "S": "the job has no callers; it is started by the scheduler inside the cluster only",
    "T": "the service only reads immutable, signed snapshots produced by another team",
    "R": "the service performs no user-initiated actions that anyone could later deny",
    "I": "the service handles only public catalogue data that is already published",
    "D": "the batch runs offline and a delay of a day has no customer impact",
    "E": "the component runs with no privileges beyond reading its own queue",
}

PLACEHOLDERS = ["<describe the scope>", "TBD", "<asset name>", "TODO: fill in", "<mitigation>", "..."]


# ---------------------------------------------------------------- helpers


def slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-") or "doc"


def node_id(label: str, used: set[str], rng: random.Random) -> str:
    words = [w for w in slugify(label).split("-") if w]
    style = rng.random()
    if style < 0.5:
        base = "_".join(words)
    elif style < 0.8:
        base = words[0] + "".join(w.capitalize() for w in words[1:])
    else:
        base = "".join(w[0] for w in words) + str(len(used) + 1)
    if not base or base[0].isdigit():
        base = "n" + base
    cand = base
    i = 2
    while cand in used:
        cand = f"{base}{i}"
        i += 1
    used.add(cand)
    return cand


class Ctx:
    """Per-doc random source and prose helpers."""

    def __init__(self, rng: random.Random, sensitive: bool):
        self.rng = rng
        self.sensitive = sensitive
        self.plen = (2, 7)  # sentences per paragraph

    def pick(self, seq):
        return self.rng.choice(seq)

    def sentence(self, names: list[str]) -> str:
        r = self.rng
        subj = r.choice(names) if names and r.random() < 0.6 else "The " + r.choice(DOMAINS).lower() + " " + r.choice(PROCESS_KINDS)
        if not subj.startswith("The "):
            subj = "The " + subj
        t = r.randrange(9)
        if t == 0:
            s = f"{subj} {r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(QUALIFIERS)}."
        elif t == 1:
            s = f"We keep the design {r.choice(ADJECTIVES)} so that {r.choice(CONCERNS)} stays predictable as traffic grows."
        elif t == 2:
            c1, c2 = r.sample(CONCERNS, 2)
            s = f"The main trade-off is {c1} against {c2}, and we prefer the simpler option for the first release."
        elif t == 3:
            s = f"Today {r.choice(OBJECTS)} is handled by a cron job that nobody owns, which makes {r.choice(CONCERNS)} hard to reason about."
        elif t == 4:
            s = f"{subj} {r.choice(VERBS)} {r.choice(OBJECTS)} and {r.choice(VERBS)} {r.choice(OBJECTS)} {r.choice(QUALIFIERS)}."
        elif t == 5:
            s = f"If the {r.choice(DOMAINS).lower()} {r.choice(STORE_KINDS)} is unavailable, {subj[0].lower() + subj[1:]} {r.choice(['falls back to the last snapshot', 'queues the work and retries', 'returns a retryable error', 'degrades to read-only mode'])}."
        elif t == 6:
            s = f"We measured p99 {r.choice(['latency', 'write latency', 'queue lag'])} at {r.randint(3, 900)} ms with {r.randint(2, 64)} replicas during the load test in {r.choice(['March', 'June', 'September', 'December'])}."
        elif t == 7:
            s = f"The {r.choice(ADJECTIVES)} approach keeps {r.choice(OBJECTS)} out of the hot path {r.choice(QUALIFIERS)}."
        else:
            s = f"Teams that depend on {r.choice(OBJECTS)} do not need to change anything; the contract stays {r.choice(ADJECTIVES)}."
        if self.sensitive and r.random() < 0.12:
            s = s[:-1] + f", which also touches {r.choice(SENSITIVE_PHRASES)}."
        return s

    def paragraph(self, names: list[str]) -> str:
        n = self.rng.randint(*self.plen)
        text = " ".join(self.sentence(names) for _ in range(n))
        return wrap(text, self.rng.choice([88, 90, 100, 10_000]))

    def bullets(self, names: list[str], n: int) -> str:
        return "\n".join("- " + self.sentence(names) for _ in range(n))


def wrap(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    lines, cur = [], ""
    for w in text.split(" "):
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        lines.append(cur)
    return "\n".join(lines)


def table(header: list[str], rows: list[list[str]], rng: random.Random, malformed: str | None = None) -> str:
    pad = rng.random() < 0.5
    widths = [max(len(h), 3) for h in header]
    if pad:
        for row in rows:
            for i, c in enumerate(row[: len(widths)]):
                widths[i] = max(widths[i], len(c))

    def fmt(cells):
        if pad:
            cells = [c.ljust(widths[i]) if i < len(widths) else c for i, c in enumerate(cells)]
        return "| " + " | ".join(cells) + " |"

    lines = [fmt(header)]
    if malformed != "no_delimiter":
        lines.append("|" + "|".join("-" * (w + 2 if pad else rng.choice([3, 4, 6])) for w in widths) + "|")
    first = len(lines)
    for row in rows:
        lines.append(fmt(row))
    if malformed and rows:
        j = rng.randrange(len(rows))
        k = first + j
        if malformed == "short_row":
            lines[k] = "| " + " | ".join(rows[j][: max(1, len(rows[j]) - 2)]) + " |"
        elif malformed == "extra_cell":
            lines[k] = lines[k] + " see the appendix |"
        elif malformed == "blank_line":
            lines.insert(max(first + 1, k), "")
    return "\n".join(lines)


# ---------------------------------------------------------------- diagram


class Node:
    __slots__ = ("id", "label", "kind", "boundary")

    def __init__(self, nid, label, kind, boundary):
        self.id, self.label, self.kind, self.boundary = nid, label, kind, boundary


def make_diagram(cx: Ctx, n_nodes: int, broken: bool):
    r = cx.rng
    used_ids: set[str] = set()
    used_labels: set[str] = set()

    def label_for(kind):
        for _ in range(50):
            if kind == "process":
                lab = f"{r.choice(DOMAINS)} {r.choice(PROCESS_KINDS)}"
            elif kind == "store":
                lab = f"{r.choice(DOMAINS)} {r.choice(STORE_KINDS)}"
            else:
                lab = r.choice(EXTERNALS) if r.random() < 0.7 else f"{r.choice(DOMAINS)} partner"
            if lab.lower() not in used_labels:
                used_labels.add(lab.lower())
                return lab
        lab = f"{lab} {len(used_labels)}"
        used_labels.add(lab.lower())
        return lab

    n_ext = max(1, round(n_nodes * r.uniform(0.1, 0.25)))
    n_store = max(1, round(n_nodes * r.uniform(0.2, 0.35)))
    n_proc = max(1, n_nodes - n_ext - n_store)
    n_bound = max(1, min(5, round(n_nodes / r.uniform(6, 14))))
    boundaries = []
    bnames = r.sample(BOUNDARY_NAMES, n_bound)
    for i, bn in enumerate(bnames):
        parent = None
        if i > 0 and r.random() < 0.2:
            parent = boundaries[r.randrange(len(boundaries))][0]
        boundaries.append((node_id(bn, used_ids, r), bn, parent))
    nodes: list[Node] = []
    for kind, n in (("process", n_proc), ("store", n_store), ("external", n_ext)):
        for _ in range(n):
            lab = label_for(kind)
            b = None if kind == "external" else r.choice(boundaries)[0]
            nodes.append(Node(node_id(lab, used_ids, r), lab, kind, b))
    r.shuffle(nodes)

    def decl(nd: Node) -> str:
        if nd.kind == "store":
            return f"{nd.id}[({nd.label})]"
        if nd.kind == "external":
            return f"{nd.id}[/{nd.label}/]" if r.random() < 0.85 else f"{nd.id}[\\{nd.label}\\]"
        return r.choice([f"{nd.id}(({nd.label}))", f"{nd.id}[{nd.label}]", f"{nd.id}({nd.label})"])

    out = ["```mermaid", f"{r.choice(['flowchart', 'flowchart', 'graph'])} {r.choice(['LR', 'TB', 'TD', 'LR'])}"]
    if r.random() < 0.3:
        out.append("  %% generated for the threatmark benchmark")
    for nd in nodes:
        if nd.boundary is None:
            out.append("  " + decl(nd))

    def emit_boundary(bid, title, depth):
        ind = "  " * depth
        out.append(f"{ind}subgraph {bid} [{title}]")
        for nd in nodes:
            if nd.boundary == bid:
                out.append(ind + "  " + decl(nd))
        for cb, ct, cp in boundaries:
            if cp == bid:
                emit_boundary(cb, ct, depth + 1)
        out.append(f"{ind}end")

    for bid, title, parent in boundaries:
        if parent is None:
            emit_boundary(bid, title, 1)

    edges = []
    n_edges = round(len(nodes) * r.uniform(1.0, 1.6))
    procs = [n for n in nodes if n.kind == "process"]
    for _ in range(n_edges):
        a = r.choice(nodes)
        b = r.choice(procs) if a.kind != "process" else r.choice(nodes)
        if a is b:
            continue
        form = r.random()
        lab = r.choice(EDGE_LABELS)
        if form < 0.55:
            edges.append(f"  {a.id} -->|{lab}| {b.id}")
        elif form < 0.7:
            edges.append(f"  {a.id} -- {lab} --> {b.id}")
        elif form < 0.8:
            edges.append(f"  {a.id} -.->|async| {b.id}")
        elif form < 0.87:
            edges.append(f"  {a.id} ==> {b.id}")
        elif form < 0.94:
            c = r.choice(procs)
            if c is a or c is b:
                continue
            edges.append(f"  {a.id} --> {b.id} --> {c.id}")
        else:
            c = r.choice(nodes)
            if c is a or c is b:
                continue
            edges.append(f"  {a.id} & {c.id} --> {b.id}")
    out.extend(edges)
    if r.random() < 0.3:
        out.append("  classDef store fill:#eef,stroke:#446")
        stores = [n.id for n in nodes if n.kind == "store"][:6]
        out.append(f"  class {','.join(stores)} store")
    if r.random() < 0.15:
        out.append(f"  style {nodes[0].id} stroke-width:2px")
    if broken:
        # An unterminated edge label or an unclosed shape: TM060.
        i = r.randrange(2, len(out))
        out.insert(i, r.choice([f"  {nodes[0].id} -->|{r.choice(EDGE_LABELS)} {nodes[-1].id}",
                                f"  {nodes[-1].id}[({nodes[-1].label}]"]))
    out.append("```")
    return nodes, boundaries, "\n".join(out)


# ---------------------------------------------------------------- threat model


def assign_categories(r: random.Random, n_threats: int, covered: list[str]):
    """Category list per threat so that every covered letter appears at least once."""
    cats: list[list[str]] = [[] for _ in range(n_threats)]
    if n_threats >= len(covered):
        order = covered[:]
        for i in range(n_threats):
            cats[i].append(order[i] if i < len(order) else r.choice(covered))
        for c in cats:
            if r.random() < 0.12:
                extra = r.choice(covered)
                if extra not in c:
                    c.append(extra)
    else:
        for i, c in enumerate(covered):
            cats[i % n_threats].append(c)
    perm = list(range(n_threats))
    r.shuffle(perm)
    return [sorted(cats[p], key="STRIDE".index) for p in perm]


def make_doc(index: int, seed: int, anchor: dt.date, team: int):
    r = random.Random(f"threatmark-bench/{seed}/{index}")
    gaps = [g for g, p in GAP_RATES.items() if r.random() < p]
    sensitive = r.random() < SENSITIVE_RATE
    cx = Ctx(r, sensitive)
    shape = r.choices(["table", "heading", "list"], weights=[0.45, 0.25, 0.30])[0]
    if "no_threat_model" in gaps:
        for g in ("missing_stride_category", "unmitigated_threat", "unlisted_target", "placeholder",
                  "unknown_category", "missing_severity", "thin_threat", "duplicate_id",
                  "unclassified_asset", "unjustified_not_applicable"):
            if g in gaps:
                gaps.remove(g)
        shape = "none"

    # Target size: log-uniform over [2 KB, 40 KB].
    target = int(math.exp(r.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES))))
    richness = (math.log(target) - math.log(MIN_BYTES)) / (math.log(MAX_BYTES) - math.log(MIN_BYTES))
    n_threats = max(3, min(40, round(3 + 37 * richness * r.uniform(0.35, 1.0))))
    n_nodes = max(5, min(60, round(5 + 55 * richness * r.uniform(0.3, 1.0))))

    domain = r.choice(DOMAINS)
    title = r.choice(TITLE_PATTERNS).format(d=domain, k=r.choice(PROCESS_KINDS), s=r.choice(STORE_KINDS))
    title = title[0].upper() + title[1:]
    team_word = TEAMS_WORDS[team % len(TEAMS_WORDS)]
    ticket_key = "".join(ch for ch in team_word.upper() if ch.isalpha())[:4] or "SEC"

    # ---- front matter
    status = r.choices(["draft", "in-review", "approved"], weights=[0.35, 0.3, 0.35])[0]
    if "stale_review" in gaps:
        reviewed = anchor - dt.timedelta(days=r.randint(300, 730))
    else:
        reviewed = anchor - dt.timedelta(days=r.randint(0, 255))
    fm = [f"title: {title}" if "invalid_front_matter" not in gaps else f"title: {title}: {r.choice(['v2', 'draft', 'phase 1'])}",
          f"owner: team-{team_word}", f"status: {status}"]
    review_in_body = False
    form = r.random()
    if form < 0.8:
        fm.append(f"last_reviewed: {reviewed.isoformat()}")
    elif form < 0.9:
        fm.append("threat_model:")
        fm.append(f"  last_reviewed: {reviewed.isoformat()}")
    else:
        review_in_body = True
    if status == "approved" and r.random() < 0.85 or r.random() < 0.25:
        revs = r.sample(PEOPLE, r.randint(1, 3))
        if r.random() < 0.6:
            fm.append(f"reviewers: [{', '.join(revs)}]")
        else:
            fm.append("reviewers:")
            fm.extend(f"  - {p}" for p in revs)
    if r.random() < 0.35:
        fm.append(f"security_reviewer: {r.choice(PEOPLE)}")
    if r.random() < 0.1:
        fm.append(f"risk: {r.choice(['low', 'medium', 'high'])}")
    if r.random() < 0.2:
        fm.append(f"tags: [{', '.join(r.sample(['api', 'storage', 'batch', 'mobile', 'infra', 'pci', 'gdpr', 'ml'], 2))}]")
    if r.random() < 0.1:
        fm.append(f"created: {(reviewed - dt.timedelta(days=r.randint(10, 400))).isoformat()}")

    nodes, boundaries, diagram = make_diagram(cx, n_nodes, "diagram_syntax_error" in gaps)
    names = [n.label for n in nodes if n.kind == "process"]

    # ---- assets: every store, some processes, maybe one flow
    stores = [n for n in nodes if n.kind == "store"]
    procs = [n for n in nodes if n.kind == "process"]
    asset_nodes = stores + r.sample(procs, min(len(procs), max(1, round(len(procs) * r.uniform(0.2, 0.6)))))
    if "unlisted_target" in gaps and len(asset_nodes) > 2 and r.random() < 0.4:
        # Drop a data store from the inventory: the diagram store is then unlisted too.
        dropped_store = r.choice(stores) if stores else None
        if dropped_store and len(stores) > 1:
            asset_nodes.remove(dropped_store)
    r.shuffle(asset_nodes)
    id_style = r.choice(["A{}", "A{}", "A-{}", "ASSET-{}"])
    assets = []
    for i, nd in enumerate(asset_nodes, 1):
        cls = r.choice(CLASSIFICATIONS[1:] if nd.kind == "store" else CLASSIFICATIONS)
        assets.append({"id": id_style.format(i), "name": nd.label, "kind": "data store" if nd.kind == "store" else "process", "cls": cls})
    if r.random() < 0.3:
        assets.append({"id": id_style.format(len(assets) + 1), "name": f"{domain} data in transit", "kind": "data flow", "cls": "confidential"})
    if "unclassified_asset" in gaps:
        a = r.choice(assets)
        a["cls"] = r.choice(["", r.choice(BAD_CLASSIFICATIONS)])
    if "duplicate_id" in gaps and len(assets) > 2:
        assets[-1]["dup"] = True
    unlisted = [n for n in nodes if n not in asset_nodes and n.kind != "external"] or [n for n in nodes if n.kind == "external"]

    # ---- threats
    dropped: list[str] = []
    letters = [s[0] for s in STRIDE]
    if "missing_stride_category" in gaps:
        dropped = sorted(r.sample(letters, r.choice([1, 1, 2])), key="STRIDE".index)
    covered = [c for c in letters if c not in dropped]
    na_letters: list[str] = []
    if len(covered) > 3 and r.random() < 0.15 or "unjustified_not_applicable" in gaps:
        na_letters = [r.choice(covered)]
        covered = [c for c in covered if c not in na_letters]
    cats = assign_categories(r, n_threats, covered)
    if shape == "heading":
        # Heading form lists threats category by category; number them in that order.
        cats.sort(key=lambda c: ("STRIDE".index(c[0]), len(c)))
    tid_style = r.choice(["T{}", "T{}", "T-{}", "TH-{}", "TH-{:02d}"])
    mit_style = r.choice(["M{}", "M{}", "M-{}"])
    threats = []
    for i in range(n_threats):
        c = cats[i]
        lead = c[0]
        actor, action, impact = (r.choice(x) for x in THREAT_PARTS[lead])
        tgt_assets = r.sample(assets, min(len(assets), r.choice([1, 1, 1, 2])))
        target_node_label = tgt_assets[0]["name"]
        desc = f"{actor} {action.format(t=target_node_label.lower() if r.random() < 0.5 else 'service')} {impact}."
        sev = r.choices(SEVERITIES, weights=SEVERITY_WEIGHTS)[0]
        st = r.choices(["Mitigated", "", "In progress", "Open", "Accepted", "Transferred"],
                       weights=[0.5, 0.2, 0.12, 0.06, 0.08, 0.04])[0]
        t = {
            "id": tid_style.format(i + 1),
            "cats": [r.choice(CAT_SHORT[x]) for x in c],
            "letters": c,
            "targets": [a["id"] if r.random() < 0.75 else (a["name"] if r.random() < 0.7 else f"`{a['name']}`") for a in tgt_assets],
            "title": r.choice(THREAT_TITLES[lead]),
            "desc": desc,
            "sev": sev,
            "status": st,
            "mit_text": r.choice(MITIGATION_TEXT[lead]),
            "mit_ref": None,
            "ticket": "",
        }
        if sev in ("Critical", "High") or r.random() < 0.25:
            t["ticket"] = f"{ticket_key}-{r.randint(10, 4999)}"
        if st == "Accepted":
            t["accept_reason"] = r.choice([
                "Accepted because the blast radius is one tenant and detection is in place; the platform team owns the residual risk.",
                "Accepted for the beta; revisit before general availability.",
                "Risk accepted by the service owner until the migration finishes."])
        if st == "Transferred":
            t["accept_reason"] = "Transferred to the platform team, who own the shared ingress."
        threats.append(t)
    # Mitigation ids (shared or own)
    mitigations = []
    for t in threats:
        same = [m for m in mitigations if m["lead"] == t["letters"][0]]
        if same and r.random() < 0.3:
            t["mit_ref"] = r.choice(same)["id"]
        else:
            m = {"id": mit_style.format(len(mitigations) + 1), "text": t["mit_text"], "lead": t["letters"][0]}
            mitigations.append(m)
            t["mit_ref"] = m["id"]
    if "unmitigated_threat" in gaps:
        t = r.choice(threats)
        t["mit_ref"] = None
        t["mit_text"] = ""
        t["status"] = r.choice(["Open", "", "In progress"])
        if r.random() < 0.5:
            t["sev"] = "High"
            t["ticket"] = ""
    if "unlisted_target" in gaps and unlisted:
        t = r.choice(threats)
        t["targets"] = [r.choice(unlisted).label]
    if "unknown_category" in gaps:
        t = r.choice(threats)
        t["cats"] = t["cats"] + [r.choice(UNKNOWN_CATEGORIES)]
    if "missing_severity" in gaps:
        t = r.choice(threats)
        t["sev"] = r.choice(["", "", "Med", "P2"])
    if "thin_threat" in gaps:
        t = r.choice(threats)
        t["desc"] = r.choice(["Token replay.", "DoS on the API.", "Data leak via logs.", "Spoofed partner."])
    if "duplicate_id" in gaps and len(threats) > 3:
        threats[-1]["id"] = threats[1]["id"]
    placeholder_at = None
    if "placeholder" in gaps:
        placeholder_at = r.choice(["scope", "mitigation", "ticket", "asset", "threat"])
        if placeholder_at == "mitigation" and mitigations:
            r.choice(mitigations)["text"] = r.choice(["<mitigation>", "TBD", "TODO: describe the control"])
        elif placeholder_at == "ticket":
            r.choice(threats)["ticket"] = "TBD"
        elif placeholder_at == "asset":
            r.choice(assets)["desc_placeholder"] = True
        elif placeholder_at == "threat":
            r.choice(threats)["desc"] = "<who can do what, leading to what>"
    malformed = None
    if "malformed_table" in gaps:
        malformed = r.choice(["short_row", "extra_cell", "no_delimiter", "blank_line"])

    # ---- assemble sections
    tm_title = r.choice([
        "Threat model", "Threat Model", "Threat Model (STRIDE)", "Security considerations",
        "Threat modeling", "Security and privacy", "Threat analysis", f"{title} — Threat Model (STRIDE-based)",
        "Security", "Threat modelling",
    ])
    numbered = r.random() < 0.2
    diagram_in_tm = r.random() < 0.4 and shape != "none"

    parts: list[str] = []
    parts.append("---\n" + "\n".join(fm) + "\n---\n")
    parts.append(f"# {title}\n")
    if r.random() < 0.15:
        parts.append("<!-- toc -->\n- [Summary](#summary)\n- [Motivation](#motivation)\n- [Design](#design)\n- [Threat model](#threat-model)\n<!-- /toc -->\n")

    # Prose slots to be padded to the target size: (index in parts, names).
    slots: list[int] = []

    def sec(level: int, text: str, num: str | None = None):
        h = "#" * level
        if numbered and num:
            text = f"{num} {text}"
        parts.append(f"{h} {text}\n")

    cx.plen = (1, 3) if target < 5000 else (2, 5) if target < 12000 else (2, 7)

    def opt(p: float) -> bool:
        return r.random() < p * (0.15 + 0.85 * richness)

    sec(2, r.choice(["Summary", "Overview", "Context"]), "1.")
    parts.append(cx.paragraph(names) + "\n")
    slots.append(len(parts) - 1)
    tiny = target < 3500
    if not tiny:
        sec(2, r.choice(["Motivation", "Background", "Problem statement"]), "2.")
        parts.append(cx.paragraph(names) + "\n")
        slots.append(len(parts) - 1)
        sec(3, "Goals")
        parts.append(cx.bullets(names, r.randint(1, 2 + round(3 * richness))) + "\n")
    if opt(1.0):
        sec(3, r.choice(["Non-goals", "Non-Goals", "Out of scope for this proposal"]))
        parts.append(cx.bullets(names, r.randint(1, 1 + round(3 * richness))) + "\n")
    design_heading = r.choice(["Design", "Architecture", "Proposal", "Design details"])
    sec(2, design_heading, "3.")
    parts.append(cx.paragraph(names) + "\n")
    slots.append(len(parts) - 1)
    if not diagram_in_tm:
        if design_heading in ("Proposal", "Design details"):
            sec(3, "Architecture")
        parts.append(diagram + "\n")
    if opt(0.6):
        sec(3, r.choice(["API", "Data model", "Configuration", "Storage layout"]))
        parts.append(cx.paragraph(names) + "\n")
        lang = r.choice(["yaml", "json", "go", "protobuf", "sql"])
        parts.append(code_block(r, lang, domain) + "\n")
        slots.append(len(parts) - 2)
    if opt(0.5):
        sec(3, r.choice(["Capacity estimates", "Rollout plan", "Failure modes"]))
        rows = [[f"{r.choice(DOMAINS)} {r.choice(['reads', 'writes', 'events', 'jobs'])}", f"{r.randint(1, 900)}/s", f"{r.randint(1, 40)} GB/day", r.choice(["p50 4 ms", "p99 80 ms", "n/a"])] for _ in range(r.randint(2, 6))]
        parts.append(table(["Workload", "Rate", "Volume", "Latency"], rows, r) + "\n")
    if opt(1.0):
        sec(3, r.choice(["Risks and mitigations", "Operational concerns", "Migration"]))
        parts.append(cx.paragraph(names) + "\n")
        slots.append(len(parts) - 1)
    if not tiny:
        sec(2, r.choice(["Alternatives considered", "Alternatives"]), "4.")
        for _ in range(r.randint(1, 1 + round(2 * richness))):
            parts.append(f"**{r.choice(ADJECTIVES).capitalize()} {r.choice(DOMAINS).lower()} {r.choice(PROCESS_KINDS)}.** " + cx.paragraph(names) + "\n")
            slots.append(len(parts) - 1)

    if shape != "none":
        sec(2, tm_title, "5.")
        if review_in_body:
            parts.append(f"Last reviewed: {reviewed.isoformat()}\n")
        sec(3, r.choice(["Scope", "In scope", "Scope and assumptions", "What are we building?"]), "5.1")
        if placeholder_at == "scope":
            parts.append(r.choice(["<describe the scope>", "TBD", "TODO: scope"]) + "\n")
        else:
            parts.append(wrap(f"In scope: {', '.join(n.label for n in (procs + stores)[:6])}. Out of scope: "
                              f"{', '.join(n.label for n in nodes if n.kind == 'external')[:200]}, which have their own designs.", 90) + "\n")
        if diagram_in_tm:
            sec(3, r.choice(["Data flow", "Data flow diagram", "DFD", "Trust boundaries"]), "5.2")
            parts.append(diagram + "\n")
        sec(3, r.choice(["Assets", "Asset inventory", "What are we protecting?", "Data assets"]), "5.3")
        parts.append(render_assets(r, assets, malformed if shape != "table" else None) + "\n")
        parts.append(render_threats(r, shape, threats, mitigations, na_letters, "unjustified_not_applicable" in gaps, malformed, numbered))
        if shape in ("table", "list") or r.random() < 0.2:
            sec(3, r.choice(["Mitigations", "Countermeasures", "Controls", "What are we going to do about it?"]), "5.5")
            parts.append(render_mitigations(r, mitigations) + "\n")
        if r.random() < (0.2 if tiny else 0.7):
            sec(3, r.choice(["Review", "Sign-off", "Did we do a good enough job?", "Validation"]), "5.6")
            parts.append(f"Reviewed with the {team_word} team on {reviewed.isoformat()}." + (" The security champion walked through the diagram." if r.random() < 0.5 else "") + "\n")

    if opt(1.0):
        sec(2, r.choice(["Open questions", "Implementation history", "Rollout"]), "6.")
        parts.append(cx.bullets(names, r.randint(1, 4)) + "\n")
        slots.append(len(parts) - 1)

    # ---- pad prose to the target size
    size = sum(len(p.encode()) + 1 for p in parts)
    while size < target:
        i = r.choice(slots)
        para = cx.paragraph(names)
        if size + len(para.encode()) + 2 > MAX_BYTES:
            break
        parts[i] = parts[i] + "\n" + para + "\n"
        size += len(para.encode()) + 2
    text = "\n".join(parts)
    if not text.endswith("\n"):
        text += "\n"
    return text, {
        "shape": shape,
        "target_bytes": target,
        "threats": 0 if shape == "none" else len(threats),
        "nodes": len(nodes),
        "boundaries": len(boundaries),
        "sensitive_prose": sensitive,
        "dropped_categories": dropped,
        "not_applicable": na_letters,
        "malformed": malformed,
        "placeholder": placeholder_at,
        "gaps": gaps,
        "title": title,
    }


def code_block(r: random.Random, lang: str, domain: str) -> str:
    d = slugify(domain).replace("-", "_")
    if lang == "yaml":
        body = f"{d}:\n  replicas: {r.randint(2, 12)}\n  batch_size: {r.choice([100, 500, 1000])}\n  retry:\n    max_attempts: {r.randint(3, 8)}\n    backoff: exponential\n  feature_flags:\n    - {d}_v2\n"
    elif lang == "json":
        body = json.dumps({"id": f"{d}-123", "tenant": "t-42", "status": "pending", "attempts": r.randint(0, 5), "created_at": "2026-01-02T03:04:05Z"}, indent=2) + "\n"
    elif lang == "go":
        name = "".join(w.capitalize() for w in d.split("_"))
        body = f"type {name}Request struct {{\n\tTenantID string `json:\"tenant_id\"`\n\tLimit    int    `json:\"limit\"`\n\tCursor   string `json:\"cursor,omitempty\"`\n}}\n"
    elif lang == "protobuf":
        name = "".join(w.capitalize() for w in d.split("_"))
        body = f"message {name}Event {{\n  string tenant_id = 1;\n  string {d}_id = 2;\n  int64 version = 3;\n  google.protobuf.Timestamp at = 4;\n}}\n"
    else:
        body = f"CREATE TABLE {d}s (\n  id UUID PRIMARY KEY,\n  tenant_id UUID NOT NULL,\n  payload JSONB NOT NULL,\n  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n"
    return f"```{lang}\n{body}```"


def render_assets(r: random.Random, assets, malformed) -> str:
    if r.random() < 0.55:
        hdr = r.choice([["ID", "Asset", "Type", "Classification"], ["ID", "Name", "Kind", "Sensitivity"],
                        ["Id", "Asset name", "Type", "Data classification", "Description"]])
        rows = []
        for a in assets:
            aid = assets[1]["id"] if a.get("dup") else a["id"]
            row = [aid, "<asset name>" if a.get("desc_placeholder") else a["name"], a["kind"], a["cls"]]
            if len(hdr) == 5:
                row.append(f"{r.choice(ADJECTIVES).capitalize()} {a['kind']} used by the {r.choice(DOMAINS).lower()} flow")
            rows.append(row)
        return table(hdr, rows, r, malformed)
    lines = []
    for a in assets:
        aid = assets[1]["id"] if a.get("dup") else a["id"]
        name = "<asset name>" if a.get("desc_placeholder") else a["name"]
        cls = f" ({a['cls']})" if a["cls"] else ""
        form = r.random()
        if form < 0.5:
            lines.append(f"- {aid} **{name}**{cls} — {r.choice(['holds', 'carries', 'produces'])} {r.choice(OBJECTS)}.")
        elif form < 0.75:
            lines.append(f"- {aid} `{name}`{cls} — {r.choice(ADJECTIVES)} {a['kind']}.")
        else:
            lines.append(f"- {aid} {name}{cls}: {r.choice(['the only writer of', 'reads', 'stores'])} {r.choice(OBJECTS)}.")
    return "\n".join(lines)


def mit_cell(t) -> str:
    if t["mit_ref"] is None:
        return ""
    return t["mit_ref"]


def render_threats(r, shape, threats, mitigations, na_letters, unjustified_na, malformed, numbered) -> str:
    out = []
    thr_heading = r.choice(["Threats", "Threat list", "STRIDE analysis", "What can go wrong?", "Threat table"])
    na_lines = []
    for c in na_letters:
        name = dict((s[0], s[1]) for s in STRIDE)[c]
        reason = "n/a." if unjustified_na else NA_REASONS[c] + "."
        na_lines.append(f"- {name}: not applicable — {reason}")
    if shape == "table":
        out.append(f"### {'5.4 ' if numbered else ''}{thr_heading}\n")
        layout = r.choice([
            ["ID", "STRIDE", "Asset", "Threat", "Severity", "Mitigation", "Status", "Ticket"],
            ["#", "Category", "Target", "Description", "Risk", "Mitigations", "Status", "Jira"],
            ["ID", "Threat", "Category", "Component", "Severity", "Countermeasure", "Status"],
            ["Threat ID", "STRIDE", "Affects", "Scenario", "Rating", "Control", "Ticket"],
        ])
        rows = []
        for t in threats:
            cells = {
                "id": t["id"], "cat": r.choice([", ", "/", ", "]).join(t["cats"]),
                "tgt": ", ".join(t["targets"]), "desc": t["desc"], "sev": t["sev"],
                "mit": mit_cell(t), "status": t["status"], "ticket": t["ticket"],
            }
            if t.get("accept_reason"):
                cells["desc"] += " " + t["accept_reason"]
            row = []
            for h in layout:
                k = {"ID": "id", "#": "id", "Threat ID": "id", "STRIDE": "cat", "Category": "cat",
                     "Asset": "tgt", "Target": "tgt", "Component": "tgt", "Affects": "tgt",
                     "Threat": "desc", "Description": "desc", "Scenario": "desc",
                     "Severity": "sev", "Risk": "sev", "Rating": "sev",
                     "Mitigation": "mit", "Mitigations": "mit", "Countermeasure": "mit", "Control": "mit",
                     "Status": "status", "Ticket": "ticket", "Jira": "ticket"}[h]
                row.append(cells[k])
            if "Ticket" not in layout and "Jira" not in layout and t["ticket"] and row:
                # ticket goes into the status cell when there is no ticket column
                si = layout.index("Status")
                row[si] = (row[si] + f" ({t['ticket']})").strip()
            rows.append(row)
        out.append(table(layout, rows, r, malformed) + "\n")
        if na_lines:
            out.append("\n".join(na_lines) + "\n")
    elif shape == "list":
        out.append(f"### {'5.4 ' if numbered else ''}{thr_heading}\n")
        lines = []
        for t in threats:
            s = f"- **{t['id']}** [{', '.join(t['cats'])}]"
            if t["sev"]:
                s += f" ({t['sev']})"
            s += f" on {', '.join(t['targets'])} — {t['desc']}"
            if t.get("accept_reason"):
                s += " " + t["accept_reason"]
            if t["mit_ref"]:
                s += f" Mitigation: {t['mit_ref']}."
            if t["status"]:
                s += f" Status: {t['status']}."
            if t["ticket"]:
                s += f" Ticket: {t['ticket']}."
            lines.append(s)
        out.append("\n".join(lines) + "\n")
        if na_lines:
            out.append("\n".join(na_lines) + "\n")
    else:  # heading form
        under_threats = r.random() < 0.4
        lvl = 4 if under_threats else 3
        if under_threats:
            out.append(f"### {'5.4 ' if numbered else ''}{thr_heading}\n")
        groups: dict[tuple, list] = {}
        for t in threats:
            groups.setdefault(tuple(t["letters"]), []).append(t)
        names = dict((s[0], s[1]) for s in STRIDE)
        for key in sorted(groups, key=lambda k: ("STRIDE".index(k[0]), len(k))):
            if len(key) == 1:
                head = r.choice(CAT_HEADING[key[0]])
            else:
                head = r.choice([" and ", " & ", ", "]).join(names[c] for c in key)
            out.append(f"{'#' * lvl} {head}\n")
            for t in groups[key]:
                sev = f" ({t['sev']})" if t["sev"] and r.random() < 0.7 else ""
                out.append(f"{'#' * (lvl + 1)} {t['id']} {t['title']}{sev}\n")
                out.append(wrap(t["desc"], 90) + "\n")
                fields = []
                if t["sev"] and not sev:
                    fields.append(f"Severity: {t['sev']}")
                fields.append(f"Assets: {', '.join(t['targets'])}")
                extra = [c for c in t["cats"] if c not in sum((CAT_SHORT[x] for x in "STRIDE"), [])]
                if extra:
                    fields.append(f"Category: {', '.join(t['cats'])}")
                if t["status"]:
                    fields.append(f"Status: {t['status']}")
                if t["ticket"]:
                    fields.append(f"Ticket: {t['ticket']}")
                out.append("\n".join(fields) + "\n")
                if t.get("accept_reason"):
                    out.append(t["accept_reason"] + "\n")
                if t["mit_ref"]:
                    text = next((m["text"] for m in mitigations if m["id"] == t["mit_ref"]), t["mit_text"])
                    if r.random() < 0.8:
                        out.append(wrap(f"Mitigations: {text}", 90) + "\n")
                    else:
                        out.append(f"{'#' * (lvl + 2)} Mitigations\n")
                        out.append(f"- {text}\n")
        if na_lines:
            out.append("\n".join(na_lines) + "\n")
    return "\n".join(out)


def render_mitigations(r: random.Random, mitigations) -> str:
    if r.random() < 0.8:
        return "\n".join(f"- {m['id']}: {m['text']}" for m in mitigations)
    rows = [[m["id"], m["text"], r.choice(["done", "planned", "in progress"])] for m in mitigations]
    return table(["ID", "Mitigation", "State"], rows, r)


# ---------------------------------------------------------------- READMEs


def make_readme(index: int, seed: int):
    r = random.Random(f"threatmark-bench/{seed}/readme/{index}")
    cx = Ctx(r, r.random() < 0.3)
    svc = f"{r.choice(DOMAINS)} {r.choice(PROCESS_KINDS)}"
    names = [svc]
    target = int(math.exp(r.uniform(math.log(1024), math.log(16 * 1024))))
    parts = [f"# {svc}\n", cx.paragraph(names) + "\n"]
    slots = [1]
    parts.append("## Getting started\n")
    d = slugify(svc)
    parts.append(f"```bash\nmake build\n./bin/{d} --config config/dev.yaml\n```\n")
    parts.append("## Configuration\n")
    rows = [[f"`{d.replace('-', '_')}_{k}`", r.choice(["string", "int", "bool", "duration"]), r.choice(["`30s`", "`8`", "`true`", "—"]), cx.sentence(names)] for k in r.sample(["port", "workers", "timeout", "region", "log_level", "batch", "cache_ttl"], 4)]
    parts.append(table(["Key", "Type", "Default", "Meaning"], rows, r) + "\n")
    parts.append("## Operations\n")
    parts.append(cx.paragraph(names) + "\n")
    slots.append(len(parts) - 1)
    if r.random() < 0.4:
        # A bare "Security" section, as many READMEs have: must not make it a design doc.
        parts.append("## Security\n")
        parts.append("Report vulnerabilities to the security team; do not open a public issue.\n")
    parts.append("## Contributing\n")
    parts.append(cx.bullets(names, 3) + "\n")
    size = sum(len(p.encode()) + 1 for p in parts)
    while size < target:
        i = r.choice(slots)
        para = cx.paragraph(names)
        parts[i] += "\n" + para + "\n"
        size += len(para.encode()) + 2
    return "\n".join(parts), d


# ---------------------------------------------------------------- main


def percentile(sorted_vals, q):
    if not sorted_vals:
        return 0
    k = min(len(sorted_vals) - 1, max(0, round(q * (len(sorted_vals) - 1))))
    return sorted_vals[k]


def generator_digest() -> str:
    with open(__file__, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory (emptied first if it holds a previous corpus)")
    ap.add_argument("--count", type=int, default=DEFAULT_COUNT, help=f"number of design docs (default {DEFAULT_COUNT})")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    ap.add_argument("--anchor", default=DEFAULT_ANCHOR, help=f"'today' for last_reviewed dates (default {DEFAULT_ANCHOR})")
    ap.add_argument("--readme-ratio", type=float, default=README_RATIO, help="non-design READMEs per design doc (default 0.1)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    anchor = dt.date.fromisoformat(args.anchor)
    if args.count < 1:
        ap.error("--count must be at least 1")

    out = args.out
    if os.path.exists(out):
        if os.listdir(out) and not os.path.exists(os.path.join(out, "manifest.json")):
            print(f"gen_corpus: refusing to overwrite {out}: not empty and not a generated corpus", file=sys.stderr)
            return 2
        shutil.rmtree(out)
    os.makedirs(out)

    files = []
    used_paths: set[str] = set()
    for i in range(args.count):
        team = i // DOCS_PER_TEAM
        text, meta = make_doc(i, args.seed, anchor, team)
        sub = random.Random(f"threatmark-bench/{args.seed}/path/{i}")
        layout = sub.random()
        team_dir = f"team-{team + 1:03d}"
        if layout < 0.7:
            rel_dir = f"{team_dir}/design"
        elif layout < 0.9:
            rel_dir = f"{team_dir}/design/{sub.choice(['2025', '2026', 'archive', 'proposals'])}"
        else:
            rel_dir = f"{team_dir}/services/{slugify(sub.choice(DOMAINS))}/design"
        slug = slugify(meta["title"])[:60].strip("-")
        rel = f"{rel_dir}/{slug}.md"
        k = 2
        while rel in used_paths:
            rel = f"{rel_dir}/{slug}-{k}.md"
            k += 1
        used_paths.add(rel)
        write(out, rel, text)
        files.append({"path": rel, "kind": "design", "bytes": len(text.encode()), **{k2: v for k2, v in meta.items() if k2 != "title"}})

    n_readmes = round(args.count * args.readme_ratio)
    for j in range(n_readmes):
        text, d = make_readme(j, args.seed)
        team_dir = f"team-{j * 10 // DOCS_PER_TEAM + 1:03d}"
        kind = j % 4
        if kind == 0:
            rel = f"{team_dir}/README.md" if f"{team_dir}/README.md" not in used_paths else f"{team_dir}/services/{d}/README.md"
        elif kind == 1:
            rel = f"{team_dir}/services/{d}/README.md"
        elif kind == 2:
            rel = f"{team_dir}/runbooks/{d}.md"
        else:
            rel = f"{team_dir}/docs/{d}-notes.md"
        k = 2
        base = rel
        while rel in used_paths:
            rel = base[:-3] + f"-{k}.md"
            k += 1
        used_paths.add(rel)
        write(out, rel, text)
        files.append({"path": rel, "kind": "readme", "bytes": len(text.encode())})

    design = [f for f in files if f["kind"] == "design"]
    # One digest over every generated markdown file (sorted path, NUL, bytes, NUL), to
    # compare two corpora without diffing them.
    corpus_hash = hashlib.sha256()
    for rel in sorted(f["path"] for f in files):
        corpus_hash.update(rel.encode() + b"\0")
        with open(os.path.join(out, rel), "rb") as fh:
            corpus_hash.update(fh.read() + b"\0")
    buckets = [(2, 4), (4, 8), (8, 16), (16, 32), (32, 41)]
    sizes = sorted(f["bytes"] for f in design)
    gap_counts = {g: sum(1 for f in design if g in f["gaps"]) for g in GAP_RATES}
    shapes = {s: sum(1 for f in design if f["shape"] == s) for s in ("table", "heading", "list", "none")}
    total = sum(f["bytes"] for f in files)
    summary = {
        "generator_version": GENERATOR_VERSION,
        "generator_sha256_16": generator_digest(),
        "seed": args.seed,
        "count": args.count,
        "anchor": args.anchor,
        "files": len(files),
        "design_docs": len(design),
        "readmes": len(files) - len(design),
        "total_bytes": total,
        "design_bytes": sum(sizes),
        "design_size_bytes": {
            "min": sizes[0], "p10": percentile(sizes, 0.1), "p25": percentile(sizes, 0.25),
            "median": percentile(sizes, 0.5), "p75": percentile(sizes, 0.75),
            "p90": percentile(sizes, 0.9), "max": sizes[-1], "mean": round(sum(sizes) / len(sizes)),
        },
        "design_size_histogram_kib": {
            f"{lo}-{min(hi, 40)}": sum(1 for b in sizes if lo * 1024 <= b < hi * 1024) for lo, hi in buckets
        },
        "corpus_sha256": corpus_hash.hexdigest(),
        "shapes": shapes,
        "threats_total": sum(f["threats"] for f in design),
        "diagram_nodes_total": sum(f["nodes"] for f in design),
        "gaps": gap_counts,
        "gap_rates": GAP_RATES,
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump({"summary": summary, "files": files}, f, indent=1, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    if not args.quiet:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


def write(out: str, rel: str, text: str):
    path = os.path.join(out, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    sys.exit(main())
