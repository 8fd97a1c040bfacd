//! The redb backend: one database file with a table per record kind and the
//! indexes that keep usernames and credential IDs unique. Records are
//! postcard-encoded structs; the file carries a format version, checked on
//! open, so a server never misreads a file written by another version.

use std::path::Path;
use std::sync::RwLock;

use redb::{
    Database, Durability, MultimapTableDefinition, ReadTransaction, ReadableDatabase,
    ReadableMultimapTable, ReadableTable, ReadableTableMetadata, TableDefinition, WriteTransaction,
};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use time::OffsetDateTime;

use super::{
    Challenge, ChallengeRecord, Counts, IssueRefusal, NewPasskey, PasskeyId, RegisterRefusal,
    StorageError, Store, StoredCredential, StoredPasskey, UserId, UserPasskeys, WriteOp,
    WriteOutcome, username_key,
};

/// The layout of the tables and records below. Bump it with any change to
/// them, together with a migration.
pub const FORMAT_VERSION: u64 = 1;

const META: TableDefinition<&str, u64> = TableDefinition::new("meta");
const FORMAT_VERSION_KEY: &str = "format_version";
/// User ID → `UserValue`.
const USERS: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("users");
/// (hostname, username folded to lower case) → user ID.
const USERNAMES: TableDefinition<(&str, &str), &[u8; 16]> = TableDefinition::new("usernames");
/// Passkey ID → `PasskeyValue`.
const PASSKEYS: TableDefinition<&[u8; 16], &[u8]> = TableDefinition::new("passkeys");
/// Credential ID → passkey ID, across all users and relying parties.
const CREDENTIAL_IDS: TableDefinition<&[u8], &[u8; 16]> = TableDefinition::new("credential_ids");
/// User ID → the IDs of the user's passkeys.
const USER_PASSKEYS: MultimapTableDefinition<&[u8; 16], &[u8; 16]> =
    MultimapTableDefinition::new("user_passkeys");
/// Challenge → `ChallengeValue`, while unused and not yet purged.
const CHALLENGES: TableDefinition<&[u8; 32], &[u8]> = TableDefinition::new("challenges");
/// (expiry in Unix milliseconds, challenge) → (), so that purging reads
/// only the expired entries.
const CHALLENGE_EXPIRY: TableDefinition<(i64, &[u8; 32]), ()> =
    TableDefinition::new("challenge_expiry");

#[derive(Debug, Serialize, Deserialize)]
struct UserValue {
    hostname: String,
    username: String,
    created_at_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct PasskeyValue {
    user_id: [u8; 16],
    hostname: String,
    username: String,
    label: String,
    challenge: [u8; 32],
    credential_id: Vec<u8>,
    public_key_cose: Vec<u8>,
    algorithm: i64,
    sign_count: u32,
    user_verified: bool,
    backup_eligible: bool,
    backed_up: bool,
    aaguid: [u8; 16],
    attestation_format: String,
    created_at_ms: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ChallengeValue {
    hostname: String,
    username: String,
    user_id: [u8; 16],
    issued_at_ms: i64,
    expires_at_ms: i64,
}

/// The redb-backed [`Store`].
pub struct RedbStore {
    // `None` once closed. Readers take the lock shared; only `close` takes
    // it exclusively, so it never contends in normal operation.
    database: RwLock<Option<Database>>,
}

impl RedbStore {
    /// Opens the database at `path`, creating it (and its directory) if it
    /// does not exist, and checks its format version.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|error| {
                StorageError::Backend(format!("cannot create {}: {error}", parent.display()))
            })?;
        }
        // The integrity check turns a file damaged outside redb into an
        // error here rather than a panic on some later read.
        let database = Database::builder()
            .set_check_integrity_on_open(true)
            .create(path)
            .map_err(|error| match error {
                redb::DatabaseError::DatabaseAlreadyOpen => {
                    StorageError::AlreadyOpen(path.display().to_string())
                }
                other => StorageError::Backend(format!("{}: {other}", path.display())),
            })?;
        initialize(&database)?;
        Ok(Self {
            database: RwLock::new(Some(database)),
        })
    }

    fn with_database<T>(
        &self,
        f: impl FnOnce(&Database) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        let guard = self.database.read().map_err(|_| StorageError::Closed)?;
        let database = guard.as_ref().ok_or(StorageError::Closed)?;
        f(database)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&ReadTransaction) -> Result<T, StorageError>,
    ) -> Result<T, StorageError> {
        self.with_database(|database| f(&database.begin_read().map_err(backend)?))
    }
}

