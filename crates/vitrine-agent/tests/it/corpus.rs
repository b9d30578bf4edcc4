//! The paraphrase corpus (`tests/corpus/`, see its README): every request through the offline
//! planner, compared with its expected outcome. Fails below the accuracy targets (95 % on the
//! whole, 90 % on the held-out part) and on any silently partial or substituted plan: a plan that
//! answers as if complete while it leaves out or swaps what was asked.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Value, json};
use vitrine_agent::AgentError;
use vitrine_agent::planner::{Semantic, Understanding, understand_with};
use vitrine_store::{ArtifactMeta, MediaInfo, Provenance};
use vitrine_tools::ToolCatalog;
use vitrine_wire::{ArtifactId, ArtifactKind, SessionId};

fn input(kind: ArtifactKind) -> ArtifactMeta {
    ArtifactMeta {
        id: ArtifactId::generate(kind),
        session_id: SessionId::generate(),
        tenant: "t".to_owned(),
        kind,
        content_type: "application/octet-stream".to_owned(),
        size: 1,
        sha256: String::new(),
        created_at: 0,
        expires_at: 0,
        media: MediaInfo::default(),
        provenance: Provenance::default(),
        filename: None,
    }
}

fn kind(name: &str) -> ArtifactKind {
    match name {
        "image" => ArtifactKind::Image,
        "video" => ArtifactKind::Video,
        "audio" => ArtifactKind::Audio,
        "document" => ArtifactKind::Document,
        "mask" => ArtifactKind::Array,
        other => panic!("corpus: unknown input kind {other}"),
    }
}

fn reference(prefix: &str) -> Value {
    json!({"type": "object", "properties": {"id": {"type": "string", "pattern": format!("^{prefix}_[0-9a-f]{{6}}$")}}, "required": ["id"]})
}

/// The canned schemas the corpus names, as pydantic would write them.
fn schema(named: &Value) -> Option<Value> {
    let defs = json!({"ImageRef": reference("img"), "ReconRef": reference("recon")});
    let image = |description: Option<&str>| {
        let mut field = json!({"$ref": "#/$defs/ImageRef"});
        if let Some(description) = description {
            field["description"] = json!(description);
        }
        field
    };
    let notes = json!({"type": "string"});
    Some(match named {
        Value::Null => return None,
        Value::String(name) => match name.as_str() {
            "seed_redaction" => json!({
                "$defs": defs, "type": "object",
                "properties": {"redacted_image": image(Some("The redacted image with faces blurred and sensitive info removed")), "notes": notes},
                "required": ["redacted_image", "notes"]}),
            "seed_3d" => json!({
                "$defs": defs, "type": "object",
                "properties": {"reconstruction": {"$ref": "#/$defs/ReconRef"}, "preview": image(None), "notes": notes},
                "required": ["reconstruction", "preview", "notes"]}),
            "seed_tryon" => json!({
                "$defs": defs, "type": "object",
                "properties": {"images": {"type": "array", "items": {"$ref": "#/$defs/ImageRef"}}, "notes": notes},
                "required": ["images", "notes"]}),
            "received" => json!({
                "$defs": defs, "type": "object",
                "properties": {"image": image(Some("The stored input")), "notes": notes},
                "required": ["image", "notes"]}),
            "image_and_notes" => json!({
                "$defs": defs, "type": "object",
                "properties": {"image": image(None), "notes": notes},
                "required": ["image", "notes"]}),
            other => panic!("corpus: unknown schema {other}"),
        },
        inline => inline.clone(),
    })
}

/// `expected` (with `$sign`/`$contains` matchers) against `actual`, as a subset.
fn matches(expected: &Value, actual: &Value, labels_as_set: bool) -> bool {
    if let Some(sign) = expected.get("$sign").and_then(Value::as_f64) {
        return actual.as_f64().is_some_and(|n| n * sign > 0.0);
    }
    if let Some(word) = expected.get("$contains").and_then(Value::as_str) {
        return actual
            .as_str()
            .is_some_and(|text| text.to_lowercase().contains(&word.to_lowercase()));
    }
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => want.iter().all(|(key, value)| {
            have.get(key)
                .is_some_and(|got| matches(value, got, labels_as_set && key == "labels"))
        }),
        (Value::Array(want), Value::Array(have)) if labels_as_set => {
            want.len() == have.len() && want.iter().all(|item| have.contains(item))
        }
        (Value::Array(want), Value::Array(have)) => {
            want.len() == have.len() && want.iter().zip(have).all(|(a, b)| matches(a, b, false))
        }
        (Value::Number(want), Value::Number(have)) => {
            (want.as_f64().unwrap_or(f64::NAN) - have.as_f64().unwrap_or(f64::NAN)).abs() < 1e-6
        }
        _ => expected == actual,
    }
}

