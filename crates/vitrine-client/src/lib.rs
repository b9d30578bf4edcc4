//! The Rust SDK for Vitrine and other Orion-compatible servers.
//!
//! It has the resources of the Python `vlmrun` SDK, async and typed:
//!
//! - [`Client`]: base URL, API key, [`RetryPolicy`], timeouts, artifact cache;
//!   [`Client::health`] and [`Client::models`].
//! - [`Client::agent`]`().completions()`: [`Completions::create`] and
//!   [`Completions::create_stream`] (a [`ChatStream`] of
//!   [`ChatCompletionChunk`]s, progress events included).
//! - [`Client::artifacts`]: [`Artifacts::get`] returns an [`Artifact`] typed by
//!   the id's kind; [`Artifacts::get_bytes`], [`Artifacts::save`],
//!   [`Artifacts::list`], [`Artifacts::delete`].
//! - [`Client::files`]: [`Files::upload`] (MD5 cache lookup, presigned path
//!   above 32 MiB), [`Files::get`], [`Files::list`].
//! - Typed refs ([`ImageRef`], [`VideoRef`], [`AudioRef`], [`DocumentRef`],
//!   [`ReconRef`], [`ArrayRef`], [`UrlRef`]) whose JSON Schemas match
//!   pydantic's, so a struct with ref fields is a `response_format`
//!   ([`response_format`]) and the answer parses back into it ([`parse`]).
//! - [`ClientError`]: the server's OpenAI error JSON as typed variants.
//!
//! Wire types come from `vitrine-wire` and are re-exported in [`wire`].
//!
//! # The seed's three workflows
//!
//! Face blur and PHI redaction: a photo in, a redacted image and notes out.
//!
//! ```no_run
//! use schemars::JsonSchema;
//! use serde::Deserialize;
//! use vitrine_client::{Artifact, ChatRequest, Client, ImageRef, parse, response_format};
//!
//! #[derive(Debug, Deserialize, JsonSchema)]
//! struct RedactionResult {
//!     redacted_image: ImageRef,
//!     notes: String,
//! }
//!
//! # async fn run() -> Result<(), vitrine_client::ClientError> {
//! let client = Client::new("http://127.0.0.1:8080/v1", "my-key")?;
//! let photo = client.files().upload("patient-photo.jpg").await?;
//! let request = ChatRequest::new("vlmrun-orion-1:auto")
//!     .text("Blur all faces and paint over names, dates, ids, phone numbers and e-mail addresses")
//!     .input_file(photo.id)
//!     .response_format(response_format::<RedactionResult>());
//! let completion = client.agent().completions().create(request).await?;
//! let result: RedactionResult = parse(&completion)?;
//! if let Artifact::Image(image) = client
//!     .artifacts()
//!     .get(&completion.session_id, &result.redacted_image.id)
//!     .await?
//! {
//!     image.save("redacted.png").expect("writable directory");
//! }
//! println!("{}", result.notes);
//! # Ok(()) }
//! ```
//!
//! Virtual try-on: a person and a garment in, three views out.
//!
//! ```no_run
//! use schemars::JsonSchema;
//! use serde::Deserialize;
//! use vitrine_client::{ChatRequest, Client, ImageRef, parse, response_format};
//!
//! #[derive(Debug, Deserialize, JsonSchema)]
//! struct TryOn {
//!     front: ImageRef,
//!     back: ImageRef,
//!     side: ImageRef,
//! }
//!
//! # async fn run() -> Result<(), vitrine_client::ClientError> {
//! let client = Client::new("http://127.0.0.1:8080/v1", "my-key")?;
//! let person = client.files().upload("person.jpg").await?;
//! let garment = client.files().upload("garment.jpg").await?;
//! let request = ChatRequest::new("vlmrun-orion-1:pro")
//!     .text("Dress the person in the garment; front, back and side views, 9:16")
//!     .input_file(person.id)
//!     .input_file(garment.id)
//!     .response_format(response_format::<TryOn>());
//! let completion = client.agent().completions().create(request).await?;
//! let views: TryOn = parse(&completion)?;
//! for view in [&views.front, &views.back, &views.side] {
//!     let path = client
//!         .artifacts()
//!         .save(&completion.session_id, &view.id, std::path::Path::new("try-on"))
//!         .await?;
//!     println!("{}", path.display());
//! }
//! # Ok(()) }
//! ```
//!
//! 3D reconstruction, streamed: a photo in, an `.spz` Gaussian splat out.
//!
//! ```no_run
//! use futures_util::StreamExt as _;
//! use schemars::JsonSchema;
//! use serde::Deserialize;
//! use vitrine_client::{Artifact, ChatRequest, Client, ReconRef, parse_content, response_format};
//!
//! #[derive(Debug, Deserialize, JsonSchema)]
//! struct Reconstruction {
//!     recon_path: ReconRef,
//! }
//!
//! # async fn run() -> Result<(), vitrine_client::ClientError> {
//! let client = Client::new("http://127.0.0.1:8080/v1", "my-key")?;
//! let photo = client.files().upload("living-room.jpg").await?;
//! let request = ChatRequest::new("vlmrun-orion-1:auto")
//!     .text("Reconstruct the table in 3D")
//!     .input_file(photo.id)
//!     .response_format(response_format::<Reconstruction>());
//! let mut stream = client.agent().completions().create_stream(request).await?;
//! let (mut session_id, mut content) = (String::new(), String::new());
//! while let Some(chunk) = stream.next().await {
//!     let chunk = chunk?;
//!     session_id = chunk.session_id.clone();
//!     if let Some(event) = &chunk.vitrine_event {
//!         eprintln!("step: {event}");
//!     }
//!     for choice in &chunk.choices {
//!         content.push_str(choice.delta.content.as_deref().unwrap_or_default());
//!     }
//! }
//! let answer: Reconstruction = parse_content(&content)?;
//! if let Artifact::File(path) = client.artifacts().get(&session_id, &answer.recon_path.id).await? {
//!     println!("splat written to {}", path.display()); // …/<session>/recon_xxxxxx.spz
//! }
//! # Ok(()) }
//! ```

mod agent;
mod artifacts;
mod client;
mod error;
mod files;
mod npy;
mod refs;
mod request;
mod retry;
mod stream;
mod structured;

pub use agent::{Agent, Completions};
pub use artifacts::{Artifact, Artifacts, artifact_kind, extension_for};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_LONG_TIMEOUT, DEFAULT_TIMEOUT, ENV_API_KEY,
    ENV_BASE_URL, Health, Model,
};
pub use error::{ApiError, ClientError};
pub use files::{Files, PRESIGNED_THRESHOLD, UploadMethod, UploadOptions, md5_file};
pub use npy::NpyArray;
pub use refs::{
    ArrayRef, ArtifactRef, AudioRef, DocumentRef, ImageRef, ReconRef, UrlRef, VideoRef, find_refs,
};
pub use request::{ChatRequest, DEFAULT_MODEL};
pub use retry::RetryPolicy;
pub use stream::{ChatStream, StreamedAnswer};
pub use structured::{parse, parse_content, response_format, schema_of};

pub use vitrine_wire as wire;
pub use vitrine_wire::chat::{ChatCompletion, ChatCompletionChunk, ChatCompletionRequest};
pub use vitrine_wire::{ArtifactKind, ArtifactList, ArtifactListItem, FileObject};

/// The `schemars` this crate derives with, so callers use the same version.
pub use schemars;
