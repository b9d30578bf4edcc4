//! `rotate`: rotate by an angle.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `rotate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RotateArgs {
    /// The image to change.
    pub image: ImageRef,
    /// Angle, canvas growth and corner colour.
    #[serde(flatten)]
    pub rotate: vitrine_media::RotateParams,
}

/// "Flip it round 180°", "flip it 90 degrees": a flip with an angle is a turn (not "flip it
/// vertically at 90% quality").
pub(crate) const FLIP_BY_AN_ANGLE: &[&str] = &[
    "flip* it 90",
    "flip* 90",
    "flip* by 90",
    "flip* it by 90",
    "flip* ~ 90 degree*",
    "flip* ~ 180",
    "flip* ~ 270",
];

/// Both intents turn one image by the angle the words say.
const ONE_IMAGE: Input = Input::One {
    arg: "image",
    kind: ArtifactKind::Image,
};
const DEGREES: &[Slot] = &[Slot {
    arg: "degrees",
    read: read::degrees,
}];

/// Rotates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rotate;

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "rotate an image",
            examples: &[
                "rotate 90 degrees clockwise",
                "turn it a quarter turn to the left",
                "it's sideways, rotate it",
                "turn it upside down",
            ],
            cues: &[&[
                "rotat*",
                "turn* ~ degree*",
                // "Turn it 180".
                "turn* ~ 90",
                "turn* ~ 180",
                "turn* ~ 270",
                "turn* ~ clockwise",
                "turn* ~ counter*",
                "turn* ~ anti*",
                "turn* ~ upside down",
                "upside down",
                // "It came out upside down, put it the right way up".
                "right way up",
                "right side up",
                "correct way up",
                "tilt*",
                "sideways",
                "quarter turn",
                "half turn",
                "turn* ~ left",
                "turn* ~ right",
                "spin*",
                "degrees",
            ]],
            // "A splat I can spin around" describes the 3D viewer.
            // "Spin it around in a viewer": looking at a 3D model, not turning a picture.
            unless: &[
                // "My grandmother turns 90 next month": an age.
                "turns ~ next",
                "birthday",
                "years old",
                "flip*",
                "mirror*",
                "3d",
                "splat*",
                "spz",
                "viewer",
                "walk around",
                // "Want buyers to be able to spin the hatchback around on our website": what
                // viewers will do with a model, not a turn of the picture.
                "to be able to spin",
                "to be able to rotate",
                "to be able to turn",
                "can spin",
                "could spin",
            ],
            input: ONE_IMAGE,
            slots: DEGREES,
            chains: true,
            // "Straighten the horizon" asks for an angle nothing here measures: a turn is planned
            // only when the words say which (what the phrasing bank finds close is not enough).
            // "Put it the right way up" with no word of how it lies has no angle to turn by.
            accept: Some(|clause| {
                read::degrees(clause).is_some()
                    && clause.has_any(&[
                        "rotat*",
                        "turn*",
                        "tilt*",
                        "sideways",
                        "spin*",
                        "degree*",
                        "upside",
                        "way up",
                        "side up",
                        "clockwise",
                        "counter*",
                        "anti*",
                        "left",
                        "right",
                        "180",
                        "90",
                        "270",
                    ])
            }),
            ..Intent::DEFAULT
        },
        // "Flip it round 180°": a flip with an angle is a turn.
        Intent {
            does: "rotate an image",
            examples: &["flip it round 180 degrees"],
            cues: &[FLIP_BY_AN_ANGLE],
            unless: &["mask*", "3d", "splat*"],
            input: ONE_IMAGE,
            slots: DEGREES,
            chains: true,
            // Planned only where the angle is said (not from a close phrasing alone).
            accept: Some(|clause| clause.has_any(FLIP_BY_AN_ANGLE)),
            ..Intent::DEFAULT
        },
    ],
    summary: |args, _| {
        Some(format!(
            "rotated the image by {}°",
            args.get("degrees").and_then(Value::as_f64).unwrap_or(0.0)
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for Rotate {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "rotate"
    }

    fn description(&self) -> &'static str {
        "Rotate an image clockwise by any angle (multiples of 90 are exact)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<RotateArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: RotateArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        io::map_image(
            cx,
            self.name(),
            &args,
            &id,
            parsed.rotate,
            vitrine_media::rotate,
        )
        .await
    }
}
