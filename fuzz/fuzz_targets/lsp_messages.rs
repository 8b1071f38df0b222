//! A sequence of LSP messages (didOpen, didChange, didClose, hover, completion,
//! codeAction, definition, rename) at arbitrary positions, sent to the real server
//! in-process: no handler panics, and every request gets exactly one response and no
//! internal error (`threatmark::fuzzing::session` checks).
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use threatmark::fuzzing::{Message, Position, Session, session};

/// Positions near the text (small numbers) most of the time, anywhere sometimes.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum At {
    Near(u8, u8),
    Far(u32, u32),
}

impl From<At> for Position {
    fn from(at: At) -> Position {
        match at {
            At::Near(line, character) => Position {
                line: u32::from(line % 64),
                character: u32::from(character),
            },
            At::Far(line, character) => Position { line, character },
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Op {
    Open {
        doc: u8,
        version: i32,
        text: String,
    },
    /// Open one of the seed-like design docs, so edits and requests land in a real
    /// threat model rather than in random text only.
    OpenTemplate {
        doc: u8,
        which: u8,
    },
    Change {
        doc: u8,
        version: i32,
        range: Option<(At, At)>,
        text: String,
    },
    Close {
        doc: u8,
    },
    Hover {
        doc: u8,
        at: At,
    },
    Completion {
        doc: u8,
        at: At,
    },
    CodeAction {
        doc: u8,
        start: At,
        end: At,
    },
    Definition {
        doc: u8,
        at: At,
    },
    Rename {
        doc: u8,
        at: At,
        new_name: String,
    },
}

#[derive(Arbitrary, Debug)]
struct Input {
    utf8: bool,
    pull: bool,
    ops: Vec<Op>,
}

const TEMPLATES: [&str; 2] = [
    include_str!("../seeds/check/boundary-flow.md"),
    include_str!("../seeds/check/in-list-crlf.md"),
];

fn message(op: Op) -> Message {
    match op {
        Op::Open { doc, version, text } => Message::Open { doc, version, text },
        Op::OpenTemplate { doc, which } => Message::Open {
            doc,
            version: 0,
            text: TEMPLATES[usize::from(which) % TEMPLATES.len()].to_string(),
        },
        Op::Change {
            doc,
            version,
            range,
            text,
        } => Message::Change {
            doc,
            version,
            range: range.map(|(a, b)| (a.into(), b.into())),
            text,
        },
        Op::Close { doc } => Message::Close { doc },
        Op::Hover { doc, at } => Message::Hover { doc, at: at.into() },
        Op::Completion { doc, at } => Message::Completion { doc, at: at.into() },
        Op::CodeAction { doc, start, end } => Message::CodeAction {
            doc,
            start: start.into(),
            end: end.into(),
        },
        Op::Definition { doc, at } => Message::Definition { doc, at: at.into() },
        Op::Rename { doc, at, new_name } => Message::Rename {
            doc,
            at: at.into(),
            new_name,
        },
    }
}

fuzz_target!(|input: Input| {
    // Long sessions add little but time; libFuzzer's -max_len bounds the text.
    let messages: Vec<Message> = input.ops.into_iter().take(64).map(message).collect();
    session(
        Session {
            utf8: input.utf8,
            pull: input.pull,
        },
        &messages,
    );
});
