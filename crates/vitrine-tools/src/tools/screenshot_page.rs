//! `screenshot_page`: a web page as a PNG, the whole page or the first screen, at a width or a
//! device preset.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_store::MediaInfo;
use vitrine_web::Viewport;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use crate::web::{self, PageUrl};

/// A device the page is shown on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Device {
    /// 1280×800 at 1×.
    #[default]
    Desktop,
    /// 820×1180 at 2×, mobile.
    Tablet,
    /// 390×844 at 3×, mobile.
    Phone,
}

/// Arguments of `screenshot_page`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ScreenshotPageArgs {
    /// The page.
    pub url: PageUrl,
    /// The whole page (default), or only what fits in the first screen.
    #[serde(default = "yes")]
    pub full_page: bool,
    /// Device preset: its width, pixel ratio and mobile mode.
    #[serde(default)]
    pub device: Device,
    /// Width in CSS pixels, 200–3840, replacing the preset's.
    #[serde(default)]
    pub width: Option<u32>,
}

fn yes() -> bool {
    true
}

/// Screenshots a page.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScreenshotPage;

/// The words that ask for a screenshot of a page, shared by the address-typed and the
/// `url_`-ref intents (the planner keeps one of the two by what is attached).
const SCREENSHOT_CUES: &[&[&str]] = &[
    &[
        "screenshot*",
        "screen shot*",
        "screen grab*",
        "screengrab*",
        "capture*",
        "snapshot*",
        "picture of",
        "image of",
        "png of",
        // "Just the visible part of the screen of https://…".
        "screen of",
        "visible part",
        "above the fold",
        "first load*",
        "without scrolling",
        "before scrolling",
        // "Grab https://… as it renders on a phone screen": how the page looks is a picture.
        "as it renders",
        "renders on",
        "rendered on",
        "as it looks",
        "how it looks",
        "as it appears",
        "how it appears",
        "phone screen",
        "mobile screen",
        // "What does example.net look like on a tablet?", "grab just the top of www.…, only
        // what fits on the screen".
        "look like",
        "looks like",
        "the top of",
        "top part of",
        "what fits on",
        "fits on the screen",
        "fits on screen",
    ],
    super::extract_page::PAGE_WORDS,
];

const SCREENSHOT_UNLESS: &[&str] = &[
    "pdf*",
    // "Pull the text from the top of example.com": its words.
    "the text",
    "image* from",
    "images on",
    "pictures from",
    "photos from",
    "links",
    "text of",
];

/// The arguments besides the page, read the same way whichever way the page is given.
const VIEW_SLOTS: [Slot; 3] = [
    Slot {
        arg: "device",
        read: read::device,
    },
    Slot {
        arg: "full_page",
        read: read::first_screen,
    },
    Slot {
        arg: "width",
        read: read::page_width,
    },
];

