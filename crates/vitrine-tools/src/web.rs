//! What the web tools share: the `url` argument (a `url_` ref or the URL itself), the browser
//! from the context, and how the browser's failures read as tool errors.

use std::borrow::Cow;
use std::sync::Arc;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use vitrine_store::ArtifactMeta;
use vitrine_web::Browser;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;

/// A web page: a `url_` ref, or an `http(s)://` URL written out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageUrl(pub String);

impl JsonSchema for PageUrl {
    fn schema_name() -> Cow<'static, str> {
        "PageUrl".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": r"^(https?://\S+|url_[0-9a-f]{6})$",
            "description": "The page: an http(s) URL, or the id of a `url_` artifact in this session (e.g. a link extract_page stored)."
        })
    }
}

/// The URL `url` names, and the `url_` artifact it came from when it is a ref.
pub async fn resolve(
    cx: &ToolContext,
    param: &str,
    url: &PageUrl,
) -> Result<(String, Option<ArtifactMeta>), ToolError> {
    let text = url.0.trim();
    if text.starts_with("url_") {
        let id = crate::refs::parse_ref(param, text, ArtifactKind::Url)?;
        let meta = io::artifact(cx, param, &id, ArtifactKind::Url).await?;
        let bytes = io::read_bytes(cx, &meta).await?;
        let stored = String::from_utf8(bytes).map_err(|_| ToolError::InvalidArguments {
            tool: "web",
            message: format!("`{param}` names a `url_` artifact that is not URL text"),
        })?;
        return Ok((stored.trim().to_owned(), Some(meta)));
    }
    Ok((text.to_owned(), None))
}

/// The browser, or the error naming what enables it.
pub fn browser(cx: &ToolContext) -> Result<Arc<Browser>, ToolError> {
    cx.web.clone().ok_or_else(|| ToolError::NotConfigured {
        what: "opening web pages",
        settings: "--browser (a Chromium executable; scripts/setup.sh installs one)",
    })
}
