//! The `android-key` attestation format (§8.4): the Android keystore
//! certifies the credential key, and describes it (its challenge, origin
//! and purposes) in the leaf certificate's KeyDescription extension.

use super::android_key_description::{
    AuthorizationList, KM_ORIGIN_GENERATED, KM_PURPOSE_SIGN, KeyDescription, OID,
};
use super::{
    AttestationInput, Verdict, certificate_chain, signed_data, statement_algorithm,
    statement_bytes, statement_map,
};
use crate::webauthn::certificates::verify_chain;
use crate::webauthn::{AttestationError, AttestationType};

pub fn verify(input: &AttestationInput<'_>) -> Result<Verdict, AttestationError> {
    // §8.4 step 1: attStmt is {alg, sig, x5c}; decoding was strict already.
    statement_map(input.statement, &["alg", "sig", "x5c"])?;
    let alg = statement_algorithm(input.statement)?;
    let sig = statement_bytes(input.statement, "sig", "sig is missing or not bytes")?;
    let chain = certificate_chain(input.statement)?
        .ok_or(AttestationError::StatementMalformed("x5c is missing"))?;
    let leaf = &chain[0];

    // Step 2: sig is a signature over authenticatorData || clientDataHash
    // by the first certificate's key, with alg.
    if !leaf.verify_signature(alg, &signed_data(input), sig) {
        return Err(AttestationError::SignatureInvalid);
    }

    // Step 3: that key is the credential public key.
    if !input.credential_key.matches_spki(leaf.spki_der()) {
        return Err(AttestationError::CredentialKeyMismatch);
    }

    // Step 4: the KeyDescription's attestationChallenge is clientDataHash.
    let (_, extension) = leaf
        .extension(OID)
        .ok_or(AttestationError::ExtensionMissing(
            "Android key description",
        ))?;
    let description = KeyDescription::parse(extension)?;
    if description.attestation_challenge != input.client_data_hash {
        return Err(AttestationError::ChallengeMismatch);
    }

    // Step 5: the authorization lists.
    check_authorizations(&description)?;

    // Step 6: Basic attestation, trust path x5c, checked against the clock
    // and the configured roots.
    let trust = verify_chain(&chain, input.trust_anchors, input.now)?;
    Ok(Verdict {
        attestation_type: AttestationType::Basic,
        trust,
    })
}

