//! The payloads taken apart again with independent decoders (ciborium,
//! p256, the rsa crate, ring's verifiers), so that a mistake in the encoding
//! cannot cancel itself out. That the server accepts them is tested in
//! the server's `webauthn` test target.

use std::sync::LazyLock;

use ciborium::Value as Cbor;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents, UnparsedPublicKey,
};

use super::*;

/// One RS256 authenticator for every test of the process: its key takes
/// seconds to generate in a debug build. (nextest runs each test in its own
/// process, so there it is one key per test that uses it.)
static RS256: LazyLock<Authenticator> = LazyLock::new(|| Authenticator::new(Algorithm::Rs256));

const RP_ID: &str = "example.com";
const ORIGIN: &str = "https://example.com";
const CHALLENGE: &str = "c29mdC1hdXRoZW50aWNhdG9yLWNoYWxsZW5nZQ";

fn ceremony() -> Ceremony<'static> {
    Ceremony::new(RP_ID, ORIGIN, CHALLENGE, "alice")
}

fn decode(payload: &Value, path: &[&str]) -> Vec<u8> {
    let mut value = payload;
    for key in path {
        value = &value[*key];
    }
    let text = value.as_str().expect("a payload field is text");
    assert!(!text.contains('='), "{path:?} is padded");
    URL_SAFE_NO_PAD.decode(text).expect("base64url")
}

fn cbor_decode(bytes: &[u8]) -> Cbor {
    ciborium::from_reader(bytes).expect("CBOR")
}

/// A decoded map's entries in their encoded order.
fn entries(value: &Cbor) -> &[(Cbor, Cbor)] {
    match value {
        Cbor::Map(entries) => entries,
        other => panic!("not a map: {other:?}"),
    }
}

fn get<'a>(value: &'a Cbor, key: &str) -> &'a Cbor {
    entries(value)
        .iter()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no `{key}`"))
}

/// The parts of attested credential data.
struct Attested<'a> {
    flags: u8,
    aaguid: &'a [u8],
    credential_id: &'a [u8],
    cose_key: &'a [u8],
}

fn parse_auth_data(data: &[u8]) -> Attested<'_> {
    assert_eq!(data[..32], sha256(RP_ID.as_bytes()));
    assert_eq!(data[33..37], [0, 0, 0, 0], "sign count");
    let id_len = usize::from(u16::from_be_bytes([data[53], data[54]]));
    Attested {
        flags: data[32],
        aaguid: &data[37..53],
        credential_id: &data[55..55 + id_len],
        cose_key: &data[55 + id_len..],
    }
}

#[test]
fn an_es256_payload_has_the_client_library_shape() {
    let authenticator = Authenticator::new(Algorithm::Es256);
    let payload = authenticator.register(&ceremony());
    let mut keys: Vec<_> = payload.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "attestationData",
            "authenticatorData",
            "clientData",
            "credential",
            "username"
        ]
    );
    assert_eq!(payload["username"], "alice");
    assert_eq!(payload["credential"]["algorithm"], "ES256");
    assert_eq!(
        decode(&payload, &["credential", "id"]),
        authenticator.credential_id()
    );
    assert_eq!(authenticator.credential_id().len(), 16);
    assert_eq!(
        String::from_utf8(decode(&payload, &["clientData"])).unwrap(),
        format!(
            r#"{{"type":"webauthn.create","challenge":"{CHALLENGE}","origin":"{ORIGIN}","crossOrigin":false}}"#
        )
    );
}

#[test]
fn the_authenticator_data_carries_the_flags_asked_for() {
    let authenticator = Authenticator::new(Algorithm::Es256);
    let cases = [
        (ceremony(), FLAG_UP | FLAG_UV | FLAG_AT),
        (
            Ceremony {
                user_verified: false,
                ..ceremony()
            },
            FLAG_UP | FLAG_AT,
        ),
        (
            Ceremony {
                backup_eligible: true,
                backed_up: true,
                ..ceremony()
            },
            0x5d,
        ),
        (
            Ceremony {
                user_present: false,
                user_verified: false,
                backed_up: true,
                ..ceremony()
            },
            FLAG_BS | FLAG_AT,
        ),
    ];
    for (ceremony, flags) in cases {
        let data = authenticator.authenticator_data(&ceremony);
        assert_eq!(parse_auth_data(&data).flags, flags, "{ceremony:?}");
    }
}

