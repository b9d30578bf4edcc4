//! Identifiers: artifact kinds and ids, session ids, file ids.
//!
//! Artifact ids are what clients see inside structured output, so their shape
//! is fixed by the `vlmrun` SDK: `<kind>_<6 lowercase hex>`. They only need to
//! be unique within a session; session ids carry the unguessable part.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The seven artifact kinds of the Orion protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ArtifactKind {
    /// A still image (`img_`), served as JPEG or PNG.
    Image,
    /// A video clip (`vid_`), served as MP4.
    Video,
    /// An audio track (`aud_`), served as MP3.
    Audio,
    /// A document (`doc_`), served as PDF.
    Document,
    /// A 3D reconstruction (`recon_`), an SPZ gaussian splat.
    Recon,
    /// An array (`arr_`) such as a mask or depth map, served as `.npy`.
    Array,
    /// A URL (`url_`), served as the URL text.
    Url,
}

impl ArtifactKind {
    /// Every kind, in the order the protocol lists them.
    pub const ALL: [ArtifactKind; 7] = [
        ArtifactKind::Image,
        ArtifactKind::Video,
        ArtifactKind::Audio,
        ArtifactKind::Document,
        ArtifactKind::Recon,
        ArtifactKind::Array,
        ArtifactKind::Url,
    ];

    /// The id prefix, e.g. `img`.
    pub fn prefix(self) -> &'static str {
        match self {
            ArtifactKind::Image => "img",
            ArtifactKind::Video => "vid",
            ArtifactKind::Audio => "aud",
            ArtifactKind::Document => "doc",
            ArtifactKind::Recon => "recon",
            ArtifactKind::Array => "arr",
            ArtifactKind::Url => "url",
        }
    }

    /// The kind for an id prefix such as `vid`.
    pub fn from_prefix(prefix: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.prefix() == prefix)
    }

    /// The name of the pydantic model clients use for refs of this kind.
    pub fn ref_type_name(self) -> &'static str {
        match self {
            ArtifactKind::Image => "ImageRef",
            ArtifactKind::Video => "VideoRef",
            ArtifactKind::Audio => "AudioRef",
            ArtifactKind::Document => "DocumentRef",
            ArtifactKind::Recon => "ReconRef",
            ArtifactKind::Array => "ArrayRef",
            ArtifactKind::Url => "UrlRef",
        }
    }

    /// A human word for messages ("image", "video", ...).
    pub fn noun(self) -> &'static str {
        match self {
            ArtifactKind::Image => "image",
            ArtifactKind::Video => "video",
            ArtifactKind::Audio => "audio",
            ArtifactKind::Document => "document",
            ArtifactKind::Recon => "3D reconstruction",
            ArtifactKind::Array => "array",
            ArtifactKind::Url => "URL",
        }
    }

    /// The file extension the `vlmrun` SDK gives downloads of this kind.
    pub fn extension(self) -> &'static str {
        match self {
            ArtifactKind::Image => "png",
            ArtifactKind::Video => "mp4",
            ArtifactKind::Audio => "mp3",
            ArtifactKind::Document => "pdf",
            ArtifactKind::Recon => "spz",
            ArtifactKind::Array => "npy",
            ArtifactKind::Url => "txt",
        }
    }
}

impl fmt::Display for ArtifactKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The artifact id does not have the `<kind>_<6 hex>` shape.
    #[error(
        "`{0}` is not an artifact id: expected `<kind>_<6 lowercase hex>` with kind one of img, vid, aud, doc, recon, arr, url"
    )]
    BadArtifactId(String),
    /// The session id does not have the shape this server issues.
    #[error("`{0}` is not a session id: expected 32 lowercase hex characters")]
    BadSessionId(String),
    /// The file id does not have the shape this server issues.
    #[error("`{0}` is not a file id: expected `file-` followed by 24 lowercase hex characters")]
    BadFileId(String),
}

/// `n` random bytes from the OS, as lowercase hex.
///
/// # Panics
/// Panics if the operating system's random source fails, which leaves no safe
/// way to mint unguessable ids.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the OS random source must be available to mint ids");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// An artifact id such as `img_a1b2c3`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ArtifactId(String);

impl ArtifactId {
    /// A fresh random id of the given kind.
    pub fn generate(kind: ArtifactKind) -> Self {
        ArtifactId(format!("{}_{}", kind.prefix(), random_hex(3)))
    }

    /// The kind named by the prefix.
    pub fn kind(&self) -> ArtifactKind {
        let prefix = self.0.split('_').next().unwrap_or_default();
        // Construction only accepts known prefixes, so this cannot fall through.
        ArtifactKind::from_prefix(prefix).unwrap_or(ArtifactKind::Url)
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for ArtifactId {
    type Err = IdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || IdError::BadArtifactId(s.to_owned());
        let (prefix, rest) = s.split_once('_').ok_or_else(bad)?;
        ArtifactKind::from_prefix(prefix).ok_or_else(bad)?;
        if rest.len() != 6 || !is_lower_hex(rest) {
            return Err(bad());
        }
        Ok(ArtifactId(s.to_owned()))
    }
}

impl TryFrom<String> for ArtifactId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ArtifactId> for String {
    fn from(id: ArtifactId) -> String {
        id.0
    }
}

impl fmt::Display for ArtifactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A session id: 128 random bits as 32 lowercase hex characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SessionId(String);

impl SessionId {
    /// A fresh unguessable session id.
    pub fn generate() -> Self {
        SessionId(random_hex(16))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for SessionId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() == 32 && is_lower_hex(s) {
            Ok(SessionId(s.to_owned()))
        } else {
            Err(IdError::BadSessionId(s.to_owned()))
        }
    }
}

impl TryFrom<String> for SessionId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<SessionId> for String {
    fn from(id: SessionId) -> String {
        id.0
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A file id from `/v1/files`: `file-` and 96 random bits in hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileId(String);

impl FileId {
    /// A fresh unguessable file id.
    pub fn generate() -> Self {
        FileId(format!("file-{}", random_hex(12)))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for FileId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("file-") {
            Some(hex) if hex.len() == 24 && is_lower_hex(hex) => Ok(FileId(s.to_owned())),
            _ => Err(IdError::BadFileId(s.to_owned())),
        }
    }
}

impl TryFrom<String> for FileId {
    type Error = IdError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<FileId> for String {
    fn from(id: FileId) -> String {
        id.0
    }
}

impl fmt::Display for FileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_ids_round_trip_for_every_kind() {
        for kind in ArtifactKind::ALL {
            let id = ArtifactId::generate(kind);
            assert_eq!(id.kind(), kind);
            let parsed: ArtifactId = id.as_str().parse().expect("generated ids parse");
            assert_eq!(parsed, id);
            assert_eq!(id.as_str().len(), kind.prefix().len() + 7);
        }
    }

    #[test]
    fn malformed_artifact_ids_are_rejected() {
        for bad in [
            "img_abc",
            "img_ABCDEF",
            "pic_a1b2c3",
            "img-a1b2c3",
            "img_a1b2c3d",
            "",
        ] {
            assert!(
                bad.parse::<ArtifactId>().is_err(),
                "{bad} should be rejected"
            );
        }
    }

    #[test]
    fn session_ids_are_128_bit_hex() {
        let id = SessionId::generate();
        assert_eq!(id.as_str().len(), 32);
        assert_ne!(id, SessionId::generate());
        assert!("../etc/passwd".parse::<SessionId>().is_err());
    }
}
