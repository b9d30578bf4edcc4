//! The scaled-out backend: bytes in S3-compatible object storage, everything else in
//! PostgreSQL, so any number of stateless replicas share one deployment.
//!
//! ```text
//! s3://bucket/prefix/artifacts/<session>/<artifact>   artifact bytes
//! s3://bucket/prefix/files/<file id>                  uploaded files
//! PostgreSQL                                          sessions, artifacts, files, executions,
//!                                                     skills (bundles included), usage
//! ```
//!
//! An artifact becomes visible in three steps: its id is reserved by inserting a `pending`
//! row (the primary key makes ids unique across replicas), its bytes are uploaded (multipart
//! above [`SINGLE_PUT_MAX`]), and only then does one transaction flip the row to `live`. A
//! replica dying in between leaves a `pending` row that no read or listing ever shows and that
//! the sweeper removes with its object after [`PENDING_SECS`].
//!
//! Every replica runs the sweeper. Each batch locks the rows it takes with
//! `FOR UPDATE SKIP LOCKED`, deletes their objects, then marks them and commits, so two
//! replicas never handle the same row and the sum of their reports counts each row once; a
//! failed object delete rolls the batch back for the next sweep to retry.
//!
//! Schema changes are numbered SQL files in `migrations/`, applied at start-up under an
//! advisory lock (replicas starting together apply each once) and recorded in
//! `vitrine_migrations`.

mod migrate;
mod objects;
mod queue;
mod skills;
mod usage;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt as _};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{Postgres, Row, Transaction};
use vitrine_wire::{ArtifactId, FileId, SessionId, random_hex};

pub use migrate::{MigrationReport, migrate_store};

use crate::staged::hex;
use crate::{
    ArtifactMeta, ArtifactStore, BlobReader, Clock, FileRecord, NewArtifact, PendingUpload,
    SessionInfo, StagedBlob, StoreError, SweepReport,
};

/// Blobs up to this size go up in one `PUT`; larger ones in multipart parts of this size.
pub(crate) const SINGLE_PUT_MAX: u64 = 8 * 1024 * 1024;
/// How long an upload may stay `pending` before the sweeper takes it for abandoned.
const PENDING_SECS: i64 = 6 * 3600;
/// How long an expired session's tombstone answers "expired".
const TOMBSTONE_SECS: i64 = 7 * 24 * 3600;
/// Rows handled per sweep transaction.
const SWEEP_BATCH: i64 = 256;

/// Versioned schema changes, applied in order.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_webhook_leases.sql")),
    (3, include_str!("migrations/0003_quota_index.sql")),
];
/// Advisory-lock keys (any constants unique to Vitrine).
const MIGRATION_LOCK: i64 = 0x5649_5452_494e_0001;

/// Where a scaled-out deployment keeps things.
#[derive(Debug, Clone)]
pub struct ScaledOptions {
    /// `s3://bucket/prefix`; endpoint and credentials come from the `AWS_*` environment.
    pub store_url: String,
    /// Object-store settings applied over the environment, as `(key, value)` with
    /// `object_store`'s names (`aws_endpoint`, `aws_access_key_id`, `aws_allow_http`, ...).
    pub s3_config: Vec<(String, String)>,
    /// `postgres://user@host:port/db`.
    pub meta_url: String,
    /// Replica-local scratch space for blobs being received.
    pub scratch_dir: PathBuf,
    /// How long new artifacts, sessions and files live.
    pub retention_secs: u64,
    /// How long a claimed execution is held without its worker renewing it; after that
    /// another replica may take it over.
    pub lease: Duration,
}

/// Artifacts in object storage with metadata, the execution queue, skills and usage in
/// PostgreSQL.
pub struct ScaledStore {
    pool: PgPool,
    /// Set once this process has brought the schema up to date.
    migrated: tokio::sync::OnceCell<()>,
    objects: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
    scratch: PathBuf,
    retention: u64,
    clock: Arc<dyn Clock>,
    lease: Duration,
    /// This process among the replicas, for the webhook deliveries it leases.
    owner: String,
    describe: String,
    quotas: crate::Quotas,
}

impl std::fmt::Debug for ScaledStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScaledStore")
            .field("describe", &self.describe)
            .finish()
    }
}

