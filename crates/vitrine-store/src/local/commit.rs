//! Group commit of artifact puts.
//!
//! One writer thread owns artifact commits. It takes every put that is waiting, places the
//! blobs, fsyncs each blob directory once, and commits all their index records in one redb
//! transaction (one fsync of the index); then it answers every caller. A lone put is committed
//! at once (nothing waits for company), so sequential puts pay no extra latency, and puts that
//! arrive while a commit is on disk share the next one. A caller is answered only after the
//! commit that makes its artifact visible is durable, so "once `put()` returns, the artifact
//! survives a crash" holds for every member of a batch.
//!
//! Small index writes that are not artifacts (a new session, a usage record, a session's
//! program) go through the same thread ([`GroupCommitter::write`]): each used to be a commit
//! and an `fdatasync` of its own, several per chat request, and concurrent requests now share
//! them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use redb::{Database, WriteTransaction};
use tokio::sync::oneshot;
use vitrine_wire::SessionId;

use super::{
    ARTIFACTS, ArtifactRecord, BLOBS, EXPIRY, SESSIONS, State, artifact_key, live_session,
    put_json, sync_dir, unused_artifact_id,
};
use crate::{ArtifactMeta, NewArtifact, StoreError};

/// Puts committed together at most; bounds one transaction's size and latency.
const MAX_BATCH: usize = 256;

/// Where a new artifact's bytes come from.
pub(super) enum BlobSource {
    /// Small bytes kept in the index itself, committed by the same transaction as the record.
    Inline { bytes: Vec<u8>, sha256: String },
    /// A finished, fsynced temp file with its digest.
    Staged {
        tmp: PathBuf,
        size: u64,
        sha256: String,
    },
    /// An uploaded file, linked (or copied) in.
    File {
        path: PathBuf,
        size: u64,
        sha256: String,
    },
}

/// One put waiting for the writer.
pub(super) struct Put {
    pub(super) tenant: String,
    pub(super) session: SessionId,
    pub(super) source: BlobSource,
    pub(super) artifact: NewArtifact,
    pub(super) now: u64,
    /// The store's quotas, checked in the transaction that commits the put.
    pub(super) quotas: crate::Quotas,
}

/// An index write other than a put. It must not fail after writing part of what it writes
/// unless the whole batch may fail with it (any error it returns fails the batch).
pub(super) type Write = Box<dyn FnOnce(&WriteTransaction) -> Result<(), StoreError> + Send>;

enum Job {
    Put {
        put: Box<Put>,
        reply: oneshot::Sender<Result<ArtifactMeta, StoreError>>,
    },
    Write {
        write: Write,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
}

enum Work {
    Put(Box<Put>),
    Write(Write),
}

/// What one job of a batch came to: a put's artifact, or `None` for a write.
type Outcome = Result<Option<ArtifactMeta>, StoreError>;

enum Reply {
    Put(oneshot::Sender<Result<ArtifactMeta, StoreError>>),
    Write(oneshot::Sender<Result<(), StoreError>>),
}

impl Job {
    fn split(self) -> (Work, Reply) {
        match self {
            Job::Put { put, reply } => (Work::Put(put), Reply::Put(reply)),
            Job::Write { write, reply } => (Work::Write(write), Reply::Write(reply)),
        }
    }
}

impl Reply {
    /// Answers the caller; `made` is the put's artifact (`None` for a write).
    fn send(self, result: Outcome) {
        match self {
            Reply::Put(reply) => {
                let _ = reply.send(result.and_then(|made| {
                    made.ok_or_else(|| StoreError::Index("a put made no artifact".to_owned()))
                }));
            }
            Reply::Write(reply) => {
                let _ = reply.send(result.map(|_| ()));
            }
        }
    }
}

/// The writer thread and the queue into it. Dropping it lets queued puts finish, then joins
/// the thread, so the database is closed when the store is.
pub(super) struct GroupCommitter {
    queue: Option<mpsc::Sender<Job>>,
    thread: Option<JoinHandle<()>>,
}

impl GroupCommitter {
    pub(super) fn start(
        db: Arc<Database>,
        root: PathBuf,
        retention: u64,
    ) -> Result<Self, StoreError> {
        let (queue, jobs) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("vitrine-store-commit".to_owned())
            .spawn(move || {
                while let Ok(first) = jobs.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match jobs.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    commit_batch(&db, &root, retention, batch);
                }
            })?;
        Ok(GroupCommitter {
            queue: Some(queue),
            thread: Some(thread),
        })
    }

