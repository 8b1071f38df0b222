;; extends

; For the markdown grammar (tree-sitter-md's block grammar), not for dfd itself:
; highlight ```mermaid fenced blocks with the dfd grammar. Editors load it as an
; extra markdown injection query (see ../README.md).

(fenced_code_block
  (info_string
    (language) @_lang)
  (#eq? @_lang "mermaid")
  (code_fence_content) @injection.content
  (#set! injection.language "dfd"))
