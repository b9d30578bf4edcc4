//! The offline planner: understands a request in people's own words and plans it over the tool
//! catalog, without any model — or says exactly which parts it cannot do.
//!
//! It never names a tool: every tool declares its own meaning ([`vitrine_tools::meaning`]), the
//! words that ask for it and the arguments they fill. The planner
//! 1. splits the request into clauses, one ask each ([`clauses`]);
//! 2. checks each clause against what nothing here can do ([`gaps`]), so that "animate this
//!    photo" is refused by name instead of being swapped for something that runs;
//! 3. matches the clause against every tool's intents, keeps the most specific, and picks by
//!    the kind of media attached ([`matching`]);
//! 4. fills each intent's arguments from the clause's words, and chains image edits so each
//!    works on the previous result.
//!
//! Every clause ends planned, or named in [`Understanding::not_done`] with why; the response
//! schema never decides what to do (its field names only choose which output fills which ref).

mod clauses;
mod gaps;
mod matching;
mod semantic;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use serde_json::{Value, json};
use vitrine_store::ArtifactMeta;
use vitrine_tools::ToolCatalog;
use vitrine_tools::meaning::{Clause, Input};
use vitrine_wire::ArtifactKind;

use crate::error::AgentError;
use crate::plan::{Plan, Step, with_article};
use matching::Matched;
pub use semantic::{Semantic, bank_phrasings, encode_vectors};

/// What the planner made of a request.
#[derive(Debug, Clone, Default)]
pub struct Understanding {
    /// The steps for everything that can be done.
    pub plan: Plan,
    /// The parts that cannot be done, each with why.
    pub not_done: Vec<NotDone>,
    /// True when the request asks for its input back, unchanged.
    pub returns_input: bool,
}

/// A part of a request that is not done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotDone {
    /// The words that asked for it.
    pub part: String,
    /// What kind of capability it needs: `animation`, `translation`, ... or `unclear` when the
    /// words were not understood, `wrong_input` when the media it needs is not attached.
    pub capability: String,
    /// Why it is not done, in a sentence.
    pub why: String,
}

/// What the request described before the clause at hand, for an ask that points back at it.
#[derive(Default)]
struct Descriptions {
    /// The last clause that only described something.
    last: Option<Clause>,
    /// Every description since the last planned ask, for "hide both" after two of them.
    since_ask: Vec<Clause>,
}

impl Descriptions {
    fn add(&mut self, clause: Clause) {
        self.since_ask.push(clause.clone());
        self.last = Some(clause);
    }

    fn forget(&mut self) {
        self.last = None;
        self.since_ask.clear();
    }
}

impl NotDone {
    /// A part whose words were not understood.
    fn unclear(part: String) -> Self {
        let part = Self::words_of(&part);
        NotDone {
            why: format!("I did not understand \"{part}\"."),
            part,
            capability: "unclear".to_owned(),
        }
    }

    /// ", what year was it taken?" after "Also": the words, not the joint before them.
    fn words_of(part: &str) -> String {
        part.trim_start_matches([',', ';', ':', ' ']).to_owned()
    }
}

impl Understanding {
    /// Names `gap` as not done for the words `part`, once per capability.
    fn not_done_once(&mut self, gap: &gaps::Gap, part: &str) {
        if !self.not_done.iter().any(|done| done.capability == gap.id) {
            self.not_done.push(gap.not_done(part));
        }
    }
}

/// Asks for the input back as it is.
const RETURN_INPUT: &[&str] = &[
    "give ~ back",
    "send ~ back",
    "hand ~ back",
    "return ~ it",
    "return ~ the",
    "return ~ this",
    // "Just return what I sent".
    "return what",
    "as is",
    "as it is",
    "unchanged",
    "untouched",
    "without ~ changes",
    "without changing",
    "no changes",
    "don't change",
    "dont change",
    "do nothing",
    "echo",
    "just store",
    "just save",
    "just upload",
    "store it",
    "keep it",
    "hold on to",
    "same image back",
    "original back",
];

/// Words that ask for the input back, whatever else the clause says.
const GIVE_BACK: &[&str] = &["give ~ back", "send ~ back", "hand ~ back", "return ~ it"];

/// What the offline planner can do, for the "not understood" message: every intent's `does`.
pub fn capabilities(catalog: &ToolCatalog) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for tool in catalog.tools() {
        for intent in tool.meaning().intents {
            if !seen.contains(&intent.does) {
                seen.push(intent.does);
            }
        }
    }
    seen.join("; ")
}

/// Plans `instruction` over the inputs with the tools of `catalog`; `schema` is the response
/// schema, if any (it only chooses views for per-view generation).
///
/// # Errors
/// [`AgentError::NotUnderstood`] when nothing in the request was understood,
/// [`AgentError::NotPossible`] when everything asked is beyond what is here,
/// [`AgentError::WrongInput`] when what was asked needs media that is not attached.
pub fn understand(
    instruction: &str,
    schema: Option<&Value>,
    inputs: &[ArtifactMeta],
    catalog: &ToolCatalog,
) -> Result<Understanding, AgentError> {
    understand_with(instruction, schema, inputs, catalog, None)
}