fn db_error(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable {
            service: "the metadata database",
            detail: error.to_string(),
        },
        // The server shutting down or restarting (admin_shutdown, crash_shutdown, ...).
        sqlx::Error::Database(ref db) if db.code().is_some_and(|code| code.starts_with("57P")) => {
            StoreError::Unavailable {
                service: "the metadata database",
                detail: error.to_string(),
            }
        }
        other => StoreError::Index(other.to_string()),
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        db_error(error)
    }
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn to_u64(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

impl ScaledStore {
    /// Sets the store up without contacting either service, so a replica starts (and
    /// answers 503 with `Retry-After`) while they are down. The first use of the database
    /// brings its schema up to date; [`ScaledStore::open`] does that at once.
    pub fn connect(options: ScaledOptions, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let (objects, prefix, bucket) = objects::connect(&options.store_url, &options.s3_config)?;
        std::fs::create_dir_all(&options.scratch_dir)?;
        // Blobs half-received by a previous run were never acknowledged.
        for entry in std::fs::read_dir(&options.scratch_dir)? {
            let _ = std::fs::remove_file(entry?.path());
        }
        let connect: PgConnectOptions = options
            .meta_url
            .parse()
            .map_err(|error: sqlx::Error| StoreError::Config(format!("invalid --meta: {error}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(connect);
        let describe = format!(
            "object storage s3://{bucket}/{prefix} with PostgreSQL metadata (retention {} s)",
            options.retention_secs
        );
        Ok(ScaledStore {
            pool,
            migrated: tokio::sync::OnceCell::new(),
            objects,
            prefix,
            scratch: options.scratch_dir,
            retention: options.retention_secs,
            clock,
            lease: options.lease,
            owner: random_hex(16),
            describe,
            quotas: crate::Quotas::default(),
        })
    }

    /// Holds writes to `quotas` from now on, summed in PostgreSQL so that they hold across
    /// replicas.
    #[must_use]
    pub fn with_quotas(mut self, quotas: crate::Quotas) -> Self {
        self.quotas = quotas;
        self
    }

    /// Refuses adding `adding` bytes for `tenant` (and to `session`, for an artifact) when that
    /// would exceed a quota. Takes a per-tenant advisory lock held until `txn` ends, so the
    /// sums and the write that follows are one step for every replica; pending artifacts
    /// (bytes still uploading) count, so concurrent writers see each other.
    async fn check_quotas(
        &self,
        txn: &mut Transaction<'_, Postgres>,
        tenant: &str,
        session: Option<&SessionId>,
        adding: u64,
        replacing: u64,
    ) -> Result<(), StoreError> {
        let quotas = self.quotas;
        if quotas == crate::Quotas::default() {
            return Ok(());
        }
        let now = self.now();
        sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind(format!("vitrine-quota:{tenant}"))
            .execute(&mut **txn)
            .await?;
        if let (Some(limit), Some(session)) = (quotas.session_bytes, session) {
            let (stored,) = sqlx::query_as::<_, (i64,)>(
                "SELECT COALESCE(SUM(size), 0)::BIGINT FROM artifacts
                 WHERE session_id = $1 AND state IN ('pending', 'live') AND expires_at > $2",
            )
            .bind(session.as_str())
            .bind(now)
            .fetch_one(&mut **txn)
            .await?;
            crate::Quotas::check(
                Some(limit),
                crate::QuotaScope::Session,
                to_u64(stored),
                adding,
            )?;
        }
        if let Some(limit) = quotas.tenant_bytes {
            let (stored,) = sqlx::query_as::<_, (i64,)>(
                // SUM of BIGINT is NUMERIC: cast the total back.
                "SELECT ((SELECT COALESCE(SUM(size), 0) FROM artifacts
                          WHERE tenant = $1 AND state IN ('pending', 'live') AND expires_at > $2)
                       + (SELECT COALESCE(SUM((record::jsonb ->> 'bytes')::BIGINT), 0) FROM files
                          WHERE tenant = $1 AND complete AND expires_at > $2))::BIGINT",
            )
            .bind(tenant)
            .bind(now)
            .fetch_one(&mut **txn)
            .await?;
            crate::Quotas::check(
                Some(limit),
                crate::QuotaScope::Tenant,
                to_u64(stored).saturating_sub(replacing),
                adding,
            )?;
        }
        Ok(())
    }

    /// Connects to both services and brings the schema up to date now.
    pub async fn open(options: ScaledOptions, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let store = Self::connect(options, clock)?;
        store.db().await?;
        Ok(store)
    }

    /// The pool, once the schema is current (migrations run on the first call that reaches
    /// the database; a failed attempt is retried by the next call).
    async fn db(&self) -> Result<&PgPool, StoreError> {
        self.migrated
            .get_or_try_init(|| migrate(&self.pool))
            .await?;
        Ok(&self.pool)
    }

    /// Checks that both services answer now (for readiness probes).
    pub async fn check(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.db().await?).await?;
        objects::probe(self.objects.as_ref(), &self.prefix).await
    }

    /// The schema version in the database.
    pub async fn schema_version(&self) -> Result<i32, StoreError> {
        let row = sqlx::query("SELECT coalesce(max(version), 0) FROM vitrine_migrations")
            .fetch_one(self.db().await?)
            .await?;
        Ok(row.try_get(0)?)
    }

    fn now(&self) -> i64 {
        to_i64(self.clock.now())
    }

    fn artifact_path(&self, session: &SessionId, id: &ArtifactId) -> ObjectPath {
        self.prefix
            .clone()
            .join("artifacts")
            .join(session.as_str())
            .join(id.as_str())
    }

    fn file_path(&self, id: &FileId) -> ObjectPath {
        self.prefix.clone().join("files").join(id.as_str())
    }

    /// Uploads a staged blob to `path`; returns size, SHA-256 and MD5.
    async fn upload(
        &self,
        blob: StagedBlob,
        path: &ObjectPath,
    ) -> Result<(u64, String, String), StoreError> {
        let (tmp, size, sha256, md5) = blob.finish_file().await?;
        let result = objects::upload_file(self.objects.as_ref(), path, &tmp, size).await;
        let _ = tokio::fs::remove_file(&tmp).await;
        result.map(|()| (size, sha256, md5))
    }

    /// Deletes objects, treating "already gone" as done.
    async fn delete_objects(&self, paths: &[ObjectPath]) -> Result<(), StoreError> {
        for path in paths {
            objects::delete(self.objects.as_ref(), path).await?;
        }
        Ok(())
    }

    /// Reserves an unused artifact id in the session as a `pending` row.
    async fn reserve(
        &self,
        tenant: &str,
        session: &SessionId,
        artifact: NewArtifact,
        size: u64,
        sha256: String,
    ) -> Result<ArtifactMeta, StoreError> {
        let now = self.now();
        check_session(self.db().await?, tenant, session, now).await?;
        let mut txn = self.db().await?.begin().await?;
        self.check_quotas(&mut txn, tenant, Some(session), size, 0)
            .await?;
        for _ in 0..64 {
            let id = ArtifactId::generate(artifact.kind);
            let meta = ArtifactMeta {
                id: id.clone(),
                session_id: session.clone(),
                tenant: tenant.to_owned(),
                kind: artifact.kind,
                content_type: artifact.content_type.clone(),
                size,
                sha256: sha256.clone(),
                created_at: to_u64(now),
                expires_at: to_u64(now) + self.retention,
                media: artifact.media.clone(),
                provenance: artifact.provenance.clone(),
                filename: artifact.filename.clone(),
            };
            let inserted = sqlx::query(
                "INSERT INTO artifacts
                     (session_id, id, tenant, state, created_at, expires_at, size, object_key, meta)
                 VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8)
                 ON CONFLICT DO NOTHING",
            )
            .bind(session.as_str())
            .bind(id.as_str())
            .bind(tenant)
            .bind(now)
            .bind(to_i64(meta.expires_at))
            .bind(to_i64(size))
            .bind(self.artifact_path(session, &id).to_string())
            .bind(serde_json::to_string(&meta)?)
            .execute(&mut *txn)
            .await?;
            if inserted.rows_affected() == 1 {
                txn.commit().await?;
                return Ok(meta);
            }
        }
        Err(StoreError::Index(format!(
            "session `{session}` has no free {} ids left",
            artifact.kind
        )))
    }

    /// Makes a reserved artifact whose bytes are in place visible, and extends its session.
    async fn publish(&self, meta: &ArtifactMeta) -> Result<(), StoreError> {
        let mut txn = self.db().await?.begin().await?;
        let session = lock_live_session(&mut txn, &meta.tenant, &meta.session_id, self.now()).await;
        if let Err(error) = session {
            drop(txn);
            self.abandon(meta).await;
            return Err(error);
        }
        sqlx::query("UPDATE artifacts SET state = 'live' WHERE session_id = $1 AND id = $2")
            .bind(meta.session_id.as_str())
            .bind(meta.id.as_str())
            .execute(&mut *txn)
            .await?;
        sqlx::query("UPDATE sessions SET expires_at = greatest(expires_at, $2) WHERE id = $1")
            .bind(meta.session_id.as_str())
            .bind(to_i64(meta.expires_at))
            .execute(&mut *txn)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Removes a reservation whose upload failed, best effort: what is left, the sweeper
    /// removes after [`PENDING_SECS`].
    async fn abandon(&self, meta: &ArtifactMeta) {
        let _ = objects::delete(
            self.objects.as_ref(),
            &self.artifact_path(&meta.session_id, &meta.id),
        )
        .await;
        if let Ok(db) = self.db().await {
            let _ = sqlx::query(
                "DELETE FROM artifacts WHERE session_id = $1 AND id = $2 AND state = 'pending'",
            )
            .bind(meta.session_id.as_str())
            .bind(meta.id.as_str())
            .execute(db)
            .await;
        }
    }

    async fn file_row(&self, id: &FileId) -> Result<Option<FileRow>, StoreError> {
        let row = sqlx::query(
            "SELECT record, upload_token_sha256, upload_expires_at FROM files WHERE id = $1",
        )
        .bind(id.as_str())
        .fetch_optional(self.db().await?)
        .await?;
        match row {
            Some(row) => Ok(Some(FileRow {
                record: serde_json::from_str(row.try_get::<&str, _>(0)?)?,
                upload_token_sha256: row.try_get(1)?,
                upload_expires_at: row.try_get(2)?,
            })),
            None => Ok(None),
        }
    }
}

struct FileRow {
    record: FileRecord,
    upload_token_sha256: Option<String>,
    upload_expires_at: i64,
}

/// Applies the migrations this build knows and the database lacks, each in order, once.
async fn migrate(pool: &PgPool) -> Result<(), StoreError> {
    let mut txn = pool.begin().await?;
    // Replicas starting together queue here; the second sees the first's versions.
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *txn)
        .await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS vitrine_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
    )
    .execute(&mut *txn)
    .await?;
    let applied: i32 = sqlx::query("SELECT coalesce(max(version), 0) FROM vitrine_migrations")
        .fetch_one(&mut *txn)
        .await?
        .try_get(0)?;
    if let Some((latest, _)) = MIGRATIONS.last()
        && applied > *latest
    {
        return Err(StoreError::Index(format!(
            "the database schema is version {applied}, newer than this build's {latest}; upgrade Vitrine"
        )));
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(version, _)| *version > applied) {
        sqlx::raw_sql(*sql).execute(&mut *txn).await?;
        sqlx::query("INSERT INTO vitrine_migrations (version) VALUES ($1)")
            .bind(version)
            .execute(&mut *txn)
            .await?;
        tracing::info!(version, "applied a metadata migration");
    }
    txn.commit().await?;
    Ok(())
}

