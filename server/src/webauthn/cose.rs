//! The credential public key: COSE_Key parsing and validation (RFC 9053,
//! W3C WebAuthn §6.5.1.1), its SubjectPublicKeyInfo form, and signature
//! verification in the formats WebAuthn uses.

use der::asn1::{AnyRef, BitStringRef, ObjectIdentifier, UintRef};
use der::{Decode, Encode, Tag};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use super::cbor;
use super::error::RegistrationError;

/// The COSE algorithms a credential key may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CoseAlgorithm {
    /// ECDSA with SHA-256 on P-256.
    Es256,
    /// ECDSA with SHA-384 on P-384.
    Es384,
    /// ECDSA with SHA-512 on P-521.
    Es512,
    /// Ed25519.
    EdDsa,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// RSASSA-PKCS1-v1_5 with SHA-1: only for TPM attestation statements,
    /// which some TPMs still sign this way.
    Rs1,
}

impl CoseAlgorithm {
    pub const ALL: [CoseAlgorithm; 6] = [
        CoseAlgorithm::Es256,
        CoseAlgorithm::Es384,
        CoseAlgorithm::Es512,
        CoseAlgorithm::EdDsa,
        CoseAlgorithm::Rs256,
        CoseAlgorithm::Rs1,
    ];

    /// The algorithm with the COSE registry number `n`.
    pub fn from_i64(n: i64) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.to_i64() == n)
    }

    /// The COSE registry number.
    pub fn to_i64(self) -> i64 {
        match self {
            CoseAlgorithm::Es256 => -7,
            CoseAlgorithm::Es384 => -35,
            CoseAlgorithm::Es512 => -36,
            CoseAlgorithm::EdDsa => -8,
            CoseAlgorithm::Rs256 => -257,
            CoseAlgorithm::Rs1 => -65535,
        }
    }

    /// The COSE registry name, as `credential.algorithm` carries it.
    pub fn name(self) -> &'static str {
        match self {
            CoseAlgorithm::Es256 => "ES256",
            CoseAlgorithm::Es384 => "ES384",
            CoseAlgorithm::Es512 => "ES512",
            CoseAlgorithm::EdDsa => "EdDSA",
            CoseAlgorithm::Rs256 => "RS256",
            CoseAlgorithm::Rs1 => "RS1",
        }
    }

    /// The algorithm named `name`, compared exactly.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }
}

/// A validated credential public key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoseKey {
    pub algorithm: CoseAlgorithm,
    pub params: KeyParams,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyParams {
    /// A point on a NIST curve, as fixed-length big-endian coordinates.
    Ec2 {
        curve: EcCurve,
        x: Vec<u8>,
        y: Vec<u8>,
    },
    /// An Ed25519 public key.
    Okp { x: Vec<u8> },
    /// Big-endian, without leading zero bytes.
    Rsa { n: Vec<u8>, e: Vec<u8> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EcCurve {
    P256,
    P384,
    P521,
}

impl EcCurve {
    fn from_cose(crv: i128) -> Option<Self> {
        match crv {
            1 => Some(EcCurve::P256),
            2 => Some(EcCurve::P384),
            3 => Some(EcCurve::P521),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
        }
    }

    /// The length of one coordinate in bytes.
    pub fn coordinate_len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }

    fn algorithm(self) -> CoseAlgorithm {
        match self {
            EcCurve::P256 => CoseAlgorithm::Es256,
            EcCurve::P384 => CoseAlgorithm::Es384,
            EcCurve::P521 => CoseAlgorithm::Es512,
        }
    }

    /// The named-curve OID of RFC 5480.
    fn oid(self) -> ObjectIdentifier {
        match self {
            EcCurve::P256 => SECP256R1,
            EcCurve::P384 => SECP384R1,
            EcCurve::P521 => SECP521R1,
        }
    }

    /// Whether `sec1` is a valid point on this curve, in any SEC1 encoding.
    /// Returns the point uncompressed.
    fn uncompressed(self, sec1: &[u8]) -> Option<Vec<u8>> {
        Some(match self {
            EcCurve::P256 => {
                use p256::elliptic_curve::sec1::ToEncodedPoint as _;
                let key = p256::PublicKey::from_sec1_bytes(sec1).ok()?;
                key.to_encoded_point(false).as_bytes().to_vec()
            }
            EcCurve::P384 => {
                use p384::elliptic_curve::sec1::ToEncodedPoint as _;
                let key = p384::PublicKey::from_sec1_bytes(sec1).ok()?;
                key.to_encoded_point(false).as_bytes().to_vec()
            }
            EcCurve::P521 => {
                use p521::elliptic_curve::sec1::ToEncodedPoint as _;
                let key = p521::PublicKey::from_sec1_bytes(sec1).ok()?;
                key.to_encoded_point(false).as_bytes().to_vec()
            }
        })
    }
}

// COSE_Key labels (RFC 9052 §7.1, RFC 9053 §7).
const LABEL_KTY: i64 = 1;
const LABEL_ALG: i64 = 3;
const LABEL_CRV: i64 = -1;
const LABEL_X: i64 = -2;
const LABEL_Y: i64 = -3;
const LABEL_RSA_N: i64 = -1;
const LABEL_RSA_E: i64 = -2;

const KTY_OKP: i128 = 1;
const KTY_EC2: i128 = 2;
const KTY_RSA: i128 = 3;
const CRV_ED25519: i128 = 6;
const CRV_ED448: i128 = 7;
/// The fully-specified Ed448 algorithm (RFC 9864), which the W3C vectors use.
const ALG_ED448: i128 = -53;

const MIN_RSA_BITS: usize = 2048;
/// ring's limit: a larger modulus could not be verified, and would cost
/// time to try.
const MAX_RSA_BITS: usize = 8192;

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

fn malformed(reason: impl Into<String>) -> RegistrationError {
    RegistrationError::CoseKeyMalformed(reason.into())
}

/// An integer-valued member; `name` is for the error.
fn int_member(key: &cbor::Value, label: i64, name: &str) -> Result<i128, RegistrationError> {
    match key.map_get_int(label) {
        None => Err(malformed(format!("the key has no {name}"))),
        Some(value) => value
            .as_int()
            .ok_or_else(|| malformed(format!("{name} is not an integer"))),
    }
}

/// A byte-string member; `name` is for the error.
fn bytes_member<'a>(
    key: &'a cbor::Value,
    label: i64,
    name: &str,
) -> Result<&'a [u8], RegistrationError> {
    match key.map_get_int(label) {
        None => Err(malformed(format!("the key has no {name}"))),
        Some(value) => value
            .as_bytes()
            .ok_or_else(|| malformed(format!("{name} is not a byte string"))),
    }
}

