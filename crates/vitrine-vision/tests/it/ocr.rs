//! PP-OCRv6 on a document rendered with a real font.

use crate::support::{models, render_lines, rotate};

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

#[test]
fn slightly_rotated_document_still_reads_exactly() {
    let lines = [
        "Quarterly report",
        "Revenue grew by 12 percent",
        "Costs fell in every region",
    ];
    let upright = render_lines(900, 500, &lines, 30.0, 120.0, 150.0, 70.0);
    let image = rotate(&upright, 6.0);
    let read = models().read_text(&image).expect("OCR runs");
    let texts: Vec<&str> = read.iter().map(|line| line.text.as_str()).collect();
    assert_eq!(texts, lines);
    for line in &read {
        // The polygons follow the text's slope: the top edge rises or falls
        // by ~tan(6°) of the line length.
        let [top_left, top_right, ..] = line.polygon;
        let slope = (top_right[1] - top_left[1]) / (top_right[0] - top_left[0]);
        assert!(
            (slope.abs() - 6f32.to_radians().tan()).abs() < 0.03,
            "slope {slope}"
        );
    }
}

#[test]
fn solvay_caption_names_are_read_from_the_real_photo() {
    let image = crate::support::photo("solvay-1927.png");
    let read = models().read_text(&image).expect("OCR runs");
    let all: String = read.iter().map(|line| format!("{}\n", line.text)).collect();
    eprintln!("{all}");
    // The printed caption under the 1927 photo (1666×1136): names of the
    // sitters, the photographer and his address.
    for name in [
        "EINSTEIN",
        "PLANCK",
        "CURIE",
        "BOHR",
        "LORENTZ",
        "SCHROEDINGER",
        "HEISENBERG",
        "DIRAC",
        "PAULI",
        "DEBYE",
        "Benjamin Couprie",
        "Avenue Louise",
    ] {
        assert!(all.contains(name), "{name:?} not read:\n{all}");
    }
    // Caption lines sit in the white strip below the photo.
    let caption_lines = read.iter().filter(|line| line.bbox[1] > 860.0).count();
    assert!(caption_lines >= 10, "{caption_lines} caption lines");
}
