//! Tests of the grammar through the real binding: every corpus input, the error-recovery
//! positions the engine reports as TM060, the node names the engine lowers from, and the
//! queries shipped for editors.

use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser, Query, QueryCursor, StreamingIterator, Tree};

/// The corpus file whose cases are deliberate mistakes; every other case must parse
/// without an ERROR or MISSING node.
const ERRORS_FILE: &str = "errors.txt";

struct Case {
    file: String,
    name: String,
    input: String,
    expected: String,
}

fn parse(source: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&crate::LANGUAGE.into())
        .expect("the dfd grammar loads");
    parser.parse(source, None).expect("a parse without timeout")
}

/// Every ERROR or MISSING node of the tree, in document order.
fn problems(tree: &Tree) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            found.push(node);
        }
        // Descend unless this subtree is clean; else go to the next sibling or up.
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return found;
            }
        }
    }
}

fn is_delimiter(line: &str, ch: char) -> bool {
    let line = line.trim_end_matches(['\r', '\n']);
    line.len() >= 3 && line.chars().all(|c| c == ch)
}

/// Reads `test/corpus/*.txt` the way `tree-sitter test` 0.27 does for the plain format
/// used there: a `===` header around the name, the input, then the longest `---` line
/// (the later one on a tie) before the expected tree; the input's last newline is not
/// part of it.
fn corpus() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("test/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("test/corpus exists")
        .map(|entry| entry.expect("readable corpus entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "txt"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let file = path
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 file name")
            .to_string();
        let text = std::fs::read_to_string(&path).expect("readable corpus file");
        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut headers = Vec::new(); // (name, first body line, header start line)
        let mut i = 0;
        while i < lines.len() {
            if is_delimiter(lines[i], '=') {
                let close = (i + 1..lines.len()).find(|&j| is_delimiter(lines[j], '='));
                let close = close.unwrap_or_else(|| panic!("{file}: unclosed header"));
                let name = lines[i + 1..close].concat().trim().to_string();
                headers.push((name, close + 1, i));
                i = close + 1;
            } else {
                i += 1;
            }
        }
        for (k, (name, body_start, _)) in headers.iter().enumerate() {
            let body_end = headers.get(k + 1).map_or(lines.len(), |h| h.2);
            let body = &lines[*body_start..body_end];
            let divider = body
                .iter()
                .enumerate()
                .filter(|(_, l)| is_delimiter(l, '-'))
                .max_by_key(|(j, l)| (l.trim_end().len(), *j))
                .map(|(j, _)| j)
                .unwrap_or_else(|| panic!("{file}: {name}: no --- divider"));
            let mut input = body[..divider].concat();
            if input.ends_with('\n') {
                input.pop();
            }
            if input.ends_with('\r') {
                input.pop();
            }
            cases.push(Case {
                file: file.clone(),
                name: name.clone(),
                input,
                expected: body[divider + 1..].concat(),
            });
        }
    }
    cases
}

#[test]
fn the_corpus_has_every_file_and_ten_realistic_diagrams() {
    let cases = corpus();
    for file in [
        "errors.txt",
        "header.txt",
        "links.txt",
        "realistic.txt",
        "shapes.txt",
        "styling.txt",
        "subgraphs.txt",
    ] {
        assert!(cases.iter().any(|c| c.file == file), "no case in {file}");
    }
    let realistic = cases.iter().filter(|c| c.file == "realistic.txt").count();
    assert!(realistic >= 10, "only {realistic} realistic diagrams");
}

#[test]
fn no_case_outside_the_error_file_has_an_error_node() {
    let mut failures = Vec::new();
    for case in corpus().iter().filter(|c| c.file != ERRORS_FILE) {
        let tree = parse(&case.input);
        let found = problems(&tree);
        if !found.is_empty() || tree.root_node().has_error() {
            let at: Vec<String> = found
                .iter()
                .map(|n| format!("{} at {:?}", n.to_sexp(), n.byte_range()))
                .collect();
            failures.push(format!("{} / {}: {}", case.file, case.name, at.join(", ")));
        }
        // The expected tree must not bless an error either.
        if case.expected.contains("ERROR") || case.expected.contains("MISSING") {
            failures.push(format!("{} / {}: expects an error", case.file, case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_error_case_yields_small_errors_and_keeps_the_rest_of_the_diagram() {
    let cases: Vec<Case> = corpus()
        .into_iter()
        .filter(|c| c.file == ERRORS_FILE)
        .collect();
    assert!(cases.len() >= 5);
    for case in &cases {
        let tree = parse(&case.input);
        let root = tree.root_node();
        assert!(root.has_error(), "{}: parsed without an error", case.name);
        assert!(
            !root.is_error(),
            "{}: the whole file is an ERROR",
            case.name
        );
        for node in problems(&tree) {
            // An error covers at most the rest of one line, never the whole file.
            let text = &case.input[node.byte_range()];
            assert!(
                !text.trim().contains('\n'),
                "{}: error {:?} spans lines: {text:?}",
                case.name,
                node.byte_range()
            );
        }
        // The diagram's last line is well-formed in every case and must still be read:
        // its first word is a node id outside any ERROR.
        let text = case.input.trim_end();
        let last_line = text.rfind('\n').map_or(0, |i| i + 1);
        let first_word = last_line + text[last_line..].len() - text[last_line..].trim_start().len();
        let node = root
            .descendant_for_byte_range(first_word, first_word + 1)
            .expect("a node at the last line");
        assert_eq!(
            node.kind(),
            "identifier",
            "{}: last line not read",
            case.name
        );
        let mut ancestor = node.parent();
        while let Some(a) = ancestor {
            assert!(!a.is_error(), "{}: last line inside an ERROR", case.name);
            ancestor = a.parent();
        }
    }
}

/// Byte offset of the end of `needle`'s first occurrence in `source`.
fn end_of(source: &str, needle: &str) -> usize {
    source.find(needle).expect("needle in source") + needle.len()
}

#[test]
fn an_unclosed_bracket_is_a_missing_bracket_right_after_the_label() {
    let source = "flowchart LR\n  a[Foo\n  b --> c\n";
    let tree = parse(source);
    let found = problems(&tree);
    assert_eq!(found.len(), 1, "{}", tree.root_node().to_sexp());
    let missing = found[0];
    assert!(missing.is_missing());
    assert_eq!(missing.kind(), "]");
    assert_eq!(missing.start_byte(), end_of(source, "a[Foo"));
}

#[test]
fn a_link_may_continue_on_the_next_line_as_in_mermaid() {
    let source = "flowchart LR\n  a -->\n  b --> c\n";
    let tree = parse(source);
    assert!(
        !tree.root_node().has_error(),
        "{}",
        tree.root_node().to_sexp()
    );
    let edge = tree.root_node().named_child(1).expect("the edge statement");
    assert_eq!(edge.kind(), "edge_statement");
    assert_eq!(
        edge.named_child_count(),
        5,
        "a --> b --> c: {}",
        edge.to_sexp()
    );
}

#[test]
fn a_dangling_arrow_is_a_missing_node_where_the_target_should_be() {
    // At the end of the text.
    let source = "flowchart LR\n  b --> c\n  a -->";
    let tree = parse(source);
    let found = problems(&tree);
    assert_eq!(found.len(), 1, "{}", tree.root_node().to_sexp());
    assert!(found[0].is_missing());
    assert_eq!(found[0].kind(), "identifier");
    assert_eq!(found[0].start_byte(), source.len());

    // Before a subgraph's `end`, which stays the subgraph's end (never a node).
    let source = "flowchart LR\n  subgraph s\n    a -->\n  end\n  c --> d\n";
    let tree = parse(source);
    let found = problems(&tree);
    assert_eq!(found.len(), 1, "{}", tree.root_node().to_sexp());
    assert!(found[0].is_missing());
    assert_eq!(found[0].kind(), "identifier");
    let at = found[0].start_byte();
    assert!(
        at >= end_of(source, "a -->") && at <= source.find("end").expect("end"),
        "MISSING at {at}"
    );
    let subgraph = tree.root_node().named_child(1).expect("the subgraph");
    assert_eq!(subgraph.kind(), "subgraph");
    assert_eq!(subgraph.end_byte(), end_of(source, "  end"));
}

#[test]
fn a_missing_end_is_reported_inside_the_open_subgraph() {
    let source = "flowchart LR\n  subgraph vpc [VPC]\n    a --> b\n";
    let tree = parse(source);
    let found = problems(&tree);
    assert_eq!(found.len(), 1, "{}", tree.root_node().to_sexp());
    let missing = found[0];
    assert!(missing.is_missing());
    assert_eq!(missing.kind(), "end");
    let subgraph = missing.parent().expect("the MISSING end has a parent");
    assert_eq!(subgraph.kind(), "subgraph");
    assert_eq!(
        subgraph.start_byte(),
        source.find("subgraph").expect("keyword")
    );
}

#[test]
fn the_node_kinds_and_fields_the_engine_lowers_from_exist() {
    let language: tree_sitter::Language = crate::LANGUAGE.into();
    for kind in [
        "source_file",
        "flowchart_header",
        "direction",
        "node_statement",
        "edge_statement",
        "node_group",
        "node",
        "identifier",
        "class_shorthand",
        "rectangle",
        "round",
        "stadium",
        "subroutine",
        "cylinder",
        "circle",
        "double_circle",
        "asymmetric",
        "rhombus",
        "hexagon",
        "parallelogram",
        "parallelogram_alt",
        "trapezoid",
        "trapezoid_alt",
        "label_text",
        "string",
        "markdown_string",
        "link",
        "arrow",
        "arrow_start",
        "subgraph",
        "direction_statement",
        "class_statement",
        "class_def",
        "style_statement",
        "link_style",
        "click_statement",
        "accessibility_statement",
        "shape_data",
        "property",
        "front_matter",
        "comment",
    ] {
        assert_ne!(language.id_for_node_kind(kind, true), 0, "no node {kind}");
        assert!(
            crate::NODE_TYPES.contains(&format!("\"type\": \"{kind}\"")),
            "{kind} missing from NODE_TYPES"
        );
    }
    for field in [
        "header",
        "keyword",
        "direction",
        "id",
        "shape",
        "class",
        "label",
        "arrow",
        "title",
        "node",
    ] {
        assert!(
            language.field_id_for_name(field).is_some(),
            "no field {field}"
        );
    }
}

#[test]
fn the_highlights_query_compiles_and_marks_arrows_and_labels() {
    let language: tree_sitter::Language = crate::LANGUAGE.into();
    let query = Query::new(&language, crate::HIGHLIGHTS_QUERY).expect("highlights compile");
    let source = "flowchart LR\n  a[Browser] -->|HTTPS| b[(DB)]\n";
    let tree = parse(source);
    let mut cursor = QueryCursor::new();
    let mut captures = cursor.captures(&query, tree.root_node(), source.as_bytes());
    let mut seen = Vec::new();
    while let Some((m, index)) = captures.next() {
        let capture = m.captures()[*index];
        let name = query.capture_names()[capture.index as usize];
        seen.push((name, &source[capture.node.byte_range()]));
    }
    assert!(seen.contains(&("operator", "-->")), "{seen:?}");
    assert!(seen.contains(&("string", "Browser")), "{seen:?}");
    assert!(seen.contains(&("keyword", "flowchart")), "{seen:?}");
    assert!(seen.contains(&("constant", "LR")), "{seen:?}");
}

/// The injection query is written for the markdown grammar, so it is checked against
/// tree-sitter-md: it must compile there and pick out exactly the mermaid fence's content.
#[test]
fn the_injection_query_hands_mermaid_fences_to_dfd() {
    let markdown: tree_sitter::Language = tree_sitter_md::LANGUAGE.into();
    let query = Query::new(&markdown, crate::INJECTIONS_QUERY).expect("injections compile");
    let diagram = "flowchart LR\n  a[Browser] -->|HTTPS| b[(DB)]\n";
    let doc =
        format!("# Design\n\n```rust\nfn main() {{}}\n```\n\n```mermaid\n{diagram}```\n\nText.\n");
    let mut parser = Parser::new();
    parser.set_language(&markdown).expect("markdown loads");
    let tree = parser.parse(&doc, None).expect("markdown parses");

    let content = query
        .capture_index_for_name("injection.content")
        .expect("an injection.content capture");
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&query, tree.root_node(), doc.as_bytes());
    let mut injected = Vec::new();
    while let Some(m) = matches.next() {
        let language = query
            .property_settings(m.pattern_index)
            .iter()
            .find(|p| &*p.key == "injection.language")
            .and_then(|p| p.value.as_deref())
            .map(str::to_string);
        for capture in m.captures().iter().filter(|c| c.index == content) {
            injected.push((language.clone(), &doc[capture.node.byte_range()]));
        }
    }
    assert_eq!(injected, vec![(Some("dfd".to_string()), diagram)]);
    assert!(!parse(diagram).root_node().has_error());
}

/// Kept out of the corpus: `tree-sitter test --update` and editors rewrite CRLF there.
#[test]
fn crlf_and_cr_line_endings_separate_statements() {
    for eol in ["\r\n", "\r"] {
        let source = ["flowchart LR", "  a --> b", "  %% note", "  b --> c", ""].join(eol);
        let tree = parse(&source);
        let root = tree.root_node();
        assert!(!root.has_error(), "{eol:?}: {}", root.to_sexp());
        let mut walk = root.walk();
        let edges = root
            .named_children(&mut walk)
            .filter(|n| n.kind() == "edge_statement")
            .count();
        assert_eq!(edges, 2, "{eol:?}: {}", root.to_sexp());
    }
}
