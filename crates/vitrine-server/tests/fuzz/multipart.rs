//! The multipart upload target: `POST /v1/files` through the real router, with the body fed
//! in small chunks so the parser meets boundaries and headers split across reads.
//!
//! An input is the request's `Content-Type` on its first line and the body after it.
//! Invariants, for every input: no 5xx and no panic; a refusal is a well-formed OpenAI error
//! (JSON with a message, type, code and request id); an accepted upload is stored with a
//! clean file name and a known purpose, and its bytes read back are exactly one part's body as
//! the request framed it (followed by a delimiter).

use std::sync::{Mutex, OnceLock};

use serde_json::Value;
use tower::ServiceExt as _;

struct Server {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    _dir: tempfile::TempDir,
}

fn server() -> &'static Mutex<Server> {
    static SERVER: OnceLock<Mutex<Server>> = OnceLock::new();
    SERVER.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let app = runtime
            .block_on(async { crate::build_server(dir.path()) })
            .expect("the server builds");
        let router = vitrine_server::router(app.state);
        Mutex::new(Server {
            runtime,
            router,
            _dir: dir,
        })
    })
}

/// Chunk sizes (1 to 64 bytes) drawn from the input itself, so a run is repeatable.
fn chunks(body: &[u8]) -> Vec<Vec<u8>> {
    let mut state = body.iter().fold(0x9E37_79B9_7F4A_7C15_u64, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01B3)
    }) | 1;
    let mut out = Vec::new();
    let mut at = 0;
    while at < body.len() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let size = 1 + (state % 64) as usize;
        let end = (at + size).min(body.len());
        out.push(body[at..end].to_vec());
        at = end;
    }
    out
}

/// Keeps an error message's shape but not what the caller wrote into it (field names,
/// purposes), so outcomes count paths through the parser, not inputs.
fn shape(message: &str) -> String {
    message
        .split(['`', '"'])
        .next()
        .unwrap_or_default()
        .chars()
        .take(90)
        .collect()
}

fn find_all(haystack: &[u8], needle: &[u8]) -> Vec<usize> {
    if needle.is_empty() || needle.len() > haystack.len() {
        return Vec::new();
    }
    haystack
        .windows(needle.len())
        .enumerate()
        .filter(|(_, window)| *window == needle)
        .map(|(at, _)| at)
        .collect()
}

/// What the multipart parser makes of a body read in one piece, outside the server: the
/// reference the chunked upload through the router is checked against.
#[derive(Debug, Default)]
struct Parsed {
    /// One letter per field: `F` a `file` field with a file name, `f` without, `p` purpose,
    /// `o` anything else, `n` no name; `t` appended when it has a `Content-Type`.
    fields: String,
    /// The last `file` field's bytes (the one the server keeps).
    file: Option<Vec<u8>>,
    /// The last `purpose` field's text.
    purpose: Option<String>,
    /// Why parsing stopped early, if it did.
    error: Option<String>,
}

async fn parse(content_type: &str, body: &[u8]) -> Parsed {
    use axum::extract::FromRequest as _;
    let mut parsed = Parsed::default();
    let request = axum::http::Request::post("/")
        .header("content-type", content_type.as_bytes())
        .body(axum::body::Body::from(body.to_vec()))
        .expect("a checked header");
    let mut multipart = match axum::extract::Multipart::from_request(request, &()).await {
        Ok(multipart) => multipart,
        Err(rejection) => {
            parsed.error = Some(format!("rejected {}", shape(&rejection.body_text())));
            return parsed;
        }
    };
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) => {
                parsed.error = Some(shape(&error.body_text()));
                break;
            }
        };
        let name = field.name().map(str::to_owned);
        let letter = match name.as_deref() {
            Some("file") if field.file_name().is_some() => 'F',
            Some("file") => 'f',
            Some("purpose") => 'p',
            Some(_) => 'o',
            None => 'n',
        };
        if parsed.fields.len() < 12 {
            parsed.fields.push(letter);
            if field.content_type().is_some() {
                parsed.fields.push('t');
            }
        }
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
                Ok(None) => break,
                Err(error) => {
                    parsed.error = Some(shape(&error.body_text()));
                    return parsed;
                }
            }
        }
        match name.as_deref() {
            Some("file") => parsed.file = Some(bytes),
            Some("purpose") => parsed.purpose = Some(String::from_utf8_lossy(&bytes).into_owned()),
            _ => {}
        }
    }
    parsed
}

