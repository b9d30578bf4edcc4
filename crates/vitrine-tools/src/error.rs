//! The one error type of the tool catalog, classified at the source.
//!
//! Every failure says whether the caller can fix it ([`ToolError::is_client_error`]) and carries
//! a stable [`ToolError::code`], so the agent and the server never match three crates deep.

use vitrine_store::StoreError;
use vitrine_wire::ArtifactKind;

/// Everything that can go wrong while running a tool.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// No tool of that name is in the catalog.
    #[error("there is no tool named `{0}`")]
    UnknownTool(String),
    /// Decoding or processing an input crashed its worker (a malformed or hostile file).
    #[error(
        "an input could not be processed: its decoder failed on malformed data; check the file"
    )]
    Undecodable,
    /// The arguments do not match the tool's parameter schema.
    #[error("invalid arguments for `{tool}`: {message}")]
    InvalidArguments {
        /// The tool.
        tool: &'static str,
        /// What was wrong, naming the parameter.
        message: String,
    },
    /// A ref argument is not an artifact id.
    #[error("`{param}` must be an artifact id such as `img_a1b2c3`, got `{value}`")]
    BadRef {
        /// The parameter.
        param: String,
        /// What was given.
        value: String,
    },
    /// A ref names an artifact of the wrong kind.
    #[error("`{param}` must be {} ref (`{}_…`), but `{id}` is {}", article(expected.noun()), expected.prefix(), article(found.noun()))]
    WrongKind {
        /// The parameter.
        param: String,
        /// The id given.
        id: String,
        /// The kind the tool needs.
        expected: ArtifactKind,
        /// The kind it is.
        found: ArtifactKind,
    },
    /// The input was read but holds nothing the tool can work on, e.g. no face to crop to.
    #[error("{0}")]
    NothingFound(String),
    /// The store failed or the artifact does not exist.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An image operation failed.
    #[error(transparent)]
    Media(#[from] vitrine_media::MediaError),
    /// A model failed or the models are missing.
    #[error(transparent)]
    Vision(#[from] vitrine_vision::VisionError),
    /// ffmpeg failed or refused the input.
    #[error(transparent)]
    Video(#[from] vitrine_video::VideoError),
    /// poppler failed or refused the input.
    #[error(transparent)]
    Document(#[from] vitrine_document::DocumentError),
    /// Splat reconstruction failed.
    #[error(transparent)]
    Splat(#[from] vitrine_splat::SplatError),
    /// A web page could not be opened or captured.
    #[error(transparent)]
    Web(#[from] vitrine_web::WebError),
    /// A tool needs an external provider that is not configured.
    #[error("{what} needs a provider, which is not configured: set {settings}")]
    NotConfigured {
        /// What needs it, e.g. "image generation".
        what: &'static str,
        /// The settings to configure.
        settings: &'static str,
    },
    /// An external provider failed. Clients are told `message`; `location` (its URL and the
    /// setting that points there) is for the server's log and its operator.
    #[error("{message} ({location})")]
    Provider {
        /// What went wrong, e.g. "the depth provider answered 500: out of memory".
        message: String,
        /// Where: the provider's URL and its setting.
        location: String,
    },
    /// A face or PHI redaction's own second look still found what it had to hide after every
    /// extra pass; no output was kept.
    #[error(
        "the redaction could not be verified: {remaining} after {passes} redaction passes, so no output was kept"
    )]
    RedactionUnverified {
        /// What remains, e.g. "1 face still detected (at 120,80–300,290)"; never the text of
        /// PHI.
        remaining: String,
        /// The passes run.
        passes: u32,
    },
    /// A bug or a crashed worker thread.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The code of [`ToolError::RedactionUnverified`], which the server answers with a 422.
pub const REDACTION_UNVERIFIED: &str = "redaction_unverified";

fn article(noun: &str) -> String {
    match noun.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {noun}"),
        _ => format!("a {noun}"),
    }
}

impl ToolError {
    /// True when the caller can fix the problem by changing the request or its inputs.
    pub fn is_client_error(&self) -> bool {
        match self {
            ToolError::UnknownTool(_)
            | ToolError::Undecodable
            | ToolError::InvalidArguments { .. }
            | ToolError::BadRef { .. }
            | ToolError::WrongKind { .. }
            | ToolError::NothingFound(_)
            | ToolError::RedactionUnverified { .. } => true,
            ToolError::Store(error) => error.is_client_error(),
            ToolError::Media(error) => error.is_client_error(),
            ToolError::Vision(error) => error.is_client_error(),
            ToolError::Video(error) => error.is_client_error(),
            ToolError::Document(error) => error.is_client_error(),
            ToolError::Splat(error) => error.is_client_error(),
            ToolError::Web(error) => error.is_client_error(),
            ToolError::Internal(_)
            | ToolError::NotConfigured { .. }
            | ToolError::Provider { .. } => false,
        }
    }

    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ToolError::UnknownTool(_) => "unknown_tool",
            ToolError::Undecodable => "undecodable_input",
            ToolError::InvalidArguments { .. } => "invalid_tool_arguments",
            ToolError::BadRef { .. } => "bad_ref",
            ToolError::WrongKind { .. } => "wrong_artifact_kind",
            ToolError::NothingFound(_) => "nothing_found",
            ToolError::RedactionUnverified { .. } => REDACTION_UNVERIFIED,
            ToolError::Store(error) => error.code(),
            ToolError::Media(_) => "media_error",
            ToolError::Vision(error) if error.is_missing_models() => "models_missing",
            ToolError::Vision(_) => "vision_error",
            ToolError::Video(error) => error.code(),
            ToolError::Document(error) => error.code(),
            ToolError::Splat(_) => "splat_error",
            ToolError::Web(error) => error.code(),
            ToolError::NotConfigured { .. } => "not_configured",
            ToolError::Provider { .. } => "provider_failed",
            ToolError::Internal(_) => "internal_error",
        }
    }

    /// What a client may be told: everything but where a provider lives.
    pub fn public_message(&self) -> String {
        match self {
            ToolError::Provider { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    /// Wraps a failed `spawn_blocking` join. The work there decodes and
    /// transforms the caller's bytes, so a panic is taken as hostile or broken
    /// input: that request gets a 400 and the server carries on.
    pub(crate) fn join(error: tokio::task::JoinError) -> Self {
        if error.is_panic() {
            tracing::error!(%error, "a decoding or processing worker panicked on an input");
            ToolError::Undecodable
        } else {
            ToolError::Internal(format!("a worker thread failed: {error}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ToolError;

    #[tokio::test]
    async fn a_worker_that_panics_on_an_input_is_a_client_error_not_a_crash() {
        let result = crate::io::blocking::<(), _>(|| panic!("decoder bug on hostile bytes")).await;
        let Err(error) = result else {
            panic!("a panicking worker succeeded");
        };
        assert!(matches!(error, ToolError::Undecodable), "{error:?}");
        assert!(error.is_client_error());
        assert_eq!(error.code(), "undecodable_input");
    }
}