/// A planned step: its tool, its arguments and the attached inputs it works on, directly or
/// through the steps whose results it takes.
struct Planned {
    tool: String,
    args: Value,
    on: BTreeSet<u64>,
}

/// The plan's steps, each with the inputs it descends from.
fn planned(understanding: &Understanding) -> Vec<Planned> {
    let mut on_by_id: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
    let mut steps = Vec::new();
    for step in &understanding.plan.steps {
        let mut on = BTreeSet::new();
        collect_inputs(&step.args, &on_by_id, &mut on);
        on_by_id.insert(&step.id, on.clone());
        steps.push(Planned {
            tool: step.tool.clone(),
            args: step.args.clone(),
            on,
        });
    }
    steps
}

/// The inputs `value`'s refs point at: `input:N`, or what step `step:ID.…` worked on.
fn collect_inputs(value: &Value, on_by_id: &BTreeMap<&str, BTreeSet<u64>>, on: &mut BTreeSet<u64>) {
    match value {
        Value::Object(object) => match object.get("$ref").and_then(Value::as_str) {
            Some(target) => {
                if let Some(index) = target.strip_prefix("input:") {
                    on.extend(index.parse::<u64>().ok());
                } else if let Some(step) = target.strip_prefix("step:") {
                    let id = step.split('.').next().unwrap_or(step);
                    on.extend(on_by_id.get(id).into_iter().flatten());
                }
            }
            None => object
                .values()
                .for_each(|item| collect_inputs(item, on_by_id, on)),
        },
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_inputs(item, on_by_id, on)),
        _ => {}
    }
}

fn step_matches(want: &Value, step: &Planned) -> bool {
    let tool = step.tool.as_str();
    want["tool"] == tool
        && want
            .get("args")
            .is_none_or(|expected| matches(expected, &step.args, tool == "detect_objects"))
        && want
            .get("on")
            .and_then(Value::as_array)
            .is_none_or(|inputs| {
                inputs
                    .iter()
                    .filter_map(Value::as_u64)
                    .collect::<BTreeSet<_>>()
                    == step.on
            })
}

/// The steps match in order, except that runs of the same tool may match in any order.
fn steps_match(want: &[Value], have: &[Planned]) -> bool {
    if want.len() != have.len() {
        return false;
    }
    let mut used = vec![false; have.len()];
    for (index, expected) in want.iter().enumerate() {
        let same_tool_run = |at: usize| have[at].tool == have[index].tool;
        let found = (0..have.len()).find(|&at| {
            !used[at]
                && (at == index
                    || (same_tool_run(at) && expected["tool"] == have[at].tool.as_str()))
                && step_matches(expected, &have[at])
        });
        match found {
            Some(at) => used[at] = true,
            None => return false,
        }
    }
    true
}

#[derive(Debug, PartialEq)]
enum Verdict {
    Correct,
    Wrong,
    /// Answered as complete while leaving out or swapping what was asked.
    Silent,
}

fn capabilities_named(error: &AgentError) -> Vec<String> {
    match error {
        AgentError::NotPossible { not_done } => not_done
            .iter()
            .map(|part| part.capability.clone())
            .collect(),
        AgentError::NotUnderstood { .. } => vec!["unclear".to_owned()],
        AgentError::WrongInput(_) => vec!["wrong_input".to_owned()],
        _ => Vec::new(),
    }
}

/// What kind of miss a verdict is, printed as counts so that blind parts can guide the work
/// without their wordings being read.
fn miss_kind(expect: &Value, outcome: &Result<Understanding, AgentError>) -> String {
    let mut wanted: Vec<String> = expect["steps"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|step| step["tool"].as_str().map(str::to_owned))
        .collect();
    wanted.sort();
    match outcome {
        Err(error) if expect.get("refuse").is_some() => format!(
            "refused, naming {:?} not {}",
            capabilities_named(error),
            expect["refuse"]
        ),
        Err(error) => format!(
            "refused ({:?}), a plan was expected",
            capabilities_named(error)
        ),
        Ok(_) if expect.get("refuse").is_some() => "planned, a refusal was expected".to_owned(),
        Ok(understanding) => {
            let mut have: Vec<String> = understanding
                .plan
                .steps
                .iter()
                .map(|step| step.tool.clone())
                .collect();
            have.sort();
            let named: Vec<&str> = understanding
                .not_done
                .iter()
                .map(|part| part.capability.as_str())
                .collect();
            let tools = if have == wanted {
                "the same tools"
            } else if have.len() < wanted.len() {
                "fewer tools"
            } else if have.len() > wanted.len() {
                "more tools"
            } else {
                "other tools"
            };
            if named.is_empty() == expect.get("not_done").is_none() {
                format!("{tools}, other arguments or order")
            } else {
                format!("{tools}, not done {named:?} vs {}", expect["not_done"])
            }
        }
    }
}

