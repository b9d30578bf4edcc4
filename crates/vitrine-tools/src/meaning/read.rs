//! Readers that fill one argument from a clause's words: sizes, ratios, angles, times, pages,
//! areas, corners, strengths, object names. Tools name them in their [`Slot`](super::Slot)s;
//! each returns `None` when the clause does not say, so the tool's default applies.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};

use super::Clause;

fn regex(pattern: &str) -> Regex {
    // The patterns are literals of this file; a typo is a bug caught by every test.
    Regex::new(pattern).unwrap_or_else(|error| panic!("bad reader pattern {pattern}: {error}"))
}

macro_rules! pattern {
    ($name:ident, $pattern:literal) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| regex($pattern));
    };
}

fn number<T: std::str::FromStr>(found: Option<regex::Match<'_>>) -> Option<T> {
    found.and_then(|found| found.as_str().parse().ok())
}

const NUMBER_WORDS: [(&str, u32); 12] = [
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("a dozen", 12),
    ("twelve", 12),
];

/// A count written in digits or words.
pub fn count_word(text: &str) -> Option<u32> {
    text.parse().ok().or_else(|| {
        NUMBER_WORDS
            .iter()
            .find(|(word, _)| *word == text)
            .map(|(_, n)| *n)
    })
}

/// Units and tens as words, for [`in_numbers`]; "fourty" is a common spelling.
const SMALL_NUMBERS: [&str; 20] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
const TENS: [(&str, u32); 9] = [
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fourty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

pattern!(
    NUMBER_WORD,
    r"\b(?:(twenty|thirty|fou?rty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(one|two|three|four|five|six|seven|eight|nine)\b)?|(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen))\b"
);
pattern!(
    HUNDRED,
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a)\s+(hundred|thousand)\b"
);
pattern!(HUNDRED_AND, r"\b(\d)00\s+and\s+(\d{1,2})\b");
pattern!(THOUSAND_AND, r"\b(\d{1,2})000\s+(?:and\s+)?(\d{1,3})\b");
pattern!(
    AND_A_HALF,
    r"\b(\d+(?:\.\d+)?)\s+and\s+a\s+half\s+(hours?|hrs?|minutes?|mins?|seconds?|secs?)\b|\b(?:an?|1)\s+(hour|minute|second)\s+and\s+a\s+half\b|\b(\d+(?:\.\d+)?)\s+(hours?|minutes?|mins?)\s+and\s+a\s+half\b"
);
pattern!(HALF_A, r"\bhalf\s+(?:an?\s+)?(hour|minute)\b");
pattern!(A_UNIT, r"\b(?:a|an)\s+(hour|minute)\b");
pattern!(
    MINUTES_AND_SECONDS,
    r"\b(\d+)\s*(?:minutes?|mins?|m)\s*(?:and\s+)?(\d+(?:\.\d+)?)\s*(?:seconds?|secs?|s)\b"
);
pattern!(
    MINUTES_THEN_NUMBER,
    r"\b(\d+)\s*(?:minutes?|mins?)\s+(?:and\s+)?([1-5]?\d)\b(\s*(?:%|px|pixels?|fps|frames?|percent|seconds?|secs?|s\b|minutes?|mins?|x|by|times|people|faces)|\s+\d)?"
);
// "From two minutes to two thirty": the end of a range said as minutes and seconds, with no
// unit (not "to 2 30 fps").
pattern!(
    RANGE_END_SPOKEN,
    r"\b((?:from|between)\s+\d+(?:\.\d+)?\s+seconds\s+(?:to|and|until|till)\s+)(\d{1,2})\s+([0-5]\d)\b(\s*(?:%|px|pixels?|fps|frames?|percent|seconds?|secs?|s\b|minutes?|mins?|x|by|times))?"
);
pattern!(
    IN_MINUTES,
    r"\b(\d+(?:\.\d+)?)[\s-]*(hours?|hrs?|minutes?|mins?|min)\b"
);

/// The text with numbers written as words in digits and every duration in seconds: "a minute
/// and a half in" → "90 seconds in", "the first forty-five seconds" → "the first 45 seconds",
/// "page three" → "page 3". Time and page readers read this form.
pub fn in_numbers(text: &str) -> String {
    // "One hundred and eighty" → "100 and 80" → "180"; "twelve hundred" → "1200".
    let text = HUNDRED.replace_all(text, |captures: &regex::Captures<'_>| {
        let how_many = SMALL_NUMBERS
            .iter()
            .position(|word| *word == &captures[1])
            .unwrap_or(1);
        let unit = if &captures[2] == "thousand" {
            1000
        } else {
            100
        };
        format!("{}", how_many * unit)
    });
    let text = NUMBER_WORD.replace_all(&text, |captures: &regex::Captures<'_>| {
        let value = match (captures.get(1), captures.get(2), captures.get(3)) {
            (Some(tens), unit, _) => {
                let tens = TENS
                    .iter()
                    .find(|(word, _)| *word == tens.as_str())
                    .map_or(0, |(_, n)| *n);
                let unit = unit.map_or(0, |unit| {
                    SMALL_NUMBERS
                        .iter()
                        .position(|word| *word == unit.as_str())
                        .unwrap_or(0)
                });
                tens + u32::try_from(unit).unwrap_or(0)
            }
            (None, _, Some(word)) => SMALL_NUMBERS
                .iter()
                .position(|small| *small == word.as_str())
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            _ => return captures[0].to_owned(),
        };
        value.to_string()
    });
    // "Two thousand five hundred" → "2000 500" → "2500".
    let text = THOUSAND_AND.replace_all(&text, |captures: &regex::Captures<'_>| {
        let thousands: u32 = captures[1].parse().unwrap_or(0);
        let rest: u32 = captures[2].parse().unwrap_or(0);
        (thousands * 1000 + rest).to_string()
    });
    let text = HUNDRED_AND.replace_all(&text, |captures: &regex::Captures<'_>| {
        let hundreds: u32 = captures[1].parse().unwrap_or(0);
        let rest: u32 = captures[2].parse().unwrap_or(0);
        (hundreds * 100 + rest).to_string()
    });
    let seconds_of = |unit: &str| {
        if unit.starts_with('h') {
            3600.0
        } else if unit.starts_with('m') {
            60.0
        } else {
            1.0
        }
    };
    let text = AND_A_HALF.replace_all(&text, |captures: &regex::Captures<'_>| {
        let (amount, unit) = if let (Some(n), Some(unit)) = (captures.get(1), captures.get(2)) {
            (n.as_str().parse::<f64>().unwrap_or(0.0), unit.as_str())
        } else if let Some(unit) = captures.get(3) {
            (1.0, unit.as_str())
        } else if let (Some(n), Some(unit)) = (captures.get(4), captures.get(5)) {
            (n.as_str().parse::<f64>().unwrap_or(0.0), unit.as_str())
        } else {
            return captures[0].to_owned();
        };
        format!("{} seconds", (amount + 0.5) * seconds_of(unit))
    });
    let text = HALF_A.replace_all(&text, |captures: &regex::Captures<'_>| {
        format!("{} seconds", 0.5 * seconds_of(&captures[1]))
    });
    let text = A_UNIT.replace_all(&text, |captures: &regex::Captures<'_>| {
        format!("{} seconds", seconds_of(&captures[1]))
    });
    let text = MINUTES_AND_SECONDS.replace_all(&text, |captures: &regex::Captures<'_>| {
        let minutes: f64 = captures[1].parse().unwrap_or(0.0);
        let seconds: f64 = captures[2].parse().unwrap_or(0.0);
        format!("{} seconds", minutes * 60.0 + seconds)
    });
    // "At two minutes thirty": the seconds without their unit (not "2 minutes 30 fps").
    let text = MINUTES_THEN_NUMBER.replace_all(&text, |captures: &regex::Captures<'_>| {
        let unit_after = captures.get(3).map_or("", |m| m.as_str().trim());
        if !unit_after.is_empty() {
            return captures[0].to_owned();
        }
        let minutes: f64 = captures[1].parse().unwrap_or(0.0);
        let seconds: f64 = captures[2].parse().unwrap_or(0.0);
        format!("{} seconds", minutes * 60.0 + seconds)
    });
    let text = IN_MINUTES.replace_all(&text, |captures: &regex::Captures<'_>| {
        let amount: f64 = captures[1].parse().unwrap_or(0.0);
        format!("{} seconds", amount * seconds_of(&captures[2]))
    });
    RANGE_END_SPOKEN
        .replace_all(&text, |captures: &regex::Captures<'_>| {
            if captures.get(4).is_some() {
                return captures[0].to_owned();
            }
            let minutes: f64 = captures[2].parse().unwrap_or(0.0);
            let seconds: f64 = captures[3].parse().unwrap_or(0.0);
            format!("{}{} seconds", &captures[1], minutes * 60.0 + seconds)
        })
        .into_owned()
}

/// True when the clause is a yes/no or counting question about the input ("is anyone wearing
/// a hard hat?", "how many people wear glasses?"): it asks to look, never to make anything.
pub fn asks_yes_no(clause: &Clause) -> bool {
    clause.has_any(&["how many", "how much", "count", "counts", "counting"])
        || clause.words.first().is_some_and(|first| {
            [
                "is", "are", "was", "were", "does", "do", "did", "has", "have", "isn't", "aren't",
                "doesn't",
            ]
            .contains(&first.text.as_str())
        })
        // "Any hard hats visible on this pic?" (not "any faces, blur them").
        || (clause.words.first().is_some_and(|first| {
            ["any", "anyone", "anybody", "anything"].contains(&first.text.as_str())
        }) && clause.request.contains('?'))
}

// ---- hiding -------------------------------------------------------------------------------

/// True when a vague ask to hide what identifies names no kind of thing to hide: people it
/// names are whom the things identify ("anything that could identify the people involved"),
/// not faces asked for.
pub fn sensitive_unnamed(clause: &Clause) -> bool {
    // "Our compliance folks want this cleaned of anything sensitive": who wants it is no one
    // to hide.
    let owned_subject = clause.words.first().is_some_and(|first| {
        ["our", "my", "the", "his", "her", "their"].contains(&first.text.as_str())
    });
    let from_the_wish = clause
        .words
        .iter()
        .take(5)
        .position(|word| {
            [
                "want", "wants", "need", "needs", "asked", "asks", "says", "said",
            ]
            .contains(&word.text.as_str())
        })
        .filter(|_| owned_subject)
        .map(|at| Clause::new(clause.text_from(at), &clause.request));
    let clause = from_the_wish.as_ref().unwrap_or(clause);
    // "Sensitive info and the people in it": beside the people named, sensitive information
    // is the text (not "blur anyone sensitive", a kind of face).
    let information_beside_people = clause.has_any(&[
        "sensitive info*",
        "sensitive detail*",
        "sensitive data",
        "sensitive stuff",
        "sensitive bits",
    ]);
    // "Is it safe to post?" asks whether, not to make it so.
    // Not "is this ok to share? if not, fix it".
    let asks_whether = asks_yes_no(clause)
        && clause.request.contains('?')
        && clause.has_any(&["safe", "ok", "okay", "fine"])
        && !Clause::new(&clause.request, &clause.request).has_any(&[
            "if not",
            "otherwise",
            "if it isn't",
            "if it's not",
            "fix*",
            "make it",
            "make sure",
        ]);
    !asks_whether
        && !clause.has_any(&["@phi"])
        && (!clause.has_any(&["@faces"])
            || information_beside_people
            || clause.has_any(&["identif* the @faces", "identif* @faces"])
                && !clause.has_any(&["face*", "facial"]))
}

/// True when the clause asks to hide with a word other than "mask" ("blur what the mask
/// covers"); "give me the inverted mask" names a mask, not a way to hide.
pub fn hides_besides_mask(clause: &Clause) -> bool {
    let text: Vec<&str> = clause
        .words
        .iter()
        .map(|word| word.text.as_str())
        .filter(|word| !word.starts_with("mask"))
        .collect();
    let text = text.join(" ");
    Clause::new(&text, &clause.request).has_any(&["@hide", "redact*"])
}

/// Words that ask for pixelation.
pub const PIXELATE: &[&str] = &[
    "pixelat*",
    "pixellat*",
    "pixelis*",
    "pixeliz*",
    "pixellis*",
    "pixelliz*",
    "pixel ~ out",
    "pixel effect*",
    "pixel style",
    "pixely",
    "pixelly",
    "mosaic*",
    // "faces → pixels".
    "face* pixels",
    "to pixels",
    "into pixels",
    "8 bit",
    "8bit",
    // "Use big pixel blocks", "chunky pixel squares".
    "pixel block*",
    "pixel square*",
    "pixel ~ block*",
    "pixel ~ square*",
    "blocky",
];

/// Ways to fill that say nothing else: "black out", "solid black boxes".
const FILL: &[&str] = &[
    "black* out",
    "black* ~ out",
    "blank* out",
    "white* out",
    "fill*",
    "solid",
    "black box*",
    "black bar*",
    "paint over",
    "paint* ~ over",
    "box* out",
    "x out",
    "cross* out",
    "block* out",
    "black square*",
    "block* over",
    "black rectangle*",
];

/// Hiding verbs that fill when no other way is said ("cover the faces", "erase the names").
const FILL_IF_NOTHING_ELSE: &[&str] = &["cover*", "squares", "blocks", "eras*", "redact*"];

/// What follows a way of hiding that turns it down: "blur can be undone", "pixelation is
/// reversible".
const TURNED_DOWN: &[&str] = &[
    "can be undone",
    "can be reversed",
    "reversible",
    "undone",
    "isn't enough",
    "wasn't enough",
    "not enough",
    "didn't work",
    "doesn't work",
];

/// Said right after a way of hiding, these turn it down too ("the pixelation was so light");
/// a few words on they are about something else ("the kids can still be recognised").
const TURNED_DOWN_RIGHT_AFTER: &[&str] = &["was too", "is too", "was so", "were so", "could still"];

/// Words that take back what came before: "blur them… actually no, pixelate them".
const TAKEN_BACK: &[&str] = &[
    "actually",
    "on second thought*",
    "scratch that",
    "i mean",
    "i meant",
    "no wait",
    "wait no",
    "make that",
    "or rather",
    "or better",
    "or even better",
    "prefer*",
];