// Creates the tables of a new file and stamps its version, or checks the
// version of an existing one.
fn initialize(database: &Database) -> Result<(), StorageError> {
    let transaction = database.begin_write().map_err(backend)?;
    {
        let mut meta = transaction.open_table(META).map_err(backend)?;
        let found = meta
            .get(FORMAT_VERSION_KEY)
            .map_err(backend)?
            .map(|v| v.value());
        match found {
            Some(FORMAT_VERSION) => {}
            Some(found) => {
                return Err(StorageError::FormatVersion {
                    found,
                    expected: FORMAT_VERSION,
                });
            }
            None => {
                meta.insert(FORMAT_VERSION_KEY, FORMAT_VERSION)
                    .map_err(backend)?;
            }
        }
    }
    // Opening creates the tables, so readers never meet a missing one.
    Tables::open(&transaction)?;
    transaction.commit().map_err(backend)
}

/// Every table, open in one write transaction.
struct Tables<'t> {
    users: redb::Table<'t, &'static [u8; 16], &'static [u8]>,
    usernames: redb::Table<'t, (&'static str, &'static str), &'static [u8; 16]>,
    passkeys: redb::Table<'t, &'static [u8; 16], &'static [u8]>,
    credential_ids: redb::Table<'t, &'static [u8], &'static [u8; 16]>,
    user_passkeys: redb::MultimapTable<'t, &'static [u8; 16], &'static [u8; 16]>,
    challenges: redb::Table<'t, &'static [u8; 32], &'static [u8]>,
    challenge_expiry: redb::Table<'t, (i64, &'static [u8; 32]), ()>,
}

impl<'t> Tables<'t> {
    fn open(transaction: &'t WriteTransaction) -> Result<Self, StorageError> {
        Ok(Self {
            users: transaction.open_table(USERS).map_err(backend)?,
            usernames: transaction.open_table(USERNAMES).map_err(backend)?,
            passkeys: transaction.open_table(PASSKEYS).map_err(backend)?,
            credential_ids: transaction.open_table(CREDENTIAL_IDS).map_err(backend)?,
            user_passkeys: transaction
                .open_multimap_table(USER_PASSKEYS)
                .map_err(backend)?,
            challenges: transaction.open_table(CHALLENGES).map_err(backend)?,
            challenge_expiry: transaction.open_table(CHALLENGE_EXPIRY).map_err(backend)?,
        })
    }

    fn apply(&mut self, op: &WriteOp, now: OffsetDateTime) -> Result<WriteOutcome, StorageError> {
        Ok(match op {
            WriteOp::IssueChallenge {
                challenge,
                record,
                max_pending,
            } => WriteOutcome::ChallengeIssued(self.issue_challenge(
                challenge,
                record,
                *max_pending,
                now,
            )?),
            WriteOp::Register(passkey) => WriteOutcome::Registered(self.register(passkey, now)?),
            WriteOp::PurgeExpired => WriteOutcome::Purged(self.purge_expired(now)?),
        })
    }

    fn username_taken(&self, hostname: &str, username: &str) -> Result<bool, StorageError> {
        let key = username_key(username);
        Ok(self
            .usernames
            .get((hostname, key.as_str()))
            .map_err(backend)?
            .is_some())
    }

