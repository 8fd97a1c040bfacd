//! `passkey-server verify-registration`: runs the registration verifier on a
//! saved `create_passkey` payload and prints the verdict as JSON, so an
//! operator can answer "why was this registration refused?". Exit 0 when it
//! verifies, 1 when it is refused, 2 when the input cannot be used.

use std::path::PathBuf;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::webauthn::certificates::TrustAnchor;
use crate::webauthn::{
    self, CoseAlgorithm, Expectations, Registration, RegistrationError, VerifiedCredential,
    base64url,
};

/// Verifies a saved registration.
#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    /// The relying party ID the registration was for, such as `example.com`.
    #[arg(long = "rp-id")]
    pub rp_id: String,
    /// An origin allowed to register (repeatable).
    #[arg(long = "origin", required = true)]
    pub origins: Vec<String>,
    /// The challenge the server issued, base64url.
    #[arg(long)]
    pub challenge: String,
    /// Refuse registrations without user verification.
    #[arg(long = "require-uv")]
    pub require_uv: bool,
    /// The time to check certificates against, RFC 3339 (default: now).
    #[arg(long, value_parser = parse_time)]
    pub now: Option<OffsetDateTime>,
    /// A PEM file of attestation root certificates (repeatable); without
    /// one, attestation chains are accepted but reported as unverified.
    #[arg(long = "trust-anchor")]
    pub trust_anchors: Vec<PathBuf>,
    /// The algorithms to accept, comma-separated COSE names.
    #[arg(
        long = "algorithm",
        value_delimiter = ',',
        default_value = "ES256,RS256,EdDSA"
    )]
    pub algorithms: Vec<String>,
    /// A JSON file with a `create_passkey` dto, or just its `registration`.
    pub file: PathBuf,
}

fn parse_time(text: &str) -> Result<OffsetDateTime, String> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|e| format!("not an RFC 3339 time: {e}"))
}

/// The process exit code and the JSON to print.
pub fn run(args: &VerifyArgs) -> (u8, Value) {
    match verify(args) {
        Ok(Ok(credential)) => (0, accepted(&credential)),
        Ok(Err(error)) => (
            1,
            json!({ "verdict": "rejected", "code": error.code(), "reason": error.to_string() }),
        ),
        Err(unusable) => (
            2,
            json!({ "verdict": "unusable input", "reason": unusable }),
        ),
    }
}

/// The outer error is unusable input; the inner result is the verdict.
fn verify(args: &VerifyArgs) -> Result<Result<VerifiedCredential, RegistrationError>, String> {
    let text =
        std::fs::read_to_string(&args.file).map_err(|e| format!("{}: {e}", args.file.display()))?;
    let json: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not JSON: {e}", args.file.display()))?;
    let challenge =
        base64url::decode("--challenge", &args.challenge, 1024).map_err(|e| e.to_string())?;
    let algorithms = args
        .algorithms
        .iter()
        .map(|name| {
            CoseAlgorithm::from_name(name).ok_or_else(|| format!("unknown algorithm `{name}`"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut anchors = Vec::new();
    for path in &args.trust_anchors {
        let pem = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        anchors
            .extend(TrustAnchor::from_pem(&pem).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    // A whole dto names its relying party, which must be this one; a bare
    // registration is taken to be for `--rp-id`.
    let registration = match json.get("registration") {
        Some(registration) => {
            if let Some(hostname) = json.get("hostname").and_then(Value::as_str)
                && hostname != args.rp_id
            {
                return Ok(Err(RegistrationError::UnknownHostname(hostname.to_owned())));
            }
            registration
        }
        None => &json,
    };
    let registration = match registration_from_json(registration) {
        Ok(registration) => registration,
        Err(missing) => return Ok(Err(missing)),
    };
    let expected = Expectations {
        rp_id: &args.rp_id,
        origins: &args.origins,
        challenge: &challenge,
        require_user_verification: args.require_uv,
        algorithms: &algorithms,
        now: args.now.unwrap_or_else(OffsetDateTime::now_utc),
        trust_anchors: &anchors,
    };
    Ok(webauthn::verify_registration(&registration, &expected))
}

/// The fields of a `create_passkey` registration as the client sent them
/// (`credential {id, publicKey, algorithm}`, `authenticatorData`,
/// `clientData`, `attestationData`); a missing one is refused by name.
pub fn registration_from_json(registration: &Value) -> Result<Registration<'_>, RegistrationError> {
    let required = |path: &[&str], name: &'static str| {
        let mut value = registration;
        for key in path {
            value = value
                .get(*key)
                .ok_or(RegistrationError::MissingField(name))?;
        }
        value.as_str().ok_or(RegistrationError::MissingField(name))
    };
    Ok(Registration {
        credential_id: required(&["credential", "id"], "credential.id")?,
        public_key: required(&["credential", "publicKey"], "credential.publicKey")?,
        algorithm: required(&["credential", "algorithm"], "credential.algorithm")?,
        authenticator_data: required(&["authenticatorData"], "authenticatorData")?,
        client_data: required(&["clientData"], "clientData")?,
        attestation_object: required(&["attestationData"], "attestationData")?,
    })
}

fn accepted(credential: &VerifiedCredential) -> Value {
    let flags = credential.flags;
    json!({
        "verdict": "accepted",
        "credential": {
            "id": base64url::encode(&credential.credential_id),
            "algorithm": credential.algorithm.name(),
            "public_key_spki": base64url::encode(&credential.public_key_spki),
            "sign_count": credential.sign_count,
            "aaguid": hex(&credential.aaguid),
            "flags": {
                "user_present": flags.up,
                "user_verified": flags.uv,
                "backup_eligible": flags.be,
                "backed_up": flags.bs,
            },
            "attestation": {
                "format": credential.attestation_format.name(),
                "type": format!("{:?}", credential.attestation_type),
                "trust": format!("{:?}", credential.trust),
            },
        },
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
