//! Robustness of the verifier under random damage: bit flips and
//! truncations anywhere never make it panic, and for signed attestation
//! formats, a change to any signed byte (the client data, or the
//! authenticator data changed consistently in both places the client sends
//! it) or to the signature is never accepted.

use proptest::prelude::*;
use serde_json::Value;

use super::{Case, DEFAULT_ALGORITHMS};
use passkey_server::webauthn::{base64url, cbor};

/// Fixtures whose statements sign the client data and the authenticator
/// data, with whether the statement signs all of the authenticator data.
/// fido-u2f (§8.6) signs the RP ID hash, the credential ID and key but not
/// the flags, sign count and AAGUID (bytes 32 to 52), so changing those
/// breaks no signature.
const SIGNED: &[(&str, bool)] = &[
    ("w3c-packed-es256", true),
    ("w3c-packed-self-es256", true),
    ("w3c-fido-u2f-es256", false),
    ("swa-fido-u2f-yubikey", false),
    ("chromium156-virtual-platform-synced", true),
];

/// The byte to damage: anywhere, or outside the flags, sign count and
/// AAGUID that fido-u2f leaves unsigned.
fn signed_index(index: usize, len: usize, all_signed: bool) -> usize {
    if all_signed {
        return index % len;
    }
    let signed: Vec<usize> = (0..32).chain(53..len).collect();
    signed[index % signed.len()]
}

/// Every fixture, signed or not, for the no-panic property.
const ALL: &[&str] = &[
    "w3c-packed-es256",
    "w3c-packed-self-es256",
    "w3c-fido-u2f-es256",
    "w3c-none-es256",
    "w3c-tpm-es256",
    "w3c-android-key-es256",
    "w3c-apple-es256",
    "swa-none-firefox-android",
];

fn bytes(case: &Case, key: &str) -> Vec<u8> {
    base64url::decode("field", case.registration[key].as_str().unwrap(), 1 << 16).unwrap()
}

fn with(case: &Case, key: &str, value: &[u8]) -> Case {
    let mut registration = case.registration.clone();
    registration[key] = Value::String(base64url::encode(value));
    Case {
        registration,
        ..case.clone()
    }
}

/// Replaces the authenticator data in both places: the client's copy and
/// the byte string inside the attestation object (same length, so the CBOR
/// around it stays valid).
fn with_auth_data(case: &Case, auth_data: &[u8]) -> Case {
    let original = bytes(case, "authenticatorData");
    let mut object = bytes(case, "attestationData");
    let at = object
        .windows(original.len())
        .position(|w| w == original.as_slice())
        .expect("authData inside the attestation object");
    object[at..at + original.len()].copy_from_slice(auth_data);
    with(
        &with(case, "authenticatorData", auth_data),
        "attestationData",
        &object,
    )
}

fn flip(data: &mut [u8], index: usize, bit: u8) {
    let i = index % data.len();
    data[i] ^= 1 << (bit % 8);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn flipping_a_signed_byte_is_never_accepted(
        fixture in 0..SIGNED.len(),
        part in 0..3usize,
        index in any::<usize>(),
        bit in any::<u8>(),
    ) {
        let (name, all_signed) = SIGNED[fixture];
        let case = Case::from_webauthn_fixture(name);
        prop_assume!(case.verify_with(super::ALL_ALGORITHMS, &[]).is_ok());
        let damaged = match part {
            0 => {
                let mut data = bytes(&case, "clientData");
                flip(&mut data, index, bit);
                with(&case, "clientData", &data)
            }
            1 => {
                let mut data = bytes(&case, "authenticatorData");
                let i = signed_index(index, data.len(), all_signed);
                flip(&mut data, i, bit);
                with_auth_data(&case, &data)
            }
            _ => {
                // Damage the signature itself, found where the statement
                // holds it inside the attestation object.
                let mut object = bytes(&case, "attestationData");
                let decoded = cbor::decode(&object).unwrap();
                let sig = decoded
                    .map_get_text("attStmt")
                    .and_then(|s| s.map_get_text("sig"))
                    .and_then(|s| s.as_bytes())
                    .unwrap()
                    .to_vec();
                let at = object.windows(sig.len()).position(|w| w == sig.as_slice()).unwrap();
                flip(&mut object[at..at + sig.len()], index, bit);
                with(&case, "attestationData", &object)
            }
        };
        let result = damaged.verify_with(super::ALL_ALGORITHMS, &[]);
        prop_assert!(result.is_err(), "{name} accepted after damage to part {part}");
    }

    #[test]
    fn damage_anywhere_never_panics(
        fixture in 0..ALL.len(),
        key in 0..3usize,
        index in any::<usize>(),
        bit in any::<u8>(),
        cut in any::<bool>(),
    ) {
        let case = Case::from_webauthn_fixture(ALL[fixture]);
        let key = ["clientData", "authenticatorData", "attestationData"][key];
        let mut data = bytes(&case, key);
        if cut {
            data.truncate(index % data.len());
        } else {
            flip(&mut data, index, bit);
        }
        // Whatever the verdict, it is a verdict: a panic fails the test.
        let _ = with(&case, key, &data).verify_with(DEFAULT_ALGORITHMS, &[]);
    }
}