/// [`understand`], with `semantic` comparing clauses whose words match no intent with the
/// intents' example phrasings.
///
/// # Errors
/// As [`understand`].
pub fn understand_with(
    instruction: &str,
    schema: Option<&Value>,
    inputs: &[ArtifactMeta],
    catalog: &ToolCatalog,
    semantic: Option<&Semantic>,
) -> Result<Understanding, AgentError> {
    let text = clauses::normalise(instruction);
    let mut understanding = Understanding::default();
    let mut asked: Vec<(Clause, Matched)> = Vec::new();
    let mut wrong_input: Option<String> = None;
    // Where the previous clause's intents start in `asked`, and that clause.
    let mut previous: Option<(usize, Clause)> = None;
    let mut described = Descriptions::default();
    // Whether a clause so far let one person be seen ("the bride is fine to show").
    let mut someone_spared = false;
    // Tools whose work the request says was done already ("HR already blurred the faces").
    let mut done_before: Vec<&'static str> = Vec::new();
    let split: Vec<Clause> = clauses::with_headings_apart(clauses::split(&text), &text);
    let split = clauses::without_what_is_called_off(split);
    let split: Vec<Clause> = clauses::with_pictures_named(split, &text)
        .into_iter()
        .flat_map(|clause| clauses::per_input(clause, &text))
        .map(|clause| as_asked(clause, &text, inputs, catalog))
        .collect();
    let no_faces_here = split.iter().any(clauses::says_no_faces_are_there);
    let no_text_here = split.iter().any(clauses::says_no_text_is_there);
    let split_keeps_every_face = split.iter().any(clauses::keeps_every_face);
    // "Actually, no faces should be blurred" alone: the step ruled out is not guessed back.
    let mut rules_out_a_step = matches!(split.as_slice(), [only]
        if matching::says_a_step_is_unwanted(only, catalog.tools()));
    // Whether any clause that does not just describe the input asks for something.
    let something_asked = split.iter().any(|clause| {
        // "My name and date of birth are printed on it": a verbless list of things to hide
        // borrows the request's hiding verb.
        let clause = clauses::with_hiding_verb(clause.clone(), &text);
        // "Pad it to that rather than cropping": an ask whose words match nothing still asks,
        // and may point back at a description.
        !clauses::describes(&clause)
            && !clauses::narrates(&clause)
            && (clauses::is_an_ask(&clause)
                || !candidates(&clause, inputs, &Produced::default(), catalog)
                    .0
                    .is_empty())
    });
    // "Here's the one from the trip, the lighthouse at dusk": every clause only describes or
    // hands the input over.
    // "Leave the text as it is" alone: what stays, with nothing asked.
    let only_context = split.iter().all(|clause| {
        clauses::describes(clause) || clauses::hands_over(clause) || clauses::keeps_the_rest(clause)
    });
    let left_to_the_sender: Vec<&str> = split
        .iter()
        .enumerate()
        .filter_map(|(at, clause)| {
            let before = at.checked_sub(1).and_then(|before| split.get(before));
            gaps::left_to_the_sender(clause, before, inputs)
        })
        .collect();
    // The capability of the part just named not done, for a simile that says more of it.
    let mut just_not_done: Option<&str> = None;
    // "The first is just the venue. The second has people in it, blur their faces": the one
    // picture the clause before named, for an ask that names none (by the ask's words).
    let mut picture_of: Vec<(String, usize)> = Vec::new();
    let mut picture_named_before: Option<usize> = None;
    let mut pictures_shown: Vec<(usize, String)> = Vec::new();
    let mut picture_chosen: Option<usize> = None;
    // How the first ask is to work, said before it.
    let mut said_how_first: Option<Clause> = None;
    // "…, so before that," ends a clause: the next ask runs before the one before it.
    let mut before_that = false;
    let clause_count = split.len();
    for (at, clause) in split.into_iter().enumerate() {
        let clauses_left = clause_count - at - 1;
        // "It's really dark so brighten it first, then …": what the picture is like, then the
        // ask it calls for; only the ask is planned ("the faces are already blurred so just
        // crop it" blurs nothing), and what was told stays a description.
        let clause = match clause
            .text
            .split_once(" so ")
            .map(|(told, ask)| (Clause::new(told, &text), Clause::new(ask, &text)))
        {
            Some((told, ask))
                if clauses::describes(&told)
                    && clauses::is_an_ask(&ask)
                    && !clauses::describes(&ask)
                    && !candidates(&ask, inputs, &Produced::default(), catalog)
                        .0
                        .is_empty() =>
            {
                described.add(told);
                ask
            }
            _ => clause,
        };
        if clauses::ends_with_before_that(&clause) && !asked.is_empty() {
            before_that = true;
            if clause.words.len() <= 4 {
                continue;
            }
        }
        pictures_shown.extend(what_pictures_show(&clause.text));
        picture_chosen = picture_chosen.or_else(|| chosen_picture(&clause));
        let picture_named_here = one_picture_named(&clause);
        let picture_before = std::mem::replace(&mut picture_named_before, picture_named_here);
        // Only an ask that points back ("blur their faces", "make that into a 3D model"): "The
        // second one is a bit dark. Please blur the faces" may mean every picture.
        let carried_picture = picture_before.filter(|_| {
            picture_named_here.is_none()
                && clause.has_any(&["it", "its", "it's", "that", "their", "his", "her"])
                && !clause.has_any(EVERY_INPUT)
                && !clause.has_any(&["them", "they", "those", "other", "others"])
        });
        // "Animate it turning on a table, like a showroom video": a likeness after a part not
        // done says how that part would look, and is not done with it.
        if let Some(capability) = just_not_done.take()
            && [
                "like a ",
                "like an ",
                "like the ",
                "kind of like ",
                "a bit like ",
                "similar to ",
            ]
            .iter()
            .any(|simile| clause.text.starts_with(simile))
            // Not "like the last batch the faces need black boxes": an ask of its own.
            && clause.words.len() <= 6
            && let Some(part) = understanding
                .not_done
                .iter_mut()
                .find(|part| part.capability == capability)
        {
            part.part.push_str(", ");
            part.part.push_str(&clause.text);
            just_not_done = Some(capability);
            continue;
        }
        // "But not the teachers'" names people without a verb: whether it spares them is read
        // before the request's hiding verb is lent to it. "Blur her face only; everyone else is
        // fine as they are": a statement that spares someone is not skipped as a description.
        let spares_someone = clauses::spares_someone(&clause);
        let faces_hidden = asked.iter().any(|(_, matched)| hides_faces(matched));
        // "The bride is fine to show but every guest should be blurred": someone spared before
        // the faces are hidden.
        let spared_before = someone_spared;
        someone_spared |= clauses::lets_someone_be_seen(&clause);
        // "… as a landscape PDF? Letter size is fine.": a value judged right for the step
        // before says more of it.
        let judges_the_last_ask = clause.has_any(&[
            "is fine",
            "is ok",
            "is okay",
            "is good",
            "works",
            "would work",
            "will work",
        ]) && !clause
            .has_any(&["not", "isn't", "isnt", "no", "never", "badly"])
            && says_more_of_last(&asked, &clause);
        if something_asked
            && !judges_the_last_ask
            && (clauses::describes(&clause)
                || clauses::is_statement(&clause)
                || clauses::says_what_must_stay(&clause)
                || clauses::narrates(&clause)
                || clauses::tells_a_habit(&clause)
                || clauses::reports_what_was_learnt(&clause)
                || clauses::is_a_bare_reason(&clause))
            && !(spares_someone && faces_hidden)
            // "My sister took this at the fair and the kids' faces need blurring", "my manager
            // warned me the kids' faces can't be shown": whatever story carries it, a need to
            // hide faces or personal details is asked.
            && !(clause.has_any(&["@hide"])
                && clause.has_any(&["@faces", "@phi"])
                && clause.has_any(&[
                    "need*", "must", "has to", "have to", "can't be", "cannot be", "mustn't",
                ])
                && !clauses::is_negated_need(&clause)
                // Not "legal says people other than staff can't be identifiable, so …": the
                // rule behind an ask said after it.
                && !clause.has_any(&["other than", "except", "apart from", "besides", "so"]))
            // "…; the kids' names on the lockers are also a problem": one more thing to hide.
            // "HR says the names on lanyards count too".
            && !(clause.has_any(clauses::ONE_MORE)
                && clause.has_any(&["@phi", "@faces"])
                && clause.has_any(&[
                    "problem", "issue", "need*", "must", "have to", "has to", "count", "counts",
                ]))
            // "… and also a desktop screenshot of it": a thing named after "also", with no
            // verb of its own, is one more thing asked.
            && !((clauses::follows_also(&clause, &text)
                || clauses::follows_an_enumerator(&clause, &text))
                && clause.words.len() <= 10
                && clause.words.first().is_some_and(|first| {
                    ["a", "an", "one", "another"].contains(&first.text.as_str())
                })
                && clause.has_any(&[
                    "screenshot*",
                    "version",
                    "copy",
                    "thumbnail",
                    "pdf",
                    "png",
                    "jpg",
                    "jpeg",
                    "still",
                    "contact sheet",
                ])
                && !clauses::is_statement(&clause)
                && !clauses::narrates(&clause)
                && !clauses::tells_a_story(&clause)
                && !candidates(&clause, inputs, &Produced::default(), catalog)
                    .0
                    .is_empty())
            // "Everyone in it has to be unrecognisable since the staff never agreed to be
            // filmed": a demand, whatever the reason after it tells.
            && !([" since ", " because "]
                .iter()
                .find_map(|reason| clause.text.split_once(reason))
                .is_some_and(|(demand, _)| {
                let demand = Clause::new(demand, &text);
                demand.has_any(clauses::MUST_BE) && !clauses::describes(&demand)
                    && !candidates(&demand, inputs, &Produced::default(), catalog)
                        .0
                        .is_empty()
            }))
            // "The first photo needs a quarter turn clockwise": what the picture needs.
            && (!clauses::the_picture_needs(&clause)
                || candidates(&clause, inputs, &Produced::default(), catalog)
                    .0
                    .is_empty())
            // "A depth map of the whole photo would help the designer too": a thing wished for
            // is asked, however politely.
            && !clauses::wishes_for_a_thing(&clause, |wished| {
                !candidates(wished, inputs, &Produced::default(), catalog)
                    .0
                    .is_empty()
            })
            // "Blur the faces and also the licence plate of the van parked behind them": a
            // thing named after "also" takes the request's hiding verb, however it is described.
            && !(clauses::joined_by_and_also(&clause, &text)
                // Not "… and also the licence plate on the car is fake, so don't bother" (but
                // "… and also the patient's name, which is written on the whiteboard").
                && !Clause::new(
                    [", which ", ", who ", ", that "]
                        .iter()
                        .find_map(|relative| clause.text.split_once(relative))
                        .map_or(clause.text.as_str(), |(own, _)| own),
                    &text,
                )
                .has_any(&["is", "are", "was", "were", "so", "don't", "dont"])
                && clause.words.first().is_some_and(|first| {
                    ["the", "a", "an", "any", "all", "his", "her", "their", "its"]
                        .contains(&first.text.as_str())
                })
                && {
                    let lent = clauses::with_hiding_verb(clause.clone(), &text);
                    lent.text != clause.text
                        && (gaps::find(&lent, inputs).is_some()
                            || !candidates(&lent, inputs, &Produced::default(), catalog)
                                .0
                                .is_empty())
                })
        {
            tracing::debug!(clause = %clause.text, "background: describes or tells, asks nothing");
            if clauses::tells_what_happened_before(&clause) {
                let (found, _) = candidates(&clause, inputs, &Produced::default(), catalog);
                done_before.extend(found.iter().map(|matched| matched.tool.name()));
            }
            described.add(clause);
            continue;
        }
        // "Use tesseract for the text detection and cover up any patient details": how the
        // next ask is to work, said before it, is read with that ask.
        if asked.is_empty()
            && clauses_left > 0
            && clauses::says_how(&clause)
            // Not "use the frame at 12 seconds as the thumbnail", an ask of its own.
            && candidates(&clause, inputs, &Produced::default(), catalog)
                .0
                .is_empty()
        {
            said_how_first = Some(clause);
            continue;
        }
        let clause = match said_how_first.take() {
            Some(how) => Clause::new(&format!("{} {}", clause.text, how.text), &text),
            None => clause,
        };
        let clause = hiding_what_was_described(clause, &described, &text);
        let said = clause.text.clone();
        let clause = clauses::with_hiding_verb(clause, &text);
        let lent_a_verb = clause.text != said;
        // "Blur her face so that she waves": a gap in the result phrase is not done, and the
        // ask before it still runs.
        let in_ask = gaps::find(&clause.ask(), inputs);
        // "… so I can drop it into a podcast episode": what the sender will do with it is no
        // part of the ask.
        let in_result = clause
            .result()
            .filter(|result| {
                !["so i ", "so we ", "so that i ", "so that we "]
                    .iter()
                    .any(|sender| result.text.starts_with(sender))
            })
            .and_then(|result| gaps::find(&result, inputs))
            .filter(|_| in_ask.is_none());
        // "Blur the kids' faces but not the teachers'", "… so leave hers": faces hidden with
        // someone spared.
        let hides_people = vitrine_tools::meaning::read::hides_besides_mask(&clause)
            && clause.has_any(&["@faces"]);
        let spares = (in_ask.is_none()
            && ((spares_someone && (faces_hidden || hides_people))
                || (spared_before && hides_people)))
            .then(|| gaps::by_id("selective_face_hiding"))
            .flatten();
        let gap = in_ask
            .or(in_result)
            .or(spares)
            // "My manager wants a summary … I'll write the summary myself" (not "please translate
            // it", asked all the same).
            .filter(|gap| clauses::is_an_ask(&clause) || !left_to_the_sender.contains(&gap.id))
            .filter(|gap| gap.id != "selective_face_hiding" || !clauses::keeps_every_face(&clause));
        // "The music teacher wants to print it for the hallway" beside "brighten it": a
        // sentence that asks nothing, with no word of wanting or needing, is background even
        // where its words touch something nothing here can do.
        if gap.is_some()
            && spares.is_none()
            // "Half the people in it are patients who never signed a release form": a
            // sentence that describes and tells asks nothing, whatever else is asked.
            && (something_asked || clauses::describes(&clause))
            && !clauses::is_an_ask(&clause)
            && !clauses::wishes_now(&clause)
            && (clauses::tells_a_story(&clause)
                || clauses::narrates(&clause)
                // "I'm a bit worried about posting it", "the brand guide says portraits have
                // to be monochrome": beside other asks, a judgement named in a statement is
                // no question.
                || (something_asked
                    && gap.is_some_and(|gap| gap.id == "open_question")
                    && !clause.text.contains('?')
                    // "I wonder if it is attractive" asks all the same.
                    && !clause.has_any(&[
                        "wonder*", "question*", "curious", "whether", "if", "tell me", "know",
                    ])
                    && clause.words.first().is_some_and(|first| {
                        [
                            "i", "i'm", "im", "we", "we're", "the", "my", "our", "his", "her",
                            "their", "it", "it's", "this", "that", "he", "she", "they",
                        ]
                        .contains(&first.text.as_str())
                    })))
        {
            tracing::debug!(clause = %clause.text, gap = gap.map(|gap| gap.id), "background: tells of something nothing here can do");
            described.add(clause);
            continue;
        }
        // "Bring it to life so she waves": with the result phrase out of reach, only the ask's
        // own words choose steps.
        let clause = if in_result.is_some() {
            clause.ask()
        } else {
            clause
        };
        if let Some(gap) = gap {
            tracing::debug!(clause = %clause.text, gap = gap.id, "not done");
            // "Animate it so she waves": one thing not done, said once.
            for gap in std::iter::once(gap).chain(gaps::others_listed(&clause, gap, inputs)) {
                match understanding
                    .not_done
                    .iter_mut()
                    .find(|part| part.capability == gap.id)
                {
                    Some(part) => {
                        part.part.push_str(", ");
                        part.part.push_str(&clause.text);
                    }
                    None => understanding.not_done.push(gap.not_done(&clause.text)),
                }
            }
            if !gap.alongside && in_result.is_none() {
                just_not_done = Some(gap.id);
                continue;
            }
        }
        // "My colleague said to make it black and white, but I'd rather not": the step just
        // planned is taken back.
        // Not "we'd rather not pick and choose": a different thing not wanted.
        if clause.has_any(&[
            "rather not",
            "i'd prefer not",
            "let's not",
            "i don't want that",
        ]) && clause.text.split_once(" not").is_none_or(|(_, after)| {
            Clause::new(after, &text).words.iter().all(|word| {
                [
                    "do", "that", "it", "have", "thanks", "though", "actually", "please", "want",
                ]
                .contains(&word.text.as_str())
            })
        }) && let Some((start, _)) = previous.take()
        {
            asked.truncate(start);
            continue;
        }
        // "Flip it upside down — actually no, don't flip it": a correction takes a planned
        // step back.
        if clause.has_any(CORRECTIONS) {
            let taken_back = matching::ruled_out(&clause, catalog.tools());
            if asked
                .iter()
                .any(|(_, matched)| taken_back.contains(&matched.tool.name()))
            {
                asked.retain(|(_, matched)| !taken_back.contains(&matched.tool.name()));
                previous = None;
                continue;
            }
            // "Blur the faces and make it black and white. Actually just do the blur": a
            // correction that keeps only some of the planned steps takes back the rest.
            if let Some((kept, asks_again)) =
                narrowed_to(&clause, &asked, inputs, &produced_kinds(&asked), catalog)
            {
                tracing::debug!(clause = %clause.text, ?kept, "keeps only some planned steps");
                asked.retain(|(_, matched)| kept.contains(&matched.tool.name()));
                previous = None;
                if !asks_again {
                    continue;
                }
            }
        }
        // "I'm not asking you to read it, I can manage that": what is not asked.
        if [
            "i'm not asking you to",
            "im not asking you to",
            "i am not asking you to",
            "not asking you to",
            "i don't need you to",
            "i dont need you to",
            "no need to",
            "you don't need to",
            "you dont need to",
        ]
        .iter()
        .any(|start| clause.text.starts_with(start))
        {
            continue;
        }
        // "… could you check?", "is that something you can do?": asking whether the ask
        // before can be done asks for nothing more.
        if !asked.is_empty() && clauses::only_asks_if_possible(&clause) {
            continue;
        }
        // "Blur the faces, keep everything else sharp", "keep the full width": what must stay
        // as it is asks for nothing of its own.
        if gap.is_none()
            && something_asked
            && clauses::keeps_the_rest(&clause)
            && clauses::starts_with_keeping(&clause)
        {
            continue;
        }
        // "The card has the student's photo, name … Hide the photo and the written details":
        // the photo is the face photo the request named.
        let clause = if clause.has_any(&["@hide"])
            && !clause.has_any(&["@face_photo"])
            && !clause.has_any(&[
                "in the photo",
                "on the photo",
                "of the photo",
                "from the photo",
                "in the picture",
                "on the picture",
                "of the picture",
            ])
            && clause.has_any(&["the photo", "the picture"])
            && Clause::new(&text, &text).has_any(&["@face_photo"])
        {
            match ["the photo", "the picture"]
                .iter()
                .find(|photo| clause.text.contains(*photo))
            {
                Some(photo) => Clause::new(&clause.text.replacen(photo, "the id photo", 1), &text),
                None => clause,
            }
        } else {
            clause
        };
        let produced = produced_kinds(&asked);
        // "Make the faces unrecognisable and tell me how many you found": hiding reports its
        // counts.
        if gap.is_none()
            && asked.iter().any(|(_, matched)| hides(matched))
            && !clause.has_any(&["@hide", "@remove"])
            && clause.has_any(&[
                "how many ~ found",
                "how many ~ hid",
                "how many ~ blurred",
                "how many ~ covered",
                "how many ~ there were",
            ])
        {
            continue;
        }
        // "Cut out the subject and give me the mask too": the cut-out makes the mask.
        // Not "make a mask of the person and show it to me as a picture": the mask asked for,
        // shown as a picture, is another step.
        let mask_as_picture = asked
            .last()
            .is_some_and(|(before, _)| before.has_any(&["mask*", "matte*"]))
            && clause.has_any(&["it", "that", "them"])
            && clause.has_any(&[
                "as a picture",
                "as an image",
                "as a ~ picture",
                "as a ~ image",
                "as a png",
            ]);
        if gap.is_none()
            && !mask_as_picture
            && clauses::asks_for_output(&clause)
                .is_some_and(|kind| produced.one.contains(&kind) || produced.lists.contains(&kind))
        {
            continue;
        }
        let (mut usable, mut unusable) = candidates(&clause, inputs, &produced, catalog);
        // "Blur the faces. Don't make it black and white": a step forbidden, never planned
        // (not "don't blur them too much", which says how a planned step goes; nor "don't
        // show anyone's face", which hides them).
        if !usable.is_empty()
            && gap.is_none()
            && matches!(
                clauses::texts(&clause).as_slice(),
                ["don't" | "dont" | "do", ..] | ["please", "don't" | "dont" | "do", ..]
            )
            && forbids_a_step(&clause)
            && !clause.has_any(&["too", "so"])
            && usable.iter().all(|matched| {
                !asked
                    .iter()
                    .any(|(_, planned)| planned.tool.name() == matched.tool.name())
            })
        {
            tracing::debug!(clause = %clause.text, "forbids a step");
            rules_out_a_step = true;
            continue;
        }
        // "Remove the addresses. Use tesseract for reading the text": how a planned step is to
        // work fills that step, not a step of its own.
        if gap.is_none()
            && clauses::says_how(&clause)
            && let Some(index) = asked.iter().rposition(|(before, matched)| {
                let merged = Clause::new(&format!("{} {}", before.text, clause.text), &text);
                slot_values(&merged, matched) != slot_values(before, matched)
                    // The engine is read from the whole request, so it is said already.
                    || (vitrine_tools::meaning::read::ocr_engine(&clause).is_some()
                        && matched.intent.slots.iter().any(|slot| slot.arg == "engine"))
            })
        {
            let earlier = &mut asked[index];
            earlier.0 = Clause::new(&format!("{} {}", earlier.0.text, clause.text), &text);
            tracing::debug!(clause = %clause.text, into = %earlier.0.text, "says how a planned step works");
            continue;
        }
        // "The teapot in 3D, with a preview image": a second output of a step asked in the same
        // words is that output, not a step on media that is not here.
        // "… of the guitar, and give me a preview render along with it": or of the step
        // before.
        let before_side_outputs = unusable.len() + usable.len();
        // "… could you make it 3d? A preview image would be nice too": the step before's own
        // preview, not a thumbnail of the input.
        // (Not "… and give me the inverted mask": an operation on that output, nor "a
        // thumbnail of the original photo".)
        usable.retain(|other| {
            other.tool.name() != "thumbnail"
                || !clause.has("preview")
                || clause.has_any(&["of the photo", "of the original", "of the picture"])
                || !asked
                    .last()
                    .is_some_and(|(_, last)| side_output_of(&clause, last, other))
        });
        unusable.retain(|other| {
            !usable
                .iter()
                .chain(asked.last().map(|(_, last)| last))
                .any(|matched| side_output_of(&clause, matched, other))
        });
        if usable.is_empty() && gap.is_none() && unusable.len() + usable.len() < before_side_outputs
        {
            continue;
        }
        // "My landlord wants a picture of the flat, can you blur their faces": beside other
        // asks, a clause that asks nothing and whose words fit only media that is not here is
        // said about it, unless it names that media ("the clip is too long").
        if something_asked && usable.is_empty() && !clauses::is_an_ask(&clause) {
            unusable.retain(|matched| names_missing_media(&clause, matched, inputs));
        }
        // "HR already blurred the faces; make sure nothing sensitive can be read": a vague ask
        // that reads as several steps leaves out what was done already.
        if usable.len() > 1 && !clause.has_any(&["again", "too", "as well"]) {
            let left: Vec<&Matched> = usable
                .iter()
                .filter(|matched| !done_before.contains(&matched.tool.name()))
                .collect();
            if !left.is_empty() && left.len() < usable.len() {
                usable.retain(|matched| !done_before.contains(&matched.tool.name()));
            }
        }
        // "Put the logo in the centre at half its size": the size is the logo's, not a resize.
        if usable.iter().any(|matched| matched.intent.sizes_itself) {
            usable.retain(|matched| !matched.intent.describes_output);
        }
        let mut clause = clause;
        // "I need a wide 16:9 picture of a cat in space", "a header for my blog: a lighthouse
        // at sunset": with nothing attached, a picture described with "a" is one to make.
        if usable.is_empty()
            && gap.is_none()
            && inputs.is_empty()
            // "Draw a poster for the bake sale. It should be a cartoon of a cupcake": the
            // picture being made, described again.
            && !asked.iter().any(|(_, matched)| generates(matched))
            // Words that only describe the picture wanted (its shape, "a picture of"), not
            // an edit of one ("a passport photo cropped to 35x45").
            && unusable.iter().all(|matched| {
                matches!(
                    matched.tool.name(),
                    "aspect" | "render_pdf_page" | "edit_image" | "thumbnail" | "video_thumbnail"
                )
            })
            && clauses::describes_a_new_picture(&clause)
        {
            let made = Clause::new(&format!("generate {}", clause.text), &text);
            let (mut found, _) = candidates(&made, inputs, &produced, catalog);
            found.retain(generates);
            if !found.is_empty() {
                usable = found;
                unusable.clear();
            }
        }
        // "Show the t-shirt on the guy in the other photo", "what is this a picture of?", "the
        // envelope on the table shows a home address": words that fit only media not attached,
        // in an ask that names the media that is, or in a sentence that asks nothing, and that
        // neither name nor imply the missing kind, are a likeness of words, not an ask for that
        // media ("make it black and white" with a video is still the wrong input).
        if usable.is_empty()
            && gap.is_none()
            && !unusable.is_empty()
            && (!clauses::is_an_ask(&clause)
                || inputs.iter().any(|input| names_media(&clause, input.kind)))
            && unusable
                .iter()
                .all(|matched| only_other_media(&clause, matched, inputs))
        {
            unusable.clear();
        }
        // Words that match no intent: the closest phrasings, when they clearly agree.
        if usable.is_empty()
            && unusable.is_empty()
            && gap.is_none()
            && clauses::is_an_ask(&clause)
            && let Some(semantic) = semantic
            && let Some(closest) = semantic.closest(&clause.ask().text, false)
        {
            match closest {
                semantic::Closest::Gap(id) => {
                    if let Some(gap) = gaps::by_id(id) {
                        understanding.not_done.push(gap.not_done(&clause.text));
                        continue;
                    }
                }
                semantic::Closest::Tool(name, index) => {
                    usable = closest_intent(name, index, &clause, inputs, &produced, catalog);
                }
            }
        }
        // Words that fit only media not attached ("render me in this frock" is no PDF page):
        // the closest phrasings may clearly ask for something the inputs allow. When they
        // name the same tool, or nothing, the input is still the wrong kind.
        if usable.is_empty()
            && !unusable.is_empty()
            && gap.is_none()
            && let Some(semantic) = semantic
            && let Some(semantic::Closest::Tool(name, index)) =
                semantic.closest(&clause.ask().text, false)
            && !unusable.iter().any(|matched| matched.tool.name() == name)
        {
            usable = closest_intent(name, index, &clause, inputs, &produced, catalog);
        }
        // "Find the helmet and crop to it": "it" is the thing the step before looked for.
        const POINTING: &[&str] = &["it", "them", "that", "those"];
        if usable.is_empty()
            && gap.is_none()
            && clause.has_any(POINTING)
            && let Some((before, last)) = asked.last()
            && let Some(Value::Array(labels)) = read_args(before, last).get("labels")
            && let Some(Value::String(label)) = labels.first()
        {
            let pointed = POINTING
                .iter()
                .fold(format!(" {} ", clause.text), |said, pronoun| {
                    said.replace(&format!(" {pronoun} "), &format!(" the {label} "))
                });
            let named = Clause::new(&pointed, &text);
            // Another of its intents ("crop to it"); the same one is words about that step
            // ("mark it if so").
            let (mut found, _) = candidates(&named, inputs, &produced, catalog);
            found.retain(|matched| !std::ptr::eq(matched.intent, last.intent));
            if !found.is_empty() {
                usable = found;
                clause = named;
            }
        }
        // "The client wants it in 16:9": what someone wants done to it, said without a verb,
        // is asked all the same.
        if usable.is_empty()
            && unusable.is_empty()
            && gap.is_none()
            && let Some(rest) = [
                "wants it ",
                "needs it ",
                "want it ",
                "need it ",
                "wants this ",
                "needs this ",
            ]
            .iter()
            .find_map(|said| clause.text.split_once(said).map(|(_, rest)| rest))
            && rest
                .split_whitespace()
                .next()
                .is_some_and(|word| ["in", "at", "as"].contains(&word))
        {
            let made = Clause::new(&format!("make it {rest}"), &text);
            let (found, _) = candidates(&made, inputs, &produced, catalog);
            if !found.is_empty() {
                usable = found;
                clause = made;
            }
        }
        // An ask that matched nothing, or "it" after a description ("There's a kid's face in
        // the corner — can you blur it out, and the card number too"), points back at what the
        // description named: read together, they may ask for more.
        let nothing_matched = usable.is_empty();
        tracing::debug!(
            clause = %clause.text,
            ask = clauses::is_an_ask(&clause),
            usable = ?usable.iter().map(|matched| matched.tool.name()).collect::<Vec<_>>(),
            unusable = ?unusable.iter().map(|matched| matched.tool.name()).collect::<Vec<_>>(),
            "matched"
        );
        // "Their photos are cut-outs. Can you do the same with mine?": the same again, on this
        // input, is what was just planned.
        if nothing_matched
            && !asked.is_empty()
            && clause.has_any(&["the same", "same thing", "likewise"])
            && clause.has_any(&["mine", "my one", "this one", "it", "this", "too"])
        {
            continue;
        }
        // "If the watermark can't go, just do the resize": a step already planned, named again.
        if nothing_matched && names_a_planned_step(&clause, &asked) {
            tracing::debug!(clause = %clause.text, "names a step already planned");
            continue;
        }
        // "… comes out of the oven at 1:42. Grab a still from exactly there": "there" is the
        // moment described.
        let points_back = clause.has_any(&["exactly there", "from there", "that moment"]);
        // "… still has boxes stacked along one wall. Find every fire extinguisher in it and put
        // a box around each": words that say more of the step just asked are about it, not
        // about a description from before that ask.
        let says_more_of_the_last_ask = nothing_matched
            // "… the grid there is portrait. Just the crop.": a few words that name the step
            // asked before say it again, whatever was described since.
            && (described.since_ask.is_empty()
                || (clause.words.len() <= 4 && clause.has_any(&["just the", "only the"])))
            && says_more_of_last(&asked, &clause);
        // "I only care about the left half, where the fireplace is, so crop it to that half":
        // the area pointed at is the one a description named.
        let area_described = points_at_an_area(&clause)
            .then(|| {
                described
                    .since_ask
                    .iter()
                    .rev()
                    .find(|one| vitrine_tools::meaning::read::names_region(one))
            })
            .flatten();
        // "… and sharpen it. Since it's soft.": a reason asks for nothing.
        // Not "because it's private, please hide it": a reason, then its ask.
        let gives_a_reason = clause.words.first().is_some_and(|first| {
            ["since", "because", "cause", "cos", "coz", "as"].contains(&first.text.as_str())
        }) && !clause.text.contains(',');
        if (nothing_matched || points_back || clause.has_any(&["it", "them"]))
            && !says_more_of_the_last_ask
            && !gives_a_reason
            // "This contract is 14 pages. Could you shrink it?": how big the input is names
            // nothing in it to act on.
            && !described
                .last
                .as_ref()
                .is_some_and(measures_the_input)
            && let Some(before) = area_described.or(described.last.as_ref())
            && !clauses::lets_stay(before)
            && !clauses::says_what_is_not_there(before)
            // "I'm making a slideshow for the memorial. This one is dark; lighten it": "it"
            // is the picture, not the sender's project or how the picture looks.
            // "For the daily headcount log": a phrase that asks nothing reads nothing back.
            // "The local paper is running it on Friday": a statement's "it" is the picture.
            && ((clauses::names_something(before)
                && (clauses::is_an_ask(&clause)
                    || (clause.has_any(&["it", "them"]) && !clauses::has_own_copula(&clause))))
                || (nothing_matched && clauses::is_an_ask(&clause))
                // "Their first names are printed on the lanyards too, and those need to go as
                // well": what was described goes.
                || (nothing_matched
                    && clause.has_any(&["those", "these", "them", "it", "they"])
                    && clause.has_any(&[
                        "need* to go",
                        "has to go",
                        "have to go",
                        "must go",
                        "should go",
                        "gotta go",
                    ])
                    // Not "they need to go on the school website", a place it goes.
                    && !clause.has_any(&[
                        "go on", "go to", "go out", "go in", "go into", "go onto", "go up",
                        "go live", "go online", "go through", "go with",
                    ]))
                || points_back)
        {
            // "The first page has the applicant's photo. Can you blur the photo?": the thing
            // the description named, and only it.
            let named = clauses::the_one_named(before, &clause)
                .map(|named| Clause::new(&named, &text))
                .map(|named| (candidates(&named, inputs, &produced, catalog).0, named))
                .filter(|(found, _)| nothing_matched && !found.is_empty());
            // "Facilities say the screen is 16:9. Pad it to that": what was said, not the saying.
            let said_of = |one: &Clause| clauses::reported(one).unwrap_or(&one.text).to_owned();
            // "The video shows patients … Their names are on the screen. Hide both": "both"
            // points back at every description since the last ask, not only the last one.
            let points_at_each =
                named.is_none() && clause.has_any(POINT_AT_ALL) && described.since_ask.len() >= 2;
            let each_said: Vec<String> = if points_at_each {
                described.since_ask.iter().map(said_of).collect()
            } else {
                Vec::new()
            };
            let said = if points_at_each {
                each_said.join(" and ")
            } else {
                said_of(before)
            };
            let said = said.as_str();
            let (found, merged) = named.unwrap_or_else(|| {
                // "The top fifth shows my home address. Black that strip out": the place
                // described is what to act on; what it shows is why.
                if points_at_an_area(&clause) && vitrine_tools::meaning::read::names_region(before)
                {
                    // "My home address is printed across the top half … Cover that half": the
                    // place, not what it shows (an address would make it a PHI redaction).
                    let place = PLACE_NAMED.find(said).map_or(said, |place| place.as_str());
                    let merged = Clause::new(&format!("{} {place}", clause.text), &text);
                    let (mut found, _) = candidates(&merged, inputs, &produced, catalog);
                    found.retain(|matched| {
                        matched
                            .intent
                            .slots
                            .iter()
                            .any(|slot| slot.arg == "regions" || slot.arg == "region")
                    });
                    return (found, merged);
                }
                // "Last time I tried pixelating them … Could you cover them with black boxes":
                // the ask's own words say how; what happened before only says what.
                let merged = if clauses::tells_what_happened_before(before) {
                    format!("{} {said}", clause.text)
                } else {
                    format!("{said} {}", clause.text)
                };
                let merged = Clause::new(&merged, &text);
                (candidates(&merged, inputs, &produced, catalog).0, merged)
            });
            // Each description read with the ask on its own: its steps join the others, and
            // what nothing here can do is named ("their names are on the screen" in a video).
            let mut pointed_gaps = Vec::new();
            let mut not_understood: Vec<String> = Vec::new();
            // "… a journalist covering the story. Blur all of them", "two strangers reflected in
            // the window. Blur both": the ask's verb says what is done to what was described;
            // its other words ask nothing.
            let done_to_each = |matched: &Matched| !clause.has_any(&["@hide"]) || hides(matched);
            // "The school's name is on a banner in the first seconds, hide that as well": the
            // ask's hiding verb acts on what was described, which nothing here may do.
            let hiding_gap = |what: &str| {
                clause
                    .has_any(&["@hide"])
                    .then(|| Clause::new(&format!("hide {what}"), &text))
                    .and_then(|hidden| gaps::find(&hidden, inputs))
            };
            let mut found = found;
            if nothing_matched || points_at_each {
                found.retain(done_to_each);
            }
            // "I got a screenshot with my neighbour's number in it, I want to share it in a
            // forum. Can you redact that info?": when the last description gives the ask nothing
            // to act on, an earlier one since the last ask may.
            let mut merged = merged;
            // The steps of the ask read with the latest earlier description that `describes`
            // accepts, kept by `keep`, when any are left.
            let with_earlier = |describes: &dyn Fn(&Clause) -> bool,
                                keep: &dyn Fn(&Matched) -> bool| {
                described
                    .since_ask
                    .iter()
                    .rev()
                    .filter(|earlier| {
                        earlier.text != before.text
                            && describes(earlier)
                            && !clauses::lets_stay(earlier)
                            && !clauses::says_what_is_not_there(earlier)
                    })
                    .find_map(|earlier| {
                        let tried =
                            Clause::new(&format!("{} {}", said_of(earlier), clause.text), &text);
                        let (mut of_earlier, _) = candidates(&tried, inputs, &produced, catalog);
                        of_earlier.retain(|matched| keep(matched));
                        (!of_earlier.is_empty()).then_some((of_earlier, tried))
                    })
            };
            if nothing_matched
                && found.is_empty()
                && !points_at_each
                && area_described.is_none()
                && clause.has_any(&["@hide", "@remove", "redact*"])
                && clause.has_any(&["that", "those"])
                && let Some((of_earlier, tried)) = with_earlier(&|_| true, &hides)
            {
                found = of_earlier;
                merged = tried;
            }
            // "The form rejects anything over 1200 pixels on the longest side and it only takes
            // jpegs, so could you shrink this down to fit": the size is in an earlier one (a
            // description that gives a size). A step that only the description's words ask for
            // ("takes jpegs") is not what the ask's verb asks.
            let said_by_the_ask = |matched: &Matched| {
                matched
                    .intent
                    .cues
                    .iter()
                    .any(|group| clause.has_any(group))
            };
            // A size said there ("anything over 1200 pixels on the longest side"), not any
            // number ("she turned 16", "from 2015").
            let gives_a_size = |earlier: &Clause| {
                earlier.text.contains(|c: char| c.is_ascii_digit())
                    && earlier.has_any(&[
                        "pixel*",
                        "px",
                        "long* side",
                        "long* edge",
                        "wide",
                        "tall",
                        "width",
                        "height",
                    ])
            };
            if nothing_matched
                && !found.iter().any(said_by_the_ask)
                && !points_at_each
                && area_described.is_none()
                && clauses::is_an_ask(&clause)
                && !clause.has_any(&["@hide", "@remove", "redact*"])
                // Not "need to know what's near", a question.
                && !clause.has_any(&["what", "what's", "which", "how", "who", "where", "when"])
                && let Some((of_earlier, tried)) = with_earlier(&gives_a_size, &said_by_the_ask)
            {
                found = of_earlier;
                merged = tried;
            }
            if points_at_each {
                for (each, each_said) in described.since_ask.iter().zip(&each_said) {
                    let one = Clause::new(&format!("{each_said} {}", clause.text), &text);
                    let (mut of_one, _) = candidates(&one, inputs, &produced, catalog);
                    of_one.retain(done_to_each);
                    if of_one.is_empty() {
                        match gaps::find(&one, inputs).or_else(|| hiding_gap(each_said)) {
                            Some(gap) => pointed_gaps.push(gap),
                            // "My kids are in the photo. The house number is on the door. Blur
                            // both": a thing pointed at that nothing here acts on is said (not
                            // one of many sentences of context before "all of them").
                            None if clause.has("both") && described.since_ask.len() == 2 => {
                                not_understood.push(each.text.clone());
                            }
                            None => {}
                        }
                    }
                    for matched in of_one {
                        if !found
                            .iter()
                            .any(|known: &Matched| std::ptr::eq(known.intent, matched.intent))
                        {
                            found.push(matched);
                        }
                    }
                }
            }
            // "These are the minutes, signed off by the chair. Settle it: how many pages?":
            // "it" after a description adds only something to hide that it named.
            let adds_only_hiding = found.iter().all(|matched| {
                hides(matched)
                    || usable
                        .iter()
                        .any(|planned| planned.tool.name() == matched.tool.name())
            });
            // "A red barrier rope runs across the foreground – please remove it": what "it" is
            // may be something nothing here can do.
            if nothing_matched
                && found.is_empty()
                && let Some(gap) = gaps::find(&merged, inputs)
                    .or_else(|| hiding_gap(said))
                    .or(pointed_gaps.first().copied())
            {
                understanding.not_done_once(gap, &clause.text);
                for gap in &pointed_gaps {
                    understanding.not_done_once(gap, &clause.text);
                }
                described.forget();
                continue;
            }
            // "Grab a still from exactly there": the moment described says which still.
            let more = (found.len() > usable.len() && (nothing_matched || adds_only_hiding))
                || (points_back && !found.is_empty());
            // "My partner thinks 3D is overkill, but I want to try it on the product page":
            // read back into a description, a step already planned is not asked again.
            let found = if nothing_matched
                && !clauses::is_an_ask(&clause)
                && !clause.has_any(&["again", "also", "too", "another", "as well", "second"])
            {
                found
                    .into_iter()
                    .filter(|matched| {
                        !asked
                            .iter()
                            .any(|(_, planned)| std::ptr::eq(planned.intent, matched.intent))
                    })
                    .collect()
            } else {
                found
            };
            let more = more && !found.is_empty();
            if more {
                // "… a kid's face in the corner and a licence plate at the bottom. Blur both":
                // what nothing here can do, among the things pointed at, is not done.
                if clause.has_any(POINT_AT_ALL) {
                    for gap in gaps::find(&merged, inputs).iter().chain(&pointed_gaps) {
                        understanding.not_done_once(gap, &clause.text);
                    }
                    understanding
                        .not_done
                        .extend(not_understood.into_iter().map(NotDone::unclear));
                }
                usable = found;
                clause = merged;
            }
            if more || nothing_matched {
                described.forget();
            }
        }
        // "Dress her in it and show front, back and side views": the views say how many
        // images the planned generation makes.
        if usable.is_empty()
            && asked.iter().any(|(_, matched)| matched.intent.per_view)
            && names_views(&clause)
        {
            continue;
        }
        // "Turn them into a short video. Two frames per second should be about right": a value
        // judged right for the step before fills it, whatever else its words could start.
        // "… into a short video. Two frames per second": words that fit only what the step
        // before makes (frames of a video made from pictures), said without asking, say more
        // of that step.
        let acts_only_on_made = !usable.is_empty()
            && usable.iter().all(|matched| {
                matched
                    .intent
                    .input
                    .kind()
                    .is_some_and(|kind| !inputs.iter().any(|input| input.kind == kind))
            });
        if !usable.is_empty()
            && !clauses::is_an_ask(&clause)
            && (acts_only_on_made
                || clause.has_any(&[
                    "about right",
                    "should be right",
                    "should be fine",
                    "should be enough",
                    "should do",
                    "will do",
                    "would be good",
                    "would be fine",
                    "would be great",
                    "would be ideal",
                    "would be perfect",
                    "sounds good",
                    "sounds right",
                    "is plenty",
                ]))
            && let Some((start, before)) = &previous
            // Not "a mask of the person, with the edges softened by 5 pixels": a mask made is
            // worked on by a step of its own.
            && !usable
                .iter()
                .all(|matched| matched.intent.input.kind() == Some(ArtifactKind::Array))
            && let Some(mut refined) =
                refine(before, &clause, &text, inputs, catalog, &asked[*start..])
        {
            // The steps planned before, re-read; nothing new starts.
            refined.truncate(asked.len() - *start);
            let merged = refined[0].0.clone();
            tracing::debug!(clause = %clause.text, into = %merged.text, "judges a value of the step before");
            asked.truncate(*start);
            asked.extend(refined);
            keep_the_picture(&mut picture_of, &before.text, &merged.text);
            previous = Some((*start, merged));
            continue;
        }
        if usable.is_empty() {
            if gap.is_some() {
                continue;
            }
            // "Leave the name tags as they are": what stays untouched refines nothing; nor does
            // "blur the faces but not the teachers' names", what the hiding spares.
            if clauses::keeps_the_rest(&clause)
                || (clauses::first_after_lead_ins(&clause) == Some("not")
                    && clause.has_any(&["@phi", "@faces"])
                    && !clause.has_any(&["with", "using", "@hide"])
                    && asked.last().is_some_and(|(_, matched)| hides(matched)))
                || spares_what_was_not_hidden(&clause, &asked)
            {
                continue;
            }
            // "A 3D reconstruction of the whole scene, and then a separate one of just the dog":
            // one more of the step before, read from these words.
            // Only for a step that makes something of the input ("crop it square. And a
            // separate one at 4:5" would chain from the first crop).
            // "… and then a second, separate picture of a dragon": one more picture made.
            if clause.has_any(&[
                "a separate one of",
                "another one of",
                "a second one of",
                "a second ~ picture of",
                "a second ~ image of",
                "a separate picture of",
                "a separate image of",
                "another picture of",
                "another image of",
            ])
                && let Some((_, last)) = asked.last()
                // A picture generated from words alone chains from nothing.
                && (!last.intent.chains || last.intent.input.kind().is_none())
                && !read_args(&clause, last).is_empty()
            {
                let last = last.clone();
                asked.push((clause.clone(), last));
                previous = Some((asked.len() - 1, clause));
                continue;
            }
            // "Pixelation is fine." or "then 512x512": words that refine or extend the ask
            // before rather than ask for something of their own.
            if let Some((start, before)) = &previous
                && let Some(refined) =
                    refine(before, &clause, &text, inputs, catalog, &asked[*start..])
            {
                let merged = refined[0].0.clone();
                tracing::debug!(clause = %clause.text, into = %merged.text, "refines the step before");
                // "Hide every face, and the slides show email addresses that | also need to
                // go": read together, the words may ask for what nothing here does.
                if let Some(gap) = gaps::find(&merged, inputs)
                    && gap.alongside
                    && gaps::find(before, inputs).is_none_or(|old| old.id != gap.id)
                {
                    understanding.not_done_once(gap, &merged.text);
                }
                asked.truncate(*start);
                asked.extend(refined);
                keep_the_picture(&mut picture_of, &before.text, &merged.text);
                previous = Some((*start, merged));
                continue;
            }
            // "… and remove the dirty coffee mugs from the counter": a thing taken out of a
            // picture, which nothing here fills in behind.
            if clauses::removes_a_thing(&clause)
                && inputs.iter().any(|input| input.kind == ArtifactKind::Image)
                && let Some(gap) = gaps::by_id("object_removal")
            {
                understanding.not_done.push(gap.not_done(&clause.text));
                continue;
            }
            // "The photo shows my wrist in a cast" tells what the input is; words that fit
            // another kind of input there ask for nothing.
            if let Some(first) = unusable.first().filter(|_| !clauses::narrates(&clause)) {
                let kind = first.intent.input.kind().unwrap_or(ArtifactKind::Image);
                let why = format!(
                    "{} needs {} as input, but {}",
                    capitalise(first.intent.does),
                    with_article(kind.noun()),
                    describe_inputs(inputs)
                );
                understanding.not_done.push(NotDone {
                    part: clause.text.clone(),
                    capability: "wrong_input".to_owned(),
                    why: format!("{why}."),
                });
                wrong_input.get_or_insert(why);
            } else if clause.has_any(RETURN_INPUT)
                // "Faces only please, leave the text as it is": a part kept as it is, not the
                // picture given back ("the background is fine, send it back as is" is).
                && (clause.has_any(GIVE_BACK)
                    || clauses::starts_with_keeping(&clause)
                    || !(clause.has_any(&["leave", "keep"])
                        && clause.has_any(&["@faces", "@phi", "text", "writing", "background"])))
            {
                understanding.returns_input = true;
            } else if says_what_the_step_keeps(&asked, &clause) {
                tracing::debug!(clause = %clause.text, "says what the step before keeps");
            } else if (!clauses::is_an_ask(&clause)
                // "… the printer wants it at the original size": what stays as it is.
                || (something_asked
                    && clause.has_any(&["original size", "same size", "full size"])
                    && !clause.has_any(&["back to", "restore*", "return*"]))
                || (something_asked
                    && (clauses::states_without_asking(&clause)
                        || clauses::gives_a_reason(&clause)
                        || clauses::offers_the_other_answer(&clause)
                        || clauses::says_who_wants_to_know(&clause)
                        || labels_the_input(&clause))))
                // Said, not done: planning it needs words for the second thing's step.
                && !(previous.is_some() && asks_one_more_of_the_same(&clause))
            {
                tracing::debug!(clause = %clause.text, "background: matched nothing, asks nothing");
                described.add(clause.clone());
            } else {
                understanding
                    .not_done
                    .push(NotDone::unclear(clause.text.clone()));
            }
            continue;
        }
        // "The bicycle leaning on the wall - reconstruct that in 3D", "this is my son's
        // trainer. He wants it in 3D": the one thing a step acts on, named where its "that" or
        // "it" points back.
        // The nearest description that says which thing, back to the last planned ask.
        if usable.iter().any(|matched| {
            matched
                .intent
                .slots
                .iter()
                .any(|slot| slot.arg == "object" && (slot.read)(&clause).is_none())
        }) && let Some(object) = described
            .since_ask
            .iter()
            .rev()
            .chain(described.last.iter())
            .find_map(|before| clauses::object_pointed_at(before, &clause))
            .or_else(|| {
                // "Cut the sneaker out of its background, then build a 3D version of it": the
                // thing the step before cut out.
                let (_, before) = previous.as_ref()?;
                (clause.has_any(&["it"])
                    && before.has_any(&["out of", "cut out", "isolate", "background", "crop"]))
                .then(|| vitrine_tools::meaning::read::object(before))
                .flatten()?
                .as_str()
                .map(str::to_owned)
            })
        {
            clause = Clause::new(&format!("{} of the {object}", clause.text), &text);
        }
        // Where the ask before this one starts, for "before that, …".
        let ask_before = previous.as_ref().map(|(start, _)| *start);
        let goes_first = std::mem::take(&mut before_that) || clauses::goes_first(&clause);
        previous = Some((asked.len(), clause.clone()));
        described.since_ask.clear();
        someone_spared = false;
        // "HR blurred the faces, but you can still read the names. Get rid of those": a later
        // "those" points at what this statement named, not at the description before it.
        if lent_a_verb {
            described.last = None;
        }
        let again = clause.has_any(&["again", "twice", "another", "once more", "second time"]);
        // "Resize to 1200 wide — actually, make that 800": the later words replace the earlier.
        // "Brighter. A lot brighter.": a short fragment that asks nothing, says the step
        // before's own word again and how much, says how much for that step (not "darker sky
        // please", a local edit, nor "a 4:5 version for Instagram", one more).
        const HOW_MUCH: &[&str] = &[
            "a lot", "much", "even", "way", "really", "far", "a bit", "slightly",
        ];
        let says_how_much_again = !clauses::is_an_ask(&clause)
            && clause.words.len() <= 5
            && clause.has_any(HOW_MUCH)
            && asked.last().is_some_and(|(before, _)| {
                clause.words.iter().all(|word| {
                    let word = word.text.as_str();
                    HOW_MUCH
                        .iter()
                        .any(|said| said.split(' ').any(|part| part == word))
                        || ["more", "please", "pls"].contains(&word)
                        || before.words.iter().any(|said| said.text == word)
                })
            });
        let corrects = clause.has_any(CORRECTIONS) || says_how_much_again;
        let mut filled_earlier: Option<usize> = None;
        let planned_before = asked.len();
        for matched in usable {
            // "Faces first, then the personal info, pixelate the faces": a later ask for a
            // planned intent that only says more about it fills that step, not a second one.
            // A correction may change a picture to be made ("… landscape 3:2 — no actually,
            // portrait 2:3"), not one view of several inputs ("crop both to 16:9. Actually, the
            // second one to 4:5").
            let made_from_words = matches!(matched.intent.input, Input::None);
            if !again
                && ((corrects && made_from_words) || !matched.intent.per_view)
                && let Some(index) = asked.iter().position(|(before, old)| {
                    (same_step(old, &matched)
                        && (corrects || only_adds_to(before, &clause, old)))
                        // "Redact both, pixelate the photo": one tool hiding on one input
                        // hears both asks (not "black out the top strip, then blur the
                        // bottom strip", two places).
                        || (hides(old)
                            && hides(&matched)
                            && old.tool.name() == matched.tool.name()
                            && !vitrine_tools::meaning::read::names_region(&clause))
                        // "Black out the names throughout the PDF. The photo on page 1 shows
                        // a face, which needs pixelating": the document's redaction hides
                        // its faces too.
                        || (old.tool.name() == "redact_document"
                            && hides_faces(&matched)
                            && matched.intent.input.kind() == Some(ArtifactKind::Image)
                            && !has(inputs, ArtifactKind::Image))
                })
                // "Blur the faces in the first one and anonymise the people in the second":
                // asks for two pictures are two steps.
                && !on_other_pictures(&asked[index].0, &clause)
                // "My landlord wants it as a PDF … hide my address, then turn it into a PDF":
                // a step read from a sentence that asks nothing, asked again after other
                // steps, is planned where it is asked (the earlier one is dropped below).
                && !(told_as_a_wish(&asked[index].0)
                    && clauses::is_an_ask(&clause)
                    && asked[index + 1..]
                        .iter()
                        .any(|(between, _)| clauses::is_an_ask(between)))
            {
                let earlier = &mut asked[index];
                earlier.0 = if corrects {
                    let corrected = corrected_number(&earlier.0, &clause)
                        .unwrap_or_else(|| format!("{} {}", clause.text, earlier.0.text));
                    Clause::new(&corrected, &text)
                } else {
                    Clause::new(&format!("{} {}", earlier.0.text, clause.text), &text)
                };
                filled_earlier = Some(index);
                continue;
            }
            // "The lamp as a 3D file plus a preview image": a second output the step before
            // already makes, named in a few words, is that output.
            // Not "give me the inverted mask", something done to it.
            let names_a_side_output = clause.words.len() <= 5
                && !clause.has_any(vitrine_tools::meaning::lexicon::ACTION_WORDS)
                && asked
                    .last()
                    .is_some_and(|(_, last)| side_output_of(&clause, last, &matched));
            if names_a_side_output {
                continue;
            }
            // "Add a little party hat on his head! Colourful if possible": a few words hedged
            // as a wish after a picture painted from the words describe what is painted (its
            // prompt has them), not another step ("More contrast." is one).
            let describes_the_painted = clause.words.len() <= 4
                && clause.has_any(&["if possible", "if you can", "ideally", "preferably"])
                && !clause.has_any(&["too", "also", "as well", "and", "then"])
                && matched.tool.name() == "adjust_image"
                && asked.last().is_some_and(|(_, last)| last.intent.per_view);
            if describes_the_painted {
                continue;
            }
            // "Zoom in on the face and crop it for a headshot", "crop in tight around his face.
            // The gym just wants a headshot": one crop, said twice (by one intent or two).
            let repeated = asked.last().is_some_and(|(before, last)| {
                last.tool.name() == matched.tool.name()
                    && (matched.intent.slots.is_empty()
                        || ((!again || std::ptr::eq(last.intent, matched.intent))
                            && read_args(before, last) == read_args(&clause, &matched)))
            });
            if !repeated {
                if let Some(picture) = carried_picture
                    .or_else(|| picture_showing(&pictures_shown, &clause))
                    .or_else(|| picture_chosen.filter(|_| !clause.has_any(EVERY_INPUT)))
                {
                    picture_of.push((clause.text.clone(), picture));
                }
                asked.push((clause.clone(), matched));
            }
        }
        // "Blur the faces. Before that, trim it to the relay": this clause's steps run before
        // the ask just before it.
        if goes_first
            && let Some(before) = ask_before
            && asked.len() > planned_before
        {
            let new_steps = asked.len() - planned_before;
            asked[before..].rotate_right(new_steps);
        }
        // Words after this clause refine the step it filled, when that is the last one.
        if asked.len() == planned_before
            && let Some(index) = filled_earlier
        {
            previous = (index + 1 == asked.len()).then(|| (index, asked[index].0.clone()));
        }
    }
    // "The teacher wants every student to hand in a 3D file … Could you pull the bicycle out
    // as a 3D object?": a step read from a sentence that asks nothing, asked again by a later
    // ask, is that ask's.
    let re_asked: Vec<usize> = (0..asked.len())
        .filter(|&at| {
            let (clause, matched) = &asked[at];
            told_as_a_wish(clause)
                && asked[at + 1..].iter().any(|(later, again)| {
                    std::ptr::eq(again.intent, matched.intent)
                        && clauses::is_an_ask(later)
                        // "Could you also crop a square": a second one.
                        && !later.has_any(&["also", "too", "as well", "another", "second", "again"])
                })
        })
        .collect();
    for at in re_asked.into_iter().rev() {
        asked.remove(at);
    }
    // "Black out the names and phone numbers, leave the faces visible": no face is hidden.
    if split_keeps_every_face {
        asked.retain(|(_, matched)| !hides_faces(matched));
    }
    // "Nobody's face is in it, it's just paper. Can you hide her personal info?": where the
    // request says there are no faces, a vague ask hides none; faces asked for by name still
    // are (the detector finds none, and says so).
    if no_faces_here {
        asked.retain(|(clause, matched)| !hides_faces(matched) || clause.has_any(&["@faces"]));
    }
    // "De-identify this clinical photo … there's no text on it": likewise for text.
    if no_text_here {
        asked.retain(|(clause, matched)| {
            matched.tool.name() != "redact_phi" || clause.has_any(&["@phi", "text", "writing"])
        });
    }
    for part in &understanding.not_done {
        if let Some(cue) = gaps::cancels(&part.capability) {
            asked.retain(|(_, matched)| {
                !matched.intent.cues.iter().any(|group| group.contains(&cue))
            });
        }
    }
    // "Save the page as a PDF" / "screenshot it": a page copied whole is not also extracted,
    // unless its text, pictures or links are named.
    if asked
        .iter()
        .any(|(_, matched)| matches!(matched.tool.name(), "page_to_pdf" | "screenshot_page"))
    {
        // "Snap a picture of https://…" is the screenshot, not the page's pictures.
        asked.retain(|(clause, matched)| {
            matched.tool.name() != "extract_page"
                || clause.has_any(&["text", "link*", "words"])
                || (clause.has_any(&["image*", "photo*", "picture*"])
                    && !clause.has_any(&[
                        "a picture of",
                        "a photo of",
                        "an image of",
                        "a pic of",
                        "picture of the page",
                        "picture of it",
                    ]))
        });
        // "The address is https://… Save it as a PDF": the page printed, not the images a
        // dropped reading of it would have found.
        let pages_printed: Vec<String> = asked
            .iter()
            .filter(|(_, matched)| matched.tool.name() == "page_to_pdf")
            .map(|(clause, _)| clause.text.clone())
            .collect();
        asked.retain(|(clause, matched)| {
            matched.tool.name() != "images_to_pdf" || !pages_printed.contains(&clause.text)
        });
    }
    // "Mosaic every face … Send it back as an MP4": every video step gives a browser-playable
    // H.264 MP4, so a re-encode after one, with no size to change, asks for what is given.
    let mut made_video = false;
    asked.retain(|(clause, matched)| {
        let redundant = made_video
            && matched.tool.name() == "transcode_video"
            && !read_args(clause, matched).contains_key("max_side")
            // "… then re-encode it at a lower quality so it's smaller" asks for more.
            && !clause.has_any(&[
                "quality", "smaller", "compress*", "bitrate", "size", "lighter", "h264", "h 264",
            ]);
        made_video |= matched
            .tool
            .outputs()
            .iter()
            .any(|output| output.kind == ArtifactKind::Video);
        !redundant
    });
    // In a request that generates images, "at 9:16" describes those images; "crop it square"
    // and "afterwards, resize to 1200 wide" still ask for a step of their own.
    if asked.iter().any(|(_, matched)| matched.intent.per_view) {
        asked.retain(|(clause, matched)| {
            !matched.intent.describes_output
                || clause.has_any(&["crop*", "pad*", "bars", "border*"])
                || clause.has_any(&["resiz*", "rescal*", "shrink*", "downsiz*", "downscal*"])
        });
    }
    // Nothing understood clause by clause ("just the faces please - leave the text alone"):
    // the whole request may still read clearly like phrasings the bank knows, when it holds at
    // most one ask (a bank phrasing stands for one step; two asks read as one would plan half)
    // and media to work on (a text-only "say hello" is conversation, not worth an embedding).
    let one_unclear_ask = understanding.not_done.len() <= 1
        && understanding
            .not_done
            .iter()
            .all(|part| part.capability == "unclear");
    // "Here's the one from the trip, the lighthouse at dusk": a request that only describes
    // asks for nothing to be guessed.
    if asked.is_empty()
        && one_unclear_ask
        && !only_context
        && !rules_out_a_step
        && !inputs.is_empty()
        && !understanding.returns_input
        && let Some(semantic) = semantic
        && let Some(closest) = semantic.closest(&text, true)
    {
        let whole = Clause::new(&text, &text);
        match closest {
            semantic::Closest::Gap(id) => {
                if let Some(gap) = gaps::by_id(id) {
                    understanding.not_done = vec![gap.not_done(&whole.text)];
                }
            }
            semantic::Closest::Tool(name, index) => {
                let found =
                    closest_intent(name, index, &whole, inputs, &Produced::default(), catalog);
                if !found.is_empty() {
                    understanding.not_done.clear();
                    asked.extend(found.into_iter().map(|matched| (whole.clone(), matched)));
                }
            }
        }
    }
    if asked.is_empty() {
        // "Screenshot this URL and blur the faces on it" with nothing attached: what cannot be
        // done here at all is said first, with the missing input beside it.
        let beyond_inputs = understanding
            .not_done
            .iter()
            .any(|part| part.capability != "unclear" && part.capability != "wrong_input");
        if let Some(why) = wrong_input
            && !beyond_inputs
        {
            return Err(AgentError::WrongInput(why));
        }
        let unclear = understanding
            .not_done
            .iter()
            .all(|part| part.capability == "unclear");
        if !understanding.not_done.is_empty() && !unclear {
            return Err(AgentError::NotPossible {
                not_done: understanding.not_done,
            });
        }
        // Nothing asked at all ("hi", "."): with a response schema or an ask for the input
        // back, the answer is the stored input; otherwise there is nothing to go on.
        let asked_nothing = understanding.not_done.is_empty();
        if understanding.returns_input
            || (asked_nothing && schema.is_some_and(asks_only_for_inputs))
        {
            understanding.returns_input = true;
            return Ok(understanding);
        }
        let mut shown: String = instruction.chars().take(200).collect();
        if instruction.chars().count() > 200 {
            shown.push('…');
        }
        return Err(AgentError::NotUnderstood {
            instruction: shown,
            capabilities: capabilities(catalog),
        });
    }
    // "Blur the faces. Nobody should be recognisable": a part not understood by its words but
    // whose phrasings clearly ask for a step already planned says that step again.
    if let Some(semantic) = semantic {
        understanding.not_done.retain(|part| {
            part.capability != "unclear"
                || !matches!(
                    semantic.closest(&part.part, true),
                    Some(semantic::Closest::Tool(name, _))
                        if asked.iter().any(|(_, matched)| matched.tool.name() == name)
                )
        });
    }
    understanding.plan = build(&asked, &picture_of, schema, inputs, catalog)?;
    restore_url_case(&mut understanding.plan, instruction);
    // "What did you receive?" with a field for "the stored input": the question is answered by
    // a tool, the ref by the input (refs take what the plan made first).
    understanding.returns_input |= schema.is_some_and(asks_only_for_inputs);
    Ok(understanding)
}

