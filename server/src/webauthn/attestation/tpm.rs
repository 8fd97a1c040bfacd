//! The `tpm` attestation format (§8.3): a TPM 2.0 certifies the credential
//! key (`pubArea`) with TPM2_Certify (`certInfo`), signed by an attestation
//! identity key (AIK) whose certificate an attestation CA issued.

use super::tpm_structures::{
    CertInfo, PubArea, PubAreaParameters, PubAreaUnique, TPM_ALG_SHA1, TPM_ECC_NIST_P256,
    TPM_ECC_NIST_P384, TPM_ECC_NIST_P521,
};
use super::{
    AttestationInput, Verdict, certificate_chain, check_aaguid_extension, signed_data,
    statement_algorithm, statement_bytes, statement_map,
};
use crate::webauthn::certificates::{Certificate, verify_chain};
use crate::webauthn::cose::{CoseAlgorithm, CoseKey, EcCurve, KeyParams};
use crate::webauthn::{AttestationError, AttestationType};

const SUBJECT_ALT_NAME: &str = "2.5.29.17";
/// tcg-kp-AIKCertificate.
const AIK_CERTIFICATE_PURPOSE: &str = "2.23.133.8.3";
/// The TPM's identity in the AIK certificate's subjectAltName
/// (TCG EK Credential Profile §3.2.9).
const TPM_MANUFACTURER: &str = "2.23.133.2.1";
const TPM_MODEL: &str = "2.23.133.2.2";
const TPM_VERSION: &str = "2.23.133.2.3";

pub fn verify(input: &AttestationInput<'_>) -> Result<Verdict, AttestationError> {
    // §8.3 step 1: attStmt is {ver, alg, x5c, sig, certInfo, pubArea};
    // decoding was strict already. Level 3 removed ECDAA, and with it
    // ecdaaKeyId: a statement that still names one is refused by name.
    if input.statement.map_get_text("ecdaaKeyId").is_some() {
        return Err(AttestationError::StatementMalformed(
            "ecdaaKeyId (ECDAA) is not part of WebAuthn Level 3",
        ));
    }
    statement_map(
        input.statement,
        &["ver", "alg", "x5c", "sig", "certInfo", "pubArea"],
    )?;
    if input
        .statement
        .map_get_text("ver")
        .and_then(|v| v.as_text())
        != Some("2.0")
    {
        return Err(AttestationError::StatementMalformed("ver is not \"2.0\""));
    }
    // SHA-1 (RS1, which TPMs of the Windows 10 era still use) is refused
    // here: the AIK signs certInfo, whose extraData is a hash of data the
    // client chose, and SHA-1 collisions are practical.
    let alg = statement_algorithm(input.statement)?;
    let hash = hash_of(alg)?;
    let chain = certificate_chain(input.statement)?
        .ok_or(AttestationError::StatementMalformed("x5c is missing"))?;
    let aik_cert = &chain[0];
    let sig = statement_bytes(input.statement, "sig", "sig is missing or not bytes")?;
    let cert_info_bytes = statement_bytes(
        input.statement,
        "certInfo",
        "certInfo is missing or not bytes",
    )?;
    let pub_area_bytes = statement_bytes(
        input.statement,
        "pubArea",
        "pubArea is missing or not bytes",
    )?;

    // Step 2: the key that pubArea's parameters and unique fields describe
    // is the credential public key.
    let pub_area = PubArea::parse(pub_area_bytes)?;
    if !describes(&pub_area, input.credential_key) {
        return Err(AttestationError::CredentialKeyMismatch);
    }

    // Step 3: attToBeSigned = authenticatorData || clientDataHash.
    let att_to_be_signed = signed_data(input);

    // Step 4: certInfo is valid. Parsing checks that magic is
    // TPM_GENERATED_VALUE and type is TPM_ST_ATTEST_CERTIFY, since the
    // `attested` union is only laid out as TPMS_CERTIFY_INFO for that type.
    let cert_info = CertInfo::parse(cert_info_bytes)?;
    // extraData is the hash of attToBeSigned with alg's hash algorithm.
    if cert_info.extra_data != ring::digest::digest(hash, &att_to_be_signed).as_ref() {
        return Err(AttestationError::ExtraDataMismatch);
    }
    // attested.name is a valid Name for pubArea: nameAlg || its digest of
    // pubArea. A SHA-1 name is refused like a SHA-1 signature.
    if pub_area.name_alg == TPM_ALG_SHA1 {
        return Err(AttestationError::Sha1Refused);
    }
    let name = pub_area
        .name(pub_area_bytes)
        .ok_or(AttestationError::FormatSpecific(
            "pubArea's nameAlg is not a hash algorithm this server knows",
        ))?;
    if cert_info.attested_name != name {
        return Err(AttestationError::NameMismatch);
    }
    // x5c is present (checked with step 1). qualifiedSigner, clockInfo and
    // firmwareVersion are ignored, as the spec says.
    // sig is a signature over certInfo by the AIK certificate's key, with
    // alg.
    if !aik_cert.verify_signature(alg, cert_info_bytes, sig) {
        return Err(AttestationError::SignatureInvalid);
    }
    // The AIK certificate meets §8.3.1.
    check_aik_certificate(aik_cert)?;
    // An AAGUID extension, if present, names the authenticator data's
    // AAGUID.
    check_aaguid_extension(aik_cert, input.aaguid)?;
    // Attestation CA, trust path x5c, checked against the clock and the
    // configured roots.
    let trust = verify_chain(&chain, input.trust_anchors, input.now)?;
    Ok(Verdict {
        attestation_type: AttestationType::AttCa,
        trust,
    })
}

