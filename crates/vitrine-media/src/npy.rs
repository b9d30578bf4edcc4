//! NumPy `.npy` arrays, written and read by hand (format v1.0; v2/v3 headers are also read),
//! for masks (`uint8`, `bool`) and depth maps (`float32`, `uint16`), C order only.
//!
//! The format: `\x93NUMPY`, a version, a little-endian header length, a Python dict literal
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (h, w), }` padded with spaces to a
//! multiple of 64 bytes, then the raw data. Writing matches `numpy.save` byte for byte.

use image::{GrayImage, Luma};

use crate::error::{MediaError, Result};

const MAGIC: &[u8] = b"\x93NUMPY";
/// Larger headers are refused: real ones are about 100 bytes.
const MAX_HEADER: usize = 64 * 1024;

/// The element values of an array.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum NpyData {
    /// `uint8` (`|u1`); `bool` (`|b1`) arrays are read into this as 0/1.
    U8(Vec<u8>),
    /// `uint16` (`<u2`).
    U16(Vec<u16>),
    /// `float32` (`<f4`); `float64` (`<f8`) arrays are read into this, rounded.
    F32(Vec<f32>),
}

/// An n-dimensional array in C (row-major) order.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// Dimensions, outermost first: `[height, width]` for an image-shaped array.
    pub shape: Vec<usize>,
    /// The values, `shape.iter().product()` of them.
    pub data: NpyData,
}

impl NpyData {
    fn len(&self) -> usize {
        match self {
            Self::U8(values) => values.len(),
            Self::U16(values) => values.len(),
            Self::F32(values) => values.len(),
        }
    }

    fn descr(&self) -> &'static str {
        match self {
            Self::U8(_) => "|u1",
            Self::U16(_) => "<u2",
            Self::F32(_) => "<f4",
        }
    }
}

impl NpyArray {
    /// A `(height, width)` `uint8` array of the mask's values.
    pub fn from_gray(mask: &GrayImage) -> Self {
        Self {
            shape: vec![mask.height() as usize, mask.width() as usize],
            data: NpyData::U8(mask.as_raw().clone()),
        }
    }

    /// A `(height, width)` `float32` array, e.g. a depth map; checks the value count.
    pub fn from_f32(width: u32, height: u32, values: Vec<f32>) -> Result<Self> {
        let expected = width as usize * height as usize;
        if values.len() != expected {
            return Err(MediaError::invalid(
                "values",
                values.len(),
                format!("a {width}×{height} array needs {expected} values"),
            ));
        }
        Ok(Self {
            shape: vec![height as usize, width as usize],
            data: NpyData::F32(values),
        })
    }

    /// `(height, width)` of an image-shaped array: 2-D, or 3-D with a single channel at
    /// either end (`(1, h, w)` or `(h, w, 1)`).
    pub fn image_size(&self) -> Result<(u32, u32)> {
        let (height, width) = match self.shape.as_slice() {
            [height, width] | [1, height, width] | [height, width, 1] => (*height, *width),
            other => {
                return Err(MediaError::invalid(
                    "shape",
                    format!("{other:?}"),
                    "expected (height, width), (1, height, width) or (height, width, 1)",
                ));
            }
        };
        let to_u32 = |value: usize, param: &'static str| {
            u32::try_from(value).map_err(|_| MediaError::invalid(param, value, "is too large"))
        };
        Ok((to_u32(height, "height")?, to_u32(width, "width")?))
    }

    /// Converts an image-shaped array to a mask. `uint8` values are kept, except that a 0/1
    /// mask becomes 0/255; `uint16` is scaled down by 257; `float32` is read as a probability
    /// (0..1 → 0..255, clamped).
    pub fn to_mask(&self) -> Result<GrayImage> {
        let (height, width) = self.image_size()?;
        let values: Vec<u8> = match &self.data {
            NpyData::U8(values) if values.iter().all(|value| *value <= 1) => {
                values.iter().map(|value| value * 255).collect()
            }
            NpyData::U8(values) => values.clone(),
            NpyData::U16(values) => values.iter().map(|value| (value / 257) as u8).collect(),
            NpyData::F32(values) => values
                .iter()
                .map(|value| (value.clamp(0.0, 1.0) * 255.0).round() as u8)
                .collect(),
        };
        GrayImage::from_raw(width, height, values)
            .ok_or_else(|| npy_error("the value count does not match the shape"))
    }

    /// Min-max normalises an image-shaped array (a depth map, say) to 0..255 gray for viewing;
    /// NaN and infinities become 0.
    pub fn to_normalized_gray(&self) -> Result<GrayImage> {
        let (height, width) = self.image_size()?;
        let values: Vec<f32> = match &self.data {
            NpyData::U8(values) => values.iter().map(|value| f32::from(*value)).collect(),
            NpyData::U16(values) => values.iter().map(|value| f32::from(*value)).collect(),
            NpyData::F32(values) => values.clone(),
        };
        let finite = values.iter().copied().filter(|value| value.is_finite());
        let (low, high) = finite.fold((f32::INFINITY, f32::NEG_INFINITY), |(low, high), value| {
            (low.min(value), high.max(value))
        });
        let range = if high > low { high - low } else { 1.0 };
        let mut gray = GrayImage::new(width, height);
        for (pixel, value) in gray.pixels_mut().zip(values) {
            *pixel = Luma([if value.is_finite() {
                ((value - low) / range * 255.0).round() as u8
            } else {
                0
            }]);
        }
        Ok(gray)
    }
}

fn npy_error(reason: impl Into<String>) -> MediaError {
    MediaError::Npy {
        reason: reason.into(),
    }
}

/// Serialises `array` exactly as `numpy.save` would (format 1.0).
pub fn write_npy(array: &NpyArray) -> Result<Vec<u8>> {
    let count = array
        .shape
        .iter()
        .try_fold(1usize, |total, dimension| total.checked_mul(*dimension));
    if count != Some(array.data.len()) {
        return Err(npy_error(format!(
            "shape {:?} does not hold {} values",
            array.shape,
            array.data.len()
        )));
    }
    let shape = match array.shape.as_slice() {
        [single] => format!("({single},)"),
        dimensions => format!(
            "({})",
            dimensions
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}",
        array.data.descr()
    );
    // numpy pads so that magic + version + length + header is a multiple of 64, ending in '\n'.
    let unpadded = MAGIC.len() + 2 + 2 + header.len() + 1;
    header.push_str(&" ".repeat(unpadded.next_multiple_of(64) - unpadded));
    header.push('\n');
    let header_length = u16::try_from(header.len())
        .map_err(|_| npy_error("the shape is too long for a v1.0 header"))?;
    let mut bytes = Vec::with_capacity(10 + header.len() + array.data.len() * 4);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&[1, 0]);
    bytes.extend_from_slice(&header_length.to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    match &array.data {
        NpyData::U8(values) => bytes.extend_from_slice(values),
        NpyData::U16(values) => values
            .iter()
            .for_each(|value| bytes.extend_from_slice(&value.to_le_bytes())),
        NpyData::F32(values) => values
            .iter()
            .for_each(|value| bytes.extend_from_slice(&value.to_le_bytes())),
    }
    Ok(bytes)
}

/// Parses a `.npy` buffer (`uint8`, `bool`, `uint16`, `float32`, `float64`, either endianness,
/// C order).
pub fn read_npy(bytes: &[u8]) -> Result<NpyArray> {
    if !bytes.starts_with(MAGIC) || bytes.len() < 10 {
        return Err(npy_error(
            "the data does not start with the \\x93NUMPY magic",
        ));
    }
    let (header_length, header_start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 => {
            let length = bytes
                .get(8..12)
                .ok_or_else(|| npy_error("truncated header"))?;
            (
                u32::from_le_bytes([length[0], length[1], length[2], length[3]]) as usize,
                12,
            )
        }
        version => {
            return Err(npy_error(format!(
                "format version {version} is not supported"
            )));
        }
    };
    if header_length > MAX_HEADER {
        return Err(npy_error(format!(
            "the header is {header_length} bytes long"
        )));
    }
    let header = bytes
        .get(header_start..header_start + header_length)
        .ok_or_else(|| npy_error("truncated header"))?;
    let header = std::str::from_utf8(header).map_err(|_| npy_error("the header is not text"))?;
    let descr =
        quoted_value(header, "descr").ok_or_else(|| npy_error("the header has no 'descr'"))?;
    let fortran = header.split("'fortran_order':").nth(1).map(str::trim_start);
    if fortran.is_some_and(|rest| rest.starts_with("True")) {
        return Err(npy_error(
            "Fortran-order arrays are not supported; save with np.ascontiguousarray",
        ));
    }
    let shape = parse_shape(header)?;
    let count = shape
        .iter()
        .try_fold(1usize, |total, dimension| total.checked_mul(*dimension))
        .ok_or_else(|| npy_error("the shape overflows"))?;
    let body = &bytes[header_start + header_length..];
    let (little, kind) = match descr.as_bytes() {
        [b'<' | b'|' | b'=', rest @ ..] => (true, rest),
        [b'>', rest @ ..] => (false, rest),
        _ => return Err(npy_error(format!("unsupported dtype '{descr}'"))),
    };
    let need = |size: usize| {
        let wanted = count
            .checked_mul(size)
            .ok_or_else(|| npy_error("the shape overflows"))?;
        body.get(..wanted).ok_or_else(|| {
            npy_error(format!(
                "shape {shape:?} needs {wanted} data bytes, found {}",
                body.len()
            ))
        })
    };
    let data = match kind {
        b"u1" => NpyData::U8(need(1)?.to_vec()),
        b"b1" => NpyData::U8(need(1)?.iter().map(|value| u8::from(*value != 0)).collect()),
        b"u2" => NpyData::U16(
            need(2)?
                .chunks_exact(2)
                .map(|c| {
                    if little {
                        u16::from_le_bytes([c[0], c[1]])
                    } else {
                        u16::from_be_bytes([c[0], c[1]])
                    }
                })
                .collect(),
        ),
        b"f4" => NpyData::F32(
            need(4)?
                .chunks_exact(4)
                .map(|c| {
                    let raw = [c[0], c[1], c[2], c[3]];
                    if little {
                        f32::from_le_bytes(raw)
                    } else {
                        f32::from_be_bytes(raw)
                    }
                })
                .collect(),
        ),
        b"f8" => NpyData::F32(
            need(8)?
                .chunks_exact(8)
                .map(|c| {
                    let raw = [c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]];
                    (if little {
                        f64::from_le_bytes(raw)
                    } else {
                        f64::from_be_bytes(raw)
                    }) as f32
                })
                .collect(),
        ),
        _ => {
            return Err(npy_error(format!(
                "unsupported dtype '{descr}' (use uint8, bool, uint16, float32 or float64)"
            )));
        }
    };
    Ok(NpyArray { shape, data })
}

/// The text between quotes after `'key':`.
fn quoted_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let rest = header.split(&format!("'{key}':")).nth(1)?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let rest = &rest[1..];
    rest.find(quote).map(|end| &rest[..end])
}

fn parse_shape(header: &str) -> Result<Vec<usize>> {
    let rest = header
        .split("'shape':")
        .nth(1)
        .ok_or_else(|| npy_error("the header has no 'shape'"))?;
    let open = rest
        .find('(')
        .ok_or_else(|| npy_error("'shape' is not a tuple"))?;
    let close = rest
        .find(')')
        .ok_or_else(|| npy_error("'shape' is not a tuple"))?;
    rest.get(open + 1..close)
        .ok_or_else(|| npy_error("'shape' is not a tuple"))?
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.trim_end_matches('L')
                .parse::<usize>()
                .map_err(|_| npy_error(format!("bad dimension '{part}' in 'shape'")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Fixtures written by `numpy.save` from numpy 2.4.6 (see the file names).
    const MASK_U1: &[u8] = include_bytes!("../testdata/numpy-2.4.6_mask_u1_2x3.npy");
    const DEPTH_F4: &[u8] = include_bytes!("../testdata/numpy-2.4.6_depth_f4_2x2.npy");
    const U2: &[u8] = include_bytes!("../testdata/numpy-2.4.6_u2_3.npy");
    const BOOL: &[u8] = include_bytes!("../testdata/numpy-2.4.6_bool_2x2.npy");
    const FORTRAN: &[u8] = include_bytes!("../testdata/numpy-2.4.6_fortran_f4_2x3.npy");

    #[test]
    fn reads_what_numpy_wrote() {
        let mask = read_npy(MASK_U1).expect("u1");
        assert_eq!(
            mask,
            NpyArray {
                shape: vec![2, 3],
                data: NpyData::U8(vec![0, 1, 255, 7, 0, 128])
            }
        );
        let depth = read_npy(DEPTH_F4).expect("f4");
        assert_eq!(
            depth,
            NpyArray {
                shape: vec![2, 2],
                data: NpyData::F32(vec![0.5, 1.25, -3.0, 1e6])
            }
        );
        assert_eq!(
            read_npy(U2).expect("u2").data,
            NpyData::U16(vec![1, 65535, 300])
        );
        assert_eq!(
            read_npy(BOOL).expect("bool").data,
            NpyData::U8(vec![1, 0, 0, 1])
        );
        let error = read_npy(FORTRAN).expect_err("fortran");
        assert!(error.to_string().contains("Fortran"), "{error}");
    }

    #[test]
    fn writes_byte_identical_to_numpy() {
        for fixture in [MASK_U1, DEPTH_F4, U2] {
            let array = read_npy(fixture).expect("read");
            assert_eq!(write_npy(&array).expect("write"), fixture);
        }
    }

    #[test]
    fn masks_and_depth_convert_to_gray() {
        let mask = read_npy(MASK_U1).expect("u1").to_mask().expect("mask");
        assert_eq!(mask.dimensions(), (3, 2));
        assert_eq!(mask.as_raw(), &vec![0, 1, 255, 7, 0, 128]);
        let binary = read_npy(BOOL).expect("bool").to_mask().expect("mask");
        assert_eq!(binary.as_raw(), &vec![255, 0, 0, 255]);
        assert_eq!(
            NpyArray::from_gray(&mask).to_mask().expect("round trip"),
            mask
        );
        let depth = NpyArray::from_f32(2, 1, vec![2.0, 4.0]).expect("depth");
        assert_eq!(
            depth.to_normalized_gray().expect("gray").as_raw(),
            &vec![0, 255]
        );
        let probabilities = NpyArray::from_f32(3, 1, vec![-1.0, 0.5, 2.0]).expect("probabilities");
        assert_eq!(
            probabilities.to_mask().expect("mask").as_raw(),
            &vec![0, 128, 255]
        );
        assert!(NpyArray::from_f32(2, 2, vec![1.0]).is_err());
    }

    #[test]
    fn rejects_truncated_and_lying_headers() {
        assert!(read_npy(b"not numpy").is_err());
        assert!(
            read_npy(&MASK_U1[..MASK_U1.len() - 1]).is_err(),
            "one data byte short"
        );
        let mut huge = MASK_U1.to_vec();
        let text = String::from_utf8_lossy(&huge).replace("(2, 3)", "(9999999999999, 99999999999)");
        huge = text.into_bytes();
        assert!(read_npy(&huge).is_err());
        let wrong = NpyArray {
            shape: vec![5],
            data: NpyData::U8(vec![1, 2]),
        };
        assert!(write_npy(&wrong).is_err());
    }
}
