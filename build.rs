//! Generates the API crate from `schema/` on every build where the schema
//! changed; an invalid schema fails the build with `file:line:col` diagnostics.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        eprintln!("OUT_DIR is not set: this build script runs under Cargo");
        return ExitCode::FAILURE;
    };
    let result = sdl_codegen::Config::new()
        .schema("schema")
        .out_file(PathBuf::from(out_dir).join("passkey_api.rs"))
        .compile();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // Cargo shows a failing build script's stderr; each diagnostic
            // starts with `schema/<file>:line:col:`.
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