/// Parses and validates the credential public key of attested credential
/// data. Whether the algorithm is allowed is the caller's decision.
pub fn parse_key(value: &cbor::Value) -> Result<CoseKey, RegistrationError> {
    if value.as_map().is_none() {
        return Err(malformed("not a CBOR map"));
    }
    let kty = int_member(value, LABEL_KTY, "kty")?;
    let alg = int_member(value, LABEL_ALG, "alg")?;
    if alg == ALG_ED448 {
        return Err(malformed("Ed448 is not supported"));
    }
    let algorithm = i64::try_from(alg)
        .ok()
        .and_then(CoseAlgorithm::from_i64)
        .ok_or_else(|| malformed(format!("unknown algorithm {alg}")))?;
    let params = match kty {
        KTY_OKP => okp_params(value, algorithm)?,
        KTY_EC2 => ec2_params(value, algorithm)?,
        KTY_RSA => rsa_params(value, algorithm)?,
        other => return Err(malformed(format!("unknown key type {other}"))),
    };
    Ok(CoseKey { algorithm, params })
}

fn mismatch(algorithm: CoseAlgorithm, kty: &str) -> RegistrationError {
    malformed(format!(
        "the algorithm {} does not fit an {kty} key",
        algorithm.name()
    ))
}

fn ec2_params(key: &cbor::Value, algorithm: CoseAlgorithm) -> Result<KeyParams, RegistrationError> {
    if !matches!(
        algorithm,
        CoseAlgorithm::Es256 | CoseAlgorithm::Es384 | CoseAlgorithm::Es512
    ) {
        return Err(mismatch(algorithm, "EC2"));
    }
    let crv = int_member(key, LABEL_CRV, "crv")?;
    let curve = EcCurve::from_cose(crv).ok_or_else(|| malformed(format!("unknown curve {crv}")))?;
    if curve.algorithm() != algorithm {
        return Err(malformed(format!(
            "the algorithm {} does not fit the curve {}",
            algorithm.name(),
            curve.name()
        )));
    }
    let x = bytes_member(key, LABEL_X, "x")?;
    // A compressed point would carry y as a bool: WebAuthn wants both
    // coordinates (§6.5.1.1).
    let y = bytes_member(key, LABEL_Y, "y")?;
    for (name, coordinate) in [("x", x), ("y", y)] {
        if coordinate.len() != curve.coordinate_len() {
            return Err(malformed(format!(
                "{name} has {} bytes; {} needs {}",
                coordinate.len(),
                curve.name(),
                curve.coordinate_len()
            )));
        }
    }
    if curve.uncompressed(&sec1_uncompressed(x, y)).is_none() {
        return Err(malformed(format!("the point is not on {}", curve.name())));
    }
    Ok(KeyParams::Ec2 {
        curve,
        x: x.to_vec(),
        y: y.to_vec(),
    })
}

fn okp_params(key: &cbor::Value, algorithm: CoseAlgorithm) -> Result<KeyParams, RegistrationError> {
    let crv = int_member(key, LABEL_CRV, "crv")?;
    match crv {
        CRV_ED25519 => {}
        CRV_ED448 => return Err(malformed("Ed448 is not supported")),
        other => return Err(malformed(format!("unknown curve {other}"))),
    }
    if algorithm != CoseAlgorithm::EdDsa {
        return Err(mismatch(algorithm, "OKP"));
    }
    let x = bytes_member(key, LABEL_X, "x")?;
    let bytes: &[u8; 32] = x
        .try_into()
        .map_err(|_| malformed(format!("x has {} bytes; Ed25519 needs 32", x.len())))?;
    let point = ed25519_dalek::VerifyingKey::from_bytes(bytes)
        .map_err(|_| malformed("the Ed25519 point does not decompress"))?;
    // Beyond spec: a small-order key verifies signatures it never made.
    if point.is_weak() {
        return Err(malformed("the Ed25519 point has small order"));
    }
    Ok(KeyParams::Okp { x: x.to_vec() })
}