/// Every way of hiding the clause says, where, and not ruled out or turned down; and whether
/// one was turned down.
fn ways_said(clause: &Clause) -> (Vec<(usize, &'static str)>, bool) {
    const WAYS: [(&str, &[&str]); 3] =
        [("pixelate", PIXELATE), ("fill", FILL), ("blur", &["blur*"])];
    let every: Vec<(usize, &'static str)> = WAYS
        .into_iter()
        .flat_map(|(method, phrases)| {
            clause
                .starts(phrases)
                .into_iter()
                .map(move |at| (at, method))
        })
        .collect();
    let ruled_out: Vec<&str> = WAYS
        .into_iter()
        .filter(|(_, phrases)| negated(clause, phrases))
        .map(|(method, _)| method)
        .collect();
    let mut ways: Vec<(usize, &'static str)> = every
        .iter()
        .copied()
        .filter(|(_, method)| !ruled_out.contains(method))
        .collect();
    // "Pixelate the faces, blur can be undone": what is turned down is the way said just
    // before, whether or not it was also ruled out.
    let mut turned_down = false;
    let markers = clause
        .starts(TURNED_DOWN)
        .into_iter()
        .map(|at| (at, 5))
        .chain(
            clause
                .starts(TURNED_DOWN_RIGHT_AFTER)
                .into_iter()
                .map(|at| (at, 2)),
        );
    for (marker, reach) in markers {
        let said_before = every
            .iter()
            .map(|&(at, _)| at)
            .filter(|&at| at < marker && marker <= at + reach)
            .max();
        if let Some(said_before) = said_before {
            turned_down = true;
            ways.retain(|&(at, _)| at != said_before);
        }
    }
    (ways, turned_down)
}

/// `pixelate`, `fill` or `blur` from how the clause says to hide: the way chosen over another
/// ("pixelated rather than smudgy"), else the one a correction ends on ("blur… actually no,
/// pixelate"), else the one said first; not one ruled out ("no pixelation") or turned down
/// ("blur can be undone, so solid black boxes").
pub fn hide_method(clause: &Clause) -> Option<Value> {
    // "pixel" alone is a unit ("from pixel (100, 50)"), not a method; "so the hair is covered
    // too" says what to achieve, not how.
    let clause = &clause.ask();
    let (ways, turned_down) = ways_said(clause);
    Some(json!(chosen_way(clause, &ways, turned_down)))
}

/// The way of hiding said for the faces when other things are hidden too ("black out the
/// names, and the photo needs pixelating"): the one said nearest the faces.
pub fn face_hide_method(clause: &Clause) -> Option<Value> {
    let clause = &clause.ask();
    let faces = clause.starts(&["@faces", "photo*", "headshot*", "picture*", "portrait*"]);
    let joins = clause.starts(&["and", "then", "also"]);
    let (ways, turned_down) = ways_said(clause);
    // "Mosaic the faces? Actually no, solid black boxes would be better": the way said after
    // taking one back, wherever the faces are.
    // Not "actually, black out the names as well": a way for something else.
    if let Some(after) = clause
        .starts(&[
            "actually no",
            "no wait",
            "wait no",
            "scratch that",
            "on second thought*",
        ])
        .into_iter()
        .max()
        && let Some(&(_, method)) = ways.iter().filter(|(at, _)| *at > after).min()
    {
        return Some(json!(method));
    }
    // A way said before the faces ("pixelate any faces") is nearer than one after them, and one
    // across an "and" belongs to another part ("black boxes over faces and blur the names").
    let distance = |at: usize, face: usize| {
        let (from, to) = (at.min(face), at.max(face));
        face.abs_diff(at)
            + if at > face { 3 } else { 0 }
            + if joins.iter().any(|&join| join > from && join < to) {
                5
            } else {
                0
            }
    };
    let nearest = ways
        .iter()
        .filter_map(|&(at, method)| {
            let distance = faces.iter().map(|&face| distance(at, face)).min()?;
            Some((distance, at, method))
        })
        .min()
        .map(|(_, at, method)| (at, method));
    match nearest {
        Some(way) if ways.iter().any(|&(_, method)| method != way.1) => Some(json!(way.1)),
        _ => Some(json!(chosen_way(clause, &ways, turned_down))),
    }
}

fn chosen_way(clause: &Clause, ways: &[(usize, &'static str)], turned_down: bool) -> &'static str {
    let preferred = clause.starts(&["rather than", "instead of", "over", "not"]);
    let taken_back = clause.starts(TAKEN_BACK).into_iter().max();
    taken_back
        .and_then(|after| ways.iter().filter(|(at, _)| *at > after).min())
        .or_else(|| {
            ways.iter()
                .find(|(at, _)| preferred.iter().any(|&then| then > *at && then <= at + 2))
        })
        .or_else(|| ways.iter().min())
        .map(|&(_, method)| method)
        .or_else(|| said(clause, FILL_IF_NOTHING_ELSE).then_some("fill"))
        // "Blur can be undone, so hide the faces properly": the way that cannot be undone.
        .or_else(|| turned_down.then_some("fill"))
        .unwrap_or("blur")
}

/// True when one of `phrases` is ruled out: "no pixelation", "pixelation is not ok", "don't
/// blur", "don't add any borders".
pub fn negated(clause: &Clause, phrases: &[&str]) -> bool {
    phrases.iter().any(|phrase| {
        // "Black boxes rather than a blur", "pad instead of cropping": the other one.
        [
            "no",
            "not",
            "don't",
            "dont",
            "without",
            "never",
            "avoid",
            "rather than",
            "instead of",
        ]
        .iter()
            .any(|not| {
                [
                    "",
                    "a ",
                    "add ",
                    "add any ",
                    "adding ",
                    "having ",
                    "with ",
                    "using ",
                    "want ",
                    "want any ",
                    "use ",
                    "need ",
                    "any ",
                    // "No soft blur".
                    "soft ",
                    "gentle ",
                    "light ",
                ]
                .iter()
                .any(|verb| {
                    clause.has(&format!("{not} {verb}{phrase}"))
                        // "Blur them… actually no, pixelate them": "no" takes back what came
                        // before, it does not rule out what follows.
                        && !(*not == "no"
                            && ["actually", "wait", "oh", "sorry", "hmm", "um", "er"]
                                .iter()
                                .filter_map(|taking_back| {
                                    clause.find(&format!("{taking_back} no {verb}{phrase}"))
                                })
                                .any(|span| said_a_way_before(clause, span.start)))
                })
            })
            || [
                "is not",
                "isn't",
                "not ok",
                "not okay",
                "not allowed",
                "not acceptable",
                "is a no",
                "no good",
                "is bad",
            ]
            .iter()
            .any(|not| clause.has(&format!("{phrase} {not}")))
            // "Our team prefers that look to blurring".
            || clause.has(&format!("prefer* ~ to {phrase}"))
    })
}

/// True when a way of hiding is said before word `at` ("blur them… actually no, pixelate").
fn said_a_way_before(clause: &Clause, at: usize) -> bool {
    clause.words[..at.min(clause.words.len())]
        .iter()
        .any(|word| {
            ["blur", "pixel", "black", "mosaic", "solid", "fill"]
                .iter()
                .any(|way| word.text.starts_with(way))
        })
}

/// True when one of `phrases` is said and not ruled out ("crop it, don't add borders" says
/// cropping, not borders).
pub fn said(clause: &Clause, phrases: &[&str]) -> bool {
    phrases
        .iter()
        .any(|phrase| clause.has(phrase) && !negated(clause, &[phrase]))
}

pattern!(
    PADDING,
    r"\b(?:padding|margin|pad(?:\s+\w+){0,3}\s+by|(?:grow|expand|enlarge|widen|extend)\w*\s+(?:\w+\s+){0,2}(?:box(?:es)?|patch(?:es)?|faces?|blur|area)\s+by)(?:\s+ratio)?\s*(?:of|to|at|=|:)?\s*(0?\.\d+|\d{1,3}\s*(?:%|percent)|half)|\b(\d{1,3})\s*(?:%|percent)\s+(?:extra|more|padding|margin|bigger|larger|past|beyond|outside)"
);

pattern!(DPI, r"\b(\d{2,3})\s*dpi\b");

/// A resolution in dots per inch: "at 300 dpi".
pub fn dpi(clause: &Clause) -> Option<u32> {
    DPI.captures(&clause.text).and_then(|c| number(c.get(1)))
}

/// How much to grow each box on every side: "a padding ratio of 0.4", "30% extra around".
pub fn padding_ratio(clause: &Clause) -> Option<Value> {
    let text = in_numbers(&clause.text);
    let captures = PADDING.captures(&text)?;
    let ratio = if let Some(given) = captures.get(1) {
        let text = given.as_str();
        // "Pad every face box by half its size".
        if text == "half" {
            return Some(json!(0.5));
        }
        match text.split_once(|c: char| c == '%' || c.is_whitespace() || c == 'p') {
            Some((percent, _)) => percent.trim().parse::<f64>().ok()? / 100.0,
            None => text.parse::<f64>().ok()?,
        }
    } else {
        number::<f64>(captures.get(2))? / 100.0
    };
    (0.0..=2.0).contains(&ratio).then(|| json!(ratio))
}

pattern!(
    MIN_SCORE,
    r"\b(?:threshold|confidence|min(?:imum)?\s+score|sensitivity)\s*(?:down|up)?\s*(?:to|of|at|=|:)?\s*(0?\.\d+)|\b(?:at least|over|above|more than|down to|to)\s+(0?\.\d+|\d{1,3}\s*%)\s+(?:sure|confident|certain|confidence|threshold|score)"
);

/// A detector's confidence floor: "lower the detection threshold to 0.25", "only the ones
/// you're at least 70% sure about".
pub fn min_score(clause: &Clause) -> Option<Value> {
    let captures = MIN_SCORE.captures(&clause.text)?;
    let score = match (captures.get(1), captures.get(2)) {
        (Some(score), _) => score.as_str().parse::<f64>().ok()?,
        (None, Some(said)) => match said.as_str().strip_suffix('%') {
            Some(percent) => percent.trim().parse::<f64>().ok()? / 100.0,
            None => said.as_str().parse::<f64>().ok()?,
        },
        (None, None) => return None,
    };
    (0.0..=1.0).contains(&score).then(|| json!(score))
}

pattern!(
    STRENGTH,
    r"\bstrength\s*(?:up|down)?\s*(?:of|at|=|:|to)?\s*(\d+(?:\.\d+)?)\b"
);

/// A stronger setting when the clause insists ("completely", "unrecognisable", "heavily").
pub fn strength(clause: &Clause) -> Option<Value> {
    // "At strength 25": the number said, checked by the tool (which names its range).
    if let Some(said) = STRENGTH
        .captures(&clause.text)
        .and_then(|c| number::<f64>(c.get(1)))
    {
        return Some(json!(said));
    }
    // "Don't make it too strong", "not too heavy": a limit, so light.
    if clause.has_any(&[
        "not too strong*",
        "not too heav*",
        "not too intense*",
        "not too much",
        "not overly strong*",
        "don't ~ too strong*",
        "dont ~ too strong*",
        "don't ~ too heav*",
        "don't ~ too much",
        "don't overdo*",
        "dont overdo*",
        "without overdoing",
    ]) {
        return Some(json!(0.75));
    }
    let strong = clause.has_any(&[
        "strong*",
        "heav*",
        "fully",
        "full*",
        "complete*",
        "total*",
        "unrecogni*",
        "unidentifiable",
        "properly",
        "thorough*",
        "really",
        "very",
        "a lot",
        "max*",
        "all",
        "every*",
        "any",
        "@phi",
        "anonymi*",
        "de identif*",
        "deidentif*",
    ]);
    let light = clause.has_any(&["slight*", "light*", "a bit", "a little", "gentl*", "soft*"]);
    match (strong, light) {
        (true, _) => Some(json!(2.0)),
        (false, true) => Some(json!(0.75)),
        _ => None,
    }
}

// ---- sizes --------------------------------------------------------------------------------

pattern!(
    DIMENSIONS,
    r"\b(\d{2,5})\s*(?:px\s*|pixels?\s*)?(?:[x×*]|by)\s*(\d{2,5})\b"
);
pattern!(PIXELS, r"\b(\d{2,5})\s*(?:px|pixels?|p)?\b");
pattern!(
    WIDE,
    r"\b(\d{2,5})\s*(?:px|pixels?)?\s*(?:wide|width|across|in width)|\bwidth\s*(?:of|to|=|:|(?:has|needs|must|should) (?:to )?be)?\s*(\d{2,5})|\bno wider than\s*(\d{2,5})"
);
pattern!(
    TALL,
    r"\b(\d{2,5})\s*(?:px|pixels?)?\s*(?:tall|high|height|in height)|\bheight\s*(?:of|to|=|:|(?:has|needs|must|should) (?:to )?be)?\s*(\d{2,5})|\bno (?:taller|higher) than\s*(\d{2,5})"
);
pattern!(PERCENT, r"\b(\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per cent)");

/// A pixel length of at least 16 written in the clause ("512px", "to 800").
pub fn pixels(clause: &Clause) -> Option<u32> {
    // "No bigger than two hundred pixels": numbers in words count too.
    let text = in_numbers(&clause.text);
    PIXELS
        .captures_iter(&text)
        .filter(|captures| {
            // Not a ratio side, a percentage, a time or a page.
            let end = captures.get(0).map_or(0, |m| m.end());
            let start = captures.get(0).map_or(0, |m| m.start());
            let rest = text[end..].trim_start();
            !text[..start].trim_end().ends_with(':')
                && !rest.starts_with(':')
                && !rest.starts_with('%')
                && !rest.starts_with("percent")
                && !rest.starts_with("degree")
                && !rest.starts_with("sec")
                && !rest.starts_with("fps")
        })
        .filter_map(|captures| number::<u32>(captures.get(1)))
        .find(|side| *side >= 16)
}

pattern!(
    SIDE_IN_PIXELS,
    r"\b(\d{2,5})\s*(?:px|pixels?)\b|\b(\d{3,5})\s+(?:wide|across)\b"
);

/// A size said in pixels, as the most either side may be: "none bigger than 720px", "640 wide"
/// (a bare number could be a count: "10 frames").
pub fn side_in_pixels(clause: &Clause) -> Option<Value> {
    let text = in_numbers(&clause.text);
    let captures = SIDE_IN_PIXELS.captures(&text)?;
    let whole = captures.get(0)?;
    // Not "at least 1080px wide", "not smaller than …" (a floor) nor "300 pixels apart".
    let before = &text[..whole.start()];
    if [
        "least",
        "smaller than",
        "minimum",
        "min ",
        "more than",
        "over ",
    ]
    .iter()
    .any(|floor| before.trim_end().ends_with(floor.trim()))
        || text[whole.end()..].trim_start().starts_with("apart")
    {
        return None;
    }
    number::<u32>(captures.get(1).or_else(|| captures.get(2)))
        .filter(|side| *side >= 16)
        .map(|side| json!(side))
}

/// The longest side for a thumbnail.
pub fn max_side(clause: &Clause) -> Option<Value> {
    pixels(clause).map(|side| json!(side))
}

/// `(width, height)` for a resize: "800x600", "800 wide", "height 300", "to 512px", "50%".
fn resize_target(clause: &Clause) -> Option<(Option<Value>, Option<Value>)> {
    let text = in_numbers(&clause.text);
    // "The box at x=120, y=80, width 200, height 150": the size of an area, not of the image.
    if box_at_size(&text).is_some() {
        return None;
    }
    if let Some(captures) = DIMENSIONS.captures(&text) {
        return Some((
            number::<u32>(captures.get(1)).map(|n| json!(n)),
            number::<u32>(captures.get(2)).map(|n| json!(n)),
        ));
    }
    // "Rejects anything over 2000 pixels wide, so bring it down to 1600 wide": a limit said
    // beside the size asked is not that size.
    let side = |pattern: &Regex| {
        let sizes: Vec<(u32, bool)> = pattern
            .captures_iter(&text)
            .filter_map(|c| {
                // "No wider than 1500 pixels" is the size to bring it to.
                let size = number::<u32>(c.get(1))
                    .or_else(|| number(c.get(2)))
                    .or_else(|| number(c.get(3)))?;
                let before = tail(&text[..c.get(0)?.start()], 16);
                // "… currently 3000 wide and should be 1200 wide": the size it has is none.
                let limit = [
                    "over ",
                    "above ",
                    "more than ",
                    "bigger than ",
                    "larger than ",
                    "currently ",
                    "originally ",
                    "is ",
                    "it's ",
                    "was ",
                    "now ",
                ]
                .iter()
                .any(|said| before.ends_with(said))
                    || before.contains("exceed");
                Some((size, limit))
            })
            .collect();
        sizes
            .iter()
            .find(|(_, limit)| !limit)
            .or(sizes.first())
            .map(|(size, _)| *size)
    };
    let wide = side(&WIDE);
    let tall = side(&TALL);
    if wide.is_some() || tall.is_some() {
        return Some((wide.map(|n| json!(n)), tall.map(|n| json!(n))));
    }
    None
}

/// True when the clause gives a width or height explicitly ("800x600", "1024 wide", "height
/// 300"), as a resize needs; a bare "512 px" is a longest side.
pub fn has_dimensions(clause: &Clause) -> bool {
    resize_target(clause).is_some()
}

/// How a resize to a width and a height treats the ratio: `exact` when the clause accepts
/// stretching or asks for exactly that size ("exactly 500 by 500"), `fill` when it crops to
/// cover, else `fit`.
pub fn resize_mode(clause: &Clause) -> Option<Value> {
    const STRETCH: &[&str] = &["stretch*", "distort*", "squash*", "squish*", "squeez*"];
    let tolerated = clause.has_any(&[
        "don't care if",
        "dont care if",
        "don't mind if",
        "dont mind if",
        "fine if",
        "ok if",
        "okay if",
        "doesn't matter if",
    ]);
    // "I don't want it squashed", "so nothing gets stretched": the ratio kept.
    let refused = clause.has_any(&[
        "don't want it stretch*",
        "don't want it squash*",
        "don't want it squish*",
        "don't want it distort*",
        "dont want it stretch*",
        "dont want it squash*",
        "nothing gets stretch*",
        "nothing gets squash*",
        "nothing gets squish*",
        "nothing gets distort*",
        "nothing is stretch*",
        "nothing is squash*",
        "without stretch*",
        "without squash*",
        "without distort*",
        "not stretched",
        "not squashed",
        "not distorted",
        "no stretching",
        "no squashing",
        "no distortion",
    ]);
    let mode = if (tolerated && clause.has_any(STRETCH))
        || (said(clause, STRETCH) && !refused)
        || clause.has_any(&["exact*", "precisely"])
    {
        "exact"
    } else if said(
        clause,
        &[
            "fill",
            "cover",
            "crop* to fit",
            "crop* to fill",
            "crop* ~ needed",
        ],
    ) {
        "fill"
    } else {
        "fit"
    };
    Some(json!(mode))
}

pattern!(
    SCALE_PERCENT,
    r"\b(by|to)\s+(\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per cent)|(\d{1,3}(?:\.\d+)?)\s*(?:%|percent|per cent)\s+(smaller|bigger|larger|of)"
);
pattern!(SCALE_TIMES, r"\b(\d(?:\.\d+)?)\s*(?:x|×|times)(?:\s|$)");

/// A scale factor for a resize with no width or height: "by half" 0.5, "to 25%" 0.25, "30%
/// smaller" 0.7, "double the size" 2, "2x" 2.
pub fn scale(clause: &Clause) -> Option<Value> {
    if has_dimensions(clause) {
        return None;
    }
    let bigger = clause.has_any(&["bigger", "larger", "enlarg*", "upscal*", "up", "increas*"]);
    let factor = if let Some(captures) = SCALE_PERCENT.captures(&clause.text) {
        let percent: f64 = number(captures.get(2).or_else(|| captures.get(3)))?;
        let relative = captures.get(1).is_some_and(|by| by.as_str() == "by")
            || captures.get(4).is_some_and(|word| word.as_str() != "of");
        match (relative, bigger) {
            (false, _) => percent / 100.0,
            (true, true) => 1.0 + percent / 100.0,
            (true, false) => 1.0 - percent / 100.0,
        }
    } else if let Some(times) = SCALE_TIMES
        .captures(&clause.text)
        .and_then(|c| number::<f64>(c.get(1)))
    {
        times
    } else if clause.has_any(&["double*", "twice"]) {
        2.0
    } else if clause.has_any(&["half turn", "quarter turn"]) {
        // A turn, not a size.
        return None;
    } else if clause.has_any(&["half", "halve*"]) {
        0.5
    } else if clause.has_any(&["three quarter*", "3 quarter*"]) {
        0.75
    } else if clause.has_any(&["two third*", "2 third*"]) {
        if bigger { 1.5 } else { 2.0 / 3.0 }
    } else if clause.has_any(&["a third", "one third"]) {
        if bigger { 3.0 } else { 1.0 / 3.0 }
    } else if clause.has_any(&["quarter", "a fourth"]) {
        0.25
    } else {
        return None;
    };
    (factor > 0.0 && factor <= 8.0).then(|| json!((factor * 1000.0).round() / 1000.0))
}

/// A resize's width.
pub fn width(clause: &Clause) -> Option<Value> {
    resize_target(clause)?.0
}

/// A resize's height.
pub fn height(clause: &Clause) -> Option<Value> {
    resize_target(clause)?.1
}

// ---- aspect -------------------------------------------------------------------------------

pattern!(
    RATIO,
    r"\b(\d{1,2}(?:\.\d+)?)\s*(?::|/|×|x|\bby\b|\bto\b)\s*(\d{1,2}(?:\.\d+)?)\b"
);

/// The first ratio written in `text`; not "y1=50 x2=400", corners named by coordinates (a
/// "ratio=16:9" is one).
fn ratio_captures(text: &str) -> Option<regex::Captures<'_>> {
    static COORDINATE_BEFORE: LazyLock<Regex> = LazyLock::new(|| regex(r"\b[xy][0-2]?\s*=\s*$"));
    RATIO.captures_iter(text).find(|captures| {
        let whole = captures.get(0).map_or(0..0, |m| m.range());
        !COORDINATE_BEFORE.is_match(&text[..whole.start])
            && !text[whole.end..].trim_start().starts_with('=')
    })
}

/// An aspect ratio such as `9:16`, from "9:16", "9 by 16", "square", "portrait for stories".
pub fn ratio(clause: &Clause) -> Option<Value> {
    let written = |text: &str| {
        ratio_captures(text)
            .map(|captures| json!(format!("{}:{}", &captures[1], &captures[2])))
            .or_else(|| ratio_in_words(text))
    };
    // "Crop the first to square and the second to 16:9": the clause's own words first, then a
    // ratio said once for the whole request ("all three at 9:16").
    written(&clause.text)
        .or_else(|| named_ratio(clause))
        .or_else(|| written(&clause.request))
}

pattern!(
    RATIO_IN_WORDS,
    r"\b(two|three|four|five|six|seven|eight|nine|ten|sixteen)\s+(?:by\s+(two|three|four|five|six|seven|eight|nine|ten|sixteen)|to\s+(one))\b"
);

/// A ratio written out: "nine by sixteen" (not "one by one", a way of going through things).
fn ratio_in_words(text: &str) -> Option<Value> {
    let captures = RATIO_IN_WORDS.captures(text)?;
    let value = |word: &str| SMALL_NUMBERS.iter().position(|small| *small == word);
    // "Wide format, three to one", a banner's shape (not "the team won three to one").
    if captures.get(3).is_some()
        && ![
            "ratio", "format", "aspect", "banner", "wide", "crop", "shape",
        ]
        .iter()
        .any(|shape| text.contains(shape))
    {
        return None;
    }
    let second = captures.get(2).or_else(|| captures.get(3))?.as_str();
    // Not "a three by three cube".
    if &captures[1] == second {
        return None;
    }
    Some(json!(format!(
        "{}:{}",
        value(&captures[1])?,
        value(second)?
    )))
}

/// A ratio named in words: "square", "portrait for stories", "widescreen".
fn named_ratio(clause: &Clause) -> Option<Value> {
    if clause.has_any(&["square*", "instagram post*", "profile pic*", "avatar*"]) {
        return Some(json!("1:1"));
    }
    if names_stories(clause)
        || clause.has_any(&["reel*", "tiktok*", "shorts", "vertical*", "phone wallpaper"])
        || asks_orientation(clause, "portrait")
    {
        return Some(json!("9:16"));
    }
    if clause.has_any(&["widescreen", "youtube", "horizontal*", "hd"])
        || asks_orientation(clause, "landscape")
    {
        return Some(json!("16:9"));
    }
    None
}

/// True when the clause names an aspect ratio in any of the ways [`ratio`] reads.
pub fn names_ratio(clause: &Clause) -> bool {
    ratio_captures(&clause.text).is_some()
        || clause.has_any(&[
            "square*",
            "instagram post*",
            "reel*",
            "tiktok*",
            "shorts",
            "widescreen",
            "aspect",
            "ratio",
        ])
        || names_stories(clause)
        || asks_orientation(clause, "landscape")
        || asks_orientation(clause, "portrait")
}

/// Stories as the phone format ("for our stories"), not tales ("I've heard too many stories
/// about identity theft", "long story short"). Not "stor*": "something stormy".
fn names_stories(clause: &Clause) -> bool {
    clause.has_any(&["story", "stories"])
        && !clause.has_any(&[
            "stories about",
            "stories of",
            "heard ~ stor*",
            "many stories",
            "horror stor*",
            "bedtime stor*",
            "sob story",
            "long story",
            "story short",
            "true story",
            "news stor*",
            "success stor*",
            "same story",
        ])
}

/// "Make it portrait", "in landscape format": `orientation` asked for, not "this portrait of
/// me" or "this landscape shot".
fn asks_orientation(clause: &Clause, orientation: &str) -> bool {
    let after = [
        "format",
        "orientation",
        "mode",
        "ratio",
        "aspect",
        "instead",
        "please",
    ]
    .map(|word| format!("{orientation} {word}"));
    let before = ["in", "to", "it", "into"].map(|word| format!("{word} {orientation}"));
    let phrases: Vec<&str> = after.iter().chain(&before).map(String::as_str).collect();
    clause.has_any(&phrases)
        || clause
            .text
            .trim_end_matches(['.', '!', ' '])
            .ends_with(orientation)
}

/// `pad` when the clause keeps the whole picture ("letterbox", "without cropping").
pub fn fit_mode(clause: &Clause) -> Option<Value> {
    (said(
        clause,
        &[
            "pad*",
            "letterbox*",
            "bars",
            "border*",
            "without crop*",
            "instead of crop*",
            "rather than crop*",
            "no crop*",
            "don't crop",
            "dont crop",
            "not crop*",
            // "Without cutting anything off", "don't chop anything off".
            "without cutting ~ anything",
            "without chopping ~ anything",
            "without trimming ~ anything",
            "without cutting it",
            "don't cut anything",
            "dont cut anything",
            "don't chop anything",
            "nothing ~ cut off",
            "nothing gets cut",
            "keep ~ whole",
            "keep ~ everything",
        ],
    )
    // "Fit it on a 16:9 canvas" pads; "crop it to fit that" crops.
    || (said(clause, &["entire", "fit", "canvas"]) && !said(clause, &["crop*"])))
    .then(|| json!("pad"))
}

// ---- angles and directions ----------------------------------------------------------------

pattern!(DEGREES, r"(-?\d{1,3}(?:\.\d+)?)\s*(?:°|degrees?|deg\b|º)");
pattern!(BARE_ANGLE, r"\bby\s+(-?\d{1,3}(?:\.\d+)?)\b");

/// Clockwise degrees: "90°", "by 45", "a quarter turn left", "upside down", "sideways".
pub fn degrees(clause: &Clause) -> Option<Value> {
    let text = in_numbers(&clause.text);
    // "It came out upside down — can you turn it the right way up?": righting what the
    // request says is upside down is a half turn.
    let rights_upside_down = clause.has_any(&[
        "right way up",
        "right side up",
        "correct way up",
        "the right way",
        "upright",
    ]) && Clause::new(&clause.request, &clause.request).has("upside down")
        // Not "it's on its side, not upside down".
        && !clause.request.contains("not upside down")
        && !clause.request.contains("isn't upside down")
        && DEGREES.captures(&text).is_none();
    // "Can you put it the right way up?" with nothing said of how it lies: no angle to read
    // (nothing here measures one). "Turn it 90 to the left so it's the right way up" says.
    let rights_it = clause.has_any(&["right way up", "right side up", "correct way up"]);
    if rights_it
        && !rights_upside_down
        && DEGREES.captures(&text).is_none()
        && BARE_ANGLE.captures(&text).is_none()
        && !clause.has_any(&["quarter turn", "half turn"])
        // "Turn it 90 to the left so it's the right way up" says how (not "put it the right way
        // up, it's been turned 90 anticlockwise").
        && !(clause.has_any(&["turn it", "turn this", "rotate it", "rotate this", "spin it"])
            && clause.has_any(&[
                "90",
                "180",
                "270",
                "left",
                "clockwise",
                "counter*",
                "anti*",
            ]))
    {
        return None;
    }
    let magnitude =
        if rights_upside_down || clause.has_any(&["upside down", "180", "half turn", "around"]) {
            180.0
        } else {
            // A turn with no angle ("sideways", "turn it left") is a quarter turn.
            DEGREES
                .captures(&text)
                .or_else(|| BARE_ANGLE.captures(&text))
                .and_then(|c| number::<f64>(c.get(1)))
                .unwrap_or(90.0)
        };
    // Not "ninety degrees clockwise, not anticlockwise" (but "wait no, counterclockwise").
    let counter = clause.has_any(&[
        "counter*",
        "anti clockwise",
        "anticlockwise",
        "ccw",
        "left",
        "to the left",
        "leftward*",
    ]) && !clause.has_any(&[
        "not counter*",
        "not anti clockwise",
        "not anticlockwise",
        "not ccw",
        "not left",
        "not to the left",
    ]);
    Some(json!(if counter { -magnitude.abs() } else { magnitude }))
}

/// `horizontal` (a mirror image, the default) or `vertical` (upside down).
pub fn flip_direction(clause: &Clause) -> Option<Value> {
    let vertical = clause.has_any(&[
        "vertical*",
        "upside down",
        "top to bottom",
        "up down",
        "top bottom",
        "over the x axis",
        "along the x axis",
    ]);
    Some(json!(if vertical { "vertical" } else { "horizontal" }))
}

// ---- amounts ------------------------------------------------------------------------------

/// A signed amount in -1..1 for an adjustment named by `up`/`down` words: "20% brighter" is
/// 0.2, "a bit darker" -0.15, "much more contrast" 0.4.
fn amount(clause: &Clause, up: &[&str], down: &[&str]) -> Option<Value> {
    let up_at = clause.find_any(up);
    let down_at = clause.find_any(down);
    let sign = match (up_at, down_at) {
        (Some(_), None) => 1.0,
        (None, Some(_)) => -1.0,
        (Some(up), Some(down)) if up.start < down.start => 1.0,
        (Some(_), Some(_)) => -1.0,
        (None, None) => return None,
    };
    let size = if let Some(percent) = PERCENT
        .captures(&clause.text)
        .and_then(|c| number::<f64>(c.get(1)))
    {
        (percent / 100.0).clamp(0.01, 1.0)
    } else if clause.has_any(&[
        "by half",
        "by about half",
        "by around half",
        "by roughly half",
    ]) {
        0.5
    } else if clause.has_any(&[
        "slight*", "a bit", "a little", "a touch", "bit", "tad", "little",
    ]) {
        0.15
    } else if clause.has_any(&["much", "a lot", "lots", "very", "way", "strong*", "really"]) {
        0.4
    } else {
        0.25
    };
    Some(json!(sign * size))
}

/// The OCR engine: "use tesseract for the text detection and cover up any patient details" names
/// it in its own clause, so it is read from the whole request and holds for every text step.
pub fn ocr_engine(clause: &Clause) -> Option<Value> {
    let request = Clause::new(&clause.request, &clause.request);
    // Not "tesseract mangled this, so don't use it".
    let refused = |said: &Clause| {
        said.has_any(&[
            "don't use",
            "do not use",
            "not tesseract",
            "without tesseract",
            "instead of tesseract",
            "tried tesseract",
            "tesseract mangled",
            "tesseract failed",
            "tesseract missed",
            "tesseract ~ didn't",
            "tesseract ~ did not",
        ])
    };
    ((clause.has("tesseract") && !refused(clause))
        || (request.has("tesseract") && !refused(&request)))
    .then(|| json!("tesseract"))
}

/// Brightness: "brighten", "lighter", "darker", "too dark".
pub fn brightness(clause: &Clause) -> Option<Value> {
    // "It's too dark" asks for brighter.
    if clause.has_any(&[
        "too dark",
        "underexposed",
        "under exposed",
        "dim",
        "less dark",
    ]) {
        return amount(
            clause,
            &[
                "too dark",
                "underexposed",
                "under exposed",
                "dim",
                "less dark",
            ],
            &[],
        );
    }
    // "The colours have gone washed out" asks for colour, not for less light.
    let washed_out_colours = clause.has_any(&["colo* ~ washed out", "washed out ~ colo*"]);
    if clause.has_any(&["too bright", "overexposed", "over exposed"])
        || (clause.has("washed out") && !washed_out_colours)
    {
        return amount(
            clause,
            &[],
            &["too bright", "overexposed", "over exposed", "washed out"],
        );
    }
    // "Less bright" names the up-word but means down, so the down-words are checked first.
    const DOWN: &[&str] = &[
        "less bright*",
        "reduc* ~ bright*",
        "lower* ~ bright*",
        "decreas* ~ bright*",
        "tone down ~ bright*",
        "darken*",
        "darker",
        "dimmer",
        "reduc* ~ exposure",
        "lower* ~ exposure",
    ];
    if clause.has_any(DOWN) {
        return amount(clause, &[], DOWN);
    }
    // "Take the brightness down a little": the direction said around the noun (not "keep the
    // brightness the same", "brightness is fine", nor the noun alone).
    if clause.has("brightness") {
        if clause.has_any(&[
            "brightness ~ too high",
            "too much brightness",
            "brightness ~ too strong",
        ]) {
            return amount(clause, &[], &["brightness"]);
        }
        let left_alone = clause.has_any(&[
            "don't ~ brightness",
            "do not ~ brightness",
            "keep ~ brightness",
            "leave ~ brightness",
            "brightness ~ fine",
            "brightness ~ same",
            "brightness ~ ok",
            "brightness ~ okay",
        ]);
        if left_alone {
            return None;
        }
        if clause.has_any(TURN_DOWN) {
            return signed_by_direction(clause, &["brightness"]);
        }
    }
    amount(
        clause,
        &[
            "bright*",
            "lighten*",
            "lighter",
            "more light",
            "exposure up",
            "rais* ~ exposure",
            "increas* ~ exposure",
            "boost* ~ exposure",
        ],
        &[],
    )
}

/// Words that turn an adjustment down, and up.
const TURN_DOWN: &[&str] = &[
    "less",
    "knock* back",
    "knock* down",
    "lower*",
    "reduc*",
    "decreas*",
    "tone down",
    "toned down",
    "down",
    "mute*",
    "soften*",
    // Not "flat": "it looks flat" asks for more.
    "flatten*",
    "drop*",
    "eas* off",
];
const TURN_UP: &[&str] = &[
    "lift*", "more", "up", "increas*", "boost*", "bump*", "rais*", "higher", "add*", "extra",
    "stronger", "punchier",
];

/// Whether the direction said for `subject` is down: a direction right after it ("contrast
/// down a bit"), else the nearest one before it ("bump up the contrast and tone down the
/// saturation"), else any after it.
fn turned_down(clause: &Clause, subject: &[&str]) -> bool {
    let Some(at) = clause.find_any(subject).map(|span| span.start) else {
        return false;
    };
    let down = clause.starts(TURN_DOWN);
    let up = clause.starts(TURN_UP);
    let said_at = |index: usize| {
        if down.contains(&index) {
            Some(true)
        } else if up.contains(&index) {
            Some(false)
        } else {
            None
        }
    };
    // "Less saturated, more contrast": the word right before the subject is its own; only
    // then the word right after ("contrast up").
    if let Some(right_before) = at.checked_sub(1).and_then(said_at) {
        return right_before;
    }
    // Only a bare marker ("contrast down a bit"), not a verb that starts the next ask
    // ("the contrast, tone down the saturation").
    let bare_marker = clause.words.get(at + 1).is_some_and(|word| {
        ["up", "down", "higher", "lower", "less", "more"].contains(&word.text.as_str())
    });
    if bare_marker && let Some(right_after) = said_at(at + 1) {
        return right_after;
    }
    (0..at)
        .rev()
        .find_map(said_at)
        .or_else(|| (at + 1..clause.words.len()).find_map(said_at))
        .unwrap_or(false)
}

fn signed_by_direction(clause: &Clause, subject: &[&str]) -> Option<Value> {
    if !clause.has_any(subject) {
        return None;
    }
    let down = turned_down(clause, subject);
    amount(clause, subject, &[]).map(|value| {
        let size = value.as_f64().unwrap_or(0.25).abs();
        json!(if down { -size } else { size })
    })
}

/// Contrast: "more contrast", "punchier", "lower the contrast".
pub fn contrast(clause: &Clause) -> Option<Value> {
    // "Punchier colours" are more saturated.
    if clause.has_any(&["punch* colo*"]) && !clause.has("contrast*") {
        return None;
    }
    signed_by_direction(clause, &["contrast*", "punch*"])
}

/// Saturation: "more saturated", "make the colours pop", "less vivid", "desaturate a bit".
pub fn saturation(clause: &Clause) -> Option<Value> {
    // "Tone down the colours a little".
    // "Tone the colours down, they're too saturated".
    if clause.has_any(&[
        "desaturat*",
        "mute* ~ colo*",
        "tone* down ~ colo*",
        "tone* ~ colo* ~ down",
        "too saturated",
        "oversaturated",
        "over saturated",
    ]) {
        return amount(
            clause,
            &[],
            &["desaturat*", "mute*", "tone*", "too saturated", "over*"],
        );
    }
    signed_by_direction(
        clause,
        &[
            "saturat*",
            "vivid*",
            "vibran*",
            "colo* pop",
            "colo* ~ pop",
            "colourful",
            "colorful",
            // "Make the colours less intense".
            "colo* ~ intens*",
            "intens* ~ colo*",
            "more colo*",
            "boost* ~ colo*",
            "richer colo*",
            "colo* ~ richer",
            "punch* colo*",
            // "Bring the colour back up", "the colours have gone washed out" (not "dial the
            // colour back", less of it).
            "bring* ~ colo* back",
            "colo* back up",
            "colo* ~ washed out",
            "washed out ~ colo*",
            // "Colours look flat. Make them pop".
            "make ~ pop",
        ],
    )
}

/// Sharpening: "sharpen", "crisper", "less blurry".
pub fn sharpen(clause: &Clause) -> Option<Value> {
    clause
        .has_any(&[
            "sharp*",
            "crisp*",
            "less blurry",
            "less soft",
            "unblur*",
            "deblur*",
            "more detail*",
            "clearer",
        ])
        .then(|| {
            let strong = clause.has_any(&["much", "a lot", "very", "strong*", "really"]);
            json!(if strong { 1.5 } else { 1.0 })
        })
}

// ---- time ---------------------------------------------------------------------------------

pattern!(
    TIME_RANGE,
    r"(?:from|between|starting at)?\s*(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)[\s-]*(?:s|secs?|seconds?)?(?:\s+mark)?\s*(?:to|-|–|and|until|till|through|thru)\s*(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?)?"
);
// "Drop everything before the 30 second mark", "from 0:30 to the end": a start, and the rest
// of the clip.
pattern!(
    DROP_BEFORE,
    r"\b(?:before|up to|until|till)\s+(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)[\s-]*(?:s\b|secs?|seconds?)?"
);
pattern!(
    FROM_ON,
    r"\b(?:from|after|starting at|start at)\s+(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)[\s-]*(?:s\b|secs?|seconds?)?(?:\s+mark)?\s*(?:on\b|onwards?\b|to the end\b|till the end\b|until the end\b)|\b(\d+:\d{2}(?::\d{2})?(?:\.\d+)?)\s*(?:onwards?\b|(?:through\s+|thru\s+)?(?:to|till|until)\s+the\s+end\b)"
);
// "Keep everything after the first half minute": the rest of the clip from a moment.
pattern!(
    KEEP_AFTER,
    r"\b(?:everything|all|the rest|what comes|whatever comes|only what comes)\s+(?:after|past|beyond)\s+(?:the\s+)?(?:first\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)[\s-]*(?:s\b|secs?|seconds?)?"
);
// "Keep from 0:20", "start it at 12 seconds": from a moment to the end.
pattern!(
    START_FROM,
    r"\b(?:keep|start|begin)\w*\s+(?:it\s+|this\s+|the\s+(?:clip|video)\s+)?(?:from|at)\s+(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?\s*(?:s\b|secs?|seconds?))"
);
// "Trim it so it starts at 5 seconds and ends at 20", "start it at 5 s and end it at 20 s":
// where the trimmed clip is to start and stop (not "the intro starts at 0:00 and ends at 0:08",
// a part described).
pattern!(
    STARTS_AND_ENDS,
    r"\b(?:so\s+(?:that\s+)?(?:it|the\s+(?:clip|video))\s+|make\s+it\s+|have\s+it\s+|let\s+it\s+)(?:start|begin)s?\s+(?:at|from)\s+(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?)?(?:\s+mark)?[\s,]+(?:and\s+)?(?:it\s+|then\s+)?(?:end|finish|stop)s?\s+at\s+(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)|\b(?:start|begin)\s+it\s+at\s+(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?)?[\s,]+(?:and\s+)?(?:end|finish|stop)\s+it\s+at\s+(?:the\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)"
);
// "The intro starts at 0:00 and ends at 0:08, remove it": a part described by its ends.
pattern!(
    PART_SPAN,
    r"\b(?:starts|begins)\s+at\s+(?:the\s+|about\s+|around\s+|roughly\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?)?[\s,]+(?:and\s+)?(?:ends|finishes|stops)\s+at\s+(?:the\s+|about\s+|around\s+|roughly\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)"
);
// "Cut the first 5 seconds", "cut the first minute": those go (not "cut it to the first 5
// seconds", nor "cut the first 15 seconds into a separate clip").
pattern!(
    CUT_THE_FIRST,
    r"\b(?:cut|chop|snip|trim|lose|skip)\w*\s+(?:out\s+|off\s+|away\s+)?(?:the\s+)?(?:first|opening)\s+(?:\d+(?:\.\d+)?|a|one|two|three|five|ten)?\s*(?:s\b|secs?|seconds?|min\b|mins?|minutes?)"
);
pattern!(
    FIRST_SECONDS,
    r"\b(?:first|opening)\s+(\d+(?:\.\d+)?|a|one|two|three|five|ten)?\s*(s\b|secs?|seconds?|min\b|mins?|minutes?)"
);
pattern!(
    TRIM_TO,
    r"\b(?:trim|cut|shorten|clip)\w*\s+(?:(?:it|this|that|the|my|your)\s+(?:\w+\s+)?)?(?:down\s+)?to\s+(?:the\s+first\s+)?(\d+(?:\.\d+)?)\s*(s\b|secs?|seconds?|min\b|mins?|minutes?)"
);
pattern!(
    SECONDS_AT,
    r"(?:\bat|@)\s*(?:the\s+|exactly\s+|around\s+|about\s+|roughly\s+|precisely\s+)?(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?)?|\b(?:still|frame|screenshot|snapshot|screengrab|grab|thumbnail|image|picture)\s+(?:from|of)\s+(?:around\s+|about\s+|roughly\s+|approximately\s+)?(?:(\d+:\d{2}(?::\d{2})?(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?))"
);
// "90 seconds in", "the 12 second mark", "from 30 s in", "the 10-second point".
pattern!(
    SECONDS_INTO,
    r"\b(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)[\s-]*(?:s|secs?|seconds?)?\s+(?:in|into|mark|point)\b"
);

/// Seconds from `12.5`, `1:05` or `1:02:03`.
pub fn seconds(text: &str) -> Option<f64> {
    let mut total = 0.0;
    for part in text.split(':') {
        total = total * 60.0 + part.parse::<f64>().ok()?;
    }
    Some(total)
}

/// Words that drop part of a clip.
const DROP_WORDS: &[&str] = &[
    "@remove",
    "drop*",
    "cut off",
    "skip*",
    "lose",
    "chop off",
    // "Chop that off", "cut the intro off": what was named goes.
    "chop* ~ off",
    "cut* ~ off",
    "lop* ~ off",
    "discard*",
    "seconds off",
    "minute* off",
    "s off",
];

/// What a removal takes when it keeps what was named ("cut the rest off", "crop away everything
/// except the top half"); not "crop off the bottom third, everything else stays".
pub const KEEPS_THE_NAMED: &[&str] = &[
    "cut* ~ the rest",
    "chop* ~ the rest",
    "trim* ~ the rest",
    "crop* ~ the rest",
    "lop* ~ the rest",
    "drop* ~ the rest",
    "lose ~ the rest",
    "@remove ~ the rest",
    "the rest off",
    "the rest away",
    "everything else off",
    "everything else away",
    "@remove ~ everything else",
    "everything except",
    "everything but",
    "everything other than",
    "all except",
    "all but",
    // "Only the first 10 seconds are useful, drop everything after that".
    "everything after that",
    "everything after this",
    "everything after it",
    "everything after those",
    "anything after that",
    "the rest after",
];

/// What is unwanted in a clip, so that cutting it means taking it out ("cut the ad between
/// 1:00 and 1:30"), unlike "cut out 2:00 to 5:30", which keeps that part.
const UNWANTED_PARTS: &[&str] = &[
    "ad",
    "ads",
    "advert*",
    "commercial*",
    "mistake*",
    "blooper*",
    "pause*",
    "silence",
    "sneez*",
    "cough*",
    "swear*",
    "dead air",
    "interruption*",
    "boring",
    "sponsor*",
    "promo*",
    "outtake*",
    "filler",
    "spoiler*",
    "stumble*",
];

/// A part in the middle of a clip to take out, the rest joined around it: "remove the part
/// from 0:10 to 0:20", "cut the ad between 1:00 and 1:30", "skip 2:00-2:30". Not a part that
/// starts the clip ("remove 0:00 to 0:05" keeps the rest, a trim), nor words that keep a part
/// ("keep 1:05 to 1:20, lose the rest").
pub fn removed_range(clause: &Clause) -> Option<(f64, f64)> {
    removed_span(clause).filter(|(start, _)| *start > 0.0)
}

/// A part of a clip said to be taken out, from its start or from the middle.
fn removed_span(clause: &Clause) -> Option<(f64, f64)> {
    let cuts = clause.has_any(&["cut*", "chop*", "snip*", "edit* ~ out", "edit* out"]);
    // "Cut out 1:00 to 1:20" may keep that part; "take out the bit where the mic cuts out"
    // takes it out (the sound is what cuts out there).
    let cut_out = clause.has_any(&["cut out", "cut* ~ out"])
        && !clause.has_any(&[
            "where ~ cuts out",
            "where ~ ~ cuts out",
            "when ~ cuts out",
            "when ~ ~ cuts out",
            // "… where my mic cut out", "when the sound was cutting out".
            "where ~ cut out",
            "where ~ ~ cut out",
            "when ~ cut out",
            "when ~ ~ cut out",
            "was cutting out",
            "kept cutting out",
            "keeps cutting out",
        ]);
    let removes = (clause.has_any(DROP_WORDS) && !cut_out)
        || (cuts && clause.has_any(UNWANTED_PARTS))
        // "Cut out the bit from 1:05 to 1:20, that's the blooper": the part is said, just
        // after, to be unwanted.
        || (cuts
            && clause.has_any(&["the bit", "the part", "the section"])
            && said_unwanted(clause));
    // "Keep 1:05 to 1:20" keeps that part; "… and keep the rest" keeps what is around it.
    let keeps_the_part = clause.has_any(&["keep*"])
        && !clause.has_any(&["keep* ~ rest", "keep* the rest", "keep* everything else"]);
    // "Only the part from 0:10 to 0:20 matters", "just the bit between …": the range is what
    // stays (not "it's just me coughing", said of the part that goes). A part of the sound
    // ("remove the background noise from 0:10 to 0:20") is no part of the footage.
    let keeps_the_range = clause.has_any(&[
        "only the",
        "just the",
        "only from",
        "just from",
        "only want*",
        "just want*",
        "only need*",
        "just need*",
    ]);
    let of_the_sound = clause.has_any(&["@sound_removed", "audio", "sound*"]);
    if !removes
        || keeps_the_part
        || keeps_the_range
        || of_the_sound
        // Not "take that part out and leave everything else as it is", the rest kept.
        || (clause.has_any(KEEPS_THE_NAMED)
            && !clause.has_any(&[
                "leave everything else",
                "leave the rest",
                "keep everything else",
                "keep the rest",
            ]))
    {
        return None;
    }
    let text = in_numbers(&clause.text);
    let captures = TIME_RANGE
        .captures(&text)
        .or_else(|| PART_SPAN.captures(&text))?;
    let (start, end) = (seconds(&captures[1])?, seconds(&captures[2])?);
    (end > start).then_some((start, end))
}

/// "… that's the blooper", "it's an ad": the part just named said, right after, to be unwanted
/// (not "… for me, that's the ad we're going to run", the part wanted).
fn said_unwanted(clause: &Clause) -> bool {
    let Some(at) = clause.request.find(&clause.text) else {
        return false;
    };
    let next =
        clause.request[at + clause.text.len()..].trim_start_matches([',', ' ', '-', '–', '—']);
    // The whole of the next phrase (up to an "and"), and short: "that's the blooper", "that's
    // where my brother swears and …", not "that's the ad we're going to run".
    let next = next
        .split(['.', ',', ';', '!', '?'])
        .next()
        .unwrap_or_default();
    let next = next.split(" and ").next().unwrap_or_default();
    if next.split_whitespace().count() > 6 {
        return false;
    }
    let request = Clause::new(next, next);
    // "Cut out the bit between 1:00 and 1:30, the rest is fine": what is around it stays (not
    // "cut the bit from 0:20 to 0:50 for Instagram, the rest is fine", the part wanted).
    if clause.has_any(&["cut* out", "cut* ~ out"])
        && request.has_any(&[
            "the rest is fine",
            "the rest is ok*",
            "the rest is good",
            "the rest can stay",
            "the rest stays",
            "keep ~ rest",
        ])
    {
        return true;
    }
    UNWANTED_PARTS.iter().any(|unwanted| {
        [
            "that's the",
            "that's a",
            "that's an",
            "that's where",
            "it's the",
            "it's a",
            "it's an",
            "it's where",
            "that is the",
        ]
        .iter()
        .any(|pointer| {
            request.has(&format!("{pointer} {unwanted}"))
                || (pointer.ends_with("where")
                    && (request.has(&format!("{pointer} ~ {unwanted}"))
                        || request.has(&format!("{pointer} ~ ~ {unwanted}"))))
        })
    })
}

/// True when the clause asks for a part in the middle of a clip taken out.
pub fn removes_a_middle_part(clause: &Clause) -> bool {
    removed_range(clause).is_some()
}

/// The range to keep: a start, and an end unless it runs to the clip's end.
fn time_range(clause: &Clause) -> Option<(f64, Option<f64>)> {
    // "Remove the part from 0:10 to 0:20" keeps what is around it: no one range; "delete 0:00
    // to 0:05" keeps what comes after.
    if let Some((start, end)) = removed_span(clause) {
        return (start == 0.0).then_some((end, None));
    }
    let text = in_numbers(&clause.text);
    if let Some(captures) = TIME_RANGE.captures(&text)
        && let (Some(start), Some(end)) = (seconds(&captures[1]), seconds(&captures[2]))
        && end > start
    {
        return Some((start, Some(end)));
    }
    if let Some(captures) = STARTS_AND_ENDS.captures(&text)
        && let (Some(start), Some(end)) = (
            seconds(captures.get(1).or_else(|| captures.get(3))?.as_str()),
            seconds(captures.get(2).or_else(|| captures.get(4))?.as_str()),
        )
        && end > start
    {
        return Some((start, Some(end)));
    }
    // "The intro starts at 0:00 and ends at 0:08, remove it": the rest stays; a part in the
    // middle cannot be cut out by keeping one range, and a part kept is asked in other words.
    if let Some(captures) = PART_SPAN.captures(&text)
        && let (Some(start), Some(end)) = (seconds(&captures[1]), seconds(&captures[2]))
        && end > start
    {
        if clause.has_any(DROP_WORDS) || clause.has_any(&["cut* ~ out"]) {
            return (start == 0.0).then_some((end, None));
        }
        if clause.has_any(&["keep*", "only", "just"]) {
            return Some((start, Some(end)));
        }
    }
    // "Drop everything before 0:30" and "remove the first 5 seconds" keep what comes after.
    // "Cut", "chop" and "trim" drop what comes before a moment too, but "trim it to the first
    // 10 seconds" keeps those seconds.
    // Not "only the first 30 seconds are useful, cut the rest off": what is named stays.
    let keeps_the_named = clause.has_any(KEEPS_THE_NAMED);
    // Not "trim it to the first 30 seconds without losing the audio".
    let drops_the_start = !keeps_the_named
        && !clause.has_any(&["without losing", "without touching", "without cutting"])
        && (clause.has_any(DROP_WORDS)
            || clause.has_any(&["trim* off", "trim* away", "cut* away"]));
    let drops = drops_the_start || clause.has_any(&["cut*", "chop*", "trim*"]);
    // "Trim off everything after 1:30", "cut out everything after the first thirty seconds":
    // what comes after goes, so the clip ends there.
    // "Drop everything before 1:05 and everything after 2:30": both ends go.
    if drops
        && let Some(before) = DROP_BEFORE.captures(&text)
        && let Some(after) = KEEP_AFTER.captures(&text)
        && let (Some(start), Some(end)) = (seconds(&before[1]), seconds(&after[1]))
        && end > start
    {
        return Some((start, Some(end)));
    }
    if drops
        && clause.has_any(&["off", "@remove", "get rid", "lose", "ditch*"])
        && let Some(captures) = KEEP_AFTER.captures(&text)
        && let Some(end) = seconds(&captures[1])
    {
        return Some((0.0, Some(end)));
    }
    let cuts_the_first = !keeps_the_named
        && CUT_THE_FIRST.is_match(&text)
        && !clause.has_any(&[
            "separate*",
            "into a",
            "into its own",
            "as a clip",
            "as its own",
        ]);
    if (drops_the_start || cuts_the_first)
        && let Some(captures) = FIRST_SECONDS.captures(&text)
        && let Some(amount) = first_seconds(&captures)
    {
        return Some((amount, None));
    }
    if let Some(captures) = DROP_BEFORE.captures(&text).filter(|_| drops)
        && let Some(start) = seconds(&captures[1])
    {
        return Some((start, None));
    }
    if let Some(captures) = FROM_ON
        .captures(&text)
        .or_else(|| KEEP_AFTER.captures(&text))
        .or_else(|| START_FROM.captures(&text))
        && let Some(start) = captures
            .get(1)
            .or_else(|| captures.get(2))
            .and_then(|at| seconds(at.as_str()))
    {
        return Some((start, None));
    }
    // "Trim it to 10 s": the first ten seconds.
    let captures = match TRIM_TO.captures(&text) {
        Some(captures) => captures,
        None => FIRST_SECONDS.captures(&text)?,
    };
    Some((0.0, Some(first_seconds(&captures)?)))
}

/// The seconds a [`FIRST_SECONDS`] or [`TRIM_TO`] match says: "5 seconds", "a minute".
fn first_seconds(captures: &regex::Captures<'_>) -> Option<f64> {
    let amount = match captures.get(1).map(|m| m.as_str()) {
        None | Some("a" | "one") => 1.0,
        Some(text) => text
            .parse::<f64>()
            .ok()
            .or_else(|| count_word(text).map(f64::from))?,
    };
    let unit = if captures.get(2)?.as_str().starts_with('m') {
        60.0
    } else {
        1.0
    };
    Some(amount * unit)
}

/// Where a trimmed clip starts.
pub fn start_s(clause: &Clause) -> Option<Value> {
    time_range(clause).map(|(start, _)| json!(start))
}

/// Where a trimmed clip ends; `None` also when it runs to the clip's end.
pub fn end_s(clause: &Clause) -> Option<Value> {
    time_range(clause)
        .and_then(|(_, end)| end)
        .map(|end| json!(end))
}

/// True when the clause says a time range to keep, or what to drop from the start ("remove the
/// first 5 seconds" keeps the rest).
pub fn has_time_range(clause: &Clause) -> bool {
    time_range(clause).is_some()
}

/// A moment in a video: "at 12s", "at 1:05", "a minute and a half in", "the 12 second mark".
pub fn at_s(clause: &Clause) -> Option<Value> {
    let text = in_numbers(&clause.text);
    // Not "a still from 5 seconds before the end": a moment counted from another.
    let counted_from_another = |captures: &regex::Captures<'_>| {
        captures.get(3).is_some_and(|found| {
            let after = text[found.end()..].trim_start();
            let after = after
                .split_once(char::is_whitespace)
                .map_or(after, |(_, rest)| rest.trim_start());
            ["before", "after", "from the end", "into"]
                .iter()
                .any(|word| after.starts_with(word))
        })
    };
    SECONDS_AT
        .captures(&text)
        .filter(|captures| !counted_from_another(captures))
        .or_else(|| SECONDS_INTO.captures(&text))
        .and_then(|c| seconds(c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?.as_str()))
        .map(|s| json!(s))
}

pattern!(EVERY, r"\bevery\s+(\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?)");
pattern!(EVERY_SECOND, r"\b(?:every|each|per|a) second\b");
pattern!(
    N_THINGS,
    r"\b(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|twelve|a dozen)\s+(?:\w+\s+){0,2}?(frames?|stills?|images?|pictures?|screenshots?|shots?|thumbnails?|tiles?|keyframes?|snapshots?)\b"
);
pattern!(
    TIMES_LIST,
    r"\bat\s+((?:(?:\d+:\d{2}|\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?)?\s*(?:,\s*and|,|and|&)\s*)+(?:\d+:\d{2}|\d+(?:\.\d+)?))"
);
pattern!(A_TIME, r"\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?");
pattern!(
    INTERVALS,
    r"\b(\d+(?:\.\d+)?)[\s-]*(?:s|secs?|seconds?)\s+(?:intervals?|apart|gaps?)\b|\bintervals?\s+of\s+(\d+(?:\.\d+)?)\s*(?:s\b|secs?|seconds?)"
);

/// A number of frames, stills, tiles... written in the clause.
pub fn thing_count(clause: &Clause) -> Option<u32> {
    // "Sixteen frames" as "16 frames".
    let text = in_numbers(&clause.text);
    N_THINGS
        .captures(&text)
        .and_then(|captures| count_word(captures.get(1)?.as_str()))
}

/// Which frames to take from a video: "every 2 seconds", "10 frames", "at 1, 3 and 5 s".
pub fn frame_selection(clause: &Clause) -> Option<Value> {
    let text = in_numbers(&clause.text);
    if let Some(every) = EVERY.captures(&text).and_then(|c| number::<f64>(c.get(1))) {
        return Some(json!({"mode": "every", "interval_s": every}));
    }
    // "At two-second intervals", "5 seconds apart".
    if let Some(every) = INTERVALS
        .captures(&text)
        .and_then(|c| number::<f64>(c.get(1).or_else(|| c.get(2))))
    {
        return Some(json!({"mode": "every", "interval_s": every}));
    }
    if EVERY_SECOND.is_match(&text) {
        return Some(json!({"mode": "every", "interval_s": 1.0}));
    }
    if let Some(captures) = TIMES_LIST.captures(&text) {
        let mut times: Vec<f64> = A_TIME
            .find_iter(&captures[1])
            .filter_map(|m| seconds(m.as_str()))
            .collect();
        // "At 0:05 and 0:10, 640 pixels wide": the last number is a size (not "at 0:05, 0:10
        // and 0:15 high quality").
        let list = captures.get(1).map_or("", |m| m.as_str());
        let last_is_a_stamp = A_TIME
            .find_iter(list)
            .last()
            .is_some_and(|last| last.as_str().contains(':'));
        let mut after = text[captures.get(1).map_or(0, |m| m.end())..]
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty());
        let (unit, then) = (after.next().unwrap_or(""), after.next());
        let a_size = match unit {
            "px" | "pixel" | "pixels" | "p" => true,
            "wide" | "tall" | "high" | "across" => {
                then.is_none_or(|then| ["please", "and", "each", "max", "maximum"].contains(&then))
            }
            _ => false,
        };
        if a_size && !last_is_a_stamp {
            times.pop();
        }
        if times.len() >= 2 {
            return Some(json!({"mode": "times", "times_s": times}));
        }
    }
    let count = thing_count(clause).unwrap_or(5);
    Some(json!({"mode": "evenly", "count": count}))
}

/// Words for one still of a video.
pub const ONE_FRAME: &[&str] = &[
    "a frame",
    "one frame",
    "a single frame",
    "the frame",
    "a still",
    "one still",
    "a screenshot",
    "a snapshot",
    "a screengrab",
    "a screen grab",
    "a poster frame",
    // "Still from about 30 sec in, for the video cover".
    "still from",
    "frame from",
];

/// True when the clause asks for one still at one moment ("grab a frame a minute and a half
/// in"): a thumbnail at that time, not a set of frames.
pub fn one_frame_at(clause: &Clause) -> bool {
    clause.has_any(ONE_FRAME)
        && at_s(clause).is_some()
        && !TIMES_LIST.is_match(&in_numbers(&clause.text))
}

/// True when the clause lists moments ("at 10s, 25s and 40s").
pub fn names_times(clause: &Clause) -> bool {
    TIMES_LIST.is_match(&in_numbers(&clause.text))
}

/// Frames per second: "at 24 fps", "2 seconds each".
pub fn fps(clause: &Clause) -> Option<Value> {
    static FPS: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"\b(\d{1,3}(?:\.\d+)?)\s*(?:fps|(?:(?:frames?|pictures?|photos?|images?|stills?|slides?|pics?)\s+)?(?:per|a|each) second)\b",
        )
    });
    static EACH: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"\b(\d{1,3}(?:\.\d+)?)\s*(?:s|secs?|seconds?)\s+(?:each|(?:on|for) (?:each|every)(?: one| image| photo| picture| slide)?|per (?:image|photo|picture|pic|slide|frame|shot)|apiece)\b|\beach (?:one |1 |image |photo |picture |slide |frame )?(?:is |stays |stays up |stays on |is up |shows |shown |appears )?(?:for|lasting|shown for|on screen for|on for) (?:(\d{1,3}(?:\.\d+)?)\s*(?:s|secs?|seconds?)|(?:a|one) (second))\b",
        )
    });
    if let Some(fps) = FPS
        .captures(&in_numbers(&clause.text))
        .and_then(|c| number::<f64>(c.get(1)))
    {
        return Some(json!(fps));
    }
    EACH.captures(&in_numbers(&clause.text))
        .and_then(|c| {
            number::<f64>(c.get(1))
                .or_else(|| number(c.get(2)))
                // "Each one stays up for a second".
                .or_else(|| c.get(3).map(|_| 1.0))
        })
        .filter(|seconds| *seconds > 0.0)
        .map(|seconds| json!(1.0 / seconds))
}

