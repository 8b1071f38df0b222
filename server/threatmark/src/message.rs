//! One-line messages on stderr: `error: …`, `warning: …`.
//!
//! The prefix is colored when stderr is a terminal; anstream drops the color otherwise
//! and honours `NO_COLOR` / `CLICOLOR_FORCE`.

use anstyle::{AnsiColor, Effects, Style};
use std::io::Write;

const ERROR: Style = AnsiColor::BrightRed.on_default().effects(Effects::BOLD);
const WARNING: Style = AnsiColor::BrightYellow.on_default().effects(Effects::BOLD);

fn emit(style: Style, prefix: &str, text: &str) {
    let mut err = anstream::stderr().lock();
    // A closed stderr leaves nowhere to report the failure; the exit status still tells.
    let _ = writeln!(err, "{style}{prefix}:{style:#} {text}");
}

pub fn error(text: impl AsRef<str>) {
    emit(ERROR, "error", text.as_ref());
}

pub fn warning(text: impl AsRef<str>) {
    emit(WARNING, "warning", text.as_ref());
}

/// A line on stderr without a prefix (progress notes such as `Fixed 3 findings …`).
pub fn plain(text: impl AsRef<str>) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{}", text.as_ref());
}
