//! Parsing of authenticator data (W3C WebAuthn §6.1): the RP ID hash, the
//! flags, the signature counter, the attested credential data (§6.5.2) and
//! the extensions, with every byte accounted for.

use super::cbor;
use super::error::RegistrationError;

/// The fixed part: rpIdHash (32), flags (1), signCount (4).
const HEADER_LEN: usize = 37;
/// §5.8.3: a credential ID is at most 1023 bytes.
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;

/// The flags byte. Bits 1 and 5 are reserved and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// User present (bit 0).
    pub up: bool,
    /// User verified (bit 2).
    pub uv: bool,
    /// Backup eligible (bit 3).
    pub be: bool,
    /// Backed up (bit 4).
    pub bs: bool,
    /// Attested credential data included (bit 6).
    pub at: bool,
    /// Extension data included (bit 7).
    pub ed: bool,
}

impl Flags {
    pub fn from_byte(byte: u8) -> Self {
        Flags {
            up: byte & 0x01 != 0,
            uv: byte & 0x04 != 0,
            be: byte & 0x08 != 0,
            bs: byte & 0x10 != 0,
            at: byte & 0x40 != 0,
            ed: byte & 0x80 != 0,
        }
    }
}

/// The credential a registration creates (§6.5.2).
#[derive(Debug, Clone, PartialEq)]
pub struct AttestedCredentialData {
    pub aaguid: [u8; 16],
    pub credential_id: Vec<u8>,
    /// The COSE key, decoded.
    pub public_key: cbor::Value,
    /// The COSE key exactly as the authenticator encoded it.
    pub public_key_bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuthenticatorData {
    pub rp_id_hash: [u8; 32],
    pub flags: Flags,
    pub sign_count: u32,
    /// Present exactly when the AT flag is set.
    pub attested: Option<AttestedCredentialData>,
    /// Present exactly when the ED flag is set; always a map.
    pub extensions: Option<cbor::Value>,
}

/// Parses authenticator data; the flags decide which parts must follow the
/// fixed header, and nothing may follow the last of them.
pub fn parse(bytes: &[u8]) -> Result<AuthenticatorData, RegistrationError> {
    let (header, mut rest) =
        bytes
            .split_at_checked(HEADER_LEN)
            .ok_or(RegistrationError::AuthenticatorDataMalformed(
                "shorter than 37 bytes",
            ))?;
    let (rp_id_hash, header) = split_array::<32>(header)?;
    let ([flags], header) = split_array::<1>(header)?;
    let (sign_count, _) = split_array::<4>(header)?;
    let flags = Flags::from_byte(flags);

    let attested = if flags.at {
        let (data, after) = attested_credential_data(rest)?;
        rest = after;
        Some(data)
    } else {
        None
    };

    let extensions = if flags.ed {
        if rest.is_empty() {
            return Err(RegistrationError::AuthenticatorDataMalformed(
                "the ED flag is set but no extensions follow",
            ));
        }
        let (value, used) = cbor::decode_prefix(rest).map_err(|_| {
            RegistrationError::AuthenticatorDataMalformed("the extensions are not valid CBOR")
        })?;
        if value.as_map().is_none() {
            return Err(RegistrationError::AuthenticatorDataMalformed(
                "the extensions are not a CBOR map",
            ));
        }
        rest = rest.get(used..).unwrap_or_default();
        Some(value)
    } else {
        None
    };

    if !rest.is_empty() {
        return Err(RegistrationError::AuthenticatorDataTrailingBytes(
            rest.len(),
        ));
    }
    Ok(AuthenticatorData {
        rp_id_hash,
        flags,
        sign_count: u32::from_be_bytes(sign_count),
        attested,
        extensions,
    })
}

/// aaguid (16), credentialIdLength (2), credentialId, credentialPublicKey;
/// returns what follows the key.
fn attested_credential_data(
    bytes: &[u8],
) -> Result<(AttestedCredentialData, &[u8]), RegistrationError> {
    const TRUNCATED: RegistrationError =
        RegistrationError::AuthenticatorDataMalformed("the attested credential data is truncated");
    let (aaguid, rest) = split_array::<16>(bytes).map_err(|_| TRUNCATED)?;
    let (length, rest) = split_array::<2>(rest).map_err(|_| TRUNCATED)?;
    let length = usize::from(u16::from_be_bytes(length));
    let (credential_id, rest) =
        rest.split_at_checked(length)
            .ok_or(RegistrationError::AuthenticatorDataMalformed(
                "credential ID length exceeds the data",
            ))?;
    if length > MAX_CREDENTIAL_ID_LEN {
        return Err(RegistrationError::CredentialIdTooLong(length));
    }
    let (public_key, used) = cbor::decode_prefix(rest)
        .map_err(|e| RegistrationError::CoseKeyMalformed(e.to_string()))?;
    let (public_key_bytes, rest) = rest.split_at_checked(used).ok_or(TRUNCATED)?;
    Ok((
        AttestedCredentialData {
            aaguid,
            credential_id: credential_id.to_vec(),
            public_key,
            public_key_bytes: public_key_bytes.to_vec(),
        },
        rest,
    ))
}

fn split_array<const N: usize>(bytes: &[u8]) -> Result<([u8; N], &[u8]), RegistrationError> {
    bytes
        .split_first_chunk::<N>()
        .map(|(head, rest)| (*head, rest))
        .ok_or(RegistrationError::AuthenticatorDataMalformed(
            "shorter than 37 bytes",
        ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::webauthn::base64url;
    use crate::webauthn::certificates::test_fixtures::{DIR, b64, hex, json as fixture};

    /// The authData inside a negative case's attestation object.
    fn negative_case(name: &str) -> Vec<u8> {
        let all = fixture("derived-none-es256-negative-cases.json");
        let case = all["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no case {name}"))
            .clone();
        let object = cbor::decode(&b64(&case["attestationObject_b64url"])).unwrap();
        object
            .map_get_text("authData")
            .unwrap()
            .as_bytes()
            .unwrap()
            .to_vec()
    }

    fn w3c_none_es256() -> Vec<u8> {
        b64(&fixture("w3c-none-es256.json")["authenticatorData_b64url"])
    }

    #[test]
    fn parses_the_w3c_none_es256_authenticator_data() {
        let parsed = parse(&w3c_none_es256()).unwrap();
        assert_eq!(
            parsed.rp_id_hash.to_vec(),
            hex("bfabc37432958b063360d3ad6461c9c4735ae7f8edd46592a5e0f01452b2e4b5")
        );
        assert_eq!(
            parsed.flags,
            Flags {
                up: true,
                uv: false,
                be: true,
                bs: true,
                at: true,
                ed: false
            }
        );
        assert_eq!(parsed.sign_count, 0);
        assert_eq!(parsed.extensions, None);
        let attested = parsed.attested.unwrap();
        assert_eq!(
            attested.aaguid.to_vec(),
            hex("8446ccb9ab1db374750b2367ff6f3a1f")
        );
        assert_eq!(
            base64url::encode(&attested.credential_id),
            "-R85HbTJsv3g6nAYnLo_tj9Xm6YSKzOtlP8-wzAIS-Q"
        );
        assert_eq!(
            attested.public_key.map_get_int(3).unwrap().as_int(),
            Some(-7)
        );
        assert_eq!(attested.public_key_bytes.len(), 77);
        assert_eq!(
            cbor::decode(&attested.public_key_bytes).unwrap(),
            attested.public_key
        );
    }

    /// Every fixture's authData against the fields derived from it.
    #[test]
    fn parses_every_fixture_as_derived() {
        let mut seen = 0;
        for entry in std::fs::read_dir(DIR).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let f: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let expected = &f["authenticatorData"];
            if expected.is_null() {
                continue;
            }
            let parsed = parse(&b64(&f["authenticatorData_b64url"]))
                .unwrap_or_else(|e| panic!("{path:?}: {e}"));
            assert_eq!(
                parsed.rp_id_hash.to_vec(),
                hex(expected["rpIdHash"].as_str().unwrap()),
                "{path:?}"
            );
            let flags = &expected["flags"];
            assert_eq!(
                parsed.flags,
                Flags {
                    up: flags["UP"] == true,
                    uv: flags["UV"] == true,
                    be: flags["BE"] == true,
                    bs: flags["BS"] == true,
                    at: flags["AT"] == true,
                    ed: flags["ED"] == true,
                },
                "{path:?}"
            );
            assert_eq!(
                u64::from(parsed.sign_count),
                expected["signCount"].as_u64().unwrap(),
                "{path:?}"
            );
            let attested = parsed.attested.unwrap();
            assert_eq!(
                attested.aaguid.to_vec(),
                hex(expected["aaguid"].as_str().unwrap()),
                "{path:?}"
            );
            assert_eq!(
                attested.credential_id,
                b64(&expected["credentialId_b64url"]),
                "{path:?}"
            );
            assert_eq!(
                attested
                    .public_key
                    .map_get_int(3)
                    .and_then(cbor::Value::as_int),
                expected["coseAlg"].as_i64().map(i128::from),
                "{path:?}"
            );
            seen += 1;
        }
        assert!(seen >= 20, "only {seen} fixtures");
    }

    #[test]
    fn the_long_credential_id_vector_parses() {
        let f = fixture("w3c-none-es256-long-credential-id.json");
        let parsed = parse(&b64(&f["authenticatorData_b64url"])).unwrap();
        let length = parsed.attested.unwrap().credential_id.len();
        assert_eq!(
            length as u64,
            f["authenticatorData"]["credentialIdLength"]
                .as_u64()
                .unwrap()
        );
    }

    #[test]
    fn flags_come_from_their_bits() {
        assert_eq!(Flags::from_byte(0), Flags::default());
        assert_eq!(
            Flags::from_byte(0xff),
            Flags {
                up: true,
                uv: true,
                be: true,
                bs: true,
                at: true,
                ed: true
            }
        );
        // The reserved bits 1 and 5 alone set nothing.
        assert_eq!(Flags::from_byte(0x22), Flags::default());
        assert!(Flags::from_byte(0x01).up);
        assert!(Flags::from_byte(0x04).uv);
        assert!(Flags::from_byte(0x08).be);
        assert!(Flags::from_byte(0x10).bs);
        assert!(Flags::from_byte(0x40).at);
        assert!(Flags::from_byte(0x80).ed);
    }

    #[test]
    fn shorter_than_37_bytes_is_malformed() {
        for len in [0, 1, 32, 36] {
            assert!(
                matches!(
                    parse(&vec![0; len]),
                    Err(RegistrationError::AuthenticatorDataMalformed(_))
                ),
                "{len}"
            );
        }
    }

    #[test]
    fn without_at_there_is_no_attested_credential() {
        let mut bytes = vec![0u8; 37];
        bytes[32] = 0x01;
        bytes[33..37].copy_from_slice(&7u32.to_be_bytes());
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.attested, None);
        assert_eq!(parsed.sign_count, 7);
        assert!(parsed.flags.up);
    }

