//! One target per parser of user bytes. Each returns a short outcome string (what path the
//! input took) and asserts what must hold for every input; a panic is a finding.

use std::io::{Read as _, Write as _};
use std::sync::OnceLock;

use base64::Engine as _;
use serde_json::Value;

use crate::driver::Target;

/// `data:` URLs as chat ingestion decodes them, checked against a one-shot decode of the same
/// text: the piece-by-piece decoder must accept exactly the same inputs, with the same bytes.
fn data_url(input: &[u8]) -> String {
    let text = String::from_utf8_lossy(input);
    let streamed = vitrine_server::fuzz::data_url(&text);
    let one_shot = text
        .split_once(',')
        .filter(|(header, _)| {
            header
                .split(';')
                .any(|piece| piece.eq_ignore_ascii_case("base64"))
        })
        .ok_or(())
        .and_then(|(_, payload)| {
            let cleaned: Vec<u8> = payload
                .bytes()
                .filter(|byte| !byte.is_ascii_whitespace())
                .collect();
            base64::engine::GeneralPurpose::new(
                &base64::alphabet::STANDARD,
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
            )
            .decode(cleaned)
            .map_err(|_| ())
        });
    match (&streamed, &one_shot) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "streamed and one-shot decodes differ"),
        (Err(_), Err(())) => {}
        _ => panic!("streamed {streamed:?} but one-shot {one_shot:?}"),
    }
    match streamed {
        Ok(bytes) => format!("ok {}", vitrine_server::fuzz::sniff(&bytes).is_some()),
        Err(error) => error,
    }
}

/// `response_format` as clients send it: the schema is unwrapped, its required ref fields
/// listed, and an answer filled from an empty plan and validated, as the agent does.
fn response_format(input: &[u8]) -> String {
    let Ok(format) = serde_json::from_slice::<Value>(input) else {
        return "not json".into();
    };
    let Some(schema) = vitrine_agent::structured::unwrap_schema(&format) else {
        return "no schema".into();
    };
    let refs = vitrine_agent::structured::required_ref_kinds(&schema);
    let plan = vitrine_agent::ExecutedPlan {
        steps: Vec::new(),
        elapsed_ms: 0,
        artifacts: Vec::new(),
        final_refs: Vec::new(),
    };
    static CATALOG: OnceLock<vitrine_tools::ToolCatalog> = OnceLock::new();
    let answering = vitrine_agent::structured::Answering {
        notes: "nothing ran",
        catalog: CATALOG.get_or_init(vitrine_tools::ToolCatalog::standard),
        returns_input: false,
    };
    match vitrine_agent::structured::fill(&schema, &plan, &[], &[], &answering) {
        Ok(answer) => {
            let validator = jsonschema::validator_for(&schema).expect("fill compiled it");
            assert!(
                validator.is_valid(&answer),
                "fill returned {answer} which its own schema refuses"
            );
            format!("filled {} refs", refs.len())
        }
        Err(error) => format!(
            "refused {}",
            error.to_string().chars().take(40).collect::<String>()
        ),
    }
}

/// SPZ: given raw (gzip-decompressed) bytes, they are gzipped first so mutations reach the
/// parser behind the checksum; gzip input is read as is.
fn spz(input: &[u8]) -> String {
    let gzipped;
    let bytes = if input.starts_with(&[0x1f, 0x8b]) {
        input
    } else {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(input).expect("in memory");
        gzipped = encoder.finish().expect("in memory");
        &gzipped
    };
    let header = vitrine_splat::read_spz_header(bytes);
    match vitrine_splat::read_spz(bytes) {
        Ok(splats) => {
            assert!(header.is_ok(), "the body reads but the header does not");
            splats.validate().expect("read_spz returns valid splats");
            format!("ok {}", splats.len().min(3))
        }
        Err(error) => error.to_string(),
    }
}

/// `.npy` arrays as masks and arrays are read.
fn npy(input: &[u8]) -> String {
    match vitrine_media::read_npy(input) {
        Ok(array) => match array.image_size() {
            Ok((height, width)) if u64::from(width) * u64::from(height) <= 1 << 22 => {
                match array.to_mask() {
                    Ok(mask) => {
                        assert_eq!(mask.dimensions(), (width, height));
                        "mask".into()
                    }
                    Err(error) => error.to_string(),
                }
            }
            Ok(_) => "large".into(),
            Err(error) => error.to_string(),
        },
        Err(error) => error.to_string(),
    }
}

