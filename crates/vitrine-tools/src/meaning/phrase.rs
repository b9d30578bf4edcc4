//! Clauses as words, and the cue language's matcher (see the [module docs](super)).

use std::sync::OnceLock;

use super::lexicon;

/// One clause of a request: its words, and the whole request it came from.
#[derive(Debug, Clone)]
pub struct Clause {
    /// The clause, lower-cased, with artifact ids replaced by "it".
    pub text: String,
    /// Its words in order.
    pub words: Vec<Word>,
    /// The whole request, lower-cased (some arguments are said once for every clause, e.g. "all
    /// three at 9:16").
    pub request: String,
}

/// A word of a clause and where it starts in the clause's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word, lower-cased.
    pub text: String,
    /// Its byte offset in [`Clause::text`].
    pub start: usize,
    /// It stands in a purpose phrase at the clause's end ("… for the case report"), which says
    /// where the result goes, not what to act on.
    pub purpose: bool,
    /// It stands in a result phrase ("… so the longest side is 500px"), which says what the
    /// ask should achieve: its words fill arguments but ask for no step of their own.
    pub result: bool,
}

/// Where a phrase matched: word indices, `end` exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The first word.
    pub start: usize,
    /// One past the last word.
    pub end: usize,
}

/// Splits text into words: letters and digits, with inner apostrophes and decimal points kept
/// ("don't", "1.5").
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (index, &(offset, c)) in chars.iter().enumerate() {
        let next = chars.get(index + 1).map(|(_, c)| *c);
        let joins =
            (c == '\'' || c == '’') && !current.is_empty() && next.is_some_and(char::is_alphabetic)
                || c == '.'
                    && current
                        .chars()
                        .last()
                        .is_some_and(|last| last.is_ascii_digit())
                    && next.is_some_and(|next| next.is_ascii_digit());
        if c.is_alphanumeric() || joins {
            if current.is_empty() {
                start = offset;
            }
            current.push(if c == '’' { '\'' } else { c });
        } else if !current.is_empty() {
            out.push(word(std::mem::take(&mut current), start));
        }
    }
    if !current.is_empty() {
        out.push(word(current, start));
    }
    mark_result(&mut out);
    mark_purpose(&mut out);
    out
}

/// Words after "so" that open a result phrase ("so the writing reads", "so it's 512 wide"),
/// rather than "so" meaning "very" ("so dark").
const RESULT_OPENERS: &[&str] = &[
    "that",
    "the",
    "it",
    "it's",
    "its",
    "they",
    "they're",
    "i",
    "we",
    "you",
    "she",
    "he",
    "only",
    "there",
    "nothing",
    "no",
    "nobody",
    "everything",
    "all",
    "this",
    "these",
    "those",
    "people",
    "everyone",
    "none",
];

/// Marks a result phrase: from a "so" that follows the ask's own words to the clause's end.
fn mark_result(words: &mut [Word]) {
    let opens = |at: usize| {
        words[at].text == "so"
            && words
                .get(at + 1)
                .is_some_and(|next| RESULT_OPENERS.contains(&next.text.as_str()))
    };
    // "… so the pedestrians' faces need hiding": a "so" that states what must be done opens
    // the ask itself, not a result of it.
    // Not "so the faces don't need to be blurred", a result.
    let states_a_need = |from: usize| {
        words[from..].windows(3).any(|three| {
            let (before, this, next) = (
                three[0].text.as_str(),
                three[1].text.as_str(),
                three[2].text.as_str(),
            );
            let negated = matches!(
                before,
                "don't" | "dont" | "doesn't" | "doesnt" | "not" | "won't" | "never" | "no"
            );
            !negated
                && ((matches!(this, "need" | "needs") && (next == "to" || next.ends_with("ing")))
                    || (matches!(this, "must" | "should") && next == "be")
                    || (matches!(this, "has" | "have") && next == "to"))
        })
    };
    if let Some(at) = (2..words.len()).find(|&at| opens(at))
        && !states_a_need(at)
    {
        for word in &mut words[at..] {
            word.result = true;
        }
    }
}

/// Words that, after "for", open a phrase naming a destination or reader.
const PURPOSE_DETERMINERS: &[&str] = &[
    "the", "my", "our", "a", "an", "his", "her", "their", "your", "this", "that",
];

/// Words that open a trailing clause of their own about when or why ("… before I attach it to
/// the incident report", "… because it goes in the case file").
const SUBORDINATORS: &[&str] = &["before", "because", "since", "cause", "coz", "cos"];

/// Subjects that follow a subordinator in such a clause.
const SUBJECTS: &[&str] = &[
    "i", "i'm", "i've", "i'll", "we", "we're", "we'll", "it", "it's", "it'll", "they", "they're",
    "you", "she", "he", "this", "that", "these", "those", "our", "my", "the", "a", "an", "his",
    "her", "their", "there", "there's", "some",
];