    #[test]
    fn derived_at_cleared_has_no_attested_credential_and_trailing_bytes() {
        // The case clears AT but leaves the credential in place.
        assert_eq!(
            parse(&negative_case("at-cleared")),
            Err(RegistrationError::AuthenticatorDataTrailingBytes(164 - 37))
        );
    }

    #[test]
    fn derived_ed_set_without_extensions_is_malformed() {
        assert!(matches!(
            parse(&negative_case("ed-set-no-extensions")),
            Err(RegistrationError::AuthenticatorDataMalformed(_))
        ));
    }

    #[test]
    fn derived_trailing_bytes_are_refused() {
        assert_eq!(
            parse(&negative_case("authdata-trailing-bytes")),
            Err(RegistrationError::AuthenticatorDataTrailingBytes(4))
        );
    }

    #[test]
    fn derived_truncated_key_is_a_malformed_cose_key() {
        assert!(matches!(
            parse(&negative_case("authdata-truncated")),
            Err(RegistrationError::CoseKeyMalformed(_))
        ));
    }

    #[test]
    fn derived_credential_id_length_overflow_is_malformed() {
        assert_eq!(
            parse(&negative_case("credid-length-overflow")),
            Err(RegistrationError::AuthenticatorDataMalformed(
                "credential ID length exceeds the data"
            ))
        );
    }

