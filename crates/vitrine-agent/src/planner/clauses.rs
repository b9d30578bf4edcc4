//! Splitting a request into clauses, each asking for one thing (or several things with one
//! verb: "blur the faces and the name tags"), and telling asks from filler and description.

use std::sync::LazyLock;

use regex::Regex;
use vitrine_tools::meaning::lexicon::ACTION_WORDS;
use vitrine_tools::meaning::{Clause, read};
use vitrine_wire::ArtifactKind;

static REF_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(img|vid|aud|doc|recon|arr|url)_\w{6}\b")
        .unwrap_or_else(|error| panic!("bad ref pattern: {error}"))
});

/// Hard boundaries: sentence ends and words that always start a new ask.
static HARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:[.!?;]+(?:\s+|$)|\n+|\s*(?:,\s*)?\b(?:and then|then|and after(?: that)?|after that|afterwards|finally|and also|and separately|also|plus|but|once done|once that's done|before that|followed by)\b\s*|\s*,\s*(?:and\s+)?next\b,?\s*|\s*&\s*then\b|,?\s*\bstep\s*\d{1,2}\b\s*[:.)-]?\s*)",
    )
    .unwrap_or_else(|error| panic!("bad clause pattern: {error}"))
});

/// Soft boundaries: "and" and commas split only when what follows starts a new ask.
static SOFT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\s*,\s*(?:and\s+)?|\s+and\s+|\s+&\s+|\s+\+\s+|\s+as well as\s+|\s+or\s+|\s+[-–—]+\s+",
    )
    .unwrap_or_else(|error| panic!("bad clause pattern: {error}"))
});

/// Words that may stand before the verb of an ask ("please", "could you", "I'd like you to").
const LEAD_INS: &[&str] = &[
    "please",
    "pls",
    "plz",
    "kindly",
    "can",
    "could",
    "would",
    "will",
    "you",
    "u",
    "i",
    "i'd",
    "id",
    "we",
    "we'd",
    "like",
    "love",
    "to",
    "want",
    "need",
    "just",
    "also",
    "now",
    "then",
    "and",
    "also",
    "first",
    "firstly",
    "second",
    "lastly",
    "finally",
    "ok",
    "okay",
    "hey",
    "hi",
    "hello",
    "quickly",
    "quick",
    "next",
    "let's",
    "lets",
    "go",
    "ahead",
    "help",
    "me",
    "us",
    "mind",
    "possibly",
    "maybe",
    "perhaps",
    "do",
    "a",
    "favour",
    "favor",
    "wanna",
    "gonna",
    "i'm",
    "im",
    "looking",
    "hoping",
    "trying",
    "try",
    "should",
    "must",
    "may",
    "might",
    "the",
    "oh",
    "um",
    "so",
    "yes",
    "yeah",
    "sure",
    "thanks",
    "thank",
    "roughly",
    "approximately",
];

/// Words that carry no ask on their own.
const FILLER: &[&str] = &[
    "please",
    "pls",
    "plz",
    "thanks",
    "thank",
    "thx",
    "ty",
    "you",
    "cheers",
    "hi",
    "hello",
    "hey",
    "ok",
    "okay",
    "great",
    "cool",
    "nice",
    "awesome",
    "asap",
    "quickly",
    "quick",
    "now",
    "for",
    "me",
    "us",
    "the",
    "a",
    "an",
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "it's",
    "is",
    "are",
    "was",
    "be",
    "to",
    "of",
    "and",
    "so",
    "just",
    "also",
    "here",
    "there",
    "my",
    "our",
    "your",
    "in",
    "on",
    "with",
    "much",
    "lot",
    "lots",
    "all",
    "good",
    "fine",
    "sure",
    "i",
    "we",
    "can",
    "could",
    "would",
    "will",
    "do",
    "done",
    "kindly",
    "again",
    "one",
    "more",
    "time",
    "bye",
    "regards",
    "best",
    "love",
    "appreciate",
    "appreciated",
    "it.",
    "yes",
    "no",
    "ahead",
    "go",
    "if",
    "possible",
    "when",
    "get",
    "chance",
    "tia",
    "advance",
    "much",
    "very",
    "as",
    "usual",
    "always",
];

/// Clauses that point back at the ask before them ("please fix that") or state what a tool
/// keeps anyway ("and keep the sound"): not asks of their own.
const BACK_REFERENCES: &[&str] = &[
    "fix ~ that",
    "fix ~ it",
    "fix ~ this",
    "do ~ it",
    "do ~ that",
    "do ~ this",
    "sort ~ out",
    "take care",
    "handle ~ it",
    "handle ~ that",
    "make it happen",
    "go ahead",
    // "Is that doable from one photo?": whether the ask before can be done.
    // Not "is it possible to swap the sky", an ask of its own.
    "is that doable",
    "is this doable",
    "is that possible",
    "is this possible",
    "can that be done",
    "can this be done",
    "that's all",
    "nothing else",
    "keep ~ sound",
    "keep ~ audio",
    "keep ~ quality",
    "keep ~ resolution",
    "keep ~ aspect ratio",
    "keep ~ proportions",
    "keep ~ colo*",
    "keep ~ rest",
    "leave ~ rest",
    "keep ~ readable",
    "keep ~ legible",
    "keep ~ visible",
    // "Keep the vitals and the medication list readable": a longer list.
    "keep ~ ~ readable",
    "keep ~ ~ legible",
    "keep ~ intact",
    "keep ~ as is",
    "keep ~ unchanged",
    "leave ~ readable",
    "leave ~ legible",
    "leave ~ visible",
    "leave ~ alone",
    "leave ~ as is",
    "leave ~ as they are",
    "leave ~ untouched",
    "don't touch",
    "do not touch",
    "don't change",
    "nothing more",
    // "Cut out the background, I just want the product on its own": what the cut-out is for.
    "on its own",
    "on their own",
    "by itself",
    "by themselves",
    // "… and send it to me": the answer carries the result anyway.
    "send ~ to me",
    "send ~ to us",
    "send ~ over",
    "pass ~ to me",
    // "… and fill in the schema": the answer's fields, filled anyway.
    "fill ~ schema",
    "fill ~ json",
    "fill ~ fields",
    "fill ~ template",
    // "…, can you build it?": the ask before, asked again.
    "build ~ it",
    "build ~ that",
    "create ~ it",
    // "Need to check before I post it", "I just need the total": why the ask is made, or
    // what of its answer matters.
    "need to check",
    "want to check",
    "have to check",
    "need the",
    "just want the",
    "only want the",
];

/// Questions that start a new ask ("…, and is this wine any good?").
const QUESTION_STARTS: &[&str] = &[
    "is this",
    "is it",
    "is that",
    "is there",
    "are there",
    "are they",
    "are these",
    "does it",
    "does this",
    "do they",
    "was it",
    "were they",
    "tell me",
    "can you tell",
];

/// Chat spellings and common typos, as whole words, and what they stand for.
const SPELLINGS: &[(&str, &str)] = &[
    ("wat", "what"),
    ("wut", "what"),
    ("wot", "what"),
    ("wht", "what"),
    ("whta", "what"),
    ("teh", "the"),
    ("hte", "the"),
    ("ur", "your"),
    ("r", "are"),
    ("pic", "picture"),
    ("pics", "pictures"),
    ("img", "image"),
    ("imgs", "images"),
    ("imgae", "image"),
    ("iamge", "image"),
    ("vid", "video"),
    ("vids", "videos"),
    ("plz", "please"),
    ("pls", "please"),
    ("thx", "thanks"),
    ("u", "you"),
    ("adress", "address"),
    // "Before I put it on Facebook": no face in it.
    ("facebook", "fb"),
    ("adresses", "addresses"),
    ("mosiac", "mosaic"),
    ("pixlate", "pixelate"),
    ("pixlated", "pixelated"),
    ("pixleate", "pixelate"),
    ("blurr", "blur"),
    ("bluring", "blurring"),
    ("backround", "background"),
    ("recieved", "received"),
];

static WORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[a-z]+\b").unwrap_or_else(|error| panic!("bad word pattern: {error}"))
});

/// A word for people used to name a thing they carry ("staff badge", "employee id"): the thing
/// is text on the image, not someone's face.
static PEOPLE_AS_MODIFIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:staff|employee|student|visitor|guest|member|customer|client)s?(?:'s|')?\s+(badges?|ids?|id cards?|cards?|passes|pass|lanyards?|numbers?|records?|files?|lists?|details|info|information|names?|emails?|addresses|address)\b",
    )
    .unwrap_or_else(|error| panic!("bad modifier pattern: {error}"))
});

/// "Blur everyone but me": "but" after "everyone" or "all" means "except", and does not start
/// a clause of its own.
static ALL_BUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(everyone|everybody|every face|all faces|all the faces) but\b")
        .unwrap_or_else(|error| panic!("bad all-but pattern: {error}"))
});

/// "Faces -> solid fill": what, then how it is hidden.
static HIDDEN_HOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(^|[:,;]\s*)([a-z' ]{1,40}?)\s*(?:->|→|=>)\s*(solid fill|solid black|black boxes|black bars|fill|blur|pixelate|pixelation|mosaic)\b",
    )
    .unwrap_or_else(|error| panic!("bad hidden-how pattern: {error}"))
});

/// "Sorry it's a bit blurry", "sorry about the glare": an apology for the input, not the
/// "sorry, I meant 800" that takes back what came before.
static APOLOGY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:sorry|apologies),?\s+((?:about|for the|for how|if|(?:it's|it is|it was) (?:a bit|a little|so|quite|very|kind of|pretty|rather|really|slightly|not great|blurry|dark|grainy|small|low|tilted|crooked|out of focus)) )",
    )
        .unwrap_or_else(|error| panic!("bad apology pattern: {error}"))
});

/// "Heads up: …", "FYI: …": a label before what is said.
static LABELS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        // "Research comms needs two things for the festival: …".
        r"(^|[.!?;\n]\s*)(?:heads up|fyi|note|notes|context|btw|ps|update|[a-z ]{0,30}\b(?:need|needs|have|want|wants) (?:two|three|four|a few|some|several) things(?: [a-z ]{0,30})?)\s*:\s*",
    )
    .unwrap_or_else(|error| panic!("bad label pattern: {error}"))
});

/// "What's left is her face", "what I need: the GPS gone": a head that only announces the ask
/// (its "what" is no question).
static ANNOUNCES_THE_ASK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(^|[.!?;\n]\s*)what(?:'s| is| i| we| i'd| we'd)?\s+(?:still\s+|really\s+)?(?:left|missing|needed|remaining|need|needs|want|like|would like)(?:\s+(?:to do|now|from you))?\s*(?:is\s+|are\s+|:\s*)",
    )
    .unwrap_or_else(|error| panic!("bad announcing pattern: {error}"))
});

/// "Two things before this goes into the case report: hide …": a count of asks announced before
/// a colon ends a sentence of its own, so what it says of them is not read as part of the first
/// ask.
static ANNOUNCES_A_LIST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(^|[.!?;\n]\s*)((?:two|three|four|2|3|4|a few|a couple of|couple of|few|several|some)\s+(?:quick\s+|small\s+|little\s+)?(?:things|requests|changes|edits|tasks|jobs|asks|fixes)\b[^:.!?]{0,100}):\s*",
    )
    .unwrap_or_else(|error| panic!("bad list pattern: {error}"))
});

/// "… I want to know: does this picture contain GPS data?": the question after the colon is a
/// sentence of its own, not words of the context before it.
static WANTS_TO_KNOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b((?:want|wanted|need|needed|like|love|wanna|have)\s+to\s+know|wondering|my question is|question)\s*:\s+",
    )
    .unwrap_or_else(|error| panic!("bad question pattern: {error}"))
});

/// "Actually no, solid black boxes would be better": the "no" takes back what came before, it
/// does not negate what follows.
static TAKEN_BACK_NO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(actually),?\s+no\s*[,.!-]|\bno,\s+(actually)\b")
        .unwrap_or_else(|error| panic!("bad taken-back pattern: {error}"))
});

/// "None of that can stay readable": what may not stay, said as what to make of it (not "the
/// names can stay readable", what stays).
static NONE_MAY_STAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\bnone of ((?:that|it|this|those|these|them|the\s+\w+)(?:\s+\w+)?)\s+(?:can|may|should|must|is to|are to)\s+(?:stay|remain|be left)\s+(readable|legible|visible)",
    )
    .unwrap_or_else(|error| panic!("bad none-may-stay pattern: {error}"))
});

/// "… don't need blurring", "no need to hide the faces": a need said not to be.
pub(super) fn is_negated_need(clause: &Clause) -> bool {
    clause.has_any(&[
        "don't need",
        "doesn't need",
        "do not need",
        "does not need",
        "no need",
        "needn't",
        "don't have to",
        "doesn't have to",
        "not need",
        "never need",
    ])
}

/// "…, so before that": the next ask runs before the one said before.
pub(super) fn ends_with_before_that(clause: &Clause) -> bool {
    let said = clause.text.trim_end_matches([',', '.', ' ', ':']);
    [
        "before that",
        "before you do that",
        "before doing that",
        "but first",
        "first though",
    ]
    .iter()
    .any(|marker| said.ends_with(marker))
        // "First" alone, not "do the faces first", which orders its own ask.
        || said == "first"
}

/// "First cut it to the relay" after another ask: this one runs before it.
pub(super) fn goes_first(clause: &Clause) -> bool {
    // Not "First frame as the thumbnail", "first two pages as PNGs": an ordinal, not an order.
    let said = clause.text.trim_start_matches([',', ' ']);
    [
        "but first, ",
        "but first ",
        "first though, ",
        "first though ",
        "before that, ",
        "before that ",
        "first, ",
        "first ",
    ]
    .iter()
    .find_map(|marker| said.strip_prefix(marker))
    .is_some_and(starts_an_ask)
}

/// Things a step makes, named without a verb ("a depth map", "a 3d model of the sofa").
const THINGS_MADE: &[&str] = &[
    "depth map*",
    "3d",
    "splat*",
    "headshot*",
    "cut out",
    "cutout*",
    "cut-out*",
    "transcript*",
    "pdf",
    "gif",
    "mp3",
    "black and white version",
    "greyscale version",
    "grayscale version",
    "subtitle*",
    "caption*",
    "thumbnail*",
];

/// Runs of emoji (pictographs, dingbats and their modifiers).
static EMOJI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\s*[\x{1F000}-\x{1FAFF}\x{2600}-\x{27BF}][\x{1F000}-\x{1FAFF}\x{2600}-\x{27BF}\x{FE0F}\x{200D}]*")
        .unwrap_or_else(|error| panic!("bad emoji pattern: {error}"))
});

/// "…, and separately also just the dog": one more of the same, of another thing.
static SEPARATELY_THE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:and )?separately,? (?:also )?((?:just |only )?(?:the|a|an|my|his|her|their|our) )",
    )
    .unwrap_or_else(|error| panic!("bad separately pattern: {error}"))
});

/// A car's plate, named as such somewhere in the request.
static CAR_PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:number|licen[cs]e|registration|reg|car|vehicle)[ -]plates?\b")
        .unwrap_or_else(|error| panic!("bad plate pattern: {error}"))
});

/// "The plate", said bare (not "the number plate", "the dinner plate").
static BARE_PLATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(the|its|their|that|those|his|her) (plates?)\b")
        .unwrap_or_else(|error| panic!("bad plate pattern: {error}"))
});

/// The request lower-cased, with artifact ids named in it replaced by "it" and chat spellings
/// written out ("wat does the sign say").
pub(super) fn normalise(instruction: &str) -> String {
    let lower = instruction.to_lowercase().replace(['’', '‘'], "'");
    // "… of this drawing 🙈 can you blur that corner": an emoji before an ask ends what it
    // follows; elsewhere ("a cat wearing sunglasses 😎 for the card") it is left out.
    let lower = EMOJI.replace_all(&lower, |found: &regex::Captures<'_>| {
        let end = found.get(0).map_or(0, |whole| whole.end());
        if starts_an_ask(lower[end..].trim_start()) {
            "."
        } else {
            " "
        }
    });
    // "Screenshot lemonde.fr": a typed domain is an address like any other.
    let lower = vitrine_tools::meaning::read::with_schemes(&lower);
    // "Their staff number" is an id number, not any number.
    let lower = PEOPLE_AS_MODIFIER.replace_all(&lower, |found: &regex::Captures<'_>| {
        if found[1].starts_with("number") {
            format!("id {}", &found[1])
        } else {
            found[1].to_owned()
        }
    });
    let lower = ANNOUNCES_THE_ASK.replace_all(&lower, "$1");
    // Only before an ask ("…: hide her face"), not before a list of things ("…: a 3D model of
    // the car, and a depth map"), which the count still holds together.
    let lower = ANNOUNCES_A_LIST.replace_all(&lower, |found: &regex::Captures<'_>| {
        let whole = found.get(0).map_or(0..0, |whole| whole.range());
        if starts_an_ask(&lower[whole.end..]) {
            format!("{}{}. ", &found[1], &found[2])
        } else {
            lower[whole].to_owned()
        }
    });
    let lower = LABELS.replace_all(&lower, "$1");
    // Not "separately, the background is too dark": a statement of its own.
    let lower = SEPARATELY_THE.replace_all(&lower, |found: &regex::Captures<'_>| {
        let end = found.get(0).map_or(0, |whole| whole.end());
        let states = lower[end..].split_whitespace().take(3).any(|word| {
            [
                "is", "are", "was", "were", "has", "have", "looks", "seems", "needs",
            ]
            .contains(&word)
        });
        if states {
            found[0].to_owned()
        } else {
            format!("and also a separate one of {}", &found[1])
        }
    });
    // "… with its number plate visible … Blur the faces and the plate": the same plate.
    // Not "the plate of pasta".
    let lower = if CAR_PLATE.is_match(&lower) {
        BARE_PLATE.replace_all(&lower, |found: &regex::Captures<'_>| {
            let end = found.get(0).map_or(0, |whole| whole.end());
            if lower[end..].trim_start().starts_with("of ") {
                found[0].to_owned()
            } else {
                format!("{} number {}", &found[1], &found[2])
            }
        })
    } else {
        lower
    };
    // Only before a question ("… need to know: names and addresses" lists what to hide).
    let lower = WANTS_TO_KNOW.replace_all(&lower, |found: &regex::Captures<'_>| {
        let whole = found.get(0).map_or(0..0, |whole| whole.range());
        let next = lower[whole.end..]
            .split_whitespace()
            .next()
            .unwrap_or_default();
        if [
            "does", "do", "is", "are", "was", "were", "what", "which", "who", "how", "when",
            "where", "why", "can", "could", "has", "have", "did", "will",
        ]
        .contains(&next)
        {
            format!("{}. ", &found[1])
        } else {
            lower[whole].to_owned()
        }
    });
    let lower = TAKEN_BACK_NO.replace_all(&lower, "$1$2");
    let lower = NONE_MAY_STAY.replace_all(&lower, |found: &regex::Captures<'_>| {
        let unseen = match &found[2] {
            "legible" => "illegible",
            "visible" => "invisible",
            _ => "unreadable",
        };
        format!("make all of {} {unseen}", &found[1])
    });
    let lower = APOLOGY.replace_all(&lower, "$1");
    let lower = ALL_BUT.replace_all(&lower, "$1 except");
    let lower = HIDDEN_HOW.replace_all(&lower, "${1}hide $2 with $3");
    // "grayscale → +30% contrast → strip metadata": a chain of arrows is a list of steps (one
    // arrow, as in "dining table -> 3D", says what becomes what).
    let arrows = ["→", "->", "=>"];
    let lower = if arrows
        .iter()
        .map(|arrow| lower.matches(arrow).count())
        .sum::<usize>()
        >= 2
    {
        arrows
            .iter()
            .fold(lower.into_owned(), |text, arrow| {
                text.replace(arrow, ", then ")
            })
            .into()
    } else {
        lower
    };
    let ids = REF_ID.replace_all(&lower, "it");
    // A web address is kept as typed ("facebook.com/u/ourpage" is not respelled).
    let in_address = |at: usize| {
        ids[..at]
            .rsplit(char::is_whitespace)
            .next()
            .is_some_and(|token| token.contains("://"))
    };
    WORD.replace_all(&ids, |found: &regex::Captures<'_>| {
        let word = &found[0];
        let start = found.get(0).map_or(0, |whole| whole.start());
        SPELLINGS
            .iter()
            .find(|(typed, _)| *typed == word && !in_address(start))
            .map_or_else(|| word.to_owned(), |(_, meant)| (*meant).to_owned())
    })
    .into_owned()
}

fn starts_an_ask(piece: &str) -> bool {
    // "… and if possible make her smile": a hedge before the ask.
    // Not "if you can read the licence plate, blur it", a condition.
    for hedge in [
        "if possible ",
        "if you can, ",
        "if you could, ",
        "if it's possible ",
        "if it is possible ",
        // "…, and while you're at it blur anyone's face too".
        "while you're at it ",
        "while you are at it ",
        "whilst you're at it ",
        "while you're there ",
    ] {
        if let Some(rest) = piece.trim_start().strip_prefix(hedge) {
            return starts_an_ask(rest.trim_start_matches([',', ' ']));
        }
    }
    // "… and from that bit I want the audio on its own": what it works on, said first.
    for source in ["from that ", "from this ", "out of that ", "out of this "] {
        if let Some(rest) = piece.trim_start().strip_prefix(source)
            && let Some((thing, ask)) = rest.split_once(' ')
            && ["bit", "part", "section", "clip", "piece", "segment", "one"].contains(&thing)
        {
            let ask = ask.trim_start_matches([',', ' ']);
            let said = ask.to_lowercase();
            return starts_an_ask(ask)
                || [
                    "i want ",
                    "i need ",
                    "i'd like ",
                    "we want ",
                    "we need ",
                    "we'd like ",
                ]
                .iter()
                .any(|wish| said.starts_with(wish));
        }
    }
    // "… and from that give me a frame every five seconds": what it works on, then the ask.
    for source in ["from that, ", "from that ", "from this ", "from there "] {
        if let Some(rest) = piece.trim_start().strip_prefix(source)
            && starts_an_ask(rest)
        {
            return true;
        }
    }
    // "…, to put in a frame next to his photo": a purpose, said after its ask.
    if piece.trim_start().starts_with("to ") {
        return false;
    }
    let clause = Clause::new(piece, piece);
    // "Could it be turned into a 3D model?", "can this be cropped square": an ask in the
    // passive.
    let words = texts(&clause);
    if let Some(at) = words
        .iter()
        .position(|word| !["please", "so", "and", "also"].contains(word))
        && let [
            "can" | "could",
            "it" | "this" | "that" | "they" | "these" | "those",
            "be",
            done,
            ..,
        ] = &words[at..]
        && is_past_participle(done)
        // "Can this be used for a passport photo?" asks whether it will do.
        && ![
            "used", "seen", "found", "shown", "considered", "accepted", "trusted", "taken",
            "posted", "shared", "published", "printed", "sent", "uploaded",
        ]
        .contains(done)
    {
        return true;
    }
    let Some(mut first) = clause
        .words
        .iter()
        .position(|word| !LEAD_INS.contains(&word.text.as_str()))
    else {
        return false;
    };
    // "A hand-knitted scarf in burgundy on an oak table": a thing named, not an ask.
    if ["a", "an"].contains(&clause.words[0].text.as_str())
        && clause.words[..first]
            .iter()
            .all(|word| ["a", "an", "just", "only"].contains(&word.text.as_str()))
    {
        return false;
    }
    // "… and keeps asking what we ordered", "saves me redoing it": a verb in "-s" goes on
    // with a subject said before; an ask never has one.
    if first == 0 && GOES_ON_VERBS.contains(&clause.words[0].text.as_str()) {
        return false;
    }
    // "Taken on the ferry to Skye", "shot at dusk": how the input came about, not an ask.
    if first == 0
        && is_past_participle(&clause.words[0].text)
        && clause
            .words
            .get(1)
            .is_some_and(|next| PLACE_AND_TIME_WORDS.contains(&next.text.as_str()))
    {
        return false;
    }
    // "We open on the 14th", "I shoot mostly film": the subject's own verb, with no "want",
    // "need", "can" or "please" before it that would make it an ask.
    let lead_ins: Vec<&str> = clause.words[..first]
        .iter()
        .map(|word| word.text.as_str())
        .collect();
    if matches!(
        lead_ins.as_slice(),
        ["i" | "we"] | ["so" | "and" | "then", "i" | "we"]
    ) {
        return false;
    }
    // "Listing photo of the hallway": a word in -ing before the input's noun names it.
    if clause.words[first].text.ends_with("ing")
        && clause
            .words
            .get(first + 1)
            .is_some_and(|next| INPUT_NOUNS.contains(&next.text.as_str()))
    {
        return false;
    }
    // "I just need to know how many faces there are" (not "so I know how many forms to
    // chase", a purpose).
    if clause.words[first].text == "know"
        && clause.words[..first]
            .iter()
            .any(|word| ["need", "want", "like"].contains(&word.text.as_str()))
    {
        first += 1;
        if first == clause.words.len() {
            return false;
        }
    }
    // "The printers will handle resizing": a word before a modal verb is its subject (an ask
    // puts "can" or "will" first: "can you …").
    // Not "how would I look", "I would like …".
    let subject = clause.words[first].text.as_str();
    if !QUESTION_WORDS.contains(&subject)
        && !["i", "we", "you", "u"].contains(&subject)
        && clause.words.get(first + 1).is_some_and(|next| {
            ["will", "would", "should", "must", "might", "may", "shall"]
                .contains(&next.text.as_str())
        })
    {
        return false;
    }
    // "The first mask marks woodland": a noun after a determiner, before a verb in "-s", is its
    // subject (not "reduce highlights", a verb and its object).
    if first > 0
        && [
            "the", "this", "that", "my", "our", "first", "second", "each", "every",
        ]
        .contains(&clause.words[first - 1].text.as_str())
        && clause.words.get(first + 1).is_some_and(|next| {
            [
                "marks",
                "shows",
                "covers",
                "contains",
                "includes",
                "holds",
                "outlines",
                "highlights",
                "selects",
                "represents",
                "depicts",
                "features",
            ]
            .contains(&next.text.as_str())
                || GOES_ON_VERBS.contains(&next.text.as_str())
        })
    {
        return false;
    }
    // "The model is the first photo": a noun before "is" is the subject, not a verb.
    let question = QUESTION_WORDS.contains(&clause.words[first].text.as_str());
    // "The upload limit is tight": a copula soon after means a statement.
    if !question
        && clause
            .words
            .iter()
            .skip(first + 1)
            .take(3)
            .any(|next| ["is", "are", "was", "were", "has", "have"].contains(&next.text.as_str()))
    {
        return false;
    }
    let rest = Clause::new(clause.text_from(first), piece);
    ACTION_WORDS
        .iter()
        .chain(QUESTION_STARTS)
        .any(|phrase| rest.find(phrase).is_some_and(|span| span.start == 0))
}

