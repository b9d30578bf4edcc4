use image::RgbImage;
use vitrine_document::{
    ImagesToPdfParams, PageSelection, PdfInput, Poppler, RenderParams, images_to_pdf,
};

use crate::support::{
    aligned_diff, decode, grey_jpeg, jpeg, picture, png, png_rgba, translucent_disc,
    with_exif_orientation,
};

fn render_all_at(dpi: u32, pages: Option<PageSelection>) -> RenderParams {
    RenderParams { pages, dpi }
}

#[tokio::test]
async fn images_become_pages_that_render_back_to_the_same_pixels() {
    let photo = picture(200, 150, 10);
    let drawing = picture(120, 180, 90);
    let photo_jpeg = jpeg(&photo);
    let drawing_png = png(&drawing);
    let grey = grey_jpeg(64, 48);
    let images: [&[u8]; 3] = [&photo_jpeg, &drawing_png, &grey];
    let pdf = images_to_pdf(&images, &ImagesToPdfParams::default()).expect("PDF");
    assert!(pdf.starts_with(b"%PDF-"));
    // The JPEG is embedded byte for byte.
    assert!(
        pdf.windows(photo_jpeg.len())
            .any(|window| window == photo_jpeg.as_slice())
    );

    let poppler = Poppler::new();
    assert_eq!(
        poppler
            .page_count(PdfInput::Bytes(&pdf))
            .await
            .expect("count"),
        3
    );
    let info = poppler.info((&pdf).into()).await.expect("info");
    assert_eq!(
        (info.pages[0].width_pt, info.pages[0].height_pt),
        (200.0, 150.0)
    );
    assert_eq!(
        (info.pages[1].width_pt, info.pages[1].height_pt),
        (120.0, 180.0)
    );

    // At 72 dpi a point is a pixel, so each page renders at its image's size.
    let pages = poppler
        .render_pages((&pdf).into(), &render_all_at(72, None))
        .await
        .expect("render");
    assert_eq!(
        pages.iter().map(|page| page.page).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    // Bounds: the PNG is lossless; poppler's JPEG decoder (libjpeg) upsamples chroma a little
    // differently from the `image` crate's, which shows on the hard-edged blocks. Poppler may
    // also place an image a pixel off, which `aligned_diff` allows for.
    let expected = [
        (decode(&photo_jpeg), 3.0),
        (drawing.clone(), 2.0),
        (decode(&grey), 2.0),
    ];
    for (page, (expected, bound)) in pages.iter().zip(&expected) {
        let rendered = decode(&page.png);
        assert_eq!((page.width, page.height), expected.dimensions());
        let difference = aligned_diff(&rendered, expected);
        assert!(
            difference < *bound,
            "page {} differs by {difference}",
            page.page
        );
    }
    // And a different image would not have passed: the comparison can fail.
    let unrelated = picture(200, 150, 200);
    assert!(aligned_diff(&decode(&pages[0].png), &unrelated) > 20.0);
}

#[tokio::test]
async fn dpi_sizes_pages_and_rendering_at_the_same_dpi_gives_the_image_back() {
    let drawing = picture(300, 200, 33);
    let params = ImagesToPdfParams { dpi: 150.0 };
    let pdf = images_to_pdf(&[&png(&drawing)], &params).expect("PDF");
    let poppler = Poppler::new();
    let info = poppler.info((&pdf).into()).await.expect("info");
    assert!(
        (info.pages[0].width_pt - 144.0).abs() < 0.01,
        "{:?}",
        info.pages[0]
    );
    let page = poppler
        .render_pages((&pdf).into(), &render_all_at(150, None))
        .await
        .expect("render")
        .remove(0);
    assert_eq!((page.width, page.height), (300, 200));
    assert!(aligned_diff(&decode(&page.png), &drawing) < 3.0);
}

#[tokio::test]
async fn transparency_is_flattened_onto_white() {
    let disc = translucent_disc(100);
    let pdf = images_to_pdf(&[&png_rgba(&disc)], &ImagesToPdfParams::default()).expect("PDF");
    let page = Poppler::new()
        .render_pages(
            (&pdf).into(),
            &RenderParams {
                pages: None,
                dpi: 72,
            },
        )
        .await
        .expect("render")
        .remove(0);
    let rendered = decode(&page.png);
    let corner = rendered.get_pixel(2, 2).0;
    let center = rendered.get_pixel(50, 50).0;
    assert!(
        corner.iter().all(|channel| *channel >= 250),
        "corner {corner:?} is not white"
    );
    // Half-transparent red over white is pink.
    assert!(
        center[0] >= 250 && (120..=135).contains(&center[1]),
        "center {center:?}"
    );
}

#[tokio::test]
async fn exif_rotated_jpegs_are_stored_upright() {
    // Orientation 6: the camera was turned; viewers rotate 90° clockwise.
    let landscape = picture(160, 90, 5);
    let rotated = with_exif_orientation(&jpeg(&landscape), 6);
    let pdf = images_to_pdf(&[&rotated], &ImagesToPdfParams::default()).expect("PDF");
    let poppler = Poppler::new();
    let page = poppler
        .render_pages(
            (&pdf).into(),
            &RenderParams {
                pages: None,
                dpi: 72,
            },
        )
        .await
        .expect("render")
        .remove(0);
    assert_eq!((page.width, page.height), (90, 160));
    let upright: RgbImage = image::imageops::rotate90(&decode(&jpeg(&landscape)));
    assert!(aligned_diff(&decode(&page.png), &upright) < 4.0);
}

#[tokio::test]
async fn selected_pages_come_back_in_the_order_asked_from_a_file() {
    let images: Vec<Vec<u8>> = (0..4u8)
        .map(|seed| png(&picture(40, 30, seed * 60)))
        .collect();
    let refs: Vec<&[u8]> = images.iter().map(Vec::as_slice).collect();
    let pdf = images_to_pdf(&refs, &ImagesToPdfParams::default()).expect("PDF");
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("four.pdf");
    std::fs::write(&path, &pdf).expect("write");

    let poppler = Poppler::new();
    let list = RenderParams {
        pages: Some(PageSelection::List(vec![4, 2])),
        dpi: 72,
    };
    let pages = poppler
        .render_pages(path.as_path().into(), &list)
        .await
        .expect("render");
    assert_eq!(
        pages.iter().map(|page| page.page).collect::<Vec<_>>(),
        vec![4, 2]
    );
    assert!(aligned_diff(&decode(&pages[0].png), &picture(40, 30, 180)) < 3.0);
    assert!(aligned_diff(&decode(&pages[1].png), &picture(40, 30, 60)) < 3.0);

    let range = RenderParams {
        pages: Some(PageSelection::Range {
            first: 3,
            last: None,
        }),
        dpi: 72,
    };
    let pages = poppler
        .render_pages(path.as_path().into(), &range)
        .await
        .expect("render");
    assert_eq!(
        pages.iter().map(|page| page.page).collect::<Vec<_>>(),
        vec![3, 4]
    );
}
