//! Entry points for the fuzz targets in `tests/fuzz`: the parsers of user bytes that are
//! otherwise private to the server. Each runs exactly the code a request runs; none is an API.

use vitrine_wire::ArtifactKind;

use crate::ingest::data_url::{self, Base64Pieces};

/// A data URL (the text after `data:`) decoded the way ingestion decodes it, piece by piece.
pub fn data_url(data: &str) -> Result<Vec<u8>, String> {
    let payload = data_url::payload(data).map_err(|error| error.to_string())?;
    let mut pieces = Base64Pieces::new(payload);
    let mut bytes = Vec::new();
    while let Some(piece) = pieces.next_piece() {
        bytes.extend_from_slice(piece.map_err(|error| error.to_string())?);
    }
    Ok(bytes)
}

/// A skill bundle checked and read as `POST /v1/skills/create` reads it: its name, or why
/// it was refused.
pub fn skill_bundle(bytes: &[u8]) -> Result<String, String> {
    crate::skills::bundle::open(bytes)
        .map(|bundle| bundle.name)
        .map_err(|error| error.to_string())
}

/// What ingestion takes some bytes for, from their first bytes.
pub fn sniff(head: &[u8]) -> Option<(ArtifactKind, &'static str)> {
    crate::ingest::sniff::sniff(head).map(|found| (found.kind, found.content_type))
}
