//! `vitrine migrate-store`: copies an embedded deployment (a data directory) into object
//! storage and PostgreSQL.
//!
//! Every byte that lands in object storage is read back and hashed, and must match the
//! SHA-256 the embedded store recorded, before its row is written; a row already present is
//! left alone and an object already present with the right hash is not uploaded again, so
//! the command can be re-run after a failure (or to pick up what changed since) and finishes
//! the job. Run it with the embedded server stopped.

use object_store::ObjectStoreExt as _;
use object_store::path::Path as ObjectPath;
use sha2::Digest as _;
use tokio::io::AsyncReadExt as _;

use super::{ScaledStore, objects, to_i64};
use crate::local::LocalStore;
use crate::staged::hex;
use crate::{ArtifactStore, BlobReader, SkillStore, StoreError};

/// What one run of the migration did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Live sessions copied (or already there).
    pub sessions: u64,
    /// Artifacts whose bytes were verified in object storage.
    pub artifacts: u64,
    /// Tombstones (deleted or expired artifacts) copied, so their ids stay unused.
    pub tombstones: u64,
    /// Uploaded files verified in object storage.
    pub files: u64,
    /// Bytes uploaded by this run (objects already in place and verified are not counted).
    pub bytes_uploaded: u64,
    /// Objects already in place with the right hash.
    pub already_there: u64,
    /// Executions copied (or already there).
    pub executions: u64,
    /// Skill versions.
    pub skills: u64,
    /// Session plans.
    pub programs: u64,
    /// Usage records.
    pub usage: u64,
}

