//! `extract_page`: a web page's readable text, the images it shows (stored as `img_`) and its
//! links (stored as `url_`, titled with their text).

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::ImageFormat;
use vitrine_store::MediaInfo;
use vitrine_web::ExtractLimits;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Clause, Fact, FactKind, Input, Intent, Meaning, Slot, read};
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use crate::web::{self, PageUrl};

/// Arguments of `extract_page`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExtractPageArgs {
    /// The page.
    pub url: PageUrl,
    /// Most images kept, 0–50.
    #[serde(default = "default_images")]
    pub max_images: u32,
    /// Most links kept, 0–500.
    #[serde(default = "default_links")]
    pub max_links: u32,
}

fn default_images() -> u32 {
    20
}

fn default_links() -> u32 {
    200
}

/// How many images at most: "I only need up to 5 of its images", "the first 3 pictures".
fn most_images(clause: &Clause) -> Option<Value> {
    static MOST: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\b(?:up to|at most|max(?:imum)?(?: of)?|only|just|first|no more than)\s+(\d{1,2})\s+(?:of (?:its|the) )?(?:images|pictures|photos|pics)\b",
        )
        .ok()
    });
    let text = read::in_numbers(&clause.text);
    let count: u32 = MOST
        .as_ref()?
        .captures(&text)?
        .get(1)?
        .as_str()
        .parse()
        .ok()?;
    (count <= 50).then(|| json!(count))
}

/// Extracts a page's content.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtractPage;

/// Images smaller than this on both sides are icons, spacers and trackers, not the page's images.
const MIN_SIDE: u32 = 16;

/// The words that ask for a page's content, shared by the address-typed and the `url_`-ref
/// intents (the planner keeps one of the two by what is attached).
/// Words that name a web page, shared with `screenshot_page` (whose asks never list "links":
/// its `unless` sets them apart).
pub(crate) const PAGE_WORDS: &[&str] = &[
    "http*",
    "www*",
    "url",
    "page*",
    "site*",
    "website*",
    "webpage*",
    "link",
    "links",
    "homepage*",
    // A bare address ("example.net") splits into its name and its domain.
    "com",
    "net",
    "org",
    "io",
    "dev",
    "app",
];

const EXTRACT_CUES: &[&[&str]] = &[
    &[
        "image*",
        "photo*",
        "picture*",
        "pic",
        "pics",
        "text",
        "link*",
        "content*",
        "words",
        "read*",
        "extract*",
        "scrape*",
        "article*",
        "copy",
        "grab*",
        "get*",
        "pull*",
        "fetch*",
        "download*",
        "what's on",
        "what is on",
        "whats on",
        "summar*",
        // "What does https://status.example.com say right now?"
        "say",
        "says",
    ],
    PAGE_WORDS,
];

const EXTRACT_UNLESS: &[&str] = &[
    // "The part you see on first load, without scrolling" is a picture of the page.
    "first load*",
    "without scrolling",
    "before scrolling",
    "above the fold",
    // "Grab just the top of www.acme-shop.com, only what fits on the screen": a part seen.
    "just the top of",
    "only the top of",
    "just the top part of",
    "what fits on",
    "fits on the screen",
    "fits on screen",
    "screenshot*",
    "screen shot*",
    "screengrab*",
    "screen grab*",
    "screen capture*",
    "pdf*",
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "get the text, images and links of a web page",
            examples: &[
                "get the images from this URL https://example.com",
                "extract the text of https://example.com/article",
                "list the links on https://example.com",
                "download the product photos from https://shop.example.com/item",
            ],
            cues: EXTRACT_CUES,
            unless: EXTRACT_UNLESS,
            input: Input::None,
            // Only with an address to open: "page" alone is also a PDF's page.
            accept: Some(read::names_url),
            slots: &[
                Slot {
                    arg: "url",
                    read: read::url,
                },
                Slot {
                    arg: "max_images",
                    read: most_images,
                },
            ],
            ..Intent::DEFAULT
        },
        // A link passed back as a `url_` ref, e.g. one an earlier extract_page stored.
        Intent {
            does: "get the text, images and links of a web page",
            examples: &[
                "get the images from that linked page",
                "extract the text of the page at that link",
            ],
            cues: EXTRACT_CUES,
            unless: EXTRACT_UNLESS,
            input: Input::One {
                arg: "url",
                kind: ArtifactKind::Url,
            },
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        let images = facts
            .get("image_count")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let links = facts.get("link_count").and_then(Value::as_u64).unwrap_or(0);
        let title = facts
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let from = if title.is_empty() {
            "the page".to_owned()
        } else {
            format!("“{title}”")
        };
        Some(format!(
            "read {from}: its text, {} and {}",
            crate::meaning::plural(images, "image", "images"),
            crate::meaning::plural(links, "link", "links")
        ))
    },
    facts: &[
        Fact {
            key: "text",
            kind: FactKind::Text,
            about: &["text", "words", "article", "content"],
        },
        Fact {
            key: "image_count",
            kind: FactKind::Count,
            about: &["image", "photo", "picture"],
        },
        Fact {
            key: "link_count",
            kind: FactKind::Count,
            about: &["link"],
        },
    ],
};

