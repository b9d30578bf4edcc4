//! What a tool means, declared by the tool itself as data: the words that ask for it, the
//! arguments those words fill, how its result is told in a sentence, and which facts it reports.
//!
//! The offline planner (in `vitrine-agent`) reads [`Tool::meaning`](crate::Tool::meaning) of
//! every tool in the catalog: it never names a tool in its own code. Summaries and structured
//! output read [`Meaning::summary`] and [`Meaning::facts`]. Adding a tool the planner
//! understands is therefore one file: the tool, its schema, its run, and its meaning.
//!
//! # The cue language
//! An [`Intent`] matches a clause of the request when every group of its `cues` has one phrase
//! present in the clause. A phrase is words separated by spaces:
//! - `face*` matches any word starting with `face` (`faces`, `facial` does not: `fac*` would);
//! - `@hide` matches any phrase of the lexicon's concept `hide` ([`lexicon`]);
//! - `=report*` (or `=form`) matches only outside a trailing purpose phrase: "for the case
//!   report" says where the result goes, not what to act on;
//! - `~` lets up to four other words stand between its neighbours (`make ~ unrecogni*`);
//! - everything else matches one whole word.
//!
//! # Example
//! ```
//! use vitrine_tools::meaning::{Input, Intent, Meaning, Slot, read};
//! use vitrine_wire::ArtifactKind;
//!
//! const MEANING: Meaning = Meaning {
//!     intents: &[Intent {
//!         does: "flip an image",
//!         examples: &["flip it horizontally", "mirror the photo"],
//!         cues: &[&["flip*", "mirror*"]],
//!         input: Input::One { arg: "image", kind: ArtifactKind::Image },
//!         slots: &[Slot { arg: "direction", read: read::flip_direction }],
//!         ..Intent::DEFAULT
//!     }],
//!     summary: |_, _| Some("flipped the image".to_owned()),
//!     facts: &[],
//! };
//! # let _ = MEANING;
//! ```

pub mod lexicon;
pub mod phrase;
pub mod read;

use serde_json::Value;
use vitrine_wire::ArtifactKind;

pub use phrase::Clause;

/// Everything a tool declares about its meaning.
#[derive(Debug, Clone, Copy)]
pub struct Meaning {
    /// The tasks the tool serves, each with its wording; empty for tools no plain wording asks
    /// for (they stay reachable from an LLM planner and saved plans).
    pub intents: &'static [Intent],
    /// One clause about what a run did, from its arguments and facts ("blurred 3 faces");
    /// `None` when there is nothing worth saying.
    pub summary: fn(&Value, &Value) -> Option<String>,
    /// The facts its runs report that answer questions and fill response fields.
    pub facts: &'static [Fact],
}

impl Meaning {
    /// A tool with no declared wording: reachable only by tool calls.
    pub const NONE: Meaning = Meaning {
        intents: &[],
        summary: |_, _| None,
        facts: &[],
    };
}

/// One task a tool serves and the words that ask for it.
#[derive(Debug, Clone, Copy)]
pub struct Intent {
    /// What it does, as a verb phrase for answers ("hide the faces in an image").
    pub does: &'static str,
    /// How people ask for it, for the semantic matcher and the docs.
    pub examples: &'static [&'static str],
    /// Groups of phrases; each group must match somewhere in the clause.
    pub cues: &'static [&'static [&'static str]],
    /// Phrases that, present in the clause, mean the clause asks for something else.
    pub unless: &'static [&'static str],
    /// Which inputs it works on.
    pub input: Input,
    /// Arguments filled from the clause's words.
    pub slots: &'static [Slot],
    /// True when its image (or video, or mask) output is an edit that later edits in the same
    /// request work on, e.g. a crop before a resize; false for analyses and new media.
    pub chains: bool,
    /// The output later edits work on when it `chains`, if not the first of its kind.
    pub output: Option<&'static str>,
    /// True for format asks ("at 9:16", "512 px") that, in a request that generates images,
    /// describe those images rather than ask for a step of their own.
    pub describes_output: bool,
    /// One step per view or variation the request names ("front, back and side", "3
    /// variations"), each told which one it makes; for generative tools.
    pub per_view: bool,
    /// A check the clause must also pass, for wording no cue list can express.
    pub accept: Option<fn(&Clause) -> bool>,
    /// True when asks for this intent one after another fill one step ("brighten it and boost
    /// the colours" is one adjustment; "how many dogs and how many cats" one count).
    pub merges: bool,
    /// True when sizes said in its clause ("the logo at half its size") size what this step
    /// places, rather than ask for a resize of the result.
    pub sizes_itself: bool,
}

