//! `vitrine artifacts get|list|delete`: a session's artifacts from the shell.

use std::io::Write;

use anyhow::Context as _;

use super::connect::{client, default_output};
use crate::cli::{ArtifactsAction, ArtifactsArgs};

/// Runs `vitrine artifacts ...`, writing paths, listings or ids to `out`.
pub async fn artifacts(args: ArtifactsArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let client = client(&args.connect)?;
    let artifacts = client.artifacts();
    match args.action {
        ArtifactsAction::Get {
            session_id,
            ids,
            output,
        } => {
            let dir = output.unwrap_or_else(|| default_output(&session_id));
            for id in &ids {
                let path = artifacts
                    .save(&session_id, id, &dir)
                    .await
                    .with_context(|| format!("cannot download {id}"))?;
                writeln!(out, "{}", path.display())?;
            }
        }
        ArtifactsAction::List { session_id, json } => {
            let list = artifacts.list(&session_id).await?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&list)?)?;
            } else {
                for item in &list.items {
                    let size = match (item.width, item.height) {
                        (Some(width), Some(height)) => format!("{width}x{height}"),
                        _ => "-".into(),
                    };
                    writeln!(
                        out,
                        "{:<14} {:<26} {:>10} {:>11}",
                        item.object_id, item.content_type, item.bytes, size
                    )?;
                }
            }
        }
        ArtifactsAction::Delete { session_id, ids } => {
            for id in &ids {
                artifacts
                    .delete(&session_id, id)
                    .await
                    .with_context(|| format!("cannot delete {id}"))?;
                writeln!(out, "deleted {id}")?;
            }
        }
    }
    Ok(())
}
