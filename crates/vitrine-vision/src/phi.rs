//! PHI/PII finder over OCR lines: pure Rust regular expressions, no model.
//!
//! Finds names after labels ("Name:", "Patient:", "Dr."), dates of birth and
//! other dates, SSNs, medical record and account numbers, phone numbers,
//! e-mail addresses, street addresses (and "City, ST") and ZIP codes. Each
//! finding carries a box estimated from the recogniser's character positions
//! inside its line, padded so a solid fill covers the glyphs completely.
//!
//! Patterns favour recall: what has no label in front of it is found too. A
//! bare date or phone number in running text matches its shape, a run of six
//! or more digits is taken for an identifier, and a capitalised "First Last"
//! (a badge, the line under a signature) is a name when the first word is a
//! given name of the US census lists shipped in `data/names` (see its
//! README). Given names that are also ordinary words ("Grace", "Will") count
//! only before a listed surname, so "Grace Period" stays readable.

use std::collections::HashSet;
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
    /// An unlabelled run of six or more digits (optionally after a short
    /// letter prefix), the shape of record, account and member numbers.
    IdNumber,
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
        (
            PhiKind::Phone,
            r"\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}\b".to_owned(),
            0,
        ),
        // A seven-digit local number in running text ("call 867-5309").
        (PhiKind::Phone, r"\b\d{3}-\d{4}\b".to_owned(), 0),
        (PhiKind::Date, format!(r"(?i)\b{date}\b"), 0),
        // A day without a year is still a date element (HIPAA); the month is
        // capitalised so that "may 5" in running text is not one.
        (
            PhiKind::Date,
            format!(r"\b(?:{MONTH}\.?[ \t]+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?[ \t]+(?:of[ \t]+)?{MONTH})\b"),
            0,
        ),
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
        (
            PhiKind::IdNumber,
            r"\b(?:[A-Z]{1,4}[-#]?)?\d{6,}\b".to_owned(),
            0,
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
                || (pattern.kind == PhiKind::IdNumber && inside_decimal(text, &range))
                || overlaps(&taken, &range)
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
    for range in bare_names(text) {
        if !overlaps(&taken, &range) {
            taken.push(range.clone());
            matches.push(PhiMatch {
                kind: PhiKind::Name,
                start: range.start,
                end: range.end,
            });
        }
    }
    matches.sort_by_key(|found| found.start);
    matches
}

fn overlaps(taken: &[Range<usize>], range: &Range<usize>) -> bool {
    taken
        .iter()
        .any(|other| other.start < range.end && range.start < other.end)
}

/// Whether a digit run is part of a decimal number ("3.141592", "1,250000")
/// rather than an identifier standing alone.
fn inside_decimal(text: &str, range: &Range<usize>) -> bool {
    let bytes = text.as_bytes();
    let separator = |byte: u8| byte == b'.' || byte == b',';
    let before = range.start >= 2
        && separator(bytes[range.start - 1])
        && bytes[range.start - 2].is_ascii_digit();
    let after = range.end + 1 < bytes.len()
        && separator(bytes[range.end])
        && bytes[range.end + 1].is_ascii_digit();
    before || after
}

/// Given names, surnames, and given names that are also ordinary words: the
/// US census lists described in `data/names/README.md`.
static GIVEN_NAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/names/given.txt").lines().collect());
static SURNAMES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/names/surnames.txt").lines().collect());
static WORDLIKE_GIVEN_NAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../data/names/common-words.txt")
        .lines()
        .collect()
});

/// Capitalised words that follow a given name in places, institutions and
/// headings ("Jordan Street", "Mercy Hospital", "Victoria Park") but are not
/// surnames there.
static NOT_SURNAMES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    concat!(
        "street st avenue ave road rd boulevard blvd lane ln drive court way place ",
        "terrace parkway circle highway square park hospital clinic center centre medical ",
        "health healthcare memorial university college school institute foundation ",
        "pharmacy laboratory lab labs department county city state hall building room ",
        "ward unit house church report summary date name number total day month year ",
        "river lake island valley heights falls beach bay mountain inc llc ltd co company ",
        "group bank hotel airport station ",
    )
    .split_whitespace()
    .collect()
});

