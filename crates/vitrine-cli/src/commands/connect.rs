//! The SDK client the client subcommands share, from `--base-url` / `--api-key`.

use std::path::PathBuf;

use anyhow::Context as _;
use vitrine_client::Client;

use crate::cli::ConnectArgs;

/// A client for the configured server.
pub(super) fn client(args: &ConnectArgs) -> anyhow::Result<Client> {
    Client::builder(&args.base_url)
        .api_key(args.api_key.clone().unwrap_or_default())
        .build()
        .context("invalid --base-url")
}

/// `./vitrine-artifacts/<session>`, where downloads go by default.
pub(super) fn default_output(session_id: &str) -> PathBuf {
    PathBuf::from("vitrine-artifacts").join(session_id)
}
