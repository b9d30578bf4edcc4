//! A blob being written, hashed (SHA-256, and MD5 for uploaded files) on the way
//! in, with a size limit, so nothing is ever read twice. A small blob stays in memory (the
//! store keeps it in its index); one that passes [`INLINE_MAX`] goes to a temp file a
//! buffer at a time and is never held in memory whole.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use md5::Digest as _;

use crate::StoreError;

/// Bytes that a store can commit atomically: in memory while small, else in a
/// temp file.
///
/// Dropping it without committing deletes the temp file.
#[derive(Debug)]
pub struct StagedBlob {
    path: PathBuf,
    file: Option<Arc<std::fs::File>>,
    /// The bytes not yet in the temp file (all of them while the blob is small).
    memory: Vec<u8>,
    /// Whether the temp file exists (it is created on spill or on [`StagedBlob::flush`]).
    spilled: bool,
    sha256: sha2::Sha256,
    /// Only uploaded files are looked up by MD5; hashing every artifact cost as much CPU as
    /// the rest of storing a photo.
    md5: Option<md5::Md5>,
    size: u64,
    limit: u64,
    head: Vec<u8>,
}

/// How many leading bytes are kept for type sniffing.
const HEAD_LEN: usize = 4096;
/// Blobs up to this size stay in memory and are stored in the store's index.
pub(crate) const INLINE_MAX: u64 = 256 * 1024;
/// Bytes gathered before a write to the temp file: each write is a trip to the blocking
/// pool, and a photo sent in 48 KiB pieces made a dozen of them.
const WRITE_BUFFER: usize = 1024 * 1024;

impl StagedBlob {
    /// A new blob whose temp file, if it ever needs one, will be `path`.
    pub(crate) fn create(path: PathBuf, limit: u64) -> Self {
        StagedBlob {
            path,
            file: None,
            memory: Vec::new(),
            spilled: false,
            sha256: sha2::Sha256::new(),
            md5: None,
            size: 0,
            limit,
            head: Vec::with_capacity(HEAD_LEN),
        }
    }

    /// Moves the buffered bytes to the temp file, creating it first if need be.
    async fn write_out(&mut self) -> Result<(), StoreError> {
        let file = self.file.clone();
        let path = self.path.clone();
        let bytes = std::mem::take(&mut self.memory);
        // From here the temp file may exist, and dropping the blob must delete it.
        self.spilled = true;
        let (file, mut bytes) = blocking(move || {
            let file = match file {
                Some(file) => file,
                None => Arc::new(std::fs::File::create(&path)?),
            };
            (&*file).write_all(&bytes)?;
            Ok((file, bytes))
        })
        .await?;
        self.file = Some(file);
        bytes.clear();
        self.memory = bytes;
        Ok(())
    }

    /// Appends a chunk; fails once the total passes the limit.
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), StoreError> {
        self.size += chunk.len() as u64;
        if self.size > self.limit {
            return Err(StoreError::TooLarge { limit: self.limit });
        }
        if self.head.len() < HEAD_LEN {
            let take = (HEAD_LEN - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.sha256.update(chunk);
        if let Some(md5) = self.md5.as_mut() {
            md5.update(chunk);
        }
        self.memory.extend_from_slice(chunk);
        if (self.spilled || self.size > INLINE_MAX) && self.memory.len() >= WRITE_BUFFER {
            self.write_out().await?;
        }
        Ok(())
    }

    /// Also hashes MD5 on the way in, for a blob that becomes an uploaded file. Once bytes
    /// have been written it is too late, and [`StagedBlob::finish_file`] reads them back.
    pub fn hash_md5(&mut self) {
        if self.size == 0 {
            self.md5 = Some(md5::Md5::new());
        }
    }

    /// Bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The first few KiB, for sniffing the real type from magic bytes.
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    /// The temp file, for probes that need the whole file (e.g. ffprobe).
    /// Call [`StagedBlob::flush`] first.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes every byte to the temp file so readers of [`StagedBlob::path`]
    /// see them. (Durability is the store's business when it commits the blob.)
    pub async fn flush(&mut self) -> Result<(), StoreError> {
        if !self.spilled || !self.memory.is_empty() {
            self.write_out().await?;
        }
        Ok(())
    }

    /// Finishes writing a blob that stays a file: fsyncs it and returns the
    /// temp path, the size and the hex SHA-256.
    pub(crate) async fn finish(mut self) -> Result<(PathBuf, u64, String), StoreError> {
        self.flush().await?;
        if let Some(file) = self.file.take() {
            blocking(move || Ok(file.sync_all()?)).await?;
        }
        let sha256 = hex(&self.sha256.clone().finalize());
        let path = std::mem::take(&mut self.path);
        Ok((path, self.size, sha256))
    }

    /// [`StagedBlob::finish`] for an uploaded file, with its hex MD5 as well (read back from
    /// the temp file if it was not hashed on the way in).
    pub(crate) async fn finish_file(
        mut self,
    ) -> Result<(PathBuf, u64, String, String), StoreError> {
        let md5 = self.md5.take();
        let (path, size, sha256) = self.finish().await?;
        let md5 = match md5 {
            Some(md5) => hex(&md5.finalize()),
            None => {
                let read_back = path.clone();
                blocking(move || md5_of(&read_back)).await?
            }
        };
        Ok((path, size, sha256, md5))
    }

    /// Finishes writing a blob of at most [`INLINE_MAX`] bytes, which the
    /// store keeps in its index: the bytes and their SHA-256. A temp file made
    /// for a probe is deleted unsynced.
    pub(crate) async fn into_bytes(mut self) -> Result<(Vec<u8>, String), StoreError> {
        let bytes = if self.spilled {
            self.flush().await?;
            self.file = None;
            tokio::fs::read(&self.path).await?
        } else {
            std::mem::take(&mut self.memory)
        };
        Ok((bytes, hex(&self.sha256.clone().finalize())))
    }
}

impl Drop for StagedBlob {
    fn drop(&mut self) {
        // An abandoned upload must not leave its half-written bytes behind.
        if self.spilled && !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Runs file work on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|join| std::io::Error::other(join.to_string()))?
}

fn md5_of(path: &Path) -> Result<String, StoreError> {
    let mut md5 = md5::Md5::new();
    std::io::copy(&mut std::fs::File::open(path)?, &mut md5)?;
    Ok(hex(&md5.finalize()))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
