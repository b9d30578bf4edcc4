//! Composition and mask tools against a real store: `overlay_image`, `combine_images`,
//! `tile_image`, `mask_ops`, `mask_to_image`, `image_to_mask`, and `redact_image` with regions
//! and masks. Outputs are decoded and their pixels checked (JPEG outputs with a small
//! tolerance, away from edges where chroma subsampling bleeds; PNG and `.npy` exactly).

use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, GrayImage, Luma, Rgb, RgbImage, Rgba, RgbaImage};
use vitrine_media::{NpyArray, PixelRect, mask};
use vitrine_store::ArtifactMeta;
use vitrine_tools::{ToolCatalog, ToolContext, ToolError, ToolOutput};
use vitrine_wire::ArtifactKind;

use crate::support::{context, put, read};

async fn run(cx: &ToolContext, tool: &str, args: Value) -> Result<ToolOutput, ToolError> {
    ToolCatalog::standard()
        .get(tool)
        .expect("tool is registered")
        .run(cx, args)
        .await
}

async fn put_image(cx: &ToolContext, image: DynamicImage) -> ArtifactMeta {
    let png = vitrine_media::encode_png(&image).expect("png");
    put(cx, &png, ArtifactKind::Image, "image/png").await
}

async fn put_mask(cx: &ToolContext, mask: &GrayImage) -> ArtifactMeta {
    let npy = vitrine_media::write_npy(&NpyArray::from_gray(mask)).expect("npy");
    put(cx, &npy, ArtifactKind::Array, "application/octet-stream").await
}

async fn image_of(cx: &ToolContext, meta: &ArtifactMeta) -> RgbImage {
    let bytes = read(cx, meta).await;
    vitrine_media::image::load_from_memory(&bytes)
        .expect("decodes")
        .to_rgb8()
}

async fn mask_of(cx: &ToolContext, meta: &ArtifactMeta) -> GrayImage {
    assert_eq!(meta.kind, ArtifactKind::Array);
    let bytes = read(cx, meta).await;
    vitrine_media::read_npy(&bytes)
        .expect("npy")
        .to_mask()
        .expect("mask")
}

fn id(meta: &ArtifactMeta) -> String {
    meta.id.to_string()
}

/// A smooth gradient, so JPEG keeps it closely and positions are recognisable.
fn gradient(width: u32, height: u32, blue: u8) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([
            (x * 255 / width.max(2)) as u8,
            (y * 255 / height.max(2)) as u8,
            blue,
        ])
    })
}

fn close(actual: [u8; 3], expected: [u8; 3], tolerance: u8, what: &str) {
    for channel in 0..3 {
        assert!(
            actual[channel].abs_diff(expected[channel]) <= tolerance,
            "{what}: {actual:?} is not within {tolerance} of {expected:?}"
        );
    }
}

/// Mean absolute difference of `a`'s region at (`ax`, `ay`) and `b` (all of it).
fn mean_diff(a: &RgbImage, ax: u32, ay: u32, b: &RgbImage) -> f64 {
    let mut total = 0.0;
    for (x, y, pixel) in b.enumerate_pixels() {
        let other = a.get_pixel(ax + x, ay + y);
        for channel in 0..3 {
            total += f64::from(pixel[channel].abs_diff(other[channel]));
        }
    }
    total / f64::from(b.width() * b.height() * 3)
}

