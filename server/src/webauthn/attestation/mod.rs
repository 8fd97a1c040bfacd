//! Attestation statements (§7.1 steps 21 to 24): dispatch on `fmt` to one
//! module per format, each numbering its steps after its own section of
//! the spec. Formats share the input below and answer with the attestation
//! type and how far the certificate chain could be trusted.

pub mod android_key_description;
pub mod fido_u2f;
pub mod none;
pub mod packed;
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
