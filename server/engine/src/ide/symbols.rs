//! Document symbols: the section tree, with the threat model's assets, threats,
//! mitigations and diagram (trust boundaries, elements, data flows) under the sections
//! that hold them.

use super::context::excerpt;
use crate::analysis::Analysis;
use crate::diagram::Diagram;
use crate::document::{Document, ThreatShape};
use crate::span::TextRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolKind {
    Section,
    Asset,
    Threat,
    Mitigation,
    /// A mermaid flowchart.
    Diagram,
    /// A subgraph of a diagram.
    Boundary,
    /// A diagram node.
    Element,
    /// A diagram edge.
    Flow,
}

impl SymbolKind {
    fn noun(self) -> &'static str {
        match self {
            SymbolKind::Section => "untitled section",
            SymbolKind::Asset => "asset",
            SymbolKind::Threat => "threat",
            SymbolKind::Mitigation => "mitigation",
            SymbolKind::Diagram => "diagram",
            SymbolKind::Boundary => "trust boundary",
            SymbolKind::Element => "element",
            SymbolKind::Flow => "data flow",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole extent; `children` lie inside it.
    pub range: TextRange,
    /// What to select when the symbol is picked (an id, a heading); inside `range`.
    pub selection_range: TextRange,
    pub children: Vec<Symbol>,
}

impl Symbol {
    fn leaf(name: String, kind: SymbolKind, range: TextRange, selection: TextRange) -> Symbol {
        let selection = if range.covers(selection) {
            selection
        } else {
            range
        };
        // Editors reject a symbol without a name (an empty `#` heading, a bare row).
        let name = if name.trim().is_empty() {
            format!("({})", kind.noun())
        } else {
            name
        };
        Symbol {
            name,
            detail: None,
            kind,
            range,
            selection_range: selection,
            children: Vec::new(),
        }
    }