/// The hash "employed in alg", for extraData. EdDSA has none of its own and
/// no TPM signs with it.
fn hash_of(alg: CoseAlgorithm) -> Result<&'static ring::digest::Algorithm, AttestationError> {
    match alg {
        CoseAlgorithm::Es256 | CoseAlgorithm::Rs256 => Ok(&ring::digest::SHA256),
        CoseAlgorithm::Es384 => Ok(&ring::digest::SHA384),
        CoseAlgorithm::Es512 => Ok(&ring::digest::SHA512),
        CoseAlgorithm::Rs1 => Err(AttestationError::Sha1Refused),
        CoseAlgorithm::EdDsa => Err(AttestationError::AlgorithmUnsupported(alg.to_i64())),
    }
}

/// A big-endian number without its leading zero bytes.
fn trimmed(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// Whether pubArea describes `key`: the same key type, RSA modulus and
/// exponent (0 standing for 65537), or curve and point.
fn describes(pub_area: &PubArea, key: &CoseKey) -> bool {
    match (&key.params, &pub_area.parameters, &pub_area.unique) {
        (
            KeyParams::Rsa { n, e },
            PubAreaParameters::Rsa { exponent, .. },
            PubAreaUnique::Rsa { n: modulus },
        ) => {
            let exponent = if *exponent == 0 { 65537 } else { *exponent };
            trimmed(modulus) == n.as_slice() && trimmed(&exponent.to_be_bytes()) == e.as_slice()
        }
        (
            KeyParams::Ec2 { curve, x, y },
            PubAreaParameters::Ecc { curve_id, .. },
            PubAreaUnique::Ecc {
                x: their_x,
                y: their_y,
            },
        ) => {
            let tpm_curve = match curve {
                EcCurve::P256 => TPM_ECC_NIST_P256,
                EcCurve::P384 => TPM_ECC_NIST_P384,
                EcCurve::P521 => TPM_ECC_NIST_P521,
            };
            *curve_id == tpm_curve
                && trimmed(their_x) == trimmed(x)
                && trimmed(their_y) == trimmed(y)
        }
        _ => false,
    }
}

/// §8.3.1: version 3; an empty subject; a subjectAltName naming the TPM's
/// manufacturer, model and version; the tcg-kp-AIKCertificate purpose; not
/// a CA.
fn check_aik_certificate(certificate: &Certificate) -> Result<(), AttestationError> {
    use AttestationError::CertificateRequirements as Requirement;
    if certificate.version() != 3 {
        return Err(Requirement("the AIK certificate is not X.509 version 3"));
    }
    if !certificate.subject_is_empty() {
        return Err(Requirement("the AIK certificate's subject is not empty"));
    }
    // The TPM's identity lives in subjectAltName, which RFC 5280 §4.2.1.6
    // requires to be critical when the subject is empty.
    let Some((critical, _)) = certificate.extension(SUBJECT_ALT_NAME) else {
        return Err(Requirement("the AIK certificate has no subjectAltName"));
    };
    if !critical {
        return Err(Requirement(
            "the AIK certificate's subjectAltName is not critical although its subject is empty",
        ));
    }
    let names = certificate.subject_alt_name_directory_attributes();
    for (oid, what) in [
        (
            TPM_MANUFACTURER,
            "the subjectAltName lacks the TPM manufacturer",
        ),
        (TPM_MODEL, "the subjectAltName lacks the TPM model"),
        (TPM_VERSION, "the subjectAltName lacks the TPM version"),
    ] {
        if !names
            .iter()
            .any(|(attr, value)| attr == oid && !value.is_empty())
        {
            return Err(Requirement(what));
        }
    }
    if !certificate
        .extended_key_usages()
        .iter()
        .any(|purpose| purpose == AIK_CERTIFICATE_PURPOSE)
    {
        return Err(Requirement(
            "the AIK certificate's extendedKeyUsage lacks tcg-kp-AIKCertificate",
        ));
    }
    if certificate.is_ca() {
        return Err(Requirement("the AIK certificate is a CA"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_input::{Owned, w3c_now};
    use super::*;
    use crate::webauthn::attestation::Trust;
    use crate::webauthn::cbor::Value;

    const W3C: &str = "w3c-tpm-es256.json";

    fn w3c() -> Owned {
        Owned::fixture(W3C, w3c_now())
    }

    /// Replaces the first occurrence of `from` in the AIK certificate's DER.
    fn edit_aik(owned: &mut Owned, from: &[u8], to: &[u8]) {
        let der = owned.x5c(0);
        let at = der
            .windows(from.len())
            .position(|w| w == from)
            .expect("bytes present in the AIK certificate");
        der[at..at + from.len()].copy_from_slice(to);
    }

    fn requirement(what: &'static str) -> Result<Verdict, AttestationError> {
        Err(AttestationError::CertificateRequirements(what))
    }

    #[test]
    fn the_w3c_vector_verifies_as_attestation_ca() {
        assert_eq!(
            verify(&w3c().input()),
            Ok(Verdict {
                attestation_type: AttestationType::AttCa,
                trust: Trust::Unverified,
            })
        );
    }

    #[test]
    fn step_1_sha1_signatures_are_refused() {
        // The webauthn.io capture signs certInfo with RS1.
        let owned = Owned::fixture("swa-tpm-ecc.json", w3c_now());
        assert_eq!(verify(&owned.input()), Err(AttestationError::Sha1Refused));
    }

    #[test]
    fn step_1_the_statement_members_are_checked() {
        let mut owned = w3c();
        owned.insert("ecdaaKeyId", Value::Bytes(vec![1; 32]));
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed(
                "ecdaaKeyId (ECDAA) is not part of WebAuthn Level 3"
            ))
        );
        let mut owned = w3c();
        owned.insert("ver", Value::Text("1.2".to_owned()));
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed("ver is not \"2.0\""))
        );
        let mut owned = w3c();
        owned.insert("alg", Value::Negative(7)); // -8, EdDSA
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::AlgorithmUnsupported(-8))
        );
        let mut owned = w3c();
        owned.remove("x5c");
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed("x5c is missing"))
        );
        let mut owned = w3c();
        owned.remove("certInfo");
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed(
                "certInfo is missing or not bytes"
            ))
        );
    }

    #[test]
    fn step_2_a_pub_area_for_another_key_is_refused() {
        let mut owned = w3c();
        // pubArea ends with the point's y coordinate.
        let pub_area = owned.bytes("pubArea");
        let last = pub_area.len() - 1;
        pub_area[last] ^= 1;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::CredentialKeyMismatch)
        );
    }

    #[test]
    fn step_2_the_curve_must_match_too() {
        let owned = w3c();
        let mut pub_area = PubArea::parse(&owned.statement_bytes("pubArea")).expect("pubArea");
        assert!(describes(&pub_area, &owned.credential_key));
        if let PubAreaParameters::Ecc { curve_id, .. } = &mut pub_area.parameters {
            *curve_id = TPM_ECC_NIST_P384;
        }
        assert!(!describes(&pub_area, &owned.credential_key));
    }

    #[test]
    fn step_2_rsa_exponent_zero_stands_for_65537() {
        let key = CoseKey {
            algorithm: CoseAlgorithm::Rs256,
            params: KeyParams::Rsa {
                n: vec![0xab; 256],
                e: vec![0x01, 0x00, 0x01],
            },
        };
        let mut pub_area = PubArea {
            ty: super::super::tpm_structures::TPM_ALG_RSA,
            name_alg: super::super::tpm_structures::TPM_ALG_SHA256,
            object_attributes: 0,
            auth_policy: Vec::new(),
            parameters: PubAreaParameters::Rsa {
                symmetric: 0x0010,
                scheme: 0x0010,
                key_bits: 2048,
                exponent: 0,
            },
            unique: PubAreaUnique::Rsa { n: vec![0xab; 256] },
        };
        assert!(describes(&pub_area, &key));
        pub_area.parameters = PubAreaParameters::Rsa {
            symmetric: 0x0010,
            scheme: 0x0010,
            key_bits: 2048,
            exponent: 3,
        };
        assert!(!describes(&pub_area, &key));
        pub_area.parameters = PubAreaParameters::Rsa {
            symmetric: 0x0010,
            scheme: 0x0010,
            key_bits: 2048,
            exponent: 65537,
        };
        assert!(describes(&pub_area, &key));
        pub_area.unique = PubAreaUnique::Rsa { n: vec![0xac; 256] };
        assert!(!describes(&pub_area, &key));
    }

    #[test]
    fn step_4_cert_info_magic_and_type_are_checked() {
        let mut owned = w3c();
        owned.bytes("certInfo")[0] = 0x00;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::FormatSpecific(
                "certInfo magic is not TPM_GENERATED_VALUE"
            ))
        );
        let mut owned = w3c();
        // TPM_ST_ATTEST_QUOTE instead of TPM_ST_ATTEST_CERTIFY.
        owned.bytes("certInfo")[5] = 0x18;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::FormatSpecific(
                "certInfo type is not TPM_ST_ATTEST_CERTIFY"
            ))
        );
    }

    #[test]
    fn step_4_extra_data_must_hash_this_registration() {
        let mut owned = w3c();
        owned.client_data_hash[31] ^= 1;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::ExtraDataMismatch)
        );
    }

    #[test]
    fn step_4_the_attested_name_must_be_pub_areas() {
        let mut owned = w3c();
        let raw = owned.statement_bytes("pubArea");
        let name = PubArea::parse(&raw)
            .expect("pubArea")
            .name(&raw)
            .expect("name");
        let cert_info = owned.bytes("certInfo");
        let at = cert_info
            .windows(name.len())
            .position(|w| w == name)
            .expect("the name is in certInfo");
        cert_info[at + name.len() - 1] ^= 1;
        assert_eq!(verify(&owned.input()), Err(AttestationError::NameMismatch));
    }

    #[test]
    fn step_4_a_sha1_name_is_refused() {
        let mut owned = w3c();
        // nameAlg follows the 2-byte type.
        owned.bytes("pubArea")[2..4].copy_from_slice(&TPM_ALG_SHA1.to_be_bytes());
        assert_eq!(verify(&owned.input()), Err(AttestationError::Sha1Refused));
    }

    #[test]
    fn step_4_the_signature_must_be_the_aiks() {
        let mut owned = w3c();
        owned.bytes("sig")[8] ^= 1;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::SignatureInvalid)
        );
    }

    #[test]
    fn step_4_the_aik_certificate_needs_the_aik_purpose() {
        let mut owned = w3c();
        // 2.23.133.8.3 becomes 2.23.133.8.4.
        edit_aik(
            &mut owned,
            &[0x06, 0x05, 0x67, 0x81, 0x05, 0x08, 0x03],
            &[0x06, 0x05, 0x67, 0x81, 0x05, 0x08, 0x04],
        );
        assert_eq!(
            verify(&owned.input()),
            requirement("the AIK certificate's extendedKeyUsage lacks tcg-kp-AIKCertificate")
        );
    }

    #[test]
    fn step_4_the_aik_certificate_needs_a_subject_alt_name() {
        let mut owned = w3c();
        // subjectAltName (2.5.29.17) becomes issuerAltName (2.5.29.18).
        edit_aik(
            &mut owned,
            &[0x06, 0x03, 0x55, 0x1d, 0x11],
            &[0x06, 0x03, 0x55, 0x1d, 0x12],
        );
        assert_eq!(
            verify(&owned.input()),
            requirement("the AIK certificate has no subjectAltName")
        );
    }

    #[test]
    fn step_4_the_subject_alt_name_names_the_tpm_manufacturer() {
        let mut owned = w3c();
        // tcg-at-tpmManufacturer (2.23.133.2.1) becomes 2.23.133.2.9.
        edit_aik(
            &mut owned,
            &[0x06, 0x05, 0x67, 0x81, 0x05, 0x02, 0x01],
            &[0x06, 0x05, 0x67, 0x81, 0x05, 0x02, 0x09],
        );
        assert_eq!(
            verify(&owned.input()),
            requirement("the subjectAltName lacks the TPM manufacturer")
        );
    }

    #[test]
    fn step_4_the_chain_is_checked_against_the_clock() {
        let mut owned = w3c();
        owned.now = time::macros::datetime!(2023-12-31 23:59 UTC);
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::CertificateExpired)
        );
    }
}
