//! Which pages to render: a list or a range, resolved against the document's page count.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::DocumentError;

/// A set of pages, numbered from 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PageSelection {
    /// These pages, in this order, e.g. `[1, 3]`.
    List(Vec<u32>),
    /// A range of pages, e.g. `{"first": 2, "last": 5}`.
    Range {
        /// First page of the range, from 1.
        first: u32,
        /// Last page of the range, inclusive; omit for the document's last page.
        #[serde(default)]
        last: Option<u32>,
    },
}

/// Resolves `selection` (all pages when `None`) to page numbers, checking each against
/// `page_count` and the total against `max_pages`.
pub(crate) fn resolve(
    selection: Option<&PageSelection>,
    page_count: u32,
    max_pages: usize,
) -> Result<Vec<u32>, DocumentError> {
    let past_end = |param: &str, page: u32| {
        DocumentError::param(
            param,
            format!("{page} is past the document's {page_count} pages"),
        )
    };
    let pages: Vec<u32> = match selection {
        None => (1..=page_count).collect(),
        Some(PageSelection::List(pages)) => {
            if pages.is_empty() {
                return Err(DocumentError::param("pages", "is an empty list"));
            }
            for (index, page) in pages.iter().enumerate() {
                let param = format!("pages[{index}]");
                if *page == 0 {
                    return Err(DocumentError::param(
                        param,
                        "0 is not a page; pages count from 1",
                    ));
                }
                if *page > page_count {
                    return Err(past_end(&param, *page));
                }
            }
            pages.clone()
        }
        Some(PageSelection::Range { first, last }) => {
            let last = last.unwrap_or(page_count);
            if *first == 0 {
                return Err(DocumentError::param(
                    "first",
                    "0 is not a page; pages count from 1",
                ));
            }
            if *first > page_count {
                return Err(past_end("first", *first));
            }
            if last > page_count {
                return Err(past_end("last", last));
            }
            if last < *first {
                return Err(DocumentError::param(
                    "last",
                    format!("{last} is before `first` {first}"),
                ));
            }
            (*first..=last).collect()
        }
    };
    if pages.len() > max_pages {
        return Err(DocumentError::param(
            "pages",
            format!(
                "selects {} pages, over the limit of {max_pages} per call; choose fewer",
                pages.len()
            ),
        ));
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_ranges_resolve_to_page_numbers() {
        assert_eq!(resolve(None, 3, 10).ok(), Some(vec![1, 2, 3]));
        let list = PageSelection::List(vec![3, 1]);
        assert_eq!(resolve(Some(&list), 3, 10).ok(), Some(vec![3, 1]));
        let range = PageSelection::Range {
            first: 2,
            last: None,
        };
        assert_eq!(resolve(Some(&range), 4, 10).ok(), Some(vec![2, 3, 4]));
    }

    #[test]
    fn errors_name_the_parameter() {
        let list = PageSelection::List(vec![1, 7]);
        let error = resolve(Some(&list), 3, 10).expect_err("page 7 of 3");
        assert_eq!(
            error.to_string(),
            "`pages[1]` 7 is past the document's 3 pages"
        );
        let range = PageSelection::Range {
            first: 2,
            last: Some(1),
        };
        let error = resolve(Some(&range), 3, 10).expect_err("backwards");
        assert_eq!(error.to_string(), "`last` 1 is before `first` 2");
        let error = resolve(None, 30, 10).expect_err("too many");
        assert!(
            error.to_string().starts_with("`pages` selects 30 pages"),
            "{error}"
        );
        assert!(resolve(Some(&PageSelection::List(vec![0])), 3, 10).is_err());
    }

    #[test]
    fn selections_read_from_json() {
        let list: PageSelection = serde_json::from_str("[1, 2]").expect("a list");
        assert_eq!(list, PageSelection::List(vec![1, 2]));
        let range: PageSelection = serde_json::from_str(r#"{"first": 2}"#).expect("a range");
        assert_eq!(
            range,
            PageSelection::Range {
                first: 2,
                last: None
            }
        );
    }
}
