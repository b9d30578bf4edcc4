//! `edit_image` and `generate_image`: images from an external provider (OpenAI Images API),
//! cropped to the requested aspect ratio and stored as `img_` artifacts.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::{AspectMode, AspectParams, Color};
use vitrine_store::ArtifactMeta;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::images_api::EditInput;
use crate::io::{self, Encoding};
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::providers::ProviderKind;
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `edit_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EditImageArgs {
    /// The input images (e.g. a garment and a person), in the order the prompt refers to them.
    #[schemars(length(min = 1, max = 16))]
    pub images: Vec<ImageRef>,
    /// What to make from them.
    #[schemars(length(min = 1))]
    pub prompt: String,
    /// Aspect ratio of the result, e.g. "9:16"; default: the provider's square.
    #[serde(default)]
    pub aspect: Option<String>,
}

/// Arguments of `generate_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct GenerateImageArgs {
    /// What to draw.
    #[schemars(length(min = 1))]
    pub prompt: String,
    /// Aspect ratio of the result, e.g. "16:9"; default square.
    #[serde(default)]
    pub aspect: Option<String>,
}

/// Edits or composites images with a generative model.
#[derive(Debug, Clone, Copy, Default)]
pub struct EditImage;

/// Generates an image from text.
#[derive(Debug, Clone, Copy, Default)]
pub struct GenerateImage;

/// The provider size closest to `aspect` (gpt-image sizes), and the parsed ratio.
fn size_for(aspect: Option<&str>) -> Result<(&'static str, Option<f64>), ToolError> {
    let Some(aspect) = aspect else {
        return Ok(("1024x1024", None));
    };
    let ratio = vitrine_media::parse_ratio(aspect)?;
    let size = if ratio < 0.9 {
        "1024x1536"
    } else if ratio > 1.1 {
        "1536x1024"
    } else {
        "1024x1024"
    };
    Ok((size, Some(ratio)))
}

/// Decodes the provider's image, crops it to the exact aspect ratio and stores it.
async fn store_result(
    cx: &ToolContext,
    tool: &str,
    args: &Value,
    parents: &[&ArtifactMeta],
    bytes: Vec<u8>,
    aspect: Option<String>,
) -> Result<ToolOutput, ToolError> {
    let limits = vitrine_media::DecodeLimits::default();
    let image = io::blocking(move || {
        let decoded = vitrine_media::decode(&bytes, &limits)?;
        Ok(match aspect {
            Some(ratio) => vitrine_media::to_aspect(
                &decoded.image,
                &AspectParams {
                    ratio,
                    mode: AspectMode::Crop,
                    color: Color::BLACK,
                },
            )?,
            None => decoded.image,
        })
    })
    .await?;
    let (width, height) = (image.width(), image.height());
    let made = io::save_image(
        cx,
        image,
        Encoding::Auto,
        io::provenance(tool, parents, args),
    )
    .await?;
    Ok(ToolOutput {
        artifacts: vec![MadeArtifact {
            output: "image".to_owned(),
            meta: made,
        }],
        facts: json!({"width": width, "height": height, "generated": true}),
    })
}

