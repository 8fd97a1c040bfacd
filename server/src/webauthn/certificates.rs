//! X.509 for attestation: parsing the certificates of an `x5c` chain,
//! checking signatures made by their keys, and walking a chain to the
//! configured trust anchors.

use time::OffsetDateTime;
use x509_parser::asn1_rs::{FromDer, Oid};
use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::pem::Pem;
use x509_parser::x509::X509Name;

use crate::webauthn::CoseAlgorithm;
use crate::webauthn::error::AttestationError;

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_P256: &str = "1.2.840.10045.3.1.7";
const OID_P384: &str = "1.3.132.0.34";
const OID_P521: &str = "1.3.132.0.35";

const OID_ECDSA_SHA256: &str = "1.2.840.10045.4.3.2";
const OID_ECDSA_SHA384: &str = "1.2.840.10045.4.3.3";
const OID_ECDSA_SHA512: &str = "1.2.840.10045.4.3.4";
const OID_RSA_SHA1: &str = "1.2.840.113549.1.1.5";
const OID_RSA_SHA256: &str = "1.2.840.113549.1.1.11";
const OID_RSA_SHA384: &str = "1.2.840.113549.1.1.12";
const OID_RSA_SHA512: &str = "1.2.840.113549.1.1.13";

const OID_EXTENDED_KEY_USAGE: &str = "2.5.29.37";

/// Whether an attestation's certificate chain reached a configured root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The chain ends at, or is signed by, a configured trust anchor.
    Anchored,
    /// The chain is internally consistent, but no anchors were configured,
    /// so nothing vouches for its root.
    Unverified,
    /// The attestation carried no certificates (none or self attestation).
    None,
}

/// A public key this module can verify signatures with. Other key types
/// (Ed448, DSA, …) parse fine and simply never verify.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PublicKey {
    /// The SEC 1 point, as ring and p521 take it.
    EcP256(Vec<u8>),
    EcP384(Vec<u8>),
    EcP521(Vec<u8>),
    /// The PKCS#1 RSAPublicKey DER, as ring takes it.
    Rsa(Vec<u8>),
    Ed25519(Vec<u8>),
    Unsupported,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

/// A signature scheme without its curve: the curve comes from the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Ecdsa(Hash),
    RsaPkcs1(Hash),
    Ed25519,
}

/// One parsed X.509 certificate. Everything the verifier asks about is
/// extracted once at parse time, so the accessors cannot fail later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    spki: Vec<u8>,
    tbs: Vec<u8>,
    version: u32,
    is_ca: bool,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    subject_is_empty: bool,
    subject: Vec<(String, String)>,
    extensions: Vec<Extension>,
    san_directory: Vec<(String, String)>,
    extended_key_usages: Vec<String>,
    public_key: PublicKey,
    /// `None` when the certificate's signature cannot be checked here
    /// (RSA-PSS, DSA, a bit string with unused bits, …).
    signature: Option<(Scheme, Vec<u8>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Extension {
    oid: String,
    critical: bool,
    value: Vec<u8>,
}

fn malformed(what: impl std::fmt::Display) -> AttestationError {
    AttestationError::CertificateMalformed(what.to_string())
}

/// Only string-typed values are kept: attestation requirements compare
/// text, and a non-string value can never equal the expected text anyway.
fn name_attributes(name: &X509Name<'_>) -> Vec<(String, String)> {
    name.iter_attributes()
        .filter_map(|attr| {
            let value = attr.as_str().ok()?;
            Some((attr.attr_type().to_id_string(), value.to_owned()))
        })
        .collect()
}

fn public_key_of(cert: &X509Certificate<'_>) -> PublicKey {
    let spki = cert.public_key();
    // Key bit strings are whole bytes in every algorithm handled here.
    if spki.subject_public_key.unused_bits != 0 {
        return PublicKey::Unsupported;
    }
    let key = spki.subject_public_key.data.to_vec();
    match spki.algorithm.algorithm.to_id_string().as_str() {
        OID_EC_PUBLIC_KEY => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|params| params.as_oid().ok())
                .map(|oid| oid.to_id_string());
            match curve.as_deref() {
                Some(OID_P256) => PublicKey::EcP256(key),
                Some(OID_P384) => PublicKey::EcP384(key),
                Some(OID_P521) => PublicKey::EcP521(key),
                _ => PublicKey::Unsupported,
            }
        }
        OID_RSA_ENCRYPTION => PublicKey::Rsa(key),
        OID_ED25519 => PublicKey::Ed25519(key),
        _ => PublicKey::Unsupported,
    }
}

fn signature_of(cert: &X509Certificate<'_>) -> Option<(Scheme, Vec<u8>)> {
    if cert.signature_value.unused_bits != 0 {
        return None;
    }
    let scheme = match cert.signature_algorithm.algorithm.to_id_string().as_str() {
        OID_ECDSA_SHA256 => Scheme::Ecdsa(Hash::Sha256),
        OID_ECDSA_SHA384 => Scheme::Ecdsa(Hash::Sha384),
        OID_ECDSA_SHA512 => Scheme::Ecdsa(Hash::Sha512),
        // SHA-1 certificate signatures survive in old TPM vendor chains.
        OID_RSA_SHA1 => Scheme::RsaPkcs1(Hash::Sha1),
        OID_RSA_SHA256 => Scheme::RsaPkcs1(Hash::Sha256),
        OID_RSA_SHA384 => Scheme::RsaPkcs1(Hash::Sha384),
        OID_RSA_SHA512 => Scheme::RsaPkcs1(Hash::Sha512),
        OID_ED25519 => Scheme::Ed25519,
        _ => return None,
    };
    Some((scheme, cert.signature_value.data.to_vec()))
}

fn san_directory_of(cert: &X509Certificate<'_>) -> Result<Vec<(String, String)>, AttestationError> {
    let san = cert
        .subject_alternative_name()
        .map_err(|e| malformed(format!("subjectAltName: {e}")))?;
    let Some(san) = san else {
        return Ok(Vec::new());
    };
    Ok(san
        .value
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DirectoryName(dir) => Some(name_attributes(dir)),
            _ => None,
        })
        .flatten()
        .collect())
}

/// x509-parser folds well-known purposes into booleans; attestation needs
/// the OIDs themselves (the TPM AIK purpose is not a well-known one), so
/// the extension is read as the plain SEQUENCE OF OBJECT IDENTIFIER it is.
fn extended_key_usages_of(extensions: &[Extension]) -> Result<Vec<String>, AttestationError> {
    let Some(ext) = extensions.iter().find(|e| e.oid == OID_EXTENDED_KEY_USAGE) else {
        return Ok(Vec::new());
    };
    let (rest, oids) = <Vec<Oid<'_>>>::from_der(&ext.value)
        .map_err(|e| malformed(format!("extendedKeyUsage: {e}")))?;
    if !rest.is_empty() {
        return Err(malformed("extendedKeyUsage has trailing bytes"));
    }
    Ok(oids.iter().map(Oid::to_id_string).collect())
}