// ---- pages --------------------------------------------------------------------------------

pattern!(
    PAGE,
    r"\b(?:page|pg)\s*(?:no\.?|number|#)?\s*(\d{1,5})\b|\b(\d{1,5})(?:st|nd|rd|th)\s+page\b|\bp\.?\s*(\d{1,5})\b"
);
const ORDINALS: [(&str, u32); 10] = [
    ("first", 1),
    ("cover", 1),
    ("front", 1),
    ("second", 2),
    ("third", 3),
    ("fourth", 4),
    ("fifth", 5),
    ("sixth", 6),
    ("seventh", 7),
    ("eighth", 8),
];

/// A page number (from 1): "page 3", "the 2nd page", "the second page", "the cover".
pub fn page(clause: &Clause) -> Option<Value> {
    if let Some(page) = PAGE
        .captures(&in_numbers(&clause.text))
        .and_then(|captures| page_number(&captures))
    {
        return Some(json!(page));
    }
    ORDINALS
        .iter()
        .find(|(word, _)| {
            clause.has(&format!("{word} page")) || clause.has(&format!("{word} sheet"))
        })
        .map(|(_, page)| json!(page))
        .or_else(|| {
            clause
                // The cover is a page; to "cover up the names" hides them.
                .has_any(&[
                    "the cover",
                    "its cover",
                    "front cover",
                    "cover page",
                    "cover sheet",
                    "front page",
                    "title page",
                ])
                .then(|| json!(1))
        })
        .or_else(|| {
            // "… the signature page, which is page 12. Show me that page".
            if !clause.has_any(&["that page", "this page", "the same page"]) {
                return None;
            }
            let request = in_numbers(&clause.request);
            let mut pages = PAGE.captures_iter(&request);
            let (Some(only), None) = (pages.next(), pages.next()) else {
                return None;
            };
            page_number(&only).map(|page| json!(page))
        })
}

