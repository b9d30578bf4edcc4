//! The `vitrine` command line.
//!
//! Flag and environment names are a contract that scripts rely on; each flag
//! has its `VITRINE_*` variable next to it in [`cli`], and `--help` explains
//! every setting. Behaviour lives in [`commands`], one file per subcommand.

pub mod cli;
pub mod commands;
pub mod providers;

pub use cli::{Cli, Command, LogFormat};
pub use commands::run;