/// Marks a trailing "for the …" phrase, or a trailing "before I …" clause, as a purpose. A "for"
/// phrase must hold no other "for" (so "for the faces, use pixelate" spanning a later ask is not
/// swallowed whole) and be at most five words; a clause starts after the ask's own words.
fn mark_purpose(words: &mut [Word]) {
    let for_phrase = words
        .iter()
        .rposition(|word| word.text == "for")
        .filter(|&at| {
            words
                .get(at + 1)
                .is_some_and(|next| PURPOSE_DETERMINERS.contains(&next.text.as_str()))
                && words.len() - at <= 6
        });
    let clause = (2..words.len()).find(|&at| {
        SUBORDINATORS.contains(&words[at].text.as_str())
            && words
                .get(at + 1)
                .is_some_and(|next| SUBJECTS.contains(&next.text.as_str()))
            && words.len() - at <= 12
    });
    if let Some(at) = [for_phrase, clause].into_iter().flatten().min() {
        for word in &mut words[at..] {
            word.purpose = true;
        }
    }
}

/// A word, with a possessive "'s" dropped ("the patient's details" names the patient).
fn word(text: String, start: usize) -> Word {
    let text = match text.strip_suffix("'s") {
        Some(stem) if !stem.is_empty() => stem.to_owned(),
        _ => text,
    };
    Word {
        text,
        start,
        purpose: false,
        result: false,
    }
}

impl Clause {
    /// A clause of `request` (both lower-cased by the caller).
    pub fn new(text: &str, request: &str) -> Clause {
        Clause {
            text: text.to_owned(),
            words: words(text),
            request: request.to_owned(),
        }
    }

    /// The first place `phrase` matches.
    pub fn find(&self, phrase: &str) -> Option<Span> {
        let elements = parse(phrase);
        (0..self.words.len().max(1)).find_map(|start| {
            match_at(&elements, &self.words, start).map(|end| Span { start, end })
        })
    }

    /// True when `phrase` matches somewhere.
    pub fn has(&self, phrase: &str) -> bool {
        self.find(phrase).is_some()
    }

    /// The earliest match of any of `phrases`.
    pub fn find_any(&self, phrases: &[&str]) -> Option<Span> {
        phrases
            .iter()
            .filter_map(|phrase| self.find(phrase))
            .min_by_key(|span| (span.start, std::cmp::Reverse(span.end)))
    }

    /// True when any of `phrases` matches.
    pub fn has_any(&self, phrases: &[&str]) -> bool {
        phrases.iter().any(|phrase| self.has(phrase))
    }

    /// Every word index where one of `phrases` starts to match, in order.
    pub fn starts(&self, phrases: &[&str]) -> Vec<usize> {
        let parsed: Vec<Vec<Element<'_>>> = phrases.iter().map(|phrase| parse(phrase)).collect();
        (0..self.words.len())
            .filter(|&at| {
                parsed
                    .iter()
                    .any(|elements| match_at(elements, &self.words, at).is_some())
            })
            .collect()
    }

    /// The clause without its result phrase: the words that choose the steps.
    pub fn ask(&self) -> Clause {
        match self.words.iter().position(|word| word.result) {
            Some(at) => {
                let end = self.words[at].start;
                Clause::new(self.text[..end].trim_end(), &self.request)
            }
            None => self.clone(),
        }
    }

    /// The text before its trailing purpose phrase ("make it 9:16 for my phone" → "make it
    /// 9:16"): the words that name what to act on.
    pub fn before_purpose(&self) -> &str {
        match self.words.iter().find(|word| word.purpose) {
            Some(word) => self.text[..word.start].trim_end(),
            None => &self.text,
        }
    }

    /// The clause's text with `more` put before its trailing purpose phrase, so that the
    /// phrase still trails ("make it 16:9 for a thumbnail" + "crop it" → "make it 16:9 crop it
    /// for a thumbnail").
    pub fn inserting(&self, more: &str) -> String {
        let before = self.before_purpose();
        let purpose = self.text[before.len()..].trim_start();
        if purpose.is_empty() {
            format!("{before} {more}")
        } else {
            format!("{before} {more} {purpose}")
        }
    }

    /// Its result phrase ("so the longest side is 500px"), if it has one.
    pub fn result(&self) -> Option<Clause> {
        let at = self.words.iter().position(|word| word.result)?;
        Some(Clause::new(self.text_from(at), &self.request))
    }

    /// The text from word `index` on.
    pub fn text_from(&self, index: usize) -> &str {
        self.words
            .get(index)
            .map_or("", |word| &self.text[word.start..])
    }
}

