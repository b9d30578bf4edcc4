//! Seed inputs for each target, made with the crates' own writers.

use std::io::{Cursor, Write as _};

use base64::Engine as _;
use serde_json::json;
use vitrine_media::image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};

type Files = Vec<(&'static str, Vec<u8>)>;

fn rgb() -> RgbImage {
    RgbImage::from_fn(12, 8, |x, y| Rgb([(x * 20) as u8, (y * 30) as u8, 90]))
}

fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, format).expect("encode");
    out.into_inner()
}

fn images() -> Files {
    let rgb = DynamicImage::ImageRgb8(rgb());
    let rgba = DynamicImage::ImageRgba8(RgbaImage::from_fn(6, 5, |x, y| {
        Rgba([x as u8 * 40, y as u8 * 50, 7, (x * y * 9) as u8])
    }));
    let jpeg = vitrine_media::encode_jpeg(&rgb, 80).expect("jpeg");
    // The same JPEG with an EXIF block saying "rotate 90°" (orientation 6).
    let mut exif = b"Exif\0\0MM\0*\0\0\0\x08".to_vec();
    exif.extend_from_slice(&[0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
    let mut rotated = jpeg[..2].to_vec();
    rotated.extend_from_slice(&[0xFF, 0xE1]);
    rotated.extend_from_slice(&u16::try_from(exif.len() + 2).expect("small").to_be_bytes());
    rotated.extend_from_slice(&exif);
    rotated.extend_from_slice(&jpeg[2..]);
    vec![
        ("rgb.jpg", jpeg),
        ("rotated.jpg", rotated),
        ("rgb.png", encoded(&rgb, ImageFormat::Png)),
        ("rgba.png", encoded(&rgba, ImageFormat::Png)),
        ("rgba.webp", encoded(&rgba, ImageFormat::WebP)),
        ("rgb.gif", encoded(&rgb, ImageFormat::Gif)),
        ("rgb.bmp", encoded(&rgb, ImageFormat::Bmp)),
        ("rgb.tiff", encoded(&rgb, ImageFormat::Tiff)),
    ]
}

fn data_urls() -> Files {
    let png = encoded(&DynamicImage::ImageRgb8(rgb()), ImageFormat::Png);
    let text = base64::engine::general_purpose::STANDARD.encode(&png);
    let wrapped: String = text
        .as_bytes()
        .chunks(60)
        .map(|line| format!("{}\r\n", String::from_utf8_lossy(line)))
        .collect();
    vec![
        ("png", format!("image/png;base64,{text}").into_bytes()),
        (
            "wrapped",
            format!("image/png;base64,{wrapped}").into_bytes(),
        ),
        (
            "unpadded",
            format!("image/png;base64,{}", text.trim_end_matches('=')).into_bytes(),
        ),
        ("plain", b"text/plain,hello".to_vec()),
        ("short", b";base64,QQ==".to_vec()),
    ]
}

/// A multipart input: the `Content-Type` line, then the body of `parts` (each its header
/// lines and bytes) framed by `boundary`, with `newline` between lines.
fn form(content_type: &str, boundary: &str, parts: &[(&[&str], &[u8])], newline: &str) -> Vec<u8> {
    let mut out = format!("{content_type}\n").into_bytes();
    for (headers, bytes) in parts {
        out.extend_from_slice(format!("--{boundary}{newline}").as_bytes());
        for header in *headers {
            out.extend_from_slice(format!("{header}{newline}").as_bytes());
        }
        out.extend_from_slice(newline.as_bytes());
        out.extend_from_slice(bytes);
        out.extend_from_slice(newline.as_bytes());
    }
    out.extend_from_slice(format!("--{boundary}--{newline}").as_bytes());
    out
}

fn multipart() -> Files {
    let png = encoded(&DynamicImage::ImageRgb8(rgb()), ImageFormat::Png);
    let file =
        |name: &str| format!("Content-Disposition: form-data; name=\"file\"; filename=\"{name}\"");
    let purpose: &[&str] = &["Content-Disposition: form-data; name=\"purpose\""];
    let plain = "multipart/form-data; boundary=b";
    let a_png = file("a.png");
    let notes = file("../notes.txt");
    let webkit = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
    let odd = "a'()+_,-./:=? z";
    let quoted_name = file("a \\\"quoted\\\" name;.png");
    let star = "Content-Disposition: form-data; name=\"file\"; filename=\"fallback.txt\"; filename*=UTF-8''na%C3%AFve%20file.txt";
    let windows = file("C:\\Users\\me\\scan.pdf");
    // Bytes that look like framing but are not this body's delimiter.
    let tricky = b"line\r\n--bb\r\n\r\n--b-not\r\n-- b\r\nend";
    let mut with_preamble = b"multipart/form-data; boundary=b\nThe preamble, ignored.\r\n".to_vec();
    with_preamble.extend_from_slice(
        &form("", "b", &[(&[&file("p.txt")], b"after a preamble")], "\r\n")[1..],
    );
    with_preamble.extend_from_slice(b"the epilogue, ignored too\r\n");
    vec![
        (
            "png",
            form(
                "multipart/form-data; boundary=fuzzboundary",
                "fuzzboundary",
                &[
                    (purpose, b"assistants"),
                    (&[&a_png, "Content-Type: image/png"], &png),
                ],
                "\r\n",
            ),
        ),
        ("text", form(plain, "b", &[(&[&notes], b"hello")], "\r\n")),
        ("no-file", form(plain, "b", &[(purpose, b"vision")], "\r\n")),
        (
            "webkit",
            form(
                &format!("multipart/form-data; boundary={webkit}"),
                webkit,
                &[
                    (
                        &[&file("doc.pdf"), "Content-Type: application/pdf"],
                        b"%PDF-1.4\n%\xe2\xe3\n",
                    ),
                    (purpose, b"assistants"),
                ],
                "\r\n",
            ),
        ),
        (
            "odd-boundary",
            form(
                &format!("multipart/form-data; boundary=\"{odd}\""),
                odd,
                &[(&[&file("odd.bin")], b"\x00\x01\x02odd")],
                "\r\n",
            ),
        ),
        (
            "charset-first",
            form(
                "multipart/form-data; charset=utf-8; boundary=XyZ",
                "XyZ",
                &[(
                    &[&file("c.txt"), "Content-Type: text/plain; charset=utf-8"],
                    "naïve ✓".as_bytes(),
                )],
                "\r\n",
            ),
        ),
        (
            "quoted-filename",
            form(plain, "b", &[(&[&quoted_name], b"quoted")], "\r\n"),
        ),
        (
            "filename-star",
            form(plain, "b", &[(&[star], b"star")], "\r\n"),
        ),
        (
            "windows-path",
            form(plain, "b", &[(&[&windows], b"%PDF-")], "\r\n"),
        ),
        (
            "many-parts",
            form(
                plain,
                "b",
                &[
                    (
                        &["Content-Disposition: form-data; name=\"model\""],
                        b"vlmrun-orion-1",
                    ),
                    (&[&file("first.txt")], b"the first file, replaced"),
                    (
                        &["Content-Disposition: form-data"],
                        b"a part without a name",
                    ),
                    (purpose, b"vision"),
                    (
                        &[&file("second.txt"), "Content-Type: text/plain"],
                        b"the second file wins",
                    ),
                ],
                "\r\n",
            ),
        ),
        ("preamble-epilogue", with_preamble),
        (
            "lf-only",
            form(plain, "b", &[(&[&file("lf.txt")], b"bare newlines")], "\n"),
        ),
        (
            "empty-file",
            form(plain, "b", &[(&[&file("empty.bin")], b"")], "\r\n"),
        ),
        (
            "framing-in-body",
            form(plain, "b", &[(&[&file("t.bin")], tricky)], "\r\n"),
        ),
        (
            "unquoted-upper",
            form(
                "MULTIPART/FORM-DATA; BOUNDARY=b",
                "b",
                &[(
                    &[
                        "CONTENT-DISPOSITION: FORM-DATA; NAME=file; FILENAME=up.bin",
                        "Content-Transfer-Encoding: binary",
                        "X-Extra: a header nobody reads",
                    ],
                    b"upper",
                )],
                "\r\n",
            ),
        ),
        (
            "no-filename",
            form(
                plain,
                "b",
                &[(
                    &["Content-Disposition: form-data; name=\"file\""],
                    b"no file name given",
                )],
                "\r\n",
            ),
        ),
    ]
}

fn response_formats() -> Files {
    let image_ref = json!({"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"});
    let pydantic = json!({
        "$defs": {"ImageRef": image_ref},
        "properties": {
            "image": {"$ref": "#/$defs/ImageRef", "description": "the result"},
            "faces": {"type": "integer"},
            "notes": {"type": "string"},
            "all": {"type": "array", "items": {"$ref": "#/$defs/ImageRef"}}
        },
        "required": ["image", "notes"],
        "type": "object"
    });
    let files = [
        (
            "json-schema",
            json!({"type": "json_schema", "json_schema": {"name": "Out", "schema": pydantic}}),
        ),
        ("bare", pydantic.clone()),
        ("json-object", json!({"type": "json_object"})),
        ("text", json!({"type": "text"})),
        (
            "counts",
            json!({"type": "object", "properties": {"count": {"type": "integer", "minimum": 0}, "labels": {"type": "array", "items": {"type": "string"}}, "kind": {"enum": ["a", "b"]}}, "required": ["count"]}),
        ),
        (
            "any-of",
            json!({"schema": {"type": "object", "properties": {"x": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}}),
        ),
    ];
    files
        .into_iter()
        .map(|(name, value)| (name, value.to_string().into_bytes()))
        .collect()
}

fn spz() -> Files {
    let mut splats = vitrine_splat::Splats::new();
    for index in 0..3 {
        let offset = index as f32;
        splats.push(vitrine_splat::Gaussian {
            position: [offset, -offset, 2.0 + offset],
            log_scale: [-3.0, -2.5, -2.0],
            rotation: [0.0, 0.0, 0.0, 1.0],
            alpha: 0.25 + 0.25 * offset,
            color: [0.1, -0.2, 0.3],
        });
    }
    let mut one = vitrine_splat::Splats::new();
    one.push(vitrine_splat::Gaussian {
        position: [0.5, 0.25, -1.0],
        log_scale: [-1.0, -1.0, -1.0],
        rotation: [0.5, 0.5, 0.5, 0.5],
        alpha: 0.9,
        color: [1.0, 0.0, -1.0],
    });
    let gzipped =
        vitrine_splat::write_spz(&splats, &vitrine_splat::SpzWriteOptions::default()).expect("spz");
    vec![
        ("three.raw", crate::targets::gunzip(&gzipped)),
        ("three.spz", gzipped),
        (
            "one.raw",
            crate::targets::gunzip(
                &vitrine_splat::write_spz(&one, &vitrine_splat::SpzWriteOptions::default())
                    .expect("spz"),
            ),
        ),
    ]
}

/// A version-1 `.npy` header for `descr` and `shape`, padded as numpy pads it.
fn npy_header(descr: &str, shape: &str) -> Vec<u8> {
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&u16::try_from(dict.len()).expect("short").to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out
}

fn npy() -> Files {
    let mask = vitrine_media::image::GrayImage::from_fn(5, 4, |x, y| {
        vitrine_media::image::Luma([if (x + y) % 2 == 0 { 255 } else { 0 }])
    });
    let u8_mask =
        vitrine_media::write_npy(&vitrine_media::NpyArray::from_gray(&mask)).expect("npy");
    let mut floats = npy_header("<f4", "(2, 3)");
    for value in [0.0_f32, 0.5, 1.0, -1.0, 2.0, 0.25] {
        floats.write_all(&value.to_le_bytes()).expect("vec");
    }
    let mut bools = npy_header("|b1", "(3, 2, 1)");
    bools.extend_from_slice(&[1, 0, 1, 1, 0, 0]);
    vec![
        ("mask-u8.npy", u8_mask),
        ("f4.npy", floats),
        ("bool.npy", bools),
    ]
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, bytes) in files {
        writer.start_file(*path, options).expect("zip entry");
        writer.write_all(bytes).expect("zip write");
    }
    writer.finish().expect("zip").into_inner()
}

fn skill_bundles() -> Files {
    let plan = json!({
        "inputs": [{"name": "photo", "kind": "image"}],
        "steps": [
            {"id": "s1", "tool": "grayscale", "args": {"image": {"$ref": "input:photo"}}},
            {"id": "s2", "tool": "flip", "args": {"image": {"$ref": "step:s1.image"}, "direction": "horizontal"}}
        ]
    })
    .to_string();
    let skill_md = b"---\nname: gray-mirror\ndescription: \"Gray, then mirrored\"\n---\nMake it gray, then mirror it.\n";
    vec![
        ("plain.zip", zip_of(&[("SKILL.md", skill_md)])),
        (
            "program.zip",
            zip_of(&[("SKILL.md", skill_md), ("plan.json", plan.as_bytes())]),
        ),
        (
            "nested.zip",
            zip_of(&[
                ("gray/SKILL.md", skill_md),
                ("gray/notes/readme.txt", b"notes"),
            ]),
        ),
    ]
}

pub(crate) fn all() -> Vec<(&'static str, Files)> {
    vec![
        ("data_url", data_urls()),
        ("multipart", multipart()),
        ("response_format", response_formats()),
        ("spz", spz()),
        ("npy", npy()),
        ("image", images()),
        ("skill_bundle", skill_bundles()),
    ]
}