fn session_error(
    row: Option<(String, String, i64, i64)>,
    tenant: &str,
    id: &SessionId,
    now: i64,
) -> Result<SessionInfo, StoreError> {
    match row {
        // Another tenant's session answers exactly like a missing one.
        Some((owner, _, _, _)) if owner != tenant => Err(StoreError::SessionNotFound(id.clone())),
        Some((_, state, _, expires_at)) if state != "live" || expires_at <= now => {
            Err(StoreError::SessionExpired(id.clone()))
        }
        Some((owner, _, created_at, expires_at)) => Ok(SessionInfo {
            id: id.clone(),
            tenant: owner,
            created_at: to_u64(created_at),
            expires_at: to_u64(expires_at),
        }),
        None => Err(StoreError::SessionNotFound(id.clone())),
    }
}

async fn check_session<'e>(
    executor: impl sqlx::PgExecutor<'e>,
    tenant: &str,
    id: &SessionId,
    now: i64,
) -> Result<SessionInfo, StoreError> {
    let row = sqlx::query_as::<_, (String, String, i64, i64)>(
        "SELECT tenant, state, created_at, expires_at FROM sessions WHERE id = $1",
    )
    .bind(id.as_str())
    .fetch_optional(executor)
    .await?;
    session_error(row, tenant, id, now)
}

