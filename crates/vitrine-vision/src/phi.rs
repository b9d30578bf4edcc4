//! PHI/PII finder over OCR lines: pure Rust regular expressions, no model.
//!
//! Finds names after labels ("Name:", "Patient:", "Dr."), dates of birth and
//! other dates, SSNs, medical record and account numbers, phone numbers,
//! e-mail addresses, street addresses (and "City, ST") and ZIP codes. Each
//! finding carries a box estimated from the recogniser's character positions
//! inside its line, padded so a solid fill covers the glyphs completely.
//!
//! Patterns favour recall on labelled documents (forms, letters, labels);
//! unlabelled free-text names are not detected.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ocr::TextLine;

/// What kind of identifier a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PhiKind {
    /// A person's name following a label such as "Name:" or "Patient:".
    Name,
    /// A date labelled as date of birth ("DOB", "Date of Birth", "Born").
    DateOfBirth,
    /// Any other date.
    Date,
    /// US social security number.
    Ssn,
    /// Medical record number, patient or chart id.
    MedicalRecordNumber,
    /// Account, policy, member, insurance or claim number.
    AccountNumber,
    /// Phone or fax number.
    Phone,
    /// E-mail address.
    Email,
    /// Street address, or a "City, ST" locality.
    StreetAddress,
    /// US ZIP code.
    ZipCode,
}

/// A PHI match inside one string, as byte offsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PhiMatch {
    /// What was found.
    pub kind: PhiKind,
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

/// A PHI finding on an OCR'd image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PhiFinding {
    /// What was found.
    pub kind: PhiKind,
    /// The matched text.
    pub text: String,
    /// `[x0, y0, x1, y1]` in pixels: the sub-span's box, padded so that
    /// filling it hides the text entirely.
    pub bbox: [f32; 4],
    /// Index of the line (in the slice given to [`find_phi`]) it was found in.
    pub line_index: usize,
}

/// One compiled pattern: the kind it reports and the capture group holding
/// the identifier (0 = whole match).
struct Pattern {
    kind: PhiKind,
    regex: Regex,
    group: usize,
}

const MONTH: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";
const STREET_SUFFIX: &str = r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Place|Pl|Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Square|Sq)";
const STATES: &str = r"(?:A[KLRZ]|C[AOT]|D[CE]|FL|GA|HI|I[ADLN]|K[SY]|LA|M[ADEINOST]|N[CDEHJMVY]|O[HKR]|PA|RI|S[CD]|T[NX]|UT|V[AT]|W[AIVY])";

