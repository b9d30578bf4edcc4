//! Saved skills: versioned zip bundles owned by a tenant, behind [`SkillStore`].
//!
//! The store keeps bytes and records; what a bundle means (its `SKILL.md`, its `plan.json`) is
//! the server's business, checked before anything is saved. A skill has a stable id and a
//! name unique within its tenant; each update adds a version and never rewrites an old one,
//! so `name:3` keeps meaning the same bytes.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_wire::SessionId;

use crate::StoreError;

/// One version of a skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillRecord {
    /// Stable across versions, e.g. `skill_0123456789abcdef01234567`.
    pub id: String,
    /// The tenant that owns it.
    pub tenant: String,
    /// Unique within the tenant.
    pub name: String,
    /// What it does.
    pub description: String,
    /// 1, 2, ...; every update adds one.
    pub version: u32,
    /// Unix seconds this version was made.
    pub created_at: u64,
    /// Size of the zip bundle in bytes.
    pub size: u64,
    /// Hex SHA-256 of the zip bundle.
    pub sha256: String,
}

/// A skill being created.
#[derive(Debug, Clone)]
pub struct NewSkill {
    /// Its name, unique within the tenant.
    pub name: String,
    /// What it does.
    pub description: String,
    /// The zip bundle, already checked by the caller.
    pub bundle: Vec<u8>,
}

/// A new version of an existing skill; what is `None` is carried over.
#[derive(Debug, Clone, Default)]
pub struct SkillUpdate {
    /// A new description.
    pub description: Option<String>,
    /// A new zip bundle, already checked by the caller.
    pub bundle: Option<Vec<u8>>,
}

/// Which skills [`SkillStore::list_skills`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SkillQuery {
    /// Skipped from the start (newest first).
    pub skip: usize,
    /// At most this many.
    pub limit: usize,
    /// Only the latest version of each skill.
    pub latest_only: bool,
}

/// Skills, their bundles, short-lived download grants, and the last replayable plan of each
/// session (what `POST /v1/skills/create` with a `session_id` saves).
///
/// Every read takes the caller's tenant: another tenant's skill answers like a missing one.
#[async_trait]
pub trait SkillStore: Send + Sync + 'static {
    /// Saves version 1 of a new skill; [`StoreError::SkillExists`] if the name is taken.
    async fn create_skill(&self, tenant: &str, skill: NewSkill) -> Result<SkillRecord, StoreError>;

    /// Saves the next version of skill `id`.
    async fn update_skill(
        &self,
        tenant: &str,
        id: &str,
        update: SkillUpdate,
    ) -> Result<SkillRecord, StoreError>;

    /// Skill `id` at `version` (the latest when `None`).
    async fn skill(
        &self,
        tenant: &str,
        id: &str,
        version: Option<u32>,
    ) -> Result<SkillRecord, StoreError>;

    /// The skill called `name` at `version` (the latest when `None`).
    async fn skill_by_name(
        &self,
        tenant: &str,
        name: &str,
        version: Option<u32>,
    ) -> Result<SkillRecord, StoreError>;

    /// The tenant's skills, newest first.
    async fn list_skills(
        &self,
        tenant: &str,
        query: SkillQuery,
    ) -> Result<Vec<SkillRecord>, StoreError>;

    /// The zip bundle of one version.
    async fn skill_bundle(&self, record: &SkillRecord) -> Result<Vec<u8>, StoreError>;

    /// A secret that lets anyone holding it download this version for `ttl_secs`.
    async fn grant_skill_download(
        &self,
        record: &SkillRecord,
        ttl_secs: u64,
    ) -> Result<String, StoreError>;

    /// The version a download secret grants, while it is valid.
    async fn redeem_skill_download(&self, token: &str) -> Result<SkillRecord, StoreError>;

    /// Remembers `program` as the last plan that ran in the session (replacing the previous).
    async fn save_session_program(
        &self,
        tenant: &str,
        session: &SessionId,
        program: Value,
    ) -> Result<(), StoreError>;

    /// The last plan that ran in the session, if any.
    async fn session_program(
        &self,
        tenant: &str,
        session: &SessionId,
    ) -> Result<Option<Value>, StoreError>;
}
