//! From the tree-sitter-dfd syntax tree of one mermaid block to a [`Diagram`].
//!
//! Element types follow SPEC §4.6: a cylinder or a store class is a data store; an
//! external class or a parallelogram is an external entity, and so is any other node
//! outside every subgraph when the diagram has subgraphs; every other node is a process.
//!
//! Which subgraph holds a node: the one around its first declaration with a shape
//! (`api[API]`), else the one around its first mention inside any subgraph, else none.
//! So a node mentioned in an edge before the subgraph that declares it still belongs to
//! that subgraph, and an edge written inside a subgraph to a node declared elsewhere does
//! not pull that node in.

use super::{DataFlow, Diagram, Element, ElementKind, SyntaxError, TrustBoundary};
use crate::config::Config;
use crate::span::TextRange;
use std::cell::RefCell;
use std::collections::HashMap;
use tree_sitter::{Node, Parser, Point, Range};

/// Most syntax errors reported per diagram: mermaid stops at the first one, and later
/// ones are often echoes of it.
const MAX_ERRORS: usize = 3;

/// The grammar's field ids, looked up once: `child_by_field_name` compares the name
/// with every field name of the grammar on each call, which showed in the profile.
struct Fields {
    id: u16,
    title: u16,
    class: u16,
    node: u16,
    arrow_start: u16,
    arrow: u16,
    label: u16,
    shape: u16,
}

fn fields() -> &'static Fields {
    static FIELDS: std::sync::OnceLock<Fields> = std::sync::OnceLock::new();
    FIELDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_dfd::LANGUAGE.into();
        // 0 is no field: a name missing from the grammar finds no child, as before.
        let id = |name: &str| language.field_id_for_name(name).map_or(0, |f| f.get());
        Fields {
            id: id("id"),
            title: id("title"),
            class: id("class"),
            node: id("node"),
            arrow_start: id("arrow_start"),
            arrow: id("arrow"),
            label: id("label"),
            shape: id("shape"),
        }
    })
}

thread_local! {
    // A parser per thread: creating one allocates, and rayon checks many docs per thread.
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

/// Parses the block whose content is `content` (ranges into `text`) as a flowchart.
pub fn read(text: &str, block: usize, content: &[TextRange], config: &Config) -> Diagram {
    let mut diagram = Diagram {
        block,
        ..Diagram::default()
    };
    let ranges = included_ranges(text, content);
    let Some(first) = ranges.first() else {
        return diagram;
    };
    let tree = PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_dfd::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        let parser = slot.as_mut()?;
        parser.set_included_ranges(&ranges).ok()?;
        let tree = parser.parse(text, None);
        // Leave the parser ready for a block elsewhere in another document.
        parser.set_included_ranges(&[]).ok()?;
        tree
    });
    let Some(tree) = tree else {
        diagram.errors.push(SyntaxError {
            range: TextRange::new(first.start_byte, first.start_byte),
            message: "The diagram could not be read.".to_string(),
        });
        return diagram;
    };
    let mut builder = Builder::new(text);
    builder.statements(tree.root_node());
    builder.finish(config, &mut diagram);
    diagram.errors = errors(text, tree.root_node());
    diagram
}

/// The block's content as tree-sitter ranges, with row/column points computed in one
/// pass (the ranges are in text order).
fn included_ranges(text: &str, content: &[TextRange]) -> Vec<Range> {
    let mut row = 0;
    let mut line_start = 0;
    let mut scanned = 0;
    let mut point = |offset: usize| {
        let offset = offset.min(text.len());
        if offset >= scanned {
            for (i, b) in text.as_bytes()[scanned..offset].iter().enumerate() {
                if *b == b'\n' {
                    row += 1;
                    line_start = scanned + i + 1;
                }
            }
            scanned = offset;
        }
        Point::new(row, offset - line_start.min(offset))
    };
    let mut out: Vec<Range> = Vec::with_capacity(content.len());
    for r in content {
        let start = r.start.min(text.len());
        let end = r.end.min(text.len());
        if start >= end || out.last().is_some_and(|last| last.end_byte > start) {
            continue;
        }
        let start_point = point(start);
        let end_point = point(end);
        out.push(Range {
            start_byte: start,
            end_byte: end,
            start_point,
            end_point,
        });
    }
    out
}

/// What is known of a node id while the statements are read.
#[derive(Default)]
struct Seen {
    declared: bool,
    shape: Option<&'static str>,
    first_boundary: Option<Option<usize>>,
}

