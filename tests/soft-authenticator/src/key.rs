//! The credential key pair: generating or importing it, signing with it, and
//! the two encodings of its public half that a registration carries (COSE in
//! the authenticator data, SubjectPublicKeyInfo in the client's
//! `credential.publicKey`).

use ciborium::Value;
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
    RsaPublicKeyComponents,
};

use crate::Algorithm;

/// The key length of generated RS256 keys: the smallest that the server
/// (and WebAuthn practice) accepts, which also keeps generation bearable.
const RSA_BITS: usize = 2048;

/// `AlgorithmIdentifier { id-ecPublicKey, prime256v1 }`, DER.
const EC_P256_ALGORITHM: &[u8] = &[
    0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
    0xce, 0x3d, 0x03, 0x01, 0x07,
];

/// `AlgorithmIdentifier { rsaEncryption, NULL }`, DER.
const RSA_ALGORITHM: &[u8] = &[
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
];

// COSE labels and values (RFC 9052/9053, RFC 8230).
const LABEL_KTY: i64 = 1;
const LABEL_ALG: i64 = 3;
const LABEL_CRV_OR_N: i64 = -1;
const LABEL_X_OR_E: i64 = -2;
const LABEL_Y: i64 = -3;
const KTY_EC2: i64 = 2;
const KTY_RSA: i64 = 3;
const CRV_P256: i64 = 1;

enum Signer {
    Es256(EcdsaKeyPair),
    Rs256(RsaKeyPair),
}

/// One credential key pair with its public key already encoded both ways,
/// since every registration needs both.
pub(crate) struct CredentialKey {
    signer: Signer,
    pkcs8: Vec<u8>,
    spki: Vec<u8>,
    cose: Vec<u8>,
}

impl CredentialKey {
    pub(crate) fn generate(algorithm: Algorithm, rng: &SystemRandom) -> CredentialKey {
        let pkcs8 = match algorithm {
            Algorithm::Es256 => EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, rng)
                .expect("the system random number generator works")
                .as_ref()
                .to_vec(),
            // ring cannot generate RSA keys, so the rsa crate does, and ring
            // signs with the result like with any imported key.
            Algorithm::Rs256 => {
                use rsa::pkcs8::EncodePrivateKey;
                let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, RSA_BITS)
                    .expect("RSA key generation succeeds with the OS random number generator");
                key.to_pkcs8_der()
                    .expect("a freshly generated RSA key encodes as PKCS#8")
                    .as_bytes()
                    .to_vec()
            }
        };
        CredentialKey::from_pkcs8(algorithm, pkcs8, rng)
            .expect("ring accepts the key that was just generated for it")
    }

    pub(crate) fn from_pkcs8(
        algorithm: Algorithm,
        pkcs8: Vec<u8>,
        rng: &SystemRandom,
    ) -> Result<CredentialKey, ring::error::KeyRejected> {
        let (signer, spki, cose) = match algorithm {
            Algorithm::Es256 => {
                let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &pkcs8, rng)?;
                let point = pair.public_key().as_ref();
                let spki = spki(EC_P256_ALGORITHM, point);
                let cose = ec2_cose_key(point);
                (Signer::Es256(pair), spki, cose)
            }
            Algorithm::Rs256 => {
                let pair = RsaKeyPair::from_pkcs8(&pkcs8)?;
                // `public().as_ref()` is the RSAPublicKey DER that the SPKI
                // wraps; the components come without leading zero bytes, as
                // COSE wants them.
                let spki = spki(RSA_ALGORITHM, pair.public().as_ref());
                let components = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                let cose = rsa_cose_key(components.n, components.e);
                (Signer::Rs256(pair), spki, cose)
            }
        };
        Ok(CredentialKey {
            signer,
            pkcs8,
            spki,
            cose,
        })
    }

    pub(crate) fn algorithm(&self) -> Algorithm {
        match self.signer {
            Signer::Es256(_) => Algorithm::Es256,
            Signer::Rs256(_) => Algorithm::Rs256,
        }
    }

    pub(crate) fn pkcs8(&self) -> &[u8] {
        &self.pkcs8
    }

    pub(crate) fn spki(&self) -> &[u8] {
        &self.spki
    }

    pub(crate) fn cose(&self) -> &[u8] {
        &self.cose
    }

    pub(crate) fn sign(&self, message: &[u8], rng: &SystemRandom) -> Vec<u8> {
        match &self.signer {
            Signer::Es256(pair) => pair
                .sign(rng, message)
                .expect("ECDSA signing only fails if the random number generator does")
                .as_ref()
                .to_vec(),
            Signer::Rs256(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, rng, message, &mut signature)
                    .expect("the buffer has the modulus length that RSA signing needs");
                signature
            }
        }
    }
}

/// `SubjectPublicKeyInfo ::= SEQUENCE { algorithm, BIT STRING }`, the bit
/// string holding `key` with no unused bits.
fn spki(algorithm: &[u8], key: &[u8]) -> Vec<u8> {
    let mut bits = Vec::with_capacity(key.len() + 1);
    bits.push(0);
    bits.extend_from_slice(key);
    let mut body = algorithm.to_vec();
    body.extend(der(0x03, &bits));
    der(0x30, &body)
}

/// One DER tag-length-value, with the length in the short form when it fits
/// and the shortest long form otherwise.
fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// The EC2 COSE key of an uncompressed P-256 point (`04 ‖ x ‖ y`).
fn ec2_cose_key(point: &[u8]) -> Vec<u8> {
    let (x, y) = point[1..].split_at(32);
    cose_key(vec![
        (LABEL_KTY, Value::from(KTY_EC2)),
        (LABEL_ALG, Value::from(Algorithm::Es256.cose_identifier())),
        (LABEL_CRV_OR_N, Value::from(CRV_P256)),
        (LABEL_X_OR_E, Value::Bytes(x.to_vec())),
        (LABEL_Y, Value::Bytes(y.to_vec())),
    ])
}

fn rsa_cose_key(n: Vec<u8>, e: Vec<u8>) -> Vec<u8> {
    cose_key(vec![
        (LABEL_KTY, Value::from(KTY_RSA)),
        (LABEL_ALG, Value::from(Algorithm::Rs256.cose_identifier())),
        (LABEL_CRV_OR_N, Value::Bytes(n)),
        (LABEL_X_OR_E, Value::Bytes(e)),
    ])
}

/// Entries are given in CTAP2 canonical order (1, 3, -1, -2, -3): ciborium
/// keeps a map's order as given, and writes definite, shortest lengths.
fn cose_key(entries: Vec<(i64, Value)>) -> Vec<u8> {
    let map = entries
        .into_iter()
        .map(|(label, value)| (Value::from(label), value))
        .collect();
    crate::cbor(&Value::Map(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_lengths_use_the_shortest_form() {
        assert_eq!(der(0x04, &[7; 3])[..2], [0x04, 3]);
        assert_eq!(der(0x04, &[0; 0x7f])[..2], [0x04, 0x7f]);
        assert_eq!(der(0x04, &[0; 0x80])[..3], [0x04, 0x81, 0x80]);
        assert_eq!(der(0x04, &[0; 0x10e])[..4], [0x04, 0x82, 0x01, 0x0e]);
    }

    #[test]
    fn an_es256_spki_is_the_fixed_prefix_and_the_point() {
        let rng = SystemRandom::new();
        let key = CredentialKey::generate(Algorithm::Es256, &rng);
        assert_eq!(key.spki().len(), 91);
        assert_eq!(key.spki()[..2], [0x30, 0x59]);
        assert_eq!(key.spki()[26], 0x04);
    }
}
