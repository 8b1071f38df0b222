//! `threatmark check [PATH…]`: find the markdown files, analyse them in parallel, apply
//! safe fixes with `--fix`, print the findings in the chosen format, and exit 0, 1 or 2.
//!
//! The output streams. The walk's files are taken in path order, [`WINDOW`] at a time; a
//! window is analysed in two parallel passes, its records rendered in parallel, and the
//! output written in path order before the next window is read. Memory is bounded by a
//! window, whatever the size of the corpus, with one exception (see [`Pending`]).
//!
//! The first pass reads and analyses each file on its own, and finds the design docs that
//! keep their threat model in a linked file (SPEC §3). The second analyses those pairs
//! together, and, with `--fix`, fixes the files that have a safe fix; every other file
//! keeps its first-pass record. Only a file's rendered output outlives its analysis,
//! never its `Document` nor its record.

use super::{CheckArgs, CliError, ExitStatus, Format};
use crate::output::{self, HumanOptions, Rendered, Tally};
use crate::record::FileReport;
use crate::walk::{self, Target};
use crate::workspace::{self, Workspace};
use crate::{atomic, link, message, today};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use threatmark_engine::analysis::{self, analyze_linked};
use threatmark_engine::config::Config;
use threatmark_engine::rules::tm092_document_too_large::MAX_DOCUMENT_BYTES;
use threatmark_engine::{Analysis, Applicability, Level, Source, analyze, fix};

/// The UTF-8 byte order mark. The engine sees the text without it (front matter must
/// start at offset 0); a fix writes it back.
const BOM: &str = "\u{feff}";

/// How many files are analysed before their output is written: enough that the cores
/// seldom wait for the slowest file of a window, few enough that a window's output is a
/// few MB.
const WINDOW: usize = 256;

/// What the check of one run needs besides the file.
struct Env<'a> {
    ws: &'a Workspace,
    cwd: &'a Path,
    today: jiff::civil::Date,
    fix: bool,
    format: Format,
    human: HumanOptions,
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
    /// Whether it is a threat-model file, which a design doc may link to.
    threat_model: bool,
    /// For stderr, printed in path order once the window's pass is over.
    warnings: Vec<String>,
}

/// What the second pass does with a file.
enum Job {
    Keep(FileReport),
    /// A threat-model file that no design doc has linked yet: its own record, held
    /// until the end of the run or until a design doc links it (see [`Pending`]).
    Hold {
        report: FileReport,
        target: Target,
        fixable: bool,
    },
    Fix(Target),
    /// A design doc and its linked threat model. `owns_threat_model` is false when an
    /// earlier design doc links the same file: that one reports and fixes it.
    /// `hold_design` when the design doc is a threat-model file itself, not yet linked.
    Pair {
        design: Target,
        threat_model: Target,
        owns_threat_model: bool,
        hold_design: bool,
    },
}

/// One file's output, made by the second pass.
struct Piece {
    display: String,
    rendered: Rendered,
    /// Fixes written to the file.
    fixed: usize,
    role: Role,
}

enum Role {
    /// A walked file's own record.
    Own,
    /// A threat-model file's record that a later design doc may still claim.
    Held(Held),
    /// The record of a linked threat-model file, made with its design doc; the key of
    /// the file (its normalized path).
    ThreatModel(PathBuf),
}

struct Held {
    key: PathBuf,
    /// Whether a claim replaces the record (a plain threat-model file), or adds the
    /// threat model's record after it (a design doc that looks like a threat model too).
    replaced: bool,
    /// `--fix` on it once no design doc claimed it, at the end of the run.
    fix: Option<Target>,
}

/// A piece waiting in [`Pending`].
struct Slot {
    display: String,
    rendered: Rendered,
    fixed: usize,
    held: Option<Held>,
}

