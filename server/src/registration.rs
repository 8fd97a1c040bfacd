//! The registration service: issues challenges and registers passkeys,
//! applying the API's rules in the order its error codes document them.
//! Its errors are the generated `<Op>Error` enums, which are the API's
//! contract; turning records into GraphQL models is `api.rs`'s job.

use std::sync::Arc;
use std::time::Duration;

use passkey_api::resolvers::{CreatePasskeyChallengeError, CreatePasskeyError};
use passkey_api::types::CreatePasskeyResolverDto;
use ring::rand::{SecureRandom, SystemRandom};
use time::OffsetDateTime;

use crate::input::{validate_label, validate_username};
use crate::storage::{
    Challenge, ChallengeRecord, IssueRefusal, NewPasskey, PasskeyId, RegisterRefusal, Storage,
    StorageError, StoredCredential, StoredPasskey, UserId,
};
use crate::webauthn::{
    self, CoseAlgorithm, Expectations, Registration, RegistrationError, VerifiedCredential,
    base64url,
};

/// A relying party (a website) this server registers passkeys for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelyingParty {
    /// The RP ID: the host name that passkeys are scoped to.
    pub id: String,
    /// The name that authenticators show to the user.
    pub name: String,
    /// The web origins allowed to register passkeys for it.
    pub origins: Vec<String>,
}

/// Whether registrations must prove user verification (a PIN or
/// biometrics), as WebAuthn's `userVerification` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UserVerification {
    /// Refuse registrations whose authenticator did not verify the user.
    Required,
    /// Ask for verification, and accept registrations without it, such as
    /// from security keys that have no PIN set.
    Preferred,
}

impl UserVerification {
    /// The WebAuthn spelling, for `authenticatorSelection.userVerification`.
    pub fn as_str(self) -> &'static str {
        match self {
            UserVerification::Required => "required",
            UserVerification::Preferred => "preferred",
        }
    }
}

/// The server's registration rules, from its configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    pub challenge_ttl: Duration,
    pub user_verification: UserVerification,
    /// The accepted credential algorithms, most preferred first.
    pub algorithms: Vec<CoseAlgorithm>,
    /// The most unexpired challenges held at once; it bounds what
    /// anonymous callers can make the server store.
    pub max_pending_challenges: u64,
}

/// A stored challenge and what the browser needs to answer it.
#[derive(Debug, Clone)]
pub struct IssuedChallenge {
    pub challenge: Challenge,
    pub record: ChallengeRecord,
}

/// Issues challenges and registers passkeys for one relying party.
pub struct Registrar {
    relying_party: Arc<RelyingParty>,
    policy: Arc<Policy>,
    storage: Storage,
    random: SystemRandom,
}

impl Registrar {
    pub fn new(relying_party: RelyingParty, policy: Policy, storage: Storage) -> Self {
        Self {
            relying_party: Arc::new(relying_party),
            policy: Arc::new(policy),
            storage,
            random: SystemRandom::new(),
        }
    }

