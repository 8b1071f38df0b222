//! `threatmark check [PATH…]`: find the markdown files, analyse them in parallel, apply
//! safe fixes with `--fix`, print the findings in the chosen format, and exit 0, 1 or 2.
//!
//! Two parallel passes. The first reads and analyses every file on its own, and finds
//! the design docs that keep their threat model in a linked file (SPEC §3). The second
//! analyses those pairs together, and, with `--fix`, fixes the files that have a safe
//! fix; every other file keeps its first-pass record. Only the records (positions,
//! messages, the lines to show) outlive a file's analysis, never its `Document`.

use super::{CheckArgs, CliError, ExitStatus, Format};
use crate::output::{self, HumanOptions};
use crate::record::FileReport;
use crate::walk::{self, Target};
use crate::workspace::{self, Workspace};
use crate::{atomic, link, message, today};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use threatmark_engine::analysis::analyze_linked;
use threatmark_engine::{Analysis, Applicability, Source, analyze, fix};

/// The UTF-8 byte order mark. The engine sees the text without it (front matter must
/// start at offset 0); a fix writes it back.
const BOM: &str = "\u{feff}";

/// What the check of one run needs besides the file.
struct Env<'a> {
    ws: &'a Workspace,
    cwd: &'a Path,
    today: jiff::civil::Date,
    fix: bool,
}

/// A file as read from disk.
struct Loaded {
    bytes: Vec<u8>,
    /// Without a byte order mark; invalid UTF-8 replaced.
    text: String,
    bom: bool,
    /// Invalid UTF-8 was replaced: such a text is never fixed, since writing it back
    /// would destroy the bytes.
    lossy: bool,
}

/// The first pass over one file.
struct Surveyed {
    target: Target,
    report: FileReport,
    /// Its threat model's file, for a design doc that keeps it in another file.
    linked: Option<Target>,
    /// Whether `--fix` has something to do in it.
    fixable: bool,
    /// For stderr, printed in path order once the pass is over.
    warnings: Vec<String>,
}

/// The final record of one file, and how many fixes were written to it.
struct Checked {
    report: FileReport,
    fixed: usize,
}

/// What the second pass does with a file.
enum Job {
    Keep(FileReport),
    Fix(Target),
    /// A design doc and its linked threat model. `owns_threat_model` is false when an
    /// earlier design doc links the same file: that one reports and fixes it.
    Pair {
        design: Target,
        threat_model: Target,
        owns_threat_model: bool,
    },
}

pub fn run(args: CheckArgs) -> Result<ExitStatus, CliError> {
    let today = today::today()?;
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the current directory: {e}")))?;
    let ws = workspace::load(&cwd, args.config.as_deref())?;
    let env = Env {
        ws: &ws,
        cwd: &cwd,
        today,
        fix: args.fix,
    };
    if let Some(name) = &args.stdin_filename {
        return check_stdin(&args, name, &env);
    }
    let (targets, walk_errors) = walk::collect(&args.paths, &cwd, &ws.root)?;
    let mut failed = !walk_errors.is_empty();
    for error in walk_errors {
        message::error(error);
    }

    let surveyed: Vec<Result<Surveyed, String>> =
        targets.par_iter().map(|t| survey(t, &env)).collect();
    let mut ok = Vec::with_capacity(surveyed.len());
    for result in surveyed {
        match result {
            Ok(mut s) => {
                for w in std::mem::take(&mut s.warnings) {
                    message::warning(w);
                }
                ok.push(s);
            }
            Err(e) => {
                message::error(e);
                failed = true;
            }
        }
    }
    let jobs = plan(ok, &env);
    let results: Vec<Result<Vec<Checked>, String>> =
        jobs.into_par_iter().map(|job| work(job, &env)).collect();

    let mut checked = Vec::with_capacity(results.len());
    for result in results {
        match result {
            Ok(mut c) => checked.append(&mut c),
            Err(e) => {
                message::error(e);
                failed = true;
            }
        }
    }
    checked.sort_by(|a, b| Path::new(&a.report.path).cmp(Path::new(&b.report.path)));
    let fixed: usize = checked.iter().map(|c| c.fixed).sum();
    let fixed_files = checked.iter().filter(|c| c.fixed > 0).count();
    let reports: Vec<FileReport> = checked.into_iter().map(|c| c.report).collect();
    if args.fix {
        message::plain(fixed_message(fixed, fixed_files));
    }
    let options = HumanOptions {
        color: colored(&anstream::stdout()),
        fixed: args.fix,
    };
    if args.format == Format::Json {
        // Streamed: the JSON of a large corpus is hundreds of MB.
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        write_result(output::json::write(&reports, &mut out).and_then(|()| out.flush()))?;
    } else {
        write_stdout(args.format, &output::render(args.format, &reports, options))?;
    }
    Ok(if failed {
        ExitStatus::Error
    } else {
        status(&reports, &args)
    })
}