struct Builder<'t> {
    text: &'t str,
    elements: Vec<Element>,
    seen: Vec<Seen>,
    by_id: HashMap<String, usize>,
    flows: Vec<DataFlow>,
    boundaries: Vec<TrustBoundary>,
    /// `class a,b name`, `style a …`, `click a …`: applied once every node is known.
    later: Vec<(String, TextRange, Option<String>)>,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str) -> Self {
        Builder {
            text,
            elements: Vec::new(),
            seen: Vec::new(),
            by_id: HashMap::new(),
            flows: Vec::new(),
            boundaries: Vec::new(),
            later: Vec::new(),
        }
    }

    fn slice(&self, node: Node<'_>) -> &'t str {
        self.text.get(node.byte_range()).unwrap_or("")
    }

    /// Reads the statements of the root in source order, walking nested subgraphs with
    /// an explicit stack so that a deeply nested diagram cannot overflow the call stack.
    fn statements<'tree>(&mut self, root: Node<'tree>) {
        fn children<'tree>(node: Node<'tree>) -> Vec<Node<'tree>> {
            let mut cursor = node.walk();
            node.named_children(&mut cursor).collect()
        }
        let mut stack: Vec<(Vec<Node<'tree>>, usize, Option<usize>)> =
            vec![(children(root), 0, None)];
        while let Some((nodes, next, boundary)) = stack.last_mut() {
            let Some(&child) = nodes.get(*next) else {
                stack.pop();
                continue;
            };
            *next += 1;
            let boundary = *boundary;
            if child.kind() == "subgraph" {
                let index = self.subgraph(child, boundary);
                stack.push((children(child), 0, Some(index)));
            } else {
                self.statement(child, boundary);
            }
        }
    }

    fn subgraph(&mut self, node: Node<'_>, parent: Option<usize>) -> usize {
        let id_node = node.child_by_field_id(fields().id);
        let id = id_node.map_or("", |n| self.slice(n)).trim().to_string();
        let title = node
            .child_by_field_id(fields().title)
            .map(|n| clean_label(self.slice(n)))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| id.clone());
        let id_range = id_node.map_or(TextRange::empty(node.start_byte()), |n| {
            TextRange::from(n.byte_range())
        });
        self.boundaries.push(TrustBoundary {
            id,
            title,
            range: TextRange::from(node.byte_range()),
            id_range,
            parent,
        });
        self.boundaries.len() - 1
    }

    fn statement(&mut self, node: Node<'_>, boundary: Option<usize>) {
        match node.kind() {
            "node_statement" => {
                for n in nodes_in(node) {
                    self.mention(n, boundary);
                }
            }
            "edge_statement" => self.edge_statement(node, boundary),
            "class_statement" => {
                let class = node
                    .child_by_field_id(fields().class)
                    .map(|n| self.slice(n).trim().to_string());
                let mut cursor = node.walk();
                let targets: Vec<Node<'_>> = match std::num::NonZeroU16::new(fields().node) {
                    Some(field) => node.children_by_field_id(field, &mut cursor).collect(),
                    None => Vec::new(),
                };
                for n in targets {
                    let id = self.slice(n).trim().to_string();
                    self.later
                        .push((id, TextRange::from(n.byte_range()), class.clone()));
                }
            }
            "style_statement" | "click_statement" => {
                if let Some(n) = node.child_by_field_id(fields().node) {
                    let id = self.slice(n).trim().to_string();
                    self.later.push((id, TextRange::from(n.byte_range()), None));
                }
            }
            _ => {}
        }
    }

    /// `a & b --> c -.-> d`: a flow from every node of a group to every node of the next.
    fn edge_statement(&mut self, node: Node<'_>, boundary: Option<usize>) {
        let mut groups: Vec<Vec<(usize, TextRange)>> = Vec::new();
        let mut links: Vec<Node<'_>> = Vec::new();
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            match child.kind() {
                "node_group" | "node" => {
                    let group: Vec<(usize, TextRange)> = nodes_in(child)
                        .into_iter()
                        .filter_map(|n| {
                            let index = self.mention(n, boundary)?;
                            Some((index, TextRange::from(n.byte_range())))
                        })
                        .collect();
                    groups.push(group);
                }
                "link" => links.push(child),
                _ => {}
            }
        }
        for (i, link) in links.iter().enumerate() {
            let (Some(from), Some(to)) = (groups.get(i), groups.get(i + 1)) else {
                continue;
            };
            // `a <-- label --> b` keeps the opening half in `arrow_start`.
            let arrow_start = link
                .child_by_field_id(fields().arrow_start)
                .or_else(|| link.child_by_field_id(fields().arrow))
                .map_or("", |n| self.slice(n));
            let label = link
                .child_by_field_id(fields().label)
                .map(|n| clean_label(self.slice(n)))
                .filter(|l| !l.is_empty());
            for &(a, a_range) in from {
                for &(b, b_range) in to {
                    let start = a_range.start.min(b_range.start);
                    let end = b_range.end.max(a_range.end);
                    self.flows.push(DataFlow {
                        from: a,
                        to: b,
                        label: label.clone(),
                        range: TextRange::new(start, end),
                        bidirectional: arrow_start.starts_with('<'),
                        crosses_boundary: false,
                    });
                }
            }
        }
    }

    /// Records one occurrence of a `node`; returns its element index.
    fn mention(&mut self, node: Node<'_>, boundary: Option<usize>) -> Option<usize> {
        let id_node = node.child_by_field_id(fields().id)?;
        let id = self.slice(id_node).trim().to_string();
        if id.is_empty() {
            return None;
        }
        let id_range = TextRange::from(id_node.byte_range());
        let index = match self.by_id.get(&id) {
            Some(&i) => i,
            None => {
                self.elements.push(Element {
                    id: id.clone(),
                    label: id.clone(),
                    kind: ElementKind::Process,
                    range: TextRange::from(node.byte_range()),
                    id_ranges: Vec::new(),
                    boundary: None,
                    classes: Vec::new(),
                });
                self.seen.push(Seen::default());
                self.by_id.insert(id, self.elements.len() - 1);
                self.elements.len() - 1
            }
        };
        let shape = node.child_by_field_id(fields().shape);
        let class = node
            .child_by_field_id(fields().class)
            .map(|n| self.slice(n).trim_start_matches(':').trim().to_string());
        let label = shape
            .and_then(|s| s.child_by_field_id(fields().label))
            .map(|l| clean_label(self.slice(l)));
        let (element, seen) = (self.elements.get_mut(index)?, self.seen.get_mut(index)?);
        element.id_ranges.push(id_range);
        if let Some(class) = class.filter(|c| !c.is_empty()) {
            element.classes.push(class);
        }
        if let Some(shape) = shape
            && !seen.declared
        {
            seen.declared = true;
            seen.shape = Some(shape_kind(shape.kind()));
            element.range = TextRange::from(node.byte_range());
            if let Some(label) = label.filter(|l| !l.is_empty()) {
                element.label = label;
            }
            element.boundary = boundary;
            seen.first_boundary = Some(boundary);
        } else if !seen.declared && boundary.is_some() && seen.first_boundary.is_none() {
            element.boundary = boundary;
            seen.first_boundary = Some(boundary);
        }
        Some(index)
    }

    fn finish(mut self, config: &Config, diagram: &mut Diagram) {
        for (id, range, class) in std::mem::take(&mut self.later) {
            let Some(element) = self.by_id.get(&id).and_then(|&i| self.elements.get_mut(i)) else {
                continue;
            };
            element.id_ranges.push(range);
            if let Some(class) = class {
                element
                    .classes
                    .extend(class.split(',').map(|c| c.trim().to_string()));
            }
        }
        let has_subgraphs = !self.boundaries.is_empty();
        let is_class = |e: &Element, names: &[String]| {
            e.classes
                .iter()
                .any(|c| names.iter().any(|n| n.eq_ignore_ascii_case(c)))
        };
        for (element, seen) in self.elements.iter_mut().zip(&self.seen) {
            let shape = seen.shape.unwrap_or("");
            element.kind =
                if shape == "cylinder" || is_class(element, &config.element_classes.data_store) {
                    ElementKind::DataStore
                } else if is_class(element, &config.element_classes.external_entity)
                    || matches!(shape, "parallelogram" | "parallelogram_alt")
                    || (has_subgraphs && element.boundary.is_none())
                {
                    ElementKind::ExternalEntity
                } else {
                    ElementKind::Process
                };
            element.id_ranges.sort();
            element.id_ranges.dedup();
        }
        for flow in &mut self.flows {
            let side = |i: usize| self.elements.get(i).and_then(|e| e.boundary);
            flow.crosses_boundary = side(flow.from) != side(flow.to);
        }
        diagram.elements = self.elements;
        diagram.flows = self.flows;
        diagram.boundaries = self.boundaries;
    }
}