#[derive(Debug, Clone)]
enum Element<'a> {
    Word(&'a str),
    /// A word or prefix that names what to act on: never inside a purpose phrase.
    Object(&'a str),
    Prefix(&'a str),
    Gap,
    Concept(&'a str),
}

fn parse(phrase: &str) -> Vec<Element<'_>> {
    phrase
        .split_whitespace()
        .map(|part| {
            if part == "~" {
                Element::Gap
            } else if let Some(object) = part.strip_prefix('=') {
                Element::Object(object)
            } else if let Some(name) = part.strip_prefix('@') {
                Element::Concept(name)
            } else if let Some(stem) = part.strip_suffix('*') {
                Element::Prefix(stem)
            } else {
                // Words lose a trailing "'s" (see `word`), so cues must too: "what's this".
                Element::Word(match part.strip_suffix("'s") {
                    Some(stem) if !stem.is_empty() => stem,
                    _ => part,
                })
            }
        })
        .collect()
}

/// Matches `elements` starting at word `at`; the index after the match.
fn match_at(elements: &[Element<'_>], words: &[Word], at: usize) -> Option<usize> {
    let Some((first, rest)) = elements.split_first() else {
        return Some(at);
    };
    match first {
        Element::Word(word) => {
            (words.get(at)?.text == *word).then_some(())?;
            match_at(rest, words, at + 1)
        }
        Element::Prefix(stem) => {
            words.get(at)?.text.starts_with(stem).then_some(())?;
            match_at(rest, words, at + 1)
        }
        Element::Object(object) => {
            let word = words.get(at)?;
            let matches = match object.strip_suffix('*') {
                Some(stem) => word.text.starts_with(stem),
                None => word.text == *object,
            };
            (matches && !word.purpose).then_some(())?;
            match_at(rest, words, at + 1)
        }
        Element::Gap => (0..=4)
            .filter(|skip| at + skip <= words.len())
            .find_map(|skip| match_at(rest, words, at + skip)),
        Element::Concept(name) => concept(name).iter().find_map(|inner| {
            let end = match_at(inner, words, at)?;
            match_at(rest, words, end)
        }),
    }
}

/// A parsed phrase of the lexicon.
type Phrase = Vec<Element<'static>>;

/// A concept's phrases, parsed once for the process: a concept is tried at every word of every
/// clause against every intent that names it, and parsing them each time cost more than matching.
fn concept(name: &str) -> &'static [Phrase] {
    static PARSED: OnceLock<Vec<(&str, Vec<Phrase>)>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            lexicon::CONCEPTS
                .iter()
                .map(|(name, phrases)| {
                    (*name, phrases.iter().map(|phrase| parse(phrase)).collect())
                })
                .collect()
        })
        .iter()
        .find(|(concept, _)| *concept == name)
        .map_or(&[], |(_, phrases)| phrases.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(text: &str) -> Clause {
        Clause::new(text, text)
    }

    #[test]
    fn words_keep_contractions_and_decimals() {
        let texts: Vec<String> = words("Don't blur 1.5x, ok? 9:16")
            .into_iter()
            .map(|word| word.text)
            .collect();
        assert_eq!(texts, ["Don't", "blur", "1.5x", "ok", "9", "16"]);
        assert_eq!(words("the patient's name")[1].text, "patient");
    }

    #[test]
    fn phrases_match_words_prefixes_gaps_and_concepts() {
        let c = clause("please make the faces totally unrecognisable");
        assert!(c.has("face*"));
        assert!(!c.has("fac"));
        assert!(c.has("make ~ unrecogni*"));
        assert!(!c.has("please unrecogni*"));
        assert!(c.has("@hide"));
        assert_eq!(c.find("the face*"), Some(Span { start: 2, end: 4 }));
        assert_eq!(
            clause("blur it, then blur the faces").starts(&["blur*"]),
            [0, 3]
        );
    }

    #[test]
    fn a_result_phrase_is_split_from_the_ask() {
        let c = clause("mirror the selfie so the writing reads the right way round");
        assert_eq!(c.ask().text, "mirror the selfie");
        assert_eq!(
            c.result().map(|result| result.text),
            Some("so the writing reads the right way round".to_owned())
        );
        assert!(clause("it's so dark, brighten it").result().is_none());
        assert!(
            clause("posting it online, so the faces need hiding")
                .result()
                .is_none()
        );
    }

    #[test]
    fn object_words_skip_a_trailing_purpose_phrase() {
        let c = clause("de-identify this one for the case report");
        assert!(c.has("report*"));
        assert!(!c.has("=report*"));
        assert!(clause("de-identify the report").has("=report*"));
        assert!(!clause("de-identify this before it goes into the case report").has("=report*"));
        assert!(clause("before the report goes out, de-identify it").has("=report*"));
        assert!(
            clause("for the report, blur the faces and then crop it for me please").has("=report*")
        );
    }
}
