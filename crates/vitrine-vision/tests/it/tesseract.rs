//! Tesseract (Debian's `tesseract-ocr`, run through `vitrine-document`) as a
//! second, independent reader: it reads the rendered form line for line, and
//! after PP-OCR-driven PHI redaction it cannot read the planted PHI either.
//! Needs `tesseract-ocr tesseract-ocr-eng` (scripts/setup.sh installs them).

use vitrine_document::{OcrLine, Tesseract};
use vitrine_vision::find_phi;

use crate::redaction::{FORM, PLANTED};
use crate::support::{fill_box, models, render_lines};

fn tesseract(image: &image::RgbImage) -> Vec<OcrLine> {
    let file = tempfile::Builder::new()
        .suffix(".png")
        .tempfile()
        .expect("temp file");
    image.save(file.path()).expect("writes the PNG");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime
        .block_on(Tesseract::new().read(file.path()))
        .unwrap_or_else(|error| panic!("tesseract: {error}"))
}

#[test]
fn tesseract_reads_back_the_rendered_form() {
    let image = render_lines(1100, 700, &FORM, 30.0, 40.0, 30.0, 70.0);
    let lines = tesseract(&image);
    let texts: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
    assert_eq!(texts, FORM);
    for (row, line) in lines.iter().enumerate() {
        // Rows are 70 px apart from y = 30; glyphs 30 px high.
        let top = 30.0 + 70.0 * row as f32;
        assert!(
            line.bbox[1] >= top - 5.0 && line.bbox[3] <= top + 45.0,
            "{line:?}"
        );
        assert!(line.confidence > 0.8, "{line:?}");
    }
}

#[test]
fn phi_redacted_by_the_pp_ocr_pipeline_is_unreadable_by_tesseract() {
    let mut image = render_lines(1100, 700, &FORM, 30.0, 40.0, 30.0, 70.0);
    let lines = models().read_text(&image).expect("OCR runs");
    for finding in find_phi(&lines) {
        fill_box(&mut image, finding.bbox);
    }
    let after = tesseract(&image);
    let all_text: String = after
        .iter()
        .map(|line| format!("{}\n", line.text))
        .collect();
    eprintln!("tesseract after redaction:\n{all_text}");
    for planted in PLANTED {
        assert!(
            !all_text.contains(planted),
            "{planted:?} still readable by tesseract:\n{all_text}"
        );
    }
    for kept in ["Discharge summary", "Diagnosis: seasonal allergies"] {
        assert!(all_text.contains(kept), "{kept:?} lost:\n{all_text}");
    }
}
