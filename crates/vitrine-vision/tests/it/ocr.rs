//! PP-OCRv6 on a document rendered with a real font.

use crate::support::{models, render_lines};

#[test]
fn rendered_document_reads_back_exactly_in_order() {
    let lines = [
        "INVOICE 2024-117",
        "Widgets, blue (box of 12)",
        "Shipping to warehouse B",
        "Total due: 1,250.00 EUR",
        "Thank you for your order!",
    ];
    let image = render_lines(900, 400, &lines, 30.0, 40.0, 30.0, 64.0);
    let read = models().read_text(&image).expect("OCR runs");
    let texts: Vec<&str> = read.iter().map(|line| line.text.as_str()).collect();
    eprintln!("{read:#?}");
    assert_eq!(texts, lines);
    for (index, line) in read.iter().enumerate() {
        assert!(line.confidence > 0.8, "{line:?}");
        // Each line's box sits around its baseline row.
        let centre = (line.bbox[1] + line.bbox[3]) / 2.0;
        let expected = 30.0 + 15.0 + index as f32 * 64.0;
        assert!((centre - expected).abs() < 20.0, "line {index} at {centre}");
        assert_eq!(line.char_positions.len(), line.text.chars().count());
    }
}
