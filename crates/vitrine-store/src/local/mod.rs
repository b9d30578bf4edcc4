//! The local-disk backend: blobs as files, metadata in an embedded redb index.
//!
//! Layout under the data directory:
//!
//! ```text
//! index.redb                  metadata (sessions, artifacts, files, expiry),
//!                             the bytes of small artifacts, and the
//!                             execution queue (`queue.rs`)
//! tmp/<random>                blobs being written
//! blobs/<session>/<artifact>  committed artifacts larger than INLINE_MAX
//! files/<file id>             uploaded files
//! skills/<skill id>/<version>.zip  skill bundles (records in the index, `skills`)
//! ```
//!
//! Writes are atomic and durable before `put()` returns. An artifact of at most
//! [`INLINE_MAX`] bytes is stored in the index, in the same redb transaction as
//! its record: one commit, one fsync of the index file. A larger blob is written
//! to `tmp/`, fsynced, renamed into place, the directory fsynced, and only then
//! is the metadata committed. A crash in between leaves an orphan file, never a
//! record pointing at missing or partial bytes. Artifact commits go through one
//! writer thread that batches the puts waiting at that moment into one
//! transaction ([`commit`]).
//!
//! Why inline: on a journaling file system, making a new file's name durable
//! costs a journal commit (about 4 ms on the virtual disk this was measured on,
//! twice per file: its data and its directory entry), while a redb commit
//! rewrites pages of an existing file and costs one `fdatasync` (about 0.2 ms
//! there). Most tool outputs in a plan's middle (crops, thumbnails, masks, small
//! JSON) fit under the bound.
//!
//! Retention: every record that can expire has an entry in an index keyed by
//! `(expires_at, what)`, so the sweeper reads only the expired prefix of that
//! index. Expired sessions leave a small tombstone for a while so that late
//! requests hear "expired" instead of "not found".

mod commit;
mod hot;
mod queue;
mod quota;
mod skills;
mod usage;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use vitrine_wire::{ArtifactId, FileId, SessionId, random_hex};

use crate::staged::{INLINE_MAX, hex};
use crate::{
    ArtifactMeta, ArtifactRead, ArtifactStore, BlobReader, Clock, FileRecord, NewArtifact,
    PendingUpload, SessionInfo, StagedBlob, StoreError, SweepReport,
};
use commit::BlobSource;

const SESSIONS: TableDefinition<&str, &[u8]> = TableDefinition::new("sessions");
/// Keyed `<session>/<artifact>` so one session's artifacts are a key range.
const ARTIFACTS: TableDefinition<&str, &[u8]> = TableDefinition::new("artifacts");
/// Keyed like `ARTIFACTS`: the bytes of artifacts of at most [`INLINE_MAX`] bytes.
const BLOBS: TableDefinition<&str, &[u8]> = TableDefinition::new("blobs");
const FILES: TableDefinition<&str, &[u8]> = TableDefinition::new("files");
/// `<tenant>/<md5>` → file id: the SDK's upload-cache lookup.
const FILE_MD5: TableDefinition<&str, &str> = TableDefinition::new("file_md5");
/// `(expires_at, "<tag>:<key>")`; tags: `a` artifact, `s` session, `p` purge a
/// session tombstone, `f` file, `u` outstanding presigned upload.
const EXPIRY: TableDefinition<(u64, &str), ()> = TableDefinition::new("expiry");

/// redb's page cache. Its default (1 GiB) keeps every page written or read until then, and
/// with small artifacts stored inline the server's RSS grew with the index under load (about
/// 30 MB a minute). Recent artifact bytes have their own bounded cache ([`hot`]); the index
/// needs room for its tree pages.
const INDEX_CACHE_BYTES: usize = 32 * 1024 * 1024;
/// How long an expired session's tombstone answers "expired".
const TOMBSTONE_SECS: u64 = 7 * 24 * 3600;
/// Expired entries handled per write transaction.
const SWEEP_BATCH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum State {
    Live,
    Expired,
    Deleted,
}

#[derive(Debug, Serialize, Deserialize)]
struct SessionRecord {
    info: SessionInfo,
    state: State,
}

#[derive(Debug, Serialize, Deserialize)]
struct ArtifactRecord {
    meta: ArtifactMeta,
    state: State,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileEntry {
    record: FileRecord,
    /// SHA-256 of the presigned-upload token, while the upload is outstanding.
    #[serde(default)]
    upload_token_sha256: Option<String>,
    #[serde(default)]
    upload_expires_at: u64,
}

/// Artifacts on local disk with a redb index.
pub struct LocalStore {
    root: PathBuf,
    db: Arc<Database>,
    retention: u64,
    clock: Arc<dyn Clock>,
    committer: commit::GroupCommitter,
    /// Recently read small artifacts, for the download path.
    hot: hot::HotArtifacts,
    quotas: crate::Quotas,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore")
            .field("root", &self.root)
            .finish()
    }
}

