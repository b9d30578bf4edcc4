//! The `vitrine` binary: parse flags, set up logging, run the command.

use clap::Parser as _;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = vitrine_cli::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tower_http=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match cli.log_format {
        // Span fields (the request id) ride on every line of the request.
        vitrine_cli::LogFormat::Json => logs.json().with_current_span(true).init(),
        vitrine_cli::LogFormat::Text => logs.init(),
    }
    if matches!(cli.command, vitrine_cli::Command::Serve(_)) {
        return_freed_memory_now_and_then();
    }
    match vitrine_cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// glibc's malloc keeps what a request freed (decoded images of several MB) in its per-thread
/// arenas and hands little of it back, so a server under steady load grew its RSS for minutes
/// before levelling off. Every few seconds a thread asks malloc to return free pages; buffers
/// are still reused between the calls, which a fixed mmap threshold would not allow (that cost
/// a fifth of the throughput under load).
fn return_freed_memory_now_and_then() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let spawned = std::thread::Builder::new()
            .name("malloc-trim".to_owned())
            .spawn(|| {
                loop {
                    std::thread::sleep(std::time::Duration::from_secs(5));
                    // SAFETY: malloc_trim only releases free memory; it has no preconditions.
                    #[allow(unsafe_code)]
                    unsafe {
                        libc::malloc_trim(0);
                    }
                }
            });
        if let Err(error) = spawned {
            eprintln!("warning: could not start the thread that returns freed memory: {error}");
        }
    }
}