/// The output not written yet, in path order, and the linked threat-model files.
///
/// A linked threat-model file is reported by the first design doc (in path order) that
/// links it, analysed with it, at its own place in path order. Most sort after their
/// design doc, or in its window. A threat-model file that sorts before the design doc
/// that links it, beyond the window, is the cliff: when the walk reaches it, a later
/// design doc may still claim it, so it is held, and everything after it with it, until
/// one does. Only files that some walked file links to can be claimed (`linked`, from a
/// markdown-only pre-pass), so a threat-model file that nothing links to (a design doc
/// with `threat_model:` in its front matter, most often) is never held. The worst case,
/// a linked threat-model file early in the walk whose design doc is last, holds the
/// rest of the output in memory, as `check` did before it streamed. A linked threat
/// model outside the walked paths takes its place in path order among the output not
/// yet written; if that place was written already, it comes first among what is left.
#[derive(Default)]
struct Pending {
    slots: Vec<Slot>,
    /// The keys of the threat-model files linked so far.
    claimed: HashSet<PathBuf>,
    /// The keys of every file a walked file links to.
    linked: HashSet<PathBuf>,
}

impl Pending {
    /// The second pass's jobs for a window's surveyed files. A file that an earlier or
    /// this window's design doc links as its threat model gets no job of its own; the
    /// pair makes its record.
    fn plan(&mut self, surveyed: Vec<Surveyed>, env: &Env<'_>) -> Vec<Job> {
        let key = |t: &Target| walk::normalize(&env.cwd.join(&t.path));
        // Claims first: a design doc also claims a threat-model file before it in its
        // window.
        let owns: Vec<bool> = surveyed
            .iter()
            .map(|s| {
                s.linked
                    .as_ref()
                    .is_some_and(|tm| self.claimed.insert(key(tm)))
            })
            .collect();
        surveyed
            .into_iter()
            .zip(owns)
            .filter_map(|(s, owns_threat_model)| {
                let unclaimed_threat_model = s.threat_model && {
                    let k = key(&s.target);
                    !self.claimed.contains(&k) && self.linked.contains(&k)
                };
                match s.linked {
                    Some(threat_model) => Some(Job::Pair {
                        design: s.target,
                        threat_model,
                        owns_threat_model,
                        hold_design: unclaimed_threat_model,
                    }),
                    None if self.claimed.contains(&key(&s.target)) => None,
                    None if unclaimed_threat_model => Some(Job::Hold {
                        report: s.report,
                        target: s.target,
                        fixable: s.fixable,
                    }),
                    None if s.fixable => Some(Job::Fix(s.target)),
                    None => Some(Job::Keep(s.report)),
                }
            })
            .collect()
    }

    /// Puts a piece at its place in path order (after pieces of the same path, as a
    /// stable sort would); a threat model's record replaces or follows its held slot.
    fn place(&mut self, piece: Piece) {
        let Piece {
            display,
            rendered,
            fixed,
            role,
        } = piece;
        let held = match role {
            Role::Own => None,
            Role::Held(h) => Some(h),
            Role::ThreatModel(key) => {
                if let Some(slot) = self
                    .slots
                    .iter_mut()
                    .find(|s| s.held.as_ref().is_some_and(|h| h.key == key))
                {
                    let replaced = slot.held.take().is_some_and(|h| h.replaced);
                    if replaced {
                        slot.rendered = rendered;
                        slot.fixed = fixed;
                        return;
                    }
                }
                None
            }
        };
        let at = self
            .slots
            .partition_point(|s| Path::new(&s.display) <= Path::new(&display));
        self.slots.insert(
            at,
            Slot {
                display,
                rendered,
                fixed,
                held,
            },
        );
    }

    /// A design doc that claimed the held threat-model file `key` failed: the file has
    /// no record, as it would have none had the claim come first.
    fn drop_claimed(&mut self, key: &Path) {
        self.slots
            .retain(|s| !s.held.as_ref().is_some_and(|h| h.replaced && h.key == key));
        for s in &mut self.slots {
            if s.held.as_ref().is_some_and(|h| h.key == key) {
                s.held = None;
            }
        }
    }