#[tokio::test]
async fn overlay_blends_by_alpha_at_the_position_and_scale() {
    let (_dir, cx) = context().await;
    let base = put_image(
        &cx,
        DynamicImage::ImageRgb8(RgbImage::from_pixel(80, 60, Rgb([40, 100, 160]))),
    )
    .await;
    let top = put_image(
        &cx,
        DynamicImage::ImageRgba8(RgbaImage::from_pixel(10, 10, Rgba([240, 20, 0, 128]))),
    )
    .await;
    let args = json!({"base": id(&base), "overlay": id(&top), "x": 20, "y": 15, "scale": 2.0});
    let output = run(&cx, "overlay_image", args.clone())
        .await
        .expect("overlay");
    assert_eq!(output.facts["overlay_box"], json!([20, 15, 40, 35]));
    let made = output.output("image").next().expect("image");
    assert_eq!(
        made.provenance.parents,
        vec![base.id.clone(), top.id.clone()]
    );
    assert_eq!(made.provenance.params, args);
    let out = image_of(&cx, made).await;
    assert_eq!(out.dimensions(), (80, 60));
    // 50% red over the base: each channel is the alpha-weighted mean.
    let alpha = 128.0 / 255.0;
    let blended = [[240.0, 40.0], [20.0, 100.0], [0.0, 160.0]]
        .map(|[top, below]: [f64; 2]| (top * alpha + below * (1.0 - alpha)).round() as u8);
    close(out.get_pixel(30, 25).0, blended, 3, "inside the overlay");
    close(
        out.get_pixel(23, 18).0,
        blended,
        3,
        "near its top-left corner",
    );
    close(
        out.get_pixel(37, 32).0,
        blended,
        3,
        "near its scaled bottom-right",
    );
    close(
        out.get_pixel(60, 50).0,
        [40, 100, 160],
        3,
        "past the scaled overlay",
    );
    close(out.get_pixel(10, 5).0, [40, 100, 160], 3, "before it");

    let error = run(
        &cx,
        "overlay_image",
        json!({"base": id(&base), "overlay": id(&top), "x": 500, "y": 0}),
    )
    .await
    .expect_err("off the canvas");
    assert!(error.is_client_error());
    assert!(error.to_string().contains("`x`"), "{error}");
    let error = run(
        &cx,
        "overlay_image",
        json!({"base": id(&base), "overlay": id(&top), "scale": 0}),
    )
    .await
    .expect_err("zero scale");
    assert!(error.to_string().contains("`scale`"), "{error}");
}

#[tokio::test]
async fn overlay_anchors_measure_the_offset_from_a_corner_or_the_centre() {
    let (_dir, cx) = context().await;
    let base = put_image(
        &cx,
        DynamicImage::ImageRgb8(RgbImage::from_pixel(80, 60, Rgb([40, 100, 160]))),
    )
    .await;
    let top = put_image(
        &cx,
        DynamicImage::ImageRgb8(RgbImage::from_pixel(10, 8, Rgb([250, 250, 0]))),
    )
    .await;
    for (anchor, x, y, expected) in [
        ("bottom_right", 5, 4, [65, 48, 75, 56]),
        ("top_right", 0, 0, [70, 0, 80, 8]),
        ("bottom_left", 2, 0, [2, 52, 12, 60]),
        ("center", 0, -10, [35, 16, 45, 24]),
    ] {
        let output = run(
            &cx,
            "overlay_image",
            json!({"base": id(&base), "overlay": id(&top), "x": x, "y": y, "anchor": anchor}),
        )
        .await
        .expect("overlay");
        assert_eq!(output.facts["overlay_box"], json!(expected), "{anchor}");
        let out = image_of(&cx, output.output("image").next().expect("image")).await;
        let [x0, y0, x1, y1] = expected.map(|edge: i32| edge as u32);
        close(
            out.get_pixel((x0 + x1) / 2, (y0 + y1) / 2).0,
            [250, 250, 0],
            6,
            anchor,
        );
        // Just outside the pasted box, on the side away from the edge it hugs (JPEG rings
        // a little next to the sharp yellow edge).
        let outside = (if x0 > 40 { x0 - 6 } else { x1 + 6 }, (y0 + y1) / 2);
        close(
            out.get_pixel(outside.0, outside.1).0,
            [40, 100, 160],
            12,
            anchor,
        );
    }
}

