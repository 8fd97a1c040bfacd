//! [`Storage`], the async face of a [`Store`]: reads run on tokio's blocking
//! pool, and writes queue for one writer thread that commits everything
//! queued so far in a single transaction (group commit). A registration
//! therefore waits for at most one fsync in progress and one of its own,
//! however many arrive together.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{
    Challenge, ChallengeRecord, Counts, IssueRefusal, NewPasskey, RegisterRefusal, StorageError,
    Store, StoredPasskey, WriteOp, WriteOutcome,
};
use crate::clock::Clock;

/// The most writes committed together. Bounds the latency that one commit
/// adds to the first write in it.
pub const MAX_BATCH: usize = 256;

/// How often the writer deletes expired challenges when nothing else makes
/// it do so.
pub const PURGE_INTERVAL: Duration = Duration::from_secs(60);

struct Job {
    op: WriteOp,
    reply: oneshot::Sender<Result<WriteOutcome, StorageError>>,
}

/// A handle onto the storage, cheap to clone.
#[derive(Clone)]
pub struct Storage {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    clock: Clock,
    // `None` after `close`: the writer thread ends when its last sender is
    // dropped.
    sender: RwLock<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Storage {
    /// Starts the writer thread for `store`.
    pub fn start(store: Arc<dyn Store>, clock: Clock) -> Result<Self, StorageError> {
        Self::start_with_max_batch(store, clock, MAX_BATCH)
    }

    /// Starts the writer thread, committing at most `max_batch` writes
    /// together (1 turns group commit off, for comparison).
    pub fn start_with_max_batch(
        store: Arc<dyn Store>,
        clock: Clock,
        max_batch: usize,
    ) -> Result<Self, StorageError> {
        let max_batch = max_batch.max(1);
        let (sender, receiver) = mpsc::channel();
        let writer = {
            let store = Arc::clone(&store);
            let clock = clock.clone();
            std::thread::Builder::new()
                .name("storage-writer".to_owned())
                .spawn(move || write_loop(store.as_ref(), &clock, &receiver, max_batch))
                .map_err(|error| {
                    StorageError::Backend(format!("cannot start the writer thread: {error}"))
                })?
        };
        Ok(Self {
            inner: Arc::new(Inner {
                store,
                clock,
                sender: RwLock::new(Some(sender)),
                writer: Mutex::new(Some(writer)),
            }),
        })
    }

    /// Stores a challenge, unless the username is taken or too many are
    /// pending.
    pub async fn issue_challenge(
        &self,
        challenge: Challenge,
        record: ChallengeRecord,
        max_pending: u64,
    ) -> Result<Result<(), IssueRefusal>, StorageError> {
        match self
            .write(WriteOp::IssueChallenge {
                challenge,
                record,
                max_pending,
            })
            .await?
        {
            WriteOutcome::ChallengeIssued(outcome) => Ok(outcome),
            other => Err(mismatched(&other)),
        }
    }

    /// Stores a passkey and uses up its challenge, in one transaction.
    pub async fn register(
        &self,
        passkey: NewPasskey,
    ) -> Result<Result<StoredPasskey, RegisterRefusal>, StorageError> {
        match self.write(WriteOp::Register(Box::new(passkey))).await? {
            WriteOutcome::Registered(outcome) => Ok(outcome.map(|stored| *stored)),
            other => Err(mismatched(&other)),
        }
    }

    /// The record of an unused challenge.
    pub async fn challenge(
        &self,
        challenge: Challenge,
    ) -> Result<Option<ChallengeRecord>, StorageError> {
        self.read(move |store| store.challenge(&challenge)).await
    }

    /// How many records each table holds.
    pub async fn counts(&self) -> Result<Counts, StorageError> {
        self.read(|store| store.counts()).await
    }

    /// Fails when the database cannot be read or the writer has stopped.
    pub async fn check(&self) -> Result<(), StorageError> {
        let writer_running = self
            .inner
            .writer
            .lock()
            .map_err(|_| StorageError::Closed)?
            .as_ref()
            .is_some_and(|writer| !writer.is_finished());
        if !writer_running {
            return Err(StorageError::Closed);
        }
        self.read(|store| store.check()).await
    }

    /// Runs `read` on the blocking pool: redb reads can touch the disk.
    pub async fn read<T: Send + 'static>(
        &self,
        read: impl FnOnce(&dyn Store) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let store = Arc::clone(&self.inner.store);
        tokio::task::spawn_blocking(move || read(store.as_ref()))
            .await
            .map_err(|error| StorageError::Backend(format!("a read failed: {error}")))?
    }