    fn issue_challenge(
        &mut self,
        challenge: &Challenge,
        record: &ChallengeRecord,
        max_pending: u64,
        now: OffsetDateTime,
    ) -> Result<Result<(), IssueRefusal>, StorageError> {
        if self.username_taken(&record.hostname, &record.username)? {
            return Ok(Err(IssueRefusal::UsernameTaken));
        }
        if self.challenges.len().map_err(backend)? >= max_pending {
            self.purge_expired(now)?;
            if self.challenges.len().map_err(backend)? >= max_pending {
                return Ok(Err(IssueRefusal::TooManyPending));
            }
        }
        let expires_at_ms = unix_ms(record.expires_at);
        let value = encode(&ChallengeValue {
            hostname: record.hostname.clone(),
            username: record.username.clone(),
            user_id: record.user_id.0,
            issued_at_ms: unix_ms(record.issued_at),
            expires_at_ms,
        })?;
        self.challenges
            .insert(&challenge.0, value.as_slice())
            .map_err(backend)?;
        self.challenge_expiry
            .insert((expires_at_ms, &challenge.0), ())
            .map_err(backend)?;
        Ok(Ok(()))
    }

    fn register(
        &mut self,
        passkey: &NewPasskey,
        now: OffsetDateTime,
    ) -> Result<Result<Box<StoredPasskey>, RegisterRefusal>, StorageError> {
        // Every check comes before the first write, so a refusal leaves the
        // transaction as it found it.
        let record = match self.challenges.get(&passkey.challenge.0).map_err(backend)? {
            Some(value) => challenge_record(&decode::<ChallengeValue>(value.value())?)?,
            None => return Ok(Err(RegisterRefusal::ChallengeNotFound)),
        };
        if now >= record.expires_at {
            return Ok(Err(RegisterRefusal::ChallengeExpired));
        }
        if record.hostname != passkey.hostname || record.username != passkey.username {
            return Ok(Err(RegisterRefusal::ChallengeMismatch));
        }
        let credential_id = passkey.credential.credential_id.as_slice();
        if self
            .credential_ids
            .get(credential_id)
            .map_err(backend)?
            .is_some()
        {
            return Ok(Err(RegisterRefusal::CredentialAlreadyRegistered));
        }
        if self.username_taken(&passkey.hostname, &passkey.username)? {
            return Ok(Err(RegisterRefusal::UsernameTaken));
        }

        let user_id = record.user_id;
        let created_at_ms = unix_ms(passkey.created_at);
        let user = encode(&UserValue {
            hostname: passkey.hostname.clone(),
            username: passkey.username.clone(),
            created_at_ms,
        })?;
        let key = username_key(&passkey.username);
        self.users
            .insert(&user_id.0, user.as_slice())
            .map_err(backend)?;
        self.usernames
            .insert((passkey.hostname.as_str(), key.as_str()), &user_id.0)
            .map_err(backend)?;
        let value = encode(&passkey_value(passkey, user_id))?;
        self.passkeys
            .insert(&passkey.id.0, value.as_slice())
            .map_err(backend)?;
        self.credential_ids
            .insert(credential_id, &passkey.id.0)
            .map_err(backend)?;
        self.user_passkeys
            .insert(&user_id.0, &passkey.id.0)
            .map_err(backend)?;
        self.challenges
            .remove(&passkey.challenge.0)
            .map_err(backend)?;
        self.challenge_expiry
            .remove((unix_ms(record.expires_at), &passkey.challenge.0))
            .map_err(backend)?;

        Ok(Ok(Box::new(StoredPasskey {
            id: passkey.id,
            user_id,
            hostname: passkey.hostname.clone(),
            username: passkey.username.clone(),
            label: passkey.label.clone(),
            challenge: passkey.challenge,
            credential: passkey.credential.clone(),
            created_at: passkey.created_at,
        })))
    }

    fn purge_expired(&mut self, now: OffsetDateTime) -> Result<u64, StorageError> {
        // A challenge is expired once `now >= expires_at`, so every entry
        // below (now + 1 ms, any challenge) goes.
        let end = unix_ms(now).saturating_add(1);
        let expired: Vec<(i64, [u8; 32])> = self
            .challenge_expiry
            .range(..(end, &[0u8; 32]))
            .map_err(backend)?
            .map(|entry| {
                entry.map(|(key, _)| {
                    let (expires_at_ms, challenge) = key.value();
                    (expires_at_ms, *challenge)
                })
            })
            .collect::<Result<_, _>>()
            .map_err(backend)?;
        for (expires_at_ms, challenge) in &expired {
            self.challenge_expiry
                .remove((*expires_at_ms, challenge))
                .map_err(backend)?;
            self.challenges.remove(challenge).map_err(backend)?;
        }
        Ok(expired.len() as u64)
    }
}

