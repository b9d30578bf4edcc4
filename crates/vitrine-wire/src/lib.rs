//! Wire types shared by the Vitrine server and its clients.
//!
//! Everything a client sends or receives lives here, serde only, so that the
//! server, the Rust SDK and the tests cannot drift apart:
//!
//! - [`ids`]: artifact kinds, artifact ids (`img_a1b2c3`), session and file ids.
//! - [`chat`]: OpenAI chat-completion requests, responses and stream chunks,
//!   with Orion's extensions (`session_id`, `toolsets`).
//! - [`files`]: the file objects of `/v1/files`.
//! - [`artifacts`]: artifact listings.
//! - [`error`]: the OpenAI error envelope.
//! - [`usage`]: usage spans and the usage report.

pub mod artifacts;
pub mod chat;
pub mod error;
pub mod files;
pub mod ids;
pub mod usage;

pub use artifacts::{ArtifactList, ArtifactListItem};
pub use error::{ErrorBody, ErrorObject};
pub use files::FileObject;
pub use ids::{ArtifactId, ArtifactKind, FileId, IdError, SessionId, random_hex};
