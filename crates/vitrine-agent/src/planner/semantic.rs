//! The semantic fallback: a clause that asks for something but whose words match no intent is
//! compared with every intent's example phrasings by sentence embedding (all-MiniLM-L6-v2, run by
//! `vitrine-text`). Only a close and clear winner is planned; anything else stays "not
//! understood", because a wrong guess would be a silent substitution.

use std::path::Path;

use vitrine_text::{Embedder, TextError};
use vitrine_tools::ToolCatalog;

/// How close a clause must be to an example phrasing to be planned as that intent.
const CLOSE_ENOUGH: f32 = 0.72;
/// How far ahead of the best other tool's example the winner must be.
const CLEAR_LEAD: f32 = 0.06;

/// The embedder and every intent's examples, embedded once.
pub struct Semantic {
    embedder: Embedder,
    /// (tool name, intent index, embedding of one example phrasing).
    examples: Vec<(&'static str, usize, Vec<f32>)>,
}

impl std::fmt::Debug for Semantic {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Semantic")
            .field("examples", &self.examples.len())
            .finish_non_exhaustive()
    }
}

impl Semantic {
    /// Loads the model from `models_dir` and embeds the examples of `catalog`'s intents.
    ///
    /// # Errors
    /// [`TextError`] when the model files are missing or unreadable.
    pub fn load(models_dir: &Path, catalog: &ToolCatalog) -> Result<Self, TextError> {
        let embedder = Embedder::load(models_dir)?;
        let mut examples = Vec::new();
        for tool in catalog.tools() {
            for (index, intent) in tool.meaning().intents.iter().enumerate() {
                for example in intent.examples {
                    examples.push((tool.name(), index, embedder.embed(example)?));
                }
            }
        }
        Ok(Semantic { embedder, examples })
    }

    /// The tool and intent `text` is clearly closest to, if any.
    pub(super) fn closest(&self, text: &str) -> Option<(&'static str, usize)> {
        let query = self.embedder.embed(text).ok()?;
        let mut best: Option<(&'static str, usize, f32)> = None;
        let mut runner_up = f32::MIN;
        for (tool, intent, example) in &self.examples {
            let score = vitrine_text::cosine(&query, example);
            match best {
                Some((best_tool, _, best_score)) if score > best_score => {
                    if best_tool != *tool {
                        runner_up = runner_up.max(best_score);
                    }
                    best = Some((tool, *intent, score));
                }
                Some((best_tool, _, _)) if best_tool != *tool => runner_up = runner_up.max(score),
                Some(_) => {}
                None => best = Some((tool, *intent, score)),
            }
        }
        let (tool, intent, score) = best?;
        (score >= CLOSE_ENOUGH && score - runner_up >= CLEAR_LEAD).then_some((tool, intent))
    }
}