fn judge(expect: &Value, outcome: &Result<Understanding, AgentError>) -> (Verdict, String) {
    let expected_not_done: Vec<&str> = expect
        .get("not_done")
        .or_else(|| expect.get("refuse"))
        .and_then(Value::as_array)
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    match outcome {
        Err(error) => {
            let named = capabilities_named(error);
            let message: String = error.to_string().chars().take(160).collect();
            let told = format!("error {}: {message}", error.code());
            if expect.get("refuse").is_some()
                && expected_not_done
                    .iter()
                    .all(|id| named.iter().any(|n| n == id))
            {
                (Verdict::Correct, told)
            } else {
                (Verdict::Wrong, told)
            }
        }
        Ok(understanding) => {
            let have = planned(understanding);
            let named: Vec<&str> = understanding
                .not_done
                .iter()
                .map(|part| part.capability.as_str())
                .collect();
            let told = format!(
                "plan {:?} not_done {named:?}",
                have.iter()
                    .map(|step| format!("{} {}", step.tool, step.args))
                    .collect::<Vec<_>>()
            );
            let want = expect.get("steps").and_then(Value::as_array);
            let correct = want.is_some_and(|want| steps_match(want, &have))
                && expected_not_done.len() == named.len()
                && expected_not_done.iter().all(|id| named.contains(id));
            if correct {
                return (Verdict::Correct, told);
            }
            // Silent: claims completeness (nothing not done) yet leaves out or swaps a step.
            let wanted_tools: Vec<&str> = want
                .map(|want| {
                    want.iter()
                        .filter_map(|step| step["tool"].as_str())
                        .collect()
                })
                .unwrap_or_default();
            let have_tools: Vec<&str> = have.iter().map(|step| step.tool.as_str()).collect();
            let missing = wanted_tools.iter().any(|tool| !have_tools.contains(tool))
                || !expected_not_done.is_empty();
            let extra = have_tools.iter().any(|tool| !wanted_tools.contains(tool));
            // A step on another picture than the one named ("blur the faces in the second").
            let elsewhere = want.into_iter().flatten().any(|expected| {
                expected.get("on").is_some()
                    && !have.iter().any(|step| {
                        expected["tool"] == step.tool.as_str()
                            && step_matches(&json!({"tool": step.tool, "on": expected["on"]}), step)
                    })
            });
            if named.is_empty() && (missing || extra || elsewhere) && !have.is_empty() {
                (Verdict::Silent, told)
            } else {
                (Verdict::Wrong, told)
            }
        }
    }
}

struct Tally {
    total: usize,
    correct: usize,
    silent: Vec<String>,
    wrong: Vec<String>,
    by_category: BTreeMap<String, (usize, usize)>,
    misses: BTreeMap<String, usize>,
}

fn run(file: &str, catalog: &ToolCatalog, semantic: Option<&Semantic>) -> Tally {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let mut tally = Tally {
        total: 0,
        correct: 0,
        silent: Vec::new(),
        wrong: Vec::new(),
        by_category: BTreeMap::new(),
        misses: BTreeMap::new(),
    };
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("corpus line is JSON");
        let inputs: Vec<ArtifactMeta> = case["inputs"]
            .as_array()
            .expect("inputs")
            .iter()
            .map(|name| input(kind(name.as_str().expect("kind"))))
            .collect();
        let schema = schema(&case["schema"]);
        let text = case["text"].as_str().expect("text");
        let outcome = understand_with(text, schema.as_ref(), &inputs, catalog, semantic);
        let (verdict, told) = judge(&case["expect"], &outcome);
        let category = case["category"].as_str().unwrap_or("?").to_owned();
        let entry = tally.by_category.entry(category).or_default();
        entry.1 += 1;
        tally.total += 1;
        let report = format!(
            "{} {text:?}\n    expected {}\n    got      {told}",
            case["id"], case["expect"]
        );
        match verdict {
            Verdict::Correct => {
                tally.correct += 1;
                entry.0 += 1;
            }
            Verdict::Wrong => tally.wrong.push(report),
            Verdict::Silent => tally.silent.push(report),
        }
        if !matches!(verdict, Verdict::Correct) {
            *tally
                .misses
                .entry(miss_kind(&case["expect"], &outcome))
                .or_default() += 1;
        }
    }
    tally
}

