//! Where a PDF comes from: a file, or bytes in memory (spilled to a temporary file, because
//! poppler's tools read files).

use std::path::{Path, PathBuf};

use crate::error::DocumentError;

/// A PDF given by path or by its bytes.
#[derive(Debug, Clone, Copy)]
pub enum PdfInput<'a> {
    /// A PDF file on disk.
    Path(&'a Path),
    /// A PDF in memory.
    Bytes(&'a [u8]),
}

impl<'a> From<&'a Path> for PdfInput<'a> {
    fn from(path: &'a Path) -> Self {
        Self::Path(path)
    }
}

impl<'a> From<&'a [u8]> for PdfInput<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Self::Bytes(bytes)
    }
}

impl<'a> From<&'a Vec<u8>> for PdfInput<'a> {
    fn from(bytes: &'a Vec<u8>) -> Self {
        Self::Bytes(bytes)
    }
}

/// A PDF on disk for as long as this lives; bytes are written to a temporary file that is
/// deleted on drop.
pub(crate) struct OnDisk {
    path: PathBuf,
    _temporary: Option<tempfile::TempPath>,
}

impl OnDisk {
    /// Puts `input` on disk (if it is not already) and checks that it exists.
    pub(crate) async fn new(input: PdfInput<'_>) -> Result<Self, DocumentError> {
        match input {
            PdfInput::Path(path) => {
                if !tokio::fs::try_exists(path).await.unwrap_or(false) {
                    return Err(DocumentError::InputNotFound {
                        path: path.to_owned(),
                    });
                }
                Ok(Self {
                    path: path.to_owned(),
                    _temporary: None,
                })
            }
            PdfInput::Bytes(bytes) => {
                let temporary = tempfile::Builder::new()
                    .prefix("vitrine-")
                    .suffix(".pdf")
                    .tempfile()
                    .map_err(|source| DocumentError::io("creating a temporary PDF", source))?
                    .into_temp_path();
                tokio::fs::write(&temporary, bytes)
                    .await
                    .map_err(|source| DocumentError::io("writing a temporary PDF", source))?;
                Ok(Self {
                    path: temporary.to_path_buf(),
                    _temporary: Some(temporary),
                })
            }
        }
    }

    /// The file to hand to poppler.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}
