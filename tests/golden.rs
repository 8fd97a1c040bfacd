//! Golden tests of the generator. Each folder under `tests/golden/` holds
//! one case: its `*.graphql` files, and either `expected.rs` (the generated
//! API, which the `golden-corpus` crate also compiles) or `expected.txt`
//! (the diagnostics, as the CLI and build script print them).
//!
//! `BLESS=1 cargo test --test golden` rewrites the expected files; review
//! the change with `git diff tests/golden`.

use std::path::{Path, PathBuf};

const EXPECTED_RUST: &str = "expected.rs";
const EXPECTED_DIAGNOSTICS: &str = "expected.txt";

#[test]
fn golden_corpus() {
    let bless = std::env::var_os("BLESS").is_some();
    let cases = cases();
    assert!(cases.len() >= 20, "the corpus lost cases: {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (name, text) = match generate(case) {
            Ok(rust) => (EXPECTED_RUST, rust),
            Err(diagnostics) => (EXPECTED_DIAGNOSTICS, diagnostics),
        };
        let other = if name == EXPECTED_RUST {
            EXPECTED_DIAGNOSTICS
        } else {
            EXPECTED_RUST
        };
        let path = case.join(name);
        let expected = std::fs::read_to_string(&path).unwrap_or_default();
        let stale_other = case.join(other).exists();
        if expected == text && !stale_other {
            continue;
        }
        if bless {
            std::fs::write(&path, &text).unwrap();
            if stale_other {
                std::fs::remove_file(case.join(other)).unwrap();
            }
            continue;
        }
        let case_name = case.file_name().unwrap().to_string_lossy();
        let diff = similar::TextDiff::from_lines(&expected, &text)
            .unified_diff()
            .context_radius(3)
            .header(&format!("{case_name}/{name} (expected)"), "generated")
            .to_string();
        let note = if stale_other {
            format!(" (and {other} should no longer exist)")
        } else {
            String::new()
        };
        failures.push(format!("{case_name}{note}:\n{diff}"));
    }
    assert!(
        failures.is_empty(),
        "{} golden case(s) differ; if the change is intended, run `BLESS=1 cargo test --test golden` and review `git diff tests/golden`\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Valid cases and invalid ones both stay represented.
#[test]
fn golden_corpus_has_valid_and_invalid_cases() {
    let cases = cases();
    let valid = cases
        .iter()
        .filter(|c| c.join(EXPECTED_RUST).exists())
        .count();
    let invalid = cases
        .iter()
        .filter(|c| c.join(EXPECTED_DIAGNOSTICS).exists())
        .count();
    assert!(valid >= 12, "{valid} valid cases");
    assert!(invalid >= 8, "{invalid} invalid cases");
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

/// Generates one case; schema files are named relative to the case folder,
/// so the expected text does not depend on where the repository lives.
fn generate(case: &Path) -> Result<String, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(case)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "graphql"))
        .collect();
    files.sort();
    let mut sources = sdl_codegen::Sources::default();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        sources.add(name, std::fs::read_to_string(&file).unwrap());
    }
    let mut config = sdl_codegen::Config::new();
    if case.ends_with("custom_scalars") {
        // One scalar keeps the default newtype, the other maps to a type of
        // the corpus crate's, as a user of the generator would configure.
        config.scalar("URL", "crate::support::Url");
    }
    config
        .generate_from(sources)
        .map_err(|error| format!("{error}\n"))
}
