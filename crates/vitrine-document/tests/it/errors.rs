use vitrine_document::{
    DocumentError, ImagesToPdfParams, Limits, PageSelection, PdfInput, Poppler, RenderParams,
    images_to_pdf,
};

use crate::support::{picture, png};

fn three_pages() -> Vec<u8> {
    let image = png(&picture(50, 50, 1));
    images_to_pdf(&[&image, &image, &image], &ImagesToPdfParams::default()).expect("PDF")
}

#[tokio::test]
async fn a_page_past_the_end_names_the_parameter() {
    let pdf = three_pages();
    let params = RenderParams {
        pages: Some(PageSelection::List(vec![1, 7])),
        dpi: 72,
    };
    let error = Poppler::new()
        .render_pages((&pdf).into(), &params)
        .await
        .expect_err("page 7 of 3");
    assert!(error.is_client_error());
    assert_eq!(error.parameter().as_deref(), Some("pages[1]"));
    assert_eq!(
        error.to_string(),
        "`pages[1]` 7 is past the document's 3 pages"
    );
}

#[tokio::test]
async fn resolution_and_page_pixels_are_limited() {
    let pdf = three_pages();
    let poppler = Poppler::new();
    let error = poppler
        .render_pages(
            (&pdf).into(),
            &RenderParams {
                pages: None,
                dpi: 5000,
            },
        )
        .await
        .expect_err("dpi 5000");
    assert_eq!(error.to_string(), "`dpi` 5000 must be between 1 and 600");

    // 50 pt at 144 dpi is 100x100 = 10 000 pixels, over a 5 000-pixel limit.
    let strict = Poppler::new().with_limits(Limits {
        max_page_pixels: 5_000,
        ..Limits::default()
    });
    let error = strict
        .render_pages(
            (&pdf).into(),
            &RenderParams {
                pages: None,
                dpi: 144,
            },
        )
        .await
        .expect_err("too many pixels");
    assert!(
        error
            .to_string()
            .starts_with("`dpi` 144 makes page 1 100x100 pixels"),
        "{error}"
    );

    let few = Poppler::new().with_limits(Limits {
        max_pages: 2,
        ..Limits::default()
    });
    let error = few
        .render_pages(
            (&pdf).into(),
            &RenderParams {
                pages: None,
                dpi: 72,
            },
        )
        .await
        .expect_err("three pages, limit two");
    assert!(
        error.to_string().starts_with("`pages` selects 3 pages"),
        "{error}"
    );
}

#[tokio::test]
async fn a_broken_pdf_is_reported_as_such() {
    let poppler = Poppler::new();
    let junk = b"%PDF-1.7\nthis is not really a PDF".as_slice();
    let error = poppler
        .page_count(PdfInput::Bytes(junk))
        .await
        .expect_err("junk");
    assert!(
        matches!(error, DocumentError::InvalidPdf { .. }),
        "{error:?}"
    );
    assert!(error.is_client_error());
    assert_eq!(error.code(), "invalid-pdf");
    let message = error.to_string();
    assert!(
        message.starts_with("`pdf` is not a readable PDF"),
        "{message}"
    );
    assert!(
        message.contains("xref"),
        "poppler's reason is kept: {message}"
    );

    // A PDF cut in half fails the same way when rendering.
    let pdf = three_pages();
    let half = &pdf[..pdf.len() / 2];
    let error = poppler
        .render_pages(half.into(), &RenderParams::default())
        .await
        .expect_err("truncated");
    assert!(
        matches!(error, DocumentError::InvalidPdf { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn missing_files_and_missing_poppler_are_clear() {
    let error = Poppler::new()
        .page_count(std::path::Path::new("/nonexistent/doc.pdf").into())
        .await
        .expect_err("no file");
    assert!(
        matches!(error, DocumentError::InputNotFound { .. }),
        "{error:?}"
    );

    let pdf = three_pages();
    let absent = Poppler::with_programs("/nonexistent/pdfinfo", "/nonexistent/pdftoppm");
    let error = absent
        .page_count((&pdf).into())
        .await
        .expect_err("no pdfinfo");
    assert!(
        matches!(error, DocumentError::ToolNotInstalled { .. }),
        "{error:?}"
    );
    assert!(!error.is_client_error());
    assert!(
        error.to_string().contains("apt-get install poppler-utils"),
        "{error}"
    );
}
