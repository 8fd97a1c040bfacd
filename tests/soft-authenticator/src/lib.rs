//! A software WebAuthn authenticator, together with the browser around it,
//! for the end-to-end tests and benchmarks of the passkey service. Not for
//! production: its keys live in memory and it proves nothing about a user.
//!
//! It owns making registration payloads as a browser sends them through
//! `@passwordless-id/webauthn` 1.x `register()` called with
//! `attestation: true` (without it the client leaves out `attestationData`,
//! which the server requires): the authenticator's attestation object and
//! authenticator data, Chromium's `clientDataJSON`, and the client
//! library's JSON around them, every binary value base64url. The values are
//! unpadded unless [`Ceremony::padded_base64`] asks for the `=` padding
//! that the real 1.x client keeps.
//!
//! ```
//! use soft_authenticator::{Algorithm, Authenticator, Ceremony};
//!
//! let authenticator = Authenticator::new(Algorithm::Es256);
//! let ceremony = Ceremony::new("example.com", "https://example.com", "AAEC", "alice");
//! let payload = authenticator.register(&ceremony);
//! assert_eq!(payload["credential"]["algorithm"], "ES256");
//! ```

mod key;

use base64::Engine as _;
use base64::engine::general_purpose::{URL_SAFE, URL_SAFE_NO_PAD};
use ciborium::Value as Cbor;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{Value, json};

use key::CredentialKey;

/// The length of generated credential IDs. Real authenticators use 16 to
/// 64 bytes; a test that cares sets its own with `with_credential_id`.
const CREDENTIAL_ID_LEN: usize = 16;

// Authenticator data flags (WebAuthn §6.1).
const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_BE: u8 = 0x08;
const FLAG_BS: u8 = 0x10;
const FLAG_AT: u8 = 0x40;

/// The credential's signature algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// ECDSA on P-256 with SHA-256, COSE -7.
    Es256,
    /// RSASSA-PKCS1-v1_5 with SHA-256 and a 2048-bit key, COSE -257.
    /// Generating its key takes far longer than ES256's.
    Rs256,
}

impl Algorithm {
    /// The name the client library puts in `credential.algorithm`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Es256 => "ES256",
            Algorithm::Rs256 => "RS256",
        }
    }

    /// The COSE algorithm identifier, as in the COSE key and `attStmt.alg`.
    pub fn cose_identifier(self) -> i64 {
        match self {
            Algorithm::Es256 => -7,
            Algorithm::Rs256 => -257,
        }
    }
}

/// The attestation statement the authenticator makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttestationFormat {
    /// `fmt: "none"` with an empty `attStmt`, as a browser forwards it when
    /// it strips an attestation.
    None,
    /// `fmt: "packed"` self attestation: `attStmt {alg, sig}` signed with
    /// the credential key itself, no certificate. With the all-zero AAGUID
    /// a browser forwards it unchanged even when the relying party asked
    /// for no attestation (WebAuthn §5.1.3).
    PackedSelf,
}

/// One registration ceremony as the relying party's page runs it: what the
/// server issued, where the page runs, and how the authenticator answers.
///
/// Start from [`Ceremony::new`] and change fields with struct update
/// syntax:
///
/// ```
/// # use soft_authenticator::Ceremony;
/// let ceremony = Ceremony {
///     user_verified: false,
///     ..Ceremony::new("example.com", "https://example.com", "AAEC", "alice")
/// };
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ceremony<'a> {
    /// The relying party ID whose SHA-256 starts the authenticator data.
    pub rp_id: &'a str,
    /// The page's origin, as `clientDataJSON` records it.
    pub origin: &'a str,
    /// The challenge as the server issued it, base64url: it goes into
    /// `clientDataJSON` verbatim, so a test can send one it did not issue.
    pub challenge: &'a str,
    /// The client library's `username`.
    pub username: &'a str,
    /// The attestation statement to make.
    pub attestation: AttestationFormat,
    /// The UP flag. Browsers always set it on registration; clearing it
    /// makes a payload the server must refuse.
    pub user_present: bool,
    /// The UV flag: the authenticator verified the user (PIN, biometrics).
    pub user_verified: bool,
    /// The BE flag: the credential can be synced to other devices.
    pub backup_eligible: bool,
    /// The BS flag: the credential is synced. Set without `backup_eligible`
    /// it makes an invalid payload, on purpose.
    pub backed_up: bool,
    /// Flip one bit of the packed attestation signature, for a payload
    /// whose signature does not verify. Needs
    /// [`AttestationFormat::PackedSelf`]; with `None` there is no signature
    /// and [`Authenticator::register`] panics rather than quietly ignore it.
    pub corrupt_signature: bool,
    /// Keep the `=` padding of `credential.publicKey`, `authenticatorData`,
    /// `clientData` and `attestationData`, as the published 1.x client does
    /// (its `toBase64url` only swaps the alphabet of `btoa`).
    /// `credential.id` is the browser's own unpadded ID either way. Off by
    /// default: unpadded is how browsers' own `toJSON()` writes, and a
    /// server must take both.
    pub padded_base64: bool,
}

