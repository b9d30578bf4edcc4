//! End-to-end use of the public API, the way `vitrine-tools` strings operations together:
//! bytes in, JSON parameters, bytes out.

use vitrine_media::image::{DynamicImage, Rgb, RgbImage};
use vitrine_media::{
    AnnotateParams, CropParams, DecodeLimits, ImageFormat, MediaError, NpyArray, RedactParams,
    ResizeParams, decode, encode_auto, encode_jpeg, mask, probe, read_npy, redact, write_npy,
};

/// A 640×480 "photo": smooth gradient background with a high-contrast checkered "face".
fn photo_jpeg() -> Vec<u8> {
    let image = RgbImage::from_fn(640, 480, |x, y| {
        let face = (200..300).contains(&x) && (100..220).contains(&y);
        if face && ((x / 4) + (y / 4)) % 2 == 0 {
            Rgb([250, 250, 250])
        } else if face {
            Rgb([5, 5, 5])
        } else {
            Rgb([(x / 3) as u8, (y / 2) as u8, 120])
        }
    });
    encode_jpeg(&DynamicImage::ImageRgb8(image), 92).expect("encode the fixture")
}

fn face_texture(image: &RgbImage) -> f64 {
    let values: Vec<f64> = (110..210)
        .flat_map(|y| (210..290).map(move |x| (x, y)))
        .map(|(x, y)| f64::from(image.get_pixel(x, y).0[0]))
        .collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    (values
        .iter()
        .map(|value| (value - mean).powi(2))
        .sum::<f64>()
        / values.len() as f64)
        .sqrt()
}

#[test]
fn planner_json_drives_a_redact_annotate_resize_pipeline() {
    let bytes = photo_jpeg();
    let info = probe(&bytes).expect("probe");
    assert_eq!(
        (info.format, info.width, info.height, info.has_alpha),
        (ImageFormat::Jpeg, 640, 480, false)
    );

    let image = decode(&bytes, &DecodeLimits::default())
        .expect("decode")
        .image;
    assert!(
        face_texture(&image.to_rgb8()) > 100.0,
        "the fixture face is textured"
    );

    let redact_params: RedactParams = serde_json::from_str(
        r#"{"regions":[{"shape":"box","x0":200,"y0":100,"x1":300,"y1":220}],"method":"blur"}"#,
    )
    .expect("redact json");
    let hidden = redact(&image, &redact_params).expect("redact");
    assert!(
        face_texture(&hidden.to_rgb8()) < 8.0,
        "face still recognisable: {}",
        face_texture(&hidden.to_rgb8())
    );
    assert_eq!(
        hidden.to_rgb8().get_pixel(20, 20),
        image.to_rgb8().get_pixel(20, 20)
    );

    let annotate_params: AnnotateParams = serde_json::from_str(
        r#"{"boxes":[{"box":{"x0":200,"y0":100,"x1":300,"y1":220},"label":"face","score":0.99}]}"#,
    )
    .expect("annotate json");
    let drawn = vitrine_media::annotate(&hidden, &annotate_params).expect("annotate");
    let resize_params: ResizeParams =
        serde_json::from_str(r#"{"width":320}"#).expect("resize json");
    let small = vitrine_media::resize(&drawn, &resize_params).expect("resize");
    assert_eq!((small.width(), small.height()), (320, 240));

    let encoded = encode_auto(&small, 85).expect("encode");
    assert_eq!(encoded.format, ImageFormat::Jpeg);
    let back = probe(&encoded.bytes).expect("probe output");
    assert_eq!((back.width, back.height), (320, 240));
}

#[test]
fn crop_errors_read_well_for_a_planner() {
    let image = decode(&photo_jpeg(), &DecodeLimits::default())
        .expect("decode")
        .image;
    let params: CropParams =
        serde_json::from_str(r#"{"region":{"shape":"box","x0":10,"y0":10,"x1":5000,"y1":20}}"#)
            .expect("json");
    let (cropped, rect) = vitrine_media::crop(&image, &params).expect("clamped crop");
    assert_eq!((rect.width, rect.height, cropped.width()), (630, 10, 630));
    let outside: CropParams =
        serde_json::from_str(r#"{"region":{"shape":"norm_box","x0":1.1,"y0":0,"x1":1.5,"y1":1}}"#)
            .expect("json");
    let error = vitrine_media::crop(&image, &outside).expect_err("outside");
    assert!(matches!(error, MediaError::OutsideImage { .. }));
    assert!(error.is_client_error());
    assert_eq!(error.code(), "outside-image");
    assert_eq!(
        error.to_string(),
        "`region` [1.1, 0, 1.5, 1] (normalized) lies outside the 640×480 image"
    );
}

#[test]
fn a_mask_survives_npy_and_drives_redaction() {
    let image = decode(&photo_jpeg(), &DecodeLimits::default())
        .expect("decode")
        .image;
    let face = mask::box_mask(
        640,
        480,
        vitrine_media::PixelRect {
            x: 200,
            y: 100,
            width: 100,
            height: 120,
        },
    );
    let bytes = write_npy(&NpyArray::from_gray(&face)).expect("write npy");
    let restored = read_npy(&bytes).expect("read npy").to_mask().expect("mask");
    assert_eq!(restored, face);
    let hidden = vitrine_media::redact_mask(
        &image,
        &restored,
        vitrine_media::RedactMethod::Pixelate,
        1.0,
        vitrine_media::Color::BLACK,
    )
    .expect("pixelate");
    assert!(face_texture(&hidden.to_rgb8()) < 40.0);
}