const EDIT_MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "edit images with a generative model (try-on, compositing, restyling; needs an image provider)",
        examples: &[
            "generate a virtual try-on of the dress on the person",
            "put this jacket on her, front back and side views",
            "make it look like a watercolour painting",
            "replace the background with a beach",
            "show me how I'd look wearing this shirt",
        ],
        cues: &[&[
            "generat*",
            "try on",
            "tryon",
            "try* ~ on",
            "virtual* ~ try*",
            "virtual* ~ fitting",
            "dress* ~ in",
            "dress* ~ up",
            "wear*",
            "wore",
            // "Show the hoodie worn by the person in image 1" (not "find the backpacks worn by
            // the students").
            "show ~ worn by",
            "show ~ worn on",
            "see ~ worn by",
            "see ~ worn on",
            "outfit*",
            "composit*",
            "restyl*",
            // "Restage the living room in a Scandinavian style", "redecorate the bedroom".
            "restag*",
            "virtual* stag*",
            "refurnish*",
            "style* ~ as",
            "in the style of",
            "look* like a",
            "look* like an",
            "as a ~ painting",
            "as an ~ painting",
            "as a cartoon",
            "cartoon*",
            "anime",
            "watercolo*",
            "oil painting",
            "sketch*",
            "pixar",
            "ghibli",
            "replac* ~ background",
            "chang* ~ background",
            "swap* ~ background",
            "new background",
            "background ~ to a",
            "background ~ with a",
            "put ~ on ~ @faces",
            "put ~ on her",
            // "Put the dress from the second picture on the woman in the first one".
            "put the @clothes from",
            "put the @clothes on",
            "put this @clothes on",
            "put that @clothes on",
            "put ~ on him",
            "put ~ on me",
            // "Put her in the cardigan": someone in the garment.
            "put her in ~ @clothes",
            "put him in ~ @clothes",
            "put me in ~ @clothes",
            "put them in ~ @clothes",
            // "Show it on me from the front and the back".
            "show ~ on me",
            "show ~ on her",
            "show ~ on him",
            "how would ~ look on me",
            // "I'd love to see her in the dress from the front".
            "see ~ in the @clothes",
            "see ~ in this @clothes",
            // "We'd like to see him in it before we order": the garment on him.
            "see him in it",
            "see her in it",
            "see me in it",
            "see them in it",
            "show him in it",
            "show her in it",
            "show me in it",
            "how would ~ look on her",
            "how would ~ look on him",
            // "Dress me in both and show me head to toe": the whole person, dressed.
            "show me ~ head to toe",
            "show me ~ full length",
            "show me ~ full body",
            // "How would these trainers (2nd image) look on the guy in the first photo?"
            "how would ~ look on the guy",
            "how would ~ look on the man",
            "how would ~ look on the woman",
            "how would ~ look on the girl",
            "how would ~ look on the boy",
            "how would ~ look on the model",
            "how would ~ look on the person",
            "how ~ look* on me",
            // "Show me what I'd look like in it" (the garment, with two pictures).
            "what i'd look like in",
            "what i would look like in",
            "what i'd look like wearing",
            "what she'd look like in",
            "what he'd look like in",
            "how i'd look in",
            "how i would look in",
            "variation*",
            "imagin*",
            "reimagin*",
            "re imagin*",
            "synthesi*",
            // Not "a scarf in burgundy on an oak table", a thing lying somewhere.
            "@clothes ~ on her",
            "@clothes ~ on him",
            "@clothes ~ on me",
            "@clothes ~ on them",
            "@clothes ~ on my",
            "on the model",
            "on a model",
            "put a",
            "put an",
            "put some",
            "add a",
            "add an",
            "add some",
            // "Add falling snow to this street photo".
            "add ~ to this",
            "add ~ ~ to this",
            "add ~ to the",
            "add ~ ~ to the",
            "insert a",
            "insert an",
            "chang* ~ colo*",
            "chang* ~ into",
            "put ~ into ~ @clothes",
            "put ~ ~ into ~ @clothes",
            "put ~ in ~ @clothes",
            "chang* ~ @clothes",
            "recolo*",
            "replac* ~ with",
            // "Replace the plain wall behind the product with a marble counter setting".
            "replac* ~ behind ~ with",
            "replac* ~ ~ behind ~ with",
            "replac* ~ behind ~ ~ with",
            "replac* ~ ~ behind ~ ~ with",
            "replac* ~ ~ ~ behind ~ ~ with",
            "swap* ~ for",
            "swap* ~ with",
            "fill in",
            "fill* ~ gap*",
            // "Paint the facade back in behind it".
            "paint* ~ back in",
            "paint* ~ ~ back in",
            "paint* ~ ~ ~ back in",
            "back in behind",
            // "Take them out and fill the sand and sea back in".
            "fill* ~ back in",
            "fill* ~ in behind",
            // "Erase the tour group and fill that area with the cathedral steps" (not "fill
            // the area with black", a cover).
            "fill* ~ area* with the",
            "fill* ~ space* with the",
            "fill* ~ spot* with the",
            "fill* ~ area* with some",
            "fill* ~ space* with some",
            "paint in",
            // "Have the gaps painted in with the fountain".
            "painted in",
            "filled in",
            "@remove ~ crowd*",
            "paint* ~ behind",
            "paint* ~ ~ behind",
            "inpaint*",
            "@remove ~ car*",
            "@remove ~ object*",
            "@remove ~ tourist*",
            "@remove ~ photobomb*",
            "onto the",
            "into the scene",
            "make ~ look*",
            // "What this kitchen would look like with dark green cabinets".
            "would look like with",
            "would look with",
            "look like with",
            // "How would this sofa look in emerald green velvet?"
            "how would ~ look in",
            "how would ~ look with",
            // Not "what the badges look like", a question about them.
            "look* ~ like a",
            "look* ~ like an",
            "make ~ wear*",
            "in a different",
            "change ~ to",
            // "Could the wall be a soft sage green instead of this beige?"
            "be ~ instead of",
            "make ~ sky",
            "make ~ sunset",
            "make ~ night",
            "make ~ winter",
            "make ~ snow*",
            "turn ~ into ~ paint*",
            "turn ~ into ~ cartoon*",
            "turn ~ into ~ sketch*",
            "turn ~ into ~ anime",
            "turn ~ into ~ drawing*",
            "turn ~ into ~ illustration*",
            "turn ~ into ~ comic*",
            "turn ~ into ~ pixel art",
            "turn ~ into ~ watercolo*",
        ]],
        unless: &[
            // "Put a box round each one": marking what was found.
            "box* ~ round",
            "box* ~ around",
            // "Brighten this, I can barely see him in it": seeing, not trying on.
            "barely see",
            "can't see",
            "cannot see",
            "can hardly see",
            "hard to see",
            // "I want to try it on the product page": trying the result out somewhere.
            "try* ~ on the ~ page",
            "try* ~ on my ~ page",
            "try* ~ on our ~ page",
            "try* ~ on the ~ site",
            "try* ~ on my ~ site",
            "try* ~ on our ~ site",
            "try* ~ on the website",
            // "Add a little more contrast" is an adjustment, not something added to the scene.
            // Not "add a little party hat on his head".
            "add a little more",
            "add a little bit",
            "add a bit",
            "add a touch of",
            "add a little ~ colo*",
            "add a little ~ warmth",
            "add a little ~ punch",
            "add ~ contrast",
            "add ~ brightness",
            "add ~ saturation",
            "add ~ sharp*",
            "add ~ border*",
            "add ~ padding",
            // "Put a box around them": marking what was found.
            "box* ~ around",
            "rectangle* ~ around",
            "circle* ~ around",
            // "Fill in the schema" asks for the answer's fields, not an image edit.
            "schema",
            "json",
            "3d",
            // "Generate a depth map of this scene" estimates depth.
            "@make ~ depth map*",
            // "Anything on the whiteboard that looks like a name": what is meant, described.
            "anything ~ that looks like",
            "anything ~ that look like",
            "reconstruct*",
            "splat*",
            "spz",
            "animat*",
            "video*",
            "logo*",
            "watermark*",
            // "Put it in the top left corner": a place for a pasted picture.
            "corner*",
            // "Drop the cutout onto the beach shot": the cut-out is pasted as it is.
            "the cutout",
            "the cut out",
            "the cut-out",
            // "Plonk the cut-out onto the beach one": pasting one picture on another.
            "plonk*",
            "paste*",
            "black and white",
            "grayscale",
            // "Add some background music": sound, not something in the picture.
            "add ~ music",
            // "Add it to the collage", "add text to the image": not something painted in.
            "add it",
            "add them",
            "add text",
            "add ~ caption*",
            "add ~ title*",
            "background music",
            "add ~ song*",
            "add ~ sound*",
            "add ~ audio",
            "voice-over*",
            "voiceover*",
            "voice over*",
            "greyscale",
            "to png",
            "to jpg",
            "to jpeg",
            // "Could it be a png instead"; "what does https://… look like" asks about a page.
            "be a png",
            "be a jpg",
            "be a jpeg",
            "png instead",
            "jpg instead",
            "jpeg instead",
            "http*",
            "www*",
            "pdf",
            "@hide",
        ],
        input: Input::All {
            arg: "images",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "prompt",
                read: read::prompt,
            },
            Slot {
                arg: "aspect",
                read: read::ratio,
            },
        ],
        per_view: true,
        // "Is anyone wearing a hard hat?" asks to look, not to dress anyone; a cut-out dropped
        // onto another picture is pasted as it is.
        accept: Some(|clause| !read::asks_yes_no(clause) && !read::pastes_a_cut_out(clause)),
        ..Intent::DEFAULT
    }],
    summary: |_, _| Some("generated an edited image".to_owned()),
    facts: &[],
};