impl<'a> Ceremony<'a> {
    /// A ceremony that a server with this relying party, origin and
    /// challenge accepts: packed self attestation, user present and
    /// verified, not backup eligible, nothing corrupted, unpadded base64url.
    pub fn new(
        rp_id: &'a str,
        origin: &'a str,
        challenge: &'a str,
        username: &'a str,
    ) -> Ceremony<'a> {
        Ceremony {
            rp_id,
            origin,
            challenge,
            username,
            attestation: AttestationFormat::PackedSelf,
            user_present: true,
            user_verified: true,
            backup_eligible: false,
            backed_up: false,
            corrupt_signature: false,
            padded_base64: false,
        }
    }
}

/// A software authenticator holding one credential: its key pair, its
/// credential ID and the authenticator's AAGUID.
pub struct Authenticator {
    key: CredentialKey,
    credential_id: Vec<u8>,
    aaguid: [u8; 16],
    rng: SystemRandom,
}

impl Authenticator {
    /// A new credential of `algorithm` with a fresh key pair and a random
    /// 16-byte credential ID, from an authenticator with the all-zero
    /// AAGUID. An RS256 key takes long to generate, in debug builds most of
    /// all: a test or benchmark that needs many can make one and reuse it
    /// through [`Authenticator::from_pkcs8`] or `clone`.
    pub fn new(algorithm: Algorithm) -> Authenticator {
        let rng = SystemRandom::new();
        let key = CredentialKey::generate(algorithm, &rng);
        Authenticator::with_key(key, rng)
    }

    /// A new credential with an existing key pair (PKCS#8 DER, as
    /// [`Authenticator::pkcs8_der`] gives it) and a random credential ID.
    pub fn from_pkcs8(
        algorithm: Algorithm,
        pkcs8_der: &[u8],
    ) -> Result<Authenticator, ring::error::KeyRejected> {
        let rng = SystemRandom::new();
        let key = CredentialKey::from_pkcs8(algorithm, pkcs8_der.to_vec(), &rng)?;
        Ok(Authenticator::with_key(key, rng))
    }

    fn with_key(key: CredentialKey, rng: SystemRandom) -> Authenticator {
        let mut credential_id = vec![0; CREDENTIAL_ID_LEN];
        rng.fill(&mut credential_id)
            .expect("the system random number generator works");
        Authenticator {
            key,
            credential_id,
            aaguid: [0; 16],
            rng,
        }
    }

    /// The same authenticator with another credential ID, such as one
    /// already registered, for duplicate-credential tests.
    pub fn with_credential_id(mut self, credential_id: Vec<u8>) -> Authenticator {
        self.credential_id = credential_id;
        self
    }

    /// The same authenticator claiming another AAGUID (authenticator
    /// model).
    pub fn with_aaguid(mut self, aaguid: [u8; 16]) -> Authenticator {
        self.aaguid = aaguid;
        self
    }

    /// The credential's algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }

    /// The raw credential ID.
    pub fn credential_id(&self) -> &[u8] {
        &self.credential_id
    }

    /// The AAGUID written into the authenticator data.
    pub fn aaguid(&self) -> [u8; 16] {
        self.aaguid
    }

    /// The credential public key as SubjectPublicKeyInfo DER, the form of
    /// the payload's `credential.publicKey`.
    pub fn public_key_spki(&self) -> &[u8] {
        self.key.spki()
    }

    /// The credential public key as the canonical CBOR COSE key of the
    /// authenticator data.
    pub fn public_key_cose(&self) -> &[u8] {
        self.key.cose()
    }

    /// The credential's private key as PKCS#8 DER, to make more
    /// authenticators with the same key without generating it again.
    pub fn pkcs8_der(&self) -> &[u8] {
        self.key.pkcs8()
    }