fn load(target: &Target) -> Result<Loaded, String> {
    let bytes = std::fs::read(&target.path).map_err(|e| format!("{}: {e}", target.display))?;
    let (text, bom, lossy) = decode(&bytes);
    Ok(Loaded {
        bytes,
        text,
        bom,
        lossy,
    })
}

fn analyze_one(target: &Target, text: &str, env: &Env<'_>) -> Analysis {
    analyze(
        Source {
            path: &target.engine_path,
            text,
        },
        &env.ws.config,
        env.today,
    )
}

/// The first pass: the file on its own.
fn survey(target: &Target, env: &Env<'_>) -> Result<Surveyed, String> {
    let loaded = load(target)?;
    let analysis = analyze_one(target, &loaded.text, env);
    let mut warnings = Vec::new();
    if loaded.lossy {
        let not_fixed = if env.fix && analysis.design_doc {
            "; not fixed"
        } else {
            ""
        };
        warnings.push(format!(
            "{}: not valid UTF-8; checked a copy with the invalid bytes replaced{not_fixed}",
            target.display
        ));
    }
    let linked = link::find(target, &analysis, env.cwd, &env.ws.root, &env.ws.config);
    let fixable = env.fix && !loaded.lossy && has_safe_fix(&analysis);
    let report = FileReport::new(target.display.clone(), &loaded.text, analysis);
    Ok(Surveyed {
        target: target.clone(),
        report,
        linked,
        fixable,
        warnings,
    })
}

fn has_safe_fix(analysis: &Analysis) -> bool {
    analysis
        .findings
        .iter()
        .flat_map(|f| &f.fixes)
        .any(|f| f.applicability == Applicability::Safe)
}

/// The second pass's jobs. A linked threat-model file belongs to the first design doc
/// (in path order) that links it: its first-pass record, made without the design doc's
/// diagram and front matter, is dropped, and it is fixed by that pair only.
fn plan(surveyed: Vec<Surveyed>, env: &Env<'_>) -> Vec<Job> {
    let key = |t: &Target| walk::normalize(&env.cwd.join(&t.path));
    let mut owner: HashMap<PathBuf, usize> = HashMap::new();
    for (i, s) in surveyed.iter().enumerate() {
        if let Some(tm) = &s.linked {
            owner.entry(key(tm)).or_insert(i);
        }
    }
    surveyed
        .into_iter()
        .enumerate()
        .filter_map(|(i, s)| match s.linked {
            Some(threat_model) => {
                let owns_threat_model = owner.get(&key(&threat_model)) == Some(&i);
                Some(Job::Pair {
                    design: s.target,
                    threat_model,
                    owns_threat_model,
                })
            }
            None if owner.contains_key(&key(&s.target)) => None,
            None if s.fixable => Some(Job::Fix(s.target)),
            None => Some(Job::Keep(s.report)),
        })
        .collect()
}

fn work(job: Job, env: &Env<'_>) -> Result<Vec<Checked>, String> {
    match job {
        Job::Keep(report) => Ok(vec![Checked { report, fixed: 0 }]),
        Job::Fix(target) => fix_file(&target, env).map(|c| vec![c]),
        Job::Pair {
            design,
            threat_model,
            owns_threat_model,
        } => check_pair(&design, &threat_model, owns_threat_model, env),
    }
}

/// `--fix` on one file: rounds of safe fixes, then the file replaced atomically.
fn fix_file(target: &Target, env: &Env<'_>) -> Result<Checked, String> {
    let loaded = load(target)?;
    let first = analyze_one(target, &loaded.text, env);
    if loaded.lossy {
        return Ok(Checked {
            report: FileReport::new(target.display.clone(), &loaded.text, first),
            fixed: 0,
        });
    }
    let (text, analysis, applied) = fix::fix_all(
        loaded.text.clone(),
        first,
        |a: &Analysis| &a.findings,
        |t| analyze_one(target, t, env),
    );
    let fixed = write_fixed(target, &loaded, &text, applied)?;
    Ok(Checked {
        report: FileReport::new(target.display.clone(), &text, analysis),
        fixed,
    })
}

