//! The `apple` anonymous attestation format (§8.8): Apple's anonymization
//! CA certifies the credential key itself, one certificate per credential,
//! and binds it to this registration with a nonce in an extension.

use super::{AttestationInput, Verdict, certificate_chain, signed_data, statement_map};
use crate::webauthn::certificates::verify_chain;
use crate::webauthn::cose::CoseAlgorithm;
use crate::webauthn::{AttestationError, AttestationType};

/// The extension of credCert that holds the nonce.
pub const NONCE_EXTENSION: &str = "1.2.840.113635.100.8.2";

pub fn verify(input: &AttestationInput<'_>) -> Result<Verdict, AttestationError> {
    // §8.8 step 1: attStmt is {x5c}; decoding was strict already. Apple
    // devices have also sent an `alg` member (the spec's syntax has none);
    // it signs nothing here, so it is allowed only when it names the
    // credential's own algorithm.
    statement_map(input.statement, &["alg", "x5c"])?;
    if let Some(alg) = input.statement.map_get_text("alg") {
        let alg = alg.as_int().ok_or(AttestationError::StatementMalformed(
            "alg is not an integer",
        ))?;
        let alg = i64::try_from(alg).unwrap_or(i64::MIN);
        if CoseAlgorithm::from_i64(alg) != Some(input.credential_key.algorithm) {
            return Err(AttestationError::AlgorithmMismatch);
        }
    }
    let chain = certificate_chain(input.statement)?
        .ok_or(AttestationError::StatementMalformed("x5c is missing"))?;
    let cred_cert = &chain[0];

    // Steps 2 and 3: nonce = SHA-256(authenticatorData || clientDataHash).
    let nonce = ring::digest::digest(&ring::digest::SHA256, &signed_data(input));

    // Step 4: the nonce equals the value of credCert's extension
    // 1.2.840.113635.100.8.2.
    let (_, extension) = cred_cert
        .extension(NONCE_EXTENSION)
        .ok_or(AttestationError::ExtensionMissing("Apple nonce"))?;
    let certified_nonce = nonce_of(extension).ok_or(AttestationError::CertificateRequirements(
        "the Apple nonce extension is not a SEQUENCE holding [1] an OCTET STRING",
    ))?;
    if certified_nonce != nonce.as_ref() {
        return Err(AttestationError::NonceMismatch);
    }

    // Step 5: the credential public key is credCert's subject public key.
    if !input.credential_key.matches_spki(cred_cert.spki_der()) {
        return Err(AttestationError::CredentialKeyMismatch);
    }

    // Step 6: anonymization CA, trust path x5c, checked against the clock
    // and the configured roots.
    let trust = verify_chain(&chain, input.trust_anchors, input.now)?;
    Ok(Verdict {
        attestation_type: AttestationType::AnonCa,
        trust,
    })
}

/// One DER element with a single-byte tag: the tag, its contents, and what
/// follows it. Lengths must use the shortest form.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => {
            let (&len, rest) = rest.split_first()?;
            if len < 0x80 {
                return None;
            }
            (usize::from(len), rest)
        }
        0x82 => {
            let bytes = rest.get(..2)?;
            let len = usize::from(u16::from_be_bytes([bytes[0], bytes[1]]));
            if len < 0x100 {
                return None;
            }
            (len, rest.get(2..)?)
        }
        // The extension holds 38 bytes; nothing longer is plausible.
        _ => return None,
    };
    let contents = rest.get(..len)?;
    Some((tag, contents, rest.get(len..)?))
}

/// The nonce inside the extension's value, Apple's
/// `SEQUENCE { nonce [1] EXPLICIT OCTET STRING }`; `None` when the value
/// has any other shape or anything after it.
fn nonce_of(value: &[u8]) -> Option<&[u8]> {
    let (0x30, sequence, []) = element(value)? else {
        return None;
    };
    let (0xa1, explicit, []) = element(sequence)? else {
        return None;
    };
    let (0x04, nonce, []) = element(explicit)? else {
        return None;
    };
    Some(nonce)
}

#[cfg(test)]
mod tests {
    use super::super::test_input::{Owned, w3c_now};
    use super::*;
    use crate::webauthn::attestation::Trust;
    use crate::webauthn::cbor::Value;

    const W3C: &str = "w3c-apple-es256.json";

    fn w3c() -> Owned {
        Owned::fixture(W3C, w3c_now())
    }