#[tokio::test]
async fn combine_images_lays_out_cells_of_exact_size_holding_each_source() {
    let (_dir, cx) = context().await;
    let sources: Vec<RgbImage> = [20_u8, 90, 160, 230]
        .into_iter()
        .map(|blue| gradient(40, 30, blue))
        .collect();
    let mut metas = Vec::new();
    for source in &sources {
        metas.push(put_image(&cx, DynamicImage::ImageRgb8(source.clone())).await);
    }
    let ids: Vec<String> = metas.iter().map(id).collect();

    let grid = run(
        &cx,
        "combine_images",
        json!({"images": ids, "layout": "grid", "gap": 0, "cell_height": 30}),
    )
    .await
    .expect("grid");
    assert_eq!(
        (&grid.facts["columns"], &grid.facts["rows"]),
        (&json!(2), &json!(2))
    );
    let made = grid.output("image").next().expect("image");
    let parents: Vec<_> = metas.iter().map(|meta| meta.id.clone()).collect();
    assert_eq!(made.provenance.parents, parents);
    let sheet = image_of(&cx, made).await;
    assert_eq!(sheet.dimensions(), (80, 60));
    for (index, source) in sources.iter().enumerate() {
        let (x, y) = ((index as u32 % 2) * 40, (index as u32 / 2) * 30);
        let diff = mean_diff(&sheet, x, y, source);
        assert!(diff < 5.0, "cell {index} differs from its source by {diff}");
        // And not from a neighbour with another blue.
        let other = &sources[(index + 1) % sources.len()];
        assert!(mean_diff(&sheet, x, y, other) > 20.0, "cell {index}");
    }

    let row = run(
        &cx,
        "combine_images",
        json!({"images": &ids[..3], "layout": "side_by_side", "cell_height": 30}),
    )
    .await
    .expect("side by side");
    let sheet = image_of(&cx, row.output("image").next().expect("image")).await;
    // Three 40×30 cells with the default 8 px gaps between and around.
    assert_eq!(sheet.dimensions(), (3 * 40 + 4 * 8, 30 + 2 * 8));
    for (index, source) in sources.iter().take(3).enumerate() {
        let diff = mean_diff(&sheet, 8 + index as u32 * 48, 8, source);
        assert!(diff < 5.0, "cell {index} differs by {diff}");
    }
    close(sheet.get_pixel(2, 2).0, [255, 255, 255], 2, "white gap");

    let stack = run(
        &cx,
        "combine_images",
        json!({"images": &ids[..2], "layout": "stack", "gap": 0, "cell_height": 30}),
    )
    .await
    .expect("stack");
    let sheet = image_of(&cx, stack.output("image").next().expect("image")).await;
    assert_eq!(sheet.dimensions(), (40, 60));
    assert!(mean_diff(&sheet, 0, 30, &sources[1]) < 5.0);

    let error = run(&cx, "combine_images", json!({"images": []}))
        .await
        .expect_err("no images");
    assert!(error.to_string().contains("`images`"), "{error}");
    let error = run(
        &cx,
        "combine_images",
        json!({"images": ids, "layout": "circle"}),
    )
    .await
    .expect_err("unknown layout");
    assert!(error.to_string().contains("circle"), "{error}");
}

#[tokio::test]
async fn tile_image_cuts_row_major_tiles_matching_the_source() {
    let (_dir, cx) = context().await;
    let source = gradient(90, 60, 120);
    let meta = put_image(&cx, DynamicImage::ImageRgb8(source.clone())).await;
    let output = run(
        &cx,
        "tile_image",
        json!({"image": id(&meta), "rows": 2, "columns": 3}),
    )
    .await
    .expect("tiles");
    let tiles: Vec<&ArtifactMeta> = output.output("tiles").collect();
    assert_eq!(tiles.len(), 6);
    assert_eq!(output.facts["tiles"][4]["box"], json!([30, 30, 60, 60]));
    for (index, tile) in tiles.into_iter().enumerate() {
        assert!(tile.id.to_string().starts_with("img_"));
        assert_eq!(tile.provenance.parents, vec![meta.id.clone()]);
        let pixels = image_of(&cx, tile).await;
        assert_eq!(pixels.dimensions(), (30, 30));
        let (x, y) = ((index as u32 % 3) * 30, (index as u32 / 3) * 30);
        let diff = mean_diff(&source, x, y, &pixels);
        assert!(
            diff < 3.0,
            "tile {index} differs from its source area by {diff}"
        );
    }
    let error = run(
        &cx,
        "tile_image",
        json!({"image": id(&meta), "rows": 0, "columns": 3}),
    )
    .await
    .expect_err("zero rows");
    assert!(error.is_client_error());
    assert!(error.to_string().contains("`rows`"), "{error}");
}

fn box_mask(x: u32, y: u32, width: u32, height: u32) -> GrayImage {
    mask::box_mask(
        60,
        40,
        PixelRect {
            x,
            y,
            width,
            height,
        },
    )
}

