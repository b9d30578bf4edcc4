//! The catalog as a planner sees it.

use std::collections::BTreeSet;

use vitrine_tools::{ToolCatalog, Toolset, parse_ref};
use vitrine_wire::ArtifactKind;

#[test]
fn every_tool_has_a_compiling_schema_a_description_and_unique_name() {
    let catalog = ToolCatalog::standard();
    let mut names = BTreeSet::new();
    for tool in catalog.tools() {
        assert!(names.insert(tool.name()), "duplicate {}", tool.name());
        assert!(!tool.description().is_empty() && !tool.description().contains('\n'));
        let schema = tool.parameters();
        assert_eq!(schema["type"], "object", "{}: {schema}", tool.name());
        jsonschema::validator_for(&schema)
            .unwrap_or_else(|error| panic!("{}: schema does not compile: {error}", tool.name()));
    }
    for expected in [
        "detect_faces",
        "redact_image",
        "blur_faces",
        "ocr",
        "redact_phi",
        "crop",
        "resize",
        "thumbnail",
        "aspect",
        "grayscale",
        "rotate",
        "detect_objects",
        "annotate",
        "remove_background",
        "trim_video",
        "cut_video",
        "extract_frames",
        "contact_sheet",
        "render_pdf_page",
        "reconstruct_3d",
        "edit_image",
        "generate_image",
        "extract_audio",
        "video_thumbnail",
        "images_to_pdf",
        "blur_faces_video",
    ] {
        assert!(names.contains(expected), "{expected} missing");
    }
}

#[test]
fn ref_arguments_name_their_kind_in_the_schema() {
    let catalog = ToolCatalog::standard();
    let blur = catalog.get("blur_faces").expect("tool").parameters();
    let pattern = blur["properties"]["image"]["pattern"]
        .as_str()
        .expect("pattern");
    let regex = regex_lite(pattern);
    assert!(regex("img_a1b2c3"));
    assert!(!regex("vid_a1b2c3"));
    let trim = catalog.get("trim_video").expect("tool").parameters();
    assert_eq!(trim["properties"]["video"]["pattern"], "^vid_[0-9a-f]{6}$");
    assert_eq!(trim["required"], serde_json::json!(["video", "start_s"]));
}

/// Checks `^xxx_[0-9a-f]{6}$` patterns without a regex engine.
fn regex_lite(pattern: &str) -> impl Fn(&str) -> bool + '_ {
    move |value: &str| {
        let prefix = pattern
            .trim_start_matches('^')
            .split('_')
            .next()
            .unwrap_or_default();
        value
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('_'))
            .is_some_and(|hex| hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()))
    }
}

#[test]
fn function_definitions_follow_the_openai_shape_and_filter_by_toolset() {
    let catalog = ToolCatalog::standard();
    let only_video = catalog.filtered(&[Toolset::Video].into_iter().collect());
    let definitions = only_video.function_definitions();
    let names: Vec<&str> = definitions
        .iter()
        .map(|definition| definition["function"]["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "trim_video",
            "cut_video",
            "transcode_video",
            "frames_to_video",
            "extract_frames",
            "contact_sheet",
            "extract_audio",
            "video_thumbnail",
            "blur_faces_video"
        ]
    );
    for definition in &definitions {
        assert_eq!(definition["type"], "function");
        assert!(definition["function"]["description"].is_string());
        assert_eq!(definition["function"]["parameters"]["type"], "object");
    }
    let world = catalog.filtered(&[Toolset::WorldGen].into_iter().collect());
    assert_eq!(
        world.tools().map(|tool| tool.name()).collect::<Vec<_>>(),
        ["reconstruct_3d"]
    );
    assert_eq!(Toolset::parse("world-gen"), Some(Toolset::WorldGen));
    assert_eq!(Toolset::parse("worldgen"), None);
}

#[test]
fn refs_are_parsed_and_kind_checked() {
    assert!(parse_ref("image", "img_a1b2c3", ArtifactKind::Image).is_ok());
    let wrong = parse_ref("image", "vid_a1b2c3", ArtifactKind::Image).expect_err("kind");
    assert_eq!(wrong.code(), "wrong_artifact_kind");
    assert_eq!(
        wrong.to_string(),
        "`image` must be an image ref (`img_…`), but `vid_a1b2c3` is a video"
    );
    let bad = parse_ref("image", "photo.jpg", ArtifactKind::Image).expect_err("bad");
    assert_eq!(bad.code(), "bad_ref");
    assert!(bad.is_client_error());
}
