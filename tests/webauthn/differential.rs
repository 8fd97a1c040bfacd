//! Differential test against an independent verifier: webauthn-rs-core
//! 0.6.2 (a dev-dependency only) verifies the same attestationObject and
//! clientDataJSON, with the same RP ID, origin and challenge, as every
//! fixture and every derived negative case. Where its verdict differs from
//! ours the case must be listed in `DISAGREEMENTS`, with why ours is the
//! right one: a new disagreement, or a listed one that disappears, fails.

use std::time::Duration;

use serde_json::{Value, json};
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::proto::{RegisterPublicKeyCredential, RegistrationState};

use super::{ALL_ALGORITHMS, Case, fixtures, read_json};

/// Every case on which the two verifiers disagree:
/// (case, our verdict, webauthn-rs-core's verdict, why ours is right).
/// A verdict is `accept` or `reject` and the error's name.
const DISAGREEMENTS: &[(&str, &str, &str, &str)] = &[
    (
        "swa-android-key-pixel8a",
        "reject ATTESTATION_CERTIFICATE_EXPIRED",
        "accept",
        "x5c[1] and x5c[2] expired on 2025-02-02 and 2025-02-17, before this \
         harness's clock (2026-06-01); we check every x5c certificate's validity \
         even without trust anchors, webauthn-rs-core only inside \
         verify_attestation_ca_chain, which runs only with an attestation CA list",
    ),
    (
        "w3c-packed-eddsa",
        "accept",
        "reject SshPublicKeyEDUnsupported",
        "webauthn-rs-core 0.6.2 rejects every EdDSA credential: COSEKey::validate \
         returns SshPublicKeyEDUnsupported for any OKP key; the Ed25519 key is \
         valid and EdDSA (-8) is on our allow-list",
    ),
    (
        "w3c-packed-rs256",
        "accept",
        "reject COSEKeyRSANEInvalid",
        "webauthn-rs-core requires an RS256 modulus of exactly 256 bytes and an \
         exponent of exactly 3; this key's modulus is 3482 bits (436 bytes) with \
         e = 65537, which RFC 8230 section 2 allows (at least 2048 bits)",
    ),
    (
        "w3c-tpm-es256",
        "accept",
        "reject COSEKeyInvalidType",
        "webauthn-rs-core rejects every tpm attestation: only_hash_from_type, \
         which hashes attToBeSigned for the certInfo extraData check, returns an \
         error for every alg (CredentialInsecureCryptography for RS1, \
         COSEKeyInvalidType otherwise)",
    ),
    (
        "challenge-padded",
        "reject CHALLENGE_MISMATCH",
        "accept",
        "section 7.1 step 9 compares C.challenge with the base64url encoding of \
         the challenge, which has no '=' padding; webauthn-rs-core decodes \
         C.challenge leniently and compares bytes",
    ),
    (
        "json-bom",
        "accept",
        "reject ParseJSONFailure",
        "section 7.1 step 5 runs UTF-8 decode, which strips a leading BOM, before \
         parsing; webauthn-rs-core hands the raw bytes to serde_json",
    ),
    (
        "authdata-trailing-bytes",
        "reject AUTHENTICATOR_DATA_TRAILING_BYTES",
        "accept",
        "trailing authData bytes: section 6.1 defines authData's exact layout and \
         with ED clear nothing follows the credential public key; webauthn-rs-core's \
         parser ignores unread input",
    ),
    (
        "credid-1024-bytes",
        "reject CREDENTIAL_ID_TOO_LONG",
        "accept",
        "1024-byte credential ID exceeds section 7.1 step 25's 1023; \
         webauthn-rs-core's limit is 4096",
    ),
    (
        "fmt-none-nonempty-attstmt",
        "reject ATTESTATION_STATEMENT_MALFORMED",
        "accept",
        "section 8.7 defines the none format's attStmt as the empty map; \
         webauthn-rs-core never looks at attStmt for fmt none",
    ),
    (
        "attobj-indefinite-length",
        "reject ATTESTATION_OBJECT_CBOR",
        "accept",
        "indefinite-length CBOR is not CTAP2 canonical CBOR, the encoding \
         WebAuthn uses for attestation structures; serde_cbor_2 accepts it",
    ),
    (
        "shape-credential-id-mismatch",
        "reject CREDENTIAL_ID_MISMATCH",
        "accept",
        "shape-* cases: webauthn-rs-core never sees the v1 client's own fields; \
         credential.id differs from authData's credentialId",
    ),
    (
        "shape-publickey-mismatch",
        "reject PUBLIC_KEY_MISMATCH",
        "accept",
        "shape-* cases: webauthn-rs-core never sees the v1 client's own fields; \
         credential.publicKey is not authData's COSE key",
    ),
    (
        "shape-algorithm-mismatch",
        "reject ALGORITHM_MISMATCH",
        "accept",
        "shape-* cases: webauthn-rs-core never sees the v1 client's own fields; \
         credential.algorithm says RS256 for an ES256 key",
    ),
    (
        "shape-authdata-mismatch",
        "reject AUTHENTICATOR_DATA_MISMATCH",
        "accept",
        "shape-* cases: webauthn-rs-core never sees the v1 client's own fields; \
         authenticatorData differs from the attestationObject's authData",
    ),
    (
        "shape-hostname-mismatch",
        "reject UNKNOWN_HOSTNAME",
        "accept",
        "shape-* cases: webauthn-rs-core never sees the v1 client's own fields; \
         the client's hostname is not the configured RP ID",
    ),
    (
        "shape-attestationdata-missing",
        "reject MISSING_FIELD",
        "accept",
        "shape-* cases: webauthn-rs-core never sees the v1 client's own fields; \
         it is given the attestationObject that this v1 input omits, and without \
         it nothing binds the client's credential fields",
    ),
];