impl Certificate {
    /// Parses one DER certificate; any byte after it is an error, since an
    /// `x5c` entry is exactly one certificate.
    pub fn from_der(der: &[u8]) -> Result<Certificate, AttestationError> {
        let (rest, cert) = X509Certificate::from_der(der).map_err(malformed)?;
        if !rest.is_empty() {
            return Err(malformed(format!(
                "{} bytes follow the certificate",
                rest.len()
            )));
        }

        let mut extensions: Vec<Extension> = Vec::with_capacity(cert.extensions().len());
        for ext in cert.extensions() {
            let oid = ext.oid.to_id_string();
            // RFC 5280 §4.2 forbids repeats; with one, `extension()` could
            // answer with either copy, so the certificate is refused.
            if extensions.iter().any(|seen| seen.oid == oid) {
                return Err(malformed(format!("extension {oid} appears twice")));
            }
            // A known extension that does not parse could hide a constraint
            // (basicConstraints, subjectAltName) the verifier relies on.
            if let ParsedExtension::ParseError { error } = ext.parsed_extension() {
                return Err(malformed(format!("extension {oid}: {error}")));
            }
            extensions.push(Extension {
                oid,
                critical: ext.critical,
                value: ext.value.to_vec(),
            });
        }

        let is_ca = cert
            .basic_constraints()
            .map_err(|e| malformed(format!("basicConstraints: {e}")))?
            .is_some_and(|bc| bc.value.ca);
        let extended_key_usages = extended_key_usages_of(&extensions)?;

        Ok(Certificate {
            der: der.to_vec(),
            spki: cert.public_key().raw.to_vec(),
            tbs: cert.tbs_certificate.as_ref().to_vec(),
            version: cert.version().0.saturating_add(1),
            is_ca,
            not_before: cert.validity().not_before.to_datetime(),
            not_after: cert.validity().not_after.to_datetime(),
            subject_is_empty: cert.subject().iter_rdn().next().is_none(),
            subject: name_attributes(cert.subject()),
            san_directory: san_directory_of(&cert)?,
            extensions,
            extended_key_usages,
            public_key: public_key_of(&cert),
            signature: signature_of(&cert),
        })
    }

    /// The certificate exactly as it was given.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The SubjectPublicKeyInfo DER, comparable with a credential's SPKI.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }

    /// The X.509 version as people count it: 3 for a v3 certificate.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// Whether basicConstraints says cA = TRUE.
    pub fn is_ca(&self) -> bool {
        self.is_ca
    }

    /// The string values of the subject attributes with this dotted OID,
    /// in certificate order.
    pub fn subject_attribute(&self, oid: &str) -> Vec<String> {
        self.subject
            .iter()
            .filter(|(attr, _)| attr == oid)
            .map(|(_, value)| value.clone())
            .collect()
    }

    /// Whether the subject is the empty sequence, as TPM AIK certificates
    /// require.
    pub fn subject_is_empty(&self) -> bool {
        self.subject_is_empty
    }

    /// The extension with this dotted OID: its critical flag and the
    /// contents of its extnValue OCTET STRING.
    pub fn extension(&self, oid: &str) -> Option<(bool, &[u8])> {
        self.extensions
            .iter()
            .find(|ext| ext.oid == oid)
            .map(|ext| (ext.critical, ext.value.as_slice()))
    }

    /// The (OID, value) attributes of every directoryName in
    /// subjectAltName; TPM AIK certificates carry the TPM manufacturer,
    /// model and version there.
    pub fn subject_alt_name_directory_attributes(&self) -> Vec<(String, String)> {
        self.san_directory.clone()
    }

    /// The dotted OIDs listed in extendedKeyUsage, empty without one.
    pub fn extended_key_usages(&self) -> Vec<String> {
        self.extended_key_usages.clone()
    }

    /// Whether `now` lies inside notBefore..=notAfter (both inclusive,
    /// RFC 5280 §4.1.2.5).
    pub fn is_valid_at(&self, now: OffsetDateTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// Checks a signature made by this certificate's key. The curve comes
    /// from the key and the hash from `alg`; an algorithm that does not fit
    /// the key's type never verifies.
    pub fn verify_signature(&self, alg: CoseAlgorithm, message: &[u8], signature: &[u8]) -> bool {
        let scheme = match alg {
            CoseAlgorithm::Es256 => Scheme::Ecdsa(Hash::Sha256),
            CoseAlgorithm::Es384 => Scheme::Ecdsa(Hash::Sha384),
            CoseAlgorithm::Es512 => Scheme::Ecdsa(Hash::Sha512),
            CoseAlgorithm::EdDsa => Scheme::Ed25519,
            CoseAlgorithm::Rs256 => Scheme::RsaPkcs1(Hash::Sha256),
            CoseAlgorithm::Rs1 => Scheme::RsaPkcs1(Hash::Sha1),
        };
        verify(&self.public_key, scheme, message, signature)
    }

    /// Whether `issuer`'s key made this certificate's signature. Names are
    /// not compared: the signature is what binds the two.
    pub fn is_signed_by(&self, issuer: &Certificate) -> bool {
        match &self.signature {
            Some((scheme, signature)) => verify(&issuer.public_key, *scheme, &self.tbs, signature),
            None => false,
        }
    }
}

/// ring refuses RSA keys under 2048 bits, so such keys never verify.
fn verify(key: &PublicKey, scheme: Scheme, message: &[u8], signature: &[u8]) -> bool {
    use ring::signature as sig;

    let ring_check = |alg: &'static dyn sig::VerificationAlgorithm, key: &[u8]| {
        sig::UnparsedPublicKey::new(alg, key)
            .verify(message, signature)
            .is_ok()
    };
    match (key, scheme) {
        (PublicKey::EcP256(k), Scheme::Ecdsa(Hash::Sha256)) => {
            ring_check(&sig::ECDSA_P256_SHA256_ASN1, k)
        }
        (PublicKey::EcP256(k), Scheme::Ecdsa(Hash::Sha384)) => {
            ring_check(&sig::ECDSA_P256_SHA384_ASN1, k)
        }
        (PublicKey::EcP384(k), Scheme::Ecdsa(Hash::Sha256)) => {
            ring_check(&sig::ECDSA_P384_SHA256_ASN1, k)
        }
        (PublicKey::EcP384(k), Scheme::Ecdsa(Hash::Sha384)) => {
            ring_check(&sig::ECDSA_P384_SHA384_ASN1, k)
        }
        // ring has no P-521; p521 hashes with SHA-512, the only pairing
        // COSE (ES512) and X.509 (ecdsa-with-SHA512) use for this curve.
        (PublicKey::EcP521(k), Scheme::Ecdsa(Hash::Sha512)) => verify_p521(k, message, signature),
        // TPM 1.2-era AIKs still sign with SHA-1 (COSE RS1); ring keeps it
        // behind a "legacy" name but it is the same PKCS#1 v1.5 check.
        (PublicKey::Rsa(k), Scheme::RsaPkcs1(Hash::Sha1)) => {
            ring_check(&sig::RSA_PKCS1_2048_8192_SHA1_FOR_LEGACY_USE_ONLY, k)
        }
        (PublicKey::Rsa(k), Scheme::RsaPkcs1(Hash::Sha256)) => {
            ring_check(&sig::RSA_PKCS1_2048_8192_SHA256, k)
        }
        (PublicKey::Rsa(k), Scheme::RsaPkcs1(Hash::Sha384)) => {
            ring_check(&sig::RSA_PKCS1_2048_8192_SHA384, k)
        }
        (PublicKey::Rsa(k), Scheme::RsaPkcs1(Hash::Sha512)) => {
            ring_check(&sig::RSA_PKCS1_2048_8192_SHA512, k)
        }
        (PublicKey::Ed25519(k), Scheme::Ed25519) => ring_check(&sig::ED25519, k),
        _ => false,
    }
}

