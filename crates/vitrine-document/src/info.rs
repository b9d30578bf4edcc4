//! `pdfinfo`: the page count, each page's size, and the document's metadata.

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::Poppler;
use crate::error::DocumentError;
use crate::input::{OnDisk, PdfInput};
use crate::process;

/// The pages of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PdfInfo {
    /// Number of pages.
    pub page_count: u32,
    /// Every page, in order.
    pub pages: Vec<PageInfo>,
    /// The document information dictionary's non-empty entries (`title`, `subject`,
    /// `keywords`, `author`, `creator`, `producer`, and `created`/`modified` as ISO 8601).
    pub metadata: BTreeMap<String, String>,
}

/// One page's geometry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PageInfo {
    /// Page number, from 1.
    pub number: u32,
    /// Width of the media box in points (1/72 inch), before rotation.
    pub width_pt: f64,
    /// Height of the media box in points (1/72 inch), before rotation.
    pub height_pt: f64,
    /// Clockwise rotation in degrees the page asks viewers to apply (0, 90, 180 or 270).
    pub rotation: u32,
}

impl Poppler {
    /// The number of pages of `pdf`.
    pub async fn page_count(&self, pdf: PdfInput<'_>) -> Result<u32, DocumentError> {
        let on_disk = OnDisk::new(pdf).await?;
        let text = self.pdfinfo(on_disk.path(), false).await?;
        parse_page_count(&text).ok_or_else(|| self.odd_output("no `Pages:` line"))
    }

    /// The page count and every page's size and rotation.
    pub async fn info(&self, pdf: PdfInput<'_>) -> Result<PdfInfo, DocumentError> {
        let on_disk = OnDisk::new(pdf).await?;
        self.info_on_disk(on_disk.path()).await
    }

    pub(crate) async fn info_on_disk(&self, path: &Path) -> Result<PdfInfo, DocumentError> {
        let text = self.pdfinfo(path, true).await?;
        let page_count =
            parse_page_count(&text).ok_or_else(|| self.odd_output("no `Pages:` line"))?;
        let pages = parse_pages(&text);
        if pages.len() != page_count as usize {
            return Err(self.odd_output(&format!(
                "{} page sizes for {page_count} pages",
                pages.len()
            )));
        }
        Ok(PdfInfo {
            page_count,
            pages,
            metadata: parse_metadata(&text),
        })
    }

    /// Runs `pdfinfo`, with per-page sizes if `per_page`.
    async fn pdfinfo(&self, path: &Path, per_page: bool) -> Result<String, DocumentError> {
        // ISO 8601 dates, not the locale's.
        let mut args: Vec<&std::ffi::OsStr> = vec![std::ffi::OsStr::new("-isodates")];
        if per_page {
            // pdfinfo clamps `-l` to the last page.
            args.extend(["-f", "1", "-l", "2147483647"].map(std::ffi::OsStr::new));
        }
        args.push(path.as_os_str());
        let finished = process::run(&self.pdfinfo, args, self.limits.timeout).await?;
        if !finished.success {
            // pdfinfo exits 1 for files it cannot open and 3 for encrypted ones.
            return Err(DocumentError::InvalidPdf {
                stderr: finished.stderr,
            });
        }
        Ok(String::from_utf8_lossy(&finished.stdout).into_owned())
    }

    fn odd_output(&self, reason: &str) -> DocumentError {
        DocumentError::ToolOutput {
            program: self.pdfinfo.display().to_string(),
            reason: reason.to_owned(),
        }
    }
}

/// Reads `Pages:          3`.
fn parse_page_count(text: &str) -> Option<u32> {
    text.lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|count| count.trim().parse().ok())
}

/// Reads the information dictionary's lines (`Author:          Jane Roe`), keeping the filled ones.
fn parse_metadata(text: &str) -> BTreeMap<String, String> {
    const FIELDS: [(&str, &str); 8] = [
        ("Title:", "title"),
        ("Subject:", "subject"),
        ("Keywords:", "keywords"),
        ("Author:", "author"),
        ("Creator:", "creator"),
        ("Producer:", "producer"),
        ("CreationDate:", "created"),
        ("ModDate:", "modified"),
    ];
    text.lines()
        .filter_map(|line| {
            FIELDS.iter().find_map(|(label, key)| {
                let value = line.strip_prefix(label)?.trim();
                (!value.is_empty()).then(|| ((*key).to_owned(), value.to_owned()))
            })
        })
        .collect()
}

/// Reads `Page    1 size:  612 x 792 pts (letter)` and `Page    1 rot:   90`.
fn parse_pages(text: &str) -> Vec<PageInfo> {
    let mut pages: Vec<PageInfo> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("Page ") else {
            continue;
        };
        let rest = rest.trim_start();
        let Some((number, rest)) = rest.split_once(' ') else {
            continue;
        };
        let Ok(number) = number.parse::<u32>() else {
            continue;
        };
        let rest = rest.trim_start();
        if let Some(size) = rest.strip_prefix("size:") {
            let mut parts = size.split_whitespace();
            let width = parts.next().and_then(|width| width.parse().ok());
            let _times = parts.next();
            let height = parts.next().and_then(|height| height.parse().ok());
            if let (Some(width_pt), Some(height_pt)) = (width, height) {
                pages.push(PageInfo {
                    number,
                    width_pt,
                    height_pt,
                    rotation: 0,
                });
            }
        } else if let Some(rotation) = rest.strip_prefix("rot:")
            && let Some(page) = pages.iter_mut().rev().find(|page| page.number == number)
        {
            page.rotation = rotation.trim().parse::<u32>().unwrap_or(0) % 360;
        }
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    const PDFINFO: &str = "Title:           \n\
        Author:          Jane Roe\n\
        Producer:        pdfTeX-1.40.22\n\
        CreationDate:    2026-03-01T10:20:30+01\n\
        Pages:           2\n\
        Encrypted:       no\n\
        Page    1 size:  609.714 x 789.041 pts\n\
        Page    1 rot:   0\n\
        Page    2 size:  842 x 595 pts (A4)\n\
        Page    2 rot:   90\n\
        File size:       140429 bytes\n";

    #[test]
    fn reads_pdfinfo_page_lines() {
        assert_eq!(parse_page_count(PDFINFO), Some(2));
        let pages = parse_pages(PDFINFO);
        assert_eq!(pages.len(), 2);
        assert_eq!(pages[0].number, 1);
        assert!((pages[0].width_pt - 609.714).abs() < 1e-9);
        assert!((pages[1].height_pt - 595.0).abs() < 1e-9);
        assert_eq!(pages[1].rotation, 90);
    }

    #[test]
    fn reads_the_filled_metadata_fields() {
        let metadata = parse_metadata(PDFINFO);
        assert_eq!(metadata.get("author").map(String::as_str), Some("Jane Roe"));
        assert_eq!(
            metadata.get("created").map(String::as_str),
            Some("2026-03-01T10:20:30+01")
        );
        assert_eq!(
            metadata.get("producer").map(String::as_str),
            Some("pdfTeX-1.40.22")
        );
        // An empty title is no title.
        assert!(!metadata.contains_key("title"));
    }
}
