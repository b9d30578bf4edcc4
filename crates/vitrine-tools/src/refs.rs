//! Ref arguments: strings naming an artifact of one kind, with a JSON Schema pattern that says
//! which kind, so a plan that feeds a video to an image tool fails validation before it runs.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use vitrine_wire::{ArtifactId, ArtifactKind};

use crate::error::ToolError;

macro_rules! artifact_ref {
    ($name:ident, $kind:expr, $prefix:literal, $noun:literal) => {
        #[doc = concat!("The id of ", $noun, " artifact (`", $prefix, "_` followed by 6 hex digits).")]
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The kind of artifact this ref names.
            pub const KIND: ArtifactKind = $kind;

            /// Parses the id and checks its kind; `param` names the argument in errors.
            pub fn id(&self, param: &str) -> Result<ArtifactId, ToolError> {
                parse_ref(param, &self.0, Self::KIND)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            // Inline, so a planner (and plan validation) sees the pattern on the property.
            fn inline_schema() -> bool {
                true
            }

            fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": concat!("^", $prefix, "_[0-9a-f]{6}$"),
                    "description": concat!("The id of ", $noun, " artifact in this session, e.g. `", $prefix, "_a1b2c3`.")
                })
            }
        }
    };
}

artifact_ref!(ImageRef, ArtifactKind::Image, "img", "an image");
artifact_ref!(VideoRef, ArtifactKind::Video, "vid", "a video");
artifact_ref!(
    DocumentRef,
    ArtifactKind::Document,
    "doc",
    "a document (PDF)"
);
artifact_ref!(
    ArrayRef,
    ArtifactKind::Array,
    "arr",
    "an array (a `.npy` mask or depth map)"
);

/// Parses `value` as an artifact id of `kind`.
pub fn parse_ref(param: &str, value: &str, kind: ArtifactKind) -> Result<ArtifactId, ToolError> {
    let id: ArtifactId = value.parse().map_err(|_| ToolError::BadRef {
        param: param.to_owned(),
        value: value.to_owned(),
    })?;
    if id.kind() != kind {
        return Err(ToolError::WrongKind {
            param: param.to_owned(),
            id: value.to_owned(),
            expected: kind,
            found: id.kind(),
        });
    }
    Ok(id)
}