/// Words that start a question.
const QUESTION_WORDS: &[&str] = &["what", "which", "who", "how", "where", "when", "why"];

/// Verbs in "-s" that go on with a subject said before ("… and keeps asking", "turns out").
const GOES_ON_VERBS: &[&str] = &[
    "keeps", "says", "turns", "saves", "goes", "seems", "looks", "loves", "likes", "hates",
    "thinks", "runs", "gets", "comes", "means", "works", "happens", "tends", "insists", "claims",
    "reckons", "lives", "sells", "owns",
];

/// Words that follow a participle describing how the input came about ("taken on …").
const PLACE_AND_TIME_WORDS: &[&str] = &[
    "on",
    "at",
    "in",
    "for",
    "by",
    "during",
    "from",
    "last",
    "yesterday",
    "outside",
    "inside",
    "near",
    "when",
    "while",
    "after",
    "before",
    "around",
    "through",
    "back",
    "years",
    "ages",
    "earlier",
    "today",
    "this",
    // "Taken sometime in the sixties", "shot ages ago", "snapped one evening".
    "sometime",
    "some",
    "one",
    "about",
    "roughly",
    "probably",
    "maybe",
    "decades",
    "long",
    // "Taken an hour apart", "shot two days later".
    "a",
    "an",
    "two",
    "three",
    "several",
    "minutes",
    "hours",
    "days",
    "weeks",
];

/// "Taken", "filmed", "scanned": a past participle, by its ending or as one of the common
/// irregular ones.
fn is_past_participle(word: &str) -> bool {
    is_past_tense(word)
        || [
            "taken", "shot", "made", "done", "drawn", "written", "sent", "given", "shown", "seen",
            "caught", "bought", "built", "found", "got", "gotten",
        ]
        .contains(&word)
}

/// "Did they look like they were enjoying it", "is anyone wearing a hat": a question of its
/// own after "and".
fn starts_a_yes_no_question(piece: &str) -> bool {
    let mut words = piece.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (
            Some("did" | "does" | "is" | "are" | "was" | "were"),
            Some(
                "they"
                    | "he"
                    | "she"
                    | "it"
                    | "anyone"
                    | "anybody"
                    | "any"
                    | "we"
                    | "i"
                    | "you"
                    | "my"
                    | "this"
                    | "there"
                    | "the"
                    | "that"
            )
        ) | (
            Some("do"),
            Some("they" | "anyone" | "anybody" | "any" | "we" | "i" | "you")
        )
    )
}

/// Words that want or need something done, wherever they stand ("the audio needs a
/// voice-over", "I'd love it in colour").
pub(super) const WISHES: &[&str] = &[
    "need*",
    "want*",
    "should",
    "must",
    "has to",
    "have to",
    "got to",
    "gotta",
    "please",
    "pls",
    "can you",
    "could you",
    "would you",
    "can u",
    "could u",
    "like",
    "love",
    "wish",
    "hoping",
    "hope",
];

/// Words of wanting now ("I want", "please"), not "the nurse who wanted to show off the board".
pub(super) fn wishes_now(clause: &Clause) -> bool {
    let mut present = clause.text.clone();
    // Nor "framed it like that", a comparison.
    for past in [
        "wanted",
        "needed",
        "liked",
        "loved",
        "hoped",
        "like that",
        "like this",
        "like a ",
        "like an ",
        // "Customers keep asking what it looks like": a likeness, not a liking.
        "looks like",
        "look like",
        "looked like",
        "seems like",
        "sounds like",
        "feels like",
    ] {
        present = present.replace(past, " ");
    }
    Clause::new(&present, &clause.request).has_any(WISHES)
}

/// "We had the school concert in the gym and the lighting was terrible": a subject, then a
/// verb in the past or a copula: something told, not asked.
pub(super) fn tells_a_story(clause: &Clause) -> bool {
    let words = texts(clause);
    let subject = words.first().is_some_and(|first| {
        [
            "we", "i", "he", "she", "they", "it", "the", "my", "our", "his", "her", "their",
            "this", "that", "there",
        ]
        .contains(first)
    });
    subject
        && words.iter().skip(1).any(|word| {
            is_past_tense(word)
                || [
                    "was", "were", "had", "is", "are", "has", "came", "went", "got", "took",
                ]
                .contains(word)
        })
}

/// Past forms that do not end in "-ed".
const IRREGULAR_PAST: &[&str] = &[
    "did",
    "made",
    "took",
    "got",
    "went",
    "came",
    "saw",
    "said",
    "told",
    "gave",
    "found",
    "thought",
    "knew",
    "sent",
    "bought",
    "brought",
    "caught",
    "taught",
    "kept",
    "held",
    "ran",
    "sat",
    "stood",
    "wrote",
    "drew",
    "began",
    "became",
    "broke",
    "chose",
    "drove",
    "ate",
    "fell",
    "flew",
    "forgot",
    "grew",
    "heard",
    "lost",
    "meant",
    "met",
    "paid",
    "sold",
    "spent",
    "spoke",
    "threw",
    "understood",
    "woke",
    "won",
    "wore",
    "built",
    "fought",
    "slept",
    "stuck",
    "tore",
    "was",
    "were",
    "had",
];

/// Verbs in the present that say how things are or go, never what to do.
const TELLING_VERBS: &[&str] = &[
    "is",
    "are",
    "am",
    "has",
    "have",
    "keeps",
    "keep",
    "runs",
    "run",
    "goes",
    "go",
    "says",
    "say",
    "thinks",
    "think",
    "lives",
    "live",
    "works",
    "work",
    "comes",
    "come",
    "looks",
    "seems",
    "seem",
    "knows",
    "know",
    "sells",
    "sell",
    "collect",
    "collects",
    "means",
    "feels",
    "sounds",
    "happens",
    "belongs",
    "owns",
    "own",
    "plays",
    "hates",
    "hate",
    "tends",
    "sits",
    "stands",
    "hangs",
    "look",
    "range",
    "ranges",
    "claims",
    "claim",
    "insists",
    "insist",
    "uses",
    "use",
    "loves",
    "likes",
    "gets",
    "get",
    "takes",
    "does",
    "do",
    "starts",
    "ends",
    "lasts",
    "swears",
    "believes",
    "argues",
    "agrees",
    "reckons",
    "includes",
    "include",
    "contains",
    "contain",
    "shows",
    "lists",
    "features",
    "carries",
    "mentions",
    "exports",
    "export",
    "prints",
    "holds",
    // "Our email system chokes on big PNGs" (not "the portal rejects anything over 2 MB", a
    // limit the result must meet).
    "chokes",
    "choke",
    "struggles",
    "struggle",
    "fails",
    "breaks",
    "crashes",
    "freezes",
    "complains",
    // "She didn't add a caption", "my screen reader can't handle it".
    "didn't",
    "didnt",
    "doesn't",
    "doesnt",
    "don't",
    "dont",
    "hasn't",
    "haven't",
    "wasn't",
    "weren't",
    "isn't",
    "aren't",
    "won't",
    "never",
];

/// Words that turn to the reader, so a sentence with them may ask however it starts.
const TO_THE_READER: &[&str] = &["you", "u", "please", "pls"];

/// Advice someone gave, told ("a friend said I should …", "my TA suggested …").
const ADVICE: &[&str] = &[
    "said i should",
    "said we should",
    "says i should",
    "says we should",
    "told me to",
    "told us to",
    "suggested",
    "recommended",
    "advised",
    // "A friend warned me that photos posted straight from the phone can reveal …".
    "warned",
];

/// Subjects a verb follows at once ("I upload", "people say").
const BARE_SUBJECTS: &[&str] = &[
    "i",
    "we",
    "he",
    "she",
    "they",
    "it",
    "everyone",
    "everybody",
    "nobody",
    "someone",
    "somebody",
    "people",
    "customers",
    "parents",
    "estimates",
];

/// Other starts of a told sentence: contracted subjects and the words that open a noun phrase.
const PHRASE_SUBJECTS: &[&str] = &[
    "i'm", "i've", "we're", "we've", "he'd", "she'd", "they're", "they've", "i'll", "we'll",
    "she'll", "he'll", "they'll", "the", "my", "our", "his", "her", "their", "this", "that",
    "these", "those", "a", "an", "some", "most", "half", "one", "two", "three", "several", "many",
    "each", "every", "both", "all",
];

/// True when `word` can start a told sentence.
fn starts_a_telling(word: &str) -> bool {
    BARE_SUBJECTS.contains(&word) || PHRASE_SUBJECTS.contains(&word)
}

/// Words between a subject and its verb that change nothing ("I just", "she really").
const TELLING_ADVERBS: &[&str] = &[
    "just",
    "also",
    "really",
    "actually",
    "usually",
    "always",
    "never",
    "recently",
    "finally",
    "only",
    "still",
    "already",
    "even",
    "honestly",
    "literally",
    "often",
    "sometimes",
];

/// Words that say what something must become ("… needs to be 1200 pixels wide").
pub(super) const MUST_BE: &[&str] = &[
    "needs to be",
    "need to be",
    "has to be",
    "have to be",
    "must be",
];

/// Words that say a clause asks for one thing more ("… the name tags too").
pub(super) const ONE_MORE: &[&str] = &["as well", "too", "also"];

/// "Blur the faces and also the name tags", "Rotate it. Also: vertical version": the split
/// took the "also" that says this clause asks one thing more.
pub(super) fn follows_also(clause: &Clause, request: &str) -> bool {
    said_before(clause, request, &[':']).is_some_and(|before| {
        before.ends_with(" also") || before == "also" || before.ends_with(" plus")
    })
}

/// "Blur the faces and also the licence plate": a thing joined by "and also" to the ask
/// before (not "There's also a small photo", a statement split at its "also").
pub(super) fn joined_by_and_also(clause: &Clause, request: &str) -> bool {
    said_before(clause, request, &[':']).is_some_and(|before| {
        before.ends_with(" and also") || before.ends_with(", also") || before.ends_with(" plus")
    })
}

/// The request's text before `clause`, without the `joints` (and spaces) just before it.
fn said_before<'a>(clause: &Clause, request: &'a str, joints: &[char]) -> Option<&'a str> {
    let at = request.find(clause.text.trim_start_matches([':', ' ']))?;
    Some(request[..at].trim_end().trim_end_matches(joints).trim_end())
}

/// "Two requests for https://…. First, an A4 PDF of it": a thing named after an enumerating
/// word is the next thing asked.
pub(super) fn follows_an_enumerator(clause: &Clause, request: &str) -> bool {
    said_before(clause, request, &[':', ',']).is_some_and(|before| {
        [
            "first", "firstly", "second", "secondly", "third", "thirdly", "finally", "lastly",
        ]
        .iter()
        .any(|word| {
            before
                .strip_suffix(word)
                .is_some_and(|rest| rest.is_empty() || rest.ends_with([' ', '.', '!']))
        })
    })
}

/// "Black out the names, leave the faces visible": every face stays as it is (not "leave her
/// face visible", one person spared).
pub(super) fn keeps_every_face(clause: &Clause) -> bool {
    clause.has_any(&[
        "leave the faces",
        "leave all the faces",
        "leave all faces",
        "leave faces",
        "keep the faces",
        "keep all the faces",
        "keep all faces",
        "keep faces",
        "leave everyone's face*",
        "keep everyone's face*",
        "faces can stay",
        "faces are fine",
        // "… but do NOT blur anybody, they agreed to be shown".
        "not @hide anybody",
        "not @hide anyone",
        "not @hide everybody",
        "not @hide everyone",
        "don't @hide anybody",
        "don't @hide anyone",
        "dont @hide anybody",
        "dont @hide anyone",
    ]) && !clause.has_any(&["keep ~ face* ~ @hide", "leave ~ face* ~ @hide"])
        // "Blur the names, not the faces".
        || ["not the faces", "not faces", "not their faces", "not any faces"]
            .iter()
            .any(|end| clause.text.trim_end_matches(['.', '!', ' ']).ends_with(end))
}

/// Participles whose verb is not the word less "-ed" ("taken out" is "take out").
const IRREGULAR_PARTICIPLES: &[(&str, &str)] = &[
    ("taken", "take"),
    ("made", "make"),
    ("done", "do"),
    ("cut", "cut"),
    ("shot", "shoot"),
    ("hidden", "hide"),
    ("shown", "show"),
    ("put", "put"),
    ("drawn", "draw"),
    ("split", "split"),
    ("set", "set"),
    ("spun", "spin"),
    ("thrown", "throw"),
    ("sent", "send"),
    ("redone", "redo"),
];

/// Words in "-ed" that are no participle (shorter stems are never read as verbs).
const NOT_PARTICIPLES: &[&str] = &[
    "speed", "indeed", "hundred", "sacred", "naked", "wicked", "embed", "breed",
];

/// The verbs a participle (or, with `gerund`, a form in "-ing") may stand for, most likely
/// first: "blurred" is "blur", "removed" is "remove", "converted" is "convert", "darkened" is
/// "darken", "taking" is "take". The caller keeps the first a tool's words match.
fn verbs_of(word: &str, gerund: bool) -> Vec<String> {
    if let Some((_, verb)) = IRREGULAR_PARTICIPLES.iter().find(|(form, _)| *form == word) {
        return vec![(*verb).to_owned()];
    }
    let Some(stem) = word
        .strip_suffix("ed")
        .filter(|_| !NOT_PARTICIPLES.contains(&word))
        .or_else(|| word.strip_suffix("ing").filter(|_| gerund))
        .filter(|stem| stem.len() >= 3 && stem.is_ascii())
    else {
        return Vec::new();
    };
    if let Some(root) = word.strip_suffix("ied") {
        return vec![format!("{root}y")];
    }
    let vowel = |c: u8| b"aeiou".contains(&c);
    let bytes = stem.as_bytes();
    let (last, before, third) = (
        bytes[bytes.len() - 1],
        bytes[bytes.len() - 2],
        bytes[bytes.len() - 3],
    );
    // "blurred", "cropped", "trimming": one consonant doubled (not "filled", "pressed", "added").
    if last == before && !vowel(last) && !b"lsfdz".contains(&last) {
        return vec![stem[..stem.len() - 1].to_owned(), stem.to_owned()];
    }
    // "removed", "rotated", "resizing": a consonant, a vowel and a consonant lost an "e" (not
    // "darkened", "opened").
    let lost_an_e = !vowel(last) && vowel(before) && !vowel(third) && !stem.ends_with("en");
    if lost_an_e {
        vec![format!("{stem}e"), stem.to_owned()]
    } else {
        vec![stem.to_owned(), format!("{stem}e")]
    }
}

/// Words that may follow a participle that completes a wish ("the colour taken out", "it
/// cropped square", "the faces blurred before Friday"); a noun there makes it an adjective
/// ("the blurred faces").
const AFTER_A_PARTICIPLE: &[&str] = &[
    "out",
    "off",
    "away",
    "up",
    "down",
    "over",
    "back",
    "to",
    "at",
    "by",
    "in",
    "into",
    "as",
    "with",
    "for",
    "from",
    "so",
    "please",
    "pls",
    "too",
    "also",
    "again",
    "and",
    "but",
    "or",
    "before",
    "because",
    "since",
    "if",
    "when",
    "then",
    "first",
    "completely",
    "entirely",
    "fully",
    "properly",
    "heavily",
    "lightly",
    "slightly",
    "a",
    "square",
    "vertically",
    "horizontally",
    "sideways",
    "upside",
    "clockwise",
    "anticlockwise",
    "counterclockwise",
    "left",
    "right",
    "black",
    "white",
    "smaller",
    "bigger",
    "larger",
    "thanks",
    "thx",
    "asap",
    "now",
    "today",
    "tomorrow",
    "though",
    "where",
    "on",
    "all",
    "throughout",
    "everywhere",
];

/// Particles that stay with their verb ("take out the colour").
const PARTICLES: &[&str] = &["out", "off", "away", "up", "down", "over"];

/// "She wants the colour taken out", "I need this resized to 800", "the background needs
/// removing": a wish or need whose object comes before its verb. The
/// imperative readings of it, most likely first ("take out the colour"); the caller keeps the
/// first one a tool's words match. Not a past or negated wish ("they wanted it cropped",
/// "she doesn't want it blurred"), nor "have" or "get" after a subject ("we had the faces
/// blurred" tells).
pub(super) fn imperative_readings(clause: &Clause) -> Vec<String> {
    // "Why would anyone want the colour taken out?" asks nothing.
    if clause.text.trim_end().ends_with('?') {
        return Vec::new();
    }
    let mut words = texts(clause);
    while words.first().is_some_and(|first| {
        [
            "and", "but", "so", "also", "oh", "plus", "ps", "then", "well", "anyway", "finally",
            "lastly",
        ]
        .contains(first)
    }) {
        words.remove(0);
    }
    let negated = |upto: usize| {
        words[..upto.min(words.len())]
            .iter()
            .any(|word| is_negation(word))
    };
    // "… the colour taken out, please": what follows the participle fits a completed wish.
    let completes = |rest: &[&str]| {
        rest.first().is_none_or(|next| {
            AFTER_A_PARTICIPLE.contains(next) || next.starts_with(|c: char| c.is_ascii_digit())
        })
    };
    // The readings of `verbs` acting on `object`, a particle after the verb kept with it.
    let read = |verbs: Vec<String>, object: &str, rest: &[&str]| -> Vec<String> {
        let (particle, rest) = match rest.split_first() {
            Some((next, more)) if PARTICLES.contains(next) => (format!(" {next}"), more),
            _ => (String::new(), rest),
        };
        verbs
            .into_iter()
            .map(|verb| {
                format!("{verb}{particle} {object} {}", rest.join(" "))
                    .trim_end()
                    .to_owned()
            })
            .collect()
    };
    let wish = words.iter().enumerate().take(7).position(|(at, word)| {
        ["want", "wants", "need", "needs", "prefer", "prefers"].contains(word)
            // "I'd like it blurred", not "make it look like it was taken in the 80s".
            || (["like", "love"].contains(word)
                && at >= 1
                && ["i'd", "we'd", "she'd", "he'd", "they'd", "would", "id"].contains(&words[at - 1]))
    });
    let imperative = matches!(words.first(), Some(&("get" | "have")));
    let object_from = match (wish, imperative) {
        (_, true) => Some(1),
        (Some(at), false) if !negated(at) => Some(at + 1),
        _ => None,
    };
    // "… the colour taken out …": the first participle after one to six words of object
    // ("the faces pixelated instead of blurred" reads no further than "pixelated").
    if let Some(from) = object_from
        && let Some(at) = (from + 1..(from + 7).min(words.len()))
            .find(|&at| !verbs_of(words[at], false).is_empty())
        && completes(&words[at + 1..])
        && words[from..at]
            .iter()
            .all(|word| !["to", "is", "was", "are", "were", "be", "been"].contains(word))
    {
        return read(
            verbs_of(words[at], false),
            &words[from..at].join(" "),
            &words[at + 1..],
        );
    }
    // "The colour needs taking out", "the faces should be pixelated", "the name has to be
    // blurred" (not "we have cropped it already", done).
    let Some(at) = words.iter().take(8).position(|word| {
        ["needs", "need", "has", "have", "should", "must", "shall"].contains(word)
    }) else {
        return Vec::new();
    };
    if at == 0 || negated(at + 1) {
        return Vec::new();
    }
    let after = &words[at + 1..];
    let (done, rest) = match (words[at], after) {
        ("needs" | "need", [gerund, rest @ ..]) if gerund.ends_with("ing") => (*gerund, rest),
        ("has" | "have", ["to" | "got", "be", done, rest @ ..])
        | ("has" | "have", ["got", "to", "be", done, rest @ ..])
        | ("needs" | "need", ["to", "be", done, rest @ ..])
        | ("should" | "must" | "shall", ["be", done, rest @ ..]) => (*done, rest),
        _ => return Vec::new(),
    };
    let verbs = verbs_of(done, words[at].starts_with("need"));
    let rest_after_particle = match rest.split_first() {
        Some((next, more)) if PARTICLES.contains(next) => more,
        _ => rest,
    };
    // "The faces should be blurred edges first" is no wording; "blurred before Friday" is.
    if verbs.is_empty() || !completes(rest_after_particle) {
        return Vec::new();
    }
    read(verbs, &words[..at].join(" "), rest)
}

/// "Not", "don't", "nobody", "can't": a word that negates what it stands before.
pub(super) fn is_negation(word: &str) -> bool {
    word.ends_with("n't")
        || [
            "not", "no", "never", "nobody", "none", "dont", "doesnt", "didnt", "cant", "wont",
            "wouldnt", "shouldnt", "isnt",
        ]
        .contains(&word)
}

/// The verbs that pass on what someone else said.
const SAYING: &[&str] = &[
    "says", "say", "said", "insists", "insisted", "reckons", "warned", "warns",
];

/// "My boss says blur the faces", "the client said: crop it square": what someone else said
/// is an ask, passed on.
fn relays_an_ask(words: &[&str]) -> bool {
    // "My coworker said the name on the wristband has to go / has to be blurred": what must
    // be hidden, passed on. Not "said the faces looked soft" (what was thought), "legal says
    // nobody should be identifiable" (a state), "said it has to be approved first" (nothing
    // to do here), nor "the logo has to go" (removing a thing is named as not done where it is
    // asked, not guessed from hearsay).
    let relays_a_need = |after: &[&str]| {
        after.iter().take(14).enumerate().any(|(at, word)| {
            // "My manager says the kids' faces can't be shown": what may not be seen, passed on.
            if ["can't", "cannot", "mustn't", "shouldn't"].contains(word)
                && after.get(at + 1) == Some(&"be")
                && after.get(at + 2).is_some_and(|seen| {
                    [
                        "shown",
                        "seen",
                        "visible",
                        "identifiable",
                        "recognisable",
                        "recognizable",
                        "identified",
                        "recognised",
                        "recognized",
                    ]
                    .contains(seen)
                })
            {
                let what = after[..at].join(" ");
                return Clause::new(&what, &what).has_any(&["@phi", "@faces"]);
            }
            let then = match *word {
                "must" | "should" => &after[at + 1..],
                "has" | "have" | "need" | "needs" if after.get(at + 1) == Some(&"to") => {
                    &after[at + 2..]
                }
                _ => return false,
            };
            let what = after[..at].join(" ");
            match then {
                ["go", ..] | ["come", "out" | "off", ..] => {
                    Clause::new(&what, &what).has_any(&["@phi", "@faces"])
                }
                ["be", done, ..] => Clause::new(done, done).has_any(&["@hide", "@remove"]),
                _ => false,
            }
        }) && !after
            .iter()
            .any(|word| ["if", "whether"].contains(word) || is_negation(word))
    };
    words.iter().enumerate().any(|(at, word)| {
        if !SAYING.contains(word) || words[..at].iter().any(|word| is_negation(word)) {
            return false;
        }
        let after = &words[at + 1..];
        // "My sister said to make the whole thing a bit brighter as well": one more thing,
        // passed on (not "a friend said to shoot in raw", advice).
        let one_more_said = matches!(after.first(), Some(&"to"))
            && Clause::new(&after.join(" "), "").has_any(ONE_MORE)
            && starts_an_ask(&after[1..].join(" "));
        // An imperative follows at once: not "said the cut-out looked harsh", "said to crop
        // it" (advice) or "didn't say which ones".
        let imperative = after.first().is_some_and(|next| {
            ![
                "the", "a", "an", "it", "its", "it's", "that", "this", "they", "she", "he", "i",
                "we", "you", "to", "which", "what", "how", "no", "not", "so", "there", "yes", "my",
                "our", "her", "his", "their",
            ]
            .contains(next)
        }) && starts_an_ask(&after.join(" "));
        relays_a_need(after) || one_more_said || imperative
    }) || insists_on_hiding(words)
        || asks_that_none_be_known(words)
}

/// "The tenant has asked us to make sure none of those faces can be identified", "legal has
/// asked that no runner's face be recognisable": an ask that nobody be recognised, passed on.
fn asks_that_none_be_known(words: &[&str]) -> bool {
    const ASKED: &[&str] = &[
        "asked",
        "asks",
        "wants",
        "want",
        "told",
        "requested",
        "requires",
    ];
    let Some(at) = words
        .windows(2)
        .position(|pair| pair == ["make", "sure"])
        .or_else(|| words.iter().position(|word| *word == "ensure"))
        .or_else(|| {
            words
                .windows(2)
                .position(|pair| ASKED.contains(&pair[0]) && pair[1] == "that")
                .map(|at| at + 1)
        })
    else {
        return false;
    };
    let asked = words[..at].iter().any(|word| ASKED.contains(word))
        // Not "last time the client asked us to make sure no faces were recognisable".
        && !words.iter().any(|word| ["last", "were", "was", "used"].contains(word));
    let after = &words[at..];
    let none = after
        .iter()
        .any(|word| ["none", "nobody", "no"].contains(word));
    let known = after.iter().any(|word| {
        [
            "identified",
            "identifiable",
            "recognised",
            "recognized",
            "recognisable",
            "recognizable",
        ]
        .contains(word)
    });
    asked && none && known && Clause::new(&after.join(" "), "").has_any(&["@faces"])
}

