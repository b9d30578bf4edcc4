//! The `vitrine` binary's `chat`, `artifacts` and `usage` subcommands, end to end:
//! the real binary, run as a subprocess against a live server.
//!
//! The binary is built (or found up to date) with the same cargo and target
//! directory as this test, and lives next to its `deps/` directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

use crate::{KEY, png, spawn};

/// `<target>/<profile>/vitrine`, brought up to date by `cargo build [--release] -p vitrine`
/// once per test run (cargo holds no lock while tests run, and a fresh build
/// is a no-op), so the test never runs a stale binary.
fn binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test executable path");
            // <target>/debug/deps/it-<hash> → <target>/debug
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("the test runs from <target>/<profile>/deps");
            let target_dir = profile_dir.parent().expect("target dir");
            let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
            let mut build = Command::new(env!("CARGO"));
            build.args(["build", "--quiet", "-p", "vitrine", "--manifest-path"]);
            build.arg(workspace.join("Cargo.toml"));
            // The binary must come from the profile these tests were built in.
            if profile_dir
                .file_name()
                .is_some_and(|name| name == "release")
            {
                build.arg("--release");
            }
            let status = build
                .env("CARGO_TARGET_DIR", target_dir)
                .status()
                .expect("cargo runs");
            assert!(status.success(), "`cargo build -p vitrine` failed");
            profile_dir.join(format!("vitrine{}", std::env::consts::EXE_SUFFIX))
        })
        .clone()
}

