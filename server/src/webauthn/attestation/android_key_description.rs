//! The Android Key Attestation extension (KeyDescription, OID
//! 1.3.6.1.4.1.11129.2.1.17): reads the attestation challenge and the few
//! authorization-list entries that W3C WebAuthn §8.4 checks.

use x509_parser::asn1_rs::{Any, Class, FromDer, Tag};

use crate::webauthn::error::AttestationError;

/// The extension carrying the KeyDescription in an attestation leaf.
pub const OID: &str = "1.3.6.1.4.1.11129.2.1.17";

/// Authorization-list tags (Android KeyMint `Tag` numbers).
const TAG_PURPOSE: u32 = 1;
const TAG_ALL_APPLICATIONS: u32 = 600;
const TAG_ORIGIN: u32 = 702;

/// KeyMint `KeyPurpose::SIGN`.
pub const KM_PURPOSE_SIGN: u64 = 2;
/// KeyMint `KeyOrigin::GENERATED`: the key was made inside the keystore.
pub const KM_ORIGIN_GENERATED: u64 = 0;

/// What §8.4 reads from one AuthorizationList.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthorizationList {
    /// `purpose [1] EXPLICIT SET OF INTEGER`, in encoded order.
    pub purpose: Vec<u64>,
    /// `allApplications [600] EXPLICIT NULL` is present.
    pub all_applications: bool,
    /// `origin [702] EXPLICIT INTEGER`.
    pub origin: Option<u64>,
}

/// What §8.4 reads from a KeyDescription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription {
    /// Must equal clientDataHash.
    pub attestation_challenge: Vec<u8>,
    pub software_enforced: AuthorizationList,
    /// `hardwareEnforced` in KeyMint's schema, `teeEnforced` in older ones.
    pub tee_enforced: AuthorizationList,
}

fn malformed(what: &'static str) -> AttestationError {
    AttestationError::StatementMalformed(what)
}

/// One DER element, and what follows it.
fn element<'a>(
    input: &'a [u8],
    what: &'static str,
) -> Result<(Any<'a>, &'a [u8]), AttestationError> {
    let (rest, any) = Any::from_der(input).map_err(|_| malformed(what))?;
    Ok((any, rest))
}

/// The elements inside a constructed value's contents.
fn children<'a>(
    mut contents: &'a [u8],
    what: &'static str,
) -> Result<Vec<Any<'a>>, AttestationError> {
    let mut out = Vec::new();
    while !contents.is_empty() {
        let (any, rest) = element(contents, what)?;
        out.push(any);
        contents = rest;
    }
    Ok(out)
}

fn is_universal(any: &Any<'_>, tag: Tag, constructed: bool) -> bool {
    any.class() == Class::Universal
        && any.tag() == tag
        && any.header.is_constructed() == constructed
}

