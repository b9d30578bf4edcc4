//! Unit tests of the offline planner over everyday phrasings.

use serde_json::json;
use vitrine_store::{ArtifactMeta, MediaInfo, Provenance};
use vitrine_wire::{ArtifactId, ArtifactKind, SessionId};

use super::*;

pub(super) fn input(kind: ArtifactKind) -> ArtifactMeta {
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

/// The plan's steps as `(tool, args)` with refs left as written.
pub(super) fn plan(instruction: &str, kind: ArtifactKind) -> Vec<(String, Value)> {
    plan_offline(instruction, None, &[input(kind)])
        .unwrap_or_else(|error| panic!("{instruction:?}: {error}"))
        .steps
        .into_iter()
        .map(|step| (step.tool, step.args))
        .collect()
}

fn tools(instruction: &str, kind: ArtifactKind) -> Vec<String> {
    plan(instruction, kind)
        .into_iter()
        .map(|(tool, _)| tool)
        .collect()
}

#[test]
fn the_seed_redaction_sentence_chains_strong_face_blur_and_phi_fill() {
    let steps = plan(
        "Blur all faces and remove any PHI from this image.",
        ArtifactKind::Image,
    );
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[0].0, "blur_faces");
    assert_eq!(steps[0].1["image"], json!({"$ref": "input:0"}));
    assert_eq!(steps[0].1["method"], "blur");
    assert_eq!(steps[0].1["strength"], 2.0);
    assert_eq!(steps[1].0, "redact_phi");
    assert_eq!(steps[1].1["image"], json!({"$ref": "step:s1.image"}));
}

#[test]
fn everyday_phrasings_map_to_the_right_tools() {
    use ArtifactKind::{Document, Image, Video};
    let cases: [(&str, ArtifactKind, &[&str]); 26] = [
        ("Pixelate the faces", Image, &["blur_faces"]),
        ("anonymize everyone's face", Image, &["blur_faces"]),
        (
            "Redact the patient information on this form",
            Image,
            &["redact_phi"],
        ),
        ("Crop to the largest face", Image, &["crop"]),
        ("make a headshot", Image, &["crop"]),
        ("Make a 200px thumbnail", Image, &["thumbnail"]),
        ("Resize to 800x600", Image, &["resize"]),
        ("resize this to 512 px", Image, &["resize"]),
        ("Crop to 9:16", Image, &["aspect"]),
        ("make it square", Image, &["aspect"]),
        ("Convert to grayscale", Image, &["grayscale"]),
        ("make it black and white", Image, &["grayscale"]),
        ("Rotate 45 degrees counterclockwise", Image, &["rotate"]),
        ("Detect faces and draw boxes", Image, &["detect_faces"]),
        ("How many dogs are there?", Image, &["detect_objects"]),
        ("Find all the cars and bicycles", Image, &["detect_objects"]),
        ("OCR the text", Image, &["ocr"]),
        ("What does this sign say?", Image, &["ocr"]),
        ("Remove the background", Image, &["remove_background"]),
        ("Trim the video from 0:05 to 0:12", Video, &["trim_video"]),
        ("Extract 8 frames", Video, &["extract_frames"]),
        ("grab a frame every 2 seconds", Video, &["extract_frames"]),
        ("Make a contact sheet", Video, &["contact_sheet"]),
        ("Render page 3 of this PDF", Document, &["render_pdf_page"]),
        (
            "Generate a 3D reconstruction of the table in the image.",
            Image,
            &["reconstruct_3d"],
        ),
        (
            "crop to the largest face and convert it to grayscale",
            Image,
            &["crop", "grayscale"],
        ),
    ];
    for (instruction, kind, expected) in cases {
        assert_eq!(tools(instruction, kind), expected, "{instruction:?}");
    }
}