/// "The editor insists that faces are obscured", "the school requires that the names be
/// hidden": a demand in the subjunctive, passed on.
fn insists_on_hiding(words: &[&str]) -> bool {
    let Some(at) = words.iter().position(|word| {
        [
            // Not the past ("the old policy required that faces be blurred"), which may be gone.
            "insists", "insist", "requires", "demands",
        ]
        .contains(word)
    }) else {
        return false;
    };
    let after: Vec<&str> = words[at + 1..]
        .iter()
        .copied()
        .skip_while(|word| *word == "that")
        .take(10)
        .collect();
    after.iter().enumerate().any(|(at, word)| {
        ["are", "is", "be", "get", "gets"].contains(word)
            && after.get(at + 1).is_some_and(|done| {
                let done = Clause::new(done, done);
                done.has_any(&["@hide", "@remove"])
            })
            && Clause::new(&after[..at].join(" "), "").has_any(&["@phi", "@faces"])
    }) && !words.iter().any(|word| is_negation(word))
}

/// "My phone did that thing again where it saved the picture sideways", "customers keep
/// asking whether …", "estimates range from thirty to eighty": a subject of its own, then a
/// verb that tells (in the past, or how things are), with no word of wanting and nothing
/// asked of the reader. Beside an ask such a sentence is background, whatever tools its
/// words touch.
pub(super) fn narrates(clause: &Clause) -> bool {
    let mut words = texts(clause);
    // ", and she's been stressing about it all week", "now the dinosaur is lying on its
    // back", "not sure why I framed it like that".
    while words.first().is_some_and(|first| {
        [
            "and", "but", "so", "now", "anyway", "honestly", "well", "oh", "haha", "lol",
            "however", "also", "plus",
        ]
        .contains(first)
    }) {
        words.remove(0);
    }
    if let ["not" | "no", "sure" | "idea", "why" | "how", ..] | ["dunno", "why" | "how", ..] =
        words.as_slice()
    {
        let hedge = if words[0] == "dunno" { 2 } else { 3 };
        words.drain(..hedge);
    }
    // "Scanner flipped my print upside-down", "phone cropped the top off": a bare noun, then
    // what it did in the past.
    if let [subject, verb, next, ..] = words.as_slice()
        && !LEAD_INS.contains(subject)
        && !Clause::new(subject, subject).has_any(vitrine_tools::meaning::lexicon::ACTION_WORDS)
        && (is_past_tense(verb) || IRREGULAR_PAST.contains(verb))
        // Not "editor requested the photo in black and white", a wish passed on, nor
        // "background removed, the rest as is", a terse ask.
        && ![
            "requested", "asked", "wanted", "needed", "said", "told", "insisted", "suggested",
        ]
        .contains(verb)
        && clause.text.contains(&format!("{subject} {verb} {next}"))
        && [
            "my", "the", "it", "our", "this", "a", "her", "his", "their", "them",
        ]
        .contains(next)
    {
        return true;
    }
    // "What she does not want out there is …", "she'd rather lose the smiles than …":
    // someone else's wish, told.
    // "A photographer friend said I should bring the exposure down": advice, told.
    let advised = !matches!(words.first(), Some(&("i" | "we"))) && clause.has_any(ADVICE);
    let told_wish = advised
        || matches!(words.as_slice(), ["what", "she" | "he" | "they", ..])
        || matches!(words.first(), Some(&("she'd" | "he'd" | "they'd")))
            && words.contains(&"rather");
    // "A friend warned me that photos … can reveal where you live": a warning told, its "you"
    // anyone's.
    // Not "my manager warned me the kids' faces can't be shown", a rule passed on.
    if told_wish
        && (!clause.has_any(TO_THE_READER) || clause.has("warned"))
        && !(clause.has("warned") && clause.has_any(&["@hide", "need*", "must", "has to"]))
    {
        return true;
    }
    // "Turns out half the parents never returned the form": what was found out.
    if matches!(
        words.as_slice(),
        ["turns" | "turned", "out", ..] | ["it", "turns" | "turned", "out", ..]
    ) {
        return true;
    }
    // "I want to send just that to my partner on WhatsApp": where the result goes, the
    // sender's own next step (not "send it to me as a PDF", a format asked for).
    // "… and want to show what one looks like": the subject said before.
    if let ["i" | "we", "want" | "need" | "wanna", "to", verb, ..]
    | ["i'd" | "we'd", "like" | "love", "to", verb, ..]
    | ["want" | "wanted", "to", verb, ..] = words.as_slice()
        && [
            "send", "share", "post", "email", "text", "forward", "show", "upload", "print", "give",
            "frame", "drop", "paste", "stick",
        ]
        .contains(verb)
        && !clause.has_any(&["as a", "as an", "as", "in", "into", "format", "version"])
        && !clause.text.chars().any(|c| c.is_ascii_digit())
    {
        return true;
    }
    // "Before I list my old couch on the marketplace I want to know": when the sender will do
    // something of their own, and a question announced (asked in the next sentence).
    if let ["before" | "once" | "after", "i" | "we", verb, ..] = words.as_slice()
        && !["can", "could", "need", "want", "have", "must"].contains(verb)
        && !clause.has_any(TO_THE_READER)
        && !is_an_ask(clause)
    {
        return true;
    }
    // "I can send the song separately if that helps": what the sender offers to do.
    if let [
        "i" | "we",
        "can" | "could",
        "send" | "share" | "email" | "forward" | "upload",
        ..,
    ] = words.as_slice()
        && !clause.has_any(TO_THE_READER)
        // Not "I can share it only if the faces are blurred", a condition on the ask.
        && !clause.has_any(&["if", "once", "when", "after", "until", "unless", "@hide"])
    {
        return true;
    }
    // "Just checking the upload worked": whether the file arrived, asked of nothing here.
    if matches!(
        words.as_slice(),
        ["just", "checking", ..] | ["checking", ..]
    ) && clause.has_any(&[
        "worked",
        "went through",
        "came through",
        "arrived",
        "made it",
    ]) {
        return true;
    }
    // "I need both for the caption": what the answers are for.
    if let [
        "i" | "we",
        "need" | "want" | "needed",
        "both" | "them" | "these" | "those",
        "for",
        ..,
    ]
    | [
        "i" | "we",
        "need" | "want",
        "them" | "it" | "all",
        "both" | "all",
        "for",
        ..,
    ] = words.as_slice()
        // Not "I need them for the newsletter with the kids' faces blurred".
        && words.len() <= 8
        && !clause.has_any(&["with", "in", "as", "@hide"])
    {
        return true;
    }
    // "What matters is his voice", "the point is the banners": what counts, told.
    if matches!(
        words.as_slice(),
        ["what", "matters" | "counts", ..] | ["the", "point" | "thing", "is", ..]
    ) {
        return true;
    }
    // "… and saved it as a regular PNG": a verb in the past with the subject said before
    // (not "cropped to a square please", a verbless ask).
    if words.first().is_some_and(|first| {
        (is_past_tense(first) || IRREGULAR_PAST.contains(first))
            && !["had", "was", "were"].contains(first)
    }) && words.get(1).is_some_and(|next| {
        [
            "it", "this", "them", "the", "a", "an", "my", "our", "his", "her", "me", "us",
        ]
        .contains(next)
    }) && !clause.has_any(&["please", "pls", "thanks", "thx"])
    {
        return true;
    }
    // "My aunt picked up this oil painting at an estate sale": someone close, in the past
    // (not "my boss wanted it square", a wish passed on, nor "his face smudged", an ask).
    if let ["my" | "our" | "his" | "her" | "their", _, verb, next, ..] = words.as_slice()
        && (is_past_tense(verb) || IRREGULAR_PAST.contains(verb))
        && [
            "it",
            "this",
            "that",
            "these",
            "those",
            "the",
            "a",
            "an",
            "my",
            "our",
            "his",
            "her",
            "them",
            "me",
            "us",
            "up",
            "at",
            "on",
            "from",
            "last",
            "yesterday",
        ]
        .contains(next)
        && ![
            "had",
            "was",
            "were",
            "wanted",
            "needed",
            "asked",
            "said",
            "told",
            "requested",
            "insisted",
            "prefered",
            "preferred",
            "liked",
            "loved",
            "hated",
        ]
        .contains(verb)
        && !clause.has_any(TO_THE_READER)
        // Not "… and the kids' faces need blurring", an ask said after the story.
        && !clause.has_any(&["so", "but", "@hide", "need*", "must", "has to", "have to", "should"])
    {
        return true;
    }
    // "… and keeps asking what we ordered": the subject was said before.
    if words
        .first()
        .is_some_and(|first| GOES_ON_VERBS.contains(first))
        && !clause.has_any(TO_THE_READER)
    {
        return true;
    }
    let Some((&first, rest)) = words.split_first() else {
        return false;
    };
    if relays_an_ask(&words) {
        return false;
    }
    // "Counting heads on my phone screen is giving me a headache": a gerund subject, then
    // its copula.
    if first.ends_with("ing")
        && first.len() > 5
        && rest.iter().take(6).any(|word| ["is", "was"].contains(word))
        && !clause.has_any(TO_THE_READER)
    {
        return true;
    }
    // "Mark will pick it up from them tomorrow": what someone else will do (not "she will need
    // it square", which passes a need on).
    if someone_else_will(&clause.text)
        // Not "Sam will print it so make it black and white", "Mark will only accept squares".
        && !clause.has_any(&[
            "need*", "want*", "have to", "has to", "must", "like", "prefer*", "so", "only",
            "accept*", "take*", "expect*", "require*",
        ])
        && !clause.has_any(TO_THE_READER)
    {
        return true;
    }
    // "She wants it on the shop's page by tomorrow": where and when someone else wants it.
    if matches!(
        first,
        "she" | "he" | "they" | "the" | "my" | "our" | "his" | "her" | "their"
    ) && clause.has_any(&[
        "wants it on",
        "wants it by",
        "wants it for",
        "wants it in time",
        "needs it by",
        "needs it for",
        "needs it on",
        "wants them by",
        "needs them by",
    ]) {
        return true;
    }
    // "She plays from 2:10 to 5:40": numbers are arguments an ask may point back at ("3D"
    // is a word).
    // Not "… can't chase releases from 40 people": a count of people is part of the story.
    let numbers = clause.words.iter().enumerate().any(|(at, word)| {
        word.text.starts_with(|c: char| c.is_ascii_digit())
            && word
                .text
                .chars()
                .all(|c| c.is_ascii_digit() || ".:%".contains(c) || c == 's')
            && !clause.words.get(at + 1).is_some_and(|next| {
                [
                    "people", "persons", "staff", "kids", "children", "students", "guests",
                ]
                .contains(&next.text.as_str())
            })
    });
    // "… left and asked not to appear, so the easiest thing is to mosaic every face": what
    // follows "so" may ask.
    if !starts_a_telling(first)
        || numbers
        || rest
            .iter()
            .position(|word| *word == "so")
            .is_some_and(|at| {
                // "… so I pixelate passers-by in everything" still tells; "… so the easiest
                // thing is to mosaic every face" asks.
                let after = &rest[at + 1..];
                !matches!(after.first(), Some(&("i" | "we" | "they" | "she" | "he")))
                    || after.contains(&"to")
            })
        // "The listing goes live on Monday": a noun that looks like a verb does not ask.
        || (is_an_ask(clause)
            && !["the", "my", "our", "his", "her", "their", "this", "these", "those"]
                .contains(&first))
        || clause.text.ends_with('?')
        || wishes_now(clause)
        || clause.has_any(&["you", "u", "too", "let", "lets", "let's", "make sure"])
        // A modal as the main verb ("it will …", "we could …"), not one in a relative clause
        // further on ("… nurses who could get grief").
        || words.iter().take(4).any(|word| {
            [
                "will", "would", "could", "can", "shall", "may", "might", "ought",
            ]
            .contains(word)
        })
    {
        return false;
    }
    // "I'd love …", "we'd prefer …" wish; "I'd had a couple of spritzes" tells.
    if clause.has_any(&["i'd", "we'd"])
        && !clause.has_any(&["i'd had", "we'd had", "i'd been", "we'd been"])
    {
        return false;
    }
    // "I'm hoping …", "we're after …", "I'm looking for …": a wish in the progressive (not
    // "I'm trying to save money on shoots", the sender's own aim).
    let own_aim = matches!(rest, ["trying", "to", ..]) && !starts_an_ask(&rest[2..].join(" "));
    if matches!(first, "i'm" | "we're")
        && !own_aim
        && rest.first().is_some_and(|next| {
            [
                "hoping",
                "after",
                "looking",
                "trying",
                "asking",
                "wondering",
            ]
            .contains(next)
        })
    {
        return false;
    }
    let pronoun_subject = BARE_SUBJECTS.contains(&first);
    // "I've read that phones …", "I've been doing a project": the perfect tells.
    if matches!(first, "i've" | "we've" | "they've") {
        return true;
    }
    // "I'll read it out to him tonight": the sender's own plan (not "I'll take a square one").
    if matches!(first, "i'll" | "we'll" | "she'll" | "he'll" | "they'll") {
        return rest.first().is_some_and(|next| {
            !["take", "have", "need", "want", "go", "get", "pay"].contains(next)
        });
    }
    // "I'm writing a blog post", "they're coming at six": the progressive tells; so does who
    // the sender is ("we're a small local paper").
    if matches!(first, "i'm" | "we're" | "they're") {
        return rest.first().is_some_and(|next| {
            next.ends_with("ing")
                || is_past_tense(next)
                || IRREGULAR_PAST.contains(next)
                || ["a", "an"].contains(next)
        }) || rest
            .first()
            .is_some_and(|next| TELLING_ADVERBS.contains(next));
    }
    let verb_at = |word: &str| {
        is_past_tense(word) || IRREGULAR_PAST.contains(&word) || TELLING_VERBS.contains(&word)
    };
    if pronoun_subject {
        let verb = rest.iter().find(|word| !TELLING_ADVERBS.contains(*word));
        // "I upload cooking videos", "we run a shop": with "I", "we" or "they" any present
        // verb tells, except one that wishes or asks.
        let habit = matches!(first, "i" | "we" | "they")
            && verb.is_some_and(|verb| {
                verb.chars().all(char::is_alphabetic)
                    && ![
                        "want", "need", "would", "like", "love", "wish", "hope", "prefer", "have",
                        "must", "should", "can", "could", "will", "ask", "am", "just", "only",
                        "really", "also", "still", "think", "guess", "mean", "expect", "require",
                        "wonder", "was", "were", "did", "do", "don't", "dont",
                    ]
                    .contains(verb)
            });
        habit || verb.is_some_and(|word| verb_at(word))
    } else {
        // A noun phrase of at most four words, then its verb: not a relative clause inside it
        // ("a transcript of what they say"), nor a participle saying where ("the names printed
        // on the lanyards").
        let phrase_end = rest.len().min(8);
        // "This time just mirror the photo left to right": the scan stops at an ask.
        let phrase_end = (1..phrase_end)
            .find(|&at| {
                ["just", "please", "pls"].contains(&rest[at])
                    || starts_an_ask(&rest[at..].join(" "))
            })
            .unwrap_or(phrase_end);
        (1..phrase_end).any(|at| {
            let word = rest[at];
            // "My landlord emailed over the agreement and said …": a second verb in the past
            // makes the first one finite too.
            let then_told = rest[at + 1..].windows(2).any(|pair| {
                pair[0] == "and" && (is_past_tense(pair[1]) || IRREGULAR_PAST.contains(&pair[1]))
            });
            let participle = is_past_tense(word)
                && !then_told
                && rest.get(at + 1).is_none_or(|next| {
                    PLACE_AND_TIME_WORDS.contains(next)
                        || [
                            "on", "in", "at", "by", "with", "from", "onto", "into", "to", "off",
                            "out", "across", "over", "under",
                        ]
                        .contains(next)
                });
            // "The designer left a big empty area": "left", "shot" and "felt" are verbs only
            // before what they act on.
            let verb_before_object = ["left", "shot", "felt"].contains(&word)
                && rest.get(at + 1).is_some_and(|next| {
                    [
                        "a", "an", "the", "it", "this", "that", "my", "our", "me", "us",
                    ]
                    .contains(next)
                });
            // "The name tags people are wearing": the verb of a relative clause, with its own
            // subject inside the noun phrase.
            let relative = at >= 2
                && ["people", "they", "we", "you", "she", "he", "i"].contains(&rest[at - 1]);
            (verb_at(word) || verb_before_object)
                && !participle
                && !relative
                && !rest[..at].iter().any(|word| {
                    [
                        "what", "which", "who", "that", "where", "when", "how", "whose",
                    ]
                    .contains(word)
                })
        })
    }
}

/// "Could you check?", "is that something you can do?", "is that possible?": a clause with no
/// content of its own, asking whether the ask beside it can be done.
pub(super) fn only_asks_if_possible(clause: &Clause) -> bool {
    const CONTENTLESS: &[&str] = &[
        "could",
        "can",
        "would",
        "you",
        "u",
        "please",
        "pls",
        "check",
        "do",
        "that",
        "this",
        "it",
        "is",
        "something",
        "possible",
        "manage",
        "thanks",
        "thank",
        "for",
        "me",
        "for",
        "be",
        "done",
        "doable",
        "feasible",
        "just",
        "maybe",
        "perhaps",
        "so",
        "and",
        "ok",
    ];
    !clause.words.is_empty()
        && clause
            .words
            .iter()
            .all(|word| CONTENTLESS.contains(&word.text.as_str()))
        && clause.has_any(&[
            "check",
            "possible",
            "something you can",
            "doable",
            "feasible",
            "manage",
            "can you do",
            "could you do",
        ])
}

/// "The colours look radioactive", "I love the colours", "taken with my phone under the
/// kitchen light", "a hand-knitted scarf on an oak table": a clause nothing matched that
/// states something, with no word of wanting; beside an ask it is background, not an ask left
/// unclear.
pub(super) fn states_without_asking(clause: &Clause) -> bool {
    let words = texts(clause);
    let feeling = matches!(
        words.as_slice(),
        ["i" | "we", "love" | "like" | "hate" | "adore", ..]
    ) && !clause.has_any(&["please", "pls", "you", "can u", "could u", "to"]);
    if feeling {
        return true;
    }
    if clause.has_any(WISHES) {
        return false;
    }
    let subject_then_verb = words.first().is_some_and(|first| {
        [
            "the", "my", "our", "his", "her", "their", "this", "these", "those", "it", "they",
            "he", "she",
        ]
        .contains(first)
    }) && words.iter().skip(1).take(8).any(|word| {
        is_past_tense(word)
            || [
                "looks",
                "look",
                "says",
                "said",
                "seems",
                "seem",
                "was",
                "were",
                "is",
                "are",
                "has",
                "had",
                "costs",
                "cost",
                "charged",
                // "The upload form on the council website chokes on anything else".
                "chokes",
                "rejects",
                "refuses",
                "breaks",
                "fails",
                "crashes",
                "accepts",
                "allows",
                "complains",
                "struggles",
            ]
            .contains(word)
    });
    let participle = words.first().is_some_and(|first| is_past_participle(first))
        && words.get(1).is_some_and(|next| {
            PLACE_AND_TIME_WORDS.contains(next) || ["with", "off", "by", "out"].contains(next)
        });
    let thing = matches!(words.as_slice(), ["a" | "an", ..]) && !clause.has_any(ACTION_WORDS);
    subject_then_verb || participle || thing
}

/// "Because it's private", "since it's for print": a short reason about what was named, which
/// asks for nothing (its "private" names no faces to hide).
pub(super) fn is_a_bare_reason(clause: &Clause) -> bool {
    matches!(
        texts(clause).as_slice(),
        [
            "because" | "since" | "as" | "cause" | "cos" | "coz",
            "it's" | "its" | "it" | "they're" | "that's" | "this" | "these" | "those",
            ..
        ]
    ) && clause.words.len() <= 6
        && !clause.has_any(&["@faces", "@phi"])
}

/// "I'm trying to check the headcount for the invoice", "marketing wants a record of it for
/// the archive", "the printer needs the file by Friday": what the result is for, or who wants
/// it. Said beside an ask and matching no tool, such a clause asks for nothing more.
pub(super) fn gives_a_reason(clause: &Clause) -> bool {
    let mut words = texts(clause);
    // "So I can check you didn't miss anyone": what the sender will do once it is done.
    if let ["so", rest @ ..] = words.as_slice() {
        let rest = rest.strip_prefix(&["that"]).unwrap_or(rest);
        if let ["i" | "we", "can" | "could" | "will", aim, ..] = rest
            && OWN_DOINGS.contains(aim)
        {
            return true;
        }
    }
    while words.first().is_some_and(|first| {
        [
            "and",
            "but",
            "so",
            "because",
            "since",
            "as",
            "also",
            "plus",
            "anyway",
            "basically",
        ]
        .contains(first)
    }) {
        words.remove(0);
    }
    own_aim(&words) || wanted_for_a_purpose(&words)
}

/// What the sender does with a result, never what a tool here does to it.
const OWN_DOINGS: &[&str] = &[
    "repost",
    "publish",
    "circulate",
    "distribute",
    "keep",
    "put",
    "post",
    "share",
    "send",
    "show",
    "print",
    "use",
    "hang",
    "frame",
    "upload",
    "archive",
    "check",
    "present",
    "email",
    "pin",
    "submit",
    "file",
    "store",
    "remember",
    "include",
    "pick",
    "choose",
    "plan",
    "prove",
    "settle",
    "sell",
    "list",
    "advertise",
    // "I need to paste the floor plan into a slide".
    "paste",
    "insert",
];

/// "I want to put it in the shared wiki", "we're trying to keep a record": what the sender
/// will do themselves with the result.
fn own_aim(words: &[&str]) -> bool {
    const ADVERBS: &[&str] = &[
        "just", "only", "really", "also", "simply", "still", "actually",
    ];
    let Some((subject, rest)) = words.split_first() else {
        return false;
    };
    let rest: Vec<&str> = rest
        .iter()
        .copied()
        .skip_while(|word| ADVERBS.contains(word))
        .collect();
    let aim = match (*subject, rest.as_slice()) {
        ("i" | "we", ["want" | "need" | "plan" | "hope", "to", aim, ..])
        | (
            "i" | "we",
            [
                "would" | "am" | "are",
                "like" | "trying" | "going",
                "to",
                aim,
                ..,
            ],
        )
        | ("i'd" | "we'd", ["like", "to", aim, ..])
        | ("i'm" | "we're", ["trying" | "going" | "planning" | "hoping", "to", aim, ..]) => aim,
        _ => return false,
    };
    OWN_DOINGS.contains(aim)
}

/// "Marketing wants a record of it for the archive", "the animator wants them as reference",
/// "the print shop says they need it big enough": someone else wants the result itself, for
/// a purpose or by a time, with no change to it named.
fn wanted_for_a_purpose(words: &[&str]) -> bool {
    // Not "in CMYK", "at 300 dpi", "as a TIFF": how the result should be, which nothing
    // matched and must be named.
    const PURPOSES: &[&str] = &[
        "for", "by", "before", "so", "asap", "today", "tomorrow", "tonight", "soon", "next",
        "this", "first",
    ];
    let purpose = |after: &[&str]| match after {
        [] => true,
        [
            "as",
            "a" | "an",
            "reference" | "record" | "backup" | "keepsake",
            ..,
        ]
        | ["as", "reference" | "proof" | "evidence" | "a", ..] => true,
        ["big" | "large" | "good", "enough", ..] => true,
        [first, ..] => PURPOSES.contains(first),
    };
    let Some(wish) = words
        .iter()
        .take(7)
        .position(|word| ["wants", "needs", "wanted", "needed", "need", "want"].contains(word))
    else {
        return false;
    };
    let subject = &words[..wish];
    // Not "a few parents don't want their children to be recognisable", a wish against.
    if subject.is_empty()
        || subject.iter().any(|word| {
            ["i", "we", "you", "u", "please", "pls", "i'd", "we'd"].contains(word)
                || is_negation(word)
        })
    {
        return false;
    }
    let object = &words[wish + 1..];
    let after = match object {
        [
            "it" | "them" | "this" | "these" | "that" | "one",
            after @ ..,
        ] => after,
        [
            "a" | "an" | "the" | "some" | "their" | "his" | "her" | "our" | "my",
            ..,
        ] => {
            // "A record of it for the archive": a short thing, then what it is for.
            let end = object
                .iter()
                .position(|word| PURPOSES.contains(word))
                .unwrap_or(object.len());
            if end > 6 || (end == object.len() && end > 3) {
                return false;
            }
            &object[end..]
        }
        _ => return false,
    };
    purpose(after)
}

/// The clauses of a normalised request, in order.
/// "I coordinate volunteers and keep a paper sign-up sheet at the front desk": the sender's
/// own doings, one after the other (not "I love it and keep the colours", an ask after).
fn goes_on_with_the_senders_habit(before: &str, next: &str) -> bool {
    let before: Vec<&str> = before.split_whitespace().collect();
    matches!(before.as_slice(), ["i" | "we", verb, _, ..]
        if !is_past_tense(verb) && ![
            "want", "need", "would", "like", "love", "wanna", "can", "could", "will", "also",
            "just", "really", "only", "am", "have", "was", "were", "do", "don't", "hope",
            "think", "guess", "tried",
        ]
        .contains(verb))
        && [
            "keep",
            "run",
            "manage",
            "own",
            "sell",
            "teach",
            "coach",
            "volunteer",
            "work",
            "organise",
            "organize",
            "host",
            "shoot",
        ]
        .contains(&next)
}