/// Words a ref field may use and still mean "what you received" (`image`, "The stored input"),
/// not a result to make (`redacted_image`, "The photo in black and white").
const INPUT_WORDS: &[&str] = &[
    "image",
    "img",
    "photo",
    "picture",
    "pic",
    "file",
    "input",
    "inputs",
    "original",
    "source",
    "stored",
    "received",
    "upload",
    "uploaded",
    "document",
    "doc",
    "video",
    "audio",
    "the",
    "a",
    "an",
    "of",
    "my",
    "your",
    "you",
    "that",
    "what",
    "was",
    "were",
    "sent",
    "attached",
    "this",
    "it",
    "ref",
    "reference",
    "id",
    "as",
    "is",
    "given",
    "provided",
    "media",
];

/// True when every ref field of `schema` names the input rather than something to make: then
/// a request that asks for nothing is answered with the stored input. A schema whose refs name
/// results (`redacted_image`) never decides what to do, so such a request is not understood.
fn asks_only_for_inputs(schema: &Value) -> bool {
    let Some(Value::Object(properties)) = schema.get("properties") else {
        return true;
    };
    properties.iter().all(|(name, field)| {
        let target = field
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|pointer| schema.pointer(pointer.trim_start_matches('#')))
            .unwrap_or(field);
        let is_ref = target.pointer("/properties/id/pattern").is_some();
        if !is_ref {
            // Notes can say what was received; a count or a description needs a tool.
            let notes_like = ["note", "comment", "message", "remark", "log", "status"]
                .iter()
                .any(|word| name.to_lowercase().contains(word));
            return notes_like && target.get("type").and_then(Value::as_str) == Some("string");
        }
        let mut words = name.replace(['_', '-'], " ").to_lowercase();
        if let Some(description) = field.get("description").and_then(Value::as_str) {
            words.push(' ');
            words.push_str(&description.to_lowercase());
        }
        words
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .all(|word| INPUT_WORDS.contains(&word))
    })
}

