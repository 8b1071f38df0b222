//! The threatmark engine: design-doc text in, document model and findings out.
//!
//! Architecture invariant: nothing here does I/O or reads the clock. "Today" and the
//! configuration are inputs; positions are byte offsets into the text. The CLI and the
//! language server convert them at their edges.

pub mod analysis;
pub mod config;
pub mod detect;
pub mod diagram;
pub mod document;
pub mod finding;
pub mod fix;
pub mod ide;
pub mod knowledge;
pub mod line_index;
pub mod risk;
pub mod rules;
pub mod span;
pub mod stride;
pub mod summary;

pub use analysis::{
    Analysis, Source, analyze, analyze_linked, generate_threat_rows, is_threat_model_file,
    threat_model_link_candidates,
};
pub use config::Config;
pub use finding::{Applicability, Edit, Finding, FindingData, Fix, Level};
pub use span::{Spanned, TextRange};
pub use stride::StrideCategory;
