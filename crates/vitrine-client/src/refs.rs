//! Typed artifact refs: [`ImageRef`], [`VideoRef`], [`AudioRef`],
//! [`DocumentRef`], [`ReconRef`], [`ArrayRef`], [`UrlRef`].
//!
//! Each is `{"id": "<kind>_<6 chars>"}` on the wire, and its JSON Schema is
//! exactly what pydantic emits for the `vlmrun.types` model of the same name,
//! e.g. for `ImageRef`:
//!
//! ```json
//! {"properties": {"id": {"pattern": "^img_\\w{6}$", "title": "Id", "type": "string"}},
//!  "required": ["id"], "title": "ImageRef", "type": "object"}
//! ```
//!
//! schemars places it under `$defs` with that name and refers to it with
//! `$ref`, as pydantic does, so the server recognises ref fields in a schema
//! generated from a Rust struct.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use vitrine_wire::ArtifactKind;

/// What every ref type shares.
pub trait ArtifactRef {
    /// The kind of artifact this ref names.
    const KIND: ArtifactKind;
    /// The artifact id, e.g. `img_a1b2c3`.
    fn id(&self) -> &str;
}

fn ref_schema(name: &str, prefix: &str) -> Schema {
    let value = serde_json::json!({
        "properties": {
            "id": {
                "pattern": format!("^{prefix}_\\w{{6}}$"),
                "title": "Id",
                "type": "string"
            }
        },
        "required": ["id"],
        "title": name,
        "type": "object"
    });
    // An object literal always converts; the permissive default is unreachable.
    Schema::try_from(value).unwrap_or_default()
}

macro_rules! ref_type {
    ($(#[$doc:meta])* $name:ident, $kind:expr, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name {
            #[doc = concat!("The artifact id, `", $prefix, "_` and six characters.")]
            pub id: String,
        }

        impl $name {
            /// A ref to the artifact with this id.
            pub fn new(id: impl Into<String>) -> Self {
                $name { id: id.into() }
            }
        }

        impl ArtifactRef for $name {
            const KIND: ArtifactKind = $kind;
            fn id(&self) -> &str {
                &self.id
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.id)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn schema_id() -> Cow<'static, str> {
                Cow::Borrowed(concat!("vitrine_client::refs::", stringify!($name)))
            }

            fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
                ref_schema(stringify!($name), $prefix)
            }
        }
    };
}

ref_type!(
    /// A still image (`img_`); downloads as a decoded image.
    ImageRef, ArtifactKind::Image, "img"
);
ref_type!(
    /// A video (`vid_`); downloads as an `.mp4` file.
    VideoRef, ArtifactKind::Video, "vid"
);
ref_type!(
    /// An audio track (`aud_`); downloads as an `.mp3` file.
    AudioRef, ArtifactKind::Audio, "aud"
);
ref_type!(
    /// A document (`doc_`); downloads as a `.pdf` file.
    DocumentRef, ArtifactKind::Document, "doc"
);
ref_type!(
    /// A 3D reconstruction (`recon_`); downloads as an `.spz` Gaussian splat.
    ReconRef, ArtifactKind::Recon, "recon"
);
ref_type!(
    /// An array (`arr_`) such as a mask or depth map; downloads as `.npy`.
    ArrayRef, ArtifactKind::Array, "arr"
);
ref_type!(
    /// A URL (`url_`).
    UrlRef, ArtifactKind::Url, "url"
);

/// Every artifact id named in a text, in order of first appearance, without
/// duplicates: what `vlmrun chat` finds with
/// `\b(img|aud|vid|doc|recon|arr|url)_[0-9a-f]{6}\b`.
pub fn find_refs(text: &str) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        let Some((prefix, rest)) = token.split_once('_') else {
            continue;
        };
        let is_ref = ArtifactKind::from_prefix(prefix).is_some()
            && rest.len() == 6
            && rest
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if is_ref && !found.iter().any(|seen| seen == token) {
            found.push(token.to_owned());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_refs_as_whole_words_only() {
        let text = "Blurred img_a1b2c3 (from img_00ff00); see recon_abcdef, vid_12345 \
                    and xvid_abcdef, img_a1b2c3 again, doc_ABCDEF, arr_0a0b0c.";
        assert_eq!(
            find_refs(text),
            ["img_a1b2c3", "img_00ff00", "recon_abcdef", "arr_0a0b0c"]
        );
    }
}
