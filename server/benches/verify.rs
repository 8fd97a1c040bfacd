//! Registration verification per attestation format, on the shared
//! fixtures: the whole `verify_registration` (base64url decoding, client
//! data, CBOR, authenticator data, COSE key, attestation statement and
//! certificate chain). A fixture that does not verify is skipped with a
//! line saying why, so the benchmark never times a failure path by mistake.
//!
//! `cargo bench -p passkey-server --bench verify`

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use passkey_server::webauthn::{
    CoseAlgorithm, Expectations, Registration, base64url, verify_registration,
};
use serde_json::Value;

/// Format label and fixture, one per attestation format.
const CASES: &[(&str, &str)] = &[
    ("none", "w3c-none-es256"),
    ("packed-self", "w3c-packed-self-es256"),
    ("packed-x5c", "w3c-packed-es256"),
    ("fido-u2f", "w3c-fido-u2f-es256"),
    ("tpm", "w3c-tpm-es256"),
    ("android-key", "w3c-android-key-es256"),
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
            now: time::macros::datetime!(2026-06-01 00:00 UTC),
            trust_anchors: &[],
        };
        if let Err(error) = verify_registration(&registration, &expected) {
            println!(
                "skipping {label} ({name}): it does not verify: {} ({error})",
                error.code()
            );
            continue;
        }
        group.bench_function(*label, |b| {
            b.iter(|| verify_registration(black_box(&registration), black_box(&expected)))
        });
    }
    group.finish();
}

criterion_group!(benches, verify_registrations);
criterion_main!(benches);
