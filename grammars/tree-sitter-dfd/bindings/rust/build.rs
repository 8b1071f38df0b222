//! Compiles the committed, generated parser; `tree-sitter generate` is never run here.

fn main() {
    let src_dir = std::path::Path::new("src");
    let parser = src_dir.join("parser.c");

    let mut build = cc::Build::new();
    build.std("c11").include(src_dir).file(&parser);
    // The generated parser has unused parameters and such; its warnings are not ours.
    build.warnings(false);
    #[cfg(target_env = "msvc")]
    build.flag("-utf-8");
    build.compile("tree-sitter-dfd");

    println!("cargo:rerun-if-changed={}", parser.display());
    println!("cargo:rerun-if-changed=src/tree_sitter");
}
