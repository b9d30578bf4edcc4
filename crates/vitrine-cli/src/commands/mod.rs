//! Subcommand dispatch.

mod artifacts;
mod chat;
mod connect;
mod serve;
mod usage;

pub use artifacts::artifacts;
pub use chat::chat;
pub use usage::usage;

use crate::cli::{Cli, Command};

/// Runs the parsed command line. Answers and listings go to stdout; progress
/// and notices go to stderr.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve::serve(*args).await,
        Command::Chat(args) => chat::chat(args, &mut std::io::stdout()).await,
        Command::Artifacts(args) => artifacts::artifacts(args, &mut std::io::stdout()).await,
        Command::Usage(args) => usage::usage(args, &mut std::io::stdout()).await,
        Command::MigrateStore(args) => {
            let report = vitrine_server::migrate_store(&args.from, &args.to, &args.meta).await?;
            for (what, count) in report {
                println!("{what}={count}");
            }
            println!("migrated and verified");
            Ok(())
        }
    }
}