    /// Writes the pieces that nothing can precede any more: up to `frontier` (the last
    /// walked path; `None` at the end) and up to the first held slot.
    fn flush<W: Write>(
        &mut self,
        frontier: Option<&Path>,
        out: &mut output::Writer<W>,
        fixed: &mut Fixed,
    ) -> io::Result<()> {
        let ready = self
            .slots
            .iter()
            .take_while(|s| s.held.is_none() && frontier.is_none_or(|f| Path::new(&s.display) <= f))
            .count();
        for slot in self.slots.drain(..ready) {
            fixed.findings += slot.fixed;
            fixed.files += usize::from(slot.fixed > 0);
            out.file(&slot.rendered)?;
        }
        Ok(())
    }

    /// The end of the walk: no design doc is left to claim a held threat-model file, so
    /// each keeps its own record, fixed now with `--fix`. The errors, in path order.
    fn release(&mut self, env: &Env<'_>) -> Vec<String> {
        let fixes: Vec<(usize, Target)> = self
            .slots
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.held.take().and_then(|h| h.fix).map(|t| (i, t)))
            .collect();
        let results: Vec<(usize, Result<Checked, String>)> = fixes
            .into_par_iter()
            .map(|(i, t)| (i, fix_file(&t, env)))
            .collect();
        let mut errors = Vec::new();
        let mut failed = HashSet::new();
        for (i, result) in results {
            match result {
                Ok((report, fixed)) => {
                    if let Some(slot) = self.slots.get_mut(i) {
                        slot.rendered = output::render_file(env.format, &report, env.human);
                        slot.fixed = fixed;
                    }
                }
                Err(e) => {
                    errors.push(e);
                    failed.insert(i);
                }
            }
        }
        if !failed.is_empty() {
            let mut i = 0;
            self.slots.retain(|_| {
                i += 1;
                !failed.contains(&(i - 1))
            });
        }
        errors
    }
}

/// The fixes written so far.
#[derive(Default)]
struct Fixed {
    findings: usize,
    files: usize,
}