fn percent(correct: usize, total: usize) -> f64 {
    100.0 * correct as f64 / total.max(1) as f64
}

/// Prints the tally; the held-out cases' wordings are shown only when `VITRINE_SHOW_HELDOUT` is
/// set, so that tuning on the training part does not look at them.
fn print(name: &str, tally: &Tally, details: bool) {
    eprintln!(
        "{name}: {}/{} correct ({:.1} %), {} silently partial or substituted",
        tally.correct,
        tally.total,
        percent(tally.correct, tally.total),
        tally.silent.len()
    );
    for (category, (correct, total)) in &tally.by_category {
        eprintln!("    {category:<18} {correct:>3}/{total:<3}");
    }
    for (kind, count) in &tally.misses {
        eprintln!("    miss: {kind}: {count}");
    }
    if details {
        for report in tally.silent.iter().chain(&tally.wrong) {
            eprintln!("  {report}");
        }
    }
}

#[test]
fn the_planner_understands_the_paraphrase_corpus() {
    // As the agent plans: words first, then the semantic fallback (sentence embeddings).
    let catalog = ToolCatalog::standard();
    let semantic = Semantic::load(&crate::support::models_dir(), &catalog)
        .expect("the sentence-embedding model (scripts/fetch-models.sh installs it)");
    let train = run("train.jsonl", &catalog, Some(&semantic));
    // Held-out parts that were read after they had measured the planner: regression sets now.
    let regression: Vec<(&str, Tally)> = READ_HELDOUT
        .into_iter()
        .map(|file| (file, run(file, &catalog, Some(&semantic))))
        .collect();
    // Blind parts, never read: each measured with its own floors (see BLIND).
    let blind: Vec<(&Blind, Tally)> = BLIND
        .iter()
        .map(|part| (part, run(part.file, &catalog, Some(&semantic))))
        .collect();
    print("train", &train, true);
    for (file, tally) in &regression {
        print(
            file,
            tally,
            std::env::var_os("VITRINE_SHOW_HELDOUT").is_some(),
        );
    }
    for (part, tally) in &blind {
        print(part.file, tally, std::env::var_os(part.show).is_some());
    }
    let parts = regression
        .iter()
        .map(|(_, tally)| tally)
        .chain(blind.iter().map(|(_, tally)| tally));
    let correct = train.correct + parts.clone().map(|t| t.correct).sum::<usize>();
    let total = train.total + parts.map(|t| t.total).sum::<usize>();
    eprintln!(
        "whole corpus: {correct}/{total} ({:.1} %)",
        percent(correct, total)
    );
    // Issue 13 targets 0 silent plans and 90 % on a held-out part. `heldout.jsonl` and
    // `heldout2.jsonl` were read (their silent plans, then their misses) after they had measured
    // the planner, so they are regression sets; the blind parts are the held-out measure. Their
    // floors hold what has been reached and fail on any step back: raise them, never lower them.
    for (file, tally) in &regression {
        assert!(
            tally.silent.is_empty(),
            "silently partial or substituted plans in {file} (see above)"
        );
    }
    assert!(
        train.silent.is_empty(),
        "silently partial or substituted training plans (see above)"
    );
    for (part, tally) in &blind {
        assert!(
            tally.silent.len() <= part.silent_at_most,
            "more silently partial or substituted plans in {} than the {} reached",
            part.file,
            part.silent_at_most
        );
        assert!(
            percent(tally.correct, tally.total) >= part.floor,
            "{} accuracy below the {} % reached",
            part.file,
            part.floor
        );
    }
    // Issue 13 targets 95 % on the whole, with the blind parts written to be mostly hard, long
    // messages (`heldout14`–`heldout20`, the `t4700`–`t4900` batches). This floor holds what
    // has been reached (raise it, never lower it; it is set again to what the corpus measures
    // when a blind part comes in: 93.9 % with `heldout16`, 94.3 % after the fixes that retired
    // `heldout5`–`heldout9`, 94.5 % after those that retired `heldout10`, 94.9 % after those
    // that retired `heldout11`, 95.4 % after those that retired `heldout12`, 95.9 % after
    // those that retired `heldout13`, 96.4 % after those that retired `heldout16`, 96.7 % after
    // those that retired `heldout20`, 97.1 % after those that retired `heldout21`, 97.2 % after
    // those that retired `heldout22` and `heldout23`, 97.4 % after those that retired `heldout26` and
    // `heldout28`).
    assert!(
        percent(correct, total) >= WHOLE_CORPUS_FLOOR,
        "whole-corpus accuracy below the {WHOLE_CORPUS_FLOOR} % reached (issue 13's target: 95 %)"
    );
}

