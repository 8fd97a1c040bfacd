//! House rules that no compiler checks: every hand-written Rust file opens
//! with a `//!` header saying what it owns.

use std::path::{Path, PathBuf};

/// Files that are generated, and so carry a `// @generated` header instead.
fn is_generated(path: &Path) -> bool {
    path.starts_with("generated/passkey_api.rs") || path.starts_with("tests/golden/")
}

#[test]
fn every_rust_file_opens_with_a_module_header() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["build.rs", "codegen", "generated", "server", "tests"] {
        collect(root, &root.join(dir), &mut files);
    }
    assert!(files.len() > 30, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|path| !is_generated(path))
        .filter(|path| {
            let text = std::fs::read_to_string(root.join(path)).unwrap();
            !text.starts_with("//!")
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "these files need a `//!` header saying what the module owns: {missing:?}"
    );
}

fn collect(root: &Path, path: &Path, files: &mut Vec<PathBuf>) {
    if path.is_dir() {
        if path.file_name().is_some_and(|n| n == "target") {
            return;
        }
        for entry in std::fs::read_dir(path).unwrap() {
            collect(root, &entry.unwrap().path(), files);
        }
    } else if path.extension().is_some_and(|e| e == "rs") {
        files.push(path.strip_prefix(root).unwrap().to_owned());
    }
}