/// §8.4 step 5.
///
/// allApplications must be absent from both lists: the credential must be
/// scoped to this RP ID.
///
/// For origin and purpose the spec says to read teeEnforced alone only if
/// the relying party accepts nothing but TEE keys, and otherwise the union
/// of teeEnforced and softwareEnforced. This server has no TEE-only policy
/// (it accepts unverified chains too), so it reads the union: an origin
/// must be given by some list and every list that gives one must say
/// KM_ORIGIN_GENERATED, and some list's purposes must include
/// KM_PURPOSE_SIGN (the spec's "equal to" read as set membership, since
/// `purpose` is a SET OF INTEGER).
///
/// Absent values are never taken as the expected ones. That is why the
/// W3C android-key test vector is refused: its KeyDescription has two empty
/// lists, so nothing says the key was generated inside the keystore or is
/// for signing (webauthn-rs refuses it as well). Reading "absent" as
/// "fine" would accept a description stripped of exactly what step 5 asks
/// to verify.
fn check_authorizations(description: &KeyDescription) -> Result<(), AttestationError> {
    let lists: [&AuthorizationList; 2] =
        [&description.tee_enforced, &description.software_enforced];
    if lists.iter().any(|list| list.all_applications) {
        return Err(AttestationError::KeyAuthorization(
            "allApplications is set, so the key is not scoped to this RP ID",
        ));
    }
    let origins: Vec<u64> = lists.iter().filter_map(|list| list.origin).collect();
    if origins.is_empty() {
        return Err(AttestationError::KeyAuthorization(
            "no authorization list gives the key's origin",
        ));
    }
    if origins.iter().any(|&origin| origin != KM_ORIGIN_GENERATED) {
        return Err(AttestationError::KeyAuthorization(
            "the key was not generated inside the keystore",
        ));
    }
    if !lists
        .iter()
        .any(|list| list.purpose.contains(&KM_PURPOSE_SIGN))
    {
        return Err(AttestationError::KeyAuthorization(
            "no authorization list gives the key the purpose SIGN",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::test_input::{Owned, w3c_now};
    use super::*;
    use crate::webauthn::attestation::Trust;
    use crate::webauthn::cbor::Value;

    const PIXEL: &str = "swa-android-key-pixel8a.json";
    const W3C: &str = "w3c-android-key-es256.json";

    /// Inside every Pixel 8a certificate's validity, as upstream fakes it.
    fn pixel_now() -> time::OffsetDateTime {
        time::macros::datetime!(2025-02-02 10:00 UTC)
    }

    fn pixel() -> Owned {
        Owned::fixture(PIXEL, pixel_now())
    }

    fn list(purpose: &[u64], all_applications: bool, origin: Option<u64>) -> AuthorizationList {
        AuthorizationList {
            purpose: purpose.to_vec(),
            all_applications,
            origin,
        }
    }

    fn description(tee: AuthorizationList, software: AuthorizationList) -> KeyDescription {
        KeyDescription {
            attestation_challenge: vec![0; 32],
            software_enforced: software,
            tee_enforced: tee,
        }
    }

    #[test]
    fn the_pixel_8a_verifies_inside_its_certificates_validity() {
        assert_eq!(
            verify(&pixel().input()),
            Ok(Verdict {
                attestation_type: AttestationType::Basic,
                trust: Trust::Unverified,
            })
        );
    }

    #[test]
    fn step_6_the_pixel_8a_is_refused_once_its_intermediates_expired() {
        let mut owned = pixel();
        owned.now = time::macros::datetime!(2026-06-01 00:00 UTC);
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::CertificateExpired)
        );
    }

    #[test]
    fn step_5_the_w3c_vector_has_no_origin_in_either_list() {
        let owned = Owned::fixture(W3C, w3c_now());
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::KeyAuthorization(
                "no authorization list gives the key's origin"
            ))
        );
    }

    #[test]
    fn step_2_a_signature_over_other_data_is_refused() {
        let mut owned = pixel();
        owned.auth_data[40] ^= 1;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::SignatureInvalid)
        );
        let mut owned = pixel();
        owned.bytes("sig")[10] ^= 1;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::SignatureInvalid)
        );
    }

    #[test]
    fn step_3_a_certificate_for_another_key_is_refused() {
        // The W3C vector's statement over its own signed data, checked
        // against the Pixel's credential key: the signature holds, the
        // certified key is not the credential's.
        let w3c = Owned::fixture(W3C, w3c_now());
        let mut owned = pixel();
        owned.statement = w3c.statement.clone();
        owned.auth_data = w3c.auth_data.clone();
        owned.client_data_hash = w3c.client_data_hash;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::CredentialKeyMismatch)
        );
    }

    #[test]
    fn step_4_a_key_description_for_another_challenge_is_refused() {
        // The challenge is edited inside the leaf's DER: the signature and
        // the key still match, only the KeyDescription answers another
        // clientDataHash.
        let mut owned = Owned::fixture(W3C, w3c_now());
        let hash = owned.client_data_hash;
        let mut other = hash;
        other[0] ^= 1;
        let der = owned.x5c(0);
        let at = der
            .windows(32)
            .position(|w| w == hash)
            .expect("the challenge is in the certificate");
        der[at..at + 32].copy_from_slice(&other);
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::ChallengeMismatch)
        );
    }

    #[test]
    fn step_4_a_leaf_without_a_key_description_is_refused() {
        let mut owned = Owned::fixture(W3C, w3c_now());
        // 1.3.6.1.4.1.11129.2.1.17 becomes ….2.1.18.
        let oid = [0x2b, 0x06, 0x01, 0x04, 0x01, 0xd6, 0x79, 0x02, 0x01, 0x11];
        let der = owned.x5c(0);
        let at = der
            .windows(oid.len())
            .position(|w| w == oid)
            .expect("the extension OID is in the certificate");
        der[at + oid.len() - 1] = 0x12;
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::ExtensionMissing(
                "Android key description"
            ))
        );
    }

    #[test]
    fn step_1_the_statement_members_are_checked() {
        let mut owned = pixel();
        owned.insert("alg", Value::Negative(65534)); // -65535, RS1
        assert_eq!(verify(&owned.input()), Err(AttestationError::Sha1Refused));
        owned.insert("alg", Value::Negative(99));
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::AlgorithmUnsupported(-100))
        );
        let mut owned = pixel();
        owned.remove("x5c");
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed("x5c is missing"))
        );
        let mut owned = pixel();
        owned.insert("ver", Value::Text("1".to_owned()));
        assert_eq!(
            verify(&owned.input()),
            Err(AttestationError::StatementMalformed(
                "attStmt has an unknown member"
            ))
        );
    }

    #[test]
    fn step_5_all_applications_is_refused_in_either_list() {
        let good = list(&[KM_PURPOSE_SIGN], false, Some(KM_ORIGIN_GENERATED));
        let everywhere = list(&[], true, None);
        let refused = Err(AttestationError::KeyAuthorization(
            "allApplications is set, so the key is not scoped to this RP ID",
        ));
        assert_eq!(
            check_authorizations(&description(good.clone(), everywhere.clone())),
            refused
        );
        assert_eq!(
            check_authorizations(&description(everywhere, good)),
            refused
        );
    }

    #[test]
    fn step_5_origin_and_purpose_come_from_the_union_of_the_lists() {
        let generated = list(&[], false, Some(KM_ORIGIN_GENERATED));
        let signs = list(&[KM_PURPOSE_SIGN], false, None);
        assert_eq!(
            check_authorizations(&description(generated.clone(), signs.clone())),
            Ok(())
        );
        assert_eq!(
            check_authorizations(&description(signs.clone(), generated.clone())),
            Ok(())
        );
        // An imported key (KM_ORIGIN_IMPORTED = 2) in either list.
        let imported = list(&[KM_PURPOSE_SIGN], false, Some(2));
        assert_eq!(
            check_authorizations(&description(generated.clone(), imported)),
            Err(AttestationError::KeyAuthorization(
                "the key was not generated inside the keystore"
            ))
        );
        // Encrypt and decrypt (0, 1) but not sign.
        let no_sign = list(&[0, 1], false, Some(KM_ORIGIN_GENERATED));
        assert_eq!(
            check_authorizations(&description(no_sign, AuthorizationList::default())),
            Err(AttestationError::KeyAuthorization(
                "no authorization list gives the key the purpose SIGN"
            ))
        );
        assert_eq!(
            check_authorizations(&description(signs, AuthorizationList::default())),
            Err(AttestationError::KeyAuthorization(
                "no authorization list gives the key's origin"
            ))
        );
    }
}