/// stdout for the streamed output. A write never fails here: the first error is kept
/// for the end of the run and nothing more is written, while the analysis and `--fix`
/// go on (a closed pipe, `| head`, must not leave files unfixed nor change the exit
/// status).
struct Sink<W: Write> {
    out: W,
    error: Option<io::Error>,
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.error.is_none()
            && let Err(e) = self.out.write_all(buf)
        {
            self.error = Some(e);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.error.is_none()
            && let Err(e) = self.out.flush()
        {
            self.error = Some(e);
        }
        Ok(())
    }
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
        format: args.format,
        human: HumanOptions {
            color: colored(&anstream::stdout()),
            fixed: args.fix,
        },
    };
    if let Some(name) = &args.stdin_filename {
        return check_stdin(&args, name, &env);
    }
    let (targets, walk_errors) = walk::collect(&args.paths, &cwd, &ws.root)?;
    let mut failed = !walk_errors.is_empty();
    for error in walk_errors {
        message::error(error);
    }

    // Colored human output goes through anstream (which keeps the colors for a terminal
    // only); everything else is written as it is.
    let stdout: Box<dyn Write> = if args.format == Format::Human && env.human.color {
        Box::new(anstream::stdout().lock())
    } else {
        Box::new(io::stdout().lock())
    };
    let mut sink = Sink {
        out: BufWriter::with_capacity(1 << 16, stdout),
        error: None,
    };
    // The sink does not fail; `?` only keeps the signatures honest.
    let write_error = |e: io::Error| CliError::new(format!("cannot write the output: {e}"));
    let mut out = output::Writer::start(args.format, env.human, &mut sink).map_err(write_error)?;
    let mut pending = Pending {
        linked: targets
            .par_iter()
            .flat_map_iter(|t| linked_files(t, &env))
            .collect(),
        ..Pending::default()
    };
    let mut fixed = Fixed::default();
    for window in targets.chunks(WINDOW) {
        let surveyed: Vec<Result<Surveyed, String>> =
            window.par_iter().map(|t| survey(t, &env)).collect();
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
        let jobs = pending.plan(ok, &env);
        // With each job, the threat-model file it claims (see `Pending::drop_claimed`).
        let results: Vec<_> = jobs
            .into_par_iter()
            .map(|job| (claim(&job, &env), work(job, &env)))
            .collect();
        for (claimed, result) in results {
            match result {
                Ok(pieces) => pieces.into_iter().for_each(|p| pending.place(p)),
                Err(e) => {
                    message::error(e);
                    failed = true;
                    if let Some(key) = claimed {
                        pending.drop_claimed(&key);
                    }
                }
            }
        }
        let frontier = window.last().map(|t| Path::new(&t.display));
        pending
            .flush(frontier, &mut out, &mut fixed)
            .map_err(write_error)?;
    }
    for e in pending.release(&env) {
        message::error(e);
        failed = true;
    }
    pending
        .flush(None, &mut out, &mut fixed)
        .map_err(write_error)?;
    let totals = out.finish().map_err(write_error)?;
    if let Some(e) = sink.error
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        return Err(write_error(e));
    }
    if args.fix {
        message::plain(fixed_message(fixed.findings, fixed.files));
    }
    Ok(if failed {
        ExitStatus::Error
    } else {
        status(totals.worst, &args)
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

/// The keys of the files `target` links to (nothing if it cannot be read: then it is
/// reported as an error and claims nothing).
fn linked_files(target: &Target, env: &Env<'_>) -> Vec<PathBuf> {
    match load(target) {
        Ok(loaded) => link::linked_files(target, &loaded.text, env.cwd, &env.ws.root)
            .into_iter()
            .map(|p| walk::normalize(&env.cwd.join(p)))
            .collect(),
        Err(_) => Vec::new(),
    }
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
    let threat_model = is_threat_model(&loaded.text, &analysis, &env.ws.config);
    let report = FileReport::new(target.display.clone(), &loaded.text, analysis);
    Ok(Surveyed {
        target: target.clone(),
        report,
        linked,
        fixable,
        threat_model,
        warnings,
    })
}

/// [`analysis::is_threat_model_file`] (what makes a file one that a design doc can link
/// as its threat model) read off the file's own analysis rather than by parsing it again.
fn is_threat_model(text: &str, analysis: &Analysis, config: &Config) -> bool {
    if text.len() > MAX_DOCUMENT_BYTES {
        // Too large to be analysed (TM092), so its analysis holds no document.
        return analysis::is_threat_model_file(text, config);
    }
    analysis::is_threat_model_document(&analysis.document)
}

fn has_safe_fix(analysis: &Analysis) -> bool {
    analysis
        .findings
        .iter()
        .flat_map(|f| &f.fixes)
        .any(|f| f.applicability == Applicability::Safe)
}

/// The threat-model file a pair job claims as its owner: if the job fails, that file
/// gets no record.
fn claim(job: &Job, env: &Env<'_>) -> Option<PathBuf> {
    match job {
        Job::Pair {
            threat_model,
            owns_threat_model: true,
            ..
        } => Some(walk::normalize(&env.cwd.join(&threat_model.path))),
        _ => None,
    }
}

fn piece(env: &Env<'_>, report: &FileReport, fixed: usize, role: Role) -> Piece {
    Piece {
        display: report.path.clone(),
        rendered: output::render_file(env.format, report, env.human),
        fixed,
        role,
    }
}

fn work(job: Job, env: &Env<'_>) -> Result<Vec<Piece>, String> {
    match job {
        Job::Keep(report) => Ok(vec![piece(env, &report, 0, Role::Own)]),
        Job::Hold {
            report,
            target,
            fixable,
        } => {
            let held = Held {
                key: walk::normalize(&env.cwd.join(&target.path)),
                replaced: true,
                fix: fixable.then_some(target),
            };
            Ok(vec![piece(env, &report, 0, Role::Held(held))])
        }
        Job::Fix(target) => fix_file(&target, env)
            .map(|(report, fixed)| vec![piece(env, &report, fixed, Role::Own)]),
        Job::Pair {
            design,
            threat_model,
            owns_threat_model,
            hold_design,
        } => {
            let (d, t) = check_pair(&design, &threat_model, owns_threat_model, env)?;
            let role = if hold_design {
                Role::Held(Held {
                    key: walk::normalize(&env.cwd.join(&design.path)),
                    replaced: false,
                    fix: None,
                })
            } else {
                Role::Own
            };
            let mut pieces = vec![piece(env, &d.0, d.1, role)];
            if let Some((report, fixed)) = t {
                let key = walk::normalize(&env.cwd.join(&threat_model.path));
                pieces.push(piece(env, &report, fixed, Role::ThreatModel(key)));
            }
            Ok(pieces)
        }
    }
}

/// `--fix` on one file: rounds of safe fixes, then the file replaced atomically. Its
/// record, and the number of fixes written.
fn fix_file(target: &Target, env: &Env<'_>) -> Result<Checked, String> {
    let loaded = load(target)?;
    let first = analyze_one(target, &loaded.text, env);
    if loaded.lossy {
        return Ok((
            FileReport::new(target.display.clone(), &loaded.text, first),
            0,
        ));
    }
    let (text, analysis, applied) = fix::fix_all(
        loaded.text.clone(),
        first,
        |a: &Analysis| &a.findings,
        |t| analyze_one(target, t, env),
    );
    let fixed = write_fixed(target, &loaded, &text, applied)?;
    Ok((
        FileReport::new(target.display.clone(), &text, analysis),
        fixed,
    ))
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

/// A file's record and the number of fixes written to it.
type Checked = (FileReport, usize);

/// A design doc and the threat model it keeps in a linked file, analysed together (and
/// fixed together with `--fix`: a round fixes both texts, then both are analysed again).
/// The threat model's record only when `owns_tm`.
fn check_pair(
    design: &Target,
    tm: &Target,
    owns_tm: bool,
    env: &Env<'_>,
) -> Result<(Checked, Option<Checked>), String> {
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
    let design_record = (
        FileReport::new(design.display.clone(), &d_text, da),
        d_fixed,
    );
    let tm_record = owns_tm.then(|| (FileReport::new(tm.display.clone(), &t_text, ta), t_fixed));
    Ok((design_record, tm_record))
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
    Ok(status(Tally::of_all(&reports).worst, args))
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

/// The exit status for the worst finding of the run.
fn status(worst: Option<Level>, args: &CheckArgs) -> ExitStatus {
    if worst.is_some_and(|level| level >= args.fail_on.level()) {
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
    fn threat_model_files_are_told_from_their_analysis_as_the_engine_tells_them() {
        let config = Config::default();
        let today = jiff::civil::date(2026, 11, 23);
        for text in [
            "# Threat model\n\n## Threats\n",
            "# Threat Model: export\n",
            "---\nthreat_model:\n  last_reviewed: 2026-01-01\n---\n# Export\n",
            "---\ntitle: x\n---\n# Export\n\n## Threat model\n",
            "# Export\n\n## Threat model\n",
            "Intro.\n\n# Threat model\n",
            "",
        ] {
            for path in ["docs/design/x.md", "README.md"] {
                let analysis = analyze(Source { path, text }, &config, today);
                assert_eq!(
                    is_threat_model(text, &analysis, &config),
                    analysis::is_threat_model_file(text, &config),
                    "{path}: {text:?}"
                );
            }
        }
    }

    #[test]
    fn fixed_messages() {
        assert_eq!(fixed_message(0, 0), "Fixed 0 findings in 0 files.");
        assert_eq!(fixed_message(1, 1), "Fixed 1 finding in 1 file.");
        assert_eq!(fixed_message(3, 2), "Fixed 3 findings in 2 files.");
    }
}