async fn lock_live_session(
    txn: &mut Transaction<'_, Postgres>,
    tenant: &str,
    id: &SessionId,
    now: i64,
) -> Result<SessionInfo, StoreError> {
    let row = sqlx::query_as::<_, (String, String, i64, i64)>(
        "SELECT tenant, state, created_at, expires_at FROM sessions WHERE id = $1 FOR UPDATE",
    )
    .bind(id.as_str())
    .fetch_optional(&mut **txn)
    .await?;
    session_error(row, tenant, id, now)
}

fn check_file(
    row: Option<FileRow>,
    tenant: &str,
    id: &FileId,
    now: i64,
) -> Result<FileRecord, StoreError> {
    match row {
        Some(row) if row.record.tenant != tenant => Err(StoreError::FileNotFound(id.clone())),
        Some(row) if to_i64(row.record.expires_at) <= now => {
            Err(StoreError::FileExpired(id.clone()))
        }
        Some(row) if !row.record.complete => Err(StoreError::UploadIncomplete(id.clone())),
        Some(row) => Ok(row.record),
        None => Err(StoreError::FileNotFound(id.clone())),
    }
}

fn artifact_state(
    row: Option<(String, String)>,
    session: &SessionId,
    id: &ArtifactId,
    now: i64,
) -> Result<ArtifactMeta, StoreError> {
    match row {
        Some((state, meta)) if state == "live" => {
            let meta: ArtifactMeta = serde_json::from_str(&meta)?;
            if to_i64(meta.expires_at) <= now {
                Err(StoreError::ArtifactExpired(id.clone()))
            } else {
                Ok(meta)
            }
        }
        Some((state, _)) if state == "deleted" => Err(StoreError::ArtifactDeleted(id.clone())),
        Some((state, _)) if state == "expired" => Err(StoreError::ArtifactExpired(id.clone())),
        // Pending: its bytes are not durable yet, so it does not exist for readers.
        _ => Err(StoreError::ArtifactNotFound {
            id: id.clone(),
            session: session.clone(),
        }),
    }
}

