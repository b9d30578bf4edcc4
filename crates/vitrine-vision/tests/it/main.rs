//! Integration tests on real photos with the real models.
//!
//! The models come from `scripts/fetch-models.sh` (default `~/.local/share/vitrine/models`
//! or `VITRINE_MODELS_DIR`). When they are missing the
//! tests fail and say to run the script: they never skip silently.

mod faces; // CenterFace on a portrait and a 29-person group photo
mod matte; // selfie segmentation separates the astronaut from the background
mod objects; // NanoDet on darknet's dog and person photos
mod ocr; // PP-OCRv6 reads back a document rendered with DejaVu Sans
mod redaction; // PHI found by OCR + regex, filled, and gone on re-OCR
mod store; // loading errors and JSON shape of results
mod support;
mod tesseract; // Debian's tesseract reads the same form, and not its redacted PHI