/// Writes a fixed text back (with its byte order mark); the number of fixes written.
fn write_fixed(
    target: &Target,
    loaded: &Loaded,
    text: &str,
    applied: usize,
) -> Result<usize, String> {
    if applied == 0 || text == loaded.text {
        return Ok(0);
    }
    let mut out = Vec::with_capacity(text.len() + BOM.len());
    if loaded.bom {
        out.extend_from_slice(BOM.as_bytes());
    }
    out.extend_from_slice(text.as_bytes());
    atomic::replace(&target.path, &loaded.bytes, &out)
        .map_err(|e| format!("{}: not fixed: {e}", target.display))?;
    Ok(applied)
}

/// A design doc and the threat model it keeps in a linked file, analysed together (and
/// fixed together with `--fix`: a round fixes both texts, then both are analysed again).
fn check_pair(
    design: &Target,
    tm: &Target,
    owns_tm: bool,
    env: &Env<'_>,
) -> Result<Vec<Checked>, String> {
    let d = load(design)?;
    let t = load(tm)?;
    let pair = |dt: &str, tt: &str| {
        analyze_linked(
            Source {
                path: &design.engine_path,
                text: dt,
            },
            Source {
                path: &tm.engine_path,
                text: tt,
            },
            &env.ws.config,
            env.today,
        )
    };
    let (mut d_text, mut t_text) = (d.text.clone(), t.text.clone());
    let (mut da, mut ta) = pair(&d_text, &t_text);
    let (mut d_fixed, mut t_fixed) = (0, 0);
    let fix_design = env.fix && !d.lossy;
    let fix_tm = env.fix && owns_tm && !t.lossy;
    if fix_design || fix_tm {
        for _ in 0..fix::MAX_ROUNDS {
            let d_round = if fix_design {
                fix::apply_round(&d_text, &da.findings)
            } else {
                None
            };
            let t_round = if fix_tm {
                fix::apply_round(&t_text, &ta.findings)
            } else {
                None
            };
            if d_round.is_none() && t_round.is_none() {
                break;
            }
            if let Some((text, n)) = d_round {
                d_text = text;
                d_fixed += n;
            }
            if let Some((text, n)) = t_round {
                t_text = text;
                t_fixed += n;
            }
            (da, ta) = pair(&d_text, &t_text);
        }
    }
    let d_fixed = write_fixed(design, &d, &d_text, d_fixed)?;
    let t_fixed = write_fixed(tm, &t, &t_text, t_fixed)?;
    let mut out = vec![Checked {
        report: FileReport::new(design.display.clone(), &d_text, da),
        fixed: d_fixed,
    }];
    if owns_tm {
        out.push(Checked {
            report: FileReport::new(tm.display.clone(), &t_text, ta),
            fixed: t_fixed,
        });
    }
    Ok(out)
}

/// `--stdin-filename NAME`: one document from stdin, treated as if it were at NAME. With
/// `--fix` the (fixed) text goes to stdout and the findings to stderr, as ruff does, so
/// an editor can pipe a buffer through it. A threat model it links to is read from disk
/// (so the doc gets no missing-threat-model finding) but neither reported nor fixed.
fn check_stdin(args: &CheckArgs, name: &Path, env: &Env<'_>) -> Result<ExitStatus, CliError> {
    if args.paths.iter().any(|p| p != Path::new(".")) {
        message::warning(
            "ignoring the PATH arguments: --stdin-filename reads the document from stdin",
        );
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::new(format!("cannot read stdin: {e}")))?;
    let display = walk::display_path(name);
    let engine_path =
        walk::engine_path(name, env.cwd, &env.ws.root).unwrap_or_else(|| display.clone());
    let target = Target {
        path: name.to_path_buf(),
        display: display.clone(),
        engine_path,
    };
    let (text, bom, lossy) = decode(&bytes);
    if lossy {
        let not_fixed = if args.fix {
            "; written back unchanged"
        } else {
            ""
        };
        message::warning(format!(
            "{display}: not valid UTF-8; checked a copy with the invalid bytes replaced{not_fixed}"
        ));
    }
    let standalone = analyze_one(&target, &text, env);
    let linked = link::find(&target, &standalone, env.cwd, &env.ws.root, &env.ws.config)
        .and_then(|tm| load(&tm).ok().map(|loaded| (tm, loaded.text)));
    let source = |t: &str| match &linked {
        Some((tm, tm_text)) => {
            let design = Source {
                path: &target.engine_path,
                text: t,
            };
            let threat_model = Source {
                path: &tm.engine_path,
                text: tm_text,
            };
            analyze_linked(design, threat_model, &env.ws.config, env.today).0
        }
        None => analyze_one(&target, t, env),
    };
    let first = if linked.is_some() {
        source(&text)
    } else {
        standalone
    };
    let (text, analysis, fixed) = if args.fix && !lossy && first.design_doc {
        fix::fix_all(text, first, |a: &Analysis| &a.findings, source)
    } else {
        (text, first, 0)
    };
    let reports = [FileReport::new(display, &text, analysis)];
    if args.fix {
        let mut out = Vec::with_capacity(bytes.len());
        if lossy {
            out.extend_from_slice(&bytes);
        } else {
            if bom {
                out.extend_from_slice(BOM.as_bytes());
            }
            out.extend_from_slice(text.as_bytes());
        }
        write_bytes(&mut std::io::stdout().lock(), &out)?;
        message::plain(fixed_message(fixed, usize::from(fixed > 0)));
        let options = HumanOptions {
            color: colored(&anstream::stderr()),
            fixed: true,
        };
        let rendered = output::render(args.format, &reports, options);
        write_bytes(&mut anstream::stderr().lock(), rendered.as_bytes())?;
    } else {
        let options = HumanOptions {
            color: colored(&anstream::stdout()),
            fixed: false,
        };
        write_stdout(args.format, &output::render(args.format, &reports, options))?;
    }
    Ok(status(&reports, args))
}