#[async_trait]
impl ArtifactStore for ScaledStore {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn retention_secs(&self) -> u64 {
        self.retention
    }

    async fn stage(&self, limit: u64) -> Result<StagedBlob, StoreError> {
        Ok(StagedBlob::create(self.scratch.join(random_hex(16)), limit))
    }

    async fn create_session(&self, tenant: &str) -> Result<SessionInfo, StoreError> {
        let now = self.now();
        let info = SessionInfo {
            id: SessionId::generate(),
            tenant: tenant.to_owned(),
            created_at: to_u64(now),
            expires_at: to_u64(now) + self.retention,
        };
        sqlx::query(
            "INSERT INTO sessions (id, tenant, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(info.id.as_str())
        .bind(tenant)
        .bind(now)
        .bind(to_i64(info.expires_at))
        .execute(self.db().await?)
        .await?;
        Ok(info)
    }

    async fn session(&self, tenant: &str, id: &SessionId) -> Result<SessionInfo, StoreError> {
        check_session(self.db().await?, tenant, id, self.now()).await
    }

    async fn delete_session(&self, tenant: &str, id: &SessionId) -> Result<u64, StoreError> {
        let mut txn = self.db().await?.begin().await?;
        lock_live_session(&mut txn, tenant, id, self.now()).await?;
        let removed = sqlx::query_as::<_, (String, String)>(
            "DELETE FROM artifacts WHERE session_id = $1 RETURNING state, object_key",
        )
        .bind(id.as_str())
        .fetch_all(&mut *txn)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *txn)
            .await?;
        sqlx::query("DELETE FROM session_programs WHERE session_id = $1")
            .bind(id.as_str())
            .execute(&mut *txn)
            .await?;
        let paths: Vec<ObjectPath> = removed
            .iter()
            .map(|(_, key)| ObjectPath::from(key.as_str()))
            .collect();
        // Objects first: a failure here leaves the rows, so the caller can retry.
        self.delete_objects(&paths).await?;
        txn.commit().await?;
        Ok(removed.iter().filter(|(state, _)| state == "live").count() as u64)
    }

    async fn put(
        &self,
        tenant: &str,
        session: &SessionId,
        blob: StagedBlob,
        artifact: NewArtifact,
    ) -> Result<ArtifactMeta, StoreError> {
        let (tmp, size, sha256) = blob.finish().await?;
        let result = async {
            let meta = self
                .reserve(tenant, session, artifact, size, sha256)
                .await?;
            let path = self.artifact_path(session, &meta.id);
            if let Err(error) = objects::upload_file(self.objects.as_ref(), &path, &tmp, size).await
            {
                self.abandon(&meta).await;
                return Err(error);
            }
            self.publish(&meta).await?;
            Ok(meta)
        }
        .await;
        let _ = tokio::fs::remove_file(&tmp).await;
        result
    }

    async fn put_from_file(
        &self,
        tenant: &str,
        session: &SessionId,
        file: &FileRecord,
        artifact: NewArtifact,
    ) -> Result<ArtifactMeta, StoreError> {
        let meta = self
            .reserve(tenant, session, artifact, file.bytes, file.sha256.clone())
            .await?;
        let path = self.artifact_path(session, &meta.id);
        // A server-side copy: the bytes never pass through this replica.
        if let Err(error) = self.objects.copy(&self.file_path(&file.id), &path).await {
            self.abandon(&meta).await;
            return Err(objects::error(error));
        }
        self.publish(&meta).await?;
        Ok(meta)
    }

    async fn artifact(
        &self,
        tenant: &str,
        session: &SessionId,
        id: &ArtifactId,
    ) -> Result<ArtifactMeta, StoreError> {
        let now = self.now();
        // One round trip: the session's checks and the artifact's row together.
        let row = sqlx::query_as::<_, (String, String, i64, i64, Option<String>, Option<String>)>(
            "SELECT s.tenant, s.state, s.created_at, s.expires_at, a.state, a.meta
             FROM sessions s LEFT JOIN artifacts a ON a.session_id = s.id AND a.id = $2
             WHERE s.id = $1",
        )
        .bind(session.as_str())
        .bind(id.as_str())
        .fetch_optional(self.db().await?)
        .await?;
        let (owner, state, created_at, expires_at, artifact_state_, meta) = match row {
            Some(row) => row,
            None => return Err(StoreError::SessionNotFound(session.clone())),
        };
        session_error(
            Some((owner, state, created_at, expires_at)),
            tenant,
            session,
            now,
        )?;
        artifact_state(artifact_state_.zip(meta), session, id, now)
    }

