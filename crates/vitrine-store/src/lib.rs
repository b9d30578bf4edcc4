//! The session artifact store.
//!
//! Every input and every tool output is an artifact: bytes plus metadata
//! (kind, content type, size, sha256, lifetime, owner tenant, dimensions and
//! provenance) living in a session. Callers see only [`ArtifactStore`]; this
//! crate ships [`LocalStore`] (blobs on local disk, metadata in an embedded
//! redb index, the default) and, behind features, `ScaledStore` (object
//! storage and PostgreSQL). Bytes arrive as a
//! [`StagedBlob`] (hashed while written) and leave as an async reader, and no
//! caller ever sees a path.
//!
//! - [`model`]: metadata records.
//! - [`staged`]: blobs being written, hashed on the way in.
//! - [`clock`]: the time source, swappable in tests.
//! - [`queue`]: the durable execution queue ([`ExecutionQueue`]).
//! - [`skills`]: saved skills ([`SkillStore`]).
//! - [`usage`]: the usage ledger ([`UsageLedger`]).
//! - [`local`]: the local-disk backend (all four traits) and its sweeper.
//! - `scaled` (features `s3` and `postgres`): bytes in S3-compatible object storage, the
//!   rest in PostgreSQL, shared by any number of replicas (all four traits).

mod clock;
mod error;
mod local;
mod model;
mod queue;
#[cfg(all(feature = "s3", feature = "postgres"))]
mod scaled;
pub mod skills;
mod staged;
mod store;
pub mod usage;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::StoreError;
pub use local::LocalStore;
pub use model::{
    ArtifactMeta, FileRecord, MediaInfo, NewArtifact, PendingUpload, Provenance, QuotaScope,
    Quotas, SessionInfo, SweepReport,
};
pub use queue::{Cancelled, ExecutionQueue, ExecutionRecord, ExecutionStatus, NewExecution};
#[cfg(all(feature = "s3", feature = "postgres"))]
pub use scaled::{MigrationReport, ScaledOptions, ScaledStore, migrate_store};
pub use skills::{NewSkill, SkillQuery, SkillRecord, SkillStore, SkillUpdate};
pub use staged::StagedBlob;
pub use store::{ArtifactRead, ArtifactStore, BlobReader};
pub use usage::{TokenUsage, UsageLedger, UsageRecord, UsageReport, UsageSpan};