    #[test]
    fn derived_1024_byte_credential_id_is_too_long() {
        assert_eq!(
            parse(&negative_case("credid-1024-bytes")),
            Err(RegistrationError::CredentialIdTooLong(1024))
        );
    }

    #[test]
    fn a_1023_byte_credential_id_is_fine() {
        let original = w3c_none_es256();
        let key = &original[37 + 18 + 32..];
        let mut bytes = original[..37 + 16].to_vec();
        bytes.extend_from_slice(&1023u16.to_be_bytes());
        bytes.extend_from_slice(&[0xab; 1023]);
        bytes.extend_from_slice(key);
        assert_eq!(
            parse(&bytes).unwrap().attested.unwrap().credential_id.len(),
            1023
        );
    }

    #[test]
    fn attested_credential_data_cut_before_the_id_is_malformed() {
        let original = w3c_none_es256();
        for len in 37..37 + 18 {
            assert!(
                matches!(
                    parse(&original[..len]),
                    Err(RegistrationError::AuthenticatorDataMalformed(_))
                ),
                "{len}"
            );
        }
    }

    #[test]
    fn a_missing_public_key_is_malformed() {
        let original = w3c_none_es256();
        assert!(matches!(
            parse(&original[..37 + 18 + 32]),
            Err(RegistrationError::CoseKeyMalformed(_))
        ));
    }

