//! Unit tests of the offline planner on the seed's requests and on what it must never do
//! silently. The broad measure is the paraphrase corpus (`tests/it/corpus.rs`).

use serde_json::json;
use vitrine_store::{ArtifactMeta, MediaInfo, Provenance};
use vitrine_wire::{ArtifactId, ArtifactKind, SessionId};

use super::*;

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

fn understood(instruction: &str, inputs: &[ArtifactMeta]) -> Understanding {
    understand(instruction, None, inputs, &ToolCatalog::standard())
        .unwrap_or_else(|error| panic!("{instruction:?}: {error}"))
}

/// An understanding with every part planned.
fn fully_understood(instruction: &str, inputs: &[ArtifactMeta]) -> Understanding {
    let understanding = understood(instruction, inputs);
    assert!(
        understanding.not_done.is_empty(),
        "{instruction:?}: {:?}",
        understanding.not_done
    );
    understanding
}

fn steps(instruction: &str, kind: ArtifactKind) -> Vec<(String, Value)> {
    fully_understood(instruction, &[input(kind)])
        .plan
        .steps
        .into_iter()
        .map(|step| (step.tool, step.args))
        .collect()
}

/// The tools an understanding plans, in order.
fn planned(understanding: &Understanding) -> Vec<&str> {
    understanding
        .plan
        .steps
        .iter()
        .map(|step| step.tool.as_str())
        .collect()
}

fn tools(instruction: &str, kind: ArtifactKind) -> Vec<String> {
    steps(instruction, kind)
        .into_iter()
        .map(|(tool, _)| tool)
        .collect()
}

#[test]
fn the_seed_redaction_sentence_chains_face_blur_and_phi_redaction() {
    let plan = steps(
        "Blur all faces and remove any PHI from this image.",
        ArtifactKind::Image,
    );
    assert_eq!(plan.len(), 2);
    assert_eq!(plan[0].0, "blur_faces");
    assert_eq!(plan[0].1["image"], json!({"$ref": "input:0"}));
    assert_eq!(plan[0].1["method"], "blur");
    assert_eq!(plan[0].1["strength"], 2.0);
    assert_eq!(plan[1].0, "redact_phi");
    assert_eq!(plan[1].1["image"], json!({"$ref": "step:s1.image"}));
}

#[test]
fn hiding_faces_and_text_is_understood_in_other_words() {
    for ask in [
        "anonymize the people and hide patient info",
        "make the faces unrecognisable and scrub the personal details",
        "de-identify this: faces and names",
    ] {
        assert_eq!(
            tools(ask, ArtifactKind::Image),
            ["blur_faces", "redact_phi"],
            "{ask}"
        );
    }
    assert_eq!(
        tools("make the faces unrecognizable", ArtifactKind::Image),
        ["blur_faces"]
    );
}

#[test]
fn what_the_sender_says_of_themselves_is_not_hidden() {
    // "I'm a nurse" is who is asking; "I don't want to expose anyone" is why, when the ask says
    // what to hide and keeps the rest.
    assert_eq!(
        tools(
            "I'm a pharmacist at a busy clinic. The label shows the customer's name and address. \
             Please blank out the personal details.",
            ArtifactKind::Image
        ),
        ["redact_phi"]
    );
    let names_only = understood(
        "The neighbours' names are on the buzzer panel. I don't want to expose anyone. Blur \
         those names and leave the rest alone.",
        &[input(ArtifactKind::Image)],
    );
    assert_eq!(planned(&names_only), ["redact_phi"]);
    // "Colour and everything else can stay", "keep me the same": nothing more to do.
    let kept = understood(
        "Pad it to 4:5 instead of cropping. Colour and everything else can stay.",
        &[input(ArtifactKind::Image)],
    );
    assert!(kept.not_done.is_empty(), "{:?}", kept.not_done);
}

