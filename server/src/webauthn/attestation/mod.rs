//! Attestation statements (§7.1 steps 21 to 24): dispatch on `fmt` to one
//! module per format, each numbering its steps after its own section of
//! the spec. Formats share the input below and answer with the attestation
//! type and how far the certificate chain could be trusted.

pub mod android_key;
pub mod android_key_description;
pub mod apple;
pub mod fido_u2f;
pub mod none;
pub mod packed;
pub mod tpm;
pub mod tpm_structures;

use time::OffsetDateTime;

use crate::webauthn::cbor::Value;
pub use crate::webauthn::certificates::Trust;
use crate::webauthn::certificates::TrustAnchor;
use crate::webauthn::cose::CoseKey;
use crate::webauthn::{AttestationFormat, AttestationType, RegistrationError};

/// What every format's verification procedure reads.
pub struct AttestationInput<'a> {
    /// `attStmt`, decoded.
    pub statement: &'a Value,
    /// `authData`, the raw bytes the statement signs.
    pub auth_data: &'a [u8],
    pub client_data_hash: &'a [u8; 32],
    pub rp_id_hash: &'a [u8; 32],
    pub credential_id: &'a [u8],
    pub credential_key: &'a CoseKey,
    pub aaguid: &'a [u8; 16],
    pub now: OffsetDateTime,
    pub trust_anchors: &'a [TrustAnchor],
}

/// A format's verdict on a statement that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub attestation_type: AttestationType,
    pub trust: Trust,
}

/// §7.1 step 21: the format must be one of the registry's that this
/// server verifies; step 22: its verification procedure must pass.
pub fn verify(
    fmt: &str,
    input: &AttestationInput<'_>,
) -> Result<(AttestationFormat, Verdict), RegistrationError> {
    let (format, result) = match fmt {
        "none" => (AttestationFormat::None, none::verify(input)),
        "packed" => (AttestationFormat::Packed, packed::verify(input)),
        "fido-u2f" => (AttestationFormat::FidoU2f, fido_u2f::verify(input)),
        "tpm" => (AttestationFormat::Tpm, tpm::verify(input)),
        "android-key" => (AttestationFormat::AndroidKey, android_key::verify(input)),
        "apple" => (AttestationFormat::Apple, apple::verify(input)),
        // Google retired SafetyNet attestation; its tokens can no longer be
        // checked against a live service, so they prove nothing.
        "android-safetynet" => return Err(RegistrationError::SafetyNetRetired),
        other => {
            return Err(RegistrationError::UnsupportedAttestationFormat(
                other.to_owned(),
            ));
        }
    };
    result
        .map(|verdict| (format, verdict))
        .map_err(|source| RegistrationError::Attestation {
            format: format.name(),
            source,
        })
}

/// The signed data of the `packed`, `tpm`, `android-key` and `apple`
/// formats: authenticator data followed by the client data hash.
pub(crate) fn signed_data(input: &AttestationInput<'_>) -> Vec<u8> {
    let mut data = Vec::with_capacity(input.auth_data.len() + 32);
    data.extend_from_slice(input.auth_data);
    data.extend_from_slice(input.client_data_hash);
    data
}

/// The statement as a map of text keys, with every key in `allowed`
/// (strict: an unknown member is refused, not ignored).
pub(crate) fn statement_map<'a>(
    statement: &'a Value,
    allowed: &[&str],
) -> Result<&'a [(Value, Value)], crate::webauthn::AttestationError> {
    use crate::webauthn::AttestationError as E;
    let map = statement
        .as_map()
        .ok_or(E::StatementMalformed("attStmt is not a map"))?;
    for (key, _) in map {
        match key.as_text() {
            Some(name) if allowed.contains(&name) => {}
            Some(_) => return Err(E::StatementMalformed("attStmt has an unknown member")),
            None => return Err(E::StatementMalformed("attStmt has a key that is not text")),
        }
    }
    Ok(map)
}

/// `x5c`: a non-empty array of DER certificates, the attestation
/// certificate first.
pub(crate) fn certificate_chain(
    statement: &Value,
) -> Result<
    Option<Vec<crate::webauthn::certificates::Certificate>>,
    crate::webauthn::AttestationError,
