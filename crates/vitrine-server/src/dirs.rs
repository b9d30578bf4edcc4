//! Default directories that do not depend on where `vitrine` is started:
//! the defaults of `vitrine serve --models-dir` and `--data-dir`, also used by
//! tests to find the models setup installed.
//!
//! Both live under the per-user data directory of the XDG base directory spec
//! (`$XDG_DATA_HOME`, else `~/.local/share`), which `scripts/fetch-models.sh`
//! fills by default: `vitrine serve` from `/` finds what setup installed.

use std::path::PathBuf;

/// `$XDG_DATA_HOME/vitrine`, else `$HOME/.local/share/vitrine`; relative
/// values are ignored, as the spec says.
fn vitrine_data_home() -> PathBuf {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|path| path.is_absolute())
    };
    let base = absolute("XDG_DATA_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local/share")))
        // No home at all (a bare container): the FHS place for variable data.
        .unwrap_or_else(|| PathBuf::from("/var/lib"));
    base.join("vitrine")
}

/// Where `scripts/fetch-models.sh` puts the models by default.
pub fn default_models_dir() -> PathBuf {
    vitrine_data_home().join("models")
}

/// Where the embedded store lives by default.
pub fn default_data_dir() -> PathBuf {
    vitrine_data_home().join("data")
}