#[test]
fn a_3d_ask_keeps_its_object_wherever_it_stands() {
    for (ask, object) in [
        ("reconstruct the table in 3D", "table"),
        ("I want the table as an SPZ", "table"),
        ("a 3D model of only the chair", "chair"),
        ("3D reconstruction of the table", "table"),
        // Things set aside, places and purposes are not the thing.
        ("can u make the mug 3d, not the plate", "mug"),
        (
            "I'd like a splat of my guitar, the amp behind it doesn't matter",
            "guitar",
        ),
        ("ignore the dog, I only want the kennel in 3D", "kennel"),
        ("turn the lamp in this photo into a 3D model", "lamp"),
        (
            "I need the teapot on the left as a splat for my shop",
            "teapot",
        ),
        (
            "put the helmet on the shelf into 3d for our catalogue",
            "helmet",
        ),
        (
            "Could I get a 3D reconstruction of the clock alone?",
            "clock",
        ),
        ("focus on the bike when you rebuild it in 3D", "bike"),
        (
            "Could you pull the bicycle out of the picture as a 3D object?",
            "bicycle",
        ),
        // Said before the ask and pointed back at.
        (
            "The lamp by the window - that's the one I want in 3D",
            "lamp",
        ),
        (
            "Just the kettle. The rest is clutter. 3D model please",
            "kettle",
        ),
        (
            "I took a picture of my old radio. Can you turn it into a splat?",
            "old radio",
        ),
        (
            "My uncle carved this wooden horse. We'd love a 3D version of it so the kids can spin it on their tablet.",
            "wooden horse",
        ),
        (
            "The drum on the stage is my brother's pride and joy. Can I get it in 3D before he sells it for good?",
            "drum",
        ),
        // Names of several words, whatever their first word; owners dropped.
        ("I'd like my office chair as a 3D model", "office chair"),
        ("Please reconstruct the old brass lamp.", "old brass lamp"),
        ("my dad's guitar in 3D please", "guitar"),
        ("reconstruct the café table in 3D", "table"),
        (
            "The statue in the middle of the square is what we want in 3D.",
            "statue",
        ),
        (
            "The owl on the shelf — could you turn it into a splat?",
            "owl",
        ),
        (
            "Look at the lamp by the window. Can you reconstruct that in 3D?",
            "lamp",
        ),
        (
            "I'm selling my bike — make a 3D version of it so buyers can see every side",
            "bike",
        ),
        ("3d the car, ignore everything else in the shot", "car"),
    ] {
        let plan = steps(ask, ArtifactKind::Image);
        assert_eq!(plan.len(), 1, "{ask}");
        assert_eq!(plan[0].0, "reconstruct_3d");
        assert_eq!(plan[0].1["object"], object, "{ask}");
    }
    // "It" after a cut-out is the thing cut out.
    let cut_out = steps(
        "isolate the trophy from its background, then make a 3d model of it",
        ArtifactKind::Image,
    );
    assert_eq!(cut_out.len(), 2);
    assert_eq!(cut_out[1].0, "reconstruct_3d");
    assert_eq!(cut_out[1].1["object"], "trophy");
    for whole in [
        "turn this scene into a gaussian splat",
        "I'd like the entire room as a 3D scene",
        "the cat wandered into the shot, make it 3D anyway",
        "make a 3D model out of the picture",
        // Purposes, times and background sentences name no thing.
        "Turn it into a 3D model for the museum",
        "make a 3D model now please",
        "Just a quick question. Can you make it 3D?",
        "Only my sister was home that day. Make the picture 3D.",
        "The sunset was my favourite moment of the trip. Can you make it 3D?",
        "I made a mistake last time, sorry. Can you make it 3D?",
        "I took a photo of my living room with the new sofa. Make it 3D.",
        // Several things: the whole picture holds them.
        "Make the chair, the table and the lamp 3D",
        "The weather was lovely. Make it 3D",
        "The sofa and the armchair in 3D please",
    ] {
        let plan = steps(whole, ArtifactKind::Image);
        assert_eq!(plan[0].1.get("object"), None, "{whole}");
    }
}

#[test]
fn what_cannot_be_done_is_named_never_swapped() {
    // A slideshow is not an animation.
    let error = understand(
        "animate this photo so that she waves",
        None,
        &[input(ArtifactKind::Image)],
        &ToolCatalog::standard(),
    )
    .expect_err("nothing here animates");
    assert!(
        matches!(&error, AgentError::NotPossible { not_done } if not_done[0].capability == "animation")
    );
    assert!(error.to_string().contains("no video generation"), "{error}");
    // The part that can be done runs; the rest is named.
    let understanding = understood(
        "blur her face and then animate it so she waves",
        &[input(ArtifactKind::Image)],
    );
    assert_eq!(planned(&understanding), ["blur_faces"]);
    assert_eq!(understanding.not_done.len(), 1);
    assert_eq!(understanding.not_done[0].capability, "animation");
}

#[test]
fn the_schema_never_decides_what_to_do() {
    let schema = json!({
        "type": "object",
        "properties": {
            "redacted_image": {"type": "object", "description": "Image with sensitive regions removed",
                "properties": {"id": {"type": "string", "pattern": "^img_[0-9a-f]{6}$"}}},
            "notes": {"type": "string"}
        }
    });
    let understanding = understand(
        "What did you receive?",
        Some(&schema),
        &[input(ArtifactKind::Image)],
        &ToolCatalog::standard(),
    );
    // A question about the input is answered from it; no redaction is invented.
    if let Ok(understanding) = understanding {
        assert!(
            understanding
                .plan
                .steps
                .iter()
                .all(|step| !step.tool.starts_with("redact") && step.tool != "blur_faces"),
            "{:?}",
            understanding.plan
        );
    }
    // No ask at all: a schema whose ref names a result does not turn "." into a redaction…
    let understanding = understand(
        ".",
        Some(&schema),
        &[input(ArtifactKind::Image)],
        &ToolCatalog::standard(),
    );
    assert!(
        matches!(understanding, Err(AgentError::NotUnderstood { .. })),
        "{understanding:?}"
    );
    // …while a schema that only asks for what was received gets the input back.
    let echo = json!({
        "type": "object",
        "properties": {
            "image": {"type": "object", "properties": {"id": {"type": "string", "pattern": "^img_[0-9a-f]{6}$"}}},
            "notes": {"type": "string"}
        }
    });
    let understanding = understand(
        ".",
        Some(&echo),
        &[input(ArtifactKind::Image)],
        &ToolCatalog::standard(),
    )
    .expect("no ask, a schema for the input: the input comes back");
    assert!(understanding.plan.steps.is_empty());
    assert!(understanding.returns_input);
}