fn rsa_params(key: &cbor::Value, algorithm: CoseAlgorithm) -> Result<KeyParams, RegistrationError> {
    if !matches!(algorithm, CoseAlgorithm::Rs256 | CoseAlgorithm::Rs1) {
        return Err(mismatch(algorithm, "RSA"));
    }
    let n = strip_leading_zeros(bytes_member(key, LABEL_RSA_N, "n")?);
    let e = strip_leading_zeros(bytes_member(key, LABEL_RSA_E, "e")?);
    let bits = bit_len(n);
    if bits < MIN_RSA_BITS {
        return Err(malformed(format!(
            "the RSA modulus has {bits} bits; at least {MIN_RSA_BITS} are needed"
        )));
    }
    if bits > MAX_RSA_BITS {
        return Err(malformed(format!(
            "the RSA modulus has {bits} bits; at most {MAX_RSA_BITS} are supported"
        )));
    }
    if n.last().is_some_and(|b| b & 1 == 0) {
        return Err(malformed("the RSA modulus is even"));
    }
    // ring accepts exponents from 3 to 2^33 - 1.
    if e.len() > 8 {
        return Err(malformed("the RSA exponent is too large"));
    }
    let exponent = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
    if exponent < 3 {
        return Err(malformed(format!(
            "the RSA exponent {exponent} is too small"
        )));
    }
    if exponent % 2 == 0 {
        return Err(malformed("the RSA exponent is even"));
    }
    if exponent >= 1 << 33 {
        return Err(malformed("the RSA exponent is too large"));
    }
    Ok(KeyParams::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
    })
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

/// The bit length of a big-endian number without leading zero bytes.
fn bit_len(n: &[u8]) -> usize {
    match n.first() {
        None => 0,
        Some(&first) => n.len() * 8 - first.leading_zeros() as usize,
    }
}

fn sec1_uncompressed(x: &[u8], y: &[u8]) -> Vec<u8> {
    let mut point = Vec::with_capacity(1 + x.len() + y.len());
    point.push(0x04);
    point.extend_from_slice(x);
    point.extend_from_slice(y);
    point
}

impl CoseKey {
    /// The key as SubjectPublicKeyInfo DER: what `getPublicKey()` returns
    /// in the browser and what the server stores beside the COSE form.
    pub fn spki_der(&self) -> Vec<u8> {
        // Every part was validated by `parse_key`, so encoding cannot fail
        // for a parsed key; a hand-built invalid one yields no bytes.
        self.try_spki_der().unwrap_or_default()
    }

    fn try_spki_der(&self) -> der::Result<Vec<u8>> {
        match &self.params {
            KeyParams::Ec2 { curve, x, y } => {
                let oid = curve.oid();
                let point = sec1_uncompressed(x, y);
                spki(ID_EC_PUBLIC_KEY, Some(AnyRef::from(&oid)), &point)
            }
            KeyParams::Okp { x } => spki(ID_ED25519, None, x),
            KeyParams::Rsa { n, e } => {
                spki(RSA_ENCRYPTION, Some(AnyRef::NULL), &rsa_public_key(n, e)?)
            }
        }
    }

    /// Whether the SubjectPublicKeyInfo `der` names this key. The two are
    /// compared as keys, not as bytes, so that an equivalent encoding (a
    /// compressed point, RSA parameters left out) also matches.
    pub fn matches_spki(&self, der: &[u8]) -> bool {
        let Ok(info) = SubjectPublicKeyInfoRef::from_der(der) else {
            return false;
        };
        let Some(key) = info.subject_public_key.as_bytes() else {
            return false;
        };
        let algorithm = info.algorithm;
        match &self.params {
            KeyParams::Ec2 { curve, x, y } => {
                algorithm.oid == ID_EC_PUBLIC_KEY
                    && algorithm
                        .parameters
                        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                        == Some(curve.oid())
                    && curve.uncompressed(key) == Some(sec1_uncompressed(x, y))
            }
            KeyParams::Okp { x } => {
                algorithm.oid == ID_ED25519 && algorithm.parameters.is_none() && key == x.as_slice()
            }
            KeyParams::Rsa { n, e } => {
                algorithm.oid == RSA_ENCRYPTION
                    && algorithm.parameters.is_none_or(|p| p.is_null())
                    && parse_rsa_public_key(key).is_some_and(|(their_n, their_e)| {
                        their_n == n.as_slice() && their_e == e.as_slice()
                    })
            }
        }
    }

