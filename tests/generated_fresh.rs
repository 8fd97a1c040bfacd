//! The readable copy of the generated API in `generated/` must be exactly
//! what the generator makes of `schema/` now: the build compiles the copy
//! in `OUT_DIR`, and this test keeps the reviewed copy equal to it.
//!
//! Locally a stale copy is rewritten and the test fails once, asking for a
//! re-run; with `CI` set it only fails, naming the command to run.

use std::path::Path;

const COPY: &str = "generated/passkey_api.rs";
const REFRESH: &str =
    "cargo run -p sdl-codegen -- generate --schema schema --out generated/passkey_api.rs";

#[test]
fn generated_copy_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Relative names, as build.rs and the CLI use them, so the header names
    // `schema/passkey.graphql` wherever the repository lives.
    std::env::set_current_dir(root).unwrap();
    let generated = sdl_codegen::Config::new()
        .schema("schema")
        .emit_rerun_if_changed(false)
        .generate()
        .unwrap_or_else(|error| panic!("schema/ does not generate:\n{error}"));
    let copy = std::fs::read_to_string(root.join(COPY)).unwrap_or_default();
    if copy == generated {
        return;
    }
    if std::env::var_os("CI").is_some() {
        panic!("{COPY} is stale: run `{REFRESH}` (or `cargo test` locally) and commit the result");
    }
    std::fs::write(root.join(COPY), &generated).unwrap();
    panic!("{COPY} was stale and has been updated: review it, then re-run the tests");
}

/// The build compiles the same bytes as the checked-in copy: the API crate
/// includes the file that build.rs wrote, which must equal the copy.
#[test]
fn build_output_equals_the_copy() {
    let built = include_str!(concat!(env!("OUT_DIR"), "/passkey_api.rs"));
    let copy = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(COPY)).unwrap();
    assert!(
        built == copy,
        "{COPY} differs from what build.rs generated: run `{REFRESH}`"
    );
}