/// Patterns in priority order: when two matches overlap, the earlier
/// pattern wins (a labelled date of birth beats a bare date, an SSN beats a
/// phone number).
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    let date = format!(
        r"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}-\d{{1,2}}-\d{{1,2}}|{MONTH}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{MONTH}\.?,?\s+\d{{4}})"
    );
    let name = r"[A-Z][A-Za-z'’.-]*(?:,?[ \t]+[A-Z][A-Za-z'’.-]*){0,3}";
    let specs: Vec<(PhiKind, String, usize)> = vec![
        (
            PhiKind::Email,
            r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}".to_owned(),
            0,
        ),
        (PhiKind::Ssn, r"\b\d{3}[- ]\d{2}[- ]\d{4}\b".to_owned(), 0),
        (
            PhiKind::Ssn,
            r"(?i)\b(?:SSN|Social\s+Security(?:\s+(?:No\.?|Number|#))?)\s*[:#]?\s*(\d{9})\b".to_owned(),
            1,
        ),
        (
            PhiKind::DateOfBirth,
            format!(
                r"(?i)\b(?:D\.?O\.?B\.?|Date\s+of\s+Birth|Birth\s*date|Born)\s*[:#]?\s*({date})"
            ),
            1,
        ),
        (
            PhiKind::MedicalRecordNumber,
            r"(?i)\b(?:MRN|Med(?:ical)?\s+Rec(?:ord)?(?:\s+(?:No\.?|Number|#))?|Patient\s+(?:ID|No\.?|Number|#)|Chart\s*(?:ID|No\.?|Number|#)?)\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{3,})".to_owned(),
            1,
        ),
        (
            PhiKind::AccountNumber,
            r"(?i)\b(?:Account|Acct\.?|Policy|Member\s*ID|Insurance\s*ID|Subscriber\s*ID|Claim|Group|License|Licence|Card)(?:\s+(?:No\.?|Number|ID|#))?\s*[:#]?\s*([A-Z0-9][A-Z0-9-]{3,})".to_owned(),
            1,
        ),
        (
            PhiKind::Phone,
            r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s*|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b".to_owned(),
            0,
        ),
        (
            PhiKind::Phone,
            r"(?i)\b(?:Phone|Tel|Telephone|Fax|Mobile|Cell)\.?\s*[:#]?\s*(\+?\d[\d\s().-]{6,}\d)".to_owned(),
            1,
        ),
        (PhiKind::Date, format!(r"(?i)\b{date}\b"), 0),
        (
            PhiKind::StreetAddress,
            format!(
                r"\b\d{{1,6}}[ \t]+(?:[A-Z0-9][A-Za-z0-9.'-]*[ \t]+){{1,4}}{STREET_SUFFIX}\b\.?(?:,?[ \t]+(?:Apt|Suite|Ste|Unit|#)\.?[ \t]*[A-Za-z0-9-]+)?"
            ),
            0,
        ),
        (
            PhiKind::StreetAddress,
            r"(?i)\bAddress\s*:\s*(\S.*\S)".to_owned(),
            1,
        ),
        (
            PhiKind::StreetAddress,
            format!(r"\b([A-Z][A-Za-z.'-]+(?:[ \t]+[A-Z][A-Za-z.'-]+){{0,2}},[ \t]*{STATES})\b[ \t]+\d{{5}}"),
            1,
        ),
        (
            PhiKind::ZipCode,
            format!(r"\b{STATES},?[ \t]+(\d{{5}}(?:-\d{{4}})?)\b"),
            1,
        ),
        (
            PhiKind::ZipCode,
            r"(?i)\b(?:ZIP|Postal)(?:\s*Code)?\s*[:#]?\s*(\d{5}(?:-\d{4})?)\b".to_owned(),
            1,
        ),
        (
            PhiKind::Name,
            format!(
                r"(?i:\b(?:Patient|Name|Patient\s+Name|Full\s+Name|Physician|Doctor|Provider|Guardian|Parent|Emergency\s+Contact|Contact|Next\s+of\s+Kin|Signed|Signature|Insured|Subscriber|Mother|Father|Spouse|Attn|Attention|Referred\s+by))\s*:\s*((?:(?:Dr|Mr|Mrs|Ms|Miss)\.?[ \t]+)?{name})"
            ),
            1,
        ),
        (
            PhiKind::Name,
            format!(r"\b(?:Dr|Mr|Mrs|Ms)\.[ \t]+({name})"),
            1,
        ),
    ];
    specs
        .into_iter()
        .map(|(kind, pattern, group)| Pattern {
            kind,
            // The patterns are constants; a failure is a bug caught by tests.
            regex: Regex::new(&pattern).expect("PHI patterns are valid regexes"),
            group,
        })
        .collect()
});