/// The `node`s of a node statement or group, in order.
fn nodes_in(node: Node<'_>) -> Vec<Node<'_>> {
    if node.kind() == "node" {
        return vec![node];
    }
    let mut out = Vec::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "node" => out.push(child),
            "node_group" => out.extend(nodes_in(child)),
            _ => {}
        }
    }
    out
}

/// The grammar's shape node kinds that decide an element's type, as static strings.
fn shape_kind(kind: &str) -> &'static str {
    match kind {
        "cylinder" => "cylinder",
        "parallelogram" => "parallelogram",
        "parallelogram_alt" => "parallelogram_alt",
        _ => "other",
    }
}

/// A label as a reader sees it: without quotes, markdown-string backticks, `<br>` line
/// breaks or runs of spaces.
pub fn clean_label(raw: &str) -> String {
    let mut s = raw.trim();
    for (open, close) in [("\"`", "`\""), ("\"", "\""), ("`", "`")] {
        if s.len() >= open.len() + close.len() && s.starts_with(open) && s.ends_with(close) {
            s = &s[open.len()..s.len() - close.len()];
            break;
        }
    }
    let s = s
        .replace("<br/>", " ")
        .replace("<br />", " ")
        .replace("<br>", " ")
        .replace("\\n", " ");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where to report a MISSING node: a missing `end` at its subgraph's `subgraph` keyword
/// (the subgraph that was never closed); anything else right after what precedes it (the
/// arrow whose target is missing, the label whose bracket is not closed), not at the
/// start of the next line where the parser noticed.
fn missing_at(node: Node<'_>) -> TextRange {
    if node.kind() == "end"
        && let Some(keyword) = node.parent().and_then(|p| p.child(0))
    {
        return TextRange::from(keyword.byte_range());
    }
    // The missing node may be the first of its own parents (a node inside a group):
    // climb until something precedes it.
    let mut current = node;
    let at = loop {
        if let Some(previous) = current.prev_sibling() {
            break previous.end_byte().min(node.start_byte());
        }
        match current.parent() {
            Some(parent) => current = parent,
            None => break node.start_byte(),
        }
    };
    TextRange::new(at, at)
}

/// Every ERROR and MISSING node, first ones first.
fn errors(text: &str, root: Node<'_>) -> Vec<SyntaxError> {
    let mut out = Vec::new();
    if !root.has_error() {
        return out;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        if out.len() >= MAX_ERRORS {
            break;
        }
        if node.is_missing() {
            out.push(SyntaxError {
                range: missing_at(node),
                message: match node.kind() {
                    "identifier" => "Mermaid expects a node id here.".to_string(),
                    "end" => "Mermaid expects `end` here, to close the subgraph.".to_string(),
                    kind => format!("Mermaid expects `{kind}` here."),
                },
            });
            continue;
        }
        if node.is_error() {
            let range = TextRange::from(node.byte_range());
            let snippet: String = range.slice(text).trim().chars().take(40).collect();
            let message = if snippet.is_empty() {
                "Mermaid cannot read the diagram here.".to_string()
            } else {
                format!("Mermaid cannot read `{snippet}` here.")
            };
            out.push(SyntaxError { range, message });
            continue;
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node
            .children(&mut cursor)
            .filter(|c| c.has_error() || c.is_missing() || c.is_error())
            .collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagram::{Diagram, ElementKind};
    use crate::document::Document;

    fn diagram(md: &str) -> Diagram {
        diagram_with(md, &Config::default())
    }

    fn diagram_with(md: &str, config: &Config) -> Diagram {
        let doc = Document::parse(md, config);
        doc.diagrams.into_iter().next().expect("one flowchart")
    }

    fn fenced(body: &str) -> String {
        format!("# D\n\n```mermaid\n{body}```\n")
    }

    fn kinds(d: &Diagram) -> Vec<(&str, ElementKind)> {
        d.elements.iter().map(|e| (e.id.as_str(), e.kind)).collect()
    }

    #[test]
    fn element_types_follow_shapes_classes_and_boundaries() {
        use ElementKind::*;
        let d = diagram(&fenced(
            "flowchart LR\n  user[/Shopper/]\n  partner:::external\n  legacy[\\Legacy CRM\\]\n  subgraph vpc [VPC]\n    api[API]\n    db[(Orders)]\n    cache:::store\n    q{{Queue}}\n  end\n  audit[(Audit log)]\n  cron((Nightly job))\n",
        ));
        assert_eq!(
            kinds(&d),
            [
                ("user", ExternalEntity),
                ("partner", ExternalEntity),
                ("legacy", ExternalEntity),
                ("api", Process),
                ("db", DataStore),
                ("cache", DataStore),
                ("q", Process),
                ("audit", DataStore),
                // Outside every subgraph of a diagram that has some.
                ("cron", ExternalEntity),
            ]
        );
        let without_subgraphs = diagram(&fenced("graph TD\n  a[A] --> b((B))\n  b --> c[(C)]\n"));
        assert_eq!(
            kinds(&without_subgraphs),
            [("a", Process), ("b", Process), ("c", DataStore)]
        );
    }

    #[test]
    fn configured_classes_type_elements() {
        let (config, _) = Config::from_toml(
            "[element_classes]\ndata_store = [\"db\"]\nexternal_entity = [\"thirdparty\"]\n",
        )
        .expect("valid config");
        let d = diagram_with(
            &fenced("flowchart LR\n  a:::db --> b\n  class b thirdparty\n  c:::store\n"),
            &config,
        );
        assert_eq!(
            kinds(&d),
            [
                ("a", ElementKind::DataStore),
                ("b", ElementKind::ExternalEntity),
                // `store` is no longer a store class once the list is replaced.
                ("c", ElementKind::Process),
            ]
        );
    }

    #[test]
    fn labels_are_cleaned() {
        let d = diagram(&fenced(
            "flowchart LR\n  a[\"Card <br> vault\"] --> b[\"`**Ledger** DB`\"]\n  c([  spaced   out  ])\n",
        ));
        let labels: Vec<&str> = d.elements.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["Card vault", "**Ledger** DB", "spaced out"]);
    }

    #[test]
    fn flows_chains_groups_and_boundary_crossing() {
        let md = fenced(
            "flowchart LR\n  user[/User/] -->|login| api\n  subgraph vpc [VPC]\n    api[API] & worker((Worker)) --> db[(DB)] -.-> replica[(Replica)]\n  end\n  api <-->|sync| partner[/Partner/]\n  partner <-- \"audit copy\" --> api\n",
        );
        let d = diagram(&md);
        let flows: Vec<(String, Option<&str>, bool, bool)> = (0..d.flows.len())
            .map(|i| {
                let f = &d.flows[i];
                (
                    d.flow_name(i),
                    f.label.as_deref(),
                    f.crosses_boundary,
                    f.bidirectional,
                )
            })
            .collect();
        assert_eq!(
            flows,
            [
                ("User → API".to_string(), Some("login"), true, false),
                ("API → DB".to_string(), None, false, false),
                ("Worker → DB".to_string(), None, false, false),
                ("DB → Replica".to_string(), None, false, false),
                ("API → Partner".to_string(), Some("sync"), true, true),
                ("Partner → API".to_string(), Some("audit copy"), true, true),
            ]
        );
        // A flow's range runs from its source node to its target node.
        assert_eq!(d.flows[0].range.slice(&md), "user[/User/] -->|login| api");
        assert_eq!(
            d.flows[3].range.slice(&md),
            "db[(DB)] -.-> replica[(Replica)]"
        );
        assert!(d.on_boundary(0) && !d.on_boundary(2));
    }

    #[test]
    fn nested_subgraphs_and_a_node_referenced_before_its_subgraph() {
        let md = fenced(
            "flowchart TB\n  browser[/Browser/] --> gw\n  gw --> svc\n  subgraph cloud [Cloud account]\n    direction TB\n    gw[Gateway]\n    subgraph cluster [\"K8s cluster\"]\n      svc((Service)) --> db[(DB)]\n    end\n  end\n",
        );
        let d = diagram(&md);
        let titles: Vec<(&str, &str, Option<usize>)> = d
            .boundaries
            .iter()
            .map(|b| (b.id.as_str(), b.title.as_str(), b.parent))
            .collect();
        assert_eq!(
            titles,
            [
                ("cloud", "Cloud account", None),
                ("cluster", "K8s cluster", Some(0))
            ]
        );
        let at = |id: &str| d.element(id).and_then(|e| e.boundary);
        assert_eq!(at("browser"), None);
        assert_eq!(
            at("gw"),
            Some(0),
            "declared in `cloud` after its first mention"
        );
        assert_eq!(at("svc"), Some(1));
        assert_eq!(at("db"), Some(1));
        let crossing: Vec<bool> = d.flows.iter().map(|f| f.crosses_boundary).collect();
        // browser→gw crosses into the cloud; gw→svc crosses into the cluster; svc→db does not.
        assert_eq!(crossing, [true, true, false]);
        assert_eq!(
            d.element("gw").map(|e| e.range.slice(&md)),
            Some("gw[Gateway]")
        );
        assert_eq!(
            d.boundaries[1]
                .range
                .slice(&md)
                .lines()
                .last()
                .map(str::trim),
            Some("end")
        );
    }

    #[test]
    fn id_ranges_cover_every_mention() {
        let md = fenced(
            "flowchart LR\n  a[(A)] --> b\n  b --> a\n  class a store\n  style a fill:#f9f\n  click a \"https://example.invalid\"\n",
        );
        let d = diagram(&md);
        let a = d.element("a").expect("a");
        assert_eq!(a.id_ranges.len(), 5);
        assert!(a.id_ranges.iter().all(|r| r.slice(&md) == "a"));
    }

    #[test]
    fn positions_are_exact_inside_a_list_item_with_crlf() {
        let md = "# D\r\n\r\n- Diagram:\r\n\r\n  ```mermaid\r\n  flowchart LR\r\n    subgraph vpc [VPC]\r\n      api((API)) --> db[(Orders DB)]\r\n    end\r\n    user[/User/] --> api\r\n  ```\r\n";
        let d = diagram(md);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let slice = |id: &str| d.element(id).map(|e| e.range.slice(md));
        assert_eq!(slice("db"), Some("db[(Orders DB)]"));
        assert_eq!(slice("user"), Some("user[/User/]"));
        assert_eq!(
            d.element("db").map(|e| e.kind),
            Some(ElementKind::DataStore)
        );
        assert_eq!(d.flows[1].range.slice(md), "user[/User/] --> api");
        assert!(d.flows[1].crosses_boundary);
    }

    #[test]
    fn positions_are_exact_inside_a_blockquote() {
        let md = "# D\n\n> ```mermaid\n> flowchart LR\n>   a[A] --> b[(B)]\n> ```\n";
        let d = diagram(md);
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        assert_eq!(d.element("b").map(|e| e.range.slice(md)), Some("b[(B)]"));
    }

    #[test]
    fn syntax_errors_point_at_the_mistake() {
        let md = fenced("flowchart LR\n  a[A] --> b[B\n  b --> c\n");
        let d = diagram(&md);
        let first = d.errors.first().expect("an error");
        let line_of = |offset: usize| md[..offset].matches('\n').count() + 1;
        assert_eq!(line_of(first.range.start), 5, "{first:?}");
        assert!(first.message.contains('`'), "{}", first.message);

        let dangling = fenced("flowchart LR\n  a --> \n");
        let d = diagram(&dangling);
        assert!(
            d.errors.iter().any(|e| e.message.contains("node id")),
            "{:?}",
            d.errors
        );

        // A missing `end` is reported at the subgraph it would close.
        let unclosed = fenced("flowchart LR\n  subgraph vpc\n    a --> b\n");
        let d = diagram(&unclosed);
        assert_eq!(
            d.errors.first().map(|e| e.range.slice(&unclosed)),
            Some("subgraph"),
            "{:?}",
            d.errors
        );
        // A dangling arrow before `end`: right after the arrow, not on the `end` line.
        let dangling = fenced("flowchart LR\n  subgraph vpc\n    a -->\n  end\n");
        let d = diagram(&dangling);
        let at = d.errors.first().map(|e| e.range.start).unwrap_or(0);
        assert!(dangling[..at].ends_with("a -->"), "{:?}", d.errors);
    }

    #[test]
    fn only_flowcharts_are_read() {
        let doc = Document::parse(
            "# D\n\n```mermaid\nsequenceDiagram\n  A->>B: hi\n```\n",
            &Config::default(),
        );
        assert!(doc.diagrams.is_empty());
    }

    #[test]
    fn a_deeply_nested_diagram_does_not_overflow() {
        let depth = 3_000;
        let mut body = String::from("flowchart LR\n");
        for i in 0..depth {
            body.push_str(&format!("subgraph s{i}\n"));
        }
        body.push_str("a[(A)] --> b\n");
        for _ in 0..depth {
            body.push_str("end\n");
        }
        let d = diagram(&fenced(&body));
        assert_eq!(d.boundaries.len(), depth);
        assert_eq!(d.element("a").and_then(|e| e.boundary), Some(depth - 1));
    }
}