    fn with_detail(mut self, detail: Option<String>) -> Symbol {
        self.detail = detail.filter(|d| !d.is_empty());
        self
    }
}

/// A range without its trailing blank lines (at least `min_end` long).
fn trimmed(text: &str, r: TextRange, min_end: usize) -> TextRange {
    let end = r.start + r.slice(text).trim_end().len();
    TextRange::new(r.start, end.max(min_end).min(r.end.max(min_end)))
}

/// The symbols of the document, as a tree of its sections.
pub fn document_symbols(analysis: &Analysis, text: &str) -> Vec<Symbol> {
    let doc = &analysis.document;
    // Items first, each with the start offset that decides its section.
    let mut items: Vec<Symbol> = Vec::new();
    let heading_threats: Vec<(TextRange, Symbol)> = threat_symbols(doc, text, &mut items);
    items.extend(asset_symbols(doc));
    items.extend(mitigation_symbols(doc, text));
    for d in &doc.diagrams {
        if let Some(s) = diagram_symbol(doc, d) {
            items.push(s);
        }
    }

    let n = doc.sections.len();
    let mut nodes: Vec<Option<Symbol>> = doc
        .sections
        .iter()
        .map(|s| {
            let heading_text = doc
                .headings
                .get(s.heading)
                .map_or(String::new(), |h| h.text.clone());
            let range = trimmed(text, s.range, s.heading_range.end);
            let base = match heading_threats.iter().find(|(r, _)| *r == s.heading_range) {
                Some((_, t)) => Symbol {
                    range,
                    selection_range: if range.covers(t.selection_range) {
                        t.selection_range
                    } else {
                        s.heading_range
                    },
                    ..t.clone()
                },
                None => Symbol::leaf(heading_text, SymbolKind::Section, range, s.heading_range)
                    .with_detail(s.kind.map(|k| k.label().to_string())),
            };
            Some(base)
        })
        .collect();
    let mut top: Vec<Symbol> = Vec::new();
    for item in items {
        let home = crate::document::sections::innermost_at(&doc.sections, item.range.start);
        match home.and_then(|i| nodes.get_mut(i)).and_then(Option::as_mut) {
            Some(node) if node.range.covers(item.range) => node.children.push(item),
            _ => top.push(item),
        }
    }
    for i in (0..n).rev() {
        let Some(mut node) = nodes.get_mut(i).and_then(Option::take) else {
            continue;
        };
        node.children.sort_by_key(|c| c.range.start);
        let parent = doc.sections.get(i).and_then(|s| s.parent);
        match parent
            .and_then(|p| nodes.get_mut(p))
            .and_then(Option::as_mut)
        {
            Some(p) if p.range.covers(node.range) => p.children.push(node),
            _ => top.push(node),
        }
    }
    top.sort_by_key(|c| c.range.start);
    top
}

/// Threat symbols; those that are a heading of their own are returned separately, with
/// their heading range, to stand in for that heading's section.
fn threat_symbols(doc: &Document, text: &str, items: &mut Vec<Symbol>) -> Vec<(TextRange, Symbol)> {
    let mut by_heading = Vec::new();
    let heading_ranges: Vec<TextRange> = doc.sections.iter().map(|s| s.heading_range).collect();
    for t in &doc.threats {
        let desc = t.description.as_ref().map_or("", |d| d.value.as_str());
        let name = match &t.id {
            Some(id) if t.shape == ThreatShape::Heading => {
                let _ = id;
                doc.headings
                    .iter()
                    .find(|h| h.range == t.range)
                    .map_or_else(|| excerpt(desc, 60), |h| h.text.clone())
            }
            Some(id) => format!("{} {}", id.value, excerpt(desc, 60)),
            None => excerpt(desc, 60),
        };
        let cats: Vec<&str> = t.categories.iter().map(|c| c.name()).collect();
        let mut detail = cats.join(", ");
        if let Some(s) = t.severity.as_ref().filter(|s| !s.value.is_empty()) {
            detail = format!("{detail} · {}", s.value);
        }
        let selection = t.id.as_ref().map_or(t.range, |i| i.range);
        let sym =
            Symbol::leaf(name, SymbolKind::Threat, t.range, selection).with_detail(Some(detail));
        if heading_ranges.contains(&t.range) {
            by_heading.push((t.range, sym));
        } else {
            let _ = text;
            items.push(sym);
        }
    }
    by_heading
}

fn asset_symbols(doc: &Document) -> Vec<Symbol> {
    doc.assets
        .assets
        .iter()
        .map(|a| {
            let name = match &a.id {
                Some(id) => format!("{} {}", id.value, a.name.value),
                None => a.name.value.clone(),
            };
            let selection = a.id.as_ref().map_or(a.name.range, |i| i.range);
            Symbol::leaf(name, SymbolKind::Asset, a.range, selection)
                .with_detail(a.classification.as_ref().map(|c| c.value.clone()))
        })
        .collect()
}

fn mitigation_symbols(doc: &Document, text: &str) -> Vec<Symbol> {
    let _ = text;
    doc.mitigations
        .items
        .iter()
        .map(|m| {
            let (name, detail) = match &m.id {
                Some(id) => (id.value.clone(), Some(excerpt(&m.text.value, 60))),
                None => (excerpt(&m.text.value, 60), None),
            };
            let selection = m.id.as_ref().map_or(m.range, |i| i.range);
            Symbol::leaf(name, SymbolKind::Mitigation, m.range, selection).with_detail(detail)
        })
        .collect()
}

/// A diagram: its trust boundaries (nested, holding their elements), the elements outside
/// every boundary, and its data flows.
fn diagram_symbol(doc: &Document, d: &Diagram) -> Option<Symbol> {
    let block = doc.mermaid.get(d.block)?;
    let mut boundaries: Vec<Option<Symbol>> = d
        .boundaries
        .iter()
        .map(|b| {
            Some(
                Symbol::leaf(b.title.clone(), SymbolKind::Boundary, b.range, b.id_range)
                    .with_detail(Some("trust boundary".to_string())),
            )
        })
        .collect();
    let mut root = Symbol::leaf(
        "Data-flow diagram".to_string(),
        SymbolKind::Diagram,
        block.range,
        block.range,
    )
    .with_detail(Some(format!(
        "{} elements · {} flows",
        d.elements.len(),
        d.flows.len()
    )));
    for e in &d.elements {
        let selection = e.id_ranges.first().copied().unwrap_or(e.range);
        let sym = Symbol::leaf(e.label.clone(), SymbolKind::Element, e.range, selection)
            .with_detail(Some(format!("{} · {}", e.kind.name(), e.id)));
        match e
            .boundary
            .and_then(|i| boundaries.get_mut(i))
            .and_then(Option::as_mut)
        {
            Some(b) if b.range.covers(sym.range) => b.children.push(sym),
            _ => root.children.push(sym),
        }
    }
    for (i, f) in d.flows.iter().enumerate() {
        let sym = Symbol::leaf(d.flow_name(i), SymbolKind::Flow, f.range, f.range).with_detail(
            f.label.clone().or_else(|| {
                f.crosses_boundary
                    .then(|| "crosses a trust boundary".to_string())
            }),
        );
        root.children.push(sym);
    }
    for i in (0..boundaries.len()).rev() {
        let Some(mut b) = boundaries.get_mut(i).and_then(Option::take) else {
            continue;
        };
        b.children.sort_by_key(|c| c.range.start);
        match d
            .boundaries
            .get(i)
            .and_then(|x| x.parent)
            .and_then(|p| boundaries.get_mut(p))
            .and_then(Option::as_mut)
        {
            Some(p) if p.range.covers(b.range) => p.children.push(b),
            _ => root.children.push(b),
        }
    }
    root.children.retain(|c| root.range.covers(c.range));
    root.children.sort_by_key(|c| c.range.start);
    Some(root)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::config::Config;
    use crate::{Source, analyze};

    pub(crate) fn example(name: &str) -> String {
        let path = format!(
            "{}/../../../shared/examples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn flatten<'a>(symbols: &'a [Symbol], out: &mut Vec<&'a Symbol>) {
        for s in symbols {
            out.push(s);
            flatten(&s.children, out);
        }
    }

    fn check_nesting(symbols: &[Symbol], parent: Option<TextRange>) {
        for s in symbols {
            assert!(
                s.range.covers(s.selection_range),
                "{}: selection outside",
                s.name
            );
            if let Some(p) = parent {
                assert!(p.covers(s.range), "{} outside its parent", s.name);
            }
            check_nesting(&s.children, Some(s.range));
        }
    }

    pub(crate) fn analysis(text: &str) -> Analysis {
        analyze(
            Source {
                path: "docs/design/x.md",
                text,
            },
            &Config::default(),
            jiff::civil::date(2026, 11, 23),
        )
    }

    #[test]
    fn examples_give_their_model_as_symbols() {
        for (name, assets, threats, mitigations) in [
            ("push-notifications.md", 4, 6, 6),
            ("image-signing.md", 3, 6, 0),
            ("partner-sftp-export.md", 5, 6, 6),
        ] {
            let text = example(name);
            let a = analysis(&text);
            let symbols = document_symbols(&a, &text);
            check_nesting(&symbols, None);
            let mut all = Vec::new();
            flatten(&symbols, &mut all);
            let count = |k: SymbolKind| all.iter().filter(|s| s.kind == k).count();
            assert_eq!(count(SymbolKind::Asset), assets, "{name} assets");
            assert_eq!(count(SymbolKind::Threat), threats, "{name} threats");
            assert_eq!(
                count(SymbolKind::Mitigation),
                mitigations,
                "{name} mitigations"
            );
            assert_eq!(
                symbols.len(),
                1,
                "{name}: one title heading holds everything"
            );
        }
    }

    #[test]
    fn items_sit_under_their_sections() {
        let text = example("partner-sftp-export.md");
        let a = analysis(&text);
        let symbols = document_symbols(&a, &text);
        let tm = symbols[0]
            .children
            .iter()
            .find(|s| s.name == "Threat model")
            .unwrap_or_else(|| panic!("no threat model"));
        let names: Vec<&str> = tm.children.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["Scope", "Assets", "Threats", "Mitigations", "Review"]
        );
        let threats = &tm.children[2].children;
        assert_eq!(
            threats[0].name,
            "T1 A user of another tenant calls the settings API with a…"
        );
        assert_eq!(threats[0].detail.as_deref(), Some("Spoofing · High"));
        assert_eq!(threats[0].selection_range.slice(&text), "T1");
        assert_eq!(tm.children[1].children[1].name, "A2 SFTP key store");
        // Heading-form threats stand in for their headings.
        let text = example("image-signing.md");
        let a = analysis(&text);
        let mut all = Vec::new();
        let symbols = document_symbols(&a, &text);
        flatten(&symbols, &mut all);
        let th1 = all
            .iter()
            .find(|s| s.kind == SymbolKind::Threat)
            .unwrap_or_else(|| panic!("no threat"));
        assert_eq!(th1.name, "TH-1 Forged pipeline identity (High)");
        assert_eq!(th1.selection_range.slice(&text), "TH-1");
    }
}

#[cfg(test)]
mod diagram_tests {
    use super::tests::{analysis, example};
    use super::*;

    #[test]
    fn diagram_elements_boundaries_and_flows() {
        let text = example("push-notifications.md");
        let a = analysis(&text);
        let symbols = document_symbols(&a, &text);
        let mut stack: Vec<&Symbol> = symbols.iter().collect();
        let mut diagram = None;
        while let Some(s) = stack.pop() {
            if s.kind == SymbolKind::Diagram {
                diagram = Some(s);
            }
            stack.extend(s.children.iter());
        }
        let d = diagram.unwrap_or_else(|| panic!("no diagram symbol"));
        assert_eq!(d.detail.as_deref(), Some("6 elements · 5 flows"));
        let boundary = d
            .children
            .iter()
            .find(|c| c.kind == SymbolKind::Boundary)
            .unwrap_or_else(|| panic!("no boundary"));
        assert_eq!(boundary.name, "Notification backend");
        let inside: Vec<&str> = boundary.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(inside, ["Token registry API", "Device tokens", "Notifier"]);
        let flows = d
            .children
            .iter()
            .filter(|c| c.kind == SymbolKind::Flow)
            .count();
        assert_eq!(flows, 5);
    }
}
