//! Default directories that do not depend on where `vitrine` is started:
//! the defaults of `vitrine serve --models-dir` and `--data-dir`, also used by
//! tests to find the models setup installed.
//!
//! Both live under the per-user data directory of the XDG base directory spec
//! (`$XDG_DATA_HOME`, else `~/.local/share`), which `scripts/fetch-models.sh`
//! fills by default: `vitrine serve` from `/` finds what setup installed.

use std::path::PathBuf;

/// Where `scripts/fetch-models.sh` puts the models by default.
pub fn default_models_dir() -> PathBuf {
    vitrine_vision::store::default_dir()
}

/// Where the embedded store lives by default.
pub fn default_data_dir() -> PathBuf {
    vitrine_vision::store::data_home().join("data")
}