impl Intent {
    /// The defaults the fields of an intent start from.
    pub const DEFAULT: Intent = Intent {
        does: "",
        examples: &[],
        cues: &[],
        unless: &[],
        input: Input::None,
        slots: &[],
        chains: false,
        output: None,
        describes_output: false,
        per_view: false,
        accept: None,
        merges: false,
        sizes_itself: false,
    };
}

/// Where an intent's inputs come from.
#[derive(Debug, Clone, Copy)]
pub enum Input {
    /// No media (e.g. text-to-image).
    None,
    /// One artifact of `kind`, passed as `arg`: the latest edit of that kind in the request,
    /// else the first attached one.
    One {
        /// The argument name.
        arg: &'static str,
        /// Its kind.
        kind: ArtifactKind,
    },
    /// Every attached artifact of `kind` in order (or the latest edit), as a list in `arg`.
    All {
        /// The argument name.
        arg: &'static str,
        /// Their kind.
        kind: ArtifactKind,
    },
    /// An image in `image` and a mask (`arr_`) in `mask`: the latest edit of each, else the
    /// first attached one ("blur what the mask covers").
    ImageAndMask {
        /// The image's argument.
        image: &'static str,
        /// The mask's argument.
        mask: &'static str,
    },
    /// Two images: the first attached one (or its latest edit) in `base`, the second in `top`;
    /// `first_on_top` swaps them.
    Pair {
        /// The argument of the image underneath.
        base: &'static str,
        /// The argument of the image on top.
        top: &'static str,
        /// True when the clause puts the first image on the second instead.
        first_on_top: fn(&Clause) -> bool,
    },
}

impl Input {
    /// The artifact kind the intent needs, if any.
    pub fn kind(&self) -> Option<ArtifactKind> {
        match self {
            Input::None => None,
            Input::One { kind, .. } | Input::All { kind, .. } => Some(*kind),
            Input::Pair { .. } | Input::ImageAndMask { .. } => Some(ArtifactKind::Image),
        }
    }

    /// Every artifact kind the intent needs.
    pub fn kinds(&self) -> Vec<ArtifactKind> {
        match self {
            Input::ImageAndMask { .. } => vec![ArtifactKind::Image, ArtifactKind::Array],
            other => other.kind().into_iter().collect(),
        }
    }
}

/// One argument an intent fills from words.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    /// The argument's name in the tool's schema.
    pub arg: &'static str,
    /// Reads the value from the clause; `None` leaves the argument to the tool's default.
    pub read: fn(&Clause) -> Option<Value>,
}

/// A fact a tool reports under `key`, and what it is about, so questions and response fields
/// ("how many faces", `face_count`) find it.
#[derive(Debug, Clone, Copy)]
pub struct Fact {
    /// The key in the tool's facts.
    pub key: &'static str,
    /// What kind of value it is.
    pub kind: FactKind,
    /// Words naming what it is about, e.g. `["face"]`.
    pub about: &'static [&'static str],
}

/// The shape of a fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactKind {
    /// A number of things.
    Count,
    /// Text read or written.
    Text,
    /// A `{label: count}` map or a list of names.
    Labels,
}

/// `n thing` or `n things`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// The `count` fact, 0 when absent.
pub fn count(facts: &Value) -> u64 {
    facts.get("count").and_then(Value::as_u64).unwrap_or(0)
}

/// `{"a": 2, "b": 1}` as "a, b", or "2 a, 1 b" with counts.
pub fn tally(map: Option<&Value>, with_counts: bool) -> String {
    let Some(Value::Object(map)) = map else {
        return String::new();
    };
    map.iter()
        .map(|(name, n)| match (with_counts, n.as_u64()) {
            (true, Some(n)) => format!("{n} {name}"),
            _ => name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `duration_s` fact of a video or audio output, or 0.
pub fn duration_s(facts: &Value) -> f64 {
    facts
        .get("duration_s")
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

/// `width×height` from the facts, or nothing.
pub fn size(facts: &Value) -> String {
    match (
        facts.get("width").and_then(Value::as_u64),
        facts.get("height").and_then(Value::as_u64),
    ) {
        (Some(width), Some(height)) => format!("{width}×{height}"),
        _ => String::new(),
    }
}