/// True when two clauses each name one attached picture, and not the same one.
fn on_other_pictures(one: &Clause, other: &Clause) -> bool {
    let named = vitrine_tools::meaning::read::named_input;
    matches!((named(one), named(other)), (Some(one), Some(other)) if one != other)
}

/// "The teacher wants every student to hand in a 3D file", "my landlord wants it as a PDF": a
/// step told as someone's wish or story, which asks nothing itself. Not "I want everything it
/// does not cover selected", the sender's own ask.
fn told_as_a_wish(clause: &Clause) -> bool {
    !clauses::is_an_ask(clause)
        && (clauses::tells_a_story(clause)
            || clause.has_any(&["wants", "want", "needs", "expects", "requires", "asked"]))
        && !clause.words.first().is_some_and(|first| {
            ["i", "we", "i'd", "we'd", "id", "i'm", "im"].contains(&first.text.as_str())
        })
}

/// True when `clause` names a second output of `step` ("a preview image" beside a 3D model)
/// that `other` would make: that output, not another step.
fn side_output_of(clause: &Clause, step: &Matched, other: &Matched) -> bool {
    step.tool.outputs().iter().skip(1).any(|spec| {
        clause.has(spec.name)
            && other
                .tool
                .outputs()
                .iter()
                .any(|made| made.kind == spec.kind)
    })
}

/// The intents `clause` asks for that the inputs (and what earlier steps make) allow, and those
/// they do not. Specificity is weighed among what the inputs allow: "flip it vertically" on a
/// photo is a flip, even though a mask's "flip" (invert) would be read the same way.
fn candidates(
    clause: &Clause,
    inputs: &[ArtifactMeta],
    produced: &Produced,
    catalog: &ToolCatalog,
) -> (Vec<Matched>, Vec<Matched>) {
    let found = without_text_to_image(matching::intents(clause, catalog.tools()), inputs);
    let (usable, unusable) = by_input(found, inputs, produced, clause);
    (
        matching::most_specific(usable),
        matching::most_specific(unusable),
    )
}

