//! The one error type of this crate.
//!
//! Messages name the parameter at fault (`pages[1]`, `dpi`, `images[2]`) so the tools layer
//! can pass them on unchanged; [`DocumentError::is_client_error`] separates bad input (4xx)
//! from a broken machine (5xx).

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while reading, rendering or writing PDFs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// `pdfinfo` or `pdftoppm` could not be started because it is not installed.
    #[error(
        "`{program}` was not found; install poppler (Debian/Ubuntu: `apt-get install \
         poppler-utils`) or point Vitrine at the binary"
    )]
    ToolNotInstalled {
        /// The program Vitrine tried to start.
        program: String,
    },

    /// `tesseract`, or its English language data, is not installed.
    #[error(
        "`{program}` (the optional OCR engine `tesseract`) or its English data was not found; \
         install it (Debian/Ubuntu: `apt-get install tesseract-ocr tesseract-ocr-eng`) or use \
         the default engine `ppocr`"
    )]
    TesseractNotInstalled {
        /// The program Vitrine tried to start.
        program: String,
    },

    /// The program exists but could not be started.
    #[error("could not start `{program}`")]
    Spawn {
        /// The program Vitrine tried to start.
        program: String,
        /// Why the operating system refused.
        #[source]
        source: std::io::Error,
    },

    /// A call ran past its time limit and was killed.
    #[error("`{program}` did not finish within {} s and was stopped", limit.as_secs_f64())]
    Timeout {
        /// The program that was killed.
        program: String,
        /// The limit that was exceeded.
        limit: Duration,
    },

    /// A poppler tool ran and failed on a document it could open.
    #[error("`{program}` failed ({status}): {stderr}")]
    ToolFailed {
        /// The program that failed.
        program: String,
        /// Its exit status, as text.
        status: String,
        /// The last lines of its standard error.
        stderr: String,
    },

    /// The input file does not exist.
    #[error("input file `{}` does not exist", path.display())]
    InputNotFound {
        /// The missing path.
        path: PathBuf,
    },

    /// The input is not a PDF poppler can open (damaged, encrypted, or another format).
    #[error("`pdf` is not a readable PDF: {stderr}")]
    InvalidPdf {
        /// The last lines of poppler's standard error.
        stderr: String,
    },

    /// A parameter was out of range or inconsistent; the message starts with its name.
    #[error("`{param}` {problem}")]
    InvalidParameter {
        /// The parameter's name, e.g. `pages[1]`, `dpi` or `images[0]`.
        param: String,
        /// What is wrong with it, e.g. "7 is past the document's 3 pages".
        problem: String,
    },

    /// An image given to [`crate::images_to_pdf`] could not be decoded.
    #[error("`images[{index}]` could not be decoded")]
    ImageDecode {
        /// Position of the image in the input.
        index: usize,
        /// The decoder's error.
        #[source]
        source: image::ImageError,
    },

    /// A poppler tool printed something this crate could not understand.
    #[error("could not understand the output of `{program}`: {reason}")]
    ToolOutput {
        /// The program whose output was odd.
        program: String,
        /// What was missing or malformed.
        reason: String,
    },

    /// Reading or writing a file failed.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl DocumentError {
    /// True when the caller's input or parameters caused the error (an HTTP 4xx), false when
    /// the machine did (missing poppler, a timeout: a 5xx).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Self::InputNotFound { .. }
                | Self::InvalidPdf { .. }
                | Self::InvalidParameter { .. }
                | Self::ImageDecode { .. }
        )
    }

    /// A stable kebab-case code for this kind of error, for logs and API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ToolNotInstalled { .. } => "poppler-not-installed",
            Self::TesseractNotInstalled { .. } => "tesseract-not-installed",
            Self::Spawn { .. } => "poppler-spawn-failed",
            Self::Timeout { .. } => "poppler-timeout",
            Self::ToolFailed { .. } => "poppler-failed",
            Self::InputNotFound { .. } => "input-not-found",
            Self::InvalidPdf { .. } => "invalid-pdf",
            Self::InvalidParameter { .. } => "invalid-parameter",
            Self::ImageDecode { .. } => "image-decode-failed",
            Self::ToolOutput { .. } => "poppler-output-invalid",
            Self::Io { .. } => "io",
        }
    }

    /// The parameter at fault, for an API error's `param` field: the name given in
    /// [`DocumentError::InvalidParameter`], `pdf` for an unreadable document, or `images[i]`.
    pub fn parameter(&self) -> Option<String> {
        match self {
            Self::InvalidParameter { param, .. } => Some(param.clone()),
            Self::InputNotFound { .. } | Self::InvalidPdf { .. } => Some("pdf".to_owned()),
            Self::ImageDecode { index, .. } => Some(format!("images[{index}]")),
            _ => None,
        }
    }

    /// Builds an [`DocumentError::InvalidParameter`].
    pub(crate) fn param(param: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::InvalidParameter {
            param: param.into(),
            problem: problem.into(),
        }
    }

    /// Builds an [`DocumentError::Io`].
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