pattern!(
    PAGE_RANGE,
    r"\bpages?\s+(\d{1,4})\s*(?:-|–|to|through|thru)\s*(\d{1,4})\b"
);
pattern!(
    PAGE_LIST,
    r"\bpages\s+((?:\d{1,4}\s*(?:,\s*and|,|and|&)\s*)+\d{1,4})\b"
);

/// Several pages named at once: "pages 2-4", "pages 1, 3 and 5" (at most 20).
pub fn pages(clause: &Clause) -> Vec<u32> {
    let text = in_numbers(&clause.text);
    if let Some(captures) = PAGE_RANGE.captures(&text)
        && let (Some(first), Some(last)) = (number::<u32>(captures.get(1)), number(captures.get(2)))
        && first >= 1
        && first < last
        && last - first < 20
    {
        return (first..=last).collect();
    }
    PAGE_LIST
        .captures(&text)
        .map(|captures| {
            A_TIME
                .find_iter(&captures[1])
                .filter_map(|m| m.as_str().parse::<u32>().ok())
                .filter(|page| *page >= 1)
                .take(20)
                .collect()
        })
        .unwrap_or_default()
}

/// The number a [`PAGE`] match names, whichever way it was written ("page 2", "2nd page",
/// "p. 2").
fn page_number(captures: &regex::Captures<'_>) -> Option<u32> {
    number(captures.get(1))
        .or_else(|| number(captures.get(2)))
        .or_else(|| number(captures.get(3)))
}