#[test]
fn try_on_fans_out_one_edit_per_view() {
    let text = "You are provided with two images: one of a dress (the first image) and one of a person (the second image). \
        Generate highly realistic virtual try-on by seamlessly compositing the dress onto the person, ensuring natural fit \
        and alignment, and that the person appears fully and appropriately dressed. Provide exactly 3 images (9:16 aspect ratio) \
        as output: one from the front, one from the back, and one from the side.";
    let understanding = understood(
        text,
        &[input(ArtifactKind::Image), input(ArtifactKind::Image)],
    );
    assert!(
        understanding.not_done.is_empty(),
        "{:?}",
        understanding.not_done
    );
    let steps = &understanding.plan.steps;
    assert_eq!(steps.len(), 3, "{steps:?}");
    for (step, view) in steps.iter().zip(["front", "back", "side"]) {
        assert_eq!(step.tool, "edit_image");
        assert_eq!(step.args["aspect"], "9:16");
        assert_eq!(step.args["images"].as_array().map(Vec::len), Some(2));
        let prompt = step.args["prompt"].as_str().unwrap_or_default();
        assert!(prompt.ends_with(&format!("the {view} view.")), "{prompt}");
    }
}

#[test]
fn edits_chain_and_questions_do_not() {
    let plan = steps(
        "crop to the face, make it black and white and then shrink to 256",
        ArtifactKind::Image,
    );
    let names: Vec<&str> = plan.iter().map(|(tool, _)| tool.as_str()).collect();
    assert_eq!(names, ["crop", "grayscale", "thumbnail"]);
    assert_eq!(plan[1].1["image"], json!({"$ref": "step:s1.image"}));
    assert_eq!(plan[2].1["image"], json!({"$ref": "step:s2.image"}));
    assert_eq!(plan[2].1["max_side"], 256);
    assert_eq!(
        tools("what does the text in this image say?", ArtifactKind::Image),
        ["ocr"]
    );
    let plan = steps("how many people are there?", ArtifactKind::Image);
    assert_eq!(plan[0].0, "detect_objects");
    assert_eq!(plan[0].1["labels"], json!(["person"]));
    assert_eq!(plan[0].1["draw_boxes"], false);
}

#[test]
fn media_kinds_pick_the_tool() {
    assert_eq!(
        tools("blur the faces", ArtifactKind::Video),
        ["blur_faces_video"]
    );
    let error = understand(
        "trim this from 2 to 5 seconds",
        None,
        &[input(ArtifactKind::Image)],
        &ToolCatalog::standard(),
    )
    .expect_err("no video attached");
    assert!(matches!(error, AgentError::WrongInput(_)), "{error}");
}

#[test]
fn a_correction_swaps_the_word_it_corrects_and_keeps_the_rest() {
    let plan = steps(
        "blur the bottom left quarter... sorry, I meant bottom right",
        ArtifactKind::Image,
    );
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!(plan[0].0, "redact_image");
    assert_eq!(plan[0].1["regions"][0]["x0"], json!(0.5));
    let plan = steps(
        "convert to png pls. no wait, jpg, quality 80",
        ArtifactKind::Image,
    );
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!(plan[0].1["format"], json!("jpeg"));
    assert_eq!(plan[0].1["quality"], json!(80));
}

#[test]
fn a_sentence_that_tells_adds_no_step_and_one_that_asks_keeps_its_own() {
    // Told, beside an ask: the phone and the sideways save are background.
    assert_eq!(
        tools(
            "My phone did that thing again where it saved the picture sideways. Could you turn \
             it 90 degrees to the left? He keeps asking what we ordered.",
            ArtifactKind::Image
        ),
        ["rotate"]
    );
    // What the sender always does, asked for with "do it", is still asked.
    assert_eq!(
        tools(
            "We always blur faces before posting. Can you do it and also remove the background?",
            ArtifactKind::Image
        ),
        ["blur_faces", "remove_background"]
    );
    // What someone else wants done to it, said without a verb, is still asked.
    assert_eq!(
        tools(
            "The client loved it but wants it in 16:9. Can you also sharpen it?",
            ArtifactKind::Image
        ),
        ["aspect", "adjust_image"]
    );
    // What is said to have to go is removed; "it has to go on the poster" is where it goes.
    assert_eq!(
        tools(
            "The names on the badges have to go. Also make it square.",
            ArtifactKind::Image
        ),
        ["redact_phi", "aspect"]
    );
    assert_eq!(
        tools(
            "It has to go on the poster, so make it 16:9.",
            ArtifactKind::Image
        ),
        ["aspect"]
    );
    // What someone else said to do is asked; what they said about it is not.
    assert_eq!(
        tools(
            "My boss says blur the faces. Also crop it square.",
            ArtifactKind::Image
        ),
        ["blur_faces", "aspect"]
    );
    assert_eq!(
        tools(
            "The client said the faces looked soft. Crop it square.",
            ArtifactKind::Image
        ),
        ["aspect"]
    );
    // Every face kept is no face hidden, and no face singled out.
    assert_eq!(
        tools(
            "Black out the names and phone numbers, leave the faces visible",
            ArtifactKind::Image
        ),
        ["redact_phi"]
    );
    assert_eq!(
        tools(
            "keep the faces blurred and crop it square",
            ArtifactKind::Image
        ),
        ["blur_faces", "aspect"]
    );
    // "Also" after a verb goes on with its sentence, which names one more thing to hide.
    assert_eq!(
        tools(
            "please blur faces; the kids' names on the lockers are also a problem",
            ArtifactKind::Image
        ),
        ["blur_faces", "redact_phi"]
    );
    // "That half" is the place described, not what it shows.
    assert_eq!(
        tools(
            "My home address is printed across the top half of this parcel label photo. Cover \
             that half with a solid block, then shrink the whole thing to 800 px wide.",
            ArtifactKind::Image
        ),
        ["redact_image", "resize"]
    );
    // An ask with a thing of its own is not folded into the step before.
    assert_eq!(
        tools(
            "De-identify him, and make the text on his hospital badge unreadable while you're \
             at it.",
            ArtifactKind::Image
        ),
        ["blur_faces", "redact_phi"]
    );
    // "We'd rather not pick and choose" takes back nothing.
    assert_eq!(
        tools(
            "Only the first 45 seconds matter. Please cut it down to those first 45 seconds and \
             then obscure every face in it. Some residents asked not to be shown and we'd \
             rather not pick and choose.",
            ArtifactKind::Video
        ),
        ["trim_video", "blur_faces_video"]
    );
}

