//! The `fido-u2f` attestation format (§8.6): what FIDO U2F security keys
//! answer. The signature covers a U2F-style message built from the
//! credential, made with the key of a single P-256 attestation certificate.

use super::{AttestationInput, Verdict, certificate_chain, statement_bytes, statement_map};
use crate::webauthn::certificates::verify_chain;
use crate::webauthn::cose::{CoseAlgorithm, EcCurve, KeyParams};
use crate::webauthn::{AttestationError, AttestationType};

/// SubjectPublicKeyInfo DER of a P-256 key, up to the point's bytes.
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

pub fn verify(input: &AttestationInput<'_>) -> Result<Verdict, AttestationError> {
    // §8.6 step 1: attStmt is {x5c, sig}.
    statement_map(input.statement, &["sig", "x5c"])?;
    let sig = statement_bytes(input.statement, "sig", "sig is missing or not bytes")?;
    // Step 2: exactly one certificate, with a P-256 key.
    let chain = certificate_chain(input.statement)?
        .ok_or(AttestationError::StatementMalformed("x5c is missing"))?;
    if chain.len() != 1 {
        return Err(AttestationError::StatementMalformed(
            "x5c must hold exactly one certificate",
        ));
    }
    let certificate = &chain[0];
    let spki = certificate.spki_der();
    if spki.len() != P256_SPKI_PREFIX.len() + 65 || !spki.starts_with(&P256_SPKI_PREFIX) {
        return Err(AttestationError::CertificateRequirements(
            "the attestation certificate's key is not a P-256 key",
        ));
    }
    // Steps 3 and 4: the credential key in U2F's raw form, 0x04 || x || y.
    let (x, y) = match &input.credential_key.params {
        KeyParams::Ec2 {
            curve: EcCurve::P256,
            x,
            y,
        } => (x, y),
        _ => {
            return Err(AttestationError::FormatSpecific(
                "fido-u2f credentials must be P-256 keys",
            ));
        }
    };
    // Step 5: verificationData = 0x00 || rpIdHash || clientDataHash ||
    // credentialId || publicKeyU2F.
    let mut message = Vec::with_capacity(1 + 32 + 32 + input.credential_id.len() + 65);
    message.push(0x00);
    message.extend_from_slice(input.rp_id_hash);
    message.extend_from_slice(input.client_data_hash);
    message.extend_from_slice(input.credential_id);
    message.push(0x04);
    message.extend_from_slice(x);
    message.extend_from_slice(y);
    // Step 6: the signature is ECDSA P-256 with SHA-256.
    if !certificate.verify_signature(CoseAlgorithm::Es256, &message, sig) {
        return Err(AttestationError::SignatureInvalid);
    }
    // Steps 7 and 8: the certificate against the clock and the roots.
    let trust = verify_chain(&chain, input.trust_anchors, input.now)?;
    Ok(Verdict {
        attestation_type: AttestationType::Basic,
        trust,
    })
}
