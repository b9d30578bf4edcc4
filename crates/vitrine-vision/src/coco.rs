//! The 80 COCO class names, in NanoDet's (and darknet's `coco.names`) order.

/// COCO-80 labels indexed by class id.
pub const COCO_LABELS: [&str; 80] = [
    "person",
    "bicycle",
    "car",
    "motorcycle",
    "airplane",
    "bus",
    "train",
    "truck",
    "boat",
    "traffic light",
    "fire hydrant",
    "stop sign",
    "parking meter",
    "bench",
    "bird",
    "cat",
    "dog",
    "horse",
    "sheep",
    "cow",
    "elephant",
    "bear",
    "zebra",
    "giraffe",
    "backpack",
    "umbrella",
    "handbag",
    "tie",
    "suitcase",
    "frisbee",
    "skis",
    "snowboard",
    "sports ball",
    "kite",
    "baseball bat",
    "baseball glove",
    "skateboard",
    "surfboard",
    "tennis racket",
    "bottle",
    "wine glass",
    "cup",
    "fork",
    "knife",
    "spoon",
    "bowl",
    "banana",
    "apple",
    "sandwich",
    "orange",
    "broccoli",
    "carrot",
    "hot dog",
    "pizza",
    "donut",
    "cake",
    "chair",
    "couch",
    "potted plant",
    "bed",
    "dining table",
    "toilet",
    "tv",
    "laptop",
    "mouse",
    "remote",
    "keyboard",
    "cell phone",
    "microwave",
    "oven",
    "toaster",
    "sink",
    "refrigerator",
    "book",
    "clock",
    "vase",
    "scissors",
    "teddy bear",
    "hair drier",
    "toothbrush",
];

/// Class id of a COCO label (exact, case-insensitive), if there is one.
pub fn coco_class_id(label: &str) -> Option<usize> {
    COCO_LABELS
        .iter()
        .position(|candidate| candidate.eq_ignore_ascii_case(label.trim()))
}

/// Everyday words for COCO classes that are not the label itself.
const SYNONYMS: &[(&str, &str)] = &[
    ("people", "person"),
    ("persons", "person"),
    ("human", "person"),
    ("man", "person"),
    ("men", "person"),
    ("woman", "person"),
    ("women", "person"),
    ("child", "person"),
    ("children", "person"),
    ("kid", "person"),
    ("boy", "person"),
    ("girl", "person"),
    ("pedestrian", "person"),
    ("bike", "bicycle"),
    ("motorbike", "motorcycle"),
    ("scooter", "motorcycle"),
    ("plane", "airplane"),
    ("aeroplane", "airplane"),
    ("aircraft", "airplane"),
    ("ship", "boat"),
    ("automobile", "car"),
    ("lorry", "truck"),
    ("puppy", "dog"),
    ("pup", "dog"),
    ("pooch", "dog"),
    ("doggy", "dog"),
    ("doggo", "dog"),
    ("kitten", "cat"),
    ("kitty", "cat"),
    ("cattle", "cow"),
    ("settee", "couch"),
    ("telly", "tv"),
    ("mug", "cup"),
    ("purse", "handbag"),
    ("rucksack", "backpack"),
    ("sofa", "couch"),
    ("television", "tv"),
    ("monitor", "tv"),
    ("phone", "cell phone"),
    ("mobile phone", "cell phone"),
    ("smartphone", "cell phone"),
    ("cellphone", "cell phone"),
    ("table", "dining table"),
    ("plant", "potted plant"),
    ("fridge", "refrigerator"),
    ("ball", "sports ball"),
    ("doughnut", "donut"),
];

/// Maps a free-text object name onto a COCO label: exact labels, simple
/// English plurals ("dogs", "buses", "knives") and common synonyms ("bike",
/// "people", "sofa"). `None` when the name has no COCO class — callers should
/// say so rather than guess.
pub fn match_coco_label(name: &str) -> Option<&'static str> {
    let name = name.trim().to_ascii_lowercase();
    let name = name
        .strip_prefix("a ")
        .or_else(|| name.strip_prefix("the "))
        .unwrap_or(&name);
    let lookup = |candidate: &str| -> Option<&'static str> {
        if let Some(id) = coco_class_id(candidate) {
            return Some(COCO_LABELS[id]);
        }
        SYNONYMS
            .iter()
            .find(|(synonym, _)| *synonym == candidate)
            .map(|(_, label)| *label)
    };
    if let Some(label) = lookup(name) {
        return Some(label);
    }
    let singulars = [
        name.strip_suffix("ives").map(|stem| format!("{stem}ife")),
        name.strip_suffix("ies").map(|stem| format!("{stem}y")),
        name.strip_suffix("es").map(str::to_owned),
        name.strip_suffix('s').map(str::to_owned),
    ];
    singulars
        .into_iter()
        .flatten()
        .find_map(|singular| lookup(&singular))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_names_map_onto_coco_labels() {
        assert_eq!(match_coco_label("Dog"), Some("dog"));
        assert_eq!(match_coco_label("dogs"), Some("dog"));
        assert_eq!(match_coco_label("the buses"), Some("bus"));
        assert_eq!(match_coco_label("knives"), Some("knife"));
        assert_eq!(match_coco_label("people"), Some("person"));
        assert_eq!(match_coco_label("bikes"), Some("bicycle"));
        assert_eq!(match_coco_label("traffic lights"), Some("traffic light"));
        assert_eq!(match_coco_label("wine glasses"), Some("wine glass"));
        assert_eq!(match_coco_label("mobile phone"), Some("cell phone"));
        assert_eq!(match_coco_label("a sofa"), Some("couch"));
    }

    #[test]
    fn names_without_a_coco_class_are_none() {
        for name in ["unicorn", "tree", "building", "glasses", ""] {
            assert_eq!(match_coco_label(name), None, "{name}");
        }
    }

    #[test]
    fn labels_are_the_80_coco_classes_in_order() {
        assert_eq!(COCO_LABELS.len(), 80);
        assert_eq!(coco_class_id("person"), Some(0));
        assert_eq!(coco_class_id("toothbrush"), Some(79));
        assert_eq!(coco_class_id("DOG"), Some(16));
    }
}