    async fn open(&self, artifact: &ArtifactMeta) -> Result<BlobReader, StoreError> {
        objects::read(
            self.objects.as_ref(),
            &self.artifact_path(&artifact.session_id, &artifact.id),
            None,
        )
        .await
    }

    async fn open_range(
        &self,
        artifact: &ArtifactMeta,
        range: std::ops::Range<u64>,
    ) -> Result<BlobReader, StoreError> {
        objects::read(
            self.objects.as_ref(),
            &self.artifact_path(&artifact.session_id, &artifact.id),
            Some(range),
        )
        .await
    }

    async fn list(
        &self,
        tenant: &str,
        session: &SessionId,
    ) -> Result<Vec<ArtifactMeta>, StoreError> {
        let now = self.now();
        check_session(self.db().await?, tenant, session, now).await?;
        let rows = sqlx::query_as::<_, (String,)>(
            "SELECT meta FROM artifacts
             WHERE session_id = $1 AND state = 'live' AND expires_at > $2
             ORDER BY created_at, id",
        )
        .bind(session.as_str())
        .bind(now)
        .fetch_all(self.db().await?)
        .await?;
        rows.into_iter()
            .map(|(meta,)| Ok(serde_json::from_str(&meta)?))
            .collect()
    }

    async fn delete(
        &self,
        tenant: &str,
        session: &SessionId,
        id: &ArtifactId,
    ) -> Result<(), StoreError> {
        let now = self.now();
        let mut txn = self.db().await?.begin().await?;
        lock_live_session(&mut txn, tenant, session, now).await?;
        let row = sqlx::query_as::<_, (String, String)>(
            "SELECT state, meta FROM artifacts WHERE session_id = $1 AND id = $2 FOR UPDATE",
        )
        .bind(session.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut *txn)
        .await?;
        artifact_state(row, session, id, now)?;
        sqlx::query("UPDATE artifacts SET state = 'deleted' WHERE session_id = $1 AND id = $2")
            .bind(session.as_str())
            .bind(id.as_str())
            .execute(&mut *txn)
            .await?;
        objects::delete(self.objects.as_ref(), &self.artifact_path(session, id)).await?;
        txn.commit().await?;
        Ok(())
    }

    async fn put_file(
        &self,
        tenant: &str,
        blob: StagedBlob,
        filename: &str,
        purpose: &str,
    ) -> Result<FileRecord, StoreError> {
        let id = FileId::generate();
        let path = self.file_path(&id);
        let (size, sha256, md5) = self.upload(blob, &path).await?;
        let now = self.now();
        let record = FileRecord {
            id,
            tenant: tenant.to_owned(),
            filename: filename.to_owned(),
            purpose: purpose.to_owned(),
            bytes: size,
            md5,
            sha256,
            created_at: to_u64(now),
            expires_at: to_u64(now) + self.retention,
            complete: true,
        };
        let inserted = async {
            let mut txn = self.db().await?.begin().await?;
            self.check_quotas(&mut txn, tenant, None, size, 0).await?;
            insert_file(&mut *txn, &record, None, 0).await?;
            txn.commit().await?;
            Ok::<_, StoreError>(())
        }
        .await;
        if let Err(error) = inserted {
            let _ = objects::delete(self.objects.as_ref(), &path).await;
            return Err(error);
        }
        Ok(record)
    }

    async fn file(&self, tenant: &str, id: &FileId) -> Result<FileRecord, StoreError> {
        check_file(self.file_row(id).await?, tenant, id, self.now())
    }