#[tokio::test]
async fn mask_ops_combine_invert_feather_and_threshold() {
    let (_dir, cx) = context().await;
    let left = put_mask(&cx, &box_mask(0, 0, 30, 40)).await;
    let middle = put_mask(&cx, &box_mask(20, 10, 20, 20)).await;
    let masks = json!([id(&left), id(&middle)]);

    let union = run(
        &cx,
        "mask_ops",
        json!({"operation": "union", "masks": masks}),
    )
    .await
    .expect("union");
    assert_eq!(union.facts["area"], 30 * 40 + 10 * 20);
    let made = union.output("mask").next().expect("mask");
    assert!(made.id.to_string().starts_with("arr_"));
    assert_eq!(
        made.provenance.parents,
        vec![left.id.clone(), middle.id.clone()]
    );
    let out = mask_of(&cx, made).await;
    assert_eq!(out.get_pixel(35, 15).0[0], 255);
    assert_eq!(out.get_pixel(45, 15).0[0], 0);

    let intersect = run(
        &cx,
        "mask_ops",
        json!({"operation": "intersect", "masks": masks}),
    )
    .await
    .expect("intersect");
    assert_eq!(intersect.facts["bounds"], json!([20, 10, 30, 30]));
    let subtract = run(
        &cx,
        "mask_ops",
        json!({"operation": "subtract", "masks": masks}),
    )
    .await
    .expect("subtract");
    assert_eq!(subtract.facts["area"], 30 * 40 - 10 * 20);
    let invert = run(
        &cx,
        "mask_ops",
        json!({"operation": "invert", "masks": [id(&left)]}),
    )
    .await
    .expect("invert");
    assert_eq!(invert.facts["bounds"], json!([30, 0, 60, 40]));

    let feather = run(
        &cx,
        "mask_ops",
        json!({"operation": "feather", "masks": [id(&middle)], "radius": 6}),
    )
    .await
    .expect("feather");
    let soft = mask_of(&cx, feather.output("mask").next().expect("mask")).await;
    // Along the row through the centre, from far left to the centre: never decreasing, from
    // 0 to 255, with values in between at the edge.
    let row: Vec<u8> = (0..=30).map(|x| soft.get_pixel(x, 20).0[0]).collect();
    assert!(row.windows(2).all(|pair| pair[0] <= pair[1]), "{row:?}");
    assert_eq!((row[0], row[30]), (0, 255));
    assert!(row.iter().any(|value| (60..200).contains(value)), "{row:?}");
    let threshold = run(
        &cx,
        "mask_ops",
        json!({"operation": "threshold", "masks": [feather.output("mask").next().expect("mask").id.to_string()]}),
    )
    .await
    .expect("threshold");
    let hard = mask_of(&cx, threshold.output("mask").next().expect("mask")).await;
    assert!(
        hard.pixels()
            .all(|pixel| pixel.0[0] == 0 || pixel.0[0] == 255)
    );
    assert_eq!(threshold.facts["bounds"], json!([20, 10, 40, 30]));

    for (args, needle) in [
        (
            json!({"operation": "union", "masks": [id(&left)]}),
            "`masks`",
        ),
        (json!({"operation": "invert", "masks": masks}), "`masks`"),
        (
            json!({"operation": "feather", "masks": [id(&left)], "radius": 500}),
            "radius",
        ),
        (json!({"operation": "blend", "masks": [id(&left)]}), "blend"),
    ] {
        let error = run(&cx, "mask_ops", args).await.expect_err("bad input");
        assert!(error.is_client_error(), "{error}");
        assert!(error.to_string().contains(needle), "{error}");
    }
    let small = put_mask(&cx, &GrayImage::new(10, 10)).await;
    let error = run(
        &cx,
        "mask_ops",
        json!({"operation": "union", "masks": [id(&left), id(&small)]}),
    )
    .await
    .expect_err("size mismatch");
    assert!(error.to_string().contains("`masks[1]` is 10×10"), "{error}");
}

#[tokio::test]
async fn masks_convert_to_images_and_back_exactly() {
    let (_dir, cx) = context().await;
    let source = GrayImage::from_fn(60, 40, |x, _| Luma([(x * 4) as u8]));
    let array = put_mask(&cx, &source).await;
    let shown = run(&cx, "mask_to_image", json!({"mask": id(&array)}))
        .await
        .expect("to image");
    let made = shown.output("image").next().expect("image");
    assert_eq!(made.content_type, "image/png");
    let bytes = read(&cx, made).await;
    let gray = vitrine_media::image::load_from_memory(&bytes)
        .expect("png")
        .to_luma8();
    assert_eq!(gray, source);

    // A cut-out's alpha becomes the mask; thresholding makes it binary.
    let cutout = RgbaImage::from_fn(60, 40, |x, _| Rgba([10, 200, 30, (x * 4) as u8]));
    let image = put_image(&cx, DynamicImage::ImageRgba8(cutout)).await;
    let back = run(&cx, "image_to_mask", json!({"image": id(&image)}))
        .await
        .expect("to mask");
    assert_eq!(back.facts["from"], "alpha");
    assert_eq!(
        mask_of(&cx, back.output("mask").next().expect("mask")).await,
        source
    );
    let binary = run(
        &cx,
        "image_to_mask",
        json!({"image": id(&image), "threshold": 100}),
    )
    .await
    .expect("thresholded");
    let hard = mask_of(&cx, binary.output("mask").next().expect("mask")).await;
    assert_eq!(hard.get_pixel(24, 0).0[0], 0);
    assert_eq!(hard.get_pixel(25, 0).0[0], 255);
    let error = run(&cx, "mask_to_image", json!({"mask": id(&image)}))
        .await
        .expect_err("an image is not a mask");
    assert!(error.to_string().contains("`mask`"), "{error}");
}