pub(super) fn split(text: &str) -> Vec<Clause> {
    let mut clauses: Vec<String> = Vec::new();
    // Each hard piece with the separator after it: a piece that ended with "?" keeps it, so
    // the clause's text still says it was a question (its words never hold punctuation).
    let mut pieces = Vec::new();
    let mut from = 0;
    for boundary in HARD.find_iter(text) {
        // "The kids' names on the lockers are also a problem": "also" after a verb goes on
        // with its sentence.
        // "The photograph on the first page also shows a patient's face": nor before a verb.
        let verb_follows = text[boundary.end()..]
            .split_whitespace()
            .next()
            .is_some_and(|next| {
                [
                    "shows", "has", "have", "contains", "includes", "needs", "features", "carries",
                    "mentions", "appears", "had", "show", "contain", "include", "rejects",
                    "accepts", "requires", "allows", "limits", "caps", "says",
                ]
                .contains(&next)
            });
        if boundary.as_str().trim() == "also" && verb_follows {
            continue;
        }
        // "Listing no. 5521", "ref. 12": an abbreviation before a number ends no sentence.
        if boundary.as_str().starts_with('.')
            && text[boundary.end()..].starts_with(|next: char| next.is_ascii_digit())
            && text[..boundary.start()]
                .split_whitespace()
                .last()
                .is_some_and(|word| {
                    ["no", "nr", "ref", "approx", "vol", "fig", "p", "pp"]
                        .contains(&word.to_lowercase().as_str())
                })
        {
            continue;
        }
        // "Keep the first 10 seconds, drop everything after that": the moment, at the end of
        // its sentence, not what comes next.
        if ["after that", "before that", "and after that"]
            .contains(&boundary.as_str().trim().trim_start_matches(',').trim())
            && text[boundary.end()..]
                .trim_start()
                .chars()
                .next()
                .is_none_or(|next| ".!?;,".contains(next))
        {
            continue;
        }
        if boundary.as_str().trim() == "also"
            && text[..boundary.start()]
                .split_whitespace()
                .last()
                .is_some_and(|word| {
                    [
                        "are", "is", "was", "were", "am", "be", "been", "can", "could", "should",
                        "would", "will", "might", "must", "they're", "it's", "that's",
                    ]
                    .contains(&word)
                })
        {
            continue;
        }
        pieces.push((
            &text[from..boundary.start()],
            boundary.as_str().contains('?'),
        ));
        from = boundary.end();
    }
    pieces.push((&text[from..], false));
    for (hard, asked) in pieces {
        // "The desk, keyboard and my coffee mug can stay out of it": one statement of what
        // stays, however many things it lists.
        let stays = Clause::new(hard, hard);
        let is_stated = |clause: &Clause| is_statement(clause) || says_what_must_stay(clause);
        // Not "the teacher can stay visible, blur the kids": a whole statement, then an ask.
        let ask_after_statement = SOFT.find_iter(hard).any(|found| {
            found.as_str().contains(',')
                && (starts_an_ask(&hard[found.end()..]) || singles_out_a_need(&hard[found.end()..]))
                && is_stated(&Clause::new(&hard[..found.start()], hard))
        });
        if !starts_an_ask(hard) && is_stated(&stays) && !ask_after_statement {
            clauses.push(if asked {
                format!("{}?", hard.trim_end())
            } else {
                hard.to_owned()
            });
            continue;
        }
        let mut current = String::new();
        let mut last = 0;
        for found in SOFT.find_iter(hard) {
            let before = &hard[last..found.start()];
            let after = &hard[found.end()..];
            current.push_str(before);
            // "Black out the bottom quarter, that's where the account numbers are": a
            // description after a comma is its own clause, so its words ask for nothing.
            // "That bed — could you turn it into a splat": a dash splits only a clause of its
            // own from the next, not a topic from its ask.
            let dash = found.as_str().trim().starts_with(['-', '–', '—']);
            let whole_before = dash.then(|| current.trim()).is_none_or(|before| {
                starts_an_ask(before)
                    || describes(&Clause::new(before, before))
                    || before.split_whitespace().count() >= 4
                    // "I'm paranoid — is my location in this file?"
                    || starts_a_yes_no_question(after)
            });
            let next = Clause::new(after, after);
            // "…shows a vase, which will feature in an exhibit": a relative clause goes on
            // with what it follows; its "which" asks nothing.
            let relative = found.as_str().trim() == "," && is_relative(after);
            // "… painted the selection in Photoshop and exported it as a picture": the story
            // goes on in the past tense.
            // "Our manager does a walk-through and takes a photo of each floor": a verb in
            // "-s" goes on with the subject before (not "and is anyone wearing a helmet?", a
            // question of its own).
            let goes_on = found.as_str().trim() == "and"
                && after.split_whitespace().next().is_some_and(|next| {
                    is_past_tense(next)
                        || (next.ends_with('s')
                            && TELLING_VERBS.contains(&next)
                            && !["is", "does", "has", "was"].contains(&next))
                        || goes_on_about_a_thing(&current, after)
                        || goes_on_with_the_senders_habit(&current, next)
                });
            // "Put the logo in the corner at half opacity, scaled to 20%": the placed
            // picture's own size.
            let placed_size = found.as_str().trim() == ","
                && ["scaled ", "sized ", "shrunk ", "resized "]
                    .iter()
                    .any(|word| after.starts_with(word))
                && Clause::new(&current, &current).has_any(&[
                    "logo*",
                    "watermark*",
                    "overlay*",
                    "put",
                    "place*",
                    "paste*",
                    "stamp*",
                ]);
            // "The handwriting and the sums have to stay readable": two things, one statement.
            // "Colour and everything else can stay": one thing, then the rest.
            let two_subjects = found.as_str().trim() == "and"
                && current.split_whitespace().count() <= 3
                && ((["the ", "my ", "our ", "her ", "his ", "their "]
                    .iter()
                    .any(|start| current.trim_start().starts_with(start))
                    && !starts_an_ask(current.trim()))
                    || (current.split_whitespace().count() == 1
                        && ["everything else ", "the rest ", "all else "]
                            .iter()
                            .any(|rest| after.trim_start().starts_with(rest))));
            // "A friend said I should bring the exposure down and add some punch": the advice
            // goes on after "and".
            let advice_goes_on =
                found.as_str().trim() == "and" && Clause::new(&current, &current).has_any(ADVICE);
            // "I dont need it shorter or resized": one negated list.
            let negated_list = found.as_str().trim() == "or"
                && Clause::new(&current, &current)
                    .has_any(&["don't", "dont", "not", "no", "never", "without"]);
            // "The pdf has patient names and an id photo on page 1", "take out the patient
            // details and the patient photo on page 2": one list of what it has or what to act on.
            // "Two things from this photo: a 3D model of the car, and a depth map": asks
            // counted out are asks apart.
            let counted_out = Clause::new(&current, &current).has_any(&[
                "two things",
                "three things",
                "couple of things",
                "few things",
                "2 things",
                "3 things",
            ]);
            // "Delete the bit between 1:00 and 1:30": the two ends of one range.
            let between_pair = found.as_str().trim() == "and"
                && current
                    .split_whitespace()
                    .rev()
                    .take(3)
                    .any(|word| word == "between");
            // "Swap what's selected and what isn't": the two sides of one thing.
            let both_sides = found.as_str().trim() == "and"
                && ["what isn't", "what is not", "what's not", "what isnt"]
                    .iter()
                    .any(|other| after.starts_with(other));
            // "Make sure nobody can be recognised and the writing on that board is unreadable":
            // both halves are what to make sure of.
            let continues_a_demand = found.as_str().trim() == "and"
                && [
                    "make sure ",
                    "making sure ",
                    "ensure ",
                    "please make sure ",
                    "please ensure ",
                ]
                .iter()
                .any(|demand| current.trim_start().starts_with(demand))
                && Clause::new(after, after).has_any(&["@hide"])
                && !starts_an_ask(after);
            // "A second, separate picture of a dragon": adjectives of one thing.
            // Not "blur the faces in the last, crop the first one square": an ordinal as a
            // picture's name, then an ask.
            let adjectives = found.as_str().trim() == ","
                && !starts_an_ask(after)
                && matches!(
                    texts(&Clause::new(&current, &current)).as_slice(),
                    [
                        ..,
                        "a" | "an" | "one",
                        "second"
                            | "third"
                            | "new"
                            | "separate"
                            | "different"
                            | "further"
                            | "last"
                            | "final"
                    ]
                );
            // "Blur the faces in the first and second photo": two pictures named together.
            const ORDINALS: &[&str] = &[
                "first", "second", "third", "fourth", "1st", "2nd", "3rd", "4th",
            ];
            let ordinals_together = found.as_str().trim() == "and"
                && current
                    .split_whitespace()
                    .last()
                    .is_some_and(|last| ORDINALS.contains(&last))
                && after
                    .trim_start_matches("the ")
                    .split_whitespace()
                    .next()
                    .is_some_and(|next| ORDINALS.contains(&next));
            // "Printed in black and white": one colour word.
            let black_and_white = found.as_str().trim() == "and"
                && current.trim_end().ends_with("black")
                && after.starts_with("white");
            // "Need the faces hidden with a pixel effect, and the photo converted to JPEG":
            // one need, two things each with what is done to it.
            let shared_need = found
                .as_str()
                .contains("and")
                .then(|| needs_two_things_done(&current, after))
                .flatten();
            let needs_in_parallel = shared_need.is_some();
            let listed = found.as_str().trim() == "and"
                && !counted_out
                && (["a ", "an "]
                    .iter()
                    .any(|article| after.starts_with(article))
                    || (after.starts_with("the ") && starts_an_ask(current.trim())));
            // "Depth map of this, and a 3d model of the sofa": two things made, listed without a
            // verb, are two asks.
            let two_things_made = found.as_str().contains(',')
                && found.as_str().contains("and")
                && ["a ", "an "]
                    .iter()
                    .any(|article| after.starts_with(article))
                // "We need English subtitles burned in, and a thumbnail at 5 s": one need of
                // two things.
                && (!starts_an_ask(current.trim())
                    || ["we need ", "i need ", "we want ", "i want ", "we'd like ", "i'd like "]
                        .iter()
                        .any(|need| current.trim_start().starts_with(need)))
                && Clause::new(&current, &current).has_any(THINGS_MADE)
                && Clause::new(after, after).has_any(THINGS_MADE);
            // "…, the faces are fine": what may stay is said apart from the ask. "…, and a
            // depth map of the room as well": one more thing asked.
            // "Sorry, it's 800 wide I need": a take-back word alone goes with what it says.
            let only_takes_back =
                TAKE_BACKS.contains(&current.trim().trim_start_matches(['.', ' ']));
            if !current.trim().is_empty()
                && whole_before
                && !only_takes_back
                && !relative
                && !negated_list
                && !two_subjects
                && !advice_goes_on
                && !goes_on
                && !placed_size
                && !black_and_white
                && !ordinals_together
                && !adjectives
                && !between_pair
                && !both_sides
                && !continues_a_demand
                // "White or black bars, I'm not fussy": the options stay with the choice.
                && !leaves_the_choice(&next)
                && (starts_an_ask(after)
                    || two_things_made
                    || needs_in_parallel
                    || (counted_out
                        && found.as_str().contains(',')
                        && found.as_str().contains("and"))
                    || starts_a_yes_no_question(after)
                    // "Does it still have GPS in it, or did my phone strip it?": the other
                    // answer, a question of its own.
                    || after
                        .strip_prefix("or ")
                        .is_some_and(starts_a_yes_no_question)
                    || (describes(&next) && !listed)
                    // "Take the location metadata out, I'd rather they don't know where I took
                    // it": a wish of the sender's, said apart.
                    || ["i'd rather ", "i would rather ", "we'd rather ", "id rather "]
                        .iter()
                        .any(|rather| after.starts_with(rather))
                    // "Strip the location off this, I don't want strangers knowing where we
                    // live": what others should not learn, a reason (not "make it smaller, I
                    // don't want to lose quality", which says more of the ask).
                    || (["i don't want ", "i dont want ", "we don't want ", "we dont want "]
                        .iter()
                        .any(|unwanted| after.starts_with(unwanted))
                        && Clause::new(after, after).has_any(&[
                            "knowing",
                            "to know",
                            "finding out",
                            "to find out",
                            "tracking",
                            "to track",
                        ]))
                    // "Hide the phone numbers on this poster, people complained": a short
                    // report of what someone did.
                    || (found.as_str().trim() == ","
                        && says_what_someone_did(after))
                    || (found.as_str().trim() == "," && tells_a_habit_with_nothing_to_do(&next))
                    // "Mosaic every face, we're a small local paper and …": who the sender is.
                    || (found.as_str().trim() == ","
                        && [
                            "we're a ", "we're an ", "we are a ", "we are an ", "i'm a ", "i'm an ",
                            "i am a ", "i am an ", "im a ",
                        ]
                        .iter()
                        .any(|who| after.starts_with(who)))
                    // "…, and there's a little headshot in the top corner, blur that too".
                    || (["there's ", "there is ", "there are ", "theres "]
                        .iter()
                        .any(|there| after.starts_with(there))
                        && describes(&head_of(&next)))
                    || says_how_it_is(&head_of(&next))
                    || is_statement(&next)
                    || adds_one_more(&next)
                    || takes_back(&next)
                    // Not "remove the background and my sister wants a version with …", an ask
                    // and one more.
                    || (found.as_str().contains("and")
                        && !starts_an_ask(current.trim())
                        && someone_wants_a_thing(after))
                    || (found.as_str().trim() == "," && someone_else_wants_to(after))
                    // "Blur the faces, don't redact the names": an ask, then a thing not to
                    // touch (not "just tell me, don't change anything", one ask).
                    || (found.as_str().trim() == ","
                        && starts_an_ask(current.trim())
                        && ["don't ", "dont ", "do not ", "never ", "no need to "]
                            .iter()
                            .any(|not| after.starts_with(not))
                        && Clause::new(after, after)
                            .has_any(&["the", "their", "his", "her", "my", "our", "it"]))
                    // "A mask of the person, with the edges softened by about 5 pixels".
                    || (found.as_str().trim() == ","
                        && ["with the edges ", "with its edges ", "with edges "]
                            .iter()
                            .any(|edges| after.starts_with(edges))
                        && Clause::new(after, after).has_any(&[
                            "soften*", "feather*", "smooth*", "blurred", "faded",
                        ]))
                    || (someone_else_will(after)
                        && !Clause::new(after, after).has_any(&["so", "only", "accept*"])))
            {
                clauses.push(std::mem::take(&mut current));
                // "… and the metadata stripped": the need goes with the second thing too.
                if let Some(need) = shared_need {
                    current = format!("{need} ");
                }
            } else {
                current.push_str(found.as_str());
            }
            last = found.end();
        }
        current.push_str(&hard[last..]);
        if !current.trim().is_empty() {
            if asked {
                current = format!("{}?", current.trim_end());
            }
            clauses.push(current);
        }
    }
    clauses
        .iter()
        .flat_map(|clause| split_where(clause.trim()))
        .flat_map(split_so_needs)
        .map(|clause| Clause::new(clause, text))
        .filter(|clause| !clause.words.is_empty())
        .collect()
}

/// "People complained", "the parents asked": two to four words, a subject and a verb in the
/// past, saying what happened rather than what to do.
fn says_what_someone_did(piece: &str) -> bool {
    let words: Vec<&str> = piece.split_whitespace().collect();
    (2..=4).contains(&words.len())
        && !starts_an_ask(piece)
        && words[1..]
            .iter()
            .any(|word| is_past_tense(word) || IRREGULAR_PAST.contains(word))
        && !words
            .iter()
            .any(|word| ["it", "them", "this"].contains(word))
}

/// "Need the faces hidden …" and "the photo converted to JPEG": a need of a thing done, then
/// another thing with what is done to it. The words of the need ("need", "my manager wants"),
/// which the second thing shares.
fn needs_two_things_done(need: &str, after: &str) -> Option<String> {
    let need = Clause::new(need, need);
    let said = texts(&need);
    let wished = said.iter().take(3).position(|word| {
        [
            "need", "needs", "want", "wants", "like", "get", "have", "needed", "wanted",
        ]
        .contains(word)
    });
    let done_to = |words: &[&str]| {
        words.first().is_some_and(|first| {
            [
                "the", "this", "that", "my", "our", "its", "their", "his", "her", "all", "every",
            ]
            .contains(first)
        }) && !words.iter().take(5).any(|word| {
            // "… and the names kept readable": what stays is no second thing done.
            [
                "kept",
                "left",
                "preserved",
                "retained",
                "unchanged",
                "untouched",
                "intact",
            ]
            .contains(word)
        }) && words
            .iter()
            .skip(1)
            .take(3)
            .take_while(|word| {
                !["is", "are", "was", "were", "look", "looks", "feel", "feels"].contains(word)
            })
            .any(|word| {
                is_past_participle(word)
                    || ["hidden", "cut", "split", "shrunk", "put"].contains(word)
            })
    };
    let after = Clause::new(after, after);
    let at = wished.filter(|&at| done_to(&said[at + 1..]) && done_to(&texts(&after)))?;
    Some(need.text[..need.words[at + 1].start].trim_end().to_owned())
}

/// "… and the marketing lead wants a capture of that page": someone named, then a thing they
/// want — a wish passed on, its own clause after a story.
fn someone_wants_a_thing(piece: &str) -> bool {
    let clause = Clause::new(piece, piece);
    let words = texts(&clause);
    words
        .first()
        .is_some_and(|first| ["the", "my", "our", "his", "her", "their"].contains(first))
        && (2..words.len().min(5)).any(|at| {
            let wish = match words[at] {
                "wants" | "needs" | "requested" => at + 1,
                "asked" | "asks" if words.get(at + 1) == Some(&"for") => at + 2,
                "would" | "'d" if words.get(at + 1) == Some(&"like") => at + 2,
                _ => return false,
            };
            // Something made here (not "wants a summary by this afternoon").
            let thing = Clause::new(&words[wish.min(words.len())..].join(" "), piece);
            words
                .get(wish)
                .is_some_and(|article| ["a", "an", "some", "one"].contains(article))
                && (thing.has_any(THINGS_MADE)
                    || thing.has_any(&[
                        "capture*",
                        "screenshot*",
                        "screen grab*",
                        "copy",
                        "version",
                        "thumbnail*",
                        "still*",
                        "contact sheet*",
                        "mask",
                        "model",
                    ]))
        })
}

/// ", the kids want to print him": what someone else means to do with the result, said after
/// the ask.
fn someone_else_wants_to(piece: &str) -> bool {
    let clause = Clause::new(piece, piece);
    let words = texts(&clause);
    words
        .first()
        .is_some_and(|first| ["the", "my", "our", "his", "her", "their"].contains(first))
        && (2..words.len().min(5)).any(|at| {
            ["want", "wants"].contains(&words[at])
            && words.get(at + 1) == Some(&"to")
            // What people do with a result (not "our intern wants to take notes from it", nor
            // "the boss wants to blur …").
            && words.get(at + 2).is_some_and(|verb| {
                [
                    "print", "frame", "hang", "post", "share", "send", "see", "watch", "show",
                    "upload", "publish",
                ]
                .contains(verb)
            })
            && !words[1..at].iter().any(|word| is_past_participle(word))
        })
}

/// The clauses without any that a later one calls off ("remove the people first? no wait, don't
/// bother."), nor the calling off.
pub(super) fn without_what_is_called_off(split: Vec<Clause>) -> Vec<Clause> {
    let mut kept: Vec<Clause> = Vec::new();
    for clause in split {
        if calls_off_the_last(&clause) && kept.pop().is_some() {
            continue;
        }
        // "Make it greyscale. Hmm, on second thoughts keep the colour, …": the colour kept
        // takes back the greyscale asked just before (what else the clause says stays).
        if keeps_the_colour_after_all(&clause)
            && kept.last().is_some_and(|last| {
                last.has_any(&["grey*", "gray*", "black and white", "b&w", "monochrome"])
            })
        {
            kept.pop();
        }
        kept.push(clause);
    }
    kept
}

/// "On second thoughts keep the colour", "actually, leave it in colour".
fn keeps_the_colour_after_all(clause: &Clause) -> bool {
    clause.has_any(&["on second thought*", "actually", "wait", "changed my mind"])
        && clause.has_any(&[
            "keep the colo*",
            "keep it in colo*",
            "leave it in colo*",
            "leave the colo*",
            "keep it colo*",
        ])
}

/// "No wait, don't bother", "actually never mind that": the clause before, taken back whole.
fn calls_off_the_last(clause: &Clause) -> bool {
    let words = texts(clause);
    let start = words
        .iter()
        .position(|word| {
            ![
                "no", "wait", "actually", "oh", "hmm", "sorry", "ok", "okay", "on", "second",
                "thought", "thoughts", "ah",
            ]
            .contains(word)
        })
        .unwrap_or(words.len());
    let rest = &words[start..];
    let rest = rest.strip_suffix(&["then"]).unwrap_or(rest);
    matches!(
        rest,
        ["don't" | "dont", "bother"]
            | ["never", "mind"]
            | ["never", "mind", "that" | "it"]
            | ["nevermind"]
            | ["forget", "that" | "it"]
            | ["forget", "about", "that" | "it"]
            | ["scratch", "that"]
            | ["skip", "that" | "it"]
            | ["cancel", "that"]
            | ["leave", "that"]
    )
}

/// True when `piece` starts with someone else and what they will do ("mark will pick it up
/// tomorrow", "she'll print it"): a sentence of its own after a comma.
fn someone_else_will(piece: &str) -> bool {
    let mut words = piece.split_whitespace();
    let (Some(first), Some(second)) = (words.next(), words.next()) else {
        return false;
    };
    let (who, modal) = match first.split_once("'ll") {
        Some((who, "")) => (who, "will"),
        _ => (first, second),
    };
    ![
        "i", "we", "you", "u", "it", "this", "that", "there", "which", "who", "what", "then",
    ]
    .contains(&who)
        && who.chars().all(char::is_alphabetic)
        && modal == "will"
}

/// A verb in the past tense ("printed", "exported"), not one that still wants something
/// ("I wanted the faces blurred too") nor a word that only ends like one ("speed").
fn is_past_tense(word: &str) -> bool {
    word.len() > 4
        && word.ends_with("ed")
        && ![
            "needed",
            "wanted",
            "hoped",
            "wondered",
            "liked",
            "loved",
            "preferred",
            "embed",
            "speed",
            "proceed",
        ]
        .contains(&word)
}

/// "Which will feature in an exhibit", after a comma: a relative clause, not a question.
fn is_relative(piece: &str) -> bool {
    // "My sister, who is looking over my shoulder, said …" (not "who is in it", a question).
    let doing = ["who is ", "who's "].iter().any(|start| {
        piece.strip_prefix(start).is_some_and(|rest| {
            Clause::new(rest, rest)
                .words
                .first()
                .is_some_and(|verb| is_doing(&verb.text))
        })
    });
    let question = ["which one", "which of", "who is", "who's"]
        .iter()
        .any(|question| piece.starts_with(question));
    doing
        || (["which ", "who ", "whose "]
            .iter()
            .any(|word| piece.starts_with(word))
            && !question)
}

/// "Looking", "standing": a verb going on, as in "who is looking over my shoulder".
pub(super) fn is_doing(word: &str) -> bool {
    word.len() > 4 && word.ends_with("ing")
}

/// True when a piece starts by taking back what came before ("actually no, don't flip it", "no
/// wait, six hundred").
fn takes_back(piece: &Clause) -> bool {
    TAKE_BACKS
        .iter()
        .any(|start| piece.find(start).is_some_and(|span| span.start == 0))
}

/// Words that take back what came before.
const TAKE_BACKS: &[&str] = &[
    "actually",
    "no actually",
    "wait no",
    "no wait",
    "wait",
    "scratch that",
    "on second thought",
    "sorry",
    "oops",
];

/// "…, it's only the faces that have to go": what alone must be done, said as a statement.
fn singles_out_a_need(piece: &str) -> bool {
    [
        "it's only the ",
        "its only the ",
        "it is only the ",
        "only the ",
    ]
    .iter()
    .any(|start| piece.trim_start().starts_with(start))
        && Clause::new(piece, piece).has_any(&[
            "ha* to go",
            "need* to go",
            "must go",
            "ha* to be @hide",
            "need* to be @hide",
            "need* @hide",
            "ha* to be hidden",
            "need* to be hidden",
        ])
}

/// True when a piece after "and" or a comma says it asks for one more thing ("a depth map of
/// the room as well"). Not "too": "… and everyone else too" shares the verb before.
fn adds_one_more(piece: &Clause) -> bool {
    // "…, and a contact sheet as well, 4 columns wide": up to the next comma.
    let head = piece.text.split(',').next().unwrap_or_default();
    let head = head.trim_end_matches(['.', '!', ' ']);
    // "…, and a square version too", not "… and everyone else too" (more of the same ask) or
    // "(400,200) in pixels too" (a comma inside numbers).
    let names_a_thing = ["a ", "an ", "one "]
        .iter()
        .any(|article| head.starts_with(article));
    // "…, and a depth map of the photo while you're at it".
    let while_at_it = [
        "while you're at it",
        "while you are at it",
        "whilst you're at it",
    ]
    .iter()
    .any(|more| head.ends_with(more));
    head.split_whitespace().count() >= 3
        && head.starts_with(|c: char| c.is_alphabetic())
        && (head.ends_with(" as well")
            || (names_a_thing && (head.ends_with(" too") || while_at_it)))
}

/// "Blur out the bottom fifth where the phone numbers are printed": after an area, "where …"
/// says what is there; it asks for nothing.
/// "These are going in the school newsletter so the kids' faces need pixelating": after a
/// description, "so … need(s) …" is the ask, not a result of it.
fn split_so_needs(clause: &str) -> Vec<&str> {
    if let Some(at) = clause.find(" so ") {
        let (before, rest) = clause.split_at(at);
        let after = rest[" so ".len()..].trim_start();
        // "… in black and white, so a greyscale copy would also help".
        let needs = Clause::new(after, after).has_any(&[
            "need*",
            "must",
            "should",
            "has to",
            "have to",
            "got to",
            "gotta",
            // "…, so the kids' faces can't be shown".
            "can't be",
            "cannot be",
            "mustn't",
            "must not",
            "would ~ help",
            "would be ~ useful",
            "would be ~ handy",
            "would be ~ great",
            "would be ~ good",
        ]);
        if needs && describes(&Clause::new(before, before)) {
            return vec![before, after];
        }
        // "Other parents don't want their kids online so can you pixelate all faces": the
        // reason, then the ask.
        let asks = [
            "can you ",
            "could you ",
            "can u ",
            "could u ",
            "would you ",
            "please ",
            "pls ",
        ]
        .iter()
        .any(|start| after.starts_with(start));
        if asks {
            return vec![before.trim_end_matches([',', ' ']), after];
        }
    }
    vec![clause]
}

