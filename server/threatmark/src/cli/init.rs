//! `threatmark init [FILE] [--example NAME]`: writes a new design doc from the template,
//! or a practice doc for a training session.

use super::{CliError, ExitStatus, InitArgs};
use crate::{message, today};
use std::io::Write;
use std::path::Path;
use threatmark_engine::knowledge::{self, BILLING_EXAMPLE, DESIGN_DOC_TEMPLATE};

/// The practice docs `--example` knows, with what they are for.
pub const EXAMPLES: [(&str, &str); 1] = [("billing", "a card billing design with deliberate gaps")];

pub fn run(args: InitArgs) -> Result<ExitStatus, CliError> {
    let (text, what) = match args.example.as_deref() {
        None => {
            let date = today::today()?.to_string();
            (
                knowledge::fill(DESIGN_DOC_TEMPLATE, &[("today", date.as_str())]),
                "design doc template",
            )
        }
        Some(name) => (example(name)?.to_string(), "practice doc"),
    };
    if args.file == Path::new("-") {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| CliError::new(format!("cannot write to stdout: {e}")))?;
        return Ok(ExitStatus::Success);
    }
    let shown = args.file.display().to_string();
    if args.file.exists() && !args.force {
        return Err(CliError::new(format!(
            "{shown} already exists; pass --force to overwrite it"
        )));
    }
    write(&args.file, &text, args.force).map_err(|e| CliError::new(format!("{shown}: {e}")))?;
    message::plain(format!("Wrote a {what} to {shown}."));
    message::plain(format!("Run: threatmark check {}", shell_quote(&shown)));
    Ok(ExitStatus::Success)
}

fn example(name: &str) -> Result<&'static str, CliError> {
    match name.trim().to_ascii_lowercase().as_str() {
        "billing" => Ok(BILLING_EXAMPLE),
        _ => {
            let known: Vec<String> = EXAMPLES
                .iter()
                .map(|(n, what)| format!("{n} ({what})"))
                .collect();
            Err(CliError::new(format!(
                "no example named `{name}`; known examples: {}",
                known.join(", ")
            )))
        }
    }
}

/// Writes the whole file or nothing: a temporary file beside it, renamed into place.
/// Without `overwrite` the rename fails when the file appeared meanwhile.
fn write(path: &Path, text: &str, overwrite: bool) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut temp = tempfile::Builder::new()
        .prefix(".threatmark-init-")
        .tempfile_in(dir)
        .map_err(|e| e.to_string())?;
    temp.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    let persisted = if overwrite {
        temp.persist(path)
    } else {
        temp.persist_noclobber(path)
    };
    persisted.map(drop).map_err(|e| e.error.to_string())
}

/// The path as a shell word: quoted when it holds anything but plain characters.
fn shell_quote(path: &str) -> String {
    let plain = path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./+@%=:,".contains(c));
    if plain && !path.is_empty() {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_examples_list_the_known_ones() {
        assert!(example("Billing").is_ok());
        let err = example("shop")
            .err()
            .map(|e| e.lines.join("\n"))
            .unwrap_or_default();
        assert!(err.contains("`shop`") && err.contains("billing"), "{err}");
    }

    #[test]
    fn quoting() {
        assert_eq!(shell_quote("docs/design/x.md"), "docs/design/x.md");
        assert_eq!(shell_quote("my design.md"), "'my design.md'");
        assert_eq!(shell_quote("it's.md"), r"'it'\''s.md'");
    }

    #[test]
    fn writes_without_clobbering() -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("new/sub/design.md");
        write(&file, "one", false)?;
        assert_eq!(std::fs::read_to_string(&file)?, "one");
        assert!(write(&file, "two", false).is_err());
        write(&file, "three", true)?;
        assert_eq!(std::fs::read_to_string(&file)?, "three");
        Ok(())
    }
}
