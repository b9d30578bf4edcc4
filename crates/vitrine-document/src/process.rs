//! Running poppler's command-line tools with `kill_on_drop` and a time limit.
//!
//! Dropping the future (on timeout or cancellation) drops the `Child`, which kills it, so a
//! hostile PDF cannot keep a renderer busy after the call has given up.

use std::ffi::OsStr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use crate::error::DocumentError;

/// How many bytes of a failed program's stderr go into the error.
const STDERR_TAIL_BYTES: usize = 1500;

/// What a finished program left behind.
pub(crate) struct Finished {
    pub(crate) success: bool,
    pub(crate) status: String,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: String,
}

/// Runs `program` with `args` to completion within `limit`.
pub(crate) async fn run<I, S>(
    program: &Path,
    args: I,
    limit: Duration,
) -> Result<Finished, DocumentError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let name = || program.display().to_string();
    let child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                DocumentError::ToolNotInstalled { program: name() }
            } else {
                DocumentError::Spawn {
                    program: name(),
                    source,
                }
            }
        })?;
    let output = tokio::time::timeout(limit, child.wait_with_output())
        .await
        .map_err(|_elapsed| DocumentError::Timeout {
            program: name(),
            limit,
        })?
        .map_err(|source| DocumentError::io(format!("waiting for `{}`", name()), source))?;
    Ok(Finished {
        success: output.status.success(),
        status: output.status.to_string(),
        stdout: output.stdout,
        stderr: stderr_tail(&output.stderr),
    })
}

/// The last [`STDERR_TAIL_BYTES`] of `stderr`, as trimmed text.
fn stderr_tail(stderr: &[u8]) -> String {
    let start = stderr.len().saturating_sub(STDERR_TAIL_BYTES);
    let text = String::from_utf8_lossy(&stderr[start..]);
    let text = text.trim();
    if text.is_empty() {
        "(no error output)".to_owned()
    } else {
        text.to_owned()
    }
}