    /// The clock that writes are checked against.
    pub fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    async fn write(&self, op: WriteOp) -> Result<WriteOutcome, StorageError> {
        let (reply, answer) = oneshot::channel();
        {
            let sender = self.inner.sender.read().map_err(|_| StorageError::Closed)?;
            sender
                .as_ref()
                .ok_or(StorageError::Closed)?
                .send(Job { op, reply })
                .map_err(|_| StorageError::Closed)?;
        }
        // A dropped reply means the writer thread died mid-batch; its
        // transaction was not committed.
        answer.await.map_err(|_| StorageError::Closed)?
    }

    /// Lets the writer commit what is queued, stops it, and closes the
    /// database. Blocks; writes after this fail with `Closed`.
    pub fn close(&self) -> Result<(), StorageError> {
        drop(
            self.inner
                .sender
                .write()
                .map_err(|_| StorageError::Closed)?
                .take(),
        );
        let writer = self
            .inner
            .writer
            .lock()
            .map_err(|_| StorageError::Closed)?
            .take();
        if let Some(writer) = writer
            && writer.join().is_err()
        {
            tracing::error!("the storage writer thread panicked");
        }
        self.inner.store.close()
    }
}

fn mismatched(outcome: &WriteOutcome) -> StorageError {
    StorageError::Backend(format!("the writer answered with {outcome:?}"))
}