/// Finds PHI in one string. Matches never overlap; they are sorted by start.
pub fn find_phi_in_text(text: &str) -> Vec<PhiMatch> {
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut matches = Vec::new();
    for pattern in PATTERNS.iter() {
        for captures in pattern.regex.captures_iter(text) {
            let Some(group) = captures.get(pattern.group) else {
                continue;
            };
            let range = trim_range(text, group.range());
            // Labels like "Chart" or "Card" also start ordinary phrases
            // ("Chart review", "Card on file"): an identifier has a digit.
            let needs_digit = matches!(
                pattern.kind,
                PhiKind::MedicalRecordNumber | PhiKind::AccountNumber
            );
            if range.is_empty()
                || (needs_digit && !text[range.clone()].bytes().any(|b| b.is_ascii_digit()))
                || taken
                    .iter()
                    .any(|other| other.start < range.end && range.start < other.end)
            {
                continue;
            }
            taken.push(range.clone());
            matches.push(PhiMatch {
                kind: pattern.kind,
                start: range.start,
                end: range.end,
            });
        }
    }
    matches.sort_by_key(|found| found.start);
    matches
}

/// Drops surrounding whitespace and trailing punctuation from a match.
fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let trimmed_start = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim_start().trim_end_matches([' ', '\t', ',', ';']);
    range.start + trimmed_start..range.start + trimmed_start + trimmed.len()
}

/// Finds PHI in every line and locates each match in the image.
pub fn find_phi(lines: &[TextLine]) -> Vec<PhiFinding> {
    let mut findings = Vec::new();
    for (line_index, line) in lines.iter().enumerate() {
        for found in find_phi_in_text(&line.text) {
            findings.push(PhiFinding {
                kind: found.kind,
                text: line.text[found.start..found.end].to_owned(),
                bbox: span_box(line, found.start, found.end),
                line_index,
            });
        }
    }
    findings
}

/// Finds PHI in one OCR line (a convenience over [`find_phi`]).
pub fn find_phi_in_line(line: &TextLine) -> Vec<PhiFinding> {
    find_phi(std::slice::from_ref(line))
}