/// Byte ranges of unlabelled "First [M.] Last" names: the first word a given
/// name, the last a capitalised word that is not a place or institution
/// word; both title case or both upper case, as on a badge.
fn bare_names(text: &str) -> Vec<Range<usize>> {
    static WORD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[A-Za-z][A-Za-z'’]*(?:-[A-Za-z][A-Za-z'’]*)*\.?")
            .expect("the word pattern is a valid regex")
    });
    let words: Vec<(Range<usize>, &str)> = WORD
        .find_iter(text)
        .map(|word| (word.range(), word.as_str()))
        .collect();
    let mut names = Vec::new();
    let mut index = 0;
    while index + 1 < words.len() {
        let (first_range, first) = &words[index];
        let Some(case) = name_case(first) else {
            index += 1;
            continue;
        };
        let given = first.to_lowercase();
        if first.ends_with('.') || !GIVEN_NAMES.contains(given.as_str()) {
            index += 1;
            continue;
        }
        // An optional middle initial: one letter, with or without a dot.
        let mut last_index = index + 1;
        let middle = words[last_index].1.trim_end_matches('.');
        if middle.len() == 1
            && middle.bytes().all(|b| b.is_ascii_uppercase())
            && last_index + 1 < words.len()
        {
            last_index += 1;
        }
        let (last_range, last) = &words[last_index];
        let last = last.trim_end_matches('.');
        // The words must be neighbours: only blanks between them.
        let gap_is_blank = text[first_range.end..last_range.start]
            .chars()
            .all(|c| c == ' ' || c == '\t' || c.is_ascii_uppercase() || c == '.');
        let surname = last.split('-').next().unwrap_or(last).to_lowercase();
        let is_name = gap_is_blank
            && name_case(last) == Some(case)
            && last.len() >= 2
            && !NOT_SURNAMES.contains(surname.as_str())
            && (!WORDLIKE_GIVEN_NAMES.contains(given.as_str())
                || SURNAMES.contains(surname.as_str()));
        if is_name {
            names.push(first_range.start..last_range.start + last.len());
            index = last_index + 1;
        } else {
            index += 1;
        }
    }
    names
}

/// Whether a word is capitalised as a name: `Some(false)` for title case
/// ("Smith", "O'Neil", "Garcia-Lopez"), `Some(true)` for upper case.
fn name_case(word: &str) -> Option<bool> {
    let letters: Vec<char> = word.chars().filter(char::is_ascii_alphabetic).collect();
    let first = letters.first()?;
    if !first.is_ascii_uppercase() {
        return None;
    }
    if letters.len() > 1 && letters.iter().all(char::is_ascii_uppercase) {
        return Some(true);
    }
    // Title case, allowing inner capitals ("McDonald", "Garcia-Lopez").
    letters[1..]
        .first()
        .is_some_and(char::is_ascii_lowercase)
        .then_some(false)
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
    fn unlabelled_names_on_badges_and_under_signatures() {
        assert_eq!(found("Sarah Johnson"), [(PhiKind::Name, "Sarah Johnson")]);
        assert_eq!(found("MICHAEL BROWN"), [(PhiKind::Name, "MICHAEL BROWN")]);
        assert_eq!(
            found("Signed by Robert K. Nakamura, RN"),
            [(PhiKind::Name, "Robert K. Nakamura")]
        );
        assert_eq!(
            found("Seen today with Linda Garcia-Lopez"),
            [(PhiKind::Name, "Linda Garcia-Lopez")]
        );
        // A given name that is also a word counts before a known surname.
        assert_eq!(found("Grace Kim"), [(PhiKind::Name, "Grace Kim")]);
        assert_eq!(found("Will Smith"), [(PhiKind::Name, "Will Smith")]);
    }

    #[test]
    fn capitalised_words_that_are_not_names() {
        for text in [
            "Main Street",
            "Blood Pressure",
            "Grace Period",
            "Mark Down",
            "Mercy Hospital",
            "Virginia Avenue",
            "Jordan Street",
            "Heart Rate Normal",
            "Discharge Summary",
            "Chest X-Ray Report",
            "Patient Education Handout",
            "Follow Up In Two Weeks",
            "john smith wrote in lower case",
        ] {
            assert_eq!(found(text), [], "{text}");
        }
    }

    #[test]
    fn bare_dates_phones_and_ids_in_running_text() {
        assert_eq!(
            found("seen on 04/22/2023 for a cough"),
            [(PhiKind::Date, "04/22/2023")]
        );
        assert_eq!(
            found("next visit March 3rd at noon"),
            [(PhiKind::Date, "March 3rd")]
        );
        assert_eq!(
            found("please ring 415-555-0100 after six"),
            [(PhiKind::Phone, "415-555-0100")]
        );
        assert_eq!(found("or call 867-5309"), [(PhiKind::Phone, "867-5309")]);
        assert_eq!(
            found("from abroad +44 20 7946 0958"),
            [(PhiKind::Phone, "+44 20 7946 0958")]
        );
        assert_eq!(
            found("ref 004829137 reviewed"),
            [(PhiKind::IdNumber, "004829137")]
        );
        assert_eq!(
            found("wristband H-2239481"),
            [(PhiKind::IdNumber, "H-2239481")]
        );
    }

    #[test]
    fn numbers_that_are_not_identifiers() {
        for text in [
            "pi is 3.1415926",
            "Total due 1,250.00 USD",
            "Take 500 mg twice daily",
            "the clinic may 5 times a year",
            "May 2024 newsletter",
            "Dose 12345 units",
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
