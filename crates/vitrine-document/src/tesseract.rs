//! [`Tesseract`]: the optional second OCR engine, Debian's `tesseract` run as a subprocess
//! (through [`crate::process::run`]: `kill_on_drop` and a time limit), its TSV parsed into
//! lines of words with boxes and confidences.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::DocumentError;

/// One recognised word.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrWord {
    /// The word's text.
    pub text: String,
    /// `[x0, y0, x1, y1]` in pixels of the input image.
    pub bbox: [f32; 4],
    /// Tesseract's confidence, 0–1.
    pub confidence: f32,
}

/// One line of text: its words in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct OcrLine {
    /// The words joined by single spaces.
    pub text: String,
    /// Union of the words' boxes, `[x0, y0, x1, y1]` in pixels.
    pub bbox: [f32; 4],
    /// Mean confidence of the words, 0–1.
    pub confidence: f32,
    /// The words, left to right.
    pub words: Vec<OcrWord>,
}

/// Runs `tesseract IMAGE stdout -l LANG tsv` under a time limit.
///
/// ```no_run
/// # async fn demo() -> Result<(), vitrine_document::DocumentError> {
/// let lines = vitrine_document::Tesseract::new().read(std::path::Path::new("page.png")).await?;
/// for line in lines {
///     println!("{} ({:.2})", line.text, line.confidence);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Tesseract {
    program: PathBuf,
    language: String,
    timeout: Duration,
}

impl Default for Tesseract {
    fn default() -> Self {
        Self::new()
    }
}

impl Tesseract {
    /// `tesseract` from the `PATH`, English, 60 s per call.
    pub fn new() -> Self {
        Self::with_program("tesseract")
    }

    /// Uses the given binary (a name looked up on the `PATH`, or a path).
    pub fn with_program(program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            language: "eng".to_owned(),
            timeout: Duration::from_secs(60),
        }
    }

    /// Replaces the wall-clock limit per call; a process past it is killed.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Reads the text of an image file (PNG, JPEG, TIFF, …) as lines.
    ///
    /// # Errors
    /// [`DocumentError::TesseractNotInstalled`] when the binary or its English data is
    /// missing, [`DocumentError::InputNotFound`], [`DocumentError::Timeout`], or
    /// [`DocumentError::ToolFailed`].
    pub async fn read(&self, image: &Path) -> Result<Vec<OcrLine>, DocumentError> {
        if !image.is_file() {
            return Err(DocumentError::InputNotFound {
                path: image.to_path_buf(),
            });
        }
        let program = self.program.display().to_string();
        let args = [
            image.as_os_str(),
            "stdout".as_ref(),
            "-l".as_ref(),
            self.language.as_ref(),
            "tsv".as_ref(),
        ];
        let finished = match crate::process::run(&self.program, args, self.timeout).await {
            Err(DocumentError::ToolNotInstalled { program }) => {
                return Err(DocumentError::TesseractNotInstalled { program });
            }
            other => other?,
        };
        if !finished.success {
            // The binary without its language data fails like this.
            if finished.stderr.contains("Failed loading language") {
                return Err(DocumentError::TesseractNotInstalled { program });
            }
            return Err(DocumentError::ToolFailed {
                program,
                status: finished.status,
                stderr: finished.stderr,
            });
        }
        let tsv = String::from_utf8(finished.stdout).map_err(|_| DocumentError::ToolOutput {
            program: program.clone(),
            reason: "its TSV output is not UTF-8".to_owned(),
        })?;
        parse_tsv(&tsv).map_err(|reason| DocumentError::ToolOutput { program, reason })
    }
}