/// So does "there's …" run on without punctuation ("… the bottom fifth theres a home address
/// printed there").
fn split_where(clause: &str) -> Vec<&str> {
    for says_what_is_there in [
        " where ",
        " theres ",
        " there's ",
        " there is ",
        " there are ",
    ] {
        if let Some(at) = clause.find(says_what_is_there) {
            let (area, rest) = clause.split_at(at);
            if vitrine_tools::meaning::read::names_region(&Clause::new(area, area)) {
                return vec![area, rest.trim_start()];
            }
        }
    }
    vec![clause]
}

/// "The handwriting and the sums have to stay readable": what must stay as it is, said beside
/// the ask (not "the faces must stay hidden", an ask). Read once clauses are split, so that
/// "… the date at the top; the handwriting and the sums …" stays one clause.
pub(super) fn says_what_must_stay(clause: &Clause) -> bool {
    clause.has_any(&[
        "has to stay",
        "have to stay",
        "must stay",
        "needs to stay",
        "need to stay",
        "should stay",
        "has to remain",
        "have to remain",
        "must remain",
        "should remain",
        // "It has to read properly": what the result must be, the reason for the ask.
        "has to read properly",
        "have to read properly",
        "needs to read properly",
        "must read properly",
        "has to read correctly",
        "needs to read correctly",
        "to read the right way",
        // "Her face and the flowers are to be left exactly as they are".
        "are to be left",
        "is to be left",
        "are to stay",
        "is to stay",
        "are to remain",
        "is to remain",
    ]) && !clause.has_any(&[
        "@hide",
        "hidden",
        "blurred",
        "covered",
        "private",
        "anonymous",
    ])
}

/// "A depth map of the whole photo would help the designer too", "a square crop would be
/// lovely": a thing, named first, that would help; asked when `asks_for` finds a step for it.
pub(super) fn wishes_for_a_thing(clause: &Clause, asks_for: impl Fn(&Clause) -> bool) -> bool {
    const WOULD_HELP: &[&str] = &[
        "would help",
        "would really help",
        "would be helpful",
        "would be useful",
        "would be handy",
        "would come in handy",
        "would be nice",
        "would be lovely",
        "would be great",
        "would be good",
        "would be ideal",
        "would be perfect",
        "would be appreciated",
    ];
    let Some(first) = clause.words.first() else {
        return false;
    };
    if !["a", "an", "some"].contains(&first.text.as_str()) {
        return false;
    }
    let Some((wished, after)) = WOULD_HELP
        .iter()
        .find_map(|said| clause.text.split_once(&format!(" {said}")))
    else {
        return false;
    };
    // "A square crop would be nice but the client wants the original ratio": taken back, in
    // the clause or just after it.
    let next = clause
        .request
        .split_once(clause.text.as_str())
        .map_or("", |(_, next)| next)
        .trim_start_matches([',', ';', ' ', '-', '–', '—']);
    if ["but ", "though", "however"]
        .iter()
        .any(|back| next.starts_with(back))
    {
        return false;
    }
    if Clause::new(after, &clause.request).has_any(&[
        "but",
        "though",
        "however",
        "not needed",
        "no need",
        "not necessary",
    ]) {
        return false;
    }
    // "A preview image would help too" beside a 3D model: what the model comes with.
    if wished.contains("preview") {
        return false;
    }
    asks_for(&Clause::new(&format!("make {wished}"), &clause.request))
}

/// True when the clause states something about the picture ("the doctor's face is fine to
/// show"): a subject, then a copula within three words. A question is not a statement, and
/// "pixelation is fine" refines the ask before it (see [`starts_with_a_noun`]).
pub(super) fn is_statement(clause: &Clause) -> bool {
    // "The photo on the ID copy can stay as it is": what stays, however long its subject.
    if clause.has_any(&[
        "can stay as it is",
        "can stay as they are",
        "can stay as is",
        "can remain as it is",
        "can remain as they are",
    ]) {
        return true;
    }
    // "The desk, keyboard and my coffee mug can stay out of it": what is left out, however
    // many things it lists.
    // Not "none of that can stay readable", what may not stay.
    if clause.has_any(&["can stay out", "can be left out", "can stay", "can remain"])
        && !starts_an_ask(&clause.text)
        && !clause.has_any(&["none of", "nothing", "no"])
    {
        return true;
    }
    // "Nobody minds their face being shown": what may be seen, said as who does not mind.
    if clause.has_any(&[
        "nobody minds",
        "no one minds",
        "noone minds",
        "nobody cares",
        "no one cares",
        "mind* ~ being shown",
        "mind* ~ being seen",
        "mind* ~ being visible",
    ]) && !starts_an_ask(&clause.text)
        && !clause.has_any(&["please", "but", "@hide"])
    {
        return true;
    }
    let Some(first) = clause
        .words
        .iter()
        .position(|word| !LEAD_INS.contains(&word.text.as_str()))
    else {
        return false;
    };
    let question = [
        "what", "which", "who", "how", "where", "when", "why", "is", "are", "does",
    ]
    .contains(&clause.words[first].text.as_str());
    // "Black bars are fine": a method, which refines the ask before.
    !question
        && !starts_with_a_noun(clause)
        && !clause.has_any(&[
            "blur*",
            "pixel*",
            "mosaic*",
            "black bar*",
            "black box*",
            "bars",
            "boxes",
            "solid*",
            "fill*",
        ])
        && clause.words.iter().skip(first + 1).take(5).any(|next| {
            [
                "is", "are", "was", "were", "can", "stays", "stay", "remains", "remain",
            ]
            .contains(&next.text.as_str())
        })
        && clause.has_any(&[
            "fine to",
            "ok to",
            "okay to",
            "can stay",
            "stay*",
            "allowed",
            "can be seen",
            "can show",
            // "The nurses are happy to be seen": consent to be shown.
            "happy to",
            "happy being",
            "agreed to",
            "fine with",
            "fine being",
            "ok with",
            "okay with",
            "consented",
            // "Faces are ok.": what may stay as it is.
            "are ok",
            "are okay",
            "are fine",
            "is ok",
            "is okay",
            "is fine",
        ])
}

/// True when the clause's first word after any lead-in is a noun made from a verb
/// ("pixelation is fine", "blurring is ok"): it describes how, not what.
pub(super) fn starts_with_a_noun(clause: &Clause) -> bool {
    first_after_lead_ins(clause).is_some_and(|word| {
        ["tion", "sion", "ing", "ness", "ment"]
            .iter()
            .any(|suffix| word.ends_with(suffix))
    })
}

/// The clause's first word after any lead-in ("please", "could you", "so", …).
pub(super) fn first_after_lead_ins(clause: &Clause) -> Option<&str> {
    clause
        .words
        .iter()
        .map(|word| word.text.as_str())
        .find(|word| !LEAD_INS.contains(word))
}

/// The clause's words, as text, for matching word patterns.
pub(super) fn texts(clause: &Clause) -> Vec<&str> {
    clause.words.iter().map(|word| word.text.as_str()).collect()
}

/// How a sentence that only describes the input starts ("This is my passport page.").
const DESCRIPTION_STARTS: &[&str] = &[
    "where the",
    "where my",
    "where our",
    "where his",
    "where her",
    "where their",
    "this is",
    "it is",
    "its",
    "here is",
    "these are",
    "those are",
    "they are",
    // "On this photo is a ceramic vase on a plinth".
    "on this photo is",
    "in this photo is",
    "on the photo is",
    "in the photo is",
    "in this picture is",
    "in the picture is",
    "that is",
    "attached is",
    "attached are",
    "there is",
    "there are",
    "theres",
    "thats",
    // "Screenshot of a group chat - could you …": the input, named.
    "headshot of",
    "a headshot of",
    "selfie of",
    "a selfie of",
    "snap of",
    "a snap of",
    "shot of",
    "a shot of",
    "screenshot of",
    "a screenshot of",
    "photo of",
    "a photo of",
    "picture of",
    "a picture of",
    "scan of",
    "a scan of",
    "screenshot from",
    "a screenshot from",
];

/// Contracted starts, read from the text: a word loses its "'s" ("that's" would be "that", and
/// "that bed — turn it into a splat" describes nothing).
const CONTRACTED_STARTS: &[&str] = &[
    "it's",
    "that's",
    "here's",
    "there's",
    "she's",
    "he's",
    "this one's",
    "they're",
];

/// Kinds of picture one can ask to be made.
const PICTURE_NOUNS: &[&str] = &[
    "picture",
    "image",
    "photo",
    "illustration",
    "drawing",
    "painting",
    "watercolour",
    "watercolor",
    "cartoon",
    "banner",
    "header",
    "poster",
    "wallpaper",
    "sketch",
    "artwork",
    "graphic",
    "logo",
    "icon",
    "mascot",
    "avatar",
    "backdrop",
    "render",
];

/// Pictures that were taken: "the photo", "my snap" name one of the sender's own.
const PHOTO_NOUNS: &[&str] = &["picture", "image", "photo", "pic", "snap", "shot"];

/// True when `word`, or its singular, is one of `nouns` ("photos", "banner").
fn one_of(word: &str, nouns: &[&str]) -> bool {
    nouns.contains(&word.strip_suffix('s').unwrap_or(word))
}

/// True when the clause asks for a picture said with "a" ("I need a wide 16:9 picture of a cat",
/// "need a header for my blog: a lighthouse at sunset", "dream up a watercolour of an otter")
/// and the request names no picture of its own ("the photo", "a photo of my grandma", "my
/// passport photo"), nothing to hide and nothing to look up: with nothing attached, one to
/// make.
pub(super) fn describes_a_new_picture(clause: &Clause) -> bool {
    let words = texts(clause);
    let a_new_one = words.iter().enumerate().any(|(index, word)| {
        ["a", "an"].contains(word)
            && words
                .iter()
                .skip(index + 1)
                .take(4)
                .any(|next| one_of(next, PICTURE_NOUNS))
    });
    let request = Clause::new(&clause.request, &clause.request);
    let said = texts(&request);
    // "The photo", "my snap" (not "the banner of the flyer" it is for).
    let one_of_its_own = said.iter().enumerate().any(|(index, word)| {
        [
            "the", "this", "that", "my", "our", "your", "his", "her", "their", "attached",
        ]
        .contains(word)
            && said[index + 1..]
                .iter()
                .take(2)
                .any(|next| one_of(next, PHOTO_NOUNS))
    });
    // "A photo of my grandma", "a picture from the trip": one that was taken.
    let taken = said.windows(3).any(|three| {
        one_of(three[0], PICTURE_NOUNS)
            && (["from", "off"].contains(&three[1])
                || three[1] == "of"
                    && [
                        "my", "our", "his", "her", "their", "me", "us", "him", "them",
                    ]
                    .contains(&three[2]))
    });
    a_new_one
        && !one_of_its_own
        && !taken
        && !request.has_any(&[
            "@hide",
            "@remove",
            "attach*",
            "sending",
            "send you",
            "upload*",
            // Pictures of the sender, or real ones to be found.
            "passport",
            "headshot*",
            "selfie*",
            "profile pic*",
            "id photo*",
            "find",
            "search*",
            "look* up",
            "real",
            "actual",
            "stock",
            // One that exists, to edit ("crop a photo to 16:9", "a thumbnail of a photo I
            // took", "turn a picture of the dog into a watercolour", "a picture of page 3").
            "crop*",
            // Not "an otter on a lily pad".
            "pad it",
            "pad a",
            "pad the",
            "pad to",
            "padding",
            "trim*",
            "resiz*",
            "edit*",
            "retouch*",
            "fix*",
            "turn* ~ into",
            "chang*",
            "put ~ on",
            "thumbnail*",
            "brighten*",
            "darken*",
            "rotat*",
            "flip*",
            "convert*",
            "adjust*",
            "enhanc*",
            "restor*",
            "sharpen*",
            "i took",
            "we took",
            "of mine",
            "page*",
            "last week",
            "the one",
        ])
        && !read::asks_yes_no(clause)
}

/// True when the clause describes the input rather than asks ("it's way too dark", "this is my
/// passport photo page"): its words may still name tools, so it is planned only when nothing
/// else in the request asks for anything.
pub(super) fn describes(clause: &Clause) -> bool {
    // "My boss says blur the faces" tells who asked, and passes the ask on.
    if relays_an_ask(&texts(clause)) || asks_what_or_when(clause) {
        return false;
    }
    // "FYI this is the photo from this morning's ward round": what follows the aside.
    for aside in ["fyi ", "btw ", "just so you know ", "for your information "] {
        if let Some(rest) = clause.text.strip_prefix(aside) {
            return describes(&Clause::new(rest, &clause.request));
        }
    }
    // "Quick one for the incident report: the picture shows two staff members …": what
    // follows a short heading.
    if let Some((heading, rest)) = clause.text.split_once(": ")
        && heading.split_whitespace().count() <= 8
        && !rest.trim().is_empty()
        && !starts_an_ask(heading)
        && describes(&Clause::new(rest, &clause.request))
    {
        return true;
    }
    greets_or_signs_off(clause)
        || says_where_it_goes(clause)
        || says_what_could_happen(clause)
        || names_something(clause)
        || names_the_input(clause)
        || tells_what_happened_before(clause)
        || tells_what_the_sender_is_doing(clause)
        || says_how_it_is(clause)
        || says_how_it_was_made(clause)
        || says_what_is_not_there(clause)
        || says_it_is_too_much(clause)
        || judges_the_input(clause)
        || tells_what_others_do_not_want(clause)
        || tells_what_others_like(clause)
        || says_what_is_left(clause)
        || says_on_what_condition(clause)
        || speaks_of_consent(clause)
        || labels_the_input(clause)
        || leaves_the_choice(clause)
        || announces_asks(clause)
}

/// "Hello, two requests for https://…, which our team links to": the asks are still to come
/// (not "two things: a depth map, …", which go on to say them).
fn announces_asks(clause: &Clause) -> bool {
    !clause.text.contains(':')
        && clause.has_any(&[
            "two requests",
            "three requests",
            "a few requests",
            "couple of requests",
            "two things",
            "three things",
            "a few things",
            "couple of things",
            "two asks",
            "two favours",
            "two favors",
        ])
        && !starts_an_ask(&clause.text)
}

/// "What year do you think it was taken?": a question, whatever it says of the input.
fn asks_what_or_when(clause: &Clause) -> bool {
    clause.text.trim_end().ends_with('?')
        && clause.words.first().is_some_and(|first| {
            // Not "where's the cat hiding?", which names the thing a later "it" points at, nor
            // "how come …?" or "whose dog is this?", read by what they name.
            ["what", "when", "which"].contains(&first.text.as_str())
        })
}

/// "White or black bars, I'm not fussy", "either is fine": the choice left open, not an ask.
fn leaves_the_choice(clause: &Clause) -> bool {
    clause.has_any(&[
        "not fussy",
        "don't mind",
        "dont mind",
        "either is fine",
        "either's fine",
        "either way",
        "whichever",
        "doesn't matter",
        "doesnt matter",
        "don't care",
        "dont care",
        "not bothered",
    ]) && (!starts_an_ask(&clause.text)
        // "Black bars, I'm not fussy": an option, then the choice left open.
        || clause
            .text
            .split_once(',')
            .is_some_and(|(before, _)| before.split_whitespace().count() <= 3))
}

/// "Pharmacy label on my prescription bottle": a heading that says what the input is, with no
/// verb at all.
fn labels_the_input(clause: &Clause) -> bool {
    clause.has_any(&["on my", "of my", "from my", "on our", "of our", "from our"])
        && !clause.has_any(ACTION_WORDS)
        && !clause.has_any(WISHES)
        && !clause.words.iter().any(|word| {
            is_past_tense(&word.text)
                || ["is", "are", "was", "were", "has", "have", "had"].contains(&word.text.as_str())
        })
        && !clause.text.contains('?')
}

/// "HR says we need their consent for any marketing use, which we don't have": who agreed to
/// be shown, the reason for an ask rather than one.
fn speaks_of_consent(clause: &Clause) -> bool {
    clause.has_any(&["consent*", "sign-off", "signed off", "permission"])
        && !clause.has_any(&["@hide", "please", "pls", "can you", "could you", "can u"])
        && !starts_an_ask(&clause.text)
}

/// "If it works", "if that's possible": a condition, asking nothing of its own.
fn says_on_what_condition(clause: &Clause) -> bool {
    clause.words.first().is_some_and(|word| word.text == "if")
        && !clause.has_any(&["please", "pls", "you", "can u", "could u"])
        // Not "if there are faces blur them".
        && !clause.words.iter().skip(1).any(|word| {
            Clause::new(&word.text, &word.text).has_any(ACTION_WORDS)
        })
}

/// "What's still showing is the patient's name": what the picture shows, not a question.
fn says_what_is_left(clause: &Clause) -> bool {
    let words = texts(clause);
    // Not "what breed is he", a question.
    let showing = |word: &str| {
        [
            "showing",
            "visible",
            "left",
            "remaining",
            "remains",
            "readable",
            "shown",
            "written",
            "printed",
        ]
        .contains(&word)
    };
    words
        .first()
        .is_some_and(|first| ["what's", "whats", "what"].contains(first))
        && words.iter().skip(1).take(2).any(|word| showing(word))
        && words
            .iter()
            .skip(2)
            .any(|word| ["is", "are"].contains(word))
        && !clause.text.contains('?')
        && !clause.has_any(&["please", "pls", "can you", "could you", "tell me"])
}

/// "Other parents don't want their kids online", "my sister doesn't like how she looks": what
/// someone else would rather not, said as the reason for an ask beside it (alone, it is the
/// ask: descriptions are skipped only when something else asks).
fn tells_what_others_do_not_want(clause: &Clause) -> bool {
    let words = texts(clause);
    let Some(at) = words
        .iter()
        .take(8)
        .position(|word| ["dont", "don't", "doesn't", "doesnt", "didn't", "didnt"].contains(word))
    else {
        return false;
    };
    at > 0
        && words
            .get(at + 1)
            // "The adjuster doesn't need to see the bystanders": why, beside the ask (not
            // "smudge the faces out (doesn't need to be heavy)", how).
            .is_some_and(|next| {
                ["want", "like", "wish"].contains(next)
                    // Not "the recipient doesn't need to see the kids' faces", a need to hide.
                    || (*next == "need"
                        && !clause.has_any(&["face", "faces", "@phi"])
                        && ["the", "my", "our", "his", "her", "their", "your"].contains(&words[0])
                        && matches!(
                            words.get(at + 2..at + 4),
                            Some(["to", "see" | "know" | "have" | "get"])
                        ))
            })
        // Not "my boss doesn't want any faces showing either", an ask by proxy.
        && !clause.has_any(&["showing", "visible", "seen", "shown", "recogni*", "identif*", "readable"])
        && !words[..at]
            .iter()
            .any(|word| ["i", "we", "you", "u", "please", "pls", "so", "and"].contains(word))
        && !clause.has_any(&["please", "pls", "can you", "could you"])
}

/// "Buyers love being able to spin the item around", "our customers really like seeing the
/// texture": what an audience enjoys, said as the reason for an ask beside it.
fn tells_what_others_like(clause: &Clause) -> bool {
    let words = texts(clause);
    let Some(at) = words.iter().take(4).position(|word| {
        [
            "love", "loves", "like", "likes", "enjoy", "enjoys", "adore", "adores",
        ]
        .contains(word)
    }) else {
        return false;
    };
    // What they enjoy doing ("love being able to", "like seeing"), not "like the names
    // covered", a wish for the picture.
    let doing = words
        .get(at + 1)
        .is_some_and(|next| next.ends_with("ing") || *next == "to");
    let subject = &words[..at];
    doing
        && subject.iter().any(|word| {
            [
                "buyers",
                "customers",
                "clients",
                "people",
                "viewers",
                "users",
                "visitors",
                "readers",
                "followers",
                "guests",
                "shoppers",
                "students",
                "kids",
                "parents",
                "fans",
                "everyone",
                "everybody",
                "they",
            ]
            .contains(word)
        })
        && !subject.iter().any(|word| {
            [
                "i", "we", "you", "u", "please", "pls", "so", "and", "would", "'d",
            ]
            .contains(word)
        })
        && !clause.text.contains('?')
        && !clause.has_any(&[
            "please",
            "pls",
            "can you",
            "could you",
            "would like",
            "'d like",
        ])
}

/// "Remove the dirty coffee mugs from the counter", "just delete him out of this one": an ask
/// that takes a thing out of the picture (not its background, text, faces or metadata, which
/// tools hide or strip).
pub(super) fn removes_a_thing(clause: &Clause) -> bool {
    let words = texts(clause);
    let start = words
        .iter()
        .position(|word| {
            ![
                "just", "please", "pls", "and", "also", "then", "can", "could", "you",
            ]
            .contains(word)
        })
        .unwrap_or(0);
    let removing = match &words[start..] {
        ["remove" | "erase" | "delete" | "eliminate", ..] => true,
        ["get", "rid", "of", ..] | ["take", "out", ..] => true,
        // "Take my ex out of this photo".
        ["take", rest @ ..] => rest.iter().take(4).any(|word| *word == "out"),
        _ => false,
    };
    // "Take them out and fill the gap with …": a generative edit, asked in the same request.
    let filled_in = Clause::new(&clause.request, &clause.request).has_any(&[
        "fill*",
        "paint* ~ in",
        "paint* ~ over",
        "inpaint*",
        "replac*",
    ]);
    removing
        && !filled_in
        && !clause.has_any(&[
            "@faces",
            "@phi",
            "@sensitive",
            "background",
            "metadata",
            "exif",
            "gps",
            "location",
            "text",
            "colo*",
            "border*",
            "edge*",
            "second*",
            "minute*",
            "page*",
            "part",
            "bit",
            "red eye",
            "noise",
            "grain",
            "blur",
            "filter",
            "crop*",
        ])
}

/// "Too dark…", "way too big": how the input is, said before the ask that fixes it.
fn says_it_is_too_much(clause: &Clause) -> bool {
    let words = texts(clause);
    matches!(
        words.as_slice(),
        ["too", _, ..]
            | [
                "way" | "far" | "much" | "slightly" | "rather" | "still" | "just",
                "too",
                _,
                ..
            ]
            | ["a", "bit" | "little", "too", _, ..]
    ) && !clause.has_any(ACTION_WORDS)
        && !clause.has_any(&["please", "pls", "can you", "could you"])
}

/// "This referral letter is going to a research registry", "going on our Airbnb listing":
/// where the result goes, with nothing asked.
fn says_where_it_goes(clause: &Clause) -> bool {
    let goes = clause.has_any(&[
        "going to",
        "going into",
        "going on",
        "going in",
        "goes to",
        "goes into",
        "goes on",
        "goes in",
        "headed to",
        "heading to",
        "headed for",
        "destined for",
    ]);
    // Not "hide my name before it goes on linkedin", an ask with where it goes after.
    goes && !starts_an_ask(&clause.text)
        && !clause.has_any(&[
            "please",
            "pls",
            "can you",
            "could you",
            "would you",
            "need*",
            "want*",
            "has to",
            "have to",
            "must",
            "should",
            "before",
            "once",
            "until",
        ])
}

/// "Some of the people there could lose their jobs if they were recognised": what might
/// happen, said by someone who asks elsewhere. Not "it would be great if you could blur them"
/// or "I would like the faces hidden".
fn says_what_could_happen(clause: &Clause) -> bool {
    let words = texts(clause);
    let modal = words.iter().enumerate().skip(1).any(|(at, word)| {
        ["could", "might", "would", "may"].contains(word)
            && words.get(at + 1).is_some_and(|next| !["you", "u"].contains(next))
            // "Any text that could identify them" names what to act on.
            && !["that", "which", "who"].contains(&words[at - 1])
    });
    // "A bit brighter would help": a change by degree, that would help (not "it would help
    // the committee", what helps whom).
    // "A greyscale copy would also help": one more copy asked.
    let change_would_help = clause.has_any(&["would help", "would really help", "would ~ help"])
        && (clause.has_any(&["a bit", "a little", "slightly", "a touch"])
            || (clause.has_any(ONE_MORE) && clause.has_any(&["a ~ copy", "a ~ version"])));
    // Not "… then blur the faces so nobody could recognise them".
    modal
        && !change_would_help
        && !starts_an_ask(&clause.text)
        && !clause.has_any(&[
            "you",
            "like",
            "love",
            "appreciate",
            "great",
            "nice",
            "good",
            "helpful",
            "handy",
            "useful",
            "welcome",
            "awesome",
            "amazing",
            "brilliant",
            "lovely",
            "wonderful",
            "ideal",
            "perfect",
            "better",
            "prefer",
            "please",
            "pls",
        ])
}

/// "Hi from the Visitor Experience team", "dear colleagues", "— Returns desk, Nordic Home
/// Goods": who writes, said before or after the ask.
fn greets_or_signs_off(clause: &Clause) -> bool {
    const GREETINGS: &[&str] = &[
        "hi",
        "hello",
        "hey",
        "dear",
        "greetings",
        "morning",
        "afternoon",
    ];
    const AFTER_GREETING: &[&str] = &[
        "from",
        "all",
        "everyone",
        "there",
        "team",
        "colleagues",
        "folks",
        "again",
        "good",
    ];
    let words = texts(clause);
    // "Hi, just testing if the upload works": a try of the service, asking for nothing.
    let tries_the_service = matches!(
        words.as_slice(),
        ["just", "testing" | "checking" | "trying", ..] | ["testing" | "test", ..]
    ) && clause.has_any(&["upload*", "works", "working", "test"]);
    let greets = tries_the_service
        || match words.as_slice() {
            [greeting] => GREETINGS.contains(greeting),
            ["good", "morning" | "afternoon" | "evening", ..] => words.len() <= 4,
            [greeting, next, ..] => GREETINGS.contains(greeting) && AFTER_GREETING.contains(next),
            _ => false,
        };
    // A sign-off: a short last line after a dash or a thank-you ("Thank you, Marketing
    // (Rina)").
    let end = |text: &str| text.trim_end_matches(['.', '!', ' ', ')']).to_owned();
    let request = end(&clause.request);
    let text = end(&clause.text);
    let before = request
        .strip_suffix(&text)
        .map(|before| before.trim_end_matches([',', ' ', '\n']));
    // Not "- crop to a square" (a list item) nor "… looks best, make it 1080 wide": an em or
    // en dash, or a thank-you that is a sentence of its own.
    let signs_off = words.len() <= 6
        && before.is_some_and(|before| {
            clause.text.trim_start().starts_with(['—', '–'])
                || [
                    "thank you",
                    "thanks",
                    "regards",
                    "best",
                    "cheers",
                    "sincerely",
                ]
                .iter()
                .any(|thanks| {
                    before.strip_suffix(thanks).is_some_and(|rest| {
                        rest.trim_end().is_empty() || rest.trim_end().ends_with(['.', '!', '\n'])
                    })
                })
        });
    (greets || signs_off) && !clause.has_any(&["please", "can you", "could you"])
}