impl LocalStore {
    /// Opens (or creates) a store under `root`, keeping new artifacts for
    /// `retention_secs`.
    pub fn open(
        root: impl Into<PathBuf>,
        retention_secs: u64,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        let root = root.into();
        for dir in ["tmp", "blobs", "files", "skills"] {
            std::fs::create_dir_all(root.join(dir))?;
        }
        // Half-written blobs from a previous run were never acknowledged.
        for entry in std::fs::read_dir(root.join("tmp"))? {
            let _ = std::fs::remove_file(entry?.path());
        }
        let db = Database::builder()
            .set_cache_size(INDEX_CACHE_BYTES)
            .create(root.join("index.redb"))?;
        let txn = db.begin_write()?;
        txn.open_table(SESSIONS)?;
        txn.open_table(ARTIFACTS)?;
        txn.open_table(BLOBS)?;
        txn.open_table(FILES)?;
        txn.open_table(FILE_MD5)?;
        txn.open_table(EXPIRY)?;
        queue::create_tables(&txn)?;
        skills::create_tables(&txn)?;
        usage::create_tables(&txn)?;
        txn.commit()?;
        let db = Arc::new(db);
        let committer =
            commit::GroupCommitter::start(Arc::clone(&db), root.clone(), retention_secs)?;
        Ok(LocalStore {
            root,
            db,
            retention: retention_secs,
            clock,
            committer,
            hot: hot::HotArtifacts::new(hot::HOT_BYTES),
            quotas: crate::Quotas::default(),
        })
    }

    /// Holds writes to `quotas` from now on.
    #[must_use]
    pub fn with_quotas(mut self, quotas: crate::Quotas) -> Self {
        self.quotas = quotas;
        self
    }

    fn blob_path(&self, session: &SessionId, id: &ArtifactId) -> PathBuf {
        self.root
            .join("blobs")
            .join(session.as_str())
            .join(id.as_str())
    }

    fn file_path(&self, id: &FileId) -> PathBuf {
        self.root.join("files").join(id.as_str())
    }

    /// Commits a new artifact through the group committer.
    async fn commit(
        &self,
        tenant: &str,
        session: &SessionId,
        source: BlobSource,
        artifact: NewArtifact,
    ) -> Result<ArtifactMeta, StoreError> {
        self.committer
            .put(commit::Put {
                tenant: tenant.to_owned(),
                session: session.clone(),
                source,
                artifact,
                now: self.clock.now(),
                quotas: self.quotas,
            })
            .await
    }

    /// Runs index work on the blocking pool: redb calls block on disk I/O.
    async fn blocking<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Database, u64) -> Result<T, StoreError> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        let now = self.clock.now();
        tokio::task::spawn_blocking(move || work(&db, now))
            .await
            .map_err(|join| StoreError::Index(format!("index task failed: {join}")))?
    }
}

