//! [`SkillStore`] for [`LocalStore`]: records in the redb index, bundles as files under
//! `skills/<id>/<version>.zip`, written to `tmp/` and renamed into place before the record
//! is committed (a crash leaves an orphan file, never a record without bytes).

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use redb::{ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Digest as _;
use vitrine_wire::{SessionId, random_hex};

use super::{LocalStore, sync_dir};
use crate::staged::hex;
use crate::{NewSkill, SkillQuery, SkillRecord, SkillStore, SkillUpdate, StoreError};

/// `(tenant, skill id, version)` → [`SkillRecord`] JSON: one tenant's skills are a key range.
const SKILLS: TableDefinition<(&str, &str, u32), &[u8]> = TableDefinition::new("skills");
/// `(tenant, name)` → skill id.
const SKILL_NAMES: TableDefinition<(&str, &str), &str> = TableDefinition::new("skill_names");
/// SHA-256 of a download secret → [`Grant`] JSON (the secret itself is never stored).
const SKILL_DOWNLOADS: TableDefinition<&str, &[u8]> = TableDefinition::new("skill_downloads");
/// Session id → [`SessionProgram`] JSON: the last replayable plan of the session.
const SESSION_PROGRAMS: TableDefinition<&str, &[u8]> = TableDefinition::new("session_programs");

#[derive(Debug, Serialize, Deserialize)]
struct Grant {
    tenant: String,
    id: String,
    version: u32,
    expires_at: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct SessionProgram {
    tenant: String,
    program: Value,
}

pub(super) fn create_tables(txn: &WriteTransaction) -> Result<(), StoreError> {
    txn.open_table(SKILLS)?;
    txn.open_table(SKILL_NAMES)?;
    txn.open_table(SKILL_DOWNLOADS)?;
    txn.open_table(SESSION_PROGRAMS)?;
    Ok(())
}

fn bundle_path(root: &Path, id: &str, version: u32) -> PathBuf {
    root.join("skills").join(id).join(format!("{version}.zip"))
}

/// Writes a bundle durably: temp file, fsync, rename, fsync the directory.
fn write_bundle(root: &Path, id: &str, version: u32, bytes: &[u8]) -> Result<PathBuf, StoreError> {
    use std::io::Write as _;
    let dest = bundle_path(root, id, version);
    let dir = root.join("skills").join(id);
    std::fs::create_dir_all(&dir)?;
    let tmp = root.join("tmp").join(random_hex(16));
    let written = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &dest)?;
        sync_dir(&dir)
    })();
    if let Err(error) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(error);
    }
    Ok(dest)
}

fn latest(
    table: &impl ReadableTable<(&'static str, &'static str, u32), &'static [u8]>,
    tenant: &str,
    id: &str,
) -> Result<Option<SkillRecord>, StoreError> {
    match table
        .range((tenant, id, 0)..=(tenant, id, u32::MAX))?
        .next_back()
    {
        Some(entry) => Ok(Some(serde_json::from_slice(entry?.1.value())?)),
        None => Ok(None),
    }
}

fn find(
    table: &impl ReadableTable<(&'static str, &'static str, u32), &'static [u8]>,
    tenant: &str,
    id: &str,
    version: Option<u32>,
) -> Result<SkillRecord, StoreError> {
    let found = match version {
        None => latest(table, tenant, id)?,
        Some(version) => match table.get((tenant, id, version))? {
            Some(value) => Some(serde_json::from_slice(value.value())?),
            None => None,
        },
    };
    found.ok_or_else(|| {
        StoreError::SkillNotFound(match version {
            Some(version) => format!("{id}:{version}"),
            None => id.to_owned(),
        })
    })
}

fn insert(txn: &WriteTransaction, record: &SkillRecord) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(record)?;
    txn.open_table(SKILLS)?.insert(
        (record.tenant.as_str(), record.id.as_str(), record.version),
        bytes.as_slice(),
    )?;
    Ok(())
}