pub(crate) fn run(input: &[u8]) -> String {
    let server = server()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let split = input
        .iter()
        .position(|&byte| byte == b'\n')
        .unwrap_or(input.len());
    // Control characters cannot be in a header value at all; dropping them keeps the
    // mutant's other bytes meaningful instead of wasting the run.
    let content_type: String = String::from_utf8_lossy(&input[..split])
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .to_owned();
    let body = input.get(split + 1..).unwrap_or_default().to_vec();
    let stream = futures_util::stream::iter(
        chunks(&body)
            .into_iter()
            .map(Ok::<_, std::io::Error>)
            .collect::<Vec<_>>(),
    );
    let Ok(request) = axum::http::Request::post("/v1/files?purpose=assistants")
        .header("content-type", content_type.as_bytes())
        .body(axum::body::Body::from_stream(stream))
    else {
        return "bad header".into();
    };
    let router = server.router.clone();
    server.runtime.block_on(async move {
        let reference = parse(&content_type, &body).await;
        let response = router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("the answer is read whole");
        assert!(
            !status.is_server_error(),
            "{status}: {}",
            String::from_utf8_lossy(&bytes)
        );
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or_else(|error| {
            panic!(
                "{status}: the answer is not JSON ({error}): {}",
                String::from_utf8_lossy(&bytes)
            )
        });
        let purpose = reference.purpose.as_deref().unwrap_or("assistants");
        let acceptable = reference.error.is_none()
            && reference.file.is_some()
            && vitrine_wire::files::FILE_PURPOSES.contains(&purpose);
        // The kinds of field read, in order of first appearance, and how many (up to 4): which
        // branches the parser took, without one outcome per permutation.
        let mut kinds = String::new();
        for kind in reference.fields.chars() {
            if !kinds.contains(kind) {
                kinds.push(kind);
            }
        }
        let parsed = format!(
            "{kinds}{} {}",
            reference
                .fields
                .chars()
                .filter(|c| *c != 't')
                .count()
                .min(4),
            reference.error.as_deref().unwrap_or("complete")
        );
        if status != axum::http::StatusCode::CREATED {
            assert!(status.is_client_error(), "{status}: {answer}");
            assert!(
                !acceptable,
                "{status}: refused an upload the parser reads whole ({parsed}): {answer}"
            );
            let error = &answer["error"];
            let message = error["message"].as_str().unwrap_or_default();
            assert!(!message.is_empty(), "{status}: no message: {answer}");
            assert!(
                error["type"].as_str().is_some_and(|kind| !kind.is_empty())
                    && error["code"].as_str().is_some_and(|code| !code.is_empty())
                    && error["id"].as_str().is_some_and(|id| !id.is_empty()),
                "{status}: an ill-formed error: {answer}"
            );
            return format!(
                "{} {} {} | {parsed}",
                status.as_u16(),
                error["code"].as_str().unwrap_or_default(),
                shape(message)
            );
        }
        assert!(
            acceptable,
            "accepted an upload the parser does not read whole ({parsed}): {answer}"
        );
        let expected = reference.file.unwrap_or_default();
        let outcome = round_trip(&router, &answer, &body, &expected).await;
        format!("{outcome} | {parsed}")
    })
}

/// Checks an accepted upload against the request and the reference parse, then deletes it
/// (the store stays small).
async fn round_trip(router: &axum::Router, file: &Value, body: &[u8], expected: &[u8]) -> String {
    let id = file["id"].as_str().expect("a file id");
    let filename = file["filename"].as_str().expect("a file name");
    assert!(
        !filename.is_empty()
            && filename.chars().count() <= 255
            && filename != "."
            && filename != ".."
            && !filename.contains(['/', '\\'])
            && !filename.chars().any(char::is_control),
        "an unclean stored file name: {filename:?}"
    );
    let purpose = file["purpose"].as_str().unwrap_or_default();
    assert!(
        vitrine_wire::files::FILE_PURPOSES.contains(&purpose),
        "purpose {purpose:?}"
    );
    let get = |method: &str, path: String| {
        axum::http::Request::builder()
            .method(method)
            .uri(path)
            .body(axum::body::Body::empty())
            .expect("a request")
    };
    let response = router
        .clone()
        .oneshot(get("GET", format!("/v1/files/{id}/content")))
        .await
        .expect("infallible");
    assert_eq!(response.status(), 200, "{id} cannot be read back");
    let stored = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("the content");
    assert_eq!(
        file["bytes"].as_u64(),
        Some(stored.len() as u64),
        "the file object and the content disagree on the size"
    );
    assert!(
        stored.as_ref() == expected,
        "the stored {} bytes differ from the {} bytes of the last `file` field",
        stored.len(),
        expected.len()
    );
    // And, independently of the parser, one part's body: in the request, before a delimiter.
    if !stored.is_empty() {
        let framed = find_all(body, &stored).into_iter().any(|at| {
            body[at + stored.len()..].starts_with(b"\r\n--")
                || body[at + stored.len()..].starts_with(b"\n--")
        });
        assert!(
            framed,
            "the stored {} bytes are not a part's body of the request",
            stored.len()
        );
    }
    let deleted = router
        .clone()
        .oneshot(get("DELETE", format!("/v1/files/{id}")))
        .await
        .expect("infallible");
    assert_eq!(deleted.status(), 200, "{id} cannot be deleted");
    format!(
        "201 {} {} {}",
        stored.len().min(2),
        filename == "upload",
        filename.contains('.')
    )
}