const GENERATE_MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "generate an image from a text prompt (needs an image provider)",
        examples: &[
            "generate an image of a red bicycle on a beach",
            "draw me a cat in a space suit",
            "create a poster for a jazz night",
        ],
        cues: &[
            &[
                "generat*",
                "creat*",
                "draw*",
                "paint*",
                "imagin*",
                "design*",
                "render*",
                "make",
                "illustrat*",
                "synthesi*",
                "produce",
                "producing",
            ],
            &[
                "image*",
                "picture*",
                "photo*",
                "illustration*",
                "drawing*",
                "painting*",
                "poster*",
                "logo*",
                "art*",
                "render*",
                "icon*",
                "wallpaper*",
                "scene",
                "portrait",
                "of a",
                "of an",
                "me a",
                "me an",
                // "Generate a cozy log cabin in snowy woods", "draw a lighthouse": generating,
                // drawing or painting makes a picture.
                "generat*",
                "draw* a",
                "draw* an",
                "draw* some",
                "paint* a",
                "paint* an",
                "cartoon*",
                "mascot*",
                "banner*",
                "character*",
                "avatar*",
                "sketch*",
                "comic*",
            ],
        ],
        unless: &[
            // "See how the page renders on a mobile": how something shows, nothing to make.
            "how ~ renders",
            "how ~ rendering",
            "renders on",
            "render on",
            "render in",
            "renders in",
            // "Generate a voice-over saying …" is sound (not "a poster for our music festival").
            "a voice*",
            "voiceover*",
            "voice-over*",
            "generat* music",
            "generat* some music",
            "generat* a song*",
            "generat* audio",
            "generat* a sound*",
            "generat* speech",
            "3d",
            "reconstruct*",
            "animat*",
            "video*",
            "pdf",
            "@hide",
            "box*",
            "splat*",
            "spz",
            "model*",
            // "Draw a lighthouse in the background of this photo": an edit of the photo.
            "this photo",
            "this picture",
            "this image",
            "this pic",
            "the photo",
        ],
        input: Input::None,
        slots: &[
            Slot {
                arg: "prompt",
                read: read::prompt,
            },
            Slot {
                arg: "aspect",
                read: read::ratio,
            },
        ],
        per_view: true,
        // "Draw a fox mascot, then make it black and white": later edits work on the picture.
        chains: true,
        // "Is anyone wearing a hard hat?" asks to look, not to dress anyone.
        accept: Some(|clause| !read::asks_yes_no(clause)),
        ..Intent::DEFAULT
    }],
    summary: |_, _| Some("generated an image".to_owned()),
    facts: &[],
};

