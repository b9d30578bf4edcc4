//! Thin wrapper over one ONNX Runtime session.
//!
//! `ort::Session::run` needs `&mut self`, so each session sits behind a
//! `Mutex`: concurrent calls on the same model queue up, calls on different
//! models run in parallel. Outputs are copied out before the lock is released,
//! so post-processing never holds it.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;

use crate::error::VisionError;

/// One f32 tensor: shape and row-major data.
#[derive(Debug, Clone)]
pub(crate) struct TensorF32 {
    pub(crate) shape: Vec<usize>,
    pub(crate) data: Vec<f32>,
}

/// A loaded model: its file name (for errors) and its session.
#[derive(Debug)]
pub(crate) struct OnnxModel {
    pub(crate) name: &'static str,
    session: Mutex<Session>,
    input_names: Vec<String>,
}

impl OnnxModel {
    /// Creates the session; runs graph optimisations once, here.
    pub(crate) fn load(
        environment: &ort::environment::Environment,
        path: &Path,
        name: &'static str,
        intra_threads: usize,
        spin_wait: bool,
    ) -> Result<Self, VisionError> {
        let session = Session::builder(environment)
            .map_err(|error| VisionError::inference(name, error))?
            .with_optimization_level(GraphOptimizationLevel::All)
            .map_err(|error| VisionError::inference(name, error))?
            .with_intra_threads(intra_threads)
            .map_err(|error| VisionError::inference(name, error))?
            .with_inter_threads(1)
            .map_err(|error| VisionError::inference(name, error))?
            .with_intra_op_spinning(spin_wait)
            .map_err(|error| VisionError::inference(name, error))?
            .commit_from_file(path)
            .map_err(|error| VisionError::inference(name, error))?;
        let input_names = session
            .inputs()
            .iter()
            .map(|input| input.name().to_owned())
            .collect();
        Ok(Self {
            name,
            session: Mutex::new(session),
            input_names,
        })
    }

    /// Reads a string from the model's custom metadata.
    pub(crate) fn metadata(&self, key: &str) -> Result<Option<String>, VisionError> {
        let session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let metadata = session
            .metadata()
            .map_err(|error| VisionError::inference(self.name, error))?;
        Ok(metadata.custom(key))
    }

    /// Runs the model on one input tensor and returns every output, in
    /// declaration order.
    pub(crate) fn run(&self, input: TensorF32) -> Result<Vec<TensorF32>, VisionError> {
        let name = self.name;
        let tensor = Tensor::from_array((input.shape, input.data))
            .map_err(|error| VisionError::inference(name, error))?;
        let input_name = self
            .input_names
            .first()
            .ok_or_else(|| VisionError::UnexpectedOutput {
                model: name,
                detail: "the model declares no input".to_owned(),
            })?
            .clone();
        // A panic inside ONNX Runtime cannot leave the session half-updated in
        // a way we could observe, so a poisoned lock is still usable.
        let mut session = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let outputs = session
            .run(ort::inputs![input_name => tensor])
            .map_err(|error| VisionError::inference(name, error))?;
        let mut result = Vec::with_capacity(outputs.len());
        for (output_name, value) in outputs.iter() {
            let (shape, data) = value.try_extract_tensor::<f32>().map_err(|error| {
                VisionError::UnexpectedOutput {
                    model: name,
                    detail: format!("output `{output_name}` is not an f32 tensor: {error}"),
                }
            })?;
            let shape = shape
                .iter()
                .map(|&dim| usize::try_from(dim).unwrap_or(0))
                .collect();
            result.push(TensorF32 {
                shape,
                data: data.to_vec(),
            });
        }
        Ok(result)
    }
}