    async fn file_by_md5(&self, tenant: &str, md5: &str) -> Result<Option<FileRecord>, StoreError> {
        let row = sqlx::query_as::<_, (String,)>(
            "SELECT record FROM files
             WHERE tenant = $1 AND md5 = $2 AND complete AND expires_at > $3
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(tenant)
        .bind(md5.to_ascii_lowercase())
        .bind(self.now())
        .fetch_optional(self.db().await?)
        .await?;
        match row {
            Some((record,)) => Ok(Some(serde_json::from_str(&record)?)),
            None => Ok(None),
        }
    }

    async fn list_files(
        &self,
        tenant: &str,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<FileRecord>, StoreError> {
        let rows = sqlx::query_as::<_, (String,)>(
            "SELECT record FROM files
             WHERE tenant = $1 AND complete AND expires_at > $2
             ORDER BY created_at DESC, id LIMIT $3 OFFSET $4",
        )
        .bind(tenant)
        .bind(self.now())
        .bind(to_i64(limit as u64))
        .bind(to_i64(skip as u64))
        .fetch_all(self.db().await?)
        .await?;
        rows.into_iter()
            .map(|(record,)| Ok(serde_json::from_str(&record)?))
            .collect()
    }

    async fn open_file(&self, file: &FileRecord) -> Result<BlobReader, StoreError> {
        objects::read(self.objects.as_ref(), &self.file_path(&file.id), None).await
    }

    async fn delete_file(&self, tenant: &str, id: &FileId) -> Result<FileRecord, StoreError> {
        let record = check_file(self.file_row(id).await?, tenant, id, self.now())?;
        objects::delete(self.objects.as_ref(), &self.file_path(id)).await?;
        sqlx::query("DELETE FROM files WHERE id = $1")
            .bind(id.as_str())
            .execute(self.db().await?)
            .await?;
        Ok(record)
    }

    async fn create_upload(
        &self,
        tenant: &str,
        filename: &str,
        purpose: &str,
        ttl_secs: u64,
    ) -> Result<PendingUpload, StoreError> {
        let now = to_u64(self.now());
        let token = random_hex(24);
        let record = FileRecord {
            id: FileId::generate(),
            tenant: tenant.to_owned(),
            filename: filename.to_owned(),
            purpose: purpose.to_owned(),
            bytes: 0,
            md5: String::new(),
            sha256: String::new(),
            created_at: now,
            expires_at: now + self.retention.max(ttl_secs),
            complete: false,
        };
        let upload_expires_at = now + ttl_secs;
        insert_file(self.db().await?, &record, Some(&token), upload_expires_at).await?;
        Ok(PendingUpload {
            file: record,
            token,
            upload_expires_at,
        })
    }

    async fn complete_upload(
        &self,
        id: &FileId,
        token: &str,
        blob: StagedBlob,
    ) -> Result<FileRecord, StoreError> {
        use sha2::Digest as _;
        let token_sha256 = hex(&sha2::Sha256::digest(token.as_bytes()));
        let valid = match self.file_row(id).await? {
            Some(row)
                if row.upload_token_sha256.as_deref() == Some(token_sha256.as_str())
                    && row.upload_expires_at > self.now() =>
            {
                row
            }
            _ => return Err(StoreError::UploadRejected(id.clone())),
        };
        let size = blob.size();
        let replacing = if valid.record.complete {
            valid.record.bytes
        } else {
            0
        };
        // Checked before the bytes go up, and held (the lock) until the record says they did.
        let mut txn = self.db().await?.begin().await?;
        self.check_quotas(&mut txn, &valid.record.tenant, None, size, replacing)
            .await?;
        let (size, sha256, md5) = self.upload(blob, &self.file_path(id)).await?;
        let mut record = valid.record;
        record.bytes = size;
        record.sha256 = sha256;
        record.md5 = md5;
        record.complete = true;
        // A retried PUT with the same URL may replace the bytes until the URL expires; the
        // record always describes the last one.
        sqlx::query("UPDATE files SET complete = TRUE, md5 = $2, record = $3 WHERE id = $1")
            .bind(id.as_str())
            .bind(&record.md5)
            .bind(serde_json::to_string(&record)?)
            .execute(&mut *txn)
            .await?;
        txn.commit().await?;
        Ok(record)
    }

    async fn sweep(&self) -> Result<SweepReport, StoreError> {
        let now = self.now();
        let mut report = SweepReport::default();
        // Live artifacts past their retention.
        loop {
            let mut txn = self.db().await?.begin().await?;
            let due = sqlx::query_as::<_, (String, String, i64, String)>(
                "SELECT session_id, id, size, object_key FROM artifacts
                 WHERE state = 'live' AND expires_at <= $1
                 ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED",
            )
            .bind(now)
            .bind(SWEEP_BATCH)
            .fetch_all(&mut *txn)
            .await?;
            let paths: Vec<ObjectPath> = due
                .iter()
                .map(|(_, _, _, key)| ObjectPath::from(key.as_str()))
                .collect();
            self.delete_objects(&paths).await?;
            let (sessions, ids): (Vec<String>, Vec<String>) = due
                .iter()
                .map(|(session, id, _, _)| (session.clone(), id.clone()))
                .unzip();
            sqlx::query(
                "UPDATE artifacts a SET state = 'expired'
                 FROM unnest($1::text[], $2::text[]) AS k(session_id, id)
                 WHERE a.session_id = k.session_id AND a.id = k.id",
            )
            .bind(&sessions)
            .bind(&ids)
            .execute(&mut *txn)
            .await?;
            txn.commit().await?;
            report.artifacts += due.len() as u64;
            report.bytes += due.iter().map(|(_, _, size, _)| to_u64(*size)).sum::<u64>();
            if (due.len() as i64) < SWEEP_BATCH {
                break;
            }
        }
        // Uploads a replica never finished.
        loop {
            let mut txn = self.db().await?.begin().await?;
            let due = sqlx::query_as::<_, (String, String, String)>(
                "SELECT session_id, id, object_key FROM artifacts
                 WHERE state = 'pending' AND created_at <= $1
                 LIMIT $2 FOR UPDATE SKIP LOCKED",
            )
            .bind(now - PENDING_SECS)
            .bind(SWEEP_BATCH)
            .fetch_all(&mut *txn)
            .await?;
            let paths: Vec<ObjectPath> = due
                .iter()
                .map(|(_, _, key)| ObjectPath::from(key.as_str()))
                .collect();
            self.delete_objects(&paths).await?;
            let (sessions, ids): (Vec<String>, Vec<String>) = due
                .iter()
                .map(|(session, id, _)| (session.clone(), id.clone()))
                .unzip();
            sqlx::query(
                "DELETE FROM artifacts a USING unnest($1::text[], $2::text[]) AS k(session_id, id)
                 WHERE a.session_id = k.session_id AND a.id = k.id",
            )
            .bind(&sessions)
            .bind(&ids)
            .execute(&mut *txn)
            .await?;
            txn.commit().await?;
            if (due.len() as i64) < SWEEP_BATCH {
                break;
            }
        }
        // Sessions: expired ones become tombstones; old tombstones go with their rows.
        let expired = sqlx::query(
            "UPDATE sessions SET state = 'expired', purge_at = $2
             WHERE id IN (SELECT id FROM sessions WHERE state = 'live' AND expires_at <= $1
                          FOR UPDATE SKIP LOCKED)",
        )
        .bind(now)
        .bind(now + TOMBSTONE_SECS)
        .execute(self.db().await?)
        .await?;
        report.sessions = expired.rows_affected();
        let mut txn = self.db().await?.begin().await?;
        let purged = sqlx::query_as::<_, (String,)>(
            "DELETE FROM sessions WHERE id IN
                 (SELECT id FROM sessions WHERE state = 'expired' AND purge_at <= $1
                  FOR UPDATE SKIP LOCKED)
             RETURNING id",
        )
        .bind(now)
        .fetch_all(&mut *txn)
        .await?;
        let purged: Vec<String> = purged.into_iter().map(|(id,)| id).collect();
        sqlx::query("DELETE FROM artifacts WHERE session_id = ANY($1)")
            .bind(&purged)
            .execute(&mut *txn)
            .await?;
        sqlx::query("DELETE FROM session_programs WHERE session_id = ANY($1)")
            .bind(&purged)
            .execute(&mut *txn)
            .await?;
        txn.commit().await?;
        // Files past their retention.
        loop {
            let mut txn = self.db().await?.begin().await?;
            let due = sqlx::query_as::<_, (String, String)>(
                "SELECT id, record FROM files WHERE expires_at <= $1
                 LIMIT $2 FOR UPDATE SKIP LOCKED",
            )
            .bind(now)
            .bind(SWEEP_BATCH)
            .fetch_all(&mut *txn)
            .await?;
            let mut ids = Vec::with_capacity(due.len());
            for (id, record) in &due {
                let record: FileRecord = serde_json::from_str(record)?;
                objects::delete(self.objects.as_ref(), &self.file_path(&record.id)).await?;
                report.bytes += record.bytes;
                ids.push(id.clone());
            }
            sqlx::query("DELETE FROM files WHERE id = ANY($1)")
                .bind(&ids)
                .execute(&mut *txn)
                .await?;
            txn.commit().await?;
            report.files += due.len() as u64;
            if (due.len() as i64) < SWEEP_BATCH {
                break;
            }
        }
        sqlx::query("DELETE FROM skill_downloads WHERE expires_at <= $1")
            .bind(now)
            .execute(self.db().await?)
            .await?;
        Ok(report)
    }

    async fn check(&self) -> Result<(), StoreError> {
        ScaledStore::check(self).await
    }
}

async fn insert_file(
    db: impl sqlx::PgExecutor<'_>,
    record: &FileRecord,
    upload_token: Option<&str>,
    upload_expires_at: u64,
) -> Result<(), StoreError> {
    use sha2::Digest as _;
    sqlx::query(
        "INSERT INTO files (id, tenant, md5, complete, created_at, expires_at,
                            upload_token_sha256, upload_expires_at, record)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(record.id.as_str())
    .bind(&record.tenant)
    .bind(&record.md5)
    .bind(record.complete)
    .bind(to_i64(record.created_at))
    .bind(to_i64(record.expires_at))
    .bind(upload_token.map(|token| hex(&sha2::Sha256::digest(token.as_bytes()))))
    .bind(to_i64(upload_expires_at))
    .bind(serde_json::to_string(record)?)
    .execute(db)
    .await?;
    Ok(())
}