fn verify_p521(point: &[u8], message: &[u8], signature: &[u8]) -> bool {
    use p521::ecdsa::signature::Verifier;

    let Ok(key) = p521::ecdsa::VerifyingKey::from_sec1_bytes(point) else {
        return false;
    };
    let Ok(signature) = p521::ecdsa::Signature::from_der(signature) else {
        return false;
    };
    key.verify(message, &signature).is_ok()
}

/// A root the operator trusts for attestation chains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    certificate: Certificate,
}

impl TrustAnchor {
    pub fn from_der(der: &[u8]) -> Result<Self, AttestationError> {
        Ok(TrustAnchor {
            certificate: Certificate::from_der(der)?,
        })
    }

    /// Reads every CERTIFICATE block of a PEM bundle. Any other block is an
    /// error rather than skipped, so that a wrong file (a private key, a
    /// CSR) is noticed instead of silently trusting nothing.
    pub fn from_pem(pem: &str) -> Result<Vec<Self>, AttestationError> {
        let mut anchors = Vec::new();
        for block in Pem::iter_from_buffer(pem.as_bytes()) {
            let block = block.map_err(|e| malformed(format!("PEM: {e}")))?;
            if block.label != "CERTIFICATE" {
                return Err(malformed(format!(
                    "PEM block `{}` is not a CERTIFICATE",
                    block.label
                )));
            }
            anchors.push(TrustAnchor::from_der(&block.contents)?);
        }
        if anchors.is_empty() {
            return Err(malformed("the PEM text has no CERTIFICATE block"));
        }
        Ok(anchors)
    }

    pub fn certificate(&self) -> &Certificate {
        &self.certificate
    }
}

/// Checks an attestation chain, leaf first. Anchors themselves are not
/// checked for validity or CA status: they are configuration, trusted as
/// given (RFC 5280 §6.1 treats a trust anchor as input, not as a path
/// certificate).
pub fn verify_chain(
    chain: &[Certificate],
    anchors: &[TrustAnchor],
    now: OffsetDateTime,
) -> Result<Trust, AttestationError> {
    let Some(last) = chain.last() else {
        return Err(AttestationError::ChainInvalid("empty chain"));
    };
    if !chain.iter().all(|cert| cert.is_valid_at(now)) {
        return Err(AttestationError::CertificateExpired);
    }
    for pair in chain.windows(2) {
        if let [child, issuer] = pair {
            if !child.is_signed_by(issuer) {
                return Err(AttestationError::ChainInvalid(
                    "a certificate is not signed by the next one in the chain",
                ));
            }
            if !issuer.is_ca() {
                return Err(AttestationError::ChainInvalid(
                    "an intermediate certificate is not a CA",
                ));
            }
        }
    }
    if anchors.is_empty() {
        return Ok(Trust::Unverified);
    }
    let anchored = anchors.iter().any(|anchor| {
        let root = anchor.certificate();
        root.der() == last.der() || last.is_signed_by(root)
    });
    if anchored {
        Ok(Trust::Anchored)
    } else {
        Err(AttestationError::UntrustedChain)
    }
}

/// Fixture access shared by the webauthn unit tests: the JSON files of
/// `shared/fixtures/webauthn` and the attestation statements inside them.
#[cfg(test)]
pub(crate) mod test_fixtures {
    use std::collections::BTreeMap;