/// "She wants the colour taken out", "the colour needs taking out": a wish or need said with its object
/// first reads as the ask it passes on ("take out the colour"), when a tool's words match that
/// reading and the clause as said is not already an ask they match.
fn as_asked(clause: Clause, text: &str, inputs: &[ArtifactMeta], catalog: &ToolCatalog) -> Clause {
    let tools = |clause: &Clause| {
        let (usable, unusable) = candidates(clause, inputs, &Produced::default(), catalog);
        let names = |found: Vec<Matched>| -> BTreeSet<&'static str> {
            found.iter().map(|matched| matched.tool.name()).collect()
        };
        (names(usable), names(unusable))
    };
    let (usable, unusable) = tools(&clause);
    if clauses::is_an_ask(&clause) && !(usable.is_empty() && unusable.is_empty()) {
        return clause;
    }
    // Words as said that match tools keep them: the reading then only makes the clause an ask
    // ("she wants the faces blurred"), never other tools ("need https://… archived as a PDF"
    // stays a page printed).
    let matched_as_said = !(usable.is_empty() && unusable.is_empty());
    let reading = clauses::imperative_readings(&clause)
        .into_iter()
        .map(|reading| Clause::new(&reading, text))
        .find(|reading| {
            let (read_usable, read_unusable) = tools(reading);
            if matched_as_said {
                read_usable == usable && read_unusable == unusable
            } else {
                !(read_usable.is_empty() && read_unusable.is_empty())
            }
        });
    match reading {
        Some(reading) => {
            // "The first one needs everyone's face hidden": the reading works on that picture.
            let reading = match one_picture_named(&clause) {
                Some(picture) if one_picture_named(&reading).is_none() => {
                    match ["first", "second", "third", "fourth"].get(picture) {
                        Some(ordinal) => {
                            Clause::new(&format!("{} in the {ordinal} one", reading.text), text)
                        }
                        None => reading,
                    }
                }
                // "First pic is the classroom … only the classroom needs the faces blurred":
                // the reading works on the picture said to show it.
                _ => match what_pictures_show(text).into_iter().find(|(_, thing)| {
                    let thing = format!("the {thing}");
                    clause.has(&thing) && !reading.has(&thing)
                }) {
                    Some((_, thing)) => {
                        Clause::new(&format!("{} in the {thing}", reading.text), text)
                    }
                    None => reading,
                },
            };
            tracing::debug!(clause = %clause.text, reading = %reading.text, "read as an ask");
            reading
        }
        None => clause,
    }
}

/// The kinds of media the intents planned so far make for later ones (a mask from a cut-out).
fn produced_kinds(asked: &[(Clause, Matched)]) -> Produced {
    let mut produced = Produced::default();
    for (_, matched) in asked {
        for spec in matched.tool.outputs() {
            if spec.many {
                produced.lists.push(spec.kind);
            } else if matched.intent.chains {
                produced.one.push(spec.kind);
            }
        }
    }
    produced
}

/// The kinds of media earlier steps make: one edited artifact a later edit works on, or a list
/// (a video's frames) that only a step taking all of its kind can use.
#[derive(Debug, Default)]
struct Produced {
    one: Vec<ArtifactKind>,
    lists: Vec<ArtifactKind>,
}

/// Words that take back what was said before ("actually, make that 800 wide").
const CORRECTIONS: &[&str] = &[
    "actually",
    "make that",
    "instead",
    "scratch that",
    "i mean",
    "on second thought*",
    "correction",
    "no wait",
    "wait no",
    "sorry",
];

/// True when two matches make the same step: one intent, or intents of one tool that fill the
/// same arguments ("pixelate the faces" and "remove the personal info from the PDF").
fn same_step(planned: &Matched, new: &Matched) -> bool {
    std::ptr::eq(planned.intent, new.intent)
        || (planned.tool.name() == new.tool.name()
            && !new.intent.slots.is_empty()
            && std::ptr::eq(planned.intent.slots, new.intent.slots))
}

/// True when `later` asks for `matched`'s intent again and every argument it reads differently
/// from `before` was left to its default there: it says more about the same step.
fn only_adds_to(before: &Clause, later: &Clause, matched: &Matched) -> bool {
    // "The motorbike on its own as a 3D model, and then a 3D version of the whole street
    // scene": the whole of it is another step, not the default of this one.
    const WHOLE: &[&str] = &["whole", "entire", "everything", "full scene"];
    if later.has_any(WHOLE)
        && !before.has_any(WHOLE)
        // Not "just the first screen, not the whole page".
        && !later.has_any(&["not ~ whole", "not ~ entire", "rather than ~ whole", "instead of ~ whole"])
    {
        return false;
    }
    let neutral = Clause::new("", &before.request);
    let defaults = slot_values(&neutral, matched);
    slot_values(before, matched)
        .into_iter()
        .zip(slot_values(later, matched))
        .zip(defaults)
        .all(|((was, now), default)| {
            was == now || now.is_none() || now == default || was == default
        })
}

/// The arguments an intent reads from a clause.
fn slot_values(clause: &Clause, matched: &Matched) -> Vec<Option<Value>> {
    matched
        .intent
        .slots
        .iter()
        .map(|slot| (slot.read)(clause))
        .collect()
}

/// The arguments an intent's slots fill from a clause, by name.
fn read_args(clause: &Clause, matched: &Matched) -> serde_json::Map<String, Value> {
    matched
        .intent
        .slots
        .iter()
        .filter_map(|slot| (slot.read)(clause).map(|value| (slot.arg.to_owned(), value)))
        .collect()
}

/// The previous clause's intents re-read with `fragment` appended, when the fragment refines
/// them (a noun phrase such as "pixelation is fine") or extends them ("then 512x512" adds a
/// resize): never when it is an ask of its own that nothing understood.
fn refine(
    before: &Clause,
    fragment: &Clause,
    request: &str,
    inputs: &[ArtifactMeta],
    catalog: &ToolCatalog,
    planned: &[(Clause, Matched)],
) -> Option<Vec<(Clause, Matched)>> {
    // "Make it black and white. 4000x3000 originally.": the size the picture has is no ask.
    if vitrine_tools::meaning::read::has_dimensions(fragment)
        && fragment.has_any(&[
            "originally",
            "currently",
            "right now",
            "at the moment",
            "keep*",
            "is",
            "it's",
            "was",
            "already",
        ])
    {
        return None;
    }
    // "Can you mosaic the faces? Actually no, solid black boxes would be better": a correction's
    // words come first, so what it says wins.
    let merged = Clause::new(
        &corrected_number(before, fragment).unwrap_or_else(|| {
            if fragment.has_any(&[
                "actually",
                "instead",
                "on second thought*",
                "would be better",
            ]) {
                format!("{} {}", fragment.text, before.text)
            } else {
                before.inserting(&fragment.text)
            }
        }),
        request,
    );
    let produced = produced_kinds(planned);
    let (usable, _) = candidates(&merged, inputs, &produced, catalog);
    // The intents planned before stay, in their order; new ones follow.
    let mut refined: Vec<Matched> = Vec::new();
    for (_, old) in planned {
        let again = usable
            .iter()
            .find(|new| std::ptr::eq(new.intent, old.intent))?;
        refined.push(again.clone());
    }
    // New steps are those the fragment's words bring: not ones the words before match alone
    // that were planned earlier ("… deal with both, the face and the details" read again with
    // "we're on a deadline" adds nothing).
    let (said_before, _) = candidates(before, inputs, &produced, catalog);
    // "Design a square logo of a coffee cup, … hand-drawn looking": words after a picture to
    // be made from words say more of that picture, unless they ask for something themselves.
    let describes_the_picture_made = !planned.is_empty()
        && planned
            .iter()
            .all(|(_, old)| old.intent.input.kind().is_none())
        && candidates(fragment, inputs, &produced, catalog)
            .0
            .is_empty();
    // "Crop it to the top half. Don't resize it though": what a negation names is not asked.
    let forbids = forbids_a_step(fragment);
    let mut extends = false;
    // "When was it taken? The client wants the original date": a new step comes from the
    // fragment's own words, not from words of both halves that fit it only together.
    for new in usable
        .into_iter()
        .filter(|_| !describes_the_picture_made && !forbids)
        // Nor one forbidden by the words before ("… don't resize it though, the printer needs
        // the original pixels").
        .filter(|new| {
            !has_a_cue_of(new, |phrase| {
                ["don't", "dont", "do not", "never"]
                    .iter()
                    .any(|not| before.has(&format!("{not} {phrase}")))
            })
        })
        .filter(|new| has_a_cue_of(new, |phrase| fragment.has(phrase)))
    {
        if !refined
            .iter()
            .chain(&said_before)
            .any(|kept| std::ptr::eq(kept.intent, new.intent))
        {
            refined.push(new);
            extends = true;
        }
    }
    let changes_arguments = planned
        .iter()
        .any(|(clause, old)| slot_values(clause, old) != slot_values(&merged, old));
    // "Crop it square. Then 512x512": a size said alone, after steps that take none, asks for
    // that size.
    // Not after a step with a size of its own ("extract 5 frames. 640 wide").
    const SIZES: &[&str] = &["width", "height", "max_side", "size", "long_side"];
    let takes_a_size = |matched: &Matched| {
        matched
            .intent
            .slots
            .iter()
            .any(|slot| SIZES.contains(&slot.arg))
    };
    if !extends
        && !changes_arguments
        && vitrine_tools::meaning::read::has_dimensions(fragment)
        && !planned.iter().any(|(_, old)| takes_a_size(old))
    {
        let sized = Clause::new(&format!("resize to {}", fragment.text), request);
        let (found, _) = candidates(&sized, inputs, &produced, catalog);
        for new in found.into_iter().filter(takes_a_size) {
            if !refined
                .iter()
                .any(|kept| std::ptr::eq(kept.intent, new.intent))
            {
                refined.push(new);
                extends = true;
            }
        }
    }
    // "…and draw boxes around them": the fragment speaks the planned intent's words (its
    // own words, not a pronoun some cue lists for "invert it").
    let speaks_of_it = planned
        .iter()
        .any(|(_, old)| has_a_cue_of(old, |phrase| fragment.has(phrase)));
    let modifies = !clauses::is_an_ask(fragment) || clauses::starts_with_a_noun(fragment);
    // "De-identify him, and make the text on his badge unreadable": an ask with a thing of
    // its own, which the step before does not act on, asks for more than a refinement.
    // Only before a purpose: not "box them so I can check them against the safety plan".
    let before_a_purpose = fragment
        .words
        .iter()
        .position(|word| ["so", "for", "because", "since"].contains(&word.text.as_str()))
        .unwrap_or(fragment.words.len());
    let names_its_own_thing = clauses::is_an_ask(fragment)
        && !clauses::starts_with_a_noun(fragment)
        && fragment.words[..before_a_purpose].windows(2).skip(1).any(|pair| {
            ["the", "his", "her", "their", "those", "these", "all"].contains(&pair[0].text.as_str())
                && pair[1].text.len() > 2
                // Not "under 720 px on the long side", "around the box": where and how.
                && ![
                    "long", "short", "side", "sides", "box", "boxes", "edge", "edges", "margin",
                    "corner", "corners", "top", "bottom", "left", "right", "middle", "centre",
                    "center", "way", "rest", "same", "whole", "image", "picture", "photo",
                    "video", "file", "result", "output", "one", "ones", "end", "start",
                    // "Hide those too": no thing named after the pointer.
                    "too", "also", "now", "then", "please", "again", "instead", "as",
                ]
                .contains(&pair[1].text.as_str())
                && !before.words.iter().any(|said| said.text == pair[1].text)
        });
    // "Buyers keep asking for a 3D view - can you make one of the table only?": "one" is the
    // step before, made of the thing named.
    // Not "… and one of the teapot too", one more, nor after "the whole room", a second one.
    let one_of_those =
        fragment.has_any(&["make one", "do one", "create one", "build one", "get one"])
            && !fragment.has_any(&["too", "as well", "also", "another", "second"])
            && !before.has_any(&["whole", "entire", "scene", "everything"]);
    if asks_one_more_of_the_same(fragment) {
        return None;
    }
    // "Blur his face and | cover the details on the card": its verb alone is not the step
    // before spoken of again, when the thing it names is its own.
    // The verb with the word after it ("cover the", "cover up").
    let opening_verb = fragment.words.first().map(|first| {
        let opening = match fragment.words.get(1) {
            Some(next) => format!("{} {}", first.text, next.text),
            None => first.text.clone(),
        };
        Clause::new(&opening, &opening)
    });
    let speaks_of_more_than_its_verb = planned.iter().any(|(_, old)| {
        has_a_cue_of(old, |phrase| {
            fragment.has(phrase) && !opening_verb.as_ref().is_some_and(|verb| verb.has(phrase))
        })
    });
    if names_its_own_thing && !extends && !speaks_of_more_than_its_verb && !one_of_those {
        return None;
    }
    // "Find the helmet and crop to it": an ask with a verb of its own that only lengthens a
    // step's free words is not words about that step (the helmet is not "helmet crop to it").
    let own_verb = clauses::is_an_ask(fragment)
        && fragment.words.first().is_some_and(|first| {
            Clause::new(&first.text, &first.text)
                .has_any(vitrine_tools::meaning::lexicon::ACTION_WORDS)
        });
    const FREE_WORDS: &[&str] = &["labels", "prompt", "object"];
    let changed = |free: bool| {
        planned.iter().any(|(clause, old)| {
            old.intent.slots.iter().any(|slot| {
                FREE_WORDS.contains(&slot.arg) == free
                    && (slot.read)(clause) != (slot.read)(&merged)
            })
        })
    };
    let only_free_words_change = changed(true) && !changed(false);
    if own_verb && only_free_words_change && !extends && !speaks_of_it && !one_of_those {
        return None;
    }
    // "… black boxes over the faces. Not blur, boxes.": a word or two that says again what
    // is planned.
    let restates = fragment.words.len() <= 2
        && !refined.is_empty()
        && fragment
            .words
            .iter()
            .all(|word| before.words.iter().any(|said| said.text == word.text));
    if refined.is_empty() {
        return None;
    }
    (extends || changes_arguments || speaks_of_it || modifies || restates).then(|| {
        refined
            .into_iter()
            .map(|matched| (merged.clone(), matched))
            .collect()
    })
}

/// True when `clause` opens with a negation that forbids what it names ("don't resize it
/// though"), not one that asks anyway ("don't forget to crop it", "no need to resize, just
/// grayscale") nor one that hides ("don't show anyone's face", "don't leave the names
/// readable").
fn forbids_a_step(clause: &Clause) -> bool {
    clauses::first_after_lead_ins(clause).is_some_and(clauses::is_negation)
        && !clause.has_any(&[
            "but", "instead", "just", "only", "forget", "hesitate", "mind", "fail",
        ])
        && !clause.has_any(&[
            "show*", "reveal*", "expose*", "let", "leave", "visible", "readable", "legible",
        ])
}

/// Whether one of `matched`'s own cue words passes `said` (not a pronoun some cue lists, as
/// "invert it" does: any fragment would say it).
fn has_a_cue_of(matched: &Matched, said: impl Fn(&str) -> bool) -> bool {
    matched
        .intent
        .cues
        .iter()
        .flat_map(|group| group.iter())
        .filter(|phrase| !["it", "them", "this", "that"].contains(phrase))
        .any(|phrase| said(phrase))
}

/// "A 3D model of the vase? And one of the teapot too": one more step like the one before, on
/// another thing, which a refinement would lose and which is no description either.
fn asks_one_more_of_the_same(fragment: &Clause) -> bool {
    fragment.has_any(&["one of"]) && fragment.has_any(&["too", "as well", "also", "another"])
}

/// "Resize it to 1000 px wide" then "actually no, make that 1200": the earlier words with what
/// the correction gives in place of what it corrects — a word of one kind swapped (see
/// [`swapped_words`]), then the last number replaced when the correction gives exactly one.
fn corrected_number(before: &Clause, fragment: &Clause) -> Option<String> {
    if !fragment.has_any(CORRECTIONS) {
        return None;
    }
    let swapped = swapped_words(before, fragment);
    let earlier_text = swapped.as_deref().unwrap_or(&before.text);
    let numbers = |text: &str| -> Vec<String> {
        vitrine_tools::meaning::read::in_numbers(text)
            .split(|c: char| !c.is_ascii_digit() && c != '.')
            .filter(|part| !part.is_empty() && part.chars().any(|c| c.is_ascii_digit()))
            .map(str::to_owned)
            .collect()
    };
    let renumbered = (|| {
        let [given] = numbers(&fragment.text).try_into().ok()?;
        let earlier = vitrine_tools::meaning::read::in_numbers(earlier_text);
        let last = numbers(&earlier).pop()?;
        let at = earlier.rfind(last.as_str())?;
        Some(format!(
            "{}{given}{}",
            &earlier[..at],
            &earlier[at + last.len()..]
        ))
    })();
    // "Make that solid black boxes instead": the rest of the correction says more.
    renumbered.or_else(|| swapped.map(|earlier| format!("{earlier} {}", fragment.text)))
}

/// "Blur the bottom left quarter … sorry, I meant bottom right", "convert this jpg to png — no
/// wait, webp": the earlier words with the last word of each kind the correction names (sides,
/// formats, orientations, ways of hiding) swapped for it; not a word it rules out ("no, not
/// png, jpg").
fn swapped_words(before: &Clause, fragment: &Clause) -> Option<String> {
    const KINDS: &[&[&str]] = &[
        &["left", "right"],
        &["top", "bottom", "upper", "lower"],
        &["png", "jpg", "jpeg", "webp", "tiff", "bmp"],
        &["landscape", "portrait"],
        // "Half the size please. Actually, make it a quarter."
        &["half", "third", "quarter", "fifth", "tenth"],
        &[
            "mosaic",
            "pixelate",
            "pixelated",
            "pixelation",
            "blur",
            "blurred",
            "blurring",
            // Not "solid": "solid black boxes" swaps in "black".
            "black",
        ],
    ];
    let mut swaps: Vec<(usize, usize, &str)> = Vec::new();
    for kind in KINDS {
        let named = fragment.words.iter().enumerate().find(|(at, word)| {
            kind.contains(&word.text.as_str())
                && !at
                    .checked_sub(1)
                    .and_then(|before| fragment.words.get(before))
                    .is_some_and(|previous| ["not", "no"].contains(&previous.text.as_str()))
        });
        let Some((_, new)) = named else {
            continue;
        };
        // Sides name two axes at once ("bottom left"): each kind swaps its last word only.
        if let Some(old) = before
            .words
            .iter()
            .rev()
            .find(|word| kind.contains(&word.text.as_str()))
            && old.text != new.text
        {
            swaps.push((old.start, old.text.len(), &new.text));
        }
    }
    // "… landscape 3:2 — no actually, portrait 2:3": a ratio for a ratio.
    static RATIO: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b\d+(?:\.\d+)?:\d+(?:\.\d+)?\b").expect("pattern"));
    if let [new] = RATIO.find_iter(&fragment.text).collect::<Vec<_>>()[..]
        && let Some(old) = RATIO.find_iter(&before.text).last()
        && old.as_str() != new.as_str()
        && !swaps
            .iter()
            .any(|(start, ..)| (old.start()..old.end()).contains(start))
    {
        swaps.push((old.start(), old.len(), new.as_str()));
    }
    if swaps.is_empty() {
        return None;
    }
    // Replace from the end so earlier offsets stay valid; "9:16" and "1:30" stay as written.
    swaps.sort_by_key(|(start, ..)| std::cmp::Reverse(*start));
    let mut earlier = before.text.clone();
    for (start, len, new) in swaps {
        earlier.replace_range(start..start + len, new);
    }
    Some(earlier)
}

