//! Registration verification: decides whether a `create_passkey`
//! registration is genuine, following W3C WebAuthn Level 3 §7.1
//! "Registering a New Credential" step by step, plus checks beyond the spec
//! (marked "beyond spec"). Pure: no I/O, no clock, no storage. The issued
//! challenge, the relying party and the time come in as `Expectations`;
//! consuming the challenge and keeping credential IDs unique belong to the
//! caller's storage.

pub mod attestation;
pub mod authenticator_data;
pub mod base64url;
pub mod cbor;
pub mod certificates;
pub mod client_data;
pub mod cose;
pub mod error;

pub use cose::CoseAlgorithm;
pub use error::{AttestationError, CborError, RegistrationError};

/// The registration as the client sent it (the seed's `registration`
/// input): every binary value base64url, with or without `=` padding.
#[derive(Debug, Clone, Copy)]
pub struct Registration<'a> {
    pub credential_id: &'a str,
    /// SubjectPublicKeyInfo DER of the credential's key, as the browser's
    /// `getPublicKey()` gave it.
    pub public_key: &'a str,
    /// `ES256`, `RS256`, `EdDSA`, …: the name of the COSE algorithm.
    pub algorithm: &'a str,
    pub authenticator_data: &'a str,
    pub client_data: &'a str,
    pub attestation_object: &'a str,
}

/// What the server expects, from its configuration and its own records.
#[derive(Debug, Clone)]
pub struct Expectations<'a> {
    /// The relying party ID, such as `example.com`.
    pub rp_id: &'a str,
    /// The origins allowed to register, compared exactly.
    pub origins: &'a [String],
    /// The raw bytes of the challenge this server issued.
    pub challenge: &'a [u8],
    pub require_user_verification: bool,
    /// The credential algorithms accepted.
    pub algorithms: &'a [CoseAlgorithm],
    /// The current time, for certificate validity.
    pub now: time::OffsetDateTime,
    /// Attestation roots; empty means any chain is accepted but reported
    /// as unverified.
    pub trust_anchors: &'a [certificates::TrustAnchor],
}

/// The algorithms accepted unless configured otherwise.
pub const DEFAULT_ALGORITHMS: &[CoseAlgorithm] = &[
    CoseAlgorithm::Es256,
    CoseAlgorithm::Rs256,
    CoseAlgorithm::EdDsa,
];

/// A registration that verified: what the server stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCredential {
    pub credential_id: Vec<u8>,
    /// The credential public key as the authenticator encoded it (COSE).
    pub public_key_cose: Vec<u8>,
    /// The same key as SubjectPublicKeyInfo DER.
    pub public_key_spki: Vec<u8>,
    pub algorithm: CoseAlgorithm,
    pub sign_count: u32,
    pub flags: authenticator_data::Flags,
    pub aaguid: [u8; 16],
    pub attestation_format: AttestationFormat,
    pub attestation_type: AttestationType,
    /// Whether the attestation chain reached a configured trust anchor.
    pub trust: attestation::Trust,
}

/// The attestation statement formats of the WebAuthn registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AttestationFormat {
    None,
    Packed,
    FidoU2f,
    Tpm,
    AndroidKey,
    Apple,
}

impl AttestationFormat {
    /// The format's identifier, as `fmt` carries it.
    pub fn name(self) -> &'static str {
        match self {
            AttestationFormat::None => "none",
            AttestationFormat::Packed => "packed",
            AttestationFormat::FidoU2f => "fido-u2f",
            AttestationFormat::Tpm => "tpm",
            AttestationFormat::AndroidKey => "android-key",
            AttestationFormat::Apple => "apple",
        }
    }
}

/// How the authenticator vouched for the credential (§6.5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationType {
    None,
    /// Signed with the credential's own key.
    SelfAttestation,
    /// Signed by an attestation key with a certificate chain.
    Basic,
    /// Signed by a key certified by an attestation CA (TPM).
    AttCa,
    /// Signed by a per-credential key that an anonymization CA certified
    /// (Apple).
    AnonCa,
}