// ---- objects ------------------------------------------------------------------------------

/// Words that name the whole picture rather than a thing in it.
const SCENE_WORDS: &[&str] = &[
    "image",
    "images",
    "photo",
    "photos",
    "picture",
    "pictures",
    "pic",
    "scene",
    "room",
    // Places are scenes: "a photo of my kitchen" in 3D is all of it.
    "kitchen",
    "bedroom",
    "bathroom",
    "garden",
    "yard",
    "backyard",
    "patio",
    "lounge",
    "living",
    "office",
    "shop",
    "workshop",
    "beach",
    "park",
    "street",
    "landscape",
    "photograph",
    "input",
    "it",
    "this",
    "that",
    "everything",
    "whole",
    "entire",
    "shot",
    "view",
    "setting",
    "space",
    "environment",
    "3d",
    "model",
    "splat",
    "spz",
    "file",
    "me",
    "one",
    "thing",
    "gaussian",
    "splat",
    "point",
    "mesh",
    "reconstruction",
    "three",
    "3d-model",
    "setup",
    "spot",
    "apartment",
    "house",
    "home",
    "place",
    "area",
    "background",
    "lot",
    "output",
    "result",
    "upload",
    "attachment",
];

/// Words that start no object's name ("of the", "want the").
const NOT_A_NAME: &[&str] = &[
    "of", "for", "on", "the", "a", "an", "only", "just", "want", "need", "get", "make", "made",
    "turn", "to", "in", "into", "with", "from", "and", "or", "is", "be", "it's", "its", "me",
    "you", "us", "them", "some", "any", "all", "like", "please", "each", "every", "both", "copies",
    "copy", "those", "these", "out", "off", "can", "could", "will", "would", "should", "may",
    "might", "must", "two", "three", "four", "five", "few", "several", "many", "most",
];

/// Nouns that name no thing in a picture ("just a heads up", "I just want the best quality").
const NOT_A_THING: &[&str] = &[
    "heads",
    "quality",
    "resolution",
    "question",
    "thought",
    "idea",
    "request",
    "favour",
    "favor",
    "bit",
    "moment",
    "time",
    "part",
    "way",
    "version",
    "thing",
    "things",
    "stuff",
    "mistake",
    "problem",
    "issue",
    "note",
];

/// Pairs whose first word is a COCO class name that only describes the second.
const NOT_THE_THING: &[(&str, &str)] = &[
    ("phone", "number"),
    ("phone", "numbers"),
    ("phone", "no"),
    ("phone", "nos"),
    ("cell", "number"),
    ("bus", "stop"),
    ("bus", "ticket"),
    ("train", "station"),
    ("train", "ticket"),
    ("car", "park"),
    ("tv", "show"),
    ("book", "cover"),
    ("clock", "time"),
];

/// COCO labels named in the text ("dining table", "dogs" → "dog"), in order.
pub fn coco_names(text: &str) -> Vec<String> {
    let text = text.replace("head count", "headcount");
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        // Chat shorthand for people; a headcount counts them.
        .map(|word| {
            if ["ppl", "folks"].contains(&word) {
                "people"
            } else {
                word
            }
        })
        .collect();
    let mut labels: Vec<String> = Vec::new();
    let mut index = 0;
    while index < words.len() {
        // "Phone numbers", "a bus stop": the class name modifies another noun.
        if index + 1 < words.len() && NOT_THE_THING.contains(&(words[index], words[index + 1])) {
            index += 2;
            continue;
        }
        if index + 1 < words.len() {
            let pair = format!("{} {}", words[index], words[index + 1]);
            if let Some(label) = vitrine_vision::match_coco_label(&pair) {
                if !labels.iter().any(|known| known == label) {
                    labels.push(label.to_owned());
                }
                index += 2;
                continue;
            }
        }
        // Short function words would match nothing useful ("tv" style labels are rare).
        if words[index].len() > 2
            && !matches!(words[index], "one" | "ones" | "cell" | "mouse")
            && let Some(label) = vitrine_vision::match_coco_label(words[index])
            && !labels.iter().any(|known| known == label)
        {
            labels.push(label.to_owned());
        }
        index += 1;
    }
    // "Meetup pic, headcount?": a headcount counts people, unless it names what to count.
    if labels.is_empty() && words.iter().any(|word| word.starts_with("headcount")) {
        labels.push("person".to_owned());
    }
    labels
}

/// How strongly words single out the thing a step acts on. A clause names several things ("the
/// lamp on the desk", "ignore the cat, I only want the sofa"): the one wanted is the one said
/// most pointedly, the first of equals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Pointedly {
    /// A detector class anywhere ("… the sofa …").
    Mentioned,
    /// After a verb or "of" ("get the bike", "a photo of the vase").
    Object,
    /// As what is made into 3D ("a 3D model of the guitar", "the lamp in 3D").
    Made,
    /// Alone ("only the vase", "the owl by itself").
    Singled,
    /// "The hydrant is the one we want".
    Chosen,
}

/// "the", "my", "this": what stands before a thing's name.
const DETERMINER: &str = r"(?:the|my|our|this|that|his|her|their|a|an)";
/// "the", "my", "this", but not "a": "just a heads up" singles nothing out.
const DEFINITE: &str = r"(?:the|my|our|this|that|his|her|their)";
/// A name of one to three words ("vase", "floor lamp", "old brass lamp"), ending where a word
/// ends ("café" is no "caf").
const NAME: &str = r"([a-z][a-z-]{1,20}(?:\s+[a-z][a-z-]{1,20}){0,2})\b";

/// Where a thing stands, said after its name ("the teapot on the left", "the sofa in this
/// listing photo", "the vase on the left side of the shelf"): part of how it is singled out,
/// not the thing.
const PLACED: &str = r"(?:\s+(?:in|on|at|by|from|near|under|behind|beside|next to|against|out of|in front of|of)\s+(?:the|this|that|my|our|his|her|their|a|an)\s+[a-z-]+(?:\s+[a-z-]+)?){0,2}";

static SINGLED_OUT: LazyLock<Regex> = LazyLock::new(|| {
    // "only the vase", "I only want the sofa", "focusing only on the bed", "just the armchair",
    // "the owl alone", "the table only?".
    regex(&format!(
        r"\b(?:only|just|solely|focus(?:ing)?(?:\s+only)?\s+on|concentrat(?:e|ing)\s+on)\s+(?:on\s+)?(?:(?:want|need|care about|after)\s+)?{DEFINITE}\s+{NAME}|\b{DEFINITE}\s+((?:[a-z][a-z-]{{1,20}}\s+){{0,2}}[a-z][a-z-]{{1,20}})\s+(?:alone|by itself|on its own|only\s*(?:[,.;:?!]|$))"
    ))
});
static MADE_3D: LazyLock<Regex> = LazyLock::new(|| {
    // "the floor lamp in 3D", "the teddy on the bed as a 3D object", "turn the car in this
    // photo into a 3D model", "a 3D model of the guitar", "reconstruct the vase", "guitar →
    // 3D", "the lamp to 3D please".
    regex(&format!(
        r"^(?:{DETERMINER}\s+)?{NAME}\s*(?:→|->|=>)\s*(?:a\s+)?(?:3d|3-d|splat|spz|mesh)\b|^{DEFINITE}\s+{NAME}\s+(?:to|into)\s+(?:a\s+)?(?:3d|3-d|splat|spz|mesh)(?:\s+(?:model|object|file|version))?(?:\s+please)?\s*(?:[,.!?]|$)|\b{DETERMINER}\s+((?:[a-z][a-z-]{{1,20}}\s+){{0,2}}[a-z][a-z-]{{1,20}}){PLACED},?\s+(?:in|as|into)\s+(?:a\s+|an\s+)?(?:3d|3-d|three-d|splat|gaussian|spz|mesh|point cloud|reconstruction)\b|\b(?:(?:3d|3-d|model|version|reconstruction|splat|mesh|scan|replica|object)\s+of|reconstruct|rebuild|scan|splat|isolate)\s+(?:only\s+|just\s+)?{DETERMINER}\s+(?:only\s+|just\s+)?{NAME}"
    ))
});
static FRONTED: LazyLock<Regex> = LazyLock::new(|| {
    // "That bed — could you turn it into a splat?", "the bench in front of the library:
    // reconstruct it": a thing set before the ask that points back at it.
    regex(&format!(
        r"^{DEFINITE}\s+{NAME}[^—–:;.?!]*?\s*(?:—|–|\s-|:)\s"
    ))
});
static WANTED_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    // "The hydrant is what we want in 3D", "the vase on the left is the one we're selling": the
    // thing, then that it is what is wanted.
    regex(&format!(
        r"\b(?:the|this|that|my|our) {NAME}{PLACED} (?:is|are) (?:what|the one|the thing) (?:we|i|they|she|he)\b"
    ))
});
static OBJECT_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    // "get the bike", "a photo of the vase", "cut the sneaker out", "the background from the
    // shoe": a thing after a verb or "of", always with its "the" ("a 3D model now" names none).
    regex(&format!(
        r"\b(?:of|for|focus on|isolate|extract|only|just|reconstruct|rebuild|model|capture|turn|make|want|get|need|cut|cut out|background from|background off|background behind)\s+(?:(?:the|a|an|this|that|these|those|my|our|his|her|their|only|just)\s+){{1,3}}{NAME}"
    ))
});
pattern!(
    // "ignore the cat", "without the shelf", "the rest of the table": not the thing.
    SET_ASIDE,
    r"\b(?:ignore|ignoring|not|without|except|excluding|besides|apart from|other than|rest of|minus|skip|leave out|instead of|no)\s+(?:the\s+|a\s+|an\s+|my\s+|our\s+|any\s+|that\s+|this\s+)?$"
);
pattern!(
    // "the sofa next to it is just there", "the other pieces aren't needed".
    SET_ASIDE_AFTER,
    r"^\s*(?:[a-z']+\s+){0,3}?(?:can be ignored|should be ignored|can be left out|is just there|are just there|isn't needed|aren't needed|is not needed|are not needed|doesn't matter|don't matter|wandered|we don't need|i don't need)"
);
pattern!(
    // "Out of the photo", "from the picture": where the thing is taken from.
    TAKEN_FROM,
    r"\b(?:from|out of)\s+(?:the|a|an|my|our|his|her|their|this|that)\s+$"
);
pattern!(
    MAKES_A,
    r"^(?:make|get|want|need|turn|capture|model|extract|isolate)\s+(?:a|an)\s"
);
pattern!(
    MADE_NOUN_AFTER,
    r"^\s+(?:3d|3-d)\s+(?:preview|previews|model|models|view|viewer|version|file|object|scan)\b"
);
pattern!(AND_NOTHING, r"^\s*,?\s*(?:and|with)\s+nothing\b");
pattern!(
    // "the teapot on the table": where the thing stands, not the thing.
    PLACE_BEFORE,
    r"\b(?:on|in|at|under|underneath|behind|beside|among|amongst|near|by|next to|against|inside|onto|in front of|around|across)\s+(?:the|a|an|my|our|his|her|their|this|that)\s+$"
);
pattern!(
    // "Could you turn it into something I can spin", "a 3D version of it", "make this 3D": the
    // thing is said by a pointer back at what came before, or is the picture.
    POINTER_OBJECT,
    r"\b(?:that's|that is|this is) the one\b|\b(?:of|have|get|make|turn|want|need|reconstruct|rebuild|model|scan|splat|capture|do|put|convert|like)\s+(?:it|them|this|this one|that one)\b|\b(?:it|this)\s+(?:in|into|as)\s+(?:a\s+|an\s+)?(?:3d|3-d|splat|model|mesh|gaussian)"
);
pattern!(
    // "the whole thing", "everything in it": all of the picture.
    ALL_OF_IT,
    r"\b(?:whole|entire|everything|the lot|all of it)\b"
);
pattern!(
    // "the sofa and the armchair": a thing listed before the one chosen.
    LISTED_BEFORE,
    r"\b(?:the|my|our|his|her|their)\s+[a-z-]+(?:\s+[a-z-]+)?\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)(?:the|my|our|his|her|their)\s+$"
);
pattern!(
    // "ignore everything else", "not the whole living room": all of it set aside.
    ALL_SET_ASIDE,
    r"\b(?:ignore|ignoring|not|without|except|no)\s+(?:the\s+)?(?:whole|entire|everything)\b|\beverything\s+else\b"
);
pattern!(
    // "the chair, the table and the lamp": another thing listed after one.
    LISTED,
    r"^\s*(?:,\s*(?:and\s+)?|and\s+|&\s*)(?:the|my|our|his|her|their)\s+([a-z]+)"
);
pattern!(
    // "My dad's guitar", "the client’s vase": an owner before the thing.
    OWNER,
    r"\b([a-z]+)(?:'s|’s)\s+"
);

