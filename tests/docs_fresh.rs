//! The API docs in `docs/api/` must be exactly what the generator makes of
//! `schema/` now, the same rule as for the generated code: locally stale
//! docs are rewritten and the test fails once, asking for a re-run; with
//! `CI` set it only fails, naming the command to run.

use std::path::Path;

const DOCS: &str = "docs/api";
const REFRESH: &str = "cargo run -p sdl-codegen -- docs --schema schema --out docs/api";

#[test]
fn docs_api_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs = sdl_codegen::Config::new()
        .schema(root.join("schema"))
        .emit_rerun_if_changed(false)
        .docs()
        .unwrap_or_else(|error| panic!("schema/ does not generate docs:\n{error}"));
    let drift = docs.drift(&root.join(DOCS)).unwrap();
    if drift.is_empty() {
        return;
    }
    let report = format!(
        "missing: {:?}\nchanged: {:?}\nno longer generated: {:?}",
        drift.missing, drift.changed, drift.extra
    );
    if std::env::var_os("CI").is_some() {
        panic!(
            "{DOCS} is stale: run `{REFRESH}` (or `cargo test` locally) and commit the result\n{report}"
        );
    }
    docs.write(&root.join(DOCS)).unwrap();
    panic!("{DOCS} was stale and has been updated: review it, then re-run the tests\n{report}");
}