/// Plans `instruction` and refuses anything it cannot plan completely.
///
/// # Errors
/// As [`understand`], and [`AgentError::NotPossible`] when a part is not done.
pub fn plan_offline(
    instruction: &str,
    schema: Option<&Value>,
    inputs: &[ArtifactMeta],
    catalog: &ToolCatalog,
) -> Result<Plan, AgentError> {
    let understanding = understand(instruction, schema, inputs, catalog)?;
    if !understanding.not_done.is_empty() {
        return Err(AgentError::NotPossible {
            not_done: understanding.not_done,
        });
    }
    Ok(understanding.plan)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn has(inputs: &[ArtifactMeta], kind: ArtifactKind) -> bool {
    inputs.iter().any(|input| input.kind == kind)
}

/// Text-to-image asks only when nothing is attached: with media attached, "render page 2" or
/// "make a picture of …" is about that media.
fn without_text_to_image(found: Vec<Matched>, inputs: &[ArtifactMeta]) -> Vec<Matched> {
    found
        .into_iter()
        .filter(|matched| {
            inputs.is_empty() || !(matched.intent.per_view && matched.intent.input.kind().is_none())
        })
        .collect()
}

/// "Cut the background out, keep just the product", "put the dress on her; keep her pose and
/// the background": what a background removal or a generative edit keeps, said beside it.
fn says_what_the_step_keeps(asked: &[(Clause, Matched)], clause: &Clause) -> bool {
    let planned = |name: &str| asked.iter().any(|(_, matched)| matched.tool.name() == name);
    let starts_keeping = clause.words.first().is_some_and(|first| {
        ["keep", "leave", "preserve", "retain"].contains(&first.text.as_str())
    });
    (planned("remove_background")
        && clause.words.len() <= 6
        && clause.has_any(&["keep ~ just", "keep ~ only", "leave ~ just", "leave ~ only"]))
        || (planned("edit_image")
            && starts_keeping
            && clause.words.len() <= 8
            // Not "keep it under 1000 pixels wide", "keep it square": a step of its own.
            && clause.has_any(&[
                "pose",
                "background",
                "face*",
                "expression",
                "lighting",
                "hair",
                "style",
                "the rest",
                "everything else",
                "identity",
            ]))
}

/// The picture an ask worked on stays its picture when the ask is read again, refined.
fn keep_the_picture(picture_of: &mut Vec<(String, usize)>, said: &str, refined: &str) {
    if let Some(&(_, picture)) = picture_of.iter().find(|(text, _)| text == said) {
        picture_of.push((refined.to_owned(), picture));
    }
}

/// "This contract is 14 pages", "the clip runs about 40 minutes": a short description that
/// only measures the input.
fn measures_the_input(description: &Clause) -> bool {
    let words = clauses::texts(description);
    // The measure said of it ("is 14 pages", "runs about 40 minutes"), not "only the first 30
    // seconds are useful", a part.
    let measure = |pair: &[&str]| {
        pair[0].chars().all(|c| c.is_ascii_digit())
            && [
                "pages",
                "page",
                "minutes",
                "minute",
                "mins",
                "seconds",
                "secs",
                "mb",
                "kb",
                "gb",
                "megabytes",
                "hours",
                "hour",
            ]
            .contains(&pair[1])
    };
    words.len() <= 8
        && words.iter().enumerate().any(|(at, verb)| {
            ["is", "has", "runs", "lasts", "weighs"].contains(verb)
                && (words.get(at + 1..at + 3).is_some_and(measure)
                    || (words.get(at + 1).is_some_and(|about| {
                        ["about", "around", "roughly", "over"].contains(about)
                    }) && words.get(at + 2..at + 4).is_some_and(measure)))
        })
}

/// "Just do the resize", "go ahead with the crop": a step already planned, named by its
/// intent's words.
fn names_a_planned_step(clause: &Clause, asked: &[(Clause, Matched)]) -> bool {
    let words = clauses::texts(clause);
    let named = match words.as_slice() {
        ["just" | "only", "do", "the", rest @ ..]
        | ["do", "the", rest @ ..]
        | ["go", "ahead", "with", "the", rest @ ..]
        | ["just", "the", rest @ ..] => rest,
        _ => return false,
    };
    // Not "actually just do the blur" (only that one now) nor "do the crop first" (an order).
    if named.is_empty()
        || named.len() > 2
        || named
            .iter()
            .any(|word| ["first", "last", "before", "after", "instead", "only"].contains(word))
        || clause.has_any(&["actually", "instead", "rather"])
    {
        return false;
    }
    let named = Clause::new(&named.join(" "), &clause.request);
    asked.iter().any(|(_, matched)| {
        matched
            .intent
            .cues
            .iter()
            .any(|group| group.iter().any(|phrase| named.has(phrase)))
    })
}

/// "Actually just do the blur", "on second thought, only the crop", "actually just make it
/// black and white": the planned steps a correction keeps when it names some but not all of
/// them, and whether its words ask for a step themselves (then they are read as an ask too,
/// for what they say of it: "actually just pixelate the faces").
fn narrowed_to(
    clause: &Clause,
    asked: &[(Clause, Matched)],
    inputs: &[ArtifactMeta],
    produced: &Produced,
    catalog: &ToolCatalog,
) -> Option<(Vec<&'static str>, bool)> {
    // A correction word proper: not "sorry, just to be clear …", which says more.
    if !clause.has_any(&[
        "actually",
        "on second thought*",
        "scratch that",
        "instead",
        "i mean",
        "no wait",
        "wait no",
    ]) {
        return None;
    }
    let words = clauses::texts(clause);
    let start = words.iter().position(|word| {
        ![
            "actually", "no", "wait", "on", "second", "thought", "thoughts", "sorry", "ok", "okay",
            "hmm", "oh", "scratch", "that", "i", "mean", "instead",
        ]
        .contains(word)
    })?;
    let rest = match &words[start..] {
        ["just" | "only", "do", rest @ ..] | ["do", "only", rest @ ..] => rest,
        ["just" | "only", rest @ ..] => rest,
        _ => return None,
    };
    let rest = rest
        .iter()
        .copied()
        .filter(|word| !["please", "thanks", "then", "thank", "you"].contains(word))
        .collect::<Vec<_>>()
        .join(" ");
    let rest = Clause::new(&rest, &clause.request);
    // "Actually just blur them a bit more", "just make sure they're really blurred": how much
    // of a step, not which steps.
    if rest.has_any(&[
        "more", "less", "again", "too", "as well", "also", "sure", "a bit", "really", "strong*",
        "heav*", "light*",
    ]) {
        return None;
    }
    let planned: Vec<&'static str> = asked
        .iter()
        .map(|(_, matched)| matched.tool.name())
        .collect();
    let (found, _) = candidates(&rest, inputs, produced, catalog);
    let (kept, asks_again): (Vec<&'static str>, bool) = if found.is_empty() {
        let named = asked
            .iter()
            .filter(|(_, matched)| {
                matched
                    .intent
                    .cues
                    .iter()
                    .any(|group| group.iter().any(|phrase| rest.has(phrase)))
            })
            .map(|(_, matched)| matched.tool.name())
            .collect();
        (named, false)
    } else {
        let named = found
            .iter()
            .map(|matched| matched.tool.name())
            .filter(|name| planned.contains(name))
            .collect();
        (named, true)
    };
    // "Blur the faces and crop it. Instead, only make it black and white": a step not
    // planned, in place of them all.
    let replaces_all = asks_again && kept.is_empty();
    let takes_some_back = !kept.is_empty() && planned.iter().any(|name| !kept.contains(name));
    (takes_some_back || replaces_all).then_some((kept, asks_again))
}

/// Whether `clause` read with the last planned ask changes that step's arguments.
fn says_more_of_last(asked: &[(Clause, Matched)], clause: &Clause) -> bool {
    asked.last().is_some_and(|(before, matched)| {
        let merged = Clause::new(&format!("{} {}", before.text, clause.text), &clause.request);
        slot_values(&merged, matched) != slot_values(before, matched)
    })
}

/// "A patient's face is visible in the corner and the monitor shows names. Could you deal with
/// both?": a vague "deal with" aimed at faces or personal details described before hides them
/// (not "it's too dark, can you fix it", whose description names nothing to hide).
fn hiding_what_was_described(clause: Clause, described: &Descriptions, request: &str) -> Clause {
    const VAGUE: &[&str] = &[
        "deal with",
        "take care of",
        "sort out",
        "sort it out",
        "sort them out",
        "sort that out",
        "sort those out",
        "handle",
        "fix",
        "address",
    ];
    const POINTING: &[&str] = &[
        "both",
        "it",
        "them",
        "those",
        "these",
        "that",
        "all of it",
        "all of them",
        "each",
    ];
    // Only descriptions since the last ask: "…, could you take care of that?" after an ask
    // points at that ask.
    // Described as there to be seen ("a patient's face is visible", "the list shows names"),
    // not as a flaw of the picture ("red-eye on their faces", "the label is blurry").
    let hideable = |one: &Clause| {
        one.has_any(&["@faces", "@phi"])
            && one.has_any(&[
                "visible",
                "show*",
                "see",
                "seen",
                "readable",
                "legible",
                "recogni*",
                "identif*",
                "list*",
                "printed",
                "written",
                "in the corner",
                "in the background",
                // "The second screenshot is the one with the customer's email on it".
                "on it",
                "on them",
                "on there",
                // "His name is on the lunchbox".
                "is on",
                "are on",
            ])
            && !one.has_any(&[
                "fine",
                "ok",
                "okay",
                "happy",
                "can stay",
                "agreed",
                "consented",
                "blurry",
                "soft",
                "dark",
                "shadow*",
                "red eye",
                "red-eye",
                "bright",
                "noisy",
                "grainy",
                "focus",
                "sharp*",
            ])
    };
    let hideable_described = described.since_ask.iter().any(&hideable);
    // "Only redact that one": a hiding verb aimed only at what was pointed to hides the faces
    // or personal details described there.
    // The hiding verb's object is only a pointer ("only redact that one", "blur those").
    let words = clauses::texts(&clause);
    const POINTERS: &[&str] = &["it", "them", "those", "these", "that", "they"];
    let hiding_verb = words
        .iter()
        .position(|word| Clause::new(word, word).has_any(&["@hide"]));
    // "… so that needs covering as well": the pointer said first, then what it needs.
    let pointer_first = words
        .iter()
        .find(|word| !["so", "and", "but", "then", "also"].contains(*word))
        .is_some_and(|first| POINTERS.contains(first))
        && clause.has_any(&["@hide"])
        // Not "that doesn't need hiding", "that shouldn't be blurred".
        && !words.iter().any(|word| clauses::is_negation(word))
        && words.len() <= 8;
    let pointed_at = pointer_first
        || hiding_verb
            .and_then(|at| words.get(at + 1))
            .is_some_and(|object| POINTERS.contains(object));
    if hideable_described
        && pointed_at
        && clause.has_any(&["@hide"])
        && !clause.has_any(&[
            "@faces",
            "@phi",
            "text",
            "writing",
            "words",
            "everything",
            "both",
        ])
        && !points_at_an_area(&clause)
        && clause.words.len() <= 6
    {
        // "Strangers are visible in the background": people, so their faces (not "people's
        // names are on the board", text).
        let faces = described.since_ask.iter().any(|one| {
            hideable(one)
                && (one.has_any(&["face", "faces", "facial"])
                    || (one.has_any(&["@faces"]) && !one.has_any(&["@phi"])))
                && !clauses::says_no_faces_are_there(one)
        });
        let details = described
            .since_ask
            .iter()
            .any(|one| hideable(one) && one.has_any(&["@phi"]));
        let what = match (faces, details) {
            (true, true) => "the faces and the personal details",
            (true, false) => "the faces",
            _ => "the personal details",
        };
        return Clause::new(&format!("{} {what}", clause.text), request);
    }
    if !hideable_described
        || !clause.has_any(POINTING)
        || clause.has_any(&["@hide", "@remove"])
        || !clauses::first_after_lead_ins(&clause).is_some_and(|verb| {
            ["deal", "take", "sort", "handle", "fix", "address"].contains(&verb)
        })
    {
        return clause;
    }
    let said = format!(" {} ", clause.text);
    match VAGUE
        .iter()
        .find(|vague| said.contains(&format!(" {vague} ")))
    {
        Some(vague) => {
            let hidden = said.replacen(&format!(" {vague} "), " hide ", 1);
            Clause::new(hidden.trim(), request)
        }
        None => clause,
    }
}

/// "That strip", "that whole quarter": an area named before, pointed at.
fn points_at_an_area(clause: &Clause) -> bool {
    const AREAS: &[&str] = &[
        "strip", "area", "part", "bit", "band", "section", "region", "quarter", "half", "corner",
        "side", "patch", "spot",
    ];
    let words: Vec<&str> = clause.words.iter().map(|word| word.text.as_str()).collect();
    words.iter().enumerate().any(|(at, word)| {
        *word == "that"
            && words[at + 1..]
                .iter()
                // "That bottom half", "that whole quarter".
                .find(|next| {
                    ![
                        "whole", "entire", "same", "top", "bottom", "left", "right", "upper",
                        "lower",
                    ]
                    .contains(next)
                })
                .is_some_and(|next| AREAS.contains(next))
    })
}

/// The intent of tool `name` the semantic fallback chose (`index`), or else the first of its
/// intents that accepts `clause` and whose inputs are at hand.
fn closest_intent(
    name: &str,
    index: Option<usize>,
    clause: &Clause,
    inputs: &[ArtifactMeta],
    produced: &Produced,
    catalog: &ToolCatalog,
) -> Vec<Matched> {
    let Some(tool) = catalog.get(name) else {
        return Vec::new();
    };
    let intents = tool.meaning().intents;
    // "Hide the text" is close to "hide the faces": where the words meet a hiding intent's
    // verb and not what it hides, the thing named is another, and the phrasings' likeness
    // would hide the wrong thing.
    let verb_without_its_object = intents.iter().any(|intent| {
        intent.cues.len() > 1
            && intent.cues[0]
                .iter()
                .any(|cue| ["@hide", "@remove"].contains(cue))
            && clause.has_any(intent.cues[0])
            && !intent.cues[1..].iter().all(|group| clause.has_any(group))
    });
    if verb_without_its_object {
        return Vec::new();
    }
    let chosen: Vec<&'static vitrine_tools::meaning::Intent> = match index {
        Some(index) => intents.get(index).into_iter().collect(),
        None => intents.iter().collect(),
    };
    for intent in chosen {
        if intent.accept.is_some_and(|accept| !accept(clause)) {
            continue;
        }
        // A guess from likeness alone never lays out a single picture ("write the caption
        // along the bottom" is no collage of one photo).
        if name == "combine_images"
            && inputs
                .iter()
                .filter(|input| input.kind == ArtifactKind::Image)
                .count()
                < 2
        {
            continue;
        }
        let matched = Matched {
            tool: std::sync::Arc::clone(tool),
            intent,
            spans: Vec::new(),
            rank: 0,
        };
        let usable = by_input(vec![matched], inputs, produced, clause).0;
        if !usable.is_empty() {
            return usable;
        }
    }
    Vec::new()
}