/// Files of `fixtures/webauthn` that are not one registration.
const NOT_A_REGISTRATION: &[&str] = &[
    "w3c-attestation-root-ca",
    "derived-none-es256-negative-cases",
];

/// Every registration: the fixtures by file name, then the negative cases
/// by their name (the two sets of names are disjoint).
fn registrations() -> Vec<(String, Value)> {
    let dir = fixtures().join("webauthn");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .map(|path| path.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|name| !NOT_A_REGISTRATION.contains(&name.as_str()))
        .collect();
    names.sort();
    let mut all: Vec<(String, Value)> = names
        .into_iter()
        .map(|name| {
            let json = read_json(dir.join(format!("{name}.json")));
            (name, json)
        })
        .collect();
    let negative = read_json(dir.join("derived-none-es256-negative-cases.json"));
    for case in negative["cases"].as_array().unwrap() {
        all.push((case["name"].as_str().unwrap().to_owned(), case.clone()));
    }
    all
}

fn ours(json: &Value) -> String {
    let case = Case::from_parts(json, &json["passwordlessId_v1_shape"]);
    match case.verify_with(ALL_ALGORITHMS, &[]) {
        Ok(_) => "accept".to_owned(),
        Err(code) => format!("reject {code}"),
    }
}

/// webauthn-rs-core's `register_credential` as the fixtures' README ran it:
/// a RegistrationState deserialised with the fixture's challenge, policy
/// "preferred", synchronised (backup-eligible) credentials allowed, and no
/// attestation CA list. Its clock is the system's.
fn theirs(json: &Value) -> String {
    let text = |key: &str| {
        json[key]
            .as_str()
            .unwrap_or_else(|| panic!("{key} missing"))
            .to_owned()
    };
    let core = WebauthnCore::new_unsafe_experts_only(
        "passkey",
        &text("rpId"),
        vec![serde_json::from_value(json!(text("origin"))).unwrap()],
        Duration::from_secs(300),
        None,
        None,
    );
    let state: RegistrationState = serde_json::from_value(json!({
        "policy": "preferred",
        "exclude_credentials": [],
        "challenge": text("challenge_b64url"),
        "credential_algorithms": ["ES256", "ES384", "ES521", "RS256", "EDDSA"],
        "require_resident_key": false,
        "authenticator_attachment": null,
        "extensions": {},
        "allow_synchronised_authenticators": true,
    }))
    .unwrap();
    // `id` and `rawId` are never read: the credential ID comes from authData.
    let credential: RegisterPublicKeyCredential = serde_json::from_value(json!({
        "id": "",
        "rawId": "",
        "type": "public-key",
        "response": {
            "attestationObject": text("attestationObject_b64url"),
            "clientDataJSON": text("clientDataJSON_b64url"),
        },
    }))
    .unwrap();
    match core.register_credential(&credential, &state, None) {
        Ok(_) => "accept".to_owned(),
        Err(error) => {
            let debug = format!("{error:?}");
            let name = debug.split(['(', ' ', '{']).next().unwrap_or_default();
            format!("reject {name}")
        }
    }
}

