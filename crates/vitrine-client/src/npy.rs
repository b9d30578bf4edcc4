//! [`NpyArray`]: a NumPy `.npy` file read into its header fields and raw data,
//! which is how the server serves `arr_` artifacts.
//!
//! Format (NumPy's `format.py`): the magic `\x93NUMPY`, a major and minor
//! version byte, a little-endian header length (2 bytes in version 1, 4 in
//! versions 2 and 3), then a Python dict literal such as
//! `{'descr': '<f4', 'fortran_order': False, 'shape': (480, 640), }`, then the data.

use crate::ClientError;

/// An n-dimensional array as stored in a `.npy` file.
#[derive(Debug, Clone, PartialEq)]
pub struct NpyArray {
    /// NumPy's type string, e.g. `<f4`, `|u1`, `|b1`.
    pub dtype: String,
    /// The dimensions; empty for a scalar.
    pub shape: Vec<usize>,
    /// Whether the data is column-major.
    pub fortran_order: bool,
    /// The element bytes, exactly as stored.
    pub data: Vec<u8>,
}

impl NpyArray {
    /// Parses a `.npy` file.
    pub fn parse(object_id: &str, bytes: &[u8]) -> Result<Self, ClientError> {
        let invalid = |detail: String| ClientError::InvalidResponse {
            endpoint: format!("GET /artifacts ({object_id})"),
            detail: format!("not a .npy array: {detail}"),
        };
        if !bytes.starts_with(b"\x93NUMPY") || bytes.len() < 10 {
            return Err(invalid("the `\\x93NUMPY` magic is missing".into()));
        }
        let (header_len, header_start) = match bytes[6] {
            1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
            2 | 3 if bytes.len() >= 12 => {
                let length = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
                (
                    usize::try_from(length).map_err(|_| invalid("header too long".into()))?,
                    12,
                )
            }
            version => return Err(invalid(format!("unknown format version {version}"))),
        };
        let header = bytes
            .get(header_start..header_start + header_len)
            .ok_or_else(|| invalid("the header is cut short".into()))?;
        let header = std::str::from_utf8(header).map_err(|_| invalid("header not UTF-8".into()))?;
        let dtype = dict_value(header, "descr")
            .and_then(|value| value.trim().trim_matches(['\'', '"']).to_owned().into())
            .ok_or_else(|| invalid("the header has no `descr`".into()))?;
        let fortran_order = dict_value(header, "fortran_order")
            .map(|value| value.trim() == "True")
            .unwrap_or(false);
        let shape_text = dict_value(header, "shape")
            .ok_or_else(|| invalid("the header has no `shape`".into()))?;
        let shape = shape_text
            .trim()
            .trim_start_matches('(')
            .trim_end_matches(')')
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| part.parse::<usize>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| invalid(format!("bad shape `{shape_text}`")))?;
        let data = bytes[header_start + header_len..].to_vec();
        let array = NpyArray {
            dtype,
            shape,
            fortran_order,
            data,
        };
        if let Some(size) = array.element_size() {
            let expected = array.len() * size;
            if array.data.len() != expected {
                return Err(invalid(format!(
                    "shape {:?} of `{}` needs {expected} data bytes, found {}",
                    array.shape,
                    array.dtype,
                    array.data.len()
                )));
            }
        }
        Ok(array)
    }

    /// The number of elements (the product of the shape).
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes per element, from the dtype (`<f4` → 4), if it names a plain number type.
    pub fn element_size(&self) -> Option<usize> {
        let code = self.dtype.trim_start_matches(['<', '>', '|', '=']);
        let kind = code.chars().next()?;
        if !matches!(kind, 'f' | 'i' | 'u' | 'b') {
            return None;
        }
        code[1..].parse().ok()
    }

    /// The elements as `f32`, converting from any integer, boolean or float
    /// dtype in either byte order. `None` for other dtypes.
    pub fn to_f32(&self) -> Option<Vec<f32>> {
        let big_endian = self.dtype.starts_with('>');
        let code = self.dtype.trim_start_matches(['<', '>', '|', '=']);
        let size = self.element_size()?;
        let convert = |raw: &[u8]| -> Option<f32> {
            let mut le = raw.to_vec();
            if big_endian {
                le.reverse();
            }
            Some(match code {
                "f4" => f32::from_le_bytes(le.try_into().ok()?),
                "f8" => f64::from_le_bytes(le.try_into().ok()?) as f32,
                "u1" | "b1" => f32::from(le[0]),
                "i1" => f32::from(le[0] as i8),
                "u2" => f32::from(u16::from_le_bytes(le.try_into().ok()?)),
                "i2" => f32::from(i16::from_le_bytes(le.try_into().ok()?)),
                "u4" => u32::from_le_bytes(le.try_into().ok()?) as f32,
                "i4" => i32::from_le_bytes(le.try_into().ok()?) as f32,
                "u8" => u64::from_le_bytes(le.try_into().ok()?) as f32,
                "i8" => i64::from_le_bytes(le.try_into().ok()?) as f32,
                _ => return None,
            })
        };
        self.data.chunks_exact(size).map(convert).collect()
    }
}

/// The raw text of `key`'s value in NumPy's header dict.
fn dict_value<'a>(header: &'a str, key: &str) -> Option<&'a str> {
    let quoted = [format!("'{key}'"), format!("\"{key}\"")];
    let start = quoted
        .iter()
        .find_map(|pattern| header.find(pattern.as_str()).map(|at| at + pattern.len()))?;
    let rest = header[start..].trim_start().strip_prefix(':')?.trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')')? + 1
    } else {
        rest.find([',', '}'])?
    };
    Some(&rest[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut header = header.to_owned();
        while !(10 + header.len() + 1).is_multiple_of(64) {
            header.push(' ');
        }
        header.push('\n');
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&u16::try_from(header.len()).expect("short").to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    #[test]
    fn reads_a_float_matrix() {
        let values: Vec<u8> = [1.5f32, -2.0, 0.25, 8.0, 3.0, 4.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let bytes = npy(
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
            &values,
        );
        let array = NpyArray::parse("arr_000000", &bytes).expect("parses");
        assert_eq!(array.shape, [2, 3]);
        assert_eq!(array.dtype, "<f4");
        assert_eq!(
            array.to_f32().expect("floats"),
            [1.5, -2.0, 0.25, 8.0, 3.0, 4.0]
        );
    }

    #[test]
    fn rejects_data_that_does_not_fit_the_shape() {
        let bytes = npy(
            "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }",
            &[1, 2, 3],
        );
        assert!(NpyArray::parse("arr_000000", &bytes).is_err());
    }
}
