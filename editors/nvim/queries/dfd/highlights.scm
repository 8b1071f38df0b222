; Highlighting for the mermaid flowchart subset (captures follow the common
; nvim-treesitter/helix names).

(comment) @comment
(front_matter) @comment

[
  "flowchart"
  "graph"
  "subgraph"
  "end"
  "direction"
  "class"
  "classDef"
  "style"
  "linkStyle"
  "click"
  "accTitle"
  "accDescr"
] @keyword

(direction) @constant

(node
  id: (identifier) @variable)

(subgraph
  id: (identifier) @module)

(class_shorthand
  (identifier) @type)

(class_statement
  node: (identifier) @variable
  class: (identifier) @type)

(class_def
  name: (identifier) @type)

(style_statement
  node: (identifier) @variable)

(click_statement
  node: (identifier) @variable)

(style_text) @string.special

(property
  key: (identifier) @property)
(property_value) @string
(accessibility_text) @string

(label_text) @string
(string) @string
(markdown_string) @markup.raw

(link
  label: (_) @label)

[
  (arrow)
  (arrow_start)
] @operator

[
  "&"
  ","
  ";"
  ":::"
  ":"
  "|"
] @punctuation.delimiter

[
  "["
  "]"
  "("
  ")"
  "(["
  "])"
  "[["
  "]]"
  "[("
  ")]"
  "(("
  "))"
  "((("
  ")))"
  ">"
  "{"
  "}"
  "@{"
  "{{"
  "}}"
  "[/"
  "/]"
  "[\\"
  "\\]"
] @punctuation.bracket