#[test]
fn a_wish_said_object_first_is_the_ask_it_passes_on() {
    // Words alone (no sentence model): the participle is read as its verb.
    for (said, want) in [
        ("she wants the colour taken out", vec!["grayscale"]),
        ("my boss wants the colour removed", vec!["grayscale"]),
        ("also, the colour needs taking out", vec!["grayscale"]),
        (
            "my coworker said the name on the wristband has to go, and she wants the colour \
             taken out as well",
            vec!["redact_phi", "grayscale"],
        ),
    ] {
        assert_eq!(tools(said, ArtifactKind::Image), want, "{said:?}");
    }
    // A past or negated wish asks nothing of its own.
    for told in [
        "blur the faces. she wanted the colour taken out last time",
        "blur the faces. she doesn't want the colour taken out",
    ] {
        assert_eq!(tools(told, ArtifactKind::Image), ["blur_faces"], "{told:?}");
    }
}

#[test]
fn one_more_thing_said_without_a_verb_is_asked_and_what_stays_is_not() {
    assert_eq!(
        tools(
            "grab a frame every 2 seconds, and a contact sheet as well, 4 columns wide",
            ArtifactKind::Video
        ),
        ["extract_frames", "contact_sheet"]
    );
    // "Leave that" keeps what was just told: no rotation.
    assert_eq!(
        tools(
            "Blur the faces. oh and it's a bit tilted, but leave that, I actually like it that way",
            ArtifactKind::Image
        ),
        ["blur_faces"]
    );
    // A relative clause about someone is no question of who they are.
    assert_eq!(
        tools(
            "my sister, who is looking over my shoulder, said to make it brighter as well",
            ArtifactKind::Image
        ),
        ["adjust_image"]
    );
    // The document's redaction hides the face a later sentence names on one of its pages.
    let plan = steps(
        "please black out the patient names throughout. The photograph on the first page also \
         shows a patient's face, which needs pixelating",
        ArtifactKind::Document,
    );
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!(plan[0].0, "redact_document");
    assert_eq!(plan[0].1["faces"], json!(true));
    assert_eq!(plan[0].1["face_method"], json!("pixelate"));
}

#[test]
fn what_was_done_denied_or_questioned_is_not_passed_on_as_an_ask() {
    for (said, want) in [
        // Done already (the present perfect), not asked.
        (
            "we have cropped and resized it already. blur the faces",
            vec!["blur_faces"],
        ),
        // A need that nothing here does.
        (
            "my boss said it has to be approved by legal first. crop it square",
            vec!["aspect"],
        ),
        // The first participle says how; a later one is what it replaces.
        (
            "the client wants the faces pixelated instead of blurred",
            vec!["blur_faces"],
        ),
    ] {
        assert_eq!(tools(said, ArtifactKind::Image), want, "{said:?}");
    }
    let pixelated = steps(
        "the client wants the faces pixelated instead of blurred",
        ArtifactKind::Image,
    );
    assert_eq!(pixelated[0].1["method"], json!("pixelate"));
    // A question of who someone is stays one, relative words or not.
    let asked = understand(
        "can you tell me who is standing next to the bride?",
        None,
        &[input(ArtifactKind::Image)],
        &ToolCatalog::standard(),
    );
    assert!(
        matches!(&asked, Err(AgentError::NotPossible { not_done })
            if not_done.iter().any(|part| part.capability == "face_identification")),
        "{asked:?}"
    );
}

