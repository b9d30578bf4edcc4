//! Settings of the external providers `vitrine serve` can use for what no
//! registry package ships: a language model for free-form planning and an
//! image model for generation and editing (both OpenAI's HTTP protocol), and
//! a depth model and an open-vocabulary detector (the minimal protocol of
//! `docs/providers.md`).

use clap::Args;
use vitrine_agent::{ImagesConfig, LlmConfig, ProviderConfig};
use vitrine_server::Providers;

/// Provider flags, flattened into `vitrine serve`.
#[derive(Debug, Clone, Args)]
pub struct ProviderArgs {
    /// Base URL of an OpenAI-compatible chat API with tool calling (e.g.
    /// `http://127.0.0.1:11434/v1`). The offline planner always plans first; when
    /// it did not understand a part of a request, or the request asks a question
    /// the shipped models cannot judge, the whole request is planned by this
    /// model over the same tools, and its plan passes the same checks.
    #[arg(long, env = "VITRINE_LLM_BASE_URL")]
    pub llm_base_url: Option<String>,

    /// Model name for the LLM planner.
    #[arg(long, env = "VITRINE_LLM_MODEL", requires = "llm_base_url")]
    pub llm_model: Option<String>,

    /// API key for the LLM planner (sent as a Bearer token).
    #[arg(long, env = "VITRINE_LLM_API_KEY", hide_env_values = true)]
    pub llm_api_key: Option<String>,

    /// Also send the LLM planner downscaled copies (≤ 768 px JPEG) of the input
    /// images. Off by default: turn it on for vision-capable models only, as
    /// text-only models may reject image parts.
    #[arg(long, env = "VITRINE_LLM_VISION")]
    pub llm_vision: bool,

    /// Base URL of an OpenAI Images API (`/images/generations`, `/images/edits`)
    /// for the image-gen tools, e.g. virtual try-on. Without it those requests
    /// fail with an error naming this setting.
    #[arg(long, env = "VITRINE_IMAGES_BASE_URL")]
    pub images_base_url: Option<String>,

    /// Model name for image generation and editing, e.g. `gpt-image-1`.
    #[arg(long, env = "VITRINE_IMAGES_MODEL", requires = "images_base_url")]
    pub images_model: Option<String>,

    /// API key for the images provider (sent as a Bearer token).
    #[arg(long, env = "VITRINE_IMAGES_API_KEY", hide_env_values = true)]
    pub images_api_key: Option<String>,

    /// Base URL of a depth provider (`POST {url}/depth`, see docs/providers.md)
    /// for `estimate_depth` and for real depth in `reconstruct_3d`. Without it,
    /// `estimate_depth` fails naming this setting and 3D uses a layout estimate.
    #[arg(long, env = "VITRINE_DEPTH_URL")]
    pub depth_url: Option<String>,

    /// API key for the depth provider (sent as a Bearer token).
    #[arg(long, env = "VITRINE_DEPTH_API_KEY", hide_env_values = true)]
    pub depth_api_key: Option<String>,

    /// Base URL of an open-vocabulary detection provider (`POST {url}/detect`,
    /// see docs/providers.md) for finding things outside the 80 COCO classes.
    #[arg(long, env = "VITRINE_DETECT_URL")]
    pub detect_url: Option<String>,

    /// API key for the detection provider (sent as a Bearer token).
    #[arg(long, env = "VITRINE_DETECT_API_KEY", hide_env_values = true)]
    pub detect_api_key: Option<String>,
}