#[test]
fn arguments_come_from_the_wording() {
    use ArtifactKind::{Document, Image, Video};
    assert_eq!(plan("Make a 200px thumbnail", Image)[0].1["max_side"], 200);
    let resize = &plan("Resize to 800x600", Image)[0].1;
    assert_eq!(
        (resize["width"].clone(), resize["height"].clone()),
        (json!(800), json!(600))
    );
    assert_eq!(
        plan("resize it to 300 pixels wide", Image)[0].1["width"],
        300
    );
    assert!(
        plan("resize it to 300 pixels wide", Image)[0]
            .1
            .get("height")
            .is_none()
    );
    assert_eq!(
        plan("Rotate 45 degrees counterclockwise", Image)[0].1["degrees"],
        -45.0
    );
    assert_eq!(plan("rotate it", Image)[0].1["degrees"], 90.0);
    assert_eq!(
        plan("turn it upside down, rotate", Image)[0].1["degrees"],
        180.0
    );
    let aspect = &plan("Crop to 9:16", Image)[0].1;
    assert_eq!(
        (aspect["ratio"].clone(), aspect["mode"].clone()),
        (json!("9:16"), json!("crop"))
    );
    assert_eq!(plan("pad it to 16:9", Image)[0].1["mode"], "pad");
    let trim = &plan("Trim the video from 0:05 to 1:02.5", Video)[0].1;
    assert_eq!(
        (trim["start_s"].clone(), trim["end_s"].clone()),
        (json!(5.0), json!(62.5))
    );
    let trim = &plan("cut the clip between 2 and 7 seconds", Video)[0].1;
    assert_eq!(
        (trim["start_s"].clone(), trim["end_s"].clone()),
        (json!(2.0), json!(7.0))
    );
    assert_eq!(
        plan("Extract 8 frames", Video)[0].1["selection"],
        json!({"mode": "evenly", "count": 8})
    );
    assert_eq!(
        plan("grab a frame every 2 seconds", Video)[0].1["selection"],
        json!({"mode": "every", "interval_s": 2.0})
    );
    assert_eq!(
        plan("Make a contact sheet of 9 frames", Video)[0].1["count"],
        9
    );
    assert_eq!(plan("Render page 3 of this PDF", Document)[0].1["page"], 3);
    assert_eq!(plan("show me the first page", Document)[0].1["page"], 1);
    assert_eq!(
        plan(
            "Generate a 3D reconstruction of the table in the image.",
            Image
        )[0]
        .1["object"],
        "table"
    );
    assert!(
        plan("Reconstruct this photo in 3D", Image)[0]
            .1
            .get("object")
            .is_none()
    );
    let detect = &plan("Find all the cars and bicycles", Image)[0].1;
    assert_eq!(detect["labels"], json!(["car", "bicycle"]));
    assert_eq!(plan("Pixelate the faces", Image)[0].1["method"], "pixelate");
}

#[test]
fn the_schema_wording_is_a_fallback_when_the_instruction_is_vague() {
    let schema =
        json!({"properties": {"grayscale_image": {"description": "the photo in black and white"}}});
    let plan = plan_offline("process this", Some(&schema), &[input(ArtifactKind::Image)])
        .expect("planned from the schema");
    assert_eq!(plan.steps[0].tool, "grayscale");
}

#[test]
fn generation_asks_become_parallel_edit_or_generate_calls() {
    let schema = json!({"properties": {"front": {}, "back": {}, "side": {}}});
    let inputs = [input(ArtifactKind::Image), input(ArtifactKind::Image)];
    let plan = plan_offline(
            "You have two images. Generate a virtual try-on; provide exactly 3 images (9:16 aspect ratio).",
            Some(&schema),
            &inputs,
        )
        .expect("planned");
    assert_eq!(plan.steps.len(), 3);
    let mut views = Vec::new();
    for step in &plan.steps {
        assert_eq!(step.tool, "edit_image");
        assert_eq!(step.args["aspect"], "9:16");
        assert_eq!(
            step.args["images"],
            json!([{"$ref": "input:0"}, {"$ref": "input:1"}])
        );
        let prompt = step.args["prompt"].as_str().expect("prompt");
        let view = ["front", "back", "side"]
            .into_iter()
            .find(|view| prompt.ends_with(&format!("the {view} view.")))
            .expect("a view");
        views.push(view);
    }
    views.sort_unstable();
    assert_eq!(views, ["back", "front", "side"]);
    assert_eq!(plan.final_steps().len(), 3, "independent steps");
    let plan = plan_offline("Generate 2 images of a lighthouse at dusk, 16:9", None, &[])
        .expect("planned");
    assert_eq!(plan.steps.len(), 2);
    assert_eq!(plan.steps[0].tool, "generate_image");
    // "Create" alone with an edit the planner knows stays that edit.
    assert_eq!(tools("Create a 9:16 crop", ArtifactKind::Image), ["aspect"]);
}

