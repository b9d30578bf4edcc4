//! The [`Tool`] trait, toolsets, and what a tool returns.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_store::ArtifactMeta;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;

/// The categories a request's `toolsets` field selects from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Toolset {
    /// Basic bookkeeping.
    Core,
    /// Image editing and perception.
    Image,
    /// Image generation by an external provider.
    ImageGen,
    /// 3D reconstruction.
    WorldGen,
    /// Drawing on images: boxes, labels.
    Viz,
    /// PDFs.
    Document,
    /// Video clips.
    Video,
    /// Web access.
    Web,
}

impl Toolset {
    /// Every toolset, in the protocol's order.
    pub const ALL: [Toolset; 8] = [
        Toolset::Core,
        Toolset::Image,
        Toolset::ImageGen,
        Toolset::WorldGen,
        Toolset::Viz,
        Toolset::Document,
        Toolset::Video,
        Toolset::Web,
    ];

    /// The name used on the wire, e.g. `world-gen`.
    pub fn as_str(self) -> &'static str {
        match self {
            Toolset::Core => "core",
            Toolset::Image => "image",
            Toolset::ImageGen => "image-gen",
            Toolset::WorldGen => "world-gen",
            Toolset::Viz => "viz",
            Toolset::Document => "document",
            Toolset::Video => "video",
            Toolset::Web => "web",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Toolset> {
        Toolset::ALL
            .into_iter()
            .find(|toolset| toolset.as_str() == name.trim())
    }
}

impl std::fmt::Display for Toolset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One named output a tool produces, so a plan can point at it (`step:s1.image`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutputSpec {
    /// The output's name, e.g. `image`, `mask`, `frames`.
    pub name: &'static str,
    /// The kind of artifact it is.
    pub kind: ArtifactKind,
    /// Whether it is a list of artifacts (e.g. extracted frames) rather than exactly one.
    pub many: bool,
}

impl OutputSpec {
    /// Exactly one artifact.
    pub const fn one(name: &'static str, kind: ArtifactKind) -> Self {
        OutputSpec {
            name,
            kind,
            many: false,
        }
    }

    /// Any number of artifacts.
    pub const fn many(name: &'static str, kind: ArtifactKind) -> Self {
        OutputSpec {
            name,
            kind,
            many: true,
        }
    }
}

/// An artifact a tool made, under the output name it was made for.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MadeArtifact {
    /// The output name, as in [`Tool::outputs`].
    pub output: String,
    /// The stored artifact.
    pub meta: ArtifactMeta,
}

/// What a tool returns: the artifacts it stored, and facts about what it found or did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ToolOutput {
    /// New artifacts, in the order they were made.
    pub artifacts: Vec<MadeArtifact>,
    /// Counts, boxes, labels, text: only what the tool actually observed.
    pub facts: Value,
}

impl ToolOutput {
    /// The artifacts stored under `output`.
    pub fn output(&self, output: &str) -> impl Iterator<Item = &ArtifactMeta> {
        self.artifacts
            .iter()
            .filter(move |made| made.output == output)
            .map(|made| &made.meta)
    }
}

/// One operation of the catalog. Implementations are stateless; everything they read or write
/// goes through the [`ToolContext`].
#[async_trait]
pub trait Tool: Send + Sync + 'static {
    /// The name planners call it by, e.g. `blur_faces`.
    fn name(&self) -> &'static str;

    /// One line a planner can read.
    fn description(&self) -> &'static str;

    /// The toolset it belongs to.
    fn toolset(&self) -> Toolset;

    /// The JSON Schema of its arguments. Ref arguments are strings whose `pattern` names the
    /// artifact kind, e.g. `^img_[0-9a-f]{6}$`.
    fn parameters(&self) -> Value;

    /// The artifacts it makes.
    fn outputs(&self) -> &'static [OutputSpec];

    /// The external provider it cannot run without, so a planner can refuse a plan before
    /// anything runs when that provider is not configured.
    fn requires(&self) -> Option<crate::providers::ProviderKind> {
        None
    }

    /// What it means: the words that ask for it, the arguments they fill, how its result is
    /// told. Tools no plain wording asks for keep the default.
    fn meaning(&self) -> crate::meaning::Meaning {
        crate::meaning::Meaning::NONE
    }

    /// Runs the tool.
    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError>;
}

/// The outputs of a tool that makes one image called `image`.
pub const IMAGE_OUTPUT: &[OutputSpec] = &[OutputSpec::one("image", ArtifactKind::Image)];
