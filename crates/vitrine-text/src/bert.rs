//! The BERT encoder of all-MiniLM-L6-v2 (6 layers, hidden 384, 12 heads,
//! FFN 1536, exact GELU, post-LayerNorm), as in Hugging Face `BertModel`.

use std::path::Path;

use ndarray::{Array1, Array2, ArrayView2, Axis, Slice};
use safetensors::SafeTensors;

use crate::TextError;

const HIDDEN: usize = 384;
const HEADS: usize = 12;
const HEAD_DIM: usize = HIDDEN / HEADS;
const INTERMEDIATE: usize = 1536;
const LAYERS: usize = 6;
const LAYER_NORM_EPS: f32 = 1e-12;
/// Position embeddings exist for this many tokens.
pub(crate) const MAX_POSITIONS: usize = 512;

/// `y = x · Wᵀ + b` with `W` stored `[out, in]` as PyTorch does.
struct Linear {
    weight_t: Array2<f32>,
    bias: Array1<f32>,
}

impl Linear {
    fn forward(&self, x: &ArrayView2<'_, f32>) -> Array2<f32> {
        let mut y = x.dot(&self.weight_t);
        y += &self.bias;
        y
    }
}

struct LayerNorm {
    gamma: Array1<f32>,
    beta: Array1<f32>,
}

impl LayerNorm {
    fn forward_in_place(&self, x: &mut Array2<f32>) {
        for mut row in x.rows_mut() {
            let n = row.len() as f32;
            let mean = row.sum() / n;
            let variance = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
            let inv_std = 1.0 / (variance + LAYER_NORM_EPS).sqrt();
            for ((v, g), b) in row.iter_mut().zip(&self.gamma).zip(&self.beta) {
                *v = (*v - mean) * inv_std * g + b;
            }
        }
    }
}

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    attention_out: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// Weights of the whole encoder, transposed once at load for fast matmuls.
pub(crate) struct Bert {
    word_embeddings: Array2<f32>,
    position_embeddings: Array2<f32>,
    token_type_embedding: Array1<f32>,
    embeddings_norm: LayerNorm,
    layers: Vec<Layer>,
}

/// Reads named f32 tensors out of one safetensors file, checking shapes.
struct Tensors<'a> {
    path: &'a Path,
    tensors: SafeTensors<'a>,
}

impl Tensors<'_> {
    fn matrix(&self, name: &str, rows: usize, cols: usize) -> Result<Array2<f32>, TextError> {
        let values = self.values(name, &[rows, cols])?;
        Array2::from_shape_vec((rows, cols), values).map_err(|e| self.error(name, &e.to_string()))
    }

    fn vector(&self, name: &str, len: usize) -> Result<Array1<f32>, TextError> {
        Ok(Array1::from_vec(self.values(name, &[len])?))
    }

    fn values(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, TextError> {
        let view = self
            .tensors
            .tensor(name)
            .map_err(|e| self.error(name, &e.to_string()))?;
        if view.dtype() != safetensors::Dtype::F32 || view.shape() != shape {
            return Err(self.error(
                name,
                &format!(
                    "expected F32 {shape:?}, found {:?} {:?}",
                    view.dtype(),
                    view.shape()
                ),
            ));
        }
        Ok(view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect())
    }

    fn linear(&self, prefix: &str, out: usize, inp: usize) -> Result<Linear, TextError> {
        Ok(Linear {
            weight_t: self
                .matrix(&format!("{prefix}.weight"), out, inp)?
                .reversed_axes()
                .as_standard_layout()
                .into_owned(),
            bias: self.vector(&format!("{prefix}.bias"), out)?,
        })
    }

    fn layer_norm(&self, prefix: &str) -> Result<LayerNorm, TextError> {
        Ok(LayerNorm {
            gamma: self.vector(&format!("{prefix}.weight"), HIDDEN)?,
            beta: self.vector(&format!("{prefix}.bias"), HIDDEN)?,
        })
    }

    fn error(&self, tensor: &str, message: &str) -> TextError {
        TextError::Weights {
            path: self.path.to_path_buf(),
            message: format!("tensor {tensor}: {message}"),
        }
    }
}