/// The sentence model finds "hide the text" close to "hide the faces"; hiding faces when text
/// was named would be a substitution, so the planner says it did not understand instead.
#[test]
fn the_sentence_model_never_hides_another_thing_than_was_named() {
    let catalog = ToolCatalog::standard();
    let semantic = Semantic::load(&crate::support::models_dir(), &catalog)
        .expect("the sentence-embedding model (scripts/fetch-models.sh installs it)");
    for instruction in [
        "hide the text",
        "blur out the writing",
        "black out the words",
    ] {
        match understand_with(
            instruction,
            None,
            &[input(ArtifactKind::Image)],
            &catalog,
            Some(&semantic),
        ) {
            Err(AgentError::NotUnderstood { .. }) => {}
            other => panic!("{instruction:?}: expected not understood, got {other:?}"),
        }
    }
}

/// The label `scripts/phrasings.py` gives a request: its one tool, or `!capability` for a
/// refusal words decide; `None` for anything else.
fn bank_label(expect: &Value) -> Option<String> {
    if let Some(refused) = expect.get("refuse").and_then(Value::as_array) {
        return match refused.as_slice() {
            [one] if one != "unclear" && one != "wrong_input" => {
                Some(format!("!{}", one.as_str()?))
            }
            _ => None,
        };
    }
    if expect.get("not_done").is_some() {
        return None;
    }
    let tools: std::collections::BTreeSet<&str> = expect["steps"]
        .as_array()?
        .iter()
        .filter_map(|step| step["tool"].as_str())
        .collect();
    (tools.len() == 1).then(|| tools.into_iter().next().unwrap_or_default().to_owned())
}

/// The phrasing bank is what `scripts/phrasings.py` makes of the banked parts now: a request
/// added to them without running the script again fails here.
#[test]
fn the_phrasing_bank_is_up_to_date_with_the_read_parts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut expected = String::new();
    for part in std::iter::once("train.jsonl").chain(BANKED_HELDOUT) {
        let text = std::fs::read_to_string(root.join("tests/corpus").join(part)).expect("part");
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).expect("corpus line is JSON");
            if let Some(label) = bank_label(&case["expect"]) {
                let words: Vec<&str> = case["text"]
                    .as_str()
                    .expect("text")
                    .split_whitespace()
                    .collect();
                expected.push_str(&format!("{label}\t{}\n", words.join(" ")));
            }
        }
    }
    let bank = std::fs::read_to_string(root.join("src/planner/phrasings.tsv")).expect("bank");
    assert!(
        bank == expected,
        "src/planner/phrasings.tsv is out of date: run scripts/phrasings.py, then the \
         embed_phrasings example"
    );
}

/// The planner's phrasing bank (`src/planner/phrasings.tsv`) is written from the read parts
/// only: no wording of a blind part may be in it.
#[test]
fn the_phrasing_bank_holds_no_blind_wording() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let words = |text: &str| -> String {
        text.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let bank = std::fs::read_to_string(root.join("src/planner/phrasings.tsv")).expect("bank");
    let banked: std::collections::HashSet<String> = bank
        .lines()
        .filter_map(|line| line.split_once('\t').map(|(_, text)| words(text)))
        .collect();
    assert!(
        banked.len() > 1000,
        "the bank holds {} phrasings",
        banked.len()
    );
    for part in &BLIND {
        let text =
            std::fs::read_to_string(root.join("tests/corpus").join(part.file)).expect("blind part");
        for line in text.lines().filter(|line| !line.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).expect("corpus line is JSON");
            let wording = words(case["text"].as_str().expect("text"));
            assert!(
                !banked.contains(&wording),
                "{} of {} is in the phrasing bank",
                case["id"],
                part.file
            );
        }
    }
}