    /// Signs `message` with the credential key: a DER ECDSA signature for
    /// ES256, PKCS#1 v1.5 for RS256, as an authenticator signs assertions
    /// and self attestations.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        self.key.sign(message, &self.rng)
    }

    /// The authenticator data of a registration: RP ID hash, flags, a zero
    /// signature counter and the attested credential data.
    pub fn authenticator_data(&self, ceremony: &Ceremony<'_>) -> Vec<u8> {
        let mut flags = FLAG_AT;
        for (set, flag) in [
            (ceremony.user_present, FLAG_UP),
            (ceremony.user_verified, FLAG_UV),
            (ceremony.backup_eligible, FLAG_BE),
            (ceremony.backed_up, FLAG_BS),
        ] {
            if set {
                flags |= flag;
            }
        }
        let id_len = u16::try_from(self.credential_id.len())
            .expect("a credential ID fits the 16-bit length of attested credential data");
        let cose = self.key.cose();
        let mut data = Vec::with_capacity(37 + 18 + self.credential_id.len() + cose.len());
        data.extend_from_slice(&sha256(ceremony.rp_id.as_bytes()));
        data.push(flags);
        data.extend_from_slice(&0u32.to_be_bytes());
        data.extend_from_slice(&self.aaguid);
        data.extend_from_slice(&id_len.to_be_bytes());
        data.extend_from_slice(&self.credential_id);
        data.extend_from_slice(cose);
        data
    }

    /// Runs a registration ceremony and returns what the client library's
    /// `register()` gives the page to send to the server:
    ///
    /// ```json
    /// { "username": "...",
    ///   "credential": { "id": "...", "publicKey": "...", "algorithm": "ES256" },
    ///   "authenticatorData": "...", "clientData": "...", "attestationData": "..." }
    /// ```
    ///
    /// # Panics
    ///
    /// If `corrupt_signature` is asked of an attestation without a signature.
    pub fn register(&self, ceremony: &Ceremony<'_>) -> Value {
        assert!(
            !(ceremony.corrupt_signature && ceremony.attestation == AttestationFormat::None),
            "corrupt_signature needs a signature: use AttestationFormat::PackedSelf"
        );
        let client_data = client_data_json(ceremony.challenge, ceremony.origin);
        let auth_data = self.authenticator_data(ceremony);
        let (fmt, statement) = match ceremony.attestation {
            AttestationFormat::None => ("none", Vec::new()),
            AttestationFormat::PackedSelf => {
                let mut signed = auth_data.clone();
                signed.extend_from_slice(&sha256(client_data.as_bytes()));
                let mut signature = self.sign(&signed);
                if ceremony.corrupt_signature {
                    // The last byte is inside the signature value in both
                    // encodings (the end of `s` in ECDSA's DER), so the
                    // signature stays well-formed and merely fails to verify.
                    *signature.last_mut().expect("a signature is never empty") ^= 0x01;
                }
                let alg = self.algorithm().cose_identifier();
                let statement = vec![
                    (Cbor::from("alg"), Cbor::from(alg)),
                    (Cbor::from("sig"), Cbor::Bytes(signature)),
                ];
                ("packed", statement)
            }
        };
        // Text keys in CTAP2 canonical order: shorter first.
        let attestation_object = cbor(&Cbor::Map(vec![
            (Cbor::from("fmt"), Cbor::from(fmt)),
            (Cbor::from("attStmt"), Cbor::Map(statement)),
            (Cbor::from("authData"), Cbor::Bytes(auth_data.clone())),
        ]));
        let client_encode = |bytes: &[u8]| {
            if ceremony.padded_base64 {
                URL_SAFE.encode(bytes)
            } else {
                URL_SAFE_NO_PAD.encode(bytes)
            }
        };
        json!({
            "username": ceremony.username,
            "credential": {
                "id": base64url(&self.credential_id),
                "publicKey": client_encode(self.key.spki()),
                "algorithm": self.algorithm().name(),
            },
            "authenticatorData": client_encode(&auth_data),
            "clientData": client_encode(client_data.as_bytes()),
            "attestationData": client_encode(&attestation_object),
        })
    }
}

impl Clone for Authenticator {
    /// Rebuilds the key pair from its PKCS#8 form, since ring's key pairs
    /// cannot be cloned; far cheaper than generating an RSA key.
    fn clone(&self) -> Authenticator {
        let rng = SystemRandom::new();
        let key = CredentialKey::from_pkcs8(self.algorithm(), self.key.pkcs8().to_vec(), &rng)
            .expect("a key that ring accepted once is accepted again");
        Authenticator {
            key,
            credential_id: self.credential_id.clone(),
            aaguid: self.aaguid,
            rng,
        }
    }
}

impl std::fmt::Debug for Authenticator {
    /// Leaves the private key out: test output gets logged.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("algorithm", &self.algorithm())
            .field("credential_id", &base64url(&self.credential_id))
            .field("aaguid", &base64url(&self.aaguid))
            .finish_non_exhaustive()
    }
}

/// `clientDataJSON` as Chromium serializes it for a same-origin
/// registration: these four members in this order, no whitespace. (Chromium
/// sometimes appends a member warning against template comparison; a
/// verifier that parses JSON cannot tell, so it is left out.)
fn client_data_json(challenge: &str, origin: &str) -> String {
    format!(
        r#"{{"type":"webauthn.create","challenge":{},"origin":{},"crossOrigin":false}}"#,
        json_string(challenge),
        json_string(origin)
    )
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes to JSON")
}

fn base64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// Encodes one CBOR item. ciborium writes definite lengths in their
/// shortest form and keeps map entries in the order given, so canonical
/// input order gives canonical output.
pub(crate) fn cbor(value: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(value, &mut out).expect("writing CBOR into a Vec cannot fail");
    out
}

#[cfg(test)]
mod tests;