/// Everything in an embedded store's index, for `vitrine migrate-store`; bytes are read
/// separately through the store's traits.
#[cfg(all(feature = "s3", feature = "postgres"))]
pub(crate) struct Export {
    /// Live sessions.
    pub(crate) sessions: Vec<SessionInfo>,
    /// Artifacts with their state (`live`, `expired`, `deleted`; tombstones keep ids unused).
    pub(crate) artifacts: Vec<(ArtifactMeta, &'static str)>,
    /// Complete files.
    pub(crate) files: Vec<FileRecord>,
    /// Executions with their idempotency keys.
    pub(crate) executions: Vec<(crate::ExecutionRecord, Option<String>)>,
    pub(crate) skills: Vec<crate::SkillRecord>,
    /// `(session, tenant, program)`.
    pub(crate) programs: Vec<(String, String, serde_json::Value)>,
    pub(crate) usage: Vec<crate::UsageRecord>,
}

#[cfg(all(feature = "s3", feature = "postgres"))]
impl LocalStore {
    /// Reads the whole index in one read transaction (a consistent snapshot).
    pub(crate) async fn export(&self) -> Result<Export, StoreError> {
        self.blocking(|db, _| {
            let txn = db.begin_read()?;
            let mut sessions = Vec::new();
            for entry in txn.open_table(SESSIONS)?.iter()? {
                let record: SessionRecord = serde_json::from_slice(entry?.1.value())?;
                if record.state == State::Live {
                    sessions.push(record.info);
                }
            }
            let mut artifacts = Vec::new();
            for entry in txn.open_table(ARTIFACTS)?.iter()? {
                let record: ArtifactRecord = serde_json::from_slice(entry?.1.value())?;
                let state = match record.state {
                    State::Live => "live",
                    State::Expired => "expired",
                    State::Deleted => "deleted",
                };
                artifacts.push((record.meta, state));
            }
            let mut files = Vec::new();
            for entry in txn.open_table(FILES)?.iter()? {
                let entry: FileEntry = serde_json::from_slice(entry?.1.value())?;
                if entry.record.complete {
                    files.push(entry.record);
                }
            }
            Ok(Export {
                sessions,
                artifacts,
                files,
                executions: queue::export(&txn)?,
                skills: skills::export(&txn)?,
                programs: skills::export_programs(&txn)?,
                usage: usage::export(&txn)?,
            })
        })
        .await
    }
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}

fn artifact_key(session: &SessionId, id: &ArtifactId) -> String {
    format!("{session}/{id}")
}

fn put_json<T: Serialize>(
    txn: &WriteTransaction,
    table: TableDefinition<&str, &[u8]>,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(value)?;
    txn.open_table(table)?.insert(key, bytes.as_slice())?;
    Ok(())
}

fn get_json<T: for<'de> Deserialize<'de>>(
    table: &impl ReadableTable<&'static str, &'static [u8]>,
    key: &str,
) -> Result<Option<T>, StoreError> {
    match table.get(key)? {
        Some(value) => Ok(Some(serde_json::from_slice(value.value())?)),
        None => Ok(None),
    }
}

fn check_session(
    record: Option<SessionRecord>,
    tenant: &str,
    id: &SessionId,
    now: u64,
) -> Result<SessionRecord, StoreError> {
    match record {
        // Another tenant's session answers exactly like a missing one.
        Some(record) if record.info.tenant != tenant => {
            Err(StoreError::SessionNotFound(id.clone()))
        }
        Some(record) if record.state != State::Live || record.info.expires_at <= now => {
            Err(StoreError::SessionExpired(id.clone()))
        }
        Some(record) => Ok(record),
        None => Err(StoreError::SessionNotFound(id.clone())),
    }
}

fn live_session(
    txn: &WriteTransaction,
    tenant: &str,
    id: &SessionId,
    now: u64,
) -> Result<SessionRecord, StoreError> {
    let table = txn.open_table(SESSIONS)?;
    check_session(get_json(&table, id.as_str())?, tenant, id, now)
}

fn unused_artifact_id(
    txn: &WriteTransaction,
    session: &SessionId,
    kind: vitrine_wire::ArtifactKind,
) -> Result<ArtifactId, StoreError> {
    let table = txn.open_table(ARTIFACTS)?;
    // 24 random bits per kind: collisions within a session are rare but real,
    // and ids are never reused (deleted and expired records stay as tombstones).
    for _ in 0..64 {
        let id = ArtifactId::generate(kind);
        if table.get(artifact_key(session, &id).as_str())?.is_none() {
            return Ok(id);
        }
    }
    Err(StoreError::Index(format!(
        "session `{session}` has no free {kind} ids left"
    )))
}

fn check_file(
    entry: Option<FileEntry>,
    tenant: &str,
    id: &FileId,
    now: u64,
) -> Result<FileRecord, StoreError> {
    match entry {
        Some(entry) if entry.record.tenant != tenant => Err(StoreError::FileNotFound(id.clone())),
        Some(entry) if entry.record.expires_at <= now => Err(StoreError::FileExpired(id.clone())),
        Some(entry) if !entry.record.complete => Err(StoreError::UploadIncomplete(id.clone())),
        Some(entry) => Ok(entry.record),
        None => Err(StoreError::FileNotFound(id.clone())),
    }
}

async fn open_reader(path: &Path) -> Result<BlobReader, StoreError> {
    let file = tokio::fs::File::open(path).await?;
    Ok(Box::new(file))
}

fn remove_if_present(path: &Path) -> Result<u64, StoreError> {
    let size = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(error) => return Err(error.into()),
    };
    match std::fs::remove_file(path) {
        Ok(()) => Ok(size),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(error) => Err(error.into()),
    }
}

fn session_range_end(session: &SessionId) -> String {
    // '0' sorts right after '/', so this bounds exactly the `<session>/` keys.
    format!("{session}0")
}

#[async_trait]
impl ArtifactStore for LocalStore {
    fn describe(&self) -> String {
        format!(
            "local disk at {} (redb index, retention {} s)",
            self.root.display(),
            self.retention
        )
    }

    fn retention_secs(&self) -> u64 {
        self.retention
    }

    async fn stage(&self, limit: u64) -> Result<StagedBlob, StoreError> {
        Ok(StagedBlob::create(
            self.root.join("tmp").join(random_hex(16)),
            limit,
        ))
    }