#[async_trait]
impl SkillStore for LocalStore {
    async fn create_skill(&self, tenant: &str, skill: NewSkill) -> Result<SkillRecord, StoreError> {
        let tenant = tenant.to_owned();
        let root = self.root.clone();
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            if txn
                .open_table(SKILL_NAMES)?
                .get((tenant.as_str(), skill.name.as_str()))?
                .is_some()
            {
                return Err(StoreError::SkillExists(skill.name));
            }
            let record = SkillRecord {
                id: format!("skill_{}", random_hex(12)),
                tenant,
                name: skill.name,
                description: skill.description,
                version: 1,
                created_at: now,
                size: skill.bundle.len() as u64,
                sha256: hex(&sha2::Sha256::digest(&skill.bundle)),
            };
            let path = write_bundle(&root, &record.id, 1, &skill.bundle)?;
            insert(&txn, &record)?;
            txn.open_table(SKILL_NAMES)?.insert(
                (record.tenant.as_str(), record.name.as_str()),
                record.id.as_str(),
            )?;
            if let Err(error) = txn.commit() {
                let _ = std::fs::remove_file(path);
                return Err(error.into());
            }
            Ok(record)
        })
        .await
    }

    async fn update_skill(
        &self,
        tenant: &str,
        id: &str,
        update: SkillUpdate,
    ) -> Result<SkillRecord, StoreError> {
        let tenant = tenant.to_owned();
        let id = id.to_owned();
        let root = self.root.clone();
        self.blocking(move |db, now| {
            let txn = db.begin_write()?;
            let previous = find(&txn.open_table(SKILLS)?, &tenant, &id, None)?;
            let version = previous.version + 1;
            let bundle = match update.bundle {
                Some(bundle) => bundle,
                None => std::fs::read(bundle_path(&root, &id, previous.version))?,
            };
            let record = SkillRecord {
                version,
                created_at: now,
                description: update.description.unwrap_or(previous.description),
                size: bundle.len() as u64,
                sha256: hex(&sha2::Sha256::digest(&bundle)),
                ..previous
            };
            let path = write_bundle(&root, &id, version, &bundle)?;
            insert(&txn, &record)?;
            if let Err(error) = txn.commit() {
                let _ = std::fs::remove_file(path);
                return Err(error.into());
            }
            Ok(record)
        })
        .await
    }

    async fn skill(
        &self,
        tenant: &str,
        id: &str,
        version: Option<u32>,
    ) -> Result<SkillRecord, StoreError> {
        let tenant = tenant.to_owned();
        let id = id.to_owned();
        self.blocking(move |db, _| {
            find(&db.begin_read()?.open_table(SKILLS)?, &tenant, &id, version)
        })
        .await
    }

    async fn skill_by_name(
        &self,
        tenant: &str,
        name: &str,
        version: Option<u32>,
    ) -> Result<SkillRecord, StoreError> {
        let tenant = tenant.to_owned();
        let name = name.to_owned();
        self.blocking(move |db, _| {
            let txn = db.begin_read()?;
            let id = txn
                .open_table(SKILL_NAMES)?
                .get((tenant.as_str(), name.as_str()))?
                .map(|id| id.value().to_owned())
                .ok_or_else(|| StoreError::SkillNotFound(name.clone()))?;
            find(&txn.open_table(SKILLS)?, &tenant, &id, version).map_err(|error| match error {
                StoreError::SkillNotFound(_) => StoreError::SkillNotFound(match version {
                    Some(version) => format!("{name}:{version}"),
                    None => name.clone(),
                }),
                other => other,
            })
        })
        .await
    }

    async fn list_skills(
        &self,
        tenant: &str,
        query: SkillQuery,
    ) -> Result<Vec<SkillRecord>, StoreError> {
        let tenant = tenant.to_owned();
        self.blocking(move |db, _| {
            let table = db.begin_read()?.open_table(SKILLS)?;
            let mut records: Vec<SkillRecord> = Vec::new();
            for entry in
                table.range((tenant.as_str(), "", 0)..=(tenant.as_str(), "\u{10ffff}", u32::MAX))?
            {
                let record: SkillRecord = serde_json::from_slice(entry?.1.value())?;
                // Versions of one id come in ascending order: the last one seen is the latest.
                if query.latest_only
                    && let Some(last) = records.last_mut()
                    && last.id == record.id
                {
                    *last = record;
                    continue;
                }
                records.push(record);
            }
            records.sort_by(|a, b| {
                (b.created_at, &b.id, b.version).cmp(&(a.created_at, &a.id, a.version))
            });
            Ok(records
                .into_iter()
                .skip(query.skip)
                .take(query.limit)
                .collect())
        })
        .await
    }

    async fn skill_bundle(&self, record: &SkillRecord) -> Result<Vec<u8>, StoreError> {
        let path = bundle_path(&self.root, &record.id, record.version);
        Ok(tokio::fs::read(path).await?)
    }

    async fn grant_skill_download(
        &self,
        record: &SkillRecord,
        ttl_secs: u64,
    ) -> Result<String, StoreError> {
        let record = record.clone();
        self.blocking(move |db, now| {
            let token = random_hex(24);
            let txn = db.begin_write()?;
            {
                let mut grants = txn.open_table(SKILL_DOWNLOADS)?;
                // Grants live minutes, so the table stays small: drop the expired ones here.
                let expired: Vec<String> = grants
                    .iter()?
                    .filter_map(|entry| {
                        let (key, value) = entry.ok()?;
                        let grant: Grant = serde_json::from_slice(value.value()).ok()?;
                        (grant.expires_at <= now).then(|| key.value().to_owned())
                    })
                    .collect();
                for key in expired {
                    grants.remove(key.as_str())?;
                }
                let grant = serde_json::to_vec(&Grant {
                    tenant: record.tenant,
                    id: record.id,
                    version: record.version,
                    expires_at: now + ttl_secs,
                })?;
                grants.insert(
                    hex(&sha2::Sha256::digest(token.as_bytes())).as_str(),
                    grant.as_slice(),
                )?;
            }
            txn.commit()?;
            Ok(token)
        })
        .await
    }

    async fn redeem_skill_download(&self, token: &str) -> Result<SkillRecord, StoreError> {
        let key = hex(&sha2::Sha256::digest(token.as_bytes()));
        self.blocking(move |db, now| {
            let txn = db.begin_read()?;
            let grant: Grant = match txn.open_table(SKILL_DOWNLOADS)?.get(key.as_str())? {
                Some(value) => serde_json::from_slice(value.value())?,
                None => return Err(StoreError::SkillDownloadRejected),
            };
            if grant.expires_at <= now {
                return Err(StoreError::SkillDownloadRejected);
            }
            find(
                &txn.open_table(SKILLS)?,
                &grant.tenant,
                &grant.id,
                Some(grant.version),
            )
        })
        .await
    }

    async fn save_session_program(
        &self,
        tenant: &str,
        session: &SessionId,
        program: Value,
    ) -> Result<(), StoreError> {
        let entry = SessionProgram {
            tenant: tenant.to_owned(),
            program,
        };
        let session = session.clone();
        let bytes = serde_json::to_vec(&entry)?;
        self.committer
            .write(Box::new(move |txn| {
                txn.open_table(SESSION_PROGRAMS)?
                    .insert(session.as_str(), bytes.as_slice())?;
                Ok(())
            }))
            .await
    }

    async fn session_program(
        &self,
        tenant: &str,
        session: &SessionId,
    ) -> Result<Option<Value>, StoreError> {
        let tenant = tenant.to_owned();
        let session = session.clone();
        self.blocking(move |db, _| {
            let table = db.begin_read()?.open_table(SESSION_PROGRAMS)?;
            let entry: Option<SessionProgram> = match table.get(session.as_str())? {
                Some(value) => Some(serde_json::from_slice(value.value())?),
                None => None,
            };
            // Another tenant's session answers like one with no plan.
            Ok(entry
                .filter(|entry| entry.tenant == tenant)
                .map(|entry| entry.program))
        })
        .await
    }
}

#[cfg(all(feature = "s3", feature = "postgres"))]
pub(super) fn export(txn: &redb::ReadTransaction) -> Result<Vec<SkillRecord>, StoreError> {
    let mut records = Vec::new();
    for entry in txn.open_table(SKILLS)?.iter()? {
        records.push(serde_json::from_slice(entry?.1.value())?);
    }
    Ok(records)
}

#[cfg(all(feature = "s3", feature = "postgres"))]
pub(super) fn export_programs(
    txn: &redb::ReadTransaction,
) -> Result<Vec<(String, String, Value)>, StoreError> {
    let mut programs = Vec::new();
    for entry in txn.open_table(SESSION_PROGRAMS)?.iter()? {
        let (key, value) = entry?;
        let program: SessionProgram = serde_json::from_slice(value.value())?;
        programs.push((key.value().to_owned(), program.tenant, program.program));
    }
    Ok(programs)
}
