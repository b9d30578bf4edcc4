//! What the planner examples share: stand-in inputs of a given kind (the planner reads only
//! their kind).

use vitrine_store::{ArtifactMeta, MediaInfo, Provenance};
use vitrine_wire::{ArtifactId, ArtifactKind, SessionId};

/// The kind an input name stands for: `image`, `video`, `audio`, `document` (or `pdf`), `mask`.
pub(crate) fn kind(name: &str) -> Option<ArtifactKind> {
    Some(match name {
        "image" => ArtifactKind::Image,
        "video" => ArtifactKind::Video,
        "audio" => ArtifactKind::Audio,
        "document" | "pdf" => ArtifactKind::Document,
        "mask" => ArtifactKind::Array,
        _ => return None,
    })
}

/// A stored input of `kind`, with nothing else known about it.
pub(crate) fn input(kind: ArtifactKind) -> ArtifactMeta {
    ArtifactMeta {
        id: ArtifactId::generate(kind),
        session_id: SessionId::generate(),
        tenant: "example".to_owned(),
        kind,
        content_type: "application/octet-stream".to_owned(),
        size: 1,
        sha256: String::new(),
        created_at: 0,
        expires_at: 0,
        media: MediaInfo::default(),
        provenance: Provenance::default(),
        filename: None,
    }
}