/// Copies everything in `from` to `to`.
pub async fn migrate_store(
    from: &LocalStore,
    to: &ScaledStore,
) -> Result<MigrationReport, StoreError> {
    let mut export = from.export().await?;
    // Queue order survives: new sequence numbers are handed out oldest first.
    export.executions.sort_by_key(|(record, _)| record.seq);
    let db = to.db().await?;
    let mut report = MigrationReport::default();
    for info in &export.sessions {
        sqlx::query(
            "INSERT INTO sessions (id, tenant, created_at, expires_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(info.id.as_str())
        .bind(&info.tenant)
        .bind(to_i64(info.created_at))
        .bind(to_i64(info.expires_at))
        .execute(db)
        .await?;
        report.sessions += 1;
    }
    for (meta, state) in &export.artifacts {
        let path = to.artifact_path(&meta.session_id, &meta.id);
        if *state == "live" {
            let source = from.open(meta).await?;
            copy_verified(to, source, &path, &meta.sha256, meta.size, &mut report).await?;
            report.artifacts += 1;
        } else {
            report.tombstones += 1;
        }
        sqlx::query(
            "INSERT INTO artifacts
                 (session_id, id, tenant, state, created_at, expires_at, size, object_key, meta)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (session_id, id) DO NOTHING",
        )
        .bind(meta.session_id.as_str())
        .bind(meta.id.as_str())
        .bind(&meta.tenant)
        .bind(*state)
        .bind(to_i64(meta.created_at))
        .bind(to_i64(meta.expires_at))
        .bind(to_i64(meta.size))
        .bind(path.to_string())
        .bind(serde_json::to_string(meta)?)
        .execute(db)
        .await?;
    }
    for file in &export.files {
        let source = from.open_file(file).await?;
        copy_verified(
            to,
            source,
            &to.file_path(&file.id),
            &file.sha256,
            file.bytes,
            &mut report,
        )
        .await?;
        sqlx::query(
            "INSERT INTO files (id, tenant, md5, complete, created_at, expires_at, record)
             VALUES ($1, $2, $3, TRUE, $4, $5, $6) ON CONFLICT (id) DO NOTHING",
        )
        .bind(file.id.as_str())
        .bind(&file.tenant)
        .bind(&file.md5)
        .bind(to_i64(file.created_at))
        .bind(to_i64(file.expires_at))
        .bind(serde_json::to_string(file)?)
        .execute(db)
        .await?;
        report.files += 1;
    }
    for (record, key) in &export.executions {
        let mut record = record.clone();
        // The embedded server is stopped: what it was running starts again from the queue.
        if record.status == crate::ExecutionStatus::Running {
            record.status = crate::ExecutionStatus::Enqueued;
        }
        sqlx::query(
            "INSERT INTO executions (id, tenant, status, idempotency_key, webhook_pending, record)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&record.id)
        .bind(&record.tenant)
        .bind(record.status.as_str())
        .bind(key)
        .bind(record.webhook_pending && record.status.is_final())
        .bind(serde_json::to_string(&record)?)
        .execute(db)
        .await?;
        report.executions += 1;
    }
    for skill in &export.skills {
        let bundle = from.skill_bundle(skill).await?;
        if hex(&sha2::Sha256::digest(&bundle)) != skill.sha256 {
            return Err(StoreError::Index(format!(
                "skill `{}` version {} does not match its recorded sha256",
                skill.id, skill.version
            )));
        }
        sqlx::query(
            "INSERT INTO skills (tenant, id, version, name, created_at, record, bundle)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(&skill.tenant)
        .bind(&skill.id)
        .bind(i32::try_from(skill.version).unwrap_or(i32::MAX))
        .bind(&skill.name)
        .bind(to_i64(skill.created_at))
        .bind(serde_json::to_string(skill)?)
        .bind(bundle)
        .execute(db)
        .await?;
        sqlx::query(
            "INSERT INTO skill_names (tenant, name, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(&skill.tenant)
        .bind(&skill.name)
        .bind(&skill.id)
        .execute(db)
        .await?;
        report.skills += 1;
    }
    for (session, tenant, program) in &export.programs {
        sqlx::query(
            "INSERT INTO session_programs (session_id, tenant, program) VALUES ($1, $2, $3)
             ON CONFLICT (session_id) DO NOTHING",
        )
        .bind(session)
        .bind(tenant)
        .bind(serde_json::to_string(program)?)
        .execute(db)
        .await?;
        report.programs += 1;
    }
    for record in &export.usage {
        sqlx::query(
            "INSERT INTO usage (tenant, at, request_id, record) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING",
        )
        .bind(&record.tenant)
        .bind(to_i64(record.at))
        .bind(&record.request_id)
        .bind(serde_json::to_string(record)?)
        .execute(db)
        .await?;
        report.usage += 1;
    }
    Ok(report)
}

/// Makes `path` hold exactly the bytes of `source`, whose SHA-256 must be `sha256`: an object
/// already there with that hash stays; otherwise the bytes are uploaded (through a temp file,
/// hashed on the way) and read back.
async fn copy_verified(
    to: &ScaledStore,
    mut source: BlobReader,
    path: &ObjectPath,
    sha256: &str,
    size: u64,
    report: &mut MigrationReport,
) -> Result<(), StoreError> {
    if to
        .objects
        .head(path)
        .await
        .is_ok_and(|meta| meta.size == size)
        && stored_sha256(to, path).await? == sha256
    {
        report.already_there += 1;
        return Ok(());
    }
    let mut blob = to.stage(u64::MAX).await?;
    let mut buffer = vec![0; 1 << 20];
    loop {
        let read = source.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        blob.write(&buffer[..read]).await?;
    }
    let (tmp, written, local_sha256) = blob.finish().await?;
    let uploaded = async {
        if local_sha256 != sha256 {
            return Err(StoreError::Index(format!(
                "`{path}`: the source bytes hash to {local_sha256}, not the recorded {sha256}"
            )));
        }
        objects::upload_file(to.objects.as_ref(), path, &tmp, written).await
    }
    .await;
    let _ = tokio::fs::remove_file(&tmp).await;
    uploaded?;
    let stored = stored_sha256(to, path).await?;
    if stored != sha256 {
        return Err(StoreError::Index(format!(
            "`{path}` reads back as {stored}, not {sha256}"
        )));
    }
    report.bytes_uploaded += written;
    Ok(())
}

async fn stored_sha256(to: &ScaledStore, path: &ObjectPath) -> Result<String, StoreError> {
    let mut reader = objects::read(to.objects.as_ref(), path, None).await?;
    let mut hasher = sha2::Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    loop {
        let read = reader.read(&mut buffer).await?;
        if read == 0 {
            break;
        }
        hasher.update(&buffer[..read]);
    }
    Ok(hex(&hasher.finalize()))
}
