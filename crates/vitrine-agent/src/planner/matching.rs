//! Matching a clause against every tool's declared intents.

use std::sync::Arc;

use vitrine_tools::Tool;
use vitrine_tools::meaning::phrase::Span;
use vitrine_tools::meaning::{Clause, Intent};

/// One intent a clause asks for.
#[derive(Clone)]
pub(super) struct Matched {
    /// The tool.
    pub tool: Arc<dyn Tool>,
    /// Its intent.
    pub intent: &'static Intent,
    /// Where each cue group matched.
    pub spans: Vec<Span>,
    /// Position of the tool in the catalog (ties go to the earlier one).
    pub rank: usize,
}

impl Matched {
    /// Where its wording starts in the clause.
    pub(super) fn start(&self) -> usize {
        self.spans.iter().map(|span| span.start).min().unwrap_or(0)
    }

    fn covers(&self, other: &Matched) -> bool {
        other.spans.iter().all(|theirs| {
            self.spans
                .iter()
                .any(|ours| ours.start <= theirs.start && theirs.end <= ours.end)
        })
    }
}

/// Every intent of `tools` whose cues all match in `clause` and that accepts it.
///
/// A result phrase ("so the writing reads the right way round") and a trailing purpose ("for
/// the product grid") fill arguments but ask for no step: cues and vetoes are read in the ask
/// alone, unless the ask alone says nothing ("make it so nobody can be recognised", "get it
/// ready for instagram stories").
pub(super) fn intents<'a>(
    clause: &Clause,
    tools: impl Iterator<Item = &'a Arc<dyn Tool>>,
) -> Vec<Matched> {
    let tools: Vec<&Arc<dyn Tool>> = tools.collect();
    let ask = clause.ask();
    let before_purpose = ask.before_purpose();
    // "Use tesseract for the name tags": a "for" phrase naming people or text says what to
    // act on, not where the result goes.
    let purpose = Clause::new(&ask.text[before_purpose.len()..], &clause.request);
    if before_purpose.len() < ask.text.len() && !purpose.has_any(&["@faces", "@phi", "text"]) {
        let found = intents_in(
            &Clause::new(before_purpose, &clause.request),
            clause,
            tools.iter().copied(),
        );
        if !found.is_empty() {
            return found;
        }
    }
    let found = intents_in(&ask, clause, tools.iter().copied());
    if found.is_empty() && clause.result().is_some() {
        return intents_in(clause, clause, tools.into_iter());
    }
    found
}

/// The intents whose cues match in `ask` and that accept `clause`.
fn intents_in<'a>(
    ask: &Clause,
    clause: &Clause,
    tools: impl Iterator<Item = &'a Arc<dyn Tool>>,
) -> Vec<Matched> {
    let mut found = Vec::new();
    for (rank, tool) in tools.enumerate() {
        let meaning = tool.meaning();
        for intent in meaning.intents {
            if intent.cues.is_empty() || ask.has_any(intent.unless) {
                continue;
            }
            let spans: Option<Vec<Span>> = intent
                .cues
                .iter()
                .map(|group| ask.find_any(group))
                .collect();
            let Some(spans) = spans else {
                continue;
            };
            // "Don't chop anything off": a verb said only with a negation asks for nothing.
            if intent
                .cues
                .first()
                .is_some_and(|group| only_negated(ask, group))
                || intent.cues.iter().any(|group| said_of_nothing(ask, group))
            {
                continue;
            }
            if intent.accept.is_some_and(|accept| !accept(clause)) {
                continue;
            }
            found.push(Matched {
                tool: Arc::clone(tool),
                intent,
                spans,
                rank,
            });
            // One intent per tool and clause: the first that matches.
            break;
        }
    }
    found
}

/// The tools a clause names only to rule out ("don't flip it"): their intents match but for
/// the negation.
pub(super) fn ruled_out<'a>(
    clause: &Clause,
    tools: impl Iterator<Item = &'a Arc<dyn Tool>>,
) -> Vec<&'static str> {
    tools
        .filter(|tool| {
            named_but(clause, tool, |cues| {
                cues.first()
                    .is_some_and(|first| only_negated(clause, first) || only_dropped(clause, first))
            })
        })
        .map(|tool| tool.name())
        .collect()
}

