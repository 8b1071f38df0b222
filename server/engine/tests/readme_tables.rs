//! The README's rule and configuration tables are generated from the rule registry and
//! `CONFIG_KEYS`. This test fails when they are stale; `UPDATE_README=1 cargo test -p
//! threatmark-engine --test readme_tables` rewrites them. It also checks that the
//! billing practice doc shipped in `examples/` is the one `threatmark init --example
//! billing` writes.

use std::path::PathBuf;
use threatmark_engine::config::CONFIG_KEYS;
use threatmark_engine::rules::RULES;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rule_table() -> String {
    let mut out = String::from("| Code | Name | Default level | Fires when |\n|---|---|---|---|\n");
    for r in RULES {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            r.meta.code,
            r.meta.name,
            r.meta.default_level.as_str(),
            r.meta.summary.replace('|', "\\|")
        ));
    }
    out
}

fn config_table() -> String {
    let mut out = String::from("| Key | Type | Default | What it does |\n|---|---|---|---|\n");
    for k in CONFIG_KEYS {
        let mut description = k
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !k.choices.is_empty() {
            description.push_str(&format!(
                " Values: {}.",
                k.choices
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {} |\n",
            k.key,
            k.kind.describe(),
            k.default.replace('|', "\\|"),
            description.replace('|', "\\|")
        ));
    }
    out
}

fn replace_between(text: &str, name: &str, body: &str) -> Option<String> {
    let start_marker = format!("<!-- generated:{name}:start -->\n");
    let end_marker = format!("<!-- generated:{name}:end -->");
    let start = text.find(&start_marker)? + start_marker.len();
    let end = text[start..].find(&end_marker)? + start;
    Some(format!("{}{body}{}", &text[..start], &text[end..]))
}

#[test]
fn readme_tables_are_current() {
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_default();
    let updated = replace_between(&readme, "rules", &rule_table())
        .and_then(|t| replace_between(&t, "config", &config_table()))
        .unwrap_or_else(|| {
            panic!("README.md lacks the generated:rules / generated:config markers")
        });
    if updated != readme {
        if std::env::var_os("UPDATE_README").is_some() {
            std::fs::write(&path, updated)
                .unwrap_or_else(|e| panic!("cannot write README.md: {e}"));
        } else {
            panic!(
                "README.md's generated tables are stale: run UPDATE_README=1 cargo test -p threatmark-engine --test readme_tables"
            );
        }
    }
}

#[test]
fn every_rule_has_docs_under_the_fixed_headings() {
    for r in RULES {
        for heading in [
            "## What it does",
            "## Why does it matter?",
            "## Example",
            "## How to fix",
        ] {
            assert!(
                r.meta.docs.contains(heading),
                "{} docs lack `{heading}`",
                r.meta.code
            );
        }
    }
}

#[test]
fn the_shipped_practice_doc_is_the_init_example() {
    let shipped = std::fs::read_to_string(repo().join("examples/design/billing-practice.md"))
        .unwrap_or_default();
    assert_eq!(shipped, threatmark_engine::knowledge::BILLING_EXAMPLE);
}
