//! Images to PDF with `pdf-writer`: one page per image, each page the image's size.
//!
//! JPEGs are embedded as they are (`DCTDecode` pass-through, no generation loss) when the PDF
//! can show them unchanged: 8-bit grey or colour and no EXIF rotation. Everything else (PNGs,
//! CMYK or rotated JPEGs) is decoded, rotated upright, flattened onto white if it has
//! transparency, and stored as zlib-compressed RGB (`FlateDecode`).

use std::io::{Cursor, Write};

use flate2::Compression;
use flate2::write::ZlibEncoder;
use image::{DynamicImage, ImageDecoder, ImageFormat, RgbImage};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, TextStr};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::DocumentError;
use crate::jpeg_header;

/// Parameters of [`images_to_pdf`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ImagesToPdfParams {
    /// Pixels per inch used to size each page: 72 makes one pixel one point, 300 prints a
    /// 2480-pixel-wide scan as an A4-wide page.
    #[serde(default = "default_dpi")]
    pub dpi: f32,
}

impl Default for ImagesToPdfParams {
    fn default() -> Self {
        Self { dpi: default_dpi() }
    }
}

fn default_dpi() -> f32 {
    72.0
}

/// The largest page side viewers accept (Acrobat's limit: 200 inches).
const MAX_PAGE_SIDE_PT: f32 = 14_400.0;

/// An image ready to be written as an XObject.
struct Embedded {
    width: u32,
    height: u32,
    filter: Filter,
    grey: bool,
    data: Vec<u8>,
}

/// Builds a PDF with one page per image (JPEG or PNG bytes), in order.
///
/// This is CPU work (decoding, compressing); async callers should run it in
/// `tokio::task::spawn_blocking`.
pub fn images_to_pdf(
    images: &[&[u8]],
    params: &ImagesToPdfParams,
) -> Result<Vec<u8>, DocumentError> {
    if images.is_empty() {
        return Err(DocumentError::param(
            "images",
            "is empty; give at least one image",
        ));
    }
    let dpi = params.dpi;
    if !dpi.is_finite() || !(1.0..=2400.0).contains(&dpi) {
        return Err(DocumentError::param(
            "dpi",
            format!("{dpi} must be between 1 and 2400"),
        ));
    }

    let mut pdf = Pdf::new();
    let catalog_id = Ref::new(1);
    let page_tree_id = Ref::new(2);
    let page_ids: Vec<Ref> = (0..images.len()).map(|index| object_id(index, 0)).collect();
    pdf.catalog(catalog_id).pages(page_tree_id);
    pdf.pages(page_tree_id)
        .kids(page_ids.iter().copied())
        .count(images.len() as i32);

    let image_name = Name(b"Im0");
    for (index, bytes) in images.iter().enumerate() {
        let embedded = embed(index, bytes)?;
        let (page_id, image_id, content_id) = (
            object_id(index, 0),
            object_id(index, 1),
            object_id(index, 2),
        );

        let (width_pt, height_pt) = page_size(embedded.width, embedded.height, dpi);
        let mut page = pdf.page(page_id);
        page.parent(page_tree_id)
            .media_box(Rect::new(0.0, 0.0, width_pt, height_pt))
            .contents(content_id);
        page.resources().x_objects().pair(image_name, image_id);
        page.finish();

        let mut image = pdf.image_xobject(image_id, &embedded.data);
        image.filter(embedded.filter);
        image.width(embedded.width as i32);
        image.height(embedded.height as i32);
        if embedded.grey {
            image.color_space().device_gray();
        } else {
            image.color_space().device_rgb();
        }
        image.bits_per_component(8);
        image.finish();

        // An image XObject fills the unit square; scale it to the page.
        let mut content = Content::new();
        content.save_state();
        content.transform([width_pt, 0.0, 0.0, height_pt, 0.0, 0.0]);
        content.x_object(image_name);
        content.restore_state();
        pdf.stream(content_id, &content.finish());
    }
    // Says what made the file, as PDF readers show under "Producer".
    pdf.document_info(object_id(images.len(), 0))
        .producer(TextStr("Vitrine"));
    Ok(pdf.finish())
}

/// Object ids: 1 and 2 are the catalog and page tree, then three per page, then the document
/// information.
fn object_id(index: usize, offset: usize) -> Ref {
    Ref::new((3 + index * 3 + offset) as i32)
}

