//! The Vitrine tool catalog: operations that read artifacts from a session and write new ones.
//!
//! Each tool is a pure function of its JSON arguments and the session's artifacts. Ref
//! arguments are artifact ids (`img_a1b2c3`) that the tool loads from the store, checking their
//! kind; outputs are new artifacts stored with provenance (parents, tool name, arguments), plus
//! JSON facts (counts, boxes, labels, text) describing only what the tool observed. CPU work
//! (decoding, inference, encoding) runs in `spawn_blocking`.
//!
//! # Layout
//! - [`tool`]: the [`Tool`] trait, [`Toolset`], [`ToolOutput`].
//! - [`catalog`]: [`ToolCatalog`], filterable by toolset, listable as OpenAI functions.
//! - [`context`]: [`ToolContext`] (store, tenant, session, lazily loaded models, limits).
//! - [`refs`]: ref arguments whose JSON Schema pattern names the artifact kind.
//! - [`io`]: loading inputs and storing outputs.
//! - [`images_api`]: the OpenAI Images API client behind the `image-gen` tools.
//! - [`providers`]: the depth and open-vocabulary detection clients, and the HTTP plumbing
//!   every provider client shares.
//! - [`meaning`]: what each tool means, declared in its own file: the words that ask for it,
//!   the arguments they fill, its summary and facts. Planners read it.
//! - [`tools`]: one file per tool.
//! - [`web`]: the `url` argument and the browser the `web` tools share.
//! - `verify`: the second look of the face and PHI redactions at their own output.
//! - `error`: [`ToolError`], classified into client and server errors.

pub mod catalog;
pub mod context;
mod error;
pub mod images_api;
pub mod io;
pub mod meaning;
pub mod providers;
pub mod refs;
pub mod tool;
pub mod tools;
mod verify;
pub mod web;

pub use catalog::ToolCatalog;
pub use context::{Journal, LazyModels, ToolContext, ToolLimits};
pub use error::{REDACTION_UNVERIFIED, ToolError};
pub use images_api::{ImagesClient, ImagesConfig};
pub use meaning::Meaning;
pub use providers::depth::{DepthClient, DepthEstimate, DepthKind};
pub use providers::detect::{DetectClient, OpenVocabDetection};
pub use providers::{ProviderConfig, ProviderKind};
pub use refs::{ArrayRef, DocumentRef, ImageRef, VideoRef, parse_ref};
pub use tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
pub use tools::redact_phi::phi_kind_phrase;
pub use vitrine_vision::{COCO_LABELS, match_coco_label};
pub use vitrine_web;
