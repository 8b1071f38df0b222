//! `threatmark report [PATH…]`: the portfolio report over many design docs.
//!
//! The same walk and analysis as `check`, in two parallel passes: the first analyses
//! every file on its own and finds the design docs that keep their threat model in a
//! linked file; the second analyses those pairs together. Each design doc becomes one
//! [`DocRow`] as soon as it is analysed, so no `Document` outlives its file. Then the
//! rows become a [`Portfolio`] and are rendered as HTML, JSON or markdown, written
//! atomically to `-o FILE` or to stdout.

use super::{CliError, ExitStatus, ReportArgs, ReportFormat};
use crate::report::{self, DocRow, Portfolio};
use crate::walk::{self, Target};
use crate::workspace::{self, Workspace};
use crate::{atomic, link, message, today};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use threatmark_engine::{Analysis, Source, analyze, analyze_linked};

/// What the analysis of one run needs besides the file.
struct Env<'a> {
    ws: &'a Workspace,
    cwd: &'a Path,
    today: jiff::civil::Date,
    /// The walked folders, normalized, longest first: a doc's team folder is the first
    /// folder under the one it was found in.
    roots: Vec<PathBuf>,
    progress: &'a ProgressBar,
}

/// The first pass over one file.
struct Surveyed {
    target: Target,
    row: Option<DocRow>,
    linked: Option<Target>,
}

pub fn run(args: ReportArgs) -> Result<ExitStatus, CliError> {
    let output = args.output.as_deref().filter(|o| *o != Path::new("-"));
    if args.format == ReportFormat::Html && args.output.is_none() {
        return Err(CliError::new(
            "--format html writes a whole web page: give a file with -o FILE (e.g. -o report.html), or `-o -` for stdout",
        ));
    }
    let today = today::today()?;
    let cwd = std::env::current_dir()
        .map_err(|e| CliError::new(format!("cannot read the current directory: {e}")))?;
    if let Some(out) = output {
        check_output(&cwd, out)?;
    }
    let ws = workspace::load(&cwd, args.config.as_deref())?;
    let (targets, walk_errors) = walk::collect(&args.paths, &cwd, &ws.root)?;
    let mut failed = !walk_errors.is_empty();
    for error in walk_errors {
        message::error(error);
    }

    let progress = progress_bar(targets.len() as u64);
    let mut roots: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| walk::normalize(&cwd.join(p)))
        .collect();
    roots.sort_by_key(|r| std::cmp::Reverse(r.components().count()));
    let env = Env {
        ws: &ws,
        cwd: &cwd,
        today,
        roots,
        progress: &progress,
    };

    let surveyed: Vec<Result<Surveyed, String>> =
        targets.par_iter().map(|t| survey(t, &env)).collect();
    let mut ok = Vec::with_capacity(surveyed.len());
    for result in surveyed {
        match result {
            Ok(s) => ok.push(s),
            Err(e) => {
                progress.suspend(|| message::error(&e));
                failed = true;
            }
        }
    }
    let files = ok.len();
    let (pairs, mut rows) = plan(ok, &env);
    let paired: Vec<Result<Option<DocRow>, String>> = pairs
        .into_par_iter()
        .map(|(design, tm)| pair(&design, &tm, &env))
        .collect();
    progress.finish_and_clear();
    for result in paired {
        match result {
            Ok(row) => rows.extend(row),
            Err(e) => {
                message::error(e);
                failed = true;
            }
        }
    }

    let portfolio = Portfolio::new(today, ws.config.stale_after_months, files, rows);
    let text = match args.format {
        ReportFormat::Json => report::json::render(&portfolio),
        ReportFormat::Markdown => report::markdown::render(&portfolio),
        ReportFormat::Html => {
            let page_dir = match output {
                Some(out) => walk::normalize(&cwd.join(out))
                    .parent()
                    .map_or_else(|| cwd.clone(), Path::to_path_buf),
                None => cwd.clone(),
            };
            let links = report::html::Links {
                cwd: cwd.clone(),
                page_dir,
            };
            report::html::render(&portfolio, &links)
        }
    };
    match output {
        Some(out) => {
            atomic::write(out, text.as_bytes()).map_err(|e| {
                CliError::new(format!("cannot write {}: {e}", walk::display_path(out)))
            })?;
            message::plain(format!(
                "Wrote the report on {} design docs to {}.",
                portfolio.totals.design_docs,
                walk::display_path(out)
            ));
        }
        None => write_stdout(&text)?,
    }
    Ok(if failed {
        ExitStatus::Error
    } else {
        ExitStatus::Success
    })
}

