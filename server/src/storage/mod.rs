//! What the server stores, and the narrow interface to it: users, passkeys,
//! the credential-ID index and issued challenges. Resolvers see only the
//! records and refusals defined here, never a database type, so a second
//! backend can sit behind [`Store`] beside [`redb_store::RedbStore`].
//!
//! Writes go through one writer thread ([`writer`]) that commits whatever
//! has queued up in a single transaction, so concurrent registrations share
//! one fsync; every write checks its own preconditions inside that
//! transaction, which is what makes a challenge single-use.

pub mod redb_store;
pub mod writer;

use std::fmt;

use time::OffsetDateTime;

use crate::webauthn::base64url;

pub use redb_store::RedbStore;
pub use writer::Storage;

/// A user's ID: 16 random bytes, also the WebAuthn user handle.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserId(pub [u8; 16]);

/// A passkey's ID: 16 random bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PasskeyId(pub [u8; 16]);

/// A registration challenge: 32 random bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Challenge(pub [u8; 32]);

macro_rules! base64url_id {
    ($name:ident) => {
        impl $name {
            /// As the API shows it: base64url without padding.
            pub fn to_base64url(&self) -> String {
                base64url::encode(&self.0)
            }
        }
    };
}
base64url_id!(UserId);
base64url_id!(PasskeyId);
base64url_id!(Challenge);

// IDs are not secrets, and in base64url an operator can search for them.
impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

impl fmt::Display for PasskeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64url())
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UserId({self})")
    }
}

impl fmt::Debug for PasskeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PasskeyId({self})")
    }
}

// An unused challenge is a credential in flight: it has no Display, and its
// Debug never shows it, so it cannot reach a log by accident.
impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Challenge(<redacted>)")
    }
}

/// What a challenge was issued for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChallengeRecord {
    /// The relying party ID.
    pub hostname: String,
    /// The username, exactly as it was given.
    pub username: String,
    /// The ID the user gets if this challenge's registration creates them.
    pub user_id: UserId,
    pub issued_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// A verified registration, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPasskey {
    pub id: PasskeyId,
    /// The challenge the registration answered; storing the passkey uses it
    /// up.
    pub challenge: Challenge,
    pub hostname: String,
    pub username: String,
    pub label: String,
    pub credential: StoredCredential,
    pub created_at: OffsetDateTime,
}

/// The credential as the verifier accepted it: what signing in will check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCredential {
    pub credential_id: Vec<u8>,
    /// The public key as the authenticator encoded it (COSE).
    pub public_key_cose: Vec<u8>,
    /// The COSE algorithm number.
    pub algorithm: i64,
    pub sign_count: u32,
    pub user_verified: bool,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub aaguid: [u8; 16],
    /// The attestation statement format, such as `packed`.
    pub attestation_format: String,
}

/// A stored passkey and its owner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPasskey {
    pub id: PasskeyId,
    pub user_id: UserId,
    pub hostname: String,
    pub username: String,
    pub label: String,
    pub challenge: Challenge,
    pub credential: StoredCredential,
    pub created_at: OffsetDateTime,
}

/// A user who has at least one passkey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPasskeys {
    pub user_id: UserId,
    /// The credential IDs of the user's passkeys.
    pub credential_ids: Vec<Vec<u8>>,
}

/// How many records each table holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub users: u64,
    pub passkeys: u64,
    pub credential_ids: u64,
    pub challenges: u64,
}

/// One change, checked and applied inside a write transaction.
#[derive(Debug, Clone)]
pub enum WriteOp {
    /// Stores a new challenge, unless the username is taken or too many
    /// challenges are pending.
    IssueChallenge {
        challenge: Challenge,
        record: ChallengeRecord,
        max_pending: u64,
    },
    /// Stores a passkey (and its user, if new) and uses up its challenge.
    Register(Box<NewPasskey>),
    /// Deletes the challenges that have expired.
    PurgeExpired,
}

/// What a [`WriteOp`] did; the variant matches the op's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    ChallengeIssued(Result<(), IssueRefusal>),
    Registered(Result<Box<StoredPasskey>, RegisterRefusal>),
    Purged(u64),
}

/// Why a challenge was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueRefusal {
    UsernameTaken,
    TooManyPending,
}

/// Why a passkey was not stored. Checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterRefusal {
    /// Never issued, or already used by a registration.
    ChallengeNotFound,
    ChallengeExpired,
    /// Issued for another hostname or username.
    ChallengeMismatch,
    CredentialAlreadyRegistered,
    UsernameTaken,
}

/// The storage failed; what was being written was not written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("the database file is already open in another process: {0}")]
    AlreadyOpen(String),
    #[error(
        "the database has format version {found}, and this server reads version {expected}; \
         use a matching server or a new database file"
    )]
    FormatVersion { found: u64, expected: u64 },
    #[error("a stored record is corrupt: {0}")]
    Corrupt(String),
    #[error("the database failed: {0}")]
    Backend(String),
    #[error("the storage has shut down")]
    Closed,
}

/// A storage backend. Its methods block; [`Storage`] calls them off the
/// async executor.
pub trait Store: Send + Sync + 'static {
    /// Applies `ops` in order in one transaction and commits it durably.
    /// Each op sees the ones before it. A refused op writes nothing; an
    /// error writes nothing at all.
    fn write(
        &self,
        ops: &[WriteOp],
        now: OffsetDateTime,
    ) -> Result<Vec<WriteOutcome>, StorageError>;

    /// The record of an issued challenge that has not been used yet.
    fn challenge(&self, challenge: &Challenge) -> Result<Option<ChallengeRecord>, StorageError>;

    /// The user with this username, if they have passkeys. The comparison
    /// ignores ASCII letter case, as username uniqueness does.
    fn user_passkeys(
        &self,
        hostname: &str,
        username: &str,
    ) -> Result<Option<UserPasskeys>, StorageError>;

    /// The passkey with this credential ID.
    fn passkey_by_credential_id(
        &self,
        credential_id: &[u8],
    ) -> Result<Option<StoredPasskey>, StorageError>;

    /// How many records each table holds.
    fn counts(&self) -> Result<Counts, StorageError>;

    /// Fails when the database cannot be read.
    fn check(&self) -> Result<(), StorageError>;

    /// Closes the backend; every later call fails with
    /// [`StorageError::Closed`].
    fn close(&self) -> Result<(), StorageError>;
}

/// The key under which a username is unique: letter case does not make two
/// usernames distinct, so `Alice` cannot impersonate `alice`. Usernames are
/// ASCII (see `input::validate_username`), so ASCII folding is complete.
pub fn username_key(username: &str) -> String {
    username.to_ascii_lowercase()
}
