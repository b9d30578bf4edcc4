//! What a tool runs against: the store, the caller's session, the vision models and limits.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio::sync::{Mutex, OnceCell};
use vitrine_store::ArtifactStore;
use vitrine_vision::Models;
use vitrine_wire::{ArtifactId, SessionId};

use crate::error::ToolError;
use crate::providers::ProviderKind;
use crate::providers::depth::DepthClient;
use crate::providers::detect::DetectClient;

/// Size and count limits every tool respects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToolLimits {
    /// Largest input artifact read into memory, in bytes.
    pub max_input_bytes: u64,
    /// Largest output artifact written, in bytes.
    pub max_output_bytes: u64,
    /// Largest decoded image, in pixels.
    pub max_pixels: u64,
    /// JPEG quality of image outputs.
    pub jpeg_quality: u8,
    /// Most frames one call may sample from a video (`extract_frames`, `contact_sheet`); a
    /// call asking for more fails naming the limit rather than returning fewer.
    pub max_frames: usize,
    /// Most pages a PDF may have for tools that work through every page (`redact_document`).
    pub max_pdf_pages: u32,
}

impl Default for ToolLimits {
    fn default() -> Self {
        ToolLimits {
            max_input_bytes: 256 * 1024 * 1024,
            max_output_bytes: 512 * 1024 * 1024,
            max_pixels: vitrine_media::DEFAULT_MAX_PIXELS,
            jpeg_quality: 90,
            max_frames: vitrine_video::Limits::default().max_frames,
            max_pdf_pages: 100,
        }
    }
}

/// The vision models, loaded on first use and then shared.
///
/// Loading takes about a second and needs `libonnxruntime.so`, so a server that never sees a
/// vision request never pays for it. A failed load is not cached: fixing the directory (for
/// example by running `scripts/fetch-models.sh`) takes effect on the next request.
#[derive(Debug)]
pub struct LazyModels {
    dir: PathBuf,
    cell: OnceCell<Arc<Models>>,
}

impl LazyModels {
    /// Models that will be loaded from `dir` when first needed.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        LazyModels {
            dir: dir.into(),
            cell: OnceCell::new(),
        }
    }

    /// The models directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The loaded models, loading them (off the async runtime) the first time.
    ///
    /// ONNX Runtime allows one environment per process, so models are cached process-wide by
    /// directory: every `LazyModels` for the same directory shares one [`Models`].
    pub async fn get(&self) -> Result<Arc<Models>, ToolError> {
        let models = self
            .cell
            .get_or_try_init(|| load_shared(self.dir.clone()))
            .await?;
        Ok(Arc::clone(models))
    }
}

/// Models already loaded in this process, by directory.
static LOADED: Mutex<Vec<(PathBuf, Arc<Models>)>> = Mutex::const_new(Vec::new());

async fn load_shared(dir: PathBuf) -> Result<Arc<Models>, ToolError> {
    // Held across the load so two first requests do not both initialise ONNX Runtime.
    let mut loaded = LOADED.lock().await;
    if let Some((_, models)) = loaded.iter().find(|(known, _)| *known == dir) {
        return Ok(Arc::clone(models));
    }
    let load_dir = dir.clone();
    let models = tokio::task::spawn_blocking(move || Models::load(&load_dir))
        .await
        .map_err(ToolError::join)??;
    let models = Arc::new(models);
    loaded.push((dir, Arc::clone(&models)));
    Ok(models)
}

/// The artifacts one plan run stored, so that a run that fails can take them back: a request
/// that fails (a quota reached by its third frame, a step past its time limit) leaves no
/// partial output in the session.
#[derive(Debug, Clone, Default)]
pub struct Journal(Arc<std::sync::Mutex<JournalState>>);

#[derive(Debug, Default)]
struct JournalState {
    made: Vec<ArtifactId>,
    /// Set once the run's outputs were taken back: a save still finishing (a step cut off by a
    /// time limit while its write ran on) must take its own output back.
    closed: bool,
}

impl Journal {
    fn state(&self) -> std::sync::MutexGuard<'_, JournalState> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Notes an artifact just stored; false when the run's outputs were already taken back,
    /// and this one must be deleted too.
    pub fn record(&self, id: ArtifactId) -> bool {
        let mut state = self.state();
        if !state.closed {
            state.made.push(id);
        }
        !state.closed
    }

    /// Takes the ids noted so far and refuses later ones (see [`Journal::record`]).
    pub fn close(&self) -> Vec<ArtifactId> {
        let mut state = self.state();
        state.closed = true;
        std::mem::take(&mut state.made)
    }
}