#[tokio::test]
async fn redact_image_fills_a_region_and_pixelates_a_mask_leaving_the_rest() {
    let (_dir, cx) = context().await;
    let source = gradient(120, 80, 90);
    let image = put_image(&cx, DynamicImage::ImageRgb8(source.clone())).await;
    // The top half, as a normalized box, filled black.
    let output = run(
        &cx,
        "redact_image",
        json!({"image": id(&image), "method": "fill",
               "regions": [{"shape": "norm_box", "x0": 0, "y0": 0, "x1": 1, "y1": 0.5}]}),
    )
    .await
    .expect("fill");
    let out = image_of(&cx, output.output("image").next().expect("image")).await;
    close(out.get_pixel(60, 20).0, [0, 0, 0], 3, "top half");
    close(
        out.get_pixel(5, 36).0,
        [0, 0, 0],
        3,
        "just above the middle",
    );
    close(
        out.get_pixel(60, 60).0,
        source.get_pixel(60, 60).0,
        4,
        "bottom half",
    );

    // A mask selecting the right third: pixelated there, untouched elsewhere.
    let right = mask::box_mask(
        120,
        80,
        PixelRect {
            x: 80,
            y: 0,
            width: 40,
            height: 80,
        },
    );
    let array = put_mask(&cx, &right).await;
    let output = run(
        &cx,
        "redact_image",
        json!({"image": id(&image), "method": "pixelate", "mask": id(&array)}),
    )
    .await
    .expect("pixelate");
    assert_eq!(output.facts["mask_area"], 40 * 80);
    let made = output.output("image").next().expect("image");
    assert_eq!(
        made.provenance.parents,
        vec![image.id.clone(), array.id.clone()]
    );
    let out = image_of(&cx, made).await;
    // Blocks are ≥ 5 px: neighbours inside a block are (nearly) equal, unlike the gradient.
    let steps: u32 = (84..116)
        .map(|x| u32::from(out.get_pixel(x, 40)[0].abs_diff(out.get_pixel(x + 1, 40)[0])))
        .filter(|step| *step > 4)
        .count() as u32;
    assert!(steps <= 8, "{steps} jumps in a pixelated row");
    let left: RgbImage = vitrine_media::image::imageops::crop_imm(&source, 0, 0, 72, 80).to_image();
    assert!(
        mean_diff(&out, 0, 0, &left) < 3.0,
        "left of the mask is kept"
    );

    for (args, needle) in [
        (json!({"image": id(&image), "regions": []}), "`regions`"),
        (
            json!({"image": id(&image), "regions": [{"shape": "box", "x0": 500, "y0": 0, "x1": 600, "y1": 10}]}),
            "regions",
        ),
        (
            json!({"image": id(&image), "regions": [{"shape": "box", "x0": 10, "y0": 10, "x1": 10, "y1": 20}]}),
            "regions",
        ),
        (
            json!({"image": id(&image), "method": "smudge", "regions": [{"shape": "box", "x0": 0, "y0": 0, "x1": 5, "y1": 5}]}),
            "smudge",
        ),
    ] {
        let error = run(&cx, "redact_image", args).await.expect_err("bad input");
        assert!(error.is_client_error(), "{error}");
        assert!(error.to_string().contains(needle), "{error}");
    }
    let small = put_mask(&cx, &GrayImage::new(10, 10)).await;
    let error = run(
        &cx,
        "redact_image",
        json!({"image": id(&image), "mask": id(&small)}),
    )
    .await
    .expect_err("mask size");
    assert!(error.to_string().contains("`mask`"), "{error}");
}