/// Boundaries that stress the grammar (RFC 2046 allows 1–70 of `'()+_,-./:=?`, letters,
/// digits and inner spaces; the rest are wrong on purpose).
const BOUNDARIES: &[&str] = &[
    "b",
    "----WebKitFormBoundary7MA4YWxkTrZu0gW",
    "a'()+_,-./:=? z",
    "--",
    "-",
    "x\"y",
    "é",
    "boundary; boundary=other",
    "0123456789012345678901234567890123456789012345678901234567890123456789",
    "01234567890123456789012345678901234567890123456789012345678901234567890",
    "\r\n",
    " ",
];

/// Part headers worth trying.
const HEADERS: &[&[u8]] = &[
    b"Content-Disposition: form-data; name=\"file\"; filename=\"a.png\"",
    b"Content-Disposition: form-data; name=file; filename=a.png",
    b"content-disposition: FORM-DATA; NAME=\"file\"; FILENAME=\"x\"",
    b"Content-Disposition: form-data; name=\"purpose\"",
    b"Content-Disposition: form-data; name=\"file\"; filename*=UTF-8''na%C3%AFve%20file.txt",
    b"Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"quoted\\\" name.png\"",
    b"Content-Disposition: form-data; name=\"file\"; filename=\"\"",
    b"Content-Disposition: form-data; name=\"file\"; filename=\"..\\\\..\\\\win.ini\"",
    b"Content-Disposition: attachment",
    b"Content-Disposition: form-data",
    b"Content-Type: image/png",
    b"Content-Type: text/plain; charset=utf-8",
    b"Content-Transfer-Encoding: base64",
    b"X-No-Colon",
    b": empty name",
    b"X-Bytes: \xff\xfe\x00",
];

/// Splits `body` at every `delimiter`: the preamble, then what follows each delimiter.
fn split_parts(body: &[u8], delimiter: &[u8]) -> Vec<Vec<u8>> {
    let mut pieces = Vec::new();
    let mut from = 0;
    for at in find_all(body, delimiter) {
        if at < from {
            continue;
        }
        pieces.push(body[from..at].to_vec());
        from = at + delimiter.len();
    }
    pieces.push(body[from..].to_vec());
    pieces
}

fn boundary_of(content_type: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(content_type);
    let lower = text.to_ascii_lowercase();
    let at = lower.find("boundary=")? + "boundary=".len();
    let rest = &text[at..];
    let value = if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next().unwrap_or_default()
    } else {
        rest.split(';').next().unwrap_or_default().trim()
    };
    (!value.is_empty()).then(|| value.to_owned())
}