impl Store for RedbStore {
    fn write(
        &self,
        ops: &[WriteOp],
        now: OffsetDateTime,
    ) -> Result<Vec<WriteOutcome>, StorageError> {
        self.with_database(|database| {
            let mut transaction = database.begin_write().map_err(backend)?;
            transaction
                .set_durability(Durability::Immediate)
                .map_err(backend)?;
            // A commit is either wholly there after a crash or wholly
            // absent, even with a disk that reorders writes.
            transaction.set_two_phase_commit(true);
            let outcomes = {
                let mut tables = Tables::open(&transaction)?;
                ops.iter()
                    .map(|op| tables.apply(op, now))
                    .collect::<Result<Vec<_>, _>>()?
            };
            // Dropping the transaction on an error above aborts it.
            transaction.commit().map_err(backend)?;
            Ok(outcomes)
        })
    }

    fn challenge(&self, challenge: &Challenge) -> Result<Option<ChallengeRecord>, StorageError> {
        self.read(|transaction| {
            let table = transaction.open_table(CHALLENGES).map_err(backend)?;
            let value = table.get(&challenge.0).map_err(backend)?;
            value
                .map(|value| challenge_record(&decode(value.value())?))
                .transpose()
        })
    }

    fn user_passkeys(
        &self,
        hostname: &str,
        username: &str,
    ) -> Result<Option<UserPasskeys>, StorageError> {
        self.read(|transaction| {
            let usernames = transaction.open_table(USERNAMES).map_err(backend)?;
            let key = username_key(username);
            let Some(user_id) = usernames.get((hostname, key.as_str())).map_err(backend)? else {
                return Ok(None);
            };
            let user_id = UserId(*user_id.value());
            let user_passkeys = transaction
                .open_multimap_table(USER_PASSKEYS)
                .map_err(backend)?;
            let passkeys = transaction.open_table(PASSKEYS).map_err(backend)?;
            let mut credential_ids = Vec::new();
            for passkey_id in user_passkeys.get(&user_id.0).map_err(backend)? {
                let passkey_id = passkey_id.map_err(backend)?;
                let value = passkeys
                    .get(passkey_id.value())
                    .map_err(backend)?
                    .ok_or_else(|| {
                        StorageError::Corrupt("a user's passkey is missing".to_owned())
                    })?;
                credential_ids.push(decode::<PasskeyValue>(value.value())?.credential_id);
            }
            Ok(Some(UserPasskeys {
                user_id,
                credential_ids,
            }))
        })
    }

    fn passkey_by_credential_id(
        &self,
        credential_id: &[u8],
    ) -> Result<Option<StoredPasskey>, StorageError> {
        self.read(|transaction| {
            let index = transaction.open_table(CREDENTIAL_IDS).map_err(backend)?;
            let Some(passkey_id) = index.get(credential_id).map_err(backend)? else {
                return Ok(None);
            };
            let passkey_id = PasskeyId(*passkey_id.value());
            let passkeys = transaction.open_table(PASSKEYS).map_err(backend)?;
            let value = passkeys
                .get(&passkey_id.0)
                .map_err(backend)?
                .ok_or_else(|| {
                    StorageError::Corrupt("an indexed credential's passkey is missing".to_owned())
                })?;
            stored_passkey(passkey_id, decode(value.value())?).map(Some)
        })
    }

    fn counts(&self) -> Result<Counts, StorageError> {
        self.read(|transaction| {
            Ok(Counts {
                users: table_len(transaction, USERS)?,
                passkeys: table_len(transaction, PASSKEYS)?,
                credential_ids: table_len(transaction, CREDENTIAL_IDS)?,
                challenges: table_len(transaction, CHALLENGES)?,
            })
        })
    }