/// The verdict the README and the negative-cases file record for
/// webauthn-rs-core 0.6.2: `ACCEPT …` or `REJECT …`.
fn recorded(json: &Value) -> &str {
    json["expected"]["observed_webauthn_rs_core_0_6_2"]
        .as_str()
        .or_else(|| json["observed_webauthn_rs_core_0_6_2"].as_str())
        .unwrap_or_else(|| panic!("no recorded webauthn-rs-core verdict"))
}

fn accepts(verdict: &str) -> bool {
    verdict == "accept"
}

#[test]
fn webauthn_rs_core_agrees_except_where_listed() {
    let registrations = registrations();
    let mut names: Vec<&str> = registrations.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        registrations.len(),
        "case names must be unique"
    );

    let mut disagreements = Vec::new();
    let mut harness_errors = Vec::new();
    for (name, json) in &registrations {
        let ours = ours(json);
        let theirs = theirs(json);
        // Our run of webauthn-rs-core must give the verdict recorded when
        // the fixtures were made, or this test is not running it right.
        if accepts(&theirs) != recorded(json).starts_with("ACCEPT") {
            harness_errors.push(format!(
                "{name}: webauthn-rs-core gave {theirs}, recorded {}",
                recorded(json)
            ));
        }
        eprintln!("{name:40} ours: {ours:48} webauthn-rs-core: {theirs}");
        if accepts(&ours) != accepts(&theirs) {
            disagreements.push((name.clone(), ours, theirs));
        }
    }
    let agree = registrations.len() - disagreements.len();
    eprintln!(
        "differential vs webauthn-rs-core 0.6.2: {} cases, agree {agree}, disagree {}",
        registrations.len(),
        disagreements.len()
    );
    assert!(harness_errors.is_empty(), "{}", harness_errors.join("\n"));

    let mut failures = Vec::new();
    for (name, ours, theirs) in &disagreements {
        match DISAGREEMENTS.iter().find(|(n, ..)| n == name) {
            None => failures.push(format!(
                "new disagreement: (\"{name}\", \"{ours}\", \"{theirs}\", \"<why>\")"
            )),
            Some((_, listed_ours, listed_theirs, _)) => {
                if (*listed_ours, *listed_theirs) != (ours.as_str(), theirs.as_str()) {
                    failures.push(format!(
                        "{name}: listed as ours {listed_ours} / theirs {listed_theirs}, \
                         now ours {ours} / theirs {theirs}"
                    ));
                }
            }
        }
    }
    for (name, ..) in DISAGREEMENTS {
        if !disagreements.iter().any(|(n, ..)| n == name) {
            failures.push(format!("{name}: listed, but the verifiers now agree"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_listed_disagreement_says_why() {
    for (name, ours, theirs, why) in DISAGREEMENTS {
        assert_ne!(accepts(ours), accepts(theirs), "{name}");
        assert!(!why.trim().is_empty(), "{name}");
    }
}