/// The text to analyse, whether it had a byte order mark, and whether invalid UTF-8 was
/// replaced.
fn decode(bytes: &[u8]) -> (String, bool, bool) {
    let (text, lossy) = match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_string(), false),
        Err(_) => (String::from_utf8_lossy(bytes).into_owned(), true),
    };
    match text.strip_prefix(BOM) {
        Some(rest) => (rest.to_string(), true, lossy),
        None => (text, false, lossy),
    }
}

fn status(reports: &[FileReport], args: &CheckArgs) -> ExitStatus {
    let threshold = args.fail_on.level();
    let failing = reports
        .iter()
        .flat_map(|r| &r.findings)
        .any(|f| f.level >= threshold);
    if failing {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

fn fixed_message(fixed: usize, files: usize) -> String {
    let findings = if fixed == 1 { "finding" } else { "findings" };
    let file_word = if files == 1 { "file" } else { "files" };
    format!("Fixed {fixed} {findings} in {files} {file_word}.")
}

/// Whether human output should carry colors: a terminal, or `CLICOLOR_FORCE`, unless
/// `NO_COLOR` (anstream's rules).
fn colored(stream: &anstream::AutoStream<impl anstream::stream::RawStream>) -> bool {
    stream.current_choice() != anstream::ColorChoice::Never
}

/// Writes the output to stdout. Human output goes through anstream, which keeps its
/// colors for a terminal only; the machine formats are written as they are.
fn write_stdout(format: Format, text: &str) -> Result<(), CliError> {
    match format {
        Format::Human => write_bytes(&mut anstream::stdout().lock(), text.as_bytes()),
        Format::Json | Format::Sarif | Format::Github => {
            write_bytes(&mut std::io::stdout().lock(), text.as_bytes())
        }
    }
}

/// A closed pipe (`| head`) is not an error worth a message.
fn write_bytes(out: &mut impl Write, bytes: &[u8]) -> Result<(), CliError> {
    write_result(out.write_all(bytes).and_then(|()| out.flush()))
}

fn write_result(result: std::io::Result<()>) -> Result<(), CliError> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(format!("cannot write the output: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_strips_a_bom_and_flags_invalid_utf8() {
        assert_eq!(decode(b"# A\n"), ("# A\n".to_string(), false, false));
        assert_eq!(
            decode("\u{feff}# A\n".as_bytes()),
            ("# A\n".to_string(), true, false)
        );
        let (text, bom, lossy) = decode(b"# A \xff\n");
        assert_eq!((text.as_str(), bom, lossy), ("# A \u{fffd}\n", false, true));
    }

    #[test]
    fn fixed_messages() {
        assert_eq!(fixed_message(0, 0), "Fixed 0 findings in 0 files.");
        assert_eq!(fixed_message(1, 1), "Fixed 1 finding in 1 file.");
        assert_eq!(fixed_message(3, 2), "Fixed 3 findings in 2 files.");
    }
}
