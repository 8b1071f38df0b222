//! TM060 diagram-syntax-error: a mermaid flowchart does not parse.

use super::{Context, RuleMeta};
use crate::finding::{Finding, Level};

pub const META: RuleMeta = RuleMeta {
    code: "TM060",
    name: "diagram-syntax-error",
    default_level: Level::Error,
    summary: "A mermaid flowchart in the doc does not parse.",
    docs: DOCS,
};

const DOCS: &str = "\
## What it does
Reads every ```` ```mermaid ```` block that starts with `flowchart` or `graph` and
reports the first places the flowchart syntax breaks: an unclosed bracket, an arrow
with nothing after it, a `subgraph` without its `end`. The range is the part that
could not be read, or the point where something is missing. Other mermaid diagrams
(sequence, class, state…) are left alone.

## Why does it matter?
A diagram that does not parse does not render for your readers, and threatmark cannot
see its elements: a data store missing from the inventory or a boundary-crossing flow
without threats goes unnoticed until the diagram is fixed.

## Example
````md
```mermaid
flowchart LR
  browser[/Browser/] --> api[Checkout API
  api --> db[(Orders DB)]
```
````

## How to fix
Close the bracket, finish the edge or add the missing `end`. The mermaid live editor
shows the same diagram rendered while you fix it.
";

pub fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for diagram in &cx.doc.diagrams {
        for error in &diagram.errors {
            out.push(Finding::new(
                &META,
                error.range,
                format!(
                    "{} Until the flowchart parses, its elements cannot be checked against the threat model.",
                    error.message
                ),
            ));
        }
    }
}