    /// Queues a put and waits until the commit that contains it is durable.
    pub(super) async fn put(&self, put: Put) -> Result<ArtifactMeta, StoreError> {
        let stopped = || StoreError::Index("the store's commit thread has stopped".to_owned());
        let (reply, answer) = oneshot::channel();
        self.queue
            .as_ref()
            .ok_or_else(stopped)?
            .send(Job::Put {
                put: Box::new(put),
                reply,
            })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Queues an index write and waits until the commit that contains it is durable.
    pub(super) async fn write(&self, write: Write) -> Result<(), StoreError> {
        let stopped = || StoreError::Index("the store's commit thread has stopped".to_owned());
        let (reply, answer) = oneshot::channel();
        self.queue
            .as_ref()
            .ok_or_else(stopped)?
            .send(Job::Write { write, reply })
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

impl Drop for GroupCommitter {
    fn drop(&mut self) {
        self.queue.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Commits a batch: each put's own refusal (an expired session, say) goes to that caller
/// alone; a failure of the disk or the index fails the whole batch, and nothing of it becomes
/// visible.
fn commit_batch(db: &Database, root: &Path, retention: u64, batch: Vec<Job>) {
    let (works, replies): (Vec<Work>, Vec<Reply>) = batch.into_iter().map(Job::split).unzip();
    let mut placed = Vec::new();
    match write_batch(db, root, retention, works, &mut placed) {
        Ok(results) => {
            for (reply, result) in replies.into_iter().zip(results) {
                reply.send(result);
            }
        }
        Err((failed, error)) => {
            for path in &placed {
                let _ = std::fs::remove_file(path);
            }
            let cause = match std::error::Error::source(&error) {
                Some(source) => format!("{error}: {source}"),
                None => error.to_string(),
            };
            let mut error = Some(error);
            for (index, reply) in replies.into_iter().enumerate() {
                let result = match (index == failed).then(|| error.take()).flatten() {
                    Some(error) => Err(error),
                    None => Err(StoreError::Index(format!(
                        "the commit this write was part of failed: {cause}"
                    ))),
                };
                reply.send(result);
            }
        }
    }
}

/// Places every blob and writes every record in one transaction, then commits it. On a
/// failure of the disk or the index, returns which put failed (or `usize::MAX` for the commit
/// itself) and why.
fn write_batch(
    db: &Database,
    root: &Path,
    retention: u64,
    works: Vec<Work>,
    placed: &mut Vec<PathBuf>,
) -> Result<Vec<Outcome>, (usize, StoreError)> {
    let whole = |error: StoreError| (usize::MAX, error);
    let txn = db.begin_write().map_err(|e| whole(e.into()))?;
    let mut dirs = BTreeSet::new();
    let mut results = Vec::with_capacity(works.len());
    for (index, work) in works.into_iter().enumerate() {
        match work {
            Work::Put(put) => match add(&txn, root, retention, *put, placed, &mut dirs) {
                Err(error) if !error.is_client_error() => return Err((index, error)),
                result => results.push(result.map(Some)),
            },
            Work::Write(write) => {
                write(&txn).map_err(|error| (index, error))?;
                results.push(Ok(None));
            }
        }
    }
    // The renames must be durable before the records that point at them.
    for dir in &dirs {
        sync_dir(dir).map_err(whole)?;
    }
    txn.commit().map_err(|e| whole(e.into()))?;
    Ok(results)
}

/// Adds one put to the transaction. A refusal is returned before anything is written.
fn add(
    txn: &WriteTransaction,
    root: &Path,
    retention: u64,
    put: Put,
    placed: &mut Vec<PathBuf>,
    dirs: &mut BTreeSet<PathBuf>,
) -> Result<ArtifactMeta, StoreError> {
    let Put {
        tenant,
        session,
        source,
        artifact,
        now,
        quotas,
    } = put;
    let mut session_record = live_session(txn, &tenant, &session, now)?;
    let adding = match &source {
        BlobSource::Inline { bytes, .. } => bytes.len() as u64,
        BlobSource::Staged { size, .. } | BlobSource::File { size, .. } => *size,
    };
    // Earlier puts of the batch are in this transaction, so they count too.
    super::quota::check(txn, quotas, &tenant, Some(&session), adding, 0, now)?;
    let id = unused_artifact_id(txn, &session, artifact.kind)?;
    let key = artifact_key(&session, &id);
    let (size, sha256) = match source {
        BlobSource::Inline { bytes, sha256 } => {
            txn.open_table(BLOBS)?
                .insert(key.as_str(), bytes.as_slice())?;
            (bytes.len() as u64, sha256)
        }
        BlobSource::Staged { tmp, size, sha256 } => {
            let dir = blob_dir(root, &session, dirs)?;
            let path = dir.join(id.as_str());
            std::fs::rename(&tmp, &path)?;
            placed.push(path);
            (size, sha256)
        }
        BlobSource::File { path, size, sha256 } => {
            let dir = blob_dir(root, &session, dirs)?;
            let dest = dir.join(id.as_str());
            if std::fs::hard_link(&path, &dest).is_err() {
                std::fs::copy(&path, &dest)?;
                placed.push(dest.clone());
                std::fs::File::open(&dest)?.sync_all()?;
            } else {
                placed.push(dest);
            }
            (size, sha256)
        }
    };
    let meta = ArtifactMeta {
        id,
        session_id: session.clone(),
        tenant,
        kind: artifact.kind,
        content_type: artifact.content_type,
        size,
        sha256,
        created_at: now,
        expires_at: now + retention,
        media: artifact.media,
        provenance: artifact.provenance,
        filename: artifact.filename,
    };
    put_json(
        txn,
        ARTIFACTS,
        &key,
        &ArtifactRecord {
            meta: meta.clone(),
            state: State::Live,
        },
    )?;
    let mut expiry = txn.open_table(EXPIRY)?;
    expiry.insert((meta.expires_at, format!("a:{key}").as_str()), ())?;
    // A session lives as long as its newest artifact.
    if session_record.info.expires_at < meta.expires_at {
        let old = format!("s:{session}");
        expiry.remove((session_record.info.expires_at, old.as_str()))?;
        expiry.insert((meta.expires_at, old.as_str()), ())?;
        drop(expiry);
        session_record.info.expires_at = meta.expires_at;
        put_json(txn, SESSIONS, session.as_str(), &session_record)?;
    }
    Ok(meta)
}

/// The session's blob directory, created if needed and noted for the batch's fsync.
fn blob_dir(
    root: &Path,
    session: &SessionId,
    dirs: &mut BTreeSet<PathBuf>,
) -> Result<PathBuf, StoreError> {
    let blobs = root.join("blobs");
    let dir = blobs.join(session.as_str());
    if !dirs.contains(&dir) {
        if !dir.exists() {
            std::fs::create_dir(&dir)?;
            // A new directory's own entry must be durable too.
            dirs.insert(blobs);
        }
        dirs.insert(dir.clone());
    }
    Ok(dir)
}
