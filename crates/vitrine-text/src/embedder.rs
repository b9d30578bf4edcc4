//! Tokenize, encode, pool, normalise: the sentence-transformers pipeline of
//! all-MiniLM-L6-v2.

use std::path::{Path, PathBuf};

use tokenizers::{Tokenizer, TruncationParams};

use crate::TextError;
use crate::bert::{self, Bert};

/// Length of every embedding.
pub const DIMENSION: usize = 384;

/// Weights file, in the models dir.
const WEIGHTS_FILE: &str = "all-MiniLM-L6-v2.safetensors";
/// Hugging Face `tokenizer.json` (BERT uncased WordPiece), in the models dir.
const TOKENIZER_FILE: &str = "all-MiniLM-L6-v2.tokenizer.json";
/// The files [`Embedder::load`] reads from the models dir.
pub const MODEL_FILES: [&str; 2] = [WEIGHTS_FILE, TOKENIZER_FILE];

/// sentence-transformers' `max_seq_length` for this model: longer inputs are
/// cut, as the reference does.
const MAX_TOKENS: usize = 256;

/// all-MiniLM-L6-v2, loaded once; `&self` methods, so share it behind an
/// `Arc` (it holds ~90 MB of weights).
pub struct Embedder {
    tokenizer: Tokenizer,
    bert: Bert,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder").finish_non_exhaustive()
    }
}

impl Embedder {
    /// Loads the tokenizer and weights from `models_dir` (the directory
    /// `scripts/fetch-models.sh` fills). Takes a few hundred milliseconds:
    /// do it once and keep the embedder.
    pub fn load(models_dir: impl AsRef<Path>) -> Result<Self, TextError> {
        let dir = models_dir.as_ref();
        let tokenizer_path = existing(dir, TOKENIZER_FILE)?;
        let weights_path = existing(dir, WEIGHTS_FILE)?;

        let mut tokenizer =
            Tokenizer::from_file(&tokenizer_path).map_err(|e| TextError::Tokenizer {
                path: tokenizer_path.clone(),
                message: e.to_string(),
            })?;
        // The shipped tokenizer.json pads every input to 128 tokens; one
        // unpadded sequence at a time needs no attention mask and is faster.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS.min(bert::MAX_POSITIONS),
                ..TruncationParams::default()
            }))
            .map_err(|e| TextError::Tokenizer {
                path: tokenizer_path.clone(),
                message: e.to_string(),
            })?;

        let bytes = std::fs::read(&weights_path).map_err(|source| TextError::Read {
            path: weights_path.clone(),
            source,
        })?;
        let bert = Bert::from_safetensors(&bytes, &weights_path, tokenizer.get_vocab_size(true))?;
        Ok(Self { tokenizer, bert })
    }

    /// The unit-length embedding ([`DIMENSION`] values) of `text`. Dot two of
    /// them (or use [`cosine`]) for their similarity.
    pub fn embed(&self, text: &str) -> Result<Vec<f32>, TextError> {
        let encoding = self
            .tokenizer
            .encode(text, true)
            .map_err(|e| TextError::Encode(e.to_string()))?;
        let hidden = self.bert.forward(encoding.get_ids());
        let mut pooled = bert::mean_pool(&hidden);
        normalize(&mut pooled);
        Ok(pooled)
    }

    /// [`Embedder::embed`] for each text, in order.
    pub fn embed_many<S: AsRef<str>>(&self, texts: &[S]) -> Result<Vec<Vec<f32>>, TextError> {
        texts.iter().map(|t| self.embed(t.as_ref())).collect()
    }
}

/// Cosine similarity of two vectors (for [`Embedder`] output, which is unit
/// length, this is the dot product); 0 when either is all zeros.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator > 0.0 {
        dot / denominator
    } else {
        0.0
    }
}

/// L2-normalises in place, as sentence-transformers' `Normalize` module
/// (which clamps the norm at 1e-12).
fn normalize(v: &mut [f32]) {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-12);
    v.iter_mut().for_each(|x| *x /= norm);
}

fn existing(dir: &Path, file: &str) -> Result<PathBuf, TextError> {
    let path = dir.join(file);
    if path.is_file() {
        Ok(path)
    } else {
        Err(TextError::MissingFile { path })
    }
}