#[test]
fn people_named_with_their_text_keep_their_faces_asked_or_not() {
    for (said, want) in [
        // A person's text, not their face.
        (
            "hide the email addresses and the customer's home address in this screenshot",
            vec!["redact_phi"],
        ),
        // People named by themselves beside their text: both.
        (
            "hide the kids and their names",
            vec!["blur_faces", "redact_phi"],
        ),
        (
            "none of the children can be recognised, please",
            vec!["blur_faces"],
        ),
        // Words that say how a planned step works fill it.
        (
            "remove the home address. use tesseract for reading the text",
            vec!["redact_phi"],
        ),
        // A habit, and something read elsewhere, are context.
        (
            "buyers like to spin items around. build a 3d version of the armchair",
            vec!["reconstruct_3d"],
        ),
        (
            "read that photos can leak where they were taken. remove the hidden metadata",
            vec!["strip_metadata"],
        ),
        // How a depth map draws distance is no brightness change.
        (
            "a depth map please, near things bright, far things dark",
            vec!["estimate_depth"],
        ),
        (
            "two things before this goes into the report: hide the patient's face, and scrub any identifying text on the monitor behind her",
            vec!["blur_faces", "redact_phi"],
        ),
    ] {
        assert_eq!(tools(said, ArtifactKind::Image), want, "{said:?}");
    }
    let engine = steps(
        "remove the home address. use tesseract for reading the text",
        ArtifactKind::Image,
    );
    assert_eq!(engine[0].1["engine"], json!("tesseract"));
    // Some people kept visible while faces are hidden: not possible, and said.
    for said in [
        "hide the kids' faces but keep the adults visible",
        "blur the kids' faces and leave the teachers alone",
    ] {
        let asked = understand(
            said,
            None,
            &[input(ArtifactKind::Image)],
            &ToolCatalog::standard(),
        );
        assert!(
            matches!(&asked, Err(AgentError::NotPossible { not_done })
                if not_done.iter().any(|part| part.capability == "selective_face_hiding")),
            "{said:?}: {asked:?}"
        );
    }
    // A kept attribute is no kept person; a part kept as it is is no picture given back.
    assert_eq!(
        tools(
            "pixelate the faces and keep the kid's shirt colour",
            ArtifactKind::Image
        ),
        vec!["blur_faces"]
    );
    // Never the picture given back as it is (the sentence model reads it as face hiding).
    let faces_only = understand(
        "faces only please, leave the text as it is",
        None,
        &[input(ArtifactKind::Image)],
        &ToolCatalog::standard(),
    );
    assert!(
        !faces_only
            .as_ref()
            .is_ok_and(|understanding| understanding.returns_input),
        "{faces_only:?}"
    );
    let kept = understand(
        "leave the text as it is",
        None,
        &[input(ArtifactKind::Image)],
        &ToolCatalog::standard(),
    );
    assert!(
        matches!(kept, Err(AgentError::NotUnderstood { .. })),
        "{kept:?}"
    );
}

#[test]
fn what_is_cut_off_goes_and_what_is_named_otherwise_stays() {
    let region = |said: &str| steps(said, ArtifactKind::Image)[0].1["region"].clone();
    assert_eq!(
        region("cut the left half off, then scale it down to half size"),
        json!({"shape": "norm_box", "x0": 0.5, "y0": 0.0, "x1": 1.0, "y1": 1.0})
    );
    assert_eq!(
        region("crop away everything except the top half"),
        json!({"shape": "norm_box", "x0": 0.0, "y0": 0.0, "x1": 1.0, "y1": 0.5})
    );
    assert_eq!(
        region("crop away everything below the middle"),
        json!({"shape": "norm_box", "x0": 0.0, "y0": 0.0, "x1": 1.0, "y1": 0.5})
    );
    let trim = |said: &str| steps(said, ArtifactKind::Video)[0].1.clone();
    let chopped =
        trim("our intro is on the first 3 seconds of every recording - chop that off this one");
    assert_eq!(
        (chopped["start_s"].clone(), chopped.get("end_s")),
        (json!(3.0), None)
    );
    let kept = trim("only the first 30 seconds are useful. cut the rest off");
    assert_eq!(
        (kept["start_s"].clone(), kept["end_s"].clone()),
        (json!(0.0), json!(30.0))
    );
    assert_eq!(trim("take the thumbnail from 1:30")["at_s"], json!(90.0));
    let sheet = trim("make a 4 by 3 contact sheet of this recording");
    assert_eq!(
        (sheet["columns"].clone(), sheet["rows"].clone()),
        (json!(4), json!(3))
    );
    assert_eq!(
        steps("flip it round 180 degrees", ArtifactKind::Image),
        vec![(
            "rotate".to_owned(),
            json!({"image": {"$ref": "input:0"}, "degrees": 180.0})
        )]
    );
}

/// The capabilities named not done, whether the whole request was refused or only a part.
fn not_done(said: &str, inputs: &[ArtifactMeta]) -> Vec<String> {
    let parts = match understand(said, None, inputs, &ToolCatalog::standard()) {
        Ok(understanding) => understanding.not_done,
        Err(AgentError::NotPossible { not_done }) => not_done,
        Err(error) => panic!("{said:?}: {error}"),
    };
    parts.into_iter().map(|part| part.capability).collect()
}

#[test]
fn both_points_back_at_every_thing_described_and_names_what_cannot_be_done() {
    let video = [input(ArtifactKind::Video)];
    let image = [input(ArtifactKind::Image)];
    let said = "the vid shows patients in our waiting room and their names are on the screen \
                behind the desk. hide both pls";
    assert_eq!(
        planned(&understood(said, &video)),
        ["blur_faces_video"],
        "{said:?}"
    );
    assert_eq!(not_done(said, &video), ["video_text_redaction"]);
    // Relatives are people, by whole words ("motherboard" is none), and "them" after their
    // text is the text.
    assert_eq!(
        tools(
            "My sisters' school reports have their names on them. Redact them",
            ArtifactKind::Image
        ),
        ["redact_phi"]
    );
    let motherboard = understand(
        "blur the serial number on the motherboard",
        None,
        &image,
        &ToolCatalog::standard(),
    );
    assert!(
        !motherboard
            .as_ref()
            .is_ok_and(|understanding| planned(understanding).contains(&"blur_faces")),
        "{motherboard:?}"
    );
    assert_eq!(
        not_done(
            "My kids are in the photo. The house number is on the door. Blur both",
            &image
        ),
        ["unclear"]
    );
    // On a picture, a son and his name are both hidden (family words are people).
    assert_eq!(
        tools(
            "the photo shows my son. his name is on his shirt. hide both please",
            ArtifactKind::Image
        ),
        ["blur_faces", "redact_phi"]
    );
    // A licence plate beside a face: the face is hidden, the plate named as not done.
    let said = "There's a kid's face in the corner and a licence plate at the bottom. Blur both.";
    assert_eq!(understood(said, &image).plan.steps[0].tool, "blur_faces");
    assert_eq!(not_done(said, &image), ["hiding_other_things"]);
    // Other words of a description ask nothing: no mirroring for "reflected", no 9:16
    // "story" crop.
    assert_eq!(
        tools(
            "There are two strangers reflected in the window. Blur both",
            ArtifactKind::Image
        ),
        ["blur_faces"]
    );
    assert_eq!(
        tools(
            "I want to send it to a journalist who's covering the story. Some of the people \
             in it could get in trouble. Blur all of them, please.",
            ArtifactKind::Image
        ),
        ["blur_faces"]
    );
}