/// Nouns for the input itself ("team photo of …", "hospital discharge summary as a PDF").
const INPUT_NOUNS: &[&str] = &[
    "photo",
    "picture",
    "pic",
    "shot",
    "snap",
    "snapshot",
    "clip",
    "video",
    "footage",
    "scan",
    "screenshot",
    "image",
    "selfie",
    "headshot",
    "recording",
    "mock-up",
    "mockup",
    "mock",
    "panorama",
    "pdf",
    "summary",
    "letter",
    "form",
    "listing",
    "still",
    "render",
    "photos",
    "pictures",
    "pics",
    "shots",
];

/// "Team photo of my son's under-10s, …", "panorama of the mountains for my grid", "lab bench
/// photo: a microscope, a whiteboard …": the input named, with what is in it or what it is for.
fn names_the_input(clause: &Clause) -> bool {
    const DETERMINERS: &[&str] = &["a", "an", "the", "this", "my", "our", "his", "her", "their"];
    const AFTER: &[&str] = &[
        "of", "from", "at", "for", "taken", "showing", "with", "as", "in", "on", "up",
    ];
    if clause.has_any(&["please", "pls", "can you", "could you"]) {
        return false;
    }
    // "Listing photos for 7 Canal Street attached": its "listing" is no verb.
    let attached = clause
        .words
        .last()
        .is_some_and(|last| ["attached", "enclosed"].contains(&last.text.as_str()))
        && clause
            .words
            .iter()
            .any(|word| INPUT_NOUNS.contains(&word.text.as_str()));
    // "Everyone else's photos on the page are cut-outs" says something of other pictures.
    // "The second marks the protected tree zone": its verb says which input is which.
    // "Pic 1 is the dress, pic 2 is my girlfriend …": which input is which.
    let which = matches!(
        texts(clause).as_slice(),
        ["picture" | "pic" | "image" | "photo" | "img", _, "is", ..]
            | [
                "the",
                "first" | "second" | "third",
                "is" | "one" | "image" | "picture" | "photo" | "marks" | "shows" | "covers",
                ..
            ]
            | [
                "first" | "second" | "third",
                "is" | "one" | "image" | "picture" | "photo" | "marks" | "shows" | "covers",
                ..
            ]
    );
    // Not "redact the names in the PDF attached", an ask; "listing photos … attached" starts
    // with a noun that only looks like a verb.
    let attached = attached
        && (!starts_an_ask(&clause.text)
            || first_after_lead_ins(clause).is_some_and(|word| word.ends_with("ing")));
    // "The second marks the tree zone": a verb that says which input is which, not an ask.
    let which_by_verb = which
        && texts(clause)
            .iter()
            .any(|word| ["marks", "shows", "covers"].contains(word));
    if attached || which_by_verb {
        return true;
    }
    // "… and pictures from https://shop.example.net": a page's pictures, not the input.
    if is_an_ask(clause) || clause.has_any(&["http*", "www*"]) {
        return false;
    }
    let copula = clause.has_any(&["is", "are", "was", "were"]);
    let words: Vec<&str> = clause
        .words
        .iter()
        .map(|word| word.text.as_str())
        .skip_while(|word| DETERMINERS.contains(word))
        .collect();
    let named_then = words.iter().take(3).enumerate().any(|(at, word)| {
        INPUT_NOUNS.contains(word)
            && words
                .get(at + 1)
                .is_some_and(|next| AFTER.contains(next) || next.ends_with(':'))
    });
    // Not "school play recording: hide every face", an ask after its label.
    let labelled = clause.text.split_once(": ").is_some_and(|(label, rest)| {
        label.split_whitespace().count() <= 5
            && label
                .split_whitespace()
                .any(|word| INPUT_NOUNS.contains(&word))
            && !starts_an_ask(rest)
    });
    // "This photo of the sourdough needs to be 1200 pixels wide": what it must become.
    let demands = clause.has_any(MUST_BE) || clause.has("should be");
    (!copula && !demands && (named_then || labelled)) || which
}

/// "I already cropped this myself", "last time you made it way too dark": what happened
/// before this request.
pub(super) fn tells_what_happened_before(clause: &Clause) -> bool {
    const DONE: &[&str] = &[
        "made", "did", "sent", "took", "tried", "got", "gave", "put", "cut", "ran", "went", "used",
        "asked", "blurred", "cropped", "edited", "said", "told", "swore", "promised", "claimed",
    ];
    // "Quick sanity check before this goes to the printer: the client swore …": what follows
    // a short heading.
    let after_heading = clause
        .text
        .split_once(": ")
        .filter(|(heading, _)| heading.split_whitespace().count() <= 10)
        .map(|(_, rest)| Clause::new(rest, &clause.request));
    if let Some(rest) = after_heading
        && !rest.words.is_empty()
        && rest.words.len() < clause.words.len()
    {
        return tells_what_happened_before(&rest);
    }
    let words = texts(clause);
    let past = match words.as_slice() {
        // "I keep getting motion alerts at night".
        ["last", "time", ..] | ["i" | "we", "keep", ..] => true,
        [
            "i" | "we" | "you" | "they" | "he" | "she" | "someone" | "somebody" | "i've"
            | "we've" | "you've" | "they've",
            "already" | "just",
            verb,
            ..,
        ]
        // "My colleague already cut the background out of this", "HR already blurred the faces".
        | ["my" | "our" | "the" | "his" | "her" | "their" | "a" | "an", _, "already", verb, ..]
        | [_, "already", verb, ..]
        | [
            "i" | "we" | "you" | "they" | "he" | "she" | "someone" | "somebody",
            verb,
            ..,
        ]
        // "My phone did it again", "the scanner made it crooked", "our illustrator painted
        // the selection".
        // (not "the names printed on the lanyards", a thing named).
        | [
            "my" | "our" | "the" | "his" | "her" | "their",
            _,
            verb,
            "it" | "this" | "them" | "the" | "a" | "an" | "my" | "our" | "his" | "her" | "their",
            ..,
        ] => {
            // "I printed it already", "we counted guests at the door".
            DONE.contains(verb) || is_past_tense(verb)
        }
        // "The face is already centred".
        _ => words.windows(2).any(|pair| {
            pair[0] == "already" && (DONE.contains(&pair[1]) || is_past_participle(pair[1]))
        }),
    };
    past && !clause.has_any(&["please", "can you", "could you", "now", "this time"])
}

/// "Intake form from our clinic, scanned to JPEG", "taken at golden hour": how the input came
/// to be, with no ask.
fn says_how_it_was_made(clause: &Clause) -> bool {
    !is_an_ask(clause)
        && clause.has_any(&[
            "scanned",
            "taken",
            "shot on",
            "shot at",
            "shot in",
            "filmed",
            "photographed",
            "recorded",
            "bundled",
            "compiled",
            "collated",
            "captured",
            "snapped",
            "exported",
        ])
        // "Home addresses taken out": how it should end up.
        && !clause.has_any(&[
            "please",
            "can you",
            "could you",
            "need*",
            "want*",
            "taken out",
            "taken off",
            "taken away",
            "taken down",
        ])
}

/// "No faces on it", "no people in this one": what the input does not hold.
pub(super) fn says_what_is_not_there(clause: &Clause) -> bool {
    // "My face isn't anywhere in it", "there are no people in the shot".
    let absent = matches!(
        texts(clause).as_slice(),
        [
            "my" | "her" | "his" | "their" | "our" | "the",
            "face" | "faces",
            "isn't" | "aren't",
            ..
        ] | [
            "my" | "her" | "his" | "their" | "our" | "the",
            "face" | "faces",
            "is" | "are",
            "not" | "nowhere",
            ..
        ] | ["there" | "there's" | "theres", "are" | "is", "no", ..]
            | ["there" | "there's" | "theres", "no", ..]
            | [
                "there" | "there's" | "theres",
                "aren't" | "isn't",
                "any",
                ..
            ]
            | ["nobody" | "no one", "is" | "appears" | "else", ..]
            | ["nobody" | "nobody's" | "nobodys", "face" | "faces", ..]
            | ["no", "one" | "one's" | "ones", "face" | "faces", ..]
    );
    if absent && !clause.has_any(&["please", "pls", "should", "must", "but"]) {
        return true;
    }
    clause.words.first().is_some_and(|word| word.text == "no")
        && clause.has_any(&[
            "on it",
            "in it",
            "in this",
            "in the photo",
            "in the picture",
            "in the image",
            "in the shot",
            "on the page",
        ])
        // Not "no personal info left on it", what must not remain.
        && !clause.has_any(&["please", "pls", "should", "must", "left", "remaining"])
}

/// Words that narrow what a sentence says to a part of the input ("no people in the background,
/// just us two", "no text on the front").
const PART_OF_THE_INPUT: &[&str] = &[
    "background",
    "foreground",
    "corner",
    "left",
    "right",
    "behind",
    "front",
    "back",
    "top",
    "bottom",
    "side",
    "page",
    "just",
    "only",
    "except",
    "apart",
    "besides",
    "other than",
];

/// "There are no people in the shot", "nobody's face is in it": the input holds no faces.
pub(super) fn says_no_faces_are_there(clause: &Clause) -> bool {
    says_what_is_not_there(clause)
        && !clause.has_any(PART_OF_THE_INPUT)
        && clause.has_any(&[
            "face", "faces", "people", "person", "persons", "nobody", "no one", "anyone", "anybody",
        ])
}

/// "There's no text on it": the input holds nothing to read.
pub(super) fn says_no_text_is_there(clause: &Clause) -> bool {
    says_what_is_not_there(clause)
        && !clause.has_any(PART_OF_THE_INPUT)
        && clause.has_any(&["text", "writing", "words", "names", "labels", "stickers"])
}

/// True when the clause points at something in the input ("there's a kid's face in the
/// corner", "my address is on the whiteboard"): a later "blur it" may mean that thing.
pub(super) fn names_something(clause: &Clause) -> bool {
    // "… - there's a name sticker in the corner too": something more to act on.
    let adds = clause.has_any(&["also", "as well"])
        || clause.words.last().is_some_and(|word| word.text == "too");
    // "Oh and there's a name badge": after an interjection.
    let first = clause
        .words
        .iter()
        .position(|word| !["oh", "and", "also", "btw"].contains(&word.text.as_str()))
        .unwrap_or(0);
    // "… the chat panel, where everyone's private messages are visible": where something is
    // (not "where is the exit?", a question).
    let says_where = clause
        .words
        .get(first)
        .is_some_and(|word| word.text == "where")
        && clause.words.get(first + 1).is_some_and(|next| {
            ![
                "is", "are", "was", "were", "do", "does", "did", "can", "could", "would", "should",
                "s", "exactly",
            ]
            .contains(&next.text.as_str())
        });
    !adds
        && (says_where
            || DESCRIPTION_STARTS
                .iter()
                .any(|start| clause.find(start).is_some_and(|span| span.start == first))
            || CONTRACTED_STARTS
                .iter()
                .any(|start| clause.text.trim_start().starts_with(&format!("{start} ")))
            || owned_thing_is(clause))
}

/// The thing `clause`'s "that" (or a topic sentence's "it") names in the description
/// `before`: "the bicycle leaning on the wall - reconstruct that", "this is my son's trainer. He
/// wants it in 3D". Not "the dog got into the shot. Make it 3D", where "it" is the picture.
pub(super) fn object_pointed_at(before: &Clause, clause: &Clause) -> Option<String> {
    let thing = |text: &str| {
        let text = POSSESSIVE.replace_all(text, "");
        vitrine_tools::meaning::read::object(&Clause::new(&text, &clause.request))
            .and_then(|object| object.as_str().map(str::to_owned))
    };
    // "Make a 3D model of the whole scene that I can spin": the scene, whatever was described.
    if clause.has_any(&["scene", "whole", "entire", "everything", "room"]) {
        return None;
    }
    // "Reconstruct that", "this one": a pointer as the verb's object (not "a model that I
    // can spin", a relative clause).
    let words = texts(clause);
    let pointer =
        words.windows(2).any(|pair| {
            pair[1] == "that"
                && [
                    "reconstruct",
                    "rebuild",
                    "model",
                    "make",
                    "turn",
                    "do",
                    "scan",
                    "build",
                    "convert",
                    "render",
                    "capture",
                    "splat",
                    "put",
                ]
                .contains(&pair[0])
        }) || clause.has_any(&["that one", "this one", "that's the one", "that is the one"]);
    // "The lamp by the window - that's the one", "look at the lamp by the window. Can you
    // reconstruct that": a description that is only its thing, from its first "the".
    let only_its_thing = || {
        let from = ["the ", "this ", "that ", "my ", "our "]
            .iter()
            .filter_map(|start| {
                before
                    .text
                    .match_indices(start)
                    .find(|(at, _)| *at == 0 || before.text[..*at].ends_with(' '))
                    .map(|(at, _)| at)
            })
            .min()?;
        thing(&format!("of {}", &before.text[from..]))
    };
    if pointer {
        return thing(&before.text).or_else(only_its_thing);
    }
    // "Only the teapot, please. My grandmother painted it and I'd love it in 3D", "focusing
    // on the kettle, make a 3D model", "isolate the guitar and build it in 3D".
    let fragment = ["only ", "just ", "focus", "concentrat", "solely "]
        .iter()
        .any(|start| before.text.starts_with(start));
    if (fragment || clause.has_any(&["it"]))
        && let Some(singled) = vitrine_tools::meaning::read::singled_out(before)
    {
        return Some(singled);
    }
    if !clause.has_any(&["it"]) {
        return None;
    }
    // "I took a photo of my grandmother's teapot", "my grandfather carved this little owl",
    // "the teddy bear on the bed is my son's favourite": what the sentence is about.
    if let Some(captures) = TOPIC.captures(&before.text)
        && let Some(said) = captures.iter().skip(1).flatten().next()
    {
        // "I took a photo of my living room with the new sofa. Make it 3D": a place is the
        // whole picture, whatever is in it.
        let first_name = POSSESSIVE
            .replace_all(said.as_str(), "")
            .split_whitespace()
            .take_while(|word| {
                !["with", "and", "in", "on", "at", "from", "by", "of"].contains(word)
            })
            .take(3)
            .collect::<Vec<_>>()
            .join(" ");
        if vitrine_tools::meaning::read::names_the_whole_picture(&first_name) {
            return None;
        }
        return thing(&format!("of the {}", said.as_str()));
    }
    // "The owl on the shelf — could you turn it into a splat?": a description that is only a
    // thing and where it is.
    if BARE_THING.is_match(&before.text)
        && !texts(before).iter().any(|word| {
            [
                "is", "was", "are", "were", "has", "had", "have", "loves", "love", "looks",
                "seems", "got", "came",
            ]
            .contains(word)
        })
    {
        return only_its_thing();
    }
    // "This is my son's trainer", or "the vase on the left is the one we're selling": the
    // thing the description is about.
    let topic = ["this is ", "here is ", "here's ", "that's ", "these are "]
        .iter()
        .find_map(|start| before.text.strip_prefix(start))
        .or_else(|| {
            ["the ", "my ", "our "]
                .iter()
                .any(|start| before.text.starts_with(start))
                .then(|| {
                    [" is the one", " is the piece", " is the item", " is what "]
                        .iter()
                        .find_map(|says| before.text.split_once(says))
                        .map(|(subject, _)| subject)
                })
                .flatten()
        })?;
    thing(&format!("of {topic}"))
}

/// A description that is only a thing and where it is: "the owl on the shelf".
static BARE_THING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:the|this|that|my|our)\s+(?:[a-z-]+\s+){0,2}[a-z-]+(?:\s+(?:on|in|at|by|near|under|behind|beside|next to|against|in front of|of)\s+(?:the|a|an|my|our|this|that)\s+(?:[a-z-]+\s*){1,3})*$",
    )
    .unwrap_or_else(|error| panic!("bad bare thing pattern: {error}"))
});

/// A sentence about one thing: a photo of it, what someone did to it, or whose it is.
static TOPIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:(?:photo|picture|pic|shot|snap|image)\s+of|shows|showing|show|display|displaying|feature|featuring)\s+(?:my|our|the|this|a|an)\s+(.+)|\b(?:carved|made|built|painted|bought|found|inherited|knitted|sewed|sewn|drew|restored|designed|selling|sold|restoring|repairing|repaired|fixing|fixed|listing|auctioning)\s+(?:this|my|our)\s+(.+)|^(?:the|my|our)\s+([a-z][a-z-]+(?:\s+[a-z][a-z-]+)?)\s+(?:(?:on|in|by|at|from)\s+(?:the|my|our)\s+[a-z]+\s+)?(?:is|was)\s+(?:my|our|his|her|their|[a-z]+'s)\s+(?:[a-z]+'s\s+)?(?:favourite|favorite|pride and joy|pride|treasure|most prized possession)\s*(?:$|[,.;!?]|and\b)|^(?:[a-z]+'s\s+|the\s+|my\s+|our\s+)((?:[a-z-]+\s+){0,2}[a-z-]+)\s+(?:is|sits|stands)\s+in\s+(?:this|the)\s+(?:photo|picture|pic|shot|image)\b",
    )
    .unwrap_or_else(|error| panic!("bad topic pattern: {error}"))
});

/// "My son's ", "the client's ": an owner before the thing named (the topic's "here's" is
/// gone by then).
static POSSESSIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[a-z]+'s\s+").unwrap_or_else(|error| panic!("bad possessive pattern: {error}"))
});

/// "Her face is fine", "the nurses are happy to be seen": what may stay as it is. Such a clause
/// is no description for a later "it" to point back at.
pub(super) fn lets_stay(clause: &Clause) -> bool {
    is_statement(clause)
        || clause.has_any(&[
            "fine",
            "ok",
            "okay",
            "happy to",
            "agreed to",
            "allowed",
            "don't mind",
            "doesn't mind",
            "no problem",
        ])
}

/// "The bride is fine to show", "her face is ok", "the teacher can stay visible": one person
/// who may be seen, said of them alone. Not several ("the kids are fine"), not their things
/// ("my dad's car is fine to show"), not "fine with it", "fine being hidden" or "happy to be in
/// the newsletter" (consent to be published, hidden or not).
pub(super) fn lets_someone_be_seen(clause: &Clause) -> bool {
    // What may be seen.
    const SEEN: &[&str] = &[
        "fine to show",
        "fine to be seen",
        "fine to be shown",
        "ok to show",
        "okay to show",
        "happy to be seen",
        "happy to be shown",
        "can be seen",
        "can be shown",
        "can stay visible",
        "can be visible",
        "can remain visible",
        "agreed to be seen",
        "agreed to be shown",
        "doesn't mind being seen",
    ];
    // Said alone, only at the end: "the bride is fine", "her face is ok".
    const FINE: &[&str] = &["fine", "ok", "okay"];
    // "The bride's fine to show": the contraction read as "is".
    let text = clause.text.replace("'s ", " is ");
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|word| !word.is_empty())
        .collect();
    let Some(verb) = words
        .iter()
        .position(|word| ["is", "can", "doesn't", "agreed"].contains(word))
    else {
        return false;
    };
    let subject = &words[..verb];
    let one_person = |word: &&str| {
        Clause::new(word, word).has_any(&["@faces"])
            && !word.ends_with('s')
            && ![
                "everyone",
                "everybody",
                "anyone",
                "anybody",
                "nobody",
                "someone",
                "somebody",
                "who",
                "whoever",
                "face",
                "facial",
                "crowd",
                "people",
                "children",
            ]
            .contains(word)
    };
    let named = (subject.iter().any(one_person)
        || subject.ends_with(&["her", "face"])
        || subject.ends_with(&["his", "face"]))
        && subject.len() <= 6;
    let rest = words[verb..].join(" ");
    let after_verb = &words[verb + 1..];
    let may_be_seen =
        SEEN.iter().any(|phrase| {
            rest.strip_prefix("is ")
                .unwrap_or(&rest)
                .starts_with(phrase)
        }) || (words[verb] == "is" && after_verb.len() == 1 && FINE.contains(&after_verb[0]));
    let said = Clause::new(&subject.join(" "), &clause.request);
    named
        && may_be_seen
        && !said.has_any(&["@phi", "@hide", "name*", "text", "writing", "never", "not"])
        && !Clause::new(&rest, &clause.request).has_any(&["@hide", "with"])
}

/// "But not the teachers'", "so leave hers": some people spared from a face-hiding ask.
pub(super) fn spares_someone(clause: &Clause) -> bool {
    // Not "but not the employee's home address" nor "the nurse's badge": their details, not
    // their face.
    // Nor "not every parent signed a release, so …": a reason, not someone spared.
    let negated_people = first_after_lead_ins(clause) == Some("not")
        && !(clause.has_any(&["not every", "not all", "not everyone", "not everybody"])
            && clause.has_any(&[
                "signed",
                "agreed",
                "consented",
                "gave",
                "given",
                "returned",
                "said",
                "want*",
            ]))
        && !clause.has_any(&["@phi", "badge*", "tag*", "lanyard*", "card*"])
        && (clause.has_any(&["@faces", "mine", "his", "hers", "theirs", "ours", "yours"])
            || clause
                .text
                .trim_end_matches(['.', '!', ' '])
                .ends_with("s'"));
    // "Blur the kids, not the grown-ups".
    let spared_after_comma = [", not ", " but not "].iter().any(|at| {
        clause.text.split_once(at).is_some_and(|(_, rest)| {
            // Not "…, not everyone said yes".
            let named = ["the ", "my ", "our ", "his ", "her ", "their "]
                .iter()
                .any(|start| rest.starts_with(start));
            named && Clause::new(rest, &clause.request).has_any(&["@faces", "grown*", "adult*"])
        })
    });
    // "…; everyone else is fine as they are".
    // "Blur just my face and leave everyone else as they are".
    let others_stay = clause.has_any(&["everyone else", "everybody else", "the others"])
        && (lets_stay(clause)
            || clause.has_any(&[
                "leave everyone else",
                "leave everybody else",
                "leave the others",
                "keep everyone else",
                "keep everybody else",
                "keep the others",
            ])
                // Not "leave everyone else's clothes as they are".
                && !clause.text.contains("else's")
                && !clause.text.contains("others'"));
    // "… but keep the adults visible", "leave the teachers as they are": some people kept
    // (not every face, not text, not "the kid's shirt colour").
    let words = &clause.words;
    let keeping = words.iter().enumerate().position(|(at, word)| {
        ["keep", "keeping", "leave", "leaving"].contains(&word.text.as_str())
            && (at == 0
                || LEAD_INS.contains(&words[at - 1].text.as_str())
                || ["and", "but", "while", "yet", "just"].contains(&words[at - 1].text.as_str()))
    });
    let some_kept = keeping.is_some_and(|from| {
        let kept = &words[from + 1..];
        let is_person =
            |word: &str| Clause::new(word, word).has_any(&["@faces", "adult*", "grown*"]);
        let named = [
            "everyone",
            "everybody",
            "all",
            "every",
            "people",
            "rest",
            "faces",
            "face",
        ];
        kept.iter()
            .position(|word| is_person(&word.text))
            .is_some_and(|at| {
                !kept[..at]
                    .iter()
                    .any(|word| named.contains(&word.text.as_str()))
                    // "Leave my face as it is": one person's face (not "the faces").
                    && (!named.contains(&kept[at].text.as_str())
                        || (at > 0
                            && ["my", "his", "her", "our"].contains(&kept[at - 1].text.as_str())))
                    && kept[at + 1..].iter().all(|word| {
                        [
                            "visible",
                            "as",
                            "they",
                            "he",
                            "she",
                            "is",
                            "are",
                            "were",
                            "was",
                            "alone",
                            "unblurred",
                            "untouched",
                            "clear",
                            "recognisable",
                            "recognizable",
                            "showing",
                            "face",
                            "faces",
                            "in",
                            "view",
                            "sharp",
                            "please",
                            "though",
                            "too",
                            "be",
                            "out",
                            "of",
                            "it",
                        ]
                        .contains(&word.text.as_str())
                    })
            })
    });
    negated_people
        || spared_after_comma
        || others_stay
        || some_kept
        || lets_someone_be_seen(clause)
        || clause.has_any(&[
            "leave hers",
            "leave mine",
            "keep mine",
            "not mine",
            "except mine",
            "leave his",
            "leave him",
            "leave her",
            "leave theirs",
            "keep hers",
            "keep his",
            "keep her face",
            "keep his face",
            "leave her face",
            "leave his face",
            "not hers",
            "not his",
            "not theirs",
        ])
}

/// "The first photo needs a quarter turn clockwise", "this one needs brightening": what the
/// picture itself needs is asked, however it is told.
pub(super) fn the_picture_needs(clause: &Clause) -> bool {
    const PICTURE: &[&str] = &[
        "the", "this", "that", "it", "first", "second", "third", "fourth", "last", "other", "one",
        "photo", "picture", "image", "pic", "shot", "scan", "both", "these", "they", "photos",
        "pictures", "images", "pics", "shots", "ones", "1st", "2nd", "3rd", "4th",
    ];
    let words = texts(clause);
    let Some(at) = words
        .iter()
        .position(|word| ["needs", "need", "wants"].contains(word))
    else {
        return false;
    };
    let after = &words[at + 1..];
    // Not "the first one needs to go on the website", a place it goes ("needs to be
    // brighter" asks).
    let asks_a_change = after.first() != Some(&"to") || after.get(1) == Some(&"be");
    (1..=4).contains(&at) && words[..at].iter().all(|word| PICTURE.contains(word)) && asks_a_change
}