/// Everything a tool may touch. Tools are pure functions of their arguments and of the
/// artifacts of this session.
#[derive(Clone)]
pub struct ToolContext {
    /// The artifact store.
    pub store: Arc<dyn ArtifactStore>,
    /// The tenant whose session this is.
    pub tenant: String,
    /// The session inputs are read from and outputs are written to.
    pub session: SessionId,
    /// The vision models, loaded lazily.
    pub models: Arc<LazyModels>,
    /// Size limits.
    pub limits: ToolLimits,
    /// The image generation provider, when one is configured.
    pub images: Option<Arc<crate::images_api::ImagesClient>>,
    /// The depth provider, when one is configured.
    pub depth: Option<Arc<DepthClient>>,
    /// The open-vocabulary detection provider, when one is configured.
    pub detect: Option<Arc<DetectClient>>,
    /// The headless browser of the `web` tools, when one is configured.
    pub web: Option<Arc<vitrine_web::Browser>>,
    /// What this run has stored so far (see [`ToolContext::journaled`]).
    pub made: Journal,
}

impl ToolContext {
    /// A context with default limits and no providers.
    pub fn new(
        store: Arc<dyn ArtifactStore>,
        tenant: impl Into<String>,
        session: SessionId,
        models: Arc<LazyModels>,
    ) -> Self {
        ToolContext {
            store,
            tenant: tenant.into(),
            session,
            models,
            limits: ToolLimits::default(),
            images: None,
            depth: None,
            detect: None,
            web: None,
            made: Journal::default(),
        }
    }

    /// This context with an empty [`Journal`] of its own, for one plan run.
    pub fn journaled(&self) -> ToolContext {
        ToolContext {
            made: Journal::default(),
            ..self.clone()
        }
    }

    /// Deletes what this run stored: the run failed, and its outputs must not count
    /// against the session's quotas or show up half-made. Returns how many were deleted.
    pub async fn discard_made(&self) -> usize {
        let made = self.made.close();
        let mut deleted = 0;
        for id in &made {
            match self.store.delete(&self.tenant, &self.session, id).await {
                Ok(()) => deleted += 1,
                // The sweeper removes it with the session; nothing more can be done here.
                Err(error) => {
                    tracing::warn!(%error, %id, "could not delete an output of a failed run")
                }
            }
        }
        deleted
    }

    /// ffmpeg under this context's frame limit.
    pub fn ffmpeg(&self) -> vitrine_video::Ffmpeg {
        vitrine_video::Ffmpeg::new().with_limits(vitrine_video::Limits {
            max_frames: self.limits.max_frames,
            ..vitrine_video::Limits::default()
        })
    }

    /// The images provider, or the error that names the settings to configure.
    pub fn images(&self) -> Result<&crate::images_api::ImagesClient, ToolError> {
        self.images
            .as_deref()
            .ok_or_else(|| ProviderKind::Images.not_configured())
    }

    /// The depth provider, or the error that names the settings to configure.
    pub fn depth(&self) -> Result<&DepthClient, ToolError> {
        self.depth
            .as_deref()
            .ok_or_else(|| ProviderKind::Depth.not_configured())
    }

    /// The detection provider, or the error that names the settings to configure.
    pub fn detect(&self) -> Result<&DetectClient, ToolError> {
        self.detect
            .as_deref()
            .ok_or_else(|| ProviderKind::Detect.not_configured())
    }

    /// Whether `provider` is configured.
    pub fn has(&self, provider: ProviderKind) -> bool {
        match provider {
            ProviderKind::Images => self.images.is_some(),
            ProviderKind::Depth => self.depth.is_some(),
            ProviderKind::Detect => self.detect.is_some(),
        }
    }
}

impl std::fmt::Debug for ToolContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolContext")
            .field("store", &self.store.describe())
            .field("tenant", &self.tenant)
            .field("session", &self.session)
            .field("models", &self.models.dir())
            .field("limits", &self.limits)
            .field("images", &self.images.is_some())
            .field(
                "depth",
                &self.depth.as_ref().map(|client| client.base_url()),
            )
            .field(
                "detect",
                &self.detect.as_ref().map(|client| client.base_url()),
            )
            .field("web", &self.web.is_some())
            .field("made", &self.made)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_save_noted_after_the_rollback_is_refused_so_it_takes_itself_back() {
        let journal = Journal::default();
        let first = ArtifactId::generate(vitrine_wire::ArtifactKind::Image);
        let late = ArtifactId::generate(vitrine_wire::ArtifactKind::Image);
        assert!(journal.record(first.clone()));
        assert_eq!(journal.close(), vec![first]);
        assert!(
            !journal.record(late),
            "a late save must delete its own output"
        );
        assert!(journal.close().is_empty());
    }
}