impl ProviderArgs {
    /// The providers these flags configure. URLs are checked when the server
    /// is built, and a bad one is refused naming its flag.
    pub fn providers(&self) -> anyhow::Result<Providers> {
        let mut providers = Providers::default();
        if let Some(base_url) = &self.llm_base_url {
            let model = self.llm_model.clone().ok_or_else(|| {
                anyhow::anyhow!("--llm-base-url needs --llm-model (or VITRINE_LLM_MODEL)")
            })?;
            providers.llm = Some(
                LlmConfig::new(base_url, model, self.llm_api_key.clone())
                    .with_vision(self.llm_vision),
            );
        }
        if let Some(base_url) = &self.images_base_url {
            let model = self.images_model.clone().ok_or_else(|| {
                anyhow::anyhow!("--images-base-url needs --images-model (or VITRINE_IMAGES_MODEL)")
            })?;
            providers.images = Some(ImagesConfig::new(
                base_url,
                model,
                self.images_api_key.clone(),
            ));
        }
        providers.depth = self
            .depth_url
            .as_ref()
            .map(|url| ProviderConfig::new(url, self.depth_api_key.clone()));
        providers.detect = self
            .detect_url
            .as_ref()
            .map(|url| ProviderConfig::new(url, self.detect_api_key.clone()));
        Ok(providers)
    }

    /// One line per provider for the start-up banner.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = Vec::new();
        match (&self.llm_base_url, &self.llm_model) {
            (Some(url), Some(model)) => lines.push(format!(
                "planner: offline first; parts it does not understand and open questions go to LLM `{model}` at {url}{}",
                if self.llm_vision {
                    " (sees images, ≤ 768 px)"
                } else {
                    " (image metadata only; --llm-vision to send images)"
                }
            )),
            _ => lines
                .push("planner: offline only (parts it does not understand are refused by name; set --llm-base-url to plan them with an LLM)".into()),
        }
        match (&self.images_base_url, &self.images_model) {
            (Some(url), Some(model)) => lines.push(format!("images: `{model}` at {url}")),
            _ => lines.push(
                "images: not configured (image-gen tools fail until --images-base-url is set)"
                    .into(),
            ),
        }
        lines.push(match &self.depth_url {
            Some(url) => format!("depth: provider at {url}"),
            None => "depth: not configured (estimate_depth fails and 3D uses a layout approximation until --depth-url is set)".into(),
        });
        lines.push(match &self.detect_url {
            Some(url) => format!("open-vocabulary detection: provider at {url}"),
            None => "open-vocabulary detection: not configured (only the 80 COCO classes until --detect-url is set)".into(),
        });
        lines
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        providers: ProviderArgs,
    }

    fn parse(args: &[&str]) -> ProviderArgs {
        Flags::try_parse_from(std::iter::once("vitrine").chain(args.iter().copied()))
            .expect("flags parse")
            .providers
    }

    #[test]
    fn the_banner_says_which_providers_are_configured() {
        let none = parse(&[]).describe();
        assert!(
            none.iter()
                .any(|line| line.contains("depth: not configured") && line.contains("--depth-url"))
        );
        assert!(none.iter().any(|line| line.contains("--detect-url")));
        let both = parse(&[
            "--depth-url",
            "http://127.0.0.1:8100",
            "--depth-api-key",
            "k",
            "--detect-url",
            "http://127.0.0.1:8101",
        ])
        .describe();
        assert!(both.contains(&"depth: provider at http://127.0.0.1:8100".to_owned()));
        assert!(
            both.contains(
                &"open-vocabulary detection: provider at http://127.0.0.1:8101".to_owned()
            )
        );
    }

    #[test]
    fn a_bad_provider_url_is_refused_at_start_up_naming_the_flag() {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = vitrine_server::Settings {
            data_dir: dir.path().join("data"),
            backend: vitrine_server::Backend::default(),
            models_dir: vitrine_server::default_models_dir(),
            retention: std::time::Duration::from_secs(60),
            keys: vitrine_server::ApiKeys::open(),
            config: vitrine_server::ServerConfig::default(),
            providers: parse(&["--depth-url", "127.0.0.1:8100"])
                .providers()
                .expect("flags are complete"),
        };
        let Err(error) = vitrine_server::build(settings) else {
            panic!("`127.0.0.1:8100` is not a URL, yet the server was built");
        };
        let message = error.to_string();
        assert!(
            message.contains("--depth-url") && message.contains("http://"),
            "{message}"
        );
    }
}