#[test]
fn unknown_requests_and_missing_inputs_are_refused() {
    let error = plan_offline("Tell me a joke", None, &[input(ArtifactKind::Image)])
        .expect_err("not understood");
    assert!(matches!(error, AgentError::NotUnderstood { .. }));
    let error = plan_offline("Blur the faces", None, &[]).expect_err("no input");
    assert!(
        error.to_string().contains("no input was attached"),
        "{error}"
    );
    let error = plan_offline("Extract 3 frames", None, &[input(ArtifactKind::Image)])
        .expect_err("no video");
    assert!(error.to_string().contains("needs a video"), "{error}");
}

/// Plans over several inputs of the given kinds.
fn plan_many(instruction: &str, kinds: &[ArtifactKind]) -> Vec<(String, Value)> {
    let inputs: Vec<ArtifactMeta> = kinds.iter().map(|kind| input(*kind)).collect();
    plan_offline(instruction, None, &inputs)
        .unwrap_or_else(|error| panic!("{instruction:?}: {error}"))
        .steps
        .into_iter()
        .map(|step| (step.tool, step.args))
        .collect()
}

#[test]
fn media_toolkit_phrasings_route_with_their_arguments() {
    use ArtifactKind::{Document, Image, Video};
    for instruction in [
        "Transcode this to MP4",
        "make it playable in a browser",
        "convert the video to an mp4",
        "re-encode as H.264",
    ] {
        assert_eq!(
            tools(instruction, Video),
            ["transcode_video"],
            "{instruction:?}"
        );
    }
    assert_eq!(
        plan(
            "Trim the video from 1 to 3 seconds and convert it to mp4",
            Video
        )
        .into_iter()
        .map(|(tool, args)| (tool, args["video"].clone()))
        .collect::<Vec<_>>(),
        [
            ("trim_video".to_owned(), json!({"$ref": "input:0"})),
            (
                "transcode_video".to_owned(),
                json!({"$ref": "step:s1.video"})
            ),
        ]
    );

    let three = [Image, Image, Image];
    let video = plan_many("Make a video from these images at 4 fps", &three);
    assert_eq!(video.len(), 1);
    assert_eq!(video[0].0, "frames_to_video");
    assert_eq!(
        video[0].1["images"],
        json!([{"$ref": "input:0"}, {"$ref": "input:1"}, {"$ref": "input:2"}])
    );
    assert_eq!(video[0].1["fps"], 4.0);
    let slideshow = plan_many("turn these photos into a slideshow, 2 seconds each", &three);
    assert_eq!(slideshow[0].0, "frames_to_video");
    assert_eq!(slideshow[0].1["fps"], 0.5);

    assert_eq!(
        tools("How many pages does this PDF have?", Document),
        ["pdf_info"]
    );
    assert_eq!(tools("what's the page count", Document), ["pdf_info"]);
    let pdf_then_count = plan_many(
        "Make a PDF of these images and tell me how many pages it has",
        &three,
    );
    assert_eq!(pdf_then_count[1].0, "pdf_info");
    assert_eq!(
        pdf_then_count[1].1["document"],
        json!({"$ref": "step:s1.document"})
    );

    let pair = [Image, Image];
    let side = plan_many("Put these side by side", &pair);
    assert_eq!(side.len(), 1);
    assert_eq!(side[0].0, "combine_images");
    assert_eq!(side[0].1["layout"], "side_by_side");
    assert_eq!(
        side[0].1["images"],
        json!([{"$ref": "input:0"}, {"$ref": "input:1"}])
    );
    assert_eq!(
        plan_many("stack them vertically in one image", &pair)[0].1["layout"],
        "stack"
    );
    let grid = plan_many("make a grid of these with 3 columns", &three);
    assert_eq!(
        (grid[0].1["layout"].clone(), grid[0].1["columns"].clone()),
        (json!("grid"), json!(3))
    );
    assert_eq!(
        plan_many("make a contact sheet of these photos", &three)[0].0,
        "combine_images"
    );

    let tiles = plan("split this image into a 3x2 grid of tiles", Image);
    assert_eq!(tiles[0].0, "tile_image");
    assert_eq!(
        (tiles[0].1["rows"].clone(), tiles[0].1["columns"].clone()),
        (json!(2), json!(3))
    );
    let quarters = plan("cut it into 4 pieces", Image);
    assert_eq!(
        (
            quarters[0].1["rows"].clone(),
            quarters[0].1["columns"].clone()
        ),
        (json!(2), json!(2))
    );

    let pixelate = plan("pixelate the region 10,10,200,200", Image);
    assert_eq!(pixelate.len(), 1);
    assert_eq!(pixelate[0].0, "redact_image");
    assert_eq!(pixelate[0].1["method"], "pixelate");
    assert_eq!(
        pixelate[0].1["regions"],
        json!([{"shape": "box", "x0": 10.0, "y0": 10.0, "x1": 200.0, "y1": 200.0}])
    );
    let top = plan("black out the top half", Image);
    assert_eq!(top[0].0, "redact_image");
    assert_eq!(top[0].1["method"], "fill");
    assert_eq!(
        top[0].1["regions"],
        json!([{"shape": "norm_box", "x0": 0.0, "y0": 0.0, "x1": 1.0, "y1": 0.5}])
    );
    let points = plan("blur the area from (5, 6) to (50, 60)", Image);
    assert_eq!(points[0].1["method"], "blur");
    assert_eq!(points[0].1["regions"][0]["x1"], 50.0);
    let fractions = plan("redact 0.1, 0.2, 0.5, 0.6", Image);
    assert_eq!(fractions[0].0, "redact_image", "a named area is not PHI");
    assert_eq!(fractions[0].1["regions"][0]["shape"], "norm_box");
    assert_eq!(
        plan("blur the right 20%", Image)[0].1["regions"][0]["x0"],
        0.8
    );
    // Faces named: still the face tool.
    assert_eq!(tools("Pixelate the faces", Image), ["blur_faces"]);
    // A contact sheet of a video stays the video tool.
    assert_eq!(tools("Make a contact sheet", Video), ["contact_sheet"]);
}

