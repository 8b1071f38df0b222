/**
 * @file The mermaid flowchart subset threatmark reads as a data-flow diagram (SPEC §4.6).
 * @license MIT OR Apache-2.0
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Unquoted label text. Each variant stops at its shape's closing bracket, never begins
// with a quote (that is a `string`) and never ends in whitespace, so a label's range is
// exactly its visible text.
const TEXT_NOT = (stop) =>
  new RegExp(`[^\\s"${stop}]([^\\r\\n${stop}]*[^\\s${stop}])?`);

// Text between the two halves of a labelled link (`-- text -->`, `-. text .->`,
// `== text ==>`): it may hold single dashes, dots or equals signs but never the run that
// starts the closing half, and it ends on a visible character.
const SOLID_LINK_TEXT = /[^\s\-"](([ \t]|-[ \t])*-?[^\s\-])*/;
const DOTTED_LINK_TEXT = /[^\s.\-"](([ \t\-]|\.+[ \t])*\.*[^\s.\-])*/;
const THICK_LINK_TEXT = /[^\s="](([ \t]|=[ \t])*=?[^\s=])*/;

module.exports = grammar({
  name: 'dfd',

  // Newlines separate statements, so only horizontal space is skipped.
  extras: $ => [/[ \t\f\u00a0\ufeff]/, $.comment],

  word: $ => $.identifier,

  // As in mermaid, `end` is never a node id, so a stray `end` cannot swallow a link's
  // target or leave a subgraph open by being read as a node.
  reserved: {
    global: _ => ['end'],
  },

  rules: {
    source_file: $ => seq(
      optional(field('front_matter', $.front_matter)),
      repeat($._terminator),
      optional(seq(
        choice(field('header', $.flowchart_header), $._statement),
        repeat(seq($._terminator, optional($._statement))),
      )),
    ),

    // A YAML block (`---` … `---`) mermaid accepts before the header, e.g. for a title.
    front_matter: _ => token(seq(
      /---[ \t]*(\r?\n|\r)/,
      repeat(seq(optional(choice('-', '--')), optional(/[^\-\r\n][^\r\n]*/), /\r?\n|\r/)),
      /---[ \t]*/,
    )),

    flowchart_header: $ => seq(
      field('keyword', choice('flowchart', 'graph')),
      optional(field('direction', $.direction)),
    ),

    direction: _ => choice('TB', 'TD', 'BT', 'RL', 'LR'),

    _terminator: $ => choice(';', $._newline),
    _newline: _ => /\r?\n|\r/,

    _statement: $ => choice(
      $.node_statement,
      $.edge_statement,
      $.subgraph,
      $.direction_statement,
      $.class_statement,
      $.class_def,
      $.style_statement,
      $.link_style,
      $.click_statement,
      $.accessibility_statement,
    ),

    // `a[Foo] & b` on its own: declares nodes, draws nothing.
    node_statement: $ => $._node_list,

    // `a & b --> c -.->|x| d`: groups and links in source order.
    // Mermaid lets a line end after an arrow and the target follow on the next line.
    edge_statement: $ => seq(
      $.node_group,
      repeat1(seq($.link, repeat($._newline), $.node_group)),
    ),

    node_group: $ => $._node_list,

    _node_list: $ => seq($.node, repeat(seq('&', $.node))),

    node: $ => seq(
      field('id', $.identifier),
      optional(choice(
        field('shape', $._shape),
        field('data', $.shape_data),
      )),
      optional(field('class', $.class_shorthand)),
    ),

    class_shorthand: $ => seq(':::', $.identifier),

    // Mermaid 11's `id@{ shape: cyl, label: "Orders" }`: key/value pairs, kept as text.
    shape_data: $ => seq(
      '@{',
      repeat(choice($.property, ',', $._newline)),
      '}',
    ),

    property: $ => seq(
      field('key', $.identifier),
      ':',
      field('value', choice($.string, $.property_value)),
    ),

    property_value: _ => token(/[^\s,}"]([^,}\r\n]*[^\s,}])?/),

    _shape: $ => choice(
      $.rectangle,
      $.round,
      $.stadium,
      $.subroutine,
      $.cylinder,
      $.circle,
      $.double_circle,
      $.asymmetric,
      $.rhombus,
      $.hexagon,
      $.parallelogram,
      $.parallelogram_alt,
      $.trapezoid,
      $.trapezoid_alt,
    ),

    rectangle: $ => seq('[', field('label', $._label_square), ']'),
    round: $ => seq('(', field('label', $._label_round), ')'),
    stadium: $ => seq('([', field('label', $._label_square), '])'),
    subroutine: $ => seq('[[', field('label', $._label_square), ']]'),
    cylinder: $ => seq('[(', field('label', $._label_round), ')]'),
    circle: $ => seq('((', field('label', $._label_round), '))'),
    double_circle: $ => seq('(((', field('label', $._label_round), ')))'),
    asymmetric: $ => seq('>', field('label', $._label_square), ']'),
    rhombus: $ => seq('{', field('label', $._label_curly), '}'),
    hexagon: $ => seq('{{', field('label', $._label_curly), '}}'),
    parallelogram: $ => seq('[/', field('label', $._label_slanted), '/]'),
    parallelogram_alt: $ => seq('[\\', field('label', $._label_slanted), '\\]'),
    trapezoid: $ => seq('[/', field('label', $._label_slanted), '\\]'),
    trapezoid_alt: $ => seq('[\\', field('label', $._label_slanted), '/]'),

    _label_square: $ => choice($.string, $.markdown_string, alias($._text_square, $.label_text)),
    _label_round: $ => choice($.string, $.markdown_string, alias($._text_round, $.label_text)),
    _label_curly: $ => choice($.string, $.markdown_string, alias($._text_curly, $.label_text)),
    _label_slanted: $ => choice($.string, $.markdown_string, alias($._text_slanted, $.label_text)),
    _label_pipe: $ => choice($.string, $.markdown_string, alias($._text_pipe, $.label_text)),

    _text_square: _ => token(TEXT_NOT('\\]')),
    _text_round: _ => token(TEXT_NOT(')')),
    _text_curly: _ => token(TEXT_NOT('}')),
    _text_pipe: _ => token(TEXT_NOT('|')),
    // `[/a/b/]`: slashes inside are text; only the last one before `]` closes the shape.
    _text_slanted: _ => token(/[^\s"\]]([^\r\n\]]*[^\s\]\/\\])?/),

    // `"…"`: mermaid has no escapes inside; entities like `#quot;` are plain text here.
    string: _ => token(/"[^"\r\n]*"/),
    // "`…`": a markdown label; it wins over `string`, which would match the same text.
    markdown_string: _ => token(prec(1, /"`[^`]*`"/)),

    link: $ => choice(
      seq(
        field('arrow', $.arrow),
        optional(seq('|', field('label', $._label_pipe), '|')),
      ),
      seq(
        field('arrow_start', alias(/[xo<]?--/, $.arrow_start)),
        field('label', choice($.string, $.markdown_string, alias(token(SOLID_LINK_TEXT), $.label_text))),
        field('arrow', alias(/--+[\-xo>]/, $.arrow)),
      ),
      seq(
        field('arrow_start', alias(/[xo<]?-\./, $.arrow_start)),
        field('label', choice($.string, $.markdown_string, alias(token(DOTTED_LINK_TEXT), $.label_text))),
        field('arrow', alias(/-?\.+-[xo>]?/, $.arrow)),
      ),
      seq(
        field('arrow_start', alias(/[xo<]?==/, $.arrow_start)),
        field('label', choice($.string, $.markdown_string, alias(token(THICK_LINK_TEXT), $.label_text))),
        field('arrow', alias(/==+[=xo>]/, $.arrow)),
      ),
    ),

    // Solid `-->` `---` `--x` `--o` `<-->`, dotted `-.->` `-.-`, thick `==>` `===`,
    // invisible `~~~`; more dashes, dots or equals signs make a longer link.
    arrow: _ => token(choice(
      /[xo<]?--+[\-xo>]/,
      /[xo<]?-\.+-[xo>]?/,
      /[xo<]?==+[=xo>]/,
      /~~~+/,
    )),

    subgraph: $ => seq(
      'subgraph',
      choice(
        seq(
          field('id', $.identifier),
          optional(seq('[', field('title', $._label_square), ']')),
        ),
        // `subgraph "Title"` / `subgraph Title with spaces`: mermaid makes up the id.
        field('title', choice(
          $.string,
          $.markdown_string,
          alias($._subgraph_words, $.label_text),
        )),
      ),
      repeat1(seq($._terminator, optional($._statement))),
      'end',
    ),

    // Two or more words; a single word is the id.
    _subgraph_words: _ => token(/[^\s"\[;]+([ \t]+[^\s\[;]+)+/),

    direction_statement: $ => seq('direction', field('direction', $.direction)),

    // `class a,b name`
    class_statement: $ => seq(
      'class',
      field('node', $.identifier),
      repeat(seq(',', field('node', $.identifier))),
      field('class', $.identifier),
    ),

    // Styling and interaction: recognized so the diagram stays error-free; their
    // content is kept as one opaque `style_text`.
    class_def: $ => seq(
      'classDef',
      field('name', $.identifier),
      repeat(seq(',', field('name', $.identifier))),
      optional(field('styles', $.style_text)),
    ),

    style_statement: $ => seq(
      'style',
      field('node', $.identifier),
      optional(field('styles', $.style_text)),
    ),

    link_style: $ => seq('linkStyle', optional(field('styles', $.style_text))),

    click_statement: $ => seq(
      'click',
      field('node', $.identifier),
      optional(field('action', $.style_text)),
    ),

    // `accTitle: …`, `accDescr: …` and `accDescr { … }`: accessibility texts.
    accessibility_statement: $ => choice(
      seq(
        field('keyword', choice('accTitle', 'accDescr')),
        ':',
        optional(field('text', alias(/[^\s]([^\r\n]*[^\s])?/, $.accessibility_text))),
      ),
      seq(
        field('keyword', 'accDescr'),
        '{',
        // The block may span lines, so its text keeps its surrounding whitespace.
        optional(field('text', alias(/[^}]+/, $.accessibility_text))),
        '}',
      ),
    ),

    style_text: _ => token(/[^\s;]([^\r\n;]*[^\s;])?/),

    // Letters, digits and `_`, with single inner dashes (`api-gw`). A dash before
    // another dash, a dot or `>` starts a link instead, as in mermaid.
    identifier: _ => /[\p{L}\p{N}_]+(-[\p{L}\p{N}_]+)*/,

    comment: _ => token(/%%[^\r\n]*/),
  },
});
