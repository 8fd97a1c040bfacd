//! `passkey-server verify-registration` as an operator runs it: a saved
//! dto or bare registration in, a JSON verdict out, exit 0 when it
//! verifies, 1 when it is refused (with the failing step's code), 2 when
//! the input cannot be used.

use std::process::Command;

use serde_json::Value;

use super::{fixtures, read_json};

fn run(args: &[&str]) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_passkey-server"))
        .arg("verify-registration")
        .args(args)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let verdict = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {stdout}\nstderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().unwrap_or(-1), verdict)
}

/// Writes the fixture's dto (or only its registration) to a temporary file.
fn saved(name: &str, whole_dto: bool) -> (tempfile::TempDir, String, Value) {
    let json = read_json(fixtures().join("webauthn").join(format!("{name}.json")));
    let dto = json["passwordlessId_v1_shape"].clone();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registration.json");
    let body = if whole_dto {
        dto.clone()
    } else {
        dto["registration"].clone()
    };
    std::fs::write(&path, body.to_string()).unwrap();
    (dir, path.to_string_lossy().into_owned(), json)
}

#[test]
fn a_genuine_registration_verifies_with_exit_0() {
    let (_dir, path, json) = saved("w3c-packed-es256", true);
    let (code, verdict) = run(&[
        "--rp-id",
        json["rpId"].as_str().unwrap(),
        "--origin",
        json["origin"].as_str().unwrap(),
        "--challenge",
        json["challenge_b64url"].as_str().unwrap(),
        "--now",
        "2026-06-01T00:00:00Z",
        &path,
    ]);
    assert_eq!(code, 0, "{verdict:#}");
    assert_eq!(verdict["verdict"], "accepted");
    let credential = &verdict["credential"];
    assert_eq!(credential["algorithm"], "ES256");
    assert_eq!(credential["attestation"]["format"], "packed");
    assert_eq!(credential["attestation"]["type"], "Basic");
    assert_eq!(credential["attestation"]["trust"], "Unverified");
    assert_eq!(credential["flags"]["user_verified"], true);
    assert_eq!(
        credential["public_key_spki"],
        json["authenticatorData"]["publicKeySpki_b64url"]
    );
}

#[test]
fn a_refused_registration_names_its_step_with_exit_1() {
    let (_dir, path, json) = saved("w3c-none-es256", false);
    let args = |origin: &'static str, extra: &'static [&'static str]| {
        let mut args = vec![
            "--rp-id".to_owned(),
            json["rpId"].as_str().unwrap().to_owned(),
            "--origin".to_owned(),
            origin.to_owned(),
            "--challenge".to_owned(),
            json["challenge_b64url"].as_str().unwrap().to_owned(),
        ];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args.push(path.clone());
        args
    };
    let run_owned = |args: Vec<String>| run(&args.iter().map(String::as_str).collect::<Vec<_>>());

    let (code, verdict) = run_owned(args("https://example.com", &[]));
    assert_eq!(code, 1, "{verdict:#}");
    assert_eq!(verdict["code"], "ORIGIN_NOT_ALLOWED");
    assert!(
        verdict["reason"]
            .as_str()
            .unwrap()
            .contains("https://example.org"),
        "{verdict:#}"
    );

    // The vector's authenticator did not verify the user.
    let (code, verdict) = run_owned(args("https://example.org", &["--require-uv"]));
    assert_eq!(
        (code, verdict["code"].as_str()),
        (1, Some("USER_NOT_VERIFIED")),
        "{verdict:#}"
    );

    let (code, verdict) = run_owned(args("https://example.org", &[]));
    assert_eq!(code, 0, "{verdict:#}");
}

#[test]
fn a_dto_for_another_hostname_is_refused() {
    let (_dir, path, json) = saved("w3c-none-es256", true);
    let (code, verdict) = run(&[
        "--rp-id",
        "other.example",
        "--origin",
        json["origin"].as_str().unwrap(),
        "--challenge",
        json["challenge_b64url"].as_str().unwrap(),
        &path,
    ]);
    assert_eq!(
        (code, verdict["code"].as_str()),
        (1, Some("UNKNOWN_HOSTNAME")),
        "{verdict:#}"
    );
}

#[test]
fn unusable_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let not_json = dir.path().join("broken.json");
    std::fs::write(&not_json, "{ nope").unwrap();
    let common = [
        "--rp-id",
        "example.org",
        "--origin",
        "https://example.org",
        "--challenge",
        "AAAA",
    ];
    for extra in [
        vec![not_json.to_str().unwrap()],
        vec!["does-not-exist.json"],
        vec!["--algorithm", "ES999", not_json.to_str().unwrap()],
    ] {
        let args: Vec<&str> = common
            .iter()
            .copied()
            .chain(extra.iter().copied())
            .collect();
        let (code, verdict) = run(&args);
        assert_eq!(code, 2, "{args:?}: {verdict:#}");
        assert_eq!(verdict["verdict"], "unusable input");
    }
}