#[async_trait]
impl Tool for ExtractPage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "extract_page"
    }

    fn description(&self) -> &'static str {
        "Read a web page (an http(s) URL or a url_ ref): its visible text, the images it shows \
         (stored as images) and its links (stored as url_ refs titled with their text)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Web
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ExtractPageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[
            OutputSpec::many("images", ArtifactKind::Image),
            OutputSpec::many("links", ArtifactKind::Url),
        ];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ExtractPageArgs = io::parse_args(self.name(), &args)?;
        let browser = web::browser(cx)?;
        let (url, source) = web::resolve(cx, "url", &parsed.url).await?;
        let limits = ExtractLimits {
            max_images: parsed.max_images.min(50) as usize,
            max_links: parsed.max_links.min(500) as usize,
            max_image_bytes: usize::try_from(cx.limits.max_input_bytes)
                .unwrap_or(usize::MAX)
                .min(ExtractLimits::default().max_image_bytes),
            ..ExtractLimits::default()
        };
        let page = browser.extract(&url, limits).await?;
        let parents: Vec<&vitrine_store::ArtifactMeta> = source.iter().collect();
        let mut artifacts = Vec::new();
        let mut images = Vec::new();
        for image in page.images {
            // Only what decodes as an image is kept (SVGs and broken files are skipped); formats
            // other than JPEG and PNG are stored as PNG, the types clients accept for `img_`.
            let bytes = image.bytes;
            let decode_limits = vitrine_media::DecodeLimits {
                max_bytes: usize::try_from(cx.limits.max_input_bytes).unwrap_or(usize::MAX),
                max_pixels: cx.limits.max_pixels,
            };
            let stored = io::blocking(move || {
                let Ok(info) = vitrine_media::probe(&bytes) else {
                    return Ok(None);
                };
                if info.width < MIN_SIDE && info.height < MIN_SIDE {
                    return Ok(None);
                }
                if matches!(info.format, ImageFormat::Jpeg | ImageFormat::Png) {
                    return Ok(Some((info, bytes, info.format.media_type())));
                }
                let Ok(decoded) = vitrine_media::decode(&bytes, &decode_limits) else {
                    return Ok(None);
                };
                let png = vitrine_media::encode_png(&decoded.image)?;
                Ok(Some((info, png, "image/png")))
            })
            .await?;
            let Some((info, bytes, content_type)) = stored else {
                continue;
            };
            let made = io::save_bytes(
                cx,
                &bytes,
                ArtifactKind::Image,
                content_type,
                MediaInfo {
                    width: Some(info.width),
                    height: Some(info.height),
                    ..MediaInfo::default()
                },
                io::provenance(
                    self.name(),
                    &parents,
                    &json!({ "url": url, "image": image.url }),
                ),
                None,
            )
            .await?;
            images.push(json!({
                "id": made.id,
                "url": image.url,
                "width": info.width,
                "height": info.height,
            }));
            artifacts.push(MadeArtifact {
                output: "images".to_owned(),
                meta: made,
            });
        }
        let mut links = Vec::new();
        for link in page.links {
            let made = io::save_bytes(
                cx,
                link.url.as_bytes(),
                ArtifactKind::Url,
                "text/plain; charset=utf-8",
                MediaInfo {
                    title: Some(link.title.clone()).filter(|title| !title.is_empty()),
                    ..MediaInfo::default()
                },
                io::provenance(self.name(), &parents, &json!({ "url": url })),
                None,
            )
            .await?;
            links.push(json!({ "id": made.id, "url": link.url, "title": link.title }));
            artifacts.push(MadeArtifact {
                output: "links".to_owned(),
                meta: made,
            });
        }
        Ok(ToolOutput {
            artifacts,
            facts: json!({
                "url": url,
                "final_url": page.page.final_url,
                "title": page.page.title,
                "text": page.text,
                "image_count": images.len(),
                "images": images,
                "link_count": links.len(),
                "links": links,
                "cut_at_time_limit": page.page.cut_at_time_limit,
                "refused_requests": page.page.refused_requests,
            }),
        })
    }
}