impl Bert {
    /// Parses `model.safetensors` bytes; `path` is only for error messages.
    pub(crate) fn from_safetensors(
        bytes: &[u8],
        path: &Path,
        vocab_size: usize,
    ) -> Result<Self, TextError> {
        let tensors = SafeTensors::deserialize(bytes).map_err(|e| TextError::Weights {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let t = Tensors { path, tensors };
        let token_types = t.matrix("embeddings.token_type_embeddings.weight", 2, HIDDEN)?;
        let layers = (0..LAYERS)
            .map(|i| {
                let p = format!("encoder.layer.{i}");
                Ok(Layer {
                    query: t.linear(&format!("{p}.attention.self.query"), HIDDEN, HIDDEN)?,
                    key: t.linear(&format!("{p}.attention.self.key"), HIDDEN, HIDDEN)?,
                    value: t.linear(&format!("{p}.attention.self.value"), HIDDEN, HIDDEN)?,
                    attention_out: t.linear(
                        &format!("{p}.attention.output.dense"),
                        HIDDEN,
                        HIDDEN,
                    )?,
                    attention_norm: t.layer_norm(&format!("{p}.attention.output.LayerNorm"))?,
                    intermediate: t.linear(
                        &format!("{p}.intermediate.dense"),
                        INTERMEDIATE,
                        HIDDEN,
                    )?,
                    output: t.linear(&format!("{p}.output.dense"), HIDDEN, INTERMEDIATE)?,
                    output_norm: t.layer_norm(&format!("{p}.output.LayerNorm"))?,
                })
            })
            .collect::<Result<Vec<_>, TextError>>()?;
        Ok(Self {
            word_embeddings: t.matrix("embeddings.word_embeddings.weight", vocab_size, HIDDEN)?,
            position_embeddings: t.matrix(
                "embeddings.position_embeddings.weight",
                MAX_POSITIONS,
                HIDDEN,
            )?,
            // Single-segment input: every token has type 0.
            token_type_embedding: token_types.row(0).to_owned(),
            embeddings_norm: t.layer_norm("embeddings.LayerNorm")?,
            layers,
        })
    }

    /// Last hidden state `[tokens, 384]` for one unpadded sequence of ids
    /// (at most [`MAX_POSITIONS`], each below the vocabulary size; the
    /// caller's tokenizer guarantees both).
    pub(crate) fn forward(&self, ids: &[u32]) -> Array2<f32> {
        let n = ids.len();
        let mut x = Array2::<f32>::zeros((n, HIDDEN));
        for (pos, (mut row, &id)) in x.rows_mut().into_iter().zip(ids).enumerate() {
            row.assign(&self.word_embeddings.row(id as usize));
            row += &self.position_embeddings.row(pos);
            row += &self.token_type_embedding;
        }
        self.embeddings_norm.forward_in_place(&mut x);
        for layer in &self.layers {
            x = layer.forward(x);
        }
        x
    }
}

impl Layer {
    fn forward(&self, x: Array2<f32>) -> Array2<f32> {
        let view = x.view();
        let q = self.query.forward(&view);
        let k = self.key.forward(&view);
        let v = self.value.forward(&view);
        let n = x.nrows();
        let scale = 1.0 / (HEAD_DIM as f32).sqrt();
        let mut context = Array2::<f32>::zeros((n, HIDDEN));
        for h in 0..HEADS {
            // (ndarray's s! macro expands to unsafe code, which the workspace forbids)
            let cols = Slice::from(h * HEAD_DIM..(h + 1) * HEAD_DIM);
            let mut scores = q
                .slice_axis(Axis(1), cols)
                .dot(&k.slice_axis(Axis(1), cols).t());
            for mut row in scores.rows_mut() {
                let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
                row.mapv_inplace(|v| ((v - max) * scale).exp());
                let sum = row.sum();
                row /= sum;
            }
            context
                .slice_axis_mut(Axis(1), cols)
                .assign(&scores.dot(&v.slice_axis(Axis(1), cols)));
        }
        let mut attended = self.attention_out.forward(&context.view());
        attended += &x;
        self.attention_norm.forward_in_place(&mut attended);

        let mut inner = self.intermediate.forward(&attended.view());
        inner.mapv_inplace(gelu);
        let mut out = self.output.forward(&inner.view());
        out += &attended;
        self.output_norm.forward_in_place(&mut out);
        out
    }
}

/// Mean of the rows: sentence-transformers' mean pooling (no padding here).
pub(crate) fn mean_pool(hidden: &Array2<f32>) -> Vec<f32> {
    hidden
        .mean_axis(Axis(0))
        .map(|m| m.to_vec())
        .unwrap_or_else(|| vec![0.0; HIDDEN])
}

/// Exact (erf) GELU, as BERT's `hidden_act = "gelu"`.
fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x / std::f32::consts::SQRT_2))
}

/// erf by Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7): `f32::erf`
/// is not stable yet.
fn erf(x: f32) -> f32 {
    let sign = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let poly = t
        * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    sign * (1.0 - poly * (-x * x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_known_values() {
        // erf(0.5), erf(1), erf(2) from tables
        for (x, want) in [
            (0.0, 0.0),
            (0.5, 0.520_499_9),
            (1.0, 0.842_700_8),
            (2.0, 0.995_322_3),
            (-1.0, -0.842_700_8),
        ] {
            assert!(
                (erf(x) - want).abs() < 1e-6,
                "erf({x}) = {} want {want}",
                erf(x)
            );
        }
    }
}
