//! Byte parsers for the TPM 2.0 structures inside a `tpm` attestation
//! statement (W3C WebAuthn §8.3): `certInfo` (TPMS_ATTEST) and `pubArea`
//! (TPMT_PUBLIC), as laid out in TPM 2.0 Library Part 2.

use crate::webauthn::error::AttestationError;

/// TPM_GENERATED_VALUE: marks a structure the TPM itself produced.
pub const TPM_GENERATED_VALUE: u32 = 0xff54_4347;
/// TPM_ST_ATTEST_CERTIFY: the attestation came from TPM2_Certify.
pub const TPM_ST_ATTEST_CERTIFY: u16 = 0x8017;

pub const TPM_ALG_RSA: u16 = 0x0001;
pub const TPM_ALG_SHA1: u16 = 0x0004;
pub const TPM_ALG_SHA256: u16 = 0x000b;
pub const TPM_ALG_SHA384: u16 = 0x000c;
pub const TPM_ALG_SHA512: u16 = 0x000d;
pub const TPM_ALG_NULL: u16 = 0x0010;
pub const TPM_ALG_RSAES: u16 = 0x0015;
pub const TPM_ALG_ECDAA: u16 = 0x001a;
pub const TPM_ALG_ECC: u16 = 0x0023;

pub const TPM_ECC_NIST_P256: u16 = 0x0003;
pub const TPM_ECC_NIST_P384: u16 = 0x0004;
pub const TPM_ECC_NIST_P521: u16 = 0x0005;

/// A big-endian cursor whose every read is bounded by the input, so a
/// lying length field ends in an error instead of a panic.
struct Reader<'a> {
    bytes: &'a [u8],
    truncated: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], truncated: &'static str) -> Self {
        Reader { bytes, truncated }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], AttestationError> {
        if n > self.bytes.len() {
            return Err(AttestationError::StatementMalformed(self.truncated));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], AttestationError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn u16(&mut self) -> Result<u16, AttestationError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, AttestationError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    fn u64(&mut self) -> Result<u64, AttestationError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// A TPM2B_*: a 16-bit size, then that many bytes.
    fn sized(&mut self) -> Result<Vec<u8>, AttestationError> {
        let size = self.u16()?;
        Ok(self.take(usize::from(size))?.to_vec())
    }

    fn finish(self, trailing: &'static str) -> Result<(), AttestationError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(AttestationError::StatementMalformed(trailing))
        }
    }
}

/// TPMS_ATTEST for a TPM2_Certify: what the AIK signed about the
/// credential key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// Always [`TPM_GENERATED_VALUE`]; `parse` refuses anything else.
    pub magic: u32,
    /// Always [`TPM_ST_ATTEST_CERTIFY`]; `parse` refuses anything else.
    pub ty: u16,
    pub qualified_signer: Vec<u8>,
    /// The hash of attToBeSigned, computed with the statement's `alg`.
    pub extra_data: Vec<u8>,
    pub firmware_version: u64,
    /// TPM2B_NAME contents: a 2-byte nameAlg, then the digest of pubArea.
    pub attested_name: Vec<u8>,
    pub attested_qualified_name: Vec<u8>,
}

impl CertInfo {
    /// Parses a whole certInfo. Magic and type are checked here because
    /// the `attested` union that follows is only laid out as
    /// TPMS_CERTIFY_INFO for TPM_ST_ATTEST_CERTIFY.
    pub fn parse(bytes: &[u8]) -> Result<CertInfo, AttestationError> {
        let mut r = Reader::new(bytes, "certInfo is truncated");
        let magic = r.u32()?;
        if magic != TPM_GENERATED_VALUE {
            return Err(AttestationError::FormatSpecific(
                "certInfo magic is not TPM_GENERATED_VALUE",
            ));
        }
        let ty = r.u16()?;
        if ty != TPM_ST_ATTEST_CERTIFY {
            return Err(AttestationError::FormatSpecific(
                "certInfo type is not TPM_ST_ATTEST_CERTIFY",
            ));
        }
        let qualified_signer = r.sized()?;
        let extra_data = r.sized()?;
        // TPMS_CLOCK_INFO (clock u64, resetCount u32, restartCount u32,
        // safe u8): §8.3 says to ignore it.
        r.take(17)?;
        let firmware_version = r.u64()?;
        let attested_name = r.sized()?;
        let attested_qualified_name = r.sized()?;
        r.finish("certInfo has bytes after its end")?;
        Ok(CertInfo {
            magic,
            ty,
            qualified_signer,
            extra_data,
            firmware_version,
            attested_name,
            attested_qualified_name,
        })
    }
}