fn write_loop(store: &dyn Store, clock: &Clock, receiver: &mpsc::Receiver<Job>, max_batch: usize) {
    let mut last_purge = Instant::now();
    loop {
        let first = match receiver.recv_timeout(PURGE_INTERVAL) {
            Ok(job) => Some(job),
            Err(RecvTimeoutError::Timeout) => None,
            // Every sender is gone and the queue is empty: shut down.
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut jobs: Vec<Job> = first.into_iter().collect();
        while jobs.len() < max_batch {
            match receiver.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let (mut ops, replies): (Vec<WriteOp>, Vec<_>) =
            jobs.into_iter().map(|job| (job.op, job.reply)).unzip();
        // Purging rides along with a batch rather than costing a commit of
        // its own, except when the server is idle.
        let purge = last_purge.elapsed() >= PURGE_INTERVAL;
        if purge {
            ops.push(WriteOp::PurgeExpired);
            last_purge = Instant::now();
        }
        if ops.is_empty() {
            continue;
        }
        match store.write(&ops, clock.now()) {
            Ok(outcomes) => {
                if purge && let Some(WriteOutcome::Purged(purged)) = outcomes.last() {
                    tracing::debug!(purged, "purged expired challenges");
                }
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    // The requester may have gone (a timed-out request); the
                    // write stands either way.
                    let _ = reply.send(Ok(outcome));
                }
            }
            Err(error) => {
                tracing::error!(%error, writes = replies.len(), "a write transaction failed");
                for reply in replies {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::mpsc::Receiver;

    use time::OffsetDateTime;

    use super::*;
    use crate::storage::{Counts, StoredPasskey, UserPasskeys};

    /// Records the size of each batch. The first write reports that it has
    /// started on `entered`, then waits for `gate`.
    struct RecordingStore {
        batches: Mutex<Vec<usize>>,
        entered: Mutex<Option<mpsc::Sender<()>>>,
        gate: Mutex<Option<Receiver<()>>>,
        closed: Mutex<bool>,
    }

    impl Store for RecordingStore {
        fn write(
            &self,
            ops: &[WriteOp],
            _now: OffsetDateTime,
        ) -> Result<Vec<WriteOutcome>, StorageError> {
            if let Some(gate) = self.gate.lock().unwrap().take() {
                self.entered
                    .lock()
                    .unwrap()
                    .take()
                    .unwrap()
                    .send(())
                    .unwrap();
                gate.recv().unwrap();
            }
            self.batches.lock().unwrap().push(ops.len());
            Ok(ops
                .iter()
                .map(|op| match op {
                    WriteOp::IssueChallenge { .. } => WriteOutcome::ChallengeIssued(Ok(())),
                    WriteOp::Register(_) => WriteOutcome::Registered(Err(
                        crate::storage::RegisterRefusal::ChallengeNotFound,
                    )),
                    WriteOp::PurgeExpired => WriteOutcome::Purged(0),
                })
                .collect())
        }
        fn challenge(&self, _: &Challenge) -> Result<Option<ChallengeRecord>, StorageError> {
            Ok(None)
        }
        fn user_passkeys(&self, _: &str, _: &str) -> Result<Option<UserPasskeys>, StorageError> {
            Ok(None)
        }
        fn passkey_by_credential_id(
            &self,
            _: &[u8],
        ) -> Result<Option<StoredPasskey>, StorageError> {
            Ok(None)
        }
        fn counts(&self) -> Result<Counts, StorageError> {
            Ok(Counts::default())
        }
        fn check(&self) -> Result<(), StorageError> {
            Ok(())
        }
        fn close(&self) -> Result<(), StorageError> {
            *self.closed.lock().unwrap() = true;
            Ok(())
        }
    }

    fn record(n: u8) -> (Challenge, ChallengeRecord) {
        let now = OffsetDateTime::UNIX_EPOCH;
        (
            Challenge([n; 32]),
            ChallengeRecord {
                hostname: "example.test".to_owned(),
                username: format!("user{n}"),
                user_id: crate::storage::UserId([n; 16]),
                issued_at: now,
                expires_at: now,
            },
        )
    }

    #[tokio::test]
    async fn writes_queued_behind_a_commit_share_the_next_one() {
        let (entered, writer_entered) = mpsc::channel();
        let (open_gate, gate) = mpsc::channel();
        let store = Arc::new(RecordingStore {
            batches: Mutex::new(Vec::new()),
            entered: Mutex::new(Some(entered)),
            gate: Mutex::new(Some(gate)),
            closed: Mutex::new(false),
        });
        let storage = Storage::start(store.clone(), Clock::system()).unwrap();

        // The first write holds the writer inside its commit.
        let (challenge, record0) = record(0);
        let mut first = Box::pin(storage.issue_challenge(challenge, record0, 10));
        assert!(futures::poll!(&mut first).is_pending());
        writer_entered
            .recv_timeout(Duration::from_secs(10))
            .unwrap();
        // Ten more queue meanwhile: a write is queued once first polled.
        let mut queued: Vec<_> = (1..=10)
            .map(|n| {
                let (challenge, record) = record(n);
                Box::pin(storage.issue_challenge(challenge, record, 10))
            })
            .collect();
        for write in &mut queued {
            assert!(futures::poll!(write).is_pending());
        }
        open_gate.send(()).unwrap();

        assert_eq!(first.await, Ok(Ok(())));
        for write in queued {
            assert_eq!(write.await, Ok(Ok(())));
        }
        assert_eq!(*store.batches.lock().unwrap(), [1, 10]);

        storage.close().unwrap();
        assert!(*store.closed.lock().unwrap(), "close closes the store");
        assert_eq!(storage.check().await, Err(StorageError::Closed));
        let (challenge, record) = record(11);
        assert_eq!(
            storage.issue_challenge(challenge, record, 10).await,
            Err(StorageError::Closed)
        );
    }
}