    pub fn relying_party(&self) -> &RelyingParty {
        &self.relying_party
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// `create_passkey_challenge`.
    pub async fn issue_challenge(
        &self,
        hostname: &str,
        username: &str,
    ) -> Result<IssuedChallenge, CreatePasskeyChallengeError> {
        use CreatePasskeyChallengeError as E;
        if hostname != self.relying_party.id {
            return Err(E::UnknownHostname(self.unknown_hostname(hostname)));
        }
        validate_username(username).map_err(E::InvalidUsername)?;
        // A taken username is refused by the write itself, inside its
        // transaction; a read first would only cost every issuance a hop.
        let (challenge, user_id) = self
            .random_ids()
            .map_err(unavailable(E::StorageUnavailable))?;
        let issued_at = whole_milliseconds(self.storage.clock().now());
        let record = ChallengeRecord {
            hostname: hostname.to_owned(),
            username: username.to_owned(),
            user_id,
            issued_at,
            expires_at: issued_at + self.policy.challenge_ttl,
        };
        let stored = self
            .storage
            .issue_challenge(
                challenge,
                record.clone(),
                self.policy.max_pending_challenges,
            )
            .await
            .map_err(unavailable(E::StorageUnavailable))?;
        match stored {
            Ok(()) => {}
            Err(IssueRefusal::UsernameTaken) => {
                return Err(E::UsernameTaken(username_taken(username)));
            }
            Err(IssueRefusal::TooManyPending) => {
                tracing::warn!(
                    max = self.policy.max_pending_challenges,
                    "challenge refused: too many pending challenges"
                );
                return Err(E::TooManyPendingChallenges(format!(
                    "the server already holds {} unexpired challenges, its limit; try again in a few minutes",
                    self.policy.max_pending_challenges
                )));
            }
        }
        tracing::debug!(hostname, "challenge issued");
        Ok(IssuedChallenge { challenge, record })
    }

    /// `create_passkey`: checks the request, verifies the registration
    /// against the challenge, and stores the passkey while using up the
    /// challenge, in one transaction.
    pub async fn register(
        &self,
        dto: CreatePasskeyResolverDto,
    ) -> Result<StoredPasskey, CreatePasskeyError> {
        use CreatePasskeyError as E;
        if dto.hostname != self.relying_party.id {
            return Err(E::UnknownHostname(self.unknown_hostname(&dto.hostname)));
        }
        validate_label(&dto.label).map_err(E::InvalidLabel)?;
        validate_username(&dto.registration.username).map_err(E::InvalidUsername)?;
        let challenge = parse_challenge(&dto.challenge).ok_or_else(|| {
            E::ChallengeNotFound(
                "`challenge` is not one this server issues: those are 32 bytes in base64url"
                    .to_owned(),
            )
        })?;

        let record = self
            .storage
            .challenge(challenge)
            .await
            .map_err(unavailable(E::StorageUnavailable))?
            .ok_or_else(|| E::ChallengeNotFound(challenge_not_found()))?;
        let now = self.storage.clock().now();
        if now >= record.expires_at {
            return Err(E::ChallengeExpired(challenge_expired(&record)));
        }
        if record.hostname != dto.hostname || record.username != dto.registration.username {
            return Err(E::ChallengeMismatch(challenge_mismatch()));
        }

        let username = dto.registration.username.clone();
        let credential = self.verify(dto.registration, challenge, now).await?;
        let passkey = NewPasskey {
            id: PasskeyId(
                self.random_bytes()
                    .map_err(unavailable(E::StorageUnavailable))?,
            ),
            challenge,
            hostname: dto.hostname,
            username,
            label: dto.label,
            credential: stored_credential(&credential),
            created_at: whole_milliseconds(now),
        };
        let stored = self
            .storage
            .register(passkey)
            .await
            .map_err(unavailable(E::StorageUnavailable))?
            .map_err(|refusal| match refusal {
                RegisterRefusal::ChallengeNotFound => E::ChallengeNotFound(challenge_not_found()),
                RegisterRefusal::ChallengeExpired => {
                    E::ChallengeExpired(challenge_expired(&record))
                }
                RegisterRefusal::ChallengeMismatch => E::ChallengeMismatch(challenge_mismatch()),
                RegisterRefusal::CredentialAlreadyRegistered => E::CredentialAlreadyRegistered(
                    "this credential is already registered; an authenticator creates a new \
                     credential for each registration"
                        .to_owned(),
                ),
                RegisterRefusal::UsernameTaken => {
                    E::UsernameTaken(username_taken(&record.username))
                }
            })?;
        tracing::info!(
            passkey_id = %stored.id,
            user_id = %stored.user_id,
            hostname = %stored.hostname,
            format = %stored.credential.attestation_format,
            "passkey registered"
        );
        Ok(stored)
    }

    // Signature checks take tens of microseconds, an Android chain close to
    // a millisecond: too long to hold an async worker.
    async fn verify(
        &self,
        registration: passkey_api::types::CreatePasskeyRegistrationResolverDto,
        challenge: Challenge,
        now: OffsetDateTime,
    ) -> Result<VerifiedCredential, CreatePasskeyError> {
        let relying_party = Arc::clone(&self.relying_party);
        let policy = Arc::clone(&self.policy);
        let verified = tokio::task::spawn_blocking(move || {
            let client = Registration {
                credential_id: &registration.credential.id,
                public_key: &registration.credential.public_key,
                algorithm: &registration.credential.algorithm,
                authenticator_data: &registration.authenticator_data,
                client_data: &registration.client_data,
                attestation_object: &registration.attestation_data,
            };
            let expected = Expectations {
                rp_id: &relying_party.id,
                origins: &relying_party.origins,
                challenge: &challenge.0,
                require_user_verification: policy.user_verification == UserVerification::Required,
                algorithms: &policy.algorithms,
                now,
                trust_anchors: &[],
            };
            webauthn::verify_registration(&client, &expected)
        })
        .await
        .map_err(|error| {
            tracing::error!(%error, "the verifier task failed");
            CreatePasskeyError::MalformedRegistration(
                "the registration could not be verified".to_owned(),
            )
        })?;
        verified.map_err(|error| {
            tracing::debug!(code = error.code(), "registration refused");
            refused(&error)
        })
    }

    fn unknown_hostname(&self, hostname: &str) -> String {
        format!(
            "`{hostname}` is not a relying party of this server; it registers passkeys for `{}` only",
            self.relying_party.id
        )
    }

    fn random_ids(&self) -> Result<(Challenge, UserId), StorageError> {
        Ok((
            Challenge(self.random_bytes()?),
            UserId(self.random_bytes()?),
        ))
    }

    fn random_bytes<const N: usize>(&self) -> Result<[u8; N], StorageError> {
        let mut bytes = [0; N];
        self.random
            .fill(&mut bytes)
            .map_err(|_| StorageError::Backend("the system random generator failed".to_owned()))?;
        Ok(bytes)
    }
}

/// The API error for a registration the verifier refused. The verifier's
/// finer code goes into the message, where a developer looks for it.
fn refused(error: &RegistrationError) -> CreatePasskeyError {
    use CreatePasskeyError as E;
    use RegistrationError as R;
    let message = format!("{error} (check {})", error.code());
    // No wildcard: a new verifier error must be given an API code here.
    match error {
        R::UnknownHostname(_) => E::UnknownHostname(message),
        R::ChallengeMismatch => E::ChallengeMismatch(message),
        R::OriginNotAllowed(_) | R::CrossOrigin | R::UnexpectedTopOrigin(_) => {
            E::OriginNotAllowed(message)
        }
        R::RpIdHashMismatch => E::RpIdMismatch(message),
        R::UserNotPresent | R::UserNotVerified => E::UserNotVerified(message),
        R::AlgorithmNotAllowed(_) => E::AlgorithmNotAllowed(message),
        R::UnsupportedAttestationFormat(_) | R::SafetyNetRetired | R::Attestation { .. } => {
            E::AttestationInvalid(message)
        }
        R::MissingField(_)
        | R::FieldTooLong { .. }
        | R::InvalidBase64 { .. }
        | R::ClientDataNotUtf8
        | R::ClientDataInvalidJson(_)
        | R::ClientDataDuplicateKey(_)
        | R::ClientDataMissingField(_)
        | R::ClientDataFieldType(_)
        | R::ClientDataWrongType(_)
        | R::AttestationObjectCbor(_)
        | R::AttestationObjectMalformed(_)
        | R::AuthenticatorDataMalformed(_)
        | R::AuthenticatorDataTrailingBytes(_)
        | R::CredentialIdTooLong(_)
        | R::BackupStateWithoutEligibility
        | R::NoAttestedCredentialData
        | R::CoseKeyMalformed(_)
        | R::AuthenticatorDataMismatch
        | R::CredentialIdMismatch
        | R::AlgorithmMismatch { .. }
        | R::PublicKeyMismatch => E::MalformedRegistration(message),
    }
}

fn stored_credential(credential: &VerifiedCredential) -> StoredCredential {
    StoredCredential {
        credential_id: credential.credential_id.clone(),
        public_key_cose: credential.public_key_cose.clone(),
        algorithm: credential.algorithm.to_i64(),
        sign_count: credential.sign_count,
        user_verified: credential.flags.uv,
        backup_eligible: credential.flags.be,
        backed_up: credential.flags.bs,
        aaguid: credential.aaguid,
        attestation_format: credential.attestation_format.name().to_owned(),
    }
}

// Anything that does not decode to 32 bytes was not issued here.
fn parse_challenge(text: &str) -> Option<Challenge> {
    let bytes = base64url::decode("challenge", text, 32).ok()?;
    Some(Challenge(bytes.try_into().ok()?))
}

// Stored times have millisecond resolution; rounding here makes what the
// API returns equal to what is stored.
fn whole_milliseconds(time: OffsetDateTime) -> OffsetDateTime {
    let nanosecond = time.nanosecond() / 1_000_000 * 1_000_000;
    time.replace_nanosecond(nanosecond).unwrap_or(time)
}

fn challenge_not_found() -> String {
    "this server did not issue that challenge, or a registration has already used it; \
     ask `create_passkey_challenge` for a new one"
        .to_owned()
}

fn challenge_expired(record: &ChallengeRecord) -> String {
    format!(
        "the challenge expired at {}; ask `create_passkey_challenge` for a new one",
        record
            .expires_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    )
}

fn challenge_mismatch() -> String {
    "the challenge was issued for another hostname or username; register with the `hostname` \
     and `username` it was issued for"
        .to_owned()
}

fn username_taken(username: &str) -> String {
    format!(
        "`{username}` already has a passkey; sign in instead, or choose another username \
         (letter case does not make a username distinct)"
    )
}

/// Maps a storage failure to an operation's `STORAGE_UNAVAILABLE` variant.
/// The client learns only that storage failed; the cause goes to the log.
fn unavailable<E>(variant: fn(String) -> E) -> impl Fn(StorageError) -> E {
    move |error| {
        tracing::error!(%error, "storage failed");
        variant(
            "the server could not use its database; nothing was stored, try again later".to_owned(),
        )
    }
}