/// A non-negative INTEGER that fits in 64 bits; anything else cannot be a
/// KeyMint purpose or origin.
fn uint(any: &Any<'_>, what: &'static str) -> Result<u64, AttestationError> {
    if !is_universal(any, Tag::Integer, false) {
        return Err(malformed(what));
    }
    let bytes = any.data;
    match bytes.first() {
        None => return Err(malformed(what)),
        Some(first) if first & 0x80 != 0 => return Err(malformed(what)),
        Some(_) => {}
    }
    // One leading zero keeps a high bit from reading as a sign.
    let magnitude = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    };
    if magnitude.len() > 8 {
        return Err(malformed(what));
    }
    Ok(magnitude
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

/// The single value inside an EXPLICIT tag.
fn explicit_inner<'a>(field: &Any<'a>, what: &'static str) -> Result<Any<'a>, AttestationError> {
    let (inner, rest) = element(field.data, what)?;
    if !rest.is_empty() {
        return Err(malformed(what));
    }
    Ok(inner)
}

fn authorization_list(any: &Any<'_>) -> Result<AuthorizationList, AttestationError> {
    if !is_universal(any, Tag::Sequence, true) {
        return Err(malformed("an authorization list is not a SEQUENCE"));
    }
    let mut list = AuthorizationList::default();
    let mut seen_purpose = false;
    for field in children(any.data, "an authorization list entry is not DER")? {
        if field.class() != Class::ContextSpecific || !field.header.is_constructed() {
            return Err(malformed(
                "an authorization list entry is not an explicitly tagged field",
            ));
        }
        // Only the entries read here are checked for repeats: a second
        // copy would make the answer depend on which one wins. The others
        // are skipped, so unknown and future tags do not break parsing.
        match field.tag().0 {
            TAG_PURPOSE => {
                if seen_purpose {
                    return Err(malformed("an authorization list repeats purpose"));
                }
                seen_purpose = true;
                let set = explicit_inner(&field, "purpose is not a SET OF INTEGER")?;
                if !is_universal(&set, Tag::Set, true) {
                    return Err(malformed("purpose is not a SET OF INTEGER"));
                }
                for value in children(set.data, "purpose is not a SET OF INTEGER")? {
                    if !is_universal(&value, Tag::Integer, false) {
                        return Err(malformed("purpose is not a SET OF INTEGER"));
                    }
                    list.purpose.push(uint(
                        &value,
                        "a purpose is not a small non-negative INTEGER",
                    )?);
                }
            }
            TAG_ALL_APPLICATIONS => {
                if list.all_applications {
                    return Err(malformed("an authorization list repeats allApplications"));
                }
                let null = explicit_inner(&field, "allApplications is not NULL")?;
                if !is_universal(&null, Tag::Null, false) || !null.data.is_empty() {
                    return Err(malformed("allApplications is not NULL"));
                }
                list.all_applications = true;
            }
            TAG_ORIGIN => {
                if list.origin.is_some() {
                    return Err(malformed("an authorization list repeats origin"));
                }
                let value = explicit_inner(&field, "origin is not an INTEGER")?;
                if !is_universal(&value, Tag::Integer, false) {
                    return Err(malformed("origin is not an INTEGER"));
                }
                list.origin = Some(uint(&value, "origin is not a small non-negative INTEGER")?);
            }
            _ => {}
        }
    }
    Ok(list)
}

impl KeyDescription {
    /// Parses the extension's extnValue contents (what
    /// `Certificate::extension(OID)` returns).
    pub fn parse(der: &[u8]) -> Result<KeyDescription, AttestationError> {
        let (outer, rest) = element(der, "the key description is not DER")?;
        if !rest.is_empty() {
            return Err(malformed("the key description has bytes after its end"));
        }
        if !is_universal(&outer, Tag::Sequence, true) {
            return Err(malformed("the key description is not a SEQUENCE"));
        }
        let fields = children(outer.data, "a key description field is not DER")?;
        // Later schema versions may append fields; the first eight have kept
        // their places since version 1.
        let [
            attestation_version,
            attestation_security_level,
            keymaster_version,
            keymaster_security_level,
            attestation_challenge,
            unique_id,
            software_enforced,
            tee_enforced,
            ..,
        ] = fields.as_slice()
        else {
            return Err(malformed("the key description has fewer than eight fields"));
        };
        let types_ok = is_universal(attestation_version, Tag::Integer, false)
            && is_universal(attestation_security_level, Tag::Enumerated, false)
            && is_universal(keymaster_version, Tag::Integer, false)
            && is_universal(keymaster_security_level, Tag::Enumerated, false)
            && is_universal(unique_id, Tag::OctetString, false);
        if !types_ok {
            return Err(malformed(
                "a key description version, security level or uniqueId has the wrong type",
            ));
        }
        if !is_universal(attestation_challenge, Tag::OctetString, false) {
            return Err(malformed("attestationChallenge is not an OCTET STRING"));
        }
        Ok(KeyDescription {
            attestation_challenge: attestation_challenge.data.to_vec(),
            software_enforced: authorization_list(software_enforced)?,
            tee_enforced: authorization_list(tee_enforced)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webauthn::certificates::Certificate;
    use crate::webauthn::certificates::test_fixtures::{client_data_json, x5c};

    fn key_description_der(name: &str) -> Vec<u8> {
        let leaf = Certificate::from_der(&x5c(name)[0]).expect("leaf");
        let (critical, value) = leaf.extension(OID).expect("KeyDescription extension");
        assert!(!critical);
        value.to_vec()
    }

    fn client_data_hash(name: &str) -> Vec<u8> {
        ring::digest::digest(&ring::digest::SHA256, &client_data_json(name))
            .as_ref()
            .to_vec()
    }

    /// DER tag-length-value, for building test inputs.
    fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
        let mut out = tag.to_vec();
        let len = value.len();
        if len < 0x80 {
            out.push(len as u8);
        } else {
            out.extend([0x82, (len >> 8) as u8, len as u8]);
        }
        out.extend(value);
        out
    }

    /// A KeyDescription with this challenge and these two list bodies.
    fn description(challenge: &[u8], software: &[u8], tee: &[u8]) -> Vec<u8> {
        let mut fields = Vec::new();
        fields.extend(tlv(&[0x02], &[0x03]));
        fields.extend(tlv(&[0x0a], &[0x01]));
        fields.extend(tlv(&[0x02], &[0x04]));
        fields.extend(tlv(&[0x0a], &[0x01]));
        fields.extend(tlv(&[0x04], challenge));
        fields.extend(tlv(&[0x04], &[]));
        fields.extend(tlv(&[0x30], software));
        fields.extend(tlv(&[0x30], tee));
        tlv(&[0x30], &fields)
    }

    // Context-specific constructed tags: [1], [600] and [702] (high-tag form).
    const PURPOSE: &[u8] = &[0xa1];
    const ALL_APPLICATIONS: &[u8] = &[0xbf, 0x84, 0x58];
    const ORIGIN: &[u8] = &[0xbf, 0x85, 0x3e];

    fn purpose(values: &[u8]) -> Vec<u8> {
        let ints: Vec<u8> = values.iter().flat_map(|&v| tlv(&[0x02], &[v])).collect();
        tlv(PURPOSE, &tlv(&[0x31], &ints))
    }

    #[test]
    fn pixel8a_key_description_has_the_challenge_and_tee_enforced_sign_generated() {
        let name = "swa-android-key-pixel8a.json";
        let kd = KeyDescription::parse(&key_description_der(name)).expect("KeyDescription");
        assert_eq!(kd.attestation_challenge, client_data_hash(name));
        assert_eq!(
            kd.tee_enforced,
            AuthorizationList {
                purpose: vec![KM_PURPOSE_SIGN],
                all_applications: false,
                origin: Some(KM_ORIGIN_GENERATED),
            }
        );
        assert_eq!(kd.software_enforced, AuthorizationList::default());
    }

    #[test]
    fn w3c_android_key_description_has_the_challenge_and_empty_lists() {
        let name = "w3c-android-key-es256.json";
        let kd = KeyDescription::parse(&key_description_der(name)).expect("KeyDescription");
        assert_eq!(kd.attestation_challenge, client_data_hash(name));
        assert_eq!(kd.software_enforced, AuthorizationList::default());
        assert_eq!(kd.tee_enforced, AuthorizationList::default());
    }

    #[test]
    fn reads_all_applications_origin_and_several_purposes() {
        let mut software = Vec::new();
        software.extend(purpose(&[2, 3]));
        software.extend(tlv(ALL_APPLICATIONS, &[0x05, 0x00]));
        // An entry this parser does not read, [704] rootOfTrust, is skipped.
        software.extend(tlv(&[0xbf, 0x85, 0x40], &tlv(&[0x30], &[])));
        software.extend(tlv(ORIGIN, &tlv(&[0x02], &[0x00, 0x80])));
        let der = description(b"challenge", &software, &[]);
        let kd = KeyDescription::parse(&der).expect("KeyDescription");
        assert_eq!(kd.attestation_challenge, b"challenge");
        assert_eq!(
            kd.software_enforced,
            AuthorizationList {
                purpose: vec![2, 3],
                all_applications: true,
                origin: Some(0x80),
            }
        );
        assert_eq!(kd.tee_enforced, AuthorizationList::default());
    }

    #[test]
    fn fields_after_the_eighth_are_ignored() {
        let mut der = description(b"c", &[], &purpose(&[2]));
        // Re-wrap the eight fields plus one more.
        let (outer, _) = element(&der, "test").expect("outer");
        let mut fields = outer.data.to_vec();
        fields.extend(tlv(&[0x02], &[0x01]));
        der = tlv(&[0x30], &fields);
        let kd = KeyDescription::parse(&der).expect("KeyDescription");
        assert_eq!(kd.tee_enforced.purpose, [2]);
    }

    #[test]
    fn every_truncation_of_the_pixel8a_description_is_an_error() {
        let der = key_description_der("swa-android-key-pixel8a.json");
        for len in 0..der.len() {
            assert!(
                matches!(
                    KeyDescription::parse(&der[..len]),
                    Err(AttestationError::StatementMalformed(_))
                ),
                "{len}"
            );
        }
    }

    #[test]
    fn trailing_bytes_and_wrong_outer_type_are_errors() {
        let mut der = key_description_der("w3c-android-key-es256.json");
        der.push(0);
        assert_eq!(
            KeyDescription::parse(&der),
            Err(malformed("the key description has bytes after its end"))
        );
        assert_eq!(
            KeyDescription::parse(&tlv(&[0x31], &[])),
            Err(malformed("the key description is not a SEQUENCE"))
        );
        assert_eq!(
            KeyDescription::parse(&tlv(&[0x30], &tlv(&[0x02], &[0x01]))),
            Err(malformed("the key description has fewer than eight fields"))
        );
    }

    #[test]
    fn wrong_field_types_are_errors() {
        // attestationChallenge as a UTF8String.
        let der = description(b"c", &[], &[]);
        let mut bad = der.clone();
        let pos = bad
            .windows(3)
            .position(|w| w == [0x04, 0x01, b'c'])
            .expect("challenge");
        bad[pos] = 0x0c;
        assert_eq!(
            KeyDescription::parse(&bad),
            Err(malformed("attestationChallenge is not an OCTET STRING"))
        );
        // attestationVersion as an OCTET STRING.
        let mut bad = der;
        bad[2] = 0x04;
        assert_eq!(
            KeyDescription::parse(&bad),
            Err(malformed(
                "a key description version, security level or uniqueId has the wrong type"
            ))
        );
    }

    #[test]
    fn malformed_authorization_entries_are_errors() {
        let cases: [(Vec<u8>, &str); 10] = [
            (
                tlv(&[0x02], &[0x01]),
                "an authorization list entry is not an explicitly tagged field",
            ),
            (
                tlv(PURPOSE, &tlv(&[0x30], &tlv(&[0x02], &[2]))),
                "purpose is not a SET OF INTEGER",
            ),
            (
                tlv(PURPOSE, &tlv(&[0x31], &tlv(&[0x0a], &[2]))),
                "purpose is not a SET OF INTEGER",
            ),
            (
                tlv(PURPOSE, &tlv(&[0x31], &tlv(&[0x02], &[0xff]))),
                "a purpose is not a small non-negative INTEGER",
            ),
            (
                tlv(PURPOSE, &tlv(&[0x31], &tlv(&[0x02], &[1; 9]))),
                "a purpose is not a small non-negative INTEGER",
            ),
            (
                [purpose(&[2]), purpose(&[3])].concat(),
                "an authorization list repeats purpose",
            ),
            (
                tlv(ALL_APPLICATIONS, &[0x05, 0x01, 0x00]),
                "allApplications is not NULL",
            ),
            (
                tlv(ORIGIN, &tlv(&[0x04], &[0x00])),
                "origin is not an INTEGER",
            ),
            (
                tlv(ORIGIN, &tlv(&[0x02], &[])),
                "origin is not a small non-negative INTEGER",
            ),
            (
                [
                    tlv(ORIGIN, &tlv(&[0x02], &[0])),
                    tlv(ORIGIN, &tlv(&[0x02], &[1])),
                ]
                .concat(),
                "an authorization list repeats origin",
            ),
        ];
        for (entries, message) in cases {
            let der = description(b"c", &[], &entries);
            assert_eq!(
                KeyDescription::parse(&der),
                Err(malformed(message)),
                "{message}"
            );
        }
        // Two values inside one explicit tag.
        let two = tlv(ORIGIN, &[tlv(&[0x02], &[0]), tlv(&[0x02], &[1])].concat());
        assert_eq!(
            KeyDescription::parse(&description(b"c", &two, &[])),
            Err(malformed("origin is not an INTEGER"))
        );
        // A list that is not a SEQUENCE.
        let mut der = description(b"c", &[], &[]);
        let last = der.len() - 2;
        der[last] = 0x31;
        assert_eq!(
            KeyDescription::parse(&der),
            Err(malformed("an authorization list is not a SEQUENCE"))
        );
    }

    #[test]
    fn uint_reads_leading_zero_and_eight_byte_values() {
        let any = |bytes: &'static [u8]| Any::from_tag_and_data(Tag::Integer, bytes);
        assert_eq!(uint(&any(&[0]), "x"), Ok(0));
        assert_eq!(uint(&any(&[0x00, 0xff]), "x"), Ok(255));
        assert_eq!(
            uint(
                &any(&[0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
                "x"
            ),
            Ok(u64::MAX)
        );
        assert_eq!(uint(&any(&[0x80]), "x"), Err(malformed("x")));
    }
}
