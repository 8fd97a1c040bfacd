//! Fuzzes the whole registration verification. The input is the client
//! data JSON and the attestation object (a two-byte length prefix splits
//! them); the client's other fields are derived from whatever authenticator
//! data the object holds, so that inputs get past the consistency checks
//! and deep into the attestation formats. Any panic is a finding.
//!
//! `cargo +nightly fuzz run verify_registration` from `server/`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use passkey_server::webauthn::{
    CoseAlgorithm, Expectations, Registration, authenticator_data, base64url, cbor, cose,
    verify_registration,
};

const ALGORITHMS: &[CoseAlgorithm] = &[
    CoseAlgorithm::Es256,
    CoseAlgorithm::Es384,
    CoseAlgorithm::Es512,
    CoseAlgorithm::EdDsa,
    CoseAlgorithm::Rs256,
];

fuzz_target!(|data: &[u8]| {
    let Some((len, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let split = usize::from(u16::from_be_bytes(*len)).min(rest.len());
    let (client_data, object) = rest.split_at(split);

    // The fields a consistent client would send for this object.
    let mut auth_data = Vec::new();
    let mut credential_id = Vec::new();
    let mut public_key = Vec::new();
    let mut algorithm = "ES256";
    if let Ok(value) = cbor::decode(object) {
        if let Some(bytes) = value.map_get_text("authData").and_then(|v| v.as_bytes()) {
            auth_data = bytes.to_vec();
            if let Ok(parsed) = authenticator_data::parse(bytes) {
                if let Some(attested) = parsed.attested {
                    credential_id = attested.credential_id;
                    if let Ok(key) = cose::parse_key(&attested.public_key) {
                        public_key = key.spki_der();
                        algorithm = key.algorithm.name();
                    }
                }
            }
        }
    }
    let encoded = [
        base64url::encode(&credential_id),
        base64url::encode(&public_key),
        base64url::encode(&auth_data),
        base64url::encode(client_data),
        base64url::encode(object),
    ];
    let registration = Registration {
        credential_id: &encoded[0],
        public_key: &encoded[1],
        algorithm,
        authenticator_data: &encoded[2],
        client_data: &encoded[3],
        attestation_object: &encoded[4],
    };
    // The W3C vectors' relying party and origin, so seeds from them verify.
    let origins = ["https://example.org".to_owned()];
    let challenge = [0u8; 32];
    let expected = Expectations {
        rp_id: "example.org",
        origins: &origins,
        challenge: &challenge,
        require_user_verification: false,
        algorithms: ALGORITHMS,
        now: time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000),
        trust_anchors: &[],
    };
    let _ = verify_registration(&registration, &expected);
});
