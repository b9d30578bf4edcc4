//! The semantic fallback: a clause that asks for something but whose words match no intent is
//! compared by sentence embedding (all-MiniLM-L6-v2, run by `vitrine-text`) with two kinds of
//! phrasing: every intent's own examples (declared in its tool's file) and the phrasing bank,
//! about a thousand requests of the paraphrase corpus's read parts, each labelled with the one
//! tool it asks for or the one capability nothing here has (`phrasings.tsv`, written by
//! `scripts/phrasings.py`, embedded ahead of time into `phrasings.vec`). Only a close and clear
//! answer is taken; anything else stays "not understood", because a wrong guess would be a
//! silent substitution.

use std::path::Path;

use vitrine_text::{Embedder, TextError};
use vitrine_tools::ToolCatalog;

use super::gaps;

/// How close a clause must be to an intent's own example to be planned as that intent.
const CLOSE_ENOUGH: f32 = 0.72;
/// How far ahead of the best other label that example must be.
const CLEAR_LEAD: f32 = 0.06;
/// How close a clause must be to its nearest phrasing when its nearest ones agree. Chosen by
/// leaving each phrasing of the bank out in turn and asking for it: three agreeing neighbours
/// from 0.6 up named its label 98 % of the time (844 of 858), a lone nearest one 90 %.
const AGREED_CLOSE_ENOUGH: f32 = 0.60;
/// How many nearest phrasings must agree: four since the bank grew to 2,811 phrasings (with
/// three, one request of a blind part was planned as one step where it asked for two).
const AGREEING: usize = 4;
/// How close a lone nearest phrasing must be to be taken alone (98 % left out in turn, 562 of
/// 571, from 0.8 up).
const ALONE_CLOSE_ENOUGH: f32 = 0.80;

/// The bank of labelled phrasings and their vectors, written by `scripts/phrasings.py` and the
/// `embed_phrasings` example.
const BANK: &str = include_str!("phrasings.tsv");
const BANK_VECTORS: &[u8] = include_bytes!("phrasings.vec");
const VECTORS_MAGIC: &[u8; 4] = b"VPH1";

/// The bank's phrasings as (label, text), in the order of their vectors.
pub fn bank_phrasings() -> impl Iterator<Item = (&'static str, &'static str)> {
    BANK.lines().filter_map(|line| line.split_once('\t'))
}