    /// Whether `signature` over `message` verifies under this key, in
    /// WebAuthn's formats (§6.5.6): ECDSA as ASN.1 DER, RSASSA-PKCS1-v1_5,
    /// and Ed25519 as 64 raw bytes.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        use ring::signature as rs;
        match (&self.params, self.algorithm) {
            (
                KeyParams::Ec2 {
                    curve: EcCurve::P256,
                    x,
                    y,
                },
                CoseAlgorithm::Es256,
            ) => rs::UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_ASN1, sec1_uncompressed(x, y))
                .verify(message, signature)
                .is_ok(),
            (
                KeyParams::Ec2 {
                    curve: EcCurve::P384,
                    x,
                    y,
                },
                CoseAlgorithm::Es384,
            ) => rs::UnparsedPublicKey::new(&rs::ECDSA_P384_SHA384_ASN1, sec1_uncompressed(x, y))
                .verify(message, signature)
                .is_ok(),
            (
                KeyParams::Ec2 {
                    curve: EcCurve::P521,
                    x,
                    y,
                },
                CoseAlgorithm::Es512,
            ) => verify_es512(&sec1_uncompressed(x, y), message, signature),
            (KeyParams::Okp { x }, CoseAlgorithm::EdDsa) => verify_ed25519(x, message, signature),
            (KeyParams::Rsa { n, e }, CoseAlgorithm::Rs256) => rs::RsaPublicKeyComponents { n, e }
                .verify(&rs::RSA_PKCS1_2048_8192_SHA256, message, signature)
                .is_ok(),
            (KeyParams::Rsa { n, e }, CoseAlgorithm::Rs1) => rs::RsaPublicKeyComponents { n, e }
                .verify(
                    &rs::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY,
                    message,
                    signature,
                )
                .is_ok(),
            _ => false,
        }
    }
}

/// ring has no P-521, so ES512 goes through the RustCrypto crate.
fn verify_es512(point: &[u8], message: &[u8], signature: &[u8]) -> bool {
    use p521::ecdsa::signature::Verifier as _;
    let Ok(key) = p521::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
        return false;
    };
    let Ok(signature) = p521::ecdsa::Signature::from_der(signature) else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

fn verify_ed25519(x: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(x) = <&[u8; 32]>::try_from(x) else {
        return false;
    };
    let Ok(key) = ed25519_dalek::VerifyingKey::from_bytes(x) else {
        return false;
    };
    let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else {
        return false;
    };
    // Strict: no small-order keys or non-canonical R, so one signature
    // cannot be valid for two messages.
    key.verify_strict(message, &signature).is_ok()
}

fn spki(oid: ObjectIdentifier, parameters: Option<AnyRef<'_>>, key: &[u8]) -> der::Result<Vec<u8>> {
    SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        subject_public_key: BitStringRef::from_bytes(key)?,
    }
    .to_der()
}

/// RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
/// (RFC 8017 A.1.1); `UintRef` keeps both positive.
fn rsa_public_key(n: &[u8], e: &[u8]) -> der::Result<Vec<u8>> {
    let mut body = UintRef::new(n)?.to_der()?;
    body.extend(UintRef::new(e)?.to_der()?);
    AnyRef::new(Tag::Sequence, &body)?.to_der()
}