    async fn create_session(&self, tenant: &str) -> Result<SessionInfo, StoreError> {
        let now = self.clock.now();
        let info = SessionInfo {
            id: SessionId::generate(),
            tenant: tenant.to_owned(),
            created_at: now,
            expires_at: now + self.retention,
        };
        let record = SessionRecord {
            info: info.clone(),
            state: State::Live,
        };
        self.committer
            .write(Box::new(move |txn| {
                put_json(txn, SESSIONS, record.info.id.as_str(), &record)?;
                txn.open_table(EXPIRY)?.insert(
                    (
                        record.info.expires_at,
                        format!("s:{}", record.info.id).as_str(),
                    ),
                    (),
                )?;
                Ok(())
            }))
            .await?;
        Ok(info)
    }

    async fn session(&self, tenant: &str, id: &SessionId) -> Result<SessionInfo, StoreError> {
        let tenant = tenant.to_owned();
        let id = id.clone();
        self.blocking(move |db, now| {
            let table = db.begin_read()?.open_table(SESSIONS)?;
            Ok(check_session(get_json(&table, id.as_str())?, &tenant, &id, now)?.info)
        })
        .await
    }

    async fn delete_session(&self, tenant: &str, id: &SessionId) -> Result<u64, StoreError> {
        let tenant = tenant.to_owned();
        let id = id.clone();
        let dir = self.root.join("blobs").join(id.as_str());
        let prefix = format!("{id}/");
        let deleted = self
            .blocking(move |db, now| {
                let txn = db.begin_write()?;
                let record = live_session(&txn, &tenant, &id, now)?;
                let mut deleted = 0;
                {
                    let mut artifacts = txn.open_table(ARTIFACTS)?;
                    let mut blobs = txn.open_table(BLOBS)?;
                    let mut expiry = txn.open_table(EXPIRY)?;
                    let end = session_range_end(&id);
                    let keys: Vec<(String, ArtifactRecord)> = artifacts
                        .range(format!("{id}/").as_str()..end.as_str())?
                        .map(|entry| {
                            let (key, value) = entry?;
                            Ok((
                                key.value().to_owned(),
                                serde_json::from_slice(value.value())?,
                            ))
                        })
                        .collect::<Result<_, StoreError>>()?;
                    for (key, artifact) in keys {
                        if artifact.state == State::Live {
                            deleted += 1;
                        }
                        expiry.remove((artifact.meta.expires_at, format!("a:{key}").as_str()))?;
                        artifacts.remove(key.as_str())?;
                        blobs.remove(key.as_str())?;
                    }
                    expiry.remove((record.info.expires_at, format!("s:{id}").as_str()))?;
                    txn.open_table(SESSIONS)?.remove(id.as_str())?;
                }
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)?;
                }
                txn.commit()?;
                Ok(deleted)
            })
            .await?;
        self.hot
            .invalidate(|cached| cached.starts_with(prefix.as_str()));
        Ok(deleted)
    }

    async fn put(
        &self,
        tenant: &str,
        session: &SessionId,
        blob: StagedBlob,
        artifact: NewArtifact,
    ) -> Result<ArtifactMeta, StoreError> {
        let mut tmp = None;
        let source = if blob.size() <= INLINE_MAX {
            let (bytes, sha256) = blob.into_bytes().await?;
            BlobSource::Inline { bytes, sha256 }
        } else {
            let (path, size, sha256) = blob.finish().await?;
            tmp = Some(path.clone());
            BlobSource::Staged {
                tmp: path,
                size,
                sha256,
            }
        };
        let result = self.commit(tenant, session, source, artifact).await;
        if let (Err(_), Some(tmp)) = (&result, tmp) {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result
    }

    async fn put_from_file(
        &self,
        tenant: &str,
        session: &SessionId,
        file: &FileRecord,
        artifact: NewArtifact,
    ) -> Result<ArtifactMeta, StoreError> {
        let source = BlobSource::File {
            path: self.file_path(&file.id),
            size: file.bytes,
            sha256: file.sha256.clone(),
        };
        self.commit(tenant, session, source, artifact).await
    }

    async fn artifact(
        &self,
        tenant: &str,
        session: &SessionId,
        id: &ArtifactId,
    ) -> Result<ArtifactMeta, StoreError> {
        let tenant = tenant.to_owned();
        let session = session.clone();
        let id = id.clone();
        self.blocking(move |db, now| {
            let txn = db.begin_read()?;
            check_session(
                get_json(&txn.open_table(SESSIONS)?, session.as_str())?,
                &tenant,
                &session,
                now,
            )?;
            let record: Option<ArtifactRecord> =
                get_json(&txn.open_table(ARTIFACTS)?, &artifact_key(&session, &id))?;
            match record {
                None => Err(StoreError::ArtifactNotFound { id, session }),
                Some(record) if record.state == State::Deleted => {
                    Err(StoreError::ArtifactDeleted(id))
                }
                Some(record) if record.state == State::Expired || record.meta.expires_at <= now => {
                    Err(StoreError::ArtifactExpired(id))
                }
                Some(record) => Ok(record.meta),
            }
        })
        .await
    }

    async fn read(
        &self,
        tenant: &str,
        session: &SessionId,
        id: &ArtifactId,
    ) -> Result<ArtifactRead, StoreError> {
        let key = artifact_key(session, id);
        if let Some((meta, bytes)) = self.hot.get(&key, tenant, self.clock.now()) {
            return Ok(ArtifactRead {
                meta,
                bytes: Some(bytes),
            });
        }
        let generation = self.hot.generation();
        let tenant = tenant.to_owned();
        let session = session.clone();
        let id = id.clone();
        let (session_expires_at, meta, bytes) = self
            .blocking(move |db, now| {
                // One read transaction for the session, the record and the inline bytes.
                let txn = db.begin_read()?;
                let session_record = check_session(
                    get_json(&txn.open_table(SESSIONS)?, session.as_str())?,
                    &tenant,
                    &session,
                    now,
                )?;
                let key = artifact_key(&session, &id);
                let record: Option<ArtifactRecord> = get_json(&txn.open_table(ARTIFACTS)?, &key)?;
                let meta = match record {
                    None => return Err(StoreError::ArtifactNotFound { id, session }),
                    Some(record) if record.state == State::Deleted => {
                        return Err(StoreError::ArtifactDeleted(id));
                    }
                    Some(record)
                        if record.state == State::Expired || record.meta.expires_at <= now =>
                    {
                        return Err(StoreError::ArtifactExpired(id));
                    }
                    Some(record) => record.meta,
                };
                let bytes = if meta.size <= INLINE_MAX {
                    txn.open_table(BLOBS)?
                        .get(key.as_str())?
                        .map(|bytes| bytes::Bytes::copy_from_slice(bytes.value()))
                } else {
                    None
                };
                Ok((session_record.info.expires_at, Arc::new(meta), bytes))
            })
            .await?;
        if let Some(bytes) = &bytes {
            self.hot.insert(
                generation,
                key,
                session_expires_at,
                Arc::clone(&meta),
                bytes.clone(),
            );
        }
        Ok(ArtifactRead { meta, bytes })
    }

    async fn open(&self, artifact: &ArtifactMeta) -> Result<BlobReader, StoreError> {
        if artifact.size <= INLINE_MAX {
            let key = artifact_key(&artifact.session_id, &artifact.id);
            let inline = self
                .blocking(move |db, _| {
                    let table = db.begin_read()?.open_table(BLOBS)?;
                    Ok(table.get(key.as_str())?.map(|bytes| bytes.value().to_vec()))
                })
                .await?;
            if let Some(bytes) = inline {
                return Ok(Box::new(std::io::Cursor::new(bytes)));
            }
        }
        // Larger blobs, and small ones stored before blobs were kept inline.
        open_reader(&self.blob_path(&artifact.session_id, &artifact.id)).await
    }

    async fn open_range(
        &self,
        artifact: &ArtifactMeta,
        range: std::ops::Range<u64>,
    ) -> Result<BlobReader, StoreError> {
        use tokio::io::{AsyncReadExt as _, AsyncSeekExt as _};
        let length = range.end.saturating_sub(range.start);
        if artifact.size <= INLINE_MAX {
            let key = artifact_key(&artifact.session_id, &artifact.id);
            let inline = self
                .blocking(move |db, _| {
                    let table = db.begin_read()?.open_table(BLOBS)?;
                    Ok(table.get(key.as_str())?.map(|bytes| {
                        let bytes = bytes.value();
                        let start = usize::try_from(range.start).unwrap_or(usize::MAX);
                        let end = usize::try_from(range.end).unwrap_or(usize::MAX);
                        bytes
                            .get(start.min(bytes.len())..end.min(bytes.len()))
                            .unwrap_or_default()
                            .to_vec()
                    }))
                })
                .await?;
            if let Some(bytes) = inline {
                return Ok(Box::new(std::io::Cursor::new(bytes)));
            }
        }
        let mut file =
            tokio::fs::File::open(self.blob_path(&artifact.session_id, &artifact.id)).await?;
        file.seek(std::io::SeekFrom::Start(range.start)).await?;
        Ok(Box::new(file.take(length)))
    }

    async fn list(
        &self,
        tenant: &str,
        session: &SessionId,
    ) -> Result<Vec<ArtifactMeta>, StoreError> {
        let tenant = tenant.to_owned();
        let session = session.clone();
        self.blocking(move |db, now| {
            let txn = db.begin_read()?;
            check_session(
                get_json(&txn.open_table(SESSIONS)?, session.as_str())?,
                &tenant,
                &session,
                now,
            )?;
            let table = txn.open_table(ARTIFACTS)?;
            let end = session_range_end(&session);
            let mut items = Vec::new();
            for entry in table.range(format!("{session}/").as_str()..end.as_str())? {
                let (_, value) = entry?;
                let record: ArtifactRecord = serde_json::from_slice(value.value())?;
                if record.state == State::Live && record.meta.expires_at > now {
                    items.push(record.meta);
                }
            }
            items.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            Ok(items)
        })
        .await
    }

    async fn delete(
        &self,
        tenant: &str,
        session: &SessionId,
        id: &ArtifactId,
    ) -> Result<(), StoreError> {
        let tenant = tenant.to_owned();
        let session = session.clone();
        let id = id.clone();
        let path = self.blob_path(&session, &id);
        let hot_key = artifact_key(&session, &id);
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            live_session(&txn, &tenant, &session, now)?;
            let key = artifact_key(&session, &id);
            let record: Option<ArtifactRecord> = get_json(&txn.open_table(ARTIFACTS)?, &key)?;
            let mut record = match record {
                Some(record) if record.state == State::Live => record,
                Some(record) if record.state == State::Deleted => {
                    return Err(StoreError::ArtifactDeleted(id));
                }
                Some(_) => return Err(StoreError::ArtifactExpired(id)),
                None => return Err(StoreError::ArtifactNotFound { id, session }),
            };
            txn.open_table(EXPIRY)?
                .remove((record.meta.expires_at, format!("a:{key}").as_str()))?;
            record.state = State::Deleted;
            put_json(&txn, ARTIFACTS, &key, &record)?;
            txn.open_table(BLOBS)?.remove(key.as_str())?;
            remove_if_present(&path)?;
            txn.commit()?;
            Ok(())
        })
        .await?;
        self.hot.invalidate(|cached| cached == hot_key);
        Ok(())
    }

    async fn put_file(
        &self,
        tenant: &str,
        blob: StagedBlob,
        filename: &str,
        purpose: &str,
    ) -> Result<FileRecord, StoreError> {
        let (tmp, size, sha256, md5) = blob.finish_file().await?;
        let tenant = tenant.to_owned();
        let filename = filename.to_owned();
        let purpose = purpose.to_owned();
        let root = self.root.clone();
        let retention = self.retention;
        let tmp_for_cleanup = tmp.clone();
        let quotas = self.quotas;
        let result = self
            .blocking(move |db, now| {
                let record = FileRecord {
                    id: FileId::generate(),
                    tenant,
                    filename,
                    purpose,
                    bytes: size,
                    md5,
                    sha256,
                    created_at: now,
                    expires_at: now + retention,
                    complete: true,
                };
                let dest = root.join("files").join(record.id.as_str());
                let txn = db.begin_write()?;
                // Checked before the bytes move in; the transaction holds off other writes.
                quota::check(&txn, quotas, &record.tenant, None, size, 0, now)?;
                std::fs::rename(&tmp, &dest)?;
                sync_dir(&root.join("files"))?;
                insert_file(&txn, &record, None, 0)?;
                if let Err(error) = txn.commit() {
                    let _ = std::fs::remove_file(&dest);
                    return Err(error.into());
                }
                Ok(record)
            })
            .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp_for_cleanup).await;
        }
        result
    }

    async fn file(&self, tenant: &str, id: &FileId) -> Result<FileRecord, StoreError> {
        let tenant = tenant.to_owned();
        let id = id.clone();
        self.blocking(move |db, now| {
            let table = db.begin_read()?.open_table(FILES)?;
            check_file(get_json(&table, id.as_str())?, &tenant, &id, now)
        })
        .await
    }

    async fn file_by_md5(&self, tenant: &str, md5: &str) -> Result<Option<FileRecord>, StoreError> {
        let tenant = tenant.to_owned();
        let key = format!("{tenant}/{}", md5.to_ascii_lowercase());
        self.blocking(move |db, now| {
            let txn = db.begin_read()?;
            let Some(id) = txn
                .open_table(FILE_MD5)?
                .get(key.as_str())?
                .map(|v| v.value().to_owned())
            else {
                return Ok(None);
            };
            let Ok(id) = id.parse::<FileId>() else {
                return Ok(None);
            };
            match check_file(
                get_json(&txn.open_table(FILES)?, id.as_str())?,
                &tenant,
                &id,
                now,
            ) {
                Ok(record) => Ok(Some(record)),
                Err(error) if error.is_client_error() => Ok(None),
                Err(error) => Err(error),
            }
        })
        .await
    }

    async fn list_files(
        &self,
        tenant: &str,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<FileRecord>, StoreError> {
        let tenant = tenant.to_owned();
        self.blocking(move |db, now| {
            let table = db.begin_read()?.open_table(FILES)?;
            let mut files = Vec::new();
            for entry in table.iter()? {
                let (_, value) = entry?;
                let entry: FileEntry = serde_json::from_slice(value.value())?;
                if entry.record.tenant == tenant
                    && entry.record.complete
                    && entry.record.expires_at > now
                {
                    files.push(entry.record);
                }
            }
            files.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
            Ok(files.into_iter().skip(skip).take(limit).collect())
        })
        .await
    }

    async fn open_file(&self, file: &FileRecord) -> Result<BlobReader, StoreError> {
        open_reader(&self.file_path(&file.id)).await
    }

    async fn delete_file(&self, tenant: &str, id: &FileId) -> Result<FileRecord, StoreError> {
        let tenant = tenant.to_owned();
        let id = id.clone();
        let path = self.file_path(&id);
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            let entry: Option<FileEntry> = get_json(&txn.open_table(FILES)?, id.as_str())?;
            let record = check_file(entry, &tenant, &id, now)?;
            remove_file_records(&txn, &record)?;
            remove_if_present(&path)?;
            txn.commit()?;
            Ok(record)
        })
        .await
    }

    async fn create_upload(
        &self,
        tenant: &str,
        filename: &str,
        purpose: &str,
        ttl_secs: u64,
    ) -> Result<PendingUpload, StoreError> {
        let tenant = tenant.to_owned();
        let filename = filename.to_owned();
        let purpose = purpose.to_owned();
        let retention = self.retention;
        self.blocking(move |db, now| {
            let token = random_hex(24);
            let record = FileRecord {
                id: FileId::generate(),
                tenant,
                filename,
                purpose,
                bytes: 0,
                md5: String::new(),
                sha256: String::new(),
                created_at: now,
                expires_at: now + retention.max(ttl_secs),
                complete: false,
            };
            let upload_expires_at = now + ttl_secs;
            let txn = db.begin_write()?;
            insert_file(&txn, &record, Some(&token), upload_expires_at)?;
            txn.commit()?;
            Ok(PendingUpload {
                file: record,
                token,
                upload_expires_at,
            })
        })
        .await
    }

    async fn complete_upload(
        &self,
        id: &FileId,
        token: &str,
        blob: StagedBlob,
    ) -> Result<FileRecord, StoreError> {
        let (tmp, size, sha256, md5) = blob.finish_file().await?;
        let id = id.clone();
        let token_sha256 = hex(&sha2::Sha256::digest(token.as_bytes()));
        let dest = self.file_path(&id);
        let files_dir = self.root.join("files");
        let tmp_for_cleanup = tmp.clone();
        let quotas = self.quotas;
        let result = self
            .blocking(move |db, now| {
                let txn = db.begin_write()?;
                let entry: Option<FileEntry> = get_json(&txn.open_table(FILES)?, id.as_str())?;
                let Some(mut entry) = entry else {
                    return Err(StoreError::UploadRejected(id));
                };
                if entry.upload_token_sha256.as_deref() != Some(token_sha256.as_str())
                    || entry.upload_expires_at <= now
                {
                    return Err(StoreError::UploadRejected(id));
                }
                // A retried PUT replaces the bytes of the earlier one.
                let replacing = if entry.record.complete {
                    entry.record.bytes
                } else {
                    0
                };
                quota::check(
                    &txn,
                    quotas,
                    &entry.record.tenant,
                    None,
                    size,
                    replacing,
                    now,
                )?;
                std::fs::rename(&tmp, &dest)?;
                sync_dir(&files_dir)?;
                entry.record.bytes = size;
                entry.record.sha256 = sha256;
                entry.record.md5 = md5;
                entry.record.complete = true;
                // A retried PUT with the same URL may replace the bytes until
                // the URL expires; the record always describes the last one.
                let record = entry.record.clone();
                put_json(&txn, FILES, id.as_str(), &entry)?;
                txn.open_table(FILE_MD5)?.insert(
                    format!("{}/{}", record.tenant, record.md5).as_str(),
                    id.as_str(),
                )?;
                txn.commit()?;
                Ok(record)
            })
            .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp_for_cleanup).await;
        }
        result
    }

    async fn sweep(&self) -> Result<SweepReport, StoreError> {
        let root = self.root.clone();
        let report = self
            .blocking(move |db, now| {
                let mut report = SweepReport::default();
                loop {
                    let txn = db.begin_write()?;
                    let due: Vec<(u64, String)> = {
                        let expiry = txn.open_table(EXPIRY)?;
                        expiry
                            .range((0u64, "")..=(now, "\u{10ffff}"))?
                            .take(SWEEP_BATCH)
                            .map(|entry| {
                                let (key, _) = entry?;
                                let (at, what) = key.value();
                                Ok((at, what.to_owned()))
                            })
                            .collect::<Result<_, StoreError>>()?
                    };
                    for (at, what) in &due {
                        sweep_one(&txn, &root, now, what, &mut report)?;
                        txn.open_table(EXPIRY)?.remove((*at, what.as_str()))?;
                    }
                    txn.commit()?;
                    if due.len() < SWEEP_BATCH {
                        break;
                    }
                }
                Ok(report)
            })
            .await?;
        // Expired entries are never served (the cache checks the clock); this frees them.
        if report.artifacts + report.sessions > 0 {
            self.hot.clear();
        }
        Ok(report)
    }
}