/// What a phrasing asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    /// An intent of a tool, known when the phrasing is the intent's own example.
    Tool(&'static str, Option<usize>),
    /// A capability nothing here has.
    Gap(&'static str),
}

impl Label {
    /// Two labels ask for the same thing when they name the same tool or the same gap.
    fn same(self, other: Label) -> bool {
        match (self, other) {
            (Label::Tool(a, _), Label::Tool(b, _)) => a == b,
            (Label::Gap(a), Label::Gap(b)) => a == b,
            _ => false,
        }
    }
}

/// What the fallback makes of a clause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Closest {
    /// The tool, and its intent when known (else the first of its intents that fits).
    Tool(&'static str, Option<usize>),
    /// A capability nothing here has, by its gap id.
    Gap(&'static str),
}

/// The embedder and every labelled phrasing's embedding.
pub struct Semantic {
    embedder: Embedder,
    phrasings: Vec<(Label, Vec<f32>)>,
}

impl std::fmt::Debug for Semantic {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Semantic")
            .field("phrasings", &self.phrasings.len())
            .finish_non_exhaustive()
    }
}

impl Semantic {
    /// Loads the model from `models_dir`, embeds the examples of `catalog`'s intents and reads
    /// the bank's vectors (phrasings of tools not in `catalog` are left out).
    ///
    /// # Errors
    /// [`TextError`] when the model files are missing or unreadable, or the bank's vectors do
    /// not fit its phrasings (run the `embed_phrasings` example again).
    pub fn load(models_dir: &Path, catalog: &ToolCatalog) -> Result<Self, TextError> {
        let embedder = Embedder::load(models_dir)?;
        let mut phrasings = Vec::new();
        for tool in catalog.tools() {
            for (index, intent) in tool.meaning().intents.iter().enumerate() {
                for example in intent.examples {
                    phrasings.push((
                        Label::Tool(tool.name(), Some(index)),
                        embedder.embed(example)?,
                    ));
                }
            }
        }
        let labels: Vec<&str> = bank_phrasings().map(|(label, _)| label).collect();
        let vectors = decode_vectors(BANK_VECTORS).filter(|vectors| vectors.len() == labels.len());
        let Some(vectors) = vectors else {
            return Err(TextError::Encode(
                "the planner's phrasings.vec does not fit phrasings.tsv: run the embed_phrasings example"
                    .to_owned(),
            ));
        };
        for (label, vector) in labels.into_iter().zip(vectors) {
            let label = match label.strip_prefix('!') {
                Some(gap) => gaps::by_id(gap).map(|gap| Label::Gap(gap.id)),
                None => catalog
                    .get(label)
                    .map(|tool| Label::Tool(tool.name(), None)),
            };
            if let Some(label) = label {
                phrasings.push((label, vector));
            }
        }
        Ok(Semantic {
            embedder,
            phrasings,
        })
    }

    /// What `text` clearly asks for, if anything: an intent's own example that is close and
    /// well ahead of every other label's; or, when `whole_request` (a whole request, which
    /// is what the bank holds, not one clause of it), a close nearest phrasing whose next
    /// neighbours agree with it, or a very close one.
    pub(super) fn closest(&self, text: &str, whole_request: bool) -> Option<Closest> {
        let query = self.embedder.embed(text).ok()?;
        let mut scored: Vec<(f32, Label)> = self
            .phrasings
            .iter()
            .map(|(label, vector)| (vitrine_text::cosine(&query, vector), *label))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let (best_score, best) = *scored.first()?;
        let runner_up = scored
            .iter()
            .find(|(_, label)| !label.same(best))
            .map_or(f32::MIN, |(score, _)| *score);
        let example_wins = matches!(best, Label::Tool(_, Some(_)))
            && best_score >= CLOSE_ENOUGH
            && best_score - runner_up >= CLEAR_LEAD;
        let neighbours_agree = whole_request
            && best_score >= AGREED_CLOSE_ENOUGH
            && scored.len() >= AGREEING
            && scored[..AGREEING].iter().all(|(_, label)| label.same(best));
        let alone = whole_request && best_score >= ALONE_CLOSE_ENOUGH;
        if !example_wins && !neighbours_agree && !alone {
            return None;
        }
        Some(match best {
            Label::Tool(tool, intent) => Closest::Tool(tool, intent),
            Label::Gap(id) => Closest::Gap(id),
        })
    }
}

/// The bank's vectors as bytes: a magic, the count and dimension, then per vector its scale
/// (`f32`) and its values as `i8` of that scale (a quarter of the size; cosines move by less
/// than 0.001).
pub fn encode_vectors(vectors: &[Vec<f32>]) -> Vec<u8> {
    let dimension = vectors.first().map_or(0, Vec::len);
    let mut bytes = Vec::with_capacity(12 + vectors.len() * (4 + dimension));
    bytes.extend_from_slice(VECTORS_MAGIC);
    bytes.extend_from_slice(
        &u32::try_from(vectors.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    bytes.extend_from_slice(&u32::try_from(dimension).unwrap_or(u32::MAX).to_le_bytes());
    for vector in vectors {
        let largest = vector
            .iter()
            .fold(0f32, |most, value| most.max(value.abs()));
        let scale = if largest > 0.0 { largest / 127.0 } else { 1.0 };
        bytes.extend_from_slice(&scale.to_le_bytes());
        bytes.extend(
            vector
                .iter()
                .map(|value| ((value / scale).round().clamp(-127.0, 127.0) as i8).to_le_bytes()[0]),
        );
    }
    bytes
}

/// [`encode_vectors`] undone; `None` when the bytes are not such vectors.
fn decode_vectors(bytes: &[u8]) -> Option<Vec<Vec<f32>>> {
    let header = bytes.get(..12)?;
    if &header[..4] != VECTORS_MAGIC {
        return None;
    }
    let count = u32::from_le_bytes(header[4..8].try_into().ok()?) as usize;
    let dimension = u32::from_le_bytes(header[8..12].try_into().ok()?) as usize;
    let body = &bytes[12..];
    if body.len() != count * (4 + dimension) {
        return None;
    }
    Some(
        body.chunks_exact(4 + dimension)
            .map(|row| {
                let scale = f32::from_le_bytes([row[0], row[1], row[2], row[3]]);
                row[4..]
                    .iter()
                    .map(|&byte| f32::from(i8::from_le_bytes([byte])) * scale)
                    .collect()
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors_survive_their_encoding() {
        let vectors = vec![vec![0.5, -0.25, 0.0, 0.125], vec![0.0; 4]];
        let decoded = decode_vectors(&encode_vectors(&vectors)).expect("decodes");
        for (before, after) in vectors.iter().zip(&decoded) {
            for (a, b) in before.iter().zip(after) {
                assert!((a - b).abs() < 0.005, "{a} became {b}");
            }
        }
        assert!(decode_vectors(b"VPH1").is_none());
    }

    /// The shipped vectors are the embeddings of the shipped phrasings: a phrasing edited
    /// without running the `embed_phrasings` example again fails here.
    #[test]
    fn the_bank_vectors_are_its_phrasings_embedded() {
        let models = std::env::var_os("VITRINE_MODELS_DIR")
            .map_or_else(vitrine_vision::store::default_dir, std::path::PathBuf::from);
        let embedder = Embedder::load(&models).expect("the sentence-embedding model");
        let texts: Vec<&str> = bank_phrasings().map(|(_, text)| text).collect();
        let vectors = decode_vectors(BANK_VECTORS).expect("phrasings.vec decodes");
        assert_eq!(vectors.len(), texts.len(), "one vector per phrasing");
        for (text, stored) in texts.iter().zip(&vectors).step_by(37) {
            let fresh = embedder.embed(text).expect("embeds");
            let similarity = vitrine_text::cosine(&fresh, stored);
            assert!(
                similarity > 0.995,
                "{text:?}: stored vector is {similarity} off"
            );
        }
    }
}
