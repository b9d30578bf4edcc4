//! The store trait every backend implements.

use std::ops::Range;
use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use tokio::io::AsyncReadExt as _;
use vitrine_wire::{ArtifactId, FileId, SessionId};

use crate::{
    ArtifactMeta, FileRecord, NewArtifact, PendingUpload, SessionInfo, StagedBlob, StoreError,
    SweepReport,
};

/// Bytes coming out of the store.
pub type BlobReader = Box<dyn tokio::io::AsyncRead + Send + Unpin>;

/// What [`ArtifactStore::read`] found: the metadata and, when the store had them at hand,
/// the bytes.
#[derive(Debug, Clone)]
pub struct ArtifactRead {
    /// As [`ArtifactStore::artifact`] gives it.
    pub meta: Arc<ArtifactMeta>,
    /// All the bytes, for a store that keeps small artifacts in its index or in memory;
    /// `None`: read them with [`ArtifactStore::open`] or [`ArtifactStore::open_range`].
    pub bytes: Option<Bytes>,
}

/// Sessions, their artifacts, and uploaded files.
///
/// Every read takes the caller's tenant: a session or file of another tenant
/// answers exactly like one that does not exist, so ids leak nothing.
#[async_trait]
pub trait ArtifactStore: Send + Sync + 'static {
    /// One line for start-up logs: which backend, where.
    fn describe(&self) -> String;

    /// How long new artifacts and files are kept, in seconds.
    fn retention_secs(&self) -> u64;

    /// Starts writing a blob of at most `limit` bytes.
    async fn stage(&self, limit: u64) -> Result<StagedBlob, StoreError>;

    /// Opens a new empty session for `tenant`.
    async fn create_session(&self, tenant: &str) -> Result<SessionInfo, StoreError>;

    /// Looks a session up; expired and foreign sessions are errors.
    async fn session(&self, tenant: &str, id: &SessionId) -> Result<SessionInfo, StoreError>;

    /// Deletes a session and all its artifacts; returns how many there were.
    async fn delete_session(&self, tenant: &str, id: &SessionId) -> Result<u64, StoreError>;

    /// Commits a staged blob as a new artifact of the session. Once this
    /// returns, the bytes and metadata survive a crash.
    async fn put(
        &self,
        tenant: &str,
        session: &SessionId,
        blob: StagedBlob,
        artifact: NewArtifact,
    ) -> Result<ArtifactMeta, StoreError>;

    /// Adds an uploaded file to a session as an artifact without copying it
    /// through memory.
    async fn put_from_file(
        &self,
        tenant: &str,
        session: &SessionId,
        file: &FileRecord,
        artifact: NewArtifact,
    ) -> Result<ArtifactMeta, StoreError>;

    /// An artifact's metadata.
    async fn artifact(
        &self,
        tenant: &str,
        session: &SessionId,
        id: &ArtifactId,
    ) -> Result<ArtifactMeta, StoreError>;

    /// [`artifact`](Self::artifact) and, where the store has them at hand, the bytes, in one
    /// step: the download path. The default leaves the bytes to [`open`](Self::open).
    async fn read(
        &self,
        tenant: &str,
        session: &SessionId,
        id: &ArtifactId,
    ) -> Result<ArtifactRead, StoreError> {
        Ok(ArtifactRead {
            meta: Arc::new(self.artifact(tenant, session, id).await?),
            bytes: None,
        })
    }

    /// An artifact's bytes.
    async fn open(&self, artifact: &ArtifactMeta) -> Result<BlobReader, StoreError>;

    /// Bytes `range` of an artifact (the caller has checked it lies within the size), for
    /// HTTP range requests. The default reads and drops what comes before the range; backends
    /// that can seek do.
    async fn open_range(
        &self,
        artifact: &ArtifactMeta,
        range: Range<u64>,
    ) -> Result<BlobReader, StoreError> {
        let mut reader = self.open(artifact).await?;
        tokio::io::copy(&mut (&mut reader).take(range.start), &mut tokio::io::sink()).await?;
        Ok(Box::new(reader.take(range.end.saturating_sub(range.start))))
    }

    /// Whether the services behind the store answer now (readiness probes). The default,
    /// for a store on local disk, is always yes: staging a blob checks the disk.
    async fn check(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// The live artifacts of a session, oldest first.
    async fn list(
        &self,
        tenant: &str,
        session: &SessionId,
    ) -> Result<Vec<ArtifactMeta>, StoreError>;

    /// Deletes one artifact. Its id is never reused in the session, because
    /// clients cache bytes by id.
    async fn delete(
        &self,
        tenant: &str,
        session: &SessionId,
        id: &ArtifactId,
    ) -> Result<(), StoreError>;

    /// Commits a staged blob as an uploaded file.
    async fn put_file(
        &self,
        tenant: &str,
        blob: StagedBlob,
        filename: &str,
        purpose: &str,
    ) -> Result<FileRecord, StoreError>;

    /// A file's record.
    async fn file(&self, tenant: &str, id: &FileId) -> Result<FileRecord, StoreError>;

    /// The tenant's complete file with this MD5, if any.
    async fn file_by_md5(&self, tenant: &str, md5: &str) -> Result<Option<FileRecord>, StoreError>;

    /// The tenant's complete files, newest first.
    async fn list_files(
        &self,
        tenant: &str,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<FileRecord>, StoreError>;

    /// A file's bytes.
    async fn open_file(&self, file: &FileRecord) -> Result<BlobReader, StoreError>;

    /// Deletes a file.
    async fn delete_file(&self, tenant: &str, id: &FileId) -> Result<FileRecord, StoreError>;

    /// Reserves a file id for a presigned upload valid for `ttl_secs`.
    async fn create_upload(
        &self,
        tenant: &str,
        filename: &str,
        purpose: &str,
        ttl_secs: u64,
    ) -> Result<PendingUpload, StoreError>;

    /// Completes a presigned upload if `token` matches and is still valid.
    async fn complete_upload(
        &self,
        id: &FileId,
        token: &str,
        blob: StagedBlob,
    ) -> Result<FileRecord, StoreError>;

    /// Deletes everything whose retention has passed. The cost is
    /// proportional to what expired, not to the size of the store.
    async fn sweep(&self) -> Result<SweepReport, StoreError>;
}