#[test]
fn overlay_phrasings_place_the_second_image_on_the_first() {
    use ArtifactKind::Image;
    let pair = [Image, Image];
    let (first, second) = (json!({"$ref": "input:0"}), json!({"$ref": "input:1"}));

    let logo = plan_many(
        "Put the logo (second image) on the first image at the bottom right",
        &pair,
    );
    assert_eq!(logo.len(), 1, "{logo:?}");
    assert_eq!(logo[0].0, "overlay_image");
    assert_eq!(
        logo[0].1,
        json!({"base": first, "overlay": second, "x": 0, "y": 0, "anchor": "bottom_right"})
    );

    let at = plan_many("overlay the second image on the first at 20,30", &pair);
    assert_eq!(at[0].0, "overlay_image");
    assert_eq!(
        (at[0].1["x"].clone(), at[0].1["y"].clone()),
        (json!(20), json!(30))
    );
    assert_eq!(at[0].1["base"], first);
    assert!(at[0].1.get("anchor").is_none(), "{:?}", at[0].1);

    let faded = plan_many("paste the logo onto the photo at 50% opacity", &pair);
    assert_eq!(faded[0].1["opacity"], 0.5);
    assert_eq!(
        plan_many("watermark it with the second image, 70% transparent", &pair)[0].1["opacity"],
        0.3
    );
    let margin = plan_many(
        "place the second image in the top-left corner of the first with a 10 px margin",
        &pair,
    );
    assert_eq!(margin[0].1["anchor"], "top_left");
    assert_eq!(
        (margin[0].1["x"].clone(), margin[0].1["y"].clone()),
        (json!(10), json!(10))
    );
    assert_eq!(
        plan_many("superimpose the second image, centered", &pair)[0].1["anchor"],
        "center"
    );

    // The sentence can put the first image on top.
    let swapped = plan_many("put the first image on top of the second one", &pair);
    assert_eq!(
        (
            swapped[0].1["base"].clone(),
            swapped[0].1["overlay"].clone()
        ),
        (second.clone(), first.clone())
    );

    // An edit of the base first: the overlay goes on the edited image.
    let edited = plan_many(
        "convert to grayscale, then put the logo on it at the bottom left",
        &pair,
    );
    let chain: Vec<&str> = edited.iter().map(|(tool, _)| tool.as_str()).collect();
    assert_eq!(chain, ["grayscale", "overlay_image"]);
    assert_eq!(edited[1].1["base"], json!({"$ref": "step:s1.image"}));
    assert_eq!(edited[1].1["overlay"], second);

    // Several images with layout words are still a sheet, and one image is not an overlay.
    assert_eq!(
        plan_many("put these side by side on one image", &pair)[0].0,
        "combine_images"
    );
    assert!(plan_offline("overlay the logo on it", None, &[input(Image)]).is_err());
}

