//! [`Poppler`]: where `pdfinfo` and `pdftoppm` are, and how far a call may go.

use std::path::PathBuf;
use std::time::Duration;

/// Limits applied to every call, so one document cannot tie up the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Wall-clock limit for each `pdfinfo`/`pdftoppm` process; a process past it is killed.
    pub timeout: Duration,
    /// The most pages one `render_pages` call may render.
    pub max_pages: usize,
    /// The highest resolution a page may be rendered at, in dots per inch.
    pub max_dpi: u32,
    /// The most pixels one rendered page may have.
    pub max_page_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            max_pages: 100,
            max_dpi: 600,
            // An A4 page at 600 dpi is about 35 million pixels.
            max_page_pixels: 40_000_000,
        }
    }
}

/// Runs poppler's `pdfinfo` and `pdftoppm` as subprocesses under [`Limits`].
///
/// ```no_run
/// # async fn demo(pdf: Vec<u8>) -> Result<(), vitrine_document::DocumentError> {
/// use vitrine_document::{Poppler, RenderParams};
/// let poppler = Poppler::new();
/// let pages = poppler.page_count((&pdf).into()).await?;
/// let rendered = poppler.render_pages((&pdf).into(), &RenderParams::default()).await?;
/// assert_eq!(rendered.len() as u32, pages.min(100));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Poppler {
    pub(crate) pdfinfo: PathBuf,
    pub(crate) pdftoppm: PathBuf,
    pub(crate) limits: Limits,
}

impl Default for Poppler {
    fn default() -> Self {
        Self::new()
    }
}

impl Poppler {
    /// Uses `pdfinfo` and `pdftoppm` from the `PATH` with default [`Limits`].
    pub fn new() -> Self {
        Self::with_programs("pdfinfo", "pdftoppm")
    }

    /// Uses the given binaries (a name looked up on the `PATH`, or a path).
    pub fn with_programs(pdfinfo: impl Into<PathBuf>, pdftoppm: impl Into<PathBuf>) -> Self {
        Self {
            pdfinfo: pdfinfo.into(),
            pdftoppm: pdftoppm.into(),
            limits: Limits::default(),
        }
    }

    /// Replaces the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }
}