    pub const DIR: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/fixtures/webauthn"
    );

    pub fn json(name: &str) -> serde_json::Value {
        let path = format!("{DIR}/{name}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub fn b64url(text: &str) -> Vec<u8> {
        crate::webauthn::base64url::decode("fixture", text, 1 << 20)
            .unwrap_or_else(|e| panic!("fixture value: {e}"))
    }

    /// A base64url JSON string of a fixture.
    pub fn b64(value: &serde_json::Value) -> Vec<u8> {
        b64url(
            value
                .as_str()
                .unwrap_or_else(|| panic!("not a string: {value}")),
        )
    }

    pub fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    }

    /// Just enough CBOR for well-formed attestation objects.
    #[derive(Debug, Clone)]
    pub enum Cbor {
        Int(i128),
        Bytes(Vec<u8>),
        Text(String),
        Array(Vec<Cbor>),
        Map(BTreeMap<String, Cbor>),
    }

    fn cbor_item(b: &[u8], i: &mut usize) -> Cbor {
        let first = b[*i];
        *i += 1;
        let (major, info) = (first >> 5, first & 31);
        let mut arg = |n: usize| {
            let v = b[*i..*i + n]
                .iter()
                .fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
            *i += n;
            v
        };
        let len = match info {
            0..=23 => u64::from(info),
            24 => arg(1),
            25 => arg(2),
            26 => arg(4),
            27 => arg(8),
            _ => panic!("unsupported CBOR header {first:#x}"),
        };
        let n = len as usize;
        match major {
            0 => Cbor::Int(i128::from(len)),
            1 => Cbor::Int(-1 - i128::from(len)),
            2 | 3 => {
                let data = b[*i..*i + n].to_vec();
                *i += n;
                if major == 2 {
                    Cbor::Bytes(data)
                } else {
                    Cbor::Text(String::from_utf8(data).expect("CBOR text"))
                }
            }
            4 => Cbor::Array((0..n).map(|_| cbor_item(b, i)).collect()),
            5 => Cbor::Map(
                (0..n)
                    .map(|_| {
                        let key = match cbor_item(b, i) {
                            Cbor::Text(t) => t,
                            Cbor::Int(k) => k.to_string(),
                            other => panic!("unsupported CBOR key {other:?}"),
                        };
                        (key, cbor_item(b, i))
                    })
                    .collect(),
            ),
            _ => panic!("unsupported CBOR major type {major}"),
        }
    }

    pub fn cbor(bytes: &[u8]) -> Cbor {
        let mut i = 0;
        let item = cbor_item(bytes, &mut i);
        assert_eq!(i, bytes.len(), "trailing CBOR bytes");
        item
    }

    impl Cbor {
        pub fn get(&self, key: &str) -> &Cbor {
            match self {
                Cbor::Map(m) => m.get(key).unwrap_or_else(|| panic!("no `{key}`")),
                other => panic!("not a map: {other:?}"),
            }
        }

        pub fn bytes(&self) -> &[u8] {
            match self {
                Cbor::Bytes(b) => b,
                other => panic!("not bytes: {other:?}"),
            }
        }

        pub fn array(&self) -> &[Cbor] {
            match self {
                Cbor::Array(a) => a,
                other => panic!("not an array: {other:?}"),
            }
        }
    }

    /// The decoded attestationObject of a fixture file.
    pub fn attestation_object(name: &str) -> Cbor {
        let fixture = json(name);
        let text = fixture["attestationObject_b64url"]
            .as_str()
            .expect("attestationObject_b64url");
        cbor(&b64url(text))
    }

    pub fn client_data_json(name: &str) -> Vec<u8> {
        let fixture = json(name);
        b64url(
            fixture["clientDataJSON_b64url"]
                .as_str()
                .expect("clientDataJSON"),
        )
    }

    /// The DER certificates of a fixture's attStmt.x5c, leaf first.
    pub fn x5c(name: &str) -> Vec<Vec<u8>> {
        attestation_object(name)
            .get("attStmt")
            .get("x5c")
            .array()
            .iter()
            .map(|c| c.bytes().to_vec())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_fixtures::{attestation_object, b64url, client_data_json, json, x5c};
    use super::*;
    use time::{Date, Month, PrimitiveDateTime, Time};

    const AAGUID_OID: &str = "1.3.6.1.4.1.45724.1.1.4";

    fn at(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> OffsetDateTime {
        let month = Month::try_from(month).expect("month");
        PrimitiveDateTime::new(
            Date::from_calendar_date(year, month, day).expect("date"),
            Time::from_hms(hour, minute, second).expect("time"),
        )
        .assume_utc()
    }

    fn chain(name: &str) -> Vec<Certificate> {
        x5c(name)
            .iter()
            .map(|der| Certificate::from_der(der).expect("fixture certificate"))
            .collect()
    }

    fn w3c_root() -> TrustAnchor {
        let fixture = json("w3c-attestation-root-ca.json");
        let der = b64url(
            fixture["attestation_ca_cert_der_b64url"]
                .as_str()
                .expect("root DER"),
        );
        TrustAnchor::from_der(&der).expect("W3C root")
    }

    fn sha256(data: &[u8]) -> Vec<u8> {
        ring::digest::digest(&ring::digest::SHA256, data)
            .as_ref()
            .to_vec()
    }

    /// authenticatorData ‖ SHA-256(clientDataJSON): what packed, tpm
    /// (via certInfo) and android-key sign.
    fn signed_data(name: &str) -> Vec<u8> {
        let mut data = attestation_object(name).get("authData").bytes().to_vec();
        data.extend(sha256(&client_data_json(name)));
        data
    }

    fn now_w3c() -> OffsetDateTime {
        at(2026, 12, 4, 0, 0, 0)
    }

    // Generated with OpenSSL for the key types no fixture has, valid from
    // 2026-12-04 to 2126-11-10. Issuers: A self-signed (sha512WithRSA),
    // B by A (sha384WithRSA, not a CA), C by B (ecdsa-with-SHA384),
    // D by C (Ed25519), E by D (ecdsa-with-SHA512).
    const RSA_ROOT_A: &str = "-----BEGIN CERTIFICATE-----
MIIDIzCCAgugAwIBAgIUQp99r6HZWAuoD7oOrX83JQOupvswDQYJKoZIhvcNAQEN
BQAwGDEWMBQGA1UEAwwNVGVzdCBSU0EgUm9vdDAgFw0yNjEyMDQxNjQ0MzFaGA8y
MTI2MTExMDE2NDQzMVowGDEWMBQGA1UEAwwNVGVzdCBSU0EgUm9vdDCCASIwDQYJ
KoZIhvcNAQEBBQADggEPADCCAQoCggEBAJStJ8DLArLRWILBjEk5MRQajyEFGeM+
d4tl8oPXedpv9+U/lx6kBbZL8dV5zGk6L0C7kFlHN93hegoIwAsI/0GR6JkeQ1Ie
aUv0I+n0f0A/BMDoQssKUbwvr6crdcX7/WjWmvdvK6exQCd10xpH5F80t0S0BS85
krCTYELZsX1Xubk3KF13rap1IIK1+RaSasyjzU8YHRrvsR51nT3lafbJ94lt1XCv
xPGc+iXPhCSzjrCMRQBx0iLVpIFaVgCZ24ceE/tSZ/h1EbWDPVWAphZ9H8qWSEPZ
ypibBc7xEwpdgG01N6N/NsHF73HtejseeQh3IYeQzZCwLn1s2XMXeJECAwEAAaNj
MGEwHQYDVR0OBBYEFEFyz4AZLEYne4tfGtEhO0+6sVioMB8GA1UdIwQYMBaAFEFy
z4AZLEYne4tfGtEhO0+6sVioMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/BAQD
AgIEMA0GCSqGSIb3DQEBDQUAA4IBAQAxPTGLVbwk3UZaJreV5G7JVbKqbJwqpLHW
sxCRl1JnB1MWBFXkBCYWoRyRT++ukkSFm/RRCSBJleYQEqEhrL25NkuPt8bEc0s9
mjVwRhDpcjEc3mIi//tRLxt6KAxNH0uj1lJwH8EhL0L0E9OxD7B/i0FrzhLPDf2b
ceus3MfXEh9+dEcxGHv6/8YEGiSevi3YgssVZTS4obhQxF/tdPTSeL2aHYxCHowY
NiV9LSFotmtZkeewi/bVZmnLKY7QCW18XWl+eilib9/OON/O3L64pCHsT1p8qW83
e232j9HRWCnx/89g4P+zQfHojjLnR+TvA8+lr2ssqyLXuD8UlvKE
-----END CERTIFICATE-----
";
    const P384_NOT_CA_B: &str = "-----BEGIN CERTIFICATE-----
MIICYTCCAUmgAwIBAgIBAjANBgkqhkiG9w0BAQwFADAYMRYwFAYDVQQDDA1UZXN0
IFJTQSBSb290MCAXDTI2MTIwNDE2NDQzMVoYDzIxMjYxMTEwMTY0NDMxWjAaMRgw
FgYDVQQDDA9UZXN0IFAtMzg0IExlYWYwdjAQBgcqhkjOPQIBBgUrgQQAIgNiAARC
MkORc9AkdNzBfmtE0VaRIjt9cC4Qm9SsW2le/+7s7AQPxXxkW5e3590MiGEta9Mn
0EqkhQh4mkTAmmBHF+pSn8DV5qBNCO56jwAZozUi1jnzkOabtM5i5bIqSXAKWXKj
YDBeMAwGA1UdEwEB/wQCMAAwDgYDVR0PAQH/BAQDAgKEMB0GA1UdDgQWBBS+e0V4
mLnp70dlhXw+ECAwBWRUGzAfBgNVHSMEGDAWgBRBcs+AGSxGJ3uLXxrRITtPurFY
qDANBgkqhkiG9w0BAQwFAAOCAQEAMuCAN+Jk6dcDaoBRnFBirTxEbbW7PKvSylya
gsqDMGzaw/M7HpIYvb1f46iFIeKpg30STAV5ttOLdN9tK/OCCcz04a4Mb03KO1Y7
/niBlpg12TpiOm6VgeLVf41zqysE3VfcTEhq2Xd2ki8xDsrEXx5v9y3dyeU1OU95
+/UwR2pcB9US4Qoobac/OU86nqzXsZKDePJfnNBHNAwe1O5tsFBMZoTqorSozKzz
gEteY+qUU/6R7WVs971pZBxm7Fi9L6EfWM3zuO8bALLmjSho/ikkUJx8IrjFDuSy
azOf25H7AT0M67JGWi01lf+0hptl3weplqtUDx4SX85ps+t3cw==
-----END CERTIFICATE-----
";
    const ED25519_CA_C: &str = "-----BEGIN CERTIFICATE-----
MIIBeDCB/6ADAgECAgEDMAoGCCqGSM49BAMDMBoxGDAWBgNVBAMMD1Rlc3QgUC0z
ODQgTGVhZjAgFw0yNjEyMDQxNjQ0MzFaGA8yMTI2MTExMDE2NDQzMVowGjEYMBYG
A1UEAwwPVGVzdCBFZDI1NTE5IENBMCowBQYDK2VwAyEAzs9ajS6cop2hyk5ONw8s
5BLDmdQZILXyC1WAiLNp3DSjYzBhMA8GA1UdEwEB/wQFMAMBAf8wDgYDVR0PAQH/
BAQDAgIEMB0GA1UdDgQWBBSpm+X/PvUL3uJc83cb9PJFJMo2pzAfBgNVHSMEGDAW
gBS+e0V4mLnp70dlhXw+ECAwBWRUGzAKBggqhkjOPQQDAwNoADBlAjEA/4FPkjek
cbRC3nMEuhayVWiWiNORP5y3WYmehh4PQOq3GaCQJYW+KhHrg9ykS1tLAjAlL1vQ
dXx0+WkzoHfDY1wgTrnljP+riscbKy+3GynSoZW5pMib1k3FHWH1ptsz9kc=
-----END CERTIFICATE-----
";
    const P521_CA_D: &str = "-----BEGIN CERTIFICATE-----
MIIBuDCCAWqgAwIBAgIBBDAFBgMrZXAwGjEYMBYGA1UEAwwPVGVzdCBFZDI1NTE5
IENBMCAXDTI2MTIwNDE2NDQzMVoYDzIxMjYxMTEwMTY0NDMxWjAYMRYwFAYDVQQD
DA1UZXN0IFAtNTIxIENBMIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQBpp2pPGAe
oUp+yolmqBxf7996uF3RpppO5rUddvdpcCeH8fxH9+fO4RJDIPDyn+DDNrYJPNZN
b4H+be29peFn4l4AiR5RJFTc8InuikBvW62UxLm4/mGRuWN1SaxaUi1RU9cSE2LH
UCgoz2//ysddrRt2XAh8pu+4QZER/M+60zbrgyOjYzBhMA8GA1UdEwEB/wQFMAMB
Af8wDgYDVR0PAQH/BAQDAgIEMB0GA1UdDgQWBBSXIo0J79A1O9IBmOoNz+9KFR/2
ezAfBgNVHSMEGDAWgBSpm+X/PvUL3uJc83cb9PJFJMo2pzAFBgMrZXADQQAVnL/Y
q2wj3F6cU2XDPzdBWUpmkE8yrj/byCXcumrExu5dszHsurGQJ8RJlnguWiUc+Ax/
3squ/WGx9Ujmp2MM
-----END CERTIFICATE-----
";
    const P256_LEAF_E: &str = "-----BEGIN CERTIFICATE-----
MIIByDCCASmgAwIBAgIBBTAKBggqhkjOPQQDBDAYMRYwFAYDVQQDDA1UZXN0IFAt
NTIxIENBMCAXDTI2MTIwNDE2NDQzMVoYDzIxMjYxMTEwMTY0NDMxWjAaMRgwFgYD
VQQDDA9UZXN0IFAtMjU2IExlYWYwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAT1
QjkMaSeEDZDdb2M5vYsQVZcsv9G5Hx6w/tAfmh6UWaVGhpL8BodIX332G34NkNps
2DcmSgB/sJX7cEL8cTP9o2AwXjAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIC
hDAdBgNVHQ4EFgQUgebPCVCUIvqSR5YUt/fE1/2IqfgwHwYDVR0jBBgwFoAUlyKN
Ce/QNTvSAZjqDc/vShUf9nswCgYIKoZIzj0EAwQDgYwAMIGIAkIAyp4X9KOlo/uw
B9boNFgj6kEvEIVvekomv23hSnwwcWHQ/H4bwUk8c3nn3AQtFgZI/2Qb0N5xrrOD
1Q/dHrnJS4ECQgEHNdlaUgwd4fFJLCxI7UrjNeI1XrCtLn26YxHQeqTgMqZFwLPX
i38m+HlPulA7BfRGe4ddjia7Ex2LvBmbTOCU0A==
-----END CERTIFICATE-----
";

    /// Signed by A (RS256), B (ES384), C (EdDSA) and D (ES512).
    const MESSAGE: &[u8] = b"signed by a test certificate";
    const SIG_A_RS256: &str = "74c55798658f4c8a68dbf53dda2ae338d59ff9490edc0c3e0a8a42b269c979a1a0d0c6c4177182bbb586a57e7ae1e3f1809669bae2880593eb48e1d87605e369acdf7a3ff8d6bc1cf6eeed1920efc76a05cd36c6897e533815975ba14daeb755e9f9022a96af81022d99bb61142992472ef745ff0a037b496f5d27dbd15037b17774caf9b36dd9bdea795309b311c95302bcfdbfcc822e06b363125e833b7cf6dfbf9b0d4d5e0f564dcbda5e73d1b91d5a7d8530ad7aa525d32e5d07597008113a218199309bcdfed97c1a81afbe3a5ce17b17f21b1f7046c625b8b630f1cf972fba3867b063e474077dc5bc61f85809dd3ee5bb1f983badc48636e1ea6b2f07";
    const SIG_B_ES384: &str = "306402303fe429595e1cbdfe753e34abafe36c46751118ad722fb4b6de6836edfdd8b4481068d080e43a7c4369693236357bc201023051d949ad8a91bcc55a9de76529cde00f6dbef049e11879b8725e9897bfd0c1a9ab75450f3760b4b70c294ffdf0a6bc1e";
    const SIG_C_EDDSA: &str = "f498c4a02abdbc4141e9ce1fcb1f726140178c0c6983e6d378f451bab52b7ad4cdd36ecfc6b52bf424cdab9ca08c0cae564ec7232249b48d394d671d01bee801";
    const SIG_D_ES512: &str = "30818602410bb4a224f332f9aa95b803b70f01ad783cf2a51477c22383f6dc54a1b37f70fa87bd61051762191826a889fc640066a728363643c2854508efed3c4b31ca2fb14c0241357b94e6cfbb69906e640dc85eb1e7ea94f3a2f00e2108c9fb9847eb7b4ee3afa580b4ddbd16784a63bb352da92adaaa298c2931dcf99406410a39502c7dfceb91";

    fn pem_cert(pem: &str) -> Certificate {
        let mut anchors = TrustAnchor::from_pem(pem).expect("test PEM");
        assert_eq!(anchors.len(), 1);
        anchors.remove(0).certificate
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    fn pixel_now() -> OffsetDateTime {
        at(2025, 2, 2, 10, 0, 0)
    }

    #[test]
    fn w3c_packed_es256_chain_is_anchored_by_the_w3c_root() {
        let chain = chain("w3c-packed-es256.json");
        assert_eq!(
            verify_chain(&chain, &[w3c_root()], now_w3c()),
            Ok(Trust::Anchored)
        );
    }

    #[test]
    fn w3c_packed_es256_chain_is_unverified_without_anchors() {
        let chain = chain("w3c-packed-es256.json");
        assert_eq!(verify_chain(&chain, &[], now_w3c()), Ok(Trust::Unverified));
    }

    #[test]
    fn w3c_packed_es256_chain_with_an_unrelated_anchor_is_untrusted() {
        let chain = chain("w3c-packed-es256.json");
        let pixel = x5c("swa-android-key-pixel8a.json");
        let unrelated = TrustAnchor::from_der(pixel.last().expect("pixel root")).expect("anchor");
        assert_eq!(
            verify_chain(&chain, &[unrelated], now_w3c()),
            Err(AttestationError::UntrustedChain)
        );
    }

    #[test]
    fn any_matching_anchor_among_several_is_enough() {
        let chain = chain("w3c-packed-es256.json");
        let unrelated = TrustAnchor::from_pem(RSA_ROOT_A).expect("anchor");
        let anchors = [unrelated[0].clone(), w3c_root()];
        assert_eq!(
            verify_chain(&chain, &anchors, now_w3c()),
            Ok(Trust::Anchored)
        );
    }

    #[test]
    fn w3c_chain_is_expired_before_2024_and_after_3024() {
        let chain = chain("w3c-packed-es256.json");
        let anchors = [w3c_root()];
        assert_eq!(
            verify_chain(&chain, &anchors, at(2023, 12, 31, 23, 59, 59)),
            Err(AttestationError::CertificateExpired)
        );
        assert_eq!(
            verify_chain(&chain, &anchors, at(3024, 1, 1, 0, 0, 1)),
            Err(AttestationError::CertificateExpired)
        );
        // Both ends of the validity period are inside it.
        assert_eq!(
            verify_chain(&chain, &anchors, at(2024, 1, 1, 0, 0, 0)),
            Ok(Trust::Anchored)
        );
        assert_eq!(
            verify_chain(&chain, &anchors, at(3024, 1, 1, 0, 0, 0)),
            Ok(Trust::Anchored)
        );
    }

    #[test]
    fn pixel8a_chain_is_valid_on_2025_02_02_and_anchored_by_its_own_root() {
        let chain = chain("swa-android-key-pixel8a.json");
        assert_eq!(chain.len(), 5);
        assert_eq!(
            verify_chain(&chain, &[], pixel_now()),
            Ok(Trust::Unverified)
        );
        let root = TrustAnchor::from_der(chain[4].der()).expect("anchor");
        assert_eq!(
            verify_chain(&chain, std::slice::from_ref(&root), pixel_now()),
            Ok(Trust::Anchored)
        );
        // Without the root in x5c, the anchor has to sign the last one.
        assert_eq!(
            verify_chain(&chain[..4], &[root], pixel_now()),
            Ok(Trust::Anchored)
        );
    }

    #[test]
    fn pixel8a_chain_is_expired_at_2026_12_04() {
        let chain = chain("swa-android-key-pixel8a.json");
        assert_eq!(
            verify_chain(&chain, &[], at(2026, 12, 4, 0, 0, 0)),
            Err(AttestationError::CertificateExpired)
        );
    }

    #[test]
    fn pixel8a_chain_with_a_missing_link_is_invalid() {
        let mut chain = chain("swa-android-key-pixel8a.json");
        chain.remove(2);
        assert_eq!(
            verify_chain(&chain, &[], pixel_now()),
            Err(AttestationError::ChainInvalid(
                "a certificate is not signed by the next one in the chain"
            ))
        );
    }

    #[test]
    fn reversed_chain_is_invalid() {
        let mut chain = chain("swa-android-key-pixel8a.json");
        chain.reverse();
        assert!(matches!(
            verify_chain(&chain, &[], pixel_now()),
            Err(AttestationError::ChainInvalid(_))
        ));
    }

    #[test]
    fn empty_chain_is_invalid() {
        assert_eq!(
            verify_chain(&[], &[w3c_root()], now_w3c()),
            Err(AttestationError::ChainInvalid("empty chain"))
        );
    }

    #[test]
    fn chain_through_a_non_ca_intermediate_is_invalid() {
        let chain = [
            pem_cert(ED25519_CA_C),
            pem_cert(P384_NOT_CA_B),
            pem_cert(RSA_ROOT_A),
        ];
        assert_eq!(
            verify_chain(&chain, &[], at(2027, 1, 1, 0, 0, 0)),
            Err(AttestationError::ChainInvalid(
                "an intermediate certificate is not a CA"
            ))
        );
    }

    #[test]
    fn generated_chain_with_p521_and_ed25519_signatures_is_anchored() {
        let chain = [pem_cert(P256_LEAF_E), pem_cert(P521_CA_D)];
        let anchors = TrustAnchor::from_pem(ED25519_CA_C).expect("anchor");
        assert_eq!(
            verify_chain(&chain, &anchors, at(2027, 1, 1, 0, 0, 0)),
            Ok(Trust::Anchored)
        );
        // The generated certificates start on 2026-12-04 16:44:31.
        assert_eq!(
            verify_chain(&chain, &anchors, at(2026, 12, 4, 0, 0, 0)),
            Err(AttestationError::CertificateExpired)
        );
    }

    #[test]
    fn is_signed_by_covers_the_signature_algorithms_of_attestation_chains() {
        let w3c = chain("w3c-packed-es256.json");
        // ecdsa-with-SHA256, P-256 issuer.
        assert!(w3c[0].is_signed_by(w3c_root().certificate()));

        let pixel = chain("swa-android-key-pixel8a.json");
        // ecdsa-with-SHA256 and -SHA384 by P-256 keys, ecdsa-with-SHA384 by
        // a P-384 key, sha256WithRSAEncryption by RSA-4096 (self-signed).
        for i in 0..4 {
            assert!(pixel[i].is_signed_by(&pixel[i + 1]), "pixel {i}");
        }
        assert!(pixel[4].is_signed_by(&pixel[4]));

        let tpm = chain("swa-tpm-ecc.json");
        assert!(tpm[0].is_signed_by(&tpm[1]));

        let (a, b, c, d, e) = (
            pem_cert(RSA_ROOT_A),
            pem_cert(P384_NOT_CA_B),
            pem_cert(ED25519_CA_C),
            pem_cert(P521_CA_D),
            pem_cert(P256_LEAF_E),
        );
        assert!(a.is_signed_by(&a), "sha512WithRSAEncryption");
        assert!(b.is_signed_by(&a), "sha384WithRSAEncryption");
        assert!(c.is_signed_by(&b), "ecdsa-with-SHA384, P-384");
        assert!(d.is_signed_by(&c), "Ed25519");
        assert!(e.is_signed_by(&d), "ecdsa-with-SHA512, P-521");
    }

    #[test]
    fn is_signed_by_rejects_the_wrong_issuer() {
        let w3c = chain("w3c-packed-es256.json");
        let pixel = chain("swa-android-key-pixel8a.json");
        assert!(!w3c[0].is_signed_by(&pixel[4]));
        assert!(!w3c[0].is_signed_by(&w3c[0]));
        assert!(!pixel[0].is_signed_by(&pixel[2]));
        // Same key type, different key.
        assert!(!pem_cert(P384_NOT_CA_B).is_signed_by(&pixel[4]));
        // A key type that cannot have made the signature.
        assert!(!pem_cert(P521_CA_D).is_signed_by(&pem_cert(RSA_ROOT_A)));
    }

    #[test]
    fn is_signed_by_rejects_a_tampered_certificate() {
        let root = w3c_root();
        let mut der = x5c("w3c-packed-es256.json").remove(0);
        // Inside the subject's "WebAuthn test vectors": still parses.
        let pos = der
            .windows(8)
            .position(|w| w == b"WebAuthn")
            .expect("subject text");
        der[pos] = b'w';
        let tampered = Certificate::from_der(&der).expect("still a certificate");
        assert!(!tampered.is_signed_by(root.certificate()));
        assert_eq!(
            verify_chain(&[tampered], &[root], now_w3c()),
            Err(AttestationError::UntrustedChain)
        );
    }

    #[test]
    fn verify_signature_checks_packed_es256_attestation() {
        let name = "w3c-packed-es256.json";
        let leaf = &chain(name)[0];
        let sig = attestation_object(name)
            .get("attStmt")
            .get("sig")
            .bytes()
            .to_vec();
        let data = signed_data(name);
        assert!(leaf.verify_signature(CoseAlgorithm::Es256, &data, &sig));
        assert!(!leaf.verify_signature(CoseAlgorithm::Es256, &data[1..], &sig));
        assert!(!leaf.verify_signature(CoseAlgorithm::Es384, &data, &sig));
        assert!(!leaf.verify_signature(CoseAlgorithm::Rs256, &data, &sig));
        assert!(!leaf.verify_signature(CoseAlgorithm::EdDsa, &data, &sig));
        assert!(!leaf.verify_signature(CoseAlgorithm::Es256, &data, &[]));
    }

    #[test]
    fn verify_signature_checks_android_key_pixel8a_attestation() {
        let name = "swa-android-key-pixel8a.json";
        let leaf = &chain(name)[0];
        let sig = attestation_object(name)
            .get("attStmt")
            .get("sig")
            .bytes()
            .to_vec();
        assert!(leaf.verify_signature(CoseAlgorithm::Es256, &signed_data(name), &sig));
    }

    #[test]
    fn verify_signature_checks_tpm_certinfo_signatures() {
        // SHA-1 RSA (RS1) from a real TPM, and ES256 from the W3C vector.
        for (name, alg) in [
            ("swa-tpm-ecc.json", CoseAlgorithm::Rs1),
            ("w3c-tpm-es256.json", CoseAlgorithm::Es256),
        ] {
            let stmt = attestation_object(name).get("attStmt").clone();
            let leaf = &chain(name)[0];
            let cert_info = stmt.get("certInfo").bytes();
            let sig = stmt.get("sig").bytes();
            assert!(leaf.verify_signature(alg, cert_info, sig), "{name}");
            assert!(!leaf.verify_signature(alg, &cert_info[1..], sig), "{name}");
        }
        let rsa_leaf = &chain("swa-tpm-ecc.json")[0];
        let stmt = attestation_object("swa-tpm-ecc.json")
            .get("attStmt")
            .clone();
        assert!(!rsa_leaf.verify_signature(
            CoseAlgorithm::Rs256,
            stmt.get("certInfo").bytes(),
            stmt.get("sig").bytes()
        ));
    }

    #[test]
    fn verify_signature_checks_rs256_es384_eddsa_and_es512() {
        let cases = [
            (RSA_ROOT_A, CoseAlgorithm::Rs256, SIG_A_RS256),
            (P384_NOT_CA_B, CoseAlgorithm::Es384, SIG_B_ES384),
            (ED25519_CA_C, CoseAlgorithm::EdDsa, SIG_C_EDDSA),
            (P521_CA_D, CoseAlgorithm::Es512, SIG_D_ES512),
        ];
        for (pem, alg, sig) in cases {
            let cert = pem_cert(pem);
            let sig = hex(sig);
            assert!(cert.verify_signature(alg, MESSAGE, &sig), "{alg:?}");
            assert!(
                !cert.verify_signature(alg, b"another message", &sig),
                "{alg:?}"
            );
            let mut flipped = sig.clone();
            if let Some(last) = flipped.last_mut() {
                *last ^= 1;
            }
            assert!(!cert.verify_signature(alg, MESSAGE, &flipped), "{alg:?}");
        }
        // The right signature with an algorithm that does not fit the key.
        let p521 = pem_cert(P521_CA_D);
        assert!(!p521.verify_signature(CoseAlgorithm::Es256, MESSAGE, &hex(SIG_D_ES512)));
        let ed = pem_cert(ED25519_CA_C);
        assert!(!ed.verify_signature(CoseAlgorithm::Es256, MESSAGE, &hex(SIG_C_EDDSA)));
    }

    #[test]
    fn accessors_read_the_w3c_packed_leaf() {
        let leaf = &chain("w3c-packed-es256.json")[0];
        assert_eq!(leaf.version(), 3);
        assert!(!leaf.is_ca());
        assert_eq!(leaf.subject_attribute("2.5.4.6"), ["AA"]);
        assert_eq!(leaf.subject_attribute("2.5.4.10"), ["W3C"]);
        assert_eq!(
            leaf.subject_attribute("2.5.4.11"),
            ["Authenticator Attestation"]
        );
        assert_eq!(leaf.subject_attribute("2.5.4.3"), ["WebAuthn test vectors"]);
        assert!(leaf.subject_attribute("2.5.4.7").is_empty());
        assert!(!leaf.subject_is_empty());
        assert!(leaf.subject_alt_name_directory_attributes().is_empty());
        assert_eq!(leaf.der(), x5c("w3c-packed-es256.json")[0].as_slice());
        // The SPKI is a DER SEQUENCE found verbatim inside the certificate.
        let spki = leaf.spki_der();
        assert_eq!(spki.first(), Some(&0x30));
        assert!(leaf.der().windows(spki.len()).any(|w| w == spki));
        assert!(w3c_root().certificate().is_ca());
    }

    #[test]
    fn aaguid_extension_is_readable_and_absent_from_the_w3c_packed_leaf() {
        // The W3C packed leaf carries no id-fido-gen-ce-aaguid; this
        // SimpleWebAuthn capture does, with an AAGUID that (on purpose)
        // differs from its authenticator data's.
        let name = "swa-packed-aaguid-mismatch.json";
        let leaf = &chain(name)[0];
        let (critical, value) = leaf.extension(AAGUID_OID).expect("AAGUID extension");
        assert!(!critical);
        // extnValue holds an OCTET STRING of the 16-byte AAGUID.
        assert_eq!(
            value,
            hex("0410ffd9f494eb734844bd68669381557ff7").as_slice()
        );
        let auth_data = attestation_object(name).get("authData").bytes().to_vec();
        // The AAGUID follows rpIdHash (32), flags (1) and signCount (4).
        assert_ne!(&value[2..], &auth_data[37..53]);

        let w3c = &chain("w3c-packed-es256.json")[0];
        assert!(w3c.extension(AAGUID_OID).is_none());
        let (bc_critical, bc) = w3c.extension("2.5.29.19").expect("basicConstraints");
        assert!(bc_critical);
        assert_eq!(bc, [0x30, 0x00]);
    }

    #[test]
    fn tpm_aik_certificate_has_empty_subject_san_directory_and_aik_eku() {
        let leaf = &chain("swa-tpm-ecc.json")[0];
        assert!(leaf.subject_is_empty());
        assert!(leaf.subject_attribute("2.5.4.3").is_empty());
        let mut san = leaf.subject_alt_name_directory_attributes();
        san.sort();
        assert_eq!(
            san,
            [
                ("2.23.133.2.1".to_owned(), "id:4E544300".to_owned()),
                ("2.23.133.2.2".to_owned(), "NPCT75x".to_owned()),
                ("2.23.133.2.3".to_owned(), "id:00070002".to_owned()),
            ]
        );
        assert_eq!(leaf.extended_key_usages(), ["2.23.133.8.3"]);
        let (critical, _) = leaf.extension("2.5.29.17").expect("subjectAltName");
        assert!(critical);

        let w3c = &chain("w3c-tpm-es256.json")[0];
        assert!(w3c.subject_is_empty());
        assert!(w3c.subject_alt_name_directory_attributes().contains(&(
            "2.23.133.2.2".to_owned(),
            "WebAuthn test vectors".to_owned()
        )));
        assert!(
            chain("w3c-packed-es256.json")[0]
                .extended_key_usages()
                .is_empty()
        );
    }

    #[test]
    fn is_valid_at_includes_both_ends() {
        let root = w3c_root();
        let root = root.certificate();
        assert!(root.is_valid_at(at(2024, 1, 1, 0, 0, 0)));
        assert!(!root.is_valid_at(at(2023, 12, 31, 23, 59, 59)));
        assert!(root.is_valid_at(at(3024, 1, 1, 0, 0, 0)));
        assert!(!root.is_valid_at(at(3024, 1, 1, 0, 0, 1)));
    }

    #[test]
    fn from_der_rejects_trailing_truncated_and_garbage_input() {
        let der = x5c("w3c-packed-es256.json").remove(0);
        let mut trailing = der.clone();
        trailing.push(0);
        assert_eq!(
            Certificate::from_der(&trailing),
            Err(AttestationError::CertificateMalformed(
                "1 bytes follow the certificate".to_owned()
            ))
        );
        for bad in [
            &der[..der.len() - 1],
            &der[..10],
            &[],
            &[0x30, 0x00],
            b"not der",
        ] {
            assert!(
                matches!(
                    Certificate::from_der(bad),
                    Err(AttestationError::CertificateMalformed(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn from_pem_reads_every_certificate_block() {
        let bundle = format!(
            "# test bundle\n{RSA_ROOT_A}\nsome text between blocks\n{P384_NOT_CA_B}{ED25519_CA_C}"
        );
        let anchors = TrustAnchor::from_pem(&bundle).expect("bundle");
        assert_eq!(anchors.len(), 3);
        assert_eq!(
            anchors[1].certificate().subject_attribute("2.5.4.3"),
            ["Test P-384 Leaf"]
        );
    }

    #[test]
    fn from_pem_rejects_empty_text_other_blocks_and_bad_base64() {
        let malformed = |r: Result<Vec<TrustAnchor>, AttestationError>| {
            matches!(r, Err(AttestationError::CertificateMalformed(_)))
        };
        assert!(malformed(TrustAnchor::from_pem("")));
        assert!(malformed(TrustAnchor::from_pem("no PEM here\n")));
        let key = RSA_ROOT_A.replace("CERTIFICATE", "PRIVATE KEY");
        assert!(malformed(TrustAnchor::from_pem(&key)));
        let bad = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(malformed(TrustAnchor::from_pem(bad)));
        let unterminated = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        assert!(malformed(TrustAnchor::from_pem(unterminated)));
        let not_der = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(malformed(TrustAnchor::from_pem(not_der)));
    }
}