#[test]
fn the_attested_credential_data_names_the_credential() {
    let aaguid = *b"0123456789abcdef";
    let authenticator = Authenticator::new(Algorithm::Es256)
        .with_credential_id(vec![7; 40])
        .with_aaguid(aaguid);
    let payload = authenticator.register(&ceremony());
    let auth_data = decode(&payload, &["authenticatorData"]);
    let attested = parse_auth_data(&auth_data);
    assert_eq!(attested.aaguid, aaguid);
    assert_eq!(attested.credential_id, [7; 40]);
    assert_eq!(attested.cose_key, authenticator.public_key_cose());
    assert_eq!(decode(&payload, &["credential", "id"]), [7; 40]);
    assert_eq!(
        parse_auth_data(&Authenticator::new(Algorithm::Es256).authenticator_data(&ceremony()))
            .aaguid,
        [0; 16]
    );
}

#[test]
fn an_es256_cose_key_is_canonical_and_matches_the_spki() {
    let authenticator = Authenticator::new(Algorithm::Es256);
    let cose = cbor_decode(authenticator.public_key_cose());
    let labels: Vec<i128> = entries(&cose)
        .iter()
        .map(|(k, _)| k.as_integer().unwrap().into())
        .collect();
    assert_eq!(labels, [1, 3, -1, -2, -3]);
    let values = entries(&cose);
    assert_eq!(values[0].1, Cbor::from(2));
    assert_eq!(values[1].1, Cbor::from(-7));
    assert_eq!(values[2].1, Cbor::from(1));
    let x = values[3].1.as_bytes().unwrap();
    let y = values[4].1.as_bytes().unwrap();
    assert_eq!((x.len(), y.len()), (32, 32));
    // Re-encoding what was decoded gives the same bytes: nothing was in a
    // longer form than needed.
    assert_eq!(cbor(&cose), authenticator.public_key_cose());

    use p256::pkcs8::DecodePublicKey;
    let key = p256::PublicKey::from_public_key_der(authenticator.public_key_spki()).unwrap();
    let point = p256::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&key, false);
    assert_eq!(point.x().unwrap().as_slice(), x);
    assert_eq!(point.y().unwrap().as_slice(), y);
}

#[test]
fn an_rs256_cose_key_is_canonical_and_matches_the_spki() {
    use rsa::pkcs8::DecodePublicKey;
    use rsa::traits::PublicKeyParts;
    let authenticator = &*RS256;
    let cose = cbor_decode(authenticator.public_key_cose());
    let labels: Vec<i128> = entries(&cose)
        .iter()
        .map(|(k, _)| k.as_integer().unwrap().into())
        .collect();
    assert_eq!(labels, [1, 3, -1, -2]);
    let values = entries(&cose);
    assert_eq!(values[0].1, Cbor::from(3));
    assert_eq!(values[1].1, Cbor::from(-257));
    let n = values[2].1.as_bytes().unwrap();
    let e = values[3].1.as_bytes().unwrap();
    assert_eq!(n.len(), 256);
    assert_ne!(n[0], 0);
    assert_eq!(e, &[1, 0, 1]);
    assert_eq!(cbor(&cose), authenticator.public_key_cose());

    let key = rsa::RsaPublicKey::from_public_key_der(authenticator.public_key_spki()).unwrap();
    assert_eq!(&key.n().to_bytes_be(), n);
    assert_eq!(&key.e().to_bytes_be(), e);
}

#[test]
fn the_attestation_object_is_canonical() {
    for attestation in [AttestationFormat::None, AttestationFormat::PackedSelf] {
        let payload = Authenticator::new(Algorithm::Es256).register(&Ceremony {
            attestation,
            ..ceremony()
        });
        let bytes = decode(&payload, &["attestationData"]);
        // A map of three, its first key the text "fmt".
        assert_eq!(bytes[..5], [0xa3, 0x63, b'f', b'm', b't']);
        let object = cbor_decode(&bytes);
        let keys: Vec<_> = entries(&object)
            .iter()
            .map(|(k, _)| k.as_text().unwrap())
            .collect();
        assert_eq!(keys, ["fmt", "attStmt", "authData"]);
        assert_eq!(cbor(&object), bytes);
        assert_eq!(
            get(&object, "authData").as_bytes().unwrap(),
            &decode(&payload, &["authenticatorData"])
        );
        let statement = entries(get(&object, "attStmt"));
        match attestation {
            AttestationFormat::None => {
                assert_eq!(get(&object, "fmt").as_text(), Some("none"));
                assert!(statement.is_empty());
            }
            AttestationFormat::PackedSelf => {
                assert_eq!(get(&object, "fmt").as_text(), Some("packed"));
                let keys: Vec<_> = statement
                    .iter()
                    .map(|(k, _)| k.as_text().unwrap())
                    .collect();
                assert_eq!(keys, ["alg", "sig"]);
            }
        }
    }
}