/// "Are there any faces in this one | or is it just the building": the other answer to the
/// question before, which asks nothing more.
pub(super) fn offers_the_other_answer(clause: &Clause) -> bool {
    matches!(
        texts(clause).as_slice(),
        ["or", "is" | "are" | "just" | "only" | "not", ..]
            | [
                "is" | "are" | "was" | "were",
                "it" | "they" | "that" | "this",
                "just" | "only" | "all",
                ..
            ]
    )
}

/// "How many pages is this pdf? | The printer wants to know before quoting": who the answer
/// is for (not "I need to know how many faces there are", which asks).
pub(super) fn says_who_wants_to_know(clause: &Clause) -> bool {
    // "… and I need to know what I'm in for": why the answer matters, not what it is.
    if clause.has_any(&[
        "what i'm in for",
        "what we're in for",
        "what i'm dealing with",
        "what we're dealing with",
        "what i'm up against",
        "what we're up against",
        "what to expect",
    ]) {
        return true;
    }
    clause.has_any(&[
        "wants to know",
        "want to know",
        "needs to know",
        "need to know",
        "wanted to know",
        "asked to know",
    ]) && !clause.has_any(&[
        "how", "what", "which", "whether", "if", "where", "when", "who",
    ]) && clause.words.len() <= 10
}

/// "I'm putting together a slideshow for the memorial", "we're making posters": what the
/// sender is busy with, said for context. Not "I'm hoping you can …", which asks.
pub(super) fn tells_what_the_sender_is_doing(clause: &Clause) -> bool {
    let words = texts(clause);
    // "I'm going to blur them myself in GIMP", "my cousin will add music to it later", "the
    // inpainting team will take it from there", "our app strips the GPS on upload so that
    // part's handled": what someone does besides this request.
    let done_elsewhere = clause.has_any(&[
        "later",
        "afterwards",
        "from there",
        "myself",
        "ourselves",
        "themselves",
        "on my side",
        "on our side",
        "on my end",
        "on our end",
        // "The printers will handle resizing on their side".
        "on their side",
        "on their end",
        "another app",
        "handled",
        "taken care of",
        "dealt with",
        // "The GP will read it through anyway".
        "anyway",
    ]);
    // "Selling my old bike online and someone warned me …": what the sender is busy with,
    // said without its "I'm".
    if matches!(
        words.as_slice(),
        [
            "selling"
                | "listing"
                | "renting"
                | "moving"
                | "preparing"
                | "planning"
                | "working"
                | "writing"
                | "building"
                | "organising"
                | "organizing"
                | "applying"
                // "Sending a copy of my driving licence to the letting agent".
                | "sending"
                | "forwarding"
                | "submitting"
                | "emailing",
            "my" | "our" | "a" | "an" | "the" | "on" | "for" | "out" | "some",
            ..
        ]
    ) && !clause.text.contains('?')
        && !clause.has_any(&["please", "pls", "can you", "could you"])
    {
        return true;
    }
    // "… and eventually I want short videos on there too": plans for later, not this ask.
    if clause.has_any(&[
        "eventually",
        "one day",
        "someday",
        "in future",
        "in the future",
    ]) && !starts_an_ask(&clause.text)
        && !clause.has_any(&["please", "pls", "you", "can u", "could u", "now"])
    {
        return true;
    }
    // Someone does it: not "a bit bigger than the faces themselves".
    let someone = words.iter().any(|word| {
        [
            "i", "i'll", "i'm", "im", "we", "we'll", "we're", "will", "they", "he", "she", "our",
            "my", "their", "his", "her",
        ]
        .contains(word)
    });
    // "The report template straightens it anyway": something else does it.
    let something = clause.has("anyway") && words.first() == Some(&"the");
    // Not "I want a cutout of myself", an ask.
    if done_elsewhere
        && (someone || something)
        && !starts_an_ask(&clause.text)
        && !clause.has_any(&[
            "you", "please", "pls", "can u", "could u", "want*", "need*", "like", "would",
        ])
    {
        return true;
    }
    // "I want to show my mum what normal rent looks like": the sender showing someone the
    // result, not asking to be shown.
    if clause.has_any(&[
        "show my",
        "show our",
        "show her",
        "show him",
        "show them",
        "show the client*",
        "show the team",
        "show people",
        "show everyone",
        "show it to",
    ]) && words
        .first()
        .is_some_and(|first| ["i", "we", "i'd", "we'd", "i'm", "we're"].contains(first))
        && !clause.has_any(&["you", "please", "pls", "can u", "could u", "me"])
    {
        return true;
    }
    // "Designing a YouTube thumbnail.", "uploading a baking video to my channel": what the
    // sender is busy with, as a heading.
    if words.first().is_some_and(|first| {
        [
            "designing",
            "making",
            "preparing",
            "building",
            "creating",
            "uploading",
            "putting",
            "working",
            "planning",
            "writing",
            "doing",
        ]
        .contains(first)
    }) && words.get(1).is_some_and(|next| {
        ["a", "an", "my", "our", "the", "together", "on", "some"].contains(next)
    }) && !clause.has_any(&["you", "please", "pls", "me", "can u", "could u"])
    {
        return true;
    }
    // "HR asked me to put together a slideshow": the sender's own task, from someone else
    // (not "my manager asked me to blur all the faces", an ask passed on).
    const PROJECTS: &[&str] = &[
        "put", "make", "prepare", "create", "build", "organise", "organize", "write", "collect",
        "compile", "assemble", "design",
    ];
    let own_task = (1..=2).any(|at| {
        matches!(
            words.get(at..at + 4),
            Some(["asked" | "told", "me" | "us", "to", verb]) if PROJECTS.contains(verb)
        )
    });
    if own_task && !clause.has_any(&["you", "please", "pls", "can u", "could u"]) {
        return true;
    }
    // "I've been meaning to transcribe it for the family archive": what the sender means
    // to do, some day.
    if words.first().is_some_and(|first| {
        ["i", "i've", "ive", "we", "we've", "i'm", "im", "we're"].contains(first)
    }) && clause.has_any(&["been meaning to", "plan to", "planning to", "intend to"])
        && !clause.has_any(&["you", "please", "pls", "can u", "could u"])
    {
        return true;
    }
    // "I need to paste it into a presentation": what the sender will do with the result.
    if let [
        "i" | "we",
        "need" | "have" | "want" | "will" | "ll",
        "to",
        verb,
        object,
        ..,
    ]
    // "I want show it to my friends".
    | ["i" | "we", "want" | "need", verb, object, ..]
    // "… but we also want to publish it as a podcast" ("also" splits the clause).
    | ["want" | "need", "to", verb, object, ..]
    | ["i'll" | "we'll", verb, object, ..] = words.as_slice()
        && [
            "paste", "use", "send", "post", "upload", "attach", "include", "print", "share",
            "email", "forward", "submit", "show", "present", "publish",
        ]
        .contains(verb)
        && ["it", "this", "them", "these", "that"].contains(object)
    {
        return true;
    }
    // "… and want readers to see what the badges look like": what others should get from the
    // result.
    if let ["want" | "need" | "i" | "we", ..] = words.as_slice()
        && words.windows(3).any(|three| {
            ["want", "need", "like"].contains(&three[0])
                && [
                    "readers",
                    "people",
                    "everyone",
                    "customers",
                    "visitors",
                    "viewers",
                    "users",
                    "followers",
                    "guests",
                    "students",
                ]
                .contains(&three[1])
                && three[2] == "to"
        })
    {
        return true;
    }
    // "I need to pick stills for the album": the sender's own choosing, not a number of frames.
    if let [
        "i" | "we",
        "need" | "have" | "want",
        "to",
        "pick" | "choose" | "select",
        next,
        ..,
    ] = words.as_slice()
        && !next.chars().all(|c| c.is_ascii_digit())
        && ![
            "a", "one", "two", "three", "four", "five", "six", "ten", "some", "the",
        ]
        .contains(next)
    {
        return true;
    }
    let verb = match words.as_slice() {
        ["i'm" | "im" | "we're" | "were", verb, ..] | ["i" | "we", "am" | "are", verb, ..] => verb,
        _ => return false,
    };
    verb.ends_with("ing")
        && ![
            "hoping",
            "wondering",
            "looking",
            "trying",
            "asking",
            "wanting",
            "needing",
            "going",
            "getting",
        ]
        .contains(verb)
}

/// "The first page has the applicant's photo … Can you blur the photo?": "the photo" is the
/// one the description named, with the word that said whose or which it is.
pub(super) fn the_one_named(before: &Clause, clause: &Clause) -> Option<String> {
    const NOT_MODIFIERS: &[&str] = &[
        "the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "my", "our",
        "your", "its", "has", "have", "is", "are", "with", "of", "and", "or", "in", "on",
    ];
    clause.words.windows(2).find_map(|pair| {
        let [article, noun] = pair else { return None };
        if article.text != "the" {
            return None;
        }
        let at = before
            .words
            .iter()
            .position(|word| word.text == noun.text)?;
        let modifier = before.words.get(at.checked_sub(1)?)?;
        if NOT_MODIFIERS.contains(&modifier.text.as_str()) {
            return None;
        }
        Some(format!(
            "{}{} {}",
            &clause.text[..noun.start],
            modifier.text,
            &clause.text[noun.start..]
        ))
    })
}

/// "Facilities say the screen is 16:9": what someone else says, without the saying.
pub(super) fn reported(clause: &Clause) -> Option<&str> {
    const SAYING: &[&str] = &[
        "say", "says", "said", "insist", "insists", "think", "thinks", "reckon", "reckons",
        "claim", "claims",
    ];
    let at = clause
        .words
        .iter()
        // "The marketing intern says …": a subject of up to three words.
        .take(4)
        .position(|word| SAYING.contains(&word.text.as_str()))?;
    // "What does the sign say" asks.
    // "Type out what's said in this memo" asks: a longer subject starts as a noun phrase.
    let first = clause.words[0].text.as_str();
    (at > 0
        && !QUESTION_STARTS.contains(&first)
        && (at < 3 || ["the", "my", "our", "his", "her", "their", "a", "an"].contains(&first)))
    .then(|| clause.text_from(at + 1))
    .filter(|rest| !rest.is_empty())
}

/// The clause up to its first comma or dash.
fn head_of(clause: &Clause) -> Clause {
    let end = clause
        .text
        .find([',', ';', '—', '–'])
        .or_else(|| clause.text.find(" - "))
        .unwrap_or(clause.text.len());
    Clause::new(&clause.text[..end], &clause.request)
}

/// "The writing on my shirt reads backwards", "this came off my dad's camera", "the detector
/// keeps missing him": the picture (or something in it) as it is, with a verb of its own in
/// the third person. Not "the faces need blurring" or "the logo has to go", which ask, nor a
/// clause that goes on to ask ("the whiteboard lists names — deal with that").
fn says_how_it_is(clause: &Clause) -> bool {
    const SUBJECTS: &[&str] = &[
        "the",
        "my",
        "our",
        "his",
        "her",
        "their",
        "your",
        "this",
        "that",
        "these",
        "those",
        "someone",
        "somebody",
        "everyone",
        "everybody",
        "all",
        "both",
        "it",
        "they",
        "he",
        "she",
        // "Loads of shoppers' faces are visible in the first minute", "half the people in it
        // have since left".
        "half",
        "none",
        "loads",
        "lots",
        "plenty",
        "some",
        "many",
        "most",
        "several",
        // "Only the second one has a patient's face showing".
        "only",
    ];
    const VERBS: &[&str] = &[
        "reads",
        "says",
        "said",
        "lists",
        "shows",
        "keeps",
        "contains",
        "came",
        "comes",
        "looks",
        "seems",
        "belongs",
        "went",
        "got",
        "was",
        "were",
        "had",
        "has",
        "appears",
        "insists",
        "thinks",
        "reckons",
        "claims",
        "believes",
        "mirrored",
        "flipped",
        "rotated",
        "takes",
        "accepts",
        "rejects",
        "accept",
        "reject",
        "charges",
        "charge",
        "costs",
        "cost",
        "asked",
        "told",
        "lacks",
        "runs",
        "sits",
        "stands",
        "writes",
        "adds",
        "saves",
        "stores",
        "records",
        "embeds",
        "stamps",
        "have",
        "belong",
        "looked",
        "seemed",
        "appeared",
        "suggested",
        "suggests",
        "recommended",
        "recommends",
        "advised",
        "lets",
        "allows",
        "supports",
        // "The printer quote depends on it": why, said after the ask.
        "depends",
        "relies",
    ];
    const ASKING: &[&str] = &[
        "need*",
        "should",
        "must",
        "has to",
        "have to",
        "got to",
        "want*",
        "please",
        "can you",
        "could you",
        "deal with",
        "sort",
        "take care",
        "to be",
    ];
    // "On every label the address sits in the top half": where, said first, then the thing as
    // it is (not "in the photo blur the faces", where a verb follows the place).
    let said = texts(clause);
    if let [place, owner, ..] = said.as_slice()
        && ["on", "in", "at", "across", "under", "inside", "along"].contains(place)
        && [
            "every", "each", "the", "this", "that", "my", "our", "all", "both", "some",
        ]
        .contains(owner)
        && let Some(thing) = (3..said.len().min(5)).find(|&at| SUBJECTS.contains(&said[at]))
        && !Clause::new(&said[2..thing].join(" "), &clause.request).has_any(ACTION_WORDS)
    {
        return says_how_it_is(&Clause::new(clause.text_from(thing), &clause.request));
    }
    let head = head_of(clause);
    // "Only the second one has …" (not "only where the detector is sure", a condition).
    if let ["only", next, ..] = texts(clause).as_slice()
        && !["the", "this", "that", "my", "our", "his", "her", "their"].contains(next)
    {
        return false;
    }
    let rest_text =
        clause.text[head.text.len()..].trim_start_matches([',', ';', '—', '–', '-', ' ']);
    let rest_text = rest_text.strip_prefix("so ").unwrap_or(rest_text);
    let rest = Clause::new(without_a_wish_after_its_thing(rest_text), &clause.request);
    let words = texts(&head);
    // "Fire regs say 120 max, …": who or what says, then what (not "write out what's said").
    let reported_by_something = words.iter().take(4).position(|word| {
        [
            "say", "says", "insist", "insists", "claim", "claims", "state", "states",
        ]
        .contains(word)
    });
    // "Compliance insists the copy we send be de-identified": a demand, its "be" bare.
    let demands = || {
        texts(clause).windows(2).any(|pair| {
            pair[1] == "be"
                && ![
                    "can",
                    "could",
                    "will",
                    "would",
                    "may",
                    "might",
                    "should",
                    "must",
                    "to",
                    "not",
                    "can't",
                    "cannot",
                    "won't",
                    "wouldn't",
                    "shouldn't",
                    "couldn't",
                    "mustn't",
                ]
                .contains(&pair[0])
        })
    };
    if reported_by_something.is_some_and(|at| {
        at > 0
            && !words[..at].iter().any(|word| {
                [
                    "i", "you", "u", "we", "please", "pls", "can", "could", "what", "it",
                ]
                .contains(word)
            })
            && !demands()
    }) && !starts_an_ask(&head.text)
        && !head.has_any(ASKING)
    {
        return true;
    }
    // "The new sofa is the star of the show"; not "the name tags people are wearing", where
    // "are" belongs to a clause about the tags.
    // "Everybody is wearing a name badge": a person doing something in the picture.
    let someone = words.first().is_some_and(|first| {
        [
            "everyone",
            "everybody",
            "someone",
            "somebody",
            "they",
            "he",
            "she",
        ]
        .contains(first)
    });
    let copula = |at: usize| {
        ["is", "are"].contains(&words[at])
            && words.get(at + 1).is_some_and(|next| {
                (!next.ends_with("ing") || (at == 1 && someone)) && *next != "to"
            })
    };
    // "The patient's name, address, NHS number and date of birth are on the first page": a
    // long list before "is/are" and where it is.
    let whole = texts(clause);
    let located = (1..whole.len().min(13)).any(|at| {
        ["is", "are"].contains(&whole[at])
            && whole.get(at + 1).is_some_and(|next| {
                ["on", "in", "at", "printed", "written", "shown"].contains(next)
            })
    });
    if located
        && whole.first().is_some_and(|first| SUBJECTS.contains(first))
        && !clause.has_any(ASKING)
        && !clause.has_any(&["@hide"])
    {
        return true;
    }
    // "Our listing photos show the tenant's family pictures": pictures, then what they show.
    let pictures_show = |at: usize| {
        ["show", "contain", "include"].contains(&words[at])
            && ["photos", "pictures", "images", "pics", "shots"].contains(&words[at - 1])
    };
    let Some(verb) = (1..words.len().min(7))
        .find(|&at| VERBS.contains(&words[at]) || copula(at) || pictures_show(at))
    else {
        return false;
    };
    // "… and the cats too if there are any": the verb is the condition's.
    if words[..verb]
        .iter()
        .any(|word| ["if", "when", "unless"].contains(word))
    {
        return false;
    }
    // "My manager asked me to blur all the faces": an ask passed on, not a statement.
    if ["asked", "told"].contains(&words[verb])
        && matches!(words.get(verb + 1..verb + 3), Some(["me" | "us", "to"]))
        && starts_an_ask(head.text_from(verb + 3))
    {
        return false;
    }
    let verb = verb - 1;
    // "The photo was too dark so brighten it": an ask after the verb is still an ask.
    let after_verb = head.text_from(verb + 2);
    let asks_after = after_verb
        .split_once("so ")
        .is_some_and(|(_, rest)| starts_an_ask(rest));
    // "A coworker told me phones save the GPS location": someone, then what they said.
    let a_person = matches!(
        words.as_slice(),
        [
            "a" | "an",
            "colleague"
                | "coworker"
                | "co-worker"
                | "friend"
                | "client"
                | "customer"
                | "neighbour"
                | "neighbor"
                | "relative"
                | "cousin"
                | "parent"
                | "teacher"
                | "nurse"
                | "doctor"
                | "lawyer"
                | "photographer"
                | "designer"
                | "guy"
                | "woman"
                | "man",
            ..
        ]
    );
    (words.first().is_some_and(|first| SUBJECTS.contains(first))
        || a_person
        || reported(clause).is_some())
        && !asks_after
        && !demands()
        && !head.has_any(ASKING)
        && !rest.has_any(ASKING)
        && (is_relative(rest_text) || !starts_an_ask(rest_text))
}

/// "… has the barcode and the misprint we want to show": the text before a wish that ends it
/// and says which thing is meant (a thing, a pronoun, "want"/"need" to and a verb, and
/// nothing after); `text` itself otherwise.
fn without_a_wish_after_its_thing(text: &str) -> &str {
    let clause = Clause::new(text, text);
    let words = texts(&clause);
    let n = words.len();
    let relative = n >= 5
        && ["we", "i", "you", "they"].contains(&words[n - 4])
        && ["want", "need", "wanted", "needed"].contains(&words[n - 3])
        && words[n - 2] == "to"
        && ![
            "and", "but", "so", "because", "if", "that", "then", "what", "which", "as", "since",
            "when",
        ]
        .contains(&words[n - 5]);
    if relative {
        &text[..clause.words[n - 4].start]
    } else {
        text
    }
}

/// "Passport photo is too dark", "colours are way off": a thing, then how it is — a judgement
/// said before the ask that fixes it.
pub(super) fn judges_the_input(clause: &Clause) -> bool {
    let words = texts(clause);
    let Some(at) = words
        .iter()
        .take(4)
        .position(|word| ["is", "are", "looks", "look", "seems", "seem"].contains(word))
    else {
        return false;
    };
    at > 0
        && words.get(at + 1).is_some_and(|next| {
            [
                "too",
                "so",
                "very",
                "really",
                "quite",
                "way",
                "kinda",
                "rather",
                "super",
                "a",
                "bit",
                "pretty",
                "all",
                "completely",
                "totally",
                "slightly",
                "far",
            ]
            .contains(next)
        })
        && !words[..at].iter().any(|word| {
            [
                "i", "you", "we", "it", "this", "that", "there", "what", "which", "how",
            ]
            .contains(word)
        })
        && !clause.has_any(ACTION_WORDS)
        && !clause.has_any(&["please", "pls", "can you", "could you", "need*", "want*"])
}

/// True when the clause has a copula of its own, not only one in a relative clause ("their
/// name badges, which are readable").
pub(super) fn has_own_copula(clause: &Clause) -> bool {
    let words = texts(clause);
    words.iter().enumerate().any(|(at, word)| {
        ["is", "are", "was", "were"].contains(word)
            && !(at > 0 && ["which", "that", "who"].contains(&words[at - 1]))
    })
}

/// "My home address is on the whiteboard", "the account number's up there": something named,
/// then a copula soon after.
fn owned_thing_is(clause: &Clause) -> bool {
    let words = texts(clause);
    const OWNERS: &[&str] = &["my", "our", "his", "her", "their"];
    // Not "their name badges, which are readable", a thing named with a relative clause.
    let owned = words.first().is_some_and(|first| OWNERS.contains(first))
        && words.iter().enumerate().skip(2).take(3).any(|(at, word)| {
            ["is", "are", "was", "were"].contains(word)
                && !["which", "that", "who"].contains(&words[at - 1])
        });
    // Words lose "'s", so the contraction is read from the text.
    let tokens: Vec<&str> = clause.text.split_whitespace().take(6).collect();
    let placed = tokens
        .first()
        .is_some_and(|first| *first == "the" || OWNERS.contains(first))
        && tokens.windows(2).skip(1).any(|pair| {
            pair[0].ends_with("'s")
                && [
                    "up", "down", "there", "here", "in", "on", "at", "over", "under", "near", "by",
                ]
                .contains(&pair[1])
        });
    owned || placed
}

/// Things a hiding verb said elsewhere in the request applies to when a clause names them
/// without a verb ("pixelate the faces and also the laptop screens").
const HIDEABLE: &[&str] = &[
    "@faces", "@phi", "screen*", "monitor*", "plate*", "tattoo*", "logo*", "badge*", "text",
];

/// "The sky is flat grey and makes everything look gloomy": after a thing described, a verb in
/// "-s" (followed by what it acts on, so not the plural noun of "… and highlights need
/// recovering"; "focus", "press" are no such verbs) goes on about that thing.
fn goes_on_about_a_thing(current: &str, after: &str) -> bool {
    let mut words = after.split_whitespace();
    let (Some(verb), Some(then)) = (words.next(), words.next()) else {
        return false;
    };
    verb.len() > 3
        && [
            "the",
            "a",
            "an",
            "it",
            "everything",
            "everyone",
            "me",
            "us",
            "them",
            "him",
            "her",
            "my",
            "our",
            "their",
            "his",
            "its",
            "this",
            "that",
            "all",
            "so",
            "too",
            "very",
            "really",
            "more",
            "less",
            "like",
            "up",
            "out",
            "down",
        ]
        .contains(&then)
        && verb.ends_with('s')
        && !["ss", "us", "is"]
            .iter()
            .any(|ending| verb.ends_with(ending))
        && !starts_an_ask(current.trim())
        && ["the ", "this ", "that ", "it ", "he ", "she "]
            .iter()
            .any(|subject| current.trim_start().starts_with(subject))
        && Clause::new(current, current).has_any(&["is", "was", "looks"])
}

/// "Scanned ID pages in this pdf: pixelate the face photos": a heading, then the ask, read
/// apart (the heading asks nothing).
pub(super) fn with_headings_apart(split: Vec<Clause>, request: &str) -> Vec<Clause> {
    split
        .into_iter()
        .flat_map(|clause| match clause.text.split_once(": ") {
            // Not "rotated photo from my phone: crop it", whose heading names a step.
            Some((heading, ask))
                // "Quick one before I list the house: does it still have GPS in it?"
                if (starts_an_ask(ask) || starts_a_yes_no_question(ask))
                    && !starts_an_ask(heading)
                    && !Clause::new(heading, request).has_any(ACTION_WORDS) =>
            {
                vec![Clause::new(heading, request), Clause::new(ask, request)]
            }
            _ => vec![clause],
        })
        .collect()
}

/// "In the second, black out the badge text": a phrase that only says which picture is read
/// with the ask after it ("black out the badge text in the second").
pub(super) fn with_pictures_named(split: Vec<Clause>, request: &str) -> Vec<Clause> {
    let mut joined: Vec<Clause> = Vec::new();
    let mut named: Option<Clause> = None;
    for clause in split {
        match named.take() {
            Some(picture) => {
                joined.push(Clause::new(
                    &format!("{} {}", clause.text, picture.text),
                    request,
                ));
            }
            None if names_only_a_picture(&clause) => named = Some(clause),
            None => joined.push(clause),
        }
    }
    joined.extend(named);
    joined
}

/// "In the second", "for the first one", "on the 2nd photo".
fn names_only_a_picture(clause: &Clause) -> bool {
    let words = texts(clause);
    let words = match words.as_slice() {
        ["in" | "on" | "for" | "with", rest @ ..] => rest,
        all => all,
    };
    match words {
        ["the", order] | ["the", order, _] => {
            ["first", "second", "third", "1st", "2nd", "3rd", "other"].contains(order)
                && words.get(2).is_none_or(|noun| {
                    ["one", "image", "photo", "picture", "pic", "shot"].contains(noun)
                })
        }
        _ => false,
    }
}

