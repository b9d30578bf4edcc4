//! A blob being written: a temp file hashed (SHA-256 and MD5) on the way in,
//! with a size limit, so nothing is ever read twice or held in memory whole.

use std::path::{Path, PathBuf};

use md5::Digest as _;
use tokio::io::AsyncWriteExt;

use crate::StoreError;

/// Bytes written to a temp file that a store can commit atomically.
///
/// Dropping it without committing deletes the temp file.
#[derive(Debug)]
pub struct StagedBlob {
    path: PathBuf,
    file: Option<tokio::fs::File>,
    sha256: sha2::Sha256,
    md5: md5::Md5,
    size: u64,
    limit: u64,
    head: Vec<u8>,
}

/// How many leading bytes are kept for type sniffing.
const HEAD_LEN: usize = 4096;

impl StagedBlob {
    pub(crate) async fn create(path: PathBuf, limit: u64) -> Result<Self, StoreError> {
        let file = tokio::fs::File::create(&path).await?;
        Ok(StagedBlob {
            path,
            file: Some(file),
            sha256: sha2::Sha256::new(),
            md5: md5::Md5::new(),
            size: 0,
            limit,
            head: Vec::with_capacity(HEAD_LEN),
        })
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
        self.md5.update(chunk);
        match self.file.as_mut() {
            Some(file) => file.write_all(chunk).await?,
            None => {
                return Err(StoreError::Io(std::io::Error::other(
                    "staged blob already finished",
                )));
            }
        }
        Ok(())
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

    /// Flushes and fsyncs the temp file so readers of [`StagedBlob::path`]
    /// see every byte and a commit after it is durable.
    pub async fn flush(&mut self) -> Result<(), StoreError> {
        if let Some(file) = self.file.as_mut() {
            file.flush().await?;
            file.sync_all().await?;
        }
        Ok(())
    }

    /// Finishes writing: returns the temp path and the hex digests.
    pub(crate) async fn finish(mut self) -> Result<(PathBuf, u64, String, String), StoreError> {
        self.flush().await?;
        self.file = None;
        let sha256 = hex(&self.sha256.clone().finalize());
        let md5 = hex(&self.md5.clone().finalize());
        let path = std::mem::take(&mut self.path);
        Ok((path, self.size, sha256, md5))
    }
}

impl Drop for StagedBlob {
    fn drop(&mut self) {
        // An abandoned upload must not leave its half-written bytes behind.
        if !self.path.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