/// Checks the packed self attestation of `payload` with ring, returning
/// whether it verified.
fn self_attestation_verifies(payload: &Value, authenticator: &Authenticator) -> bool {
    let object = cbor_decode(&decode(payload, &["attestationData"]));
    let statement = get(&object, "attStmt");
    assert_eq!(
        get(statement, "alg"),
        &Cbor::from(authenticator.algorithm().cose_identifier())
    );
    let signature = get(statement, "sig").as_bytes().unwrap();
    let mut message = decode(payload, &["authenticatorData"]);
    message.extend_from_slice(&sha256(&decode(payload, &["clientData"])));
    match authenticator.algorithm() {
        Algorithm::Es256 => {
            let spki = authenticator.public_key_spki();
            // The point follows the 26-byte SPKI prefix.
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, &spki[26..])
                .verify(&message, signature)
                .is_ok()
        }
        Algorithm::Rs256 => {
            let cose = cbor_decode(authenticator.public_key_cose());
            let values = entries(&cose);
            RsaPublicKeyComponents {
                n: values[2].1.as_bytes().unwrap(),
                e: values[3].1.as_bytes().unwrap(),
            }
            .verify(&RSA_PKCS1_2048_8192_SHA256, &message, signature)
            .is_ok()
        }
    }
}

#[test]
fn self_attestations_verify_unless_corrupted() {
    let es256 = Authenticator::new(Algorithm::Es256);
    for authenticator in [&es256, &*RS256] {
        let payload = authenticator.register(&ceremony());
        assert!(self_attestation_verifies(&payload, authenticator));
        let corrupted = authenticator.register(&Ceremony {
            corrupt_signature: true,
            ..ceremony()
        });
        assert!(!self_attestation_verifies(&corrupted, authenticator));
    }
}

#[test]
#[should_panic(expected = "corrupt_signature needs a signature")]
fn corrupting_a_missing_signature_is_a_test_bug() {
    Authenticator::new(Algorithm::Es256).register(&Ceremony {
        attestation: AttestationFormat::None,
        corrupt_signature: true,
        ..ceremony()
    });
}

#[test]
fn a_key_can_be_reused_without_generating_it_again() {
    for authenticator in [Authenticator::new(Algorithm::Es256), RS256.clone()] {
        let algorithm = authenticator.algorithm();
        let again = Authenticator::from_pkcs8(algorithm, authenticator.pkcs8_der()).unwrap();
        assert_eq!(again.public_key_spki(), authenticator.public_key_spki());
        assert_eq!(again.public_key_cose(), authenticator.public_key_cose());
        assert_ne!(again.credential_id(), authenticator.credential_id());
        let payload = again.register(&ceremony());
        assert!(self_attestation_verifies(&payload, &authenticator));
        let clone = authenticator.clone();
        assert_eq!(clone.credential_id(), authenticator.credential_id());
        assert_eq!(clone.public_key_spki(), authenticator.public_key_spki());
    }
    assert!(Authenticator::from_pkcs8(Algorithm::Rs256, &[0x30, 0]).is_err());
    let es256 = Authenticator::new(Algorithm::Es256);
    assert!(Authenticator::from_pkcs8(Algorithm::Rs256, es256.pkcs8_der()).is_err());
}

#[test]
fn debug_output_leaves_the_key_out() {
    let authenticator = Authenticator::new(Algorithm::Es256).with_credential_id(vec![0xfb; 3]);
    let text = format!("{authenticator:?}");
    assert_eq!(
        text,
        r#"Authenticator { algorithm: Es256, credential_id: "-_v7", aaguid: "AAAAAAAAAAAAAAAAAAAAAA", .. }"#
    );
}

#[test]
fn padding_is_kept_only_when_asked_for() {
    let authenticator = Authenticator::new(Algorithm::Es256);
    let unpadded = authenticator.register(&ceremony());
    let padded = authenticator.register(&Ceremony {
        padded_base64: true,
        ..ceremony()
    });
    // The SPKI has 91 bytes and the client data 130: both need padding.
    assert!(
        padded["credential"]["publicKey"]
            .as_str()
            .unwrap()
            .ends_with('=')
    );
    assert!(padded["clientData"].as_str().unwrap().ends_with("=="));
    assert_eq!(padded["credential"]["id"], unpadded["credential"]["id"]);
    for field in ["authenticatorData", "clientData"] {
        let text = padded[field].as_str().unwrap();
        assert_eq!(text.len() % 4, 0, "{field}");
        assert_eq!(text.trim_end_matches('='), unpadded[field], "{field}");
    }
}