    /// Replaces bytes inside credCert's DER. The certificate still parses;
    /// only its signature no longer holds, which nothing checks before the
    /// chain step.
    fn with_cert_bytes_replaced(owned: &mut Owned, from: &[u8], to: &[u8]) {
        let der = owned.x5c(0);
        let at = der
            .windows(from.len())
            .position(|w| w == from)
            .expect("bytes present in the certificate");
        der[at..at + from.len()].copy_from_slice(to);
    }

    #[test]
    fn the_w3c_vector_verifies_as_anonymization_ca() {
        assert_eq!(
            verify(&w3c().input()),
            Ok(Verdict {
                attestation_type: AttestationType::AnonCa,
                trust: Trust::Unverified,
            })
        );
    }

    #[test]
    fn nonce_extension_parses_only_in_its_exact_shape() {
        let nonce = [7u8; 32];
        let mut value = vec![0x30, 0x24, 0xa1, 0x22, 0x04, 0x20];
        value.extend(nonce);
        assert_eq!(nonce_of(&value), Some(&nonce[..]));
        let mut trailing = value.clone();
        trailing.push(0);
        assert_eq!(nonce_of(&trailing), None);
        let mut implicit = value.clone();
        implicit[2] = 0x81;
        assert_eq!(nonce_of(&implicit), None);
        assert_eq!(nonce_of(&value[..20]), None);
        // A long-form length for a short value is not DER.
        assert_eq!(nonce_of(&[0x30, 0x81, 0x02, 0x05, 0x00]), None);
    }

    #[test]
    fn step_4_a_different_client_data_hash_breaks_the_nonce() {
        let mut owned = w3c();
        owned.client_data_hash[0] ^= 1;
        assert_eq!(verify(&owned.input()), Err(AttestationError::NonceMismatch));
    }

    #[test]
    fn step_4_a_certified_nonce_for_other_data_is_refused() {
        let mut owned = w3c();
        let nonce = ring::digest::digest(&ring::digest::SHA256, &signed_data(&owned.input()));
        let mut other = nonce.as_ref().to_vec();
        other[31] ^= 0xff;
        with_cert_bytes_replaced(&mut owned, nonce.as_ref(), &other);
        assert_eq!(verify(&owned.input()), Err(AttestationError::NonceMismatch));
    }

    #[test]
    fn step_4_a_certificate_without_the_nonce_extension_is_refused() {
        let mut owned = w3c();
        // The extension's OID, with its last arc changed to 100.8.3.
        let oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x63, 0x64, 0x08, 0x02];
        let mut other = oid;
        other[8] = 0x03;
        with_cert_bytes_replaced(&mut owned, &oid, &other);
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::ExtensionMissing("Apple nonce"))
        );
    }

    #[test]
    fn step_5_a_certificate_for_another_key_is_refused() {
        let mut owned = w3c();
        // Another valid P-256 point as the credential key: the nonce still
        // matches (authData is unchanged), credCert's key no longer does.
        let crate::webauthn::cose::KeyParams::Ec2 { x, y, .. } = &mut owned.credential_key.params
        else {
            panic!("the W3C apple vector has an EC2 key");
        };
        let other = Owned::fixture("w3c-packed-es256.json", w3c_now());
        let crate::webauthn::cose::KeyParams::Ec2 { x: ox, y: oy, .. } =
            &other.credential_key.params
        else {
            panic!("the W3C packed vector has an EC2 key");
        };
        x.clone_from(ox);
        y.clone_from(oy);
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::CredentialKeyMismatch)
        );
    }

    #[test]
    fn step_1_x5c_is_required_and_alg_must_name_the_credential_algorithm() {
        let mut owned = w3c();
        owned.insert("alg", Value::Negative(6)); // -7, ES256
        assert!(verify(&owned.input()).is_ok());
        owned.insert("alg", Value::Negative(256)); // -257, RS256
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::AlgorithmMismatch)
        );
        owned.remove("alg");
        owned.remove("x5c");
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed("x5c is missing"))
        );
        owned.insert("sig", Value::Bytes(vec![0]));
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed(
                "attStmt has an unknown member"
            ))
        );
    }

    #[test]
    fn step_6_the_chain_is_checked_against_the_clock() {
        let mut owned = w3c();
        owned.now = time::macros::datetime!(2023-12-31 23:59 UTC);
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::CertificateExpired)
        );
    }
}
