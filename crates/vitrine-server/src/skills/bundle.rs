//! Skill bundles: untrusted zips, checked and read into memory, never extracted to disk and
//! never executed.
//!
//! Limits, checked before and while anything is decompressed: the zip itself
//! ([`MAX_BUNDLE_BYTES`]), the number of entries ([`MAX_ENTRIES`]), the total unpacked size
//! ([`MAX_UNPACKED_BYTES`], counted on the bytes actually inflated, not the sizes the zip
//! claims) and the compression ratio of any large entry ([`MAX_RATIO`]: a zip bomb). Paths
//! must be plain relative paths (no `/…`, `\`, `C:`, `..` or NUL), symlinks and encrypted
//! entries are refused, and only stored and deflated entries are read.
//!
//! `SKILL.md` sits at the top level (or inside one top-level folder, as zipping a folder
//! makes it). Its front matter is read as the `vlmrun` SDK reads it
//! (`vlmrun.client.skills.parse_skill_frontmatter`): `key: value` lines between `---`
//! fences, with optional quotes. That is all a skill's front matter holds, so a YAML parser
//! (and a dependency) would buy nothing but more ways to disagree with the SDK.

use std::io::{Cursor, Read as _, Write as _};

use vitrine_agent::Program;

/// Largest zip accepted, in bytes.
pub(crate) const MAX_BUNDLE_BYTES: usize = 8 << 20;
/// Most entries (files and folders) in a zip.
pub(crate) const MAX_ENTRIES: usize = 256;
/// Largest total of all entries once inflated.
pub(crate) const MAX_UNPACKED_BYTES: u64 = 32 << 20;
/// Largest inflated/compressed ratio of an entry over [`RATIO_FLOOR`] bytes.
pub(crate) const MAX_RATIO: u64 = 100;
/// Entries smaller than this may compress as well as they like (text does).
const RATIO_FLOOR: u64 = 1 << 20;
/// Longest skill name.
const MAX_NAME: usize = 64;
/// Longest description.
const MAX_DESCRIPTION: usize = 1024;

/// Why a bundle was refused; the server answers 413 or 400 with the message.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BundleError {
    /// Over a size limit.
    #[error("{0}")]
    TooLarge(String),
    /// Not a usable skill bundle.
    #[error("{0}")]
    Invalid(String),
}

fn invalid(message: impl Into<String>) -> BundleError {
    BundleError::Invalid(message.into())
}

/// A checked skill bundle.
#[derive(Debug, Clone)]
pub(crate) struct Bundle {
    /// From the front matter (may be empty; the request or upload can name it).
    pub(crate) name: String,
    /// From the front matter.
    pub(crate) description: String,
    /// `SKILL.md` without its front matter: the guidance for the LLM planner.
    pub(crate) instructions: String,
    /// `plan.json`, when there is one.
    pub(crate) program: Option<Program>,
}

/// Checks a zip and reads its skill.
pub(crate) fn open(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let files = unpack(bytes)?;
    let prefix = skill_root(&files)?;
    let file = |name: &str| {
        files
            .iter()
            .find(|(path, _)| *path == format!("{prefix}{name}"))
            .map(|(_, data)| data.as_slice())
    };
    let skill_md = file("SKILL.md").ok_or_else(|| invalid("the bundle has no `SKILL.md`"))?;
    let skill_md =
        std::str::from_utf8(skill_md).map_err(|_| invalid("`SKILL.md` is not UTF-8 text"))?;
    let (fields, instructions) = front_matter(skill_md);
    let field = |key: &str| {
        fields
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.clone())
            .unwrap_or_default()
    };
    let program = file("plan.json")
        .map(Program::parse)
        .transpose()
        .map_err(|error| {
            invalid(
                error
                    .to_string()
                    .trim_start_matches("invalid skill: ")
                    .to_owned(),
            )
        })?;
    Ok(Bundle {
        name: field("name"),
        description: field("description"),
        instructions: instructions.trim().to_owned(),
        program,
    })
}

/// A zip of `files` (path, bytes), deflated.
pub(crate) fn pack(files: &[(&str, &[u8])]) -> Result<Vec<u8>, BundleError> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644);
    for (path, bytes) in files {
        writer
            .start_file(*path, options)
            .and_then(|()| writer.write_all(bytes).map_err(Into::into))
            .map_err(|error| invalid(format!("cannot write the bundle: {error}")))?;
    }
    let cursor = writer
        .finish()
        .map_err(|error| invalid(format!("cannot write the bundle: {error}")))?;
    Ok(cursor.into_inner())
}

/// Checks a skill name: what `name:version` references and file names can carry.
pub(crate) fn check_name(name: &str) -> Result<(), BundleError> {
    let valid = !name.is_empty()
        && name.len() <= MAX_NAME
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(())
    } else {
        Err(invalid(format!(
            "the skill name `{}` is not valid: use 1 to {MAX_NAME} letters, digits, `-`, `_` or `.`, starting with a letter or digit",
            name.chars().take(80).collect::<String>()
        )))
    }
}

/// Checks a description's length.
pub(crate) fn check_description(description: &str) -> Result<(), BundleError> {
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(invalid(format!(
            "the skill description is longer than {MAX_DESCRIPTION} characters"
        )));
    }
    Ok(())
}