#[test]
fn someone_let_be_seen_before_the_faces_are_hidden_is_selective_hiding() {
    let image = [input(ArtifactKind::Image)];
    for said in [
        "wedding pic: the bride is fine to show but every guest around her should be blurred out",
        "her face is fine, blur everyone else",
        "the teacher can stay visible, blur the kids",
        "blur all the guests, the bride is fine to show",
    ] {
        assert_eq!(
            not_done(said, &image),
            ["selective_face_hiding"],
            "{said:?}"
        );
    }
    assert_eq!(
        not_done("The bride's fine to show. Blur the faces", &image),
        ["selective_face_hiding"]
    );
    // Consent, the picture, a method, several people, someone's things or people fine being
    // hidden spare nobody.
    for said in [
        "The kids are fine. Blur their faces before I post",
        "My dad's car is fine to show. Blur the faces though",
        "The bride is happy to be in the newsletter. Please blur all faces though.",
        "the kids are fine with it, blur the faces anyway",
        "the photo is fine, blur the faces",
        "hide the kids' faces (mosaic is fine)",
        "the interviewees are fine being hidden too, blur all the faces",
    ] {
        assert_eq!(tools(said, ArtifactKind::Image), ["blur_faces"], "{said:?}");
    }
}

#[test]
fn context_words_are_not_read_as_asks() {
    // Someone else resizes; an apology is no correction; "her background" is her history.
    assert_eq!(
        tools(
            "convert to jpg at quality 80, the printers will handle resizing on their side",
            ArtifactKind::Image
        ),
        ["convert_image"]
    );
    let trainer = steps(
        "This is my son's trainer. He wants it in 3D for a school design project. Sorry it's \
         a bit blurry, and the dog got into the corner of the shot.",
        ArtifactKind::Image,
    );
    assert_eq!(trainer.len(), 1);
    assert_eq!(trainer[0].1["object"], "trainer");
    assert_eq!(
        steps(
            "the bicycle leaning on the wall - reconstruct that in 3D please",
            ArtifactKind::Image
        )[0]
        .1["object"],
        "bicycle"
    );
    assert_eq!(
        steps(
            "Buyers keep asking for a 3D view - can you make one of the table only?",
            ArtifactKind::Image
        )[0]
        .1["object"],
        "table"
    );
    let image = [input(ArtifactKind::Image)];
    // A take-back word alone before a comma goes with the correction it makes.
    assert_eq!(
        steps(
            "Resize it to 1200 wide. Sorry, it's 800 wide I need",
            ArtifactKind::Image
        )[0]
        .1["width"],
        800
    );
    // One more of the same on another thing is said, not taken as context.
    assert_eq!(
        not_done(
            "Can you make a 3D model of the vase? And one of the teapot too",
            &image
        ),
        ["unclear"]
    );
    assert_eq!(
        not_done(
            "the shelter had no idea about her background. what breed is she?",
            &image
        ),
        ["open_question"]
    );
    // Typos and a method named before "over the faces".
    assert_eq!(
        steps("mosiac over the faces", ArtifactKind::Image)[0].1["method"],
        "pixelate"
    );
    assert_eq!(
        steps(
            "Solid black over the faces in this video please - not a blur.",
            ArtifactKind::Video
        )[0]
        .1["method"],
        "fill"
    );
}

/// Words that fit another kind of input than the one attached are a likeness of words unless
/// they name or imply that kind; with nothing attached, a picture asked for with "a" is made.
#[test]
fn words_for_media_not_attached_are_read_for_what_is() {
    let two_photos = [input(ArtifactKind::Image), input(ArtifactKind::Image)];
    // "Show … on the person" is no PDF page to render: not the wrong input, but words that
    // need the sentence model (the corpus test plans it as a try-on).
    let shown = understand(
        "Show this t-shirt on the person in the other photo.",
        None,
        &two_photos,
        &ToolCatalog::standard(),
    );
    assert!(
        matches!(shown, Err(AgentError::NotUnderstood { .. })),
        "{shown:?}"
    );
    // Seconds and times imply a video, an ask about the media attached that names no kind is
    // about it, and no input at all leaves every tool without one.
    for (said, inputs) in [
        (
            "trim the first 10 secs of this photo",
            vec![input(ArtifactKind::Image)],
        ),
        ("grab a still from 1:42", vec![input(ArtifactKind::Image)]),
        ("make it black and white", vec![input(ArtifactKind::Video)]),
        (
            "paste the logo in the corner",
            vec![input(ArtifactKind::Image)],
        ),
        (
            "trim it to the first 30 seconds",
            vec![input(ArtifactKind::Image)],
        ),
        ("blur the faces in my holiday snap", Vec::new()),
        ("crop the photo to a square", Vec::new()),
    ] {
        let refused = understand(said, None, &inputs, &ToolCatalog::standard());
        assert!(
            matches!(refused, Err(AgentError::WrongInput(_))),
            "{said:?}: {refused:?}"
        );
    }
    let made = understood(
        "Need a header for my blog: a lighthouse at sunset, wide 16:9.",
        &[],
    );
    assert_eq!(planned(&made), ["generate_image"]);
    assert_eq!(made.plan.steps[0].args["aspect"], "16:9");
    assert_eq!(
        planned(&understood(
            "Dream up a watercolour of an otter asleep on a lily pad",
            &[]
        )),
        ["generate_image"]
    );
    // A picture that was taken, or one to edit, is not made up.
    for said in [
        "I need a passport photo cropped to 35x45",
        "I need a photo of my grandma brightened",
        "crop a picture to 16:9",
        "I need a thumbnail of a photo I took",
        "give me a picture of page 3",
    ] {
        assert!(
            understand(said, None, &[], &ToolCatalog::standard()).is_err(),
            "{said:?}"
        );
    }
}

