//! Editor features as pure functions over an [`Analysis`](crate::Analysis): hover,
//! completion, document symbols, the code lens, go to definition / references / rename,
//! folding ranges and the "suppress here" quick fix.
//!
//! Architecture invariant: the language server is a thin adapter around this module.
//! Every function takes the analysis and the text it was made from, works in byte
//! offsets (`TextRange`) and returns plain data; no LSP type appears here. Any offset is
//! accepted: one past the end or inside a character is clamped, never a panic.

mod context;

pub mod code_lens;
pub mod completion;
pub mod folding;
pub mod hover;
pub mod navigation;
pub mod suppress;
pub mod symbols;

pub use code_lens::{CodeLens, code_lens};
pub use completion::{CompletionItem, CompletionKind, completions};
pub use folding::{FoldingKind, FoldingRange, folding_ranges};
pub use hover::{Hover, hover};
pub use navigation::{
    IdKind, IdSymbol, RenameError, definition, prepare_rename, references, rename, symbol_at,
};
pub use suppress::{SuppressFix, suppress_fix};
pub use symbols::{Symbol, SymbolKind, document_symbols};
