//! The command line: argument definitions, dispatch to one module per subcommand, and
//! the exit status.

pub mod check;
pub mod explain;
pub mod init;
pub mod report;

use crate::message;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

/// How a command ended. The numbers are the process exit status, as in ruff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Nothing at or above `--fail-on`.
    Success,
    /// Findings at or above `--fail-on`.
    Failure,
    /// A usage, configuration or I/O error.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// An error that ends the command with status 2: each line is printed as `error: …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub lines: Vec<String>,
}

impl CliError {
    pub fn new(line: impl Into<String>) -> CliError {
        CliError {
            lines: vec![line.into()],
        }
    }
}

impl From<String> for CliError {
    fn from(line: String) -> CliError {
        CliError::new(line)
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "threatmark",
    version,
    about = "Coaches engineers to threat-model their markdown design docs.",
    long_about = "Coaches engineers to threat-model their markdown design docs: finds the design \
                  docs in a repository and checks that each has a threat model, that every STRIDE \
                  category is addressed and that serious threats are mitigated and tracked.",
    after_help = "Exit status: 0 = nothing at or above --fail-on, 1 = findings at or above it, \
                  2 = usage, configuration or I/O error.\n\
                  Set THREATMARK_TODAY=YYYY-MM-DD to fix the date staleness is judged against.",
    arg_required_else_help = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check design docs: a missing threat model, unaddressed STRIDE categories,
    /// unmitigated threats, stale reviews…
    Check(CheckArgs),
    /// Write a new design doc from the template, or a practice doc for a training session.
    Init(InitArgs),
    /// Print the documentation of a rule (TM020) or a STRIDE category (spoofing, DoS, I).
    Explain(ExplainArgs),
    /// Portfolio report over many design docs, for a security team: risk tiers, STRIDE
    /// coverage, stale reviews, and the docs that need a human.
    Report(ReportArgs),
    /// Run the language server over stdio, for editors (VS Code, Neovim, Helix…).
    Lsp(LspArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Snippets in the style of rustc, the source line underlined; colored on a terminal.
    Human,
    /// One JSON document (schema version 1) with every file, finding and fix.
    Json,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands that annotate the pull request.
    Github,
}

/// The lowest finding level that makes `check` exit with status 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Only errors fail.
    Error,
    /// Warnings and errors fail (a missing threat model, an unaddressed category).
    Warning,
    /// Info findings fail too.
    Info,
    /// Any finding fails.
    Hint,
}

impl FailOn {
    pub fn level(self) -> threatmark_engine::Level {
        use threatmark_engine::Level;
        match self {
            FailOn::Error => Level::Error,
            FailOn::Warning => Level::Warning,
            FailOn::Info => Level::Info,
            FailOn::Hint => Level::Hint,
        }
    }
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check. Directories are walked for `.md` and `.markdown`
    /// files, respecting `.gitignore` and skipping hidden entries; files named here are
    /// always checked.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human, visible_alias = "output-format")]
    pub format: Format,

    /// Exit with status 1 when a finding is at or above this level.
    #[arg(long, value_enum, value_name = "LEVEL", default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// Apply safe fixes in place, then report what remains. Files are replaced atomically,
    /// and never when they changed on disk meanwhile. With --stdin-filename, the fixed
    /// text goes to stdout and the findings to stderr.
    #[arg(long)]
    pub fix: bool,

    /// Use this configuration file instead of looking for `.threatmark.toml` in the
    /// current directory and its ancestors. Its globs and `methodology` path are then
    /// relative to the current directory (as ruff does for --config).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read one document from stdin and treat it as if it were at NAME (for design-doc
    /// detection and the paths in the output). PATH arguments are ignored.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
}

/// The formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    /// One self-contained web page (inline CSS, JS and SVG; nothing fetched): summary
    /// tiles, charts, the needs-a-human queue, a team × STRIDE heat-map and a sortable,
    /// filterable docs × STRIDE table. Needs -o.
    Html,
    /// One JSON document (report schema version 1): totals, teams, the needs-a-human
    /// queue and every design doc.
    Json,
    /// A markdown page with the same tables, for a wiki or a pull-request comment.
    Markdown,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Files or directories to report on. Directories are walked for `.md` and
    /// `.markdown` files as `check` walks them; only design docs are reported.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Html)]
    pub format: ReportFormat,

    /// Write the report to FILE, atomically (a reader never sees half a report). Without
    /// it, json and markdown go to stdout; html needs it (`-o -` writes to stdout).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Use this configuration file instead of looking for `.threatmark.toml` in the
    /// current directory and its ancestors (as for `check`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the new design doc; `-` writes it to stdout.
    #[arg(value_name = "FILE", default_value = "design.md")]
    pub file: PathBuf,

    /// Write a practice doc instead of the empty template. Known: billing (a card billing
    /// design with deliberate gaps, for training sessions).
    #[arg(long, value_name = "NAME")]
    pub example: Option<String>,

    /// Overwrite FILE when it exists.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (TM020, case-insensitive) or name (stride-unaddressed), a STRIDE
    /// category by name, short form or letter (spoofing, DoS, I), or a diagram element
    /// type (process, data_store, external_entity, data_flow). Without it, lists all.
    #[arg(value_name = "CODE|CATEGORY|ELEMENT-TYPE")]
    pub topic: Option<String>,

    /// List every rule and STRIDE category.
    #[arg(long, conflicts_with = "topic")]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct LspArgs {
    /// Talk LSP over stdin/stdout (the only transport; accepted because editors pass it).
    #[arg(long)]
    pub stdio: bool,
}

/// Parses the command line and runs the command.
pub fn run() -> ExitStatus {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // clap writes help and version to stdout (status 0), usage errors to stderr.
            let _ = err.print();
            return if err.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
        }
    };
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Init(args) => init::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Report(args) => report::run(args),
        Command::Lsp(_) => crate::lsp::run(),
    };
    match result {
        Ok(status) => status,
        Err(err) => {
            for line in &err.lines {
                message::error(line);
            }
            ExitStatus::Error
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn check_defaults() {
        let cli = Cli::try_parse_from(["threatmark", "check"]).map_err(|e| e.to_string());
        let Ok(Cli {
            command: Command::Check(args),
        }) = cli
        else {
            panic!("{cli:?}")
        };
        assert_eq!(args.paths, [PathBuf::from(".")]);
        assert_eq!(args.format, Format::Human);
        assert_eq!(args.fail_on, FailOn::Warning);
        assert!(!args.fix);
    }

    #[test]
    fn report_arguments() {
        let cli = Cli::try_parse_from([
            "threatmark",
            "report",
            "docs",
            "--format",
            "markdown",
            "-o",
            "x.md",
        ])
        .map_err(|e| e.to_string());
        let Ok(Cli {
            command: Command::Report(args),
        }) = cli
        else {
            panic!("{cli:?}")
        };
        assert_eq!(args.paths, [PathBuf::from("docs")]);
        assert_eq!(args.format, ReportFormat::Markdown);
        assert_eq!(args.output, Some(PathBuf::from("x.md")));
        assert!(Cli::try_parse_from(["threatmark", "report", "--format", "pdf"]).is_err());
    }
}