/// TPMU_PUBLIC_PARMS for the two key types WebAuthn uses. Algorithm
/// details that follow a non-null symmetric or scheme selector are parsed
/// over but not kept: §8.3 never looks at them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubAreaParameters {
    Rsa {
        symmetric: u16,
        scheme: u16,
        key_bits: u16,
        /// 0 means the default exponent, 65537.
        exponent: u32,
    },
    Ecc {
        symmetric: u16,
        scheme: u16,
        curve_id: u16,
        kdf: u16,
    },
}

/// TPMU_PUBLIC_ID: the public key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubAreaUnique {
    Rsa { n: Vec<u8> },
    Ecc { x: Vec<u8>, y: Vec<u8> },
}

/// TPMT_PUBLIC: the credential key as the TPM describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PubArea {
    /// [`TPM_ALG_RSA`] or [`TPM_ALG_ECC`].
    pub ty: u16,
    pub name_alg: u16,
    pub object_attributes: u32,
    pub auth_policy: Vec<u8>,
    pub parameters: PubAreaParameters,
    pub unique: PubAreaUnique,
}

/// TPMT_SYM_DEF_OBJECT: an algorithm, then keyBits and mode unless NULL.
fn symmetric(r: &mut Reader<'_>) -> Result<u16, AttestationError> {
    let alg = r.u16()?;
    if alg != TPM_ALG_NULL {
        r.take(4)?;
    }
    Ok(alg)
}

/// TPMT_RSA_SCHEME / TPMT_ECC_SCHEME: a scheme, then its TPMU_ASYM_SCHEME
/// details: nothing for NULL and RSAES, hashAlg and count for ECDAA, and a
/// hashAlg for every other scheme.
fn scheme(r: &mut Reader<'_>) -> Result<u16, AttestationError> {
    let scheme = r.u16()?;
    match scheme {
        TPM_ALG_NULL | TPM_ALG_RSAES => {}
        TPM_ALG_ECDAA => {
            r.take(4)?;
        }
        _ => {
            r.take(2)?;
        }
    }
    Ok(scheme)
}

impl PubArea {
    pub fn parse(bytes: &[u8]) -> Result<PubArea, AttestationError> {
        let mut r = Reader::new(bytes, "pubArea is truncated");
        let ty = r.u16()?;
        let name_alg = r.u16()?;
        let object_attributes = r.u32()?;
        let auth_policy = r.sized()?;
        let (parameters, unique) = match ty {
            TPM_ALG_RSA => {
                let parameters = PubAreaParameters::Rsa {
                    symmetric: symmetric(&mut r)?,
                    scheme: scheme(&mut r)?,
                    key_bits: r.u16()?,
                    exponent: r.u32()?,
                };
                (parameters, PubAreaUnique::Rsa { n: r.sized()? })
            }
            TPM_ALG_ECC => {
                let symmetric = symmetric(&mut r)?;
                let scheme = scheme(&mut r)?;
                let curve_id = r.u16()?;
                // TPMT_KDF_SCHEME: a scheme, then a hashAlg unless NULL.
                let kdf = r.u16()?;
                if kdf != TPM_ALG_NULL {
                    r.take(2)?;
                }
                let parameters = PubAreaParameters::Ecc {
                    symmetric,
                    scheme,
                    curve_id,
                    kdf,
                };
                let x = r.sized()?;
                let y = r.sized()?;
                (parameters, PubAreaUnique::Ecc { x, y })
            }
            _ => {
                return Err(AttestationError::FormatSpecific(
                    "pubArea type is neither TPM_ALG_RSA nor TPM_ALG_ECC",
                ));
            }
        };
        r.finish("pubArea has bytes after its end")?;
        Ok(PubArea {
            ty,
            name_alg,
            object_attributes,
            auth_policy,
            parameters,
            unique,
        })
    }

    /// The digest of `raw` (the pubArea bytes this was parsed from) with
    /// nameAlg, or `None` for a nameAlg this verifier does not know.
    pub fn name_digest(&self, raw: &[u8]) -> Option<Vec<u8>> {
        use ring::digest;

        let alg = match self.name_alg {
            TPM_ALG_SHA1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            TPM_ALG_SHA256 => &digest::SHA256,
            TPM_ALG_SHA384 => &digest::SHA384,
            TPM_ALG_SHA512 => &digest::SHA512,
            _ => return None,
        };
        Some(digest::digest(alg, raw).as_ref().to_vec())
    }

