//! The `packed` attestation format (§8.2): a signature over the
//! authenticator data and client data hash, made either by an attestation
//! certificate (x5c) or by the credential key itself (self attestation).

use super::{
    AttestationInput, Verdict, certificate_chain, check_aaguid_extension, signed_data,
    statement_algorithm, statement_bytes, statement_map,
};
use crate::webauthn::certificates::{Certificate, verify_chain};
use crate::webauthn::{AttestationError, AttestationType};

pub fn verify(input: &AttestationInput<'_>) -> Result<Verdict, AttestationError> {
    // §8.2 step 1: attStmt is {alg, sig, x5c?}; decoding was strict already.
    statement_map(input.statement, &["alg", "sig", "x5c"])?;
    let alg = statement_algorithm(input.statement)?;
    let sig = statement_bytes(input.statement, "sig", "sig is missing or not bytes")?;
    let message = signed_data(input);

    match certificate_chain(input.statement)? {
        Some(chain) => {
            let leaf = &chain[0];
            // Step 2.1: the signature verifies with the attestation
            // certificate's key and alg.
            if !leaf.verify_signature(alg, &message, sig) {
                return Err(AttestationError::SignatureInvalid);
            }
            // Step 2.2: the certificate meets §8.2.1.
            check_certificate_requirements(leaf)?;
            // Step 2.3: an AAGUID extension, if present, names the
            // authenticator data's AAGUID.
            check_aaguid_extension(leaf, input.aaguid)?;
            // Steps 2.4 and 2.5: the chain is checked against the clock and
            // the configured roots; without roots it is reported unverified.
            let trust = verify_chain(&chain, input.trust_anchors, input.now)?;
            Ok(Verdict {
                attestation_type: AttestationType::Basic,
                trust,
            })
        }
        None => {
            // Step 3.1: self attestation uses the credential's own algorithm.
            if alg != input.credential_key.algorithm {
                return Err(AttestationError::AlgorithmMismatch);
            }
            // Step 3.2: and its own key.
            if !input.credential_key.verify(&message, sig) {
                return Err(AttestationError::SignatureInvalid);
            }
            Ok(Verdict {
                attestation_type: AttestationType::SelfAttestation,
                trust: super::Trust::None,
            })
        }
    }
}

/// §8.2.1: version 3; a subject with C, O, OU "Authenticator Attestation"
/// and CN; not a CA.
fn check_certificate_requirements(certificate: &Certificate) -> Result<(), AttestationError> {
    use AttestationError::CertificateRequirements as Requirement;
    if certificate.version() != 3 {
        return Err(Requirement(
            "the attestation certificate is not X.509 version 3",
        ));
    }
    for (oid, what) in [
        ("2.5.4.6", "the subject lacks a country (C)"),
        ("2.5.4.10", "the subject lacks an organization (O)"),
        ("2.5.4.3", "the subject lacks a common name (CN)"),
    ] {
        if certificate.subject_attribute(oid).is_empty() {
            return Err(Requirement(what));
        }
    }
    if !certificate
        .subject_attribute("2.5.4.11")
        .iter()
        .any(|ou| ou == "Authenticator Attestation")
    {
        return Err(Requirement(
            "the subject's OU is not \"Authenticator Attestation\"",
        ));
    }
    if certificate.is_ca() {
        return Err(Requirement("the attestation certificate is a CA"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webauthn::attestation::test_input::{Owned, w3c_now};
    use crate::webauthn::cbor::Value;

    #[test]
    fn w3c_packed_statements_verify() {
        for (name, ty) in [
            ("w3c-packed-es256.json", AttestationType::Basic),
            (
                "w3c-packed-self-es256.json",
                AttestationType::SelfAttestation,
            ),
        ] {
            let owned = Owned::fixture(name, w3c_now());
            assert_eq!(
                verify(&owned.input()).map(|v| v.attestation_type),
                Ok(ty),
                "{name}"
            );
        }
    }

    #[test]
    fn sha1_is_refused_like_in_every_format() {
        let mut owned = Owned::fixture("w3c-packed-self-es256.json", w3c_now());
        owned.insert("alg", Value::Negative(65534)); // -65535, RS1
        assert_eq!(verify(&owned.input()), Err(AttestationError::Sha1Refused));
    }

    #[test]
    fn self_attestation_must_use_the_credential_algorithm() {
        let mut owned = Owned::fixture("w3c-packed-self-es256.json", w3c_now());
        owned.insert("alg", Value::Negative(256)); // -257, RS256
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::AlgorithmMismatch)
        );
    }

    #[test]
    fn a_damaged_signature_is_refused() {
        for name in ["w3c-packed-es256.json", "w3c-packed-self-es256.json"] {
            let mut owned = Owned::fixture(name, w3c_now());
            let sig = owned.bytes("sig");
            let last = sig.len() - 1;
            sig[last] ^= 1;
            assert_eq!(
                verify(&owned.input()),
                Err(AttestationError::SignatureInvalid),
                "{name}"
            );
        }
    }

    #[test]
    fn an_unknown_statement_member_is_refused() {
        let mut owned = Owned::fixture("w3c-packed-es256.json", w3c_now());
        owned.insert("extra", Value::Null);
        assert!(matches!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed(_))
        ));
    }
}
