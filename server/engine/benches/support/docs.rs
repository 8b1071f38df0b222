//! Generated design docs for the engine benchmarks (criterion `stages` and the `scaling`
//! example): one shape, three knobs (threat rows, diagram nodes, paragraphs), so that
//! each can be grown alone.

// Shared by the `stages` bench and the `scaling` example; each uses part of it.
#![allow(dead_code)]

use std::fmt::Write;

const CATEGORIES: [&str; 6] = [
    "Spoofing",
    "Tampering",
    "Repudiation",
    "Information disclosure",
    "Denial of service",
    "Elevation of privilege",
];
const SEVERITIES: [&str; 4] = ["Critical", "High", "Medium", "Low"];

/// A design doc with `paragraphs` prose paragraphs, a flowchart of `nodes` nodes (a
/// chain of processes inside a trust boundary, every fifth one a data store, an external
/// user outside), an asset table, `threats` threat rows and their mitigations.
pub fn design_doc(threats: usize, nodes: usize, paragraphs: usize) -> String {
    let nodes = nodes.max(2);
    let assets = (threats / 10).clamp(1, nodes);
    let mitigations = (threats / 3).max(1);
    let mut d = String::new();
    d.push_str("---\ntitle: Generated ledger platform\nowner: team-ledger\nstatus: in-review\nlast_reviewed: 2026-10-01\nsecurity_reviewer: dana\n---\n\n# Generated ledger platform\n\n## Overview\n\n");
    for i in 0..paragraphs {
        let _ = writeln!(
            d,
            "Paragraph {i}: the service keeps ledgers for tenants, signs every entry and exports them nightly to a bucket that the reporting job reads.\n"
        );
    }
    d.push_str("## Design\n\n```mermaid\nflowchart LR\n  user[/Tenant user/]\n  subgraph platform [Ledger platform]\n");
    for i in 1..=nodes {
        if i % 5 == 0 {
            let _ = writeln!(d, "    N{i}[(Store {i})]");
        } else {
            let _ = writeln!(d, "    N{i}[Service {i}]");
        }
    }
    d.push_str("  end\n  user -->|request| N1\n");
    for i in 1..nodes {
        let _ = writeln!(d, "  N{i} -->|calls| N{}", i + 1);
    }
    d.push_str("```\n\n## Threat model\n\n### Scope\n\nThe ledger platform, its services and its stores.\n\n### Assets\n\n| ID | Asset | Type | Classification |\n|----|-------|------|----------------|\n");
    for i in 1..=assets {
        let _ = writeln!(d, "| A{i} | Service {i} | process | confidential |");
    }
    d.push_str("\n### Threats\n\n| ID | STRIDE | Asset | Threat | Severity | Mitigation | Status |\n|----|--------|-------|--------|----------|------------|--------|\n");
    for i in 1..=threats {
        let _ = writeln!(
            d,
            "| T{i} | {} | A{} | An attacker with network access tampers with the records of service {} and hides it from the tenant | {} | M{} | Mitigated |",
            CATEGORIES[i % 6],
            i % assets + 1,
            i % assets + 1,
            SEVERITIES[i % 4],
            i % mitigations + 1,
        );
    }
    d.push_str("\n### Mitigations\n\n");
    for i in 1..=mitigations {
        let _ = writeln!(
            d,
            "- M{i}: Records are signed and every change is logged with the caller's identity."
        );
    }
    d.push_str("\n### Review\n\nWalked through with the ledger team.\n");
    d
}

/// About 3,000 lines and 150 KB, the size of the language-server goal.
pub fn large_design_doc() -> String {
    design_doc(1_200, 60, 500)
}
