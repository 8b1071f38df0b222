//! Data-driven rule tests. Each rule has `fixtures/rules/<code>/invalid/*.md` (must
//! trigger the rule; the rendered findings are snapshotted) and `valid/*.md` (must not).
//! A fixture may pin its expectations inline with `<!-- expect: TM020 repudiation -->`
//! comments: each names a code and optionally a word that must appear in the finding's
//! data or message. Every fix of a snapshotted finding is applied and must clear it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use threatmark_engine::config::Config;
use threatmark_engine::{Analysis, Finding, Source, analyze};

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 23)
}

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

fn md_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "md"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// A fixture's text and file name.
fn read_fixture(path: &Path) -> (String, String) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("x.md")
        .to_string();
    (text, name)
}

/// Fixtures are analysed as if they lived under `design/`, so they are design docs.
fn run(text: &str, name: &str, config: &Config) -> Analysis {
    analyze(
        Source {
            path: &format!("design/{name}"),
            text,
        },
        config,
        today(),
    )
}

/// A `.threatmark.toml` beside the fixture (same stem) configures it.
fn config_for(path: &Path) -> Config {
    let toml_path = path.with_extension("toml");
    match std::fs::read_to_string(&toml_path) {
        Ok(t) => match Config::from_toml(&t) {
            Ok((c, _)) => c,
            Err(e) => panic!("{}: bad config {e:?}", toml_path.display()),
        },
        Err(_) => Config::default(),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn render(text: &str, findings: &[&Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let (l1, c1) = line_col(text, f.range.start);
        let (l2, c2) = line_col(text, f.range.end);
        let _ = writeln!(
            out,
            "{}[{}] {} {l1}:{c1}-{l2}:{c2}",
            f.level.as_str(),
            f.code,
            f.name
        );
        let _ = writeln!(out, "  message: {}", f.message);
        let _ = writeln!(out, "  source: {:?}", f.range.slice(text));
        let data = serde_json::to_string(&f.data).unwrap_or_default();
        if data != "{}" {
            let _ = writeln!(out, "  data: {data}");
        }
        for fix in &f.fixes {
            let _ = writeln!(out, "  fix ({:?}): {}", fix.applicability, fix.title);
            for e in &fix.edits {
                let (l, c) = line_col(text, e.range.start);
                let _ = writeln!(
                    out,
                    "    at {l}:{c} replace {:?} with {:?}",
                    e.range.slice(text),
                    e.new_text
                );
            }
        }
    }
    out
}

fn apply(text: &str, fix: &threatmark_engine::Fix) -> String {
    let mut edits = fix.edits.clone();
    edits.sort_by_key(|e| std::cmp::Reverse(e.range.start));
    let mut out = text.to_string();
    for e in edits {
        out.replace_range(e.range.start..e.range.end, &e.new_text);
    }
    out
}

fn key(f: &Finding) -> String {
    format!(
        "{}{}",
        f.code,
        serde_json::to_string(&f.data).unwrap_or_default()
    )
}

/// Whether `f` is the finding an `expect` comment names: its code, and the word (when
/// given) in its data or message.
fn is_expected(f: &Finding, code: &str, word: &Option<String>) -> bool {
    f.code == code
        && word.as_ref().is_none_or(|w| {
            key(f).to_lowercase().contains(w) || f.message.to_lowercase().contains(w)
        })
}

fn expectations(text: &str) -> Vec<(String, Option<String>)> {
    marked(text, "<!-- expect:")
}

/// The `<!-- MARKER CODE [word] -->` comments of a fixture.
fn marked(text: &str, marker: &str) -> Vec<(String, Option<String>)> {
    text.match_indices(marker)
        .filter_map(|(i, _)| {
            let rest = &text[i + marker.len()..];
            let body = &rest[..rest.find("-->")?];
            let mut words = body.split_whitespace();
            let code = words.next()?.to_string();
            Some((code, words.next().map(str::to_lowercase)))
        })
        .collect()
}

#[test]
fn every_rule_fixture() {
    let root = fixtures_root();
    let mut rule_dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    rule_dirs.sort();
    let mut failures = Vec::new();
    let mut snapshots = BTreeMap::new();
    for dir in &rule_dirs {
        let code = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_uppercase();
        for path in md_files(&dir.join("invalid")) {
            let (text, name) = read_fixture(&path);
            let config = config_for(&path);
            let analysis = run(&text, &name, &config);
            let mine: Vec<&Finding> = analysis
                .findings
                .iter()
                .filter(|f| f.code == code)
                .collect();
            if mine.is_empty() {
                failures.push(format!(
                    "{}: expected {code}, got {:?}",
                    path.display(),
                    analysis.findings.iter().map(|f| f.code).collect::<Vec<_>>()
                ));
                continue;
            }
            for (want, word) in expectations(&text) {
                let hit = analysis
                    .findings
                    .iter()
                    .any(|f| is_expected(f, &want, &word));
                if !hit {
                    failures.push(format!(
                        "{}: expect {want} {word:?} not found",
                        path.display()
                    ));
                }
            }
            for f in &mine {
                for fix in &f.fixes {
                    let fixed = apply(&text, fix);
                    let after = run(&fixed, &name, &config);
                    let before_n = analysis
                        .findings
                        .iter()
                        .filter(|g| key(g) == key(f))
                        .count();
                    let after_n = after.findings.iter().filter(|g| key(g) == key(f)).count();
                    if after_n >= before_n {
                        failures.push(format!(
                            "{}: fix {:?} did not clear {}",
                            path.display(),
                            fix.title,
                            key(f)
                        ));
                    }
                }
            }
            let stem = path.file_stem().and_then(|n| n.to_str()).unwrap_or("x");
            snapshots.insert(
                format!("{}__{stem}", code.to_lowercase()),
                render(&text, &mine),
            );
        }
        for path in md_files(&dir.join("valid")) {
            let (text, name) = read_fixture(&path);
            let analysis = run(&text, &name, &config_for(&path));
            let mine: Vec<&Finding> = analysis
                .findings
                .iter()
                .filter(|f| f.code == code)
                .collect();
            if !mine.is_empty() {
                failures.push(format!(
                    "{}: expected no {code}, got:\n{}",
                    path.display(),
                    render(&text, &mine)
                ));
            }
        }
    }
    for (name, rendered) in &snapshots {
        insta::with_settings!({ snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name.as_str(), rendered);
        });
    }
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_registered_rule_has_fixtures() {
    let root = fixtures_root();
    // TM092 is about a file over 16 MiB: its test builds one in memory
    // (`tm092_document_too_large::tests`) instead of keeping one in the repository.
    const GENERATED: &[&str] = &["TM092"];
    let mut missing = Vec::new();
    for rule in threatmark_engine::rules::RULES
        .iter()
        .filter(|r| !GENERATED.contains(&r.meta.code))
    {
        let dir = root.join(rule.meta.code.to_lowercase());
        if md_files(&dir.join("invalid")).is_empty() || md_files(&dir.join("valid")).is_empty() {
            missing.push(rule.meta.code);
        }
    }
    assert!(
        missing.is_empty(),
        "rules without valid/ and invalid/ fixtures: {missing:?}"
    );
}

/// The three complete design docs of `shared/examples` and ours must be clean at warning
/// level and above (SPEC §5).
#[test]
fn complete_examples_have_no_warnings() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        manifest.join("../../examples"),
        manifest.join("../../../shared/examples"),
    ];
    let mut checked = 0;
    for dir in dirs {
        for path in md_files(&dir) {
            let (text, name) = read_fixture(&path);
            if name.contains("billing") {
                continue;
            }
            let analysis = run(&text, &name, &Config::default());
            assert!(
                analysis.design_doc,
                "{} is not a design doc",
                path.display()
            );
            let loud: Vec<&Finding> = analysis
                .findings
                .iter()
                .filter(|f| f.level >= threatmark_engine::Level::Warning)
                .collect();
            assert!(
                loud.is_empty(),
                "{}:\n{}",
                path.display(),
                render(&text, &loud)
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 3,
        "expected the shared examples, found {checked}"
    );
}

/// Paraphrased reproductions of real open-source STRIDE threat models
/// (`fixtures/real_shapes`, one shape each, named in its first line): they must read as
/// their authors meant. `<!-- expect: CODE word -->` must fire, `<!-- expect-none: CODE
/// word -->` must not (the word, when given, narrows to findings whose data or message
/// holds it).
#[test]
fn real_world_shapes_read_as_written() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real_shapes");
    let mut failures = Vec::new();
    let files = md_files(&dir);
    assert!(
        !files.is_empty(),
        "no real-shape fixtures in {}",
        dir.display()
    );
    for path in files {
        let (text, name) = read_fixture(&path);
        let analysis = run(&text, &name, &Config::default());
        let hits = |code: &str, word: &Option<String>| -> Vec<String> {
            analysis
                .findings
                .iter()
                .filter(|f| is_expected(f, code, word))
                .map(|f| format!("{} {}", key(f), f.message))
                .collect()
        };
        for (code, word) in marked(&text, "<!-- expect:") {
            if hits(&code, &word).is_empty() {
                failures.push(format!("{name}: expected {code} {word:?}"));
            }
        }
        for (code, word) in marked(&text, "<!-- expect-none:") {
            let found = hits(&code, &word);
            if !found.is_empty() {
                failures.push(format!(
                    "{name}: unexpected {code} {word:?}: {}",
                    found.join(" | ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} misreads:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