#[test]
fn sentences_end_where_people_end_them() {
    // An emoji before an ask ends the sentence; elsewhere it is left out.
    let corner = steps(
        "I scribbled my phone number in the top-right corner of this drawing 🙈 can you blur \
         that corner, roughly the top right quarter?",
        ArtifactKind::Image,
    );
    assert_eq!(corner.len(), 1);
    assert_eq!(corner[0].0, "redact_image");
    assert_eq!(corner[0].1["regions"][0]["x0"], 0.5);
    assert_eq!(
        tools(
            "birthday party pic 🎂 other parents dont want their kids online so can u pixelate \
             all faces pls",
            ArtifactKind::Image
        ),
        ["blur_faces"]
    );
    // What someone else will do, after a comma, asks nothing; what it requires, or an ask
    // after "so", still asks.
    assert_eq!(
        tools(
            "Save it as a JPEG at quality 80 please, Mark will pick it up from them tomorrow.",
            ArtifactKind::Image
        ),
        ["convert_image"]
    );
    assert_eq!(
        tools(
            "Blur the faces, Sam will print it so make it black and white",
            ArtifactKind::Image
        ),
        ["blur_faces", "grayscale"]
    );
    assert_eq!(
        tools(
            "Blur the faces, Mark will only accept square images",
            ArtifactKind::Image
        ),
        ["blur_faces", "aspect"]
    );
    // "The phone number I circled" is one more thing to hide, not a story.
    assert_eq!(
        tools(
            "Hide everything sensitive. Also the phone number I circled.",
            ArtifactKind::Image
        ),
        ["blur_faces", "redact_phi"]
    );
}