/// Parses `tesseract … tsv` output: word rows (level 5) grouped by block, paragraph and line,
/// in the order tesseract reads them. Rows without text (layout levels, empty words) are
/// skipped.
///
/// # Errors
/// A message naming the first malformed row.
pub fn parse_tsv(tsv: &str) -> Result<Vec<OcrLine>, String> {
    let mut lines: Vec<(LineKey, OcrLine)> = Vec::new();
    for (index, row) in tsv.lines().enumerate() {
        if index == 0 && row.starts_with("level") {
            continue;
        }
        let fields: Vec<&str> = row.split('\t').collect();
        if fields.len() < 12 {
            if row.trim().is_empty() {
                continue;
            }
            return Err(format!(
                "row {} has {} fields, expected 12",
                index + 1,
                fields.len()
            ));
        }
        let number = |column: usize| -> Result<f32, String> {
            fields[column].trim().parse::<f32>().map_err(|_| {
                format!(
                    "row {}: column {} is not a number: `{}`",
                    index + 1,
                    column + 1,
                    fields[column]
                )
            })
        };
        let text = fields[11..].join("\t");
        let text = text.trim();
        if number(0)? != 5.0 || text.is_empty() {
            continue;
        }
        let key = LineKey([number(1)?, number(2)?, number(3)?, number(4)?]);
        let (left, top, width, height) = (number(6)?, number(7)?, number(8)?, number(9)?);
        let word = OcrWord {
            text: text.to_owned(),
            bbox: [left, top, left + width, top + height],
            confidence: (number(10)? / 100.0).clamp(0.0, 1.0),
        };
        match lines.last_mut() {
            Some((last, line)) if *last == key => line.words.push(word),
            _ => lines.push((
                key,
                OcrLine {
                    text: String::new(),
                    bbox: word.bbox,
                    confidence: 0.0,
                    words: vec![word],
                },
            )),
        }
    }
    Ok(lines
        .into_iter()
        .map(|(_, mut line)| {
            let words = &line.words;
            line.text = words
                .iter()
                .map(|word| word.text.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            line.confidence =
                words.iter().map(|word| word.confidence).sum::<f32>() / words.len() as f32;
            line.bbox = words.iter().fold(line.bbox, |[x0, y0, x1, y1], word| {
                let [a0, b0, a1, b1] = word.bbox;
                [x0.min(a0), y0.min(b0), x1.max(a1), y1.max(b1)]
            });
            line
        })
        .collect())
}

/// Page, block, paragraph and line number of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
struct LineKey([f32; 4]);

#[cfg(test)]
mod tests {
    use super::*;

    // Real `tesseract 5.3.0 … tsv` output for a two-line image, trimmed.
    const SAMPLE: &str = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext
1\t1\t0\t0\t0\t0\t0\t0\t800\t200\t-1\t
2\t1\t1\t0\t0\t0\t40\t30\t500\t120\t-1\t
3\t1\t1\t1\t0\t0\t40\t30\t500\t120\t-1\t
4\t1\t1\t1\t1\t0\t40\t30\t400\t40\t-1\t
5\t1\t1\t1\t1\t1\t40\t30\t150\t40\t96.5\tInvoice
5\t1\t1\t1\t1\t2\t200\t32\t240\t38\t91.0\tNumber
4\t1\t1\t1\t2\t0\t40\t110\t500\t40\t-1\t
5\t1\t1\t1\t2\t1\t40\t110\t500\t40\t88.0\t2024-0042
5\t1\t1\t1\t2\t2\t560\t110\t10\t40\t95.0\t 
";

    #[test]
    fn tsv_words_group_into_lines_with_boxes_and_confidence() {
        let lines = parse_tsv(SAMPLE).expect("valid TSV");
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text, "Invoice Number");
        assert_eq!(lines[0].bbox, [40.0, 30.0, 440.0, 70.0]);
        assert!((lines[0].confidence - 0.9375).abs() < 1e-6);
        assert_eq!(lines[0].words[1].bbox, [200.0, 32.0, 440.0, 70.0]);
        // The whitespace-only word is not a word.
        assert_eq!(lines[1].text, "2024-0042");
        assert_eq!(lines[1].words.len(), 1);
    }

    #[test]
    fn malformed_rows_are_named() {
        let error = parse_tsv("level\tpage_num\n5\t1\t1\t1\t1\t1\tx\t0\t1\t1\t90\tword\n")
            .expect_err("left is not a number");
        assert!(
            error.contains("row 2") && error.contains("column 7"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn a_missing_binary_names_the_debian_packages() {
        let image = tempfile::NamedTempFile::new().expect("temp file");
        let error = Tesseract::with_program("/nonexistent/tesseract")
            .read(image.path())
            .await
            .expect_err("no such binary");
        assert!(matches!(error, DocumentError::TesseractNotInstalled { .. }));
        let message = error.to_string();
        assert!(
            message.contains("tesseract-ocr") && message.contains("tesseract-ocr-eng"),
            "{message}"
        );
        assert!(!error.is_client_error());
    }
}