/// Held-out parts that were read after they had measured the planner (their misses, to fix
/// causes): regression sets now.
const READ_HELDOUT: [&str; 27] = [
    "heldout.jsonl",
    "heldout2.jsonl",
    "heldout3.jsonl",
    "heldout4.jsonl",
    "heldout5.jsonl",
    "heldout6.jsonl",
    "heldout7.jsonl",
    "heldout8.jsonl",
    "heldout9.jsonl",
    "heldout10.jsonl",
    "heldout11.jsonl",
    "heldout12.jsonl",
    "heldout13.jsonl",
    "heldout14.jsonl",
    "heldout15.jsonl",
    "heldout16.jsonl",
    "heldout17.jsonl",
    "heldout18.jsonl",
    "heldout19.jsonl",
    "heldout20.jsonl",
    "heldout21.jsonl",
    "heldout22.jsonl",
    "heldout23.jsonl",
    "heldout26.jsonl",
    "heldout28.jsonl",
    "heldout31.jsonl",
    "heldout35.jsonl",
];

/// The read held-out parts whose wordings are in the phrasing bank. `heldout5`–`heldout23`,
/// `heldout26`, `heldout28`, `heldout31` and `heldout35`, read later, are not: with `heldout5`–`heldout9` the bank moved the blind parts by one line each way
/// (heldout10 −1, heldout13 +1), so it stays as it was.
const BANKED_HELDOUT: [&str; 4] = [
    "heldout.jsonl",
    "heldout2.jsonl",
    "heldout3.jsonl",
    "heldout4.jsonl",
];

/// The whole corpus's accuracy reached so far (issue 13's target is 95 %).
const WHOLE_CORPUS_FLOOR: f64 = 97.4;

/// A held-out part written blind and never read, and what it has reached (issue 13's targets:
/// 90 %, 0 silent plans). Blind parts never enter the phrasing bank.
struct Blind {
    file: &'static str,
    /// Set to print its misses (only when deciding to retire it to a regression set).
    show: &'static str,
    floor: f64,
    silent_at_most: usize,
}

const BLIND: [Blind; 9] = [
    Blind {
        file: "heldout24.jsonl",
        show: "VITRINE_SHOW_HELDOUT24",
        floor: 92.3,
        silent_at_most: 2,
    },
    Blind {
        file: "heldout25.jsonl",
        show: "VITRINE_SHOW_HELDOUT25",
        floor: 93.1,
        silent_at_most: 2,
    },
    Blind {
        file: "heldout27.jsonl",
        show: "VITRINE_SHOW_HELDOUT27",
        floor: 93.9,
        silent_at_most: 2,
    },
    Blind {
        file: "heldout29.jsonl",
        show: "VITRINE_SHOW_HELDOUT29",
        floor: 94.6,
        silent_at_most: 2,
    },
    Blind {
        file: "heldout30.jsonl",
        show: "VITRINE_SHOW_HELDOUT30",
        floor: 90.8,
        silent_at_most: 2,
    },
    Blind {
        file: "heldout32.jsonl",
        show: "VITRINE_SHOW_HELDOUT32",
        floor: 90.8,
        silent_at_most: 1,
    },
    Blind {
        file: "heldout33.jsonl",
        show: "VITRINE_SHOW_HELDOUT33",
        floor: 95.4,
        silent_at_most: 3,
    },
    Blind {
        file: "heldout34.jsonl",
        show: "VITRINE_SHOW_HELDOUT34",
        floor: 93.1,
        silent_at_most: 3,
    },
    Blind {
        file: "heldout36.jsonl",
        show: "VITRINE_SHOW_HELDOUT36",
        floor: 92.3,
        silent_at_most: 3,
    },
];

/// The same corpus with words alone, no semantic fallback: measured beside what ships, so the
/// choice between them rests on numbers (words alone: held-out 116/131; with the fallback:
/// 118/131, no more silent plans). Words alone must never plan silently on the training part.
#[test]
fn words_alone_are_measured_on_the_corpus() {
    let catalog = ToolCatalog::standard();
    let train = run("train.jsonl", &catalog, None);
    let heldout = run("heldout.jsonl", &catalog, None);
    print("words-only train", &train, false);
    print(
        "words-only heldout",
        &heldout,
        std::env::var_os("VITRINE_SHOW_HELDOUT").is_some(),
    );
    assert!(
        train.silent.len() <= 1,
        "more silent plans from words alone than with the fallback, plus one"
    );
}
