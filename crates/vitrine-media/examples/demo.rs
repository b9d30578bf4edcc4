//! Writes one picture per operation family, for a person to look at.
//!
//! Usage: `demo <photo> <output-dir>`; writes `annotated.jpg`, `redacted.png` (blur, pixelate
//! and fill side by side), `rotated.png`, `aspect.jpg` and `sheet.jpg`.

use vitrine_media::image::DynamicImage;
use vitrine_media::{
    AnnotateParams, AspectMode, AspectParams, BoxAnnotation, Color, DecodeLimits, GridParams,
    NormBox, PixelBox, Point, PointAnnotation, PolygonAnnotation, RedactMethod, RedactParams,
    Region, RotateParams, TextAnnotation, annotate, decode, encode_jpeg, encode_png, grid, redact,
    rotate, side_by_side, thumbnail, to_aspect,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(photo), Some(out)) = (args.next(), args.next()) else {
        return Err("usage: demo <photo> <output-dir>".into());
    };
    let out = std::path::PathBuf::from(out);
    let image = decode(&std::fs::read(photo)?, &DecodeLimits::default())?.image;
    let (w, h) = (f64::from(image.width()), f64::from(image.height()));

    let params = AnnotateParams {
        boxes: vec![
            BoxAnnotation {
                bbox: PixelBox::new(w * 0.40, h * 0.33, w * 0.56, h * 0.66),
                label: Some("bird".into()),
                score: Some(0.97),
                color: None,
            },
            BoxAnnotation {
                bbox: PixelBox::new(w * 0.02, h * 0.05, w * 0.38, h * 0.95),
                label: Some("tree".into()),
                score: Some(0.88),
                color: None,
            },
        ],
        points: vec![PointAnnotation {
            point: Point {
                x: w * 0.53,
                y: h * 0.62,
            },
            label: Some("beak".into()),
            color: None,
        }],
        polygons: vec![PolygonAnnotation {
            points: vec![
                Point {
                    x: w * 0.6,
                    y: h * 0.7,
                },
                Point {
                    x: w * 0.95,
                    y: h * 0.65,
                },
                Point {
                    x: w * 0.9,
                    y: h * 0.95,
                },
                Point {
                    x: w * 0.65,
                    y: h * 0.9,
                },
            ],
            label: Some("path".into()),
            color: None,
            fill: true,
        }],
        texts: vec![TextAnnotation {
            text: "Vitrine annotate demo".into(),
            position: Point {
                x: w * 0.6,
                y: h * 0.05,
            },
            color: None,
            size: None,
        }],
        ..AnnotateParams::default()
    };
    std::fs::write(
        out.join("annotated.jpg"),
        encode_jpeg(&annotate(&image, &params)?, 85)?,
    )?;

    let bird = Region::NormBox(NormBox {
        x0: 0.40,
        y0: 0.33,
        x1: 0.56,
        y1: 0.66,
    });
    let hidden: Vec<DynamicImage> = [
        RedactMethod::Blur,
        RedactMethod::Pixelate,
        RedactMethod::Fill,
    ]
    .into_iter()
    .map(|method| {
        let params = RedactParams {
            regions: vec![bird.clone()],
            method,
            strength: 1.0,
            color: Color::BLACK,
            padding_ratio: 0.05,
        };
        redact(&image, &params).and_then(|redacted| thumbnail(&redacted, 640))
    })
    .collect::<Result<_, _>>()?;
    let labels = ["blur".to_owned(), "pixelate".to_owned(), "fill".to_owned()];
    std::fs::write(
        out.join("redacted.png"),
        encode_png(&side_by_side(&hidden, &labels, 8, Color::WHITE)?)?,
    )?;

    let small = thumbnail(&image, 480)?;
    let tilted = rotate(
        &small,
        &RotateParams {
            degrees: 20.0,
            expand: true,
            fill: Color([0, 0, 0, 0]),
        },
    )?;
    std::fs::write(out.join("rotated.png"), encode_png(&tilted)?)?;
    let story = to_aspect(
        &small,
        &AspectParams {
            ratio: "9:16".into(),
            mode: AspectMode::Pad,
            color: Color::rgb(30, 30, 30),
        },
    )?;
    std::fs::write(out.join("aspect.jpg"), encode_jpeg(&story, 85)?)?;
    let sheet = grid(
        &[
            small.clone(),
            story,
            small.grayscale(),
            hidden[1].clone(),
            tilted,
        ],
        &GridParams {
            columns: Some(3),
            cell_height: Some(200),
            gap: 6,
            background: Color::WHITE,
            labels: vec![
                "original".into(),
                "9:16".into(),
                "gray".into(),
                "pixelate".into(),
                "rotate 20°".into(),
            ],
        },
    )?;
    std::fs::write(out.join("sheet.jpg"), encode_jpeg(&sheet, 85)?)?;
    Ok(())
}