/// Image headers and pixels: sniffing, probing, metadata, and a decode under small limits
/// (full size and reduced), as ingestion and tools do.
fn image(input: &[u8]) -> String {
    let limits = vitrine_media::DecodeLimits {
        max_bytes: 1 << 20,
        max_pixels: 1 << 20,
    };
    let sniffed = vitrine_server::fuzz::sniff(input);
    let _ = vitrine_media::read_metadata(input);
    let probed = vitrine_media::probe(input);
    let decoded = vitrine_media::decode(input, &limits);
    if let (Ok(info), Ok(image)) = (&probed, &decoded) {
        assert_eq!(
            (info.width, info.height),
            (image.width(), image.height()),
            "probe and decode disagree on the size"
        );
        let reduced = vitrine_media::decode_reduced(input, &limits, |_, _| 0.25)
            .expect("a reduced decode of a decodable image");
        assert_eq!(reduced.source_size, image.source_size);
        assert!(reduced.width() <= image.width() && reduced.height() <= image.height());
    }
    format!(
        "{:?} {} {}",
        sniffed.map(|(_, kind)| kind),
        probed
            .map(|info| format!("{:?}", info.format))
            .unwrap_or_else(|e| e.to_string()),
        decoded
            .map(|_| "decoded".to_owned())
            .unwrap_or_else(|e| e.to_string()),
    )
}

/// Skill bundles (zips) as `POST /v1/skills/create` opens them.
fn skill_bundle(input: &[u8]) -> String {
    match vitrine_server::fuzz::skill_bundle(input) {
        Ok(name) => format!("ok {}", name.is_empty()),
        Err(error) => error,
    }
}

/// Reads a gzip stream whole (for the seed writer).
pub(crate) fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

pub(crate) const TARGETS: &[Target] = &[
    Target {
        name: "data_url",
        run: data_url,
        dictionary: &[
            b"data:",
            b";base64,",
            b"=",
            b"==",
            b" ",
            b"\r\n",
            b"+/",
            b"-_",
        ],
        max_len: 8 << 10,
        structure: None,
    },
    Target {
        name: "multipart",
        run: crate::multipart::run,
        dictionary: &[
            b"\r\n",
            b"\r\n\r\n",
            b"--b",
            b"--b--",
            b"\r\n--b\r\n",
            b"Content-Disposition: form-data; name=\"file\"; filename=\"",
            b"Content-Disposition: ",
            b"form-data",
            b"name=\"purpose\"",
            b"name=\"file\"",
            b"filename=",
            b"filename*=UTF-8''",
            b"Content-Type: ",
            b"; boundary=",
            b"; charset=utf-8",
            b"\"",
            b"\\\"",
            b";",
            b"=",
        ],
        max_len: 16 << 10,
        structure: Some(crate::multipart::structure),
    },
    Target {
        name: "response_format",
        run: response_format,
        dictionary: &[
            b"{\"$ref\":\"#/$defs/ImageRef\"}",
            b"\"$ref\":\"#\"",
            b"\"$defs\":",
            b"\"required\":[\"image\"]",
            b"\"properties\":",
            b"\"type\":\"array\"",
            b"\"items\":",
            b"\"anyOf\":[",
            b"\"pattern\":\"^img_",
            b"\"json_schema\":",
            b"\"minItems\":",
            b"\"enum\":[",
            b"[",
            b"]",
            b"{",
            b"}",
        ],
        max_len: 8 << 10,
        structure: None,
    },
    Target {
        name: "spz",
        run: spz,
        dictionary: &[
            b"NGSP",
            &[0, 0, 0, 0],
            &[0xff, 0xff, 0xff, 0x7f],
            &[1],
            &[2],
            &[3],
        ],
        max_len: 64 << 10,
        structure: None,
    },
    Target {
        name: "npy",
        run: npy,
        dictionary: &[
            b"\x93NUMPY",
            b"'descr': '<f4'",
            b"'descr': '|u1'",
            b"'descr': '|b1'",
            b"'fortran_order': True",
            b"'shape': (",
            b"), }",
            b"99999999",
            b", ",
        ],
        max_len: 64 << 10,
        structure: None,
    },
    Target {
        name: "image",
        run: image,
        dictionary: &[
            b"\xff\xd8\xff",
            b"\xff\xc0",
            b"\xff\xda",
            b"\xff\xe1",
            b"Exif\0\0",
            b"IHDR",
            b"IDAT",
            b"RIFF",
            b"WEBPVP8",
            b"GIF89a",
            b"BM",
            b"II*\0",
            b"MM\0*",
        ],
        max_len: 64 << 10,
        structure: None,
    },
    Target {
        name: "skill_bundle",
        run: skill_bundle,
        dictionary: &[
            b"PK\x03\x04",
            b"PK\x01\x02",
            b"PK\x05\x06",
            b"SKILL.md",
            b"plan.json",
            b"---\nname: ",
            b"../",
            b"/",
        ],
        max_len: 64 << 10,
        structure: None,
    },
];