#[test]
fn arguments_read_from_everyday_words() {
    // A value judged right for the step before fills it; no step starts from its words.
    let frames = [
        input(ArtifactKind::Image),
        input(ArtifactKind::Image),
        input(ArtifactKind::Image),
    ];
    let timelapse = understood(
        "Photos of the bread rising, one an hour. Turn them into a short clip. Three frames per \
         second should be about right.",
        &frames,
    );
    assert_eq!(planned(&timelapse), ["frames_to_video"]);
    assert_eq!(timelapse.plan.steps[0].args["fps"], 3.0);
    // "Right as", "it left", "the top in pic 2": no views to make.
    let two = [input(ArtifactKind::Image), input(ArtifactKind::Image)];
    let views = understood(
        "The top in the second photo, on me please, from the back and from the side.",
        &two,
    );
    assert_eq!(planned(&views), ["edit_image", "edit_image"]);
    assert_eq!(
        tools(
            "A bus went past right as I took it and the app left a smudge. Remove the bus and \
             fill the gap in.",
            ArtifactKind::Image
        ),
        ["edit_image"]
    );
    // The way of hiding asked for, not one turned down, taken back or told of.
    for (ask, method) in [
        (
            "Solid black boxes over the faces please - blur can be undone",
            "fill",
        ),
        (
            "Last time I pixelated them myself and you could still tell who was who. Could \
             you cover the faces with black boxes this time?",
            "fill",
        ),
        (
            "blur the faces... actually no, pixelate them, blur looks reversible to me",
            "pixelate",
        ),
        (
            "face blur on this one, pixelated rather than smudgy",
            "pixelate",
        ),
        ("black out the faces, pixelation can be reversed", "fill"),
        ("cover the faces with a blur", "blur"),
        ("Pixelate the faces, blur can be undone", "pixelate"),
        ("pixelate faces, blur isn't enough", "pixelate"),
        (
            "Mosaic the faces, the kids can still be recognised otherwise",
            "pixelate",
        ),
        ("Sorry, no blur, use black boxes on the faces", "fill"),
        ("Blur the faces or rather pixelate them", "pixelate"),
        (
            "Blur over the faces, actually no, pixelate them",
            "pixelate",
        ),
    ] {
        assert_eq!(
            steps(ask, ArtifactKind::Image)[0].1["method"],
            method,
            "{ask}"
        );
    }
    // In a PDF, the way said nearest the faces is theirs.
    for (ask, method) in [
        (
            "Black out the personal details and pixelate any faces.",
            "pixelate",
        ),
        ("black boxes over the faces and blur the names", "fill"),
    ] {
        assert_eq!(
            steps(ask, ArtifactKind::Document)[0].1["face_method"],
            method,
            "{ask}"
        );
    }
    // "Cover up" hides; the cover is a page.
    let hr = steps(
        "Scanned HR file attached. Cover up the names and the photos on the ID pages.",
        ArtifactKind::Document,
    );
    assert_eq!(hr.len(), 1);
    assert_eq!(hr[0].0, "redact_document");
    assert_eq!(
        (&hr[0].1["faces"], &hr[0].1["phi"]),
        (&json!(true), &json!(true))
    );
    let letter = steps(
        "Only the text needs redacting in this referral letter; leave any pictures alone.",
        ArtifactKind::Document,
    );
    assert_eq!(
        (&letter[0].1["faces"], &letter[0].1["phi"]),
        (&json!(false), &json!(true))
    );
    let faces_only = steps(
        "Pixelate only the faces in this PDF, don't touch the text.",
        ArtifactKind::Document,
    );
    assert_eq!(faces_only[0].1["phi"], false);
    for said in [
        "Blur the faces in this PDF, don't redact the text",
        "Blur only the faces, the text is needed for the audit",
    ] {
        assert_eq!(
            steps(said, ArtifactKind::Document)[0].1["phi"],
            false,
            "{said:?}"
        );
    }
    assert_eq!(
        steps(
            "I need a 3D model for the lamp on the desk",
            ArtifactKind::Image
        )[0]
        .1["object"],
        "lamp"
    );
    let two = [input(ArtifactKind::Image), input(ArtifactKind::Image)];
    let pasted = understood(
        "Paste the logo (second image) in the top-left corner of the first photo at half size.",
        &two,
    );
    assert_eq!(planned(&pasted), ["overlay_image"]);
    assert_eq!(pasted.plan.steps[0].args["scale"], 0.5);
    // Whom things identify is no thing to hide: everything that identifies them is.
    assert_eq!(
        tools(
            "This is going into the incident report, so please take out anything that could \
             identify the people involved.",
            ArtifactKind::Image
        ),
        ["blur_faces", "redact_phi"]
    );
    assert_eq!(
        tools(
            "Clean this up so nobody in it can be identified - faces, name tags, the lot.",
            ArtifactKind::Image
        ),
        ["blur_faces", "redact_phi"]
    );
    let vase = steps(
        "The vase on the left is the one we're selling; we need it in 3D for the listing.",
        ArtifactKind::Image,
    );
    assert_eq!(vase[0].1["object"], "vase");
    let slideshow = understood(
        "These are five snaps from the hike, in order. Make a video where each one stays up \
         for a second.",
        &[input(ArtifactKind::Image), input(ArtifactKind::Image)],
    );
    assert_eq!(slideshow.plan.steps[0].args["fps"], 1.0);
}

/// Each step of a plan on two pictures: its tool, the refs it reads, and its other arguments.
fn on_two_pictures(instruction: &str) -> Vec<(String, Vec<String>, Value)> {
    let inputs = [input(ArtifactKind::Image), input(ArtifactKind::Image)];
    fully_understood(instruction, &inputs)
        .plan
        .steps
        .iter()
        .map(|step| {
            let mut args = step.args.clone();
            let mut refs = Vec::new();
            for arg in ["image", "images"] {
                if let Some(value) = args.as_object_mut().and_then(|args| args.remove(arg)) {
                    for one in value.as_array().cloned().unwrap_or_else(|| vec![value]) {
                        refs.push(one["$ref"].as_str().unwrap_or_default().to_owned());
                    }
                }
            }
            (step.tool.clone(), refs, args)
        })
        .collect()
}

#[test]
fn asks_for_each_picture_act_on_that_picture() {
    let plan = on_two_pictures("crop the first to square and the second to 16:9");
    assert_eq!(plan.len(), 2, "{plan:?}");
    assert_eq!(
        (plan[0].1.as_slice(), &plan[0].2["ratio"]),
        (&["input:0".to_owned()][..], &json!("1:1"))
    );
    assert_eq!(
        (plan[1].1.as_slice(), &plan[1].2["ratio"]),
        (&["input:1".to_owned()][..], &json!("16:9"))
    );

    let plan =
        on_two_pictures("make the first one black and white and blur the faces in the second");
    let tools: Vec<(&str, &[String])> = plan
        .iter()
        .map(|(tool, refs, _)| (tool.as_str(), refs.as_slice()))
        .collect();
    assert_eq!(
        tools,
        [
            ("grayscale", &["input:0".to_owned()][..]),
            ("blur_faces", &["input:1".to_owned()][..])
        ]
    );

    let plan =
        on_two_pictures("blur the faces in the first one and pixelate the people in the second");
    assert_eq!(plan.len(), 2, "{plan:?}");
    assert_eq!(plan[1].1, ["input:1"]);

    // Edits of each picture, then one step that takes them all gets every result.
    let plan = on_two_pictures("crop each to 16:9 and then put them side by side");
    let tools: Vec<&str> = plan.iter().map(|(tool, _, _)| tool.as_str()).collect();
    assert_eq!(tools, ["aspect", "aspect", "combine_images"]);
    assert_eq!(plan[2].1, ["step:s1.image", "step:s2.image"]);

    let plan = on_two_pictures("crop the second one square, then put them side by side");
    assert_eq!(plan[1].1, ["input:0", "step:s1.image"], "{plan:?}");
}