/// Fails early, before the analysis, when the output cannot be written where asked.
fn check_output(cwd: &Path, out: &Path) -> Result<(), CliError> {
    let full = cwd.join(out);
    if full.is_dir() {
        return Err(CliError::new(format!(
            "-o {}: is a folder; give a file name",
            out.display()
        )));
    }
    let parent = full.parent().unwrap_or(cwd);
    if !parent.is_dir() {
        return Err(CliError::new(format!(
            "-o {}: the folder {} does not exist",
            out.display(),
            workspace::display(cwd, &walk::normalize(parent))
        )));
    }
    Ok(())
}

/// A bar on stderr, drawn only when stderr is a terminal.
fn progress_bar(len: u64) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} analysing {pos}/{len} files {wide_bar} {eta}")
    {
        bar.set_style(style);
    }
    bar
}

fn read(target: &Target) -> Result<String, String> {
    let bytes = std::fs::read(&target.path).map_err(|e| format!("{}: {e}", target.display))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text.strip_prefix('\u{feff}').unwrap_or(&text).to_string())
}

/// The first folder under the walked folder that holds the doc (the team's folder in
/// a monorepo of team folders), if the doc is not directly in it.
fn team_folder(target: &Target, env: &Env<'_>) -> Option<String> {
    let full = walk::normalize(&env.cwd.join(&target.path));
    let rel = env
        .roots
        .iter()
        .find_map(|r| full.strip_prefix(r).ok())
        .map(Path::to_path_buf)
        .or_else(|| full.strip_prefix(env.cwd).ok().map(Path::to_path_buf))?;
    let mut parts = rel.components();
    let first = parts.next()?;
    parts
        .next()
        .map(|_| first.as_os_str().to_string_lossy().into_owned())
}

fn row(target: &Target, analysis: &Analysis, env: &Env<'_>) -> Option<DocRow> {
    DocRow::new(target.display.clone(), team_folder(target, env), analysis)
}

fn survey(target: &Target, env: &Env<'_>) -> Result<Surveyed, String> {
    let text = read(target);
    env.progress.inc(1);
    let text = text?;
    let analysis = analyze(
        Source {
            path: &target.engine_path,
            text: &text,
        },
        &env.ws.config,
        env.today,
    );
    let linked = link::find(target, &analysis, env.cwd, &env.ws.root, &env.ws.config);
    Ok(Surveyed {
        target: target.clone(),
        row: row(target, &analysis, env),
        linked,
    })
}

/// The pairs to analyse together, and the rows that stand as they are. A linked
/// threat-model file is part of the design doc that links it, so it is no row of its
/// own.
fn plan(surveyed: Vec<Surveyed>, env: &Env<'_>) -> (Vec<(Target, Target)>, Vec<DocRow>) {
    let key = |t: &Target| walk::normalize(&env.cwd.join(&t.path));
    let linked: HashSet<PathBuf> = surveyed
        .iter()
        .filter_map(|s| s.linked.as_ref().map(key))
        .collect();
    let mut pairs = Vec::new();
    let mut rows = Vec::new();
    for s in surveyed {
        match s.linked {
            // Every design doc that links a threat model is read with it, as `check` does.
            Some(tm) => pairs.push((s.target, tm)),
            None if linked.contains(&key(&s.target)) => {}
            None => rows.extend(s.row),
        }
    }
    (pairs, rows)
}

fn pair(design: &Target, tm: &Target, env: &Env<'_>) -> Result<Option<DocRow>, String> {
    let d_text = read(design)?;
    let t_text = read(tm)?;
    let (da, ta) = analyze_linked(
        Source {
            path: &design.engine_path,
            text: &d_text,
        },
        Source {
            path: &tm.engine_path,
            text: &t_text,
        },
        &env.ws.config,
        env.today,
    );
    Ok(row(design, &da, env).map(|r| r.with_linked_threat_model(tm.display.clone(), &ta)))
}

/// A closed pipe (`| head`) is not an error worth a message.
fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(format!("cannot write the output: {e}"))),
    }
}