/// Page size in points for an image at `dpi`, shrunk if a side would pass
/// [`MAX_PAGE_SIDE_PT`].
fn page_size(width: u32, height: u32, dpi: f32) -> (f32, f32) {
    let longest = f64::from(width.max(height).max(1));
    let scale = (72.0 / f64::from(dpi)).min(f64::from(MAX_PAGE_SIDE_PT) / longest);
    (
        (f64::from(width) * scale) as f32,
        (f64::from(height) * scale) as f32,
    )
}

/// Prepares one input image, naming it `images[index]` in errors.
fn embed(index: usize, bytes: &[u8]) -> Result<Embedded, DocumentError> {
    let decode_error = |source| DocumentError::ImageDecode { index, source };
    let format = image::guess_format(bytes).map_err(|_| {
        DocumentError::param(format!("images[{index}]"), "is not a JPEG or PNG image")
    })?;
    match format {
        ImageFormat::Jpeg => {
            if let Some(embedded) = pass_through_jpeg(bytes).map_err(decode_error)? {
                return Ok(embedded);
            }
        }
        ImageFormat::Png => {}
        other => {
            return Err(DocumentError::param(
                format!("images[{index}]"),
                format!("is {other:?}; only JPEG and PNG are accepted"),
            ));
        }
    }
    let rgb = decode_upright_rgb(bytes, format).map_err(decode_error)?;
    let (width, height) = rgb.dimensions();
    Ok(Embedded {
        width,
        height,
        filter: Filter::FlateDecode,
        grey: false,
        data: deflate(rgb.as_raw()),
    })
}

/// The JPEG itself, when a PDF viewer would show it exactly as an image viewer does.
fn pass_through_jpeg(bytes: &[u8]) -> Result<Option<Embedded>, image::ImageError> {
    let Some(header) = jpeg_header::read(bytes) else {
        return Ok(None);
    };
    let orientation = image::codecs::jpeg::JpegDecoder::new(Cursor::new(bytes))?.orientation()?;
    let simple = header.precision == 8
        && matches!(header.components, 1 | 3)
        && orientation == image::metadata::Orientation::NoTransforms
        && header.width > 0
        && header.height > 0;
    Ok(simple.then(|| Embedded {
        width: header.width,
        height: header.height,
        filter: Filter::DctDecode,
        grey: header.components == 1,
        data: bytes.to_vec(),
    }))
}

/// Decodes, applies the EXIF orientation, and flattens transparency onto white.
fn decode_upright_rgb(bytes: &[u8], format: ImageFormat) -> Result<RgbImage, image::ImageError> {
    let mut decoder = image::ImageReader::with_format(Cursor::new(bytes), format).into_decoder()?;
    let orientation = decoder.orientation()?;
    let mut image = DynamicImage::from_decoder(decoder)?;
    image.apply_orientation(orientation);
    if !image.color().has_alpha() {
        return Ok(image.into_rgb8());
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (target, source) in rgb.pixels_mut().zip(rgba.pixels()) {
        let alpha = u32::from(source[3]);
        for channel in 0..3 {
            let blended = (u32::from(source[channel]) * alpha + 255 * (255 - alpha) + 127) / 255;
            target[channel] = blended as u8;
        }
    }
    Ok(rgb)
}

/// zlib-compresses `data` (what PDF's `FlateDecode` expects).
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::new(6));
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_sized_from_dpi_and_capped() {
        assert_eq!(page_size(640, 480, 72.0), (640.0, 480.0));
        assert_eq!(page_size(600, 300, 144.0), (300.0, 150.0));
        let (width, height) = page_size(40_000, 20_000, 72.0);
        assert!((width - 14_400.0).abs() < 0.01 && (height - 7_200.0).abs() < 0.01);
    }

    #[test]
    fn bad_inputs_name_their_index() {
        let error = images_to_pdf(&[b"GIF89a......", b"nope"], &ImagesToPdfParams::default())
            .expect_err("a GIF");
        assert!(
            error.to_string().starts_with("`images[0]` is Gif"),
            "{error}"
        );
        let error = images_to_pdf(&[b"nope"], &ImagesToPdfParams::default()).expect_err("junk");
        assert_eq!(error.to_string(), "`images[0]` is not a JPEG or PNG image");
        let error = images_to_pdf(&[], &ImagesToPdfParams::default()).expect_err("none");
        assert!(error.to_string().starts_with("`images` is empty"));
        let truncated_png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let error =
            images_to_pdf(&[truncated_png], &ImagesToPdfParams::default()).expect_err("truncated");
        assert!(
            matches!(error, DocumentError::ImageDecode { index: 0, .. }),
            "{error:?}"
        );
    }
}
