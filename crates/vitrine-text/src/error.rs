use std::path::PathBuf;

/// Why the embedder could not load or encode.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TextError {
    /// A model file is absent: the models dir was never filled.
    #[error(
        "sentence-embedding model file {path} is missing; run `scripts/fetch-models.sh <models dir>` to fetch it"
    )]
    MissingFile {
        /// The file that was looked for.
        path: PathBuf,
    },
    /// A model file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file being read.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// `tokenizer.json` did not parse or could not be configured.
    #[error("tokenizer {path}: {message}")]
    Tokenizer {
        /// The tokenizer file.
        path: PathBuf,
        /// What the tokenizers crate said.
        message: String,
    },
    /// The safetensors file is malformed or lacks a tensor the model needs.
    #[error("weights {path}: {message}")]
    Weights {
        /// The weights file.
        path: PathBuf,
        /// Which tensor, and what is wrong with it.
        message: String,
    },
    /// The tokenizer failed on an input text.
    #[error("cannot tokenize text: {0}")]
    Encode(String),
}
