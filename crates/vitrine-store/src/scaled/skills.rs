//! [`SkillStore`] in PostgreSQL: records and their zip bundles (small, already size-checked
//! by the server) in one table, so a version and its bytes commit together.

use async_trait::async_trait;
use serde_json::Value;
use sha2::Digest as _;
use vitrine_wire::{SessionId, random_hex};

use super::{ScaledStore, to_i64};
use crate::staged::hex;
use crate::{NewSkill, SkillQuery, SkillRecord, SkillStore, SkillUpdate, StoreError};

fn not_found(what: &str, version: Option<u32>) -> StoreError {
    StoreError::SkillNotFound(match version {
        Some(version) => format!("{what}:{version}"),
        None => what.to_owned(),
    })
}

impl ScaledStore {
    async fn find_skill(
        &self,
        tenant: &str,
        id: &str,
        version: Option<u32>,
    ) -> Result<Option<SkillRecord>, StoreError> {
        let row = sqlx::query_as::<_, (String,)>(
            "SELECT record FROM skills WHERE tenant = $1 AND id = $2
               AND ($3::integer IS NULL OR version = $3)
             ORDER BY version DESC LIMIT 1",
        )
        .bind(tenant)
        .bind(id)
        .bind(version.map(|v| i32::try_from(v).unwrap_or(i32::MAX)))
        .fetch_optional(self.db().await?)
        .await?;
        row.map(|(record,)| Ok(serde_json::from_str(&record)?))
            .transpose()
    }
}

async fn insert(
    txn: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    record: &SkillRecord,
    bundle: &[u8],
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO skills (tenant, id, version, name, created_at, record, bundle)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&record.tenant)
    .bind(&record.id)
    .bind(i32::try_from(record.version).unwrap_or(i32::MAX))
    .bind(&record.name)
    .bind(to_i64(record.created_at))
    .bind(serde_json::to_string(record)?)
    .bind(bundle)
    .execute(&mut **txn)
    .await?;
    Ok(())
}