/// The modulus and exponent of an RSAPublicKey, without leading zeros.
fn parse_rsa_public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    AnyRef::from_der(der)
        .ok()?
        .sequence(|reader| {
            let n = UintRef::decode(reader)?;
            let e = UintRef::decode(reader)?;
            Ok((n.as_bytes(), e.as_bytes()))
        })
        .ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::webauthn::authenticator_data;
    use crate::webauthn::certificates::test_fixtures::{DIR, b64, hex, json as fixture};

    fn cose_value(f: &serde_json::Value) -> cbor::Value {
        let data = authenticator_data::parse(&b64(&f["authenticatorData_b64url"])).unwrap();
        data.attested.unwrap().public_key
    }

    fn key_of(name: &str) -> CoseKey {
        parse_key(&cose_value(&fixture(name))).unwrap()
    }

    fn negative_case_key(name: &str) -> Result<CoseKey, RegistrationError> {
        let all = fixture("derived-none-es256-negative-cases.json");
        let case = all["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no case {name}"))
            .clone();
        let object = cbor::decode(&b64(&case["attestationObject_b64url"])).unwrap();
        let auth_data = object.map_get_text("authData").unwrap().as_bytes().unwrap();
        parse_key(
            &authenticator_data::parse(auth_data)?
                .attested
                .unwrap()
                .public_key,
        )
    }

    fn fixtures_with_spki() -> Vec<(String, serde_json::Value)> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(DIR).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let f: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            if f["authenticatorData"]["publicKeySpki_b64url"].is_string() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                found.push((name, f));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    }

    #[test]
    fn every_fixture_key_converts_to_its_spki() {
        let fixtures = fixtures_with_spki();
        assert!(fixtures.len() >= 20, "only {} fixtures", fixtures.len());
        for (name, f) in fixtures {
            let result = parse_key(&cose_value(&f));
            if name == "w3c-packed-ed448.json" {
                assert_eq!(
                    result,
                    Err(RegistrationError::CoseKeyMalformed(
                        "Ed448 is not supported".to_owned()
                    ))
                );
                continue;
            }
            let key = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            let expected = b64(&f["authenticatorData"]["publicKeySpki_b64url"]);
            assert_eq!(key.spki_der(), expected, "{name}");
            assert!(key.matches_spki(&expected), "{name}");
            assert_eq!(
                key.algorithm.to_i64(),
                f["authenticatorData"]["coseAlg"].as_i64().unwrap(),
                "{name}"
            );
            assert_eq!(
                key.algorithm.name(),
                f["authenticatorData"]["algorithmName"].as_str().unwrap(),
                "{name}"
            );
        }
    }

    /// The W3C vectors each carry an authentication ceremony signed by the
    /// credential: authenticatorData || SHA-256(clientDataJSON).
    #[test]
    fn w3c_authentication_signatures_verify() {
        let mut seen = Vec::new();
        for (name, f) in fixtures_with_spki() {
            let auth = &f["authentication"];
            if auth.is_null() || name == "w3c-packed-ed448.json" {
                continue;
            }
            let key = parse_key(&cose_value(&f)).unwrap();
            let mut message = b64(&auth["authenticatorData_b64url"]);
            let client_data = b64(&auth["clientDataJSON_b64url"]);
            message.extend_from_slice(
                ring::digest::digest(&ring::digest::SHA256, &client_data).as_ref(),
            );
            let signature = b64(&auth["signature_b64url"]);
            assert!(key.verify(&message, &signature), "{name}");

            let mut flipped = message.clone();
            flipped[0] ^= 0x01;
            assert!(!key.verify(&flipped, &signature), "{name}: altered message");
            let last = message.len() - 1;
            flipped = message.clone();
            flipped[last] ^= 0x80;
            assert!(!key.verify(&flipped, &signature), "{name}: altered hash");
            for i in [0, signature.len() / 2, signature.len() - 1] {
                let mut bad = signature.clone();
                bad[i] ^= 0x01;
                assert!(
                    !key.verify(&message, &bad),
                    "{name}: altered signature byte {i}"
                );
            }
            assert!(!key.verify(&message, &[]), "{name}: empty signature");
            seen.push(key.algorithm);
        }
        for algorithm in [
            CoseAlgorithm::Es256,
            CoseAlgorithm::Es384,
            CoseAlgorithm::Es512,
            CoseAlgorithm::EdDsa,
            CoseAlgorithm::Rs256,
        ] {
            assert!(seen.contains(&algorithm), "no vector for {algorithm:?}");
        }
    }

    #[test]
    fn a_signature_from_another_key_does_not_verify() {
        let f = fixture("w3c-packed-es256.json");
        let auth = &f["authentication"];
        let mut message = b64(&auth["authenticatorData_b64url"]);
        message.extend_from_slice(
            ring::digest::digest(&ring::digest::SHA256, &b64(&auth["clientDataJSON_b64url"]))
                .as_ref(),
        );
        let signature = b64(&auth["signature_b64url"]);
        let other = key_of("w3c-none-es256.json");
        assert!(!other.verify(&message, &signature));
    }

    #[test]
    fn rs1_verifies_with_sha1_only() {
        // The RS256 vector's signature is over SHA-256, so as RS1 it fails.
        let f = fixture("w3c-packed-rs256.json");
        let mut key = parse_key(&cose_value(&f)).unwrap();
        let auth = &f["authentication"];
        let mut message = b64(&auth["authenticatorData_b64url"]);
        message.extend_from_slice(
            ring::digest::digest(&ring::digest::SHA256, &b64(&auth["clientDataJSON_b64url"]))
                .as_ref(),
        );
        let signature = b64(&auth["signature_b64url"]);
        assert!(key.verify(&message, &signature));
        key.algorithm = CoseAlgorithm::Rs1;
        assert!(!key.verify(&message, &signature));
    }

    #[test]
    fn a_key_with_mismatched_algorithm_never_verifies() {
        let mut key = key_of("w3c-none-es256.json");
        key.algorithm = CoseAlgorithm::Rs256;
        assert!(!key.verify(b"message", &[0; 72]));
        key.algorithm = CoseAlgorithm::Es384;
        assert!(!key.verify(b"message", &[0; 72]));
        assert!(!key.spki_der().is_empty());
    }

    #[test]
    fn algorithm_numbers_and_names_round_trip() {
        let expected = [
            (CoseAlgorithm::Es256, -7, "ES256"),
            (CoseAlgorithm::Es384, -35, "ES384"),
            (CoseAlgorithm::Es512, -36, "ES512"),
            (CoseAlgorithm::EdDsa, -8, "EdDSA"),
            (CoseAlgorithm::Rs256, -257, "RS256"),
            (CoseAlgorithm::Rs1, -65535, "RS1"),
        ];
        for (algorithm, number, name) in expected {
            assert_eq!(algorithm.to_i64(), number);
            assert_eq!(algorithm.name(), name);
            assert_eq!(CoseAlgorithm::from_i64(number), Some(algorithm));
            assert_eq!(CoseAlgorithm::from_name(name), Some(algorithm));
        }
        assert_eq!(CoseAlgorithm::from_i64(-37), None);
        assert_eq!(CoseAlgorithm::from_i64(0), None);
        assert_eq!(CoseAlgorithm::from_name("es256"), None);
        assert_eq!(CoseAlgorithm::from_name("Ed448"), None);
        assert_eq!(CoseAlgorithm::from_name("PS256"), None);
    }

    #[test]
    fn derived_alg_mismatch_is_refused() {
        assert_eq!(
            negative_case_key("cose-alg-mismatch"),
            Err(malformed("the algorithm RS256 does not fit an EC2 key"))
        );
    }

    #[test]
    fn derived_unknown_curve_is_refused() {
        assert_eq!(
            negative_case_key("cose-unknown-curve"),
            Err(malformed("unknown curve 8"))
        );
    }

    #[test]
    fn derived_point_not_on_curve_is_refused() {
        assert_eq!(
            negative_case_key("cose-point-not-on-curve"),
            Err(malformed("the point is not on P-256"))
        );
    }

    #[test]
    fn derived_missing_alg_is_refused() {
        assert_eq!(
            negative_case_key("cose-no-alg"),
            Err(malformed("the key has no alg"))
        );
    }

    /// The W3C ES256 key's members, to edit one at a time.
    fn es256_entries() -> Vec<(cbor::Value, cbor::Value)> {
        cose_value(&fixture("w3c-none-es256.json"))
            .as_map()
            .unwrap()
            .to_vec()
    }

    fn with(
        mut entries: Vec<(cbor::Value, cbor::Value)>,
        label: i64,
        value: Option<cbor::Value>,
    ) -> cbor::Value {
        entries.retain(|(k, _)| k.as_int() != Some(i128::from(label)));
        if let Some(value) = value {
            let key = if label < 0 {
                cbor::Value::Negative((-1 - label) as u64)
            } else {
                cbor::Value::Unsigned(label as u64)
            };
            entries.push((key, value));
        }
        cbor::Value::Map(entries)
    }

    fn int(n: i64) -> cbor::Value {
        if n < 0 {
            cbor::Value::Negative((-1 - n) as u64)
        } else {
            cbor::Value::Unsigned(n as u64)
        }
    }

    #[test]
    fn a_key_that_is_not_a_map_is_refused() {
        assert_eq!(
            parse_key(&cbor::Value::Array(vec![])),
            Err(malformed("not a CBOR map"))
        );
    }

    #[test]
    fn kty_must_be_present_known_and_an_integer() {
        assert_eq!(
            parse_key(&with(es256_entries(), LABEL_KTY, None)),
            Err(malformed("the key has no kty"))
        );
        assert_eq!(
            parse_key(&with(es256_entries(), LABEL_KTY, Some(int(4)))),
            Err(malformed("unknown key type 4"))
        );
        assert_eq!(
            parse_key(&with(
                es256_entries(),
                LABEL_KTY,
                Some(cbor::Value::Text("EC2".to_owned()))
            )),
            Err(malformed("kty is not an integer"))
        );
    }

    #[test]
    fn unknown_algorithms_are_refused_by_number() {
        assert_eq!(
            parse_key(&with(es256_entries(), LABEL_ALG, Some(int(-37)))),
            Err(malformed("unknown algorithm -37"))
        );
        assert_eq!(
            parse_key(&with(
                es256_entries(),
                LABEL_ALG,
                Some(cbor::Value::Negative(u64::MAX))
            )),
            Err(malformed("unknown algorithm -18446744073709551616"))
        );
    }

    #[test]
    fn each_ec_algorithm_needs_its_curve() {
        assert_eq!(
            parse_key(&with(es256_entries(), LABEL_ALG, Some(int(-35)))),
            Err(malformed(
                "the algorithm ES384 does not fit the curve P-256"
            ))
        );
        assert_eq!(
            parse_key(&with(es256_entries(), LABEL_ALG, Some(int(-8)))),
            Err(malformed("the algorithm EdDSA does not fit an EC2 key"))
        );
    }

    #[test]
    fn ec_coordinates_must_have_the_curve_length() {
        let short = cbor::Value::Bytes(vec![1; 31]);
        assert_eq!(
            parse_key(&with(es256_entries(), LABEL_X, Some(short))),
            Err(malformed("x has 31 bytes; P-256 needs 32"))
        );
        let long = cbor::Value::Bytes(vec![1; 33]);
        assert_eq!(
            parse_key(&with(es256_entries(), LABEL_Y, Some(long))),
            Err(malformed("y has 33 bytes; P-256 needs 32"))
        );
        assert_eq!(
            parse_key(&with(
                es256_entries(),
                LABEL_Y,
                Some(cbor::Value::Bool(true))
            )),
            Err(malformed("y is not a byte string"))
        );
        assert_eq!(
            parse_key(&with(es256_entries(), LABEL_Y, None)),
            Err(malformed("the key has no y"))
        );
    }

    #[test]
    fn a_point_off_the_curve_is_refused() {
        let entries = es256_entries();
        let mut y = cose_value(&fixture("w3c-none-es256.json"))
            .map_get_int(LABEL_Y)
            .unwrap()
            .as_bytes()
            .unwrap()
            .to_vec();
        y[31] ^= 1;
        assert_eq!(
            parse_key(&with(entries, LABEL_Y, Some(cbor::Value::Bytes(y)))),
            Err(malformed("the point is not on P-256"))
        );
    }

    fn eddsa_entries() -> Vec<(cbor::Value, cbor::Value)> {
        cose_value(&fixture("w3c-packed-eddsa.json"))
            .as_map()
            .unwrap()
            .to_vec()
    }

    #[test]
    fn ed448_is_refused_however_it_is_named() {
        assert_eq!(
            parse_key(&with(eddsa_entries(), LABEL_CRV, Some(int(7)))),
            Err(malformed("Ed448 is not supported"))
        );
        assert_eq!(
            parse_key(&cose_value(&fixture("w3c-packed-ed448.json"))),
            Err(malformed("Ed448 is not supported"))
        );
    }

    #[test]
    fn okp_keys_are_checked() {
        assert_eq!(
            parse_key(&with(eddsa_entries(), LABEL_CRV, Some(int(4)))),
            Err(malformed("unknown curve 4"))
        );
        assert_eq!(
            parse_key(&with(eddsa_entries(), LABEL_ALG, Some(int(-7)))),
            Err(malformed("the algorithm ES256 does not fit an OKP key"))
        );
        assert_eq!(
            parse_key(&with(
                eddsa_entries(),
                LABEL_X,
                Some(cbor::Value::Bytes(vec![0; 31]))
            )),
            Err(malformed("x has 31 bytes; Ed25519 needs 32"))
        );
    }

    #[test]
    fn an_ed25519_point_that_does_not_decompress_is_refused() {
        // y = 2 has no x on the curve.
        let mut x = vec![0u8; 32];
        x[0] = 2;
        assert_eq!(
            parse_key(&with(eddsa_entries(), LABEL_X, Some(cbor::Value::Bytes(x)))),
            Err(malformed("the Ed25519 point does not decompress"))
        );
    }

    #[test]
    fn a_small_order_ed25519_point_is_refused() {
        // The identity, y = 1.
        let mut x = vec![0u8; 32];
        x[0] = 1;
        assert_eq!(
            parse_key(&with(eddsa_entries(), LABEL_X, Some(cbor::Value::Bytes(x)))),
            Err(malformed("the Ed25519 point has small order"))
        );
    }

    fn rsa_entries() -> Vec<(cbor::Value, cbor::Value)> {
        cose_value(&fixture("w3c-packed-rs256.json"))
            .as_map()
            .unwrap()
            .to_vec()
    }

    fn rsa_n() -> Vec<u8> {
        cose_value(&fixture("w3c-packed-rs256.json"))
            .map_get_int(LABEL_RSA_N)
            .unwrap()
            .as_bytes()
            .unwrap()
            .to_vec()
    }

    fn rsa_with_e(e: &[u8]) -> Result<CoseKey, RegistrationError> {
        parse_key(&with(
            rsa_entries(),
            LABEL_RSA_E,
            Some(cbor::Value::Bytes(e.to_vec())),
        ))
    }

    #[test]
    fn rsa_keys_need_an_rsa_algorithm() {
        assert_eq!(
            parse_key(&with(rsa_entries(), LABEL_ALG, Some(int(-7)))),
            Err(malformed("the algorithm ES256 does not fit an RSA key"))
        );
        let key = parse_key(&with(rsa_entries(), LABEL_ALG, Some(int(-65535)))).unwrap();
        assert_eq!(key.algorithm, CoseAlgorithm::Rs1);
    }

    #[test]
    fn a_short_rsa_modulus_is_refused() {
        let mut n = vec![0xffu8; 255];
        n[254] = 0xfd;
        assert_eq!(
            parse_key(&with(
                rsa_entries(),
                LABEL_RSA_N,
                Some(cbor::Value::Bytes(n))
            )),
            Err(malformed(
                "the RSA modulus has 2040 bits; at least 2048 are needed"
            ))
        );
        // Leading zeros do not count towards the size.
        let mut padded = vec![0u8; 2];
        padded.extend_from_slice(&[0xff; 255]);
        assert_eq!(
            parse_key(&with(
                rsa_entries(),
                LABEL_RSA_N,
                Some(cbor::Value::Bytes(padded))
            )),
            Err(malformed(
                "the RSA modulus has 2040 bits; at least 2048 are needed"
            ))
        );
    }

    #[test]
    fn an_oversized_or_even_rsa_modulus_is_refused() {
        assert_eq!(
            parse_key(&with(
                rsa_entries(),
                LABEL_RSA_N,
                Some(cbor::Value::Bytes(vec![0xff; 1025]))
            )),
            Err(malformed(
                "the RSA modulus has 8200 bits; at most 8192 are supported"
            ))
        );
        let mut n = rsa_n();
        let last = n.len() - 1;
        n[last] &= 0xfe;
        assert_eq!(
            parse_key(&with(
                rsa_entries(),
                LABEL_RSA_N,
                Some(cbor::Value::Bytes(n))
            )),
            Err(malformed("the RSA modulus is even"))
        );
    }

    #[test]
    fn rsa_exponents_are_checked() {
        assert_eq!(
            rsa_with_e(&[1]),
            Err(malformed("the RSA exponent 1 is too small"))
        );
        assert_eq!(
            rsa_with_e(&[]),
            Err(malformed("the RSA exponent 0 is too small"))
        );
        assert_eq!(
            rsa_with_e(&[0x01, 0x00, 0x00]),
            Err(malformed("the RSA exponent is even"))
        );
        assert_eq!(
            rsa_with_e(&[0x02, 0, 0, 0, 1]),
            Err(malformed("the RSA exponent is too large"))
        );
        assert_eq!(
            rsa_with_e(&[1; 9]),
            Err(malformed("the RSA exponent is too large"))
        );
        assert!(rsa_with_e(&[3]).is_ok());
        // Leading zeros are dropped.
        let key = rsa_with_e(&[0, 0, 1, 0, 1]).unwrap();
        assert_eq!(
            key.params,
            KeyParams::Rsa {
                n: rsa_n(),
                e: vec![1, 0, 1]
            }
        );
    }

    #[test]
    fn rsa_spki_encodes_the_modulus_as_a_positive_integer() {
        let key = key_of("w3c-packed-rs256.json");
        let der = key.spki_der();
        let info = SubjectPublicKeyInfoRef::from_der(&der).unwrap();
        assert_eq!(info.algorithm.oid, RSA_ENCRYPTION);
        assert!(info.algorithm.parameters.unwrap().is_null());
        let (n, e) = parse_rsa_public_key(info.subject_public_key.as_bytes().unwrap()).unwrap();
        assert_eq!(n, rsa_n().as_slice());
        assert_eq!(e, [1, 0, 1]);
        // A modulus whose top bit is set needs a leading zero to stay positive.
        let high = rsa_public_key(&[0x80, 1], &[3]).unwrap();
        assert_eq!(high, hex("30080203008001020103"));
    }

    #[test]
    fn an_equivalent_spki_encoding_matches() {
        // P-256 with the point compressed.
        let key = key_of("w3c-none-es256.json");
        let KeyParams::Ec2 { x, y, .. } = &key.params else {
            panic!("not EC2")
        };
        let mut compressed = vec![0x02 | (y[31] & 1)];
        compressed.extend_from_slice(x);
        let der = spki(
            ID_EC_PUBLIC_KEY,
            Some(AnyRef::from(&SECP256R1)),
            &compressed,
        )
        .unwrap();
        assert_ne!(der, key.spki_der());
        assert!(key.matches_spki(&der));

        // RSA with the NULL parameters left out.
        let key = key_of("w3c-packed-rs256.json");
        let KeyParams::Rsa { n, e } = &key.params else {
            panic!("not RSA")
        };
        let der = spki(RSA_ENCRYPTION, None, &rsa_public_key(n, e).unwrap()).unwrap();
        assert!(key.matches_spki(&der));
    }

    #[test]
    fn a_different_key_does_not_match() {
        let key = key_of("w3c-none-es256.json");
        let other = key_of("w3c-packed-es256.json");
        assert!(!key.matches_spki(&other.spki_der()));
        assert!(!key.matches_spki(&key_of("w3c-packed-es384.json").spki_der()));
        assert!(!key.matches_spki(&key_of("w3c-packed-eddsa.json").spki_der()));
        assert!(!key.matches_spki(&key_of("w3c-packed-rs256.json").spki_der()));
        assert!(!key_of("w3c-packed-rs256.json").matches_spki(&key.spki_der()));
        assert!(!key_of("w3c-packed-eddsa.json").matches_spki(&key.spki_der()));
    }

    #[test]
    fn garbage_does_not_match() {
        let key = key_of("w3c-none-es256.json");
        let der = key.spki_der();
        assert!(!key.matches_spki(&[]));
        assert!(!key.matches_spki(&der[..der.len() - 1]));
        let mut longer = der.clone();
        longer.push(0);
        assert!(!key.matches_spki(&longer));
        // The right point under the wrong curve.
        let wrong_curve = spki(
            ID_EC_PUBLIC_KEY,
            Some(AnyRef::from(&SECP384R1)),
            &sec1_uncompressed(&[0; 32], &[0; 32]),
        )
        .unwrap();
        assert!(!key.matches_spki(&wrong_curve));
        let KeyParams::Ec2 { x, y, .. } = &key.params else {
            panic!("not EC2")
        };
        let wrong_curve = spki(
            ID_EC_PUBLIC_KEY,
            Some(AnyRef::from(&SECP384R1)),
            &sec1_uncompressed(x, y),
        )
        .unwrap();
        assert!(!key.matches_spki(&wrong_curve));
        // Ed25519 with parameters, which RFC 8410 forbids.
        let ed = key_of("w3c-packed-eddsa.json");
        let KeyParams::Okp { x } = &ed.params else {
            panic!("not OKP")
        };
        let with_params = spki(ID_ED25519, Some(AnyRef::NULL), x).unwrap();
        assert!(!ed.matches_spki(&with_params));
    }
}