    fn check(&self) -> Result<(), StorageError> {
        self.read(|transaction| {
            let meta = transaction.open_table(META).map_err(backend)?;
            match meta.get(FORMAT_VERSION_KEY).map_err(backend)? {
                Some(version) if version.value() == FORMAT_VERSION => Ok(()),
                _ => Err(StorageError::Corrupt(
                    "the format version is missing".to_owned(),
                )),
            }
        })
    }

    fn close(&self) -> Result<(), StorageError> {
        let database = self
            .database
            .write()
            .map_err(|_| StorageError::Closed)?
            .take();
        match database {
            Some(database) => database.close().map_err(backend),
            None => Ok(()),
        }
    }
}

fn table_len<K: redb::Key + 'static, V: redb::Value + 'static>(
    transaction: &ReadTransaction,
    table: TableDefinition<K, V>,
) -> Result<u64, StorageError> {
    transaction
        .open_table(table)
        .map_err(backend)?
        .len()
        .map_err(backend)
}

fn passkey_value(passkey: &NewPasskey, user_id: UserId) -> PasskeyValue {
    let credential = &passkey.credential;
    PasskeyValue {
        user_id: user_id.0,
        hostname: passkey.hostname.clone(),
        username: passkey.username.clone(),
        label: passkey.label.clone(),
        challenge: passkey.challenge.0,
        credential_id: credential.credential_id.clone(),
        public_key_cose: credential.public_key_cose.clone(),
        algorithm: credential.algorithm,
        sign_count: credential.sign_count,
        user_verified: credential.user_verified,
        backup_eligible: credential.backup_eligible,
        backed_up: credential.backed_up,
        aaguid: credential.aaguid,
        attestation_format: credential.attestation_format.clone(),
        created_at_ms: unix_ms(passkey.created_at),
    }
}

fn stored_passkey(id: PasskeyId, value: PasskeyValue) -> Result<StoredPasskey, StorageError> {
    Ok(StoredPasskey {
        id,
        user_id: UserId(value.user_id),
        hostname: value.hostname,
        username: value.username,
        label: value.label,
        challenge: Challenge(value.challenge),
        credential: StoredCredential {
            credential_id: value.credential_id,
            public_key_cose: value.public_key_cose,
            algorithm: value.algorithm,
            sign_count: value.sign_count,
            user_verified: value.user_verified,
            backup_eligible: value.backup_eligible,
            backed_up: value.backed_up,
            aaguid: value.aaguid,
            attestation_format: value.attestation_format,
        },
        created_at: from_unix_ms(value.created_at_ms)?,
    })
}

fn challenge_record(value: &ChallengeValue) -> Result<ChallengeRecord, StorageError> {
    Ok(ChallengeRecord {
        hostname: value.hostname.clone(),
        username: value.username.clone(),
        user_id: UserId(value.user_id),
        issued_at: from_unix_ms(value.issued_at_ms)?,
        expires_at: from_unix_ms(value.expires_at_ms)?,
    })
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StorageError> {
    postcard::to_stdvec(value).map_err(|error| StorageError::Backend(error.to_string()))
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, StorageError> {
    postcard::from_bytes(bytes).map_err(|error| StorageError::Corrupt(error.to_string()))
}

/// Milliseconds since the Unix epoch: the resolution of stored times.
fn unix_ms(time: OffsetDateTime) -> i64 {
    // i64 milliseconds span ±292 million years, beyond `time`'s range.
    (time.unix_timestamp_nanos() / 1_000_000) as i64
}

fn from_unix_ms(ms: i64) -> Result<OffsetDateTime, StorageError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|error| StorageError::Corrupt(format!("a stored time is out of range: {error}")))
}

