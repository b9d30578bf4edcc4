//! `vitrine chat`: upload the inputs, ask, show progress, print the answer,
//! download every artifact the answer names.
//!
//! Progress goes to stderr (a spinner on a terminal, one line per event
//! otherwise); stdout gets only the answer, or one JSON object with `--json`,
//! so the command composes in scripts.

use std::io::{IsTerminal as _, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use futures_util::StreamExt as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{Value, json};
use vitrine_client::{ChatRequest, find_refs};

use super::connect::{client, default_output};
use crate::cli::ChatArgs;

/// Progress on stderr: a spinner on a terminal, plain lines otherwise.
struct Progress {
    spinner: Option<ProgressBar>,
}

impl Progress {
    fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress { spinner: None };
        }
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>3} {msg}") {
            spinner.set_style(style);
        }
        spinner.enable_steady_tick(Duration::from_millis(100));
        Progress {
            spinner: Some(spinner),
        }
    }

    /// The current activity (replaces the spinner's message).
    fn status(&self, message: impl Into<String>) {
        let message = message.into();
        match &self.spinner {
            Some(spinner) => spinner.set_message(message),
            None => eprintln!("… {message}"),
        }
    }

    /// Something done, kept on screen.
    fn done(&self, message: impl Into<String>) {
        let message = message.into();
        match &self.spinner {
            Some(spinner) => spinner.println(format!("✓ {message}")),
            None => eprintln!("✓ {message}"),
        }
    }

    fn finish(&self) {
        if let Some(spinner) = &self.spinner {
            spinner.finish_and_clear();
        }
    }
}

/// One line about a `vitrine_event` progress chunk, if it is worth showing.
fn describe(event: &Value) -> Option<(bool, String)> {
    let text = |key: &str| event.get(key).and_then(Value::as_str).unwrap_or("?");
    match event.get("type").and_then(Value::as_str)? {
        "input_stored" => Some((
            true,
            format!("stored input {} ({})", text("ref"), text("content_type")),
        )),
        "step_started" => Some((
            false,
            format!("running {} ({})", text("tool"), text("step")),
        )),
        "step_finished" => {
            let refs: Vec<&str> = event
                .get("refs")
                .and_then(Value::as_array)
                .map(|refs| refs.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let elapsed = event.get("elapsed_ms").and_then(Value::as_u64).unwrap_or(0);
            let made = if refs.is_empty() {
                String::new()
            } else {
                format!(" → {}", refs.join(", "))
            };
            Some((true, format!("{} done in {elapsed} ms{made}", text("tool"))))
        }
        "artifact_made" => event
            .pointer("/meta/id")
            .and_then(Value::as_str)
            .map(|id| (false, format!("made {id}"))),
        other => Some((false, other.replace('_', " "))),
    }
}

/// Runs `vitrine chat`, writing the answer (or JSON) to `out`.
pub async fn chat(args: ChatArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let client = client(&args.connect)?;
    let progress = Progress::new();
    let mut request = ChatRequest::new(&args.model).text(&args.prompt);
    let mut uploads = Vec::new();
    for path in &args.inputs {
        progress.status(format!("uploading {}", path.display()));
        let file = client
            .files()
            .upload(path)
            .await
            .with_context(|| format!("cannot upload --input {}", path.display()))?;
        progress.done(format!("uploaded {} as {}", path.display(), file.id));
        request = request.input_file(&file.id);
        uploads.push(json!({ "path": path, "file_id": file.id }));
    }
    if let Some(session_id) = &args.session_id {
        request = request.session_id(session_id);
    }
    if !args.toolsets.is_empty() {
        request = request.toolsets(args.toolsets.iter().cloned());
    }
    progress.status("waiting for the agent");
    let completions = client.agent().completions();
    let (session_id, content) = if args.no_stream {
        let completion = completions.create(request).await?;
        let content = completion
            .choices
            .first()
            .and_then(|choice| choice.message.content.clone())
            .unwrap_or_default();
        (completion.session_id, content)
    } else {
        let mut stream = completions.create_stream(request).await?;
        let (mut session_id, mut content) = (String::new(), String::new());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if session_id.is_empty() {
                session_id = chunk.session_id.clone();
            }
            if let Some((keep, line)) = chunk.vitrine_event.as_ref().and_then(describe) {
                if keep {
                    progress.done(line);
                } else {
                    progress.status(line);
                }
            }
            for choice in &chunk.choices {
                if let Some(piece) = &choice.delta.content {
                    content.push_str(piece);
                }
            }
        }
        (session_id, content)
    };

    let refs = find_refs(&content);
    let mut saved: Vec<(String, PathBuf)> = Vec::new();
    if !args.no_download && !refs.is_empty() {
        let dir = args
            .output
            .clone()
            .unwrap_or_else(|| default_output(&session_id));
        for id in &refs {
            progress.status(format!("downloading {id}"));
            let path = client
                .artifacts()
                .save(&session_id, id, &dir)
                .await
                .with_context(|| format!("cannot download {id} into {}", dir.display()))?;
            progress.done(format!("saved {}", path.display()));
            saved.push((id.clone(), path));
        }
    }
    progress.finish();

    if args.json {
        let artifacts: Vec<Value> = saved
            .iter()
            .map(|(id, path)| json!({ "id": id, "path": path }))
            .collect();
        let report = json!({
            "session_id": session_id,
            "content": content,
            "refs": refs,
            "artifacts": artifacts,
            "uploads": uploads,
        });
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        writeln!(out, "{content}")?;
        eprintln!("session: {session_id}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_lines_name_the_tool_and_the_refs() {
        let finished = json!({"type": "step_finished", "step": "s1", "tool": "blur_faces",
                              "elapsed_ms": 42, "refs": ["img_a1b2c3"], "facts": {}});
        assert_eq!(
            describe(&finished),
            Some((true, "blur_faces done in 42 ms → img_a1b2c3".into()))
        );
        let started = json!({"type": "step_started", "step": "s1", "tool": "blur_faces"});
        assert_eq!(
            describe(&started),
            Some((false, "running blur_faces (s1)".into()))
        );
    }
}