    fn with_flags(mut bytes: Vec<u8>, set: u8) -> Vec<u8> {
        bytes[32] |= set;
        bytes
    }

    #[test]
    fn extensions_after_the_key_are_parsed() {
        // {"credProtect": 2}
        let mut bytes = with_flags(w3c_none_es256(), 0x80);
        bytes.extend_from_slice(&hex("a16b6372656450726f7465637402"));
        let parsed = parse(&bytes).unwrap();
        assert!(parsed.attested.is_some());
        assert_eq!(
            parsed
                .extensions
                .unwrap()
                .map_get_text("credProtect")
                .unwrap()
                .as_int(),
            Some(2)
        );
    }

    #[test]
    fn extensions_without_attested_data_are_parsed() {
        let mut bytes = vec![0u8; 37];
        bytes[32] = 0x81;
        bytes.extend_from_slice(&hex("a0"));
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.attested, None);
        assert_eq!(parsed.extensions, Some(cbor::Value::Map(vec![])));
    }

    #[test]
    fn extensions_that_are_not_a_map_are_malformed() {
        let mut bytes = with_flags(w3c_none_es256(), 0x80);
        bytes.push(0x01);
        assert_eq!(
            parse(&bytes),
            Err(RegistrationError::AuthenticatorDataMalformed(
                "the extensions are not a CBOR map"
            ))
        );
    }

    #[test]
    fn extensions_that_are_not_cbor_are_malformed() {
        let mut bytes = with_flags(w3c_none_es256(), 0x80);
        bytes.extend_from_slice(&hex("bf01"));
        assert_eq!(
            parse(&bytes),
            Err(RegistrationError::AuthenticatorDataMalformed(
                "the extensions are not valid CBOR"
            ))
        );
    }

    #[test]
    fn bytes_after_the_extensions_are_trailing() {
        let mut bytes = with_flags(w3c_none_es256(), 0x80);
        bytes.extend_from_slice(&hex("a0000000"));
        assert_eq!(
            parse(&bytes),
            Err(RegistrationError::AuthenticatorDataTrailingBytes(3))
        );
    }

    #[test]
    fn bytes_after_the_header_without_at_or_ed_are_trailing() {
        let mut bytes = vec![0u8; 40];
        bytes[32] = 0x01;
        assert_eq!(
            parse(&bytes),
            Err(RegistrationError::AuthenticatorDataTrailingBytes(3))
        );
    }

    #[test]
    fn a_cose_key_that_is_not_cbor_is_malformed() {
        let mut bytes = w3c_none_es256()[..37 + 18 + 32].to_vec();
        bytes.extend_from_slice(&hex("bf"));
        assert_eq!(
            parse(&bytes),
            Err(RegistrationError::CoseKeyMalformed(
                "indefinite-length items are not allowed".to_owned()
            ))
        );
    }

    /// Every prefix and every one-byte change of real authenticator data
    /// must come back as a value or an error, never a panic.
    #[test]
    fn no_truncation_or_byte_mutation_panics() {
        let original = w3c_none_es256();
        for len in 0..original.len() {
            let _ = parse(&original[..len]);
        }
        let mut mutated = original.clone();
        for i in 0..original.len() {
            for byte in 0..=u8::MAX {
                mutated[i] = byte;
                if let Ok(parsed) = parse(&mutated)
                    && let Some(attested) = parsed.attested
                {
                    let _ = crate::webauthn::cose::parse_key(&attested.public_key);
                }
            }
            mutated[i] = original[i];
        }
    }
}