/// Splits matches into those whose media is attached and those whose is not; where one wording
/// serves several kinds (faces in a photo or a video), keeps the kind the clause names, else the
/// kind attached first.
fn by_input(
    found: Vec<Matched>,
    inputs: &[ArtifactMeta],
    produced: &Produced,
    clause: &Clause,
) -> (Vec<Matched>, Vec<Matched>) {
    // A PDF's pages are images once rendered ("read the text on page 2").
    let pages = has(inputs, ArtifactKind::Document)
        && clause.has_any(&[
            "page*",
            "pg",
            "pdf*",
            "document*",
            "doc",
            "sheet*",
            "slide*",
        ]);
    let available = |matched: &Matched, kind: ArtifactKind| {
        has(inputs, kind)
            || produced.one.contains(&kind)
            || (produced.lists.contains(&kind) && matches!(matched.intent.input, Input::All { .. }))
            || (kind == ArtifactKind::Image && pages)
    };
    // "Put a solid black box over the top-right quarter": one picture on another needs two.
    let images = inputs
        .iter()
        .filter(|input| input.kind == ArtifactKind::Image)
        .count()
        + usize::from(produced.one.contains(&ArtifactKind::Image));
    let (mut usable, mut unusable): (Vec<Matched>, Vec<Matched>) =
        found.into_iter().partition(|matched| {
            let pair_of_images = matches!(matched.intent.input, Input::Pair { .. })
                && matched.intent.input.kind() == Some(ArtifactKind::Image);
            matched
                .intent
                .input
                .kinds()
                .into_iter()
                .all(|kind| available(matched, kind))
                && (!pair_of_images || images >= 2)
        });
    // "The attached PDF is a witness bundle": a PDF's rendered page is not made into a PDF again.
    if pages && !has(inputs, ArtifactKind::Image) && !produced.one.contains(&ArtifactKind::Image) {
        usable.retain(|matched| {
            matched.intent.input.kind() != Some(ArtifactKind::Image)
                || !matched
                    .tool
                    .outputs()
                    .iter()
                    .any(|spec| spec.kind == ArtifactKind::Document)
        });
    }
    // "We're putting this photo on the website": without a `url_` ref attached, words about a
    // site ask for no link to be opened (a typed address is matched by its own intent).
    unusable.retain(|matched| matched.intent.input.kind() != Some(ArtifactKind::Url));
    // A clause that edits the whole PDF ("scrub the faces and names from every page") is not
    // also an edit of one rendered page: image intents that only the rendering made usable go.
    let edits_document = usable.iter().any(|matched| {
        matched.intent.input.kind() == Some(ArtifactKind::Document)
            && matched
                .tool
                .outputs()
                .iter()
                .any(|spec| spec.kind == ArtifactKind::Document)
    });
    if edits_document
        && !has(inputs, ArtifactKind::Image)
        && !produced.one.contains(&ArtifactKind::Image)
    {
        usable.retain(|matched| matched.intent.input.kind() != Some(ArtifactKind::Image));
    }
    // "Render page 2 and blur the face on it": with an image at hand and no word for the whole
    // document, a face or text is hidden on the image, not across the PDF.
    let image_at_hand =
        has(inputs, ArtifactKind::Image) || produced.one.contains(&ArtifactKind::Image);
    let names_document = clause.has_any(&[
        "pdf*",
        "document*",
        "doc",
        "file",
        "pages",
        "every page",
        "each page",
        "form*",
    ]);
    if image_at_hand
        && !names_document
        && usable
            .iter()
            .any(|matched| matched.intent.input.kind() == Some(ArtifactKind::Image))
    {
        usable.retain(|matched| matched.intent.input.kind() != Some(ArtifactKind::Document));
    }
    let named = if clause.has_any(&["@video"]) {
        Some(ArtifactKind::Video)
    } else if clause.has_any(&["image*", "photo*", "picture*", "pic", "selfie*"]) {
        Some(ArtifactKind::Image)
    } else {
        None
    };
    let first_kind = inputs.first().map(|input| input.kind);
    let mut kept: Vec<Matched> = Vec::new();
    for matched in usable {
        let twin = kept.iter().position(|other| {
            std::ptr::eq(other.intent.cues, matched.intent.cues)
                && other.intent.input.kind() != matched.intent.input.kind()
        });
        match twin {
            None => kept.push(matched),
            Some(index) => {
                let preferred = named.or(first_kind);
                if matched.intent.input.kind() == preferred
                    && kept[index].intent.input.kind() != preferred
                {
                    kept[index] = matched;
                }
            }
        }
    }
    // "Take out the patient details and the patient photo": with one verb, the order of the
    // things named.
    // "Clean this up so nobody can be identified - faces, name tags, the lot": faces and
    // personal details hidden in one clause go in the order they are named, whichever of the
    // clause's hiding words each matched.
    let hides_people = |matched: &Matched| {
        hides_faces(matched) || matches!(matched.tool.name(), "redact_phi" | "redact_document")
    };
    let first_hiding = kept
        .iter()
        .filter(|matched| hides_people(matched))
        .map(Matched::start)
        .min();
    // "Remove anything that could identify the patient: her face, her name and the MRN": after
    // a colon, the list says the order.
    let listed_from = clause
        .text
        .find(':')
        .and_then(|colon| clause.words.iter().position(|word| word.start > colon));
    let listed_at = |matched: &Matched| {
        let from = listed_from?;
        // Faces by the word (not "the parents' names", people named for their details).
        let kind: &[&str] = if hides_faces(matched) {
            &["face", "faces", "facial", "photo*", "headshot*"]
        } else {
            &["@phi"]
        };
        clause.words[from..]
            .iter()
            .position(|word| Clause::new(&word.text, "").has_any(kind))
            .map(|at| from + at)
    };
    kept.sort_by_key(|matched| {
        let object = listed_at(matched)
            .filter(|_| hides_people(matched))
            .unwrap_or_else(|| matched.spans.last().map_or(0, |span| span.start));
        let start = first_hiding
            .filter(|_| hides_people(matched))
            .unwrap_or_else(|| matched.start());
        (start, object, matched.rank)
    });
    // What turns the clause's media into another kind runs before what reads the result.
    kept.sort_by_key(|matched| !converts(matched));
    // "… a mask of the person, and show it as a black and white picture": a mask shown as a
    // picture is black and white already.
    if kept
        .iter()
        .any(|matched| matched.tool.name() == "mask_to_image")
        // Not "… and a black and white copy of the photo".
        && !clause.has_any(&["photo*", "copy", "original"])
    {
        kept.retain(|matched| matched.tool.name() != "grayscale");
    }
    (kept, unusable)
}

/// True when a step makes a picture from words alone.
fn generates(matched: &Matched) -> bool {
    matches!(matched.intent.input, Input::None) && matched.intent.per_view
}

/// True when a step hides faces (in a photo or a video).
fn hides_faces(matched: &Matched) -> bool {
    matches!(matched.tool.name(), "blur_faces" | "blur_faces_video")
}

/// True when a step hides something: faces, text, an area.
fn hides(matched: &Matched) -> bool {
    hides_faces(matched)
        || matches!(
            matched.tool.name(),
            "redact_phi" | "redact_image" | "redact_document"
        )
}

/// "Blur faces, open day clip", "meetup pic", "listing no. 5521": a few words that end with the
/// input's noun, or give a reference number, only say what it is, beside an ask.
fn labels_the_input(clause: &Clause) -> bool {
    const MEDIA: &[&str] = &[
        "clip",
        "clips",
        "video",
        "footage",
        "recording",
        "photo",
        "photos",
        "pic",
        "pics",
        "picture",
        "image",
        "shot",
        "snap",
        "scan",
        "screenshot",
    ];
    let words = clauses::texts(clause);
    let reference = words.len() <= 4
        && words.windows(2).any(|pair| {
            [
                "no",
                "nr",
                "number",
                "ref",
                "reference",
                "id",
                "order",
                "case",
                "ticket",
            ]
            .contains(&pair[0])
                && pair[1].chars().all(|c| c.is_ascii_digit())
        });
    reference
        || words.len() <= 4
            && words.last().is_some_and(|last| MEDIA.contains(last))
            && !words.iter().any(|word| {
                [
                    "it", "this", "me", "you", "please", "pls", "my", "your", "the", "a", "to",
                    "of",
                ]
                .contains(word)
            })
}

/// "Blur the faces. Don't redact the names", "hide the patient details, no need to touch the
/// faces", "…, the name on the sign is fine": a negation, or a word that it is fine, about the
/// kind of detail the hiding just asked leaves alone says what stays; read into that step it
/// would hide it after all.
fn spares_what_was_not_hidden(clause: &Clause, asked: &[(Clause, Matched)]) -> bool {
    let names_faces = clause.has_any(&["@faces"]);
    let names_details = clause.has_any(&["@phi"]);
    // "Don't leave the names readable" hides them after all.
    let spares = clause.has_any(&["@hide", "@remove", "touch*", "bother*", "worry*"])
        && !clause.has_any(&["leave", "let", "readable", "legible", "visible", "showing"])
        && clauses::first_after_lead_ins(clause).is_some_and(clauses::is_negation);
    // "Blur the faces, the ward name on the sign is fine to show": said to be fine as it is.
    let lets_it_stay = clause.has_any(&[
        "is fine",
        "are fine",
        "is ok*",
        "are ok*",
        "can stay",
        "can be shown",
        "doesn't matter",
        "don't matter",
    ]) && !clause.has_any(&[
        "@hide", "@remove", "not", "isn't", "aren't", "as well", "too", "also", "doing", "if",
        "by me", "with me", "with you",
    ]);
    (spares || lets_it_stay)
        && asked.last().is_some_and(|(_, last)| {
            (hides_faces(last) && names_details && !names_faces)
                || (last.tool.name() == "redact_phi" && names_faces && !names_details)
        })
}

/// True when `clause` names a kind of media `matched` needs and the inputs lack.
fn names_missing_media(clause: &Clause, matched: &Matched, inputs: &[ArtifactMeta]) -> bool {
    // "For the front page we only want the upper half of this harbour picture": the picture
    // attached is what it is about.
    let names_present = inputs.iter().any(|input| names_media(clause, input.kind));
    !names_present
        && matched
            .intent
            .input
            .kinds()
            .into_iter()
            .any(|kind| !has(inputs, kind) && names_media(clause, kind))
}

/// True when `matched` needs only kinds of media not attached, and `clause` neither names nor
/// implies them ("the first 30 seconds", "a still from 1:42" are a video's). Sound alone is no
/// picture seen under another name.
fn only_other_media(clause: &Clause, matched: &Matched, inputs: &[ArtifactMeta]) -> bool {
    static TIMESTAMP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b\d{1,2}:\d{2}\b")
            .unwrap_or_else(|error| panic!("bad timestamp pattern: {error}"))
    });
    inputs.iter().any(|input| input.kind != ArtifactKind::Audio)
        && matched.intent.input.kinds().into_iter().all(|kind| {
            let said = names_media(clause, kind)
                || (kind == ArtifactKind::Video && TIMESTAMP.is_match(&clause.text));
            !has(inputs, kind) && !said
        })
}

/// True when `clause` names media of `kind`; "our Facebook page" is no page of a document.
fn names_media(clause: &Clause, kind: ArtifactKind) -> bool {
    const WEB_PAGES: &[&str] = &[
        "facebook",
        "fb",
        "instagram",
        "insta",
        "linkedin",
        "web",
        "landing",
        "profile",
        "fan",
        "about",
        "contact",
    ];
    if kind != ArtifactKind::Document {
        return clause.has_any(media_words(kind));
    }
    // "The front page of our website": every page named is the site's.
    let on_a_site = clause.has_any(&["website*", "web site*", "site", "online", "blog*"])
        || !vitrine_tools::meaning::read::web_addresses(&clause.request).is_empty();
    let pages = clause.starts(&["page*"]);
    let only_web_pages = !pages.is_empty()
        && pages.iter().all(|&at| {
            on_a_site
                || at
                    .checked_sub(1)
                    .and_then(|before| clause.words.get(before))
                    .is_some_and(|word| WEB_PAGES.contains(&word.text.as_str()))
        });
    if only_web_pages {
        let others: Vec<&str> = media_words(kind)
            .iter()
            .copied()
            .filter(|word| *word != "page*")
            .collect();
        return clause.has_any(&others);
    }
    clause.has_any(media_words(kind))
}

/// Words that name media of a kind, or imply it ("the first 30 seconds" is a video's).
fn media_words(kind: ArtifactKind) -> &'static [&'static str] {
    match kind {
        ArtifactKind::Image => &["image*", "photo*", "picture*", "pic", "pics", "still*"],
        ArtifactKind::Video => &[
            "@video",
            "second*",
            "sec",
            "secs",
            "minute*",
            "mins",
            "fps",
            "audio",
            "soundtrack*",
        ],
        ArtifactKind::Audio => &["audio*", "sound*", "recording*", "podcast*", "voice*"],
        ArtifactKind::Document => &[
            "pdf*",
            "document*",
            "doc",
            "docs",
            "page*",
            "pg",
            "file*",
            "form*",
            "slide*",
        ],
        ArtifactKind::Array => &["mask*", "array*", "npy"],
        ArtifactKind::Recon => &["3d", "splat*", "reconstruction*", "model*"],
        ArtifactKind::Url => &["url*", "link*", "page*", "site*", "website*"],
    }
}

/// True for an intent that turns its media into another kind that later steps work on (a PDF
/// page into an image).
fn converts(matched: &Matched) -> bool {
    let outputs = matched.tool.outputs();
    matched.intent.chains
        && matched.intent.input.kind().is_some_and(|kind| {
            outputs.iter().all(|spec| spec.kind != kind) && outputs.iter().any(|spec| !spec.many)
        })
}

fn describe_inputs(inputs: &[ArtifactMeta]) -> String {
    if inputs.is_empty() {
        return "no input was attached".to_owned();
    }
    let list: Vec<String> = inputs
        .iter()
        .map(|input| format!("`{}` ({})", input.id, input.kind.noun()))
        .collect();
    format!("the inputs are {}", list.join(", "))
}

fn input_refs(inputs: &[ArtifactMeta], kind: ArtifactKind) -> Vec<Value> {
    inputs
        .iter()
        .enumerate()
        .filter(|(_, input)| input.kind == kind)
        .map(|(index, _)| json!({"$ref": format!("input:{index}")}))
        .collect()
}

/// Where each kind of media comes from as the plan is built: the latest edit of that kind, or
/// the attached inputs.
#[derive(Clone, Default)]
struct Sources {
    latest: BTreeMap<&'static str, Value>,
    /// A step's list of outputs (a video's frames), for a step that takes all of its kind;
    /// an edit of that kind made after it takes its place.
    lists: BTreeMap<&'static str, Value>,
    /// Each attached picture as edited on its own ("crop each to 16:9"), for a step that takes
    /// them all ("… then put them side by side").
    each: BTreeMap<&'static str, Vec<Value>>,
}

impl Sources {
    /// Sources whose latest picture is `image`: a chain that starts from that picture.
    fn from_image(image: Value) -> Self {
        let mut sources = Self::default();
        sources.latest.insert(ArtifactKind::Image.prefix(), image);
        sources
    }

    fn one(&self, kind: ArtifactKind, inputs: &[ArtifactMeta]) -> Option<Value> {
        self.latest
            .get(kind.prefix())
            .cloned()
            .or_else(|| input_refs(inputs, kind).into_iter().next())
    }

    fn all(&self, kind: ArtifactKind, inputs: &[ArtifactMeta]) -> Vec<Value> {
        match (
            self.lists.get(kind.prefix()),
            self.latest.get(kind.prefix()),
        ) {
            (Some(list), _) => vec![list.clone()],
            (None, Some(edited)) => vec![edited.clone()],
            (None, None) => self
                .each
                .get(kind.prefix())
                .cloned()
                .unwrap_or_else(|| input_refs(inputs, kind)),
        }
    }

    fn made(&mut self, kind: ArtifactKind, output: Value) {
        self.lists.remove(kind.prefix());
        self.each.remove(kind.prefix());
        self.latest.insert(kind.prefix(), output);
    }
}

/// The steps for the matched intents, in order, each edit working on the previous result.
fn build(
    asked: &[(Clause, Matched)],
    picture_of: &[(String, usize)],
    schema: Option<&Value>,
    inputs: &[ArtifactMeta],
    catalog: &ToolCatalog,
) -> Result<Plan, AgentError> {
    let images = input_refs(inputs, ArtifactKind::Image);
    // "Convert these to grayscale" with several images: one chain per image, run in parallel
    // by the executor because the chains share nothing.
    let per_image = images.len() > 1 && asked.iter().all(|(_, matched)| one_image(matched));
    // "Pages 2-4 as pictures", "black out the names on pages 2 and 3": one chain per page.
    let pages = asked
        .first()
        .filter(|(_, matched)| matched.intent.slots.iter().any(|slot| slot.arg == "page"))
        .map(|(clause, _)| vitrine_tools::meaning::read::pages(clause))
        .unwrap_or_default();
    let mut steps = Vec::new();
    // "Make the first one black and white and blur the faces in the second", "blur the 2nd
    // and 3rd photos": the pictures each ask names ("crop both of these … start with the
    // first one": every picture).
    let targets: Vec<Option<Vec<usize>>> = asked
        .iter()
        .map(|(clause, _)| {
            let together = vitrine_tools::meaning::read::named_inputs(clause);
            let named = if together.is_empty() {
                vitrine_tools::meaning::read::named_input(clause)
                    .filter(|_| !clause.has_any(EVERY_INPUT))
                    .or_else(|| {
                        picture_of
                            .iter()
                            .find(|(said, _)| *said == clause.text)
                            .map(|(_, picture)| *picture)
                    })
                    .into_iter()
                    .collect()
            } else {
                together
            };
            let named: Vec<usize> = named
                .into_iter()
                .filter(|index| *index < images.len())
                .collect();
            (!named.is_empty()).then_some(named)
        })
        .collect();
    // "Count the chairs in the second one": every ask names the same one picture.
    let named = targets
        .iter()
        .cloned()
        .reduce(|one, other| if one == other { one } else { None })
        .flatten()
        .and_then(|named| match named.as_slice() {
            [one] => Some(*one),
            _ => None,
        });
    let asked_of = |index: usize, upto: usize| -> Vec<(Clause, Matched)> {
        asked[..upto]
            .iter()
            .zip(&targets)
            .filter(|(_, target)| target.as_ref().is_none_or(|target| target.contains(&index)))
            .map(|(ask, _)| ask.clone())
            .collect()
    };
    // "Crop each to 16:9 and then put them side by side": the edits run on every picture (or
    // the one each names), then the step that takes them all gets every result.
    let edits_first = asked
        .iter()
        .take_while(|(_, matched)| one_image(matched))
        .count();
    let gathers = images.len() > 1
        && edits_first > 0
        && pages.len() <= 1
        && asked.get(edits_first).is_some_and(|(_, matched)| {
            matches!(
                matched.intent.input,
                Input::All {
                    kind: ArtifactKind::Image,
                    ..
                }
            )
        });
    let mut run = |asks: &[(Clause, Matched)], sources: &mut Sources, page: Option<u32>| {
        chain(asks, schema, inputs, catalog, sources, &mut steps, page)
    };
    if gathers {
        let mut each = Vec::new();
        for (index, image) in images.iter().enumerate() {
            let mut sources = Sources::from_image(image.clone());
            run(&asked_of(index, edits_first), &mut sources, None)?;
            each.extend(sources.latest.remove(ArtifactKind::Image.prefix()));
        }
        let mut sources = Sources::default();
        sources.each.insert(ArtifactKind::Image.prefix(), each);
        run(&asked[edits_first..], &mut sources, None)?;
        return Ok(Plan { steps });
    }
    // One chain per run: each picture with the asks for it (or the one named), each page
    // named, or one for all.
    let runs: Vec<Run> = if per_image {
        match named {
            Some(index) => vec![(Some(images[index].clone()), None, asked.to_vec())],
            None => images
                .into_iter()
                .enumerate()
                .map(|(index, image)| (Some(image), None, asked_of(index, asked.len())))
                .filter(|(_, _, asks)| !asks.is_empty())
                .collect(),
        }
    } else if pages.len() > 1 {
        pages
            .into_iter()
            .map(|page| (None, Some(page), asked.to_vec()))
            .collect()
    } else {
        vec![(None, None, asked.to_vec())]
    };
    for (image, page, asks) in runs {
        let mut sources = image.map(Sources::from_image).unwrap_or_default();
        run(&asks, &mut sources, page)?;
    }
    Ok(Plan { steps })
}

/// One chain of a plan: the picture it starts from, the page it works on, and its asks.
type Run = (Option<Value>, Option<u32>, Vec<(Clause, Matched)>);

/// Words that put an ask on every attached picture, whatever else it names ("crop both of these
/// … start with the first one").
const EVERY_INPUT: &[&str] = &["both", "each", "every", "all", "these"];