/// Size caps, in decoded bytes, checked before anything is decoded. They
/// are far above what real authenticators send (a TPM or Android
/// attestation object with its chain is a few kilobytes) and bound the work
/// a request can cause.
pub mod limits {
    pub const CLIENT_DATA: usize = 4 * 1024;
    pub const ATTESTATION_OBJECT: usize = 32 * 1024;
    pub const AUTHENTICATOR_DATA: usize = 8 * 1024;
    /// Above the 1023 bytes that §7.1 step 25 allows, so that a longer
    /// credential ID is refused by that step, with its own error.
    pub const CREDENTIAL_ID: usize = 2 * 1024;
    pub const PUBLIC_KEY: usize = 2 * 1024;
}

/// Verifies a registration ceremony's result, W3C WebAuthn Level 3 §7.1
/// "Registering a New Credential". Steps 1 to 4 happen in the browser;
/// step 26 (the credential ID is not registered yet) and storing the
/// credential are the caller's, in the same transaction that consumes the
/// challenge.
pub fn verify_registration(
    registration: &Registration<'_>,
    expected: &Expectations<'_>,
) -> Result<VerifiedCredential, RegistrationError> {
    use RegistrationError as E;

    // Beyond spec: every field is size-capped and decoded before any of
    // them is parsed.
    let client_data_json =
        base64url::decode("clientData", registration.client_data, limits::CLIENT_DATA)?;
    let attestation_object = base64url::decode(
        "attestationData",
        registration.attestation_object,
        limits::ATTESTATION_OBJECT,
    )?;
    let client_auth_data = base64url::decode(
        "authenticatorData",
        registration.authenticator_data,
        limits::AUTHENTICATOR_DATA,
    )?;
    let client_credential_id = base64url::decode(
        "credential.id",
        registration.credential_id,
        limits::CREDENTIAL_ID,
    )?;
    let client_public_key = base64url::decode(
        "credential.publicKey",
        registration.public_key,
        limits::PUBLIC_KEY,
    )?;

    // §7.1 steps 5 and 6: UTF-8 decode (a BOM is stripped) and parse the
    // client data, strictly: a duplicate key is refused.
    let client_data = client_data::parse(&client_data_json)?;
    // Step 7: C.type is webauthn.create.
    if client_data.ty != "webauthn.create" {
        return Err(E::ClientDataWrongType(client_data.ty));
    }
    // Step 8: C.challenge is the base64url encoding of the issued challenge,
    // compared as text: a padded or otherwise re-encoded value is refused.
    if client_data.challenge != base64url::encode(expected.challenge) {
        return Err(E::ChallengeMismatch);
    }
    // Step 9: C.origin is one the relying party expects, exactly.
    if !expected.origins.contains(&client_data.origin) {
        return Err(E::OriginNotAllowed(client_data.origin));
    }
    // Step 10: this relying party is not embedded in other sites' iframes.
    if client_data.cross_origin == Some(true) {
        return Err(E::CrossOrigin);
    }
    // Step 11: and so expects no top-level origin.
    if let Some(top_origin) = client_data.top_origin {
        return Err(E::UnexpectedTopOrigin(top_origin));
    }
    // Step 12: the hash of the raw client data, BOM and all.
    let client_data_hash: [u8; 32] = sha256(&client_data_json);

    // Step 13: decode the attestation object (strict CBOR: definite
    // lengths, no duplicate keys, nothing after it) into fmt, authData and
    // attStmt.
    let object = cbor::decode(&attestation_object).map_err(E::AttestationObjectCbor)?;
    let members = object
        .as_map()
        .ok_or(E::AttestationObjectMalformed("it is not a map"))?;
    if members.len() != 3 {
        return Err(E::AttestationObjectMalformed(
            "it must have exactly fmt, attStmt and authData",
        ));
    }
    let fmt = object
        .map_get_text("fmt")
        .and_then(|v| v.as_text())
        .ok_or(E::AttestationObjectMalformed("fmt is missing or not text"))?;
    let statement = object
        .map_get_text("attStmt")
        .filter(|v| v.as_map().is_some())
        .ok_or(E::AttestationObjectMalformed(
            "attStmt is missing or not a map",
        ))?;
    let auth_data_bytes = object
        .map_get_text("authData")
        .and_then(|v| v.as_bytes())
        .ok_or(E::AttestationObjectMalformed(
            "authData is missing or not bytes",
        ))?;
    // Beyond spec: the client's own copy of the authenticator data is the
    // one the attestation covers.
    if client_auth_data != auth_data_bytes {
        return Err(E::AuthenticatorDataMismatch);
    }
    // A registration's authenticator data carries attested credential data.
    // The AT flag decides how the rest parses, so it is checked first:
    // without it the credential would be reported as trailing bytes.
    if let Some(&flags) = auth_data_bytes.get(32)
        && !authenticator_data::Flags::from_byte(flags).at
    {
        return Err(E::NoAttestedCredentialData);
    }
    // Parsing also refuses trailing bytes and credential IDs over 1023
    // bytes (step 25).
    let auth_data = authenticator_data::parse(auth_data_bytes)?;

    // Step 14: the RP ID hash is SHA-256 of this relying party's ID.
    if auth_data.rp_id_hash != sha256(expected.rp_id.as_bytes()) {
        return Err(E::RpIdHashMismatch);
    }
    // Step 15: the user was present (registration is never conditional
    // mediation here).
    if !auth_data.flags.up {
        return Err(E::UserNotPresent);
    }
    // Step 16: the user was verified, if the relying party requires it.
    if expected.require_user_verification && !auth_data.flags.uv {
        return Err(E::UserNotVerified);
    }
    // Step 17: a credential that cannot be backed up is not backed up.
    if !auth_data.flags.be && auth_data.flags.bs {
        return Err(E::BackupStateWithoutEligibility);
    }
    // Step 19: the credential public key's algorithm is one of those the
    // relying party asked for. (Step 18, using the backup flags as a risk
    // signal, is policy and left to the caller, which gets the flags.)
    let attested = auth_data
        .attested
        .as_ref()
        .ok_or(E::NoAttestedCredentialData)?;
    let key = cose::parse_key(&attested.public_key)?;
    if !expected.algorithms.contains(&key.algorithm) {
        return Err(E::AlgorithmNotAllowed(key.algorithm.to_i64()));
    }
    // Beyond spec: the client's own fields describe this credential.
    if client_credential_id != attested.credential_id {
        return Err(E::CredentialIdMismatch);
    }
    if CoseAlgorithm::from_name(registration.algorithm) != Some(key.algorithm) {
        return Err(E::AlgorithmMismatch {
            client: registration.algorithm.to_owned(),
            credential: key.algorithm.name().to_owned(),
        });
    }
    if !key.matches_spki(&client_public_key) {
        return Err(E::PublicKeyMismatch);
    }
    // Step 20: the client extension outputs are not part of this input, and
    // the server requests no extensions, so there is nothing to check.

    // Steps 21 to 24: the attestation format, its statement, and how far
    // its certificate chain can be trusted.
    let input = attestation::AttestationInput {
        statement,
        auth_data: auth_data_bytes,
        client_data_hash: &client_data_hash,
        rp_id_hash: &auth_data.rp_id_hash,
        credential_id: &attested.credential_id,
        credential_key: &key,
        aaguid: &attested.aaguid,
        now: expected.now,
        trust_anchors: expected.trust_anchors,
    };
    let (attestation_format, verdict) = attestation::verify(fmt, &input)?;

    // Step 25 was checked while parsing; step 26 belongs to the storage.
    Ok(VerifiedCredential {
        credential_id: attested.credential_id.clone(),
        public_key_cose: attested.public_key_bytes.clone(),
        public_key_spki: key.spki_der(),
        algorithm: key.algorithm,
        sign_count: auth_data.sign_count,
        flags: auth_data.flags,
        aaguid: attested.aaguid,
        attestation_format,
        attestation_type: verdict.attestation_type,
        trust: verdict.trust,
    })
}

fn sha256(data: &[u8]) -> [u8; 32] {
    let digest = ring::digest::digest(&ring::digest::SHA256, data);
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}