    /// The object's TPM name (nameAlg ‖ digest), in the form
    /// [`CertInfo::attested_name`] holds it.
    pub fn name(&self, raw: &[u8]) -> Option<Vec<u8>> {
        let digest = self.name_digest(raw)?;
        let mut name = self.name_alg.to_be_bytes().to_vec();
        name.extend(digest);
        Some(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webauthn::certificates::test_fixtures::{
        Cbor, attestation_object, client_data_json, json,
    };

    fn statement(name: &str) -> Cbor {
        attestation_object(name).get("attStmt").clone()
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// attToBeSigned = authenticatorData ‖ SHA-256(clientDataJSON).
    fn att_to_be_signed(name: &str) -> Vec<u8> {
        let mut data = attestation_object(name).get("authData").bytes().to_vec();
        let client_data_hash = ring::digest::digest(&ring::digest::SHA256, &client_data_json(name));
        data.extend(client_data_hash.as_ref());
        data
    }

    fn cose_coordinates(name: &str) -> (Vec<u8>, Vec<u8>) {
        let fixture = json(name);
        let key = &fixture["authenticatorData"]["coseKey"];
        (
            hex(key["-2"].as_str().expect("x")),
            hex(key["-3"].as_str().expect("y")),
        )
    }

    #[test]
    fn swa_tpm_ecc_pub_area_is_the_credential_p256_key() {
        let name = "swa-tpm-ecc.json";
        let raw = statement(name).get("pubArea").bytes().to_vec();
        let pub_area = PubArea::parse(&raw).expect("pubArea");
        assert_eq!(pub_area.ty, TPM_ALG_ECC);
        assert_eq!(pub_area.name_alg, TPM_ALG_SHA256);
        assert_eq!(pub_area.object_attributes, 0x0004_0072);
        assert_eq!(pub_area.auth_policy.len(), 32);
        assert_eq!(
            pub_area.parameters,
            PubAreaParameters::Ecc {
                symmetric: TPM_ALG_NULL,
                scheme: TPM_ALG_NULL,
                curve_id: TPM_ECC_NIST_P256,
                kdf: TPM_ALG_NULL,
            }
        );
        let (x, y) = cose_coordinates(name);
        assert_eq!(pub_area.unique, PubAreaUnique::Ecc { x, y });
    }

    #[test]
    fn swa_tpm_ecc_cert_info_names_the_pub_area_and_hashes_with_sha1() {
        let name = "swa-tpm-ecc.json";
        let stmt = statement(name);
        let raw = stmt.get("pubArea").bytes();
        let cert_info = CertInfo::parse(stmt.get("certInfo").bytes()).expect("certInfo");
        assert_eq!(cert_info.magic, TPM_GENERATED_VALUE);
        assert_eq!(cert_info.ty, TPM_ST_ATTEST_CERTIFY);
        assert_eq!(cert_info.qualified_signer.len(), 34);
        assert_eq!(cert_info.attested_qualified_name.len(), 34);
        let pub_area = PubArea::parse(raw).expect("pubArea");
        assert_eq!(Some(cert_info.attested_name.clone()), pub_area.name(raw));
        assert_eq!(
            Some(cert_info.attested_name[2..].to_vec()),
            pub_area.name_digest(raw)
        );
        // The statement's alg is RS1, so extraData is SHA-1(attToBeSigned).
        let expected = ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            &att_to_be_signed(name),
        );
        assert_eq!(cert_info.extra_data, expected.as_ref());
    }

    #[test]
    fn w3c_tpm_es256_cert_info_and_pub_area_agree() {
        let name = "w3c-tpm-es256.json";
        let stmt = statement(name);
        let raw = stmt.get("pubArea").bytes();
        let pub_area = PubArea::parse(raw).expect("pubArea");
        assert_eq!(pub_area.ty, TPM_ALG_ECC);
        assert!(pub_area.auth_policy.is_empty());
        let (x, y) = cose_coordinates(name);
        assert_eq!(pub_area.unique, PubAreaUnique::Ecc { x, y });

        let cert_info = CertInfo::parse(stmt.get("certInfo").bytes()).expect("certInfo");
        assert!(cert_info.qualified_signer.is_empty());
        assert!(cert_info.attested_qualified_name.is_empty());
        assert_eq!(cert_info.firmware_version, 0);
        assert_eq!(pub_area.name(raw), Some(cert_info.attested_name));
        let expected = ring::digest::digest(&ring::digest::SHA256, &att_to_be_signed(name));
        assert_eq!(cert_info.extra_data, expected.as_ref());
    }

    /// A TPMT_PUBLIC for an RSA-2048 key, with optional scheme and
    /// symmetric details.
    fn rsa_pub_area(symmetric: &[u8], scheme: &[u8], exponent: u32) -> Vec<u8> {
        let mut raw = vec![0x00, 0x01, 0x00, 0x0b, 0x00, 0x06, 0x04, 0x72, 0x00, 0x00];
        raw.extend(symmetric);
        raw.extend(scheme);
        raw.extend([0x08, 0x00]);
        raw.extend(exponent.to_be_bytes());
        raw.extend([0x01, 0x00]);
        raw.extend([0xab; 256]);
        raw
    }

    #[test]
    fn rsa_pub_area_parses_with_and_without_algorithm_details() {
        let plain = rsa_pub_area(&[0x00, 0x10], &[0x00, 0x10], 0);
        let pub_area = PubArea::parse(&plain).expect("RSA pubArea");
        assert_eq!(pub_area.ty, TPM_ALG_RSA);
        assert_eq!(pub_area.object_attributes, 0x0006_0472);
        assert_eq!(
            pub_area.parameters,
            PubAreaParameters::Rsa {
                symmetric: TPM_ALG_NULL,
                scheme: TPM_ALG_NULL,
                key_bits: 2048,
                exponent: 0,
            }
        );
        assert_eq!(pub_area.unique, PubAreaUnique::Rsa { n: vec![0xab; 256] });

        // AES-128-CFB, and RSASSA with SHA-256: each selector brings details.
        let detailed = rsa_pub_area(
            &[0x00, 0x06, 0x00, 0x80, 0x00, 0x43],
            &[0x00, 0x14, 0x00, 0x0b],
            3,
        );
        let pub_area = PubArea::parse(&detailed).expect("RSA pubArea with details");
        assert_eq!(
            pub_area.parameters,
            PubAreaParameters::Rsa {
                symmetric: 0x0006,
                scheme: 0x0014,
                key_bits: 2048,
                exponent: 3,
            }
        );
        // RSAES has no details.
        let rsaes = rsa_pub_area(&[0x00, 0x10], &[0x00, 0x15], 0);
        assert!(PubArea::parse(&rsaes).is_ok());
    }

    #[test]
    fn ecc_pub_area_with_ecdaa_scheme_and_kdf_details() {
        let mut raw = vec![0x00, 0x23, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00];
        raw.extend([0x00, 0x10]); // symmetric NULL
        raw.extend([0x00, 0x1a, 0x00, 0x0c, 0x00, 0x01]); // ECDAA, SHA-384, count
        raw.extend([0x00, 0x04]); // P-384
        raw.extend([0x00, 0x20, 0x00, 0x0c]); // KDF1_SP800_56A, SHA-384
        raw.extend([0x00, 0x30]);
        raw.extend([1; 48]);
        raw.extend([0x00, 0x30]);
        raw.extend([2; 48]);
        let pub_area = PubArea::parse(&raw).expect("ECC pubArea");
        assert_eq!(
            pub_area.parameters,
            PubAreaParameters::Ecc {
                symmetric: TPM_ALG_NULL,
                scheme: TPM_ALG_ECDAA,
                curve_id: TPM_ECC_NIST_P384,
                kdf: 0x0020,
            }
        );
        assert_eq!(
            pub_area.unique,
            PubAreaUnique::Ecc {
                x: vec![1; 48],
                y: vec![2; 48]
            }
        );
        assert_eq!(pub_area.name_digest(&raw).map(|d| d.len()), Some(48));
    }

    #[test]
    fn name_digest_follows_name_alg() {
        let mut raw = rsa_pub_area(&[0x00, 0x10], &[0x00, 0x10], 0);
        for (alg, len) in [
            (TPM_ALG_SHA1, 20),
            (TPM_ALG_SHA256, 32),
            (TPM_ALG_SHA384, 48),
            (TPM_ALG_SHA512, 64),
        ] {
            raw[2..4].copy_from_slice(&alg.to_be_bytes());
            let pub_area = PubArea::parse(&raw).expect("pubArea");
            assert_eq!(pub_area.name_digest(&raw).map(|d| d.len()), Some(len));
            let name = pub_area.name(&raw).expect("name");
            assert_eq!(&name[..2], &alg.to_be_bytes());
            assert_eq!(name.len(), 2 + len);
        }
        // SM3_256 (0x0012) is a TPM hash this verifier does not know.
        raw[2..4].copy_from_slice(&[0x00, 0x12]);
        let pub_area = PubArea::parse(&raw).expect("pubArea");
        assert_eq!(pub_area.name_digest(&raw), None);
        assert_eq!(pub_area.name(&raw), None);
    }

    #[test]
    fn every_truncation_is_an_error() {
        for name in ["swa-tpm-ecc.json", "w3c-tpm-es256.json"] {
            let stmt = statement(name);
            let cert_info = stmt.get("certInfo").bytes();
            for len in 0..cert_info.len() {
                assert!(CertInfo::parse(&cert_info[..len]).is_err(), "{name} {len}");
            }
            let pub_area = stmt.get("pubArea").bytes();
            for len in 0..pub_area.len() {
                assert!(PubArea::parse(&pub_area[..len]).is_err(), "{name} {len}");
            }
        }
        let rsa = rsa_pub_area(
            &[0x00, 0x06, 0x00, 0x80, 0x00, 0x43],
            &[0x00, 0x14, 0x00, 0x0b],
            0,
        );
        for len in 0..rsa.len() {
            assert!(PubArea::parse(&rsa[..len]).is_err(), "RSA {len}");
        }
        assert_eq!(
            CertInfo::parse(&[0xff, 0x54, 0x43, 0x47, 0x80, 0x17, 0x00]),
            Err(AttestationError::StatementMalformed(
                "certInfo is truncated"
            ))
        );
        assert_eq!(
            PubArea::parse(&[0x00, 0x23, 0x00]),
            Err(AttestationError::StatementMalformed("pubArea is truncated"))
        );
    }

    #[test]
    fn trailing_bytes_are_an_error() {
        let stmt = statement("w3c-tpm-es256.json");
        let mut cert_info = stmt.get("certInfo").bytes().to_vec();
        cert_info.push(0);
        assert_eq!(
            CertInfo::parse(&cert_info),
            Err(AttestationError::StatementMalformed(
                "certInfo has bytes after its end"
            ))
        );
        let mut pub_area = stmt.get("pubArea").bytes().to_vec();
        pub_area.push(0);
        assert_eq!(
            PubArea::parse(&pub_area),
            Err(AttestationError::StatementMalformed(
                "pubArea has bytes after its end"
            ))
        );
    }

    #[test]
    fn a_size_larger_than_the_input_is_an_error() {
        let stmt = statement("w3c-tpm-es256.json");
        let mut cert_info = stmt.get("certInfo").bytes().to_vec();
        // extraData's size, right after the empty qualifiedSigner.
        cert_info[8..10].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(
            CertInfo::parse(&cert_info),
            Err(AttestationError::StatementMalformed(
                "certInfo is truncated"
            ))
        );
        let mut pub_area = stmt.get("pubArea").bytes().to_vec();
        // authPolicy's size.
        pub_area[8..10].copy_from_slice(&[0xff, 0xff]);
        assert_eq!(
            PubArea::parse(&pub_area),
            Err(AttestationError::StatementMalformed("pubArea is truncated"))
        );
    }

    #[test]
    fn wrong_magic_type_or_key_type_is_refused() {
        let stmt = statement("swa-tpm-ecc.json");
        let mut cert_info = stmt.get("certInfo").bytes().to_vec();
        cert_info[3] ^= 1;
        assert_eq!(
            CertInfo::parse(&cert_info),
            Err(AttestationError::FormatSpecific(
                "certInfo magic is not TPM_GENERATED_VALUE"
            ))
        );
        let mut cert_info = stmt.get("certInfo").bytes().to_vec();
        // TPM_ST_ATTEST_QUOTE.
        cert_info[4..6].copy_from_slice(&[0x80, 0x18]);
        assert_eq!(
            CertInfo::parse(&cert_info),
            Err(AttestationError::FormatSpecific(
                "certInfo type is not TPM_ST_ATTEST_CERTIFY"
            ))
        );
        let mut pub_area = stmt.get("pubArea").bytes().to_vec();
        // TPM_ALG_KEYEDHASH.
        pub_area[0..2].copy_from_slice(&[0x00, 0x08]);
        assert_eq!(
            PubArea::parse(&pub_area),
            Err(AttestationError::FormatSpecific(
                "pubArea type is neither TPM_ALG_RSA nor TPM_ALG_ECC"
            ))
        );
    }
}