fn insert_file(
    txn: &WriteTransaction,
    record: &FileRecord,
    upload_token: Option<&str>,
    upload_expires_at: u64,
) -> Result<(), StoreError> {
    let entry = FileEntry {
        record: record.clone(),
        upload_token_sha256: upload_token.map(|token| hex(&sha2::Sha256::digest(token.as_bytes()))),
        upload_expires_at,
    };
    put_json(txn, FILES, record.id.as_str(), &entry)?;
    if record.complete {
        txn.open_table(FILE_MD5)?.insert(
            format!("{}/{}", record.tenant, record.md5).as_str(),
            record.id.as_str(),
        )?;
    }
    txn.open_table(EXPIRY)?
        .insert((record.expires_at, format!("f:{}", record.id).as_str()), ())?;
    Ok(())
}

fn remove_file_records(txn: &WriteTransaction, record: &FileRecord) -> Result<(), StoreError> {
    txn.open_table(FILES)?.remove(record.id.as_str())?;
    let md5_key = format!("{}/{}", record.tenant, record.md5);
    let mut md5_index = txn.open_table(FILE_MD5)?;
    let points_here = md5_index
        .get(md5_key.as_str())?
        .is_some_and(|value| value.value() == record.id.as_str());
    if points_here {
        md5_index.remove(md5_key.as_str())?;
    }
    txn.open_table(EXPIRY)?
        .remove((record.expires_at, format!("f:{}", record.id).as_str()))?;
    Ok(())
}

