//! What can go wrong loading a page.

/// Why a page could not be captured.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebError {
    /// Not an `http(s)://` URL.
    #[error("`{0}` is not an http(s) URL; only web pages can be opened")]
    Scheme(String),
    /// The URL does not parse.
    #[error("`{url}` is not a valid URL: {message}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What the parser said.
        message: String,
    },
    /// The page's own address is refused by the guard.
    #[error(
        "refusing to open `{url}`: {source}; only public addresses are opened unless the host is listed in `--fetch-allow-hosts`"
    )]
    Refused {
        /// The URL.
        url: String,
        /// The guard's refusal.
        #[source]
        source: crate::guard::GuardError,
    },
    /// The page did not load (DNS, connection, HTTP error page, refused by the proxy).
    #[error("the page `{url}` could not be loaded: {message}")]
    Load {
        /// The URL.
        url: String,
        /// The browser's error text.
        message: String,
    },
    /// The page took longer than allowed, even after loading was cut.
    #[error("the page `{url}` took longer than {seconds} s")]
    Timeout {
        /// The URL.
        url: String,
        /// The limit.
        seconds: u64,
    },
    /// Chromium could not be started.
    #[error(
        "cannot start the browser `{executable}`: {message}; run scripts/setup.sh, which installs Chromium and creates the `vitrine-browser` user"
    )]
    Launch {
        /// The executable tried.
        executable: String,
        /// What went wrong.
        message: String,
    },
    /// The browser exited or closed its pipe.
    #[error("the browser stopped unexpectedly")]
    BrowserGone,
    /// The browser answered a command with an error.
    #[error("the browser refused `{method}`: {message}")]
    Protocol {
        /// The DevTools method.
        method: String,
        /// Its error message.
        message: String,
    },
    /// The browser answered something unexpected.
    #[error("unexpected answer from the browser to `{0}`")]
    Unexpected(&'static str),
}

impl WebError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::Scheme(_) => "unsupported_url",
            WebError::InvalidUrl { .. } => "invalid_url",
            WebError::Refused { .. } => "url_refused",
            WebError::Load { .. } => "page_failed",
            WebError::Timeout { .. } => "page_timeout",
            WebError::Launch { .. } => "browser_unavailable",
            WebError::BrowserGone | WebError::Protocol { .. } | WebError::Unexpected(_) => {
                "browser_failed"
            }
        }
    }

    /// Whether the caller's input is at fault (a bad, refused or failing URL) rather than the server.
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            WebError::Scheme(_)
                | WebError::InvalidUrl { .. }
                | WebError::Refused { .. }
                | WebError::Load { .. }
                | WebError::Timeout { .. }
        )
    }
}
