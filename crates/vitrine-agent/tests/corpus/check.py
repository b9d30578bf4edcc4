#!/usr/bin/env python3
"""Check the paraphrase corpus (heldout.jsonl, train.jsonl) against the format in README.md.

Usage: python3 check.py [FILE ...]   (default: both files beside this script)

Checks every line's shape, tool and argument names, matcher objects, capability ids and
categories; that the attached inputs can feed each planned step (in order, counting what earlier
steps make); that no wording repeats within or across the files; and that each file is big
enough and covers every category. Prints the counts per category and exits 1 on any error.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FILES = [
    HERE / name for name in ("heldout.jsonl", "heldout2.jsonl", "heldout3.jsonl", "heldout4.jsonl", "heldout5.jsonl", "heldout6.jsonl", "heldout7.jsonl", "heldout8.jsonl", "heldout9.jsonl", "heldout10.jsonl", "heldout11.jsonl", "heldout12.jsonl", "heldout13.jsonl", "heldout14.jsonl", "heldout15.jsonl", "heldout16.jsonl", "heldout17.jsonl", "heldout18.jsonl", "heldout19.jsonl", "heldout20.jsonl", "heldout21.jsonl", "heldout22.jsonl", "heldout23.jsonl", "heldout24.jsonl", "heldout25.jsonl", "heldout26.jsonl", "heldout27.jsonl", "heldout28.jsonl", "heldout29.jsonl", "heldout30.jsonl", "heldout31.jsonl", "heldout32.jsonl", "heldout33.jsonl", "heldout34.jsonl", "heldout35.jsonl", "heldout36.jsonl", "train.jsonl")
    if (HERE / name).exists()
]
# File name -> (id prefix, minimum number of requests).
FILE_RULES = {
    "heldout.jsonl": ("h", 110),
    "heldout2.jsonl": ("g", 110),
    "heldout3.jsonl": ("k", 110),
    "heldout4.jsonl": ("m", 110),
    "heldout5.jsonl": ("n", 110),
    "heldout6.jsonl": ("p", 110),
    "heldout7.jsonl": ("q", 110),
    "heldout8.jsonl": ("r", 110),
    "heldout9.jsonl": ("s", 110),
    "heldout10.jsonl": ("u", 110),
    "heldout11.jsonl": ("v", 110),
    "heldout12.jsonl": ("w", 110),
    "heldout13.jsonl": ("x", 110),
    "heldout14.jsonl": ("y", 110),
    "heldout15.jsonl": ("z", 110),
    "heldout16.jsonl": ("b", 110),
    "heldout17.jsonl": ("a", 110),
    "heldout18.jsonl": ("c", 110),
    "heldout19.jsonl": ("d", 110),
    "heldout20.jsonl": ("e", 110),
    "heldout21.jsonl": ("f", 110),
    "heldout22.jsonl": ("i", 110),
    "heldout23.jsonl": ("j", 110),
    "heldout24.jsonl": ("l", 110),
    "heldout25.jsonl": ("o", 110),
    "heldout26.jsonl": ("ha", 110),
    "heldout27.jsonl": ("hb", 110),
    "heldout28.jsonl": ("hc", 110),
    "heldout29.jsonl": ("hd", 110),
    "heldout30.jsonl": ("he", 110),
    "heldout31.jsonl": ("hf", 110),
    "heldout32.jsonl": ("hg", 110),
    "heldout33.jsonl": ("hh", 110),
    "heldout34.jsonl": ("hi", 110),
    "heldout35.jsonl": ("hj", 110),
    "heldout36.jsonl": ("hk", 110),
    "train.jsonl": ("t", 220),
}

KEYS = {"id", "text", "inputs", "schema", "expect", "category"}
INPUT_KINDS = {"image", "video", "audio", "document", "mask"}
CANNED_SCHEMAS = {"seed_redaction", "seed_3d", "seed_tryon", "received", "image_and_notes"}
CATEGORIES = [
    "redaction", "redaction_video", "3d", "tryon_generation", "edit", "question",
    "video", "document", "mask_compose", "impossible", "partial", "schema_vague", "web",
]
CAPABILITIES = {
    "animation", "video_generation", "audio_generation", "speech_recognition", "translation",
    "face_identification", "web", "open_question", "video_effects", "video_text_redaction",
    "selective_face_hiding", "hiding_other_things", "object_removal", "gif_output", "image_format",
    "pdf_compression",
    "unclear", "wrong_input",
}
# Only a whole request can be unclear or lack its input; a part of one is named by what it asks.
REFUSE_ONLY = {"unclear", "wrong_input"}

METHODS = ["blur", "pixelate", "fill"]
NUMBER, INTEGER, BOOL, TEXT, SIGNED, POSITIVE = "number", "integer", "bool", "text", "signed", "positive"
LABELS, REGION, REGIONS, SELECTION, RATIO = "labels", "region", "regions", "selection", "ratio"

# tool -> argument -> value rule (a list is an enum). Names follow the tools' JSON Schemas.
TOOLS: dict[str, dict[str, object]] = {
    "blur_faces": {"method": METHODS, "strength": NUMBER, "padding_ratio": NUMBER, "min_score": NUMBER},
    "blur_faces_video": {"method": METHODS, "strength": NUMBER, "padding_ratio": NUMBER, "min_score": NUMBER},
    "redact_phi": {"engine": ["ppocr", "tesseract"]},
    "redact_image": {"regions": REGIONS, "method": METHODS, "strength": NUMBER, "padding_ratio": NUMBER},
    "detect_faces": {"draw_boxes": BOOL, "min_score": NUMBER},
    "detect_objects": {"labels": LABELS, "draw_boxes": BOOL, "min_score": NUMBER},
    "ocr": {"engine": ["ppocr", "tesseract"]},
    "crop": {"target": ["region", "largest_face"], "region": REGION, "padding_ratio": NUMBER},
    "resize": {"width": INTEGER, "height": INTEGER, "mode": ["fit", "fill", "exact"], "scale": NUMBER},
    "thumbnail": {"max_side": INTEGER},
    "aspect": {"ratio": RATIO, "mode": ["crop", "pad"]},
    "grayscale": {},
    "rotate": {"degrees": NUMBER},
    "flip": {"direction": ["horizontal", "vertical"]},
    "adjust_image": {"brightness": SIGNED, "contrast": SIGNED, "saturation": SIGNED, "sharpen": POSITIVE},
    "convert_image": {"format": ["png", "jpeg"], "quality": INTEGER},
    "strip_metadata": {},
    "remove_background": {},
    "reconstruct_3d": {"object": TEXT},
    "edit_image": {"prompt": TEXT, "aspect": RATIO},
    "generate_image": {"prompt": TEXT, "aspect": RATIO},
    "estimate_depth": {},
    "detect_open_vocab": {"draw_boxes": BOOL},
    "annotate": {},
    "overlay_image": {
        "anchor": ["top_left", "top_right", "bottom_left", "bottom_right", "center"],
        "opacity": NUMBER, "scale": NUMBER, "x": INTEGER, "y": INTEGER,
    },
    "combine_images": {"layout": ["side_by_side", "stack", "grid"], "columns": INTEGER},
    "tile_image": {"rows": INTEGER, "columns": INTEGER},
    "mask_ops": {
        "operation": ["union", "intersect", "subtract", "invert", "feather", "threshold"],
        "radius": NUMBER, "level": INTEGER,
    },
    "mask_to_image": {},
    "image_to_mask": {},
    "describe_image": {},
    "image_info": {},
    "trim_video": {"start_s": NUMBER, "end_s": NUMBER},
    "cut_video": {"start_s": NUMBER, "end_s": NUMBER},
    "extract_frames": {"selection": SELECTION, "max_side": INTEGER},
    "contact_sheet": {"columns": INTEGER, "rows": INTEGER, "count": INTEGER},
    "extract_audio": {},
    "video_thumbnail": {"at_s": NUMBER, "max_side": INTEGER},
    "transcode_video": {"max_side": INTEGER},
    "frames_to_video": {"fps": NUMBER},
    "render_pdf_page": {"page": INTEGER},
    "images_to_pdf": {},
    "pdf_info": {},
    "compare_images": {"threshold": INTEGER},
    "redact_document": {
        "faces": BOOL, "phi": BOOL, "face_method": METHODS, "engine": ["ppocr", "tesseract"],
        "dpi": INTEGER,
    },
    "screenshot_page": {"url": TEXT, "device": ["desktop", "tablet", "phone"], "full_page": BOOL, "width": INTEGER},
    "page_to_pdf": {"url": TEXT, "paper": ["a4", "letter"], "landscape": BOOL},
    "extract_page": {"url": TEXT, "max_images": INTEGER, "max_links": INTEGER},
}

# tool -> (kind it needs, how many of that kind, kinds it makes). None needs nothing.
IMAGE_IN = ("image", 1, {"image"})
FLOW: dict[str, tuple[str | None, int, set[str]]] = {
    **{t: IMAGE_IN for t in [
        "blur_faces", "redact_phi", "redact_image", "detect_faces", "detect_objects", "ocr", "crop",
        "resize", "thumbnail", "aspect", "grayscale", "rotate", "flip", "adjust_image",
        "convert_image", "strip_metadata", "detect_open_vocab", "annotate", "edit_image",
        "tile_image",
    ]},
    "describe_image": ("image", 1, set()),
    "image_info": ("image", 1, set()),
    "remove_background": ("image", 1, {"image", "mask"}),
    "estimate_depth": ("image", 1, {"image", "mask"}),
    "image_to_mask": ("image", 1, {"mask"}),
    "reconstruct_3d": ("image", 1, {"recon", "image"}),
    "overlay_image": ("image", 2, {"image"}),
    "combine_images": ("image", 2, {"image"}),
    "images_to_pdf": ("image", 1, {"document"}),
    "frames_to_video": ("image", 2, {"video"}),
    "generate_image": (None, 0, {"image"}),
    "screenshot_page": (None, 0, {"image"}),
    "page_to_pdf": (None, 0, {"document"}),
    "extract_page": (None, 0, {"image", "url"}),
    "mask_to_image": ("mask", 1, {"image"}),
    "mask_ops": ("mask", 1, {"mask"}),
    "trim_video": ("video", 1, {"video"}),
    "cut_video": ("video", 1, {"video"}),
    "blur_faces_video": ("video", 1, {"video"}),
    "transcode_video": ("video", 1, {"video"}),
    "extract_frames": ("video", 1, {"images"}),
    "contact_sheet": ("video", 1, {"image"}),
    "video_thumbnail": ("video", 1, {"image"}),
    "extract_audio": ("video", 1, {"audio"}),
    "render_pdf_page": ("document", 1, {"image"}),
    "pdf_info": ("document", 1, set()),
    "compare_images": ("image", 2, {"image"}),
    "redact_document": ("document", 1, {"document"}),
}
TWO_MASK_OPERATIONS = {"union", "intersect", "subtract"}


def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check_matcher(value: dict, where: str, errors: list[str]) -> bool:
    """Checks `value` if it is a matcher object; returns whether it was one."""
    dollar = [k for k in value if k.startswith("$")]
    if not dollar:
        return False
    if len(value) != 1:
        errors.append(f"{where}: a matcher object has exactly one key, got {sorted(value)}")
    elif "$sign" in value:
        if value["$sign"] not in (1, -1) or isinstance(value["$sign"], bool):
            errors.append(f"{where}: `$sign` is 1 or -1, got {value['$sign']!r}")
    elif "$contains" in value:
        if not isinstance(value["$contains"], str) or not value["$contains"].strip():
            errors.append(f"{where}: `$contains` takes a non-empty string")
    else:
        errors.append(f"{where}: unknown matcher {dollar[0]!r} (use `$sign` or `$contains`)")
    return True


def check_box(value: object, where: str, errors: list[str]) -> None:
    if not isinstance(value, dict) or value.get("shape") not in ("box", "norm_box"):
        errors.append(f"{where}: a region is {{\"shape\": \"box\"|\"norm_box\", x0, y0, x1, y1}}")
        return
    coords = [value.get(k) for k in ("x0", "y0", "x1", "y1")]
    if set(value) != {"shape", "x0", "y0", "x1", "y1"} or not all(is_number(c) for c in coords):
        errors.append(f"{where}: a region needs numeric x0, y0, x1, y1 and nothing else")
        return
    x0, y0, x1, y1 = coords
    if not (x0 < x1 and y0 < y1):
        errors.append(f"{where}: a region's x0 < x1 and y0 < y1")
    if value["shape"] == "norm_box" and not all(0 <= c <= 1 for c in coords):
        errors.append(f"{where}: a norm_box's coordinates are fractions in [0, 1]")


def check_value(rule: object, value: object, where: str, errors: list[str]) -> None:
    if isinstance(value, dict) and check_matcher(value, where, errors):
        allowed = {TEXT: "$contains", SIGNED: "$sign", POSITIVE: "$sign"}.get(rule)  # type: ignore[arg-type]
        if allowed not in value:
            errors.append(f"{where}: this argument takes no {sorted(value)[0]} matcher")
        elif rule == POSITIVE and value["$sign"] != 1:
            errors.append(f"{where}: this argument is only ever positive")
        return
    ok = True
    if isinstance(rule, list):
        ok = value in rule
    elif rule == NUMBER:
        ok = is_number(value)
    elif rule == INTEGER:
        ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    elif rule == BOOL:
        ok = isinstance(value, bool)
    elif rule == TEXT:
        ok = isinstance(value, str) and bool(value.strip())
    elif rule in (SIGNED, POSITIVE):
        ok = is_number(value) and value != 0 and (rule == SIGNED or value > 0)  # type: ignore[operator]
    elif rule == RATIO:
        ok = isinstance(value, str) and re.fullmatch(r"[1-9]\d*:[1-9]\d*", value) is not None
    elif rule == LABELS:
        ok = isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)
    elif rule == REGION:
        check_box(value, where, errors)
    elif rule == REGIONS:
        if isinstance(value, list) and value:
            for n, region in enumerate(value):
                check_box(region, f"{where}[{n}]", errors)
        else:
            ok = False
    elif rule == SELECTION:
        shapes = {"evenly": {"count"}, "every": {"interval_s"}, "times": {"times_s"}}
        ok = isinstance(value, dict) and set(value) == {"mode"} | shapes.get(value.get("mode"), {"?"})
    if not ok:
        errors.append(f"{where}: {value!r} does not fit {rule!r}")


def check_steps(steps: object, inputs: list[str], where: str, errors: list[str]) -> None:
    if not isinstance(steps, list):
        errors.append(f"{where}: `steps` is a list")
        return
    have = Counter(inputs)
    for n, step in enumerate(steps):
        at = f"{where}.steps[{n}]"
        if not isinstance(step, dict) or "tool" not in step or not set(step) <= {"tool", "args", "on"}:
            errors.append(f"{at}: a step is {{\"tool\": ..., \"args\": {{...}}, \"on\": [...]}} (args and on optional)")
            continue
        on = step.get("on")
        if on is not None and (
            not isinstance(on, list) or not on or len(set(on)) != len(on)
            or not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(inputs) for i in on)
        ):
            errors.append(f"{at}: `on` lists attached inputs by index (0 to {len(inputs) - 1}), once each")
        tool = step["tool"]
        if tool not in TOOLS:
            errors.append(f"{at}: unknown tool {tool!r}")
            continue
        args = step.get("args", {})
        if not isinstance(args, dict) or ("args" in step and not args):
            errors.append(f"{at}: `args` is a non-empty object, or left out")
            args = {}
        for name, value in args.items():
            if name not in TOOLS[tool]:
                errors.append(f"{at}: {tool} has no argument {name!r} (known: {sorted(TOOLS[tool])})")
            else:
                check_value(TOOLS[tool][name], value, f"{at}.args.{name}", errors)
        kind, count, makes = FLOW[tool]
        if tool == "mask_ops" and args.get("operation") in TWO_MASK_OPERATIONS:
            count = 2
        if kind is not None:
            available = have[kind] + (2 * have["images"] if kind == "image" else 0)
            if available < count:
                errors.append(f"{at}: {tool} needs {count} {kind} input(s); the request has {inputs} "
                              "and the earlier steps make none")
        for made in makes:
            have[made] += 1


def check_expect(expect: object, inputs: list[str], where: str, errors: list[str]) -> None:
    if not isinstance(expect, dict):
        errors.append(f"{where}: `expect` is an object")
        return
    keys = set(expect)
    if keys == {"refuse"}:
        caps = expect["refuse"]
        if not isinstance(caps, list) or not caps or not all(c in CAPABILITIES for c in caps):
            errors.append(f"{where}: `refuse` is a non-empty list of capability ids, got {caps!r}")
        elif len(set(caps)) != len(caps):
            errors.append(f"{where}: `refuse` repeats a capability")
    elif keys == {"steps"}:
        check_steps(expect["steps"], inputs, where, errors)
        if expect["steps"] == [] and not inputs:
            errors.append(f"{where}: an empty plan answers from the inputs, but there are none")
    elif keys == {"steps", "not_done"}:
        check_steps(expect["steps"], inputs, where, errors)
        if not expect["steps"]:
            errors.append(f"{where}: a partial plan has steps; with none, use `refuse`")
        caps = expect["not_done"]
        if not isinstance(caps, list) or not caps or not all(c in CAPABILITIES - REFUSE_ONLY for c in caps):
            errors.append(f"{where}: `not_done` is a non-empty list of capability ids (not unclear/wrong_input), got {caps!r}")
    else:
        errors.append(f"{where}: `expect` has `steps`, `steps`+`not_done`, or `refuse`; got {sorted(keys)}")


def check_schema(schema: object, where: str, errors: list[str]) -> None:
    if schema is None or (isinstance(schema, str) and schema in CANNED_SCHEMAS):
        return
    if isinstance(schema, str):
        errors.append(f"{where}: unknown canned schema {schema!r} (known: {sorted(CANNED_SCHEMAS)})")
    elif not isinstance(schema, dict) or schema.get("type") != "object" or not isinstance(schema.get("properties"), dict):
        errors.append(f"{where}: an inline schema is a JSON Schema object with `type: object` and `properties`")
    else:
        defs = schema.get("$defs", {})
        for ref in re.findall(r'"\$ref": "#/\$defs/(\w+)"', json.dumps(schema)):
            if ref not in defs:
                errors.append(f"{where}: `$ref` to {ref} has no entry in `$defs`")


def normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def check_file(path: Path, seen_texts: dict[str, str], errors: list[str]) -> Counter:
    prefix, minimum = FILE_RULES.get(path.name, ("", 1))
    categories: Counter = Counter()
    ids: set[str] = set()
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            errors.append(f"{where}: not JSON ({error})")
            continue
        if not isinstance(row, dict) or set(row) != KEYS:
            errors.append(f"{where}: a line has exactly the keys {sorted(KEYS)}")
            continue
        rid = row["id"]
        where = f"{path.name}:{number} ({rid})"
        if not isinstance(rid, str) or not re.fullmatch(rf"{prefix}\d{{3,4}}", rid):
            errors.append(f"{where}: ids in {path.name} look like {prefix}001")
        elif rid in ids:
            errors.append(f"{where}: duplicate id")
        ids.add(rid)
        text = row["text"]
        if not isinstance(text, str) or not text.strip() or text != text.strip():
            errors.append(f"{where}: `text` is a non-empty string without outer spaces")
        else:
            key = normalise(text) or text
            if key in seen_texts:
                errors.append(f"{where}: the same wording as {seen_texts[key]}")
            seen_texts[key] = f"{path.name} {rid}"
        inputs = row["inputs"]
        if not isinstance(inputs, list) or not all(k in INPUT_KINDS for k in inputs):
            errors.append(f"{where}: `inputs` is a list of {sorted(INPUT_KINDS)}")
            inputs = []
        check_schema(row["schema"], where, errors)
        check_expect(row["expect"], inputs, where, errors)
        if row["category"] not in CATEGORIES:
            errors.append(f"{where}: unknown category {row['category']!r}")
        categories[row["category"]] += 1
    total = sum(categories.values())
    if total < minimum:
        errors.append(f"{path.name}: {total} requests, at least {minimum} wanted")
    for category in CATEGORIES:
        if not categories[category]:
            errors.append(f"{path.name}: no request in category {category}")
    return categories


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or DEFAULT_FILES
    errors: list[str] = []
    seen_texts: dict[str, str] = {}
    counts = {}
    for path in files:
        if not path.exists():
            errors.append(f"{path}: missing")
            continue
        counts[path.name] = check_file(path, seen_texts, errors)
    names = list(counts)
    print(f"{'category':<18}" + "".join(f"{n:>16}" for n in names))
    for category in CATEGORIES:
        print(f"{category:<18}" + "".join(f"{counts[n][category]:>16}" for n in names))
    print(f"{'total':<18}" + "".join(f"{sum(counts[n].values()):>16}" for n in names))
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    print(f"{len(errors)} error(s)" if errors else "corpus OK")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