fn sweep_one(
    txn: &WriteTransaction,
    root: &Path,
    now: u64,
    what: &str,
    report: &mut SweepReport,
) -> Result<(), StoreError> {
    let Some((tag, key)) = what.split_once(':') else {
        return Ok(());
    };
    match tag {
        "a" => {
            let record: Option<ArtifactRecord> = get_json(&txn.open_table(ARTIFACTS)?, key)?;
            if let Some(mut record) = record.filter(|r| r.state == State::Live) {
                report.bytes += remove_if_present(&root.join("blobs").join(key))?;
                if let Some(inline) = txn.open_table(BLOBS)?.remove(key)? {
                    report.bytes += inline.value().len() as u64;
                }
                report.artifacts += 1;
                record.state = State::Expired;
                put_json(txn, ARTIFACTS, key, &record)?;
            }
        }
        "s" => {
            let record: Option<SessionRecord> = get_json(&txn.open_table(SESSIONS)?, key)?;
            if let Some(mut record) = record.filter(|r| r.state == State::Live) {
                let dir = root.join("blobs").join(key);
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)?;
                }
                record.state = State::Expired;
                put_json(txn, SESSIONS, key, &record)?;
                txn.open_table(EXPIRY)?
                    .insert((now + TOMBSTONE_SECS, format!("p:{key}").as_str()), ())?;
                report.sessions += 1;
            }
        }
        "p" => {
            let mut artifacts = txn.open_table(ARTIFACTS)?;
            let end = format!("{key}0");
            let keys: Vec<String> = artifacts
                .range(format!("{key}/").as_str()..end.as_str())?
                .map(|entry| Ok(entry?.0.value().to_owned()))
                .collect::<Result<_, StoreError>>()?;
            let mut blobs = txn.open_table(BLOBS)?;
            for artifact in keys {
                artifacts.remove(artifact.as_str())?;
                blobs.remove(artifact.as_str())?;
            }
            txn.open_table(SESSIONS)?.remove(key)?;
        }
        "f" => {
            let entry: Option<FileEntry> = get_json(&txn.open_table(FILES)?, key)?;
            if let Some(entry) = entry {
                report.bytes += remove_if_present(&root.join("files").join(key))?;
                report.files += 1;
                remove_file_records(txn, &entry.record)?;
            }
        }
        _ => {}
    }
    Ok(())
}
