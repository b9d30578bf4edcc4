//! The `vitrine` binary's `chat` and `artifacts` subcommands, end to end.
