//! End to end: OCR a rendered patient form, find PHI, fill each finding's
//! box, OCR again — the PHI must be gone while the other lines still read.

use vitrine_vision::{PhiKind, find_phi};

use crate::support::{fill_box, models, render_lines};

pub(crate) const FORM: [&str; 9] = [
    "Discharge summary",
    "Patient: John A. Smith",
    "DOB: 03/14/1962",
    "MRN: 00482913",
    "SSN: 123-45-6789",
    "Phone: (555) 867-5309",
    "Email: jsmith@example.org",
    "742 Evergreen Terrace, Springfield, IL 62704",
    "Diagnosis: seasonal allergies",
];

/// The identifiers planted in the form.
pub(crate) const PLANTED: [&str; 10] = [
    "John",
    "Smith",
    "1962",
    "00482913",
    "6789",
    "867-5309",
    "jsmith",
    "Evergreen",
    "Springfield",
    "62704",
];

#[test]
fn redacted_form_keeps_no_planted_phi_but_keeps_other_lines() {
    let mut image = render_lines(1100, 700, &FORM, 30.0, 40.0, 30.0, 70.0);
    let lines = models().read_text(&image).expect("OCR runs");
    let texts: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
    assert_eq!(texts, FORM, "the form must read cleanly before redaction");

    let findings = find_phi(&lines);
    for finding in &findings {
        eprintln!("{:?} {:?} {:?}", finding.kind, finding.text, finding.bbox);
    }
    let kinds: Vec<PhiKind> = findings.iter().map(|finding| finding.kind).collect();
    for kind in [
        PhiKind::Name,
        PhiKind::DateOfBirth,
        PhiKind::MedicalRecordNumber,
        PhiKind::Ssn,
        PhiKind::Phone,
        PhiKind::Email,
        PhiKind::StreetAddress,
        PhiKind::ZipCode,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} in {kinds:?}");
    }
    assert!(
        !findings
            .iter()
            .any(|f| f.line_index == 0 || f.line_index == 8)
    );

    for finding in &findings {
        fill_box(&mut image, finding.bbox);
    }
    let after = models().read_text(&image).expect("OCR runs");
    let all_text: String = after
        .iter()
        .map(|line| format!("{}\n", line.text))
        .collect();
    eprintln!("after redaction:\n{all_text}");
    for planted in PLANTED {
        assert!(
            !all_text.contains(planted),
            "{planted:?} still readable:\n{all_text}"
        );
    }
    // The labels and the non-PHI lines survive.
    for kept in [
        "Discharge summary",
        "Diagnosis: seasonal allergies",
        "Patient",
        "MRN",
    ] {
        assert!(all_text.contains(kept), "{kept:?} lost:\n{all_text}");
    }
}

/// JPEG round trip at `quality`, as a scanned or photographed form would be.
fn jpeg(image: &image::RgbImage, quality: u8) -> image::RgbImage {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality)
        .encode_image(image)
        .expect("encodes");
    image::load_from_memory(&bytes).expect("decodes").to_rgb8()
}

#[test]
fn redaction_holds_on_a_tilted_jpeg_form() {
    let upright = render_lines(1100, 700, &FORM, 30.0, 60.0, 40.0, 70.0);
    let mut image = jpeg(&crate::support::rotate(&upright, -3.0), 70);
    let lines = models().read_text(&image).expect("OCR runs");
    let before: String = lines
        .iter()
        .map(|line| format!("{}\n", line.text))
        .collect();
    for planted in PLANTED {
        assert!(
            before.contains(planted),
            "{planted:?} not read before redaction:\n{before}"
        );
    }
    for finding in find_phi(&lines) {
        fill_box(&mut image, finding.bbox);
    }
    let after = models().read_text(&jpeg(&image, 70)).expect("OCR runs");
    let all_text: String = after
        .iter()
        .map(|line| format!("{}\n", line.text))
        .collect();
    for planted in PLANTED {
        assert!(
            !all_text.contains(planted),
            "{planted:?} still readable:\n{all_text}"
        );
    }
    for kept in ["Discharge summary", "Diagnosis: seasonal allergies"] {
        assert!(all_text.contains(kept), "{kept:?} lost:\n{all_text}");
    }
}