/// The one attached picture a clause names ("the second has people in it"), not when it names
/// two ("the first from Monday and the second from Tuesday").
fn one_picture_named(clause: &Clause) -> Option<usize> {
    let named = vitrine_tools::meaning::read::named_input(clause)?;
    let ordinals = clause
        .words
        .iter()
        .filter(|word| {
            [
                "first", "second", "third", "fourth", "1st", "2nd", "3rd", "4th", "other", "both",
            ]
            .contains(&word.text.as_str())
        })
        .count();
    (ordinals <= 1).then_some(named)
}

static PICTURE_SHOWS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:the )?(?:(first|second|third|fourth|1st|2nd|3rd|4th)(?: one| image| photo| picture| pic| shot)?|(?:image|photo|picture|pic|img|screenshot|scan) ?#?([1-4]))(?:'s| is| shows)(?: of)? (?:the |a |an |my |our |his |her |their )([a-z]+(?: [a-z]+){0,2})",
    )
    .expect("pattern")
});

/// "Use the second one, it's sharper": the picture every later ask works on.
fn chosen_picture(clause: &Clause) -> Option<usize> {
    let words = clauses::texts(clause);
    let rest = match words.as_slice() {
        ["use" | "take" | "pick", rest @ ..]
        | ["please", "use" | "take" | "pick", rest @ ..]
        | ["go", "with", rest @ ..] => rest,
        _ => return None,
    };
    (rest.first() == Some(&"the") && rest.len() <= 3)
        .then(|| one_picture_named(clause))
        .flatten()
}

/// Words after a noun that start saying more of it ("the kid on the wall", "the garage it
/// lives in").
const SAYS_MORE: &[&str] = &[
    "on", "in", "at", "with", "from", "of", "it", "that", "which", "who", "and", "is", "was",
    // "The second is the bar stool we're selling", "the kitchen for context".
    "for", "i", "i'm", "we", "we're", "you", "they", "they're", "she", "he",
];

/// "The first is the car, the second one's the garage it lives in": each picture and the
/// thing it shows.
fn what_pictures_show(text: &str) -> Vec<(usize, String)> {
    PICTURE_SHOWS
        .captures_iter(text)
        .filter_map(|captures| {
            // "The second one is …", "photo 2 is …".
            let picture = match (captures.get(1), captures.get(2)) {
                (Some(ordinal), _) => vitrine_tools::meaning::read::ordinal_index(ordinal.as_str()),
                (None, number) => number?.as_str().parse::<usize>().ok()?.checked_sub(1)?,
            };
            // "The consent form", "the kid on the climbing wall": the noun before any phrase
            // that says more of it.
            let named: Vec<&str> = captures
                .get(3)?
                .as_str()
                .split(' ')
                .take_while(|word| !SAYS_MORE.contains(word))
                .collect();
            Some((picture, (*named.last()?).to_owned()))
        })
        .collect()
}

/// "… I only want the car reconstructed in 3D": the one picture shown to hold what an ask
/// names, when it names no picture itself.
fn picture_showing(shown: &[(usize, String)], clause: &Clause) -> Option<usize> {
    // Not "the first shows the kids in the garden; the second is them indoors": a thing in
    // one picture only when another picture is said to show something else.
    let pictures: BTreeSet<usize> = shown.iter().map(|(picture, _)| *picture).collect();
    if one_picture_named(clause).is_some() || clause.has_any(EVERY_INPUT) || pictures.len() < 2 {
        return None;
    }
    // "Only the classroom needs the faces blurred, leave the certificate alone": what is
    // worked on is named before what is spared.
    let spared_from = [
        " leave ",
        " not ",
        " don't ",
        " dont ",
        " except ",
        " apart from ",
        " but ",
    ]
    .iter()
    .filter_map(|spare| format!(" {} ", clause.text).find(spare))
    .min();
    let worked_on = match spared_from {
        Some(at) => Clause::new(
            &clause.text[..at.saturating_sub(1).min(clause.text.len())],
            "",
        ),
        None => clause.clone(),
    };
    let mut holding = shown
        .iter()
        .filter(|(_, thing)| worked_on.has(&format!("the {thing}")));
    match (holding.next(), holding.next()) {
        (Some((picture, _)), None) => Some(*picture),
        _ => None,
    }
}

/// True when a step works on one picture.
fn one_image(matched: &Matched) -> bool {
    matches!(
        matched.intent.input,
        Input::One {
            kind: ArtifactKind::Image,
            ..
        }
    )
}

fn chain(
    asked: &[(Clause, Matched)],
    schema: Option<&Value>,
    inputs: &[ArtifactMeta],
    catalog: &ToolCatalog,
    sources: &mut Sources,
    steps: &mut Vec<Step>,
    page: Option<u32>,
) -> Result<(), AgentError> {
    // The intent that made the last step, for intents whose asks merge into one step.
    let mut last_intent: Option<*const vitrine_tools::meaning::Intent> = None;
    for (clause, matched) in asked {
        let intent = matched.intent;
        let mut args = json!({});
        if let Some(kind) = intent.input.kind()
            && sources.one(kind, inputs).is_none()
        {
            bridge(kind, clause, inputs, catalog, sources, steps);
        }
        match intent.input {
            Input::None => {}
            Input::One { arg, kind } => {
                let source = sources
                    .one(kind, inputs)
                    .ok_or_else(|| missing(intent, kind, inputs))?;
                args[arg] = source;
            }
            Input::All { arg, kind } => {
                let all = sources.all(kind, inputs);
                if all.is_empty() {
                    return Err(missing(intent, kind, inputs));
                }
                args[arg] = Value::Array(all);
            }
            Input::ImageAndMask { image, mask } => {
                args[image] = sources
                    .one(ArtifactKind::Image, inputs)
                    .ok_or_else(|| missing(intent, ArtifactKind::Image, inputs))?;
                args[mask] = sources
                    .one(ArtifactKind::Array, inputs)
                    .ok_or_else(|| missing(intent, ArtifactKind::Array, inputs))?;
            }
            Input::Pair {
                base,
                top,
                first_on_top,
            } => {
                let images = input_refs(inputs, ArtifactKind::Image);
                let [first, second, ..] = &images[..] else {
                    return Err(AgentError::WrongInput(format!(
                        "{} needs two images as input, but {}",
                        capitalise(intent.does),
                        describe_inputs(inputs)
                    )));
                };
                let (mut under, over) = if first_on_top(clause) {
                    (second.clone(), first.clone())
                } else {
                    (first.clone(), second.clone())
                };
                // "Make it grayscale and put the logo on it": the edited image is underneath.
                if let Some(edited) = sources.latest.get(ArtifactKind::Image.prefix())
                    && !first_on_top(clause)
                {
                    under = edited.clone();
                }
                args[base] = under;
                args[top] = over;
            }
        }
        for slot in intent.slots {
            if let Some(value) = (slot.read)(clause) {
                args[slot.arg] = value;
            }
        }
        if let Some(page) = page
            && intent.slots.iter().any(|slot| slot.arg == "page")
        {
            args["page"] = json!(page);
        }
        if intent.per_view {
            let views = views(clause, schema, &args);
            // "Draw a fox mascot, then make it black and white": one picture made is the one
            // later edits work on.
            if intent.chains
                && let [_] = views[..]
            {
                let id = format!("s{}", steps.len() + 1);
                for spec in matched.tool.outputs().iter().filter(|spec| !spec.many) {
                    sources.made(
                        spec.kind,
                        json!({"$ref": format!("step:{id}.{}", spec.name)}),
                    );
                }
            }
            for (prompt_suffix, step_args) in views {
                let id = format!("s{}", steps.len() + 1);
                let mut step_args = step_args;
                if let Some(suffix) = prompt_suffix {
                    let prompt = step_args
                        .get("prompt")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    step_args["prompt"] = json!(format!("{prompt}\n\nThis image: {suffix}."));
                }
                steps.push(Step {
                    id,
                    tool: matched.tool.name().to_owned(),
                    args: step_args,
                });
            }
            continue;
        }
        if intent.merges
            && last_intent == Some(std::ptr::from_ref(intent))
            && let Some(last) = steps.last_mut()
            && merge_args(&mut last.args, &args, intent)
        {
            continue;
        }
        last_intent = Some(std::ptr::from_ref(intent));
        let id = format!("s{}", steps.len() + 1);
        for spec in matched.tool.outputs() {
            let output = json!({"$ref": format!("step:{id}.{}", spec.name)});
            if spec.many {
                sources.lists.insert(spec.kind.prefix(), output);
            } else if intent.chains && intent.output.is_none_or(|name| name == spec.name) {
                sources.made(spec.kind, output);
            }
        }
        steps.push(Step {
            id,
            tool: matched.tool.name().to_owned(),
            args,
        });
    }
    Ok(())
}

/// Folds `more` into `into` when they do not disagree: new arguments are added, lists are
/// joined; the inputs are the ones `into` already has. False (and nothing changed) on a clash.
fn merge_args(into: &mut Value, more: &Value, intent: &vitrine_tools::meaning::Intent) -> bool {
    let input_args: Vec<&str> = match intent.input {
        Input::None => Vec::new(),
        Input::One { arg, .. } | Input::All { arg, .. } => vec![arg],
        Input::ImageAndMask { image, mask } => vec![image, mask],
        Input::Pair { base, top, .. } => vec![base, top],
    };
    let (Some(into_map), Some(more_map)) = (into.as_object(), more.as_object()) else {
        return false;
    };
    let mut merged = into_map.clone();
    for (key, value) in more_map {
        if input_args.contains(&key.as_str()) {
            continue;
        }
        match (merged.get_mut(key), value) {
            (None, _) => {
                merged.insert(key.clone(), value.clone());
            }
            (Some(Value::Array(have)), Value::Array(add)) => {
                for item in add {
                    if !have.contains(item) {
                        have.push(item.clone());
                    }
                }
            }
            (Some(have), _) if have == value => {}
            _ => return false,
        }
    }
    *into = Value::Object(merged);
    true
}

/// Makes media of `kind` from another kind attached, with the catalog's converter for it (a
/// PDF page rendered as an image for "read the text on page 2"), reading its arguments from the
/// clause.
fn bridge(
    kind: ArtifactKind,
    clause: &Clause,
    inputs: &[ArtifactMeta],
    catalog: &ToolCatalog,
    sources: &mut Sources,
    steps: &mut Vec<Step>,
) {
    for tool in catalog.tools() {
        for intent in tool.meaning().intents {
            let Input::One { arg, kind: from } = intent.input else {
                continue;
            };
            let makes = tool
                .outputs()
                .iter()
                .find(|spec| !spec.many && spec.kind == kind);
            let (Some(spec), Some(source)) = (makes, sources.one(from, inputs)) else {
                continue;
            };
            if !intent.chains || from == kind {
                continue;
            }
            let id = format!("s{}", steps.len() + 1);
            let mut args = json!({ arg: source });
            for slot in intent.slots {
                if let Some(value) = (slot.read)(clause) {
                    args[slot.arg] = value;
                }
            }
            sources.made(kind, json!({"$ref": format!("step:{id}.{}", spec.name)}));
            steps.push(Step {
                id,
                tool: tool.name().to_owned(),
                args,
            });
            return;
        }
    }
}

fn missing(
    intent: &vitrine_tools::meaning::Intent,
    kind: ArtifactKind,
    inputs: &[ArtifactMeta],
) -> AgentError {
    AgentError::WrongInput(format!(
        "{} needs {} as input, but {}",
        capitalise(intent.does),
        with_article(kind.noun()),
        describe_inputs(inputs)
    ))
}

/// Words of an ask that point back at everything described before it, not only the last thing.
const POINT_AT_ALL: &[&str] = &[
    "both",
    "all of that",
    "all of this",
    "all of it",
    "all of them",
    "all that",
    "all three",
    "each of them",
];

/// A part of the picture named in words ("the top half", "the bottom 20%").
static PLACE_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(?:top|bottom|upper|lower|left|right)(?:[- ]hand)?(?:[- ](?:left|right))?\s+(?:half|third|quarter|fifth|sixth|eighth|tenth|strip|band|corner|edge|\d{1,3}\s*%)\b",
    )
    .unwrap_or_else(|error| panic!("bad place pattern: {error}"))
});
static VIEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(front|back|side|left|right|top|profile|rear|three-quarter|from behind)\b")
        .unwrap_or_else(|error| panic!("bad view pattern: {error}"))
});
static IMAGE_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b(\d{1,2}|one|two|three|four|five|six)\s+(?:\w+\s+)?(images|pictures|photos|views|variations|versions|renders|options|variants|angles|shots)\b",
    )
    .unwrap_or_else(|error| panic!("bad count pattern: {error}"))
});

/// True when the clause names views or a number of images ("front, back and side views", "3
/// variations").
fn names_views(clause: &Clause) -> bool {
    let views = VIEW.find_iter(&clause.text).count();
    // "Just show me the front view": one view, named as such.
    views >= 2
        || IMAGE_COUNT.is_match(&clause.text)
        || (views == 1 && clause.has_any(&["view", "views", "angle"]))
}

/// One set of arguments per view the request names (front, back, side: in the order of the
/// schema's fields when it names them), or per variation ("3 variations"), or one.
fn views(clause: &Clause, schema: Option<&Value>, args: &Value) -> Vec<(Option<String>, Value)> {
    let mut views: Vec<String> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    if let Some(Value::Object(properties)) = schema.and_then(|schema| schema.get("properties")) {
        for name in properties.keys() {
            if let Some(view) = VIEW.find(&name.replace('_', " ").to_lowercase()) {
                views.push(view.as_str().to_owned());
            }
        }
    }
    if views.is_empty() {
        for found in VIEW.find_iter(&clause.request) {
            // "Front and back only, no side view needed".
            let before = clause.request[..found.start()].trim_end();
            // "… we don't need a side one": a view refused a few words before (not "don't
            // forget the back", "not just the front").
            let nearby: Vec<&str> = before
                .rsplit([',', '.', ';', '!', '?'])
                .next()
                .unwrap_or_default()
                .split_whitespace()
                .rev()
                .take(4)
                .collect();
            let refused_nearby = nearby.iter().any(|word| {
                ["don't", "dont", "no", "not", "without", "skip", "never"].contains(word)
            }) && !nearby.iter().any(|word| {
                ["forget", "mind", "just", "only", "also", "and", "but"].contains(word)
            });
            if refused_nearby {
                refused.push(found.as_str().to_owned());
                continue;
            }
            if ["no", "not", "without", "skip"]
                .iter()
                .any(|negation| before.ends_with(&format!(" {negation}")))
            {
                continue;
            }
            // "On the left side of the church", "the top corner": a place in the picture.
            let mut following = clause.request[found.end()..].split_whitespace();
            let next = following.next();
            // "Front side and back": a list of views with its commas left out.
            let listed_views = found.as_str() == "front"
                && next == Some("side")
                && following
                    .next()
                    .is_some_and(|word| ["and", "&", "+"].contains(&word));
            let previous = before.rsplit(' ').next().unwrap_or_default();
            if !listed_views
                && next.is_some_and(|next| {
                    // "Out of budget right now", "get back to me": no view.
                    let next = next.trim_matches(|c: char| !c.is_alphanumeric());
                    [
                    "side", "of", "corner", "corners", "half", "hand", "edge", "edges", "part",
                    "bit", "now", "away", "here", "there", "to",
                ]
                .contains(&next)
                    // "Right as my husband pressed the shutter", "right behind her": when or
                    // where, no view; "the top in pic 2" is a garment.
                    || (["right", "top", "bottom"].contains(&found.as_str())
                        && [
                            "as", "when", "after", "before", "behind", "beside", "next", "where",
                            "by", "on", "at", "into", "in",
                        ]
                        .contains(&next))
                    // "Fill the sand back in", "put it back up": back again, no view.
                    || (found.as_str() == "back"
                        && ["in", "into", "up", "out", "on", "together"].contains(&next))
                })
                || (["left", "right"].contains(&found.as_str())
                // "Strangers standing on the left": a place in the picture, not a view ("from
                // the left" may be one).
                && ["on", "at", "in", "to"]
                    .iter()
                    .any(|place| before.ends_with(&format!(" {place} the"))))
                || (found.as_str() == "left"
                // "It left weird smears": a verb after its subject.
                && [
                    "it", "he", "she", "they", "we", "i", "who", "which", "someone", "everyone",
                    "nothing", "that",
                ]
                .contains(&previous))
                || (found.as_str() == "side"
                    && [
                        "left", "right", "other", "far", "near", "this", "that", "one",
                    ]
                    .contains(&previous))
            {
                continue;
            }
            // "From the front and from behind": behind is the back view.
            // "Lit from behind" is light, not a view.
            if found.as_str() == "from behind"
                && ["lit", "light", "lighting", "backlit", "illuminated"].contains(&previous)
            {
                continue;
            }
            let view = match found.as_str() {
                "from behind" => "back".to_owned(),
                view => view.to_owned(),
            };
            if !views.contains(&view) {
                views.push(view);
            }
        }
    }
    // "From the front, back and side. We don't need a side one actually": refused anywhere.
    views.retain(|view| !refused.contains(view));
    // "Try on" asks need views spelled out; "side" alone in "side by side" is not one.
    if views.len() < 2 {
        views.clear();
    }
    if !views.is_empty() {
        return views
            .into_iter()
            .map(|view| (Some(format!("the {view} view")), args.clone()))
            .collect();
    }
    let count = IMAGE_COUNT
        .captures_iter(&clause.request)
        .last()
        .and_then(|captures| vitrine_tools::meaning::read::count_word(captures.get(1)?.as_str()))
        .unwrap_or(1)
        .clamp(1, 8);
    if count == 1 {
        return vec![(None, args.clone())];
    }
    (1..=count)
        .map(|index| (Some(format!("variation {index} of {count}")), args.clone()))
        .collect()
}

/// Clauses are lower-cased, but a URL's path and query are case-sensitive: an argument that is
/// a web address written in the request gets the spelling the user wrote back.
fn restore_url_case(plan: &mut Plan, instruction: &str) {
    let written = vitrine_tools::meaning::read::web_addresses(instruction);
    for step in &mut plan.steps {
        let Some(args) = step.args.as_object_mut() else {
            continue;
        };
        for value in args.values_mut() {
            if let Some(text) = value.as_str()
                && let Some(original) = written.iter().find(|url| url.to_lowercase() == text)
            {
                *value = Value::String(original.clone());
            }
        }
    }
}
