//! Every way a registration can fail, one variant per check, each with a
//! stable `code()` that the API's error extensions, the CLI and the tests
//! use. Messages say what was wrong and never echo secrets.

use std::fmt;

/// Why a registration was refused: the step of W3C WebAuthn §7.1
/// ("Registering a New Credential"), or the check beyond it, that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    // Input decoding.
    #[error("the registration is for `{0}`, which is not this relying party")]
    UnknownHostname(String),
    #[error("`{0}` is missing")]
    MissingField(&'static str),
    #[error("`{field}` is longer than {max} characters")]
    FieldTooLong { field: &'static str, max: usize },
    #[error("`{field}` is not base64url")]
    InvalidBase64 { field: &'static str },

    // clientDataJSON (§7.1 steps 5 to 12).
    #[error("clientDataJSON is not UTF-8")]
    ClientDataNotUtf8,
    #[error("clientDataJSON is not a JSON object: {0}")]
    ClientDataInvalidJson(String),
    #[error("clientDataJSON has the key `{0}` twice")]
    ClientDataDuplicateKey(String),
    #[error("clientDataJSON lacks `{0}`")]
    ClientDataMissingField(&'static str),
    #[error("clientDataJSON `{0}` has the wrong JSON type")]
    ClientDataFieldType(&'static str),
    #[error("clientDataJSON type is `{0}`, not `webauthn.create`")]
    ClientDataWrongType(String),
    #[error("the challenge is not the one this server issued")]
    ChallengeMismatch,
    #[error("the origin `{0}` is not allowed for this relying party")]
    OriginNotAllowed(String),
    #[error("the registration was made in a cross-origin iframe")]
    CrossOrigin,
    #[error("the registration names a top-level origin (`{0}`), which this server does not allow")]
    UnexpectedTopOrigin(String),

    // attestationObject (§7.1 step 12).
    #[error("attestationObject is not strict CBOR: {0}")]
    AttestationObjectCbor(CborError),
    #[error("attestationObject is malformed: {0}")]
    AttestationObjectMalformed(&'static str),

    // Authenticator data (§7.1 steps 13 to 21).
    #[error("authenticator data is malformed: {0}")]
    AuthenticatorDataMalformed(&'static str),
    #[error("authenticator data has {0} bytes after its end")]
    AuthenticatorDataTrailingBytes(usize),
    #[error("the credential ID has {0} bytes; at most 1023 are allowed")]
    CredentialIdTooLong(usize),
    #[error("the RP ID hash is not SHA-256 of this relying party's ID")]
    RpIdHashMismatch,
    #[error("the authenticator did not report user presence")]
    UserNotPresent,
    #[error("user verification is required and the authenticator did not perform it")]
    UserNotVerified,
    #[error("the backup state flag is set without the backup eligibility flag")]
    BackupStateWithoutEligibility,
    #[error("the authenticator data has no attested credential data")]
    NoAttestedCredentialData,
    #[error("the credential public key is not a valid COSE key: {0}")]
    CoseKeyMalformed(String),
    #[error("the credential algorithm {0} is not allowed")]
    AlgorithmNotAllowed(i64),

    // Consistency of the client's own fields (beyond spec).
    #[error("`authenticatorData` differs from the authenticator data in the attestation object")]
    AuthenticatorDataMismatch,
    #[error("`credential.id` differs from the credential ID in the authenticator data")]
    CredentialIdMismatch,
    #[error(
        "`credential.algorithm` is `{client}`, but the credential's algorithm is `{credential}`"
    )]
    AlgorithmMismatch { client: String, credential: String },
    #[error("`credential.publicKey` is not the credential's public key")]
    PublicKeyMismatch,

    // Attestation statement (§7.1 steps 22 to 24).
    #[error("the attestation format `{0}` is not supported")]
    UnsupportedAttestationFormat(String),
    #[error("the android-safetynet attestation format is retired and not accepted")]
    SafetyNetRetired,
    #[error("{format} attestation: {source}")]
    Attestation {
        format: &'static str,
        source: AttestationError,
    },
}

impl RegistrationError {
    /// A stable, machine-readable code for the failed check.
    pub fn code(&self) -> &'static str {
        use RegistrationError as E;
        match self {
            E::UnknownHostname(_) => "UNKNOWN_HOSTNAME",
            E::MissingField(_) => "MISSING_FIELD",
            E::FieldTooLong { .. } => "FIELD_TOO_LONG",
            E::InvalidBase64 { .. } => "INVALID_BASE64",
            E::ClientDataNotUtf8 => "CLIENT_DATA_NOT_UTF8",
            E::ClientDataInvalidJson(_) => "CLIENT_DATA_INVALID_JSON",
            E::ClientDataDuplicateKey(_) => "CLIENT_DATA_DUPLICATE_KEY",
            E::ClientDataMissingField(_) => "CLIENT_DATA_MISSING_FIELD",
            E::ClientDataFieldType(_) => "CLIENT_DATA_FIELD_TYPE",
            E::ClientDataWrongType(_) => "CLIENT_DATA_WRONG_TYPE",
            E::ChallengeMismatch => "CHALLENGE_MISMATCH",
            E::OriginNotAllowed(_) => "ORIGIN_NOT_ALLOWED",
            E::CrossOrigin => "CROSS_ORIGIN",
            E::UnexpectedTopOrigin(_) => "UNEXPECTED_TOP_ORIGIN",
            E::AttestationObjectCbor(_) => "ATTESTATION_OBJECT_CBOR",
            E::AttestationObjectMalformed(_) => "ATTESTATION_OBJECT_MALFORMED",
            E::AuthenticatorDataMalformed(_) => "AUTHENTICATOR_DATA_MALFORMED",
            E::AuthenticatorDataTrailingBytes(_) => "AUTHENTICATOR_DATA_TRAILING_BYTES",
            E::CredentialIdTooLong(_) => "CREDENTIAL_ID_TOO_LONG",
            E::RpIdHashMismatch => "RP_ID_HASH_MISMATCH",
            E::UserNotPresent => "USER_NOT_PRESENT",
            E::UserNotVerified => "USER_NOT_VERIFIED",
            E::BackupStateWithoutEligibility => "BACKUP_STATE_WITHOUT_ELIGIBILITY",
            E::NoAttestedCredentialData => "NO_ATTESTED_CREDENTIAL_DATA",
            E::CoseKeyMalformed(_) => "COSE_KEY_MALFORMED",
            E::AlgorithmNotAllowed(_) => "ALGORITHM_NOT_ALLOWED",
            E::AuthenticatorDataMismatch => "AUTHENTICATOR_DATA_MISMATCH",
            E::CredentialIdMismatch => "CREDENTIAL_ID_MISMATCH",
            E::AlgorithmMismatch { .. } => "ALGORITHM_MISMATCH",
            E::PublicKeyMismatch => "PUBLIC_KEY_MISMATCH",
            E::UnsupportedAttestationFormat(_) => "UNSUPPORTED_ATTESTATION_FORMAT",
            E::SafetyNetRetired => "SAFETYNET_RETIRED",
            E::Attestation { source, .. } => source.code(),
        }
    }
}

/// Why strict CBOR decoding failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CborError {
    #[error("the input ends inside an item")]
    Truncated,
    #[error("{0} bytes follow the item")]
    TrailingBytes(usize),
    #[error("indefinite-length items are not allowed")]
    IndefiniteLength,
    #[error("a map has the same key twice")]
    DuplicateKey,
    #[error("items nest deeper than {0} levels")]
    TooDeep(usize),
    #[error("a length of {0} is larger than the input")]
    LengthTooLarge(u64),
    #[error("a text string is not UTF-8")]
    InvalidUtf8,
    #[error("unsupported item: {0}")]
    Unsupported(&'static str),
}

/// Why an attestation statement was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttestationError {
    #[error("the statement is malformed: {0}")]
    StatementMalformed(&'static str),
    #[error("the statement's algorithm {0} is not supported")]
    AlgorithmUnsupported(i64),
    #[error("the statement's algorithm does not match the credential's")]
    AlgorithmMismatch,
    #[error("the attestation signature does not verify")]
    SignatureInvalid,
    #[error("a certificate cannot be parsed: {0}")]
    CertificateMalformed(String),
    #[error("a certificate is outside its validity period")]
    CertificateExpired,
    #[error("a certificate does not meet the format's requirements: {0}")]
    CertificateRequirements(&'static str),
    #[error("the certificate chain is broken: {0}")]
    ChainInvalid(&'static str),
    #[error("the certificate chain does not reach a trusted root")]
    UntrustedChain,
    #[error("the certificate's AAGUID differs from the authenticator data's")]
    AaguidMismatch,
    #[error("{0}")]
    FormatSpecific(&'static str),
    #[error("SHA-1 is refused in attestation statements: its collisions are practical")]
    Sha1Refused,
    #[error("the attested public key is not the credential public key")]
    CredentialKeyMismatch,
    #[error("the attestation certificate lacks its {0} extension")]
    ExtensionMissing(&'static str),
    #[error("the certificate's nonce is not SHA-256 of authData and clientDataHash")]
    NonceMismatch,
    #[error("the key description's attestationChallenge is not the client data hash")]
    ChallengeMismatch,
    #[error("the key's authorization list does not allow it: {0}")]
    KeyAuthorization(&'static str),
    #[error("certInfo's extraData is not the hash of authData and clientDataHash")]
    ExtraDataMismatch,
    #[error("certInfo does not name pubArea")]
    NameMismatch,
}

impl AttestationError {
    pub fn code(&self) -> &'static str {
        use AttestationError as E;
        match self {
            E::StatementMalformed(_) => "ATTESTATION_STATEMENT_MALFORMED",
            E::AlgorithmUnsupported(_) => "ATTESTATION_ALGORITHM_UNSUPPORTED",
            E::AlgorithmMismatch => "ATTESTATION_ALGORITHM_MISMATCH",
            E::SignatureInvalid => "ATTESTATION_SIGNATURE_INVALID",
            E::CertificateMalformed(_) => "ATTESTATION_CERTIFICATE_MALFORMED",
            E::CertificateExpired => "ATTESTATION_CERTIFICATE_EXPIRED",
            E::CertificateRequirements(_) => "ATTESTATION_CERTIFICATE_REQUIREMENTS",
            E::ChainInvalid(_) => "ATTESTATION_CHAIN_INVALID",
            E::UntrustedChain => "ATTESTATION_UNTRUSTED_CHAIN",
            E::AaguidMismatch => "ATTESTATION_AAGUID_MISMATCH",
            E::FormatSpecific(_) => "ATTESTATION_FORMAT_CHECK",
            E::Sha1Refused => "ATTESTATION_SHA1_REFUSED",
            E::CredentialKeyMismatch => "ATTESTATION_CREDENTIAL_KEY_MISMATCH",
            E::ExtensionMissing(_) => "ATTESTATION_EXTENSION_MISSING",
            E::NonceMismatch => "ATTESTATION_NONCE_MISMATCH",
            E::ChallengeMismatch => "ATTESTATION_CHALLENGE_MISMATCH",
            E::KeyAuthorization(_) => "ATTESTATION_KEY_AUTHORIZATION",
            E::ExtraDataMismatch => "ATTESTATION_EXTRA_DATA_MISMATCH",
            E::NameMismatch => "ATTESTATION_NAME_MISMATCH",
        }
    }
}

impl fmt::Display for crate::webauthn::AttestationFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