#[async_trait]
impl SkillStore for ScaledStore {
    async fn create_skill(&self, tenant: &str, skill: NewSkill) -> Result<SkillRecord, StoreError> {
        let record = SkillRecord {
            id: format!("skill_{}", random_hex(12)),
            tenant: tenant.to_owned(),
            name: skill.name,
            description: skill.description,
            version: 1,
            created_at: self.clock.now(),
            size: skill.bundle.len() as u64,
            sha256: hex(&sha2::Sha256::digest(&skill.bundle)),
        };
        let mut txn = self.db().await?.begin().await?;
        let claimed = sqlx::query(
            "INSERT INTO skill_names (tenant, name, id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(tenant)
        .bind(&record.name)
        .bind(&record.id)
        .execute(&mut *txn)
        .await?;
        if claimed.rows_affected() == 0 {
            return Err(StoreError::SkillExists(record.name));
        }
        insert(&mut txn, &record, &skill.bundle).await?;
        txn.commit().await?;
        Ok(record)
    }

    async fn update_skill(
        &self,
        tenant: &str,
        id: &str,
        update: SkillUpdate,
    ) -> Result<SkillRecord, StoreError> {
        let mut txn = self.db().await?.begin().await?;
        // Locks the latest version, so two replicas adding a version queue up.
        let row = sqlx::query_as::<_, (String, Vec<u8>)>(
            "SELECT record, bundle FROM skills WHERE tenant = $1 AND id = $2
             ORDER BY version DESC LIMIT 1 FOR UPDATE",
        )
        .bind(tenant)
        .bind(id)
        .fetch_optional(&mut *txn)
        .await?;
        let (previous, old_bundle) = match row {
            Some((record, bundle)) => (serde_json::from_str::<SkillRecord>(&record)?, bundle),
            None => return Err(not_found(id, None)),
        };
        let bundle = update.bundle.unwrap_or(old_bundle);
        let record = SkillRecord {
            version: previous.version + 1,
            created_at: self.clock.now(),
            description: update.description.unwrap_or(previous.description),
            size: bundle.len() as u64,
            sha256: hex(&sha2::Sha256::digest(&bundle)),
            ..previous
        };
        insert(&mut txn, &record, &bundle).await?;
        txn.commit().await?;
        Ok(record)
    }

    async fn skill(
        &self,
        tenant: &str,
        id: &str,
        version: Option<u32>,
    ) -> Result<SkillRecord, StoreError> {
        self.find_skill(tenant, id, version)
            .await?
            .ok_or_else(|| not_found(id, version))
    }

    async fn skill_by_name(
        &self,
        tenant: &str,
        name: &str,
        version: Option<u32>,
    ) -> Result<SkillRecord, StoreError> {
        let id = sqlx::query_as::<_, (String,)>(
            "SELECT id FROM skill_names WHERE tenant = $1 AND name = $2",
        )
        .bind(tenant)
        .bind(name)
        .fetch_optional(self.db().await?)
        .await?;
        let Some((id,)) = id else {
            return Err(StoreError::SkillNotFound(name.to_owned()));
        };
        self.find_skill(tenant, &id, version)
            .await?
            .ok_or_else(|| not_found(name, version))
    }

    async fn list_skills(
        &self,
        tenant: &str,
        query: SkillQuery,
    ) -> Result<Vec<SkillRecord>, StoreError> {
        let rows = sqlx::query_as::<_, (String,)>(
            "SELECT record FROM skills s WHERE tenant = $1
               AND (NOT $2 OR version = (SELECT max(version) FROM skills l
                                         WHERE l.tenant = s.tenant AND l.id = s.id))
             ORDER BY created_at DESC, id DESC, version DESC LIMIT $3 OFFSET $4",
        )
        .bind(tenant)
        .bind(query.latest_only)
        .bind(to_i64(query.limit as u64))
        .bind(to_i64(query.skip as u64))
        .fetch_all(self.db().await?)
        .await?;
        rows.into_iter()
            .map(|(record,)| Ok(serde_json::from_str(&record)?))
            .collect()
    }

    async fn skill_bundle(&self, record: &SkillRecord) -> Result<Vec<u8>, StoreError> {
        let row = sqlx::query_as::<_, (Vec<u8>,)>(
            "SELECT bundle FROM skills WHERE tenant = $1 AND id = $2 AND version = $3",
        )
        .bind(&record.tenant)
        .bind(&record.id)
        .bind(i32::try_from(record.version).unwrap_or(i32::MAX))
        .fetch_optional(self.db().await?)
        .await?;
        row.map(|(bundle,)| bundle)
            .ok_or_else(|| not_found(&record.id, Some(record.version)))
    }

    async fn grant_skill_download(
        &self,
        record: &SkillRecord,
        ttl_secs: u64,
    ) -> Result<String, StoreError> {
        let token = random_hex(24);
        sqlx::query(
            "INSERT INTO skill_downloads (token_sha256, tenant, id, version, expires_at)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(hex(&sha2::Sha256::digest(token.as_bytes())))
        .bind(&record.tenant)
        .bind(&record.id)
        .bind(i32::try_from(record.version).unwrap_or(i32::MAX))
        .bind(to_i64(self.clock.now().saturating_add(ttl_secs)))
        .execute(self.db().await?)
        .await?;
        Ok(token)
    }

    async fn redeem_skill_download(&self, token: &str) -> Result<SkillRecord, StoreError> {
        let grant = sqlx::query_as::<_, (String, String, i32)>(
            "SELECT tenant, id, version FROM skill_downloads
             WHERE token_sha256 = $1 AND expires_at > $2",
        )
        .bind(hex(&sha2::Sha256::digest(token.as_bytes())))
        .bind(self.now())
        .fetch_optional(self.db().await?)
        .await?;
        let Some((tenant, id, version)) = grant else {
            return Err(StoreError::SkillDownloadRejected);
        };
        self.skill(&tenant, &id, u32::try_from(version).ok()).await
    }

    async fn save_session_program(
        &self,
        tenant: &str,
        session: &SessionId,
        program: Value,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO session_programs (session_id, tenant, program) VALUES ($1, $2, $3)
             ON CONFLICT (session_id) DO UPDATE SET tenant = $2, program = $3",
        )
        .bind(session.as_str())
        .bind(tenant)
        .bind(serde_json::to_string(&program)?)
        .execute(self.db().await?)
        .await?;
        Ok(())
    }

    async fn session_program(
        &self,
        tenant: &str,
        session: &SessionId,
    ) -> Result<Option<Value>, StoreError> {
        // Another tenant's session answers like one with no plan.
        let row = sqlx::query_as::<_, (String,)>(
            "SELECT program FROM session_programs WHERE session_id = $1 AND tenant = $2",
        )
        .bind(session.as_str())
        .bind(tenant)
        .fetch_optional(self.db().await?)
        .await?;
        row.map(|(program,)| Ok(serde_json::from_str(&program)?))
            .transpose()
    }
}
