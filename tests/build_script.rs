//! The build script at work, as a developer meets it: on a copy of this
//! workspace, a real `cargo build` regenerates the API after a schema edit,
//! and a typo in a type name fails the build with `schema/…:line:col`.
//!
//! The copy builds into a target folder kept under Cargo's test temp dir,
//! so only the first run compiles the dependencies.
//!
//! The tests take turns (`exclusive`). Cargo names a path package's build
//! outputs by its path relative to the workspace, so the copies share one
//! build-script fingerprint; a schema edited before another copy's build
//! ran would look older than that run, and Cargo would not rerun the script.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCHEMA: &str = "schema/passkey.graphql";

#[test]
fn schema_edits_reach_the_next_build() {
    let _turn = exclusive();
    let workspace = copy_workspace("edit");
    let api = build_ok(&workspace);
    assert!(api.contains("    /// Read-only operations.\n"), "{api}");

    edit(
        &workspace,
        "\"Read-only operations.\"",
        "\"Read-only operations, and nothing else.\"",
    );
    let api = build_ok(&workspace);
    assert!(
        api.contains("    /// Read-only operations, and nothing else.\n"),
        "the edited description did not reach the generated API:\n{api}"
    );
}

#[test]
fn a_type_name_typo_fails_the_build_with_its_position() {
    let _turn = exclusive();
    let workspace = copy_workspace("typo");
    let schema = edit(
        &workspace,
        "dto: CreatePasskeyResolverDto!",
        "dto: CreatePasskeyResolverDtoo!",
    );
    let (line, column) = position_of(&schema, "CreatePasskeyResolverDtoo!");
    let output = cargo_build(&workspace);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the build passed:\n{stderr}");
    let expected = format!(
        "{SCHEMA}:{line}:{column}: unknown type `CreatePasskeyResolverDtoo` for argument `Mutation.create_passkey.dto`"
    );
    assert!(
        stderr.contains(&expected),
        "expected `{expected}` in:\n{stderr}"
    );
    // The failure is the generator's diagnostic, not a rustc error in
    // generated code.
    assert!(!stderr.contains("error[E"), "{stderr}");
}

/// Waits for the other tests of this file, across processes, and holds
/// them off until the returned lock is dropped.
fn exclusive() -> File {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-script.lock");
    let file = File::create(&path).unwrap();
    file.lock().unwrap();
    file
}

/// Copies the workspace's sources (not `target/` or `.git/`) to a fresh
/// folder; all copies share one target folder.
fn copy_workspace(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dest = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("build-script-{name}"));
    if dest.exists() {
        std::fs::remove_dir_all(&dest).unwrap();
    }
    copy_dir(root, &dest);
    dest
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "target" || name == ".git" || name == "data" {
            continue;
        }
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(&name));
        } else {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
}

fn edit(workspace: &Path, from: &str, to: &str) -> String {
    let path = workspace.join(SCHEMA);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{SCHEMA} no longer contains `{from}`");
    let edited = text.replacen(from, to, 1);
    std::fs::write(&path, &edited).unwrap();
    edited
}

fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).unwrap();
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

fn cargo_build(workspace: &Path) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("build-script-target");
    Command::new(cargo)
        .current_dir(workspace)
        .args([
            "build",
            "--offline",
            "--quiet",
            "-p",
            "passkey-api",
            "--message-format=json",
        ])
        .arg("--target-dir")
        .arg(target)
        .output()
        .unwrap()
}

/// Builds the API crate and returns the generated source it compiled.
fn build_ok(workspace: &Path) -> String {
    let output = cargo_build(workspace);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Cargo reports each build script's OUT_DIR in a JSON message.
    let out_dir = stdout
        .lines()
        .filter(|line| {
            line.contains("\"reason\":\"build-script-executed\"") && line.contains("passkey-api")
        })
        .find_map(|line| {
            let start = line.find("\"out_dir\":\"")? + "\"out_dir\":\"".len();
            let end = start + line[start..].find('"')?;
            Some(line[start..end].to_owned())
        })
        .expect("cargo reported the API crate's build script");
    std::fs::read_to_string(Path::new(&out_dir).join("passkey_api.rs")).unwrap()
}