/// "Crop the first to square and the second to 16:9": one verb for two pictures, each with its
/// own words, read as two asks ("crop the first to square", "crop the second to 16:9").
pub(super) fn per_input(clause: Clause, request: &str) -> Vec<Clause> {
    static TWO_PICTURES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(.*?)\bthe (first|1st)((?: one| image| photo| picture| pic)?),? (.+?),? and (?:the )?(second|2nd|other)((?: one| image| photo| picture| pic)?),? (.+)$",
        )
        .unwrap_or_else(|error| panic!("bad two-pictures pattern: {error}"))
    });
    // "Pixelate the faces in the first picture and the badge text in the second".
    static THING_IN_EACH: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^(.+?) (in|on|of|from) the (first|1st)((?: one| image| photo| picture| pic)?),? and (?:also )?(.+?) (in|on|of|from) the (second|2nd|other)((?: one| image| photo| picture| pic)?)$",
        )
        .unwrap_or_else(|error| panic!("bad thing-in-each pattern: {error}"))
    });
    if let Some(captures) = THING_IN_EACH.captures(&clause.text) {
        let asked = Clause::new(&captures[1], request);
        let verb_words = match texts(&asked).as_slice() {
            [verb, particle, ..] if ["out", "up", "off", "over", "away"].contains(particle) => {
                format!("{verb} {particle}")
            }
            [verb, ..] => (*verb).to_owned(),
            [] => String::new(),
        };
        if Clause::new(&verb_words, request).has_any(ACTION_WORDS) && !starts_an_ask(&captures[5]) {
            let first = format!(
                "{} {} the {}{}",
                &captures[1], &captures[2], &captures[3], &captures[4]
            );
            let second = format!(
                "{verb_words} {} {} the second{}",
                &captures[5], &captures[6], &captures[8]
            );
            return vec![Clause::new(&first, request), Clause::new(&second, request)];
        }
    }
    let Some(captures) = TWO_PICTURES.captures(&clause.text) else {
        return vec![clause];
    };
    let verb = &captures[1];
    // Not "the first one is fine and the second needs cropping": the verb comes first.
    if !Clause::new(verb, request).has_any(ACTION_WORDS) {
        return vec![clause];
    }
    let first = format!(
        "{verb}the {}{} {}",
        &captures[2], &captures[3], &captures[4]
    );
    let second = format!("{verb}the second{} {}", &captures[6], &captures[7]);
    vec![Clause::new(&first, request), Clause::new(&second, request)]
}

/// The clause with the request's hiding verb put back when it names something to hide but no
/// verb of its own: "faces first, then the personal info" hides both.
pub(super) fn with_hiding_verb(clause: Clause, request: &str) -> Clause {
    let whole = Clause::new(request, request);
    // "Faces + any sensitive text, the usual": with no verb anywhere, sensitive things are
    // named to be hidden (nobody lists them to have them found).
    // "Remove the patient details, and the passport photo as well": one more thing to take
    // away, where the request takes away personal data.
    let one_more = clause.has_any(ONE_MORE) || follows_also(&clause, request);
    // "This mask has it backwards": a mask named is no hiding verb.
    let request_hides = vitrine_tools::meaning::read::hides_besides_mask(&whole)
        || (one_more && whole.has_any(&["@remove"]) && whole.has_any(&["@phi"]))
        || (!request.contains('?')
            && whole.has_any(&[
                "@sensitive",
                "sensitive ~ text",
                "personal ~ info*",
                "personal ~ detail*",
                "personal ~ data",
                "phi",
                "pii",
                "patient ~ info*",
            ])
            && !whole.has_any(ACTION_WORDS));
    // "The faces can stay", "the doctor's face is fine to show": named to keep.
    let kept = clause.has_any(&[
        "stay",
        "stays",
        "fine",
        "ok",
        "okay",
        "alone",
        "leave*",
        "keep*",
        "untouched",
        // "Don't touch the faces, just black out the name", "no need to touch the names".
        "no need to",
        "don't worry",
        "dont worry",
        "don't bother",
        "dont bother",
        "not fussed",
        "doesn't matter",
        "don't matter",
        "don't need to",
        "dont need to",
        "needn't",
        "don't touch",
        "dont touch",
        "do not touch",
        "as is",
        "fine to show",
        "can show",
        "be visible",
        "stay visible",
        "remain visible",
        // "Nobody minds their face being shown".
        "mind* ~ being shown",
        "mind* ~ being seen",
        "mind* ~ showing",
        "mind* ~ visible",
    ]);
    // "The parents all gave consent for the group shot", "each message has a profile photo":
    // a verb of its own says something about what is named; it lists nothing to hide.
    let says_something = clause.has_any(&[
        "gave",
        "give",
        "given",
        "signed",
        "consented",
        "agreed",
        "approved",
        "said",
        "says",
        "took",
        "taken",
        "sent",
        "has",
        "have",
        "had",
        "shows",
        "contains",
        "includes",
        "included",
        "mentions",
        "features",
        "carries",
        "wants",
        "asked",
        // "A coworker told me phones save …", "the night nurse wrote patient names …", "our
        // landlord put up this notice", "our department head will look it over".
        "told",
        "wrote",
        "put",
        "will",
        "would",
        "consented",
        // "I'd rather those weren't visible".
        "rather",
        "uses",
        "save",
        "saves",
    ]);
    // "My sister posted a pic of her prescription label": someone's own verb in the past.
    let words = texts(&clause);
    let told = words.iter().enumerate().any(|(index, word)| {
        is_past_tense(word)
            // Not "the phone number I circled", a relative clause naming what to hide.
            && (index >= 1 && ["he", "she", "they"].contains(&words[index - 1])
                || index >= 2 && ["my", "our", "his", "her", "their"].contains(&words[index - 2]))
    });
    // "I want to repost it without exposing anyone": the sender's own aim, with a care.
    // "HR says the names on lanyards count too": whoever says so, they are one more thing.
    let counted_in = one_more && clause.has_any(&["count", "counts"]);
    let says_something = (says_something || told || gives_a_reason(&clause)) && !counted_in;
    // "Names and numbers are visible at the top. Only the names need hiding": what the
    // request's own ask names is hidden there, not here.
    let hidden_elsewhere = || {
        !one_more
            && has_own_copula(&clause)
            && split(request).iter().any(|other| {
                other.text != clause.text
                    && other.has_any(&["@hide"])
                    // "… is printed in the top-right quarter. Black out that quarter".
                    && (other.has_any(HIDEABLE)
                        || other.has_any(&[
                            "that quarter",
                            "that ~ quarter",
                            "that half",
                            "that ~ half",
                            "that strip",
                            "that ~ strip",
                            "that area",
                            "that ~ area",
                            "that corner",
                            "that ~ corner",
                            "that part",
                            "that ~ part",
                            "that section",
                            "that ~ section",
                            "that band",
                            "that ~ band",
                        ]))
            })
    };
    // "I really don't want their support staff reading that": the people named are who
    // would see it, not what to hide.
    let viewers = clause.has_any(&["don't want", "dont want", "do not want", "wouldn't want"])
        && clause.has_any(&["reading", "to read", "seeing", "to see", "looking at"]);
    // "I'm a nurse on a paediatric ward": the sender says who they are.
    let introduces_sender = [
        "i'm a ",
        "i am a ",
        "i'm an ",
        "i am an ",
        "we're a ",
        "we are a ",
    ]
    .iter()
    .any(|start| clause.text.starts_with(start));
    // "I don't want to expose anyone. Could you make those names illegible and leave the rest
    // alone?": an ask that hides some things and keeps the rest says what the worry was about.
    let rest_kept_by_an_ask = || {
        split(request).iter().any(|other| {
            other.text != clause.text
                && other.has_any(&["@hide"])
                && other.has_any(&["the rest", "everything else", "nothing else"])
        })
    };
    // "Blur the faces but not the teachers' names": what is spared from the hiding (not "the
    // auditor may see the terms but not the home address", kept from view).
    let spared = first_after_lead_ins(&clause) == Some("not") && {
        let pieces = split(request);
        let before = pieces
            .iter()
            .position(|piece| piece.text == clause.text)
            .and_then(|at| at.checked_sub(1))
            .and_then(|at| pieces.get(at));
        !before.is_some_and(|before| {
            before.has_any(&["see", "seen", "show", "shown", "read", "visible"])
        })
    };
    if request_hides
        && !spared
        && !viewers
        && !introduces_sender
        && !kept
        && !says_something
        && !is_an_ask(&clause)
        && !clause.has_any(&["@hide"])
        && clause.has_any(HIDEABLE)
        && !hidden_elsewhere()
        && !rest_kept_by_an_ask()
    {
        Clause::new(&format!("hide {}", clause.text), request)
    } else {
        clause
    }
}

/// True when a clause nothing matched still asks for something: it starts with a verb or a
/// question, after any lead-in. Descriptions ("you are given two images") and filler
/// ("thanks!") are not asks.
pub(super) fn is_an_ask(clause: &Clause) -> bool {
    // "We always blur faces before posting. Can you do it …": the thing told.
    if clause.words.len() <= 5
        && clause.has_any(&[
            "can you do it",
            "could you do it",
            "can you do this",
            "could you do this",
        ])
    {
        return true;
    }
    if clause
        .words
        .iter()
        .all(|word| FILLER.contains(&word.text.as_str()))
        || clause.has_any(BACK_REFERENCES)
        || picks_an_input(clause)
        || hands_over(clause)
        || (keeps_the_rest(clause) && !asks_before_keeping(clause))
    {
        return false;
    }
    // "Can you do the same with mine?" asks for what was described or done before.
    starts_an_ask(&clause.text)
        || relays_an_ask(&texts(clause))
        || clause.has_any(&["do the same", "same thing", "do that"])
        // "… and that is the only thing I need gone", "I'd rather that stuff not be legible": a
        // wish that something go.
        || (clause.has_any(&[
            "need* ~ gone",
            "want* ~ gone",
            "need* ~ removed",
            "want* ~ removed",
            "need* ~ hidden",
            "want* ~ hidden",
        ]) && !clause.has_any(&["don't", "dont", "do not", "doesn't", "does not", "not"]))
        || (clause.has_any(&["i'd rather", "i would rather", "we'd rather", "we would rather"])
            && clause.has_any(&["@hide"])
            && !clause.has_any(&["didn't", "did not", "don't", "wouldn't", "would not"]))
        // "… runs from 12:30 to 15:10. I just want that bit as its own clip": the part
        // described, wished for.
        || matches!(
            texts(clause).as_slice(),
            ["i" | "we", "want" | "need", "that" | "this", "bit" | "part" | "section" | "segment", ..]
                | ["i" | "we", "just" | "only", "want" | "need", "that" | "this", "bit" | "part" | "section" | "segment", ..]
        )
        // "Could I get a 3D reconstruction of the lamp alone?"
        || matches!(
            texts(clause).as_slice(),
            ["could" | "can" | "may", "i" | "we", "get" | "have", ..]
                | ["could" | "can", "i" | "we", "please", "get" | "have", ..]
        )
}

/// "So please take that part out and leave everything else exactly as it is": an ask, then what
/// it must not touch.
fn asks_before_keeping(clause: &Clause) -> bool {
    [" and leave ", " and keep ", ", leave ", ", keep "]
        .iter()
        .find_map(|joint| clause.text.split_once(joint))
        .is_some_and(|(ask, _)| {
            let ask = ask.trim_start_matches("so ");
            starts_an_ask(ask) && !starts_with_keeping(&Clause::new(ask, &clause.request))
        })
}

/// "Sending this through now", "just dropping this off for you": the input handed over, with
/// nothing asked of it.
pub(super) fn hands_over(clause: &Clause) -> bool {
    // "Sending it over like I said I would", "… as promised": a promise kept, nothing asked.
    let said = texts(clause);
    let kept_promise = said
        .iter()
        .position(|word| ["like", "as"].contains(word))
        .filter(|&at| {
            at > 0
                && said[at + 1..].iter().all(|word| {
                    [
                        "i",
                        "we",
                        "you",
                        "said",
                        "would",
                        "promised",
                        "mentioned",
                        "discussed",
                        "agreed",
                        "asked",
                        "earlier",
                        "before",
                        "yesterday",
                    ]
                    .contains(word)
                })
        });
    let words: Vec<&str> = said[..kept_promise.unwrap_or(said.len())]
        .iter()
        .copied()
        .filter(|word| !LEAD_INS.contains(word))
        .collect();
    let handing = words.first().is_some_and(|first| {
        [
            "sending",
            "dropping",
            "attaching",
            "uploading",
            "passing",
            "forwarding",
        ]
        .contains(first)
    });
    let only_handed = words.iter().skip(1).all(|word| {
        [
            "this", "it", "these", "them", "through", "over", "off", "across", "along", "now",
            "for", "you", "your", "way", "thanks", "thx", "cheers", "here", "one",
        ]
        .contains(word)
    });
    // "Photo attached as discussed", "see attached", "scans enclosed".
    const ENCLOSED: &[&str] = &["attached", "enclosed", "included", "below", "above"];
    let enclosed = match words.as_slice() {
        [only] => ENCLOSED.contains(only),
        ["see" | "find" | "please", last] => ENCLOSED.contains(last),
        ["see" | "find", attached, noun] => {
            ENCLOSED.contains(attached) && INPUT_NOUNS.contains(noun)
        }
        [.., noun, last] => ENCLOSED.contains(last) && INPUT_NOUNS.contains(noun),
        [] => false,
    };
    if enclosed && words.len() <= 4 && !starts_an_ask(&clause.text) {
        return true;
    }
    // "There you go, that's the file", "here it is".
    let all_words = texts(clause);
    if matches!(
        all_words.as_slice(),
        ["there" | "here", "you", "go" | "are"] | ["here" | "there", "it", "is"]
    ) || matches!(
        all_words.as_slice(),
        [
            "that's" | "this" | "here's" | "heres",
            "the" | "my",
            "file"
                | "photo"
                | "picture"
                | "pic"
                | "image"
                | "scan"
                | "video"
                | "clip"
                | "document"
                | "pdf"
        ]
    ) {
        return true;
    }
    // "Sending over the scan I mentioned on the phone earlier": the input named, nothing asked
    // of it (not "sending this for you to crop", "… so you can blur the faces").
    let named_only = words.iter().skip(1).any(|word| INPUT_NOUNS.contains(word))
        && !words.iter().skip(1).any(|word| {
            [
                "to", "so", "please", "pls", "can", "could", "and", "need", "needs", "want",
                "wants",
            ]
            .contains(word)
        });
    handing && (only_handed || named_only)
}

/// "Keep …", "leave …": the clause says what stays, first.
pub(super) fn starts_with_keeping(clause: &Clause) -> bool {
    first_after_lead_ins(clause).is_some_and(|word| ["leave", "keep"].contains(&word))
}

/// "Keep everything else", "leave the rest as it is": what the ask must not touch.
pub(super) fn keeps_the_rest(clause: &Clause) -> bool {
    // "… crop it to 4:5, and keep the middle of the shot": a crop from the centre, as crops go.
    if matches!(
        texts(clause).as_slice(),
        [
            "keep" | "keeping",
            "the",
            "middle" | "centre" | "center",
            "of",
            ..
        ] | ["keep" | "keeping", "it", "centred" | "centered", ..]
    ) {
        return true;
    }
    // "Leave the slides and the name tags exactly as they are".
    let leaves = starts_with_keeping(clause)
        && clause.has_any(&[
            "as they are",
            "as it is",
            "as is",
            "as i am",
            "as we are",
            "alone",
            "untouched",
            "unchanged",
        ]);
    // "Leave her face, she has consented": the thing named stays as it is (not "leave a white
    // border", something to add).
    // "… but leave the hospital logo": a thing of two words (not "leave the background
    // white", a colour to give it).
    let leaves_a_thing_of_two_words = match texts(clause).as_slice() {
        [
            "leave",
            "her" | "his" | "their" | "the" | "my" | "our" | "your" | "its",
            _,
            last,
        ] => ![
            "white",
            "black",
            "grey",
            "gray",
            "blank",
            "empty",
            "transparent",
            "soft",
            "sharp",
            "plain",
            "clean",
            "smooth",
            "bright",
            "dark",
            "blurred",
            "blurry",
            "out",
            "in",
            "on",
            "off",
            "alone",
        ]
        .contains(last),
        _ => false,
    };
    let leaves_one_thing = leaves_a_thing_of_two_words
        || matches!(
            texts(clause).as_slice(),
            [
                "leave",
                "her" | "his" | "their" | "the" | "my" | "our" | "your" | "its",
                _
            ] | [
                "leave",
                "her" | "his" | "their" | "the" | "my" | "our" | "your" | "its",
                _,
                "in" | "visible" | "showing" | "clear" | "be"
            ]
        );
    // "It's a bit tilted, but leave that, I actually like it that way": what was just told
    // stays (not "leave it out", "leave it blank").
    let leaves_what_was_said = match texts(clause).as_slice() {
        ["leave", "that" | "it" | "this" | "those" | "them"] => true,
        ["leave", "that" | "it" | "this" | "those" | "them", next, ..] => ![
            "out", "off", "blank", "empty", "white", "black", "on", "in", "to", "at", "with",
        ]
        .contains(next),
        _ => false,
    };
    // "Keep them in the order I sent", "keep the full width": a constraint on the ask.
    let keeps_as_sent = first_after_lead_ins(clause).is_some_and(|word| word == "keep")
        && clause.has_any(&[
            "order",
            "full width",
            "full height",
            "whole width",
            "whole height",
            // "Keep the page size the same if you can".
            "the same",
        ]);
    // "Leave the name tags readable, we need those".
    let leaves_readable = starts_with_keeping(clause)
        && clause.has_any(&[
            "readable", "legible", "visible", "intact", "in place", "showing",
        ])
        && !clause.has_any(&["@hide", "@remove", "redact*"]);
    leaves
        || leaves_one_thing
        || leaves_what_was_said
        || leaves_readable
        || keeps_as_sent
        || clause.has_any(&[
            "keep everything else",
            // "Just keep this on file".
            "keep this on file",
            "keep it on file",
            "keep the rest",
            "the rest is fine",
            "the rest ~ as it is",
            "leave everything else",
            "leave the rest",
            "everything else ~ same",
            "everything else ~ as is",
            "everything else ~ untouched",
            "everything else ~ stay*",
            "the rest ~ stay*",
            "keep me ~ same",
            "leave me ~ same",
            "keep me as i am",
            "nothing else",
            "don't change anything else",
            "do not change anything else",
            "don't touch anything else",
        ])
        // "…, keeping the proportions?": the shape kept by the ask before.
        || (first_after_lead_ins(clause).is_some_and(|word| ["keep", "keeping"].contains(&word))
            && clause.has_any(&["proportion*", "aspect ratio", "the ratio"]))
}

/// Nouns for each kind of output, for a clause that only asks to be given one.
const OUTPUT_NOUNS: &[(&str, ArtifactKind)] = &[
    ("mask", ArtifactKind::Array),
    ("masks", ArtifactKind::Array),
    ("matte", ArtifactKind::Array),
    ("alpha", ArtifactKind::Array),
    ("image", ArtifactKind::Image),
    ("images", ArtifactKind::Image),
    ("picture", ArtifactKind::Image),
    ("cutout", ArtifactKind::Image),
    ("result", ArtifactKind::Image),
    ("frames", ArtifactKind::Image),
    ("stills", ArtifactKind::Image),
    ("video", ArtifactKind::Video),
    ("clip", ArtifactKind::Video),
    ("pdf", ArtifactKind::Document),
];

/// Words around such a noun that ask for nothing more ("and give me the mask too").
const GIVING: &[&str] = &[
    "give",
    "send",
    "return",
    "include",
    "hand",
    "output",
    "want",
    "need",
    "show",
    "attach",
    "too",
    "as",
    "well",
    "separately",
    "both",
    "plus",
    "along",
    "with",
    "also",
    "file",
];

/// The kind of output a clause only asks to be given ("give me the mask too"), with no verb
/// that asks for work: what an earlier step makes answers it.
pub(super) fn asks_for_output(clause: &Clause) -> Option<ArtifactKind> {
    let mut kind = None;
    for word in &clause.words {
        let text = word.text.as_str();
        if let Some((_, noun_kind)) = OUTPUT_NOUNS.iter().find(|(noun, _)| *noun == text) {
            kind = kind.or(Some(*noun_kind));
        } else if !GIVING.contains(&text) && !FILLER.contains(&text) {
            return None;
        }
    }
    kind
}

/// Words that name one of the inputs ("mask one", "the second image").
const INPUT_NAMES: &[&str] = &[
    "the", "a", "first", "second", "third", "1st", "2nd", "3rd", "one", "two", "three", "1", "2",
    "3", "mask", "image", "photo", "picture", "pic", "video", "clip", "document", "pdf", "file",
    "it", "this", "that", "other", "last", "top", "bottom", "left", "right",
];

/// True when the clause only picks an input for the next ask ("take mask one and cut away
/// whatever mask two covers"): nothing to do of its own.
fn picks_an_input(clause: &Clause) -> bool {
    let Some((verb, rest)) = clause.words.split_first() else {
        return false;
    };
    // "Photo first, mask second": which input is which.
    let ordinal = matches!(
        clause.words.as_slice(),
        [name, order] if INPUT_NAMES.contains(&name.text.as_str())
            && ["first", "second", "third", "last"].contains(&order.text.as_str())
    );
    ordinal
        || ["take", "use", "grab", "using", "with"].contains(&verb.text.as_str())
            && !rest.is_empty()
            && rest
                .iter()
                .all(|word| INPUT_NAMES.contains(&word.text.as_str()))
}

/// "Use tesseract for reading the text", "with a radius of 5": how to do something already asked,
/// with nothing more to do (not "use tesseract to read the menu", a thing of its own to read).
pub(super) fn says_how(clause: &Clause) -> bool {
    // Up to a comma: "…, the other engine missed stuff last time" says why.
    let said = clause.text.split(',').next().unwrap_or_default();
    let said = Clause::new(said, &clause.request);
    let words = texts(&said);
    let purpose = words
        .iter()
        .position(|word| ["to", "for"].contains(word))
        .map_or(&[][..], |at| &words[at + 1..]);
    // What the purpose acts on, past its verb: only the text or the picture itself.
    let acts_on_something_new = purpose.iter().skip(1).any(|word| {
        ![
            "the",
            "text",
            "words",
            "writing",
            "it",
            "them",
            "this",
            "that",
            "please",
            "all",
            "detection",
            "recognition",
            "reading",
            "ocr",
            "part",
            "step",
            "bit",
            "side",
        ]
        .contains(word)
    });
    matches!(first_after_lead_ins(clause), Some("use" | "using" | "with"))
        && !acts_on_something_new
        && !clause.has_any(&["also", "too", "as well", "then", "afterwards"])
}

/// Whether what follows "so" asks something ("… so hide it too").
fn asks_after_so(clause: &Clause) -> bool {
    clause
        .text
        .split_once(" so ")
        .is_some_and(|(_, after)| starts_an_ask(after))
}

/// "Buyers like to spin items around", "our editor usually crops them herself": what someone
/// does as a habit, said for context (not "I'd like to …", a wish, nor "always blur the kids'
/// faces", an ask that starts with its adverb).
pub(super) fn tells_a_habit(clause: &Clause) -> bool {
    clause.has_any(&[
        "like to", "likes to", "love to", "loves to", "tend to", "tends to", "usually", "always",
        "often",
    ]) && !clause.has_any(&[
        "i'd", "we'd", "id", "would", "you", "your", "could", "can", "please", "want*", "need*",
    ]) && !matches!(
        first_after_lead_ins(clause),
        Some("always" | "usually" | "often" | "never")
    ) && !asks_after_so(clause)
        && !is_an_ask(clause)
}

/// "…, right 90, I always mix them up": a habit of the sender's, "I"/"we" then its adverb,
/// that sets nothing the ask could use (not "I always pixelate rather than blur", "we usually
/// do 300px"). [`tells_a_habit`] reads a whole clause and skips "I" as a lead-in.
fn tells_a_habit_with_nothing_to_do(clause: &Clause) -> bool {
    matches!(
        texts(clause).as_slice(),
        ["i" | "we", "always" | "usually" | "often" | "tend", ..]
    ) && !clause.has_any(&[
        "want*", "need*", "please", "you", "would", "could", "can", "like", "use", "do", "go for",
    ]) && !clause.has_any(vitrine_tools::meaning::lexicon::ACTION_WORDS)
        && !clause
            .words
            .iter()
            .any(|word| word.text.starts_with(|c: char| c.is_ascii_digit()))
}

/// "(I) read that photos can leak where they were taken", "heard that …": something learnt
/// elsewhere, said for context, not an ask to read ("read that note which was left on the
/// fridge" is one; so is "… so hide it too" after it).
pub(super) fn reports_what_was_learnt(clause: &Clause) -> bool {
    let words = texts(clause);
    let Some(first) = words.iter().position(|word| !LEAD_INS.contains(word)) else {
        return false;
    };
    let first = if ["i", "we", "i've", "we've", "ive"].contains(&words[first]) {
        first + 1
    } else {
        first
    };
    // "That <who or what> <can/is …>": the verb within three words of "that", no relative
    // pronoun before it.
    let that_clause = words
        .iter()
        .skip(first + 2)
        .take(3)
        .take_while(|word| !["which", "who", "that", "where"].contains(word))
        .any(|word| {
            [
                "can", "could", "may", "might", "will", "are", "is", "was", "were", "have", "has",
            ]
            .contains(word)
        });
    words
        .get(first)
        .is_some_and(|verb| ["read", "heard", "saw", "learned", "learnt", "noticed"].contains(verb))
        && words.get(first + 1) == Some(&"that")
        && that_clause
        && !asks_after_so(clause)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(request: &str) -> Vec<String> {
        split(&normalise(request))
            .into_iter()
            .map(|clause| clause.text)
            .collect()
    }

    #[test]
    fn and_splits_only_before_a_new_verb() {
        assert_eq!(
            texts("Anonymize the people and hide patient info"),
            ["anonymize the people", "hide patient info"]
        );
        assert_eq!(texts("Blur all faces and PHI"), ["blur all faces and phi"]);
        assert_eq!(
            texts("Crop to the face, make it grayscale and then shrink it to 256"),
            ["crop to the face", "make it grayscale", "shrink it to 256"]
        );
        // A result phrase stays with its ask (see `Clause::result`).
        assert_eq!(
            texts("blur her face so that she waves"),
            ["blur her face so that she waves"]
        );
    }

    #[test]
    fn descriptions_and_thanks_are_not_asks() {
        for text in [
            "thanks!",
            "you are provided with two images",
            "one from the front",
        ] {
            let clause = Clause::new(text, text);
            assert!(!is_an_ask(&clause), "{text}");
        }
        // An ask nothing here does is still an ask: it is named as not done.
        let clause = Clause::new("please sing a song", "please sing a song");
        assert!(is_an_ask(&clause));
        let clause = Clause::new("the weather was lovely", "the weather was lovely");
        assert!(
            !is_an_ask(&clause),
            "no known verb: not recognisably an ask"
        );
        let clause = Clause::new("could you make it sparkle", "could you make it sparkle");
        assert!(is_an_ask(&clause));
    }
}