/// True when a step's words are said of nothing ("no faces should be blurred"): that step is
/// not wanted, whatever the words are like.
pub(super) fn says_a_step_is_unwanted<'a>(
    clause: &Clause,
    mut tools: impl Iterator<Item = &'a Arc<dyn Tool>>,
) -> bool {
    tools.any(|tool| {
        named_but(clause, tool, |cues| {
            cues.iter().any(|group| said_of_nothing(clause, group))
        })
    })
}

/// True when every cue group of one of `tool`'s intents is found in `clause`, and `taken_back`
/// says those cues are taken back.
fn named_but(
    clause: &Clause,
    tool: &Arc<dyn Tool>,
    taken_back: impl Fn(&[&[&str]]) -> bool,
) -> bool {
    tool.meaning().intents.iter().any(|intent| {
        !intent.cues.is_empty()
            && intent
                .cues
                .iter()
                .all(|group| clause.find_any(group).is_some())
            && taken_back(intent.cues)
    })
}

/// Words that rule out what follows them within two words.
const NEGATORS: &[&str] = &["don't", "dont", "not", "never", "no", "without", "avoid"];

/// Words after a "no" that make it a take-back of what was said before.
const TAKING_BACK: &[&str] = &["actually", "wait", "sorry"];

/// True when every place `group` matches in `clause` follows a negation.
fn only_negated(clause: &Clause, group: &[&str]) -> bool {
    let word = |index: Option<usize>| word_at(clause, index);
    let starts = clause.starts(group);
    !starts.is_empty()
        && starts.into_iter().all(|at| {
            (1..=2).any(|back| {
                let negator = at.checked_sub(back);
                NEGATORS.contains(&word(negator))
                    // "No actually, make it portrait", "actually no make that 1200": the "no"
                    // turns down what came before, not what follows (not "actually, no faces
                    // should be blurred").
                    && !(word(negator) == "no"
                        && (TAKING_BACK.contains(&word(negator.map(|at| at + 1)))
                            || (TAKING_BACK
                                .contains(&word(negator.and_then(|at| at.checked_sub(1))))
                                && ["make", "do", "use", "let's", "go", "just"]
                                    .contains(&word(negator.map(|at| at + 1))))))
            })
                // "Without anyone's face showing".
                || word(at.checked_sub(3)) == "without"
                // "No need for different angles".
                || (["for", "to", "any"].contains(&word(at.checked_sub(1)))
                    && word(at.checked_sub(2)) == "need"
                    && NEGATORS.contains(&word(at.checked_sub(3))))
        })
}

/// True when every place `group` matches in `clause` follows a word that drops a step said
/// before, in a correction: "actually, skip the greyscale", "forget the crop", "don't bother
/// with the border".
fn only_dropped(clause: &Clause, group: &[&str]) -> bool {
    let word = |index: Option<usize>| word_at(clause, index);
    let starts = clause.starts(group);
    !starts.is_empty()
        && starts.into_iter().all(|at| {
            (1..=3).any(|back| {
                ["skip", "forget", "ditch", "scrap", "bother"].contains(&word(at.checked_sub(back)))
            })
        })
}

/// The clause's word at `index`, or "" before its start or past its end.
fn word_at(clause: &Clause, index: Option<usize>) -> &str {
    index
        .and_then(|index| clause.words.get(index))
        .map_or("", |word| word.text.as_str())
}

/// True when every place `group` matches in `clause` is a verb said of nothing: "no faces
/// should be blurred", "none of them need to be cropped".
fn said_of_nothing(clause: &Clause, group: &[&str]) -> bool {
    let word = |index: Option<usize>| word_at(clause, index);
    let starts = clause.starts(group);
    !starts.is_empty()
        && starts.into_iter().all(|at| {
            ["be", "get", "gets"].contains(&word(at.checked_sub(1)))
                && (3..=7).any(|back| {
                    ["no", "none", "nothing", "nobody", "neither"]
                        .contains(&word(at.checked_sub(back)))
                })
        })
}

/// Drops matches that a more specific match explains: one with more cue groups whose words
/// include all of theirs ("crop to the face" is a face crop, not also an area crop). Matches of
/// equal weight all stay (the caller picks by input kind).
pub(super) fn most_specific(found: Vec<Matched>) -> Vec<Matched> {
    let kept: Vec<bool> = found
        .iter()
        .map(|candidate| {
            !found.iter().any(|other| {
                other.intent.cues.len() > candidate.intent.cues.len() && other.covers(candidate)
            })
        })
        .collect();
    found
        .into_iter()
        .zip(kept)
        .filter_map(|(matched, keep)| keep.then_some(matched))
        .collect()
}