/// Moves, renames and cuts the framing of a multipart input: parts dropped, doubled or
/// swapped, the boundary changed (everywhere, or only in the header), cuts at delimiters,
/// line endings changed, headers added or rewritten.
pub(crate) fn structure(input: &mut Vec<u8>, random: u64) {
    let mut random = random;
    let mut next = |bound: usize| {
        random ^= random >> 12;
        random ^= random << 25;
        random ^= random >> 27;
        (random.wrapping_mul(0x2545_F491_4F6C_DD1D) % bound.max(1) as u64) as usize
    };
    let split = input
        .iter()
        .position(|&byte| byte == b'\n')
        .unwrap_or(input.len());
    let mut header = input[..split].to_vec();
    let body = input.get(split + 1..).unwrap_or_default().to_vec();
    let Some(boundary) = boundary_of(&header) else {
        // No boundary to work with: give it one.
        *input = format!(
            "multipart/form-data; boundary={}\n",
            BOUNDARIES[next(BOUNDARIES.len())]
        )
        .into_bytes();
        input.extend_from_slice(&body);
        return;
    };
    let delimiter = format!("--{boundary}").into_bytes();
    let mut parts = split_parts(&body, &delimiter);
    let count = parts.len();
    match next(12) {
        0 if count > 2 => {
            parts.remove(1 + next(count - 1));
        }
        1 if count > 1 => {
            let at = 1 + next(count - 1);
            let copy = parts[at].clone();
            parts.insert(at, copy);
        }
        2 if count > 2 => {
            let (a, b) = (1 + next(count - 1), 1 + next(count - 1));
            parts.swap(a, b);
        }
        3 => {
            // A new boundary everywhere, quoted or not.
            let new = BOUNDARIES[next(BOUNDARIES.len())];
            header = if next(2) == 0 {
                format!("multipart/form-data; boundary=\"{new}\"")
            } else {
                format!("multipart/form-data; boundary={new}")
            }
            .into_bytes();
            let joined = parts.join(format!("--{new}").as_bytes());
            *input = [header, b"\n".to_vec(), joined].concat();
            return;
        }
        4 => {
            // The header names another boundary than the body uses.
            let new = BOUNDARIES[next(BOUNDARIES.len())];
            let text = String::from_utf8_lossy(&header).replace(&boundary, new);
            header = text.into_bytes();
        }
        5 if count > 1 => {
            // Cut just after a delimiter, inside a part's headers, or before the close.
            let at = 1 + next(count - 1);
            let part = &mut parts[at];
            let cut = match next(3) {
                0 => 0,
                1 => part
                    .windows(4)
                    .position(|window| window == b"\r\n\r\n")
                    .map_or(part.len(), |end| next(end + 1)),
                _ => part.len().saturating_sub(2 + next(3)),
            };
            part.truncate(cut);
            parts.truncate(at + 1);
        }
        6 => {
            // The closing `--` removed, or junk after the close.
            if let Some(last) = parts.last_mut() {
                if last.starts_with(b"--") && next(2) == 0 {
                    last.drain(..2);
                } else {
                    last.extend_from_slice(b"\r\nepilogue --x\r\n");
                }
            }
        }
        7 => {
            // Bare LF, or bare CR, instead of CRLF.
            let with = if next(2) == 0 { &b"\n"[..] } else { &b"\r"[..] };
            for part in &mut parts {
                *part = split_parts(part, b"\r\n").join(with);
            }
        }
        8 if count > 1 => {
            // One more header line in a part.
            let at = 1 + next(count - 1);
            let line = HEADERS[next(HEADERS.len())];
            let part = &mut parts[at];
            let start = if part.starts_with(b"\r\n") { 2 } else { 0 };
            let mut added = line.to_vec();
            added.extend_from_slice(b"\r\n");
            part.splice(start..start, added);
        }
        9 if count > 1 => {
            // A part's headers replaced by one from the list.
            let at = 1 + next(count - 1);
            let part = &mut parts[at];
            if let Some(end) = part.windows(4).position(|window| window == b"\r\n\r\n") {
                let mut replaced = b"\r\n".to_vec();
                replaced.extend_from_slice(HEADERS[next(HEADERS.len())]);
                part.splice(..end, replaced);
            }
        }
        10 => {
            // A different or odd Content-Type around the same boundary.
            let forms = [
                format!("multipart/form-data; boundary={boundary}; charset=utf-8"),
                format!("multipart/form-data; charset=utf-8; boundary=\"{boundary}\""),
                format!("MULTIPART/FORM-DATA; BOUNDARY={boundary}"),
                format!("multipart/mixed; boundary={boundary}"),
                format!("multipart/form-data; boundary={boundary}; boundary=other"),
                format!("multipart/form-data;boundary=\"{boundary}"),
                "multipart/form-data".to_owned(),
                format!("application/x-www-form-urlencoded; boundary={boundary}"),
            ];
            header = forms[next(forms.len())].clone().into_bytes();
        }
        _ => {
            // A preamble before the first delimiter.
            if let Some(first) = parts.first_mut() {
                first.splice(0..0, b"This is the preamble.\r\n".iter().copied());
            }
        }
    }
    *input = [header, b"\n".to_vec(), parts.join(&delimiter[..])].concat();
}