/// Box of the byte span `start..end` of `line.text`, padded by one average
/// character width on each side and 15 % of the line height above and below.
fn span_box(line: &TextLine, start: usize, end: usize) -> [f32; 4] {
    let chars = line.text.chars().count().max(1);
    let first = line.text[..start].chars().count();
    let last = first + line.text[start..end].chars().count().max(1) - 1;
    let pitch = 1.0 / chars as f32;
    let (left, right) = if line.char_positions.len() == chars {
        (line.char_positions[first], line.char_positions[last])
    } else {
        // No positions: assume evenly spaced characters.
        ((first as f32 + 0.5) * pitch, (last as f32 + 0.5) * pitch)
    };
    let left = (left - pitch).max(-0.02);
    let right = (right + pitch).min(1.02);
    let corners = [
        line.point_at(left, -0.15),
        line.point_at(right, -0.15),
        line.point_at(right, 1.15),
        line.point_at(left, 1.15),
    ];
    let xs = corners.iter().map(|p| p[0]);
    let ys = corners.iter().map(|p| p[1]);
    [
        xs.clone().fold(f32::MAX, f32::min).max(0.0),
        ys.clone().fold(f32::MAX, f32::min).max(0.0),
        xs.fold(f32::MIN, f32::max),
        ys.fold(f32::MIN, f32::max),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(PhiKind, &str)> {
        find_phi_in_text(text)
            .into_iter()
            .map(|m| (m.kind, &text[m.start..m.end]))
            .collect()
    }

    #[test]
    fn labelled_names() {
        assert_eq!(
            found("Patient: John A. Smith"),
            [(PhiKind::Name, "John A. Smith")]
        );
        assert_eq!(
            found("Name: Maria Garcia-Lopez"),
            [(PhiKind::Name, "Maria Garcia-Lopez")]
        );
        assert_eq!(
            found("Referred by Dr. Alan Turing"),
            [(PhiKind::Name, "Alan Turing")]
        );
        assert_eq!(
            found("NAME: ROBERT JONES"),
            [(PhiKind::Name, "ROBERT JONES")]
        );
    }

    #[test]
    fn dates_of_birth_and_other_dates() {
        assert_eq!(
            found("DOB: 03/14/1962"),
            [(PhiKind::DateOfBirth, "03/14/1962")]
        );
        assert_eq!(
            found("Date of Birth: March 14, 1962"),
            [(PhiKind::DateOfBirth, "March 14, 1962")]
        );
        assert_eq!(
            found("Visit date 2024-01-05"),
            [(PhiKind::Date, "2024-01-05")]
        );
        assert_eq!(
            found("Admitted 5 Jan 2024."),
            [(PhiKind::Date, "5 Jan 2024")]
        );
    }

    #[test]
    fn numbers_ssn_mrn_account_phone() {
        assert_eq!(found("SSN: 123-45-6789"), [(PhiKind::Ssn, "123-45-6789")]);
        assert_eq!(
            found("MRN: 00482913"),
            [(PhiKind::MedicalRecordNumber, "00482913")]
        );
        assert_eq!(
            found("Medical Record No. AB-55821"),
            [(PhiKind::MedicalRecordNumber, "AB-55821")]
        );
        assert_eq!(
            found("Account #: 7781-2201"),
            [(PhiKind::AccountNumber, "7781-2201")]
        );
        assert_eq!(
            found("Policy Number: XK99812"),
            [(PhiKind::AccountNumber, "XK99812")]
        );
        assert_eq!(
            found("Phone: (555) 867-5309"),
            [(PhiKind::Phone, "(555) 867-5309")]
        );
        assert_eq!(
            found("call 555.867.5309 now"),
            [(PhiKind::Phone, "555.867.5309")]
        );
        assert_eq!(
            found("Tel +1 415 555 0100"),
            [(PhiKind::Phone, "+1 415 555 0100")]
        );
    }

    #[test]
    fn email_address_city_zip() {
        assert_eq!(
            found("Email: jane.doe@example.org"),
            [(PhiKind::Email, "jane.doe@example.org")]
        );
        assert_eq!(
            found("742 Evergreen Terrace"),
            [(PhiKind::StreetAddress, "742 Evergreen Terrace")]
        );
        assert_eq!(
            found("1600 Pennsylvania Ave NW"),
            [(PhiKind::StreetAddress, "1600 Pennsylvania Ave")]
        );
        assert_eq!(
            found("Springfield, IL 62704"),
            [
                (PhiKind::StreetAddress, "Springfield, IL"),
                (PhiKind::ZipCode, "62704")
            ]
        );
        assert_eq!(found("ZIP: 90210-1234"), [(PhiKind::ZipCode, "90210-1234")]);
        assert_eq!(
            found("Address: 12 Rue de Rivoli, Paris"),
            [(PhiKind::StreetAddress, "12 Rue de Rivoli, Paris")]
        );
    }

    #[test]
    fn ordinary_text_has_no_phi() {
        for text in [
            "Diagnosis: seasonal allergies",
            "Take 2 tablets daily with food",
            "Total due 1250.00 USD",
            "Invoice 2024 summary",
            "Room 12 on floor 3",
            "Chart review pending",
            "Card on file",
            "Group photo taken outside",
            "Policy holder signature below",
        ] {
            assert_eq!(found(text), [], "{text}");
        }
    }

    #[test]
    fn span_box_covers_the_matching_characters() {
        let line = TextLine {
            bbox: [100.0, 50.0, 300.0, 70.0],
            polygon: [[100.0, 50.0], [300.0, 50.0], [300.0, 70.0], [100.0, 70.0]],
            text: "MRN: 1234".to_owned(),
            confidence: 1.0,
            char_positions: Vec::new(),
        };
        let findings = find_phi_in_line(&line);
        assert_eq!(findings.len(), 1);
        let [x0, y0, x1, y1] = findings[0].bbox;
        // "1234" is chars 5..9 of 9: 100 + 200*5/9 ≈ 211 to 300.
        assert!(x0 < 211.0 && x0 > 180.0, "{x0}");
        assert!(x1 >= 300.0, "{x1}");
        assert!(y0 < 50.0 && y1 > 70.0);
    }
}
