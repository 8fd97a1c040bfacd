//! Registration verification per attestation format, on the shared
//! fixtures: the whole `verify_registration` (base64url decoding, client
//! data, CBOR, authenticator data, COSE key, attestation statement and
//! certificate chain), and beside it webauthn-rs-core 0.6.2's
//! `register_credential` on the same payload, set up as the differential
//! test sets it up. Ours also decodes and checks the v1 client's own fields
//! (credential ID, SPKI, algorithm, authenticator data), which
//! webauthn-rs-core never sees. A fixture that a verifier refuses is
//! skipped for it with a line saying why, so no failure path is timed by
//! mistake.
//!
//! `cargo bench -p passkey-server --bench verify`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use passkey_server::webauthn::{
    CoseAlgorithm, Expectations, Registration, base64url, verify_registration,
};
use serde_json::{Value, json};
use webauthn_rs_core::WebauthnCore;
use webauthn_rs_core::proto::{RegisterPublicKeyCredential, RegistrationState};

/// Format label and fixture, one per attestation format. The W3C
/// android-key vector has empty authorization lists and is refused, so the
/// Pixel 8a capture stands for the format (see `clock`).
const CASES: &[(&str, &str)] = &[
    ("none", "w3c-none-es256"),
    ("packed-self", "w3c-packed-self-es256"),
    ("packed-x5c", "w3c-packed-es256"),
    ("fido-u2f", "w3c-fido-u2f-es256"),
    ("tpm", "w3c-tpm-es256"),
    ("android-key", "swa-android-key-pixel8a"),
    ("apple", "w3c-apple-es256"),
    ("packed-rs256", "w3c-packed-rs256"),
    ("packed-eddsa", "w3c-packed-eddsa"),
];

const ALGORITHMS: &[CoseAlgorithm] = &[
    CoseAlgorithm::Es256,
    CoseAlgorithm::Rs256,
    CoseAlgorithm::EdDsa,
];

struct Fixture {
    rp_id: String,
    origins: Vec<String>,
    challenge: Vec<u8>,
    registration: Value,
    json: Value,
}

fn load(name: &str) -> Fixture {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures/webauthn")
        .join(format!("{name}.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture"))
        .expect("fixture JSON");
    Fixture {
        rp_id: json["rpId"].as_str().expect("rpId").to_owned(),
        origins: vec![json["origin"].as_str().expect("origin").to_owned()],
        challenge: base64url::decode(
            "challenge",
            json["challenge_b64url"].as_str().expect("challenge"),
            1024,
        )
        .expect("challenge"),
        registration: json["passwordlessId_v1_shape"]["registration"].clone(),
        json,
    }
}

/// webauthn-rs-core with the fixture's relying party, origin and challenge.
fn webauthn_rs_core(
    json: &Value,
) -> (WebauthnCore, RegistrationState, RegisterPublicKeyCredential) {
    let text = |key: &str| json[key].as_str().expect("fixture field").to_owned();
    let core = WebauthnCore::new_unsafe_experts_only(
        "passkey",
        &text("rpId"),
        vec![serde_json::from_value(json!(text("origin"))).expect("origin")],
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
    .expect("registration state");
    let credential: RegisterPublicKeyCredential = serde_json::from_value(json!({
        "id": "",
        "rawId": "",
        "type": "public-key",
        "response": {
            "attestationObject": text("attestationObject_b64url"),
            "clientDataJSON": text("clientDataJSON_b64url"),
        },
    }))
    .expect("credential");
    (core, state, credential)
}

/// A time inside every certificate's validity: the Pixel 8a intermediates
/// expired in February 2025, so that capture is verified as of the day it
/// was made.
fn clock(name: &str) -> time::OffsetDateTime {
    match name {
        "swa-android-key-pixel8a" => time::macros::datetime!(2025-02-02 10:00 UTC),
        _ => time::macros::datetime!(2026-06-01 00:00 UTC),
    }
}

fn verify_registrations(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify_registration");
    group.sample_size(50);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(2));
    for (label, name) in CASES {
        let fixture = load(name);
        let text = |key: &str| fixture.registration[key].as_str().unwrap_or_default();
        let credential = &fixture.registration["credential"];
        let registration = Registration {
            credential_id: credential["id"].as_str().unwrap_or_default(),
            public_key: credential["publicKey"].as_str().unwrap_or_default(),
            algorithm: credential["algorithm"].as_str().unwrap_or_default(),
            authenticator_data: text("authenticatorData"),
            client_data: text("clientData"),
            attestation_object: text("attestationData"),
        };
        let expected = Expectations {
            rp_id: &fixture.rp_id,
            origins: &fixture.origins,
            challenge: &fixture.challenge,
            require_user_verification: false,
            algorithms: ALGORITHMS,
            now: clock(name),
            trust_anchors: &[],
        };
        if let Err(error) = verify_registration(&registration, &expected) {
            println!("skipping {label} ({name}) for ours: {}", error.code());
        } else {
            group.bench_function(format!("{label}/ours"), |b| {
                b.iter(|| verify_registration(black_box(&registration), black_box(&expected)))
            });
        }
        let (core, state, credential) = webauthn_rs_core(&fixture.json);
        if let Err(error) = core.register_credential(&credential, &state, None) {
            println!("skipping {label} ({name}) for webauthn-rs-core: {error:?}");
        } else {
            group.bench_function(format!("{label}/webauthn-rs-core"), |b| {
                b.iter(|| core.register_credential(black_box(&credential), black_box(&state), None))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, verify_registrations);
criterion_main!(benches);