fn backend(error: impl Into<redb::Error>) -> StorageError {
    StorageError::Backend(error.into().to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use time::Duration;

    use super::*;

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000 + seconds).unwrap()
    }

    fn challenge(byte: u8) -> Challenge {
        Challenge([byte; 32])
    }

    fn issue(byte: u8, username: &str, expires: i64) -> WriteOp {
        WriteOp::IssueChallenge {
            challenge: challenge(byte),
            record: ChallengeRecord {
                hostname: "example.test".to_owned(),
                username: username.to_owned(),
                user_id: UserId([byte; 16]),
                issued_at: at(0),
                expires_at: at(expires),
            },
            max_pending: 3,
        }
    }

    fn register(byte: u8, username: &str, credential: &[u8]) -> WriteOp {
        WriteOp::Register(Box::new(NewPasskey {
            id: PasskeyId([byte; 16]),
            challenge: challenge(byte),
            hostname: "example.test".to_owned(),
            username: username.to_owned(),
            label: "Laptop".to_owned(),
            credential: StoredCredential {
                credential_id: credential.to_vec(),
                public_key_cose: vec![0xa5],
                algorithm: -7,
                sign_count: 0,
                user_verified: true,
                backup_eligible: false,
                backed_up: false,
                aaguid: [0; 16],
                attestation_format: "none".to_owned(),
            },
            created_at: at(1),
        }))
    }

    fn open() -> (tempfile::TempDir, RedbStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = RedbStore::open(&dir.path().join("db/passkeys.redb")).unwrap();
        (dir, store)
    }

    fn refusal(outcome: &WriteOutcome) -> Option<RegisterRefusal> {
        match outcome {
            WriteOutcome::Registered(Err(refusal)) => Some(*refusal),
            WriteOutcome::Registered(Ok(_)) => None,
            other => panic!("not a registration: {other:?}"),
        }
    }

    #[test]
    fn a_challenge_is_used_once_even_within_one_transaction() {
        let (_dir, store) = open();
        store.write(&[issue(1, "alice", 60)], at(0)).unwrap();

        let outcomes = store
            .write(
                &[
                    register(1, "alice", b"cred-1"),
                    register(1, "alice", b"cred-2"),
                ],
                at(1),
            )
            .unwrap();

        assert_eq!(refusal(&outcomes[0]), None);
        assert_eq!(
            refusal(&outcomes[1]),
            Some(RegisterRefusal::ChallengeNotFound)
        );
        assert_eq!(
            store.counts().unwrap(),
            Counts {
                users: 1,
                passkeys: 1,
                credential_ids: 1,
                challenges: 0
            }
        );
        assert!(store.challenge(&challenge(1)).unwrap().is_none());
    }

    #[test]
    fn refusals_are_checked_in_order_and_write_nothing() {
        let (_dir, store) = open();
        store
            .write(
                &[
                    issue(1, "alice", 60),
                    issue(2, "bob", 60),
                    issue(3, "carol", 1),
                ],
                at(0),
            )
            .unwrap();
        store
            .write(&[register(1, "alice", b"cred-1")], at(1))
            .unwrap();
        let before = store.counts().unwrap();

        let outcomes = store
            .write(
                &[
                    register(9, "alice", b"cred-9"),
                    register(3, "carol", b"cred-3"),
                    register(2, "mallory", b"cred-2"),
                    register(2, "bob", b"cred-1"),
                ],
                at(1),
            )
            .unwrap();

        let refusals: Vec<_> = outcomes.iter().map(refusal).collect();
        assert_eq!(
            refusals,
            [
                Some(RegisterRefusal::ChallengeNotFound),
                Some(RegisterRefusal::ChallengeExpired),
                Some(RegisterRefusal::ChallengeMismatch),
                Some(RegisterRefusal::CredentialAlreadyRegistered),
            ]
        );
        assert_eq!(store.counts().unwrap(), before);
    }

    #[test]
    fn usernames_are_unique_ignoring_ascii_case() {
        let (_dir, store) = open();
        store
            .write(&[issue(1, "alice", 60), issue(2, "ALICE", 60)], at(0))
            .unwrap();
        store
            .write(&[register(1, "alice", b"cred-1")], at(1))
            .unwrap();

        let outcomes = store
            .write(
                &[register(2, "ALICE", b"cred-2"), issue(3, "Alice", 60)],
                at(1),
            )
            .unwrap();

        assert_eq!(refusal(&outcomes[0]), Some(RegisterRefusal::UsernameTaken));
        assert_eq!(
            outcomes[1],
            WriteOutcome::ChallengeIssued(Err(IssueRefusal::UsernameTaken))
        );
        let user = store
            .user_passkeys("example.test", "Alice")
            .unwrap()
            .unwrap();
        assert_eq!(user.user_id, UserId([1; 16]));
        assert_eq!(user.credential_ids, [b"cred-1".to_vec()]);
        assert!(
            store
                .user_passkeys("other.test", "alice")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn pending_challenges_are_capped_after_purging_expired_ones() {
        let (_dir, store) = open();
        store
            .write(
                &[issue(1, "a", 10), issue(2, "b", 10), issue(3, "c", 60)],
                at(0),
            )
            .unwrap();

        let refused = store.write(&[issue(4, "d", 60)], at(5)).unwrap();
        assert_eq!(
            refused[0],
            WriteOutcome::ChallengeIssued(Err(IssueRefusal::TooManyPending))
        );

        // At 10 s the first two have expired and make room.
        let issued = store.write(&[issue(4, "d", 60)], at(10)).unwrap();
        assert_eq!(issued[0], WriteOutcome::ChallengeIssued(Ok(())));
        assert_eq!(store.counts().unwrap().challenges, 2);
        assert!(store.challenge(&challenge(1)).unwrap().is_none());
        assert!(store.challenge(&challenge(3)).unwrap().is_some());
    }

    #[test]
    fn purge_removes_exactly_the_expired_challenges() {
        let (_dir, store) = open();
        store
            .write(&[issue(1, "a", 10), issue(2, "b", 11)], at(0))
            .unwrap();

        let outcomes = store.write(&[WriteOp::PurgeExpired], at(10)).unwrap();

        assert_eq!(outcomes, [WriteOutcome::Purged(1)]);
        assert!(store.challenge(&challenge(1)).unwrap().is_none());
        assert!(store.challenge(&challenge(2)).unwrap().is_some());
    }

    #[test]
    fn data_survives_reopening_and_the_passkey_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passkeys.redb");
        {
            let store = RedbStore::open(&path).unwrap();
            store.write(&[issue(1, "alice", 60)], at(0)).unwrap();
            store
                .write(&[register(1, "alice", b"cred-1")], at(1))
                .unwrap();
            store.close().unwrap();
            assert_eq!(store.counts(), Err(StorageError::Closed));
        }
        let store = RedbStore::open(&path).unwrap();
        let passkey = store.passkey_by_credential_id(b"cred-1").unwrap().unwrap();
        assert_eq!(passkey.id, PasskeyId([1; 16]));
        assert_eq!(passkey.user_id, UserId([1; 16]));
        assert_eq!(passkey.label, "Laptop");
        assert_eq!(passkey.created_at, at(1));
        store.check().unwrap();
    }

    #[test]
    fn another_format_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passkeys.redb");
        {
            let database = Database::create(&path).unwrap();
            let transaction = database.begin_write().unwrap();
            transaction
                .open_table(META)
                .unwrap()
                .insert(FORMAT_VERSION_KEY, FORMAT_VERSION + 1)
                .unwrap();
            transaction.commit().unwrap();
        }
        let error = RedbStore::open(&path).err().unwrap();
        assert_eq!(
            error,
            StorageError::FormatVersion {
                found: FORMAT_VERSION + 1,
                expected: FORMAT_VERSION
            }
        );
    }

    #[test]
    fn a_file_that_is_not_a_database_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("passkeys.redb");
        std::fs::write(&path, b"not a redb file, just some text").unwrap();
        assert!(matches!(
            RedbStore::open(&path),
            Err(StorageError::Backend(_))
        ));
    }

    #[test]
    fn expiry_is_exclusive_of_the_expiry_instant() {
        let (_dir, store) = open();
        store.write(&[issue(1, "alice", 10)], at(0)).unwrap();
        let just_before = at(10) - Duration::milliseconds(1);

        let outcomes = store
            .write(&[register(1, "alice", b"cred-1")], at(10))
            .unwrap();
        assert_eq!(
            refusal(&outcomes[0]),
            Some(RegisterRefusal::ChallengeExpired)
        );
        let outcomes = store
            .write(&[register(1, "alice", b"cred-1")], just_before)
            .unwrap();
        assert_eq!(refusal(&outcomes[0]), None);
    }
}