> {
    use crate::webauthn::AttestationError as E;
    let Some(x5c) = statement.map_get_text("x5c") else {
        return Ok(None);
    };
    let items = x5c
        .as_array()
        .ok_or(E::StatementMalformed("x5c is not an array"))?;
    if items.is_empty() {
        return Err(E::StatementMalformed("x5c is empty"));
    }
    items
        .iter()
        .map(|item| {
            let der = item
                .as_bytes()
                .ok_or(E::StatementMalformed("an x5c entry is not a byte string"))?;
            crate::webauthn::certificates::Certificate::from_der(der)
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// `alg`: a COSE algorithm this verifier knows. SHA-1 (`RS1`) is refused:
/// an attestation signs data the client influences, and SHA-1 collisions
/// are practical (SHAttered 2017, chosen-prefix 2020).
pub(crate) fn statement_algorithm(
    statement: &Value,
) -> Result<crate::webauthn::CoseAlgorithm, crate::webauthn::AttestationError> {
    use crate::webauthn::{AttestationError as E, CoseAlgorithm};
    let alg = statement
        .map_get_text("alg")
        .and_then(|v| v.as_int())
        .ok_or(E::StatementMalformed("alg is missing or not an integer"))?;
    let alg = i64::try_from(alg).map_err(|_| E::AlgorithmUnsupported(i64::MIN))?;
    match CoseAlgorithm::from_i64(alg) {
        Some(CoseAlgorithm::Rs1) => Err(E::Sha1Refused),
        Some(alg) => Ok(alg),
        None => Err(E::AlgorithmUnsupported(alg)),
    }
}

/// The FIDO extension that names the authenticator model's AAGUID.
const AAGUID_EXTENSION: &str = "1.3.6.1.4.1.45724.1.1.4";

/// §8.2.1 and §8.3.1: if the attestation certificate has the AAGUID
/// extension, it is not critical and names the authenticator data's AAGUID.
pub(crate) fn check_aaguid_extension(
    certificate: &crate::webauthn::certificates::Certificate,
    aaguid: &[u8; 16],
) -> Result<(), crate::webauthn::AttestationError> {
    use crate::webauthn::AttestationError as E;
    let Some((critical, value)) = certificate.extension(AAGUID_EXTENSION) else {
        return Ok(());
    };
    if critical {
        return Err(E::CertificateRequirements(
            "the AAGUID extension must not be critical",
        ));
    }
    // extnValue holds an OCTET STRING of 16 bytes.
    match value {
        [0x04, 0x10, rest @ ..] if rest.len() == 16 && rest == aaguid => Ok(()),
        [0x04, 0x10, rest @ ..] if rest.len() == 16 => Err(E::AaguidMismatch),
        _ => Err(E::CertificateRequirements(
            "the AAGUID extension is not a 16-byte OCTET STRING",
        )),
    }
}

/// A byte-string member of the statement.
pub(crate) fn statement_bytes<'a>(
    statement: &'a Value,
    name: &str,
    malformed: &'static str,
) -> Result<&'a [u8], crate::webauthn::AttestationError> {
    statement
        .map_get_text(name)
        .and_then(|v| v.as_bytes())
        .ok_or(crate::webauthn::AttestationError::StatementMalformed(
            malformed,
        ))
}

/// A fixture's attestation statement with everything a format's `verify`
/// reads, owned, so that unit tests can edit the statement and call
/// `verify` again.
#[cfg(test)]
pub(crate) mod test_input {
    use time::OffsetDateTime;

    use super::AttestationInput;
    use crate::webauthn::authenticator_data;
    use crate::webauthn::cbor::{self, Value};
    use crate::webauthn::certificates::test_fixtures::{b64url, json};
    use crate::webauthn::cose::{self, CoseKey};

    pub struct Owned {
        pub statement: Value,
        pub auth_data: Vec<u8>,
        pub client_data_hash: [u8; 32],
        pub rp_id_hash: [u8; 32],
        pub credential_id: Vec<u8>,
        pub credential_key: CoseKey,
        pub aaguid: [u8; 16],
        pub now: OffsetDateTime,
    }

    impl Owned {
        /// `name` is a file of `shared/fixtures/webauthn`.
        pub fn fixture(name: &str, now: OffsetDateTime) -> Owned {
            let fixture = json(name);
            let object = b64url(
                fixture["attestationObject_b64url"]
                    .as_str()
                    .expect("object"),
            );
            let object = cbor::decode(&object).expect("attestation object");
            let client_data = b64url(
                fixture["clientDataJSON_b64url"]
                    .as_str()
                    .expect("clientData"),
            );
            let mut client_data_hash = [0; 32];
            client_data_hash.copy_from_slice(
                ring::digest::digest(&ring::digest::SHA256, &client_data).as_ref(),
            );
            let auth_data = object
                .map_get_text("authData")
                .and_then(Value::as_bytes)
                .expect("authData")
                .to_vec();
            let parsed = authenticator_data::parse(&auth_data).expect("authenticator data");
            let attested = parsed.attested.expect("attested credential data");
            Owned {
                statement: object.map_get_text("attStmt").expect("attStmt").clone(),
                credential_key: cose::parse_key(&attested.public_key).expect("COSE key"),
                auth_data,
                client_data_hash,
                rp_id_hash: parsed.rp_id_hash,
                credential_id: attested.credential_id,
                aaguid: attested.aaguid,
                now,
            }
        }

        pub fn input(&self) -> AttestationInput<'_> {
            AttestationInput {
                statement: &self.statement,
                auth_data: &self.auth_data,
                client_data_hash: &self.client_data_hash,
                rp_id_hash: &self.rp_id_hash,
                credential_id: &self.credential_id,
                credential_key: &self.credential_key,
                aaguid: &self.aaguid,
                now: self.now,
                trust_anchors: &[],
            }
        }

        /// The statement member `name`, to edit in place.
        pub fn member(&mut self, name: &str) -> &mut Value {
            let Value::Map(entries) = &mut self.statement else {
                panic!("attStmt is not a map");
            };
            entries
                .iter_mut()
                .find(|(key, _)| key.as_text() == Some(name))
                .map(|(_, value)| value)
                .unwrap_or_else(|| panic!("attStmt has no `{name}`"))
        }

        /// The byte-string member `name`, to edit in place.
        pub fn bytes(&mut self, name: &str) -> &mut Vec<u8> {
            match self.member(name) {
                Value::Bytes(bytes) => bytes,
                other => panic!("`{name}` is not bytes: {other:?}"),
            }
        }

        /// A copy of the byte-string member `name`.
        pub fn statement_bytes(&self, name: &str) -> Vec<u8> {
            self.statement
                .map_get_text(name)
                .and_then(Value::as_bytes)
                .unwrap_or_else(|| panic!("attStmt has no bytes `{name}`"))
                .to_vec()
        }

        /// The DER of x5c's certificate `index`, to replace.
        pub fn x5c(&mut self, index: usize) -> &mut Vec<u8> {
            match self.member("x5c") {
                Value::Array(items) => match &mut items[index] {
                    Value::Bytes(bytes) => bytes,
                    other => panic!("x5c[{index}] is not bytes: {other:?}"),
                },
                other => panic!("x5c is not an array: {other:?}"),
            }
        }

        /// Adds a member (or replaces one) in attStmt.
        pub fn insert(&mut self, name: &str, value: Value) {
            let Value::Map(entries) = &mut self.statement else {
                panic!("attStmt is not a map");
            };
            entries.retain(|(key, _)| key.as_text() != Some(name));
            entries.push((Value::Text(name.to_owned()), value));
        }

        /// Removes a member from attStmt.
        pub fn remove(&mut self, name: &str) {
            let Value::Map(entries) = &mut self.statement else {
                panic!("attStmt is not a map");
            };
            entries.retain(|(key, _)| key.as_text() != Some(name));
        }
    }

    /// A time inside the validity of every W3C vector's certificates.
    pub fn w3c_now() -> OffsetDateTime {
        time::macros::datetime!(2026-06-01 00:00 UTC)
    }
}
