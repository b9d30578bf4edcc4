//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong while loading or running a model.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VisionError {
    /// The models directory does not contain a file the crate needs.
    #[error(
        "model file `{}` is missing; run `scripts/fetch-models.sh {}` to fetch and verify the models",
        path.display(),
        dir.display()
    )]
    MissingModelFile {
        /// The file that was looked for.
        path: PathBuf,
        /// The models directory it was looked for in.
        dir: PathBuf,
    },

    /// `libonnxruntime.so` exists but could not be loaded.
    #[error("cannot load ONNX Runtime from `{}`: {message}", path.display())]
    RuntimeLoad {
        /// The library path.
        path: PathBuf,
        /// What the loader reported.
        message: String,
    },

    /// ONNX Runtime rejected a model or failed while running it.
    #[error("model `{model}` failed: {message}")]
    Inference {
        /// File name of the model.
        model: &'static str,
        /// What ONNX Runtime reported.
        message: String,
    },

    /// A model produced output of a shape this crate does not understand,
    /// i.e. the file is not the model it claims to be.
    #[error("model `{model}` returned an unexpected output: {detail}")]
    UnexpectedOutput {
        /// File name of the model.
        model: &'static str,
        /// Which output and what was wrong with it.
        detail: String,
    },

    /// A caller-supplied parameter was out of range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// Name of the parameter.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },

    /// The input image is empty (zero width or height).
    #[error("invalid parameter `image`: the image is empty ({width}x{height})")]
    EmptyImage {
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
    },
}

impl VisionError {
    /// True when the error was caused by the caller's input rather than by the
    /// models or the runtime (a server maps these to 4xx).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Self::InvalidParameter { .. } | Self::EmptyImage { .. }
        )
    }

    /// True when the models directory is incomplete (fix: run the fetch script).
    pub fn is_missing_models(&self) -> bool {
        matches!(self, Self::MissingModelFile { .. })
    }

    pub(crate) fn inference(model: &'static str, error: impl std::fmt::Display) -> Self {
        Self::Inference {
            model,
            message: error.to_string(),
        }
    }
}

/// Rejects zero-sized images before any tensor is built.
pub(crate) fn check_image(image: &image::RgbImage) -> Result<(), VisionError> {
    if image.width() == 0 || image.height() == 0 {
        return Err(VisionError::EmptyImage {
            width: image.width(),
            height: image.height(),
        });
    }
    Ok(())
}