#[test]
fn mask_phrasings_route_to_the_mask_tools() {
    use ArtifactKind::{Array, Image};
    let mask = json!({"$ref": "input:0"});

    let invert = plan("invert this mask", Array);
    assert_eq!(invert[0].0, "mask_ops");
    assert_eq!(invert[0].1, json!({"operation": "invert", "masks": [mask]}));

    let union = plan_many("combine these masks", &[Array, Array, Array]);
    assert_eq!(union.len(), 1);
    assert_eq!(
        union[0].1,
        json!({"operation": "union", "masks": [
            {"$ref": "input:0"}, {"$ref": "input:1"}, {"$ref": "input:2"}
        ]})
    );
    assert_eq!(
        plan_many("where do the masks overlap?", &[Array, Array])[0].1["operation"],
        "intersect"
    );
    assert_eq!(
        plan_many("subtract the second mask from the first", &[Array, Array])[0].1["operation"],
        "subtract"
    );

    let feather = plan("feather the mask by 8 px", Array);
    assert_eq!(feather[0].1["operation"], "feather");
    assert_eq!(feather[0].1["radius"], 8.0);
    let threshold = plan("threshold the mask at 200", Array);
    assert_eq!(
        (
            threshold[0].1["operation"].clone(),
            threshold[0].1["level"].clone()
        ),
        (json!("threshold"), json!(200))
    );

    assert_eq!(
        plan("turn this mask into an image", Array),
        [("mask_to_image".to_owned(), json!({"mask": mask}))]
    );
    assert_eq!(tools("show me the mask", Array), ["mask_to_image"]);

    let alpha = plan("make a mask from this image's transparency", Image);
    assert_eq!(
        alpha,
        [(
            "image_to_mask".to_owned(),
            json!({"image": {"$ref": "input:0"}, "source": "alpha"})
        )]
    );
    assert_eq!(
        plan("turn this picture into a mask", Image)[0]
            .1
            .get("source"),
        None
    );

    // Chained: each step works on the previous mask, and a shown mask can be edited further.
    let chained = plan(
        "make a mask from the image's alpha, invert the mask, feather it by 4 px and turn the mask into an image",
        Image,
    );
    let steps: Vec<&str> = chained.iter().map(|(tool, _)| tool.as_str()).collect();
    assert_eq!(
        steps,
        ["image_to_mask", "mask_ops", "mask_ops", "mask_to_image"]
    );
    assert_eq!(chained[1].1["masks"], json!([{"$ref": "step:s1.mask"}]));
    assert_eq!(chained[2].1["masks"], json!([{"$ref": "step:s2.mask"}]));
    assert_eq!(chained[2].1["radius"], 4.0);
    assert_eq!(chained[3].1["mask"], json!({"$ref": "step:s3.mask"}));
    let background = plan("remove the background and invert the mask", Image);
    assert_eq!(background[1].1["masks"], json!([{"$ref": "step:s1.mask"}]));

    // Mask wording with no mask to work on is not a mask operation.
    assert!(plan_offline("invert the mask", None, &[input(Image)]).is_err());
    // "Mask the faces" stays face hiding.
    assert_eq!(tools("mask the faces", Image), ["blur_faces"]);
}