/// The page by its written address, then the view.
const ADDRESS_AND_VIEW_SLOTS: &[Slot] = &[
    Slot {
        arg: "url",
        read: read::url,
    },
    VIEW_SLOTS[0],
    VIEW_SLOTS[1],
    VIEW_SLOTS[2],
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "take a screenshot of a web page",
            examples: &[
                "screenshot this page https://example.com",
                "take a screenshot of https://example.com/pricing",
                "capture the website at https://example.com as a phone would show it",
            ],
            cues: SCREENSHOT_CUES,
            unless: SCREENSHOT_UNLESS,
            input: Input::None,
            // Only with an address to open: "page" alone is also a PDF's page.
            accept: Some(read::names_url),
            slots: ADDRESS_AND_VIEW_SLOTS,
            chains: true,
            ..Intent::DEFAULT
        },
        // "Our event page is https://…. The sponsor wants a screenshot of how it looks on a
        // phone": the address said in another sentence of the request.
        Intent {
            does: "take a screenshot of a web page",
            examples: &["just the top of the page as a phone shows it (an address given)"],
            cues: &[&[
                "screenshot*",
                "screen shot*",
                "screen grab*",
                "screengrab*",
                "how it looks",
                "what it looks like",
                "top of the page",
                "first screen",
                "above the fold",
            ]],
            unless: SCREENSHOT_UNLESS,
            input: Input::None,
            // Not "… so blur every face in the screenshot": the one made, worked on.
            accept: Some(|clause| {
                let works_on_the_one_made = clause.has_any(&["@hide", "@remove", "crop*"])
                    && clause.has_any(&[
                        "in the screenshot*",
                        "on the screenshot*",
                        "in the screen shot*",
                        "in the screengrab*",
                        "in the screen grab*",
                    ]);
                !read::web_addresses(&clause.request).is_empty() && !works_on_the_one_made
            }),
            slots: ADDRESS_AND_VIEW_SLOTS,
            chains: true,
            ..Intent::DEFAULT
        },
        // A link passed back as a `url_` ref ("screenshot that link"), e.g. one extract_page
        // stored.
        Intent {
            does: "take a screenshot of a web page",
            examples: &[
                "take a screenshot of that link",
                "screenshot the linked page on a phone",
            ],
            cues: SCREENSHOT_CUES,
            unless: SCREENSHOT_UNLESS,
            input: Input::One {
                arg: "url",
                kind: ArtifactKind::Url,
            },
            slots: &VIEW_SLOTS,
            chains: true,
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        let title = facts
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let size = crate::meaning::size(facts);
        Some(if title.is_empty() {
            format!("took a {size} screenshot of the page")
        } else {
            format!("took a {size} screenshot of “{title}”")
        })
    },
    facts: &[],
};

#[async_trait]
impl Tool for ScreenshotPage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "screenshot_page"
    }

    fn description(&self) -> &'static str {
        "Take a PNG screenshot of a web page (an http(s) URL or a url_ ref): the whole page or the \
         first screen, as a desktop, tablet or phone shows it, or at a given width."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Web
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ScreenshotPageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ScreenshotPageArgs = io::parse_args(self.name(), &args)?;
        let browser = web::browser(cx)?;
        let (url, source) = web::resolve(cx, "url", &parsed.url).await?;
        let mut viewport = match parsed.device {
            Device::Desktop => Viewport::DESKTOP,
            Device::Tablet => Viewport::TABLET,
            Device::Phone => Viewport::PHONE,
        };
        if let Some(width) = parsed.width {
            if !(200..=3840).contains(&width) {
                return Err(ToolError::InvalidArguments {
                    tool: "screenshot_page",
                    message: format!("`width` must be 200–3840 CSS pixels, got {width}"),
                });
            }
            viewport.width = width;
        }
        let shot = browser.screenshot(&url, viewport, parsed.full_page).await?;
        let png = shot.png;
        let info = io::blocking(move || {
            let info = vitrine_media::probe(&png)?;
            Ok((info, png))
        })
        .await?;
        let (info, png) = info;
        if u64::from(info.width) * u64::from(info.height) > cx.limits.max_pixels {
            return Err(ToolError::InvalidArguments {
                tool: "screenshot_page",
                message: format!(
                    "the screenshot would be {}×{} pixels, over the {} pixel limit; take the first screen or a narrower width",
                    info.width, info.height, cx.limits.max_pixels
                ),
            });
        }
        let parents: Vec<&vitrine_store::ArtifactMeta> = source.iter().collect();
        let made = io::save_bytes(
            cx,
            &png,
            ArtifactKind::Image,
            "image/png",
            MediaInfo {
                width: Some(info.width),
                height: Some(info.height),
                title: Some(shot.page.title.clone()).filter(|title| !title.is_empty()),
                ..MediaInfo::default()
            },
            io::provenance(self.name(), &parents, &args),
            None,
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({
                "url": url,
                "final_url": shot.page.final_url,
                "title": shot.page.title,
                "width": info.width,
                "height": info.height,
                "full_page": parsed.full_page,
                "device": parsed.device,
                "cut_at_time_limit": shot.page.cut_at_time_limit,
                "refused_requests": shot.page.refused_requests,
            }),
        })
    }
}
