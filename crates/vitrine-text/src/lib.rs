//! Sentence embeddings for short English text with all-MiniLM-L6-v2, run in
//! pure Rust on CPU: no Python, no ONNX Runtime, no C code.
//!
//! # Layout
//! - [`Embedder`]: loads the tokenizer and weights once from the models dir
//!   filled by `scripts/fetch-models.sh` and turns text into unit vectors.
//! - `bert`: the 6-layer BERT encoder forward pass over the safetensors.
//! - [`TextError`]: what can go wrong while loading or encoding.
//!
//! Embeddings match sentence-transformers: mean pooling over the tokens of
//! the last hidden state, then L2 normalisation, so the dot product of two
//! embeddings is their cosine similarity ([`cosine`]). Encoding is blocking
//! CPU work (a few milliseconds per sentence): call it from a blocking pool,
//! never on an async runtime's worker threads. This crate depends on no other
//! Vitrine crate.

mod bert;
mod embedder;
mod error;

pub use embedder::{DIMENSION, Embedder, MODEL_FILES, cosine};
pub use error::TextError;