/// Runs `vitrine` with no `VITRINE_*` settings inherited from the caller.
fn vitrine(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(binary());
    command.args(args).current_dir(dir);
    for (name, _) in std::env::vars() {
        if name.starts_with("VITRINE_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().copied());
    command.output().expect("vitrine runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_uploads_inputs_prints_the_answer_and_downloads_every_ref() {
    let app = spawn().await;
    let dir = app.dir.path().to_owned();
    app.write("photo.png", &png(30, 20, [200, 10, 10], [10, 10, 200]));
    // The server runs on the runtime's worker threads while this one waits.
    let output = vitrine(
        &[
            "chat",
            "Convert this image to grayscale",
            "-i",
            "photo.png",
            "--output",
            "out",
            "--base-url",
            &app.base,
            "--api-key",
            KEY,
        ],
        &dir,
        &[],
    );
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    let answer = text(&output.stdout);
    let refs = vitrine_client::find_refs(&answer);
    let made = refs
        .iter()
        .find(|id| id.starts_with("img_"))
        .expect("the answer names the new image");
    // Progress and the session went to stderr, not into the answer.
    let stderr = text(&output.stderr);
    assert!(stderr.contains("session: "), "{stderr}");
    assert!(!answer.contains("session: "));

    let out = app.dir.path().join("out");
    let saved = std::fs::read_dir(&out)
        .expect("the output directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.file_stem().and_then(|stem| stem.to_str()) == Some(made.as_str()))
        .expect("the named ref was downloaded");
    let decoded = image::open(&saved).expect("an image").to_rgb8();
    assert_eq!(decoded.dimensions(), (30, 20));
    assert!(
        decoded
            .pixels()
            .all(|pixel| pixel[0] == pixel[1] && pixel[1] == pixel[2]),
        "the downloaded ref is the grayscale result"
    );

    // `vitrine usage` shows what that request used, from the server's ledger.
    let connect = ["--base-url", app.base.as_str(), "--api-key", KEY];
    let output = vitrine(&[&["usage"][..], &connect].concat(), &dir, &[]);
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    let table = text(&output.stdout);
    let row: Vec<&str> = table
        .lines()
        .find(|line| line.starts_with("grayscale"))
        .expect("a row for the tool that ran")
        .split_whitespace()
        .collect();
    assert_eq!(row[1], "1", "{table}");
    assert!(table.contains("requests    1"), "{table}");
    let output = vitrine(
        &[&["usage", "--json", "--until", "1000"][..], &connect].concat(),
        &dir,
        &[],
    );
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(report["requests"], 0, "nothing before 1970-01-01T00:16:40Z");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_json_then_artifacts_list_get_delete() {
    let app = spawn().await;
    let dir = app.dir.path().to_owned();
    app.write("photo.png", &png(12, 12, [0, 128, 0], [0, 128, 0]));
    let env = [
        ("VITRINE_BASE_URL", app.base.as_str()),
        ("VITRINE_API_KEY", KEY),
    ];
    let run = |args: &[&str]| vitrine(args, &dir, &env);

    // --json --no-stream, the default output directory, settings from the environment.
    let output = run(&[
        "chat",
        "Keep this",
        "-i",
        "photo.png",
        "--json",
        "--no-stream",
    ]);
    assert!(output.status.success(), "stderr: {}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    let session = report["session_id"].as_str().expect("session").to_owned();
    let image_id = report["refs"][0].as_str().expect("a ref").to_owned();
    let saved = PathBuf::from(report["artifacts"][0]["path"].as_str().expect("a path"));
    assert_eq!(
        saved,
        Path::new("vitrine-artifacts")
            .join(&session)
            .join(format!("{image_id}.png"))
    );
    assert!(dir.join(&saved).is_file());

    let listing = run(&["artifacts", "list", "--session-id", &session]);
    assert!(
        listing.status.success(),
        "stderr: {}",
        text(&listing.stderr)
    );
    let listing = text(&listing.stdout);
    assert!(
        listing.contains(&image_id) && listing.contains("image/png") && listing.contains("12x12"),
        "{listing}"
    );

    let got = run(&[
        "artifacts",
        "get",
        "--session-id",
        &session,
        &image_id,
        "-o",
        "again",
    ]);
    assert!(got.status.success(), "stderr: {}", text(&got.stderr));
    let path = dir.join(text(&got.stdout).trim());
    assert_eq!(path, dir.join("again").join(format!("{image_id}.png")));
    assert_eq!(image::open(&path).expect("PNG").width(), 12);

    let deleted = run(&["artifacts", "delete", "--session-id", &session, &image_id]);
    assert!(
        deleted.status.success(),
        "stderr: {}",
        text(&deleted.stderr)
    );
    let listing = run(&["artifacts", "list", "--session-id", &session, "--json"]);
    let listing: Value = serde_json::from_slice(&listing.stdout).expect("JSON listing");
    assert_eq!(listing["items"].as_array().map(Vec::len), Some(0));

    // A wrong key fails with the server's reason and a failing exit status.
    let denied = vitrine(
        &["artifacts", "list", "--session-id", &session],
        &dir,
        &[
            ("VITRINE_BASE_URL", app.base.as_str()),
            ("VITRINE_API_KEY", "wrong"),
        ],
    );
    assert!(!denied.status.success());
    assert!(
        text(&denied.stderr).contains("unauthorized"),
        "{}",
        text(&denied.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_with_the_agent_streams_steps_and_downloads_the_new_image() {
    let app = spawn().await;
    let dir = app.dir.path().to_owned();
    app.write("wide.png", &png(30, 20, [250, 0, 0], [0, 0, 250]));
    let output = vitrine(
        &[
            "chat",
            "Rotate this image by 90 degrees",
            "-i",
            "wide.png",
            "--toolset",
            "image",
            "-o",
            "out",
            "--base-url",
            &app.base,
            "--api-key",
            KEY,
        ],
        &dir,
        &[],
    );
    let stderr = text(&output.stderr);
    assert!(output.status.success(), "stderr: {stderr}");
    // The step events became progress lines.
    assert!(stderr.contains("rotate done in"), "{stderr}");
    let answer = text(&output.stdout);
    let refs = vitrine_client::find_refs(&answer);
    let rotated: Vec<(u32, u32)> = refs
        .iter()
        .filter(|id| id.starts_with("img_"))
        .filter_map(|id| {
            let path = std::fs::read_dir(dir.join("out"))
                .ok()?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .find(|path| path.file_stem().and_then(|s| s.to_str()) == Some(id.as_str()))?;
            image::image_dimensions(path).ok()
        })
        .collect();
    // The input (30×20) and the rotated output (20×30) were both downloaded.
    assert!(rotated.contains(&(20, 30)), "{rotated:?} from {answer:?}");
}
