//! PDF operations for Vitrine: page counts and page rasters through poppler's `pdfinfo` and
//! `pdftoppm`, and images to PDF with `pdf-writer`.
//!
//! Like `vitrine-video`, this crate works on bytes and files only: no HTTP, no store, no other
//! Vitrine crate. Reading PDFs goes through [`Poppler`], whose subprocesses are killed when a
//! [`Limits::timeout`] passes or the call is dropped; page selection, resolution and page size
//! are checked before rendering, and errors name the parameter at fault ([`DocumentError`]).
//! Writing PDFs ([`images_to_pdf`]) is pure Rust.
//!
//! # Layout
//! - `engine`: [`Poppler`] and [`Limits`].
//! - `input`: [`PdfInput`], a path or bytes (spilled to a temporary file).
//! - `info`: [`Poppler::page_count`] and [`Poppler::info`] via `pdfinfo`.
//! - `pages`: [`PageSelection`] and its checks.
//! - `render`: [`Poppler::render_pages`] via `pdftoppm`.
//! - `images_to_pdf`: [`images_to_pdf`]; `jpeg_header` reads what JPEG pass-through needs.
//! - `tesseract`: [`Tesseract`], the optional second OCR engine, and its TSV parser.
//! - `process`: subprocesses with `kill_on_drop` and a timeout.

mod engine;
mod error;
mod images_to_pdf;
mod info;
mod input;
mod jpeg_header;
mod pages;
mod process;
mod render;
mod tesseract;

pub use engine::{Limits, Poppler};
pub use error::DocumentError;
pub use images_to_pdf::{ImagesToPdfParams, images_to_pdf};
pub use info::{PageInfo, PdfInfo};
pub use input::PdfInput;
pub use pages::PageSelection;
pub use render::{RenderParams, RenderedPage};
pub use tesseract::{OcrLine, OcrWord, Tesseract, parse_tsv};