/// Words that end an object's name ("the table in 3d", "the lamp alone", "the lamp
/// yesterday").
const NAME_STOPS: &[&str] = &[
    "in",
    "as",
    "from",
    "into",
    "to",
    "with",
    "please",
    "pls",
    "and",
    "on",
    "at",
    "that",
    "which",
    "of",
    "so",
    "i",
    "we",
    "for",
    "by",
    "near",
    "next",
    "only",
    "alone",
    "itself",
    "too",
    "is",
    "are",
    "was",
    "sitting",
    "standing",
    "lying",
    "leaning",
    "hanging",
    "resting",
    "propped",
    "placed",
    "sleeping",
    "parked",
    "perched",
    "when",
    "while",
    "before",
    "after",
    "because",
    "if",
    "but",
    "or",
    "then",
    "once",
    "yesterday",
    "today",
    "tonight",
    "last",
    "like",
    "now",
    "ago",
    "asap",
    "anyway",
    "quickly",
    "soon",
    "later",
    "again",
    "here",
    "there",
    "first",
    "yet",
    "still",
    "would",
    "will",
    "could",
    "should",
    "can",
    "has",
    "have",
    "had",
    // "Only the stool needs to be in 3D".
    "needs",
    "need",
    "must",
    "looks",
    "the",
    "a",
    "an",
    "it",
    "you",
    "me",
    "my",
    "your",
    "our",
    "he",
    "she",
    "they",
    "this",
    "out",
];

/// What "for the …" names when it says what the result is for ("for the listing", "for good").
const PURPOSES: &[&str] = &[
    "listing",
    "shop",
    "store",
    "website",
    "site",
    "catalog",
    "catalogue",
    "client",
    "project",
    "page",
    "presentation",
    "report",
    "ad",
    "advert",
    "post",
    "blog",
    "viewer",
    "portfolio",
    "map",
    "good",
    "archive",
    "record",
    "museum",
    "exhibition",
    "auction",
    "wedding",
    "claim",
    "company",
    "competition",
    "class",
    "school",
    "course",
    "game",
    "app",
    "event",
    "party",
    "gallery",
    "magazine",
    "newsletter",
];

/// People a result is made for ("so his grandparents can turn it"), never the thing.
const PEOPLE: &[&str] = &[
    "kids",
    "kid",
    "child",
    "children",
    "grandkids",
    "grandchildren",
    "grandparents",
    "grandma",
    "grandpa",
    "granny",
    "grandmother",
    "grandfather",
    "family",
    "son",
    "daughter",
    "mum",
    "mom",
    "dad",
    "parents",
    "husband",
    "wife",
    "partner",
    "sister",
    "brother",
    "uncle",
    "aunt",
    "cousin",
    "boss",
    "friends",
    "friend",
    "people",
    "everyone",
    "clients",
    "customers",
    "buyers",
    "students",
    "team",
];

/// True when a name means the whole picture ("the living room", "this scene", "my desk setup"):
/// its last word is the noun, and a scene's ("office chair" is a chair).
pub fn names_the_whole_picture(name: &str) -> bool {
    let last = name.split_whitespace().next_back().unwrap_or("");
    SCENE_WORDS.contains(&name) || SCENE_WORDS.contains(&last)
}

/// One thing a clause names, how pointedly, and where.
struct Candidate {
    name: String,
    said: Pointedly,
    start: usize,
}

/// The one object a clause singles out ("the table in 3D", "a model of only the chair",
/// "ignore the cat, I only want the sofa"); `None` for the whole picture, or when the clause
/// points back at it ("a 3D version of it") and names nothing pointedly.
pub fn object(clause: &Clause) -> Option<Value> {
    object_said(clause, Pointedly::Mentioned).map(|name| json!(name))
}

/// The thing a description singles out on its own ("Only the teapot, please.", "isolate the
/// guitar"), for a later "it" to point back at; not a subject said more of ("only my sister
/// was home").
pub fn singled_out(clause: &Clause) -> Option<String> {
    let name = object_said(clause, Pointedly::Made)?;
    let text = without_owners(&clause.text);
    let after = text.find(&name).map_or("", |at| &text[at + name.len()..]);
    let next = after
        .split(|c: char| !c.is_ascii_alphabetic() && c != '\'')
        .find(|word| !word.is_empty())
        .unwrap_or("");
    (![
        "is", "was", "are", "were", "has", "had", "have", "looks", "seems", "got", "gets", "will",
        "would", "can", "could",
    ]
    .contains(&next))
    .then_some(name)
}

/// The text with owners dropped ("my dad's guitar" → "my guitar"), keeping "it's", "that's".
fn without_owners(text: &str) -> String {
    OWNER
        .replace_all(text, |captures: &regex::Captures<'_>| {
            let owner = captures.get(1).map_or("", |owner| owner.as_str());
            if [
                "it", "that", "what", "there", "here", "let", "he", "she", "who", "where", "this",
            ]
            .contains(&owner)
            {
                captures
                    .get(0)
                    .map_or(String::new(), |all| all.as_str().to_owned())
            } else {
                String::new()
            }
        })
        .into_owned()
}

/// At most the last `bytes` of `text`, cut on a character boundary: what stands just before a
/// name is all the set-aside and place patterns look at.
fn tail(text: &str, bytes: usize) -> &str {
    let mut from = text.len().saturating_sub(bytes);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    &text[from..]
}

fn object_said(clause: &Clause, at_least: Pointedly) -> Option<String> {
    let owned = without_owners(&clause.text);
    let text = owned.as_str();
    // "make it 3D for the museum", "turn this into a splat for the auction": with the picture
    // as the thing made, "for the …" is what it is for.
    let picture_made = POINTER_OBJECT.is_match(text);
    let mut found: Vec<Candidate> = Vec::new();
    let mut add = |name: &str, said: Pointedly, start: usize| {
        let name = name
            .split_whitespace()
            .take_while(|word| !NAME_STOPS.contains(word))
            .collect::<Vec<_>>()
            .join(" ");
        let head = name.split(' ').next().unwrap_or("");
        let last = name.split(' ').next_back().unwrap_or("");
        let before = tail(&text[..start.min(text.len())], 48);
        let after = text.get(start + name.len()..).unwrap_or("");
        // "one of those interactive 3D previews": a word for what is made, not a thing.
        if MADE_NOUN_AFTER.is_match(after) {
            return;
        }
        // "Just the shoe and nothing around it" after "a splat of the sneaker" says it again.
        let said = if said == Pointedly::Singled && AND_NOTHING.is_match(after) {
            Pointedly::Object
        } else {
            said
        };
        let weak = said <= Pointedly::Object;
        // A word for the whole picture said pointedly ("this scene as a splat") means all of
        // it; said in passing ("turn it into", "of the photo") it names nothing.
        let scene = names_the_whole_picture(&name);
        if name.is_empty()
            || NOT_A_NAME.contains(&head)
            || NOT_A_THING.contains(&head)
            || NOT_A_THING.contains(&last)
            || (weak && scene)
            || SET_ASIDE.is_match(before)
            || SET_ASIDE_AFTER.is_match(after)
            || (said < Pointedly::Singled && PLACE_BEFORE.is_match(before))
            || (scene && TAKEN_FROM.is_match(before))
            || (weak && (PEOPLE.contains(&last) || PURPOSES.contains(&last)))
        {
            return;
        }
        found.push(Candidate { name, said, start });
    };
    for (pattern, said) in [
        (&*WANTED_SUBJECT, Pointedly::Chosen),
        (&*SINGLED_OUT, Pointedly::Singled),
        (&*MADE_3D, Pointedly::Made),
        (&*OBJECT_PHRASE, Pointedly::Object),
    ] {
        // Every start, not only non-overlapping matches: in "a model of the armchair" the
        // match at "model" takes "of the", and the one at "of" finds the armchair.
        let mut from = 0;
        while let Some(captures) = pattern.captures_at(text, from) {
            let Some(whole) = captures.get(0) else { break };
            from = whole.start()
                + text[whole.start()..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8);
            // "It in 3D for a school design project": what it is for, not what it is (not
            // "a 3D model for the lamp on the desk").
            let purpose = whole.as_str().starts_with("for ")
                && (picture_made
                    || [
                        "for a ", "for an ", "for my ", "for our ", "for his ", "for her ",
                    ]
                    .iter()
                    .chain(&["for their "])
                    .any(|purpose| whole.as_str().starts_with(purpose)));
            // "Get a spinnable 3D model": what is made, not what it is made of.
            if purpose || (said == Pointedly::Object && MAKES_A.is_match(whole.as_str())) {
                continue;
            }
            if let Some(name) = captures.iter().skip(1).flatten().next() {
                add(name.as_str(), said, name.start());
            }
        }
    }
    for label in coco_names(text) {
        // People are who the picture is for or of, rarely the one thing to rebuild unless said
        // pointedly ("a 3D model of my son" is found above).
        if label == "person" {
            continue;
        }
        // Keep the user's own word ("table", "sofa"): the tool maps it onto its classes. A
        // name of several words is kept whole ("teddy bear", "potted plant").
        let word = if label.contains(' ') && text.contains(label.as_str()) {
            label.clone()
        } else if let Some(word) = clause.words.iter().find(|word| {
            vitrine_vision::match_coco_label(&word.text) == Some(label.as_str())
                || label.split(' ').any(|part| part == word.text)
        }) {
            word.text.clone()
        } else {
            continue;
        };
        if let Some(start) = Regex::new(&format!(r"\b{}\b", regex::escape(&word)))
            .ok()
            .and_then(|pattern| pattern.find(text))
            .map(|found| found.start())
        {
            add(&word, Pointedly::Mentioned, start);
        }
    }
    // "That bed — could you turn it into a splat?": the thing set before the ask.
    if picture_made
        && let Some(captures) = FRONTED.captures(text)
        && let Some(name) = captures.get(1)
    {
        add(name.as_str(), Pointedly::Made, name.start());
    }
    let most = found.iter().map(|candidate| candidate.said).max()?;
    let mut best: Vec<&Candidate> = found
        .iter()
        .filter(|candidate| candidate.said == most)
        .collect();
    best.sort_by_key(|candidate| candidate.start);
    best.dedup_by(|a, b| a.name == b.name);
    let first = *best.first()?;
    if first.said < at_least {
        return None;
    }
    // "The chair, the table and the lamp in 3D": several things, which the whole picture holds
    // (not "the sofa, the rest doesn't matter").
    if LISTED_BEFORE.is_match(tail(&text[..first.start.min(text.len())], 48)) {
        return None;
    }
    if let Some(after) = text.get(first.start + first.name.len()..)
        && let Some(next) = LISTED.captures(after).and_then(|listed| listed.get(1))
        && !["rest", "other", "others", "background", "remaining"].contains(&next.as_str())
        && !SET_ASIDE_AFTER.is_match(&after[next.end()..])
    {
        return None;
    }
    // "Turn it into something I can spin around in 3D": the thing is what "it" points at; "the
    // whole thing in 3D" is all of it.
    if (first.said == Pointedly::Mentioned && picture_made)
        || (first.said < Pointedly::Singled
            && ALL_OF_IT.is_match(&ALL_SET_ASIDE.replace_all(text, "")))
    {
        return None;
    }
    // "This scene as a splat", "the entire room in 3D": the whole picture.
    if names_the_whole_picture(&first.name) {
        return None;
    }
    Some(first.name.clone())
}

/// Every COCO label the clause names, for detection.
pub fn labels(clause: &Clause) -> Option<Value> {
    // "Count the cups. Bottles don't matter", "ignore the bottles": classes set aside, never
    // all of them (a list emptied would count every class).
    let set_aside = set_aside_classes(&clause.text);
    let named = |text: &str| -> Vec<String> {
        let all = coco_names(text);
        let kept: Vec<String> = all
            .iter()
            .filter(|label| !set_aside.contains(label))
            .cloned()
            .collect();
        if kept.is_empty() { all } else { kept }
    };
    // "How many laptops are on the table?": what follows a place word only says where to look.
    if let Some(counted) = clause.find("how many") {
        let after = clause.text_from(counted.end);
        let place = [
            " on ",
            " in ",
            " at ",
            " under ",
            " near ",
            " next to ",
            " inside ",
            " by ",
        ]
        .iter()
        .filter_map(|word| format!(" {after} ").find(word))
        .min();
        let named =
            named(place.map_or(after, |at| &after[..at.saturating_sub(1).min(after.len())]));
        if !named.is_empty() {
            return Some(json!(named));
        }
    }
    let named = named(&clause.text);
    if named.is_empty() && clause.has_any(SOMEONE) {
        return Some(json!(["person"]));
    }
    Some(json!(named))
}

// "Ignore the bottles", "skipping trucks and buses", "bottles don't matter": whole classes set
// aside (not "except the broken cup" or "excluding the person at the front", some of a class).
pattern!(
    SET_ASIDE_NAME,
    r"(?:^|[^']\b)(?:ignor(?:e|ing)|except(?:\s+for)?|excluding|apart from|other than|besides|but not|not|no|not counting|not including|leav(?:e|ing) out|skip(?:ping)?|minus)\s+(?:the\s+|any\s+|all\s+)?([a-z]+(?:\s+[a-z]+)?(?:\s*(?:,|and|or)\s+[a-z]+(?:\s+[a-z]+)?){0,3})\s*(?:$|[,.;!?]|\b(?:and|too|please|then)\b)|\b([a-z]+(?:\s+[a-z]+)?)\s+(?:don't|doesn't|do not|does not) (?:matter|count)|\b([a-z]+(?:\s+[a-z]+)?)\s+(?:can be ignored|are irrelevant|is irrelevant|aren't needed|isn't needed)"
);