/// Every file of the zip, checked, in memory.
fn unpack(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, BundleError> {
    if bytes.len() > MAX_BUNDLE_BYTES {
        return Err(BundleError::TooLarge(format!(
            "the skill bundle is {} bytes; at most {MAX_BUNDLE_BYTES} bytes are accepted",
            bytes.len()
        )));
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| invalid(format!("the skill bundle is not a valid zip: {error}")))?;
    if archive.len() > MAX_ENTRIES {
        return Err(BundleError::TooLarge(format!(
            "the skill bundle has {} entries; at most {MAX_ENTRIES} are accepted",
            archive.len()
        )));
    }
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).map_err(|error| {
            invalid(format!("entry {index} of the zip cannot be read: {error}"))
        })?;
        let name = entry
            .name()
            .map_err(|error| invalid(format!("entry {index} has an unreadable name: {error}")))?
            .into_owned();
        check_path(&name)?;
        if entry.is_symlink() {
            return Err(invalid(format!(
                "`{name}` is a symbolic link; skill bundles may hold only plain files"
            )));
        }
        if entry.encrypted() {
            return Err(invalid(format!("`{name}` is encrypted")));
        }
        if entry.is_dir() {
            continue;
        }
        let claimed = entry.size();
        let compressed = entry.compressed_size().max(1);
        if claimed > RATIO_FLOOR && claimed / compressed > MAX_RATIO {
            return Err(BundleError::TooLarge(format!(
                "`{name}` inflates {}× ({compressed} → {claimed} bytes); entries over {RATIO_FLOOR} bytes may inflate at most {MAX_RATIO}× (a zip bomb is refused)",
                claimed / compressed
            )));
        }
        // Count what actually comes out, whatever the header claims.
        let room = MAX_UNPACKED_BYTES - total;
        let mut data = Vec::new();
        (&mut entry)
            .take(room + 1)
            .read_to_end(&mut data)
            .map_err(|error| invalid(format!("`{name}` cannot be inflated: {error}")))?;
        let size = data.len() as u64;
        if size > room {
            return Err(BundleError::TooLarge(format!(
                "the skill bundle inflates to more than {MAX_UNPACKED_BYTES} bytes"
            )));
        }
        if size > RATIO_FLOOR && size / compressed > MAX_RATIO {
            return Err(BundleError::TooLarge(format!(
                "`{name}` inflates more than {MAX_RATIO}× (a zip bomb is refused)"
            )));
        }
        total += size;
        if files.iter().any(|(path, _)| *path == name) {
            return Err(invalid(format!("`{name}` appears twice in the zip")));
        }
        files.push((name, data));
    }
    Ok(files)
}

/// A plain relative path: no absolute, drive, backslash, `..`, `.` or empty components.
fn check_path(name: &str) -> Result<(), BundleError> {
    let trimmed = name.strip_suffix('/').unwrap_or(name);
    let bad = trimmed.is_empty()
        || trimmed.starts_with('/')
        || trimmed.contains('\\')
        || trimmed.contains('\0')
        || trimmed.contains(':')
        || trimmed
            .split('/')
            .any(|part| part.is_empty() || part == "." || part == "..");
    if bad {
        return Err(invalid(format!(
            "the zip entry `{}` has an unsafe path; skill bundles may hold only relative paths without `..`",
            name.chars().take(200).collect::<String>()
        )));
    }
    Ok(())
}

/// `""` when `SKILL.md` is at the top, `folder/` when everything is in one folder that has it.
fn skill_root(files: &[(String, Vec<u8>)]) -> Result<String, BundleError> {
    if files.iter().any(|(path, _)| path == "SKILL.md") {
        return Ok(String::new());
    }
    let top = files
        .first()
        .and_then(|(path, _)| path.split_once('/'))
        .map(|(folder, _)| format!("{folder}/"));
    match top {
        Some(prefix)
            if files.iter().all(|(path, _)| path.starts_with(&prefix))
                && files
                    .iter()
                    .any(|(path, _)| *path == format!("{prefix}SKILL.md")) =>
        {
            Ok(prefix)
        }
        _ => Err(invalid(
            "the bundle has no `SKILL.md` at its top level; a skill is a folder with a `SKILL.md` (YAML front matter `name`, `description`)",
        )),
    }
}

/// The `key: value` pairs between leading `---` fences, and the text after them.
fn front_matter(text: &str) -> (Vec<(String, String)>, &str) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return (Vec::new(), text);
    };
    let Some(end) = rest.find("\n---") else {
        return (Vec::new(), text);
    };
    let body = rest[end + 4..].trim_start_matches(['-', '\r']);
    let fields = rest[..end]
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            if key.starts_with(char::is_whitespace) {
                return None;
            }
            let value = value.trim();
            let value = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
                .unwrap_or(value);
            Some((key.trim().to_owned(), value.to_owned()))
        })
        .collect();
    (fields, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_read_as_the_sdk_reads_it() {
        let (fields, body) = front_matter(
            "---\nname: \"press-kit\"\ndescription: Blur faces: then gray\n---\n# How\nDo it.\n",
        );
        assert_eq!(
            fields,
            [
                ("name".to_owned(), "press-kit".to_owned()),
                ("description".to_owned(), "Blur faces: then gray".to_owned())
            ]
        );
        assert_eq!(body.trim(), "# How\nDo it.");
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for path in [
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            "C:x",
            "a//b",
            "./a",
        ] {
            assert!(check_path(path).is_err(), "{path}");
        }
        for path in ["SKILL.md", "refs/a.txt", "folder/"] {
            assert!(check_path(path).is_ok(), "{path}");
        }
    }

    #[test]
    fn a_packed_bundle_opens_and_a_nested_folder_is_found() {
        let zip = pack(&[
            (
                "kit/SKILL.md",
                b"---\nname: kit\ndescription: d\n---\nGuide.",
            ),
            ("kit/notes.txt", b"x"),
        ])
        .expect("packs");
        let bundle = open(&zip).expect("opens");
        assert_eq!(
            (bundle.name.as_str(), bundle.instructions.as_str()),
            ("kit", "Guide.")
        );
        assert!(bundle.program.is_none());
    }
}