#[async_trait]
impl Tool for EditImage {
    fn meaning(&self) -> Meaning {
        EDIT_MEANING
    }

    fn name(&self) -> &'static str {
        "edit_image"
    }

    fn description(&self) -> &'static str {
        "Make a new image from one or more input images and a prompt with a generative model (e.g. virtual try-on, compositing, restyling)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::ImageGen
    }

    fn parameters(&self) -> Value {
        io::schema_of::<EditImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    fn requires(&self) -> Option<ProviderKind> {
        Some(ProviderKind::Images)
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: EditImageArgs = io::parse_args(self.name(), &args)?;
        let client = cx.images()?.clone();
        let (size, _) = size_for(parsed.aspect.as_deref())?;
        let mut metas = Vec::with_capacity(parsed.images.len());
        let mut inputs = Vec::with_capacity(parsed.images.len());
        for (index, image) in parsed.images.iter().enumerate() {
            let param = format!("images[{index}]");
            let id = image.id(&param)?;
            let meta = io::artifact(cx, &param, &id, vitrine_wire::ArtifactKind::Image).await?;
            let bytes = io::read_bytes(cx, &meta).await?;
            let extension = if meta.content_type == "image/png" {
                "png"
            } else {
                "jpg"
            };
            inputs.push(EditInput {
                bytes,
                content_type: meta.content_type.clone(),
                filename: format!("image{index}.{extension}"),
            });
            metas.push(meta);
        }
        let bytes = client.edit(&parsed.prompt, size, inputs).await?;
        let parents: Vec<&ArtifactMeta> = metas.iter().collect();
        store_result(cx, self.name(), &args, &parents, bytes, parsed.aspect).await
    }
}

#[async_trait]
impl Tool for GenerateImage {
    fn meaning(&self) -> Meaning {
        GENERATE_MEANING
    }

    fn name(&self) -> &'static str {
        "generate_image"
    }

    fn description(&self) -> &'static str {
        "Generate an image from a text prompt with a generative model."
    }

    fn toolset(&self) -> Toolset {
        Toolset::ImageGen
    }

    fn parameters(&self) -> Value {
        io::schema_of::<GenerateImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    fn requires(&self) -> Option<ProviderKind> {
        Some(ProviderKind::Images)
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: GenerateImageArgs = io::parse_args(self.name(), &args)?;
        let client = cx.images()?.clone();
        let (size, _) = size_for(parsed.aspect.as_deref())?;
        let bytes = client.generate(&parsed.prompt, size).await?;
        store_result(cx, self.name(), &args, &[], bytes, parsed.aspect).await
    }
}