/// The classes a clause sets aside whole.
fn set_aside_classes(text: &str) -> Vec<String> {
    SET_ASIDE_NAME
        .captures_iter(text)
        // Not "don't ignore the cups".
        .filter(|captures| {
            let before = captures.get(0).map_or("", |whole| &text[..whole.start()]);
            !["don't", "dont", "do not", "never"]
                .iter()
                .any(|negation| before.trim_end().ends_with(negation))
        })
        .filter_map(|captures| captures.iter().skip(1).flatten().next())
        .flat_map(|names| {
            names
                .as_str()
                .split(',')
                .flat_map(|part| part.split(" and ").flat_map(|part| part.split(" or ")))
                .filter_map(|name| {
                    // "Cups bottles" (a fragment joined to the ask before): the last two
                    // words, else the last one.
                    let words: Vec<&str> = name.split_whitespace().collect();
                    [2, 1]
                        .into_iter()
                        .filter_map(|count| words.len().checked_sub(count))
                        .find_map(|from| whole_class(&words[from..].join(" ")))
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The class `name` names as a whole ("cups", "wine glasses"); not a class with words about
/// which ones ("broken cups", "parked cars").
fn whole_class(name: &str) -> Option<String> {
    let [class] = &coco_names(name)[..] else {
        return None;
    };
    let in_label = |word: &str| {
        !coco_names(word).is_empty()
            || class.split(' ').any(|part| {
                part == word
                    || Some(part) == word.strip_suffix('s')
                    || Some(part) == word.strip_suffix("es")
            })
    };
    name.split_whitespace().all(in_label).then(|| class.clone())
}

/// Questions about people that name no class: "is anyone in this photo?".
pub const SOMEONE: &[&str] = &[
    "is anyone",
    "is anybody",
    "is someone",
    "is somebody",
    "is there anyone",
    "is there anybody",
    "is there someone",
    "are there people",
    "anyone in",
    "anybody in",
    "everyone",
    "everybody",
];

/// True when the clause asks to see marks on the picture rather than only numbers.
pub fn draw_boxes(clause: &Clause) -> Option<Value> {
    // "No boxes drawn, I just want the number".
    let no_boxes = clause.has_any(&[
        "no box*",
        "without box*",
        "no boxes drawn",
        "don't draw",
        "dont draw",
        "no drawing",
    ]);
    let counting_only = clause.has_any(&[
        "@count",
        "is there",
        "are there",
        "any",
        "can you see",
        "could you see",
        "do you see",
    ]) && (no_boxes || !clause.has_any(&["@draw", "show me", "where"]));
    Some(json!(!counting_only))
}

// ---- areas --------------------------------------------------------------------------------

// "(100, 50) to (400, 300)", "x=120,y=60 to x=480,y=300", "pixel (100, 50) and pixel (400,
// 300)", "x0=100 y0=50 x1=400 y1=300": two corners.
pattern!(
    BOX_NUMBERS,
    r"(?:\b(?:pixel|point)\s*)?\(?\s*(?:\bx[0-2]?\s*[=:]\s*)?(\d+(?:\.\d+)?)(?:\s*,\s*(?:y[0-2]?\s*[=:]\s*)?|\s+y[0-2]?\s*[=:]\s*)(\d+(?:\.\d+)?)\s*\)?\s*(?:,|to|-|–|and)?\s*(?:\b(?:pixel|point)\s*)?\(?\s*(?:\bx[0-2]?\s*[=:]\s*)?(\d+(?:\.\d+)?)(?:\s*,\s*(?:y[0-2]?\s*[=:]\s*)?|\s+y[0-2]?\s*[=:]\s*)(\d+(?:\.\d+)?)\s*\)?"
);
// "At x=100, y=50, width 300, height 250", "(40, 60) sized 200x120", "top-left (100, 50), 300
// wide and 250 tall": a corner, then the area's size.
pattern!(
    CORNER_XY,
    r"\bx\s*[=:]?\s*(\d+)\s*,?\s*(?:and\s+)?y\s*[=:]?\s*(\d+)\b|\(\s*(\d+)\s*,\s*(\d+)\s*\)"
);
pattern!(
    SIZE_WIDTH,
    r"\b(?:width\s*(?:of\s+|=\s*|:\s*|is\s+)?|w\s*[=:]\s*)(\d+)|\b(\d+)\s*(?:px\s+|pixels\s+)?wide\b"
);
pattern!(
    SIZE_HEIGHT,
    r"\b(?:height\s*(?:of\s+|=\s*|:\s*|is\s+)?|h\s*[=:]\s*)(\d+)|\b(\d+)\s*(?:px\s+|pixels\s+)?(?:tall|high)\b"
);
pattern!(
    SIZE_BOTH,
    r"\b(?:size[ds]?|measuring|of size|that is)\s*(?:of\s+)?(\d+)\s*(?:x|×|by)\s*(\d+)"
);

/// An area given by a corner and a size, as a box.
fn box_at_size(text: &str) -> Option<Value> {
    let corner = CORNER_XY.captures(text)?;
    let x = number::<f64>(corner.get(1).or_else(|| corner.get(3)))?;
    let y = number::<f64>(corner.get(2).or_else(|| corner.get(4)))?;
    let rest = text.get(corner.get(0)?.end()..)?;
    let rest = &rest[..rest.len().min(80)];
    let (width, height) = match SIZE_BOTH.captures(rest) {
        Some(both) => (number::<f64>(both.get(1))?, number::<f64>(both.get(2))?),
        None => {
            let width = SIZE_WIDTH.captures(rest)?;
            let height = SIZE_HEIGHT.captures(rest)?;
            (
                number::<f64>(width.get(1).or_else(|| width.get(2)))?,
                number::<f64>(height.get(1).or_else(|| height.get(2)))?,
            )
        }
    };
    (width > 0.0 && height > 0.0)
        .then(|| json!({"shape": "box", "x0": x, "y0": y, "x1": x + width, "y1": y + height}))
}

pattern!(
    AXIS_RANGES,
    r"\bx\s*(?:=|:)?\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*,?\s*(?:and\s*)?y\s*(?:=|:)?\s*(\d+)\s*(?:-|–|to)\s*(\d+)"
);
pattern!(
    PERCENT_SPAN,
    r"\bfrom\s+(\d{1,3})\s*%\s*to\s+(\d{1,3})\s*%\s*(?:in both directions|on both axes|each way|both ways)"
);
pattern!(
    QUADRANT,
    r"\b(top|upper|bottom|lower)[ -]?(left|right)(?:[ -]hand)?\s+(?:quarter|quadrant|corner)"
);
pattern!(
    IMAGE_PART,
    r"\b(top|topmost|uppermost|bottom|bottommost|lowest|left|leftmost|right|rightmost|upper|lower|left-hand|right-hand)\s+(half|third|quarter|fifth|sixth|eighth|tenth|(\d{1,2})\s*(?:%|percent))"
);

/// The area a clause names, as a region: four numbers (pixels, or fractions with decimals) or a
/// part such as "the top half" or "the left 20%".
pub fn region(clause: &Clause) -> Option<Value> {
    if let Some(area) = box_at_size(&clause.text) {
        return Some(area);
    }
    if let Some(captures) = AXIS_RANGES.captures(&clause.text)
        && let (Some(x0), Some(x1), Some(y0), Some(y1)) = (
            number::<f64>(captures.get(1)),
            number::<f64>(captures.get(2)),
            number::<f64>(captures.get(3)),
            number::<f64>(captures.get(4)),
        )
    {
        return Some(json!({"shape": "box", "x0": x0, "y0": y0, "x1": x1, "y1": y1}));
    }
    if let Some(captures) = PERCENT_SPAN.captures(&clause.text)
        && let (Some(from), Some(to)) = (
            number::<f64>(captures.get(1)),
            number::<f64>(captures.get(2)),
        )
        && from < to
        && to <= 100.0
    {
        let (from, to) = (from / 100.0, to / 100.0);
        return Some(json!({"shape": "norm_box", "x0": from, "y0": from, "x1": to, "y1": to}));
    }
    if let Some(captures) = BOX_NUMBERS.captures(&clause.text) {
        let edges: Vec<f64> = (1..=4)
            .filter_map(|index| number::<f64>(captures.get(index)))
            .collect();
        if let [x0, y0, x1, y1] = edges[..] {
            let fractions = edges.iter().all(|edge| *edge <= 1.0)
                && captures.get(0).is_some_and(|m| m.as_str().contains('.'));
            let shape = if fractions { "norm_box" } else { "box" };
            return Some(json!({"shape": shape, "x0": x0, "y0": y0, "x1": x1, "y1": y1}));
        }
    }
    // "The bottom-right quarter": a quadrant; a corner is hidden with the quarter it is in.
    if let Some(captures) = QUADRANT.captures(&clause.text) {
        let top = matches!(&captures[1], "top" | "upper");
        let left = &captures[2] == "left";
        let (x0, x1) = if left { (0.0, 0.5) } else { (0.5, 1.0) };
        let (y0, y1) = if top { (0.0, 0.5) } else { (0.5, 1.0) };
        return Some(json!({"shape": "norm_box", "x0": x0, "y0": y0, "x1": x1, "y1": y1}));
    }
    // "Everything below the middle": a half named by the line through the middle.
    for (said, [x0, y0, x1, y1]) in [
        ("below the middle", [0.0, 0.5, 1.0, 1.0]),
        ("under the middle", [0.0, 0.5, 1.0, 1.0]),
        ("beneath the middle", [0.0, 0.5, 1.0, 1.0]),
        ("above the middle", [0.0, 0.0, 1.0, 0.5]),
        ("left of the middle", [0.0, 0.0, 0.5, 1.0]),
        ("left of the cent*", [0.0, 0.0, 0.5, 1.0]),
        ("right of the middle", [0.5, 0.0, 1.0, 1.0]),
        ("right of the cent*", [0.5, 0.0, 1.0, 1.0]),
    ] {
        if clause.has(said) {
            return Some(json!({"shape": "norm_box", "x0": x0, "y0": y0, "x1": x1, "y1": y1}));
        }
    }
    let captures = IMAGE_PART.captures(&clause.text)?;
    let fraction = match &captures[2] {
        "half" => 0.5,
        "third" => 1.0 / 3.0,
        "quarter" => 0.25,
        "fifth" => 0.2,
        "sixth" => 1.0 / 6.0,
        "eighth" => 0.125,
        "tenth" => 0.1,
        _ => number::<f64>(captures.get(3))? / 100.0,
    };
    if !(fraction > 0.0 && fraction <= 1.0) {
        return None;
    }
    let far = 1.0 - fraction;
    let [x0, y0, x1, y1] = match captures[1].trim_end_matches("-hand") {
        "top" | "upper" | "topmost" | "uppermost" => [0.0, 0.0, 1.0, fraction],
        "bottom" | "lower" | "lowest" | "bottommost" => [0.0, far, 1.0, 1.0],
        "left" | "leftmost" => [0.0, 0.0, fraction, 1.0],
        _ => [far, 0.0, 1.0, 1.0],
    };
    Some(json!({"shape": "norm_box", "x0": x0, "y0": y0, "x1": x1, "y1": y1}))
}

/// The regions list for `redact_image`.
pub fn regions(clause: &Clause) -> Option<Value> {
    region(clause).map(|region| json!([region]))
}

/// True when the clause names an area.
pub fn names_region(clause: &Clause) -> bool {
    region(clause).is_some()
}

// ---- placement ----------------------------------------------------------------------------

pattern!(
    CORNER,
    r"\b(top|upper|bottom|lower)[ -]?(left|right)\b|\b(left|right)[ -](top|bottom)\b|\b(cent(?:er|re)(?:e?d)?|middle)\b"
);
pattern!(
    AT_POINT,
    r"\bat\s*\(?\s*(?:x\s*=\s*)?(-?\d{1,5})\s*,\s*(?:y\s*=\s*)?(-?\d{1,5})\s*\)?"
);
pattern!(
    MARGIN,
    r"\b(\d{1,4})\s*(?:px|pixels?)\s*(?:margin|padding|in|from (?:the )?(?:edges?|corner|border|sides?))|\b(?:margin|padding|inset) of (\d{1,4})"
);
pattern!(
    OPACITY,
    r"\b(\d{1,3})\s*(?:%|per\s?cent)\s*(opacity|opaque|transparen\w*|visible|see-through)|\bopacity (?:of |at |to )?(0?\.\d+|1(?:\.0+)?|\d{1,3}\s*%)|\b(semi-?\s?|half[- ]?)(?:transparen\w*|opaque|see-through|opacity)|\b(faint\w*|subtl\w*)|\b(?:see-through|translucent)\W+(?:like |about |around |at |roughly )?(\d{1,3})\s*%"
);

/// Where an overlay goes: a corner or the centre.
pub fn anchor(clause: &Clause) -> Option<Value> {
    let captures = CORNER.captures(&clause.text)?;
    let vertical = captures
        .get(1)
        .or_else(|| captures.get(4))
        .map(|m| m.as_str());
    let horizontal = captures
        .get(2)
        .or_else(|| captures.get(3))
        .map(|m| m.as_str());
    Some(json!(match (vertical, horizontal) {
        (Some("top" | "upper"), Some("left")) => "top_left",
        (Some("top" | "upper"), Some(_)) => "top_right",
        (Some(_), Some("left")) => "bottom_left",
        (Some(_), Some(_)) => "bottom_right",
        _ => "center",
    }))
}

fn position(clause: &Clause) -> (i64, i64) {
    AT_POINT
        .captures(&clause.text)
        .and_then(|c| Some((number(c.get(1))?, number(c.get(2))?)))
        .or_else(|| {
            MARGIN
                .captures(&clause.text)
                .and_then(|c| number(c.get(1)).or_else(|| number(c.get(2))))
                .map(|margin| (margin, margin))
        })
        .unwrap_or((0, 0))
}

/// An overlay's x offset.
pub fn x(clause: &Clause) -> Option<Value> {
    Some(json!(position(clause).0))
}

/// An overlay's y offset.
pub fn y(clause: &Clause) -> Option<Value> {
    Some(json!(position(clause).1))
}

/// An overlay's opacity, 0..1: "50% opacity", "70% transparent" (0.3), "semi-transparent".
pub fn opacity(clause: &Clause) -> Option<Value> {
    let captures = OPACITY.captures(&clause.text)?;
    let value = if let Some(percent) = captures.get(6) {
        // "See-through, like 40%": how much of it shows.
        percent.as_str().parse::<f64>().ok()? / 100.0
    } else if captures.get(4).is_some() {
        0.5
    } else if captures.get(5).is_some() {
        0.3
    } else if let Some(given) = captures.get(3) {
        let given = given.as_str().trim();
        match given.strip_suffix('%') {
            Some(percent) => percent.trim().parse::<f64>().ok()? / 100.0,
            None => given.parse::<f64>().ok()?,
        }
    } else {
        let percent = number::<f64>(captures.get(1))? / 100.0;
        let transparent = captures
            .get(2)
            .is_some_and(|m| m.as_str().starts_with("transparen") || m.as_str() == "see-through");
        if transparent { 1.0 - percent } else { percent }
    };
    // Hundredths: "70% transparent" is 0.3, not 0.30000000000000004.
    Some(json!((value.clamp(0.0, 1.0) * 100.0).round() / 100.0))
}

/// True when the clause pastes what the request cuts out onto another picture ("cut the guy
/// out of the first photo and drop him onto the beach in the second"): the cut-out goes on as
/// it is, not through a generative composite.
pub fn pastes_a_cut_out(clause: &Clause) -> bool {
    // The clause first: reading the whole request is the dearer check.
    clause.has_any(&[
        "drop* ~ onto",
        "drop* ~ on",
        "stick* ~ onto",
        "stick* ~ on",
        "put ~ onto",
        "place* ~ onto",
        "paste* ~ onto",
        "paste* ~ on",
        "pop* ~ onto",
        "plonk* ~ onto",
    ]) && Clause::new(&clause.request, &clause.request).has_any(&[
        "cut* ~ out",
        "cutout*",
        "cut-out*",
    ])
}

pattern!(
    NAMED_INPUT,
    r"\b(first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:one|image|photo|picture|pic|shot|img|screenshot|scan|snap|photograph|attachment)\b|\b(?:image|photo|picture|pic|img|screenshot|scan)\s*#?\s*([1-4])\b|\bthe\s+(first|second|third|fourth|1st|2nd|3rd|4th)\s*(?:$|[,.;!?]|(?:and|too|then|to|into|as|has|shows|needs|contains)\b)|\b(?:make|turn|get|have|render)\s+the\s+(first|second|third|fourth|1st|2nd|3rd|4th)\s+\w"
);

/// The index, from 0, of the picture an ordinal names: "first"/"1st" 0 … "fourth"/"4th" 3.
pub fn ordinal_index(ordinal: &str) -> usize {
    match ordinal {
        "first" | "1st" => 0,
        "second" | "2nd" => 1,
        "third" | "3rd" => 2,
        _ => 3,
    }
}

/// Which attached picture the clause works on, from 0, when it names one ("count the chairs in
/// the second one", "crop pic 2").
pub fn named_input(clause: &Clause) -> Option<usize> {
    let captures = NAMED_INPUT.captures(&clause.text)?;
    // "Blur the faces in the second", "the first to square": the ordinal alone.
    // "Make the second grey": the ordinal before what it is made.
    let index = match captures
        .get(1)
        .or_else(|| captures.get(3))
        .or_else(|| captures.get(4))
        .map(|m| m.as_str())
    {
        Some(ordinal) => ordinal_index(ordinal),
        None => captures
            .get(2)?
            .as_str()
            .parse::<usize>()
            .ok()?
            .checked_sub(1)?,
    };
    Some(index)
}

// "The 2nd and 3rd photos", "the first and the third ones", "pics 1 and 3": two or three
// pictures named together.
pattern!(
    NAMED_TOGETHER,
    r"\b(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)(?:\s*,\s*(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th))?\s*(?:,\s*)?(?:and|&)\s+(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:ones?|images?|photos?|pictures?|pics?|shots?|screenshots?|scans?|photographs?)\b|\b(?:images|photos|pictures|pics|shots|screenshots|scans)\s+#?([1-4])(?:\s*,\s*#?([1-4]))?\s*(?:,\s*)?(?:and|&)\s+#?([1-4])\b"
);

/// The pictures a clause names together ("blur the 2nd and 3rd photos only"), from 0, in
/// order; empty unless it names two or more.
pub fn named_inputs(clause: &Clause) -> Vec<usize> {
    let Some(captures) = NAMED_TOGETHER.captures(&clause.text) else {
        return Vec::new();
    };
    // Not "the third one, not the first and second ones", "like the first and second": the
    // pictures set apart or compared with.
    let before = clause.text[..captures.get(0).map_or(0, |m| m.start())].trim_end();
    if [
        "not",
        "not in",
        "like",
        "except",
        "except for",
        "apart from",
        "unlike",
        "as",
        "than",
        "leave",
        "leave out",
        "but not",
        "besides",
        "to match",
    ]
    .iter()
    .any(|apart| before.ends_with(&format!(" {apart}")) || before == *apart)
    {
        return Vec::new();
    }
    let mut named: Vec<usize> = (1..=3)
        .filter_map(|group| captures.get(group))
        .map(|ordinal| ordinal_index(ordinal.as_str()))
        .chain(
            (4..=6)
                .filter_map(|group| number::<usize>(captures.get(group)))
                .filter_map(|number| number.checked_sub(1)),
        )
        .collect();
    named.sort_unstable();
    named.dedup();
    if named.len() < 2 {
        named.clear();
    }
    named
}

/// True when the clause puts the first image on the second ("put the first on the second").
pub fn first_on_top(clause: &Clause) -> bool {
    static ORDER: LazyLock<Regex> = LazyLock::new(|| {
        regex(
            r"\b(first|1st|former|this)\b[^.;]*?\b(?:on|onto|over|on top of)\b[^.;]*?\b(second|2nd|latter|other|that)\b",
        )
    });
    ORDER.is_match(&clause.text)
}

// ---- grids --------------------------------------------------------------------------------

pattern!(GRID_SHAPE, r"\b(\d{1,2})\s*(?:x|×|by)\s*(\d{1,2})\b");
// "A 4 by 3 contact sheet", "a sheet of 4x4 frames": the size said of the sheet itself (not
// "thumbnails at 16 by 9").
pattern!(
    SHEET_SIZE,
    r"\b(\d{1,2})\s*(?:x|×|by)\s*(\d{1,2})\s+(?:\w+\s+)?(?:contact\s+sheet|sheet|grid|overview|frames|stills|thumbnails)\b|\b(?:sheet|grid)\s+of\s+(\d{1,2})\s*(?:x|×|by)\s*(\d{1,2})\b"
);
pattern!(
    PIECE_COUNT,
    r"\b(\d{1,4}|two|three|four|five|six|eight|nine|ten|twelve)\s+(?:\w+\s+){0,2}?(?:tiles|pieces|parts|squares|sections|chunks|blocks|strips|slices)\b"
);
pattern!(
    COLUMNS,
    r"\b(\d{1,2})\s*(?:columns|cols|across|per row|wide)\b"
);

// "3 rows", "four frames across": the count, with what is counted said or not.
pattern!(
    ROW_COUNT,
    r"\b(\d{1,2})\s*(?:(?:frames|stills|images|pictures|thumbnails|shots|tiles)\s+)?(?:rows?|down|high|deep)\b"
);
pattern!(
    COLUMN_COUNT,
    r"\b(\d{1,2})\s*(?:(?:frames|stills|images|pictures|thumbnails|shots|tiles)\s+)?(?:columns?|cols?|across|wide\s+(?:and|by|x))\b"
);

/// Rows and columns said by name: "3 rows by 4 columns", "4 columns and 3 rows".
pub fn named_grid(clause: &Clause) -> Option<(u32, u32)> {
    let text = in_numbers(&clause.text);
    let rows = ROW_COUNT.captures(&text).and_then(|c| number(c.get(1)))?;
    let columns = COLUMN_COUNT
        .captures(&text)
        .and_then(|c| number(c.get(1)))?;
    Some((rows, columns))
}

fn tile_shape(clause: &Clause) -> (u32, u32) {
    if let Some(shape) = named_grid(clause) {
        return shape;
    }
    // "A 1x3 grid" is one row of three, as matrices are written.
    if let Some(captures) = GRID_SHAPE.captures(&in_numbers(&clause.text))
        && let (Some(rows), Some(columns)) = (number(captures.get(1)), number(captures.get(2)))
    {
        return (rows, columns);
    }
    // "Cut it into thirds": as many pieces as the fraction says.
    let in_fractions = [("thirds", 3), ("quarters", 4), ("fifths", 5), ("sixths", 6)]
        .into_iter()
        .find(|(fraction, _)| clause.has(&format!("into {fraction}")))
        .map(|(_, count)| count);
    if let Some(count) = PIECE_COUNT
        .captures(&clause.text)
        .and_then(|c| count_word(c.get(1)?.as_str()))
        .or(in_fractions)
        .filter(|count| *count > 0)
    {
        // "4 tiles in a single row", "three strips stacked": a line of tiles when said.
        if clause.has_any(&[
            "one row",
            "single row",
            "a row",
            "side by side",
            "across",
            "strips",
            "left to right",
        ]) {
            return (1, count);
        }
        if clause.has_any(&[
            "one column",
            "single column",
            "a column",
            "stacked",
            "on top of",
            "horizontal strips",
            "horizontal slices",
            "top to bottom",
        ]) {
            return (count, 1);
        }
        let rows = (1..=count)
            .take_while(|rows| rows * rows <= count)
            .filter(|rows| count % rows == 0)
            .last()
            .unwrap_or(1);
        return (rows, count / rows);
    }
    if clause.has_any(&["half*", "two halves", "in two"]) {
        return if clause.has_any(&["top", "bottom", "horizontal*"]) {
            (2, 1)
        } else {
            (1, 2)
        };
    }
    (2, 2)
}

/// Rows of a tiling ("a 3x2 grid" is 3 columns, 2 rows).
pub fn rows(clause: &Clause) -> Option<Value> {
    Some(json!(tile_shape(clause).0))
}

/// Columns of a tiling.
pub fn columns(clause: &Clause) -> Option<Value> {
    Some(json!(tile_shape(clause).1))
}

/// How several images go on one sheet.
pub fn layout(clause: &Clause) -> Option<Value> {
    // "A two by two grid for the before-and-after board": the grid named wins.
    let grid_refused = clause.has_any(&[
        "not a grid",
        "not in a grid",
        "no grid",
        "not a collage",
        "no collage",
        "rather than a grid",
        "instead of a grid",
    ]);
    let layout =
        if !grid_refused && clause.has_any(&["grid*", "collage*", "mosaic*", "tile*", "tiled"]) {
            "grid"
        } else if clause.has_any(&[
            "stack*",
            "vertical*",
            "on top of each other",
            "on top of one another",
            "one above the other",
            "one under the other",
            "one below the other",
            "in a column",
            "top to bottom",
        ]) {
            "stack"
        } else if clause.has_any(&[
            "side by side",
            "next to each other",
            "next to one another",
            "beside each other",
            "in a row",
            "horizontal*",
            "left to right",
            "left and right",
            "before and after",
        ]) {
            "side_by_side"
        } else {
            "grid"
        };
    Some(json!(layout))
}

/// A sheet's size as said, across first ("a 4 by 3 contact sheet": 4 columns, 3 rows), as a
/// picture's size is; a tiling's "1x3" is rows first (see `tile_shape`).
pub fn sheet_size(clause: &Clause) -> Option<(u32, u32)> {
    let text = in_numbers(&clause.text);
    let captures = SHEET_SIZE.captures(&text)?;
    let across = captures.get(1).or_else(|| captures.get(3));
    let down = captures.get(2).or_else(|| captures.get(4));
    Some((number(across)?, number(down)?))
}

/// Columns said as such ("two columns", "three across").
pub fn said_columns(clause: &Clause) -> Option<u32> {
    COLUMNS
        .captures(&in_numbers(&clause.text))
        .and_then(|c| number::<u32>(c.get(1)))
}

/// Columns of a grid of images, when said.
pub fn grid_columns(clause: &Clause) -> Option<Value> {
    said_columns(clause)
        .or_else(|| {
            GRID_SHAPE
                .captures(&in_numbers(&clause.text))
                .and_then(|c| number(c.get(2)))
        })
        .map(|n| json!(n))
}

// ---- formats ------------------------------------------------------------------------------

/// Image formats by the names people type, and the name each stands for.
const IMAGE_FORMATS: &[(&str, &str)] = &[
    ("png", "png"),
    ("jpg", "jpeg"),
    ("jpeg", "jpeg"),
    ("webp", "webp"),
    ("gif", "gif"),
    ("tif", "tiff"),
    ("tiff", "tiff"),
    ("heic", "heic"),
    ("heif", "heic"),
    ("avif", "avif"),
    ("bmp", "bmp"),
];

/// The image format a word names ("jpg" and "jpegs" name `jpeg`).
pub fn format_named(word: &str) -> Option<&'static str> {
    let name = word.trim_end_matches('s');
    IMAGE_FORMATS
        .iter()
        .find(|(typed, _)| *typed == name)
        .map(|&(_, format)| format)
}

/// The format a clause asks an image to become, by name (`jpeg`, `webp`, ...): in "convert
/// this jpg to webp" or "from png to jpg" the one it goes to, not the one it comes from; in
/// "a png, not a jpg" the one not ruled out.
pub fn target_format(clause: &Clause) -> Option<&'static str> {
    let words = &clause.words;
    let mut first = None;
    for (index, word) in words.iter().enumerate() {
        let Some(format) = format_named(&word.text) else {
            continue;
        };
        let before = |back: usize| {
            index
                .checked_sub(back)
                .and_then(|at| words.get(at))
                .map_or("", |word| word.text.as_str())
        };
        let after = words.get(index + 1).map_or("", |word| word.text.as_str());
        let is_source = before(1) == "from" || ["to", "into", "->"].contains(&after);
        let ruled_out = [before(1), before(2)]
            .iter()
            .any(|word| ["not", "no", "instead"].contains(word));
        if is_source || ruled_out {
            continue;
        }
        if ["to", "into", "as", "in"].contains(&before(1))
            || ["to", "into", "as", "in"].contains(&before(2))
        {
            return Some(format);
        }
        first.get_or_insert(format);
    }
    first
}

/// An image format: `png` or `jpeg`; none when the format asked for is another one ("to webp").
pub fn image_format(clause: &Clause) -> Option<Value> {
    if let Some(format) = target_format(clause) {
        return matches!(format, "png" | "jpeg").then(|| json!(format));
    }
    if clause.has_any(&["png*", "lossless", "transparen*"]) {
        Some(json!("png"))
    } else if clause.has_any(&[
        "jpg*",
        "jpeg*",
        "compress*",
        "smaller file",
        "file size",
        "lighter",
        "kb",
        "mb",
    ]) {
        Some(json!("jpeg"))
    } else {
        None
    }
}

pattern!(
    QUALITY,
    r"\bquality\s*(?:of|to|at|=|:)?\s*~?\s*(\d{1,3})\b|\b(\d{1,3})\s*(?:%|percent|per cent)?\s*quality\b"
);
pattern!(BYTES, r"\b(\d+(?:\.\d+)?)\s*(kb|kib|mb|mib|k|m)\b");

/// JPEG quality, 1..100.
pub fn quality(clause: &Clause) -> Option<Value> {
    // "Then jpeg at 90%": a percentage said with the format is its quality.
    static AT_PERCENT: LazyLock<Regex> =
        LazyLock::new(|| regex(r"\b(?:jpe?g|webp)\s+(?:at|@|with)?\s*(\d{1,3})\s*%"));
    let text = in_numbers(&clause.text);
    QUALITY
        .captures(&text)
        .and_then(|c| number::<u32>(c.get(1)).or_else(|| number(c.get(2))))
        .or_else(|| AT_PERCENT.captures(&text).and_then(|c| number(c.get(1))))
        .filter(|quality| (1..=100).contains(quality))
        .map(|quality| json!(quality))
}

/// A byte budget: "under 200 KB", "less than 1 MB".
pub fn max_bytes(clause: &Clause) -> Option<Value> {
    let captures = BYTES.captures(&clause.text)?;
    let amount: f64 = number(captures.get(1))?;
    let unit = match &captures[2] {
        "kb" | "k" => 1000.0,
        "kib" => 1024.0,
        "mb" | "m" => 1_000_000.0,
        _ => 1_048_576.0,
    };
    Some(json!((amount * unit).round() as u64))
}

/// The whole request as a prompt for a generative model.
pub fn prompt(clause: &Clause) -> Option<Value> {
    Some(json!(clause.request.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_asked_for_is_the_one_the_image_goes_to() {
        let format = |text: &str| target_format(&Clause::new(text, text));
        assert_eq!(format("convert this jpg to webp"), Some("webp"));
        assert_eq!(format("change it from png to jpg"), Some("jpeg"));
        assert_eq!(format("turn the jpeg into a png please"), Some("png"));
        assert_eq!(format("a png, not a jpg"), Some("png"));
        assert_eq!(format("make it smaller"), None);
        let image = |text: &str| image_format(&Clause::new(text, text));
        assert_eq!(image("convert this gif to a png"), Some(json!("png")));
        assert_eq!(image("save it as tiff"), None);
    }

    #[test]
    fn several_pages_and_one_input_are_read_by_name() {
        let pages = |text: &str| pages(&Clause::new(text, text));
        assert_eq!(pages("pages 2-4 as pictures"), [2, 3, 4]);
        assert_eq!(pages("render pages 1, 3 and 5"), [1, 3, 5]);
        assert!(pages("page 2 please").is_empty());
        let together = |text: &str| named_inputs(&Clause::new(text, text));
        assert_eq!(
            together("blur the faces in the 2nd and 3rd photos only"),
            [1, 2]
        );
        assert_eq!(together("crop the first and the third ones"), [0, 2]);
        assert_eq!(together("pics 1, 2 and 4 need it"), [0, 1, 3]);
        assert!(together("the first and second halves of the video").is_empty());
        assert!(together("blur the faces in the second photo").is_empty());
        assert!(together("grayscale the third one, not the first and second ones").is_empty());
        assert!(
            together("make the third black and white like the first and second ones").is_empty()
        );
        let named = |text: &str| named_input(&Clause::new(text, text));
        assert_eq!(named("count the chairs in the second one"), Some(1));
        assert_eq!(named("crop pic 2 to a square"), Some(1));
        assert_eq!(named("crop it to a square"), None);
    }

    #[test]
    fn typed_domains_are_addresses_but_files_and_emails_are_not() {
        assert_eq!(
            web_addresses("screenshot lemonde.fr and example-shop.com/Sale, pls"),
            ["https://lemonde.fr", "https://example-shop.com/Sale"]
        );
        assert_eq!(
            web_addresses("see https://a.example/x and www.b.com"),
            ["https://a.example/x", "https://www.b.com"]
        );
        assert!(web_addresses("photo.png, report.pdf, mail me at jo@example.com").is_empty());
    }

    #[test]
    fn moments_and_trims_read_the_way_people_say_them() {
        let clause = |text: &str| Clause::new(text, text);
        assert_eq!(
            at_s(&clause("a still from the 10-second point")),
            Some(json!(10.0))
        );
        assert_eq!(
            start_s(&clause("trim off the first 10 seconds")),
            Some(json!(10.0))
        );
        assert_eq!(end_s(&clause("trim off the first 10 seconds")), None);
        assert_eq!(
            end_s(&clause("trim it to the first 10 seconds")),
            Some(json!(10.0))
        );
    }

    #[test]
    fn numbers_and_durations_in_words_become_digits_and_seconds() {
        assert_eq!(in_numbers("a minute and a half in"), "90 seconds in");
        assert_eq!(
            in_numbers("the first fourty-five seconds"),
            "the first 45 seconds"
        );
        assert_eq!(in_numbers("from half a minute in"), "from 30 seconds in");
        assert_eq!(in_numbers("two and a half minutes"), "150 seconds");
        assert_eq!(
            in_numbers("from two minutes to two thirty"),
            "from 120 seconds to 150 seconds"
        );
        assert_eq!(
            in_numbers("between two minutes and two thirty"),
            "between 120 seconds and 150 seconds"
        );
        assert_eq!(in_numbers("the 2 minute mark"), "the 120 seconds mark");
        assert_eq!(in_numbers("1 min 30 s"), "90 seconds");
        assert_eq!(in_numbers("page three"), "page 3");
    }

    fn read(reader: fn(&Clause) -> Option<Value>, text: &str) -> Option<Value> {
        let text = text.to_lowercase();
        reader(&Clause::new(&text, &text))
    }

    #[test]
    fn sizes_ratios_and_angles() {
        assert_eq!(read(width, "resize to 800x600"), Some(json!(800)));
        assert_eq!(read(height, "resize to 800x600"), Some(json!(600)));
        assert_eq!(read(width, "make it 640 wide"), Some(json!(640)));
        assert_eq!(read(height, "make it 640 wide"), None);
        assert_eq!(
            read(ratio, "crop for instagram stories"),
            Some(json!("9:16"))
        );
        assert_eq!(read(ratio, "make it 4 by 5"), Some(json!("4:5")));
        assert_eq!(
            read(degrees, "rotate it a quarter turn to the left"),
            Some(json!(-90.0))
        );
        assert_eq!(read(degrees, "turn it upside down"), Some(json!(180.0)));
        assert_eq!(read(degrees, "rotate 45°"), Some(json!(45.0)));
    }

    #[test]
    fn times_pages_objects_and_areas() {
        assert_eq!(read(start_s, "trim from 0:05 to 0:12"), Some(json!(5.0)));
        assert_eq!(read(end_s, "keep the first 10 seconds"), Some(json!(10.0)));
        assert_eq!(read(page, "show me the third page"), Some(json!(3)));
        assert_eq!(
            read(object, "reconstruct the table in 3d"),
            Some(json!("table"))
        );
        assert_eq!(
            read(object, "i want the sofa as an spz"),
            Some(json!("sofa"))
        );
        assert_eq!(read(object, "turn this scene into a gaussian splat"), None);
        assert_eq!(
            read(region, "black out the top half"),
            Some(json!({"shape": "norm_box", "x0": 0.0, "y0": 0.0, "x1": 1.0, "y1": 0.5}))
        );
        assert_eq!(read(opacity, "at 70% transparency"), Some(json!(0.3)));
        assert_eq!(
            read(anchor, "in the bottom-right corner"),
            Some(json!("bottom_right"))
        );
    }

    #[test]
    fn adjustments_have_a_direction() {
        assert_eq!(read(brightness, "brighten it a bit"), Some(json!(0.15)));
        assert_eq!(read(brightness, "it's too dark"), Some(json!(0.25)));
        assert_eq!(read(brightness, "make it 20% darker"), Some(json!(-0.2)));
        assert_eq!(
            read(brightness, "reduce the brightness"),
            Some(json!(-0.25))
        );
        assert_eq!(read(contrast, "less contrast please"), Some(json!(-0.25)));
        assert_eq!(read(max_bytes, "under 200 kb"), Some(json!(200_000)));
    }
}

// ---- web pages ------------------------------------------------------------------------------

pattern!(URL, r#"\bhttps?://[^\s<>"'`]+|\bwww\.[^\s<>"'`]+"#);
// "screenshot lemonde.fr", "example-shop.com/sale": a bare domain under a common top-level
// domain (not "photo.png" or "report.pdf").
pattern!(
    BARE_DOMAIN,
    r#"(?i)\b(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:com|org|net|io|dev|app|ai|uk|fr|de|be|nl|es|eu|ch|se|dk|fi|pl|pt|ie|ca|au|jp|us|gov|edu|info|news|shop|tv)\b(?:/[^\s<>"'`]*)?"#
);

/// The text with a scheme put before each bare web address ("lemonde.fr" →
/// "https://lemonde.fr"), so that a typed domain reads like any other address. Not an e-mail's
/// domain, nor a name inside an address that already has a scheme.
pub fn with_schemes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for found in BARE_DOMAIN.find_iter(text) {
        let before = &text[..found.start()];
        let inside = before
            .rsplit(char::is_whitespace)
            .next()
            .is_some_and(|word| word.contains("://") || word.ends_with(['@', '.', '/']))
            || before.ends_with(['@', '.', '/']);
        out.push_str(&text[last..found.start()]);
        if !inside && !found.as_str().to_ascii_lowercase().starts_with("www.") {
            out.push_str("https://");
        }
        out.push_str(found.as_str());
        last = found.end();
    }
    out.push_str(&text[last..]);
    out
}

/// Every web address written in `text`, in order, as it was written (case kept), without
/// trailing punctuation and with `https://` before a bare "www." or domain.
pub fn web_addresses(text: &str) -> Vec<String> {
    URL.find_iter(&with_schemes(text))
        .map(|found| {
            let url = found
                .as_str()
                .trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']', '}']);
            if url.to_ascii_lowercase().starts_with("www.") {
                format!("https://{url}")
            } else {
                url.to_owned()
            }
        })
        .collect()
}

/// The first web address written in the clause, else in the request ("https://…", "www.…",
/// "lemonde.fr"). The clause is lower-cased; the agent puts back the case the user wrote
/// before anything runs.
pub fn url(clause: &Clause) -> Option<Value> {
    web_addresses(&clause.text)
        .into_iter()
        .next()
        .or_else(|| web_addresses(&clause.request).into_iter().next())
        .map(|url| json!(url))
}

/// True when the clause asks about a web page by its address: one written in the clause, or
/// one written elsewhere in the request that the clause points at ("the page", "that link").
pub fn names_url(clause: &Clause) -> bool {
    !web_addresses(&clause.text).is_empty()
        || !web_addresses(&clause.request).is_empty()
            && clause.has_any(&[
                "page",
                "site",
                "website",
                "webpage",
                "url",
                "link",
                "links",
                "article",
                "screenshot*",
                "screen shot*",
            ])
}

/// The clause with its web addresses removed, so their digits are not read as sizes.
fn without_urls(clause: &Clause) -> String {
    URL.replace_all(&with_schemes(&clause.text), " ")
        .into_owned()
}

/// A device preset: "on a phone", "mobile view", "as a tablet shows it".
pub fn device(clause: &Clause) -> Option<Value> {
    // "What does it look like on a mobile phone? Send me a screenshot": said once, anywhere.
    let clause = &Clause::new(&clause.request, &clause.request);
    if clause.has_any(&["phone*", "mobile*", "iphone*", "android", "smartphone*"]) {
        Some(json!("phone"))
    } else if clause.has_any(&["tablet*", "ipad*"]) {
        Some(json!("tablet"))
    } else if clause.has_any(&["desktop", "laptop", "computer"]) {
        Some(json!("desktop"))
    } else {
        None
    }
}

/// `false` for only the first screen ("above the fold", "just the visible part").
pub fn first_screen(clause: &Clause) -> Option<Value> {
    if clause.has_any(&[
        "above the fold",
        "first screen",
        "visible part",
        "viewport",
        "what you see",
        "top of the page",
        "without scrolling",
        "first loads",
        "screenful",
        "not the whole scroll",
        "not the whole ~ page",
    ]) {
        Some(json!(false))
    } else if clause.has_any(&[
        "full page",
        "whole page",
        "entire page",
        "full length",
        "full-page",
        // "The whole thing top to bottom", "all the way down".
        "top to bottom",
        "all the way down",
        "the whole thing",
        "whole ~ site",
        "scroll* ~ to the bottom",
    ]) {
        Some(json!(true))
    } else {
        None
    }
}

pattern!(
    PAGE_WIDTH,
    r"\b(\d{3,4})\s*(?:px|pixels?)?\s*(?:wide|width)\b|\bwidth\s*(?:of|to|=|:)?\s*(\d{3,4})\b|\bat\s*(\d{3,4})\s*(?:px|pixels?)\b"
);

/// A viewport width written in the clause ("at 1024 px", "800 wide").
pub fn page_width(clause: &Clause) -> Option<Value> {
    let text = without_urls(clause);
    let captures = PAGE_WIDTH.captures(&text)?;
    let width = number::<u32>(captures.get(1))
        .or_else(|| number(captures.get(2)))
        .or_else(|| number(captures.get(3)))?;
    (200..=3840).contains(&width).then(|| json!(width))
}

/// Paper: "letter" or "a4".
pub fn paper(clause: &Clause) -> Option<Value> {
    let named = |said: &Clause| {
        if said.has_any(&["letter", "us letter"]) {
            Some(json!("letter"))
        } else if said.has("a4") {
            Some(json!("a4"))
        } else {
            None
        }
    };
    // "The pack is printed on A4. … in that paper size": the size said before.
    named(clause).or_else(|| {
        let request = Clause::new(&clause.request, &clause.request);
        if !clause.has_any(&[
            "that paper size",
            "that size",
            "the same paper",
            "that paper",
        ]) {
            None
        } else if request.has("a4") {
            Some(json!("a4"))
        } else {
            // Not "my cover letter": a paper size.
            request
                .has_any(&["us letter", "letter size*", "letter paper", "on letter"])
                .then(|| json!("letter"))
        }
    })
}

/// `true` for "landscape" or "sideways".
pub fn landscape(clause: &Clause) -> Option<Value> {
    // "Portrait not landscape".
    if clause.has_any(&["not landscape", "no landscape", "portrait"]) {
        return Some(json!(false));
    }
    clause
        .has_any(&["landscape", "sideways", "horizontal"])
        .then_some(json!(true))
}
